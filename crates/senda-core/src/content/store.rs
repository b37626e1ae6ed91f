//! The content database: public content only, never a child's data.
//!
//! Plain SQLite (it holds nothing secret) whose integrity comes from the
//! pack signatures checked before anything is written. An install is one
//! transaction: a refused or interrupted install leaves the previous content
//! exactly as it was.

use super::model::{Article, ContentPayload, ItemKind, Place};
use super::pack::{self, PackError, SignedPack, TrustedKeys};
use crate::checklist::Checklist;
use crate::directory::records::{self, Codec};
use crate::directory::search::{self, SearchResult, ServiceHit, ServiceQuery};
use crate::directory::{HsdsData, HsdsRow, HsdsTable, index};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};
use serde::{Serialize, de::DeserializeOwned};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The directory index as it was from v2 to v5 (v6 replaces it).
const LEGACY_INDEX_SQL: &str = "
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

/// v6: the directory's rows move from one JSON item each into compressed
/// records. The index is derived from them at v7 (once, whichever version a
/// store starts from).
fn to_records(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(records::RECORDS_SQL)?;
    let mut by_publisher: BTreeMap<String, Vec<HsdsRow>> = BTreeMap::new();
    {
        let mut stmt = tx.prepare("SELECT publisher, body FROM item WHERE kind = 'hsds-row'")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let body: String = r.get(1)?;
            if let Ok(row) = serde_json::from_str::<HsdsRow>(&body) {
                by_publisher.entry(r.get(0)?).or_default().push(row);
            }
        }
    }
    for (publisher, rows) in &by_publisher {
        let grouped = records::group(rows);
        records::Writer::fresh(tx, publisher, &grouped)?.put_all(tx, &grouped)?;
    }
    tx.execute("DELETE FROM item WHERE kind = 'hsds-row'", [])?;
    Ok(())
}

fn migrations() -> Vec<M<'static>> {
    vec![
        M::up(
            "CREATE TABLE pack (
        publisher TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        file_sha256 TEXT NOT NULL,
        installed_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE item (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        publisher TEXT NOT NULL REFERENCES pack (publisher),
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    ) STRICT;",
        ),
        // v2: the directory's search index, rebuilt from the HSDS rows on each install.
        M::up(LEGACY_INDEX_SQL),
        // v3: referrals look a service up by id.
        M::up("CREATE INDEX dir_entry_service ON dir_entry (service_id);"),
        // v4: grid cells in the full-text index (see `search::cell_words`). Its re-index
        // now runs at v5, whose columns the index needs; v5 re-derives everything.
        M::up(""),
        // v5: real lines (who checked them, when) and names in every locale. Its
        // re-index now runs at v6, which derives everything again.
        M::up(
            "ALTER TABLE dir_entry ADD COLUMN real INTEGER NOT NULL DEFAULT 0;
             ALTER TABLE dir_entry ADD COLUMN checked_by TEXT;
             ALTER TABLE dir_entry ADD COLUMN checked_on TEXT;
             ALTER TABLE dir_entry ADD COLUMN texts TEXT;",
        ),
        // v6: compressed records and the smaller, incrementally updated index.
        M::up_with_hook(
            "DROP TABLE dir_fts; DROP TABLE dir_geo; DROP TABLE dir_entry_category;
             DROP TABLE dir_term; DROP TABLE dir_entry;",
            |tx: &rusqlite::Transaction<'_>| {
                to_records(tx)?;
                Ok(())
            },
        ),
        // v7: category numbers, a smaller prefix index, entry indexes built after
        // the rows: the index is derived again. (A store from v5 has no index
        // tables here: v6 dropped them and left the deriving to v7.)
        M::up_with_hook(
            "DROP TABLE IF EXISTS dir_fts; DROP TABLE IF EXISTS dir_geo;
             DROP TABLE IF EXISTS dir_entry_category; DROP TABLE IF EXISTS dir_category;
             DROP TABLE IF EXISTS dir_term; DROP TABLE IF EXISTS dir_entry;",
            |tx: &rusqlite::Transaction<'_>| {
                tx.execute_batch(index::INDEX_SQL)?;
                index::rebuild_from_store(tx)?;
                Ok(())
            },
        ),
    ]
}

