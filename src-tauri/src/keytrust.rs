//! Handing the organisation's keys to a new device, only when a person here
//! approves it after comparing its fingerprint with the one it shows.

use crate::state::AppState;
use senda_core::sync::{HandOver, SyncClient, SyncError};
use tauri::State;

/// This organisation's devices waiting for its keys (it needs the network).
#[tauri::command]
pub async fn keys_hand_overs(state: State<'_, AppState>) -> Result<Vec<HandOver>, SyncError> {
    SyncClient::new().hand_overs(state.vault_mutex()?).await
}

/// The person confirmed that `fingerprint` is on the new device's screen.
#[tauri::command]
pub async fn keys_approve_hand_over(
    state: State<'_, AppState>,
    device_id: String,
    fingerprint: String,
) -> Result<(), SyncError> {
    SyncClient::new()
        .approve_hand_over(state.vault_mutex()?, &device_id, &fingerprint)
        .await
}

#[tauri::command(async)]
pub fn keys_refuse_hand_over(
    state: State<'_, AppState>,
    device_id: String,
) -> Result<(), SyncError> {
    Ok(state.vault()?.casework()?.refuse_hand_over(&device_id)?)
}
