//! Retention: a case leaves the device once its work here is done.
//!
//! A case is purged when everything about it has reached the server (no
//! unsent outbox row) and it has been quiet for the organisation's
//! retention period: counted from when its last referral closed, or from
//! its last change if it never had one and no referral is still open.

use super::outbox::setting;
use super::{CaseError, Casework};
use chrono::Duration;
use rusqlite::params;
use serde::{Deserialize, Serialize};

pub const DEFAULT_RETENTION_DAYS: u32 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeReport {
    pub purged_cases: usize,
}

impl Casework<'_> {
    pub fn retention_days(&self) -> Result<u32, CaseError> {
        // Set by the organisation on its server (sync/device.rs, apply_pull), it wins.
        if let Some(days) =
            setting(self.conn, "server_retention_days")?.and_then(|v| v.parse().ok())
        {
            return Ok(days);
        }
        Ok(setting(self.conn, "retention_days")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_RETENTION_DAYS))
    }

    /// Sets the organisation's retention period (1 to 365 days).
    pub fn set_retention_days(&self, days: u32) -> Result<(), CaseError> {
        if !(1..=365).contains(&days) {
            return Err(CaseError::InvalidField {
                field: "retention_days".into(),
            });
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE settings SET value = ?1 WHERE key = 'retention_days'",
                [days.to_string()],
            )?;
            self.audit(tx, "retention-changed", &days.to_string())
        })
    }

    /// Deletes the cases whose retention period has passed, with an audit entry each.
    pub fn purge_expired(&self) -> Result<PurgeReport, CaseError> {
        let cutoff = (self.now - Duration::days(self.retention_days()?.into())).to_rfc3339();
        self.write(|tx| {
            let ids: Vec<String> = {
                let mut stmt = tx.prepare(
                    "SELECT c.id FROM cases c
                     WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.sent_at IS NULL)
                       AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND r.closed_at IS NULL)
                       AND COALESCE((SELECT MAX(r.closed_at) FROM referrals r WHERE r.case_id = c.id), c.updated_at) < ?1",
                )?;
                stmt.query_map([&cutoff], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            for id in &ids {
                // Sent outbox rows hold copies of the case: they go too.
                tx.execute("DELETE FROM outbox WHERE case_id = ?1", params![id])?;
                tx.execute("DELETE FROM cases WHERE id = ?1", params![id])?;
                self.audit(tx, "case-purged", id)?;
            }
            Ok(PurgeReport {
                purged_cases: ids.len(),
            })
        })
    }
}
