//! The server forgets (H4, M7): a withdrawn referral's sealed values and
//! summary (for the receiver too), a case whose consent to be kept on the
//! server was withdrawn, and an organisation's records once its retention
//! period has passed; a device that syncs an old copy later brings nothing back.

mod common;

use common::*;
use senda_core::casework::*;

const SHELTER: &str = "svc-alojamiento-cucuta";

fn consent_id(d: &Device, case_id: &str, purpose: &str) -> String {
    let mut v = d.vault.lock().unwrap();
    let cw = v.casework().unwrap();
    let consents = cw.consents(case_id).unwrap();
    let c = consents
        .iter()
        .find(|c| serde_json::to_value(c.purpose).unwrap() == purpose)
        .unwrap();
    c.id.clone()
}

/// A field device of one organisation whose referral to another
/// organisation's service is synced, and the receiver's device:
/// (field device, receiver, case id, referral id).
async fn referred(server: &TestServer) -> (Device, Device, String, String) {
    let team = server.keyed_organisation("Equipo").await;
    let red = server.keyed_organisation("Red").await;
    server.receiver(&red, SHELTER).await;
    let d = server.field_device(&team, "t").await;
    let receiver = server.field_device(&red, "r").await;
    let (case_id, referral_id) = d.refer("Sol", SHELTER);
    d.client.sync(&d.vault, |_| {}).await.unwrap();
    (d, receiver, case_id, referral_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawals_make_the_server_forget_for_the_receiver_too() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let b = repo.backend();
        let server = TestServer::start(repo).await;
        let (d, receiver, case_id, referral_id) = referred(&server).await;
        let repo = &server.repo;
        assert!(
            repo.sealed_held_for(referral_id.clone()).await.unwrap() > 0,
            "{b}"
        );
        let incoming = receiver.client.incoming(&receiver.vault).await.unwrap();
        assert!(incoming[0].summary.is_some(), "{b}: the receiver reads it");

        // The child withdraws the referral's consent: the referral is withdrawn.
        let referral_consent = consent_id(&d, &case_id, "referral");
        {
            let mut v = d.vault.lock().unwrap();
            v.casework()
                .unwrap()
                .withdraw_consent(&referral_consent)
                .unwrap();
        }
        d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(
            repo.sealed_held_for(referral_id.clone()).await.unwrap(),
            0,
            "{b}: the referral's sealed values are gone"
        );
        // Withdrawn is terminal: the receiver's listing leaves it out, summary and all.
        let incoming = receiver.client.incoming(&receiver.vault).await.unwrap();
        assert!(
            incoming.iter().all(|r| r.id != referral_id),
            "{b}: gone for the receiver"
        );
        // The case itself is still kept (its consent stands).
        assert!(
            repo.sealed_held_for(case_id.clone()).await.unwrap() > 0,
            "{b}"
        );

        // Then the consent to keep the case on the server: nothing sealed of it stays.
        let share = consent_id(&d, &case_id, "share-with-organisation");
        {
            let mut v = d.vault.lock().unwrap();
            v.casework().unwrap().withdraw_consent(&share).unwrap();
        }
        let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert!(report.sent > 0, "{b}: the withdrawal itself leaves");
        assert_eq!(
            repo.sealed_held_for(case_id.clone()).await.unwrap(),
            0,
            "{b}: the case's sealed values are gone"
        );
        // What routes and counts stays readable.
        let fields = repo.entity_fields(case_id.clone()).await.unwrap().unwrap();
        assert_eq!(fields["country"], "CO", "{b}");
        server.stop().await;
    }
}

