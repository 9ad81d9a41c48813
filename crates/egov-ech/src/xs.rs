//! The XML Schema built-in types the eCH schemas use, their facets, and the macros the generated
//! modules build their restricted types with.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A decimal number (`xs:decimal`), exact.
pub type Decimal = rust_decimal::Decimal;

/// The facets of a restricted simple type (XML Schema 1.0 part 2, §4.3).
///
/// Numbers are kept as the schema wrote them and compared in the value space of the base type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facets {
    /// Exact length in characters (strings) or octets (binary).
    pub length: Option<u64>,
    /// Minimum length.
    pub min_length: Option<u64>,
    /// Maximum length.
    pub max_length: Option<u64>,
    /// Patterns; a value must match each of them (they come from different derivation steps).
    pub patterns: &'static [&'static str],
    /// Inclusive lower bound.
    pub min_inclusive: Option<&'static str>,
    /// Inclusive upper bound.
    pub max_inclusive: Option<&'static str>,
    /// Exclusive lower bound.
    pub min_exclusive: Option<&'static str>,
    /// Exclusive upper bound.
    pub max_exclusive: Option<&'static str>,
    /// Maximum number of significant digits.
    pub total_digits: Option<u64>,
    /// Maximum number of fraction digits.
    pub fraction_digits: Option<u64>,
    /// Whether whitespace is collapsed before the checks (every type but `xs:string`).
    pub collapse: bool,
    /// A rule beyond the XSD that the eCH standard demands for this type.
    pub semantic: Option<Semantic>,
}

impl Facets {
    /// No facets (whitespace collapsed).
    pub const NONE: Self = Self {
        length: None,
        min_length: None,
        max_length: None,
        patterns: &[],
        min_inclusive: None,
        max_inclusive: None,
        min_exclusive: None,
        max_exclusive: None,
        total_digits: None,
        fraction_digits: None,
        collapse: true,
        semantic: None,
    };
}

/// Rules beyond the XSD that eCH standards demand of some simple types. The generator attaches
/// them to the types they belong to, so every document, whatever its standard, is checked the
/// same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Semantic {
    /// eCH-0044 `vnType`: a valid AHV number (EAN-13 check digit), not only 756 and 13 digits.
    Ahvn13,
    /// eCH-0007 `municipalityIdType`: a number the BFS municipality register knows (current
    /// or former municipality, or Liechtenstein).
    BfsMunicipality,
    /// eCH-0097 `uidOrganisationIdType`: the nine digits of a UID with a valid check digit.
    UidNumber,
}

impl Semantic {
    /// What the rule is, in words.
    #[must_use]
    pub const fn rule(self) -> &'static str {
        match self {
            Self::Ahvn13 => "AHV number (eCH-0044)",
            Self::BfsMunicipality => "BFS municipality number (eCH-0007)",
            Self::UidNumber => "UID (eCH-0097)",
        }
    }

    /// Checks a value in its lexical form.
    ///
    /// # Errors
    /// [`FacetError::Semantic`] saying why the value breaks the rule.
    pub fn check(self, lexical: &str) -> Result<(), FacetError> {
        let fail = |reason: String| FacetError::Semantic {
            rule: self.rule(),
            reason,
        };
        match self {
            Self::Ahvn13 => lexical
                .parse::<egov_core::Ahvn13>()
                .map(drop)
                .map_err(|e| fail(e.to_string())),
            Self::BfsMunicipality => {
                let id = lexical
                    .parse::<egov_core::MunicipalityId>()
                    .map_err(|e| fail(e.to_string()))?;
                if id.municipality().is_none() {
                    return Err(fail(format!(
                        "{lexical} is not in the BFS municipality register (current or former)"
                    )));
                }
                Ok(())
            }
            Self::UidNumber => format!("CHE{lexical:0>9}")
                .parse::<egov_core::Uid>()
                .map(drop)
                .map_err(|e| fail(e.to_string())),
        }
    }
}

