//! Offline search of the directory.
//!
//! On every content install the HSDS rows are flattened into `dir_entry`
//! (one row per service at a location) and an FTS5 index whose tokenizer
//! folds case and accents, so "atencion psicologica" finds "Atención
//! psicológica". Query terms match as prefixes; a term that matches nothing
//! is widened to the index's words within a small edit distance.

use super::hsds::HsdsRow;
use super::senda_attributes as attr;
use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization;

/// The index tables (a content-store migration).
pub(crate) const INDEX_SQL: &str = "
CREATE TABLE dir_entry (
    rowid INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL,
    location_id TEXT,
    name TEXT NOT NULL,
    organization TEXT,
    description TEXT,
    country TEXT,
    region TEXT,
    address TEXT,
    latitude REAL,
    longitude REAL,
    categories TEXT NOT NULL,
    min_age REAL,
    max_age REAL,
    genders TEXT,
    undocumented INTEGER,
    adolescent_mothers INTEGER,
    separates_children INTEGER,
    unaccompanied INTEGER,
    free INTEGER,
    authority INTEGER NOT NULL,
    phones TEXT NOT NULL,
    schedules TEXT NOT NULL,
    demo INTEGER NOT NULL,
    source TEXT,
    last_verified TEXT
) STRICT;
CREATE INDEX dir_entry_area ON dir_entry (country, region);
CREATE INDEX dir_entry_lat ON dir_entry (latitude);
CREATE VIRTUAL TABLE dir_fts USING fts5 (
    name, organization, description, categories, place,
    content = '', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE dir_vocab USING fts5vocab (dir_fts, 'row');
";

/// Who the service is for: the eligibility filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChildProfile {
    pub age: Option<u8>,
    /// `female`, `male`, `non-binary`…; `None` when not said.
    pub gender: Option<String>,
    pub undocumented: bool,
    pub with_baby: bool,
    pub unaccompanied: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceQuery {
    pub text: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub region: Option<String>,
    /// A Senda category code, e.g. `proteccion-ninez`.
    pub category: Option<String>,
    pub child: Option<ChildProfile>,
    /// Only services open at this local time.
    pub open_at: Option<NaiveDateTime>,
    /// Order by distance from (latitude, longitude).
    pub near: Option<(f64, f64)>,
    /// Police and migration authorities are left out unless asked for.
    #[serde(default)]
    pub include_authorities: bool,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    pub number: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpeningHours {
    /// RRULE-style days, e.g. `["MO","TU"]`; empty means every day.
    pub days: Vec<String>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceHit {
    pub service_id: String,
    pub location_id: Option<String>,
    pub name: String,
    pub organization: Option<String>,
    pub description: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub distance_km: Option<f64>,
    pub categories: Vec<String>,
    pub phones: Vec<Phone>,
    pub hours: Vec<OpeningHours>,
    pub min_age: Option<f64>,
    pub max_age: Option<f64>,
    pub accepts_undocumented: Option<bool>,
    pub accepts_adolescent_mothers: Option<bool>,
    pub serves_unaccompanied_children: Option<bool>,
    pub separates_children_from_adults: Option<bool>,
    pub free_of_charge: Option<bool>,
    pub demo: bool,
    pub source: Option<String>,
    pub last_verified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchResult {
    pub hits: Vec<ServiceHit>,
    /// When nothing matches in the area asked for: the nearest matches elsewhere.
    pub nearest_elsewhere: Vec<ServiceHit>,
}

/// Flattens the installed HSDS rows into the index. Runs inside the install transaction.
pub(crate) fn rebuild(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "DELETE FROM dir_entry; INSERT INTO dir_fts (dir_fts) VALUES ('delete-all');",
    )?;
    let mut by_table: BTreeMap<String, Vec<HsdsRow>> = BTreeMap::new();
    {
        let mut stmt = tx.prepare("SELECT body FROM item WHERE kind = 'hsds-row'")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let body: String = r.get(0)?;
            if let Ok(row) = serde_json::from_str::<HsdsRow>(&body) {
                by_table.entry(row.table.clone()).or_default().push(row);
            }
        }
    }
    let empty = Vec::new();
    let table = |name: &str| by_table.get(name).unwrap_or(&empty);
    let index_by = |name: &str, column: &str| -> BTreeMap<String, Vec<&HsdsRow>> {
        let mut m: BTreeMap<String, Vec<&HsdsRow>> = BTreeMap::new();
        for r in table(name) {
            if let Some(k) = r.get(column) {
                m.entry(k.to_owned()).or_default().push(r);
            }
        }
        m
    };
    let by_id = |name: &str| -> BTreeMap<&str, &HsdsRow> {
        table(name).iter().map(|r| (r.id.as_str(), r)).collect()
    };

    let organizations = by_id("organization");
    let locations = by_id("location");
    let terms = by_id("taxonomy_term");
    let addresses = index_by("address", "location_id");
    let sal_by_service = index_by("service_at_location", "service_id");
    let phones_by_service = index_by("phone", "service_id");
    let phones_by_location = index_by("phone", "location_id");
    let schedules_by_service = index_by("schedule", "service_id");
    let attributes = index_by("attribute", "link_id");

    let mut insert = tx.prepare(
        "INSERT INTO dir_entry (service_id, location_id, name, organization, description, country, region,
            address, latitude, longitude, categories, min_age, max_age, genders, undocumented,
            adolescent_mothers, separates_children, unaccompanied, free, authority, phones, schedules,
            demo, source, last_verified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25)",
    )?;
    let mut fts = tx.prepare(
        "INSERT INTO dir_fts (rowid, name, organization, description, categories, place) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;

    for service in table("service") {
        let mut facts: BTreeMap<&str, &str> = BTreeMap::new();
        let mut categories = Vec::new();
        for a in attributes.get(&service.id).into_iter().flatten() {
            let Some(term) = a.get("taxonomy_term_id") else {
                continue;
            };
            if let Some(code) = term.strip_prefix(attr::CATEGORY_PREFIX) {
                categories.push(code.to_owned());
            } else {
                facts.insert(term, a.get("value").unwrap_or(""));
            }
            if let Some(t) = terms.get(term).and_then(|t| t.get("code"))
                && t != term
                && !categories.iter().any(|c| c == t)
                && !term.starts_with("senda:")
            {
                categories.push(t.to_owned());
            }
        }
        let fact = |k: &str| facts.get(k).and_then(|v| attr::flag(v));
        let authority = categories
            .iter()
            .any(|c| attr::AUTHORITY_CATEGORIES.contains(&c.as_str()));
        let organization = service
            .get("organization_id")
            .and_then(|o| organizations.get(o))
            .and_then(|o| o.get("name"));
        let schedules: Vec<OpeningHours> = schedules_by_service
            .get(&service.id)
            .into_iter()
            .flatten()
            .map(|s| OpeningHours {
                days: s
                    .get("byday")
                    .map(|d| d.split(',').map(|x| x.trim().to_owned()).collect())
                    .unwrap_or_default(),
                opens_at: s.get("opens_at").map(str::to_owned),
                closes_at: s.get("closes_at").map(str::to_owned),
                description: s.get("description").unwrap_or("").to_owned(),
            })
            .collect();
        let service_locations: Vec<Option<&HsdsRow>> = match sal_by_service.get(&service.id) {
            Some(sals) => sals
                .iter()
                .map(|sal| {
                    sal.get("location_id")
                        .and_then(|l| locations.get(l).copied())
                })
                .collect(),
            None => vec![None],
        };
        for location in service_locations {
            let address = location
                .and_then(|l| addresses.get(&l.id))
                .and_then(|a| a.first().copied());
            let coordinate = |axis: &str, limit: f64| {
                location
                    .and_then(|l| l.get(axis))
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.abs() <= limit)
            };
            let (lat, lon) = (coordinate("latitude", 90.0), coordinate("longitude", 180.0));
            let (lat, lon) = if lat.is_some() && lon.is_some() {
                (lat, lon)
            } else {
                (None, None)
            };
            let phones: Vec<Phone> = phones_by_service
                .get(&service.id)
                .into_iter()
                .flatten()
                .chain(
                    location
                        .and_then(|l| phones_by_location.get(&l.id))
                        .into_iter()
                        .flatten(),
                )
                .filter(|p| p.get("service_id").is_none_or(|s| s == service.id))
                .map(|p| Phone {
                    number: p.get("number").unwrap_or("").trim_matches('"').to_owned(),
                    description: p.get("description").unwrap_or("").to_owned(),
                })
                .fold(Vec::new(), |mut acc, p| {
                    if !acc.contains(&p) {
                        acc.push(p);
                    }
                    acc
                });
            let country = address
                .and_then(|a| a.get("country"))
                .map(str::to_uppercase);
            let region = address
                .and_then(|a| a.get("region").or(a.get("state_province")))
                .map(str::to_owned);
            let street = address.map(|a| {
                ["address_1", "city", "region"]
                    .iter()
                    .filter_map(|c| a.get(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            let place = [street.as_deref(), location.and_then(|l| l.get("name"))]
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            insert.execute(params![
                service.id,
                location.map(|l| l.id.as_str()),
                service.get("name").unwrap_or(""),
                organization,
                service.get("description"),
                country,
                region,
                street,
                lat,
                lon,
                categories.join(" "),
                service
                    .get("minimum_age")
                    .and_then(|v| v.parse::<f64>().ok()),
                service
                    .get("maximum_age")
                    .and_then(|v| v.parse::<f64>().ok()),
                facts
                    .get(attr::GENDERS_SERVED)
                    .map(|g| format!(",{},", g.replace(' ', ""))),
                fact(attr::ACCEPTS_UNDOCUMENTED),
                fact(attr::ACCEPTS_ADOLESCENT_MOTHERS),
                fact(attr::SEPARATES_CHILDREN_FROM_ADULTS),
                fact(attr::SERVES_UNACCOMPANIED_CHILDREN),
                fact(attr::FREE_OF_CHARGE),
                authority,
                serde_json::to_string(&phones).unwrap_or_default(),
                serde_json::to_string(&schedules).unwrap_or_default(),
                fact(attr::DEMO).unwrap_or(false),
                facts.get(attr::SOURCE),
                facts.get(attr::LAST_VERIFIED),
            ])?;
            let rowid = tx.last_insert_rowid();
            fts.execute(params![
                rowid,
                service.get("name").unwrap_or(""),
                organization.unwrap_or(""),
                service.get("description").unwrap_or(""),
                categories.join(" "),
                place
            ])?;
        }
    }
    Ok(())
}

/// Searches the directory. Deterministic for a given index and query.
pub fn search(conn: &Connection, q: &ServiceQuery) -> rusqlite::Result<SearchResult> {
    let hits = run(conn, q)?;
    let area_limited = q.country.is_some() || q.region.is_some();
    let nearest_elsewhere = if hits.is_empty() && area_limited {
        let wider = ServiceQuery {
            country: None,
            region: None,
            ..q.clone()
        };
        run(conn, &wider)?.into_iter().take(3).collect()
    } else {
        Vec::new()
    };
    Ok(SearchResult {
        hits,
        nearest_elsewhere,
    })
}

fn run(conn: &Connection, q: &ServiceQuery) -> rusqlite::Result<Vec<ServiceHit>> {
    let limit = if q.limit == 0 { 20 } else { q.limit };
    let mut sql = String::from("SELECT e.* FROM dir_entry e");
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut filters: Vec<String> = Vec::new();

    let mut matches = Vec::new();
    if let Some(text) = q.text.as_deref() {
        for term in terms(text) {
            matches.push(term_query(conn, &term)?);
        }
    }
    if let Some(cat) = &q.category {
        let words: Vec<String> = terms(cat).into_iter().map(|w| format!("\"{w}\"")).collect();
        if !words.is_empty() {
            matches.push(format!("categories : ({})", words.join(" + ")));
        }
    }
    let ranked = !matches.is_empty();
    if ranked {
        sql.push_str(" JOIN dir_fts f ON f.rowid = e.rowid");
        filters.push("dir_fts MATCH ?".into());
        args.push(matches.join(" AND ").into());
    }
    if let Some(c) = &q.country {
        filters.push("e.country = ?".into());
        args.push(c.to_uppercase().into());
    }
    if let Some(r) = &q.region {
        filters.push("e.region = ? COLLATE NOCASE".into());
        args.push(r.clone().into());
    }
    if !q.include_authorities {
        filters.push("e.authority = 0".into());
    }
    if let Some(child) = &q.child {
        if let Some(age) = child.age {
            filters.push(
                "(e.min_age IS NULL OR e.min_age <= ?) AND (e.max_age IS NULL OR e.max_age >= ?)"
                    .into(),
            );
            args.push(f64::from(age).into());
            args.push(f64::from(age).into());
        }
        if let Some(g) = &child.gender {
            filters.push("(e.genders IS NULL OR instr(e.genders, ?) > 0)".into());
            args.push(format!(",{g},").into());
        }
        // Unknown eligibility stays in (a person checks); only an explicit "no" leaves.
        if child.undocumented {
            filters.push("e.undocumented IS NOT 0".into());
        }
        if child.with_baby {
            filters.push("e.adolescent_mothers IS NOT 0".into());
        }
        if child.unaccompanied {
            filters.push("e.unaccompanied IS NOT 0".into());
        }
    }
    // Near a point with nothing else narrowing: look in a growing box first.
    let boxes: &[f64] = if q.near.is_some() && !ranked {
        &[0.5, 2.0, 8.0, 180.0]
    } else {
        &[180.0]
    };
    for &half in boxes {
        let mut sql = sql.clone();
        let mut filters = filters.clone();
        let mut args = args.clone();
        if let (Some((lat, lon)), true) = (q.near, half < 180.0) {
            filters.push("e.latitude BETWEEN ? AND ? AND e.longitude BETWEEN ? AND ?".into());
            args.extend([lat - half, lat + half, lon - half, lon + half].map(Into::into));
        }
        if !filters.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&filters.join(" AND "));
        }
        if ranked {
            sql.push_str(" ORDER BY bm25(dir_fts, 10.0, 4.0, 1.0, 2.0, 2.0), e.name");
        } else if q.near.is_none() {
            sql.push_str(" ORDER BY e.name");
        }
        // Distance and opening hours are computed here, so fetch enough to choose from.
        let fetch = if q.near.is_some() || q.open_at.is_some() {
            limit.max(200) * 5
        } else {
            limit
        };
        sql.push_str(&format!(" LIMIT {fetch}"));
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut hits: Vec<ServiceHit> = stmt
            .query_map(params_from_iter(args.iter()), hit_from_row)?
            .collect::<Result<_, _>>()?;
        if let Some(at) = q.open_at {
            hits.retain(|h| is_open(&h.hours, at) != Some(false));
        }
        if let Some((lat, lon)) = q.near {
            for h in &mut hits {
                h.distance_km = h
                    .latitude
                    .zip(h.longitude)
                    .map(|(a, b)| haversine_km(lat, lon, a, b));
            }
            hits.sort_by(|a, b| {
                let d = |h: &ServiceHit| h.distance_km.unwrap_or(f64::INFINITY);
                d(a).total_cmp(&d(b)).then_with(|| a.name.cmp(&b.name))
            });
        }
        if hits.len() >= limit || half >= 180.0 {
            hits.truncate(limit);
            return Ok(hits);
        }
    }
    Ok(Vec::new())
}

/// One FTS term: a prefix match, widened to near spellings when it matches nothing.
fn term_query(conn: &Connection, term: &str) -> rusqlite::Result<String> {
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM dir_vocab WHERE term >= ?1 AND term < ?1 || char(1114111) LIMIT 1",
            [term],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() || term.chars().count() < 4 {
        return Ok(format!("\"{term}\"*"));
    }
    let first: String = term.chars().take(1).collect();
    let max_distance = if term.chars().count() >= 8 { 2 } else { 1 };
    let mut stmt = conn.prepare_cached(
        "SELECT term FROM dir_vocab WHERE term >= ?1 AND term < ?1 || char(1114111) AND length(term) BETWEEN ?2 AND ?3",
    )?;
    let len = term.chars().count() as i64;
    let mut near: Vec<(usize, String)> = stmt
        .query_map(params![first, len - 2, len + 2], |r| r.get::<_, String>(0))?
        .filter_map(Result::ok)
        .filter_map(|w| {
            let d = strsim::levenshtein(term, &w);
            (d <= max_distance).then_some((d, w))
        })
        .collect();
    near.sort();
    near.truncate(5);
    let mut alternatives: Vec<String> = vec![format!("\"{term}\"*")];
    alternatives.extend(near.into_iter().map(|(_, w)| format!("\"{w}\"")));
    Ok(format!("({})", alternatives.join(" OR ")))
}

/// Lower-case, accent-free words, as the FTS tokenizer sees them.
pub fn terms(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    let mut seen = BTreeSet::new();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && seen.insert(w.to_string()))
        .map(str::to_owned)
        .collect()
}

fn hit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ServiceHit> {
    let categories: String = r.get("categories")?;
    let json = |c: &str| -> rusqlite::Result<String> { r.get(c) };
    Ok(ServiceHit {
        service_id: r.get("service_id")?,
        location_id: r.get("location_id")?,
        name: r.get("name")?,
        organization: r.get("organization")?,
        description: r.get("description")?,
        country: r.get("country")?,
        region: r.get("region")?,
        address: r.get("address")?,
        latitude: r.get("latitude")?,
        longitude: r.get("longitude")?,
        distance_km: None,
        categories: categories.split_whitespace().map(str::to_owned).collect(),
        phones: serde_json::from_str(&json("phones")?).unwrap_or_default(),
        hours: serde_json::from_str(&json("schedules")?).unwrap_or_default(),
        min_age: r.get("min_age")?,
        max_age: r.get("max_age")?,
        accepts_undocumented: r.get("undocumented")?,
        accepts_adolescent_mothers: r.get("adolescent_mothers")?,
        serves_unaccompanied_children: r.get("unaccompanied")?,
        separates_children_from_adults: r.get("separates_children")?,
        free_of_charge: r.get("free")?,
        demo: r.get("demo")?,
        source: r.get("source")?,
        last_verified: r.get("last_verified")?,
    })
}

/// Whether a service is open at `at`; `None` when its hours are not known.
pub fn is_open(hours: &[OpeningHours], at: NaiveDateTime) -> Option<bool> {
    let known: Vec<&OpeningHours> = hours
        .iter()
        .filter(|h| h.opens_at.is_some() && h.closes_at.is_some())
        .collect();
    if known.is_empty() {
        return None;
    }
    let day = match at.weekday() {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    };
    let time = |s: &str| NaiveTime::parse_from_str(s.get(..5).unwrap_or(s), "%H:%M").ok();
    Some(known.iter().any(|h| {
        let today = h.days.is_empty() || h.days.iter().any(|d| d.ends_with(day));
        let (Some(open), Some(close)) = (
            time(h.opens_at.as_deref().unwrap_or("")),
            time(h.closes_at.as_deref().unwrap_or("")),
        ) else {
            return false;
        };
        today && at.time() >= open && at.time() < close
    }))
}

pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}
