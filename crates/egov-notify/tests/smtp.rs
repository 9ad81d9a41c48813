//! The e-mail channels against an in-process SMTP server (mailin-embedded on 127.0.0.1:0).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use egov_core::Language;
use egov_notify::channel::{
    Delivery, EmailTransport, FileTransport, IDEMPOTENCY_HEADER, Security, Sender, SmtpConfig, SmtpTransport,
};
use egov_notify::message::{Attachment, MessageId};
use egov_notify::template::{Personalisation, RenderOptions, Template, TemplateSource};
use egov_notify::{EmailAddress, Message};
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// What the test server received, per message.
#[derive(Debug, Clone, Default)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A test SMTP server handler: stores messages, or answers a configured refusal.
#[derive(Clone, Default)]
struct TestHandler {
    inbox: Arc<Mutex<Vec<Received>>>,
    hellos: Arc<Mutex<usize>>,
    reject_rcpt: Option<(u16, &'static str)>,
    reject_data: Option<(u16, &'static str)>,
    current: Received,
}

impl Handler for TestHandler {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        *self.hellos.lock().unwrap() += 1;
        mailin_embedded::response::OK
    }

    fn mail(&mut self, _ip: std::net::IpAddr, _domain: &str, from: &str) -> Response {
        self.current = Received {
            from: from.to_owned(),
            ..Received::default()
        };
        mailin_embedded::response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if let Some((code, text)) = self.reject_rcpt {
            return Response::custom(code, text.to_owned());
        }
        self.current.to.push(to.to_owned());
        mailin_embedded::response::OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        // Refused at the DATA command: mailin stays in the data state after a refusal at the end
        // of the data, so the refusal of content is tested here.
        if let Some((code, text)) = self.reject_data {
            return Response::custom(code, text.to_owned());
        }
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox.lock().unwrap().push(std::mem::take(&mut self.current));
        Response::custom(250, "2.0.0 Ok: queued as TEST1".to_owned())
    }
}

fn start(handler: TestHandler) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = Server::new(handler);
    server
        .with_name("mx.test.example")
        .with_ssl(SslConfig::None)
        .unwrap()
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    port
}

fn sender() -> Sender {
    Sender::new("noreply@gemeinde-muster.ch".parse().unwrap())
        .with_name("Gemeinde Muster")
        .with_reply_to("einwohnerdienste@gemeinde-muster.ch".parse().unwrap())
}

fn plain_smtp(port: u16) -> SmtpTransport {
    let config = SmtpConfig::new("127.0.0.1")
        .security(Security::None)
        .port(port)
        .pool_max_size(2)
        .timeout(std::time::Duration::from_secs(5));
    SmtpTransport::new(&config, sender()).unwrap()
}

fn template() -> Template {
    Template::new(
        TemplateSource::email("gesuch-eingang", 3)
            .email_text(
                Language::De,
                "Ihr Gesuch ((nr)) ist eingegangen",
                "Grüezi ((name))\n\nIhr Gesuch ((nr)) ist eingegangen.",
            )
            .email_text(
                Language::Fr,
                "Votre demande ((nr)) a été reçue",
                "Bonjour ((name))\n\nVotre demande ((nr)) a été reçue. Vous serez informé·e dès qu’elle sera traitée.",
            )
            .email_text(
                Language::It,
                "La Sua domanda ((nr)) è stata ricevuta – più tardi è pronta",
                "Buongiorno ((name))\n\nLa Sua domanda ((nr)) è stata ricevuta.",
            ),
    )
    .unwrap()
}

fn message(language: Language, to: &str) -> Message {
    let data = Personalisation::new()
        .with("nr", "BG-2026-0042")
        .with("name", "Anna Muster");
    let rendered = template()
        .render(language, &data, &RenderOptions::default())
        .unwrap();
    Message::new(to.parse::<EmailAddress>().unwrap(), rendered).unwrap()
}

