//! The device's half of the protocol, over the vault (no I/O).

use super::sealing;
use super::trust::KeyTrustError;
use crate::casework::outbox::{self, setting};
use crate::casework::{CaseError, Casework, ReferralActor, ReferralStatus, TellOnceSummary};
use crate::hex;
use ring::signature::{Ed25519KeyPair, KeyPair};
use rusqlite::{Connection, OptionalExtension, params};
use senda_protocol::{
    BoxSecret, ChangeKind, EnrolRequest, EnrolResponse, HEADER_DEVICE, HEADER_NONCE,
    HEADER_SIGNATURE, HEADER_TIME, IncomingReferral, KeyBundle, KeysResponse, Op, PROTOCOL_VERSION,
    PullRequest, PullResponse, PushRequest, PushResponse, batch, batch::SignedPush, encode,
    signing_message,
};
use serde::Serialize;

/// A batch file's bytes and the outbox rows it carries.
pub(crate) struct BatchFile {
    pub bytes: Vec<u8>,
    pub op_ids: Vec<String>,
}

/// Where and as whom this device syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncIdentity {
    pub server_url: String,
    pub device_id: String,
    pub organisation: String,
    pub team: String,
}

/// Two edits of the same field: the server's value and this device's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncConflict {
    pub id: i64,
    pub entity_id: String,
    pub field: String,
    /// JSON text of each value.
    pub theirs: String,
    pub ours: String,
    pub received_at: String,
}

/// A content pack version the publisher released, as the server announced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContentAvailable {
    pub publisher: String,
    pub version: u32,
}

/// A referral addressed to this device's organisation, its summary opened
/// with the organisation's secret (or the reason it could not be).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceivedReferral {
    pub id: String,
    pub code: String,
    pub service_id: String,
    pub status: ReferralStatus,
    pub summary: Option<TellOnceSummary>,
    pub summary_problem: Option<SummaryProblem>,
    /// The receiving organisation's next steps (from the lifecycle in `senda-protocol`).
    pub next_statuses: Vec<ReferralStatus>,
}

/// Why an incoming referral's summary cannot be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SummaryProblem {
    /// This device holds no key that opens it (not handed over yet).
    NoOrganisationKey,
    /// The sender had no key to seal it to.
    Withheld,
    /// Not sealed by a device of an organisation this one trusts.
    SenderUnverified,
    /// Damaged, or not a summary.
    Unreadable,
}

/// What [`Casework::apply_keys`] made of the server's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysApplied {
    /// Certificates, trust statements and route keys that did not verify:
    /// nothing is sealed to them.
    pub refused: usize,
    /// Why this device's grant was not taken, if it was not
    /// (`key-grant-unreadable`, `key-grant-mismatch`, `organisation-not-pinned`).
    pub grant_problem: Option<&'static str>,
}

/// A request ready to send: path, CBOR body and signature headers.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub path: String,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

