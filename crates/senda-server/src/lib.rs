//! The central sync server. Startup lives here so tests can run it in-process
//! on a random port; `main.rs` only reads the configuration.

pub mod answers;
pub mod config;
pub mod console;
pub mod import;
pub mod limits;
pub mod metrics;
pub mod routes;
pub mod startup;
pub mod store;

pub use config::Config;
pub use startup::{Server, run};
