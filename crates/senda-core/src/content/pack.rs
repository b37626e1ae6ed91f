//! The signed content-pack file.
//!
//! ```text
//! "SENDAPK1" | header length (u32 LE) | header (JSON) | payload (gzip JSON) | Ed25519 signature (64 bytes)
//! ```
//! The signature covers every byte before it. Verification checks lengths,
//! then the publisher's key, then the signature, and only then parses the
//! payload: nothing unsigned is ever interpreted beyond the header.

use super::model::ContentPayload;
use crate::hex::{decode as hex_decode, encode as hex};
use ring::digest::{SHA256, digest};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

const MAGIC: &[u8; 8] = b"SENDAPK1";
const SIG_LEN: usize = 64;
/// The publisher of the demo content (its key is in the repository): what it
/// signs is never real, and the app says so while it is installed.
pub const DEMO_PUBLISHER: &str = "senda-demo";
/// A pack larger than this is refused before it is read (the 100,000-service
/// directory packs to a few tens of MiB).
pub const MAX_PACK_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackHeader {
    pub format: u32,
    pub publisher: String,
    pub version: u32,
    /// Set for a delta: the version it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<u32>,
    pub created_at: String,
    pub payload_len: u64,
    pub payload_sha256: String,
}

#[derive(
    Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, strum::EnumIter, strum::IntoStaticStr,
)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum PackError {
    #[error("not a Senda content pack")]
    NotAPack,
    #[error("the pack file is truncated")]
    Truncated,
    #[error("the pack is larger than allowed")]
    TooLarge,
    #[error("publisher '{publisher}' is not trusted on this device")]
    UntrustedPublisher { publisher: String },
    #[error("the signature does not match: the pack was altered or signed with another key")]
    BadSignature,
    #[error("the pack is malformed: {detail}")]
    Malformed { detail: String },
}

impl PackError {
    /// The variant's name as serde writes it.
    pub fn code(&self) -> &'static str {
        self.into()
    }
}

/// A publisher's Ed25519 public key, as trusted by a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublisherKey {
    pub publisher: String,
    /// 32 bytes, hex.
    pub public_key: String,
}

#[derive(Debug, Clone, Default)]
pub struct TrustedKeys(pub Vec<PublisherKey>);

impl TrustedKeys {
    /// Reads a `trusted.toml`: `[[publishers]] publisher = "…" public_key = "<hex>"`.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct File {
            publishers: Vec<PublisherKey>,
        }
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(Self(file.publishers))
    }

    fn key_for(&self, publisher: &str) -> Option<Vec<u8>> {
        self.0
            .iter()
            .find(|k| k.publisher == publisher)
            .and_then(|k| hex_decode(&k.public_key))
    }
}

/// A pack whose signature has been verified.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedPack {
    pub header: PackHeader,
    pub payload: ContentPayload,
    /// SHA-256 of the whole file, to name what was installed.
    pub file_sha256: String,
}

/// Builds and signs a pack file. `pkcs8` is the publisher's Ed25519 private key.
pub fn sign(
    publisher: &str,
    version: u32,
    base_version: Option<u32>,
    payload: &ContentPayload,
    pkcs8: &[u8],
    created_at: &str,
) -> Result<Vec<u8>, PackError> {
    let key = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| PackError::Malformed {
        detail: "the signing key is not an Ed25519 PKCS#8 key".into(),
    })?;
    let json = serde_json::to_vec(payload).map_err(|e| PackError::Malformed {
        detail: e.to_string(),
    })?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)
        .and_then(|_| gz.flush())
        .map_err(|e| PackError::Malformed {
            detail: e.to_string(),
        })?;
    let compressed = gz.finish().map_err(|e| PackError::Malformed {
        detail: e.to_string(),
    })?;
    let header = PackHeader {
        format: 1,
        publisher: publisher.into(),
        version,
        base_version,
        created_at: created_at.into(),
        payload_len: compressed.len() as u64,
        payload_sha256: hex(digest(&SHA256, &compressed).as_ref()),
    };
    let header = serde_json::to_vec(&header).expect("header serialises");
    let mut file = Vec::with_capacity(12 + header.len() + compressed.len() + SIG_LEN);
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&(header.len() as u32).to_le_bytes());
    file.extend_from_slice(&header);
    file.extend_from_slice(&compressed);
    let signature = key.sign(&file);
    file.extend_from_slice(signature.as_ref());
    Ok(file)
}

