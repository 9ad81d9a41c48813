//! The outbox on SQLite: the store suite, the transactional outbox, the worker with a fake clock
//! (retries, deadline, rate limits, test mode, callbacks), and crash safety (a dropped worker, a
//! claim without outcome, and a worker process killed with SIGKILL).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(feature = "sqlite")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use egov_core::Language;
use egov_notify::channel::{Delivery, EmailTransport, InMemoryChannel, Simulation, SmsGateway};
use egov_notify::message::MessageId;
use egov_notify::outbox::{
    Backoff, Callback, Channels, Clock, FakeClock, NewMessage, Outbox, OutboxError, OutboxStore, Rate,
    RateLimits, SqliteOutbox, Status, StatusUpdate, SystemClock, Worker, WorkerConfig, suite,
};
use egov_notify::template::{Personalisation, RenderOptions, Template, TemplateSource};
use egov_notify::{Channel, EmailAddress, Message, PhoneNumber};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap()
}

fn email(to: &str) -> Message {
    let template = Template::new(TemplateSource::email("entscheid-bereit", 2).email_text(
        Language::De,
        "Ihr Entscheid ((nr))",
        "Ihr Entscheid ((nr)) ist bereit.",
    ))
    .unwrap();
    let data = Personalisation::new().with("nr", "BG-2026-0042");
    let rendered = template
        .render(Language::De, &data, &RenderOptions::default())
        .unwrap();
    Message::new(to.parse::<EmailAddress>().unwrap(), rendered)
        .unwrap()
        .with_reference("BG-2026-0042")
        .unwrap()
}

fn sms(to: &str) -> Message {
    let template =
        Template::new(TemplateSource::sms("termin", 1).sms_text(Language::Fr, "Votre rendez-vous: ((d))"))
            .unwrap();
    let rendered = template
        .render(
            Language::Fr,
            &Personalisation::new().with("d", "12.3."),
            &RenderOptions::default(),
        )
        .unwrap();
    Message::new(PhoneNumber::parse(to).unwrap(), rendered).unwrap()
}

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("outbox.sqlite")
}

fn config(name: &str) -> WorkerConfig {
    WorkerConfig {
        name: name.to_owned(),
        lease: TimeDelta::minutes(5),
        batch_size: 10,
        backoff: Backoff {
            initial: TimeDelta::minutes(1),
            max: TimeDelta::minutes(30),
            max_attempts: 10,
        },
        jitter_seed: Some(42),
        ..WorkerConfig::default()
    }
}

fn worker(
    store: &SqliteOutbox,
    channel: &Arc<InMemoryChannel>,
    clock: &Arc<FakeClock>,
    config: WorkerConfig,
) -> Worker<SqliteOutbox> {
    let channels = Channels::new()
        .with_email(channel.clone())
        .with_sms(channel.clone());
    Worker::new(store.clone(), channels, clock.clone(), config)
}

async fn statuses<S: OutboxStore>(store: &S, id: &MessageId) -> Vec<Status> {
    store
        .history(id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.status)
        .collect()
}

#[derive(Default)]
struct Recorder(Mutex<Vec<StatusUpdate>>);

#[async_trait]
impl Callback for Recorder {
    async fn status_changed(&self, update: &StatusUpdate) {
        self.0.lock().unwrap().push(update.clone());
    }
}

