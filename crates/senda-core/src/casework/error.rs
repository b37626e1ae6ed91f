use crate::VaultError;
use serde::Serialize;
use thiserror::Error;

/// Why a casework change was refused. Nothing is half-saved: every change
/// runs in one transaction that is rolled back on any of these.
#[derive(Debug, Error, Clone, PartialEq, Serialize, strum::EnumIter, strum::IntoStaticStr)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum CaseError {
    #[error("invalid value for {field}")]
    InvalidField { field: String },
    #[error("no such {what}")]
    NotFound { what: String },
    #[error("the answer to {question} is not valid for that question")]
    InvalidAnswer { question: String },
    #[error("questions still without an answer: {questions:?}")]
    AnswersMissing { questions: Vec<String> },
    #[error("the screening is complete and can no longer be changed")]
    ScreeningComplete,
    #[error("checklist {checklist} is not installed")]
    ChecklistNotInstalled { checklist: String },
    #[error("this screening used checklist version {was}; version {now} is installed")]
    ChecklistChanged { was: u32, now: u32 },
    #[error("consent for {purpose} has not been recorded")]
    ConsentRequired { purpose: String },
    #[error("consent needs {missing}")]
    ConsentIncomplete { missing: String },
    #[error("an override needs a reason")]
    OverrideReasonRequired,
    #[error("the installed directory no longer lists this service")]
    ServiceNotListed,
    #[error("a referral cannot go from {from} to {to}")]
    BadTransition { from: String, to: String },
    #[error("the tell-once summary has not been reviewed with the child")]
    SummaryNotReviewed,
    #[error("this device's copy of its organisation's key cannot be opened")]
    KeyGrantUnreadable,
    #[error("the batch file could not be written: {message}")]
    ExportFailed { message: String },
    #[error("this device does not hold its organisation's key yet: nothing leaves until it does")]
    NoOrganisationKey,
    #[error("the key granted to this device does not match its organisation's public key")]
    OrganisationKeyMismatch,
    #[error("a key to seal to is not a valid X25519 public key")]
    BadRecipientKey,
    #[error(transparent)]
    #[serde(untagged)]
    #[strum(disabled)]
    KeyTrust(#[from] crate::sync::KeyTrustError),
    #[error(transparent)]
    #[serde(untagged)]
    #[strum(disabled)]
    Vault(#[from] VaultError),
}

impl CaseError {
    /// The variant's name as serde writes it, or the key trust's or vault's code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeyTrust(e) => e.code(),
            Self::Vault(e) => e.code(),
            own => own.into(),
        }
    }

    /// The codes of this type's own variants (the vault's are listed by `VaultError`).
    pub fn all_codes() -> Vec<&'static str> {
        use strum::IntoEnumIterator;
        Self::iter().map(|e| e.code()).collect()
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::NotFound {
            what: what.to_owned(),
        }
    }
}

impl From<rusqlite::Error> for CaseError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Vault(e.into())
    }
}

impl From<serde_json::Error> for CaseError {
    fn from(e: serde_json::Error) -> Self {
        Self::Vault(VaultError::Storage {
            message: e.to_string(),
        })
    }
}
