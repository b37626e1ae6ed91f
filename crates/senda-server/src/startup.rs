use crate::config::{Config, Database};
use crate::limits::Limits;
use crate::routes;
use crate::store::{PostgresStore, Repo, SqliteStore, StoreError};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::TcpListener;

/// What every handler may reach.
#[derive(Clone)]
pub struct AppState {
    pub repo: Repo,
    pub admin_token: Option<String>,
    pub limits: std::sync::Arc<Limits>,
}

impl FromRef<AppState> for Repo {
    fn from_ref(state: &AppState) -> Repo {
        state.repo.clone()
    }
}

pub fn app(repo: Repo, admin_token: Option<String>, limits: Limits) -> Router {
    let console = crate::console::router(repo.clone());
    let state = AppState {
        repo,
        admin_token,
        limits: std::sync::Arc::new(limits),
    };
    let admin = Router::new()
        .route(
            "/v1/admin/organisations",
            post(routes::admin::create_organisation),
        )
        .route(
            "/v1/admin/enrolment-codes",
            post(routes::admin::create_enrolment_code),
        )
        .route(
            "/v1/admin/service-routes",
            post(routes::admin::route_service),
        )
        .route(
            "/v1/admin/organisations/{id}/key",
            post(routes::admin::set_organisation_key),
        )
        .route(
            "/v1/admin/organisations/{id}/trust",
            post(routes::admin::trust_organisation),
        )
        .route(
            "/v1/admin/organisations/{id}/admin-key",
            get(routes::admin::admin_key),
        )
        .route(
            "/v1/admin/organisations/{id}/awaiting-key",
            get(routes::admin::awaiting_key),
        )
        .route("/v1/admin/key-grants", post(routes::admin::grant_key))
        .route(
            "/v1/admin/organisations/{id}/retention",
            post(routes::admin::set_retention),
        )
        .route("/v1/admin/staff", post(routes::admin::create_staff))
        .route(
            "/v1/admin/staff/{id}/enrolment-codes",
            post(routes::admin::create_staff_code),
        )
        .route(
            "/v1/admin/staff/{id}/deactivate",
            post(routes::admin::deactivate_staff),
        )
        .route(
            "/v1/admin/organisations/{id}/staff",
            get(routes::admin::staff_of),
        )
        .route(
            "/v1/admin/import",
            post(routes::admin::import_batch)
                .layer(DefaultBodyLimit::max(senda_protocol::batch::MAX_FILE_BYTES)),
        )
        .route(
            "/v1/admin/devices/{id}/revoke",
            post(routes::admin::revoke_device),
        )
        .route(
            "/v1/admin/devices/{id}/retire",
            post(routes::admin::retire_device),
        )
        // The token is checked before any body is read (L1).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routes::auth::admin_gate,
        ));
    Router::new()
        .route("/health", get(routes::health))
        .route("/metrics", get(routes::metrics))
        .route("/openapi.json", get(routes::openapi))
        .route("/v1/enrol", post(routes::sync::enrol))
        .route("/v1/push", post(routes::sync::push))
        .route("/v1/pull", post(routes::sync::pull))
        .route("/v1/keys", post(routes::sync::keys))
        .route("/v1/keys/grants", post(routes::sync::key_grants))
        .route("/v1/device/report", post(routes::sync::device_report))
        .route("/v1/referrals/incoming", post(routes::sync::incoming))
        .route(
            "/v1/referrals/{id}/status",
            post(routes::sync::referral_status),
        )
        .merge(admin)
        .layer(DefaultBodyLimit::max(senda_protocol::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::answers::sign_answers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routes::auth::refuse_early,
        ))
        .layer(axum::middleware::from_fn(routes::auth::client_ip))
        .with_state(state)
        .merge(console)
}

