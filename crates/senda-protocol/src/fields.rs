//! Record fields sealed to their organisation's key, so that the server
//! routes, orders and deduplicates a child's records without reading them.
//!
//! Every device of an organisation holds the organisation's secret (a person
//! approved each hand-over), and only they seal or open its records. So the
//! fields need no key agreement of their own: two keys are derived from the
//! secret once (HKDF-SHA256, ring), and the sealed fields of one operation
//! travel together as [`SealedFields`]:
//!
//! - one box holding every sealed field's value (a CBOR map by path, deflated
//!   first when that makes it shorter), sealed with AES-256-GCM-SIV (RFC 8452,
//!   RustCrypto: ring has no misuse-resistant AEAD), bound to its entity,
//!   record and operation as associated data, with the nonce taken from a
//!   hash of that place, so a place sealed twice can only ever repeat the
//!   same box. One box per operation pays for one tag and deflates the
//!   fields together (a screening's answers repeat each other's words);
//! - a keyed hash (HMAC-SHA256) of the whole box's contents, which an opened
//!   box must match: AES-GCM-SIV alone does not promise that a box made by
//!   someone holding two keys opens under only one;
//! - for an operation that changes an existing record, a keyed hash of each
//!   field's value by a keyed id of the field (both 64 bits, keyed per
//!   record), so the server can tell whether two edits of a field agree
//!   without learning either value, nor which field it is. A record's
//!   creation never conflicts (no other edit can share its base), so it
//!   sends none.
//!
//! A device holding several of its organisation's key pairs (after a
//! rotation) tries each. The server holds the public key only: it can neither
//! open a box nor seal one that opens. Only the fields [`plain_field`] lists
//! travel readable.

use crate::seal::{BoxSecret, SealError};
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use flate2::Compression;
use ring::digest::{SHA256, digest};
use ring::{hkdf, hmac};
use serde::{Deserialize, Serialize};
use std::io::Read;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Bytes of a box's check kept: 128 bits (it stands in for key commitment).
pub const FIELD_HASH_LEN: usize = 16;
/// Bytes of a field's id and of its value's keyed hash: 64 bits each, ample
/// for telling apart the fields of one record and two edits of one field.
pub const FIELD_ID_LEN: usize = 8;
pub const VALUE_HASH_LEN: usize = 8;
/// Bytes AES-GCM-SIV adds to a box.
pub const TAG_LEN: usize = 16;
/// The most bytes a box may open to (a deflated box is refused past it, so
/// a small box cannot unpack into a large one).
pub const MAX_OPENED_VALUE: usize = 256 * 1024;
/// Sealed fields in one op (a screening's answers are sealed one by one).
pub const MAX_SEALED_FIELDS: usize = 256;
/// Boxes shorter than this are never deflated: it would not pay.
const DEFLATE_FROM: usize = 96;

/// The sealed fields of one operation. On the wire a CBOR array: the check,
/// the map of value hashes by field id (byte strings), then the box.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedFields {
    /// Keyed hash of the box's contents ([`FieldKeys::open`] checks it).
    pub check: Vec<u8>,
    /// Keyed hash of each field's value ([`FieldKeys::hash`]) by the field's
    /// id ([`FieldKeys::field_id`]); only in an operation that changes an
    /// existing record.
    pub hashes: BTreeMap<Vec<u8>, Vec<u8>>,
    /// AES-256-GCM-SIV ciphertext and tag of every field's value.
    pub ct: Vec<u8>,
}

impl SealedFields {
    pub fn is_empty(&self) -> bool {
        self.ct.is_empty() && self.hashes.is_empty() && self.check.is_empty()
    }
}

impl Serialize for SealedFields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeTuple};
        /// Byte strings on the wire; hex text as JSON's map keys.
        struct Hashes<'a>(&'a BTreeMap<Vec<u8>, Vec<u8>>);
        impl Serialize for Hashes<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let text = s.is_human_readable();
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (id, hash) in self.0 {
                    if text {
                        m.serialize_entry(&crate::hex(id), serde_bytes::Bytes::new(hash))?;
                    } else {
                        m.serialize_entry(
                            serde_bytes::Bytes::new(id),
                            serde_bytes::Bytes::new(hash),
                        )?;
                    }
                }
                m.end()
            }
        }
        let mut t = s.serialize_tuple(3)?;
        t.serialize_element(serde_bytes::Bytes::new(&self.check))?;
        t.serialize_element(&Hashes(&self.hashes))?;
        t.serialize_element(serde_bytes::Bytes::new(&self.ct))?;
        t.end()
    }
}

