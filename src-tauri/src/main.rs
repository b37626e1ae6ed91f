//! The Senda app: a window over `senda-core`. Each command is a thin call into
//! the core; the UI reaches nothing else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod state;

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
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Senda app");
}
