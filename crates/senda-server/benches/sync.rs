//! Sync at scale, over loopback HTTP, against a real server:
//! 1. one device pushes 10,000 queued records: batched, then one request each;
//! 2. 1,000 devices push 50 records each at once, on SQLite, then PostgreSQL;
//! 3. bytes on the wire for one referral, against an ODK-style XML submission;
//! 4. the peer, side by side: the same 10,000 records pushed by Senda (sealed)
//!    and replicated by PouchDB to pouchdb-server (`benches/pouchdb`, from npm).
//!
//! Run: `cargo bench -p senda-server --bench sync` (PostgreSQL from
//! `SENDA_TEST_DATABASE_URL`, as in the tests). Results: docs/benchmarks.md.
//! `SENDA_BENCH_ATTACH_SECS=3` waits that long before part 4's timed sync,
//! after "senda: syncing" on stderr, so a profiler can attach.

use ring::signature::{Ed25519KeyPair, KeyPair};
use senda_core::casework::{CaseDetails, CaseNotes, ConsentBasis, Explained, NewConsent, Purpose};
use senda_core::sync::SyncClient;
use senda_core::{SystemClock, Vault};
use senda_protocol::{
    EnrolRequest, EnrolResponse, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME, Op,
    PROTOCOL_VERSION, PushRequest, decode, encode, hex, signing_message,
};
use senda_server::limits::Limits;
use senda_server::store::{PostgresStore, Repo, SqliteStore};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// The tests' server and set-up: organisations with an admin key file, devices
// enrolled pinned to it (`CODE.FINGERPRINT`), keys handed over as `admin grant-keys` does.
#[path = "../tests/common/mod.rs"]
mod common;
use common::TestServer;

async fn serve(repo: Repo) -> TestServer {
    TestServer::start_limited(
        repo,
        "127.0.0.1:0".parse().unwrap(),
        Limits::new(100_000, 10_000),
    )
    .await
}

