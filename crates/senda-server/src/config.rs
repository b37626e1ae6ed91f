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
    /// What one device may cost the server (`SENDA_DEVICE_QUOTA_MB`,
    /// `SENDA_MAX_WAITING_OPS`, `SENDA_WAITING_DAYS`; see `store/limits.rs`).
    pub quotas: crate::store::Quotas,
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
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `var`. A value that is set but wrong stops
    /// the server with its name: silently falling back to a default would run
    /// an administrator's server unlike the one they configured.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let listen = var("SENDA_SERVER_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8787".into())
            .parse()
            .map_err(|e| format!("SENDA_SERVER_LISTEN: {e}"))?;
        let database = match var("DATABASE_URL") {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(url)
            }
            Some(url) => {
                // The URL may hold a password: name the scheme only.
                let scheme = url.split(':').next().unwrap_or_default();
                return Err(format!(
                    "DATABASE_URL: only postgres:// is supported, not {scheme:?}"
                ));
            }
            None => Database::Sqlite(
                var("SENDA_SERVER_DB")
                    .unwrap_or_else(|| "senda-server.db".into())
                    .into(),
            ),
        };
        let admin_token = match var("SENDA_ADMIN_TOKEN") {
            Some(token) if token.len() < 16 => {
                return Err("SENDA_ADMIN_TOKEN: at least 16 characters".into());
            }
            token => token,
        };
        let device_rate = match var("SENDA_RATE_PER_DEVICE") {
            None => 20,
            Some(rate) => match rate.parse::<u32>() {
                Ok(rate) if rate > 0 => rate,
                _ => {
                    return Err(format!(
                        "SENDA_RATE_PER_DEVICE: a whole number of requests per second above 0, not {rate:?}"
                    ));
                }
            },
        };
        let signing_key_file = match (var("SENDA_SIGNING_KEY_FILE"), &database) {
            (Some(path), _) => path.into(),
            (None, Database::Sqlite(db)) => db.with_extension("signing-key"),
            (None, Database::Postgres(_)) => "senda-server-signing.key".into(),
        };
        let tls = match (var("SENDA_TLS_CERT"), var("SENDA_TLS_KEY")) {
            (Some(cert), Some(key)) => Some(Tls {
                cert: cert.into(),
                key: key.into(),
            }),
            (None, None) => None,
            _ => return Err("SENDA_TLS_CERT and SENDA_TLS_KEY go together".into()),
        };
        let number = |name: &str, default: i64| -> Result<i64, String> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{name}: a whole number above 0, not {v:?}")),
            }
        };
        let defaults = crate::store::Quotas::default();
        let quotas = crate::store::Quotas {
            // MiB; a number too large to count in bytes is refused, not wrapped.
            device_bytes: number("SENDA_DEVICE_QUOTA_MB", defaults.device_bytes >> 20)?
                .checked_mul(1 << 20)
                .ok_or("SENDA_DEVICE_QUOTA_MB: too large")?,
            max_parked: number("SENDA_MAX_WAITING_OPS", defaults.max_parked)?,
            parked_days: number("SENDA_WAITING_DAYS", defaults.parked_days)?,
        };
        Ok(Self {
            listen,
            database,
            admin_token,
            device_rate,
            signing_key_file,
            tls,
            quotas,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8787");
        assert_eq!(config.device_rate, 20);
        assert!(config.admin_token.is_none());
        assert!(matches!(config.database, Database::Sqlite(_)));
    }

    #[test]
    fn a_wrong_value_is_refused_by_name_not_replaced_by_a_default() {
        for (name, value) in [
            ("SENDA_SERVER_LISTEN", "everywhere"),
            ("SENDA_ADMIN_TOKEN", "short"),
            ("SENDA_RATE_PER_DEVICE", "lots"),
            ("SENDA_RATE_PER_DEVICE", "0"),
            ("DATABASE_URL", "mysql://root:secret@db/senda"),
            ("SENDA_TLS_CERT", "cert.pem"),
            ("SENDA_DEVICE_QUOTA_MB", "0"),
            ("SENDA_DEVICE_QUOTA_MB", "9223372036854775807"),
            ("SENDA_MAX_WAITING_OPS", "many"),
            ("SENDA_WAITING_DAYS", "-1"),
        ] {
            let error = config(&[(name, value)]).unwrap_err();
            assert!(error.contains(name), "{name}={value}: {error}");
            assert!(!error.contains("secret"), "a password leaked: {error}");
        }
    }

    #[test]
    fn good_values_are_kept() {
        let config = config(&[
            ("SENDA_ADMIN_TOKEN", "0123456789abcdef"),
            ("SENDA_RATE_PER_DEVICE", "5"),
            ("DATABASE_URL", "postgres://senda@db/senda"),
            ("SENDA_DEVICE_QUOTA_MB", "64"),
            ("SENDA_MAX_WAITING_OPS", "100"),
            ("SENDA_WAITING_DAYS", "7"),
        ])
        .unwrap();
        assert_eq!(
            config.quotas,
            crate::store::Quotas {
                device_bytes: 64 << 20,
                max_parked: 100,
                parked_days: 7,
            }
        );
        assert_eq!(config.admin_token.as_deref(), Some("0123456789abcdef"));
        assert_eq!(config.device_rate, 5);
        assert!(matches!(config.database, Database::Postgres(_)));
    }
}
