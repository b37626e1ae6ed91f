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

pub use client::{SyncClient, SyncError, SyncProgress, SyncReport};
pub use device::{
    ContentAvailable, ReceivedReferral, SignedRequest, SummaryProblem, SyncConflict, SyncIdentity,
};
pub use export::Exported;
pub use sealing::seal_for_organisation;
pub use transport::{MAX_ANSWER_BYTES, check_server_url};

pub use senda_protocol::IncomingReferral;
