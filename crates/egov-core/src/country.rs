//! BFS country codes (eCH-0008) with their ISO 3166 codes.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind};
use crate::generated::countries::COUNTRIES;
use crate::language::Language;

const KIND: Kind = Kind::CountryId;

/// A BFS country number (eCH-0008 `countryId`, 1000–9999; Switzerland is 8100), linked to its
/// ISO 3166 alpha-2 code where the BFS list gives one.
///
/// Parses the number or an ISO alpha-2/alpha-3 code; displays and serialises the number.
///
/// ```
/// use egov_core::{CountryId, Language};
///
/// let ch: CountryId = "CH".parse()?;
/// assert_eq!(ch.get(), 8100);
/// assert_eq!(ch.iso2(), Some("CH"));
/// let it: CountryId = "8218".parse()?;
/// assert_eq!(it.country().map(|c| c.name(Language::Fr)), Some("Italie"));
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryId(u16);

impl CountryId {
    /// Switzerland (8100).
    pub const SWITZERLAND: Self = Self(8100);

    /// Checks the range 1000–9999 of eCH-0008.
    ///
    /// # Errors
    /// When `number` is out of range.
    pub fn new(number: u16) -> Result<Self, Error> {
        if (1000..=9999).contains(&number) {
            Ok(Self(number))
        } else {
            Err(Error::Range {
                kind: KIND,
                value: u64::from(number),
                min: 1000,
                max: 9999,
            })
        }
    }

    /// The country with this ISO 3166 alpha-2 or alpha-3 code (any case).
    ///
    /// # Errors
    /// When the BFS list has no country with that code.
    pub fn from_iso(code: &str) -> Result<Self, Error> {
        let code = code.trim();
        COUNTRIES
            .iter()
            .filter(|c| c.valid)
            .chain(COUNTRIES.iter().filter(|c| !c.valid))
            .find(|c| {
                (!c.iso2.is_empty() && c.iso2.eq_ignore_ascii_case(code))
                    || (!c.iso3.is_empty() && c.iso3.eq_ignore_ascii_case(code))
            })
            .map(|c| Self(c.id))
            .ok_or_else(|| Error::Unknown {
                kind: KIND,
                value: code.to_owned(),
            })
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The number as text.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.0.to_string()
    }

    /// The entry of the BFS country list, if the number is in it.
    #[must_use]
    pub fn country(self) -> Option<&'static Country> {
        COUNTRIES
            .binary_search_by_key(&self.0, |c| c.id)
            .ok()
            .map(|i| &COUNTRIES[i])
    }

    /// The ISO 3166 alpha-2 code, where the BFS list gives one.
    #[must_use]
    pub fn iso2(self) -> Option<&'static str> {
        self.country().map(|c| c.iso2).filter(|s| !s.is_empty())
    }
}

/// An entry of the BFS country list (eCH-0072).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Country {
    id: u16,
    iso2: &'static str,
    iso3: &'static str,
    names: [&'static str; 4],
    valid: bool,
}

/// Table constructor used by the generated list.
#[allow(clippy::too_many_arguments)]
pub(crate) const fn c(
    id: u16,
    iso2: &'static str,
    iso3: &'static str,
    de: &'static str,
    fr: &'static str,
    it: &'static str,
    en: &'static str,
    valid: bool,
) -> Country {
    Country {
        id,
        iso2,
        iso3,
        names: [de, fr, it, en],
        valid,
    }
}

impl Country {
    /// The BFS number.
    #[must_use]
    pub const fn id(&self) -> CountryId {
        CountryId(self.id)
    }

    /// ISO 3166 alpha-2, if any.
    #[must_use]
    pub fn iso2(&self) -> Option<&'static str> {
        Some(self.iso2).filter(|s| !s.is_empty())
    }

    /// ISO 3166 alpha-3, if any.
    #[must_use]
    pub fn iso3(&self) -> Option<&'static str> {
        Some(self.iso3).filter(|s| !s.is_empty())
    }

    /// The short name; the list has no Romansh names, so Romansh gives the German one.
    #[must_use]
    pub const fn name(&self, language: Language) -> &'static str {
        match language {
            Language::De | Language::Rm => self.names[0],
            Language::Fr => self.names[1],
            Language::It => self.names[2],
            Language::En => self.names[3],
        }
    }

    /// Whether the entry is current (`entryValid`); former states stay in the list.
    #[must_use]
    pub const fn is_current(&self) -> bool {
        self.valid
    }

    /// Every entry of the list, ordered by number.
    pub fn all() -> impl Iterator<Item = &'static Self> {
        COUNTRIES.iter()
    }
}

impl FromStr for CountryId {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::Empty { kind: KIND });
        }
        if s.chars().all(|c| c.is_ascii_alphabetic()) && (2..=3).contains(&s.len()) {
            return Self::from_iso(s);
        }
        for (i, c) in s.chars().enumerate() {
            if !c.is_ascii_digit() {
                return Err(Error::Character {
                    kind: KIND,
                    position: i + 1,
                    found: c,
                    expected: "a digit (or an ISO country code)",
                });
            }
        }
        if s.len() != 4 {
            return Err(Error::Length {
                kind: KIND,
                expected: "4 digits",
                found: s.len(),
            });
        }
        Self::new(s.parse().map_err(|_| Error::Invalid {
            kind: KIND,
            reason: "not a number",
        })?)
    }
}

impl fmt::Display for CountryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

crate::error::string_serde!(CountryId, "a BFS country number such as 8100, or an ISO code");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(
            CountryId::from_iso("de")
                .unwrap()
                .country()
                .unwrap()
                .name(Language::De),
            "Deutschland"
        );
        assert_eq!(CountryId::from_iso("CHE").unwrap(), CountryId::SWITZERLAND);
        assert!(CountryId::from_iso("QQ").is_err());
        assert!("810".parse::<CountryId>().is_err());
        assert!("0999".parse::<CountryId>().is_err());
        assert_eq!(
            serde_json::to_string(&CountryId::SWITZERLAND).unwrap(),
            "\"8100\""
        );
        assert!(Country::all().count() > 250);
    }
}
