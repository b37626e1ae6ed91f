//! The vault's schema and its migrations.
//!
//! Migrations only ever append: released ones are never edited, because
//! devices in the field hold vaults at every earlier version.

use super::VaultError;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

fn vault_migration_list() -> Vec<M<'static>> {
    vec![
        // v1: staff and the audit log.
        M::up(
            "CREATE TABLE staff (
            id TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            staff_id TEXT,
            action TEXT NOT NULL,
            detail TEXT
        ) STRICT;",
        ),
        // v2: roles. Only the device owner may change the lock policy (e.g. turn on wipe).
        M::up(
            "ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'staff'
            CHECK (role IN ('owner', 'staff'));
        UPDATE staff SET role = 'owner'
            WHERE id = (SELECT id FROM staff ORDER BY created_at LIMIT 1);",
        ),
        // v3: the audit log becomes a hash chain (see audit.rs); earlier entries are chained in place.
        M::up_with_hook(
            "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
        ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';",
            |tx: &rusqlite::Transaction<'_>| {
                super::audit::chain_existing(tx)?;
                tx.execute_batch(
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
                )?;
                Ok(())
            },
        ),
        // v4: casework (cases, screenings, consents, referrals) and the outbox.
        M::up(include_str!("casework_v4.sql")),
        // v5: sync. This device's enrolment and signing key live in `settings`
        // (inside the encrypted vault); conflicts the server reported wait here for a person.
        M::up(
            "CREATE TABLE sync_conflicts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                entity_id TEXT NOT NULL,
                field TEXT NOT NULL,
                base_version INTEGER NOT NULL,
                theirs TEXT NOT NULL,
                ours TEXT NOT NULL,
                received_at TEXT NOT NULL,
                resolved_at TEXT
            ) STRICT;
            INSERT INTO settings (key, value) VALUES ('pull_cursor', '0');",
        ),
        // v6: sealing and delivery. Receivers' public keys (summaries are sealed to
        // them); what happened to each outbox row on its way (failed with a reason,
        // exported to a file); which operation a conflict came from.
        M::up(
            "CREATE TABLE recipient_keys (
                service_id TEXT PRIMARY KEY,
                organisation TEXT NOT NULL,
                public_key TEXT NOT NULL
            ) STRICT;
            CREATE TABLE outbox_delivery (
                op_id TEXT PRIMARY KEY,
                failure TEXT,
                failed_at TEXT,
                exported_at TEXT
            ) STRICT;
            ALTER TABLE sync_conflicts ADD COLUMN op_id TEXT;",
        ),
        // v7: staff can be removed (someone left): the row stays, so the audit log
        // still names who did what, but their keyring slot is deleted.
        M::up("ALTER TABLE staff ADD COLUMN removed_at TEXT;"),
        // v8: retention may delete the held rows of a case that never got consent to
        // share (they can never leave); a row that may still leave stays until sent.
        M::up(
            "DROP TRIGGER outbox_keep_unsent;
            CREATE TRIGGER outbox_keep_unsent BEFORE DELETE ON outbox
                WHEN OLD.sent_at IS NULL AND (OLD.op = 'withdraw'
                    OR EXISTS (SELECT 1 FROM consents c WHERE c.case_id = OLD.case_id
                        AND c.purpose = 'share-with-organisation' AND c.withdrawn_at IS NULL)
                    OR (OLD.entity = 'referral' AND EXISTS (
                        SELECT 1 FROM referrals r JOIN consents c
                            ON c.case_id = r.case_id AND c.purpose = 'referral' AND c.recipient = r.service_id
                        WHERE r.id = OLD.entity_id AND c.withdrawn_at IS NULL)))
                BEGIN SELECT RAISE(ABORT, 'an unsent outbox row that may still leave cannot be deleted'); END;",
        ),
        // v9: a sync finds the unsent rows, a record's rows, and each row's open
        // conflict without reading every row ever sent.
        M::up(
            "CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
            CREATE INDEX outbox_entity ON outbox (entity_id);
            CREATE INDEX sync_conflicts_open ON sync_conflicts (op_id) WHERE resolved_at IS NULL;",
        ),
        // v10: a row sealed as it is written (sync/device.rs, `seal_ahead`), with
        // the keys it was sealed to, so a sync sends it as it is while those keys
        // are still current. The copy goes with its row, or at the first purge
        // after its row was sent (`purge_expired`), not during the sync.
        M::up(
            "CREATE TABLE outbox_sealed (
                op_id TEXT PRIMARY KEY,
                sealed_with TEXT NOT NULL,
                service_id TEXT,
                receiver_key TEXT,
                op BLOB NOT NULL
            ) STRICT;
            CREATE TRIGGER outbox_sealed_deleted AFTER DELETE ON outbox
                BEGIN DELETE FROM outbox_sealed WHERE op_id = OLD.op_id; END;",
        ),
        // v11: the unsent rows' index holds what deciding whether a row may
        // leave reads (`MAY_LEAVE`), and `sent_at` (always NULL in it) so that
        // SQLite counts from it alone: a sync counts the outbox at its start and
        // end without reading every row's payload (docs/benchmarks.md, session 16).
        M::up(
            "DROP INDEX outbox_unsent;
            CREATE INDEX outbox_unsent ON outbox (seq, op, entity, entity_id, case_id, sent_at)
                WHERE sent_at IS NULL;",
        ),
    ]
}