#[tokio::test]
async fn sqlite_store_passes_the_store_suite() {
    let dir = tempfile::tempdir().unwrap();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    suite::run_all(|| async {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        SqliteOutbox::open(&dir.path().join(format!("suite-{n}.sqlite"))).unwrap()
    })
    .await
    .unwrap();
    suite::run_all(|| async { SqliteOutbox::open_in_memory().unwrap() })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_message_is_stored_in_the_callers_transaction_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteOutbox::open(&db(&dir)).unwrap();
    let mut app = rusqlite::Connection::open(db(&dir)).unwrap();
    app.execute("CREATE TABLE gesuch (nr TEXT PRIMARY KEY, status TEXT)", [])
        .unwrap();
    SqliteOutbox::migrate(&app).unwrap();

    // Committed: both the application's row and the message.
    let tx = app.transaction().unwrap();
    tx.execute("INSERT INTO gesuch VALUES ('BG-1', 'eingegangen')", [])
        .unwrap();
    let kept = SqliteOutbox::enqueue_in(&tx, &NewMessage::new(email("anna@example.ch")), t0()).unwrap();
    tx.commit().unwrap();

    // Rolled back: neither.
    let tx = app.transaction().unwrap();
    tx.execute("INSERT INTO gesuch VALUES ('BG-2', 'eingegangen')", [])
        .unwrap();
    let lost = SqliteOutbox::enqueue_in(&tx, &NewMessage::new(email("bruno@example.ch")), t0()).unwrap();
    tx.rollback().unwrap();

    assert_eq!(
        store.get(&kept.id).await.unwrap().unwrap().status,
        Status::Created
    );
    assert!(store.get(&lost.id).await.unwrap().is_none());
    let rows: i64 = app
        .query_row("SELECT count(*) FROM gesuch", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);

    // The idempotency key works inside transactions too.
    let keyed = NewMessage::new(email("anna@example.ch"))
        .idempotency_key("BG-1/eingang")
        .unwrap();
    let tx = app.transaction().unwrap();
    let first = SqliteOutbox::enqueue_in(&tx, &keyed, t0()).unwrap();
    let second = SqliteOutbox::enqueue_in(&tx, &keyed, t0()).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        (first.id == second.id, first.created, second.created),
        (true, true, false)
    );

    // Only these two are delivered.
    let channel = Arc::new(InMemoryChannel::new());
    let clock = Arc::new(FakeClock::new(t0()));
    let report = worker(&store, &channel, &clock, config("w"))
        .run_until_idle()
        .await
        .unwrap();
    assert_eq!(report.delivered, 2);
    let sent: Vec<_> = channel.sent().into_iter().map(|s| s.id).collect();
    assert_eq!(sent.len(), 2);
    assert!(sent.contains(&kept.id) && sent.contains(&first.id));
}

#[tokio::test]
async fn a_delivery_is_recorded_and_reported_to_the_callback() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let outbox = Outbox::new(store.clone(), clock.clone());
    let id = outbox.send(email("anna@example.ch")).await.unwrap();
    let channel = Arc::new(InMemoryChannel::new());
    let recorder = Arc::new(Recorder::default());
    let worker = worker(&store, &channel, &clock, config("w")).with_callback(recorder.clone());

    clock.advance(TimeDelta::seconds(3));
    let report = worker.run_once().await.unwrap();
    assert_eq!((report.claimed, report.delivered), (1, 1));
    let stored = outbox.status(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (Status::Delivered, 1));
    assert_eq!(stored.last_reason.as_deref(), Some("simulated"));
    let history = outbox.history(&id).await.unwrap();
    let steps: Vec<_> = history
        .iter()
        .map(|c| (c.status, c.at - t0(), c.attempt))
        .collect();
    assert_eq!(
        steps,
        [
            (Status::Created, TimeDelta::zero(), 0),
            (Status::Sending, TimeDelta::seconds(3), 1),
            (Status::Delivered, TimeDelta::seconds(3), 1),
        ]
    );
    assert_eq!(history[1].reason.as_deref(), Some("worker w"));
    let updates = recorder.0.lock().unwrap().clone();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].id, id);
    assert_eq!(updates[0].reference.as_deref(), Some("BG-2026-0042"));
    assert!(updates[0].is_final);
    assert_eq!(updates[0].change.status, Status::Delivered);
    // The channel got the message with the outbox id.
    assert_eq!(channel.sent()[0].id, id);
    assert_eq!(worker.run_once().await.unwrap().claimed, 0);
}

