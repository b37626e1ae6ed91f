//! The vault: children's data, encrypted at rest with SQLCipher.
//!
//! Files in the vault directory (mode 0700; the files 0600):
//! - `vault.db` (+ `-wal`, `-shm`): the SQLCipher database, keyed by a random data key;
//! - `keyring.db`: that key sealed under each staff PIN, the failed-unlock
//!   counter, the labels of the "who are you" list, and mirrors of the lock and
//!   PIN policies (see [`keyring`]).
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
pub use keys::{DEFAULT_KDF, Kdf, LIGHT_KDF};
pub use schema::{latest_version, vault_migrations};

use crate::clock::Clock;
use chrono::{DateTime, Duration, Utc};
use keyring::{Guard, Keyring, Slot};
use keys::{DataKey, WrappedKey};
pub(crate) use keys::{fill_random, random_id, record_id};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The shortest PIN any policy may ask for.
pub const MIN_PIN_LEN: usize = senda_protocol::PIN_MIN_LENGTH_FLOOR as usize;
/// The longest minimum an organisation may set.
const MAX_PIN_MIN_LEN: u32 = senda_protocol::PIN_MIN_LENGTH_CEILING;
/// The "who are you" list shows at most this much of a label.
pub const LABEL_MAX: usize = 24;
/// A staff member's name is kept to this many characters.
pub const NAME_MAX: usize = 80;
const VAULT_FILE: &str = "vault.db";
const NEW_VAULT_FILE: &str = "vault.db.new";
const KEYRING_FILE: &str = "keyring.db";
/// Failures allowed before delays start.
const FREE_ATTEMPTS: u32 = 3;
const FIRST_DELAY_SECS: i64 = 30;
const MAX_DELAY_SECS: i64 = 15 * 60;
const LOCKOUT_SECS: i64 = 60 * 60;
/// Where the vault keeps its authoritative copies of the policies (table `settings`).
const LOCK_POLICY_SETTING: &str = "lock_policy";
const PIN_POLICY_SETTING: &str = "pin_policy";

pub type StaffId = String;

/// The device owner's lock rules. The vault holds the authoritative copy; the
/// keyring mirrors it because the rules apply before unlock, and every unlock
/// restores the mirror if someone edited it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LockPolicy {
    /// Lock after this many seconds without a person's activity.
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

/// The organisation's rules for staff PINs, checked whenever a PIN is set or
/// changed. It arrives through sync ([`Vault::apply_organisation_pin_policy`]);
/// until then the default applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PinPolicy {
    /// At least this many characters (never below [`MIN_PIN_LEN`]).
    pub min_length: u32,
    /// Letters (any non-digit) allowed; when false a PIN is digits only.
    pub letters_allowed: bool,
}

impl Default for PinPolicy {
    fn default() -> Self {
        Self {
            min_length: MIN_PIN_LEN as u32,
            letters_allowed: true,
        }
    }
}

impl PinPolicy {
    fn validate(&self) -> Result<(), VaultError> {
        if !(MIN_PIN_LEN as u32..=MAX_PIN_MIN_LEN).contains(&self.min_length) {
            return Err(VaultError::InvalidSetting {
                setting: "pin_min_length".into(),
            });
        }
        Ok(())
    }

