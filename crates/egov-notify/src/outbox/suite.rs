//! The test suite every [`OutboxStore`] must pass, generic over the store so the SQLite store
//! and later ones (PostgreSQL) run the very same checks.
//!
//! ```
//! # #[cfg(feature = "sqlite")] {
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use egov_notify::outbox::{SqliteOutbox, suite};
//!
//! suite::run_all(|| async { SqliteOutbox::open_in_memory().unwrap() }).await?;
//! # Ok::<(), suite::SuiteFailure>(())
//! # }).unwrap();
//! # }
//! ```

use std::future::Future;

use chrono::{DateTime, TimeDelta, Utc};
use egov_core::Language;

use super::{AttemptRecord, NewMessage, OutboxError, OutboxStore, Status};
use crate::message::Message;
use crate::recipient::PhoneNumber;
use crate::template::{Personalisation, RenderOptions, Template, TemplateSource};

/// A check of the suite failed.
#[derive(Debug, thiserror::Error)]
#[error("outbox store suite, {check}: {what}")]
pub struct SuiteFailure {
    /// The check.
    pub check: &'static str,
    /// What went wrong.
    pub what: String,
}

type Outcome = Result<(), SuiteFailure>;

fn ensure(check: &'static str, ok: bool, what: impl FnOnce() -> String) -> Outcome {
    if ok {
        Ok(())
    } else {
        Err(SuiteFailure { check, what: what() })
    }
}

fn store_error(check: &'static str) -> impl FnOnce(OutboxError) -> SuiteFailure {
    move |e| SuiteFailure {
        check,
        what: format!("store error: {e}"),
    }
}

/// The time the suite starts at.
fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default()
}

/// A small SMS message numbered `n` (a different text for each `n`).
///
/// # Errors
///
/// Never for the built-in template; the type is the crate's error for the `?`.
pub fn sample_message(n: u32) -> Result<Message, crate::Error> {
    let template = Template::new(
        TemplateSource::sms("outbox-suite", 1).sms_text(Language::De, "Nachricht Nummer ((n))."),
    )?;
    let data = Personalisation::new().with("n", i64::from(n));
    let rendered = template.render(Language::De, &data, &RenderOptions::default())?;
    Message::new(PhoneNumber::parse("079 123 45 67")?, rendered)?.with_reference(format!("suite-{n}"))
}

fn sample(check: &'static str, n: u32) -> Result<NewMessage, SuiteFailure> {
    sample_message(n).map(NewMessage::new).map_err(|e| SuiteFailure {
        check,
        what: e.to_string(),
    })
}

/// Runs every check, each on a fresh store from `make`.
///
/// # Errors
///
/// The first failing check.
pub async fn run_all<S, F, Fut>(make: F) -> Result<(), SuiteFailure>
where
    S: OutboxStore,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    enqueue_and_read(&make().await).await?;
    idempotency(&make().await).await?;
    claims_are_exclusive(&make().await).await?;
    schedule_is_respected(&make().await).await?;
    delivered_is_final(&make().await).await?;
    retry_waits_for_its_time(&make().await).await?;
    expired_lease_is_taken_over(&make().await).await?;
    release_gives_back(&make().await).await?;
    Ok(())
}

/// A sent message is `created`, with one history row, due at once.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn enqueue_and_read<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "enqueue and read";
    let new = sample(CHECK, 1)?;
    let queued = store.enqueue(&new, t0()).await.map_err(store_error(CHECK))?;
    ensure(CHECK, queued.created, || "created is false".into())?;
    let stored = store.get(&queued.id).await.map_err(store_error(CHECK))?;
    let Some(stored) = stored else {
        return Err(SuiteFailure {
            check: CHECK,
            what: "not found".into(),
        });
    };
    ensure(CHECK, stored.message == *new.message(), || {
        "message changed".into()
    })?;
    ensure(CHECK, stored.status == Status::Created, || {
        format!("status {}", stored.status)
    })?;
    ensure(CHECK, stored.attempts == 0, || {
        format!("attempts {}", stored.attempts)
    })?;
    ensure(CHECK, stored.next_attempt_at == Some(t0()), || {
        "not due at once".into()
    })?;
    ensure(CHECK, stored.deadline == t0() + super::DEFAULT_VALIDITY, || {
        "deadline".into()
    })?;
    let history = store.history(&queued.id).await.map_err(store_error(CHECK))?;
    ensure(
        CHECK,
        history.len() == 1 && history[0].status == Status::Created && history[0].at == t0(),
        || format!("history {history:?}"),
    )?;
    let other = store.enqueue(&new, t0()).await.map_err(store_error(CHECK))?;
    ensure(CHECK, other.id != queued.id, || {
        "without a key, a second send is a second message".into()
    })
}

