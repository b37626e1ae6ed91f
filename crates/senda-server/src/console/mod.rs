//! The web console at `/console/`: organisation administrators run Senda from
//! a browser. Server-rendered HTML (maud), one embedded stylesheet, SVG drawn
//! here; no JavaScript, no CDN, so it works on an office LAN with no internet.
//! See ARCHITECTURE.md, "The console".
// A handler's error is the refusal page itself, ready to send.
#![allow(clippy::result_large_err)]

pub mod auth;
mod chart;
pub mod db;
pub mod i18n;
mod pages;
pub mod stats;
mod stats_page;

use crate::store::{Refusal, Repo, StoreError};
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use db::{Account, Role, SessionRow};
use i18n::Lang;
pub(crate) use i18n::Tr;
use maud::{DOCTYPE, Markup, html};

/// Every refusal code the console shows (`console-error-<code>` in each language).
pub const ERROR_CODES: &[&str] = &[
    "login",
    "locked",
    "deactivated",
    "session",
    "csrf",
    "forbidden",
    "not-found",
    "unavailable",
    "password-mismatch",
    "password-short",
    "password-login",
    "password-wrong",
    "totp",
    "name",
    "team",
    "days",
    "login-name",
    "login-taken",
    "organisation",
    "service",
    "route-taken",
    "no-organisation-key",
    "version",
    "publisher",
    "filter",
    "staff-deactivated",
    "no-such-device",
    "retention",
    "pin-length",
    "pin-letters",
];

/// Notices after a form succeeded (`console-done-<code>`).
pub const DONE_CODES: &[&str] = &[
    "organisation-created",
    "account-deactivated",
    "content-announced",
    "staff-added",
    "staff-deactivated",
    "device-revoked",
    "service-routed",
    "retention-set",
    "pin-policy-set",
];

#[derive(Clone)]
pub struct Console {
    repo: Repo,
    /// Cookies get `Secure` (also whenever a proxy says the request came over https).
    https: bool,
}

/// The console's routes, to merge into the server's router.
pub fn router(repo: Repo) -> Router {
    let https = std::env::var("SENDA_CONSOLE_HTTPS").is_ok_and(|v| v == "1");
    let state = Console { repo, https };
    use pages::*;
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(home))
        .route("/console/style.css", get(style))
        .route("/console/lang/{code}", get(language))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route(
            "/console/password",
            get(password_page).post(change_password),
        )
        .route("/console/totp", get(totp_page).post(totp_submit))
        .route("/console/account", get(account_page))
        .route("/console/account/totp", post(account_totp))
        .route(
            "/console/organisations",
            get(organisations_page).post(create_organisation),
        )
        .route("/console/accounts", get(accounts_page).post(create_account))
        .route(
            "/console/accounts/{id}/deactivate",
            post(deactivate_account),
        )
        .route("/console/audit", get(audit_page))
        .route("/console/content", get(content_page).post(announce_content))
        .route("/console/org/{org}", get(overview_page))
        .route("/console/org/{org}/staff", get(staff_page).post(add_staff))
        .route(
            "/console/org/{org}/staff/{id}/deactivate",
            post(deactivate_staff),
        )
        .route("/console/org/{org}/staff/{id}/code", post(staff_code))
        .route("/console/org/{org}/codes", post(team_code))
        .route("/console/org/{org}/devices", get(devices_page))
        .route(
            "/console/org/{org}/devices/{id}/revoke",
            post(revoke_device),
        )
        .route(
            "/console/org/{org}/routes",
            get(routes_page).post(route_service),
        )
        .route("/console/org/{org}/keys", get(keys_page))
        .route("/console/org/{org}/referrals", get(referrals_page))
        .route("/console/org/{org}/settings", get(settings_page))
        .route("/console/org/{org}/settings/retention", post(set_retention))
        .route("/console/org/{org}/settings/pin", post(set_pin_policy))
        .route("/console/stats", get(stats_page::page))
        .route("/console/stats.csv", get(stats_page::csv))
        .with_state(state)
}

