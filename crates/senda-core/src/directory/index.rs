//! The search index, derived from the directory's records.
//!
//! One `dir_entry` per service at a location, holding the columns filters
//! read and a compressed card (what a hit shows); a contentless FTS5 index
//! whose tokenizer folds case and accents; categories, points and the words
//! of the index beside it.
//!
//! A full install derives everything. A delta re-derives only the services
//! its records touch (a changed location or organisation reaches the
//! services at or of it), in place: entries keep the order a full install
//! gives them (by service id, then the order of its locations), so search
//! after a delta answers exactly as after a full install of the same version.

use super::geo::cell_words;
use super::hours::OpeningHours;
use super::hsds::HsdsRow;
use super::records::{self, Codec};
use super::search::{Phone, ServiceHit, terms};
use super::senda_attributes as attr;
use crate::text::Text;
use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The index tables (a content-store migration).
pub(crate) const INDEX_SQL: &str = "
CREATE TABLE dir_entry (
    rowid INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL,
    -- The location its service_at_location row names (kept even if that location is missing,
    -- so that a delta bringing it finds the entry).
    location_id TEXT,
    organization_id TEXT,
    name TEXT NOT NULL,
    country TEXT,
    region TEXT,
    latitude REAL,
    longitude REAL,
    min_age REAL,
    max_age REAL,
    genders TEXT,
    undocumented INTEGER,
    adolescent_mothers INTEGER,
    unaccompanied INTEGER,
    authority INTEGER NOT NULL,
    -- What a hit shows, zstd-compressed JSON (see `Card`).
    card BLOB NOT NULL
) STRICT;
-- Contentless (the text is in the cards), deletable (for deltas), no positions
-- (queries use words, prefixes and columns, never phrases or NEAR). Prefixes
-- of 2 and 3 characters are indexed; a longer one is spelled out as the words
-- that start with it (see `search::prefix_query`).
CREATE VIRTUAL TABLE dir_fts USING fts5 (
    name, organization, description, categories, place,
    content = '', contentless_delete = 1, detail = column,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
-- Mapped entries as points, for box lookups proportional to what is inside the box.
CREATE VIRTUAL TABLE dir_geo USING rtree (id, min_lat, max_lat, min_lon, max_lon);
-- Category codes, numbered, and the categories of each entry by number
-- (for exact, indexed category filters; a number is a third of a code's bytes).
CREATE TABLE dir_category (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE) STRICT;
CREATE TABLE dir_entry_category (
    category INTEGER NOT NULL,
    entry INTEGER NOT NULL,
    PRIMARY KEY (category, entry)
) STRICT, WITHOUT ROWID;
-- The index's words and how many entries hold each, for typo tolerance
-- (an fts5vocab table would walk the whole index).
CREATE TABLE dir_term (term TEXT PRIMARY KEY, entries INTEGER NOT NULL) STRICT, WITHOUT ROWID;
";

/// The entries' secondary indexes (a full install drops them, then builds them sorted).
const ENTRY_INDEXES: &str = "
CREATE INDEX dir_entry_service ON dir_entry (service_id);
CREATE INDEX dir_entry_area ON dir_entry (country, region);
CREATE INDEX dir_entry_name ON dir_entry (name);
";
const DROP_ENTRY_INDEXES: &str = "
DROP INDEX IF EXISTS dir_entry_service; DROP INDEX IF EXISTS dir_entry_area; DROP INDEX IF EXISTS dir_entry_name;
";

/// FTS5's own defaults (sqlite3.c: FTS5_DEFAULT_HASHSIZE, FTS5_DEFAULT_AUTOMERGE),
/// put back after a full install so that deltas merge small segments as usual.
const FTS5_HASH_BYTES: i64 = 1024 * 1024;
const FTS5_AUTOMERGE: i64 = 4;
/// Pending words FTS5 keeps in memory during a full install before it writes a segment.
const BULK_HASH_BYTES: i64 = 32 * 1024 * 1024;

fn fts_settings(tx: &Transaction<'_>, hash_bytes: i64, automerge: i64) -> rusqlite::Result<()> {
    for (name, value) in [("hashsize", hash_bytes), ("automerge", automerge)] {
        tx.execute(
            "INSERT INTO dir_fts (dir_fts, rank) VALUES (?1, ?2)",
            params![name, value],
        )?;
    }
    Ok(())
}

/// Rowids of a full install are this far apart, so that a delta can place a
/// new entry between two others without moving them.
const GAP: i64 = 16;
const CARD_DICTIONARY: &str = "card";

/// What a hit shows, and the place words it was indexed under.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Card {
    pub hit: ServiceHit,
    pub place: String,
}

pub(crate) fn card_codec(conn: &Connection) -> rusqlite::Result<Codec> {
    Codec::new(&records::dictionary(conn, CARD_DICTIONARY)?).map_err(storage)
}

pub(crate) fn decode_card(codec: &mut Codec, bytes: &[u8]) -> rusqlite::Result<Card> {
    let json = codec.decompress(bytes).map_err(storage)?;
    serde_json::from_slice(&json).map_err(storage)
}

fn storage(e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(format!("directory index: {e}").into())
}

/// One service at one location, derived.
struct Entry {
    service_id: String,
    at_location: Option<String>,
    organization_id: Option<String>,
    genders: Option<String>,
    authority: bool,
    categories: Vec<String>,
    card: Card,
}

impl Entry {
    /// The words the entry is found by (grid cells aside).
    fn terms(&self) -> BTreeSet<String> {
        card_terms(&self.card)
    }
}

fn card_terms(card: &Card) -> BTreeSet<String> {
    let h = &card.hit;
    let mut out = BTreeSet::new();
    for field in [
        Some(h.name.as_str()),
        h.organization.as_deref(),
        h.description.as_deref(),
        Some(card.place.as_str()),
    ] {
        out.extend(terms(field.unwrap_or("")));
    }
    out.extend(h.categories.iter().flat_map(|c| terms(c)));
    out
}

/// Rows by record owner (see [`records::owner`]).
pub(crate) type Records<'a> = BTreeMap<String, Vec<&'a HsdsRow>>;

fn record<'r, 'a>(records: &'r Records<'a>, kind: &str, id: &str) -> &'r [&'a HsdsRow] {
    records
        .get(&format!("{kind}/{id}"))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn find<'a>(rows: &[&'a HsdsRow], table: &str, id: &str) -> Option<&'a HsdsRow> {
    rows.iter()
        .copied()
        .find(|r| r.table == table && r.id == id)
}