/// The value hashes of a [`SealedFields`], stopped while decoding at
/// [`MAX_SEALED_FIELDS`], each id and hash of its one length.
struct Hashes;

impl<'de> serde::de::DeserializeSeed<'de> for Hashes {
    type Value = BTreeMap<Vec<u8>, Vec<u8>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

/// A field id: a byte string on the wire, hex text as a JSON map key.
struct FieldId(Vec<u8>);

impl<'de> Deserialize<'de> for FieldId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Id;
        impl serde::de::Visitor<'_> for Id {
            type Value = FieldId;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a field id")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<FieldId, E> {
                Ok(FieldId(v.to_vec()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FieldId, E> {
                crate::unhex(v)
                    .map(FieldId)
                    .ok_or_else(|| E::custom("a field id is not hex"))
            }
        }
        d.deserialize_any(Id)
    }
}

impl<'de> serde::de::Visitor<'de> for Hashes {
    type Value = BTreeMap<Vec<u8>, Vec<u8>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of value hashes by field id")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(FieldId(id)) = map.next_key()? {
            if out.len() == MAX_SEALED_FIELDS {
                return Err(crate::bounded::over(
                    "too many sealed fields in an operation",
                ));
            }
            let hash = map.next_value::<serde_bytes::ByteBuf>()?.into_vec();
            if id.len() != FIELD_ID_LEN || hash.len() != VALUE_HASH_LEN {
                return Err(serde::de::Error::custom(
                    "a field id or value hash has the wrong length",
                ));
            }
            out.insert(id, hash);
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for SealedFields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = SealedFields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("sealed fields: a check, field hashes and a box")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SealedFields, A::Error> {
                use serde::de::Error;
                let missing = || A::Error::custom("sealed fields are incomplete");
                let check = seq
                    .next_element::<serde_bytes::ByteBuf>()?
                    .ok_or_else(missing)?
                    .into_vec();
                let hashes = seq.next_element_seed(Hashes)?.ok_or_else(missing)?;
                let ct = seq
                    .next_element::<serde_bytes::ByteBuf>()?
                    .ok_or_else(missing)?
                    .into_vec();
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::custom("sealed fields have a part too many"));
                }
                if check.len() != FIELD_HASH_LEN || ct.len() < TAG_LEN {
                    return Err(A::Error::custom("sealed fields are too short"));
                }
                Ok(SealedFields { check, hashes, ct })
            }
        }
        d.deserialize_tuple(3, Fields)
    }
}

/// Both sides of a conflict on a sealed field: the device opens each side's
/// fields and shows the one in conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedConflict {
    /// The operation that sealed `theirs` (it is bound to it).
    pub theirs_op: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u8>))]
    pub theirs: SealedFields,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u8>))]
    pub ours: SealedFields,
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

