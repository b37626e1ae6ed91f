//! Sealing bytes to a recipient's X25519 public key, so that whoever carries
//! or stores them (the central server, a USB stick) cannot read them.
//!
//! An ephemeral X25519 key agrees a secret with the recipient's key;
//! HKDF-SHA256 (ring) turns it into a single-use AES-256-GCM key (ring).
//! Because each key seals exactly one message, the nonce can be fixed.
//! The associated data binds a sealed box to its place (a referral id, a
//! device id), so it cannot be moved to another record and opened there.
//! ring has no static X25519 keys, so the agreement is x25519-dalek's.

use crate::trust::BoxSender;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::digest::{SHA256, digest};
use ring::hkdf;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

const INFO: &[u8] = b"senda-seal-v1";

/// A sealed message: who it is for, the ephemeral key, and the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedBox {
    /// The recipient's public key (hex), so a holder of several keys knows which opens it.
    #[serde(with = "wire_bytes")]
    pub to: String,
    /// The sender's ephemeral public key (hex).
    #[serde(with = "wire_bytes")]
    pub epk: String,
    /// AES-256-GCM ciphertext and tag (hex).
    #[serde(with = "wire_bytes")]
    pub ct: String,
    /// Who sealed it (a device of an organisation), signed over the ciphertext
    /// and its associated data: see [`seal_signed`] and [`open_signed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<BoxSender>,
}

/// A box's keys and ciphertext are hex in memory and in JSON (the admin API,
/// the server's tables), but CBOR byte strings on the wire and in batch
/// files: half the size of hex text. Hex text is still read, so boxes
/// written by an earlier version open.
pub(crate) mod wire_bytes {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hex: &str, s: S) -> Result<S::Ok, S::Error> {
        match crate::unhex(hex) {
            Some(bytes) if !s.is_human_readable() => s.serialize_bytes(&bytes),
            _ => s.serialize_str(hex),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        struct HexOrBytes;
        impl Visitor<'_> for HexOrBytes {
            type Value = String;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string or hex text")
            }
            fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<String, E> {
                Ok(crate::hex(v))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
                match crate::unhex(v) {
                    Some(_) => Ok(v.to_owned()),
                    None => Err(E::custom("not hex")),
                }
            }
        }
        crate::text_or_compact(d, HexOrBytes)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not a valid X25519 key")]
    BadKey,
    #[error("sealed for another key")]
    WrongRecipient,
    #[error("the sealed box is damaged or was not sealed for this place")]
    Damaged,
    #[error("the sealed box does not say who sealed it")]
    Unsigned,
    #[error("the sealed box names a sender this device has no verified key for")]
    UnknownSender,
    #[error("the sealed box's sender signature does not verify")]
    ForgedSender,
}

/// A recipient's long-lived secret (an organisation's, a device's, the server's).
/// Its public key is computed once, when the secret is made or read: sealing
/// and opening ask for it on every field.
pub struct BoxSecret {
    secret: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl BoxSecret {
    fn new(secret: Zeroizing<[u8; 32]>) -> Self {
        let public = *PublicKey::from(&StaticSecret::from(*secret)).as_bytes();
        Self { secret, public }
    }

    pub fn generate() -> Self {
        use ring::rand::SecureRandom;
        let mut bytes = Zeroizing::new([0u8; 32]);
        ring::rand::SystemRandom::new()
            .fill(bytes.as_mut())
            .expect("system randomness");
        Self::new(bytes)
    }

    pub fn from_hex(text: &str) -> Result<Self, SealError> {
        let bytes = Zeroizing::new(crate::unhex(text.trim()).ok_or(SealError::BadKey)?);
        let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| SealError::BadKey)?;
        Ok(Self::new(Zeroizing::new(array)))
    }

    /// The secret as hex, for storing it encrypted (in the vault) or in a key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::hex(self.secret.as_ref()))
    }

    /// The secret itself, for deriving keys from it without a copy.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    pub fn public_hex(&self) -> String {
        crate::hex(&self.public)
    }

    /// Opens a box sealed to this secret's public key under the same `aad`.
    pub fn open(&self, sealed: &SealedBox, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.to != self.public_hex() {
            return Err(SealError::WrongRecipient);
        }
        let epk = public_key(&sealed.epk).map_err(|_| SealError::Damaged)?;
        let shared = StaticSecret::from(*self.secret).diffie_hellman(&epk);
        if !shared.was_contributory() {
            return Err(SealError::Damaged);
        }
        let key = derive_key(shared.as_bytes(), &sealed.epk, &sealed.to);
        let mut data = Zeroizing::new(crate::unhex(&sealed.ct).ok_or(SealError::Damaged)?);
        let plain = key
            .open_in_place(
                Nonce::assume_unique_for_key([0; 12]),
                Aad::from(aad),
                &mut data,
            )
            .map_err(|_| SealError::Damaged)?
            .len();
        data.truncate(plain);
        Ok(data)
    }
}

