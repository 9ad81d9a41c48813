//! The enterprise identification number (UID, IDE, IDI).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind, significant, string_serde};

const KIND: Kind = Kind::Uid;

/// The category of a UID: `CHE` for enterprises, `ADM` for administrative units.
///
/// eCH-0097 calls it `uidOrganisationIdCategorie`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum UidCategory {
    /// Enterprises (`CHE`).
    #[serde(rename = "CHE")]
    Che,
    /// Administrative units that are not enterprises (`ADM`).
    #[serde(rename = "ADM")]
    Adm,
}

impl UidCategory {
    /// The three letters, as written in the UID and in eCH-0097.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Che => "CHE",
            Self::Adm => "ADM",
        }
    }
}

/// The register suffix that may follow a UID: the VAT register (`MWST`/`TVA`/`IVA`) or the
/// commercial register (`HR`/`RC`/`RI`), each in German, French or Italian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum UidSuffix {
    /// `MWST`: VAT number, German.
    Mwst,
    /// `TVA`: VAT number, French.
    Tva,
    /// `IVA`: VAT number, Italian.
    Iva,
    /// `HR`: commercial register, German.
    Hr,
    /// `RC`: commercial register, French.
    Rc,
    /// `RI`: commercial register, Italian.
    Ri,
}

impl UidSuffix {
    /// The suffix as written.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mwst => "MWST",
            Self::Tva => "TVA",
            Self::Iva => "IVA",
            Self::Hr => "HR",
            Self::Rc => "RC",
            Self::Ri => "RI",
        }
    }

    /// Whether the suffix marks a VAT number.
    #[must_use]
    pub const fn is_vat(self) -> bool {
        matches!(self, Self::Mwst | Self::Tva | Self::Iva)
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "MWST" => Self::Mwst,
            "TVA" => Self::Tva,
            "IVA" => Self::Iva,
            "HR" => Self::Hr,
            "RC" => Self::Rc,
            "RI" => Self::Ri,
            _ => return None,
        })
    }
}

/// A Swiss business identification number: `CHE-123.456.789` (or `ADM-…`), eight digits and a
/// mod-11 check digit, optionally followed by a register suffix (`CHE-116.281.710 MWST`).
///
/// Parsing is lenient about case, spaces, dots and hyphens. [`Display`](fmt::Display) and serde
/// give the official form; [`Uid::canonical`] gives it too, since the UID is public data.
/// Equality includes the suffix; [`Uid::without_suffix`] compares the numbers alone.
///
/// ```
/// use egov_core::{Uid, UidCategory};
///
/// let uid: Uid = "che116281710mwst".parse()?;
/// assert_eq!(uid.to_string(), "CHE-116.281.710 MWST");
/// assert_eq!(uid.to_ech0097(), (UidCategory::Che, 116_281_710));
/// assert_eq!(Uid::from_ech0097(UidCategory::Che, 116_281_710)?, uid.without_suffix());
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid {
    category: UidCategory,
    number: u32,
    suffix: Option<UidSuffix>,
}

impl Uid {
    /// Builds a UID from the eCH-0097 `uidStructureType` parts: the category and the
    /// 9-digit `uidOrganisationId` (eight digits and the check digit).
    ///
    /// # Errors
    /// When the number has more than nine digits or a wrong check digit.
    pub fn from_ech0097(category: UidCategory, number: u32) -> Result<Self, Error> {
        if number > 999_999_999 {
            return Err(Error::Range {
                kind: KIND,
                value: u64::from(number),
                min: 0,
                max: 999_999_999,
            });
        }
        match check_digit(number / 10) {
            Some(c) if c == number % 10 => Ok(Self {
                category,
                number,
                suffix: None,
            }),
            Some(c) => Err(Error::CheckDigit {
                kind: KIND,
                expected: c.to_string(),
                found: (number % 10).to_string(),
            }),
            None => Err(Error::Invalid {
                kind: KIND,
                reason: "these eight digits give check digit 10, so no UID has them",
            }),
        }
    }

    /// Completes eight digits with their check digit; `None` when no UID can have them.
    #[must_use]
    pub fn with_check_digit(category: UidCategory, first_eight: u32) -> Option<Self> {
        if first_eight > 99_999_999 {
            return None;
        }
        let c = check_digit(first_eight)?;
        Some(Self {
            category,
            number: first_eight * 10 + c,
            suffix: None,
        })
    }

    /// The eCH-0097 representation: category and 9-digit number.
    #[must_use]
    pub const fn to_ech0097(&self) -> (UidCategory, u32) {
        (self.category, self.number)
    }

    /// The category (`CHE` or `ADM`).
    #[must_use]
    pub const fn category(&self) -> UidCategory {
        self.category
    }

    /// The nine digits as an integer.
    #[must_use]
    pub const fn number(&self) -> u32 {
        self.number
    }

    /// The register suffix, if one was given.
    #[must_use]
    pub const fn suffix(&self) -> Option<UidSuffix> {
        self.suffix
    }

    /// The same UID with the given suffix.
    #[must_use]
    pub const fn with_suffix(self, suffix: Option<UidSuffix>) -> Self {
        Self { suffix, ..self }
    }

    /// The same UID without a suffix.
    #[must_use]
    pub const fn without_suffix(self) -> Self {
        self.with_suffix(None)
    }

    /// The official display form, `CHE-123.456.789` with the suffix if any.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.to_string()
    }
}

