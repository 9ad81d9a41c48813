//! Swiss postal codes and the official locality directory.

use std::fmt;
use std::str::FromStr;

use crate::canton::Canton;
use crate::error::{Error, Kind, significant, string_serde};
use crate::generated::localities::LOCALITIES;
use crate::language::Language;
use crate::municipality::{Municipality, MunicipalityId, fold};

const KIND: Kind = Kind::PostalCode;

/// A Swiss postal code (Postleitzahl, NPA): four digits 1000–9999, with the optional two-digit
/// add-on (Zusatzziffer) that tells localities sharing a code apart.
///
/// Parses `3000`, `CH-3000`, `8914 02`, `8914-02` and the six-digit form `891402`. Displays
/// `3000`, or `8914-02` with an add-on. eCH-0010 carries the two as `swissZipCode` and
/// `swissZipCodeAddOn`.
///
/// ```
/// use egov_core::{Canton, PostalCode};
///
/// let plz: PostalCode = "CH-8914".parse()?;
/// let names: Vec<_> = plz.localities().map(|l| l.name()).collect();
/// assert_eq!(names, ["Aeugst am Albis", "Aeugstertal"]);
/// assert_eq!(plz.localities().next().unwrap().canton(), Some(Canton::Zh));
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode {
    code: u16,
    add_on: Option<u8>,
}

impl PostalCode {
    /// Checks the ranges 1000–9999 and 0–99.
    ///
    /// # Errors
    /// When either is out of range.
    pub fn new(code: u16, add_on: Option<u8>) -> Result<Self, Error> {
        if !(1000..=9999).contains(&code) {
            return Err(Error::Range {
                kind: KIND,
                value: u64::from(code),
                min: 1000,
                max: 9999,
            });
        }
        if let Some(a) = add_on
            && a > 99
        {
            return Err(Error::Range {
                kind: KIND,
                value: u64::from(a),
                min: 0,
                max: 99,
            });
        }
        Ok(Self { code, add_on })
    }

    /// The four-digit code.
    #[must_use]
    pub const fn code(self) -> u16 {
        self.code
    }

    /// The add-on, if given.
    #[must_use]
    pub const fn add_on(self) -> Option<u8> {
        self.add_on
    }

    /// The official localities with this code (and add-on, if given), ordered by add-on and name.
    pub fn localities(self) -> impl Iterator<Item = &'static Locality> {
        let start = LOCALITIES.partition_point(|l| l.code < self.code);
        LOCALITIES[start..]
            .iter()
            .take_while(move |l| l.code == self.code)
            .filter(move |l| self.add_on.is_none_or(|a| a == l.add_on))
    }

    /// Whether the official directory has this code (and add-on).
    #[must_use]
    pub fn exists(self) -> bool {
        self.localities().next().is_some()
    }

    /// The display form.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.to_string()
    }
}

impl FromStr for PostalCode {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim_start();
        let offset = input.len() - trimmed.len();
        let (skip, rest) = match trimmed.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("CH-") => (offset + 3, &trimmed[3..]),
            _ => (offset, trimmed),
        };
        let chars: Vec<(usize, char)> = significant(rest, &['-'])
            .into_iter()
            .map(|(p, c)| (p + input[..skip].chars().count(), c))
            .collect();
        if chars.is_empty() {
            return Err(Error::Empty { kind: KIND });
        }
        for &(position, c) in &chars {
            if !c.is_ascii_digit() {
                return Err(Error::Character {
                    kind: KIND,
                    position,
                    found: c,
                    expected: "a digit",
                });
            }
        }
        let digits: String = chars.iter().map(|(_, c)| *c).collect();
        let (code, add_on) = match digits.len() {
            4 => (&digits[..], None),
            6 => (&digits[..4], Some(&digits[4..])),
            n => {
                return Err(Error::Length {
                    kind: KIND,
                    expected: "4 digits, or 6 with the add-on",
                    found: n,
                });
            }
        };
        let code: u16 = code.parse().map_err(|_| Error::Invalid {
            kind: KIND,
            reason: "not a number",
        })?;
        let add_on = add_on
            .map(str::parse::<u8>)
            .transpose()
            .map_err(|_| Error::Invalid {
                kind: KIND,
                reason: "add-on is not a number",
            })?;
        Self::new(code, add_on)
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.add_on {
            Some(a) => write!(f, "{}-{a:02}", self.code),
            None => write!(f, "{}", self.code),
        }
    }
}

