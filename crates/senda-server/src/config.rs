use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the server listens and keeps its data. Read from the environment
/// so that the same binary runs on a laptop, a pilot box or behind a balancer.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: Database,
    /// Enables the admin API when set (`SENDA_ADMIN_TOKEN`).
    pub admin_token: Option<String>,
    /// Requests per second each device may make (`SENDA_RATE_PER_DEVICE`, default 20).
    pub device_rate: u32,
    /// The server's answer-signing key (`SENDA_SIGNING_KEY_FILE`; by default
    /// beside the SQLite file as `<name>.signing-key`, or
    /// `senda-server-signing.key` with PostgreSQL); made on first start. See `answers.rs`.
    pub signing_key_file: PathBuf,
    /// Serve https itself (`SENDA_TLS_CERT` and `SENDA_TLS_KEY`, PEM files).
    pub tls: Option<Tls>,
}

/// A certificate chain and its private key, PEM.
#[derive(Debug, Clone)]
pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone)]
pub enum Database {
    /// The embedded default (`SENDA_SERVER_DB`, a file path).
    Sqlite(PathBuf),
    /// `DATABASE_URL=postgres://…`, for several instances behind a balancer.
    Postgres(String),
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let listen = std::env::var("SENDA_SERVER_LISTEN")
            .unwrap_or_else(|_| "127.0.0.1:8787".into())
            .parse()
            .map_err(|e| format!("SENDA_SERVER_LISTEN: {e}"))?;
        let database = match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(url)
            }
            Ok(url) => {
                return Err(format!(
                    "DATABASE_URL: only postgres:// is supported, not {url:?}"
                ));
            }
            Err(_) => Database::Sqlite(
                std::env::var("SENDA_SERVER_DB")
                    .unwrap_or_else(|_| "senda-server.db".into())
                    .into(),
            ),
        };
        let admin_token = std::env::var("SENDA_ADMIN_TOKEN")
            .ok()
            .filter(|t| t.len() >= 16);
        let device_rate = std::env::var("SENDA_RATE_PER_DEVICE")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(20);
        let signing_key_file = match (std::env::var("SENDA_SIGNING_KEY_FILE"), &database) {
            (Ok(path), _) => path.into(),
            (Err(_), Database::Sqlite(db)) => db.with_extension("signing-key"),
            (Err(_), Database::Postgres(_)) => "senda-server-signing.key".into(),
        };
        let tls = match (
            std::env::var("SENDA_TLS_CERT"),
            std::env::var("SENDA_TLS_KEY"),
        ) {
            (Ok(cert), Ok(key)) => Some(Tls {
                cert: cert.into(),
                key: key.into(),
            }),
            (Err(_), Err(_)) => None,
            _ => return Err("SENDA_TLS_CERT and SENDA_TLS_KEY go together".into()),
        };
        Ok(Self {
            listen,
            database,
            admin_token,
            device_rate,
            signing_key_file,
            tls,
        })
    }
}
