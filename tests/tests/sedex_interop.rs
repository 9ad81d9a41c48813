//! egov-sedex against the official eCH-0090 XSDs (xmllint) and the shared envelope and receipt
//! samples.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use egov_core::SedexId;
use egov_interop::shared_dir;
use egov_sedex::{
    Envelope, EnvelopeParams, Inbox, MessageClass, Outbox, Receipt, ReceiptStatus, Simulator, read_receipts,
};

fn xmllint_valid(file: &Path, xsd: &str) -> Result<(), String> {
    let xsd_dir: PathBuf = shared_dir().join("ech/xsd");
    let out = Command::new(egov_interop::peer("xmllint"))
        .env("XML_CATALOG_FILES", xsd_dir.join("catalog.xml"))
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd_dir.join(xsd))
        .arg(file)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("egov-sedex-interop-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn id(s: &str) -> SedexId {
    s.parse().unwrap()
}

fn samples(prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(shared_dir().join("ech/samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    v.sort();
    v
}

/// The text of the first `<…local>text</…local>` element, whatever its prefix.
fn element_text(xml: &str, local: &str) -> String {
    let re_start = xml
        .match_indices(local)
        .find(|(i, _)| {
            let before = &xml[..*i];
            (before.ends_with('<') || before.ends_with(':')) && xml[i + local.len()..].starts_with('>')
        })
        .map(|(i, _)| i + local.len() + 1)
        .unwrap();
    xml[re_start..].split('<').next().unwrap().trim().to_owned()
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn every_envelope_we_write_validates_against_ech_0090_v1() {
    let dir = temp("envelopes");
    let outbox = Outbox::new(dir.join("outbox")).unwrap();
    let mut cases = Vec::new();
    cases.push(EnvelopeParams::new(id("T1-261-1"), vec![id("T2-ZH-1")], 99));
    let mut p = EnvelopeParams::new(
        id("1-6172-1"),
        vec![id("2-VS-1"), id("3-CH-1"), id("7-99999-2")],
        2_699_999,
    );
    p.message_class = MessageClass::Response;
    p.reference_message_id = Some("ref-1".parse().unwrap());
    p.loopback = Some(true);
    p.test_data = vec![("case".into(), "<&>".into()), ("n".into(), String::new())];
    p.message_id = Some("A".repeat(36).parse().unwrap());
    cases.push(p);
    let mut p = EnvelopeParams::new(id("T1-351-1"), vec![id("T0-sedex-0")], 0);
    p.message_class = MessageClass::Error;
    p.reference_message_id = Some("x".parse().unwrap());
    p.event_date = chrono::NaiveDate::from_ymd_opt(1999, 12, 31)
        .unwrap()
        .and_hms_opt(23, 59, 59)
        .unwrap();
    cases.push(p);
    let n = cases.len();
    for (i, p) in cases.into_iter().enumerate() {
        let sent = outbox
            .send_bytes(&[("p.xml", format!("<p>{i}</p>").as_bytes())], p)
            .unwrap();
        let file = outbox.dir().join(&sent.envelope_file);
        xmllint_valid(&file, "eCH-0090-1-0.xsd").unwrap_or_else(|e| panic!("case {i}: {e}"));
    }
    // Several payloads (ZIP) do not change the envelope's validity.
    let sent = outbox
        .send_bytes(
            &[("a.xml", b"<a/>"), ("b.pdf", b"%PDF")],
            EnvelopeParams::new(id("T1-261-1"), vec![id("T2-ZH-1")], 10301),
        )
        .unwrap();
    xmllint_valid(&outbox.dir().join(&sent.envelope_file), "eCH-0090-1-0.xsd").unwrap();
    assert_eq!(outbox.sent().unwrap().len(), n + 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn every_receipt_we_write_validates_against_ech_0090_v2() {
    let dir = temp("receipts");
    // The simulator's receipts: 100, 301, 202, 200.
    let sim = Simulator::new(dir.join("sim"));
    let (a, b) = (id("T1-261-1"), id("T2-ZH-1"));
    sim.add_participant(&a).unwrap();
    sim.add_participant(&b).unwrap();
    let outbox = Outbox::new(sim.folder(&a, "outbox")).unwrap();
    outbox
        .send_bytes(
            &[("m.xml", b"<m/>")],
            EnvelopeParams::new(a.clone(), vec![b.clone(), id("T9-X-1")], 99),
        )
        .unwrap();
    let sent = outbox
        .send_bytes(
            &[("m.xml", b"<m/>")],
            EnvelopeParams::new(a.clone(), vec![b.clone()], 99),
        )
        .unwrap();
    std::fs::remove_file(outbox.dir().join(&sent.payload_file)).unwrap();
    std::fs::write(outbox.dir().join("envl_bad.xml"), "<x/>").unwrap();
    sim.run_once().unwrap();
    let written = read_receipts(&sim.folder(&a, "receipts")).unwrap();
    let mut codes: Vec<u16> = written
        .iter()
        .map(|(_, r)| r.as_ref().unwrap().status.code())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, [100, 200, 202, 301]);
    for (file, _) in &written {
        xmllint_valid(file, "eCH-0090-2-0.xsd").unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    // Every status code, and an unknown one, written directly.
    let mut statuses: Vec<ReceiptStatus> = ReceiptStatus::ALL.to_vec();
    statuses.push(ReceiptStatus::from_code(999));
    for status in statuses {
        let r = Receipt {
            event_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
                .unwrap()
                .and_hms_milli_opt(8, 1, 2, 345)
                .unwrap(),
            status,
            status_info: status.meaning().to_owned(),
            message_id: "m-1".parse().unwrap(),
            message_type: 4711,
            message_class: 0,
            sender: id("T1-261-1"),
            recipient: id("T0-sedex-3"),
            version: 2,
        };
        let file = dir.join(format!("receipt_{}.xml", status.code()));
        std::fs::write(&file, r.to_xml().unwrap()).unwrap();
        xmllint_valid(&file, "eCH-0090-2-0.xsd").unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(Receipt::from_xml(&std::fs::read(&file).unwrap()).unwrap(), r);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn every_envelope_sample_reads_and_writes_back_valid() {
    let files = samples("envl_");
    assert!(files.len() >= 8, "{files:?}");
    let dir = temp("samples");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let env = Envelope::from_xml(text.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(
            env.message_id().as_str(),
            element_text(&text, "messageId"),
            "{}",
            f.display()
        );
        assert_eq!(env.sender().unwrap().as_str(), element_text(&text, "senderId"));
        assert_eq!(
            env.recipients().unwrap()[0].as_str(),
            element_text(&text, "recipientId")
        );
        assert_eq!(env.message_type().to_string(), element_text(&text, "messageType"));
        let out = dir.join(f.file_name().unwrap());
        std::fs::write(&out, env.to_xml()).unwrap();
        xmllint_valid(&out, "eCH-0090-1-0.xsd").unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(Envelope::from_xml(&std::fs::read(&out).unwrap()).unwrap(), env);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn every_receipt_sample_reads() {
    let files = samples("receipt_");
    assert!(files.len() >= 2, "{files:?}");
    let mut versions = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let r = Receipt::from_xml(text.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(r.status.code().to_string(), element_text(&text, "statusCode"));
        assert_eq!(r.message_id.as_str(), element_text(&text, "messageId"));
        assert_eq!(r.recipient.as_str(), element_text(&text, "recipientId"));
        assert_eq!(r.status_info, element_text(&text, "statusInfo"));
        let expected_version = if text.contains("eCH-0090/2") { 2 } else { 1 };
        assert_eq!(r.version, expected_version, "{}", f.display());
        versions.push(r.version);
    }
    // Both a v1 and a v2 receipt are among the samples.
    assert!(versions.contains(&1) && versions.contains(&2), "{versions:?}");
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn the_inbox_reader_pairs_the_sample_messages() {
    let dir = temp("inbox");
    let mut expected = Vec::new();
    for f in samples("envl_").into_iter().chain(samples("data_")) {
        std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
    }
    for f in samples("envl_") {
        let key = f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("envl_")
            .trim_end_matches(".xml")
            .to_owned();
        if dir.join(format!("data_{key}.xml")).exists() {
            expected.push(key);
        }
    }
    assert!(expected.len() >= 4, "{expected:?}");
    let (messages, _) = Inbox::new(&dir).scan().unwrap();
    for key in &expected {
        let m = messages
            .iter()
            .find(|m| m.key == *key)
            .unwrap_or_else(|| panic!("{key}"));
        assert!(m.payload_path.ends_with(format!("data_{key}.xml")));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
