//! Counts for the console's statistics, kept in the same transaction as the
//! change they count (migration 024): screenings by organisation, country, ISO
//! week, age band and risk level; referrals by sender, receiver, month and
//! status, service or days to acceptance. Only the coarse fields the server
//! reads go in. Each counted record's key is kept, so a change takes the old
//! key out and puts the new one in; a page then reads grouped rows only.
//! Suppression happens later, on the page (console/stats.rs).

use super::StoreError;
use super::sql::{Sql, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Bands of whole days from "sent" to "accepted": (first day, label).
pub const ACCEPT_BANDS: &[(i64, &str)] = &[
    (0, "0-1"),
    (2, "2-7"),
    (8, "8-14"),
    (15, "15-30"),
    (31, "31+"),
];

/// The band of `days` (negative, from a clock off by a little, counts as 0).
pub fn accept_band(days: i64) -> &'static str {
    ACCEPT_BANDS
        .iter()
        .rev()
        .find(|(from, _)| days >= *from)
        .map_or(ACCEPT_BANDS[0].1, |(_, label)| label)
}

/// After a push's operations were applied (entity, entity id, case id of
/// each): recount what they may have moved, each case and referral once.
/// Cases are read a chunk at a time, so a push's statements do not grow with
/// its cases (a referral costs its own few, as registering it does).
pub(super) fn applied(sql: &mut dyn Sql, ops: &[(&str, &str, &str)]) -> Result<(), StoreError> {
    let mut cases = std::collections::BTreeSet::new();
    let mut referrals = std::collections::BTreeSet::new();
    for (entity, entity_id, case_id) in ops {
        match *entity {
            "case" | "screening" => {
                cases.insert(*case_id);
            }
            "referral" => {
                referrals.insert(*entity_id);
            }
            _ => {}
        }
    }
    let cases: Vec<&str> = cases.into_iter().collect();
    for chunk in cases.chunks(400) {
        screenings_of_cases(sql, chunk)?;
    }
    for id in referrals {
        referral(sql, id)?;
    }
    Ok(())
}

/// Before a case is purged: everything of it leaves the counts.
pub(super) fn forget_case(sql: &mut dyn Sql, case_id: &str) -> Result<(), StoreError> {
    for r in sql.rows(
        "SELECT id FROM entities WHERE case_id = ?1 AND entity = 'referral'",
        &[case_id.into()],
    )? {
        set_referral(sql, &r[0].text(), None)?;
    }
    let counted = sql.rows(
        "SELECT screening_id FROM stats_screening_keys WHERE case_id = ?1",
        &[case_id.into()],
    )?;
    for r in counted {
        set_screening(sql, &r[0].text(), case_id, None)?;
    }
    Ok(())
}

/// After a service got a receiver: its referrals now count under it.
pub(super) fn routed(sql: &mut dyn Sql, service_id: &str) -> Result<(), StoreError> {
    for r in sql.rows(
        "SELECT k.referral_id FROM stats_referral_keys k JOIN referrals r ON r.id = k.referral_id
         WHERE r.service_id = ?1 AND k.receiver_org <> COALESCE(r.receiver_org, '')",
        &[service_id.into()],
    )? {
        referral(sql, &r[0].text())?;
    }
    Ok(())
}

/// The readable fields the counts go by, read alone from a record's fields
/// (which the server writes as one JSON object): the rest (most of a
/// screening record is its sealed fields' hashes) is skipped without being
/// built. Fields that cannot be read so count as unknown.
#[derive(Debug, Default, serde::Deserialize)]
struct Coarse {
    country: Option<Json>,
    week: Option<Json>,
    age_band: Option<Json>,
    risk_level: Option<Json>,
}

impl Coarse {
    fn read(fields: &str) -> Option<Self> {
        serde_json::from_str(fields).ok()
    }
}

