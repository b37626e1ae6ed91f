//! Senda's core: everything the app knows, with no idea of windows or HTTP.
//!
//! - [`vault`]: the encrypted store of children's data (SQLCipher), its keys and its lock.
//! - [`i18n`]: the Fluent message catalogues shared by every screen.
//! - [`casework`]: cases, screenings, consent, referrals and the outbox, inside the vault.
//! - [`clock`]: time, injectable so that lockouts and auto-lock are testable.
//! - [`countries`]: the one list of the countries Senda works in.

pub mod casework;
pub mod checklist;
pub mod clock;
pub mod content;
pub mod countries;
pub mod directory;
pub mod hex;
pub mod hlc;
pub mod i18n;
pub mod readability;
pub mod sync;
pub mod text;
pub mod vault;

pub use clock::{Clock, ManualClock, SystemClock};
pub use vault::{
    LABEL_MAX, LockPolicy, NAME_MAX, Person, PinPolicy, StaffId, StaffMember, Vault, VaultError,
    VaultState, VaultStatus,
};
