//! Keys the server cannot forge, against a hostile server: the operator, who
//! controls the server and holds its answer-signing key, rewrites what devices
//! receive (a proxy in front of the real server that re-signs every answer
//! with that key, so the device's check of the server's signature passes).
//! Each attempt fails safe, and the device says why. Also the key hand-over a
//! person approves, and key rotation. What a network attacker without the key
//! can do (forged wipes, forged acknowledgements) is tests/transport.rs.

mod common;

use common::*;
use senda_core::casework::CaseError;
use senda_core::sync::{KeyTrustError, SyncError};
use senda_protocol::trust::{OrgKeyFile, membership};
use senda_protocol::{
    AwaitingKey, BoxSecret, HEADER_DEVICE, HEADER_NONCE, HEADER_SERVER_SIGNATURE, KeyBundle,
    KeysResponse, OrgSecret, PushRequest, PushResponse, answer_message, decode, encode,
};
use senda_server::store::Repo;
use std::sync::{Arc, Mutex};

const SHELTER: &str = "svc-alojamiento-cucuta";

/// Rewrites an answer, given the path and the request it answers.
type Tamper = Box<dyn FnMut(&str, &[u8], Vec<u8>) -> Vec<u8> + Send>;

/// The server as its operator runs it: relays to the real one, rewrites its
/// answers, and signs them again with the server's own answer key.
struct Hostile {
    addr: std::net::SocketAddr,
    tamper: Arc<Mutex<Tamper>>,
}

