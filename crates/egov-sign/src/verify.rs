//! Verifying detached CMS/CAdES signatures.

use std::time::SystemTime;

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::OctetString;
use der::{Any, Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Time;

use crate::digest::{algorithm_for, digest_parts};
use crate::ess::SigningCertificateV2;
use crate::tsp::{ID_AA_SIGNATURE_TIME_STAMP_TOKEN, TimestampReport, verify_token};
use crate::{Certificate, Error};

/// Longest certificate path (signer to anchor) that is followed.
const MAX_PATH: usize = 8;

/// What [`verify_detached`] checks besides integrity.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    trust_anchors: Vec<Certificate>,
    extra_certificates: Vec<Certificate>,
    time: Option<SystemTime>,
    require_signing_certificate: bool,
}

impl VerifyOptions {
    /// Verify against these trust anchors (root certificates, or directly
    /// trusted signer certificates). With an empty list the chain is not
    /// checked and [`SignerReport::trust`] is [`Trust::NotChecked`].
    ///
    /// By default the certificates are checked at the current time and the
    /// ESS signing-certificate-v2 attribute is required (CAdES).
    pub fn new(trust_anchors: Vec<Certificate>) -> Self {
        VerifyOptions {
            trust_anchors,
            extra_certificates: Vec::new(),
            time: None,
            require_signing_certificate: true,
        }
    }

    /// Intermediate certificates to use for path building when the signature does not carry them.
    #[must_use]
    pub fn extra_certificates(mut self, certs: Vec<Certificate>) -> Self {
        self.extra_certificates = certs;
        self
    }

    /// Check certificate validity at this time instead of now.
    #[must_use]
    pub fn at(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Accept signatures without ESS signing-certificate(-v2) (plain CMS, e.g.
    /// `openssl cms -sign` without `-cades`). A present attribute is always checked.
    #[must_use]
    pub fn allow_missing_signing_certificate(mut self) -> Self {
        self.require_signing_certificate = false;
        self
    }
}

/// Result of a successful verification.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CmsReport {
    /// One entry per SignerInfo, in the order of the CMS.
    pub signers: Vec<SignerReport>,
}

/// What was established about one signer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignerReport {
    /// The certificate whose key verified the signature.
    pub certificate: Certificate,
    /// Signature algorithm OID (dotted), e.g. `1.2.840.113549.1.1.11`.
    pub signature_algorithm: String,
    /// The signing-time attribute: the signer's claim, not a trusted time.
    pub claimed_signing_time: Option<SystemTime>,
    /// Whether an ESS signing-certificate-v2 attribute was present (and matched).
    pub signing_certificate_v2: bool,
    /// The outcome of path building.
    pub trust: Trust,
    /// The verified signature time-stamp (unsigned attribute id-aa-signatureTimeStampToken,
    /// CAdES/PAdES B-T), if present. A present but invalid token fails verification.
    pub signature_timestamp: Option<TimestampReport>,
}

/// Outcome of chain building for a signer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trust {
    /// No trust anchors were given.
    NotChecked,
    /// A path to a trust anchor was found; subjects from the signer to the anchor.
    Anchored {
        /// Subjects, signer first, anchor last.
        path: Vec<String>,
    },
}

/// Verifies a DER-encoded detached CMS signature over `content`.
///
/// Every SignerInfo must pass: content-type and message-digest attributes
/// present and matching, the signature value valid for the signer
/// certificate's key, signing-certificate-v2 (if present, or required by the
/// options) matching that certificate, key usage allowing signatures, and,
/// when trust anchors are given, a certificate path to one of them that is
/// valid at the verification time. Revocation is not checked yet.
///
/// # Errors
/// The first failed check, as a typed [`Error`].
pub fn verify_detached(p7s: &[u8], content: &[u8], options: &VerifyOptions) -> Result<CmsReport, Error> {
    verify_parts(p7s, &[content], options)
}

/// As [`verify_detached`], with the content given as consecutive slices.
pub(crate) fn verify_parts(p7s: &[u8], parts: &[&[u8]], options: &VerifyOptions) -> Result<CmsReport, Error> {
    let sd = decode_signed_data(p7s)?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(Error::Malformed {
            what: "SignedData",
            reason: "the content is attached; a detached signature was expected".into(),
        });
    }
    verify_signed_data(&sd, parts, options)
}

