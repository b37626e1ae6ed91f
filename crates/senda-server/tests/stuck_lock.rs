//! A PostgreSQL session that holds a lock and never lets go (a stuck
//! instance, an operator's open transaction) must not hold up a push for long
//! nor make it take the gate from everyone else: the wait ends at
//! `lock_timeout`, the push is answered 503 at once, and the device tries
//! again later. `lock_timeout` given in DATABASE_URL's options wins over
//! Senda's own 30 s, and so does a `search_path`. (A binary of its own: it reads the process's counters.)

mod common;

use common::*;

/// One test at a time: advisory locks are the database's, not a schema's,
/// so a test holding the gate would time out another's 300 ms `lock_timeout`
/// (and `TRANSACTIONS_ALONE` is the process's).
static ONE_AT_A_TIME: std::sync::LazyLock<tokio::sync::Mutex<()>> =
    std::sync::LazyLock::new(|| tokio::sync::Mutex::new(()));

const SHELTER: &str = "svc-alojamiento-cucuta";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_lock_is_answered_busy_at_once_and_never_run_alone() {
    let _one = ONE_AT_A_TIME.lock().await;
    if !postgres_wanted() {
        return;
    }
    let base = postgres_url();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20lock_timeout%3D300ms");
    let (repo, schema) = postgres_named_at(url).await;
    let server = TestServer::start(repo).await;
    let org = server.keyed_organisation("Equipo").await;
    server
        .receiver(&server.organisation("Red").await, SHELTER)
        .await;
    let d = server.field_device(&org, "t").await;
    let (case, _) = d.refer("Sol", SHELTER);
    d.client.sync(&d.vault, |_| {}).await.unwrap();

    // Another session locks every device's usage row and holds it for 5 s:
    // longer than the URL's 300 ms, far shorter than Senda's own 30 s.
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&postgres_url(), postgres::NoTls).unwrap();
        let mut tx = c.transaction().unwrap();
        tx.batch_execute(&format!(
            "SET LOCAL search_path = \"{schema}\"; SELECT * FROM device_usage FOR UPDATE"
        ))
        .unwrap();
        held_tx.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_secs(5));
        tx.rollback().unwrap();
    });
    held_rx.recv().unwrap();

    let alone = senda_server::metrics::TRANSACTIONS_ALONE.get();
    d.note(&case, "otra nota");
    let (request, _) = d
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .next_push(50)
        .unwrap()
        .unwrap();
    let (status, body) = send(&server.url(), &request).await;
    assert_eq!((status, code_of(&body).as_str()), (503, "unavailable"));
    assert_eq!(
        senda_server::metrics::TRANSACTIONS_ALONE.get(),
        alone,
        "a lock timeout is not a serialisation failure: never run again alone"
    );
    holder.join().unwrap();
    // Nothing was lost: once the lock is gone the device's next sync gets through.
    let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!(report.sent, 1);
    server.stop().await;
}

/// No request's statement runs for ever: past `statement_timeout` (Senda's
/// own 60 s, or what DATABASE_URL's options say) it is stopped and answered
/// busy, like a lock held too long. The retention purge runs without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runaway_statement_is_stopped_and_answered_busy() {
    let _one = ONE_AT_A_TIME.lock().await;
    use senda_server::store::{PostgresStore, Store, StoreError};
    if !postgres_wanted() {
        return;
    }
    let schema = format!("t{}", senda_protocol::hex(&rand_bytes()));
    tokio::task::spawn_blocking(move || {
        // In milliseconds, as every PostgreSQL version reports it.
        let shown = |store: &PostgresStore| {
            let mut shown = String::new();
            store
                .read(&mut |sql| {
                    shown = sql.rows(
                        "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'",
                        &[],
                    )?[0][0]
                        .text();
                    Ok(())
                })
                .unwrap();
            shown
        };
        let store = PostgresStore::open(&postgres_url(), Some(&schema)).unwrap();
        assert_eq!(shown(&store), "60000", "Senda's own limit");
        let base = postgres_url();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20statement_timeout%3D200ms");
        let store = PostgresStore::open(&url, Some(&schema)).unwrap();
        assert_eq!(shown(&store), "200", "the URL's limit wins");
        let slow = store.read(&mut |sql| sql.rows("SELECT 1 FROM pg_sleep(3)", &[]).map(|_| ()));
        assert!(matches!(slow, Err(StoreError::Busy)), "{slow:?}");
        // Maintenance that grows with the database (the retention purge) runs unlimited.
        let purge_like = store.transaction(&mut |sql| {
            sql.without_statement_timeout()?;
            sql.rows("SELECT 1 FROM pg_sleep(0.5)", &[]).map(|_| ())
        });
        assert!(purge_like.is_ok(), "{purge_like:?}");
    })
    .await
    .unwrap();
}