pub fn vault_migrations() -> Migrations<'static> {
    Migrations::new(vault_migration_list())
}

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    vault_migration_list().len() as i64
}

/// Refuses a database written by a newer Senda instead of guessing at it.
pub(super) fn refuse_newer(conn: &Connection, supported: usize) -> Result<(), VaultError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > supported as i64 {
        return Err(VaultError::SchemaTooNew {
            found,
            supported: supported as i64,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite_migration::SchemaVersion;

    #[test]
    fn migrations_are_valid() {
        vault_migrations().validate().expect("valid migrations");
    }

    #[test]
    fn every_earlier_version_migrates_to_latest_keeping_rows() {
        for start in 0..latest_version() as usize {
            let mut conn = Connection::open_in_memory().unwrap();
            let m = vault_migrations();
            m.to_version(&mut conn, start).unwrap();
            if start >= 1 {
                conn.execute(
                    "INSERT INTO staff (id, display_name, created_at) VALUES ('a', 'Ana', '2026-01-01T00:00:00Z')",
                    [],
                )
                .unwrap();
            }
            if (1..3).contains(&start) {
                for action in ["vault-created", "unlock"] {
                    conn.execute(
                        "INSERT INTO audit_log (at, staff_id, action) VALUES ('2026-01-01T00:00:00Z', 'a', ?1)",
                        [action],
                    )
                    .unwrap();
                }
            }
            m.to_latest(&mut conn).unwrap();
            assert_eq!(
                m.current_version(&conn).unwrap(),
                SchemaVersion::Inside(
                    std::num::NonZeroUsize::new(latest_version() as usize).unwrap()
                )
            );
            if start >= 1 {
                let (name, role): (String, String) = conn
                    .query_row("SELECT display_name, role FROM staff", [], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .unwrap();
                // v2 made the earliest staff member the owner; later inserts default to staff.
                let expected = if start < 2 { "owner" } else { "staff" };
                assert_eq!((name.as_str(), role.as_str()), ("Ana", expected));
            }
            if (1..3).contains(&start) {
                assert_eq!(
                    super::super::audit::verify(&conn).unwrap(),
                    2,
                    "earlier entries are chained"
                );
            }
        }
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert_eq!(
            refuse_newer(&conn, 2),
            Err(VaultError::SchemaTooNew {
                found: 99,
                supported: 2
            })
        );
    }
}
