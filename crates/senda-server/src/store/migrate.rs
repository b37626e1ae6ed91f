//! Versioned schema migrations on both backends, run by `refinery`.
//!
//! One file per version in `migrations/` (`001_initial.sql` is version 1, the
//! schema from before versions; numbers may leave gaps, never repeat). SQL is dialect-neutral; a file named
//! `NNN_what.postgres.sql` or `NNN_what.sqlite.sql` replaces `NNN_what.sql` on
//! that backend only. Released migrations are never edited: refinery keeps a
//! checksum of each and refuses a database whose history differs.
//!
//! Every pending migration runs in one transaction with its row in
//! `schema_version`, so a failure leaves the database at the version it had.
//! A database from a newer Senda is refused before anything is written.

use super::StoreError;
use refinery::{Migration, Runner};

mod files {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// The table where refinery records each applied version.
pub const TABLE: &str = "schema_version";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn suffix(self) -> &'static str {
        match self {
            Self::Sqlite => ".sqlite.sql",
            Self::Postgres => ".postgres.sql",
        }
    }

    fn other_suffix(self) -> &'static str {
        match self {
            Self::Sqlite => Dialect::Postgres.suffix(),
            Self::Postgres => Dialect::Sqlite.suffix(),
        }
    }

    /// Dialect-neutral SQL in this backend's words.
    fn adapt(self, sql: &str) -> String {
        match self {
            Self::Sqlite => sql.to_owned(),
            Self::Postgres => {
                sql.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
            }
        }
    }
}

/// What opening a database did to its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// 0 for an empty database.
    pub from: u32,
    pub to: u32,
    /// The database was written before versions existed (it is version 1).
    pub unversioned: bool,
}

impl std::fmt::Display for Migrated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unversioned {
            write!(f, "an unversioned database (version 1); ")?;
        }
        if self.from == self.to {
            write!(f, "schema at version {}, nothing to migrate", self.to)
        } else {
            write!(
                f,
                "migrated the schema from version {} to {}",
                self.from, self.to
            )
        }
    }
}

/// The migrations for `dialect`, in order: (version, name, SQL).
pub fn migrations(dialect: Dialect) -> Result<Vec<(u32, String, String)>, StoreError> {
    let bad = |why: String| StoreError::Backend(format!("schema migrations: {why}"));
    let mut neutral = std::collections::BTreeMap::new();
    let mut own = std::collections::BTreeMap::new();
    for (file, sql) in files::FILES {
        if file.ends_with(dialect.other_suffix()) {
            continue;
        }
        let (stem, map, sql) = match file.strip_suffix(dialect.suffix()) {
            Some(stem) => (stem, &mut own, sql.to_string()),
            None => (
                file.strip_suffix(".sql").unwrap_or(file),
                &mut neutral,
                dialect.adapt(sql),
            ),
        };
        let version = stem
            .split_once('_')
            .and_then(|(n, _)| n.parse::<u32>().ok())
            .ok_or_else(|| bad(format!("{file}: name it NNN_what.sql")))?;
        let name = stem.split_once('_').map_or("", |(_, n)| n).to_owned();
        if map.insert(version, (name, sql)).is_some() {
            return Err(bad(format!("two migrations numbered {version}")));
        }
    }
    for (version, m) in own {
        if neutral.insert(version, m).is_none() {
            return Err(bad(format!(
                "{version}: a backend's file replaces a NNN_what.sql"
            )));
        }
    }
    // Versions may leave gaps (branches number their files apart), never repeat.
    Ok(neutral
        .into_iter()
        .map(|(version, (name, sql))| (version, name, sql))
        .collect())
}

/// Every version this build knows, in order.
pub fn versions() -> Vec<u32> {
    migrations(Dialect::Sqlite).map_or(Vec::new(), |m| m.iter().map(|(v, _, _)| *v).collect())
}

/// The schema version this build writes.
pub fn latest() -> u32 {
    versions().last().copied().unwrap_or(0)
}

fn runner(dialect: Dialect) -> Result<Runner, StoreError> {
    let list = migrations(dialect)?
        .into_iter()
        .map(|(v, name, sql)| Migration::unapplied(&format!("V{v}__{name}"), &sql))
        .collect::<Result<Vec<_>, _>>()
        .map_err(refused)?;
    let mut runner = Runner::new(&list)
        .set_grouped(true)
        .set_abort_divergent(true)
        .set_abort_missing(true);
    runner.set_migration_table_name(TABLE);
    Ok(runner)
}

