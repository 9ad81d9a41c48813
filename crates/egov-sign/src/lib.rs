//! Electronic signatures and seals for Swiss e-government applications (issue 5, first part).
//!
//! What exists:
//! * the [`Signer`] trait (async, so that HSM and remote backends fit) and a
//!   software-key backend [`SoftwareKey`] (PKCS#8 PEM, RSA PKCS#1 v1.5 SHA-256
//!   and ECDSA P-256, key operations in aws-lc-rs);
//! * detached CMS/CAdES signatures for any file ([`sign_detached`]) with the
//!   `ETSI.CAdES.detached` signed attributes (content-type, message-digest,
//!   signing-time, ESS signing-certificate-v2), built with the RustCrypto `cms`
//!   and `x509-cert` types;
//! * verification of them ([`verify_detached`]): digest, signature value,
//!   signing-certificate-v2, and a chain to given trust anchors.
//!
//! Not yet: PAdES on PDFs, time-stamps (B-T and above), revocation, PKCS#11,
//! remote signing. See `docs/sign.md`.
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

mod cades;
mod cert;
mod digest;
mod error;
mod ess;
mod signer;
mod verify;

pub use cades::{CadesOptions, SigningTime, sign_detached, sign_detached_digest};
pub use cert::Certificate;
pub use digest::Sha256Digest;
pub use error::Error;
pub use signer::{SignatureAlgorithm, Signer, SoftwareKey};
pub use verify::{CmsReport, SignerReport, Trust, VerifyOptions, verify_detached};
