//! The vault: children's data, encrypted at rest with SQLCipher.
//!
//! Files in the vault directory:
//! - `vault.db` (+ `-wal`, `-shm`): the SQLCipher database, keyed by a random data key;
//! - `keyring.db`: that key sealed under each staff PIN, the failed-unlock
//!   counter and the lock policy (see [`keyring`]).
//!
//! The unwrapped key lives only inside an unlocked [`Vault`] and is zeroed on
//! lock. No error path deletes data, except the wipe the device owner opts into.

mod audit;
mod error;
mod keyring;
mod keys;
mod schema;

pub use audit::AuditEntry;
pub(crate) use audit::record as audit;
pub use error::VaultError;
pub use keys::DEFAULT_KDF_ITERATIONS;
pub use schema::{latest_version, vault_migrations};

use crate::clock::Clock;
use chrono::{DateTime, Duration, Utc};
use keyring::{Guard, Keyring, Slot};
use keys::{DataKey, WrappedKey};
pub(crate) use keys::{fill_random, random_id};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

pub const MIN_PIN_LEN: usize = 6;
const VAULT_FILE: &str = "vault.db";
const NEW_VAULT_FILE: &str = "vault.db.new";
const KEYRING_FILE: &str = "keyring.db";
/// Failures allowed before delays start.
const FREE_ATTEMPTS: u32 = 3;
const FIRST_DELAY_SECS: i64 = 30;
const MAX_DELAY_SECS: i64 = 15 * 60;
const LOCKOUT_SECS: i64 = 60 * 60;

pub type StaffId = String;

/// The device owner's lock rules, kept in the keyring (they apply before unlock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockPolicy {
    /// Lock after this many seconds without activity.
    pub auto_lock_secs: u32,
    /// After this many failed unlocks in a row: lockout (or wipe).
    pub max_failed_unlocks: u32,
    /// Wipe the vault instead of locking out. Off unless the owner turns it on.
    pub wipe_on_lockout: bool,
}

impl Default for LockPolicy {
    fn default() -> Self {
        Self {
            auto_lock_secs: 300,
            max_failed_unlocks: 10,
            wipe_on_lockout: false,
        }
    }
}

impl LockPolicy {
    fn validate(&self) -> Result<(), VaultError> {
        let bad = |setting: &str| {
            Err(VaultError::InvalidSetting {
                setting: setting.to_owned(),
            })
        };
        if !(30..=3600).contains(&self.auto_lock_secs) {
            return bad("auto_lock_secs");
        }
        if !(FREE_ATTEMPTS + 1..=50).contains(&self.max_failed_unlocks) {
            return bad("max_failed_unlocks");
        }
        Ok(())
    }

