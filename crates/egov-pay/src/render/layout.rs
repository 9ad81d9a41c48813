//! Positions of every element of the payment part and receipt, in millimetres from the top left
//! corner of the page (SIX IG QR-bill v2.3 §3 and the QR-bill style guide).

use egov_core::Language;
use qrcode::{Color, EcLevel, QrCode};

use super::labels::{Label, label};
use super::text::{ELLIPSIS, MM_PER_PT, ascender_mm, text_width_mm, wrap, wrap_max};
use super::{OutputSize, RenderError, RenderOptions, SeparatorStyle};
use crate::qrbill::{Address, AddressType, Amount, QrBill, Reference, Separator};

/// Width of the slip (receipt and payment part), mm.
pub const SLIP_WIDTH: f64 = 210.0;
/// Height of the slip, mm.
pub const SLIP_HEIGHT: f64 = 105.0;
/// Width of the receipt, mm.
pub const RECEIPT_WIDTH: f64 = 62.0;
/// Width of the payment part (DIN A6 landscape), mm.
pub const PAYMENT_PART_WIDTH: f64 = 148.0;
/// Width and height of the Swiss QR Code, mm.
pub const QR_CODE_SIZE: f64 = 46.0;
/// Width and height of the Swiss cross on the QR code, mm.
pub const SWISS_CROSS_SIZE: f64 = 7.0;
/// A4 portrait width and height, mm.
pub const A4: (f64, f64) = (210.0, 297.0);
/// Line width of the corner marks of blank fields: 0.75 pt, in mm.
pub const CORNER_MARK_LINE: f64 = 0.75 * MM_PER_PT;
/// Length of each arm of a corner mark, mm.
pub const CORNER_MARK_ARM: f64 = 3.0;

const MARGIN: f64 = 5.0;
const RECEIPT_TEXT_WIDTH: f64 = RECEIPT_WIDTH - 2.0 * MARGIN; // 52
const PP_LEFT: f64 = RECEIPT_WIDTH + MARGIN; // 67
const PP_INFO_LEFT: f64 = PP_LEFT + QR_CODE_SIZE + MARGIN; // 118
const PP_INFO_WIDTH: f64 = SLIP_WIDTH - MARGIN - PP_INFO_LEFT; // 87
const TITLE_HEIGHT: f64 = 7.0;
const QR_TOP: f64 = MARGIN + TITLE_HEIGHT + MARGIN; // 17
const AMOUNT_TOP: f64 = 68.0; // 37 mm above the bottom edge
const ACCEPTANCE_TOP: f64 = 82.0; // 23 mm above the bottom edge
const FURTHER_INFO_TOP: f64 = 90.0; // 15 mm above the bottom edge
const RECEIPT_INFO_TOP: f64 = MARGIN + TITLE_HEIGHT; // 12
const RECEIPT_INFO_HEIGHT: f64 = AMOUNT_TOP - RECEIPT_INFO_TOP; // 56
const PP_INFO_HEIGHT: f64 = FURTHER_INFO_TOP - MARGIN; // 85
const CURRENCY_WIDTH_RC: f64 = 12.0;
const CURRENCY_WIDTH_PP: f64 = 15.0;
const AMOUNT_BOX_RC: (f64, f64) = (30.0, 10.0);
const AMOUNT_BOX_PP: (f64, f64) = (40.0, 15.0);
const DEBTOR_BOX_RC: (f64, f64) = (52.0, 20.0);
const DEBTOR_BOX_PP: (f64, f64) = (65.0, 25.0);
const BOX_TOP_PADDING: f64 = 2.0 * MM_PER_PT;
const TITLE_SIZE: f64 = 11.0;
const ALT_PROC_SIZE: f64 = 7.0;
const ALT_PROC_LINE: f64 = 8.0 * MM_PER_PT;
const SEPARATOR_LINE: f64 = 0.5 * MM_PER_PT;

/// A rectangle in millimetres; `x`, `y` is its top left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// The centre point.
    #[must_use]
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }
}