/// The same key and message give the first id back; the same key with another message is refused.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn idempotency<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "idempotency";
    let keyed = |n| {
        sample(CHECK, n)?
            .idempotency_key("case-42/received")
            .map_err(|e| SuiteFailure {
                check: CHECK,
                what: e.to_string(),
            })
    };
    let first = store
        .enqueue(&keyed(1)?, t0())
        .await
        .map_err(store_error(CHECK))?;
    let again = store
        .enqueue(&keyed(1)?, t0() + TimeDelta::seconds(5))
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, first.created && !again.created, || "created flags".into())?;
    ensure(CHECK, first.id == again.id, || {
        "a second id for the same key".into()
    })?;
    match store.enqueue(&keyed(2)?, t0()).await {
        Err(OutboxError::IdempotencyConflict { existing }) => {
            ensure(CHECK, existing == first.id, || "conflict names another id".into())?;
        }
        other => {
            return Err(SuiteFailure {
                check: CHECK,
                what: format!("another message with the same key gave {other:?}"),
            });
        }
    }
    let claimed = store
        .claim("w", t0(), TimeDelta::minutes(5), 10)
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, claimed.len() == 1, || {
        format!("{} messages stored", claimed.len())
    })
}

/// Claims hand each message to one worker: in order, up to the limit, with a first attempt.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn claims_are_exclusive<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "claims are exclusive";
    let mut ids = Vec::new();
    for n in 0..3 {
        let at = t0() + TimeDelta::seconds(i64::from(n));
        ids.push(
            store
                .enqueue(&sample(CHECK, n)?, at)
                .await
                .map_err(store_error(CHECK))?
                .id,
        );
    }
    let now = t0() + TimeDelta::minutes(1);
    let lease = TimeDelta::minutes(5);
    let a = store
        .claim("a", now, lease, 2)
        .await
        .map_err(store_error(CHECK))?;
    let b = store
        .claim("b", now, lease, 2)
        .await
        .map_err(store_error(CHECK))?;
    let c = store
        .claim("c", now, lease, 2)
        .await
        .map_err(store_error(CHECK))?;
    let got: Vec<_> = a.iter().chain(&b).map(|m| m.id.clone()).collect();
    ensure(CHECK, got == ids, || format!("claimed {got:?}, sent {ids:?}"))?;
    ensure(CHECK, c.is_empty(), || "a message was claimed twice".into())?;
    ensure(
        CHECK,
        a.iter()
            .chain(&b)
            .all(|m| m.attempt == 1 && !m.recovered && m.lease_until == now + lease),
        || "attempt, recovered or lease".into(),
    )?;
    let stored = store.get(&ids[0]).await.map_err(store_error(CHECK))?;
    ensure(
        CHECK,
        stored.is_some_and(|m| m.status == Status::Sending && m.attempts == 1),
        || "claimed message is not `sending`".into(),
    )
}

/// A message scheduled for later is not claimed before its time.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn schedule_is_respected<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "schedule";
    let later = t0() + TimeDelta::hours(2);
    let new = sample(CHECK, 1)?.not_before(later);
    store.enqueue(&new, t0()).await.map_err(store_error(CHECK))?;
    let early = store
        .claim("w", later - TimeDelta::seconds(1), TimeDelta::minutes(5), 10)
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, early.is_empty(), || "claimed before its time".into())?;
    let due = store
        .claim("w", later, TimeDelta::minutes(5), 10)
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, due.len() == 1, || "not claimed at its time".into())
}

/// A delivered message is final and never claimed again; its history shows every step.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn delivered_is_final<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "delivered is final";
    let id = store
        .enqueue(&sample(CHECK, 1)?, t0())
        .await
        .map_err(store_error(CHECK))?
        .id;
    let claimed = store
        .claim("w", t0(), TimeDelta::minutes(5), 1)
        .await
        .map_err(store_error(CHECK))?;
    let Some(claim) = claimed.first() else {
        return Err(SuiteFailure {
            check: CHECK,
            what: "nothing claimed".into(),
        });
    };
    let done = t0() + TimeDelta::seconds(2);
    let record = AttemptRecord {
        status: Status::Delivered,
        reason: Some("250 OK".into()),
        retry_at: None,
    };
    store
        .record(claim, &record, done)
        .await
        .map_err(store_error(CHECK))?;
    let stored = store.get(&id).await.map_err(store_error(CHECK))?;
    ensure(
        CHECK,
        stored.as_ref().is_some_and(|m| {
            m.status == Status::Delivered
                && m.next_attempt_at.is_none()
                && m.updated_at == done
                && m.last_reason.as_deref() == Some("250 OK")
        }),
        || format!("stored {stored:?}"),
    )?;
    let later = store
        .claim("w", t0() + TimeDelta::days(2), TimeDelta::minutes(5), 10)
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, later.is_empty(), || "claimed again after delivery".into())?;
    let statuses: Vec<_> = store
        .history(&id)
        .await
        .map_err(store_error(CHECK))?
        .into_iter()
        .map(|c| c.status)
        .collect();
    ensure(
        CHECK,
        statuses == [Status::Created, Status::Sending, Status::Delivered],
        || format!("history {statuses:?}"),
    )?;
    // Recording twice is refused: the lease ended with the first record.
    match store.record(claim, &record, done).await {
        Err(OutboxError::LeaseLost { .. }) => Ok(()),
        other => Err(SuiteFailure {
            check: CHECK,
            what: format!("a second record gave {other:?}"),
        }),
    }
}