/// A case kept on the server with no referral: (case id).
fn quiet_case(d: &Device, alias: &str) -> String {
    let mut v = d.vault.lock().unwrap();
    let cw = v.casework().unwrap();
    let details: CaseDetails =
        serde_json::from_value(serde_json::json!({ "alias": alias, "country": "CO" })).unwrap();
    let case = cw.open_case(details).unwrap();
    cw.record_consent(
        &case.id,
        consent(Purpose::ShareWithOrganisation, "organisation"),
    )
    .unwrap();
    case.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_purges_after_the_organisations_retention_and_nothing_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let b = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let red = server.keyed_organisation("Red").await;
        server.receiver(&red, SHELTER).await;
        let d = server.field_device(&team, "t").await;

        // The period is set on the server and reaches the devices at their next sync.
        let (status, answer) = server
            .try_admin(
                &format!("/v1/admin/organisations/{team}/retention"),
                serde_json::json!({ "days": 0 }),
            )
            .await;
        assert_eq!(
            (status, &answer["code"]),
            (400, &serde_json::json!("bad-retention"))
        );
        server
            .admin(
                &format!("/v1/admin/organisations/{team}/retention"),
                serde_json::json!({ "days": 7 }),
            )
            .await;
        d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(
            d.vault
                .lock()
                .unwrap()
                .casework()
                .unwrap()
                .retention_days()
                .unwrap(),
            7,
            "{b}: the device uses the server's period"
        );

        // A quiet case reaches the server in a batch file (its rows stay unsent on the
        // device, as when an answer is lost), and a case with an open referral online.
        let quiet = quiet_case(&d, "Luna");
        let usb = dir.path().join(format!("usb-{b}"));
        let exported = {
            let mut v = d.vault.lock().unwrap();
            v.casework().unwrap().export_batch(&usb).unwrap().unwrap()
        };
        let bytes = std::fs::read(&exported.file).unwrap();
        senda_server::import::import(&server.repo, &bytes)
            .await
            .unwrap();
        assert!(
            server
                .repo
                .entity_fields(quiet.clone())
                .await
                .unwrap()
                .is_some()
        );
        let (open_case, _) = d.refer("Sol", SHELTER);
        let ready_all = d.ready();
        let ready_open = ready_all - exported.ops;

        // Too early: nothing goes.
        let now = chrono::Utc::now();
        assert_eq!(server.repo.purge_expired(now).await.unwrap(), 0, "{b}");
        // Eight days on: the quiet case goes, everything of it.
        let later = now + chrono::Duration::days(8);
        assert_eq!(server.repo.purge_expired(later).await.unwrap(), 1, "{b}");
        assert_eq!(
            server.repo.entity_fields(quiet.clone()).await.unwrap(),
            None,
            "{b}"
        );
        assert_eq!(
            server.repo.sealed_held_for(quiet.clone()).await.unwrap(),
            0,
            "{b}"
        );
        let ops_after_purge = server.repo.op_count().await.unwrap();

        // The device still holds the quiet case's rows (exported, never acknowledged):
        // syncing them is acknowledged, and nothing of the purged case is stored again.
        let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(report.sent, ready_all, "{b}");
        assert_eq!(d.ready(), 0, "{b}: every row acknowledged");
        assert_eq!(
            server.repo.entity_fields(quiet.clone()).await.unwrap(),
            None,
            "{b}"
        );
        assert_eq!(
            server.repo.sealed_held_for(quiet.clone()).await.unwrap(),
            0,
            "{b}"
        );
        assert_eq!(
            server.repo.op_count().await.unwrap(),
            ops_after_purge + ready_open as i64,
            "{b}: only the other case's rows were stored"
        );
        // A case whose referral is still open is kept however old.
        let much_later = now + chrono::Duration::days(400);
        assert_eq!(
            server.repo.purge_expired(much_later).await.unwrap(),
            0,
            "{b}"
        );
        assert!(
            server
                .repo
                .entity_fields(open_case)
                .await
                .unwrap()
                .is_some(),
            "{b}"
        );
        server.stop().await;
    }
}