/// Where an operation's sealed fields belong: they open only there. Each
/// part is length-prefixed, so no choice of ids can make two places read
/// the same.
pub fn fields_aad(entity: &str, entity_id: &str, op_id: &str) -> Vec<u8> {
    let mut aad = b"senda-fields-v3".to_vec();
    for part in [entity, entity_id, op_id] {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

/// How the server names a record's sealed field (in its records and in a
/// conflict): `#` and the field's id in hex, never a path.
pub fn field_key(id: &[u8]) -> String {
    format!("#{}", crate::hex(id))
}

/// A field's id back from [`field_key`].
pub fn field_id_of(key: &str) -> Option<Vec<u8>> {
    key.strip_prefix('#').and_then(crate::unhex)
}

/// An operation's place: entity, record id and operation id.
pub type OpPlace<'a> = (&'a str, &'a str, &'a str);

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
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(secret.bytes());
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

    /// The keyed hash of one field's value (its JSON text) in one record
    /// (records never share hashes).
    pub fn hash(&self, entity_id: &str, field: &str, value: &[u8]) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.hash);
        for part in [entity_id.as_bytes(), field.as_bytes()] {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        ctx.update(value);
        ctx.sign().as_ref()[..VALUE_HASH_LEN].to_vec()
    }

    /// A field's id in one record: the server tells a record's fields apart
    /// by it without learning which field (or which question) each is, and
    /// cannot match fields across records.
    pub fn field_id(&self, entity_id: &str, path: &str) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.hash);
        ctx.update(b"field-id");
        for part in [entity_id.as_bytes(), path.as_bytes()] {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        ctx.sign().as_ref()[..FIELD_ID_LEN].to_vec()
    }

    /// Which of `fields` (paths, as opened) has the id `id` in this record.
    pub fn path_of<'a>(
        &self,
        entity_id: &str,
        fields: &'a BTreeMap<String, Json>,
        id: &[u8],
    ) -> Option<&'a str> {
        fields
            .keys()
            .find(|path| self.field_id(entity_id, path) == id)
            .map(String::as_str)
    }

    /// The keyed hash of a whole box's contents in its place.
    fn check(&self, aad: &[u8], plain: &[u8]) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.hash);
        ctx.update(b"box");
        ctx.update(aad);
        ctx.update(plain);
        ctx.sign().as_ref()[..FIELD_HASH_LEN].to_vec()
    }

    /// Seals the fields of one operation (values by path); `hashed` adds
    /// each field's keyed hash, for an operation that changes a record.
    pub fn seal(
        &self,
        place: OpPlace<'_>,
        fields: &BTreeMap<String, Json>,
        hashed: bool,
    ) -> SealedFields {
        let (entity, entity_id, op_id) = place;
        let aad = fields_aad(entity, entity_id, op_id);
        let plain = Zeroizing::new(crate::encode(fields));
        let packed = Zeroizing::new(pack(&plain));
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
        let hashes = if hashed {
            fields
                .iter()
                .map(|(path, value)| {
                    let text = Zeroizing::new(value.to_string());
                    (
                        self.field_id(entity_id, path),
                        self.hash(entity_id, path, text.as_bytes()),
                    )
                })
                .collect()
        } else {
            BTreeMap::new()
        };
        SealedFields {
            check: self.check(&aad, &plain),
            hashes,
            ct,
        }
    }

    /// Opens the fields sealed with these keys in their place, and believes
    /// them only if the box's check and every field hash beside it match
    /// what opened: fields the server made, swapped or moved, or sealed with
    /// another key, do not open.
    pub fn open(
        &self,
        place: OpPlace<'_>,
        sealed: &SealedFields,
    ) -> Result<BTreeMap<String, Json>, SealError> {
        let (entity, entity_id, op_id) = place;
        let aad = fields_aad(entity, entity_id, op_id);
        let packed = Zeroizing::new(
            self.seal
                .decrypt(
                    &nonce(&aad),
                    Payload {
                        msg: &sealed.ct,
                        aad: &aad,
                    },
                )
                .map_err(|_| SealError::Damaged)?,
        );
        let plain = unpack(&packed)?;
        // Compared in constant time: how far a guess matched must not show.
        if !bool::from(self.check(&aad, &plain).ct_eq(&sealed.check)) {
            return Err(SealError::ForgedSender);
        }
        let fields: BTreeMap<String, Json> =
            ciborium::de::from_reader_with_recursion_limit(plain.as_slice(), 32)
                .map_err(|_| SealError::Damaged)?;
        // A box holds no more fields than a push may name (so opening costs
        // at most that many keyed ids), each id computed once.
        if fields.len() > MAX_SEALED_FIELDS {
            return Err(SealError::Damaged);
        }
        let paths: std::collections::HashMap<Vec<u8>, &str> = if sealed.hashes.is_empty() {
            Default::default()
        } else {
            fields
                .keys()
                .map(|path| (self.field_id(entity_id, path), path.as_str()))
                .collect()
        };
        for (id, hash) in &sealed.hashes {
            let path = *paths.get(id).ok_or(SealError::ForgedSender)?;
            let text = Zeroizing::new(fields[path].to_string());
            let expected = self.hash(entity_id, path, text.as_bytes());
            if !bool::from(expected.as_slice().ct_eq(hash)) {
                return Err(SealError::ForgedSender);
            }
        }
        Ok(fields)
    }
}

