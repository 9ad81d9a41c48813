//! The crate's error type.

/// Everything that can go wrong while loading keys, signing or verifying.
///
/// Verification failures are errors too: a signature is valid only when
/// verification returns `Ok`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A PEM block or key could not be read.
    #[error("cannot read {what}: {reason}")]
    Key {
        /// What was being read (e.g. "private key PEM").
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// A certificate could not be parsed.
    #[error("cannot parse certificate {index} of {what}: {reason}")]
    Certificate {
        /// Where the certificate came from (e.g. "certificate PEM").
        what: &'static str,
        /// Position of the certificate in its list, starting at 0.
        index: usize,
        /// Why it failed.
        reason: String,
    },
    /// The private key does not belong to the signer certificate.
    #[error("the private key does not match the public key of certificate {subject}")]
    KeyCertificateMismatch {
        /// Subject of the certificate.
        subject: String,
    },
    /// The private-key operation failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// A DER structure could not be decoded or encoded.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// The structure (e.g. "ContentInfo", "signing-certificate-v2 attribute").
        what: &'static str,
        /// The decoder's message, with the position it stopped at.
        reason: String,
    },
    /// An algorithm (by OID) that this crate does not support.
    #[error("unsupported {what}: {oid}")]
    UnsupportedAlgorithm {
        /// Which algorithm slot (e.g. "digest algorithm").
        what: &'static str,
        /// The dotted OID.
        oid: String,
    },
    /// The CMS has no signer, or the signer's certificate is not in it.
    #[error("signer {index}: {reason}")]
    Signer {
        /// Index of the SignerInfo.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A required signed attribute is missing or present more than once.
    #[error("signer {index}: signed attribute {attribute} {problem}")]
    Attribute {
        /// Index of the SignerInfo.
        index: usize,
        /// Attribute name (e.g. "message-digest").
        attribute: &'static str,
        /// "missing", "repeated", "does not match" …
        problem: &'static str,
    },
    /// The digest of the content differs from the signed message-digest:
    /// the content was changed after signing.
    #[error("signer {index}: content digest does not match the signed message-digest")]
    DigestMismatch {
        /// Index of the SignerInfo.
        index: usize,
    },
    /// The signature value does not verify with the signer certificate's key.
    #[error("signer {index}: the signature value is invalid for certificate {subject}")]
    SignatureInvalid {
        /// Index of the SignerInfo.
        index: usize,
        /// Subject of the certificate used.
        subject: String,
    },
    /// No chain to a given trust anchor.
    #[error("certificate chain of {subject}: {reason}")]
    Untrusted {
        /// Subject of the certificate where path building stopped.
        subject: String,
        /// Why.
        reason: String,
    },
    /// A time-stamp could not be obtained or does not fit the signature.
    #[error("time-stamp: {0}")]
    TimeStamp(String),
    /// A PDF could not be signed or verified.
    #[error("PDF: {0}")]
    Pdf(String),
}

impl Error {
    pub(crate) fn malformed(what: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Malformed {
            what,
            reason: e.to_string(),
        }
    }
}
