//! The worker: claims messages, delivers them through the channels, retries, records, calls back.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use super::{
    AttemptRecord, Claimed, Clock, OutboxError, OutboxStore, RateLimiter, RateLimits, Status, StatusChange,
};
use crate::channel::{Delivery, EmailTransport, InMemoryChannel, Simulation, SmsGateway};
use crate::message::{Channel, MessageId};

/// The channels a worker delivers through. A message whose channel is missing fails with a
/// technical failure (and is retried, in case a worker with that channel is started).
#[derive(Clone, Default)]
pub struct Channels {
    email: Option<Arc<dyn EmailTransport>>,
    sms: Option<Arc<dyn SmsGateway>>,
}

impl fmt::Debug for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channels")
            .field("email", &self.email.is_some())
            .field("sms", &self.sms.is_some())
            .finish()
    }
}

impl Channels {
    /// No channels.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends e-mail through `transport`.
    #[must_use]
    pub fn with_email(mut self, transport: Arc<dyn EmailTransport>) -> Self {
        self.email = Some(transport);
        self
    }

    /// Sends SMS through `gateway`.
    #[must_use]
    pub fn with_sms(mut self, gateway: Arc<dyn SmsGateway>) -> Self {
        self.sms = Some(gateway);
        self
    }

    /// Test mode: e-mail and SMS go to one [`InMemoryChannel`] with `simulation`, which sends
    /// nothing and answers with simulated outcomes (returned too, to look at what was "sent").
    #[must_use]
    pub fn test_mode(simulation: Simulation) -> (Self, Arc<InMemoryChannel>) {
        let channel = Arc::new(InMemoryChannel::with_simulation(simulation));
        let channels = Self::new().with_email(channel.clone()).with_sms(channel.clone());
        (channels, channel)
    }
}

/// Exponential backoff with jitter: before attempt `n + 1` the worker waits
/// `d = min(max, initial × 2^(n−1))`, of which a random half is jitter (`d/2 + random(0..=d/2)`),
/// so messages that failed together do not come back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure (before jitter).
    pub initial: TimeDelta,
    /// The longest wait.
    pub max: TimeDelta,
    /// The most attempts (the message's deadline may end it earlier).
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 1 minute, doubling up to 1 hour, at most 30 attempts (with the default 24 h deadline,
    /// about 24 attempts fit).
    fn default() -> Self {
        Self {
            initial: TimeDelta::minutes(1),
            max: TimeDelta::hours(1),
            max_attempts: 30,
        }
    }
}

impl Backoff {
    /// The wait after failed attempt `attempt` (1-based), with jitter from `rng`.
    #[must_use]
    pub fn delay(&self, attempt: u32, rng: &mut fastrand::Rng) -> TimeDelta {
        let factor = 1_i32
            .checked_shl(attempt.saturating_sub(1).min(30))
            .unwrap_or(i32::MAX);
        let full = self.initial.checked_mul(factor).unwrap_or(self.max).min(self.max);
        let ms = full.num_milliseconds().max(0);
        let half = ms / 2;
        TimeDelta::milliseconds(half + rng.i64(0..=ms - half))
    }
}

/// A worker's settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The worker's name, recorded with each attempt (default: `worker-<pid>`).
    pub name: String,
    /// How long a claim holds. Choose it well above the channel's timeout: a lease that expires
    /// while the worker is still delivering lets another worker send the message again. The
    /// messages of a batch are delivered one after the other; one with less than half of its
    /// lease left by its turn is skipped (and taken over when the lease has expired).
    pub lease: TimeDelta,
    /// Messages claimed at once.
    pub batch_size: usize,
    /// Retries.
    pub backoff: Backoff,
    /// How long [`Worker::run`] waits when there is nothing to do.
    pub poll_interval: std::time::Duration,
    /// Rate limits.
    pub rate_limits: RateLimits,
    /// A seed for the jitter, for reproducible tests (default: random).
    pub jitter_seed: Option<u64>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            name: format!("worker-{}", std::process::id()),
            lease: TimeDelta::minutes(5),
            batch_size: 20,
            backoff: Backoff::default(),
            poll_interval: std::time::Duration::from_secs(1),
            rate_limits: RateLimits::default(),
            jitter_seed: None,
        }
    }
}

