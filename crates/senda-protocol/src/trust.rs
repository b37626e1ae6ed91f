//! Keys the server cannot forge.
//!
//! Each organisation has an offline admin signing key (Ed25519) that only its
//! administrator holds (in the key file `senda-server admin org-key` writes).
//! It signs:
//! - [`OrgKeyCert`]: each of the organisation's key pairs, by serial: the X25519
//!   box key things are sealed to, and the Ed25519 sender key with which its
//!   devices prove, inside every sealed box, that a person let them in.
//! - [`OrgTrust`]: another organisation's admin key (checked by its fingerprint,
//!   out of band) and the services whose referrals may be sealed to it.
//!
//! A device pins its own organisation's admin key at enrolment (the enrolment
//! code carries its fingerprint) and believes only what chains to it. The
//! server stores and relays these documents but cannot make new ones.

use crate::{hex, unhex};
use ring::digest::{SHA256, digest};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `groups` groups of four Crockford base-32 characters (5 bits each) of SHA-256 over `parts`.
fn fingerprint(domain: &str, parts: &[&str], groups: usize) -> String {
    let mut text = domain.to_owned();
    for p in parts {
        text.push('\n');
        text.push_str(p);
    }
    let hash = digest(&SHA256, text.as_bytes());
    let bytes = hash.as_ref();
    let chars: Vec<char> = (0..groups * 4)
        .map(|i| {
            let bit = i * 5;
            let word = u16::from_be_bytes([bytes[bit / 8], bytes[bit / 8 + 1]]);
            let index = (word >> (11 - bit % 8)) & 31;
            CROCKFORD[index as usize] as char
        })
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// An admin key's fingerprint (80 bits), carried in enrolment codes and read
/// out between administrators: `4F2A-91C3-XK7P-2ZQ8`.
pub fn admin_fingerprint(admin_key: &str) -> String {
    fingerprint("senda-admin-key-v1", &[admin_key], 4)
}

/// A device's fingerprint (60 bits) over its id and both public keys: the new
/// device shows it while it waits, and the person who hands it the key compares.
pub fn device_fingerprint(device_id: &str, public_key: &str, box_key: &str) -> String {
    fingerprint("senda-device-v1", &[device_id, public_key, box_key], 3)
}

/// Uppercase, without separators, so that `4f2a 91c3` and `4F2A-91C3` compare equal.
pub fn normalise_fingerprint(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Checks an Ed25519 signature (hex key and signature).
fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    crate::verify(public_key, message, signature)
}

/// No field may hold a newline: the signed text is one field per line.
fn one_line(fields: &[&str]) -> bool {
    fields.iter().all(|f| !f.contains('\n'))
}

/// One of an organisation's key pairs, signed by its admin key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgKeyCert {
    pub organisation: String,
    /// 1 for the first key; each rotation adds one. Devices never go back to a lower one.
    pub serial: u32,
    /// X25519, hex: what is sealed to the organisation.
    pub box_key: String,
    /// Ed25519, hex: proves inside a sealed box that its sender holds the organisation's keys.
    pub sender_key: String,
    pub issued_at: String,
    /// Set when a newer key replaced this one: nothing new is sealed to it.
    #[serde(default)]
    pub retired_at: Option<String>,
    /// The admin key's Ed25519 signature (hex) over [`OrgKeyCert::message`].
    pub signature: String,
}

impl OrgKeyCert {
    pub fn message(&self) -> Vec<u8> {
        format!(
            "senda-org-key-v1\n{}\n{}\n{}\n{}\n{}\n{}",
            self.organisation,
            self.serial,
            self.box_key,
            self.sender_key,
            self.issued_at,
            self.retired_at.as_deref().unwrap_or("-")
        )
        .into_bytes()
    }

    /// Signed by `admin_key`, one field per line, and its box key a usable X25519 key.
    pub fn verify(&self, admin_key: &str) -> bool {
        one_line(&[
            &self.organisation,
            &self.box_key,
            &self.sender_key,
            &self.issued_at,
        ]) && one_line(&[self.retired_at.as_deref().unwrap_or("")])
            && verify(admin_key, &self.message(), &self.signature)
            && crate::seal::usable_public_key(&self.box_key)
    }

