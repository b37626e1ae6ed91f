use senda_core::content::{ContentStore, InstallError, TrustedKeys};
use senda_core::sync::SyncProgress;
use senda_core::{SystemClock, Vault, VaultError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Publishers every build trusts (see assets/keys/trusted.toml).
const TRUSTED_KEYS: &str = include_str!("../../assets/keys/trusted.toml");
/// The demo publisher, whose private key is public: trusted only in demo builds.
#[cfg(feature = "demo-content")]
const DEMO_KEYS: &str = include_str!("../../assets/keys/trusted-demo.toml");

/// The publishers this build trusts.
pub fn trusted_keys() -> TrustedKeys {
    let keys = TrustedKeys::from_toml(TRUSTED_KEYS).expect("the embedded trusted.toml is valid");
    #[cfg(feature = "demo-content")]
    let keys = {
        let mut keys = keys;
        keys.0.extend(
            TrustedKeys::from_toml(DEMO_KEYS)
                .expect("the embedded trusted-demo.toml is valid")
                .0,
        );
        keys
    };
    keys
}

/// What the commands share: the vault and the content store (or why either
/// could not be opened, to show on screen).
pub struct AppState {
    vault: Result<Mutex<Vault>, VaultError>,
    content: Result<Mutex<ContentStore>, InstallError>,
    sync_progress: Mutex<Option<SyncProgress>>,
    /// Where batch files for a USB stick are written (`SENDA_EXPORT_DIR`, else `exports/`).
    pub export_dir: PathBuf,
    pub started: Instant,
}

impl AppState {
    pub fn open(dir: PathBuf, started: Instant) -> Self {
        let content = open_content(&dir).map(Mutex::new);
        let export_dir = std::env::var_os("SENDA_EXPORT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.join("exports"));
        let vault = Vault::open_dir(dir, Arc::new(SystemClock)).map(Mutex::new);
        Self {
            vault,
            content,
            sync_progress: Mutex::new(None),
            export_dir,
            started,
        }
    }

    /// The vault, auto-locked first if it sat idle too long (the timer thread
    /// may not have run while the device slept).
    pub fn vault(&self) -> Result<MutexGuard<'_, Vault>, VaultError> {
        let mut vault = self
            .vault
            .as_ref()
            .map_err(Clone::clone)?
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        vault.lock_if_idle()?;
        Ok(vault)
    }

    /// The vault's lock itself, for sync, which takes it only between network calls.
    pub fn vault_mutex(&self) -> Result<&Mutex<Vault>, VaultError> {
        drop(self.vault()?); // auto-lock first, as every command does
        self.vault.as_ref().map_err(Clone::clone)
    }

    pub fn sync_progress(&self) -> Option<SyncProgress> {
        self.sync_progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_sync_progress(&self, progress: Option<SyncProgress>) {
        *self.sync_progress.lock().unwrap_or_else(|e| e.into_inner()) = progress;
    }

    /// For the timer thread: `vault()` already locks an idle vault.
    pub fn lock_if_idle(&self) {
        drop(self.vault());
    }

    pub fn content(&self) -> Result<MutexGuard<'_, ContentStore>, InstallError> {
        Ok(self
            .content
            .as_ref()
            .map_err(Clone::clone)?
            .lock()
            .unwrap_or_else(|e| e.into_inner()))
    }
}

/// Opens the content database and installs the pack named by
/// `SENDA_CONTENT_PACK` if it is newer than what is installed.
fn open_content(dir: &Path) -> Result<ContentStore, InstallError> {
    std::fs::create_dir_all(dir).map_err(|e| InstallError::Storage {
        message: e.to_string(),
    })?;
    let mut store = ContentStore::open(&dir.join("content.db"), trusted_keys())?;
    if let Some(path) = std::env::var_os("SENDA_CONTENT_PACK") {
        match std::fs::read(&path).map_err(|e| e.to_string()) {
            // Verifying a large pack takes a while: only when it is newer.
            Ok(file) if !store.is_newer(&file).unwrap_or(true) => {}
            Ok(file) => match store.install(&file, chrono::Utc::now()) {
                Ok(p) => eprintln!("senda: installed content {} v{}", p.publisher, p.version),
                Err(e) => eprintln!("senda: content pack refused: {e}"),
            },
            Err(e) => eprintln!("senda: cannot read content pack: {e}"),
        }
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::trusted_keys;

    /// `cargo test -p senda-app` checks the release set; `./x test` (with
    /// `--features demo-content`) checks the demo build's.
    #[test]
    fn the_demo_publisher_is_trusted_only_in_demo_builds() {
        let demo_trusted = trusted_keys().0.iter().any(|k| k.publisher == "senda-demo");
        assert_eq!(demo_trusted, cfg!(feature = "demo-content"));
    }
}
