//! One misbehaving device must not cost anyone else's work (issue #12, M10),
//! on SQLite and PostgreSQL: a hostile device tries each abuse while an
//! honest device of the same organisation syncs normally. Also the listing
//! pages (M5), the sender's transitions (L5), keys (L4, L9), the admin gate
//! and cheap refusals (L1), and retire against compromised (M4).

mod common;

use common::*;
use senda_protocol::{
    IncomingPage, KeysResponse, MAX_OPS_PER_PUSH, Op, PROTOCOL_VERSION, PageRequest, SealedFields,
    decode, encode,
};
use senda_server::store::Quotas;
use serde_json::json;

const SHELTER: &str = "svc-alojamiento-cucuta";

const QUOTAS: Quotas = Quotas {
    max_parked: 40,
    parked_days: 30,
    device_bytes: 300_000,
};

fn op(seq: i64, entity_id: &str, base: i64, payload: serde_json::Value) -> Op {
    Op {
        op_id: format!("h-{entity_id}-{seq}"),
        seq,
        hlc: "000001700000000.000000".into(),
        entity: "case".into(),
        entity_id: entity_id.into(),
        case_id: entity_id.into(),
        op: if base == 0 { "create" } else { "update" }.into(),
        base_version: base,
        version: base + 1,
        payload,
        sealed: Default::default(),
        sealed_summary: None,
    }
}

/// Sealed fields (the server cannot open them): `fields` ids of `id_len`
/// bytes with their hashes, and a box of `bytes`.
fn sealed(fields: u8, id_len: usize, bytes: usize) -> SealedFields {
    SealedFields {
        check: vec![5; 16],
        hashes: (0..fields).map(|i| (vec![i; id_len], vec![4; 8])).collect(),
        ct: vec![3; bytes],
    }
}

/// One ordinary change by the honest device, and its sync: it must get through.
async fn honest_sync(d: &Device, case: &str, round: usize) {
    d.note(case, &format!("paso {round}"));
    let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!(report.sent, 1, "round {round}: the honest change left");
}