/// `search_path` given in DATABASE_URL's options wins over the schema Senda
/// would use: a store opened so finds the schema the URL names, already
/// migrated, and writes there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_path_in_the_url_wins() {
    let _one = ONE_AT_A_TIME.lock().await;
    if !postgres_wanted() {
        return;
    }
    let (first, named) = postgres_named().await;
    drop(first);
    let base = postgres_url();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{named}");
    let (repo, other) = postgres_named_at(url).await;
    assert_ne!(named, other);
    repo.create_organisation("Por la URL".into()).await.unwrap();
    let names = tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&postgres_url(), postgres::NoTls).unwrap();
        let count = |c: &mut postgres::Client, schema: &str| -> i64 {
            let exists: bool = c
                .query_one(
                    "SELECT to_regclass($1) IS NOT NULL",
                    &[&format!("\"{schema}\".organisations")],
                )
                .unwrap()
                .get(0);
            if !exists {
                return 0;
            }
            c.query_one(
                &format!(
                    "SELECT COUNT(*) FROM \"{schema}\".organisations WHERE name = 'Por la URL'"
                ),
                &[],
            )
            .unwrap()
            .get(0)
        };
        (count(&mut c, &named), count(&mut c, &other))
    })
    .await
    .unwrap();
    assert_eq!(
        names,
        (1, 0),
        "written in the URL's schema, not Senda's own"
    );
}

/// Two pushes each adding to the change feed: the second cannot draw its id
/// until the first has committed, so a device's pull cursor (the last id it
/// saw) never passes a change still to commit.
#[test]
fn change_ids_become_visible_in_their_order() {
    let _one = ONE_AT_A_TIME.blocking_lock();
    use senda_server::store::{PostgresStore, Store};
    if !postgres_wanted() {
        return;
    }
    let schema = format!("t{}", senda_protocol::hex(&rand_bytes()));
    let store = std::sync::Arc::new(PostgresStore::open(&postgres_url(), Some(&schema)).unwrap());
    let add = "INSERT INTO changes (organisation_id, team, kind, body, at) VALUES ('o', NULL, 'v1', '{}', 'now')";
    let (drawn, wait) = std::sync::mpsc::channel();
    let first = {
        let store = store.clone();
        std::thread::spawn(move || {
            store
                .transaction_on(&["r:first".into()], &mut |sql| {
                    sql.in_commit_order()?;
                    sql.exec(add, &[])?;
                    let _ = drawn.send(());
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    Ok(())
                })
                .unwrap();
        })
    };
    wait.recv().unwrap();
    let mut seen_then: i64 = -1;
    store
        .transaction_on(&["r:second".into()], &mut |sql| {
            sql.in_commit_order()?;
            // What another connection sees now: the first change, committed.
            let mut c = postgres::Client::connect(&postgres_url(), postgres::NoTls).unwrap();
            seen_then = c
                .query_one(&format!("SELECT COUNT(*) FROM \"{schema}\".changes"), &[])
                .unwrap()
                .get(0);
            sql.exec(add, &[])?;
            Ok(())
        })
        .unwrap();
    first.join().unwrap();
    assert_eq!(
        seen_then, 1,
        "the first change had committed when the second drew its id"
    );
}
