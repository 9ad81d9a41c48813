//! Recipients: e-mail addresses and phone numbers in E.164.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::message::Channel;

/// An e-mail address (`local@domain`), checked by the `email_address` crate (RFC 5321/5322 and
/// RFC 6531 for non-ASCII), with at least two domain labels, no display name (`Name <…>`) and
/// no IP literal. The domain is kept in lower case. `Debug` masks the local part.
///
/// ```
/// use egov_notify::recipient::EmailAddress;
///
/// let address: EmailAddress = " anna.muster@Gemeinde-Muster.CH ".parse()?;
/// assert_eq!(address.as_str(), "anna.muster@gemeinde-muster.ch");
/// assert_eq!(format!("{address:?}"), "EmailAddress(a***@gemeinde-muster.ch)");
/// assert!("anna.muster@localhost".parse::<EmailAddress>().is_err());
/// # Ok::<(), egov_notify::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl FromStr for EmailAddress {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let input = input.trim();
        let options = email_address::Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
        };
        let parsed = email_address::EmailAddress::parse_with_options(input, options).map_err(|e| {
            Error::InvalidEmail {
                reason: e.to_string().trim_end_matches('.').to_lowercase(),
            }
        })?;
        Ok(Self(format!(
            "{}@{}",
            parsed.local_part(),
            parsed.domain().to_lowercase()
        )))
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = Error;

    fn try_from(value: String) -> Result<Self, Error> {
        value.parse()
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.0.chars().next().unwrap_or('?');
        write!(f, "EmailAddress({first}***@{})", self.domain())
    }
}

/// Where a national number (one without `+` or `00`) belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// Switzerland: national numbers start with the trunk prefix 0 and have 9 digits after it.
    #[default]
    Ch,
    /// Liechtenstein: national numbers have 7 digits and no trunk prefix.
    Li,
}

/// A phone number in E.164 form (`+41791234567`).
///
/// Parsing accepts the ways Swiss people write numbers: `079 123 45 67`, `+41 79 123 45 67`,
/// `0041 79 123 45 67`, `+41 (0)79 123 45 67`, `+41 079 123 45 67`, `079/123.45.67`. Swiss
/// numbers (`+41`) must have 9 digits after the country code and Liechtenstein numbers (`+423`)
/// 7; other countries' numbers are accepted after `+` or `00` with 7 to 15 digits in all, as
/// E.164 allows, without per-country rules. `Debug` masks the middle digits.
///
/// ```
/// use egov_notify::recipient::{PhoneNumber, Region};
///
/// for written in ["079 123 45 67", "+41 79 123 45 67", "0041791234567", "+41 (0)79 123 45 67"] {
///     assert_eq!(written.parse::<PhoneNumber>()?.as_str(), "+41791234567");
/// }
/// assert_eq!(PhoneNumber::parse_in("234 56 78", Region::Li)?.as_str(), "+4232345678");
/// assert_eq!(format!("{:?}", "079 123 45 67".parse::<PhoneNumber>()?), "PhoneNumber(+4179*****67)");
/// # Ok::<(), egov_notify::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number; a national number is taken as Swiss.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPhone`] saying what is wrong.
    pub fn parse(input: &str) -> Result<Self, Error> {
        Self::parse_in(input, Region::Ch)
    }

    /// Parses a number; a national number is taken as belonging to `region`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPhone`] saying what is wrong.
    pub fn parse_in(input: &str, region: Region) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidPhone { reason };
        let input = input.trim();
        if input.is_empty() {
            return Err(invalid("empty"));
        }
        let international = input.starts_with('+') || input.starts_with("00");
        // `+41 (0)79 …`: the trunk prefix in parentheses is dropped.
        let input = if international {
            input.replacen("(0)", "", 1)
        } else {
            input.to_owned()
        };
        let mut digits = String::new();
        for (i, c) in input.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '\u{a0}' | '\u{202f}' | '-' | '.' | '/' | '(' | ')' => {}
                _ => {
                    return Err(invalid(
                        "only digits, a leading `+`, spaces, `-`, `.`, `/` and `( )` are allowed",
                    ));
                }
            }
        }
        let e164 = if input.starts_with('+') {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else if let Some(rest) = digits.strip_prefix('0') {
            match region {
                Region::Ch => format!("41{rest}"),
                Region::Li => return Err(invalid("Liechtenstein numbers have no leading 0")),
            }
        } else {
            match region {
                Region::Li if digits.len() == 7 => format!("423{digits}"),
                _ => return Err(invalid("a number needs a leading 0, 00 or +")),
            }
        };
        if e164.starts_with('0') || e164.is_empty() {
            return Err(invalid("a country code cannot start with 0"));
        }
        let e164 = if let Some(national) = e164.strip_prefix("41") {
            // `+41 079 …`: a trunk prefix written after the country code.
            let national = if national.len() == 10 {
                national.strip_prefix('0').unwrap_or(national)
            } else {
                national
            };
            if national.len() != 9 || national.starts_with('0') {
                return Err(invalid(
                    "a Swiss number has 9 digits after +41 or after the leading 0",
                ));
            }
            format!("41{national}")
        } else if let Some(national) = e164.strip_prefix("423") {
            if national.len() != 7 {
                return Err(invalid("a Liechtenstein number has 7 digits after +423"));
            }
            e164
        } else {
            if !(7..=15).contains(&e164.len()) {
                return Err(invalid("an international number has 7 to 15 digits"));
            }
            e164
        };
        Ok(Self(format!("+{e164}")))
    }

    /// The number in E.164 form, `+` and digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country calling code for Switzerland (`41`) and Liechtenstein (`423`), `None` for
    /// others (this type keeps no table of country codes).
    #[must_use]
    pub fn region(&self) -> Option<Region> {
        if self.0.starts_with("+41") {
            Some(Region::Ch)
        } else if self.0.starts_with("+423") {
            Some(Region::Li)
        } else {
            None
        }
    }
}

