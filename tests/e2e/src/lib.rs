//! Helpers for driving the real Senda app through tauri-driver and
//! WebKitWebDriver (see tests/). Screenshots go to `target/screenshots/e2e-*.png`.

use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn app_binary() -> PathBuf {
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
pub fn demo_pack() -> PathBuf {
    let pack = workspace_root().join("target/content/demo.sendapack");
    assert!(
        pack.exists(),
        "build the demo pack first: {} is missing",
        pack.display()
    );
    pack
}

/// One tauri-driver per app session; killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
    app: PathBuf,
}

impl Driver {
    pub fn start(port: u16, data_dir: &Path) -> Self {
        Self::start_with(port, data_dir, &[])
    }

    /// Starts with extra environment for the app (e.g. the sync server's address).
    pub fn start_with(port: u16, data_dir: &Path, env: &[(&str, &str)]) -> Self {
        let pack = demo_pack();
        let mut env: Vec<(&str, &str)> = env.to_vec();
        env.push(("SENDA_CONTENT_PACK", pack.to_str().unwrap()));
        Self::spawn(port, data_dir, &env, app_binary())
    }

    /// Drives another build of the app (e.g. the installed package's
    /// `/usr/bin/senda`), with no content pack.
    pub fn start_app(port: u16, data_dir: &Path, app: &Path) -> Self {
        Self::spawn(port, data_dir, &[], app.to_owned())
    }

    fn spawn(port: u16, data_dir: &Path, env: &[(&str, &str)], app: PathBuf) -> Self {
        let child = Command::new("tauri-driver")
            .envs(env.iter().copied())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &(port + 1).to_string(),
            ])
            .env("SENDA_DATA_DIR", data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Its own process group, so stopping it also stops WebKitWebDriver and the app.
            .process_group(0)
            .spawn()
            .expect("tauri-driver on PATH (cargo install tauri-driver)");
        Self { child, port, app }
    }

    pub async fn session(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": self.app }),
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

pub async fn screenshot(c: &Client, name: &str) {
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
pub async fn text_of(c: &Client, css: &str) -> String {
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
pub async fn heading_is(c: &Client, expected: &str) {
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

pub async fn fill(c: &Client, css: &str, value: &str) {
    for _ in 0..50 {
        let input = c.wait().for_element(Locator::Css(css)).await.unwrap();
        if input.clear().await.is_ok() && input.send_keys(value).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not fill {css}");
}

pub async fn click(c: &Client, css: &str) {
    for _ in 0..50 {
        let element = c.wait().for_element(Locator::Css(css)).await.unwrap();
        if element.click().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not click {css}");
}

/// Answers every question on screen "no" (or a choice's last option, or a
/// number's maximum: an age of 17 opens every section), then the given
/// questions "yes".
pub async fn answer_section(c: &Client, yes: &[&str]) {
    c.execute(
        "for (const input of document.querySelectorAll('.question input[type=number]')) {
            input.value = input.max;
            input.dispatchEvent(new Event('change', { bubbles: true }));
        }",
        vec![],
    )
    .await
    .unwrap();
    // Questions the number opened appear on the next render.
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.execute(
        "for (const q of document.querySelectorAll('.question')) {
            if (q.querySelector('input')) continue;
            const no = q.querySelector('[data-test$=\"-no\"]');
            const answers = q.querySelectorAll('.answer');
            (no ?? answers[answers.length - 3]).click();
        }",
        vec![],
    )
    .await
    .unwrap();
    for id in yes {
        click(c, &format!("[data-test=answer-{id}-yes]")).await;
    }
}

pub async fn select(c: &Client, css: &str, value: &str) {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}