/// Decodes a DER ContentInfo holding SignedData.
pub(crate) fn decode_signed_data(der: &[u8]) -> Result<SignedData, Error> {
    let ci = ContentInfo::from_der(der).map_err(|e| Error::malformed("ContentInfo", e))?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(Error::Malformed {
            what: "ContentInfo",
            reason: format!("content type {} is not signed-data", ci.content_type),
        });
    }
    ci.content
        .decode_as()
        .map_err(|e| Error::malformed("SignedData", e))
}

/// Verifies every SignerInfo of `sd` over the content `parts`.
pub(crate) fn verify_signed_data(
    sd: &SignedData,
    parts: &[&[u8]],
    options: &VerifyOptions,
) -> Result<CmsReport, Error> {
    let mut pool = Vec::new();
    if let Some(set) = &sd.certificates {
        for choice in set.0.iter() {
            if let CertificateChoices::Certificate(c) = choice {
                pool.push(Certificate::from_parsed(c.clone())?);
            }
        }
    }
    pool.extend(options.extra_certificates.iter().cloned());
    if sd.signer_infos.0.is_empty() {
        return Err(Error::Signer {
            index: 0,
            reason: "the CMS has no SignerInfo".into(),
        });
    }
    let econtent_type = sd.encap_content_info.econtent_type;
    let time = options.time.unwrap_or_else(SystemTime::now);
    let signers = sd
        .signer_infos
        .0
        .iter()
        .enumerate()
        .map(|(index, si)| verify_signer(index, si, econtent_type, parts, &pool, options, time))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CmsReport { signers })
}

fn verify_signer(
    index: usize,
    si: &SignerInfo,
    econtent_type: ObjectIdentifier,
    parts: &[&[u8]],
    pool: &[Certificate],
    options: &VerifyOptions,
    time: SystemTime,
) -> Result<SignerReport, Error> {
    let cert = find_signer_cert(index, &si.sid, pool)?;
    let digest_alg = algorithm_for(&si.digest_alg.oid, "digest algorithm")?;
    let Some(attrs) = &si.signed_attrs else {
        return Err(Error::Signer {
            index,
            reason: "no signed attributes (required by CAdES)".into(),
        });
    };
    let single = |oid: ObjectIdentifier, attribute: &'static str| -> Result<Option<&Any>, Error> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        let Some(a) = found.next() else { return Ok(None) };
        if found.next().is_some() || a.values.len() != 1 {
            return Err(Error::Attribute {
                index,
                attribute,
                problem: "is repeated",
            });
        }
        Ok(a.values.iter().next())
    };
    let missing = |attribute: &'static str| Error::Attribute {
        index,
        attribute,
        problem: "is missing",
    };
    let bad = |attribute: &'static str| Error::Attribute {
        index,
        attribute,
        problem: "cannot be decoded",
    };

    let ct: ObjectIdentifier = single(rfc5911::ID_CONTENT_TYPE, "content-type")?
        .ok_or_else(|| missing("content-type"))?
        .decode_as()
        .map_err(|_| bad("content-type"))?;
    if ct != econtent_type {
        return Err(Error::Attribute {
            index,
            attribute: "content-type",
            problem: "does not match eContentType",
        });
    }
    let md: OctetString = single(rfc5911::ID_MESSAGE_DIGEST, "message-digest")?
        .ok_or_else(|| missing("message-digest"))?
        .decode_as()
        .map_err(|_| bad("message-digest"))?;
    if md.as_bytes() != digest_parts(digest_alg, parts).as_slice() {
        return Err(Error::DigestMismatch { index });
    }
    let claimed_signing_time = single(rfc5911::ID_SIGNING_TIME, "signing-time")?
        .map(|a| {
            a.to_der()
                .and_then(|d| Time::from_der(&d))
                .map_err(|_| bad("signing-time"))
        })
        .transpose()?
        .map(|t| t.to_system_time());

    // The signature covers the DER SET OF the signed attributes (RFC 5652 §5.4).
    let signed_bytes = attrs
        .to_der()
        .map_err(|e| Error::malformed("signed attributes", e))?;
    let spki = &cert.inner().tbs_certificate.subject_public_key_info;
    let alg = verification_algorithm(spki, &si.signature_algorithm.oid, Some(&si.digest_alg.oid))?;
    UnparsedPublicKey::new(alg, cert.public_key_bytes())
        .verify(&signed_bytes, si.signature.as_bytes())
        .map_err(|_| Error::SignatureInvalid {
            index,
            subject: cert.subject(),
        })?;

    let signing_certificate_v2 =
        match single(rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, "signing-certificate-v2")? {
            Some(any) => {
                let ess: SigningCertificateV2 = any.decode_as().map_err(|_| bad("signing-certificate-v2"))?;
                check_ess(index, &ess, cert)?;
                true
            }
            None if options.require_signing_certificate => return Err(missing("signing-certificate-v2")),
            None => false,
        };

    check_key_usage(cert)?;
    let signature_timestamp = match si
        .unsigned_attrs
        .as_ref()
        .and_then(|u| u.iter().find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN))
    {
        Some(attr) => {
            let token = attr.values.iter().next().ok_or(Error::Attribute {
                index,
                attribute: "signature-time-stamp",
                problem: "is empty",
            })?;
            let der = token
                .to_der()
                .map_err(|e| Error::malformed("signature time-stamp", e))?;
            Some(verify_token(&der, si.signature.as_bytes(), options)?)
        }
        None => None,
    };
    let trust = if options.trust_anchors.is_empty() {
        Trust::NotChecked
    } else {
        Trust::Anchored {
            path: build_path(cert, pool, &options.trust_anchors, time)?,
        }
    };
    Ok(SignerReport {
        certificate: cert.clone(),
        signature_algorithm: si.signature_algorithm.oid.to_string(),
        claimed_signing_time,
        signing_certificate_v2,
        trust,
        signature_timestamp,
    })
}

