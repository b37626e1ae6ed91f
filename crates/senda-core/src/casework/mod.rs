//! Casework at a crossing: case → screening → consent → referral, over
//! several visits, with every change written to the outbox.
//!
//! A [`Casework`] borrows an unlocked vault. Each method is one transaction
//! that writes the change, its outbox row and (for consequential actions)
//! an audit entry together, or nothing at all.

mod cases;
mod consent;
mod error;
mod model;
pub mod outbox;
mod referral;
mod retention;
mod screening;

pub use consent::{
    Consent, ConsentBasis, Explained, NewConsent, OWN_ORGANISATION, OtherConsenter, Purpose,
};
pub use error::CaseError;
pub use model::*;
pub use outbox::{DeliveryState, Entity, OutboxCounts, OutboxEntry};
pub use referral::{
    Proposal, Referral, ReferralActor, ReferralRequest, ReferralSlip, ReferralStatus,
    SharedDetails, SummaryIndicator, TellOnceSummary,
};
pub use retention::PurgeReport;
pub use screening::Screening;

use crate::vault::{StaffMember, audit};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, Transaction};

/// Casework over an unlocked vault, as one staff member, at one moment.
pub struct Casework<'v> {
    pub(crate) conn: &'v Connection,
    staff: &'v StaffMember,
    pub(crate) now: DateTime<Utc>,
}

impl<'v> Casework<'v> {
    pub(crate) fn new(conn: &'v Connection, staff: &'v StaffMember, now: DateTime<Utc>) -> Self {
        Self { conn, staff, now }
    }

    fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    pub(crate) fn now_text(&self) -> String {
        self.now.to_rfc3339()
    }

    /// Runs `f` in one transaction: all of it is saved, or none.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, CaseError>,
    ) -> Result<T, CaseError> {
        let tx = self.conn.unchecked_transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    pub(crate) fn audit(
        &self,
        conn: &Connection,
        action: &str,
        detail: &str,
    ) -> Result<(), CaseError> {
        Ok(audit(
            conn,
            self.now,
            Some(&self.staff.id),
            action,
            Some(detail),
        )?)
    }

    pub(crate) fn outbox(
        &self,
        conn: &Connection,
        change: outbox::NewOutboxRow<'_>,
    ) -> Result<i64, CaseError> {
        let seq = outbox::append(conn, &self.staff.id, self.now, change)?;
        // Sealed now if it can be; a row that cannot (not enrolled yet, a
        // receiver key not verified) is sealed as it leaves, and says why then.
        // An error that rolled the change's transaction back (a full disk)
        // is the change's own: it fails, rather than commit half of it.
        if let Err(e) = self.seal_ahead(seq)
            && conn.is_autocommit()
        {
            return Err(e);
        }
        Ok(seq)
    }

    /// Unsent changes, oldest first.
    pub fn outbox_pending(&self, limit: u32) -> Result<Vec<OutboxEntry>, CaseError> {
        outbox::pending(self.conn, limit)
    }

    /// Unsent changes that may leave the device now (consent recorded), oldest first.
    pub fn outbox_ready(&self, limit: u32) -> Result<Vec<OutboxEntry>, CaseError> {
        outbox::ready(self.conn, limit)
    }

    /// Every change this device recorded, sent or not, oldest first.
    pub fn outbox_for_all(&self) -> Result<Vec<OutboxEntry>, CaseError> {
        outbox::all(self.conn)
    }

    /// The changes recorded for one case, screening, consent or referral.
    pub fn outbox_for(&self, entity_id: &str) -> Result<Vec<OutboxEntry>, CaseError> {
        outbox::for_entity(self.conn, entity_id)
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts, CaseError> {
        outbox::counts(self.conn)
    }

    /// Whether a sync has anything to push now, without counting every row.
    pub fn has_ready(&self) -> Result<bool, CaseError> {
        outbox::any_ready(self.conn)
    }

    /// Called by sync once the server has durably stored these operations.
    pub fn outbox_mark_sent(&self, op_ids: &[String]) -> Result<usize, CaseError> {
        outbox::mark_sent(self.conn, op_ids, self.now)
    }

    /// This device's id in the outbox (random, made when the vault was created).
    pub fn device_id(&self) -> Result<String, CaseError> {
        Ok(outbox::setting(self.conn, "device_id")?.unwrap_or_default())
    }
}

/// JSON for a stored document; our own types always serialise.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("casework types serialise")
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, CaseError> {
    Ok(serde_json::from_str(text)?)
}

/// A stored kebab-case code (status, purpose…) back as its enum.
fn from_code<T: serde::de::DeserializeOwned>(code: &str) -> Result<T, CaseError> {
    Ok(serde_json::from_value(serde_json::Value::String(
        code.to_owned(),
    ))?)
}

/// The ids a one-parameter query returns, in its order (a case's screenings,
/// consents or referrals), each then loaded whole by its module.
fn ids(conn: &Connection, sql: &str, arg: &str) -> Result<Vec<String>, CaseError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt.query_map([arg], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}
