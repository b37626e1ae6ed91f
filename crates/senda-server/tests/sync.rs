//! Sync end to end over HTTP, on SQLite and on PostgreSQL: enrolment, push,
//! pull, the receiving organisation's side, and every refusal.

mod common;

use common::*;
use senda_core::casework::{DeliveryState, ReferralStatus};
use senda_core::sync::SummaryProblem;
use senda_protocol::{PROTOCOL_VERSION, PushRequest, encode};

const SHELTER: &str = "svc-alojamiento-cucuta";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_reaches_the_receiver_and_its_outcome_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let sender = server.keyed_organisation("Equipo de frontera").await;
        let receiver = server.organisation("Red de albergues").await;
        server.receiver(&receiver, SHELTER).await;

        let field = server.field_device(&sender, "cucuta").await;
        let (_, referral) = field.refer("Luz", SHELTER);
        let ready = field.ready();
        assert!(ready >= 8, "{backend}: {ready}");

        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(report.sent, ready, "{backend}");
        assert_eq!(
            server.repo.op_count().await.unwrap() as usize,
            ready,
            "{backend}"
        );
        assert_eq!(
            field.referral_status(&referral),
            ReferralStatus::Sent,
            "{backend}"
        );

        // Syncing again sends nothing and stores nothing twice.
        let again = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(again.sent, 0);
        assert_eq!(server.repo.op_count().await.unwrap() as usize, ready);

        // The server holds the summary only sealed to the receiver: it cannot read it.
        let fields = server
            .repo
            .entity_fields(referral.clone())
            .await
            .unwrap()
            .unwrap();
        assert!(fields.get("summary").is_none(), "{backend}: {fields}");
        // Kept once, with its referral, not again in the referral's record.
        assert!(
            fields.get("sealed_summary").is_none(),
            "{backend}: {fields}"
        );
        let sealed = server.kept_summary(&referral).await;
        assert!(sealed["ct"].is_string(), "{backend}");
        assert!(
            !server.repo.holds_text(SUMMARY_NOTE.into()).await.unwrap(),
            "{backend}"
        );

        // The receiving organisation's device sees it (without the child's name) and answers.
        let shelter = server.waiting_device_in(&receiver, "albergue").await;
        // Until an administrator grants it the organisation's key, it cannot open the summary.
        let list = shelter.client.incoming(&shelter.vault).await.unwrap();
        assert_eq!(
            list[0].summary_problem,
            Some(SummaryProblem::NoOrganisationKey),
            "{backend}"
        );
        assert_eq!(server.grant(&receiver).await, 1);
        assert_eq!(server.grant(&receiver).await, 0, "granted once");
        let list = shelter.client.incoming(&shelter.vault).await.unwrap();
        assert_eq!(list[0].summary_problem, None, "{backend}");
        assert_eq!(
            list[0].summary.as_ref().unwrap().note,
            SUMMARY_NOTE,
            "{backend}"
        );
        let (status, body) = signed(
            &server.url(),
            &shelter,
            "/v1/referrals/incoming",
            Vec::new(),
        )
        .await;
        assert_eq!(status, 200, "{backend}");
        let page: senda_protocol::IncomingPage = senda_protocol::decode(&body).unwrap();
        assert_eq!((page.referrals.len(), page.next), (1, None));
        let incoming = page.referrals;
        assert_eq!(incoming[0].id, referral);
        assert!(incoming[0].code.starts_with("SND-"));
        // The summary arrives sealed, as CBOR byte strings (no hex text).
        assert!(incoming[0].summary.is_some());
        let ct = &incoming[0].summary.as_ref().unwrap().ct;
        assert!(!body.windows(32).any(|w| w == &ct.as_bytes()[..32]));
        for to in [ReferralStatus::Received, ReferralStatus::Accepted] {
            let path = format!("/v1/referrals/{referral}/status");
            let (status, _) = signed(
                &server.url(),
                &shelter,
                &path,
                encode(&serde_json::json!({ "status": to })),
            )
            .await;
            assert_eq!(status, 204, "{backend}");
        }
        // A jump the lifecycle does not allow is refused (service provided before first contact).
        let path = format!("/v1/referrals/{referral}/status");
        let (status, body) = signed(
            &server.url(),
            &shelter,
            &path,
            encode(&serde_json::json!({ "status": "service-provided" })),
        )
        .await;
        assert_eq!((status, code_of(&body).as_str()), (409, "bad-transition"));

        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(report.received, 2, "{backend}");
        assert_eq!(
            field.referral_status(&referral),
            ReferralStatus::Accepted,
            "{backend}"
        );

        // Another organisation cannot touch it.
        let stranger = server.field_device(&sender, "otra").await;
        let (status, body) = signed(
            &server.url(),
            &stranger,
            &path,
            encode(&serde_json::json!({ "status": "first-contact" })),
        )
        .await;
        assert_eq!(
            (status, code_of(&body).as_str()),
            (404, "no-such-referral"),
            "{backend}"
        );
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_4xx_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let org = server.keyed_organisation("Equipo").await;
        let d = server.field_device(&org, "t").await;
        d.refer("Sol", SHELTER);
        let url = server.url();
        let http = reqwest::Client::new();

        // Unsigned.
        let resp = http
            .post(format!("{url}/v1/push"))
            .body(vec![1, 2, 3])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{backend}");
        assert_eq!(code_of(&resp.bytes().await.unwrap()), "unsigned");

        // Signed garbage.
        let (status, body) = signed(&url, &d, "/v1/push", b"not cbor at all".to_vec()).await;
        assert_eq!(
            (status, code_of(&body).as_str()),
            (400, "malformed"),
            "{backend}"
        );

        // Oversized.
        let (status, _) = signed(
            &url,
            &d,
            "/v1/push",
            vec![0u8; senda_protocol::MAX_BODY_BYTES + 10],
        )
        .await;
        assert_eq!(status, 413, "{backend}");

        // Wrong signature: a valid request with its body swapped.
        let body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: Vec::new(),
        });
        let mut request = d
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .sign("/v1/push", body)
            .unwrap();
        request.body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: Vec::new(),
        })
        .into_iter()
        .chain([0])
        .collect();
        let (status, body) = send(&url, &request).await;
        assert_eq!(
            (status, code_of(&body).as_str()),
            (401, "bad-signature"),
            "{backend}"
        );

        // Replayed: the same signed request twice.
        let (request, _) = d
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .next_push(50)
            .unwrap()
            .unwrap();
        assert_eq!(send(&url, &request).await.0, 200);
        let (status, body) = send(&url, &request).await;
        assert_eq!(
            (status, code_of(&body).as_str()),
            (401, "replayed"),
            "{backend}"
        );
        let stored = server.repo.op_count().await.unwrap();

        // Wrong enrolment code; a used one.
        let other = device(0);
        let err = other
            .client
            .enrol(&other.vault, &url, "NOPE-NOPE", "x")
            .await
            .unwrap_err();
        assert!(
            matches!(err, senda_core::sync::SyncError::Refused { ref reason, .. } if reason == "bad-enrolment-code"),
            "{err:?}"
        );

        // Admin routes need the token.
        let resp = http
            .post(format!("{url}/v1/admin/organisations"))
            .json(&serde_json::json!({ "name": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);

        assert_eq!(
            server.repo.op_count().await.unwrap(),
            stored,
            "{backend}: refusals stored nothing"
        );
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_told_to_wipe_and_does() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let org = server.keyed_organisation("Equipo").await;
    let d = server.field_device(&org, "t").await;
    d.refer("Sol", SHELTER);
    let id = d.identity().device_id;
    server
        .admin(
            &format!("/v1/admin/devices/{id}/revoke"),
            serde_json::json!({}),
        )
        .await;
    let err = d.client.sync(&d.vault, |_| {}).await.unwrap_err();
    assert_eq!(err, senda_core::sync::SyncError::Revoked);
    let status = d.vault.lock().unwrap().status().unwrap();
    assert_eq!(
        status.state,
        senda_core::VaultState::NotCreated,
        "the vault was wiped"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_leaves_without_consent() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let org = server.keyed_organisation("Equipo").await;
    let d = server.field_device(&org, "t").await;
    {
        let mut v = d.vault.lock().unwrap();
        let details =
            serde_json::from_value(serde_json::json!({ "alias": "Ana", "country": "PE" })).unwrap();
        v.casework().unwrap().open_case(details).unwrap();
    }
    let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!((report.sent, report.held), (0, 1));
    assert_eq!(server.repo.op_count().await.unwrap(), 0);
    server.stop().await;
}

/// A server that lets each device make 2 requests a second (4 at once), and an organisation on it.
async fn slow_server(dir: &std::path::Path) -> (TestServer, String) {
    let server = TestServer::start_limited(
        sqlite(dir),
        "127.0.0.1:0".parse().unwrap(),
        senda_server::limits::Limits::new(2, 50),
    )
    .await;
    let org = server.keyed_organisation("Equipo").await;
    (server, org)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_device_is_slowed_down() {
    let dir = tempfile::tempdir().unwrap();
    let (server, org) = slow_server(dir.path()).await;
    let d = server.field_device(&org, "t").await;
    let mut limited = 0;
    for _ in 0..12 {
        let (status, body) = signed(&server.url(), &d, "/v1/pull", pull()).await;
        if status == 429 {
            assert_eq!(code_of(&body), "rate-limited");
            limited += 1;
        }
    }
    assert!(limited >= 6, "{limited} of 12 requests were slowed down");
    // The bucket is empty now: a sync that starts at once meets 429 and must
    // wait and retry (backoff long enough for the 2/s refill) instead of failing.
    let (status, _) = signed(&server.url(), &d, "/v1/pull", pull()).await;
    assert_eq!(status, 429, "the sync below starts against an empty bucket");
    senda_core::sync::SyncClient::new()
        .with_backoff(std::time::Duration::from_millis(250))
        .sync(&d.vault, |_| {})
        .await
        .expect("the client retries after 429");
    server.stop().await;
}

/// The body of a pull of the first 10 changes.
fn pull() -> Vec<u8> {
    encode(&senda_protocol::PullRequest {
        protocol: PROTOCOL_VERSION,
        cursor: 0,
        limit: 10,
    })
}

/// A pull in `d`'s name whose signature is not its key's: status and code,
/// and whether the answer is signed (its body was read: `sign_answers`).
async fn forged_pull(server: &TestServer, d: &Device) -> (u16, String, bool) {
    let mut request = {
        let mut v = d.vault.lock().unwrap();
        v.casework().unwrap().sign("/v1/pull", pull()).unwrap()
    };
    for (name, value) in &mut request.headers {
        if *name == senda_protocol::HEADER_SIGNATURE {
            *value = "00".repeat(64);
        }
    }
    let mut call = reqwest::Client::new()
        .post(format!("{}{}", server.url(), request.path))
        .body(request.body);
    for (k, v) in &request.headers {
        call = call.header(*k, v);
    }
    let resp = call.send().await.unwrap();
    let signed = resp
        .headers()
        .contains_key(senda_protocol::HEADER_SERVER_SIGNATURE);
    let status = resp.status().as_u16();
    (status, code_of(&resp.bytes().await.unwrap()), signed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_over_its_rate_is_refused_before_its_signature_is_checked_and_nobody_else_can_put_it_there()
 {
    let dir = tempfile::tempdir().unwrap();
    let (server, org) = slow_server(dir.path()).await;
    let flooding = server.field_device(&org, "t").await;
    let honest = server.field_device(&org, "t").await;
    // Setting up used some of its burst (4 at 2 a second): it fills again.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    // Requests in the honest device's name that its key did not sign are
    // refused for that, however many: they never use up its rate.
    for _ in 0..12 {
        assert_eq!(
            forged_pull(&server, &honest).await,
            (401, "bad-signature".into(), true)
        );
    }

    // Nor do copies of a request it signed, replayed by whoever caught one.
    let caught = {
        let mut v = honest.vault.lock().unwrap();
        v.casework().unwrap().sign("/v1/pull", pull()).unwrap()
    };
    assert_eq!(send(&server.url(), &caught).await.0, 200);
    for _ in 0..12 {
        let (status, answer) = send(&server.url(), &caught).await;
        assert_eq!((status, code_of(&answer)), (401, "replayed".into()));
    }
    for _ in 0..3 {
        let (status, _) = signed(&server.url(), &honest, "/v1/pull", pull()).await;
        assert_eq!(status, 200, "its burst is still its own");
    }
    // The flooding device's own requests, until its rate is spent.
    let mut refused = false;
    for _ in 0..12 {
        let (status, _) = signed(&server.url(), &flooding, "/v1/pull", pull()).await;
        refused |= status == 429;
    }
    assert!(refused, "the rate is spent");
    // Now it is refused before anything else is looked at, its signature
    // too, and before its body is read (the answer is not signed).
    assert_eq!(
        forged_pull(&server, &flooding).await,
        (429, "rate-limited".into(), false)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_edits_of_one_field_become_a_conflict_with_both_values() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let org = server.keyed_organisation("Equipo").await;
        let a = server.field_device(&org, "t").await;
        let b = server.field_device(&org, "t").await;
        let (case, _) = a.refer("Sol", SHELTER);
        a.client.sync(&a.vault, |_| {}).await.unwrap();
        let version = a
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .case(&case)
            .unwrap()
            .version;

        // A colleague's device changes the same note from the same base (sealed, as it would).
        let mut op = senda_protocol::Op {
            op_id: "colleague-op-1".into(),
            seq: 1,
            hlc: "000000000000001.000000".into(),
            entity: "case".into(),
            entity_id: case.clone(),
            case_id: case.clone(),
            op: "update".into(),
            base_version: version,
            version: version + 1,
            payload: serde_json::json!({ "notes": { "needs": "Ropa de abrigo" } }),
            sealed: Default::default(),
            sealed_summary: None,
        };
        senda_core::sync::seal_for_organisation(&mut op, &server.secret_of(&org), today()).unwrap();
        let body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: vec![op],
        });
        assert_eq!(signed(&server.url(), &b, "/v1/push", body).await.0, 200);

        a.note(&case, "Alojamiento");
        let report = a.client.sync(&a.vault, |_| {}).await.unwrap();
        assert_eq!(report.conflicts, 1, "{backend}");
        let conflicts = a
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .conflicts()
            .unwrap();
        assert_eq!(conflicts[0].field, "notes.needs");
        assert_eq!(
            (conflicts[0].theirs.as_str(), conflicts[0].ours.as_str()),
            ("\"Ropa de abrigo\"", "\"Alojamiento\"")
        );
        a.vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .resolve_conflict(conflicts[0].id)
            .unwrap();
        assert_eq!(
            a.vault
                .lock()
                .unwrap()
                .casework()
                .unwrap()
                .open_conflicts()
                .unwrap(),
            0
        );

        // The same value from the same base is no conflict: the keyed hashes agree.
        let mut same = op_for(&case, "colleague-op-2", version, "Ropa de abrigo");
        senda_core::sync::seal_for_organisation(&mut same, &server.secret_of(&org), today())
            .unwrap();
        let body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: vec![same],
        });
        assert_eq!(signed(&server.url(), &b, "/v1/push", body).await.0, 200);
        assert_eq!(server.repo.conflict_count().await.unwrap(), 1, "{backend}");

        // A device of another organisation cannot change the record at all.
        let other = server.keyed_organisation("Otra").await;
        let c = server.field_device(&other, "x").await;
        let mut op = senda_protocol::Op {
            op_id: "stranger-op-1".into(),
            seq: 1,
            hlc: "000000000000001.000000".into(),
            entity: "case".into(),
            entity_id: case.clone(),
            case_id: case.clone(),
            op: "update".into(),
            base_version: version + 2,
            version: version + 3,
            payload: serde_json::json!({ "notes": { "needs": "borrado" } }),
            sealed: Default::default(),
            sealed_summary: None,
        };
        senda_core::sync::seal_for_organisation(&mut op, &server.secret_of(&other), today())
            .unwrap();
        let body = encode(&PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: vec![op],
        });
        assert_eq!(signed(&server.url(), &c, "/v1/push", body).await.0, 200);
        let fields = server
            .repo
            .entity_fields(case.clone())
            .await
            .unwrap()
            .unwrap();
        // The server cannot read the note, but the record still holds the colleague's sealed value.
        let needs = senda_core::sync::field_key(&server.secret_of(&org), &case, "notes.needs");
        let kept = &fields[&needs];
        assert_eq!(
            kept["op"], "colleague-op-2",
            "{backend}: the stranger changed nothing: {kept}"
        );
        assert!(kept["$sealed"].is_string(), "{backend}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealing_keys_are_checked_and_a_summary_never_travels_readable() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let network = server.organisation("Red").await;
        let http = reqwest::Client::new();
        let admin = |path: String, body: serde_json::Value| {
            http.post(format!("{}{path}", server.url()))
                .bearer_auth(ADMIN)
                .json(&body)
                .send()
        };

        // No route to an organisation without a key; no key that is not one.
        let resp = admin(
            "/v1/admin/service-routes".into(),
            serde_json::json!({ "service_id": SHELTER, "organisation": network }),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 409, "{backend}");
        let resp = admin(
            format!("/v1/admin/organisations/{network}/key"),
            serde_json::json!({ "admin_key": "abcd", "certificates": [] }),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 400, "{backend}");

        // A referral to a service with no receiver leaves without its summary.
        let field = server.field_device(&team, "t").await;
        let (_, unrouted) = field.refer("Sol", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let fields = server.repo.entity_fields(unrouted).await.unwrap().unwrap();
        assert_eq!(fields["summary_withheld"], "no-receiver", "{backend}");
        assert!(!server.repo.holds_text(SUMMARY_NOTE.into()).await.unwrap());

        // A grant sealed to another key than the device's is refused.
        let secret = server.receiver(&network, SHELTER).await;
        let shelter = server.waiting_device_in(&network, "a").await;
        let waiting = server.awaiting_key(&network).await;
        let device_id = waiting[0]["device_id"].as_str().unwrap().to_owned();
        let stranger = senda_protocol::BoxSecret::generate();
        let sealed = senda_protocol::seal::seal(
            &stranger.public_hex(),
            secret.to_hex().as_bytes(),
            &senda_protocol::grant_aad(&device_id, &network),
        )
        .unwrap();
        let resp = admin(
            "/v1/admin/key-grants".into(),
            serde_json::json!({ "device_id": device_id, "sealed": sealed }),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 400, "{backend}");

        // A grant for another place (wrong associated data) reaches the device but does not
        // open: the sync goes on and says so, and no key is taken.
        let sealed = senda_protocol::seal::seal(
            waiting[0]["box_key"].as_str().unwrap(),
            secret.to_hex().as_bytes(),
            b"somewhere else",
        )
        .unwrap();
        let resp = admin(
            "/v1/admin/key-grants".into(),
            serde_json::json!({ "device_id": device_id, "sealed": sealed }),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 204, "{backend}");
        let report = shelter.client.sync(&shelter.vault, |_| {}).await.unwrap();
        assert_eq!(
            report.key_problem,
            Some("key-grant-unreadable"),
            "{backend}"
        );

        // The administrator's tool refuses a key file that is not the registered key's.
        let other_file = senda_protocol::trust::OrgKeyFile::generate(&network, &chrono_now());
        let err = server
            .repo
            .grant_keys(&other_file, &[shelter.fingerprint()])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("X25519"), "{err}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_withheld_for_want_of_a_receiver_follows_sealed_once_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let network = server.organisation("Red").await;
        let field = server.field_device(&team, "t").await;
        let (_, referral) = field.refer("Sol", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let fields = server.repo.entity_fields(referral.clone()).await.unwrap();
        assert_eq!(fields.unwrap()["summary_withheld"], "no-receiver");

        // The shelter joins Senda; its device gets the organisation's key.
        server.receiver(&network, SHELTER).await;
        let shelter = server.device_in(&network, "a").await;
        let list = shelter.client.incoming(&shelter.vault).await.unwrap();
        assert_eq!(
            list.len(),
            1,
            "{backend}: the referral reaches its receiver"
        );
        assert_eq!(
            list[0].summary_problem,
            Some(SummaryProblem::Withheld),
            "{backend}"
        );

        // The sending device learns the route at its next sync and sends the summary, sealed.
        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(report.sent, 1, "{backend}: the summary alone");
        let fields = server
            .repo
            .entity_fields(referral.clone())
            .await
            .unwrap()
            .unwrap();
        assert!(
            fields.get("summary_withheld").is_none(),
            "{backend}: {fields}"
        );
        // A summary that came after its referral is kept with it, not in the record.
        assert!(
            fields.get("sealed_summary").is_none(),
            "{backend}: {fields}"
        );
        let sealed = server.kept_summary(&referral).await;
        assert!(sealed["ct"].is_string(), "{backend}");
        assert!(!server.repo.holds_text(SUMMARY_NOTE.into()).await.unwrap());
        let list = shelter.client.incoming(&shelter.vault).await.unwrap();
        assert_eq!(list[0].summary_problem, None, "{backend}");
        assert_eq!(list[0].summary.as_ref().unwrap().note, SUMMARY_NOTE);

        // Once only.
        let again = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(again.sent, 0, "{backend}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_row_says_where_it_is_failed_with_its_reason_then_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let team = server.keyed_organisation("Equipo").await;
    let cut = PushCutter::start(server.addr).await;
    let field = device(0);
    field
        .enrol(&cut.url(), &server.code(&team, "t").await)
        .await;
    server.admit(&team, &field).await;
    field.client.sync(&field.vault, |_| {}).await.unwrap();
    field.refer("Luz", SHELTER);
    let ready = field.ready();
    assert!(
        field
            .states()
            .iter()
            .all(|(s, _)| *s == DeliveryState::Pending)
    );

    // Every push reaches the server but its answer is lost on the way back: the
    // sync fails, each row of the batch says why, nothing is lost.
    cut.cut(true);
    let err = field.client.sync(&field.vault, |_| {}).await.unwrap_err();
    assert!(
        matches!(err, senda_core::sync::SyncError::Offline { .. }),
        "{err:?}"
    );
    let states = field.states();
    assert_eq!(states.len(), ready);
    assert!(
        states
            .iter()
            .all(|(s, f)| *s == DeliveryState::Failed && f.as_deref() == Some("offline")),
        "{states:?}"
    );
    assert_eq!(server.repo.op_count().await.unwrap() as usize, ready);

    // The way back mends: the same rows go again, the server keeps one copy of each.
    cut.cut(false);
    let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
    assert_eq!(report.sent, ready);
    assert!(field.states().is_empty(), "every row sent");
    assert_eq!(server.repo.op_count().await.unwrap() as usize, ready);
    server.stop().await;
}

/// A proxy that lets every request through but, when told to, loses the
/// answer to each push after the server has stored it.
struct PushCutter {
    addr: std::net::SocketAddr,
    cutting: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl PushCutter {
    async fn start(to: std::net::SocketAddr) -> Self {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cutting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = cutting.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let cut = flag.load(Ordering::Relaxed);
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(to).await else {
                        return;
                    };
                    // Read the request line, then ask for one request per connection
                    // so that every request is seen here.
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n") {
                        if client.read_exact(&mut byte).await.is_err() {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let push = head.starts_with(b"POST /v1/push ");
                    head.extend_from_slice(b"connection: close\r\n");
                    if server.write_all(&head).await.is_err() {
                        return;
                    }
                    if cut && push {
                        // Deliver the request, wait for the server's answer, drop it.
                        let (mut cr, mut cw) = client.split();
                        let (mut sr, mut sw) = server.split();
                        let mut answer = [0u8; 1];
                        tokio::select! {
                            _ = tokio::io::copy(&mut cr, &mut sw) => {}
                            _ = sr.read(&mut answer) => {}
                        }
                        let _ = cw.shutdown().await;
                        return;
                    }
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        });
        Self { addr, cutting }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn cut(&self, on: bool) {
        self.cutting.store(on, std::sync::atomic::Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_content_pack_is_announced_to_every_device() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let d = server.field_device(&team, "t").await;
        let available = || {
            let mut v = d.vault.lock().unwrap();
            v.casework().unwrap().content_available().unwrap()
        };
        assert_eq!(available(), None);
        assert_eq!(
            server
                .repo
                .announce_content("senda-demo".into(), 3)
                .await
                .unwrap(),
            1
        );
        d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(available().map(|c| c.version), Some(3));
        // An older announcement never replaces a newer one.
        server
            .repo
            .announce_content("senda-demo".into(), 2)
            .await
            .unwrap();
        d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(
            available().map(|c| (c.publisher, c.version)),
            Some(("senda-demo".into(), 3))
        );
        server.stop().await;
    }
}

/// A malicious device of the same organisation sends, first, ops under the
/// ids of another device's queued rows. The server keeps its copies and
/// answers the honest device that it stored none of those rows: they are not
/// marked sent, each says "nothing-stored", and a batch of which nothing was
/// stored ends the sync with that reason instead of passing for delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_whose_ids_another_device_took_first_are_never_marked_sent() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let org = server.keyed_organisation("Equipo").await;
        let honest = server.field_device(&org, "t").await;
        let squatter = server.field_device(&org, "t").await;
        let (case, _) = honest.refer("Sol", SHELTER);
        let squat = |rows: Vec<senda_core::casework::OutboxEntry>| {
            let ops = rows
                .into_iter()
                .map(|row| {
                    let mut op = senda_protocol::Op::from(row);
                    senda_core::sync::seal_for_organisation(
                        &mut op,
                        &server.secret_of(&org),
                        today(),
                    )
                    .unwrap();
                    op
                })
                .collect();
            encode(&PushRequest {
                protocol: PROTOCOL_VERSION,
                ops,
            })
        };
        let ready = |d: &senda_testkit::Device| {
            d.vault
                .lock()
                .unwrap()
                .casework()
                .unwrap()
                .outbox_ready(1000)
                .unwrap()
        };

        // One row taken: the rest are sent, that one waits and says why.
        let first = ready(&honest).into_iter().take(1).collect();
        assert_eq!(
            signed(&server.url(), &squatter, "/v1/push", squat(first))
                .await
                .0,
            200
        );
        let report = honest.client.sync(&honest.vault, |_| {}).await.unwrap();
        let states = honest.states();
        assert_eq!(
            states,
            vec![(DeliveryState::Failed, Some("nothing-stored".into()))],
            "{backend}: only the taken row is unsent"
        );
        assert!(report.sent > 0, "{backend}");

        // Every row of a batch taken: the sync says nothing was stored.
        honest.note(&case, "Alojamiento");
        honest.note(&case, "Ropa");
        let rows: Vec<_> = ready(&honest)
            .into_iter()
            .filter(|r| r.failure.is_none())
            .collect();
        let taken = rows.len();
        assert_eq!(
            signed(&server.url(), &squatter, "/v1/push", squat(rows))
                .await
                .0,
            200
        );
        let err = honest.client.sync(&honest.vault, |_| {}).await.unwrap_err();
        assert!(
            matches!(&err, senda_core::sync::SyncError::Refused { reason, .. } if reason == "nothing-stored"),
            "{backend}: {err:?}"
        );
        let unsent = honest.states();
        assert_eq!(unsent.len(), taken + 1, "{backend}: nothing marked sent");
        assert!(
            unsent
                .iter()
                .all(|(_, f)| f.as_deref() == Some("nothing-stored")),
            "{backend}: {unsent:?}"
        );
        server.stop().await;
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A colleague's edit of a case's needs note, on `base`, before sealing.
fn op_for(case: &str, op_id: &str, base: i64, needs: &str) -> senda_protocol::Op {
    senda_protocol::Op {
        op_id: op_id.into(),
        seq: 2,
        hlc: "000000000000002.000000".into(),
        entity: "case".into(),
        entity_id: case.into(),
        case_id: case.into(),
        op: "update".into(),
        base_version: base,
        version: base + 1,
        payload: serde_json::json!({ "notes": { "needs": needs } }),
        sealed: Default::default(),
        sealed_summary: None,
    }
}
