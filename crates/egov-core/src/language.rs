//! The languages of Swiss e-government: the four national languages and English.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind};

/// A language that Swiss public services offer: German, French, Italian, Romansh, English.
///
/// Parsing takes ISO 639-1 codes and BCP 47 tags (`de`, `fr-CH`, `rm`, `gsw`), ISO 639-2 codes
/// (`deu`, `ger`, `fra`, `fre`, `ita`, `roh`, `eng`), any case. Serde uses the two-letter code.
///
/// ```
/// use egov_core::Language;
///
/// assert_eq!("fr-CH".parse::<Language>()?, Language::Fr);
/// let lang = Language::negotiate("it-CH, fr;q=0.9, *;q=0.1", &Language::ALL);
/// assert_eq!(lang, Some(Language::It));
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Language {
    /// German (Deutsch).
    De,
    /// French (français).
    Fr,
    /// Italian (italiano).
    It,
    /// Romansh (rumantsch grischun).
    Rm,
    /// English.
    En,
}

impl Language {
    /// All five, in the order of the federal constitution followed by English.
    pub const ALL: [Self; 5] = [Self::De, Self::Fr, Self::It, Self::Rm, Self::En];

    /// The ISO 639-1 code: `de`, `fr`, `it`, `rm`, `en`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::Fr => "fr",
            Self::It => "it",
            Self::Rm => "rm",
            Self::En => "en",
        }
    }

    /// The language's name in itself.
    #[must_use]
    pub const fn endonym(self) -> &'static str {
        match self {
            Self::De => "Deutsch",
            Self::Fr => "Français",
            Self::It => "Italiano",
            Self::Rm => "Rumantsch",
            Self::En => "English",
        }
    }

    /// The default order in which to look for a text when it is missing in `self`.
    ///
    /// Romansh falls back to German first (every Romansh speaker reads German, and cantonal
    /// texts of Graubünden exist in German); French and Italian fall back to German, then to
    /// each other; German to French. English comes last but for itself.
    #[must_use]
    pub const fn default_fallbacks(self) -> &'static [Self] {
        match self {
            Self::De => &[Self::De, Self::Fr, Self::It, Self::En, Self::Rm],
            Self::Fr => &[Self::Fr, Self::De, Self::It, Self::En, Self::Rm],
            Self::It => &[Self::It, Self::De, Self::Fr, Self::En, Self::Rm],
            Self::Rm => &[Self::Rm, Self::De, Self::It, Self::Fr, Self::En],
            Self::En => &[Self::En, Self::De, Self::Fr, Self::It, Self::Rm],
        }
    }

    /// Picks the best of `supported` for an HTTP `Accept-Language` header (RFC 9110 §12.5.4):
    /// language ranges in order of their `q` weight, `q=0` excluded, region subtags ignored,
    /// `*` meaning the first supported language. `None` when nothing matches.
    #[must_use]
    pub fn negotiate(accept_language: &str, supported: &[Self]) -> Option<Self> {
        let mut ranges: Vec<(u16, usize, &str)> = Vec::new();
        for (index, item) in accept_language.split(',').enumerate() {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or_default().trim();
            if range.is_empty() {
                continue;
            }
            let mut weight = 1000u16;
            for param in parts {
                let param = param.trim();
                if let Some(q) = param.strip_prefix("q=").or_else(|| param.strip_prefix("Q=")) {
                    weight = parse_qvalue(q.trim()).unwrap_or(0);
                }
            }
            if weight > 0 {
                ranges.push((weight, index, range));
            }
        }
        // Highest weight first; equal weights keep the header's order.
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, range) in ranges {
            if range == "*" {
                return supported.first().copied();
            }
            if let Ok(lang) = range.parse::<Self>()
                && supported.contains(&lang)
            {
                return Some(lang);
            }
        }
        None
    }
}

/// A `qvalue` in thousandths: `1`, `1.000`, `0.8`, `0.25`.
fn parse_qvalue(q: &str) -> Option<u16> {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut scale = 100;
    for b in frac.bytes() {
        thousandths += u16::from(b - b'0') * scale;
        scale /= 10;
    }
    (thousandths <= 1000).then_some(thousandths)
}

impl FromStr for Language {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let tag = input.trim();
        if tag.is_empty() {
            return Err(Error::Empty { kind: Kind::Language });
        }
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Ok(match primary.as_str() {
            "de" | "deu" | "ger" | "gsw" => Self::De,
            "fr" | "fra" | "fre" => Self::Fr,
            "it" | "ita" => Self::It,
            "rm" | "roh" => Self::Rm,
            "en" | "eng" => Self::En,
            _ => {
                return Err(Error::Invalid {
                    kind: Kind::Language,
                    reason: "not one of de, fr, it, rm, en",
                });
            }
        })
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where to look when a text is missing in the requested language.
///
/// By default [`Language::default_fallbacks`]; an app can set its own chain per language, such as
/// `rm → de` only.
///
/// ```
/// use egov_core::{Fallback, Language::*};
///
/// let fallback = Fallback::default().with(Rm, &[De]);
/// assert_eq!(fallback.chain(Rm), vec![Rm, De]);
/// assert_eq!(fallback.chain(It), vec![It, De, Fr, En, Rm]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fallback {
    custom: BTreeMap<Language, Vec<Language>>,
}

