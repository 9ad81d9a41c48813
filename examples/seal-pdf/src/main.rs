//! `seal-pdf`: seals a PDF with PAdES B-B and verifies the result.
//!
//! ```sh
//! cargo run -p seal-pdf -- decision.pdf -o decision-sealed.pdf            # demo key in seal-demo/
//! cargo run -p seal-pdf -- decision.pdf -o sealed.pdf --key k.pem --cert chain.pem --trust ca.pem
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Seal a PDF (PAdES B-B) and check the seal.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The PDF to seal.
    input: PathBuf,
    /// Where to write the sealed PDF.
    #[arg(short, long)]
    output: PathBuf,
    /// The seal's private key (PKCS#8 PEM); without it a demo key is made in `--demo-dir`.
    #[arg(long, requires_all = ["cert", "trust"])]
    key: Option<PathBuf>,
    /// The seal certificate and its chain (PEM).
    #[arg(long)]
    cert: Option<PathBuf>,
    /// The trust anchor to check the seal against (PEM).
    #[arg(long)]
    trust: Option<PathBuf>,
    /// Folder of the demo PKI.
    #[arg(long, default_value = "seal-demo")]
    demo_dir: PathBuf,
    /// The reason written into the signature.
    #[arg(long, default_value = "Amtliches Siegel")]
    reason: String,
}

fn run(args: &Args) -> Result<bool, seal_pdf::Error> {
    let (key, chain, ca) = match (&args.key, &args.cert, &args.trust) {
        (Some(k), Some(c), Some(t)) => (std::fs::read(k)?, std::fs::read(c)?, std::fs::read(t)?),
        _ => {
            let pki = seal_pdf::DemoPki::open_or_create(&args.demo_dir, "Gemeinde Muster")?;
            (pki.key_pem, pki.chain_pem, pki.ca_pem)
        }
    };
    let pdf = std::fs::read(&args.input)?;
    let sealed = seal_pdf::seal(&pdf, &key, &chain, &args.reason)?;
    std::fs::write(&args.output, &sealed)?;
    let report = seal_pdf::check(&sealed, &ca)?;
    #[allow(clippy::print_stdout)]
    {
        println!("{}: sealed, {} bytes", args.output.display(), sealed.len());
        for s in &report.signatures {
            println!(
                "  {}: {:?} ({})",
                s.field,
                s.status,
                s.signer_subject.as_deref().unwrap_or("?")
            );
        }
    }
    Ok(report.all_valid())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("seal-pdf: {e}");
            }
            ExitCode::from(2)
        }
    }
}