fn refused(e: refinery::Error) -> StoreError {
    StoreError::Backend(format!("schema migrations: {e}"))
}

/// Which version a database is at, from what it holds: the highest recorded
/// version; 1 if it has Senda's tables but no record (made before versions);
/// 0 if empty. `true` with 1 for the unrecorded case.
fn found_version(
    has_versions: bool,
    has_senda_tables: bool,
    recorded: impl FnOnce() -> Result<i64, StoreError>,
) -> Result<(u32, bool), StoreError> {
    Ok(if has_versions {
        (u32::try_from(recorded()?).unwrap_or(u32::MAX), false)
    } else if has_senda_tables {
        (1, true)
    } else {
        (0, false)
    })
}

fn check(from: u32) -> Result<(), StoreError> {
    let supported = latest();
    if from > supported {
        return Err(StoreError::SchemaTooNew {
            found: from,
            supported,
        });
    }
    Ok(())
}

fn sqlite_version(conn: &rusqlite::Connection) -> Result<(u32, bool), StoreError> {
    let has = |t: &str| -> Result<bool, StoreError> {
        Ok(conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t],
            |r| r.get::<_, i64>(0),
        )? > 0)
    };
    found_version(has(TABLE)?, has("organisations")?, || {
        Ok(conn.query_row(
            &format!("SELECT COALESCE(MAX(version), 0) FROM {TABLE}"),
            [],
            |r| r.get(0),
        )?)
    })
}

/// Refuses a database from a newer Senda, reading only.
pub fn refuse_newer_sqlite(conn: &rusqlite::Connection) -> Result<(), StoreError> {
    check(sqlite_version(conn)?.0)
}

/// Brings a SQLite database to the latest version.
pub fn sqlite(conn: &mut rusqlite::Connection) -> Result<Migrated, StoreError> {
    let (from, unversioned) = sqlite_version(conn)?;
    check(from)?;
    runner(Dialect::Sqlite)?.run(conn).map_err(refused)?;
    Ok(Migrated {
        from,
        to: latest(),
        unversioned,
    })
}

/// Brings the PostgreSQL schema on `search_path` to the latest version. The
/// caller holds the migration lock, so instances starting together wait.
pub fn postgres(client: &mut postgres::Client) -> Result<Migrated, StoreError> {
    let pg = |e: postgres::Error| StoreError::Backend(e.to_string());
    let mut has = |t: &str| -> Result<bool, StoreError> {
        let row = client
            .query_one(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = $1",
                &[&t],
            )
            .map_err(pg)?;
        Ok(row.get::<_, i64>(0) > 0)
    };
    let (versions, tables) = (has(TABLE)?, has("organisations")?);
    let (from, unversioned) = found_version(versions, tables, || {
        let row = client
            .query_one(
                &format!("SELECT COALESCE(MAX(version), 0)::BIGINT FROM {TABLE}"),
                &[],
            )
            .map_err(pg)?;
        Ok(row.get(0))
    })?;
    check(from)?;
    runner(Dialect::Postgres)?.run(client).map_err(refused)?;
    Ok(Migrated {
        from,
        to: latest(),
        unversioned,
    })
}

/// Migrates an empty or older database only up to `version` (tests build a
/// database of every earlier version with this).
pub fn sqlite_to(conn: &mut rusqlite::Connection, version: u32) -> Result<(), StoreError> {
    let target = refinery::Target::Version(version as refinery::SchemaVersion);
    let runner = runner(Dialect::Sqlite)?.set_target(target);
    runner.run(conn).map(drop).map_err(refused)
}

/// [`sqlite_to`] on PostgreSQL.
pub fn postgres_to(client: &mut postgres::Client, version: u32) -> Result<(), StoreError> {
    let target = refinery::Target::Version(version as refinery::SchemaVersion);
    let runner = runner(Dialect::Postgres)?.set_target(target);
    runner.run(client).map(drop).map_err(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_run_one_by_one_on_both_backends() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let list = migrations(dialect).unwrap();
            assert!(!list.is_empty());
            assert_eq!((list[0].0, list[0].1.as_str()), (1, "initial"));
            assert_eq!(list.last().unwrap().0, latest());
            assert!(list.windows(2).all(|w| w[0].0 < w[1].0));
        }
        let pg = migrations(Dialect::Postgres).unwrap();
        assert!(pg[0].2.contains("BIGSERIAL PRIMARY KEY"));
        assert!(!pg[0].2.contains("INTEGER PRIMARY KEY AUTOINCREMENT"));
    }
}
