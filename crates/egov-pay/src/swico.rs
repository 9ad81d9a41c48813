//! Swico S1 billing information (IG QR-bill v2.3 Annex D; Swico "Syntaxdefinition S1" v1.2):
//! the structured content of the `StrdBkgInf` element, `//S1/10/…/11/…`.
//!
//! ```
//! use egov_pay::swico::{PaymentCondition, SwicoS1};
//! use chrono::NaiveDate;
//! use rust_decimal::Decimal;
//!
//! let info = SwicoS1 {
//!     invoice_number: Some("X.66711/8824".into()),
//!     invoice_date: NaiveDate::from_ymd_opt(2020, 7, 12),
//!     vat_number: Some("CHE-107.978.798".parse()?),
//!     payment_conditions: vec![PaymentCondition { discount: Decimal::ZERO, days: 30 }],
//!     ..SwicoS1::default()
//! };
//! let text = info.encode()?;
//! assert_eq!(text, r"//S1/10/X.66711\/8824/11/200712/30/107978798/40/0:30");
//! assert_eq!(SwicoS1::decode(&text), Some(info));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, NaiveTime};
use egov_core::{Uid, UidCategory};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The prefix of Swico S1 billing information.
pub const PREFIX: &str = "//S1/";

/// Structured billing information after Swico S1. Every part is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SwicoS1 {
    /// `/10/` invoice number (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// `/11/` invoice date, the reference date of the payment conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_date: Option<NaiveDate>,
    /// `/20/` customer reference (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
    /// `/30/` the biller's UID (VAT number); encoded as its nine digits, so a register suffix
    /// (`MWST`) is dropped and decoding gives the UID without suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<Uid>,
    /// `/31/` the VAT date: the date of the service or its start and end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_dates: Option<VatDates>,
    /// `/32/` the VAT details: one rate for the whole amount, or rates with net amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_details: Option<VatDetails>,
    /// `/33/` import VAT: rates with the pure VAT amount.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vat_import_taxes: Vec<RateAmount>,
    /// `/40/` payment conditions: discounts with their deadline in days; `0:30` means net
    /// 30 days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_conditions: Vec<PaymentCondition>,
}

/// The `/31/` VAT date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatDates {
    /// The date the service was provided.
    Single(NaiveDate),
    /// The period of the service, for example a subscription.
    Range {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
}

/// The `/32/` VAT details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatDetails {
    /// One rate in percent for the whole invoiced amount (`/32/8.1`).
    Rate(Decimal),
    /// Rates with the net amounts they apply to (`/32/8.1:1000;2.6:51.80`).
    Amounts(Vec<RateAmount>),
}

/// A VAT rate in percent with an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateAmount {
    /// The rate in percent (`8.1`).
    pub rate: Decimal,
    /// The net amount (`/32/`) or the pure VAT amount (`/33/`).
    pub amount: Decimal,
}

/// A discount in percent if paid within `days` of the invoice date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCondition {
    /// The discount in percent; 0 marks the payment deadline.
    pub discount: Decimal,
    /// Days after the invoice date.
    pub days: u32,
}

/// Why billing information cannot be encoded in Swico S1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SwicoError {
    /// Dates are written YYMMDD, so only 2000–2099 fit.
    #[error("Swico S1 /{tag}/: the year {year} cannot be written as YYMMDD (2000-2099 only)")]
    Year {
        /// The tag (11 or 31).
        tag: u8,
        /// The year.
        year: i32,
    },
    /// Rates and amounts must not be negative.
    #[error("Swico S1 /{tag}/: negative numbers are not allowed")]
    Negative {
        /// The tag (32, 33 or 40).
        tag: u8,
    },
}

impl SwicoS1 {
    /// Whether nothing is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Writes `//S1/…`: tags in ascending order, empty parts left out, `/` and `\` in texts
    /// escaped as `\/` and `\\`, numbers with `.` and no trailing zeros, dates as YYMMDD.
    ///
    /// # Errors
    /// A date outside 2000–2099 or a negative number.
    pub fn encode(&self) -> Result<String, SwicoError> {
        let mut out = String::from("//S1");
        let put = |out: &mut String, tag: u8, value: &str| {
            if !value.is_empty() {
                let _ = write!(out, "/{tag}/{value}");
            }
        };
        put(
            &mut out,
            10,
            &escape(self.invoice_number.as_deref().unwrap_or_default()),
        );
        if let Some(date) = self.invoice_date {
            put(&mut out, 11, &yymmdd(11, date)?);
        }
        put(
            &mut out,
            20,
            &escape(self.customer_reference.as_deref().unwrap_or_default()),
        );
        if let Some(uid) = self.vat_number {
            put(&mut out, 30, &format!("{:09}", uid.number()));
        }
        match self.vat_dates {
            Some(VatDates::Single(d)) => put(&mut out, 31, &yymmdd(31, d)?),
            Some(VatDates::Range { start, end }) => {
                put(
                    &mut out,
                    31,
                    &format!("{}{}", yymmdd(31, start)?, yymmdd(31, end)?),
                );
            }
            None => {}
        }
        match &self.vat_details {
            Some(VatDetails::Rate(rate)) => put(&mut out, 32, &number(32, *rate)?),
            Some(VatDetails::Amounts(list)) => put(&mut out, 32, &rate_list(32, list)?),
            None => {}
        }
        put(&mut out, 33, &rate_list(33, &self.vat_import_taxes)?);
        let conditions = self
            .payment_conditions
            .iter()
            .map(|c| Ok(format!("{}:{}", number(40, c.discount)?, c.days)))
            .collect::<Result<Vec<_>, SwicoError>>()?;
        put(&mut out, 40, &conditions.join(";"));
        if out.len() == 4 {
            out.push('/');
        }
        Ok(out)
    }

