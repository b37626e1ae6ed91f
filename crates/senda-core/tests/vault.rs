//! The vault against real files in a temporary directory: no mocks.

use chrono::Duration;
use senda_core::{LockPolicy, ManualClock, PinPolicy, Vault, VaultError, VaultState};
use std::path::Path;
use std::sync::Arc;

const PIN: &str = "482916";
const MARKER: &str = "MARCADOR-NINA-7731";

/// Light key derivation: these tests are about the vault's rules, not its cost
/// (`the_owner_s_slot_is_found_by_label_and_sealed_at_the_full_cost` uses the real one).
fn open(dir: &Path, clock: &Arc<ManualClock>) -> Vault {
    Vault::open_dir(dir, clock.clone())
        .expect("open vault dir")
        .with_light_kdf()
}

fn new_vault(dir: &Path) -> (Vault, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::default());
    let mut v = open(dir, &clock);
    v.create("Coordinadora Ana", PIN).expect("create");
    (v, clock)
}

/// The id the "who are you" list gives for `label`.
fn who(v: &Vault, label: &str) -> String {
    v.people()
        .unwrap()
        .into_iter()
        .find(|p| p.label == label)
        .unwrap_or_else(|| panic!("{label} is not listed"))
        .id
}

const ANA: &str = "Coordinadora";

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
    v.add_staff(MARKER, "Beto", "975310").unwrap();

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
    v.unlock(&who(&v, ANA), PIN).unwrap();
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
        v.unlock(&who(&v, ANA), "000000"),
        Err(VaultError::WrongPin { attempts_left: 9 })
    );
    assert_eq!(v.state().unwrap(), VaultState::Locked);
    assert_eq!(std::fs::read(v.vault_path()).unwrap(), before);

    clock.advance(Duration::seconds(1));
    assert_eq!(
        v.unlock(&who(&v, ANA), PIN).unwrap().display_name,
        "Coordinadora Ana"
    );
    assert_eq!(v.status().unwrap().failed_attempts, 0);
}

#[test]
fn two_staff_pins_open_the_same_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    v.add_staff("Beto", "", "975310").unwrap();
    drop(v);

    let mut v = open(dir.path(), &clock);
    assert_eq!(
        v.unlock(&who(&v, "Beto"), "975310").unwrap().display_name,
        "Beto"
    );
    let names: Vec<_> = v
        .staff()
        .unwrap()
        .into_iter()
        .map(|s| s.display_name)
        .collect();
    assert_eq!(names, ["Coordinadora Ana", "Beto"]);
    v.lock().unwrap();
    assert_eq!(
        v.unlock(&who(&v, ANA), PIN).unwrap().display_name,
        "Coordinadora Ana"
    );
}

#[test]
fn two_people_may_share_a_pin_and_each_unlocks_as_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    // No "PIN in use" answer: it told a newcomer a colleague's PIN.
    let beto = v.add_staff("Beto Ruiz", "", PIN).unwrap();
    v.lock().unwrap();
    assert_eq!(who(&v, "Beto"), beto.id);
    assert_eq!(v.unlock(&beto.id, PIN).unwrap().display_name, "Beto Ruiz");
    v.lock().unwrap();
    assert_eq!(
        v.unlock(&who(&v, ANA), PIN).unwrap().display_name,
        "Coordinadora Ana"
    );
    // Someone not on the list: refused, and not counted as a guess.
    v.lock().unwrap();
    assert_eq!(v.unlock("not-a-slot", PIN), Err(VaultError::NoSuchStaff));
    assert_eq!(v.status().unwrap().failed_attempts, 0);
}

#[test]
fn the_unlock_list_shows_only_the_labels_the_owner_chose() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    v.add_staff(MARKER, "B. R.", "975310").unwrap();
    assert_eq!(
        v.add_staff("Bea", "b. r.", "975311"),
        Err(VaultError::LabelInUse)
    );
    v.lock().unwrap();
    let labels: Vec<String> = v.people().unwrap().into_iter().map(|p| p.label).collect();
    assert_eq!(labels, ["B. R.", "Coordinadora"]);
    // The keyring (readable before unlock) holds the labels, never the names.
    drop(v);
    let keyring = std::fs::read(dir.path().join("keyring.db")).unwrap();
    assert!(!contains(&keyring, MARKER.as_bytes()));
    assert!(!contains(&keyring, b"Coordinadora Ana"));
}

#[test]
fn a_new_pin_must_meet_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    assert_eq!(
        v.add_staff("Beto", "", "123"),
        Err(VaultError::PinTooShort { min: 6 })
    );
    assert_eq!(
        v.add_staff("  ", "", "975310"),
        Err(VaultError::NameRequired)
    );
}

