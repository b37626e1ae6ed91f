pub mod admin;
pub mod auth;
mod health;
pub mod sync;

pub use health::health;

pub async fn metrics() -> String {
    crate::metrics::render()
}

/// The OpenAPI document of the device-facing API (bodies are CBOR).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Senda sync server", description = "End-of-shift sync for Senda devices. Bodies are CBOR (senda-protocol); every request but enrolment is signed by the device."),
    paths(sync::enrol, sync::push, sync::pull, sync::keys, sync::key_grants, sync::device_report, sync::incoming, sync::referral_status),
    tags((name = "sync", description = "Enrolment, push and pull"), (name = "referrals", description = "The receiving organisation's side"))
)]
pub struct ApiDoc;

pub async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(<ApiDoc as utoipa::OpenApi>::openapi())
}
