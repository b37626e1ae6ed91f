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