impl FromStr for PhoneNumber {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        Self::parse(input)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = Error;

    fn try_from(value: String) -> Result<Self, Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        let head = self.0.get(..5).unwrap_or("");
        let tail = self.0.get(n.saturating_sub(2)..).unwrap_or("");
        write!(f, "PhoneNumber({head}{}{tail})", "*".repeat(n.saturating_sub(7)))
    }
}

/// Whom a message goes to. Serde: `{"email": "…"}` or `{"sms": "+41…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Recipient {
    /// An e-mail address.
    Email(EmailAddress),
    /// A mobile phone number.
    Sms(PhoneNumber),
}

impl Recipient {
    /// The channel this recipient is reached on.
    #[must_use]
    pub fn channel(&self) -> Channel {
        match self {
            Self::Email(_) => Channel::Email,
            Self::Sms(_) => Channel::Sms,
        }
    }
}

impl From<EmailAddress> for Recipient {
    fn from(value: EmailAddress) -> Self {
        Self::Email(value)
    }
}

impl From<PhoneNumber> for Recipient {
    fn from(value: PhoneNumber) -> Self {
        Self::Sms(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swiss_forms() {
        for written in [
            "079 123 45 67",
            "+41 79 123 45 67",
            "0041791234567",
            "0041 79 123 45 67",
            "+41 (0)79 123 45 67",
            "+41 079 123 45 67",
            "079/123.45.67",
            "079-123-45-67",
            "\u{a0}+41\u{a0}79\u{a0}123\u{a0}45\u{a0}67 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(written).unwrap().as_str(),
                "+41791234567",
                "{written}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("031 321 11 11").unwrap().as_str(),
            "+41313211111"
        );
    }

    #[test]
    fn liechtenstein_and_abroad() {
        assert_eq!(
            PhoneNumber::parse("+423 234 56 78").unwrap().as_str(),
            "+4232345678"
        );
        assert_eq!(
            PhoneNumber::parse("00423 2345678").unwrap().as_str(),
            "+4232345678"
        );
        assert_eq!(
            PhoneNumber::parse_in("2345678", Region::Li).unwrap().region(),
            Some(Region::Li)
        );
        assert_eq!(
            PhoneNumber::parse("+49 30 1234567").unwrap().as_str(),
            "+49301234567"
        );
        assert_eq!(PhoneNumber::parse("+33 6 12 34 56 78").unwrap().region(), None);
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "79 123 45 67",
            "079 123 45 6",
            "079 123 45 678",
            "+41 0 79 123 45 6",
            "+423 234 56 7",
            "+0 123 456 789",
            "+49 123",
            "+49 1234 5678 9012 3456",
            "079 123 45 67 ext. 2",
            "079 123 45 6x",
            "07+9 123 45 67",
        ] {
            assert!(
                matches!(PhoneNumber::parse(bad), Err(Error::InvalidPhone { .. })),
                "{bad}"
            );
        }
        assert!(PhoneNumber::parse_in("079 123 45 67", Region::Li).is_err());
    }

    #[test]
    fn errors_do_not_repeat_the_number() {
        let message = PhoneNumber::parse("079 123 45 6").unwrap_err().to_string();
        assert!(!message.contains("123"), "{message}");
    }

    #[test]
    fn email_addresses() {
        let ok = [
            ("anna.muster@zh.ch", "anna.muster@zh.ch"),
            ("Gian.Caduff@GR.CH", "Gian.Caduff@gr.ch"),
            (
                "info+steuern@gemeinde-zürich.ch",
                "info+steuern@gemeinde-zürich.ch",
            ),
            ("o'brien@example.co.uk", "o'brien@example.co.uk"),
        ];
        for (input, canonical) in ok {
            assert_eq!(
                input.parse::<EmailAddress>().unwrap().as_str(),
                canonical,
                "{input}"
            );
        }
        for bad in [
            "",
            "anna",
            "anna@",
            "@zh.ch",
            "anna@zh",
            "anna@@zh.ch",
            "anna muster@zh.ch",
            "Anna <anna@zh.ch>",
            "anna@[192.168.0.1]",
            "anna@zh..ch",
        ] {
            assert!(
                matches!(bad.parse::<EmailAddress>(), Err(Error::InvalidEmail { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn serde_checks() {
        let r: Recipient = serde_json::from_str(r#"{"sms":"079 123 45 67"}"#).unwrap();
        assert_eq!(r, Recipient::Sms(PhoneNumber::parse("+41791234567").unwrap()));
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"sms":"+41791234567"}"#);
        let r: Recipient = serde_json::from_str(r#"{"email":"a@b.ch"}"#).unwrap();
        assert_eq!(r.channel(), Channel::Email);
        assert!(serde_json::from_str::<Recipient>(r#"{"email":"a@b"}"#).is_err());
    }
}
