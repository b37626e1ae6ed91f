//! The keyring: a small plain SQLite file beside the vault.
//!
//! It must be readable before unlocking, so it is not encrypted, and so it
//! holds nothing personal: per staff slot only a random id and the sealed
//! data key; plus the failed-unlock counter (so a lockout survives a restart)
//! and the device owner's lock policy. SQLite's journal makes every change
//! atomic, so a crash never leaves a half-written slot.

use super::keys::{SALT_LEN, WrappedKey};
use super::{LockPolicy, VaultError};
use chrono::{DateTime, Utc};
use ring::aead::NONCE_LEN;
use rusqlite::{Connection, params};
use rusqlite_migration::{M, Migrations};
use std::num::NonZeroU32;
use std::path::Path;

const MIGRATIONS: &[M<'static>] = &[M::up(
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
)];

/// A staff member's sealed copy of the data key.
#[derive(Debug, Clone)]
pub struct Slot {
    pub id: String,
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

impl Keyring {
    pub fn open(path: &Path) -> Result<Self, VaultError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let migrations = Migrations::from_slice(MIGRATIONS);
        super::schema::refuse_newer(&conn, MIGRATIONS.len())?;
        migrations.to_latest(&mut conn)?;
        Ok(Self { conn })
    }

    /// Slots, most recently used first (the likeliest PIN is tried first).
    pub fn slots(&self) -> Result<Vec<Slot>, VaultError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, salt, iterations, nonce, sealed FROM slot ORDER BY last_used_at DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        let mut slots = Vec::new();
        for row in rows {
            let (id, salt, iterations, nonce, sealed) = row?;
            let key = WrappedKey {
                salt: salt.try_into().map_err(|_| VaultError::Corrupted)?,
                iterations: u32::try_from(iterations)
                    .ok()
                    .and_then(NonZeroU32::new)
                    .ok_or(VaultError::Corrupted)?,
                nonce: nonce.try_into().map_err(|_| VaultError::Corrupted)?,
                sealed,
            };
            slots.push(Slot { id, key });
        }
        Ok(slots)
    }

    pub fn has_slots(&self) -> Result<bool, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM slot)", [], |r| r.get(0))?)
    }

    /// Insert a slot, or replace the sealed key of an existing one (PIN change).
    pub fn put_slot(&self, slot: &Slot, now: DateTime<Utc>) -> Result<(), VaultError> {
        debug_assert_eq!(slot.key.salt.len(), SALT_LEN);
        debug_assert_eq!(slot.key.nonce.len(), NONCE_LEN);
        self.conn.execute(
            "INSERT INTO slot (id, salt, iterations, nonce, sealed, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET salt = ?2, iterations = ?3, nonce = ?4, sealed = ?5",
            params![
                slot.id,
                slot.key.salt,
                slot.key.iterations.get(),
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

    pub fn policy(&self) -> Result<LockPolicy, VaultError> {
        Ok(self.conn.query_row(
            "SELECT auto_lock_secs, max_failed_unlocks, wipe_on_lockout FROM lock_policy",
            [],
            |r| {
                Ok(LockPolicy {
                    auto_lock_secs: r.get(0)?,
                    max_failed_unlocks: r.get(1)?,
                    wipe_on_lockout: r.get(2)?,
                })
            },
        )?)
    }

    pub fn set_policy(&self, p: &LockPolicy) -> Result<(), VaultError> {
        self.conn.execute(
            "UPDATE lock_policy SET auto_lock_secs = ?1, max_failed_unlocks = ?2, wipe_on_lockout = ?3",
            params![p.auto_lock_secs, p.max_failed_unlocks, p.wipe_on_lockout],
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
