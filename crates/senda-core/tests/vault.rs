//! The vault against real files in a temporary directory: no mocks.

use chrono::Duration;
use senda_core::{LockPolicy, ManualClock, Vault, VaultError, VaultState};
use std::path::Path;
use std::sync::Arc;

const PIN: &str = "482916";
const MARKER: &str = "MARCADOR-NINA-7731";

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Vault {
    Vault::open_dir(dir, clock.clone()).expect("open vault dir")
}

fn new_vault(dir: &Path) -> (Vault, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::default());
    let mut v = open(dir, &clock);
    v.create("Coordinadora Ana", PIN).expect("create");
    (v, clock)
}

fn file_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn nothing_readable_reaches_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    v.add_staff(MARKER, "975310").unwrap();

    // While open (WAL and SHM present) and after closing.
    for (name, bytes) in file_bytes(dir.path()) {
        assert!(
            !contains(&bytes, MARKER.as_bytes()),
            "marker in {name} while open"
        );
    }
    drop(v);
    let files = file_bytes(dir.path());
    assert!(files.iter().any(|(n, _)| n.ends_with("vault.db")));
    for (name, bytes) in files {
        assert!(!contains(&bytes, MARKER.as_bytes()), "marker in {name}");
        if name.ends_with("vault.db") {
            assert!(
                !bytes.starts_with(b"SQLite format 3"),
                "vault header is plain"
            );
        }
    }

    // And it is really there, behind the PIN.
    let clock = Arc::new(ManualClock::default());
    let mut v = open(dir.path(), &clock);
    v.unlock(PIN).unwrap();
    assert!(v.staff().unwrap().iter().any(|s| s.display_name == MARKER));
}

#[test]
fn the_vault_file_cannot_be_opened_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (v, _) = new_vault(dir.path());
    let path = v.vault_path();
    drop(v);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let err = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert_eq!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase)
    );
}

#[test]
fn a_wrong_pin_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    v.lock().unwrap();
    let before = std::fs::read(v.vault_path()).unwrap();

    assert_eq!(
        v.unlock("000000"),
        Err(VaultError::WrongPin { attempts_left: 9 })
    );
    assert_eq!(v.state().unwrap(), VaultState::Locked);
    assert_eq!(std::fs::read(v.vault_path()).unwrap(), before);

    clock.advance(Duration::seconds(1));
    assert_eq!(v.unlock(PIN).unwrap().display_name, "Coordinadora Ana");
    assert_eq!(v.status().unwrap().failed_attempts, 0);
}

#[test]
fn two_staff_pins_open_the_same_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    v.add_staff("Beto", "975310").unwrap();
    drop(v);

    let mut v = open(dir.path(), &clock);
    assert_eq!(v.unlock("975310").unwrap().display_name, "Beto");
    let names: Vec<_> = v
        .staff()
        .unwrap()
        .into_iter()
        .map(|s| s.display_name)
        .collect();
    assert_eq!(names, ["Coordinadora Ana", "Beto"]);
    v.lock().unwrap();
    assert_eq!(v.unlock(PIN).unwrap().display_name, "Coordinadora Ana");
}

#[test]
fn a_pin_already_used_on_the_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    assert_eq!(v.add_staff("Beto", PIN), Err(VaultError::PinInUse));
    assert_eq!(
        v.add_staff("Beto", "123"),
        Err(VaultError::PinTooShort { min: 6 })
    );
    assert_eq!(v.add_staff("  ", "975310"), Err(VaultError::NameRequired));
}

#[test]
fn a_pin_change_keeps_all_data_and_retires_the_old_pin() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    v.add_staff(MARKER, "975310").unwrap();

    assert!(matches!(
        v.change_pin("999999", "111222"),
        Err(VaultError::WrongPin { .. })
    ));
    clock.advance(Duration::seconds(1));
    v.change_pin(PIN, "111222").unwrap();
    drop(v);

    let mut v = open(dir.path(), &clock);
    assert!(matches!(v.unlock(PIN), Err(VaultError::WrongPin { .. })));
    v.unlock("111222").unwrap();
    assert!(v.staff().unwrap().iter().any(|s| s.display_name == MARKER));
    // The data key did not change: the colleague's untouched copy still opens the vault.
    v.lock().unwrap();
    assert_eq!(v.unlock("975310").unwrap().display_name, MARKER);
    let log = v.audit_log(20).unwrap();
    assert!(log.iter().any(|e| e.action == "pin-changed"));
}