    /// Whether `pin` may be set under this policy.
    pub fn check(&self, pin: &str) -> Result<(), VaultError> {
        if pin.chars().count() < self.min_length as usize {
            return Err(VaultError::PinTooShort {
                min: self.min_length as usize,
            });
        }
        if !self.letters_allowed && !pin.chars().all(|c| c.is_ascii_digit()) {
            return Err(VaultError::PinDigitsOnly);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum VaultState {
    NotCreated,
    Locked,
    Unlocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Role {
    Owner,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaffMember {
    pub id: StaffId,
    pub display_name: String,
    pub role: Role,
}

/// One entry of the "who are you" list, readable while locked. The label is
/// what the device owner chose to show there (a first name, nickname or
/// initials), never the name kept in the vault unless the owner typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    pub id: StaffId,
    /// Empty for a slot made before labels, until its next unlock.
    pub label: String,
}

/// What the start screen needs to know, readable while locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VaultStatus {
    pub state: VaultState,
    /// The unlocked staff member; `None` while locked.
    pub staff: Option<StaffMember>,
    pub failed_attempts: u32,
    pub attempts_left: u32,
    /// Seconds before another unlock may be tried; 0 when it may be now.
    pub retry_after_secs: u64,
    pub policy: LockPolicy,
    /// The PIN rules (while locked, the keyring's mirror: a hint for the keyboard).
    pub pin_policy: PinPolicy,
}

struct Session {
    conn: Connection,
    // Kept to seal copies for new staff and PIN changes; zeroed on drop.
    key: DataKey,
    staff: StaffMember,
    /// The authoritative copies, read from the vault at unlock.
    policy: LockPolicy,
    pin_policy: PinPolicy,
    /// The last activity of a person, on both clocks (see `lock_if_idle`).
    active_mono: std::time::Duration,
    active_wall: DateTime<Utc>,
}

pub struct Vault {
    dir: PathBuf,
    keyring: Keyring,
    clock: Arc<dyn Clock>,
    kdf: Kdf,
    session: Option<Session>,
}

impl Vault {
    /// Opens the vault directory (creating it and its keyring if needed). Stays locked.
    pub fn open_dir(dir: impl Into<PathBuf>, clock: Arc<dyn Clock>) -> Result<Self, VaultError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        restrict_dir(&dir)?;
        let keyring = Keyring::open(&dir.join(KEYRING_FILE))?;
        let vault = Self {
            dir,
            keyring,
            clock,
            kdf: DEFAULT_KDF,
            session: None,
        };
        vault.finish_interrupted_create()?;
        Ok(vault)
    }

    /// A lighter key derivation ([`LIGHT_KDF`]) for tests and benchmarks that
    /// measure something else. The app never calls it.
    pub fn with_light_kdf(mut self) -> Self {
        self.kdf = LIGHT_KDF;
        self
    }

    /// Kept for tests written before Argon2id: the same as [`Vault::with_light_kdf`].
    #[doc(hidden)]
    pub fn with_kdf_iterations(self, _iterations: u32) -> Self {
        self.with_light_kdf()
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
        let (policy, pin_policy) = match &self.session {
            Some(s) => (s.policy, s.pin_policy),
            None => (self.keyring.policy()?, self.keyring.pin_hint()?),
        };
        let guard = self.keyring.guard()?;
        Ok(VaultStatus {
            state: self.state()?,
            staff: self.session.as_ref().map(|s| s.staff.clone()),
            failed_attempts: guard.failed,
            attempts_left: policy.max_failed_unlocks.saturating_sub(guard.failed),
            retry_after_secs: self.retry_after(&policy, guard).num_seconds().max(0) as u64,
            policy,
            pin_policy,
        })
    }

    /// Who may unlock: the "who are you" list, readable while locked. Shows only
    /// the labels the device owner chose, never the vault's names.
    pub fn people(&self) -> Result<Vec<Person>, VaultError> {
        Ok(self
            .keyring
            .slots()?
            .into_iter()
            .map(|s| Person {
                id: s.id,
                label: s.label,
            })
            .collect())
    }

    /// First run: creates the vault and its first staff member (the device owner),
    /// listed for unlock under the first word of their name (they may change it).
    pub fn create(&mut self, display_name: &str, pin: &str) -> Result<StaffMember, VaultError> {
        if self.keyring.has_slots()? || self.vault_path().exists() {
            return Err(VaultError::AlreadyCreated);
        }
        let display_name = valid_name(display_name)?;
        let pin_policy = PinPolicy::default();
        pin_policy.check(pin)?;
        let policy = self.keyring.policy()?;
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
            put_setting(&conn, LOCK_POLICY_SETTING, &policy)?;
            put_setting(&conn, PIN_POLICY_SETTING, &pin_policy)?;
            conn.pragma_update(None, "journal_mode", "DELETE")?;
        }
        let slot = Slot {
            label: default_label(&staff.display_name),
            key: WrappedKey::seal(&key, pin, self.kdf, staff.id.as_bytes()),
            id: staff.id.clone(),
        };
        self.keyring.put_slot(&slot, now)?;
        self.keyring.set_pin_hint(&pin_policy)?;
        std::fs::rename(&new_path, self.vault_path())?;

        let conn = open_db(&self.vault_path(), &key, false)?;
        self.session = Some(Session {
            conn,
            key,
            staff: staff.clone(),
            policy,
            pin_policy,
            active_mono: self.clock.monotonic(),
            active_wall: now,
        });
        Ok(staff)
    }

    /// Unlocks as the person chosen from [`Vault::people`], with their PIN. Only
    /// that person's slot is tried, so two people may have the same PIN.
    pub fn unlock(&mut self, staff_id: &str, pin: &str) -> Result<StaffMember, VaultError> {
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

        // The list is public, so naming someone not on it reveals nothing.
        let slot = self
            .keyring
            .slot(staff_id)?
            .ok_or(VaultError::NoSuchStaff)?;
        let Some(key) = slot.key.open(pin, slot.id.as_bytes()) else {
            return Err(self.fail_unlock(&policy, now)?);
        };

        let conn = open_db(&self.vault_path(), &key, false)?;
        let (staff, removed) = load_staff(&conn, &slot.id)?.ok_or(VaultError::Corrupted)?;
        if removed {
            // Removed, but the slot survived (a failure between the two writes): finish.
            self.keyring.delete_slot(&slot.id)?;
            return Err(VaultError::NoSuchStaff);
        }
        if guard.failed > 0 {
            audit(
                &conn,
                now,
                Some(&slot.id),
                "failed-unlocks",
                Some(&guard.failed.to_string()),
            )?;
        }
        audit(&conn, now, Some(&slot.id), "unlock", None)?;
        let (vault_policy, pin_policy) =
            self.authoritative_policies(&conn, policy, now, &slot.id)?;

        // Slots sealed before Argon2id (or at a lower cost) are sealed again now,
        // while the PIN is at hand; then the old copy is overwritten on disk.
        if slot.key.kdf.needs_upgrade_to(self.kdf) || slot.label.is_empty() {
            let label = if slot.label.is_empty() {
                self.free_label(&default_label(&staff.display_name))?
            } else {
                slot.label.clone()
            };
            let mut key_copy = slot.key.clone();
            if slot.key.kdf.needs_upgrade_to(self.kdf) {
                key_copy = WrappedKey::seal(&key, pin, self.kdf, slot.id.as_bytes());
                audit(&conn, now, Some(&slot.id), "pin-slot-upgraded", None)?;
            }
            self.keyring.put_slot(
                &Slot {
                    id: slot.id.clone(),
                    label,
                    key: key_copy,
                },
                now,
            )?;
        }
        self.keyring.record_success(&slot.id, now)?;
        self.session = Some(Session {
            conn,
            key,
            staff: staff.clone(),
            policy: vault_policy,
            pin_policy,
            active_mono: self.clock.monotonic(),
            active_wall: now,
        });
        Ok(staff)
    }

    /// Reads the vault's own lock and PIN policies (adopting the keyring's for a
    /// vault from before they lived here) and puts the keyring's mirrors right.
    fn authoritative_policies(
        &self,
        conn: &Connection,
        mirrored: LockPolicy,
        now: DateTime<Utc>,
        staff_id: &str,
    ) -> Result<(LockPolicy, PinPolicy), VaultError> {
        let policy = match get_setting::<LockPolicy>(conn, LOCK_POLICY_SETTING)? {
            Some(p) if p.validate().is_ok() => p,
            _ => {
                put_setting(conn, LOCK_POLICY_SETTING, &mirrored)?;
                mirrored
            }
        };
        if self.keyring.policy()? != policy {
            self.keyring.set_policy(&policy)?;
            audit(conn, now, Some(staff_id), "lock-policy-restored", None)?;
        }
        let pin_policy = match get_setting::<PinPolicy>(conn, PIN_POLICY_SETTING)? {
            Some(p) if p.validate().is_ok() => p,
            _ => {
                put_setting(conn, PIN_POLICY_SETTING, &PinPolicy::default())?;
                PinPolicy::default()
            }
        };
        if self.keyring.pin_hint()? != pin_policy {
            self.keyring.set_pin_hint(&pin_policy)?;
        }
        Ok((policy, pin_policy))
    }

    /// Locks: closes the database and zeroes the key. Idempotent.
    pub fn lock(&mut self) -> Result<(), VaultError> {
        self.end_session("lock")
    }

    /// Locks if no person acted for the policy's idle time. Returns whether it locked.
    ///
    /// Idle time is measured on the monotonic clock, so a wall clock set back
    /// (NTP, a fixed RTC) cannot postpone the lock. The wall clock may still lock
    /// it sooner: on Linux the monotonic clock stops while the device sleeps, and
    /// a device that slept an hour must not wake unlocked.
    pub fn lock_if_idle(&mut self) -> Result<bool, VaultError> {
        let Some(session) = &self.session else {
            return Ok(false);
        };
        let limit = std::time::Duration::from_secs(session.policy.auto_lock_secs.into());
        let idle = self.clock.monotonic().saturating_sub(session.active_mono);
        let slept = (self.clock.now() - session.active_wall)
            .to_std()
            .unwrap_or_default();
        if idle >= limit || slept >= limit {
            self.end_session("auto-lock")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A person acted (a tap, a key, a command they asked for): postpones
    /// auto-lock. Nothing else does: polls and background sync leave it alone.
    pub fn touch(&mut self) -> Result<(), VaultError> {
        let (mono, wall) = (self.clock.monotonic(), self.clock.now());
        let session = self.session_mut()?;
        session.active_mono = mono;
        session.active_wall = wall;
        Ok(())
    }

    /// Adds a staff member who can unlock the same vault with their own PIN
    /// (which may equal someone else's). Only the device owner may. `label` is
    /// what the "who are you" list shows before unlock (readable by anyone holding
    /// the device: a first name, nickname or initials); empty means the first word of the name.
    pub fn add_staff(
        &mut self,
        display_name: &str,
        label: &str,
        pin: &str,
    ) -> Result<StaffMember, VaultError> {
        let display_name = valid_name(display_name)?;
        let session = self.owner_session()?;
        session.pin_policy.check(pin)?;
        let label = match valid_label(label) {
            Some(l) => l,
            None => default_label(&display_name),
        };
        if self
            .keyring
            .slots()?
            .iter()
            .any(|s| s.label.to_lowercase() == label.to_lowercase())
        {
            return Err(VaultError::LabelInUse);
        }
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
            label,
            key: WrappedKey::seal(&session.key, pin, self.kdf, staff.id.as_bytes()),
            id: staff.id.clone(),
        };
        self.keyring.put_slot(&slot, now)?;
        Ok(staff)
    }

    /// Removes a staff member (someone who left): their slot is deleted, so their
    /// PIN opens nothing, and the removal is audited. Only the device owner may,
    /// and never themselves. Their past actions stay attributed in the audit log.
    pub fn remove_staff(&mut self, staff_id: &str) -> Result<(), VaultError> {
        let now = self.clock.now();
        let session = self.owner_session()?;
        if staff_id == session.staff.id {
            return Err(VaultError::NotPermitted);
        }
        let removed = session.conn.execute(
            "UPDATE staff SET removed_at = ?2 WHERE id = ?1 AND role = 'staff' AND removed_at IS NULL",
            params![staff_id, now.to_rfc3339()],
        )?;
        if removed == 0 {
            return Err(VaultError::NoSuchStaff);
        }
        audit(
            &session.conn,
            now,
            Some(&session.staff.id),
            "staff-removed",
            Some(staff_id),
        )?;
        // Should this fail, the next unlock as them finds the removal and deletes the slot.
        self.keyring.delete_slot(staff_id)?;
        Ok(())
    }

    /// Changes the unlocked staff member's PIN. Re-seals one key copy; the data is untouched.
    pub fn change_pin(&mut self, current_pin: &str, new_pin: &str) -> Result<(), VaultError> {
        let now = self.clock.now();
        let session = self.session_mut()?;
        session.pin_policy.check(new_pin)?;
        let staff_id = session.staff.id.clone();
        let own = self.keyring.slot(&staff_id)?.ok_or(VaultError::Corrupted)?;
        if own.key.open(current_pin, staff_id.as_bytes()).is_none() {
            let policy = self.keyring.policy()?;
            return Err(self.fail_unlock(&policy, now)?);
        }
        let session = self.session.as_ref().ok_or(VaultError::Locked)?;
        // Audit first: once the new PIN is in force, nothing may report a failure.
        audit(&session.conn, now, Some(&staff_id), "pin-changed", None)?;
        let slot = Slot {
            key: WrappedKey::seal(&session.key, new_pin, self.kdf, staff_id.as_bytes()),
            id: staff_id,
            label: own.label,
        };
        self.keyring.put_slot(&slot, now)?;
        Ok(())
    }

    /// The staff members who share this vault (not those removed).
    pub fn staff(&mut self) -> Result<Vec<StaffMember>, VaultError> {
        let conn = &self.session_mut()?.conn;
        let mut stmt = conn.prepare(
            "SELECT id, display_name, role FROM staff WHERE removed_at IS NULL ORDER BY created_at",
        )?;
        let rows = stmt.query_map([], staff_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets the lock policy. Only the device owner may. The vault's copy is the
    /// authoritative one; the keyring's mirror serves before unlock.
    pub fn set_policy(&mut self, policy: LockPolicy) -> Result<(), VaultError> {
        policy.validate()?;
        let now = self.clock.now();
        let session = self.owner_session()?;
        let detail = serde_json::to_string(&policy).unwrap_or_default();
        put_setting(&session.conn, LOCK_POLICY_SETTING, &policy)?;
        audit(
            &session.conn,
            now,
            Some(&session.staff.id.clone()),
            "policy-changed",
            Some(&detail),
        )?;
        session.policy = policy;
        self.keyring.set_policy(&policy)
    }

    /// Applies the PIN policy the organisation sent (through sync). It applies to
    /// every PIN set or changed from now on; existing PINs stay valid. The caller
    /// is the sync code, not a person, so no role is needed; a policy below the
    /// floor ([`MIN_PIN_LEN`]) is refused.
    pub fn apply_organisation_pin_policy(&mut self, policy: PinPolicy) -> Result<(), VaultError> {
        policy.validate()?;
        let now = self.clock.now();
        let session = self.session.as_mut().ok_or(VaultError::Locked)?;
        if session.pin_policy == policy {
            return Ok(());
        }
        put_setting(&session.conn, PIN_POLICY_SETTING, &policy)?;
        let detail = serde_json::to_string(&policy).unwrap_or_default();
        audit(&session.conn, now, None, "pin-policy-set", Some(&detail))?;
        session.pin_policy = policy;
        self.keyring.set_pin_hint(&policy)
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

    /// The audit log's entry count and newest hash, as a device reports them at sync.
    pub fn audit_head(&mut self) -> Result<(u64, String), VaultError> {
        audit::head(&self.session_mut()?.conn)
    }

    /// Checks the audit log's hash chain; returns how many entries it holds.
    pub fn verify_audit_log(&mut self) -> Result<u64, VaultError> {
        audit::verify(&self.session_mut()?.conn)
    }

    /// The session. Using it is not a person's activity: see [`Vault::touch`].
    fn session_mut(&mut self) -> Result<&mut Session, VaultError> {
        self.session.as_mut().ok_or(VaultError::Locked)
    }

    fn owner_session(&mut self) -> Result<&mut Session, VaultError> {
        let session = self.session_mut()?;
        if session.staff.role != Role::Owner {
            return Err(VaultError::NotPermitted);
        }
        Ok(session)
    }

    /// `label`, or nothing if another slot already shows it.
    fn free_label(&self, label: &str) -> Result<String, VaultError> {
        let taken = self
            .keyring
            .slots()?
            .iter()
            .any(|s| s.label.to_lowercase() == label.to_lowercase());
        Ok(if taken {
            String::new()
        } else {
            label.to_owned()
        })
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

    /// How long until the next unlock may be tried: never more than the delay for
    /// the failure count, even if the wall clock was set back since the last failure.
    fn retry_after(&self, policy: &LockPolicy, guard: Guard) -> Duration {
        let delay = policy.delay_after(guard.failed);
        match guard.last_failed_at {
            Some(at) => (at + delay - self.clock.now()).min(delay),
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
    // 0600 before SQLite writes anything; its -wal, -shm and journal files copy this mode.
    restrict_file(path)?;
    let mut conn = Connection::open_with_flags(path, flags)?;
    // SQLCipher then wipes what it frees (its copies of the key statement, decrypted
    // pages). Process-wide and cannot be turned off again; set before keying.
    conn.execute_batch("PRAGMA cipher_memory_security = ON;")?;
    conn.execute_batch(&key.sqlcipher_key_statement())?;

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
    // A plan that does not depend on bound values: otherwise a cached statement
    // with `LIMIT ?` is parsed again at every bind (and with memory security,
    // every allocation of the parse is locked and wiped).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // A sync runs more distinct statements than rusqlite's default cache of
    // 16 holds: each would be parsed again at every batch.
    conn.set_prepared_statement_cache_capacity(128);
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

/// The staff member, and whether they were removed.
fn load_staff(conn: &Connection, id: &str) -> Result<Option<(StaffMember, bool)>, VaultError> {
    Ok(conn
        .query_row(
            "SELECT id, display_name, role, removed_at IS NOT NULL FROM staff WHERE id = ?1",
            [id],
            |r| Ok((staff_from_row(r)?, r.get(3)?)),
        )
        .optional()?)
}

fn get_setting<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    key: &str,
) -> Result<Option<T>, VaultError> {
    let value: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    // A value this build cannot read counts as absent: the caller falls back safely.
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

fn put_setting<T: Serialize>(conn: &Connection, key: &str, value: &T) -> Result<(), VaultError> {
    let json = serde_json::to_string(value).map_err(|e| VaultError::Storage {
        message: e.to_string(),
    })?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = ?2",
        params![key, json],
    )?;
    Ok(())
}

/// The vault directory: only this account may enter it (another local account
/// could otherwise copy the keyring and guess PINs offline).
fn restrict_dir(dir: &Path) -> Result<(), VaultError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let _ = dir;
    Ok(())
}

/// Creates `path` empty with mode 0600, or sets an existing file to 0600.
fn restrict_file(path: &Path) -> Result<(), VaultError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        } else {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)?;
        }
    }
    let _ = path;
    Ok(())
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
    Ok(name.chars().take(NAME_MAX).collect())
}

/// A label for the "who are you" list, trimmed and cut short; `None` if empty.
fn valid_label(label: &str) -> Option<String> {
    let label: String = label.trim().chars().take(LABEL_MAX).collect();
    (!label.trim().is_empty()).then(|| label.trim().to_owned())
}

/// The first word of a name: the least that tells colleagues apart on most teams.
fn default_label(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .take(LABEL_MAX)
        .collect()
}

#[cfg(test)]
mod tests;
