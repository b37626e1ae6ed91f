//! Importing a batch file carried from a device on a USB stick.
//!
//! Each push inside is checked exactly as `/v1/push` checks a request (the
//! device's signature, revocation, the body's shape) and stored with the
//! same idempotent rules. Nonces and the clock window are not applied: a
//! file may travel for days, and importing it again must store nothing twice,
//! not fail.

use crate::routes::auth::{self, ApiError};
use crate::routes::sync::push_request;
use crate::store::{Refusal, Repo, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub pushes: usize,
    /// Operations the server now holds from this file (new or already there).
    pub stored: usize,
    pub conflicts: usize,
}

/// Checks the whole file before storing any of it, so a file with one bad
/// push stores nothing.
pub async fn import(repo: &Repo, file: &[u8]) -> Result<ImportReport, ApiError> {
    let secret = repo.server_box_secret().await?;
    let pushes = senda_protocol::batch::read(file, &secret).map_err(|e| {
        tracing::warn!(error = %e, "batch file refused");
        ApiError::from(StoreError::Refused(Refusal::BadBatchFile))
    })?;
    let mut checked = Vec::with_capacity(pushes.len());
    for p in &pushes {
        let message =
            senda_protocol::signing_message("POST", "/v1/push", &p.time, &p.nonce, &p.body);
        let device = auth::signer(repo, &p.device_id, &message, &p.signature).await?;
        checked.push((device, push_request(&p.body)?));
    }
    let mut report = ImportReport {
        pushes: checked.len(),
        stored: 0,
        conflicts: 0,
    };
    for (device, request) in checked {
        let count = request.ops.len();
        let response = repo.push(device.clone(), request.ops).await?;
        crate::metrics::OPS_RECEIVED.inc_by(count as u64);
        tracing::info!(device = %device.id, ops = count, stored = response.stored.len(), "batch file push");
        report.stored += response.stored.len();
        report.conflicts += response.conflicts.len();
    }
    Ok(report)
}
