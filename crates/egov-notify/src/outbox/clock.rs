//! Where the outbox gets the time from.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

/// A source of the current time. Workers and the [`Outbox`](super::Outbox) ask it instead of the
/// system, so tests can move time forward without sleeping ([`FakeClock`]).
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(std::time::SystemTime::now())
    }
}

/// A clock that stands still until told to move.
///
/// ```
/// use chrono::{DateTime, TimeDelta};
/// use egov_notify::outbox::{Clock, FakeClock};
///
/// let start = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
/// let clock = FakeClock::new(start);
/// clock.advance(TimeDelta::minutes(5));
/// assert_eq!(clock.now() - start, TimeDelta::minutes(5));
/// ```
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<DateTime<Utc>>,
}

impl FakeClock {
    /// A clock showing `start`.
    #[must_use]
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
