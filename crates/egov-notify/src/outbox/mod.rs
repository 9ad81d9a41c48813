//! The durable outbox: messages are written to a store first (in the caller's own database
//! transaction where the caller wants that) and delivered by [`Worker`]s, with retries,
//! exponential backoff with jitter up to a deadline, leases that expire when a worker dies,
//! rate limits, a status history and callbacks.
//!
//! ```text
//! send ──► created ──claim──► sending ──► delivered
//!                               │  ▲   ├─► permanent-failure
//!              temporary or     │  │   ├─► temporary-failure  (retries exhausted or deadline)
//!              technical failure└──┘   └─► technical-failure  (retries exhausted or deadline)
//!              (retry with backoff, status stays `sending`)
//! ```
//!
//! Delivery is *at least once*: a worker that dies after the channel accepted a message but
//! before it recorded that, leaves a message that is sent again when its lease expires. Every
//! copy carries the same [`MessageId`] (in e-mail as `Message-ID` and `X-Egov-Message-Id`), so
//! receivers can drop duplicates. Nothing stays in `sending` forever: an expired lease is taken
//! over by the next worker, and a message past its deadline ends as a failure.
//!
//! [`OutboxStore`] is the storage trait; [`SqliteOutbox`] (feature `sqlite`, on by default) and
//! `PostgresOutbox` (feature `postgres`, for several worker processes) implement it.
//! [`suite`] is a store test suite that any implementation must pass.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::message::{Message, MessageId};

mod clock;
#[cfg(feature = "postgres")]
mod postgres;
mod rate;
#[cfg(feature = "sqlite")]
mod sqlite;
pub mod suite;
#[cfg(feature = "webhook")]
mod webhook;
mod worker;

pub use clock::{Clock, FakeClock, SystemClock};
#[cfg(feature = "postgres")]
pub use postgres::{POSTGRES_SCHEMA_VERSION, PostgresOptions, PostgresOutbox};
pub use rate::{Rate, RateLimiter, RateLimits};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteOutbox, Synchronous};
#[cfg(feature = "webhook")]
pub use webhook::{WebhookCallback, WebhookError};
pub use worker::{Backoff, Callback, Channels, RunReport, StatusUpdate, Worker, WorkerConfig};

/// The status of a message, after GOV.UK Notify's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// Stored in the outbox, not tried yet.
    Created,
    /// A worker is delivering it, or it waits for a retry after a temporary or technical failure.
    Sending,
    /// The channel's provider accepted it.
    Delivered,
    /// The provider refused it for now (SMTP 4xx) on every attempt until the retries ran out.
    TemporaryFailure,
    /// The provider refused it for good (SMTP 5xx, unknown mailbox).
    PermanentFailure,
    /// The provider could not be reached, or no worker reported, until the retries ran out.
    TechnicalFailure,
}

impl Status {
    /// The status name as in Notify (`temporary-failure`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::TemporaryFailure => "temporary-failure",
            Self::PermanentFailure => "permanent-failure",
            Self::TechnicalFailure => "technical-failure",
        }
    }

    /// True once nothing will change any more (as the *current* status of a message).
    #[must_use]
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Created | Self::Sending)
    }

    /// True for [`Status::Delivered`].
    #[must_use]
    pub fn is_success(self) -> bool {
        self == Self::Delivered
    }

    /// True for the three failures.
    #[must_use]
    pub fn is_failure(self) -> bool {
        self.is_final() && !self.is_success()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = OutboxError;

    fn from_str(s: &str) -> Result<Self, OutboxError> {
        [
            Self::Created,
            Self::Sending,
            Self::Delivered,
            Self::TemporaryFailure,
            Self::PermanentFailure,
            Self::TechnicalFailure,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
        .ok_or_else(|| OutboxError::Corrupt {
            reason: format!("unknown status `{s}`"),
        })
    }
}

/// One row of a message's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusChange {
    /// The status (for a failure that will be retried, the kind of failure of that attempt).
    pub status: Status,
    /// When.
    pub at: DateTime<Utc>,
    /// The attempt it belongs to (0 for `created`).
    pub attempt: u32,
    /// The provider's reason, the worker's name or what happened.
    pub reason: Option<String>,
    /// For a failed attempt that will be retried: when.
    pub retry_at: Option<DateTime<Utc>>,
}

/// The longest idempotency key, in bytes.
pub const MAX_IDEMPOTENCY_KEY_BYTES: usize = 200;

/// How long the outbox keeps trying a message by default: 24 hours after it was sent.
pub const DEFAULT_VALIDITY: TimeDelta = TimeDelta::hours(24);

