//! The PostgreSQL outbox store (feature `postgres`): tokio-postgres with a deadpool pool, claims with
//! `FOR UPDATE SKIP LOCKED`, a versioned schema migrated on open. See docs/decisions/0009.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{NoTls, Transaction};

use super::{
    AttemptRecord, Claimed, Enqueued, NewMessage, OutboxError, OutboxStore, Status, StatusChange,
    StoredMessage,
};
use crate::message::{Message, MessageId};
use crate::recipient::Recipient;

/// The schema versions, oldest first; each runs once, in one transaction with its version row.
const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    "
CREATE TABLE egov_outbox (
    id               TEXT PRIMARY KEY,
    seq              BIGINT GENERATED ALWAYS AS IDENTITY,
    channel          TEXT NOT NULL,
    recipient_domain TEXT,
    reference        TEXT,
    message          JSONB NOT NULL,
    idempotency_key  TEXT UNIQUE,
    status           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'done')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    next_attempt_at  TIMESTAMPTZ,
    deadline         TIMESTAMPTZ NOT NULL,
    lease_token      TEXT,
    lease_until      TIMESTAMPTZ,
    worker           TEXT,
    last_reason      TEXT
);
CREATE INDEX egov_outbox_due ON egov_outbox (next_attempt_at, seq) WHERE state = 'queued';
CREATE INDEX egov_outbox_leased ON egov_outbox (lease_until) WHERE state = 'sending';
CREATE INDEX egov_outbox_reference ON egov_outbox (reference) WHERE reference IS NOT NULL;
CREATE TABLE egov_outbox_status (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES egov_outbox (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    attempt    INTEGER NOT NULL,
    reason     TEXT,
    retry_at   TIMESTAMPTZ
);
CREATE INDEX egov_outbox_status_message ON egov_outbox_status (message_id, seq);
",
)];

/// The key of the advisory lock that serialises migrations of several processes.
const MIGRATION_LOCK: i64 = 0x6567_6f76_6e6f_7431; // "egovnot1"

/// The schema version this build writes.
pub const POSTGRES_SCHEMA_VERSION: i32 = 1;

/// Settings of a [`PostgresOutbox`].
///
/// ```
/// use egov_notify::outbox::PostgresOptions;
///
/// let options = PostgresOptions::default().schema("notify")?.max_connections(8);
/// assert_eq!(options.schema_name(), Some("notify"));
/// # Ok::<(), egov_notify::outbox::OutboxError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    schema: Option<String>,
    max_connections: usize,
    wait_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            schema: None,
            max_connections: 4,
            wait_timeout: Duration::from_secs(30),
        }
    }
}

impl PostgresOptions {
    /// Keeps the tables in this schema (created if missing) instead of the connection's
    /// `search_path`: lower-case letters, digits and `_`, starting with a letter or `_`, at most 63
    /// bytes.
    ///
    /// # Errors
    ///
    /// [`OutboxError::Config`] for another name.
    pub fn schema(mut self, name: &str) -> Result<Self, OutboxError> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit();
        if !valid {
            return Err(OutboxError::Config(format!(
                "schema name `{name}`: use a-z, 0-9 and _ (not first), at most 63 bytes"
            )));
        }
        self.schema = Some(name.to_owned());
        Ok(self)
    }

    /// The most connections the pool opens (at least 1; default 4).
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// How long a call waits for a free connection (default 30 s).
    #[must_use]
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// The schema, if one was set.
    #[must_use]
    pub fn schema_name(&self) -> Option<&str> {
        self.schema.as_deref()
    }
}

/// The outbox in PostgreSQL. Several workers in several processes can share it: a claim locks
/// its rows with `FOR UPDATE SKIP LOCKED`, so each message goes to one worker, and workers do not
/// wait for each other. The schema is created or upgraded on open (versioned in
/// `egov_outbox_schema`, under an advisory lock, so concurrent opens are safe).
///
/// The application can write a message in its **own transaction**, together with its data, with
/// [`PostgresOutbox::enqueue_in`]. The connection string is a libpq-style URL or key-value string
/// (`postgresql://notify@localhost:5432/app`, `host=/run/postgresql user=notify`); connections are
/// plain (loopback or Unix socket). `Debug` shows neither the connection string nor the password.
#[derive(Clone)]
pub struct PostgresOutbox {
    pool: Pool,
    schema: Option<String>,
}

