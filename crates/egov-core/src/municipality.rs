//! BFS municipality numbers and the built-in register of municipalities.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::canton::Canton;
use crate::error::{Error, Kind};
use crate::generated::municipalities::{LOCALITIES_SNAPSHOT, MUNICIPALITIES, REGISTER_FROM, REGISTER_UNTIL};

const KIND: Kind = Kind::MunicipalityId;

/// A BFS municipality number (Gemeindenummer, numéro OFS de la commune): 1–9999, as eCH-0007
/// `municipalityId` allows.
///
/// Any number in range is a well-formed `MunicipalityId`; whether a municipality with that number
/// exists (on a date) is a question for the register: [`MunicipalityId::municipality`],
/// [`MunicipalityId::validity_on`].
///
/// ```
/// use egov_core::{Canton, MunicipalityId};
///
/// let bern: MunicipalityId = "351".parse()?;
/// let m = bern.municipality().expect("in the register");
/// assert_eq!(m.name(), "Bern");
/// assert_eq!(m.canton(), Some(Canton::Be));
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MunicipalityId(pub(crate) u16);

impl MunicipalityId {
    /// Checks the range 1–9999.
    ///
    /// # Errors
    /// When `number` is 0 or above 9999.
    pub fn new(number: u16) -> Result<Self, Error> {
        if (1..=9999).contains(&number) {
            Ok(Self(number))
        } else {
            Err(Error::Range {
                kind: KIND,
                value: u64::from(number),
                min: 1,
                max: 9999,
            })
        }
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

    /// The register entry for this number, current or former.
    #[must_use]
    pub fn municipality(self) -> Option<&'static Municipality> {
        MUNICIPALITIES
            .binary_search_by_key(&self.0, |m| m.id)
            .ok()
            .map(|i| &MUNICIPALITIES[i])
    }

    /// Whether a municipality had this number on `date`, as far as the built-in sources tell.
    ///
    /// The register holds the BFS list of 2026 (complete for that year) and the numbers used by
    /// swisstopo's locality directory since the date of each locality. Outside those spans the
    /// answer is [`Validity::Unknown`].
    #[must_use]
    pub fn validity_on(self, date: NaiveDate) -> Validity {
        let day = date_key(date);
        match self.municipality() {
            Some(m) if (m.attested_from..=m.attested_until).contains(&day) => Validity::Valid,
            Some(m) if m.status == Status::Former && (REGISTER_FROM..=REGISTER_UNTIL).contains(&day) => {
                Validity::Invalid
            }
            Some(m) if m.status == Status::Liechtenstein => Validity::Unknown,
            None if (REGISTER_FROM..=REGISTER_UNTIL).contains(&day) => Validity::Invalid,
            _ => Validity::Unknown,
        }
    }
}

fn date_key(date: NaiveDate) -> u32 {
    let year = u32::try_from(date.year()).unwrap_or(0);
    year * 10_000 + date.month() * 100 + date.day()
}

fn key_date(key: u32) -> NaiveDate {
    let year = i32::try_from(key / 10_000).unwrap_or(1970);
    NaiveDate::from_ymd_opt(year, (key / 100) % 100, key % 100).unwrap_or_default()
}

/// What the built-in sources say about a municipality number on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Validity {
    /// A municipality had this number on that date.
    Valid,
    /// The official list for that date does not have the number.
    Invalid,
    /// The built-in sources do not cover that date for this number.
    Unknown,
}

/// Where a register entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// In the current BFS list.
    Current,
    /// Used in earlier lists, gone from the current one (merged or moved).
    Former,
    /// A municipality of Liechtenstein, which Swiss postal lists include (BFS 7001–7011).
    Liechtenstein,
}

/// An entry of the built-in municipality register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Municipality {
    id: u16,
    name: &'static str,
    canton: Option<Canton>,
    district: Option<&'static str>,
    #[serde(skip)]
    attested_from: u32,
    #[serde(skip)]
    attested_until: u32,
    status: Status,
}

/// Table constructor used by the generated register.
pub(crate) const fn m(
    id: u16,
    name: &'static str,
    canton: Option<Canton>,
    district: Option<&'static str>,
    attested_from: u32,
    attested_until: u32,
    status: Status,
) -> Municipality {
    Municipality {
        id,
        name,
        canton,
        district,
        attested_from,
        attested_until,
        status,
    }
}

impl Municipality {
    /// The BFS number.
    #[must_use]
    pub fn id(&self) -> MunicipalityId {
        MunicipalityId(self.id)
    }

    /// The official name (for a former municipality, its last name).
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The canton; `None` for Liechtenstein.
    #[must_use]
    pub const fn canton(&self) -> Option<Canton> {
        self.canton
    }