/// What a text run is, for renderers and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextRole {
    /// "Receipt" or "Payment part", 11 pt bold.
    Title,
    /// A heading such as "Account / Payable to" (bold).
    Heading,
    /// A value from the QR code.
    Value,
    /// The name of an alternative procedure (7 pt bold).
    ProcedureName,
    /// The data of an alternative procedure (7 pt).
    ProcedureValue,
    /// "Separate before paying in" above the separator line.
    SeparatorNote,
}

/// Which part of the slip an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// The receipt on the left.
    Receipt,
    /// The payment part on the right.
    PaymentPart,
    /// Outside both (separator lines and their note).
    Page,
}

/// One line of text. `x` is the left end, `baseline` the baseline, both in mm.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    /// Left end, mm.
    pub x: f64,
    /// Baseline, mm from the top.
    pub baseline: f64,
    /// Font size in points.
    pub size_pt: f64,
    /// Bold face.
    pub bold: bool,
    /// The text.
    pub text: String,
    /// What the text is.
    pub role: TextRole,
    /// Where it is.
    pub part: Part,
    /// The right edge of the column this line must not pass, mm.
    pub column_right: f64,
}

impl TextRun {
    /// The width of the line in mm (Liberation Sans / Arial / Helvetica metrics).
    #[must_use]
    pub fn width(&self) -> f64 {
        text_width_mm(&self.text, self.size_pt, self.bold)
    }
}

/// The Swiss QR Code: its modules, row by row, and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct QrModules {
    /// Position and size (46 × 46 mm on the bill).
    pub rect: Rect,
    /// Modules per side.
    pub width: usize,
    /// `width × width` flags, row by row; `true` is dark.
    pub dark: Vec<bool>,
    /// The QR code version (1–40; at most 25 for a valid payload).
    pub version: i16,
}

impl QrModules {
    /// Horizontal runs of dark modules as `(row, first column, length)`, for compact output
    /// without hairlines between neighbouring modules.
    #[must_use]
    pub fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for (row, modules) in self.dark.chunks(self.width.max(1)).enumerate() {
            let mut col = 0;
            while col < modules.len() {
                if modules[col] {
                    let start = col;
                    while col < modules.len() && modules[col] {
                        col += 1;
                    }
                    runs.push((row, start, col - start));
                } else {
                    col += 1;
                }
            }
        }
        runs
    }
}

/// A drawing element of the bill.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Element {
    /// A line of text.
    Text(TextRun),
    /// A straight line (separator) from `(x1, y1)` to `(x2, y2)`.
    Line {
        /// Start x.
        x1: f64,
        /// Start y.
        y1: f64,
        /// End x.
        x2: f64,
        /// End y.
        y2: f64,
        /// Stroke width, mm.
        width: f64,
    },
    /// Black corner marks (0.75 pt, 3 mm arms) around a blank field.
    CornerMarks(Rect),
    /// The Swiss QR Code.
    QrCode(QrModules),
    /// The Swiss cross in the middle of the QR code: a 7 mm white square, a 6 mm black square
    /// and a white cross.
    SwissCross(Rect),
    /// A scissors symbol centred at `(x, y)`, blades pointing in the direction `angle_deg`
    /// (0 = to the right, 90 = down).
    Scissors {
        /// Centre x.
        x: f64,
        /// Centre y.
        y: f64,
        /// Direction of the blades in degrees, clockwise from the positive x axis.
        angle_deg: f64,
    },
}

/// The complete layout of a page with a QR-bill.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Page width, mm.
    pub width: f64,
    /// Page height, mm.
    pub height: f64,
    /// Top edge of the slip on the page, mm (0 for the slip alone, 192 on A4).
    pub slip_top: f64,
    /// The language of the headings.
    pub language: Language,
    /// The QR code payload (CR+LF separated).
    pub payload: String,
    /// Everything to draw, in painting order.
    pub elements: Vec<Element>,
    /// Whether some content had to be shortened (smaller font, omitted street, "…").
    pub shortened: bool,
}

impl Layout {
    /// All text runs.
    pub fn texts(&self) -> impl Iterator<Item = &TextRun> {
        self.elements.iter().filter_map(|e| match e {
            Element::Text(t) => Some(t),
            _ => None,
        })
    }

    /// The QR code element.
    #[must_use]
    pub fn qr_code(&self) -> Option<&QrModules> {
        self.elements.iter().find_map(|e| match e {
            Element::QrCode(q) => Some(q),
            _ => None,
        })
    }
}

