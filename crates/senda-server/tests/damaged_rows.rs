//! A damaged stored row is a typed error when it is read, never skipped or
//! read as a default (review point 4: "server reads fail loudly").

use senda_protocol::ReferralStatus;
use senda_server::store::{Device, Repo, SqliteStore, StoreError};
use std::path::Path;

async fn setup(dir: &Path) -> (Repo, Device, rusqlite::Connection) {
    let db = dir.join("server.db");
    let repo = Repo::new(SqliteStore::open(&db).unwrap());
    let org = repo.create_organisation("Red".into()).await.unwrap();
    let device = Device {
        id: "device-1".into(),
        organisation: org.id,
        team: "cucuta".into(),
        public_key: String::new(),
        revoked: false,
        retiring: false,
    };
    (repo, device, rusqlite::Connection::open(db).unwrap())
}

fn damaged_column(e: StoreError) -> &'static str {
    match e {
        StoreError::Damaged { column, .. } => column,
        other => panic!("expected a damaged-row error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_change_that_does_not_decode_stops_the_pull() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, device, db) = setup(dir.path()).await;
    db.execute(
        "INSERT INTO changes (organisation_id, team, kind, body, at) VALUES (?1, NULL, 'v1', '{\"truncated', '2026-12-03T00:00:00Z')",
        [&device.organisation],
    )
    .unwrap();
    // Before, the change was dropped and the cursor moved past it.
    let e = repo.pull(device, 0, 100).await.unwrap_err();
    assert_eq!(damaged_column(e), "changes.body");
}

#[tokio::test]
async fn a_damaged_summary_or_status_is_reported_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, device, db) = setup(dir.path()).await;
    db.execute(
        "INSERT INTO referrals (id, code, service_id, sender_org, sender_team, receiver_org, status, summary, updated_at)
         VALUES ('ref-1', 'R-1', 'svc', 'other-org', 'team', ?1, 'queued', 'not json', '2026-12-03T00:00:00Z')",
        [&device.organisation],
    )
    .unwrap();
    // Before, the summary came back as null.
    let e = repo
        .incoming_referrals(device.clone(), None)
        .await
        .unwrap_err();
    assert_eq!(damaged_column(e), "referrals.summary");

    db.execute(
        "UPDATE referrals SET summary = 'null', status = 'lost-in-transit' WHERE id = 'ref-1'",
        [],
    )
    .unwrap();
    // Before, an unknown status was read as a draft.
    let e = repo
        .set_referral_status(device, "ref-1".into(), ReferralStatus::Received)
        .await
        .unwrap_err();
    assert_eq!(damaged_column(e), "referrals.status");
}
