//! PNG output: the SVG rasterised with resvg.

use std::path::PathBuf;

use resvg::{tiny_skia, usvg};

use super::{RenderError, RenderOptions, layout, svg_from_layout};
use crate::qrbill::QrBill;

/// Raster settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PngOptions {
    /// Resolution in dots per inch (the 210 mm slip is 1654 pixels wide at 200 dpi).
    pub dpi: u32,
    /// Font files to load (Liberation Sans, Arial or Helvetica, regular and bold).
    pub font_files: Vec<PathBuf>,
    /// Whether to load the system's fonts too.
    pub system_fonts: bool,
}

impl Default for PngOptions {
    fn default() -> Self {
        Self {
            dpi: 200,
            font_files: Vec::new(),
            system_fonts: true,
        }
    }
}

impl PngOptions {
    /// Options for `dpi` with the system fonts.
    #[must_use]
    pub fn new(dpi: u32) -> Self {
        Self {
            dpi,
            ..Self::default()
        }
    }
}

/// The bill as a PNG image on a white background at `png.dpi`.
///
/// Text is drawn with the first of Liberation Sans, Arial, Helvetica found in the loaded fonts
/// (the layout is measured with their metrics; another font may look wider).
///
/// # Errors
/// As [`super::layout`]; [`RenderError::Png`] for a DPI of 0 or above 1200, an unreadable font file
/// or a failed encoding.
pub fn png(bill: &QrBill, options: &RenderOptions, png: &PngOptions) -> Result<Vec<u8>, RenderError> {
    if png.dpi == 0 || png.dpi > 1200 {
        return Err(RenderError::Png(format!(
            "dpi {} is not within 1..=1200",
            png.dpi
        )));
    }
    let layout = layout(bill, options)?;
    let svg = svg_from_layout(&layout);
    let mut opt = usvg::Options {
        font_family: "Liberation Sans".to_owned(),
        ..usvg::Options::default()
    };
    let db = opt.fontdb_mut();
    if png.system_fonts {
        db.load_system_fonts();
    }
    for file in &png.font_files {
        db.load_font_file(file)
            .map_err(|e| RenderError::Png(format!("{}: {e}", file.display())))?;
    }
    let tree = usvg::Tree::from_str(&svg, &opt).map_err(|e| RenderError::Png(e.to_string()))?;
    let dots = |mm: f64| -> u32 {
        // At most 297 mm × 1200 dpi ≈ 14 000 pixels: fits a u32.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let px = (mm / 25.4 * f64::from(png.dpi)).round() as u32;
        px.max(1)
    };
    let (w, h) = (dots(layout.width), dots(layout.height));
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| RenderError::Png(format!("cannot allocate {w}×{h} pixels")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let size = tree.size();
    let sx = w as f32 / size.width();
    let sy = h as f32 / size.height();
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(sx, sy),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| RenderError::Png(e.to_string()))
}
