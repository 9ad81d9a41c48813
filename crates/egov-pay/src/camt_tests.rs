//! Unit tests of the camt reader, on small documents written here.

use super::*;

const NS08: &str = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";
const NS04: &str = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.04";

/// Puts `prefix:` before every element name of `xml` (not before `<?` or `<!`).
fn prefixed(xml: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(xml.len() * 2);
    let mut chars = xml.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '<' {
            if chars.peek() == Some(&'/') {
                out.push('/');
                chars.next();
            }
            if chars.peek().is_some_and(char::is_ascii_alphabetic) {
                out.push_str(prefix);
                out.push(':');
            }
        }
    }
    out
}

/// A camt.054 notification with `entries` (XML of `Ntry` elements) in namespace `ns`.
fn notification(ns: &str, entries: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-01-15T20:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1</Id>
      <Acct><Id><IBAN>CH4431999123000889012</IBAN></Id><Ccy>CHF</Ccy></Acct>
      {entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>"#
    )
}

/// The same batch entry in the 001.08 form: `Sts/Cd`, `Dbtr/Pty`.
const BATCH_08: &str = r#"<Ntry>
  <NtryRef>CH4431999123000889012</NtryRef>
  <Amt Ccy="CHF">2049.75</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>false</RvslInd>
  <Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><Dt>2026-01-15</Dt></BookgDt><ValDt><Dt>2026-01-16</Dt></ValDt>
  <AcctSvcrRef>NTRY-1</AcctSvcrRef>
  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>VCOM</SubFmlyCd></Fmly></Domn></BkTxCd>
  <NtryDtls>
    <Btch><NbOfTxs>2</NbOfTxs></Btch>
    <TxDtls>
      <Refs><AcctSvcrRef>TX-1</AcctSvcrRef><EndToEndId>E2E-1</EndToEndId></Refs>
      <Amt Ccy="CHF">1949.75</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <RltdPties>
        <Dbtr><Pty><Nm>Pia Rutschmann</Nm><PstlAdr><StrtNm>Marktgasse</StrtNm><BldgNb>28</BldgNb><PstCd>9400</PstCd><TwnNm>Rorschach</TwnNm><Ctry>CH</Ctry></PstlAdr></Pty></Dbtr>
        <DbtrAcct><Id><IBAN>CH5800791123000889012</IBAN></Id></DbtrAcct>
        <CdtrAcct><Id><IBAN>CH4431999123000889012</IBAN></Id></CdtrAcct>
      </RltdPties>
      <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>QRR</Prtry></CdOrPrtry></Tp><Ref>210000000003139471430009017</Ref></CdtrRefInf><AddtlRmtInf>?REJECT?0</AddtlRmtInf></Strd></RmtInf>
    </TxDtls>
    <TxDtls>
      <Refs><AcctSvcrRef>TX-2</AcctSvcrRef></Refs>
      <Amt Ccy="CHF">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <RltdPties><Dbtr><Pty><Nm>Max Muster &amp; Co</Nm></Pty></Dbtr></RltdPties>
      <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18 5390 0754 7034</Ref></CdtrRefInf></Strd></RmtInf>
    </TxDtls>
  </NtryDtls>
  <AddtlNtryInf>SAMMELGUTSCHRIFT</AddtlNtryInf>
</Ntry>"#;

