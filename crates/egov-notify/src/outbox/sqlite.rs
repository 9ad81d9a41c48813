//! The SQLite outbox store (feature `sqlite`): one file, WAL mode, nothing to install.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{
    AttemptRecord, Claimed, Enqueued, NewMessage, OutboxError, OutboxStore, Status, StatusChange,
    StoredMessage,
};
use crate::message::{Message, MessageId};
use crate::recipient::Recipient;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS egov_outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    channel         TEXT NOT NULL,
    recipient_domain TEXT,
    reference       TEXT,
    message         TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    status          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'done')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    next_attempt_at INTEGER,
    deadline        INTEGER NOT NULL,
    lease_token     TEXT,
    lease_until     INTEGER,
    worker          TEXT,
    last_reason     TEXT
);
CREATE INDEX IF NOT EXISTS egov_outbox_due ON egov_outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS egov_outbox_leased ON egov_outbox (lease_until) WHERE state = 'sending';
CREATE INDEX IF NOT EXISTS egov_outbox_reference ON egov_outbox (reference) WHERE reference IS NOT NULL;
CREATE TABLE IF NOT EXISTS egov_outbox_status (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL REFERENCES egov_outbox (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    attempt    INTEGER NOT NULL,
    reason     TEXT,
    retry_at   INTEGER
);
CREATE INDEX IF NOT EXISTS egov_outbox_status_message ON egov_outbox_status (message_id, seq);
";

/// SQLite's `synchronous` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Synchronous {
    /// Every commit is on disk before it returns: nothing is lost even on power loss.
    #[default]
    Full,
    /// Faster; in WAL mode safe against a crashed process, but the last commits can be lost on
    /// power loss or an OS crash.
    Normal,
}

/// Settings of a [`SqliteOutbox`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of commits.
    pub synchronous: Synchronous,
    /// How long to wait for another connection's write lock.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The outbox in an SQLite file (WAL mode). Several workers and processes can share the file;
/// claims take the write lock up front (`BEGIN IMMEDIATE`), so two workers never get the same
/// message. Blocking SQLite calls run on tokio's blocking threads.
///
/// The application can write a message in its **own transaction**, together with its data,
/// with [`SqliteOutbox::enqueue_in`]: either both are stored or neither.
#[derive(Debug, Clone)]
pub struct SqliteOutbox {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteOutbox {
    /// Opens (or creates) the outbox in the file at `path` with default settings.
    ///
    /// # Errors
    ///
    /// [`OutboxError::Storage`].
    pub fn open(path: &Path) -> Result<Self, OutboxError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (or creates) the outbox in the file at `path`.
    ///
    /// # Errors
    ///
    /// [`OutboxError::Storage`].
    pub fn open_with(path: &Path, options: SqliteOptions) -> Result<Self, OutboxError> {
        let conn = Connection::open(path)?;
        Self::configure(&conn, options)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// An outbox in memory, gone when dropped (tests, examples).
    ///
    /// # Errors
    ///
    /// [`OutboxError::Storage`].
    pub fn open_in_memory() -> Result<Self, OutboxError> {
        let conn = Connection::open_in_memory()?;
        Self::configure(&conn, SqliteOptions::default())?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn configure(conn: &Connection, options: SqliteOptions) -> Result<(), OutboxError> {
        conn.busy_timeout(options.busy_timeout)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(
            None,
            "synchronous",
            match options.synchronous {
                Synchronous::Full => "FULL",
                Synchronous::Normal => "NORMAL",
            },
        )?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Self::migrate(conn)
    }

    /// Creates the outbox tables (`egov_outbox`, `egov_outbox_status`) if they are missing. Call
    /// it on the application's own connection before [`SqliteOutbox::enqueue_in`].
    ///
    /// # Errors
    ///
    /// [`OutboxError::Storage`].
    pub fn migrate(conn: &Connection) -> Result<(), OutboxError> {
        conn.execute_batch(SCHEMA)?;
        Ok(())
    }

    /// Writes a message into the outbox inside the caller's transaction (the transactional
    /// outbox): it is stored if and only if the caller commits.
    ///
    /// ```
    /// # use egov_core::Language;
    /// # use egov_notify::{Message, PhoneNumber, template::*};
    /// use egov_notify::outbox::{Clock, NewMessage, SqliteOutbox, SystemClock};
    ///
    /// # let template = Template::new(TemplateSource::sms("t", 1).sms_text(Language::De, "Hallo"))?;
    /// # let rendered = template.render(Language::De, &Personalisation::new(), &RenderOptions::default())?;
    /// # let message = Message::new(PhoneNumber::parse("079 123 45 67")?, rendered)?;
    /// let mut conn = rusqlite::Connection::open_in_memory()?;
    /// SqliteOutbox::migrate(&conn)?;
    /// conn.execute("CREATE TABLE gesuch (nr TEXT PRIMARY KEY)", [])?;
    ///
    /// let tx = conn.transaction()?;
    /// tx.execute("INSERT INTO gesuch VALUES ('BG-2026-0042')", [])?;
    /// let queued = SqliteOutbox::enqueue_in(&tx, &NewMessage::new(message), SystemClock.now())?;
    /// tx.commit()?; // both rows, or neither
    /// # assert!(queued.created);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`OutboxError::IdempotencyConflict`] or [`OutboxError::Storage`].
    pub fn enqueue_in(
        tx: &Transaction<'_>,
        new: &NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Enqueued, OutboxError> {
        insert(tx, new, now)
    }

    async fn with_conn<T, F>(&self, f: F) -> Result<T, OutboxError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, OutboxError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| {
                OutboxError::Storage("an earlier call on this connection panicked".to_owned())
            })?;
            f(&mut conn)
        })
        .await
        .map_err(|e| OutboxError::Storage(format!("the blocking task failed: {e}")))?
    }
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn time(ms: i64) -> Result<DateTime<Utc>, OutboxError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| OutboxError::Corrupt {
        reason: format!("time {ms} out of range"),
    })
}

