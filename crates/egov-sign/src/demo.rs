//! A demo PKI for development and examples (feature `demo-pki`): a root CA marked "not for
//! production" and a seal certificate (ECDSA P-256, digitalSignature + nonRepudiation), kept as
//! PEM files in a folder and made there on first use. A real seal key lives in an HSM or at a
//! remote signing service; this exists so that examples can seal without one.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

use crate::{Error, SoftwareKey};

/// The demo PKI's PEM texts.
#[derive(Clone)]
pub struct DemoPki {
    /// The seal's private key (PKCS#8 PEM).
    pub key_pem: Vec<u8>,
    /// The seal certificate followed by the root.
    pub chain_pem: Vec<u8>,
    /// The root alone: the trust anchor for verification.
    pub ca_pem: Vec<u8>,
}

impl std::fmt::Debug for DemoPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoPki").finish_non_exhaustive()
    }
}

fn name(org: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CH");
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CommonName, cn);
    dn
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(demo_error)`
fn demo_error(e: rcgen::Error) -> Error {
    Error::Key {
        what: "demo PKI",
        reason: e.to_string(),
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::Key {
        what: "demo PKI file",
        reason: format!("{}: {e}", path.display()),
    }
}

impl DemoPki {
    /// Reads the PKI from `dir` (`seal-ca.pem`, `seal-key.pem`, `seal-cert.pem`), making it there
    /// first for `organisation` when it is not there. The key file is readable by the owner only.
    ///
    /// # Errors
    /// File errors or key generation failing, as [`Error::Key`].
    pub fn open_or_create(dir: &Path, organisation: &str) -> Result<Self, Error> {
        let [ca, key, cert] = ["seal-ca.pem", "seal-key.pem", "seal-cert.pem"].map(|f| dir.join(f));
        if !(ca.exists() && key.exists() && cert.exists()) {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
            let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(demo_error)?;
            let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(demo_error)?;
            ca_params.distinguished_name = name(organisation, "Demo Root CA (not for production)");
            ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            ca_params.not_before = rcgen::date_time_ymd(2025, 1, 1);
            ca_params.not_after = rcgen::date_time_ymd(2036, 1, 1);
            let ca_cert = ca_params.self_signed(&ca_key).map_err(demo_error)?;
            std::fs::write(&ca, ca_cert.pem()).map_err(io_error(&ca))?;
            let issuer = Issuer::new(ca_params, ca_key);
            let seal_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(demo_error)?;
            let mut params = CertificateParams::new(Vec::<String>::new()).map_err(demo_error)?;
            params.distinguished_name = name(organisation, &format!("{organisation} Siegel (Demo)"));
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ];
            params.not_before = rcgen::date_time_ymd(2025, 1, 1);
            params.not_after = rcgen::date_time_ymd(2031, 1, 1);
            let seal_cert = params.signed_by(&seal_key, &issuer).map_err(demo_error)?;
            std::fs::write(&key, seal_key.serialize_pem()).map_err(io_error(&key))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
                    .map_err(io_error(&key))?;
            }
            std::fs::write(&cert, seal_cert.pem()).map_err(io_error(&cert))?;
        }
        let ca_pem = std::fs::read(&ca).map_err(io_error(&ca))?;
        let mut chain_pem = std::fs::read(&cert).map_err(io_error(&cert))?;
        chain_pem.extend_from_slice(&ca_pem);
        Ok(Self {
            key_pem: std::fs::read(&key).map_err(io_error(&key))?,
            chain_pem,
            ca_pem,
        })
    }

    /// The seal key with its chain, ready to sign.
    ///
    /// # Errors
    /// When the PEM files were changed into something unreadable.
    pub fn signer(&self) -> Result<SoftwareKey, Error> {
        SoftwareKey::from_pem(&self.key_pem, &self.chain_pem)
    }
}
