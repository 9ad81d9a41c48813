//! The municipality's electronic seal on the certificates: PAdES B-B with egov-sign.
//!
//! On first run a demo PKI is made in the data folder (`seal/`): a root CA marked as a demo and a
//! seal certificate for the municipality, both ECDSA P-256. The root is offered at
//! `/seal-ca.pem`, so that `egov sign verify certificate.pdf --trust seal-ca.pem` accepts the
//! sealed certificate. In production the key is in an HSM or at a remote signing service (a
//! regulated seal under ZertES); egov-sign's `Signer` trait is the place to plug that in.

use std::path::{Path, PathBuf};

use egov_sign::{PadesOptions, SoftwareKey};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

use crate::error::Error;

/// The seal: the key, its certificate chain and the demo root.
pub(crate) struct Seal {
    key: SoftwareKey,
    ca_pem: String,
    municipality: String,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seal")
            .field("municipality", &self.municipality)
            .finish_non_exhaustive()
    }
}

fn seal_error(what: &str) -> impl FnOnce(rcgen::Error) -> Error + '_ {
    move |e| Error::Seal(format!("{what}: {e}"))
}

fn dn(org: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CH");
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CommonName, cn);
    dn
}

/// Makes the demo CA and seal certificate; returns (CA PEM, seal key PEM, seal certificate PEM).
fn make_demo_pki(municipality: &str) -> Result<(String, String, String), Error> {
    let now = chrono::Utc::now();
    let year = chrono::Datelike::year(&now);
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(seal_error("CA key"))?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(seal_error("CA"))?;
    ca.distinguished_name = dn(municipality, "Demo Root CA (not for production)");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    ca.not_after = rcgen::date_time_ymd(year + 10, 1, 1);
    let ca_cert = ca.self_signed(&ca_key).map_err(seal_error("CA certificate"))?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(seal_error("seal key"))?;
    let mut seal = CertificateParams::new(Vec::<String>::new()).map_err(seal_error("seal"))?;
    seal.distinguished_name = dn(municipality, &format!("{municipality} Siegel (Demo)"));
    seal.is_ca = IsCa::ExplicitNoCa;
    seal.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    seal.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    seal.not_after = rcgen::date_time_ymd(year + 5, 1, 1);
    let cert = seal
        .signed_by(&key, &issuer)
        .map_err(seal_error("seal certificate"))?;
    Ok((ca_pem, key.serialize_pem(), cert.pem()))
}

fn write_private(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(Error::io(format!("writing {}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(Error::io(format!("protecting {}", path.display())))?;
    }
    Ok(())
}

impl Seal {
    /// Loads the seal from `dir`, making the demo PKI there on first run.
    pub(crate) fn open_or_create(dir: &Path, municipality: &str) -> Result<Self, Error> {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("creating {}", dir.display())))?;
        let paths: [PathBuf; 3] = ["seal-ca.pem", "seal-key.pem", "seal-cert.pem"].map(|f| dir.join(f));
        if !paths.iter().all(|p| p.exists()) {
            let (ca, key, cert) = make_demo_pki(municipality)?;
            std::fs::write(&paths[0], &ca).map_err(Error::io(format!("writing {}", paths[0].display())))?;
            write_private(&paths[1], &key)?;
            std::fs::write(&paths[2], &cert).map_err(Error::io(format!("writing {}", paths[2].display())))?;
            tracing::info!(folder = %dir.display(), "demo seal key and CA created");
        }
        let read = |p: &PathBuf| std::fs::read(p).map_err(Error::io(format!("reading {}", p.display())));
        let ca = read(&paths[0])?;
        let key_pem = read(&paths[1])?;
        let mut chain = read(&paths[2])?;
        chain.extend_from_slice(&ca);
        let key = SoftwareKey::from_pem(&key_pem, &chain).map_err(|e| Error::Seal(e.to_string()))?;
        Ok(Self {
            key,
            ca_pem: String::from_utf8_lossy(&ca).into_owned(),
            municipality: municipality.to_owned(),
        })
    }

    /// The demo root CA, PEM.
    pub(crate) fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Seals `pdf` (PAdES B-B, an invisible approval signature).
    pub(crate) async fn seal(&self, pdf: &[u8]) -> Result<Vec<u8>, Error> {
        let options = PadesOptions::new()
            .reason("Amtliche Bestätigung / attestation officielle")
            .location(self.municipality.clone())
            .name(self.municipality.clone());
        egov_sign::sign_pdf(&self.key, pdf, &options)
            .await
            .map_err(|e| Error::Seal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sealed_certificate_verifies_against_the_demo_root_and_the_pki_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let seal = Seal::open_or_create(dir.path(), "Gemeinde Muster").unwrap();
        let key_before = std::fs::read(dir.path().join("seal-key.pem")).unwrap();
        let mut doc = pdf_writer::Pdf::new();
        let (catalog, pages, page) = (
            pdf_writer::Ref::new(1),
            pdf_writer::Ref::new(2),
            pdf_writer::Ref::new(3),
        );
        doc.catalog(catalog).pages(pages);
        doc.pages(pages).kids([page]).count(1);
        doc.page(page)
            .parent(pages)
            .media_box(pdf_writer::Rect::new(0.0, 0.0, 595.0, 842.0));
        let pdf = &doc.finish()[..];
        let sealed = seal.seal(pdf).await.unwrap();
        assert!(sealed.starts_with(pdf), "the original bytes stay as they are");
        let anchors = egov_sign::Certificate::chain_from_pem(seal.ca_pem().as_bytes()).unwrap();
        let report = egov_sign::verify_pdf(&sealed, &egov_sign::VerifyOptions::new(anchors)).unwrap();
        assert!(report.all_valid(), "{report:?}");
        // A second start uses the same key.
        let again = Seal::open_or_create(dir.path(), "Gemeinde Muster").unwrap();
        assert_eq!(again.ca_pem(), seal.ca_pem());
        assert_eq!(
            std::fs::read(dir.path().join("seal-key.pem")).unwrap(),
            key_before
        );
        // Another root does not vouch for it.
        let other = tempfile::tempdir().unwrap();
        let stranger = Seal::open_or_create(other.path(), "Gemeinde Muster").unwrap();
        let anchors = egov_sign::Certificate::chain_from_pem(stranger.ca_pem().as_bytes()).unwrap();
        let report = egov_sign::verify_pdf(&sealed, &egov_sign::VerifyOptions::new(anchors)).unwrap();
        assert!(!report.all_valid());
    }
}
