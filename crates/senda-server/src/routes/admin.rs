//! Administration over HTTP (JSON, bearer token); the same operations exist
//! as `senda-server admin …` subcommands for a shell on the server.

use super::auth::{self, ApiError};
use crate::startup::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct NewOrganisation {
    pub name: String,
}

pub async fn create_organisation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<NewOrganisation>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    let org = state
        .repo
        .create_organisation(checked_name(&body.name)?)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(org))))
}

/// A name of 1 to 120 characters, trimmed.
fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(ApiError::bad_request(
            "bad-name",
            "a name of 1 to 120 characters is required",
        ));
    }
    Ok(name.to_owned())
}

#[derive(Deserialize)]
pub struct NewEnrolmentCode {
    pub organisation: String,
    pub team: String,
    #[serde(default = "default_days")]
    pub days: i64,
}

fn default_days() -> i64 {
    7
}

pub async fn create_enrolment_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<NewEnrolmentCode>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    if !(1..=90).contains(&body.days) || body.team.trim().is_empty() {
        return Err(ApiError::bad_request(
            "bad-request",
            "a team and 1 to 90 days are required",
        ));
    }
    let code = state
        .repo
        .create_enrolment_code(body.organisation, body.team.trim().to_owned(), body.days)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "code": code }))))
}

#[derive(Deserialize)]
pub struct NewStaff {
    pub organisation: String,
    pub team: String,
    pub name: String,
}

pub async fn create_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<NewStaff>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    if body.team.trim().is_empty() {
        return Err(ApiError::bad_request("bad-request", "a team is required"));
    }
    let staff = state
        .repo
        .create_staff(
            body.organisation,
            body.team.trim().to_owned(),
            checked_name(&body.name)?,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!(staff))))
}

#[derive(Deserialize)]
pub struct NewStaffCode {
    #[serde(default = "default_days")]
    pub days: i64,
}

/// A code that enrols one device as this staff member's.
pub async fn create_staff_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<NewStaffCode>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    if !(1..=90).contains(&body.days) {
        return Err(ApiError::bad_request(
            "bad-request",
            "1 to 90 days are required",
        ));
    }
    let code = state.repo.staff_enrolment_code(id, body.days).await?;
    Ok((StatusCode::CREATED, Json(json!({ "code": code }))))
}

/// Someone left: their account enrols nothing more and their devices are told to wipe.
pub async fn deactivate_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    let revoked = state.repo.deactivate_staff(id).await?;
    Ok(Json(json!({ "devices_retired": revoked })))
}

pub async fn staff_of(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    Ok(Json(json!(state.repo.staff_of(id).await?)))
}

#[derive(Deserialize)]
pub struct ServiceRoute {
    pub service_id: String,
    pub organisation: String,
}

/// Which organisation receives referrals to a directory service.
pub async fn route_service(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<ServiceRoute>,
) -> Result<StatusCode, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    state
        .repo
        .route_service(body.service_id, body.organisation)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct OrganisationKeys {
    /// The organisation's admin key (Ed25519, hex). Its secret stays with the administrator.
    pub admin_key: String,
    /// Key certificates the admin key signed (`senda_protocol::OrgKeyCert`).
    pub certificates: Vec<senda_protocol::OrgKeyCert>,
    /// Set to replace the current key by a newer serial (rotation).
    #[serde(default)]
    pub rotate: bool,
}

/// Registers the organisation's admin key and key certificates; referrals can
/// then be routed to it. Replacing a key needs `rotate`.
pub async fn set_organisation_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<OrganisationKeys>,
) -> Result<Json<Value>, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    let serial = state
        .repo
        .set_organisation_keys(id, body.admin_key, body.certificates, body.rotate)
        .await?;
    Ok(Json(json!({ "serial": serial })))
}

/// What the organisation's administrator signed about another organisation
/// (`senda_protocol::OrgTrust`): its admin key, and the services routed to it.
pub async fn trust_organisation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<senda_protocol::OrgTrust>,
) -> Result<StatusCode, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    if body.organisation != id {
        return Err(ApiError::bad_request(
            "bad-certificate",
            "signed by another organisation",
        ));
    }
    state.repo.trust_organisation(body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An organisation's admin key (for another administrator to check its fingerprint).
pub async fn admin_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    Ok(Json(
        json!({ "admin_key": state.repo.admin_key(id).await? }),
    ))
}

/// The organisation's devices still waiting for its secret, with their box keys.
pub async fn awaiting_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    Ok(Json(json!(state.repo.awaiting_key(id).await?)))
}

pub async fn grant_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<senda_protocol::KeyGrant>,
) -> Result<StatusCode, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    state.repo.grant_key(body.device_id, body.sealed).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a device's batch file (brought on a USB stick); the body is the file.
pub async fn import_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    let report = crate::import::import(&state.repo, &body).await?;
    Ok(Json(json!(report)))
}

/// Retire: the device pushes what it holds at its next sync, then is told to
/// wipe (M4). For a device that is lost or in the wrong hands, `revoke`.
pub async fn retire_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    active_device_changed(state.repo.retire_device(id).await?)
}

/// Compromised: the device is refused everything and told to wipe at once,
/// losing what it had not sent.
pub async fn revoke_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    active_device_changed(state.repo.revoke_device(id).await?)
}

/// 204 when an active device was retired or revoked; 404 when there was none.
fn active_device_changed(changed: bool) -> Result<StatusCode, ApiError> {
    if changed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no-such-device",
            "no such active device",
        ))
    }
}

#[derive(Deserialize)]
pub struct Retention {
    pub days: u32,
}

/// How long the server keeps the organisation's records (1 to 365 days); its
/// devices use the same period from their next sync.
pub async fn set_retention(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(organisation): Path<String>,
    Json(body): Json<Retention>,
) -> Result<Json<Value>, ApiError> {
    auth::admin(&headers, state.admin_token.as_deref())?;
    state.repo.set_retention(organisation, body.days).await?;
    Ok(Json(json!({ "days": body.days })))
}
