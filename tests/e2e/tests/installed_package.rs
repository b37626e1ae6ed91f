//! The installed `.deb`: `./x package --test` installs it with apt, then this
//! drives the installed `/usr/bin/senda` (a release build that trusts no demo
//! publisher) to its first screen, in Spanish, and takes a screenshot.

use senda_e2e::*;
use std::path::PathBuf;

#[tokio::test]
#[ignore = "needs the .deb installed: run by ./x package --test"]
async fn the_installed_package_opens_on_the_spanish_start_screen() {
    let app = std::env::var_os("SENDA_INSTALLED_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/senda"));
    assert!(
        app.exists(),
        "install the package first (./x package --test): {} is missing",
        app.display()
    );
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start_app(4490, data.path(), &app);
    let c = driver.session().await;
    heading_is(&c, "¿Qué necesitas hoy?").await;
    assert_eq!(
        text_of(&c, "[data-test=door-public] .door-title").await,
        "Información y derechos"
    );
    assert_eq!(
        text_of(&c, "[data-test=door-staff] .door-title").await,
        "Personal"
    );
    let lang = c
        .execute("return document.querySelector('.shell').lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "es");
    // Nothing failed to open: no startup error on screen.
    let alerts = c
        .execute(
            "return document.querySelectorAll('[role=alert]').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(alerts, 0);
    screenshot(&c, "installed-package-start").await;
    c.close().await.unwrap();
}