/// A new organisation with its keys (the key file stays in `server`, as with
/// its administrator), and a pinned enrolment code for it.
async fn keyed_org_and_code(server: &TestServer) -> (String, String) {
    let org = server.keyed_organisation("Bench").await;
    let code = server.code(&org, "t").await;
    (org, code)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A device vault holding `cases` consented cases with four notes each (5 rows per case, plus consent).
fn filled_vault(dir: &std::path::Path, cases: usize) -> Mutex<Vault> {
    let mut vault = Vault::open_dir(dir, Arc::new(SystemClock))
        .unwrap()
        .with_light_kdf();
    vault.create("Bench", "135790").unwrap();
    {
        let cw = vault.casework().unwrap();
        for i in 0..cases {
            let details: CaseDetails = serde_json::from_value(
                serde_json::json!({ "alias": format!("c{i}"), "country": "CO" }),
            )
            .unwrap();
            let case = cw.open_case(details).unwrap();
            cw.record_consent(
                &case.id,
                NewConsent {
                    purpose: Purpose::ShareWithOrganisation,
                    recipient: "organisation".into(),
                    basis: ConsentBasis::Consent {
                        explained: Explained::ALL.to_vec(),
                        language: "es".into(),
                        child_agrees: true,
                        also_consented: None,
                        consenter_not_suspected: false,
                        child_wishes: String::new(),
                    },
                },
            )
            .unwrap();
            for n in 0..3 {
                let notes = CaseNotes {
                    needs: format!("necesidad {n}"),
                    ..CaseNotes::default()
                };
                cw.set_notes(&case.id, notes).unwrap();
            }
        }
    }
    Mutex::new(vault)
}

async fn push_10k(postgres_url: &str) {
    let _ = postgres_url;
    println!("### 1. One device, 10,000 queued records (SQLite server, loopback)\n");
    let dir = tempfile::tempdir().unwrap();
    let vault = filled_vault(&dir.path().join("device"), 2_000);
    let rows = {
        let mut v = vault.lock().unwrap();
        v.casework().unwrap().outbox_counts().unwrap().unsent
    };

    // Batched, as the app does it.
    let server = serve(Repo::new(
        SqliteStore::open(&dir.path().join("a.db")).unwrap(),
    ))
    .await;
    let client = SyncClient::new();
    let (org, code) = keyed_org_and_code(&server).await;
    client
        .enrol(&vault, &server.url(), &code, "bench")
        .await
        .unwrap();
    // Every record leaves sealed to the organisation's key: the device needs it first.
    assert_eq!(server.grant(&org).await, 1, "keys handed to the device");
    let secret = server.secret_of(&org);
    client.incoming(&vault).await.unwrap();
    let t = Instant::now();
    let report = client.sync(&vault, |_| {}).await.unwrap();
    let batched = t.elapsed();
    assert_eq!(report.sent as u64, rows);

    // The naive baseline: the same operations, one request each, to a fresh server.
    // (The server never sees the organisation's secret nor checks what ops are
    // sealed to: an organisation without keys takes them alike, and its plain
    // code suits a device enrolled by hand.)
    let server_b = serve(Repo::new(
        SqliteStore::open(&dir.path().join("b.db")).unwrap(),
    ))
    .await;
    let url_b = server_b.url();
    let key = device_key();
    let org_b = server_b.organisation("Bench").await;
    let (device_id, http) = enrol_with_code(&url_b, &key, &server_b.code(&org_b, "t").await).await;
    let mut ops = all_ops(&vault);
    for op in &mut ops {
        senda_core::sync::seal_for_organisation(op, &secret, chrono::Utc::now().date_naive())
            .unwrap();
    }
    let t = Instant::now();
    for op in &ops {
        let body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: vec![op.clone()],
        });
        let status = signed_post(&http, &url_b, &device_id, &key, "/v1/push", body).await;
        assert_eq!(status, 200);
    }
    let naive = t.elapsed();
    println!("| way | records | requests | time | records/s |\n|---|---|---|---|---|");
    println!(
        "| batched (200 per request) | {rows} | {} | {:.2} s | {:.0} |",
        rows.div_ceil(200),
        batched.as_secs_f64(),
        rows as f64 / batched.as_secs_f64()
    );
    println!(
        "| one request per record | {rows} | {rows} | {:.2} s | {:.0} |",
        naive.as_secs_f64(),
        rows as f64 / naive.as_secs_f64()
    );
    println!(
        "\nBatched is {:.1}× faster; {} bytes sent batched.\n",
        naive.as_secs_f64() / batched.as_secs_f64(),
        report.bytes_sent
    );
}

fn all_ops(vault: &Mutex<Vault>) -> Vec<Op> {
    let mut v = vault.lock().unwrap();
    v.casework()
        .unwrap()
        .outbox_for_all()
        .unwrap()
        .into_iter()
        .map(Op::from)
        .collect()
}

fn device_key() -> Ed25519KeyPair {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
}

async fn enrol_with_code(url: &str, key: &Ed25519KeyPair, code: &str) -> (String, reqwest::Client) {
    let http = reqwest::Client::new();
    let body = encode(&EnrolRequest {
        protocol: PROTOCOL_VERSION,
        code: code.into(),
        public_key: hex(key.public_key().as_ref()),
        box_key: senda_protocol::BoxSecret::generate().public_hex(),
        device_name: "bench".into(),
    });
    let resp = http
        .post(format!("{url}/v1/enrol"))
        .body(body)
        .send()
        .await
        .unwrap();
    let enrolled: EnrolResponse = decode(&resp.bytes().await.unwrap()).unwrap();
    (enrolled.device_id, http)
}