    /// A short id for people: the first characters of the box key's fingerprint.
    pub fn key_id(&self) -> String {
        fingerprint("senda-key-id-v1", &[&self.box_key], 2)
    }
}

/// An organisation's administrator vouches for another organisation: its
/// admin key (checked by fingerprint out of band), and which services'
/// referrals its devices may seal to it. Devices also accept sealed summaries
/// from an organisation their own administrator vouched for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgTrust {
    /// The organisation whose administrator signed this.
    pub organisation: String,
    pub trusted: String,
    pub admin_key: String,
    pub services: Vec<String>,
    pub issued_at: String,
    pub signature: String,
}

impl OrgTrust {
    pub fn message(&self) -> Vec<u8> {
        format!(
            "senda-org-trust-v1\n{}\n{}\n{}\n{}\n{}",
            self.organisation,
            self.trusted,
            self.admin_key,
            self.services.join(" "),
            self.issued_at
        )
        .into_bytes()
    }

    pub fn verify(&self, admin_key: &str) -> bool {
        one_line(&[
            &self.organisation,
            &self.trusted,
            &self.admin_key,
            &self.issued_at,
        ]) && self
            .services
            .iter()
            .all(|s| !s.is_empty() && !s.contains(['\n', ' ']))
            && verify(admin_key, &self.message(), &self.signature)
    }
}

/// One key pair's secrets, as a device or the administrator keeps them.
#[derive(Clone, Serialize, Deserialize)]
pub struct OrgSecret {
    pub serial: u32,
    /// X25519 secret, hex.
    pub box_secret: String,
    /// Ed25519 seed, hex.
    pub sender_seed: String,
}

impl std::fmt::Debug for OrgSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrgSecret {{ serial: {} }}", self.serial)
    }
}

impl Drop for OrgSecret {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.box_secret.zeroize();
        self.sender_seed.zeroize();
    }
}

impl OrgSecret {
    pub fn generate(serial: u32) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        fill(seed.as_mut());
        Self {
            serial,
            box_secret: crate::BoxSecret::generate().to_hex().to_string(),
            sender_seed: hex(seed.as_ref()),
        }
    }

    pub fn box_secret(&self) -> Result<crate::BoxSecret, crate::SealError> {
        crate::BoxSecret::from_hex(&self.box_secret)
    }

    pub fn sender(&self) -> Option<Ed25519KeyPair> {
        let seed = Zeroizing::new(unhex(&self.sender_seed)?);
        Ed25519KeyPair::from_seed_unchecked(&seed).ok()
    }

    /// Whether these secrets are the ones `cert` names (a grant must not carry others).
    pub fn matches(&self, cert: &OrgKeyCert) -> bool {
        self.serial == cert.serial
            && self
                .box_secret()
                .is_ok_and(|b| b.public_hex() == cert.box_key)
            && self
                .sender()
                .is_some_and(|s| hex(s.public_key().as_ref()) == cert.sender_key)
    }
}

/// What a grant carries, sealed to one device: every key pair of its
/// organisation the granter holds, so that boxes sealed before a rotation still open.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyBundle {
    pub organisation: String,
    pub keys: Vec<OrgSecret>,
}

fn fill(bytes: &mut [u8]) {
    use ring::rand::SecureRandom;
    ring::rand::SystemRandom::new()
        .fill(bytes)
        .expect("system randomness");
}

/// The administrator's key file: the admin signing key and every key pair the
/// organisation ever had. It never goes to the server.
#[derive(Serialize, Deserialize)]
pub struct OrgKeyFile {
    pub organisation: String,
    /// PKCS#8 of the Ed25519 admin key, hex.
    pub admin_key: String,
    pub keys: Vec<OrgKeyEntry>,
}

#[derive(Serialize, Deserialize)]
pub struct OrgKeyEntry {
    #[serde(flatten)]
    pub secret: OrgSecret,
    pub issued_at: String,
    #[serde(default)]
    pub retired_at: Option<String>,
}

impl Drop for OrgKeyFile {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.admin_key.zeroize();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error("not a Senda organisation key file")]
    Malformed,
    #[error("this key file is for organisation {0}")]
    OtherOrganisation(String),
}

impl OrgKeyFile {
    pub fn generate(organisation: &str, now: &str) -> Self {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("system randomness");
        Self {
            organisation: organisation.to_owned(),
            admin_key: hex(pkcs8.as_ref()),
            keys: vec![OrgKeyEntry {
                secret: OrgSecret::generate(1),
                issued_at: now.to_owned(),
                retired_at: None,
            }],
        }
    }

