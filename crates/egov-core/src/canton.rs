//! The 26 cantons.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Kind};
use crate::language::Language;

/// One of the 26 Swiss cantons, in the official order (BFS canton numbers 1–26).
///
/// Parses from the abbreviation (`ZH`, `vd`) or a name in any of the five languages
/// (`Genève`, `Grisons`, `Basilea Città`); displays and serialises as the abbreviation, as
/// eCH-0007 `cantonAbbreviationType` does.
///
/// ```
/// use egov_core::{Canton, Language};
///
/// let c: Canton = "Grigioni".parse()?;
/// assert_eq!(c, Canton::Gr);
/// assert_eq!(c.bfs_number(), 18);
/// assert_eq!(c.name(Language::Rm), "Grischun");
/// assert_eq!(c.official_languages(), &[Language::De, Language::Rm, Language::It]);
/// # Ok::<(), egov_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Canton {
    /// Zürich / Zurich / Zurigo (ZH, BFS 1).
    Zh,
    /// Bern / Berne / Berna (BE, BFS 2).
    Be,
    /// Luzern / Lucerne / Lucerna (LU, BFS 3).
    Lu,
    /// Uri / Uri / Uri (UR, BFS 4).
    Ur,
    /// Schwyz / Schwytz / Svitto (SZ, BFS 5).
    Sz,
    /// Obwalden / Obwald / Obvaldo (OW, BFS 6).
    Ow,
    /// Nidwalden / Nidwald / Nidvaldo (NW, BFS 7).
    Nw,
    /// Glarus / Glaris / Glarona (GL, BFS 8).
    Gl,
    /// Zug / Zoug / Zugo (ZG, BFS 9).
    Zg,
    /// Freiburg / Fribourg / Friburgo (FR, BFS 10).
    Fr,
    /// Solothurn / Soleure / Soletta (SO, BFS 11).
    So,
    /// Basel-Stadt / Bâle-Ville / Basilea Città (BS, BFS 12).
    Bs,
    /// Basel-Landschaft / Bâle-Campagne / Basilea Campagna (BL, BFS 13).
    Bl,
    /// Schaffhausen / Schaffhouse / Sciaffusa (SH, BFS 14).
    Sh,
    /// Appenzell Ausserrhoden / Appenzell Rhodes-Extérieures / Appenzello Esterno (AR, BFS 15).
    Ar,
    /// Appenzell Innerrhoden / Appenzell Rhodes-Intérieures / Appenzello Interno (AI, BFS 16).
    Ai,
    /// St. Gallen / Saint-Gall / San Gallo (SG, BFS 17).
    Sg,
    /// Graubünden / Grisons / Grigioni (GR, BFS 18).
    Gr,
    /// Aargau / Argovie / Argovia (AG, BFS 19).
    Ag,
    /// Thurgau / Thurgovie / Turgovia (TG, BFS 20).
    Tg,
    /// Tessin / Tessin / Ticino (TI, BFS 21).
    Ti,
    /// Waadt / Vaud / Vaud (VD, BFS 22).
    Vd,
    /// Wallis / Valais / Vallese (VS, BFS 23).
    Vs,
    /// Neuenburg / Neuchâtel / Neuchâtel (NE, BFS 24).
    Ne,
    /// Genf / Genève / Ginevra (GE, BFS 25).
    Ge,
    /// Jura / Jura / Giura (JU, BFS 26).
    Ju,
}