impl fmt::Debug for PostgresOutbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.pool.status();
        f.debug_struct("PostgresOutbox")
            .field("schema", &self.schema)
            .field("connections", &status.size)
            .field("max_connections", &status.max_size)
            .finish_non_exhaustive()
    }
}

fn pg(e: &tokio_postgres::Error) -> OutboxError {
    match e.as_db_error() {
        Some(db) => OutboxError::Storage(format!("{} ({})", db.message(), db.code().code())),
        None => OutboxError::Storage(e.to_string()),
    }
}

impl From<tokio_postgres::Error> for OutboxError {
    fn from(e: tokio_postgres::Error) -> Self {
        pg(&e)
    }
}

impl PostgresOutbox {
    /// Connects with default settings and migrates the schema.
    ///
    /// # Errors
    ///
    /// [`OutboxError::Config`] for a bad connection string, [`OutboxError::Storage`] when the
    /// server cannot be reached or refuses.
    pub async fn connect(url: &str) -> Result<Self, OutboxError> {
        Self::connect_with(url, PostgresOptions::default()).await
    }

    /// Connects and migrates the schema.
    ///
    /// # Errors
    ///
    /// As [`PostgresOutbox::connect`].
    pub async fn connect_with(url: &str, options: PostgresOptions) -> Result<Self, OutboxError> {
        // The parser's message never repeats the string, which may hold a password.
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| OutboxError::Config(format!("PostgreSQL connection string: {e}")))?;
        if let Some(schema) = &options.schema {
            let mut startup = config.get_options().unwrap_or_default().to_owned();
            if !startup.is_empty() {
                startup.push(' ');
            }
            startup.push_str(&format!("-c search_path={schema}"));
            config.options(&startup);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections)
            .wait_timeout(Some(options.wait_timeout))
            .create_timeout(Some(options.wait_timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| OutboxError::Config(format!("connection pool: {e}")))?;
        let outbox = Self {
            pool,
            schema: options.schema,
        };
        let mut client = outbox.client().await?;
        let tx = client.transaction().await?;
        if let Some(schema) = &outbox.schema {
            // `CREATE SCHEMA IF NOT EXISTS` races with itself in other sessions: lock first (the
            // lock is re-entrant, `migrate` takes it again).
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await?;
            // Validated in `PostgresOptions::schema`: a plain identifier.
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await?;
        }
        Self::migrate(&tx).await?;
        tx.commit().await?;
        Ok(outbox)
    }

    /// A connection from the pool, for the application's own work, e.g. a transaction that also
    /// writes a message with [`PostgresOutbox::enqueue_in`]. With a schema set in the options,
    /// its `search_path` is that schema.
    ///
    /// # Errors
    ///
    /// [`OutboxError::Storage`] when no connection can be had.
    pub async fn client(&self) -> Result<deadpool_postgres::Object, OutboxError> {
        self.pool
            .get()
            .await
            .map_err(|e| OutboxError::Storage(format!("PostgreSQL connection: {e}")))
    }

    /// Creates or upgrades the outbox tables (`egov_outbox`, `egov_outbox_status`,
    /// `egov_outbox_schema`) in the transaction's `search_path`. Idempotent; concurrent callers
    /// wait for each other (advisory lock). [`PostgresOutbox::connect`] calls it; call it on the
    /// application's own connection before [`PostgresOutbox::enqueue_in`] if that uses another
    /// database or schema.
    ///
    /// # Errors
    ///
    /// [`OutboxError::Storage`]; [`OutboxError::Corrupt`] when the database has a newer schema
    /// than this build knows.
    pub async fn migrate(tx: &Transaction<'_>) -> Result<u32, OutboxError> {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS egov_outbox_schema (
                 version    INTEGER PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await?;
        let current: i32 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM egov_outbox_schema", &[])
            .await?
            .try_get(0)?;
        if current > POSTGRES_SCHEMA_VERSION {
            return Err(OutboxError::Corrupt {
                reason: format!(
                    "the outbox schema has version {current}; this build knows up to {POSTGRES_SCHEMA_VERSION}"
                ),
            });
        }
        let mut applied = 0;
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            tx.batch_execute(sql).await?;
            tx.execute("INSERT INTO egov_outbox_schema (version) VALUES ($1)", &[version])
                .await?;
            applied += 1;
        }
        Ok(applied)
    }

    /// Writes a message into the outbox inside the caller's transaction (the transactional
    /// outbox): it is stored if and only if the caller commits.
    ///
    /// ```no_run
    /// # async fn demo(outbox: &egov_notify::outbox::PostgresOutbox, message: egov_notify::Message)
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// use egov_notify::outbox::{Clock, NewMessage, PostgresOutbox, SystemClock};
    ///
    /// let mut client = outbox.client().await?;
    /// let tx = client.transaction().await?;
    /// tx.execute("INSERT INTO gesuch (nr) VALUES ($1)", &[&"BG-2026-0042"]).await?;
    /// PostgresOutbox::enqueue_in(&tx, &NewMessage::new(message), SystemClock.now()).await?;
    /// tx.commit().await?; // both rows, or neither
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`OutboxError::IdempotencyConflict`] or [`OutboxError::Storage`].
    pub async fn enqueue_in(
        tx: &Transaction<'_>,
        new: &NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Enqueued, OutboxError> {
        insert(tx, new, now).await
    }
}

