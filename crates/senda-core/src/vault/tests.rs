//! Tests that need the vault's private connection.

use super::*;
use crate::clock::ManualClock;

#[test]
fn a_full_disk_is_a_typed_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(ManualClock::default())).unwrap();
    vault.create("Ana", "135790").unwrap();
    vault.add_staff("Beto", "246802").unwrap();

    // SQLite's own page limit produces a genuine SQLITE_FULL: cap the file at
    // its current size and fill what room is left.
    let conn = &vault.session.as_ref().unwrap().conn;
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    conn.pragma_update(None, "max_page_count", pages).unwrap();
    for size in [2000, 200, 20, 1] {
        while conn
            .execute(
                "INSERT INTO audit_log (at, action) VALUES ('', ?1)",
                ["x".repeat(size)],
            )
            .is_ok()
        {}
    }

    assert_eq!(
        vault.add_staff("Carla", "864200"),
        Err(VaultError::DiskFull)
    );

    let names: Vec<String> = vault
        .staff()
        .unwrap()
        .into_iter()
        .map(|s| s.display_name)
        .collect();
    assert_eq!(&names[..2], ["Ana", "Beto"]);
    vault.lock().unwrap();
    assert_eq!(vault.unlock("246802").unwrap().display_name, "Beto");
}

#[test]
fn delays_grow_then_lock_out() {
    let p = LockPolicy::default();
    assert_eq!(p.delay_after(0), Duration::zero());
    assert_eq!(p.delay_after(2), Duration::zero());
    assert_eq!(p.delay_after(3), Duration::seconds(30));
    assert_eq!(p.delay_after(4), Duration::seconds(60));
    assert!(p.delay_after(9) <= Duration::seconds(MAX_DELAY_SECS));
    assert_eq!(p.delay_after(10), Duration::seconds(LOCKOUT_SECS));
}

#[test]
fn a_vault_from_a_newer_senda_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let mut vault = Vault::open_dir(dir.path(), clock.clone()).unwrap();
    vault.create("Ana", "135790").unwrap();
    // What a future Senda would leave behind after migrating further.
    let conn = &vault.session.as_ref().unwrap().conn;
    conn.pragma_update(None, "user_version", 99).unwrap();
    vault.lock().unwrap();
    drop(vault);
    let before = std::fs::read(dir.path().join(VAULT_FILE)).unwrap();

    let mut vault = Vault::open_dir(dir.path(), clock).unwrap();
    assert_eq!(
        vault.unlock("135790"),
        Err(VaultError::SchemaTooNew {
            found: 99,
            supported: latest_version()
        })
    );
    assert_eq!(std::fs::read(dir.path().join(VAULT_FILE)).unwrap(), before);
}

#[test]
fn an_edited_or_removed_audit_entry_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(ManualClock::default()))
        .unwrap()
        .with_kdf_iterations(100_000);
    vault.create("Ana", "135790").unwrap();
    for i in 0..4 {
        vault
            .add_staff(&format!("S{i}"), &format!("24680{i}"))
            .unwrap();
    }
    assert_eq!(vault.verify_audit_log().unwrap(), 5);

    let conn = &vault.session.as_ref().unwrap().conn;
    // The triggers refuse edits outright…
    assert!(
        conn.execute("UPDATE audit_log SET action = 'x' WHERE seq = 3", [])
            .is_err()
    );
    assert!(
        conn.execute("DELETE FROM audit_log WHERE seq = 3", [])
            .is_err()
    );
    // …and someone who drops them is still caught by the chain.
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute(
        "UPDATE audit_log SET detail = 'someone-else' WHERE seq = 3",
        [],
    )
    .unwrap();
    assert_eq!(
        vault.verify_audit_log(),
        Err(VaultError::AuditTampered { seq: 3 })
    );

    let conn = &vault.session.as_ref().unwrap().conn;
    conn.execute("DELETE FROM audit_log WHERE seq = 3", [])
        .unwrap();
    assert_eq!(
        vault.verify_audit_log(),
        Err(VaultError::AuditTampered { seq: 4 })
    );
}

#[test]
fn the_outbox_refuses_edits_and_the_deletion_of_unsent_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(ManualClock::default()))
        .unwrap()
        .with_kdf_iterations(100_000);
    vault.create("Ana", "135790").unwrap();
    let details: crate::casework::CaseDetails =
        serde_json::from_value(serde_json::json!({ "alias": "Luz", "country": "CO" })).unwrap();
    vault.casework().unwrap().open_case(details).unwrap();
    let conn = &vault.session.as_ref().unwrap().conn;
    assert!(
        conn.execute("UPDATE outbox SET payload = '{}'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM outbox", []).is_err());
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_damaged_outbox_row_is_a_typed_error_not_a_silent_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(ManualClock::default()))
        .unwrap()
        .with_kdf_iterations(100_000);
    vault.create("Ana", "135790").unwrap();
    let details: crate::casework::CaseDetails =
        serde_json::from_value(serde_json::json!({ "alias": "Luz", "country": "CO" })).unwrap();
    vault.casework().unwrap().open_case(details).unwrap();
    let conn = &vault.session.as_ref().unwrap().conn;
    conn.execute_batch("DROP TRIGGER outbox_append_only; UPDATE outbox SET entity = 'nonsense';")
        .unwrap();
    let err = vault.casework().unwrap().outbox_pending(10).unwrap_err();
    assert_eq!(err.code(), "storage", "{err:?}");
}
