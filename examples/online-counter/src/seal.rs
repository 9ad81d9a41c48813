//! The municipality's electronic seal on the certificates: PAdES B-B with egov-sign.
//!
//! On first run a demo PKI is made in the data folder (`seal/`): a root CA marked as a demo and a
//! seal certificate for the municipality, both ECDSA P-256. The root is offered at
//! `/seal-ca.pem`, so that `egov sign verify certificate.pdf --trust seal-ca.pem` accepts the
//! sealed certificate. In production the key is in an HSM or at a remote signing service (a
//! regulated seal under ZertES); egov-sign's `Signer` trait is the place to plug that in.

use std::path::Path;

use egov_sign::demo::DemoPki;
use egov_sign::{PadesOptions, SoftwareKey};

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

impl Seal {
    /// Loads the seal from `dir`, making the demo PKI there on first run.
    pub(crate) fn open_or_create(dir: &Path, municipality: &str) -> Result<Self, Error> {
        let first_run = !dir.join("seal-key.pem").exists();
        let pki = DemoPki::open_or_create(dir, municipality).map_err(|e| Error::Seal(e.to_string()))?;
        if first_run {
            tracing::info!(folder = %dir.display(), "demo seal key and CA created");
        }
        Ok(Self {
            key: pki.signer().map_err(|e| Error::Seal(e.to_string()))?,
            ca_pem: String::from_utf8_lossy(&pki.ca_pem).into_owned(),
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
