//! RFC 3161 time-stamps: the signature time-stamp of CAdES/PAdES B-T, a client interface,
//! an HTTP client (feature `tsa`) and an in-process time-stamp authority for tests and development.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use async_trait::async_trait;
use cms::content_info::ContentInfo;
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5280, rfc5912};
use der::asn1::{GeneralizedTime, OctetString, Uint};
use der::{Any, Decode, Encode, Sequence};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::cades::{CadesOptions, SigningTime, sign_digest};
use crate::digest::{algorithm_for, digest_parts};
use crate::verify::{decode_signed_data, verify_signed_data};
use crate::{Certificate, Error, Sha256Digest, Signer, VerifyOptions};

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A; CAdES/PAdES B-T).
pub(crate) const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-ct-TSTInfo.
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// The policy the in-process TSA writes (a private test arc, not a real policy).
const LOCAL_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1.1");

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// `TimeStampReq` (RFC 3161 §2.4.1), without extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<Uint>,
    #[asn1(optional = "true")]
    cert_req: Option<bool>,
}

/// `PKIStatusInfo ::= SEQUENCE { status INTEGER, statusString SEQUENCE OF UTF8String OPTIONAL, failInfo BIT STRING OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PkiStatusInfo {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    #[asn1(optional = "true")]
    time_stamp_token: Option<ContentInfo>,
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER OPTIONAL, micros [1] INTEGER OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<u32>,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "IMPLICIT")]
    millis: Option<u16>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "IMPLICIT")]
    micros: Option<u16>,
}

/// `TSTInfo` (RFC 3161 §2.4.2); the `tsa` name and extensions are kept undecoded.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Uint,
    gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(optional = "true")]
    ordering: Option<bool>,
    #[asn1(optional = "true")]
    nonce: Option<Uint>,
    #[asn1(
        context_specific = "0",
        optional = "true",
        tag_mode = "EXPLICIT",
        constructed = "true"
    )]
    tsa: Option<Any>,
    #[asn1(
        context_specific = "1",
        optional = "true",
        tag_mode = "IMPLICIT",
        constructed = "true"
    )]
    extensions: Option<Vec<x509_cert::ext::Extension>>,
}

/// What a verified time-stamp token establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimestampReport {
    /// `genTime`: the TSA's time at which the data existed.
    pub time: SystemTime,
    /// The TSA certificate.
    pub tsa: Certificate,
}

/// A time-stamp authority: receives a DER `TimeStampReq`, returns a DER `TimeStampResp`.
///
/// [`LocalTsa`] answers in-process; with the `tsa` feature, `HttpTsa` posts to an RFC 3161
/// HTTP service (`application/timestamp-query`).
#[async_trait]
pub trait TimeStamper: Send + Sync {
    /// Sends the request and returns the response bytes.
    ///
    /// # Errors
    /// [`Error::TimeStamp`] when the service cannot be reached or answers with an HTTP error.
    async fn stamp(&self, request: &[u8]) -> Result<Vec<u8>, Error>;
}

fn tsp_err(reason: impl Into<String>) -> Error {
    Error::TimeStamp(reason.into())
}

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: None,
    }
}

/// Requests a time-stamp over `data` (for B-T: the SignerInfo signature value) and returns the
/// checked token (a DER ContentInfo).
pub(crate) async fn request_token(
    tsa: &dyn TimeStamper,
    data: &[u8],
    options: &VerifyOptions,
) -> Result<Vec<u8>, Error> {
    let mut nonce = [0u8; 8];
    aws_lc_rs::rand::fill(&mut nonce).map_err(|_| tsp_err("no randomness for the nonce"))?;
    nonce[0] &= 0x7f;
    let nonce = Uint::new(&nonce).map_err(|e| Error::malformed("nonce", e))?;
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: sha256_id(),
            hashed_message: OctetString::new(Sha256Digest::of(data).as_bytes().to_vec())
                .map_err(|e| Error::malformed("TimeStampReq", e))?,
        },
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: Some(true),
    };
    let resp_der = tsa
        .stamp(&req.to_der().map_err(|e| Error::malformed("TimeStampReq", e))?)
        .await?;
    let resp = TimeStampResp::from_der(&resp_der).map_err(|e| Error::malformed("TimeStampResp", e))?;
    if resp.status.status > 1 {
        return Err(tsp_err(format!(
            "the TSA refused: status {} {}",
            resp.status.status,
            resp.status.status_string.unwrap_or_default().join("; ")
        )));
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| tsp_err("the TSA granted but sent no token"))?
        .to_der()
        .map_err(|e| Error::malformed("time-stamp token", e))?;
    let (tst, _) = check_token(&token, data, options)?;
    if tst.nonce != Some(nonce) {
        return Err(tsp_err("the token's nonce differs from the request's"));
    }
    Ok(token)
}

