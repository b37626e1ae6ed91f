//! The server's rules, written once over [`Sql`] for both backends.

use super::sql::{self as col, Sql, Value};
use super::{Refusal, StoreError};
use ring::digest::{SHA256, digest};
use senda_protocol::{
    BoxSecret, Change, ChangeKind, Conflict, Op, PullResponse, PushResponse, ReferralStatus,
    SealedConflict, SealedField, hex,
};
use serde::Serialize;
use serde_json::{Map, Value as Json};

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
    sql.exec(
        "UPDATE enrolment_codes SET used_at = ?1 WHERE code_hash = ?2",
        &[now.into(), code_hash(code).into()],
    )?;
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
pub fn push(
    sql: &mut dyn Sql,
    device: &Device,
    ops: &[Op],
    quotas: &super::limits::Quotas,
    now: &str,
) -> Result<PushResponse, StoreError> {
    for op in ops {
        refuse_unsealed(op)?;
        super::limits::check_shape(op)?;
    }
    super::limits::age_out_device(sql, &device.id, quotas, now)?;
    let (mut bytes, mut count) = (0i64, 0i64);
    let mut stored = Vec::new();
    let mut ordered: Vec<&Op> = ops.iter().collect();
    ordered.sort_by_key(|o| o.seq);
    for op in ordered {
        // What was forgotten stays forgotten (forget.rs).
        let Some(payload) = super::forget::kept(sql, op, stored_payload(op))? else {
            stored.push(op.op_id.clone());
            continue;
        };
        let payload = payload.to_string();
        let inserted = sql.exec(
            "INSERT INTO ops (op_id, device_id, seq, hlc, entity, entity_id, case_id, op, base_version, version, payload, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
            &[
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
            ],
        )?;
        if inserted == 1 {
            bytes += payload.len() as i64;
            count += 1;
        }
        let ours = inserted == 1
            || sql
                .row(
                    "SELECT 1 FROM ops WHERE op_id = ?1 AND device_id = ?2",
                    &[op.op_id.clone().into(), device.id.clone().into()],
                )?
                .is_some();
        if ours {
            stored.push(op.op_id.clone());
        }
    }
    super::limits::charge(sql, &device.id, bytes, count, quotas)?;
    let touched: std::collections::BTreeSet<&str> =
        ops.iter().map(|o| o.entity_id.as_str()).collect();
    let conflicts = apply_pending(sql, device, &touched, now)?;
    super::limits::parked_cap(sql, &device.id, quotas)?;
    super::forget::after_push(sql, &device.organisation, ops, now)?;
    let high_seq = sql
        .row(
            "SELECT MAX(seq) FROM ops WHERE device_id = ?1",
            &[device.id.clone().into()],
        )?
        .map_or(0, |r| r[0].int());
    Ok(PushResponse {
        stored,
        high_seq,
        conflicts,
    })
}

/// Key of the sealed fields inside a stored payload (plain field names never start with `$`).
const SEALED: &str = "$sealed";

/// The server keeps only what it may read: an op carrying any other field
/// readable (an outdated or faulty device) is refused whole, and nothing is stored.
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

/// An op's payload as stored: its readable fields, and each sealed field as
/// `{"$sealed": hex of its CBOR, "op": op id}` (the op id opens it).
fn stored_payload(op: &Op) -> Json {
    let mut out = op.payload.as_object().cloned().unwrap_or_default();
    if !op.sealed.is_empty() {
        let sealed: Map<String, Json> = op
            .sealed
            .iter()
            .map(|(k, v)| (k.clone(), sealed_entry(v, &op.op_id)))
            .collect();
        out.insert(SEALED.into(), Json::Object(sealed));
    }
    Json::Object(out)
}

fn sealed_entry(field: &SealedField, op_id: &str) -> Json {
    serde_json::json!({ SEALED: hex(&senda_protocol::encode(field)), "op": op_id })
}