#[tokio::test]
async fn run_delivers_until_told_to_stop() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let id = store
        .enqueue(&NewMessage::new(sms("079 123 45 67")), t0())
        .await
        .unwrap()
        .id;
    let channel = Arc::new(InMemoryChannel::new());
    let worker = worker(&store, &channel, &clock, config("w"));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let watcher = async {
        while channel.delivered().is_empty() {
            tokio::task::yield_now().await;
        }
        stop.send(true).unwrap();
    };
    let (result, ()) = tokio::join!(worker.run(stopped), watcher);
    result.unwrap();
    assert_eq!(channel.delivered()[0].id, id);
    // A dropped sender also stops it.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    drop(stop);
    worker.run(stopped).await.unwrap();
}

#[tokio::test]
async fn failures_are_retried_with_backoff_until_delivered() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let id = store
        .enqueue(&NewMessage::new(sms("079 123 45 67")), t0())
        .await
        .unwrap()
        .id;
    let channel = Arc::new(InMemoryChannel::new());
    channel.push_outcomes([
        Delivery::TemporaryFailure {
            reason: "gateway busy".into(),
        },
        Delivery::TechnicalFailure {
            reason: "connection reset".into(),
        },
    ]);
    let recorder = Arc::new(Recorder::default());
    let worker = worker(&store, &channel, &clock, config("w")).with_callback(recorder.clone());

    let mut waits = Vec::new();
    for attempt in 1..=3 {
        let report = worker.run_until_idle().await.unwrap();
        assert_eq!(report.claimed, 1, "attempt {attempt}");
        let stored = store.get(&id).await.unwrap().unwrap();
        assert_eq!(stored.attempts, attempt);
        if attempt < 3 {
            assert_eq!(stored.status, Status::Sending);
            let next = stored.next_attempt_at.unwrap();
            waits.push(next - clock.now());
            // Not a moment early.
            clock.set(next - TimeDelta::milliseconds(1));
            assert_eq!(worker.run_until_idle().await.unwrap().claimed, 0);
            clock.set(next);
        } else {
            assert_eq!(stored.status, Status::Delivered);
        }
    }
    // Backoff 1 min then 2 min, each with jitter in the upper half.
    assert!(
        waits[0] >= TimeDelta::seconds(30) && waits[0] <= TimeDelta::minutes(1),
        "{waits:?}"
    );
    assert!(
        waits[1] >= TimeDelta::minutes(1) && waits[1] <= TimeDelta::minutes(2),
        "{waits:?}"
    );
    assert_eq!(
        statuses(&store, &id).await,
        [
            Status::Created,
            Status::Sending,
            Status::TemporaryFailure,
            Status::Sending,
            Status::TechnicalFailure,
            Status::Sending,
            Status::Delivered
        ]
    );
    let history = store.history(&id).await.unwrap();
    assert_eq!(history[2].reason.as_deref(), Some("gateway busy"));
    assert!(history[2].retry_at.is_some() && history[6].retry_at.is_none());
    // Every attempt carried the same id.
    assert!(channel.sent().iter().all(|s| s.id == id));
    assert_eq!(channel.sent().len(), 3);
    let finals: Vec<_> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|u| (u.change.status, u.is_final))
        .collect();
    assert_eq!(
        finals,
        [
            (Status::TemporaryFailure, false),
            (Status::TechnicalFailure, false),
            (Status::Delivered, true)
        ]
    );
}

#[tokio::test]
async fn retries_end_at_the_deadline_with_the_last_failure() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let deadline = t0() + TimeDelta::minutes(10);
    let new = NewMessage::new(email("anna@example.ch")).deadline(deadline);
    let id = store.enqueue(&new, t0()).await.unwrap().id;
    let channel = Arc::new(InMemoryChannel::with_simulation(Simulation::always(
        Delivery::TemporaryFailure {
            reason: "452 mailbox full".into(),
        },
    )));
    let worker = worker(&store, &channel, &clock, config("w"));
    for _ in 0..50 {
        worker.run_until_idle().await.unwrap();
        clock.advance(TimeDelta::seconds(20));
    }
    let stored = store.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::TemporaryFailure);
    assert!(stored.status.is_final() && stored.next_attempt_at.is_none());
    let history = store.history(&id).await.unwrap();
    assert!(history.iter().all(|c| c.at <= deadline));
    assert!(history.iter().filter_map(|c| c.retry_at).all(|at| at <= deadline));
    // 1 + retries after ~1, ~2, ~4 min (with jitter); the next would pass the deadline.
    assert!((3..=4).contains(&stored.attempts), "{}", stored.attempts);
    assert_eq!(channel.sent().len(), stored.attempts as usize);
}

