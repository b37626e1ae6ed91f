//! Offline search of the directory.
//!
//! On every content install the HSDS rows are flattened into `dir_entry`
//! (one row per service at a location) and an FTS5 index whose tokenizer
//! folds case and accents, so "atencion psicologica" finds "Atención
//! psicológica". Query terms match as prefixes; a term that matches nothing
//! is widened to the index's words within a small edit distance.
//!
//! Order: services whose *name* matches come first, then those matching in
//! other fields; near a point, by distance. Nothing ranks every match (that
//! is what keeps a query over 150,000 entries in milliseconds): each phase
//! reads the index in order and stops at the page size.

use super::hsds::HsdsRow;
use super::senda_attributes as attr;
use crate::text::Text;
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
CREATE INDEX dir_entry_name ON dir_entry (name);
CREATE VIRTUAL TABLE dir_fts USING fts5 (
    name, organization, description, categories, place,
    content = '', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
-- Mapped entries as points, for box lookups proportional to what is inside the box.
CREATE VIRTUAL TABLE dir_geo USING rtree (id, min_lat, max_lat, min_lon, max_lon);
-- Category codes per entry, for exact, indexed category filters.
CREATE TABLE dir_entry_category (
    category TEXT NOT NULL,
    entry INTEGER NOT NULL,
    PRIMARY KEY (category, entry)
) WITHOUT ROWID;
-- The index's words, for typo tolerance (an fts5vocab table would walk the whole index).
CREATE TABLE dir_term (term TEXT PRIMARY KEY) WITHOUT ROWID;
";

/// Who the service is for: the eligibility filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChildProfile {
    pub age: Option<u8>,
    /// `female`, `male`, `non-binary`…; `None` when not said.
    pub gender: Option<String>,
    pub undocumented: bool,
    pub with_baby: bool,
    pub unaccompanied: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
// Missing fields are `None` (serde), so the UI may leave them out.
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
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
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional = nullable))]
    pub include_authorities: bool,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Phone {
    pub number: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpeningHours {
    /// RRULE-style days, e.g. `["MO","TU"]`; empty means every day.
    pub days: Vec<String>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Who the service says it serves (`female`, `male`, `non-binary`, `lgbtiq`); empty when not stated.
    pub genders_served: Vec<String>,
    pub demo: bool,
    pub source: Option<String>,
    pub last_verified: Option<String>,
    /// A real public line or service, checked by someone named, on a date.
    #[serde(default)]
    pub real: bool,
    #[serde(default)]
    pub checked_by: Option<String>,
    #[serde(default)]
    pub checked_on: Option<String>,
    /// The name and description per locale (`es` is the HSDS text; others from
    /// `senda:name-<locale>` / `senda:description-<locale>` attributes).
    #[serde(default)]
    pub name_text: Text,
    #[serde(default)]
    pub description_text: Text,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchResult {
    pub hits: Vec<ServiceHit>,
    /// When nothing matches in the area asked for: the nearest matches elsewhere.
    pub nearest_elsewhere: Vec<ServiceHit>,
}

/// Flattens the installed HSDS rows into the index. Runs inside the install transaction.
pub(crate) fn rebuild(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "DELETE FROM dir_entry; DELETE FROM dir_term; DELETE FROM dir_entry_category; DELETE FROM dir_geo;
         INSERT INTO dir_fts (dir_fts) VALUES ('delete-all');",
    )?;
    let mut vocabulary = BTreeSet::new();
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
    let taxonomy_terms = by_id("taxonomy_term");
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
            demo, source, last_verified, real, checked_by, checked_on, texts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
    )?;
    let mut add_point = tx.prepare("INSERT INTO dir_geo VALUES (?1, ?2, ?2, ?3, ?3)")?;
    let mut add_category =
        tx.prepare("INSERT OR IGNORE INTO dir_entry_category (category, entry) VALUES (?1, ?2)")?;
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
            if let Some(t) = taxonomy_terms.get(term).and_then(|t| t.get("code"))
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
                // Real only when someone is named as having checked it, and never if also demo.
                fact(attr::REAL) == Some(true)
                    && fact(attr::DEMO) != Some(true)
                    && facts.contains_key(attr::CHECKED_BY),
                facts.get(attr::CHECKED_BY),
                facts.get(attr::CHECKED_ON),
                serde_json::to_string(&translations(
                    &facts,
                    service.get("name").unwrap_or(""),
                    service.get("description").unwrap_or("")
                ))
                .unwrap_or_default(),
            ])?;
            let rowid = tx.last_insert_rowid();
            for category in &categories {
                add_category.execute(params![category, rowid])?;
            }
            if let (Some(lat), Some(lon)) = (lat, lon) {
                add_point.execute(params![rowid, lat, lon])?;
            }
            for field in [
                service.get("name"),
                organization,
                service.get("description"),
                Some(place.as_str()),
            ] {
                vocabulary.extend(terms(field.unwrap_or("")));
            }
            vocabulary.extend(categories.iter().flat_map(|c| terms(c)));
            // The place column also holds the entry's grid cells, so that text and
            // area intersect inside FTS5 (they stay out of the vocabulary).
            let indexed_place = match (lat, lon) {
                (Some(lat), Some(lon)) => format!("{place} {}", cell_words(lat, lon)),
                _ => place.clone(),
            };
            fts.execute(params![
                rowid,
                service.get("name").unwrap_or(""),
                organization.unwrap_or(""),
                service.get("description").unwrap_or(""),
                categories.join(" "),
                indexed_place
            ])?;
        }
    }
    let mut add = tx.prepare("INSERT INTO dir_term (term) VALUES (?1)")?;
    for term in vocabulary {
        add.execute([term])?;
    }
    // Statistics let the planner choose between the full-text index and the others.
    tx.execute_batch("ANALYZE dir_entry; ANALYZE dir_entry_category; ANALYZE dir_term;")?;
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
    // Opening hours are checked on full rows, so look at more than a page.
    let want = if q.open_at.is_some() {
        limit * 4
    } else {
        limit
    };
    let phases = match_phases(conn, q)?;
    // With no text, an indexed category drives the query instead of being checked per row.
    let category = q.category.as_deref().map(|c| c.trim().to_lowercase());
    let category_drives = phases == [None] && category.is_some() && q.near.is_none();
    let (filters, args) = filters(q, !category_drives);

    let rowids: Vec<i64> = match q.near {
        Some((lat, lon)) => nearest(conn, &phases, &filters, &args, (lat, lon), want)?,
        None => {
            let mut picked = Vec::new();
            for phase in &phases {
                if picked.len() >= want {
                    break;
                }
                let driver = match (phase.as_deref(), &category) {
                    (Some(expr), _) => Driver::Text(expr),
                    (None, Some(code)) if category_drives => Driver::Category(code),
                    _ => Driver::Entries,
                };
                let (sql, args) = candidate_sql(driver, &filters, &args, "e.rowid");
                // Browsing (no text, no category): alphabetical, read in order from the name index.
                let order = if matches!(driver, Driver::Entries) {
                    " ORDER BY e.name"
                } else {
                    ""
                };
                let sql = format!("{sql}{order} LIMIT {}", want + picked.len());
                let mut stmt = conn.prepare_cached(&sql)?;
                for rowid in
                    stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))?
                {
                    let rowid = rowid?;
                    if picked.len() < want && !picked.contains(&rowid) {
                        picked.push(rowid);
                    }
                }
            }
            picked
        }
    };

    let mut hits = fetch(conn, &rowids)?;
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
    }
    hits.truncate(limit);
    Ok(hits)
}