/// A failure with a retry time keeps the message `sending` and hands it out again at that time.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn retry_waits_for_its_time<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "retry";
    let id = store
        .enqueue(&sample(CHECK, 1)?, t0())
        .await
        .map_err(store_error(CHECK))?
        .id;
    let lease = TimeDelta::minutes(5);
    let first = store
        .claim("w", t0(), lease, 1)
        .await
        .map_err(store_error(CHECK))?;
    let retry_at = t0() + TimeDelta::minutes(1);
    let record = AttemptRecord {
        status: Status::TemporaryFailure,
        reason: Some("451 try later".into()),
        retry_at: Some(retry_at),
    };
    for claim in &first {
        store
            .record(claim, &record, t0())
            .await
            .map_err(store_error(CHECK))?;
    }
    let stored = store.get(&id).await.map_err(store_error(CHECK))?;
    ensure(
        CHECK,
        stored
            .as_ref()
            .is_some_and(|m| m.status == Status::Sending && m.next_attempt_at == Some(retry_at)),
        || format!("stored {stored:?}"),
    )?;
    let early = store
        .claim("w", retry_at - TimeDelta::milliseconds(1), lease, 1)
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, early.is_empty(), || "claimed before the retry time".into())?;
    let second = store
        .claim("w", retry_at, lease, 1)
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, second.len() == 1 && second[0].attempt == 2, || {
        format!("second claim {second:?}")
    })?;
    let history = store.history(&id).await.map_err(store_error(CHECK))?;
    ensure(
        CHECK,
        history.get(2).is_some_and(|c| {
            c.status == Status::TemporaryFailure && c.retry_at == Some(retry_at) && c.attempt == 1
        }),
        || format!("history {history:?}"),
    )
}

/// A lease that expires hands the message to the next worker; the old worker's outcome is refused.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn expired_lease_is_taken_over<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "expired lease";
    let id = store
        .enqueue(&sample(CHECK, 1)?, t0())
        .await
        .map_err(store_error(CHECK))?
        .id;
    let lease = TimeDelta::minutes(5);
    let dead = store
        .claim("dead", t0(), lease, 1)
        .await
        .map_err(store_error(CHECK))?;
    let before = store
        .claim("next", t0() + lease - TimeDelta::seconds(1), lease, 1)
        .await
        .map_err(store_error(CHECK))?;
    ensure(CHECK, before.is_empty(), || {
        "taken over before the lease expired".into()
    })?;
    let after = t0() + lease;
    let taken = store
        .claim("next", after, lease, 1)
        .await
        .map_err(store_error(CHECK))?;
    ensure(
        CHECK,
        taken.len() == 1 && taken[0].id == id && taken[0].recovered && taken[0].attempt == 2,
        || format!("took over {taken:?}"),
    )?;
    let delivered = AttemptRecord {
        status: Status::Delivered,
        reason: None,
        retry_at: None,
    };
    for claim in &dead {
        match store.record(claim, &delivered, after).await {
            Err(OutboxError::LeaseLost { .. }) => {}
            other => {
                return Err(SuiteFailure {
                    check: CHECK,
                    what: format!("the dead worker's record gave {other:?}"),
                });
            }
        }
    }
    for claim in &taken {
        store
            .record(claim, &delivered, after)
            .await
            .map_err(store_error(CHECK))?;
    }
    let history = store.history(&id).await.map_err(store_error(CHECK))?;
    let statuses: Vec<_> = history.iter().map(|c| c.status).collect();
    ensure(
        CHECK,
        statuses
            == [
                Status::Created,
                Status::Sending,
                Status::TechnicalFailure,
                Status::Sending,
                Status::Delivered,
            ],
        || format!("history {statuses:?}"),
    )
}

/// Releasing (a rate limit) gives the message back without counting an attempt.
///
/// # Errors
///
/// When the store behaves differently.
pub async fn release_gives_back<S: OutboxStore>(store: &S) -> Outcome {
    const CHECK: &str = "release";
    let id = store
        .enqueue(&sample(CHECK, 1)?, t0())
        .await
        .map_err(store_error(CHECK))?
        .id;
    let lease = TimeDelta::minutes(5);
    let claimed = store
        .claim("w", t0(), lease, 1)
        .await
        .map_err(store_error(CHECK))?;
    let at = t0() + TimeDelta::seconds(30);
    for claim in &claimed {
        store.release(claim, at, t0()).await.map_err(store_error(CHECK))?;
    }
    let stored = store.get(&id).await.map_err(store_error(CHECK))?;
    ensure(
        CHECK,
        stored
            .as_ref()
            .is_some_and(|m| m.status == Status::Created && m.attempts == 0 && m.next_attempt_at == Some(at)),
        || format!("stored {stored:?}"),
    )?;
    let again = store.claim("w", at, lease, 1).await.map_err(store_error(CHECK))?;
    ensure(CHECK, again.len() == 1 && again[0].attempt == 1, || {
        format!("again {again:?}")
    })
}