/// Weights 5,4,3,2,7,6,5,4 on the eight digits; `11 - sum mod 11`, 11 → 0, 10 → no UID.
fn check_digit(first_eight: u32) -> Option<u32> {
    const WEIGHTS: [u32; 8] = [5, 4, 3, 2, 7, 6, 5, 4];
    let mut sum = 0;
    let mut rest = first_eight;
    for w in WEIGHTS.iter().rev() {
        sum += (rest % 10) * w;
        rest /= 10;
    }
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

impl FromStr for Uid {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let chars = significant(input, &['.', '-']);
        if chars.is_empty() {
            return Err(Error::Empty { kind: KIND });
        }
        if chars.len() < 3 {
            return Err(Error::Prefix {
                kind: KIND,
                expected: "CHE or ADM",
            });
        }
        let prefix: String = chars[..3].iter().map(|(_, c)| c.to_ascii_uppercase()).collect();
        let category = match prefix.as_str() {
            "CHE" => UidCategory::Che,
            "ADM" => UidCategory::Adm,
            _ => {
                return Err(Error::Prefix {
                    kind: KIND,
                    expected: "CHE or ADM",
                });
            }
        };
        let mut number = 0u32;
        let mut digits = 0;
        let mut rest = &chars[3..];
        while let Some(&(position, c)) = rest.first() {
            let Some(d) = c.to_digit(10) else {
                if digits < 9 {
                    return Err(Error::Character {
                        kind: KIND,
                        position,
                        found: c,
                        expected: "a digit",
                    });
                }
                break;
            };
            digits += 1;
            if digits <= 9 {
                number = number * 10 + d;
            }
            rest = &rest[1..];
        }
        if digits != 9 {
            return Err(Error::Length {
                kind: KIND,
                expected: "9 digits after the prefix",
                found: digits,
            });
        }
        let suffix = if rest.is_empty() {
            None
        } else {
            let text: String = rest.iter().map(|(_, c)| *c).collect();
            match UidSuffix::parse(&text) {
                Some(s) => Some(s),
                None => {
                    let (position, found) = rest[0];
                    return Err(Error::Character {
                        kind: KIND,
                        position,
                        found,
                        expected: "the end, or a suffix MWST, TVA, IVA, HR, RC or RI",
                    });
                }
            }
        };
        Ok(Self::from_ech0097(category, number)?.with_suffix(suffix))
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.number;
        write!(
            f,
            "{}-{:03}.{:03}.{:03}",
            self.category.as_str(),
            n / 1_000_000,
            (n / 1000) % 1000,
            n % 1000
        )?;
        if let Some(s) = self.suffix {
            write!(f, " {}", s.as_str())?;
        }
        Ok(())
    }
}

string_serde!(Uid, "a UID such as CHE-116.281.710");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_uids() {
        for s in ["CHE-116.281.710", "CHE-109.322.551", "CHE-100.155.212"] {
            assert_eq!(s.parse::<Uid>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn lenient_and_suffixes() {
        let plain: Uid = "CHE-109.322.551".parse().unwrap();
        assert_eq!("che109322551".parse::<Uid>().unwrap(), plain);
        assert_eq!("CHE 109 322 551".parse::<Uid>().unwrap(), plain);
        let vat: Uid = "CHE-109.322.551 TVA".parse().unwrap();
        assert_eq!(vat.suffix(), Some(UidSuffix::Tva));
        assert!(vat.suffix().unwrap().is_vat());
        assert_eq!(vat.without_suffix(), plain);
        assert_eq!(
            "CHE-109.322.551 hr".parse::<Uid>().unwrap().to_string(),
            "CHE-109.322.551 HR"
        );
    }

    #[test]
    fn errors() {
        assert!(matches!(
            "CHE-109.322.552".parse::<Uid>(),
            Err(Error::CheckDigit { .. })
        ));
        assert!(matches!(
            "CHX-109.322.551".parse::<Uid>(),
            Err(Error::Prefix { .. })
        ));
        assert!(matches!(
            "CHE-109.322.55".parse::<Uid>(),
            Err(Error::Length { found: 8, .. })
        ));
        assert_eq!(
            "CHE-109.3x2.551".parse::<Uid>(),
            Err(Error::Character {
                kind: KIND,
                position: 10,
                found: 'x',
                expected: "a digit"
            })
        );
        assert!(matches!(
            "CHE-109.322.551 XYZ".parse::<Uid>(),
            Err(Error::Character { position: 17, .. })
        ));
    }

    #[test]
    fn check_digit_ten_is_never_issued() {
        // 1000000x: 5*1 = 5, 11 - 5 = 6 → valid; find eight digits whose check would be 10.
        let eight = (0..100_000_000u32).find(|n| check_digit(*n).is_none()).unwrap();
        assert!(Uid::with_check_digit(UidCategory::Che, eight).is_none());
        for last in 0..10 {
            assert!(Uid::from_ech0097(UidCategory::Che, eight * 10 + last).is_err());
        }
    }

    proptest! {
        #[test]
        fn round_trip(eight in 0u32..100_000_000, adm: bool) {
            let cat = if adm { UidCategory::Adm } else { UidCategory::Che };
            if let Some(uid) = Uid::with_check_digit(cat, eight) {
                prop_assert_eq!(uid.to_string().parse::<Uid>().unwrap(), uid);
                let (c, n) = uid.to_ech0097();
                prop_assert_eq!(Uid::from_ech0097(c, n).unwrap(), uid);
                let json = serde_json::to_string(&uid).unwrap();
                prop_assert_eq!(serde_json::from_str::<Uid>(&json).unwrap(), uid);
            }
        }
    }
}
