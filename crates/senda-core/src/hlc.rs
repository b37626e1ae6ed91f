//! Hybrid logical clock timestamps for the outbox.
//!
//! Sync orders operations by these, not by wall clocks: a device whose clock
//! is days wrong still produces timestamps that never go backwards and that
//! move past every timestamp it has seen from others. (Kulkarni et al., 2014.)
//! The state is two integers kept in the vault, so a few lines are clearer
//! than a crate built around its own clock source.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    /// The largest physical time seen, in Unix milliseconds.
    pub millis: i64,
    /// Orders events within the same millisecond.
    pub counter: u32,
}

impl Hlc {
    /// The timestamp of a local event, given the last one and the wall clock.
    pub fn tick(self, wall_millis: i64) -> Self {
        if wall_millis > self.millis {
            Self {
                millis: wall_millis,
                counter: 0,
            }
        } else {
            Self {
                millis: self.millis,
                counter: self.counter + 1,
            }
        }
    }

    /// The timestamp after receiving `remote`: later than both it and us.
    pub fn observe(self, remote: Hlc, wall_millis: i64) -> Self {
        let millis = self.millis.max(remote.millis).max(wall_millis);
        let counter = match (millis == self.millis, millis == remote.millis) {
            (true, true) => self.counter.max(remote.counter) + 1,
            (true, false) => self.counter + 1,
            (false, true) => remote.counter + 1,
            (false, false) => 0,
        };
        Self { millis, counter }
    }

    /// Parses the text form written by `Display`.
    pub fn parse(text: &str) -> Option<Self> {
        let (millis, counter) = text.split_once('.')?;
        Some(Self {
            millis: millis.parse().ok()?,
            counter: counter.parse().ok()?,
        })
    }
}

/// Fixed width, so that text order is time order.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}.{:06}", self.millis, self.counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_slow_wall_clock_never_moves_time_back() {
        let t = Hlc::default().tick(1_000);
        let u = t.tick(10); // the clock jumped back days
        assert!(u > t);
        assert_eq!(u.millis, 1_000);
    }

    #[test]
    fn text_form_round_trips_and_sorts() {
        let a = Hlc {
            millis: 9,
            counter: 2,
        };
        let b = Hlc {
            millis: 10,
            counter: 0,
        };
        assert_eq!(Hlc::parse(&a.to_string()), Some(a));
        assert!(a.to_string() < b.to_string());
    }

    proptest! {
        #[test]
        fn observe_is_after_both(l in 0i64..1_000_000, lc in 0u32..100, r in 0i64..1_000_000, rc in 0u32..100, w in 0i64..1_000_000) {
            let local = Hlc { millis: l, counter: lc };
            let remote = Hlc { millis: r, counter: rc };
            let next = local.observe(remote, w);
            prop_assert!(next > local && next > remote);
        }
    }
}
