//! pain.001.001.09.ch.03 (Swiss Payment Standards 2022+) credit transfer initiation: refunds
//! and payouts from a municipality's account.
//!
//! [`CreditTransfer`] is the typed model: the debtor (the paying administration) and its
//! account, the execution date, and [`Payment`]s with creditor name, structured
//! [`PostalAddress`] (mandatory in pain.001 from 14 November 2026), IBAN or QR-IBAN, amount,
//! currency, end-to-end id and remittance: unstructured text, a QR reference (with a QR-IBAN)
//! or an ISO 11649 creditor reference. [`CreditTransfer::to_xml`] checks everything and writes
//! the XML in the ISO namespace `urn:iso:std:iso:20022:tech:xsd:pain.001.001.09`, with the
//! number of transactions and the control sum computed; one `PmtInf` per currency.
//!
//! ```
//! use chrono::NaiveDate;
//! use egov_pay::pain::{CreditTransfer, Payment, PostalAddress, Remittance};
//!
//! let mut transfer = CreditTransfer::new(
//!     "REFUND-2026-001",
//!     "Gemeinde Muster",
//!     "CH93 0076 2011 6238 5295 7".parse()?,
//!     NaiveDate::from_ymd_opt(2026, 2, 2).unwrap(),
//! );
//! transfer.payments.push(Payment {
//!     end_to_end_id: "R-1".into(),
//!     amount: "120.50".parse()?,
//!     currency: "CHF".into(),
//!     creditor_name: "Anna Beispiel".into(),
//!     creditor_address: Some(PostalAddress::new("8000", "Seldwyla", "CH").with_street("Weg", "3")),
//!     creditor_account: "CH56 0483 5012 3456 7800 9".parse()?,
//!     remittance: Remittance::Unstructured("Rückerstattung Hundesteuer".into()),
//! });
//! let xml = transfer.to_xml()?;
//! assert!(xml.contains("<NbOfTxs>1</NbOfTxs>"));
//! assert!(xml.contains("<CtrlSum>120.50</CtrlSum>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveDateTime};
use egov_core::{CreditorReference, Iban, QrReference};
use quick_xml::escape::escape;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The namespace of pain.001.001.09 (also of the Swiss `.ch.03` scheme).
pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// What is wrong with a credit transfer: where (`payment 2 (end-to-end id R-2): creditor town`)
/// and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {problem}")]
pub struct PainError {
    /// The element: `message id`, `payment 2 (end-to-end id R-2): creditor town`, …
    pub location: String,
    /// The problem.
    pub problem: PainProblem,
}

/// All problems of a credit transfer that [`CreditTransfer::to_xml`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the credit transfer is not valid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidTransfer(pub Vec<PainError>);

/// The problem of a [`PainError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PainProblem {
    /// A mandatory value is empty.
    #[error("is missing")]
    Missing,
    /// Too long.
    #[error("has {found} characters, at most {max} are allowed")]
    TooLong {
        /// The maximum.
        max: usize,
        /// The length found.
        found: usize,
    },
    /// A character outside the allowed set.
    #[error("character {found:?} is not allowed here ({allowed})")]
    Character {
        /// The character.
        found: char,
        /// What is allowed.
        allowed: &'static str,
    },
    /// Not in the required format.
    #[error("{0}")]
    Format(&'static str),
    /// There are no payments.
    #[error("a credit transfer needs at least one payment")]
    NoPayments,
    /// Two payments have the same end-to-end id.
    #[error("the end-to-end id is used twice")]
    DuplicateEndToEndId,
}

/// A structured postal address (`PstlAdr` with `StrtNm`, `BldgNb`, `PstCd`, `TwnNm`, `Ctry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// `StrtNm`, at most 70 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// `BldgNb`, at most 16 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    /// `PstCd`, at most 16 characters.
    pub postal_code: String,
    /// `TwnNm`, at most 35 characters.
    pub town: String,
    /// `Ctry`, ISO 3166-1 alpha-2.
    pub country: String,
}

impl PostalAddress {
    /// An address without street.
    #[must_use]
    pub fn new(postal_code: &str, town: &str, country: &str) -> Self {
        Self {
            street: None,
            building_number: None,
            postal_code: postal_code.to_owned(),
            town: town.to_owned(),
            country: country.to_owned(),
        }
    }

    /// With street and building number (an empty building number is left out).
    #[must_use]
    pub fn with_street(mut self, street: &str, building_number: &str) -> Self {
        self.street = Some(street.to_owned());
        self.building_number = (!building_number.is_empty()).then(|| building_number.to_owned());
        self
    }
}

/// The remittance information of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Remittance {
    /// None.
    #[default]
    None,
    /// `RmtInf/Ustrd`, at most 140 characters.
    Unstructured(String),
    /// `RmtInf/Strd/CdtrRefInf` with `Prtry` `QRR`; the creditor account must be a QR-IBAN.
    Qr(QrReference),
    /// `RmtInf/Strd/CdtrRefInf` with `Cd` `SCOR`.
    Creditor(CreditorReference),
}

