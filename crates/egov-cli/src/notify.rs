//! `egov notify`: render templates, send or enqueue messages, run an outbox worker, show a
//! message's status history.
//!
//! A template file is the JSON form of `egov_notify::template::TemplateSource`
//! (`{"id", "version", "channel": "email"|"sms", "variants": {"de": {"subject", "body"}, …}}`);
//! the data file is a JSON object of placeholder values. An outbox is named `sqlite:PATH`. SMS
//! gateway credentials come from the environment (`EGOV_SMS_USER`, `EGOV_SMS_PASSWORD`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use egov_core::Language;
use egov_notify::channel::{
    AspsmsConfig, AspsmsGateway, EcallConfig, EcallGateway, Security, Sender, Simulation, SmsGateway,
    SmtpConfig, SmtpTransport,
};
use egov_notify::outbox::{
    Channels, Clock, NewMessage, OutboxStore, SqliteOutbox, SystemClock, Worker, WorkerConfig,
};
use egov_notify::template::{Personalisation, RenderOptions, RenderedContent, Template};
use egov_notify::{Attachment, EmailAddress, Message, MessageId, PhoneNumber, Recipient};
use serde_json::json;

use crate::Outcome;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum NotifyCommand {
    /// Render a template with data: subject, text and HTML of an e-mail, or the SMS text with its
    /// encoding and number of parts. Exit 1 naming the placeholders that have no value.
    #[command(after_help = "Example: egov notify render wohnsitz.json --language fr --data daten.json")]
    Render {
        /// The template (JSON).
        template: PathBuf,
        /// The language (de, fr, it, rm, en); missing texts fall back (rm → de).
        #[arg(long, default_value = "de")]
        language: Language,
        /// Placeholder values (a JSON object).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Render a template for a recipient and put the message into an outbox (prints its id), or,
    /// without --outbox, make one delivery attempt over --smtp / --sms (prints id and outcome; exit 1
    /// unless delivered). With both, the message is enqueued and one worker pass delivers it.
    #[command(
        after_help = "Examples:\n  egov notify send wohnsitz.json --to anna@example.ch --language de \
                      --data daten.json --attach bestaetigung.pdf --outbox sqlite:outbox.db\n  \
                      egov notify send code.json --to \"079 123 45 67\" --data code.json --outbox sqlite:outbox.db"
    )]
    Send {
        /// The template (JSON).
        template: PathBuf,
        /// The recipient: an e-mail address or a mobile number.
        #[arg(long)]
        to: String,
        /// The language (de, fr, it, rm, en).
        #[arg(long, default_value = "de")]
        language: Language,
        /// Placeholder values (a JSON object).
        #[arg(long)]
        data: Option<PathBuf>,
        /// A file to attach (e-mail only; repeatable).
        #[arg(long = "attach")]
        attachments: Vec<PathBuf>,
        /// A key that makes sending again harmless: the same key gives back the first message.
        #[arg(long)]
        idempotency_key: Option<String>,
        #[command(flatten)]
        channels: ChannelArgs,
        /// The outbox (`sqlite:PATH`).
        #[arg(long)]
        outbox: Option<String>,
    },
    /// Deliver the messages of an outbox: e-mail over SMTP, SMS through ASPSMS or eCall (or both
    /// simulated with --simulate). Runs until interrupted, or one pass with --once.
    #[command(
        after_help = "Example: egov notify worker --outbox sqlite:outbox.db --smtp localhost:2525 \
                      --smtp-security none --from noreply@gemeinde.ch --once"
    )]
    Worker {
        /// The outbox (`sqlite:PATH`).
        #[arg(long)]
        outbox: String,
        #[command(flatten)]
        channels: ChannelArgs,
        /// Send nothing: answer with the test-mode simulation (see `Simulation::standard`).
        #[arg(long, conflicts_with_all = ["smtp", "sms"])]
        simulate: bool,
        /// Deliver what is due now, then exit.
        #[arg(long)]
        once: bool,
        /// The worker's name in the status history.
        #[arg(long)]
        name: Option<String>,
    },
    /// Show a message's current status and its status history. Exit 1 when it is not found.
    #[command(after_help = "Example: egov notify status 5f0c…e2 --outbox sqlite:outbox.db")]
    Status {
        /// The message id.
        id: MessageId,
        /// The outbox (`sqlite:PATH`).
        #[arg(long)]
        outbox: String,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct ChannelArgs {
    /// The SMTP server as HOST:PORT.
    #[arg(long)]
    smtp: Option<String>,
    /// Connection security: starttls, tls or none (none only for a local relay or tests).
    #[arg(long, default_value = "starttls", value_parser = ["starttls", "tls", "none"])]
    smtp_security: String,
    /// The From address of e-mails (required with --smtp).
    #[arg(long)]
    from: Option<String>,
    /// The SMS gateway: aspsms or ecall. Credentials come from the environment variables
    /// EGOV_SMS_USER and EGOV_SMS_PASSWORD (never from the command line).
    #[arg(long, value_parser = ["aspsms", "ecall"], requires = "sms_from")]
    sms: Option<String>,
    /// The SMS sender id: up to 11 characters or 16 digits.
    #[arg(long)]
    sms_from: Option<String>,
}

fn invalid(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_string())
}

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

