//! The logic of the `qrbill-invoice` example: read a JSON invoice, check it field by field, turn
//! it into an egov-pay [`QrBill`] with a QR reference made from the invoice number, and render
//! the bill as an A4 PDF with [`egov_pay::render::pdf`].
//!
//! ```
//! let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/invoice.json"))?;
//! let bill = qrbill_invoice::bill_from_json(&json, egov_core::Language::De)?;
//! assert_eq!(bill.amount.map(|a| a.to_string()).as_deref(), Some("245.50"));
//! let pdf = qrbill_invoice::render_pdf(&bill, egov_core::Language::De)?;
//! assert!(pdf.starts_with(b"%PDF"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use egov_core::{Iban, Language};
use egov_pay::qrbill::{Address, Amount, Currency, QrBill, Reference};
use egov_pay::render::{self, OutputSize, RenderOptions};
use serde::Deserialize;

/// A problem with one field of the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field as a JSON path, e.g. `creditor.iban`, or the bill's field name.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file is not JSON of the expected shape.
    #[error("invoice JSON, line {line} column {column}: {message}")]
    Json {
        /// The line (1-based).
        line: usize,
        /// The column (1-based).
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// One or more fields are invalid.
    #[error("invalid invoice: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The bill could not be rendered.
    #[error("rendering: {0}")]
    Render(String),
}

/// An address of the invoice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceAddress {
    /// Name or company.
    pub name: String,
    /// Street.
    #[serde(default)]
    pub street: String,
    /// Building number.
    #[serde(default)]
    pub building_number: String,
    /// Postal code.
    pub postal_code: String,
    /// Town.
    pub town: String,
    /// ISO country code; `CH` when left out.
    #[serde(default = "ch")]
    pub country: String,
    /// The account (the creditor's QR-IBAN); ignored for the debtor.
    #[serde(default)]
    pub iban: Option<String>,
}

fn ch() -> String {
    "CH".to_owned()
}

/// The invoice file (see `invoice.json` in the package folder).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// The invoice number; its digits make the QR reference (`-`, `/`, `.` and spaces are left out).
    pub invoice_number: String,
    /// The biller's customer id at the bank, put in front of the number in the QR reference.
    #[serde(default)]
    pub customer_id: String,
    /// The creditor, with `iban`.
    pub creditor: InvoiceAddress,
    /// The debtor; left out: the bill leaves the field for the payer.
    #[serde(default)]
    pub debtor: Option<InvoiceAddress>,
    /// The amount as a decimal string (`"245.50"`); left out: the payer fills it in.
    #[serde(default)]
    pub amount: Option<String>,
    /// `CHF` (default) or `EUR`.
    #[serde(default)]
    pub currency: Option<String>,
    /// The message to the payer.
    #[serde(default)]
    pub message: Option<String>,
}

fn address(a: &InvoiceAddress) -> Address {
    Address::new(
        a.name.trim(),
        a.postal_code.trim(),
        a.town.trim(),
        a.country.trim(),
    )
    .with_street(a.street.trim(), a.building_number.trim())
}

