//! A test PKI made at test time with rcgen: a root CA, an RSA seal certificate
//! and an ECDSA P-256 personal certificate, plus an unrelated root.
#![allow(dead_code, unreachable_pub)]

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, RsaKeySize, SerialNumber,
};

/// PEM texts of one end-entity.
pub struct Entity {
    pub key_pem: String,
    pub cert_pem: String,
}

pub struct Pki {
    pub root_pem: String,
    pub other_root_pem: String,
    /// RSA-2048 seal "Gemeinde Musterdorf Siegel", serial 0x1001.
    pub seal: Entity,
    /// Same issuer, serial and key as `seal`, other subject: a substitute certificate.
    pub seal_twin_same_key: Entity,
    /// Same issuer and serial as `seal`, different key.
    pub seal_twin_other_key: Entity,
    /// ECDSA P-256 personal certificate.
    pub person: Entity,
    /// Certificate whose key usage is keyCertSign only.
    pub no_signing_usage: Entity,
    /// Time-stamp authority (extended key usage id-kp-timeStamping), ECDSA P-256.
    pub tsa: Entity,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CH");
    dn.push(DnType::OrganizationName, "Test Kanton Muster");
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = rcgen::date_time_ymd(2024, 1, 1);
    p.not_after = rcgen::date_time_ymd(2040, 1, 1);
    p
}

fn ee_params(org: &str, cn: &str, serial: u64, usages: Vec<KeyUsagePurpose>) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CH");
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = usages;
    p.serial_number = Some(SerialNumber::from_slice(&serial.to_be_bytes()));
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p
}

fn rsa_key() -> KeyPair {
    KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap()
}

pub fn make() -> Pki {
    let signing = || {
        vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ]
    };
    let root_key = rsa_key();
    let root_params = ca_params("Test Kanton Root CA");
    let root = root_params.self_signed(&root_key).unwrap();
    let issuer = Issuer::new(root_params, root_key);

    let other_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let other_root = ca_params("Other Root CA").self_signed(&other_key).unwrap();

    let seal_key = rsa_key();
    let seal_cert = ee_params(
        "Gemeinde Musterdorf",
        "Gemeinde Musterdorf Siegel",
        0x1001,
        signing(),
    )
    .signed_by(&seal_key, &issuer)
    .unwrap();
    let twin_same = ee_params(
        "Gemeinde Musterdorf",
        "Gemeinde Falschdorf Siegel",
        0x1001,
        signing(),
    )
    .signed_by(&seal_key, &issuer)
    .unwrap();
    let twin_key = rsa_key();
    let twin_other = ee_params(
        "Gemeinde Musterdorf",
        "Gemeinde Musterdorf Siegel",
        0x1001,
        signing(),
    )
    .signed_by(&twin_key, &issuer)
    .unwrap();

    let person_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let person_cert = ee_params("Privat", "Anna Muster", 0x2001, signing())
        .signed_by(&person_key, &issuer)
        .unwrap();

    let nosig_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let nosig_cert = ee_params(
        "Gemeinde Musterdorf",
        "Nur Zertifikate",
        0x3001,
        vec![KeyUsagePurpose::KeyCertSign],
    )
    .signed_by(&nosig_key, &issuer)
    .unwrap();

    let tsa_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut tsa_params = ee_params("Test Kanton Muster", "Test TSA", 0x4001, signing());
    tsa_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::TimeStamping];
    let tsa_cert = tsa_params.signed_by(&tsa_key, &issuer).unwrap();

    Pki {
        tsa: Entity {
            key_pem: tsa_key.serialize_pem(),
            cert_pem: tsa_cert.pem(),
        },
        root_pem: root.pem(),
        other_root_pem: other_root.pem(),
        seal: Entity {
            key_pem: seal_key.serialize_pem(),
            cert_pem: seal_cert.pem(),
        },
        seal_twin_same_key: Entity {
            key_pem: seal_key.serialize_pem(),
            cert_pem: twin_same.pem(),
        },
        seal_twin_other_key: Entity {
            key_pem: twin_key.serialize_pem(),
            cert_pem: twin_other.pem(),
        },
        person: Entity {
            key_pem: person_key.serialize_pem(),
            cert_pem: person_cert.pem(),
        },
        no_signing_usage: Entity {
            key_pem: nosig_key.serialize_pem(),
            cert_pem: nosig_cert.pem(),
        },
    }
}

/// The PKI, made once per test binary (RSA key generation takes a moment).
pub fn pki() -> &'static Pki {
    static PKI: std::sync::OnceLock<Pki> = std::sync::OnceLock::new();
    PKI.get_or_init(make)
}
