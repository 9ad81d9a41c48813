//! PAdES signing and verification of PDFs, including the known attacks on PDF signatures,
//! against a test PKI made at test time and PDFs written by hand in the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, SystemTime};

use egov_sign::{
    Certificate, Coverage, DocMdpPermission, Error, LocalTsa, ModificationLevel, PadesLevel, PadesOptions,
    PdfReport, SignatureStatus, SoftwareKey, TimeStamper, VerifyOptions, sign_pdf, sign_pdf_timestamped,
    verify_pdf,
};

const PAGE_TEXT: &str = "BT /F1 24 Tf 72 720 Td (Baubewilligung 2026-17) Tj ET";

fn key(e: &common::Entity) -> SoftwareKey {
    SoftwareKey::from_pem(e.key_pem.as_bytes(), e.cert_pem.as_bytes()).unwrap()
}

fn opts() -> VerifyOptions {
    VerifyOptions::new(Certificate::chain_from_pem(common::pki().root_pem.as_bytes()).unwrap())
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_000_000)
}

fn objects() -> Vec<(u32, String)> {
    vec![
        (1, "<< /Type /Catalog /Pages 2 0 R >>".into()),
        (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
        (
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                .into(),
        ),
        (
            4,
            format!("<< /Length {} >>\nstream\n{PAGE_TEXT}\nendstream", PAGE_TEXT.len()),
        ),
        (5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into()),
    ]
}

/// A one-page PDF 1.4 with a classic cross-reference table.
fn classic_pdf() -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in objects() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 6\n0000000000 65535 f\r\n");
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 6 /Root 1 0 R /ID [<0123456789ABCDEF><0123456789ABCDEF>] >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

/// The same page as PDF 1.5 with catalog, page tree, page and font inside an object
/// stream (object 6) and a cross-reference stream (object 7), as qpdf or pdf-writer make them.
fn xref_stream_pdf() -> Vec<u8> {
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let objs = objects();
    let in_stream: Vec<&(u32, String)> = objs.iter().filter(|(n, _)| *n != 4).collect();
    let mut header = String::new();
    let mut body = String::new();
    for (n, text) in &in_stream {
        header.push_str(&format!("{n} {} ", body.len()));
        body.push_str(text);
        body.push('\n');
    }
    let stream = format!("{header}\n{body}");
    let first = header.len() + 1;
    let off4 = out.len();
    out.extend_from_slice(format!("4 0 obj\n{}\nendobj\n", objs[3].1).as_bytes());
    let off6 = out.len();
    out.extend_from_slice(
        format!(
            "6 0 obj\n<< /Type /ObjStm /N {} /First {first} /Length {} >>\nstream\n{stream}\nendstream\nendobj\n",
            in_stream.len(),
            stream.len()
        )
        .as_bytes(),
    );
    let off7 = out.len();
    let mut entries: Vec<u8> = Vec::new();
    let mut entry = |t: u8, f2: u32, f3: u16| {
        entries.push(t);
        entries.extend_from_slice(&f2.to_be_bytes());
        entries.extend_from_slice(&f3.to_be_bytes());
    };
    entry(0, 0, 65535);
    entry(2, 6, 0); // 1 catalog
    entry(2, 6, 1); // 2 pages
    entry(2, 6, 2); // 3 page
    entry(1, u32::try_from(off4).unwrap(), 0);
    entry(2, 6, 3); // 5 font
    entry(1, u32::try_from(off6).unwrap(), 0);
    entry(1, u32::try_from(off7).unwrap(), 0);
    out.extend_from_slice(
        format!(
            "7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n",
            entries.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&entries);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{off7}\n%%EOF\n").as_bytes());
    out
}

/// Appends an incremental update (classic xref) that defines `objects`; the trailer keeps /Root 1 0 R.
fn append_update(pdf: &[u8], objects: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let text = String::from_utf8_lossy(&pdf[pdf.len() - 40..]).into_owned();
    let prev: usize = text
        .split("startxref")
        .last()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut out = pdf.to_vec();
    let mut xref = String::from("xref\n");
    let mut offs = Vec::new();
    for (n, body) in objects {
        offs.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    for (n, off) in &offs {
        xref.push_str(&format!("{n} 1\n{off:010} 00000 n\r\n"));
    }
    let at = out.len();
    out.extend_from_slice(xref.as_bytes());
    out.extend_from_slice(
        format!("trailer\n<< /Size 100 /Root 1 0 R /Prev {prev} >>\nstartxref\n{at}\n%%EOF\n").as_bytes(),
    );
    out
}

async fn seal(pdf: &[u8], options: &PadesOptions) -> Vec<u8> {
    sign_pdf(&key(&common::pki().seal), pdf, options).await.unwrap()
}

fn only(report: &PdfReport) -> &egov_sign::SignatureReport {
    assert_eq!(report.signatures.len(), 1, "{report:#?}");
    &report.signatures[0]
}

/// The byte offsets of the /ByteRange of the n-th signature dictionary in the file.
fn byte_range(pdf: &[u8], n: usize) -> [usize; 4] {
    let text = String::from_utf8_lossy(pdf);
    let part = text.split("/ByteRange [").nth(n + 1).unwrap();
    let nums: Vec<usize> = part
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    [nums[0], nums[1], nums[2], nums[3]]
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

fn invalid_reason(s: &SignatureStatus) -> &str {
    match s {
        SignatureStatus::Invalid(r) => r,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn classic_xref_pdf_signed_b_b_and_verified() {
    let pdf = classic_pdf();
    let options = PadesOptions::new()
        .reason("Verfügung")
        .location("Musterdorf")
        .contact_info("kanzlei@musterdorf.example")
        .time(t0());
    let signed = seal(&pdf, &options).await;
    assert_eq!(
        &signed[..pdf.len()],
        &pdf[..],
        "the original bytes must stay the prefix"
    );
    let tail = String::from_utf8_lossy(&signed[pdf.len()..]).into_owned();
    for needle in [
        "/Type /Sig",
        "/Filter /Adobe.PPKLite",
        "/SubFilter /ETSI.CAdES.detached",
        "/M (D:20260528202640+00'00')",
        "/Location (Musterdorf)",
        "/SigFlags 3",
        "/FT /Sig",
        "/Rect [0 0 0 0]",
        "\nxref\n",
        "/Prev ",
    ] {
        assert!(
            tail.contains(needle),
            "{needle} missing in\n{}",
            &tail[..tail.len().min(400)]
        );
    }
    // Non-ASCII reason as UTF-16BE.
    assert!(tail.contains("/Reason <FEFF0056"), "reason not UTF-16");
    let [a, b, c, d] = byte_range(&signed, 0);
    assert_eq!((a, c + d), (0, signed.len()));
    assert_eq!(signed[b], b'<');
    assert_eq!(signed[c - 1], b'>');

    let report = verify_pdf(&signed, &opts()).unwrap();
    let s = only(&report);
    assert_eq!(s.status, SignatureStatus::Valid, "{s:#?}");
    assert_eq!(s.field, "Signature1");
    assert_eq!(s.coverage, Some(Coverage::WholeFile));
    assert_eq!(s.level, Some(PadesLevel::BB));
    assert_eq!(s.modification_level, ModificationLevel::None);
    assert_eq!(s.signing_time.as_deref(), Some("2026-05-28T20:26:40Z"));
    assert_eq!(
        s.signer_subject.as_deref(),
        Some("CN=Gemeinde Musterdorf Siegel,O=Gemeinde Musterdorf,C=CH")
    );
    assert_eq!(s.trust_path.len(), 2);
    assert!(report.all_valid());
    assert_eq!(report.revisions, 2);

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["signatures"][0]["status"], "valid");
    assert_eq!(json["signatures"][0]["level"], "B-B");
    assert_eq!(json["signatures"][0]["coverage"], "whole_file");
}

#[tokio::test]
async fn xref_stream_pdf_gets_an_xref_stream_update() {
    let pdf = xref_stream_pdf();
    // The fixture itself must be readable.
    assert!(verify_pdf(&pdf, &opts()).unwrap().signatures.is_empty());
    let signed = seal(&pdf, &PadesOptions::new().time(t0())).await;
    assert_eq!(&signed[..pdf.len()], &pdf[..]);
    let tail = String::from_utf8_lossy(&signed[pdf.len()..]).into_owned();
    assert!(tail.contains("/Type /XRef"), "update must use an xref stream");
    assert!(!tail.contains("\nxref\n"));
    let report = verify_pdf(&signed, &opts()).unwrap();
    assert_eq!(only(&report).status, SignatureStatus::Valid, "{report:#?}");
}

#[tokio::test]
async fn second_signature_keeps_the_first_valid() {
    let pki = common::pki();
    let citizen = sign_pdf(
        &key(&pki.person),
        &classic_pdf(),
        &PadesOptions::new().field_name("Antragstellerin").time(t0()),
    )
    .await
    .unwrap();
    let both = seal(&citizen, &PadesOptions::new().field_name("Siegel").time(t0())).await;
    assert_eq!(&both[..citizen.len()], &citizen[..]);
    let report = verify_pdf(&both, &opts()).unwrap();
    assert_eq!(report.signatures.len(), 2);
    let first = &report.signatures[0];
    let second = &report.signatures[1];
    assert_eq!(first.field, "Antragstellerin");
    assert_eq!(first.status, SignatureStatus::Valid, "{first:#?}");
    assert_eq!(first.coverage, Some(Coverage::EarlierRevision));
    assert_eq!(first.modification_level, ModificationLevel::Allowed);
    assert!(first.modifications.iter().all(|m| m.allowed));
    assert!(!first.modifications.is_empty());
    assert_eq!(
        first.signer_subject.as_deref(),
        Some("CN=Anna Muster,O=Privat,C=CH")
    );
    assert_eq!(second.field, "Siegel");
    assert_eq!(second.status, SignatureStatus::Valid);
    assert_eq!(second.coverage, Some(Coverage::WholeFile));
    assert!(report.all_valid());

    // Same on the xref-stream flavour, with default field names.
    let one = seal(&xref_stream_pdf(), &PadesOptions::new().time(t0())).await;
    let two = seal(&one, &PadesOptions::new().time(t0())).await;
    let report = verify_pdf(&two, &opts()).unwrap();
    let names: Vec<&str> = report.signatures.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(names, ["Signature1", "Signature2"]);
    assert!(report.all_valid(), "{report:#?}");
}

#[tokio::test]
async fn duplicate_field_name_is_refused() {
    let one = seal(&classic_pdf(), &PadesOptions::new().field_name("Siegel")).await;
    let err = sign_pdf(
        &key(&common::pki().seal),
        &one,
        &PadesOptions::new().field_name("Siegel"),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("exists already"), "{err}");
}

#[tokio::test]
async fn certification_p2_allows_a_later_signature_p1_refuses_it() {
    let certified = seal(
        &classic_pdf(),
        &PadesOptions::new().certify(DocMdpPermission::FormFillingAndSigning),
    )
    .await;
    let tail = String::from_utf8_lossy(&certified[classic_pdf().len()..]).into_owned();
    assert!(tail.contains("/TransformMethod /DocMDP"));
    assert!(tail.contains("/Perms <</DocMDP "));
    let report = verify_pdf(&certified, &opts()).unwrap();
    assert_eq!(
        only(&report).certification,
        Some(DocMdpPermission::FormFillingAndSigning)
    );
    assert!(report.all_valid());

    let pki = common::pki();
    let countersigned = sign_pdf(&key(&pki.person), &certified, &PadesOptions::new())
        .await
        .unwrap();
    assert!(verify_pdf(&countersigned, &opts()).unwrap().all_valid());

    // Certification must come first.
    let err = sign_pdf(
        &key(&pki.seal),
        &countersigned,
        &PadesOptions::new().certify(DocMdpPermission::NoChanges),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("first signature"), "{err}");

    let locked = seal(
        &classic_pdf(),
        &PadesOptions::new().certify(DocMdpPermission::NoChanges),
    )
    .await;
    let err = sign_pdf(&key(&pki.person), &locked, &PadesOptions::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("P=1"), "{err}");
}

#[tokio::test]
async fn p1_certification_is_broken_by_any_later_signature() {
    // Our signer refuses, so the later signature is added with the lock removed from our view:
    // sign the P=1 file's prefix-preserving update by hand-appending a new field.
    let locked = seal(
        &classic_pdf(),
        &PadesOptions::new().certify(DocMdpPermission::NoChanges),
    )
    .await;
    let report = verify_pdf(&locked, &opts()).unwrap();
    assert!(report.all_valid());
    let updated = append_update(
        &locked,
        &[(
            5,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        )],
    );
    // The same font object written again unchanged is no change; a P=1 signature still sees an update.
    let report = verify_pdf(&updated, &opts()).unwrap();
    let s = only(&report);
    assert_eq!(s.modification_level, ModificationLevel::Illegal, "{s:#?}");
    assert!(invalid_reason(&s.status).contains("P=1"));
}

#[tokio::test]
async fn tampered_byte_in_signed_range_is_a_digest_mismatch() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let text_at = signed.windows(14).position(|w| w == b"Baubewilligung").unwrap();
    let mut tampered = signed.clone();
    tampered[text_at] = b'X';
    let report = verify_pdf(&tampered, &opts()).unwrap();
    let reason = invalid_reason(&only(&report).status).to_string();
    assert!(reason.contains("digest"), "{reason}");
}

#[tokio::test]
async fn incremental_saving_attack_changing_page_content_is_illegal() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let evil = "BT /F1 24 Tf 72 720 Td (Baugesuch abgelehnt) Tj ET";
    let attacked = append_update(
        &signed,
        &[(
            4,
            format!("<< /Length {} >>\nstream\n{evil}\nendstream", evil.len()).into_bytes(),
        )],
    );
    let report = verify_pdf(&attacked, &opts()).unwrap();
    let s = only(&report);
    assert_eq!(s.coverage, Some(Coverage::EarlierRevision));
    assert_eq!(s.modification_level, ModificationLevel::Illegal);
    let bad: Vec<_> = s.modifications.iter().filter(|m| !m.allowed).collect();
    assert_eq!(bad.len(), 1, "{s:#?}");
    assert_eq!(bad[0].object, 4);
    assert!(invalid_reason(&s.status).contains("illegal modifications"));
    assert!(!report.all_valid());
}

#[tokio::test]
async fn page_tree_and_catalog_changes_are_illegal() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let attacked = append_update(
        &signed,
        &[(2, b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>".to_vec())],
    );
    let s = only(&verify_pdf(&attacked, &opts()).unwrap()).clone();
    assert!(
        s.modifications
            .iter()
            .any(|m| !m.allowed && m.what.contains("page tree")),
        "{s:#?}"
    );
    assert!(!s.status.is_valid());

    // A catalog with an /OpenAction added (and the AcroForm kept).
    let text = String::from_utf8_lossy(&signed).into_owned();
    let acroform = text
        .split("/AcroForm ")
        .nth(1)
        .unwrap()
        .split(" R")
        .next()
        .unwrap()
        .to_string();
    let cat = format!("<< /Type /Catalog /Pages 2 0 R /AcroForm {acroform} R /OpenAction [3 0 R /Fit] >>");
    let attacked = append_update(&signed, &[(1, cat.into_bytes())]);
    let s = only(&verify_pdf(&attacked, &opts()).unwrap()).clone();
    assert!(
        s.modifications
            .iter()
            .any(|m| !m.allowed && m.what.contains("OpenAction")),
        "{s:#?}"
    );
}

#[tokio::test]
async fn shadow_attack_replacing_an_existing_object_is_illegal() {
    // Hide-and-replace: the font object that existed when signing is replaced by another one.
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let attacked = append_update(
        &signed,
        &[(
            5,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".to_vec(),
        )],
    );
    let report = verify_pdf(&attacked, &opts()).unwrap();
    let s = only(&report);
    assert_eq!(s.modification_level, ModificationLevel::Illegal);
    assert!(
        s.modifications.iter().any(|m| m.object == 5 && !m.allowed),
        "{s:#?}"
    );
    assert!(!s.status.is_valid());
}

#[tokio::test]
async fn adding_a_non_signature_annotation_is_illegal() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R /Annots [50 0 R] >>";
    let attacked = append_update(
        &signed,
        &[
            (3, page.as_bytes().to_vec()),
            (
                50,
                b"<< /Type /Annot /Subtype /FreeText /Rect [0 0 100 100] /Contents (genehmigt) >>".to_vec(),
            ),
        ],
    );
    let s = only(&verify_pdf(&attacked, &opts()).unwrap()).clone();
    assert_eq!(s.modification_level, ModificationLevel::Illegal, "{s:#?}");
}

/// Replaces the signature dictionary of the first signature with `body` in a new update.
fn with_sig_dict(signed: &[u8], body: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(signed);
    let at = text.find("/Type /Sig").unwrap();
    let header_start = text[..at].rfind(" obj").unwrap();
    let line_start = text[..header_start].rfind('\n').unwrap() + 1;
    let num: u32 = text[line_start..header_start]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    append_update(signed, &[(num, body.as_bytes().to_vec())])
}

#[tokio::test]
async fn universal_signature_forgery_variants_are_invalid() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let [_, b, c, _] = byte_range(&signed, 0);
    let hex = String::from_utf8_lossy(&signed[b..c]).into_owned();
    let base = "/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached";
    let cases = [
        (format!("<< {base} /Contents {hex} >>"), "/ByteRange is missing"),
        (
            format!("<< {base} /ByteRange [0 10 20 30] /Contents {hex} >>"),
            "gap",
        ),
        (
            format!("<< {base} /ByteRange [0 {b} {c} 0] /Contents <> >>"),
            "/Contents is empty",
        ),
        (
            format!("<< {base} /ByteRange [0 {b} {c} 0] /Contents null >>"),
            "not a string",
        ),
        (
            format!("<< {base} /ByteRange [0 {b} {c} 0] >>"),
            "/Contents is missing",
        ),
        (
            format!("<< {base} /ByteRange [5 {b} {c} 0] /Contents {hex} >>"),
            "start at byte 0",
        ),
        (
            format!("<< {base} /ByteRange [0 {c} {b} 0] /Contents {hex} >>"),
            "overlaps",
        ),
        (
            format!("<< {base} /ByteRange [0 {b} {c} 99999999999] /Contents {hex} >>"),
            "outside the file",
        ),
        (
            format!("<< {base} /ByteRange [0 -1 {c} 0] /Contents {hex} >>"),
            "non-negative",
        ),
    ];
    for (body, expected) in cases {
        let forged = with_sig_dict(&signed, &body);
        let report = verify_pdf(&forged, &opts()).unwrap();
        let s = only(&report);
        let reason = invalid_reason(&s.status);
        assert!(reason.contains(expected), "{body}: {reason}");
    }
}

#[tokio::test]
async fn signature_wrapping_moving_the_gap_is_invalid() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let [_, b, c, _] = byte_range(&signed, 0);
    let hex = String::from_utf8_lossy(&signed[b..c]).into_owned();
    // The attacker copies the original /Contents into a new object at the end and points the
    // ByteRange gap there, so that the original signature dictionary becomes "signed content".
    let mut attacked = append_update(&signed, &[(99, format!("<< /Contents {hex} >>").into_bytes())]);
    let nb = signed.len()
        + attacked[signed.len()..]
            .windows(hex.len())
            .position(|w| w == hex.as_bytes())
            .unwrap();
    let nc = nb + hex.len();
    let total_after = attacked.len() - nc;
    // Rewrite the ByteRange in place (the placeholder is space-padded, so the length stays).
    let br_at = find(&attacked, b"/ByteRange [") + "/ByteRange [".len();
    let close = br_at + find(&attacked[br_at..], b"]");
    let new = format!("0 {nb} {nc} {total_after}");
    let mut field = new.into_bytes();
    field.resize(close - br_at, b' ');
    attacked[br_at..close].copy_from_slice(&field);
    let report = verify_pdf(&attacked, &opts()).unwrap();
    let reason = invalid_reason(&only(&report).status).to_string();
    assert!(reason.contains("signature wrapping"), "{reason}");

    // ByteRange[2] shifted by one byte: the gap no longer is the hex string.
    let mut shifted = signed.clone();
    let br_at = find(&shifted, b"/ByteRange [") + "/ByteRange [".len();
    let close = br_at + find(&shifted[br_at..], b"]");
    let [_, b, c, d] = byte_range(&signed, 0);
    let mut field = format!("0 {b} {} {}", c + 1, d - 1).into_bytes();
    field.resize(close - br_at, b' ');
    shifted[br_at..close].copy_from_slice(&field);
    let reason = invalid_reason(&only(&verify_pdf(&shifted, &opts()).unwrap()).status).to_string();
    assert!(reason.contains("gap"), "{reason}");
}

#[tokio::test]
async fn untrusted_root_is_indeterminate_not_valid() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let other =
        VerifyOptions::new(Certificate::chain_from_pem(common::pki().other_root_pem.as_bytes()).unwrap());
    let report = verify_pdf(&signed, &other).unwrap();
    assert!(
        matches!(only(&report).status, SignatureStatus::Indeterminate(_)),
        "{report:#?}"
    );
    assert!(!report.all_valid());
}