/// The entries of one service, one per location it is at (or one without).
fn derive(records: &Records<'_>, service_id: &str) -> Vec<Entry> {
    let own = record(records, "service", service_id);
    let Some(service) = find(own, "service", service_id) else {
        return Vec::new();
    };
    let of_table = |table: &'static str| own.iter().copied().filter(move |r| r.table == table);
    let mut facts: BTreeMap<&str, &str> = BTreeMap::new();
    let mut categories: Vec<String> = Vec::new();
    for a in of_table("attribute") {
        let Some(term) = a.get("taxonomy_term_id") else {
            continue;
        };
        if let Some(code) = term.strip_prefix(attr::CATEGORY_PREFIX) {
            categories.push(code.to_owned());
        } else {
            facts.insert(term, a.get("value").unwrap_or(""));
        }
        if let Some(t) = find(
            record(records, "taxonomy_term", term),
            "taxonomy_term",
            term,
        )
        .and_then(|t| t.get("code"))
            && t != term
            && !categories.iter().any(|c| c == t)
            && !term.starts_with("senda:")
        {
            categories.push(t.to_owned());
        }
    }
    let fact = |k: &str| facts.get(k).and_then(|v| attr::flag(v));
    let text_fact = |k: &str| facts.get(k).map(|v| v.to_string());
    let authority = categories
        .iter()
        .any(|c| attr::AUTHORITY_CATEGORIES.contains(&c.as_str()));
    let organization_id = service.get("organization_id");
    let organization = organization_id
        .and_then(|o| find(record(records, "organization", o), "organization", o))
        .and_then(|o| o.get("name"));
    let hours: Vec<OpeningHours> = of_table("schedule")
        .filter(|s| s.get("service_id") == Some(service_id))
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
    let at: Vec<Option<&str>> = {
        let sals: Vec<Option<&str>> = of_table("service_at_location")
            .filter(|s| s.get("service_id") == Some(service_id))
            .map(|s| s.get("location_id"))
            .collect();
        if sals.is_empty() { vec![None] } else { sals }
    };
    let genders = facts
        .get(attr::GENDERS_SERVED)
        .map(|g| format!(",{},", g.replace(' ', "")));
    let texts = translations(
        &facts,
        service.get("name").unwrap_or(""),
        service.get("description").unwrap_or(""),
    );
    let joined = categories.join(" ");
    let mut out = Vec::new();
    for location_id in at {
        let place_rows = location_id
            .map(|l| record(records, "location", l))
            .unwrap_or(&[]);
        let location = location_id.and_then(|l| find(place_rows, "location", l));
        let address = location.and_then(|l| {
            place_rows
                .iter()
                .copied()
                .find(|a| a.table == "address" && a.get("location_id") == Some(l.id.as_str()))
        });
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
        let location_phones = location.into_iter().flat_map(|l| {
            place_rows
                .iter()
                .copied()
                .filter(move |p| p.table == "phone" && p.get("location_id") == Some(l.id.as_str()))
        });
        let phones: Vec<Phone> = of_table("phone")
            .filter(|p| p.get("service_id") == Some(service_id))
            .chain(location_phones)
            .filter(|p| p.get("service_id").is_none_or(|s| s == service_id))
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
        let hit = ServiceHit {
            service_id: service_id.to_owned(),
            location_id: location.map(|l| l.id.clone()),
            name: service.get("name").unwrap_or("").to_owned(),
            organization: organization.map(str::to_owned),
            description: service.get("description").map(str::to_owned),
            country,
            region,
            address: street,
            latitude: lat,
            longitude: lon,
            distance_km: None,
            categories: joined.split_whitespace().map(str::to_owned).collect(),
            phones,
            hours: hours.clone(),
            min_age: service
                .get("minimum_age")
                .and_then(|v| v.parse::<f64>().ok()),
            max_age: service
                .get("maximum_age")
                .and_then(|v| v.parse::<f64>().ok()),
            accepts_undocumented: fact(attr::ACCEPTS_UNDOCUMENTED),
            accepts_adolescent_mothers: fact(attr::ACCEPTS_ADOLESCENT_MOTHERS),
            serves_unaccompanied_children: fact(attr::SERVES_UNACCOMPANIED_CHILDREN),
            separates_children_from_adults: fact(attr::SEPARATES_CHILDREN_FROM_ADULTS),
            free_of_charge: fact(attr::FREE_OF_CHARGE),
            genders_served: genders
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect(),
            demo: fact(attr::DEMO).unwrap_or(false),
            source: text_fact(attr::SOURCE),
            last_verified: text_fact(attr::LAST_VERIFIED),
            // Real only when someone is named as having checked it, and never if also demo.
            real: fact(attr::REAL) == Some(true)
                && fact(attr::DEMO) != Some(true)
                && facts.contains_key(attr::CHECKED_BY),
            checked_by: text_fact(attr::CHECKED_BY),
            checked_on: text_fact(attr::CHECKED_ON),
            name_text: texts.name.clone(),
            description_text: texts.description.clone(),
        };
        out.push(Entry {
            service_id: service_id.to_owned(),
            at_location: location_id.map(str::to_owned),
            organization_id: organization_id.map(str::to_owned),
            genders: genders.clone(),
            authority,
            categories: categories.clone(),
            card: Card { hit, place },
        });
    }
    out
}