/// The unfolded value of a header in a raw message.
fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw.split("\r\n\r\n").next()?;
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push_str(line);
                continue;
            }
            return value;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim_start().to_owned());
        }
    }
    value
}

/// Decodes RFC 2047 `=?utf-8?b?…?=` words (white space between encoded words is dropped).
fn decode_rfc2047(value: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in value.split_whitespace() {
        let encoded = word.to_ascii_lowercase().starts_with("=?utf-8?b?") && word.ends_with("?=");
        if !out.is_empty() && (!encoded || !previous_encoded) {
            out.push(' ');
        }
        if encoded {
            let b64 = &word[10..word.len() - 2];
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
            out.push_str(&String::from_utf8(bytes).unwrap());
        } else {
            out.push_str(word);
        }
        previous_encoded = encoded;
    }
    out
}

#[tokio::test]
async fn smtp_sends_headers_and_encoded_subjects_in_french_and_italian() {
    let handler = TestHandler::default();
    let inbox = handler.inbox.clone();
    let hellos = handler.hellos.clone();
    let port = start(handler);
    let transport = plain_smtp(port);

    let cases = [
        (
            Language::Fr,
            "anna.muster@example.ch",
            "Votre demande BG-2026-0042 a été reçue",
        ),
        (
            Language::It,
            "anna.muster@example.it",
            "La Sua domanda BG-2026-0042 è stata ricevuta – più tardi è pronta",
        ),
    ];
    let mut ids = Vec::new();
    for (language, to, _) in &cases {
        let id = MessageId::random();
        let outcome = transport.send_email(&id, &message(*language, to)).await;
        let Delivery::Delivered { provider_reference } = outcome else {
            panic!("not delivered: {outcome}");
        };
        assert!(provider_reference.unwrap().starts_with("250"));
        ids.push(id);
        // Let the pool take the connection back (it does so in a task).
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }
    // Both went over one pooled connection.
    assert_eq!(*hellos.lock().unwrap(), 1);

    let inbox = inbox.lock().unwrap().clone();
    assert_eq!(inbox.len(), 2);
    for ((received, (language, to, subject)), id) in inbox.iter().zip(&cases).zip(&ids) {
        let raw = &received.data;
        assert_eq!(received.from, "noreply@gemeinde-muster.ch");
        assert_eq!(received.to, [to.to_string()]);
        let raw_subject = header(raw, "Subject").unwrap();
        assert!(raw_subject.is_ascii(), "{raw_subject}");
        assert!(
            raw_subject.to_ascii_lowercase().contains("=?utf-8?b?"),
            "{raw_subject}"
        );
        assert_eq!(decode_rfc2047(&raw_subject), *subject);
        assert_eq!(header(raw, IDEMPOTENCY_HEADER).unwrap(), id.as_str());
        assert_eq!(
            header(raw, "Message-ID").unwrap(),
            format!("<{id}@gemeinde-muster.ch>")
        );
        assert_eq!(header(raw, "Content-Language").unwrap(), language.code());
        assert_eq!(
            header(raw, "Reply-To").unwrap(),
            "einwohnerdienste@gemeinde-muster.ch"
        );
        assert_eq!(header(raw, "To").unwrap(), *to);
        assert_eq!(
            header(raw, "From").unwrap(),
            "\"Gemeinde Muster\" <noreply@gemeinde-muster.ch>"
        );
        assert!(
            header(raw, "Content-Type")
                .unwrap()
                .starts_with("multipart/alternative")
        );
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(raw.contains("Content-Type: text/html; charset=utf-8"));
    }
}