/// The first server administrator (`senda-server admin create-admin LOGIN`):
/// returns the one-time password, to be changed at first login.
pub async fn create_admin(repo: &Repo, login: String) -> Result<String, String> {
    if !auth::valid_login(&login) {
        return Err("LOGIN must be 3 to 40 of a-z, 0-9, '.', '_', '-'".into());
    }
    let password = auth::one_time_password();
    let hash = auth::hash_password(&password);
    let id = auth::random_id();
    let taken = repo
        .run(move |sql| {
            if db::account_by_login(sql, &login)?.is_some() {
                return Ok(true);
            }
            db::insert_account(sql, &id, &login, &Role::Server, &hash, &now())?;
            db::audit(
                sql,
                &auth::random_id(),
                "senda-server admin",
                None,
                "account-created",
                &login,
                &now(),
            )?;
            Ok(false)
        })
        .await
        .map_err(|e| e.to_string())?;
    if taken {
        return Err("an account with this login exists".into());
    }
    Ok(password)
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn minutes_ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Who is asking, at which step of logging in.
#[derive(Clone)]
pub(crate) struct Session {
    pub token_hash: String,
    pub row: SessionRow,
    pub account: Option<Account>,
}

/// A page's context: the language and a logged-in, fully verified administrator.
pub(crate) struct Ctx {
    pub tr: Tr,
    pub session: Session,
    pub account: Account,
    pub path: String,
}

impl Ctx {
    pub fn csrf(&self) -> &str {
        &self.session.row.csrf
    }
    pub fn is_server(&self) -> bool {
        self.account.role == Role::Server
    }
    /// May this administrator see organisation `org`? Server administrators: any.
    pub fn may(&self, org: &str) -> bool {
        match &self.account.role {
            Role::Server => true,
            Role::Organisation(mine) => mine == org,
        }
    }
}

impl Console {
    /// Runs `f` in one transaction (the tables are migration
    /// 002_console_accounts.sql). It writes only the console's own tables
    /// (`db.rs`), so it runs beside pushes: an anonymous visitor to the login
    /// page never holds up a device's sync. What changes records goes
    /// through `Repo`'s own methods.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl Fn(&mut dyn crate::store::sql::Sql) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.repo.run_apart(f).await
    }

    fn secure(&self, headers: &HeaderMap) -> bool {
        self.https
            || headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("https"))
    }

    /// The session named by the cookie, if still valid (idle and absolute
    /// expiry; an account deactivated since loses it).
    pub(crate) async fn session(&self, headers: &HeaderMap) -> Result<Option<Session>, StoreError> {
        let Some(token) = auth::cookie(headers, auth::COOKIE).map(str::to_owned) else {
            return Ok(None);
        };
        let token_hash = auth::token_hash(&token);
        self.run(move |sql| {
            db::purge_sessions(
                sql,
                &minutes_ago(auth::IDLE_MINUTES),
                &minutes_ago(auth::ABSOLUTE_HOURS * 60),
            )?;
            let Some(row) = db::session(sql, &token_hash)? else {
                return Ok(None);
            };
            let account = match &row.account_id {
                Some(id) => match db::account_by_id(sql, id)? {
                    Some(a) if a.active => Some(a),
                    _ => {
                        db::delete_session(sql, &token_hash)?;
                        return Ok(None);
                    }
                },
                None => None,
            };
            db::touch_session(sql, &token_hash, &now())?;
            Ok(Some(Session {
                token_hash: token_hash.clone(),
                row,
                account,
            }))
        })
        .await
    }

    /// A page for a logged-in administrator, or the way to the login page.
    pub(crate) async fn ctx(&self, headers: &HeaderMap, path: &str) -> Result<Ctx, Response> {
        let tr = tr(headers);
        let session = self
            .session(headers)
            .await
            .map_err(|e| store_error(tr, e))?;
        match session {
            Some(s) if s.row.stage == "ready" && s.account.is_some() => Ok(Ctx {
                tr,
                account: s.account.clone().expect("checked"),
                session: s,
                path: path.to_owned(),
            }),
            Some(s) if s.account.is_some() => Err(Redirect::to(match s.row.stage.as_str() {
                "password" => "/console/password",
                _ => "/console/totp",
            })
            .into_response()),
            _ => Err(Redirect::to("/console/login").into_response()),
        }
    }

    /// As [`Self::ctx`], for a form: a missing session or a wrong CSRF token is refused (403).
    pub(crate) async fn ctx_post(
        &self,
        headers: &HeaderMap,
        path: &str,
        form: &Form,
    ) -> Result<Ctx, Response> {
        let tr = tr(headers);
        let session = self
            .session(headers)
            .await
            .map_err(|e| store_error(tr, e))?;
        let Some(session) = session else {
            return Err(refusal(tr, StatusCode::FORBIDDEN, "session"));
        };
        if !auth::same_token(form.get("csrf"), &session.row.csrf) {
            return Err(refusal(tr, StatusCode::FORBIDDEN, "csrf"));
        }
        match (&session.account, session.row.stage.as_str()) {
            (Some(account), "ready") => Ok(Ctx {
                tr,
                account: account.clone(),
                session,
                path: path.to_owned(),
            }),
            _ => Err(refusal(tr, StatusCode::FORBIDDEN, "session")),
        }
    }

    /// Records an administrator's action (ids and codes only).
    pub(crate) async fn audit(
        &self,
        ctx: &Ctx,
        organisation: Option<&str>,
        action: &'static str,
        subject: &str,
    ) -> Result<(), StoreError> {
        let (actor, organisation, subject) = (
            ctx.account.login.clone(),
            organisation.map(str::to_owned),
            subject.to_owned(),
        );
        self.run(move |sql| {
            db::audit(
                sql,
                &auth::random_id(),
                &actor,
                organisation.as_deref(),
                action,
                &subject,
                &now(),
            )
        })
        .await
    }
}