/// A service's name and description in every locale the directory gives.
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

/// Net changes to `dir_term`, applied at the end.
#[derive(Default)]
struct TermCounts(HashMap<String, i64>);

impl TermCounts {
    fn add(&mut self, terms: BTreeSet<String>, by: i64) {
        for t in terms {
            *self.0.entry(t).or_default() += by;
        }
    }

    fn merge(mut self, other: Self) -> Self {
        for (t, n) in other.0 {
            *self.0.entry(t).or_default() += n;
        }
        self
    }

    fn apply(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        let mut up = tx.prepare(
            "INSERT INTO dir_term (term, entries) VALUES (?1, ?2)
             ON CONFLICT (term) DO UPDATE SET entries = entries + ?2",
        )?;
        let mut sorted: Vec<(String, i64)> = self.0.into_iter().filter(|(_, n)| *n != 0).collect();
        sorted.sort();
        for (term, n) in &sorted {
            up.execute(params![term, n])?;
        }
        tx.execute("DELETE FROM dir_term WHERE entries <= 0", [])?;
        Ok(())
    }
}

/// An entry's card, compressed. Pure, so a full install compresses on every core.
fn compressed_card(codec: &mut Codec, e: &Entry) -> rusqlite::Result<Vec<u8>> {
    codec
        .compress(&serde_json::to_vec(&e.card).expect("cards serialise"))
        .map_err(storage)
}