#[test]
fn repeated_failures_delay_then_lock_out_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    v.set_policy(LockPolicy {
        max_failed_unlocks: 5,
        ..LockPolicy::default()
    })
    .unwrap();
    v.lock().unwrap();

    for left in [4, 3] {
        assert_eq!(
            v.unlock("000000"),
            Err(VaultError::WrongPin {
                attempts_left: left
            })
        );
    }
    assert_eq!(
        v.unlock("000000"),
        Err(VaultError::WrongPin { attempts_left: 2 })
    );
    // Third failure: a delay, during which even the right PIN is not tried.
    assert_eq!(
        v.unlock(PIN),
        Err(VaultError::RetryLater {
            retry_after_secs: 30
        })
    );
    clock.advance(Duration::seconds(31));
    assert_eq!(
        v.unlock("000000"),
        Err(VaultError::WrongPin { attempts_left: 1 })
    );
    clock.advance(Duration::seconds(61));
    assert_eq!(
        v.unlock("000000"),
        Err(VaultError::LockedOut {
            retry_after_secs: 3600
        })
    );

    // Restart the app: still locked out.
    drop(v);
    let mut v = open(dir.path(), &clock);
    assert!(matches!(v.unlock(PIN), Err(VaultError::LockedOut { .. })));
    assert_eq!(v.status().unwrap().attempts_left, 0);

    // After the lockout, the right PIN works and the data is intact.
    clock.advance(Duration::seconds(3601));
    assert_eq!(v.unlock(PIN).unwrap().display_name, "Coordinadora Ana");
    let log = v.audit_log(5).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "failed-unlocks" && e.detail.as_deref() == Some("5"))
    );
}

#[test]
fn the_owner_can_choose_wipe_on_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    v.set_policy(LockPolicy {
        max_failed_unlocks: 4,
        wipe_on_lockout: true,
        ..LockPolicy::default()
    })
    .unwrap();
    v.lock().unwrap();
    for _ in 0..3 {
        let _ = v.unlock("000000");
    }
    clock.advance(Duration::seconds(31));
    assert_eq!(v.unlock("000000"), Err(VaultError::Wiped));
    assert_eq!(v.state().unwrap(), VaultState::NotCreated);
    assert!(!v.vault_path().exists());
    // A fresh vault can be created afterwards.
    v.create("Nueva", "135791").unwrap();
}

#[test]
fn only_the_owner_sets_the_policy_and_only_within_range() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    let silly = LockPolicy {
        auto_lock_secs: 5,
        ..LockPolicy::default()
    };
    assert!(matches!(
        v.set_policy(silly),
        Err(VaultError::InvalidSetting { .. })
    ));
    v.add_staff("Beto", "975310").unwrap();
    v.lock().unwrap();
    v.unlock("975310").unwrap();
    assert_eq!(
        v.set_policy(LockPolicy::default()),
        Err(VaultError::NotPermitted)
    );
}

#[test]
fn auto_lock_after_idle_time() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    clock.advance(Duration::seconds(299));
    assert!(!v.lock_if_idle().unwrap());
    v.touch().unwrap();
    clock.advance(Duration::seconds(299));
    assert!(!v.lock_if_idle().unwrap());
    clock.advance(Duration::seconds(1));
    assert!(v.lock_if_idle().unwrap());
    assert_eq!(v.state().unwrap(), VaultState::Locked);
    assert_eq!(v.staff(), Err(VaultError::Locked));
}

#[test]
fn a_corrupted_vault_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (v, clock) = new_vault(dir.path());
    let path = v.vault_path();
    drop(v);

    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();

    let mut v = open(dir.path(), &clock);
    assert_eq!(v.unlock(PIN), Err(VaultError::Corrupted));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the damaged file is kept as it was"
    );
    // A damaged file is not a wrong PIN: no attempt is counted against staff.
    assert_eq!(v.status().unwrap().failed_attempts, 0);
}

#[test]
fn a_truncated_vault_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (v, clock) = new_vault(dir.path());
    let path = v.vault_path();
    drop(v);

    let len = std::fs::metadata(&path).unwrap().len();
    for cut in [len / 2, len / 2 + 100, 10] {
        let full = std::fs::read(&path).unwrap();
        std::fs::write(&path, &full[..cut as usize]).unwrap();
        let mut v = open(dir.path(), &clock);
        assert_eq!(v.unlock(PIN), Err(VaultError::Corrupted), "cut at {cut}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), cut);
        std::fs::write(&path, &full).unwrap();
    }
    let mut v = open(dir.path(), &clock);
    v.unlock(PIN).unwrap();
}

#[test]
fn a_missing_vault_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (v, clock) = new_vault(dir.path());
    let path = v.vault_path();
    drop(v);
    std::fs::rename(&path, dir.path().join("moved-away.db")).unwrap();
    let mut v = open(dir.path(), &clock);
    assert_eq!(v.unlock(PIN), Err(VaultError::VaultMissing));
}

#[test]
fn an_interrupted_first_run_is_finished_on_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let (v, clock) = new_vault(dir.path());
    let path = v.vault_path();
    drop(v);
    // As if the app died after sealing the key but before the rename.
    std::fs::rename(&path, dir.path().join("vault.db.new")).unwrap();
    let mut v = open(dir.path(), &clock);
    assert_eq!(v.unlock(PIN).unwrap().display_name, "Coordinadora Ana");
}

#[test]
fn first_run_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    assert_eq!(v.create("Otra", "135791"), Err(VaultError::AlreadyCreated));
}

#[test]
fn every_error_code_is_kebab_case_and_unique() {
    let codes = VaultError::ALL_CODES;
    let mut sorted = codes.to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), codes.len());
    assert!(
        codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'))
    );
}