/// A submitted form's fields.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct Form(pub std::collections::HashMap<String, String>);

impl Form {
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

pub(crate) fn tr(headers: &HeaderMap) -> Tr {
    Tr(Lang::negotiate(
        auth::cookie(headers, auth::LANG_COOKIE),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    ))
}

/// A refusal page: status, and the sentence for `code` in the reader's language.
pub(crate) fn refusal(tr: Tr, status: StatusCode, code: &str) -> Response {
    let body = html! {
        main class="narrow" {
            h1 { (tr.t("console-refused-heading")) }
            p class="error" role="alert" data-code=(code) { (tr.error(code)) }
            p { a href="/console/" { (tr.t("console-back-home")) } }
        }
    };
    (
        status,
        html_response(document(tr, &tr.t("console-refused-heading"), None, body)),
    )
        .into_response()
}

pub(crate) fn store_error(tr: Tr, e: StoreError) -> Response {
    match e {
        StoreError::Refused(r) => {
            let (status, code) = match r {
                Refusal::NoSuchOrganisation => (StatusCode::NOT_FOUND, "organisation"),
                Refusal::NoOrganisationKey => (StatusCode::CONFLICT, "no-organisation-key"),
                Refusal::NoSuchDevice => (StatusCode::NOT_FOUND, "no-such-device"),
                Refusal::NoSuchStaff => (StatusCode::NOT_FOUND, "not-found"),
                Refusal::StaffDeactivated => (StatusCode::CONFLICT, "staff-deactivated"),
                _ => (StatusCode::BAD_REQUEST, "not-found"),
            };
            refusal(tr, status, code)
        }
        other => {
            tracing::error!(error = %other, "console storage failed");
            refusal(tr, StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    }
}

/// The whole HTML document around a page's `main`.
pub(crate) fn document(tr: Tr, title: &str, nav: Option<Markup>, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(tr.0.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (tr.t("console-title")) }
                link rel="stylesheet" href="/console/style.css";
            }
            body {
                header class="top" {
                    a class="brand" href="/console/" { (tr.t("console-title")) }
                    nav aria-label=(tr.t("console-language")) class="langs" {
                        @for l in Lang::ALL {
                            @if l == tr.0 {
                                span aria-current="true" lang=(l.code()) { (l.code().to_uppercase()) }
                            } @else {
                                a href={"/console/lang/" (l.code())} lang=(l.code()) hreflang=(l.code()) { (l.code().to_uppercase()) }
                            }
                        }
                    }
                }
                @if let Some(nav) = nav { (nav) }
                (main)
            }
        }
    }
}

pub(crate) fn html_response(markup: Markup) -> Response {
    let mut r = markup.into_string().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    r
}
