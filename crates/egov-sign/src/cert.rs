//! X.509 certificates as this crate uses them.

use std::fmt;
use std::time::SystemTime;

use der::{Decode, Encode};

use crate::Error;

/// A parsed X.509 certificate together with its exact DER bytes.
///
/// The DER bytes are kept as they came in, because hashes (ESS
/// signing-certificate-v2) and issuer signatures are computed over them.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    parsed: x509_cert::Certificate,
    der: Vec<u8>,
}

impl Certificate {
    /// Parses one DER-encoded certificate.
    ///
    /// # Errors
    /// [`Error::Certificate`] when the bytes are not a certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let parsed = x509_cert::Certificate::from_der(der).map_err(|e| Error::Certificate {
            what: "DER input",
            index: 0,
            reason: e.to_string(),
        })?;
        Ok(Certificate {
            parsed,
            der: der.to_vec(),
        })
    }

    /// Parses every `CERTIFICATE` block of a PEM text, in order.
    ///
    /// # Errors
    /// [`Error::Certificate`] naming the block that failed, or when there is none.
    pub fn chain_from_pem(pem: &[u8]) -> Result<Vec<Self>, Error> {
        // x509-cert 0.2.5 `load_pem_chain` underflows on input that is empty after
        // trimming line ends, so that case is answered here.
        let certs = if pem.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            Vec::new()
        } else {
            x509_cert::Certificate::load_pem_chain(pem).map_err(|e| Error::Certificate {
                what: "certificate PEM",
                index: 0,
                reason: e.to_string(),
            })?
        };
        if certs.is_empty() {
            return Err(Error::Certificate {
                what: "certificate PEM",
                index: 0,
                reason: "no CERTIFICATE block found".into(),
            });
        }
        certs
            .into_iter()
            .enumerate()
            .map(|(index, parsed)| {
                let der = parsed.to_der().map_err(|e| Error::Certificate {
                    what: "certificate PEM",
                    index,
                    reason: e.to_string(),
                })?;
                Ok(Certificate { parsed, der })
            })
            .collect()
    }

    pub(crate) fn from_parsed(parsed: x509_cert::Certificate) -> Result<Self, Error> {
        let der = parsed.to_der().map_err(|e| Error::malformed("certificate", e))?;
        Ok(Certificate { parsed, der })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject distinguished name in RFC 4514 form, e.g. `CN=Siegel,O=Gemeinde Musterdorf,C=CH`.
    pub fn subject(&self) -> String {
        self.parsed.tbs_certificate.subject.to_string()
    }

    /// The issuer distinguished name in RFC 4514 form.
    pub fn issuer(&self) -> String {
        self.parsed.tbs_certificate.issuer.to_string()
    }

    /// The serial number as lower-case hexadecimal.
    pub fn serial_hex(&self) -> String {
        hex(self.parsed.tbs_certificate.serial_number.as_bytes())
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> SystemTime {
        self.parsed.tbs_certificate.validity.not_before.to_system_time()
    }

    /// End of the validity period.
    pub fn not_after(&self) -> SystemTime {
        self.parsed.tbs_certificate.validity.not_after.to_system_time()
    }

    /// SHA-256 of the DER encoding (the certificate's fingerprint).
    pub fn sha256(&self) -> [u8; 32] {
        crate::digest::sha256(&self.der)
    }

    pub(crate) fn inner(&self) -> &x509_cert::Certificate {
        &self.parsed
    }

    /// The raw subjectPublicKey bits (RSAPublicKey DER or an EC point).
    pub(crate) fn public_key_bytes(&self) -> &[u8] {
        self.parsed
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("serial", &self.serial_hex())
            .finish()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
