//! The web console (/console/) over HTTP, on SQLite and PostgreSQL: logging in
//! (one-time password, TOTP), and every route's refusals — no session, no CSRF
//! token, another organisation, a deactivated account — plus suppression.

mod common;

use common::*;
use senda_server::console;

const SHELTER: &str = "svc-alojamiento-cucuta";
const LEGAL: &str = "svc-legal-rumichaca";

/// A browser without JavaScript: one cookie jar, redirects not followed.
struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: std::collections::BTreeMap<String, String>,
    lang: &'static str,
}

struct Answer {
    status: u16,
    body: String,
    location: String,
    set_cookie: Vec<String>,
}

impl Answer {
    fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf\" value=\"", "\"").unwrap_or_default()
    }
    fn code(&self) -> String {
        between(&self.body, "data-code=\"", "\"").unwrap_or_default()
    }
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let i = text.find(start)? + start.len();
    let j = text[i..].find(end)? + i;
    Some(text[i..j].to_owned())
}

impl Browser {
    fn new(server: &TestServer) -> Self {
        Self {
            base: server.url(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Default::default(),
            lang: "es",
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let resp = req
            .header("cookie", cookie.join("; "))
            .header("accept-language", self.lang)
            .send()
            .await
            .unwrap();
        let set_cookie: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookie {
            let (k, v) = c.split(';').next().unwrap().split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
        }
        Answer {
            status: resp.status().as_u16(),
            location: resp
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            set_cookie,
            body: resp.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let req = self.http.post(format!("{}{path}", self.base)).form(fields);
        self.send(req).await
    }

    /// Posts a form with this session's CSRF token (read from `page`).
    async fn submit(&mut self, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = self.get(page).await.csrf();
        assert!(!csrf.is_empty(), "{page} has a form");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    async fn login(&mut self, login: &str, password: &str) -> Answer {
        let csrf = self.get("/console/login").await.csrf();
        self.post(
            "/console/login",
            &[("csrf", &csrf), ("login", login), ("password", password)],
        )
        .await
    }

    /// First login: the one-time password, a new password, and (server administrators) TOTP.
    async fn first_login(&mut self, login: &str, one_time: &str) -> String {
        let a = self.login(login, one_time).await;
        assert_eq!(
            (a.status, a.location.as_str()),
            (303, "/console/password"),
            "{}",
            a.body
        );
        let new = format!("{login} uses a long passphrase").replace(login, "someone");
        let a = self
            .submit(
                "/console/password",
                "/console/password",
                &[("password", &new), ("repeat", &new)],
            )
            .await;
        assert_eq!(a.status, 303, "{}", a.body);
        if a.location == "/console/totp" {
            let page = self.get("/console/totp").await;
            let secret = between(&page.body, "data-secret=\"", "\"").expect("a TOTP secret");
            assert!(page.body.contains("<svg"), "a QR code");
            let code = totp(&secret, login);
            let a = self
                .submit("/console/totp", "/console/totp", &[("code", &code)])
                .await;
            assert_eq!(
                (a.status, a.location.as_str()),
                (303, "/console/"),
                "{}",
                a.body
            );
        } else {
            assert_eq!(a.location, "/console/");
        }
        new
    }
}

fn totp(secret: &str, login: &str) -> String {
    let now = chrono::Utc::now().timestamp() as u64;
    console::auth::totp_now(secret, login, now)
}

/// A server with a field organisation, a receiving one (with a key and a route), a ready server
/// administrator and a ready administrator of the field organisation.
struct World {
    server: TestServer,
    field: String,
    receiver: String,
    root: Browser,
    org_admin: Browser,
    org_admin_password: String,
}

async fn world(repo: senda_server::store::Repo) -> World {
    let server = TestServer::start(repo).await;
    let field = server.keyed_organisation("Equipo de frontera").await;
    let receiver = server.organisation("Red de albergues").await;
    server.receiver(&receiver, SHELTER).await;
    let one_time = console::create_admin(&server.repo, "admin".into())
        .await
        .unwrap();
    assert_eq!(one_time.len(), 16);
    let mut root = Browser::new(&server);
    root.first_login("admin", &one_time).await;
    let made = root
        .submit(
            "/console/accounts",
            "/console/accounts",
            &[("login", "ana"), ("organisation", &field)],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let password = between(&made.body, "data-password=\"", "\"").unwrap();
    let mut org_admin = Browser::new(&server);
    let org_admin_password = org_admin.first_login("ana", &password).await;
    World {
        server,
        field,
        receiver,
        root,
        org_admin,
        org_admin_password,
    }
}

/// Every page of one organisation, and the forms posted there (path, fields).
fn org_pages(org: &str) -> Vec<String> {
    [
        "",
        "/staff",
        "/devices",
        "/routes",
        "/keys",
        "/referrals",
        "/settings",
    ]
    .iter()
    .map(|p| format!("/console/org/{org}{p}"))
    .collect()
}

fn org_forms(org: &str, staff: &str, device: &str) -> Vec<(String, Vec<(&'static str, String)>)> {
    vec![
        (
            format!("/console/org/{org}/staff"),
            vec![("name", "Rosa".into()), ("team", "frontera".into())],
        ),
        (
            format!("/console/org/{org}/staff/{staff}/deactivate"),
            vec![],
        ),
        (
            format!("/console/org/{org}/staff/{staff}/code"),
            vec![("days", "7".into())],
        ),
        (
            format!("/console/org/{org}/codes"),
            vec![("team", "frontera".into()), ("days", "7".into())],
        ),
        (
            format!("/console/org/{org}/devices/{device}/revoke"),
            vec![],
        ),
        (
            format!("/console/org/{org}/routes"),
            vec![("service", LEGAL.into()), ("receiver", org.into())],
        ),
        (
            format!("/console/org/{org}/settings/retention"),
            vec![("days", "30".into())],
        ),
        (
            format!("/console/org/{org}/settings/pin"),
            vec![("min_length", "8".into()), ("letters", "1".into())],
        ),
    ]
}

const SERVER_PAGES: &[&str] = &[
    "/console/organisations",
    "/console/accounts",
    "/console/content",
];

fn server_forms() -> Vec<(String, Vec<(&'static str, String)>)> {
    vec![
        (
            "/console/organisations".into(),
            vec![("name", "Otra".into())],
        ),
        (
            "/console/accounts".into(),
            vec![("login", "otro".into()), ("organisation", "server".into())],
        ),
        (
            "/console/content".into(),
            vec![("publisher", "senda-demo".into()), ("version", "2".into())],
        ),
        // Session, token and role are checked before the account is looked up.
        ("/console/accounts/nobody/deactivate".into(), vec![]),
    ]
}

#[tokio::test]
async fn first_login_needs_a_new_password_and_totp_and_cookies_are_strict() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let one_time = console::create_admin(&server.repo, "admin".into())
            .await
            .unwrap();
        assert!(
            console::create_admin(&server.repo, "admin".into())
                .await
                .is_err(),
            "{backend}: one account per login"
        );
        let mut b = Browser::new(&server);
        let page = b.get("/console/login").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("lang=\"es\""),
            "{backend}: Spanish first"
        );
        let cookie = &page.set_cookie[0];
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && !cookie.contains("Secure"),
            "{backend}: {cookie}"
        );
        // Behind an https proxy the cookie is Secure.
        let behind = reqwest::Client::new()
            .get(format!("{}/console/login", server.url()))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        let secure = behind.headers()["set-cookie"].to_str().unwrap();
        assert!(secure.contains("; Secure"), "{backend}: {secure}");

        // Logged in with the one-time password: nothing but changing it.
        let a = b.login("admin", &one_time).await;
        assert_eq!(a.location, "/console/password", "{backend}");
        let a = b.get("/console/organisations").await;
        assert_eq!((a.status, a.location.as_str()), (303, "/console/password"));
        let a = b
            .submit(
                "/console/password",
                "/console/password",
                &[("password", "short"), ("repeat", "short")],
            )
            .await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (400, "password-short"),
            "{backend}"
        );
        assert!(a.body.contains("entre 12 y 200"), "{backend}: in Spanish");
        let a = b
            .submit(
                "/console/password",
                "/console/password",
                &[("password", &one_time), ("repeat", &one_time)],
            )
            .await;
        assert_eq!(a.code(), "password-wrong", "{backend}");
        let new = "una frase larga de verdad";
        let a = b
            .submit(
                "/console/password",
                "/console/password",
                &[("password", new), ("repeat", new)],
            )
            .await;
        assert_eq!(
            a.location, "/console/totp",
            "{backend}: server admins need TOTP"
        );
        // Still no page before the second factor.
        let a = b.get("/console/organisations").await;
        assert_eq!(a.location, "/console/totp", "{backend}");
        let page = b.get("/console/totp").await;
        let secret = between(&page.body, "data-secret=\"", "\"").unwrap();
        let a = b
            .submit("/console/totp", "/console/totp", &[("code", "000000")])
            .await;
        assert_eq!((a.status, a.code().as_str()), (400, "totp"), "{backend}");
        // The same code string is replayed below (a new step's code would be a different one).
        let used = totp(&secret, "admin");
        let a = b
            .submit("/console/totp", "/console/totp", &[("code", &used)])
            .await;
        assert_eq!(a.location, "/console/", "{backend}");
        assert_eq!(
            b.get("/console/organisations").await.status,
            200,
            "{backend}"
        );

        // The next login asks for a TOTP code; the used one is refused (replay).
        let mut again = Browser::new(&server);
        assert_eq!(again.login("admin", new).await.location, "/console/totp");
        let a = again
            .submit("/console/totp", "/console/totp", &[("code", &used)])
            .await;
        assert_eq!(a.code(), "totp", "{backend}: a TOTP code works once");

        // Logging out ends the session.
        let a = b
            .submit("/console/organisations", "/console/logout", &[])
            .await;
        assert_eq!(a.location, "/console/login");
        assert_eq!(
            b.get("/console/organisations").await.location,
            "/console/login"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn every_route_refuses_a_request_without_a_session_or_csrf_token() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        let staff = w
            .server
            .admin(
                "/v1/admin/staff",
                serde_json::json!({
            "organisation": w.field, "team": "frontera", "name": "Rosa" }),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let device = w.server.device_in(&w.field, "frontera").await;
        let device_id = device.identity().device_id;
        let mut anonymous = Browser::new(&w.server);
        let mut pages = org_pages(&w.field);
        pages.extend(SERVER_PAGES.iter().map(|s| s.to_string()));
        pages.extend(
            [
                "/console/audit",
                "/console/stats",
                "/console/stats.csv?table=status",
                "/console/account",
                "/console/",
            ]
            .map(String::from),
        );
        for page in &pages {
            let a = anonymous.get(page).await;
            assert_eq!(
                (a.status, a.location.as_str()),
                (303, "/console/login"),
                "{backend}: {page}"
            );
        }
        let mut forms = org_forms(&w.field, &staff, &device_id);
        forms.extend(server_forms());
        forms.push(("/console/logout".into(), vec![]));
        forms.push(("/console/account/totp".into(), vec![]));
        for (path, fields) in &forms {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // No session at all.
            let a = anonymous.post(path, &fields).await;
            assert!(
                a.status == 403 || (path == "/console/logout" && a.status == 303),
                "{backend}: {path} without a session: {}",
                a.status
            );
            // A session, but no token or a wrong one.
            for token in [None, Some("0".repeat(64))] {
                let mut with = fields.clone();
                if let Some(t) = &token {
                    with.push(("csrf", t));
                }
                let a = w.root.post(path, &with).await;
                assert_eq!(
                    (a.status, a.code().as_str()),
                    (403, "csrf"),
                    "{backend}: {path} {token:?}"
                );
            }
        }
        // Nothing happened: the staff account and the device are still active.
        let list = w.server.repo.staff_of(w.field.clone()).await.unwrap();
        assert!(
            list.iter().all(|s| s.active) && list.len() == 1,
            "{backend}"
        );
        assert!(
            !w.server
                .repo
                .device(device_id)
                .await
                .unwrap()
                .unwrap()
                .revoked,
            "{backend}"
        );
        // Nor were the settings set.
        assert_eq!(
            w.server.repo.retention_of(w.field.clone()).await.unwrap(),
            None,
            "{backend}"
        );
        assert_eq!(
            w.server.repo.pin_policy_of(w.field.clone()).await.unwrap(),
            None,
            "{backend}"
        );
        // The login form needs its token too.
        let a = anonymous
            .post("/console/login", &[("login", "admin"), ("password", "x")])
            .await;
        assert_eq!(a.status, 403, "{backend}");
        w.server.stop().await;
    }
}

#[tokio::test]
async fn an_organisation_administrator_cannot_reach_another_organisation() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        let theirs = w.receiver.clone();
        let their_staff = w
            .server
            .admin(
                "/v1/admin/staff",
                serde_json::json!({
            "organisation": theirs, "team": "albergue", "name": "Marta" }),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let their_device = w
            .server
            .device_in(&theirs, "albergue")
            .await
            .identity()
            .device_id;
        // Own pages work.
        for page in org_pages(&w.field) {
            assert_eq!(
                w.org_admin.get(&page).await.status,
                200,
                "{backend}: {page}"
            );
        }
        // By URL: the other organisation's pages and forms.
        for page in org_pages(&theirs) {
            let a = w.org_admin.get(&page).await;
            assert_eq!(
                (a.status, a.code().as_str()),
                (403, "forbidden"),
                "{backend}: {page}"
            );
        }
        let own = format!("/console/org/{}/staff", w.field);
        for (path, fields) in org_forms(&theirs, &their_staff, &their_device) {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let a = w.org_admin.submit(&own, &path, &fields).await;
            assert_eq!(
                (a.status, a.code().as_str()),
                (403, "forbidden"),
                "{backend}: {path}"
            );
        }
        // By id: another organisation's staff or device under one's own organisation.
        for (path, fields) in org_forms(&w.field, &their_staff, &their_device)
            .into_iter()
            .filter(|(p, _)| p.contains(&their_staff) || p.contains(&their_device))
        {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let a = w.org_admin.submit(&own, &path, &fields).await;
            assert_eq!(
                (a.status, a.code().as_str()),
                (403, "forbidden"),
                "{backend}: {path}"
            );
        }
        // Routing a service to another organisation, or taking theirs.
        let routes = format!("/console/org/{}/routes", w.field);
        let a = w
            .org_admin
            .submit(
                &routes,
                &routes,
                &[("service", LEGAL), ("receiver", &theirs)],
            )
            .await;
        assert_eq!(a.code(), "forbidden", "{backend}");
        // By API: statistics of another organisation, server pages and forms.
        let a = w
            .org_admin
            .get(&format!("/console/stats?org={theirs}"))
            .await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (403, "forbidden"),
            "{backend}"
        );
        let a = w
            .org_admin
            .get(&format!("/console/stats.csv?table=status&org={theirs}"))
            .await;
        assert_eq!(a.status, 403, "{backend}");
        for page in SERVER_PAGES {
            assert_eq!(w.org_admin.get(page).await.status, 403, "{backend}: {page}");
        }
        for (path, fields) in server_forms() {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let a = w.org_admin.submit(&own, &path, &fields).await;
            assert_eq!(
                (a.status, a.code().as_str()),
                (403, "forbidden"),
                "{backend}: {path}"
            );
        }
        // The audit log shows only their own organisation's entries.
        let audit = w.org_admin.get("/console/audit").await.body;
        assert!(!audit.contains("Red de albergues"), "{backend}");
        // Nothing of theirs changed: not their settings either.
        assert_eq!(
            w.server.repo.retention_of(theirs.clone()).await.unwrap(),
            None,
            "{backend}"
        );
        assert_eq!(
            w.server.repo.pin_policy_of(theirs.clone()).await.unwrap(),
            None,
            "{backend}"
        );
        let staff = w.server.repo.staff_of(theirs.clone()).await.unwrap();
        assert!(staff.len() == 1 && staff[0].active, "{backend}");
        assert!(
            !w.server
                .repo
                .device(their_device)
                .await
                .unwrap()
                .unwrap()
                .revoked
        );
        w.server.stop().await;
    }
}

#[tokio::test]
async fn a_deactivated_account_is_refused_and_failed_logins_are_throttled() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        let page = format!("/console/org/{}", w.field);
        assert_eq!(w.org_admin.get(&page).await.status, 200);
        let accounts = w.root.get("/console/accounts").await.body;
        let id = between(&accounts, "/console/accounts/", "/deactivate").unwrap();
        let a = w
            .root
            .submit(
                "/console/accounts",
                &format!("/console/accounts/{id}/deactivate"),
                &[],
            )
            .await;
        assert_eq!(a.status, 303, "{backend}");
        // Its open session ends at once; logging in again is refused.
        assert_eq!(
            w.org_admin.get(&page).await.location,
            "/console/login",
            "{backend}"
        );
        let a = w.org_admin.login("ana", &w.org_admin_password).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (403, "deactivated"),
            "{backend}"
        );