fn count(n: i32) -> Result<u32, OutboxError> {
    u32::try_from(n).map_err(|_| OutboxError::Corrupt {
        reason: format!("attempt count {n}"),
    })
}

fn attempt_param(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn decode_message(json: &str) -> Result<Message, OutboxError> {
    serde_json::from_str(json).map_err(|e| OutboxError::Corrupt {
        reason: format!("stored message: {e}"),
    })
}

fn decode_id(id: &str) -> Result<MessageId, OutboxError> {
    id.parse().map_err(|e: crate::Error| OutboxError::Corrupt {
        reason: e.to_string(),
    })
}

async fn add_history(
    tx: &Transaction<'_>,
    id: &str,
    change: (Status, DateTime<Utc>, u32, Option<&str>, Option<DateTime<Utc>>),
) -> Result<(), OutboxError> {
    let (status, at, attempt, reason, retry_at) = change;
    tx.execute(
        "INSERT INTO egov_outbox_status (message_id, status, at, attempt, reason, retry_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &id,
            &status.as_str(),
            &at,
            &attempt_param(attempt),
            &reason,
            &retry_at,
        ],
    )
    .await?;
    Ok(())
}

async fn insert(tx: &Transaction<'_>, new: &NewMessage, now: DateTime<Utc>) -> Result<Enqueued, OutboxError> {
    let message = new.message();
    let json = serde_json::to_string(message).map_err(|e| OutboxError::Storage(e.to_string()))?;
    let domain = match message.recipient() {
        Recipient::Email(address) => Some(address.domain()),
        _ => None,
    };
    let id = MessageId::random();
    // ON CONFLICT waits for a concurrent insert of the same key and then does nothing.
    let inserted = tx
        .execute(
            "INSERT INTO egov_outbox (id, channel, recipient_domain, reference, message, idempotency_key,
                 status, state, attempts, created_at, updated_at, next_attempt_at, deadline)
             VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, 'created', 'queued', 0, $7, $7, $8, $9)
             ON CONFLICT (idempotency_key) DO NOTHING",
            &[
                &id.as_str(),
                &message.channel().to_string(),
                &domain,
                &message.reference(),
                &json,
                &new.key(),
                &now,
                &new.first_attempt_from(now),
                &new.deadline_from(now),
            ],
        )
        .await?;
    if inserted == 0 {
        let row = tx
            .query_opt(
                "SELECT id, message::text FROM egov_outbox WHERE idempotency_key = $1",
                &[&new.key()],
            )
            .await?
            .ok_or_else(|| OutboxError::Storage("idempotency key conflict on a vanished row".to_owned()))?;
        let existing = decode_id(row.try_get(0)?)?;
        return if decode_message(row.try_get(1)?)? == *message {
            Ok(Enqueued {
                id: existing,
                created: false,
            })
        } else {
            Err(OutboxError::IdempotencyConflict { existing })
        };
    }
    add_history(tx, id.as_str(), (Status::Created, now, 0, None, None)).await?;
    Ok(Enqueued { id, created: true })
}

