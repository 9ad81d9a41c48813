//! egov-pay rendering of the shared QR-bill vectors: every payload that `MANIFEST.tsv` calls valid
//! is laid out and written as SVG in all five languages, on the slip and on A4; no text passes its
//! column and the QR code carries exactly the payload. Debian's librsvg (`rsvg-convert`) and poppler
//! (`pdftoppm`) rasterise our SVG and PDF, and `rqrr` decodes the QR code from their pictures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use egov_core::Language;
use egov_interop::read_shared;
use egov_pay::qrbill::{AddressType, QrBill, Separator};
use egov_pay::render::{self, OutputSize, RenderOptions};

/// The valid vectors with structured addresses (IG v2.3), as `(file, bill)`.
fn valid_bills() -> Vec<(String, QrBill)> {
    let manifest = read_shared("pay/qrbill/MANIFEST.tsv");
    let mut out = Vec::new();
    for row in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols[1] != "VALID" {
            continue;
        }
        let decoded = QrBill::decode(&read_shared(&format!("pay/qrbill/{}", cols[0]))).unwrap();
        let bill = decoded.bill;
        let structured = bill.creditor.address_type == AddressType::Structured
            && bill
                .ultimate_debtor
                .as_ref()
                .is_none_or(|d| d.address_type == AddressType::Structured);
        if structured && bill.validate().is_empty() {
            out.push((cols[0].to_owned(), bill));
        }
    }
    assert!(
        out.len() >= 15,
        "expected the valid vectors of the manifest, found {}",
        out.len()
    );
    out
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn valid_vectors_render_in_every_language() {
    for (file, bill) in valid_bills() {
        let payload = bill.encode(Separator::CrLf).unwrap();
        for lang in Language::ALL {
            for output in [OutputSize::Slip, OutputSize::A4] {
                let o = RenderOptions::new(lang, output);
                let layout = render::layout(&bill, &o).unwrap();
                assert_eq!(layout.payload, payload, "{file}");
                let qr = layout.qr_code().unwrap();
                assert!(
                    (qr.rect.width - 46.0).abs() < 1e-9 && qr.version <= 25,
                    "{file}: version {}",
                    qr.version
                );
                for t in layout.texts() {
                    assert!(t.x + t.width() <= t.column_right + 1e-9, "{file} {lang:?}: {t:?}");
                }
                let texts: Vec<&str> = layout.texts().map(|t| t.text.as_str()).collect();
                let iban = bill.account.to_string();
                assert!(
                    texts.iter().any(|t| t.replace(' ', "") == iban.replace(' ', "")),
                    "{file}: {texts:?}"
                );
                let svg = render::svg(&bill, &o).unwrap();
                assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
                assert_eq!(svg.matches("<text ").count(), texts.len(), "{file}");
            }
        }
    }
}

/// Every QR code in a PNG file, decoded with `rqrr` from the grey values.
fn decode_png(path: &std::path::Path) -> Vec<String> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let grey = |x: usize, y: usize| -> u8 {
        let i = (y * w + x) * channels;
        match channels {
            1 | 2 => buf[i],
            _ => {
                u8::try_from((u16::from(buf[i]) + u16::from(buf[i + 1]) + u16::from(buf[i + 2])) / 3).unwrap()
            }
        }
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, grey);
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Our SVG rasterised by librsvg (`rsvg-convert`) and our PDF by poppler (`pdftoppm`): each
/// picture has the exact size and one QR code that decodes to exactly the payload.
#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn third_party_rasterisers_read_our_svg_and_pdf_and_the_qr_code_decodes() {
    let rsvg = egov_interop::peer("rsvg-convert");
    let pdftoppm = egov_interop::peer("pdftoppm");
    let dir = std::env::temp_dir().join(format!("egov-pay-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bills = valid_bills();
    for (i, (file, bill)) in bills.iter().enumerate() {
        let lang = Language::ALL[i % Language::ALL.len()];
        let payload = bill.encode(Separator::CrLf).unwrap();
        let options = RenderOptions::new(lang, OutputSize::Slip);

        let svg_path = dir.join(format!("{i}.svg"));
        let png_path = dir.join(format!("{i}.png"));
        std::fs::write(&svg_path, render::svg(bill, &options).unwrap()).unwrap();
        let status = Command::new(&rsvg)
            .args([
                "--dpi-x",
                "200",
                "--dpi-y",
                "200",
                "--background-color",
                "white",
                "-o",
            ])
            .arg(&png_path)
            .arg(&svg_path)
            .status()
            .unwrap();
        assert!(status.success(), "{file}: rsvg-convert failed");
        let codes = decode_png(&png_path);
        assert_eq!(
            codes,
            vec![payload.clone()],
            "{file}: QR code of the SVG via librsvg"
        );

        let pdf_path = dir.join(format!("{i}.pdf"));
        std::fs::write(&pdf_path, render::pdf(bill, &options).unwrap()).unwrap();
        let out_base = dir.join(format!("{i}-pdf"));
        let status = Command::new(&pdftoppm)
            .args(["-png", "-r", "300", "-aa", "no", "-aaVector", "no", "-singlefile"])
            .arg(&pdf_path)
            .arg(&out_base)
            .status()
            .unwrap();
        assert!(status.success(), "{file}: pdftoppm failed");
        let pdf_png = out_base.with_extension("png");
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&pdf_png).unwrap()));
        let info = decoder.read_info().unwrap().info().clone();
        // 210 × 105 mm at 300 dpi.
        assert!(
            (2479..=2482).contains(&info.width) && (1239..=1242).contains(&info.height),
            "{file}: {}×{}",
            info.width,
            info.height
        );
        let codes = decode_png(&pdf_png);
        assert_eq!(codes, vec![payload], "{file}: QR code of the PDF via poppler");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
