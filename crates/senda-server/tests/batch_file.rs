//! Sync without a network: a device's batch file, carried on a USB stick,
//! imported by the server with the same idempotency as a push, on both backends.

mod common;

use common::*;
use senda_core::casework::{DeliveryState, ReferralStatus};

const SHELTER: &str = "svc-alojamiento-cucuta";

async fn import(server: &TestServer, file: &[u8]) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/admin/import", server.url()))
        .bearer_auth(ADMIN)
        .body(file.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, answer_of(&resp.bytes().await.unwrap()))
}

/// Exports the device's ready rows to a file, as the app does, and reads it back.
fn export(d: &Device) -> (Vec<u8>, usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut v = d.vault.lock().unwrap();
    let exported = v
        .casework()
        .unwrap()
        .export_batch(dir.path())
        .unwrap()
        .unwrap();
    assert!(exported.file.ends_with(".sendabatch"), "{}", exported.file);
    (std::fs::read(&exported.file).unwrap(), exported.ops)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_file_is_stored_once_and_confirmed_at_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let network = server.organisation("Red").await;
        server.receiver(&network, SHELTER).await;
        let field = server.field_device(&team, "t").await;
        // Keys come with an online contact; the shift itself has none.
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let (_, referral) = field.refer("Luz", SHELTER);
        let ready = field.ready();

        let (file, n) = export(&field);
        assert_eq!(n, ready, "{backend}");
        assert!(
            field
                .states()
                .iter()
                .all(|(s, _)| *s == DeliveryState::Exported)
        );
        // Nothing readable on the stick.
        assert!(!String::from_utf8_lossy(&file).contains("Luz"));
        assert!(!String::from_utf8_lossy(&file).contains(SUMMARY_NOTE));

        let (status, report) = import(&server, &file).await;
        assert_eq!(status, 200, "{backend}: {report}");
        assert_eq!(report["stored"], ready, "{backend}");
        assert_eq!(server.repo.op_count().await.unwrap() as usize, ready);
        // Again: acknowledged, not stored twice.
        let (status, _) = import(&server, &file).await;
        assert_eq!(status, 200);
        assert_eq!(server.repo.op_count().await.unwrap() as usize, ready);
        assert!(!server.repo.holds_text(SUMMARY_NOTE.into()).await.unwrap());

        // The next online sync confirms every row and stores nothing new.
        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(report.sent, ready, "{backend}");
        assert_eq!(field.ready(), 0);
        assert_eq!(server.repo.op_count().await.unwrap() as usize, ready);
        assert_eq!(field.referral_status(&referral), ReferralStatus::Sent);
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_foreign_or_revoked_batch_file_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let field = server.field_device(&team, "t").await;
        field.refer("Sol", SHELTER);
        let (file, _) = export(&field);

        // Half-written (cut anywhere), altered, or not a batch file at all.
        for cut in [0, 8, 40, file.len() / 2, file.len() - 1] {
            let (status, body) = import(&server, &file[..cut]).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (400, Some("bad-batch-file")),
                "{backend}: cut {cut}"
            );
        }
        let mut altered = file.clone();
        let i = altered.len() - 10;
        altered[i] ^= 0x01;
        assert_eq!(import(&server, &altered).await.0, 400);

        // Sealed for another server.
        let other_dir = dir.path().join(format!("other-{backend}"));
        std::fs::create_dir_all(&other_dir).unwrap();
        let other = TestServer::start(sqlite(&other_dir)).await;
        assert_eq!(import(&other, &file).await.0, 400);
        other.stop().await;

        // A push inside that the device did not sign.
        let secret = server.repo.server_box_secret().await.unwrap();
        let mut pushes = senda_protocol::batch::read(&file, &secret).unwrap();
        pushes[0].body.push(0);
        let forged = senda_protocol::batch::write(&secret.public_hex(), &pushes).unwrap();
        let (status, body) = import(&server, &forged).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("bad-signature")),
            "{backend}"
        );

        // From a revoked device.
        let device_id = field.identity().device_id;
        server.repo.revoke_device(device_id).await.unwrap();
        let (status, body) = import(&server, &file).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("device-revoked")),
            "{backend}"
        );

        assert_eq!(
            server.repo.op_count().await.unwrap(),
            0,
            "{backend}: nothing stored"
        );
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_that_cannot_be_written_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let team = server.keyed_organisation("Equipo").await;
    let field = server.field_device(&team, "t").await;
    field.refer("Sol", SHELTER);
    let before = field.states();

    // The "stick" is not a folder that can be written (a file stands in its place).
    let stick = dir.path().join("stick");
    std::fs::write(&stick, b"not a folder").unwrap();
    let err = {
        let mut v = field.vault.lock().unwrap();
        v.casework()
            .unwrap()
            .export_batch(&stick.join("senda"))
            .unwrap_err()
    };
    assert_eq!(err.code(), "export-failed", "{err}");
    assert_eq!(field.states(), before, "rows stay as they were");
    assert!(
        before.iter().all(|(s, _)| *s == DeliveryState::Pending),
        "{before:?}"
    );

    // A folder that can be written: one whole file, no part file left behind.
    let out = dir.path().join("out");
    let exported = {
        let mut v = field.vault.lock().unwrap();
        v.casework().unwrap().export_batch(&out).unwrap().unwrap()
    };
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(exported.file.ends_with(&names[0]));
    assert!(names[0].ends_with(".sendabatch"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_exported_before_its_receiver_was_known_follows_at_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let network = server.organisation("Red").await;
        let field = server.field_device(&team, "t").await;
        let (_, referral) = field.refer("Sol", SHELTER);
        let ready = field.ready();
        let (file, _) = export(&field);
        assert_eq!(import(&server, &file).await.0, 200, "{backend}");
        let fields = server.repo.entity_fields(referral.clone()).await.unwrap();
        assert_eq!(fields.unwrap()["summary_withheld"], "no-receiver");

        server.receiver(&network, SHELTER).await;
        let shelter = server.device_in(&network, "a").await;

        // The exported rows are confirmed (not stored again) and the summary follows, sealed.
        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(report.sent, ready + 1, "{backend}");
        assert_eq!(server.repo.op_count().await.unwrap() as usize, ready + 1);
        let list = shelter.client.incoming(&shelter.vault).await.unwrap();
        assert_eq!(list[0].summary_problem, None, "{backend}");
        assert_eq!(list[0].summary.as_ref().unwrap().note, SUMMARY_NOTE);
        assert!(!server.repo.holds_text(SUMMARY_NOTE.into()).await.unwrap());
        server.stop().await;
    }
}