fn read(path: &Path) -> io::Result<String> {
    std::fs::read_to_string(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn load_template(path: &Path) -> io::Result<Template> {
    serde_json::from_str(&read(path)?).map_err(|e| invalid(format!("{}: {e}", path.display())))
}

fn load_data(path: Option<&Path>) -> io::Result<Personalisation> {
    match path {
        Some(path) => {
            serde_json::from_str(&read(path)?).map_err(|e| invalid(format!("{}: {e}", path.display())))
        }
        None => Ok(Personalisation::new()),
    }
}

/// Opens the outbox named `url`.
fn open_outbox(url: &str) -> io::Result<SqliteOutbox> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        return SqliteOutbox::open(Path::new(path)).map_err(io::Error::other);
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(invalid(
            "this egov build has no PostgreSQL outbox (egov-notify feature `postgres`); use sqlite:PATH",
        ));
    }
    Err(invalid(format!("outbox `{url}`: expected sqlite:PATH")))
}

fn smtp_transport(args: &ChannelArgs) -> io::Result<Option<SmtpTransport>> {
    let Some(server) = &args.smtp else {
        return Ok(None);
    };
    let (host, port) = server
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
        .ok_or_else(|| invalid(format!("--smtp `{server}`: expected HOST:PORT")))?;
    let security = match args.smtp_security.as_str() {
        "tls" => Security::ImplicitTls,
        "none" => Security::None,
        _ => Security::StartTls,
    };
    let from: EmailAddress = args
        .from
        .as_deref()
        .ok_or_else(|| invalid("--smtp needs --from ADDRESS"))?
        .parse()
        .map_err(|e| invalid(format!("--from: {e}")))?;
    let config = SmtpConfig::new(host).port(port).security(security);
    SmtpTransport::new(&config, Sender::new(from))
        .map(Some)
        .map_err(invalid)
}

fn sms_gateway(args: &ChannelArgs) -> io::Result<Option<Arc<dyn SmsGateway>>> {
    let Some(kind) = &args.sms else {
        return Ok(None);
    };
    let var = |name: &str| {
        std::env::var(name)
            .map_err(|_| invalid(format!("--sms {kind} needs the environment variable {name}")))
    };
    let (user, password) = (var("EGOV_SMS_USER")?, var("EGOV_SMS_PASSWORD")?);
    let from = args.sms_from.as_deref().unwrap_or_default();
    let gateway: Arc<dyn SmsGateway> = if kind == "ecall" {
        Arc::new(
            EcallGateway::new(EcallConfig::new(&user, &password, from).map_err(invalid)?).map_err(invalid)?,
        )
    } else {
        Arc::new(
            AspsmsGateway::new(AspsmsConfig::new(&user, &password, from).map_err(invalid)?)
                .map_err(invalid)?,
        )
    };
    Ok(Some(gateway))
}