fn public_key(text: &str) -> Result<PublicKey, SealError> {
    let bytes = crate::unhex(text).ok_or(SealError::BadKey)?;
    let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| SealError::BadKey)?;
    Ok(PublicKey::from(array))
}

fn derive_key(shared: &[u8; 32], epk: &str, to: &str) -> LessSafeKey {
    let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, format!("{epk}{to}").as_bytes());
    let prk = salt.extract(shared);
    let okm = prk
        .expand(&[INFO], &AES_256_GCM)
        .expect("HKDF output of one AES-256 key");
    LessSafeKey::new(UnboundKey::from(okm))
}

/// Seals `plain` to the holder of `recipient` (an X25519 public key, hex).
pub fn seal(recipient: &str, plain: &[u8], aad: &[u8]) -> Result<SealedBox, SealError> {
    use ring::agreement::{EphemeralPrivateKey, UnparsedPublicKey, X25519, agree_ephemeral};
    let to = public_key(recipient)?;
    // The sender's half is ephemeral, so ring's X25519 does it (faster than
    // the static-key agreement opening needs); ring refuses an all-zero
    // result, as `was_contributory` does.
    let ephemeral = EphemeralPrivateKey::generate(&X25519, &ring::rand::SystemRandom::new())
        .map_err(|_| SealError::BadKey)?;
    let epk = crate::hex(
        ephemeral
            .compute_public_key()
            .map_err(|_| SealError::BadKey)?
            .as_ref(),
    );
    let to = crate::hex(to.as_bytes());
    let key = agree_ephemeral(
        ephemeral,
        &UnparsedPublicKey::new(&X25519, crate::unhex(&to).ok_or(SealError::BadKey)?),
        |shared| {
            let shared: &[u8; 32] = shared.try_into().expect("X25519 agrees 32 bytes");
            derive_key(shared, &epk, &to)
        },
    )
    .map_err(|_| SealError::BadKey)?;
    let mut data = plain.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key([0; 12]),
        Aad::from(aad),
        &mut data,
    )
    .expect("AES-GCM sealing in memory");
    Ok(SealedBox {
        to,
        epk,
        ct: crate::hex(&data),
        sender: None,
    })
}

/// A tell-once summary (JSON) as sealed: packed as record fields are,
/// deflated when that makes it shorter (its labels come in three languages).
pub fn pack_summary(json: &[u8]) -> Vec<u8> {
    crate::fields::pack(json)
}

/// A summary as it opened, back to its JSON. One sealed by an earlier
/// version is its JSON as it is: it starts with `{`, never a packing byte.
pub fn unpack_summary(plain: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    match plain.first() {
        Some(b'{') => Ok(Zeroizing::new(plain.to_vec())),
        _ => crate::fields::unpack(plain),
    }
}

/// Whether `key` (hex) is an X25519 public key that agrees a secret nobody
/// else can predict: 32 bytes and not of low order.
pub fn usable_public_key(key: &str) -> bool {
    public_key(key).is_ok_and(|k| {
        StaticSecret::from(*BoxSecret::generate().secret)
            .diffie_hellman(&k)
            .was_contributory()
    })
}

/// A device sealing on behalf of its organisation.
pub struct Signer<'a> {
    pub organisation: &'a str,
    /// The serial of the organisation key pair whose sender key made `membership`.
    pub serial: u32,
    pub device_id: &'a str,
    pub device: &'a Ed25519KeyPair,
    /// [`crate::trust::membership`] for this device.
    pub membership: &'a str,
}

/// What the sending device signs: the box (recipient, ephemeral key, a hash of
/// the ciphertext and of the associated data) and who it claims to be.
pub fn sender_message(sealed: &SealedBox, aad: &[u8], sender: &BoxSender) -> Vec<u8> {
    let h = |b: &[u8]| crate::hex(digest(&SHA256, b).as_ref());
    format!(
        "senda-box-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        sealed.to,
        sealed.epk,
        h(aad),
        h(sealed.ct.as_bytes()),
        sender.organisation,
        sender.serial,
        sender.device_id,
        sender.device_key
    )
    .into_bytes()
}

