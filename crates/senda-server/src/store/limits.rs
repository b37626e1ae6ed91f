//! What one device may cost the server (M10): each op's shape and size, how
//! many of its ops may wait for a base that has not arrived, how long they
//! wait, and how much it may store in all.
//!
//! The decoder already stops a payload past `senda_protocol::bounded`'s
//! limits; here each op is checked against the casework's shape, and the
//! per-device counters are kept in `device_usage` (migration 025) so that a
//! check never scans a device's ops.

use super::sql::Sql;
use super::{Refusal, StoreError};
use senda_protocol::Op;
use serde_json::Value as Json;

/// Per-device limits; [`Default`] is what `senda-server` runs with unless
/// its environment says otherwise (see `config.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Ops of one device stored but not applied (their base has not arrived).
    pub max_parked: i64,
    /// Days an op may wait for its base before it is set aside (kept, no longer retried).
    pub parked_days: i64,
    /// Bytes of payload one device may store on the server.
    pub device_bytes: i64,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            max_parked: 5_000,
            parked_days: 30,
            device_bytes: 256 * 1024 * 1024,
        }
    }
}

/// The largest op, readable and sealed parts together.
pub const MAX_OP_BYTES: usize = 64 * 1024;
/// The largest sealed summary (ciphertext and tag).
pub const MAX_SEALED_VALUE: usize = 16 * 1024 + 16;
/// The longest readable text value (a country, a week, a status, an id).
pub const MAX_PLAIN_TEXT: usize = 200;

/// `applied` of an op that waited past [`Quotas::parked_days`]: kept, never retried.
pub const SET_ASIDE: i64 = 2;

pub(super) fn bad(why: &str) -> StoreError {
    StoreError::Refused(Refusal::BadOperation(why.to_owned()))
}

fn id_like(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

fn hex_of(value: Option<&Json>, min: usize, max: usize) -> bool {
    value
        .and_then(Json::as_str)
        .and_then(senda_protocol::unhex)
        .is_some_and(|b| (min..=max).contains(&b.len()))
}

/// The size of a sealed box's `sender` if it is one the casework makes: the
/// six fields of [`senda_protocol::trust::BoxSender`], each short.
fn sender_size(value: &Json) -> Option<usize> {
    let fields = value.as_object()?;
    let sender: senda_protocol::trust::BoxSender = serde_json::from_value(value.clone()).ok()?;
    let texts = [
        &sender.organisation,
        &sender.device_id,
        &sender.device_key,
        &sender.membership,
        &sender.signature,
    ];
    (fields.len() == 6 && texts.iter().all(|t| t.len() <= MAX_PLAIN_TEXT))
        .then(|| texts.iter().map(|t| t.len()).sum::<usize>() + 8)
}

/// Refuses an op whose shape the casework never makes, or that is too large.
pub fn check_shape(op: &Op) -> Result<(), StoreError> {
    if !matches!(
        op.entity.as_str(),
        "case" | "screening" | "consent" | "referral"
    ) {
        return Err(bad("unknown entity"));
    }
    if !id_like(&op.op_id, 64) || !id_like(&op.entity_id, 64) || !id_like(&op.case_id, 64) {
        return Err(bad("an id is empty, too long or not plain"));
    }
    if !id_like(&op.op, 32) || op.hlc.is_empty() || op.hlc.len() > 64 {
        return Err(bad("bad operation name or clock"));
    }
    if !(0..=i64::from(i32::MAX)).contains(&op.base_version)
        || !(0..=i64::from(i32::MAX)).contains(&op.version)
    {
        return Err(bad("version out of range"));
    }
    let mut size = op.op_id.len() + op.entity_id.len() + op.case_id.len() + op.hlc.len();
    match &op.payload {
        Json::Null => {}
        Json::Object(fields) => {
            for (name, value) in fields {
                size += name.len();
                size += match (op.entity.as_str(), name.as_str(), value) {
                    ("referral", "sealed_summary", Json::Object(sealed)) => {
                        let to = hex_of(sealed.get("to"), 32, 32);
                        let epk = hex_of(sealed.get("epk"), 32, 32);
                        let ct = hex_of(sealed.get("ct"), 16, MAX_SEALED_VALUE);
                        // Who sealed it (keytrust): optional, a signed sender of short text.
                        let sender = sealed.get("sender").map(sender_size);
                        let fields = 3 + usize::from(sender.is_some());
                        if sealed.len() != fields || !to || !epk || !ct || sender == Some(None) {
                            return Err(bad("a sealed summary is not a sealed box"));
                        }
                        sealed
                            .values()
                            .filter_map(Json::as_str)
                            .map(str::len)
                            .sum::<usize>()
                            + sender.flatten().unwrap_or(0)
                    }
                    (_, _, Json::String(text)) if text.len() <= MAX_PLAIN_TEXT => text.len(),
                    (_, _, Json::Null | Json::Bool(_) | Json::Number(_)) => 8,
                    _ => return Err(bad("a readable field is not a short plain value")),
                };
            }
        }
        _ => return Err(bad("the payload is not an object")),
    }
    // The decoder already refused a check, field id, hash or box of the wrong length.
    size += op.sealed.hashes.len()
        * (senda_protocol::fields::FIELD_ID_LEN + senda_protocol::fields::VALUE_HASH_LEN)
        + op.sealed.check.len()
        + op.sealed.ct.len();
    if size > MAX_OP_BYTES {
        return Err(bad("the operation is too large"));
    }
    Ok(())
}

/// Refuses, before any work, a push that would take the device past its
/// quota or its cap of waiting ops, counting every op as new and every op
/// with a base as waiting (a hostile device's over-limit pushes then cost
/// one read, not a rolled-back write). [`charge`] and [`parked_cap`] count
/// exactly afterwards.
pub fn precheck(
    sql: &mut dyn Sql,
    device: &str,
    ops: &[Op],
    bytes: i64,
    quotas: &Quotas,
) -> Result<(), StoreError> {
    let (used, parked) = sql
        .row(
            "SELECT COALESCE((SELECT bytes FROM device_usage WHERE device_id = ?1), 0),
                    (SELECT COUNT(*) FROM ops WHERE device_id = ?1 AND applied = 0)",
            &[device.into()],
        )?
        .map_or((0, 0), |r| (r[0].int(), r[1].int()));
    let may_wait = ops.iter().filter(|o| o.base_version > 0).count() as i64;
    if used + bytes > quotas.device_bytes {
        return Err(StoreError::Refused(Refusal::QuotaExceeded));
    }
    if parked + may_wait > quotas.max_parked {
        return Err(StoreError::Refused(Refusal::TooManyWaiting));
    }
    Ok(())
}

/// Counts what a push stored against the device's quota; past it, the push
/// is refused whole (its transaction rolls back) and nothing is stored.
/// Returns the highest sequence number the server holds for the device,
/// kept beside its usage: reading it from `ops` (a range of an index every
/// push writes) made concurrent pushes fail PostgreSQL's serialisation.
pub fn charge(
    sql: &mut dyn Sql,
    device: &str,
    stored: Stored,
    quotas: &Quotas,
) -> Result<i64, StoreError> {
    if stored.ops == 0 {
        return Ok(sql
            .row(
                "SELECT high_seq FROM device_usage WHERE device_id = ?1",
                &[device.into()],
            )?
            .map_or(0, |r| r[0].int()));
    }
    let (used, high_seq) = sql
        .row(
            "INSERT INTO device_usage (device_id, bytes, ops, high_seq) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (device_id) DO UPDATE SET bytes = device_usage.bytes + excluded.bytes,
               ops = device_usage.ops + excluded.ops,
               high_seq = CASE WHEN excluded.high_seq > device_usage.high_seq
                          THEN excluded.high_seq ELSE device_usage.high_seq END
             RETURNING bytes, high_seq",
            &[
                device.into(),
                stored.bytes.into(),
                stored.ops.into(),
                stored.high_seq.into(),
            ],
        )?
        .map_or((0, 0), |r| (r[0].int(), r[1].int()));
    if used > quotas.device_bytes {
        return Err(StoreError::Refused(Refusal::QuotaExceeded));
    }
    Ok(high_seq)
}

/// What one push newly stored for its device.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    pub bytes: i64,
    pub ops: i64,
    /// The highest sequence number among them.
    pub high_seq: i64,
}

