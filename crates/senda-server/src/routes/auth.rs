//! Who is asking: a device's signature, its time and a one-time nonce; or,
//! for administration, the administrator's bearer token.

use crate::store::{Device, Refusal, StoreError};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use senda_protocol::{
    BodyHash, ErrorBody, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME,
    MAX_CLOCK_SKEW_SECS, signing_message_hashed, verify,
};

/// A refused request: status, stable code, and (for a revoked device) the order to wipe.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: &str) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                wipe: false,
            },
        }
    }
    pub fn bad_request(code: &str, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn malformed(e: senda_protocol::DecodeError) -> Self {
        match e {
            senda_protocol::DecodeError::TooLarge(_) => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "the body is too large",
            ),
            senda_protocol::DecodeError::Malformed(_) => {
                Self::bad_request("malformed", "the body is not a valid message")
            }
            senda_protocol::DecodeError::OverLimit(why) => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "over-limit", &why)
            }
        }
    }
    fn unauthorised(code: &str, message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        crate::metrics::REQUESTS_REFUSED.inc();
        super::sync::cbor(self.status, &self.body)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(r) => {
                let (status, code) = match r {
                    Refusal::BadEnrolmentCode => (StatusCode::FORBIDDEN, "bad-enrolment-code"),
                    Refusal::KeyInUse => (StatusCode::CONFLICT, "key-in-use"),
                    Refusal::NoSuchOrganisation => (StatusCode::NOT_FOUND, "no-such-organisation"),
                    Refusal::NoSuchReferral => (StatusCode::NOT_FOUND, "no-such-referral"),
                    Refusal::BadTransition(..) => (StatusCode::CONFLICT, "bad-transition"),
                    Refusal::BadRetention => (StatusCode::BAD_REQUEST, "bad-retention"),
                    Refusal::BadPinPolicy => (StatusCode::BAD_REQUEST, "bad-pin-policy"),
                    Refusal::NoOrganisationKey => (StatusCode::CONFLICT, "no-organisation-key"),
                    Refusal::BadKey => (StatusCode::BAD_REQUEST, "bad-key"),
                    Refusal::NoSuchDevice => (StatusCode::NOT_FOUND, "no-such-device"),
                    Refusal::BadBatchFile => (StatusCode::BAD_REQUEST, "bad-batch-file"),
                    Refusal::NoSuchStaff => (StatusCode::NOT_FOUND, "no-such-staff"),
                    Refusal::StaffDeactivated => (StatusCode::CONFLICT, "staff-deactivated"),
                    Refusal::AdminKeyExists => (StatusCode::CONFLICT, "admin-key-exists"),
                    Refusal::KeyExists => (StatusCode::CONFLICT, "key-exists"),
                    Refusal::BadCertificate => (StatusCode::BAD_REQUEST, "bad-certificate"),
                    Refusal::UnsealedField(_) => (StatusCode::BAD_REQUEST, "unsealed-field"),
                    Refusal::BadOperation(_) => (StatusCode::BAD_REQUEST, "bad-operation"),
                    Refusal::QuotaExceeded => (StatusCode::PAYLOAD_TOO_LARGE, "quota-exceeded"),
                    Refusal::TooManyWaiting => (StatusCode::CONFLICT, "too-many-waiting"),
                };
                Self::new(status, code, &r.to_string())
            }
            other => {
                tracing::error!(error = %other, "storage failed");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "storage is unavailable; retry",
                )
            }
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A request's signature headers, as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedHeaders<'a> {
    pub device: &'a str,
    pub time: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
}

/// The signature headers, present and well formed, with a time near `now`
/// (no I/O: the fuzzer runs it on any header map).
pub fn signed_headers(
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SignedHeaders<'_>, ApiError> {
    let (Some(id), Some(time), Some(nonce), Some(signature)) = (
        header(headers, HEADER_DEVICE),
        header(headers, HEADER_TIME),
        header(headers, HEADER_NONCE),
        header(headers, HEADER_SIGNATURE),
    ) else {
        return Err(ApiError::unauthorised(
            "unsigned",
            "the request is not signed",
        ));
    };
    if nonce.len() < 16 || nonce.len() > 64 {
        return Err(ApiError::unauthorised(
            "bad-nonce",
            "the nonce must be 16 to 64 characters",
        ));
    }
    let at = chrono::DateTime::parse_from_rfc3339(time)
        .map_err(|_| ApiError::unauthorised("bad-time", "the time is not RFC 3339"))?;
    if (now - at.to_utc()).num_seconds().abs() > MAX_CLOCK_SKEW_SECS {
        return Err(ApiError::unauthorised(
            "bad-time",
            "the time is too far from the server's",
        ));
    }
    Ok(SignedHeaders {
        device: id,
        time,
        nonce,
        signature,
    })
}

