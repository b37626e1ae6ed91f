//! Record fields sealed to their organisation's key, so that the server
//! routes, orders and deduplicates a child's records without reading them.
//!
//! Each field that leaves a device travels as a [`SealedField`]: the value
//! sealed with [`crate::seal`] (bound to the entity, field and operation as
//! associated data), and a keyed hash of the value. The hash key is derived
//! from the organisation's secret (HKDF-SHA256), so the server can tell
//! whether two edits of a field agree (HMAC-SHA256 equality) without learning
//! either value. Only the fields [`plain_field`] lists travel readable.
//! Sealed bytes are CBOR byte strings, not hex text.

use crate::seal::{self, BoxSecret, SealError, SealedBox};
use ring::{hkdf, hmac};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Bytes of a field's keyed hash kept: 128 bits, ample for telling edits apart.
pub const FIELD_HASH_LEN: usize = 16;

/// A [`SealedBox`] as CBOR byte strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedBytes {
    /// The recipient's X25519 public key.
    #[serde(with = "serde_bytes")]
    pub to: Vec<u8>,
    /// The sender's ephemeral X25519 public key.
    #[serde(with = "serde_bytes")]
    pub epk: Vec<u8>,
    /// AES-256-GCM ciphertext and tag.
    #[serde(with = "serde_bytes")]
    pub ct: Vec<u8>,
}

/// One field's value, sealed, with its keyed hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedField {
    #[serde(rename = "box")]
    pub sealed: SealedBytes,
    #[serde(with = "serde_bytes")]
    pub hash: Vec<u8>,
}

/// Both sides of a conflict on a sealed field: the device opens and shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedConflict {
    /// The operation that sealed `theirs` (it is bound to it).
    pub theirs_op: String,
    pub theirs: SealedField,
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
pub fn field_aad(entity: &str, entity_id: &str, field: &str, op_id: &str) -> Vec<u8> {
    format!("senda-field\n{entity}\n{entity_id}\n{field}\n{op_id}").into_bytes()
}

/// Seals `plain` to `recipient` (X25519, hex), as CBOR bytes. The one place
/// a field meets [`seal::seal`], so a change to boxes is made here once.
pub fn seal_bytes(recipient: &str, plain: &[u8], aad: &[u8]) -> Result<SealedBytes, SealError> {
    let sealed = seal::seal(recipient, plain, aad)?;
    let bytes = |h: &str| crate::unhex(h).ok_or(SealError::Damaged);
    Ok(SealedBytes {
        to: bytes(&sealed.to)?,
        epk: bytes(&sealed.epk)?,
        ct: bytes(&sealed.ct)?,
    })
}

/// Opens bytes sealed by [`seal_bytes`] with `secret`.
pub fn open_bytes(
    secret: &BoxSecret,
    sealed: &SealedBytes,
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, SealError> {
    secret.open(
        &SealedBox {
            to: crate::hex(&sealed.to),
            epk: crate::hex(&sealed.epk),
            ct: crate::hex(&sealed.ct),
            sender: None,
        },
        aad,
    )
}

/// The organisation's key for field hashes, derived from its secret: every
/// device of the organisation computes the same hashes; the server cannot.
pub struct FieldHashKey(hmac::Key);

struct HmacLen;
impl hkdf::KeyType for HmacLen {
    fn len(&self) -> usize {
        32
    }
}

impl FieldHashKey {
    pub fn derive(secret: &BoxSecret) -> Self {
        let ikm = Zeroizing::new(crate::unhex(&secret.to_hex()).expect("a secret's own hex"));
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"senda-field-hash-v1").extract(&ikm);
        let mut key = Zeroizing::new([0u8; 32]);
        prk.expand(&[b"hmac-sha256"], HmacLen)
            .and_then(|okm| okm.fill(key.as_mut()))
            .expect("HKDF output of 32 bytes");
        Self(hmac::Key::new(hmac::HMAC_SHA256, key.as_ref()))
    }

    /// The keyed hash of one field's value in one record (records never share hashes).
    pub fn hash(&self, entity_id: &str, field: &str, value: &[u8]) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.0);
        for part in [entity_id.as_bytes(), field.as_bytes()] {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        ctx.update(value);
        ctx.sign().as_ref()[..FIELD_HASH_LEN].to_vec()
    }
}