/// Reads the invoice JSON.
///
/// # Errors
/// [`Error::Json`] with the line and column.
pub fn parse(json: &str) -> Result<Invoice, Error> {
    serde_json::from_str(json).map_err(|e| Error::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Checks the invoice and builds the bill; the bill's own rules (SIX IG v2.3) report in `lang`.
///
/// # Errors
/// [`Error::Invalid`] with every field that is wrong.
pub fn bill_from_invoice(invoice: &Invoice, lang: Language) -> Result<QrBill, Error> {
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        });
    };
    let account = match invoice.creditor.iban.as_deref().map(str::parse::<Iban>) {
        None => {
            error("creditor.iban", "is missing".into());
            None
        }
        Some(Err(e)) => {
            error("creditor.iban", e.to_string());
            None
        }
        Some(Ok(iban)) if !iban.is_qr_iban() => {
            error(
                "creditor.iban",
                "must be a QR-IBAN (institution id 30000-31999) for a QR reference".into(),
            );
            None
        }
        Some(Ok(iban)) => Some(iban),
    };
    let currency = match invoice.currency.as_deref().map(str::trim) {
        None | Some("CHF") => Some(Currency::Chf),
        Some("EUR") => Some(Currency::Eur),
        Some(other) => {
            error("currency", format!("{other:?} is not CHF or EUR"));
            None
        }
    };
    let amount = match invoice.amount.as_deref().map(|a| a.trim().parse::<Amount>()) {
        None => None,
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => {
            error("amount", e.to_string());
            None
        }
    };
    let digits: String = invoice
        .invoice_number
        .chars()
        .filter(|c| !matches!(c, '-' | '/' | '.' | ' '))
        .collect();
    let reference = if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        error(
            "invoice_number",
            "must be digits (with - / . or spaces between them) to make a QR reference".into(),
        );
        None
    } else {
        match Reference::qr(invoice.customer_id.trim(), &digits) {
            Ok(r) => Some(r),
            Err(e) => {
                error("invoice_number", format!("no QR reference from it: {e}"));
                None
            }
        }
    };
    let (Some(account), Some(currency), Some(reference)) = (account, currency, reference) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let mut bill = QrBill::new(account, address(&invoice.creditor), currency);
    bill.amount = amount;
    bill.ultimate_debtor = invoice.debtor.as_ref().map(address);
    bill.reference = reference;
    bill.unstructured_message = invoice
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    let problems = bill.validate();
    if problems.is_empty() {
        Ok(bill)
    } else {
        Err(Error::Invalid(
            problems
                .iter()
                .map(|p| FieldError {
                    field: format!("{:?}", p.field),
                    message: p.message(lang),
                })
                .collect(),
        ))
    }
}

/// [`parse`] and [`bill_from_invoice`].
///
/// # Errors
/// [`Error::Json`] or [`Error::Invalid`].
pub fn bill_from_json(json: &str, lang: Language) -> Result<QrBill, Error> {
    bill_from_invoice(&parse(json)?, lang)
}

/// The bill on an A4 page (the slip at the bottom), labelled in `lang`.
///
/// # Errors
/// [`Error::Render`] (not for a bill from [`bill_from_invoice`], which is valid).
pub fn render_pdf(bill: &QrBill, lang: Language) -> Result<Vec<u8>, Error> {
    render::pdf(bill, &RenderOptions::new(lang, OutputSize::A4)).map_err(|e| Error::Render(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../invoice.json");

    #[test]
    fn the_reference_comes_from_customer_id_and_invoice_number() {
        let bill = bill_from_json(SAMPLE, Language::De).unwrap();
        let reference = bill.reference.as_str().unwrap();
        assert_eq!(reference.len(), 27);
        // 261, zeros, then the invoice number's digits and the check digit.
        assert!(reference.starts_with("261"), "{reference}");
        assert!(reference[..26].ends_with("20260042"), "{reference}");
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut invoice = parse(SAMPLE).unwrap();
        invoice.creditor.iban = Some("CH93 0076 2011 6238 5295 7".into());
        invoice.amount = Some("12.345".into());
        invoice.invoice_number = "A-17".into();
        invoice.currency = Some("USD".into());
        let Err(Error::Invalid(errors)) = bill_from_invoice(&invoice, Language::En) else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["creditor.iban", "currency", "amount", "invoice_number"]);
    }

    #[test]
    fn the_bill_rules_report_in_the_language() {
        let mut invoice = parse(SAMPLE).unwrap();
        invoice.creditor.postal_code = String::new();
        let Err(Error::Invalid(errors)) = bill_from_invoice(&invoice, Language::Fr) else {
            panic!("accepted");
        };
        assert!(
            errors.iter().any(|e| e.message.contains("numéro postal")),
            "{errors:?}"
        );
    }

    #[test]
    fn broken_json_names_the_line() {
        let err = parse("{\n  \"invoice_number\": 42\n}").unwrap_err();
        assert!(matches!(err, Error::Json { line: 2, .. }), "{err}");
    }
}