#[test]
fn retention_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let admin = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_senda-server"))
            .env("SENDA_SERVER_DB", &db)
            .env_remove("DATABASE_URL")
            .arg("admin")
            .args(args)
            .output()
            .unwrap();
        let text = if out.status.success() {
            out.stdout
        } else {
            out.stderr
        };
        (
            out.status.success(),
            String::from_utf8_lossy(&text).trim().to_owned(),
        )
    };
    let (ok, org) = admin(&["create-org", "Equipo"]);
    assert!(ok, "{org}");
    assert_eq!(
        admin(&["set-retention", &org, "30"]),
        (true, format!("{org} keeps records 30 day(s)"))
    );
    let (ok, err) = admin(&["set-retention", &org, "0"]);
    assert!(!ok && err.contains("1 to 365"), "{err}");
    let (ok, err) = admin(&["set-retention", "nowhere", "30"]);
    assert!(!ok && err.contains("no such organisation"), "{err}");
    assert_eq!(admin(&["purge"]), (true, "0 case(s) purged".to_owned()));
}

/// A push reads and seals each batch while the one before is on its way; a
/// consent withdrawn after a batch was sealed and before it leaves must still
/// stop that batch's rows of the case (the adversary is time: a staff member
/// acting mid-sync).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_withdrawn_while_a_batch_is_on_its_way_stops_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let team = server.keyed_organisation("Equipo").await;
    let red = server.keyed_organisation("Red").await;
    server.receiver(&red, SHELTER).await;
    let d = server.field_device(&team, "t").await;
    // More than two batches (200 rows each) before the second case's rows.
    let (first, _) = d.refer("Sol", SHELTER);
    for i in 0..400 {
        d.note(&first, &format!("nota {i}"));
    }
    let (second, _) = d.refer("Luz", SHELTER);
    let share = consent_id(&d, &second, "share-with-organisation");
    let withdrawn = std::sync::atomic::AtomicBool::new(false);
    d.client
        .sync(&d.vault, |p| {
            // The first batch stored, the second on its way, the third sealed
            // and held back: two pushes are on their way at most (`IN_FLIGHT`).
            if p.phase == "push" && !withdrawn.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let mut v = d.vault.lock().unwrap();
                v.casework().unwrap().withdraw_consent(&share).unwrap();
            }
        })
        .await
        .unwrap();
    assert!(withdrawn.into_inner());
    assert!(server.repo.entity_fields(first).await.unwrap().is_some());
    assert_eq!(
        server.repo.entity_fields(second).await.unwrap(),
        None,
        "the second case never reached the server"
    );
    server.stop().await;
}

/// One push a case from `other`, each a new screening of it with a sealed
/// value: run all at once beside what forgets those cases. Returns each status.
async fn screenings_pushed_into(server: &TestServer, other: &Device, cases: &[String]) -> Vec<u16> {
    use senda_protocol::{Op, PROTOCOL_VERSION, PushRequest, encode, fields::SealedFields};
    let pushes = cases.iter().enumerate().map(|(i, case)| {
        let op = Op {
            op_id: format!("other-{i}"),
            seq: i as i64 + 1,
            hlc: format!("{:015}.000000", 1_790_000_000_000i64 + i as i64),
            entity: "screening".into(),
            entity_id: format!("other-screening-{i}"),
            case_id: case.clone(),
            op: "create".into(),
            base_version: 0,
            version: 1,
            payload: serde_json::json!({}),
            sealed: SealedFields {
                check: vec![5; 16],
                hashes: Default::default(),
                ct: vec![3; 64],
            },
            sealed_summary: None,
        };
        let body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: vec![op],
        });
        let url = server.url();
        async move { signed(&url, other, "/v1/push", body).await.0 }
    });
    futures_util::future::join_all(pushes).await
}

const RACED_CASES: usize = 40;

/// A device with `RACED_CASES` cases kept on the server, synced, and a
/// second device of its team.
async fn cases_and_another_device(server: &TestServer) -> (Device, Device, Vec<String>) {
    let team = server.keyed_organisation("Equipo").await;
    let d = server.field_device(&team, "t").await;
    let other = server.field_device(&team, "t").await;
    let cases: Vec<String> = (0..RACED_CASES)
        .map(|i| quiet_case(&d, &format!("c{i}")))
        .collect();
    d.client.sync(&d.vault, |_| {}).await.unwrap();
    (d, other, cases)
}