/// The same entry in the 001.04 form: `Sts` as text, `Dbtr` without `Pty`.
const BATCH_04: &str = r#"<Ntry>
  <NtryRef>CH4431999123000889012</NtryRef>
  <Amt Ccy="CHF">2049.75</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>false</RvslInd>
  <Sts>BOOK</Sts>
  <BookgDt><Dt>2026-01-15</Dt></BookgDt><ValDt><Dt>2026-01-16</Dt></ValDt>
  <AcctSvcrRef>NTRY-1</AcctSvcrRef>
  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>VCOM</SubFmlyCd></Fmly></Domn></BkTxCd>
  <NtryDtls>
    <Btch><NbOfTxs>2</NbOfTxs></Btch>
    <TxDtls>
      <Refs><AcctSvcrRef>TX-1</AcctSvcrRef><EndToEndId>E2E-1</EndToEndId></Refs>
      <Amt Ccy="CHF">1949.75</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <RltdPties>
        <Dbtr><Nm>Pia Rutschmann</Nm><PstlAdr><StrtNm>Marktgasse</StrtNm><BldgNb>28</BldgNb><PstCd>9400</PstCd><TwnNm>Rorschach</TwnNm><Ctry>CH</Ctry></PstlAdr></Dbtr>
        <DbtrAcct><Id><IBAN>CH5800791123000889012</IBAN></Id></DbtrAcct>
        <CdtrAcct><Id><IBAN>CH4431999123000889012</IBAN></Id></CdtrAcct>
      </RltdPties>
      <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>QRR</Prtry></CdOrPrtry></Tp><Ref>210000000003139471430009017</Ref></CdtrRefInf><AddtlRmtInf>?REJECT?0</AddtlRmtInf></Strd></RmtInf>
    </TxDtls>
    <TxDtls>
      <Refs><AcctSvcrRef>TX-2</AcctSvcrRef></Refs>
      <Amt Ccy="CHF">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <RltdPties><Dbtr><Nm>Max Muster &amp; Co</Nm></Dbtr></RltdPties>
      <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18 5390 0754 7034</Ref></CdtrRefInf></Strd></RmtInf>
    </TxDtls>
  </NtryDtls>
  <AddtlNtryInf>SAMMELGUTSCHRIFT</AddtlNtryInf>
</Ntry>"#;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn batch_booking_is_split_into_its_transactions() {
    let xml = notification(NS08, BATCH_08);
    let mut reader = CamtReader::new(xml.as_bytes());
    let entry = reader.next().unwrap().unwrap();
    assert!(reader.next().is_none());
    let info = reader.message().unwrap();
    assert_eq!((info.kind, info.version), (MessageKind::Camt054, Version::V08));
    assert_eq!(info.message_id.as_deref(), Some("MSG-1"));

    assert_eq!(entry.statement_id.as_deref(), Some("NTF-1"));
    assert_eq!(
        entry.account.as_ref().unwrap().iban().unwrap().as_str(),
        "CH4431999123000889012"
    );
    assert_eq!(
        entry.amount,
        Money {
            value: dec("2049.75"),
            currency: "CHF".into()
        }
    );
    assert_eq!(entry.direction, CreditDebit::Credit);
    assert!(!entry.reversal);
    assert_eq!(entry.status, EntryStatus::Booked);
    assert_eq!(entry.booking_date, NaiveDate::from_ymd_opt(2026, 1, 15));
    assert_eq!(entry.value_date, NaiveDate::from_ymd_opt(2026, 1, 16));
    assert_eq!(entry.bank_reference.as_deref(), Some("NTRY-1"));
    assert_eq!(entry.entry_reference.as_deref(), Some("CH4431999123000889012"));
    assert_eq!(entry.bank_transaction_code.as_deref(), Some("PMNT/RCDT/VCOM"));
    assert_eq!(entry.batch_count, Some(2));
    assert_eq!(entry.additional_info.as_deref(), Some("SAMMELGUTSCHRIFT"));

    assert_eq!(entry.transactions.len(), 2);
    let sum: Decimal = entry.transactions.iter().map(|t| t.amount.value).sum();
    assert_eq!(sum, entry.amount.value);
    let first = &entry.transactions[0];
    assert_eq!(first.index, 0);
    assert!(first.details);
    assert_eq!(first.bank_reference.as_deref(), Some("TX-1"));
    assert_eq!(first.end_to_end_id.as_deref(), Some("E2E-1"));
    assert_eq!(first.amount.value, dec("1949.75"));
    let debtor = first.debtor.as_ref().unwrap();
    assert_eq!(debtor.name.as_deref(), Some("Pia Rutschmann"));
    let address = debtor.address.as_ref().unwrap();
    assert_eq!(address.street.as_deref(), Some("Marktgasse"));
    assert_eq!(address.building_number.as_deref(), Some("28"));
    assert_eq!(address.postal_code.as_deref(), Some("9400"));
    assert_eq!(address.town.as_deref(), Some("Rorschach"));
    assert_eq!(address.country.as_deref(), Some("CH"));
    assert_eq!(
        first.debtor_account.as_ref().unwrap().iban().unwrap().as_str(),
        "CH5800791123000889012"
    );
    assert!(
        first
            .creditor_account
            .as_ref()
            .unwrap()
            .iban()
            .unwrap()
            .is_qr_iban()
    );
    assert_eq!(first.additional_remittance, vec!["?REJECT?0".to_owned()]);

    let second = &entry.transactions[1];
    assert_eq!(second.index, 1);
    assert_eq!(second.amount.value, dec("100.00"));
    assert_eq!(
        second.debtor.as_ref().unwrap().name.as_deref(),
        Some("Max Muster & Co")
    );
    assert_eq!(second.end_to_end_id, None);
}