/// A box's contents as sealed: a first byte saying how (0 as they are, 1
/// deflated), then the bytes. Inside the box, so the server cannot change it.
pub(crate) fn pack(value: &[u8]) -> Vec<u8> {
    if value.len() >= DEFLATE_FROM {
        let deflated = deflate(value);
        if deflated.len() < value.len() + 1 {
            return deflated;
        }
    }
    let mut out = Vec::with_capacity(value.len() + 1);
    out.push(0);
    out.extend_from_slice(value);
    out
}

thread_local! {
    /// One deflate state a thread, reset for each value: making one allocates
    /// and clears its window, which cost more than deflating a small value.
    static DEFLATE: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(Compression::default(), false));
}

/// `value` deflated (raw deflate), after a first byte 1.
fn deflate(value: &[u8]) -> Vec<u8> {
    DEFLATE.with_borrow_mut(|z| {
        z.reset();
        let mut out = Vec::with_capacity(value.len() + 64);
        out.push(1);
        loop {
            let read = z.total_in() as usize;
            match z
                .compress_vec(&value[read..], &mut out, flate2::FlushCompress::Finish)
                .expect("deflating in memory")
            {
                flate2::Status::StreamEnd => return out,
                _ => out.reserve(out.capacity()),
            }
        }
    })
}

