//! Payment references: the Swiss QR reference and the ISO 11649 creditor reference.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind, string_serde};
use crate::iban::mod97;

/// The table of the recursive mod-10 check digit (Swiss Implementation Guidelines QR-bill,
/// Annex B).
const MOD10_TABLE: [u8; 10] = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];

fn mod10_recursive(digits: &[u8]) -> u8 {
    let mut carry = 0u8;
    for d in digits {
        carry = MOD10_TABLE[usize::from((carry + d) % 10)];
    }
    (10 - carry) % 10
}

/// A QR reference (QRR, formerly ESR/BVR reference): 27 digits, the last a recursive mod-10
/// check digit, not all zeros. It goes with a QR-IBAN.
///
/// Parsing ignores spaces; [`Display`](fmt::Display) groups as `21 00000 00003 13947 14300 09017`;
/// [`QrReference::canonical`] and serde give the 27 digits.
///
/// ```
/// use egov_core::QrReference;
///
/// let r: QrReference = "21 00000 00003 13947 14300 09017".parse()?;
/// assert_eq!(r.as_str(), "210000000003139471430009017");
/// // Build one from an invoice number, with a biller's customer id in front:
/// let r = QrReference::with_customer_id("310014", "18310019779911119")?;
/// assert_eq!(r.as_str(), "310014000183100197799111196");
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QrReference(String);

impl QrReference {
    /// Pads `number` (digits, spaces ignored) with zeros on the left to 26 digits and appends
    /// the check digit.
    ///
    /// # Errors
    /// When `number` has non-digits, more than 26 digits, or only zeros.
    pub fn from_number(number: &str) -> Result<Self, Error> {
        Self::with_customer_id("", number)
    }

    /// Builds `customer_id`, zeros, `number` and the check digit: the layout banks give billers
    /// who put their customer id at the start of the reference.
    ///
    /// # Errors
    /// When either part has non-digits, they have more than 26 digits together, or the result
    /// would be all zeros.
    pub fn with_customer_id(customer_id: &str, number: &str) -> Result<Self, Error> {
        let customer = digits_of(customer_id)?;
        let body = digits_of(number)?;
        if customer.len() + body.len() > 26 {
            return Err(Error::Length {
                kind: Kind::QrReference,
                expected: "at most 26 digits before the check digit",
                found: customer.len() + body.len(),
            });
        }
        let mut digits = customer;
        digits.resize(26 - body.len(), 0);
        digits.extend(body);
        if digits.iter().all(|d| *d == 0) {
            return Err(Error::Invalid {
                kind: Kind::QrReference,
                reason: "a QR reference must not be all zeros",
            });
        }
        digits.push(mod10_recursive(&digits));
        Ok(Self(digits.iter().map(|d| char::from(b'0' + d)).collect()))
    }

    /// The 27 digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 27 digits as an owned string.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.0.clone()
    }
}

fn digits_of(s: &str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        let Some(d) = c.to_digit(10) else {
            return Err(Error::Character {
                kind: Kind::QrReference,
                position: i + 1,
                found: c,
                expected: "a digit",
            });
        };
        out.push(u8::try_from(d).unwrap_or(0));
    }
    Ok(out)
}

impl FromStr for QrReference {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let digits = digits_of(input)?;
        if digits.is_empty() {
            return Err(Error::Empty {
                kind: Kind::QrReference,
            });
        }
        if digits.len() != 27 {
            return Err(Error::Length {
                kind: Kind::QrReference,
                expected: "27 digits",
                found: digits.len(),
            });
        }
        if digits.iter().all(|d| *d == 0) {
            return Err(Error::Invalid {
                kind: Kind::QrReference,
                reason: "a QR reference must not be all zeros",
            });
        }
        let expected = mod10_recursive(&digits[..26]);
        if expected != digits[26] {
            return Err(Error::CheckDigit {
                kind: Kind::QrReference,
                expected: expected.to_string(),
                found: digits[26].to_string(),
            });
        }
        Ok(Self(digits.iter().map(|d| char::from(b'0' + d)).collect()))
    }
}

impl fmt::Display for QrReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0[..2])?;
        for chunk in 0..5 {
            write!(f, " {}", &self.0[2 + chunk * 5..7 + chunk * 5])?;
        }
        Ok(())
    }
}

string_serde!(QrReference, "a 27-digit QR reference");

/// An ISO 11649 creditor reference (`RF` + two check digits + up to 21 letters or digits), the
/// structured reference (SCOR) of a QR-bill with a regular IBAN.
///
/// Parsing ignores spaces and case (banks do not distinguish case); [`Display`](fmt::Display)
/// groups by four (`RF18 5390 0754 7034`); [`CreditorReference::canonical`] and serde give the
/// compact upper-case form.
///
/// ```
/// use egov_core::CreditorReference;
///
/// let r = CreditorReference::from_body("539007547034")?;
/// assert_eq!(r.to_string(), "RF18 5390 0754 7034");
/// assert!("RF72 0191 2301 0040 5JSH 0438".parse::<CreditorReference>().is_err());
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditorReference(String);

