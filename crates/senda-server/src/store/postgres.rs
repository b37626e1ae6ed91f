//! PostgreSQL, for several server instances behind a load balancer. The same
//! statements as SQLite run here; uniqueness constraints make concurrent
//! pushes of the same operation store it once.

use super::migrate::{self, Migrated};
use super::sql::{Row, Sql, Value};
use super::{Store, StoreError};
use postgres::Statement;
use postgres_native_tls::MakeTlsConnector;
use r2d2_postgres::PostgresConnectionManager;
use std::collections::HashMap;

pub struct PostgresStore {
    // An `Option` only so that `drop` can hand it to a plain thread.
    pool: Option<r2d2::Pool<Manager>>,
    migrated: Migrated,
}

/// A pooled connection and the statements it has prepared: each statement
/// is parsed and planned once per connection, not on every call (half the
/// round trips of a push).
pub struct Conn {
    client: postgres::Client,
    prepared: HashMap<String, Statement>,
}

pub struct Manager(PostgresConnectionManager<MakeTlsConnector>);

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.0.connect()?,
            prepared: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        self.0.has_broken(&mut conn.client)
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // The blocking client must not be closed on an async runtime's thread.
        if let Some(pool) = self.pool.take() {
            std::thread::spawn(move || drop(pool));
        }
    }
}

impl PostgresStore {
    /// Connects (`postgres://…`); `schema`, when given, is created and used
    /// (tests give each run its own).
    pub fn open(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let (url, tls) = tls_of(url)?;
        let mut config: postgres::Config = url.parse().map_err(pg)?;
        config.ssl_mode(if tls.is_some() {
            postgres::config::SslMode::Require
        } else {
            postgres::config::SslMode::Disable
        });
        let tls = match tls {
            Some(connector) => MakeTlsConnector::new(connector),
            // Never used with SslMode::Disable; one connector type keeps one pool type.
            None => MakeTlsConnector::new(
                native_tls::TlsConnector::new().map_err(|e| StoreError::Backend(e.to_string()))?,
            ),
        };
        if let Some(schema) = schema {
            let mut admin = config.connect(tls.clone()).map_err(pg)?;
            admin
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .map_err(pg)?;
        }
        // No wait for a lock lasts forever (a stuck session holding one), nor
        // does any statement (a runaway query holding a connection of the
        // pool): the request is answered 503 and the device tries again at its
        // next sync. Ours first: a later `-c` wins, so `options` in
        // DATABASE_URL overrides them.
        let mut options =
            format!("-c lock_timeout={LOCK_TIMEOUT} -c statement_timeout={STATEMENT_TIMEOUT}");
        if let Some(schema) = schema {
            options.push_str(&format!(" -c search_path={schema}"));
        }
        if let Some(given) = config.get_options() {
            options = format!("{options} {given}");
        }
        config.options(&options);
        let pool = r2d2::Pool::builder()
            .max_size(16)
            .build(Manager(PostgresConnectionManager::new(config, tls)))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut conn = pool.get().map_err(|e| StoreError::Backend(e.to_string()))?;
        // Several instances may start at once: one migrates, the others wait
        // and then find nothing to do. (A session lock: refinery commits itself.)
        // One statement per call: before PostgreSQL 13 a batch was timed as a whole.
        for statement in [
            "SET lock_timeout = 0",
            "SET statement_timeout = 0",
            "SELECT pg_advisory_lock(4242)",
        ] {
            conn.client.batch_execute(statement).map_err(pg)?;
        }
        let migrated = migrate::postgres(&mut conn.client);
        conn.client
            .batch_execute(
                "SELECT pg_advisory_unlock(4242); RESET lock_timeout; RESET statement_timeout",
            )
            .map_err(pg)?;
        Ok(Self {
            pool: Some(pool),
            migrated: migrated?,
        })
    }

    /// What opening did to the schema.
    pub fn migrated(&self) -> Migrated {
        self.migrated
    }
}