#[test]
fn counterparty_accounts_with_wrong_check_digits_are_kept_as_text() {
    let xml = notification(
        NS08,
        &BATCH_08.replace("CH5800791123000889012", "CH4444444444444444444"),
    );
    let e = parse_str(&xml).unwrap().remove(0);
    let account = e.transactions[0].debtor_account.as_ref().unwrap();
    assert_eq!(account, &AccountId::Other("CH4444444444444444444".into()));
    assert_eq!(account.iban(), None);
    // The same for the statement's own account.
    let xml = notification(NS08, BATCH_08).replace(
        "<IBAN>CH4431999123000889012</IBAN></Id><Ccy>",
        "<IBAN>CH4431999123000889013</IBAN></Id><Ccy>",
    );
    let e = parse_str(&xml).unwrap().remove(0);
    assert_eq!(e.account, Some(AccountId::Other("CH4431999123000889013".into())));
}

#[test]
fn qr_and_creditor_references_are_typed() {
    let entry = parse_str(&notification(NS08, BATCH_08)).unwrap().remove(0);
    match &entry.transactions[0].reference {
        Some(RemittanceReference::Qr(r)) => assert_eq!(r.as_str(), "210000000003139471430009017"),
        other => panic!("expected a QR reference, got {other:?}"),
    }
    match &entry.transactions[1].reference {
        Some(RemittanceReference::Creditor(r)) => assert_eq!(r.as_str(), "RF18539007547034"),
        other => panic!("expected a creditor reference, got {other:?}"),
    }
}

#[test]
fn references_are_classified_by_type_and_content() {
    // Wrong check digit: kept raw with its declared type.
    assert_eq!(
        RemittanceReference::classify(Some("QRR"), "210000000003139471430009018"),
        RemittanceReference::Other {
            kind: Some("QRR".into()),
            text: "210000000003139471430009018".into()
        }
    );
    // Untyped: recognised by content (legacy ESR files give no type).
    assert!(matches!(
        RemittanceReference::classify(None, "21 00000 00003 13947 14300 09017"),
        RemittanceReference::Qr(_)
    ));
    assert!(matches!(
        RemittanceReference::classify(None, "rf18539007547034"),
        RemittanceReference::Creditor(_)
    ));
    assert!(matches!(
        RemittanceReference::classify(Some("ISR Reference"), "210000000003139471430009017"),
        RemittanceReference::Qr(_)
    ));
    // SCOR declared but the text is a QR reference: not typed as SCOR.
    assert!(matches!(
        RemittanceReference::classify(Some("SCOR"), "210000000003139471430009017"),
        RemittanceReference::Other { .. }
    ));
    assert_eq!(
        RemittanceReference::classify(None, "Rechnung 42").key(),
        "RECHNUNG42"
    );
}

#[test]
fn versions_04_and_08_read_the_same() {
    let e08 = parse_str(&notification(NS08, BATCH_08)).unwrap();
    let xml04 = notification(NS04, BATCH_04);
    let mut reader = CamtReader::new(xml04.as_bytes());
    let e04: Vec<Entry> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(reader.message().unwrap().version, Version::V04);
    assert_eq!(e04, e08);
}

#[test]
fn prefix_variants_read_the_same() {
    let plain = notification(NS08, BATCH_08);
    let with_prefix =
        prefixed(&plain, "ns2").replace(&format!("xmlns=\"{NS08}\""), &format!("xmlns:ns2=\"{NS08}\""));
    assert!(with_prefix.contains("<ns2:Ntry>"), "{with_prefix}");
    assert!(!with_prefix.contains("<Ntry>"));
    assert_eq!(parse_str(&with_prefix).unwrap(), parse_str(&plain).unwrap());
    // A Swiss namespace variant reads the same too.
    let swiss = plain.replace(
        NS08,
        "http://www.six-interbank-clearing.com/de/camt.054.001.08.ch.02",
    );
    assert_eq!(parse_str(&swiss).unwrap(), parse_str(&plain).unwrap());
}