/// The FTS expressions to try in order: name matches, then any field.
/// `None` means no full-text condition at all.
fn match_phases(conn: &Connection, q: &ServiceQuery) -> rusqlite::Result<Vec<Option<String>>> {
    let mut text = Vec::new();
    for term in q.text.as_deref().map(terms).unwrap_or_default() {
        text.push(term_query(conn, &term)?);
    }
    Ok(if text.is_empty() {
        vec![None]
    } else {
        let text = text.join(" AND ");
        vec![Some(format!("name : ({text})")), Some(text)]
    })
}

/// Conditions on `dir_entry` (alias `e`) other than full text and place.
fn filters(q: &ServiceQuery, with_category: bool) -> (Vec<String>, Vec<rusqlite::types::Value>) {
    let mut filters: Vec<String> = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
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
    if let Some(category) = q.category.as_ref().filter(|_| with_category) {
        filters.push("EXISTS (SELECT 1 FROM dir_entry_category c WHERE c.category = ? AND c.entry = e.rowid)".into());
        args.push(category.trim().to_lowercase().into());
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
    (filters, args)
}

/// Which index a query reads first; the other conditions are checked per row.
#[derive(Clone, Copy)]
enum Driver<'a> {
    /// The full-text index, with this match expression.
    Text(&'a str),
    /// The category index, with this category code.
    Category(&'a str),
    /// The entries themselves (through their own indexes: name, area).
    Entries,
    /// The R*Tree of mapped entries, within [lat_min, lat_max, lon_min, lon_max].
    Box([f64; 4]),
}

/// `SELECT <columns>` of the entries matching the driver and the filters.
fn candidate_sql(
    driver: Driver<'_>,
    filters: &[String],
    args: &[rusqlite::types::Value],
    columns: &str,
) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = format!("SELECT {columns} FROM ");
    let mut conditions: Vec<String> = Vec::new();
    let mut all_args = Vec::new();
    // CROSS JOIN keeps the driving index as the outer loop: the other way
    // round, SQLite would re-run a full-text match for every row.
    match driver {
        Driver::Text(expr) => {
            sql.push_str("dir_fts f CROSS JOIN dir_entry e ON e.rowid = f.rowid");
            conditions.push("dir_fts MATCH ?".into());
            all_args.push(expr.to_owned().into());
        }
        Driver::Category(code) => {
            sql.push_str("dir_entry_category d CROSS JOIN dir_entry e ON e.rowid = d.entry");
            conditions.push("d.category = ?".into());
            all_args.push(code.to_owned().into());
        }
        Driver::Entries => sql.push_str("dir_entry e"),
        Driver::Box([lat_min, lat_max, lon_min, lon_max]) => {
            sql.push_str("dir_geo g CROSS JOIN dir_entry e ON e.rowid = g.id");
            conditions.push(
                "g.min_lat >= ? AND g.max_lat <= ? AND g.min_lon >= ? AND g.max_lon <= ?".into(),
            );
            all_args.extend([lat_min, lat_max, lon_min, lon_max].map(Into::into));
        }
    }
    conditions.extend(filters.iter().cloned());
    all_args.extend(args.iter().cloned());
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    (sql, all_args)
}

/// The `want` nearest matching entries: only ids and coordinates are read,
/// in a box that grows until it surely holds them. With text, the box is
/// the grid cells covering it, matched inside FTS5 with the text.
fn nearest(
    conn: &Connection,
    phases: &[Option<String>],
    filters: &[String],
    args: &[rusqlite::types::Value],
    (lat, lon): (f64, f64),
    want: usize,
) -> rusqlite::Result<Vec<i64>> {
    // The last phase is the widest (any field), or no text condition at all.
    let text = phases.last().cloned().flatten();
    for half in [0.1, 0.4, 1.6, 6.4, 180.0] {
        let in_cells;
        let driver = match (&text, half < 180.0) {
            // Text and area intersect inside FTS5, through the grid-cell words.
            (Some(t), true) => {
                in_cells = format!("({t}) AND place : ({})", box_cells(lat, lon, half));
                Driver::Text(&in_cells)
            }
            (Some(t), false) => Driver::Text(t),
            (None, true) => Driver::Box([lat - half, lat + half, lon - half, lon + half]),
            (None, false) => Driver::Entries,
        };
        let (sql, all_args) =
            candidate_sql(driver, filters, args, "e.rowid, e.latitude, e.longitude");
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut found: Vec<(f64, i64)> = Vec::new();
        let mut rows = stmt.query(params_from_iter(all_args.iter()))?;
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            let (a, b): (Option<f64>, Option<f64>) = (r.get(1)?, r.get(2)?);
            found.push((
                a.zip(b)
                    .map_or(f64::INFINITY, |(a, b)| haversine_km(lat, lon, a, b)),
                rowid,
            ));
        }
        found.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        // Inside this radius nothing outside the box can be nearer.
        let sure_km = half * 111.0 * lat.to_radians().cos().max(0.2);
        if half >= 180.0 || found.iter().filter(|(d, _)| *d <= sure_km).count() >= want {
            return Ok(found.into_iter().take(want).map(|(_, id)| id).collect());
        }
    }
    Ok(Vec::new())
}

