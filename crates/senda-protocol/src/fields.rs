//! Record fields sealed to their organisation's key, so that the server
//! routes, orders and deduplicates a child's records without reading them.
//!
//! Every device of an organisation holds the organisation's secret (a person
//! approved each hand-over), and only they seal or open its records. So a
//! field needs no key agreement of its own: two keys are derived from the
//! secret once (HKDF-SHA256, ring), and each field that leaves a device
//! travels as a [`SealedField`]:
//!
//! - its value (deflated first when that makes it shorter) sealed with
//!   AES-256-GCM-SIV (RFC 8452, RustCrypto: ring has no misuse-resistant
//!   AEAD), bound to its entity, record, field and operation as associated
//!   data, with the nonce taken from a hash of that place, so a place sealed
//!   twice can only ever repeat the same box;
//! - a keyed hash of the value (HMAC-SHA256), so the server can tell whether
//!   two edits of a field agree without learning either value.
//!
//! Both travel as one CBOR byte string (hash, then box): 34 bytes more than
//! the value, where a box per field with its own key agreement cost 120. A
//! device holding several of its organisation's key pairs (after a rotation)
//! tries each. A box is believed only if its keyed hash also matches the
//! value under the same key: AES-GCM-SIV alone does not promise that a box
//! made by someone holding two keys opens under only one.
//!
//! The server holds the public key only: it can neither open a field nor
//! seal one that opens. Only the fields [`plain_field`] lists travel readable.

use crate::seal::{BoxSecret, SealError};
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use flate2::Compression;
use ring::digest::{SHA256, digest};
use ring::{hkdf, hmac};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use zeroize::Zeroizing;

/// Bytes of a field's keyed hash kept: 128 bits, ample for telling edits apart.
pub const FIELD_HASH_LEN: usize = 16;
/// Bytes AES-GCM-SIV adds to a value.
pub const TAG_LEN: usize = 16;
/// The most bytes a sealed value may open to (a deflated value is refused
/// past it, so a small box cannot unpack into a large one).
pub const MAX_OPENED_VALUE: usize = 256 * 1024;
/// Values shorter than this are never deflated: it would not pay.
const DEFLATE_FROM: usize = 96;

/// One field's value, sealed, with its keyed hash. On the wire one byte
/// string: the hash, then the box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedField {
    /// The keyed hash of the value ([`FieldKeys::hash`]).
    pub hash: Vec<u8>,
    /// AES-256-GCM-SIV ciphertext and tag.
    pub ct: Vec<u8>,
}

impl serde::Serialize for SealedField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(self.hash.len() + self.ct.len());
        bytes.extend_from_slice(&self.hash);
        bytes.extend_from_slice(&self.ct);
        s.serialize_bytes(&bytes)
    }
}

impl<'de> serde::Deserialize<'de> for SealedField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = serde_bytes::ByteBuf::deserialize(d)?.into_vec();
        if bytes.len() < FIELD_HASH_LEN + TAG_LEN {
            return Err(serde::de::Error::custom("a sealed field is too short"));
        }
        let mut hash = bytes;
        let ct = hash.split_off(FIELD_HASH_LEN);
        Ok(Self { hash, ct })
    }
}

/// Both sides of a conflict on a sealed field: the device opens and shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedConflict {
    /// The operation that sealed `theirs` (it is bound to it).
    pub theirs_op: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u8>))]
    pub theirs: SealedField,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u8>))]
    pub ours: SealedField,
}

/// Fields that travel readable, by entity: what the server needs to route,
/// order and count (ARCHITECTURE.md, "What the server reads"). Everything else is sealed.
pub fn plain_field(entity: &str, field: &str) -> bool {
    matches!(
        (entity, field),
        ("case", "country" | "week" | "age_band")
            | ("screening", "risk_level")
            | ("consent", "purpose")
            | (
                "referral",
                "code"
                    | "service_id"
                    | "screening_id"
                    | "status"
                    | "sealed_summary"
                    | "summary_withheld"
            )
    )
}

