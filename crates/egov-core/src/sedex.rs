//! sedex participant ids.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind, string_serde};

const KIND: Kind = Kind::SedexId;

/// A sedex participant id such as `1-6172-1` or, in the test environment, `T1-6172-1`.
///
/// The eCH-0090 pattern is `T?[1-9]-[0-9A-Z]+-[0-9]+`, plus `T?0-sedex-[0-9]` for sedex's own
/// participants (v1 allows only `…-0`). The first number is a category (e.g. 1 federal,
/// 2 cantonal, 3 municipal, as commonly used; sedex's participant directory is the authority),
/// the middle part names the organisation (often a BFS or canton code), the last counts its
/// participants. Parsing trims spaces and upper-cases; it does not accept other separators.
///
/// ```
/// use egov_core::SedexId;
///
/// let id: SedexId = "T2-ZH-1".parse()?;
/// assert!(id.is_test());
/// assert_eq!(id.category(), 2);
/// assert_eq!(id.without_test_prefix().to_string(), "2-ZH-1");
/// assert!("1-6172".parse::<SedexId>().is_err());
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SedexId(String);

impl SedexId {
    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an owned string.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.0.clone()
    }

    /// Whether the id is of sedex's test environment (`T` prefix).
    #[must_use]
    pub fn is_test(&self) -> bool {
        self.0.starts_with('T')
    }

    /// The category digit (0–9).
    #[must_use]
    pub fn category(&self) -> u8 {
        let s = self.0.trim_start_matches('T');
        s.as_bytes().first().map_or(0, |b| b - b'0')
    }

    /// The organisation part between the two hyphens.
    #[must_use]
    pub fn organisation(&self) -> &str {
        self.0.split('-').nth(1).unwrap_or_default()
    }

    /// The same participant in production (without `T`).
    #[must_use]
    pub fn without_test_prefix(&self) -> Self {
        Self(self.0.trim_start_matches('T').to_owned())
    }

    /// The same participant in the test environment (with `T`).
    #[must_use]
    pub fn with_test_prefix(&self) -> Self {
        if self.is_test() {
            self.clone()
        } else {
            Self(format!("T{}", self.0))
        }
    }
}

impl FromStr for SedexId {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::Empty { kind: KIND });
        }
        let lead = input.len() - input.trim_start().len();
        let lead = input[..lead].chars().count();
        let s = trimmed.to_ascii_uppercase();
        let chars: Vec<char> = s.chars().collect();
        let mut i = usize::from(chars.first() == Some(&'T'));
        let at = |i: usize| lead + i + 1;
        let first = *chars.get(i).ok_or(Error::Length {
            kind: KIND,
            expected: "three parts",
            found: s.len(),
        })?;
        if !first.is_ascii_digit() {
            return Err(Error::Character {
                kind: KIND,
                position: at(i),
                found: first,
                expected: "a category digit",
            });
        }
        i += 1;
        let parts: Vec<&str> = s[i..].split('-').collect();
        if parts.len() != 3 || !parts[0].is_empty() {
            return Err(Error::Invalid {
                kind: KIND,
                reason: "must be three parts like 1-6172-1: category digit, organisation, number",
            });
        }
        let (org, number) = (parts[1], parts[2]);
        let org_start = i + 1;
        if first == '0' {
            if org != "SEDEX" || number.len() != 1 || !number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Invalid {
                    kind: KIND,
                    reason: "category 0 is only sedex's own 0-sedex-N",
                });
            }
            return Ok(Self(s.replace("SEDEX", "sedex")));
        }
        if org.is_empty() || number.is_empty() {
            return Err(Error::Invalid {
                kind: KIND,
                reason: "organisation and number must not be empty",
            });
        }
        if let Some((j, c)) = org
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_digit() || c.is_ascii_uppercase()))
        {
            return Err(Error::Character {
                kind: KIND,
                position: at(org_start + j),
                found: c,
                expected: "A-Z or 0-9",
            });
        }
        let num_start = org_start + org.chars().count() + 1;
        if let Some((j, c)) = number.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(Error::Character {
                kind: KIND,
                position: at(num_start + j),
                found: c,
                expected: "a digit",
            });
        }
        Ok(Self(s))
    }
}

impl fmt::Display for SedexId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_serde!(SedexId, "a sedex participant id such as 1-6172-1");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids() {
        for s in [
            "1-6172-1",
            "T1-261-1",
            "T2-ZH-1",
            "7-99999-2",
            "0-sedex-0",
            "T0-sedex-3",
            "3-CH-12",
        ] {
            assert_eq!(s.parse::<SedexId>().unwrap().as_str(), s, "{s}");
        }
        assert_eq!(" t2-zh-1 ".parse::<SedexId>().unwrap().as_str(), "T2-ZH-1");
    }

    #[test]
    fn invalid_ids() {
        for s in [
            "",
            "1-6172",
            "0-6172-1",
            "1--1",
            "1-61_72-1",
            "A-1-1",
            "1-6172-1a",
            "0-sedex-10",
            "1-6172-1-1",
        ] {
            assert!(s.parse::<SedexId>().is_err(), "{s}");
        }
        assert!(matches!(
            "1-61_72-1".parse::<SedexId>(),
            Err(Error::Character {
                position: 5,
                found: '_',
                ..
            })
        ));
        assert!(matches!(
            "T1-6172-1x".parse::<SedexId>(),
            Err(Error::Character { position: 10, .. })
        ));
    }
}
