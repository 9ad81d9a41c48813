//! SVG output.

use std::fmt::Write as _;

use super::layout::{CORNER_MARK_ARM, CORNER_MARK_LINE, Element, Layout, Rect};
use super::scissors_geometry;
use super::text::MM_PER_PT;

/// The font families, in order of preference; all have the same metrics.
const FONT_FAMILY: &str = "'Liberation Sans', Arial, Helvetica, sans-serif";

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number with at most four decimals and no trailing zeros.
fn n(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

/// The corner marks of a blank field as polylines (arms of [`CORNER_MARK_ARM`]), inset by half
/// the line width so that the marks lie inside the rectangle.
pub(super) fn corner_polylines(r: &Rect) -> [[(f64, f64); 3]; 4] {
    let h = CORNER_MARK_LINE / 2.0;
    let a = CORNER_MARK_ARM;
    let (l, t, rt, b) = (r.x + h, r.y + h, r.x + r.width - h, r.y + r.height - h);
    [
        [(l, r.y + a), (l, t), (r.x + a, t)],
        [(r.x + r.width - a, t), (rt, t), (rt, r.y + a)],
        [(rt, r.y + r.height - a), (rt, b), (r.x + r.width - a, b)],
        [(r.x + a, b), (l, b), (l, r.y + r.height - a)],
    ]
}

/// The Swiss cross inside its 7 mm square: `(black square, white bars)`.
pub(super) fn swiss_cross_parts(r: &Rect) -> (Rect, [Rect; 2]) {
    let (cx, cy) = r.center();
    let black = r.width * 6.0 / 7.0;
    let bar_w = r.width / 6.0;
    let bar_l = r.width * 5.0 / 9.0;
    (
        Rect {
            x: cx - black / 2.0,
            y: cy - black / 2.0,
            width: black,
            height: black,
        },
        [
            Rect {
                x: cx - bar_w / 2.0,
                y: cy - bar_l / 2.0,
                width: bar_w,
                height: bar_l,
            },
            Rect {
                x: cx - bar_l / 2.0,
                y: cy - bar_w / 2.0,
                width: bar_l,
                height: bar_w,
            },
        ],
    )
}

/// Writes a [`Layout`] as an SVG document whose user unit is the millimetre.
#[must_use]
pub fn svg_from_layout(layout: &Layout) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let (w, h) = (n(layout.width), n(layout.height));
    let _ = write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" font-family="{}">
<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>
"##,
        escape(FONT_FAMILY)
    );
    for e in &layout.elements {
        match e {
            Element::Text(t) => {
                let _ = writeln!(
                    s,
                    r#"<text x="{}" y="{}" font-size="{}"{}>{}</text>"#,
                    n(t.x),
                    n(t.baseline),
                    n(t.size_pt * MM_PER_PT),
                    if t.bold { r#" font-weight="bold""# } else { "" },
                    escape(&t.text)
                );
            }
            Element::Line {
                x1,
                y1,
                x2,
                y2,
                width,
            } => {
                let _ = writeln!(
                    s,
                    r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000" stroke-width="{}"/>"##,
                    n(*x1),
                    n(*y1),
                    n(*x2),
                    n(*y2),
                    n(*width)
                );
            }
            Element::CornerMarks(r) => {
                let mut d = String::new();
                for pl in corner_polylines(r) {
                    let _ = write!(
                        d,
                        "M{} {}L{} {}L{} {}",
                        n(pl[0].0),
                        n(pl[0].1),
                        n(pl[1].0),
                        n(pl[1].1),
                        n(pl[2].0),
                        n(pl[2].1)
                    );
                }
                let _ = writeln!(
                    s,
                    r##"<path d="{d}" fill="none" stroke="#000" stroke-width="{}"/>"##,
                    n(CORNER_MARK_LINE)
                );
            }
            Element::QrCode(q) => {
                let m = q.rect.width / q.width as f64;
                let mut d = String::new();
                for (row, col, len) in q.dark_runs() {
                    let _ = write!(
                        d,
                        "M{} {}h{}v{}h-{}z",
                        n(q.rect.x + col as f64 * m),
                        n(q.rect.y + row as f64 * m),
                        n(len as f64 * m),
                        n(m),
                        n(len as f64 * m)
                    );
                }
                let _ = writeln!(s, r##"<path d="{d}" fill="#000" shape-rendering="crispEdges"/>"##);
            }
            Element::SwissCross(r) => {
                let (black, bars) = swiss_cross_parts(r);
                for (rect, fill) in [
                    (*r, "#fff"),
                    (black, "#000"),
                    (bars[0], "#fff"),
                    (bars[1], "#fff"),
                ] {
                    let _ = writeln!(
                        s,
                        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"/>"#,
                        n(rect.x),
                        n(rect.y),
                        n(rect.width),
                        n(rect.height)
                    );
                }
            }
            Element::Scissors { x, y, angle_deg } => {
                let (circles, lines, sw) = scissors_geometry(*x, *y, *angle_deg);
                let _ = writeln!(
                    s,
                    r##"<g fill="none" stroke="#000" stroke-width="{}" stroke-linecap="round">"##,
                    n(sw)
                );
                for (cx, cy, r) in circles {
                    let _ = writeln!(s, r#"<circle cx="{}" cy="{}" r="{}"/>"#, n(cx), n(cy), n(r));
                }
                for (a, b, c, d) in lines {
                    let _ = writeln!(
                        s,
                        r#"<line x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
                        n(a),
                        n(b),
                        n(c),
                        n(d)
                    );
                }
                s.push_str("</g>\n");
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"Müller & <Söhne> "AG" 'x'"#),
            "Müller &amp; &lt;Söhne&gt; &quot;AG&quot; &apos;x&apos;"
        );
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(n(5.0), "5");
        assert_eq!(n(0.26458333), "0.2646");
        assert_eq!(n(-0.00001), "0");
    }
}
