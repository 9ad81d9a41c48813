//! `egov ech`: validate, inspect and convert eCH documents.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::PathBuf;

use egov_ech::document::{self, DocumentError, JsonDocument};
use egov_ech::read::{Limits, ReadError};
use egov_ech::stream;
use serde::Serialize;

use crate::Outcome;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum EchCommand {
    /// Check documents: structure, every facet, with each error's element path. The standard and
    /// version come from the root element's namespace.
    #[command(after_help = "Example: egov ech validate data_moveIn.xml envl_moveIn.xml")]
    Validate {
        /// eCH XML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show what a document is: standard, version, root element and the eCH-0058 header.
    Inspect {
        /// An eCH XML file.
        file: PathBuf,
    },
    /// Convert between XML and JSON. XML → JSON → XML gives the same document up to prefixes
    /// and whitespace.
    Convert {
        /// The input file (XML, or JSON written by this command).
        file: PathBuf,
        /// The output format.
        #[arg(long, value_enum)]
        to: Format,
        /// Write here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Json,
    Xml,
}

#[derive(Debug, Serialize)]
struct ValidationReport {
    file: String,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<document::DocumentInfo>,
    /// Records of a delivery validated record by record.
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

fn open(path: &PathBuf) -> io::Result<BufReader<File>> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Error lines of a failed read; `Err` for I/O problems (exit 2).
fn describe(e: DocumentError) -> Vec<String> {
    match e {
        DocumentError::Read(ReadError::Invalid(errors)) => errors.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

/// Validates one file: a delivery of many records (eCH-0045 voter list, eCH-0020 base delivery)
/// record by record in bounded memory, anything else whole.
fn validate_file(f: &PathBuf) -> io::Result<ValidationReport> {
    let file = f.display().to_string();
    match stream::validate_any(open(f)?, Limits::default()) {
        Ok(Some((info, report))) => {
            let mut errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
            if let Some(fatal) = &report.fatal {
                errors.push(fatal.to_string());
            }
            if report.invalid_records > 0 {
                errors.push(format!(
                    "{} of {} records have errors",
                    report.invalid_records, report.records
                ));
            }
            Ok(ValidationReport {
                file,
                valid: report.is_valid(),
                document: Some(info),
                records: Some(report.records),
                errors,
            })
        }
        Ok(None) => Ok(match document::validate(open(f)?, Limits::default()) {
            Ok(info) => ValidationReport {
                file,
                valid: true,
                document: Some(info),
                records: None,
                errors: vec![],
            },
            Err(e) => ValidationReport {
                file,
                valid: false,
                document: None,
                records: None,
                errors: describe(e),
            },
        }),
        Err(e) => Ok(ValidationReport {
            file,
            valid: false,
            document: None,
            records: None,
            errors: describe(DocumentError::Read(e)),
        }),
    }
}

pub(crate) fn run(cmd: &EchCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    match cmd {
        EchCommand::Validate { files } => {
            let mut all_valid = true;
            let mut reports = Vec::new();
            for f in files {
                let report = validate_file(f)?;
                all_valid &= report.valid;
                if !json {
                    if report.valid {
                        let info = report
                            .document
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default();
                        match report.records {
                            Some(n) => writeln!(out, "{}: valid ({info}, {n} records)", report.file)?,
                            None => writeln!(out, "{}: valid ({info})", report.file)?,
                        }
                    } else {
                        writeln!(out, "{}: INVALID, {} error(s)", report.file, report.errors.len())?;
                        for e in &report.errors {
                            writeln!(out, "  {e}")?;
                        }
                    }
                }
                reports.push(report);
            }
            if json {
                serde_json::to_writer_pretty(&mut *out, &reports)?;
                writeln!(out)?;
            }
            Ok(if all_valid { Outcome::Ok } else { Outcome::Invalid })
        }
        EchCommand::Inspect { file } => match document::read_any(open(file)?, Limits::default()) {
            Ok(doc) => {
                let header = find_header(&doc.content);
                if json {
                    let v = serde_json::json!({ "document": doc.info, "header": header });
                    serde_json::to_writer_pretty(&mut *out, &v)?;
                    writeln!(out)?;
                } else {
                    writeln!(out, "{}: {}", file.display(), doc.info)?;
                    writeln!(out, "  namespace: {}", doc.info.namespace)?;
                    if let Some(serde_json::Value::Object(h)) = header {
                        for key in [
                            "senderId",
                            "recipientId",
                            "messageId",
                            "messageType",
                            "messageDate",
                            "action",
                            "testDeliveryFlag",
                        ] {
                            if let Some(v) = h.get(key) {
                                writeln!(out, "  {key}: {}", compact(v))?;
                            }
                        }
                    }
                    for (key, count) in record_counts(&doc.content) {
                        writeln!(out, "  {key}: {count} records")?;
                    }
                }
                Ok(Outcome::Ok)
            }
            Err(e) => report_failure(file, e),
        },
        EchCommand::Convert { file, to, output } => {
            let text = match to {
                Format::Json => match document::read_any(open(file)?, Limits::default()) {
                    Ok(doc) => serde_json::to_string_pretty(&doc)? + "\n",
                    Err(e) => return report_failure(file, e),
                },
                Format::Xml => {
                    let doc: JsonDocument = serde_json::from_reader(open(file)?).map_err(|e| {
                        io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", file.display()))
                    })?;
                    match document::write_any(doc) {
                        Ok(xml) => xml,
                        Err(e) => return report_failure(file, e),
                    }
                }
            };
            match output {
                Some(path) => std::fs::write(path, text)?,
                None => out.write_all(text.as_bytes())?,
            }
            Ok(Outcome::Ok)
        }
    }
}

fn report_failure(file: &std::path::Path, e: DocumentError) -> io::Result<Outcome> {
    eprintln!("egov: {}: invalid", file.display());
    for line in describe(e) {
        eprintln!("  {line}");
    }
    Ok(Outcome::Invalid)
}

fn compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first object under a key ending in `Header`/`header` (eCH-0058 headers).
fn find_header(v: &serde_json::Value) -> Option<serde_json::Value> {
    let obj = v.as_object()?;
    obj.iter()
        .find(|(k, _)| k.ends_with("Header") || k.as_str() == "header")
        .map(|(_, v)| v.clone())
}

/// Arrays of objects directly in the content or one level below: the records of a delivery.
fn record_counts(v: &serde_json::Value) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    if let Some(obj) = v.as_object() {
        for (k, child) in obj
            .iter()
            .filter(|(k, _)| !k.ends_with("Header") && k.as_str() != "header")
        {
            match child {
                serde_json::Value::Array(a) if a.len() > 1 => out.push((k.clone(), a.len())),
                serde_json::Value::Object(inner) => {
                    for (k2, c2) in inner {
                        if let serde_json::Value::Array(a) = c2 {
                            out.push((format!("{k}/{k2}"), a.len()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}