#[derive(
    Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, strum::EnumIter, strum::IntoStaticStr,
)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum InstallError {
    #[error("version {offered} is not newer than the installed {installed}")]
    Rollback { installed: u32, offered: u32 },
    /// `installed` is 0 when nothing from this publisher is installed.
    #[error("this update applies to version {base}, but version {installed} is installed")]
    BaseMismatch { base: u32, installed: u32 },
    #[error("content storage: {message}")]
    #[serde(rename = "content-storage")]
    #[strum(serialize = "content-storage")]
    Storage { message: String },
    /// A pack may only add or change its own publisher's items.
    #[error("the pack changes {kind} '{id}', which publisher '{owner}' installed")]
    ForeignItem {
        kind: String,
        id: String,
        owner: String,
    },
    #[error(transparent)]
    #[serde(untagged)]
    #[strum(disabled)]
    Pack(#[from] PackError),
}

impl InstallError {
    /// The stable code the UI says as `error-<code>` (as `VaultError::code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pack(p) => p.code(),
            own => own.into(),
        }
    }

    /// Every code (a pack's too), so a test can check each has a sentence in every locale.
    pub fn all_codes() -> Vec<&'static str> {
        use strum::IntoEnumIterator;
        Self::iter()
            .map(|e| e.code())
            .chain(PackError::iter().map(|e| e.code()))
            .collect()
    }
}

impl From<rusqlite::Error> for InstallError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage {
            message: e.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstalledPack {
    pub publisher: String,
    pub version: u32,
    pub file_sha256: String,
    pub installed_at: String,
    /// Signed by the demo publisher: the public side says «Versión de prueba».
    pub demo: bool,
}

pub struct ContentStore {
    conn: Connection,
    trusted: TrustedKeys,
    /// The index cards' decompressor, loaded on first search after an install.
    cards: RefCell<Option<Codec>>,
}

impl ContentStore {
    pub fn open(path: &Path, trusted: TrustedKeys) -> Result<Self, InstallError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        Migrations::new(migrations())
            .to_latest(&mut conn)
            .map_err(|e| InstallError::Storage {
                message: e.to_string(),
            })?;
        Ok(Self {
            conn,
            trusted,
            cards: RefCell::new(None),
        })
    }

    /// Verifies and installs a pack file; on any error nothing changes.
    pub fn install(
        &mut self,
        file: &[u8],
        now: DateTime<Utc>,
    ) -> Result<InstalledPack, InstallError> {
        let pack = pack::verify(file, &self.trusted)?;
        self.install_verified(&pack, now)
    }

