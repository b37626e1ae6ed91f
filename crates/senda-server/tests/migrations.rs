//! Server schema migrations on both backends: from empty, from every earlier
//! version (including a database written before versions existed, whose rows
//! survive), and a database from a newer Senda refused untouched.

use senda_server::store::migrate::{self, Migrated, TABLE};
use senda_server::store::{PostgresStore, Repo, SqliteStore, StoreError};
use std::path::PathBuf;

/// The schema the server applied before versioned migrations (a copy of the
/// old `schema.sql`, as it ran with `CREATE TABLE IF NOT EXISTS` on every start).
const SCHEMA_BEFORE_VERSIONS: &str = include_str!("fixtures/schema-before-versions.sql");

/// Rows of every kind version 1 holds, in SQL both backends read.
const V1_ROWS: &str = "
INSERT INTO organisations (id, name, created_at) VALUES ('org-1', 'Red Frontera', '2026-11-01T00:00:00Z');
INSERT INTO devices (id, organisation_id, team, name, public_key, enrolled_at)
    VALUES ('dev-1', 'org-1', 'cucuta', 'Tableta 1', 'aa11', '2026-11-01T00:00:00Z');
INSERT INTO ops (op_id, device_id, seq, hlc, entity, entity_id, case_id, op, base_version, version, payload, received_at, applied)
    VALUES ('op-1', 'dev-1', 1, '0001', 'case', 'case-1', 'case-1', 'create', 0, 1, '{\"status\":\"open\"}', '2026-11-01T00:00:00Z', 1);
INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions)
    VALUES ('case-1', 'case', 'org-1', 'cucuta', 'case-1', 1, '{\"status\":\"open\"}', '{\"status\":1}');
INSERT INTO changes (organisation_id, team, kind, body, at) VALUES ('org-1', 'cucuta', 'op', '{}', '2026-11-01T00:00:00Z');
";

enum Db {
    /// The folder lives as long as the database.
    Sqlite(PathBuf, #[allow(dead_code)] tempfile::TempDir),
    Postgres {
        url: String,
        schema: String,
    },
}

impl Db {
    fn both() -> Vec<Db> {
        let dir = tempfile::tempdir().unwrap();
        let url = std::env::var("SENDA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        vec![
            Db::Sqlite(dir.path().join("server.db"), dir),
            Db::Postgres {
                url,
                schema: format!("t{}", senda_protocol::hex(&random6())),
            },
        ]
    }

    fn name(&self) -> &'static str {
        match self {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres { .. } => "postgres",
        }
    }

    fn pg_client(url: &str, schema: &str) -> postgres::Client {
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{schema}\"; SET search_path TO \"{schema}\""
            ))
            .unwrap();
        client
    }

    /// Runs SQL on the raw database, as an older server would have.
    fn exec(&self, sql: &str) {
        match self {
            Db::Sqlite(path, _) => rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Db::Postgres { url, schema } => Self::pg_client(url, schema)
                .batch_execute(
                    &sql.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"),
                )
                .unwrap(),
        }
    }

    /// Builds a database at `version` with this build's migrations.
    fn make_version(&self, version: u32) {
        match self {
            Db::Sqlite(path, _) => {
                let mut conn = rusqlite::Connection::open(path).unwrap();
                migrate::sqlite_to(&mut conn, version).unwrap();
            }
            Db::Postgres { url, schema } => {
                migrate::postgres_to(&mut Self::pg_client(url, schema), version).unwrap();
            }
        }
    }

    fn open(&self) -> Result<(Repo, Migrated), StoreError> {
        match self {
            Db::Sqlite(path, _) => {
                let store = SqliteStore::open(path)?;
                let m = store.migrated();
                Ok((Repo::new(store), m))
            }
            Db::Postgres { url, schema } => {
                let store = PostgresStore::open(url, Some(schema))?;
                let m = store.migrated();
                Ok((Repo::new(store), m))
            }
        }
    }

    /// One query's rows as text (to compare a database before and after).
    fn query(&self, sql: &str) -> Vec<String> {
        match self {
            Db::Sqlite(path, _) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut stmt = conn.prepare(sql).unwrap();
                let n = stmt.column_count();
                stmt.query_map([], |r| {
                    Ok((0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                            other => format!("{other:?}"),
                        })
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            }
            Db::Postgres { url, schema } => Self::pg_client(url, schema)
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| {
                            r.get::<_, Option<String>>(i)
                                .unwrap_or_else(|| "NULL".to_owned())
                        })
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect(),
        }
    }

    /// Everything that says what the database is: its tables and columns,
    /// its recorded versions, and (SQLite) the file's bytes.
    fn snapshot(&self) -> Vec<String> {
        let mut out = match self {
            Db::Sqlite(path, _) => {
                let mut v = self.query("SELECT type, name, sql FROM sqlite_master ORDER BY name");
                v.push(format!("{:?}", std::fs::read(path).unwrap()));
                v
            }
            Db::Postgres { .. } => self.query(
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY 1, 2",
            ),
        };
        out.extend(self.query(&format!(
            "SELECT CAST(version AS TEXT), name, checksum FROM {TABLE} ORDER BY version"
        )));
        out
    }

    fn versions(&self) -> Vec<String> {
        self.query(&format!(
            "SELECT CAST(version AS TEXT) FROM {TABLE} ORDER BY version"
        ))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Postgres { url, schema } = self
            && let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
        }
    }
}

