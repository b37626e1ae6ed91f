//! Test set-up: a real server on a random port over SQLite or PostgreSQL;
//! the devices doing real casework come from `senda-testkit`.

#![allow(dead_code)]

use senda_server::limits::Limits;
use senda_server::store::{PostgresStore, Repo, SqliteStore};
pub use senda_testkit::*;
use std::net::SocketAddr;
use std::path::Path;

pub const ADMIN: &str = "test-admin-token-0123456789";

/// Both backends. PostgreSQL is the one on 127.0.0.1:5432 (`./x test` starts
/// it and sets `SENDA_TEST_DATABASE_URL`); every call gets its own schema.
/// Without that variable (a plain `cargo test`, or `./x check`), PostgreSQL is
/// used only if it answers, and otherwise skipped with one line on stderr.
pub async fn backends(dir: &Path) -> Vec<Repo> {
    let mut repos = vec![sqlite(dir)];
    if postgres_wanted() {
        repos.push(postgres().await);
    }
    repos
}

/// `./x test` demands PostgreSQL; elsewhere it is optional.
pub fn postgres_wanted() -> bool {
    static SKIP_SAID: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("SENDA_TEST_DATABASE_URL").is_some() {
        return true;
    }
    let reachable = std::env::var_os("SENDA_SKIP_POSTGRES").is_none()
        && std::net::TcpStream::connect_timeout(
            &"127.0.0.1:5432".parse().unwrap(),
            std::time::Duration::from_millis(300),
        )
        .is_ok();
    if !reachable {
        SKIP_SAID.call_once(|| {
            eprintln!(
                "note: PostgreSQL tests skipped (no SENDA_TEST_DATABASE_URL and nothing on 127.0.0.1:5432); ./x test runs them"
            )
        });
    }
    reachable
}

pub fn sqlite(dir: &Path) -> Repo {
    Repo::new(SqliteStore::open(&dir.join("server.db")).unwrap())
}

pub async fn postgres() -> Repo {
    postgres_named().await.0
}