impl Fallback {
    /// After `language` itself, look in `then`, in this order, and nowhere else.
    #[must_use]
    pub fn with(mut self, language: Language, then: &[Language]) -> Self {
        self.custom.insert(
            language,
            then.iter().copied().filter(|l| *l != language).collect(),
        );
        self
    }

    /// The languages to try for `language`, starting with itself.
    #[must_use]
    pub fn chain(&self, language: Language) -> Vec<Language> {
        match self.custom.get(&language) {
            Some(then) => std::iter::once(language).chain(then.iter().copied()).collect(),
            None => language.default_fallbacks().to_vec(),
        }
    }
}

/// A value (usually text) in several languages, read with a fallback chain.
///
/// Serde reads and writes it as a map from language code to value: `{"de": "…", "fr": "…"}`.
///
/// ```
/// use egov_core::{Language, Localized};
///
/// let title = Localized::new()
///     .with(Language::De, "Wohnsitzbestätigung")
///     .with(Language::Fr, "Attestation de domicile");
/// assert_eq!(title.get(Language::Fr), Some(&"Attestation de domicile"));
/// assert_eq!(title.get(Language::Rm), Some(&"Wohnsitzbestätigung")); // rm → de
/// assert_eq!(title.resolve(Language::Rm).map(|(l, _)| l), Some(Language::De));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Localized<T> {
    values: BTreeMap<Language, T>,
}

impl<T> Default for Localized<T> {
    fn default() -> Self {
        Self {
            values: BTreeMap::new(),
        }
    }
}

impl<T> Localized<T> {
    /// An empty value.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the value in one language.
    #[must_use]
    pub fn with(mut self, language: Language, value: T) -> Self {
        self.values.insert(language, value);
        self
    }

    /// Sets the value in one language, returning the old one.
    pub fn insert(&mut self, language: Language, value: T) -> Option<T> {
        self.values.insert(language, value)
    }

    /// The value in exactly this language, without fallback.
    #[must_use]
    pub fn exact(&self, language: Language) -> Option<&T> {
        self.values.get(&language)
    }

    /// The value for `language`, following [`Language::default_fallbacks`].
    #[must_use]
    pub fn get(&self, language: Language) -> Option<&T> {
        self.resolve(language).map(|(_, v)| v)
    }

    /// The value for `language` and the language it was found in, following the default chain.
    #[must_use]
    pub fn resolve(&self, language: Language) -> Option<(Language, &T)> {
        language
            .default_fallbacks()
            .iter()
            .find_map(|l| self.values.get(l).map(|v| (*l, v)))
    }

    /// The value for `language` and the language it was found in, following `fallback`.
    #[must_use]
    pub fn resolve_with(&self, language: Language, fallback: &Fallback) -> Option<(Language, &T)> {
        fallback
            .chain(language)
            .into_iter()
            .find_map(|l| self.values.get(&l).map(|v| (l, v)))
    }

    /// The languages that have a value.
    pub fn languages(&self) -> impl Iterator<Item = Language> + '_ {
        self.values.keys().copied()
    }

    /// Whether no language has a value.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl<T> FromIterator<(Language, T)> for Localized<T> {
    fn from_iter<I: IntoIterator<Item = (Language, T)>>(iter: I) -> Self {
        Self {
            values: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Language::*;
    use super::*;

    #[test]
    fn parses_tags() {
        assert_eq!("de-CH".parse::<Language>().unwrap(), De);
        assert_eq!("FR_ch".parse::<Language>().unwrap(), Fr);
        assert_eq!("roh".parse::<Language>().unwrap(), Rm);
        assert_eq!("gsw".parse::<Language>().unwrap(), De);
        assert!("es".parse::<Language>().is_err());
        assert!(" ".parse::<Language>().is_err());
    }

    #[test]
    fn negotiation() {
        let all = &Language::ALL;
        assert_eq!(
            Language::negotiate("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", all),
            Some(Fr)
        );
        assert_eq!(Language::negotiate("es, en;q=0.5, de;q=0.6", all), Some(De));
        assert_eq!(Language::negotiate("de;q=0, en", all), Some(En));
        assert_eq!(Language::negotiate("es, pt", all), None);
        assert_eq!(Language::negotiate("es, *;q=0.1", &[It, De]), Some(It));
        assert_eq!(Language::negotiate("rm, de", &[De, Fr]), Some(De));
        assert_eq!(Language::negotiate("", all), None);
        assert_eq!(Language::negotiate("en;q=0.5, it;q=0.500", all), Some(En)); // equal: header order
        assert_eq!(Language::negotiate("en;q=2, it;q=0.1", all), Some(It)); // invalid q ignored as 0
    }

    #[test]
    fn localized_fallback() {
        let l: Localized<&str> = [(De, "Ja"), (Fr, "Oui")].into_iter().collect();
        assert_eq!(l.get(It), Some(&"Ja"));
        assert_eq!(l.resolve(En), Some((De, &"Ja")));
        let only_it = Fallback::default().with(Rm, &[It]);
        assert_eq!(l.resolve_with(Rm, &only_it), None);
        assert_eq!(Localized::<&str>::new().get(De), None);
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(json, r#"{"de":"Ja","fr":"Oui"}"#);
        assert_eq!(
            serde_json::from_str::<Localized<String>>(&json)
                .unwrap()
                .exact(Fr)
                .unwrap(),
            "Oui"
        );
    }
}
