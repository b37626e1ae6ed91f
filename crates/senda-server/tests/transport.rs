//! The network between a device and its server (M1): https served by
//! senda-server itself, and a device that refuses what someone on the
//! crossing's Wi-Fi could do: plain http to another host, redirects, oversized
//! answers, forged wipe orders and forged or replayed acknowledgements.
//! The hostile network is a small axum proxy in front of a real server.

mod common;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use common::*;
use senda_core::sync::{SyncClient, SyncError};
use senda_protocol::{
    ErrorBody, HEADER_DEVICE, HEADER_NONCE, HEADER_SERVER_SIGNATURE, PushRequest, PushResponse,
    answer_message, decode, encode,
};
use senda_server::answers::AnswerKey;
use senda_server::config::{Config, Database, Tls};
use std::sync::{Arc, Mutex};

const SHELTER: &str = "svc-alojamiento-cucuta";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Forward to the real server (and keep its last push answer).
    Pass,
    /// 307 to the real server.
    Redirect,
    /// 200 with a body one byte over the cap, its length announced.
    Huge,
    /// The same, streamed without a length.
    HugeStreamed,
    /// 403 with `wipe: true`, unsigned.
    ForgeWipe,
    /// The same, signed by a key the device never pinned.
    ForgeWipeOtherKey,
    /// A push answered "stored" for every op, unsigned; the server never sees it.
    ForgeAck,
    /// The same, signed by a key the device never pinned.
    ForgeAckOtherKey,
    /// A push answered with the real server's signed answer to an earlier push.
    ReplayAck,
    /// 502 (as a proxy gives when the server closed the connection), then 504, then `Pass`.
    GatewayErrors,
    /// The push that carries the op of this seq answered "stored" for every
    /// op, unsigned; every other one `Pass`. Chosen by what the push carries,
    /// since two pushes on their way may reach the proxy in either order.
    ForgeAckOfSeq(i64),
}

struct Hostile {
    upstream: String,
    mode: Mutex<Mode>,
    last_push_answer: Mutex<Option<(Vec<u8>, String)>>,
    attacker: AnswerKey,
    gateway_errors: Mutex<u32>,
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn hostile(State(h): State<Arc<Hostile>>, request: Request) -> Response {
    let mode = *h.mode.lock().unwrap();
    let path = request.uri().path().to_owned();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap();
    // What an attacker's own key would sign for this request.
    let attacker_signed = |status: StatusCode, answer: Vec<u8>| {
        let sig = h.attacker.sign(&answer_message(
            &header(&headers, HEADER_DEVICE),
            &path,
            &header(&headers, HEADER_NONCE),
            &body,
            status.as_u16(),
            &answer,
        ));
        (status, [(HEADER_SERVER_SIGNATURE, sig)], answer).into_response()
    };
    let wipe = || {
        encode(&ErrorBody {
            code: "device-revoked".into(),
            message: "this device was revoked".into(),
            wipe: true,
        })
    };
    let all_stored = || {
        let push: PushRequest = decode(&body).unwrap();
        encode(&PushResponse {
            stored: push.ops.iter().map(|o| o.op_id.clone()).collect(),
            stored_all: false,
            high_seq: push.ops.iter().map(|o| o.seq).max().unwrap_or(0),
            conflicts: Vec::new(),
        })
    };
    let is_push = path == "/v1/push";
    if mode == Mode::GatewayErrors && is_push {
        let mut calls = h.gateway_errors.lock().unwrap();
        *calls += 1;
        match *calls {
            1 => return StatusCode::BAD_GATEWAY.into_response(),
            2 => return StatusCode::GATEWAY_TIMEOUT.into_response(),
            _ => {}
        }
    }
    if let Mode::ForgeAckOfSeq(seq) = mode
        && is_push
        && decode::<PushRequest>(&body)
            .unwrap()
            .ops
            .iter()
            .any(|op| op.seq == seq)
    {
        return (StatusCode::OK, all_stored()).into_response();
    }
    match mode {
        Mode::Redirect => (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", format!("{}{path}", h.upstream))],
        )
            .into_response(),
        Mode::Huge => (
            StatusCode::OK,
            vec![0u8; senda_core::sync::MAX_ANSWER_BYTES + 1],
        )
            .into_response(),
        Mode::HugeStreamed => {
            let chunks = (0..=senda_core::sync::MAX_ANSWER_BYTES / 65_536)
                .map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![0u8; 65_536])));
            (
                StatusCode::OK,
                Body::from_stream(futures_util::stream::iter(chunks)),
            )
                .into_response()
        }
        Mode::ForgeWipe => (StatusCode::FORBIDDEN, wipe()).into_response(),
        Mode::ForgeWipeOtherKey => attacker_signed(StatusCode::FORBIDDEN, wipe()),
        Mode::ForgeAck if is_push => (StatusCode::OK, all_stored()).into_response(),
        Mode::ForgeAckOtherKey if is_push => attacker_signed(StatusCode::OK, all_stored()),
        Mode::ReplayAck if is_push => {
            let (answer, sig) = h.last_push_answer.lock().unwrap().clone().unwrap();
            (StatusCode::OK, [(HEADER_SERVER_SIGNATURE, sig)], answer).into_response()
        }
        _ => {
            let mut call = reqwest::Client::new()
                .post(format!("{}{path}", h.upstream))
                .body(body.clone());
            for (k, v) in &headers {
                if k.as_str().starts_with("x-senda-") || k.as_str() == "content-type" {
                    call = call.header(k.as_str(), v.as_bytes());
                }
            }
            let resp = call.send().await.unwrap();
            let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
            let sig = resp
                .headers()
                .get(HEADER_SERVER_SIGNATURE)
                .map(|v| v.to_str().unwrap().to_owned());
            let answer = resp.bytes().await.unwrap().to_vec();
            if is_push && let Some(sig) = &sig {
                *h.last_push_answer.lock().unwrap() = Some((answer.clone(), sig.clone()));
            }
            match sig {
                Some(sig) => (status, [(HEADER_SERVER_SIGNATURE, sig)], answer).into_response(),
                None => (status, answer).into_response(),
            }
        }
    }
}

