//! egov-sign against OpenSSL: our detached CAdES signatures verified by `openssl cms -verify`
//! (with `-cades`, which checks the signing-certificate attribute), and signatures made by
//! `openssl cms -sign` verified by our verifier. The PKI is made by openssl in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::task::{Context, Poll, Waker};

use egov_sign::{
    CadesOptions, Certificate, Error, SoftwareKey, Trust, VerifyOptions, sign_detached, verify_detached,
};

const DOC: &[u8] = b"<?xml version=\"1.0\"?>\n<eCH-0058:header>Baubewilligung 2026-17, Gemeinde Musterdorf</eCH-0058:header>\n";

/// Drives a future that does not wait on I/O (the software key signs synchronously).
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new(egov_interop::peer("openssl"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A root CA with an RSA-2048 and an ECDSA P-256 signer certificate.
fn pki(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("egov-sign-interop-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ext.cnf"),
        "[signer]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    std::fs::write(dir.join("doc.xml"), DOC).unwrap();
    ok(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/C=CH/O=Test Kanton Muster/CN=Interop Root CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    ok(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "rsa.key",
        ],
    );
    ok(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ec.key",
        ],
    );
    for (key, cn) in [("rsa", "Gemeinde Musterdorf Siegel"), ("ec", "Anna Muster")] {
        ok(
            &dir,
            &[
                "req",
                "-new",
                "-key",
                &format!("{key}.key"),
                "-out",
                &format!("{key}.csr"),
                "-subj",
                &format!("/C=CH/O=Test/CN={cn}"),
            ],
        );
        ok(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{key}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{key}.pem"),
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "signer",
            ],
        );
    }
    dir
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

fn anchors(dir: &Path) -> Vec<Certificate> {
    Certificate::chain_from_pem(&read(dir, "ca.pem")).unwrap()
}

#[test]
#[ignore = "interop: calls openssl; run tests/run-interop.sh"]
fn openssl_verifies_our_cades_signatures() {
    let dir = pki("ours");
    for key in ["rsa", "ec"] {
        let mut certs = read(&dir, &format!("{key}.pem"));
        certs.extend(read(&dir, "ca.pem"));
        let signer = SoftwareKey::from_pem(&read(&dir, &format!("{key}.key")), &certs).unwrap();
        let p7s = block_on(sign_detached(&signer, DOC, &CadesOptions::new())).unwrap();
        let sig = format!("{key}.p7s");
        std::fs::write(dir.join(&sig), &p7s).unwrap();
        let verify = |content: &str| {
            openssl(
                &dir,
                &[
                    "cms",
                    "-verify",
                    "-cades",
                    "-binary",
                    "-inform",
                    "DER",
                    "-in",
                    &sig,
                    "-content",
                    content,
                    "-CAfile",
                    "ca.pem",
                    "-purpose",
                    "any",
                    "-out",
                    "/dev/null",
                ],
            )
        };
        let out = verify("doc.xml");
        assert!(
            out.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("Verification successful"));

        // The check is real: openssl rejects the same signature over changed content.
        let mut changed = DOC.to_vec();
        changed[40] ^= 0x20;
        std::fs::write(dir.join("changed.xml"), &changed).unwrap();
        assert!(
            !verify("changed.xml").status.success(),
            "{key}: tampered content accepted by openssl"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "interop: calls openssl; run tests/run-interop.sh"]
fn we_verify_openssl_cms_signatures() {
    let dir = pki("theirs");
    for key in ["rsa", "ec"] {
        for cades in [true, false] {
            let sig = format!("{key}-{cades}.p7s");
            let mut args = vec![
                "cms",
                "-sign",
                "-binary",
                "-in",
                "doc.xml",
                "-outform",
                "DER",
                "-out",
                &sig,
                "-certfile",
                "ca.pem",
            ];
            let signer_cert = format!("{key}.pem");
            let signer_key = format!("{key}.key");
            args.extend(["-signer", &signer_cert, "-inkey", &signer_key, "-md", "sha256"]);
            if cades {
                args.push("-cades");
            }
            ok(&dir, &args);
            let p7s = read(&dir, &sig);

            let strict = VerifyOptions::new(anchors(&dir));
            let result = verify_detached(&p7s, DOC, &strict);
            if cades {
                let report = result.unwrap();
                let s = &report.signers[0];
                assert!(s.signing_certificate_v2, "{key}");
                assert!(s.claimed_signing_time.is_some(), "{key}");
                assert!(s.certificate.subject().contains("CN="), "{key}");
                let Trust::Anchored { path } = &s.trust else {
                    panic!("{key}: not anchored")
                };
                assert_eq!(
                    path.last().unwrap(),
                    "CN=Interop Root CA,O=Test Kanton Muster,C=CH"
                );
            } else {
                let err = result.unwrap_err();
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
            let lenient = VerifyOptions::new(anchors(&dir)).allow_missing_signing_certificate();
            let report = verify_detached(&p7s, DOC, &lenient).unwrap();
            assert_eq!(report.signers[0].signing_certificate_v2, cades);

            let err = verify_detached(&p7s, &DOC[1..], &lenient).unwrap_err();
            assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
