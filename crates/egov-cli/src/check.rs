//! `egov check`: recognise what a value is and check it.

use std::io::{self, Write};

use egov_core::{
    Ahvn13, CountryId, CreditorReference, Egid, Error, Ewid, Iban, Kind, MunicipalityId, PostalCode,
    QrReference, SedexId, Status, Uid,
};
use serde::Serialize;

use crate::Outcome;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Treat every value as this kind instead of recognising it.
    #[arg(long = "as", value_enum, value_name = "KIND")]
    kind: Option<KindArg>,

    /// The values to check. Quote values that contain spaces, or pass them as separate
    /// words only when each word is a value.
    #[arg(required = true, value_name = "VALUE")]
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KindArg {
    Ahv,
    Uid,
    Iban,
    Qrr,
    Scor,
    Municipality,
    Postcode,
    Sedex,
    Egid,
    Ewid,
    Country,
}

impl KindArg {
    fn kind(self) -> Kind {
        match self {
            Self::Ahv => Kind::Ahvn13,
            Self::Uid => Kind::Uid,
            Self::Iban => Kind::Iban,
            Self::Qrr => Kind::QrReference,
            Self::Scor => Kind::CreditorReference,
            Self::Municipality => Kind::MunicipalityId,
            Self::Postcode => Kind::PostalCode,
            Self::Sedex => Kind::SedexId,
            Self::Egid => Kind::Egid,
            Self::Ewid => Kind::Ewid,
            Self::Country => Kind::CountryId,
        }
    }
}

/// The result of checking one value as one kind.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    input: String,
    /// `None` when the value was not recognised as any kind.
    kind: Option<&'static str>,
    valid: bool,
    /// The canonical (machine) form.
    #[serde(skip_serializing_if = "Option::is_none")]
    canonical: Option<String>,
    /// The official display form.
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<String>,
    /// Facts about the value (QR-IBAN, municipality name, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    details: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Report {
    fn valid(input: &str, kind: Kind, canonical: String, display: String, details: Vec<String>) -> Self {
        Self {
            input: input.to_owned(),
            kind: Some(kind.name()),
            valid: true,
            canonical: Some(canonical),
            display: Some(display),
            details,
            error: None,
        }
    }

    fn invalid(input: &str, kind: Kind, error: &Error) -> Self {
        Self {
            input: input.to_owned(),
            kind: Some(kind.name()),
            valid: false,
            canonical: None,
            display: None,
            details: Vec::new(),
            error: Some(
                error
                    .to_string()
                    .trim_start_matches(&format!("{kind}: "))
                    .to_owned(),
            ),
        }
    }
}

/// The kinds a value may be, most likely first, judged by its shape alone.
fn candidates(input: &str) -> Vec<Kind> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let digits_only = !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit());
    let digits_and_hyphens = !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit() || c == '-');
    let bytes = compact.as_bytes();
    let starts = |p: &str| compact.starts_with(p);
    let digit_count = compact.chars().filter(char::is_ascii_digit).count();
    if digits_and_hyphens && starts("756") && (11..=15).contains(&digit_count) {
        return vec![Kind::Ahvn13];
    }
    if starts("CHE") || starts("ADM") {
        return vec![Kind::Uid];
    }
    if starts("RF") && bytes.len() >= 4 && bytes[2].is_ascii_digit() {
        return vec![Kind::CreditorReference];
    }
    if bytes.len() >= 4
        && bytes[..2].iter().all(u8::is_ascii_alphabetic)
        && bytes[2..4].iter().all(u8::is_ascii_digit)
    {
        return if starts("CH-") {
            vec![Kind::PostalCode]
        } else {
            vec![Kind::Iban]
        };
    }
    if starts("CH-") {
        return vec![Kind::PostalCode];
    }
    let sedex_like = compact.trim_start_matches('T').split('-').count() == 3
        && compact
            .trim_start_matches('T')
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_digit);
    if sedex_like && !digits_only {
        return vec![Kind::SedexId];
    }
    if digits_only {
        return match compact.len() {
            1..=3 => vec![Kind::MunicipalityId],
            4 => vec![Kind::PostalCode, Kind::MunicipalityId],
            6 => vec![Kind::PostalCode],
            20..=30 => vec![Kind::QrReference],
            _ => Vec::new(),
        };
    }
    if digits_and_hyphens && compact.split('-').count() == 2 {
        return vec![Kind::PostalCode];
    }
    Vec::new()
}