#[tokio::test]
async fn max_attempts_end_retries() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let id = store
        .enqueue(&NewMessage::new(email("anna@example.ch")), t0())
        .await
        .unwrap()
        .id;
    let channel = Arc::new(InMemoryChannel::with_simulation(Simulation::always(
        Delivery::TechnicalFailure {
            reason: "connection refused".into(),
        },
    )));
    let mut config = config("w");
    config.backoff.max_attempts = 3;
    let worker = worker(&store, &channel, &clock, config);
    for _ in 0..10 {
        worker.run_until_idle().await.unwrap();
        clock.advance(TimeDelta::minutes(30));
    }
    let stored = store.get(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (Status::TechnicalFailure, 3));
}

#[tokio::test]
async fn a_permanent_failure_is_not_retried() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let id = store
        .enqueue(&NewMessage::new(email("anna@example.ch")), t0())
        .await
        .unwrap()
        .id;
    let channel = Arc::new(InMemoryChannel::new());
    channel.push_outcomes([Delivery::PermanentFailure {
        reason: "550 5.1.1 mailbox unknown".into(),
    }]);
    let worker = worker(&store, &channel, &clock, config("w"));
    worker.run_until_idle().await.unwrap();
    clock.advance(TimeDelta::days(1));
    assert_eq!(worker.run_until_idle().await.unwrap().claimed, 0);
    let stored = store.get(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (Status::PermanentFailure, 1));
    assert_eq!(stored.last_reason.as_deref(), Some("550 5.1.1 mailbox unknown"));
}

#[tokio::test]
async fn test_mode_sends_nothing_and_simulates_each_outcome() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let (channels, simulator) = Channels::test_mode(Simulation::standard());
    let worker = Worker::new(store.clone(), channels, clock.clone(), config("test"));
    let deadline = t0() + TimeDelta::minutes(30);
    let mut cases = Vec::new();
    for (message, expected) in [
        (email("delivered@simulator.invalid"), Status::Delivered),
        (email("temp-fail@simulator.invalid"), Status::TemporaryFailure),
        (email("perm-fail@simulator.invalid"), Status::PermanentFailure),
        (email("tech-fail@simulator.invalid"), Status::TechnicalFailure),
        (email("anybody@example.ch"), Status::Delivered),
        (sms("+41790000002"), Status::TemporaryFailure),
        (sms("+41790000003"), Status::PermanentFailure),
        (sms("079 555 12 12"), Status::Delivered),
    ] {
        let id = store
            .enqueue(&NewMessage::new(message).deadline(deadline), t0())
            .await
            .unwrap()
            .id;
        cases.push((id, expected));
    }
    for _ in 0..40 {
        worker.run_until_idle().await.unwrap();
        clock.advance(TimeDelta::minutes(1));
    }
    for (id, expected) in &cases {
        assert_eq!(store.get(id).await.unwrap().unwrap().status, *expected, "{id}");
    }
    assert!(simulator.sent().len() >= cases.len());
}