/// A status change reported to the application.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusUpdate {
    /// The message.
    pub id: MessageId,
    /// The caller's reference of the message.
    pub reference: Option<String>,
    /// The change, as recorded in the history.
    pub change: StatusChange,
    /// True when this is the message's final status.
    pub is_final: bool,
}

/// Called by the worker after each recorded outcome: delivered, a failure that will be retried,
/// or a final failure. Called after the outcome is stored, at most once per outcome (a worker
/// that dies in between does not call); the status history in the store is the reference.
/// `WebhookCallback` (feature `webhook`) posts each change to an HTTP endpoint with a bearer token.
#[async_trait]
pub trait Callback: Send + Sync {
    /// A message's status changed.
    async fn status_changed(&self, update: &StatusUpdate);
}

/// What one [`Worker::run_once`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunReport {
    /// Messages claimed.
    pub claimed: usize,
    /// Delivered.
    pub delivered: usize,
    /// Failed and scheduled for a retry.
    pub retrying: usize,
    /// Failed for good.
    pub failed: usize,
    /// Given back because of a rate limit.
    pub deferred: usize,
    /// Outcomes not recorded because another worker had taken the message over.
    pub lease_lost: usize,
}

/// Delivers the messages of an outbox store.
///
/// Run [`Worker::run`] as a task (several workers, in one or several processes, can share a
/// store), or call [`Worker::run_once`] / [`Worker::run_until_idle`] from a scheduler or a test.
pub struct Worker<S> {
    store: S,
    channels: Channels,
    clock: Arc<dyn Clock>,
    config: WorkerConfig,
    callback: Option<Arc<dyn Callback>>,
    limiter: Mutex<RateLimiter>,
    rng: Mutex<fastrand::Rng>,
}

impl<S> fmt::Debug for Worker<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("name", &self.config.name)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl<S: OutboxStore> Worker<S> {
    /// A worker on `store` with these channels, clock and settings.
    pub fn new(store: S, channels: Channels, clock: Arc<dyn Clock>, config: WorkerConfig) -> Self {
        let rng = config
            .jitter_seed
            .map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
        Self {
            store,
            channels,
            clock,
            limiter: Mutex::new(RateLimiter::new(config.rate_limits.clone())),
            config,
            callback: None,
            rng: Mutex::new(rng),
        }
    }

    /// Reports status changes to `callback`.
    #[must_use]
    pub fn with_callback(mut self, callback: Arc<dyn Callback>) -> Self {
        self.callback = Some(callback);
        self
    }

    /// Claims one batch of due messages and delivers them, one after the other.
    ///
    /// # Errors
    ///
    /// A store error (the worker can simply be run again).
    pub async fn run_once(&self) -> Result<RunReport, OutboxError> {
        let claimed = self
            .store
            .claim(
                &self.config.name,
                self.clock.now(),
                self.config.lease,
                self.config.batch_size.max(1),
            )
            .await?;
        let mut report = RunReport {
            claimed: claimed.len(),
            ..RunReport::default()
        };
        for message in &claimed {
            self.process(message, &mut report).await?;
        }
        Ok(report)
    }

    /// Runs batches until nothing is due (at the clock's current time); adds up the reports.
    ///
    /// # Errors
    ///
    /// A store error.
    pub async fn run_until_idle(&self) -> Result<RunReport, OutboxError> {
        let mut total = RunReport::default();
        loop {
            let report = self.run_once().await?;
            total.claimed += report.claimed;
            total.delivered += report.delivered;
            total.retrying += report.retrying;
            total.failed += report.failed;
            total.deferred += report.deferred;
            total.lease_lost += report.lease_lost;
            if report.claimed == 0 || report.claimed == report.deferred {
                return Ok(total);
            }
        }
    }

