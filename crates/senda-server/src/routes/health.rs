use crate::store::Repo;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Liveness and storage: 200 only when the database answers.
pub async fn health(State(repo): State<Repo>) -> (StatusCode, Json<Value>) {
    match repo.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(
                json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION"), "backend": repo.backend() }),
            ),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
    }
}
