//! The app's commands. Each one is a line or two over `senda-core`; errors
//! travel to the UI as `{ code, ...fields }` and the UI says them in the
//! person's language.

use crate::state::AppState;
use senda_core::checklist::ChecklistSummary;
use senda_core::content::{Article, InstallError, InstalledPack, Place};
use senda_core::directory::{SearchResult, ServiceQuery};
use senda_core::{LockPolicy, Person, StaffMember, VaultError, VaultStatus};
use tauri::State;

type Result<T> = std::result::Result<T, VaultError>;

#[tauri::command(async)]
pub fn vault_status(state: State<'_, AppState>) -> Result<VaultStatus> {
    state.vault()?.status()
}

#[tauri::command(async)]
pub fn vault_create(state: State<'_, AppState>, name: String, pin: String) -> Result<StaffMember> {
    state.vault()?.create(&name, &pin)
}

/// The "who are you" list: the labels the owner chose, readable while locked.
#[tauri::command(async)]
pub fn vault_people(state: State<'_, AppState>) -> Result<Vec<Person>> {
    state.vault()?.people()
}

/// Unlocks as the person chosen from the list, then purges the cases whose
/// retention period has passed (audited).
#[tauri::command(async)]
pub fn vault_unlock(
    state: State<'_, AppState>,
    staff_id: String,
    pin: String,
) -> Result<StaffMember> {
    let mut vault = state.vault()?;
    let staff = vault.unlock(&staff_id, &pin)?;
    let purged = vault
        .casework()
        .map_err(senda_core::casework::CaseError::from)
        .and_then(|cw| cw.purge_expired());
    if let Err(e) = purged {
        eprintln!("senda: retention purge skipped: {e}");
    }
    Ok(staff)
}

#[tauri::command(async)]
pub fn vault_lock(state: State<'_, AppState>) -> Result<()> {
    state.vault()?.lock()
}

/// The UI reports the person's taps and keys: the only activity auto-lock counts
/// (no other command touches, so status polls and a background sync never keep it open).
#[tauri::command(async)]
pub fn vault_touch(state: State<'_, AppState>) -> Result<()> {
    state.vault()?.touch()
}

#[tauri::command(async)]
pub fn vault_change_pin(state: State<'_, AppState>, current: String, next: String) -> Result<()> {
    state.vault()?.change_pin(&current, &next)
}

#[tauri::command(async)]
pub fn vault_add_staff(
    state: State<'_, AppState>,
    name: String,
    label: String,
    pin: String,
) -> Result<StaffMember> {
    state.vault()?.add_staff(&name, &label, &pin)
}

#[tauri::command(async)]
pub fn vault_remove_staff(state: State<'_, AppState>, id: String) -> Result<()> {
    state.vault()?.remove_staff(&id)
}

#[tauri::command(async)]
pub fn vault_set_policy(state: State<'_, AppState>, policy: LockPolicy) -> Result<()> {
    state.vault()?.set_policy(policy)
}

#[tauri::command(async)]
pub fn staff_list(state: State<'_, AppState>) -> Result<Vec<StaffMember>> {
    state.vault()?.staff()
}

/// Public content: readable with no PIN, and reading it writes nothing.
#[tauri::command(async)]
pub fn content_articles(
    state: State<'_, AppState>,
) -> std::result::Result<Vec<Article>, InstallError> {
    state.content()?.articles()
}

#[tauri::command(async)]
pub fn content_places(state: State<'_, AppState>) -> std::result::Result<Vec<Place>, InstallError> {
    state.content()?.places()
}

/// The installed checklists (id, version, title) for the staff side.
#[tauri::command(async)]
pub fn content_checklists(
    state: State<'_, AppState>,
) -> std::result::Result<Vec<ChecklistSummary>, InstallError> {
    Ok(state
        .content()?
        .checklists()?
        .iter()
        .map(ChecklistSummary::from)
        .collect())
}

/// Searches the referral directory (public content: no PIN needed, nothing written).
#[tauri::command(async)]
pub fn directory_search(
    state: State<'_, AppState>,
    query: ServiceQuery,
) -> std::result::Result<SearchResult, InstallError> {
    state.content()?.search(&query)
}

#[tauri::command(async)]
pub fn content_installed(
    state: State<'_, AppState>,
) -> std::result::Result<Vec<InstalledPack>, InstallError> {
    state.content()?.installed()
}

/// Discreet mode gives the window a neutral title (the UI sends it, in the person's language).
#[tauri::command]
pub fn window_set_title(window: tauri::WebviewWindow, title: String) {
    let title: String = title.chars().take(40).collect();
    if let Err(e) = window.set_title(&title) {
        eprintln!("senda: could not set the window title: {e}");
    }
}

/// Called once the first screen is drawn. With `SENDA_EXIT_WHEN_READY=1`
/// the app prints its cold-start time and exits (the start-up benchmark).
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>, app: tauri::AppHandle) {
    if std::env::var_os("SENDA_EXIT_WHEN_READY").is_some() {
        println!("senda-ready-ms {}", state.started.elapsed().as_millis());
        app.exit(0);
    }
}
