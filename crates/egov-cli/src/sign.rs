//! `egov sign`: PAdES signatures on PDFs and detached CAdES signatures on any file, and their verification.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use egov_sign::{
    CadesOptions, Certificate, DocMdpPermission, PadesOptions, SignatureStatus, SoftwareKey, Trust,
    VerifyOptions,
};
use serde_json::json;

use crate::Outcome;

/// PAdES baseline level to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Level {
    /// B-B: signature with signing-certificate-v2, time in /M.
    #[value(name = "b-b")]
    BB,
    /// B-T: plus an RFC 3161 signature time-stamp from --tsa.
    #[value(name = "b-t")]
    BT,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum SignCommand {
    /// Sign a PDF (PAdES, incremental update, invisible field on page 1).
    #[command(
        after_help = "Example: egov sign pdf verfuegung.pdf -o verfuegung-signiert.pdf --key seal.key \
                      --cert seal.pem --chain ca.pem --reason \"Behördensiegel\" --location Musterdorf \
                      --visible 1/350,40,560,110"
    )]
    Pdf {
        /// The PDF to sign.
        input: PathBuf,
        /// Where to write the signed PDF.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
        /// The PAdES level.
        #[arg(long, value_enum, default_value_t = Level::BB)]
        level: Level,
        /// Time-stamp authority URL (RFC 3161) for B-T.
        #[arg(long)]
        tsa: Option<String>,
        /// /Reason.
        #[arg(long)]
        reason: Option<String>,
        /// /Location.
        #[arg(long)]
        location: Option<String>,
        /// /ContactInfo.
        #[arg(long)]
        contact: Option<String>,
        /// Name of the new signature field (default Signature1, Signature2, …).
        #[arg(long)]
        field: Option<String>,
        /// A visible signature box: `PAGE/x1,y1,x2,y2` in PDF points, e.g. `1/350,40,560,110`.
        #[arg(long, value_parser = parse_visible)]
        visible: Option<(usize, [f32; 4])>,
        /// Certification signature with DocMDP permission 1 (no changes), 2 (forms, signing) or 3 (plus annotations).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
        certify: Option<u8>,
    },
    /// Verify every signature of a PDF. Exit 0 when all are valid, 1 otherwise.
    #[command(after_help = "Example: egov sign verify verfuegung-signiert.pdf --trust root.pem --json")]
    Verify {
        /// The signed PDF.
        file: PathBuf,
        /// Trust anchor certificates (PEM; repeatable). Without any, the chain is not checked.
        #[arg(long = "trust")]
        trust: Vec<PathBuf>,
    },
    /// Make a detached CAdES signature (.p7s) of any file.
    #[command(
        after_help = "Example: egov sign cms message.xml -o message.xml.p7s --key seal.key --cert seal.pem"
    )]
    Cms {
        /// The file to sign.
        file: PathBuf,
        /// Where to write the DER signature.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Verify a detached CAdES signature. Exit 0 when valid, 1 otherwise.
    #[command(
        name = "verify-cms",
        after_help = "Example: egov sign verify-cms message.xml message.xml.p7s --trust root.pem"
    )]
    VerifyCms {
        /// The signed file.
        file: PathBuf,
        /// The DER signature.
        p7s: PathBuf,
        /// Trust anchor certificates (PEM; repeatable).
        #[arg(long = "trust")]
        trust: Vec<PathBuf>,
    },
}

/// The signing key and its certificates.
#[derive(Debug, clap::Args)]
pub(crate) struct KeyArgs {
    /// Private key, PEM (PKCS#8 or PKCS#1 RSA; RSA ≥ 2048 or EC P-256).
    #[arg(long)]
    key: PathBuf,
    /// The signer certificate, PEM.
    #[arg(long)]
    cert: PathBuf,
    /// CA certificates to embed (PEM; repeatable).
    #[arg(long)]
    chain: Vec<PathBuf>,
}

fn parse_visible(s: &str) -> Result<(usize, [f32; 4]), String> {
    let usage = || format!("{s:?}: expected PAGE/x1,y1,x2,y2, e.g. 1/350,40,560,110");
    let (page, rect) = s.split_once('/').ok_or_else(usage)?;
    let page: usize = page.trim().parse().map_err(|_| usage())?;
    let nums: Vec<f32> = rect
        .split(',')
        .map(|v| v.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|_| usage())?;
    let rect: [f32; 4] = nums.try_into().map_err(|_| usage())?;
    Ok((page, rect))
}

fn read(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

fn load_key(args: &KeyArgs) -> io::Result<SoftwareKey> {
    let key = read(&args.key)?;
    let mut certs = read(&args.cert)?;
    for c in &args.chain {
        certs.push(b'\n');
        certs.extend(read(c)?);
    }
    SoftwareKey::from_pem(&key, &certs).map_err(err)
}

fn anchors(paths: &[PathBuf]) -> io::Result<Vec<Certificate>> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(Certificate::chain_from_pem(&read(p)?).map_err(err)?);
    }
    Ok(out)
}

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