impl Hostile {
    async fn start(server: &TestServer) -> Self {
        let upstream = server.url();
        let repo: Repo = server.repo.clone();
        let tamper: Arc<Mutex<Tamper>> = Arc::new(Mutex::new(Box::new(|_, _, b| b)));
        let t = tamper.clone();
        let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
            let (t, upstream, repo) = (t.clone(), upstream.clone(), repo.clone());
            async move {
                let (parts, body) = req.into_parts();
                let bytes = axum::body::to_bytes(body, 8 << 20).await.unwrap();
                let mut call = reqwest::Client::new()
                    .post(format!("{upstream}{}", parts.uri.path()))
                    .body(bytes.to_vec());
                let header = |name: &str| {
                    parts
                        .headers
                        .get(name)
                        .map(|v| v.to_str().unwrap().to_owned())
                };
                for (k, v) in &parts.headers {
                    if k.as_str().starts_with("x-senda") || k.as_str() == "content-type" {
                        call = call.header(k.as_str(), v.to_str().unwrap());
                    }
                }
                let resp = call.send().await.unwrap();
                let status = resp.status().as_u16();
                let mut answer = resp.bytes().await.unwrap().to_vec();
                if status == 200 {
                    answer = (t.lock().unwrap())(parts.uri.path(), &bytes, answer);
                }
                let mut headers = axum::http::HeaderMap::new();
                if let (Some(device), Some(nonce)) = (header(HEADER_DEVICE), header(HEADER_NONCE)) {
                    let signature = repo.answer_key().sign(&answer_message(
                        &device,
                        parts.uri.path(),
                        &nonce,
                        &bytes,
                        status,
                        &answer,
                    ));
                    headers.insert(HEADER_SERVER_SIGNATURE, signature.parse().unwrap());
                }
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    headers,
                    answer,
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, tamper }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set(&self, mut f: impl FnMut(&str, Vec<u8>) -> Vec<u8> + Send + 'static) {
        *self.tamper.lock().unwrap() = Box::new(move |path, _, answer| f(path, answer));
    }

    fn set_with_request(&self, f: impl FnMut(&str, &[u8], Vec<u8>) -> Vec<u8> + Send + 'static) {
        *self.tamper.lock().unwrap() = Box::new(f);
    }

    /// Rewrites every `/v1/keys` answer.
    fn keys(&self, mut f: impl FnMut(&mut KeysResponse) + Send + 'static) {
        self.set(move |path, body| {
            if path != "/v1/keys" {
                return body;
            }
            let mut keys: KeysResponse = decode(&body).unwrap();
            f(&mut keys);
            encode(&keys)
        });
    }
}

/// A case that may be shared with the organisation, and `notes` changes to
/// it: that many outbox rows and two more, none of them a referral. Its id.
fn shared_case_with_notes(field: &Device, notes: usize) -> String {
    let case = {
        let mut v = field.vault.lock().unwrap();
        let cw = v.casework().unwrap();
        let details =
            serde_json::from_value(serde_json::json!({ "alias": "Mar", "country": "CO" })).unwrap();
        let case = cw.open_case(details).unwrap();
        cw.record_consent(
            &case.id,
            senda_testkit::consent(
                senda_core::casework::Purpose::ShareWithOrganisation,
                "organisation",
            ),
        )
        .unwrap();
        case.id
    };
    for i in 0..notes {
        field.note(&case, &format!("nota {i}"));
    }
    case
}

/// What a hostile server puts in its `/v1/keys` answers for `network`: its
/// operator's own keys, and its own word for the other organisations' trust.
/// Returns the rogue box key and the rewrite.
fn substitute_network_key(
    network: &str,
) -> (String, impl FnMut(&mut KeysResponse) + Clone + use<>) {
    let rogue = OrgKeyFile::generate(network, &now());
    let rogue_certs = rogue.certificates();
    let rogue_key = rogue_certs[0].box_key.clone();
    let rogue_trust = rogue.trust(network, &rogue.admin_public(), &[SHELTER.into()], &now());
    let (key, network) = (rogue_key.clone(), network.to_owned());
    let rewrite = move |k: &mut KeysResponse| {
        for r in &mut k.routes {
            r.public_key = key.clone();
        }
        k.certificates.retain(|c| c.organisation != network);
        k.certificates.extend(rogue_certs.clone());
        for t in &mut k.trust {
            if t.trusted == network {
                let mut forged = rogue_trust.clone();
                forged.organisation = t.organisation.clone();
                *t = forged;
            }
        }
    };
    (rogue_key, rewrite)
}

/// A device enrolled through `via` (so every answer it gets passes there),
/// pinned to `org`'s admin key.
async fn enrol_via(server: &TestServer, via: &str, org: &str, team: &str) -> Device {
    let d = device(0);
    d.enrol(via, &server.code(org, team).await).await;
    d
}

fn key_error(e: SyncError) -> KeyTrustError {
    match e {
        SyncError::Case(CaseError::KeyTrust(k)) => k,
        other => panic!("expected a key error, got {other:?}"),
    }
}

fn now() -> String {
    chrono_now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_hand_over_needs_a_person_who_checks_the_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.organisation("Equipo").await;
        let network = server.organisation("Red").await;
        server.receiver(&network, SHELTER).await;
        let first = server.device_in(&network, "a").await;
        let field = server.device_in(&team, "t").await;
        field.refer("Luz", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();

        // A new shelter device waits; a keyed colleague's sync hands it nothing by itself.
        let second = server.waiting_device_in(&network, "a").await;
        let report = first.client.sync(&first.vault, |_| {}).await.unwrap();
        assert_eq!(report.hand_overs, 1, "{backend}: it says one is waiting");
        assert_eq!(server.awaiting_key(&network).await.len(), 1, "{backend}");
        let list = second.client.incoming(&second.vault).await.unwrap();
        assert_eq!(
            list[0].summary_problem,
            Some(senda_core::sync::SummaryProblem::NoOrganisationKey)
        );
        let status = second
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .key_status()
            .unwrap();
        assert!(!status.holds_keys);
        assert_eq!(
            status.fingerprint.as_deref(),
            Some(second.fingerprint().as_str())
        );

        // The person sees the new device's name and the fingerprint it shows on its own screen.
        let offered = first.client.hand_overs(&first.vault).await.unwrap();
        assert_eq!(offered.len(), 1, "{backend}");
        assert_eq!(offered[0].name, "test device");
        assert_eq!(offered[0].fingerprint, second.fingerprint());

        // A fingerprint that does not match hands over nothing.
        let err = first
            .client
            .approve_hand_over(&first.vault, &offered[0].device_id, "0000-0000-0000")
            .await
            .unwrap_err();
        assert_eq!(key_error(err), KeyTrustError::HandOverFingerprintMismatch);
        assert_eq!(server.awaiting_key(&network).await.len(), 1, "{backend}");

        // The right one, confirmed: the new device opens the summary.
        first
            .client
            .approve_hand_over(&first.vault, &offered[0].device_id, &second.fingerprint())
            .await
            .unwrap();
        let list = second.client.incoming(&second.vault).await.unwrap();
        assert_eq!(list[0].summary_problem, None, "{backend}");
        assert_eq!(list[0].summary.as_ref().unwrap().note, SUMMARY_NOTE);

        // Refused: not offered again, and it never gets the key.
        let third = server.waiting_device_in(&network, "a").await;
        let third_id = third.identity().device_id;
        first
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .refuse_hand_over(&third_id)
            .unwrap();
        assert!(
            first
                .client
                .hand_overs(&first.vault)
                .await
                .unwrap()
                .is_empty()
        );
        let err = first
            .client
            .approve_hand_over(&first.vault, &third_id, &third.fingerprint())
            .await
            .unwrap_err();
        assert_eq!(key_error(err), KeyTrustError::HandOverNotWaiting);
        first.client.sync(&first.vault, |_| {}).await.unwrap();
        assert_eq!(server.awaiting_key(&network).await.len(), 1, "{backend}");
        let list = third.client.incoming(&third.vault).await.unwrap();
        assert_eq!(
            list[0].summary_problem,
            Some(senda_core::sync::SummaryProblem::NoOrganisationKey)
        );

        // Devices of other organisations are never listed, and cannot be granted to;
        // a device with no keys of its own passes nothing on.
        let (status, body) = signed(&server.url(), &field, "/v1/keys", Vec::new()).await;
        assert_eq!(status, 200);
        let keys: KeysResponse = decode(&body).unwrap();
        assert!(keys.awaiting.is_empty(), "{backend}");
        let stray = senda_protocol::KeyGrant {
            device_id: field.identity().device_id,
            sealed: senda_protocol::seal::seal(&BoxSecret::generate().public_hex(), b"x", b"y")
                .unwrap(),
        };
        let (status, body) = signed(
            &server.url(),
            &first,
            "/v1/keys/grants",
            encode(&vec![stray.clone()]),
        )
        .await;
        assert_eq!((status, code_of(&body).as_str()), (404, "no-such-device"));
        let (status, body) = signed(
            &server.url(),
            &third,
            "/v1/keys/grants",
            encode(&vec![stray]),
        )
        .await;
        assert_eq!(
            (status, code_of(&body).as_str()),
            (409, "no-organisation-key")
        );
        server.stop().await;
    }
}

/// A batch stored, and the next one cannot be sealed (its summary's receiver
/// key does not verify): the sync stops with that reason, and the answer to
/// the stored batch, which arrived meanwhile, is applied first. Its rows are
/// marked sent (and any conflict in it would be kept); they do not go again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_cannot_be_sealed_stops_the_sync_after_the_stored_one_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let (team, network, hostile) = team_and_receiver_behind_hostile(&server).await;
        let (_, substitute) = substitute_network_key(&network);
        hostile.keys(substitute);
        let field = enrol_via(&server, &hostile.url(), &team, "t").await;
        server.admit(&team, &field).await;