async fn signed_post(
    http: &reqwest::Client,
    url: &str,
    device: &str,
    key: &Ed25519KeyPair,
    path: &str,
    body: Vec<u8>,
) -> u16 {
    let time = chrono::Utc::now().to_rfc3339();
    let mut n = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut n).unwrap();
    let nonce = hex(&n);
    let sig = key.sign(&signing_message("POST", path, &time, &nonce, &body));
    http.post(format!("{url}{path}"))
        .header(HEADER_DEVICE, device)
        .header(HEADER_TIME, time)
        .header(HEADER_NONCE, nonce)
        .header(HEADER_SIGNATURE, hex(sig.as_ref()))
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// 1,000 devices, each pushing one batch of 50 new case records, 64 at a time;
/// returns the total time in seconds.
async fn thousand_devices(name: &str, repo: Repo) -> f64 {
    let server = serve(repo).await;
    let url = server.url();
    let org = server.organisation("Bench").await;
    let mut devices = Vec::new();
    for _ in 0..1000 {
        let code = server.code(&org, "t").await;
        let key = device_key();
        let (id, http) = enrol_with_code(&url, &key, &code).await;
        devices.push((id, key, http));
    }
    // The organisation's secret as its devices hold it. The server never sees
    // it nor checks what ops are sealed to, so no key is registered here.
    let secret = senda_protocol::BoxSecret::generate();
    // Sealed on the devices beforehand: the timed part is the server's.
    let today = chrono::Utc::now().date_naive();
    let bodies: Vec<Vec<u8>> = (0..devices.len())
        .map(|d| {
            let ops: Vec<Op> = (1..=50)
                .map(|seq| {
                    let mut op = Op {
                        op_id: format!("d{d}-op{seq}"),
                        seq,
                        hlc: format!("{:015}.{:06}", 1_790_000_000_000i64 + seq, 0),
                        entity: "case".into(),
                        entity_id: format!("d{d}-case{seq}"),
                        case_id: format!("d{d}-case{seq}"),
                        op: "create".into(),
                        base_version: 0,
                        version: 1,
                        payload: serde_json::json!({ "details": { "alias": format!("c{seq}"), "country": "CO" }, "notes": {} }),
                        sealed: Default::default(),
                        sealed_summary: None,
                    };
                    senda_core::sync::seal_for_organisation(&mut op, &secret, today).unwrap();
                    op
                })
                .collect();
            encode(&PushRequest { protocol: PROTOCOL_VERSION, ops })
        })
        .collect();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(64));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for ((id, key, http), body) in devices.into_iter().zip(bodies) {
        let (url, semaphore) = (url.clone(), semaphore.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire().await.unwrap();
            let t = Instant::now();
            let status = signed_post(&http, &url, &id, &key, "/v1/push", body).await;
            (status, t.elapsed())
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut refused = Vec::new();
    for task in tasks {
        let (status, latency) = task.await.unwrap();
        if status != 200 {
            errors += 1;
            refused.push(status);
        }
        latencies.push(latency);
    }
    let total = t.elapsed();
    latencies.sort();
    println!(
        "| {name} | 1,000 × 50 | {:.2} s | {errors} | {:.0} ms | {:.0} ms |",
        total.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    assert_eq!(errors, 0, "{name}: every push stored; answers {refused:?}");
    total.as_secs_f64()
}

/// The same referral as Senda's CBOR push and as an ODK-style XML submission.
fn bytes_per_referral() {
    let summary = serde_json::json!({
        "level": "immediate",
        "indicators": [
            { "id": "peligro-inmediato", "label": { "es": "Peligro inmediato" } },
            { "id": "sin-alojamiento", "label": { "es": "Sin lugar seguro donde dormir" } }
        ],
        "needs": ["linea-emergencia", "proteccion-ninez", "alojamiento"],
        "shared": { "alias": "Luz", "age": 15, "gender": "girl", "nationality": "VE", "languages": ["es"], "travelling": "unaccompanied", "helper": "woman" },
        "note": "Necesita alojamiento esta noche",
        "reviewed_with_child": true
    });
    let op = Op {
        op_id: "0f8e6c1b2a3d4e5f60718293a4b5c6d7".into(),
        seq: 42,
        hlc: "001795478483298.000001".into(),
        entity: "referral".into(),
        entity_id: "9a8b7c6d5e4f30211203948576a5b4c3".into(),
        case_id: "1a2b3c4d5e6f708192a3b4c5d6e7f809".into(),
        op: "create".into(),
        base_version: 0,
        version: 1,
        payload: serde_json::json!({
            "code": "SND-7K8F6-CK0V0",
            "service_id": "svc-alojamiento-cucuta",
            "screening_id": "5e6f708192a3b4c5d6e7f8091a2b3c4d",
            "summary": summary,
            "follow_up": "2026-12-01",
            "status": "draft"
        }),
        sealed: Default::default(),
        sealed_summary: None,
    };
    let cbor = encode(&PushRequest {
        protocol: PROTOCOL_VERSION,
        ops: vec![op.clone()],
    })
    .len();
    // What actually travels: the summary sealed to the receiving organisation's key.
    let mut sealed_op = op;
    let receiver = senda_protocol::BoxSecret::generate();
    let payload = sealed_op.payload.as_object_mut().unwrap();
    let plain = payload.remove("summary").unwrap().to_string();
    let sealed = senda_protocol::seal::seal(
        &receiver.public_hex(),
        &senda_protocol::seal::pack_summary(plain.as_bytes()),
        &senda_protocol::summary_aad(&sealed_op.entity_id),
    )
    .unwrap();
    sealed_op.sealed_summary = Some(sealed);
    let cbor_sealed = encode(&PushRequest {
        protocol: PROTOCOL_VERSION,
        ops: vec![sealed_op.clone()],
    })
    .len();
    // And every other field sealed to the sender's own organisation, as devices send it now.
    senda_core::sync::seal_for_organisation(
        &mut sealed_op,
        &senda_protocol::BoxSecret::generate(),
        chrono::Utc::now().date_naive(),
    )
    .unwrap();
    let cbor_all_sealed = encode(&PushRequest {
        protocol: PROTOCOL_VERSION,
        ops: vec![sealed_op],
    })
    .len();
    let xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="senda_referral" version="2026112301">
  <meta><instanceID>uuid:0f8e6c1b-2a3d-4e5f-6071-8293a4b5c6d7</instanceID><deviceID>9f1e2d3c4b5a69788796a5b4c3d2e1f0</deviceID><timeStart>2026-11-23T10:00:00.000-05:00</timeStart><timeEnd>2026-11-23T10:12:00.000-05:00</timeEnd></meta>
  <referral><referral_id>9a8b7c6d5e4f30211203948576a5b4c3</referral_id><case_id>1a2b3c4d5e6f708192a3b4c5d6e7f809</case_id><code>SND-7K8F6-CK0V0</code><service_id>svc-alojamiento-cucuta</service_id><screening_id>5e6f708192a3b4c5d6e7f8091a2b3c4d</screening_id><follow_up>2026-12-01</follow_up><status>draft</status></referral>
  <summary><level>immediate</level><indicators>peligro-inmediato sin-alojamiento</indicators><indicator_labels>Peligro inmediato|Sin lugar seguro donde dormir</indicator_labels><needs>linea-emergencia proteccion-ninez alojamiento</needs>
    <shared><alias>Luz</alias><age>15</age><gender>girl</gender><nationality>VE</nationality><languages>es</languages><travelling>unaccompanied</travelling><helper>woman</helper></shared>
    <note>Necesita alojamiento esta noche</note><reviewed_with_child>yes</reviewed_with_child></summary>
</data>"#,
    );
    println!("| encoding | bytes |\n|---|---|");
    println!(
        "| Senda push, CBOR (one referral op, with its envelope), summary readable | {cbor} |"
    );
    println!("| Senda push, CBOR, summary sealed to the receiver | {cbor_sealed} |");
    println!(
        "| Senda push, CBOR, summary sealed to the receiver and every other field to the sender's organisation (what is sent) | {cbor_all_sealed} |"
    );
    println!(
        "| ODK-style XForm submission (same fields, no attachments) | {} |",
        xml.len()
    );
    println!(
        "\nCBOR / XML = {:.2}; summary sealed / XML = {:.2}; all sealed / XML = {:.2}\n",
        cbor as f64 / xml.len() as f64,
        cbor_sealed as f64 / xml.len() as f64,
        cbor_all_sealed as f64 / xml.len() as f64
    );
}

/// Relays TCP to `target` and counts every byte each way (requests, answers).
struct CountingProxy {
    url: String,
    up: Arc<std::sync::atomic::AtomicU64>,
    down: Arc<std::sync::atomic::AtomicU64>,
}

impl CountingProxy {
    async fn start(target: String) -> Self {
        use std::sync::atomic::AtomicU64;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (u, d) = (up.clone(), down.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (u, d, target) = (u.clone(), d.clone(), target.clone());
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::join!(pump(cr, sw, u), pump(sr, cw, d));
                });
            }
        });
        Self { url, up, down }
    }

    fn bytes(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering;
        (
            self.up.load(Ordering::Relaxed),
            self.down.load(Ordering::Relaxed),
        )
    }
}

