//! Levels of assurance and their acr values.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A provider-neutral level of assurance of a login, ordered from weakest to strongest.
///
/// The levels follow the identity-verification steps of AGOV (whose factors are all strong, so its
/// acr expresses how well the *identity* is verified, not the authenticator). Other schemes map
/// onto them conservatively: an acr value maps to the highest level it certainly implies.
///
/// | level | AGOV acr | eIAM QoA | eIDAS |
/// |---|---|---|---|
/// | [`SelfDeclared`](Loa::SelfDeclared) | `…:100` | 10, 20, 30 | low |
/// | [`AddressVerified`](Loa::AddressVerified) | `…:200` | – | (low) |
/// | [`IdentityVerified`](Loa::IdentityVerified) | `…:300` | 40, 50, 51, 60 | substantial |
/// | [`AhvVerified`](Loa::AhvVerified) | `…:400` | – | (substantial) |
/// | [`EId`](Loa::EId) | `…:500` | – | high |
/// | [`EIdPassThrough`](Loa::EIdPassThrough) | `…:600` | – | (high) |
///
/// AGOV acr values are `urn:qa.agov.ch:names:tc:ac:classes:<n>`.
///
/// ```
/// use egov_eid::Loa;
/// assert!(Loa::AhvVerified > Loa::IdentityVerified);
/// assert_eq!(Loa::from_agov_acr("urn:qa.agov.ch:names:tc:ac:classes:200")?, Loa::AddressVerified);
/// assert_eq!(Loa::EId.to_eidas(), "http://eidas.europa.eu/LoA/high");
/// assert_eq!("ahv_verified".parse::<Loa>()?, Loa::AhvVerified);
/// assert!(Loa::from_agov_acr("urn:qa.agov.ch:names:tc:ac:classes:450").is_err());
/// # Ok::<(), egov_eid::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Loa {
    /// Self-declared identity (AGOV 100).
    SelfDeclared,
    /// The postal address was checked with a letter (AGOV 200).
    AddressVerified,
    /// A third party checked a passport or identity card (AGOV 300).
    IdentityVerified,
    /// As [`IdentityVerified`](Loa::IdentityVerified), plus a verified AHV number (AGOV 400).
    AhvVerified,
    /// Identity from the state e-ID (AGOV 500).
    #[serde(rename = "eid")]
    EId,
    /// e-ID pass-through: the claims come from the e-ID presented in this login (AGOV 600).
    #[serde(rename = "eid_pass_through")]
    EIdPassThrough,
}

const AGOV_PREFIX: &str = "urn:qa.agov.ch:names:tc:ac:classes:";
const EIAM_PREFIX: &str = "urn:qoa.eiam.admin.ch:names:tc:ac:classes:";
const EIDAS_LOW: &str = "http://eidas.europa.eu/LoA/low";
const EIDAS_SUBSTANTIAL: &str = "http://eidas.europa.eu/LoA/substantial";
const EIDAS_HIGH: &str = "http://eidas.europa.eu/LoA/high";

impl Loa {
    /// All levels, weakest first.
    pub const ALL: [Self; 6] = [
        Self::SelfDeclared,
        Self::AddressVerified,
        Self::IdentityVerified,
        Self::AhvVerified,
        Self::EId,
        Self::EIdPassThrough,
    ];