/// TLS as `sslmode` in the URL asks, with libpq's meanings: `require` encrypts
/// (without checking the certificate, unless `sslrootcert` names a CA),
/// `verify-ca` also checks the chain, `verify-full` also the host name.
/// `disable`, `allow`, `prefer` or none: no TLS. Returns the URL without the
/// options the driver does not know, and the connector to use, if any.
pub fn tls_of(url: &str) -> Result<(String, Option<native_tls::TlsConnector>), StoreError> {
    let bad = |why: String| StoreError::Backend(format!("DATABASE_URL: {why}"));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = None;
    let mut root = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", m)) => mode = Some(m.to_owned()),
            Some(("sslrootcert", path)) => root = Some(path.to_owned()),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let (verify_chain, verify_host) = match mode.as_deref() {
        None | Some("disable" | "allow" | "prefer") => return Ok((url, None)),
        Some("require") => (root.is_some(), false),
        Some("verify-ca") => (true, false),
        Some("verify-full") => (true, true),
        Some(other) => return Err(bad(format!("unknown sslmode {other:?}"))),
    };
    let mut builder = native_tls::TlsConnector::builder();
    builder
        .danger_accept_invalid_certs(!verify_chain)
        .danger_accept_invalid_hostnames(!verify_host);
    if let Some(path) = root {
        let pem = std::fs::read(&path).map_err(|e| bad(format!("sslrootcert {path}: {e}")))?;
        let cert = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| bad(format!("sslrootcert {path}: {e}")))?;
        builder.add_root_certificate(cert);
    }
    let connector = builder.build().map_err(|e| bad(e.to_string()))?;
    Ok((url, Some(connector)))
}

fn pg(e: postgres::Error) -> StoreError {
    // The cause says why (a TLS certificate refused, a refused connection).
    match std::error::Error::source(&e) {
        Some(cause) => StoreError::Backend(format!("{e}: {cause}")),
        None => StoreError::Backend(e.to_string()),
    }
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    /// Alone among all writers but those [`Store::transaction_apart`] runs:
    /// work outside a push (enrolment, admin, retention, a receiver's status,
    /// the console) then stays SERIALIZABLE against everything, while pushes
    /// run side by side under snapshot isolation (`transaction_on`).
    fn transaction(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        let mut locked = Locked(&mut conn);
        lock(&mut locked, GATE_EXCLUSIVE, &[])?;
        run(locked.0, Isolation::Serializable, work, MAX_ATTEMPTS)
    }

    fn transaction_apart(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        run(&mut conn, Isolation::Serializable, work, MAX_ATTEMPTS)
    }

    /// One snapshot, no gate: a read never waits for a writer.
    fn read(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.connection()?;
        run(&mut conn, Isolation::ReadOnly, work, MAX_ATTEMPTS)
    }

    fn transaction_on(
        &self,
        keys: &[String],
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if keys.is_empty() {
            return self.transaction(work);
        }
        let mut conn = self.connection()?;
        // Session advisory locks, taken before the transaction's snapshot: a
        // push that touches a record, case or device another push is changing
        // waits for it, then reads its result. Those locks, and the gate that
        // keeps every other writer out while pushes run, are what make
        // snapshot isolation enough here: two pushes that could read what the
        // other writes share a key, and the rows both write (statistics
        // counters) fail the later one, which runs again. SERIALIZABLE's read
        // locks cover whole index pages, so pushes of different records
        // failed each other by the hundred (docs/benchmarks.md).
        // Keys map onto `STRIPES` lock numbers, so the locks any device can
        // make PostgreSQL hold are bounded.
        let mut ids: Vec<i64> = keys.iter().map(|k| lock_stripe(k)).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut locked = Locked(&mut conn);
        if ids.len() > MAX_STRIPES_HELD {
            // A transaction that would hold many locks takes none but the gate, alone.
            return alone(&mut locked, &[], work);
        }
        // Side by side first (the gate shared); one that still failed
        // `SIDE_BY_SIDE_ATTEMPTS` times runs alone (the gate exclusive: it
        // waits for those under way and the next ones wait for it), so a
        // crowd never starves it.
        lock(&mut locked, GATE_SHARED, &ids)?;
        match run(locked.0, Isolation::Snapshot, work, SIDE_BY_SIDE_ATTEMPTS) {
            Err(StoreError::Retry) => {
                locked.unlock();
                alone(&mut locked, &ids, work)
            }
            done => done,
        }
    }
}

/// Runs `work` holding `ids` and the gate exclusive.
fn alone(
    locked: &mut Locked<'_>,
    ids: &[i64],
    work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    crate::metrics::TRANSACTIONS_ALONE.inc();
    lock(locked, GATE_EXCLUSIVE, ids)?;
    run(locked.0, Isolation::Snapshot, work, MAX_ATTEMPTS)
}