/// Seals one field of one operation to the organisation that holds `secret`.
pub fn seal_field(
    secret: &BoxSecret,
    hash_key: &FieldHashKey,
    aad: (&str, &str, &str, &str),
    value: &[u8],
) -> Result<SealedField, SealError> {
    let (entity, entity_id, field, op_id) = aad;
    Ok(SealedField {
        sealed: seal_bytes(
            &secret.public_hex(),
            value,
            &field_aad(entity, entity_id, field, op_id),
        )?,
        hash: hash_key.hash(entity_id, field, value),
    })
}

/// Opens a sealed field with the organisation key pair it was sealed to, and
/// believes it only if its keyed hash matches what opened. Anyone with the
/// organisation's public key (the server) can seal a value, but only a holder
/// of its secret (a device a person let in, or its administrator) can make the
/// hash: so a field the server planted or swapped does not open.
pub fn open_field(
    secret: &BoxSecret,
    hash_key: &FieldHashKey,
    aad: (&str, &str, &str, &str),
    field: &SealedField,
) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let (entity, entity_id, path, op_id) = aad;
    let plain = open_bytes(
        secret,
        &field.sealed,
        &field_aad(entity, entity_id, path, op_id),
    )?;
    if hash_key.hash(entity_id, path, &plain) != field.hash {
        return Err(SealError::ForgedSender);
    }
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_opens_only_in_its_place_and_hashes_compare_only_with_the_key() {
        let org = BoxSecret::generate();
        let key = FieldHashKey::derive(&org);
        let place = ("case", "c1", "details.alias", "op1");
        let a = seal_field(&org, &key, place, b"\"Luz\"").unwrap();
        let aad = field_aad("case", "c1", "details.alias", "op1");
        assert_eq!(
            open_bytes(&org, &a.sealed, &aad).unwrap().as_slice(),
            b"\"Luz\""
        );
        let other = field_aad("case", "c1", "details.alias", "op2");
        assert_eq!(open_bytes(&org, &a.sealed, &other), Err(SealError::Damaged));
        assert_eq!(
            open_bytes(&BoxSecret::generate(), &a.sealed, &aad),
            Err(SealError::WrongRecipient)
        );
        // Same value, same record and field: same hash, different box.
        let b = seal_field(
            &org,
            &key,
            ("case", "c1", "details.alias", "op2"),
            b"\"Luz\"",
        )
        .unwrap();
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.sealed, b.sealed);
        // Another value, record or organisation: another hash.
        assert_ne!(key.hash("c1", "details.alias", b"\"Sol\""), a.hash);
        assert_ne!(key.hash("c2", "details.alias", b"\"Luz\""), a.hash);
        let stranger = FieldHashKey::derive(&BoxSecret::generate());
        assert_ne!(stranger.hash("c1", "details.alias", b"\"Luz\""), a.hash);
        // On the wire: byte strings, no hex text.
        let wire = crate::encode(&a);
        assert!(
            !wire
                .windows(4)
                .any(|w| w == crate::hex(&a.sealed.ct[..2]).as_bytes())
        );
        assert_eq!(crate::decode::<SealedField>(&wire).unwrap(), a);
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
    fn a_field_sealed_without_the_organisations_secret_does_not_open() {
        let org = BoxSecret::generate();
        let key = FieldHashKey::derive(&org);
        let place = ("case", "c1", "details.alias", "op1");
        let real = seal_field(&org, &key, place, b"\"Luz\"").unwrap();
        assert_eq!(
            open_field(&org, &key, place, &real).unwrap().as_slice(),
            b"\"Luz\""
        );
        // The server knows the public key: it can seal a value, but not hash it.
        let planted = SealedField {
            sealed: seal_bytes(
                &org.public_hex(),
                b"\"Sol\"",
                &field_aad("case", "c1", "details.alias", "op1"),
            )
            .unwrap(),
            hash: real.hash.clone(),
        };
        assert_eq!(
            open_field(&org, &key, place, &planted),
            Err(SealError::ForgedSender)
        );
        let stranger = FieldHashKey::derive(&BoxSecret::generate());
        let guessed = SealedField {
            hash: stranger.hash("c1", "details.alias", b"\"Sol\""),
            ..planted
        };
        assert_eq!(
            open_field(&org, &key, place, &guessed),
            Err(SealError::ForgedSender)
        );
    }
}
