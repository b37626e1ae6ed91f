//! What staff record about a child: the least that serves.
//!
//! Every field but the alias may be unknown or withheld; no identity
//! document is asked for. There is deliberately no field for the story of
//! what happened: notes are short and practical.

use super::CaseError;
use crate::checklist::RiskLevel;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

pub const ALIAS_MAX: usize = 40;
pub const NOTE_MAX: usize = 280;
/// A case is flagged when the child turns 18 within this many days.
pub const NEARING_ADULTHOOD_DAYS: i64 = 90;

pub type CaseId = String;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Age {
    #[default]
    Unknown,
    /// Staff's estimate, on the day it was made.
    Estimated {
        years: u8,
        on: NaiveDate,
    },
    BirthDate {
        date: NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Sex {
    Female,
    Male,
    Intersex,
    #[default]
    Unknown,
    PreferNotToSay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Gender {
    Girl,
    Boy,
    NonBinary,
    Other,
    #[default]
    Unknown,
    PreferNotToSay,
}

/// Whom the child travels with. Never "voluntary": that word has no place for a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Travelling {
    /// Separated from both parents and other relatives, and not cared for by
    /// an adult who by law or custom is responsible: alone, with peers, with a
    /// partner or with an unrelated adult (CRC General Comment 6, para. 7).
    Unaccompanied,
    /// Separated from both parents or their usual caregiver, but with another
    /// relative (General Comment 6, para. 8). The wire name is kept.
    SeparatedWithAdult,
    /// With a parent or their usual caregiver.
    WithFamily,
    #[default]
    Unknown,
    PreferNotToSay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Present {
    NobodyElse,
    Interpreter,
    Relative,
    AccompanyingAdult,
    OtherStaff,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum HelperPreference {
    Woman,
    Man,
    NoPreference,
    #[default]
    NotAsked,
}

/// Yes, no, or not known / not said: eligibility needs these, and "not known" is never "no".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Known {
    Yes,
    No,
    #[default]
    Unknown,
    PreferNotToSay,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Whereabouts {
    #[default]
    NotRecorded,
    /// A route place from the installed content pack.
    Place {
        id: String,
    },
    Coordinates {
        latitude: f64,
        longitude: f64,
    },
}

/// What staff enter when they open (or edit) a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseDetails {
    /// An alias or a first name: whatever the child wants to be called.
    pub alias: String,
    #[serde(default)]
    pub age: Age,
    #[serde(default)]
    pub sex: Sex,
    #[serde(default)]
    pub gender: Gender,
    /// ISO 3166-1 alpha-2, or empty when unknown.
    #[serde(default)]
    pub nationality: String,
    /// The country where the screening happens (for emergency contacts and referrals).
    pub country: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub travelling: Travelling,
    #[serde(default)]
    pub present: Vec<Present>,
    #[serde(default)]
    pub helper: HelperPreference,
    #[serde(default)]
    pub has_documents: Known,
    #[serde(default)]
    pub with_baby: Known,
    #[serde(default)]
    pub whereabouts: Whereabouts,
}

impl CaseDetails {
    /// Checks and normalises; every rule names the field it concerns.
    pub fn validated(mut self, today: NaiveDate) -> Result<Self, CaseError> {
        let invalid = |field: &str| CaseError::InvalidField {
            field: field.to_owned(),
        };
        self.alias = self.alias.trim().to_owned();
        if self.alias.is_empty() || self.alias.chars().count() > ALIAS_MAX {
            return Err(invalid("alias"));
        }
        match self.age {
            Age::Estimated { years, on } if years > 25 || on > today => return Err(invalid("age")),
            Age::BirthDate { date } if date > today || date.year() < today.year() - 30 => {
                return Err(invalid("age"));
            }
            _ => {}
        }
        self.country = self.country.trim().to_uppercase();
        if !is_country_code(&self.country) {
            return Err(invalid("country"));
        }
        self.nationality = self.nationality.trim().to_uppercase();
        if !self.nationality.is_empty() && !is_country_code(&self.nationality) {
            return Err(invalid("nationality"));
        }
        self.languages.retain(|l| !l.trim().is_empty());
        if self.languages.len() > 6 || self.languages.iter().any(|l| l.chars().count() > 24) {
            return Err(invalid("languages"));
        }
        if let Whereabouts::Coordinates {
            latitude,
            longitude,
        } = self.whereabouts
            && !((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude))
        {
            return Err(invalid("whereabouts"));
        }
        Ok(self)
    }

    /// The day the child turns 18, when the age is known or estimated.
    pub fn turns_18(&self) -> Option<NaiveDate> {
        match self.age {
            Age::Unknown => None,
            Age::Estimated { years, on } => {
                on.checked_add_months(Months::new(12 * (18 - years.min(18)) as u32))
            }
            Age::BirthDate { date } => date.checked_add_months(Months::new(12 * 18)),
        }
    }

    /// Age in whole years today, when known or estimated.
    pub fn age_on(&self, today: NaiveDate) -> Option<u8> {
        let born = match self.age {
            Age::Unknown => return None,
            Age::Estimated { years, on } => {
                on.checked_sub_months(Months::new(12 * years as u32))?
            }
            Age::BirthDate { date } => date,
        };
        today.years_since(born).map(|y| y.min(255) as u8)
    }
}

fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase())
}

/// Short, practical notes. No story of abuse goes here: there is no field for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseNotes {
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub next_steps: String,
    #[serde(default)]
    pub follow_up: Option<NaiveDate>,
}

impl CaseNotes {
    pub fn validated(mut self) -> Result<Self, CaseError> {
        for (field, text) in [
            ("needs", &mut self.needs),
            ("next_steps", &mut self.next_steps),
        ] {
            *text = text.trim().to_owned();
            if text.chars().count() > NOTE_MAX {
                return Err(CaseError::InvalidField {
                    field: field.to_owned(),
                });
            }
        }
        Ok(self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Case {
    pub id: CaseId,
    pub version: i64,
    pub details: CaseDetails,
    pub notes: CaseNotes,
    pub latest_level: Option<RiskLevel>,
    pub created_at: String,
    pub updated_at: String,
    pub flags: CaseFlags,
}

/// What the case list shows about a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseSummary {
    pub id: CaseId,
    pub alias: String,
    pub age: Option<u8>,
    pub country: String,
    pub latest_level: Option<RiskLevel>,
    pub updated_at: String,
    pub flags: CaseFlags,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseFlags {
    /// Turns 18 within `NEARING_ADULTHOOD_DAYS`, or already has: services for adults differ.
    pub nearing_18: bool,
    pub turns_18: Option<NaiveDate>,
    /// A follow-up date (case or referral) is today or past.
    pub follow_up_due: bool,
    pub next_follow_up: Option<NaiveDate>,
}

impl CaseFlags {
    pub fn compute(details: &CaseDetails, follow_ups: &[NaiveDate], today: NaiveDate) -> Self {
        let turns_18 = details.turns_18();
        let next_follow_up = follow_ups.iter().min().copied();
        Self {
            nearing_18: turns_18.is_some_and(|d| (d - today).num_days() <= NEARING_ADULTHOOD_DAYS),
            turns_18,
            follow_up_due: next_follow_up.is_some_and(|d| d <= today),
            next_follow_up,
        }
    }
}
