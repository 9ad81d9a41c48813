//! Creating detached CMS/CAdES signatures.

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier, SignerInfo,
    SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::{Any, Encode};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;

use crate::ess::{EssCertIdV2, IssuerSerial, SigningCertificateV2};
use crate::{Error, Sha256Digest, Signer};

/// Whether and which signing-time attribute to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SigningTime {
    /// The current system time (CAdES B-B for files).
    #[default]
    Now,
    /// A given time (reproducible output, tests).
    At(SystemTime),
    /// No signing-time attribute: PAdES B-B forbids it (the time goes into the PDF `/M`).
    Omit,
}

/// Options for [`sign_detached`] and [`sign_detached_digest`].
#[derive(Clone, Debug)]
pub struct CadesOptions {
    signing_time: SigningTime,
    include_chain: bool,
}

impl Default for CadesOptions {
    fn default() -> Self {
        CadesOptions {
            signing_time: SigningTime::Now,
            include_chain: true,
        }
    }
}

impl CadesOptions {
    /// CAdES defaults: signing-time now, signer certificate and chain embedded.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the signing-time attribute policy.
    #[must_use]
    pub fn signing_time(mut self, signing_time: SigningTime) -> Self {
        self.signing_time = signing_time;
        self
    }

    /// Whether the signer's further certificates ([`Signer::chain`]) are embedded (default yes).
    /// The signer certificate itself is always embedded.
    #[must_use]
    pub fn include_chain(mut self, include: bool) -> Self {
        self.include_chain = include;
        self
    }
}

/// Signs `content` and returns a DER-encoded detached CMS SignedData (`.p7s`).
///
/// Signed attributes: content-type (id-data), signing-time (per options),
/// message-digest (SHA-256) and ESS signing-certificate-v2 with the signer
/// certificate's SHA-256 hash and issuer/serial: the attribute set of CAdES
/// `ETSI.CAdES.detached` baseline B-B.
///
/// # Errors
/// [`Error::Signing`] from the signer or for a certificate outside its validity
/// period, [`Error::Malformed`] if encoding fails.
pub async fn sign_detached(
    signer: &dyn Signer,
    content: &[u8],
    options: &CadesOptions,
) -> Result<Vec<u8>, Error> {
    sign_detached_digest(signer, &Sha256Digest::of(content), options).await
}

/// Like [`sign_detached`], for content already hashed with SHA-256 (large
/// files via [`Sha256Digest::from_reader`], PDF byte ranges).
///
/// # Errors
/// As [`sign_detached`].
pub async fn sign_detached_digest(
    signer: &dyn Signer,
    digest: &Sha256Digest,
    options: &CadesOptions,
) -> Result<Vec<u8>, Error> {
    sign_digest(signer, digest, rfc5911::ID_DATA, None, options).await
}

/// Builds a SignedData over `digest` with eContentType `econtent_type`; `econtent` is embedded
/// when given (time-stamp tokens), otherwise the signature is detached.
pub(crate) async fn sign_digest(
    signer: &dyn Signer,
    digest: &Sha256Digest,
    econtent_type: ObjectIdentifier,
    econtent: Option<Vec<u8>>,
    options: &CadesOptions,
) -> Result<Vec<u8>, Error> {
    let cert = signer.certificate();
    let now = SystemTime::now();
    let signing_time = match options.signing_time {
        SigningTime::Now => Some(now),
        SigningTime::At(t) => Some(t),
        SigningTime::Omit => None,
    };
    let check_time = signing_time.unwrap_or(now);
    if check_time < cert.not_before() || check_time > cert.not_after() {
        return Err(Error::Signing(format!(
            "certificate {} is not valid at the signing time",
            cert.subject()
        )));
    }
    let enc = |what: &'static str| move |e: der::Error| Error::malformed(what, e);
    let tbs_cert = &cert.inner().tbs_certificate;

    let mut attrs = vec![
        attribute(
            rfc5911::ID_CONTENT_TYPE,
            Any::encode_from(&econtent_type).map_err(enc("content-type"))?,
        )?,
        attribute(
            rfc5911::ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.as_bytes().to_vec()).map_err(enc("message-digest"))?)
                .map_err(enc("message-digest"))?,
        )?,
    ];
    if let Some(t) = signing_time {
        let time = Time::UtcTime(UtcTime::from_system_time(t).map_err(enc("signing-time"))?);
        attrs.push(attribute(
            rfc5911::ID_SIGNING_TIME,
            Any::encode_from(&time).map_err(enc("signing-time"))?,
        )?);
    }
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(cert.sha256().to_vec()).map_err(enc("signing-certificate-v2"))?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs_cert.issuer.clone())],
                serial_number: tbs_cert.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    attrs.push(attribute(
        rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
        Any::encode_from(&ess).map_err(enc("signing-certificate-v2"))?,
    )?);
    let signed_attrs = SignedAttributes::try_from(attrs).map_err(enc("signed attributes"))?;

    // RFC 5652 §5.4: the signature covers the DER encoding of the SET OF attributes.
    let to_be_signed = signed_attrs.to_der().map_err(enc("signed attributes"))?;
    let signature = signer.sign(&to_be_signed).await?;

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs_cert.issuer.clone(),
            serial_number: tbs_cert.serial_number.clone(),
        }),
        digest_alg: sha256_id(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signer.algorithm().algorithm_identifier()?,
        signature: OctetString::new(signature).map_err(enc("signature value"))?,
        unsigned_attrs: None,
    };

    let mut certs = vec![CertificateChoices::Certificate(cert.inner().clone())];
    if options.include_chain {
        certs.extend(
            signer
                .chain()
                .iter()
                .map(|c| CertificateChoices::Certificate(c.inner().clone())),
        );
    }
    let econtent = econtent
        .map(|c| {
            OctetString::new(c)
                .and_then(|o| Any::encode_from(&o))
                .map_err(enc("eContent"))
        })
        .transpose()?;
    let signed_data = SignedData {
        // RFC 5652 §5.1: version 3 when eContentType is not id-data.
        version: if econtent_type == rfc5911::ID_DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        },
        digest_algorithms: SetOfVec::try_from(vec![sha256_id()]).map_err(enc("digest algorithms"))?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type,
            econtent,
        },
        certificates: Some(CertificateSet::try_from(certs).map_err(enc("certificates"))?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(enc("signer infos"))?,
    };
    let content_info = ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(enc("SignedData"))?,
    };
    content_info.to_der().map_err(enc("ContentInfo"))
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, Error> {
    let values = SetOfVec::try_from(vec![value]).map_err(|e| Error::malformed("attribute", e))?;
    Ok(Attribute { oid, values })
}

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: None,
    }
}
