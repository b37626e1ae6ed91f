//! Sealing bytes to a recipient's X25519 public key, so that whoever carries
//! or stores them (the central server, a USB stick) cannot read them.
//!
//! An ephemeral X25519 key agrees a secret with the recipient's key;
//! HKDF-SHA256 (ring) turns it into a single-use AES-256-GCM key (ring).
//! Because each key seals exactly one message, the nonce can be fixed.
//! The associated data binds a sealed box to its place (a referral id, a
//! device id), so it cannot be moved to another record and opened there.
//! ring has no static X25519 keys, so the agreement is x25519-dalek's.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf;
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

const INFO: &[u8] = b"senda-seal-v1";

/// A sealed message: who it is for, the ephemeral key, and the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedBox {
    /// The recipient's public key (hex), so a holder of several keys knows which opens it.
    pub to: String,
    /// The sender's ephemeral public key (hex).
    pub epk: String,
    /// AES-256-GCM ciphertext and tag (hex).
    pub ct: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not a valid X25519 key")]
    BadKey,
    #[error("sealed for another key")]
    WrongRecipient,
    #[error("the sealed box is damaged or was not sealed for this place")]
    Damaged,
}

/// A recipient's long-lived secret (an organisation's, a device's, the server's).
pub struct BoxSecret(Zeroizing<[u8; 32]>);

impl BoxSecret {
    pub fn generate() -> Self {
        use ring::rand::SecureRandom;
        let mut bytes = Zeroizing::new([0u8; 32]);
        ring::rand::SystemRandom::new()
            .fill(bytes.as_mut())
            .expect("system randomness");
        Self(bytes)
    }

    pub fn from_hex(text: &str) -> Result<Self, SealError> {
        let bytes = Zeroizing::new(crate::unhex(text.trim()).ok_or(SealError::BadKey)?);
        let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| SealError::BadKey)?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The secret as hex, for storing it encrypted (in the vault) or in a key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::hex(self.0.as_ref()))
    }

    pub fn public_hex(&self) -> String {
        let secret = StaticSecret::from(*self.0);
        crate::hex(PublicKey::from(&secret).as_bytes())
    }

    /// Opens a box sealed to this secret's public key under the same `aad`.
    pub fn open(&self, sealed: &SealedBox, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.to != self.public_hex() {
            return Err(SealError::WrongRecipient);
        }
        let epk = public_key(&sealed.epk).map_err(|_| SealError::Damaged)?;
        let shared = StaticSecret::from(*self.0).diffie_hellman(&epk);
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
    let to = public_key(recipient)?;
    let ephemeral = BoxSecret::generate();
    let shared = StaticSecret::from(*ephemeral.0).diffie_hellman(&to);
    if !shared.was_contributory() {
        return Err(SealError::BadKey);
    }
    let epk = ephemeral.public_hex();
    let to = crate::hex(to.as_bytes());
    let key = derive_key(shared.as_bytes(), &epk, &to);
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_secret_survives_hex_and_bad_keys_are_refused() {
        let s = BoxSecret::generate();
        let back = BoxSecret::from_hex(&s.to_hex()).unwrap();
        assert_eq!(back.public_hex(), s.public_hex());
        assert!(BoxSecret::from_hex("abcd").is_err());
        assert_eq!(seal("zz", b"x", b""), Err(SealError::BadKey));
        // The all-zero point would give a predictable secret.
        assert_eq!(seal(&"00".repeat(32), b"x", b""), Err(SealError::BadKey));
    }
}
