//! The vault's data key and how each staff PIN wraps it.
//!
//! One random 256-bit data key encrypts the vault. Each staff member's PIN
//! derives (Argon2id, memory-hard, so a copied keyring costs an attacker as much
//! on a GPU as on a CPU) a key-encryption key that seals a copy of the data key
//! with AES-256-GCM (ring). Slots sealed before Argon2id (ring's PBKDF2-HMAC-SHA256)
//! still open, and the vault re-seals them with Argon2id at their next unlock.
//! Changing a PIN re-seals one copy; the data is never re-encrypted.

use argon2::{Algorithm, Argon2, Params, Version};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::pbkdf2;
use ring::rand::{SecureRandom, SystemRandom};
use std::num::NonZeroU32;
use zeroize::Zeroizing;

pub const KEY_LEN: usize = 32;
pub const SALT_LEN: usize = 16;

/// How a slot's key-encryption key is derived from the PIN (stored per slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// Slots sealed before Argon2id; only ever opened (then re-sealed), never made.
    Pbkdf2Sha256 { iterations: NonZeroU32 },
    Argon2id {
        memory_kib: u32,
        passes: u32,
        lanes: u32,
    },
}

/// The cost every new slot is sealed at: 128 MiB, 3 passes, one lane. Chosen by
/// measurement (docs/benchmarks.md, "PIN guessing"): about 0.4 s per unlock here.
pub const DEFAULT_KDF: Kdf = Kdf::Argon2id {
    memory_kib: 128 * 1024,
    passes: 3,
    lanes: 1,
};

/// A light cost for tests and benchmarks that measure something else. Never shipped.
pub const LIGHT_KDF: Kdf = Kdf::Argon2id {
    memory_kib: 8 * 1024,
    passes: 1,
    lanes: 1,
};

/// Bounds for a cost read back from the keyring, which anyone with the file can edit:
/// a cost outside them is damage, not a reason to allocate gigabytes.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MIN_MEMORY_KIB: u32 = 8 * 1024;
const MAX_PASSES: u32 = 16;
const MAX_LANES: u32 = 8;
const MIN_PBKDF2_ITERATIONS: u32 = 100_000;
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

impl Kdf {
    /// The argon2 parameters, or `None` when out of bounds.
    fn argon2(self) -> Option<Argon2<'static>> {
        let Kdf::Argon2id {
            memory_kib,
            passes,
            lanes,
        } = self
        else {
            return None;
        };
        if !(MIN_MEMORY_KIB..=MAX_MEMORY_KIB).contains(&memory_kib)
            || !(1..=MAX_PASSES).contains(&passes)
            || !(1..=MAX_LANES).contains(&lanes)
        {
            return None;
        }
        let params = Params::new(memory_kib, passes, lanes, Some(KEY_LEN)).ok()?;
        Some(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Whether a slot sealed this way should be sealed again at `target`: any PBKDF2
    /// slot, or an Argon2id one that costs less (never a downgrade).
    pub fn needs_upgrade_to(self, target: Kdf) -> bool {
        match (self, target) {
            (Kdf::Pbkdf2Sha256 { .. }, _) => true,
            (
                Kdf::Argon2id {
                    memory_kib, passes, ..
                },
                Kdf::Argon2id {
                    memory_kib: m,
                    passes: t,
                    ..
                },
            ) => memory_kib < m || passes < t,
            (Kdf::Argon2id { .. }, Kdf::Pbkdf2Sha256 { .. }) => false,
        }
    }

    /// Whether these stored parameters are within the bounds this build accepts.
    pub fn is_sane(self) -> bool {
        match self {
            Kdf::Pbkdf2Sha256 { iterations } => {
                (MIN_PBKDF2_ITERATIONS..=MAX_PBKDF2_ITERATIONS).contains(&iterations.get())
            }
            Kdf::Argon2id { .. } => self.argon2().is_some(),
        }
    }
}

/// The vault's data key. Zeroed when dropped, never written anywhere unwrapped.
pub struct DataKey(pub(super) Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(bytes.as_mut());
        Self(bytes)
    }

    /// The SQLCipher `PRAGMA key` statement for a raw key: `PRAGMA key = "x'<hex>'";`.
    /// A raw key skips SQLCipher's own KDF, which our PIN wrapping already does.
    /// The buffer is sized once, so no reallocation leaves an unwiped copy behind.
    pub fn sqlcipher_key_statement(&self) -> Zeroizing<String> {
        const PREFIX: &str = "PRAGMA key = \"x'";
        const SUFFIX: &str = "'\";";
        let mut s = Zeroizing::new(String::with_capacity(
            PREFIX.len() + 2 * KEY_LEN + SUFFIX.len(),
        ));
        let capacity = s.capacity();
        s.push_str(PREFIX);
        for b in self.0.iter() {
            s.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
            s.push(char::from_digit((b & 0xf) as u32, 16).unwrap_or('0'));
        }
        s.push_str(SUFFIX);
        debug_assert_eq!(s.capacity(), capacity, "the key string never reallocates");
        s
    }
}

/// A data key sealed under one PIN, as stored in the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub salt: [u8; SALT_LEN],
    pub kdf: Kdf,
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the GCM tag.
    pub sealed: Vec<u8>,
}

