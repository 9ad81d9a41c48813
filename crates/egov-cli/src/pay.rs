//! `egov qrbill`, `egov camt` and `egov pain`: QR-bill payloads, bank files and payouts.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use egov_core::{CreditorReference, Iban, Language, QrReference};
use egov_pay::camt::{CamtError, CamtReader, CreditDebit, EntryStatus, RemittanceReference};
use egov_pay::chrono::{DateTime, NaiveDate};
use egov_pay::pain::{CreditTransfer, PainProblem, Payment, PostalAddress, Remittance};
use egov_pay::qrbill::{DecodeError, QrBill};
use egov_pay::reconcile::{Ledger, OpenInvoice, Reconciler, TransactionStatus};
use egov_pay::rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use crate::Outcome;

// ---------------------------------------------------------------------------------------------
// egov qrbill
// ---------------------------------------------------------------------------------------------

#[derive(Debug, clap::Subcommand)]
pub(crate) enum QrbillCommand {
    /// Validate QR-bill payload text files; every error names its field. Exit 1 when any file is
    /// invalid.
    #[command(after_help = "Example: egov qrbill validate --language fr bill1.txt bill2.txt")]
    Validate {
        /// Payload text files (the text of the Swiss QR Code, LF or CR+LF).
        #[arg(value_name = "PAYLOAD_FILE", required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        /// The language of the messages (de, fr, it, rm, en).
        #[arg(long, default_value = "en")]
        language: Language,
    },
    /// Decode a payload text file and print the bill as JSON.
    #[command(after_help = "Example: egov qrbill decode bill.txt")]
    Decode {
        /// A payload text file. (Images of bills cannot be decoded yet.)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The language of error messages (de, fr, it, rm, en).
        #[arg(long, default_value = "en")]
        language: Language,
    },
    /// Render the payment part and receipt as SVG or PDF (format from the output file's extension),
    /// the slip alone (210 × 105 mm) or an A4 page with the slip at the bottom.
    #[command(
        after_help = "Examples: egov qrbill render bill.txt -o bill.pdf --language fr --a4; \
                            egov qrbill render bill.json -o bill.svg"
    )]
    Render {
        /// The bill: a payload text file, or JSON as `egov qrbill decode` prints it (`.json`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The output file: `.svg` or `.pdf`.
        #[arg(short, long)]
        output: PathBuf,
        /// The language of the headings (de, fr, it, rm, en).
        #[arg(long, default_value = "de")]
        language: Language,
        /// An A4 page with the slip at its bottom (default: the slip alone).
        #[arg(long)]
        a4: bool,
    },
    /// Create a QR reference (27 digits) or an ISO 11649 creditor reference (RF…).
    #[command(
        after_help = "Examples: egov qrbill reference qr 2026000042 --customer-id 310014; \
                            egov qrbill reference scor 539007547034"
    )]
    Reference {
        /// `qr` or `scor`.
        #[arg(value_enum)]
        kind: ReferenceKind,
        /// The invoice number (digits for qr; letters and digits for scor).
        number: String,
        /// For qr: the customer id your bank gave you, put in front of the number.
        #[arg(long)]
        customer_id: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReferenceKind {
    /// QR reference (QRR), for a QR-IBAN.
    Qr,
    /// Creditor reference (SCOR, ISO 11649), for a regular IBAN.
    Scor,
}

pub(crate) fn qrbill(cmd: &QrbillCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    match cmd {
        QrbillCommand::Validate { files, language } => validate(files, *language, json, out),
        QrbillCommand::Decode { file, language } => decode(file, *language, out),
        QrbillCommand::Render {
            file,
            output,
            language,
            a4,
        } => render(file, output, *language, *a4, out),
        QrbillCommand::Reference {
            kind,
            number,
            customer_id,
        } => reference(*kind, number, customer_id.as_deref(), json, out),
    }
}

fn read_text(path: &Path) -> io::Result<String> {
    fs::read_to_string(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

#[derive(Debug, Serialize)]
struct FieldMessage {
    /// The payload element (`CdtrInf/Cdtr/PstCd`), if the error concerns one.
    field: Option<String>,
    /// The payload line.
    line: Option<usize>,
    message: String,
}

fn decode_errors(error: &DecodeError, lang: Language) -> Vec<FieldMessage> {
    match error {
        DecodeError::Invalid(errors) => errors
            .iter()
            .map(|e| FieldMessage {
                field: Some(e.field.element().to_owned()),
                line: e.field.line(),
                message: e.message(lang),
            })
            .collect(),
        other => vec![FieldMessage {
            field: None,
            line: None,
            message: other.to_string(),
        }],
    }
}

fn validate(files: &[PathBuf], lang: Language, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let mut outcome = Outcome::Ok;
    let mut reports = Vec::new();
    for file in files {
        let text = read_text(file)?;
        let (errors, warnings) = match QrBill::decode(&text) {
            Ok(decoded) => (
                Vec::new(),
                decoded
                    .warnings
                    .iter()
                    .map(|w| w.message(lang))
                    .collect::<Vec<_>>(),
            ),
            Err(e) => (decode_errors(&e, lang), Vec::new()),
        };
        if !errors.is_empty() {
            outcome = Outcome::Invalid;
        }
        if json {
            reports.push(json!({
                "file": file.display().to_string(),
                "valid": errors.is_empty(),
                "errors": errors,
                "warnings": warnings,
            }));
            continue;
        }
        let verdict = if errors.is_empty() { "valid" } else { "INVALID" };
        writeln!(out, "{}: {verdict}", file.display())?;
        for e in &errors {
            match (e.line, &e.field) {
                (Some(line), Some(field)) => writeln!(out, "  line {line} ({field}): {}", e.message)?,
                (None, Some(field)) => writeln!(out, "  {field}: {}", e.message)?,
                _ => writeln!(out, "  {}", e.message)?,
            }
        }
        for w in &warnings {
            writeln!(out, "  warning: {w}")?;
        }
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &reports)?;
        writeln!(out)?;
    }
    Ok(outcome)
}

fn render(file: &Path, output: &Path, lang: Language, a4: bool, out: &mut impl Write) -> io::Result<Outcome> {
    use egov_pay::render::{self, OutputSize, RenderError, RenderOptions};

    let pdf = match output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => true,
        Some("svg") => false,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: the output must end in .svg or .pdf", output.display()),
            ));
        }
    };
    let text = read_text(file)?;
    let is_json = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let bill = if is_json {
        match serde_json::from_str::<QrBill>(&text) {
            Ok(bill) => bill,
            Err(e) => {
                eprintln!("egov: {}: not a QR-bill in JSON: {e}", file.display());
                return Ok(Outcome::Invalid);
            }
        }
    } else {
        match QrBill::decode(&text) {
            Ok(decoded) => decoded.bill,
            Err(e) => {
                for m in decode_errors(&e, lang) {
                    eprintln!("egov: {}: {}", file.display(), m.message);
                }
                return Ok(Outcome::Invalid);
            }
        }
    };
    let size = if a4 { OutputSize::A4 } else { OutputSize::Slip };
    let options = RenderOptions::new(lang, size);
    let bytes = if pdf {
        render::pdf(&bill, &options)
    } else {
        render::svg(&bill, &options).map(String::into_bytes)
    };
    match bytes {
        Ok(bytes) => {
            fs::write(output, bytes)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", output.display())))?;
            writeln!(out, "{}", output.display())?;
            Ok(Outcome::Ok)
        }
        Err(RenderError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("egov: {}: {}", file.display(), e.message(lang));
            }
            Ok(Outcome::Invalid)
        }
        Err(e) => {
            eprintln!("egov: {}: {e}", file.display());
            Ok(Outcome::Invalid)
        }
    }
}