fn opt_time(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, OutboxError> {
    ms.map(time).transpose()
}

fn count(n: i64) -> Result<u32, OutboxError> {
    u32::try_from(n).map_err(|_| OutboxError::Corrupt {
        reason: format!("attempt count {n}"),
    })
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

fn add_history(
    conn: &Connection,
    id: &str,
    change: (Status, DateTime<Utc>, u32, Option<&str>, Option<DateTime<Utc>>),
) -> Result<(), OutboxError> {
    let (status, at, attempt, reason, retry_at) = change;
    conn.execute(
        "INSERT INTO egov_outbox_status (message_id, status, at, attempt, reason, retry_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, status.as_str(), ms(at), attempt, reason, retry_at.map(ms)],
    )?;
    Ok(())
}

fn insert(conn: &Connection, new: &NewMessage, now: DateTime<Utc>) -> Result<Enqueued, OutboxError> {
    if let Some(key) = new.key() {
        let existing = conn
            .query_row(
                "SELECT id, message FROM egov_outbox WHERE idempotency_key = ?1",
                [key],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()?;
        if let Some((id, json)) = existing {
            let id = decode_id(&id)?;
            return if decode_message(&json)? == *new.message() {
                Ok(Enqueued { id, created: false })
            } else {
                Err(OutboxError::IdempotencyConflict { existing: id })
            };
        }
    }
    let message = new.message();
    let json = serde_json::to_string(message).map_err(|e| OutboxError::Storage(e.to_string()))?;
    let domain = match message.recipient() {
        Recipient::Email(address) => Some(address.domain()),
        _ => None,
    };
    let id = MessageId::random();
    conn.execute(
        "INSERT INTO egov_outbox (id, channel, recipient_domain, reference, message, idempotency_key,
             status, state, attempts, created_at, updated_at, next_attempt_at, deadline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'created', 'queued', 0, ?7, ?7, ?8, ?9)",
        params![
            id.as_str(),
            message.channel().to_string(),
            domain,
            message.reference(),
            json,
            new.key(),
            ms(now),
            ms(new.first_attempt_from(now)),
            ms(new.deadline_from(now)),
        ],
    )?;
    add_history(conn, id.as_str(), (Status::Created, now, 0, None, None))?;
    Ok(Enqueued { id, created: true })
}

type Row = (String, String, i64, i64, bool);

fn claim(
    conn: &mut Connection,
    worker: &str,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: usize,
) -> Result<Vec<Claimed>, OutboxError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows: Vec<Row> = Vec::new();
    for (sql, recovered) in [
        (
            "SELECT id, message, attempts, deadline FROM egov_outbox
             WHERE state = 'sending' AND lease_until <= ?1 ORDER BY lease_until LIMIT ?2",
            true,
        ),
        (
            "SELECT id, message, attempts, deadline FROM egov_outbox
             WHERE state = 'queued' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, rowid LIMIT ?2",
            false,
        ),
    ] {
        let room = limit - i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if room <= 0 {
            break;
        }
        let mut stmt = tx.prepare(sql)?;
        let found = stmt.query_map(params![ms(now), room], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, recovered))
        })?;
        for row in found {
            rows.push(row?);
        }
    }
    let lease_until = now + lease;
    let mut claimed = Vec::with_capacity(rows.len());
    for (id_text, json, attempts, deadline, recovered) in rows {
        let previous = count(attempts)?;
        if recovered {
            add_history(
                &tx,
                &id_text,
                (
                    Status::TechnicalFailure,
                    now,
                    previous,
                    Some("the worker's lease expired before it reported an outcome"),
                    Some(now),
                ),
            )?;
        }
        let (message, id) = match (decode_message(&json), decode_id(&id_text)) {
            (Ok(message), Ok(id)) => (message, id),
            (Err(e), _) | (_, Err(e)) => {
                // Unreadable: end it instead of handing it out again and again.
                let reason = e.to_string();
                tx.execute(
                    "UPDATE egov_outbox SET state = 'done', status = 'technical-failure', next_attempt_at = NULL,
                         lease_token = NULL, lease_until = NULL, updated_at = ?2, last_reason = ?3 WHERE id = ?1",
                    params![id_text, ms(now), reason],
                )?;
                add_history(
                    &tx,
                    &id_text,
                    (Status::TechnicalFailure, now, previous, Some(&reason), None),
                )?;
                continue;
            }
        };
        let attempt = previous + 1;
        let token = format!("{:032x}", fastrand::u128(..));
        tx.execute(
            "UPDATE egov_outbox SET state = 'sending', status = 'sending', attempts = ?2, lease_token = ?3,
                 lease_until = ?4, worker = ?5, updated_at = ?6 WHERE id = ?1",
            params![id_text, attempt, token, ms(lease_until), worker, ms(now)],
        )?;
        add_history(
            &tx,
            &id_text,
            (
                Status::Sending,
                now,
                attempt,
                Some(&format!("worker {worker}")),
                None,
            ),
        )?;
        claimed.push(Claimed {
            id,
            message,
            attempt,
            lease_token: token,
            lease_until,
            deadline: time(deadline)?,
            recovered,
        });
    }
    tx.commit()?;
    Ok(claimed)
}