/// After a push is applied: a device may keep only so many ops waiting.
pub fn parked_cap(sql: &mut dyn Sql, device: &str, quotas: &Quotas) -> Result<(), StoreError> {
    let parked = sql
        .row(
            "SELECT COUNT(*) FROM ops WHERE device_id = ?1 AND applied = 0",
            &[device.into()],
        )?
        .map_or(0, |r| r[0].int());
    if parked > quotas.max_parked {
        return Err(StoreError::Refused(Refusal::TooManyWaiting));
    }
    Ok(())
}

fn horizon(now: &str, days: i64) -> String {
    chrono::DateTime::parse_from_rfc3339(now)
        .map(|t| t - chrono::Duration::days(days))
        .map(|t| {
            t.to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        })
        .unwrap_or_default()
}

/// Sets aside one device's ops that waited too long for their base (at its push).
pub fn age_out_device(
    sql: &mut dyn Sql,
    device: &str,
    quotas: &Quotas,
    now: &str,
) -> Result<u64, StoreError> {
    sql.exec(
        "UPDATE ops SET applied = ?1 WHERE device_id = ?2 AND applied = 0 AND received_at < ?3",
        &[
            SET_ASIDE.into(),
            device.into(),
            horizon(now, quotas.parked_days).into(),
        ],
    )
}

/// Sets aside every device's ops that waited too long (hourly, with the retention purge).
pub fn age_out(sql: &mut dyn Sql, quotas: &Quotas, now: &str) -> Result<u64, StoreError> {
    sql.exec(
        "UPDATE ops SET applied = ?1 WHERE applied = 0 AND received_at < ?2",
        &[SET_ASIDE.into(), horizon(now, quotas.parked_days).into()],
    )
}

/// What a device has stored and how many of its ops wait (tests, the console).
pub fn usage(sql: &mut dyn Sql, device: &str) -> Result<(i64, i64, i64), StoreError> {
    let (bytes, ops) = sql
        .row(
            "SELECT bytes, ops FROM device_usage WHERE device_id = ?1",
            &[device.into()],
        )?
        .map_or((0, 0), |r| (r[0].int(), r[1].int()));
    let parked = sql
        .row(
            "SELECT COUNT(*) FROM ops WHERE device_id = ?1 AND applied = 0",
            &[device.into()],
        )?
        .map_or(0, |r| r[0].int());
    Ok((bytes, ops, parked))
}
