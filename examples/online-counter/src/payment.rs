//! The fee: the QR-bill of an order, a sample camt.054 for the demo, and the import of camt.054
//! files that marks orders paid (egov-pay `render`, `camt` and `reconcile`).

use egov_core::{Language, QrReference};
use egov_pay::camt;
use egov_pay::qrbill::{Address, Amount, Currency, QrBill, Reference};
use egov_pay::reconcile::{InvoiceStatus, Ledger, OpenInvoice, Reconciler, Report};
use egov_pay::render::{self, OutputSize, RenderOptions};
use egov_pay::rust_decimal::Decimal;

use crate::Error;
use crate::config::Config;
use crate::db::Order;

/// The QR reference of order `id`: customer id 261 (the municipality's BFS number), then the id.
pub(crate) fn reference_for(id: i64) -> Option<String> {
    Reference::qr("261", &format!("{id:010}"))
        .ok()
        .and_then(|r| r.as_str().map(str::to_owned))
}

/// The reference as people read it (groups of five).
pub(crate) fn grouped(reference: &str) -> String {
    reference
        .parse::<QrReference>()
        .map_or_else(|_| reference.to_owned(), |r| r.to_string())
}

/// "20.00".
pub(crate) fn format_cents(cents: i64) -> String {
    egov_pay::rust_decimal::Decimal::new(cents, 2).to_string()
}

/// The QR-bill of an order.
pub(crate) fn bill(order: &Order, config: &Config) -> Result<QrBill, Error> {
    let creditor = Address::new(&config.municipality, &config.town.0, &config.town.1, "CH")
        .with_street(&config.street.0, &config.street.1);
    let mut bill = QrBill::new(config.account, creditor, Currency::Chf);
    let amount = u64::try_from(order.amount_cents)
        .map_err(|_| Error::Bill(format!("amount: {} hundredths", order.amount_cents)))
        .and_then(|c| Amount::from_minor_units(c).map_err(|e| Error::Bill(format!("amount: {e}"))))?;
    bill.amount = Some(amount);
    let d = &order.data;
    bill.ultimate_debtor = Some(
        Address::new(
            &format!("{} {}", d.given_name, d.family_name),
            &d.postal_code,
            &d.town,
            "CH",
        )
        .with_street(&d.street, &d.house_number),
    );
    bill.reference = Reference::Qrr(
        order
            .reference
            .parse()
            .map_err(|e| Error::Bill(format!("reference: {e}")))?,
    );
    bill.unstructured_message = Some(format!(
        "{} {}",
        crate::i18n::t(d.language, "certificate"),
        order.number()
    ));
    Ok(bill)
}

/// The QR-bill as an A4 PDF in `lang`.
pub(crate) fn bill_pdf(order: &Order, config: &Config, lang: Language) -> Result<Vec<u8>, Error> {
    let bill = bill(order, config)?;
    render::pdf(&bill, &RenderOptions::new(lang, OutputSize::A4)).map_err(|e| Error::Bill(e.to_string()))
}

/// A camt.054 (version 001.08) with one booked credit paying `order` in full, as a bank would
/// send it; `entry_ref` is the bank's entry reference (unique per booking).
pub(crate) fn sample_camt054(
    order: &Order,
    config: &Config,
    entry_ref: &str,
    today: chrono::NaiveDate,
) -> String {
    let amount = format_cents(order.amount_cents);
    let iban = config.account.as_str();
    let reference = &order.reference;
    let number = order.number();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>DEMO-{entry_ref}</MsgId><CreDtTm>{today}T12:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>DEMO-{entry_ref}</Id>
      <CreDtTm>{today}T12:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="CHF">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{today}</Dt></BookgDt>
        <ValDt><Dt>{today}</Dt></ValDt>
        <AcctSvcrRef>{entry_ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>VCOM</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <Amt Ccy="CHF">{amount}</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RmtInf>
              <Strd>
                <CdtrRefInf>
                  <Tp><CdOrPrtry><Prtry>QRR</Prtry></CdOrPrtry></Tp>
                  <Ref>{reference}</Ref>
                </CdtrRefInf>
                <AddtlRmtInf>{number}</AddtlRmtInf>
              </Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"#
    )
}