struct CantonData {
    abbreviation: &'static str,
    names: [&'static str; 5],
    languages: &'static [Language],
}

use Language::{De, Fr, It, Rm};

const DATA: [CantonData; 26] = [
    CantonData {
        abbreviation: "ZH",
        names: ["Zürich", "Zurich", "Zurigo", "Turitg", "Zurich"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "BE",
        names: ["Bern", "Berne", "Berna", "Berna", "Bern"],
        languages: &[De, Fr],
    },
    CantonData {
        abbreviation: "LU",
        names: ["Luzern", "Lucerne", "Lucerna", "Lucerna", "Lucerne"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "UR",
        names: ["Uri", "Uri", "Uri", "Uri", "Uri"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "SZ",
        names: ["Schwyz", "Schwytz", "Svitto", "Sviz", "Schwyz"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "OW",
        names: ["Obwalden", "Obwald", "Obvaldo", "Sursilvania", "Obwalden"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "NW",
        names: ["Nidwalden", "Nidwald", "Nidvaldo", "Sutsilvania", "Nidwalden"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "GL",
        names: ["Glarus", "Glaris", "Glarona", "Glaruna", "Glarus"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "ZG",
        names: ["Zug", "Zoug", "Zugo", "Zug", "Zug"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "FR",
        names: ["Freiburg", "Fribourg", "Friburgo", "Friburg", "Fribourg"],
        languages: &[Fr, De],
    },
    CantonData {
        abbreviation: "SO",
        names: ["Solothurn", "Soleure", "Soletta", "Soloturn", "Solothurn"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "BS",
        names: [
            "Basel-Stadt",
            "Bâle-Ville",
            "Basilea Città",
            "Basilea-Citad",
            "Basel-Stadt",
        ],
        languages: &[De],
    },
    CantonData {
        abbreviation: "BL",
        names: [
            "Basel-Landschaft",
            "Bâle-Campagne",
            "Basilea Campagna",
            "Basilea-Champagna",
            "Basel-Landschaft",
        ],
        languages: &[De],
    },
    CantonData {
        abbreviation: "SH",
        names: [
            "Schaffhausen",
            "Schaffhouse",
            "Sciaffusa",
            "Schaffusa",
            "Schaffhausen",
        ],
        languages: &[De],
    },
    CantonData {
        abbreviation: "AR",
        names: [
            "Appenzell Ausserrhoden",
            "Appenzell Rhodes-Extérieures",
            "Appenzello Esterno",
            "Appenzell Dadora",
            "Appenzell Ausserrhoden",
        ],
        languages: &[De],
    },
    CantonData {
        abbreviation: "AI",
        names: [
            "Appenzell Innerrhoden",
            "Appenzell Rhodes-Intérieures",
            "Appenzello Interno",
            "Appenzell Dadens",
            "Appenzell Innerrhoden",
        ],
        languages: &[De],
    },
    CantonData {
        abbreviation: "SG",
        names: ["St. Gallen", "Saint-Gall", "San Gallo", "Son Gagl", "St. Gallen"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "GR",
        names: ["Graubünden", "Grisons", "Grigioni", "Grischun", "Graubünden"],
        languages: &[De, Rm, It],
    },
    CantonData {
        abbreviation: "AG",
        names: ["Aargau", "Argovie", "Argovia", "Argovia", "Aargau"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "TG",
        names: ["Thurgau", "Thurgovie", "Turgovia", "Turgovia", "Thurgau"],
        languages: &[De],
    },
    CantonData {
        abbreviation: "TI",
        names: ["Tessin", "Tessin", "Ticino", "Tessin", "Ticino"],
        languages: &[It],
    },
    CantonData {
        abbreviation: "VD",
        names: ["Waadt", "Vaud", "Vaud", "Vad", "Vaud"],
        languages: &[Fr],
    },
    CantonData {
        abbreviation: "VS",
        names: ["Wallis", "Valais", "Vallese", "Vallais", "Valais"],
        languages: &[Fr, De],
    },
    CantonData {
        abbreviation: "NE",
        names: ["Neuenburg", "Neuchâtel", "Neuchâtel", "Neuchâtel", "Neuchâtel"],
        languages: &[Fr],
    },
    CantonData {
        abbreviation: "GE",
        names: ["Genf", "Genève", "Ginevra", "Genevra", "Geneva"],
        languages: &[Fr],
    },
    CantonData {
        abbreviation: "JU",
        names: ["Jura", "Jura", "Giura", "Giura", "Jura"],
        languages: &[Fr],
    },
];

impl Canton {
    /// All cantons in the official order.
    pub const ALL: [Self; 26] = [
        Self::Zh,
        Self::Be,
        Self::Lu,
        Self::Ur,
        Self::Sz,
        Self::Ow,
        Self::Nw,
        Self::Gl,
        Self::Zg,
        Self::Fr,
        Self::So,
        Self::Bs,
        Self::Bl,
        Self::Sh,
        Self::Ar,
        Self::Ai,
        Self::Sg,
        Self::Gr,
        Self::Ag,
        Self::Tg,
        Self::Ti,
        Self::Vd,
        Self::Vs,
        Self::Ne,
        Self::Ge,
        Self::Ju,
    ];

    fn data(self) -> &'static CantonData {
        &DATA[self as usize]
    }

    /// The BFS canton number, 1 (ZH) to 26 (JU).
    #[must_use]
    pub const fn bfs_number(self) -> u8 {
        self as u8 + 1
    }

    /// The canton with this BFS number.
    ///
    /// # Errors
    /// When `number` is not in 1–26.
    pub fn from_bfs_number(number: u8) -> Result<Self, Error> {
        Self::ALL
            .get(usize::from(number).wrapping_sub(1))
            .copied()
            .ok_or(Error::Range {
                kind: Kind::Canton,
                value: u64::from(number),
                min: 1,
                max: 26,
            })
    }

    /// The two-letter abbreviation (`ZH`).
    #[must_use]
    pub fn abbreviation(self) -> &'static str {
        self.data().abbreviation
    }

    /// The canton's name in a language.
    #[must_use]
    pub fn name(self, language: Language) -> &'static str {
        let i = match language {
            Language::De => 0,
            Language::Fr => 1,
            Language::It => 2,
            Language::Rm => 3,
            Language::En => 4,
        };
        self.data().names[i]
    }

    /// The canton's official languages, the majority language first.
    #[must_use]
    pub fn official_languages(self) -> &'static [Language] {
        self.data().languages
    }
}

impl FromStr for Canton {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::Empty { kind: Kind::Canton });
        }
        let s = s
            .strip_prefix("CH-")
            .or_else(|| s.strip_prefix("ch-"))
            .unwrap_or(s);
        Self::ALL
            .into_iter()
            .find(|c| {
                c.abbreviation().eq_ignore_ascii_case(s)
                    || c.data()
                        .names
                        .iter()
                        .any(|n| n.to_lowercase() == s.to_lowercase())
            })
            .ok_or_else(|| Error::Unknown {
                kind: Kind::Canton,
                value: s.to_owned(),
            })
    }
}

impl fmt::Display for Canton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation())
    }
}

impl serde::Serialize for Canton {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.abbreviation())
    }
}