/// The amount formatted for the bill: a space between thousands and two decimals (`1 949.75`).
///
/// ```
/// use egov_pay::render::format_amount;
/// assert_eq!(format_amount("1234567.5".parse()?), "1 234 567.50");
/// assert_eq!(format_amount("0.1".parse()?), "0.10");
/// # Ok::<(), egov_pay::AmountError>(())
/// ```
#[must_use]
pub fn format_amount(amount: Amount) -> String {
    let minor = amount.minor_units();
    let int = (minor / 100).to_string();
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{out}.{:02}", minor % 100)
}

/// The postal code and town line; foreign addresses get the country code in front (`DE-80331 München`).
fn town_line(a: &Address) -> String {
    let town = format!("{} {}", a.postal_code, a.town).trim().to_owned();
    if a.country == "CH" || a.country == "LI" {
        town
    } else {
        format!("{}-{town}", a.country)
    }
}

/// The text of an address: name, street line (if any, and unless left out) and town line.
struct AddressText {
    name: String,
    street: Option<String>,
    town: Option<String>,
}

fn address_text(a: &Address) -> AddressText {
    match a.address_type {
        AddressType::Combined => AddressText {
            name: a.name.clone(),
            street: a.street.clone(),
            town: a.building_number.as_ref().map(|l2| {
                if a.country == "CH" || a.country == "LI" {
                    l2.clone()
                } else {
                    format!("{}-{l2}", a.country)
                }
            }),
        },
        AddressType::Structured => AddressText {
            name: a.name.clone(),
            street: match (&a.street, &a.building_number) {
                (Some(s), Some(b)) => Some(format!("{s} {b}")),
                (Some(s), None) => Some(s.clone()),
                (None, Some(b)) => Some(b.clone()),
                (None, None) => None,
            },
            town: Some(town_line(a)),
        },
    }
}

/// How hard the content of an information section is squeezed.
#[derive(Debug, Clone, Copy)]
struct Squeeze {
    value_pt: f64,
    heading_pt: f64,
    omit_creditor_street: bool,
    omit_debtor_street: bool,
    name_lines: usize,
    info_lines: usize,
    info_break: bool,
}

enum BlockBody {
    Lines(Vec<String>),
    Box(f64, f64),
}

struct Block {
    heading: String,
    body: BlockBody,
}

#[derive(Clone, Copy)]
struct Column {
    x: f64,
    top: f64,
    width: f64,
    max_height: f64,
}

fn address_lines(a: &Address, omit_street: bool, width: f64, sq: &Squeeze, cut: &mut bool) -> Vec<String> {
    let t = address_text(a);
    let (mut lines, c) = wrap_max(&t.name, width, sq.value_pt, false, sq.name_lines);
    *cut |= c;
    if !omit_street && let Some(street) = &t.street {
        lines.extend(wrap(street, width, sq.value_pt, false));
    }
    if let Some(town) = &t.town {
        lines.extend(wrap(town, width, sq.value_pt, false));
    }
    lines
}

fn reference_text(r: &Reference) -> Option<String> {
    match r {
        Reference::Qrr(q) => Some(q.to_string()),
        Reference::Scor(s) => Some(s.to_string()),
        Reference::None => None,
    }
}

