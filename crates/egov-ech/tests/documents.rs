//! Reading and writing whole documents with the generated eCH-0058 v5 and eCH-0044 v4 types:
//! round trips, prefix-agnostic reading, every content error with its path, hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use egov_ech::ech0058::v5::{Action, Header, NAMESPACE};
use egov_ech::read::{ContentError, Limits, ReadError, read_document};
use egov_ech::write::write_document;

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<eCH-0058:header xmlns:eCH-0058="http://www.ech.ch/xmlns/eCH-0058/5">
  <eCH-0058:senderId>T1-351-1</eCH-0058:senderId>
  <eCH-0058:recipientId>T2-BE-1</eCH-0058:recipientId>
  <eCH-0058:recipientId>T3-CH-1</eCH-0058:recipientId>
  <eCH-0058:messageId>0f6d6f3c-2b1a-4c9d-8e7f-123456789abc</eCH-0058:messageId>
  <eCH-0058:messageType>http://www.ech.ch/xmlns/eCH-0020/3</eCH-0058:messageType>
  <eCH-0058:sendingApplication>
    <eCH-0058:manufacturer>Basisdienste</eCH-0058:manufacturer>
    <eCH-0058:product>online-counter</eCH-0058:product>
    <eCH-0058:productVersion>0.1</eCH-0058:productVersion>
  </eCH-0058:sendingApplication>
  <eCH-0058:subject>Zuzug &amp; Wohnsitz</eCH-0058:subject>
  <eCH-0058:messageDate>2026-11-23T10:15:30+01:00</eCH-0058:messageDate>
  <eCH-0058:action>1</eCH-0058:action>
  <eCH-0058:testDeliveryFlag>true</eCH-0058:testDeliveryFlag>
  <eCH-0058:extension><app:note xmlns:app="urn:example:app" level="2">kept <app:b>as read</app:b></app:note></eCH-0058:extension>
</eCH-0058:header>
"#;

fn read(xml: &str) -> Result<Header, ReadError> {
    read_document(xml.as_bytes(), NAMESPACE, "header", Limits::default())
}

fn errors(xml: &str) -> Vec<String> {
    match read(xml) {
        Err(ReadError::Invalid(errors)) => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected content errors, got {other:?}"),
    }
}

#[test]
fn reads_typed_values() {
    let h = read(HEADER).unwrap();
    assert_eq!(h.sender_id.get(), "T1-351-1");
    assert_eq!(h.recipient_id.len(), 2);
    assert_eq!(h.action, Action::V1);
    assert!(*h.test_delivery_flag.get());
    assert_eq!(h.subject.as_ref().unwrap().get(), "Zuzug & Wohnsitz");
    assert_eq!(h.message_date.get().tz.unwrap().offset_minutes(), 60);
    let ext = h.extension.as_ref().unwrap();
    assert_eq!(ext.name, "extension");
}

#[test]
fn write_then_read_gives_the_same_value() {
    let h = read(HEADER).unwrap();
    let xml = write_document(&h, NAMESPACE, "header", None);
    assert!(
        xml.contains("<eCH-0058:header xmlns:eCH-0058=\"http://www.ech.ch/xmlns/eCH-0058/5\""),
        "{xml}"
    );
    assert!(
        xml.contains("<eCH-0058:subject>Zuzug &amp; Wohnsitz</eCH-0058:subject>"),
        "{xml}"
    );
    assert_eq!(read(&xml).unwrap(), h);
    let with_location = write_document(
        &h,
        NAMESPACE,
        "header",
        Some("http://www.ech.ch/xmlns/eCH-0058/5 eCH-0058-5-0.xsd"),
    );
    assert!(with_location.contains("xsi:schemaLocation="));
    assert_eq!(read(&with_location).unwrap(), h);
}

#[test]
fn prefixes_do_not_matter() {
    let a = read(HEADER).unwrap();
    let jaxb = HEADER
        .replace("eCH-0058:", "ns2:")
        .replace("xmlns:eCH-0058=", "xmlns:ns2=");
    assert_eq!(read(&jaxb).unwrap(), a);
    let default = HEADER
        .replace("eCH-0058:", "")
        .replace("xmlns:eCH-0058=", "xmlns=");
    assert_eq!(read(&default).unwrap(), a);
}

#[test]
fn json_round_trip() {
    let h = read(HEADER).unwrap();
    let json = serde_json::to_string(&h).unwrap();
    assert!(json.contains("\"senderId\":\"T1-351-1\""), "{json}");
    assert_eq!(serde_json::from_str::<Header>(&json).unwrap(), h);
    // Facets hold for JSON input too.
    let bad = json.replace("0f6d6f3c-2b1a-4c9d-8e7f-123456789abc", &"x".repeat(37));
    assert!(serde_json::from_str::<Header>(&bad).is_err());
}

