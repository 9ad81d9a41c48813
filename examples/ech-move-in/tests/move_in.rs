//! The move-in: read into the generated types, round trip, sent and acknowledged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ech_move_in::{Error, MoveIn, delivery_xml, read, round_trip, run};
use egov_ech::ech0020::v3::{DeliveryChoice, EventMoveInChoice};

#[test]
fn the_move_in_is_sent_and_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let m = MoveIn::example().unwrap();
    let sent = run(&m, dir.path(), chrono::Utc::now()).unwrap();
    assert_eq!(sent.receipt_code, Some(100), "{}", sent.receipt);

    // The canton received exactly this delivery, with the header's message id on the envelope.
    let inbox = egov_sedex::Inbox::new(dir.path().join("T2-ZH-1").join("inbox"));
    let pending = inbox.pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message_id.as_str(), sent.message_id);
    let received = std::fs::read_to_string(&pending[0].payload_path).unwrap();
    let delivery = read(&received).unwrap();
    assert_eq!(
        delivery.delivery_header.base.message_id.to_string(),
        sent.message_id
    );
    let DeliveryChoice::MoveIn(event) = &delivery.choice else {
        panic!("not a moveIn");
    };
    assert!(matches!(event.choice, EventMoveInChoice::HasMainResidence(_)));
    let person = &event.move_in_person.person_identification;
    assert_eq!(person.vn.as_ref().map(|v| *v.get()), Some(m.ahvn13.as_u64()));
}

#[test]
fn writing_and_reading_back_gives_the_same_delivery() {
    let m = MoveIn::example().unwrap();
    let xml = delivery_xml(
        &m,
        &"T1-261-1".parse().unwrap(),
        &"T2-ZH-1".parse().unwrap(),
        "move-in-test-1",
        chrono::Utc::now(),
    );
    let delivery = read(&xml).unwrap();
    let written = round_trip(&delivery).unwrap();
    assert_eq!(read(&written).unwrap(), delivery);
    assert!(written.contains("Esempio"));
}

#[test]
fn a_wrong_ahv_number_is_refused_with_its_path() {
    let m = MoveIn::example().unwrap();
    let good = m.ahvn13.as_u64().to_string();
    let mut bad = good.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let xml = delivery_xml(
        &m,
        &"T1-261-1".parse().unwrap(),
        &"T2-ZH-1".parse().unwrap(),
        "move-in-test-2",
        chrono::Utc::now(),
    )
    .replace(&good, &bad);
    let err = read(&xml).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)));
    assert!(err.to_string().contains("vn"), "{err}");
}

#[test]
fn debug_does_not_print_the_ahv_number() {
    let m = MoveIn::example().unwrap();
    assert!(!format!("{m:?}").contains(&m.ahvn13.as_u64().to_string()));
}