/// Copies one direction, counting bytes as they flow (a cut answer still counts).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    n: Arc<std::sync::atomic::AtomicU64>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(k) = from.read(&mut buf).await {
        if k == 0 || to.write_all(&buf[..k]).await.is_err() {
            break;
        }
        n.fetch_add(k as u64, std::sync::atomic::Ordering::Relaxed);
    }
    let _ = to.shutdown().await;
}

/// A device whose outbox holds at least `records` rows, left by real
/// referrals (case, screening, consents, referral with its summary).
fn device_with_referrals(records: usize) -> senda_testkit::Device {
    let d = senda_testkit::device(0);
    fill(&d, records);
    d
}

/// Referrals made on `d` until its outbox holds at least `records` rows.
/// Counted again only as often as needed: counting is not the shift's work.
fn fill(d: &senda_testkit::Device, records: usize) {
    let mut made = 0;
    let mut ready = d.ready();
    while ready < records {
        // Every referral adds the same rows: make as many as cannot pass
        // `records`, then count (one at a time near the end).
        let each = ready.checked_div(made).unwrap_or(records);
        for _ in 0..((records - ready) / each.max(1)).max(1) {
            d.refer(&format!("n{made}"), "svc-alojamiento-cucuta");
            made += 1;
        }
        ready = d.ready();
    }
}