fn random6() -> [u8; 6] {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 6];
    ring::rand::SystemRandom::new().fill(&mut b).unwrap();
    b
}

fn block_on<T>(f: impl Future<Output = T>) -> T {
    tokio::runtime::Runtime::new().unwrap().block_on(f)
}

fn all_versions() -> Vec<String> {
    migrate::versions().iter().map(|v| v.to_string()).collect()
}

/// The v1 rows are all there and the server reads them.
fn assert_v1_rows_survive(db: &Db, repo: &Repo) {
    let b = db.name();
    let names = db.query("SELECT name FROM organisations");
    assert!(
        names.len() == 1 && names[0].contains("Red Frontera"),
        "{b}: {names:?}"
    );
    let device = block_on(repo.device("dev-1".into())).unwrap();
    assert_eq!(
        device.map(|d| d.organisation),
        Some("org-1".to_owned()),
        "{b}"
    );
    assert_eq!(block_on(repo.op_count()).unwrap(), 1, "{b}");
    assert_eq!(
        block_on(repo.entity_fields("case-1".into())).unwrap(),
        Some(serde_json::json!({ "status": "open" })),
        "{b}"
    );
    // And it writes on.
    block_on(repo.create_organisation("Otra".into())).unwrap();
}

#[test]
fn an_empty_database_is_migrated_to_the_latest_version() {
    for db in Db::both() {
        let b = db.name();
        let (repo, migrated) = db.open().unwrap();
        assert_eq!(
            migrated,
            Migrated {
                from: 0,
                to: migrate::latest(),
                unversioned: false
            },
            "{b}"
        );
        assert_eq!(db.versions(), all_versions(), "{b}");
        block_on(repo.create_organisation("Red".into())).unwrap();
        drop(repo);
        // Opening again finds nothing to do.
        let (_, again) = db.open().unwrap();
        assert_eq!(
            (again.from, again.to),
            (migrate::latest(), migrate::latest()),
            "{b}"
        );
        assert_eq!(db.versions(), all_versions(), "{b}");
    }
}

#[test]
fn a_database_from_before_versions_is_version_1_and_keeps_its_rows() {
    for db in Db::both() {
        let b = db.name();
        // What the old server did at every start, then some work.
        db.exec(SCHEMA_BEFORE_VERSIONS);
        db.exec(V1_ROWS);
        let (repo, migrated) = db.open().unwrap();
        assert_eq!(
            migrated,
            Migrated {
                from: 1,
                to: migrate::latest(),
                unversioned: true
            },
            "{b}"
        );
        assert_eq!(db.versions(), all_versions(), "{b}");
        assert_v1_rows_survive(&db, &repo);
    }
}

#[test]
fn every_earlier_version_is_migrated_keeping_its_rows() {
    for start in migrate::versions() {
        for db in Db::both() {
            let b = db.name();
            db.make_version(start);
            db.exec(V1_ROWS);
            let (repo, migrated) = db.open().unwrap();
            assert_eq!(
                (migrated.from, migrated.to, migrated.unversioned),
                (start, migrate::latest(), false),
                "{b} from {start}"
            );
            assert_eq!(db.versions(), all_versions(), "{b} from {start}");
            assert_v1_rows_survive(&db, &repo);
        }
    }
}

