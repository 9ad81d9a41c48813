//! Reconciliation cases on small camt.054 documents written here.

use super::*;
use crate::camt::parse_str;

const QRR_A: &str = "210000000003139471430009017";
const SCOR_B: &str = "RF18539007547034";

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// An entry (`ref_` = bank entry reference) with one transaction per `(amount, reference)`.
fn entry(
    bank_ref: &str,
    direction: &str,
    reversal: bool,
    status: &str,
    txs: &[(&str, Option<&str>)],
) -> String {
    let total: Decimal = txs.iter().map(|(a, _)| dec(a)).sum();
    let details: String = txs
        .iter()
        .map(|(amount, reference)| {
            let rmt = reference
                .map(|r| format!("<RmtInf><Strd><CdtrRefInf><Ref>{r}</Ref></CdtrRefInf></Strd></RmtInf>"))
                .unwrap_or_default();
            format!(
                "<TxDtls><Amt Ccy=\"CHF\">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>\
                 <RltdPties><Dbtr><Pty><Nm>Payer</Nm></Pty></Dbtr></RltdPties>{rmt}</TxDtls>"
            )
        })
        .collect();
    format!(
        "<Ntry><Amt Ccy=\"CHF\">{total}</Amt><CdtDbtInd>{direction}</CdtDbtInd><RvslInd>{reversal}</RvslInd>\
         <Sts><Cd>{status}</Cd></Sts><BookgDt><Dt>2026-01-15</Dt></BookgDt><AcctSvcrRef>{bank_ref}</AcctSvcrRef>\
         <NtryDtls>{details}</NtryDtls></Ntry>"
    )
}

fn credit(bank_ref: &str, txs: &[(&str, Option<&str>)]) -> String {
    entry(bank_ref, "CRDT", false, "BOOK", txs)
}

fn doc(entries: &[String]) -> Vec<Entry> {
    let xml = format!(
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"><BkToCstmrDbtCdtNtfctn>\
         <GrpHdr><MsgId>M</MsgId></GrpHdr><Ntfctn><Id>N</Id>{}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>",
        entries.concat()
    );
    parse_str(&xml).unwrap()
}

fn reconciler() -> Reconciler {
    Reconciler::new(vec![
        OpenInvoice::new("A", "21 00000 00003 13947 14300 09017", dec("100.00"), "CHF"),
        OpenInvoice::new("B", "rf18 5390 0754 7034", dec("50.00"), "CHF"),
    ])
    .unwrap()
}

fn statuses(report: &Report) -> Vec<TransactionStatus> {
    report.transactions.iter().map(|t| t.status.clone()).collect()
}

fn invoice<'a>(report: &'a Report, id: &str) -> &'a InvoiceReport {
    report.invoices.iter().find(|i| i.id == id).unwrap()
}

#[test]
fn paid_exactly() {
    let mut ledger = Ledger::new();
    let report = reconciler()
        .import(&mut ledger, doc(&[credit("E1", &[("100.00", Some(QRR_A))])]))
        .unwrap();
    assert_eq!(statuses(&report), vec![TransactionStatus::Paid]);
    let t = &report.transactions[0];
    assert_eq!(t.invoice.as_deref(), Some("A"));
    assert_eq!(
        t.key,
        BookingKey {
            entry: "E1".into(),
            transaction: 0
        }
    );
    assert_eq!(t.debtor.as_deref(), Some("Payer"));
    let a = invoice(&report, "A");
    assert_eq!(
        (a.status, a.paid, a.payments, a.duplicate),
        (InvoiceStatus::Paid, dec("100.00"), 1, false)
    );
    assert_eq!(invoice(&report, "B").status, InvoiceStatus::Open);
}

#[test]
fn scor_matches_ignoring_case_and_spaces() {
    let mut ledger = Ledger::new();
    let report = reconciler()
        .import(
            &mut ledger,
            doc(&[credit("E1", &[("50.00", Some("RF18 5390 0754 7034"))])]),
        )
        .unwrap();
    assert_eq!(statuses(&report), vec![TransactionStatus::Paid]);
    assert_eq!(invoice(&report, "B").status, InvoiceStatus::Paid);
    // A lower-case SCOR that is not a valid creditor reference still matches by its text.
    let r = Reconciler::new(vec![OpenInvoice::new("C", "INV 42", dec("5"), "CHF")]).unwrap();
    let report = r
        .import(
            &mut Ledger::new(),
            doc(&[credit("E2", &[("5.00", Some("inv42"))])]),
        )
        .unwrap();
    assert_eq!(statuses(&report), vec![TransactionStatus::Paid]);
}