/// The server of part 4 in a process of its own, as pouchdb-server is and as
/// a deployment's is: a device in the same process would turn on SQLCipher's
/// memory security (locking and wiping every allocation) for the server's
/// SQLite too. It serves the database file the bench sets up beside it.
struct ServerProcess {
    child: std::process::Child,
    addr: String,
}

impl ServerProcess {
    fn start(db: &std::path::Path) -> Self {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("serve-sqlite")
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the bench runs itself as a server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Self {
            child,
            addr: line.trim().to_owned(),
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// CPU time (user and system, every thread) a process has used so far, from
/// `/proc/<pid>/stat` (in USER_HZ ticks, 100 a second on Linux); `None`
/// where there is no such file.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let (_, rest) = stat.rsplit_once(") ")?;
    let mut fields = rest.split(' ').skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// CPU seconds used between two readings, or "n/a".
fn cpu_used(before: Option<f64>, after: Option<f64>) -> String {
    before
        .zip(after)
        .map_or("n/a".into(), |(b, a)| format!("{:.3} s", a - b))
}

/// Serves `db` on a free port, prints the address, and stops when stdin closes.
fn serve_sqlite_until_stdin_closes(db: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = serve(Repo::new(
            SqliteStore::open(std::path::Path::new(db)).unwrap(),
        ))
        .await;
        println!("{}", server.addr);
        tokio::task::spawn_blocking(|| {
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new())
        })
        .await
        .unwrap()
        .unwrap();
        server.stop().await;
    });
}