pub(super) fn put(conn: &Connection, key: &str, value: &str) -> Result<(), CaseError> {
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
            box_key: self.box_secret()?.public_hex(),
            device_name: device_name.to_owned(),
        }))
    }

    /// This device's X25519 secret: its organisation's secret is sealed to it.
    pub(super) fn box_secret(&self) -> Result<BoxSecret, CaseError> {
        if let Some(stored) = setting(self.conn, "box_key")? {
            return BoxSecret::from_hex(&stored)
                .map_err(|_| storage("the device box key is damaged"));
        }
        let fresh = BoxSecret::generate();
        put(self.conn, "box_key", &fresh.to_hex())?;
        Ok(fresh)
    }

    /// Keeps what verifies of the certificates and trust the server relays,
    /// the routes (each with its verified receiver key, or marked unverified
    /// so that nothing is sealed to it), and this device's grant of its
    /// organisation's keys once it arrives and checks out.
    pub fn apply_keys(&self, keys: &KeysResponse) -> Result<KeysApplied, CaseError> {
        let identity = self
            .sync_identity()?
            .ok_or_else(|| CaseError::not_found("enrolment"))?;
        let bundle = keys
            .organisation_key
            .as_ref()
            .map(|grant| {
                let aad = senda_protocol::grant_aad(&identity.device_id, &identity.organisation);
                let opened = self.box_secret()?.open(grant, &aad).ok();
                opened
                    .and_then(|o| serde_json::from_slice::<KeyBundle>(&o).ok())
                    .ok_or(CaseError::KeyGrantUnreadable)
            })
            .transpose();
        // The routes are kept even when the grant is refused: sending goes on.
        let refused = self.write(|tx| {
            let mut refused =
                self.apply_trust(tx, &identity.organisation, &keys.certificates, &keys.trust)?;
            let known: Vec<String> = tx
                .prepare("SELECT service_id FROM recipient_keys WHERE public_key <> ''")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            tx.execute("DELETE FROM recipient_keys", [])?;
            for r in &keys.routes {
                // An empty key marks a route whose key did not verify: its summaries wait.
                let verified = self
                    .verified_route_key(tx, &r.service_id, &r.organisation)?
                    .unwrap_or_default();
                if verified != r.public_key {
                    refused += 1;
                }
                tx.execute(
                    "INSERT INTO recipient_keys (service_id, organisation, public_key) VALUES (?1, ?2, ?3)",
                    params![r.service_id, r.organisation, verified],
                )?;
                if !verified.is_empty() && !known.contains(&r.service_id) {
                    self.resend_withheld_summaries(tx, &r.service_id)?;
                }
            }
            Ok(refused)
        })?;
        let grant = match bundle {
            Ok(None) => Ok(()),
            Ok(Some(bundle)) => self.write(|tx| {
                if self.accept_grant(tx, &identity.organisation, &bundle)? {
                    self.audit(tx, "organisation-key-received", &identity.organisation)?;
                }
                Ok(())
            }),
            Err(e) => Err(e),
        };
        let grant_problem = match grant {
            Ok(()) => None,
            Err(e @ (CaseError::KeyGrantUnreadable | CaseError::KeyTrust(_))) => Some(e.code()),
            Err(e) => return Err(e),
        };
        Ok(KeysApplied {
            refused,
            grant_problem,
        })
    }

    /// A service that just got a receiver on Senda: referrals to it that may
    /// have left without their summary (sent, or exported to a file, before
    /// the route was known here) send it again, now sealed, so that the child
    /// does not have to tell their story twice.
    fn resend_withheld_summaries(
        &self,
        tx: &Connection,
        service_id: &str,
    ) -> Result<(), CaseError> {
        let waiting: Vec<(String, String, i64, String)> = tx
            .prepare(
                "SELECT r.id, r.case_id, r.version, r.summary FROM referrals r
                 WHERE r.service_id = ?1 AND r.status IN ('queued', 'sent')
                 AND NOT EXISTS (
                     SELECT 1 FROM outbox o LEFT JOIN outbox_delivery d ON d.op_id = o.op_id
                     WHERE o.entity_id = r.id AND o.op = 'create'
                     AND o.sent_at IS NULL AND d.exported_at IS NULL)",
            )?
            .query_map([service_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        for (id, case_id, version, summary) in waiting {
            let summary: serde_json::Value = serde_json::from_str(&summary)?;
            tx.execute(
                "UPDATE referrals SET version = version + 1 WHERE id = ?1",
                [&id],
            )?;
            self.outbox(
                tx,
                outbox::NewOutboxRow {
                    entity: outbox::Entity::Referral,
                    entity_id: &id,
                    case_id: &case_id,
                    op: "summary",
                    base_version: version,
                    payload: serde_json::json!({ "summary": summary }),
                },
            )?;
            self.audit(tx, "referral-summary-resent", &id)?;
        }
        Ok(())
    }

    /// Where a referral op's summary goes: its service and that service's
    /// receiver key (`None` when it has no receiver on Senda: the printed slip
    /// is then the only channel). `None` when the op carries no summary. A
    /// receiver key that did not verify is an error: the push stops and the rows wait.
    fn summary_to(&self, op: &Op) -> Result<Option<SummaryTo>, CaseError> {
        if op.entity != "referral" || op.payload.get("summary").is_none() {
            return Ok(None);
        }
        // The referral's service, from the vault: a later `summary` op does not repeat it.
        let service: String = self
            .conn
            .prepare_cached("SELECT service_id FROM referrals WHERE id = ?1")?
            .query_row([&op.entity_id], |r| r.get(0))?;
        let receiver = self.receiver_key(&service)?;
        Ok(Some(SummaryTo { service, receiver }))
    }

    /// The organisation's current secret (the one its administrator's newest
    /// certificate names) and its field-hash key, once handed to this device.
    fn org_keys(&self) -> Result<Option<sealing::OrgKeys>, CaseError> {
        Ok(self
            .current_org_secret()?
            .as_ref()
            .map(sealing::OrgKeys::new))
    }

    /// Rows ready to leave from a device that cannot seal them yet (no
    /// organisation key): each is noted `no-organisation-key` and stays here.
    /// `true` when that is so.
    pub fn hold_for_key(&self) -> Result<bool, CaseError> {
        if self.org_keys()?.is_some() {
            return Ok(false);
        }
        let ids: Vec<String> = outbox::ready(self.conn, u32::MAX)?
            .into_iter()
            .map(|e| e.op_id)
            .collect();
        self.record_failure(&ids, "no-organisation-key")?;
        Ok(!ids.is_empty())
    }

    /// Rows as they leave: the summary sealed to its receiver, every other
    /// field sealed to this organisation's key. Without that key, nothing.
    fn sealed_ops(&self, rows: Vec<outbox::OutboxEntry>) -> Result<Vec<Op>, CaseError> {
        let keys = self.org_keys()?.ok_or(CaseError::NoOrganisationKey)?;
        Ok(self
            .seal_rows(&keys, rows)?
            .into_iter()
            .map(|(op, _)| op)
            .collect())
    }

    /// Seals `rows` with `keys`, each with where its summary went.
    /// (Sealing on both cores was tried: it slowed the sync, the server's
    /// work being on the other core; docs/benchmarks.md.)
    fn seal_rows(
        &self,
        keys: &sealing::OrgKeys,
        rows: Vec<outbox::OutboxEntry>,
    ) -> Result<Vec<(Op, Option<SummaryTo>)>, CaseError> {
        let mut ops: Vec<Op> = rows.into_iter().map(Op::from).collect();
        let receivers = ops
            .iter()
            .map(|op| self.summary_to(op))
            .collect::<Result<Vec<_>, _>>()?;
        let signer = match receivers.iter().any(|r| {
            matches!(
                r,
                Some(SummaryTo {
                    receiver: Some(_),
                    ..
                })
            )
        }) {
            true => Some(self.summary_signer()?),
            false => None,
        };
        let today = self.now.date_naive();
        for (op, to) in ops.iter_mut().zip(&receivers) {
            if let Some(to) = to {
                seal_summary(op, to.receiver.as_deref(), signer.as_ref())?;
            }
            sealing::seal_op(op, keys, today)?;
        }
        Ok(ops.into_iter().zip(receivers).collect())
    }

    /// Seals the outbox row `seq` as it is written, so that the sync which
    /// sends it only checks that the keys it was sealed to are still current
    /// (the sealing is done while a person works, not while a connection
    /// lasts). A row this device cannot seal yet (not enrolled, no key, a
    /// receiver key not verified) is sealed as it leaves, where any error
    /// stops the push as it should.
    pub(crate) fn seal_ahead(&self, seq: i64) -> Result<(), CaseError> {
        let Some(keys) = self.org_keys()? else {
            return Ok(());
        };
        let Some(row) = outbox::by_seq(self.conn, seq)? else {
            return Ok(());
        };
        let Some((op, to)) = self.seal_rows(&keys, vec![row])?.pop() else {
            return Ok(());
        };
        let (service_id, receiver_key) = to.map_or((None, None), |t| (Some(t.service), t.receiver));
        outbox::keep_sealed(
            self.conn,
            &op.op_id,
            &outbox::SealedAhead {
                sealed_with: keys.sealed_with(),
                service_id,
                receiver_key,
                op: encode(&op),
            },
        )
    }

    /// How many rows have a copy sealed as they were written, sent ones not
    /// yet purged included (tests and benchmarks).
    pub fn sealed_ahead(&self) -> Result<usize, CaseError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox_sealed", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// The ops of a push, encoded: each row's sealed copy as it was kept,
    /// while the keys it was sealed to are still this organisation's current
    /// key and its receiver's verified key; any other row sealed now.
    fn sealed_ready(&self, rows: Vec<outbox::ReadyRow>) -> Result<Vec<Vec<u8>>, CaseError> {
        let keys = self.org_keys()?.ok_or(CaseError::NoOrganisationKey)?;
        let sealed_with = keys.sealed_with();
        let mut ops = Vec::with_capacity(rows.len());
        let mut stale = Vec::new();
        for row in rows {
            let current = match &row.sealed {
                Some(s) => s.sealed_with == sealed_with && self.receiver_unchanged(s)?,
                None => false,
            };
            let op = row.sealed.filter(|_| current).map(|s| s.op);
            if op.is_none() {
                stale.push(row.op_id.clone());
            }
            ops.push((row.op_id, op));
        }
        if stale.is_empty() {
            return Ok(ops.into_iter().filter_map(|(_, op)| op).collect());
        }
        let mut fresh: std::collections::HashMap<String, Vec<u8>> = self
            .seal_rows(&keys, outbox::by_ids(self.conn, &stale)?)?
            .into_iter()
            .map(|(op, _)| (op.op_id.clone(), encode(&op)))
            .collect();
        ops.into_iter()
            .map(|(id, op)| {
                op.or_else(|| fresh.remove(&id))
                    .ok_or_else(|| storage("an outbox row went during the push"))
            })
            .collect()
    }

    /// Whether a sealed copy's summary went to the key its receiver has now
    /// (an error, as when it leaves, if that key did not verify).
    fn receiver_unchanged(&self, sealed: &outbox::SealedAhead) -> Result<bool, CaseError> {
        Ok(match &sealed.service_id {
            None => true,
            Some(service) => self.receiver_key(service)? == sealed.receiver_key,
        })
    }

    /// Opens an incoming referral's summary with this organisation's keys,
    /// if a device of an organisation this one trusts sealed it.
    pub fn open_incoming(&self, referral: IncomingReferral) -> Result<ReceivedReferral, CaseError> {
        // A status this app does not know is a damaged answer, not a draft.
        let status =
            ReferralStatus::parse(&referral.status).ok_or_else(|| CaseError::InvalidField {
                field: "status".into(),
            })?;
        let (summary, summary_problem) = match referral.summary {
            None => (None, Some(SummaryProblem::Withheld)),
            Some(sealed) => {
                match self.open_sealed(&sealed, &senda_protocol::summary_aad(&referral.id)) {
                    Ok((plain, _)) => match senda_protocol::seal::unpack_summary(&plain)
                        .ok()
                        .and_then(|json| serde_json::from_slice::<TellOnceSummary>(&json).ok())
                    {
                        Some(summary) => (Some(summary), None),
                        None => (None, Some(SummaryProblem::Unreadable)),
                    },
                    // `open_sealed` refuses only these two ways.
                    Err(CaseError::KeyTrust(KeyTrustError::SenderUnverified)) => {
                        (None, Some(SummaryProblem::SenderUnverified))
                    }
                    Err(CaseError::KeyTrust(_)) => (None, Some(SummaryProblem::NoOrganisationKey)),
                    Err(e) => return Err(e),
                }
            }
        };
        Ok(ReceivedReferral {
            id: referral.id,
            code: referral.code,
            service_id: referral.service_id,
            status,
            summary,
            summary_problem,
            next_statuses: status.next_statuses(ReferralActor::Receiver),
        })
    }

    /// Keeps the enrolment; with a fingerprint (from the enrolment code), pins
    /// the organisation's admin key, or refuses if the server's does not match.
    pub fn finish_enrolment(
        &self,
        server_url: &str,
        response: &EnrolResponse,
        fingerprint: Option<&str>,
    ) -> Result<(), CaseError> {
        self.write(|tx| {
            self.pin_admin_key(tx, fingerprint, response.admin_key.as_deref())?;
            put(tx, "server_url", server_url.trim_end_matches('/'))?;
            put(tx, "server_device_id", &response.device_id)?;
            put(tx, "organisation", &response.organisation)?;
            put(tx, "team", &response.team)?;
            put(tx, "pull_cursor", "0")?;
            put(tx, "server_box_key", &response.server_box_key)?;
            put(tx, "server_signing_key", &response.server_signing_key)?;
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

    pub(super) fn device_key(&self) -> Result<Ed25519KeyPair, CaseError> {
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
        let push = self.signed(path, body)?;
        Ok(SignedRequest {
            path: path.to_owned(),
            headers: vec![
                (HEADER_DEVICE, push.device_id),
                (HEADER_TIME, push.time),
                (HEADER_NONCE, push.nonce),
                (HEADER_SIGNATURE, push.signature),
            ],
            body: push.body,
        })
    }

    /// The signature parts of a request, as headers carry them or a batch file does.
    fn signed(&self, path: &str, body: Vec<u8>) -> Result<SignedPush, CaseError> {
        let identity = self
            .sync_identity()?
            .ok_or_else(|| CaseError::not_found("enrolment"))?;
        let key = self.device_key()?;
        let mut nonce = [0u8; 16];
        crate::vault::fill_random(&mut nonce);
        let nonce = hex::encode(&nonce);
        let time = self.now.to_rfc3339();
        let signature = key.sign(&signing_message("POST", path, &time, &nonce, &body));
        Ok(SignedPush {
            device_id: identity.device_id,
            time,
            nonce,
            signature: hex::encode(signature.as_ref()),
            body,
        })
    }

    /// Ready rows sealed into a batch file for the server (sync without a
    /// network, on a USB stick): the file's bytes and the op ids it carries.
    /// Nothing changes until [`Self::mark_exported`] is called, once the file
    /// is whole on disk (see `export.rs`).
    pub(crate) fn prepare_export(&self) -> Result<Option<BatchFile>, CaseError> {
        let server_key = setting(self.conn, "server_box_key")?
            .ok_or_else(|| CaseError::not_found("enrolment"))?;
        let rows = outbox::ready(self.conn, batch::MAX_OPS_PER_FILE as u32)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let ops = self.sealed_ops(rows)?;
        let ids: Vec<String> = ops.iter().map(|o| o.op_id.clone()).collect();
        let pushes = ops
            .chunks(senda_protocol::MAX_OPS_PER_PUSH)
            .map(|chunk| {
                let body = encode(&PushRequest {
                    protocol: PROTOCOL_VERSION,
                    ops: chunk.to_vec(),
                });
                self.signed("/v1/push", body)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let bytes = batch::write(&server_key, &pushes)
            .map_err(|_| storage("the server's key is not valid"))?;
        Ok(Some(BatchFile { bytes, op_ids: ids }))
    }

    /// The rows stay unsent, marked exported: the server's answer at the next
    /// online sync confirms them, and the server stores each once however
    /// often the file or the rows arrive.
    pub(crate) fn mark_exported(&self, ids: &[String]) -> Result<(), CaseError> {
        self.write(|tx| {
            for id in ids {
                tx.execute(
                    "INSERT INTO outbox_delivery (op_id, exported_at) VALUES (?1, ?2)
                     ON CONFLICT (op_id) DO UPDATE SET exported_at = excluded.exported_at, failure = NULL",
                    params![id, self.now_text()],
                )?;
            }
            self.audit(tx, "batch-exported", &ids.len().to_string())
        })
    }

    /// The next push: up to `limit` ready outbox rows (those consent lets
    /// leave), summaries sealed, and the op ids it carries.
    pub fn next_push(&self, limit: u32) -> Result<Option<(SignedRequest, Vec<String>)>, CaseError> {
        Ok(self
            .next_push_after(limit, i64::MIN)?
            .map(|b| (b.request, b.op_ids)))
    }

    /// Like [`Self::next_push`], from the rows after `seq`: the batch that
    /// follows one still on its way to the server.
    pub fn next_push_after(&self, limit: u32, seq: i64) -> Result<Option<PushBatch>, CaseError> {
        let rows = outbox::ready_sealed_after(self.conn, limit, seq)?;
        let Some(last_seq) = rows.last().map(|r| r.seq) else {
            return Ok(None);
        };
        let op_ids = rows.iter().map(|r| r.op_id.clone()).collect();
        let ops = self.sealed_ready(rows)?;
        let ops: Vec<&[u8]> = ops.iter().map(Vec::as_slice).collect();
        let body = PushRequest::encode_with(PROTOCOL_VERSION, &ops);
        Ok(Some(PushBatch {
            request: self.sign("/v1/push", body)?,
            op_ids,
            last_seq,
        }))
    }

    /// Whether a batch sealed earlier may still be sent as it is: each of its
    /// rows unsent, and consent still lets it leave.
    pub fn still_ready(&self, op_ids: &[String]) -> Result<bool, CaseError> {
        outbox::all_ready(self.conn, op_ids)
    }

    /// Notes why a batch did not get through, on each of its rows (the UI shows it).
    pub fn record_failure(&self, op_ids: &[String], reason: &str) -> Result<(), CaseError> {
        self.write(|tx| {
            for id in op_ids {
                tx.execute(
                    "INSERT INTO outbox_delivery (op_id, failure, failed_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (op_id) DO UPDATE SET failure = excluded.failure, failed_at = excluded.failed_at",
                    params![id, reason, self.now_text()],
                )?;
            }
            Ok(())
        })
    }

    /// Marks what the server stored as sent and keeps any conflicts for a person.
    pub fn apply_push(&self, response: &PushResponse) -> Result<usize, CaseError> {
        let sent = outbox::mark_sent(self.conn, &response.stored, self.now)?;
        if !response.conflicts.is_empty() {
            let keys: Vec<sealing::OrgKeys> = self
                .held_org_secrets()?
                .iter()
                .map(sealing::OrgKeys::new)
                .collect();
            self.write(|tx| {
                for c in &response.conflicts {
                    // A sealed field's two values are opened here, never on the server.
                    let (field, theirs, ours) = match &c.sealed {
                        Some(sealed) => {
                            let entity: String = tx
                                .query_row("SELECT entity FROM outbox WHERE op_id = ?1", [&c.op_id], |r| r.get(0))
                                .optional()?
                                .unwrap_or_default();
                            let (field, theirs, ours, forged) = sealing::open_conflict(
                                &keys, &entity, &c.entity_id, &c.field, &c.op_id, sealed,
                            );
                            if forged > 0 {
                                // Not sealed by a holder of the organisation's keys: shown as nothing.
                                self.audit(tx, "sealed-field-unverified", &c.entity_id)?;
                            }
                            (field, theirs, ours)
                        }
                        None => (c.field.clone(), c.theirs.to_string(), c.ours.to_string()),
                    };
                    tx.execute(
                        "INSERT INTO sync_conflicts (entity_id, field, base_version, theirs, ours, received_at, op_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![c.entity_id, field, c.base_version, theirs, ours, self.now_text(), c.op_id],
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
                if let ChangeKind::ContentAvailable { publisher, version } = &change.kind {
                    // Keep only the newest announcement; the pack itself comes by file or store.
                    let known = self.content_available()?.map_or(0, |c| c.version);
                    if *version > known {
                        let text = serde_json::to_string(&ContentAvailable { publisher: publisher.clone(), version: *version })?;
                        put(tx, "content_available", &text)?;
                        applied += 1;
                    }
                    continue;
                }
                if let ChangeKind::ReferralStatus { referral_id, status } = &change.kind {
                    let Some(to) = ReferralStatus::parse(status) else { continue };
                    let current: Option<String> = tx
                        .prepare_cached("SELECT status FROM referrals WHERE id = ?1")?
                        .query_row([referral_id], |r| r.get(0))
                        .optional()?;
                    let Some(from) = current.as_deref().and_then(ReferralStatus::parse) else { continue };
                    // Never bring back a referral this device withdrew or revoked.
                    if from == to || from.is_terminal() {
                        continue;
                    }
                    let closed_at = to.is_terminal().then(|| self.now_text());
                    tx.prepare_cached(
                        "UPDATE referrals SET status = ?1, updated_at = ?2, closed_at = ?3 WHERE id = ?4",
                    )?
                    .execute(params![to.as_str(), self.now_text(), closed_at, referral_id])?;
                    tx.prepare_cached(
                        "INSERT INTO referral_history (referral_id, at, status, staff_id) VALUES (?1, ?2, ?3, NULL)",
                    )?
                    .execute(params![referral_id, change.at, to.as_str()])?;
                    applied += 1;
                }
            }
            put(tx, "pull_cursor", &page.cursor.to_string())?;
            // The organisation's retention period, set on its server, replaces the local one.
            if let Some(days) = page.retention_days {
                put(tx, "server_retention_days", &days.to_string())?;
            }
            Ok(applied)
        })
    }

    /// The newest content pack the server announced (compare with the installed one).
    pub fn content_available(&self) -> Result<Option<ContentAvailable>, CaseError> {
        Ok(setting(self.conn, "content_available")?.and_then(|t| serde_json::from_str(&t).ok()))
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

/// A referral's summary never travels readable: it is sealed to the
/// receiving organisation's verified key and signed by this device, or
/// withheld when the service has no receiver on Senda.
fn seal_summary(
    op: &mut Op,
    receiver: Option<&str>,
    signer: Option<&super::trust::SummarySigner>,
) -> Result<(), CaseError> {
    let Some(summary) = op.payload.as_object_mut().and_then(|p| p.remove("summary")) else {
        return Ok(());
    };
    match (receiver, signer) {
        (Some(receiver), Some(signer)) => {
            op.sealed_summary = Some(signer.seal(
                receiver,
                &senda_protocol::seal::pack_summary(summary.to_string().as_bytes()),
                &senda_protocol::summary_aad(&op.entity_id),
            )?);
        }
        // A receiver but nothing to sign with: stop, never withhold quietly.
        (Some(_), None) => return Err(storage("a summary to seal without its signer")),
        (None, _) => {
            if let Some(payload) = op.payload.as_object_mut() {
                payload.insert("summary_withheld".into(), "no-receiver".into());
            }
        }
    }
    Ok(())
}

fn storage(message: &str) -> CaseError {
    CaseError::Vault(crate::VaultError::Storage {
        message: message.to_owned(),
    })
}

/// Where an op's tell-once summary goes: its service, and that service's
/// receiver key (none: the service is not on Senda, the summary is withheld).
struct SummaryTo {
    service: String,
    receiver: Option<String>,
}

/// One push request and what it carries.
pub struct PushBatch {
    pub request: SignedRequest,
    pub op_ids: Vec<String>,
    /// The `seq` of its last row: the next batch starts after it.
    pub last_seq: i64,
}
