//! The residence certificate as a one-page PDF (pdf-writer, base-14 Helvetica); `seal.rs` seals
//! it with PAdES before it leaves the server.

use chrono::NaiveDate;
use egov_core::Language;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::config::Config;
use crate::db::Order;
use crate::i18n::t;

/// The purpose code's label.
pub(crate) fn purpose_label(lang: Language, purpose: &str) -> &'static str {
    match purpose {
        "employer" => t(lang, "purpose_employer"),
        "authority" => t(lang, "purpose_authority"),
        "bank" => t(lang, "purpose_bank"),
        _ => t(lang, "purpose_other"),
    }
}

/// The purposes offered on the form.
pub(crate) const PURPOSES: [&str; 4] = ["employer", "authority", "bank", "other"];

/// A date as people in `lang` write it.
pub(crate) fn format_date(lang: Language, date: NaiveDate) -> String {
    match lang {
        Language::En => date.format("%-d %B %Y").to_string(),
        Language::Fr | Language::It => date.format("%d/%m/%Y").to_string(),
        _ => date.format("%d.%m.%Y").to_string(),
    }
}

/// WinAnsiEncoding bytes: Latin-1 directly, a few typographic marks, `?` for the rest.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '–' => 0x96,
            '—' => 0x97,
            '’' => 0x92,
            '…' => 0x85,
            _ => u8::try_from(u32::from(c))
                .ok()
                .filter(|b| (0x20..=0x7E).contains(b) || *b >= 0xA0)
                .unwrap_or(b'?'),
        })
        .collect()
}

/// One line of text at `(x, y)` (points from the bottom left).
fn line(c: &mut Content, text: &str, size: f32, bold: bool, x: f32, y: f32) {
    c.begin_text();
    c.set_font(Name(if bold { b"F2" } else { b"F1" }), size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(text)));
    c.end_text();
}

/// The certificate of a paid order.
pub(crate) fn pdf(order: &Order, config: &Config, issued: NaiveDate) -> Vec<u8> {
    let lang = order.data.language;
    let d = &order.data;
    let (catalog, pages, page, regular, bold, content_id) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let mut c = Content::new();
    // The Swiss cross and the municipality, top left.
    c.set_fill_rgb(0.85, 0.14, 0.16);
    c.rect(56.0, 770.0, 28.0, 28.0);
    c.fill_nonzero();
    c.set_fill_gray(1.0);
    c.rect(67.0, 775.0, 6.0, 18.0);
    c.rect(61.0, 781.0, 18.0, 6.0);
    c.fill_nonzero();
    c.set_fill_gray(0.0);
    let mut y = 780.0;
    line(&mut c, &config.municipality, 12.0, true, 96.0, y);
    line(
        &mut c,
        &format!(
            "{} {}, {} {}",
            config.street.0, config.street.1, config.town.0, config.town.1
        ),
        10.0,
        false,
        96.0,
        y - 14.0,
    );
    y = 680.0;
    line(&mut c, t(lang, "certificate"), 22.0, true, 56.0, y);
    y -= 48.0;
    line(&mut c, t(lang, "cert_confirms"), 11.0, false, 56.0, y);
    y -= 26.0;
    line(
        &mut c,
        &format!("{} {}", d.given_name, d.family_name),
        14.0,
        true,
        76.0,
        y,
    );
    y -= 18.0;
    line(
        &mut c,
        &format!("{} {}", t(lang, "cert_born"), format_date(lang, d.birth_date)),
        11.0,
        false,
        76.0,
        y,
    );
    y -= 26.0;
    line(&mut c, t(lang, "cert_resides"), 11.0, false, 56.0, y);
    y -= 24.0;
    line(
        &mut c,
        &format!("{} {}", d.street, d.house_number),
        12.0,
        true,
        76.0,
        y,
    );
    y -= 16.0;
    line(
        &mut c,
        &format!("{} {}", d.postal_code, d.town),
        12.0,
        true,
        76.0,
        y,
    );
    y -= 36.0;
    line(
        &mut c,
        &format!("{}: {}", t(lang, "purpose"), purpose_label(lang, &d.purpose)),
        11.0,
        false,
        56.0,
        y,
    );
    y -= 16.0;
    line(
        &mut c,
        &format!("{}: {}", t(lang, "order"), order.number()),
        11.0,
        false,
        56.0,
        y,
    );
    y -= 16.0;
    line(
        &mut c,
        &format!("{} {}", t(lang, "cert_issued"), format_date(lang, issued)),
        11.0,
        false,
        56.0,
        y,
    );
    line(&mut c, t(lang, "seal_note"), 8.0, false, 56.0, 80.0);
    let content = c.finish();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
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
    fn win_ansi_keeps_latin1_and_replaces_the_rest() {
        assert_eq!(
            win_ansi("Zürich – é"),
            vec![b'Z', 0xFC, b'r', b'i', b'c', b'h', b' ', 0x96, b' ', 0xE9]
        );
        assert_eq!(win_ansi("Ł\n"), b"??".to_vec());
    }

    #[test]
    fn dates_follow_the_language() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(format_date(Language::De, date), "04.03.2026");
        assert_eq!(format_date(Language::Fr, date), "04/03/2026");
        assert_eq!(format_date(Language::En, date), "4 March 2026");
    }

    #[test]
    fn the_certificate_names_person_address_and_state() {
        let order = crate::payment::tests::order(3);
        let config = Config::defaults().unwrap();
        let pdf = pdf(&order, &config, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf).into_owned();
        assert!(text.contains("(Anna Muster)"), "{text}");
        assert!(text.contains("(Bahnhofstrasse 7)"));
        assert!(text.contains("23.11.2026"));
        // pdf-writer writes strings with non-ASCII letters in hex.
        let hex = |s: &str| win_ansi(s).iter().map(|b| format!("{b:02X}")).collect::<String>();
        assert!(
            text.contains(&format!("<{}>", hex("Wohnsitzbestätigung"))),
            "{text}"
        );
        assert!(text.contains(&hex("8001 Zürich")));
        assert!(
            text.contains(&hex("egov sign verify")),
            "the PDF says how to check its seal"
        );
    }

    #[test]
    fn purposes_have_labels() {
        for p in PURPOSES {
            assert!(!purpose_label(Language::Rm, p).is_empty());
        }
        assert_eq!(purpose_label(Language::De, "bank"), "Bank");
    }
}