fn raw_request(payload: serde_json::Value) -> Vec<u8> {
    // An op as the wire has it: an array, in `Op`'s field order.
    encode(&json!({ "protocol": PROTOCOL_VERSION, "ops": [[
        "x1", 1, "h", "case", "c1", "c1", "create", 0, 1, payload, null, null,
    ]]}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_device_is_refused_each_way_while_an_honest_one_syncs() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo.with_quotas(QUOTAS)).await;
        let org = server.keyed_organisation("Equipo").await;
        let honest = server.field_device(&org, "t").await;
        let hostile = server.field_device(&org, "t").await;
        let hostile_id = hostile.identity().device_id;
        let (case, _) = honest.refer("Sol", SHELTER);
        honest.client.sync(&honest.vault, |_| {}).await.unwrap();
        let stored = server.repo.op_count().await.unwrap();
        let mut round = 0;

        // 1. Size, depth and shape: refused while decoding or before storing.
        for (payload, status, code) in [
            (json!(vec![0; 200_000]), 413, "over-limit"),
            (
                json!({ "a": { "b": { "c": { "d": "e" } } } }),
                413,
                "over-limit",
            ),
            (json!({ "country": "x".repeat(40_000) }), 413, "over-limit"),
            (json!({ "country": { "x": 1 } }), 400, "bad-operation"),
            (json!(["CO"]), 400, "unsealed-field"),
            (
                json!({ "country": "CO", "week": [1] }),
                400,
                "bad-operation",
            ),
        ] {
            assert_eq!(
                raw_push(&server, &hostile, raw_request(payload)).await,
                (status, code.to_owned()),
                "{backend}"
            );
            round += 1;
            honest_sync(&honest, &case, round).await;
        }
        let mut foreign = op(1, "c2", 0, json!(null));
        foreign.entity = "audit".into();
        let mut misnamed = op(2, "c3", 0, json!(null));
        misnamed.sealed = sealed(1, 7, 32);
        let mut oversized = op(3, "c4", 0, json!(null));
        oversized.sealed = sealed(1, 8, 80 * 1024);
        for bad in [foreign, oversized] {
            assert_eq!(
                push_ops(&server, &hostile, vec![bad]).await,
                (400, "bad-operation".to_owned()),
                "{backend}"
            );
        }
        // A field id that is not one (the casework's are 8 bytes): refused while decoding.
        assert_eq!(
            push_ops(&server, &hostile, vec![misnamed]).await,
            (400, "malformed".to_owned()),
            "{backend}"
        );
        assert_eq!(server.repo.op_count().await.unwrap(), stored + round as i64);

        // 2. Ops whose base never arrives: only so many may wait.
        let parked = |from: i64| -> Vec<Op> {
            (from..from + 30)
                .map(|i| {
                    op(
                        100 + i,
                        &format!("never-{i}"),
                        5,
                        json!({ "country": "CO" }),
                    )
                })
                .collect()
        };
        assert_eq!(
            push_ops(&server, &hostile, parked(0)).await.0,
            200,
            "{backend}"
        );
        assert_eq!(
            push_ops(&server, &hostile, parked(30)).await,
            (409, "too-many-waiting".to_owned()),
            "{backend}: past the cap the push is refused whole"
        );
        let (_, _, waiting) = server.repo.device_usage(hostile_id.clone()).await.unwrap();
        assert_eq!(waiting, 30, "{backend}");
        round += 1;
        honest_sync(&honest, &case, round).await;
        // They age out: set aside (kept, never retried), and the device may park again.
        let later = chrono::Utc::now() + chrono::Duration::days(QUOTAS.parked_days + 1);
        assert_eq!(server.repo.age_out_parked(later).await.unwrap(), 30);
        let (_, _, waiting) = server.repo.device_usage(hostile_id.clone()).await.unwrap();
        assert_eq!(waiting, 0, "{backend}");

        // 3. A push retries only the records it touched, whoever parked on them:
        //    the honest device's late creation releases the hostile device's edit.
        assert_eq!(
            push_ops(
                &server,
                &hostile,
                vec![op(500, "shared", 1, json!({ "week": "2026-W49" }))]
            )
            .await
            .0,
            200
        );
        assert_eq!(
            server.repo.entity_fields("shared".into()).await.unwrap(),
            None
        );
        assert_eq!(
            push_ops(
                &server,
                &honest,
                vec![op(900, "shared", 0, json!({ "country": "PE" }))]
            )
            .await
            .0,
            200
        );
        assert_eq!(
            server.repo.entity_fields("shared".into()).await.unwrap(),
            Some(json!({ "country": "PE", "week": "2026-W49" })),
            "{backend}"
        );

        // 4. A push of the most records at once: stored, without PostgreSQL
        //    holding a lock per record (it runs alone behind the gate instead).
        let alone = senda_server::metrics::TRANSACTIONS_ALONE.get();
        let wide: Vec<Op> = (0..MAX_OPS_PER_PUSH as i64)
            .map(|i| op(2000 + i, &format!("wide-{i}"), 0, json!(null)))
            .collect();
        assert_eq!(push_ops(&server, &hostile, wide).await.0, 200, "{backend}");
        if backend == "postgres" {
            assert!(senda_server::metrics::TRANSACTIONS_ALONE.get() > alone);
        }
        round += 1;
        honest_sync(&honest, &case, round).await;

        // 5. The storage quota: large (well-formed) ops until it is used up.
        let mut refused = None;
        for i in 0..40 {
            let mut big = op(1000 + i, &format!("big-{i}"), 0, json!(null));
            big.sealed = sealed(0, 8, 16 * 1024);
            let (status, code) = push_ops(&server, &hostile, vec![big]).await;
            if status != 200 {
                refused = Some((i, status, code));
                break;
            }
        }
        let (i, status, code) = refused.expect("the quota stops a flood");
        assert_eq!(
            (status, code.as_str()),
            (413, "quota-exceeded"),
            "{backend}"
        );
        assert!(i < 20, "{backend}: refused after {i} large ops");
        let (bytes, _, _) = server.repo.device_usage(hostile_id).await.unwrap();
        assert!(bytes <= QUOTAS.device_bytes, "{backend}: {bytes}");
        round += 1;
        honest_sync(&honest, &case, round).await;
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_come_in_pages_and_leave_closed_referrals_out() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let sender = server.keyed_organisation("Equipo").await;
        let receiver = server.organisation("Refugio").await;
        server.receiver(&receiver, SHELTER).await;
        // More routes than one page holds; the real service sorts after them.
        let filler = senda_protocol::MAX_PAGE_ITEMS + 5;
        for i in 0..filler {
            server
                .repo
                .route_service(format!("aaa-{i:05}"), receiver.clone())
                .await
                .unwrap();
        }
        let field = server.field_device(&sender, "t").await;
        let (status, body) = signed(&server.url(), &field, "/v1/keys", Vec::new()).await;
        assert_eq!(status, 200);
        let first: KeysResponse = decode(&body).unwrap();
        assert_eq!(
            first.routes.len(),
            senda_protocol::MAX_PAGE_ITEMS,
            "{backend}"
        );
        let next = first.next.clone().expect("more pages");
        let body = encode(&PageRequest { cursor: Some(next) });
        let (_, body) = signed(&server.url(), &field, "/v1/keys", body).await;
        let second: KeysResponse = decode(&body).unwrap();
        assert_eq!(second.routes.len(), 6, "{backend}");
        assert_eq!(second.routes.last().unwrap().service_id, SHELTER);
        assert_eq!(second.next, None);

        // The device follows the pages: the shelter's key (page 2) seals the summary.
        let (_, referral) = field.refer("Luz", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let shelter = server.device_in(&receiver, "recepcion").await;
        let list = shelter.client.incoming(&shelter.vault).await.unwrap();
        assert_eq!(list.len(), 1, "{backend}");
        assert_eq!(
            list[0].summary_problem, None,
            "{backend}: sealed with page 2's key"
        );

        // A closed referral is no longer listed.
        for to in ["received", "accepted", "closed"] {
            let path = format!("/v1/referrals/{referral}/status");
            let body = encode(&json!({ "status": to }));
            assert_eq!(signed(&server.url(), &shelter, &path, body).await.0, 204);
        }
        let (_, body) = signed(
            &server.url(),
            &shelter,
            "/v1/referrals/incoming",
            Vec::new(),
        )
        .await;
        let page: IncomingPage = decode(&body).unwrap();
        assert!(page.referrals.is_empty(), "{backend}: {page:?}");
        server.stop().await;
    }
}

/// More open referrals than one page holds reach the receiving device whole:
/// it follows `/v1/referrals/incoming` page by page (M5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_follows_the_pages_of_its_incoming_referrals() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let sender = server.keyed_organisation("Equipo").await;
    let receiver = server.organisation("Refugio").await;
    server.receiver(&receiver, SHELTER).await;
    let shelter = server.device_in(&receiver, "recepcion").await;
    // Referrals that earlier syncs sent, written straight into the server's table.
    let n = senda_protocol::MAX_PAGE_ITEMS + 7;
    {
        let mut db = rusqlite::Connection::open(dir.path().join("server.db")).unwrap();
        let tx = db.transaction().unwrap();
        for i in 0..n {
            tx.execute(
                "INSERT INTO referrals (id, code, service_id, sender_org, sender_team, receiver_org, status, summary, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 't', ?5, 'sent', 'null', '2026-12-01T00:00:00Z')",
                rusqlite::params![format!("{i:032x}"), format!("SND-{i:05}"), SHELTER, sender, receiver],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let list = shelter.client.incoming(&shelter.vault).await.unwrap();
    let ids: std::collections::BTreeSet<_> = list.iter().map(|r| r.id.as_str()).collect();
    assert_eq!((list.len(), ids.len()), (n, n), "each once, all of them");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_moves_its_referral_only_along_its_own_transitions() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let sender = server.keyed_organisation("Equipo").await;
        let receiver = server.organisation("Refugio").await;
        server.receiver(&receiver, SHELTER).await;
        let field = server.field_device(&sender, "t").await;
        let (case, referral) = field.refer("Luz", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let shelter = server.device_in(&receiver, "recepcion").await;
        let status_of = || async {
            let (_, body) = signed(
                &server.url(),
                &shelter,
                "/v1/referrals/incoming",
                Vec::new(),
            )
            .await;
            let page: IncomingPage = decode(&body).unwrap();
            page.referrals.first().map(|r| r.status.clone())
        };
        assert_eq!(status_of().await.as_deref(), Some("sent"));
        // The sender claims the receiver's "accepted": stored, but the referral stays sent.
        let mut claim = op(5000, &referral, 2, json!({ "status": "accepted" }));
        claim.entity = "referral".into();
        claim.case_id = case.clone();
        assert_eq!(push_ops(&server, &field, vec![claim]).await.0, 200);
        assert_eq!(status_of().await.as_deref(), Some("sent"), "{backend}");
        // Withdrawing is the sender's own move: the referral leaves the list.
        let mut withdraw = op(5001, &referral, 3, json!({ "status": "withdrawn" }));
        withdraw.entity = "referral".into();
        withdraw.case_id = case.clone();
        assert_eq!(push_ops(&server, &field, vec![withdraw]).await.0, 200);
        assert_eq!(status_of().await, None, "{backend}");
        // A withdrawn referral stays withdrawn: queueing it again (which would
        // send it) is not a step from a closed state.
        let mut reopen = op(5002, &referral, 4, json!({ "status": "queued" }));
        reopen.entity = "referral".into();
        reopen.case_id = case;
        assert_eq!(push_ops(&server, &field, vec![reopen]).await.0, 200);
        assert_eq!(status_of().await, None, "{backend}: reopened");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_canonical_and_one_bad_device_never_stops_grants() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let org = server.keyed_organisation("Equipo").await;
    let request = |public_key: String, box_key: String, code: String| {
        encode(&senda_protocol::EnrolRequest {
            protocol: PROTOCOL_VERSION,
            code,
            public_key,
            box_key,
            device_name: "x".into(),
        })
    };
    let good_box = senda_protocol::BoxSecret::generate().public_hex();
    let ed = "ab".repeat(32);
    for (public_key, box_key, status, code) in [
        // Uppercase hex is not canonical (L9).
        ("AB".repeat(32), good_box.clone(), 400, "bad-public-key"),
        (ed.clone(), good_box.to_uppercase(), 400, "bad-public-key"),
        // A low-order X25519 key (L4).
        (ed.clone(), "00".repeat(32), 400, "bad-public-key"),
    ] {
        let body = request(public_key, box_key, server.code(&org, "t").await);
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/enrol", server.url()))
            .body(body)
            .send()
            .await
            .unwrap();
        let got = resp.status().as_u16();
        assert_eq!(
            (got, code_of(&resp.bytes().await.unwrap()).as_str()),
            (status, code)
        );
    }
    // A device whose box key went bad in the database (an older server let
    // such keys in) is skipped; the others are granted.
    let first = server.waiting_device_in(&org, "t").await;
    let second = server.waiting_device_in(&org, "t").await;
    let conn = rusqlite::Connection::open(dir.path().join("server.db")).unwrap();
    conn.execute(
        "UPDATE device_box_keys SET public_key = ?1 WHERE device_id = ?2",
        ["00".repeat(32), first.identity().device_id],
    )
    .unwrap();
    drop(conn);
    // The administrator names both (by the fingerprints the server lists).
    assert_eq!(server.grant(&org).await, 1);
    let still: Vec<_> = server
        .awaiting_key(&org)
        .await
        .iter()
        .map(|d| d["device_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(still, vec![first.identity().device_id]);
    let report = second.client.sync(&second.vault, |_| {}).await.unwrap();
    assert_eq!(report.key_problem, None, "the second device got its key");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_token_comes_first_and_strangers_are_refused_cheaply() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_limited(
        sqlite(dir.path()),
        "127.0.0.1:0".parse().unwrap(),
        senda_server::limits::Limits::new(1000, 1000).with_enrolment_per_ip(3),
    )
    .await;
    // Without the token, a body is never read: not even a broken one is looked at.
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/admin/organisations", server.url()))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(code_of(&resp.bytes().await.unwrap()), "not-admin");
    // A signed request from a device id the server never made.
    let org = server.keyed_organisation("Equipo").await;
    let d = server.field_device(&org, "t").await;
    let mut request = {
        let mut v = d.vault.lock().unwrap();
        v.casework().unwrap().sign("/v1/keys", Vec::new()).unwrap()
    };
    // The device makes one request of its own first.
    assert_eq!(
        signed(&server.url(), &d, "/v1/keys", Vec::new()).await.0,
        200
    );
    for id in ["ABCDEF".repeat(5) + "AB", "0".repeat(32)] {
        request.headers[0].1 = id.clone();
        let (status, body) = send(&server.url(), &request).await;
        assert_eq!(
            (status, code_of(&body).as_str()),
            (401, "unknown-device"),
            "{id}"
        );
    }
    // Many unknown ids from one address (all clients share one behind a
    // proxy) are then refused without a lookup, but a device this server
    // has already seen sign is still looked up and served.
    for i in 0..30u32 {
        request.headers[0].1 = format!("{:032x}", 0xdead_0000u32 + i);
        assert_eq!(send(&server.url(), &request).await.0, 401);
    }
    assert_eq!(
        signed(&server.url(), &d, "/v1/keys", Vec::new()).await.0,
        200
    );
    // Such refusals come before the body is read: an answer whose body was
    // read is signed (`sign_answers`), these are not.
    for id in ["0".repeat(32), format!("{:032x}", 0xfeed_0000u32)] {
        request.headers[0].1 = id.clone();
        let mut call = reqwest::Client::new()
            .post(format!("{}{}", server.url(), request.path))
            .body(request.body.clone());
        for (k, v) in &request.headers {
            call = call.header(*k, v);
        }
        let resp = call.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 401, "{id}");
        assert!(
            resp.headers()
                .get(senda_protocol::HEADER_SERVER_SIGNATURE)
                .is_none(),
            "{id}: refused before its body was read"
        );
    }
    // One address (this test enrolled one device above) enrols only so many devices a minute, codes good or bad.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let body = encode(&senda_protocol::EnrolRequest {
            protocol: PROTOCOL_VERSION,
            code: "NOPE".into(),
            public_key: "ab".repeat(32),
            box_key: senda_protocol::BoxSecret::generate().public_hex(),
            device_name: "x".into(),
        });
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/enrol", server.url()))
            .body(body)
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [403, 403, 429, 429, 429]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retired_device_sends_what_it_holds_before_it_wipes() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let org = server.keyed_organisation("Equipo").await;
        // Retired: its casework reaches the server, then it wipes.
        let retired = server.field_device(&org, "t").await;
        retired.refer("Sol", SHELTER);
        let waiting = retired.ready() as i64;
        assert!(waiting > 0);
        let before = server.repo.op_count().await.unwrap();
        let id = retired.identity().device_id;
        server
            .admin(&format!("/v1/admin/devices/{id}/retire"), json!({}))
            .await;
        let err = retired
            .client
            .sync(&retired.vault, |_| {})
            .await
            .unwrap_err();
        assert_eq!(err, senda_core::sync::SyncError::Revoked, "{backend}");
        assert_eq!(
            server.repo.op_count().await.unwrap(),
            before + waiting,
            "{backend}: everything it held was stored first"
        );
        assert_eq!(
            retired.vault.lock().unwrap().status().unwrap().state,
            senda_core::VaultState::NotCreated,
            "{backend}"
        );
        // Compromised: refused at once; what it held never arrives.
        let stolen = server.field_device(&org, "t").await;
        stolen.refer("Luz", SHELTER);
        let before = server.repo.op_count().await.unwrap();
        let id = stolen.identity().device_id;
        server
            .admin(&format!("/v1/admin/devices/{id}/revoke"), json!({}))
            .await;
        let err = stolen.client.sync(&stolen.vault, |_| {}).await.unwrap_err();
        assert_eq!(err, senda_core::sync::SyncError::Revoked, "{backend}");
        assert_eq!(server.repo.op_count().await.unwrap(), before, "{backend}");
        // Neither can be retired or revoked again.
        let (status, _) = server
            .try_admin(&format!("/v1/admin/devices/{id}/retire"), json!({}))
            .await;
        assert_eq!(status, 404);

        // A device being retired is never handed the organisation's keys:
        // it is not listed as waiting, and a grant to it is refused.
        let leaving = server.waiting_device_in(&org, "t").await;
        let id = leaving.identity().device_id;
        let listed =
            |waiting: Vec<serde_json::Value>| waiting.iter().any(|w| w["device_id"] == id.as_str());
        assert!(listed(server.awaiting_key(&org).await), "{backend}");
        server
            .admin(&format!("/v1/admin/devices/{id}/retire"), json!({}))
            .await;
        assert!(!listed(server.awaiting_key(&org).await), "{backend}");
        assert_eq!(server.admit(&org, &leaving).await, 0, "{backend}");
        server.stop().await;
    }
}
