//! The audit log: who did what, when. Never case content, only ids.
//!
//! Entries are hash-chained: each stores SHA-256 over the previous entry's
//! hash and its own fields, so editing or removing an entry breaks every
//! hash after it, and a gap in the sequence numbers shows a removal.

use super::VaultError;
use crate::hex;
use chrono::{DateTime, Utc};
use ring::digest::{SHA256, digest};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The `prev_hash` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub staff_id: Option<String>,
    pub action: String,
    pub detail: Option<String>,
}

impl AuditEntry {
    fn hash(&self, prev_hash: &str) -> String {
        // JSON keeps field boundaries unambiguous.
        let fields = serde_json::json!([
            prev_hash,
            self.seq,
            self.at,
            self.staff_id,
            self.action,
            self.detail
        ]);
        hex::encode(digest(&SHA256, fields.to_string().as_bytes()).as_ref())
    }
}

/// Appends an entry to the chain.
pub(crate) fn record(
    conn: &Connection,
    at: DateTime<Utc>,
    staff_id: Option<&str>,
    action: &str,
    detail: Option<&str>,
) -> Result<(), VaultError> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (last_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_owned()));
    let entry = AuditEntry {
        seq: last_seq + 1,
        at: at.to_rfc3339(),
        staff_id: staff_id.map(str::to_owned),
        action: action.to_owned(),
        detail: detail.map(str::to_owned),
    };
    conn.execute(
        "INSERT INTO audit_log (seq, at, staff_id, action, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            entry.seq,
            entry.at,
            entry.staff_id,
            entry.action,
            entry.detail,
            prev_hash,
            entry.hash(&prev_hash)
        ],
    )?;
    Ok(())
}

/// Newest first.
pub(crate) fn recent(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>, VaultError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, staff_id, action, detail FROM audit_log ORDER BY seq DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], entry_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many entries the chain holds and the newest entry's hash (the
/// server keeps both at every sync, so a shortened log shows).
pub(crate) fn head(conn: &Connection) -> Result<(u64, String), VaultError> {
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?;
    let hash: Option<String> = conn
        .query_row(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok((
        u64::try_from(count).unwrap_or(0),
        hash.unwrap_or_else(|| GENESIS.to_owned()),
    ))
}

/// Checks the whole chain. Returns how many entries it holds, or the
/// sequence number of the first entry that was edited or follows a removal.
pub(crate) fn verify(conn: &Connection) -> Result<u64, VaultError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, staff_id, action, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let entry = entry_from_row(r)?;
        let prev: String = r.get(5)?;
        let hash: String = r.get(6)?;
        if entry.seq != expected_seq || prev != expected_prev || entry.hash(&prev) != hash {
            return Err(VaultError::AuditTampered { seq: entry.seq });
        }
        expected_prev = hash;
        expected_seq += 1;
        count += 1;
    }
    Ok(count)
}

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        staff_id: r.get(2)?,
        action: r.get(3)?,
        detail: r.get(4)?,
    })
}

/// Migration hook: chains the entries written before the chain existed.
pub(super) fn chain_existing(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let entries: Vec<AuditEntry> = {
        let mut stmt =
            tx.prepare("SELECT seq, at, staff_id, action, detail FROM audit_log ORDER BY seq")?;
        stmt.query_map([], entry_from_row)?
            .collect::<Result<_, _>>()?
    };
    let mut prev = GENESIS.to_owned();
    for (i, mut entry) in entries.into_iter().enumerate() {
        let old_seq = entry.seq;
        entry.seq = i as i64 + 1;
        let hash = entry.hash(&prev);
        tx.execute(
            "UPDATE audit_log SET seq = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            params![entry.seq, prev, hash, old_seq],
        )?;
        prev = hash;
    }
    Ok(())
}