#[test]
fn the_organisation_s_pin_policy_applies_to_every_pin_set_from_then_on() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    assert_eq!(v.status().unwrap().pin_policy, PinPolicy::default());
    let eight_digits = PinPolicy {
        min_length: 8,
        letters_allowed: false,
    };
    // Below the floor, from a hostile or broken server: refused, nothing changes.
    assert!(matches!(
        v.apply_organisation_pin_policy(PinPolicy {
            min_length: 4,
            letters_allowed: true
        }),
        Err(VaultError::InvalidSetting { .. })
    ));
    v.apply_organisation_pin_policy(eight_digits).unwrap();
    assert_eq!(v.status().unwrap().pin_policy, eight_digits);
    assert_eq!(
        v.add_staff("Beto", "", "9753108"),
        Err(VaultError::PinTooShort { min: 8 })
    );
    assert_eq!(
        v.add_staff("Beto", "", "9753108a"),
        Err(VaultError::PinDigitsOnly)
    );
    assert_eq!(
        v.change_pin(PIN, "abcdefgh"),
        Err(VaultError::PinDigitsOnly)
    );
    v.add_staff("Beto", "", "97531086").unwrap();
    v.change_pin(PIN, "48291655").unwrap();
    assert!(
        v.audit_log(10)
            .unwrap()
            .iter()
            .any(|e| e.action == "pin-policy-set")
    );

    // It lives in the vault; the keyring's copy is only a hint for the keyboard.
    drop(v);
    let mut v = open(dir.path(), &clock);
    assert_eq!(v.status().unwrap().pin_policy, eight_digits);
    v.unlock(&who(&v, ANA), "48291655").unwrap();
    assert_eq!(
        v.change_pin("48291655", "4829165"),
        Err(VaultError::PinTooShort { min: 8 })
    );
}

#[test]
fn only_the_owner_adds_or_removes_staff_and_a_removed_pin_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    let owner = v.status().unwrap().staff.unwrap();
    let beto = v.add_staff("Beto", "", "975310").unwrap();
    let carla = v.add_staff("Carla", "", "864200").unwrap();
    v.lock().unwrap();

    v.unlock(&beto.id, "975310").unwrap();
    assert_eq!(
        v.add_staff("Dani", "", "135799"),
        Err(VaultError::NotPermitted)
    );
    assert_eq!(v.remove_staff(&carla.id), Err(VaultError::NotPermitted));
    v.lock().unwrap();

    v.unlock(&owner.id, PIN).unwrap();
    assert_eq!(v.remove_staff(&owner.id), Err(VaultError::NotPermitted));
    v.remove_staff(&carla.id).unwrap();
    assert_eq!(v.remove_staff(&carla.id), Err(VaultError::NoSuchStaff));
    let names: Vec<_> = v
        .staff()
        .unwrap()
        .into_iter()
        .map(|s| s.display_name)
        .collect();
    assert_eq!(names, ["Coordinadora Ana", "Beto"]);
    assert!(
        v.audit_log(5)
            .unwrap()
            .iter()
            .any(|e| e.action == "staff-removed" && e.detail.as_deref() == Some(&carla.id))
    );
    v.lock().unwrap();
    assert!(v.people().unwrap().iter().all(|p| p.id != carla.id));
    assert_eq!(v.unlock(&carla.id, "864200"), Err(VaultError::NoSuchStaff));
}

#[test]
fn the_owner_s_slot_is_found_by_label_and_sealed_at_the_full_cost() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let mut v = Vault::open_dir(dir.path(), clock).unwrap();
    let ana = v.create("Ana María", PIN).unwrap();
    v.lock().unwrap();
    assert_eq!(v.people().unwrap()[0].label, "Ana");
    assert_eq!(v.unlock(&ana.id, PIN).unwrap().id, ana.id);
    // The keyring row names the memory-hard KDF and its cost.
    drop(v);
    let conn = rusqlite::Connection::open(dir.path().join("keyring.db")).unwrap();
    let (kdf, mib, passes): (String, i64, i64) = conn
        .query_row(
            "SELECT kdf, memory_kib / 1024, iterations FROM slot",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((kdf.as_str(), mib, passes), ("argon2id", 128, 3));
}

