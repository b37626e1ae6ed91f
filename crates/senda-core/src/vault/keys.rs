//! The vault's data key and how each staff PIN wraps it.
//!
//! One random 256-bit data key encrypts the vault. Each staff member's PIN
//! derives (PBKDF2-HMAC-SHA256) a key-encryption key that seals a copy of the
//! data key with AES-256-GCM. Changing a PIN re-seals one copy; the data is
//! never re-encrypted. All primitives come from `ring`.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::pbkdf2;
use ring::rand::{SecureRandom, SystemRandom};
use std::num::NonZeroU32;
use zeroize::{Zeroize, Zeroizing};

pub const KEY_LEN: usize = 32;
pub const SALT_LEN: usize = 16;
/// OWASP's 2023 floor for PBKDF2-HMAC-SHA256.
pub const DEFAULT_KDF_ITERATIONS: u32 = 600_000;

/// The vault's data key. Zeroed when dropped, never written anywhere unwrapped.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(bytes.as_mut());
        Self(bytes)
    }

    /// The SQLCipher `PRAGMA key` value for a raw key: `x'<hex>'`.
    /// A raw key skips SQLCipher's own KDF, which our PIN wrapping already does.
    pub fn sqlcipher_pragma_value(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(3 + 2 * KEY_LEN));
        s.push_str("x'");
        for b in self.0.iter() {
            s.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
            s.push(char::from_digit((b & 0xf) as u32, 16).unwrap_or('0'));
        }
        s.push('\'');
        s
    }
}

/// A data key sealed under one PIN, as stored in the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub salt: [u8; SALT_LEN],
    pub iterations: NonZeroU32,
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the GCM tag.
    pub sealed: Vec<u8>,
}

impl WrappedKey {
    /// Seal `key` under `pin`. `context` (the slot id) is bound as associated
    /// data so that a sealed key copied into another slot does not open.
    pub fn seal(key: &DataKey, pin: &str, iterations: NonZeroU32, context: &[u8]) -> Self {
        let mut salt = [0u8; SALT_LEN];
        fill_random(&mut salt);
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce);
        let kek = derive_kek(pin, &salt, iterations);
        let mut sealed = key.0.to_vec();
        kek.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context),
            &mut sealed,
        )
        .expect("AES-GCM sealing 32 bytes cannot fail");
        Self {
            salt,
            iterations,
            nonce,
            sealed,
        }
    }

    /// Open with `pin`; `None` means the PIN (or the context) is wrong.
    pub fn open(&self, pin: &str, context: &[u8]) -> Option<DataKey> {
        let kek = derive_kek(pin, &self.salt, self.iterations);
        let mut buf = Zeroizing::new(self.sealed.clone());
        let plain = kek
            .open_in_place(
                Nonce::assume_unique_for_key(self.nonce),
                Aad::from(context),
                buf.as_mut_slice(),
            )
            .ok()?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if plain.len() != KEY_LEN {
            return None;
        }
        key.copy_from_slice(plain);
        Some(DataKey(key))
    }
}

fn derive_kek(pin: &str, salt: &[u8], iterations: NonZeroU32) -> LessSafeKey {
    let mut kek = [0u8; KEY_LEN];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        pin.as_bytes(),
        &mut kek,
    );
    let key = UnboundKey::new(&AES_256_GCM, &kek).expect("32-byte key is valid for AES-256");
    kek.zeroize();
    LessSafeKey::new(key)
}

pub fn fill_random(buf: &mut [u8]) {
    SystemRandom::new()
        .fill(buf)
        .expect("the operating system's random source failed");
}

/// A random id, hex-encoded (for staff slots and the vault itself).
pub fn random_id() -> String {
    let mut b = [0u8; 16];
    fill_random(&mut b);
    crate::hex::encode(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: NonZeroU32 = NonZeroU32::new(1_000).unwrap();

    #[test]
    fn right_pin_opens_wrong_pin_and_wrong_slot_do_not() {
        let key = DataKey::generate();
        let w = WrappedKey::seal(&key, "246810", FAST, b"slot-a");
        let opened = w.open("246810", b"slot-a").expect("right PIN opens");
        assert_eq!(*opened.0, *key.0);
        assert!(w.open("246811", b"slot-a").is_none());
        assert!(w.open("246810", b"slot-b").is_none());
    }

    #[test]
    fn two_seals_of_one_key_differ() {
        let key = DataKey::generate();
        let a = WrappedKey::seal(&key, "246810", FAST, b"s");
        let b = WrappedKey::seal(&key, "246810", FAST, b"s");
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.sealed, b.sealed);
    }

    #[test]
    fn pragma_value_is_hex_literal() {
        let v = DataKey::generate().sqlcipher_pragma_value();
        assert!(v.starts_with("x'") && v.ends_with('\''));
        assert_eq!(v.len(), 3 + 64);
    }
}
