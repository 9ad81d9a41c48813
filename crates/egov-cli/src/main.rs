//! `egov`: the Basisdienste command line.
//!
//! Exit codes: 0 success, 1 invalid input (a value that fails its rules, a lookup with no
//! result), 2 usage or I/O error. Results go to stdout (`--json` for machine output), messages
//! to stderr.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod check;
mod ech;
mod eid;
mod lookup;
mod notify;
mod pay;
mod sedex;
mod sign;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Swiss e-government base services from the command line.
#[derive(Debug, Parser)]
#[command(name = "egov", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Recognise and check Swiss identifiers: AHV number, UID, IBAN, QR and creditor references,
    /// BFS municipality numbers, postal codes, sedex ids.
    ///
    /// Exit code 1 when any value is invalid.
    #[command(
        after_help = "Example: egov check 756.1234.5678.97 CHE-116.281.710 \"CH44 3199 9123 0008 8901 2\""
    )]
    Check(check::Args),
    /// Look up municipalities by BFS number or name (ignoring case and accents).
    #[command(after_help = "Examples: egov municipality 351; egov municipality thun")]
    Municipality(lookup::MunicipalityArgs),
    /// Look up the localities of a postal code (or a locality by name).
    #[command(after_help = "Examples: egov postcode 3600; egov postcode 8914-02; egov postcode Aeugstertal")]
    Postcode(lookup::PostcodeArgs),
    /// Validate, inspect and convert eCH XML documents.
    #[command(subcommand)]
    Ech(ech::EchCommand),
    /// OpenID Connect login: inspect a provider, run the login simulator, log in from the terminal.
    #[command(subcommand)]
    Eid(eid::EidCommand),
    /// Swiss QR-bill payloads: validate, decode to JSON, create QR and creditor references.
    #[command(subcommand)]
    Qrbill(pay::QrbillCommand),
    /// ISO 20022 camt.053/camt.054 bank files: list credits, reconcile with open invoices.
    #[command(subcommand)]
    Camt(pay::CamtCommand),
    /// ISO 20022 pain.001 credit transfers (refunds, payouts).
    #[command(subcommand)]
    Pain(pay::PainCommand),
    /// sedex: write messages to an outbox, read receipts and inboxes, run a local simulator.
    #[command(subcommand)]
    Sedex(sedex::SedexCommand),
    /// Electronic signatures: PAdES on PDFs, detached CAdES on any file; signing and verification.
    #[command(subcommand)]
    Sign(sign::SignCommand),
    /// Notifications: render templates, send or enqueue e-mail and SMS, run an outbox worker, show
    /// a message's status history.
    #[command(subcommand)]
    Notify(notify::NotifyCommand),
}

/// What a subcommand produced: the exit code it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything was valid / found.
    Ok,
    /// Some input was invalid or not found.
    Invalid,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match &cli.command {
        Command::Check(args) => check::run(args, cli.json, &mut out),
        Command::Municipality(args) => lookup::municipality(args, cli.json, &mut out),
        Command::Postcode(args) => lookup::postcode(args, cli.json, &mut out),
        Command::Ech(cmd) => ech::run(cmd, cli.json, &mut out),
        Command::Eid(cmd) => eid::run(cmd, cli.json, &mut out),
        Command::Qrbill(cmd) => pay::qrbill(cmd, cli.json, &mut out),
        Command::Camt(cmd) => pay::camt(cmd, cli.json, &mut out),
        Command::Pain(cmd) => pay::pain(cmd, cli.json, &mut out),
        Command::Sedex(cmd) => sedex::run(cmd, cli.json, &mut out),
        Command::Sign(cmd) => sign::run(cmd, cli.json, &mut out),
        Command::Notify(cmd) => notify::run(cmd, cli.json, &mut out),
    };
    let _ = out.flush();
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("egov: {e}");
            ExitCode::from(2)
        }
    }
}
