//! The public side of the real app with no vault on the device: a rights
//! card for the chosen country, English and back, help, the map, quick exit,
//! and no trace left in the data folder.

use fantoccini::Locator;
use senda_e2e::*;
use std::collections::BTreeMap;
use std::path::Path;

/// File names and sizes in the data folder (SQLite's -wal/-shm side files by name only).
fn files(dir: &Path) -> BTreeMap<String, u64> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let len = if name.ends_with("-wal") || name.ends_with("-shm") {
                0
            } else {
                e.metadata().unwrap().len()
            };
            (name, len)
        })
        .collect()
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run by ./x test"]
async fn read_rights_switch_language_and_quick_exit() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(4464, data.path());
    let c = driver.session().await;
    heading_is(&c, "¿Qué necesitas hoy?").await;
    assert!(
        !data.path().join("vault.db").exists(),
        "no vault on this device"
    );
    let before = files(data.path());

    click(&c, "[data-test=door-public]").await;
    heading_is(&c, "Información y derechos").await;
    click(&c, "[data-test=country-CO]").await;
    assert_eq!(
        text_of(&c, "[data-test=article-colombia-derechos] h3").await,
        "En Colombia: tus derechos"
    );
    // A demo pack is installed: the public side says so on every screen.
    assert!(
        text_of(&c, "[data-test=demo-banner]")
            .await
            .starts_with("Versión de prueba")
    );
    // The rights card says who reviewed it in law, or that nobody has yet.
    let review = text_of(
        &c,
        "[data-test=article-colombia-derechos] [data-test=review-line]",
    )
    .await;
    assert!(
        review == "Sin revisión legal todavía." || review.starts_with("Revisado por "),
        "{review}"
    );
    assert!(!c.source().await.unwrap().contains("Verificado"));
    screenshot(&c, "30-public-rights").await;
    // The review line itself, in view.
    c.execute(
        "document.querySelector('[data-test=article-colombia-derechos] [data-test=review-line]').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "30b-public-rights-review-line").await;

    click(&c, "[data-locale=en]").await;
    assert_eq!(
        text_of(&c, "[data-test=article-colombia-derechos] h3").await,
        "In Colombia: your rights"
    );
    screenshot(&c, "31-public-rights-en").await;
    click(&c, "[data-locale=es]").await;
    assert_eq!(
        text_of(&c, "[data-test=article-colombia-derechos] h3").await,
        "En Colombia: tus derechos"
    );

    click(&c, "[data-test=tab-help]").await;
    click(&c, "[data-test=chip-linea-emergencia]").await;
    let call = c
        .wait()
        .for_element(Locator::Css("[data-test=help-search] a.call"))
        .await
        .unwrap();
    assert_eq!(call.attr("href").await.unwrap().as_deref(), Some("tel:123"));
    screenshot(&c, "32-public-help").await;

    click(&c, "[data-test=tab-map]").await;
    click(&c, "[data-test=zoom-in]").await;
    c.execute(
        "document.querySelector('[data-test=\"point-p-cruce-cucuta\"]').dispatchEvent(new MouseEvent('click', { bubbles: true }))",
        vec![],
    )
    .await
    .unwrap();
    assert!(
        text_of(&c, "[data-test=map-card] h3")
            .await
            .starts_with("Cúcuta")
    );
    // The crossing's danger-zone guidance.
    assert!(
        text_of(&c, "[data-test=map-card] [data-test=place-dangers]")
            .await
            .contains("Cuidado en este paso")
    );
    c.execute(
        "document.querySelector('[data-test=map-card] [data-test=place-dangers]').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "33b-public-danger-zone").await;
    c.execute(
        "document.querySelector('[data-test=map] svg').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "33-public-map").await;

    click(&c, "[data-test=quick-exit]").await;
    c.wait()
        .for_element(Locator::Css("[data-test=neutral]"))
        .await
        .unwrap();
    assert_eq!(c.title().await.unwrap(), "Notas");
    assert!(!c.source().await.unwrap().contains("Senda"));
    screenshot(&c, "34-quick-exit").await;
    c.close().await.unwrap();
    drop(driver);

    assert_eq!(files(data.path()), before, "the public side left a trace");
    assert!(!data.path().join("vault.db").exists());
}
