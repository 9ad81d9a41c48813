//! pain.001 writer: structure read back with roxmltree, and the rules.

use super::*;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn payment(id: &str, amount: &str, currency: &str, account: &str, remittance: Remittance) -> Payment {
    Payment {
        end_to_end_id: id.into(),
        amount: dec(amount),
        currency: currency.into(),
        creditor_name: "Anna Beispiel-Müller & Söhne".into(),
        creditor_address: Some(
            PostalAddress::new("8000", "Zürich", "CH").with_street("Bahnhofstrasse", "1a"),
        ),
        creditor_account: account.parse().unwrap(),
        remittance,
    }
}

fn transfer() -> CreditTransfer {
    let mut t = CreditTransfer::new(
        "MSG-2026-01",
        "Gemeinde Muster",
        "CH93 0076 2011 6238 5295 7".parse().unwrap(),
        NaiveDate::from_ymd_opt(2026, 2, 2).unwrap(),
    );
    t.created = NaiveDate::from_ymd_opt(2026, 1, 31)
        .unwrap()
        .and_hms_opt(8, 30, 0)
        .unwrap();
    t.payments = vec![
        payment(
            "E2E-1",
            "120.5",
            "CHF",
            "CH5604835012345678009",
            Remittance::Unstructured("Rückerstattung <2025>".into()),
        ),
        payment(
            "E2E-2",
            "1949.75",
            "CHF",
            "CH4431999123000889012",
            Remittance::Qr("210000000003139471430009017".parse().unwrap()),
        ),
        payment(
            "E2E-3",
            "10.00",
            "EUR",
            "CH5604835012345678009",
            Remittance::Creditor("RF18539007547034".parse().unwrap()),
        ),
    ];
    t
}

fn text<'a>(node: roxmltree::Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    let mut n = node;
    for name in path {
        n = n.children().find(|c| c.has_tag_name(*name))?;
    }
    n.text()
}

#[test]
fn group_header_counts_and_sums() {
    let t = transfer();
    assert_eq!(t.number_of_transactions(), 3);
    assert_eq!(t.control_sum(), dec("2080.25"));
    let xml = t.to_xml().unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(NAMESPACE));
    let init = root.first_element_child().unwrap();
    assert!(init.has_tag_name("CstmrCdtTrfInitn"));
    assert_eq!(text(init, &["GrpHdr", "MsgId"]), Some("MSG-2026-01"));
    assert_eq!(text(init, &["GrpHdr", "CreDtTm"]), Some("2026-01-31T08:30:00"));
    assert_eq!(text(init, &["GrpHdr", "NbOfTxs"]), Some("3"));
    assert_eq!(text(init, &["GrpHdr", "CtrlSum"]), Some("2080.25"));
    assert_eq!(text(init, &["GrpHdr", "InitgPty", "Nm"]), Some("Gemeinde Muster"));
}

#[test]
fn one_payment_information_per_currency() {
    let xml = transfer().to_xml().unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let blocks: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("PmtInf")).collect();
    assert_eq!(blocks.len(), 2);
    let chf = blocks[0];
    assert_eq!(text(chf, &["PmtInfId"]), Some("MSG-2026-01-1"));
    assert_eq!(text(chf, &["PmtMtd"]), Some("TRF"));
    assert_eq!(text(chf, &["NbOfTxs"]), Some("2"));
    assert_eq!(text(chf, &["CtrlSum"]), Some("2070.25"));
    assert_eq!(text(chf, &["ReqdExctnDt", "Dt"]), Some("2026-02-02"));
    assert_eq!(
        text(chf, &["DbtrAcct", "Id", "IBAN"]),
        Some("CH9300762011623852957")
    );
    assert_eq!(
        text(chf, &["DbtrAgt", "FinInstnId", "ClrSysMmbId", "ClrSysId", "Cd"]),
        Some("CHBCC")
    );
    assert_eq!(
        text(chf, &["DbtrAgt", "FinInstnId", "ClrSysMmbId", "MmbId"]),
        Some("00762")
    );
    let txs: Vec<_> = chf.children().filter(|n| n.has_tag_name("CdtTrfTxInf")).collect();
    assert_eq!(txs.len(), 2);
    let first = txs[0];
    assert_eq!(text(first, &["PmtId", "EndToEndId"]), Some("E2E-1"));
    let amount = first.descendants().find(|n| n.has_tag_name("InstdAmt")).unwrap();
    assert_eq!(amount.attribute("Ccy"), Some("CHF"));
    assert_eq!(amount.text(), Some("120.50"));
    assert_eq!(text(first, &["Cdtr", "Nm"]), Some("Anna Beispiel-Müller & Söhne"));
    assert_eq!(
        text(first, &["Cdtr", "PstlAdr", "StrtNm"]),
        Some("Bahnhofstrasse")
    );
    assert_eq!(text(first, &["Cdtr", "PstlAdr", "BldgNb"]), Some("1a"));
    assert_eq!(text(first, &["Cdtr", "PstlAdr", "PstCd"]), Some("8000"));
    assert_eq!(text(first, &["Cdtr", "PstlAdr", "TwnNm"]), Some("Zürich"));
    assert_eq!(text(first, &["Cdtr", "PstlAdr", "Ctry"]), Some("CH"));
    assert_eq!(text(first, &["RmtInf", "Ustrd"]), Some("Rückerstattung <2025>"));
    let qr = txs[1];
    assert_eq!(
        text(qr, &["CdtrAcct", "Id", "IBAN"]),
        Some("CH4431999123000889012")
    );
    assert_eq!(
        text(qr, &["RmtInf", "Strd", "CdtrRefInf", "Tp", "CdOrPrtry", "Prtry"]),
        Some("QRR")
    );
    assert_eq!(
        text(qr, &["RmtInf", "Strd", "CdtrRefInf", "Ref"]),
        Some("210000000003139471430009017")
    );
    let eur = blocks[1];
    assert_eq!(text(eur, &["NbOfTxs"]), Some("1"));
    assert_eq!(
        text(
            eur,
            &[
                "CdtTrfTxInf",
                "RmtInf",
                "Strd",
                "CdtrRefInf",
                "Tp",
                "CdOrPrtry",
                "Cd"
            ]
        ),
        Some("SCOR")
    );
    assert_eq!(
        text(eur, &["CdtTrfTxInf", "RmtInf", "Strd", "CdtrRefInf", "Ref"]),
        Some("RF18539007547034")
    );
}