fn decode(file: &Path, lang: Language, out: &mut impl Write) -> io::Result<Outcome> {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(extension.as_deref(), Some("png" | "jpg" | "jpeg")) {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "{}: image decoding is not available yet; decode the payload text instead",
                file.display()
            ),
        ));
    }
    let text = read_text(file)?;
    match QrBill::decode(&text) {
        Ok(decoded) => {
            for w in &decoded.warnings {
                eprintln!("egov: warning: {}", w.message(lang));
            }
            serde_json::to_writer_pretty(&mut *out, &decoded.bill)?;
            writeln!(out)?;
            Ok(Outcome::Ok)
        }
        Err(e) => {
            for m in decode_errors(&e, lang) {
                match m.line {
                    Some(line) => eprintln!("egov: {}: line {line}: {}", file.display(), m.message),
                    None => eprintln!("egov: {}: {}", file.display(), m.message),
                }
            }
            Ok(Outcome::Invalid)
        }
    }
}

fn reference(
    kind: ReferenceKind,
    number: &str,
    customer_id: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> io::Result<Outcome> {
    let made = match kind {
        ReferenceKind::Qr => QrReference::with_customer_id(customer_id.unwrap_or(""), number)
            .map(|r| ("QRR", r.canonical(), r.to_string())),
        ReferenceKind::Scor if customer_id.is_some() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "--customer-id applies to qr references only",
            ));
        }
        ReferenceKind::Scor => {
            CreditorReference::from_body(number).map(|r| ("SCOR", r.canonical(), r.to_string()))
        }
    };
    match made {
        Ok((kind, compact, formatted)) => {
            if json {
                let v = json!({"type": kind, "reference": compact, "formatted": formatted});
                serde_json::to_writer_pretty(&mut *out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{formatted}")?;
                writeln!(out, "{compact}")?;
            }
            Ok(Outcome::Ok)
        }
        Err(e) => {
            eprintln!("egov: {number:?}: {e}");
            Ok(Outcome::Invalid)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// egov camt
// ---------------------------------------------------------------------------------------------

#[derive(Debug, clap::Subcommand)]
pub(crate) enum CamtCommand {
    /// List the credited transactions of a camt.053/camt.054 file (001.04 or 001.08): booking
    /// date, amount, currency, reference, debtor.
    #[command(after_help = "Example: egov camt list camt054.xml")]
    List {
        /// The camt.053 or camt.054 XML file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Match the credits of a camt file to open invoices by reference and report per
    /// transaction and per invoice.
    #[command(after_help = "The invoices CSV has a header row and the columns \
                            invoice_id,reference,amount,currency (amount like 1949.75).\n\
                            Example: egov camt reconcile camt054.xml --invoices open.csv")]
    Reconcile {
        /// The camt.053 or camt.054 XML file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// CSV of open invoices: invoice_id,reference,amount,currency.
        #[arg(long, value_name = "OPEN.csv")]
        invoices: PathBuf,
    },
}

pub(crate) fn camt(cmd: &CamtCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    match cmd {
        CamtCommand::List { file } => camt_list(file, json, out),
        CamtCommand::Reconcile { file, invoices } => camt_reconcile(file, invoices, json, out),
    }
}

/// A camt error: I/O problems are exit 2, a broken or foreign document exit 1.
fn camt_failure(file: &Path, error: CamtError) -> io::Result<Outcome> {
    if let CamtError::Io(e) = error {
        return Err(io::Error::new(e.kind(), format!("{}: {e}", file.display())));
    }
    eprintln!("egov: {}: {error}", file.display());
    Ok(Outcome::Invalid)
}

#[derive(Debug, Serialize)]
struct CreditLine {
    booking_date: Option<NaiveDate>,
    amount: Decimal,
    currency: String,
    reference: Option<String>,
    reference_type: Option<&'static str>,
    debtor: Option<String>,
    status: &'static str,
    entry_reference: Option<String>,
    transaction: u32,
}

fn camt_list(file: &Path, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let reader = match CamtReader::open(file) {
        Ok(r) => r,
        Err(e) => return camt_failure(file, e),
    };
    let mut lines = Vec::new();
    for entry in reader {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => return camt_failure(file, e),
        };
        if entry.reversal {
            continue;
        }
        let status = match entry.status {
            EntryStatus::Booked => "booked",
            EntryStatus::Pending => "pending",
            EntryStatus::Information => "information",
            _ => "other",
        };
        for tx in entry
            .transactions
            .iter()
            .filter(|t| t.direction == CreditDebit::Credit)
        {
            let line = CreditLine {
                booking_date: entry.booking_date,
                amount: tx.amount.value,
                currency: tx.amount.currency.clone(),
                reference: tx.reference.as_ref().map(ToString::to_string),
                reference_type: tx.reference.as_ref().map(|r| match r {
                    RemittanceReference::Qr(_) => "QRR",
                    RemittanceReference::Creditor(_) => "SCOR",
                    _ => "OTHER",
                }),
                debtor: tx.debtor.as_ref().and_then(|d| d.name.clone()),
                status,
                entry_reference: entry.bank_reference.clone(),
                transaction: tx.index,
            };
            if json {
                lines.push(line);
            } else {
                let date = line
                    .booking_date
                    .map_or_else(|| "----------".to_owned(), |d| d.to_string());
                let mut text = format!(
                    "{date}  {:>14} {}  {}",
                    line.amount,
                    line.currency,
                    line.reference.as_deref().unwrap_or("-")
                );
                if let Some(debtor) = &line.debtor {
                    text.push_str("  ");
                    text.push_str(debtor);
                }
                if status != "booked" {
                    text.push_str(&format!("  [{status}]"));
                }
                writeln!(out, "{text}")?;
            }
        }
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &lines)?;
        writeln!(out)?;
    }
    Ok(Outcome::Ok)
}

/// Reads a CSV file with a header row; the rows are given with their line numbers.
fn read_csv(path: &Path, columns: &[&str]) -> io::Result<Result<Vec<(u64, csv::StringRecord)>, String>> {
    let text = read_text(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Ok(Err(format!("{}: {e}", path.display()))),
    };
    let found: Vec<&str> = header.iter().collect();
    if found != columns {
        return Ok(Err(format!(
            "{}: line 1: the header must be {} (found {})",
            path.display(),
            columns.join(","),
            found.join(",")
        )));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => rows.push((r.position().map_or(0, csv::Position::line), r)),
            Err(e) => return Ok(Err(format!("{}: {e}", path.display()))),
        }
    }
    Ok(Ok(rows))
}

fn parse_amount(text: &str) -> Option<Decimal> {
    let valid = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    if valid { text.parse().ok() } else { None }
}

fn read_invoices(path: &Path) -> io::Result<Result<Vec<OpenInvoice>, String>> {
    let rows = match read_csv(path, &["invoice_id", "reference", "amount", "currency"])? {
        Ok(rows) => rows,
        Err(e) => return Ok(Err(e)),
    };
    let mut invoices = Vec::new();
    for (line, r) in rows {
        let at = |what: &str| format!("{}: line {line}: {what}", path.display());
        let id = r.get(0).unwrap_or_default();
        let Some(amount) = parse_amount(r.get(2).unwrap_or_default()) else {
            return Ok(Err(at("amount must be a number like 1949.75")));
        };
        let currency = r.get(3).unwrap_or_default();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Ok(Err(at("currency must be three capital letters like CHF")));
        }
        if id.is_empty() {
            return Ok(Err(at("invoice_id is empty")));
        }
        invoices.push(OpenInvoice::new(
            id,
            r.get(1).unwrap_or_default(),
            amount,
            currency,
        ));
    }
    Ok(Ok(invoices))
}

