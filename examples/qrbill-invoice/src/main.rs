//! `qrbill-invoice`: a JSON invoice in, a Swiss QR-bill PDF out.
//!
//! ```sh
//! cargo run -p qrbill-invoice -- examples/qrbill-invoice/invoice.json -o bill.pdf --language fr
//! ```
//!
//! Reads the invoice (creditor with a structured address and QR-IBAN, debtor, amount, invoice
//! number, message), makes the QR reference from the customer id and the invoice number, checks
//! everything (each wrong field on its own line on stderr, exit code 1) and writes an A4 PDF with
//! the payment part and receipt at the bottom (egov-pay `render::pdf`). See README.md.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use egov_core::Language;
use qrbill_invoice::{Error, bill_from_json, render_pdf};

/// Turns a JSON invoice into a QR-bill PDF.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The invoice (JSON, see invoice.json).
    invoice: PathBuf,
    /// Where to write the PDF.
    #[arg(short, long, default_value = "bill.pdf")]
    output: PathBuf,
    /// The language of the bill's headings and of the error messages: de, fr, it, rm, en.
    #[arg(short, long, default_value = "de")]
    language: Language,
}

fn run(args: &Args) -> Result<String, Vec<String>> {
    let json = std::fs::read_to_string(&args.invoice)
        .map_err(|e| vec![format!("{}: {e}", args.invoice.display())])?;
    let bill = bill_from_json(&json, args.language).map_err(|e| match e {
        Error::Invalid(fields) => fields.iter().map(ToString::to_string).collect(),
        other => vec![format!("{}: {other}", args.invoice.display())],
    })?;
    let pdf = render_pdf(&bill, args.language).map_err(|e| vec![e.to_string()])?;
    std::fs::write(&args.output, pdf).map_err(|e| vec![format!("{}: {e}", args.output.display())])?;
    Ok(format!(
        "{} written (reference {}, amount {} {})",
        args.output.display(),
        bill.reference.as_str().unwrap_or_default(),
        bill.currency,
        bill.amount
            .map(|a| a.to_string())
            .unwrap_or_else(|| "open".into()),
    ))
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(done) => {
            let _ = writeln!(std::io::stdout(), "{done}");
            ExitCode::SUCCESS
        }
        Err(problems) => {
            let mut stderr = std::io::stderr().lock();
            for p in problems {
                let _ = writeln!(stderr, "error: {p}");
            }
            ExitCode::FAILURE
        }
    }
}