/// The IBAN in groups of four.
fn iban_text(bill: &QrBill) -> String {
    let compact = bill.account.as_str();
    let mut out = String::new();
    for (i, c) in compact.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn blocks(
    bill: &QrBill,
    lang: Language,
    receipt: bool,
    width: f64,
    sq: &Squeeze,
    cut: &mut bool,
) -> Vec<Block> {
    let mut out = Vec::new();
    let mut creditor = vec![iban_text(bill)];
    creditor.extend(address_lines(
        &bill.creditor,
        sq.omit_creditor_street,
        width,
        sq,
        cut,
    ));
    out.push(Block {
        heading: label(Label::AccountPayableTo, lang).to_owned(),
        body: BlockBody::Lines(creditor),
    });
    if let Some(r) = reference_text(&bill.reference) {
        out.push(Block {
            heading: label(Label::Reference, lang).to_owned(),
            body: BlockBody::Lines(vec![r]),
        });
    }
    if !receipt {
        let parts: Vec<&str> = [
            bill.unstructured_message.as_deref(),
            bill.billing_information.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
        if !parts.is_empty() {
            let mut lines = Vec::new();
            if sq.info_break {
                for p in &parts {
                    lines.extend(wrap(p, width, sq.value_pt, false));
                }
            } else {
                lines = wrap(&parts.join(" "), width, sq.value_pt, false);
            }
            if lines.len() > sq.info_lines {
                let (l, _) = wrap_max(&parts.join(" "), width, sq.value_pt, false, sq.info_lines);
                lines = l;
                *cut = true;
            }
            out.push(Block {
                heading: label(Label::AdditionalInformation, lang).to_owned(),
                body: BlockBody::Lines(lines),
            });
        }
    }
    match &bill.ultimate_debtor {
        Some(d) => out.push(Block {
            heading: label(Label::PayableBy, lang).to_owned(),
            body: BlockBody::Lines(address_lines(d, sq.omit_debtor_street, width, sq, cut)),
        }),
        None => {
            let (w, h) = if receipt { DEBTOR_BOX_RC } else { DEBTOR_BOX_PP };
            out.push(Block {
                heading: label(Label::PayableByNameAddress, lang).to_owned(),
                body: BlockBody::Box(w, h),
            });
        }
    }
    out
}

/// Height of the blocks without the spacing between them.
fn blocks_height(blocks: &[Block], line: f64) -> f64 {
    blocks
        .iter()
        .map(|b| {
            line + match &b.body {
                BlockBody::Lines(l) => line * l.len() as f64,
                BlockBody::Box(_, h) => BOX_TOP_PADDING + h,
            }
        })
        .sum()
}

/// Lays out one information section; `None` when it does not fit with these settings.
fn info_section(
    bill: &QrBill,
    lang: Language,
    receipt: bool,
    col: &Column,
    sq: &Squeeze,
    cut: &mut bool,
) -> Option<Vec<Element>> {
    let blocks = blocks(bill, lang, receipt, col.width, sq, cut);
    let heading_too_wide = blocks
        .iter()
        .any(|b| text_width_mm(&b.heading, sq.heading_pt, true) > col.width);
    let line = (sq.value_pt + 1.0) * MM_PER_PT;
    let fixed = blocks_height(&blocks, line);
    if fixed > col.max_height || heading_too_wide {
        return None;
    }
    let gaps = blocks.len().saturating_sub(1).max(1) as f64;
    let extra = ((col.max_height - fixed) / gaps).clamp(0.0, line);
    let part = if receipt { Part::Receipt } else { Part::PaymentPart };
    let mut out = Vec::new();
    let mut y = col.top + ascender_mm(sq.heading_pt);
    for b in &blocks {
        out.push(Element::Text(TextRun {
            x: col.x,
            baseline: y,
            size_pt: sq.heading_pt,
            bold: true,
            text: b.heading.clone(),
            role: TextRole::Heading,
            part,
            column_right: col.x + col.width,
        }));
        y += line;
        match &b.body {
            BlockBody::Lines(lines) => {
                for l in lines {
                    out.push(Element::Text(TextRun {
                        x: col.x,
                        baseline: y,
                        size_pt: sq.value_pt,
                        bold: false,
                        text: l.clone(),
                        role: TextRole::Value,
                        part,
                        column_right: col.x + col.width,
                    }));
                    y += line;
                }
            }
            BlockBody::Box(w, h) => {
                let top = y - ascender_mm(sq.value_pt) + BOX_TOP_PADDING;
                out.push(Element::CornerMarks(Rect {
                    x: col.x,
                    y: top,
                    width: *w,
                    height: *h,
                }));
                y = top + h + ascender_mm(sq.heading_pt);
            }
        }
        y += extra;
    }
    Some(out)
}

fn squeezes(receipt: bool) -> Vec<Squeeze> {
    let base = |v: f64, h: f64| Squeeze {
        value_pt: v,
        heading_pt: h,
        omit_creditor_street: false,
        omit_debtor_street: false,
        name_lines: 2,
        info_lines: usize::MAX,
        info_break: true,
    };
    if receipt {
        let no_debtor_street = Squeeze {
            omit_debtor_street: true,
            ..base(8.0, 6.0)
        };
        let no_streets = Squeeze {
            omit_creditor_street: true,
            ..no_debtor_street
        };
        vec![
            base(8.0, 6.0),
            no_debtor_street,
            no_streets,
            Squeeze {
                value_pt: 7.0,
                ..no_streets
            },
            Squeeze {
                value_pt: 6.0,
                ..no_streets
            },
            Squeeze {
                value_pt: 6.0,
                name_lines: 1,
                ..no_streets
            },
        ]
    } else {
        let small = base(8.0, 6.0);
        vec![
            base(10.0, 8.0),
            Squeeze {
                info_break: false,
                ..base(10.0, 8.0)
            },
            Squeeze {
                info_break: false,
                ..base(9.0, 7.0)
            },
            Squeeze {
                info_break: false,
                ..small
            },
            Squeeze {
                info_break: false,
                info_lines: 3,
                ..small
            },
            Squeeze {
                info_break: false,
                info_lines: 1,
                name_lines: 1,
                ..small
            },
        ]
    }
}

/// The first setting with which the section fits. The last setting fits every valid bill (the
/// layout tests check the longest addresses and messages).
fn fit_section(
    bill: &QrBill,
    lang: Language,
    receipt: bool,
    col: &Column,
    shortened: &mut bool,
) -> (Vec<Element>, Squeeze) {
    let all = squeezes(receipt);
    for (i, sq) in all.iter().enumerate() {
        let mut cut = false;
        if let Some(els) = info_section(bill, lang, receipt, col, sq, &mut cut) {
            *shortened |= cut || i > 0;
            return (els, *sq);
        }
    }
    // Nothing fit (cannot happen for a valid bill): use the tightest setting regardless.
    let sq = all.last().copied().unwrap_or(Squeeze {
        value_pt: 6.0,
        heading_pt: 6.0,
        omit_creditor_street: true,
        omit_debtor_street: true,
        name_lines: 1,
        info_lines: 1,
        info_break: false,
    });
    let mut cut = false;
    let col = Column {
        max_height: f64::MAX,
        ..*col
    };
    *shortened = true;
    (
        info_section(bill, lang, receipt, &col, &sq, &mut cut).unwrap_or_default(),
        sq,
    )
}

#[allow(clippy::too_many_arguments)]
fn text(
    x: f64,
    baseline: f64,
    size_pt: f64,
    bold: bool,
    s: &str,
    role: TextRole,
    part: Part,
    column_right: f64,
) -> Element {
    Element::Text(TextRun {
        x,
        baseline,
        size_pt,
        bold,
        text: s.to_owned(),
        role,
        part,
        column_right,
    })
}

fn amount_section(bill: &QrBill, lang: Language, receipt: bool, sq: &Squeeze, out: &mut Vec<Element>) {
    let (left, cur_w, part, right) = if receipt {
        (
            MARGIN,
            CURRENCY_WIDTH_RC,
            Part::Receipt,
            MARGIN + RECEIPT_TEXT_WIDTH,
        )
    } else {
        (
            PP_LEFT,
            CURRENCY_WIDTH_PP,
            Part::PaymentPart,
            PP_LEFT + QR_CODE_SIZE,
        )
    };
    let heading_base = AMOUNT_TOP + ascender_mm(sq.heading_pt);
    out.push(text(
        left,
        heading_base,
        sq.heading_pt,
        true,
        label(Label::Currency, lang),
        TextRole::Heading,
        part,
        left + cur_w,
    ));
    out.push(text(
        left + cur_w,
        heading_base,
        sq.heading_pt,
        true,
        label(Label::Amount, lang),
        TextRole::Heading,
        part,
        right,
    ));
    let value_base = heading_base + (sq.value_pt + 3.0) * MM_PER_PT;
    out.push(text(
        left,
        value_base,
        sq.value_pt,
        false,
        bill.currency.code(),
        TextRole::Value,
        part,
        left + cur_w,
    ));
    match bill.amount {
        Some(a) => out.push(text(
            left + cur_w,
            value_base,
            sq.value_pt,
            false,
            &format_amount(a),
            TextRole::Value,
            part,
            right,
        )),
        None if receipt => {
            let (w, h) = AMOUNT_BOX_RC;
            out.push(Element::CornerMarks(Rect {
                x: right - w,
                y: AMOUNT_TOP,
                width: w,
                height: h,
            }));
        }
        None => {
            let (w, h) = AMOUNT_BOX_PP;
            let top = value_base - ascender_mm(sq.value_pt);
            out.push(Element::CornerMarks(Rect {
                x: PP_INFO_LEFT - w,
                y: top,
                width: w,
                height: h,
            }));
        }
    }
}

fn alt_procedure_name(p: &str) -> &str {
    let end = p.find(|c: char| !c.is_alphanumeric()).unwrap_or(p.len());
    &p[..end]
}

fn further_information(bill: &QrBill, out: &mut Vec<Element>, shortened: &mut bool) {
    let right = SLIP_WIDTH - MARGIN;
    let mut y = FURTHER_INFO_TOP + ascender_mm(ALT_PROC_SIZE);
    for p in bill.alternative_procedures.iter().take(2) {
        let name = alt_procedure_name(p);
        let (name_text, rest) = if name.is_empty() {
            (String::new(), p.as_str())
        } else {
            (format!("{name}: "), p.as_str())
        };
        let name_w = text_width_mm(&name_text, ALT_PROC_SIZE, true);
        if !name_text.is_empty() {
            out.push(text(
                PP_LEFT,
                y,
                ALT_PROC_SIZE,
                true,
                &name_text,
                TextRole::ProcedureName,
                Part::PaymentPart,
                right,
            ));
        }
        let value = super::text::truncate(rest, right - PP_LEFT - name_w, ALT_PROC_SIZE, false);
        *shortened |= value.ends_with(ELLIPSIS) && !rest.ends_with(ELLIPSIS);
        out.push(text(
            PP_LEFT + name_w,
            y,
            ALT_PROC_SIZE,
            false,
            &value,
            TextRole::ProcedureValue,
            Part::PaymentPart,
            right,
        ));
        y += ALT_PROC_LINE;
    }
}

fn qr_modules(payload: &str) -> Result<QrModules, RenderError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::QrCode(e.to_string()))?;
    let version = match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    Ok(QrModules {
        rect: Rect {
            x: PP_LEFT,
            y: QR_TOP,
            width: QR_CODE_SIZE,
            height: QR_CODE_SIZE,
        },
        width: code.width(),
        dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect(),
        version,
    })
}