/// Nothing sealed of any of `cases` is left on the server.
async fn nothing_sealed_of(server: &TestServer, cases: &[String], b: &str) {
    for case in cases {
        assert_eq!(
            server.repo.sealed_held_for(case.clone()).await.unwrap(),
            0,
            "{b}: a sealed value of a forgotten case stayed"
        );
    }
}

/// Another device's records pushed into cases while their consent to be kept
/// on the server is withdrawn, at the same moment: whichever lands first,
/// nothing sealed of those cases stays. (On PostgreSQL pushes run under
/// snapshot isolation; a push holds the locks of the cases it touches, so a
/// withdrawal and a push into the same case never run side by side.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_pushed_into_a_case_while_its_consent_is_withdrawn_are_forgotten_too() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let b = repo.backend();
        let server = TestServer::start(repo).await;
        let (d, other, cases) = cases_and_another_device(&server).await;
        for case in &cases {
            let share = consent_id(&d, case, "share-with-organisation");
            let mut v = d.vault.lock().unwrap();
            v.casework().unwrap().withdraw_consent(&share).unwrap();
        }
        let (withdrawn, statuses) = tokio::join!(
            d.client.sync(&d.vault, |_| {}),
            screenings_pushed_into(&server, &other, &cases)
        );
        assert!(withdrawn.unwrap().sent >= RACED_CASES, "{b}");
        assert!(statuses.iter().all(|s| *s == 200), "{b}: {statuses:?}");
        nothing_sealed_of(&server, &cases, b).await;
        server.stop().await;
    }
}

/// The retention purge while another device pushes into the cases it
/// purges: nothing of them stays. (On PostgreSQL the purge, like every
/// writer but a push, runs alone: no push reads the cases as it deletes them.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_pushed_into_a_case_while_it_is_purged_are_purged_too() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let b = repo.backend();
        let server = TestServer::start(repo).await;
        let (d, other, cases) = cases_and_another_device(&server).await;
        let org = d.identity().organisation;
        server.repo.set_retention(org, 7).await.unwrap();
        let much_later = chrono::Utc::now() + chrono::Duration::days(30);
        let (purged, statuses) = tokio::join!(
            server.repo.purge_expired(much_later),
            screenings_pushed_into(&server, &other, &cases)
        );
        assert!(purged.unwrap() > 0, "{b}");
        assert!(statuses.iter().all(|s| *s == 200), "{b}: {statuses:?}");
        // What landed before the purge went with it; what came after was not kept.
        nothing_sealed_of(&server, &cases, b).await;
        server.stop().await;
    }
}

fn update_op(op_id: &str, entity: &str, entity_id: &str, case_id: &str) -> senda_protocol::Op {
    senda_protocol::Op {
        op_id: op_id.into(),
        seq: 1,
        hlc: "001790000000000.000000".into(),
        entity: entity.into(),
        entity_id: entity_id.into(),
        case_id: case_id.into(),
        op: "update".into(),
        base_version: 1,
        version: 2,
        payload: serde_json::json!({}),
        sealed: Default::default(),
        sealed_summary: None,
    }
}

/// The receiving organisation's device knows the referral's id: ending it
/// from there changes nothing of the sender's (its summary stays for the
/// receiver; only the sender withdraws).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organisations_device_cannot_make_the_server_forget_a_referral() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let b = repo.backend();
        let server = TestServer::start(repo).await;
        let (_, receiver, _, referral_id) = referred(&server).await;
        let before = server
            .repo
            .sealed_held_for(referral_id.clone())
            .await
            .unwrap();
        let mut op = update_op("evil-1", "referral", &referral_id, &referral_id);
        op.payload = serde_json::json!({ "status": "withdrawn" });
        push_ops(&server, &receiver, vec![op]).await;
        assert_eq!(
            server
                .repo
                .sealed_held_for(referral_id.clone())
                .await
                .unwrap(),
            before,
            "{b}"
        );
        let incoming = receiver.client.incoming(&receiver.vault).await.unwrap();
        assert!(
            incoming
                .iter()
                .any(|r| r.id == referral_id && r.summary.is_some()),
            "{b}: the receiver still reads the summary"
        );
        server.stop().await;
    }
}

