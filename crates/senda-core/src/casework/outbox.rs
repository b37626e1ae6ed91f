//! The outbox: every change to a case, screening, consent or referral, in
//! the order it happened, written in the same transaction as the change.
//!
//! Rows are append-only (SQLite triggers refuse edits and the deletion of
//! unsent rows), so a crash, a restart or an update cannot lose one. Sync
//! reads `ready` rows, sends them, and marks them sent.

use super::CaseError;
use crate::hlc::Hlc;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Entity {
    Case,
    Screening,
    Consent,
    Referral,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Screening => "screening",
            Self::Consent => "consent",
            Self::Referral => "referral",
        }
    }
}

/// One change, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxEntry {
    /// Per-device sequence number: the order of changes on this device.
    pub seq: i64,
    /// Unique per operation, so that the server can store each exactly once.
    pub op_id: String,
    pub hlc: String,
    pub device_id: String,
    pub entity: Entity,
    pub entity_id: String,
    pub case_id: String,
    pub op: String,
    /// The entity version this change was made on (0 for a creation).
    pub base_version: i64,
    pub version: i64,
    /// A creation carries the whole record; an update only the fields it changed.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub payload: serde_json::Value,
    pub sent_at: Option<String>,
    /// Unsent and waiting for consent before it may leave.
    #[serde(default)]
    pub held: bool,
    /// Why the last attempt to send it failed (`offline`, or the server's refusal code).
    #[serde(default)]
    pub failure: Option<String>,
    /// When it was last written to a batch file for a USB stick.
    #[serde(default)]
    pub exported_at: Option<String>,
    /// Where it is on its way, for the UI.
    #[serde(default)]
    pub state: DeliveryState,
}

/// One row's state on its way to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DeliveryState {
    /// Ready to leave at the next sync.
    #[default]
    Pending,
    /// Waiting for consent: it stays on the device.
    Held,
    /// The last attempt failed (see `failure`); it leaves at the next sync.
    Failed,
    /// In a batch file; the server's answer at the next sync confirms it.
    Exported,
    Sent,
    /// The server kept part of this change apart: a person must look at it.
    Conflict,
}

impl DeliveryState {
    fn of(sent: bool, held: bool, failed: bool, exported: bool, conflict: bool) -> Self {
        match () {
            _ if conflict => Self::Conflict,
            _ if sent => Self::Sent,
            _ if held => Self::Held,
            _ if failed => Self::Failed,
            _ if exported => Self::Exported,
            _ => Self::Pending,
        }
    }
}

/// An outbox row as it travels in a push.
impl From<OutboxEntry> for senda_protocol::Op {
    fn from(e: OutboxEntry) -> Self {
        Self {
            op_id: e.op_id,
            seq: e.seq,
            hlc: e.hlc,
            entity: e.entity.as_str().to_owned(),
            entity_id: e.entity_id,
            case_id: e.case_id,
            op: e.op,
            base_version: e.base_version,
            version: e.version,
            payload: e.payload,
            // Filled when the op is sealed for sending (sync/sealing.rs).
            sealed: Default::default(),
            sealed_summary: None,
        }
    }
}

/// What a change writes to the outbox.
pub(crate) struct NewOutboxRow<'a> {
    pub entity: Entity,
    pub entity_id: &'a str,
    pub case_id: &'a str,
    pub op: &'a str,
    pub base_version: i64,
    pub payload: serde_json::Value,
}

