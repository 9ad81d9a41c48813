//! `egov ech` as a user runs it, on small documents written here.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn egov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(args)
        .output()
        .expect("run egov")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("egov-ech-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// An eCH-0090 v1 envelope in the default namespace, as JAXB-free clients write it.
const ENVELOPE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<envelope xmlns="http://www.ech.ch/xmlns/eCH-0090/1" version="1.0">
  <messageId>cli-test-1</messageId>
  <messageType>10099</messageType>
  <messageClass>0</messageClass>
  <senderId>T1-261-1</senderId>
  <recipientId>T2-ZH-1</recipientId>
  <recipientId>T3-BE-7</recipientId>
  <eventDate>2026-11-23T00:00:00</eventDate>
  <messageDate>2026-11-23T10:15:00.250Z</messageDate>
  <testData>
    <name>case</name>
    <value>42</value>
  </testData>
</envelope>
"#;

#[test]
fn validate_accepts_a_valid_envelope_and_names_its_standard() {
    let f = tmp("envl_ok.xml");
    std::fs::write(&f, ENVELOPE).unwrap();
    let o = egov(&["ech", "validate", s(&f)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.contains("valid (eCH-0090 v1 envelope)"), "{out}");

    let o = egov(&["--json", "ech", "validate", s(&f)]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[0]["document"]["standard"], "eCH-0090");
    assert_eq!(v[0]["document"]["root"], "envelope");
}

#[test]
fn validate_reports_every_error_with_its_path_and_exits_1() {
    // Three faults: a message class that is not an integer (the XSD has xs:int), a sender id
    // that breaks the sedex pattern, and a missing messageDate.
    let bad = ENVELOPE
        .replace(
            "<messageClass>0</messageClass>",
            "<messageClass>zero</messageClass>",
        )
        .replace(
            "<senderId>T1-261-1</senderId>",
            "<senderId>not a sedex id</senderId>",
        )
        .replace("  <messageDate>2026-11-23T10:15:00.250Z</messageDate>\n", "");
    let f = tmp("envl_bad.xml");
    std::fs::write(&f, bad).unwrap();
    let o = egov(&["ech", "validate", s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("INVALID"), "{out}");
    assert!(out.contains("/envelope/messageClass"), "{out}");
    assert!(out.contains("/envelope/senderId"), "{out}");
    assert!(out.contains("messageDate"), "{out}");

    // A good and a bad file: exit 1, both reported.
    let good = tmp("envl_good2.xml");
    std::fs::write(&good, ENVELOPE).unwrap();
    let o = egov(&["--json", "ech", "validate", s(&good), s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[1]["valid"], false);
    assert!(v[1]["errors"].as_array().unwrap().len() >= 3, "{v}");
}

#[test]
fn not_xml_and_unknown_namespaces_are_errors_not_panics() {
    let f = tmp("broken.xml");
    std::fs::write(
        &f,
        "<envelope xmlns=\"http://www.ech.ch/xmlns/eCH-0090/1\"><messageId>",
    )
    .unwrap();
    let o = egov(&["ech", "validate", s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("INVALID"));

    let f = tmp("foreign.xml");
    std::fs::write(&f, "<root xmlns=\"urn:example:not-ech\"/>").unwrap();
    let o = egov(&["ech", "validate", s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("urn:example:not-ech"), "{}", stdout(&o));

    let o = egov(&["ech", "validate", s(&tmp("does-not-exist.xml"))]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn inspect_shows_standard_and_root() {
    let f = tmp("envl_inspect.xml");
    std::fs::write(&f, ENVELOPE).unwrap();
    let o = egov(&["--json", "ech", "inspect", s(&f)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["document"]["namespace"], "http://www.ech.ch/xmlns/eCH-0090/1");
    assert_eq!(v["document"]["version"], "1");
}

#[test]
fn convert_xml_to_json_and_back_keeps_every_value() {
    let xml = tmp("envl_convert.xml");
    std::fs::write(&xml, ENVELOPE).unwrap();
    let json = tmp("envl_convert.json");
    let o = egov(&["ech", "convert", s(&xml), "--to", "json", "-o", s(&json)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&json).unwrap();
    for value in [
        "cli-test-1",
        "10099",
        "T1-261-1",
        "T2-ZH-1",
        "T3-BE-7",
        "case",
        "42",
    ] {
        assert!(text.contains(value), "{value} missing from {text}");
    }

    let back = tmp("envl_back.xml");
    let o = egov(&["ech", "convert", s(&json), "--to", "xml", "-o", s(&back)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let written = std::fs::read_to_string(&back).unwrap();
    assert!(written.contains("eCH-0090:envelope"), "{written}");
    assert!(written.contains("2026-11-23T10:15:00.25"), "{written}");

    // The document we wrote validates, and converting it again gives the same JSON.
    let o = egov(&["ech", "validate", s(&back)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = egov(&["ech", "convert", s(&back), "--to", "json"]);
    let again: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(again, first);
}
