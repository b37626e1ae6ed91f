//! Test set-up: a real server on a random port over SQLite or PostgreSQL;
//! the devices doing real casework come from `senda-testkit`.

#![allow(dead_code)]

use senda_protocol::trust::OrgKeyFile;
use senda_server::limits::Limits;
use senda_server::store::{PostgresStore, Repo, SqliteStore};
pub use senda_testkit::*;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

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

/// A server's store on `dir/server.db`, with its key file beside it as a
/// deployment's: opened again on the same folder, it is the same server.
pub fn sqlite(dir: &Path) -> Repo {
    let key =
        senda_server::answers::AnswerKey::load_or_create(&dir.join("server.signing-key")).unwrap();
    Repo::new(SqliteStore::open(&dir.join("server.db")).unwrap()).with_answer_key(key)
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
    postgres_named_at(postgres_url()).await
}

/// Like [`postgres_named`], through `url` (a test's own connection options).
pub async fn postgres_named_at(url: String) -> (Repo, String) {
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

pub fn rand_bytes() -> [u8; 6] {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 6];
    ring::rand::SystemRandom::new().fill(&mut b).unwrap();
    b
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub repo: Repo,
    /// Each keyed organisation's key file, as its administrator keeps it.
    pub keys: Mutex<HashMap<String, OrgKeyFile>>,
    /// Services routed to each organisation, for the trust its peers sign.
    routed: Mutex<HashMap<String, Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// A referral's summary as the server keeps it for its receiver (sealed).
    pub async fn kept_summary(&self, referral: &str) -> serde_json::Value {
        self.repo
            .referral_summary(referral.to_owned())
            .await
            .unwrap()
            .expect("the server holds the referral")
    }

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
            keys: Mutex::default(),
            routed: Mutex::default(),
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

    /// Gives `org` its admin key and first key pair (once), as `admin org-key`
    /// does, and has every keyed organisation trust every other; returns the
    /// admin key's fingerprint.
    pub async fn org_keys(&self, org: &str) -> String {
        let existing = self.keys.lock().unwrap().get(org).map(|k| k.fingerprint());
        if let Some(fingerprint) = existing {
            return fingerprint;
        }
        let file = OrgKeyFile::generate(org, &chrono_now());
        self.admin(
            &format!("/v1/admin/organisations/{org}/key"),
            serde_json::json!({ "admin_key": file.admin_public(), "certificates": file.certificates() }),
        )
        .await;
        let fingerprint = file.fingerprint();
        self.keys.lock().unwrap().insert(org.to_owned(), file);
        self.trust_all().await;
        fingerprint
    }

    /// Each keyed organisation's administrator vouches for every other one
    /// (for the services routed to it), as `admin trust-org` does.
    pub async fn trust_all(&self) {
        let statements: Vec<senda_protocol::OrgTrust> = {
            let keys = self.keys.lock().unwrap();
            let routed = self.routed.lock().unwrap();
            let mut out = Vec::new();
            for (a, file) in keys.iter() {
                for (b, other) in keys.iter().filter(|(b, _)| *b != a) {
                    let services = routed.get(b).cloned().unwrap_or_default();
                    out.push(file.trust(b, &other.admin_public(), &services, &chrono_now()));
                }
            }
            out
        };
        for t in statements {
            self.admin(
                &format!("/v1/admin/organisations/{}/trust", t.organisation),
                serde_json::to_value(&t).unwrap(),
            )
            .await;
        }
    }

    /// An organisation with its keys (the secrets stay here, as with an
    /// administrator): its devices seal every record to it.
    pub async fn keyed_organisation(&self, name: &str) -> String {
        let org = self.organisation(name).await;
        self.key_organisation(&org).await;
        org
    }

    /// Gives an existing organisation its keys (signed by its admin key, kept
    /// here as by its administrator); an organisation keyed already keeps its own.
    pub async fn key_organisation(&self, org: &str) {
        self.org_keys(org).await;
    }

    /// The secret of an organisation's current key pair.
    pub fn secret_of(&self, org: &str) -> senda_protocol::BoxSecret {
        let keys = self.keys.lock().unwrap();
        keys[org].current().secret.box_secret().unwrap()
    }

    /// A device of a keyed organisation holding its keys (handed over, opened
    /// at the device's first sync).
    pub async fn field_device(&self, org: &str, team: &str) -> Device {
        let d = self.device_in(org, team).await;
        let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(report.key_problem, None);
        d
    }

    /// Makes `org` a receiver: its keys (the secrets stay here, as with an
    /// administrator), the route from `service` to it, and the trust of every
    /// other keyed organisation for that service. Returns its current secret.
    pub async fn receiver(&self, org: &str, service: &str) -> senda_protocol::BoxSecret {
        self.org_keys(org).await;
        self.admin(
            "/v1/admin/service-routes",
            serde_json::json!({ "service_id": service, "organisation": org }),
        )
        .await;
        self.routed
            .lock()
            .unwrap()
            .entry(org.to_owned())
            .or_default()
            .push(service.to_owned());
        self.trust_all().await;
        self.secret_of(org)
    }

    /// Hands the organisation's keys to each of its devices waiting for them,
    /// with the fingerprint the server lists (an administrator who trusts the
    /// list); how many. Hostile tests use [`Self::admit`] instead.
    pub async fn grant(&self, org: &str) -> usize {
        let fingerprints: Vec<String> = self
            .awaiting_key(org)
            .await
            .iter()
            .map(|d| {
                senda_protocol::trust::device_fingerprint(
                    d["device_id"].as_str().unwrap(),
                    d["public_key"].as_str().unwrap(),
                    d["box_key"].as_str().unwrap(),
                )
            })
            .collect();
        self.grant_fingerprints(org, &fingerprints).await
    }

    /// `admin grant-keys` with the fingerprints an administrator read off devices' screens.
    pub async fn grant_fingerprints(&self, org: &str, fingerprints: &[String]) -> usize {
        let report = {
            let keys = self.keys.lock().unwrap();
            let file = keys.get(org).expect("org_keys first");
            // The report is computed off the lock: grant_keys awaits.
            let file = OrgKeyFile::from_json(&file.to_json(), None).unwrap();
            drop(keys);
            file
        };
        self.repo
            .grant_keys(&report, fingerprints)
            .await
            .unwrap()
            .granted
            .len()
    }

    /// Hands `org`'s keys to `device`, its fingerprint read off its own screen.
    pub async fn admit(&self, org: &str, device: &Device) -> usize {
        let fingerprint = device.fingerprint();
        self.grant_fingerprints(org, &[fingerprint]).await
    }

    /// Enrols `device` in `org`'s `team` pinned to `org`'s admin key, and hands it the keys.
    pub async fn enrol(&self, device: &Device, org: &str, team: &str) {
        device.enrol(&self.url(), &self.code(org, team).await).await;
        assert_eq!(self.admit(org, device).await, 1, "admitted");
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

    /// A new device of `org`'s `team` (a fresh code each time), pinned to the
    /// organisation's admin key and handed its keys, as after a hand-over.
    pub async fn device_in(&self, org: &str, team: &str) -> Device {
        self.org_keys(org).await;
        let d = device(0);
        self.enrol(&d, org, team).await;
        d
    }

    /// A new device of `org`, pinned, still waiting for a person to hand it the keys.
    pub async fn waiting_device_in(&self, org: &str, team: &str) -> Device {
        self.org_keys(org).await;
        let d = device(0);
        d.enrol(&self.url(), &self.code(org, team).await).await;
        d
    }

    /// A single-use code; for a keyed organisation, `CODE.FINGERPRINT` as
    /// `admin enrolment-code --key` prints it.
    pub async fn code(&self, org: &str, team: &str) -> String {
        let code = self
            .admin(
                "/v1/admin/enrolment-codes",
                serde_json::json!({ "organisation": org, "team": team }),
            )
            .await["code"]
            .as_str()
            .unwrap()
            .to_owned();
        match self.keys.lock().unwrap().get(org) {
            Some(file) => format!("{code}.{}", file.fingerprint()),
            None => code,
        }
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

/// A push of `body` (any CBOR) signed by `device`: its status and refusal code.
pub async fn raw_push(server: &TestServer, device: &Device, body: Vec<u8>) -> (u16, String) {
    let (status, answer) = signed(&server.url(), device, "/v1/push", body).await;
    let code = if status == 200 {
        String::new()
    } else {
        code_of(&answer)
    };
    (status, code)
}

/// A push of `ops` signed by `device`: its status and refusal code.
pub async fn push_ops(
    server: &TestServer,
    device: &Device,
    ops: Vec<senda_protocol::Op>,
) -> (u16, String) {
    let body = senda_protocol::encode(&senda_protocol::PushRequest {
        protocol: senda_protocol::PROTOCOL_VERSION,
        ops,
    });
    raw_push(server, device, body).await
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

/// Now, to the nanosecond: statements signed one after another stay in order.
pub fn chrono_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}