fn find_signer_cert<'a>(
    index: usize,
    sid: &SignerIdentifier,
    pool: &'a [Certificate],
) -> Result<&'a Certificate, Error> {
    pool.iter()
        .find(|c| {
            let tbs = &c.inner().tbs_certificate;
            match sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    ias.issuer == tbs.issuer && ias.serial_number == tbs.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    matches!(tbs.get::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
                }
            }
        })
        .ok_or_else(|| Error::Signer {
            index,
            reason: "the signer certificate is not in the CMS".into(),
        })
}

/// The first ESSCertIDv2 identifies the signing certificate (RFC 5035 §3).
fn check_ess(index: usize, ess: &SigningCertificateV2, cert: &Certificate) -> Result<(), Error> {
    let mismatch = Error::Attribute {
        index,
        attribute: "signing-certificate-v2",
        problem: "does not match the signer certificate",
    };
    let Some(first) = ess.certs.first() else {
        return Err(mismatch);
    };
    let alg = match &first.hash_algorithm {
        None => &aws_lc_rs::digest::SHA256,
        Some(a) => algorithm_for(&a.oid, "signing-certificate-v2 hash algorithm")?,
    };
    if first.cert_hash.as_bytes() != digest_parts(alg, &[cert.der()]).as_slice() {
        return Err(mismatch);
    }
    if let Some(is) = &first.issuer_serial {
        let tbs = &cert.inner().tbs_certificate;
        let issuer_ok = is
            .issuer
            .iter()
            .any(|g| matches!(g, GeneralName::DirectoryName(n) if *n == tbs.issuer));
        if !issuer_ok || is.serial_number != tbs.serial_number {
            return Err(mismatch);
        }
    }
    Ok(())
}

pub(crate) fn check_key_usage(cert: &Certificate) -> Result<(), Error> {
    match cert.inner().tbs_certificate.get::<KeyUsage>() {
        Ok(Some((_, ku))) if !(ku.digital_signature() || ku.non_repudiation()) => Err(Error::Untrusted {
            subject: cert.subject(),
            reason: "key usage allows neither digitalSignature nor nonRepudiation".into(),
        }),
        Ok(_) => Ok(()),
        Err(e) => Err(Error::malformed("key usage extension", e)),
    }
}

