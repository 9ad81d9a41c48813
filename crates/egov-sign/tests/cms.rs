//! CAdES detached signatures: round trips and rejection cases against a test PKI made at test time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, SystemTime};

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Any, Decode, Encode};
use egov_sign::{
    CadesOptions, Certificate, Error, Sha256Digest, SignatureAlgorithm, Signer, SigningTime, SoftwareKey,
    Trust, VerifyOptions, sign_detached, sign_detached_digest, verify_detached,
};

const MESSAGE: &[u8] = b"<?xml version=\"1.0\"?><eCH-0058:header>Baugesuch 2026-17</eCH-0058:header>";

fn key(e: &common::Entity) -> SoftwareKey {
    SoftwareKey::from_pem(e.key_pem.as_bytes(), e.cert_pem.as_bytes()).unwrap()
}

fn anchors() -> Vec<Certificate> {
    Certificate::chain_from_pem(common::pki().root_pem.as_bytes()).unwrap()
}

fn opts() -> VerifyOptions {
    VerifyOptions::new(anchors())
}

/// Replaces the certificates of a CMS, keeping the SignerInfo as it is.
fn with_certificates(p7s: &[u8], pem: &str) -> Vec<u8> {
    let mut ci = ContentInfo::from_der(p7s).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    let certs = x509_cert::Certificate::load_pem_chain(pem.as_bytes()).unwrap();
    sd.certificates = Some(
        certs
            .into_iter()
            .map(CertificateChoices::Certificate)
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
    );
    ci.content = Any::encode_from(&sd).unwrap();
    ci.to_der().unwrap()
}

#[tokio::test]
async fn rsa_round_trip_reaches_the_root() {
    let signer = key(&common::pki().seal);
    assert_eq!(signer.algorithm(), SignatureAlgorithm::RsaPkcs1Sha256);
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_000_000);
    let p7s = sign_detached(
        &signer,
        MESSAGE,
        &CadesOptions::new().signing_time(SigningTime::At(t)),
    )
    .await
    .unwrap();
    let report = verify_detached(&p7s, MESSAGE, &opts()).unwrap();
    assert_eq!(report.signers.len(), 1);
    let s = &report.signers[0];
    assert_eq!(
        s.certificate.subject(),
        "CN=Gemeinde Musterdorf Siegel,O=Gemeinde Musterdorf,C=CH"
    );
    assert_eq!(s.signature_algorithm, "1.2.840.113549.1.1.11");
    assert!(s.signing_certificate_v2);
    assert_eq!(s.claimed_signing_time, Some(t));
    assert_eq!(
        s.trust,
        Trust::Anchored {
            path: vec![
                "CN=Gemeinde Musterdorf Siegel,O=Gemeinde Musterdorf,C=CH".into(),
                "CN=Test Kanton Root CA,O=Test Kanton Muster,C=CH".into()
            ]
        }
    );
}

#[tokio::test]
async fn p256_round_trip_and_digest_api_agree() {
    let signer = key(&common::pki().person);
    assert_eq!(signer.algorithm(), SignatureAlgorithm::EcdsaP256Sha256);
    let digest = Sha256Digest::from_reader(MESSAGE).unwrap();
    assert_eq!(digest, Sha256Digest::of(MESSAGE));
    let p7s = sign_detached_digest(&signer, &digest, &CadesOptions::new())
        .await
        .unwrap();
    let report = verify_detached(&p7s, MESSAGE, &opts()).unwrap();
    assert_eq!(report.signers[0].signature_algorithm, "1.2.840.10045.4.3.2");
    assert!(report.signers[0].claimed_signing_time.is_some());
}