/// Why a value does not fit its simple type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FacetError {
    /// Not a lexical form of the base type.
    #[error("{value:?} is not {expected}")]
    Lexical {
        /// The base type, in words.
        expected: &'static str,
        /// The text found (cut to 64 characters).
        value: String,
    },
    /// Wrong length.
    #[error("has {found} characters, must have exactly {expected}")]
    Length {
        /// Required length.
        expected: u64,
        /// Length found.
        found: u64,
    },
    /// Too short.
    #[error("has {found} characters, must have at least {min}")]
    MinLength {
        /// Minimum.
        min: u64,
        /// Length found.
        found: u64,
    },
    /// Too long.
    #[error("has {found} characters, must have at most {max}")]
    MaxLength {
        /// Maximum.
        max: u64,
        /// Length found.
        found: u64,
    },
    /// Does not match a pattern.
    #[error("does not match the pattern {pattern}")]
    Pattern {
        /// The XSD pattern.
        pattern: &'static str,
    },
    /// Outside a bound.
    #[error("must be {rule} {limit}")]
    Range {
        /// `≥`, `≤`, `>` or `<`.
        rule: &'static str,
        /// The bound.
        limit: &'static str,
    },
    /// Too many digits.
    #[error("has more than {max} digits")]
    TotalDigits {
        /// Maximum.
        max: u64,
    },
    /// Too many fraction digits.
    #[error("has more than {max} fraction digits")]
    FractionDigits {
        /// Maximum.
        max: u64,
    },
    /// Breaks a rule of the eCH standard beyond the XSD ([`Semantic`]).
    #[error("is not a valid {rule}: {reason}")]
    Semantic {
        /// The rule, in words.
        rule: &'static str,
        /// Why not.
        reason: String,
    },
    /// Not one of the enumerated values.
    #[error("{value:?} is not one of {}", allowed.join(", "))]
    Enumeration {
        /// The text found (cut to 64 characters).
        value: String,
        /// The allowed values.
        allowed: &'static [&'static str],
    },
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 64 {
        s.chars().take(61).chain("...".chars()).collect()
    } else {
        s.to_owned()
    }
}