#[tokio::test]
async fn rate_limits_defer_messages_without_using_attempts() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let mut config = config("w");
    config.rate_limits = RateLimits::default()
        .channel(Channel::Sms, Rate::per_minute(60).with_burst(2))
        .each_domain(Rate::per_minute(6).with_burst(1));
    let channel = Arc::new(InMemoryChannel::new());
    let worker = worker(&store, &channel, &clock, config);
    let mut sms_ids = Vec::new();
    for _ in 0..5 {
        sms_ids.push(
            store
                .enqueue(&NewMessage::new(sms("079 123 45 67")), t0())
                .await
                .unwrap()
                .id,
        );
    }
    for to in ["a@bluewin.ch", "b@bluewin.ch", "c@gmx.ch"] {
        store.enqueue(&NewMessage::new(email(to)), t0()).await.unwrap();
    }
    let report = worker.run_until_idle().await.unwrap();
    // 2 SMS (burst), 1 e-mail per domain.
    assert_eq!(report.delivered, 4, "{report:?}");
    assert_eq!(report.deferred, 4, "{report:?}");
    // One second later one more SMS token is there; the bluewin.ch bucket needs 10 s.
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(worker.run_until_idle().await.unwrap().delivered, 1);
    clock.advance(TimeDelta::seconds(10));
    let report = worker.run_until_idle().await.unwrap();
    // The last 2 SMS (the bucket is full again, at its burst of 2) and the second bluewin.ch mail.
    assert_eq!(report.delivered, 3, "{report:?}");
    clock.advance(TimeDelta::seconds(10));
    worker.run_until_idle().await.unwrap();
    assert_eq!(channel.delivered().len(), 8);
    for id in &sms_ids {
        let stored = store.get(id).await.unwrap().unwrap();
        assert_eq!((stored.status, stored.attempts), (Status::Delivered, 1));
    }
}

/// A transport that never answers, like a worker frozen in the middle of a delivery; it can
/// first record that it was called and (optionally) pretend the provider accepted the message.
struct Hanging {
    entered: Mutex<Vec<MessageId>>,
    signal: tokio::sync::Notify,
    marker: Option<PathBuf>,
}

impl Hanging {
    fn new(marker: Option<PathBuf>) -> Self {
        Self {
            entered: Mutex::default(),
            signal: tokio::sync::Notify::new(),
            marker,
        }
    }

    async fn hang(&self, id: &MessageId) -> Delivery {
        self.entered.lock().unwrap().push(id.clone());
        if let Some(marker) = &self.marker {
            std::fs::write(marker, id.as_str()).unwrap();
        }
        self.signal.notify_one();
        std::future::pending().await
    }
}

#[async_trait]
impl EmailTransport for Hanging {
    async fn send_email(&self, id: &MessageId, _message: &Message) -> Delivery {
        self.hang(id).await
    }
}

#[async_trait]
impl SmsGateway for Hanging {
    async fn send_sms(&self, id: &MessageId, _message: &Message) -> Delivery {
        self.hang(id).await
    }
}

#[tokio::test]
async fn a_worker_dropped_in_the_middle_of_a_delivery_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteOutbox::open(&db(&dir)).unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let id = store
        .enqueue(&NewMessage::new(email("anna@example.ch")), t0())
        .await
        .unwrap()
        .id;

    // Worker 1 claims and hangs inside the channel; then it is dropped (its task is killed).
    let hanging = Arc::new(Hanging::new(None));
    let frozen = Worker::new(
        SqliteOutbox::open(&db(&dir)).unwrap(),
        Channels::new().with_email(hanging.clone()),
        clock.clone(),
        config("frozen"),
    );
    {
        let run = frozen.run_once();
        tokio::select! {
            _ = run => panic!("the hanging worker finished"),
            () = hanging.signal.notified() => {}
        }
    }
    drop(frozen);
    assert_eq!(*hanging.entered.lock().unwrap(), std::slice::from_ref(&id));
    assert_eq!(store.get(&id).await.unwrap().unwrap().status, Status::Sending);

    // Worker 2: nothing to do while the lease holds...
    let channel = Arc::new(InMemoryChannel::new());
    let healthy = worker(&store, &channel, &clock, config("healthy"));
    clock.advance(TimeDelta::minutes(5) - TimeDelta::seconds(1));
    assert_eq!(healthy.run_until_idle().await.unwrap().claimed, 0);
    // ...and delivers exactly once after it expired.
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(healthy.run_until_idle().await.unwrap().delivered, 1);
    clock.advance(TimeDelta::hours(1));
    assert_eq!(healthy.run_until_idle().await.unwrap().claimed, 0);
    assert_eq!(channel.delivered().len(), 1);
    assert_eq!(channel.delivered()[0].id, id);
    let history = store.history(&id).await.unwrap();
    let steps: Vec<_> = history.iter().map(|c| c.status).collect();
    assert_eq!(
        steps,
        [
            Status::Created,
            Status::Sending,
            Status::TechnicalFailure,
            Status::Sending,
            Status::Delivered
        ]
    );
    assert!(history[2].reason.as_deref().unwrap().contains("lease expired"));
    assert_eq!(store.get(&id).await.unwrap().unwrap().attempts, 2);
}

