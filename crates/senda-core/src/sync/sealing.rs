//! Every field of a child's record leaves the device sealed to its
//! organisation's key (`senda_protocol::fields`); only routing fields and a
//! few coarse statistics travel readable. A device without its
//! organisation's secret sends nothing.

use crate::casework::{Age, CaseError};
use chrono::{Datelike, Months, NaiveDate};
use senda_protocol::fields::{FieldKeys, plain_field};
use senda_protocol::{BoxSecret, Op, SealedConflict};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// The field keys derived from one of the organisation's secrets, and its
/// public key (which names the keys a row was sealed with).
pub(crate) struct OrgKeys {
    pub fields: FieldKeys,
    pub public: String,
}

/// The version of what [`seal_op`] and a summary's sealing write: raise it
/// whenever that changes, so copies sealed ahead by an earlier build are
/// sealed again rather than sent as they were.
const SEALING_FORMAT: u32 = 1;

impl OrgKeys {
    pub fn new(secret: &BoxSecret) -> Self {
        Self {
            fields: FieldKeys::derive(secret),
            public: secret.public_hex(),
        }
    }

    /// What a row sealed ahead with these keys by this build records: the
    /// protocol and sealing versions and the organisation's public key.
    pub fn sealed_with(&self) -> String {
        format!(
            "{}.{SEALING_FORMAT}:{}",
            senda_protocol::PROTOCOL_VERSION,
            self.public
        )
    }
}

/// Parts of a record whose inner fields are sealed one by one, so that two
/// edits of different fields never conflict.
const NESTED: [&str; 3] = ["details", "notes", "answers"];

/// Moves every field of `op` but the readable ones into `op.sealed` (one box
/// for the op, with each field's hash by a keyed id if it changes a record),
/// and adds the statistic fields. Which question was answered says something
/// about the child too: the server sees only the keyed ids, never a path.
pub(crate) fn seal_op(op: &mut Op, keys: &OrgKeys, today: NaiveDate) -> Result<(), CaseError> {
    let payload = std::mem::take(&mut op.payload);
    let mut plain = statistics(op, &payload, today);
    let Json::Object(top) = payload else {
        op.payload = Json::Object(plain);
        return Ok(());
    };
    let mut sealed = BTreeMap::new();
    for (name, value) in top {
        let inner = match (&value, NESTED.contains(&name.as_str())) {
            (Json::Object(inner), true) => inner
                .iter()
                .map(|(k, v)| (format!("{name}.{k}"), v.clone()))
                .collect(),
            _ => vec![(name, value)],
        };
        for (path, value) in inner {
            if plain_field(&op.entity, &path) {
                plain.insert(path, value);
                continue;
            }
            sealed.insert(path, value);
        }
    }
    if !sealed.is_empty() {
        // A record's creation cannot conflict: its fields need no hashes.
        op.sealed = keys.fields.seal(
            (&op.entity, &op.entity_id, &op.op_id),
            &sealed,
            op.base_version > 0,
        );
    }
    op.payload = Json::Object(plain);
    Ok(())
}

/// Seals `op` as a device of the organisation holding `secret` does before
/// sending it (for tests and tools that build operations by hand).
pub fn seal_for_organisation(
    op: &mut Op,
    secret: &BoxSecret,
    today: NaiveDate,
) -> Result<(), CaseError> {
    seal_op(op, &OrgKeys::new(secret), today)
}

/// The key under which the server keeps one of a record's sealed fields and
/// names it in a conflict, as a device of the organisation holding `secret`
/// computes it (for tests and tools that read the server's records).
pub fn field_key(secret: &BoxSecret, entity_id: &str, path: &str) -> String {
    senda_protocol::fields::field_key(&FieldKeys::derive(secret).field_id(entity_id, path))
}

/// The coarse counters the server keeps (ARCHITECTURE.md lists each and why).
fn statistics(op: &Op, payload: &Json, today: NaiveDate) -> Map<String, Json> {
    let mut out = Map::new();
    match op.entity.as_str() {
        "case" => {
            if let Some(country) = payload.pointer("/details/country") {
                out.insert("country".into(), country.clone());
            }
            if let Some(age) = payload.pointer("/details/age") {
                let age: Age = serde_json::from_value(age.clone()).unwrap_or_default();
                out.insert("age_band".into(), age_band(&age, today).into());
            }
            if op.op == "create" {
                // The week the case was opened (its HLC), not the week it was sent.
                let opened = crate::hlc::Hlc::parse(&op.hlc)
                    .and_then(|h| chrono::DateTime::from_timestamp_millis(h.millis))
                    .map_or(today, |t| t.date_naive());
                let week = opened.iso_week();
                out.insert(
                    "week".into(),
                    format!("{}-W{:02}", week.year(), week.week()).into(),
                );
            }
        }
        "screening" => {
            if let Some(level) = payload.pointer("/evaluation/level") {
                out.insert("risk_level".into(), level.clone());
            }
        }
        _ => {}
    }
    out
}

