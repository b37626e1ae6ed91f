//! Tests that need the vault's private connection.

use super::*;
use crate::clock::ManualClock;
use keys::{DataKey, Kdf, WrappedKey};

#[test]
fn a_full_disk_is_a_typed_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(ManualClock::default()))
        .unwrap()
        .with_light_kdf();
    vault.create("Ana", "135790").unwrap();
    let beto = vault.add_staff("Beto", "", "246802").unwrap();

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
        vault.add_staff("Carla", "", "864200"),
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
    assert_eq!(
        vault.unlock(&beto.id, "246802").unwrap().display_name,
        "Beto"
    );
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
    let mut vault = Vault::open_dir(dir.path(), clock.clone())
        .unwrap()
        .with_light_kdf();
    let ana = vault.create("Ana", "135790").unwrap();
    // What a future Senda would leave behind after migrating further.
    let conn = &vault.session.as_ref().unwrap().conn;
    conn.pragma_update(None, "user_version", 99).unwrap();
    vault.lock().unwrap();
    drop(vault);
    let before = std::fs::read(dir.path().join(VAULT_FILE)).unwrap();

    let mut vault = Vault::open_dir(dir.path(), clock).unwrap();
    assert_eq!(
        vault.unlock(&ana.id, "135790"),
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
        .with_light_kdf();
    vault.create("Ana", "135790").unwrap();
    for i in 0..4 {
        vault
            .add_staff(&format!("S{i}"), "", &format!("24680{i}"))
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
        .with_light_kdf();
    vault.create("Ana", "135790").unwrap();
    let details: crate::casework::CaseDetails =
        serde_json::from_value(serde_json::json!({ "alias": "Luz", "country": "CO" })).unwrap();
    vault.casework().unwrap().open_case(details).unwrap();
    let conn = &vault.session.as_ref().unwrap().conn;
    assert!(
        conn.execute("UPDATE outbox SET payload = '{}'", [])
            .is_err()
    );
    // Consent lets the row leave: then it stays until the server has it.
    conn.execute(
        "INSERT INTO consents (id, case_id, version, purpose, recipient, record, recorded_at, recorded_by)
         SELECT 'k', case_id, 1, 'share-with-organisation', 'organisation', '{}', '', '' FROM outbox",
        [],
    )
    .unwrap();
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
        .with_light_kdf();
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

/// A vault as Senda made it before Argon2id: the owner's slot sealed with PBKDF2.
fn vault_with_a_pbkdf2_slot(dir: &Path, clock: Arc<ManualClock>) -> (Vault, StaffMember) {
    let mut vault = Vault::open_dir(dir, clock).unwrap().with_light_kdf();
    let ana = vault.create("Ana", "135790").unwrap();
    let key = DataKey(vault.session.as_ref().unwrap().key.0.clone());
    let mut slot = vault.keyring.slot(&ana.id).unwrap().unwrap();
    slot.key = WrappedKey::seal_pbkdf2(&key, "135790", 100_000, ana.id.as_bytes());
    vault.keyring.put_slot(&slot, vault.clock.now()).unwrap();
    vault.lock().unwrap();
    (vault, ana)
}

#[test]
fn a_pbkdf2_slot_is_sealed_again_with_argon2id_at_its_next_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, ana) = vault_with_a_pbkdf2_slot(dir.path(), Arc::new(ManualClock::default()));
    let before = vault.keyring.slot(&ana.id).unwrap().unwrap().key;
    assert!(matches!(before.kdf, Kdf::Pbkdf2Sha256 { .. }));

    // A wrong PIN changes nothing.
    assert!(matches!(
        vault.unlock(&ana.id, "000000"),
        Err(VaultError::WrongPin { .. })
    ));
    assert_eq!(vault.keyring.slot(&ana.id).unwrap().unwrap().key, before);

    vault.unlock(&ana.id, "135790").unwrap();
    let after = vault.keyring.slot(&ana.id).unwrap().unwrap().key;
    assert_eq!(after.kdf, LIGHT_KDF);
    assert_ne!(after.salt, before.salt);
    assert!(
        vault
            .audit_log(5)
            .unwrap()
            .iter()
            .any(|e| e.action == "pin-slot-upgraded")
    );
    // The old sealed copy is gone from the file (secure_delete), and the PIN still opens.
    vault.lock().unwrap();
    let file = std::fs::read(dir.path().join(KEYRING_FILE)).unwrap();
    assert!(
        !file
            .windows(before.sealed.len())
            .any(|w| w == before.sealed)
    );
    assert_eq!(vault.unlock(&ana.id, "135790").unwrap().id, ana.id);
    // A stronger slot is never sealed down to a weaker default.
    assert!(!DEFAULT_KDF.needs_upgrade_to(LIGHT_KDF));
    assert!(LIGHT_KDF.needs_upgrade_to(DEFAULT_KDF));
}