        // A first batch of a case's notes, then a referral whose summary cannot be sealed.
        shared_case_with_notes(&field, 250);
        field.refer("Luz", SHELTER);
        let ready = field.ready();
        let err = field.client.sync(&field.vault, |_| {}).await.unwrap_err();
        assert_eq!(
            key_error(err),
            KeyTrustError::ReceiverKeyUnverified {
                service: SHELTER.into()
            },
            "{backend}"
        );
        assert_eq!(server.repo.op_count().await.unwrap(), 200, "{backend}");
        assert_eq!(
            field.ready(),
            ready - 200,
            "{backend}: the stored batch is marked sent"
        );
        server.stop().await;
    }
}

/// A keyed field organisation, a receiving one for `SHELTER`, and a hostile
/// server in front of the real one: (team, network, hostile).
async fn team_and_receiver_behind_hostile(server: &TestServer) -> (String, String, Hostile) {
    let team = server.organisation("Equipo").await;
    let network = server.organisation("Red").await;
    server.org_keys(&team).await;
    server.receiver(&network, SHELTER).await;
    (team, network, Hostile::start(server).await)
}

/// A hostile server answers the first of two pushes "stored" for every row
/// the device holds, and the second with nonsense: only the first push's rows
/// are marked sent; the second's stay, to go at the next sync. The two pushes
/// are on their way at once, so the hostile server tells them apart by what
/// they carry, not by the order their answers pass it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_marks_sent_only_rows_of_its_own_push() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.organisation("Equipo").await;
        server.org_keys(&team).await;
        let hostile = Hostile::start(&server).await;
        let field = enrol_via(&server, &hostile.url(), &team, "t").await;
        server.admit(&team, &field).await;
        shared_case_with_notes(&field, 250);
        let every: Vec<String> = {
            let mut v = field.vault.lock().unwrap();
            let cw = v.casework().unwrap();
            cw.outbox_ready(1000)
                .unwrap()
                .into_iter()
                .map(|r| r.op_id)
                .collect()
        };
        let ready = every.len();
        hostile.set_with_request(move |path, request, body| {
            if path != "/v1/push" {
                return body;
            }
            let push: PushRequest = decode(request).unwrap();
            if push.ops.iter().all(|op| op.op_id != every[0]) {
                return b"nonsense".to_vec();
            }
            let mut answer: PushResponse = decode(&body).unwrap();
            answer.stored = every.clone();
            answer.stored_all = false;
            encode(&answer)
        });
        let err = field.client.sync(&field.vault, |_| {}).await.unwrap_err();
        assert!(
            matches!(&err, SyncError::Refused { reason, .. } if reason == "malformed-answer"),
            "{backend}: {err:?}"
        );
        assert_eq!(
            field.ready(),
            ready - 200,
            "{backend}: the second push's rows wait"
        );
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_substituted_receiver_key_gets_nothing_sealed_to_it() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let (team, network, hostile) = team_and_receiver_behind_hostile(&server).await;
        let (rogue_key, substitute) = substitute_network_key(&network);
        hostile.keys(substitute.clone());
        let field = enrol_via(&server, &hostile.url(), &team, "t").await;
        server.admit(&team, &field).await;

        // Never having seen the network's real key, the device seals nothing: the rows wait.
        field.refer("Luz", SHELTER);
        let ready = field.ready();
        let err = field.client.sync(&field.vault, |_| {}).await.unwrap_err();
        assert_eq!(
            key_error(err),
            KeyTrustError::ReceiverKeyUnverified {
                service: SHELTER.into()
            },
            "{backend}"
        );
        assert_eq!(field.ready(), ready, "{backend}: every row still waits");
        assert_eq!(
            server.repo.op_count().await.unwrap(),
            0,
            "nothing marked sent"
        );

        // Once the server stops lying, the same rows leave, sealed to the real key.
        hostile.set(|_, b| b);
        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!((report.sent, report.refused_keys), (ready, 0), "{backend}");

        // A device that knows the real key keeps sealing to it, and says it refused the other.
        hostile.keys(substitute);
        let (_, second) = field.refer("Sol", SHELTER);
        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert!(report.refused_keys > 0, "{backend}: {report:?}");
        let sealed = server.kept_summary(&second).await;
        let to = sealed["to"].as_str().unwrap();
        assert_ne!(to, rogue_key, "{backend}");
        let real = server.keys.lock().unwrap()[&network].certificates()[0]
            .box_key
            .clone();
        assert_eq!(to, real, "{backend}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rogue_device_or_a_planted_summary_fails_safe() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let (team, network, hostile) = team_and_receiver_behind_hostile(&server).await;
        let first = enrol_via(&server, &hostile.url(), &network, "a").await;
        server.admit(&network, &first).await;
        let second = enrol_via(&server, &hostile.url(), &network, "a").await;
        let second_id = second.identity().device_id;

        // The server lists a rogue device under the same name, and swaps the real
        // new device's box key for its own: neither shows the fingerprint the new device shows.
        let rogue_box = BoxSecret::generate().public_hex();
        let rogue_signing = "ab".repeat(32);
        {
            let (rogue_box, rogue_signing, second_id) =
                (rogue_box.clone(), rogue_signing.clone(), second_id.clone());
            hostile.keys(move |k| {
                for a in &mut k.awaiting {
                    if a.device_id == second_id {
                        a.box_key = rogue_box.clone();
                    }
                }
                k.awaiting.push(AwaitingKey {
                    device_id: "rogue".into(),
                    box_key: rogue_box.clone(),
                    name: "test device".into(),
                    public_key: rogue_signing.clone(),
                });
            });
        }
        let offered = first.client.hand_overs(&first.vault).await.unwrap();
        assert_eq!(offered.len(), 2, "{backend}");
        assert!(
            offered
                .iter()
                .all(|o| o.fingerprint != second.fingerprint())
        );
        for id in [second_id.as_str(), "rogue"] {
            let err = first
                .client
                .approve_hand_over(&first.vault, id, &second.fingerprint())
                .await
                .unwrap_err();
            assert_eq!(key_error(err), KeyTrustError::HandOverFingerprintMismatch);
        }
        assert_eq!(
            server.awaiting_key(&network).await.len(),
            1,
            "nothing granted"
        );

        // A summary the server plants, sealed to the network's real key.
        hostile.set(|_, b| b);
        let field = server.device_in(&team, "t").await;
        let (_, referral) = field.refer("Luz", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let list = first.client.incoming(&first.vault).await.unwrap();
        assert_eq!(
            list[0].summary_problem, None,
            "{backend}: the real one opens"
        );
        let network_key = server.keys.lock().unwrap()[&network].certificates()[0]
            .box_key
            .clone();
        let aad = senda_protocol::summary_aad(&referral);
        let forged = br#"{"note":"planted"}"#;
        // 1. Anonymous, as the server could seal with the public key alone.
        let anonymous = senda_protocol::seal::seal(&network_key, forged, &aad).unwrap();
        // 2. Signed by a device the server made, with a membership it made up.
        let rng = ring::rand::SystemRandom::new();
        let rogue_device = ring::signature::Ed25519KeyPair::from_pkcs8(
            ring::signature::Ed25519KeyPair::generate_pkcs8(&rng)
                .unwrap()
                .as_ref(),
        )
        .unwrap();
        use ring::signature::KeyPair;
        let rogue_pk = senda_protocol::hex(rogue_device.public_key().as_ref());
        let fake_membership =
            membership(&OrgSecret::generate(1), &team, "rogue", &rogue_pk).unwrap();
        let signer = senda_protocol::seal::Signer {
            organisation: &team,
            serial: 1,
            device_id: "rogue",
            device: &rogue_device,
            membership: &fake_membership,
        };
        let rogue_signed =
            senda_protocol::seal::seal_signed(&network_key, forged, &aad, &signer).unwrap();
        for planted in [anonymous, rogue_signed] {
            hostile.set(move |path, body| {
                if path != "/v1/referrals/incoming" {
                    return body;
                }
                let mut page: senda_protocol::IncomingPage = decode(&body).unwrap();
                for r in &mut page.referrals {
                    r.summary = Some(planted.clone());
                }
                encode(&page)
            });
            let list = first.client.incoming(&first.vault).await.unwrap();
            assert_eq!(list[0].summary, None, "{backend}");
            assert_eq!(
                list[0].summary_problem,
                Some(senda_core::sync::SummaryProblem::SenderUnverified),
                "{backend}"
            );
        }
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_that_is_not_the_organisations_key_and_low_order_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let network = server.organisation("Red").await;
    server.org_keys(&network).await;
    let hostile = Hostile::start(&server).await;
    let d = enrol_via(&server, &hostile.url(), &network, "a").await;
    let (device_id, box_key) = {
        let waiting = server.awaiting_key(&network).await;
        (
            waiting[0]["device_id"].as_str().unwrap().to_owned(),
            waiting[0]["box_key"].as_str().unwrap().to_owned(),
        )
    };
    // A grant the device can open, but of keys its administrator never signed.
    let bundle = KeyBundle {
        organisation: network.clone(),
        keys: vec![OrgSecret::generate(1)],
    };
    let sealed = senda_protocol::seal::seal(
        &box_key,
        &serde_json::to_vec(&bundle).unwrap(),
        &senda_protocol::grant_aad(&device_id, &network),
    )
    .unwrap();
    hostile.keys(move |k| k.organisation_key = Some(sealed.clone()));
    let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!(report.key_problem, Some("key-grant-mismatch"));
    let status = d
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .key_status()
        .unwrap();
    assert!(!status.holds_keys, "nothing kept");

    // A device without its organisation's keys seals nothing, and says so; its
    // screen shows the fingerprint to hand the keys over by.
    hostile.set(|_, b| b);
    let other = server.organisation("Otra red").await;
    server.receiver(&other, SHELTER).await;
    d.refer("Luz", SHELTER);
    let ready = d.ready();
    let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!(report.key_problem, Some("no-organisation-key"));
    assert_eq!((report.sent, d.ready()), (0, ready));
    let status = d
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .key_status()
        .unwrap();
    assert_eq!(status.fingerprint, Some(d.fingerprint()));

    // A low-order box key is refused at enrolment.
    let order_four = format!("01{}", "00".repeat(31));
    let code = server.code(&network, "a").await;
    let body = encode(&senda_protocol::EnrolRequest {
        protocol: senda_protocol::PROTOCOL_VERSION,
        code: code.split('.').next().unwrap().to_owned(),
        public_key: "cd".repeat(32),
        box_key: order_four.clone(),
        device_name: "weak".into(),
    });
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/enrol", server.url()))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(code_of(&resp.bytes().await.unwrap()), "bad-public-key");

    // Nor can the store take one by another path (a batch file, an admin tool).
    let code = server.code(&network, "a").await;
    let refused = server
        .repo
        .enrol(
            code.split('.').next().unwrap().to_owned(),
            "ef".repeat(32),
            order_four.clone(),
            "old".into(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            senda_server::store::StoreError::Refused(senda_server::store::Refusal::BadKey)
        ),
        "{refused:?}"
    );
    let file = {
        let keys = server.keys.lock().unwrap();
        OrgKeyFile::from_json(&keys[&network].to_json(), None).unwrap()
    };
    let report = server
        .repo
        .grant_keys(&file, &[d.fingerprint()])
        .await
        .unwrap();
    assert_eq!(report.granted.len(), 1, "{report:?}");
    d.client.sync(&d.vault, |_| {}).await.unwrap();
    assert_eq!(d.ready(), 0, "granted, the rows leave");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_keeps_old_summaries_open_and_leaves_a_revoked_device_out() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.organisation("Equipo").await;
        let network = server.organisation("Red").await;
        server.receiver(&network, SHELTER).await;
        let kept = server.device_in(&network, "a").await;
        let lost = server.device_in(&network, "a").await;
        let field = server.device_in(&team, "t").await;
        let (_, before) = field.refer("Luz", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();

        // Replacing the key by mistake is refused: another admin key, or a new key without --rotate.
        let path = format!("/v1/admin/organisations/{network}/key");
        let stranger = OrgKeyFile::generate(&network, &now());
        let (status, answer) = server
            .try_admin(
                &path,
                serde_json::json!({ "admin_key": stranger.admin_public(), "certificates": stranger.certificates() }),
            )
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (409, Some("admin-key-exists"))
        );
        let body = {
            let mut keys = server.keys.lock().unwrap();
            let file = keys.get_mut(&network).unwrap();
            file.rotate(&now());
            serde_json::json!({ "admin_key": file.admin_public(), "certificates": file.certificates() })
        };
        let (status, answer) = server.try_admin(&path, body.clone()).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (409, Some("key-exists")),
            "{backend}"
        );

        // The rotation, after one device was lost: it is revoked, and the rest get the new key.
        let mut rotate = body;
        rotate["rotate"] = true.into();
        assert_eq!(server.admin(&path, rotate).await["serial"], 2);
        let (lost_id, lost_fingerprint) = (lost.identity().device_id, lost.fingerprint());
        server
            .admin(
                &format!("/v1/admin/devices/{lost_id}/revoke"),
                serde_json::Value::Null,
            )
            .await;
        assert_eq!(
            server.grant(&network).await,
            1,
            "{backend}: the kept device only"
        );
        // Nothing sealed to the new key reaches the revoked device: not from the
        // administrator who reads its fingerprint off an old note, nor from a
        // colleague's device, nor by a grant sent for it directly.
        assert_eq!(
            server
                .grant_fingerprints(&network, std::slice::from_ref(&lost_fingerprint))
                .await,
            0,
            "{backend}"
        );
        kept.client.sync(&kept.vault, |_| {}).await.unwrap();
        let err = kept
            .client
            .approve_hand_over(&kept.vault, &lost_id, &lost_fingerprint)
            .await
            .unwrap_err();
        assert_eq!(
            key_error(err),
            KeyTrustError::HandOverNotWaiting,
            "{backend}"
        );
        let to_lost = senda_protocol::KeyGrant {
            device_id: lost_id.clone(),
            sealed: senda_protocol::seal::seal(&BoxSecret::generate().public_hex(), b"x", b"y")
                .unwrap(),
        };
        let (status, body) = signed(
            &server.url(),
            &kept,
            "/v1/keys/grants",
            encode(&vec![to_lost]),
        )
        .await;
        assert_eq!(
            (status, code_of(&body).as_str()),
            (404, "no-such-device"),
            "{backend}"
        );

        let (_, after) = field.refer("Sol", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let new_key = server.keys.lock().unwrap()[&network].certificates()[1]
            .box_key
            .clone();
        let sealed = server.kept_summary(&after).await;
        assert_eq!(sealed["to"], new_key.as_str(), "{backend}");

        // Both summaries open on the kept device: the old one with the old key it kept.
        let list = kept.client.incoming(&kept.vault).await.unwrap();
        for id in [&before, &after] {
            let r = list.iter().find(|r| &r.id == id).unwrap();
            assert_eq!(r.summary_problem, None, "{backend}: {id}");
            assert_eq!(r.summary.as_ref().unwrap().note, SUMMARY_NOTE);
        }
        let status = kept
            .vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .key_status()
            .unwrap();
        assert_eq!(status.serial, Some(2));
        // The revoked device gets nothing more, and wipes.
        let err = lost.client.incoming(&lost.vault).await.unwrap_err();
        assert_eq!(err, SyncError::Revoked, "{backend}");
        server.stop().await;
    }
}