/// Reads a camt.054 and books its credits against every order; returns the report and the ids
/// of the orders that are now paid in full (or overpaid).
pub(crate) fn import(xml: &str, orders: &[Order], ledger: &mut Ledger) -> Result<(Report, Vec<i64>), Error> {
    let entries = camt::parse_str(xml).map_err(|e| Error::Camt(e.to_string()))?;
    let invoices: Vec<OpenInvoice> = orders
        .iter()
        .filter(|o| !o.reference.is_empty())
        .map(|o| {
            OpenInvoice::new(
                &o.id.to_string(),
                &o.reference,
                Decimal::new(o.amount_cents, 2),
                "CHF",
            )
        })
        .collect();
    let reconciler = Reconciler::new(invoices).map_err(|e| Error::Camt(e.to_string()))?;
    let report = reconciler
        .import(ledger, entries)
        .map_err(|e| Error::Camt(e.to_string()))?;
    let paid = report
        .invoices
        .iter()
        .filter(|i| matches!(i.status, InvoiceStatus::Paid | InvoiceStatus::Overpaid))
        .filter_map(|i| i.id.parse().ok())
        .collect();
    Ok((report, paid))
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{NaiveDate, Utc};
    use egov_core::Ahvn13;

    use super::*;
    use crate::db::NewOrder;

    pub(crate) fn order(id: i64) -> Order {
        Order {
            id,
            data: NewOrder {
                owner: "o".into(),
                language: Language::De,
                given_name: "Anna".into(),
                family_name: "Muster".into(),
                birth_date: NaiveDate::from_ymd_opt(1985, 3, 14).unwrap(),
                ahvn13: Some(Ahvn13::with_check_digit(756_999_910_001).unwrap()),
                email: "anna.muster@example.ch".into(),
                street: "Bahnhofstrasse".into(),
                house_number: "7".into(),
                postal_code: "8001".into(),
                town: "Zürich".into(),
                purpose: "employer".into(),
            },
            reference: reference_for(id).unwrap(),
            amount_cents: 2000,
            created_at: Utc::now(),
            paid_at: None,
            mail_id: None,
            sedex_message_id: None,
        }
    }

    #[test]
    fn references_are_valid_and_distinct() {
        let a = reference_for(1).unwrap();
        let b = reference_for(2).unwrap();
        assert_eq!(a.len(), 27);
        assert_ne!(a, b);
        assert!(a.parse::<QrReference>().is_ok());
        assert_eq!(grouped(&a).split(' ').count(), 6);
    }

    #[test]
    fn the_bill_validates_and_renders() {
        let config = Config::defaults().unwrap();
        let bill = bill(&order(7), &config).unwrap();
        assert!(bill.validate().is_empty(), "{:?}", bill.validate());
        assert_eq!(bill.amount.unwrap().to_string(), "20.00");
        let pdf = bill_pdf(&order(7), &config, Language::Fr).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn the_sample_camt_pays_its_order_only() {
        let config = Config::defaults().unwrap();
        let orders = vec![order(1), order(2)];
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let xml = sample_camt054(&orders[1], &config, "E-1", today);
        let mut ledger = Ledger::new();
        let (report, paid) = import(&xml, &orders, &mut ledger).unwrap();
        assert_eq!(paid, vec![2]);
        assert_eq!(report.transactions.len(), 1);
        // The same file again books nothing new.
        let (again, _) = import(&xml, &orders, &mut ledger).unwrap();
        assert!(matches!(
            again.transactions[0].status,
            egov_pay::reconcile::TransactionStatus::AlreadyImported
        ));
    }

    #[test]
    fn a_broken_file_is_a_typed_error() {
        let mut ledger = Ledger::new();
        let err = import("<Document>", &[order(1)], &mut ledger).unwrap_err();
        assert!(matches!(err, Error::Camt(_)), "{err}");
    }
}