impl<'de> serde::Deserialize<'de> for Canton {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_abbreviations_agree_with_ech0071_order() {
        assert_eq!(Canton::Zh.bfs_number(), 1);
        assert_eq!(Canton::Ju.bfs_number(), 26);
        for (i, c) in Canton::ALL.iter().enumerate() {
            assert_eq!(Canton::from_bfs_number(c.bfs_number()).unwrap(), *c);
            assert_eq!(usize::from(c.bfs_number()), i + 1);
            assert_eq!(c.abbreviation().parse::<Canton>().unwrap(), *c);
            for l in Language::ALL {
                assert_eq!(c.name(l).parse::<Canton>().unwrap(), *c, "{c} {l}");
            }
        }
        assert!(Canton::from_bfs_number(0).is_err());
        assert!(Canton::from_bfs_number(27).is_err());
    }

    #[test]
    fn parse_and_serde() {
        assert_eq!("vd".parse::<Canton>().unwrap(), Canton::Vd);
        assert_eq!("Genève".parse::<Canton>().unwrap(), Canton::Ge);
        assert_eq!("BÂLE-VILLE".parse::<Canton>().unwrap(), Canton::Bs);
        assert!(matches!("XX".parse::<Canton>(), Err(Error::Unknown { .. })));
        assert_eq!(serde_json::to_string(&Canton::Ti).unwrap(), "\"TI\"");
        assert_eq!(serde_json::from_str::<Canton>("\"ti\"").unwrap(), Canton::Ti);
    }
}