/// Whitespace handling of XML Schema: `collapse` trims and folds runs to one space.
#[must_use]
pub fn normalize(s: &str, collapse: bool) -> Cow<'_, str> {
    if !collapse {
        return Cow::Borrowed(s);
    }
    let simple = !s.starts_with([' ', '\t', '\n', '\r'])
        && !s.ends_with([' ', '\t', '\n', '\r'])
        && !s.contains(['\t', '\n', '\r'])
        && !s.contains("  ");
    if simple {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.split([' ', '\t', '\n', '\r'])
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

fn pattern_matches(pattern: &'static str, value: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let re = cache
        .entry(pattern)
        .or_insert_with(|| regex::Regex::new(&format!("^(?:{pattern})$")).ok());
    // A pattern the regex engine cannot compile is not enforced (the generator checks that
    // every eCH pattern compiles).
    re.as_ref().is_none_or(|re| re.is_match(value))
}

/// A built-in type: its lexical forms and how facets apply to it.
pub trait Lexical: Sized {
    /// The type in words, for error messages.
    const EXPECTED: &'static str;

    /// Parses a lexical form (already whitespace-normalised).
    ///
    /// # Errors
    /// When `s` is not a lexical form of the type.
    fn parse_lexical(s: &str) -> Result<Self, FacetError>;

    /// The canonical lexical form.
    fn to_lexical(&self) -> Cow<'_, str>;

    /// Brings a value into its normal form before facets are checked.
    #[must_use]
    fn normalized(self, _collapse: bool) -> Self {
        self
    }

    /// Checks the facets that apply to this type.
    ///
    /// # Errors
    /// The first facet the value breaks.
    fn check_facets(&self, facets: &Facets) -> Result<(), FacetError> {
        check_common(&self.to_lexical(), facets)
    }
}

fn lexical_error<T: Lexical>(s: &str) -> FacetError {
    FacetError::Lexical {
        expected: T::EXPECTED,
        value: shorten(s),
    }
}

/// Length and pattern facets on the lexical form.
fn check_common(lexical: &str, f: &Facets) -> Result<(), FacetError> {
    let len = lexical.chars().count() as u64;
    if let Some(expected) = f.length
        && len != expected
    {
        return Err(FacetError::Length { expected, found: len });
    }
    if let Some(min) = f.min_length
        && len < min
    {
        return Err(FacetError::MinLength { min, found: len });
    }
    if let Some(max) = f.max_length
        && len > max
    {
        return Err(FacetError::MaxLength { max, found: len });
    }
    for p in f.patterns {
        if !pattern_matches(p, lexical) {
            return Err(FacetError::Pattern { pattern: p });
        }
    }
    Ok(())
}

/// Range facets for any ordered type whose bounds parse with `parse`.
fn check_range<T: PartialOrd>(
    value: &T,
    f: &Facets,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<(), FacetError> {
    type Check = (Option<&'static str>, &'static str, fn(std::cmp::Ordering) -> bool);
    let checks: [Check; 4] = [
        (f.min_inclusive, "≥", |o| o != std::cmp::Ordering::Less),
        (f.max_inclusive, "≤", |o| o != std::cmp::Ordering::Greater),
        (f.min_exclusive, ">", |o| o == std::cmp::Ordering::Greater),
        (f.max_exclusive, "<", |o| o == std::cmp::Ordering::Less),
    ];
    for (limit, rule, ok) in checks {
        if let Some(limit) = limit
            && let Some(bound) = parse(limit)
            && !value.partial_cmp(&bound).is_some_and(ok)
        {
            return Err(FacetError::Range { rule, limit });
        }
    }
    Ok(())
}

/// Total and fraction digits of a decimal lexical form.
fn check_digits(lexical: &str, f: &Facets) -> Result<(), FacetError> {
    if f.total_digits.is_none() && f.fraction_digits.is_none() {
        return Ok(());
    }
    let unsigned = lexical.trim_start_matches(['+', '-']);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if let Some(max) = f.total_digits
        && (int.len() + frac.len()) as u64 > max
    {
        return Err(FacetError::TotalDigits { max });
    }
    if let Some(max) = f.fraction_digits
        && frac.len() as u64 > max
    {
        return Err(FacetError::FractionDigits { max });
    }
    Ok(())
}

impl Lexical for String {
    const EXPECTED: &'static str = "text";
    fn parse_lexical(s: &str) -> Result<Self, FacetError> {
        Ok(s.to_owned())
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
    fn normalized(self, collapse: bool) -> Self {
        match normalize(&self, collapse) {
            Cow::Borrowed(_) => self,
            Cow::Owned(s) => s,
        }
    }
}

impl Lexical for bool {
    const EXPECTED: &'static str = "a boolean (true, false, 1, 0)";
    fn parse_lexical(s: &str) -> Result<Self, FacetError> {
        match s {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(lexical_error::<Self>(s)),
        }
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! integer {
    ($($t:ty => $words:literal),*) => {$(
        impl Lexical for $t {
            const EXPECTED: &'static str = $words;
            fn parse_lexical(s: &str) -> Result<Self, FacetError> {
                s.strip_prefix('+').unwrap_or(s).parse().map_err(|_| lexical_error::<Self>(s))
            }
            fn to_lexical(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
            fn check_facets(&self, f: &Facets) -> Result<(), FacetError> {
                check_common(&self.to_lexical(), f)?;
                check_digits(&self.to_lexical(), f)?;
                check_range(&i128::from(*self), f, |b| b.parse::<i128>().ok())
            }
        }
    )*};
}
integer!(i32 => "an integer", i64 => "an integer", u16 => "a non-negative integer up to 65535",
    u32 => "a non-negative integer", u64 => "a non-negative integer");

impl Lexical for Decimal {
    const EXPECTED: &'static str = "a decimal number";
    fn parse_lexical(s: &str) -> Result<Self, FacetError> {
        let ok = !s.is_empty()
            && s.trim_start_matches(['+', '-'])
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
            && s.matches('.').count() <= 1
            && s.trim_start_matches(['+', '-'])
                .chars()
                .any(|c| c.is_ascii_digit());
        if !ok {
            return Err(lexical_error::<Self>(s));
        }
        Decimal::from_str_exact(s.strip_prefix('+').unwrap_or(s)).map_err(|_| lexical_error::<Self>(s))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
    fn check_facets(&self, f: &Facets) -> Result<(), FacetError> {
        check_digits(&self.to_lexical(), f)?;
        check_range(self, f, |b| Decimal::from_str(b).ok())
    }
}

/// A time zone of a date or time value: `Z` or an offset in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeZone(i16);

impl TimeZone {
    /// UTC (`Z`).
    pub const UTC: Self = Self(0);

    /// The offset from UTC in minutes.
    #[must_use]
    pub const fn offset_minutes(self) -> i16 {
        self.0
    }

    fn split(s: &str) -> Option<(&str, Option<Self>)> {
        if let Some(rest) = s.strip_suffix('Z') {
            return Some((rest, Some(Self::UTC)));
        }
        if s.len() > 6 {
            let (head, tz) = s.split_at(s.len() - 6);
            let b = tz.as_bytes();
            if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
                let h: i16 = tz[1..3].parse().ok()?;
                let m: i16 = tz[4..6].parse().ok()?;
                if h > 14 || m > 59 {
                    return None;
                }
                let sign = if b[0] == b'-' { -1 } else { 1 };
                return Some((head, Some(Self(sign * (h * 60 + m)))));
            }
        }
        Some((s, None))
    }

    fn write(tz: Option<Self>, out: &mut String) {
        match tz {
            None => {}
            Some(Self(0)) => out.push('Z'),
            Some(Self(m)) => {
                let sign = if m < 0 { '-' } else { '+' };
                out.push_str(&format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60));
            }
        }
    }
}

macro_rules! dated {
    ($(#[$doc:meta])* $name:ident, $inner:ty, $fmt:literal, $words:literal, $parse:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            /// The value without its time zone.
            pub value: $inner,
            /// The time zone, if the document gave one.
            pub tz: Option<TimeZone>,
        }

        impl $name {
            /// A value without time zone.
            #[must_use]
            pub const fn new(value: $inner) -> Self {
                Self { value, tz: None }
            }
        }

        impl Lexical for $name {
            const EXPECTED: &'static str = $words;
            fn parse_lexical(s: &str) -> Result<Self, FacetError> {
                let (head, tz) = TimeZone::split(s).ok_or_else(|| lexical_error::<Self>(s))?;
                let parse: fn(&str) -> Option<$inner> = $parse;
                let value = parse(head).ok_or_else(|| lexical_error::<Self>(s))?;
                Ok(Self { value, tz })
            }
            fn to_lexical(&self) -> Cow<'_, str> {
                let mut s = self.value.format($fmt).to_string();
                TimeZone::write(self.tz, &mut s);
                Cow::Owned(s)
            }
            fn check_facets(&self, f: &Facets) -> Result<(), FacetError> {
                check_common(&self.to_lexical(), f)?;
                check_range(&self.value, f, |b| Self::parse_lexical(b).ok().map(|v| v.value))
            }
        }
    };
}

dated!(
    /// `xs:date`: a calendar date with an optional time zone.
    Date, NaiveDate, "%Y-%m-%d", "a date (YYYY-MM-DD)",
    |s| (s.len() == 10).then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
);
dated!(
    /// `xs:dateTime`: a date and time with an optional time zone.
    DateTime, NaiveDateTime, "%Y-%m-%dT%H:%M:%S%.f", "a date and time (YYYY-MM-DDThh:mm:ss)",
    |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
);
dated!(
    /// `xs:time`: a time of day with an optional time zone.
    Time, NaiveTime, "%H:%M:%S%.f", "a time (hh:mm:ss)",
    |s| NaiveTime::parse_from_str(s, "%H:%M:%S%.f").ok()
);

/// `xs:gYear`: a year, such as `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GYear {
    /// The year.
    pub year: i32,
    /// The time zone, if the document gave one.
    pub tz: Option<TimeZone>,
}

impl Lexical for GYear {
    const EXPECTED: &'static str = "a year (YYYY)";
    fn parse_lexical(s: &str) -> Result<Self, FacetError> {
        let (head, tz) = TimeZone::split(s).ok_or_else(|| lexical_error::<Self>(s))?;
        let digits = head.trim_start_matches('-');
        if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(lexical_error::<Self>(s));
        }
        Ok(Self {
            year: head.parse().map_err(|_| lexical_error::<Self>(s))?,
            tz,
        })
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        let mut s = format!("{:04}", self.year);
        TimeZone::write(self.tz, &mut s);
        Cow::Owned(s)
    }
    fn check_facets(&self, f: &Facets) -> Result<(), FacetError> {
        check_common(&self.to_lexical(), f)?;
        check_range(&self.year, f, |b| Self::parse_lexical(b).ok().map(|v| v.year))
    }
}

/// `xs:gYearMonth`: a month of a year, such as `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GYearMonth {
    /// The year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
    /// The time zone, if the document gave one.
    pub tz: Option<TimeZone>,
}

impl Lexical for GYearMonth {
    const EXPECTED: &'static str = "a year and month (YYYY-MM)";
    fn parse_lexical(s: &str) -> Result<Self, FacetError> {
        let (head, tz) = TimeZone::split(s).ok_or_else(|| lexical_error::<Self>(s))?;
        let (y, m) = head.rsplit_once('-').ok_or_else(|| lexical_error::<Self>(s))?;
        let year: i32 = y.parse().map_err(|_| lexical_error::<Self>(s))?;
        let month: u8 = m.parse().map_err(|_| lexical_error::<Self>(s))?;
        if m.len() != 2 || !(1..=12).contains(&month) || y.trim_start_matches('-').len() < 4 {
            return Err(lexical_error::<Self>(s));
        }
        Ok(Self { year, month, tz })
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        let mut s = format!("{:04}-{:02}", self.year, self.month);
        TimeZone::write(self.tz, &mut s);
        Cow::Owned(s)
    }
}

/// `xs:base64Binary`: bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Base64(pub Vec<u8>);

impl Lexical for Base64 {
    const EXPECTED: &'static str = "base64 data";
    fn parse_lexical(s: &str) -> Result<Self, FacetError> {
        use base64::Engine as _;
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map(Self)
            .map_err(|_| lexical_error::<Self>(s))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        use base64::Engine as _;
        Cow::Owned(base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
    fn check_facets(&self, f: &Facets) -> Result<(), FacetError> {
        let len = self.0.len() as u64;
        if let Some(expected) = f.length
            && len != expected
        {
            return Err(FacetError::Length { expected, found: len });
        }
        if let Some(min) = f.min_length
            && len < min
        {
            return Err(FacetError::MinLength { min, found: len });
        }
        if let Some(max) = f.max_length
            && len > max
        {
            return Err(FacetError::MaxLength { max, found: len });
        }
        Ok(())
    }
}

macro_rules! lexical_display_serde {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_lexical())
            }
        }
        impl FromStr for $t {
            type Err = FacetError;
            fn from_str(s: &str) -> Result<Self, FacetError> {
                Self::parse_lexical(&normalize(s, true))
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_lexical())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <Cow<'de, str>>::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}
lexical_display_serde!(Date, DateTime, Time, GYear, GYearMonth, Base64);

/// An XML element kept as it was read: the content of `xs:any` and `xs:anyType` elements.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct AnyElement {
    /// Namespace URI, empty for none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Local name.
    pub name: String,
    /// Attributes: namespace (empty for none), local name, value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<(String, String, String)>,
    /// Child nodes in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<AnyNode>,
}

/// A node inside an [`AnyElement`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnyNode {
    /// A child element.
    Element(AnyElement),
    /// Text (entities resolved).
    Text(String),
}

