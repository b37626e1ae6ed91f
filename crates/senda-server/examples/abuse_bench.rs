//! An honest device's sync time alone, and beside a hostile device of the
//! same organisation that floods the server the ways M10 describes, on
//! SQLite and PostgreSQL, with the production rate limits (20 requests a
//! second per device) and quotas. Results go to docs/benchmarks.md.
//!
//! cargo run --release -p senda-server --example abuse_bench [ROUNDS]

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use senda_protocol::{Op, PROTOCOL_VERSION, PushRequest, SealedFields, encode};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SHELTER: &str = "svc-alojamiento-cucuta";

fn op(seq: i64, entity_id: &str, base: i64) -> Op {
    Op {
        op_id: format!("h-{seq}"),
        seq,
        hlc: "000001700000000.000000".into(),
        entity: "case".into(),
        entity_id: entity_id.into(),
        case_id: entity_id.into(),
        op: "update".into(),
        base_version: base,
        version: base + 1,
        payload: serde_json::json!({ "country": "CO" }),
        sealed: Default::default(),
        sealed_summary: None,
    }
}

/// A push whose payload is an array of 4 million one-byte zeros (just
/// under the 4 MiB body limit), built without holding it as JSON here.
fn flood_body() -> Vec<u8> {
    let marker = "@@flood@@";
    let mut body = encode(&serde_json::json!({ "protocol": PROTOCOL_VERSION, "ops": [[
        "x", 1, "h", "case", "c", "c", "create", 0, 1, marker, null, null,
    ]]}));
    let at = body
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())
        .expect("the marker")
        - 1;
    let n: u32 = 4 * 1024 * 1024 - 256;
    let mut array = vec![0x9a];
    array.extend(n.to_be_bytes());
    array.resize(5 + n as usize, 0);
    body.splice(at..at + 1 + marker.len(), array);
    body
}

/// Every way the hostile device tries, in turn, as fast as the server lets it.
async fn hostile(url: &str, d: &Device, stop: &AtomicBool) -> BTreeMap<String, u64> {
    let mut outcomes = BTreeMap::new();
    let mut seq = 1_000_000i64;
    let mut turn = 0u64;
    // Built once, as a flooding client would: building it is the client's
    // work, and here the client shares the server's two cores.
    let flood = flood_body();
    let client = reqwest::Client::new();
    while !stop.load(Ordering::Relaxed) {
        turn += 1;
        let body = match turn % 3 {
            // A 4 MiB body of one-byte elements in a payload.
            0 => flood.clone(),
            // 500 ops whose base never arrives, each on a record of its own.
            1 => {
                let ops = (0..500)
                    .map(|_| {
                        seq += 1;
                        op(seq, &format!("never-{seq}"), 5)
                    })
                    .collect();
                encode(&PushRequest {
                    protocol: PROTOCOL_VERSION,
                    ops,
                })
            }
            // Large well-formed ops, until the device's quota stops them.
            _ => {
                let ops = (0..60)
                    .map(|_| {
                        seq += 1;
                        let mut o = op(seq, &format!("big-{seq}"), 0);
                        o.sealed = SealedFields {
                            check: vec![4; 16],
                            hashes: Default::default(),
                            ct: vec![3; 16 * 1024],
                        };
                        o
                    })
                    .collect();
                encode(&PushRequest {
                    protocol: PROTOCOL_VERSION,
                    ops,
                })
            }
        };
        let request = {
            let mut v = d.vault.lock().unwrap();
            v.casework().unwrap().sign("/v1/push", body).unwrap()
        };
        let mut call = client.post(format!("{url}/v1/push")).body(request.body);
        for (k, v) in &request.headers {
            call = call.header(*k, v);
        }
        // A device refused for its rate is answered before its body is read,
        // and the server may close the connection on the rest of it.
        let code = match call.send().await {
            Ok(r) if r.status() == 200 => "stored".to_owned(),
            Ok(r) => match r.bytes().await {
                Ok(answer) => code_of(&answer),
                Err(_) => "closed".to_owned(),
            },
            Err(_) => "closed".to_owned(),
        };
        *outcomes.entry(code).or_default() += 1;
    }
    outcomes
}

/// `rounds` honest syncs, each carrying one change; their durations.
async fn honest(d: &Device, case: &str, rounds: usize) -> Vec<Duration> {
    let mut times = Vec::new();
    for i in 0..rounds {
        d.note(case, &format!("paso {i}"));
        let t = Instant::now();
        let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(report.sent, 1);
        // A device syncs now and then; this keeps it under its own rate limit.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    times
}

fn summary(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() * 9 / 10]))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    println!(
        "| backend | honest sync alone (median / p90) | beside the hostile device (median / p90) | ratio of medians | hostile requests and answers |"
    );
    println!("|---|---|---|---|---|");
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start_limited(
            repo,
            "127.0.0.1:0".parse().unwrap(),
            senda_server::limits::Limits::new(20, 100),
        )
        .await;
        let org = server.keyed_organisation("Equipo").await;
        let honest_device = server.field_device(&org, "t").await;
        let hostile_code = server.code(&org, "t").await;
        let (case, _) = honest_device.refer("Sol", SHELTER);
        honest_device
            .client
            .sync(&honest_device.vault, |_| {})
            .await
            .unwrap();

        let mut alone = honest(&honest_device, &case, rounds).await;
        // The hostile device on a thread and runtime of its own, as another client would be.
        let stop = Arc::new(AtomicBool::new(false));
        let (ready, started) = std::sync::mpsc::channel();
        let attack = std::thread::spawn({
            let (url, stop) = (server.url(), stop.clone());
            move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .thread_name("hostile")
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let d = device(0);
                    d.enrol(&url, &hostile_code).await;
                    ready.send(()).unwrap();
                    hostile(&url, &d, &stop).await
                })
            }
        });
        started.recv().unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut beside = honest(&honest_device, &case, rounds).await;
        stop.store(true, Ordering::Relaxed);
        let outcomes = attack.join().unwrap();

        let (a50, a90) = summary(&mut alone);
        let (b50, b90) = summary(&mut beside);
        let answers: Vec<String> = outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "| {backend} | {a50:.0} / {a90:.0} ms | {b50:.0} / {b90:.0} ms | {:.2}× | {} |",
            b50 / a50,
            answers.join(", ")
        );
    }
}