string_serde!(PostalCode, "a Swiss postal code such as 3000 or 8914-02");

/// A locality of swisstopo's official directory (Amtliches Ortschaftenverzeichnis): a place name
/// with its postal code and add-on, the municipality it lies in, and its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locality {
    name: &'static str,
    code: u16,
    add_on: u8,
    municipality: u16,
    canton: Option<Canton>,
    language: Option<Language>,
}

/// Table constructor used by the generated directory.
pub(crate) const fn l(
    name: &'static str,
    code: u16,
    add_on: u8,
    municipality: u16,
    canton: Option<Canton>,
    language: Option<Language>,
) -> Locality {
    Locality {
        name,
        code,
        add_on,
        municipality,
        canton,
        language,
    }
}

impl Locality {
    /// The locality's name (Ortschaftsname).
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Its postal code with add-on.
    #[must_use]
    pub const fn postal_code(&self) -> PostalCode {
        PostalCode {
            code: self.code,
            add_on: Some(self.add_on),
        }
    }

    /// The BFS number of the municipality it lies in.
    #[must_use]
    pub const fn municipality_id(&self) -> MunicipalityId {
        MunicipalityId(self.municipality)
    }

    /// The municipality it lies in.
    #[must_use]
    pub fn municipality(&self) -> Option<&'static Municipality> {
        self.municipality_id().municipality()
    }

    /// The canton; `None` in Liechtenstein.
    #[must_use]
    pub const fn canton(&self) -> Option<Canton> {
        self.canton
    }

    /// The locality's language; `None` where the directory says several.
    #[must_use]
    pub const fn language(&self) -> Option<Language> {
        self.language
    }

    /// Every locality in the directory, ordered by postal code, add-on and name.
    pub fn all() -> impl Iterator<Item = &'static Self> {
        LOCALITIES.iter()
    }

    /// Localities whose name is `name`, ignoring case and accents.
    pub fn find_by_name(name: &str) -> impl Iterator<Item = &'static Self> {
        let q = fold(name.trim());
        LOCALITIES.iter().filter(move |l| fold(l.name) == q)
    }
}

impl serde::Serialize for Locality {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Locality", 6)?;
        s.serialize_field("name", self.name)?;
        s.serialize_field("postal_code", &self.code.to_string())?;
        s.serialize_field("add_on", &format!("{:02}", self.add_on))?;
        s.serialize_field("municipality_id", &self.municipality_id())?;
        s.serialize_field("municipality", &self.municipality().map(Municipality::name))?;
        s.serialize_field("canton", &self.canton)?;
        s.serialize_field("language", &self.language)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let a = PostalCode::new(8914, Some(2)).unwrap();
        for s in ["8914-02", "891402", "8914 02", "CH-8914-02", " ch-891402 "] {
            assert_eq!(s.parse::<PostalCode>().unwrap(), a, "{s}");
        }
        assert_eq!(a.to_string(), "8914-02");
        assert_eq!("3000".parse::<PostalCode>().unwrap().to_string(), "3000");
        assert!(matches!("0999".parse::<PostalCode>(), Err(Error::Range { .. })));
        assert!(matches!(
            "30a0".parse::<PostalCode>(),
            Err(Error::Character { position: 3, .. })
        ));
        assert!(matches!(
            "CH-30a0".parse::<PostalCode>(),
            Err(Error::Character { position: 6, .. })
        ));
        assert!(matches!(
            "30000".parse::<PostalCode>(),
            Err(Error::Length { found: 5, .. })
        ));
    }

    #[test]
    fn lookups() {
        let plz: PostalCode = "8914-02".parse().unwrap();
        let l: Vec<_> = plz.localities().collect();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].name(), "Aeugstertal");
        assert_eq!(l[0].municipality().unwrap().name(), "Aeugst am Albis");
        assert!(!"1001".parse::<PostalCode>().unwrap().exists());
        let vaduz: Vec<_> = Locality::find_by_name("vaduz").collect();
        assert_eq!(vaduz[0].canton(), None);
        assert_eq!(vaduz[0].postal_code().code(), 9490);
    }
}