    /// Runs until `stop` becomes true (or its sender is dropped): claims batches back to back
    /// while there is work, and waits [`WorkerConfig::poll_interval`] when there is none.
    ///
    /// # Errors
    ///
    /// A store error; restart the worker (its claimed messages come back when their leases expire).
    pub async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) -> Result<(), OutboxError> {
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            let report = self.run_once().await?;
            if report.claimed == 0 || report.claimed == report.deferred {
                let waited = tokio::time::timeout(self.config.poll_interval, stop.changed()).await;
                if let Ok(Err(_)) = waited {
                    // The sender is gone: nobody can stop us any more, so stop now.
                    return Ok(());
                }
            }
        }
    }

    async fn process(&self, claimed: &Claimed, report: &mut RunReport) -> Result<(), OutboxError> {
        let now = self.clock.now();
        if now + self.config.lease / 2 > claimed.lease_until {
            // Earlier messages of the batch took so long that less than half of this lease is
            // left: the delivery might outlast it, and another worker might then send the message
            // too. Leave it; it comes back when its lease is found expired.
            report.lease_lost += 1;
            return Ok(());
        }
        if claimed.recovered && now > claimed.deadline {
            let record = AttemptRecord {
                status: Status::TechnicalFailure,
                reason: Some("the deadline passed while no worker reported an outcome".to_owned()),
                retry_at: None,
            };
            return self.finish(claimed, record, report).await;
        }
        let limited = self
            .limiter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .try_acquire(&claimed.message, now);
        if let Err(wait) = limited {
            report.deferred += 1;
            return match self.store.release(claimed, now + wait, now).await {
                Err(OutboxError::LeaseLost { .. }) => Ok(()),
                other => other,
            };
        }
        let delivery = self.deliver(claimed).await;
        let now = self.clock.now();
        let status = match &delivery {
            Delivery::Delivered { .. } => Status::Delivered,
            Delivery::TemporaryFailure { .. } => Status::TemporaryFailure,
            Delivery::PermanentFailure { .. } => Status::PermanentFailure,
            Delivery::TechnicalFailure { .. } => Status::TechnicalFailure,
        };
        let retry_at = delivery
            .is_retryable()
            .then(|| now + self.next_delay(claimed.attempt))
            .filter(|at| claimed.attempt < self.config.backoff.max_attempts && *at <= claimed.deadline);
        let record = AttemptRecord {
            status,
            reason: delivery.reason().map(str::to_owned),
            retry_at,
        };
        self.finish(claimed, record, report).await
    }

    async fn deliver(&self, claimed: &Claimed) -> Delivery {
        let missing = |channel: Channel| Delivery::TechnicalFailure {
            reason: format!("this worker has no {channel} channel"),
        };
        match claimed.message.channel() {
            Channel::Email => match &self.channels.email {
                Some(transport) => transport.send_email(&claimed.id, &claimed.message).await,
                None => missing(Channel::Email),
            },
            Channel::Sms => match &self.channels.sms {
                Some(gateway) => gateway.send_sms(&claimed.id, &claimed.message).await,
                None => missing(Channel::Sms),
            },
        }
    }

    fn next_delay(&self, attempt: u32) -> TimeDelta {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        self.config.backoff.delay(attempt, &mut rng)
    }

    async fn finish(
        &self,
        claimed: &Claimed,
        record: AttemptRecord,
        report: &mut RunReport,
    ) -> Result<(), OutboxError> {
        let now: DateTime<Utc> = self.clock.now();
        match self.store.record(claimed, &record, now).await {
            Ok(()) => {}
            Err(OutboxError::LeaseLost { .. }) => {
                report.lease_lost += 1;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        let is_final = record.retry_at.is_none();
        if record.status == Status::Delivered {
            report.delivered += 1;
        } else if is_final {
            report.failed += 1;
        } else {
            report.retrying += 1;
        }
        if let Some(callback) = &self.callback {
            let update = StatusUpdate {
                id: claimed.id.clone(),
                reference: claimed.message.reference().map(str::to_owned),
                change: StatusChange {
                    status: record.status,
                    at: now,
                    attempt: claimed.attempt,
                    reason: record.reason,
                    retry_at: record.retry_at,
                },
                is_final,
            };
            callback.status_changed(&update).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half_and_caps() {
        let backoff = Backoff {
            initial: TimeDelta::seconds(10),
            max: TimeDelta::seconds(60),
            max_attempts: 10,
        };
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            for (attempt, full) in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60), (40, 60)] {
                let d = backoff.delay(attempt, &mut rng);
                assert!(d >= TimeDelta::seconds(full) / 2, "{attempt}: {d}");
                assert!(d <= TimeDelta::seconds(full), "{attempt}: {d}");
            }
        }
        // Jitter spreads: not all the same.
        let delays: std::collections::HashSet<_> = (0..20).map(|_| backoff.delay(3, &mut rng)).collect();
        assert!(delays.len() > 10);
    }
}