    /// The snake-case name used by [`FromStr`], [`Display`](fmt::Display) and serde.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::SelfDeclared => "self_declared",
            Self::AddressVerified => "address_verified",
            Self::IdentityVerified => "identity_verified",
            Self::AhvVerified => "ahv_verified",
            Self::EId => "eid",
            Self::EIdPassThrough => "eid_pass_through",
        }
    }

    /// The AGOV class number (100 … 600).
    #[must_use]
    pub const fn agov_class(self) -> u16 {
        match self {
            Self::SelfDeclared => 100,
            Self::AddressVerified => 200,
            Self::IdentityVerified => 300,
            Self::AhvVerified => 400,
            Self::EId => 500,
            Self::EIdPassThrough => 600,
        }
    }

    /// The level of an AGOV class number (100 … 600).
    ///
    /// # Errors
    /// [`Error::UnknownAcr`] for any other number.
    pub fn from_agov_class(class: u16) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|l| l.agov_class() == class)
            .ok_or_else(|| Error::UnknownAcr {
                scheme: "AGOV",
                value: class.to_string(),
            })
    }

    /// The AGOV acr value, e.g. `urn:qa.agov.ch:names:tc:ac:classes:400`.
    #[must_use]
    pub fn to_agov_acr(self) -> String {
        format!("{AGOV_PREFIX}{}", self.agov_class())
    }

    /// Parses an AGOV acr value.
    ///
    /// # Errors
    /// [`Error::UnknownAcr`] when the value is not one of the six AGOV classes.
    pub fn from_agov_acr(acr: &str) -> Result<Self, Error> {
        let unknown = || Error::UnknownAcr {
            scheme: "AGOV",
            value: acr.to_owned(),
        };
        let class = acr
            .strip_prefix(AGOV_PREFIX)
            .filter(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u16>().ok())
            .ok_or_else(unknown)?;
        Self::from_agov_class(class).map_err(|_| unknown())
    }

    /// Parses an eIAM QoA acr value (`urn:qoa.eiam.admin.ch:names:tc:ac:classes:<n>`). QoA 10, 20 and
    /// 30 are self-registered identities; 40, 50, 51 and 60 verified ones.
    ///
    /// # Errors
    /// [`Error::UnknownAcr`] for other values.
    pub fn from_eiam_acr(acr: &str) -> Result<Self, Error> {
        match acr.strip_prefix(EIAM_PREFIX) {
            Some("10" | "20" | "30") => Ok(Self::SelfDeclared),
            Some("40" | "50" | "51" | "60") => Ok(Self::IdentityVerified),
            _ => Err(Error::UnknownAcr {
                scheme: "eIAM",
                value: acr.to_owned(),
            }),
        }
    }

    /// The weakest eIAM acr value that guarantees this level, if eIAM has one (eIAM knows no
    /// address check, AHV verification or e-ID level).
    #[must_use]
    pub fn to_eiam_acr(self) -> Option<String> {
        let qoa = match self {
            Self::SelfDeclared => "10",
            Self::AddressVerified | Self::IdentityVerified => "40",
            Self::AhvVerified | Self::EId | Self::EIdPassThrough => return None,
        };
        Some(format!("{EIAM_PREFIX}{qoa}"))
    }

    /// Parses an eIDAS level (`http://eidas.europa.eu/LoA/low|substantial|high`).
    ///
    /// # Errors
    /// [`Error::UnknownAcr`] for other values.
    pub fn from_eidas(acr: &str) -> Result<Self, Error> {
        match acr {
            EIDAS_LOW => Ok(Self::SelfDeclared),
            EIDAS_SUBSTANTIAL => Ok(Self::IdentityVerified),
            EIDAS_HIGH => Ok(Self::EId),
            _ => Err(Error::UnknownAcr {
                scheme: "eIDAS",
                value: acr.to_owned(),
            }),
        }
    }

    /// The eIDAS level this level reaches (the inverse of [`Loa::from_eidas`] rounds down).
    #[must_use]
    pub const fn to_eidas(self) -> &'static str {
        match self {
            Self::SelfDeclared | Self::AddressVerified => EIDAS_LOW,
            Self::IdentityVerified | Self::AhvVerified => EIDAS_SUBSTANTIAL,
            Self::EId | Self::EIdPassThrough => EIDAS_HIGH,
        }
    }
}

impl fmt::Display for Loa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loa {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let name = input.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.name() == name)
            .ok_or_else(|| Error::UnknownLoa(input.to_owned()))
    }
}

/// How a provider writes levels of assurance as acr values.
///
/// ```
/// use egov_eid::{AcrScheme, Loa};
///
/// let canton = AcrScheme::Custom(vec![
///     ("urn:example:be-login:basic".into(), Loa::SelfDeclared),
///     ("urn:example:be-login:verified".into(), Loa::IdentityVerified),
/// ]);
/// assert_eq!(canton.loa_of("urn:example:be-login:verified")?, Loa::IdentityVerified);
/// // The weakest value that reaches the level:
/// assert_eq!(canton.acr_for(Loa::AddressVerified)?, "urn:example:be-login:verified");
/// assert!(canton.acr_for(Loa::EId).is_err());
/// # Ok::<(), egov_eid::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AcrScheme {
    /// AGOV (`urn:qa.agov.ch:names:tc:ac:classes:100` … `600`).
    #[default]
    Agov,
    /// The federal eIAM (`urn:qoa.eiam.admin.ch:names:tc:ac:classes:10` … `60`).
    Eiam,
    /// eIDAS levels (`http://eidas.europa.eu/LoA/…`), also used by some cantonal IdPs.
    Eidas,
    /// A provider's own acr values with the level each guarantees.
    Custom(Vec<(String, Loa)>),
}