    /// Reads `//S1/…` billing information. Like the reference implementation, it keeps what it
    /// can read and ignores the rest: unknown or malformed tags, tags without value, invalid
    /// dates, numbers and list items, a `/30/` that is not a valid UID. Tags out of order are
    /// read; a repeated tag overwrites the earlier one. Dates written YYMMDDHHMM or
    /// YYMMDDHHMMSS (seen in the wild) give their date. `None` when the text does not start
    /// with `//S1/`.
    #[must_use]
    pub fn decode(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(PREFIX)?;
        let mut info = Self::default();
        let parts = split(rest);
        for pair in parts.chunks_exact(2) {
            let (tag, value) = (&pair[0], pair[1].as_str());
            if value.is_empty() || tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            match tag.parse::<u32>() {
                Ok(10) => info.invoice_number = Some(value.to_owned()),
                Ok(11) => {
                    if let Some(d) = read_date(value) {
                        info.invoice_date = Some(d);
                    }
                }
                Ok(20) => info.customer_reference = Some(value.to_owned()),
                Ok(30) => {
                    if let Some(uid) = read_uid(value) {
                        info.vat_number = Some(uid);
                    }
                }
                Ok(31) => {
                    if let Some(dates) = read_vat_dates(value) {
                        info.vat_dates = Some(dates);
                    }
                }
                Ok(32) => {
                    if !value.contains([':', ';']) {
                        info.vat_details = read_number(value).map(VatDetails::Rate);
                    } else {
                        let list = read_rate_list(value);
                        info.vat_details = (!list.is_empty()).then_some(VatDetails::Amounts(list));
                    }
                }
                Ok(33) => info.vat_import_taxes = read_rate_list(value),
                Ok(40) => {
                    let list: Vec<PaymentCondition> = value
                        .split(';')
                        .filter_map(|item| {
                            let (d, days) = item.split_once(':')?;
                            if days.contains(':') || !days.bytes().all(|b| b.is_ascii_digit()) {
                                return None;
                            }
                            Some(PaymentCondition {
                                discount: read_number(d)?,
                                days: days.parse().ok()?,
                            })
                        })
                        .collect();
                    if !list.is_empty() {
                        info.payment_conditions = list;
                    }
                }
                _ => {}
            }
        }
        Some(info)
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('/', "\\/")
}

/// Splits at unescaped `/` and undoes `\/` and `\\`; a backslash before anything else stays.
fn split(s: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('/' | '\\')) => {
                if let (Some(next), Some(last)) = (chars.next(), parts.last_mut()) {
                    last.push(next);
                }
            }
            '/' => parts.push(String::new()),
            c => {
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    parts
}

fn yymmdd(tag: u8, date: NaiveDate) -> Result<String, SwicoError> {
    let year = date.year();
    if !(2000..=2099).contains(&year) {
        return Err(SwicoError::Year { tag, year });
    }
    Ok(format!("{:02}{:02}{:02}", year - 2000, date.month(), date.day()))
}

fn number(tag: u8, value: Decimal) -> Result<String, SwicoError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(SwicoError::Negative { tag });
    }
    Ok(value.normalize().to_string())
}

fn rate_list(tag: u8, list: &[RateAmount]) -> Result<String, SwicoError> {
    let items = list
        .iter()
        .map(|r| Ok(format!("{}:{}", number(tag, r.rate)?, number(tag, r.amount)?)))
        .collect::<Result<Vec<_>, SwicoError>>()?;
    Ok(items.join(";"))
}

fn two_digits(s: &str) -> Option<u32> {
    s.parse().ok()
}

/// YYMMDD (the specification), or YYMMDDHHMM / YYMMDDHHMMSS as seen in production.
fn read_date(s: &str) -> Option<NaiveDate> {
    if !matches!(s.len(), 6 | 10 | 12) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = 2000 + i32::try_from(two_digits(&s[0..2])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, two_digits(&s[2..4])?, two_digits(&s[4..6])?)?;
    if s.len() > 6 {
        let seconds = if s.len() == 12 { two_digits(&s[10..12])? } else { 0 };
        NaiveTime::from_hms_opt(two_digits(&s[6..8])?, two_digits(&s[8..10])?, seconds)?;
    }
    Some(date)
}