#[tokio::test]
async fn smtp_sends_an_attachment_and_the_messages_own_reply_to() {
    let handler = TestHandler::default();
    let inbox = handler.inbox.clone();
    let port = start(handler);
    let pdf: Vec<u8> = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
        .iter()
        .copied()
        .cycle()
        .take(3000)
        .collect();
    let message = message(Language::De, "anna.muster@example.ch")
        .with_reply_to("bauamt@gemeinde-muster.ch".parse().unwrap())
        .unwrap()
        .with_attachment(
            Attachment::new("Verfuegung-BG-2026-0042.pdf", "application/pdf", pdf.clone()).unwrap(),
        )
        .unwrap();
    let outcome = plain_smtp(port).send_email(&MessageId::random(), &message).await;
    assert!(matches!(outcome, Delivery::Delivered { .. }), "{outcome}");

    let raw = inbox.lock().unwrap()[0].data.clone();
    assert!(
        header(&raw, "Content-Type")
            .unwrap()
            .starts_with("multipart/mixed")
    );
    assert_eq!(header(&raw, "Reply-To").unwrap(), "bauamt@gemeinde-muster.ch");
    // The attachment part: its headers, then base64 lines up to the next boundary.
    let start = raw
        .find("filename=\"Verfuegung-BG-2026-0042.pdf\"")
        .expect("attachment part");
    let part = &raw[start..];
    let body_start = part.find("\r\n\r\n").unwrap() + 4;
    let body_end = part[body_start..].find("\r\n--").unwrap() + body_start;
    let head = &raw[raw[..start].rfind("\r\n--").unwrap()..start + body_start];
    assert!(head.contains("Content-Type: application/pdf"), "{head}");
    assert!(head.contains("Content-Disposition: attachment"), "{head}");
    assert!(head.contains("Content-Transfer-Encoding: base64"), "{head}");
    let b64: String = part[body_start..body_end].split_whitespace().collect();
    assert_eq!(
        base64::engine::general_purpose::STANDARD.decode(b64).unwrap(),
        pdf
    );
}

#[tokio::test]
async fn smtp_4xx_is_temporary_5xx_is_permanent() {
    let temporary = start(TestHandler {
        reject_rcpt: Some((451, "4.7.1 greylisted, try again later")),
        ..TestHandler::default()
    });
    let permanent = start(TestHandler {
        reject_rcpt: Some((550, "5.1.1 mailbox unknown")),
        ..TestHandler::default()
    });
    let refused_content = start(TestHandler {
        reject_data: Some((554, "5.7.1 message refused")),
        ..TestHandler::default()
    });
    let message = message(Language::De, "anna.muster@example.ch");
    let id = MessageId::random();

    let outcome = plain_smtp(temporary).send_email(&id, &message).await;
    let Delivery::TemporaryFailure { reason } = &outcome else {
        panic!("{outcome}")
    };
    assert!(
        reason.contains("451") && reason.contains("greylisted"),
        "{reason}"
    );

    let outcome = plain_smtp(permanent).send_email(&id, &message).await;
    let Delivery::PermanentFailure { reason } = &outcome else {
        panic!("{outcome}")
    };
    assert!(
        reason.contains("550") && reason.contains("mailbox unknown"),
        "{reason}"
    );

    let outcome = plain_smtp(refused_content).send_email(&id, &message).await;
    assert!(
        matches!(&outcome, Delivery::PermanentFailure { reason } if reason.contains("554")),
        "{outcome}"
    );
}

#[tokio::test]
async fn smtp_without_a_server_or_without_starttls_is_a_technical_failure() {
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let message = message(Language::De, "anna.muster@example.ch");
    let outcome = plain_smtp(closed)
        .send_email(&MessageId::random(), &message)
        .await;
    assert!(matches!(outcome, Delivery::TechnicalFailure { .. }), "{outcome}");

    // STARTTLS is required: a server that does not offer it gets nothing (no downgrade).
    let handler = TestHandler::default();
    let inbox = handler.inbox.clone();
    let port = start(handler);
    let config = SmtpConfig::new("127.0.0.1")
        .security(Security::StartTls)
        .port(port);
    let transport = SmtpTransport::new(&config, sender()).unwrap();
    let outcome = transport.send_email(&MessageId::random(), &message).await;
    assert!(matches!(outcome, Delivery::TechnicalFailure { .. }), "{outcome}");
    let config = SmtpConfig::new("127.0.0.1")
        .security(Security::ImplicitTls)
        .port(port);
    let transport = SmtpTransport::new(&config, sender()).unwrap();
    let outcome = transport.send_email(&MessageId::random(), &message).await;
    assert!(matches!(outcome, Delivery::TechnicalFailure { .. }), "{outcome}");
    assert!(inbox.lock().unwrap().is_empty());
}

