//! The real Senda app, driven through tauri-driver and WebKitWebDriver.
//!
//! Needs a display (run under `xvfb-run`), `tauri-driver` on PATH, and the app
//! built with its UI, so it is `#[ignore]`d in a plain `cargo test`; `./x test`
//! runs it with `--ignored` under Xvfb. Screenshots go to `target/screenshots/e2e-*.png`.

use senda_e2e::*;

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run by ./x test"]
async fn staff_create_lock_wrong_pin_unlock_and_restart() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(4444, data.path());

    let c = driver.session().await;
    heading_is(&c, "¿Qué necesitas hoy?").await;
    assert_eq!(
        text_of(&c, "[data-test=door-public] .door-title").await,
        "Información y derechos"
    );
    screenshot(&c, "01-start").await;

    // The public side reads the installed, signed demo pack, with no PIN.
    click(&c, "[data-test=door-public]").await;
    heading_is(&c, "Información y derechos").await;
    click(&c, "[data-test=country-CO]").await;
    click(&c, "[data-test=tab-journey]").await;
    assert_eq!(
        text_of(&c, "[data-test=article-nunca-es-tu-culpa] h3").await,
        "Nunca es tu culpa"
    );
    screenshot(&c, "01b-public").await;
    click(&c, ".brand").await;
    heading_is(&c, "¿Qué necesitas hoy?").await;

    click(&c, "[data-test=door-staff]").await;
    heading_is(&c, "Primer uso: crea tu perfil").await;
    fill(&c, "[data-test=name]", "Coordinadora Ana").await;
    fill(&c, "[data-test=pin]", "482916").await;
    fill(&c, "[data-test=pin-again]", "482916").await;
    screenshot(&c, "02-create").await;
    click(&c, "[data-test=submit]").await;
    heading_is(&c, "Hola, Coordinadora Ana").await;
    let installed = text_of(&c, "[data-test=installed-content]").await;
    assert!(
        installed.contains("Paquete «senda-demo», versión 2 (firma verificada)"),
        "{installed}"
    );
    assert!(installed.contains("Tamizaje en el cruce"), "{installed}");
    screenshot(&c, "03-home").await;

    // The referral directory from the signed pack: accent-free search, demo marking.
    fill(&c, "[data-test=directory-text]", "atencion psicologica").await;
    click(&c, "[data-test=directory-submit]").await;
    assert_eq!(
        text_of(&c, "[data-test=hit] h3").await,
        "Atención psicológica para adolescentes (demo)"
    );
    assert_eq!(
        text_of(&c, "[data-test=demo-badge]").await,
        "Dato de prueba: puede no ser real. Pregunta a un equipo humanitario antes de ir o llamar."
    );
    c.execute(
        "document.querySelector('[data-test=service-search]').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "03b-directory").await;

    click(&c, "[data-test=lock]").await;
    heading_is(&c, "Personal").await;
    // The only person on the device is already chosen, by the first word of her name.
    assert_eq!(text_of(&c, "form label").await, "PIN de Coordinadora");
    fill(&c, "[data-test=pin]", "111111").await;
    click(&c, "[data-test=submit]").await;
    assert_eq!(
        text_of(&c, "[data-test=error]").await,
        "PIN incorrecto. Quedan 9 intentos antes del bloqueo."
    );
    screenshot(&c, "04-wrong-pin").await;

    fill(&c, "[data-test=pin]", "482916").await;
    click(&c, "[data-test=submit]").await;
    heading_is(&c, "Hola, Coordinadora Ana").await;
    c.close().await.unwrap();
    drop(driver);

    // A fresh start of the app finds the vault, locked, and the PIN opens it.
    let driver = Driver::start(4444, data.path());
    let c = driver.session().await;
    heading_is(&c, "¿Qué necesitas hoy?").await;
    click(&c, "[data-test=door-staff]").await;
    heading_is(&c, "Personal").await;
    fill(&c, "[data-test=pin]", "482916").await;
    click(&c, "[data-test=submit]").await;
    heading_is(&c, "Hola, Coordinadora Ana").await;
    screenshot(&c, "05-after-restart").await;

    // A colleague with the same PIN: unlock asks who first, so both work.
    fill(&c, "[data-test=staff-name]", "Beto Ruiz").await;
    fill(&c, "[data-test=staff-pin]", "482916").await;
    click(&c, "[data-test=staff-submit]").await;
    text_of(&c, "[data-test=staff-list] li:nth-child(2)").await;
    click(&c, "[data-test=lock]").await;
    heading_is(&c, "Personal").await;
    click(&c, "[data-test=who][data-label=Beto]").await;
    fill(&c, "[data-test=pin]", "482916").await;
    screenshot(&c, "06-who-beto").await;
    click(&c, "[data-test=submit]").await;
    heading_is(&c, "Hola, Beto Ruiz").await;
    c.close().await.unwrap();

    // The vault on disk holds nothing readable.
    let vault = std::fs::read(data.path().join("vault.db")).unwrap();
    assert!(!vault.starts_with(b"SQLite format 3"));
    assert!(!vault.windows(16).any(|w| w == b"Coordinadora Ana"));
}
