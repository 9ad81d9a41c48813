//! Rendering of the QR-bill payment part and receipt (SIX IG QR-bill v2.3 §3 and the style guide):
//! a [`Layout`] in millimetres, and from it SVG, PDF (feature `pdf`) and PNG (feature `png`).
//!
//! Every function validates the bill first and returns [`RenderError::Invalid`] with all
//! violations when it is not valid; the QR code carries the payload of [`QrBill::encode`]
//! (CR+LF), error correction level M, 46 × 46 mm with the 7 mm Swiss cross.
//!
//! Text is measured with the advance widths of Liberation Sans (the same as Arial and
//! Helvetica), so no line passes its column: long names get two lines and an ellipsis, the
//! receipt drops the street and shrinks to 6 pt when it must, and the additional information is
//! shortened with "…" as the guidelines allow.
//!
//! ```
//! use egov_core::Language;
//! use egov_pay::qrbill::{Address, Currency, QrBill};
//! use egov_pay::render::{self, OutputSize, RenderOptions};
//!
//! let mut bill = QrBill::new(
//!     "CH44 3199 9123 0008 8901 2".parse()?,
//!     Address::new("Gemeinde Muster", "8000", "Seldwyla", "CH").with_street("Dorfstrasse", "1"),
//!     Currency::Chf,
//! );
//! bill.reference = egov_pay::qrbill::Reference::qr("310014", "2025000123")?;
//! let options = RenderOptions::new(Language::De, OutputSize::Slip);
//! let svg = render::svg(&bill, &options)?;
//! assert!(svg.contains(r#"width="210mm" height="105mm""#));
//! assert!(svg.contains("Zahlteil") && svg.contains("Empfangsschein"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod labels;
mod layout;
mod metrics;
#[cfg(feature = "pdf")]
mod pdf;
#[cfg(feature = "png")]
mod png;
mod svg;
mod text;

use egov_core::Language;

use crate::qrbill::{QrBill, ValidationError};

pub use labels::{Label, label};
pub use layout::{
    A4, CORNER_MARK_ARM, CORNER_MARK_LINE, Element, Layout, PAYMENT_PART_WIDTH, Part, QR_CODE_SIZE,
    QrModules, RECEIPT_WIDTH, Rect, SLIP_HEIGHT, SLIP_WIDTH, SWISS_CROSS_SIZE, TextRole, TextRun,
    format_amount,
};
#[cfg(feature = "png")]
pub use png::{PngOptions, png};
pub use svg::svg_from_layout;
pub use text::{ELLIPSIS, MM_PER_PT, ascender_mm, descender_mm, text_width_mm};

/// The page the bill is drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OutputSize {
    /// The slip alone: receipt and payment part, 210 × 105 mm.
    #[default]
    Slip,
    /// An A4 portrait page with the slip at its bottom edge.
    A4,
}

/// The lines that show where to cut (IG §3.7: mandatory in PDF bills).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SeparatorStyle {
    /// No lines (for paper with perforation).
    None,
    /// Solid lines.
    Line,
    /// Solid lines with a scissors symbol.
    #[default]
    LineWithScissors,
    /// Solid lines, and "Separate before paying in" above the top line on A4 (scissors in
    /// Romansh, which has no official text).
    LineWithNote,
}

/// What to render.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RenderOptions {
    /// Language of the headings.
    pub language: Language,
    /// Slip alone or A4 page.
    pub output: OutputSize,
    /// Separator lines.
    pub separator: SeparatorStyle,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            language: Language::De,
            output: OutputSize::Slip,
            separator: SeparatorStyle::LineWithScissors,
        }
    }
}

impl RenderOptions {
    /// Options for `language` and `output`, with scissors lines.
    #[must_use]
    pub fn new(language: Language, output: OutputSize) -> Self {
        Self {
            language,
            output,
            ..Self::default()
        }
    }
}

/// Why a bill could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The bill is not valid; every violation, each naming its field.
    #[error("the QR-bill is not valid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ValidationError>),
    /// The payload does not fit a QR code.
    #[error("QR code: {0}")]
    QrCode(String),
    /// The SVG could not be rasterised.
    #[error("PNG: {0}")]
    Png(String),
}

/// Computes the position of every element of the bill in mm.
///
/// # Errors
/// [`RenderError::Invalid`] when the bill does not validate; [`RenderError::QrCode`] when the
/// payload does not fit a QR code.
pub fn layout(bill: &QrBill, options: &RenderOptions) -> Result<Layout, RenderError> {
    layout::compute(bill, options)
}

/// The bill as an SVG document (units mm).
///
/// # Errors
/// As [`layout`].
pub fn svg(bill: &QrBill, options: &RenderOptions) -> Result<String, RenderError> {
    Ok(svg_from_layout(&layout(bill, options)?))
}

/// The bill as a PDF document with one page (base-14 Helvetica, which needs no embedding).
///
/// Helvetica's WinAnsi encoding lacks most letters of Latin Extended-A (such as `ő`, `ł`, `ș`);
/// they are printed without their diacritic.
///
/// # Errors
/// As [`layout`].
#[cfg(feature = "pdf")]
pub fn pdf(bill: &QrBill, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    Ok(pdf::pdf_from_layout(&layout(bill, options)?))
}

#[cfg(feature = "pdf")]
pub use pdf::pdf_from_layout;

/// Circles `(cx, cy, r)`, lines `(x1, y1, x2, y2)` and the stroke width, in mm.
type Strokes = (Vec<(f64, f64, f64)>, Vec<(f64, f64, f64, f64)>, f64);

/// The scissors symbol as stroked primitives in mm: `(circles (cx, cy, r), lines (x1, y1, x2, y2),
/// stroke width)`.
fn scissors_geometry(x: f64, y: f64, angle_deg: f64) -> Strokes {
    let (sin, cos) = angle_deg.to_radians().sin_cos();
    let p = |u: f64, v: f64| (x + u * cos - v * sin, y + u * sin + v * cos);
    let circles = [(-1.05, 0.6), (-1.05, -0.6)]
        .into_iter()
        .map(|(u, v)| {
            let (cx, cy) = p(u, v);
            (cx, cy, 0.42)
        })
        .collect();
    let lines = [((-0.7, 0.35), (1.6, -0.3)), ((-0.7, -0.35), (1.6, 0.3))]
        .into_iter()
        .map(|((u1, v1), (u2, v2))| {
            let (a, b) = p(u1, v1);
            let (c, d) = p(u2, v2);
            (a, b, c, d)
        })
        .collect();
    (circles, lines, 0.22)
}