fn separators(opts: &RenderOptions, out: &mut Vec<Element>) {
    let full_page = opts.output == OutputSize::A4;
    let scissors = match opts.separator {
        SeparatorStyle::None => return,
        SeparatorStyle::Line => false,
        SeparatorStyle::LineWithScissors => true,
        // Romansh has no official note: the scissors stand in for it.
        SeparatorStyle::LineWithNote => label(Label::SeparateBeforePayingIn, opts.language).is_empty(),
    };
    let line = |x1, y1, x2, y2| Element::Line {
        x1,
        y1,
        x2,
        y2,
        width: SEPARATOR_LINE,
    };
    if scissors {
        out.push(line(RECEIPT_WIDTH, 0.0, RECEIPT_WIDTH, 3.0));
        out.push(line(RECEIPT_WIDTH, 7.0, RECEIPT_WIDTH, SLIP_HEIGHT));
        out.push(Element::Scissors {
            x: RECEIPT_WIDTH,
            y: 5.0,
            angle_deg: 90.0,
        });
    } else {
        out.push(line(RECEIPT_WIDTH, 0.0, RECEIPT_WIDTH, SLIP_HEIGHT));
    }
    if !full_page {
        return;
    }
    if scissors {
        out.push(line(0.0, 0.0, 3.0, 0.0));
        out.push(line(7.0, 0.0, SLIP_WIDTH, 0.0));
        out.push(Element::Scissors {
            x: 5.0,
            y: 0.0,
            angle_deg: 0.0,
        });
    } else {
        out.push(line(0.0, 0.0, SLIP_WIDTH, 0.0));
    }
    if opts.separator == SeparatorStyle::LineWithNote && !scissors {
        let note = label(Label::SeparateBeforePayingIn, opts.language);
        let size = 7.0;
        let w = text_width_mm(note, size, false);
        out.push(text(
            (SLIP_WIDTH - w) / 2.0,
            -1.5,
            size,
            false,
            note,
            TextRole::SeparatorNote,
            Part::Page,
            SLIP_WIDTH,
        ));
    }
}