pub(crate) fn run(cmd: &SignCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    match cmd {
        SignCommand::Pdf {
            input,
            output,
            key,
            level,
            tsa,
            reason,
            location,
            contact,
            field,
            visible,
            certify,
        } => {
            let tsa = match (level, tsa) {
                (Level::BT, None) => return Err(io::Error::other("--level b-t needs --tsa URL")),
                (_, Some(url)) => Some(egov_sign::HttpTsa::new(url.clone())),
                (Level::BB, None) => None,
            };
            let signer = load_key(key)?;
            let pdf = read(input)?;
            let mut options = PadesOptions::new();
            if let Some(r) = reason {
                options = options.reason(r.clone());
            }
            if let Some(l) = location {
                options = options.location(l.clone());
            }
            if let Some(c) = contact {
                options = options.contact_info(c.clone());
            }
            if let Some(f) = field {
                options = options.field_name(f.clone());
            }
            if let Some((page, rect)) = visible {
                options = options.visible(*page, *rect);
            }
            if let Some(p) = certify.and_then(|p| DocMdpPermission::from_p(i64::from(p))) {
                options = options.certify(p);
            }
            let rt = runtime()?;
            let (signed, level) = match &tsa {
                Some(tsa) => (
                    rt.block_on(egov_sign::sign_pdf_timestamped(&signer, tsa, &pdf, &options)),
                    "B-T",
                ),
                None => (rt.block_on(egov_sign::sign_pdf(&signer, &pdf, &options)), "B-B"),
            };
            let signed = signed.map_err(err)?;
            std::fs::write(output, &signed)?;
            if json {
                serde_json::to_writer_pretty(
                    &mut *out,
                    &json!({"output": output, "bytes": signed.len(), "level": level}),
                )?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}: signed (PAdES {level}), {} bytes",
                    output.display(),
                    signed.len()
                )?;
            }
            Ok(Outcome::Ok)
        }
        SignCommand::Verify { file, trust } => {
            let options = VerifyOptions::new(anchors(trust)?);
            let report = egov_sign::verify_pdf(&read(file)?, &options).map_err(err)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &report)?;
                writeln!(out)?;
            } else if report.signatures.is_empty() {
                writeln!(out, "{}: no signatures", file.display())?;
            } else {
                for s in &report.signatures {
                    let verdict = match &s.status {
                        SignatureStatus::Valid => "VALID".to_string(),
                        SignatureStatus::Invalid(r) => format!("INVALID: {r}"),
                        SignatureStatus::Indeterminate(r) => format!("INDETERMINATE: {r}"),
                        other => format!("{other:?}"),
                    };
                    writeln!(out, "{}: {verdict}", s.field)?;
                    if let Some(subject) = &s.signer_subject {
                        writeln!(out, "  signer:        {subject}")?;
                    }
                    if let Some(t) = &s.signing_time {
                        writeln!(out, "  signing time:  {t} (claimed, /M)")?;
                    }
                    if let (Some(t), Some(tsa)) = (&s.timestamp, &s.timestamp_authority) {
                        writeln!(out, "  time-stamp:    {t} by {tsa}")?;
                    }
                    if let Some(l) = s.level {
                        writeln!(out, "  level:         {l}")?;
                    }
                    if let Some(c) = s.coverage {
                        writeln!(out, "  coverage:      {c}")?;
                    }
                    writeln!(out, "  modifications: {}", s.modification_level)?;
                    if let Some(p) = s.certification {
                        writeln!(out, "  certification: DocMDP P={}", p.p_value())?;
                    }
                    if !s.trust_path.is_empty() {
                        writeln!(out, "  trust path:    {}", s.trust_path.join(" -> "))?;
                    }
                }
            }
            Ok(if report.all_valid() {
                Outcome::Ok
            } else {
                Outcome::Invalid
            })
        }
        SignCommand::Cms { file, output, key } => {
            let signer = load_key(key)?;
            let content = read(file)?;
            let p7s = runtime()?
                .block_on(egov_sign::sign_detached(&signer, &content, &CadesOptions::new()))
                .map_err(err)?;
            std::fs::write(output, &p7s)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &json!({"output": output, "bytes": p7s.len()}))?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}: detached CAdES signature, {} bytes",
                    output.display(),
                    p7s.len()
                )?;
            }
            Ok(Outcome::Ok)
        }
        SignCommand::VerifyCms { file, p7s, trust } => {
            let options = VerifyOptions::new(anchors(trust)?);
            let result = egov_sign::verify_detached(&read(p7s)?, &read(file)?, &options);
            let (valid, signers, reason) = match &result {
                Ok(report) => (
                    true,
                    report
                        .signers
                        .iter()
                        .map(|s| {
                            json!({
                                "subject": s.certificate.subject(),
                                "trusted": matches!(s.trust, Trust::Anchored { .. }),
                            })
                        })
                        .collect::<Vec<_>>(),
                    None,
                ),
                Err(e) => (false, Vec::new(), Some(e.to_string())),
            };
            if json {
                serde_json::to_writer_pretty(
                    &mut *out,
                    &json!({"valid": valid, "signers": signers, "reason": reason}),
                )?;
                writeln!(out)?;
            } else if let Some(r) = &reason {
                writeln!(out, "INVALID: {r}")?;
            } else {
                for s in &signers {
                    writeln!(out, "VALID: {}", s["subject"].as_str().unwrap_or(""))?;
                }
            }
            Ok(if valid { Outcome::Ok } else { Outcome::Invalid })
        }
    }
}
