//! A console to drive from the browser test (ui/tests/console): a real server
//! on a free port over SQLite, a field organisation and a receiving one (with
//! its key and one routed service), eight referrals made and synced by a real
//! device (seven to the routed service, one to a service with no receiver), and
//! a first server administrator. Prints one JSON line, then obeys stdin:
//! `enrol CODE` (a new device enrols with the code and syncs), `sync` (that
//! device syncs again; prints `revoked` when the server refuses it) and
//! `worker-sync` (the first device syncs; prints the retention days and PIN
//! policy it now follows). Six referrals are accepted by the receiver's device.

use senda_server::limits::Limits;
use senda_server::store::{Repo, SqliteStore};
use senda_testkit::device;

const SHELTER: &str = "svc-alojamiento-cucuta";
const LEGAL: &str = "svc-legal-rumichaca";

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::new(SqliteStore::open(&dir.path().join("server.db")).unwrap());
    let server = senda_server::Server::bind_repo(
        "127.0.0.1:0".parse().unwrap(),
        repo.clone(),
        None,
        Limits::new(10_000, 1_000),
    )
    .await
    .unwrap();
    let url = format!("http://{}", server.local_addr());
    tokio::spawn(server.serve(std::future::pending()));

    let field = repo
        .create_organisation("Equipo de frontera".into())
        .await
        .unwrap()
        .id;
    let receiver = repo
        .create_organisation("Red de servicios".into())
        .await
        .unwrap()
        .id;
    // Each organisation's keys, signed by its admin key; each trusts the other.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let field_keys = senda_protocol::trust::OrgKeyFile::generate(&field, &now);
    let receiver_keys = senda_protocol::trust::OrgKeyFile::generate(&receiver, &now);
    for keys in [&field_keys, &receiver_keys] {
        repo.set_organisation_keys(
            keys.organisation.clone(),
            keys.admin_public(),
            keys.certificates(),
            false,
        )
        .await
        .unwrap();
    }
    repo.route_service(SHELTER.into(), receiver.clone())
        .await
        .unwrap();
    let services = [SHELTER.to_owned()];
    repo.trust_organisation(field_keys.trust(
        &receiver,
        &receiver_keys.admin_public(),
        &services,
        &now,
    ))
    .await
    .unwrap();
    repo.trust_organisation(receiver_keys.trust(&field, &field_keys.admin_public(), &[], &now))
        .await
        .unwrap();

    let code = repo
        .create_enrolment_code(field.clone(), "frontera".into(), 1)
        .await
        .unwrap();
    let worker = device(0);
    worker
        .enrol(&url, &format!("{code}.{}", field_keys.fingerprint()))
        .await;
    repo.grant_keys(&field_keys, &[worker.fingerprint()])
        .await
        .unwrap();
    // Its first sync opens the grant.
    worker.client.sync(&worker.vault, |_| {}).await.unwrap();
    let referrals: Vec<String> = (0..7)
        .map(|i| worker.refer(&format!("Niña {i}"), SHELTER).1)
        .collect();
    worker.refer("Niño", LEGAL);
    worker.client.sync(&worker.vault, |_| {}).await.unwrap();
    // The receiving organisation's device receives and accepts six (time to acceptance).
    let shelter = device(0);
    let code = repo
        .create_enrolment_code(receiver.clone(), "albergue".into(), 1)
        .await
        .unwrap();
    shelter.enrol(&url, &code).await;
    for id in &referrals[..6] {
        for to in [
            senda_core::casework::ReferralStatus::Received,
            senda_core::casework::ReferralStatus::Accepted,
        ] {
            shelter
                .client
                .set_incoming_status(&shelter.vault, id, to)
                .await
                .unwrap();
        }
    }

    let password = senda_server::console::create_admin(&repo, "admin".into())
        .await
        .unwrap();
    println!(
        "{}",
        serde_json::json!({ "url": url, "login": "admin", "password": password, "field": field, "receiver": receiver })
    );

    let mut enrolled = None;
    // Blocking stdin on its own thread; its lines come over a channel.
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = lines.recv().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["enrol", code] => {
                let d = device(0);
                d.enrol(&url, code).await;
                d.client.sync(&d.vault, |_| {}).await.unwrap();
                println!("enrolled {}", d.identity().device_id);
                enrolled = Some(d);
            }
            // The first device syncs and says which settings it now follows.
            ["worker-sync"] => {
                worker.client.sync(&worker.vault, |_| {}).await.unwrap();
                let mut v = worker.vault.lock().unwrap();
                let policy = v.status().unwrap().pin_policy;
                let days = v.casework().unwrap().retention_days().unwrap();
                println!(
                    "settings {days} {} {}",
                    policy.min_length, policy.letters_allowed
                );
            }
            ["sync"] => match &enrolled {
                Some(d) => match d.client.sync(&d.vault, |_| {}).await {
                    Ok(_) => println!("synced"),
                    Err(e) => println!("revoked {e}"),
                },
                None => println!("no device"),
            },
            _ => println!("unknown command"),
        }
    }
}
