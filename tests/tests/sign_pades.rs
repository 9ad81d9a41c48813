//! egov-sign PAdES against independent PDF signature tools: poppler `pdfsig`, `openssl cms`
//! on the extracted CMS, and pyHanko (validating ours, and ours validating pyHanko's).
//! The PKI is made by openssl in a temporary folder; the PDF is written by hand in the test.
//! A test whose peer program is missing says so on stderr and returns.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Command, Output};
use std::task::{Context, Poll, Waker};

use egov_sign::{
    Certificate, ModificationLevel, PadesLevel, PadesOptions, SignatureStatus, SoftwareKey, TimeStamper,
    VerifyOptions, sign_pdf, sign_pdf_timestamped, verify_pdf,
};

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

/// A program on PATH, or `None` (the caller skips with a message).
fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// pyHanko's CLI: `$EGOV_PYHANKO`, else beside `$EGOV_PYTHON` (the runner's venv), else on PATH.
fn pyhanko() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EGOV_PYHANKO") {
        return Some(PathBuf::from(p));
    }
    if let Some(py) = std::env::var_os("EGOV_PYTHON") {
        let p = Path::new(&py).with_file_name("pyhanko");
        if p.is_file() {
            return Some(p);
        }
    }
    find("pyhanko")
}

fn skip(peer: &str) {
    eprintln!("interop: {peer} not found; test skipped (tests/run-interop.sh installs it)");
}

fn run(program: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A root CA and an RSA-2048 seal certificate made by openssl (no CRL/OCSP URLs, so that
/// validators need no network).
fn pki(name: &str) -> Option<PathBuf> {
    let Some(openssl) = find("openssl") else {
        skip("openssl");
        return None;
    };
    let dir = std::env::temp_dir().join(format!("egov-pades-interop-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ext.cnf"),
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
         [signer]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    for args in [
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
            "3650",
            "-subj",
            "/C=CH/O=Test Kanton Muster/CN=Test Kanton Root CA",
            "-extensions",
            "ca",
            "-config",
            "ca.cnf",
        ][..],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "seal.key",
            "-out",
            "seal.csr",
            "-subj",
            "/C=CH/O=Gemeinde Musterdorf/CN=Gemeinde Musterdorf Siegel",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "seal.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "seal.pem",
            "-days",
            "800",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "signer",
        ],
    ] {
        if args[0] == "req" && args[1] == "-x509" {
            // A config with the CA extension section and a minimal [req].
            std::fs::write(
                dir.join("ca.cnf"),
                format!(
                    "[req]\ndistinguished_name=dn\n[dn]\n{}",
                    std::fs::read_to_string(dir.join("ext.cnf")).unwrap()
                ),
            )
            .unwrap();
        }
        let out = run(&openssl, &dir, args);
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    }
    Some(dir)
}

fn signer(dir: &Path) -> SoftwareKey {
    let key = std::fs::read(dir.join("seal.key")).unwrap();
    let mut certs = std::fs::read(dir.join("seal.pem")).unwrap();
    certs.extend(std::fs::read(dir.join("ca.pem")).unwrap());
    SoftwareKey::from_pem(&key, &certs).unwrap()
}

fn options(dir: &Path) -> VerifyOptions {
    VerifyOptions::new(Certificate::chain_from_pem(&std::fs::read(dir.join("ca.pem")).unwrap()).unwrap())
}

/// A one-page PDF 1.4 with a classic cross-reference table.
fn document() -> Vec<u8> {
    let text = "BT /F1 24 Tf 72 720 Td (Baubewilligung 2026-17) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .into(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 6\n0000000000 65535 f\r\n");
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

fn sign(dir: &Path, pdf: &[u8], field: &str) -> Vec<u8> {
    block_on(sign_pdf(
        &signer(dir),
        pdf,
        &PadesOptions::new()
            .field_name(field)
            .reason("Behördensiegel")
            .location("Musterdorf"),
    ))
    .unwrap()
}

/// The signed bytes and the DER CMS of the last signature, as a verifier outside PDF sees them.
fn extract(pdf: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let text = String::from_utf8_lossy(pdf).into_owned();
    let last = text.rsplit("/ByteRange [").next().unwrap();
    let n: Vec<usize> = last
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let (b, c, d) = (n[1], n[2], n[3]);
    let mut content = pdf[..b].to_vec();
    content.extend_from_slice(&pdf[c..c + d]);
    let hex = &pdf[b + 1..c - 1];
    let mut der: Vec<u8> = hex
        .chunks(2)
        .map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap())
        .collect();
    while der.last() == Some(&0) {
        der.pop();
    }
    (content, der)
}