pub fn postgres_url() -> String {
    std::env::var("SENDA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A PostgreSQL store in a schema of its own, and that schema's name.
pub async fn postgres_named() -> (Repo, String) {
    let url = postgres_url();
    let schema = format!("t{}", senda_protocol::hex(&rand_bytes()));
    let name = schema.clone();
    // The postgres client blocks: open it off the async runtime, as the server does.
    let store = tokio::task::spawn_blocking(move || {
        PostgresStore::open(&url, Some(&schema))
            .unwrap_or_else(|e| panic!("PostgreSQL at {url} (./x test starts it): {e}"))
    })
    .await
    .unwrap();
    (Repo::new(store), name)
}

fn rand_bytes() -> [u8; 6] {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 6];
    ring::rand::SystemRandom::new().fill(&mut b).unwrap();
    b
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub repo: Repo,
    /// Organisations' secrets, as their administrators keep them (`keyed_organisation`).
    secrets: std::sync::Mutex<std::collections::HashMap<String, String>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(repo: Repo) -> Self {
        Self::start_on(repo, "127.0.0.1:0".parse().unwrap()).await
    }

    pub async fn start_on(repo: Repo, addr: SocketAddr) -> Self {
        Self::start_limited(repo, addr, Limits::new(10_000, 1_000)).await
    }

    pub async fn start_limited(repo: Repo, addr: SocketAddr, limits: Limits) -> Self {
        let server =
            senda_server::Server::bind_repo(addr, repo.clone(), Some(ADMIN.into()), limits)
                .await
                .unwrap();
        let addr = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.serve(async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            repo,
            secrets: Default::default(),
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops at once, as a crash would (requests in flight are cut).
    pub async fn kill(mut self) {
        if let Some(h) = self.handle.take() {
            h.abort();
            let _ = h.await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }

    pub async fn admin(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, answer) = self.try_admin(path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {answer}");
        answer
    }

    /// An admin call that may be refused: its status and JSON answer.
    pub async fn try_admin(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}{path}", self.url()))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, answer_of(&resp.bytes().await.unwrap()))
    }

    pub async fn organisation(&self, name: &str) -> String {
        self.admin(
            "/v1/admin/organisations",
            serde_json::json!({ "name": name }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An organisation with its sealing key (the secret stays here, as with an
    /// administrator): its devices seal every record to it.
    pub async fn keyed_organisation(&self, name: &str) -> String {
        let org = self.organisation(name).await;
        self.key_organisation(&org).await;
        org
    }

    /// Gives an existing organisation its sealing key (kept here, as by its administrator).
    pub async fn key_organisation(&self, org: &str) {
        let secret = senda_protocol::BoxSecret::generate();
        self.admin(
            &format!("/v1/admin/organisations/{org}/key"),
            serde_json::json!({ "public_key": secret.public_hex() }),
        )
        .await;
        self.secrets
            .lock()
            .unwrap()
            .insert(org.to_owned(), secret.to_hex().to_string());
    }

    /// The secret of an organisation made by `keyed_organisation`.
    pub fn secret_of(&self, org: &str) -> senda_protocol::BoxSecret {
        let hex = self.secrets.lock().unwrap()[org].clone();
        senda_protocol::BoxSecret::from_hex(&hex).unwrap()
    }

    /// A device of a keyed organisation holding its key (granted by the
    /// administrator, opened at the device's next sync).
    pub async fn field_device(&self, org: &str, team: &str) -> Device {
        let d = self.device_in(org, team).await;
        self.grant(org, &self.secret_of(org)).await;
        // Its first sync (nothing to send yet) opens the grant.
        let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(report.key_problem, None);
        d
    }

    /// Makes `org` a receiver: its sealing key (the secret stays here, as with
    /// an administrator; a keyed organisation keeps its own) and the route from `service` to it.
    pub async fn receiver(&self, org: &str, service: &str) -> senda_protocol::BoxSecret {
        let known = self.secrets.lock().unwrap().get(org).cloned();
        let secret = match known {
            Some(hex) => senda_protocol::BoxSecret::from_hex(&hex).unwrap(),
            None => senda_protocol::BoxSecret::generate(),
        };
        self.admin(
            &format!("/v1/admin/organisations/{org}/key"),
            serde_json::json!({ "public_key": secret.public_hex() }),
        )
        .await;
        self.admin(
            "/v1/admin/service-routes",
            serde_json::json!({ "service_id": service, "organisation": org }),
        )
        .await;
        secret
    }

    /// Seals the organisation's secret to each of its devices waiting for it, over the admin API.
    pub async fn grant(&self, org: &str, secret: &senda_protocol::BoxSecret) -> usize {
        let waiting = self.awaiting_key(org).await;
        for d in &waiting {
            let device = d["device_id"].as_str().unwrap();
            let sealed = senda_protocol::seal::seal(
                d["box_key"].as_str().unwrap(),
                secret.to_hex().as_bytes(),
                &senda_protocol::grant_aad(device, org),
            )
            .unwrap();
            self.admin(
                "/v1/admin/key-grants",
                serde_json::json!({ "device_id": device, "sealed": sealed }),
            )
            .await;
        }
        waiting.len()
    }

    /// The organisation's devices that have no copy of its key yet (`device_id`, `box_key`).
    pub async fn awaiting_key(&self, org: &str) -> Vec<serde_json::Value> {
        reqwest::Client::new()
            .get(format!(
                "{}/v1/admin/organisations/{org}/awaiting-key",
                self.url()
            ))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A new device enrolled in `org`'s `team` (a fresh code each time).
    pub async fn device_in(&self, org: &str, team: &str) -> Device {
        let d = device(0);
        d.enrol(&self.url(), &self.code(org, team).await).await;
        d
    }

    pub async fn code(&self, org: &str, team: &str) -> String {
        self.admin(
            "/v1/admin/enrolment-codes",
            serde_json::json!({ "organisation": org, "team": team }),
        )
        .await["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Sends a request signed by `device` (as the app would) and returns status and body.
pub async fn signed(server: &str, device: &Device, path: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
    let request = {
        let mut v = device.vault.lock().unwrap();
        v.casework().unwrap().sign(path, body).unwrap()
    };
    send(server, &request).await
}

pub async fn send(server: &str, request: &senda_core::sync::SignedRequest) -> (u16, Vec<u8>) {
    let mut call = reqwest::Client::new()
        .post(format!("{server}{}", request.path))
        .body(request.body.clone());
    for (k, v) in &request.headers {
        call = call.header(*k, v);
    }
    let resp = call.send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

pub fn code_of(body: &[u8]) -> String {
    senda_protocol::decode::<senda_protocol::ErrorBody>(body)
        .map(|e| e.code)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned())
}

/// An admin answer: JSON, or for a refusal the protocol's CBOR error body as `{"code": …}`.
pub fn answer_of(bytes: &[u8]) -> serde_json::Value {
    if bytes.is_empty() {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|_| serde_json::json!({ "code": code_of(bytes) }))
}