        // Five wrong passwords lock the account for a while, even with the right one next.
        let mut guesser = Browser::new(&w.server);
        for _ in 0..5 {
            let a = guesser.login("admin", "wrong password here").await;
            assert_eq!((a.status, a.code().as_str()), (401, "login"), "{backend}");
        }
        let a = guesser
            .login("admin", "someone uses a long passphrase")
            .await;
        assert_eq!((a.status, a.code().as_str()), (429, "locked"), "{backend}");
        // Unknown logins get the same answer as wrong passwords.
        let a = guesser.login("nobody", "whatever").await;
        assert_eq!((a.status, a.code().as_str()), (401, "login"), "{backend}");
        w.server.stop().await;
    }
}

#[tokio::test]
async fn forms_are_checked_on_the_server_in_the_readers_language() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        let staff = format!("/console/org/{}/staff", w.field);
        let routes = format!("/console/org/{}/routes", w.field);
        let codes = format!("/console/org/{}/codes", w.field);
        let settings = format!("/console/org/{}/settings", w.field);
        let retention = format!("/console/org/{}/settings/retention", w.field);
        let pin = format!("/console/org/{}/settings/pin", w.field);
        let long = "x".repeat(121);
        // (page with the form, where it posts, fields, refusal code, words of its sentence)
        type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (
                &staff,
                &staff,
                vec![("name", " "), ("team", "frontera")],
                "name",
                "Escribe un nombre",
            ),
            (
                &staff,
                &staff,
                vec![("name", &long), ("team", "frontera")],
                "name",
                "Escribe un nombre",
            ),
            (
                &staff,
                &staff,
                vec![("name", "Rosa"), ("team", "")],
                "team",
                "Escribe un equipo",
            ),
            (
                &staff,
                &codes,
                vec![("team", "frontera"), ("days", "0")],
                "days",
                "entre 1 y 90",
            ),
            (
                &staff,
                &codes,
                vec![("team", "frontera"), ("days", "x")],
                "days",
                "entre 1 y 90",
            ),
            (
                &routes,
                &routes,
                vec![("service", "DROP TABLE"), ("receiver", &w.field)],
                "service",
                "identificador del servicio",
            ),
            (
                &settings,
                &retention,
                vec![("days", "0")],
                "retention",
                "de 1 a 365",
            ),
            (
                &settings,
                &retention,
                vec![("days", "366")],
                "retention",
                "de 1 a 365",
            ),
            (
                &settings,
                &retention,
                vec![("days", "treinta")],
                "retention",
                "de 1 a 365",
            ),
            (
                &settings,
                &pin,
                vec![("min_length", "4"), ("letters", "1")],
                "pin-length",
                "de 6 a 64",
            ),
            (
                &settings,
                &pin,
                vec![("min_length", "65")],
                "pin-length",
                "de 6 a 64",
            ),
            (
                &settings,
                &pin,
                vec![("min_length", "8"), ("letters", "yes please")],
                "pin-letters",
                "Se permiten letras",
            ),
        ];
        for (page, path, fields, code, words) in cases {
            let a = w.org_admin.submit(page, path, &fields).await;
            assert!(a.status >= 400, "{backend}: {path} {fields:?}");
            assert_eq!(a.code(), code, "{backend}: {path} {fields:?}");
            assert!(a.body.contains(words), "{backend}: {}", a.body);
        }
        // A receiver must have a key before services are routed to it.
        let unkeyed = w.server.organisation("Sin clave").await;
        let path = format!("/console/org/{unkeyed}/routes");
        let a = w
            .root
            .submit(
                &path,
                &path,
                &[("service", "svc-x"), ("receiver", &unkeyed)],
            )
            .await;
        assert_eq!(a.code(), "no-organisation-key", "{backend}");
        assert!(a.body.contains("registrar su clave"), "{backend}");
        // Nothing was set by the refused settings.
        assert_eq!(
            w.server.repo.retention_of(w.field.clone()).await.unwrap(),
            None,
            "{backend}"
        );
        assert_eq!(
            w.server.repo.pin_policy_of(w.field.clone()).await.unwrap(),
            None,
            "{backend}"
        );
        // The same refusals in English and Portuguese.
        for (lang, words, retention_words, pin_words) in [
            ("en", "Type a name", "1 to 365", "from 6 to 64"),
            ("pt", "Digite um nome", "de 1 a 365", "de 6 a 64"),
        ] {
            w.org_admin.lang = lang;
            let a = w
                .org_admin
                .submit(&staff, &staff, &[("name", ""), ("team", "x")])
                .await;
            assert!(a.body.contains(words), "{backend}: {lang}");
            let a = w
                .org_admin
                .submit(&settings, &retention, &[("days", "0")])
                .await;
            assert!(
                a.code() == "retention" && a.body.contains(retention_words),
                "{backend}: {lang}: {}",
                a.body
            );
            let a = w
                .org_admin
                .submit(&settings, &pin, &[("min_length", "3")])
                .await;
            assert!(
                a.code() == "pin-length" && a.body.contains(pin_words),
                "{backend}: {lang}: {}",
                a.body
            );
        }
        // A language chosen with the switch wins over the browser's.
        w.org_admin.lang = "en";
        let a = w.org_admin.get("/console/lang/pt").await;
        assert_eq!(a.status, 303);
        assert!(
            w.org_admin.get(&staff).await.body.contains("lang=\"pt\""),
            "{backend}"
        );
        // Server forms.
        let a = w
            .root
            .submit(
                "/console/content",
                "/console/content",
                &[("publisher", "senda-demo"), ("version", "-1")],
            )
            .await;
        assert_eq!(a.code(), "version", "{backend}");
        let a = w
            .root
            .submit(
                "/console/accounts",
                "/console/accounts",
                &[("login", "Bad Login"), ("organisation", "server")],
            )
            .await;
        assert_eq!(a.code(), "login-name", "{backend}");
        let a = w
            .root
            .submit(
                "/console/accounts",
                "/console/accounts",
                &[("login", "ana"), ("organisation", "server")],
            )
            .await;
        assert_eq!(a.code(), "login-taken", "{backend}");
        let a = w
            .root
            .submit(
                "/console/accounts",
                "/console/accounts",
                &[("login", "nuevo"), ("organisation", "no-such-org")],
            )
            .await;
        assert_eq!(a.code(), "organisation", "{backend}");
        let a = w.root.get("/console/stats?period=1999-01").await;
        assert_eq!(a.code(), "filter", "{backend}");
        let a = w.root.get("/console/org/no-such-org").await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (404, "organisation"),
            "{backend}"
        );
        w.server.stop().await;
    }
}

