//! `egov qrbill`, `egov camt` and `egov pain` as a user runs them, on files written here.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn egov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(args)
        .output()
        .expect("run egov")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8")
}

/// A fresh directory under the system temp dir.
fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "egov-cli-pay-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A QR-bill payload (IG v2.3 layout, 31 lines) with a QR-IBAN and a QR reference.
fn payload(creditor_postal_code: &str) -> String {
    [
        "SPC",
        "0200",
        "1",
        "CH4431999123000889012",
        "S",
        "Gemeinde Muster",
        "Dorfstrasse",
        "1",
        creditor_postal_code,
        "Seldwyla",
        "CH",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "1949.75",
        "CHF",
        "S",
        "Pia Rutschmann",
        "Marktgasse",
        "28",
        "9400",
        "Rorschach",
        "CH",
        "QRR",
        "210000000003139471430009017",
        "Hundesteuer 2026",
        "EPD",
    ]
    .join("\r\n")
}

#[test]
fn qrbill_validate_valid_and_invalid_files() {
    let dir = temp_dir();
    let good = write(&dir, "good.txt", &payload("8000"));
    let bad = write(&dir, "bad.txt", &payload(""));
    let o = egov(&["qrbill", "validate", &good]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(stdout(&o), format!("{good}: valid\n"));

    let o = egov(&["qrbill", "validate", "--language", "fr", &good, &bad]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains(&format!("{bad}: INVALID")), "{text}");
    assert!(
        text.contains("line 9 (CdtrInf/Cdtr/PstCd): numéro postal (bénéficiaire): manque"),
        "{text}"
    );

    let o = egov(&["--json", "qrbill", "validate", &good, &bad]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[1]["errors"][0]["field"], "CdtrInf/Cdtr/PstCd");
    assert_eq!(v[1]["errors"][0]["line"], 9);

    // A file that is not there is an I/O error.
    assert_eq!(
        egov(&["qrbill", "validate", "/no/such/file.txt"]).status.code(),
        Some(2)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn qrbill_decode_prints_the_bill_as_json() {
    let dir = temp_dir();
    let file = write(&dir, "bill.txt", &payload("8000"));
    let o = egov(&["qrbill", "decode", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["account"], "CH4431999123000889012");
    assert_eq!(v["amount"], "1949.75");
    assert_eq!(v["creditor"]["town"], "Seldwyla");
    assert_eq!(v["reference"]["type"], "QRR");
    assert_eq!(v["unstructured_message"], "Hundesteuer 2026");

    let bad = write(&dir, "bad.txt", &payload(""));
    let o = egov(&["qrbill", "decode", "--language", "de", &bad]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line 9: Postleitzahl (Zahlungsempfänger): fehlt"),
        "{}",
        stderr(&o)
    );

    let image = write(&dir, "bill.PNG", "not really an image");
    let o = egov(&["qrbill", "decode", &image]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("image decoding is not available yet"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn qrbill_render_svg_and_pdf_from_payload_and_json() {
    let dir = temp_dir();
    let file = write(&dir, "bill.txt", &payload("8000"));
    let svg = dir.join("bill.svg");
    let o = egov(&[
        "qrbill",
        "render",
        &file,
        "-o",
        svg.to_str().unwrap(),
        "--language",
        "fr",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("width"), Some("210mm"), "{text:.300}");
    assert_eq!(root.attribute("height"), Some("105mm"));
    let words: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("Récépissé"), "{words}");
    assert!(words.contains("Section paiement"), "{words}");
    assert!(words.contains("Pia Rutschmann"), "{words}");

    // The JSON that `decode` prints renders the same bill, on an A4 page as PDF.
    let o = egov(&["qrbill", "decode", &file]);
    let json = write(&dir, "bill.json", &stdout(&o));
    let pdf = dir.join("bill.pdf");
    let o = egov(&["qrbill", "render", &json, "-o", pdf.to_str().unwrap(), "--a4"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // A4 in points: 595.28 × 841.89.
    let head = String::from_utf8_lossy(&bytes);
    assert!(head.contains("/MediaBox [0 0 595.2"), "{head:.400}");

    // An invalid bill is refused with the field named, and a wrong output type is a usage error.
    let bad = write(&dir, "bad.txt", &payload(""));
    let o = egov(&[
        "qrbill",
        "render",
        &bad,
        "-o",
        svg.to_str().unwrap(),
        "--language",
        "en",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).to_lowercase().contains("postal code"),
        "{}",
        stderr(&o)
    );
    let o = egov(&[
        "qrbill",
        "render",
        &file,
        "-o",
        dir.join("bill.docx").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn qrbill_reference_qr_and_scor() {
    let o = egov(&[
        "qrbill",
        "reference",
        "qr",
        "2026000042",
        "--customer-id",
        "310014",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let compact = lines[1];
    assert_eq!(compact.len(), 27);
    assert!(
        compact.starts_with("310014") && compact[..26].ends_with("2026000042"),
        "{compact}"
    );
    // The check digit is right: egov-core parses it back, and the grouped form is the same.
    let parsed: egov_core::QrReference = compact.parse().unwrap();
    assert_eq!(parsed.to_string(), lines[0]);

    let o = egov(&["--json", "qrbill", "reference", "scor", "539007547034"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["type"], "SCOR");
    assert!(
        v["reference"]
            .as_str()
            .unwrap()
            .parse::<egov_core::CreditorReference>()
            .is_ok()
    );
    assert_eq!(
        v["reference"]
            .as_str()
            .unwrap()
            .parse::<egov_core::CreditorReference>()
            .unwrap()
            .body(),
        "539007547034"
    );

    assert_eq!(egov(&["qrbill", "reference", "qr", "12a"]).status.code(), Some(1));
    assert_eq!(
        egov(&["qrbill", "reference", "scor", "ÄÖ"]).status.code(),
        Some(1)
    );
    assert_eq!(egov(&["qrbill", "reference", "iban", "1"]).status.code(), Some(2));
}

const QRR: &str = "210000000003139471430009017";
const SCOR: &str = "RF18539007547034";

/// A camt.054.001.08 with a batch of two QR credits, a SCOR credit and a debit.
fn camt054() -> String {
    let tx = |amount: &str, reference: &str, name: &str| {
        format!(
            "<TxDtls><Amt Ccy=\"CHF\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>\
             <RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr></RltdPties>\
             <RmtInf><Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>"
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>M</MsgId></GrpHdr><Ntfctn><Id>N</Id><Acct><Id><IBAN>CH4431999123000889012</IBAN></Id></Acct>
<Ntry><Amt Ccy="CHF">150.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-01-15</Dt></BookgDt>
<AcctSvcrRef>E1</AcctSvcrRef><NtryDtls>{}{}</NtryDtls></Ntry>
<Ntry><Amt Ccy="CHF">20.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-01-16</Dt></BookgDt>
<AcctSvcrRef>E2</AcctSvcrRef><NtryDtls>{}</NtryDtls></Ntry>
<Ntry><Amt Ccy="CHF">3.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-01-16</Dt></BookgDt>
<AcctSvcrRef>E3</AcctSvcrRef></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#,
        tx("100.00", QRR, "Pia Rutschmann"),
        tx("50.00", QRR, "Pia Rutschmann"),
        tx("20.00", SCOR, "Max Muster")
    )
}

#[test]
fn camt_list_prints_one_line_per_credit() {
    let dir = temp_dir();
    let file = write(&dir, "camt054.xml", &camt054());
    let o = egov(&["camt", "list", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let words: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(&words[..4], ["2026-01-15", "100.00", "CHF", QRR]);
    let words: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(&words[..4], ["2026-01-16", "20.00", "CHF", SCOR]);

    let o = egov(&["camt", "list", "--json", &file]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[1]["amount"], "50.00");
    assert_eq!(v[1]["reference_type"], "QRR");
    assert_eq!(v[1]["entry_reference"], "E1");
    assert_eq!(v[1]["transaction"], 1);

    // A DOCTYPE is refused as invalid input, with the reason.
    let evil = write(
        &dir,
        "evil.xml",
        &camt054().replace("<Document ", "<!DOCTYPE Document []>\n<Document "),
    );
    let o = egov(&["camt", "list", &evil]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("DOCTYPE"), "{}", stderr(&o));
    // A truncated file says where it ends.
    let cut = camt054();
    let truncated = write(&dir, "cut.xml", &cut[..cut.find("<AcctSvcrRef>E2").unwrap()]);
    let o = egov(&["camt", "list", &truncated]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
    assert_eq!(egov(&["camt", "list", "/no/such.xml"]).status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn camt_reconcile_with_an_invoice_csv() {
    let dir = temp_dir();
    let file = write(&dir, "camt054.xml", &camt054());
    let invoices = write(
        &dir,
        "open.csv",
        "invoice_id,reference,amount,currency\n\
             HT-1,21 00000 00003 13947 14300 09017,120.00,CHF\n\
             HT-2,\"rf18 5390 0754 7034\",20,CHF\n\
             HT-3,RF471234567890,10.00,CHF\n",
    );
    let o = egov(&["camt", "reconcile", &file, "--invoices", &invoices]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("partly paid, 20.00 outstanding [invoice HT-1]"),
        "{text}"
    );
    assert!(text.contains("overpaid by 30.00 [invoice HT-1]"), "{text}");
    assert!(
        text.contains("HT-1  210000000003139471430009017  paid 150.00 of 120.00 CHF: overpaid"),
        "{text}"
    );
    assert!(
        text.contains("HT-2  RF18539007547034  paid 20.00 of 20 CHF: paid"),
        "{text}"
    );
    assert!(
        text.contains("HT-3  RF471234567890  paid 0 of 10.00 CHF: open"),
        "{text}"
    );

    let o = egov(&["--json", "camt", "reconcile", &file, "--invoices", &invoices]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let statuses: Vec<&str> = v["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["partly_paid", "overpaid", "paid"]);
    assert_eq!(v["invoices"][0]["status"], "overpaid");

    let bad_header = write(&dir, "bad.csv", "id,ref,amount,currency\nA,1,2,CHF\n");
    let o = egov(&["camt", "reconcile", &file, "--invoices", &bad_header]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("invoice_id,reference,amount,currency"),
        "{}",
        stderr(&o)
    );
    let bad_amount = write(
        &dir,
        "amount.csv",
        "invoice_id,reference,amount,currency\nA,RF18539007547034,12.3.4,CHF\n",
    );
    let o = egov(&["camt", "reconcile", &file, "--invoices", &bad_amount]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line 2: amount"), "{}", stderr(&o));
    assert_eq!(egov(&["camt", "reconcile", &file]).status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

const PAYMENTS_HEADER: &str = "end_to_end_id,creditor_name,street,building_number,postal_code,town,country,iban,amount,currency,reference,message\n";

#[test]
fn pain_transfer_writes_the_xml() {
    let dir = temp_dir();
    let csv = write(
        &dir,
        "payments.csv",
        &format!(
            "{PAYMENTS_HEADER}\
             R-1,Anna Beispiel,Weg,3,8000,Seldwyla,CH,CH56 0483 5012 3456 7800 9,120.50,CHF,,Rückerstattung Hundesteuer\n\
             R-2,\"Muster, Max\",,,9400,Rorschach,CH,CH4431999123000889012,1949.75,CHF,{QRR},\n"
        ),
    );
    let out = dir.join("pain001.xml");
    let out_str = out.to_str().unwrap();
    let o = egov(&[
        "pain",
        "transfer",
        &csv,
        "--debtor-iban",
        "CH93 0076 2011 6238 5295 7",
        "--debtor-name",
        "Gemeinde Muster",
        "--execution-date",
        "2026-02-02",
        "--message-id",
        "REFUND-1",
        "-o",
        out_str,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2 payments, control sum 2070.25"),
        "{}",
        stdout(&o)
    );
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">"));
    assert!(xml.contains("<MsgId>REFUND-1</MsgId>"));
    assert!(xml.contains("<NbOfTxs>2</NbOfTxs>"));
    assert!(xml.contains("<CtrlSum>2070.25</CtrlSum>"));
    assert!(xml.contains("<Dt>2026-02-02</Dt>"));
    assert!(xml.contains("<Nm>Muster, Max</Nm>"));
    assert!(xml.contains("<Ustrd>Rückerstattung Hundesteuer</Ustrd>"));
    assert!(xml.contains(&format!("<Ref>{QRR}</Ref>")));

    // Standard output.
    let o = egov(&[
        "pain",
        "transfer",
        &csv,
        "--debtor-iban",
        "CH9300762011623852957",
        "--debtor-name",
        "G",
        "-o",
        "-",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("<?xml"));

    // Errors name the CSV line; nothing is written.
    let bad = write(
        &dir,
        "bad.csv",
        &format!(
            "{PAYMENTS_HEADER}\
             R-1,Anna,Weg,3,8000,Seldwyla,CH,CH56 0483 5012 3456 7800 8,1.00,CHF,,\n\
             R-2,Max,,,9400,Rorschach,CH,CH5604835012345678009,5.00,CHF,{QRR},\n"
        ),
    );
    let bad_out = dir.join("bad.xml");
    let o = egov(&[
        "pain",
        "transfer",
        &bad,
        "--debtor-iban",
        "CH9300762011623852957",
        "--debtor-name",
        "G",
        "-o",
        bad_out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("line 2: iban"), "{err}");
    assert!(err.contains("needs a QR-IBAN"), "{err}");
    assert!(!bad_out.exists());
    // -o is required.
    assert_eq!(
        egov(&[
            "pain",
            "transfer",
            &csv,
            "--debtor-iban",
            "CH9300762011623852957",
            "--debtor-name",
            "G"
        ])
        .status
        .code(),
        Some(2)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