impl WrappedKey {
    /// Seal `key` under `pin` with Argon2id at `kdf`. `context` (the slot id) is bound
    /// as associated data so that a sealed key copied into another slot does not open.
    pub fn seal(key: &DataKey, pin: &str, kdf: Kdf, context: &[u8]) -> Self {
        let mut salt = [0u8; SALT_LEN];
        fill_random(&mut salt);
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce);
        let kek =
            derive_kek(pin, &salt, kdf).expect("the vault seals only at a sane Argon2id cost");
        let mut sealed = key.0.to_vec();
        kek.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context),
            &mut sealed,
        )
        .expect("AES-GCM sealing 32 bytes cannot fail");
        Self {
            salt,
            kdf,
            nonce,
            sealed,
        }
    }

    /// Seal the old way (PBKDF2), only to test that such slots still open and get upgraded.
    #[cfg(test)]
    pub fn seal_pbkdf2(key: &DataKey, pin: &str, iterations: u32, context: &[u8]) -> Self {
        let mut w = Self::seal(key, pin, LIGHT_KDF, context);
        w.kdf = Kdf::Pbkdf2Sha256 {
            iterations: NonZeroU32::new(iterations).expect("non-zero"),
        };
        let kek = derive_kek(pin, &w.salt, w.kdf).expect("sane");
        let mut sealed = key.0.to_vec();
        kek.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(w.nonce),
            Aad::from(context),
            &mut sealed,
        )
        .expect("sealing cannot fail");
        w.sealed = sealed;
        w
    }

    /// Open with `pin`; `None` means the PIN (or the context) is wrong.
    pub fn open(&self, pin: &str, context: &[u8]) -> Option<DataKey> {
        let kek = derive_kek(pin, &self.salt, self.kdf)?;
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

fn derive_kek(pin: &str, salt: &[u8], kdf: Kdf) -> Option<LessSafeKey> {
    if !kdf.is_sane() {
        return None;
    }
    let mut kek = Zeroizing::new([0u8; KEY_LEN]);
    match kdf {
        Kdf::Pbkdf2Sha256 { iterations } => pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            salt,
            pin.as_bytes(),
            kek.as_mut(),
        ),
        // argon2's `zeroize` feature wipes its working memory when it is done.
        Kdf::Argon2id { .. } => kdf
            .argon2()?
            .hash_password_into(pin.as_bytes(), salt, kek.as_mut())
            .ok()?,
    }
    let key =
        UnboundKey::new(&AES_256_GCM, kek.as_ref()).expect("32-byte key is valid for AES-256");
    Some(LessSafeKey::new(key))
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

/// The id of a record or change that may leave the device: a UUIDv7 (RFC
/// 9562; its first 48 bits the time in milliseconds, 74 of the rest random)
/// as 32 hex, the form `random_id` has. Ids made one after another sort
/// together, so the vault's and the server's indexes grow at one end
/// instead of each row touching a page of its own (docs/benchmarks.md). The
/// time it carries tells no more than the change's clock, which leaves with it.
pub fn record_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut random = [0u8; 10];
    fill_random(&mut random);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .simple()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_look_like_random_ones_and_sort_in_the_order_made() {
        let first = record_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = record_id();
        for id in [&first, &second] {
            assert_eq!(id.len(), 32);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
        }
        assert!(first < second);
        assert_ne!(record_id(), record_id(), "random within a millisecond");
    }

    #[test]
    fn right_pin_opens_wrong_pin_and_wrong_slot_do_not() {
        let key = DataKey::generate();
        let w = WrappedKey::seal(&key, "246810", LIGHT_KDF, b"slot-a");
        let opened = w.open("246810", b"slot-a").expect("right PIN opens");
        assert_eq!(*opened.0, *key.0);
        assert!(w.open("246811", b"slot-a").is_none());
        assert!(w.open("246810", b"slot-b").is_none());
    }

    #[test]
    fn two_seals_of_one_key_differ() {
        let key = DataKey::generate();
        let a = WrappedKey::seal(&key, "246810", LIGHT_KDF, b"s");
        let b = WrappedKey::seal(&key, "246810", LIGHT_KDF, b"s");
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.sealed, b.sealed);
    }

    #[test]
    fn a_slot_sealed_with_pbkdf2_still_opens() {
        let key = DataKey::generate();
        let w = WrappedKey::seal_pbkdf2(&key, "246810", 100_000, b"s");
        assert!(matches!(w.kdf, Kdf::Pbkdf2Sha256 { .. }));
        assert_eq!(*w.open("246810", b"s").unwrap().0, *key.0);
        assert!(w.open("246811", b"s").is_none());
    }

    #[test]
    fn an_absurd_stored_cost_is_refused_without_deriving() {
        let key = DataKey::generate();
        let mut w = WrappedKey::seal(&key, "246810", LIGHT_KDF, b"s");
        for kdf in [
            Kdf::Argon2id {
                memory_kib: 64 * 1024 * 1024,
                passes: 1,
                lanes: 1,
            },
            Kdf::Argon2id {
                memory_kib: 8 * 1024,
                passes: 1_000_000,
                lanes: 1,
            },
            Kdf::Argon2id {
                memory_kib: 1,
                passes: 1,
                lanes: 1,
            },
            Kdf::Pbkdf2Sha256 {
                iterations: NonZeroU32::new(1).unwrap(),
            },
        ] {
            w.kdf = kdf;
            assert!(!kdf.is_sane(), "{kdf:?}");
            assert!(w.open("246810", b"s").is_none());
        }
        assert!(DEFAULT_KDF.is_sane() && LIGHT_KDF.is_sane());
    }

    #[test]
    fn the_key_statement_is_a_raw_hex_key() {
        let v = DataKey::generate().sqlcipher_key_statement();
        assert!(v.starts_with("PRAGMA key = \"x'") && v.ends_with("'\";"));
        assert_eq!(v.len(), "PRAGMA key = \"x''\";".len() + 64);
        assert_eq!(v.len(), v.capacity());
    }
}
