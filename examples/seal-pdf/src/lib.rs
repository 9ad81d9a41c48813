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

use std::path::Path;

use egov_sign::{Certificate, PadesOptions, PdfReport, SoftwareKey, VerifyOptions};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

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
    /// The demo PKI could not be made.
    #[error("demo PKI: {0}")]
    Pki(#[from] rcgen::Error),
}

/// A demo root CA and a seal certificate (ECDSA P-256), kept as PEM files in a folder.
#[derive(Clone)]
pub struct DemoPki {
    /// The seal's private key (PKCS#8 PEM).
    pub key_pem: Vec<u8>,
    /// The seal certificate followed by the root.
    pub chain_pem: Vec<u8>,
    /// The root alone: the trust anchor for verification.
    pub ca_pem: Vec<u8>,
}

impl std::fmt::Debug for DemoPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoPki").finish_non_exhaustive()
    }
}

fn name(org: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CH");
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CommonName, cn);
    dn
}

impl DemoPki {
    /// Reads the PKI from `dir` (`seal-ca.pem`, `seal-key.pem`, `seal-cert.pem`), making it
    /// there first if it is not there.
    ///
    /// # Errors
    /// File errors, or rcgen failing.
    pub fn open_or_create(dir: &Path, organisation: &str) -> Result<Self, Error> {
        let [ca, key, cert] = ["seal-ca.pem", "seal-key.pem", "seal-cert.pem"].map(|f| dir.join(f));
        if !(ca.exists() && key.exists() && cert.exists()) {
            std::fs::create_dir_all(dir)?;
            let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
            let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
            ca_params.distinguished_name = name(organisation, "Demo Root CA (not for production)");
            ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            ca_params.not_before = rcgen::date_time_ymd(2025, 1, 1);
            ca_params.not_after = rcgen::date_time_ymd(2036, 1, 1);
            let ca_cert = ca_params.self_signed(&ca_key)?;
            std::fs::write(&ca, ca_cert.pem())?;
            let issuer = Issuer::new(ca_params, ca_key);
            let seal_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
            let mut params = CertificateParams::new(Vec::<String>::new())?;
            params.distinguished_name = name(organisation, &format!("{organisation} Siegel (Demo)"));
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ];
            params.not_before = rcgen::date_time_ymd(2025, 1, 1);
            params.not_after = rcgen::date_time_ymd(2031, 1, 1);
            let seal_cert = params.signed_by(&seal_key, &issuer)?;
            std::fs::write(&key, seal_key.serialize_pem())?;
            std::fs::write(&cert, seal_cert.pem())?;
        }
        let ca_pem = std::fs::read(&ca)?;
        let mut chain_pem = std::fs::read(&cert)?;
        chain_pem.extend_from_slice(&ca_pem);
        Ok(Self {
            key_pem: std::fs::read(&key)?,
            chain_pem,
            ca_pem,
        })
    }
}

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
