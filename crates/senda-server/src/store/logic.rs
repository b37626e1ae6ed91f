//! The server's rules, written once over [`Sql`] for both backends.

use super::sql::{Sql, Value};
use super::{Refusal, StoreError};
use ring::digest::{SHA256, digest};
use senda_protocol::{
    AwaitingKey, BoxSecret, Change, ChangeKind, Conflict, IncomingReferral, KeyGrant, KeysResponse,
    Op, PullResponse, PushResponse, ReferralActor, ReferralStatus, RouteKey, SealedBox,
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
    })
}

pub fn device(sql: &mut dyn Sql, id: &str) -> Result<Option<Device>, StoreError> {
    Ok(sql
        .row(
            "SELECT id, organisation_id, team, public_key, revoked_at FROM devices WHERE id = ?1",
            &[id.into()],
        )?
        .map(|r| Device {
            id: r[0].text(),
            organisation: r[1].text(),
            team: r[2].text(),
            public_key: r[3].text(),
            revoked: r[4] != Value::Null,
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
    now: &str,
) -> Result<PushResponse, StoreError> {
    for op in ops {
        refuse_unsealed(op)?;
    }
    let mut stored = Vec::new();
    let mut ordered: Vec<&Op> = ops.iter().collect();
    ordered.sort_by_key(|o| o.seq);
    for op in ordered {
        // What was forgotten stays forgotten (forget.rs).
        let Some(payload) = super::forget::kept(sql, op, stored_payload(op))? else {
            stored.push(op.op_id.clone());
            continue;
        };
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
                payload.to_string().into(),
                now.into(),
            ],
        )?;
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
    let conflicts = apply_pending(sql, device, now)?;
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

fn apply_pending(
    sql: &mut dyn Sql,
    device: &Device,
    now: &str,
) -> Result<Vec<Conflict>, StoreError> {
    let mut conflicts = Vec::new();
    loop {
        let pending: Vec<Pending> = sql
            .rows(
                "SELECT op_id, entity, entity_id, case_id, base_version, payload FROM ops
                 WHERE device_id = ?1 AND applied = 0 ORDER BY seq",
                &[device.id.clone().into()],
            )?
            .into_iter()
            .map(|r| Pending {
                op_id: r[0].text(),
                entity: r[1].text(),
                entity_id: r[2].text(),
                case_id: r[3].text(),
                base_version: r[4].int(),
                payload: serde_json::from_str(&r[5].text()).unwrap_or(Json::Null),
            })
            .collect();
        let mut progressed = false;
        for p in pending {
            if apply(sql, device, &p, now, &mut conflicts)? {
                sql.exec(
                    "UPDATE ops SET applied = 1 WHERE op_id = ?1",
                    &[p.op_id.clone().into()],
                )?;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(conflicts);
        }
    }
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
    sql.exec(
        "INSERT INTO referrals (id, code, service_id, sender_org, sender_team, receiver_org, status, summary, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
        &[
            id.into(),
            text("code").into(),
            service_id.into(),
            device.organisation.clone().into(),
            device.team.clone().into(),
            receiver.into(),
            text("status").into(),
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
    let status = if status == "queued" { "sent" } else { status };
    sql.exec(
        "UPDATE referrals SET status = ?1, updated_at = ?2 WHERE id = ?3",
        &[status.into(), now.into(), id.into()],
    )?;
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
    let changes: Vec<Change> = rows
        .into_iter()
        .take(limit as usize)
        .filter_map(|r| {
            Some(Change {
                id: r[0].int(),
                kind: serde_json::from_str(&r[1].text()).ok()?,
                at: r[2].text(),
            })
        })
        .collect();
    Ok(PullResponse {
        retention_days: super::forget::retention_of(sql, &device.organisation)?,
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
    if organisation_key_of(sql, organisation)?.is_none() {
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
    Ok(())
}

pub fn incoming_referrals(
    sql: &mut dyn Sql,
    device: &Device,
) -> Result<Vec<IncomingReferral>, StoreError> {
    Ok(sql
        .rows(
            "SELECT id, code, service_id, status, summary FROM referrals
             WHERE receiver_org = ?1 AND status NOT IN ('draft') ORDER BY updated_at",
            &[device.organisation.clone().into()],
        )?
        .into_iter()
        .map(|r| IncomingReferral {
            id: r[0].text(),
            code: r[1].text(),
            service_id: r[2].text(),
            status: r[3].text(),
            summary: serde_json::from_str(&r[4].text()).unwrap_or(Json::Null),
        })
        .collect())
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
    let from = ReferralStatus::parse(&r[0].text()).unwrap_or(ReferralStatus::Draft);
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

pub fn organisation_key_of(
    sql: &mut dyn Sql,
    organisation: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sql
        .row(
            "SELECT public_key FROM organisation_keys WHERE organisation_id = ?1",
            &[organisation.into()],
        )?
        .map(|r| r[0].text()))
}

fn valid_box_key(key: &str) -> Result<(), StoreError> {
    match senda_protocol::unhex(key) {
        // A low-order point would make every box sealed to it predictable: sealing refuses it.
        Some(k) if k.len() == 32 && senda_protocol::seal::seal(key, b"", b"").is_ok() => Ok(()),
        _ => Err(refused(Refusal::BadKey)),
    }
}

/// Registers (or replaces) an organisation's public key. Grants of an older
/// key are dropped: its devices must be granted the new one.
pub fn set_organisation_key(
    sql: &mut dyn Sql,
    organisation: &str,
    public_key: &str,
    now: &str,
) -> Result<(), StoreError> {
    ensure_organisation(sql, organisation)?;
    valid_box_key(public_key)?;
    sql.exec(
        "DELETE FROM key_grants WHERE organisation_id = ?1 AND organisation_key <> ?2",
        &[organisation.into(), public_key.into()],
    )?;
    sql.exec(
        "INSERT INTO organisation_keys (organisation_id, public_key, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (organisation_id) DO UPDATE SET public_key = excluded.public_key, created_at = excluded.created_at",
        &[organisation.into(), public_key.into(), now.into()],
    )?;
    Ok(())
}

pub fn awaiting_key(sql: &mut dyn Sql, organisation: &str) -> Result<Vec<AwaitingKey>, StoreError> {
    ensure_organisation(sql, organisation)?;
    Ok(sql
        .rows(
            "SELECT d.id, b.public_key FROM devices d JOIN device_box_keys b ON b.device_id = d.id
             WHERE d.organisation_id = ?1 AND d.revoked_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM key_grants g WHERE g.device_id = d.id)
             ORDER BY d.enrolled_at",
            &[organisation.into()],
        )?
        .into_iter()
        .map(|r| AwaitingKey {
            device_id: r[0].text(),
            box_key: r[1].text(),
        })
        .collect())
}

/// Keeps an organisation's secret, sealed (elsewhere) to one device's box key.
pub fn grant_key(
    sql: &mut dyn Sql,
    device_id: &str,
    sealed: &senda_protocol::SealedBox,
    now: &str,
) -> Result<(), StoreError> {
    let Some(row) = sql.row(
        "SELECT d.organisation_id, b.public_key FROM devices d JOIN device_box_keys b ON b.device_id = d.id
         WHERE d.id = ?1 AND d.revoked_at IS NULL",
        &[device_id.into()],
    )?
    else {
        return Err(refused(Refusal::NoSuchDevice));
    };
    let organisation = row[0].text();
    // Sealed to anything but this device's key, nobody could open it.
    if sealed.to != row[1].text() {
        return Err(refused(Refusal::BadKey));
    }
    let Some(org_key) = organisation_key_of(sql, &organisation)? else {
        return Err(refused(Refusal::NoOrganisationKey));
    };
    sql.exec(
        "INSERT INTO key_grants (device_id, organisation_id, organisation_key, sealed, granted_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (device_id) DO UPDATE SET organisation_key = excluded.organisation_key,
           sealed = excluded.sealed, granted_at = excluded.granted_at",
        &[
            device_id.into(),
            organisation.into(),
            org_key.into(),
            serde_json::to_string(sealed).expect("JSON").into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// What a device needs to seal and to open: receivers' keys, and its own organisation's secret.
pub fn keys(sql: &mut dyn Sql, device: &Device) -> Result<KeysResponse, StoreError> {
    let routes = sql
        .rows(
            "SELECT r.service_id, r.organisation_id, k.public_key FROM service_routes r
             JOIN organisation_keys k ON k.organisation_id = r.organisation_id ORDER BY r.service_id",
            &[],
        )?
        .into_iter()
        .map(|r| RouteKey {
            service_id: r[0].text(),
            organisation: r[1].text(),
            public_key: r[2].text(),
        })
        .collect();
    let organisation_key: Option<SealedBox> = sql
        .row(
            "SELECT sealed FROM key_grants WHERE device_id = ?1",
            &[device.id.clone().into()],
        )?
        .and_then(|r| serde_json::from_str(&r[0].text()).ok());
    // Only a device that holds the secret can pass it on.
    let awaiting = if organisation_key.is_some() {
        awaiting_key(sql, &device.organisation)?
    } else {
        Vec::new()
    };
    let organisation_public_key = organisation_key_of(sql, &device.organisation)?;
    Ok(KeysResponse {
        routes,
        organisation_key,
        awaiting,
        organisation_public_key,
    })
}

/// A device passes its organisation's secret to newly enrolled devices of the
/// same organisation (sealed on the device; the server never sees it), so that
/// the key reaches a new device at its first sync without an administrator.
pub fn peer_grants(
    sql: &mut dyn Sql,
    device: &Device,
    grants: &[KeyGrant],
    now: &str,
) -> Result<usize, StoreError> {
    if sql
        .row(
            "SELECT 1 FROM key_grants WHERE device_id = ?1",
            &[device.id.clone().into()],
        )?
        .is_none()
    {
        return Err(refused(Refusal::NoOrganisationKey));
    }
    let mut granted = 0;
    for grant in grants {
        let Some(target) = sql.row(
            "SELECT (SELECT COUNT(*) FROM key_grants g WHERE g.device_id = d.id) FROM devices d
             WHERE d.id = ?1 AND d.organisation_id = ?2",
            &[
                grant.device_id.clone().into(),
                device.organisation.clone().into(),
            ],
        )?
        else {
            return Err(refused(Refusal::NoSuchDevice));
        };
        // A device's grant is never replaced by a peer (another peer may have been first).
        if target[0].int() == 0 {
            grant_key(sql, &grant.device_id, &grant.sealed, now)?;
            granted += 1;
        }
    }
    Ok(granted)
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
