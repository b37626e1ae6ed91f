//! The device-facing sync API. Bodies are CBOR (`senda-protocol`); every
//! request but enrolment is signed by the device (see `auth.rs`).

use super::auth::{ApiError, ClientIp, Signed};
use crate::startup::AppState;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use senda_protocol::{
    DeviceReport, EnrolRequest, EnrolResponse, ErrorBody, KeyGrant, KeysResponse, MAX_OPS_PER_PUSH,
    PROTOCOL_VERSION, PageRequest, PullRequest, PullResponse, PushRequest, PushResponse,
    StatusRequest, decode, encode,
};

pub fn cbor<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, senda_protocol::CONTENT_TYPE)],
        encode(body),
    )
        .into_response()
}

fn protocol(version: u16) -> Result<(), ApiError> {
    if version != PROTOCOL_VERSION {
        return Err(ApiError::bad_request(
            "unsupported-protocol",
            "unsupported protocol version",
        ));
    }
    Ok(())
}

/// A device enrols with a single-use code and its public key.
#[utoipa::path(post, path = "/v1/enrol", tag = "sync",
    request_body(content = EnrolRequest, content_type = "application/cbor"),
    responses(
        (status = 201, body = EnrolResponse, content_type = "application/cbor", description = "Enrolled"),
        (status = 400, body = ErrorBody, content_type = "application/cbor", description = "Malformed or bad key"),
        (status = 403, body = ErrorBody, content_type = "application/cbor", description = "Unknown, used or expired code"),
        (status = 429, body = ErrorBody, content_type = "application/cbor", description = "Too many enrolments"),
    ))]
pub async fn enrol(
    State(state): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !state.limits.enrolment_allowed(ip.0) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "too many enrolments; retry shortly",
        ));
    }
    let request: EnrolRequest = decode(&body).map_err(ApiError::malformed)?;
    protocol(request.protocol)?;
    // Canonical lowercase hex only (L9); the box key is checked for low order at enrolment (L4).
    let key_of_32_bytes = |k: &str| senda_protocol::unhex(k).is_some_and(|k| k.len() == 32);
    // A low-order box key would let anyone predict what is sealed to it.
    if !key_of_32_bytes(&request.public_key)
        || !senda_protocol::seal::usable_public_key(&request.box_key)
    {
        return Err(ApiError::bad_request(
            "bad-public-key",
            "Ed25519 and X25519 public keys are 32 bytes, and a box key may not be of low order",
        ));
    }
    let name: String = request.device_name.chars().take(60).collect();
    let device = state
        .repo
        .enrol(request.code, request.public_key, request.box_key, name)
        .await?;
    let server_box_key = state.repo.server_box_secret().await?.public_hex();
    let admin_key = state.repo.admin_key(device.organisation.clone()).await?;
    tracing::info!(device = %device.id, "device enrolled");
    Ok(cbor(
        StatusCode::CREATED,
        &EnrolResponse {
            device_id: device.id,
            organisation: device.organisation,
            team: device.team,
            server_time: chrono::Utc::now().to_rfc3339(),
            server_box_key,
            admin_key,
            server_signing_key: state.repo.answer_key().public_hex(),
        },
    ))
}

#[utoipa::path(post, path = "/v1/push", tag = "sync",
    params(("x-senda-device" = String, Header, description = "Device id"),
           ("x-senda-time" = String, Header, description = "RFC 3339 time of the request"),
           ("x-senda-nonce" = String, Header, description = "16–64 characters, never reused"),
           ("x-senda-signature" = String, Header, description = "Ed25519 signature (hex) of senda_protocol::signing_message")),
    request_body(content = PushRequest, content_type = "application/cbor"),
    responses(
        (status = 200, body = PushResponse, content_type = "application/cbor", description = "What the server holds now"),
        (status = 400, body = ErrorBody, content_type = "application/cbor"),
        (status = 401, body = ErrorBody, content_type = "application/cbor", description = "Unsigned, bad signature, bad time or replayed"),
        (status = 403, body = ErrorBody, content_type = "application/cbor", description = "Revoked: wipe"),
        (status = 413, body = ErrorBody, content_type = "application/cbor"),
        (status = 429, body = ErrorBody, content_type = "application/cbor"),
    ))]
pub async fn push(
    State(state): State<AppState>,
    Signed { device, body }: Signed,
) -> Result<Response, ApiError> {
    let request = push_request(&body)?;
    let count = request.ops.len();
    if !state.limits.ops_allowed(&device.id, count) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "too many operations; slow down",
        ));
    }
    let sent: Vec<String> = request.ops.iter().map(|o| o.op_id.clone()).collect();
    let response = state.repo.push(device.clone(), request.ops).await?;
    crate::metrics::OPS_RECEIVED.inc_by(count as u64);
    tracing::info!(device = %device.id, ops = count, stored = response.stored.len(), high_seq = response.high_seq, "push");
    Ok(cbor(StatusCode::OK, &response.compact(&sent)))
}

/// A push body, checked: its protocol, its size, and every op's id and sequence.
pub fn push_request(body: &[u8]) -> Result<PushRequest, ApiError> {
    let request: PushRequest = decode(body).map_err(ApiError::malformed)?;
    protocol(request.protocol)?;
    if request.ops.len() > MAX_OPS_PER_PUSH {
        return Err(ApiError::bad_request(
            "too-many-ops",
            "too many operations in one push",
        ));
    }
    if request
        .ops
        .iter()
        .any(|o| o.op_id.is_empty() || o.entity_id.is_empty() || o.seq < 1)
    {
        return Err(ApiError::bad_request(
            "malformed",
            "an operation lacks its id or sequence",
        ));
    }
    Ok(request)
}