#[test]
fn elements_of_other_namespaces_are_skipped() {
    // An `Amt` in a foreign namespace inside the entry must not overwrite the amount.
    let entry = BATCH_08.replace(
        "<AddtlNtryInf>",
        r#"<x:Amt xmlns:x="urn:example:other" Ccy="EUR">1.00</x:Amt><AddtlNtryInf>"#,
    );
    let entries = parse_str(&notification(NS08, &entry)).unwrap();
    assert_eq!(entries[0].amount.value, dec("2049.75"));
    assert_eq!(entries[0].amount.currency, "CHF");
}

#[test]
fn reversal_flag_is_read() {
    let entry = r#"<Ntry><Amt Ccy="CHF">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
      <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-01-20</Dt></BookgDt><AcctSvcrRef>NTRY-R</AcctSvcrRef>
      <NtryDtls><TxDtls><Amt Ccy="CHF">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
      <RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"#;
    let e = parse_str(&notification(NS08, entry)).unwrap().remove(0);
    assert!(e.reversal);
    assert_eq!(e.direction, CreditDebit::Debit);
    assert_eq!(e.transactions[0].direction, CreditDebit::Debit);
    assert!(matches!(
        e.transactions[0].reference,
        Some(RemittanceReference::Creditor(_))
    ));
}

#[test]
fn charges_of_entry_and_transaction() {
    let entry = r#"<Ntry><Amt Ccy="CHF">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>
      <Chrgs><TtlChrgsAndTaxAmt Ccy="CHF">1.30</TtlChrgsAndTaxAmt>
        <Rcrd><Amt Ccy="CHF">1.20</Amt><CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>false</ChrgInclInd><Tp><Prtry><Id>2</Id></Prtry></Tp></Rcrd>
        <Rcrd><Amt Ccy="CHF">0.10</Amt></Rcrd></Chrgs>
      <NtryDtls><TxDtls><Amt Ccy="CHF">50.00</Amt>
        <Chrgs><Rcrd><Amt Ccy="CHF">0.90</Amt><ChrgInclInd>true</ChrgInclInd><Tp><Cd>BRKF</Cd></Tp></Rcrd></Chrgs>
      </TxDtls></NtryDtls></Ntry>"#;
    let e = parse_str(&notification(NS04, entry)).unwrap().remove(0);
    assert_eq!(e.status, EntryStatus::Pending);
    assert_eq!(e.charges.total.as_ref().unwrap().value, dec("1.30"));
    assert_eq!(e.charges.records.len(), 2);
    assert_eq!(
        e.charges.records[0],
        ChargeRecord {
            amount: Money {
                value: dec("1.20"),
                currency: "CHF".into()
            },
            direction: Some(CreditDebit::Debit),
            included: Some(false),
            kind: Some("2".into()),
        }
    );
    assert_eq!(e.charges.records[1].amount.value, dec("0.10"));
    assert_eq!(e.charges.records[1].direction, None);
    let tx = &e.transactions[0];
    assert_eq!(tx.charges.records.len(), 1);
    assert_eq!(tx.charges.records[0].kind.as_deref(), Some("BRKF"));
    assert_eq!(tx.charges.records[0].included, Some(true));
    // The transaction's direction comes from the entry when it gives none.
    assert_eq!(tx.direction, CreditDebit::Credit);
}

#[test]
fn entry_without_details_gives_one_transaction() {
    let entry = r#"<Ntry><Amt Ccy="EUR">12.5</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
      <BookgDt><DtTm>2026-01-15T10:00:00</DtTm></BookgDt></Ntry>"#;
    let e = parse_str(&notification(NS08, entry)).unwrap().remove(0);
    assert_eq!(e.booking_date, NaiveDate::from_ymd_opt(2026, 1, 15));
    assert_eq!(e.transactions.len(), 1);
    let t = &e.transactions[0];
    assert!(!t.details);
    assert_eq!(
        t.amount,
        Money {
            value: dec("12.5"),
            currency: "EUR".into()
        }
    );
    assert_eq!(t.reference, None);
}

