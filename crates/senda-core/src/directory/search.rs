//! Offline search of the directory (the index is built in [`super::index`]).
//!
//! The FTS5 tokenizer folds case and accents, so "atencion psicologica"
//! finds "Atención psicológica". Query terms match as prefixes; a term that
//! matches nothing is widened to the index's words within a small edit distance.
//!
//! Order: services whose *name* matches come first, then those matching in
//! other fields; near a point, by distance. Nothing ranks every match (that
//! is what keeps a query over 150,000 entries in milliseconds): each phase
//! reads the index in order and stops at the page size.

use super::geo::box_cells;
pub use super::geo::haversine_km;
pub use super::hours::{OpeningHours, is_open};
use super::index::decode_card;
use super::records::Codec;
use crate::text::Text;
use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization;

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

/// Searches the directory. Deterministic for a given index and query.
pub(crate) fn search(
    conn: &Connection,
    codec: &mut Codec,
    q: &ServiceQuery,
) -> rusqlite::Result<SearchResult> {
    let hits = run(conn, codec, q)?;
    let area_limited = q.country.is_some() || q.region.is_some();
    let nearest_elsewhere = if hits.is_empty() && area_limited {
        let wider = ServiceQuery {
            country: None,
            region: None,
            ..q.clone()
        };
        run(conn, codec, &wider)?.into_iter().take(3).collect()
    } else {
        Vec::new()
    };
    Ok(SearchResult {
        hits,
        nearest_elsewhere,
    })
}

fn run(
    conn: &Connection,
    codec: &mut Codec,
    q: &ServiceQuery,
) -> rusqlite::Result<Vec<ServiceHit>> {
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
                    " ORDER BY e.name, e.rowid"
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

    let mut hits = fetch(conn, codec, &rowids)?;
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
        filters.push("EXISTS (SELECT 1 FROM dir_entry_category c WHERE c.category = (SELECT id FROM dir_category WHERE code = ?) AND c.entry = e.rowid)".into());
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
            conditions.push("d.category = (SELECT id FROM dir_category WHERE code = ?)".into());
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

/// One service as the directory lists it (its first location), or `None`
/// when the installed directory no longer has it.
pub(crate) fn service(
    conn: &Connection,
    codec: &mut Codec,
    service_id: &str,
) -> rusqlite::Result<Option<ServiceHit>> {
    let rowids: Vec<i64> = conn
        .prepare_cached("SELECT rowid FROM dir_entry WHERE service_id = ?1 ORDER BY rowid LIMIT 1")?
        .query_map([service_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(fetch(conn, codec, &rowids)?.into_iter().next())
}

/// The cards of `rowids`, in that order.
fn fetch(
    conn: &Connection,
    codec: &mut Codec,
    rowids: &[i64],
) -> rusqlite::Result<Vec<ServiceHit>> {
    if rowids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; rowids.len()].join(",");
    let mut stmt = conn.prepare(&format!(
        "SELECT rowid, card FROM dir_entry WHERE rowid IN ({marks})"
    ))?;
    let cards: Vec<(i64, Vec<u8>)> = stmt
        .query_map(params_from_iter(rowids.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut by_id = BTreeMap::new();
    for (rowid, card) in cards {
        by_id.insert(rowid, decode_card(codec, &card)?.hit);
    }
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

/// A prefix match. The prefix index covers 2 and 3 characters; a longer
/// prefix would make FTS5 read every word it covers before the first hit, so
/// it is spelled out as the indexed words that start with it. Past 16 such
/// words FTS5's own scan is used (a longer OR was never measured).
fn prefix_query(conn: &Connection, term: &str) -> rusqlite::Result<String> {
    if term.chars().count() <= 3 {
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
