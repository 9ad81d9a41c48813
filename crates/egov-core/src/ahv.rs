//! The AHV number (AHVN13, AVS, NAVS13): the Swiss social security number.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind, significant, string_serde};

/// A Swiss social security number (AHV-Nummer, numéro AVS, numero AVS), 13 digits starting with
/// `756`, the last one an EAN-13 check digit.
///
/// * Parsing is lenient: `756.1234.5678.97`, `7561234567897` and `756 1234 5678 97` are the same.
/// * [`Display`](fmt::Display) gives the official form `756.1234.5678.97`;
///   [`Ahvn13::canonical`] and serde give the 13 digits, as eCH-0044 stores them (`vn`).
/// * [`Debug`](fmt::Debug) masks the middle digits (`756.****.****.97`), so that a `{:?}` in a
///   log line does not leak the number.
///
/// ```
/// use egov_core::Ahvn13;
///
/// let vn: Ahvn13 = "756.1234.5678.97".parse()?;
/// assert_eq!(vn.to_string(), "756.1234.5678.97");
/// assert_eq!(vn.as_u64(), 7_561_234_567_897);
/// assert_eq!(format!("{vn:?}"), "Ahvn13(756.****.****.97)");
/// assert!("756.1234.5678.98".parse::<Ahvn13>().is_err()); // wrong check digit
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ahvn13(u64);

const KIND: Kind = Kind::Ahvn13;
const MIN: u64 = 7_560_000_000_000;
const MAX: u64 = 7_569_999_999_999;

impl Ahvn13 {
    /// Takes the number as eCH-0044 stores it (`xs:unsignedLong` 7560000000001–7569999999999)
    /// and checks it.
    ///
    /// # Errors
    /// When the number is out of range or its check digit is wrong.
    pub fn from_u64(value: u64) -> Result<Self, Error> {
        if !(MIN..=MAX).contains(&value) {
            return Err(Error::Range {
                kind: KIND,
                value,
                min: MIN,
                max: MAX,
            });
        }
        let expected = check_digit(value / 10);
        let found = value % 10;
        if u64::from(expected) != found {
            return Err(Error::CheckDigit {
                kind: KIND,
                expected: expected.to_string(),
                found: found.to_string(),
            });
        }
        Ok(Self(value))
    }

    /// Completes the first twelve digits (`756` and nine more) with their check digit.
    ///
    /// ```
    /// use egov_core::Ahvn13;
    /// assert_eq!(Ahvn13::with_check_digit(756_1234_5678_9)?.to_string(), "756.1234.5678.97");
    /// # Ok::<(), egov_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// When `first_twelve` does not have twelve digits starting with `756`.
    pub fn with_check_digit(first_twelve: u64) -> Result<Self, Error> {
        let (min, max) = (MIN / 10, MAX / 10);
        if !(min..=max).contains(&first_twelve) {
            return Err(Error::Range {
                kind: KIND,
                value: first_twelve,
                min,
                max,
            });
        }
        Ok(Self(first_twelve * 10 + u64::from(check_digit(first_twelve))))
    }

    /// The number as an integer, as eCH-0044 `vn` stores it.
    #[must_use]
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// The 13 digits without separators.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.0.to_string()
    }

    /// The masked display form `756.****.****.97` for logs and screens that must not show it.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("756.****.****.{:02}", self.0 % 100)
    }
}

/// EAN-13 check digit of the twelve leading digits: weights 1,3,1,3,… from the left.
fn check_digit(first_twelve: u64) -> u8 {
    let mut sum = 0u64;
    let mut rest = first_twelve;
    // From the right the weights of a 12-digit body are 3,1,3,1,…
    let mut weight = 3;
    while rest > 0 {
        sum += (rest % 10) * weight;
        rest /= 10;
        weight = 4 - weight;
    }
    // `sum % 10` is below 10, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let check = ((10 - sum % 10) % 10) as u8;
    check
}

impl FromStr for Ahvn13 {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let chars = significant(input, &['.', '-']);
        if chars.is_empty() {
            return Err(Error::Empty { kind: KIND });
        }
        let mut value = 0u64;
        for &(position, c) in &chars {
            let Some(d) = c.to_digit(10) else {
                return Err(Error::Character {
                    kind: KIND,
                    position,
                    found: c,
                    expected: "a digit",
                });
            };
            if chars.len() <= 13 {
                value = value * 10 + u64::from(d);
            }
        }
        if chars.len() != 13 {
            return Err(Error::Length {
                kind: KIND,
                expected: "13 digits",
                found: chars.len(),
            });
        }
        if value / 10_000_000_000 != 756 {
            return Err(Error::Prefix {
                kind: KIND,
                expected: "756",
            });
        }
        Self::from_u64(value)
    }
}