    /// How long unlocking must wait after `failed` failures in a row.
    fn delay_after(&self, failed: u32) -> Duration {
        if failed >= self.max_failed_unlocks {
            Duration::seconds(LOCKOUT_SECS)
        } else if failed < FREE_ATTEMPTS {
            Duration::zero()
        } else {
            let doublings = (failed - FREE_ATTEMPTS).min(10);
            Duration::seconds((FIRST_DELAY_SECS << doublings).min(MAX_DELAY_SECS))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VaultState {
    NotCreated,
    Locked,
    Unlocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Owner,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: StaffId,
    pub display_name: String,
    pub role: Role,
}

/// What the start screen needs to know, readable while locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VaultStatus {
    pub state: VaultState,
    /// The unlocked staff member; `None` while locked.
    pub staff: Option<StaffMember>,
    pub failed_attempts: u32,
    pub attempts_left: u32,
    /// Seconds before another unlock may be tried; 0 when it may be now.
    pub retry_after_secs: u64,
    pub policy: LockPolicy,
}

struct Session {
    conn: Connection,
    // Kept to seal copies for new staff and PIN changes; zeroed on drop.
    key: DataKey,
    staff: StaffMember,
    last_activity: DateTime<Utc>,
}

pub struct Vault {
    dir: PathBuf,
    keyring: Keyring,
    clock: Arc<dyn Clock>,
    kdf_iterations: NonZeroU32,
    session: Option<Session>,
}

impl Vault {
    /// Opens the vault directory (creating it and its keyring if needed). Stays locked.
    pub fn open_dir(dir: impl Into<PathBuf>, clock: Arc<dyn Clock>) -> Result<Self, VaultError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let keyring = Keyring::open(&dir.join(KEYRING_FILE))?;
        let vault = Self {
            dir,
            keyring,
            clock,
            kdf_iterations: NonZeroU32::new(DEFAULT_KDF_ITERATIONS).expect("non-zero"),
            session: None,
        };
        vault.finish_interrupted_create()?;
        Ok(vault)
    }

    /// Lower PBKDF2 work, for benchmarks that measure other things. Never below 100k.
    pub fn with_kdf_iterations(mut self, iterations: u32) -> Self {
        self.kdf_iterations = NonZeroU32::new(iterations.max(100_000)).expect("non-zero");
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn vault_path(&self) -> PathBuf {
        self.dir.join(VAULT_FILE)
    }

    pub fn state(&self) -> Result<VaultState, VaultError> {
        Ok(if self.session.is_some() {
            VaultState::Unlocked
        } else if self.keyring.has_slots()? {
            VaultState::Locked
        } else {
            VaultState::NotCreated
        })
    }

    pub fn status(&self) -> Result<VaultStatus, VaultError> {
        let policy = self.keyring.policy()?;
        let guard = self.keyring.guard()?;
        Ok(VaultStatus {
            state: self.state()?,
            staff: self.session.as_ref().map(|s| s.staff.clone()),
            failed_attempts: guard.failed,
            attempts_left: policy.max_failed_unlocks.saturating_sub(guard.failed),
            retry_after_secs: self.retry_after(&policy, guard).num_seconds().max(0) as u64,
            policy,
        })
    }

    /// First run: creates the vault and its first staff member (the device owner).
    pub fn create(&mut self, display_name: &str, pin: &str) -> Result<StaffMember, VaultError> {
        if self.keyring.has_slots()? || self.vault_path().exists() {
            return Err(VaultError::AlreadyCreated);
        }
        let display_name = valid_name(display_name)?;
        valid_pin(pin)?;
        let now = self.clock.now();
        let key = DataKey::generate();
        let staff = StaffMember {
            id: random_id(),
            display_name,
            role: Role::Owner,
        };

        // Build the vault under a temporary name and rename it into place only
        // after its key is in the keyring, so a crash never leaves a vault
        // without a key, nor a key pointing at a half-built vault.
        let new_path = self.dir.join(NEW_VAULT_FILE);
        remove_db_files(&new_path)?;
        {
            let conn = open_db(&new_path, &key, true)?;
            insert_staff(&conn, &staff, now)?;
            audit(&conn, now, Some(&staff.id), "vault-created", None)?;
            conn.pragma_update(None, "journal_mode", "DELETE")?;
        }
        let slot = Slot {
            key: WrappedKey::seal(&key, pin, self.kdf_iterations, staff.id.as_bytes()),
            id: staff.id.clone(),
        };
        self.keyring.put_slot(&slot, now)?;
        std::fs::rename(&new_path, self.vault_path())?;

        let conn = open_db(&self.vault_path(), &key, false)?;
        self.session = Some(Session {
            conn,
            key,
            staff: staff.clone(),
            last_activity: now,
        });
        Ok(staff)
    }

    /// Unlocks with any staff member's PIN.
    pub fn unlock(&mut self, pin: &str) -> Result<StaffMember, VaultError> {
        if !self.keyring.has_slots()? {
            return Err(VaultError::NotCreated);
        }
        self.lock()?;
        let now = self.clock.now();
        let policy = self.keyring.policy()?;
        let guard = self.keyring.guard()?;
        let wait = self.retry_after(&policy, guard).num_seconds();
        if wait > 0 {
            return Err(if guard.failed >= policy.max_failed_unlocks {
                VaultError::LockedOut {
                    retry_after_secs: wait as u64,
                }
            } else {
                VaultError::RetryLater {
                    retry_after_secs: wait as u64,
                }
            });
        }

        let opened = self
            .keyring
            .slots()?
            .into_iter()
            .find_map(|slot| slot.key.open(pin, slot.id.as_bytes()).map(|k| (slot.id, k)));
        let Some((staff_id, key)) = opened else {
            return Err(self.fail_unlock(&policy, now)?);
        };

        let conn = open_db(&self.vault_path(), &key, false)?;
        let staff = load_staff(&conn, &staff_id)?.ok_or(VaultError::Corrupted)?;
        if guard.failed > 0 {
            audit(
                &conn,
                now,
                Some(&staff_id),
                "failed-unlocks",
                Some(&guard.failed.to_string()),
            )?;
        }
        audit(&conn, now, Some(&staff_id), "unlock", None)?;
        self.keyring.record_success(&staff_id, now)?;
        self.session = Some(Session {
            conn,
            key,
            staff: staff.clone(),
            last_activity: now,
        });
        Ok(staff)
    }

    /// Locks: closes the database and zeroes the key. Idempotent.
    pub fn lock(&mut self) -> Result<(), VaultError> {
        self.end_session("lock")
    }

    /// Locks if nothing happened for the policy's idle time. Returns whether it locked.
    pub fn lock_if_idle(&mut self) -> Result<bool, VaultError> {
        let Some(session) = &self.session else {
            return Ok(false);
        };
        let idle = self.clock.now() - session.last_activity;
        let limit = Duration::seconds(self.keyring.policy()?.auto_lock_secs.into());
        if idle >= limit {
            self.end_session("auto-lock")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Marks activity, postponing auto-lock.
    pub fn touch(&mut self) -> Result<(), VaultError> {
        let now = self.clock.now();
        self.session_mut()?.last_activity = now;
        Ok(())
    }

    /// Adds a staff member who can unlock the same vault with their own PIN.
    pub fn add_staff(&mut self, display_name: &str, pin: &str) -> Result<StaffMember, VaultError> {
        let display_name = valid_name(display_name)?;
        valid_pin(pin)?;
        self.session_mut()?;
        self.refuse_pin_in_use(pin, None)?;
        let now = self.clock.now();
        let session = self.session.as_ref().ok_or(VaultError::Locked)?;
        let staff = StaffMember {
            id: random_id(),
            display_name,
            role: Role::Staff,
        };
        insert_staff(&session.conn, &staff, now)?;
        audit(
            &session.conn,
            now,
            Some(&session.staff.id),
            "staff-added",
            Some(&staff.id),
        )?;
        let slot = Slot {
            key: WrappedKey::seal(&session.key, pin, self.kdf_iterations, staff.id.as_bytes()),
            id: staff.id.clone(),
        };
        self.keyring.put_slot(&slot, now)?;
        Ok(staff)
    }

    /// Changes the unlocked staff member's PIN. Re-seals one key copy; the data is untouched.
    pub fn change_pin(&mut self, current_pin: &str, new_pin: &str) -> Result<(), VaultError> {
        valid_pin(new_pin)?;
        let now = self.clock.now();
        let staff_id = self.session_mut()?.staff.id.clone();
        let own = self
            .keyring
            .slots()?
            .into_iter()
            .find(|s| s.id == staff_id)
            .ok_or(VaultError::Corrupted)?;
        if own.key.open(current_pin, staff_id.as_bytes()).is_none() {
            let policy = self.keyring.policy()?;
            return Err(self.fail_unlock(&policy, now)?);
        }
        self.refuse_pin_in_use(new_pin, Some(&staff_id))?;
        let session = self.session.as_ref().ok_or(VaultError::Locked)?;
        let slot = Slot {
            key: WrappedKey::seal(
                &session.key,
                new_pin,
                self.kdf_iterations,
                staff_id.as_bytes(),
            ),
            id: staff_id.clone(),
        };
        self.keyring.put_slot(&slot, now)?;
        audit(&session.conn, now, Some(&staff_id), "pin-changed", None)?;
        Ok(())
    }

    /// The staff members who share this vault.
    pub fn staff(&mut self) -> Result<Vec<StaffMember>, VaultError> {
        let conn = &self.session_mut()?.conn;
        let mut stmt =
            conn.prepare("SELECT id, display_name, role FROM staff ORDER BY created_at")?;
        let rows = stmt.query_map([], staff_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets the lock policy. Only the device owner may.
    pub fn set_policy(&mut self, policy: LockPolicy) -> Result<(), VaultError> {
        policy.validate()?;
        let now = self.clock.now();
        let session = self.session_mut()?;
        if session.staff.role != Role::Owner {
            return Err(VaultError::NotPermitted);
        }
        let detail = serde_json::to_string(&policy).unwrap_or_default();
        audit(
            &session.conn,
            now,
            Some(&session.staff.id.clone()),
            "policy-changed",
            Some(&detail),
        )?;
        self.keyring.set_policy(&policy)
    }

    /// Casework (cases, screenings, consents, referrals, outbox) as the unlocked staff member.
    pub fn casework(&mut self) -> Result<crate::casework::Casework<'_>, VaultError> {
        let now = self.clock.now();
        let session = self.session_mut()?;
        Ok(crate::casework::Casework::new(
            &session.conn,
            &session.staff,
            now,
        ))
    }

    /// The audit log, newest first (who did what, when; never case content).
    pub fn audit_log(&mut self, limit: u32) -> Result<Vec<AuditEntry>, VaultError> {
        audit::recent(&self.session_mut()?.conn, limit)
    }

    /// Checks the audit log's hash chain; returns how many entries it holds.
    pub fn verify_audit_log(&mut self) -> Result<u64, VaultError> {
        audit::verify(&self.session_mut()?.conn)
    }

    fn session_mut(&mut self) -> Result<&mut Session, VaultError> {
        let now = self.clock.now();
        let session = self.session.as_mut().ok_or(VaultError::Locked)?;
        session.last_activity = now;
        Ok(session)
    }

    fn end_session(&mut self, action: &str) -> Result<(), VaultError> {
        if let Some(session) = self.session.take() {
            // Best effort: a full disk must not keep the vault unlocked.
            let _ = audit(
                &session.conn,
                self.clock.now(),
                Some(&session.staff.id),
                action,
                None,
            );
            drop(session);
        }
        Ok(())
    }

    fn retry_after(&self, policy: &LockPolicy, guard: Guard) -> Duration {
        match guard.last_failed_at {
            Some(at) => at + policy.delay_after(guard.failed) - self.clock.now(),
            None => Duration::zero(),
        }
    }

    fn fail_unlock(
        &mut self,
        policy: &LockPolicy,
        now: DateTime<Utc>,
    ) -> Result<VaultError, VaultError> {
        let failed = self.keyring.record_failure(now)?;
        if failed < policy.max_failed_unlocks {
            return Ok(VaultError::WrongPin {
                attempts_left: policy.max_failed_unlocks - failed,
            });
        }
        if policy.wipe_on_lockout {
            self.wipe()?;
            return Ok(VaultError::Wiped);
        }
        Ok(VaultError::LockedOut {
            retry_after_secs: policy.delay_after(failed).num_seconds() as u64,
        })
    }

    /// The server revoked this device: crypto-erase the vault now.
    pub fn wipe_on_revocation(&mut self) -> Result<(), VaultError> {
        self.wipe()
    }

    /// Crypto-erase: destroy every sealed key, then the files.
    fn wipe(&mut self) -> Result<(), VaultError> {
        self.session = None;
        self.keyring.destroy_all_slots()?;
        remove_db_files(&self.vault_path())?;
        remove_db_files(&self.dir.join(NEW_VAULT_FILE))?;
        Ok(())
    }

    fn refuse_pin_in_use(&self, pin: &str, except: Option<&str>) -> Result<(), VaultError> {
        let in_use = self
            .keyring
            .slots()?
            .iter()
            .filter(|s| Some(s.id.as_str()) != except)
            .any(|s| s.key.open(pin, s.id.as_bytes()).is_some());
        if in_use {
            Err(VaultError::PinInUse)
        } else {
            Ok(())
        }
    }

    /// A crash between sealing the first key and renaming the new vault leaves
    /// `vault.db.new` beside a keyring that has slots: finish the rename.
    fn finish_interrupted_create(&self) -> Result<(), VaultError> {
        let new_path = self.dir.join(NEW_VAULT_FILE);
        if new_path.exists() && !self.vault_path().exists() && self.keyring.has_slots()? {
            std::fs::rename(new_path, self.vault_path())?;
        }
        Ok(())
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        let _ = self.lock();
    }
}

/// Opens (or with `create`, creates) the SQLCipher database with a raw key,
/// then proves the key and the file are sound before anything is written.
fn open_db(path: &Path, key: &DataKey, create: bool) -> Result<Connection, VaultError> {
    if !create && !path.exists() {
        return Err(VaultError::VaultMissing);
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags)?;
    let mut pragma = Zeroizing::new(String::from("PRAGMA key = \""));
    pragma.push_str(&key.sqlcipher_pragma_value());
    pragma.push_str("\";");
    conn.execute_batch(&pragma)?;

    // The key is right (the keyring said so), so a failure here is damage.
    if !create {
        let bad_pages: Option<String> = conn
            .query_row("PRAGMA cipher_integrity_check", [], |r| r.get(0))
            .optional()?;
        if bad_pages.is_some() {
            return Err(VaultError::Corrupted);
        }
        let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if quick != "ok" {
            return Err(VaultError::Corrupted);
        }
    }
    schema::refuse_newer(&conn, schema::latest_version() as usize)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    schema::vault_migrations().to_latest(&mut conn)?;
    Ok(conn)
}

fn remove_db_files(path: &Path) -> Result<(), VaultError> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

fn insert_staff(conn: &Connection, s: &StaffMember, now: DateTime<Utc>) -> Result<(), VaultError> {
    let role = match s.role {
        Role::Owner => "owner",
        Role::Staff => "staff",
    };
    conn.execute(
        "INSERT INTO staff (id, display_name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![s.id, s.display_name, role, now.to_rfc3339()],
    )?;
    Ok(())
}

fn load_staff(conn: &Connection, id: &str) -> Result<Option<StaffMember>, VaultError> {
    Ok(conn
        .query_row(
            "SELECT id, display_name, role FROM staff WHERE id = ?1",
            [id],
            staff_from_row,
        )
        .optional()?)
}

fn staff_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffMember> {
    let role: String = r.get(2)?;
    Ok(StaffMember {
        id: r.get(0)?,
        display_name: r.get(1)?,
        role: if role == "owner" {
            Role::Owner
        } else {
            Role::Staff
        },
    })
}

fn valid_name(name: &str) -> Result<String, VaultError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(VaultError::NameRequired);
    }
    Ok(name.chars().take(80).collect())
}

fn valid_pin(pin: &str) -> Result<(), VaultError> {
    if pin.chars().count() < MIN_PIN_LEN {
        return Err(VaultError::PinTooShort { min: MIN_PIN_LEN });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