/// One credit transfer transaction (`CdtTrfTxInf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// `PmtId/EndToEndId`: 1–35 characters of `A–Z a–z 0–9 + ? / - : ( ) . , '` and space.
    pub end_to_end_id: String,
    /// The amount, more than 0 with at most two decimals.
    pub amount: Decimal,
    /// The ISO 4217 currency (`CHF`, `EUR`).
    pub currency: String,
    /// `Cdtr/Nm`, at most 70 characters.
    pub creditor_name: String,
    /// `Cdtr/PstlAdr` (structured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_address: Option<PostalAddress>,
    /// `CdtrAcct/Id/IBAN`.
    pub creditor_account: Iban,
    /// `RmtInf`.
    #[serde(default)]
    pub remittance: Remittance,
}

/// A pain.001 credit transfer initiation: one debtor account, one execution date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditTransfer {
    /// `GrpHdr/MsgId`: unique per message, 1–35 characters (like the end-to-end id).
    pub message_id: String,
    /// `GrpHdr/CreDtTm`; [`CreditTransfer::new`] leaves the Unix epoch: set the real time.
    pub created: NaiveDateTime,
    /// `Dbtr/Nm` (and `InitgPty/Nm`), at most 70 characters.
    pub debtor_name: String,
    /// `Dbtr/PstlAdr`, optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_address: Option<PostalAddress>,
    /// `DbtrAcct/Id/IBAN`.
    pub debtor_account: Iban,
    /// `DbtrAgt/FinInstnId/BICFI`; without one the IID of a Swiss/Liechtenstein debtor IBAN is
    /// given as `ClrSysMmbId` (`CHBCC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_bic: Option<String>,
    /// `ReqdExctnDt/Dt`.
    pub execution_date: NaiveDate,
    /// The payments.
    pub payments: Vec<Payment>,
}

impl CreditTransfer {
    /// A transfer without payments.
    #[must_use]
    pub fn new(message_id: &str, debtor_name: &str, debtor_account: Iban, execution_date: NaiveDate) -> Self {
        Self {
            message_id: message_id.to_owned(),
            created: NaiveDateTime::default(),
            debtor_name: debtor_name.to_owned(),
            debtor_address: None,
            debtor_account,
            debtor_bic: None,
            execution_date,
            payments: Vec::new(),
        }
    }

    /// The number of transactions (`NbOfTxs`).
    #[must_use]
    pub fn number_of_transactions(&self) -> usize {
        self.payments.len()
    }

    /// The control sum (`CtrlSum`): the sum of all amounts, whatever their currency, as the
    /// standard defines it.
    #[must_use]
    pub fn control_sum(&self) -> Decimal {
        self.payments.iter().map(|p| p.amount).sum()
    }

