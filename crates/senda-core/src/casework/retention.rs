//! Retention: a case leaves the device once its work here is done.
//!
//! A case is purged when everything about it that may leave has reached the
//! server (no unsent outbox row that consent lets leave) and it has been quiet
//! for the organisation's retention period: counted from when its last
//! referral closed, or from its last change if it never had one and no
//! referral is still open. Rows held for want of consent never leave, so they
//! go with the case, as do its sync conflicts (which hold field values).

use super::outbox::{MAY_LEAVE, setting};
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
            // Sealed copies of rows already sent (kept past the sync, which has
            // no time to spare; the row's own payload stays until retention).
            tx.execute(
                "DELETE FROM outbox_sealed WHERE op_id IN (SELECT op_id FROM outbox WHERE sent_at IS NOT NULL)",
                [],
            )?;
            let ids: Vec<String> = {
                let mut stmt = tx.prepare(&format!(
                    "SELECT c.id FROM cases c
                     WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.sent_at IS NULL AND {MAY_LEAVE})
                       AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND r.closed_at IS NULL)
                       AND COALESCE((SELECT MAX(r.closed_at) FROM referrals r WHERE r.case_id = c.id), c.updated_at) < ?1",
                ))?;
                stmt.query_map([&cutoff], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            for id in &ids {
                // Conflicts and outbox rows (sent, or held without consent) hold copies
                // of the case's fields: they go too, conflicts first (found through the outbox).
                tx.execute(
                    "DELETE FROM sync_conflicts WHERE entity_id = ?1
                        OR entity_id IN (SELECT entity_id FROM outbox WHERE case_id = ?1)
                        OR op_id IN (SELECT op_id FROM outbox WHERE case_id = ?1)",
                    params![id],
                )?;
                tx.execute(
                    "DELETE FROM outbox_delivery WHERE op_id IN (SELECT op_id FROM outbox WHERE case_id = ?1)",
                    params![id],
                )?;
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

#[cfg(test)]
mod tests {
    use crate::clock::ManualClock;
    use crate::vault::Vault;
    use chrono::{Duration, Utc};
    use senda_protocol::{Conflict, PushResponse};
    use std::sync::Arc;

    struct Desk {
        _dir: tempfile::TempDir,
        vault: Vault,
        clock: Arc<ManualClock>,
    }

    fn desk() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let mut vault = Vault::open_dir(dir.path(), clock.clone())
            .unwrap()
            .with_light_kdf();
        vault.create("Ana", "135790").unwrap();
        Desk {
            _dir: dir,
            vault,
            clock,
        }
    }

    fn open_case(d: &mut Desk) -> String {
        let details =
            serde_json::from_value(serde_json::json!({ "alias": "Luz", "country": "CO" })).unwrap();
        d.vault.casework().unwrap().open_case(details).unwrap().id
    }

    /// The child agreed to share with the organisation (as `record_consent` stores it).
    fn share(d: &mut Desk, case_id: &str) {
        let cw = d.vault.casework().unwrap();
        cw.conn
            .execute(
                "INSERT INTO consents (id, case_id, version, purpose, recipient, record, recorded_at, recorded_by)
                 VALUES ('k-' || ?1, ?1, 1, 'share-with-organisation', 'organisation', '{}', '', '')",
                [case_id],
            )
            .unwrap();
    }

    fn count(d: &mut Desk, sql: &str) -> i64 {
        let cw = d.vault.casework().unwrap();
        cw.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_case_that_never_got_consent_is_purged_with_its_held_rows() {
        let mut d = desk();
        let case = open_case(&mut d);
        {
            let cw = d.vault.casework().unwrap();
            assert_eq!(cw.outbox_counts().unwrap().held, 1);
        }
        d.clock.advance(Duration::days(29));
        assert_eq!(
            d.vault
                .casework()
                .unwrap()
                .purge_expired()
                .unwrap()
                .purged_cases,
            0
        );
        d.clock.advance(Duration::days(2));
        let cw = d.vault.casework().unwrap();
        assert_eq!(cw.purge_expired().unwrap().purged_cases, 1);
        assert!(cw.outbox_for(&case).unwrap().is_empty());
        assert_eq!(cw.outbox_counts().unwrap().unsent, 0);
    }

    #[test]
    fn a_row_that_may_still_leave_keeps_its_case() {
        let mut d = desk();
        let case = open_case(&mut d);
        share(&mut d, &case);
        d.clock.advance(Duration::days(60));
        let cw = d.vault.casework().unwrap();
        assert_eq!(cw.purge_expired().unwrap().purged_cases, 0);
        assert_eq!(cw.outbox_for(&case).unwrap().len(), 1);
        // And the trigger refuses to delete it, whoever asks.
        assert!(cw.conn.execute("DELETE FROM outbox", []).is_err());
    }

    #[test]
    fn exported_rows_the_server_acknowledged_count_as_sent() {
        let mut d = desk();
        let case = open_case(&mut d);
        share(&mut d, &case);
        let ids: Vec<String> = {
            let cw = d.vault.casework().unwrap();
            let ids: Vec<String> = cw
                .outbox_ready(10)
                .unwrap()
                .into_iter()
                .map(|e| e.op_id)
                .collect();
            cw.mark_exported(&ids).unwrap();
            ids
        };
        // The child withdraws consent after the file left on a USB stick.
        d.vault
            .casework()
            .unwrap()
            .conn
            .execute("UPDATE consents SET withdrawn_at = 'x'", [])
            .unwrap();
        let cw = d.vault.casework().unwrap();
        let marked = cw
            .apply_push(&PushResponse {
                stored: ids.clone(),
                stored_all: false,
                high_seq: 1,
                conflicts: vec![],
            })
            .unwrap();
        assert_eq!(marked, ids.len());
        assert_eq!(cw.outbox_counts().unwrap().sent, ids.len() as u64);
    }

    #[test]
    fn conflict_copies_go_with_their_case() {
        let mut d = desk();
        let case = open_case(&mut d);
        share(&mut d, &case);
        {
            let cw = d.vault.casework().unwrap();
            let rows = cw.outbox_ready(10).unwrap();
            let ids: Vec<String> = rows.iter().map(|e| e.op_id.clone()).collect();
            cw.apply_push(&PushResponse {
                stored: ids.clone(),
                stored_all: false,
                high_seq: 1,
                conflicts: vec![Conflict {
                    op_id: ids[0].clone(),
                    entity_id: case.clone(),
                    field: "alias".into(),
                    base_version: 1,
                    theirs: serde_json::json!("Luz María"),
                    ours: serde_json::json!("Luz"),
                    sealed: None,
                }],
            })
            .unwrap();
        }
        assert_eq!(count(&mut d, "SELECT COUNT(*) FROM sync_conflicts"), 1);
        d.clock.advance(Duration::days(31));
        assert_eq!(
            d.vault
                .casework()
                .unwrap()
                .purge_expired()
                .unwrap()
                .purged_cases,
            1
        );
        assert_eq!(count(&mut d, "SELECT COUNT(*) FROM sync_conflicts"), 0);
        assert_eq!(count(&mut d, "SELECT COUNT(*) FROM outbox_delivery"), 0);
    }
}