    pub fn from_json(text: &str, organisation: Option<&str>) -> Result<Self, KeyFileError> {
        let file: Self = serde_json::from_str(text).map_err(|_| KeyFileError::Malformed)?;
        if file.admin().is_none() || file.keys.is_empty() {
            return Err(KeyFileError::Malformed);
        }
        if let Some(org) = organisation
            && org != file.organisation
        {
            return Err(KeyFileError::OtherOrganisation(file.organisation.clone()));
        }
        Ok(file)
    }

    pub fn to_json(&self) -> Zeroizing<String> {
        Zeroizing::new(serde_json::to_string_pretty(self).expect("JSON"))
    }

    fn admin(&self) -> Option<Ed25519KeyPair> {
        let pkcs8 = Zeroizing::new(unhex(&self.admin_key)?);
        Ed25519KeyPair::from_pkcs8(&pkcs8).ok()
    }

    fn sign(&self, message: &[u8]) -> String {
        let admin = self.admin().expect("checked when the file was read");
        hex(admin.sign(message).as_ref())
    }

    pub fn admin_public(&self) -> String {
        let admin = self.admin().expect("checked when the file was read");
        hex(admin.public_key().as_ref())
    }

    pub fn fingerprint(&self) -> String {
        admin_fingerprint(&self.admin_public())
    }

    /// The newest key pair.
    pub fn current(&self) -> &OrgKeyEntry {
        self.keys
            .iter()
            .max_by_key(|k| k.secret.serial)
            .expect("a key file has a key")
    }

    /// A new key pair; the older ones are retired (kept, so what was sealed to them still opens).
    pub fn rotate(&mut self, now: &str) -> u32 {
        let serial = self.current().secret.serial + 1;
        for k in &mut self.keys {
            k.retired_at.get_or_insert_with(|| now.to_owned());
        }
        self.keys.push(OrgKeyEntry {
            secret: OrgSecret::generate(serial),
            issued_at: now.to_owned(),
            retired_at: None,
        });
        serial
    }

    /// A certificate for every key pair, signed now.
    pub fn certificates(&self) -> Vec<OrgKeyCert> {
        self.keys
            .iter()
            .map(|k| {
                let mut cert = OrgKeyCert {
                    organisation: self.organisation.clone(),
                    serial: k.secret.serial,
                    box_key: k
                        .secret
                        .box_secret()
                        .map(|b| b.public_hex())
                        .unwrap_or_default(),
                    sender_key: k
                        .secret
                        .sender()
                        .map(|s| hex(s.public_key().as_ref()))
                        .unwrap_or_default(),
                    issued_at: k.issued_at.clone(),
                    retired_at: k.retired_at.clone(),
                    signature: String::new(),
                };
                cert.signature = self.sign(&cert.message());
                cert
            })
            .collect()
    }

    /// Vouches for `trusted` (whose admin key the caller checked by fingerprint).
    pub fn trust(
        &self,
        trusted: &str,
        admin_key: &str,
        services: &[String],
        now: &str,
    ) -> OrgTrust {
        let mut t = OrgTrust {
            organisation: self.organisation.clone(),
            trusted: trusted.to_owned(),
            admin_key: admin_key.to_owned(),
            services: services.to_vec(),
            issued_at: now.to_owned(),
            signature: String::new(),
        };
        t.signature = self.sign(&t.message());
        t
    }

    /// Every key pair, for a grant.
    pub fn bundle(&self) -> KeyBundle {
        KeyBundle {
            organisation: self.organisation.clone(),
            keys: self.keys.iter().map(|k| k.secret.clone()).collect(),
        }
    }
}

/// Who sealed a box: a device, and the proof that it holds its organisation's
/// sender key (which only devices a person approved are given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoxSender {
    pub organisation: String,
    /// The serial of the organisation key whose sender key signed `membership`.
    pub serial: u32,
    pub device_id: String,
    /// The device's Ed25519 key, hex (bytes on the wire, like the box).
    #[serde(with = "crate::seal::wire_bytes")]
    pub device_key: String,
    /// The organisation's sender key over [`membership_message`], hex.
    #[serde(with = "crate::seal::wire_bytes")]
    pub membership: String,
    /// The device key over [`crate::seal::sender_message`] (ciphertext and AAD), hex.
    #[serde(with = "crate::seal::wire_bytes")]
    pub signature: String,
}

