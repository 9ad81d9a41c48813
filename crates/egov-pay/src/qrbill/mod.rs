//! The Swiss QR-bill (SIX Implementation Guidelines QR-bill v2.3): model, validation and the
//! Swiss Payments Code payload (`SPC` / `0200` / `1`).
//!
//! A [`QrBill`] holds what the QR code carries. [`QrBill::validate`] checks every element
//! against the guidelines and returns all violations at once, each naming its [`Field`];
//! [`QrBill::warnings`] reports what is allowed but deprecated or suspicious.
//! [`QrBill::encode`] writes the payload, [`QrBill::decode`] reads one (with the same checks).
//!
//! ```
//! use egov_pay::qrbill::{Address, Amount, Currency, QrBill, Reference, Separator};
//!
//! let mut bill = QrBill::new(
//!     "CH44 3199 9123 0008 8901 2".parse()?,
//!     Address::new("Gemeinde Muster", "8000", "Seldwyla", "CH").with_street("Dorfstrasse", "1"),
//!     Currency::Chf,
//! );
//! bill.amount = Some("120.50".parse()?);
//! bill.reference = Reference::qr("310014", "2025000123")?;
//! bill.unstructured_message = Some("Hundesteuer 2026".into());
//! assert!(bill.validate().is_empty());
//!
//! let payload = bill.encode(Separator::CrLf)?;
//! assert!(payload.starts_with("SPC\r\n0200\r\n1\r\nCH4431999123000889012\r\nS\r\n"));
//! assert!(payload.ends_with("Hundesteuer 2026\r\nEPD"));
//! assert_eq!(QrBill::decode(&payload)?.bill, bill);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod payload;
#[cfg(test)]
mod rule_tests;
mod validate;

use std::fmt;
use std::str::FromStr;

use egov_core::{CreditorReference, Iban, QrReference};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use payload::{DecodeError, Decoded, EncodeError, Separator};
pub(crate) use validate::is_allowed_char;
pub use validate::{ErrorKind, Field, ValidationError, ValidationWarning, WarningKind};

/// The texts IG §4.4 prescribes for a notification bill ("DO NOT USE FOR PAYMENT", amount 0.00),
/// in German, French, Italian and English. The guidelines give no Romansh text.
pub const NOTIFICATION_TEXTS: [&str; 4] = [
    "NICHT ZUR ZAHLUNG VERWENDEN",
    "NE PAS UTILISER POUR LE PAIEMENT",
    "NON UTILIZZARE PER IL PAGAMENTO",
    "DO NOT USE FOR PAYMENT",
];

/// A Swiss QR-bill: everything its Swiss QR Code carries.
///
/// Fields are public; build one with [`QrBill::new`] and set the rest. Nothing is checked on
/// assignment: call [`QrBill::validate`] (or [`QrBill::encode`], which validates).
///
/// Serde: addresses as objects, the account and references as their compact strings, the
/// amount as a decimal string with two places (`"20.00"`), the currency as `"CHF"`/`"EUR"`,
/// the reference as `{"type": "QRR", "reference": "21000…"}` (`"SCOR"`, or `{"type": "NON"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrBill {
    /// The creditor's IBAN or QR-IBAN (CH or LI only).
    pub account: Iban,
    /// The creditor ("Account / Payable to"), the holder of the account.
    pub creditor: Address,
    /// The amount; `None` leaves it for the payer to fill in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// CHF or EUR.
    pub currency: Currency,
    /// The ultimate debtor ("Payable by"); `None` leaves the field blank for the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ultimate_debtor: Option<Address>,
    /// The payment reference: QRR (with a QR-IBAN), SCOR or none (with an IBAN).
    #[serde(default)]
    pub reference: Reference,
    /// The unstructured message (`Ustrd`), at most 140 characters together with the billing
    /// information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unstructured_message: Option<String>,
    /// The billing information (`StrdBkgInf`), starting with `//`, for example Swico S1
    /// (see [`crate::swico::SwicoS1`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_information: Option<String>,
    /// Up to two alternative procedures (`AltPmt`), at most 100 characters each, such as
    /// `eBill/B/peter@example.com`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternative_procedures: Vec<String>,
}

impl QrBill {
    /// A bill without amount, debtor, reference or messages.
    #[must_use]
    pub fn new(account: Iban, creditor: Address, currency: Currency) -> Self {
        Self {
            account,
            creditor,
            amount: None,
            currency,
            ultimate_debtor: None,
            reference: Reference::None,
            unstructured_message: None,
            billing_information: None,
            alternative_procedures: Vec::new(),
        }
    }

