//! Channels: how a [`Message`] leaves the system.
//!
//! [`EmailTransport`] and [`SmsGateway`] are the two channel traits. Each call delivers one
//! message and answers with a [`Delivery`]: delivered, or a temporary, permanent or technical
//! failure with the provider's reason. Channels never return a Rust error for a failed delivery;
//! the outbox worker decides from the [`Delivery`] whether to retry.
//!
//! | implementation | what |
//! |---|---|
//! | [`SmtpTransport`] | e-mail over SMTP (lettre): STARTTLS, implicit TLS or none, auth, a pool |
//! | [`FileTransport`] | e-mail as `.eml` files in a maildir-style folder, for development |
//! | [`InMemoryChannel`] | e-mail and SMS kept in memory, with simulated outcomes (tests, test mode) |
//! | `AspsmsGateway`, `EcallGateway` | SMS over the ASPSMS and eCall HTTP APIs (feature `sms-http`) |

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::message::{Message, MessageId};
use crate::recipient::EmailAddress;

mod email;
mod file;
#[cfg(feature = "sms-http")]
mod gateway;
mod memory;
mod smtp;

pub use email::{IDEMPOTENCY_HEADER, build_email};
pub use file::FileTransport;
#[cfg(feature = "sms-http")]
pub use gateway::{
    ASPSMS_BASE_URL, AspsmsConfig, AspsmsGateway, DeliveryReport, ECALL_BASE_URL, EcallConfig, EcallGateway,
    GatewayError, ReportStatus,
};
pub use memory::{InMemoryChannel, SentMessage, Simulation};
pub use smtp::{Security, SmtpConfig, SmtpTransport, classify_smtp_error};

/// The outcome of one delivery attempt, as the provider reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Delivery {
    /// The provider accepted the message (an SMTP server's `250`, a gateway's success).
    Delivered {
        /// The provider's answer or message id, if it gave one (e.g. `250 2.0.0 Ok: queued as 4F2A`).
        provider_reference: Option<String>,
    },
    /// The provider refused for now (SMTP `4xx`, a gateway's "try later"); worth retrying.
    TemporaryFailure {
        /// The provider's reason.
        reason: String,
    },
    /// The provider refused for good (SMTP `5xx`: unknown mailbox, rejected content); do not retry.
    PermanentFailure {
        /// The provider's reason.
        reason: String,
    },
    /// The provider could not be reached or the exchange broke (connection refused, TLS, timeout,
    /// a message that cannot be built); worth retrying.
    TechnicalFailure {
        /// What went wrong.
        reason: String,
    },
}

impl Delivery {
    /// A delivery without a provider reference.
    #[must_use]
    pub fn delivered() -> Self {
        Self::Delivered {
            provider_reference: None,
        }
    }

    /// True for temporary and technical failures, which the outbox retries.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::TemporaryFailure { .. } | Self::TechnicalFailure { .. }
        )
    }

    /// The reason or provider reference, if any.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Delivered { provider_reference } => provider_reference.as_deref(),
            Self::TemporaryFailure { reason }
            | Self::PermanentFailure { reason }
            | Self::TechnicalFailure { reason } => Some(reason),
        }
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, reason) = match self {
            Self::Delivered { provider_reference } => ("delivered", provider_reference.as_deref()),
            Self::TemporaryFailure { reason } => ("temporary failure", Some(reason.as_str())),
            Self::PermanentFailure { reason } => ("permanent failure", Some(reason.as_str())),
            Self::TechnicalFailure { reason } => ("technical failure", Some(reason.as_str())),
        };
        match reason {
            Some(reason) => write!(f, "{kind}: {reason}"),
            None => f.write_str(kind),
        }
    }
}

/// Who an e-mail comes from: the `From` address and display name, a default `Reply-To`, and the
/// domain used in `Message-ID`s.
///
/// ```
/// use egov_notify::channel::Sender;
///
/// let sender = Sender::new("noreply@gemeinde-muster.ch".parse()?)
///     .with_name("Gemeinde Muster")
///     .with_reply_to("einwohnerdienste@gemeinde-muster.ch".parse()?);
/// assert_eq!(sender.message_id_domain(), "gemeinde-muster.ch");
/// # Ok::<(), egov_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    from: EmailAddress,
    name: Option<String>,
    reply_to: Option<EmailAddress>,
    message_id_domain: Option<String>,
}

impl Sender {
    /// A sender with the `From` address `from`.
    #[must_use]
    pub fn new(from: EmailAddress) -> Self {
        Self {
            from,
            name: None,
            reply_to: None,
            message_id_domain: None,
        }
    }

    /// Sets the display name (`Gemeinde Muster <noreply@…>`); line breaks become spaces.
    #[must_use]
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = Some(name.split_whitespace().collect::<Vec<_>>().join(" "));
        self
    }

    /// Sets the default `Reply-To` (a message's own reply-to wins).
    #[must_use]
    pub fn with_reply_to(mut self, reply_to: EmailAddress) -> Self {
        self.reply_to = Some(reply_to);
        self
    }

    /// Sets the domain of generated `Message-ID`s (default: the domain of the `From` address).
    #[must_use]
    pub fn with_message_id_domain(mut self, domain: &str) -> Self {
        self.message_id_domain = Some(domain.to_owned());
        self
    }

    /// The `From` address.
    #[must_use]
    pub fn from(&self) -> &EmailAddress {
        &self.from
    }

    /// The display name.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The default reply-to address.
    #[must_use]
    pub fn reply_to(&self) -> Option<&EmailAddress> {
        self.reply_to.as_ref()
    }

    /// The domain of generated `Message-ID`s.
    #[must_use]
    pub fn message_id_domain(&self) -> &str {
        self.message_id_domain
            .as_deref()
            .unwrap_or_else(|| self.from.domain())
    }
}

/// Sends e-mail. One call, one message; the id is the outbox id, stable across retries, which
/// implementations put into the `Message-ID` and the [`IDEMPOTENCY_HEADER`].
#[async_trait]
pub trait EmailTransport: Send + Sync {
    /// Delivers `message` (an e-mail) and reports what the provider said.
    async fn send_email(&self, id: &MessageId, message: &Message) -> Delivery;
}

/// Sends SMS through a gateway. One call, one message; the id is the outbox id, stable across
/// retries (gateways that accept a client reference get it, so they can drop duplicates).
#[async_trait]
pub trait SmsGateway: Send + Sync {
    /// Delivers `message` (an SMS) and reports what the gateway said.
    async fn send_sms(&self, id: &MessageId, message: &Message) -> Delivery;
}

/// Errors while setting a channel up (not delivery failures, which are [`Delivery`] values).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The SMTP settings are not usable (bad host name, TLS settings, certificate).
    #[error("smtp settings: {0}")]
    SmtpConfig(String),
    /// The e-mail cannot be built from the message (e.g. an SMS was given to an e-mail channel).
    #[error("building the e-mail: {0}")]
    Build(String),
    /// A file or folder of a file transport cannot be used.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
}
