//! Electronic signatures and seals for Swiss e-government applications (issue 5).
//!
//! What exists:
//! * **PAdES** on PDFs: [`sign_pdf`] appends an incremental update with an
//!   invisible signature field and a PAdES baseline B-B signature
//!   (`ETSI.CAdES.detached`, no signing-time, the time in `/M`), for PDFs with
//!   classic cross-reference tables and with xref/object streams, invisible or
//!   visible ([`PadesOptions::visible`]), several
//!   signatures in sequence, certification (DocMDP) on request;
//!   [`verify_pdf`] checks every signature (ByteRange structure and coverage,
//!   digest, CMS signature, signing-certificate-v2, chain) and judges later
//!   incremental updates (signature maintenance allowed, content changes and
//!   replaced objects illegal), returning a serde-serialisable [`PdfReport`];
//! * the [`Signer`] trait (async, so that HSM and remote backends fit) and a
//!   software-key backend [`SoftwareKey`] (PKCS#8 PEM, RSA PKCS#1 v1.5 SHA-256
//!   and ECDSA P-256, key operations in aws-lc-rs);
//! * detached CMS/CAdES signatures for any file ([`sign_detached`]) with the
//!   `ETSI.CAdES.detached` signed attributes (content-type, message-digest,
//!   signing-time, ESS signing-certificate-v2), built with the RustCrypto `cms`
//!   and `x509-cert` types, and their verification ([`verify_detached`]).
//!
//! * RFC 3161 signature time-stamps for PAdES B-T ([`sign_pdf_timestamped`],
//!   [`TimeStamper`], an in-process [`LocalTsa`], `HttpTsa` with the `tsa` feature), verified
//!   by [`verify_pdf`] and [`verify_detached`].
//!
//! Not yet: B-LT/B-LTA (DSS, document time-stamps), revocation, PDF/A-safe appearances,
//! PKCS#11, remote signing. See `docs/sign.md`.
//!
//! ```
//! # async fn demo(key_pem: &[u8], certs_pem: &[u8], ca_pem: &[u8]) -> Result<(), egov_sign::Error> {
//! use egov_sign::{CadesOptions, Certificate, SoftwareKey, VerifyOptions};
//! let signer = SoftwareKey::from_pem(key_pem, certs_pem)?;
//! let p7s = egov_sign::sign_detached(&signer, b"<eCH-0058 message/>", &CadesOptions::new()).await?;
//! let anchors = Certificate::chain_from_pem(ca_pem)?;
//! let report = egov_sign::verify_detached(&p7s, b"<eCH-0058 message/>", &VerifyOptions::new(anchors))?;
//! assert_eq!(report.signers.len(), 1);
//! # Ok(()) }
//! ```
//!
//! Sealing a PDF and checking it:
//!
//! ```
//! # async fn demo(pdf: &[u8], key_pem: &[u8], certs_pem: &[u8], ca_pem: &[u8]) -> Result<(), egov_sign::Error> {
//! use egov_sign::{Certificate, PadesOptions, SoftwareKey, VerifyOptions};
//! let seal = SoftwareKey::from_pem(key_pem, certs_pem)?;
//! let signed = egov_sign::sign_pdf(&seal, pdf, &PadesOptions::new().reason("Verfügung")).await?;
//! let report = egov_sign::verify_pdf(&signed, &VerifyOptions::new(Certificate::chain_from_pem(ca_pem)?))?;
//! assert!(report.all_valid());
//! # Ok(()) }
//! ```

mod cades;
mod cert;
#[cfg(feature = "demo-pki")]
pub mod demo;
mod digest;
mod error;
mod ess;
mod pades;
mod signer;
mod tsp;
mod verify;

pub use cades::{CadesOptions, SigningTime, sign_detached, sign_detached_digest};
pub use cert::Certificate;
pub use digest::Sha256Digest;
pub use error::Error;
pub use pades::{
    Coverage, DEFAULT_CONTENTS_SIZE, DocMdpPermission, Modification, ModificationLevel, PadesLevel,
    PadesOptions, PdfReport, SignatureReport, SignatureStatus, sign_pdf, sign_pdf_timestamped, verify_pdf,
};
pub use signer::{SignatureAlgorithm, Signer, SoftwareKey};
#[cfg(feature = "tsa")]
pub use tsp::HttpTsa;
pub use tsp::{LocalTsa, TimeStamper, TimestampReport};
pub use verify::{CmsReport, SignerReport, Trust, VerifyOptions, verify_detached};
