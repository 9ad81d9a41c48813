//! The example end to end: a PDF sealed twice with the demo PKI verifies; a changed byte does not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdf_writer::{Pdf, Rect, Ref};

fn one_page_pdf() -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, pages, page) = (Ref::new(1), Ref::new(2), Ref::new(3));
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    pdf.page(page)
        .parent(pages)
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    pdf.finish()
}

#[test]
fn sealed_twice_both_seals_verify_and_tampering_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let pki = seal_pdf::DemoPki::open_or_create(dir.path(), "Gemeinde Muster").unwrap();
    let original = one_page_pdf();
    let once = seal_pdf::seal(&original, &pki.key_pem, &pki.chain_pem, "Entscheid").unwrap();
    assert!(once.starts_with(&original));
    let twice = seal_pdf::seal(&once, &pki.key_pem, &pki.chain_pem, "Zweites Siegel").unwrap();
    assert!(
        twice.starts_with(&once),
        "the second seal is an incremental update"
    );
    let report = seal_pdf::check(&twice, &pki.ca_pem).unwrap();
    assert_eq!(report.signatures.len(), 2);
    assert!(report.all_valid(), "{report:?}");

    let mut tampered = once.clone();
    let at = tampered.windows(9).position(|w| w == b"/MediaBox").unwrap();
    tampered[at + 11] = b'9';
    assert!(!seal_pdf::check(&tampered, &pki.ca_pem).unwrap().all_valid());

    // The PKI is kept: opening the folder again gives the same root.
    let again = seal_pdf::DemoPki::open_or_create(dir.path(), "Gemeinde Muster").unwrap();
    assert_eq!(again.ca_pem, pki.ca_pem);
    // Another root does not vouch for the seal.
    let other = tempfile::tempdir().unwrap();
    let stranger = seal_pdf::DemoPki::open_or_create(other.path(), "Gemeinde Muster").unwrap();
    assert!(!seal_pdf::check(&once, &stranger.ca_pem).unwrap().all_valid());
}