/// One round of Senda's side: a fresh server on SQLite (on disk) in its own
/// process, the device enrolled and keyed, then one timed sync through the
/// counting proxy. The set-up runs on the same database file through a second,
/// in-process server (the administrator's side).
async fn senda_round(records: usize) -> (f64, u64, u64, usize, f64) {
    let dir = tempfile::tempdir().unwrap();
    let d = senda_testkit::device(0);
    let db = dir.path().join("server.db");
    let server = serve(Repo::new(SqliteStore::open(&db).unwrap())).await;
    let process = ServerProcess::start(&db);
    let proxy = CountingProxy::start(process.addr.clone()).await;
    let (org, code) = keyed_org_and_code(&server).await;
    d.client
        .enrol(&d.vault, &proxy.url, &code, "bench")
        .await
        .unwrap();
    assert_eq!(server.admit(&org, &d).await, 1, "keys handed to the device");
    // The receiver: keyed, routed, and trusted by the sender's administrator.
    let receiver = server.organisation("Receiver").await;
    server.receiver(&receiver, "svc-alojamiento-cucuta").await;
    d.client.incoming(&d.vault).await.unwrap();
    // The shift: an enrolled device, each row sealed as it is written.
    let t = Instant::now();
    fill(&d, records);
    let made = t.elapsed().as_secs_f64();
    let sealed = d
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .sealed_ahead()
        .unwrap();
    let rows = d.ready();
    assert_eq!(sealed, rows, "every row sealed as it was written");
    let before = proxy.bytes();
    // On stderr, so a profiler can attach for the timed part alone.
    eprintln!("senda: syncing {rows} records");
    if let Some(secs) = std::env::var("SENDA_BENCH_ATTACH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        // Time for a profiler to attach before the timed part.
        std::thread::sleep(Duration::from_secs(secs));
    }
    let cpu = (
        cpu_seconds(process.child.id()),
        cpu_seconds(std::process::id()),
    );
    let t = Instant::now();
    // When the last batch was applied: the push's share of the time, on stderr.
    let pushed = std::sync::Mutex::new(0.0);
    let report = d
        .client
        .sync(&d.vault, |p| {
            if p.phase == "push" {
                *pushed.lock().unwrap() = t.elapsed().as_secs_f64();
            }
        })
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let pushed = *pushed.lock().unwrap();
    // CPU time varies far less between runs than the wall clock does: it
    // shows whether a change made either side do less work.
    eprintln!(
        "senda: keys and push {pushed:.3} s, pull and report {:.3} s; CPU: server {}, device and proxy {}",
        secs - pushed,
        cpu_used(cpu.0, cpu_seconds(process.child.id())),
        cpu_used(cpu.1, cpu_seconds(std::process::id())),
    );
    let after = proxy.bytes();
    assert_eq!(report.sent, rows, "every record stored");
    // To look at what the server stored: `SENDA_BENCH_KEEP_DB=server.db`.
    if let Ok(keep) = std::env::var("SENDA_BENCH_KEEP_DB") {
        drop(process);
        std::fs::copy(&db, &keep).unwrap();
        let _ = std::fs::copy(db.with_extension("db-wal"), format!("{keep}-wal"));
    }
    (secs, after.0 - before.0, after.1 - before.1, rows, made)
}

/// The same records as PouchDB documents (readable: PouchDB seals nothing).
fn pouch_docs(records: usize, path: &std::path::Path) -> usize {
    let d = device_with_referrals(records);
    let docs: Vec<serde_json::Value> = all_ops(&d.vault)
        .into_iter()
        .map(|op| {
            let mut doc = serde_json::to_value(&op).unwrap();
            let id = doc["op_id"].take();
            doc["_id"] = id;
            doc.as_object_mut().unwrap().remove("op_id");
            doc
        })
        .collect();
    std::fs::write(path, serde_json::to_vec(&docs).unwrap()).unwrap();
    docs.len()
}

