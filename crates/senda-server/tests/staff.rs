//! Staff accounts over the admin API, on SQLite and on PostgreSQL: a device
//! enrolled with a staff member's code is theirs, and when they leave every
//! device they hold is told to wipe.

mod common;

use common::*;
use senda_core::sync::SyncError;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_who_leaves_takes_no_device_with_them() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let org = server.keyed_organisation("Equipo").await;
        let add = |name: &'static str| {
            let (server, org) = (&server, org.clone());
            async move {
                server
                    .admin(
                        "/v1/admin/staff",
                        json!({ "organisation": org, "team": "cucuta", "name": name }),
                    )
                    .await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let (marta, jose) = (add("Marta").await, add("José").await);
        let staff_code = |id: String| {
            let server = &server;
            async move {
                server
                    .admin(&format!("/v1/admin/staff/{id}/enrolment-codes"), json!({}))
                    .await["code"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };

        // Each device enrolled with a staff code is theirs, in their team.
        let martas = device(0);
        martas
            .enrol(&server.url(), &staff_code(marta.clone()).await)
            .await;
        assert_eq!(martas.identity().team, "cucuta", "{backend}");
        let joses = device(0);
        joses
            .enrol(&server.url(), &staff_code(jose.clone()).await)
            .await;
        let shared = server.field_device(&org, "cucuta").await;
        let unused = staff_code(marta.clone()).await;

        let list = reqwest::Client::new()
            .get(format!(
                "{}/v1/admin/organisations/{org}/staff",
                server.url()
            ))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json::<Vec<serde_json::Value>>()
            .await
            .unwrap();
        assert_eq!(list.len(), 2, "{backend}");
        assert!(
            list.iter()
                .all(|s| s["devices"] == 1 && s["active"] == true)
        );

        // Marta leaves.
        let answer = server
            .admin(&format!("/v1/admin/staff/{marta}/deactivate"), json!({}))
            .await;
        assert_eq!(answer["devices_retired"], 1, "{backend}");
        let err = martas.client.sync(&martas.vault, |_| {}).await.unwrap_err();
        assert_eq!(err, SyncError::Revoked, "{backend}");
        assert_eq!(
            martas.vault.lock().unwrap().status().unwrap().state,
            senda_core::VaultState::NotCreated,
            "{backend}: her device wiped itself"
        );
        // Everyone else goes on.
        joses.client.sync(&joses.vault, |_| {}).await.unwrap();
        shared.client.sync(&shared.vault, |_| {}).await.unwrap();

        // Her account makes no new code, and a code she was given enrols nothing.
        let (status, body) = server
            .try_admin(
                &format!("/v1/admin/staff/{marta}/enrolment-codes"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("staff-deactivated"))
        );
        let late = device(0);
        let err = late
            .client
            .enrol(&late.vault, &server.url(), &unused, "x")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, SyncError::Refused { reason, .. } if reason == "bad-enrolment-code"),
            "{backend}: {err:?}"
        );
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_requests_that_make_no_sense_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(sqlite(dir.path())).await;
    let org = server.keyed_organisation("Equipo").await;
    for (path, body, status, code) in [
        (
            "/v1/admin/staff".to_owned(),
            json!({ "organisation": org, "team": "t", "name": " " }),
            400,
            "bad-name",
        ),
        (
            "/v1/admin/staff".to_owned(),
            json!({ "organisation": "nowhere", "team": "t", "name": "Ana" }),
            404,
            "no-such-organisation",
        ),
        (
            "/v1/admin/staff/nobody/enrolment-codes".to_owned(),
            json!({}),
            404,
            "no-such-staff",
        ),
        (
            "/v1/admin/staff/nobody/deactivate".to_owned(),
            json!({}),
            404,
            "no-such-staff",
        ),
    ] {
        let (got, answer) = server.try_admin(&path, body).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{path}"
        );
    }
    server.stop().await;
}