#[utoipa::path(post, path = "/v1/pull", tag = "sync",
    request_body(content = PullRequest, content_type = "application/cbor"),
    responses(
        (status = 200, body = PullResponse, content_type = "application/cbor", description = "Changes after the cursor"),
        (status = 401, body = ErrorBody, content_type = "application/cbor"),
    ))]
pub async fn pull(
    State(state): State<AppState>,
    Signed { device, body }: Signed,
) -> Result<Response, ApiError> {
    let request: PullRequest = decode(&body).map_err(ApiError::malformed)?;
    protocol(request.protocol)?;
    let response = state
        .repo
        .pull(device, request.cursor, request.limit)
        .await?;
    Ok(cbor(StatusCode::OK, &response))
}

/// Which page a listing asks for: an empty body is the first.
fn page_request(body: &[u8]) -> Result<PageRequest, ApiError> {
    if body.is_empty() {
        return Ok(PageRequest::default());
    }
    decode(body).map_err(ApiError::malformed)
}

/// Receivers' public keys (to seal referral summaries to), a page at a time,
/// and this device's grant of its organisation's secret, sealed to the device.
#[utoipa::path(post, path = "/v1/keys", tag = "sync",
    request_body(content = PageRequest, content_type = "application/cbor", description = "The cursor of the previous page (empty body: the first page)"),
    responses(
        (status = 200, body = KeysResponse, content_type = "application/cbor", description = "Route keys and this device's grant"),
        (status = 401, body = ErrorBody, content_type = "application/cbor"),
    ))]
pub async fn keys(
    State(state): State<AppState>,
    Signed { device, body }: Signed,
) -> Result<Response, ApiError> {
    let page = page_request(&body)?;
    let keys = state.repo.keys(device, page.cursor).await?;
    Ok(cbor(StatusCode::OK, &keys))
}

/// A device that holds its organisation's secret passes it, sealed on the
/// device to each new device's box key, to the devices `/v1/keys` listed.
#[utoipa::path(post, path = "/v1/keys/grants", tag = "sync",
    request_body(content = Vec<KeyGrant>, content_type = "application/cbor"),
    responses(
        (status = 204, description = "Stored (a device that already had a grant keeps it)"),
        (status = 404, body = ErrorBody, content_type = "application/cbor", description = "Not a device of this organisation"),
        (status = 409, body = ErrorBody, content_type = "application/cbor", description = "This device holds no grant to pass on"),
    ))]
pub async fn key_grants(
    State(state): State<AppState>,
    Signed { device, body }: Signed,
) -> Result<StatusCode, ApiError> {
    let grants: Vec<KeyGrant> = decode(&body).map_err(ApiError::malformed)?;
    if grants.len() > MAX_OPS_PER_PUSH {
        return Err(ApiError::bad_request("too-many", "too many grants at once"));
    }
    state.repo.peer_grants(device, grants).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the device says about itself at the end of a sync: its versions, its
/// outbox, and its audit log's count and head (a log that shrank is flagged).
#[utoipa::path(post, path = "/v1/device/report", tag = "sync",
    request_body(content = DeviceReport, content_type = "application/cbor"),
    responses(
        (status = 204, description = "Kept"),
        (status = 400, body = ErrorBody, content_type = "application/cbor"),
        (status = 401, body = ErrorBody, content_type = "application/cbor"),
    ))]
pub async fn device_report(
    State(state): State<AppState>,
    Signed { device, body }: Signed,
) -> Result<StatusCode, ApiError> {
    let report: DeviceReport = decode(&body).map_err(ApiError::malformed)?;
    protocol(report.protocol)?;
    state.repo.record_device_report(device.id, report).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Open referrals addressed to the device's organisation, a page at a time.
#[utoipa::path(post, path = "/v1/referrals/incoming", tag = "referrals",
    request_body(content = PageRequest, content_type = "application/cbor", description = "The cursor of the previous page (empty body: the first page)"),
    responses(
        (status = 200, body = senda_protocol::IncomingPage, content_type = "application/cbor", description = "Open referrals addressed to the device's organisation (closed, withdrawn and revoked ones are left out)"),
        (status = 401, body = ErrorBody, content_type = "application/cbor"),
    ))]
pub async fn incoming(
    State(state): State<AppState>,
    Signed { device, body }: Signed,
) -> Result<Response, ApiError> {
    let page = page_request(&body)?;
    let referrals = state.repo.incoming_referrals(device, page.cursor).await?;
    Ok(cbor(StatusCode::OK, &referrals))
}

/// The receiving organisation moves a referral along (accept, decline, first contact…).
#[utoipa::path(post, path = "/v1/referrals/{id}/status", tag = "referrals",
    params(("id" = String, Path, description = "Referral id")),
    request_body(content = StatusRequest, content_type = "application/cbor"),
    responses(
        (status = 204, description = "Moved along the lifecycle"),
        (status = 404, body = ErrorBody, content_type = "application/cbor", description = "Not a referral to this organisation"),
        (status = 409, body = ErrorBody, content_type = "application/cbor", description = "Not allowed by the lifecycle"),
    ))]
pub async fn referral_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Signed { device, body }: Signed,
) -> Result<Response, ApiError> {
    let request: StatusRequest = decode(&body).map_err(ApiError::malformed)?;
    state
        .repo
        .set_referral_status(device, id, request.status)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