#[tokio::test]
async fn file_transport_writes_the_same_message_once_per_id() {
    let dir = tempfile::tempdir().unwrap();
    let transport = FileTransport::new(dir.path(), sender()).unwrap();
    let id = MessageId::random();
    let message = message(Language::Fr, "anna.muster@example.ch");
    for _ in 0..2 {
        let outcome = transport.send_email(&id, &message).await;
        assert!(matches!(outcome, Delivery::Delivered { .. }), "{outcome}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path().join("new")).unwrap().collect();
    assert_eq!(files.len(), 1, "a retry replaces its own file");
    assert!(
        std::fs::read_dir(dir.path().join("tmp"))
            .unwrap()
            .next()
            .is_none()
    );
    let raw = std::fs::read_to_string(transport.path_of(&id)).unwrap();
    assert_eq!(header(&raw, IDEMPOTENCY_HEADER).unwrap(), id.as_str());
    assert_eq!(
        decode_rfc2047(&header(&raw, "Subject").unwrap()),
        "Votre demande BG-2026-0042 a été reçue"
    );
    // An SMS is not an e-mail.
    let sms = egov_notify::outbox::suite::sample_message(1).unwrap();
    let outcome = transport.send_email(&MessageId::random(), &sms).await;
    assert!(matches!(outcome, Delivery::TechnicalFailure { .. }), "{outcome}");
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn outbox_worker_delivers_through_smtp_with_the_outbox_id_as_idempotency_header() {
    use chrono::{DateTime, TimeDelta};
    use egov_notify::outbox::{
        Channels, FakeClock, NewMessage, OutboxStore, SqliteOutbox, Status, Worker, WorkerConfig,
    };

    let handler = TestHandler::default();
    let inbox = handler.inbox.clone();
    let port = start(handler);
    let greylisting = start(TestHandler {
        reject_rcpt: Some((450, "4.2.0 greylisted")),
        ..TestHandler::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteOutbox::open(&dir.path().join("outbox.sqlite")).unwrap();
    let t0 = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    let clock = Arc::new(FakeClock::new(t0));
    let id = store
        .enqueue(
            &NewMessage::new(message(Language::It, "anna.muster@example.ch")),
            t0,
        )
        .await
        .unwrap()
        .id;
    let config = WorkerConfig {
        jitter_seed: Some(1),
        ..WorkerConfig::default()
    };

    // First a greylisting server: a temporary failure, retried later.
    let first = Worker::new(
        store.clone(),
        Channels::new().with_email(Arc::new(plain_smtp(greylisting))),
        clock.clone(),
        config.clone(),
    );
    assert_eq!(first.run_until_idle().await.unwrap().retrying, 1);
    let stored = store.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Sending);
    assert!(stored.last_reason.unwrap().contains("450"));

    // Then the server that accepts.
    let second = Worker::new(
        store.clone(),
        Channels::new().with_email(Arc::new(plain_smtp(port))),
        clock.clone(),
        config,
    );
    clock.advance(TimeDelta::minutes(2));
    assert_eq!(second.run_until_idle().await.unwrap().delivered, 1);
    let stored = store.get(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (Status::Delivered, 2));
    assert!(stored.last_reason.unwrap().starts_with("250"));
    let inbox = inbox.lock().unwrap().clone();
    assert_eq!(inbox.len(), 1);
    assert_eq!(header(&inbox[0].data, IDEMPOTENCY_HEADER).unwrap(), id.as_str());
}
