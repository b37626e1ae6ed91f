//! The server's rules, written once over [`Sql`] for both backends.

use super::sql::{self as col, Sql, Value};
use super::{Refusal, StoreError};
use ring::digest::{SHA256, digest};
use senda_protocol::{
    BoxSecret, Change, ChangeKind, Conflict, Op, PullResponse, PushResponse, ReferralActor,
    ReferralStatus, SealedConflict, SealedFields, hex,
};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: String,
    pub organisation: String,
    pub team: String,
    pub public_key: String,
    pub revoked: bool,
    /// Retired (M4): it may still push, then it is told to wipe.
    pub retiring: bool,
}

pub(super) fn refused(r: Refusal) -> StoreError {
    StoreError::Refused(r)
}

pub fn random_code() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 10];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .expect("system randomness");
    // Crockford's base 32: no look-alike characters, easy to read out.
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    b.iter()
        .map(|x| ALPHABET[(x & 31) as usize] as char)
        .collect()
}

pub(super) fn random_id() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .expect("system randomness");
    hex(&b)
}

pub(super) fn code_hash(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    hex(digest(&SHA256, normalised.as_bytes()).as_ref())
}

pub fn create_organisation(
    sql: &mut dyn Sql,
    name: &str,
    now: &str,
) -> Result<Organisation, StoreError> {
    let id = random_id();
    sql.exec(
        "INSERT INTO organisations (id, name, created_at) VALUES (?1, ?2, ?3)",
        &[id.clone().into(), name.into(), now.into()],
    )?;
    Ok(Organisation {
        id,
        name: name.to_owned(),
    })
}

pub(super) fn ensure_organisation(sql: &mut dyn Sql, organisation: &str) -> Result<(), StoreError> {
    match sql.row(
        "SELECT id FROM organisations WHERE id = ?1",
        &[organisation.into()],
    )? {
        Some(_) => Ok(()),
        None => Err(refused(Refusal::NoSuchOrganisation)),
    }
}

pub fn create_enrolment_code(
    sql: &mut dyn Sql,
    organisation: &str,
    team: &str,
    code: &str,
    days: i64,
    now: &str,
) -> Result<(), StoreError> {
    ensure_organisation(sql, organisation)?;
    let expires = chrono::DateTime::parse_from_rfc3339(now)
        .map(|t| t + chrono::Duration::days(days))
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    sql.exec(
        "INSERT INTO enrolment_codes (code_hash, organisation_id, team, expires_at) VALUES (?1, ?2, ?3, ?4)",
        &[code_hash(code).into(), organisation.into(), team.into(), expires.into()],
    )?;
    Ok(())
}

pub fn enrol(
    sql: &mut dyn Sql,
    code: &str,
    public_key: &str,
    box_key: &str,
    name: &str,
    now: &str,
) -> Result<Device, StoreError> {
    let Some(row) = sql.row(
        "SELECT organisation_id, team FROM enrolment_codes
         WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
        &[code_hash(code).into(), now.into()],
    )?
    else {
        return Err(refused(Refusal::BadEnrolmentCode));
    };
    let (organisation, team) = (row[0].text(), row[1].text());
    // A low-order box key would make every grant sealed to it readable (L4).
    super::keys::valid_box_key(box_key)?;
    if sql
        .row(
            "SELECT id FROM devices WHERE public_key = ?1",
            &[public_key.into()],
        )?
        .is_some()
    {
        return Err(refused(Refusal::KeyInUse));
    }
    // Taken only if still unused: of two enrolments racing for one code, one wins.
    if sql.exec(
        "UPDATE enrolment_codes SET used_at = ?1 WHERE code_hash = ?2 AND used_at IS NULL",
        &[now.into(), code_hash(code).into()],
    )? != 1
    {
        return Err(refused(Refusal::BadEnrolmentCode));
    }
    let id = random_id();
    sql.exec(
        "INSERT INTO devices (id, organisation_id, team, name, public_key, enrolled_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            id.clone().into(),
            organisation.clone().into(),
            team.clone().into(),
            name.into(),
            public_key.into(),
            now.into(),
        ],
    )?;
    super::staff::claim_device(sql, code, &id)?;
    sql.exec(
        "INSERT INTO device_box_keys (device_id, public_key) VALUES (?1, ?2)",
        &[id.clone().into(), box_key.into()],
    )?;
    Ok(Device {
        id,
        organisation,
        team,
        public_key: public_key.to_owned(),
        revoked: false,
        retiring: false,
    })
}

pub fn device(sql: &mut dyn Sql, id: &str) -> Result<Option<Device>, StoreError> {
    Ok(sql
        .row(
            "SELECT id, organisation_id, team, public_key, revoked_at, retire_requested_at
             FROM devices WHERE id = ?1",
            &[id.into()],
        )?
        .map(|r| Device {
            id: r[0].text(),
            organisation: r[1].text(),
            team: r[2].text(),
            public_key: r[3].text(),
            revoked: r[4] != Value::Null,
            retiring: r[5] != Value::Null,
        }))
}

pub fn revoke_device(sql: &mut dyn Sql, id: &str, now: &str) -> Result<bool, StoreError> {
    Ok(sql.exec(
        "UPDATE devices SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
        &[now.into(), id.into()],
    )? == 1)
}

pub fn use_nonce(
    sql: &mut dyn Sql,
    device: &str,
    nonce: &str,
    now: &str,
) -> Result<bool, StoreError> {
    // Nonces older than the allowed clock skew can no longer be replayed (their time is refused).
    let horizon = chrono::DateTime::parse_from_rfc3339(now)
        .map(|t| t - chrono::Duration::seconds(2 * senda_protocol::MAX_CLOCK_SKEW_SECS))
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    sql.exec(
        "DELETE FROM nonces WHERE device_id = ?1 AND seen_at < ?2",
        &[device.into(), horizon.into()],
    )?;
    Ok(sql.exec(
        "INSERT INTO nonces (device_id, nonce, seen_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        &[device.into(), nonce.into(), now.into()],
    )? == 1)
}