#[tokio::test]
async fn a_coordinator_enrols_sees_and_revokes_a_device_and_routes_a_service() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        let staff_page = format!("/console/org/{}/staff", w.field);
        let a = w
            .org_admin
            .submit(
                &staff_page,
                &staff_page,
                &[("name", "Rosa Díaz"), ("team", "frontera")],
            )
            .await;
        assert_eq!(
            a.location,
            format!("{staff_page}?done=staff-added"),
            "{backend}"
        );
        let page = w.org_admin.get(&staff_page).await.body;
        assert!(page.contains("Rosa Díaz"), "{backend}");
        let code_path = between(&page, "action=\"/console/org/", "/code\"").unwrap();
        let a = w
            .org_admin
            .submit(
                &staff_page,
                &format!("/console/org/{code_path}/code"),
                &[("days", "7")],
            )
            .await;
        assert_eq!(a.status, 200, "{backend}: {}", a.body);
        let code = between(&a.body, "data-code=\"", "\"").unwrap();
        assert_eq!(code.len(), 10, "{backend}");
        assert!(
            a.body.contains("<svg") && a.body.contains("7 días"),
            "{backend}: QR and expiry"
        );

        // A real device enrols with that code and syncs: the console lists it as Rosa's.
        let device = device(0);
        device.enrol(&w.server.url(), &code).await;
        device.client.sync(&device.vault, |_| {}).await.unwrap();
        let id = device.identity().device_id;
        let devices_page = format!("/console/org/{}/devices", w.field);
        let page = w.org_admin.get(&devices_page).await.body;
        assert!(page.contains(&format!("data-device=\"{id}\"")), "{backend}");
        assert!(
            page.contains("Rosa Díaz"),
            "{backend}: the device is Rosa's"
        );
        assert!(
            !page.contains("Nunca"),
            "{backend}: its last contact is known"
        );
        let a = w
            .org_admin
            .submit(
                &devices_page,
                &format!("/console/org/{}/devices/{id}/revoke", w.field),
                &[],
            )
            .await;
        assert_eq!(
            a.location,
            format!("{devices_page}?done=device-revoked"),
            "{backend}"
        );
        // Its next sync is told to wipe.
        let refused = device.client.sync(&device.vault, |_| {}).await;
        assert!(
            refused.is_err(),
            "{backend}: a revoked device's sync is refused"
        );
        assert!(
            w.server
                .repo
                .device(id.clone())
                .await
                .unwrap()
                .unwrap()
                .revoked
        );

        // Routing: the receiver's administrator takes an unrouted service; the field admin cannot route
        // to an organisation without a key, and cannot take a routed service.
        let routes = format!("/console/org/{}/routes", w.field);
        let a = w
            .org_admin
            .submit(
                &routes,
                &routes,
                &[("service", SHELTER), ("receiver", &w.field)],
            )
            .await;
        assert_eq!(a.code(), "route-taken", "{backend}");
        let their_routes = format!("/console/org/{}/routes", w.receiver);
        let a = w
            .root
            .submit(
                &their_routes,
                &their_routes,
                &[("service", LEGAL), ("receiver", &w.receiver)],
            )
            .await;
        assert_eq!(
            a.location,
            format!("{their_routes}?done=service-routed"),
            "{backend}"
        );
        let page = w
            .root
            .get(&format!("{their_routes}?q=rumichaca"))
            .await
            .body;
        assert!(
            page.contains(LEGAL) && !page.contains(&format!("<code>{SHELTER}</code>")),
            "{backend}: search"
        );

        // Keys: the receiver's key is set; the field organisation has none.
        let keys = w
            .root
            .get(&format!("/console/org/{}/keys", w.receiver))
            .await
            .body;
        assert!(keys.contains("Clave registrada"), "{backend}");
        // The fingerprint devices pin (the admin key's), never a prefix of a sealing key,
        // and which sealing key is in use; a hand-over always needs a person.
        assert!(
            keys.contains("Huella de la clave de administración")
                && keys.contains("Clave de sellado en uso"),
            "{backend}: {keys}"
        );
        assert!(keys.contains("sin que una persona lo apruebe"), "{backend}");
        let unkeyed = w.server.organisation("Sin clave").await;
        let keys = w
            .root
            .get(&format!("/console/org/{unkeyed}/keys"))
            .await
            .body;
        assert!(keys.contains("Sin clave todavía"), "{backend}");

        // The audit log: who, what, when — never a name of a child, not even staff names.
        let audit = w.root.get("/console/audit").await.body;
        for action in [
            "Añadió una persona",
            "Creó un código de inscripción",
            "Revocó un dispositivo",
            "Asignó un servicio",
        ] {
            assert!(audit.contains(action), "{backend}: {action}");
        }
        assert!(
            audit.contains(">ana<") && !audit.contains("Rosa"),
            "{backend}"
        );
        w.server.stop().await;
    }
}

