//! Which keys this device believes, and sealing and opening with them.
//!
//! The device pins its organisation's admin key at enrolment, by the
//! fingerprint in the enrolment code (out of band: the server cannot change
//! it). From then on it believes a key only if it chains to that pin: its own
//! organisation's key certificates, signed by the pinned key; and another
//! organisation's, signed by an admin key that its own administrator vouched
//! for ([`OrgTrust`]), for the services named there. Whatever else the server
//! says is ignored or refused with a [`KeyTrustError`], and nothing is sealed
//! to a key that fails: the rows wait.
//!
//! Every box this device seals is signed by its device key and carries its
//! membership (the organisation's sender key, which only devices a person let
//! in hold), and a box opens only if its sender checks out the same way.

use super::device::put;
use crate::casework::outbox::setting;
use crate::casework::{CaseError, Casework};
use rusqlite::Connection;
use senda_protocol::seal::{SealError, Signer};
use senda_protocol::trust::{admin_fingerprint, device_fingerprint, normalise_fingerprint};
use senda_protocol::{
    AwaitingKey, BoxSender, KeyBundle, KeyGrant, OrgKeyCert, OrgSecret, OrgTrust, SealedBox,
};
use serde::Serialize;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Why this device will not seal to, or open with, a key. Each leaves the
/// rows waiting and says why; none changes what the device already believes.
#[derive(
    Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, strum::EnumIter, strum::IntoStaticStr,
)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum KeyTrustError {
    #[error(
        "this device pinned no admin key for its organisation (the enrolment code had no fingerprint)"
    )]
    OrganisationNotPinned,
    #[error(
        "the server's admin key for this organisation does not match the enrolment code's fingerprint"
    )]
    AdminKeyMismatch,
    #[error("no verified key of this device's organisation")]
    OrganisationKeyUnverified,
    #[error("the receiver's key for {service} could not be verified")]
    ReceiverKeyUnverified { service: String },
    #[error(
        "this device has not been handed its organisation's keys yet (fingerprint {fingerprint})"
    )]
    AwaitingOrganisationKey { fingerprint: String },
    #[error(
        "the organisation keys granted to this device are not the ones its administrator signed"
    )]
    KeyGrantMismatch,
    #[error("a low-order X25519 key: anything sealed to it could be read")]
    WeakKey,
    #[error("the sealed box does not come from a device its organisation let in")]
    SenderUnverified,
    #[error("this device holds no key that opens this box")]
    NoOrganisationKey,
    #[error("the device no longer matches the fingerprint that was checked")]
    HandOverFingerprintMismatch,
    #[error("that device is not waiting for the key")]
    HandOverNotWaiting,
}

impl KeyTrustError {
    /// The variant's name as serde writes it (a test checks they agree).
    pub fn code(&self) -> &'static str {
        self.into()
    }

    /// Every code, so tests can check each has a translation.
    pub fn all_codes() -> Vec<&'static str> {
        use strum::IntoEnumIterator;
        Self::iter().map(|e| e.code()).collect()
    }
}

/// A device of this organisation waiting for its keys, as a person sees it
/// before handing them over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HandOver {
    pub device_id: String,
    pub name: String,
    /// What the waiting device shows on its own screen, if it is the real one.
    pub fingerprint: String,
}

/// What the device believes about keys, for the sync screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyStatus {
    /// The fingerprint of the pinned admin key, if any.
    pub admin_fingerprint: Option<String>,
    /// Whether this device holds its organisation's keys.
    pub holds_keys: bool,
    /// This device's fingerprint, shown while it waits ("Esperando la llave").
    pub fingerprint: Option<String>,
    /// The serial of the organisation's current key, when verified.
    pub serial: Option<u32>,
}

const ADMIN_KEY: &str = "org_admin_key";
const CERTS: &str = "org_certs";
const TRUST: &str = "org_trust";
const SECRETS: &str = "org_secrets";
const REFUSED: &str = "hand_over_refused";

