//! The one error type of this crate.

use std::fmt;

/// Which kind of identifier or value an [`Error`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// [`crate::Ahvn13`]
    Ahvn13,
    /// [`crate::Uid`]
    Uid,
    /// [`crate::MunicipalityId`]
    MunicipalityId,
    /// [`crate::Canton`]
    Canton,
    /// [`crate::PostalCode`]
    PostalCode,
    /// [`crate::Iban`]
    Iban,
    /// [`crate::QrReference`]
    QrReference,
    /// [`crate::CreditorReference`]
    CreditorReference,
    /// [`crate::Egid`]
    Egid,
    /// [`crate::Ewid`]
    Ewid,
    /// [`crate::SedexId`]
    SedexId,
    /// [`crate::CountryId`]
    CountryId,
    /// [`crate::Language`]
    Language,
}

impl Kind {
    /// A short English name of the kind, as used in error messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ahvn13 => "AHV number",
            Self::Uid => "UID",
            Self::MunicipalityId => "BFS municipality number",
            Self::Canton => "canton",
            Self::PostalCode => "postal code",
            Self::Iban => "IBAN",
            Self::QrReference => "QR reference",
            Self::CreditorReference => "creditor reference",
            Self::Egid => "EGID",
            Self::Ewid => "EWID",
            Self::SedexId => "sedex id",
            Self::CountryId => "country",
            Self::Language => "language",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a value was rejected.
///
/// Positions are 1-based character positions in the input as given (before spaces and dots are
/// removed), so a user can find the offending character. Messages never repeat the whole input:
/// some identifiers (the AHV number) are personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Nothing was given (or only separators).
    #[error("{kind}: the value is empty")]
    Empty {
        /// What was parsed.
        kind: Kind,
    },
    /// The value has the wrong number of significant characters.
    #[error("{kind}: expected {expected}, found {found} characters")]
    Length {
        /// What was parsed.
        kind: Kind,
        /// The allowed length, in words ("13 digits").
        expected: &'static str,
        /// The number of significant characters found.
        found: usize,
    },
    /// A character that is not allowed at its place.
    #[error("{kind}: character {found:?} at position {position} is not allowed (expected {expected})")]
    Character {
        /// What was parsed.
        kind: Kind,
        /// 1-based character position in the input.
        position: usize,
        /// The offending character.
        found: char,
        /// What was expected there, in words.
        expected: &'static str,
    },
    /// The value does not start the way it must.
    #[error("{kind}: must start with {expected}")]
    Prefix {
        /// What was parsed.
        kind: Kind,
        /// The required start, in words.
        expected: &'static str,
    },
    /// The check digit(s) do not match the rest of the value.
    #[error("{kind}: check digit is wrong (the other digits give {expected}, found {found})")]
    CheckDigit {
        /// What was parsed.
        kind: Kind,
        /// The check digit(s) computed from the value.
        expected: String,
        /// The check digit(s) found in the value.
        found: String,
    },
    /// A number outside its allowed range.
    #[error("{kind}: {value} is outside the allowed range {min}..={max}")]
    Range {
        /// What was parsed.
        kind: Kind,
        /// The value found.
        value: u64,
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// Well-formed, but not in the official register or list.
    #[error("{kind}: {value} is not in the official list")]
    Unknown {
        /// What was parsed.
        kind: Kind,
        /// The value (never personal data).
        value: String,
    },
    /// Any other rule of the identifier, in words.
    #[error("{kind}: {reason}")]
    Invalid {
        /// What was parsed.
        kind: Kind,
        /// The rule that was broken.
        reason: &'static str,
    },
}

impl Error {
    /// The kind of value the error is about.
    #[must_use]
    pub fn kind(&self) -> Kind {
        match self {
            Self::Empty { kind }
            | Self::Length { kind, .. }
            | Self::Character { kind, .. }
            | Self::Prefix { kind, .. }
            | Self::CheckDigit { kind, .. }
            | Self::Range { kind, .. }
            | Self::Unknown { kind, .. }
            | Self::Invalid { kind, .. } => *kind,
        }
    }
}

/// Strips the separators people type (spaces, dots, hyphens where allowed) and returns the
/// significant characters with their 1-based position in the input.
pub(crate) fn significant(input: &str, separators: &[char]) -> Vec<(usize, char)> {
    input
        .chars()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace() && !separators.contains(c))
        .map(|(i, c)| (i + 1, c))
        .collect()
}

/// Implements `Serialize` (canonical string) and `Deserialize` (lenient parse) through
/// `Display`/`as_canonical` and `FromStr`.
macro_rules! string_serde {
    ($ty:ty, $expecting:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.canonical())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}
pub(crate) use string_serde;