#[tokio::test]
async fn signing_refuses_bad_input_without_panicking() {
    let signer = key(&common::pki().seal);
    for bad in [
        &b""[..],
        b"%PDF-1.4\n",
        b"hello world",
        b"%PDF-1.4\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF",
    ] {
        assert!(sign_pdf(&signer, bad, &PadesOptions::new()).await.is_err());
    }
    // Too small a placeholder.
    let err = sign_pdf(&signer, &classic_pdf(), &PadesOptions::new().contents_size(100))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reserved"), "{err}");
    // Outside the certificate's validity.
    let early = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    assert!(
        sign_pdf(&signer, &classic_pdf(), &PadesOptions::new().time(early))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn verifier_survives_every_truncation_and_garbage() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    assert!(verify_pdf(b"not a pdf", &opts()).is_err());
    let step = (signed.len() / 150).max(1);
    for cut in (0..signed.len()).step_by(step) {
        if let Ok(report) = verify_pdf(&signed[..cut], &opts()) {
            assert!(!report.all_valid(), "truncated at {cut} still valid");
        }
    }
}

fn local_tsa(e: &common::Entity) -> LocalTsa {
    LocalTsa::new(Box::new(key(e)))
}

#[tokio::test]
async fn b_t_signature_time_stamp_from_an_in_process_tsa() {
    let pki = common::pki();
    let signed = sign_pdf_timestamped(
        &key(&pki.seal),
        &local_tsa(&pki.tsa),
        &classic_pdf(),
        &PadesOptions::new(),
    )
    .await
    .unwrap();
    let report = verify_pdf(&signed, &opts()).unwrap();
    let s = only(&report);
    assert_eq!(s.status, SignatureStatus::Valid, "{s:#?}");
    assert_eq!(s.level, Some(PadesLevel::BT));
    assert_eq!(
        s.timestamp_authority.as_deref(),
        Some("CN=Test TSA,O=Test Kanton Muster,C=CH")
    );
    let ts = s.timestamp.clone().unwrap();
    assert_eq!((ts.len(), &ts[10..11], &ts[19..]), (20, "T", "Z"), "{ts}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["signatures"][0]["level"], "B-T");

    // A further signature keeps the time-stamped one valid.
    let two = seal(&signed, &PadesOptions::new()).await;
    assert!(verify_pdf(&two, &opts()).unwrap().all_valid());
}

#[tokio::test]
async fn tsa_without_time_stamping_usage_is_refused() {
    let pki = common::pki();
    let err = sign_pdf_timestamped(
        &key(&pki.seal),
        &local_tsa(&pki.seal),
        &classic_pdf(),
        &PadesOptions::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::TimeStamp(_)), "{err}");
    assert!(err.to_string().contains("id-kp-timeStamping"), "{err}");
}

/// A TSA that time-stamps something else than what it was asked for.
struct WrongImprint(LocalTsa);

#[async_trait::async_trait]
impl TimeStamper for WrongImprint {
    async fn stamp(&self, request: &[u8]) -> Result<Vec<u8>, Error> {
        let mut req = request.to_vec();
        // The imprint is the 32 bytes after the OCTET STRING header 04 20.
        let at = req.windows(2).position(|w| w == [0x04, 0x20]).unwrap() + 2;
        req[at] ^= 0xff;
        self.0.stamp(&req).await
    }
}

/// A TSA that answers with garbage.
struct Garbage;

#[async_trait::async_trait]
impl TimeStamper for Garbage {
    async fn stamp(&self, _request: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(b"<html>503</html>".to_vec())
    }
}

#[tokio::test]
async fn wrong_or_broken_tsa_answers_are_refused() {
    let pki = common::pki();
    let err = sign_pdf_timestamped(
        &key(&pki.seal),
        &WrongImprint(local_tsa(&pki.tsa)),
        &classic_pdf(),
        &PadesOptions::new(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("imprint"), "{err}");
    let err = sign_pdf_timestamped(&key(&pki.seal), &Garbage, &classic_pdf(), &PadesOptions::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("TimeStampResp"), "{err}");
}

#[tokio::test]
async fn tampered_time_stamp_token_makes_the_signature_invalid() {
    let pki = common::pki();
    let signed = sign_pdf_timestamped(
        &key(&pki.seal),
        &local_tsa(&pki.tsa),
        &classic_pdf(),
        &PadesOptions::new(),
    )
    .await
    .unwrap();
    let [_, b, _, _] = byte_range(&signed, 0);
    // The CMS is SEQUENCE 30 82 hh ll; the token is the last unsigned attribute, so its TSA
    // signature value ends the CMS. Flip the last byte of the CMS.
    let hex = |at: usize| u8::from_str_radix(std::str::from_utf8(&signed[at..at + 2]).unwrap(), 16).unwrap();
    assert_eq!((hex(b + 1), hex(b + 3)), (0x30, 0x82));
    let len = 4 + (usize::from(hex(b + 5)) << 8 | usize::from(hex(b + 7)));
    let last = b + 1 + 2 * (len - 1);
    let mut tampered = signed.clone();
    let flipped = format!("{:02X}", hex(last) ^ 0x01);
    tampered[last..last + 2].copy_from_slice(flipped.as_bytes());
    let report = verify_pdf(&tampered, &opts()).unwrap();
    let reason = invalid_reason(&only(&report).status).to_string();
    assert!(
        reason.contains("signature value is invalid") && reason.contains("Test TSA"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_flipped_byte_outside_contents_is_never_valid() {
    let signed = seal(&classic_pdf(), &PadesOptions::new()).await;
    let [_, b, c, _] = byte_range(&signed, 0);
    for at in (0..signed.len()).step_by(53).filter(|&at| at < b || at >= c) {
        let mut t = signed.clone();
        t[at] ^= 0x20;
        if let Ok(report) = verify_pdf(&t, &opts()) {
            assert!(
                !report.all_valid(),
                "byte {at} ({:?}) flipped and still valid",
                char::from(signed[at])
            );
        }
    }
}

#[tokio::test]
async fn visible_signature_box_with_signer_time_and_reason() {
    let options = PadesOptions::new()
        .visible(1, [350.0, 40.0, 560.0, 110.0])
        .reason("Behördensiegel")
        .time(t0());
    let signed = seal(&classic_pdf(), &options).await;
    let tail = signed[classic_pdf().len()..].to_vec();
    let has = |needle: &[u8]| tail.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/Rect [350 40 560 110]"));
    assert!(has(b"/BBox [0 0 210 70]"));
    assert!(has(b"/BaseFont /Helvetica"));
    assert!(has(b"(Gemeinde Musterdorf Siegel) Tj"));
    assert!(has(b"(2026-05-28 20:26:40 UTC) Tj"));
    assert!(has(b"(Beh\xF6rdensiegel) Tj"), "WinAnsi umlaut");
    assert!(verify_pdf(&signed, &opts()).unwrap().all_valid());

    let signer = key(&common::pki().seal);
    let err = sign_pdf(
        &signer,
        &classic_pdf(),
        &PadesOptions::new().visible(2, [0.0, 0.0, 10.0, 10.0]),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no page 2"), "{err}");
    let err = sign_pdf(
        &signer,
        &classic_pdf(),
        &PadesOptions::new().visible(1, [5.0, 5.0, 5.0, 90.0]),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("rectangle"), "{err}");
}