fn translate(e: &mut Element, dy: f64) {
    match e {
        Element::Text(t) => t.baseline += dy,
        Element::Line { y1, y2, .. } => {
            *y1 += dy;
            *y2 += dy;
        }
        Element::CornerMarks(r) | Element::SwissCross(r) => r.y += dy,
        Element::QrCode(q) => q.rect.y += dy,
        Element::Scissors { y, .. } => *y += dy,
    }
}

/// Computes the layout of `bill`; see [`super::layout`].
pub(super) fn compute(bill: &QrBill, opts: &RenderOptions) -> Result<Layout, RenderError> {
    let errors = bill.validate();
    if !errors.is_empty() {
        return Err(RenderError::Invalid(errors));
    }
    let payload = bill
        .encode(Separator::CrLf)
        .map_err(|e| RenderError::Invalid(e.0))?;
    let lang = opts.language;
    let mut shortened = false;
    let mut el = Vec::new();

    // Receipt.
    let title_base = MARGIN + ascender_mm(TITLE_SIZE);
    el.push(text(
        MARGIN,
        title_base,
        TITLE_SIZE,
        true,
        label(Label::Receipt, lang),
        TextRole::Title,
        Part::Receipt,
        MARGIN + RECEIPT_TEXT_WIDTH,
    ));
    let rc_col = Column {
        x: MARGIN,
        top: RECEIPT_INFO_TOP,
        width: RECEIPT_TEXT_WIDTH,
        max_height: RECEIPT_INFO_HEIGHT,
    };
    let (rc, rc_sq) = fit_section(bill, lang, true, &rc_col, &mut shortened);
    el.extend(rc);
    amount_section(bill, lang, true, &rc_sq, &mut el);
    let acc = label(Label::AcceptancePoint, lang);
    let acc_w = text_width_mm(acc, rc_sq.heading_pt, true);
    el.push(text(
        MARGIN + RECEIPT_TEXT_WIDTH - acc_w,
        ACCEPTANCE_TOP + ascender_mm(rc_sq.heading_pt),
        rc_sq.heading_pt,
        true,
        acc,
        TextRole::Heading,
        Part::Receipt,
        MARGIN + RECEIPT_TEXT_WIDTH,
    ));

    // Payment part.
    el.push(text(
        PP_LEFT,
        title_base,
        TITLE_SIZE,
        true,
        label(Label::PaymentPart, lang),
        TextRole::Title,
        Part::PaymentPart,
        PP_LEFT + QR_CODE_SIZE,
    ));
    let qr = qr_modules(&payload)?;
    let (cx, cy) = qr.rect.center();
    el.push(Element::QrCode(qr));
    el.push(Element::SwissCross(Rect {
        x: cx - SWISS_CROSS_SIZE / 2.0,
        y: cy - SWISS_CROSS_SIZE / 2.0,
        width: SWISS_CROSS_SIZE,
        height: SWISS_CROSS_SIZE,
    }));
    let pp_col = Column {
        x: PP_INFO_LEFT,
        top: MARGIN,
        width: PP_INFO_WIDTH,
        max_height: PP_INFO_HEIGHT,
    };
    let (pp, pp_sq) = fit_section(bill, lang, false, &pp_col, &mut shortened);
    el.extend(pp);
    amount_section(bill, lang, false, &pp_sq, &mut el);
    further_information(bill, &mut el, &mut shortened);

    separators(opts, &mut el);

    let (width, height, slip_top) = match opts.output {
        OutputSize::Slip => (SLIP_WIDTH, SLIP_HEIGHT, 0.0),
        OutputSize::A4 => (A4.0, A4.1, A4.1 - SLIP_HEIGHT),
    };
    if slip_top > 0.0 {
        for e in &mut el {
            translate(e, slip_top);
        }
    }
    Ok(Layout {
        width,
        height,
        slip_top,
        language: lang,
        payload,
        elements: el,
        shortened,
    })
}