/// The device that signed this request, if the signature, time and nonce hold.
async fn device(
    state: &crate::startup::AppState,
    ip: ClientIp,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: &BodyHash,
) -> Result<Device, ApiError> {
    let SignedHeaders {
        device: id,
        time,
        nonce,
        signature,
    } = signed_headers(headers, chrono::Utc::now())?;
    let device = match signer(
        &state.repo,
        id,
        &signing_message_hashed(method, path, time, nonce, body),
        signature,
    )
    .await
    {
        Err(e) if e.body.code == "unknown-device" => {
            state.limits.note_unknown_device(ip.0, id);
            return Err(e);
        }
        other => other?,
    };
    state.limits.note_signed(&device.id);
    // The nonce before the rate: a replayed copy of one of the device's
    // requests must not spend its rate and so put it to rest. (A device
    // flooding fresh nonces rests after its burst, refused before this.)
    if !state
        .repo
        .use_nonce(device.id.clone(), nonce.to_owned())
        .await?
    {
        return Err(ApiError::unauthorised(
            "replayed",
            "this request was already received",
        ));
    }
    if !state.limits.device_allowed(&device.id) {
        return Err(rate_limited());
    }
    // A retiring device may read the receivers' keys (to seal its last
    // summaries to the current ones) and push; its first other request, once
    // known not to be a replay, ends its retirement (M4).
    if device.retiring && !matches!(path, "/v1/push" | "/v1/keys") {
        state.repo.finish_retirement(device.id.clone()).await?;
        tracing::info!(device = %device.id, "retired device told to wipe after its last push");
        return Err(wipe());
    }
    Ok(device)
}

/// Refused, and told to erase what it holds.
fn wipe() -> ApiError {
    let mut e = ApiError::new(
        StatusCode::FORBIDDEN,
        "device-revoked",
        "this device was revoked",
    );
    e.body.wipe = true;
    e
}

/// The enrolled, unrevoked device `id` whose key made `signature` over `message`;
/// a revoked device is told to wipe. Shared by requests and batch files (a
/// retiring device's batch file is a push, which it may still make).
pub async fn signer(
    repo: &crate::store::Repo,
    id: &str,
    message: &[u8],
    signature: &str,
) -> Result<Device, ApiError> {
    let Some(device) = repo.device(id.to_owned()).await? else {
        return Err(ApiError::unauthorised(
            "unknown-device",
            "this device is not enrolled",
        ));
    };
    if !verify(&device.public_key, message, signature) {
        return Err(ApiError::unauthorised(
            "bad-signature",
            "the signature does not match",
        ));
    }
    if device.revoked {
        return Err(wipe());
    }
    Ok(device)
}

/// A request signed by an enrolled, unrevoked device: who signed it and the
/// body it signed. Every signed route takes this, so the checks (signature
/// over method, path and body; time; one-time nonce; rate; revocation) live
/// here once.
pub struct Signed {
    pub device: Device,
    pub body: axum::body::Bytes,
}

impl axum::extract::FromRequest<crate::startup::AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &crate::startup::AppState,
    ) -> Result<Self, ApiError> {
        let ip = request
            .extensions()
            .get::<ClientIp>()
            .copied()
            .unwrap_or_default();
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().to_owned();
        let headers = request.headers().clone();
        // `sign_answers` read and hashed the body (once, for this signature
        // and its answer's) of every request naming a device and a nonce;
        // one that names neither is not signed.
        let Some(crate::answers::HashedBody { bytes: body, hash }) = request
            .extensions()
            .get::<crate::answers::HashedBody>()
            .cloned()
        else {
            return Err(ApiError::unauthorised(
                "unsigned",
                "the request is not signed",
            ));
        };
        let device = device(state, ip, &headers, &method, &path, &hash).await?;
        Ok(Self { device, body })
    }
}

/// The client's address, as the listener saw it (no proxy header is trusted).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

/// Notes the client's address for the handlers (per-address limits, L1).
pub async fn client_ip(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let ip = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// Refusals that need neither the body nor the database, made before the
/// body is read or hashed: an id the server could not have made, one already
/// found unknown, or one from an address that keeps sending unknown ones
/// (L1); and a device refused for its rate a moment ago (M10). They are not
/// signed: they carry no order, and a device retries a 429 after a pause.
pub async fn refuse_early(
    axum::extract::State(state): axum::extract::State<crate::startup::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(id) = header(request.headers(), HEADER_DEVICE) else {
        return next.run(request).await;
    };
    let ip = request
        .extensions()
        .get::<ClientIp>()
        .copied()
        .unwrap_or_default();
    if !crate::limits::device_id_like(id) || state.limits.unknown_device_refused(ip.0, id) {
        return ApiError::unauthorised("unknown-device", "this device is not enrolled")
            .into_response();
    }
    if state.limits.device_resting(id) {
        return rate_limited().into_response();
    }
    next.run(request).await
}

fn rate_limited() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "too many requests; slow down",
    )
}

/// Every admin route: the token is checked before the body is read (L1).
pub async fn admin_gate(
    axum::extract::State(state): axum::extract::State<crate::startup::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match admin(request.headers(), state.admin_token.as_deref()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// The administrator's bearer token (`SENDA_ADMIN_TOKEN`); admin routes are off without one.
pub fn admin(headers: &HeaderMap, token: Option<&str>) -> Result<(), ApiError> {
    let Some(expected) = token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "admin-disabled",
            "no administrator token is configured",
        ));
    };
    let given = header(headers, "authorization").and_then(|v| v.strip_prefix("Bearer "));
    // Comparing digests leaks nothing useful about the token through timing.
    let hash = |t: &str| ring::digest::digest(&ring::digest::SHA256, t.as_bytes());
    let same = given.is_some_and(|g| hash(g).as_ref() == hash(expected).as_ref());
    if same {
        Ok(())
    } else {
        Err(ApiError::unauthorised(
            "not-admin",
            "administrator token required",
        ))
    }
}
