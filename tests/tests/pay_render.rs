//! egov-pay rendering of the shared QR-bill vectors: every payload that `MANIFEST.tsv` calls valid
//! is laid out and written as SVG in all five languages, on the slip and on A4; no text passes its
//! column and the QR code carries exactly the payload. Where Debian's `rsvg-convert` is installed,
//! the SVGs are rasterised with it as an independent SVG reader.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
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

/// `program` on `PATH`, through [`egov_interop::peer`] once we know it is there.
fn optional_peer(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .any(|dir| dir.join(program).is_file())
        .then(|| egov_interop::peer(program))
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

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn rsvg_convert_reads_our_svg() {
    let Some(rsvg) = optional_peer("rsvg-convert") else {
        // Without the peer only the layout checks above run.
        return;
    };
    let dir = std::env::temp_dir().join(format!("egov-pay-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (file, bill)) in valid_bills().into_iter().enumerate().take(8) {
        let lang = Language::ALL[i % Language::ALL.len()];
        let svg_path = dir.join(format!("{i}.svg"));
        let png_path = dir.join(format!("{i}.png"));
        std::fs::write(
            &svg_path,
            render::svg(&bill, &RenderOptions::new(lang, OutputSize::Slip)).unwrap(),
        )
        .unwrap();
        let status = Command::new(&rsvg)
            .args([
                "--dpi-x",
                "150",
                "--dpi-y",
                "150",
                "--background-color",
                "white",
                "-o",
            ])
            .arg(&png_path)
            .arg(&svg_path)
            .status()
            .unwrap();
        assert!(status.success(), "{file}");
        let png = std::fs::read(&png_path).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{file}");
        // IHDR: width and height, big-endian, at bytes 16..24; 210 × 105 mm at 150 dpi.
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert!(
            (1239..=1242).contains(&w) && (619..=622).contains(&h),
            "{file}: {w}×{h}"
        );
        // Mostly white paper with a black QR code: the image must not be blank.
        assert!(png.len() > 20_000, "{file}: {} bytes", png.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
