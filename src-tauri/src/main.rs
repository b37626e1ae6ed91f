//! The Senda app: a window over `senda-core`. Each command is a thin call into
//! the core; the UI reaches nothing else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[cfg(test)]
mod bindings;
mod casework;
mod commands;
mod keytrust;
mod state;
mod sync;

use state::AppState;
use std::time::{Duration, Instant};
use tauri::Manager;

fn main() {
    let started = Instant::now();
    tauri::Builder::default()
        // The window never leaves the app: a link or form that would take it to
        // another origin (after an injection, say) is refused. `tel:` links open
        // outside the webview and are not navigations of it.
        .plugin(navigation_guard())
        .setup(move |app| {
            let dir = match std::env::var_os("SENDA_DATA_DIR") {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            app.manage(AppState::open(dir, started));
            // Under WebDriver (the e2e tests) WebKit's screenshot never answers
            // in software mode, so there the default stays.
            let automated = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
            if let Some(window) = app.get_webview_window("main").filter(|_| !automated) {
                render_in_software(&window)?;
            }
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
            commands::vault_people,
            commands::vault_unlock,
            commands::vault_lock,
            commands::vault_touch,
            commands::vault_change_pin,
            commands::vault_add_staff,
            commands::vault_remove_staff,
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
            casework::consent_withdraw,
            casework::consent_list,
            casework::referral_propose,
            casework::referral_draft_summary,
            casework::referral_with_consent,
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
            keytrust::keys_hand_overs,
            keytrust::keys_approve_hand_over,
            keytrust::keys_refuse_hand_over,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Senda app");
}

/// Forms, text and one SVG map need no GPU: WebKitGTK's accelerated mode
/// loads the GL stack (Mesa, and with software GL all of LLVM) into the web
/// process, about 65 MB of it (docs/benchmarks.md, "The installed package").
#[cfg(target_os = "linux")]
fn render_in_software(window: &tauri::WebviewWindow) -> tauri::Result<()> {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    window.with_webview(|webview| {
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })
}

#[cfg(not(target_os = "linux"))]
fn render_in_software(_: &tauri::WebviewWindow) -> tauri::Result<()> {
    Ok(())
}

fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("senda-navigation")
        .on_navigation(|_, url| navigation::allowed(url))
        .build()
}

mod navigation {
    /// Only the app's own pages: Tauri serves them from `tauri://localhost` (Linux,
    /// macOS) or `http(s)://tauri.localhost` (Windows, Android).
    pub fn allowed(url: &tauri::Url) -> bool {
        matches!(
            (url.scheme(), url.host_str()),
            ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost"))
        )
    }

    #[cfg(test)]
    mod tests {
        use super::allowed;

        fn url(s: &str) -> tauri::Url {
            s.parse().unwrap()
        }

        #[test]
        fn only_the_app_s_own_origin_is_a_place_to_go() {
            assert!(allowed(&url("tauri://localhost/index.html")));
            assert!(allowed(&url("http://tauri.localhost/")));
            for away in [
                "https://example.org/",
                "http://evil.localhost.example/",
                "tauri://evil/",
                "file:///etc/passwd",
                "data:text/html,hi",
                "javascript:alert(1)",
            ] {
                assert!(!allowed(&url(away)), "{away}");
            }
        }
    }
}

#[cfg(test)]
mod config_tests {
    /// The shipped window configuration (what `generate_context!` embeds).
    fn config() -> serde_json::Value {
        serde_json::from_str(include_str!("../tauri.conf.json")).unwrap()
    }

    #[test]
    fn the_csp_closes_what_default_src_does_not_cover() {
        let csp = config()["app"]["security"]["csp"]
            .as_str()
            .unwrap()
            .to_owned();
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        for needed in [
            "default-src 'self'",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(directives.contains(&needed), "{needed} missing from {csp}");
        }
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        assert!(
            !csp.contains("script-src"),
            "scripts fall back to 'self': {csp}"
        );
    }

    #[test]
    fn no_tauri_global_is_put_in_the_page() {
        assert_eq!(config()["app"]["withGlobalTauri"], false);
    }
}