    /// The district (Bezirk), where the canton has districts.
    #[must_use]
    pub const fn district(&self) -> Option<&'static str> {
        self.district
    }

    /// Current, former or Liechtenstein.
    #[must_use]
    pub const fn status(&self) -> Status {
        self.status
    }

    /// The first and last day on which the sources show this number in use.
    #[must_use]
    pub fn attested(&self) -> (NaiveDate, NaiveDate) {
        (key_date(self.attested_from), key_date(self.attested_until))
    }

    /// All register entries, current and former, ordered by number.
    pub fn all() -> impl Iterator<Item = &'static Self> {
        MUNICIPALITIES.iter()
    }

    /// The current Swiss municipalities (the BFS list of 2026).
    pub fn current() -> impl Iterator<Item = &'static Self> {
        MUNICIPALITIES.iter().filter(|m| m.status == Status::Current)
    }

    /// Entries whose name matches `query`: exact matches (ignoring case and accents) first, then
    /// names that start with it, then names that contain it; current ones before former ones.
    #[must_use]
    pub fn search(query: &str) -> Vec<&'static Self> {
        let q = fold(query.trim());
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, &'static Self)> = MUNICIPALITIES
            .iter()
            .filter_map(|m| {
                let name = fold(m.name);
                let rank = if name == q {
                    0
                } else if name.starts_with(&q) {
                    1
                } else if name.contains(&q) {
                    2
                } else {
                    return None;
                };
                Some((rank * 2 + u8::from(m.status != Status::Current), m))
            })
            .collect();
        hits.sort_by_key(|(rank, m)| (*rank, m.name));
        hits.into_iter().map(|(_, m)| m).collect()
    }
}

/// The dates the register was built from: the BFS list's year and the locality directory's
/// newest validity date.
#[must_use]
pub fn register_dates() -> (NaiveDate, NaiveDate) {
    (key_date(REGISTER_FROM), key_date(LOCALITIES_SNAPSHOT))
}

/// Lower case without accents, for name comparison ("Zürich" = "zurich").
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ÿ' => 'y',
            other => other,
        };
        out.push(base);
    }
    out
}

impl FromStr for MunicipalityId {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::Empty { kind: KIND });
        }
        let mut value = 0u32;
        for (i, c) in s.chars().enumerate() {
            let Some(d) = c.to_digit(10) else {
                return Err(Error::Character {
                    kind: KIND,
                    position: i + 1,
                    found: c,
                    expected: "a digit",
                });
            };
            value = (value * 10 + d).min(100_000);
        }
        let number = u16::try_from(value).unwrap_or(u16::MAX);
        if value > 9999 {
            return Err(Error::Range {
                kind: KIND,
                value: u64::from(value),
                min: 1,
                max: 9999,
            });
        }
        Self::new(number)
    }
}

impl fmt::Display for MunicipalityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for MunicipalityId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for MunicipalityId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u16),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(n) => Self::new(n),
            Raw::Text(s) => s.parse(),
        }
        .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn register_has_the_2026_list() {
        assert_eq!(Municipality::current().count(), 2110);
        let zurich = MunicipalityId::new(261).unwrap().municipality().unwrap();
        assert_eq!((zurich.name(), zurich.canton()), ("Zürich", Some(Canton::Zh)));
        assert_eq!(zurich.status(), Status::Current);
    }

    #[test]
    fn moutier_moved_to_jura_in_2026() {
        let old = MunicipalityId::new(700).unwrap();
        assert_eq!(old.municipality().unwrap().status(), Status::Former);
        assert_eq!(old.validity_on(date("2024-06-01")), Validity::Valid);
        assert_eq!(old.validity_on(date("2026-03-01")), Validity::Invalid);
        let new = Municipality::search("Moutier");
        assert_eq!(new[0].canton(), Some(Canton::Ju));
        assert_eq!(new[0].id().validity_on(date("2026-03-01")), Validity::Valid);
    }

    #[test]
    fn unknown_numbers() {
        let n = MunicipalityId::new(9999).unwrap();
        assert!(n.municipality().is_none());
        assert_eq!(n.validity_on(date("2026-05-05")), Validity::Invalid);
        assert_eq!(n.validity_on(date("2030-05-05")), Validity::Unknown);
        assert!(MunicipalityId::new(0).is_err());
        assert!("10000".parse::<MunicipalityId>().is_err());
        assert!(matches!(
            "35a".parse::<MunicipalityId>(),
            Err(Error::Character { position: 3, .. })
        ));
    }

    #[test]
    fn search_ignores_case_and_accents() {
        let hits = Municipality::search("zurich");
        assert_eq!(hits[0].name(), "Zürich");
        assert!(
            Municipality::search("geneve")
                .iter()
                .any(|m| m.name() == "Genève")
        );
        assert!(Municipality::search("").is_empty());
    }

    #[test]
    fn serde() {
        let id = MunicipalityId::new(351).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"351\"");
        assert_eq!(serde_json::from_str::<MunicipalityId>("\"351\"").unwrap(), id);
        assert_eq!(serde_json::from_str::<MunicipalityId>("351").unwrap(), id);
        assert!(serde_json::from_str::<MunicipalityId>("0").is_err());
    }
}
