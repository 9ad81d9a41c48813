//! Sending an eCH message: the envelope from its eCH-0058 header.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egov_core::SedexId;
use egov_ech::ech0058::v5::{Header, NAMESPACE};
use egov_ech::read::{Limits, read_document};
use egov_sedex::{Envelope, EnvelopeParams, Error, HeaderFields, Outbox, envelope_for_header};

fn header(message_type: &str, recipients: &[&str], message_id: &str) -> Header {
    let rcpt: String = recipients
        .iter()
        .map(|r| format!("<h:recipientId>{r}</h:recipientId>"))
        .collect();
    let xml = format!(
        r#"<h:header xmlns:h="http://www.ech.ch/xmlns/eCH-0058/5">
  <h:senderId>T1-351-1</h:senderId>{rcpt}
  <h:messageId>{message_id}</h:messageId>
  <h:messageType>{message_type}</h:messageType>
  <h:sendingApplication><h:manufacturer>B</h:manufacturer><h:product>p</h:product><h:productVersion>1</h:productVersion></h:sendingApplication>
  <h:messageDate>2026-11-23T10:15:30</h:messageDate>
  <h:eventDate>2026-11-20</h:eventDate>
  <h:action>1</h:action>
  <h:testDeliveryFlag>true</h:testDeliveryFlag>
</h:header>"#
    );
    read_document(xml.as_bytes(), NAMESPACE, "header", Limits::default()).unwrap()
}

fn id(s: &str) -> SedexId {
    s.parse().unwrap()
}

#[test]
fn the_envelope_repeats_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path().join("outbox")).unwrap();
    let h = header(
        "http://www.ech.ch/xmlns/eCH-0020/3",
        &["T2-BE-1"],
        "0f6d6f3c-2b1a-4c9d",
    );
    let sent = outbox
        .send_message(b"<delivery/>", &h, &[id("T2-BE-1")], Some(20201))
        .unwrap();
    assert_eq!(sent.message_id.as_str(), "0f6d6f3c-2b1a-4c9d");
    let xml = std::fs::read(outbox.dir().join("envl_0f6d6f3c-2b1a-4c9d.xml")).unwrap();
    let env = Envelope::from_xml(&xml).unwrap();
    assert_eq!(env.sender().unwrap(), id("T1-351-1"));
    assert_eq!(env.message_type(), 20201);
    assert_eq!(env.message_date().to_string(), "2026-11-23 10:15:30");
    assert_eq!(env.event_date().to_string(), "2026-11-20 00:00:00");
    assert_eq!(
        std::fs::read(outbox.dir().join("data_0f6d6f3c-2b1a-4c9d.xml")).unwrap(),
        b"<delivery/>"
    );
}

#[test]
fn disagreements_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(dir.path().join("outbox")).unwrap();
    // Recipients differ from the header's.
    let h = header("99", &["T2-BE-1"], "m-1");
    let err = outbox
        .send_message(b"<d/>", &h, &[id("T3-CH-1")], None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::HeaderMismatch {
                field: "recipientId",
                ..
            }
        ),
        "{err}"
    );
    // A numeric header type that differs from the given one.
    let err = outbox
        .send_message(b"<d/>", &h, &[id("T2-BE-1")], Some(98))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::HeaderMismatch {
                field: "messageType",
                ..
            }
        ),
        "{err}"
    );
    // A URI type without a sedex type.
    let h2 = header("urn:x", &[], "m-2");
    let err = outbox
        .send_message(b"<d/>", &h2, &[id("T2-BE-1")], None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Field {
                field: "messageType",
                ..
            }
        ),
        "{err}"
    );
    // An eCH-0058 id sedex does not accept.
    let h3 = header("99", &[], "m_3");
    assert!(matches!(
        outbox.send_message(b"<d/>", &h3, &[id("T2-BE-1")], None),
        Err(Error::MessageId { .. })
    ));
    assert!(std::fs::read_dir(outbox.dir()).unwrap().next().is_none());
    // The numeric header type is taken when none is given.
    outbox.send_message(b"<d/>", &h, &[id("T2-BE-1")], None).unwrap();
}

#[test]
fn check_compares_a_separately_built_envelope() {
    let h = HeaderFields::from_header(&header("99", &[], "m-9")).unwrap();
    let good = Envelope::build(envelope_for_header(&h, &[id("T2-BE-1")], None).unwrap()).unwrap();
    h.check(&good).unwrap();
    let mut p = EnvelopeParams::new(id("T1-351-1"), vec![id("T2-BE-1")], 99);
    p.message_id = Some("other".parse().unwrap());
    let bad = Envelope::build(p).unwrap();
    assert!(matches!(
        h.check(&bad),
        Err(Error::HeaderMismatch {
            field: "messageId",
            ..
        })
    ));
}