fn pouch_round(docs: &std::path::Path) -> serde_json::Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pouchdb");
    let out = std::process::Command::new("node")
        .current_dir(&dir)
        .args(["replicate.mjs", "--batch", "200", "--docs-file"])
        .arg(docs)
        .output()
        .expect("node runs benches/pouchdb/replicate.mjs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn against_pouchdb(records: usize, rounds: usize) {
    println!("### 4. Against PouchDB: the same {records} records, batches of 200\n");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pouchdb");
    if !dir.join("node_modules").exists() {
        println!("(skipped: `npm ci` in crates/senda-server/benches/pouchdb first)\n");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs.json");
    let n = pouch_docs(records, &docs);
    println!(
        "| round | Senda (sealed) | PouchDB → pouchdb-server | PouchDB time / Senda time | Senda bytes up+down | PouchDB bytes up+down | bytes ratio | Senda: making the records |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let (mut times, mut bytes) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        // In turns, so a drifting machine slows both alike.
        let (secs, up, down, rows, made) = senda_round(records).await;
        let pouch = pouch_round(&docs);
        assert_eq!(pouch["docs"].as_u64(), Some(n as u64));
        assert_eq!(rows, n, "both sides move the same records");
        let p_secs = pouch["seconds"].as_f64().unwrap();
        let p_bytes = pouch["bytes_up"].as_u64().unwrap() + pouch["bytes_down"].as_u64().unwrap();
        let s_bytes = up + down;
        times.push(p_secs / secs);
        bytes.push(s_bytes as f64 / p_bytes as f64);
        println!(
            "| {round} | {secs:.2} s | {p_secs:.2} s | {:.2}× | {s_bytes} | {p_bytes} | {:.2} | {made:.1} s |",
            p_secs / secs,
            s_bytes as f64 / p_bytes as f64
        );
    }
    times.sort_by(f64::total_cmp);
    bytes.sort_by(f64::total_cmp);
    println!(
        "\n{n} records; median: Senda at {:.2}× PouchDB's speed (above 1: faster), with {:.2}× its bytes.\n",
        times[times.len() / 2],
        bytes[bytes.len() / 2]
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    // This binary, run again as the server of part 4 (see `ServerProcess`).
    if let Some(db) = std::env::args().skip_while(|a| a != "serve-sqlite").nth(1) {
        return serve_sqlite_until_stdin_closes(&db);
    }
    // A section's name runs it alone: `cargo bench -p senda-server --bench sync -- pouchdb`
    // (or `push`, `devices`, `bytes`); no name runs all four.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| ["push", "devices", "bytes", "pouchdb"].contains(&a.as_str()))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|a| a == name);
    let postgres_url = std::env::var("SENDA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        if wanted("push") {
            push_10k(&postgres_url).await;
        }
        if wanted("devices") {
            println!("### 2. 1,000 devices × 50 records, at once (64 in flight)\n");
            println!("| backend | pushes | total | errors | p50 request | p99 request |\n|---|---|---|---|---|---|");
            let dir = tempfile::tempdir().unwrap();
            let sqlite = thousand_devices(
                "SQLite",
                Repo::new(SqliteStore::open(&dir.path().join("c.db")).unwrap()),
            )
            .await;
            let url = postgres_url.clone();
            let pg = tokio::task::spawn_blocking(move || {
                let schema = format!("b{}", std::process::id());
                PostgresStore::open(&url, Some(&schema)).unwrap()
            })
            .await
            .unwrap();
            let postgres = thousand_devices("PostgreSQL", Repo::new(pg)).await;
            println!("\nPostgreSQL / SQLite = {:.2}\n", postgres / sqlite);
        }
        if wanted("bytes") {
            println!("\n### 3. Bytes on the wire per referral\n");
            bytes_per_referral();
        }
        if wanted("pouchdb") {
            // Rounds in turns (SENDA_BENCH_ROUNDS, default 3).
            let rounds = std::env::var("SENDA_BENCH_ROUNDS")
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(3);
            against_pouchdb(10_000, rounds).await;
        }
    });
    // The PostgreSQL pool closes on its own thread; give it a moment.
    std::thread::sleep(Duration::from_millis(200));
}