/// A field's value if it is readable text ("unknown" when missing or sealed).
fn coarse(value: &Option<Json>) -> Option<String> {
    value
        .as_ref()
        .and_then(Json::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ScreeningKey {
    organisation: String,
    country: String,
    week: String,
    age_band: String,
    risk_level: String,
}

fn screenings_of_cases(sql: &mut dyn Sql, case_ids: &[&str]) -> Result<(), StoreError> {
    let ids: Vec<Value> = case_ids.iter().map(|c| Value::from(*c)).collect();
    let list = super::logic::placeholders(1, ids.len());
    let unknown = || "unknown".to_owned();
    // Each case's place; a case without its week (written before devices sent it) is not counted.
    let mut places: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for r in sql.rows(
        &format!(
            "SELECT case_id, fields FROM entities WHERE case_id IN ({list}) AND entity = 'case'"
        ),
        &ids,
    )? {
        let place = Coarse::read(&r[1].text()).and_then(|c| {
            Some((
                coarse(&c.country).unwrap_or_else(unknown),
                coarse(&c.week)?,
                coarse(&c.age_band).unwrap_or_else(unknown),
            ))
        });
        // One case record per case: the first read stands, as `LIMIT 1` did.
        if let (Some(place), std::collections::btree_map::Entry::Vacant(e)) =
            (place, places.entry(r[0].text()))
        {
            e.insert(place);
        }
    }
    let mut wanted: BTreeMap<String, (String, ScreeningKey)> = BTreeMap::new();
    if !places.is_empty() {
        for r in sql.rows(
            &format!(
                "SELECT id, organisation_id, fields, case_id FROM entities
                 WHERE case_id IN ({list}) AND entity = 'screening'"
            ),
            &ids,
        )? {
            let case_id = r[3].text();
            let Some((country, week, age_band)) = places.get(&case_id) else {
                continue;
            };
            let fields = Coarse::read(&r[2].text()).unwrap_or_default();
            let key = ScreeningKey {
                organisation: r[1].text(),
                country: country.clone(),
                week: week.clone(),
                age_band: age_band.clone(),
                risk_level: coarse(&fields.risk_level).unwrap_or_else(unknown),
            };
            wanted.insert(r[0].text(), (case_id, key));
        }
    }
    let mut counted: BTreeMap<String, (String, ScreeningKey)> = BTreeMap::new();
    for r in sql.rows(
        &format!(
            "SELECT screening_id, case_id, organisation_id, country, week, age_band, risk_level
             FROM stats_screening_keys WHERE case_id IN ({list})"
        ),
        &ids,
    )? {
        let key = ScreeningKey {
            organisation: r[2].text(),
            country: r[3].text(),
            week: r[4].text(),
            age_band: r[5].text(),
            risk_level: r[6].text(),
        };
        counted.insert(r[0].text(), (r[1].text(), key));
    }
    // Only what moved is written: most pushes change no count.
    for (id, (case_id, _)) in &counted {
        if !wanted.contains_key(id) {
            set_screening(sql, id, case_id, None)?;
        }
    }
    for (id, (case_id, key)) in wanted {
        if counted.get(&id).map(|(_, k)| k) != Some(&key) {
            set_screening(sql, &id, &case_id, Some(key))?;
        }
    }
    Ok(())
}

/// Makes screening `id` count under `key` (or not at all).
fn set_screening(
    sql: &mut dyn Sql,
    id: &str,
    case_id: &str,
    key: Option<ScreeningKey>,
) -> Result<(), StoreError> {
    let old = sql
        .row(
            "SELECT organisation_id, country, week, age_band, risk_level FROM stats_screening_keys
             WHERE screening_id = ?1",
            &[id.into()],
        )?
        .map(|r| ScreeningKey {
            organisation: r[0].text(),
            country: r[1].text(),
            week: r[2].text(),
            age_band: r[3].text(),
            risk_level: r[4].text(),
        });
    if old == key {
        return Ok(());
    }
    if let Some(old) = old {
        add_screening(sql, &old, -1)?;
        sql.exec(
            "DELETE FROM stats_screening_keys WHERE screening_id = ?1",
            &[id.into()],
        )?;
    }
    if let Some(k) = key {
        add_screening(sql, &k, 1)?;
        sql.exec(
            "INSERT INTO stats_screening_keys (screening_id, case_id, organisation_id, country, week, age_band, risk_level)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                id.into(),
                case_id.into(),
                k.organisation.into(),
                k.country.into(),
                k.week.into(),
                k.age_band.into(),
                k.risk_level.into(),
            ],
        )?;
    }
    Ok(())
}

fn add_screening(sql: &mut dyn Sql, k: &ScreeningKey, delta: i64) -> Result<(), StoreError> {
    let key: [Value; 5] = [
        (&k.organisation).into(),
        (&k.country).into(),
        (&k.week).into(),
        (&k.age_band).into(),
        (&k.risk_level).into(),
    ];
    let mut params = key.to_vec();
    params.push(delta.into());
    sql.exec(
        "INSERT INTO stats_screenings (organisation_id, country, week, age_band, risk_level, n)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (organisation_id, country, week, age_band, risk_level)
         DO UPDATE SET n = stats_screenings.n + excluded.n",
        &params,
    )?;
    if delta < 0 {
        sql.exec(
            "DELETE FROM stats_screenings WHERE organisation_id = ?1 AND country = ?2 AND week = ?3
             AND age_band = ?4 AND risk_level = ?5 AND n <= 0",
            &key,
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ReferralKey {
    sender: String,
    receiver: String,
    status: String,
    service: String,
    month: String,
    /// `""` until accepted (or when the times are not known).
    accept_band: String,
}

/// Recounts referral `id` from its row in `referrals`.
pub(super) fn referral(sql: &mut dyn Sql, id: &str) -> Result<(), StoreError> {
    let key = sql
        .row(
            "SELECT sender_org, COALESCE(receiver_org, ''), status, service_id, updated_at, sent_at, accepted_at
             FROM referrals WHERE id = ?1",
            &[id.into()],
        )?
        .map(|r| {
            let at = |v: &Value| {
                v.opt_text()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            };
            let band = match (at(&r[5]), at(&r[6])) {
                (Some(sent), Some(accepted)) => accept_band((accepted - sent).num_days()).into(),
                _ => String::new(),
            };
            ReferralKey {
                sender: r[0].text(),
                receiver: r[1].text(),
                status: r[2].text(),
                service: r[3].text(),
                month: r[4].text().chars().take(7).collect(),
                accept_band: band,
            }
        });
    set_referral(sql, id, key)
}

fn set_referral(sql: &mut dyn Sql, id: &str, key: Option<ReferralKey>) -> Result<(), StoreError> {
    let old = sql
        .row(
            "SELECT sender_org, receiver_org, status, service_id, month, accept_band
             FROM stats_referral_keys WHERE referral_id = ?1",
            &[id.into()],
        )?
        .map(|r| ReferralKey {
            sender: r[0].text(),
            receiver: r[1].text(),
            status: r[2].text(),
            service: r[3].text(),
            month: r[4].text(),
            accept_band: r[5].text(),
        });
    if old == key {
        return Ok(());
    }
    if let Some(old) = old {
        add_referral(sql, &old, -1)?;
        sql.exec(
            "DELETE FROM stats_referral_keys WHERE referral_id = ?1",
            &[id.into()],
        )?;
    }
    if let Some(k) = key {
        add_referral(sql, &k, 1)?;
        sql.exec(
            "INSERT INTO stats_referral_keys (referral_id, sender_org, receiver_org, status, service_id, month, accept_band)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                id.into(),
                k.sender.into(),
                k.receiver.into(),
                k.status.into(),
                k.service.into(),
                k.month.into(),
                k.accept_band.into(),
            ],
        )?;
    }
    Ok(())
}

fn add_referral(sql: &mut dyn Sql, k: &ReferralKey, delta: i64) -> Result<(), StoreError> {
    let mut kinds = vec![("status", &k.status), ("service", &k.service)];
    if !k.accept_band.is_empty() {
        kinds.push(("accept", &k.accept_band));
    }
    for (kind, value) in kinds {
        let key: [Value; 5] = [
            kind.into(),
            (&k.sender).into(),
            (&k.receiver).into(),
            (&k.month).into(),
            value.into(),
        ];
        let mut params = key.to_vec();
        params.push(delta.into());
        sql.exec(
            "INSERT INTO stats_referrals (kind, sender_org, receiver_org, month, value, n)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (kind, sender_org, receiver_org, month, value)
             DO UPDATE SET n = stats_referrals.n + excluded.n",
            &params,
        )?;
        if delta < 0 {
            sql.exec(
                "DELETE FROM stats_referrals WHERE kind = ?1 AND sender_org = ?2 AND receiver_org = ?3
                 AND month = ?4 AND value = ?5 AND n <= 0",
                &key,
            )?;
        }
    }
    Ok(())
}

/// Recounts everything from the records (after a bulk load, or to repair):
/// the same result as keeping the counts one change at a time.
pub fn rebuild(sql: &mut dyn Sql, postgres: bool) -> Result<(), StoreError> {
    for table in [
        "stats_screening_keys",
        "stats_screenings",
        "stats_referral_keys",
        "stats_referrals",
    ] {
        sql.exec(&format!("DELETE FROM {table}"), &[])?;
    }
    let text = |col: &str, name: &str| {
        if postgres {
            format!(
                "CASE WHEN jsonb_typeof({col}::jsonb->'{name}') = 'string' AND ({col}::jsonb->>'{name}') <> '' \
                 THEN ({col}::jsonb->>'{name}') END"
            )
        } else {
            format!(
                "CASE WHEN json_type({col}, '$.{name}') = 'text' AND json_extract({col}, '$.{name}') <> '' \
                 THEN json_extract({col}, '$.{name}') END"
            )
        }
    };
    sql.exec(
        &format!(
            "INSERT INTO stats_screening_keys (screening_id, case_id, organisation_id, country, week, age_band, risk_level)
             SELECT s.id, s.case_id, s.organisation_id, COALESCE({country}, 'unknown'), {week},
                    COALESCE({age}, 'unknown'), COALESCE({risk}, 'unknown')
             FROM entities s JOIN entities c ON c.case_id = s.case_id AND c.entity = 'case'
             WHERE s.entity = 'screening' AND {week} IS NOT NULL
             ON CONFLICT DO NOTHING",
            country = text("c.fields", "country"),
            week = text("c.fields", "week"),
            age = text("c.fields", "age_band"),
            risk = text("s.fields", "risk_level"),
        ),
        &[],
    )?;
    sql.exec(
        "INSERT INTO stats_screenings (organisation_id, country, week, age_band, risk_level, n)
         SELECT organisation_id, country, week, age_band, risk_level, COUNT(*) FROM stats_screening_keys
         GROUP BY organisation_id, country, week, age_band, risk_level",
        &[],
    )?;
    // Whole days from sent to accepted, then its band (as `accept_band`).
    let days = if postgres {
        "FLOOR(EXTRACT(EPOCH FROM (accepted_at::timestamptz - sent_at::timestamptz)) / 86400)"
    } else {
        "CAST(julianday(accepted_at) - julianday(sent_at) AS INTEGER)"
    };
    let mut band = String::from("CASE WHEN sent_at IS NULL OR accepted_at IS NULL THEN ''");
    for (from, label) in ACCEPT_BANDS.iter().rev() {
        band.push_str(&format!(" WHEN {days} >= {from} THEN '{label}'"));
    }
    band.push_str(&format!(" ELSE '{}' END", ACCEPT_BANDS[0].1));
    sql.exec(
        &format!(
            "INSERT INTO stats_referral_keys (referral_id, sender_org, receiver_org, status, service_id, month, accept_band)
             SELECT id, sender_org, COALESCE(receiver_org, ''), status, service_id, SUBSTR(updated_at, 1, 7), {band}
             FROM referrals"
        ),
        &[],
    )?;
    for (kind, column, filter) in [
        ("status", "status", ""),
        ("service", "service_id", ""),
        ("accept", "accept_band", "WHERE accept_band <> ''"),
    ] {
        sql.exec(
            &format!(
                "INSERT INTO stats_referrals (kind, sender_org, receiver_org, month, value, n)
                 SELECT '{kind}', sender_org, receiver_org, month, {column}, COUNT(*) FROM stats_referral_keys
                 {filter} GROUP BY sender_org, receiver_org, month, {column}"
            ),
            &[],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_fall_in_their_band() {
        assert_eq!(accept_band(-1), "0-1");
        assert_eq!(accept_band(0), "0-1");
        assert_eq!(accept_band(1), "0-1");
        assert_eq!(accept_band(2), "2-7");
        assert_eq!(accept_band(7), "2-7");
        assert_eq!(accept_band(8), "8-14");
        assert_eq!(accept_band(30), "15-30");
        assert_eq!(accept_band(31), "31+");
        assert_eq!(accept_band(400), "31+");
    }
}