/// The channels named by the options (SMTP for e-mail, a gateway for SMS), if any.
fn channels(args: &ChannelArgs) -> io::Result<Option<Channels>> {
    let email = smtp_transport(args)?;
    let sms = sms_gateway(args)?;
    if email.is_none() && sms.is_none() {
        return Ok(None);
    }
    let mut channels = Channels::new();
    if let Some(email) = email {
        channels = channels.with_email(Arc::new(email));
    }
    if let Some(sms) = sms {
        channels = channels.with_sms(sms);
    }
    Ok(Some(channels))
}

fn guess_content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "xml" => "application/xml",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

fn build_message(
    template: &Path,
    to: &str,
    language: Language,
    data: Option<&Path>,
    attachments: &[PathBuf],
) -> io::Result<Message> {
    let template = load_template(template)?;
    let data = load_data(data)?;
    let rendered = template
        .render(language, &data, &RenderOptions::default())
        .map_err(invalid)?;
    let recipient: Recipient = if to.contains('@') {
        to.parse::<EmailAddress>().map_err(invalid)?.into()
    } else {
        PhoneNumber::parse(to).map_err(invalid)?.into()
    };
    let mut message = Message::new(recipient, rendered).map_err(invalid)?;
    for path in attachments {
        let content =
            std::fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let attachment = Attachment::new(name, guess_content_type(path), content).map_err(invalid)?;
        message = message.with_attachment(attachment).map_err(invalid)?;
    }
    Ok(message)
}

pub(crate) fn run(cmd: &NotifyCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    match cmd {
        NotifyCommand::Render {
            template,
            language,
            data,
        } => render(template, *language, data.as_deref(), json, out),
        NotifyCommand::Send {
            template,
            to,
            language,
            data,
            attachments,
            idempotency_key,
            channels: channel_args,
            outbox,
        } => {
            let message = match build_message(template, to, *language, data.as_deref(), attachments) {
                Ok(message) => message,
                Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                    eprintln!("egov notify: {e}");
                    return Ok(Outcome::Invalid);
                }
                Err(e) => return Err(e),
            };
            // lettre's SMTP pool is made and dropped inside a tokio runtime.
            let runtime = runtime()?;
            let _context = runtime.enter();
            let channels = channels(channel_args)?;
            runtime.block_on(send(
                message,
                idempotency_key.as_deref(),
                channels,
                outbox.as_deref(),
                json,
                out,
            ))
        }
        NotifyCommand::Worker {
            outbox,
            channels: channel_args,
            simulate,
            once,
            name,
        } => {
            let store = open_outbox(outbox)?;
            let runtime = runtime()?;
            let _context = runtime.enter();
            let channels = if *simulate {
                Channels::test_mode(Simulation::standard()).0
            } else {
                channels(channel_args)?.ok_or_else(|| {
                    invalid("the worker needs --smtp HOST:PORT, --sms GATEWAY or --simulate")
                })?
            };
            let mut config = WorkerConfig::default();
            if let Some(name) = name {
                config.name.clone_from(name);
            }
            let worker = Worker::new(store, channels, Arc::new(SystemClock), config);
            runtime.block_on(async {
                if *once {
                    let report = worker.run_until_idle().await.map_err(io::Error::other)?;
                    if json {
                        serde_json::to_writer_pretty(
                            &mut *out,
                            &json!({
                                "claimed": report.claimed, "delivered": report.delivered,
                                "retrying": report.retrying, "failed": report.failed,
                                "deferred": report.deferred, "lease_lost": report.lease_lost,
                            }),
                        )?;
                        writeln!(out)?;
                    } else {
                        writeln!(
                            out,
                            "claimed {}, delivered {}, retrying {}, failed {}, deferred {}",
                            report.claimed, report.delivered, report.retrying, report.failed, report.deferred
                        )?;
                    }
                    return Ok(Outcome::Ok);
                }
                let (stop, stopped) = tokio::sync::watch::channel(false);
                tokio::spawn(async move {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        let _ = stop.send(true);
                    }
                });
                worker.run(stopped).await.map_err(io::Error::other)?;
                Ok(Outcome::Ok)
            })
        }
        NotifyCommand::Status { id, outbox } => {
            let store = open_outbox(outbox)?;
            runtime()?.block_on(status(&store, id, json, out))
        }
    }
}