async fn claim(
    tx: &Transaction<'_>,
    worker: &str,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: usize,
) -> Result<Vec<Claimed>, OutboxError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = Vec::new();
    for (sql, recovered) in [
        (
            "SELECT id, message::text, attempts, deadline FROM egov_outbox
             WHERE state = 'sending' AND lease_until <= $1 ORDER BY lease_until, seq LIMIT $2
             FOR UPDATE SKIP LOCKED",
            true,
        ),
        (
            "SELECT id, message::text, attempts, deadline FROM egov_outbox
             WHERE state = 'queued' AND next_attempt_at <= $1 ORDER BY next_attempt_at, seq LIMIT $2
             FOR UPDATE SKIP LOCKED",
            false,
        ),
    ] {
        let room = limit - i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if room <= 0 {
            break;
        }
        for row in tx.query(sql, &[&now, &room]).await? {
            let id: String = row.try_get(0)?;
            let json: String = row.try_get(1)?;
            let attempts: i32 = row.try_get(2)?;
            let deadline: DateTime<Utc> = row.try_get(3)?;
            rows.push((id, json, attempts, deadline, recovered));
        }
    }
    let lease_until = now + lease;
    let mut claimed = Vec::with_capacity(rows.len());
    for (id_text, json, attempts, deadline, recovered) in rows {
        let previous = count(attempts)?;
        if recovered {
            add_history(
                tx,
                &id_text,
                (
                    Status::TechnicalFailure,
                    now,
                    previous,
                    Some("the worker's lease expired before it reported an outcome"),
                    Some(now),
                ),
            )
            .await?;
        }
        let (message, id) = match (decode_message(&json), decode_id(&id_text)) {
            (Ok(message), Ok(id)) => (message, id),
            (Err(e), _) | (_, Err(e)) => {
                // Unreadable: end it instead of handing it out again and again.
                let reason = e.to_string();
                tx.execute(
                    "UPDATE egov_outbox SET state = 'done', status = 'technical-failure', next_attempt_at = NULL,
                         lease_token = NULL, lease_until = NULL, updated_at = $2, last_reason = $3 WHERE id = $1",
                    &[&id_text, &now, &reason],
                )
                .await?;
                add_history(
                    tx,
                    &id_text,
                    (Status::TechnicalFailure, now, previous, Some(&reason), None),
                )
                .await?;
                continue;
            }
        };
        let attempt = previous + 1;
        let token = format!("{:032x}", fastrand::u128(..));
        tx.execute(
            "UPDATE egov_outbox SET state = 'sending', status = 'sending', attempts = $2, lease_token = $3,
                 lease_until = $4, worker = $5, updated_at = $6 WHERE id = $1",
            &[
                &id_text,
                &attempt_param(attempt),
                &token,
                &lease_until,
                &worker,
                &now,
            ],
        )
        .await?;
        add_history(
            tx,
            &id_text,
            (
                Status::Sending,
                now,
                attempt,
                Some(&format!("worker {worker}")),
                None,
            ),
        )
        .await?;
        claimed.push(Claimed {
            id,
            message,
            attempt,
            lease_token: token,
            lease_until,
            deadline,
            recovered,
        });
    }
    Ok(claimed)
}

async fn record(
    tx: &Transaction<'_>,
    claimed: &Claimed,
    record: &AttemptRecord,
    now: DateTime<Utc>,
) -> Result<(), OutboxError> {
    let id = claimed.id.as_str();
    let changed = match record.retry_at {
        Some(retry_at) => {
            tx.execute(
                "UPDATE egov_outbox SET state = 'queued', status = 'sending', next_attempt_at = $3,
                     lease_token = NULL, lease_until = NULL, updated_at = $4, last_reason = $5
                 WHERE id = $1 AND state = 'sending' AND lease_token = $2",
                &[&id, &claimed.lease_token, &retry_at, &now, &record.reason],
            )
            .await?
        }
        None => {
            tx.execute(
                "UPDATE egov_outbox SET state = 'done', status = $3, next_attempt_at = NULL,
                     lease_token = NULL, lease_until = NULL, updated_at = $4, last_reason = $5
                 WHERE id = $1 AND state = 'sending' AND lease_token = $2",
                &[
                    &id,
                    &claimed.lease_token,
                    &record.status.as_str(),
                    &now,
                    &record.reason,
                ],
            )
            .await?
        }
    };
    if changed == 0 {
        return Err(OutboxError::LeaseLost {
            id: claimed.id.clone(),
        });
    }
    add_history(
        tx,
        id,
        (
            record.status,
            now,
            claimed.attempt,
            record.reason.as_deref(),
            record.retry_at,
        ),
    )
    .await
}