/// The gate every keyed transaction passes, shared or alone.
const GATE: i64 = 0x5e4d_a000_0000_0001;
/// Held by a transaction adding to the change feed until it ends ([`Sql::in_commit_order`]).
const COMMIT_ORDER: i64 = 0x5e4d_a000_0000_0002;
/// Lock numbers of keys: `STRIPE_BASE ..= STRIPE_BASE + STRIPES - 1`.
const STRIPE_BASE: i64 = 0x5e4d_b000_0000_0000;
const STRIPES: u64 = 1 << 16;
/// Stripes one transaction may hold: a device's batch (200 ops) and its
/// device key fit; a push of 500 would hold 501. 16 pooled connections × 257
/// (with the gate) is 4,112 of PostgreSQL's default lock table (64 ×
/// max_connections = 6,400, shared with relation locks and other clients);
/// more instances need a larger `max_locks_per_transaction` (ARCHITECTURE.md).
const MAX_STRIPES_HELD: usize = 256;
// Each statement takes `$1`'s locks in order and then the gate: the
// aggregate reads every row before the outer expression runs. Every keyed
// transaction takes its locks this way (keys sorted, the gate last), so no
// two can wait for each other.
const GATE_SHARED: &str = "SELECT pg_advisory_lock_shared($2), count(pg_advisory_lock(k)) FROM (SELECT unnest($1::bigint[]) AS k ORDER BY 1) AS s";
const GATE_EXCLUSIVE: &str = "SELECT pg_advisory_lock($2), count(pg_advisory_lock(k)) FROM (SELECT unnest($1::bigint[]) AS k ORDER BY 1) AS s";
/// Runs of a keyed transaction beside others before it runs alone.
const SIDE_BY_SIDE_ATTEMPTS: u32 = 8;

/// Takes `ids`, in order, and then the gate (as `statement` says).
fn lock(locked: &mut Locked<'_>, statement: &str, ids: &[i64]) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match locked.0.client.execute(statement, &[&ids, &GATE]) {
            Ok(_) => return Ok(()),
            // Two sessions that somehow took the same keys in another order: start again.
            Err(e) if attempt < MAX_ATTEMPTS && is_retryable(&e) => {
                locked.unlock();
                std::thread::sleep(backoff(attempt));
            }
            Err(e) => {
                locked.unlock();
                return Err(map_err(e));
            }
        }
    }
}

/// A pooled connection holding advisory locks; released when dropped, so a
/// connection never goes back to the pool holding any (even after a panic).
struct Locked<'a>(&'a mut r2d2::PooledConnection<Manager>);

impl Locked<'_> {
    fn unlock(&mut self) {
        if let Err(e) = self
            .0
            .client
            .batch_execute("SELECT pg_advisory_unlock_all()")
        {
            tracing::error!(error = %e, "releasing advisory locks failed");
        }
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.unlock();
    }
}

/// A key's advisory lock number: its SHA-256 onto one of `STRIPES`.
fn lock_stripe(key: &str) -> i64 {
    let d = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    let h = u64::from_be_bytes(d.as_ref()[..8].try_into().expect("8 bytes"));
    STRIPE_BASE + (h % STRIPES) as i64
}

impl PostgresStore {
    fn connection(&self) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        self.pool
            .as_ref()
            .expect("the pool lives until drop")
            .get()
            .map_err(|e| StoreError::Backend(e.to_string()))
    }
}

/// How a transaction sees the others.
#[derive(Clone, Copy)]
enum Isolation {
    /// Two transactions reading and then writing the same record or
    /// enrolment code cannot both succeed on a stale read: the loser gets a
    /// serialisation failure and runs again, seeing the winner's write.
    Serializable,
    /// A push, under the advisory locks of everything it touches.
    Snapshot,
    /// A read: one snapshot, nothing written.
    ReadOnly,
}