/// Rows are sealed as they are written, and sent so only while the keys they
/// were sealed to are current: the organisation rotated its key between the
/// writing and the sync, so they leave sealed to the new key, and a revoked
/// device holding only the old one could open none of them. (The receiver's
/// key changing in between: the summary of `after` in the test above.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_sealed_as_they_were_written_leave_sealed_to_the_key_current_when_they_leave() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let field = server.field_device(&team, "t").await;
        let old = server.secret_of(&team);
        let case = shared_case_with_notes(&field, 2);
        let sealed_ahead = || {
            let mut v = field.vault.lock().unwrap();
            v.casework().unwrap().sealed_ahead().unwrap()
        };
        assert_eq!(
            sealed_ahead(),
            field.ready(),
            "{backend}: every row sealed as written"
        );

        let body = {
            let mut keys = server.keys.lock().unwrap();
            let file = keys.get_mut(&team).unwrap();
            file.rotate(&now());
            serde_json::json!({ "admin_key": file.admin_public(), "certificates": file.certificates(), "rotate": true })
        };
        let path = format!("/v1/admin/organisations/{team}/key");
        assert_eq!(server.admin(&path, body).await["serial"], 2);
        assert_eq!(server.grant(&team).await, 1, "{backend}");
        let new = server.secret_of(&team);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(field.ready(), 0, "{backend}");
        // A sent row's copy stays until the next purge (after an unlock), no longer.
        assert_eq!(sealed_ahead(), 4, "{backend}");
        {
            let mut v = field.vault.lock().unwrap();
            v.casework().unwrap().purge_expired().unwrap();
        }
        assert_eq!(
            sealed_ahead(),
            0,
            "{backend}: a sent row keeps no sealed copy"
        );

        let fields = server
            .repo
            .entity_fields(case.clone())
            .await
            .unwrap()
            .unwrap();
        let needs = |secret: &BoxSecret| senda_core::sync::field_key(secret, &case, "notes.needs");
        assert!(
            fields.get(needs(&new)).is_some(),
            "{backend}: sealed to the new key: {fields}"
        );
        assert!(fields.get(needs(&old)).is_none(), "{backend}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_value_the_server_plants_in_a_conflict_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let team = server.organisation("Equipo").await;
    server.org_keys(&team).await;
    let hostile = Hostile::start(&server).await;
    let field = enrol_via(&server, &hostile.url(), &team, "t").await;
    server.admit(&team, &field).await;
    let team_secret = server.secret_of(&team);

    // To the device's first push the operator answers with two conflicts on the
    // case's alias: one a colleague's device really sealed (made here with the
    // team's secret, as a device holding it does), one the server made itself,
    // naming the team's key and copying the keyed hash of the real value.
    hostile.set_with_request(move |path, request, answer| {
        if path != "/v1/push" {
            return answer;
        }
        let push: senda_protocol::PushRequest = decode(request).unwrap();
        // Only the push that carries the case's creation (with its alias, sealed).
        let Some(op) = push
            .ops
            .iter()
            .find(|o| o.entity == "case" && !o.sealed.is_empty())
        else {
            return answer;
        };
        let mut response: senda_protocol::PushResponse = decode(&answer).unwrap();
        let ours = op.sealed.clone();
        let place = |op_id| ("case", op.entity_id.as_str(), op_id);
        let keys = senda_protocol::FieldKeys::derive(&team_secret);
        let alias_id = keys.field_id(&op.entity_id, "details.alias");
        let sol = [("details.alias".to_owned(), serde_json::json!("Sol"))].into();
        let real = keys.seal(place("op-real"), &sol, true);
        // The server has the key id (from the public key) and the real hashes, but
        // no secret: its box is bytes of its own choosing.
        let planted = senda_protocol::SealedFields {
            ct: b"\"Planted\" and a tag of sixteen".to_vec(),
            ..real.clone()
        };
        for (theirs_op, theirs) in [("op-real", real), ("op-planted", planted)] {
            response.conflicts.push(senda_protocol::Conflict {
                op_id: op.op_id.clone(),
                entity_id: op.entity_id.clone(),
                // The record's key for the field: its keyed id.
                field: format!("#{}", senda_protocol::hex(&alias_id)),
                base_version: op.base_version,
                theirs: serde_json::Value::Null,
                ours: serde_json::Value::Null,
                sealed: Some(senda_protocol::SealedConflict {
                    theirs_op: theirs_op.into(),
                    theirs,
                    ours: ours.clone(),
                }),
            });
        }
        encode(&response)
    });
    field.refer("Luz", SHELTER);
    field.client.sync(&field.vault, |_| {}).await.unwrap();

    let mut v = field.vault.lock().unwrap();
    let conflicts = v.casework().unwrap().conflicts().unwrap();
    let shown: Vec<(&str, &str)> = conflicts
        .iter()
        .map(|c| (c.theirs.as_str(), c.ours.as_str()))
        .collect();
    assert_eq!(
        shown,
        [("\"Sol\"", "\"Luz\""), ("null", "\"Luz\"")],
        "the real value opens; the planted one shows nothing"
    );
    let audit = v.audit_log(50).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "sealed-field-unverified")
            .count(),
        1,
        "the device notes the planted value"
    );
}