#[test]
fn bic_is_used_when_given() {
    let mut t = transfer();
    t.debtor_bic = Some("UBSWCHZH80A".into());
    let xml = t.to_xml().unwrap();
    assert!(xml.contains("<BICFI>UBSWCHZH80A</BICFI>"));
    assert!(!xml.contains("ClrSysMmbId"));
    t.debtor_bic = Some("UBS".into());
    assert_eq!(t.validate()[0].location, "debtor BIC");
}

#[test]
fn rules_are_checked_with_location() {
    let mut t = transfer();
    t.message_id = "MSG_2026".into(); // `_` is outside the Swiss Max35Text set
    t.payments[0].amount = dec("0");
    t.payments[1].remittance = Remittance::Unstructured("no QRR".into());
    t.payments[2].amount = dec("1.005");
    t.payments[2].currency = "eur".into();
    t.payments[2].end_to_end_id = "E2E-1".into();
    t.payments[2].creditor_address = Some(PostalAddress::new("", &"x".repeat(36), "Schweiz"));
    let errors = t.validate();
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let expected = [
        "message id: character '_' is not allowed here",
        "payment 1 (end-to-end id E2E-1): amount: the amount must be more than 0",
        "payment 2 (end-to-end id E2E-2): reference: a payment to a QR-IBAN needs a QR reference",
        "payment 3 (end-to-end id E2E-1): end-to-end id: the end-to-end id is used twice",
        "payment 3 (end-to-end id E2E-1): amount: the amount must be more than 0 with at most two decimals",
        "payment 3 (end-to-end id E2E-1): currency: three capital letters like CHF",
        "payment 3 (end-to-end id E2E-1): creditor address postal code: is missing",
        "payment 3 (end-to-end id E2E-1): creditor address town: has 36 characters, at most 35 are allowed",
        "payment 3 (end-to-end id E2E-1): creditor address country: two capital letters",
    ];
    for e in expected {
        assert!(
            texts.iter().any(|t| t.starts_with(e)),
            "missing {e:?} in {texts:#?}"
        );
    }
    assert_eq!(texts.len(), expected.len(), "{texts:#?}");
    assert_eq!(t.to_xml().unwrap_err().0.len(), expected.len());

    let mut t = transfer();
    t.payments[0].remittance = Remittance::Qr("210000000003139471430009017".parse().unwrap());
    assert!(t.validate()[0].to_string().contains("needs a QR-IBAN"));
    t.payments.clear();
    assert_eq!(t.validate()[0].problem, PainProblem::NoPayments);
}

#[test]
fn characters_outside_the_swiss_set_are_refused() {
    let mut t = transfer();
    t.payments[0].creditor_name = "Zoë 🙂".into();
    let errors = t.validate();
    assert_eq!(errors.len(), 1);
    assert!(matches!(
        errors[0].problem,
        PainProblem::Character { found: '🙂', .. }
    ));
}
