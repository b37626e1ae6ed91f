use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the server listens and keeps its data. Read from the environment
/// so that the same binary runs on a laptop, a pilot box or behind a balancer.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The embedded SQLite database (the default backend).
    pub sqlite_path: PathBuf,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let listen = std::env::var("SENDA_SERVER_LISTEN")
            .unwrap_or_else(|_| "127.0.0.1:8787".into())
            .parse()
            .map_err(|e| format!("SENDA_SERVER_LISTEN: {e}"))?;
        let sqlite_path = std::env::var("SENDA_SERVER_DB")
            .unwrap_or_else(|_| "senda-server.db".into())
            .into();
        Ok(Self {
            listen,
            sqlite_path,
        })
    }
}
