//! Fault injection: devices sync through a proxy that drops connections,
//! loses answers and cuts responses half-way, while the server is killed and
//! restarted, batches are duplicated and reordered, and device clocks are up
//! to three days off. At the end every operation is on the server exactly
//! once and every device has every referral outcome. Runs on SQLite and on
//! PostgreSQL: 200 trials each by default, `SENDA_FAULT_TRIALS=1000` for the
//! long mode; `SENDA_FAULT_SEED` replays a run (the seed is printed).

mod common;

use common::*;
use senda_core::casework::ReferralStatus;
use senda_protocol::{Op, PROTOCOL_VERSION, PushRequest, PushResponse, decode, encode};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SHELTER: &str = "svc-alojamiento-cucuta";

/// SplitMix64: small, seedable, good enough to choose faults.
struct Rng(AtomicU64);

impl Rng {
    fn next(&self) -> u64 {
        let mut z = self
            .0
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A TCP proxy in front of the server that misbehaves on demand.
struct Proxy {
    addr: SocketAddr,
    target: Arc<Mutex<SocketAddr>>,
    faults: Arc<AtomicBool>,
    /// Connections dropped, answered never, or cut half-way.
    faulted: Arc<AtomicU64>,
}

impl Proxy {
    async fn start(target: SocketAddr, rng: Arc<Rng>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let target = Arc::new(Mutex::new(target));
        let faults = Arc::new(AtomicBool::new(true));
        let faulted = Arc::new(AtomicU64::new(0));
        let (t, f, n) = (target.clone(), faults.clone(), faulted.clone());
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let to = *t.lock().unwrap();
                let mode = if f.load(Ordering::Relaxed) {
                    rng.below(10)
                } else {
                    9
                };
                if mode < 3 {
                    n.fetch_add(1, Ordering::Relaxed);
                }
                tokio::spawn(relay(client, to, mode));
            }
        });
        Self {
            addr,
            target,
            faults,
            faulted,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// 0: drop at once; 1: deliver the request, lose the answer; 2: cut the
/// answer half-way; anything else: pass through.
async fn relay(mut client: TcpStream, to: SocketAddr, mode: u64) {
    if mode == 0 {
        return;
    }
    let Ok(mut server) = TcpStream::connect(to).await else {
        return;
    };
    if mode >= 3 {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        return;
    }
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let upstream = async {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
    };
    let downstream = async {
        let mut buf = vec![0u8; 64 * 1024];
        if let Ok(n) = sr.read(&mut buf).await
            && mode == 2
            && n > 1
        {
            let _ = cw.write_all(&buf[..n / 2]).await;
        }
        let _ = cw.shutdown().await;
    };
    // The answer side decides when the connection ends.
    tokio::select! { _ = downstream => {}, _ = async { upstream.await; std::future::pending::<()>().await } => {} }
}

struct World {
    server: Option<TestServer>,
    repo: senda_server::store::Repo,
    proxy: Proxy,
    devices: Vec<Device>,
    receiver: Device,
    /// Referral id → the status the receiving organisation set last.
    outcomes: std::collections::BTreeMap<String, ReferralStatus>,
    cases: Vec<(usize, String)>,
    restarts: u64,
}

impl World {
    fn url(&self) -> String {
        self.server.as_ref().unwrap().url()
    }

    async fn restart(&mut self) {
        if let Some(s) = self.server.take() {
            s.kill().await;
        }
        let server = TestServer::start(self.repo.clone()).await;
        *self.proxy.target.lock().unwrap() = server.addr;
        self.server = Some(server);
        self.restarts += 1;
    }

    /// Pushes ready rows in shuffled, duplicated, overlapping batches, signed by the device.
    async fn scrambled_push(&self, rng: &Rng, d: usize) {
        let device = &self.devices[d];
        let rows = device
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .outbox_ready(100)
            .unwrap();
        if rows.is_empty() {
            return;
        }
        let mut ops: Vec<Op> = rows.into_iter().map(Op::from).collect();
        // Reverse or rotate, then send overlapping slices, some twice.
        if rng.chance(50) {
            ops.reverse();
        } else {
            let k = rng.below(ops.len() as u64) as usize;
            ops.rotate_left(k);
        }
        let mut start = 0;
        while start < ops.len() {
            let len = 1 + rng.below(4) as usize;
            let end = (start + len).min(ops.len());
            let batch = ops[start.saturating_sub(rng.below(2) as usize)..end].to_vec();
            for _ in 0..(1 + rng.below(2)) {
                let body = encode(&PushRequest {
                    protocol: PROTOCOL_VERSION,
                    ops: batch.clone(),
                });
                let request = device
                    .vault
                    .lock()
                    .unwrap()
                    .casework()
                    .unwrap()
                    .sign("/v1/push", body)
                    .unwrap();
                let Ok(resp) = try_send(&self.proxy.url(), &request).await else {
                    continue;
                };
                if resp.0 == 200
                    && let Ok(mut answer) = decode::<PushResponse>(&resp.1)
                {
                    let sent: Vec<String> = batch.iter().map(|o| o.op_id.clone()).collect();
                    answer.stored = answer.stored_of(&sent);
                    device
                        .vault
                        .lock()
                        .unwrap()
                        .casework()
                        .unwrap()
                        .apply_push(&answer)
                        .unwrap();
                }
            }
            start = end;
        }
    }
}

async fn try_send(
    server: &str,
    request: &senda_core::sync::SignedRequest,
) -> Result<(u16, Vec<u8>), reqwest::Error> {
    let mut call = reqwest::Client::new()
        .post(format!("{server}{}", request.path))
        .timeout(std::time::Duration::from_secs(10))
        .body(request.body.clone());
    for (k, v) in &request.headers {
        call = call.header(*k, v);
    }
    let resp = call.send().await?;
    let status = resp.status().as_u16();
    Ok((status, resp.bytes().await?.to_vec()))
}

async fn run(repo: senda_server::store::Repo, trials: u64, seed: u64) {
    let backend = repo.backend();
    let rng = Arc::new(Rng(AtomicU64::new(seed)));
    let server = TestServer::start(repo.clone()).await;
    // The proxy draws from its own sequence: how many connections a sync
    // opens, and in which order two pushes on their way reach the proxy,
    // depend on timing, and must not shift the trials' draws (a seed replays
    // the same trials).
    let proxy = Proxy::start(server.addr, Arc::new(Rng(AtomicU64::new(!seed)))).await;
    let team = server.keyed_organisation("Equipo").await;
    let network = server.organisation("Red").await;
    server.receiver(&network, SHELTER).await;
    let mut devices = Vec::new();
    for _ in 0..3 {
        // Clocks up to three days off either way.
        let skew = rng.below(145) as i64 - 72;
        let d = device(skew);
        server.enrol(&d, &team, "frontera").await;
        devices.push(d);
    }
    // Each device opens its grant of the team's key at its first sync, through the faults.
    let receiver = server.device_in(&network, "albergue").await;
    let mut world = World {
        server: Some(server),
        repo,
        proxy,
        devices,
        receiver,
        outcomes: Default::default(),
        cases: Vec::new(),
        restarts: 0,
    };

    for trial in 0..trials {
        // One restart is certain, half-way, so short runs meet one too.
        if trial == trials / 2 {
            world.restart().await;
        }
        let d = rng.below(world.devices.len() as u64) as usize;
        match rng.below(10) {
            0..=2 => {
                let (case, _) = world.devices[d].refer(&format!("n{trial}"), SHELTER);
                world.cases.push((d, case));
            }
            3..=4 if !world.cases.is_empty() => {
                let (owner, case) =
                    world.cases[rng.below(world.cases.len() as u64) as usize].clone();
                world.devices[owner].note(&case, &format!("paso {trial}"));
            }
            5 => world.scrambled_push(&rng, d).await,
            6 if rng.chance(30) => world.restart().await,
            7 => {
                // The receiving organisation answers a referral it can see.
                let (status, body) = signed(
                    &world.url(),
                    &world.receiver,
                    "/v1/referrals/incoming",
                    Vec::new(),
                )
                .await;
                assert_eq!(status, 200);
                // Summaries are CBOR byte strings: typed, not as JSON values.
                let page: senda_protocol::IncomingPage = decode(&body).unwrap();
                let incoming = page.referrals;
                if let Some(r) = incoming.get(rng.below(incoming.len().max(1) as u64) as usize) {
                    let from = ReferralStatus::parse(&r.status).unwrap();
                    let next = [
                        ReferralStatus::Received,
                        ReferralStatus::Accepted,
                        ReferralStatus::FirstContact,
                    ]
                    .into_iter()
                    .find(|to| from.can_go(*to));
                    if let Some(to) = next {
                        let id = r.id.clone();
                        let path = format!("/v1/referrals/{id}/status");
                        let (status, _) = signed(
                            &world.url(),
                            &world.receiver,
                            &path,
                            encode(&serde_json::json!({ "status": to })),
                        )
                        .await;
                        assert_eq!(status, 204, "{backend}");
                        world.outcomes.insert(id, to);
                    }
                }
            }
            _ => {
                let url = world.proxy.url();
                let d = &world.devices[d];
                // Point the device at the proxy for this sync (faults included).
                retarget(d, &url);
                let _ = d.client.sync(&d.vault, |_| {}).await;
            }
        }
    }

    // Calm: no faults; every device syncs until nothing is left.
    world.proxy.faults.store(false, Ordering::Relaxed);
    let url = world.proxy.url();
    for d in &world.devices {
        retarget(d, &url);
        for _ in 0..3 {
            d.client.sync(&d.vault, |_| {}).await.unwrap();
        }
        assert_eq!(
            d.ready(),
            0,
            "{backend}: seed {seed}: something was never stored"
        );
    }
    let sent: usize = world
        .devices
        .iter()
        .map(|d| {
            let mut v = d.vault.lock().unwrap();
            v.casework().unwrap().outbox_counts().unwrap().sent as usize
        })
        .sum();
    assert_eq!(
        world.repo.op_count().await.unwrap() as usize,
        sent,
        "{backend}: seed {seed}: every operation exactly once"
    );
    assert_eq!(
        world.repo.conflict_count().await.unwrap(),
        0,
        "{backend}: seed {seed}: one writer per record"
    );
    for (id, status) in &world.outcomes {
        let device = world
            .devices
            .iter()
            .find(|d| {
                d.vault
                    .lock()
                    .unwrap()
                    .casework()
                    .unwrap()
                    .referral(id)
                    .is_ok()
            })
            .unwrap();
        assert_eq!(
            device.referral_status(id),
            *status,
            "{backend}: seed {seed}: outcome of {id}"
        );
    }
    let faulted = world.proxy.faulted.load(Ordering::Relaxed);
    eprintln!(
        "{backend}: {trials} trials, {} cases, {sent} operations, {} outcomes, {faulted} faulty connections, {} server restarts (seed {seed})",
        world.cases.len(),
        world.outcomes.len(),
        world.restarts,
    );
    // However few the trials, the run must have met faults: a test that could
    // pass on a clean network proves nothing about a broken one.
    assert!(
        faulted > 0 && world.restarts > 0,
        "{backend}: seed {seed}: the faults really happened ({faulted} faulty connections, {} restarts)",
        world.restarts
    );
    if let Some(s) = world.server.take() {
        s.stop().await;
    }
}

/// The device keeps its enrolment, but syncs through `url` (the proxy).
fn retarget(d: &Device, url: &str) {
    let mut v = d.vault.lock().unwrap();
    v.casework().unwrap().set_server_url(url).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_record_arrives_once_and_every_outcome_comes_back() {
    let trials = std::env::var("SENDA_FAULT_TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(200);
    assert!(
        trials >= 100,
        "SENDA_FAULT_TRIALS={trials}: at least 100 trials, or a fault is not sure to happen"
    );
    let seed = std::env::var("SENDA_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("fault injection seed: {seed} (SENDA_FAULT_SEED={seed} replays it)");
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        run(repo, trials, seed).await;
    }
}