fn status_text(status: &TransactionStatus) -> String {
    match status {
        TransactionStatus::Paid => "paid".into(),
        TransactionStatus::PartlyPaid { outstanding } => format!("partly paid, {outstanding} outstanding"),
        TransactionStatus::Overpaid { excess } => format!("overpaid by {excess}"),
        TransactionStatus::Duplicate => "DUPLICATE (invoice already paid)".into(),
        TransactionStatus::UnknownReference => "UNKNOWN reference".into(),
        TransactionStatus::NoReference => "no reference".into(),
        TransactionStatus::CurrencyMismatch { expected } => {
            format!("currency mismatch (invoice in {expected})")
        }
        TransactionStatus::Reversed { cancels: Some(key) } => format!("REVERSAL of {key}"),
        TransactionStatus::Reversed { cancels: None } => "REVERSAL (original not found)".into(),
        TransactionStatus::Pending => "pending, not booked".into(),
        TransactionStatus::AlreadyImported => "already imported".into(),
        _ => format!("{status:?}"),
    }
}

fn camt_reconcile(file: &Path, invoices: &Path, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let invoices = match read_invoices(invoices)? {
        Ok(i) => i,
        Err(message) => {
            eprintln!("egov: {message}");
            return Ok(Outcome::Invalid);
        }
    };
    let reconciler = match Reconciler::new(invoices) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("egov: {e}");
            return Ok(Outcome::Invalid);
        }
    };
    let reader = match CamtReader::open(file) {
        Ok(r) => r,
        Err(e) => return camt_failure(file, e),
    };
    let mut ledger = Ledger::new();
    let mut transactions = Vec::new();
    for entry in reader {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => return camt_failure(file, e),
        };
        if let Err(e) = reconciler.import_entry(&mut ledger, &entry, &mut transactions) {
            return Err(io::Error::other(e.to_string()));
        }
    }
    let invoices = reconciler
        .invoice_reports(&ledger)
        .map_err(|e| io::Error::other(e.to_string()))?;
    if json {
        let v = json!({"transactions": transactions, "invoices": invoices});
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(Outcome::Ok);
    }
    writeln!(out, "Transactions:")?;
    for t in &transactions {
        let date = t
            .booking_date
            .map_or_else(|| "----------".to_owned(), |d| d.to_string());
        writeln!(
            out,
            "  {date}  {:>14} {}  {}  {}{}",
            t.amount,
            t.currency,
            t.reference.as_deref().unwrap_or("-"),
            status_text(&t.status),
            t.invoice
                .as_deref()
                .map(|i| format!(" [invoice {i}]"))
                .unwrap_or_default(),
        )?;
    }
    writeln!(out, "Invoices:")?;
    for i in &invoices {
        let mut notes = Vec::new();
        if i.duplicate {
            notes.push("duplicate payment".to_owned());
        }
        if i.reversed > 0 {
            notes.push(format!("{} reversed", i.reversed));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        let status = serde_json::to_value(i.status)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}  {}  paid {} of {} {}: {status}{notes}",
            i.id, i.reference, i.paid, i.amount, i.currency
        )?;
    }
    Ok(Outcome::Ok)
}