#[test]
fn a_single_transaction_without_amount_takes_the_entry_amount() {
    let entry = r#"<Ntry><Amt Ccy="CHF">7.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
      <NtryDtls><TxDtls><Refs><EndToEndId>X</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>"#;
    let e = parse_str(&notification(NS08, entry)).unwrap().remove(0);
    assert_eq!(e.transactions[0].amount.value, dec("7.00"));
    assert!(e.transactions[0].details);
    // In a batch every transaction needs its amount.
    let batch = r#"<Ntry><Amt Ccy="CHF">7.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
      <NtryDtls><TxDtls><Amt Ccy="CHF">7.00</Amt></TxDtls><TxDtls></TxDtls></NtryDtls></Ntry>"#;
    let err = parse_str(&notification(NS08, batch)).unwrap_err();
    assert!(matches!(err, CamtError::MissingElement { .. }), "{err}");
    assert!(err.to_string().contains("TxDtls[2]"), "{err}");
}

#[test]
fn camt053_statement() {
    let xml = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt>
      <GrpHdr><MsgId>S</MsgId></GrpHdr>
      <Stmt><Id>STMT-7</Id><Acct><Id><IBAN>CH9300762011623852957</IBAN></Id></Acct>
        <Bal><Amt Ccy="CHF">999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
        <Ntry><Amt Ccy="CHF">24.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>false</RvslInd><Sts>BOOK</Sts><AcctSvcrRef>A</AcctSvcrRef></Ntry>
        <Ntry><Amt Ccy="CHF">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>false</RvslInd><Sts>BOOK</Sts><AcctSvcrRef>B</AcctSvcrRef></Ntry>
      </Stmt></BkToCstmrStmt></Document>"#;
    let mut reader = CamtReader::new(xml.as_bytes());
    let entries: Vec<Entry> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(reader.message().unwrap().kind, MessageKind::Camt053);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].statement_id.as_deref(), Some("STMT-7"));
    assert_eq!(
        entries[0].account.as_ref().unwrap().to_string(),
        "CH9300762011623852957"
    );
    assert_eq!(entries[0].direction, CreditDebit::Debit);
    assert_eq!(entries[1].position, 1);
    assert_eq!(entries[1].amount.value, dec("1.00"));
}

#[test]
fn doctype_is_refused() {
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{}",
        notification(NS08, BATCH_08).replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "")
    );
    let err = parse_str(&xml).unwrap_err();
    assert!(matches!(err, CamtError::Doctype { .. }), "{err}");
    assert!(err.to_string().contains("DOCTYPE"));
}

#[test]
fn unknown_entities_are_refused() {
    let xml = notification(NS08, &BATCH_08.replace("Max Muster &amp; Co", "&xxe;"));
    match parse_str(&xml).unwrap_err() {
        CamtError::UnknownEntity { entity, path, .. } => {
            assert_eq!(entity, "xxe");
            assert!(path.ends_with("TxDtls/RltdPties/Dbtr/Pty/Nm"), "{path}");
        }
        other => panic!("{other}"),
    }
    // Character references are fine.
    let xml = notification(NS08, &BATCH_08.replace("Max Muster &amp; Co", "M&#252;ller"));
    let e = parse_str(&xml).unwrap().remove(0);
    assert_eq!(
        e.transactions[1].debtor.as_ref().unwrap().name.as_deref(),
        Some("Müller")
    );
}

