//! Consent, per purpose and per recipient, before anything leaves the device.
//!
//! Consent needs the child's own agreement (assent), after the points of
//! `Explained` were explained in a language the child understands; a guardian
//! or an authority may consent as well, never one suspected of harming the
//! child. Where the law obliges a report without consent, staff record an
//! override with its reason: it is marked as one everywhere and audited.

use super::outbox::{Entity, NewOutboxRow};
use super::referral::ReferralStatus;
use super::{CaseError, Casework, NOTE_MAX, from_code, from_json, ids, to_json};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Purpose {
    /// The case record reaches the organisation's server at sync.
    ShareWithOrganisation,
    /// A referral (and its tell-once summary) reaches one service.
    Referral,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::ShareWithOrganisation => "share-with-organisation",
            Self::Referral => "referral",
        }
    }
}

/// The recipient of `ShareWithOrganisation` consent.
pub const OWN_ORGANISATION: &str = "organisation";

/// What must be explained before consent counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Explained {
    WhatIsShared,
    WhoReceives,
    WhatHappensNext,
    CanSayNo,
    CanWithdraw,
}

impl Explained {
    pub const ALL: [Explained; 5] = [
        Self::WhatIsShared,
        Self::WhoReceives,
        Self::WhatHappensNext,
        Self::CanSayNo,
        Self::CanWithdraw,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum OtherConsenter {
    Guardian,
    Authority,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ConsentBasis {
    Consent {
        explained: Vec<Explained>,
        /// The language it was explained in.
        language: String,
        /// The child agreed. Without it there is no consent (only an override).
        child_agrees: bool,
        #[serde(default)]
        also_consented: Option<OtherConsenter>,
        /// Staff confirm the guardian or authority is not suspected of harming the child.
        #[serde(default)]
        consenter_not_suspected: bool,
        /// The child's own wishes about the referral, in a few words.
        #[serde(default)]
        child_wishes: String,
    },
    Override {
        /// Why the law obliges sharing without consent.
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewConsent {
    pub purpose: Purpose,
    /// `organisation` for sharing with the own organisation; a service id for a referral.
    pub recipient: String,
    pub basis: ConsentBasis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Consent {
    pub id: String,
    pub case_id: String,
    pub version: i64,
    pub purpose: Purpose,
    pub recipient: String,
    pub basis: ConsentBasis,
    pub is_override: bool,
    pub recorded_at: String,
    pub withdrawn_at: Option<String>,
}

impl NewConsent {
    pub(super) fn validated(mut self) -> Result<Self, CaseError> {
        let incomplete = |missing: &str| CaseError::ConsentIncomplete {
            missing: missing.to_owned(),
        };
        self.recipient = self.recipient.trim().to_owned();
        if self.recipient.is_empty()
            || (self.purpose == Purpose::ShareWithOrganisation
                && self.recipient != OWN_ORGANISATION)
        {
            return Err(CaseError::InvalidField {
                field: "recipient".into(),
            });
        }
        match &mut self.basis {
            ConsentBasis::Consent {
                explained,
                language,
                child_agrees,
                also_consented,
                consenter_not_suspected,
                child_wishes,
            } => {
                if !*child_agrees {
                    return Err(incomplete("child-agreement"));
                }
                if Explained::ALL.iter().any(|e| !explained.contains(e)) {
                    return Err(incomplete("explanation"));
                }
                if language.trim().is_empty() {
                    return Err(incomplete("language"));
                }
                if also_consented.is_some() && !*consenter_not_suspected {
                    return Err(incomplete("consenter-not-suspected"));
                }
                *child_wishes = child_wishes.trim().to_owned();
                if child_wishes.chars().count() > NOTE_MAX {
                    return Err(CaseError::InvalidField {
                        field: "child_wishes".into(),
                    });
                }
            }
            ConsentBasis::Override { reason } => {
                *reason = reason.trim().to_owned();
                if reason.chars().count() < 10 {
                    return Err(CaseError::OverrideReasonRequired);
                }
                if reason.chars().count() > NOTE_MAX {
                    return Err(CaseError::InvalidField {
                        field: "reason".into(),
                    });
                }
            }
        }
        Ok(self)
    }
}

impl Casework<'_> {
    /// Records consent (or an override). Recording the same active consent
    /// again (a retry) returns the one already recorded and writes nothing.
    pub fn record_consent(&self, case_id: &str, consent: NewConsent) -> Result<Consent, CaseError> {
        let consent = consent.validated()?;
        self.write(|tx| {
            self.load_case(tx, case_id)?;
            self.record_consent_in(tx, case_id, consent)
        })
    }

    /// The insert itself, inside the caller's transaction; `consent` is validated.
    pub(super) fn record_consent_in(
        &self,
        tx: &Connection,
        case_id: &str,
        consent: NewConsent,
    ) -> Result<Consent, CaseError> {
        if let Some(same) = self
            .active_consent(tx, case_id, consent.purpose, &consent.recipient)?
            .filter(|c| c.basis == consent.basis)
        {
            return Ok(same);
        }
        let id = crate::vault::record_id();
        let is_override = matches!(consent.basis, ConsentBasis::Override { .. });
        tx.execute(
            "INSERT INTO consents (id, case_id, version, purpose, recipient, record, recorded_at, recorded_by)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                case_id,
                consent.purpose.as_str(),
                consent.recipient,
                to_json(&consent.basis),
                self.now_text(),
                self.staff.id
            ],
        )?;
        self.outbox(
            tx,
            NewOutboxRow {
                entity: Entity::Consent,
                entity_id: &id,
                case_id,
                op: "create",
                base_version: 0,
                payload: json!(consent),
            },
        )?;
        let action = if is_override {
            "consent-override"
        } else {
            "consent-recorded"
        };
        self.audit(tx, action, &format!("{id} {}", consent.purpose.as_str()))?;
        self.touch_case(tx, case_id)?;
        load(tx, &id)
    }

    /// Withdraws consent. Referrals that relied on it are withdrawn too, and
    /// the withdrawal leaves with the next sync even though sharing has stopped.
    pub fn withdraw_consent(&self, consent_id: &str) -> Result<Consent, CaseError> {
        self.write(|tx| {
            let consent = load(tx, consent_id)?;
            if consent.withdrawn_at.is_some() {
                return Ok(consent);
            }
            tx.execute(
                "UPDATE consents SET withdrawn_at = ?1, withdrawn_by = ?2, version = version + 1 WHERE id = ?3",
                params![self.now_text(), self.staff.id, consent_id],
            )?;
            self.outbox(
                tx,
                NewOutboxRow {
                    entity: Entity::Consent,
                    entity_id: consent_id,
                    case_id: &consent.case_id,
                    op: "withdraw",
                    base_version: consent.version,
                    payload: json!({ "withdrawn_at": self.now_text() }),
                },
            )?;
            self.audit(tx, "consent-withdrawn", consent_id)?;
            if consent.purpose == Purpose::Referral {
                for referral in self.referrals_in(tx, &consent.case_id)? {
                    if referral.service_id == consent.recipient && !referral.status.is_terminal() {
                        self.move_referral(tx, &referral, ReferralStatus::Withdrawn)?;
                    }
                }
            }
            self.touch_case(tx, &consent.case_id)?;
            load(tx, consent_id)
        })
    }

    pub fn consents(&self, case_id: &str) -> Result<Vec<Consent>, CaseError> {
        let ids = ids(
            self.conn,
            "SELECT id FROM consents WHERE case_id = ?1 ORDER BY recorded_at, rowid",
            case_id,
        )?;
        ids.iter().map(|id| load(self.conn, id)).collect()
    }

    /// The active consent (or override) for a purpose and recipient, if any.
    pub(super) fn active_consent(
        &self,
        conn: &Connection,
        case_id: &str,
        purpose: Purpose,
        recipient: &str,
    ) -> Result<Option<Consent>, CaseError> {
        let id: Option<String> = conn
            .query_row(
                "SELECT id FROM consents WHERE case_id = ?1 AND purpose = ?2 AND recipient = ?3
                 AND withdrawn_at IS NULL ORDER BY recorded_at DESC LIMIT 1",
                params![case_id, purpose.as_str(), recipient],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|id| load(conn, &id)).transpose()
    }
}

fn load(conn: &Connection, id: &str) -> Result<Consent, CaseError> {
    let row = conn
        .query_row(
            "SELECT case_id, version, purpose, recipient, record, recorded_at, withdrawn_at FROM consents WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| CaseError::not_found("consent"))?;
    let (case_id, version, purpose, recipient, record, recorded_at, withdrawn_at) = row;
    let basis: ConsentBasis = from_json(&record)?;
    Ok(Consent {
        id: id.to_owned(),
        case_id,
        version,
        purpose: from_code(&purpose)?,
        recipient,
        is_override: matches!(basis, ConsentBasis::Override { .. }),
        basis,
        recorded_at,
        withdrawn_at,
    })
}
