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
use ring::signature::{Ed25519KeyPair, KeyPair};
use senda_protocol::{
    BodyHash, HEADER_DEVICE, HEADER_NONCE, HEADER_SERVER_SIGNATURE, answer_message_hashed, hex,
};
use std::path::Path;

pub struct AnswerKey(Ed25519KeyPair);

impl std::fmt::Debug for AnswerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AnswerKey({})", self.public_hex())
    }
}

impl AnswerKey {
    /// A fresh key (tests; a server loads its file with [`Self::load_or_create`]).
    pub fn generate() -> Self {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("the system RNG works");
        Self(Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("a key ring just made"))
    }

    /// Reads the key file, or makes it (owner-only) if there is none yet.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        match std::fs::read(path) {
            Ok(bytes) => Ed25519KeyPair::from_pkcs8(&bytes)
                .map(Self)
                .map_err(|_| format!("{shown}: not an Ed25519 PKCS#8 key")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let rng = ring::rand::SystemRandom::new();
                let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| "cannot make a signing key".to_owned())?;
                write_owner_only(path, pkcs8.as_ref()).map_err(|e| format!("{shown}: {e}"))?;
                tracing::info!(file = %shown, "made the server's answer-signing key");
                Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
                    .map(Self)
                    .map_err(|_| format!("{shown}: not an Ed25519 PKCS#8 key"))
            }
            Err(e) => Err(format!("{shown}: {e}")),
        }
    }

    /// Hex, as devices pin it at enrolment.
    pub fn public_hex(&self) -> String {
        hex(self.0.public_key().as_ref())
    }

    pub fn sign(&self, message: &[u8]) -> String {
        hex(self.0.sign(message).as_ref())
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
    parts.extensions.insert(request_hash.clone());
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