/// Splits `CODE.FINGERPRINT` (or just `CODE`).
pub fn split_enrolment_code(text: &str) -> (String, Option<String>) {
    match text.trim().split_once('.') {
        Some((code, fp)) => (code.trim().to_owned(), Some(normalise_fingerprint(fp))),
        None => (text.trim().to_owned(), None),
    }
}

fn json<T: serde::de::DeserializeOwned + Default>(
    conn: &Connection,
    key: &str,
) -> Result<T, CaseError> {
    Ok(setting(conn, key)?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

fn key_error(e: KeyTrustError) -> CaseError {
    CaseError::KeyTrust(e)
}

/// The newest certificate of `org` that is not retired.
fn current(certs: &BTreeMap<String, Vec<OrgKeyCert>>, org: &str) -> Option<OrgKeyCert> {
    let list = certs.get(org)?;
    let newest = list.iter().max_by_key(|c| c.serial)?;
    newest.retired_at.is_none().then(|| newest.clone())
}

impl Casework<'_> {
    /// Pins the organisation's admin key if it matches the code's fingerprint;
    /// refuses the enrolment otherwise. Without a fingerprint nothing is pinned.
    pub(crate) fn pin_admin_key(
        &self,
        tx: &Connection,
        fingerprint: Option<&str>,
        admin_key: Option<&str>,
    ) -> Result<(), CaseError> {
        let Some(fingerprint) = fingerprint else {
            return Ok(());
        };
        match admin_key {
            Some(key) if normalise_fingerprint(&admin_fingerprint(key)) == fingerprint => {
                put(tx, ADMIN_KEY, key)?;
                self.audit(tx, "organisation-admin-key-pinned", &admin_fingerprint(key))
            }
            _ => Err(key_error(KeyTrustError::AdminKeyMismatch)),
        }
    }

    fn pinned(&self) -> Result<Option<String>, CaseError> {
        setting(self.conn, ADMIN_KEY)
    }

    fn certs(&self) -> Result<BTreeMap<String, Vec<OrgKeyCert>>, CaseError> {
        json(self.conn, CERTS)
    }

    fn secrets(&self) -> Result<Vec<OrgSecret>, CaseError> {
        json(self.conn, SECRETS)
    }

    /// Keeps the certificates and trust that verify (merged with what was
    /// verified before, so a server that holds back a newer key or a
    /// retirement cannot bring an older key back); refuses the rest and
    /// returns how many it refused.
    pub(crate) fn apply_trust(
        &self,
        tx: &Connection,
        organisation: &str,
        certificates: &[OrgKeyCert],
        trust: &[OrgTrust],
    ) -> Result<usize, CaseError> {
        let Some(admin) = setting(tx, ADMIN_KEY)? else {
            return Ok(certificates.len() + trust.len());
        };
        let mut refused = 0;
        let mut trusted: Vec<OrgTrust> = json(tx, TRUST)?;
        for t in trust {
            if t.organisation != organisation || !t.verify(&admin) {
                refused += 1;
                continue;
            }
            match trusted.iter_mut().find(|k| k.trusted == t.trusted) {
                Some(known) if known.issued_at < t.issued_at => *known = t.clone(),
                Some(_) => {}
                None => trusted.push(t.clone()),
            }
        }
        let mut certs: BTreeMap<String, Vec<OrgKeyCert>> = json(tx, CERTS)?;
        for cert in certificates {
            let signer = if cert.organisation == organisation {
                Some(admin.as_str())
            } else {
                trusted
                    .iter()
                    .find(|t| t.trusted == cert.organisation)
                    .map(|t| t.admin_key.as_str())
            };
            if !signer.is_some_and(|k| cert.verify(k)) {
                refused += 1;
                continue;
            }
            let list = certs.entry(cert.organisation.clone()).or_default();
            match list.iter_mut().find(|c| c.serial == cert.serial) {
                // A retirement is only ever added, never taken back.
                Some(known) if known.retired_at.is_none() && cert.retired_at.is_some() => {
                    *known = cert.clone()
                }
                Some(_) => {}
                None => list.push(cert.clone()),
            }
        }
        put(tx, TRUST, &serde_json::to_string(&trusted)?)?;
        put(tx, CERTS, &serde_json::to_string(&certs)?)?;
        Ok(refused)
    }

    /// The verified box key for a route (service → organisation), or why not.
    pub(crate) fn verified_route_key(
        &self,
        tx: &Connection,
        service_id: &str,
        organisation: &str,
    ) -> Result<Option<String>, CaseError> {
        let trusted: Vec<OrgTrust> = json(tx, TRUST)?;
        let certs: BTreeMap<String, Vec<OrgKeyCert>> = json(tx, CERTS)?;
        let vouched = trusted
            .iter()
            .any(|t| t.trusted == organisation && t.services.iter().any(|s| s == service_id));
        Ok(vouched
            .then(|| current(&certs, organisation))
            .flatten()
            .map(|c| c.box_key))
    }

    /// Opens this device's grant: every key pair in it must be one its
    /// administrator signed. All are kept, by serial, so that what was sealed
    /// before a rotation still opens.
    pub(crate) fn accept_grant(
        &self,
        tx: &Connection,
        organisation: &str,
        bundle: &KeyBundle,
    ) -> Result<bool, CaseError> {
        if setting(tx, ADMIN_KEY)?.is_none() {
            return Err(key_error(KeyTrustError::OrganisationNotPinned));
        }
        let certs: BTreeMap<String, Vec<OrgKeyCert>> = json(tx, CERTS)?;
        let own = certs.get(organisation).cloned().unwrap_or_default();
        let all_signed = bundle.organisation == organisation
            && !bundle.keys.is_empty()
            && bundle.keys.iter().all(|k| own.iter().any(|c| k.matches(c)));
        if !all_signed {
            return Err(key_error(KeyTrustError::KeyGrantMismatch));
        }
        let mut held: Vec<OrgSecret> = json(tx, SECRETS)?;
        let before = held.len();
        for k in &bundle.keys {
            if !held.iter().any(|h| h.serial == k.serial) {
                held.push(k.clone());
            }
        }
        held.sort_by_key(|k| k.serial);
        let secrets = Zeroizing::new(serde_json::to_string(&held)?);
        put(tx, SECRETS, &secrets)?;
        Ok(held.len() > before)
    }

    /// This device's fingerprint: what it shows while it waits for its keys.
    pub fn device_fingerprint(&self) -> Result<Option<String>, CaseError> {
        let Some(identity) = self.sync_identity()? else {
            return Ok(None);
        };
        use ring::signature::KeyPair;
        let key = crate::hex::encode(self.device_key()?.public_key().as_ref());
        Ok(Some(device_fingerprint(
            &identity.device_id,
            &key,
            &self.box_secret()?.public_hex(),
        )))
    }

    pub fn key_status(&self) -> Result<KeyStatus, CaseError> {
        let identity = self.sync_identity()?;
        let organisation = identity.map(|i| i.organisation).unwrap_or_default();
        Ok(KeyStatus {
            admin_fingerprint: self.pinned()?.map(|k| admin_fingerprint(&k)),
            holds_keys: !self.secrets()?.is_empty(),
            fingerprint: self.device_fingerprint()?,
            serial: current(&self.certs()?, &organisation).map(|c| c.serial),
        })
    }

    /// The device key and its membership, for sealing as a member of the
    /// organisation. Made once per batch: each step costs a curve operation.
    pub(crate) fn summary_signer(&self) -> Result<SummarySigner, CaseError> {
        let identity = self
            .sync_identity()?
            .ok_or_else(|| CaseError::not_found("enrolment"))?;
        let held = self.secrets()?;
        let certs = self.certs()?;
        let current = current(&certs, &identity.organisation)
            .ok_or(key_error(KeyTrustError::OrganisationKeyUnverified))?;
        let Some(secret) = held.iter().find(|s| s.matches(&current)) else {
            let fingerprint = self.device_fingerprint()?.unwrap_or_default();
            return Err(key_error(KeyTrustError::AwaitingOrganisationKey {
                fingerprint,
            }));
        };
        let device = self.device_key()?;
        use ring::signature::KeyPair;
        let device_key = crate::hex::encode(device.public_key().as_ref());
        let membership = senda_protocol::trust::membership(
            secret,
            &identity.organisation,
            &identity.device_id,
            &device_key,
        )
        .ok_or(key_error(KeyTrustError::KeyGrantMismatch))?;
        Ok(SummarySigner {
            organisation: identity.organisation,
            serial: secret.serial,
            device_id: identity.device_id,
            device,
            membership,
        })
    }

    /// The secret of this organisation's current key pair, if this device
    /// was handed it: what its records are sealed to (`sealing.rs`).
    pub(crate) fn current_org_secret(
        &self,
    ) -> Result<Option<senda_protocol::BoxSecret>, CaseError> {
        let Some(identity) = self.sync_identity()? else {
            return Ok(None);
        };
        let Some(current) = current(&self.certs()?, &identity.organisation) else {
            return Ok(None);
        };
        Ok(self
            .secrets()?
            .iter()
            .find(|s| s.matches(&current))
            .and_then(|s| s.box_secret().ok()))
    }

    /// Every secret of this organisation this device holds that its
    /// administrator signed (each serial, old and current): what opens a
    /// value sealed before or after a rotation.
    pub(crate) fn held_org_secrets(&self) -> Result<Vec<senda_protocol::BoxSecret>, CaseError> {
        let Some(identity) = self.sync_identity()? else {
            return Ok(Vec::new());
        };
        let certs = self.certs()?;
        let own = certs
            .get(&identity.organisation)
            .cloned()
            .unwrap_or_default();
        Ok(self
            .secrets()?
            .iter()
            .filter(|s| own.iter().any(|c| s.matches(c)))
            .filter_map(|s| s.box_secret().ok())
            .collect())
    }

    /// The key of the organisation that receives referrals to `service_id`;
    /// `None` when the service has no receiver on Senda. A receiver key this
    /// device could not verify is an error: nothing is sealed to it.
    pub(crate) fn receiver_key(&self, service_id: &str) -> Result<Option<String>, CaseError> {
        use rusqlite::OptionalExtension;
        let key: Option<String> = self
            .conn
            .prepare_cached("SELECT public_key FROM recipient_keys WHERE service_id = ?1")?
            .query_row([service_id], |r| r.get(0))
            .optional()?;
        match key {
            Some(k) if k.is_empty() => Err(key_error(KeyTrustError::ReceiverKeyUnverified {
                service: service_id.to_owned(),
            })),
            key => Ok(key),
        }
    }

    /// Opens a box sealed to any key this device's organisation ever had, if
    /// its sender is a device of an organisation this device trusts.
    pub fn open_sealed(
        &self,
        sealed: &SealedBox,
        aad: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, BoxSender), CaseError> {
        let certs = self.certs()?;
        let identity = self
            .sync_identity()?
            .ok_or_else(|| CaseError::not_found("enrolment"))?;
        let own = certs
            .get(&identity.organisation)
            .cloned()
            .unwrap_or_default();
        let secret = self
            .secrets()?
            .into_iter()
            .find(|s| own.iter().any(|c| s.matches(c) && c.box_key == sealed.to))
            .ok_or(key_error(KeyTrustError::NoOrganisationKey))?;
        let box_secret = secret
            .box_secret()
            .map_err(|_| key_error(KeyTrustError::NoOrganisationKey))?;
        let sender_key = |org: &str, serial: u32| {
            certs
                .get(org)?
                .iter()
                .find(|c| c.serial == serial)
                .map(|c| c.sender_key.clone())
        };
        senda_protocol::seal::open_signed(&box_secret, sealed, aad, sender_key).map_err(|e| {
            key_error(match e {
                SealError::Unsigned | SealError::UnknownSender | SealError::ForgedSender => {
                    KeyTrustError::SenderUnverified
                }
                _ => KeyTrustError::NoOrganisationKey,
            })
        })
    }

    /// The organisation's devices waiting for its keys, as a person must see
    /// them before handing the keys over (none unless this device holds them).
    pub fn hand_overs(&self, awaiting: &[AwaitingKey]) -> Result<Vec<HandOver>, CaseError> {
        let Some(identity) = self.sync_identity()? else {
            return Ok(Vec::new());
        };
        if self.secrets()?.is_empty() {
            return Ok(Vec::new());
        }
        let refused: Vec<String> = json(self.conn, REFUSED)?;
        Ok(awaiting
            .iter()
            .filter(|a| a.device_id != identity.device_id && !refused.contains(&a.device_id))
            .map(|a| HandOver {
                device_id: a.device_id.clone(),
                name: a.name.clone(),
                fingerprint: device_fingerprint(&a.device_id, &a.public_key, &a.box_key),
            })
            .collect())
    }

    /// A person saw `fingerprint` on the new device's screen and on this one,
    /// and approved: this device's organisation keys, sealed to that device.
    /// The server's current list must still show the same device.
    pub fn approve_hand_over(
        &self,
        awaiting: &[AwaitingKey],
        device_id: &str,
        fingerprint: &str,
    ) -> Result<KeyGrant, CaseError> {
        let identity = self
            .sync_identity()?
            .ok_or_else(|| CaseError::not_found("enrolment"))?;
        let listed = self
            .hand_overs(awaiting)?
            .into_iter()
            .find(|h| h.device_id == device_id)
            .ok_or(key_error(KeyTrustError::HandOverNotWaiting))?;
        if normalise_fingerprint(&listed.fingerprint) != normalise_fingerprint(fingerprint) {
            return Err(key_error(KeyTrustError::HandOverFingerprintMismatch));
        }
        let device = awaiting
            .iter()
            .find(|a| a.device_id == device_id)
            .ok_or(key_error(KeyTrustError::HandOverNotWaiting))?;
        let bundle = KeyBundle {
            organisation: identity.organisation.clone(),
            keys: self.secrets()?,
        };
        let plain = Zeroizing::new(serde_json::to_vec(&bundle)?);
        let sealed = senda_protocol::seal::seal(
            &device.box_key,
            &plain,
            &senda_protocol::grant_aad(device_id, &identity.organisation),
        )
        .map_err(|_| key_error(KeyTrustError::WeakKey))?;
        self.write(|tx| {
            self.audit(
                tx,
                "organisation-key-passed-on",
                &format!("{device_id} {}", listed.fingerprint),
            )
        })?;
        Ok(KeyGrant {
            device_id: device_id.to_owned(),
            sealed,
        })
    }

    /// A person refused to hand the keys to this device: it is not offered again here.
    pub fn refuse_hand_over(&self, device_id: &str) -> Result<(), CaseError> {
        self.write(|tx| {
            let mut refused: Vec<String> = json(tx, REFUSED)?;
            if !refused.iter().any(|r| r == device_id) {
                refused.push(device_id.to_owned());
            }
            put(tx, REFUSED, &serde_json::to_string(&refused)?)?;
            self.audit(tx, "key-hand-over-refused", device_id)
        })
    }
}

/// What a device signs a summary with (see `Casework::summary_signer`).
pub(crate) struct SummarySigner {
    organisation: String,
    serial: u32,
    device_id: String,
    device: ring::signature::Ed25519KeyPair,
    membership: String,
}

impl SummarySigner {
    /// Seals `plain` to a receiver's verified key (`receiver_key`), signed
    /// by this device as a member of its organisation.
    pub(crate) fn seal(
        &self,
        receiver: &str,
        plain: &[u8],
        aad: &[u8],
    ) -> Result<SealedBox, CaseError> {
        senda_protocol::seal::seal_signed(receiver, plain, aad, &self.signer())
            .map_err(|_| key_error(KeyTrustError::WeakKey))
    }

    fn signer(&self) -> Signer<'_> {
        Signer {
            organisation: &self.organisation,
            serial: self.serial,
            device_id: &self.device_id,
            device: &self.device,
            membership: &self.membership,
        }
    }
}