/// Appends a change. Call inside the transaction that makes the change.
pub(crate) fn append(
    conn: &Connection,
    staff_id: &str,
    now: DateTime<Utc>,
    change: NewOutboxRow<'_>,
) -> Result<i64, CaseError> {
    let last: String = setting(conn, "hlc")?.unwrap_or_default();
    let hlc = Hlc::parse(&last)
        .unwrap_or_default()
        .tick(now.timestamp_millis());
    conn.execute(
        "UPDATE settings SET value = ?1 WHERE key = 'hlc'",
        [hlc.to_string()],
    )?;
    conn.execute(
        "INSERT INTO outbox (op_id, hlc, entity, entity_id, case_id, op, base_version, version, payload, staff_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            crate::vault::record_id(),
            hlc.to_string(),
            change.entity.as_str(),
            change.entity_id,
            change.case_id,
            change.op,
            change.base_version,
            change.base_version + 1,
            change.payload.to_string(),
            staff_id
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn setting(conn: &Connection, key: &str) -> Result<Option<String>, CaseError> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// The columns of an [`OutboxEntry`], `held` computed from the consent gate.
fn select() -> String {
    format!(
        "SELECT o.seq, o.op_id, o.hlc, o.entity, o.entity_id, o.case_id, o.op,
         o.base_version, o.version, o.payload, o.sent_at,
         (o.sent_at IS NULL AND NOT {MAY_LEAVE}), d.failure, d.exported_at,
         EXISTS (SELECT 1 FROM sync_conflicts k WHERE k.op_id = o.op_id AND k.resolved_at IS NULL)
         FROM outbox o LEFT JOIN outbox_delivery d ON d.op_id = o.op_id"
    )
}

/// Whether a row may leave the device now: a withdrawal always may (it must
/// reach the server); anything else only once the child's consent to share
/// with the organisation, or a recorded override, exists and is not withdrawn;
/// a referral's rows also when the consent for that referral exists.
pub(crate) const MAY_LEAVE: &str = "(o.op = 'withdraw'
    OR EXISTS (SELECT 1 FROM consents c WHERE c.case_id = o.case_id
        AND c.purpose = 'share-with-organisation' AND c.withdrawn_at IS NULL)
    OR (o.entity = 'referral' AND EXISTS (
        SELECT 1 FROM referrals r JOIN consents c
            ON c.case_id = r.case_id AND c.purpose = 'referral' AND c.recipient = r.service_id
        WHERE r.id = o.entity_id AND c.withdrawn_at IS NULL)))";

fn entries(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<OutboxEntry>, CaseError> {
    let device_id = setting(conn, "device_id")?.unwrap_or_default();
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| {
        let entity: String = r.get(3)?;
        let payload: String = r.get(9)?;
        let sent_at: Option<String> = r.get(10)?;
        let held: bool = r.get(11)?;
        let failure: Option<String> = r.get(12)?;
        let exported_at: Option<String> = r.get(13)?;
        let conflict: bool = r.get(14)?;
        Ok(OutboxEntry {
            state: DeliveryState::of(
                sent_at.is_some(),
                held,
                failure.is_some(),
                exported_at.is_some(),
                conflict,
            ),
            failure,
            exported_at,
            seq: r.get(0)?,
            op_id: r.get(1)?,
            hlc: r.get(2)?,
            device_id: device_id.clone(),
            entity: serde_json::from_value(serde_json::Value::String(entity))
                .map_err(|e| damaged(3, e))?,
            entity_id: r.get(4)?,
            case_id: r.get(5)?,
            op: r.get(6)?,
            base_version: r.get(7)?,
            version: r.get(8)?,
            payload: serde_json::from_str(&payload).map_err(|e| damaged(9, e))?,
            sent_at,
            held,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A stored row that no longer reads: a typed storage error, never a silent default.
fn damaged(column: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

/// Every unsent row, oldest first (what the UI shows as pending).
pub(crate) fn pending(conn: &Connection, limit: u32) -> Result<Vec<OutboxEntry>, CaseError> {
    entries(
        conn,
        &format!(
            "{} WHERE o.sent_at IS NULL ORDER BY o.seq LIMIT ?1",
            select()
        ),
        &[&limit],
    )
}

/// Every row, sent or not, oldest first (benchmarks and tools).
pub(crate) fn all(conn: &Connection) -> Result<Vec<OutboxEntry>, CaseError> {
    entries(conn, &format!("{} ORDER BY o.seq", select()), &[])
}

/// Unsent rows that may leave the device now, oldest first.
pub(crate) fn ready(conn: &Connection, limit: u32) -> Result<Vec<OutboxEntry>, CaseError> {
    ready_after(conn, limit, i64::MIN)
}

/// Like [`ready`], only rows after `seq` (the last of a batch still on its way).
pub(crate) fn ready_after(
    conn: &Connection,
    limit: u32,
    seq: i64,
) -> Result<Vec<OutboxEntry>, CaseError> {
    entries(
        conn,
        &format!(
            "{} WHERE o.sent_at IS NULL AND o.seq > ?2 AND {MAY_LEAVE} ORDER BY o.seq LIMIT ?1",
            select()
        ),
        &[&limit, &seq],
    )
}

/// A row as sealed when it was written: what it was sealed with
/// (`OrgKeys::sealed_with`: this build's sealing and the organisation key),
/// where its summary went (service and receiver key, if it
/// carries one), and the sealed op as it travels (CBOR).
pub(crate) struct SealedAhead {
    pub sealed_with: String,
    pub service_id: Option<String>,
    pub receiver_key: Option<String>,
    pub op: Vec<u8>,
}

/// A row ready to leave, with its sealed copy if it has one.
pub(crate) struct ReadyRow {
    pub seq: i64,
    pub op_id: String,
    pub sealed: Option<SealedAhead>,
}

/// Like [`ready_after`], reading only each row's sealed copy: what a push
/// sends when the keys it was sealed to are still current.
pub(crate) fn ready_sealed_after(
    conn: &Connection,
    limit: u32,
    seq: i64,
) -> Result<Vec<ReadyRow>, CaseError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.seq, o.op_id, s.sealed_with, s.service_id, s.receiver_key, s.op
         FROM outbox o LEFT JOIN outbox_sealed s ON s.op_id = o.op_id
         WHERE o.sent_at IS NULL AND o.seq > ?2 AND {MAY_LEAVE} ORDER BY o.seq LIMIT ?1"
    ))?;
    let rows = stmt.query_map(params![limit, seq], |r| {
        let sealed_with: Option<String> = r.get(2)?;
        Ok(ReadyRow {
            seq: r.get(0)?,
            op_id: r.get(1)?,
            sealed: match sealed_with {
                Some(sealed_with) => Some(SealedAhead {
                    sealed_with,
                    service_id: r.get(3)?,
                    receiver_key: r.get(4)?,
                    op: r.get(5)?,
                }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Keeps a row's sealed copy (replacing an older one).
pub(crate) fn keep_sealed(
    conn: &Connection,
    op_id: &str,
    sealed: &SealedAhead,
) -> Result<(), CaseError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO outbox_sealed (op_id, sealed_with, service_id, receiver_key, op)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        op_id,
        sealed.sealed_with,
        sealed.service_id,
        sealed.receiver_key,
        sealed.op
    ])?;
    Ok(())
}

/// The rows with these op ids, oldest first.
pub(crate) fn by_ids(conn: &Connection, op_ids: &[String]) -> Result<Vec<OutboxEntry>, CaseError> {
    let ids = serde_json::to_string(op_ids).expect("ids are JSON");
    entries(
        conn,
        &format!(
            "{} WHERE o.op_id IN (SELECT value FROM json_each(?1)) ORDER BY o.seq",
            select()
        ),
        &[&ids],
    )
}

/// The row with this `seq`, if any.
pub(crate) fn by_seq(conn: &Connection, seq: i64) -> Result<Option<OutboxEntry>, CaseError> {
    Ok(entries(conn, &format!("{} WHERE o.seq = ?1", select()), &[&seq])?.pop())
}

pub(crate) fn for_entity(
    conn: &Connection,
    entity_id: &str,
) -> Result<Vec<OutboxEntry>, CaseError> {
    entries(
        conn,
        &format!("{} WHERE o.entity_id = ?1 ORDER BY o.seq", select()),
        &[&entity_id],
    )
}

/// Whether every one of `op_ids` is still unsent and may leave (consent not
/// withdrawn since its batch was sealed).
pub(crate) fn all_ready(conn: &Connection, op_ids: &[String]) -> Result<bool, CaseError> {
    let ids = serde_json::to_string(op_ids).expect("ids are JSON");
    let ready: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM outbox AS o WHERE o.sent_at IS NULL
             AND o.op_id IN (SELECT value FROM json_each(?1)) AND {MAY_LEAVE}"
        ))?
        .query_row([ids], |r| r.get(0))?;
    Ok(ready as usize == op_ids.len())
}

/// Marks rows as stored by the server. Only a row that may leave can be marked.
pub(crate) fn mark_sent(
    conn: &Connection,
    op_ids: &[String],
    now: DateTime<Utc>,
) -> Result<usize, CaseError> {
    // A row the server acknowledged counts as sent if consent lets it leave, or
    // if it already left in a batch file (consent may have been withdrawn since).
    // One statement for the whole acknowledgement, the ids as a JSON array.
    let ids = serde_json::to_string(op_ids).expect("ids are JSON");
    let marked = conn
        .prepare_cached(&format!(
            "UPDATE outbox AS o SET sent_at = ?1 WHERE o.sent_at IS NULL
         AND o.op_id IN (SELECT value FROM json_each(?2))
         AND ({MAY_LEAVE} OR EXISTS (SELECT 1 FROM outbox_delivery d
             WHERE d.op_id = o.op_id AND d.exported_at IS NOT NULL))"
        ))?
        .execute(params![now.to_rfc3339(), ids])?;
    Ok(marked)
}

/// Whether any row may leave now (cheap: the first unsent row that may).
pub(crate) fn any_ready(conn: &Connection) -> Result<bool, CaseError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM outbox o WHERE o.sent_at IS NULL AND {MAY_LEAVE})"
        ))?
        .query_row([], |r| r.get(0))?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxCounts {
    /// Every row not sent yet, held ones included (not `DeliveryState::Pending`,
    /// which is one unsent state among several).
    pub unsent: u64,
    /// Unsent rows that wait for consent before they may leave.
    pub held: u64,
    pub sent: u64,
}

impl OutboxCounts {
    /// Unsent rows that may leave at the next sync.
    pub fn ready(&self) -> u64 {
        self.unsent - self.held
    }
}

/// The statements [`counts`] runs. Each reads an index (`outbox_unsent`, or
/// the smallest one for all rows), never the rows' payloads: a sync counts
/// at its start and end.
fn count_statements() -> [String; 3] {
    [
        "SELECT COUNT(*) FROM outbox".to_owned(),
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL".to_owned(),
        format!("SELECT COUNT(*) FROM outbox o WHERE o.sent_at IS NULL AND {MAY_LEAVE}"),
    ]
}

pub(crate) fn counts(conn: &Connection) -> Result<OutboxCounts, CaseError> {
    let mut n = [0i64; 3];
    for (sql, n) in count_statements().iter().zip(&mut n) {
        *n = conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?;
    }
    let [all, pending, ready] = n;
    Ok(OutboxCounts {
        unsent: pending as u64,
        // Never below zero, should a count ever be read apart from the others.
        held: (pending - ready).max(0) as u64,
        sent: (all - pending).max(0) as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table scan would read every row's payload, sent ones included, and
    /// decrypt every page it sits on.
    #[test]
    fn the_outbox_is_counted_from_indexes_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::vault::vault_migrations()
            .to_latest(&mut conn)
            .unwrap();
        for sql in count_statements() {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([], |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let outbox = plan
                .iter()
                .find(|step| step.starts_with("SCAN o") || step.contains("outbox"))
                .unwrap_or_else(|| panic!("{sql}: {plan:?}"));
            assert!(outbox.contains("COVERING INDEX"), "{sql}: {plan:?}");
        }
    }
}
