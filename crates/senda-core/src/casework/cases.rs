//! Opening, editing and listing cases.

use super::outbox::{Entity, NewOutboxRow};
use super::{
    Case, CaseDetails, CaseError, CaseFlags, CaseNotes, CaseSummary, Casework, from_json, to_json,
};
use crate::checklist::RiskLevel;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

/// Follow-up dates still open for a case: its own, and those of open referrals.
const FOLLOW_UPS: &str = "(SELECT group_concat(follow_up) FROM referrals r
    WHERE r.case_id = c.id AND r.closed_at IS NULL AND r.follow_up IS NOT NULL)";

impl Casework<'_> {
    /// Opens a case with the least data that serves.
    pub fn open_case(&self, details: CaseDetails) -> Result<Case, CaseError> {
        let details = details.validated(self.today())?;
        let id = crate::vault::record_id();
        let notes = CaseNotes::default();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO cases (id, version, details, notes, created_at, created_by, updated_at)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?4)",
                params![id, to_json(&details), to_json(&notes), self.now_text(), self.staff.id],
            )?;
            self.outbox(
                tx,
                NewOutboxRow {
                    entity: Entity::Case,
                    entity_id: &id,
                    case_id: &id,
                    op: "create",
                    base_version: 0,
                    payload: json!({ "details": details, "notes": notes }),
                },
            )?;
            self.audit(tx, "case-opened", &id)?;
            self.load_case(tx, &id)
        })
    }

    /// Replaces a case's details; the outbox carries only the fields that changed.
    pub fn update_case(&self, id: &str, details: CaseDetails) -> Result<Case, CaseError> {
        let details = details.validated(self.today())?;
        self.update_part(id, "details", json!(details), |c| json!(c.details))
    }

    /// Sets the case's short, practical notes (needs, next steps, follow-up date).
    pub fn set_notes(&self, id: &str, notes: CaseNotes) -> Result<Case, CaseError> {
        let notes = notes.validated()?;
        self.update_part(id, "notes", json!(notes), |c| json!(c.notes))
    }

    /// Replaces one part of a case (a column holding JSON) and records the
    /// fields that changed; nothing at all when none did.
    fn update_part(
        &self,
        id: &str,
        part: &'static str,
        new: Value,
        old_part: impl Fn(&Case) -> Value,
    ) -> Result<Case, CaseError> {
        self.write(|tx| {
            let old = self.load_case(tx, id)?;
            let changed = changed_fields(&old_part(&old), &new);
            if changed.is_empty() {
                return Ok(old);
            }
            self.bump_case(tx, &old, part, &new.to_string())?;
            self.outbox(
                tx,
                NewOutboxRow {
                    entity: Entity::Case,
                    entity_id: id,
                    case_id: id,
                    op: "update",
                    base_version: old.version,
                    payload: json!({ part: changed }),
                },
            )?;
            self.load_case(tx, id)
        })
    }

    pub fn case(&self, id: &str) -> Result<Case, CaseError> {
        self.load_case(self.conn, id)
    }

    /// Every case on the device, most recently changed first.
    pub fn cases(&self) -> Result<Vec<CaseSummary>, CaseError> {
        let today = self.today();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT c.id, c.details, c.notes, c.latest_level, c.updated_at, {FOLLOW_UPS}
             FROM cases c ORDER BY c.updated_at DESC"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, details, notes, level, updated_at, follow_ups) = row?;
            let details: CaseDetails = from_json(&details)?;
            let notes: CaseNotes = from_json(&notes)?;
            out.push(CaseSummary {
                flags: flags(&details, &notes, follow_ups.as_deref(), today),
                id,
                alias: details.alias.clone(),
                age: details.age_on(today),
                country: details.country.clone(),
                latest_level: parse_level(level.as_deref()),
                updated_at,
            });
        }
        Ok(out)
    }

    pub(super) fn load_case(&self, conn: &Connection, id: &str) -> Result<Case, CaseError> {
        let row = conn
            .query_row(
                &format!(
                    "SELECT c.version, c.details, c.notes, c.latest_level, c.created_at, c.updated_at, {FOLLOW_UPS}
                     FROM cases c WHERE c.id = ?1"
                ),
                [id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| CaseError::not_found("case"))?;
        let (version, details, notes, level, created_at, updated_at, follow_ups) = row;
        let details: CaseDetails = from_json(&details)?;
        let notes: CaseNotes = from_json(&notes)?;
        Ok(Case {
            flags: flags(&details, &notes, follow_ups.as_deref(), self.today()),
            id: id.to_owned(),
            version,
            details,
            notes,
            latest_level: parse_level(level.as_deref()),
            created_at,
            updated_at,
        })
    }

    fn bump_case(
        &self,
        tx: &Connection,
        old: &Case,
        column: &str,
        value: &str,
    ) -> Result<(), CaseError> {
        // `column` is one of ours, never user input.
        tx.execute(
            &format!("UPDATE cases SET {column} = ?1, version = version + 1, updated_at = ?2 WHERE id = ?3"),
            params![value, self.now_text(), old.id],
        )?;
        Ok(())
    }

    /// Marks a case as changed by a screening, consent or referral (list order).
    pub(super) fn touch_case(&self, tx: &Connection, id: &str) -> Result<(), CaseError> {
        tx.execute(
            "UPDATE cases SET updated_at = ?1 WHERE id = ?2",
            params![self.now_text(), id],
        )?;
        Ok(())
    }
}

fn flags(
    details: &CaseDetails,
    notes: &CaseNotes,
    referral_follow_ups: Option<&str>,
    today: NaiveDate,
) -> CaseFlags {
    let mut dates: Vec<NaiveDate> = referral_follow_ups
        .unwrap_or_default()
        .split(',')
        .filter_map(|d| d.parse().ok())
        .collect();
    dates.extend(notes.follow_up);
    CaseFlags::compute(details, &dates, today)
}

pub(super) fn parse_level(level: Option<&str>) -> Option<RiskLevel> {
    level.and_then(|l| serde_json::from_value(Value::String(l.to_owned())).ok())
}

/// The top-level fields of `new` that differ from `old`.
fn changed_fields(old: &Value, new: &Value) -> Map<String, Value> {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return Map::new();
    };
    new.iter()
        .filter(|(k, v)| old.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