#[test]
fn partly_paid_then_paid() {
    let mut ledger = Ledger::new();
    let r = reconciler();
    let report = r
        .import(&mut ledger, doc(&[credit("E1", &[("60.00", Some(QRR_A))])]))
        .unwrap();
    assert_eq!(
        statuses(&report),
        vec![TransactionStatus::PartlyPaid {
            outstanding: dec("40.00")
        }]
    );
    assert_eq!(invoice(&report, "A").status, InvoiceStatus::PartlyPaid);
    let report = r
        .import(&mut ledger, doc(&[credit("E2", &[("40.00", Some(QRR_A))])]))
        .unwrap();
    assert_eq!(statuses(&report), vec![TransactionStatus::Paid]);
    let a = invoice(&report, "A");
    assert_eq!(
        (a.status, a.paid, a.payments, a.duplicate),
        (InvoiceStatus::Paid, dec("100.00"), 2, false)
    );
}

#[test]
fn overpaid() {
    let mut ledger = Ledger::new();
    let report = reconciler()
        .import(
            &mut ledger,
            doc(&[credit("E1", &[("30.00", Some(QRR_A)), ("80.00", Some(QRR_A))])]),
        )
        .unwrap();
    assert_eq!(
        statuses(&report),
        vec![
            TransactionStatus::PartlyPaid {
                outstanding: dec("70.00")
            },
            TransactionStatus::Overpaid { excess: dec("10.00") }
        ]
    );
    let a = invoice(&report, "A");
    assert_eq!(
        (a.status, a.paid, a.duplicate),
        (InvoiceStatus::Overpaid, dec("110.00"), false)
    );
}

#[test]
fn duplicate_payment_of_the_same_reference() {
    let mut ledger = Ledger::new();
    let report = reconciler()
        .import(
            &mut ledger,
            doc(&[
                credit("E1", &[("100.00", Some(QRR_A))]),
                credit("E2", &[("100.00", Some(QRR_A))]),
            ]),
        )
        .unwrap();
    assert_eq!(
        statuses(&report),
        vec![TransactionStatus::Paid, TransactionStatus::Duplicate]
    );
    let a = invoice(&report, "A");
    assert_eq!(
        (a.status, a.paid, a.payments, a.duplicate),
        (InvoiceStatus::Overpaid, dec("200.00"), 2, true)
    );
}

#[test]
fn unknown_and_missing_references() {
    let mut ledger = Ledger::new();
    let report = reconciler()
        .import(
            &mut ledger,
            doc(&[credit("E1", &[("10.00", Some("RF471234567890")), ("5.00", None)])]),
        )
        .unwrap();
    assert_eq!(
        statuses(&report),
        vec![
            TransactionStatus::UnknownReference,
            TransactionStatus::NoReference
        ]
    );
    assert_eq!(report.transactions[0].invoice, None);
    assert!(report.invoices.iter().all(|i| i.status == InvoiceStatus::Open));
}

#[test]
fn currency_must_match() {
    let xml = credit("E1", &[("100.00", Some(QRR_A))]).replace("Ccy=\"CHF\"", "Ccy=\"EUR\"");
    let report = reconciler().import(&mut Ledger::new(), doc(&[xml])).unwrap();
    assert_eq!(
        statuses(&report),
        vec![TransactionStatus::CurrencyMismatch {
            expected: "CHF".into()
        }]
    );
    assert_eq!(invoice(&report, "A").status, InvoiceStatus::Open);
}

#[test]
fn reversal_cancels_an_earlier_booking() {
    let mut ledger = Ledger::new();
    let r = reconciler();
    r.import(&mut ledger, doc(&[credit("E1", &[("50.00", Some(SCOR_B))])]))
        .unwrap();
    // The bank returns the credit: a debit with the reversal flag, in a later file.
    let reversal = entry("E9", "DBIT", true, "BOOK", &[("50.00", Some(SCOR_B))]);
    let report = r
        .import(&mut ledger, doc(std::slice::from_ref(&reversal)))
        .unwrap();
    assert_eq!(
        statuses(&report),
        vec![TransactionStatus::Reversed {
            cancels: Some(BookingKey {
                entry: "E1".into(),
                transaction: 0
            })
        }]
    );
    let b = invoice(&report, "B");
    assert_eq!(
        (b.status, b.paid, b.payments, b.reversed),
        (InvoiceStatus::Open, Decimal::ZERO, 0, 1)
    );
    // The same reversal again is not applied twice.
    let report = r.import(&mut ledger, doc(&[reversal])).unwrap();
    assert_eq!(statuses(&report), vec![TransactionStatus::AlreadyImported]);
    // A reversal without a matching booking is reported, and cancels nothing.
    let stray = entry("E10", "DBIT", true, "BOOK", &[("1.00", Some(QRR_A))]);
    let report = r.import(&mut ledger, doc(&[stray])).unwrap();
    assert_eq!(
        statuses(&report),
        vec![TransactionStatus::Reversed { cancels: None }]
    );
}

