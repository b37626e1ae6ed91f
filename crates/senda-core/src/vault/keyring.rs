//! The keyring: a small plain SQLite file beside the vault.
//!
//! It must be readable before unlocking, so it is not encrypted, and so it
//! holds nothing about children: per staff slot a random id, the label the
//! device owner chose for the "who are you" list, and the sealed data key with
//! its KDF cost; plus the failed-unlock counter (so a lockout survives a
//! restart) and mirrors of the lock and PIN policies (the vault holds the
//! authoritative copies). SQLite's journal makes every change atomic, so a
//! crash never leaves a half-written slot; `secure_delete` overwrites what a
//! removal or wipe frees.

use super::keys::{Kdf, SALT_LEN, WrappedKey};
use super::{LockPolicy, PinPolicy, VaultError};
use chrono::{DateTime, Utc};
use ring::aead::NONCE_LEN;
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::num::NonZeroU32;
use std::path::Path;

const MIGRATIONS: &[M<'static>] = &[
    M::up(
        "CREATE TABLE slot (
        id TEXT PRIMARY KEY,
        salt BLOB NOT NULL,
        iterations INTEGER NOT NULL,
        nonce BLOB NOT NULL,
        sealed BLOB NOT NULL,
        last_used_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE unlock_guard (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        failed INTEGER NOT NULL,
        last_failed_at TEXT
    ) STRICT;
    INSERT INTO unlock_guard (id, failed) VALUES (1, 0);
    CREATE TABLE lock_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        auto_lock_secs INTEGER NOT NULL,
        max_failed_unlocks INTEGER NOT NULL,
        wipe_on_lockout INTEGER NOT NULL
    ) STRICT;
    INSERT INTO lock_policy VALUES (1, 300, 10, 0);",
    ),
    // v2: Argon2id slots (`iterations` holds its passes); the label the "who are you"
    // list shows; a mirror of the organisation's PIN policy, for the PIN field's keyboard.
    M::up(
        "ALTER TABLE slot ADD COLUMN kdf TEXT NOT NULL DEFAULT 'pbkdf2-sha256'
        CHECK (kdf IN ('pbkdf2-sha256', 'argon2id'));
    ALTER TABLE slot ADD COLUMN memory_kib INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE slot ADD COLUMN lanes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE slot ADD COLUMN label TEXT NOT NULL DEFAULT '';
    ALTER TABLE lock_policy ADD COLUMN pin_min_length INTEGER NOT NULL DEFAULT 6;
    ALTER TABLE lock_policy ADD COLUMN pin_letters INTEGER NOT NULL DEFAULT 1;",
    ),
];

/// A staff member's sealed copy of the data key.
#[derive(Debug, Clone)]
pub struct Slot {
    pub id: String,
    /// What the "who are you" list shows (chosen by the device owner; see `Vault::people`).
    /// Empty for slots made before labels, until their next unlock.
    pub label: String,
    pub key: WrappedKey,
}

/// How many unlocks have failed in a row, and when the last one did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub failed: u32,
    pub last_failed_at: Option<DateTime<Utc>>,
}

pub struct Keyring {
    conn: Connection,
}

const SLOT_COLUMNS: &str = "id, label, salt, kdf, iterations, memory_kib, lanes, nonce, sealed";

fn slot_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Slot, VaultError>> {
    let id: String = r.get(0)?;
    let label: String = r.get(1)?;
    let salt: Vec<u8> = r.get(2)?;
    let kdf: String = r.get(3)?;
    let iterations: i64 = r.get(4)?;
    let memory_kib: i64 = r.get(5)?;
    let lanes: i64 = r.get(6)?;
    let nonce: Vec<u8> = r.get(7)?;
    let sealed: Vec<u8> = r.get(8)?;
    let small = |v: i64| u32::try_from(v).map_err(|_| VaultError::Corrupted);
    Ok((|| {
        let kdf = match kdf.as_str() {
            "argon2id" => Kdf::Argon2id {
                memory_kib: small(memory_kib)?,
                passes: small(iterations)?,
                lanes: small(lanes)?,
            },
            _ => Kdf::Pbkdf2Sha256 {
                iterations: NonZeroU32::new(small(iterations)?).ok_or(VaultError::Corrupted)?,
            },
        };
        Ok(Slot {
            id,
            label,
            key: WrappedKey {
                salt: salt.try_into().map_err(|_| VaultError::Corrupted)?,
                kdf,
                nonce: nonce.try_into().map_err(|_| VaultError::Corrupted)?,
                sealed,
            },
        })
    })())
}

impl Keyring {
    pub fn open(path: &Path) -> Result<Self, VaultError> {
        super::restrict_file(path)?;
        let mut conn = Connection::open(path)?;
        // A removed slot or a wipe must not leave the sealed key in free pages, where
        // it could still be guessed at offline.
        conn.pragma_update(None, "secure_delete", true)?;
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let migrations = Migrations::from_slice(MIGRATIONS);
        super::schema::refuse_newer(&conn, MIGRATIONS.len())?;
        migrations.to_latest(&mut conn)?;
        Ok(Self { conn })
    }