/// Picks the aws-lc-rs verification algorithm from the key type and the signature algorithm.
fn verification_algorithm(
    spki: &SubjectPublicKeyInfoOwned,
    sig_oid: &ObjectIdentifier,
    digest_oid: Option<&ObjectIdentifier>,
) -> Result<&'static dyn VerificationAlgorithm, Error> {
    let unsupported = || Error::UnsupportedAlgorithm {
        what: "signature algorithm",
        oid: sig_oid.to_string(),
    };
    match spki.algorithm.oid {
        rfc5912::RSA_ENCRYPTION => {
            // `rsaEncryption` as signature algorithm (OpenSSL does this in CMS) takes the hash from digestAlgorithm.
            let hash = match (*sig_oid, digest_oid) {
                (rfc5912::SHA_256_WITH_RSA_ENCRYPTION, _) => rfc5912::ID_SHA_256,
                (rfc5912::SHA_384_WITH_RSA_ENCRYPTION, _) => rfc5912::ID_SHA_384,
                (rfc5912::SHA_512_WITH_RSA_ENCRYPTION, _) => rfc5912::ID_SHA_512,
                (rfc5912::RSA_ENCRYPTION, Some(d)) => *d,
                _ => return Err(unsupported()),
            };
            match hash {
                rfc5912::ID_SHA_256 => Ok(&sig::RSA_PKCS1_2048_8192_SHA256),
                rfc5912::ID_SHA_384 => Ok(&sig::RSA_PKCS1_2048_8192_SHA384),
                rfc5912::ID_SHA_512 => Ok(&sig::RSA_PKCS1_2048_8192_SHA512),
                _ => Err(unsupported()),
            }
        }
        rfc5912::ID_EC_PUBLIC_KEY => {
            let curve: ObjectIdentifier = spki
                .algorithm
                .parameters
                .as_ref()
                .ok_or_else(|| Error::malformed("EC public key", "missing curve parameter"))?
                .decode_as()
                .map_err(|e| Error::malformed("EC public key curve", e))?;
            match (curve, *sig_oid) {
                (rfc5912::SECP_256_R_1, rfc5912::ECDSA_WITH_SHA_256) => Ok(&sig::ECDSA_P256_SHA256_ASN1),
                (rfc5912::SECP_256_R_1, rfc5912::ECDSA_WITH_SHA_384) => Ok(&sig::ECDSA_P256_SHA384_ASN1),
                (rfc5912::SECP_384_R_1, rfc5912::ECDSA_WITH_SHA_256) => Ok(&sig::ECDSA_P384_SHA256_ASN1),
                (rfc5912::SECP_384_R_1, rfc5912::ECDSA_WITH_SHA_384) => Ok(&sig::ECDSA_P384_SHA384_ASN1),
                _ => Err(unsupported()),
            }
        }
        other => Err(Error::UnsupportedAlgorithm {
            what: "public key algorithm",
            oid: other.to_string(),
        }),
    }
}

/// Whether `issuer` signed `cert`.
fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let c = cert.inner();
    if c.tbs_certificate.issuer != issuer.inner().tbs_certificate.subject {
        return false;
    }
    let Ok(alg) = verification_algorithm(
        &issuer.inner().tbs_certificate.subject_public_key_info,
        &c.signature_algorithm.oid,
        None,
    ) else {
        return false;
    };
    let Ok(tbs) = c.tbs_certificate.to_der() else {
        return false;
    };
    UnparsedPublicKey::new(alg, issuer.public_key_bytes())
        .verify(&tbs, c.signature.raw_bytes())
        .is_ok()
}

fn is_ca(cert: &Certificate) -> bool {
    matches!(cert.inner().tbs_certificate.get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
}

fn check_validity(cert: &Certificate, time: SystemTime) -> Result<(), Error> {
    if time < cert.not_before() || time > cert.not_after() {
        return Err(Error::Untrusted {
            subject: cert.subject(),
            reason: "the certificate is not valid at the verification time".into(),
        });
    }
    Ok(())
}

/// Builds a path from `leaf` through `pool` to one of `anchors`.
fn build_path(
    leaf: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    time: SystemTime,
) -> Result<Vec<String>, Error> {
    let mut path = vec![leaf.subject()];
    let mut current = leaf;
    for _ in 0..MAX_PATH {
        check_validity(current, time)?;
        if anchors.iter().any(|a| a.der() == current.der()) {
            return Ok(path);
        }
        if let Some(anchor) = anchors.iter().find(|a| issued_by(current, a)) {
            check_validity(anchor, time)?;
            path.push(anchor.subject());
            return Ok(path);
        }
        let Some(next) = pool
            .iter()
            .find(|c| c.der() != current.der() && is_ca(c) && issued_by(current, c))
        else {
            return Err(Error::Untrusted {
                subject: current.subject(),
                reason: "no issuer certificate leads to a trust anchor".into(),
            });
        };
        path.push(next.subject());
        current = next;
    }
    Err(Error::Untrusted {
        subject: leaf.subject(),
        reason: format!("no anchor within {MAX_PATH} certificates"),
    })
}
