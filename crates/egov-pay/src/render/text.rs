//! Text measurement with the Liberation Sans / Arial / Helvetica advance widths, line breaking
//! and shortening with an ellipsis.

use super::metrics::{ASCENDER, BOLD, DESCENDER, RANGES, REGULAR, UNITS_PER_EM};

/// Millimetres per typographic point.
pub const MM_PER_PT: f64 = 25.4 / 72.0;

/// The ellipsis that marks shortened text (IG §3.5.4).
pub const ELLIPSIS: char = '…';

fn advance(c: char, bold: bool) -> u16 {
    let cp = u32::from(c);
    let table: &[u16] = if bold { &BOLD } else { &REGULAR };
    let mut offset = 0usize;
    for (first, last) in RANGES {
        if (first..=last).contains(&cp) {
            return table
                .get(offset + (cp - first) as usize)
                .copied()
                .unwrap_or(UNITS_PER_EM);
        }
        offset += (last - first + 1) as usize;
    }
    // Not in the QR-bill character set: measure it as wide as the widest letter, so that a
    // line never ends up wider than its column.
    table.iter().copied().max().unwrap_or(UNITS_PER_EM)
}

/// The width of `text` in millimetres at `size_pt`, in the regular or bold face (without kerning,
/// whose pairs in these fonts narrow the text).
///
/// ```
/// use egov_pay::render::text_width_mm;
/// let w = text_width_mm("CHF", 10.0, false);
/// assert!((w - 7.25).abs() < 0.01);
/// // Bold lower-case letters are wider than regular ones.
/// assert!(text_width_mm("Betrag", 8.0, true) > text_width_mm("Betrag", 8.0, false));
/// ```
#[must_use]
pub fn text_width_mm(text: &str, size_pt: f64, bold: bool) -> f64 {
    let units: u64 = text.chars().map(|c| u64::from(advance(c, bold))).sum();
    // At most a few thousand characters of at most 4096 units: exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    let units = units as f64;
    units / f64::from(UNITS_PER_EM) * size_pt * MM_PER_PT
}

/// The ascender (distance from the top of the line to the baseline) in millimetres.
#[must_use]
pub fn ascender_mm(size_pt: f64) -> f64 {
    f64::from(ASCENDER) / f64::from(UNITS_PER_EM) * size_pt * MM_PER_PT
}

/// The descender (distance from the baseline down to the bottom of the line) in millimetres.
#[must_use]
pub fn descender_mm(size_pt: f64) -> f64 {
    -f64::from(DESCENDER) / f64::from(UNITS_PER_EM) * size_pt * MM_PER_PT
}

/// Breaks `text` into lines no wider than `width` mm: at spaces where possible, inside a word
/// only when the word alone is too wide.
pub(super) fn wrap(text: &str, width: f64, size: f64, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width_mm(&candidate, size, bold) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone on a new line, broken where it is too wide.
        for c in word.chars() {
            line.push(c);
            if text_width_mm(&line, size, bold) > width {
                line.pop();
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` shortened from the end so that it and an ellipsis fit `width` mm.
pub(super) fn truncate(text: &str, width: f64, size: f64, bold: bool) -> String {
    if text_width_mm(text, size, bold) <= width {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        chars.pop();
        while chars.last() == Some(&' ') {
            chars.pop();
        }
        let mut s: String = chars.iter().collect();
        s.push(ELLIPSIS);
        if chars.is_empty() || text_width_mm(&s, size, bold) <= width {
            return s;
        }
    }
}

/// [`wrap`], limited to `max_lines`; when more would be needed the last line is shortened and
/// ends with an ellipsis. The flag tells whether anything was cut.
pub(super) fn wrap_max(
    text: &str,
    width: f64,
    size: f64,
    bold: bool,
    max_lines: usize,
) -> (Vec<String>, bool) {
    let mut lines = wrap(text, width, size, bold);
    if lines.len() <= max_lines || max_lines == 0 {
        return (lines, false);
    }
    let rest = lines.split_off(max_lines - 1).join(" ");
    lines.push(truncate(&format!("{rest} "), width, size, bold));
    (lines, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font() {
        // Liberation Sans: "i" is narrow, "W" wide; bold is wider than regular.
        assert!(text_width_mm("iiii", 10.0, false) < text_width_mm("WWWW", 10.0, false));
        assert!(text_width_mm("Referenz", 8.0, true) > text_width_mm("Referenz", 8.0, false));
        // A digit is 1139/2048 em: 10 digits at 10 pt.
        let w = text_width_mm("0123456789", 10.0, false);
        assert!((w - 10.0 * 1139.0 / 2048.0 * 10.0 * MM_PER_PT).abs() < 1e-9);
        // Extended characters of IG v2.3 are covered.
        assert!(text_width_mm("Ș", 10.0, false) > text_width_mm("i", 10.0, false));
    }

    #[test]
    fn wrapping_keeps_every_line_inside_the_width() {
        let text =
            "Pia-Maria Rutschmann-Schnyder Grosse Marktgasse Donaudampfschifffahrtsgesellschaftskapitän";
        for width in [10.0, 25.0, 52.0, 87.0] {
            let lines = wrap(text, width, 10.0, false);
            assert!(
                lines.iter().all(|l| text_width_mm(l, 10.0, false) <= width),
                "{lines:?}"
            );
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let original: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(joined, original);
        }
    }

    #[test]
    fn truncation_ends_with_an_ellipsis() {
        let (lines, cut) = wrap_max("one two three four five six seven", 12.0, 10.0, false, 2);
        assert!(cut);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with(ELLIPSIS));
        assert!(lines.iter().all(|l| text_width_mm(l, 10.0, false) <= 12.0));
        let (lines, cut) = wrap_max("short", 50.0, 10.0, false, 1);
        assert_eq!((lines, cut), (vec!["short".to_owned()], false));
    }
}