/// Writes an entry, but not its categories (see [`categorise`]) or its words (see [`TextRow`]).
fn insert(tx: &Transaction<'_>, rowid: i64, e: &Entry, card: &[u8]) -> rusqlite::Result<()> {
    let h = &e.card.hit;
    tx.prepare_cached(
        "INSERT INTO dir_entry (rowid, service_id, location_id, organization_id, name, country, region,
            latitude, longitude, min_age, max_age, genders, undocumented, adolescent_mothers,
            unaccompanied, authority, card)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        rowid,
        e.service_id,
        e.at_location,
        e.organization_id,
        h.name,
        h.country,
        h.region,
        h.latitude,
        h.longitude,
        h.min_age,
        h.max_age,
        e.genders,
        h.accepts_undocumented,
        h.accepts_adolescent_mothers,
        h.serves_unaccompanied_children,
        e.authority,
        card,
    ])?;
    if let (Some(lat), Some(lon)) = (h.latitude, h.longitude) {
        tx.prepare_cached("INSERT INTO dir_geo VALUES (?1, ?2, ?2, ?3, ?3)")?
            .execute(params![rowid, lat, lon])?;
    }
    Ok(())
}

/// An entry's words as the full-text index takes them.
struct TextRow<'e> {
    rowid: i64,
    entry: &'e Entry,
}

impl TextRow<'_> {
    fn write(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        let (e, h) = (self.entry, &self.entry.card.hit);
        // The place column also holds the entry's grid cells, so that text and
        // area intersect inside FTS5 (they stay out of the vocabulary).
        let indexed_place = match (h.latitude, h.longitude) {
            (Some(lat), Some(lon)) => format!("{} {}", e.card.place, cell_words(lat, lon)),
            _ => e.card.place.clone(),
        };
        tx.prepare_cached(
            "INSERT INTO dir_fts (rowid, name, organization, description, categories, place) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            self.rowid,
            h.name,
            h.organization.as_deref().unwrap_or(""),
            h.description.as_deref().unwrap_or(""),
            e.categories.join(" "),
            indexed_place
        ])?;
        Ok(())
    }
}

/// Files entry `rowid` under its category codes, numbering new codes.
fn categorise(tx: &Transaction<'_>, rowid: i64, codes: &[String]) -> rusqlite::Result<()> {
    for code in codes {
        tx.prepare_cached("INSERT OR IGNORE INTO dir_category (code) VALUES (?1)")?
            .execute([code])?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO dir_entry_category (category, entry)
             SELECT id, ?2 FROM dir_category WHERE code = ?1",
        )?
        .execute(params![code, rowid])?;
    }
    Ok(())
}