/// Runs `work` in one transaction, again after a serialisation failure,
/// `attempts` times at most (then [`StoreError::Retry`]).
fn run(
    conn: &mut Conn,
    isolation: Isolation,
    work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    attempts: u32,
) -> Result<(), StoreError> {
    let Conn { client, prepared } = conn;
    if prepared.len() > MAX_PREPARED {
        // Batched statements vary with their row count: keep the cache bounded.
        prepared.clear();
    }
    let (level, read_only) = match isolation {
        Isolation::Serializable => (postgres::IsolationLevel::Serializable, false),
        Isolation::Snapshot => (postgres::IsolationLevel::RepeatableRead, false),
        Isolation::ReadOnly => (postgres::IsolationLevel::RepeatableRead, true),
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = client
            .build_transaction()
            .isolation_level(level)
            .read_only(read_only)
            .start()
            .map_err(pg)?;
        let mut sql = PgTx {
            tx: &mut tx,
            prepared,
        };
        let outcome = match work(&mut sql) {
            Ok(()) => tx.commit().map_err(map_err),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(StoreError::Retry) if attempt < attempts => {
                crate::metrics::TRANSACTION_RETRIES.inc();
                std::thread::sleep(backoff(attempt));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The longest any statement waits for a lock.
const LOCK_TIMEOUT: &str = "30s";

/// The longest any statement runs (migrations, which may rebuild an index,
/// run without it).
const STATEMENT_TIMEOUT: &str = "60s";

/// How many times a transaction runs before a conflict is reported as a
/// failure (503; the device tries again at its next sync).
const MAX_ATTEMPTS: u32 = 20;

/// Prepared statements kept per connection before the cache is emptied.
const MAX_PREPARED: usize = 512;

/// A short, growing, jittered pause, so that transactions that collided do
/// not collide again in lockstep.
fn backoff(attempt: u32) -> std::time::Duration {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 2];
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    let cap_ms = 2u64 << attempt.min(7); // 4 ms … 256 ms
    std::time::Duration::from_micros(u64::from(u16::from_le_bytes(b)) % (cap_ms * 1000))
}

/// Failures that a fresh run of the same transaction can get past: a
/// serialisation failure or deadlock, and a unique key taken by a concurrent
/// transaction (the next run sees the row and takes it into account).
fn is_retryable(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::UNIQUE_VIOLATION
    })
}

struct PgTx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    prepared: &'a mut HashMap<String, Statement>,
}

impl PgTx<'_, '_> {
    /// The prepared form of `sql` on this connection (prepared statements
    /// outlive transactions, so one that rolled back leaves them usable).
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(&dollars(sql)).map_err(map_err)?;
        self.prepared.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

/// `?1` → `$1`.
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

fn bind(params: &[Value]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    params
        .iter()
        .map(|p| -> Box<dyn postgres::types::ToSql + Sync> {
            match p {
                Value::Int(i) => Box::new(*i),
                Value::Text(t) => Box::new(t.clone()),
                Value::Null => Box::new(Option::<String>::None),
            }
        })
        .collect()
}

impl Sql for PgTx<'_, '_> {
    fn in_commit_order(&mut self) -> Result<(), StoreError> {
        // Held to commit: ids are drawn one transaction at a time.
        self.exec("SELECT pg_advisory_xact_lock(?1)", &[COMMIT_ORDER.into()])
            .map(|_| ())
    }

    fn without_statement_timeout(&mut self) -> Result<(), StoreError> {
        self.exec("SET LOCAL statement_timeout = 0", &[])
            .map(|_| ())
    }

    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let owned = bind(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
            owned.iter().map(|b| b.as_ref()).collect();
        let statement = self.statement(sql)?;
        self.tx.execute(&statement, &refs).map_err(map_err)
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let owned = bind(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
            owned.iter().map(|b| b.as_ref()).collect();
        let statement = self.statement(sql)?;
        let rows = self.tx.query(&statement, &refs).map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        use postgres::types::Type;
                        let ty = r.columns()[i].type_();
                        if *ty == Type::INT8 {
                            r.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int)
                        } else if *ty == Type::INT4 {
                            r.get::<_, Option<i32>>(i)
                                .map_or(Value::Null, |v| Value::Int(v.into()))
                        } else if *ty == Type::BOOL {
                            r.get::<_, Option<bool>>(i)
                                .map_or(Value::Null, |v| Value::Int(v.into()))
                        } else {
                            r.get::<_, Option<String>>(i)
                                .map_or(Value::Null, Value::Text)
                        }
                    })
                    .collect()
            })
            .collect())
    }
}

fn map_err(e: postgres::Error) -> StoreError {
    if is_retryable(&e) {
        StoreError::Retry
    } else if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE)
        || e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED)
    {
        // A lock held past `lock_timeout`, a statement run past
        // `statement_timeout`, or one an operator cancelled.
        StoreError::Busy
    } else {
        pg(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_onto_a_bounded_set_of_stripes_apart_from_the_gate() {
        let stripes: std::collections::HashSet<i64> = (0..200_000)
            .map(|i| lock_stripe(&format!("r:{i}")))
            .collect();
        assert!(stripes.len() as u64 <= STRIPES);
        assert!(
            stripes
                .iter()
                .all(|s| (STRIPE_BASE..STRIPE_BASE + STRIPES as i64).contains(s))
        );
        assert!(!stripes.contains(&GATE) && !stripes.contains(&4242));
    }
}