    /// Sets a QR reference built from a biller's customer id (may be empty) and an invoice
    /// number, see [`QrReference::with_customer_id`]. The account must be a QR-IBAN.
    ///
    /// # Errors
    /// When the parts have non-digits, more than 26 digits together, or only zeros.
    pub fn set_qr_reference(&mut self, customer_id: &str, number: &str) -> Result<(), egov_core::Error> {
        self.reference = Reference::qr(customer_id, number)?;
        Ok(())
    }

    /// Sets an ISO 11649 creditor reference built from `body`, see
    /// [`CreditorReference::from_body`]. The account must be a regular IBAN.
    ///
    /// # Errors
    /// When the body is empty, longer than 21 characters or not alphanumeric.
    pub fn set_creditor_reference(&mut self, body: &str) -> Result<(), egov_core::Error> {
        self.reference = Reference::creditor(body)?;
        Ok(())
    }

    /// Whether this is a notification bill ("DO NOT USE FOR PAYMENT", IG §4.4): amount 0.00 and
    /// one of the [`NOTIFICATION_TEXTS`] as the unstructured message.
    #[must_use]
    pub fn is_notification(&self) -> bool {
        self.amount == Some(Amount::ZERO)
            && self
                .unstructured_message
                .as_deref()
                .is_some_and(|m| NOTIFICATION_TEXTS.contains(&m))
    }
}

/// How an address is structured in the payload (`AdrTp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum AddressType {
    /// `S`: structured address, the only type IG v2.3 allows.
    #[default]
    #[serde(rename = "S")]
    Structured,
    /// `K`: combined address (two free address lines), removed in IG v2.3. Only decoded from old
    /// bills, and then reported by [`QrBill::warnings`].
    #[serde(rename = "K")]
    Combined,
}

impl AddressType {
    /// The code in the payload: `S` or `K`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Structured => "S",
            Self::Combined => "K",
        }
    }

    fn is_structured(&self) -> bool {
        *self == Self::Structured
    }
}

/// A postal address of the creditor or the ultimate debtor.
///
/// For a structured address (the norm) the fields mean what they say. For a legacy combined
/// address (type `K`, only from decoding old bills) `street` holds address line 1 and
/// `building_number` address line 2 (postal code and town), like the payload elements
/// `StrtNmOrAdrLine1` and `BldgNbOrAdrLine2`; `postal_code` and `town` stay empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// `S` (default) or the legacy `K`.
    #[serde(default, skip_serializing_if = "AddressType::is_structured")]
    pub address_type: AddressType,
    /// First name and last name, or the company name; at most 70 characters.
    pub name: String,
    /// Street or P.O. box, at most 70 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Building number, at most 16 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    /// Postal code without country prefix, at most 16 characters.
    #[serde(default)]
    pub postal_code: String,
    /// Town, at most 35 characters.
    #[serde(default)]
    pub town: String,
    /// ISO 3166-1 alpha-2 country code (`CH`).
    pub country: String,
}

impl Address {
    /// A structured address without street.
    #[must_use]
    pub fn new(name: &str, postal_code: &str, town: &str, country: &str) -> Self {
        Self {
            address_type: AddressType::Structured,
            name: name.to_owned(),
            street: None,
            building_number: None,
            postal_code: postal_code.to_owned(),
            town: town.to_owned(),
            country: country.to_owned(),
        }
    }

    /// The same address with a street and building number (an empty string leaves one out).
    #[must_use]
    pub fn with_street(mut self, street: &str, building_number: &str) -> Self {
        self.street = Some(street.to_owned()).filter(|s| !s.is_empty());
        self.building_number = Some(building_number.to_owned()).filter(|s| !s.is_empty());
        self
    }

    /// A legacy combined address (type `K`, IG v2.2): name, two free lines and the country.
    /// Only for reproducing old bills; IG v2.3 no longer allows it.
    #[must_use]
    pub fn combined(name: &str, line1: &str, line2: &str, country: &str) -> Self {
        Self {
            address_type: AddressType::Combined,
            name: name.to_owned(),
            street: Some(line1.to_owned()).filter(|s| !s.is_empty()),
            building_number: Some(line2.to_owned()).filter(|s| !s.is_empty()),
            postal_code: String::new(),
            town: String::new(),
            country: country.to_owned(),
        }
    }
}

