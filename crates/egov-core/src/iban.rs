//! IBAN with the Swiss specifics: CH/LI accounts, the institution id (IID) and QR-IBANs.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use iban::IbanLike as _;

use crate::error::{Error, Kind, string_serde};

const KIND: Kind = Kind::Iban;

/// An International Bank Account Number, checked against the IBAN registry (country, length,
/// account format) and the mod-97 check digits by the `iban_validate` crate.
///
/// For Swiss and Liechtenstein accounts it also tells the institution id (IID) and whether the
/// account is a QR-IBAN (IID 30000–31999), which only takes QR-bill payments with a QR reference.
/// Parsing ignores spaces and case. [`Display`](fmt::Display) gives the paper form in groups of
/// four; [`Iban::canonical`] and serde the electronic form. [`Debug`](fmt::Debug) shows only
/// the country, check digits and last four characters.
///
/// ```
/// use egov_core::Iban;
///
/// let iban: Iban = "ch44 3199 9123 0008 8901 2".parse()?;
/// assert_eq!(iban.to_string(), "CH44 3199 9123 0008 8901 2");
/// assert_eq!(iban.iid(), Some(31999));
/// assert!(iban.is_qr_iban());
/// assert_eq!(format!("{iban:?}"), "Iban(CH44…9012)");
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Iban(iban::Iban);

impl Iban {
    /// The electronic form: no spaces, upper case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.electronic_str()
    }

    /// The electronic form as an owned string.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.as_str().to_owned()
    }

    /// The ISO country code (`CH`).
    #[must_use]
    pub fn country_code(&self) -> &str {
        self.0.country_code()
    }

    /// Whether the account is in Switzerland or Liechtenstein (the only ones a QR-bill takes).
    #[must_use]
    pub fn is_ch_or_li(&self) -> bool {
        matches!(self.country_code(), "CH" | "LI")
    }

    /// The institution id (IID, characters 5–9) of a Swiss or Liechtenstein IBAN.
    #[must_use]
    pub fn iid(&self) -> Option<u32> {
        if !self.is_ch_or_li() {
            return None;
        }
        self.as_str().get(4..9)?.parse().ok()
    }

    /// Whether this is a QR-IBAN: CH/LI with an IID in 30000–31999.
    #[must_use]
    pub fn is_qr_iban(&self) -> bool {
        self.iid().is_some_and(|iid| (30000..=31999).contains(&iid))
    }
}

/// mod 97 of an alphanumeric string read as digits (`A` = 10 … `Z` = 35), ISO 7064 style.
pub(crate) fn mod97(chars: impl Iterator<Item = char>) -> u32 {
    let mut rem = 0u32;
    for c in chars {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem
}

impl FromStr for Iban {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let mut compact = String::with_capacity(34);
        for (i, c) in input.chars().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            if !c.is_ascii_alphanumeric() {
                return Err(Error::Character {
                    kind: KIND,
                    position: i + 1,
                    found: c,
                    expected: "a letter or digit",
                });
            }
            compact.push(c.to_ascii_uppercase());
        }
        if compact.is_empty() {
            return Err(Error::Empty { kind: KIND });
        }
        if !(5..=34).contains(&compact.len()) {
            return Err(Error::Length {
                kind: KIND,
                expected: "5 to 34 letters or digits",
                found: compact.len(),
            });
        }
        let b = compact.as_bytes();
        if !(b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic()) {
            return Err(Error::Prefix {
                kind: KIND,
                expected: "a two-letter country code",
            });
        }
        if !(b[2].is_ascii_digit() && b[3].is_ascii_digit()) {
            return Err(Error::Invalid {
                kind: KIND,
                reason: "characters 3 and 4 must be the check digits",
            });
        }
        compact.parse::<iban::Iban>().map(Self).map_err(|e| match e {
            iban::ParseIbanError::InvalidBaseIban {
                source: iban::ParseBaseIbanError::InvalidChecksum,
            } => {
                let rearranged = compact[4..]
                    .chars()
                    .chain(compact[..2].chars())
                    .chain("00".chars());
                Error::CheckDigit {
                    kind: KIND,
                    expected: format!("{:02}", 98 - mod97(rearranged)),
                    found: compact[2..4].to_owned(),
                }
            }
            iban::ParseIbanError::UnknownCountry(_) => Error::Unknown {
                kind: KIND,
                value: compact[..2].to_owned(),
            },
            iban::ParseIbanError::InvalidBban(_) => Error::Invalid {
                kind: KIND,
                reason: "the account part does not have the length or format of the country's IBAN",
            },
            _ => Error::Invalid {
                kind: KIND,
                reason: "not in the IBAN format",
            },
        })
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        write!(f, "Iban({}…{})", &s[..4], &s[s.len() - 4..])
    }
}

impl Hash for Iban {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Iban {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Iban {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

string_serde!(Iban, "an IBAN such as CH93 0076 2011 6238 5295 7");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swiss_accounts() {
        let regular: Iban = "CH5800791123000889012".parse().unwrap();
        assert_eq!(regular.iid(), Some(791));
        assert!(!regular.is_qr_iban());
        let postfinance_qr: Iban = "CH7730000001250094239".parse().unwrap();
        assert!(postfinance_qr.is_qr_iban());
        let fr: Iban = "FR7630066100410001057380116".parse().unwrap();
        assert!(!fr.is_ch_or_li());
        assert_eq!(fr.iid(), None);
    }

    #[test]
    fn errors() {
        assert_eq!(
            "CH5900791123000889012".parse::<Iban>(),
            Err(Error::CheckDigit {
                kind: KIND,
                expected: "58".into(),
                found: "59".into()
            })
        );
        assert!(matches!("CH04".parse::<Iban>(), Err(Error::Length { .. })));
        assert!(matches!(
            "XX1500791123000889012".parse::<Iban>(),
            Err(Error::Unknown { .. })
        ));
        assert!(matches!(
            "CH58-0079".parse::<Iban>(),
            Err(Error::Character { position: 5, .. })
        ));
        assert!("CH580079112300088901".parse::<Iban>().is_err());
    }

    #[test]
    fn serde_and_order() {
        let a: Iban = "CH58 0079 1123 0008 8901 2".parse().unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"CH5800791123000889012\"");
        let b: Iban = "CH4431999123000889012".parse().unwrap();
        assert!(b < a);
    }
}