#[test]
fn every_content_error_is_reported_with_its_path() {
    let broken = HEADER
        .replace(
            "<eCH-0058:action>1</eCH-0058:action>",
            "<eCH-0058:action>2</eCH-0058:action>",
        )
        .replace(
            "<eCH-0058:manufacturer>Basisdienste</eCH-0058:manufacturer>",
            &format!(
                "<eCH-0058:manufacturer>{}</eCH-0058:manufacturer>",
                "M".repeat(31)
            ),
        )
        .replace(
            "<eCH-0058:messageId>0f6d6f3c-2b1a-4c9d-8e7f-123456789abc</eCH-0058:messageId>",
            "",
        )
        .replace(
            "<eCH-0058:subject>",
            "<eCH-0058:surprise>x</eCH-0058:surprise><eCH-0058:subject>",
        )
        .replace(
            "<eCH-0058:testDeliveryFlag>true",
            "<eCH-0058:testDeliveryFlag>yes",
        );
    let e = errors(&broken);
    let has = |path: &str, text: &str| e.iter().any(|x| x.starts_with(path) && x.contains(text));
    assert!(
        has("/header/action", "is not one of 1, 3, 4, 5, 6, 8, 9, 10, 12"),
        "{e:#?}"
    );
    assert!(
        has("/header/sendingApplication/manufacturer", "must have at most 30"),
        "{e:#?}"
    );
    assert!(has("/header ", "missing element messageId"), "{e:#?}");
    assert!(has("/header/surprise", "unexpected element"), "{e:#?}");
    assert!(has("/header/testDeliveryFlag", "is not a boolean"), "{e:#?}");
    assert_eq!(e.len(), 5, "{e:#?}");
}

#[test]
fn order_and_cardinality() {
    let swapped = HEADER
        .replace("<eCH-0058:action>1</eCH-0058:action>", "")
        .replace(
            "</eCH-0058:extension>",
            "</eCH-0058:extension><eCH-0058:action>1</eCH-0058:action>",
        );
    assert!(errors(&swapped).iter().any(|x| x.contains("out of order")));
    let twice = HEADER.replace(
        "<eCH-0058:action>1</eCH-0058:action>",
        "<eCH-0058:action>1</eCH-0058:action><eCH-0058:action>3</eCH-0058:action>",
    );
    assert!(errors(&twice).iter().any(|x| x.contains("action occurs 2 times")));
}

#[test]
fn hostile_input_is_refused() {
    let doctype = HEADER.replacen(
        "<eCH-0058:header",
        "<!DOCTYPE x [<!ENTITY lol \"lol\">]><eCH-0058:header",
        1,
    );
    assert!(matches!(read(&doctype), Err(ReadError::Doctype { .. })));
    let entity = HEADER.replace("Zuzug &amp; Wohnsitz", "&lol;");
    assert!(matches!(read(&entity), Err(ReadError::Entity { ref name, .. }) if name == "lol"));
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    let deep = HEADER.replace("<app:b>as read</app:b>", &deep);
    assert!(matches!(
        read(&deep),
        Err(ReadError::Limit {
            what: "element depth",
            ..
        })
    ));
    let truncated = &HEADER[..HEADER.len() / 2];
    assert!(matches!(read(truncated), Err(ReadError::Xml { .. })));
    let wrong_root = HEADER.replace("eCH-0058:header", "eCH-0058:eventReport");
    assert!(matches!(read(&wrong_root), Err(ReadError::WrongRoot { .. })));
}

#[test]
fn facet_checks_on_constructors() {
    use egov_ech::ech0044::v4::Vn;
    assert!(Vn::new(7_561_234_567_897).is_ok());
    assert!(Vn::new(7_550_000_000_000).is_err());
    assert!(
        "  7561234567897 ".parse::<Vn>().is_ok(),
        "whitespace is collapsed for numbers"
    );
    let err = ContentError::Value("x".parse::<Vn>().unwrap_err());
    assert!(err.to_string().contains("is not a non-negative integer"), "{err}");
}

#[test]
fn semantic_checks_beyond_the_xsd() {
    use egov_ech::ech0007::v6::MunicipalityId;
    use egov_ech::ech0044::v4::{PersonIdentification, Vn};
    use egov_ech::xs::FacetError;

    // AHV number: inside the XSD range, but the EAN-13 check digit is wrong.
    let err = Vn::new(7_561_234_567_898).unwrap_err();
    assert!(matches!(err, FacetError::Semantic { .. }), "{err:?}");
    assert!(err.to_string().contains("AHV number"), "{err}");
    assert!(Vn::new(7_561_234_567_897).is_ok());

    // BFS municipality numbers: Thun exists, 9999 is in the XSD range but no municipality.
    assert!(MunicipalityId::new(942).is_ok());
    let err = MunicipalityId::new(9999).unwrap_err();
    assert!(err.to_string().contains("BFS municipality register"), "{err}");
    // JSON input goes through the same constructor.
    assert!(serde_json::from_str::<MunicipalityId>("9999").is_err());

    // A document: the error names the element path, the rule and the value stays unaccepted.
    let xml = r#"<personIdentification xmlns="http://www.ech.ch/xmlns/eCH-0044/4">
  <vn>7561234567898</vn>
  <localPersonId><personIdCategory>MU.6172</personIdCategory><personId>42</personId></localPersonId>
  <officialName>Muster</officialName>
  <firstName>Anna</firstName>
  <sex>2</sex>
  <dateOfBirth><yearMonthDay>1990-05-01</yearMonthDay></dateOfBirth>
</personIdentification>"#;
    let result: Result<PersonIdentification, ReadError> = read_document(
        xml.as_bytes(),
        egov_ech::ech0044::v4::NAMESPACE,
        "personIdentification",
        Limits::default(),
    );
    let Err(ReadError::Invalid(errors)) = result else {
        panic!("expected content errors, got {result:?}");
    };
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(text[0].contains("/personIdentification/vn"), "{text:?}");
    assert!(text[0].contains("AHV number"), "{text:?}");
}

#[cfg(feature = "ech0097")]
#[test]
fn uid_numbers_are_checked() {
    use egov_ech::ech0097::v4::UidOrganisationId;
    // CHE-116.281.710 is valid; changing the last digit breaks the mod-11 check.
    assert!(UidOrganisationId::new(116_281_710).is_ok());
    let err = UidOrganisationId::new(116_281_711).unwrap_err();
    assert!(err.to_string().contains("UID"), "{err}");
}
