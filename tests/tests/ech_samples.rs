//! egov-ech against the shared eCH samples and xmllint with the official XSDs: read, write,
//! validate the output, read again, compare; prefix variants read the same.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use egov_ech::read::{Limits, ReadError, XmlValue, read_document};
use egov_ech::write::{XmlWrite, write_document};
use egov_ech::{ech0020, ech0090};
use egov_interop::{read_shared, shared_dir};

fn xmllint_valid(xml: &str, xsd: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("egov-ech-{}-{}", std::process::id(), xsd));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let xsd_dir: PathBuf = shared_dir().join("ech/xsd");
    let out = Command::new(egov_interop::peer("xmllint"))
        .env("XML_CATALOG_FILES", xsd_dir.join("catalog.xml"))
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd_dir.join(xsd))
        .arg(&file)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Read, write, validate with xmllint, read again: the value must survive unchanged.
fn round_trip<T: XmlValue + XmlWrite + PartialEq + std::fmt::Debug>(
    sample: &str,
    ns: &str,
    local: &str,
    xsd: &str,
) -> T {
    let text = read_shared(&format!("ech/samples/{sample}"));
    let value: T = read_document(text.as_bytes(), ns, local, Limits::default())
        .unwrap_or_else(|e| panic!("{sample}: {e}"));
    let written = write_document(&value, ns, local, None);
    xmllint_valid(&written, xsd)
        .unwrap_or_else(|e| panic!("{sample}: our output is not valid:\n{e}\n{written}"));
    let again: T = read_document(written.as_bytes(), ns, local, Limits::default()).unwrap();
    assert_eq!(again, value, "{sample}: value changed by write and read");
    value
}

#[test]
#[ignore = "interop: reads ../shared and runs xmllint; run tests/run-interop.sh"]
fn ech0020_v3_move_in_round_trip() {
    let d: ech0020::v3::Delivery = round_trip(
        "data_synthetic-moveIn-0001.xml",
        ech0020::v3::NAMESPACE,
        "delivery",
        "eCH-0020-3-0.xsd",
    );
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains("7561234567897"), "{json}");
    let back: ech0020::v3::Delivery = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d, "XML → JSON → value");
}

#[test]
#[ignore = "interop: reads ../shared and runs xmllint; run tests/run-interop.sh"]
fn sedex_envelopes_and_receipts() {
    for sample in [
        "envl_4.xml",
        "envl_18f99837-35c8-4beb-9278-0306167fa09d.xml",
        "envl_eaaafa0a-aa12-4ca8-9fde-00a194b6fd0d.xml",
        "envl_synthetic-moveIn-0001.xml",
        "envl_ordipro-moveIn-21.xml",
    ] {
        let e: ech0090::v1::Envelope =
            round_trip(sample, ech0090::v1::NAMESPACE, "envelope", "eCH-0090-1-0.xsd");
        assert!(!e.message_id.get().is_empty());
    }
    let r: ech0090::v2::Receipt = round_trip(
        "receipt_synthetic-moveIn-0001.xml",
        ech0090::v2::NAMESPACE,
        "receipt",
        "eCH-0090-2-0.xsd",
    );
    assert_eq!(r.status_code.to_string(), "100");
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn prefix_variants_read_the_same() {
    let original = read_shared("ech/samples/data_synthetic-moveIn-0001.xml");
    let ns = ech0020::v3::NAMESPACE;
    let a: ech0020::v3::Delivery =
        read_document(original.as_bytes(), ns, "delivery", Limits::default()).unwrap();
    // JAXB style: ns2, ns3, … instead of eCH-NNNN.
    let mut jaxb = original.clone();
    for (i, p) in [
        "eCH-0020", "eCH-0058", "eCH-0044", "eCH-0011", "eCH-0010", "eCH-0007", "eCH-0008", "eCH-0021",
        "eCH-0006", "eCH-0135",
    ]
    .iter()
    .enumerate()
    {
        jaxb = jaxb.replace(&format!("{p}:"), &format!("ns{}:", i + 2));
        jaxb = jaxb.replace(&format!("xmlns:{p}="), &format!("xmlns:ns{}=", i + 2));
    }
    assert_ne!(jaxb, original);
    let b: ech0020::v3::Delivery = read_document(jaxb.as_bytes(), ns, "delivery", Limits::default()).unwrap();
    assert_eq!(a, b);
    // Default namespace for eCH-0020.
    let default_ns = original
        .replace("eCH-0020:", "")
        .replace("xmlns:eCH-0020=", "xmlns=");
    let c: ech0020::v3::Delivery =
        read_document(default_ns.as_bytes(), ns, "delivery", Limits::default()).unwrap();
    assert_eq!(a, c);
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn content_errors_are_all_reported_with_paths() {
    let original = read_shared("ech/samples/data_synthetic-moveIn-0001.xml");
    let broken = original
        .replacen(
            "<eCH-0044:vn>7561234567897</eCH-0044:vn>",
            "<eCH-0044:vn>123</eCH-0044:vn>",
            1,
        )
        .replacen(
            "<eCH-0058:messageId>",
            "<eCH-0058:messageIdx>x</eCH-0058:messageIdx><eCH-0058:messageId>",
            1,
        );
    assert_ne!(broken, original);
    let err = read_document::<ech0020::v3::Delivery, _>(
        broken.as_bytes(),
        ech0020::v3::NAMESPACE,
        "delivery",
        Limits::default(),
    )
    .unwrap_err();
    let ReadError::Invalid(errors) = err else {
        panic!("{err}")
    };
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("/vn") && e.contains("7560000000001")),
        "{text:#?}"
    );
    assert!(text.iter().any(|e| e.contains("messageIdx")), "{text:#?}");
}