/// Verifies a time-stamp token over `data`: the imprint, the TSA's CMS signature, the
/// id-kp-timeStamping extended key usage, and the TSA chain to the anchors at `genTime`.
///
/// # Errors
/// [`Error::TimeStamp`] for a token over other data or from a certificate not allowed to
/// time-stamp, and the CMS errors of [`crate::verify_detached`].
pub(crate) fn verify_token(
    token: &[u8],
    data: &[u8],
    options: &VerifyOptions,
) -> Result<TimestampReport, Error> {
    check_token(token, data, options).map(|(_, report)| report)
}

fn check_token(
    token: &[u8],
    data: &[u8],
    options: &VerifyOptions,
) -> Result<(TstInfo, TimestampReport), Error> {
    let sd = decode_signed_data(token)?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(tsp_err("the token does not hold a TSTInfo"));
    }
    let econtent: OctetString = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| tsp_err("the token has no content"))?
        .decode_as()
        .map_err(|e| Error::malformed("time-stamp token content", e))?;
    let tst = TstInfo::from_der(econtent.as_bytes()).map_err(|e| Error::malformed("TSTInfo", e))?;
    let alg = algorithm_for(
        &tst.message_imprint.hash_algorithm.oid,
        "time-stamp imprint algorithm",
    )?;
    if tst.message_imprint.hashed_message.as_bytes() != digest_parts(alg, &[data]).as_slice() {
        return Err(tsp_err(
            "the time-stamp imprint does not match the signature value",
        ));
    }
    let time = tst.gen_time.to_system_time();
    // Tokens of common TSAs carry ESS signing-certificate (v1); check the chain at genTime.
    let token_options = options.clone().allow_missing_signing_certificate().at(time);
    let report = verify_signed_data(&sd, &[econtent.as_bytes()], &token_options)?;
    let signer = report
        .signers
        .into_iter()
        .next()
        .ok_or_else(|| tsp_err("the token has no signer"))?;
    let tsa = signer.certificate;
    match tsa.inner().tbs_certificate.get::<ExtendedKeyUsage>() {
        Ok(Some((_, eku))) if eku.0.contains(&rfc5280::ID_KP_TIME_STAMPING) => {}
        Ok(_) => {
            return Err(tsp_err(format!(
                "certificate {} is not allowed to time-stamp (no id-kp-timeStamping)",
                tsa.subject()
            )));
        }
        Err(e) => return Err(Error::malformed("extended key usage", e)),
    }
    Ok((tst, TimestampReport { time, tsa }))
}

/// Adds a signature time-stamp (B-T) to the first SignerInfo of a DER CMS.
pub(crate) async fn add_signature_timestamp(
    cms_der: &[u8],
    tsa: &dyn TimeStamper,
    options: &VerifyOptions,
) -> Result<Vec<u8>, Error> {
    let enc = |e: der::Error| Error::malformed("CMS with time-stamp", e);
    let mut ci = ContentInfo::from_der(cms_der).map_err(enc)?;
    let mut sd: cms::signed_data::SignedData = ci.content.decode_as().map_err(enc)?;
    let mut infos: Vec<cms::signed_data::SignerInfo> = sd.signer_infos.0.iter().cloned().collect();
    let first = infos
        .first_mut()
        .ok_or_else(|| tsp_err("the CMS has no signer"))?;
    let token = request_token(tsa, first.signature.as_bytes(), options).await?;
    let attr = x509_cert::attr::Attribute {
        oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        values: der::asn1::SetOfVec::try_from(vec![Any::from_der(&token).map_err(enc)?]).map_err(enc)?,
    };
    first.unsigned_attrs = Some(der::asn1::SetOfVec::try_from(vec![attr]).map_err(enc)?);
    sd.signer_infos = cms::signed_data::SignerInfos::try_from(infos).map_err(enc)?;
    ci.content = Any::encode_from(&sd).map_err(enc)?;
    ci.to_der().map_err(enc)
}

