//! egov-notify's PostgreSQL outbox against a real PostgreSQL server: the store suite, two
//! concurrent workers, a worker that disappears holding a claim (dropped in-process, and a worker
//! process killed with SIGKILL), the transactional outbox, concurrent idempotent sends and the
//! schema migration. The server comes from `EGOV_PG_URL` (tests/run-interop.sh starts a throwaway
//! cluster); every test works in a fresh schema of its own and drops it at the end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{TimeDelta, Utc};
use egov_notify::MessageId;
use egov_notify::channel::{Delivery, Simulation};
use egov_notify::outbox::{
    Channels, FakeClock, NewMessage, OutboxStore, PostgresOptions, PostgresOutbox, Status, SystemClock,
    Worker, WorkerConfig, suite,
};

fn url() -> String {
    std::env::var("EGOV_PG_URL")
        .expect("EGOV_PG_URL must name the test PostgreSQL server (tests/run-interop.sh)")
}

/// A schema name no other test (or earlier run) uses.
fn fresh_schema() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = Utc::now().timestamp_subsec_nanos();
    format!(
        "egov_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

async fn open(schema: &str) -> PostgresOutbox {
    let options = PostgresOptions::default()
        .schema(schema)
        .unwrap()
        .max_connections(4);
    PostgresOutbox::connect_with(&url(), options).await.unwrap()
}

async fn drop_schema(store: &PostgresOutbox, schema: &str) {
    let client = store.client().await.unwrap();
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}

fn config(name: &str, lease: TimeDelta) -> WorkerConfig {
    WorkerConfig {
        name: name.to_owned(),
        lease,
        batch_size: 5,
        ..WorkerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn the_store_suite_passes() {
    let schemas = Arc::new(std::sync::Mutex::new(Vec::new()));
    let made = Arc::clone(&schemas);
    suite::run_all(move || {
        let made = Arc::clone(&made);
        async move {
            let schema = fresh_schema();
            made.lock().unwrap().push(schema.clone());
            open(&schema).await
        }
    })
    .await
    .unwrap();
    let schemas = schemas.lock().unwrap().clone();
    assert_eq!(schemas.len(), 8, "one fresh store per check");
    let any = open(&schemas[0]).await;
    for schema in &schemas {
        drop_schema(&any, schema).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn two_concurrent_workers_deliver_everything_once() {
    let schema = fresh_schema();
    let setup = open(&schema).await;
    let mut ids = HashSet::new();
    for n in 0..60 {
        let new = NewMessage::new(suite::sample_message(n).unwrap());
        ids.insert(setup.enqueue(&new, Utc::now()).await.unwrap().id);
    }
    // Each worker with a pool of its own, as in two processes.
    let (channels_a, sent_a) = Channels::test_mode(Simulation::standard());
    let (channels_b, sent_b) = Channels::test_mode(Simulation::standard());
    let a = Worker::new(
        open(&schema).await,
        channels_a,
        Arc::new(SystemClock),
        config("a", TimeDelta::minutes(5)),
    );
    let b = Worker::new(
        open(&schema).await,
        channels_b,
        Arc::new(SystemClock),
        config("b", TimeDelta::minutes(5)),
    );
    let (ra, rb) = tokio::join!(a.run_until_idle(), b.run_until_idle());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.delivered + rb.delivered, 60, "{ra:?} {rb:?}");
    assert_eq!(ra.lease_lost + rb.lease_lost, 0);

    let by_a: HashSet<MessageId> = sent_a.sent().into_iter().map(|s| s.id).collect();
    let by_b: HashSet<MessageId> = sent_b.sent().into_iter().map(|s| s.id).collect();
    assert_eq!(by_a.len(), sent_a.sent().len(), "worker a sent a message twice");
    assert_eq!(by_b.len(), sent_b.sent().len(), "worker b sent a message twice");
    assert!(by_a.is_disjoint(&by_b), "a message was sent by both workers");
    let all: HashSet<MessageId> = by_a.union(&by_b).cloned().collect();
    assert_eq!(all, ids);
    for id in &ids {
        let stored = setup.get(id).await.unwrap().unwrap();
        assert_eq!(stored.status, Status::Delivered);
        assert_eq!(stored.attempts, 1);
    }
    drop_schema(&setup, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn a_worker_that_dies_holding_a_claim_is_taken_over_after_its_lease() {
    let schema = fresh_schema();
    let setup = open(&schema).await;
    let new = NewMessage::new(suite::sample_message(7).unwrap());
    let id = setup.enqueue(&new, Utc::now()).await.unwrap().id;

    // The doomed worker claims with a 2 s lease over its own connections, then vanishes: its pool
    // (and so its database sessions) is dropped without any outcome recorded.
    let doomed = open(&schema).await;
    let claimed = doomed
        .claim("doomed", Utc::now(), TimeDelta::seconds(2), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    drop(doomed);

    let (channels, sent) = Channels::test_mode(Simulation::standard());
    let survivor = Worker::new(
        open(&schema).await,
        channels,
        Arc::new(SystemClock),
        config("survivor", TimeDelta::minutes(1)),
    );
    // While the lease holds, nobody else gets the message.
    let early = survivor.run_until_idle().await.unwrap();
    assert_eq!(early.claimed, 0);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let late = survivor.run_until_idle().await.unwrap();
    assert_eq!(late.delivered, 1, "{late:?}");
    assert_eq!(sent.sent().len(), 1);
    assert_eq!(sent.sent()[0].id, id);
    assert!(matches!(sent.sent()[0].outcome, Delivery::Delivered { .. }));

    let stored = setup.get(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Delivered);
    assert_eq!(stored.attempts, 2);
    let history: Vec<Status> = setup
        .history(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(
        history,
        [
            Status::Created,
            Status::Sending,
            Status::TechnicalFailure,
            Status::Sending,
            Status::Delivered
        ]
    );
    drop_schema(&setup, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn enqueue_in_follows_the_callers_transaction() {
    let schema = fresh_schema();
    let store = open(&schema).await;
    let mut client = store.client().await.unwrap();
    client
        .batch_execute("CREATE TABLE gesuch (nr TEXT PRIMARY KEY)")
        .await
        .unwrap();

    let tx = client.transaction().await.unwrap();
    tx.execute("INSERT INTO gesuch VALUES ('BG-1')", &[])
        .await
        .unwrap();
    let rolled_back = PostgresOutbox::enqueue_in(
        &tx,
        &NewMessage::new(suite::sample_message(1).unwrap()),
        Utc::now(),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert!(store.get(&rolled_back.id).await.unwrap().is_none());

    let tx = client.transaction().await.unwrap();
    tx.execute("INSERT INTO gesuch VALUES ('BG-2')", &[])
        .await
        .unwrap();
    let committed = PostgresOutbox::enqueue_in(
        &tx,
        &NewMessage::new(suite::sample_message(2).unwrap()),
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.get(&committed.id).await.unwrap().map(|m| m.status),
        Some(Status::Created)
    );
    let rows = client.query("SELECT nr FROM gesuch", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    drop(client);
    drop_schema(&store, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn concurrent_opens_migrate_once() {
    let schema = fresh_schema();
    let (a, b, c) = tokio::join!(open(&schema), open(&schema), open(&schema));
    let debug = format!("{a:?}");
    assert!(
        debug.contains(&schema) && !debug.contains("postgresql://"),
        "{debug}"
    );
    let client = a.client().await.unwrap();
    let versions: Vec<i32> = client
        .query("SELECT version FROM egov_outbox_schema ORDER BY version", &[])
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [egov_notify::outbox::POSTGRES_SCHEMA_VERSION]);
    // A store opened later finds the tables and data of the others.
    let id = b
        .enqueue(&NewMessage::new(suite::sample_message(3).unwrap()), Utc::now())
        .await
        .unwrap()
        .id;
    assert!(c.get(&id).await.unwrap().is_some());
    drop(client);
    drop_schema(&a, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn concurrent_sends_with_one_idempotency_key_store_one_message() {
    let schema = fresh_schema();
    let store = open(&schema).await;
    let new = NewMessage::new(suite::sample_message(4).unwrap())
        .idempotency_key("gesuch-9/eingang")
        .unwrap();
    let now = Utc::now();
    let (x, y, z) = tokio::join!(
        store.enqueue(&new, now),
        store.enqueue(&new, now),
        store.enqueue(&new, now)
    );
    let results = [x.unwrap(), y.unwrap(), z.unwrap()];
    assert_eq!(results.iter().filter(|r| r.created).count(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.id == results[0].id));
    drop_schema(&store, &schema).await;
}

// ---- kill -9 ----------------------------------------------------------------------------------

const CHILD_SCHEMA: &str = "EGOV_NOTIFY_PG_CRASH_CHILD_SCHEMA";

/// Not a test of its own: the body of the worker process that
/// `a_worker_process_killed_with_sigkill_loses_nothing` starts (this test binary, with the schema
/// in an environment variable) and kills. Without the variable it does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn crash_child_claims_and_hangs() {
    let Ok(schema) = std::env::var(CHILD_SCHEMA) else {
        return;
    };
    let store = open(&schema).await;
    let claimed = store
        .claim("child", Utc::now(), TimeDelta::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    // Holds the claim (and its pooled connection) until killed.
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    unreachable!("killed long before");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "interop: needs PostgreSQL; run tests/run-interop.sh"]
async fn a_worker_process_killed_with_sigkill_loses_nothing() {
    let schema = fresh_schema();
    let store = open(&schema).await;
    let id = store
        .enqueue(&NewMessage::new(suite::sample_message(9).unwrap()), Utc::now())
        .await
        .unwrap()
        .id;

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child_claims_and_hangs",
            "--exact",
            "--ignored",
            "--test-threads=1",
            "--quiet",
        ])
        .env(CHILD_SCHEMA, &schema)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait (up to 30 s) until the child process has claimed the message.
    let mut claimed = false;
    for _ in 0..300 {
        if store.get(&id).await.unwrap().unwrap().status == Status::Sending {
            claimed = true;
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the worker process ended early"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(claimed, "the worker process did not claim the message");
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    // The claim outlives the process; nobody else gets the message while the lease holds.
    let (channels, sent) = Channels::test_mode(Simulation::standard());
    let survivor = Worker::new(
        open(&schema).await,
        channels,
        Arc::new(SystemClock),
        config("survivor", TimeDelta::minutes(1)),
    );
    assert_eq!(survivor.run_until_idle().await.unwrap().claimed, 0);

    // After the lease (60 s; a clock 61 s ahead) another worker delivers it, exactly once.
    let (channels, late_sent) = Channels::test_mode(Simulation::standard());
    let later = Worker::new(
        open(&schema).await,
        channels,
        Arc::new(FakeClock::new(Utc::now() + TimeDelta::seconds(61))),
        config("survivor", TimeDelta::minutes(1)),
    );
    let report = later.run_until_idle().await.unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    assert!(sent.sent().is_empty());
    assert_eq!(late_sent.sent().len(), 1);
    assert_eq!(late_sent.sent()[0].id, id);
    let history = store.history(&id).await.unwrap();
    let statuses: Vec<Status> = history.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Created,
            Status::Sending,
            Status::TechnicalFailure,
            Status::Sending,
            Status::Delivered
        ]
    );
    assert_eq!(history[1].reason.as_deref(), Some("worker child"));
    assert_eq!(history[3].reason.as_deref(), Some("worker survivor"));
    drop_schema(&store, &schema).await;
}