fn render(
    template: &Path,
    language: Language,
    data: Option<&Path>,
    json: bool,
    out: &mut impl Write,
) -> io::Result<Outcome> {
    let template = load_template(template)?;
    let data = load_data(data)?;
    let rendered = match template.render(language, &data, &RenderOptions::default()) {
        Ok(rendered) => rendered,
        Err(e) => {
            eprintln!("egov notify: {e}");
            return Ok(Outcome::Invalid);
        }
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &rendered)?;
        writeln!(out)?;
        return Ok(Outcome::Ok);
    }
    writeln!(
        out,
        "template: {} version {} ({}, asked for {})",
        rendered.template_id, rendered.template_version, rendered.language, rendered.requested_language
    )?;
    match &rendered.content {
        RenderedContent::Email(email) => {
            writeln!(out, "subject: {}", email.subject)?;
            writeln!(out, "\n--- text ---\n{}", email.text)?;
            writeln!(out, "\n--- html ---\n{}", email.html)?;
        }
        RenderedContent::Sms(sms) => {
            writeln!(
                out,
                "sms: {:?}, {} units, {} part(s), {} free in the last part",
                sms.info.encoding, sms.info.units, sms.info.segments, sms.info.remaining
            )?;
            writeln!(out, "\n{}", sms.text)?;
        }
        _ => writeln!(out, "(a channel this egov does not know)")?,
    }
    Ok(Outcome::Ok)
}

async fn send(
    message: Message,
    key: Option<&str>,
    channels: Option<Channels>,
    outbox: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> io::Result<Outcome> {
    // Without an outbox, a throwaway one in memory: one attempt, nothing kept.
    let store = match outbox {
        Some(url) => open_outbox(url)?,
        None if channels.is_none() => {
            return Err(invalid(
                "give --outbox sqlite:PATH, a channel (--smtp, --sms) or both",
            ));
        }
        None if key.is_some() => return Err(invalid("--idempotency-key needs --outbox")),
        None => SqliteOutbox::open_in_memory().map_err(io::Error::other)?,
    };
    let mut new = NewMessage::new(message);
    if let Some(key) = key {
        new = new.idempotency_key(key).map_err(invalid)?;
    }
    let queued = store
        .enqueue(&new, SystemClock.now())
        .await
        .map_err(io::Error::other)?;
    let mut attempt = None;
    if let Some(channels) = channels {
        let worker = Worker::new(
            store.clone(),
            channels,
            Arc::new(SystemClock),
            WorkerConfig::default(),
        );
        worker.run_until_idle().await.map_err(io::Error::other)?;
        attempt = store
            .get(&queued.id)
            .await
            .map_err(io::Error::other)?
            .map(|m| (m.status, m.last_reason));
    }
    let outcome = match (&attempt, outbox) {
        (Some((status, _)), _) if status.is_failure() => Outcome::Invalid,
        // Not delivered and not kept: the message is gone.
        (Some((status, _)), None) if !status.is_success() => Outcome::Invalid,
        _ => Outcome::Ok,
    };
    let (status, reason) = attempt.unzip();
    let reason = reason.flatten();
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &json!({"id": queued.id, "created": queued.created, "status": status, "reason": reason}),
        )?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", queued.id)?;
        if let Some(status) = status {
            match &reason {
                Some(reason) => writeln!(out, "{status}: {reason}")?,
                None => writeln!(out, "{status}")?,
            }
        }
    }
    Ok(outcome)
}

