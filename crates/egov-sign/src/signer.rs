//! The [`Signer`] trait and the software-key backend.

use std::fmt;

use async_trait::async_trait;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, KeyPair};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::Any;
use der::asn1::Null;
use x509_cert::spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::{Certificate, Error};

/// The signature algorithms this crate creates and verifies.
///
/// The hash is always SHA-256.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (`sha256WithRSAEncryption`), keys of 2048 bits or more.
    RsaPkcs1Sha256,
    /// ECDSA on NIST P-256 with SHA-256 (`ecdsa-with-SHA256`), DER-encoded signature value.
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// The signature algorithm OID written into the SignerInfo.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            SignatureAlgorithm::RsaPkcs1Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            SignatureAlgorithm::EcdsaP256Sha256 => rfc5912::ECDSA_WITH_SHA_256,
        }
    }

    /// The AlgorithmIdentifier (with a NULL parameter for RSA as RFC 4055 asks, none for ECDSA).
    pub(crate) fn algorithm_identifier(self) -> Result<AlgorithmIdentifierOwned, Error> {
        let parameters = match self {
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                Some(Any::encode_from(&Null).map_err(|e| Error::malformed("algorithm identifier", e))?)
            }
            SignatureAlgorithm::EcdsaP256Sha256 => None,
        };
        Ok(AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters,
        })
    }
}

/// Something that holds (or controls) a private key and produces signatures.
///
/// [`sign`](Signer::sign) receives the bytes to be signed, which for CMS are
/// the DER-encoded signed attributes (a few hundred bytes): backends that can
/// only sign hashes (CSC `signHash`, PKCS#11 raw mechanisms) hash them with
/// SHA-256 themselves. The call is `async` so that remote and HSM backends fit.
#[async_trait]
pub trait Signer: Send + Sync {
    /// The signer's own certificate.
    fn certificate(&self) -> &Certificate;

    /// Further certificates to embed (intermediate CAs, optionally the root), signer first excluded.
    fn chain(&self) -> &[Certificate];

    /// The algorithm [`sign`](Signer::sign) uses.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// Signs `data` and returns the signature value as it goes into the
    /// SignerInfo (RSA: the modulus-sized value; ECDSA: DER `Ecdsa-Sig-Value`).
    ///
    /// # Errors
    /// [`Error::Signing`] when the key operation fails.
    async fn sign(&self, data: &[u8]) -> Result<Vec<u8>, Error>;
}

enum KeyKind {
    Rsa(sig::RsaKeyPair),
    EcdsaP256(sig::EcdsaKeyPair),
}

/// A private key in memory (PKCS#8 PEM) with its certificate chain.
///
/// For tests, development and low-volume seals; production seal keys belong in
/// an HSM or with a trust service provider. The key operation runs in
/// aws-lc-rs. `Debug` shows the algorithm and the certificate subject, never
/// key material.
///
/// ```
/// # fn demo(key_pem: &str, certs_pem: &str) -> Result<(), egov_sign::Error> {
/// let signer = egov_sign::SoftwareKey::from_pem(key_pem.as_bytes(), certs_pem.as_bytes())?;
/// # Ok(()) }
/// ```
pub struct SoftwareKey {
    key: KeyKind,
    certificate: Certificate,
    chain: Vec<Certificate>,
    rng: SystemRandom,
}

impl SoftwareKey {
    /// Loads a private key and its certificates.
    ///
    /// `key_pem` holds one `PRIVATE KEY` block (PKCS#8, RSA ≥ 2048 bits or
    /// EC P-256) or an `RSA PRIVATE KEY` block (PKCS#1). `certs_pem` holds the
    /// signer certificate first, then any CA certificates to embed.
    ///
    /// # Errors
    /// [`Error::Key`] for an unreadable or unsupported key, [`Error::Certificate`]
    /// for bad certificates, [`Error::KeyCertificateMismatch`] when the key is not
    /// the certificate's.
    pub fn from_pem(key_pem: &[u8], certs_pem: &[u8]) -> Result<Self, Error> {
        let mut certs = Certificate::chain_from_pem(certs_pem)?;
        let certificate = certs.remove(0);
        let (label, der) = der::pem::decode_vec(key_pem).map_err(|e| Error::Key {
            what: "private key PEM",
            reason: e.to_string(),
        })?;
        let der = Zeroizing::new(der);
        let key = match label {
            "PRIVATE KEY" => {
                if let Ok(k) = sig::RsaKeyPair::from_pkcs8(&der) {
                    KeyKind::Rsa(k)
                } else {
                    sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, &der)
                        .map(KeyKind::EcdsaP256)
                        .map_err(|e| Error::Key {
                            what: "PKCS#8 private key",
                            reason: format!("neither RSA (>= 2048 bits) nor EC P-256: {e}"),
                        })?
                }
            }
            "RSA PRIVATE KEY" => KeyKind::Rsa(sig::RsaKeyPair::from_der(&der).map_err(|e| Error::Key {
                what: "PKCS#1 RSA private key",
                reason: e.to_string(),
            })?),
            other => {
                return Err(Error::Key {
                    what: "private key PEM",
                    reason: format!("label {other:?} not supported (use PKCS#8 \"PRIVATE KEY\")"),
                });
            }
        };
        let public = match &key {
            KeyKind::Rsa(k) => k.public_key().as_ref().to_vec(),
            KeyKind::EcdsaP256(k) => k.public_key().as_ref().to_vec(),
        };
        if public != certificate.public_key_bytes() {
            return Err(Error::KeyCertificateMismatch {
                subject: certificate.subject(),
            });
        }
        Ok(SoftwareKey {
            key,
            certificate,
            chain: certs,
            rng: SystemRandom::new(),
        })
    }

    fn sign_now(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        match &self.key {
            KeyKind::Rsa(k) => {
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign(&sig::RSA_PKCS1_SHA256, &self.rng, data, &mut out)
                    .map_err(|e| Error::Signing(e.to_string()))?;
                Ok(out)
            }
            KeyKind::EcdsaP256(k) => k
                .sign(&self.rng, data)
                .map(|s| s.as_ref().to_vec())
                .map_err(|e| Error::Signing(e.to_string())),
        }
    }
}

#[async_trait]
impl Signer for SoftwareKey {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.key {
            KeyKind::Rsa(_) => SignatureAlgorithm::RsaPkcs1Sha256,
            KeyKind::EcdsaP256(_) => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    async fn sign(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_now(data)
    }
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("algorithm", &self.algorithm())
            .field("certificate", &self.certificate.subject())
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn rsa_identifier_has_null_parameter_ecdsa_none() {
        let rsa = SignatureAlgorithm::RsaPkcs1Sha256
            .algorithm_identifier()
            .unwrap()
            .to_der()
            .unwrap();
        assert!(rsa.ends_with(&[0x05, 0x00]), "{rsa:02x?}");
        let ec = SignatureAlgorithm::EcdsaP256Sha256
            .algorithm_identifier()
            .unwrap()
            .to_der()
            .unwrap();
        // SEQUENCE { OID 1.2.840.10045.4.3.2 } and nothing else
        assert_eq!(
            ec,
            [
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
            ]
        );
    }
}