/// The payment currency: only CHF and EUR are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Swiss franc.
    #[serde(rename = "CHF")]
    Chf,
    /// Euro.
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    /// The ISO 4217 code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Chf => "CHF",
            Self::Eur => "EUR",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The payment reference and its type (`RmtInf/Tp` and `RmtInf/Ref`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "type", content = "reference")]
pub enum Reference {
    /// `QRR`: a QR reference; requires a QR-IBAN.
    #[serde(rename = "QRR")]
    Qrr(QrReference),
    /// `SCOR`: an ISO 11649 creditor reference; requires a regular IBAN.
    #[serde(rename = "SCOR")]
    Scor(CreditorReference),
    /// `NON`: no reference; requires a regular IBAN.
    #[default]
    #[serde(rename = "NON")]
    None,
}

impl Reference {
    /// A QR reference from a customer id (may be empty) and a number, see
    /// [`QrReference::with_customer_id`].
    ///
    /// ```
    /// use egov_pay::qrbill::Reference;
    /// let r = Reference::qr("310014", "18310019779911119")?;
    /// assert_eq!(r.as_str(), Some("310014000183100197799111196"));
    /// # Ok::<(), egov_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// When the parts have non-digits, more than 26 digits together, or only zeros.
    pub fn qr(customer_id: &str, number: &str) -> Result<Self, egov_core::Error> {
        QrReference::with_customer_id(customer_id, number).map(Self::Qrr)
    }

    /// A creditor reference (`RF…`) from its body, see [`CreditorReference::from_body`].
    ///
    /// # Errors
    /// When the body is empty, longer than 21 characters or not alphanumeric.
    pub fn creditor(body: &str) -> Result<Self, egov_core::Error> {
        CreditorReference::from_body(body).map(Self::Scor)
    }

    /// The type code in the payload: `QRR`, `SCOR` or `NON`.
    #[must_use]
    pub const fn type_code(&self) -> &'static str {
        match self {
            Self::Qrr(_) => "QRR",
            Self::Scor(_) => "SCOR",
            Self::None => "NON",
        }
    }

    /// The reference as it goes into the payload (no spaces), if there is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Qrr(r) => Some(r.as_str()),
            Self::Scor(r) => Some(r.as_str()),
            Self::None => None,
        }
    }
}

/// An amount of money in minor units (hundredths), at most 999 999 999.99.
///
/// Displays and serialises as a decimal string with two places (`"20.00"`); parses `"20"`,
/// `"20.5"` or `"20.50"`. Never a float.
///
/// ```
/// use egov_pay::qrbill::Amount;
/// let a: Amount = "1590.5".parse()?;
/// assert_eq!(a.minor_units(), 159_050);
/// assert_eq!(a.to_string(), "1590.50");
/// assert!("1000000000.00".parse::<Amount>().is_err());
/// # Ok::<(), egov_pay::qrbill::AmountError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(u64);

impl Amount {
    /// 0.00, only for notification bills (IG §4.4).
    pub const ZERO: Self = Self(0);
    /// 0.01, the smallest amount to pay.
    pub const MIN: Self = Self(1);
    /// 999 999 999.99, the largest amount.
    pub const MAX: Self = Self(99_999_999_999);

    /// The amount of `minor` hundredths.
    ///
    /// # Errors
    /// When it exceeds [`Amount::MAX`].
    pub const fn from_minor_units(minor: u64) -> Result<Self, AmountError> {
        if minor > Self::MAX.0 {
            Err(AmountError::TooLarge)
        } else {
            Ok(Self(minor))
        }
    }

    /// The amount in hundredths.
    #[must_use]
    pub const fn minor_units(self) -> u64 {
        self.0
    }

    /// The amount as a decimal with two places.
    #[must_use]
    pub fn to_decimal(self) -> Decimal {
        // At most 99_999_999_999, which fits an i64.
        Decimal::new(i64::try_from(self.0).unwrap_or(i64::MAX), 2)
    }
}

impl TryFrom<Decimal> for Amount {
    type Error = AmountError;

