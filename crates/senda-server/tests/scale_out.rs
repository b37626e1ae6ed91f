//! Two `senda-server` processes on one PostgreSQL database, as behind a load
//! balancer: concurrent edits of the same records are never lost (each
//! becomes the record's value or a conflict row), a single-use enrolment
//! code enrols exactly one device, and a device whose requests go to either
//! instance, twice or at once, has each operation stored and applied once.
//! PostgreSQL only (skipped with one line without it, as elsewhere).

mod common;

use common::*;
use futures_util::future::join_all;
use ring::signature::{Ed25519KeyPair, KeyPair};
use senda_protocol::{
    BoxSecret, EnrolRequest, EnrolResponse, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE,
    HEADER_TIME, Op, PROTOCOL_VERSION, PushRequest, PushResponse, decode, encode, hex,
    signing_message,
};
use senda_server::store::Repo;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One `senda-server` process, stopped when dropped.
struct Instance {
    url: String,
    child: Child,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// Serves the PostgreSQL `schema`, with the answer-signing key in `dir`
    /// (every instance of one server shares it: devices pin it at enrolment).
    async fn start(schema: &str, dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!(
            "{}?options=-c%20search_path%3D{schema}",
            postgres_url().split('?').next().unwrap()
        );
        let child = Command::new(env!("CARGO_BIN_EXE_senda-server"))
            .env("DATABASE_URL", url)
            .env("SENDA_SERVER_LISTEN", format!("127.0.0.1:{port}"))
            .env("SENDA_ADMIN_TOKEN", ADMIN)
            .env("SENDA_SIGNING_KEY_FILE", dir.join("signing.key"))
            .env("SENDA_RATE_PER_DEVICE", "1000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let instance = Self {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        for _ in 0..300 {
            if let Ok(r) = reqwest::get(format!("{}/health", instance.url)).await
                && r.status().is_success()
            {
                return instance;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("senda-server did not start on {}", instance.url);
    }
}

async fn admin(url: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let resp = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .bearer_auth(ADMIN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(serde_json::Value::Null)
}

async fn new_code(url: &str, org: &str) -> String {
    admin(
        url,
        "/v1/admin/enrolment-codes",
        serde_json::json!({ "organisation": org, "team": "t" }),
    )
    .await["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A device as a script: its signing key and its server id.
struct RawDevice {
    id: String,
    key: Ed25519KeyPair,
}

fn signing_key() -> Ed25519KeyPair {
    let rng = ring::rand::SystemRandom::new();
    Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap()
}

/// Tries to enrol with `code`: the status, and the device when enrolled.
/// (A 429 from the enrolment rate limit is waited out.)
async fn enrol(url: &str, code: &str) -> (u16, Option<RawDevice>) {
    let key = signing_key();
    let body = encode(&EnrolRequest {
        protocol: PROTOCOL_VERSION,
        code: code.into(),
        public_key: hex(key.public_key().as_ref()),
        box_key: BoxSecret::generate().public_hex(),
        device_name: "script".into(),
    });
    loop {
        let resp = reqwest::Client::new()
            .post(format!("{url}/v1/enrol"))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        if status == 429 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let bytes = resp.bytes().await.unwrap();
        return match decode::<EnrolResponse>(&bytes) {
            Ok(e) if status == 201 => (
                status,
                Some(RawDevice {
                    id: e.device_id,
                    key,
                }),
            ),
            _ => (status, None),
        };
    }
}

/// A signed push of `ops` to `url`: the status and, on success, the answer.
async fn push(url: &str, device: &RawDevice, ops: &[Op]) -> (u16, Option<PushResponse>) {
    let body = encode(&PushRequest {
        protocol: PROTOCOL_VERSION,
        ops: ops.to_vec(),
    });
    let time = chrono::Utc::now().to_rfc3339();
    let mut n = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut n).unwrap();
    let nonce = hex(&n);
    let signature = device
        .key
        .sign(&signing_message("POST", "/v1/push", &time, &nonce, &body));
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/push"))
        .header(HEADER_DEVICE, &device.id)
        .header(HEADER_TIME, time)
        .header(HEADER_NONCE, nonce)
        .header(HEADER_SIGNATURE, hex(signature.as_ref()))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    let sent: Vec<String> = ops.iter().map(|o| o.op_id.clone()).collect();
    let answer = decode::<PushResponse>(&bytes)
        .ok()
        .filter(|_| status == 200);
    (
        status,
        answer.map(|mut a| {
            a.stored = a.stored_of(&sent);
            a
        }),
    )
}

/// A case record's op, its alias sealed to the organisation as a device seals it.
fn case_op(secret: &BoxSecret, op_id: String, seq: i64, case: &str, base: i64, alias: &str) -> Op {
    let mut op = Op {
        op_id,
        seq,
        hlc: format!("{:015}.{:06}", 1_796_000_000_000i64 + seq, 0),
        entity: "case".into(),
        entity_id: case.into(),
        case_id: case.into(),
        op: if base == 0 { "create" } else { "update" }.into(),
        base_version: base,
        version: base + 1,
        payload: serde_json::json!({ "details": { "alias": alias } }),
        sealed: Default::default(),
        sealed_summary: None,
    };
    senda_core::sync::seal_for_organisation(&mut op, secret, chrono::Utc::now().date_naive())
        .unwrap();
    op
}

/// Each record's version as PostgreSQL holds it (read directly, off the runtime).
async fn versions(schema: &str) -> HashMap<String, i64> {
    let (url, schema) = (postgres_url(), schema.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client
            .query(
                &format!("SELECT id, version FROM \"{schema}\".entities"),
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1)))
            .collect()
    })
    .await
    .unwrap()
}

/// Two instances, one organisation with its sealing key, made through both.
async fn two_instances() -> (
    Repo,
    String,
    Instance,
    Instance,
    tempfile::TempDir,
    String,
    BoxSecret,
) {
    let (repo, schema) = postgres_named().await;
    let dir = tempfile::tempdir().unwrap();
    // One after the other: the first makes the shared signing key.
    let a = Instance::start(&schema, dir.path()).await;
    let b = Instance::start(&schema, dir.path()).await;
    let org = admin(
        &a.url,
        "/v1/admin/organisations",
        serde_json::json!({ "name": "Frontera" }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The organisation's keys as its administrator's file makes them (keytrust).
    let file = senda_protocol::trust::OrgKeyFile::generate(&org, &chrono::Utc::now().to_rfc3339());
    admin(
        &b.url,
        &format!("/v1/admin/organisations/{org}/key"),
        serde_json::json!({ "admin_key": file.admin_public(), "certificates": file.certificates() }),
    )
    .await;
    let secret = file.keys[0].secret.box_secret().unwrap();
    (repo, schema, a, b, dir, org, secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_devices_editing_the_same_records_through_two_instances_lose_nothing() {
    if !postgres_wanted() {
        return;
    }
    let (repo, schema, a, b, _dir, org, secret) = two_instances().await;
    let urls = [a.url.clone(), b.url.clone()];

    // One single-use code, tried by 20 devices at once through both instances.
    let code = new_code(&a.url, &org).await;
    let tries = join_all((0..20).map(|i| {
        let (url, code) = (urls[i % 2].clone(), code.clone());
        async move { enrol(&url, &code).await.0 }
    }))
    .await;
    assert_eq!(
        tries.iter().filter(|s| **s == 201).count(),
        1,
        "one enrolment per code: {tries:?}"
    );
    assert!(tries.iter().all(|s| *s == 201 || *s == 403), "{tries:?}");

    // 50 devices, each with its own code, enrolled alternately through both.
    let mut devices = Vec::new();
    for i in 0..50 {
        let code = new_code(&urls[i % 2], &org).await;
        let (status, device) = enrol(&urls[i % 2], &code).await;
        assert_eq!(status, 201);
        devices.push(device.unwrap());
    }

    // The first creates three records…
    let records = ["shared-1", "shared-2", "shared-3"];
    let created: Vec<Op> = records
        .iter()
        .enumerate()
        .map(|(k, r)| case_op(&secret, format!("create-{r}"), k as i64 + 1, r, 0, "inicio"))
        .collect();
    assert_eq!(push(&a.url, &devices[0], &created).await.0, 200);

    // …then all 50 edit all three at once, from the same version, through both instances.
    let edits: Vec<Vec<Op>> = devices
        .iter()
        .enumerate()
        .map(|(d, _)| {
            records
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let seq = if d == 0 { 4 + k as i64 } else { 1 + k as i64 };
                    case_op(
                        &secret,
                        format!("edit-{d}-{r}"),
                        seq,
                        r,
                        1,
                        &format!("alias {d}"),
                    )
                })
                .collect()
        })
        .collect();
    let answers = join_all(
        devices
            .iter()
            .zip(&edits)
            .enumerate()
            .map(|(d, (device, ops))| {
                let url = urls[d % 2].clone();
                async move { push(&url, device, ops).await }
            }),
    )
    .await;
    let mut conflicted: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (d, (status, answer)) in answers.into_iter().enumerate() {
        assert_eq!(status, 200, "device {d}");
        let answer = answer.unwrap();
        assert_eq!(answer.stored.len(), 3, "device {d}: every edit stored");
        for c in answer.conflicts {
            assert!(
                c.sealed.is_some(),
                "both sealed sides go back to the device"
            );
            conflicted.entry(c.entity_id).or_default().insert(c.op_id);
        }
    }

    // Every edit is the record's value or a conflict row: exactly one of each kind per record.
    let versions = versions(&schema).await;
    for r in records {
        let fields = repo.entity_fields(r.into()).await.unwrap().unwrap();
        let alias = senda_core::sync::field_key(&secret, r, "details.alias");
        let winner = fields[&alias]["op"].as_str().unwrap().to_owned();
        let lost = conflicted.remove(r).unwrap_or_default();
        assert_eq!(lost.len(), 49, "{r}: every other edit kept as a conflict");
        assert!(!lost.contains(&winner), "{r}");
        let all: BTreeSet<String> = (0..50).map(|d| format!("edit-{d}-{r}")).collect();
        let mut seen = lost.clone();
        seen.insert(winner);
        assert_eq!(seen, all, "{r}: no edit lost");
        // One change applied and 49 kept apart: each op moved the version once.
        assert_eq!(versions[r], 51, "{r}");
    }
    assert_eq!(repo.conflict_count().await.unwrap(), 3 * 49);
    assert_eq!(repo.op_count().await.unwrap(), 3 + 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_device_alternating_between_two_instances_has_each_op_applied_once() {
    if !postgres_wanted() {
        return;
    }
    let (repo, schema, a, b, _dir, org, secret) = two_instances().await;
    let urls = [a.url.clone(), b.url.clone()];
    let (_, device) = enrol(&b.url, &new_code(&a.url, &org).await).await;
    let device = device.unwrap();

    // 100 records created, then each edited once: 8 batches of 25.
    let ops: Vec<Op> = (0..200)
        .map(|i| {
            let record = format!("case-{}", i % 100);
            let (base, alias) = if i < 100 {
                (0, "primera")
            } else {
                (1, "segunda")
            };
            case_op(
                &secret,
                format!("op-{i}"),
                i as i64 + 1,
                &record,
                base,
                alias,
            )
        })
        .collect();
    let batches: Vec<&[Op]> = ops.chunks(25).collect();

    // Edits first (they wait for their records), creations after, each batch
    // to one instance and again to the other, two of them to both at once,
    // as a device does when an answer is lost or a balancer retries.
    let order = [4, 5, 6, 7, 0, 1, 2, 3];
    for (n, &k) in order.iter().enumerate() {
        let sends = if (2..4).contains(&k) {
            join_all([
                push(&urls[0], &device, batches[k]),
                push(&urls[1], &device, batches[k]),
            ])
            .await
        } else {
            vec![push(&urls[n % 2], &device, batches[k]).await]
        };
        for (status, answer) in sends {
            assert_eq!(status, 200, "batch {k}");
            assert_eq!(answer.unwrap().stored.len(), 25, "batch {k}");
        }
    }
    for (n, batch) in batches.iter().enumerate() {
        let (status, answer) = push(&urls[(n + 1) % 2], &device, batch).await;
        assert_eq!(status, 200);
        let answer = answer.unwrap();
        assert_eq!(answer.stored.len(), 25, "a resent batch is acknowledged");
        assert_eq!(answer.high_seq, 200);
    }

    assert_eq!(repo.op_count().await.unwrap(), 200, "each op stored once");
    assert_eq!(repo.conflict_count().await.unwrap(), 0);
    let versions = versions(&schema).await;
    assert_eq!(versions.len(), 100);
    for (record, version) in &versions {
        assert_eq!(*version, 2, "{record}: created once and edited once");
        let fields = repo.entity_fields(record.clone()).await.unwrap().unwrap();
        let n: usize = record.trim_start_matches("case-").parse().unwrap();
        let alias = senda_core::sync::field_key(&secret, record, "details.alias");
        assert_eq!(
            fields[&alias]["op"],
            format!("op-{}", n + 100),
            "{record}: the edit is the value"
        );
    }
}