async fn start_hostile(upstream: String) -> (String, Arc<Hostile>) {
    let h = Arc::new(Hostile {
        upstream,
        mode: Mutex::new(Mode::Pass),
        last_push_answer: Mutex::new(None),
        attacker: AnswerKey::generate(),
        gateway_errors: Mutex::new(0),
    });
    let app = axum::Router::new().fallback(hostile).with_state(h.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), h)
}

fn wiped(d: &Device) -> bool {
    d.vault.lock().unwrap().status().unwrap().state == senda_core::VaultState::NotCreated
}

/// A server, the hostile proxy in front of it, and a device of a keyed
/// organisation enrolled through the proxy and holding its keys.
async fn keyed_device_behind_hostile(dir: &std::path::Path) -> (TestServer, Arc<Hostile>, Device) {
    let server = TestServer::start(sqlite(dir)).await;
    let org = server.keyed_organisation("Equipo").await;
    let (proxy, h) = start_hostile(server.url()).await;
    let d = device(0);
    d.enrol(&proxy, &server.code(&org, "t").await).await;
    assert_eq!(server.admit(&org, &d).await, 1);
    (server, h, d)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_network_changes_nothing_on_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let (server, h, d) = keyed_device_behind_hostile(dir.path()).await;

    // A first push through the honest network: its signed answer is kept by the attacker.
    d.refer("Sol", SHELTER);
    let first = d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert!(first.sent > 0);
    let stored = server.repo.op_count().await.unwrap();

    d.refer("Luna", SHELTER);
    let ready = d.ready();
    assert!(ready > 0);
    for (mode, expected) in [
        (Mode::Redirect, SyncError::Redirected),
        (Mode::Huge, SyncError::AnswerTooLarge),
        (Mode::HugeStreamed, SyncError::AnswerTooLarge),
        (Mode::ForgeWipe, SyncError::UnsignedAnswer),
        (Mode::ForgeWipeOtherKey, SyncError::UnsignedAnswer),
        (Mode::ForgeAck, SyncError::UnsignedAnswer),
        (Mode::ForgeAckOtherKey, SyncError::UnsignedAnswer),
        (Mode::ReplayAck, SyncError::UnsignedAnswer),
    ] {
        *h.mode.lock().unwrap() = mode;
        let err = d.client.sync(&d.vault, |_| {}).await.unwrap_err();
        assert_eq!(err, expected, "{mode:?}");
        assert!(!wiped(&d), "{mode:?}: the vault was wiped");
        assert_eq!(d.ready(), ready, "{mode:?}: rows were marked sent");
        assert_eq!(
            server.repo.op_count().await.unwrap(),
            stored,
            "{mode:?}: something reached the server"
        );
    }
    // A proxy that answers 502 and 504 before it reaches the server again:
    // the device waits and tries again, as for 503; everything goes, nothing was lost.
    *h.mode.lock().unwrap() = Mode::GatewayErrors;
    let report = senda_core::sync::SyncClient::new()
        .with_backoff(std::time::Duration::from_millis(50))
        .sync(&d.vault, |_| {})
        .await
        .unwrap();
    assert!(
        *h.gateway_errors.lock().unwrap() >= 3,
        "two refused, then on"
    );
    assert_eq!(report.sent, ready);
    assert_eq!(d.ready(), 0);
    server.stop().await;
}

