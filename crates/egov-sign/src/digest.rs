//! Document digests.

use std::io::Read;

use aws_lc_rs::digest;
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;

use crate::Error;

/// A SHA-256 digest of a document, computed once and handed to the signer.
///
/// ```
/// use egov_sign::Sha256Digest;
/// let d = Sha256Digest::of(b"abc");
/// assert_eq!(d.as_bytes()[0], 0xba);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// Hashes a byte slice.
    pub fn of(data: &[u8]) -> Self {
        Sha256Digest(sha256(data))
    }

    /// Hashes everything a reader yields (large files in constant memory).
    ///
    /// # Errors
    /// The reader's I/O error.
    pub fn from_reader(mut reader: impl Read) -> std::io::Result<Self> {
        let mut ctx = digest::Context::new(&digest::SHA256);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            ctx.update(&buf[..n]);
        }
        Ok(Sha256Digest(to_array(ctx.finish().as_ref())))
    }

    /// Wraps a digest computed elsewhere (e.g. the hash of a PDF byte range).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Sha256Digest(bytes)
    }

    /// The 32 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    to_array(digest::digest(&digest::SHA256, data).as_ref())
}

fn to_array(d: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&d[..32]);
    out
}

/// The digest algorithms accepted in signatures we verify.
pub(crate) fn algorithm_for(
    oid: &ObjectIdentifier,
    what: &'static str,
) -> Result<&'static digest::Algorithm, Error> {
    match *oid {
        rfc5912::ID_SHA_256 => Ok(&digest::SHA256),
        rfc5912::ID_SHA_384 => Ok(&digest::SHA384),
        rfc5912::ID_SHA_512 => Ok(&digest::SHA512),
        _ => Err(Error::UnsupportedAlgorithm {
            what,
            oid: oid.to_string(),
        }),
    }
}

/// SHA-256 over several slices.
pub(crate) fn sha256_parts(parts: &[&[u8]]) -> [u8; 32] {
    to_array(&digest_parts(&digest::SHA256, parts))
}

/// Digest over several slices (the two byte ranges of a PDF signature).
pub(crate) fn digest_parts(alg: &'static digest::Algorithm, parts: &[&[u8]]) -> Vec<u8> {
    let mut ctx = digest::Context::new(alg);
    for p in parts {
        ctx.update(p);
    }
    ctx.finish().as_ref().to_vec()
}