const SCOR: Kind = Kind::CreditorReference;

impl CreditorReference {
    /// Adds `RF` and the check digits to a body of 1–21 letters or digits (spaces ignored).
    ///
    /// # Errors
    /// When the body is empty, too long, or has other characters.
    pub fn from_body(body: &str) -> Result<Self, Error> {
        let body = compact(body, 0)?;
        if body.is_empty() {
            return Err(Error::Empty { kind: SCOR });
        }
        if body.len() > 21 {
            return Err(Error::Length {
                kind: SCOR,
                expected: "at most 21 characters in the body",
                found: body.len(),
            });
        }
        let check = 98 - mod97(body.chars().chain("RF00".chars()));
        Ok(Self(format!("RF{check:02}{body}")))
    }

    /// The compact upper-case form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The compact upper-case form as an owned string.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.0.clone()
    }

    /// The part after `RF` and the check digits.
    #[must_use]
    pub fn body(&self) -> &str {
        &self.0[4..]
    }
}

/// Upper-cases and removes whitespace; rejects anything but ASCII letters and digits.
fn compact(s: &str, offset: usize) -> Result<String, Error> {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            return Err(Error::Character {
                kind: SCOR,
                position: offset + i + 1,
                found: c,
                expected: "a letter or digit",
            });
        }
        out.push(c.to_ascii_uppercase());
    }
    Ok(out)
}

impl FromStr for CreditorReference {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let s = compact(input, 0)?;
        if s.is_empty() {
            return Err(Error::Empty { kind: SCOR });
        }
        if !s.starts_with("RF") {
            return Err(Error::Prefix {
                kind: SCOR,
                expected: "RF",
            });
        }
        if !(5..=25).contains(&s.len()) {
            return Err(Error::Length {
                kind: SCOR,
                expected: "5 to 25 characters",
                found: s.len(),
            });
        }
        if !s[2..4].bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Invalid {
                kind: SCOR,
                reason: "characters 3 and 4 must be the check digits",
            });
        }
        if mod97(s[4..].chars().chain(s[..4].chars())) != 1 {
            let expected = 98 - mod97(s[4..].chars().chain("RF00".chars()));
            return Err(Error::CheckDigit {
                kind: SCOR,
                expected: format!("{expected:02}"),
                found: s[2..4].to_owned(),
            });
        }
        Ok(Self(s))
    }
}

impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

string_serde!(
    CreditorReference,
    "an ISO 11649 creditor reference such as RF18 5390 0754 7034"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn annex_b_example() {
        let r: QrReference = "210000000003139471430009017".parse().unwrap();
        assert_eq!(r.to_string(), "21 00000 00003 13947 14300 09017");
        assert_eq!(
            "210000000003139471430009016".parse::<QrReference>(),
            Err(Error::CheckDigit {
                kind: Kind::QrReference,
                expected: "7".into(),
                found: "6".into()
            })
        );
        assert!("000000000000000000000000000".parse::<QrReference>().is_err());
        assert_eq!(
            QrReference::from_number("  12 3456 ").unwrap().as_str(),
            "000000000000000000001234565"
        );
    }

    #[test]
    fn creditor_reference() {
        assert_eq!(
            "rf 44 all lower case"
                .parse::<CreditorReference>()
                .unwrap()
                .as_str(),
            "RF44ALLLOWERCASE"
        );
        assert!(matches!(
            "RF20.0000.3".parse::<CreditorReference>(),
            Err(Error::Character { position: 5, .. })
        ));
        assert_eq!(
            "RF720191230100405JSH0438".parse::<CreditorReference>(),
            Err(Error::CheckDigit {
                kind: SCOR,
                expected: "24".into(),
                found: "72".into()
            })
        );
        assert_eq!(CreditorReference::from_body("7").unwrap().as_str(), "RF097");
    }

    proptest! {
        #[test]
        fn qrr_round_trip(n in "[0-9]{1,26}") {
            if let Ok(r) = QrReference::from_number(&n) {
                prop_assert_eq!(r.to_string().parse::<QrReference>().unwrap(), r.clone());
                prop_assert_eq!(r.canonical().parse::<QrReference>().unwrap(), r);
            }
        }

        #[test]
        fn qrr_single_digit_errors_are_caught(n in "[0-9]{26}", pos in 0usize..27, delta in 1u8..10) {
            if let Ok(r) = QrReference::from_number(&n) {
                let mut b = r.canonical().into_bytes();
                b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
                prop_assert!(String::from_utf8(b).unwrap().parse::<QrReference>().is_err());
            }
        }

        #[test]
        fn scor_round_trip(body in "[0-9A-Za-z]{1,21}") {
            let r = CreditorReference::from_body(&body).unwrap();
            prop_assert_eq!(r.to_string().parse::<CreditorReference>().unwrap(), r.clone());
            prop_assert_eq!(r.body(), body.to_ascii_uppercase());
        }
    }
}