pub(crate) fn unpack(packed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
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
    use serde_json::json;

    fn fields(pairs: &[(&str, Json)]) -> BTreeMap<String, Json> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn packing_round_trips_whatever_came_before_on_the_thread() {
        // The deflate state is kept between values: each must come back whole.
        let mut noise = vec![0u8; 70_000];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut noise).unwrap();
        for value in [
            b"a".repeat(100_000),
            noise.clone(),
            b"referral ".repeat(30),
            noise[..300].to_vec(),
            b"a".repeat(100_000),
        ] {
            let packed = pack(&value);
            assert!(packed.len() <= value.len() + 1);
            assert_eq!(*unpack(&packed).unwrap(), value);
        }
    }

    #[test]
    fn a_box_with_more_fields_than_a_push_may_name_does_not_open() {
        // A holder of the key could pack thousands; each would cost a keyed id to open.
        let keys = FieldKeys::derive(&BoxSecret::generate());
        let place = ("case", "c1", "op1");
        let many = |n: usize| -> BTreeMap<String, Json> {
            (0..n).map(|i| (format!("f{i}"), json!(i))).collect()
        };
        let most = keys.seal(place, &many(MAX_SEALED_FIELDS), false);
        assert_eq!(keys.open(place, &most).unwrap().len(), MAX_SEALED_FIELDS);
        let over = keys.seal(place, &many(MAX_SEALED_FIELDS + 1), false);
        assert_eq!(keys.open(place, &over), Err(SealError::Damaged));
    }

    #[test]
    fn fields_open_only_in_their_place_and_hashes_compare_only_with_the_key() {
        let org = BoxSecret::generate();
        let keys = FieldKeys::derive(&org);
        let place = ("case", "c1", "op1");
        let luz = fields(&[
            ("details.alias", json!("Luz Marina")),
            ("notes.needs", json!("agua")),
        ]);
        let a = keys.seal(place, &luz, true);
        assert_eq!(keys.open(place, &a).unwrap(), luz);
        assert!(!a.ct.windows(10).any(|w| w == b"Luz Marina"));
        // Another op, record or entity: refused.
        for other in [
            ("case", "c1", "op2"),
            ("case", "c2", "op1"),
            ("referral", "c1", "op1"),
        ] {
            assert_eq!(keys.open(other, &a), Err(SealError::Damaged), "{other:?}");
        }
        // Ids that would run together if the parts were only joined are still two places.
        assert_ne!(
            fields_aad("case", "c1\nx", "y"),
            fields_aad("case", "c1", "x\ny")
        );
        // Another organisation's keys (or a key pair before a rotation): they do not open.
        let stranger = FieldKeys::derive(&BoxSecret::generate());
        assert_eq!(stranger.open(place, &a), Err(SealError::Damaged));
        // A flipped bit.
        let mut flipped = a.clone();
        flipped.ct[0] ^= 1;
        assert_eq!(keys.open(place, &flipped), Err(SealError::Damaged));
        // Same value, same record and field: same hash, different box.
        let b = keys.seal(("case", "c1", "op2"), &luz, true);
        assert_eq!(a.hashes, b.hashes);
        assert_ne!(a.ct, b.ct);
        // Another value, record or organisation: another hash.
        let alias_id = keys.field_id("c1", "details.alias");
        let alias = &a.hashes[&alias_id];
        assert_ne!(&keys.hash("c1", "details.alias", b"\"Sol\""), alias);
        assert_ne!(&keys.hash("c2", "details.alias", b"\"Luz Marina\""), alias);
        assert_ne!(
            &stranger.hash("c1", "details.alias", b"\"Luz Marina\""),
            alias
        );
        assert_eq!(&keys.hash("c1", "details.alias", b"\"Luz Marina\""), alias);
        // A field's id is the same in every op of a record, another in another
        // record or organisation; the field's name is not on the wire.
        assert_eq!(
            a.hashes.keys().collect::<Vec<_>>().len(),
            2,
            "one id per field"
        );
        assert_ne!(keys.field_id("c2", "details.alias"), alias_id);
        assert_ne!(stranger.field_id("c1", "details.alias"), alias_id);
        assert_ne!(keys.field_id("c1", "notes.needs"), alias_id);
        let wire = crate::encode(&a);
        for needle in [&b"Luz Marina"[..], b"agua", b"alias", b"needs"] {
            assert!(!wire.windows(needle.len()).any(|w| w == needle));
        }
        assert_eq!(crate::decode::<SealedFields>(&wire).unwrap(), a);
        // A record's creation sends no hashes: its fields open all the same.
        let created = keys.seal(place, &luz, false);
        assert!(created.hashes.is_empty());
        assert!(crate::encode(&created).len() < wire.len() - 2 * (FIELD_ID_LEN + VALUE_HASH_LEN));
        assert_eq!(keys.open(place, &created).unwrap(), luz);
    }

    #[test]
    fn keys_come_from_the_secret_alone_and_long_boxes_are_deflated() {
        let org = BoxSecret::generate();
        let keys = FieldKeys::derive(&org);
        let place = ("case", "c1", "op1");
        let needs = fields(&[("notes.needs", json!("agua"))]);
        let sealed = keys.seal(place, &needs, true);
        // Another device of the organisation derives the same keys from the same secret.
        let again = FieldKeys::derive(&BoxSecret::from_hex(&org.to_hex()).unwrap());
        assert_eq!(again.open(place, &sealed).unwrap(), needs);
        // The same place sealed again repeats the same box: nothing new is learnt.
        assert_eq!(again.seal(place, &needs, true), sealed);
        // Long contents (an evaluation's actions in three languages) travel deflated.
        let long = "Deriva hoy a la autoridad de protección de la niñez. ".repeat(20);
        let place = ("screening", "s1", "op2");
        let evaluation = fields(&[("evaluation", json!(long))]);
        let big = keys.seal(place, &evaluation, false);
        assert!(big.ct.len() < long.len() / 4, "{} bytes", big.ct.len());
        assert_eq!(keys.open(place, &big).unwrap(), evaluation);
    }

    #[test]
    fn a_packed_box_opens_only_as_it_was_packed_and_never_past_the_limit() {
        assert_eq!(unpack(&pack(b"short")).unwrap().as_slice(), b"short");
        assert_eq!(unpack(&[]), Err(SealError::Damaged));
        assert_eq!(unpack(&[2, 1, 2, 3]), Err(SealError::Damaged));
        assert_eq!(unpack(&[1, 0xff, 0xff]), Err(SealError::Damaged));
        // A few hundred bytes that would unpack into more than a box may hold.
        let bomb = pack(&vec![b'a'; MAX_OPENED_VALUE + 1]);
        assert!(bomb.len() < 2_000, "{} bytes", bomb.len());
        assert_eq!(unpack(&bomb), Err(SealError::Damaged));
        let most = pack(&vec![b'a'; MAX_OPENED_VALUE]);
        assert_eq!(unpack(&most).unwrap().len(), MAX_OPENED_VALUE);
    }

    #[test]
    fn sealed_fields_of_the_wrong_shape_are_refused_while_decoding() {
        let bytes = |n: usize| serde_bytes::ByteBuf::from(vec![0u8; n]);
        let hashes =
            |n: usize, len: usize| -> BTreeMap<serde_bytes::ByteBuf, serde_bytes::ByteBuf> {
                (0..n as u64)
                    .map(|i| {
                        (
                            serde_bytes::ByteBuf::from(i.to_be_bytes().to_vec()),
                            bytes(len),
                        )
                    })
                    .collect()
            };
        let decodes = |v: &dyn erased::Encode| crate::decode::<SealedFields>(&v.cbor()).is_ok();
        assert!(decodes(&(bytes(16), hashes(1, 8), bytes(16))));
        assert!(decodes(&(
            bytes(16),
            hashes(MAX_SEALED_FIELDS, 8),
            bytes(16)
        )));
        for bad in [
            &(bytes(15), hashes(1, 8), bytes(16)) as &dyn erased::Encode,
            &(bytes(16), hashes(1, 8), bytes(15)),
            &(bytes(16), hashes(1, 7), bytes(16)),
            &(bytes(16), hashes(MAX_SEALED_FIELDS + 1, 8), bytes(16)),
            &(bytes(16), hashes(1, 8)),
            &(bytes(16), hashes(1, 8), bytes(16), bytes(1)),
        ] {
            assert!(!decodes(bad));
        }
        // A field id of the wrong length, or one given as a name.
        let short_id: BTreeMap<serde_bytes::ByteBuf, serde_bytes::ByteBuf> =
            [(bytes(7), bytes(8))].into();
        assert!(!decodes(&(bytes(16), short_id, bytes(16))));
        let named: BTreeMap<String, serde_bytes::ByteBuf> =
            [("details.alias".to_owned(), bytes(8))].into();
        assert!(!decodes(&(bytes(16), named, bytes(16))));
    }

    /// Tuples of different shapes, encoded for the test above.
    mod erased {
        pub trait Encode {
            fn cbor(&self) -> Vec<u8>;
        }
        impl<T: serde::Serialize> Encode for T {
            fn cbor(&self) -> Vec<u8> {
                crate::encode(self)
            }
        }
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
    fn fields_made_without_the_organisations_secret_do_not_open() {
        let org = BoxSecret::generate();
        let keys = FieldKeys::derive(&org);
        let place = ("case", "c1", "op1");
        let real = keys.seal(place, &fields(&[("details.alias", json!("Luz"))]), true);
        // The server saw real hashes: it can copy them, but not make a box that opens.
        let planted = SealedFields {
            ct: vec![0x5a; real.ct.len()],
            ..real.clone()
        };
        assert_eq!(keys.open(place, &planted), Err(SealError::Damaged));
        // A real box with another value's hash beside it (swapped in from elsewhere).
        let mut swapped = real.clone();
        swapped.hashes.insert(
            keys.field_id("c1", "details.alias"),
            keys.hash("c1", "details.alias", b"\"Sol\""),
        );
        assert_eq!(keys.open(place, &swapped), Err(SealError::ForgedSender));
        // A hash for a field the box does not hold.
        let mut added = real.clone();
        added
            .hashes
            .insert(keys.field_id("c1", "details.name"), vec![0; 8]);
        assert_eq!(keys.open(place, &added), Err(SealError::ForgedSender));
        // A real box with another box's check.
        let other = keys.seal(place, &fields(&[("details.alias", json!("Sol"))]), true);
        let rechecked = SealedFields {
            check: other.check,
            ..real
        };
        assert_eq!(keys.open(place, &rechecked), Err(SealError::ForgedSender));
    }
}
