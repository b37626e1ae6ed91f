//! Black-box: start the real server on a random port and ask it.

use senda_server::config::Database;
use senda_server::{Config, Server};

#[tokio::test]
async fn health_answers_ok_with_its_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Sqlite(db.clone()),
        admin_token: None,
        device_rate: 20,
        signing_key_file: dir.path().join("server.signing-key"),
        tls: None,
        quotas: Default::default(),
    };
    let server = Server::bind(&config).await.unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server.serve(async {
        let _ = stopped.await;
    }));

    let resp = reqwest::get(format!("http://{addr}/health")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert!(db.exists(), "the embedded database was created");

    let doc: serde_json::Value = reqwest::get(format!("http://{addr}/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/v1/enrol",
        "/v1/push",
        "/v1/pull",
        "/v1/referrals/{id}/status",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["PushRequest"].is_object());
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("senda_ops_received_total"));

    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
}

#[tokio::test]
async fn an_unwritable_database_path_is_a_clear_start_error() {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Sqlite("/proc/definitely/not/here.db".into()),
        admin_token: None,
        device_rate: 20,
        signing_key_file: "/proc/definitely/not/here.signing-key".into(),
        tls: None,
        quotas: Default::default(),
    };
    let err = Server::bind(&config).await.err().expect("must fail");
    assert!(err.to_string().contains("database"), "{err}");
}