/// An in-process time-stamp authority: answers requests with tokens signed by its own key.
///
/// For tests and development (no clock synchronisation, no audit, serial numbers from a
/// counter). Its certificate needs the extended key usage id-kp-timeStamping.
///
/// ```
/// # fn demo(key_pem: &[u8], certs_pem: &[u8]) -> Result<(), egov_sign::Error> {
/// let tsa = egov_sign::LocalTsa::new(Box::new(egov_sign::SoftwareKey::from_pem(key_pem, certs_pem)?));
/// # let _ = tsa; Ok(()) }
/// ```
pub struct LocalTsa {
    signer: Box<dyn Signer>,
    serial: AtomicU64,
}

impl LocalTsa {
    /// A TSA that signs with `signer`.
    pub fn new(signer: Box<dyn Signer>) -> Self {
        LocalTsa {
            signer,
            serial: AtomicU64::new(1),
        }
    }
}

impl std::fmt::Debug for LocalTsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalTsa")
            .field("certificate", &self.signer.certificate().subject())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl TimeStamper for LocalTsa {
    async fn stamp(&self, request: &[u8]) -> Result<Vec<u8>, Error> {
        let req = TimeStampReq::from_der(request).map_err(|e| Error::malformed("TimeStampReq", e))?;
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let gen_time = GeneralizedTime::from_system_time(SystemTime::now())
            .map_err(|e| Error::malformed("genTime", e))?;
        let tst = TstInfo {
            version: 1,
            policy: req.req_policy.unwrap_or(LOCAL_POLICY),
            message_imprint: req.message_imprint,
            serial_number: Uint::new(&serial.to_be_bytes()).map_err(|e| Error::malformed("serial", e))?,
            gen_time,
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            ordering: None,
            nonce: req.nonce,
            tsa: None,
            extensions: None,
        };
        let tst_der = tst.to_der().map_err(|e| Error::malformed("TSTInfo", e))?;
        let token = sign_digest(
            self.signer.as_ref(),
            &Sha256Digest::of(&tst_der),
            ID_CT_TST_INFO,
            Some(tst_der),
            &CadesOptions::new().signing_time(SigningTime::Omit),
        )
        .await?;
        let resp = TimeStampResp {
            status: PkiStatusInfo {
                status: 0,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(ContentInfo::from_der(&token).map_err(|e| Error::malformed("token", e))?),
        };
        resp.to_der().map_err(|e| Error::malformed("TimeStampResp", e))
    }
}

/// An RFC 3161 time-stamp service over HTTP(S) (POST `application/timestamp-query`).
#[cfg(feature = "tsa")]
#[derive(Debug, Clone)]
pub struct HttpTsa {
    url: String,
    client: reqwest::Client,
}

#[cfg(feature = "tsa")]
impl HttpTsa {
    /// A client for the TSA at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        HttpTsa {
            url: url.into(),
            client: reqwest::Client::new(),
        }
    }
}

#[cfg(feature = "tsa")]
#[async_trait]
impl TimeStamper for HttpTsa {
    async fn stamp(&self, request: &[u8]) -> Result<Vec<u8>, Error> {
        let resp = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .body(request.to_vec())
            .send()
            .await
            .map_err(|e| tsp_err(format!("{}: {e}", self.url)))?;
        if !resp.status().is_success() {
            return Err(tsp_err(format!("{}: HTTP {}", self.url, resp.status())));
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| tsp_err(format!("{}: {e}", self.url)))?;
        Ok(body.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips_through_der() {
        let req = TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: sha256_id(),
                hashed_message: OctetString::new(vec![7u8; 32]).unwrap(),
            },
            req_policy: None,
            nonce: Some(Uint::new(&[1, 2, 3]).unwrap()),
            cert_req: Some(true),
        };
        let der = req.to_der().unwrap();
        assert_eq!(TimeStampReq::from_der(&der).unwrap(), req);
        assert_eq!(der[0], 0x30);
        // certReq TRUE is the last element
        assert!(der.ends_with(&[0x01, 0x01, 0xff]));
    }
}