#[test]
fn same_file_twice_books_nothing_twice() {
    let file = doc(&[
        credit("E1", &[("60.00", Some(QRR_A)), ("50.00", Some(SCOR_B))]),
        credit("E2", &[("40.00", Some(QRR_A))]),
    ]);
    let mut ledger = Ledger::new();
    let r = reconciler();
    let first = r.import(&mut ledger, file.clone()).unwrap();
    assert_eq!(
        statuses(&first),
        vec![
            TransactionStatus::PartlyPaid {
                outstanding: dec("40.00")
            },
            TransactionStatus::Paid,
            TransactionStatus::Paid
        ]
    );
    assert_eq!(ledger.store().len().unwrap(), 3);
    let second = r.import(&mut ledger, file).unwrap();
    assert_eq!(statuses(&second), vec![TransactionStatus::AlreadyImported; 3]);
    assert_eq!(ledger.store().len().unwrap(), 3);
    assert_eq!(second.invoices, first.invoices);
    assert_eq!(invoice(&second, "A").paid, dec("100.00"));
}

#[test]
fn pending_and_debits_are_not_booked() {
    let mut ledger = Ledger::new();
    let pending = entry("E1", "CRDT", false, "PDNG", &[("100.00", Some(QRR_A))]);
    let debit = entry("E2", "DBIT", false, "BOOK", &[("5.00", None)]);
    let report = reconciler().import(&mut ledger, doc(&[pending, debit])).unwrap();
    assert_eq!(statuses(&report), vec![TransactionStatus::Pending]);
    assert!(ledger.store().is_empty().unwrap());
    assert_eq!(invoice(&report, "A").status, InvoiceStatus::Open);
}

#[test]
fn invoices_must_have_distinct_references() {
    let err = Reconciler::new(vec![
        OpenInvoice::new("A", QRR_A, dec("1"), "CHF"),
        OpenInvoice::new("B", "21 00000 00003 13947 14300 09017", dec("2"), "CHF"),
    ])
    .unwrap_err();
    assert!(
        matches!(err, ReconcileError::DuplicateInvoiceReference { .. }),
        "{err}"
    );
    assert!(matches!(
        Reconciler::new(vec![OpenInvoice::new("A", "  ", dec("1"), "CHF")]).unwrap_err(),
        ReconcileError::EmptyReference { .. }
    ));
}

#[test]
fn booking_key_falls_back_without_bank_reference() {
    let xml = credit("X", &[("1.00", None)]).replace("<AcctSvcrRef>X</AcctSvcrRef>", "");
    let entries = doc(&[xml.clone(), xml]);
    assert_eq!(BookingKey::of(&entries[0], 0).entry, "N@0");
    assert_eq!(BookingKey::of(&entries[1], 0).entry, "N@1");
}

/// A store that fails, to show errors reach the caller.
#[derive(Debug)]
struct Broken;

impl LedgerStore for Broken {
    fn get(&self, _: &BookingKey) -> Result<Option<Booking>, StoreError> {
        Err(StoreError("database down".into()))
    }
    fn put(&mut self, _: Booking) -> Result<(), StoreError> {
        Err(StoreError("database down".into()))
    }
    fn by_reference(&self, _: &str) -> Result<Vec<Booking>, StoreError> {
        Err(StoreError("database down".into()))
    }
    fn len(&self) -> Result<u64, StoreError> {
        Err(StoreError("database down".into()))
    }
}

#[test]
fn store_errors_are_returned() {
    let mut ledger = Ledger::with_store(Broken);
    let err = reconciler()
        .import(&mut ledger, doc(&[credit("E1", &[("1.00", Some(QRR_A))])]))
        .unwrap_err();
    assert_eq!(err.to_string(), "ledger store: database down");
}