/// A channel so slow that each delivery takes 4 minutes of (fake) time.
struct Slow {
    clock: Arc<FakeClock>,
    inner: InMemoryChannel,
}

#[async_trait]
impl EmailTransport for Slow {
    async fn send_email(&self, id: &MessageId, message: &Message) -> Delivery {
        self.clock.advance(TimeDelta::minutes(4));
        self.inner.send_email(id, message).await
    }
}

#[tokio::test]
async fn a_batch_member_whose_lease_ran_out_is_not_delivered_by_the_slow_worker() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    for n in 0..2 {
        store
            .enqueue(&NewMessage::new(email(&format!("p{n}@example.ch"))), t0())
            .await
            .unwrap();
    }
    let slow = Arc::new(Slow {
        clock: clock.clone(),
        inner: InMemoryChannel::new(),
    });
    let worker = Worker::new(
        store.clone(),
        Channels::new().with_email(slow.clone()),
        clock.clone(),
        config("slow"),
    );
    // Lease 5 min: the first delivery ends at 4 min; less than half the lease is left for the second.
    let report = worker.run_once().await.unwrap();
    assert_eq!((report.claimed, report.delivered, report.lease_lost), (2, 1, 1));
    assert_eq!(slow.inner.sent().len(), 1);
    // At 5 min the lease is found expired and the message delivered.
    clock.set(t0() + TimeDelta::minutes(5));
    assert_eq!(worker.run_until_idle().await.unwrap().delivered, 1);
    assert_eq!(slow.inner.delivered().len(), 2);
}

#[tokio::test]
async fn a_claim_without_outcome_past_the_deadline_ends_as_technical_failure() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    let clock = Arc::new(FakeClock::new(t0()));
    let new = NewMessage::new(email("anna@example.ch")).deadline(t0() + TimeDelta::minutes(2));
    let id = store.enqueue(&new, t0()).await.unwrap().id;
    // A worker claims and dies before delivering.
    let claimed = store
        .claim("dead", t0(), TimeDelta::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    drop(claimed);
    clock.advance(TimeDelta::minutes(6));
    let channel = Arc::new(InMemoryChannel::new());
    let report = worker(&store, &channel, &clock, config("w"))
        .run_until_idle()
        .await
        .unwrap();
    assert_eq!((report.claimed, report.failed), (1, 1));
    assert!(channel.sent().is_empty());
    let stored = store.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::TechnicalFailure);
    assert!(stored.last_reason.unwrap().contains("deadline"));
}

#[tokio::test]
async fn the_old_workers_late_outcome_is_refused() {
    let store = SqliteOutbox::open_in_memory().unwrap();
    store
        .enqueue(&NewMessage::new(email("anna@example.ch")), t0())
        .await
        .unwrap();
    let old = store.claim("old", t0(), TimeDelta::minutes(5), 1).await.unwrap();
    let new = store
        .claim("new", t0() + TimeDelta::minutes(5), TimeDelta::minutes(5), 1)
        .await
        .unwrap();
    assert_eq!(new.len(), 1);
    let record = egov_notify::outbox::AttemptRecord {
        status: Status::PermanentFailure,
        reason: None,
        retry_at: None,
    };
    let err = store
        .record(&old[0], &record, t0() + TimeDelta::minutes(6))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboxError::LeaseLost { .. }), "{err}");
    assert_eq!(
        store.get(&new[0].id).await.unwrap().unwrap().status,
        Status::Sending
    );
}

