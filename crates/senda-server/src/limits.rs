//! Request-rate limits: per enrolled device; for enrolment (which is
//! unauthenticated) one shared budget and one per address; and a cheap
//! refusal of unknown devices (L1). Sync needs a few requests a second;
//! anything far above that is a fault or an attack. Limits are per
//! instance: behind a balancer of N instances, a client gets up to N times.

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Unknown device ids one address may send in [`UNKNOWN_WINDOW`] before
/// every unknown id from it is refused without a lookup.
const UNKNOWN_PER_WINDOW: u32 = 20;
const UNKNOWN_WINDOW: Duration = Duration::from_secs(10);
/// Entries kept in the small in-memory tables below before they are emptied.
const TABLE_MAX: usize = 10_000;

pub struct Limits {
    per_device: DefaultKeyedRateLimiter<String>,
    /// Ops pushed per device: what a push costs the database grows with its
    /// ops, and SQLite has one writer, so a device that pushes without pause
    /// would otherwise hold it against everyone else.
    ops_per_device: DefaultKeyedRateLimiter<String>,
    enrolment: DefaultDirectRateLimiter,
    enrolment_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    unknown_ids: Mutex<HashSet<String>>,
    unknown_by_ip: Mutex<HashMap<IpAddr, (u32, Instant)>>,
    /// Devices refused for their rate, until they may ask again. Their
    /// requests meanwhile are refused before the body is read, so a flood
    /// of large bodies costs neither reading, hashing nor a lookup. Only a
    /// request whose signature held puts a device here, so naming another
    /// device's id cannot hold it back.
    resting: Mutex<HashMap<String, Instant>>,
    /// Devices whose signature held since this instance started: the
    /// per-address refusal of unknown ids never refuses them, so a flood of
    /// unknown ids through a shared address (a proxy's) stops no one known.
    signed_lately: Mutex<HashSet<String>>,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(20, 5)
    }
}

fn quota(n: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).expect("non-zero");
    Quota::per_second(n).allow_burst(n.saturating_mul(NonZeroU32::new(2).expect("2")))
}

impl Limits {
    /// `device_per_second` requests per device (twice that in a burst), and
    /// five times that in ops pushed, with a burst of 500 times (20 a second:
    /// 100 ops a second after a first 10,000, a whole day's queue at once);
    /// `enrol_per_second` enrolments across all clients, and as many from one address.
    pub fn new(device_per_second: u32, enrol_per_second: u32) -> Self {
        let ops = NonZeroU32::new(device_per_second.max(1).saturating_mul(5)).expect("non-zero");
        let burst =
            NonZeroU32::new(device_per_second.max(1).saturating_mul(500)).expect("non-zero");
        Self {
            per_device: RateLimiter::keyed(quota(device_per_second)),
            ops_per_device: RateLimiter::keyed(Quota::per_second(ops).allow_burst(burst)),
            enrolment: RateLimiter::direct(quota(enrol_per_second)),
            enrolment_per_ip: RateLimiter::keyed(quota(enrol_per_second)),
            unknown_ids: Mutex::default(),
            unknown_by_ip: Mutex::default(),
            resting: Mutex::default(),
            signed_lately: Mutex::default(),
        }
    }

