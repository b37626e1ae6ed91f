//! The server signs its answers to signed requests (Ed25519, ring), so that a
//! device believes a wipe order, a push acknowledgement or a pull page only if
//! this server made it for that very request (`senda_protocol::answer_message`).
//!
//! The key lives in a file of its own (`SENDA_SIGNING_KEY_FILE`, made on first
//! start, mode 0600), not in the database: a stolen database or backup cannot
//! impersonate the server. Instances behind one balancer share the same file.

use crate::startup::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf;
use ring::signature::{Ed25519KeyPair, KeyPair};
use senda_protocol::{
    BodyHash, HEADER_DEVICE, HEADER_NONCE, HEADER_SERVER_SIGNATURE, answer_message_hashed, hex,
};
use std::path::Path;
use zeroize::Zeroizing;

/// The server's key file: it signs answers, and a key derived from it
/// (HKDF-SHA256) wraps the server's other secrets in the database, so that
/// the database or a backup alone opens none of them.
pub struct AnswerKey {
    pair: Ed25519KeyPair,
    wrap: LessSafeKey,
}

impl std::fmt::Debug for AnswerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AnswerKey({})", self.public_hex())
    }
}

/// Where a wrapped secret belongs (its associated data): a wrapped secret
/// moved to another purpose does not open.
const WRAP_INFO: &[u8] = b"senda-server-wrap-v1";

impl AnswerKey {
    fn from_pkcs8(pkcs8: &[u8]) -> Option<Self> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).ok()?;
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"senda-server-key-file").extract(pkcs8);
        let okm = prk.expand(&[WRAP_INFO], &AES_256_GCM).ok()?;
        let wrap = LessSafeKey::new(UnboundKey::from(okm));
        Some(Self { pair, wrap })
    }

    /// A fresh key (tests; a server loads its file with [`Self::load_or_create`]).
    pub fn generate() -> Self {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("the system RNG works");
        Self::from_pkcs8(pkcs8.as_ref()).expect("a key ring just made")
    }

    /// `secret` sealed for the database (hex), bound to `purpose`.
    pub fn wrap(&self, purpose: &str, secret: &[u8]) -> String {
        use ring::rand::SecureRandom;
        let mut nonce = [0u8; 12];
        ring::rand::SystemRandom::new()
            .fill(&mut nonce)
            .expect("system randomness");
        let mut data = secret.to_vec();
        self.wrap
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut data,
            )
            .expect("AES-GCM sealing in memory");
        let mut out = nonce.to_vec();
        out.extend(data);
        hex(&out)
    }

    /// What [`Self::wrap`] sealed for `purpose`; `None` if this key file did not seal it.
    pub fn unwrap(&self, purpose: &str, wrapped: &str) -> Option<Zeroizing<Vec<u8>>> {
        let bytes = senda_protocol::unhex(wrapped)?;
        let (nonce, sealed) = bytes.split_at_checked(12)?;
        let mut data = Zeroizing::new(sealed.to_vec());
        let n = self
            .wrap
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).ok()?,
                Aad::from(purpose.as_bytes()),
                &mut data,
            )
            .ok()?
            .len();
        data.truncate(n);
        Some(data)
    }

    /// Reads the key file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
        Self::from_pkcs8(&bytes).ok_or_else(|| format!("{shown}: not an Ed25519 PKCS#8 key"))
    }

    /// Reads the key file, or makes it (owner-only) if there is none yet.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        match std::fs::metadata(path) {
            Ok(_) => Self::load(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let rng = ring::rand::SystemRandom::new();
                let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| "cannot make a signing key".to_owned())?;
                write_owner_only(path, pkcs8.as_ref()).map_err(|e| format!("{shown}: {e}"))?;
                tracing::info!(file = %shown, "made the server's answer-signing key");
                Self::from_pkcs8(pkcs8.as_ref())
                    .ok_or_else(|| format!("{shown}: not an Ed25519 PKCS#8 key"))
            }
            Err(e) => Err(format!("{shown}: {e}")),
        }
    }

    /// Hex, as devices pin it at enrolment.
    pub fn public_hex(&self) -> String {
        hex(self.pair.public_key().as_ref())
    }

    pub fn sign(&self, message: &[u8]) -> String {
        hex(self.pair.sign(message).as_ref())
    }
}

/// A new file readable by its owner only; never overwrites one.
pub fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A request's body as this layer read it, with its hash. `Signed` takes
/// both from here, so the signature it checks covers the very bytes the
/// handler reads, whatever a later layer might do to the body.
#[derive(Clone)]
pub struct HashedBody {
    pub bytes: axum::body::Bytes,
    pub hash: BodyHash,
}

/// Signs the answer to every signed device request (refusals too).
pub async fn sign_answers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let header = |request: &Request, name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let device = header(&request, HEADER_DEVICE);
    let nonce = header(&request, HEADER_NONCE);
    let (Some(device), Some(nonce)) = (device, nonce) else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    let (mut parts, body) = request.into_parts();
    let Ok(request_body) = to_bytes(body, senda_protocol::MAX_BODY_BYTES).await else {
        return super::routes::auth::ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "the body is too large",
        )
        .into_response();
    };
    // Hashed once here, for the device's signature (`Signed`) and this answer's.
    let request_hash = BodyHash::of(&request_body);
    parts.extensions.insert(HashedBody {
        bytes: request_body.clone(),
        hash: request_hash.clone(),
    });
    let response = next
        .run(Request::from_parts(parts, Body::from(request_body.clone())))
        .await;
    let (mut parts, body) = response.into_parts();
    // Answers are built in memory by the handlers; nothing large streams here.
    let Ok(answer) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let signature = state.repo.answer_key().sign(&answer_message_hashed(
        &device,
        &path,
        &nonce,
        &request_hash,
        parts.status.as_u16(),
        &answer,
    ));
    parts.headers.insert(
        HEADER_SERVER_SIGNATURE,
        HeaderValue::from_str(&signature).expect("hex is a valid header value"),
    );
    Response::from_parts(parts, Body::from(answer))
}
