//! PDF and PNG output of the QR-bill (features `pdf` and `png`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
#![cfg(any(feature = "pdf", feature = "png"))]

use egov_core::Language;
use egov_pay::qrbill::{Address, Currency, QrBill, Reference};
use egov_pay::render::{self, OutputSize, RenderOptions};

fn bill() -> QrBill {
    let mut bill = QrBill::new(
        "CH44 3199 9123 0008 8901 2".parse().unwrap(),
        Address::new("Robert Schneider AG", "2501", "Biel", "CH").with_street("Rue du Lac", "1268"),
        Currency::Chf,
    );
    bill.amount = Some("1949.75".parse().unwrap());
    bill.ultimate_debtor = Some(
        Address::new("Łukasz Żółć-Ștefan", "9400", "Rorschach", "CH").with_street("Grosse Marktgasse", "28"),
    );
    bill.reference = Reference::qr("", "21000000000313947143000901").unwrap();
    bill.unstructured_message = Some("Gebühr für Hundemarke 2026 - Zürich".into());
    bill
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_has_one_page_of_the_right_size_with_helvetica() {
    for (output, height_pt) in [(OutputSize::Slip, "297.6378"), (OutputSize::A4, "841.8898")] {
        let pdf = render::pdf(&bill(), &RenderOptions::new(Language::Fr, output)).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(text.trim_end().ends_with("%%EOF"));
        assert!(
            text.contains("/MediaBox [0 0 595.2756 ") && text.contains(height_pt),
            "{output:?}"
        );
        assert!(text.contains("/BaseFont /Helvetica-Bold") && text.contains("/Encoding /WinAnsiEncoding"));
        assert!(text.contains("(Section paiement) Tj"));
        // WinAnsi: é is 0xE9 (written as a hex string); Ł, Ż, ő, ș lose their diacritics.
        let lower = text.to_lowercase();
        assert!(lower.contains("<52e963e970697373e9>"), "Récépissé");
        assert!(lower.contains(&hex("Lukasz Z\u{f3}lc-Stefan")), "{output:?}");
    }
}

#[cfg(feature = "pdf")]
fn hex(s: &str) -> String {
    let bytes: Vec<u8> = s.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
    format!(
        "<{}>",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

#[cfg(feature = "png")]
fn decode(png: &[u8]) -> Vec<String> {
    let pixmap = resvg_png_decode(png);
    let (w, h, px) = pixmap;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| px[y * w + x]);
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, s)| s))
        .collect()
}

/// Grey values of a PNG we wrote (8-bit RGBA, no interlacing), read with the png crate's
/// decoder as re-exported through tiny-skia.
#[cfg(feature = "png")]
fn resvg_png_decode(png: &[u8]) -> (usize, usize, Vec<u8>) {
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(png).unwrap();
    let grey = pixmap
        .pixels()
        .iter()
        .map(|p| {
            let sum = u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue());
            u8::try_from(sum / 3).unwrap()
        })
        .collect();
    (pixmap.width() as usize, pixmap.height() as usize, grey)
}

#[cfg(feature = "png")]
#[test]
fn png_decodes_to_exactly_the_payload() {
    let bill = bill();
    let payload = bill.encode(egov_pay::Separator::CrLf).unwrap();
    for (lang, output, dpi) in [
        (Language::De, OutputSize::Slip, 200),
        (Language::It, OutputSize::A4, 150),
    ] {
        let png = render::png(
            &bill,
            &RenderOptions::new(lang, output),
            &render::PngOptions::new(dpi),
        )
        .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (w, h, _) = resvg_png_decode(&png);
        let expect_h = if output == OutputSize::A4 { 297.0 } else { 105.0 };
        assert_eq!(w, (210.0_f64 / 25.4 * f64::from(dpi)).round() as usize);
        assert_eq!(h, (expect_h / 25.4 * f64::from(dpi)).round() as usize);
        assert_eq!(decode(&png), vec![payload.clone()], "{lang:?} {output:?} {dpi}");
    }
}

#[cfg(feature = "png")]
#[test]
fn png_refuses_a_zero_dpi() {
    let err = render::png(&bill(), &RenderOptions::default(), &render::PngOptions::new(0)).unwrap_err();
    assert!(err.to_string().contains("dpi"));
}
