//! Runs the program's logic and reads the written message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egov_core::Language;
use notify_hello::{Hello, run};

async fn send(language: Language) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let hello = Hello::new("Luca Esempio", "luca@example.ch", language);
    let delivered = run(
        &hello,
        &dir.path().join("outbox.sqlite"),
        &dir.path().join("mail"),
    )
    .await
    .unwrap();
    assert_eq!(delivered.status, "delivered");
    assert!(delivered.path.starts_with(dir.path().join("mail").join("new")));
    let eml = std::fs::read_to_string(&delivered.path).unwrap();
    (eml, dir)
}

#[tokio::test]
async fn the_message_lands_in_the_chosen_language() {
    for (language, subject) in [
        (Language::Fr, "Subject: Salutations de la commune de Muster"),
        (Language::Rm, "Subject: Salids da la vischnanca da Muster"),
        (Language::En, "Subject: Greetings from the municipality of Muster"),
    ] {
        let (eml, _dir) = send(language).await;
        assert!(eml.contains(subject), "{language:?}: {eml}");
        assert!(eml.contains("luca@example.ch"), "{eml}");
        assert!(eml.contains("noreply@gemeinde-muster.example"), "{eml}");
        assert!(eml.contains("Luca Esempio"), "the name is filled in: {eml}");
        assert!(!eml.contains("((name))"));
    }
}

#[tokio::test]
async fn a_bad_address_is_refused_before_anything_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let hello = Hello::new("X", "not an address", Language::De);
    let err = run(
        &hello,
        &dir.path().join("outbox.sqlite"),
        &dir.path().join("mail"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, notify_hello::Error::Message(_)), "{err}");
    assert!(!dir.path().join("mail").exists());
}