/// Grid cells, in degrees, indexed as words beside each mapped entry.
const CELL_SIZES: [f64; 3] = [0.25, 1.0, 4.0];

fn cell_word(level: usize, lat: f64, lon: f64) -> String {
    let size = CELL_SIZES[level];
    let x = ((lat + 90.0) / size).floor() as i64;
    let y = ((lon + 180.0) / size).floor() as i64;
    format!("gc{level}x{x}y{y}")
}

/// The words of an entry's cells, one per level (e.g. `gc0x391y429 gc1x97y107 gc2x24y26`).
fn cell_words(lat: f64, lon: f64) -> String {
    (0..CELL_SIZES.len())
        .map(|level| cell_word(level, lat, lon))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An FTS5 OR of the cells covering a box, at the finest level that needs
/// at most 36 of them. The cells cover the box, so nothing in it is missed.
fn box_cells(lat: f64, lon: f64, half: f64) -> String {
    let level = (0..CELL_SIZES.len())
        .find(|&l| {
            let per_side = (2.0 * half / CELL_SIZES[l]).ceil() + 1.0;
            per_side * per_side <= 36.0
        })
        .unwrap_or(CELL_SIZES.len() - 1);
    let size = CELL_SIZES[level];
    let mut words = Vec::new();
    let mut a = (lat - half).max(-90.0);
    while a < (lat + half).min(90.0) + size {
        let mut b = (lon - half).max(-180.0);
        while b < (lon + half).min(180.0) + size {
            let w = cell_word(level, a.min(89.999), b.min(179.999));
            if !words.contains(&w) {
                words.push(w);
            }
            b += size;
        }
        a += size;
    }
    words.join(" OR ")
}

/// One service as the directory lists it (its first location), or `None`
/// when the installed directory no longer has it.
pub fn service(conn: &Connection, service_id: &str) -> rusqlite::Result<Option<ServiceHit>> {
    let rowids: Vec<i64> = conn
        .prepare_cached("SELECT rowid FROM dir_entry WHERE service_id = ?1 ORDER BY rowid LIMIT 1")?
        .query_map([service_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(fetch(conn, &rowids)?.into_iter().next())
}

/// Full rows for `rowids`, in that order.
fn fetch(conn: &Connection, rowids: &[i64]) -> rusqlite::Result<Vec<ServiceHit>> {
    if rowids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; rowids.len()].join(",");
    let mut stmt = conn.prepare(&format!(
        "SELECT e.rowid AS id, e.* FROM dir_entry e WHERE e.rowid IN ({marks})"
    ))?;
    let mut by_id: BTreeMap<i64, ServiceHit> = stmt
        .query_map(params_from_iter(rowids.iter()), |r| {
            Ok((r.get::<_, i64>("id")?, hit_from_row(r)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rowids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One FTS term: a prefix match, widened to near spellings when it matches nothing.
fn term_query(conn: &Connection, term: &str) -> rusqlite::Result<String> {
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM dir_term WHERE term >= ?1 AND term < ?1 || char(1114111) LIMIT 1",
            [term],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() || term.chars().count() < 4 {
        return prefix_query(conn, term);
    }
    let first: String = term.chars().take(1).collect();
    let max_distance = if term.chars().count() >= 8 { 2 } else { 1 };
    let mut stmt = conn.prepare_cached(
        "SELECT term FROM dir_term WHERE term >= ?1 AND term < ?1 || char(1114111) AND length(term) BETWEEN ?2 AND ?3",
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

/// A prefix match. The prefix index covers 2 to 4 characters; a longer
/// prefix would make FTS5 walk every word it covers in every segment, so it
/// is spelled out as the few indexed words that start with it.
fn prefix_query(conn: &Connection, term: &str) -> rusqlite::Result<String> {
    if term.chars().count() <= 4 {
        return Ok(format!("\"{term}\"*"));
    }
    let words: Vec<String> = conn
        .prepare_cached(
            "SELECT term FROM dir_term WHERE term >= ?1 AND term < ?1 || char(1114111) LIMIT 17",
        )?
        .query_map([term], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(match words.len() {
        1..=16 => {
            let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
            format!("({})", quoted.join(" OR "))
        }
        _ => format!("\"{term}\"*"),
    })
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
    let texts: Texts = r
        .get::<_, Option<String>>("texts")?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
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
        genders_served: r
            .get::<_, Option<String>>("genders")?
            .unwrap_or_default()
            .split(',')
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect(),
        demo: r.get("demo")?,
        source: r.get("source")?,
        last_verified: r.get("last_verified")?,
        real: r.get("real")?,
        checked_by: r.get("checked_by")?,
        checked_on: r.get("checked_on")?,
        name_text: texts.name,
        description_text: texts.description,
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

/// A service's name and description in every locale the directory gives.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Texts {
    name: Text,
    description: Text,
}

fn translations(facts: &BTreeMap<&str, &str>, name: &str, description: &str) -> Texts {
    let mut texts = Texts {
        name: Text::es(name),
        description: Text::es(description),
    };
    for (key, value) in facts {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if let Some(locale) = key.strip_prefix(attr::NAME_PREFIX) {
            texts.name.0.insert(locale.into(), value.into());
        } else if let Some(locale) = key.strip_prefix(attr::DESCRIPTION_PREFIX) {
            texts.description.0.insert(locale.into(), value.into());
        }
    }
    texts
}
