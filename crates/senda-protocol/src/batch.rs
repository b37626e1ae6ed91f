//! Batch files: a device's pending pushes on a USB stick, for when there is
//! no network at all.
//!
//! A file is `SENDABT1` followed by a CBOR [`SealedBox`] sealed to the
//! server's X25519 key: a lost stick shows nothing. Inside are ordinary
//! signed pushes ([`SignedPush`]), each signed exactly as `/v1/push` would
//! be, so the server checks and stores them with the same rules and the
//! same idempotency (importing a file twice stores nothing twice).

use crate::seal::{BoxSecret, SealError, SealedBox, seal};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"SENDABT1";
/// The most operations one file carries (about 3 MB).
pub const MAX_OPS_PER_FILE: usize = 2_000;
/// The largest file the server reads.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
const AAD: &[u8] = b"senda-batch-v1";

/// One push as the device signed it: the body is a CBOR `PushRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPush {
    pub device_id: String,
    pub time: String,
    pub nonce: String,
    pub signature: String,
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchFileError {
    #[error("not a Senda batch file")]
    NotABatchFile,
    #[error("the file is too large")]
    TooLarge,
    #[error("the file is incomplete or damaged")]
    Damaged,
    #[error("the file was sealed for another server")]
    OtherServer,
}

/// Seals signed pushes into a file for the server whose box key is `server_key`.
pub fn write(server_key: &str, pushes: &[SignedPush]) -> Result<Vec<u8>, SealError> {
    let sealed = seal(server_key, &crate::encode(&pushes), AAD)?;
    let mut file = MAGIC.to_vec();
    file.extend(crate::encode(&sealed));
    Ok(file)
}

/// Opens a batch file with the server's secret. A half-written, altered or
/// foreign file is refused whole: nothing in it is trusted.
pub fn read(file: &[u8], server: &BoxSecret) -> Result<Vec<SignedPush>, BatchFileError> {
    if file.len() > MAX_FILE_BYTES {
        return Err(BatchFileError::TooLarge);
    }
    let body = file
        .strip_prefix(MAGIC.as_slice())
        .ok_or(BatchFileError::NotABatchFile)?;
    let sealed: SealedBox = ciborium::de::from_reader_with_recursion_limit(body, 16)
        .map_err(|_| BatchFileError::Damaged)?;
    let plain = server.open(&sealed, AAD).map_err(|e| match e {
        SealError::WrongRecipient => BatchFileError::OtherServer,
        _ => BatchFileError::Damaged,
    })?;
    ciborium::de::from_reader_with_recursion_limit(plain.as_slice(), 64)
        .map_err(|_| BatchFileError::Damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push() -> SignedPush {
        SignedPush {
            device_id: "d1".into(),
            time: "2026-12-02T10:00:00Z".into(),
            nonce: "0123456789abcdef".into(),
            signature: "ab".into(),
            body: vec![1, 2, 3],
        }
    }

    #[test]
    fn a_file_opens_only_whole_and_only_for_its_server() {
        let server = BoxSecret::generate();
        let file = write(&server.public_hex(), &[push(), push()]).unwrap();
        assert_eq!(read(&file, &server).unwrap(), vec![push(), push()]);
        for cut in [0, 4, 8, 9, file.len() / 2, file.len() - 1] {
            assert!(read(&file[..cut], &server).is_err(), "cut at {cut}");
        }
        let mut altered = file.clone();
        let last = altered.len() - 3;
        altered[last] ^= 1;
        assert!(read(&altered, &server).is_err());
        assert_eq!(
            read(&file, &BoxSecret::generate()),
            Err(BatchFileError::OtherServer)
        );
        assert_eq!(
            read(b"PK\x03\x04zip", &server),
            Err(BatchFileError::NotABatchFile)
        );
    }
}