/// A stored sealed field and the op that sealed it, or `None` for a readable value.
fn sealed_of(value: &Json) -> Option<(SealedField, String)> {
    let bytes = senda_protocol::unhex(value.get(SEALED)?.as_str()?)?;
    let field = senda_protocol::decode(&bytes).ok()?;
    Some((field, value.get("op")?.as_str()?.to_owned()))
}

/// Whether two stored values of a field agree: sealed ones by their keyed hash.
fn same(a: &Json, b: &Json) -> bool {
    match (sealed_of(a), sealed_of(b)) {
        (Some((x, _)), Some((y, _))) => x.hash == y.hash,
        (None, None) => a == b,
        _ => false,
    }
}

struct Pending {
    op_id: String,
    entity: String,
    entity_id: String,
    case_id: String,
    base_version: i64,
    payload: Json,
}

/// Applies the waiting ops of the records this push touched (M10: never a
/// rescan of everything a device ever parked), from any device, in base
/// version order so a chain that arrived backwards applies in one pass.
fn apply_pending(
    sql: &mut dyn Sql,
    device: &Device,
    touched: &std::collections::BTreeSet<&str>,
    now: &str,
) -> Result<Vec<Conflict>, StoreError> {
    let mut conflicts = Vec::new();
    for entity_id in touched {
        loop {
            let pending: Vec<(String, Pending)> = sql
                .rows(
                    "SELECT op_id, entity, entity_id, case_id, base_version, payload, device_id FROM ops
                     WHERE entity_id = ?1 AND applied = 0 ORDER BY base_version, seq",
                    &[(*entity_id).into()],
                )?
                .into_iter()
                .map(|r| {
                    let p = Pending {
                        op_id: r[0].text(),
                        entity: r[1].text(),
                        entity_id: r[2].text(),
                        case_id: r[3].text(),
                        base_version: r[4].int(),
                        payload: serde_json::from_str(&r[5].text()).unwrap_or(Json::Null),
                    };
                    (r[6].text(), p)
                })
                .collect();
            let mut progressed = false;
            for (owner, p) in pending {
                let other;
                let by = if owner == device.id {
                    device
                } else {
                    match self::device(sql, &owner)? {
                        Some(d) => {
                            other = d;
                            &other
                        }
                        None => continue,
                    }
                };
                if apply(sql, by, &p, now, &mut conflicts)? {
                    sql.exec(
                        "UPDATE ops SET applied = 1 WHERE op_id = ?1",
                        &[p.op_id.clone().into()],
                    )?;
                    super::counts::applied(sql, &p.entity, &p.entity_id, &p.case_id)?;
                    progressed = true;
                }
            }
            if !progressed {
                break;
            }
        }
    }
    Ok(conflicts)
}

