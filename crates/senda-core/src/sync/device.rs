//! The device's half of the protocol, over the vault (no I/O).

use crate::casework::outbox::{self, setting};
use crate::casework::{CaseError, Casework, ReferralStatus};
use crate::hex;
use ring::signature::{Ed25519KeyPair, KeyPair};
use rusqlite::{Connection, OptionalExtension, params};
use senda_protocol::{
    ChangeKind, EnrolRequest, EnrolResponse, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE,
    HEADER_TIME, Op, PROTOCOL_VERSION, PullRequest, PullResponse, PushRequest, PushResponse,
    encode, signing_message,
};
use serde::Serialize;

/// Where and as whom this device syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncIdentity {
    pub server_url: String,
    pub device_id: String,
    pub organisation: String,
    pub team: String,
}

/// Two edits of the same field: the server's value and this device's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncConflict {
    pub id: i64,
    pub entity_id: String,
    pub field: String,
    /// JSON text of each value.
    pub theirs: String,
    pub ours: String,
    pub received_at: String,
}

/// A request ready to send: path, CBOR body and signature headers.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub path: String,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

fn put(conn: &Connection, key: &str, value: &str) -> Result<(), CaseError> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

impl Casework<'_> {
    pub fn sync_identity(&self) -> Result<Option<SyncIdentity>, CaseError> {
        let get = |k: &str| setting(self.conn, k);
        Ok(match (get("server_url")?, get("server_device_id")?) {
            (Some(server_url), Some(device_id)) => Some(SyncIdentity {
                server_url,
                device_id,
                organisation: get("organisation")?.unwrap_or_default(),
                team: get("team")?.unwrap_or_default(),
            }),
            _ => None,
        })
    }

    /// The enrolment request: makes this device's signing key on first use.
    /// The private key stays in the vault (encrypted); only the public key leaves.
    pub fn enrolment_request(&self, code: &str, device_name: &str) -> Result<Vec<u8>, CaseError> {
        let key = self.device_key()?;
        Ok(encode(&EnrolRequest {
            protocol: PROTOCOL_VERSION,
            code: code.trim().to_owned(),
            public_key: hex::encode(key.public_key().as_ref()),
            device_name: device_name.to_owned(),
        }))
    }

    pub fn finish_enrolment(
        &self,
        server_url: &str,
        response: &EnrolResponse,
    ) -> Result<(), CaseError> {
        self.write(|tx| {
            put(tx, "server_url", server_url.trim_end_matches('/'))?;
            put(tx, "server_device_id", &response.device_id)?;
            put(tx, "organisation", &response.organisation)?;
            put(tx, "team", &response.team)?;
            put(tx, "pull_cursor", "0")?;
            self.audit(tx, "device-enrolled", &response.device_id)
        })
    }

    /// Moves this enrolment to another address of the same server (a new host name, a proxy).
    pub fn set_server_url(&self, server_url: &str) -> Result<(), CaseError> {
        if self.sync_identity()?.is_none() {
            return Err(CaseError::not_found("enrolment"));
        }
        put(
            self.conn,
            "server_url",
            server_url.trim().trim_end_matches('/'),
        )
    }

    fn device_key(&self) -> Result<Ed25519KeyPair, CaseError> {
        let stored = setting(self.conn, "device_key")?;
        let pkcs8 = match stored.and_then(|h| hex::decode(&h)) {
            Some(bytes) => bytes,
            None => {
                let rng = ring::rand::SystemRandom::new();
                let doc = Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| storage("key generation failed"))?;
                put(self.conn, "device_key", &hex::encode(doc.as_ref()))?;
                doc.as_ref().to_vec()
            }
        };
        Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| storage("the device key is damaged"))
    }

    /// Signs `body` for `path` with this device's key, a fresh nonce and the time.
    pub fn sign(&self, path: &str, body: Vec<u8>) -> Result<SignedRequest, CaseError> {
        let identity = self
            .sync_identity()?
            .ok_or_else(|| CaseError::not_found("enrolment"))?;
        let key = self.device_key()?;
        let mut nonce = [0u8; 16];
        crate::vault::fill_random(&mut nonce);
        let nonce = hex::encode(&nonce);
        let time = self.now.to_rfc3339();
        let signature = key.sign(&signing_message("POST", path, &time, &nonce, &body));
        Ok(SignedRequest {
            path: path.to_owned(),
            headers: vec![
                (HEADER_DEVICE, identity.device_id),
                (HEADER_TIME, time),
                (HEADER_NONCE, nonce),
                (HEADER_SIGNATURE, hex::encode(signature.as_ref())),
            ],
            body,
        })
    }

    /// The next push: up to `limit` ready outbox rows (those consent lets leave).
    pub fn next_push(&self, limit: u32) -> Result<Option<(SignedRequest, usize)>, CaseError> {
        let rows = outbox::ready(self.conn, limit)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let ops: Vec<Op> = rows.into_iter().map(Op::from).collect();
        let n = ops.len();
        let body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops,
        });
        Ok(Some((self.sign("/v1/push", body)?, n)))
    }

    /// Marks what the server stored as sent and keeps any conflicts for a person.
    pub fn apply_push(&self, response: &PushResponse) -> Result<usize, CaseError> {
        let sent = outbox::mark_sent(self.conn, &response.stored, self.now)?;
        if !response.conflicts.is_empty() {
            self.write(|tx| {
                for c in &response.conflicts {
                    tx.execute(
                        "INSERT INTO sync_conflicts (entity_id, field, base_version, theirs, ours, received_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![c.entity_id, c.field, c.base_version, c.theirs.to_string(), c.ours.to_string(), self.now_text()],
                    )?;
                }
                Ok(())
            })?;
        }
        Ok(sent)
    }

    pub fn next_pull(&self, limit: u32) -> Result<SignedRequest, CaseError> {
        let cursor = setting(self.conn, "pull_cursor")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = encode(&PullRequest {
            protocol: PROTOCOL_VERSION,
            cursor,
            limit,
        });
        self.sign("/v1/pull", body)
    }

    /// Applies a page of changes and stores the new cursor, in one transaction.
    /// Statuses from the server are facts about the referral, so they write
    /// no outbox row (they would only echo back).
    pub fn apply_pull(&self, page: &PullResponse) -> Result<usize, CaseError> {
        self.write(|tx| {
            let mut applied = 0;
            for change in &page.changes {
                if let ChangeKind::ReferralStatus { referral_id, status } = &change.kind {
                    let Some(to) = ReferralStatus::parse(status) else { continue };
                    let current: Option<String> = tx
                        .query_row("SELECT status FROM referrals WHERE id = ?1", [referral_id], |r| r.get(0))
                        .optional()?;
                    let Some(from) = current.as_deref().and_then(ReferralStatus::parse) else { continue };
                    // Never bring back a referral this device withdrew or revoked.
                    if from == to || from.is_terminal() {
                        continue;
                    }
                    let closed_at = to.is_terminal().then(|| self.now_text());
                    tx.execute(
                        "UPDATE referrals SET status = ?1, updated_at = ?2, closed_at = ?3 WHERE id = ?4",
                        params![to.as_str(), self.now_text(), closed_at, referral_id],
                    )?;
                    tx.execute(
                        "INSERT INTO referral_history (referral_id, at, status, staff_id) VALUES (?1, ?2, ?3, NULL)",
                        params![referral_id, change.at, to.as_str()],
                    )?;
                    applied += 1;
                }
            }
            put(tx, "pull_cursor", &page.cursor.to_string())?;
            Ok(applied)
        })
    }

    /// The open conflicts, both values shown, for a person to settle.
    pub fn conflicts(&self) -> Result<Vec<SyncConflict>, CaseError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, entity_id, field, theirs, ours, received_at FROM sync_conflicts
             WHERE resolved_at IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncConflict {
                id: r.get(0)?,
                entity_id: r.get(1)?,
                field: r.get(2)?,
                theirs: r.get(3)?,
                ours: r.get(4)?,
                received_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A person looked at both values and settled the record (by editing it where needed).
    pub fn resolve_conflict(&self, id: i64) -> Result<(), CaseError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE sync_conflicts SET resolved_at = ?1 WHERE id = ?2 AND resolved_at IS NULL",
                params![self.now_text(), id],
            )?;
            if changed == 0 {
                return Err(CaseError::not_found("conflict"));
            }
            self.audit(tx, "conflict-resolved", &id.to_string())
        })
    }

    /// Conflicts the server reported and nobody has resolved yet.
    pub fn open_conflicts(&self) -> Result<u64, CaseError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM sync_conflicts WHERE resolved_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

fn storage(message: &str) -> CaseError {
    CaseError::Vault(crate::VaultError::Storage {
        message: message.to_owned(),
    })
}
