//! The real app and a real `senda-server` process: staff enrol the device,
//! refer a child, press "Sincronizar", and the referral reaches the receiving
//! organisation; its answer comes back to the device at the next sync. Then
//! the other way round: the app receives a referral and answers it.

use fantoccini::Locator;
use senda_core::casework::ReferralStatus;
use senda_e2e::*;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ADMIN: &str = "e2e-admin-token-0123456789";
const SHELTER: &str = "svc-alojamiento-cucuta";
/// A service of the app's own organisation, for the receiving side.
const LEGAL_AID: &str = "svc-legal-rumichaca";

struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn admin(url: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let resp = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .bearer_auth(ADMIN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(serde_json::Value::Null)
}

/// `senda-server admin …` on the same database, as an administrator would run it.
fn admin_cli(db: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(workspace_root().join("target/debug/senda-server"))
        .env("SENDA_SERVER_DB", db)
        .arg("admin")
        .args(args)
        .output()
        .expect("target/debug/senda-server");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run by ./x test"]
async fn referral_reaches_the_server_and_the_outcome_comes_back() {
    let data = tempfile::tempdir().unwrap();
    let port = 8797;
    let url = format!("http://127.0.0.1:{port}");
    let _server = ServerProcess(
        Command::new(workspace_root().join("target/debug/senda-server"))
            .env("SENDA_SERVER_LISTEN", format!("127.0.0.1:{port}"))
            .env("SENDA_SERVER_DB", data.path().join("server.db"))
            .env("SENDA_ADMIN_TOKEN", ADMIN)
            .stdout(Stdio::null())
            .spawn()
            .expect("target/debug/senda-server"),
    );
    for _ in 0..100 {
        if reqwest::get(format!("{url}/health")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let team = admin(
        &url,
        "/v1/admin/organisations",
        serde_json::json!({ "name": "Equipo" }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let network = admin(
        &url,
        "/v1/admin/organisations",
        serde_json::json!({ "name": "Red" }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The network's sealing key: the secret stays in the administrator's file.
    let db = data.path().join("server.db");
    let key_file = data.path().join("red.key");
    let public = admin_cli(&db, &["org-key", &network, key_file.to_str().unwrap()]);
    assert_eq!(public.len(), 64, "{public}");
    // The app's own organisation's key: every record leaves sealed to it.
    let team_key = data.path().join("equipo.key");
    admin_cli(&db, &["org-key", &team, team_key.to_str().unwrap()]);
    admin(
        &url,
        "/v1/admin/service-routes",
        serde_json::json!({ "service_id": SHELTER, "organisation": network }),
    )
    .await;
    let code = admin(
        &url,
        "/v1/admin/enrolment-codes",
        serde_json::json!({ "organisation": team, "team": "frontera" }),
    )
    .await["code"]
        .as_str()
        .unwrap()
        .to_owned();

    let app_dir = data.path().join("app");
    let usb = data.path().join("usb");
    let driver = Driver::start_with(
        4474,
        &app_dir,
        &[
            ("SENDA_SERVER_URL", &url),
            ("SENDA_ENROLMENT_CODE", &code),
            ("SENDA_EXPORT_DIR", usb.to_str().unwrap()),
        ],
    );
    let c = driver.session().await;
    heading_is(&c, "¿Qué necesitas hoy?").await;
    click(&c, "[data-test=door-staff]").await;
    fill(&c, "[data-test=name]", "Marta").await;
    fill(&c, "[data-test=pin]", "482916").await;
    fill(&c, "[data-test=pin-again]", "482916").await;
    click(&c, "[data-test=submit]").await;
    heading_is(&c, "Hola, Marta").await;

    // Enrol: the server and the code are filled in by `./x run` (here, by the test).
    click(&c, "[data-test=sync-enrol]").await;
    let identity = text_of(&c, "[data-test=sync-identity]").await;
    assert!(identity.contains(&url), "{identity}");
    screenshot(&c, "40-enrolled").await;
    // The administrator grants the new device its organisation's key; it opens it at its
    // first sync, at the office, before going out where there is no network.
    let granted = admin_cli(&db, &["grant-keys", &team, team_key.to_str().unwrap()]);
    assert_eq!(granted, "1 device(s) granted", "the app's device");
    click(&c, "[data-test=sync-now]").await;
    let report = text_of(&c, "[data-test=sync-report]").await;
    assert!(report.starts_with("Listo:"), "{report}");

    // A referral, as at the crossing.
    click(&c, "[data-test=case-new]").await;
    fill(&c, "[data-test=case-alias]", "Luz").await;
    select(&c, "[data-test=case-place]", "cruce-cucuta").await;
    click(&c, "[data-test=case-save]").await;
    heading_is(&c, "Luz").await;
    click(&c, "[data-test=screening-start]").await;
    // Wait for each section's own heading before answering it.
    for section in ["El viaje", "Ofrecimientos y contactos"] {
        heading_is(&c, section).await;
        answer_section(&c, &[]).await;
        click(&c, "[data-test=screening-next]").await;
    }
    heading_is(&c, "Seguridad ahora").await;
    answer_section(&c, &["peligro-ahora"]).await;
    click(&c, "[data-test=screening-next]").await;
    // Each screen is waited for by its heading, so no click lands on the one before.
    heading_is(&c, "Peligro inmediato: actúa ahora").await;
    click(&c, "[data-test=result-refer]").await;
    heading_is(&c, "Elegir un servicio").await;
    click(&c, &format!("[data-test=choose-{SHELTER}]")).await;
    heading_is(&c, "Resumen para contar una sola vez").await;
    click(&c, "[data-test=summary-reviewed]").await;
    click(&c, "[data-test=summary-next]").await;
    heading_is(&c, "Consentimiento").await;
    for x in [
        "what-is-shared",
        "who-receives",
        "what-happens-next",
        "can-say-no",
        "can-withdraw",
    ] {
        click(&c, &format!("[data-test=explained-{x}]")).await;
    }
    click(&c, "[data-test=child-agrees]").await;
    // Opt-in: unticked until the child agrees to keep the case on the server (here they do).
    let share = c
        .find(Locator::Css("[data-test=share-with-org]"))
        .await
        .unwrap();
    assert!(!share.is_selected().await.unwrap());
    share.click().await.unwrap();
    assert!(share.is_selected().await.unwrap());
    click(&c, "[data-test=consent-send]").await;
    heading_is(&c, "Hoja de derivación").await;
    let referral_code = text_of(&c, "[data-test=slip-code]").await;
    click(&c, "[data-test=slip-back]").await;
    heading_is(&c, "Luz").await;
    click(&c, "[data-test=case-back]").await;
    heading_is(&c, "Hola, Marta").await;

    // No network at the crossing: the changes go to a USB stick, sealed to the server,
    // and the office imports the file. Each row says it is waiting in a file.
    click(&c, "[data-test=sync-export]").await;
    let exported = text_of(&c, "[data-test=sync-exported]").await;
    assert!(exported.starts_with("Se guardaron"), "{exported}");
    click(&c, "[data-test=outbox-counts]").await;
    let states = c
        .execute(
            "return [...document.querySelectorAll('[data-test=outbox-state]')].map(e => e.dataset.state)",
            vec![],
        )
        .await
        .unwrap();
    let states = states.as_array().unwrap().clone();
    assert!(
        !states.is_empty() && states.iter().all(|s| s == "exported"),
        "{states:?}"
    );
    screenshot(&c, "43-exported").await;
    let file = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "sendabatch"))
        .expect("a batch file on the stick");
    let imported = admin_cli(&db, &["import", file.to_str().unwrap()]);
    assert!(
        imported.contains(&format!("{} operation(s) stored", states.len())),
        "{imported}"
    );

    // Sincronizar: the server confirms what the file carried, and stores nothing twice.
    click(&c, "[data-test=sync-now]").await;
    let report = text_of(&c, "[data-test=sync-report]").await;
    assert!(report.starts_with("Listo:"), "{report}");
    assert!(
        report.contains("1 novedad recibida"),
        "the server says it is sent: {report}"
    );
    screenshot(&c, "41-synced").await;

    // The receiving network sees the referral by its code, and accepts it.
    // The network's device is a real vault doing real casework, outside the app.
    let shelter = senda_testkit::device(0);
    let network_code = admin(
        &url,
        "/v1/admin/enrolment-codes",
        serde_json::json!({ "organisation": network, "team": "albergue" }),
    )
    .await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    shelter.enrol(&url, &network_code).await;
    let granted = admin_cli(&db, &["grant-keys", &network, key_file.to_str().unwrap()]);
    assert_eq!(granted, "1 device(s) granted");
    let incoming = shelter.client.incoming(&shelter.vault).await.unwrap();
    let referral = incoming
        .iter()
        .find(|r| r.code == referral_code)
        .expect("the referral reached the receiving organisation");
    assert_eq!(referral.status, ReferralStatus::Sent);
    assert_eq!(
        referral.summary.as_ref().and_then(|s| s.level),
        Some(senda_core::checklist::RiskLevel::Immediate),
        "the tell-once summary came with it, opened with the network's key: {referral:?}"
    );
    for status in [ReferralStatus::Received, ReferralStatus::Accepted] {
        shelter
            .client
            .set_incoming_status(&shelter.vault, &referral.id, status)
            .await
            .unwrap();
    }

    // The publisher released a newer content pack: devices hear of it at their next sync.
    admin_cli(&db, &["announce-content", "senda-demo", "3"]);

    // The next sync brings the answer back.
    click(&c, "[data-test=sync-now]").await;
    let mut report = String::new();
    for _ in 0..50 {
        report = text_of(&c, "[data-test=sync-report]").await;
        if report.contains("3 novedades recibidas") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(report.contains("3 novedades recibidas"), "{report}");
    let available = text_of(&c, "[data-test=sync-content-available]").await;
    assert!(available.contains("versión 3"), "{available}");
    screenshot(&c, "44-content-available").await;
    click(&c, "[data-test=case-line]").await;
    heading_is(&c, "Luz").await;
    assert_eq!(text_of(&c, "[data-test=referral-status]").await, "Aceptada");
    c.find(Locator::Css("[data-test=referrals]")).await.unwrap();
    c.execute(
        "document.querySelector('[data-test=referrals]').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "42-accepted").await;

    // The other way round: the app's organisation receives referrals too. The
    // network refers a child to the app's legal-aid service; staff open it in
    // the app (its summary opened on this device) and answer.
    admin(
        &url,
        "/v1/admin/service-routes",
        serde_json::json!({ "service_id": LEGAL_AID, "organisation": team }),
    )
    .await;
    let (_, outgoing) = shelter.refer("Nico", LEGAL_AID);
    shelter.client.sync(&shelter.vault, |_| {}).await.unwrap();
    click(&c, "[data-test=case-back]").await;
    heading_is(&c, "Hola, Marta").await;
    click(&c, "[data-test=incoming] > summary").await;
    let mut shown = String::new();
    for _ in 0..50 {
        shown = text_of(&c, "[data-test=incoming-referral]").await;
        if shown.contains(senda_testkit::SUMMARY_NOTE) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        shown.contains(senda_testkit::SUMMARY_NOTE),
        "the summary, opened here: {shown}"
    );
    assert!(
        !shown.contains("Nico"),
        "the child's name stays with the sender"
    );
    click(&c, "[data-test=incoming-received]").await;
    click(&c, "[data-test=incoming-accepted]").await;
    let mut shown = String::new();
    for _ in 0..50 {
        shown = text_of(&c, "[data-test=incoming-referral]").await;
        if shown.contains("Aceptada") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown.contains("Aceptada"), "{shown}");
    c.execute(
        "document.querySelector('[data-test=incoming]').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "45-incoming-accepted").await;
    shelter.client.sync(&shelter.vault, |_| {}).await.unwrap();
    assert_eq!(shelter.referral_status(&outgoing), ReferralStatus::Accepted);
    c.close().await.unwrap();
}