#[tokio::test]
async fn two_workers_on_one_file_never_deliver_a_message_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteOutbox::open(&db(&dir)).unwrap();
    let mut ids = Vec::new();
    for n in 0..60 {
        let message = email(&format!("person{n}@example.ch"));
        ids.push(store.enqueue(&NewMessage::new(message), t0()).await.unwrap().id);
    }
    let clock = Arc::new(FakeClock::new(t0()));
    let (a, b) = (Arc::new(InMemoryChannel::new()), Arc::new(InMemoryChannel::new()));
    let mut small = config("a");
    small.batch_size = 3;
    let wa = worker(&SqliteOutbox::open(&db(&dir)).unwrap(), &a, &clock, small.clone());
    small.name = "b".into();
    let wb = worker(&SqliteOutbox::open(&db(&dir)).unwrap(), &b, &clock, small);
    let (ra, rb) = tokio::join!(wa.run_until_idle(), wb.run_until_idle());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.delivered + rb.delivered, 60);
    let mut sent: Vec<_> = a.sent().into_iter().chain(b.sent()).map(|s| s.id).collect();
    sent.sort();
    ids.sort();
    assert_eq!(sent, ids);
}

// ---- kill -9 ----------------------------------------------------------------------------------

const CHILD_DB: &str = "EGOV_NOTIFY_CRASH_CHILD_DB";

/// Not a test of its own: the body of the worker process that `a_worker_killed_with_sigkill_loses_nothing`
/// starts (this test binary, with the database path in an environment variable) and kills.
#[tokio::test]
#[ignore = "helper process for a_worker_killed_with_sigkill_loses_nothing"]
async fn crash_child_worker() {
    let Ok(db) = std::env::var(CHILD_DB) else {
        return;
    };
    let db = PathBuf::from(db);
    let hanging = Arc::new(Hanging::new(Some(db.with_extension("entered"))));
    let mut config = config("child");
    config.lease = TimeDelta::seconds(60);
    let worker = Worker::new(
        SqliteOutbox::open(&db).unwrap(),
        Channels::new().with_email(hanging.clone()),
        Arc::new(SystemClock),
        config,
    );
    worker.run_once().await.unwrap();
    unreachable!("the channel never answers");
}

/// Waits (up to 30 s) until the worker process has written `path`.
fn wait_for(path: &Path, child: &mut std::process::Child) -> Result<(), String> {
    for _ in 0..1500 {
        if path.exists() {
            return Ok(());
        }
        if let Some(status) = child.try_wait().unwrap() {
            return Err(format!("the worker process ended early: {status}"));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err("the worker process did not start delivering".to_owned())
}

#[tokio::test]
async fn a_worker_killed_with_sigkill_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let store = SqliteOutbox::open(&path).unwrap();
    let id = store
        .enqueue(&NewMessage::new(email("anna@example.ch")), SystemClock.now())
        .await
        .unwrap()
        .id;

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child_worker",
            "--exact",
            "--ignored",
            "--test-threads=1",
            "--quiet",
        ])
        .env(CHILD_DB, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&path.with_extension("entered"), &mut child).unwrap();
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    // The file is intact; the message is claimed by the dead worker.
    let stored = store.get(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.attempts), (Status::Sending, 1));
    let marker = std::fs::read_to_string(path.with_extension("entered")).unwrap();
    assert_eq!(marker, id.as_str());

    // After the lease (60 s) a new worker delivers it, exactly once.
    let clock = Arc::new(FakeClock::new(SystemClock.now() + TimeDelta::seconds(61)));
    let channel = Arc::new(InMemoryChannel::new());
    let report = worker(
        &SqliteOutbox::open(&path).unwrap(),
        &channel,
        &clock,
        config("survivor"),
    )
    .run_until_idle()
    .await
    .unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(channel.delivered()[0].id, id);
    assert_eq!(
        statuses(&store, &id).await,
        [
            Status::Created,
            Status::Sending,
            Status::TechnicalFailure,
            Status::Sending,
            Status::Delivered
        ]
    );
    let history = store.history(&id).await.unwrap();
    assert_eq!(history[1].reason.as_deref(), Some("worker child"));
    assert_eq!(history[3].reason.as_deref(), Some("worker survivor"));
}