async fn status(
    store: &SqliteOutbox,
    id: &MessageId,
    json: bool,
    out: &mut impl Write,
) -> io::Result<Outcome> {
    let Some(stored) = store.get(id).await.map_err(io::Error::other)? else {
        eprintln!("egov notify: no message {id} in this outbox");
        return Ok(Outcome::Invalid);
    };
    let history = store.history(id).await.map_err(io::Error::other)?;
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &json!({
                "id": id, "status": stored.status, "attempts": stored.attempts,
                "created_at": stored.created_at, "updated_at": stored.updated_at,
                "next_attempt_at": stored.next_attempt_at, "deadline": stored.deadline,
                "last_reason": stored.last_reason, "history": history,
            }),
        )?;
        writeln!(out)?;
        return Ok(Outcome::Ok);
    }
    writeln!(
        out,
        "{id}: {} after {} attempt(s)",
        stored.status, stored.attempts
    )?;
    if let Some(next) = stored.next_attempt_at {
        writeln!(out, "next attempt: {next}")?;
    }
    for change in history {
        write!(
            out,
            "{}  {:<17} attempt {}",
            change.at,
            change.status.as_str(),
            change.attempt
        )?;
        if let Some(reason) = &change.reason {
            write!(out, "  {reason}")?;
        }
        if let Some(retry) = change.retry_at {
            write!(out, "  (retry at {retry})")?;
        }
        writeln!(out)?;
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temp dir, removed when dropped.
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = Path;

        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("egov-notify-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const EMAIL_TEMPLATE: &str = r#"{"id": "entscheid", "version": 2, "channel": "email",
        "variants": {"de": {"subject": "Entscheid ((nr))", "body": "Guten Tag\n\nIhr Entscheid ((nr)) ist bereit."},
                     "fr": {"subject": "Décision ((nr))", "body": "Bonjour\n\nVotre décision ((nr)) est prête."}}}"#;

    const SMS_TEMPLATE: &str = r#"{"id": "code", "version": 1, "channel": "sms",
        "variants": {"fr": {"body": "Votre code : ((code)). Ne le donnez à personne, même pas à la commune."}}}"#;

    fn run_to_string(cmd: &NotifyCommand, json: bool) -> (Outcome, String) {
        let mut out = Vec::new();
        let outcome = run(cmd, json, &mut out).unwrap();
        (outcome, String::from_utf8(out).unwrap())
    }

    #[test]
    fn render_prints_the_email_in_the_asked_language() {
        let dir = scratch("render");
        let template = write(&dir, "t.json", EMAIL_TEMPLATE);
        let data = write(&dir, "d.json", r#"{"nr": "BG-2026-0042"}"#);
        let (outcome, text) = run_to_string(
            &NotifyCommand::Render {
                template,
                language: Language::Fr,
                data: Some(data),
            },
            false,
        );
        assert_eq!(outcome, Outcome::Ok);
        assert!(text.contains("subject: Décision BG-2026-0042"), "{text}");
        assert!(text.contains("Votre décision BG-2026-0042 est prête."), "{text}");
        assert!(text.contains("<html lang=\"fr\""), "{text}");
    }

    #[test]
    fn render_shows_sms_encoding_and_parts() {
        let dir = scratch("render-sms");
        let template = write(&dir, "t.json", SMS_TEMPLATE);
        let data = write(&dir, "d.json", r#"{"code": "481516"}"#);
        let (outcome, text) = run_to_string(
            &NotifyCommand::Render {
                template,
                language: Language::Fr,
                data: Some(data),
            },
            true,
        );
        assert_eq!(outcome, Outcome::Ok);
        let rendered: serde_json::Value = serde_json::from_str(&text).unwrap();
        // "à" is in the GSM alphabet, the "ê" of "même" is not: UCS-2, 68 units, one part of 70.
        assert_eq!(rendered["content"]["info"]["encoding"], "ucs2");
        assert_eq!(rendered["content"]["info"]["units"], 68);
        assert_eq!(rendered["content"]["info"]["segments"], 1);
    }

    #[test]
    fn render_without_values_is_invalid() {
        let dir = scratch("render-missing");
        let template = write(&dir, "t.json", EMAIL_TEMPLATE);
        let (outcome, text) = run_to_string(
            &NotifyCommand::Render {
                template,
                language: Language::De,
                data: None,
            },
            false,
        );
        assert_eq!(outcome, Outcome::Invalid);
        assert!(text.is_empty());
    }

    #[test]
    fn send_enqueues_then_the_simulated_worker_delivers_and_status_shows_it() {
        let dir = scratch("send");
        let template = write(&dir, "t.json", EMAIL_TEMPLATE);
        let data = write(&dir, "d.json", r#"{"nr": "BG-7"}"#);
        let pdf = write(&dir, "entscheid.pdf", "%PDF-1.7 test");
        let outbox = format!("sqlite:{}", dir.join("outbox.db").display());
        let channels = || ChannelArgs {
            smtp: None,
            smtp_security: "starttls".to_owned(),
            from: None,
            sms: None,
            sms_from: None,
        };
        let send = NotifyCommand::Send {
            template,
            to: "anna.muster@example.ch".to_owned(),
            language: Language::De,
            data: Some(data),
            attachments: vec![pdf],
            idempotency_key: Some("bg-7/entscheid".to_owned()),
            channels: channels(),
            outbox: Some(outbox.clone()),
        };
        let (outcome, first) = run_to_string(&send, false);
        assert_eq!(outcome, Outcome::Ok);
        let id: MessageId = first.trim().parse().unwrap();
        // The same key again: the same message, nothing new.
        let (_, again) = run_to_string(&send, false);
        assert_eq!(again.trim(), id.as_str());

        let (outcome, report) = run_to_string(
            &NotifyCommand::Worker {
                outbox: outbox.clone(),
                channels: channels(),
                simulate: true,
                once: true,
                name: Some("cli-test".to_owned()),
            },
            true,
        );
        assert_eq!(outcome, Outcome::Ok);
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!(report["delivered"], 1);

        let (outcome, status) = run_to_string(
            &NotifyCommand::Status {
                id: id.clone(),
                outbox: outbox.clone(),
            },
            false,
        );
        assert_eq!(outcome, Outcome::Ok);
        assert!(
            status.starts_with(&format!("{id}: delivered after 1 attempt(s)")),
            "{status}"
        );
        assert!(status.contains("worker cli-test"), "{status}");

        let (outcome, _) = run_to_string(
            &NotifyCommand::Status {
                id: MessageId::random(),
                outbox,
            },
            false,
        );
        assert_eq!(outcome, Outcome::Invalid);
    }

    #[test]
    fn outbox_urls_are_checked() {
        let postgres = open_outbox("postgres://u:secret@localhost/db").unwrap_err();
        assert!(postgres.to_string().contains("feature `postgres`"));
        assert!(!postgres.to_string().contains("secret"));
        assert!(
            open_outbox("mysql://x")
                .unwrap_err()
                .to_string()
                .contains("sqlite:PATH")
        );
    }

    #[test]
    fn sms_credentials_come_from_the_environment() {
        if std::env::var_os("EGOV_SMS_USER").is_some() {
            return; // set by the caller's environment: nothing to check here
        }
        let args = ChannelArgs {
            smtp: None,
            smtp_security: "starttls".to_owned(),
            from: None,
            sms: Some("aspsms".to_owned()),
            sms_from: Some("Gemeinde".to_owned()),
        };
        let err = channels(&args).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("EGOV_SMS_USER"), "{err}");
    }

    #[test]
    fn direct_sending_without_a_channel_or_outbox_is_refused() {
        let dir = scratch("direct");
        let send = NotifyCommand::Send {
            template: write(&dir, "t.json", SMS_TEMPLATE),
            to: "079 123 45 67".to_owned(),
            language: Language::Fr,
            data: Some(write(&dir, "d.json", r#"{"code": "1"}"#)),
            attachments: Vec::new(),
            idempotency_key: None,
            channels: ChannelArgs {
                smtp: None,
                smtp_security: "starttls".to_owned(),
                from: None,
                sms: None,
                sms_from: None,
            },
            outbox: None,
        };
        let err = run(&send, false, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("--outbox"), "{err}");
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            guess_content_type(Path::new("a/Entscheid.PDF")),
            "application/pdf"
        );
        assert_eq!(guess_content_type(Path::new("liste.csv")), "text/csv");
        assert_eq!(
            guess_content_type(Path::new("daten.bin")),
            "application/octet-stream"
        );
    }
}
