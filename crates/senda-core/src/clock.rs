//! Time behind a trait.
//!
//! Unlock delays and auto-lock depend on time; tests need to move it forward
//! without sleeping, so the vault never calls `Utc::now()` itself.
//! Two clocks: the wall clock (dates that must survive a restart, such as the
//! last failed unlock) and a monotonic one (idle time), which a wall-clock step
//! (NTP, a wrong RTC being fixed) cannot move backwards.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Time since an arbitrary fixed origin; never goes backwards.
    fn monotonic(&self) -> std::time::Duration;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn monotonic(&self) -> std::time::Duration {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        ORIGIN.get_or_init(Instant::now).elapsed()
    }
}

/// A clock that only moves when told to, for tests and benchmarks.
#[derive(Debug)]
pub struct ManualClock(Mutex<(DateTime<Utc>, std::time::Duration)>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new((start, std::time::Duration::ZERO)))
    }

    /// Time passes: both clocks move forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        t.0 += by;
        t.1 += by.to_std().unwrap_or_default();
    }

    /// Only the wall clock is set (backwards or forwards); no time passes.
    pub fn step_wall_clock(&self, by: Duration) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).0 += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new(Utc::now())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).0
    }

    fn monotonic(&self) -> std::time::Duration {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).1
    }
}