/// Where a sealed field belongs: it opens only there.
/// Each part is length-prefixed, so no choice of ids can make two places
/// read the same.
pub fn field_aad(entity: &str, entity_id: &str, field: &str, op_id: &str) -> Vec<u8> {
    let mut aad = b"senda-field-v2".to_vec();
    for part in [entity, entity_id, field, op_id] {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

/// A field's place: entity, record id, field path and the operation that sets it.
pub type FieldPlace<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The keys an organisation's devices derive from one of its secrets to seal
/// and hash record fields. The server, holding only the public key, has neither.
pub struct FieldKeys {
    seal: Aes256GcmSiv,
    hash: hmac::Key,
}

/// An HKDF output length for ring.
struct Len(usize);
impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// 32 bytes from the organisation's secret, for one use (`salt`, `info`).
fn derive(secret: &BoxSecret, salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let ikm = Zeroizing::new(crate::unhex(&secret.to_hex()).expect("a secret's own hex"));
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(&ikm);
    let mut key = Zeroizing::new([0u8; 32]);
    prk.expand(&[info], Len(32))
        .and_then(|okm| okm.fill(key.as_mut()))
        .expect("HKDF output of 32 bytes");
    key
}

impl FieldKeys {
    pub fn derive(secret: &BoxSecret) -> Self {
        let seal = derive(secret, b"senda-field-seal-v2", b"aes-256-gcm-siv");
        let hash = derive(secret, b"senda-field-hash-v1", b"hmac-sha256");
        Self {
            seal: Aes256GcmSiv::new_from_slice(seal.as_ref()).expect("a 32-byte key"),
            hash: hmac::Key::new(hmac::HMAC_SHA256, hash.as_ref()),
        }
    }

    /// The keyed hash of one field's value in one record (records never share hashes).
    pub fn hash(&self, entity_id: &str, field: &str, value: &[u8]) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.hash);
        for part in [entity_id.as_bytes(), field.as_bytes()] {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        ctx.update(value);
        ctx.sign().as_ref()[..FIELD_HASH_LEN].to_vec()
    }

    /// Seals one field of one operation.
    pub fn seal(&self, place: FieldPlace<'_>, value: &[u8]) -> SealedField {
        let (entity, entity_id, field, op_id) = place;
        let aad = field_aad(entity, entity_id, field, op_id);
        let packed = pack(value);
        let ct = self
            .seal
            .encrypt(
                &nonce(&aad),
                Payload {
                    msg: &packed,
                    aad: &aad,
                },
            )
            .expect("AES-GCM-SIV sealing in memory");
        SealedField {
            ct,
            hash: self.hash(entity_id, field, value),
        }
    }

    /// Opens a field sealed with these keys in its place, and believes it
    /// only if its keyed hash matches what opened: a field the server made,
    /// swapped or moved, or sealed with another key, does not open.
    pub fn open(
        &self,
        place: FieldPlace<'_>,
        field: &SealedField,
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let (entity, entity_id, path, op_id) = place;
        let aad = field_aad(entity, entity_id, path, op_id);
        let packed = Zeroizing::new(
            self.seal
                .decrypt(
                    &nonce(&aad),
                    Payload {
                        msg: &field.ct,
                        aad: &aad,
                    },
                )
                .map_err(|_| SealError::Damaged)?,
        );
        let plain = unpack(&packed)?;
        if self.hash(entity_id, path, &plain) != field.hash {
            return Err(SealError::ForgedSender);
        }
        Ok(plain)
    }
}

/// A value as sealed: a first byte saying how (0 as it is, 1 deflated), then
/// the bytes. Inside the box, so the server cannot change it.
fn pack(value: &[u8]) -> Vec<u8> {
    if value.len() >= DEFLATE_FROM {
        let mut z = flate2::write::DeflateEncoder::new(vec![1u8], Compression::default());
        z.write_all(value).expect("deflating in memory");
        let deflated = z.finish().expect("deflating in memory");
        if deflated.len() < value.len() + 1 {
            return deflated;
        }
    }
    let mut out = Vec::with_capacity(value.len() + 1);
    out.push(0);
    out.extend_from_slice(value);
    out
}

fn unpack(packed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    match packed.split_first() {
        Some((0, value)) => Ok(Zeroizing::new(value.to_vec())),
        Some((1, deflated)) => {
            let mut out = Zeroizing::new(Vec::new());
            flate2::read::DeflateDecoder::new(deflated)
                .take(MAX_OPENED_VALUE as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| SealError::Damaged)?;
            if out.len() > MAX_OPENED_VALUE {
                return Err(SealError::Damaged);
            }
            Ok(out)
        }
        _ => Err(SealError::Damaged),
    }
}

/// A place's nonce: the same place always gets the same one, and GCM-SIV
/// keeps even a place sealed twice with different values confidential but
/// for their equality.
fn nonce(aad: &[u8]) -> Nonce {
    let h = digest(&SHA256, aad);
    let mut n = [0u8; 12];
    n.copy_from_slice(&h.as_ref()[..12]);
    Nonce::from(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_opens_only_in_its_place_and_hashes_compare_only_with_the_key() {
        let org = BoxSecret::generate();
        let keys = FieldKeys::derive(&org);
        let place = ("case", "c1", "details.alias", "op1");
        let a = keys.seal(place, b"\"Luz\"");
        assert_eq!(keys.open(place, &a).unwrap().as_slice(), b"\"Luz\"");
        assert!(!a.ct.windows(3).any(|w| w == b"Luz"));
        // Another op, record, field or entity: refused.
        for other in [
            ("case", "c1", "details.alias", "op2"),
            ("case", "c2", "details.alias", "op1"),
            ("case", "c1", "details.name", "op1"),
            ("referral", "c1", "details.alias", "op1"),
        ] {
            assert_eq!(keys.open(other, &a), Err(SealError::Damaged), "{other:?}");
        }
        // Ids that would run together if the parts were only joined are still two places.
        assert_ne!(
            field_aad("case", "c1\nx", "y", "op1"),
            field_aad("case", "c1", "x\ny", "op1")
        );
        // Another organisation's keys (or a key pair before a rotation): it does not open.
        let stranger = FieldKeys::derive(&BoxSecret::generate());
        assert_eq!(stranger.open(place, &a), Err(SealError::Damaged));
        // A flipped bit.
        let mut flipped = a.clone();
        flipped.ct[0] ^= 1;
        assert_eq!(keys.open(place, &flipped), Err(SealError::Damaged));
        // Same value, same record and field: same hash, different box.
        let b = keys.seal(("case", "c1", "details.alias", "op2"), b"\"Luz\"");
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.ct, b.ct);
        // Another value, record or organisation: another hash.
        assert_ne!(keys.hash("c1", "details.alias", b"\"Sol\""), a.hash);
        assert_ne!(keys.hash("c2", "details.alias", b"\"Luz\""), a.hash);
        assert_ne!(stranger.hash("c1", "details.alias", b"\"Luz\""), a.hash);
        // On the wire: one byte string, no hex text; the value plus a byte
        // saying how it was packed, 16 bytes of tag, 16 of hash and CBOR's header.
        let wire = crate::encode(&a);
        assert_eq!(wire.len(), 2 + 16 + 1 + 5 + 16, "{wire:?}");
        assert!(
            !wire
                .windows(4)
                .any(|w| w == crate::hex(&a.ct[..2]).as_bytes())
        );
        assert_eq!(crate::decode::<SealedField>(&wire).unwrap(), a);
    }

    #[test]
    fn keys_come_from_the_secret_alone_and_long_values_are_deflated() {
        let org = BoxSecret::generate();
        let keys = FieldKeys::derive(&org);
        let sealed = keys.seal(("case", "c1", "notes.needs", "op1"), b"\"agua\"");
        // Another device of the organisation derives the same keys from the same secret.
        let again = FieldKeys::derive(&BoxSecret::from_hex(&org.to_hex()).unwrap());
        assert_eq!(
            again
                .open(("case", "c1", "notes.needs", "op1"), &sealed)
                .unwrap()
                .as_slice(),
            b"\"agua\""
        );
        // The same place sealed again repeats the same box: nothing new is learnt.
        assert_eq!(
            again.seal(("case", "c1", "notes.needs", "op1"), b"\"agua\""),
            sealed
        );
        // A long value (an evaluation's actions in three languages) travels deflated.
        let long = "Deriva hoy a la autoridad de protección de la niñez. ".repeat(20);
        let place = ("screening", "s1", "evaluation", "op2");
        let big = keys.seal(place, long.as_bytes());
        assert!(big.ct.len() < long.len() / 4, "{} bytes", big.ct.len());
        assert_eq!(keys.open(place, &big).unwrap().as_slice(), long.as_bytes());
    }

    #[test]
    fn a_packed_value_opens_only_as_it_was_packed_and_never_past_the_limit() {
        assert_eq!(unpack(&pack(b"short")).unwrap().as_slice(), b"short");
        assert_eq!(unpack(&[]), Err(SealError::Damaged));
        assert_eq!(unpack(&[2, 1, 2, 3]), Err(SealError::Damaged));
        assert_eq!(unpack(&[1, 0xff, 0xff]), Err(SealError::Damaged));
        // A few hundred bytes that would unpack into more than a value may hold.
        let bomb = pack(&vec![b'a'; MAX_OPENED_VALUE + 1]);
        assert!(bomb.len() < 2_000, "{} bytes", bomb.len());
        assert_eq!(unpack(&bomb), Err(SealError::Damaged));
        let most = pack(&vec![b'a'; MAX_OPENED_VALUE]);
        assert_eq!(unpack(&most).unwrap().len(), MAX_OPENED_VALUE);
    }

    #[test]
    fn a_sealed_field_too_short_to_hold_a_hash_and_a_tag_is_refused() {
        let short = crate::encode(&serde_bytes::ByteBuf::from(vec![0u8; 31]));
        assert!(crate::decode::<SealedField>(&short).is_err());
        let least = crate::encode(&serde_bytes::ByteBuf::from(vec![0u8; 32]));
        let field = crate::decode::<SealedField>(&least).unwrap();
        assert_eq!((field.hash.len(), field.ct.len()), (16, 16));
    }

    #[test]
    fn only_routing_and_statistic_fields_are_plain() {
        assert!(plain_field("referral", "status"));
        assert!(plain_field("case", "country"));
        for (entity, field) in [
            ("case", "details.alias"),
            ("case", "notes.needs"),
            ("screening", "evaluation"),
            ("consent", "basis"),
            ("referral", "follow_up"),
            ("referral", "summary"),
        ] {
            assert!(!plain_field(entity, field), "{entity} {field}");
        }
    }

    #[test]
    fn a_field_made_without_the_organisations_secret_does_not_open() {
        let org = BoxSecret::generate();
        let keys = FieldKeys::derive(&org);
        let place = ("case", "c1", "details.alias", "op1");
        let real = keys.seal(place, b"\"Luz\"");
        // The server saw a real hash: it can copy it, but not make a box that opens.
        let planted = SealedField {
            ct: vec![0x5a; real.ct.len()],
            ..real.clone()
        };
        assert_eq!(keys.open(place, &planted), Err(SealError::Damaged));
        // A real box with another value's hash (a value swapped in from elsewhere).
        let swapped = SealedField {
            hash: keys.hash("c1", "details.alias", b"\"Sol\""),
            ..real
        };
        assert_eq!(keys.open(place, &swapped), Err(SealError::ForgedSender));
    }
}
