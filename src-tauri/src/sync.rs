//! Sync commands: enrol this device with a server, and sync now. Progress
//! is kept in the app state for the UI to poll while a sync runs.

use crate::state::AppState;
use senda_core::casework::{OutboxCounts, ReferralStatus};
use senda_core::sync::{
    ContentAvailable, Exported, KeyStatus, ReceivedReferral, SyncClient, SyncConflict, SyncError,
    SyncIdentity, SyncProgress, SyncReport,
};
use serde::Serialize;
use tauri::State;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SyncStatus {
    pub identity: Option<SyncIdentity>,
    pub counts: OutboxCounts,
    pub conflicts: u64,
    /// While a sync runs: how far it got.
    pub progress: Option<SyncProgress>,
    /// The newest content pack the server announced, when newer than the installed one.
    pub content_available: Option<ContentAvailable>,
    /// The server `./x run` started, to fill in the form.
    pub suggested_server: Option<String>,
    pub suggested_code: Option<String>,
    /// Which keys this device holds, and its fingerprint while it waits for them.
    pub keys: Option<KeyStatus>,
}

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, SyncError> {
    let progress = state.sync_progress();
    let installed = state
        .content()
        .ok()
        .and_then(|c| c.installed().ok())
        .unwrap_or_default();
    let mut vault = state.vault()?;
    let cw = vault.casework()?;
    let content_available = cw.content_available()?.filter(|a| {
        !installed
            .iter()
            .any(|p| p.publisher == a.publisher && p.version >= a.version)
    });
    Ok(SyncStatus {
        content_available,
        keys: cw.sync_identity()?.map(|_| cw.key_status()).transpose()?,
        identity: cw.sync_identity()?,
        counts: cw.outbox_counts()?,
        conflicts: cw.open_conflicts()?,
        progress,
        suggested_server: std::env::var("SENDA_SERVER_URL").ok(),
        suggested_code: std::env::var("SENDA_ENROLMENT_CODE").ok(),
    })
}

#[tauri::command]
pub async fn sync_enrol(
    state: State<'_, AppState>,
    server_url: String,
    code: String,
) -> Result<SyncIdentity, SyncError> {
    let vault = state.vault_mutex()?;
    let name = std::env::var("HOSTNAME").unwrap_or_else(|_| "senda".into());
    SyncClient::new()
        .enrol(vault, &server_url, &code, &name)
        .await
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncReport, SyncError> {
    let vault = state.vault_mutex()?;
    // Reported to the server with the sync (the console's devices page).
    let content_version = state
        .content()
        .ok()
        .and_then(|c| c.installed().ok())
        .and_then(|packs| packs.iter().map(|p| p.version).max());
    let result = SyncClient::new()
        .with_app_version(env!("CARGO_PKG_VERSION"))
        .with_content_version(content_version)
        .sync(vault, |p| state.set_sync_progress(Some(p)))
        .await;
    state.set_sync_progress(None);
    result
}

/// Writes the ready changes, sealed to the server, to a batch file for a USB
/// stick (under `SENDA_EXPORT_DIR`, by default the app's `exports` folder).
#[tauri::command(async)]
pub fn sync_export(state: State<'_, AppState>) -> Result<Option<Exported>, SyncError> {
    Ok(state.vault()?.casework()?.export_batch(&state.export_dir)?)
}

#[tauri::command(async)]
pub fn sync_conflicts(state: State<'_, AppState>) -> Result<Vec<SyncConflict>, SyncError> {
    Ok(state.vault()?.casework()?.conflicts()?)
}

#[tauri::command(async)]
pub fn sync_resolve_conflict(state: State<'_, AppState>, id: i64) -> Result<(), SyncError> {
    Ok(state.vault()?.casework()?.resolve_conflict(id)?)
}

/// Referrals addressed to this device's organisation (it needs the network).
#[tauri::command]
pub async fn incoming_list(state: State<'_, AppState>) -> Result<Vec<ReceivedReferral>, SyncError> {
    SyncClient::new().incoming(state.vault_mutex()?).await
}

#[tauri::command]
pub async fn incoming_set_status(
    state: State<'_, AppState>,
    id: String,
    status: ReferralStatus,
) -> Result<(), SyncError> {
    SyncClient::new()
        .set_incoming_status(state.vault_mutex()?, &id, status)
        .await
}