impl fmt::Display for Ahvn13 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        write!(
            f,
            "756.{:04}.{:04}.{:02}",
            (n / 1_000_000) % 10_000,
            (n / 100) % 10_000,
            n % 100
        )
    }
}

impl fmt::Debug for Ahvn13 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ahvn13({})", self.masked())
    }
}

impl TryFrom<u64> for Ahvn13 {
    type Error = Error;
    fn try_from(value: u64) -> Result<Self, Error> {
        Self::from_u64(value)
    }
}

impl From<Ahvn13> for u64 {
    fn from(value: Ahvn13) -> u64 {
        value.0
    }
}

string_serde!(Ahvn13, "an AHV number such as 756.1234.5678.97");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn specimen_numbers_are_valid() {
        for s in ["756.1234.5678.97", "756.9217.0769.85", "756.3026.0705.92"] {
            let vn: Ahvn13 = s.parse().unwrap();
            assert_eq!(vn.to_string(), s);
        }
    }

    #[test]
    fn lenient_forms() {
        let a: Ahvn13 = "7561234567897".parse().unwrap();
        for s in [" 756 1234 5678 97 ", "756-1234-5678-97", "756.1234.567897"] {
            assert_eq!(s.parse::<Ahvn13>().unwrap(), a, "{s}");
        }
    }

    #[test]
    fn errors_say_where() {
        assert_eq!("".parse::<Ahvn13>(), Err(Error::Empty { kind: KIND }));
        assert_eq!(
            "756.12x4.5678.97".parse::<Ahvn13>(),
            Err(Error::Character {
                kind: KIND,
                position: 7,
                found: 'x',
                expected: "a digit"
            })
        );
        assert_eq!(
            "756.1234.5678.9".parse::<Ahvn13>(),
            Err(Error::Length {
                kind: KIND,
                expected: "13 digits",
                found: 12
            })
        );
        assert_eq!(
            "755.1234.5678.97".parse::<Ahvn13>(),
            Err(Error::Prefix {
                kind: KIND,
                expected: "756"
            })
        );
        assert_eq!(
            "756.1234.5678.98".parse::<Ahvn13>(),
            Err(Error::CheckDigit {
                kind: KIND,
                expected: "7".into(),
                found: "8".into()
            })
        );
    }

    #[test]
    fn messages_do_not_leak_the_number() {
        let err = "756.1234.5678.98".parse::<Ahvn13>().unwrap_err().to_string();
        assert!(!err.contains("1234"), "{err}");
        assert!(!format!("{:?}", "756.1234.5678.97".parse::<Ahvn13>().unwrap()).contains("1234"));
    }

    #[test]
    fn serde_uses_digits_and_reads_display_form() {
        let vn: Ahvn13 = "756.1234.5678.97".parse().unwrap();
        assert_eq!(serde_json::to_string(&vn).unwrap(), "\"7561234567897\"");
        assert_eq!(
            serde_json::from_str::<Ahvn13>("\"756.1234.5678.97\"").unwrap(),
            vn
        );
        assert!(serde_json::from_str::<Ahvn13>("\"756.1234.5678.90\"").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(body in 0u64..1_000_000_000) {
            let vn = Ahvn13::with_check_digit(756_000_000_000 + body).unwrap();
            prop_assert_eq!(vn.to_string().parse::<Ahvn13>().unwrap(), vn);
            prop_assert_eq!(vn.canonical().parse::<Ahvn13>().unwrap(), vn);
            prop_assert_eq!(Ahvn13::from_u64(vn.as_u64()).unwrap(), vn);
        }

        #[test]
        fn every_single_digit_error_is_caught(body in 0u64..1_000_000_000, pos in 3usize..13, delta in 1u8..10) {
            let vn = Ahvn13::with_check_digit(756_000_000_000 + body).unwrap();
            let mut digits = vn.canonical().into_bytes();
            digits[pos] = b'0' + (digits[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(digits).unwrap();
            prop_assert!(changed.parse::<Ahvn13>().is_err());
        }
    }
}
