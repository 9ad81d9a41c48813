//! `notify-hello`: the smallest egov-notify program.
//!
//! ```sh
//! cargo run -p notify-hello -- --language fr --name "Chloé Exemple" --to chloe@example.ch
//! ```
//!
//! Renders a greeting from a template in five languages for one recipient, queues it in a
//! SQLite outbox (a temporary file), runs the outbox worker once with the file channel, and
//! prints the `.eml` file the message landed in (below `--out`, default `notify-hello-mail/`).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use egov_core::Language;
use notify_hello::{Hello, run};

/// Sends one greeting through the egov-notify outbox into a mail folder.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The language: de, fr, it, rm, en.
    #[arg(short, long, default_value = "de")]
    language: Language,
    /// The recipient's name.
    #[arg(long, default_value = "Anna Muster")]
    name: String,
    /// The recipient's e-mail address.
    #[arg(long, default_value = "anna.muster@example.ch")]
    to: String,
    /// The mail folder (maildir: `new/<id>.eml`).
    #[arg(short, long, default_value = "notify-hello-mail")]
    out: PathBuf,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result = match tempfile::tempdir() {
        Ok(work) => {
            let hello = Hello::new(&args.name, &args.to, args.language);
            run(&hello, &work.path().join("outbox.sqlite"), &args.out)
                .await
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(format!("temporary folder: {e}")),
    };
    match result {
        Ok(delivered) => {
            let _ = writeln!(
                std::io::stdout(),
                "message {} {}: {}",
                delivered.id,
                delivered.status,
                delivered.path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}
