//! Round trips through the local simulator: every receipt code it issues, receipt tracking,
//! the inbox reader and its restart behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use egov_core::SedexId;
use egov_sedex::{
    EnvelopeParams, Inbox, MessageState, Outbox, Receipt, ReceiptStatus, RecipientState, Simulator, Tracker,
    read_receipts,
};

fn id(s: &str) -> SedexId {
    s.parse().unwrap()
}

struct World {
    _root: tempfile::TempDir,
    sim: Simulator,
    a: SedexId,
    b: SedexId,
    c: SedexId,
}

fn world() -> World {
    let root = tempfile::tempdir().unwrap();
    let sim = Simulator::new(root.path());
    let (a, b, c) = (id("T1-261-1"), id("T2-ZH-1"), id("T3-CH-1"));
    for p in [&a, &b, &c] {
        sim.add_participant(p).unwrap();
    }
    World {
        _root: root,
        sim,
        a,
        b,
        c,
    }
}

impl World {
    fn outbox(&self) -> Outbox {
        Outbox::new(self.sim.folder(&self.a, "outbox")).unwrap()
    }
    fn tracker(&self) -> Tracker {
        let o = self.outbox();
        Tracker::new(o.journal(), self.sim.folder(&self.a, "receipts"))
    }
    fn params(&self, mid: &str, to: Vec<SedexId>) -> EnvelopeParams {
        let mut p = EnvelopeParams::new(self.a.clone(), to, 4711);
        p.message_id = Some(mid.parse().unwrap());
        p
    }
    fn receipts(&self) -> Vec<Receipt> {
        read_receipts(&self.sim.folder(&self.a, "receipts"))
            .unwrap()
            .into_iter()
            .map(|(_, r)| r.unwrap())
            .collect()
    }
    fn state(&self, mid: &str) -> MessageState {
        self.tracker().state(&mid.parse().unwrap()).unwrap().unwrap()
    }
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.') && n != "processed")
        .collect();
    v.sort();
    v
}

#[test]
fn delivered_100_to_every_recipient_and_read_from_the_inbox() {
    let w = world();
    let sent = w
        .outbox()
        .send_bytes(
            &[("m.xml", b"<m/>")],
            w.params("ok-1", vec![w.b.clone(), w.c.clone()]),
        )
        .unwrap();
    assert!(matches!(w.state("ok-1").recipients[0].1, RecipientState::Sent));
    let report = w.sim.run_once().unwrap();
    assert_eq!(report.messages, 1);
    let receipts = w.receipts();
    assert_eq!(receipts.len(), 2);
    assert!(
        receipts
            .iter()
            .all(|r| r.status == ReceiptStatus::Delivered && r.version == 2)
    );
    let state = w.state("ok-1");
    assert!(state.all_delivered() && !state.any_failed());
    assert_eq!(state.message, sent);
    // The sent files moved to processed/.
    assert!(files(&w.sim.folder(&w.a, "outbox")).is_empty());
    assert_eq!(files(&w.sim.folder(&w.a, "processed")).len(), 2);
    // Each recipient finds it under sedex's new name, correlated by the envelope.
    for r in [&w.b, &w.c] {
        let inbox = Inbox::new(w.sim.folder(r, "inbox"));
        let msgs = inbox.pending().unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].message_id.as_str(), "ok-1");
        assert_eq!(msgs[0].sender, w.a);
        assert_ne!(msgs[0].key, "ok-1");
        assert_eq!(std::fs::read(&msgs[0].payload_path).unwrap(), b"<m/>");
    }
    // A second pass does nothing more.
    assert_eq!(w.sim.run_once().unwrap().messages, 0);
}

#[test]
fn unknown_recipient_301_fails_only_that_recipient() {
    let w = world();
    w.outbox()
        .send_bytes(
            &[("m.xml", b"<m/>")],
            w.params("u-1", vec![w.b.clone(), id("T9-NOPE-1")]),
        )
        .unwrap();
    w.sim.run_once().unwrap();
    let state = w.state("u-1");
    assert!(matches!(state.recipients[0].1, RecipientState::Delivered { .. }));
    match &state.recipients[1].1 {
        RecipientState::Failed {
            status,
            meaning,
            retryable,
            ..
        } => {
            assert_eq!(*status, ReceiptStatus::UnknownRecipient);
            assert_eq!(status.code(), 301);
            assert_eq!(*meaning, "unknown recipient id");
            assert!(!retryable);
        }
        other => panic!("{other:?}"),
    }
    assert!(state.any_failed());
}