/// Stores a device's operations exactly once, then applies every stored,
/// not yet applied one whose base version has arrived (so batches may come
/// in any order and any number of times).
///
/// A push costs a handful of statements whatever its size (ops inserted,
/// records read, records written, conflicts kept, ops marked applied: one
/// multi-row statement each), so a round trip to PostgreSQL is paid per
/// push, not per operation. `ops` passed [`check_push`] (`Repo::push`
/// checks before it takes any lock, not again on each retry).
pub fn push(
    sql: &mut dyn Sql,
    device: &Device,
    ops: &[Op],
    quotas: &super::limits::Quotas,
    now: &str,
) -> Result<PushResponse, StoreError> {
    super::limits::age_out_device(sql, &device.id, quotas, now)?;
    let mut ordered: Vec<&Op> = ops.iter().collect();
    ordered.sort_by_key(|o| o.seq);
    // What was forgotten stays forgotten (forget.rs).
    let payloads: Vec<Json> = ordered.iter().map(|op| stored_payload(op)).collect();
    let kept = super::forget::kept(sql, &ordered, payloads)?;
    // Each payload as stored, serialised once: its length is what the quota counts.
    let rows: Vec<(&Op, &Json, String)> = ordered
        .iter()
        .zip(&kept)
        .filter_map(|(op, payload)| {
            let payload = payload.as_ref()?;
            Some((*op, payload, payload.to_string()))
        })
        .collect();
    let bytes = rows.iter().map(|(_, _, text)| text.len() as i64).sum();
    super::limits::precheck(sql, &device.id, ops, bytes, quotas)?;
    let (inserted, bytes) = insert_ops(sql, device, &rows, now)?;
    let high_seq = super::limits::charge(
        sql,
        &device.id,
        super::limits::Stored {
            bytes,
            ops: inserted.len() as i64,
            high_seq: rows
                .iter()
                .filter(|(op, _, _)| inserted.contains(&op.op_id))
                .map(|(op, _, _)| op.seq)
                .max()
                .unwrap_or(0),
        },
        quotas,
    )?;
    // An op already held counts as stored only if this device sent it.
    let held: Vec<&str> = rows
        .iter()
        .map(|(op, _, _)| op.op_id.as_str())
        .filter(|id| !inserted.contains(*id))
        .collect();
    let mut ours = HashSet::new();
    for chunk in held.chunks(CHUNK) {
        let mut params: Vec<Value> = vec![device.id.clone().into()];
        params.extend(chunk.iter().map(|id| Value::from(*id)));
        for r in sql.rows(
            &format!(
                "SELECT op_id FROM ops WHERE device_id = ?1 AND op_id IN ({})",
                placeholders(2, chunk.len())
            ),
            &params,
        )? {
            ours.insert(r[0].text());
        }
    }
    let stored: Vec<String> = ordered
        .iter()
        .zip(&kept)
        .filter(|(op, payload)| {
            payload.is_none() || inserted.contains(&op.op_id) || ours.contains(&op.op_id)
        })
        .map(|(op, _)| op.op_id.clone())
        .collect();
    let mut fresh = Vec::new();
    let mut seen = HashSet::new();
    for (op, payload, _) in &rows {
        if inserted.contains(&op.op_id) && seen.insert(op.op_id.as_str()) {
            fresh.push(Pending {
                op_id: op.op_id.clone(),
                owner: device.id.clone(),
                seq: op.seq,
                entity: op.entity.clone(),
                entity_id: op.entity_id.clone(),
                case_id: op.case_id.clone(),
                base_version: op.base_version,
                payload: (*payload).clone(),
                hashes: Some(op.sealed.hashes.clone()),
                fresh: true,
            });
        }
    }
    let touched: HashSet<&str> = ops.iter().map(|o| o.entity_id.as_str()).collect();
    let conflicts = apply_pending(sql, device, &touched, fresh, now)?;
    super::limits::parked_cap(sql, &device.id, quotas)?;
    super::forget::after_push(sql, &device.organisation, ops, now)?;
    Ok(PushResponse {
        stored,
        stored_all: false,
        high_seq,
        conflicts,
    })
}

/// Rows per multi-row statement: well under SQLite's and PostgreSQL's
/// parameter limits (13 columns × 100 rows).
const CHUNK: usize = 100;

