use serde::Serialize;
use thiserror::Error;

/// Everything that can go wrong with the vault, each with a stable code.
///
/// The code (`VaultError::code`) is what the UI turns into a sentence: every
/// code has a message `error-<code>` in each locale (a test checks it).
/// None of these errors is raised after destroying data, except `Wiped`,
/// which the device owner asked for.
#[derive(Debug, Error, Clone, PartialEq, Eq, Serialize, strum::EnumIter, strum::IntoStaticStr)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum VaultError {
    #[error("wrong PIN ({attempts_left} attempts left before lockout)")]
    WrongPin { attempts_left: u32 },
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    RetryLater { retry_after_secs: u64 },
    #[error("locked out after too many failed attempts; retry in {retry_after_secs} s")]
    LockedOut { retry_after_secs: u64 },
    #[error("the vault was wiped after too many failed attempts")]
    Wiped,
    #[error("the vault is locked")]
    Locked,
    #[error("a vault already exists on this device")]
    AlreadyCreated,
    #[error("no vault has been created on this device yet")]
    NotCreated,
    #[error("the PIN must have at least {min} characters")]
    PinTooShort { min: usize },
    #[error("the organisation's PIN policy allows digits only")]
    PinDigitsOnly,
    #[error("that person is not on this device's list")]
    NoSuchStaff,
    #[error("another person on this device is already listed under that label")]
    LabelInUse,
    #[error("a name is required")]
    NameRequired,
    #[error("the vault file is missing although its keys exist")]
    VaultMissing,
    #[error("the vault file is damaged or truncated")]
    Corrupted,
    #[error(
        "the vault was written by a newer version of Senda (schema {found}, this app knows {supported})"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("the disk is full")]
    DiskFull,
    #[error("only the device owner may do this")]
    NotPermitted,
    #[error("setting out of range: {setting}")]
    InvalidSetting { setting: String },
    #[error("the audit log was altered at entry {seq}")]
    AuditTampered { seq: i64 },
    #[error("storage error: {message}")]
    Storage { message: String },
}

impl VaultError {
    /// The stable, kebab-case code the UI translates (`error-<code>`): the
    /// variant's name, as serde writes it (a test checks they agree).
    pub fn code(&self) -> &'static str {
        self.into()
    }

    /// Every code, so tests can check each has a translation.
    pub fn all_codes() -> Vec<&'static str> {
        use strum::IntoEnumIterator;
        Self::iter().map(|e| e.code()).collect()
    }
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::*;
        match e.sqlite_error_code() {
            Some(DatabaseCorrupt | NotADatabase) => Self::Corrupted,
            Some(DiskFull) => Self::DiskFull,
            _ => Self::Storage {
                message: e.to_string(),
            },
        }
    }
}

impl From<std::io::Error> for VaultError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::StorageFull {
            Self::DiskFull
        } else {
            Self::Storage {
                message: e.to_string(),
            }
        }
    }
}

impl From<rusqlite_migration::Error> for VaultError {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => err.into(),
            other => Self::Storage {
                message: other.to_string(),
            },
        }
    }
}