pub fn membership_message(
    organisation: &str,
    serial: u32,
    device_id: &str,
    device_key: &str,
) -> Vec<u8> {
    format!("senda-member-v1\n{organisation}\n{serial}\n{device_id}\n{device_key}").into_bytes()
}

/// A device's right to seal on behalf of its organisation, made with the
/// organisation's sender key once the device holds it.
pub fn membership(
    secret: &OrgSecret,
    organisation: &str,
    device_id: &str,
    device_key: &str,
) -> Option<String> {
    let sender = secret.sender()?;
    let message = membership_message(organisation, secret.serial, device_id, device_key);
    Some(hex(sender.sign(&message).as_ref()))
}

pub(crate) fn verify_membership(sender: &BoxSender, sender_key: &str) -> bool {
    one_line(&[&sender.organisation, &sender.device_id, &sender.device_key])
        && verify(
            sender_key,
            &membership_message(
                &sender.organisation,
                sender.serial,
                &sender.device_id,
                &sender.device_key,
            ),
            &sender.membership,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-12-03T10:00:00Z";

    #[test]
    fn fingerprints_are_short_stable_and_differ() {
        let a = admin_fingerprint("aa");
        assert_eq!(a.len(), 19);
        assert_eq!(a, admin_fingerprint("aa"));
        assert_ne!(a, admin_fingerprint("ab"));
        let d = device_fingerprint("d1", "k", "b");
        assert_eq!(d.len(), 14, "{d}");
        assert_ne!(d, device_fingerprint("d2", "k", "b"));
        assert_eq!(normalise_fingerprint("4f2a 91c3-x"), "4F2A91C3X");
    }

    #[test]
    fn certificates_verify_only_under_their_admin_key_and_unchanged() {
        let file = OrgKeyFile::generate("org1", NOW);
        let other = OrgKeyFile::generate("org1", NOW);
        let cert = &file.certificates()[0];
        assert!(cert.verify(&file.admin_public()));
        assert!(!cert.verify(&other.admin_public()));
        let mut swapped = cert.clone();
        swapped.box_key = other.certificates()[0].box_key.clone();
        assert!(!swapped.verify(&file.admin_public()), "a substituted key");
        let mut moved = cert.clone();
        moved.organisation = "org2".into();
        assert!(!moved.verify(&file.admin_public()));
        assert!(file.keys[0].secret.matches(cert));
        assert!(!other.keys[0].secret.matches(cert));
    }

    #[test]
    fn rotation_keeps_old_pairs_retired_and_signs_them_again() {
        let mut file = OrgKeyFile::generate("org1", NOW);
        let first = file.certificates()[0].clone();
        assert_eq!(file.rotate("2026-12-04T00:00:00Z"), 2);
        let certs = file.certificates();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0].box_key, first.box_key);
        assert_eq!(certs[0].retired_at.as_deref(), Some("2026-12-04T00:00:00Z"));
        assert!(certs.iter().all(|c| c.verify(&file.admin_public())));
        assert_eq!(file.current().secret.serial, 2);
        assert_eq!(file.bundle().keys.len(), 2);
        let back = OrgKeyFile::from_json(&file.to_json(), Some("org1")).unwrap();
        assert_eq!(back.certificates()[1].box_key, certs[1].box_key);
        assert!(matches!(
            OrgKeyFile::from_json(&file.to_json(), Some("org2")),
            Err(KeyFileError::OtherOrganisation(_))
        ));
        assert!(OrgKeyFile::from_json("{}", None).is_err());
    }

    #[test]
    fn trust_covers_its_services() {
        let a = OrgKeyFile::generate("a", NOW);
        let b = OrgKeyFile::generate("b", NOW);
        let t = a.trust("b", &b.admin_public(), &["svc-1".into()], NOW);
        assert!(t.verify(&a.admin_public()));
        let mut more = t.clone();
        more.services.push("svc-2".into());
        assert!(!more.verify(&a.admin_public()));
        let mut other = t.clone();
        other.admin_key = a.admin_public();
        assert!(!other.verify(&a.admin_public()));
    }
}