/// `?start, ?start+1, …` for `n` parameters.
pub(super) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(?1, ?2), (?3, ?4)` for `rows` rows of `width` parameters.
fn value_rows(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(1 + r * width, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores the ops not held yet, marked applied; returns the ids newly stored
/// and their payloads' bytes (what the device's quota is charged).
///
/// Marked applied because nearly every op applies at once: only one that
/// must wait for its base is marked again (`apply_pending`), so the common
/// push never writes into the waiting ops' indexes, which every push reads.
/// Under PostgreSQL's SERIALIZABLE, whose read locks cover index pages, those
/// writes made concurrent pushes fail each other (docs/benchmarks.md).
fn insert_ops(
    sql: &mut dyn Sql,
    device: &Device,
    rows: &[(&Op, &Json, String)],
    now: &str,
) -> Result<(HashSet<String>, i64), StoreError> {
    let mut inserted = HashSet::new();
    let mut sizes = HashMap::new();
    for chunk in rows.chunks(CHUNK) {
        let mut params = Vec::with_capacity(chunk.len() * 13);
        for (op, _, payload) in chunk {
            sizes.insert(op.op_id.as_str(), payload.len() as i64);
            params.extend([
                op.op_id.clone().into(),
                device.id.clone().into(),
                op.seq.into(),
                op.hlc.clone().into(),
                op.entity.clone().into(),
                op.entity_id.clone().into(),
                op.case_id.clone().into(),
                op.op.clone().into(),
                op.base_version.into(),
                op.version.into(),
                payload.as_str().into(),
                now.into(),
                1i64.into(),
            ]);
        }
        for r in sql.rows(
            &format!(
                "INSERT INTO ops (op_id, device_id, seq, hlc, entity, entity_id, case_id, op, base_version, version, payload, received_at, applied)
                 VALUES {} ON CONFLICT DO NOTHING RETURNING op_id",
                value_rows(chunk.len(), 13)
            ),
            &params,
        )? {
            inserted.insert(r[0].text());
        }
    }
    let bytes = inserted
        .iter()
        .filter_map(|id| sizes.get(id.as_str()))
        .sum();
    Ok((inserted, bytes))
}

/// Key of the sealed part inside a stored payload, record field or conflict
/// side (plain field names never start with `$`; `forget.rs` drops every
/// value under it).
pub(super) const SEALED: &str = "$sealed";

/// Key of a referral's sealed summary inside a stored payload.
pub(super) const SEALED_SUMMARY: &str = "sealed_summary";

/// The server keeps only what it may read: an op carrying any other field
/// readable (an outdated or faulty device) is refused whole, and nothing is stored.
/// What a push must be before anything is stored or locked: every value
/// sealed, every op the shape of its entity. Pure, so it runs before the
/// push takes any lock (a refused push costs the database nothing).
pub fn check_push(ops: &[Op]) -> Result<(), StoreError> {
    let mut ids = HashSet::new();
    for op in ops {
        refuse_unsealed(op)?;
        super::limits::check_shape(op)?;
        // A device never sends one op twice in a push: a second copy would be
        // acted on (forgetting) without being stored or checked as the first.
        if !ids.insert(op.op_id.as_str()) {
            return Err(super::limits::bad("an operation is in the push twice"));
        }
    }
    Ok(())
}

fn refuse_unsealed(op: &Op) -> Result<(), StoreError> {
    let Some(fields) = op.payload.as_object() else {
        return match op.payload {
            Json::Null => Ok(()),
            _ => Err(refused(Refusal::UnsealedField(op.entity.clone()))),
        };
    };
    match fields
        .keys()
        .find(|k| !senda_protocol::fields::plain_field(&op.entity, k))
    {
        Some(field) => Err(refused(Refusal::UnsealedField(format!(
            "{}.{field}",
            op.entity
        )))),
        None => Ok(()),
    }
}

/// An op's payload as stored: its readable fields, and its sealed fields as
/// `{"$sealed": hex of their CBOR}` (the op id opens them).
fn stored_payload(op: &Op) -> Json {
    let mut out = op.payload.as_object().cloned().unwrap_or_default();
    // The summary arrives as bytes beside the payload (earlier devices put it
    // inside, as hex); it is kept where the rest of the server looks for it.
    if let Some(summary) = &op.sealed_summary {
        out.insert(
            SEALED_SUMMARY.into(),
            serde_json::to_value(summary).expect("a sealed box is JSON"),
        );
    }
    if !op.sealed.is_empty() {
        out.insert(
            SEALED.into(),
            hex(&senda_protocol::encode(&op.sealed)).into(),
        );
    }
    Json::Object(out)
}

/// The sealed fields kept in a stored payload or conflict side, if any.
fn sealed_in(value: &Json) -> Option<SealedFields> {
    let bytes = senda_protocol::unhex(value.get(SEALED)?.as_str()?)?;
    senda_protocol::decode(&bytes).ok()
}

/// A sealed field as a record keeps it: its keyed hash, and the op whose
/// sealed fields hold its value.
fn field_entry(hash: &[u8], op_id: &str) -> Json {
    serde_json::json!({ SEALED: hex(hash), "op": op_id })
}

/// A record's sealed field: its hash and op, or `None` for a readable value.
fn field_of(value: &Json) -> Option<(String, String)> {
    let hash = value.get(SEALED)?.as_str()?.to_owned();
    Some((hash, value.get("op")?.as_str()?.to_owned()))
}

/// Whether two values of a field agree: sealed ones by their keyed hash.
fn same(a: &Json, b: &Json) -> bool {
    match (field_of(a), field_of(b)) {
        (Some((x, _)), Some((y, _))) => x == y,
        (None, None) => a == b,
        _ => false,
    }
}

/// The sealed fields of a stored op (for the other side of a conflict).
fn sealed_of_op(sql: &mut dyn Sql, op_id: &str) -> Result<Option<SealedFields>, StoreError> {
    Ok(sql
        .row("SELECT payload FROM ops WHERE op_id = ?1", &[op_id.into()])?
        .and_then(|r| serde_json::from_str::<Json>(&r[0].text()).ok())
        .and_then(|payload| sealed_in(&payload)))
}

struct Pending {
    op_id: String,
    /// The device that sent it.
    owner: String,
    seq: i64,
    entity: String,
    entity_id: String,
    case_id: String,
    base_version: i64,
    payload: Json,
    /// Its fields' keyed hashes, as a fresh op brought them (a waiting one's
    /// are in its stored box).
    hashes: Option<std::collections::BTreeMap<Vec<u8>, Vec<u8>>>,
    /// Stored by this push (as applied; see [`insert_ops`]).
    fresh: bool,
}

/// A record as a push sees it: read once, changed in memory by each op that
/// applies, written once at the end.
struct Record {
    entity: String,
    organisation: String,
    team: String,
    case_id: String,
    version: i64,
    fields: Map<String, Json>,
    versions: Map<String, Json>,
    changed: bool,
}

/// Applies the ops just stored and those this device parked earlier (their
/// base had not arrived), in sequence order, until none more can apply.
fn apply_pending(
    sql: &mut dyn Sql,
    device: &Device,
    touched: &HashSet<&str>,
    fresh: Vec<Pending>,
    now: &str,
) -> Result<Vec<Conflict>, StoreError> {
    let mut pending = parked(sql, touched, &fresh)?;
    pending.extend(fresh);
    // Base version order, so a chain that arrived backwards applies in one pass.
    pending.sort_by_key(|p| (p.base_version, p.seq));
    let mut records = load_records(sql, &pending)?;
    let mut senders: HashMap<String, Device> = HashMap::new();
    senders.insert(device.id.clone(), device.clone());
    let mut conflicts = Vec::new();
    let mut applied = Vec::new();
    let fresh: HashSet<String> = pending
        .iter()
        .filter(|p| p.fresh)
        .map(|p| p.op_id.clone())
        .collect();
    let mut waiting = pending;
    loop {
        let before = waiting.len();
        let mut still = Vec::new();
        for p in waiting {
            if !senders.contains_key(&p.owner) {
                match self::device(sql, &p.owner)? {
                    Some(d) => senders.insert(p.owner.clone(), d),
                    None => {
                        still.push(p);
                        continue;
                    }
                };
            }
            let by = &senders[&p.owner];
            if apply(sql, by, &mut records, &p, now, &mut conflicts)? {
                applied.push(p);
            } else {
                still.push(p);
            }
        }
        waiting = still;
        if waiting.len() == before || waiting.is_empty() {
            break;
        }
    }
    save_records(sql, &records)?;
    save_conflicts(sql, &conflicts, now)?;
    // The console's counts, recounted from the records just written.
    super::counts::applied(
        sql,
        &applied
            .iter()
            .map(|p| (p.entity.as_str(), p.entity_id.as_str(), p.case_id.as_str()))
            .collect::<Vec<_>>(),
    )?;
    // Fresh ops were stored as applied: only those that must wait, and the
    // waiting ones that now applied, are written again.
    let now_applied: Vec<&str> = applied
        .iter()
        .filter(|p| !fresh.contains(&p.op_id))
        .map(|p| p.op_id.as_str())
        .collect();
    let must_wait: Vec<&str> = waiting
        .iter()
        .filter(|p| fresh.contains(&p.op_id))
        .map(|p| p.op_id.as_str())
        .collect();
    for (state, ids) in [(1i64, now_applied), (0, must_wait)] {
        for chunk in ids.chunks(CHUNK * 4) {
            let mut params: Vec<Value> = vec![Value::from(state)];
            params.extend(chunk.iter().map(|id| Value::from(*id)));
            sql.exec(
                &format!(
                    "UPDATE ops SET applied = ?1 WHERE op_id IN ({})",
                    placeholders(2, chunk.len())
                ),
                &params,
            )?;
        }
    }
    Ok(conflicts)
}

/// The stored ops, from any device, still waiting for their base on the
/// records this push touched, but for `fresh` (M10: never a rescan of
/// everything a device ever parked; `ops_parked_entity` indexes this).
fn parked(
    sql: &mut dyn Sql,
    touched: &HashSet<&str>,
    fresh: &[Pending],
) -> Result<Vec<Pending>, StoreError> {
    let skip: HashSet<&str> = fresh.iter().map(|p| p.op_id.as_str()).collect();
    let touched: Vec<&str> = touched.iter().copied().collect();
    let mut found = Vec::new();
    for chunk in touched.chunks(CHUNK) {
        let params: Vec<Value> = chunk.iter().map(|id| Value::from(*id)).collect();
        for r in sql.rows(
            &format!(
                "SELECT op_id, device_id, seq, entity, entity_id, case_id, base_version, payload FROM ops
                 WHERE applied = 0 AND entity_id IN ({})",
                placeholders(1, chunk.len())
            ),
            &params,
        )? {
            let op_id = col::text(&r, 0, "ops.op_id")?;
            if skip.contains(op_id.as_str()) {
                continue;
            }
            found.push(Pending {
                op_id,
                owner: col::text(&r, 1, "ops.device_id")?,
                seq: col::int(&r, 2, "ops.seq")?,
                entity: col::text(&r, 3, "ops.entity")?,
                entity_id: col::text(&r, 4, "ops.entity_id")?,
                case_id: col::text(&r, 5, "ops.case_id")?,
                base_version: col::int(&r, 6, "ops.base_version")?,
                payload: col::json(&r, 7, "ops.payload")?,
                hashes: None,
                fresh: false,
            });
        }
    }
    Ok(found)
}

/// The stored records the pending ops touch, and the cases they name (a
/// record is created only in a case of its own organisation), read in one
/// statement per chunk.
fn load_records(
    sql: &mut dyn Sql,
    pending: &[Pending],
) -> Result<HashMap<String, Record>, StoreError> {
    let ids: Vec<&str> = pending
        .iter()
        .flat_map(|p| [p.entity_id.as_str(), p.case_id.as_str()])
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut records = HashMap::new();
    for chunk in ids.chunks(CHUNK * 4) {
        let params: Vec<Value> = chunk.iter().map(|id| Value::from(*id)).collect();
        for r in sql.rows(
            &format!(
                "SELECT id, entity, organisation_id, team, case_id, version, fields, field_versions
                 FROM entities WHERE id IN ({})",
                placeholders(1, chunk.len())
            ),
            &params,
        )? {
            // A damaged record stops the push: read as empty, it would be written back so.
            records.insert(
                col::text(&r, 0, "entities.id")?,
                Record {
                    entity: col::text(&r, 1, "entities.entity")?,
                    organisation: col::text(&r, 2, "entities.organisation_id")?,
                    team: col::text(&r, 3, "entities.team")?,
                    case_id: col::text(&r, 4, "entities.case_id")?,
                    version: col::int(&r, 5, "entities.version")?,
                    fields: col::json(&r, 6, "entities.fields")?,
                    versions: col::json(&r, 7, "entities.field_versions")?,
                    changed: false,
                },
            );
        }
    }
    Ok(records)
}

/// Writes every record a push created or changed, one statement per chunk.
fn save_records(sql: &mut dyn Sql, records: &HashMap<String, Record>) -> Result<(), StoreError> {
    let changed: Vec<(&String, &Record)> = records.iter().filter(|(_, r)| r.changed).collect();
    for chunk in changed.chunks(CHUNK) {
        let mut params = Vec::with_capacity(chunk.len() * 8);
        for (id, r) in chunk {
            params.extend([
                (*id).clone().into(),
                r.entity.clone().into(),
                r.organisation.clone().into(),
                r.team.clone().into(),
                r.case_id.clone().into(),
                r.version.into(),
                Json::Object(r.fields.clone()).to_string().into(),
                Json::Object(r.versions.clone()).to_string().into(),
            ]);
        }
        sql.exec(
            &format!(
                "INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions)
                 VALUES {} ON CONFLICT (id) DO UPDATE SET version = excluded.version,
                 fields = excluded.fields, field_versions = excluded.field_versions",
                value_rows(chunk.len(), 8)
            ),
            &params,
        )?;
    }
    Ok(())
}

/// Keeps every conflict a push found, both sides, for a person to resolve.
fn save_conflicts(sql: &mut dyn Sql, conflicts: &[Conflict], now: &str) -> Result<(), StoreError> {
    for chunk in conflicts.chunks(CHUNK) {
        let mut params = Vec::with_capacity(chunk.len() * 7);
        for c in chunk {
            // The stored form of each side: readable JSON, or the sealed entry as kept in the record.
            let side = |f: &SealedFields, op: &str| serde_json::json!({ SEALED: hex(&senda_protocol::encode(f)), "op": op });
            let (theirs, ours) = match &c.sealed {
                Some(s) => (side(&s.theirs, &s.theirs_op), side(&s.ours, &c.op_id)),
                None => (c.theirs.clone(), c.ours.clone()),
            };
            params.extend([
                c.entity_id.clone().into(),
                c.field.clone().into(),
                c.base_version.into(),
                theirs.to_string().into(),
                ours.to_string().into(),
                c.op_id.clone().into(),
                now.into(),
            ]);
        }
        sql.exec(
            &format!(
                "INSERT INTO conflicts (entity_id, field, base_version, theirs, ours, op_id, detected_at)
                 VALUES {}",
                value_rows(chunk.len(), 7)
            ),
            &params,
        )?;
    }
    Ok(())
}

/// Applies one operation to its record if its base has arrived; `false` to wait for it.
fn apply(
    sql: &mut dyn Sql,
    device: &Device,
    records: &mut HashMap<String, Record>,
    p: &Pending,
    now: &str,
    conflicts: &mut Vec<Conflict>,
) -> Result<bool, StoreError> {
    let Some(record) = records.get_mut(&p.entity_id) else {
        if p.base_version != 0 {
            return Ok(false); // its creation has not arrived yet
        }
        let foreign_case = records.get(&p.case_id).is_some_and(|case| {
            p.case_id != p.entity_id
                && (case.entity != "case" || case.organisation != device.organisation)
        });
        if foreign_case {
            // Forgetting, purging and counting go by case: a record put into
            // another organisation's case (or under a record that is no case)
            // would let its device forget or purge that case.
            if p.fresh {
                return Err(super::limits::bad(
                    "an operation creates a record in a case that is not its organisation's",
                ));
            }
            tracing::warn!(device = %device.id, "a waiting creation in another organisation's case was ignored");
            return Ok(true);
        }
        let fields = fields_of(&p.payload, p);
        let versions: Map<String, Json> =
            fields.keys().map(|k| (k.clone(), Json::from(1))).collect();
        if p.entity == "referral" {
            let summary = p.payload.get(SEALED_SUMMARY).cloned().unwrap_or(Json::Null);
            register_referral(sql, device, &p.entity_id, &fields, summary, now)?;
        }
        records.insert(
            p.entity_id.clone(),
            Record {
                entity: p.entity.clone(),
                organisation: device.organisation.clone(),
                team: device.team.clone(),
                case_id: p.case_id.clone(),
                version: 1,
                fields,
                versions,
                changed: true,
            },
        );
        return Ok(true);
    };
    if record.organisation != device.organisation {
        // Another organisation's record: never changed from here (the op stays stored, unapplied in effect).
        tracing::warn!(device = %device.id, "an op for another organisation's record was ignored");
        return Ok(true);
    }
    if record.case_id != p.case_id {
        // What is locked, forgotten and counted goes by the case an op names:
        // one naming another case than its record's could slip past them.
        // No Senda device sends one; a push carrying one is refused whole.
        if p.fresh {
            return Err(super::limits::bad(
                "an operation names another case than its record's",
            ));
        }
        tracing::warn!(device = %device.id, "a waiting op naming another case was ignored");
        return Ok(true);
    }
    let version = record.version;
    if p.base_version > version {
        return Ok(false); // an earlier change of this record is still on its way
    }
    let next = version + 1;
    for (field, ours) in fields_of(&p.payload, p) {
        let changed_at = record
            .versions
            .get(&field)
            .and_then(Json::as_i64)
            .unwrap_or(0);
        let theirs = record.fields.get(&field).cloned().unwrap_or(Json::Null);
        if changed_at > p.base_version && !same(&theirs, &ours) {
            // Someone else changed this field since our base: keep both for a person.
            // Sealed values go to the device as they are: it opens both.
            let (sealed, theirs, ours) = match (field_of(&theirs), field_of(&ours)) {
                (None, None) => (None, theirs, ours),
                (Some((_, theirs_op)), Some(_)) => {
                    let sealed = match (sealed_of_op(sql, &theirs_op)?, sealed_in(&p.payload)) {
                        (Some(theirs), Some(ours)) => Some(SealedConflict {
                            theirs_op,
                            theirs,
                            ours,
                        }),
                        // A side whose sealed values were forgotten: nothing to show.
                        _ => None,
                    };
                    (sealed, Json::Null, Json::Null)
                }
                _ => (None, Json::Null, Json::Null),
            };
            conflicts.push(Conflict {
                op_id: p.op_id.clone(),
                entity_id: p.entity_id.clone(),
                field,
                base_version: p.base_version,
                theirs,
                ours,
                sealed,
            });
            continue;
        }
        record.fields.insert(field.clone(), ours);
        record.versions.insert(field, Json::from(next));
    }
    if p.payload.get(SEALED_SUMMARY).is_some() {
        record.fields.remove("summary_withheld");
        record.versions.remove("summary_withheld");
    }
    record.version = next;
    record.changed = true;
    if p.entity == "referral" {
        if let Some(sealed) = p.payload.get(SEALED_SUMMARY) {
            // A summary that left after its referral (its service had no receiver on
            // Senda then) joins it, still sealed.
            sql.exec(
                "UPDATE referrals SET summary = ?1 WHERE id = ?2",
                &[sealed.to_string().into(), p.entity_id.clone().into()],
            )?;
        }
        if let Some(status) = p.payload.get("status").and_then(Json::as_str) {
            referral_moved_by_sender(sql, &p.entity_id, status, now)?;
        }
    }
    Ok(true)
}

/// An op's fields as the record keeps them: readable ones by name, sealed
/// ones by their keyed id (`#` and hex; the server never learns the path)
/// with their hash, for an op that sent hashes (one that changes a record:
/// only those can conflict).
fn fields_of(payload: &Json, p: &Pending) -> Map<String, Json> {
    let mut out = flatten(payload);
    if payload.get(SEALED).is_some() {
        // A fresh op's hashes came with it; a waiting one's are read back from its box.
        let read;
        let hashes = match &p.hashes {
            Some(hashes) => Some(hashes),
            None => {
                read = sealed_in(payload);
                read.as_ref().map(|s| &s.hashes)
            }
        };
        for (id, hash) in hashes.into_iter().flatten() {
            out.insert(
                senda_protocol::fields::field_key(id),
                field_entry(hash, &p.op_id),
            );
        }
    }
    out
}