    /// Every slot, in the order the "who are you" list shows them.
    pub fn slots(&self) -> Result<Vec<Slot>, VaultError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SLOT_COLUMNS} FROM slot ORDER BY label COLLATE NOCASE, rowid"
        ))?;
        let rows = stmt.query_map([], slot_from_row)?;
        let mut slots = Vec::new();
        for row in rows {
            slots.push(row??);
        }
        Ok(slots)
    }

    pub fn slot(&self, id: &str) -> Result<Option<Slot>, VaultError> {
        self.conn
            .query_row(
                &format!("SELECT {SLOT_COLUMNS} FROM slot WHERE id = ?1"),
                [id],
                slot_from_row,
            )
            .optional()?
            .transpose()
    }

    /// Removes one slot (a person who left): its sealed key is overwritten on disk.
    pub fn delete_slot(&self, id: &str) -> Result<bool, VaultError> {
        Ok(self.conn.execute("DELETE FROM slot WHERE id = ?1", [id])? == 1)
    }

    pub fn has_slots(&self) -> Result<bool, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM slot)", [], |r| r.get(0))?)
    }

    /// Insert a slot, or replace the sealed key and label of an existing one.
    pub fn put_slot(&self, slot: &Slot, now: DateTime<Utc>) -> Result<(), VaultError> {
        debug_assert_eq!(slot.key.salt.len(), SALT_LEN);
        debug_assert_eq!(slot.key.nonce.len(), NONCE_LEN);
        let (kdf, iterations, memory_kib, lanes) = match slot.key.kdf {
            Kdf::Pbkdf2Sha256 { iterations } => ("pbkdf2-sha256", iterations.get(), 0, 0),
            Kdf::Argon2id {
                memory_kib,
                passes,
                lanes,
            } => ("argon2id", passes, memory_kib, lanes),
        };
        self.conn.execute(
            "INSERT INTO slot (id, label, salt, kdf, iterations, memory_kib, lanes, nonce, sealed, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET label = ?2, salt = ?3, kdf = ?4, iterations = ?5,
                 memory_kib = ?6, lanes = ?7, nonce = ?8, sealed = ?9",
            params![
                slot.id,
                slot.label,
                slot.key.salt,
                kdf,
                iterations,
                memory_kib,
                lanes,
                slot.key.nonce,
                slot.key.sealed,
                now.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// Records a successful unlock: the counter resets, the slot moves first.
    pub fn record_success(&mut self, slot_id: &str, now: DateTime<Utc>) -> Result<(), VaultError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE unlock_guard SET failed = 0, last_failed_at = NULL",
            [],
        )?;
        tx.execute(
            "UPDATE slot SET last_used_at = ?2 WHERE id = ?1",
            params![slot_id, now.to_rfc3339()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed unlock and returns the new count.
    pub fn record_failure(&self, now: DateTime<Utc>) -> Result<u32, VaultError> {
        Ok(self.conn.query_row(
            "UPDATE unlock_guard SET failed = failed + 1, last_failed_at = ?1 RETURNING failed",
            [now.to_rfc3339()],
            |r| r.get(0),
        )?)
    }

    pub fn guard(&self) -> Result<Guard, VaultError> {
        let (failed, at): (u32, Option<String>) =
            self.conn
                .query_row("SELECT failed, last_failed_at FROM unlock_guard", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        let last_failed_at = at
            .map(|s| DateTime::parse_from_rfc3339(&s).map(|d| d.with_timezone(&Utc)))
            .transpose()
            .map_err(|_| VaultError::Corrupted)?;
        Ok(Guard {
            failed,
            last_failed_at,
        })
    }

    /// The mirror of the lock policy, for before unlock. Anyone with the file can
    /// edit it, so a value out of range reads as the default; the vault's own copy is
    /// authoritative and restores this one at the next unlock.
    pub fn policy(&self) -> Result<LockPolicy, VaultError> {
        let p = self.conn.query_row(
            "SELECT auto_lock_secs, max_failed_unlocks, wipe_on_lockout FROM lock_policy",
            [],
            |r| {
                Ok(LockPolicy {
                    auto_lock_secs: r.get(0)?,
                    max_failed_unlocks: r.get(1)?,
                    wipe_on_lockout: r.get(2)?,
                })
            },
        );
        Ok(match p {
            Ok(p) if p.validate().is_ok() => p,
            Ok(_) | Err(rusqlite::Error::IntegralValueOutOfRange(..)) => LockPolicy::default(),
            Err(e) => return Err(e.into()),
        })
    }

    pub fn set_policy(&self, p: &LockPolicy) -> Result<(), VaultError> {
        self.conn.execute(
            "UPDATE lock_policy SET auto_lock_secs = ?1, max_failed_unlocks = ?2, wipe_on_lockout = ?3",
            params![p.auto_lock_secs, p.max_failed_unlocks, p.wipe_on_lockout],
        )?;
        Ok(())
    }

    /// The mirror of the PIN policy: only a hint for the PIN field (the vault enforces its own copy).
    pub fn pin_hint(&self) -> Result<PinPolicy, VaultError> {
        let p = self.conn.query_row(
            "SELECT pin_min_length, pin_letters FROM lock_policy",
            [],
            |r| {
                Ok(PinPolicy {
                    min_length: r.get(0)?,
                    letters_allowed: r.get(1)?,
                })
            },
        );
        Ok(match p {
            Ok(p) if p.validate().is_ok() => p,
            Ok(_) | Err(rusqlite::Error::IntegralValueOutOfRange(..)) => PinPolicy::default(),
            Err(e) => return Err(e.into()),
        })
    }

    pub fn set_pin_hint(&self, p: &PinPolicy) -> Result<(), VaultError> {
        self.conn.execute(
            "UPDATE lock_policy SET pin_min_length = ?1, pin_letters = ?2",
            params![p.min_length, p.letters_allowed],
        )?;
        Ok(())
    }

    /// Forget every sealed key: without them the vault file is unreadable noise.
    pub fn destroy_all_slots(&mut self) -> Result<(), VaultError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM slot", [])?;
        tx.execute(
            "UPDATE unlock_guard SET failed = 0, last_failed_at = NULL",
            [],
        )?;
        tx.commit()?;
        self.conn.execute_batch("VACUUM")?;
        Ok(())
    }
}
