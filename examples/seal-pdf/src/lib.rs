//! Seal a PDF with PAdES B-B and check the result: the library part of the `seal-pdf` example.
//!
//! ```no_run
//! # fn main() -> Result<(), seal_pdf::Error> {
//! let pki = seal_pdf::DemoPki::open_or_create(std::path::Path::new("seal-demo"), "Gemeinde Muster")?;
//! let pdf = std::fs::read("decision.pdf").map_err(seal_pdf::Error::Io)?;
//! let sealed = seal_pdf::seal(&pdf, &pki.key_pem, &pki.chain_pem, "Entscheid")?;
//! let report = seal_pdf::check(&sealed, &pki.ca_pem)?;
//! assert!(report.all_valid());
//! # Ok(()) }
//! ```

use egov_sign::{Certificate, PadesOptions, PdfReport, SoftwareKey, VerifyOptions};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Signing or verification failed.
    #[error("{0}")]
    Sign(#[from] egov_sign::Error),
}

/// The demo PKI (egov-sign's, feature `demo-pki`): a root CA and a seal certificate in a folder.
pub use egov_sign::demo::DemoPki;

/// Seals `pdf` with the key and certificate chain given as PEM: PAdES B-B, an invisible approval
/// signature appended as an incremental update (earlier signatures stay valid).
///
/// # Errors
/// A key or certificate that does not read, or a PDF egov-sign refuses (encrypted, damaged).
pub fn seal(pdf: &[u8], key_pem: &[u8], chain_pem: &[u8], reason: &str) -> Result<Vec<u8>, Error> {
    let key = SoftwareKey::from_pem(key_pem, chain_pem)?;
    let options = PadesOptions::new().reason(reason);
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    Ok(runtime.block_on(egov_sign::sign_pdf(&key, pdf, &options))?)
}

/// Verifies every signature in `pdf` against the trust anchors in `ca_pem`.
///
/// # Errors
/// Anchors that do not read, or a file that is not a PDF.
pub fn check(pdf: &[u8], ca_pem: &[u8]) -> Result<PdfReport, Error> {
    let anchors = Certificate::chain_from_pem(ca_pem)?;
    Ok(egov_sign::verify_pdf(pdf, &VerifyOptions::new(anchors))?)
}
