//! Federal building and dwelling identifiers of the GWR (eCH-0129).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind};

fn parse_number(input: &str, kind: Kind, max: u32) -> Result<u32, Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::Empty { kind });
    }
    let mut value = 0u64;
    for (i, c) in s.chars().enumerate() {
        let Some(d) = c.to_digit(10) else {
            return Err(Error::Character {
                kind,
                position: i + 1,
                found: c,
                expected: "a digit",
            });
        };
        value = (value * 10 + u64::from(d)).min(u64::from(u32::MAX) + 1);
    }
    if !(1..=u64::from(max)).contains(&value) {
        return Err(Error::Range {
            kind,
            value,
            min: 1,
            max: u64::from(max),
        });
    }
    u32::try_from(value).map_err(|_| Error::Invalid {
        kind,
        reason: "too large",
    })
}

macro_rules! gwr_id {
    ($(#[$doc:meta])* $name:ident, $int:ty, $kind:expr, $max:expr, $expecting:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($int);

        impl $name {
            /// The largest allowed value.
            pub const MAX: $int = $max;

            /// Checks the range `1..=MAX`.
            ///
            /// # Errors
            /// When the number is out of range.
            pub fn new(number: $int) -> Result<Self, Error> {
                if (1..=Self::MAX).contains(&number) {
                    Ok(Self(number))
                } else {
                    Err(Error::Range { kind: $kind, value: u64::from(number), min: 1, max: u64::from(Self::MAX) })
                }
            }

            /// The number.
            #[must_use]
            pub const fn get(self) -> $int {
                self.0
            }

            /// The number as text.
            #[must_use]
            pub fn canonical(&self) -> String {
                self.0.to_string()
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(input: &str) -> Result<Self, Error> {
                let n = parse_number(input, $kind, u32::from(Self::MAX))?;
                Self::new(<$int>::try_from(n).map_err(|_| Error::Invalid { kind: $kind, reason: "too large" })?)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        crate::error::string_serde!($name, $expecting);
    };
}

gwr_id!(
    /// The federal building identifier (eidg. Gebäudeidentifikator, EGID) of the Federal Register
    /// of Buildings and Dwellings: 1–900000000 (eCH-0129 `EGIDType`).
    ///
    /// ```
    /// use egov_core::Egid;
    /// assert_eq!("190235386".parse::<Egid>()?.get(), 190_235_386);
    /// assert!("900000001".parse::<Egid>().is_err());
    /// # Ok::<(), egov_core::Error>(())
    /// ```
    Egid, u32, Kind::Egid, 900_000_000, "an EGID (1-900000000)"
);

gwr_id!(
    /// The federal dwelling identifier (eidg. Wohnungsidentifikator, EWID), unique within its
    /// building: 1–900 (eCH-0129 v4 `EWIDType`).
    ///
    /// ```
    /// use egov_core::Ewid;
    /// assert_eq!("12".parse::<Ewid>()?.get(), 12);
    /// assert!("0".parse::<Ewid>().is_err());
    /// # Ok::<(), egov_core::Error>(())
    /// ```
    Ewid, u16, Kind::Ewid, 900, "an EWID (1-900)"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_positions() {
        assert_eq!(Egid::new(1).unwrap().to_string(), "1");
        assert!(Egid::new(0).is_err());
        assert!(matches!(
            "99999999999999999999".parse::<Egid>(),
            Err(Error::Range { .. })
        ));
        assert!(matches!(
            "12x".parse::<Ewid>(),
            Err(Error::Character { position: 3, .. })
        ));
        assert!(matches!(
            "901".parse::<Ewid>(),
            Err(Error::Range { value: 901, .. })
        ));
        assert_eq!(
            serde_json::from_str::<Ewid>("\"900\"").unwrap(),
            Ewid::new(900).unwrap()
        );
    }
}