/// A message to put into the outbox, with its options.
///
/// ```
/// # use egov_core::Language;
/// # use egov_notify::{Message, PhoneNumber, template::*};
/// use egov_notify::outbox::NewMessage;
/// # let template = Template::new(TemplateSource::sms("t", 1).sms_text(Language::De, "Hallo"))?;
/// # let rendered = template.render(Language::De, &Personalisation::new(), &RenderOptions::default())?;
/// # let message = Message::new(PhoneNumber::parse("079 123 45 67")?, rendered)?;
/// let new = NewMessage::new(message).idempotency_key("gesuch-2026-0042/eingang")?;
/// assert_eq!(new.key(), Some("gesuch-2026-0042/eingang"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    message: Message,
    idempotency_key: Option<String>,
    deadline: Option<DateTime<Utc>>,
    not_before: Option<DateTime<Utc>>,
}

impl NewMessage {
    /// A message with no idempotency key, the [`DEFAULT_VALIDITY`] and no schedule.
    #[must_use]
    pub fn new(message: Message) -> Self {
        Self {
            message,
            idempotency_key: None,
            deadline: None,
            not_before: None,
        }
    }

    /// Sets an idempotency key: sending again with the same key (and the same message) gives back
    /// the first message's id and enqueues nothing.
    ///
    /// # Errors
    ///
    /// [`OutboxError::InvalidIdempotencyKey`] for an empty key or one longer than
    /// [`MAX_IDEMPOTENCY_KEY_BYTES`].
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Result<Self, OutboxError> {
        let key = key.into();
        if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_BYTES {
            return Err(OutboxError::InvalidIdempotencyKey);
        }
        self.idempotency_key = Some(key);
        Ok(self)
    }

    /// Gives up (with the last failure as final status) when a retry would start after `deadline`.
    #[must_use]
    pub fn deadline(mut self, deadline: DateTime<Utc>) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sends no earlier than `at`.
    #[must_use]
    pub fn not_before(mut self, at: DateTime<Utc>) -> Self {
        self.not_before = Some(at);
        self
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// The idempotency key.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// The deadline, given `now` as the time of sending.
    #[must_use]
    pub fn deadline_from(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.deadline.unwrap_or(now + DEFAULT_VALIDITY)
    }

    /// When the first attempt may start, given `now` as the time of sending.
    #[must_use]
    pub fn first_attempt_from(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.not_before.map_or(now, |at| at.max(now))
    }
}

/// The answer of [`OutboxStore::enqueue`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Enqueued {
    /// The message's id.
    pub id: MessageId,
    /// False when an earlier message with the same idempotency key was found instead.
    pub created: bool,
}

/// A message a worker has claimed: it holds a lease until [`Claimed::lease_until`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Claimed {
    /// The id.
    pub id: MessageId,
    /// The message.
    pub message: Message,
    /// The number of this attempt (1 for the first).
    pub attempt: u32,
    /// The lease token; a store accepts the outcome only with it.
    pub lease_token: String,
    /// Until when the lease holds.
    pub lease_until: DateTime<Utc>,
    /// After this, no further attempt starts.
    pub deadline: DateTime<Utc>,
    /// True when an earlier worker's lease had expired (it died or hung).
    pub recovered: bool,
}

/// What a worker records about an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// `Delivered` or one of the failures.
    pub status: Status,
    /// The provider's reason.
    pub reason: Option<String>,
    /// For a failure that will be retried: when. The message's status stays `sending`.
    pub retry_at: Option<DateTime<Utc>>,
}

/// A stored message with its current state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredMessage {
    /// The id.
    pub id: MessageId,
    /// The message.
    pub message: Message,
    /// The current status.
    pub status: Status,
    /// How many attempts were started.
    pub attempts: u32,
    /// When it was sent to the outbox.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When the next attempt may start (none once final).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// After this, no further attempt starts.
    pub deadline: DateTime<Utc>,
    /// The last reason recorded.
    pub last_reason: Option<String>,
}

