//! The public side leaves no trace: reading articles and places and searching
//! the directory adds no row to any database and no file to the data folder,
//! and never touches the vault.

use chrono::Utc;
use senda_core::content::pack::{self, PublisherKey, TrustedKeys};
use senda_core::content::{ContentStore, source};
use senda_core::directory::{ChildProfile, ServiceQuery};
use senda_core::{ManualClock, Vault};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Every file under `dir` with its size, and the row count of every table of the plain databases.
fn snapshot(dir: &Path) -> (BTreeMap<String, u64>, BTreeMap<String, i64>) {
    let mut files = BTreeMap::new();
    for entry in walk(dir) {
        let len = std::fs::metadata(&entry).unwrap().len();
        let name = entry.strip_prefix(dir).unwrap().display().to_string();
        // The vault's own files must not change at all; WAL side files of the
        // open content database may change size as SQLite manages them.
        if !name.ends_with("-wal") && !name.ends_with("-shm") {
            files.insert(name, len);
        } else {
            files.insert(name, 0);
        }
    }
    let mut rows = BTreeMap::new();
    for db in ["content.db", "vault/keyring.db"] {
        let conn = rusqlite::Connection::open_with_flags(
            dir.join(db),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for t in tables {
            let n: i64 = conn
                .query_row(&format!("SELECT COUNT(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            rows.insert(format!("{db}:{t}"), n);
        }
    }
    (files, rows)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn reading_and_searching_leave_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content");
    let (_, payload) = source::load_dir(&content).unwrap();
    let file = pack::sign("pub", 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
    let mut store = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    store.install(&file, Utc::now()).unwrap();
    {
        let mut vault = Vault::open_dir(dir.path().join("vault"), Arc::new(ManualClock::default()))
            .unwrap()
            .with_light_kdf();
        vault.create("Ana", "135790").unwrap();
        vault.lock().unwrap();
    }
    let vault_before = std::fs::read(dir.path().join("vault/vault.db")).unwrap();
    let before = snapshot(dir.path());

    // What the public side does: read, search, look at the map.
    assert!(!store.articles().unwrap().is_empty());
    assert!(!store.places().unwrap().is_empty());
    for text in ["alojamiento", "línea 141", "psicologo", "zzzz"] {
        for country in [None, Some("CO"), Some("BO")] {
            store
                .search(&ServiceQuery {
                    text: Some(text.into()),
                    country: country.map(Into::into),
                    child: Some(ChildProfile {
                        age: Some(15),
                        ..ChildProfile::default()
                    }),
                    limit: 20,
                    ..ServiceQuery::default()
                })
                .unwrap();
        }
    }
    store.service("svc-icbf-141").unwrap();

    assert_eq!(snapshot(dir.path()), before, "reading left a trace");
    assert_eq!(
        std::fs::read(dir.path().join("vault/vault.db")).unwrap(),
        vault_before,
        "the vault was touched"
    );
}