async fn release(
    tx: &Transaction<'_>,
    claimed: &Claimed,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), OutboxError> {
    let id = claimed.id.as_str();
    let status = if claimed.attempt <= 1 {
        Status::Created
    } else {
        Status::Sending
    };
    let changed = tx
        .execute(
            "UPDATE egov_outbox SET state = 'queued', status = $3, attempts = attempts - 1, next_attempt_at = $4,
                 lease_token = NULL, lease_until = NULL, updated_at = $5
             WHERE id = $1 AND state = 'sending' AND lease_token = $2",
            &[&id, &claimed.lease_token, &status.as_str(), &at, &now],
        )
        .await?;
    if changed == 0 {
        return Err(OutboxError::LeaseLost {
            id: claimed.id.clone(),
        });
    }
    add_history(
        tx,
        id,
        (
            status,
            now,
            claimed.attempt.saturating_sub(1),
            Some("deferred by a rate limit"),
            Some(at),
        ),
    )
    .await
}

#[async_trait]
impl OutboxStore for PostgresOutbox {
    async fn enqueue(&self, new: &NewMessage, now: DateTime<Utc>) -> Result<Enqueued, OutboxError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let enqueued = insert(&tx, new, now).await?;
        tx.commit().await?;
        Ok(enqueued)
    }

    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: usize,
    ) -> Result<Vec<Claimed>, OutboxError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let claimed = claim(&tx, worker, now, lease, limit).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn record(
        &self,
        claimed: &Claimed,
        outcome: &AttemptRecord,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        record(&tx, claimed, outcome, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn release(
        &self,
        claimed: &Claimed,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        release(&tx, claimed, at, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get(&self, id: &MessageId) -> Result<Option<StoredMessage>, OutboxError> {
        let client = self.client().await?;
        let Some(row) = client
            .query_opt(
                "SELECT message::text, status, attempts, created_at, updated_at, next_attempt_at, deadline,
                        last_reason, state
                 FROM egov_outbox WHERE id = $1",
                &[&id.as_str()],
            )
            .await?
        else {
            return Ok(None);
        };
        let state: String = row.try_get(8)?;
        let status: String = row.try_get(1)?;
        Ok(Some(StoredMessage {
            id: id.clone(),
            message: decode_message(row.try_get(0)?)?,
            status: status.parse()?,
            attempts: count(row.try_get(2)?)?,
            created_at: row.try_get(3)?,
            updated_at: row.try_get(4)?,
            next_attempt_at: if state == "queued" { row.try_get(5)? } else { None },
            deadline: row.try_get(6)?,
            last_reason: row.try_get(7)?,
        }))
    }

    async fn history(&self, id: &MessageId) -> Result<Vec<StatusChange>, OutboxError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT status, at, attempt, reason, retry_at FROM egov_outbox_status
                 WHERE message_id = $1 ORDER BY seq",
                &[&id.as_str()],
            )
            .await?;
        let mut changes = Vec::with_capacity(rows.len());
        for row in rows {
            let status: String = row.try_get(0)?;
            changes.push(StatusChange {
                status: status.parse()?,
                at: row.try_get(1)?,
                attempt: count(row.try_get(2)?)?,
                reason: row.try_get(3)?,
                retry_at: row.try_get(4)?,
            });
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(PostgresOptions::default().schema("notify_test_1").is_ok());
        assert!(PostgresOptions::default().schema("_x").is_ok());
        for bad in ["", "1abc", "Notify", "a;drop table x", "a-b", &"x".repeat(64)] {
            assert!(
                matches!(
                    PostgresOptions::default().schema(bad),
                    Err(OutboxError::Config(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn migrations_are_numbered_in_order_up_to_the_current_version() {
        let versions: Vec<i32> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        assert_eq!(versions, (1..=POSTGRES_SCHEMA_VERSION).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn bad_connection_strings_are_config_errors_without_the_password() {
        let err = PostgresOutbox::connect("postgresql://u:s3cret@host:notaport/db")
            .await
            .err();
        let text = format!("{err:?}");
        assert!(matches!(err, Some(OutboxError::Config(_))), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_a_storage_error() {
        // Port 1 on loopback: nothing listens there.
        let options = PostgresOptions::default().wait_timeout(Duration::from_secs(5));
        let err = PostgresOutbox::connect_with("host=127.0.0.1 port=1 user=x password=s3cret", options)
            .await
            .err();
        let text = format!("{err:?}");
        assert!(matches!(err, Some(OutboxError::Storage(_))), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
