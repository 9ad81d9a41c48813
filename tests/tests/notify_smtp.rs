//! egov-notify's SMTP channel against a real SMTP server: aiosmtpd (PyPI) writing a maildir, read
//! back with Python's `email` package, the receiving side's view of headers, encodings and
//! attachments.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use egov_core::Language;
use egov_notify::channel::{Delivery, EmailTransport, Security, Sender, SmtpConfig, SmtpTransport};
use egov_notify::message::{Attachment, MessageId};
use egov_notify::template::{Personalisation, RenderOptions, Template, TemplateSource};
use egov_notify::{EmailAddress, Message};

fn python() -> String {
    std::env::var("EGOV_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

struct Server {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_aiosmtpd() -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = tempfile::tempdir().unwrap();
    let child = Command::new(python())
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir.path().join("Maildir"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd (pip) in the runner's venv; run tests/run-interop.sh");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Server { child, port, maildir }
}

fn read_maildir(server: &Server) -> Vec<serde_json::Value> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/read_maildir.py");
    let out = Command::new(python())
        .arg(script)
        .arg(server.maildir.path().join("Maildir"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
}

fn template() -> Template {
    Template::new(
        TemplateSource::email("bestaetigung", 2)
            .email_text(
                Language::De,
                "Ihre Wohnsitzbestätigung ((nr)) ist bereit",
                "Grüezi ((name))\n\nIhre Bestätigung ((nr)) liegt bei.",
            )
            .email_text(
                Language::Fr,
                "Votre attestation de domicile ((nr)) est prête",
                "Bonjour ((name))\n\nVous trouverez l’attestation ((nr)) en annexe. Déjà traitée à 100 %.",
            )
            .email_text(
                Language::Rm,
                "Vossa conferma ((nr)) è pronta",
                "Allegra ((name))\n\nVossa conferma ((nr)) è agiuntada.",
            ),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs aiosmtpd; run tests/run-interop.sh"]
async fn a_real_smtp_server_receives_subjects_bodies_and_attachments_intact() {
    let server = start_aiosmtpd();
    let sender = Sender::new("noreply@gemeinde-muster.ch".parse().unwrap())
        .with_name("Gemeinde Müster")
        .with_reply_to("einwohnerdienste@gemeinde-muster.ch".parse().unwrap());
    let config = SmtpConfig::new("127.0.0.1")
        .security(Security::None)
        .port(server.port)
        .timeout(Duration::from_secs(10));
    let transport = SmtpTransport::new(&config, sender).unwrap();
    let pdf: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let digest = {
        let out = Command::new(python())
            .args([
                "-c",
                "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        let mut out = out;
        out.stdin.take().unwrap().write_all(&pdf).unwrap();
        String::from_utf8(out.wait_with_output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_owned()
    };

    let mut sent = Vec::new();
    for (language, to) in [
        (Language::De, "anna.muster@example.ch"),
        (Language::Fr, "chloe.dubois@example.ch"),
        (Language::Rm, "men.caduff@example.ch"),
    ] {
        let data = Personalisation::new()
            .with("nr", "WB-2026-7")
            .with("name", "Anna Müster");
        let rendered = template()
            .render(language, &data, &RenderOptions::default())
            .unwrap();
        let message = Message::new(to.parse::<EmailAddress>().unwrap(), rendered)
            .unwrap()
            .with_attachment(
                Attachment::new(
                    "Wohnsitzbestätigung WB-2026-7.pdf",
                    "application/pdf",
                    pdf.clone(),
                )
                .unwrap(),
            )
            .unwrap();
        let id = MessageId::random();
        let outcome = transport.send_email(&id, &message).await;
        assert!(matches!(outcome, Delivery::Delivered { .. }), "{outcome:?}");
        sent.push((language, to, id));
    }

    let received = read_maildir(&server);
    assert_eq!(received.len(), 3);
    for (language, to, id) in &sent {
        let m = received
            .iter()
            .find(|m| m["to"].as_str().unwrap().contains(to))
            .unwrap_or_else(|| panic!("no message to {to}"));
        let (subject, text) = match language {
            Language::De => (
                "Ihre Wohnsitzbestätigung WB-2026-7 ist bereit",
                "Grüezi Anna Müster",
            ),
            Language::Fr => (
                "Votre attestation de domicile WB-2026-7 est prête",
                "Déjà traitée à 100 %",
            ),
            _ => ("Vossa conferma WB-2026-7 è pronta", "Allegra Anna Müster"),
        };
        assert_eq!(m["subject"], subject);
        assert!(m["text"].as_str().unwrap().contains(text), "{m}");
        assert!(m["from"].as_str().unwrap().contains("Gemeinde Müster"), "{m}");
        assert_eq!(m["reply_to"], "einwohnerdienste@gemeinde-muster.ch");
        assert_eq!(m["idempotency"], id.as_str());
        assert_eq!(m["content_language"], language.code());
        assert!(m["message_id"].as_str().unwrap().starts_with('<'), "{m}");
        assert!(m["defects"].as_array().unwrap().is_empty(), "MIME defects: {m}");
        let attachments = m["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0]["filename"], "Wohnsitzbestätigung WB-2026-7.pdf");
        assert_eq!(attachments[0]["content_type"], "application/pdf");
        assert_eq!(attachments[0]["size"], 40_000);
        assert_eq!(attachments[0]["sha256"], digest.as_str());
    }
}
