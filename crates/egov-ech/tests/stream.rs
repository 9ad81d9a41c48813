//! Large deliveries record by record: a synthetic eCH-0045 v6 voter register read, validated and
//! written one voter at a time.

#![cfg(feature = "ech0045")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/voters.rs"]
mod voters;

use std::io::BufReader;

use egov_ech::read::{ContentError, Limits};
use egov_ech::stream::{RecordWriter, Records, StreamError, VoterList};
use voters::{Prefixes, VoterRegister};

fn open(xml: &str) -> Records<&[u8], VoterList> {
    Records::open(xml.as_bytes(), Limits::default()).unwrap()
}

#[test]
fn yields_every_voter_typed_with_the_header() {
    let xml = voters::document(25, Prefixes::Conventional);
    let mut records = open(&xml);
    let header = records.header().expect("valid header").clone();
    assert_eq!(*header.number_of_voters.get(), 25);
    assert_eq!(header.delivery_header.sender_id.get(), "T1-942-1");
    let mut vns = Vec::new();
    for record in records.by_ref() {
        let voter = record.unwrap();
        let json = serde_json::to_value(&voter).unwrap();
        let vn = json
            .pointer("/person/swiss/swissDomesticPerson/personIdentification/vn")
            .unwrap();
        vns.push(vn.to_string().trim_matches('"').to_owned());
    }
    assert_eq!(records.records_read(), 25);
    assert!(
        records.document_errors().is_empty(),
        "{:?}",
        records.document_errors()
    );
    let expected: Vec<String> = (1..=25).map(voters::ahv).collect();
    assert_eq!(vns, expected);
}

#[test]
fn streamed_voters_equal_the_whole_document_read_at_once() {
    let xml = voters::document(12, Prefixes::Conventional);
    let whole = egov_ech::document::read_any(xml.as_bytes(), Limits::default()).unwrap();
    let streamed: Vec<serde_json::Value> = open(&xml)
        .map(|r| serde_json::to_value(r.unwrap()).unwrap())
        .collect();
    let listed = whole
        .content
        .pointer("/voterList/voter")
        .unwrap()
        .as_array()
        .unwrap();
    assert_eq!(listed, &streamed);
}

#[test]
fn jaxb_prefixes_read_the_same() {
    let conventional: Vec<_> = open(&voters::document(5, Prefixes::Conventional))
        .map(Result::unwrap)
        .collect();
    let jaxb_xml = voters::document(5, Prefixes::Jaxb);
    assert!(jaxb_xml.contains("<ns2:voter>"));
    let jaxb: Vec<_> = open(&jaxb_xml).map(Result::unwrap).collect();
    assert_eq!(conventional, jaxb);
}

#[test]
fn a_bad_record_is_reported_with_its_number_and_path_and_reading_goes_on() {
    let mut xml = voters::head(6, Prefixes::Conventional);
    for i in 0..6 {
        let mut v = voters::voter(i, Prefixes::Conventional);
        if i == 2 {
            // A wrong AHV check digit.
            let good = voters::ahv(3);
            let mut bad = good.clone();
            let last = bad.pop().unwrap();
            bad.push(if last == '0' { '1' } else { '0' });
            v = v.replace(&good, &bad);
        }
        if i == 4 {
            v = v.replace("<eCH-0045:dataLock>0</eCH-0045:dataLock>", "");
        }
        xml.push_str(&v);
    }
    xml.push_str(&voters::tail(Prefixes::Conventional));
    let results: Vec<_> = open(&xml).collect();
    assert_eq!(results.len(), 6);
    let bad: Vec<(u64, Vec<String>)> = results
        .iter()
        .filter_map(|r| match r {
            Err(StreamError::Record { index, errors, .. }) => {
                Some((*index, errors.iter().map(|e| e.location.path.clone()).collect()))
            }
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        })
        .collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert_eq!(bad[0].0, 3);
    assert_eq!(
        bad[0].1,
        ["/voterDelivery/voterList/voter/person/swiss/swissDomesticPerson/personIdentification/vn"]
    );
    assert_eq!(bad[1].0, 5);
    assert!(
        bad[1].1.iter().all(|p| p == "/voterDelivery/voterList/voter"),
        "{bad:?}"
    );

    let report = open(&xml).validate();
    assert_eq!(report.records, 6);
    assert_eq!(report.invalid_records, 2);
    assert!(!report.is_valid());
    assert!(
        report
            .errors
            .iter()
            .any(|e| matches!(e.error, ContentError::MissingElement { name: "dataLock" })),
        "{:?}",
        report.errors
    );
}

#[test]
fn number_of_voters_must_match_the_list() {
    let xml = voters::document(3, Prefixes::Conventional).replace(
        "<eCH-0045:numberOfVoters>3</eCH-0045:numberOfVoters>",
        "<eCH-0045:numberOfVoters>4</eCH-0045:numberOfVoters>",
    );
    let report = open(&xml).validate();
    assert_eq!(report.records, 3);
    assert_eq!(report.invalid_records, 0);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = report.errors[0].to_string();
    assert!(e.contains("numberOfVoters is 4") && e.contains("3 voter"), "{e}");
    assert_eq!(report.errors[0].location.path, "/voterDelivery/voterList");
}

