//! The content database: public content only, never a child's data.
//!
//! Plain SQLite (it holds nothing secret) whose integrity comes from the
//! pack signatures checked before anything is written. An install is one
//! transaction: a refused or interrupted install leaves the previous content
//! exactly as it was.

use super::model::{Article, ContentPayload, ItemKind, Place};
use super::pack::{self, PackError, SignedPack, TrustedKeys};
use crate::checklist::Checklist;
use crate::directory::search::{self, SearchResult, ServiceHit, ServiceQuery};
use crate::directory::{HsdsData, HsdsRow, HsdsTable};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};
use serde::{Serialize, de::DeserializeOwned};
use std::path::Path;

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
        M::up(search::INDEX_SQL),
        // v3: referrals look a service up by id.
        M::up("CREATE INDEX dir_entry_service ON dir_entry (service_id);"),
        // v4: grid cells in the full-text index (see `search::cell_words`). Its re-index
        // now runs at v5, whose columns the index needs; v5 re-derives everything.
        M::up(""),
        // v5: real lines (who checked them, when) and names in every locale: re-index what is installed.
        M::up_with_hook(
            "ALTER TABLE dir_entry ADD COLUMN real INTEGER NOT NULL DEFAULT 0;
             ALTER TABLE dir_entry ADD COLUMN checked_by TEXT;
             ALTER TABLE dir_entry ADD COLUMN checked_on TEXT;
             ALTER TABLE dir_entry ADD COLUMN texts TEXT;",
            |tx: &rusqlite::Transaction<'_>| {
                search::rebuild(tx)?;
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
        Ok(Self { conn, trusted })
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
        tx.execute(
            "INSERT INTO pack (publisher, version, file_sha256, installed_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (publisher) DO UPDATE SET version = ?2, file_sha256 = ?3, installed_at = ?4",
            params![record.publisher, record.version, record.file_sha256, record.installed_at],
        )?;
        {
            // Items are keyed by (kind, id) across publishers, so a pack that names
            // another publisher's item (a demo-signed checklist with the real one's id)
            // is refused whole; the transaction rolls back.
            let mut owner = tx.prepare("SELECT publisher FROM item WHERE kind = ?1 AND id = ?2")?;
            for (r, _) in pack.payload.items() {
                let found: Option<String> = owner
                    .query_row(params![kind_name(r.kind), r.id], |row| row.get(0))
                    .optional()?;
                if let Some(found) = found
                    && found != h.publisher
                {
                    return Err(InstallError::ForeignItem {
                        kind: kind_name(r.kind).to_owned(),
                        id: r.id,
                        owner: found,
                    });
                }
            }
            let mut put = tx.prepare(
                "INSERT INTO item (kind, id, publisher, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, id) DO UPDATE SET body = ?4 WHERE publisher = ?3",
            )?;
            for (r, body) in pack.payload.items() {
                put.execute(params![
                    kind_name(r.kind),
                    r.id,
                    h.publisher,
                    body.to_string()
                ])?;
            }
        }
        search::rebuild(&tx)?;
        tx.commit()?;
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
        Ok(search::search(&self.conn, query)?)
    }

    /// One service by id, or `None` if the installed directory does not list it.
    pub fn service(&self, service_id: &str) -> Result<Option<ServiceHit>, InstallError> {
        Ok(search::service(&self.conn, service_id)?)
    }

    /// The installed directory as HSDS tables and rows (for export).
    pub fn hsds(&self) -> Result<HsdsData, InstallError> {
        let mut tables: Vec<HsdsTable> = self.all(ItemKind::HsdsTable)?;
        tables.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(HsdsData {
            tables,
            rows: self.all::<HsdsRow>(ItemKind::HsdsRow)?,
        })
    }

    /// Everything installed, as a payload (for comparing installs in tests and tools).
    pub fn snapshot(&self) -> Result<ContentPayload, InstallError> {
        Ok(ContentPayload {
            checklists: self.checklists()?,
            articles: self.articles()?,
            places: self.places()?,
            hsds_tables: self.all(ItemKind::HsdsTable)?,
            hsds_rows: self.all(ItemKind::HsdsRow)?,
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