#[tokio::test]
async fn statistics_hide_small_counts_even_through_a_filter_and_the_csv_matches() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        // Seven referrals to a routed service, one to a service with no receiver.
        // The field team seals every record to its own key.
        w.server.key_organisation(&w.field).await;
        let field = w.server.field_device(&w.field, "frontera").await;
        for i in 0..7 {
            field.refer(&format!("Niña {i}"), SHELTER);
        }
        field.refer("Niño", LEGAL);
        field.client.sync(&field.vault, |_| {}).await.unwrap();

        let page = w.root.get("/console/stats").await;
        assert_eq!(page.status, 200, "{backend}");
        let table = between(&page.body, "id=\"by-status\"", "</table>").unwrap();
        // [7, 1 | 8]: the 1 is «<5», and the 7 is hidden too, else 8 − 7 gives it away.
        assert!(
            table.contains("data-hidden=\"small\">&lt;5<"),
            "{backend}: {table}"
        );
        assert!(
            table.contains("data-hidden=\"complement\">*<"),
            "{backend}: {table}"
        );
        assert!(
            !table.contains(">1<") && !table.contains(">7<"),
            "{backend}: {table}"
        );
        assert!(page.body.contains("<svg"), "{backend}: a chart");

        // Filtering by the receiving organisation leaves 7 of 8: shown, it would tell
        // that exactly one referral went elsewhere. It is hidden.
        let filtered = w
            .root
            .get(&format!("/console/stats?org={}", w.receiver))
            .await;
        let table = between(&filtered.body, "id=\"by-status\"", "</table>").unwrap();
        assert!(!table.contains(">7<"), "{backend}: {table}");
        // The field organisation's own view, by its administrator.
        let own = w.org_admin.get("/console/stats").await;
        assert_eq!(own.status, 200, "{backend}");

        // The CSV is exactly what is shown.
        let csv = w.root.get("/console/stats.csv?table=status").await;
        assert_eq!(csv.status, 200, "{backend}");
        assert!(
            csv.body.contains("<5") && csv.body.contains('*'),
            "{backend}: {}",
            csv.body
        );
        assert!(
            !csv.body.contains(",1,") && !csv.body.contains(",7,"),
            "{backend}: {}",
            csv.body
        );
        let csv = w
            .root
            .get(&format!(
                "/console/stats.csv?table=services&audience=external&org={}",
                w.receiver
            ))
            .await;
        assert!(csv.body.contains("<11"), "{backend}: {}", csv.body);
        assert!(
            !csv.body.contains(",7,") && !csv.body.contains(",1,"),
            "{backend}: {}",
            csv.body
        );
        // Each export is logged.
        assert!(
            w.root
                .get("/console/audit")
                .await
                .body
                .contains("Descargó estadísticas")
        );

        // Referrals at a glance: counts and the ones still waiting, by code only.
        let glance = w
            .org_admin
            .get(&format!("/console/org/{}/referrals?days=1", w.field))
            .await;
        assert_eq!(glance.status, 200, "{backend}");
        assert!(
            !glance.body.contains(SUMMARY_NOTE) && !glance.body.contains("Niña"),
            "{backend}"
        );
        w.server.stop().await;
    }
}