    /// One address may enrol only `per_minute` devices a minute (a crossing's
    /// team enrols a few; one client flooding codes cannot use up the shared budget).
    pub fn with_enrolment_per_ip(mut self, per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).expect("non-zero");
        self.enrolment_per_ip = RateLimiter::keyed(Quota::per_minute(n).allow_burst(n));
        self
    }

    /// Whether a device whose signature held may make this request now;
    /// if not, it rests until it may.
    pub fn device_allowed(&self, device: &str) -> bool {
        use governor::clock::{Clock, DefaultClock};
        let Err(not_until) = self.per_device.check_key(&device.to_owned()) else {
            return true;
        };
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let mut resting = lock(&self.resting);
        if resting.len() >= TABLE_MAX {
            let now = Instant::now();
            resting.retain(|_, until| now < *until);
            if resting.len() >= TABLE_MAX {
                resting.clear();
            }
        }
        resting.insert(device.to_owned(), Instant::now() + wait);
        false
    }

    /// Whether `device` was refused for its rate and may not ask yet.
    pub fn device_resting(&self, device: &str) -> bool {
        lock(&self.resting)
            .get(device)
            .is_some_and(|until| Instant::now() < *until)
    }

    /// Whether `device` may push `ops` more ops now (its budget is spent only if so).
    pub fn ops_allowed(&self, device: &str, ops: usize) -> bool {
        let Some(n) = u32::try_from(ops).ok().and_then(NonZeroU32::new) else {
            return true;
        };
        matches!(
            self.ops_per_device.check_key_n(&device.to_owned(), n),
            Ok(Ok(()))
        )
    }

    /// The address's budget first, so one address cannot drain the shared one.
    pub fn enrolment_allowed(&self, ip: Option<IpAddr>) -> bool {
        ip.is_none_or(|ip| self.enrolment_per_ip.check_key(&ip).is_ok())
            && self.enrolment.check().is_ok()
    }

    /// Refused without a lookup: an id already found unknown, or any id
    /// from an address that sent too many unknown ones lately.
    pub fn unknown_device_refused(&self, ip: Option<IpAddr>, id: &str) -> bool {
        if lock(&self.unknown_ids).contains(id) {
            return true;
        }
        let Some(ip) = ip else { return false };
        if lock(&self.signed_lately).contains(id) {
            return false;
        }
        lock(&self.unknown_by_ip)
            .get(&ip)
            .is_some_and(|(n, since)| *n >= UNKNOWN_PER_WINDOW && since.elapsed() < UNKNOWN_WINDOW)
    }

    /// A request from `device` whose signature held.
    pub fn note_signed(&self, device: &str) {
        let mut known = lock(&self.signed_lately);
        if known.len() >= TABLE_MAX && !known.contains(device) {
            known.clear();
        }
        known.insert(device.to_owned());
    }

    pub fn note_unknown_device(&self, ip: Option<IpAddr>, id: &str) {
        let mut ids = lock(&self.unknown_ids);
        if ids.len() >= TABLE_MAX {
            ids.clear();
        }
        ids.insert(id.to_owned());
        drop(ids);
        let Some(ip) = ip else { return };
        let mut by_ip = lock(&self.unknown_by_ip);
        if by_ip.len() >= TABLE_MAX {
            by_ip.clear();
        }
        let entry = by_ip.entry(ip).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= UNKNOWN_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }
}

/// A device id as the server makes them: 32 lowercase hex digits.
pub fn device_id_like(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_cannot_use_up_enrolment_for_everyone() {
        let limits = Limits::new(20, 50).with_enrolment_per_ip(3);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let allowed = (0..20)
            .filter(|_| limits.enrolment_allowed(Some(a)))
            .count();
        assert_eq!(allowed, 3, "one address gets its own budget only");
        assert!(
            limits.enrolment_allowed(Some(b)),
            "another address still enrols"
        );
    }

    #[test]
    fn a_device_that_pushes_without_pause_is_slowed_by_its_ops() {
        let limits = Limits::new(20, 5);
        // A day's queue goes at once: 10,000 ops in pushes of 500.
        let first = (0..20).filter(|_| limits.ops_allowed("a", 500)).count();
        assert_eq!(first, 20);
        assert!(!limits.ops_allowed("a", 500), "then it waits");
        assert!(
            limits.ops_allowed("b", 500),
            "another device is not held up"
        );
        assert!(
            limits.ops_allowed("a", 0),
            "a push of nothing costs nothing"
        );
    }

    #[test]
    fn a_device_refused_for_its_rate_rests_until_it_may_ask_again() {
        let limits = Limits::new(20, 5);
        assert!(!limits.device_resting("a"), "never refused");
        let allowed = (0..41).filter(|_| limits.device_allowed("a")).count();
        assert_eq!(allowed, 40, "a burst of twice the rate");
        assert!(limits.device_resting("a"));
        assert!(!limits.device_resting("b"), "another device does not rest");
        // 20 a second: the next request is allowed after 50 ms.
        std::thread::sleep(Duration::from_millis(60));
        assert!(!limits.device_resting("a"), "the rest ends");
        assert!(limits.device_allowed("a"));
    }

    #[test]
    fn unknown_devices_are_refused_cheaply() {
        let limits = Limits::default();
        let ip: IpAddr = "10.0.0.3".parse().unwrap();
        let id = |i: u32| format!("{i:032x}");
        assert!(!limits.unknown_device_refused(Some(ip), &id(0)));
        limits.note_unknown_device(Some(ip), &id(0));
        assert!(
            limits.unknown_device_refused(None, &id(0)),
            "the same id again"
        );
        for i in 1..UNKNOWN_PER_WINDOW {
            limits.note_unknown_device(Some(ip), &id(i));
        }
        assert!(
            limits.unknown_device_refused(Some(ip), &id(999)),
            "a flood from one address"
        );
        let other: IpAddr = "10.0.0.4".parse().unwrap();
        assert!(!limits.unknown_device_refused(Some(other), &id(999)));
        assert!(!device_id_like("ABCDEF0123456789abcdef0123456789"));
        assert!(device_id_like(&id(7)));
    }
}
