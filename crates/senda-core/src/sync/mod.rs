//! Sync with the central server, from the device's side.
//!
//! `device.rs` is sans-I/O: it builds signed requests from the vault and
//! applies the server's answers to it, each in one transaction. `client.rs`
//! moves the bytes with reqwest, holding the vault lock only while reading or
//! writing it, never while waiting on the network. `export.rs` writes the outbox to a
//! batch file for a USB stick.

mod client;
mod device;
mod export;
mod sealing;
mod transport;
mod trust;

pub use client::{SyncClient, SyncError, SyncProgress, SyncReport, apply_organisation_settings};
pub use device::{
    ContentAvailable, KeysApplied, PushBatch, ReceivedReferral, SignedRequest, SummaryProblem,
    SyncConflict, SyncIdentity,
};
pub use export::Exported;
pub use sealing::{field_key, seal_for_organisation};
pub use transport::{MAX_ANSWER_BYTES, check_server_url};
pub use trust::{HandOver, KeyStatus, KeyTrustError, split_enrolment_code};

pub use senda_protocol::IncomingReferral;