#[test]
fn header_errors_have_full_paths_and_do_not_stop_the_records() {
    let xml = voters::document(2, Prefixes::Conventional)
        .replace(
            "<eCH-0058:action>1</eCH-0058:action>",
            "<eCH-0058:action>7</eCH-0058:action>",
        )
        .replace(
            "<eCH-0045:registerName>Stimmregister Thun</eCH-0045:registerName>",
            "",
        );
    let mut records = open(&xml);
    assert!(records.header().is_none());
    let paths: Vec<_> = records
        .document_errors()
        .iter()
        .map(|e| e.location.path.clone())
        .collect();
    assert!(
        paths.contains(&"/voterDelivery/deliveryHeader/action".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("/voterDelivery/voterList/reportingAuthority/municipalityRegister")),
        "{paths:?}"
    );
    assert_eq!(records.by_ref().filter(Result::is_ok).count(), 2);
}

#[test]
fn elements_out_of_place_and_missing_records_are_reported() {
    let xml = voters::head(0, Prefixes::Conventional)
        + "<eCH-0045:stray>x</eCH-0045:stray>"
        + &voters::tail(Prefixes::Conventional);
    let report = open(&xml).validate();
    assert_eq!(report.records, 0);
    let kinds: Vec<_> = report.errors.iter().map(|e| e.error.clone()).collect();
    assert!(
        kinds
            .iter()
            .any(|k| matches!(k, ContentError::UnexpectedElement { .. })),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|k| matches!(k, ContentError::TooFew { name: "voter", .. })),
        "{kinds:?}"
    );
}

#[test]
fn a_truncated_register_ends_the_stream_with_a_read_error() {
    let xml = voters::document(4, Prefixes::Conventional);
    let cut = &xml[..xml.len() * 2 / 3];
    let results: Vec<_> = open(cut).collect();
    let last = results.last().unwrap();
    assert!(matches!(last, Err(StreamError::Read(_))), "{last:?}");
    assert!(results[..results.len() - 1].iter().all(Result::is_ok));
}

#[test]
fn the_wrong_kind_of_document_is_refused() {
    let xml = r#"<eCH-0058:header xmlns:eCH-0058="http://www.ech.ch/xmlns/eCH-0058/5"/>"#;
    let err = Records::<_, VoterList>::open(xml.as_bytes(), Limits::default()).unwrap_err();
    assert!(matches!(err, StreamError::WrongRoot { .. }), "{err}");
}

#[test]
fn a_generated_register_streams_through_without_being_held() {
    // The register is produced while it is read; nothing holds more than one batch of voters.
    let input = BufReader::new(VoterRegister::new(3_000, Prefixes::Jaxb));
    let report = Records::<_, VoterList>::open(input, Limits::default())
        .unwrap()
        .validate();
    assert!(report.is_valid(), "{:?}", report.errors.first());
    assert_eq!(report.records, 3_000);
}

#[test]
fn written_record_by_record_reads_back_equal() {
    let xml = voters::document(10, Prefixes::Jaxb);
    let mut records = open(&xml);
    let header = records.header().unwrap().clone();
    let mut writer = RecordWriter::<_, VoterList>::new(Vec::new(), header.clone(), None);
    let mut originals = Vec::new();
    for r in records.by_ref() {
        let v = r.unwrap();
        writer.write(&v).unwrap();
        originals.push(v);
    }
    let out = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<eCH-0045:voterDelivery"));
    // Every namespace is declared once, on the root.
    assert_eq!(out.matches("xmlns:eCH-0044=").count(), 1, "{}", &out[..600]);
    let mut again = open(&out);
    assert_eq!(again.header(), Some(&header));
    let reread: Vec<_> = again.by_ref().map(Result::unwrap).collect();
    assert_eq!(reread, originals);
    assert!(again.document_errors().is_empty());
    // And the whole-document reader agrees.
    egov_ech::document::validate(out.as_bytes(), Limits::default()).unwrap();
}

#[test]
fn the_writer_refuses_a_count_that_disagrees_with_the_header() {
    let xml = voters::document(2, Prefixes::Conventional);
    let mut records = open(&xml);
    let header = records.header().unwrap().clone();
    let first = records.next().unwrap().unwrap();
    let mut writer = RecordWriter::<_, VoterList>::new(Vec::new(), header, None);
    writer.write(&first).unwrap();
    let err = writer.finish().unwrap_err();
    assert!(matches!(err, StreamError::Count(_)), "{err}");
}

#[test]
fn another_alternative_of_the_root_is_not_a_record_stream() {
    let xml = voters::head(1, Prefixes::Conventional);
    let cut = xml.find("<eCH-0045:voterList>").unwrap();
    let xml = format!(
        "{}<eCH-0045:removeVoter><eCH-0045:x/></eCH-0045:removeVoter></eCH-0045:voterDelivery>",
        &xml[..cut]
    );
    let err = Records::<_, VoterList>::open(xml.as_bytes(), Limits::default()).unwrap_err();
    assert!(
        matches!(err, StreamError::NotRecords { ref found } if found == "removeVoter"),
        "{err}"
    );
    assert!(
        egov_ech::stream::validate_any(xml.as_bytes(), Limits::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn validate_any_recognises_a_voter_register() {
    let xml = voters::document(7, Prefixes::Jaxb);
    let (info, report) = egov_ech::stream::validate_any(xml.as_bytes(), Limits::default())
        .unwrap()
        .expect("a voter register streams");
    assert_eq!(info.to_string(), "eCH-0045 v6 voterDelivery");
    assert!(report.is_valid());
    assert_eq!(report.records, 7);
    // A header, not a delivery of records.
    let header = r#"<eCH-0058:header xmlns:eCH-0058="http://www.ech.ch/xmlns/eCH-0058/5"/>"#;
    assert!(
        egov_ech::stream::validate_any(header.as_bytes(), Limits::default())
            .unwrap()
            .is_none()
    );
}
