//! `egov municipality` and `egov postcode`: lookups in the built-in register.

use std::io::{self, Write};

use egov_core::{Language, Locality, Municipality, MunicipalityId, PostalCode, Status};
use serde::Serialize;

use crate::Outcome;

#[derive(Debug, clap::Args)]
pub(crate) struct MunicipalityArgs {
    /// A BFS number (`351`) or a name or part of one (`thun`, `Genève`).
    #[arg(value_name = "NAME|NUMBER", required = true, num_args = 1..)]
    query: Vec<String>,

    /// Include former municipalities (merged or moved) in name searches.
    #[arg(long)]
    former: bool,

    /// Show the canton's name in this language (de, fr, it, rm, en).
    #[arg(long, default_value = "de")]
    language: Language,
}

#[derive(Debug, clap::Args)]
pub(crate) struct PostcodeArgs {
    /// A postal code (`3600`, `8914-02`, `CH-8914`) or a locality name (`Aeugstertal`).
    #[arg(value_name = "CODE|NAME", required = true, num_args = 1..)]
    query: Vec<String>,
}

#[derive(Debug, Serialize)]
struct MunicipalityReport {
    #[serde(flatten)]
    municipality: &'static Municipality,
    canton_name: Option<&'static str>,
    postal_codes: Vec<String>,
}

fn postal_codes_of(id: MunicipalityId) -> Vec<String> {
    let mut codes: Vec<String> = Locality::all()
        .filter(|l| l.municipality_id() == id)
        .map(|l| format!("{} {}", l.postal_code().code(), l.name()))
        .collect();
    codes.dedup();
    codes
}

pub(crate) fn municipality(args: &MunicipalityArgs, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let query = args.query.join(" ");
    let found: Vec<&'static Municipality> = if query.trim().chars().all(|c| c.is_ascii_digit()) {
        match query.parse::<MunicipalityId>() {
            Ok(id) => id.municipality().into_iter().collect(),
            Err(e) => {
                eprintln!("egov: {e}");
                return Ok(Outcome::Invalid);
            }
        }
    } else {
        Municipality::search(&query)
            .into_iter()
            .filter(|m| args.former || m.status() == Status::Current)
            .collect()
    };
    if found.is_empty() {
        eprintln!("egov: no municipality matches {query:?}");
        if json {
            writeln!(out, "[]")?;
        }
        return Ok(Outcome::Invalid);
    }
    let reports: Vec<MunicipalityReport> = found
        .iter()
        .map(|m| MunicipalityReport {
            municipality: m,
            canton_name: m.canton().map(|c| c.name(args.language)),
            postal_codes: postal_codes_of(m.id()),
        })
        .collect();
    if json {
        serde_json::to_writer_pretty(&mut *out, &reports)?;
        writeln!(out)?;
        return Ok(Outcome::Ok);
    }
    for r in &reports {
        let m = r.municipality;
        let place = match (m.canton(), m.district()) {
            (Some(c), Some(d)) => format!("{} {}, {d}", c.abbreviation(), r.canton_name.unwrap_or_default()),
            (Some(c), None) => format!("{} {}", c.abbreviation(), r.canton_name.unwrap_or_default()),
            (None, _) => "Liechtenstein".to_owned(),
        };
        let status = match m.status() {
            Status::Current => String::new(),
            Status::Former => format!(" [former: last attested {}]", m.attested().1),
            _ => " [not Swiss]".to_owned(),
        };
        writeln!(out, "{:>4}  {}  ({place}){status}", m.id(), m.name())?;
        if !r.postal_codes.is_empty() {
            writeln!(out, "      postal codes: {}", r.postal_codes.join(", "))?;
        }
    }
    Ok(Outcome::Ok)
}

pub(crate) fn postcode(args: &PostcodeArgs, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let query = args.query.join(" ");
    let looks_like_code = query.chars().any(|c| c.is_ascii_digit());
    let found: Vec<&'static Locality> = if looks_like_code {
        match query.parse::<PostalCode>() {
            Ok(code) => code.localities().collect(),
            Err(e) => {
                eprintln!("egov: {e}");
                return Ok(Outcome::Invalid);
            }
        }
    } else {
        Locality::find_by_name(&query).collect()
    };
    if found.is_empty() {
        eprintln!("egov: no locality matches {query:?}");
        if json {
            writeln!(out, "[]")?;
        }
        return Ok(Outcome::Invalid);
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &found)?;
        writeln!(out)?;
        return Ok(Outcome::Ok);
    }
    for l in found {
        let municipality = l.municipality().map_or("?", Municipality::name);
        let canton = l.canton().map_or("FL", |c| c.abbreviation());
        let language = l.language().map_or("several", Language::code);
        writeln!(
            out,
            "{}  {}  municipality {municipality} (BFS {}, {canton}), language {language}",
            l.postal_code(),
            l.name(),
            l.municipality_id()
        )?;
    }
    Ok(Outcome::Ok)
}