/// Derives the whole index from `records` (every installed record). Runs inside the install transaction.
pub(crate) fn rebuild(tx: &Transaction<'_>, records: &Records<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "DELETE FROM dir_entry; DELETE FROM dir_term; DELETE FROM dir_entry_category; DELETE FROM dir_category;
         DELETE FROM dir_geo;
         INSERT INTO dir_fts (dir_fts) VALUES ('delete-all');",
    )?;
    let services: Vec<&str> = records
        .keys()
        .filter_map(|o| o.strip_prefix("service/"))
        .collect();
    let entries: Vec<Entry> = services
        .par_iter()
        .flat_map_iter(|s| derive(records, s))
        .collect();
    let samples: Vec<Vec<u8>> = entries
        .iter()
        .step_by(entries.len().div_ceil(1000).max(1))
        .map(|e| serde_json::to_vec(&e.card).expect("cards serialise"))
        .collect();
    let dictionary = records::train(&samples);
    records::set_dictionary(tx, CARD_DICTIONARY, &dictionary)?;
    let cards: Vec<Vec<u8>> = entries
        .par_iter()
        .map_init(
            || Codec::new(&dictionary),
            |codec, entry| match codec {
                Ok(codec) => compressed_card(codec, entry),
                Err(e) => Err(storage(e)),
            },
        )
        .collect::<rusqlite::Result<_>>()?;
    // Secondary indexes are built once, sorted, after the rows: far cheaper
    // than keeping them up to date row by row. FTS5 keeps its words in memory
    // longer and does not merge as it goes: `optimize` merges once, at the end.
    tx.execute_batch(DROP_ENTRY_INDEXES)?;
    fts_settings(tx, BULK_HASH_BYTES, 0)?;
    for (i, (e, card)) in entries.iter().zip(&cards).enumerate() {
        let rowid = (i as i64 + 1) * GAP;
        insert(tx, rowid, e, card)?;
        TextRow { rowid, entry: e }.write(tx)?;
    }
    // Categories in key order, so their pages fill up.
    let codes: BTreeSet<&str> = entries
        .iter()
        .flat_map(|e| e.categories.iter().map(String::as_str))
        .collect();
    let mut number = HashMap::new();
    let mut put_code = tx.prepare("INSERT INTO dir_category (id, code) VALUES (?1, ?2)")?;
    for (id, code) in codes.into_iter().enumerate() {
        put_code.execute(params![id as i64 + 1, code])?;
        number.insert(code, id as i64 + 1);
    }
    let mut filed: Vec<(i64, i64)> = entries
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            e.categories
                .iter()
                .map(move |c| (c.as_str(), (i as i64 + 1) * GAP))
        })
        .map(|(c, rowid)| (number[c], rowid))
        .collect();
    filed.sort_unstable();
    filed.dedup();
    let mut file =
        tx.prepare("INSERT INTO dir_entry_category (category, entry) VALUES (?1, ?2)")?;
    for (category, rowid) in filed {
        file.execute([category, rowid])?;
    }
    tx.execute_batch(ENTRY_INDEXES)?;
    // Words are found and counted per core, never held for every entry at once.
    entries
        .par_iter()
        .fold(TermCounts::default, |mut counts, e| {
            counts.add(e.terms(), 1);
            counts
        })
        .reduce(TermCounts::default, TermCounts::merge)
        .apply(tx)?;
    // One segment: smaller, and each query reads one b-tree.
    tx.execute("INSERT INTO dir_fts (dir_fts) VALUES ('optimize')", [])?;
    fts_settings(tx, FTS5_HASH_BYTES, FTS5_AUTOMERGE)?;
    // Statistics let the planner choose between the full-text index and the others.
    tx.execute_batch("ANALYZE dir_entry; ANALYZE dir_entry_category; ANALYZE dir_term;")?;
    Ok(())
}

/// Derives the whole index again from the stored records.
pub(crate) fn rebuild_from_store(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let rows = records::Reader::new().all(tx, "")?;
    rebuild(tx, &records::group(&rows))
}

