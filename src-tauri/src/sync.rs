//! Sync commands: enrol this device with a server, and sync now. Progress
//! is kept in the app state for the UI to poll while a sync runs.

use crate::state::AppState;
use senda_core::VaultError;
use senda_core::casework::{OutboxCounts, ReferralStatus};
use senda_core::sync::{
    ContentAvailable, ReceivedReferral, SyncClient, SyncConflict, SyncError, SyncIdentity,
    SyncProgress, SyncReport,
};
use serde::Serialize;
use tauri::State;

#[derive(Debug, Serialize)]
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
    let result = SyncClient::new()
        .sync(vault, |p| state.set_sync_progress(Some(p)))
        .await;
    state.set_sync_progress(None);
    result
}

#[derive(Debug, Serialize)]
pub struct Exported {
    pub ops: usize,
    pub file: String,
}

/// Writes the ready changes, sealed to the server, to a batch file for a USB
/// stick. The file appears under its final name only once complete.
#[tauri::command(async)]
pub fn sync_export(state: State<'_, AppState>) -> Result<Option<Exported>, SyncError> {
    let mut vault = state.vault()?;
    let cw = vault.casework()?;
    let Some((bytes, ops)) = cw.export_batch()? else {
        return Ok(None);
    };
    let io = |e: std::io::Error| {
        SyncError::Case(
            VaultError::Storage {
                message: e.to_string(),
            }
            .into(),
        )
    };
    std::fs::create_dir_all(&state.export_dir).map_err(io)?;
    let name = format!(
        "senda-{}.sendabatch",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    let file = state.export_dir.join(name);
    let part = file.with_extension("part");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&part).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&part, &file).map_err(io)?;
    Ok(Some(Exported {
        ops,
        file: file.display().to_string(),
    }))
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
