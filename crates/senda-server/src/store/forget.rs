//! What the server forgets, and when (H4, M7).
//!
//! - Consent to keep the case on the server (`share-with-organisation`) is
//!   withdrawn: every sealed value of the case (in its operations, records and
//!   conflicts) is dropped; only the readable routing and statistics fields
//!   stay. Later operations of the case are kept without their sealed values.
//! - A referral is withdrawn or revoked: its sealed values and its sealed
//!   summary are dropped, for the receiver too.
//! - An organisation's retention period (`admin set-retention`) passes for a
//!   case: everything of the case goes. Its id stays as a tombstone, so a
//!   device that syncs an old copy later is told "stored" and nothing returns.

use super::StoreError;
use super::sql::Sql;
use serde_json::{Map, Value as Json};

use super::logic::{SEALED, SEALED_SUMMARY};

pub const MAX_RETENTION_DAYS: u32 = 365;

/// Why something is forgotten; `kind` says what the id is.
const PURGED: &str = "purged";
const CONSENT_WITHDRAWN: &str = "consent-withdrawn";
const REFERRAL_ENDED: &str = "referral-ended";

/// A payload or record's fields without anything sealed (and, for an ended
/// referral, without its sealed summary).
fn without_sealed(value: &Json, summary_too: bool) -> Json {
    let Some(object) = value.as_object() else {
        return value.clone();
    };
    let kept: Map<String, Json> = object
        .iter()
        .filter(|(k, v)| {
            k.as_str() != SEALED
                && v.get(SEALED).is_none()
                && !(summary_too && k.as_str() == SEALED_SUMMARY)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Json::Object(kept)
}

/// What of each arriving operation the server keeps: `None` to acknowledge
/// it without storing (its case was purged), else its payload, stripped when
/// its case or referral was forgotten. One query for the whole push.
pub(super) fn kept(
    sql: &mut dyn Sql,
    ops: &[&senda_protocol::Op],
    payloads: Vec<Json>,
) -> Result<Vec<Option<Json>>, StoreError> {
    let mut ids: Vec<&str> = ops.iter().map(|op| op.case_id.as_str()).collect();
    ids.extend(
        ops.iter()
            .filter(|op| op.entity == "referral")
            .map(|op| op.entity_id.as_str()),
    );
    ids.sort_unstable();
    ids.dedup();
    let mut reasons = std::collections::HashMap::new();
    for chunk in ids.chunks(400) {
        let params: Vec<super::sql::Value> = chunk.iter().map(|id| (*id).into()).collect();
        for r in sql.rows(
            &format!(
                "SELECT id, reason FROM forgotten WHERE id IN ({})",
                super::logic::placeholders(1, chunk.len())
            ),
            &params,
        )? {
            reasons.insert(r[0].text(), r[1].text());
        }
    }
    Ok(ops
        .iter()
        .zip(payloads)
        .map(
            |(op, payload)| match reasons.get(&op.case_id).map(String::as_str) {
                Some(PURGED) => None,
                Some(_) => Some(without_sealed(&payload, false)),
                None if op.entity == "referral" && reasons.contains_key(&op.entity_id) => {
                    Some(without_sealed(&payload, true))
                }
                None => Some(payload),
            },
        )
        .collect())
}

/// After a push: forgets what the pushed operations withdrew or ended, of
/// the pushing organisation's own records only (another organisation's
/// device may know a referral's id; it can never make the server forget it).
pub(super) fn after_push(
    sql: &mut dyn Sql,
    organisation: &str,
    ops: &[senda_protocol::Op],
    now: &str,
) -> Result<(), StoreError> {
    // Each case and referral once, however many ops of the push end it.
    let mut done = std::collections::HashSet::new();
    for op in ops {
        if op.entity == "consent" && op.op == "withdraw" {
            // The case is the consent record's own (`apply` refused a push naming another).
            let consent = sql.row(
                "SELECT fields, case_id FROM entities WHERE id = ?1 AND organisation_id = ?2",
                &[op.entity_id.clone().into(), organisation.into()],
            )?;
            if let Some(r) = consent {
                let purpose = serde_json::from_str::<Json>(&r[0].text())
                    .ok()
                    .and_then(|f| f.get("purpose").and_then(Json::as_str).map(str::to_owned));
                let case_id = r[1].text();
                if purpose.as_deref() == Some("share-with-organisation")
                    && done.insert(case_id.clone())
                {
                    forget_case(sql, &case_id, organisation, now)?;
                }
            }
        }
        let ended = op
            .payload
            .get("status")
            .and_then(Json::as_str)
            .is_some_and(|s| s == "withdrawn" || s == "revoked");
        if op.entity == "referral"
            && ended
            && !done.contains(&op.entity_id)
            && !others(sql, organisation, &op.entity_id)?
        {
            done.insert(op.entity_id.clone());
            forget_referral(sql, &op.entity_id, organisation, now)?;
        }
    }
    Ok(())
}

/// Whether record `id` is another organisation's than `organisation` (a
/// record not held yet is no one's: its end still counts when it arrives first).
fn others(sql: &mut dyn Sql, organisation: &str, id: &str) -> Result<bool, StoreError> {
    Ok(sql
        .row(
            "SELECT 1 FROM entities WHERE id = ?1 AND organisation_id <> ?2",
            &[id.into(), organisation.into()],
        )?
        .is_some())
}

fn tombstone(
    sql: &mut dyn Sql,
    id: &str,
    kind: &str,
    organisation: &str,
    reason: &str,
    now: &str,
) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO forgotten (id, kind, organisation_id, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, at = excluded.at",
        &[
            id.into(),
            kind.into(),
            organisation.into(),
            reason.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// Rewrites each JSON column of the rows `select` finds (id, json) with `f`.
fn rewrite(
    sql: &mut dyn Sql,
    select: &str,
    update: &str,
    param: &str,
    f: impl Fn(&Json) -> Json,
) -> Result<(), StoreError> {
    for row in sql.rows(select, &[param.into()])? {
        let value: Json = serde_json::from_str(&row[1].text()).unwrap_or(Json::Null);
        let stripped = f(&value);
        if stripped != value {
            sql.exec(update, &[stripped.to_string().into(), row[0].clone()])?;
        }
    }
    Ok(())
}

fn forget_case(
    sql: &mut dyn Sql,
    case_id: &str,
    organisation: &str,
    now: &str,
) -> Result<(), StoreError> {
    strip(sql, "case_id", case_id, false)?;
    tombstone(sql, case_id, "case", organisation, CONSENT_WITHDRAWN, now)
}

fn forget_referral(
    sql: &mut dyn Sql,
    referral_id: &str,
    organisation: &str,
    now: &str,
) -> Result<(), StoreError> {
    strip(sql, "entity_id", referral_id, true)?;
    sql.exec(
        "UPDATE referrals SET summary = 'null' WHERE id = ?1 AND sender_org = ?2",
        &[referral_id.into(), organisation.into()],
    )?;
    tombstone(
        sql,
        referral_id,
        "referral",
        organisation,
        REFERRAL_ENDED,
        now,
    )
}

/// Drops sealed values from the ops, records and conflicts where `column` is `id`.
fn strip(sql: &mut dyn Sql, column: &str, id: &str, summary_too: bool) -> Result<(), StoreError> {
    let (ops, entities) = match column {
        "case_id" => ("case_id", "case_id"),
        _ => ("entity_id", "id"),
    };
    rewrite(
        sql,
        &format!("SELECT op_id, payload FROM ops WHERE {ops} = ?1"),
        "UPDATE ops SET payload = ?1 WHERE op_id = ?2",
        id,
        |v| without_sealed(v, summary_too),
    )?;
    rewrite(
        sql,
        &format!("SELECT id, fields FROM entities WHERE {entities} = ?1"),
        "UPDATE entities SET fields = ?1 WHERE id = ?2",
        id,
        |v| without_sealed(v, summary_too),
    )?;
    sql.exec(
        &format!(
            "UPDATE conflicts SET theirs = 'null', ours = 'null'
             WHERE entity_id IN (SELECT id FROM entities WHERE {entities} = ?1)"
        ),
        &[id.into()],
    )?;
    Ok(())
}

/// Sets an organisation's retention period on the server (1 to 365 days).
pub fn set_retention(sql: &mut dyn Sql, organisation: &str, days: u32) -> Result<(), StoreError> {
    if !(1..=MAX_RETENTION_DAYS).contains(&days) {
        return Err(super::logic::refused(super::Refusal::BadRetention));
    }
    super::logic::ensure_organisation(sql, organisation)?;
    sql.exec(
        "UPDATE organisations SET retention_days = ?1 WHERE id = ?2",
        &[i64::from(days).into(), organisation.into()],
    )?;
    Ok(())
}

pub fn retention_of(sql: &mut dyn Sql, organisation: &str) -> Result<Option<u32>, StoreError> {
    Ok(sql
        .row(
            "SELECT retention_days FROM organisations WHERE id = ?1",
            &[organisation.into()],
        )?
        .and_then(|r| r[0].opt_text())
        .and_then(|d| d.parse().ok()))
}

/// Purges every case whose organisation's retention period has passed since
/// its last change, with no referral of it still open; returns how many.
pub fn purge_expired(
    sql: &mut dyn Sql,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, StoreError> {
    // It grows with the database: it must not stop at the limit set for requests.
    sql.without_statement_timeout()?;
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut purged = 0;
    for org in sql.rows(
        "SELECT id, retention_days FROM organisations WHERE retention_days IS NOT NULL",
        &[],
    )? {
        let (organisation, days) = (org[0].text(), org[1].int());
        let cutoff = (now - chrono::Duration::days(days))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let cases = sql.rows(
            "SELECT e.case_id FROM entities e WHERE e.organisation_id = ?1
             GROUP BY e.case_id
             HAVING (SELECT MAX(o.received_at) FROM ops o WHERE o.case_id = e.case_id) < ?2
                AND COALESCE((SELECT MAX(r.updated_at) FROM referrals r JOIN entities re ON re.id = r.id
                              WHERE re.case_id = e.case_id), '') < ?2
                AND NOT EXISTS (SELECT 1 FROM referrals r JOIN entities re ON re.id = r.id
                                WHERE re.case_id = e.case_id
                                AND r.status NOT IN ('closed', 'withdrawn', 'revoked'))",
            &[organisation.clone().into(), cutoff.into()],
        )?;
        for case in cases {
            let case_id = case[0].text();
            super::counts::forget_case(sql, &case_id)?;
            sql.exec(
                "DELETE FROM conflicts WHERE entity_id IN (SELECT id FROM entities WHERE case_id = ?1)",
                &[case_id.clone().into()],
            )?;
            sql.exec(
                "DELETE FROM referrals WHERE id IN (SELECT id FROM entities WHERE case_id = ?1)",
                &[case_id.clone().into()],
            )?;
            sql.exec(
                "DELETE FROM entities WHERE case_id = ?1",
                &[case_id.clone().into()],
            )?;
            sql.exec(
                "DELETE FROM ops WHERE case_id = ?1",
                &[case_id.clone().into()],
            )?;
            tombstone(sql, &case_id, "case", &organisation, PURGED, &stamp)?;
            purged += 1;
        }
    }
    Ok(purged)
}

/// How many stored things still hold a sealed value of the case or referral
/// `id` (its ops, its records, a referral's summary): for tests and audits.
pub fn sealed_held_for(sql: &mut dyn Sql, id: &str) -> Result<i64, StoreError> {
    let count = |sql: &mut dyn Sql, q: &str| -> Result<i64, StoreError> {
        Ok(sql.row(q, &[id.into()])?.map_or(0, |r| r[0].int()))
    };
    let sealed = format!("(payload LIKE '%{SEALED}%' OR payload LIKE '%{SEALED_SUMMARY}%')");
    let ops = count(
        sql,
        &format!("SELECT COUNT(*) FROM ops WHERE (case_id = ?1 OR entity_id = ?1) AND {sealed}"),
    )?;
    let records = count(
        sql,
        &format!(
            "SELECT COUNT(*) FROM entities WHERE (case_id = ?1 OR id = ?1) AND {}",
            sealed.replace("payload", "fields")
        ),
    )?;
    let summaries = count(
        sql,
        "SELECT COUNT(*) FROM referrals r WHERE r.summary <> 'null'
         AND (r.id = ?1 OR r.id IN (SELECT id FROM entities WHERE case_id = ?1))",
    )?;
    Ok(ops + records + summaries)
}