    fn install_verified(
        &mut self,
        pack: &SignedPack,
        now: DateTime<Utc>,
    ) -> Result<InstalledPack, InstallError> {
        let h = &pack.header;
        // A signed pack is still checked: a checklist whose weights could
        // overflow, or that is otherwise malformed, never reaches a screening.
        for c in &pack.payload.checklists {
            if let Err(problems) = c.validate() {
                let detail = problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(InstallError::Pack(PackError::Malformed {
                    detail: format!("checklist '{}': {detail}", c.id),
                }));
            }
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let installed: Option<u32> = tx
            .query_row(
                "SELECT version FROM pack WHERE publisher = ?1",
                [&h.publisher],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(installed) = installed
            && h.version <= installed
        {
            return Err(InstallError::Rollback {
                installed,
                offered: h.version,
            });
        }
        match h.base_version {
            Some(base) if installed != Some(base) => {
                return Err(InstallError::BaseMismatch {
                    base,
                    installed: installed.unwrap_or(0),
                });
            }
            Some(_) => {
                let mut del =
                    tx.prepare("DELETE FROM item WHERE kind = ?1 AND id = ?2 AND publisher = ?3")?;
                for r in &pack.payload.deleted {
                    if r.kind == ItemKind::HsdsRow {
                        // Rows are replaced by record; a row alone cannot say which record held it.
                        return Err(InstallError::Pack(PackError::Malformed {
                            detail: format!(
                                "the delta removes directory row '{}' alone; a delta names whole records",
                                r.id
                            ),
                        }));
                    }
                    del.execute(params![kind_name(r.kind), r.id, h.publisher])?;
                }
            }
            None => {
                tx.execute("DELETE FROM item WHERE publisher = ?1", [&h.publisher])?;
            }
        }
        let record = InstalledPack {
            publisher: h.publisher.clone(),
            version: h.version,
            file_sha256: pack.file_sha256.clone(),
            installed_at: now.to_rfc3339(),
            demo: h.publisher == pack::DEMO_PUBLISHER,
        };
        let others: i64 = tx.query_row(
            "SELECT count(*) FROM pack WHERE publisher != ?1",
            [&h.publisher],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO pack (publisher, version, file_sha256, installed_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (publisher) DO UPDATE SET version = ?2, file_sha256 = ?3, installed_at = ?4",
            params![record.publisher, record.version, record.file_sha256, record.installed_at],
        )?;
        let items: Vec<_> = pack.payload.items_but_rows().collect();
        {
            // Items are keyed by (kind, id) across publishers, so a pack that names
            // another publisher's item (a demo-signed checklist with the real one's id)
            // is refused whole; the transaction rolls back.
            let mut owner = tx.prepare("SELECT publisher FROM item WHERE kind = ?1 AND id = ?2")?;
            for (r, _) in &items {
                let found: Option<String> = owner
                    .query_row(params![kind_name(r.kind), r.id], |row| row.get(0))
                    .optional()?;
                if let Some(found) = found
                    && found != h.publisher
                {
                    return Err(InstallError::ForeignItem {
                        kind: kind_name(r.kind).to_owned(),
                        id: r.id.clone(),
                        owner: found,
                    });
                }
            }
            let mut put = tx.prepare(
                "INSERT INTO item (kind, id, publisher, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, id) DO UPDATE SET body = ?4 WHERE publisher = ?3",
            )?;
            for (r, body) in &items {
                put.execute(params![
                    kind_name(r.kind),
                    r.id,
                    h.publisher,
                    body.to_string()
                ])?;
            }
        }
        install_directory(&tx, pack, others > 0)?;
        tx.commit()?;
        // The install wrote the whole directory through the log: give that space back.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        self.cards.replace(None);
        Ok(record)
    }

    /// Whether `file` is newer than what is installed from its publisher, judged
    /// from its unverified header: good for skipping work, never for trusting.
    pub fn is_newer(&self, file: &[u8]) -> Result<bool, InstallError> {
        let header = pack::read_header(file)?;
        let installed: Option<u32> = self
            .conn
            .query_row(
                "SELECT version FROM pack WHERE publisher = ?1",
                [&header.publisher],
                |r| r.get(0),
            )
            .optional()?;
        Ok(installed.is_none_or(|v| header.version > v))
    }

    pub fn installed(&self) -> Result<Vec<InstalledPack>, InstallError> {
        let mut stmt = self.conn.prepare(
            "SELECT publisher, version, file_sha256, installed_at FROM pack ORDER BY publisher",
        )?;
        let rows = stmt.query_map([], |r| {
            let publisher: String = r.get(0)?;
            Ok(InstalledPack {
                demo: publisher == pack::DEMO_PUBLISHER,
                publisher,
                version: r.get(1)?,
                file_sha256: r.get(2)?,
                installed_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn checklists(&self) -> Result<Vec<Checklist>, InstallError> {
        self.all(ItemKind::Checklist)
    }

    pub fn checklist(&self, id: &str) -> Result<Option<Checklist>, InstallError> {
        self.one(ItemKind::Checklist, id)
    }

    pub fn articles(&self) -> Result<Vec<Article>, InstallError> {
        self.all(ItemKind::Article)
    }

    pub fn places(&self) -> Result<Vec<Place>, InstallError> {
        self.all(ItemKind::Place)
    }

    /// Searches the installed referral directory.
    pub fn search(&self, query: &ServiceQuery) -> Result<SearchResult, InstallError> {
        self.with_cards(|conn, codec| search::search(conn, codec, query))
    }

    /// One service by id, or `None` if the installed directory does not list it.
    pub fn service(&self, service_id: &str) -> Result<Option<ServiceHit>, InstallError> {
        self.with_cards(|conn, codec| search::service(conn, codec, service_id))
    }

    fn with_cards<T>(
        &self,
        f: impl FnOnce(&Connection, &mut Codec) -> rusqlite::Result<T>,
    ) -> Result<T, InstallError> {
        let mut cards = self.cards.borrow_mut();
        if cards.is_none() {
            *cards = Some(index::card_codec(&self.conn)?);
        }
        Ok(f(&self.conn, cards.as_mut().expect("just loaded"))?)
    }

    /// Every installed directory row, in item-id order.
    fn hsds_rows(&self) -> Result<Vec<HsdsRow>, InstallError> {
        let mut rows = records::Reader::new().all(&self.conn, "")?;
        rows.sort_by_key(super::model::hsds_row_id);
        Ok(rows)
    }

    /// The installed directory as HSDS tables and rows (for export).
    pub fn hsds(&self) -> Result<HsdsData, InstallError> {
        let mut tables: Vec<HsdsTable> = self.all(ItemKind::HsdsTable)?;
        tables.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(HsdsData {
            tables,
            rows: self.hsds_rows()?,
        })
    }

    /// Everything installed, as a payload (for comparing installs in tests and tools).
    pub fn snapshot(&self) -> Result<ContentPayload, InstallError> {
        Ok(ContentPayload {
            checklists: self.checklists()?,
            articles: self.articles()?,
            places: self.places()?,
            hsds_tables: self.all(ItemKind::HsdsTable)?,
            hsds_rows: self.hsds_rows()?,
            deleted: Vec::new(),
        })
    }

    fn all<T: DeserializeOwned>(&self, kind: ItemKind) -> Result<Vec<T>, InstallError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM item WHERE kind = ?1 ORDER BY id")?;
        let rows = stmt.query_map([kind_name(kind)], |r| r.get::<_, String>(0))?;
        rows.map(|body| parse(&body?)).collect()
    }

    fn one<T: DeserializeOwned>(
        &self,
        kind: ItemKind,
        id: &str,
    ) -> Result<Option<T>, InstallError> {
        self.conn
            .query_row(
                "SELECT body FROM item WHERE kind = ?1 AND id = ?2",
                [kind_name(kind), id],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|body| parse(&body))
            .transpose()
    }
}

/// The directory part of an install: records replaced (all of the
/// publisher's for a full pack, those named for a delta), then the index.
fn install_directory(
    tx: &rusqlite::Transaction<'_>,
    pack: &SignedPack,
    other_publishers: bool,
) -> Result<(), InstallError> {
    let publisher = &pack.header.publisher;
    let grouped = records::group(&pack.payload.hsds_rows);
    let removed: Vec<&str> = pack
        .payload
        .deleted
        .iter()
        .filter(|r| r.kind == ItemKind::HsdsRecord)
        .map(|r| r.id.as_str())
        .collect();
    if other_publishers {
        let mut owner_of =
            tx.prepare_cached("SELECT publisher FROM hsds_record WHERE owner = ?1")?;
        for owner in grouped
            .keys()
            .map(String::as_str)
            .chain(removed.iter().copied())
        {
            let found: Option<String> = owner_of.query_row([owner], |r| r.get(0)).optional()?;
            if let Some(found) = found
                && &found != publisher
            {
                return Err(InstallError::ForeignItem {
                    kind: kind_name(ItemKind::HsdsRecord).to_owned(),
                    id: owner.to_owned(),
                    owner: found,
                });
            }
        }
    }
    if pack.header.base_version.is_none() {
        tx.execute("DELETE FROM hsds_record WHERE publisher = ?1", [publisher])?;
        records::Writer::fresh(tx, publisher, &grouped)?.put_all(tx, &grouped)?;
        if other_publishers {
            index::rebuild_from_store(tx)?;
        } else {
            index::rebuild(tx, &grouped)?;
        }
    } else {
        let mut writer = records::Writer::existing(tx, publisher)?;
        let mut drop =
            tx.prepare_cached("DELETE FROM hsds_record WHERE owner = ?1 AND publisher = ?2")?;
        for owner in &removed {
            drop.execute(params![owner, publisher])?;
        }
        for (owner, rows) in &grouped {
            writer.put(tx, owner, rows)?;
        }
        let touched: BTreeSet<String> = grouped
            .keys()
            .cloned()
            .chain(removed.iter().map(|o| o.to_string()))
            .collect();
        index::update(tx, &touched)?;
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(body: &str) -> Result<T, InstallError> {
    serde_json::from_str(body).map_err(|e| InstallError::Storage {
        message: format!("stored item: {e}"),
    })
}

fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Checklist => "checklist",
        ItemKind::Article => "article",
        ItemKind::Place => "place",
        ItemKind::HsdsTable => "hsds-table",
        ItemKind::HsdsRow => "hsds-row",
        ItemKind::HsdsRecord => "hsds-record",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small directory: a service of an organisation at a mapped location.
    fn sample_rows() -> Vec<HsdsRow> {
        let row = |table: &str, id: &str, fields: &[(&str, &str)]| HsdsRow {
            table: table.into(),
            id: id.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .chain([("id".to_string(), id.to_string())])
                .collect(),
        };
        vec![
            row("organization", "o1", &[("name", "Fundación Camino")]),
            row(
                "service",
                "s1",
                &[
                    ("organization_id", "o1"),
                    ("name", "Refugio temporal"),
                    ("status", ""),
                ],
            ),
            row(
                "location",
                "l1",
                &[
                    ("name", "Sede Tumbes"),
                    ("latitude", "-3.5"),
                    ("longitude", "-80.4"),
                ],
            ),
            row(
                "address",
                "ad1",
                &[("location_id", "l1"), ("country", "pe"), ("city", "Tumbes")],
            ),
            row(
                "service_at_location",
                "sl1",
                &[("service_id", "s1"), ("location_id", "l1")],
            ),
            row(
                "attribute",
                "a1",
                &[
                    ("link_id", "s1"),
                    ("taxonomy_term_id", "senda-cat:alojamiento"),
                ],
            ),
        ]
    }

    /// Finds the sample service by words and by category, and checks what the hit shows.
    fn finds_the_sample(store: &ContentStore) {
        for q in [
            ServiceQuery {
                text: Some("refugio tumbes".into()),
                ..Default::default()
            },
            ServiceQuery {
                category: Some("alojamiento".into()),
                ..Default::default()
            },
        ] {
            let found = store.search(&q).unwrap();
            assert_eq!(found.hits.len(), 1, "{q:?}");
            assert_eq!(found.hits[0].country.as_deref(), Some("PE"));
            assert_eq!(
                found.hits[0].organization.as_deref(),
                Some("Fundación Camino")
            );
        }
    }

    #[test]
    fn a_store_from_before_records_moves_its_directory_into_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("content.db");
        let mut rows = sample_rows();
        {
            let mut conn = Connection::open(&path).unwrap();
            let mut before = migrations();
            before.truncate(5);
            Migrations::new(before).to_latest(&mut conn).unwrap();
            conn.execute("INSERT INTO pack VALUES ('pub', 1, 'x', 'then')", [])
                .unwrap();
            for r in &rows {
                conn.execute(
                    "INSERT INTO item (kind, id, publisher, body) VALUES ('hsds-row', ?1, 'pub', ?2)",
                    params![super::super::model::hsds_row_id(r), serde_json::to_string(r).unwrap()],
                )
                .unwrap();
            }
        }
        let store = ContentStore::open(&path, TrustedKeys::default()).unwrap();
        finds_the_sample(&store);
        rows.sort_by_key(super::super::model::hsds_row_id);
        assert_eq!(store.hsds().unwrap().rows, rows);
        let left: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM item WHERE kind = 'hsds-row'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0, "no second copy stays behind");
    }

    /// The index as v6 made it (frozen here; `index::INDEX_SQL` is today's).
    const V6_INDEX_SQL: &str = "
        CREATE TABLE dir_entry (
            rowid INTEGER PRIMARY KEY, service_id TEXT NOT NULL, location_id TEXT,
            organization_id TEXT, name TEXT NOT NULL, country TEXT, region TEXT,
            latitude REAL, longitude REAL, min_age REAL, max_age REAL, genders TEXT,
            undocumented INTEGER, adolescent_mothers INTEGER, unaccompanied INTEGER,
            authority INTEGER NOT NULL, card BLOB NOT NULL
        ) STRICT;
        CREATE INDEX dir_entry_service ON dir_entry (service_id);
        CREATE INDEX dir_entry_area ON dir_entry (country, region);
        CREATE INDEX dir_entry_name ON dir_entry (name);
        CREATE VIRTUAL TABLE dir_fts USING fts5 (
            name, organization, description, categories, place,
            content = '', contentless_delete = 1, detail = column,
            tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
        );
        CREATE VIRTUAL TABLE dir_geo USING rtree (id, min_lat, max_lat, min_lon, max_lon);
        CREATE TABLE dir_entry_category (
            category TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY (category, entry)
        ) WITHOUT ROWID;
        CREATE TABLE dir_term (term TEXT PRIMARY KEY, entries INTEGER NOT NULL) STRICT, WITHOUT ROWID;";

    #[test]
    fn a_v6_store_gets_todays_index_from_its_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("content.db");
        let rows = sample_rows();
        {
            let mut conn = Connection::open(&path).unwrap();
            let mut before = migrations();
            before.truncate(6);
            Migrations::new(before).to_latest(&mut conn).unwrap();
            let tx = conn.transaction().unwrap();
            tx.execute_batch(V6_INDEX_SQL).unwrap();
            tx.execute("INSERT INTO pack VALUES ('pub', 1, 'x', 'then')", [])
                .unwrap();
            let grouped = records::group(&rows);
            records::Writer::fresh(&tx, "pub", &grouped)
                .unwrap()
                .put_all(&tx, &grouped)
                .unwrap();
            tx.commit().unwrap();
        }
        let store = ContentStore::open(&path, TrustedKeys::default()).unwrap();
        finds_the_sample(&store);
        let fts: String = store
            .conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'dir_fts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(fts.contains("prefix = '2 3'"), "{fts}");
    }

    #[test]
    fn the_serialised_code_is_the_code() {
        use strum::IntoEnumIterator;
        let all: Vec<InstallError> = InstallError::iter()
            .chain(PackError::iter().map(InstallError::from))
            .collect();
        assert_eq!(all.len(), InstallError::all_codes().len());
        for e in &all {
            let json = serde_json::to_value(e).unwrap();
            assert_eq!(json["code"], e.code(), "{json}");
        }
    }
}