#[test]
fn a_database_from_a_newer_senda_is_refused_untouched() {
    for db in Db::both() {
        let b = db.name();
        let (repo, _) = db.open().unwrap();
        drop(repo);
        let newer = migrate::latest() + 1;
        db.exec(&format!(
            "INSERT INTO {TABLE} (version, name, applied_on, checksum) \
             VALUES ({newer}, 'from_the_future', '2027-01-01T00:00:00Z', '1')"
        ));
        db.exec("CREATE TABLE from_the_future (id TEXT PRIMARY KEY)");
        let before = db.snapshot();
        match db.open() {
            Err(StoreError::SchemaTooNew { found, supported }) => {
                assert_eq!((found, supported), (newer, migrate::latest()), "{b}")
            }
            Err(e) => panic!("{b}: {e}"),
            Ok(_) => panic!("{b}: a newer database was opened"),
        }
        assert_eq!(db.snapshot(), before, "{b}: the database was changed");
    }
}

#[test]
fn the_server_says_what_it_migrated_at_start_up_and_refuses_a_newer_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(SCHEMA_BEFORE_VERSIONS).unwrap();
    conn.execute_batch(V1_ROWS).unwrap();
    drop(conn);
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_senda-server"))
            .env("SENDA_SERVER_DB", &db)
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "info")
            .args(["admin", "list-staff", "org-1"])
            .output()
            .unwrap()
    };
    let out = run();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(&format!(
            "an unversioned database (version 1); {}",
            if migrate::latest() == 1 {
                "schema at version 1, nothing to migrate".to_owned()
            } else {
                format!(
                    "migrated the schema from version 1 to {}",
                    migrate::latest()
                )
            }
        )),
        "{log}"
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        &format!("INSERT INTO {TABLE} (version, name, applied_on, checksum) VALUES (?1, 'next', '2027-01-01T00:00:00Z', '1')"),
        [migrate::latest() + 1],
    )
    .unwrap();
    drop(conn);
    let out = run();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{log}");
    assert!(
        log.contains("newer than this senda-server supports"),
        "{log}"
    );
}

#[test]
fn migration_24_counts_what_the_server_already_held() {
    for db in Db::both() {
        let b = db.name();
        db.make_version(20);
        db.exec(V1_ROWS);
        db.exec(
            "INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions)
                VALUES ('case-2', 'case', 'org-1', 'cucuta', 'case-2', 1,
                        '{\"country\":\"CO\",\"week\":\"2026-W48\",\"age_band\":\"12-14\"}', '{}');
             INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions)
                VALUES ('scr-2', 'screening', 'org-1', 'cucuta', 'case-2', 1, '{\"risk_level\":\"high\"}', '{}');
             INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions)
                VALUES ('scr-3', 'screening', 'org-1', 'cucuta', 'case-2', 1, '{\"risk_level\":{\"$sealed\":\"00\"}}', '{}');
             INSERT INTO referrals (id, code, service_id, sender_org, sender_team, receiver_org, status, summary, updated_at)
                VALUES ('ref-1', 'SND-1', 'svc-a', 'org-1', 'cucuta', NULL, 'sent', 'null', '2026-11-20T00:00:00Z');",
        );
        let (_repo, migrated) = db.open().unwrap();
        assert_eq!(migrated.from, 20, "{b}");
        // case-1 has no week (written before devices sent one): not counted. A
        // risk level that is not readable text counts as unknown.
        assert_eq!(
            db.query(
                "SELECT organisation_id, country, week, age_band, risk_level, CAST(n AS TEXT) FROM stats_screenings
                 ORDER BY risk_level"
            ),
            vec![
                "org-1|CO|2026-W48|12-14|high|1".to_owned(),
                "org-1|CO|2026-W48|12-14|unknown|1".to_owned(),
            ],
            "{b}"
        );
        assert_eq!(
            db.query(
                "SELECT kind, sender_org, receiver_org, month, value, CAST(n AS TEXT) FROM stats_referrals ORDER BY kind"
            ),
            vec![
                "service|org-1||2026-11|svc-a|1".to_owned(),
                "status|org-1||2026-11|sent|1".to_owned(),
            ],
            "{b}"
        );
    }
}