/// Two batches are on their way at once. When the first one's answer fails
/// (here a forged acknowledgement), the sync stops, but the second one's real
/// answer is still applied: the server stored it, and its conflicts come with
/// that answer alone. The first batch's rows stay unsent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_stops_the_sync_after_the_batch_behind_it_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let (server, h, d) = keyed_device_behind_hostile(dir.path()).await;
    d.client.sync(&d.vault, |_| {}).await.unwrap();
    let (case, _) = d.refer("Sol", SHELTER);
    for i in 0..250 {
        d.note(&case, &format!("nota {i}"));
    }
    let ready = d.ready();
    assert!(ready > 200 && ready <= 400, "two batches: {ready}");
    let first = d
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .outbox_ready(1)
        .unwrap()[0]
        .seq;
    *h.mode.lock().unwrap() = Mode::ForgeAckOfSeq(first);
    let err = d.client.sync(&d.vault, |_| {}).await.unwrap_err();
    assert_eq!(err, SyncError::UnsignedAnswer);
    assert_eq!(
        d.ready(),
        200,
        "the first batch waits; the second was applied"
    );
    assert_eq!(
        server.repo.op_count().await.unwrap() as usize,
        ready - 200,
        "the server holds the second batch only"
    );
    *h.mode.lock().unwrap() = Mode::Pass;
    d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!(d.ready(), 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_wipe_order_signed_by_the_server_still_wipes_through_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let org = server.organisation("Equipo").await;
    let (proxy, _h) = start_hostile(server.url()).await;
    let d = device(0);
    d.enrol(&proxy, &server.code(&org, "t").await).await;
    let id = d.identity().device_id;
    server
        .admin(
            &format!("/v1/admin/devices/{id}/revoke"),
            serde_json::json!({}),
        )
        .await;
    let err = d.client.sync(&d.vault, |_| {}).await.unwrap_err();
    assert_eq!(err, SyncError::Revoked);
    assert!(wiped(&d));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_another_computer_is_refused_before_anything_is_sent() {
    let d = device(0);
    for url in ["http://senda.invalid", "http://192.0.2.10:8787", "ftp://x"] {
        let err = d
            .client
            .enrol(&d.vault, url, "ABCD-EFGH", "test")
            .await
            .unwrap_err();
        assert!(
            matches!(err, SyncError::InsecureServerUrl { .. }),
            "{url}: {err:?}"
        );
    }
    // An enrolled device moved to a plain-http address sends nothing there either.
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let org = server.organisation("Equipo").await;
    let d = server.device_in(&org, "t").await;
    d.refer("Sol", SHELTER);
    let ready = d.ready();
    d.vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .set_server_url("http://senda.invalid")
        .unwrap();
    let err = d.client.sync(&d.vault, |_| {}).await.unwrap_err();
    assert!(
        matches!(err, SyncError::InsecureServerUrl { .. }),
        "{err:?}"
    );
    assert_eq!(d.ready(), ready);
    server.stop().await;
}

/// A self-signed certificate for `localhost` made here: (certificate PEM, key PEM).
fn self_signed() -> (String, String) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    (made.cert.pem(), made.signing_key.serialize_pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn senda_server_serves_https_itself_from_its_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed();
    std::fs::write(dir.path().join("cert.pem"), &cert).unwrap();
    std::fs::write(dir.path().join("key.pem"), &key).unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Sqlite(dir.path().join("server.db")),
        admin_token: Some(ADMIN.into()),
        device_rate: 1000,
        signing_key_file: dir.path().join("server.signing-key"),
        tls: Some(Tls {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        }),
        quotas: Default::default(),
    };
    let server = senda_server::Server::bind(&config).await.unwrap();
    assert_eq!(server.scheme(), "https");
    let port = server.local_addr().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server.serve(async {
        let _ = stopped.await;
    }));
    let url = format!("https://localhost:{port}");
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.as_bytes()).unwrap())
        .build()
        .unwrap();
    let admin = |path: &str, body: serde_json::Value| {
        trusting
            .post(format!("{url}{path}"))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
    };
    let org: serde_json::Value = admin(
        "/v1/admin/organisations",
        serde_json::json!({ "name": "Equipo" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let org = org["id"].as_str().unwrap();
    let code: serde_json::Value = admin(
        "/v1/admin/enrolment-codes",
        serde_json::json!({ "organisation": org, "team": "t" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    // The organisation's keys, signed by its admin key; the code carries its fingerprint.
    let keys = senda_protocol::trust::OrgKeyFile::generate(org, &chrono_now());
    admin(
        &format!("/v1/admin/organisations/{org}/key"),
        serde_json::json!({ "admin_key": keys.admin_public(), "certificates": keys.certificates() }),
    )
    .await
    .unwrap()
    .error_for_status()
    .unwrap();
    let code = format!("{}.{}", code["code"].as_str().unwrap(), keys.fingerprint());
    let code = code.as_str();

    // A device that does not trust the certificate gets nowhere (and loses nothing).
    let stranger = device(0);
    let err = stranger
        .client
        .enrol(&stranger.vault, &url, code, "t")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Offline { .. }), "{err:?}");
    // Plain http to the https port is not served.
    assert!(
        reqwest::get(format!("http://127.0.0.1:{port}/health"))
            .await
            .map(|r| !r.status().is_success())
            .unwrap_or(true)
    );

    // A device that trusts it enrols and syncs over https.
    let mut d = device(0);
    d.client = SyncClient::with_roots(&[cert.as_bytes()])
        .unwrap()
        .with_backoff(std::time::Duration::from_millis(20));
    d.enrol(&url, code).await;
    let waiting: Vec<serde_json::Value> = trusting
        .get(format!("{url}/v1/admin/organisations/{org}/awaiting-key"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_id = waiting[0]["device_id"].as_str().unwrap();
    let bundle = serde_json::to_vec(&keys.bundle()).unwrap();
    let sealed = senda_protocol::seal::seal(
        waiting[0]["box_key"].as_str().unwrap(),
        &bundle,
        &senda_protocol::grant_aad(device_id, org),
    )
    .unwrap();
    admin(
        "/v1/admin/key-grants",
        serde_json::json!({ "device_id": device_id, "sealed": sealed }),
    )
    .await
    .unwrap()
    .error_for_status()
    .unwrap();
    d.refer("Sol", SHELTER);
    let ready = d.ready();
    let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!(report.sent, ready);
    assert_eq!(d.ready(), 0);

    // The answer-signing key was made on first start, readable by its owner only.
    let key_file = dir.path().join("server.signing-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
    // …and kept: a restart signs with the same key, so the device still believes it.
    let again = AnswerKey::load_or_create(&key_file).unwrap();
    let pinned = d
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .server_signing_key()
        .unwrap();
    assert_eq!(pinned, Some(again.public_hex()));
}

/// M2: PostgreSQL is reached over TLS when `DATABASE_URL` asks for it, and
/// `verify-full` refuses a server whose certificate it cannot verify (the
/// local test server's is self-signed).
#[test]
fn postgres_connections_use_tls_when_the_url_asks() {
    use senda_server::store::{PostgresStore, Store};
    let url = postgres_url();
    let with = |mode: &str| {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}sslmode={mode}")
    };
    let schema = {
        use ring::rand::SecureRandom;
        let mut b = [0u8; 6];
        ring::rand::SystemRandom::new().fill(&mut b).unwrap();
        format!("t{}", senda_protocol::hex(&b))
    };
    for (mode, encrypted) in [("disable", 0), ("require", 1)] {
        let store = PostgresStore::open(&with(mode), Some(&schema))
            .unwrap_or_else(|e| panic!("sslmode={mode}: {e}"));
        let mut ssl = -1;
        store
            .transaction(&mut |sql| {
                ssl = sql
                    .row(
                        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                        &[],
                    )?
                    .map_or(-1, |r| r[0].int());
                Ok(())
            })
            .unwrap();
        assert_eq!(ssl, encrypted, "sslmode={mode}");
    }
    let err = PostgresStore::open(&with("verify-full"), Some(&schema))
        .err()
        .expect("an unverifiable certificate is refused");
    eprintln!("verify-full: {err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(
        PostgresStore::open(&with("sometimes"), Some(&schema)).is_err(),
        "an unknown sslmode is refused"
    );
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .unwrap();
}