#[test]
fn duplicate_message_id_201() {
    let w = world();
    w.outbox()
        .send_bytes(&[("m.xml", b"<m/>")], w.params("d-1", vec![w.b.clone()]))
        .unwrap();
    w.sim.run_once().unwrap();
    // Another application of the same sender, with its own journal, reuses the id.
    let other = Outbox::new(w.sim.folder(&w.a, "outbox"))
        .unwrap()
        .with_journal(w.sim.folder(&w.a, "other-journal"));
    other
        .send_bytes(&[("m.xml", b"<m2/>")], w.params("d-1", vec![w.b.clone()]))
        .unwrap();
    w.sim.run_once().unwrap();
    let codes: Vec<u16> = w.receipts().iter().map(|r| r.status.code()).collect();
    assert_eq!(codes.len(), 2);
    assert!(codes.contains(&100) && codes.contains(&201), "{codes:?}");
    // The final receipts rank by time: the tracker shows the later 201.
    assert!(w.state("d-1").any_failed());
    assert_eq!(
        Inbox::new(w.sim.folder(&w.b, "inbox")).pending().unwrap().len(),
        1
    );
}

#[test]
fn missing_payload_202_and_invalid_envelope_200() {
    let w = world();
    let outbox_dir = w.sim.folder(&w.a, "outbox");
    w.outbox()
        .send_bytes(&[("m.xml", b"<m/>")], w.params("p-1", vec![w.b.clone()]))
        .unwrap();
    std::fs::remove_file(outbox_dir.join("data_p-1.xml")).unwrap();
    std::fs::write(outbox_dir.join("envl_broken-1.xml"), "<envelope>no</envelope>").unwrap();
    std::fs::write(outbox_dir.join("data_broken-1.xml"), "<m/>").unwrap();
    w.sim.run_once().unwrap();
    let receipts = w.receipts();
    let p = receipts.iter().find(|r| r.message_id.as_str() == "p-1").unwrap();
    assert_eq!(p.status, ReceiptStatus::NoPayload);
    assert_eq!(p.recipient, w.b);
    let b = receipts
        .iter()
        .find(|r| r.message_id.as_str() == "broken-1")
        .unwrap();
    assert_eq!(b.status, ReceiptStatus::InvalidEnvelope);
    assert!(matches!(
        &w.state("p-1").recipients[0].1,
        RecipientState::Failed {
            status: ReceiptStatus::NoPayload,
            ..
        }
    ));
    assert!(
        Inbox::new(w.sim.folder(&w.b, "inbox"))
            .pending()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn foreign_sender_300() {
    let w = world();
    let mut p = w.params("f-1", vec![w.b.clone()]);
    p.sender = w.c.clone();
    w.outbox().send_bytes(&[("m.xml", b"<m/>")], p).unwrap();
    w.sim.run_once().unwrap();
    assert_eq!(w.receipts()[0].status, ReceiptStatus::UnknownSender);
}

#[test]
fn intermediate_and_warning_receipts_do_not_override_a_final_one() {
    let w = world();
    w.outbox()
        .send_bytes(&[("m.xml", b"<m/>")], w.params("s-1", vec![w.b.clone()]))
        .unwrap();
    let dir = w.sim.folder(&w.a, "receipts");
    let mut r = Receipt {
        event_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        status: ReceiptStatus::Sent,
        status_info: "sent".into(),
        message_id: "s-1".parse().unwrap(),
        message_type: 4711,
        message_class: 0,
        sender: w.a.clone(),
        recipient: w.b.clone(),
        version: 2,
    };
    std::fs::write(dir.join("r1.xml"), r.to_xml().unwrap()).unwrap();
    assert!(matches!(
        w.state("s-1").recipients[0].1,
        RecipientState::InProgress { .. }
    ));
    r.status = ReceiptStatus::ExpiresSoon;
    r.event_date += chrono::Duration::days(20);
    std::fs::write(dir.join("r2.xml"), r.to_xml().unwrap()).unwrap();
    assert!(matches!(
        w.state("s-1").recipients[0].1,
        RecipientState::ExpiringSoon { .. }
    ));
    r.status = ReceiptStatus::Expired;
    r.event_date -= chrono::Duration::days(1);
    std::fs::write(dir.join("r3.xml"), r.to_xml().unwrap()).unwrap();
    match &w.state("s-1").recipients[0].1 {
        RecipientState::Failed { status, .. } => assert_eq!(status.code(), 204),
        other => panic!("{other:?}"),
    }
    // A transport error is a retryable failure.
    r.status = ReceiptStatus::from_code(401);
    r.event_date += chrono::Duration::days(2);
    std::fs::write(dir.join("r4.xml"), r.to_xml().unwrap()).unwrap();
    assert!(matches!(
        w.state("s-1").recipients[0].1,
        RecipientState::Failed { retryable: true, .. }
    ));
}

#[test]
fn inbox_hands_each_message_once_across_restarts() {
    let w = world();
    for mid in ["i-1", "i-2"] {
        w.outbox()
            .send_bytes(&[("m.xml", mid.as_bytes())], w.params(mid, vec![w.b.clone()]))
            .unwrap();
    }
    w.sim.run_once().unwrap();
    let dir = w.sim.folder(&w.b, "inbox");
    // The application accepts the first message and fails on the second.
    let mut seen = Vec::new();
    let result: Result<usize, egov_sedex::Error> = Inbox::new(&dir).receive(|m| {
        seen.push(m.message_id.to_string());
        if seen.len() == 2 {
            return Err(egov_sedex::Error::Payload(m.payload_path.clone(), "app failed"));
        }
        Ok(())
    });
    assert!(result.is_err());
    assert_eq!(seen.len(), 2);
    // Restart: only the failed one comes again.
    let inbox = Inbox::new(&dir);
    let pending = inbox.pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message_id.to_string(), seen[1]);
    let n: Result<usize, egov_sedex::Error> = inbox.receive(|_| Ok(()));
    assert_eq!(n.unwrap(), 1);
    assert!(Inbox::new(&dir).pending().unwrap().is_empty());
    assert!(files(&dir).is_empty());
    assert_eq!(files(inbox.processed_dir()).len(), 4);
}

#[test]
fn inbox_finishes_a_move_a_crash_interrupted_and_drops_redeliveries() {
    let w = world();
    w.outbox()
        .send_bytes(&[("m.xml", b"<m/>")], w.params("c-1", vec![w.b.clone()]))
        .unwrap();
    w.sim.run_once().unwrap();
    let dir = w.sim.folder(&w.b, "inbox");
    let inbox = Inbox::new(&dir);
    let msg = inbox.pending().unwrap().remove(0);
    // Crash inside confirm: the marker is written and the payload moved, the envelope not.
    let processed = inbox.processed_dir();
    std::fs::create_dir_all(processed).unwrap();
    std::fs::write(
        processed.join(format!(".done-{}-{}", msg.sender, msg.message_id)),
        "",
    )
    .unwrap();
    std::fs::rename(
        &msg.payload_path,
        processed.join(msg.payload_path.file_name().unwrap()),
    )
    .unwrap();
    let (pending, problems) = Inbox::new(&dir).scan().unwrap();
    assert!(
        pending.is_empty() && problems.is_empty(),
        "{pending:?} {problems:?}"
    );
    assert!(files(&dir).is_empty());
    // The same message delivered again is not handed out.
    std::fs::copy(
        processed.join(msg.envelope_path.file_name().unwrap()),
        dir.join("envl_77.xml"),
    )
    .unwrap();
    std::fs::write(dir.join("data_77.xml"), "<m/>").unwrap();
    assert!(Inbox::new(&dir).pending().unwrap().is_empty());
    assert!(files(&dir).is_empty());
}

#[test]
fn inbox_pairs_renamed_files_by_message_id_and_reports_incomplete_ones() {
    let w = world();
    w.outbox()
        .send_bytes(&[("m.xml", b"<m/>")], w.params("r-1", vec![w.b.clone()]))
        .unwrap();
    let out = w.sim.folder(&w.a, "outbox");
    let inbox_dir = w.sim.folder(&w.b, "inbox");
    std::fs::copy(out.join("envl_r-1.xml"), inbox_dir.join("envl_555.xml")).unwrap();
    std::fs::copy(out.join("data_r-1.xml"), inbox_dir.join("data_r-1.xml")).unwrap();
    std::fs::write(inbox_dir.join("envl_666.xml"), "<bad/>").unwrap();
    std::fs::write(inbox_dir.join("data_999.pdf"), "%PDF").unwrap();
    let (msgs, problems) = Inbox::new(&inbox_dir).scan().unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].key, "555");
    assert!(msgs[0].payload_path.ends_with("data_r-1.xml"));
    let mut bad: Vec<String> = problems
        .iter()
        .map(|p| p.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    bad.sort();
    assert_eq!(bad, ["data_999.pdf", "envl_666.xml"]);
}