#[test]
fn an_edited_keyring_policy_is_put_right_from_the_vault_at_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let mut vault = Vault::open_dir(dir.path(), clock).unwrap().with_light_kdf();
    let ana = vault.create("Ana", "135790").unwrap();
    let strict = LockPolicy {
        auto_lock_secs: 60,
        max_failed_unlocks: 5,
        wipe_on_lockout: true,
    };
    vault.set_policy(strict).unwrap();
    vault.lock().unwrap();

    // Someone with the file turns the wipe off and allows many guesses.
    let loose = LockPolicy {
        auto_lock_secs: 3600,
        max_failed_unlocks: 50,
        wipe_on_lockout: false,
    };
    vault.keyring.set_policy(&loose).unwrap();
    assert_eq!(vault.status().unwrap().policy, loose);

    vault.unlock(&ana.id, "135790").unwrap();
    assert_eq!(vault.status().unwrap().policy, strict);
    vault.lock().unwrap();
    assert_eq!(vault.keyring.policy().unwrap(), strict);
    vault.unlock(&ana.id, "135790").unwrap();
    assert!(
        vault
            .audit_log(10)
            .unwrap()
            .iter()
            .any(|e| e.action == "lock-policy-restored")
    );

    // A value out of range in the keyring reads as the default, never as "anything goes".
    vault
        .keyring
        .set_policy(&LockPolicy {
            max_failed_unlocks: 100_000,
            ..loose
        })
        .unwrap();
    assert_eq!(vault.keyring.policy().unwrap(), LockPolicy::default());
}

#[test]
fn the_data_folder_is_0700_and_its_files_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("senda");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut vault = Vault::open_dir(&data, Arc::new(ManualClock::default()))
        .unwrap()
        .with_light_kdf();
    let ana = vault.create("Ana", "135790").unwrap();
    vault.lock().unwrap();
    vault.unlock(&ana.id, "135790").unwrap();
    // Write through the WAL so that its files exist while we look.
    vault.casework().unwrap().set_retention_days(20).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    let mut files = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert!(files >= 3, "keyring.db, vault.db and its WAL files");
    assert!(data.join("vault.db-wal").exists());
}

#[test]
fn sqlcipher_wipes_what_it_frees() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(ManualClock::default()))
        .unwrap()
        .with_light_kdf();
    vault.create("Ana", "135790").unwrap();
    let conn = &vault.session.as_ref().unwrap().conn;
    let on: String = conn
        .query_row("PRAGMA cipher_memory_security", [], |r| r.get(0))
        .unwrap();
    assert_eq!(on, "1");
}

#[test]
fn a_wipe_leaves_no_sealed_key_in_the_keyring_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_dir(dir.path(), Arc::new(ManualClock::default()))
        .unwrap()
        .with_light_kdf();
    let ana = vault.create("Ana", "135790").unwrap();
    let sealed = vault.keyring.slot(&ana.id).unwrap().unwrap().key.sealed;
    vault.wipe_on_revocation().unwrap();
    let file = std::fs::read(dir.path().join(KEYRING_FILE)).unwrap();
    assert!(!file.windows(sealed.len()).any(|w| w == sealed));
}

#[test]
fn retry_after_never_exceeds_the_delay_for_the_failure_count() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let mut vault = Vault::open_dir(dir.path(), clock.clone())
        .unwrap()
        .with_light_kdf();
    let ana = vault.create("Ana", "135790").unwrap();
    vault.lock().unwrap();
    for _ in 0..4 {
        let _ = vault.unlock(&ana.id, "000000");
    }
    let failed = vault.status().unwrap().failed_attempts;
    let delay = LockPolicy::default().delay_after(failed).num_seconds() as u64;
    assert!(delay > 0);
    assert_eq!(vault.status().unwrap().retry_after_secs, delay);
    // The wall clock is set back a year (a wrong RTC fixed the other way round).
    clock.step_wall_clock(Duration::days(-365));
    assert_eq!(vault.status().unwrap().retry_after_secs, delay);
    assert_eq!(
        vault.unlock(&ana.id, "135790"),
        Err(VaultError::RetryLater {
            retry_after_secs: delay
        })
    );
}