#[tokio::test]
async fn pades_style_omits_signing_time_and_chain_is_optional() {
    let signer = key(&common::pki().seal);
    let opts_sign = CadesOptions::new()
        .signing_time(SigningTime::Omit)
        .include_chain(false);
    let p7s = sign_detached(&signer, MESSAGE, &opts_sign).await.unwrap();
    let report = verify_detached(&p7s, MESSAGE, &opts()).unwrap();
    assert_eq!(report.signers[0].claimed_signing_time, None);
    // no anchors: integrity only
    let report = verify_detached(&p7s, MESSAGE, &VerifyOptions::new(Vec::new())).unwrap();
    assert_eq!(report.signers[0].trust, Trust::NotChecked);
}

#[tokio::test]
async fn tampered_content_is_rejected() {
    for e in [&common::pki().seal, &common::pki().person] {
        let p7s = sign_detached(&key(e), MESSAGE, &CadesOptions::new())
            .await
            .unwrap();
        let mut changed = MESSAGE.to_vec();
        changed[60] ^= 0x01;
        let err = verify_detached(&p7s, &changed, &opts()).unwrap_err();
        assert!(matches!(err, Error::DigestMismatch { index: 0 }), "{err}");
        let err = verify_detached(&p7s, &MESSAGE[..MESSAGE.len() - 1], &opts()).unwrap_err();
        assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
    }
}

#[tokio::test]
async fn tampered_signature_value_is_rejected() {
    for e in [&common::pki().seal, &common::pki().person] {
        let mut p7s = sign_detached(&key(e), MESSAGE, &CadesOptions::new())
            .await
            .unwrap();
        // The signature value is the last field of the last SignerInfo, so the last byte is part of it.
        *p7s.last_mut().unwrap() ^= 0x01;
        let err = verify_detached(&p7s, MESSAGE, &opts()).unwrap_err();
        assert!(matches!(err, Error::SignatureInvalid { .. }), "{err}");
    }
}

#[tokio::test]
async fn substituted_certificate_with_other_key_is_rejected() {
    let pki = common::pki();
    let p7s = sign_detached(&key(&pki.seal), MESSAGE, &CadesOptions::new())
        .await
        .unwrap();
    let swapped = with_certificates(&p7s, &pki.seal_twin_other_key.cert_pem);
    let err = verify_detached(&swapped, MESSAGE, &opts()).unwrap_err();
    assert!(matches!(err, Error::SignatureInvalid { .. }), "{err}");
}