/// Brings the index up to date after the records named in `owners` were
/// replaced or removed (already written). Only the services they reach are
/// derived again; a changed taxonomy term, which any service may use, or no
/// room left between two entries, derives everything.
pub(crate) fn update(tx: &Transaction<'_>, owners: &BTreeSet<String>) -> rusqlite::Result<()> {
    if owners.iter().any(|o| o.starts_with("taxonomy_term/")) {
        return rebuild_from_store(tx);
    }
    let mut services: BTreeSet<String> = BTreeSet::new();
    let (mut locations, mut organizations) = (BTreeSet::new(), BTreeSet::new());
    for owner in owners {
        match owner.split_once('/') {
            Some(("service", id)) => services.insert(id.to_owned()),
            Some(("location", id)) => locations.insert(id.to_owned()),
            Some(("organization", id)) => organizations.insert(id.to_owned()),
            _ => false,
        };
    }
    // The services at a changed location or of a changed organisation: one
    // pass over the entries (an index for this rare question would cost
    // megabytes on every phone).
    if !locations.is_empty() || !organizations.is_empty() {
        let mut stmt =
            tx.prepare("SELECT service_id, location_id, organization_id FROM dir_entry")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (l, o): (Option<String>, Option<String>) = (r.get(1)?, r.get(2)?);
            if l.is_some_and(|l| locations.contains(&l))
                || o.is_some_and(|o| organizations.contains(&o))
            {
                services.insert(r.get(0)?);
            }
        }
    }
    if services.is_empty() {
        return Ok(());
    }

    // The records derivation reads: the services', then their locations',
    // organisations' and taxonomy terms'.
    let mut reader = records::Reader::new();
    let mut loaded: Vec<HsdsRow> = Vec::new();
    for s in &services {
        loaded.extend(reader.get(tx, &format!("service/{s}"))?);
    }
    let mut more = BTreeSet::new();
    for r in &loaded {
        match r.table.as_str() {
            "service_at_location" => {
                more.extend(r.get("location_id").map(|l| format!("location/{l}")))
            }
            "service" => more.extend(
                r.get("organization_id")
                    .map(|o| format!("organization/{o}")),
            ),
            "attribute" => more.extend(
                r.get("taxonomy_term_id")
                    .map(|t| format!("taxonomy_term/{t}")),
            ),
            _ => {}
        }
    }
    for owner in &more {
        loaded.extend(reader.get(tx, owner)?);
    }
    let records = records::group(&loaded);

    let mut codec = card_codec(tx)?;
    let mut counts = TermCounts::default();
    // The full-text index is written last, in rowid order: FTS5 flushes and
    // merges its pending words whenever a rowid goes backwards.
    let mut unindexed: Vec<i64> = Vec::new();
    let mut placed: Vec<(i64, Entry)> = Vec::new();
    for s in &services {
        // Out with the old entries…
        let old: Vec<(i64, Vec<u8>)> = tx
            .prepare_cached("SELECT rowid, card FROM dir_entry WHERE service_id = ?1")?
            .query_map([s], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (rowid, card) in old {
            let card = decode_card(&mut codec, &card)?;
            counts.add(card_terms(&card), -1);
            unindexed.push(rowid);
            tx.prepare_cached("DELETE FROM dir_geo WHERE id = ?1")?
                .execute([rowid])?;
            let mut uncategorise = tx.prepare_cached(
                "DELETE FROM dir_entry_category WHERE entry = ?2
                   AND category = (SELECT id FROM dir_category WHERE code = ?1)",
            )?;
            for c in card.hit.categories.iter() {
                uncategorise.execute(params![c, rowid])?;
            }
            tx.prepare_cached("DELETE FROM dir_entry WHERE rowid = ?1")?
                .execute([rowid])?;
        }
        // …and the new ones in the same place in the order.
        let entries = derive(&records, s);
        if entries.is_empty() {
            continue;
        }
        let before: Option<i64> = tx
            .prepare_cached(
                "SELECT rowid FROM dir_entry WHERE service_id < ?1 ORDER BY service_id DESC, rowid DESC LIMIT 1",
            )?
            .query_row([s], |r| r.get(0))
            .optional()?;
        let after: Option<i64> = tx
            .prepare_cached(
                "SELECT rowid FROM dir_entry WHERE service_id > ?1 ORDER BY service_id, rowid LIMIT 1",
            )?
            .query_row([s], |r| r.get(0))
            .optional()?;
        let low = before.unwrap_or(0);
        let n = entries.len() as i64;
        let step = match after {
            Some(high) => (high - low) / (n + 1),
            None => GAP,
        };
        if step < 1 {
            return rebuild_from_store(tx);
        }
        for (i, e) in entries.into_iter().enumerate() {
            let rowid = low + step * (i as i64 + 1);
            insert(tx, rowid, &e, &compressed_card(&mut codec, &e)?)?;
            categorise(tx, rowid, &e.categories)?;
            counts.add(e.terms(), 1);
            placed.push((rowid, e));
        }
    }
    unindexed.sort_unstable();
    for rowid in unindexed {
        tx.prepare_cached("DELETE FROM dir_fts WHERE rowid = ?1")?
            .execute([rowid])?;
    }
    placed.sort_unstable_by_key(|(rowid, _)| *rowid);
    for (rowid, entry) in &placed {
        TextRow {
            rowid: *rowid,
            entry,
        }
        .write(tx)?;
    }
    counts.apply(tx)
}