#[test]
fn truncated_document_reports_where() {
    let full = notification(NS08, BATCH_08);
    let cut = &full[..full.find("TX-2</AcctSvcrRef>").unwrap() + 2];
    let mut reader = CamtReader::new(cut.as_bytes());
    let err = reader.next().unwrap().unwrap_err();
    match &err {
        CamtError::Truncated { path, offset } => {
            assert_eq!(
                path,
                "Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry/NtryDtls/TxDtls/Refs/AcctSvcrRef"
            );
            assert_eq!(*offset, cut.len() as u64);
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("truncated"), "{err}");
    // The iterator ends after an error.
    assert!(reader.next().is_none());
}

#[test]
fn malformed_xml_reports_where() {
    let xml = notification(
        NS08,
        &BATCH_08.replace("</CdtDbtInd><RvslInd>", "</CdtDbtInd></Foo><RvslInd>"),
    );
    match parse_str(&xml).unwrap_err() {
        CamtError::Xml { path, offset, .. } => {
            assert!(path.ends_with("Ntfctn/Ntry"), "{path}");
            assert!(offset > 0);
        }
        other => panic!("{other}"),
    }
}

#[test]
fn invalid_values_report_path_and_value() {
    let xml = notification(
        NS08,
        &BATCH_08.replace("<Amt Ccy=\"CHF\">100.00</Amt>", "<Amt Ccy=\"CHF\">1e2</Amt>"),
    );
    match parse_str(&xml).unwrap_err() {
        CamtError::Invalid { path, value, .. } => {
            assert!(path.ends_with("Ntry/NtryDtls/TxDtls/Amt"), "{path}");
            assert_eq!(value, "1e2");
        }
        other => panic!("{other}"),
    }
    for bad in ["-5.00", "5.", ".5", "5,00", ""] {
        assert_eq!(parse_amount(bad), None, "{bad}");
    }
    let xml = notification(
        NS08,
        &BATCH_08.replace("<Amt Ccy=\"CHF\">2049.75</Amt>", "<Amt Ccy=\"chf\">2049.75</Amt>"),
    );
    assert!(matches!(parse_str(&xml).unwrap_err(), CamtError::Invalid { .. }));
    let xml = notification(
        NS08,
        &BATCH_08.replace(
            "<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>",
            "<CdtDbtInd>CREDIT</CdtDbtInd><RvslInd>",
        ),
    );
    assert!(parse_str(&xml).unwrap_err().to_string().contains("CRDT or DBIT"));
    let xml = notification(NS08, &BATCH_08.replace("2026-01-15", "15.01.2026"));
    assert!(parse_str(&xml).unwrap_err().to_string().contains("BookgDt/Dt"));
}

#[test]
fn not_camt_and_unsupported_versions() {
    assert!(matches!(
        parse_str("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"/>").unwrap_err(),
        CamtError::NotCamt { .. }
    ));
    assert!(matches!(
        parse_str("<Document/>").unwrap_err(),
        CamtError::NotCamt { .. }
    ));
    assert!(matches!(
        parse_str("<html/>").unwrap_err(),
        CamtError::NotCamt { .. }
    ));
    assert!(matches!(
        parse_str(&notification(
            "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02",
            BATCH_08
        ))
        .unwrap_err(),
        CamtError::UnsupportedVersion { .. }
    ));
    assert!(matches!(parse_str("").unwrap_err(), CamtError::Missing { .. }));
}

#[test]
fn limits_are_enforced() {
    let deep = format!(
        "<Document xmlns=\"{NS08}\">{}{}</Document>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    assert!(matches!(
        parse_str(&deep).unwrap_err(),
        CamtError::Limit {
            what: "element depth",
            ..
        }
    ));

    let long = notification(NS08, &BATCH_08.replace("SAMMELGUTSCHRIFT", &"x".repeat(20_000)));
    assert!(matches!(
        parse_str(&long).unwrap_err(),
        CamtError::Limit {
            what: "element text",
            ..
        }
    ));

    let limits = Limits {
        max_transactions: 1,
        ..Limits::default()
    };
    let err = CamtReader::new(notification(NS08, BATCH_08).as_bytes())
        .with_limits(limits)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_err();
    assert!(
        matches!(
            err,
            CamtError::Limit {
                what: "transactions in one entry",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn entries_stream_one_at_a_time() {
    // Many entries: the reader yields them in order without reading ahead.
    let many: String = (0..500)
        .map(|i| {
            format!(
                "<Ntry><Amt Ccy=\"CHF\">{i}.05</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><AcctSvcrRef>R{i}</AcctSvcrRef></Ntry>"
            )
        })
        .collect();
    let xml = notification(NS08, &many);
    let mut reader = CamtReader::new(xml.as_bytes());
    let first = reader.next().unwrap().unwrap();
    assert_eq!(first.bank_reference.as_deref(), Some("R0"));
    let rest: Vec<Entry> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(rest.len(), 499);
    let total: Decimal = rest.iter().map(|e| e.amount.value).sum::<Decimal>() + first.amount.value;
    assert_eq!(
        total,
        Decimal::from(499 * 500 / 2) + dec("0.05") * Decimal::from(500)
    );
}

#[test]
fn json_of_an_entry() {
    let e = parse_str(&notification(NS08, BATCH_08)).unwrap().remove(0);
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["amount"]["value"], "2049.75");
    assert_eq!(v["direction"], "CRDT");
    assert_eq!(v["transactions"][0]["reference"]["type"], "QRR");
    assert_eq!(v["transactions"][1]["reference"]["reference"], "RF18539007547034");
}