impl AcrScheme {
    /// The scheme's name for error messages.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Agov => "AGOV",
            Self::Eiam => "eIAM",
            Self::Eidas => "eIDAS",
            Self::Custom(_) => "custom",
        }
    }

    /// The level an acr value from this provider stands for.
    ///
    /// # Errors
    /// [`Error::UnknownAcr`] when the scheme does not know the value.
    pub fn loa_of(&self, acr: &str) -> Result<Loa, Error> {
        match self {
            Self::Agov => Loa::from_agov_acr(acr),
            Self::Eiam => Loa::from_eiam_acr(acr),
            Self::Eidas => Loa::from_eidas(acr),
            Self::Custom(table) => table
                .iter()
                .find(|(value, _)| value == acr)
                .map(|(_, loa)| *loa)
                .ok_or_else(|| Error::UnknownAcr {
                    scheme: "custom",
                    value: acr.to_owned(),
                }),
        }
    }

    /// The acr value to request so that the provider logs the user in at `loa` or higher: the weakest
    /// value of the scheme whose level is at least `loa`.
    ///
    /// # Errors
    /// [`Error::LoaNotExpressible`] when no value of the scheme reaches the level.
    pub fn acr_for(&self, loa: Loa) -> Result<String, Error> {
        let not_expressible = || Error::LoaNotExpressible {
            scheme: self.name(),
            loa,
        };
        match self {
            Self::Agov => Ok(loa.to_agov_acr()),
            Self::Eiam => loa.to_eiam_acr().ok_or_else(not_expressible),
            Self::Eidas => Ok(match loa {
                Loa::SelfDeclared => EIDAS_LOW,
                Loa::AddressVerified | Loa::IdentityVerified => EIDAS_SUBSTANTIAL,
                Loa::AhvVerified | Loa::EId => EIDAS_HIGH,
                Loa::EIdPassThrough => return Err(not_expressible()),
            }
            .to_owned()),
            Self::Custom(table) => table
                .iter()
                .filter(|(_, level)| *level >= loa)
                .min_by_key(|(_, level)| *level)
                .map(|(value, _)| value.clone())
                .ok_or_else(not_expressible),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agov_round_trip_and_order() {
        let mut previous = None;
        for loa in Loa::ALL {
            let acr = loa.to_agov_acr();
            assert_eq!(Loa::from_agov_acr(&acr).unwrap(), loa);
            assert_eq!(AcrScheme::Agov.loa_of(&acr).unwrap(), loa);
            assert_eq!(loa.name().parse::<Loa>().unwrap(), loa);
            if let Some(p) = previous {
                assert!(p < loa);
            }
            previous = Some(loa);
        }
        assert_eq!(
            Loa::AhvVerified.to_agov_acr(),
            "urn:qa.agov.ch:names:tc:ac:classes:400"
        );
    }

    #[test]
    fn agov_rejects_near_misses() {
        for bad in [
            "urn:qa.agov.ch:names:tc:ac:classes:700",
            "urn:qa.agov.ch:names:tc:ac:classes:40",
            "urn:qa.agov.ch:names:tc:ac:classes:+400",
            "urn:qa.agov.ch:names:tc:ac:classes:0400",
            "urn:qoa.eiam.admin.ch:names:tc:ac:classes:40",
            "",
        ] {
            let err = Loa::from_agov_acr(bad).unwrap_err();
            assert!(
                matches!(err, Error::UnknownAcr { scheme: "AGOV", ref value } if value == bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn eiam_maps_verified_identities_only_from_40() {
        let acr = |n: &str| format!("urn:qoa.eiam.admin.ch:names:tc:ac:classes:{n}");
        assert_eq!(Loa::from_eiam_acr(&acr("30")).unwrap(), Loa::SelfDeclared);
        assert_eq!(Loa::from_eiam_acr(&acr("40")).unwrap(), Loa::IdentityVerified);
        assert_eq!(Loa::from_eiam_acr(&acr("51")).unwrap(), Loa::IdentityVerified);
        assert!(Loa::from_eiam_acr(&acr("45")).is_err());
        // Requesting a level always yields a value that maps back to at least that level.
        for loa in Loa::ALL {
            match AcrScheme::Eiam.acr_for(loa) {
                Ok(value) => assert!(AcrScheme::Eiam.loa_of(&value).unwrap() >= loa),
                Err(Error::LoaNotExpressible {
                    scheme: "eIAM",
                    loa: l,
                }) => {
                    assert!(l >= Loa::AhvVerified);
                }
                Err(other) => panic!("{other}"),
            }
        }
    }

    #[test]
    fn eidas_request_reaches_level() {
        for loa in Loa::ALL {
            // eIDAS has three levels: the request rounds up, the mapping back rounds down.
            assert!(Loa::from_eidas(loa.to_eidas()).unwrap() <= loa);
            match AcrScheme::Eidas.acr_for(loa) {
                Ok(value) => assert!(Loa::from_eidas(&value).unwrap() >= loa, "{loa}"),
                Err(e) => assert!(matches!(
                    e,
                    Error::LoaNotExpressible {
                        loa: Loa::EIdPassThrough,
                        ..
                    }
                )),
            }
        }
        assert!(Loa::from_eidas("http://eidas.europa.eu/LoA/medium").is_err());
    }

    #[test]
    fn unknown_level_name_is_typed() {
        assert!(matches!("gold".parse::<Loa>(), Err(Error::UnknownLoa(s)) if s == "gold"));
        for loa in Loa::ALL {
            assert_eq!(
                serde_json::to_string(&loa).unwrap(),
                format!("\"{}\"", loa.name())
            );
        }
    }
}