/// Writes a case (with its coarse fields) and its screening the way the server stores them.
fn screening_rows(
    i: usize,
    country: &str,
    age: &str,
    risk: &str,
) -> [(String, &'static str, String); 2] {
    [
        (
            format!("case-{i}"),
            "case",
            format!(r#"{{"country":"{country}","week":"2026-W48","age_band":"{age}"}}"#),
        ),
        (
            format!("scr-{i}"),
            "screening",
            format!(r#"{{"risk_level":"{risk}"}}"#),
        ),
    ]
}

#[tokio::test]
async fn screening_statistics_read_the_coarse_fields_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let url = Some(
        std::env::var("SENDA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    );
    let mut backends_here = vec!["sqlite"];
    if postgres_wanted() {
        backends_here.push("postgres");
    }
    for backend in backends_here {
        let schema = format!("tscr{}", std::process::id());
        let repo = match backend {
            "sqlite" => sqlite(dir.path()),
            _ => {
                let (u, s) = (url.clone().unwrap(), schema.clone());
                senda_server::store::Repo::new(
                    tokio::task::spawn_blocking(move || {
                        senda_server::store::PostgresStore::open(&u, Some(&s)).unwrap()
                    })
                    .await
                    .unwrap(),
                )
            }
        };
        let mut w = world(repo).await;
        // Thirty screenings in Colombia and one adolescent at high risk in Peru.
        let mut rows = Vec::new();
        for i in 0..30 {
            rows.extend(screening_rows(i, "CO", "12-14", "medium"));
        }
        rows.extend(screening_rows(99, "PE", "15-17", "high"));
        let (field, db, u, s) = (
            w.field.clone(),
            dir.path().join("server.db"),
            url.clone(),
            schema.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let insert = "INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions) VALUES ";
            let case_of = |id: &str| id.replace("scr-", "case-");
            if backend == "sqlite" {
                let conn = rusqlite::Connection::open(db).unwrap();
                for (id, kind, fields) in &rows {
                    conn.execute(&format!("{insert} (?1, ?2, ?3, 't', ?4, 1, ?5, '{{}}')"), rusqlite::params![id, kind, field, case_of(id), fields]).unwrap();
                }
            } else {
                let mut config: postgres::Config = u.unwrap().parse().unwrap();
                config.options(&format!("-c search_path={s}"));
                let mut client = config.connect(postgres::NoTls).unwrap();
                for (id, kind, fields) in &rows {
                    client.execute(&format!("{insert} ($1, $2, $3, 't', $4, 1, $5, '{{}}')"), &[id, kind, &field, &case_of(id), fields]).unwrap();
                }
            }
        })
        .await
        .unwrap();
        // Written straight into the tables: counted as migration 024 counts what a server held.
        w.server.repo.rebuild_statistics().await.unwrap();
        let page = w.root.get("/console/stats").await;
        let table = between(&page.body, "id=\"by-risk\"", "</table>").expect("screening tables");
        assert!(
            table.contains("Alto") && table.contains("&lt;5"),
            "{backend}: {table}"
        );
        // 31 in all; the 30 is hidden with the one, else 31 − 30 gives it away.
        assert!(
            table.contains(">31<") && !table.contains(">30<"),
            "{backend}: {table}"
        );
        // Filtering to Peru: the single child is «<5» everywhere, in the CSV too.
        let peru = w.root.get("/console/stats?country=PE").await;
        let table = between(&peru.body, "id=\"by-week\"", "</table>").unwrap();
        assert!(
            !table.contains(">1<") && table.contains("&lt;5"),
            "{backend}: {table}"
        );
        let csv = w
            .root
            .get("/console/stats.csv?table=weeks&country=PE")
            .await
            .body;
        assert!(
            csv.contains("<5") && !csv.contains(",1,") && !csv.contains(",1\r"),
            "{backend}: {csv}"
        );
        // Colombia alone is 30 of 31: shown, it would reveal the one elsewhere.
        let colombia = w.root.get("/console/stats?country=CO").await;
        let table = between(&colombia.body, "id=\"by-risk\"", "</table>").unwrap();
        assert!(!table.contains(">30<"), "{backend}: {table}");
        // A country that is not among the choices is refused.
        assert_eq!(
            w.root.get("/console/stats?country=XX").await.code(),
            "filter",
            "{backend}"
        );
        w.server.stop().await;
    }
}

/// The sum of the screening counts in a statistics snapshot.
fn screenings_counted(snapshot: &[String]) -> u64 {
    snapshot
        .iter()
        .filter(|r| r.starts_with("screening|"))
        .map(|r| r.rsplit('|').next().unwrap().parse::<u64>().unwrap())
        .sum()
}

/// The counts kept as each operation is applied equal a recount from the records.
async fn counts_match_a_recount(repo: &senda_server::store::Repo, backend: &str) -> Vec<String> {
    let kept = repo.statistics_snapshot().await.unwrap();
    repo.rebuild_statistics().await.unwrap();
    assert_eq!(kept, repo.statistics_snapshot().await.unwrap(), "{backend}");
    kept
}

#[tokio::test]
async fn statistics_are_counted_as_operations_arrive_and_time_to_acceptance_is_suppressed() {
    use senda_core::casework::ReferralStatus;
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        w.server.key_organisation(&w.field).await;
        let field = w.server.field_device(&w.field, "frontera").await;
        let mut referrals = Vec::new();
        for i in 0..6 {
            referrals.push(field.refer(&format!("Niña {i}"), SHELTER).1);
        }
        field.refer("Niño", LEGAL);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let repo = w.server.repo.clone();
        let kept = counts_match_a_recount(&repo, backend).await;
        // Seven cases screened on the device, counted by their coarse fields only.
        assert_eq!(screenings_counted(&kept), 7, "{backend}: {kept:?}");
        assert!(
            kept.iter()
                .any(|r| r.starts_with("status|") && r.contains("|sent|")),
            "{backend}: {kept:?}"
        );

        // The shelter receives and accepts six: each took under a day.
        let shelter = w.server.device_in(&w.receiver, "albergue").await;
        for id in &referrals {
            for to in [ReferralStatus::Received, ReferralStatus::Accepted] {
                shelter
                    .client
                    .set_incoming_status(&shelter.vault, id, to)
                    .await
                    .unwrap();
            }
        }
        let kept = counts_match_a_recount(&repo, backend).await;
        let accepted: Vec<&String> = kept.iter().filter(|r| r.starts_with("accept|")).collect();
        assert_eq!(accepted.len(), 1, "{backend}: {kept:?}");
        assert!(accepted[0].contains("|0-1||6"), "{backend}: {accepted:?}");
        let page = w.root.get("/console/stats").await;
        let table = between(&page.body, "id=\"acceptance\"", "</table>").expect("the table");
        assert!(
            table.contains("0 a 1 día") && table.contains(">6<"),
            "{backend}: {table}"
        );
        // Closing one keeps its time to acceptance; the CSV is the table as shown.
        shelter
            .client
            .set_incoming_status(&shelter.vault, &referrals[0], ReferralStatus::Closed)
            .await
            .unwrap();
        let csv = w.root.get("/console/stats.csv?table=acceptance").await;
        assert_eq!(csv.status, 200, "{backend}");
        assert!(
            csv.body.contains("0 a 1 día,6,6"),
            "{backend}: {}",
            csv.body
        );

        // Routing the service that had no receiver moves its referral's count.
        let routes = format!("/console/org/{}/routes", w.receiver);
        let a = w
            .root
            .submit(
                &routes,
                &routes,
                &[("service", LEGAL), ("receiver", &w.receiver)],
            )
            .await;
        assert_eq!(a.status, 303, "{backend}: {}", a.body);
        let kept = counts_match_a_recount(&repo, backend).await;
        assert!(
            !kept
                .iter()
                .any(|r| r.starts_with(&format!("service|{}||", w.field))),
            "{backend}: nothing left without a receiver: {kept:?}"
        );

        // Its retention passed: the case whose referral closed is purged, and leaves the counts.
        repo.set_retention(w.field.clone(), 1).await.unwrap();
        let purged = repo
            .purge_expired(chrono::Utc::now() + chrono::Duration::days(3))
            .await
            .unwrap();
        assert_eq!(purged, 1, "{backend}");
        let kept = counts_match_a_recount(&repo, backend).await;
        assert_eq!(screenings_counted(&kept), 6, "{backend}: {kept:?}");
        w.server.stop().await;
    }
}

#[tokio::test]
async fn settings_reach_the_devices_at_their_next_sync() {
    use senda_core::VaultError;
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        let field = w.server.field_device(&w.field, "frontera").await;
        let settings = format!("/console/org/{}/settings", w.field);
        let a = w
            .org_admin
            .submit(
                &settings,
                &format!("{settings}/retention"),
                &[("days", "20")],
            )
            .await;
        assert_eq!(a.status, 303, "{backend}: {}", a.body);
        // Ten digits at least, no letters.
        let a = w
            .org_admin
            .submit(
                &settings,
                &format!("{settings}/pin"),
                &[("min_length", "10")],
            )
            .await;
        assert_eq!(a.status, 303, "{backend}: {}", a.body);
        let page = w.org_admin.get(&settings).await.body;
        assert!(
            page.contains("value=\"20\"") && page.contains("value=\"10\""),
            "{backend}"
        );
        assert!(
            w.org_admin
                .get("/console/audit")
                .await
                .body
                .contains("política de PIN"),
            "{backend}"
        );

        // Before its sync the device still takes a six-digit PIN.
        {
            let mut v = field.vault.lock().unwrap();
            v.change_pin("135790", "246802").unwrap();
            v.change_pin("246802", "135790").unwrap();
        }
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        {
            let mut v = field.vault.lock().unwrap();
            assert_eq!(
                v.casework().unwrap().retention_days().unwrap(),
                20,
                "{backend}"
            );
            assert!(
                matches!(
                    v.change_pin("135790", "246802"),
                    Err(VaultError::PinTooShort { min: 10 })
                ),
                "{backend}"
            );
            assert!(
                matches!(
                    v.change_pin("135790", "abcdefghijk"),
                    Err(VaultError::PinDigitsOnly)
                ),
                "{backend}"
            );
            v.change_pin("135790", "1357924680").unwrap();
        }
        w.server.stop().await;
    }
}

#[tokio::test]
async fn each_device_reports_itself_at_every_sync_and_a_shorter_audit_log_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let mut w = world(repo).await;
        let field = w.server.field_device(&w.field, "frontera").await;
        field.refer("Niña", SHELTER);
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let devices = format!("/console/org/{}/devices", w.field);
        let page = w.org_admin.get(&devices).await.body;
        let id = field.identity().device_id;
        let row = between(&page, &format!("data-device=\"{id}\""), "</tr>").unwrap();
        let (count, head) = field.vault.lock().unwrap().audit_head().unwrap();
        assert!(count > 0, "{backend}");
        assert!(
            row.contains(&format!("Aplicación {}", env!("CARGO_PKG_VERSION")))
                && row.contains("Contenido v1"),
            "{backend}: {row}"
        );
        assert!(
            row.contains(&format!("{count} entradas")) && row.contains(&head[..12]),
            "{backend}: {row}"
        );
        assert!(
            row.contains("data-pending>0<") && row.contains("data-held>0<"),
            "{backend}: {row}"
        );
        assert!(!row.contains("data-audit-dropped"), "{backend}: {row}");
        // The content page counts the devices on each version.
        let content = w.root.get("/console/content").await.body;
        let table = between(&content, "id=\"content-versions\"", "</table>").unwrap();
        assert!(table.contains("<td>1</td>"), "{backend}: {table}");

        // A report of fewer audit entries than before (a truncated log) is flagged,
        // and stays flagged after the next honest sync.
        let forged = senda_protocol::DeviceReport {
            protocol: senda_protocol::PROTOCOL_VERSION,
            app_version: "0".into(),
            content_version: Some(1),
            pending: 0,
            held: 0,
            audit_count: count - 1,
            audit_head: head.clone(),
        };
        let (status, _) = signed(
            &w.server.url(),
            &field,
            "/v1/device/report",
            senda_protocol::encode(&forged),
        )
        .await;
        assert_eq!(status, 204, "{backend}");
        field.client.sync(&field.vault, |_| {}).await.unwrap();
        let page = w.org_admin.get(&devices).await.body;
        let row = between(&page, &format!("data-device=\"{id}\""), "</tr>").unwrap();
        assert!(row.contains("data-audit-dropped"), "{backend}: {row}");
        assert!(row.contains("Registro más corto"), "{backend}: {row}");

        // Another device whose log is rewritten (same count, another head) is flagged too.
        let other = w.server.field_device(&w.field, "frontera").await;
        let (count, _) = other.vault.lock().unwrap().audit_head().unwrap();
        let forged = senda_protocol::DeviceReport {
            audit_count: count,
            audit_head: "0".repeat(64),
            ..forged
        };
        let (status, _) = signed(
            &w.server.url(),
            &other,
            "/v1/device/report",
            senda_protocol::encode(&forged),
        )
        .await;
        assert_eq!(status, 204, "{backend}");
        let page = w.org_admin.get(&devices).await.body;
        let row = between(
            &page,
            &format!("data-device=\"{}\"", other.identity().device_id),
            "</tr>",
        )
        .unwrap();
        assert!(row.contains("data-audit-dropped"), "{backend}: {row}");
        // An unsigned report is refused.
        let (status, _) = send(
            &w.server.url(),
            &senda_core::sync::SignedRequest {
                path: "/v1/device/report".into(),
                body: senda_protocol::encode(&forged),
                headers: Vec::new(),
            },
        )
        .await;
        assert_eq!(status, 401, "{backend}");
        w.server.stop().await;
    }
}