/// Changes one byte of the page text (inside the signed range).
fn tamper(pdf: &[u8]) -> Vec<u8> {
    let at = pdf.windows(14).position(|w| w == b"Baubewilligung").unwrap();
    let mut t = pdf.to_vec();
    t[at] = b'X';
    t
}

#[test]
#[ignore = "interop: needs peers; run tests/run-interop.sh"]
fn pdfsig_accepts_one_and_two_signatures() {
    let Some(pdfsig) = find("pdfsig") else {
        return skip("pdfsig (poppler-utils)");
    };
    let Some(dir) = pki("pdfsig") else { return };
    let one = sign(&dir, &document(), "Siegel");
    let two = sign(&dir, &one, "Gegenzeichnung");
    std::fs::write(dir.join("one.pdf"), &one).unwrap();
    std::fs::write(dir.join("two.pdf"), &two).unwrap();
    std::fs::write(dir.join("tampered.pdf"), tamper(&one)).unwrap();

    // With an NSS database holding the root, pdfsig also judges the certificate.
    let nss = find("certutil").map(|certutil| {
        let db = format!("sql:{}", dir.join("nssdb").display());
        std::fs::create_dir_all(dir.join("nssdb")).unwrap();
        let out = run(&certutil, &dir, &["-N", "-d", &db, "--empty-password"]);
        assert!(out.status.success(), "{}", text(&out));
        let out = run(
            &certutil,
            &dir,
            &[
                "-A", "-d", &db, "-n", "root", "-t", "CT,C,C", "-a", "-i", "ca.pem",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        db
    });
    let pdfsig_on = |file: &str| {
        let mut args = vec![file];
        if let Some(db) = &nss {
            args.splice(0..0, ["-nssdir", db.as_str()]);
        }
        text(&run(&pdfsig, &dir, &args))
    };

    let out = pdfsig_on("one.pdf");
    assert!(out.contains("Signature Type: ETSI.CAdES.detached"), "{out}");
    assert!(out.contains("Total document signed"), "{out}");
    assert!(out.contains("Signature is Valid."), "{out}");
    assert!(out.contains("Signature Field Name: Siegel"), "{out}");
    if nss.is_some() {
        assert!(out.contains("Certificate is Trusted."), "{out}");
    } else {
        eprintln!("interop: certutil (libnss3-tools) not found; certificate trust in pdfsig not checked");
    }

    let out = pdfsig_on("two.pdf");
    assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
    assert!(out.contains("Not total document signed"), "{out}");
    assert!(out.contains("Signature Field Name: Gegenzeichnung"), "{out}");

    let out = pdfsig_on("tampered.pdf");
    assert!(out.contains("Digest Mismatch"), "{out}");
}

#[test]
#[ignore = "interop: needs peers; run tests/run-interop.sh"]
fn openssl_cms_verifies_the_embedded_signature() {
    let Some(dir) = pki("openssl") else { return };
    let openssl = find("openssl").unwrap();
    let signed = sign(&dir, &document(), "Siegel");
    let (content, der) = extract(&signed);
    std::fs::write(dir.join("content.bin"), &content).unwrap();
    std::fs::write(dir.join("sig.der"), &der).unwrap();
    let verify = |content: &str| {
        run(
            &openssl,
            &dir,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "sig.der",
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
    let out = verify("content.bin");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Verification successful"));
    // PAdES: no signing-time attribute, but signing-certificate-v2.
    let out = run(
        &openssl,
        &dir,
        &["cms", "-cmsout", "-print", "-inform", "DER", "-in", "sig.der"],
    );
    let printed = text(&out);
    assert!(printed.contains("id-smime-aa-signingCertificateV2"), "{printed}");
    assert!(!printed.contains("signingTime"), "{printed}");

    let (content, _) = extract(&tamper(&signed));
    std::fs::write(dir.join("tampered.bin"), &content).unwrap();
    assert!(!verify("tampered.bin").status.success());
}

#[test]
#[ignore = "interop: needs peers; run tests/run-interop.sh"]
fn pyhanko_judges_our_signatures() {
    let Some(pyhanko) = pyhanko() else {
        return skip("pyhanko (pip pyhanko pyhanko-cli)");
    };
    let Some(dir) = pki("pyhanko-validate") else {
        return;
    };
    let one = sign(&dir, &document(), "Siegel");
    let two = sign(&dir, &one, "Gegenzeichnung");
    std::fs::write(dir.join("one.pdf"), &one).unwrap();
    std::fs::write(dir.join("two.pdf"), &two).unwrap();
    std::fs::write(dir.join("tampered.pdf"), tamper(&one)).unwrap();
    let validate = |file: &str| {
        run(
            &pyhanko,
            &dir,
            &[
                "sign",
                "validate",
                "--trust",
                "ca.pem",
                "--trust-replace",
                "--no-revocation-check",
                file,
            ],
        )
    };
    let out = validate("one.pdf");
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("Siegel:") && t.contains("INTACT:TRUSTED") && t.contains("UNTOUCHED"),
        "{t}"
    );

    let out = validate("two.pdf");
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert_eq!(t.matches("INTACT:TRUSTED").count(), 2, "{t}");
    assert!(!t.contains("ILLEGAL"), "{t}");

    let out = validate("tampered.pdf");
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("INVALID"), "{}", text(&out));
}

#[test]
#[ignore = "interop: needs peers; run tests/run-interop.sh"]
fn we_judge_pyhanko_signatures() {
    let Some(pyhanko) = pyhanko() else {
        return skip("pyhanko (pip pyhanko pyhanko-cli)");
    };
    let Some(dir) = pki("pyhanko-sign") else { return };
    std::fs::write(dir.join("doc.pdf"), document()).unwrap();
    let out = run(
        &pyhanko,
        &dir,
        &[
            "sign",
            "addsig",
            "--field",
            "Siegel",
            "--use-pades",
            "pemder",
            "--key",
            "seal.key",
            "--cert",
            "seal.pem",
            "--chain",
            "ca.pem",
            "--no-pass",
            "doc.pdf",
            "py.pdf",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let signed = std::fs::read(dir.join("py.pdf")).unwrap();
    let report = verify_pdf(&signed, &options(&dir)).unwrap();
    assert_eq!(report.signatures.len(), 1, "{report:#?}");
    assert_eq!(report.signatures[0].status, SignatureStatus::Valid, "{report:#?}");
    assert_eq!(report.signatures[0].field, "Siegel");

    // Ours on top of pyHanko's: both stay valid, the update is signature maintenance.
    let both = sign(&dir, &signed, "Gegenzeichnung");
    let report = verify_pdf(&both, &options(&dir)).unwrap();
    assert!(report.all_valid(), "{report:#?}");
    assert_eq!(
        report.signatures[0].modification_level,
        ModificationLevel::Allowed
    );

    let report = verify_pdf(&tamper(&signed), &options(&dir)).unwrap();
    assert!(
        matches!(report.signatures[0].status, SignatureStatus::Invalid(_)),
        "{report:#?}"
    );

    // pyHanko's signature on top of ours: both valid for us (pyHanko also raises /Version).
    std::fs::write(dir.join("ours.pdf"), sign(&dir, &document(), "Siegel")).unwrap();
    let out = run(
        &pyhanko,
        &dir,
        &[
            "sign",
            "addsig",
            "--field",
            "Gegenzeichnung",
            "--use-pades",
            "pemder",
            "--key",
            "seal.key",
            "--cert",
            "seal.pem",
            "--chain",
            "ca.pem",
            "--no-pass",
            "ours.pdf",
            "ours-then-py.pdf",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let report = verify_pdf(
        &std::fs::read(dir.join("ours-then-py.pdf")).unwrap(),
        &options(&dir),
    )
    .unwrap();
    assert_eq!(report.signatures.len(), 2);
    assert!(report.all_valid(), "{report:#?}");
}

/// `openssl ts -reply` as the time-stamp authority (called per request, no HTTP needed).
struct OpensslTsa {
    dir: PathBuf,
    openssl: PathBuf,
}

impl OpensslTsa {
    fn reply(&self, request: &[u8]) -> Result<Vec<u8>, egov_sign::Error> {
        std::fs::write(self.dir.join("q.tsq"), request).unwrap();
        let out = run(
            &self.openssl,
            &self.dir,
            &[
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-queryfile",
                "q.tsq",
                "-out",
                "r.tsr",
            ],
        );
        assert!(out.status.success(), "openssl ts -reply: {}", text(&out));
        Ok(std::fs::read(self.dir.join("r.tsr")).unwrap())
    }
}

// Written out instead of `#[async_trait]` so that the interop package needs no extra dependency.
impl TimeStamper for OpensslTsa {
    fn stamp<'a, 'b, 'f>(
        &'a self,
        request: &'b [u8],
    ) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, egov_sign::Error>> + Send + 'f>>
    where
        'a: 'f,
        'b: 'f,
        Self: 'f,
    {
        Box::pin(async move { self.reply(request) })
    }
}

#[test]
#[ignore = "interop: needs peers; run tests/run-interop.sh"]
fn b_t_with_openssl_as_time_stamp_authority() {
    let Some(dir) = pki("tsa") else { return };
    let openssl = find("openssl").unwrap();
    std::fs::write(
        dir.join("tsa-ext.cnf"),
        "[tsa]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=critical,timeStamping\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tsa.cnf"),
        "[tsa]\ndefault_tsa = t\n[t]\ndir = .\nserial = ./tsaserial\nsigner_cert = ./tsa.pem\n\
         certs = ./ca.pem\nsigner_key = ./tsa.key\nsigner_digest = sha256\n\
         default_policy = 1.3.6.1.4.1.99999.1.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\n\
         ess_cert_id_alg = sha256\ncrypto_device = builtin\nordering = no\ntsa_name = no\n",
    )
    .unwrap();
    std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
    for args in [
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/C=CH/O=Test Kanton Muster/CN=Test TSA",
        ][..],
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.pem",
            "-days",
            "800",
            "-extfile",
            "tsa-ext.cnf",
            "-extensions",
            "tsa",
        ],
    ] {
        let out = run(&openssl, &dir, args);
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    }
    let tsa = OpensslTsa {
        dir: dir.clone(),
        openssl,
    };
    let signed = block_on(sign_pdf_timestamped(
        &signer(&dir),
        &tsa,
        &document(),
        &PadesOptions::new().field_name("Siegel"),
    ))
    .unwrap();
    std::fs::write(dir.join("bt.pdf"), &signed).unwrap();
    let report = verify_pdf(&signed, &options(&dir)).unwrap();
    let s = &report.signatures[0];
    assert_eq!(s.status, SignatureStatus::Valid, "{report:#?}");
    assert_eq!(s.level, Some(PadesLevel::BT));
    assert_eq!(
        s.timestamp_authority.as_deref(),
        Some("CN=Test TSA,O=Test Kanton Muster,C=CH")
    );

    if let Some(pyhanko) = pyhanko() {
        let out = run(
            &pyhanko,
            &dir,
            &[
                "sign",
                "validate",
                "--trust",
                "ca.pem",
                "--trust-replace",
                "--no-revocation-check",
                "bt.pdf",
            ],
        );
        let t = text(&out);
        assert!(out.status.success(), "{t}");
        assert!(t.contains("TIMESTAMP_TOKEN<INTACT:TRUSTED>"), "{t}");
    } else {
        skip("pyhanko (B-T cross-check)");
    }
}
