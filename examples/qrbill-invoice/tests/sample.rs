//! Runs the program on the shipped sample invoice and on a broken one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use egov_core::Language;
use egov_pay::qrbill::{QrBill, Separator};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/invoice.json");

#[test]
fn the_sample_becomes_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bill.pdf");
    let run = Command::new(env!("CARGO_BIN_EXE_qrbill-invoice"))
        .args([SAMPLE, "-o", out.to_str().unwrap(), "--language", "fr"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // French headings (the PDF's base-14 font writes the text as it is).
    assert!(String::from_utf8_lossy(&pdf).contains("Section paiement"));
    assert!(String::from_utf8_lossy(&run.stdout).contains("bill.pdf written"));
}

#[test]
fn the_payload_round_trips() {
    let json = std::fs::read_to_string(SAMPLE).unwrap();
    let bill = qrbill_invoice::bill_from_json(&json, Language::De).unwrap();
    // The payload egov-pay puts into the QR code (CR+LF), decoded again.
    let payload = bill.encode(Separator::CrLf).unwrap();
    let decoded = QrBill::decode(&payload).unwrap();
    assert_eq!(decoded.bill, bill);
    assert!(decoded.warnings.is_empty());
    // And it says what the invoice says.
    let invoice: serde_json::Value = serde_json::from_str(&json).unwrap();
    let back = decoded.bill;
    assert_eq!(
        back.amount.unwrap().to_string(),
        invoice["amount"].as_str().unwrap()
    );
    assert_eq!(back.creditor.name, invoice["creditor"]["name"].as_str().unwrap());
    assert_eq!(
        back.account.as_str(),
        invoice["creditor"]["iban"].as_str().unwrap().replace(' ', "")
    );
    assert_eq!(
        back.ultimate_debtor.unwrap().town,
        invoice["debtor"]["town"].as_str().unwrap()
    );
    assert_eq!(back.unstructured_message.as_deref(), invoice["message"].as_str());
    let reference = back.reference.as_str().unwrap().to_owned();
    let digits: String = invoice["invoice_number"]
        .as_str()
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert!(reference[..26].ends_with(&digits), "{reference}");
    assert!(reference.parse::<egov_core::QrReference>().is_ok());
}

#[test]
fn a_bad_invoice_exits_1_naming_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    let json = std::fs::read_to_string(SAMPLE)
        .unwrap()
        .replace("245.50", "-5")
        .replace("CH44 3199 9123 0008 8901 2", "CH44 3199 9123 0008 8901 3");
    std::fs::write(&bad, json).unwrap();
    let out = dir.path().join("bill.pdf");
    let run = Command::new(env!("CARGO_BIN_EXE_qrbill-invoice"))
        .args([bad.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("error: creditor.iban:"), "{stderr}");
    assert!(stderr.contains("error: amount:"), "{stderr}");
    assert!(!out.exists(), "no PDF for a bad invoice");
}
