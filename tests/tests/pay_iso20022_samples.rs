//! egov-pay ISO 20022 against the shared data of `pay/iso20022`: every camt bank sample parses
//! (the deliberately invalid one is refused), with entry counts and sums checked by an
//! independent text scan; the synthetic camt.054.001.08 with the SIX QR references reconciles;
//! our pain.001.001.09.ch.03 validates with `xmllint --schema`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use egov_interop::{peer, read_shared, shared_dir};
use egov_pay::camt::{CamtError, CamtReader, Entry, MessageKind, RemittanceReference, Version};
use egov_pay::chrono::NaiveDate;
use egov_pay::pain::{CreditTransfer, Payment, PostalAddress, Remittance};
use egov_pay::reconcile::{InvoiceStatus, Ledger, OpenInvoice, Reconciler, TransactionStatus};
use egov_pay::rust_decimal::Decimal;

const IGNORE: &str = "interop: reads ../shared; run tests/run-interop.sh";

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The independent count: the text between `<Ntry>` and `</Ntry>`, the first `<Amt …>` in it
/// (the entry amount precedes the details in every version), and the number of `<TxDtls>`.
fn scan(xml: &str) -> (usize, Decimal, usize) {
    let mut count = 0;
    let mut sum = Decimal::ZERO;
    let mut details = 0;
    for block in xml.split("<Ntry>").skip(1) {
        let block = block.split("</Ntry>").next().unwrap();
        count += 1;
        let amt = &block[block.find("<Amt ").unwrap()..];
        let value = &amt[amt.find('>').unwrap() + 1..amt.find("</Amt>").unwrap()];
        sum += dec(value.trim());
        details += block.matches("<TxDtls>").count();
    }
    (count, sum, details)
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn every_camt_sample_parses_and_matches_an_independent_count() {
    let _ = IGNORE;
    let dir = shared_dir().join("pay/iso20022/samples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("camt05") || n.contains("camt.05"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 12, "{names:?}");
    let mut checked = 0;
    for name in &names {
        let path = dir.join(name);
        let mut reader = CamtReader::open(&path).unwrap();
        let result: Result<Vec<Entry>, CamtError> = reader.by_ref().collect();
        if name.contains("INVALID") {
            // `<Document/>` without namespace or notification: refused, not read as empty.
            let err = result.unwrap_err();
            assert!(matches!(err, CamtError::NotCamt { .. }), "{name}: {err}");
            continue;
        }
        let entries = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let info = reader.message().unwrap();
        let expected_kind = if name.contains("camt053") {
            MessageKind::Camt053
        } else {
            MessageKind::Camt054
        };
        assert_eq!(info.kind, expected_kind, "{name}");
        let expected_version = if name.contains("001.08") || name.contains("v00108") {
            Version::V08
        } else {
            Version::V04
        };
        assert_eq!(info.version, expected_version, "{name}");

        let xml = std::fs::read_to_string(&path).unwrap();
        let (count, sum, details) = scan(&xml);
        assert!(count > 0, "{name}");
        assert_eq!(entries.len(), count, "{name}: entries");
        let ours: Decimal = entries.iter().map(|e| e.amount.value).sum();
        assert_eq!(ours, sum, "{name}: sum of entry amounts");
        let with_details: usize = entries
            .iter()
            .flat_map(|e| &e.transactions)
            .filter(|t| t.details)
            .count();
        assert_eq!(with_details, details, "{name}: transactions");
        for e in &entries {
            assert!(e.account.is_some(), "{name}: account");
            if let Some(n) = e.batch_count {
                assert_eq!(n as usize, e.transactions.len(), "{name}: batch NbOfTxs");
            }
            // Batch split: the transactions of a credit add up to the entry.
            if e.transactions.len() > 1 {
                let split: Decimal = e.transactions.iter().map(|t| t.amount.value).sum();
                assert_eq!(split, e.amount.value, "{name}: batch {:?}", e.bank_reference);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn postfinance_samples_details() {
    // camt.054.001.08 (v2019): QR references typed, debtor with structured address.
    let xml = read_shared(
        "pay/iso20022/samples/dvbern__camt054_v00108__200519_camt.054_P_CH2909000000250094239_1111091335_0_2020061900081727_v2019.xml",
    );
    let entries = egov_pay::camt::parse_str(&xml).unwrap();
    let tx = &entries[0].transactions[0];
    assert!(
        matches!(&tx.reference, Some(RemittanceReference::Qr(r)) if r.as_str() == "539115429773825311971477453")
    );
    assert_eq!(
        tx.end_to_end_id.as_deref(),
        Some("1006265-aic5dL-75dzf3jk9-cf2d5e9")
    );
    let debtor = tx.debtor.as_ref().unwrap();
    assert_eq!(debtor.name.as_deref(), Some("Bernasconi Maria"));
    assert_eq!(
        debtor.address.as_ref().unwrap().town.as_deref(),
        Some("Biel/Bienne")
    );
    assert_eq!(entries[0].booking_date, NaiveDate::from_ymd_opt(2020, 6, 18));

    // The camt.053.001.04 statement has charges on its entries.
    let xml = read_shared(
        "pay/iso20022/samples/dvbern__camt053_v00104__camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml",
    );
    let entries = egov_pay::camt::parse_str(&xml).unwrap();
    let charges: usize = entries
        .iter()
        .map(|e| {
            e.charges.records.len()
                + e.transactions
                    .iter()
                    .map(|t| t.charges.records.len())
                    .sum::<usize>()
        })
        .sum();
    assert_eq!(charges, xml.matches("<Rcrd>").count());

    // The reversal sample: entries with RvslInd true are flagged.
    let xml = read_shared(
        "pay/iso20022/samples/dvbern__camt054_v00104__camt_054_Beispiel_NoCrdtBookedNotReversed.xml",
    );
    let entries = egov_pay::camt::parse_str(&xml).unwrap();
    assert_eq!(
        entries.iter().filter(|e| e.reversal).count(),
        xml.matches("<RvslInd>true</RvslInd>").count()
    );
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn synthetic_six_qrr_file_reconciles() {
    let xml = read_shared("pay/iso20022/samples/synthetic__camt.054.001.08__qrr_six_examples.xml");
    let entries = egov_pay::camt::parse_str(&xml).unwrap();
    // Every reference in the file, read independently.
    let refs: Vec<&str> = xml
        .split("<Ref>")
        .skip(1)
        .map(|s| s.split("</Ref>").next().unwrap())
        .collect();
    assert_eq!(refs.len(), 3);
    let (ex2, ex1) = (refs[0], refs[1]);
    assert_eq!(refs[2], ex1, "the second credit on the same reference");

    // The invoice of example 1 over the amount of its first credit: paid, then a duplicate.
    let first_credit = entries[1].transactions[0].amount.value;
    let invoices = vec![
        OpenInvoice::new("EX1", ex1, first_credit, "CHF"),
        OpenInvoice::new("EX2", ex2, dec("50.00"), "CHF"),
    ];
    let reconciler = Reconciler::new(invoices).unwrap();
    let mut ledger = Ledger::new();
    let report = reconciler.import(&mut ledger, entries.clone()).unwrap();
    let statuses: Vec<_> = report.transactions.iter().map(|t| t.status.clone()).collect();
    assert_eq!(
        statuses,
        vec![
            TransactionStatus::Paid,
            TransactionStatus::Paid,
            TransactionStatus::Duplicate
        ]
    );
    let ex1_report = &report.invoices[0];
    assert_eq!(ex1_report.status, InvoiceStatus::Overpaid);
    assert!(ex1_report.duplicate);
    assert_eq!(ex1_report.payments, 2);
    assert_eq!(report.invoices[1].status, InvoiceStatus::Paid);

    // The same file again books nothing.
    let again = reconciler.import(&mut ledger, entries.clone()).unwrap();
    assert!(
        again
            .transactions
            .iter()
            .all(|t| t.status == TransactionStatus::AlreadyImported)
    );
    assert_eq!(again.invoices, report.invoices);

    // The invoice of example 1 over both credits: partly paid, then paid.
    let total = entries[1].amount.value;
    let reconciler = Reconciler::new(vec![OpenInvoice::new("EX1", ex1, total, "CHF")]).unwrap();
    let report = reconciler.import(&mut Ledger::new(), entries).unwrap();
    let statuses: Vec<_> = report.transactions.iter().map(|t| t.status.clone()).collect();
    assert_eq!(
        statuses,
        vec![
            TransactionStatus::UnknownReference,
            TransactionStatus::PartlyPaid {
                outstanding: total - first_credit
            },
            TransactionStatus::Paid
        ]
    );
    assert_eq!(report.invoices[0].status, InvoiceStatus::Paid);
}

fn xmllint(xsd: &Path, file: &Path) -> std::process::Output {
    Command::new(peer("xmllint"))
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(file)
        .output()
        .unwrap()
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn our_pain001_validates_against_the_swiss_xsd() {
    let xsd = shared_dir().join("pay/iso20022/xsd/erpnextswiss__pain.001.001.09.ch.03.xsd");
    let mut t = CreditTransfer::new(
        "EGOV-INTEROP-1",
        "Gemeinde Muster",
        "CH93 0076 2011 6238 5295 7".parse().unwrap(),
        NaiveDate::from_ymd_opt(2026, 2, 2).unwrap(),
    );
    t.created = NaiveDate::from_ymd_opt(2026, 1, 31)
        .unwrap()
        .and_hms_opt(8, 30, 0)
        .unwrap();
    t.debtor_address = Some(PostalAddress::new("8000", "Seldwyla", "CH").with_street("Dorfstrasse", "1"));
    let creditor = |id: &str, amount: &str, currency: &str, iban: &str, remittance| Payment {
        end_to_end_id: id.into(),
        amount: dec(amount),
        currency: currency.into(),
        creditor_name: "Pia-Maria Rutschmann-Schnyder & Söhne".into(),
        creditor_address: Some(
            PostalAddress::new("9400", "Rorschach", "CH").with_street("Grosse Marktgasse", "28"),
        ),
        creditor_account: iban.parse().unwrap(),
        remittance,
    };
    t.payments = vec![
        creditor(
            "R-1",
            "120.50",
            "CHF",
            "CH5604835012345678009",
            Remittance::Unstructured("Rückerstattung <Gebühr>".into()),
        ),
        creditor(
            "R-2",
            "1949.75",
            "CHF",
            "CH4431999123000889012",
            Remittance::Qr("210000000003139471430009017".parse().unwrap()),
        ),
        creditor(
            "R-3",
            "99.9",
            "EUR",
            "CH5604835012345678009",
            Remittance::Creditor("RF18539007547034".parse().unwrap()),
        ),
        creditor("R-4", "1", "CHF", "CH5604835012345678009", Remittance::None),
    ];
    let xml = t.to_xml().unwrap();
    let dir = std::env::temp_dir().join(format!("egov-pain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pain001.xml");
    std::fs::write(&file, &xml).unwrap();
    let out = xmllint(&xsd, &file);
    assert!(
        out.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );

    // With a BIC instead of the IID.
    t.debtor_bic = Some("POFICHBEXXX".into());
    std::fs::write(&file, t.to_xml().unwrap()).unwrap();
    let out = xmllint(&xsd, &file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Control: the validator does reject a broken document (no MsgId).
    let broken = xml.replace("<MsgId>EGOV-INTEROP-1</MsgId>", "");
    std::fs::write(&file, broken).unwrap();
    assert!(!xmllint(&xsd, &file).status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}