/// Opens the configured database, migrating its schema, and logs what it did.
pub fn open_repo(database: &Database) -> Result<Repo, StoreError> {
    let (repo, migrated) = match database {
        Database::Sqlite(path) => {
            let store = SqliteStore::open(path)?;
            let migrated = store.migrated();
            (Repo::new(store), migrated)
        }
        Database::Postgres(url) => {
            let store = PostgresStore::open(url, None)?;
            let migrated = store.migrated();
            (Repo::new(store), migrated)
        }
    };
    tracing::info!(
        from = migrated.from,
        to = migrated.to,
        "database: {migrated}"
    );
    Ok(repo)
}

/// A bound, not yet serving, server: tests read the port before serving.
pub struct Server {
    listener: TcpListener,
    router: Router,
    repo: Repo,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

impl Server {
    pub async fn bind(config: &Config) -> Result<Self, StartError> {
        let database = config.database.clone();
        let repo = tokio::task::spawn_blocking(move || open_repo(&database))
            .await
            .map_err(|_| StoreError::Worker)??;
        let key = crate::answers::AnswerKey::load_or_create(&config.signing_key_file)
            .map_err(StartError::Key)?;
        let repo = repo.with_answer_key(key).with_quotas(config.quotas);
        // A key file other than the one the database was used with would
        // leave the batch-file secret closed: refuse to start, and say why.
        repo.server_box_secret()
            .await
            .map_err(|e| StartError::Key(e.to_string()))?;
        let limits = Limits::new(config.device_rate, 20).with_enrolment_per_ip(10);
        let server =
            Self::bind_repo(config.listen, repo, config.admin_token.clone(), limits).await?;
        match &config.tls {
            Some(tls) => server.with_tls(&tls.cert, &tls.key),
            None => Ok(server),
        }
    }

    /// Serves https with this certificate chain and key (PEM files), rustls on ring.
    pub fn with_tls(mut self, cert: &Path, key: &Path) -> Result<Self, StartError> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let bad = |what: &Path, e: &dyn std::fmt::Display| {
            StartError::Tls(format!("{}: {e}", what.display()))
        };
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| bad(cert, &e))?;
        let private = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, &e))?;
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(cert, &e))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| bad(cert, &e))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        self.tls = Some(axum_server::tls_rustls::RustlsConfig::from_config(
            std::sync::Arc::new(config),
        ));
        Ok(self)
    }

    /// Serves an already opened repository (tests share one across restarts).
    pub async fn bind_repo(
        listen: SocketAddr,
        repo: Repo,
        admin_token: Option<String>,
        limits: Limits,
    ) -> Result<Self, StartError> {
        let listener = TcpListener::bind(listen).await?;
        Ok(Self {
            listener,
            router: app(repo.clone(), admin_token, limits),
            repo,
            tls: None,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn repo(&self) -> Repo {
        self.repo.clone()
    }

    /// `https` when serving TLS itself, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// Serves until `shutdown` resolves, finishing requests in flight.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Some(tls) = self.tls else {
            return axum::serve(
                self.listener,
                self.router
                    .into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .await;
        };
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            shutdown.await;
            stopper.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
        });
        axum_server::from_tcp_rustls(self.listener.into_std()?, tls)?
            .handle(handle)
            .serve(
                self.router
                    .into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("answer-signing key: {0}")]
    Key(String),
    #[error("TLS: {0}")]
    Tls(String),
}

/// Binds and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    let server = Server::bind(&config).await?;
    let backend = match &config.database {
        Database::Sqlite(_) => "sqlite",
        Database::Postgres(_) => "postgres",
    };
    tracing::info!(addr = %server.local_addr(), scheme = server.scheme(), backend, "senda-server listening");
    tokio::spawn(purge_hourly(server.repo()));
    server.serve(shutdown_signal()).await?;
    Ok(())
}

/// Each organisation's retention period, applied at start and every hour.
async fn purge_hourly(repo: Repo) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        match repo.purge_expired(chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(cases = n, "purged after their retention period"),
            Err(e) => tracing::error!(error = %e, "retention purge failed"),
        }
        match repo.age_out_parked(chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(ops = n, "set aside after waiting too long for their base"),
            Err(e) => tracing::error!(error = %e, "setting aside waiting ops failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