    /// Checks every rule this writer knows; empty means [`CreditTransfer::to_xml`] will work.
    #[must_use]
    pub fn validate(&self) -> Vec<PainError> {
        let mut errors = Vec::new();
        let mut err = |location: &str, problem| {
            errors.push(PainError {
                location: location.to_owned(),
                problem,
            });
        };
        check_id(&mut err, "message id", &self.message_id);
        check_text(&mut err, "debtor name", &self.debtor_name, 70, true);
        if let Some(a) = &self.debtor_address {
            check_address(&mut err, "debtor address", a);
        }
        if let Some(bic) = &self.debtor_bic
            && !is_bic(bic)
        {
            err(
                "debtor BIC",
                PainProblem::Format("a BIC has 8 or 11 letters and digits"),
            );
        }
        if self.debtor_bic.is_none() && self.debtor_account.iid().is_none() {
            err(
                "debtor BIC",
                PainProblem::Format("a BIC is needed for a debtor account outside CH/LI"),
            );
        }
        if self.payments.is_empty() {
            err("payments", PainProblem::NoPayments);
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in self.payments.iter().enumerate() {
            let at = format!("payment {} (end-to-end id {})", i + 1, p.end_to_end_id);
            check_id(&mut err, &format!("{at}: end-to-end id"), &p.end_to_end_id);
            if !seen.insert(p.end_to_end_id.as_str()) {
                err(&format!("{at}: end-to-end id"), PainProblem::DuplicateEndToEndId);
            }
            if p.amount <= Decimal::ZERO || p.amount.normalize().scale() > 2 {
                err(
                    &format!("{at}: amount"),
                    PainProblem::Format("the amount must be more than 0 with at most two decimals"),
                );
            }
            if p.amount >= Decimal::from(1_000_000_000_000_i64) {
                err(
                    &format!("{at}: amount"),
                    PainProblem::Format("the amount is too large"),
                );
            }
            if p.currency.len() != 3 || !p.currency.bytes().all(|b| b.is_ascii_uppercase()) {
                err(
                    &format!("{at}: currency"),
                    PainProblem::Format("three capital letters like CHF"),
                );
            }
            check_text(
                &mut err,
                &format!("{at}: creditor name"),
                &p.creditor_name,
                70,
                true,
            );
            if let Some(a) = &p.creditor_address {
                check_address(&mut err, &format!("{at}: creditor address"), a);
            }
            let qr_iban = p.creditor_account.is_qr_iban();
            match &p.remittance {
                Remittance::Qr(_) if !qr_iban => err(
                    &format!("{at}: reference"),
                    PainProblem::Format("a QR reference needs a QR-IBAN as creditor account"),
                ),
                Remittance::Qr(_) => {}
                _ if qr_iban => err(
                    &format!("{at}: reference"),
                    PainProblem::Format("a payment to a QR-IBAN needs a QR reference"),
                ),
                Remittance::Unstructured(text) => {
                    check_text(&mut err, &format!("{at}: message"), text, 140, true);
                }
                Remittance::None | Remittance::Creditor(_) => {}
            }
        }
        errors
    }

    /// Writes the XML (UTF-8, with declaration).
    ///
    /// # Errors
    /// [`InvalidTransfer`] with every violation [`CreditTransfer::validate`] finds.
    pub fn to_xml(&self) -> Result<String, InvalidTransfer> {
        let errors = self.validate();
        if !errors.is_empty() {
            return Err(InvalidTransfer(errors));
        }
        let mut w = XmlWriter::default();
        w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w.raw(&format!("<Document xmlns=\"{NAMESPACE}\">\n"));
        w.depth = 1;
        w.open("CstmrCdtTrfInitn");
        w.open("GrpHdr");
        w.leaf("MsgId", &self.message_id);
        w.leaf("CreDtTm", &self.created.format("%Y-%m-%dT%H:%M:%S").to_string());
        w.leaf("NbOfTxs", &self.number_of_transactions().to_string());
        w.leaf("CtrlSum", &amount_text(self.control_sum()));
        w.open("InitgPty");
        w.leaf("Nm", &self.debtor_name);
        w.close("InitgPty");
        w.close("GrpHdr");

        // One PmtInf per currency, in order of first appearance.
        let mut currencies: Vec<&str> = Vec::new();
        for p in &self.payments {
            if !currencies.contains(&p.currency.as_str()) {
                currencies.push(&p.currency);
            }
        }
        for (n, currency) in currencies.iter().enumerate() {
            let payments: Vec<&Payment> = self.payments.iter().filter(|p| p.currency == *currency).collect();
            self.write_payment_info(&mut w, n, &payments);
        }
        w.close("CstmrCdtTrfInitn");
        w.depth = 0;
        w.raw("</Document>\n");
        Ok(w.out)
    }

    fn write_payment_info(&self, w: &mut XmlWriter, n: usize, payments: &[&Payment]) {
        w.open("PmtInf");
        let id = if self.message_id.chars().count() <= 31 {
            format!("{}-{}", self.message_id, n + 1)
        } else {
            format!("PMTINF-{}", n + 1)
        };
        w.leaf("PmtInfId", &id);
        w.leaf("PmtMtd", "TRF");
        w.leaf("NbOfTxs", &payments.len().to_string());
        w.leaf("CtrlSum", &amount_text(payments.iter().map(|p| p.amount).sum()));
        w.open("ReqdExctnDt");
        w.leaf("Dt", &self.execution_date.format("%Y-%m-%d").to_string());
        w.close("ReqdExctnDt");
        w.open("Dbtr");
        w.leaf("Nm", &self.debtor_name);
        if let Some(a) = &self.debtor_address {
            write_address(w, a);
        }
        w.close("Dbtr");
        w.open("DbtrAcct");
        w.open("Id");
        w.leaf("IBAN", self.debtor_account.as_str());
        w.close("Id");
        w.close("DbtrAcct");
        w.open("DbtrAgt");
        w.open("FinInstnId");
        if let Some(bic) = &self.debtor_bic {
            w.leaf("BICFI", bic);
        } else if let Some(iid) = self.debtor_account.iid() {
            w.open("ClrSysMmbId");
            w.open("ClrSysId");
            w.leaf("Cd", "CHBCC");
            w.close("ClrSysId");
            w.leaf("MmbId", &format!("{iid:05}"));
            w.close("ClrSysMmbId");
        }
        w.close("FinInstnId");
        w.close("DbtrAgt");
        for p in payments {
            w.open("CdtTrfTxInf");
            w.open("PmtId");
            w.leaf("EndToEndId", &p.end_to_end_id);
            w.close("PmtId");
            w.open("Amt");
            w.raw_indent();
            w.raw(&format!(
                "<InstdAmt Ccy=\"{}\">{}</InstdAmt>\n",
                escape(p.currency.as_str()),
                amount_text(p.amount)
            ));
            w.close("Amt");
            w.open("Cdtr");
            w.leaf("Nm", &p.creditor_name);
            if let Some(a) = &p.creditor_address {
                write_address(w, a);
            }
            w.close("Cdtr");
            w.open("CdtrAcct");
            w.open("Id");
            w.leaf("IBAN", p.creditor_account.as_str());
            w.close("Id");
            w.close("CdtrAcct");
            match &p.remittance {
                Remittance::None => {}
                Remittance::Unstructured(text) => {
                    w.open("RmtInf");
                    w.leaf("Ustrd", text);
                    w.close("RmtInf");
                }
                Remittance::Qr(r) => write_reference(w, "Prtry", "QRR", r.as_str()),
                Remittance::Creditor(r) => write_reference(w, "Cd", "SCOR", r.as_str()),
            }
            w.close("CdtTrfTxInf");
        }
        w.close("PmtInf");
    }
}

fn write_reference(w: &mut XmlWriter, code_element: &str, code: &str, reference: &str) {
    w.open("RmtInf");
    w.open("Strd");
    w.open("CdtrRefInf");
    w.open("Tp");
    w.open("CdOrPrtry");
    w.leaf(code_element, code);
    w.close("CdOrPrtry");
    w.close("Tp");
    w.leaf("Ref", reference);
    w.close("CdtrRefInf");
    w.close("Strd");
    w.close("RmtInf");
}

fn write_address(w: &mut XmlWriter, a: &PostalAddress) {
    w.open("PstlAdr");
    if let Some(street) = &a.street {
        w.leaf("StrtNm", street);
    }
    if let Some(number) = &a.building_number {
        w.leaf("BldgNb", number);
    }
    w.leaf("PstCd", &a.postal_code);
    w.leaf("TwnNm", &a.town);
    w.leaf("Ctry", &a.country);
    w.close("PstlAdr");
}

/// Two decimals, no sign, no exponent.
fn amount_text(amount: Decimal) -> String {
    let mut a = amount;
    a.rescale(2);
    a.to_string()
}

fn is_bic(bic: &str) -> bool {
    let b = bic.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b[4..6].iter().all(u8::is_ascii_uppercase)
}

/// The Swiss `Max35Text` of message and end-to-end ids.
fn check_id(err: &mut impl FnMut(&str, PainProblem), location: &str, value: &str) {
    if value.trim().is_empty() {
        err(location, PainProblem::Missing);
        return;
    }
    let found = value.chars().count();
    if found > 35 {
        err(location, PainProblem::TooLong { max: 35, found });
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+?/-:().,' ".contains(*c)))
    {
        err(
            location,
            PainProblem::Character {
                found: c,
                allowed: "A-Z a-z 0-9 + ? / - : ( ) . , ' and space",
            },
        );
    }
}

/// Length and the character set of the Swiss Payment Standards (as in the QR-bill).
fn check_text(
    err: &mut impl FnMut(&str, PainProblem),
    location: &str,
    value: &str,
    max: usize,
    required: bool,
) {
    if value.trim().is_empty() {
        if required {
            err(location, PainProblem::Missing);
        }
        return;
    }
    let found = value.chars().count();
    if found > max {
        err(location, PainProblem::TooLong { max, found });
    }
    if let Some(c) = value.chars().find(|c| !crate::qrbill::is_allowed_char(*c)) {
        err(
            location,
            PainProblem::Character {
                found: c,
                allowed: "Latin characters of the Swiss Payment Standards",
            },
        );
    }
}

fn check_address(err: &mut impl FnMut(&str, PainProblem), location: &str, a: &PostalAddress) {
    if let Some(street) = &a.street {
        check_text(err, &format!("{location} street"), street, 70, false);
    }
    if let Some(number) = &a.building_number {
        check_text(err, &format!("{location} building number"), number, 16, false);
    }
    check_text(err, &format!("{location} postal code"), &a.postal_code, 16, true);
    check_text(err, &format!("{location} town"), &a.town, 35, true);
    if a.country.len() != 2 || !a.country.bytes().all(|b| b.is_ascii_uppercase()) {
        err(
            &format!("{location} country"),
            PainProblem::Format("two capital letters (ISO 3166-1) like CH"),
        );
    }
}

/// A minimal indenting writer; text is escaped with `quick_xml::escape`.
#[derive(Debug, Default)]
struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn raw_indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.raw_indent();
        let _ = writeln!(self.out, "<{name}>");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.raw_indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.raw_indent();
        let _ = writeln!(self.out, "<{name}>{}</{name}>", escape(text));
    }
}

#[cfg(test)]
#[path = "pain_tests.rs"]
mod tests;