#[test]
fn a_pin_change_keeps_all_data_and_retires_the_old_pin() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    v.add_staff(MARKER, "Beto", "975310").unwrap();

    assert!(matches!(
        v.change_pin("999999", "111222"),
        Err(VaultError::WrongPin { .. })
    ));
    clock.advance(Duration::seconds(1));
    v.change_pin(PIN, "111222").unwrap();
    drop(v);

    let mut v = open(dir.path(), &clock);
    assert!(matches!(
        v.unlock(&who(&v, ANA), PIN),
        Err(VaultError::WrongPin { .. })
    ));
    v.unlock(&who(&v, ANA), "111222").unwrap();
    assert!(v.staff().unwrap().iter().any(|s| s.display_name == MARKER));
    // The data key did not change: the colleague's untouched copy still opens the vault.
    v.lock().unwrap();
    assert_eq!(
        v.unlock(&who(&v, "Beto"), "975310").unwrap().display_name,
        MARKER
    );
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
            v.unlock(&who(&v, ANA), "000000"),
            Err(VaultError::WrongPin {
                attempts_left: left
            })
        );
    }
    assert_eq!(
        v.unlock(&who(&v, ANA), "000000"),
        Err(VaultError::WrongPin { attempts_left: 2 })
    );
    // Third failure: a delay, during which even the right PIN is not tried.
    assert_eq!(
        v.unlock(&who(&v, ANA), PIN),
        Err(VaultError::RetryLater {
            retry_after_secs: 30
        })
    );
    clock.advance(Duration::seconds(31));
    assert_eq!(
        v.unlock(&who(&v, ANA), "000000"),
        Err(VaultError::WrongPin { attempts_left: 1 })
    );
    clock.advance(Duration::seconds(61));
    assert_eq!(
        v.unlock(&who(&v, ANA), "000000"),
        Err(VaultError::LockedOut {
            retry_after_secs: 3600
        })
    );

    // Restart the app: still locked out.
    drop(v);
    let mut v = open(dir.path(), &clock);
    assert!(matches!(
        v.unlock(&who(&v, ANA), PIN),
        Err(VaultError::LockedOut { .. })
    ));
    assert_eq!(v.status().unwrap().attempts_left, 0);

    // After the lockout, the right PIN works and the data is intact.
    clock.advance(Duration::seconds(3601));
    assert_eq!(
        v.unlock(&who(&v, ANA), PIN).unwrap().display_name,
        "Coordinadora Ana"
    );
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
        let _ = v.unlock(&who(&v, ANA), "000000");
    }
    clock.advance(Duration::seconds(31));
    assert_eq!(v.unlock(&who(&v, ANA), "000000"), Err(VaultError::Wiped));
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
    v.add_staff("Beto", "", "975310").unwrap();
    v.lock().unwrap();
    v.unlock(&who(&v, "Beto"), "975310").unwrap();
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
fn only_a_person_s_activity_postpones_auto_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    // The UI's status poll and a background sync read the vault every 300 ms.
    for _ in 0..299 {
        clock.advance(Duration::seconds(1));
        v.casework().unwrap().outbox_counts().unwrap();
        v.status().unwrap();
        assert!(!v.lock_if_idle().unwrap());
    }
    clock.advance(Duration::seconds(1));
    assert!(v.lock_if_idle().unwrap());
}

#[test]
fn a_wall_clock_set_back_does_not_postpone_auto_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    clock.step_wall_clock(Duration::days(-365));
    clock.advance(Duration::seconds(300));
    assert!(v.lock_if_idle().unwrap());
}

#[test]
fn a_device_that_slept_wakes_locked() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, clock) = new_vault(dir.path());
    // While suspended the monotonic clock stands still (Linux); the wall clock does not.
    clock.step_wall_clock(Duration::hours(1));
    assert!(v.lock_if_idle().unwrap());
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
    assert_eq!(v.unlock(&who(&v, ANA), PIN), Err(VaultError::Corrupted));
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
        assert_eq!(
            v.unlock(&who(&v, ANA), PIN),
            Err(VaultError::Corrupted),
            "cut at {cut}"
        );
        assert_eq!(std::fs::metadata(&path).unwrap().len(), cut);
        std::fs::write(&path, &full).unwrap();
    }
    let mut v = open(dir.path(), &clock);
    v.unlock(&who(&v, ANA), PIN).unwrap();
}

#[test]
fn a_missing_vault_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (v, clock) = new_vault(dir.path());
    let path = v.vault_path();
    drop(v);
    std::fs::rename(&path, dir.path().join("moved-away.db")).unwrap();
    let mut v = open(dir.path(), &clock);
    assert_eq!(v.unlock(&who(&v, ANA), PIN), Err(VaultError::VaultMissing));
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
    assert_eq!(
        v.unlock(&who(&v, ANA), PIN).unwrap().display_name,
        "Coordinadora Ana"
    );
}

#[test]
fn first_run_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut v, _) = new_vault(dir.path());
    assert_eq!(v.create("Otra", "135791"), Err(VaultError::AlreadyCreated));
}

#[test]
fn every_error_code_is_kebab_case_and_unique() {
    let codes = VaultError::all_codes();
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