/// A device of the same organisation sends a change to a forgotten case's
/// record naming another case (so that no lock, tombstone or count of the
/// real case applies): the push is refused whole and nothing sealed returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_op_naming_another_case_than_its_records_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let b = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let d = server.field_device(&team, "t").await;
        let other = server.field_device(&team, "t").await;
        let case_id = quiet_case(&d, "x");
        d.client.sync(&d.vault, |_| {}).await.unwrap();
        let share = consent_id(&d, &case_id, "share-with-organisation");
        {
            let mut v = d.vault.lock().unwrap();
            v.casework().unwrap().withdraw_consent(&share).unwrap();
        }
        d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(
            server.repo.sealed_held_for(case_id.clone()).await.unwrap(),
            0
        );
        let mut op = update_op("lying-1", "case", &case_id, "not-the-case");
        op.sealed = senda_protocol::fields::SealedFields {
            check: vec![5; 16],
            hashes: [(vec![7u8; 8], vec![9u8; 8])].into_iter().collect(),
            ct: vec![3; 64],
        };
        assert_eq!(
            push_ops(&server, &other, vec![op]).await,
            (400, "bad-operation".to_owned()),
            "{b}"
        );
        assert_eq!(
            server.repo.sealed_held_for(case_id.clone()).await.unwrap(),
            0,
            "{b}: a sealed value came back into a forgotten case"
        );
        server.stop().await;
    }
}

/// A device of another organisation that learnt a case's or a referral's id
/// (a former staff member, say) puts a consent of its own into that case, or
/// under the referral, to withdraw it and have the server forget (or later
/// purge) what is not its organisation's: refused whole, nothing forgotten.
/// And one op sent twice in a push (a second copy would be acted on
/// unchecked) is refused too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_cannot_put_records_into_another_organisations_case() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let b = repo.backend();
        let server = TestServer::start(repo).await;
        let (_, receiver, case_id, referral_id) = referred(&server).await;
        let held = |id: &String| server.repo.sealed_held_for(id.clone());
        let (case_before, referral_before) = (
            held(&case_id).await.unwrap(),
            held(&referral_id).await.unwrap(),
        );
        for (i, target) in [&case_id, &referral_id].into_iter().enumerate() {
            let mut create = update_op(
                &format!("own-consent-{i}"),
                "consent",
                &format!("own-{i}"),
                target,
            );
            (create.op, create.base_version, create.version) = ("create".into(), 0, 1);
            create.payload = serde_json::json!({ "purpose": "share-with-organisation" });
            let mut withdraw = update_op(
                &format!("withdraw-{i}"),
                "consent",
                &format!("own-{i}"),
                target,
            );
            (withdraw.op, withdraw.seq) = ("withdraw".into(), 2);
            assert_eq!(
                push_ops(&server, &receiver, vec![create, withdraw]).await,
                (400, "bad-operation".to_owned()),
                "{b}: a record in {target}"
            );
        }
        assert_eq!(held(&case_id).await.unwrap(), case_before, "{b}");
        assert_eq!(held(&referral_id).await.unwrap(), referral_before, "{b}");
        let twice = update_op("twice", "case", "own-case", "own-case");
        assert_eq!(
            push_ops(&server, &receiver, vec![twice.clone(), twice]).await,
            (400, "bad-operation".to_owned()),
            "{b}"
        );
        server.stop().await;
    }
}

