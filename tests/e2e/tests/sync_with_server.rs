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
    // Each organisation's keys: the secrets stay in its administrator's file; the
    // server gets the public keys, signed. Each administrator vouches for the
    // other by the fingerprint of its admin key (read out between them).
    let db = data.path().join("server.db");
    let key_file = data.path().join("red.key");
    let team_key = data.path().join("equipo.key");
    let network_fp = admin_cli(&db, &["org-key", &network, key_file.to_str().unwrap()]);
    let team_fp = admin_cli(&db, &["org-key", &team, team_key.to_str().unwrap()]);
    assert_eq!(network_fp.len(), 19, "{network_fp}");
    admin(
        &url,
        "/v1/admin/service-routes",
        serde_json::json!({ "service_id": SHELTER, "organisation": network }),
    )
    .await;
    let trusted = admin_cli(
        &db,
        &[
            "trust-org",
            team_key.to_str().unwrap(),
            &network,
            &network_fp,
            SHELTER,
        ],
    );
    assert_eq!(trusted, "trusted");
    admin_cli(
        &db,
        &["trust-org", key_file.to_str().unwrap(), &team, &team_fp],
    );
    // The code carries the fingerprint of the team's admin key: the app pins it.
    let code = admin_cli(
        &db,
        &[
            "enrolment-code",
            &team,
            "frontera",
            "--key",
            team_key.to_str().unwrap(),
        ],
    );
    assert!(code.ends_with(&team_fp), "{code}");

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

    // Until a person hands it the team's key, the app shows its fingerprint and
    // seals nothing. The administrator reads it off the screen and hands the key over.
    let waiting = text_of(&c, "[data-test=keytrust-waiting] strong").await;
    let app_fp = waiting
        .strip_prefix("Esperando la llave: ")
        .unwrap_or_else(|| panic!("{waiting}"))
        .to_owned();
    assert_eq!(app_fp.len(), 14, "{waiting}");
    screenshot(&c, "46-waiting-for-the-key").await;
    let granted = admin_cli(&db, &["grant-keys", team_key.to_str().unwrap(), &app_fp]);
    assert!(granted.ends_with("1 device(s) granted"), "{granted}");
    click(&c, "[data-test=sync-now]").await;
    text_of(&c, "[data-test=sync-report]").await;

    // A colleague's new device waits for the key: the app lists it with its name and
    // the fingerprint the new device shows, and hands the key over only when confirmed.
    let colleague = senda_testkit::device(0);
    let colleague_code = admin_cli(
        &db,
        &[
            "enrolment-code",
            &team,
            "frontera",
            "--key",
            team_key.to_str().unwrap(),
        ],
    );
    colleague.enrol(&url, &colleague_code).await;
    click(&c, "[data-test=sync-now]").await;
    let pending = text_of(&c, "[data-test=keytrust-pending]").await;
    assert_eq!(pending, "Un dispositivo espera la llave.");
    click(&c, "[data-test=keytrust-load]").await;
    let shown = text_of(&c, "[data-test=keytrust-fingerprint]").await;
    assert_eq!(shown, format!("Huella: {}", colleague.fingerprint()));
    let device = text_of(&c, "[data-test=keytrust-device] strong").await;
    assert_eq!(device, "test device");
    c.execute(
        "document.querySelector('[data-test=keytrust]').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "47-key-hand-over").await;
    click(&c, "[data-test=keytrust-approve]").await;
    let done = text_of(&c, "[data-test=keytrust-done]").await;
    assert_eq!(done, "Llave entregada a test device.");
    // The heading's count follows the list, not the last sync.
    text_is(
        &c,
        "[data-test=keytrust-none]",
        "Ningún dispositivo espera la llave.",
    )
    .await;
    let pending = c
        .execute(
            "return document.querySelector('[data-test=keytrust-pending]') === null",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(pending, serde_json::json!(true), "no device waits any more");
    screenshot(&c, "47b-key-handed-over").await;
    colleague
        .client
        .sync(&colleague.vault, |_| {})
        .await
        .unwrap();
    let status = colleague
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .key_status()
        .unwrap();
    assert!(status.holds_keys, "the colleague's device has the key now");

    // The refusal: a device enrols under a name the person does not know, and no
    // device in front of them shows its fingerprint. Refused, it is not offered
    // again here, and it never gets the key.
    let stranger = senda_testkit::device(0);
    let stranger_code = admin_cli(
        &db,
        &[
            "enrolment-code",
            &team,
            "frontera",
            "--key",
            team_key.to_str().unwrap(),
        ],
    );
    stranger
        .enrol_named(&url, &stranger_code, "Tableta sin dueño")
        .await;
    click(&c, "[data-test=sync-now]").await;
    // The list asked for while that sync still runs may come back without the
    // new device: ask again until it shows one.
    for _ in 0..20 {
        click(&c, "[data-test=keytrust-load]").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let listed = c
            .execute(
                "return document.querySelector('[data-test=keytrust-device] strong') !== null",
                vec![],
            )
            .await
            .unwrap();
        if listed == serde_json::json!(true) {
            break;
        }
    }
    text_is(
        &c,
        "[data-test=keytrust-device] strong",
        "Tableta sin dueño",
    )
    .await;
    let shown = text_of(&c, "[data-test=keytrust-fingerprint]").await;
    assert_eq!(shown, format!("Huella: {}", stranger.fingerprint()));
    assert_ne!(stranger.fingerprint(), colleague.fingerprint());
    c.execute(
        "document.querySelector('[data-test=keytrust]').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "48-key-hand-over-refused-device").await;
    click(&c, "[data-test=keytrust-refuse]").await;
    text_is(
        &c,
        "[data-test=keytrust-done]",
        "Rechazado: Tableta sin dueño no recibe la llave.",
    )
    .await;
    screenshot(&c, "49-key-hand-over-refused").await;
    click(&c, "[data-test=keytrust-load]").await;
    text_is(
        &c,
        "[data-test=keytrust-none]",
        "Ningún dispositivo espera la llave.",
    )
    .await;
    stranger.client.sync(&stranger.vault, |_| {}).await.unwrap();
    let status = stranger
        .vault
        .lock()
        .unwrap()
        .casework()
        .unwrap()
        .key_status()
        .unwrap();
    assert!(!status.holds_keys, "a refused device gets no key");

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
    let network_code = format!("{network_code}.{network_fp}");
    shelter.enrol(&url, &network_code).await;
    let granted = admin_cli(
        &db,
        &[
            "grant-keys",
            key_file.to_str().unwrap(),
            &shelter.fingerprint(),
        ],
    );
    assert!(granted.ends_with("1 device(s) granted"), "{granted}");
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
    admin_cli(
        &db,
        &[
            "trust-org",
            key_file.to_str().unwrap(),
            &team,
            &team_fp,
            LEGAL_AID,
        ],
    );
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

/// Waits until the first element matching `css` reads `expected` (the panel
/// keeps an earlier answer on screen until the new one arrives).
async fn text_is(c: &fantoccini::Client, css: &str, expected: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = text_of(c, css).await;
        if seen == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} reads {seen:?}, expected {expected:?}");
}