/// Every status code sedex knows, through the simulator: the receipt carries it, the tracker
/// puts the recipient in the matching state, and only delivered or expiring messages reach the
/// inbox. The other recipient is delivered normally throughout.
#[test]
fn every_receipt_code_round_trips_through_the_simulator() {
    use egov_sedex::StatusClass;

    let w = world();
    for (n, &status) in ReceiptStatus::ALL.iter().enumerate() {
        let mid = format!("code-{}", status.code());
        w.sim.set_outcome(&w.b, Some(status));
        w.outbox()
            .send_bytes(
                &[("m.xml", b"<m/>")],
                w.params(&mid, vec![w.b.clone(), w.c.clone()]),
            )
            .unwrap();
        let report = w.sim.run_once().unwrap();
        assert_eq!(report.messages, 1, "{mid}");
        let to_b = report.receipts.iter().find(|r| r.recipient == w.b).unwrap();
        assert_eq!(to_b.status, status, "{mid}");
        assert_eq!(to_b.status.code(), status.code());

        // The receipt file reads back with the same code.
        assert!(
            w.receipts()
                .iter()
                .any(|r| r.message_id.as_str() == mid && r.status == status),
            "{mid}"
        );
        let state = w.state(&mid);
        let b_state = &state.recipients.iter().find(|(r, _)| *r == w.b).unwrap().1;
        match status.class() {
            StatusClass::Delivered => assert!(matches!(b_state, RecipientState::Delivered { .. }), "{mid}"),
            StatusClass::Intermediate => {
                assert!(matches!(b_state, RecipientState::InProgress { .. }), "{mid}");
            }
            StatusClass::Warning => assert!(matches!(b_state, RecipientState::ExpiringSoon { .. }), "{mid}"),
            StatusClass::Failed | StatusClass::Retryable => {
                assert!(b_state.is_failure(), "{mid}: {b_state:?}");
                assert!(state.any_failed());
            }
            other => panic!("unexpected class {other:?}"),
        }
        let c_state = &state.recipients.iter().find(|(r, _)| *r == w.c).unwrap().1;
        assert!(matches!(c_state, RecipientState::Delivered { .. }), "{mid}");

        let reached_b = matches!(status.class(), StatusClass::Delivered | StatusClass::Warning);
        let inbox_b = Inbox::new(w.sim.folder(&w.b, "inbox")).pending().unwrap();
        assert_eq!(
            inbox_b.iter().any(|m| m.message_id.as_str() == mid),
            reached_b,
            "{mid}"
        );
        assert_eq!(
            Inbox::new(w.sim.folder(&w.c, "inbox")).pending().unwrap().len(),
            n + 1
        );
    }
    // Back to normal.
    w.sim.set_outcome(&w.b, None);
    w.outbox()
        .send_bytes(&[("m.xml", b"<m/>")], w.params("normal-again", vec![w.b.clone()]))
        .unwrap();
    w.sim.run_once().unwrap();
    assert!(w.state("normal-again").all_delivered());
}