/// Seals like [`seal`], then signs the box with the device key, so the
/// recipient knows it comes from a device its organisation let in and a
/// server cannot plant one of its own.
pub fn seal_signed(
    recipient: &str,
    plain: &[u8],
    aad: &[u8],
    signer: &Signer<'_>,
) -> Result<SealedBox, SealError> {
    let mut sealed = seal(recipient, plain, aad)?;
    let mut sender = BoxSender {
        organisation: signer.organisation.to_owned(),
        serial: signer.serial,
        device_id: signer.device_id.to_owned(),
        device_key: crate::hex(signer.device.public_key().as_ref()),
        membership: signer.membership.to_owned(),
        signature: String::new(),
    };
    sender.signature = crate::hex(
        signer
            .device
            .sign(&sender_message(&sealed, aad, &sender))
            .as_ref(),
    );
    sealed.sender = Some(sender);
    Ok(sealed)
}

/// Opens a box only if its sender checks out: `sender_key` gives the verified
/// sender key of an organisation's key pair (by organisation and serial), or
/// `None` for an organisation this device does not trust. The signature is
/// checked before anything is decrypted.
pub fn open_signed(
    secret: &BoxSecret,
    sealed: &SealedBox,
    aad: &[u8],
    sender_key: impl Fn(&str, u32) -> Option<String>,
) -> Result<(Zeroizing<Vec<u8>>, BoxSender), SealError> {
    let sender = sealed.sender.as_ref().ok_or(SealError::Unsigned)?;
    let key = sender_key(&sender.organisation, sender.serial).ok_or(SealError::UnknownSender)?;
    if !crate::trust::verify_membership(sender, &key)
        || !crate::verify(
            &sender.device_key,
            &sender_message(sealed, aad, sender),
            &sender.signature,
        )
    {
        return Err(SealError::ForgedSender);
    }
    Ok((secret.open(sealed, aad)?, sender.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_travels_deflated_and_one_sealed_before_opens_as_it_was() {
        let summary = br#"{"indicators":[{"id":"sin-alojamiento","label":{"en":"No safe place to sleep","es":"Sin lugar seguro donde dormir","pt":"Sem lugar seguro para dormir"}},{"id":"sin-recursos","label":{"en":"No money or support","es":"Sin dinero ni apoyo","pt":"Sem dinheiro nem apoio"}}],"level":"high"}"#;
        let packed = pack_summary(summary);
        assert!(packed.len() < summary.len(), "{} bytes", packed.len());
        assert_eq!(unpack_summary(&packed).unwrap().as_slice(), summary);
        // Sealed by an earlier version: its JSON, unpacked.
        assert_eq!(unpack_summary(summary).unwrap().as_slice(), summary);
        // Anything else is refused, not read.
        assert!(unpack_summary(&[9, 1, 2]).is_err());
        assert!(unpack_summary(&[]).is_err());
    }

    #[test]
    fn only_the_recipient_opens_and_only_in_its_place() {
        let alice = BoxSecret::generate();
        let sealed = seal(&alice.public_hex(), b"tell once", b"referral-1").unwrap();
        assert_eq!(
            alice.open(&sealed, b"referral-1").unwrap().as_slice(),
            b"tell once"
        );
        assert!(!sealed.ct.contains(&crate::hex(b"tell once")));
        // Another place, another key, a flipped bit: each refused.
        assert_eq!(alice.open(&sealed, b"referral-2"), Err(SealError::Damaged));
        let mallory = BoxSecret::generate();
        assert_eq!(
            mallory.open(&sealed, b"referral-1"),
            Err(SealError::WrongRecipient)
        );
        let mut flipped = sealed.clone();
        flipped
            .ct
            .replace_range(0..2, if &sealed.ct[0..2] == "00" { "01" } else { "00" });
        assert_eq!(alice.open(&flipped, b"referral-1"), Err(SealError::Damaged));
        // Each sealing uses a new ephemeral key.
        let again = seal(&alice.public_hex(), b"tell once", b"referral-1").unwrap();
        assert_ne!(again.epk, sealed.epk);
    }

    #[test]
    fn a_box_travels_as_bytes_and_hex_text_is_still_read() {
        let alice = BoxSecret::generate();
        let sealed = seal(&alice.public_hex(), b"tell once", b"r1").unwrap();
        let wire = crate::encode(&sealed);
        // 32 + 32 + 25 bytes and three short keys: no hex text.
        assert!(wire.len() < 110, "{} bytes", wire.len());
        assert!(!wire.windows(16).any(|w| w == &sealed.ct.as_bytes()[..16]));
        assert_eq!(crate::decode::<SealedBox>(&wire).unwrap(), sealed);
        // A box from an earlier version: hex text inside CBOR.
        #[derive(Serialize)]
        struct Old<'a> {
            to: &'a str,
            epk: &'a str,
            ct: &'a str,
        }
        let old = crate::encode(&Old {
            to: &sealed.to,
            epk: &sealed.epk,
            ct: &sealed.ct,
        });
        let read: SealedBox = crate::decode(&old).unwrap();
        assert_eq!(alice.open(&read, b"r1").unwrap().as_slice(), b"tell once");
        // JSON (admin API, server tables) keeps hex; text that is not hex is refused.
        let json = serde_json::to_value(&sealed).unwrap();
        assert_eq!(json["ct"], sealed.ct.as_str());
        assert_eq!(serde_json::from_value::<SealedBox>(json).unwrap(), sealed);
        let bad = crate::encode(&Old {
            to: &sealed.to,
            epk: &sealed.epk,
            ct: "not hex",
        });
        assert!(crate::decode::<SealedBox>(&bad).is_err());
    }

    #[test]
    fn a_secret_survives_hex_and_bad_keys_are_refused() {
        let s = BoxSecret::generate();
        let back = BoxSecret::from_hex(&s.to_hex()).unwrap();
        assert_eq!(back.public_hex(), s.public_hex());
        assert!(BoxSecret::from_hex("abcd").is_err());
        assert_eq!(seal("zz", b"x", b""), Err(SealError::BadKey));
        // The all-zero point would give a predictable secret.
        assert_eq!(seal(&"00".repeat(32), b"x", b""), Err(SealError::BadKey));
        // So would any low-order point (here the point of order 4 with u = 1).
        let order_four = format!("01{}", "00".repeat(31));
        assert!(!usable_public_key(&order_four));
        assert_eq!(seal(&order_four, b"x", b""), Err(SealError::BadKey));
        assert!(!usable_public_key(&"00".repeat(32)));
        assert!(!usable_public_key("abcd"));
        assert!(usable_public_key(&s.public_hex()));
    }

    #[test]
    fn a_signed_box_opens_only_with_its_real_sender() {
        use crate::trust::{OrgKeyFile, membership};
        let org = OrgKeyFile::generate("org1", "2026-12-03T00:00:00Z");
        let secret = &org.keys[0].secret;
        let cert = org.certificates()[0].clone();
        let rng = ring::rand::SystemRandom::new();
        let device =
            Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref())
                .unwrap();
        let device_key = crate::hex(device.public_key().as_ref());
        let member = membership(secret, "org1", "dev1", &device_key).unwrap();
        let signer = Signer {
            organisation: "org1",
            serial: 1,
            device_id: "dev1",
            device: &device,
            membership: &member,
        };
        let receiver = BoxSecret::generate();
        let sealed = seal_signed(&receiver.public_hex(), b"summary", b"r1", &signer).unwrap();
        let known = |o: &str, s: u32| (o == "org1" && s == 1).then(|| cert.sender_key.clone());
        let (plain, from) = open_signed(&receiver, &sealed, b"r1", known).unwrap();
        assert_eq!(plain.as_slice(), b"summary");
        assert_eq!(from.device_id, "dev1");
        // On the wire the sender's key and signatures are bytes too, and still verify.
        let wire = crate::encode(&sealed);
        let by = sealed.sender.as_ref().unwrap();
        for hex_text in [&by.device_key, &by.membership, &by.signature] {
            assert!(!wire.windows(32).any(|w| w == &hex_text.as_bytes()[..32]));
        }
        let back: SealedBox = crate::decode(&wire).unwrap();
        assert_eq!(back, sealed);
        assert!(open_signed(&receiver, &back, b"r1", known).is_ok());
        // Another place: the signature covers the associated data.
        assert_eq!(
            open_signed(&receiver, &sealed, b"r2", known).map(|_| ()),
            Err(SealError::ForgedSender)
        );
        // A box anyone could make (the server, with the receiver's public key): refused.
        let anonymous = seal(&receiver.public_hex(), b"forged", b"r1").unwrap();
        assert_eq!(
            open_signed(&receiver, &anonymous, b"r1", known).map(|_| ()),
            Err(SealError::Unsigned)
        );
        // A rogue device signs with its own key but has no membership from the organisation.
        let rogue =
            Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref())
                .unwrap();
        let rogue_signer = Signer {
            device: &rogue,
            ..signer
        };
        let planted = seal_signed(&receiver.public_hex(), b"forged", b"r1", &rogue_signer).unwrap();
        assert_eq!(
            open_signed(&receiver, &planted, b"r1", known).map(|_| ()),
            Err(SealError::ForgedSender)
        );
        // An organisation this device does not trust.
        assert_eq!(
            open_signed(&receiver, &sealed, b"r1", |_, _| None).map(|_| ()),
            Err(SealError::UnknownSender)
        );
        // A real sender's signature moved onto another ciphertext.
        let mut moved = seal(&receiver.public_hex(), b"forged", b"r1").unwrap();
        moved.sender = sealed.sender.clone();
        assert_eq!(
            open_signed(&receiver, &moved, b"r1", known).map(|_| ()),
            Err(SealError::ForgedSender)
        );
    }
}
