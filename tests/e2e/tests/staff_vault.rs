//! The real Senda app, driven through tauri-driver and WebKitWebDriver.
//!
//! Needs a display (run under `xvfb-run`), `tauri-driver` on PATH, and the app
//! built with its UI, so it is `#[ignore]`d in a plain `cargo test`; `./x test`
//! runs it with `--ignored` under Xvfb. Screenshots go to `target/screenshots/e2e-*.png`.

use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn app_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join("debug/senda");
    assert!(
        bin.exists(),
        "build the app first: {} is missing",
        bin.display()
    );
    bin
}

/// The signed demo pack `./x test` builds from assets/content.
fn demo_pack() -> PathBuf {
    let pack = workspace_root().join("target/content/demo.sendapack");
    assert!(
        pack.exists(),
        "build the demo pack first: {} is missing",
        pack.display()
    );
    pack
}

/// One tauri-driver per app session; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(port: u16, data_dir: &Path) -> Self {
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &(port + 1).to_string(),
            ])
            .env("SENDA_DATA_DIR", data_dir)
            .env("SENDA_CONTENT_PACK", demo_pack())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Its own process group, so stopping it also stops WebKitWebDriver and the app.
            .process_group(0)
            .spawn()
            .expect("tauri-driver on PATH (cargo install tauri-driver)");
        Self { child, port }
    }

    async fn session(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary() }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        for _ in 0..100 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => return client,
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        panic!("could not start a WebDriver session on {url}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        std::thread::sleep(Duration::from_millis(300));
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

async fn screenshot(c: &Client, name: &str) {
    // The DOM can be ready before WebKit has painted it: wait for two frames.
    c.execute_async(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
        vec![],
    )
    .await
    .expect("wait for a painted frame");
    let dir = workspace_root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("e2e-{name}.png")), png).unwrap();
}

/// The text of the first element matching `css`. The UI re-renders, so an
/// element found may be replaced before it is read: then find it again.
async fn text_of(c: &Client, css: &str) -> String {
    let mut last = None;
    for _ in 0..50 {
        let element = c
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.text().await {
            Ok(text) => return text,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {last:?}");
}

/// Waits until the page's first heading reads `expected`.
async fn heading_is(c: &Client, expected: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = text_of(c, "main h1").await;
        if seen == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("heading is {seen:?}, expected {expected:?}");
}

async fn fill(c: &Client, css: &str, value: &str) {
    for _ in 0..50 {
        let input = c.wait().for_element(Locator::Css(css)).await.unwrap();
        if input.clear().await.is_ok() && input.send_keys(value).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not fill {css}");
}

async fn click(c: &Client, css: &str) {
    for _ in 0..50 {
        let element = c.wait().for_element(Locator::Css(css)).await.unwrap();
        if element.click().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not click {css}");
}

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
        installed.contains("Paquete «senda-demo», versión 1 (firma verificada)"),
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
        "Dato de demostración — verificar antes de usar"
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
    c.close().await.unwrap();

    // The vault on disk holds nothing readable.
    let vault = std::fs::read(data.path().join("vault.db")).unwrap();
    assert!(!vault.starts_with(b"SQLite format 3"));
    assert!(!vault.windows(16).any(|w| w == b"Coordinadora Ana"));
}