fn read_vat_dates(s: &str) -> Option<VatDates> {
    match s.len() {
        6 => read_date(s).map(VatDates::Single),
        12 => Some(VatDates::Range {
            start: read_date(&s[..6])?,
            end: read_date(&s[6..])?,
        }),
        _ => None,
    }
}

fn read_uid(s: &str) -> Option<Uid> {
    if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Uid::from_ech0097(UidCategory::Che, s.parse().ok()?).ok()
}

/// Digits with at most one decimal point inside; no sign, no exponent.
fn read_number(s: &str) -> Option<Decimal> {
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    if int.is_empty() || frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn read_rate_list(s: &str) -> Vec<RateAmount> {
    s.split(';')
        .filter_map(|item| {
            let (rate, amount) = item.split_once(':')?;
            Some(RateAmount {
                rate: read_number(rate)?,
                amount: read_number(amount)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn annex_d_example_2_round_trip() {
        let info = SwicoS1 {
            invoice_number: Some("10104".into()),
            invoice_date: Some(d(2018, 2, 28)),
            vat_number: Some(Uid::from_ech0097(UidCategory::Che, 395_856_455).unwrap()),
            vat_dates: Some(VatDates::Range {
                start: d(2018, 2, 26),
                end: d(2018, 2, 27),
            }),
            vat_details: Some(VatDetails::Amounts(vec![
                RateAmount {
                    rate: dec("3.7"),
                    amount: dec("400.19"),
                },
                RateAmount {
                    rate: dec("7.7"),
                    amount: dec("553.39"),
                },
                RateAmount {
                    rate: dec("0"),
                    amount: dec("14.00"),
                },
            ])),
            payment_conditions: vec![PaymentCondition {
                discount: dec("0"),
                days: 30,
            }],
            ..SwicoS1::default()
        };
        let text = info.encode().unwrap();
        assert_eq!(
            text,
            "//S1/10/10104/11/180228/30/395856455/31/180226180227/32/3.7:400.19;7.7:553.39;0:14/40/0:30"
        );
        assert_eq!(SwicoS1::decode(&text).unwrap(), info);
    }

    #[test]
    fn escaping() {
        let info = SwicoS1 {
            customer_reference: Some(r"MW-2020\04/a".into()),
            ..SwicoS1::default()
        };
        let text = info.encode().unwrap();
        assert_eq!(text, r"//S1/20/MW-2020\\04\/a");
        assert_eq!(SwicoS1::decode(&text).unwrap(), info);
        // A backslash before another character stays as it is.
        assert_eq!(
            SwicoS1::decode(r"//S1/20/\405-1")
                .unwrap()
                .customer_reference
                .as_deref(),
            Some(r"\405-1")
        );
    }

    #[test]
    fn decode_ignores_invalid_parts() {
        let info =
            SwicoS1::decode("//S1/10/A/11/190570/31/190501190532/32/3.5./33/8:B;2.5:1/40/x:1;2:30").unwrap();
        assert_eq!(info.invoice_number.as_deref(), Some("A"));
        assert_eq!(info.invoice_date, None);
        assert_eq!(info.vat_dates, None);
        assert_eq!(info.vat_details, None);
        assert_eq!(
            info.vat_import_taxes,
            vec![RateAmount {
                rate: dec("2.5"),
                amount: dec("1")
            }]
        );
        assert_eq!(
            info.payment_conditions,
            vec![PaymentCondition {
                discount: dec("2"),
                days: 30
            }]
        );
        // An invalid UID check digit is ignored, a valid one kept.
        assert_eq!(SwicoS1::decode("//S1/30/123456789").unwrap().vat_number, None);
        assert!(SwicoS1::decode("//S1/30/106017086").unwrap().vat_number.is_some());
        // Wrong start.
        assert_eq!(SwicoS1::decode("/S1/10/X"), None);
        assert_eq!(SwicoS1::decode("//S1/").unwrap(), SwicoS1::default());
        // Time-stamped dates from the wild.
        assert_eq!(
            SwicoS1::decode("//S1/11/2007012107").unwrap().invoice_date,
            Some(d(2020, 7, 1))
        );
        assert_eq!(SwicoS1::decode("//S1/11/2003011288").unwrap().invoice_date, None);
    }

    #[test]
    fn encode_errors_and_empty() {
        assert_eq!(SwicoS1::default().encode().unwrap(), "//S1/");
        assert!(SwicoS1::default().is_empty());
        let old = SwicoS1 {
            invoice_date: Some(d(1999, 12, 31)),
            ..SwicoS1::default()
        };
        assert_eq!(old.encode(), Err(SwicoError::Year { tag: 11, year: 1999 }));
        let negative = SwicoS1 {
            vat_details: Some(VatDetails::Rate(dec("-1"))),
            ..SwicoS1::default()
        };
        assert_eq!(negative.encode(), Err(SwicoError::Negative { tag: 32 }));
    }
}