/// Implements the API of a generated restricted simple type: checked constructor, `FromStr`,
/// `Display`, serde.
#[doc(hidden)]
#[macro_export]
macro_rules! __restricted {
    ($name:ident, $base:ty, $facets:expr) => {
        impl $name {
            /// The facets of this type.
            pub const FACETS: $crate::xs::Facets = $facets;

            /// Checks the facets (after whitespace normalisation) and wraps the value.
            ///
            /// # Errors
            /// When the value breaks a facet of the type.
            pub fn new(value: $base) -> ::core::result::Result<Self, $crate::xs::FacetError> {
                let value = $crate::xs::Lexical::normalized(value, Self::FACETS.collapse);
                $crate::xs::Lexical::check_facets(&value, &Self::FACETS)?;
                if let Some(rule) = Self::FACETS.semantic {
                    rule.check(&$crate::xs::Lexical::to_lexical(&value))?;
                }
                Ok(Self(value))
            }

            /// The value.
            #[must_use]
            pub const fn get(&self) -> &$base {
                &self.0
            }

            /// The value, unwrapped.
            #[must_use]
            pub fn into_inner(self) -> $base {
                self.0
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::xs::FacetError;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                let text = $crate::xs::normalize(s, Self::FACETS.collapse);
                Self::new(<$base as $crate::xs::Lexical>::parse_lexical(&text)?)
            }
        }

        impl $crate::write::XmlText for $name {
            fn parse_text(text: &str) -> ::core::result::Result<Self, $crate::xs::FacetError> {
                text.parse()
            }
            fn to_text(&self) -> ::std::borrow::Cow<'_, str> {
                $crate::xs::Lexical::to_lexical(&self.0)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&$crate::xs::Lexical::to_lexical(&self.0))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let value = <$base as ::serde::Deserialize>::deserialize(deserializer)?;
                Self::new(value).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub use crate::__restricted as restricted;

/// Implements the API of a generated enumeration: `as_str`, `ALL`, `FromStr`, `Display`, serde.
#[doc(hidden)]
#[macro_export]
macro_rules! __enumeration {
    ($name:ident, $base:ty, [$($variant:ident => $value:literal),* $(,)?]) => {
        impl $name {
            /// Every value, in the order of the schema.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];
            /// The lexical values, in the order of the schema.
            pub const VALUES: &'static [&'static str] = &[$($value),*];

            /// The value as the XML document writes it.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value),*
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::xs::FacetError;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                let text = $crate::xs::normalize(s, true);
                match &*text {
                    $($value => Ok(Self::$variant),)*
                    _ => Err($crate::xs::FacetError::Enumeration { value: text.chars().take(64).collect(), allowed: Self::VALUES }),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::write::XmlText for $name {
            fn parse_text(text: &str) -> ::core::result::Result<Self, $crate::xs::FacetError> {
                text.parse()
            }
            fn to_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub use crate::__enumeration as enumeration;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace() {
        assert_eq!(normalize("  a \n b  ", true), "a b");
        assert_eq!(normalize("  a  ", false), "  a  ");
    }

    #[test]
    fn facets() {
        let f = Facets {
            min_length: Some(1),
            max_length: Some(3),
            patterns: &["[a-z]+"],
            ..Facets::NONE
        };
        assert!("ab".to_owned().check_facets(&f).is_ok());
        assert_eq!(
            "abcd".to_owned().check_facets(&f),
            Err(FacetError::MaxLength { max: 3, found: 4 })
        );
        assert_eq!(
            "AB".to_owned().check_facets(&f),
            Err(FacetError::Pattern { pattern: "[a-z]+" })
        );
        let r = Facets {
            min_inclusive: Some("7560000000001"),
            max_inclusive: Some("7569999999999"),
            ..Facets::NONE
        };
        assert!(7_561_234_567_897u64.check_facets(&r).is_ok());
        assert_eq!(
            7_550_000_000_000u64.check_facets(&r),
            Err(FacetError::Range {
                rule: "≥",
                limit: "7560000000001"
            })
        );
        let d = Facets {
            total_digits: Some(5),
            fraction_digits: Some(2),
            ..Facets::NONE
        };
        assert!(Decimal::parse_lexical("123.45").unwrap().check_facets(&d).is_ok());
        assert!(
            Decimal::parse_lexical("123.456")
                .unwrap()
                .check_facets(&d)
                .is_err()
        );
        assert_eq!(
            Decimal::parse_lexical("1234.56").unwrap().check_facets(&d),
            Err(FacetError::TotalDigits { max: 5 })
        );
    }

    #[test]
    fn dates_keep_time_zones() {
        for s in [
            "2026-11-23",
            "2026-11-23Z",
            "2026-11-23+01:00",
            "2026-11-23-05:30",
        ] {
            assert_eq!(Date::parse_lexical(s).unwrap().to_lexical(), s);
        }
        assert!(Date::parse_lexical("2026-02-30").is_err());
        assert!(Date::parse_lexical("26-11-23").is_err());
        let dt = DateTime::parse_from("2026-11-23T10:15:30.5+01:00");
        assert_eq!(dt.to_lexical(), "2026-11-23T10:15:30.500+01:00");
        assert_eq!(GYearMonth::parse_lexical("2026-11").unwrap().month, 11);
        assert_eq!(GYear::parse_lexical("2026").unwrap().year, 2026);
        assert!(bool::parse_lexical("yes").is_err());
        assert_eq!(Base64::parse_lexical("aGFs bG8=").unwrap().0, b"hallo");
    }

    impl DateTime {
        fn parse_from(s: &str) -> Self {
            Self::parse_lexical(s).unwrap()
        }
    }
}