/// The receiving organisation sees a referral's id: unlike the ids of cases
/// and changes, it is not time-ordered (a UUIDv7 begins with its time in
/// milliseconds, 48 bits), so it tells nothing of when the child was interviewed.
#[test]
fn referral_ids_tell_the_receiver_nothing_of_when_they_were_made() {
    let d = senda_testkit::device(0);
    let (cases, referrals): (Vec<String>, Vec<String>) =
        (0..20).map(|i| d.refer(&format!("n{i}"), SHELTER)).unzip();
    // What the first 48 bits of ids made within a minute spread over.
    let spread = |ids: &[String]| {
        let first: Vec<u64> = ids
            .iter()
            .map(|id| u64::from_str_radix(&id[..12], 16).unwrap())
            .collect();
        first.iter().max().unwrap() - first.iter().min().unwrap()
    };
    assert!(spread(&cases) < 60_000, "case ids carry their time");
    // 20 random 48-bit values all within 10^9 of each other: about 10^-80.
    assert!(
        spread(&referrals) > 1_000_000_000,
        "referral ids carry no time"
    );
}

/// An acknowledgement that arrives after the case's consent to leave was
/// withdrawn (the rows left before) marks none of that case's rows sent:
/// they stay on the device, held, and the rows consent still lets go are
/// marked as usual (ARCHITECTURE, "Push").
#[test]
fn rows_acknowledged_after_their_consent_was_withdrawn_stay_held() {
    let d = senda_testkit::device(0);
    let (case_id, _) = d.refer("Sol", "svc-alojamiento-cucuta");
    let left: Vec<String> = {
        let mut v = d.vault.lock().unwrap();
        let cw = v.casework().unwrap();
        cw.outbox_pending(1000)
            .unwrap()
            .into_iter()
            .map(|e| e.op_id)
            .collect()
    };
    let share = consent_id(&d, &case_id, "share-with-organisation");
    let mut v = d.vault.lock().unwrap();
    let cw = v.casework().unwrap();
    cw.withdraw_consent(&share).unwrap();
    let marked = cw.outbox_mark_sent(&left).unwrap();
    let unsent: Vec<_> = cw
        .outbox_pending(1000)
        .unwrap()
        .into_iter()
        .filter(|e| left.contains(&e.op_id))
        .collect();
    assert!(!unsent.is_empty(), "the case's rows are not marked sent");
    assert!(
        unsent.iter().all(|e| e.state == DeliveryState::Held),
        "{:?}",
        unsent.iter().map(|e| e.state).collect::<Vec<_>>()
    );
    assert_eq!(marked + unsent.len(), left.len(), "the others are marked");
    assert!(marked > 0, "the referral's rows still go");
}

/// A case that never got consent to leave the device is purged from it after
/// the retention period with its rows, and with the copies of them sealed as
/// they were written (a thief of the device later finds neither).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purged_case_leaves_no_sealed_copy_of_its_rows_on_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let team = server.keyed_organisation("Equipo").await;
    let d = server.field_device(&team, "t").await;
    let sealed_ahead = || {
        let mut v = d.vault.lock().unwrap();
        v.casework().unwrap().sealed_ahead().unwrap()
    };
    {
        let mut v = d.vault.lock().unwrap();
        let cw = v.casework().unwrap();
        let details: CaseDetails =
            serde_json::from_value(serde_json::json!({ "alias": "Luz Marina", "country": "CO" }))
                .unwrap();
        let case = cw.open_case(details).unwrap();
        cw.set_notes(
            &case.id,
            CaseNotes {
                needs: "agua".into(),
                ..CaseNotes::default()
            },
        )
        .unwrap();
        assert_eq!(
            cw.outbox_counts().unwrap().held,
            2,
            "no consent: both rows stay"
        );
    }
    assert_eq!(sealed_ahead(), 2, "each sealed as it was written");
    d.clock.advance(chrono::Duration::days(400));
    {
        let mut v = d.vault.lock().unwrap();
        let cw = v.casework().unwrap();
        assert_eq!(cw.purge_expired().unwrap().purged_cases, 1);
        assert_eq!(cw.outbox_counts().unwrap().unsent, 0);
    }
    assert_eq!(sealed_ahead(), 0, "the sealed copies went with their rows");
    server.stop().await;
}
