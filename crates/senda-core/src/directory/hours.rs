//! Opening hours: whether a service is open at a given local time.

use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpeningHours {
    /// RRULE-style days, e.g. `["MO","TU"]`; empty means every day.
    pub days: Vec<String>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub description: String,
}

/// Whether a service is open at `at`; `None` when its hours are not known.
pub fn is_open(hours: &[OpeningHours], at: NaiveDateTime) -> Option<bool> {
    let known: Vec<&OpeningHours> = hours
        .iter()
        .filter(|h| h.opens_at.is_some() && h.closes_at.is_some())
        .collect();
    if known.is_empty() {
        return None;
    }
    let day = match at.weekday() {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    };
    let time = |s: &str| NaiveTime::parse_from_str(s.get(..5).unwrap_or(s), "%H:%M").ok();
    Some(known.iter().any(|h| {
        let today = h.days.is_empty() || h.days.iter().any(|d| d.ends_with(day));
        let (Some(open), Some(close)) = (
            time(h.opens_at.as_deref().unwrap_or("")),
            time(h.closes_at.as_deref().unwrap_or("")),
        ) else {
            return false;
        };
        today && at.time() >= open && at.time() < close
    }))
}