// ---------------------------------------------------------------------------------------------
// egov pain
// ---------------------------------------------------------------------------------------------

const PAYMENT_COLUMNS: [&str; 12] = [
    "end_to_end_id",
    "creditor_name",
    "street",
    "building_number",
    "postal_code",
    "town",
    "country",
    "iban",
    "amount",
    "currency",
    "reference",
    "message",
];

#[derive(Debug, clap::Subcommand)]
pub(crate) enum PainCommand {
    /// Write a pain.001.001.09.ch.03 credit transfer (refunds, payouts) from a CSV of payments.
    #[command(after_help = "The payments CSV has a header row and the columns\n  \
                            end_to_end_id,creditor_name,street,building_number,postal_code,town,country,iban,amount,currency,reference,message\n\
                            reference is a QR reference (with a QR-IBAN) or an RF creditor reference, or empty; \
                            message is free text (at most 140 characters) for payments without reference.\n\
                            Example: egov pain transfer refunds.csv --debtor-iban CH9300762011623852957 \
                            --debtor-name \"Gemeinde Muster\" -o pain001.xml")]
    Transfer {
        /// CSV of payments (see below).
        #[arg(value_name = "PAYMENTS.csv")]
        payments: PathBuf,
        /// The account to pay from.
        #[arg(long)]
        debtor_iban: String,
        /// The name of the account holder (the administration).
        #[arg(long)]
        debtor_name: String,
        /// The BIC of the debtor's bank (default: the IID of a Swiss IBAN).
        #[arg(long)]
        debtor_bic: Option<String>,
        /// The requested execution date, YYYY-MM-DD (default: today, UTC).
        #[arg(long)]
        execution_date: Option<NaiveDate>,
        /// The message id (default: EGOV- and the creation time).
        #[arg(long)]
        message_id: Option<String>,
        /// Where to write the XML (`-` for standard output).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

pub(crate) fn pain(cmd: &PainCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let PainCommand::Transfer {
        payments,
        debtor_iban,
        debtor_name,
        debtor_bic,
        execution_date,
        message_id,
        output,
    } = cmd;
    let debtor_account: Iban = match debtor_iban.parse() {
        Ok(iban) => iban,
        Err(e) => {
            eprintln!("egov: --debtor-iban: {e}");
            return Ok(Outcome::Invalid);
        }
    };
    let rows = match read_csv(payments, &PAYMENT_COLUMNS)? {
        Ok(rows) => rows,
        Err(message) => {
            eprintln!("egov: {message}");
            return Ok(Outcome::Invalid);
        }
    };
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0);
    let now = DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .naive_utc();
    let mut transfer = CreditTransfer::new(
        message_id
            .clone()
            .unwrap_or_else(|| now.format("EGOV-%Y%m%d%H%M%S").to_string())
            .as_str(),
        debtor_name,
        debtor_account,
        execution_date.unwrap_or_else(|| now.date()),
    );
    transfer.created = now;
    transfer.debtor_bic.clone_from(debtor_bic);
    let mut problems = Vec::new();
    for (line, r) in &rows {
        let field = |i: usize| r.get(i).unwrap_or_default();
        let at = |what: &str| format!("{}: line {line}: {what}", payments.display());
        let creditor_account: Iban = match field(7).parse() {
            Ok(iban) => iban,
            Err(e) => {
                problems.push(at(&format!("iban: {e}")));
                continue;
            }
        };
        let Some(amount) = parse_amount(field(8)) else {
            problems.push(at("amount must be a number like 120.50"));
            continue;
        };
        let remittance = match (field(10), field(11)) {
            ("", "") => Remittance::None,
            ("", message) => Remittance::Unstructured(message.to_owned()),
            (reference, "") => {
                let compact: String = reference.chars().filter(|c| !c.is_whitespace()).collect();
                let parsed = if compact.to_ascii_uppercase().starts_with("RF") {
                    reference.parse::<CreditorReference>().map(Remittance::Creditor)
                } else {
                    reference.parse::<QrReference>().map(Remittance::Qr)
                };
                match parsed {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(at(&format!("reference: {e}")));
                        continue;
                    }
                }
            }
            _ => {
                problems.push(at("give either a reference or a message, not both"));
                continue;
            }
        };
        let address = PostalAddress::new(field(4), field(5), field(6));
        let address = if field(2).is_empty() {
            address
        } else {
            address.with_street(field(2), field(3))
        };
        transfer.payments.push(Payment {
            end_to_end_id: field(0).to_owned(),
            amount,
            currency: field(9).to_owned(),
            creditor_name: field(1).to_owned(),
            creditor_address: Some(address),
            creditor_account,
            remittance,
        });
    }
    // The rules of the transfer too, so that one run shows every problem.
    let rows_failed = !problems.is_empty();
    for e in transfer.validate() {
        if !(rows_failed && e.problem == PainProblem::NoPayments) {
            problems.push(e.to_string());
        }
    }
    if !problems.is_empty() {
        for p in problems {
            eprintln!("egov: {p}");
        }
        return Ok(Outcome::Invalid);
    }
    let xml = match transfer.to_xml() {
        Ok(xml) => xml,
        Err(errors) => {
            for e in errors.0 {
                eprintln!("egov: {e}");
            }
            return Ok(Outcome::Invalid);
        }
    };
    let summary = json!({
        "message_id": transfer.message_id,
        "transactions": transfer.number_of_transactions(),
        "control_sum": transfer.control_sum(),
        "execution_date": transfer.execution_date,
        "output": output.display().to_string(),
    });
    if output.as_os_str() == "-" {
        out.write_all(xml.as_bytes())?;
        return Ok(Outcome::Ok);
    }
    fs::write(output, xml).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", output.display())))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &summary)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{}: {} payments, control sum {}, execution date {}",
            output.display(),
            transfer.number_of_transactions(),
            transfer.control_sum(),
            transfer.execution_date
        )?;
    }
    Ok(Outcome::Ok)
}
