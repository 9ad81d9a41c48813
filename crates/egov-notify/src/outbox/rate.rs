//! Rate limits: token buckets per channel and per recipient domain, on the outbox's clock.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::message::{Channel, Message};
use crate::recipient::Recipient;

/// A rate: `per_minute` messages per minute on average, bursts of up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Messages per minute (at least 1).
    pub per_minute: u32,
    /// The most messages at once (at least 1).
    pub burst: u32,
}

impl Rate {
    /// `per_minute` messages a minute with a burst of a third of a minute's worth plus one
    /// (capped at 1000), the shape GOV.UK Notify uses.
    #[must_use]
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            burst: (per_minute.div_ceil(3) + 1).min(1000),
        }
    }

    /// Sets the burst.
    #[must_use]
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }
}

/// Token units per message; tokens are counted in millionths so refills need no floats.
const UNIT: u64 = 1_000_000;

#[derive(Debug, Clone)]
struct Bucket {
    rate: Rate,
    units: u64,
    updated: DateTime<Utc>,
}

impl Bucket {
    fn new(rate: Rate, now: DateTime<Utc>) -> Self {
        Self {
            rate,
            units: u64::from(rate.burst.max(1)) * UNIT,
            updated: now,
        }
    }

    fn refill(&mut self, now: DateTime<Utc>) {
        let elapsed_ms = u64::try_from((now - self.updated).num_milliseconds()).unwrap_or(0);
        if elapsed_ms == 0 {
            return;
        }
        // per_minute messages per 60 000 ms → per_minute * UNIT / 60 000 units per ms.
        let added = elapsed_ms
            .saturating_mul(u64::from(self.rate.per_minute))
            .saturating_mul(UNIT)
            / 60_000;
        let cap = u64::from(self.rate.burst.max(1)) * UNIT;
        self.units = self.units.saturating_add(added).min(cap);
        self.updated = now;
    }

    /// Time until one token is there (zero if one is there now).
    fn wait(&mut self, now: DateTime<Utc>) -> TimeDelta {
        self.refill(now);
        if self.units >= UNIT {
            return TimeDelta::zero();
        }
        let missing = UNIT - self.units;
        let per_minute = u64::from(self.rate.per_minute.max(1));
        let ms = (missing * 60_000).div_ceil(per_minute * UNIT);
        TimeDelta::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX))
    }

    fn take(&mut self) {
        self.units = self.units.saturating_sub(UNIT);
    }
}

/// The configured limits: per channel and per recipient e-mail domain (a default for every
/// domain, and overrides). No limit is the default.
///
/// ```
/// use egov_notify::outbox::{Rate, RateLimits};
/// use egov_notify::Channel;
///
/// let limits = RateLimits::default()
///     .channel(Channel::Sms, Rate::per_minute(60))
///     .each_domain(Rate::per_minute(300))
///     .domain("bluewin.ch", Rate::per_minute(100));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits {
    channels: HashMap<Channel, Rate>,
    each_domain: Option<Rate>,
    domains: HashMap<String, Rate>,
}

impl RateLimits {
    /// Limits all messages of `channel`.
    #[must_use]
    pub fn channel(mut self, channel: Channel, rate: Rate) -> Self {
        self.channels.insert(channel, rate);
        self
    }

    /// Limits the e-mail to each recipient domain separately.
    #[must_use]
    pub fn each_domain(mut self, rate: Rate) -> Self {
        self.each_domain = Some(rate);
        self
    }

    /// Limits the e-mail to `domain` (overrides [`RateLimits::each_domain`] for it).
    #[must_use]
    pub fn domain(mut self, domain: &str, rate: Rate) -> Self {
        self.domains.insert(domain.to_ascii_lowercase(), rate);
        self
    }
}

/// The buckets of a worker for its [`RateLimits`]. A message may go when every bucket that
/// applies to it has a token; then one token is taken from each.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    limits: RateLimits,
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    /// A limiter with full buckets.
    #[must_use]
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            buckets: HashMap::new(),
        }
    }

    /// `Ok(())` and one token taken from each bucket if `message` may go at `now`; otherwise
    /// `Err(wait)` with the time until it may, and nothing taken.
    ///
    /// # Errors
    ///
    /// The time to wait, when a bucket is empty.
    pub fn try_acquire(&mut self, message: &Message, now: DateTime<Utc>) -> Result<(), TimeDelta> {
        let mut keys = Vec::new();
        let channel = message.channel();
        if let Some(rate) = self.limits.channels.get(&channel) {
            keys.push((format!("channel:{channel}"), *rate));
        }
        if let Recipient::Email(address) = message.recipient() {
            let domain = address.domain();
            if let Some(rate) = self
                .limits
                .domains
                .get(domain)
                .or(self.limits.each_domain.as_ref())
            {
                keys.push((format!("domain:{domain}"), *rate));
            }
        }
        let mut wait = TimeDelta::zero();
        for (key, rate) in &keys {
            let bucket = self
                .buckets
                .entry(key.clone())
                .or_insert_with(|| Bucket::new(*rate, now));
            wait = wait.max(bucket.wait(now));
        }
        if wait > TimeDelta::zero() {
            return Err(wait);
        }
        for (key, _) in &keys {
            if let Some(bucket) = self.buckets.get_mut(key) {
                bucket.take();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_at_the_rate_and_caps_at_the_burst() {
        let t0 = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let mut bucket = Bucket::new(Rate::per_minute(60).with_burst(2), t0);
        assert_eq!(bucket.wait(t0), TimeDelta::zero());
        bucket.take();
        bucket.take();
        assert_eq!(bucket.wait(t0), TimeDelta::seconds(1));
        assert_eq!(
            bucket.wait(t0 + TimeDelta::milliseconds(400)),
            TimeDelta::milliseconds(600)
        );
        assert_eq!(bucket.wait(t0 + TimeDelta::seconds(1)), TimeDelta::zero());
        // An hour later, still only the burst.
        let later = t0 + TimeDelta::hours(1);
        bucket.refill(later);
        assert_eq!(bucket.units, 2 * UNIT);
    }

    #[test]
    fn notify_shape() {
        assert_eq!(Rate::per_minute(3000).burst, 1000);
        assert_eq!(Rate::per_minute(60).burst, 21);
    }
}