/// The public key (hex) for a PKCS#8 private key.
pub fn public_key_hex(pkcs8: &[u8]) -> Option<String> {
    Ed25519KeyPair::from_pkcs8(pkcs8)
        .ok()
        .map(|k| hex(k.public_key().as_ref()))
}

/// A fresh Ed25519 private key (PKCS#8 v2) for a new publisher.
pub fn generate_key() -> Vec<u8> {
    let rng = ring::rand::SystemRandom::new();
    Ed25519KeyPair::generate_pkcs8(&rng)
        .expect("key generation")
        .as_ref()
        .to_vec()
}

/// Reads the header and checks the lengths, without verifying anything.
/// Enough to decide whether a pack is worth verifying; never enough to trust it.
pub fn read_header(file: &[u8]) -> Result<PackHeader, PackError> {
    layout(file).map(|(header, _, _)| header)
}

/// The header, and where the header and the payload end.
fn layout(file: &[u8]) -> Result<(PackHeader, usize, usize), PackError> {
    if file.len() as u64 > MAX_PACK_BYTES {
        return Err(PackError::TooLarge);
    }
    if file.len() < MAGIC.len() {
        return Err(if MAGIC.starts_with(file) {
            PackError::Truncated
        } else {
            PackError::NotAPack
        });
    }
    if &file[..8] != MAGIC {
        return Err(PackError::NotAPack);
    }
    let header_len = file.get(8..12).ok_or(PackError::Truncated)?;
    let header_len = u32::from_le_bytes(header_len.try_into().expect("4 bytes")) as usize;
    let header_end = 12usize
        .checked_add(header_len)
        .ok_or(PackError::Truncated)?;
    let header_bytes = file.get(12..header_end).ok_or(PackError::Truncated)?;
    let header: PackHeader =
        serde_json::from_slice(header_bytes).map_err(|e| PackError::Malformed {
            detail: format!("header: {e}"),
        })?;
    if header.format != 1 {
        return Err(PackError::Malformed {
            detail: format!("unknown format {}", header.format),
        });
    }
    let payload_end = usize::try_from(header.payload_len)
        .ok()
        .and_then(|n| header_end.checked_add(n))
        .ok_or(PackError::Truncated)?;
    let total = payload_end
        .checked_add(SIG_LEN)
        .ok_or(PackError::Truncated)?;
    if file.len() < total {
        return Err(PackError::Truncated);
    }
    if file.len() > total {
        return Err(PackError::Malformed {
            detail: "bytes after the signature".into(),
        });
    }
    Ok((header, header_end, payload_end))
}

/// Verifies a pack file against the trusted keys, then decodes it.
pub fn verify(file: &[u8], trusted: &TrustedKeys) -> Result<SignedPack, PackError> {
    let (header, header_end, payload_end) = layout(file)?;

    let key = trusted
        .key_for(&header.publisher)
        .ok_or_else(|| PackError::UntrustedPublisher {
            publisher: header.publisher.clone(),
        })?;
    UnparsedPublicKey::new(&ED25519, key)
        .verify(&file[..payload_end], &file[payload_end..])
        .map_err(|_| PackError::BadSignature)?;

    let compressed = &file[header_end..payload_end];
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(compressed)
        .take(MAX_PACK_BYTES * 8)
        .read_to_end(&mut json)
        .map_err(|e| PackError::Malformed {
            detail: format!("payload: {e}"),
        })?;
    let payload: ContentPayload =
        serde_json::from_slice(&json).map_err(|e| PackError::Malformed {
            detail: format!("payload: {e}"),
        })?;
    Ok(SignedPack {
        header,
        payload,
        file_sha256: hex(digest(&SHA256, file).as_ref()),
    })
}
