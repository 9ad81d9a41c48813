//! The logic of `notify-hello`: a template in five languages, rendered for one recipient,
//! queued in a SQLite outbox, delivered by one run of the worker into a mail folder.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let work = tempfile::tempdir()?;
//! let hello = notify_hello::Hello::new("Anna Muster", "anna.muster@example.ch", egov_core::Language::It);
//! let delivered = notify_hello::run(&hello, &work.path().join("outbox.sqlite"), &work.path().join("mail")).await?;
//! assert_eq!(delivered.status, "delivered");
//! assert!(std::fs::read_to_string(&delivered.path)?.contains("Subject: Saluti dal Comune di Muster"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egov_core::Language;
use egov_notify::channel::{ChannelError, FileTransport, Sender};
use egov_notify::outbox::{Channels, Outbox, OutboxError, SqliteOutbox, SystemClock, Worker, WorkerConfig};
use egov_notify::template::TemplateSource;
use egov_notify::{EmailAddress, Message, MessageId, Personalisation, RenderOptions, Template};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The template, the address or the message is not valid.
    #[error("message: {0}")]
    Message(#[from] egov_notify::Error),
    /// The outbox (SQLite) failed.
    #[error("outbox: {0}")]
    Outbox(#[from] OutboxError),
    /// The mail folder could not be created.
    #[error("mail folder: {0}")]
    Channel(#[from] ChannelError),
    /// The worker ran but did not deliver the message.
    #[error("message {id} not delivered, status {status}")]
    NotDelivered {
        /// The outbox id.
        id: String,
        /// Its status.
        status: String,
    },
}

/// The sender of the greeting.
pub const FROM: &str = "noreply@gemeinde-muster.example";

/// The greeting in German, French, Italian, Romansh and English, with the placeholder `name`.
///
/// # Errors
/// Never in practice: the texts are fixed and complete.
pub fn template() -> Result<Template, egov_notify::Error> {
    Template::new(
        TemplateSource::email("hello", 1)
            .email_text(
                Language::De,
                "Gruss aus der Gemeinde Muster",
                "Guten Tag ((name))\n\nDies ist eine Testnachricht Ihrer Gemeinde.\n\nFreundliche Grüsse\nGemeinde Muster",
            )
            .email_text(
                Language::Fr,
                "Salutations de la commune de Muster",
                "Bonjour ((name)),\n\nCeci est un message de test de votre commune.\n\nMeilleures salutations\nCommune de Muster",
            )
            .email_text(
                Language::It,
                "Saluti dal Comune di Muster",
                "Buongiorno ((name))\n\nQuesto è un messaggio di prova del vostro comune.\n\nCordiali saluti\nComune di Muster",
            )
            .email_text(
                Language::Rm,
                "Salids da la vischnanca da Muster",
                "Bun di ((name))\n\nQuai è in messadi da test da Vossa vischnanca.\n\nSalids cordials\nVischnanca da Muster",
            )
            .email_text(
                Language::En,
                "Greetings from the municipality of Muster",
                "Hello ((name))\n\nThis is a test message from your municipality.\n\nKind regards\nMunicipality of Muster",
            ),
    )
}

/// Whom to greet, in which language.
#[derive(Debug, Clone)]
pub struct Hello {
    /// The recipient's name (fills `((name))`).
    pub name: String,
    /// The recipient's e-mail address.
    pub email: String,
    /// The language of the message.
    pub language: Language,
}

impl Hello {
    /// A greeting for `name` at `email` in `language`.
    #[must_use]
    pub fn new(name: &str, email: &str, language: Language) -> Self {
        Self {
            name: name.to_owned(),
            email: email.to_owned(),
            language,
        }
    }
}

/// Where the message landed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivered {
    /// The outbox id.
    pub id: MessageId,
    /// The `.eml` file.
    pub path: PathBuf,
    /// The outbox status (`delivered`).
    pub status: String,
}

/// Renders the greeting, queues it in the SQLite outbox at `outbox_path`, runs the worker once
/// with the file channel writing into `mail_dir` (`new/<id>.eml`), and reports the file.
///
/// # Errors
/// [`Error`]: an invalid address, an outbox or folder failure, or no delivery.
pub async fn run(hello: &Hello, outbox_path: &Path, mail_dir: &Path) -> Result<Delivered, Error> {
    let rendered = template()?.render(
        hello.language,
        &Personalisation::new().with("name", hello.name.as_str()),
        &RenderOptions::default(),
    )?;
    let to: EmailAddress = hello.email.parse()?;
    let message = Message::new(to, rendered)?;

    let store = SqliteOutbox::open(outbox_path)?;
    let outbox = Outbox::new(store.clone(), Arc::new(SystemClock));
    let id = outbox.send(message).await?;

    let from: EmailAddress = FROM.parse()?;
    let mailbox = FileTransport::new(mail_dir, Sender::new(from).with_name("Gemeinde Muster"))?;
    let worker = Worker::new(
        store,
        Channels::new().with_email(Arc::new(mailbox.clone())),
        Arc::new(SystemClock),
        WorkerConfig::default(),
    );
    worker.run_once().await?;

    let status = outbox
        .status(&id)
        .await?
        .map(|stored| stored.status.as_str().to_owned())
        .unwrap_or_default();
    if status != "delivered" {
        return Err(Error::NotDelivered {
            id: id.to_string(),
            status,
        });
    }
    Ok(Delivered {
        path: mailbox.path_of(&id),
        id,
        status,
    })
}