/// Whether the batch-file secret in the SQLite file `db` is a readable key.
fn batch_secret_readable(db: &std::path::Path) -> bool {
    let stored: String = rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT secret FROM server_keys WHERE purpose = 'batch'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    senda_protocol::BoxSecret::from_hex(&stored).is_ok()
}

/// A field device's batch file holding one referral, and how many ops it carries.
async fn exported_referral(server: &TestServer) -> (Vec<u8>, usize) {
    let team = server.keyed_organisation("Equipo").await;
    let field = server.field_device(&team, "t").await;
    field.client.sync(&field.vault, |_| {}).await.unwrap();
    field.refer("Luz", SHELTER);
    export(&field)
}

/// A thief with the server's database or a backup, without its key file,
/// opens no batch file; the server, started again with its key file, does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_alone_opens_no_batch_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let (file, n) = exported_referral(&server).await;
    server.stop().await;

    let db = dir.path().join("server.db");
    assert!(!batch_secret_readable(&db), "not readable");
    let thief = TestServer::start(senda_server::store::Repo::new(
        senda_server::store::SqliteStore::open(&db).unwrap(),
    ))
    .await;
    let (status, _) = import(&thief, &file).await;
    assert_eq!(status, 503, "the file does not open there");
    thief.stop().await;

    // The administrator's command reads the key file beside the database.
    let stick = dir.path().join("stick.sendabatch");
    std::fs::write(&stick, &file).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_senda-server"))
        .env("SENDA_SERVER_DB", &db)
        .env_remove("DATABASE_URL")
        .env_remove("SENDA_SIGNING_KEY_FILE")
        .args(["admin", "import"])
        .arg(&stick)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains(&format!("{n} operation(s) stored")),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = TestServer::start(sqlite(dir.path())).await;
    let (status, report) = import(&server, &file).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["stored"], n);
    server.stop().await;
}

/// A batch-file secret an earlier version stored readable is wrapped at its
/// first use, and the files sealed to it still open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readable_batch_secret_from_an_earlier_version_is_wrapped_and_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    drop(senda_server::store::SqliteStore::open(&db).unwrap());
    let earlier = senda_protocol::BoxSecret::generate();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO server_keys (purpose, secret, created_at) VALUES ('batch', ?1, '2026-11-01T00:00:00Z')",
            [earlier.to_hex().as_str()],
        )
        .unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let (file, n) = exported_referral(&server).await;
    let (status, report) = import(&server, &file).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["stored"], n);
    server.stop().await;
    assert!(!batch_secret_readable(&db), "wrapped now");
    // The file was sealed to the earlier secret, whose public key the device was given.
    assert!(senda_protocol::batch::read(&file, &earlier).is_ok());
}