fn record(
    conn: &mut Connection,
    claimed: &Claimed,
    record: &AttemptRecord,
    now: DateTime<Utc>,
) -> Result<(), OutboxError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let id = claimed.id.as_str();
    let changed = match record.retry_at {
        Some(retry_at) => tx.execute(
            "UPDATE egov_outbox SET state = 'queued', status = 'sending', next_attempt_at = ?3,
                 lease_token = NULL, lease_until = NULL, updated_at = ?4, last_reason = ?5
             WHERE id = ?1 AND state = 'sending' AND lease_token = ?2",
            params![id, claimed.lease_token, ms(retry_at), ms(now), record.reason],
        )?,
        None => tx.execute(
            "UPDATE egov_outbox SET state = 'done', status = ?3, next_attempt_at = NULL,
                 lease_token = NULL, lease_until = NULL, updated_at = ?4, last_reason = ?5
             WHERE id = ?1 AND state = 'sending' AND lease_token = ?2",
            params![
                id,
                claimed.lease_token,
                record.status.as_str(),
                ms(now),
                record.reason
            ],
        )?,
    };
    if changed == 0 {
        return Err(OutboxError::LeaseLost {
            id: claimed.id.clone(),
        });
    }
    add_history(
        &tx,
        id,
        (
            record.status,
            now,
            claimed.attempt,
            record.reason.as_deref(),
            record.retry_at,
        ),
    )?;
    tx.commit()?;
    Ok(())
}

