//! Deliveries written record by record are valid against the official XSDs (xmllint), and the
//! synthetic voter register the benchmarks use is too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../crates/egov-ech/tests/support/voters.rs"]
mod voters;

use std::path::PathBuf;
use std::process::Command;

use egov_ech::read::Limits;
use egov_ech::stream::{BaseDelivery, DeliveryKind, RecordWriter, Records, VoterList};
use egov_interop::{read_shared, shared_dir};

fn xmllint_valid(xml: &str, xsd: &str, name: &str) {
    let dir = std::env::temp_dir().join(format!("egov-ech-stream-{}-{name}", std::process::id()));
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
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Reads `xml` record by record, writes it again record by record, checks the output with
/// xmllint and reads it back.
fn rewrite<K: DeliveryKind>(xml: &str, xsd: &str, name: &str) -> u64
where
    K::Header: Clone + PartialEq + std::fmt::Debug,
    K::Record: PartialEq + std::fmt::Debug,
{
    let mut records = Records::<_, K>::open(xml.as_bytes(), Limits::default()).unwrap();
    let header = records.header().expect("valid header").clone();
    let mut writer = RecordWriter::<_, K>::new(Vec::new(), header, None);
    let mut all = Vec::new();
    for r in records.by_ref() {
        let r = r.unwrap();
        writer.write(&r).unwrap();
        all.push(r);
    }
    assert!(
        records.document_errors().is_empty(),
        "{:?}",
        records.document_errors()
    );
    let out = String::from_utf8(writer.finish().unwrap()).unwrap();
    xmllint_valid(&out, xsd, name);
    let again: Vec<_> = Records::<_, K>::open(out.as_bytes(), Limits::default())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(again, all);
    all.len() as u64
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn the_synthetic_voter_register_is_valid_against_the_xsd() {
    for prefixes in [voters::Prefixes::Conventional, voters::Prefixes::Jaxb] {
        xmllint_valid(&voters::document(50, prefixes), "eCH-0045-6-0.xsd", "generated");
    }
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn a_voter_register_written_record_by_record_is_xsd_valid() {
    let xml = voters::document(200, voters::Prefixes::Jaxb);
    assert_eq!(rewrite::<VoterList>(&xml, "eCH-0045-6-0.xsd", "voters"), 200);
}

/// A base delivery of three persons made from the synthetic move-in sample: its person and main
/// residence are a base delivery's record (the move-in types restrict the base delivery's).
fn base_delivery() -> String {
    let s = read_shared("ech/samples/data_synthetic-moveIn-0001.xml");
    let s = &s[s.find("<eCH-0020:delivery ").unwrap()..];
    let between = |a: &str, b: &str| -> &str {
        let i = s.find(a).unwrap() + a.len();
        &s[i..i + s[i..].find(b).unwrap()]
    };
    let person = between("<eCH-0020:moveInPerson>", "</eCH-0020:moveInPerson>");
    let main = between("<eCH-0020:hasMainResidence>", "</eCH-0020:hasMainResidence>");
    let head = &s[..s.find("<eCH-0020:moveIn>").unwrap()];
    let head = head.replace(
        "<eCH-0058:subMessageType>eventMoveIn</eCH-0058:subMessageType>",
        "",
    );
    let message = format!(
        "<eCH-0020:messages><eCH-0020:baseDeliveryPerson>{person}</eCH-0020:baseDeliveryPerson>\
         <eCH-0020:hasMainResidence>{main}</eCH-0020:hasMainResidence></eCH-0020:messages>\n"
    );
    format!(
        "{head}<eCH-0020:baseDelivery>\n{}</eCH-0020:baseDelivery></eCH-0020:delivery>\n",
        message.repeat(3)
    )
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn an_ech0020_base_delivery_streams_and_is_written_back_xsd_valid() {
    let xml = base_delivery();
    xmllint_valid(&xml, "eCH-0020-3-0.xsd", "base-input");
    assert_eq!(rewrite::<BaseDelivery>(&xml, "eCH-0020-3-0.xsd", "base"), 3);
    let (info, report) = egov_ech::stream::validate_any(xml.as_bytes(), Limits::default())
        .unwrap()
        .unwrap();
    assert_eq!(info.to_string(), "eCH-0020 v3 delivery");
    assert!(report.is_valid(), "{:?}", report.errors);
    assert_eq!(report.records, 3);
}