/// Field paths one level deep (`details.alias`), so two edits of different
/// parts of a record never conflict. Neither the sealed box nor a referral's
/// sealed summary is a field: the summary is kept once, with its referral
/// (`referrals.summary`, the receiver's copy), and in the op that brought it.
fn flatten(payload: &Json) -> Map<String, Json> {
    let mut out = Map::new();
    if let Some(object) = payload.as_object() {
        for (k, v) in object
            .iter()
            .filter(|(k, _)| *k != SEALED && *k != SEALED_SUMMARY)
        {
            match v.as_object() {
                Some(inner) if k == "details" || k == "notes" || k == "answers" => {
                    for (ik, iv) in inner {
                        out.insert(format!("{k}.{ik}"), iv.clone());
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    out
}

fn register_referral(
    sql: &mut dyn Sql,
    device: &Device,
    id: &str,
    fields: &Map<String, Json>,
    summary: Json,
    now: &str,
) -> Result<(), StoreError> {
    let text = |k: &str| {
        fields
            .get(k)
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let service_id = text("service_id");
    // Only the sealed form is kept: the server cannot read a summary.
    let receiver = sql
        .row(
            "SELECT organisation_id FROM service_routes WHERE service_id = ?1",
            &[service_id.clone().into()],
        )?
        .map(|r| r[0].text());
    // A referral starts as a draft; the sender moves it only along its own transitions (L5).
    sql.exec(
        "INSERT INTO referrals (id, code, service_id, sender_org, sender_team, receiver_org, status, summary, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'draft', ?7, ?8) ON CONFLICT DO NOTHING",
        &[
            id.into(),
            text("code").into(),
            service_id.into(),
            device.organisation.clone().into(),
            device.team.clone().into(),
            receiver.into(),
            summary.to_string().into(),
            now.into(),
        ],
    )?;
    let status = text("status");
    if !status.is_empty() && status != "draft" {
        referral_moved_by_sender(sql, id, &status, now)?;
    }
    Ok(())
}

/// The sender queued, withdrew or revoked a referral. A queued referral that
/// the server now holds is "sent"; the sender's team hears so at its next pull.
fn referral_moved_by_sender(
    sql: &mut dyn Sql,
    id: &str,
    status: &str,
    now: &str,
) -> Result<(), StoreError> {
    if !super::paging::sender_may(sql, id, status)? {
        tracing::warn!(referral = %id, status, "a sender's move outside its transitions was ignored");
        return Ok(());
    }
    let status = if status == "queued" { "sent" } else { status };
    sql.exec(
        "UPDATE referrals SET status = ?1, updated_at = ?2 WHERE id = ?3",
        &[status.into(), now.into(), id.into()],
    )?;
    if status == "sent" {
        // The start of its time to acceptance.
        sql.exec(
            "UPDATE referrals SET sent_at = ?1 WHERE id = ?2 AND sent_at IS NULL",
            &[now.into(), id.into()],
        )?;
    }
    if let Some(r) = sql.row(
        "SELECT sender_org, sender_team FROM referrals WHERE id = ?1",
        &[id.into()],
    )? && status == "sent"
    {
        add_change(
            sql,
            &r[0].text(),
            Some(&r[1].text()),
            &ChangeKind::ReferralStatus {
                referral_id: id.to_owned(),
                status: status.to_owned(),
            },
            now,
        )?;
    }
    Ok(())
}

fn add_change(
    sql: &mut dyn Sql,
    organisation: &str,
    team: Option<&str>,
    kind: &ChangeKind,
    now: &str,
) -> Result<(), StoreError> {
    // A device's pull cursor is the last id it saw: an id drawn earlier must not commit later.
    sql.in_commit_order()?;
    sql.exec(
        "INSERT INTO changes (organisation_id, team, kind, body, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            organisation.into(),
            team.into(),
            "v1".into(),
            serde_json::to_string(kind).expect("JSON").into(),
            now.into(),
        ],
    )?;
    Ok(())
}

pub fn pull(
    sql: &mut dyn Sql,
    device: &Device,
    cursor: i64,
    limit: u32,
) -> Result<PullResponse, StoreError> {
    let limit = limit.clamp(1, 500) as i64;
    let rows = sql.rows(
        "SELECT id, body, at FROM changes
         WHERE id > ?1 AND organisation_id = ?2 AND (team IS NULL OR team = ?3)
         ORDER BY id LIMIT ?4",
        &[
            cursor.into(),
            device.organisation.clone().into(),
            device.team.clone().into(),
            (limit + 1).into(),
        ],
    )?;
    let more = rows.len() as i64 > limit;
    let changes = rows
        .iter()
        .take(limit as usize)
        .map(|r| {
            Ok(Change {
                id: col::int(r, 0, "changes.id")?,
                kind: col::json(r, 1, "changes.body")?,
                at: col::text(r, 2, "changes.at")?,
            })
        })
        .collect::<Result<Vec<Change>, StoreError>>()?;
    Ok(PullResponse {
        retention_days: super::forget::retention_of(sql, &device.organisation)?,
        pin_policy: super::settings::pin_policy_of(sql, &device.organisation)?,
        cursor: changes.last().map_or(cursor, |c| c.id),
        changes,
        more,
    })
}

pub fn route_service(
    sql: &mut dyn Sql,
    service_id: &str,
    organisation: &str,
) -> Result<(), StoreError> {
    ensure_organisation(sql, organisation)?;
    // A summary is only ever sealed to its receiver, so a receiver needs a key first.
    if super::keys::organisation_key_of(sql, organisation)?.is_none() {
        return Err(refused(Refusal::NoOrganisationKey));
    }
    sql.exec(
        "DELETE FROM service_routes WHERE service_id = ?1",
        &[service_id.into()],
    )?;
    sql.exec(
        "INSERT INTO service_routes (service_id, organisation_id) VALUES (?1, ?2)",
        &[service_id.into(), organisation.into()],
    )?;
    // Referrals sent before the service had a receiver here reach it now; their
    // summaries follow, sealed, when the sending devices next sync.
    sql.exec(
        "UPDATE referrals SET receiver_org = ?1
         WHERE service_id = ?2 AND receiver_org IS NULL AND status IN ('queued', 'sent')",
        &[organisation.into(), service_id.into()],
    )?;
    super::counts::routed(sql, service_id)?;
    Ok(())
}

pub fn set_referral_status(
    sql: &mut dyn Sql,
    device: &Device,
    referral_id: &str,
    to: ReferralStatus,
    now: &str,
) -> Result<(), StoreError> {
    let Some(r) = sql.row(
        "SELECT status, sender_org, sender_team FROM referrals WHERE id = ?1 AND receiver_org = ?2",
        &[referral_id.into(), device.organisation.clone().into()],
    )?
    else {
        return Err(refused(Refusal::NoSuchReferral));
    };
    let stored = col::text(&r, 0, "referrals.status")?;
    let from = ReferralStatus::parse(&stored)
        .ok_or_else(|| col::damaged("referrals.status", format!("unknown status {stored:?}")))?;
    // The receiver's side of the lifecycle only.
    if !from.next_statuses(ReferralActor::Receiver).contains(&to) {
        return Err(refused(Refusal::BadTransition(
            from.as_str().into(),
            to.as_str().into(),
        )));
    }
    sql.exec(
        "UPDATE referrals SET status = ?1, updated_at = ?2 WHERE id = ?3",
        &[to.as_str().into(), now.into(), referral_id.into()],
    )?;
    if to == ReferralStatus::Accepted {
        sql.exec(
            "UPDATE referrals SET accepted_at = ?1 WHERE id = ?2 AND accepted_at IS NULL",
            &[now.into(), referral_id.into()],
        )?;
    }
    super::counts::referral(sql, referral_id)?;
    add_change(
        sql,
        &r[1].text(),
        Some(&r[2].text()),
        &ChangeKind::ReferralStatus {
            referral_id: referral_id.to_owned(),
            status: to.as_str().to_owned(),
        },
        now,
    )
}

/// The server's secret for batch files, made once (by whichever instance is
/// first) and stored wrapped by the server's key file (review H4): a thief
/// with the database or a backup alone cannot open a batch file's envelope.
/// One stored readable by an earlier version is wrapped at its first use.
pub fn server_box_secret(
    sql: &mut dyn Sql,
    now: &str,
    key: &crate::answers::AnswerKey,
) -> Result<BoxSecret, StoreError> {
    const PURPOSE: &str = "batch";
    let select = "SELECT secret FROM server_keys WHERE purpose = 'batch'";
    let stored = match sql.row(select, &[])? {
        Some(row) => row[0].text(),
        None => {
            let fresh = BoxSecret::generate();
            sql.exec(
                "INSERT INTO server_keys (purpose, secret, created_at) VALUES ('batch', ?1, ?2) ON CONFLICT DO NOTHING",
                &[key.wrap(PURPOSE, fresh.to_hex().as_bytes()).into(), now.into()],
            )?;
            // Another instance may have stored one first: that one counts.
            sql.row(select, &[])?
                .ok_or_else(|| StoreError::Backend("the server key was not stored".into()))?[0]
                .text()
        }
    };
    if let Ok(readable) = BoxSecret::from_hex(&stored) {
        sql.exec(
            "UPDATE server_keys SET secret = ?1 WHERE purpose = 'batch'",
            &[key.wrap(PURPOSE, readable.to_hex().as_bytes()).into()],
        )?;
        return Ok(readable);
    }
    let opened = key.unwrap(PURPOSE, &stored).ok_or_else(|| {
        StoreError::Backend(
            "the batch-file secret in the database does not open with this key file: start \
             with the SENDA_SIGNING_KEY_FILE this database was used with (every instance the \
             same); if that file is lost, `senda-server admin new-batch-key` makes a new secret"
                .into(),
        )
    })?;
    let text = std::str::from_utf8(&opened)
        .map_err(|_| StoreError::Backend("the batch-file secret is damaged".into()))?;
    BoxSecret::from_hex(text)
        .map_err(|_| StoreError::Backend("the batch-file secret is damaged".into()))
}

/// A new batch-file secret in place of one whose key file was lost: files
/// sealed to the old one no longer open here.
pub fn new_server_box_secret(
    sql: &mut dyn Sql,
    now: &str,
    key: &crate::answers::AnswerKey,
) -> Result<BoxSecret, StoreError> {
    sql.exec("DELETE FROM server_keys WHERE purpose = 'batch'", &[])?;
    server_box_secret(sql, now, key)
}

/// Tells every organisation's devices, at their next pull, that the publisher
/// released a newer content pack.
pub fn announce_content(
    sql: &mut dyn Sql,
    publisher: &str,
    version: u32,
    now: &str,
) -> Result<usize, StoreError> {
    let organisations = sql.rows("SELECT id FROM organisations ORDER BY id", &[])?;
    let kind = ChangeKind::ContentAvailable {
        publisher: publisher.to_owned(),
        version,
    };
    for org in &organisations {
        add_change(sql, &org[0].text(), None, &kind, now)?;
    }
    Ok(organisations.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, Store};

    fn ops(first: i64, n: i64, base: i64) -> Vec<Op> {
        (first..first + n)
            .map(|i| Op {
                op_id: format!("op-{i}-{base}"),
                seq: i,
                hlc: format!("{i:015}.000000"),
                entity: "case".into(),
                entity_id: format!("case-{}", if base == 0 { i } else { i - n }),
                case_id: format!("case-{}", if base == 0 { i } else { i - n }),
                op: "update".into(),
                base_version: base,
                version: base + 1,
                payload: serde_json::json!({ "country": "CO", "week": "2026-W49" }),
                sealed: Default::default(),
                sealed_summary: None,
            })
            .collect()
    }

    /// Statements one push of `batch` runs, and its answer.
    fn counted(store: &SqliteStore, device: &Device, batch: &[Op]) -> (usize, PushResponse) {
        let mut out = None;
        store
            .transaction(&mut |sql| {
                let mut seen = Vec::new();
                let mut counting = Watching {
                    inner: sql,
                    writes: &mut seen,
                };
                let quotas = super::super::limits::Quotas::default();
                let answer = push(
                    &mut counting,
                    device,
                    batch,
                    &quotas,
                    "2026-12-03T00:00:00Z",
                )?;
                out = Some((seen.len(), answer));
                Ok(())
            })
            .unwrap();
        out.unwrap()
    }

    #[test]
    fn a_push_past_the_limits_is_refused_before_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        let device = device("d1");
        let tight = super::super::limits::Quotas {
            max_parked: 5,
            device_bytes: 2_000,
            ..Default::default()
        };
        // Each case: (ops, the refusal); edits of records that never arrived would all wait.
        for (batch, refusal) in [
            (ops(1, 6, 3), Refusal::TooManyWaiting),
            (ops(1, 100, 0), Refusal::QuotaExceeded),
        ] {
            let mut writes = Vec::new();
            let result = store.transaction(&mut |sql| {
                let mut watching = Watching {
                    inner: sql,
                    writes: &mut writes,
                };
                push(
                    &mut watching,
                    &device,
                    &batch,
                    &tight,
                    "2026-12-03T00:00:00Z",
                )
                .map(|_| ())
            });
            assert!(
                matches!(&result, Err(StoreError::Refused(r)) if *r == refusal),
                "{result:?}"
            );
            // Only the age-out update ran (it changes nothing here): no op was inserted.
            assert!(writes.iter().all(|w| !w.contains("INSERT")), "{writes:?}");
        }
    }

    /// Notes each statement's first words: how many a push runs, and whether it wrote.
    struct Watching<'a> {
        inner: &'a mut dyn Sql,
        writes: &'a mut Vec<String>,
    }

    impl Sql for Watching<'_> {
        fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
            self.writes.push(sql.chars().take(30).collect());
            self.inner.exec(sql, params)
        }
        fn rows(
            &mut self,
            sql: &str,
            params: &[Value],
        ) -> Result<Vec<super::super::sql::Row>, StoreError> {
            let rows = self.inner.rows(sql, params)?;
            let start: String = sql.chars().take(30).collect();
            self.writes.push(format!("{start} → {} rows", rows.len()));
            Ok(rows)
        }
    }

    /// Statements one push of `batch` by `device` runs, with the rows each read.
    fn watched(store: &SqliteStore, device: &Device, batch: &[Op]) -> Vec<String> {
        let mut seen = Vec::new();
        store
            .transaction(&mut |sql| {
                let mut watching = Watching {
                    inner: sql,
                    writes: &mut seen,
                };
                let quotas = super::super::limits::Quotas::default();
                push(
                    &mut watching,
                    device,
                    batch,
                    &quotas,
                    "2026-12-03T00:00:00Z",
                )
                .map(|_| ())
            })
            .unwrap();
        seen
    }

    fn device(id: &str) -> Device {
        Device {
            id: id.into(),
            organisation: "o1".into(),
            team: "t".into(),
            public_key: String::new(),
            revoked: false,
            retiring: false,
        }
    }

    #[test]
    fn a_push_reads_only_the_waiting_ops_of_the_records_it_touched() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        // Another device parks 300 edits whose base never arrives (records case-700..999).
        watched(&store, &device("d2"), &ops(1000, 300, 3));
        let parked_rows = |seen: &[String]| -> Vec<String> {
            seen.iter()
                .filter(|s| s.starts_with("SELECT op_id, device_id, seq"))
                .cloned()
                .collect()
        };
        // A push of ten new records reads none of the 300, nor its own ops:
        // they are stored as applied, and never enter the waiting index.
        let seen = watched(&store, &device("d1"), &ops(1, 10, 0));
        assert_eq!(parked_rows(&seen).len(), 1, "{seen:?}");
        assert!(parked_rows(&seen)[0].ends_with("→ 0 rows"), "{seen:?}");
        // One UPDATE of `applied` (ageing out the device's old waiting ops), none marking these.
        let marks = seen
            .iter()
            .filter(|s| s.starts_with("UPDATE ops SET applied"))
            .count();
        assert_eq!(marks, 1, "{seen:?}");
        // A push that creates one of their records reads that record's waiting
        // edit only (which still waits: its base is version 3).
        let seen = watched(&store, &device("d1"), &ops(700, 1, 0));
        assert!(parked_rows(&seen)[0].ends_with("→ 1 rows"), "{seen:?}");
        store
            .transaction(&mut |sql| {
                let waiting = sql.rows("SELECT count(*) FROM ops WHERE applied = 0", &[])?;
                assert_eq!(waiting, vec![vec![Value::Int(300)]]);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_pull_page_holds_at_most_500_changes_and_the_cursor_reaches_every_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        let device = device("d1");
        store
            .transaction(&mut |sql| {
                for version in 1..=1201 {
                    let kind = ChangeKind::ContentAvailable {
                        publisher: "p".into(),
                        version,
                    };
                    add_change(sql, "o1", None, &kind, "2026-12-05T00:00:00Z")?;
                }
                // Another organisation's change is never in this device's pages.
                let other = ChangeKind::ContentAvailable {
                    publisher: "p".into(),
                    version: 0,
                };
                add_change(sql, "o2", None, &other, "2026-12-05T00:00:00Z")
            })
            .unwrap();
        let mut pages = Vec::new();
        let mut seen = Vec::new();
        let mut cursor = 0;
        store
            .read(&mut |sql| {
                // However much a device asks for, a page holds at most 500.
                loop {
                    let page = pull(sql, &device, cursor, u32::MAX)?;
                    cursor = page.cursor;
                    pages.push((page.changes.len(), page.more));
                    seen.extend(page.changes.iter().map(|c| match &c.kind {
                        ChangeKind::ContentAvailable { version, .. } => *version,
                        _ => 0,
                    }));
                    if !page.more {
                        break;
                    }
                }
                // A page of nothing asked for still moves on by one.
                assert_eq!(pull(sql, &device, 0, 0)?.changes.len(), 1);
                Ok(())
            })
            .unwrap();
        assert_eq!(pages, vec![(500, true), (500, true), (201, false)]);
        assert_eq!(
            seen,
            (1..=1201).collect::<Vec<u32>>(),
            "each change once, in order"
        );
    }

    #[test]
    fn a_push_costs_the_same_statements_whatever_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        let device = device("d1");
        // 10 records, then 90, then an edit of each of the 100: the same few statements each time.
        let (small, a) = counted(&store, &device, &ops(1, 10, 0));
        let (large, b) = counted(&store, &device, &ops(11, 90, 0));
        let (edits, c) = counted(&store, &device, &ops(101, 100, 1));
        assert_eq!(
            (a.stored.len(), b.stored.len(), c.stored.len()),
            (10, 90, 100)
        );
        assert_eq!(small, large, "statements do not grow with the ops");
        assert!(edits <= small, "{edits} statements for 100 edits");
        // 7 for the push, 3 for the console's counts (cases, their screenings, counted keys),
        // 4 for the device's limits (age out, precheck, charge, parked count).
        assert!(small <= 14, "{small} statements for a push");
        // The same push again: acknowledged, nothing applied twice.
        let (_, again) = counted(&store, &device, &ops(101, 100, 1));
        assert_eq!(again.stored.len(), 100);
        store
            .transaction(&mut |sql| {
                let versions = sql.rows("SELECT DISTINCT version FROM entities", &[])?;
                assert_eq!(versions, vec![vec![Value::Int(2)]]);
                Ok(())
            })
            .unwrap();
    }
}