    fn try_from(value: Decimal) -> Result<Self, AmountError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative);
        }
        let scaled = value * Decimal::ONE_HUNDRED;
        if !scaled.fract().is_zero() {
            return Err(AmountError::TooManyDecimals);
        }
        let minor = u64::try_from(scaled.trunc()).map_err(|_| AmountError::TooLarge)?;
        Self::from_minor_units(minor)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Self, AmountError> {
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(AmountError::Format);
        }
        if frac.len() > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        let int = int.trim_start_matches('0');
        if int.len() > 9 {
            return Err(AmountError::TooLarge);
        }
        let whole: u64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| AmountError::Format)?
        };
        let mut cents: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| AmountError::Format)?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        Self::from_minor_units(whole * 100 + cents)
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a text is not an [`Amount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Nothing given.
    #[error("amount: empty")]
    Empty,
    /// Not digits with an optional decimal point.
    #[error("amount: expected digits with an optional decimal point, such as 20.50")]
    Format,
    /// More than two decimal places.
    #[error("amount: at most two decimal places")]
    TooManyDecimals,
    /// Above 999 999 999.99.
    #[error("amount: at most 999999999.99")]
    TooLarge,
    /// Below zero.
    #[error("amount: must not be negative")]
    Negative,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_parse_and_display() {
        assert_eq!("0.01".parse::<Amount>().unwrap(), Amount::MIN);
        assert_eq!("999999999.99".parse::<Amount>().unwrap(), Amount::MAX);
        assert_eq!("20".parse::<Amount>().unwrap().to_string(), "20.00");
        assert_eq!("007.5".parse::<Amount>().unwrap().minor_units(), 750);
        assert_eq!("1000000000".parse::<Amount>(), Err(AmountError::TooLarge));
        assert_eq!("1.005".parse::<Amount>(), Err(AmountError::TooManyDecimals));
        assert_eq!("-1.00".parse::<Amount>(), Err(AmountError::Format));
        assert_eq!("1,00".parse::<Amount>(), Err(AmountError::Format));
        assert_eq!(".50".parse::<Amount>(), Err(AmountError::Format));
        assert_eq!("".parse::<Amount>(), Err(AmountError::Empty));
        assert_eq!(
            Amount::from_minor_units(100_000_000_000),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn amount_decimal_conversion() {
        let d = Decimal::new(12345, 2);
        assert_eq!(Amount::try_from(d).unwrap().to_decimal(), d);
        assert_eq!(
            Amount::try_from(Decimal::new(1, 3)),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(Amount::try_from(Decimal::new(-1, 0)), Err(AmountError::Negative));
        assert_eq!(
            Amount::try_from(Decimal::new(1_000_000_000, 0)),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn serde_json_shape() {
        let mut bill = QrBill::new(
            "CH5800791123000889012".parse().unwrap(),
            Address::new("Muster AG", "8000", "Zürich", "CH").with_street("Bahnhofstrasse", "1"),
            Currency::Eur,
        );
        bill.amount = Some("20".parse().unwrap());
        bill.reference = Reference::creditor("539007547034").unwrap();
        let json = serde_json::to_value(&bill).unwrap();
        assert_eq!(json["amount"], "20.00");
        assert_eq!(json["currency"], "EUR");
        assert_eq!(json["account"], "CH5800791123000889012");
        assert_eq!(json["reference"]["type"], "SCOR");
        assert_eq!(json["reference"]["reference"], "RF18539007547034");
        assert!(json["creditor"].get("address_type").is_none());
        let back: QrBill = serde_json::from_value(json).unwrap();
        assert_eq!(back, bill);

        let minimal: QrBill = serde_json::from_str(
            r#"{"account":"CH58 0079 1123 0008 8901 2","currency":"CHF",
                "creditor":{"name":"A","postal_code":"3000","town":"Bern","country":"CH"}}"#,
        )
        .unwrap();
        assert_eq!(minimal.reference, Reference::None);
        assert_eq!(minimal.amount, None);
        assert!(
            serde_json::from_str::<Amount>("20.00").is_err(),
            "a JSON number is not accepted"
        );
        assert!(serde_json::from_str::<Amount>("\"20.001\"").is_err());
    }

    #[test]
    fn references() {
        let r = Reference::qr("", "123456").unwrap();
        assert_eq!(r.as_str(), Some("000000000000000000001234565"));
        assert_eq!(r.type_code(), "QRR");
        assert!(Reference::qr("12345A", "1").is_err());
        assert_eq!(Reference::creditor("7").unwrap().as_str(), Some("RF097"));
        assert_eq!(Reference::None.as_str(), None);
    }
}