/// Five bands and "unknown": enough to count services by age, never an age.
pub(crate) fn age_band(age: &Age, today: NaiveDate) -> &'static str {
    let born = match *age {
        Age::Unknown => None,
        Age::Estimated { years, on } => on.checked_sub_months(Months::new(12 * u32::from(years))),
        Age::BirthDate { date } => Some(date),
    };
    match born.and_then(|b| today.years_since(b)) {
        None => "unknown",
        Some(0..=5) => "0-5",
        Some(6..=11) => "6-11",
        Some(12..=14) => "12-14",
        Some(15..=17) => "15-17",
        Some(_) => "18+",
    }
}

/// Opens both sides of a conflict on a sealed field (`field`: its keyed id
/// as the server keeps it, `#` and hex): the field's path (an answer's real
/// question) and each value as JSON text. Each side opens with whichever of
/// the organisation's key pairs it was sealed with (`keys`: every one this
/// device holds, so values sealed before a rotation still open), and only if
/// it opens in its place with its check and hashes. A side that does not
/// open is shown as null rather than hidden; the last value says how many
/// sides no key this device holds opened (a value the server planted,
/// swapped or moved, or one sealed with a key this device was never given).
pub(crate) fn open_conflict(
    keys: &[OrgKeys],
    entity: &str,
    entity_id: &str,
    field: &str,
    our_op: &str,
    sealed: &SealedConflict,
) -> (String, String, String, usize) {
    let id = senda_protocol::fields::field_id_of(field).unwrap_or_default();
    let forged = std::cell::Cell::new(0);
    let mut name = None;
    let mut open = |f: &senda_protocol::SealedFields, op: &str| -> Json {
        let opened = keys.iter().find_map(|k| {
            let mut fields = k.fields.open((entity, entity_id, op), f).ok()?;
            let path = k.fields.path_of(entity_id, &fields, &id)?.to_owned();
            let value = fields.remove(&path)?;
            Some((path, value))
        });
        match opened {
            Some((path, value)) => {
                name.get_or_insert(path);
                value
            }
            None => {
                forged.set(forged.get() + 1);
                Json::Null
            }
        }
    };
    let theirs = open(&sealed.theirs, &sealed.theirs_op);
    let ours = open(&sealed.ours, our_op);
    (
        name.unwrap_or_else(|| field.to_owned()),
        theirs.to_string(),
        ours.to_string(),
        forged.get(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(op_id: &str, payload: Json) -> Op {
        Op {
            op_id: op_id.into(),
            seq: 1,
            hlc: "001796000000000.000000".into(),
            entity: "screening".into(),
            entity_id: "s1".into(),
            case_id: "c1".into(),
            op: "update".into(),
            base_version: 1,
            version: 2,
            payload,
            sealed: Default::default(),
            sealed_summary: None,
        }
    }

    #[test]
    fn an_answer_leaves_without_its_question_and_a_conflict_on_it_opens_on_the_device() {
        let secret = BoxSecret::generate();
        let keys = OrgKeys::new(&secret);
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let mut theirs = op(
            "op-a",
            json!({ "answers": { "peligro-ahora": { "type": "yes" } } }),
        );
        let mut ours = op(
            "op-b",
            json!({ "answers": { "peligro-ahora": { "type": "no" } } }),
        );
        seal_op(&mut theirs, &keys, today).unwrap();
        seal_op(&mut ours, &keys, today).unwrap();
        assert_eq!(theirs.payload, json!({}));
        // The server sees one keyed id per field: never the question.
        let id = theirs.sealed.hashes.keys().next().unwrap().clone();
        assert_eq!(theirs.sealed.hashes.len(), 1);
        let wire = senda_protocol::encode(&theirs);
        assert!(!wire.windows(7).any(|w| w == b"peligro" || w == b"answers"));
        // Same question, same id on every device of the organisation; the values differ.
        assert_eq!(ours.sealed.hashes.keys().next(), Some(&id));
        assert_ne!(theirs.sealed.hashes[&id], ours.sealed.hashes[&id]);
        let path =
            senda_protocol::fields::field_key(&keys.fields.field_id("s1", "answers.peligro-ahora"));
        assert_eq!(path, format!("#{}", senda_protocol::hex(&id)));
        let path = path.as_str();
        let conflict = SealedConflict {
            theirs_op: "op-a".into(),
            theirs: theirs.sealed.clone(),
            ours: ours.sealed.clone(),
        };
        let held = [OrgKeys::new(&secret)];
        let (name, t, o, forged) = open_conflict(&held, "screening", "s1", path, "op-b", &conflict);
        assert_eq!(name, "answers.peligro-ahora");
        assert_eq!(
            (t.as_str(), o.as_str(), forged),
            (r#"{"type":"yes"}"#, r#"{"type":"no"}"#, 0)
        );
        // Bound to its op: opened as another op's, it shows nothing, and is counted.
        let (_, t, _, moved) = open_conflict(
            &held,
            "screening",
            "s1",
            path,
            "op-b",
            &SealedConflict {
                theirs_op: "op-x".into(),
                ..conflict.clone()
            },
        );
        assert_eq!((t.as_str(), moved), ("null", 1));
        // A value the server made itself, naming the organisation's key (which
        // it knows) and copying a hash it saw: shown as nothing, and counted.
        let planted = senda_protocol::SealedFields {
            ct: vec![7; theirs.sealed.ct.len()],
            ..theirs.sealed.clone()
        };
        let (_, t, o, forged) = open_conflict(
            &held,
            "screening",
            "s1",
            path,
            "op-b",
            &SealedConflict {
                theirs: planted,
                ..conflict.clone()
            },
        );
        assert_eq!(
            (t.as_str(), o.as_str(), forged),
            ("null", r#"{"type":"no"}"#, 1)
        );
        // Without the key it was sealed to, a side shows nothing; with every key
        // held (after a rotation: the old one and the new), both open.
        let newer = OrgKeys::new(&BoxSecret::generate());
        let (_, t, _, _) = open_conflict(
            std::slice::from_ref(&newer),
            "screening",
            "s1",
            path,
            "op-b",
            &conflict,
        );
        assert_eq!(t, "null");
        let both = [newer, OrgKeys::new(&secret)];
        let (_, t, o, _) = open_conflict(&both, "screening", "s1", path, "op-b", &conflict);
        assert_eq!(
            (t.as_str(), o.as_str()),
            (r#"{"type":"yes"}"#, r#"{"type":"no"}"#)
        );
    }

    #[test]
    fn all_of_an_ops_fields_leave_in_one_box_and_only_an_edit_names_them() {
        let keys = OrgKeys::new(&BoxSecret::generate());
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let payload =
            json!({ "details": { "alias": "Luz", "country": "CO" }, "notes": { "needs": "agua" } });
        let mut created = op("op-c", payload.clone());
        created.entity = "case".into();
        (created.op, created.base_version, created.version) = ("create".into(), 0, 1);
        seal_op(&mut created, &keys, today).unwrap();
        // Country and week are statistics; alias, country as typed and needs are sealed together.
        assert_eq!(
            created.payload,
            json!({ "country": "CO", "week": "2026-W49" })
        );
        assert!(
            created.sealed.hashes.is_empty(),
            "a creation cannot conflict"
        );
        let opened = keys
            .fields
            .open(("case", "s1", "op-c"), &created.sealed)
            .unwrap();
        assert_eq!(
            opened.keys().map(String::as_str).collect::<Vec<_>>(),
            ["details.alias", "details.country", "notes.needs"]
        );
        let mut edited = op("op-e", json!({ "notes": { "needs": "agua" } }));
        edited.entity = "case".into();
        seal_op(&mut edited, &keys, today).unwrap();
        assert_eq!(
            edited.sealed.hashes.keys().cloned().collect::<Vec<_>>(),
            [keys.fields.field_id("s1", "notes.needs")]
        );
    }

    #[test]
    fn age_bands_are_coarse_and_unknown_stays_unknown() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let born = |y, m, d| Age::BirthDate {
            date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        };
        assert_eq!(age_band(&Age::Unknown, today), "unknown");
        assert_eq!(age_band(&born(2012, 12, 4), today), "12-14");
        assert_eq!(age_band(&born(2011, 12, 3), today), "15-17");
        assert_eq!(age_band(&born(2008, 12, 3), today), "18+");
        let estimated = Age::Estimated {
            years: 9,
            on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        assert_eq!(age_band(&estimated, today), "6-11");
    }
}
