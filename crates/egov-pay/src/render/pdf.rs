//! PDF output with the base-14 Helvetica fonts (no embedding needed).

use pdf_writer::types::LineCapStyle;
use pdf_writer::{Content, Finish, Name, Pdf, Rect as PdfRect, Ref, Str};

use super::layout::{CORNER_MARK_LINE, Element, Layout};
use super::scissors_geometry;
use super::svg::{corner_polylines, swiss_cross_parts};

const PT_PER_MM: f64 = 72.0 / 25.4;

/// Latin Extended-A (U+0100–U+017F) without diacritics, for the letters WinAnsi lacks.
const LATIN_EXT_A_BASE: &str = concat!(
    "AaAaAa",
    "CcCcCcCc",
    "DdDd",
    "EeEeEeEeEe",
    "GgGgGgGg",
    "HhHh",
    "IiIiIiIiIi",
    "Ii",
    "Jj",
    "Kkk",
    "LlLlLlLlLl",
    "NnNnNnnNn",
    "OoOoOo",
    "Oo",
    "RrRrRr",
    "SsSsSsSs",
    "TtTtTt",
    "UuUuUuUuUuUu",
    "Ww",
    "YyY",
    "ZzZzZz",
    "s"
);

/// The WinAnsiEncoding byte for `c`; letters outside it are printed without diacritic.
fn win_ansi(c: char) -> u8 {
    let special = match c {
        '€' => Some(0x80),
        '…' => Some(0x85),
        'Š' => Some(0x8A),
        'Œ' => Some(0x8C),
        'Ž' => Some(0x8E),
        'š' => Some(0x9A),
        'œ' => Some(0x9C),
        'ž' => Some(0x9E),
        'Ÿ' => Some(0x9F),
        _ => None,
    };
    if let Some(b) = special {
        return b;
    }
    let cp = u32::from(c);
    if (0x20..=0x7E).contains(&cp) || (0xA0..=0xFF).contains(&cp) {
        return u8::try_from(cp).unwrap_or(b'?');
    }
    let base = match cp {
        0x100..=0x17F => LATIN_EXT_A_BASE.chars().nth((cp - 0x100) as usize),
        0x218 | 0x219 => Some(if cp == 0x218 { 'S' } else { 's' }),
        0x21A | 0x21B => Some(if cp == 0x21A { 'T' } else { 't' }),
        _ => None,
    };
    base.and_then(|b| u8::try_from(u32::from(b)).ok()).unwrap_or(b'?')
}

fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

// f32 is what PDF content streams take; page coordinates are far below its precision limit.
#[allow(clippy::cast_possible_truncation)]
fn f(v: f64) -> f32 {
    v as f32
}

/// Writes a [`Layout`] as a one-page PDF.
#[must_use]
pub fn pdf_from_layout(layout: &Layout) -> Vec<u8> {
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let regular = Ref::new(4);
    let bold = Ref::new(5);
    let content_id = Ref::new(6);
    let (w, h) = (layout.width * PT_PER_MM, layout.height * PT_PER_MM);
    // Page coordinates: origin bottom left, points.
    let x = |mm: f64| f(mm * PT_PER_MM);
    let y = |mm: f64| f(h - mm * PT_PER_MM);

    let mut c = Content::new();
    c.set_fill_gray(0.0);
    c.set_stroke_gray(0.0);
    for e in &layout.elements {
        match e {
            Element::QrCode(q) => {
                let m = q.rect.width / q.width as f64;
                for (row, col, len) in q.dark_runs() {
                    let top = q.rect.y + row as f64 * m;
                    c.rect(
                        x(q.rect.x + col as f64 * m),
                        y(top + m),
                        f(len as f64 * m * PT_PER_MM),
                        f(m * PT_PER_MM),
                    );
                }
                c.fill_nonzero();
            }
            Element::SwissCross(r) => {
                let (black, bars) = swiss_cross_parts(r);
                for (rect, gray) in [(*r, 1.0), (black, 0.0), (bars[0], 1.0), (bars[1], 1.0)] {
                    c.set_fill_gray(gray);
                    c.rect(
                        x(rect.x),
                        y(rect.y + rect.height),
                        f(rect.width * PT_PER_MM),
                        f(rect.height * PT_PER_MM),
                    );
                    c.fill_nonzero();
                }
                c.set_fill_gray(0.0);
            }
            Element::Text(t) => {
                c.begin_text();
                c.set_font(Name(if t.bold { b"F2" } else { b"F1" }), f(t.size_pt));
                c.next_line(x(t.x), y(t.baseline));
                c.show(Str(&encode(&t.text)));
                c.end_text();
            }
            Element::Line {
                x1,
                y1,
                x2,
                y2,
                width,
            } => {
                c.set_line_width(f(width * PT_PER_MM));
                c.move_to(x(*x1), y(*y1));
                c.line_to(x(*x2), y(*y2));
                c.stroke();
            }
            Element::CornerMarks(r) => {
                c.set_line_width(f(CORNER_MARK_LINE * PT_PER_MM));
                for pl in corner_polylines(r) {
                    c.move_to(x(pl[0].0), y(pl[0].1));
                    c.line_to(x(pl[1].0), y(pl[1].1));
                    c.line_to(x(pl[2].0), y(pl[2].1));
                }
                c.stroke();
            }
            Element::Scissors {
                x: sx,
                y: sy,
                angle_deg,
            } => {
                let (circles, lines, sw) = scissors_geometry(*sx, *sy, *angle_deg);
                c.set_line_width(f(sw * PT_PER_MM));
                c.set_line_cap(LineCapStyle::RoundCap);
                // A circle from four Bézier quarters.
                const K: f64 = 0.552_284_75;
                for (cx, cy, r) in circles {
                    let k = r * K;
                    c.move_to(x(cx + r), y(cy));
                    c.cubic_to(x(cx + r), y(cy + k), x(cx + k), y(cy + r), x(cx), y(cy + r));
                    c.cubic_to(x(cx - k), y(cy + r), x(cx - r), y(cy + k), x(cx - r), y(cy));
                    c.cubic_to(x(cx - r), y(cy - k), x(cx - k), y(cy - r), x(cx), y(cy - r));
                    c.cubic_to(x(cx + k), y(cy - r), x(cx + r), y(cy - k), x(cx + r), y(cy));
                    c.close_path();
                }
                for (a, b, cc, d) in lines {
                    c.move_to(x(a), y(b));
                    c.line_to(x(cc), y(d));
                }
                c.stroke();
                c.set_line_cap(LineCapStyle::ButtCap);
            }
        }
    }
    let content = c.finish();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(PdfRect::new(0.0, 0.0, f(w), f(h)));
    p.parent(pages);
    p.contents(content_id);
    p.resources()
        .fonts()
        .pair(Name(b"F1"), regular)
        .pair(Name(b"F2"), bold);
    p.finish();
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.stream(content_id, &content);
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_ansi_keeps_latin1_and_strips_other_diacritics() {
        assert_eq!(LATIN_EXT_A_BASE.chars().count(), 128);
        assert_eq!(encode("Zürich é"), b"Z\xfcrich \xe9");
        assert_eq!(encode("Œuvre…€"), b"\x8cuvre\x85\x80");
        assert_eq!(encode("Łódź Ștefan Ő"), b"L\xf3dz Stefan O");
    }
}
