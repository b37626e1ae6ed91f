//! The embedded default: one SQLite file, one writer at a time, and a
//! read-only connection beside it (WAL) for work that only reads.

use super::migrate::{self, Migrated};
use super::sql::{Row, Sql, Value};
use super::{Store, StoreError};
use rusqlite::{Connection, types::ValueRef};
use std::path::Path;
use std::sync::Mutex;

pub struct SqliteStore {
    conn: Mutex<Connection>,
    reader: Mutex<Connection>,
    migrated: Migrated,
}

impl SqliteStore {
    /// Opens (or creates) the file and migrates its schema to the latest version.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Before any write (WAL changes the file): a newer database stays untouched.
        migrate::refuse_newer_sqlite(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let migrated = migrate::sqlite(&mut conn)?;
        // A push runs more distinct statements than rusqlite's default cache
        // of 16 holds (batched ones vary with their row count).
        conn.set_prepared_statement_cache_capacity(256);
        let reader = Connection::open(path)?;
        reader.busy_timeout(std::time::Duration::from_secs(10))?;
        // A write through it is an error, never a second writer.
        reader.pragma_update(None, "query_only", "ON")?;
        Ok(Self {
            conn: Mutex::new(conn),
            reader: Mutex::new(reader),
            migrated,
        })
    }

    /// What opening did to the schema.
    pub fn migrated(&self) -> Migrated {
        self.migrated
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn transaction(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut sql = SqliteTx { tx: &tx };
        work(&mut sql)?;
        tx.commit()?;
        Ok(())
    }

    fn read(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        // One snapshot for the whole read, taken at its first statement.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
        let mut sql = SqliteTx { tx: &tx };
        work(&mut sql)?;
        tx.commit()?;
        Ok(())
    }
}

struct SqliteTx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

fn bind(params: &[Value]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Value::Int(i) => rusqlite::types::Value::Integer(*i),
            Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
            Value::Null => rusqlite::types::Value::Null,
        })
        .collect()
}

impl Sql for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(bind(params)))? as u64)
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let n = stmt.column_count();
        let rows = stmt.query_map(rusqlite::params_from_iter(bind(params)), |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Integer(v) => Value::Int(v),
                        ValueRef::Real(v) => Value::Int(v as i64),
                        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                        ValueRef::Null => Value::Null,
                    })
                })
                .collect()
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, mpsc};
    use std::time::Duration;

    #[test]
    fn a_read_does_not_wait_for_a_write_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("s.db")).unwrap());
        let (started, writing) = mpsc::channel();
        let (release, held) = mpsc::channel::<()>();
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                store.transaction(&mut |sql| {
                    sql.exec("CREATE TABLE probe (x INTEGER)", &[])?;
                    started.send(()).unwrap();
                    held.recv().unwrap();
                    Ok(())
                })
            })
        };
        writing.recv().unwrap();
        // While a long write holds the writer, a read answers from the last commit.
        let (answer, answered) = mpsc::channel();
        {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                store
                    .read(&mut |sql| {
                        seen = sql.rows(
                            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'probe'",
                            &[],
                        )?;
                        Ok(())
                    })
                    .unwrap();
                answer.send(seen).unwrap();
            });
        }
        let seen = answered
            .recv_timeout(Duration::from_secs(5))
            .expect("the read answered while the write was open");
        assert_eq!(seen, vec![vec![Value::Int(0)]]);
        release.send(()).unwrap();
        writer.join().unwrap().unwrap();
        // A write through the read path is refused, never a second writer.
        assert!(
            store
                .read(&mut |sql| sql.exec("DROP TABLE probe", &[]).map(|_| ()))
                .is_err()
        );
    }
}