#[tokio::test]
async fn substituted_certificate_with_same_key_fails_signing_certificate_v2() {
    let pki = common::pki();
    let p7s = sign_detached(&key(&pki.seal), MESSAGE, &CadesOptions::new())
        .await
        .unwrap();
    let swapped = with_certificates(&p7s, &pki.seal_twin_same_key.cert_pem);
    let err = verify_detached(&swapped, MESSAGE, &opts()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Attribute {
                attribute: "signing-certificate-v2",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn missing_signer_certificate_is_reported() {
    let pki = common::pki();
    let p7s = sign_detached(&key(&pki.seal), MESSAGE, &CadesOptions::new())
        .await
        .unwrap();
    let swapped = with_certificates(&p7s, &pki.root_pem);
    let err = verify_detached(&swapped, MESSAGE, &opts()).unwrap_err();
    assert!(matches!(err, Error::Signer { index: 0, .. }), "{err}");
}

#[tokio::test]
async fn wrong_trust_anchor_and_expiry_are_rejected() {
    let pki = common::pki();
    let p7s = sign_detached(&key(&pki.person), MESSAGE, &CadesOptions::new())
        .await
        .unwrap();
    let other = Certificate::chain_from_pem(pki.other_root_pem.as_bytes()).unwrap();
    let err = verify_detached(&p7s, MESSAGE, &VerifyOptions::new(other)).unwrap_err();
    assert!(matches!(err, Error::Untrusted { .. }), "{err}");

    let after_expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(2_100_000_000); // 2036
    let err = verify_detached(&p7s, MESSAGE, &opts().at(after_expiry)).unwrap_err();
    assert!(
        matches!(err, Error::Untrusted { ref subject, .. } if subject.contains("Anna Muster")),
        "{err}"
    );

    // The leaf itself as anchor (directly trusted certificate).
    let leaf = Certificate::chain_from_pem(pki.person.cert_pem.as_bytes()).unwrap();
    let report = verify_detached(&p7s, MESSAGE, &VerifyOptions::new(leaf)).unwrap();
    assert_eq!(
        report.signers[0].trust,
        Trust::Anchored {
            path: vec!["CN=Anna Muster,O=Privat,C=CH".into()]
        }
    );
}

#[tokio::test]
async fn certificate_without_signing_key_usage_is_rejected() {
    let p7s = sign_detached(
        &key(&common::pki().no_signing_usage),
        MESSAGE,
        &CadesOptions::new(),
    )
    .await
    .unwrap();
    let err = verify_detached(&p7s, MESSAGE, &opts()).unwrap_err();
    assert!(
        matches!(err, Error::Untrusted { ref reason, .. } if reason.contains("key usage")),
        "{err}"
    );
}

#[tokio::test]
async fn signing_outside_the_validity_period_is_refused() {
    let signer = key(&common::pki().seal);
    let before = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000); // 2020
    let err = sign_detached(
        &signer,
        MESSAGE,
        &CadesOptions::new().signing_time(SigningTime::At(before)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Signing(_)), "{err}");
}

#[test]
fn key_and_certificate_must_belong_together() {
    let pki = common::pki();
    let err = SoftwareKey::from_pem(pki.person.key_pem.as_bytes(), pki.seal.cert_pem.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::KeyCertificateMismatch { .. }), "{err}");
    let err = SoftwareKey::from_pem(b"not a pem", pki.seal.cert_pem.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::Key { .. }), "{err}");
    let err = SoftwareKey::from_pem(pki.seal.key_pem.as_bytes(), b"").unwrap_err();
    assert!(matches!(err, Error::Certificate { .. }), "{err}");
}

#[test]
fn debug_never_shows_key_material() {
    let pki = common::pki();
    let signer = key(&pki.seal);
    let shown = format!("{signer:?}");
    assert!(shown.contains("Gemeinde Musterdorf Siegel"), "{shown}");
    let key_body: String = pki
        .seal
        .key_pem
        .lines()
        .nth(1)
        .unwrap()
        .chars()
        .take(24)
        .collect();
    assert!(!shown.contains(&key_body));
    assert!(!shown.contains("PRIVATE"));
}

#[test]
fn garbage_is_a_typed_error_not_a_panic() {
    for input in [&b""[..], b"\x30\x03\x06\x01\x00", b"\x30\x80", &[0xffu8; 40]] {
        let err = verify_detached(input, MESSAGE, &opts()).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err}");
    }
}

#[tokio::test]
async fn every_truncation_and_byte_flip_is_handled_without_panic() {
    let pki = common::pki();
    let signer = key(&pki.person);
    let p7s = sign_detached(&signer, MESSAGE, &CadesOptions::new().include_chain(false))
        .await
        .unwrap();
    for len in 0..p7s.len() {
        assert!(
            verify_detached(&p7s[..len], MESSAGE, &opts()).is_err(),
            "prefix of {len} bytes accepted"
        );
    }
    // A flipped byte must be rejected everywhere except inside the SignedData's digestAlgorithms
    // set, which RFC 5652 makes a hint for one-pass processing and which is not signed.
    let sd: SignedData = ContentInfo::from_der(&p7s).unwrap().content.decode_as().unwrap();
    let hint = sd.digest_algorithms.to_der().unwrap();
    let start = p7s
        .windows(hint.len())
        .position(|w| w == hint.as_slice())
        .unwrap();
    for i in 0..p7s.len() {
        let mut m = p7s.clone();
        m[i] ^= 0xff;
        if verify_detached(&m, MESSAGE, &opts()).is_ok() {
            assert!(
                (start..start + hint.len()).contains(&i),
                "flip at {i} of {} accepted",
                p7s.len()
            );
        }
    }
}
