//! Request-rate limits: per enrolled device, and one shared budget for
//! enrolment (which is unauthenticated). Sync needs a few requests a second;
//! anything far above that is a fault or an attack.

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct Limits {
    per_device: DefaultKeyedRateLimiter<String>,
    enrolment: DefaultDirectRateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(20, 5)
    }
}

impl Limits {
    /// `device_per_second` requests per device (twice that in a burst);
    /// `enrol_per_second` enrolments across all clients.
    pub fn new(device_per_second: u32, enrol_per_second: u32) -> Self {
        let quota = |n: u32| {
            let n = NonZeroU32::new(n.max(1)).expect("non-zero");
            Quota::per_second(n).allow_burst(n.saturating_mul(NonZeroU32::new(2).expect("2")))
        };
        Self {
            per_device: RateLimiter::keyed(quota(device_per_second)),
            enrolment: RateLimiter::direct(quota(enrol_per_second)),
        }
    }

    pub fn device_allowed(&self, device: &str) -> bool {
        self.per_device.check_key(&device.to_owned()).is_ok()
    }

    pub fn enrolment_allowed(&self) -> bool {
        self.enrolment.check().is_ok()
    }
}