/// Checks `input` as `kind`.
pub(crate) fn check_as(input: &str, kind: Kind) -> Report {
    let result = match kind {
        Kind::Ahvn13 => input
            .parse::<Ahvn13>()
            .map(|v| Report::valid(input, kind, v.canonical(), v.to_string(), vec![])),
        Kind::Uid => input.parse::<Uid>().map(|v| {
            let mut details = vec![format!("eCH-0097: {} {}", v.category().as_str(), v.number())];
            if let Some(s) = v.suffix() {
                details.push(if s.is_vat() {
                    "VAT register".to_owned()
                } else {
                    "commercial register".to_owned()
                });
            }
            Report::valid(input, kind, v.canonical(), v.to_string(), details)
        }),
        Kind::Iban => input.parse::<Iban>().map(|v| {
            let mut details = Vec::new();
            if let Some(iid) = v.iid() {
                details.push(format!("IID {iid:05}"));
            }
            if v.is_qr_iban() {
                details.push("QR-IBAN: takes QR-bill payments with a QR reference only".to_owned());
            } else if !v.is_ch_or_li() {
                details.push("not a Swiss or Liechtenstein account: a QR-bill cannot use it".to_owned());
            }
            Report::valid(input, kind, v.canonical(), v.to_string(), details)
        }),
        Kind::QrReference => input
            .parse::<QrReference>()
            .map(|v| Report::valid(input, kind, v.canonical(), v.to_string(), vec![])),
        Kind::CreditorReference => input
            .parse::<CreditorReference>()
            .map(|v| Report::valid(input, kind, v.canonical(), v.to_string(), vec![])),
        Kind::SedexId => input.parse::<SedexId>().map(|v| {
            let env = if v.is_test() {
                "test environment"
            } else {
                "production"
            };
            Report::valid(input, kind, v.canonical(), v.to_string(), vec![env.to_owned()])
        }),
        Kind::Egid => input
            .parse::<Egid>()
            .map(|v| Report::valid(input, kind, v.canonical(), v.to_string(), vec![])),
        Kind::Ewid => input
            .parse::<Ewid>()
            .map(|v| Report::valid(input, kind, v.canonical(), v.to_string(), vec![])),
        Kind::CountryId => input.parse::<CountryId>().and_then(|v| match v.country() {
            Some(c) => {
                let mut details = vec![c.name(egov_core::Language::En).to_owned()];
                details.extend(c.iso2().map(|i| format!("ISO {i}")));
                Ok(Report::valid(input, kind, v.canonical(), v.to_string(), details))
            }
            None => Err(Error::Unknown {
                kind,
                value: v.to_string(),
            }),
        }),
        Kind::MunicipalityId => input
            .parse::<MunicipalityId>()
            .and_then(|v| match v.municipality() {
                Some(m) if m.status() == Status::Current => {
                    let canton = m
                        .canton()
                        .map(egov_core::Canton::abbreviation)
                        .unwrap_or_default();
                    Ok(Report::valid(
                        input,
                        kind,
                        v.canonical(),
                        v.to_string(),
                        vec![format!("{} ({canton})", m.name())],
                    ))
                }
                Some(m) => Err(Error::Invalid {
                    kind,
                    reason: if m.status() == Status::Former {
                        "no longer in the BFS list of municipalities (merged or moved)"
                    } else {
                        "a municipality of Liechtenstein, not of Switzerland"
                    },
                }),
                None => Err(Error::Unknown {
                    kind,
                    value: v.to_string(),
                }),
            }),
        Kind::PostalCode => input.parse::<PostalCode>().and_then(|v| {
            let mut names: Vec<&str> = v.localities().map(egov_core::Locality::name).collect();
            names.dedup();
            if names.is_empty() {
                Err(Error::Unknown {
                    kind,
                    value: v.to_string(),
                })
            } else {
                Ok(Report::valid(
                    input,
                    kind,
                    v.canonical(),
                    v.to_string(),
                    vec![names.join(", ")],
                ))
            }
        }),
        _ => Err(Error::Invalid {
            kind,
            reason: "this kind cannot be checked here",
        }),
    };
    result.unwrap_or_else(|e| Report::invalid(input, kind, &e))
}

