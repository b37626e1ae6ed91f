use senda_core::{SystemClock, Vault, VaultError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// What the commands share: the vault (or why it could not be opened).
pub struct AppState {
    vault: Result<Mutex<Vault>, VaultError>,
    pub started: Instant,
}

impl AppState {
    pub fn open(dir: PathBuf, started: Instant) -> Self {
        let vault = Vault::open_dir(dir, Arc::new(SystemClock)).map(Mutex::new);
        Self { vault, started }
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

    /// For the timer thread: `vault()` already locks an idle vault.
    pub fn lock_if_idle(&self) {
        drop(self.vault());
    }
}
