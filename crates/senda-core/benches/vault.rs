//! Vault benchmarks: `cargo bench -p senda-core --bench vault`.
//!
//! - `unlock`: PIN to unlocked (Argon2id 128 MiB × 3 + unwrap + open + integrity check).
//! - `insert_10k`: 10,000 row inserts in one transaction, SQLCipher vs plain
//!   SQLite with the same pragmas, to report the ratio in docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};
use senda_core::{SystemClock, Vault};
use std::sync::Arc;

fn unlock(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    let me = vault.create("Bench", "482916").unwrap();
    vault.lock().unwrap();
    let mut group = c.benchmark_group("vault");
    group.sample_size(20);
    group.bench_function("unlock", |b| {
        b.iter(|| {
            vault.unlock(&me.id, "482916").unwrap();
            vault.lock().unwrap();
        })
    });
    group.finish();
}

fn open(path: &std::path::Path, encrypted: bool) -> Connection {
    let conn = Connection::open(path).unwrap();
    if encrypted {
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", "ab".repeat(32)))
            .unwrap();
    }
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS screening (id INTEGER PRIMARY KEY, case_id TEXT, answers TEXT, at TEXT);",
    )
    .unwrap();
    conn
}

fn insert_10k(conn: &mut Connection) {
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare_cached("INSERT INTO screening (case_id, answers, at) VALUES (?1, ?2, ?3)")
            .unwrap();
        for i in 0..10_000 {
            stmt.execute(params![
                format!("case-{i:06}"),
                r#"{"q1":"yes","q2":"unknown","q3":"prefer-not-to-say","q4":"no","q5":3}"#,
                "2026-11-23T10:00:00Z"
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn inserts(c: &mut Criterion) {
    let mut group = c.benchmark_group("insert_10k");
    group.sample_size(10);
    for (name, encrypted) in [("plain_sqlite", false), ("sqlcipher", true)] {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("bench.db"), encrypted);
        group.bench_function(name, |b| b.iter(|| insert_10k(&mut conn)));
    }
    group.finish();
}

criterion_group!(benches, unlock, inserts);
criterion_main!(benches);