/// Recognises and checks one value; several reports when it is valid as several kinds.
pub(crate) fn check(input: &str, forced: Option<Kind>) -> Vec<Report> {
    let kinds = forced.map_or_else(|| candidates(input), |k| vec![k]);
    let Some(first) = kinds.first() else {
        return vec![Report {
            input: input.to_owned(),
            kind: None,
            valid: false,
            canonical: None,
            display: None,
            details: Vec::new(),
            error: Some("not recognised as any supported identifier; try --as KIND".to_owned()),
        }];
    };
    let reports: Vec<Report> = kinds.iter().map(|k| check_as(input, *k)).collect();
    if reports.iter().any(|r| r.valid) {
        reports.into_iter().filter(|r| r.valid).collect()
    } else {
        vec![check_as(input, *first)]
    }
}

pub(crate) fn run(args: &Args, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let forced = args.kind.map(KindArg::kind);
    let reports: Vec<Report> = args.values.iter().flat_map(|v| check(v, forced)).collect();
    let all_valid = args
        .values
        .iter()
        .all(|v| reports.iter().any(|r| r.input == *v && r.valid));
    if json {
        serde_json::to_writer_pretty(&mut *out, &reports)?;
        writeln!(out)?;
    } else {
        for r in &reports {
            let kind = r.kind.unwrap_or("unknown");
            if r.valid {
                let mut line = format!(
                    "{}: valid {kind} {}",
                    r.input,
                    r.display.as_deref().unwrap_or_default()
                );
                if !r.details.is_empty() {
                    line.push_str(&format!(" ({})", r.details.join("; ")));
                }
                writeln!(out, "{line}")?;
            } else {
                writeln!(
                    out,
                    "{}: INVALID {kind}: {}",
                    r.input,
                    r.error.as_deref().unwrap_or_default()
                )?;
            }
        }
    }
    Ok(if all_valid { Outcome::Ok } else { Outcome::Invalid })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<(Option<&'static str>, bool)> {
        check(input, None)
            .into_iter()
            .map(|r| (r.kind, r.valid))
            .collect()
    }

    #[test]
    fn recognises_each_kind() {
        assert_eq!(kinds("756.1234.5678.97"), [(Some("AHV number"), true)]);
        assert_eq!(kinds("756.1234.5678.98"), [(Some("AHV number"), false)]);
        assert_eq!(kinds("CHE-116.281.710"), [(Some("UID"), true)]);
        assert_eq!(kinds("CH44 3199 9123 0008 8901 2"), [(Some("IBAN"), true)]);
        assert_eq!(
            kinds("21 00000 00003 13947 14300 09017"),
            [(Some("QR reference"), true)]
        );
        assert_eq!(kinds("RF18 5390 0754 7034"), [(Some("creditor reference"), true)]);
        assert_eq!(kinds("T1-261-1"), [(Some("sedex id"), true)]);
        assert_eq!(kinds("351"), [(Some("BFS municipality number"), true)]);
        assert_eq!(kinds("3600"), [(Some("postal code"), true)]);
        assert_eq!(kinds("CH-8914"), [(Some("postal code"), true)]);
        assert_eq!(kinds("8914-02"), [(Some("postal code"), true)]);
        assert_eq!(kinds("hello"), [(None, false)]);
    }

    #[test]
    fn ambiguous_numbers_show_every_valid_meaning() {
        // 1001 is no postal code, but the municipality Doppleschwand (LU).
        assert_eq!(kinds("1001"), [(Some("BFS municipality number"), true)]);
        // 9998 is neither: the first guess's error is shown.
        assert_eq!(kinds("9998"), [(Some("postal code"), false)]);
        // 8914 is the postal code of Aeugst am Albis; no municipality has the number.
        assert_eq!(kinds("8914"), [(Some("postal code"), true)]);
        // 6831 is the new Moutier (JU) and no postal code.
        assert_eq!(kinds("6831"), [(Some("BFS municipality number"), true)]);
        assert_eq!(kinds("700"), [(Some("BFS municipality number"), false)]); // Moutier BE, gone in 2026
    }

    #[test]
    fn forced_kind() {
        let r = check("190235386", Some(Kind::Egid));
        assert!(r[0].valid);
        let r = check("CH", Some(Kind::CountryId));
        assert_eq!(r[0].canonical.as_deref(), Some("8100"));
    }
}