/// Storage of the outbox. Times are passed in, so stores need no clock and a test suite can
/// drive them with any time ([`suite`]).
///
/// Contract (checked by [`suite::run_all`]):
/// * `enqueue` with a known idempotency key and the same message returns the first id with
///   `created == false`; with a different message it fails with
///   [`OutboxError::IdempotencyConflict`].
/// * `claim` hands a message to one worker at a time: due messages (`created`, or waiting for a
///   retry whose time has come) and messages whose lease expired, oldest first.
/// * `record` and `release` succeed only with the current lease token
///   ([`OutboxError::LeaseLost`] otherwise), so a worker that lost its lease cannot overwrite
///   the outcome of the worker that took over.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Stores a new message (status `created`) and returns its id.
    async fn enqueue(&self, new: &NewMessage, now: DateTime<Utc>) -> Result<Enqueued, OutboxError>;

    /// Claims up to `limit` messages for `worker`, each with a lease of `lease`; starts an
    /// attempt for each (status `sending`).
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: usize,
    ) -> Result<Vec<Claimed>, OutboxError>;

    /// Records the outcome of a claimed message's attempt.
    async fn record(
        &self,
        claimed: &Claimed,
        record: &AttemptRecord,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError>;

    /// Gives a claimed message back without an attempt (e.g. a rate limit), due again at `at`.
    async fn release(
        &self,
        claimed: &Claimed,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError>;

    /// A message and its current state.
    async fn get(&self, id: &MessageId) -> Result<Option<StoredMessage>, OutboxError>;

    /// A message's status history, oldest first.
    async fn history(&self, id: &MessageId) -> Result<Vec<StatusChange>, OutboxError>;
}

#[async_trait]
impl<S: OutboxStore + ?Sized> OutboxStore for Arc<S> {
    async fn enqueue(&self, new: &NewMessage, now: DateTime<Utc>) -> Result<Enqueued, OutboxError> {
        (**self).enqueue(new, now).await
    }

    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: usize,
    ) -> Result<Vec<Claimed>, OutboxError> {
        (**self).claim(worker, now, lease, limit).await
    }

    async fn record(
        &self,
        claimed: &Claimed,
        record: &AttemptRecord,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        (**self).record(claimed, record, now).await
    }

    async fn release(
        &self,
        claimed: &Claimed,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        (**self).release(claimed, at, now).await
    }

    async fn get(&self, id: &MessageId) -> Result<Option<StoredMessage>, OutboxError> {
        (**self).get(id).await
    }

    async fn history(&self, id: &MessageId) -> Result<Vec<StatusChange>, OutboxError> {
        (**self).history(id).await
    }
}

/// The application's side of the outbox: a store and a clock.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use egov_core::Language;
/// # use egov_notify::{Message, PhoneNumber, template::*};
/// use std::sync::Arc;
/// use egov_notify::outbox::{Outbox, SqliteOutbox, Status, SystemClock};
///
/// # let template = Template::new(TemplateSource::sms("t", 1).sms_text(Language::De, "Hallo"))?;
/// # let rendered = template.render(Language::De, &Personalisation::new(), &RenderOptions::default())?;
/// # let message = Message::new(PhoneNumber::parse("079 123 45 67")?, rendered)?;
/// let outbox = Outbox::new(SqliteOutbox::open_in_memory()?, Arc::new(SystemClock));
/// let id = outbox.send(message).await?;
/// assert_eq!(outbox.status(&id).await?.map(|m| m.status), Some(Status::Created));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Outbox<S> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: OutboxStore> Outbox<S> {
    /// An outbox on `store`, with time from `clock`.
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Puts `message` into the outbox and returns its id.
    ///
    /// # Errors
    ///
    /// A store error.
    pub async fn send(&self, message: Message) -> Result<MessageId, OutboxError> {
        Ok(self
            .store
            .enqueue(&NewMessage::new(message), self.clock.now())
            .await?
            .id)
    }

    /// Puts a message with options (idempotency key, deadline, schedule) into the outbox.
    ///
    /// # Errors
    ///
    /// [`OutboxError::IdempotencyConflict`] or a store error.
    pub async fn send_with(&self, new: &NewMessage) -> Result<Enqueued, OutboxError> {
        self.store.enqueue(new, self.clock.now()).await
    }

    /// A message's current state.
    ///
    /// # Errors
    ///
    /// A store error.
    pub async fn status(&self, id: &MessageId) -> Result<Option<StoredMessage>, OutboxError> {
        self.store.get(id).await
    }

    /// A message's status history.
    ///
    /// # Errors
    ///
    /// A store error.
    pub async fn history(&self, id: &MessageId) -> Result<Vec<StatusChange>, OutboxError> {
        self.store.history(id).await
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }
}

/// Errors of the outbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// The database refused or failed.
    #[error("outbox storage: {0}")]
    Storage(String),
    /// A stored value cannot be read back.
    #[error("outbox: stored data cannot be read: {reason}")]
    Corrupt {
        /// What is wrong.
        reason: String,
    },
    /// The worker's lease on the message expired and another worker took it over.
    #[error("outbox: the lease on message {id} was lost")]
    LeaseLost {
        /// The message.
        id: MessageId,
    },
    /// The idempotency key was used before for a different message.
    #[error("outbox: the idempotency key was already used for another message ({existing})")]
    IdempotencyConflict {
        /// The id of the message that has the key.
        existing: MessageId,
    },
    /// An idempotency key is empty or too long.
    #[error("outbox: an idempotency key must have 1 to {MAX_IDEMPOTENCY_KEY_BYTES} bytes")]
    InvalidIdempotencyKey,
    /// A worker's settings are not usable.
    #[error("outbox worker settings: {0}")]
    Config(String),
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for OutboxError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.to_string())
    }
}
