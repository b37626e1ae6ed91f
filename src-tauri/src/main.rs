//! The Senda app: a window over `senda-core`. Each command is a thin call into
//! the core; the UI reaches nothing else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod casework;
mod commands;
mod state;
mod sync;

use state::AppState;
use std::time::{Duration, Instant};
use tauri::Manager;

fn main() {
    let started = Instant::now();
    tauri::Builder::default()
        .setup(move |app| {
            let dir = match std::env::var_os("SENDA_DATA_DIR") {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            app.manage(AppState::open(dir, started));
            let handle = app.handle().clone();
            // Auto-lock runs even when the UI is idle (or hidden).
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    handle.state::<AppState>().lock_if_idle();
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::vault_status,
            commands::vault_create,
            commands::vault_unlock,
            commands::vault_lock,
            commands::vault_touch,
            commands::vault_change_pin,
            commands::vault_add_staff,
            commands::vault_set_policy,
            commands::staff_list,
            commands::content_articles,
            commands::content_places,
            commands::content_installed,
            commands::content_checklists,
            commands::directory_search,
            commands::ui_ready,
            commands::window_set_title,
            casework::checklist_get,
            casework::case_list,
            casework::case_open,
            casework::case_get,
            casework::case_update,
            casework::case_set_notes,
            casework::screening_start,
            casework::screening_answer,
            casework::screening_complete,
            casework::screening_list,
            casework::screening_get,
            casework::consent_record,
            casework::consent_withdraw,
            casework::consent_list,
            casework::referral_propose,
            casework::referral_draft_summary,
            casework::referral_create,
            casework::referral_queue,
            casework::referral_set_status,
            casework::referral_list,
            casework::referral_slip,
            casework::outbox_counts,
            casework::outbox_pending,
            sync::sync_status,
            sync::sync_enrol,
            sync::sync_now,
            sync::sync_export,
            sync::sync_conflicts,
            sync::sync_resolve_conflict,
            sync::incoming_list,
            sync::incoming_set_status,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Senda app");
}