fn release(
    conn: &mut Connection,
    claimed: &Claimed,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), OutboxError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let id = claimed.id.as_str();
    let status = if claimed.attempt <= 1 {
        Status::Created
    } else {
        Status::Sending
    };
    let changed = tx.execute(
        "UPDATE egov_outbox SET state = 'queued', status = ?3, attempts = attempts - 1, next_attempt_at = ?4,
             lease_token = NULL, lease_until = NULL, updated_at = ?5
         WHERE id = ?1 AND state = 'sending' AND lease_token = ?2",
        params![id, claimed.lease_token, status.as_str(), ms(at), ms(now)],
    )?;
    if changed == 0 {
        return Err(OutboxError::LeaseLost {
            id: claimed.id.clone(),
        });
    }
    add_history(
        &tx,
        id,
        (
            status,
            now,
            claimed.attempt.saturating_sub(1),
            Some("deferred by a rate limit"),
            Some(at),
        ),
    )?;
    tx.commit()?;
    Ok(())
}

fn get(conn: &Connection, id: &MessageId) -> Result<Option<StoredMessage>, OutboxError> {
    let row = conn
        .query_row(
            "SELECT message, status, attempts, created_at, updated_at, next_attempt_at, deadline, last_reason, state
             FROM egov_outbox WHERE id = ?1",
            [id.as_str()],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                    row.get::<_, i64>(6)?,
                    row.get::<_, Option<String>>(7)?,
                    row.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((json, status, attempts, created, updated, next, deadline, last_reason, state)) = row else {
        return Ok(None);
    };
    Ok(Some(StoredMessage {
        id: id.clone(),
        message: decode_message(&json)?,
        status: status.parse()?,
        attempts: count(attempts)?,
        created_at: time(created)?,
        updated_at: time(updated)?,
        next_attempt_at: if state == "queued" { opt_time(next)? } else { None },
        deadline: time(deadline)?,
        last_reason,
    }))
}

fn history(conn: &Connection, id: &MessageId) -> Result<Vec<StatusChange>, OutboxError> {
    let mut stmt = conn.prepare(
        "SELECT status, at, attempt, reason, retry_at FROM egov_outbox_status WHERE message_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([id.as_str()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut changes = Vec::new();
    for row in rows {
        let (status, at, attempt, reason, retry_at) = row?;
        changes.push(StatusChange {
            status: status.parse()?,
            at: time(at)?,
            attempt: count(attempt)?,
            reason,
            retry_at: opt_time(retry_at)?,
        });
    }
    Ok(changes)
}

#[async_trait]
impl OutboxStore for SqliteOutbox {
    async fn enqueue(&self, new: &NewMessage, now: DateTime<Utc>) -> Result<Enqueued, OutboxError> {
        let new = new.clone();
        self.with_conn(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let enqueued = insert(&tx, &new, now)?;
            tx.commit()?;
            Ok(enqueued)
        })
        .await
    }

    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: usize,
    ) -> Result<Vec<Claimed>, OutboxError> {
        let worker = worker.to_owned();
        self.with_conn(move |conn| claim(conn, &worker, now, lease, limit))
            .await
    }

    async fn record(
        &self,
        claimed: &Claimed,
        outcome: &AttemptRecord,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        let (claimed, outcome) = (claimed.clone(), outcome.clone());
        self.with_conn(move |conn| record(conn, &claimed, &outcome, now))
            .await
    }

    async fn release(
        &self,
        claimed: &Claimed,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        let claimed = claimed.clone();
        self.with_conn(move |conn| release(conn, &claimed, at, now)).await
    }

    async fn get(&self, id: &MessageId) -> Result<Option<StoredMessage>, OutboxError> {
        let id = id.clone();
        self.with_conn(move |conn| get(conn, &id)).await
    }

    async fn history(&self, id: &MessageId) -> Result<Vec<StatusChange>, OutboxError> {
        let id = id.clone();
        self.with_conn(move |conn| history(conn, &id)).await
    }
}