/// Applies one operation if its base has arrived; `false` to wait for it.
fn apply(
    sql: &mut dyn Sql,
    device: &Device,
    p: &Pending,
    now: &str,
    conflicts: &mut Vec<Conflict>,
) -> Result<bool, StoreError> {
    let current = sql.row(
        "SELECT version, fields, field_versions, organisation_id FROM entities WHERE id = ?1",
        &[p.entity_id.clone().into()],
    )?;
    let Some(current) = current else {
        if p.base_version != 0 {
            return Ok(false); // its creation has not arrived yet
        }
        let fields = fields_of(&p.payload);
        let versions: Map<String, Json> =
            fields.keys().map(|k| (k.clone(), Json::from(1))).collect();
        sql.exec(
            "INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)",
            &[
                p.entity_id.clone().into(),
                p.entity.clone().into(),
                device.organisation.clone().into(),
                device.team.clone().into(),
                p.case_id.clone().into(),
                Json::Object(fields.clone()).to_string().into(),
                Json::Object(versions).to_string().into(),
            ],
        )?;
        if p.entity == "referral" {
            register_referral(sql, device, &p.entity_id, &fields, now)?;
        }
        return Ok(true);
    };
    if current[3].text() != device.organisation {
        // Another organisation's record: never changed from here (the op stays stored, unapplied in effect).
        tracing::warn!(device = %device.id, "an op for another organisation's record was ignored");
        return Ok(true);
    }
    let version = current[0].int();
    if p.base_version > version {
        return Ok(false); // an earlier change of this record is still on its way
    }
    let mut fields: Map<String, Json> =
        serde_json::from_str(&current[1].text()).unwrap_or_default();
    let mut versions: Map<String, Json> =
        serde_json::from_str(&current[2].text()).unwrap_or_default();
    let next = version + 1;
    for (field, ours) in fields_of(&p.payload) {
        let changed_at = versions.get(&field).and_then(Json::as_i64).unwrap_or(0);
        let theirs = fields.get(&field).cloned().unwrap_or(Json::Null);
        if changed_at > p.base_version && !same(&theirs, &ours) {
            // Someone else changed this field since our base: keep both for a person.
            sql.exec(
                "INSERT INTO conflicts (entity_id, field, base_version, theirs, ours, op_id, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    p.entity_id.clone().into(),
                    field.clone().into(),
                    p.base_version.into(),
                    theirs.to_string().into(),
                    ours.to_string().into(),
                    p.op_id.clone().into(),
                    now.into(),
                ],
            )?;
            // Sealed values go to the device as they are: it opens both.
            let sealed = match (sealed_of(&theirs), sealed_of(&ours)) {
                (Some((theirs, theirs_op)), Some((ours, _))) => Some(SealedConflict {
                    theirs_op,
                    theirs,
                    ours,
                }),
                _ => None,
            };
            let (theirs, ours) = if sealed.is_some() {
                (Json::Null, Json::Null)
            } else {
                (theirs, ours)
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
        fields.insert(field.clone(), ours);
        versions.insert(field, Json::from(next));
    }
    if p.payload.get("sealed_summary").is_some() {
        fields.remove("summary_withheld");
        versions.remove("summary_withheld");
    }
    sql.exec(
        "UPDATE entities SET version = ?1, fields = ?2, field_versions = ?3 WHERE id = ?4",
        &[
            next.into(),
            Json::Object(fields).to_string().into(),
            Json::Object(versions).to_string().into(),
            p.entity_id.clone().into(),
        ],
    )?;
    if p.entity == "referral" {
        if let Some(sealed) = p.payload.get("sealed_summary") {
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
/// ones (already one path each, `details.alias`) as stored entries.
fn fields_of(payload: &Json) -> Map<String, Json> {
    let mut out = flatten(payload);
    if let Some(Json::Object(sealed)) = out.remove(SEALED) {
        out.extend(sealed);
    }
    out
}

/// Field paths one level deep (`details.alias`), so two edits of different
/// parts of a record never conflict.
fn flatten(payload: &Json) -> Map<String, Json> {
    let mut out = Map::new();
    if let Some(object) = payload.as_object() {
        for (k, v) in object {
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
    let summary = fields.get("sealed_summary").cloned().unwrap_or(Json::Null);
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
    let theirs = matches!(
        to,
        ReferralStatus::Received
            | ReferralStatus::Accepted
            | ReferralStatus::Declined
            | ReferralStatus::FirstContact
            | ReferralStatus::ServiceProvided
            | ReferralStatus::Closed
    );
    if !theirs || !from.can_go(to) {
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

/// The server's secret for batch files, made once (by whichever instance is first).
pub fn server_box_secret(sql: &mut dyn Sql, now: &str) -> Result<BoxSecret, StoreError> {
    let fresh = BoxSecret::generate();
    sql.exec(
        "INSERT INTO server_keys (purpose, secret, created_at) VALUES ('batch', ?1, ?2) ON CONFLICT DO NOTHING",
        &[fresh.to_hex().as_str().into(), now.into()],
    )?;
    let row = sql
        .row(
            "SELECT secret FROM server_keys WHERE purpose = 'batch'",
            &[],
        )?
        .ok_or_else(|| StoreError::Backend("the server key was not stored".into()))?;
    BoxSecret::from_hex(&row[0].text())
        .map_err(|_| StoreError::Backend("the server key is damaged".into()))
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
