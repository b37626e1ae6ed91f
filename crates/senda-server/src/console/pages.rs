//! The console's pages and forms. Every form is checked here, on the server;
//! a refusal is a page with a sentence in the reader's language.

use super::db::{self, Role};
use super::{Console, Ctx, Form, auth, document, html_response, now, refusal, store_error, tr};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use maud::{Markup, PreEscaped, html};
use std::collections::HashMap;

type Page = Result<Response, Response>;

const STYLE: &str = include_str!("style.css");

pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// Chooses the console's language (a cookie) and goes back to the page it came from.
pub async fn language(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let Some(lang) = super::i18n::Lang::parse(&code).filter(|l| l.code() == code) else {
        return refusal(tr(&headers), StatusCode::NOT_FOUND, "not-found");
    };
    // Only a path inside the console, never another site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("/console/").map(|i| r[i..].to_owned()))
        .filter(|p| !p.contains("//") && !p.contains('\\'))
        .unwrap_or_else(|| "/console/".into());
    let mut r = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}={}; Path=/console; SameSite=Strict; Max-Age=31536000",
        auth::LANG_COOKIE,
        lang.code()
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

fn with_cookie(mut r: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

fn notice(ctx: &Ctx, done: Option<&String>) -> Markup {
    html! {
        @if let Some(code) = done.filter(|c| super::DONE_CODES.contains(&c.as_str())) {
            p class="notice" role="status" { (ctx.tr.t(&format!("console-done-{code}"))) }
        }
    }
}

fn error_line(tr: super::Tr, code: Option<&str>) -> Markup {
    html! {
        @if let Some(code) = code {
            p class="error" role="alert" data-code=(code) { (tr.error(code)) }
        }
    }
}

fn csrf(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="csrf" value=(ctx.csrf()); }
}

/// The navigation: the organisation's pages, and the server administrator's.
fn nav(ctx: &Ctx, org: Option<(&str, &str)>) -> Markup {
    let t = |id: &str| ctx.tr.t(id);
    let link = |href: String, label: String| {
        let current = ctx.path == href;
        html! { li { a href=(href) aria-current=[current.then_some("page")] { (label) } } }
    };
    html! {
        nav class="main" aria-label=(t("console-nav")) {
            @if ctx.is_server() {
                ul class="server" {
                    (link("/console/organisations".into(), t("console-nav-organisations")))
                    (link("/console/accounts".into(), t("console-nav-accounts")))
                    (link("/console/content".into(), t("console-nav-content")))
                    (link("/console/stats".into(), t("console-nav-stats")))
                    (link("/console/audit".into(), t("console-nav-audit")))
                }
            }
            @if let Some((id, name)) = org {
                p class="org-name" { (name) }
                ul {
                    (link(format!("/console/org/{id}"), t("console-nav-overview")))
                    (link(format!("/console/org/{id}/staff"), t("console-nav-staff")))
                    (link(format!("/console/org/{id}/devices"), t("console-nav-devices")))
                    (link(format!("/console/org/{id}/routes"), t("console-nav-routes")))
                    (link(format!("/console/org/{id}/keys"), t("console-nav-keys")))
                    (link(format!("/console/org/{id}/referrals"), t("console-nav-referrals")))
                    (link(format!("/console/org/{id}/settings"), t("console-nav-settings")))
                    @if !ctx.is_server() {
                        (link(format!("/console/stats?org={id}"), t("console-nav-stats")))
                        (link("/console/audit".into(), t("console-nav-audit")))
                    }
                }
            }
            form method="post" action="/console/logout" class="logout" {
                (csrf(ctx))
                a href="/console/account" { (ctx.account.login) }
                " "
                button type="submit" class="link" { (t("console-logout")) }
            }
        }
    }
}

pub(crate) fn page(ctx: &Ctx, title: &str, org: Option<(&str, &str)>, body: Markup) -> Response {
    html_response(document(
        ctx.tr,
        title,
        Some(nav(ctx, org)),
        html! { main { h1 { (title) } (body) } },
    ))
}

fn forbidden(ctx: &Ctx) -> Response {
    refusal(ctx.tr, StatusCode::FORBIDDEN, "forbidden")
}

/// A form refused: the same kind of page, its reason, status 400.
fn invalid(ctx: &Ctx, code: &str) -> Response {
    refusal(ctx.tr, StatusCode::BAD_REQUEST, code)
}

/// Checks that the administrator may see `org` and that it exists; its name.
async fn organisation(state: &Console, ctx: &Ctx, org: &str) -> Result<String, Response> {
    if !ctx.may(org) {
        return Err(forbidden(ctx));
    }
    let id = org.to_owned();
    match state.run(move |sql| db::organisation_name(sql, &id)).await {
        Ok(Some(name)) => Ok(name),
        Ok(None) => Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "organisation")),
        Err(e) => Err(store_error(ctx.tr, e)),
    }
}

fn server_only(ctx: &Ctx) -> Result<(), Response> {
    if ctx.is_server() {
        Ok(())
    } else {
        Err(forbidden(ctx))
    }
}

fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

// ---------------------------------------------------------------- login

pub async fn home(State(state): State<Console>, headers: HeaderMap) -> Page {
    let ctx = state.ctx(&headers, "/console/").await?;
    Ok(match &ctx.account.role {
        Role::Server => Redirect::to("/console/organisations").into_response(),
        Role::Organisation(org) => Redirect::to(&format!("/console/org/{org}")).into_response(),
    })
}

fn login_form(tr: super::Tr, csrf: &str, error: Option<&str>, login: &str) -> Markup {
    document(
        tr,
        &tr.t("console-login-heading"),
        None,
        html! {
            main class="narrow" {
                h1 { (tr.t("console-login-heading")) }
                p { (tr.t("console-login-intro")) }
                (error_line(tr, error))
                form method="post" action="/console/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="login" { (tr.t("console-login-name")) }
                    input id="login" name="login" autocomplete="username" required value=(login);
                    label for="password" { (tr.t("console-password")) }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                    button type="submit" { (tr.t("console-login-submit")) }
                }
            }
        },
    )
}

/// The login page; an anonymous session carries the form's CSRF token.
pub async fn login_page(State(state): State<Console>, headers: HeaderMap) -> Page {
    let tr = tr(&headers);
    let session = state
        .session(&headers)
        .await
        .map_err(|e| store_error(tr, e))?;
    if let Some(s) = &session
        && s.row.stage == "ready"
    {
        return Ok(Redirect::to("/console/").into_response());
    }
    let (csrf, cookie) = match session {
        Some(s) if s.account.is_none() => (s.row.csrf, None),
        _ => {
            let (token, csrf) = (auth::random_token(), auth::random_token());
            let (h, c) = (auth::token_hash(&token), csrf.clone());
            state
                .run(move |sql| db::insert_session(sql, &h, None, &c, "anon", &now()))
                .await
                .map_err(|e| store_error(tr, e))?;
            (csrf, Some(auth::set_cookie(&token, state.secure(&headers))))
        }
    };
    let r = html_response(login_form(tr, &csrf, None, ""));
    Ok(match cookie {
        Some(c) => with_cookie(r, &c),
        None => r,
    })
}

fn next_stage(account: &db::Account) -> &'static str {
    if account.must_change_password {
        "password"
    } else if account.totp_secret.is_some() {
        "totp"
    } else if account.role == Role::Server {
        "totp-setup"
    } else {
        "ready"
    }
}

fn stage_page(stage: &str) -> &'static str {
    match stage {
        "password" => "/console/password",
        "totp" | "totp-setup" => "/console/totp",
        _ => "/console/",
    }
}

pub async fn login(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let tr = tr(&headers);
    let session = state
        .session(&headers)
        .await
        .map_err(|e| store_error(tr, e))?;
    let Some(session) = session else {
        return Err(refusal(tr, StatusCode::FORBIDDEN, "session"));
    };
    if !auth::same_token(form.get("csrf"), &session.row.csrf) {
        return Err(refusal(tr, StatusCode::FORBIDDEN, "csrf"));
    }
    let login = form.get("login").trim().to_lowercase();
    let password = form.get("password").to_owned();
    let again = |status: StatusCode, code: &str| {
        (
            status,
            html_response(login_form(tr, &session.row.csrf, Some(code), &login)),
        )
            .into_response()
    };
    let l = login.clone();
    let (failures, account) = state
        .run(move |sql| {
            Ok((
                db::failures_since(sql, &l, &super::minutes_ago(auth::LOCK_MINUTES))?,
                db::account_by_login(sql, &l)?,
            ))
        })
        .await
        .map_err(|e| store_error(tr, e))?;
    if failures >= auth::MAX_FAILURES {
        return Err(again(StatusCode::TOO_MANY_REQUESTS, "locked"));
    }
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, hash.as_deref()))
        .await
        .unwrap_or(false);
    let Some(account) = account.filter(|_| ok) else {
        let l = login.clone();
        state
            .run(move |sql| db::record_failure(sql, &l, &now()))
            .await
            .map_err(|e| store_error(tr, e))?;
        return Err(again(StatusCode::UNAUTHORIZED, "login"));
    };
    if !account.active {
        return Err(again(StatusCode::FORBIDDEN, "deactivated"));
    }
    // A fresh session on login: a token seen before login is worth nothing after.
    let (token, csrf) = (auth::random_token(), auth::random_token());
    let stage = next_stage(&account);
    let (old, new, id, l) = (
        session.token_hash.clone(),
        auth::token_hash(&token),
        account.id.clone(),
        login.clone(),
    );
    state
        .run(move |sql| {
            db::clear_failures(sql, &l)?;
            db::delete_session(sql, &old)?;
            db::insert_session(sql, &new, Some(&id), &csrf, stage, &now())?;
            db::audit(sql, &auth::random_id(), &l, None, "login", &l, &now())
        })
        .await
        .map_err(|e| store_error(tr, e))?;
    Ok(with_cookie(
        Redirect::to(stage_page(stage)).into_response(),
        &auth::set_cookie(&token, state.secure(&headers)),
    ))
}

pub async fn logout(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let tr = tr(&headers);
    let Some(session) = state
        .session(&headers)
        .await
        .map_err(|e| store_error(tr, e))?
    else {
        return Ok(Redirect::to("/console/login").into_response());
    };
    if !auth::same_token(form.get("csrf"), &session.row.csrf) {
        return Err(refusal(tr, StatusCode::FORBIDDEN, "csrf"));
    }
    let h = session.token_hash.clone();
    state
        .run(move |sql| db::delete_session(sql, &h))
        .await
        .map_err(|e| store_error(tr, e))?;
    Ok(with_cookie(
        Redirect::to("/console/login").into_response(),
        &auth::clear_cookie(state.secure(&headers)),
    ))
}

/// A session part-way through logging in, at `stage`.
async fn step(
    state: &Console,
    headers: &HeaderMap,
    stages: &[&str],
    form: Option<&Form>,
) -> Result<(super::Tr, super::Session, db::Account), Response> {
    let tr = tr(headers);
    let session = state
        .session(headers)
        .await
        .map_err(|e| store_error(tr, e))?;
    let Some(session) = session.filter(|s| s.account.is_some()) else {
        return Err(match form {
            Some(_) => refusal(tr, StatusCode::FORBIDDEN, "session"),
            None => Redirect::to("/console/login").into_response(),
        });
    };
    if let Some(form) = form
        && !auth::same_token(form.get("csrf"), &session.row.csrf)
    {
        return Err(refusal(tr, StatusCode::FORBIDDEN, "csrf"));
    }
    if !stages.contains(&session.row.stage.as_str()) {
        return Err(Redirect::to(stage_page(&session.row.stage)).into_response());
    }
    let account = session.account.clone().expect("filtered");
    Ok((tr, session, account))
}

fn password_form(tr: super::Tr, csrf: &str, error: Option<&str>) -> Markup {
    document(
        tr,
        &tr.t("console-password-heading"),
        None,
        html! {
            main class="narrow" {
                h1 { (tr.t("console-password-heading")) }
                p { (tr.args("console-password-intro", &[("min", FluentValue::from(auth::MIN_PASSWORD))])) }
                (error_line(tr, error))
                form method="post" action="/console/password" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="password" { (tr.t("console-password-new")) }
                    input id="password" name="password" type="password" autocomplete="new-password" required minlength=(auth::MIN_PASSWORD);
                    label for="repeat" { (tr.t("console-password-repeat")) }
                    input id="repeat" name="repeat" type="password" autocomplete="new-password" required;
                    button type="submit" { (tr.t("console-save")) }
                }
            }
        },
    )
}

pub async fn password_page(State(state): State<Console>, headers: HeaderMap) -> Page {
    let (tr, session, _) = step(&state, &headers, &["password"], None).await?;
    Ok(html_response(password_form(tr, &session.row.csrf, None)))
}

pub async fn change_password(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let (tr, session, account) = step(&state, &headers, &["password"], Some(&form)).await?;
    let password = form.get("password").to_owned();
    if let Some(code) = auth::password_problem(&account.login, &password, form.get("repeat")) {
        return Err((
            StatusCode::BAD_REQUEST,
            html_response(password_form(tr, &session.row.csrf, Some(code))),
        )
            .into_response());
    }
    // The one-time password cannot be kept as the new one.
    let (old, p) = (account.password_hash.clone(), password.clone());
    if tokio::task::spawn_blocking(move || auth::verify_password(&p, Some(&old)))
        .await
        .unwrap_or(false)
    {
        return Err((
            StatusCode::BAD_REQUEST,
            html_response(password_form(tr, &session.row.csrf, Some("password-wrong"))),
        )
            .into_response());
    }
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|_| refusal(tr, StatusCode::SERVICE_UNAVAILABLE, "unavailable"))?;
    let mut changed = account.clone();
    changed.must_change_password = false;
    let stage = next_stage(&changed);
    let (id, h, login) = (
        account.id.clone(),
        session.token_hash.clone(),
        account.login.clone(),
    );
    let org = match &account.role {
        Role::Organisation(o) => Some(o.clone()),
        Role::Server => None,
    };
    state
        .run(move |sql| {
            db::set_password(sql, &id, &hash)?;
            db::update_session(sql, &h, stage, None, &now())?;
            db::audit(
                sql,
                &auth::random_id(),
                &login,
                org.as_deref(),
                "password-changed",
                &login,
                &now(),
            )
        })
        .await
        .map_err(|e| store_error(tr, e))?;
    Ok(Redirect::to(stage_page(stage)).into_response())
}

fn qr_svg(text: &str, label: &str) -> Markup {
    let svg = qrcode::QrCode::new(text.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    // The SVG is made here from our own text; the label is escaped by maud.
    let escaped = html! { (label) }.into_string().replace('"', "&quot;");
    let svg = svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{escaped}\" focusable=\"false\" "),
        1,
    );
    html! { figure class="qr" { (PreEscaped(svg)) } }
}

fn totp_form(
    tr: super::Tr,
    csrf: &str,
    setup: Option<(&str, &str)>,
    error: Option<&str>,
) -> Markup {
    document(
        tr,
        &tr.t("console-totp-heading"),
        None,
        html! {
            main class="narrow" {
                h1 { (tr.t("console-totp-heading")) }
                @if let Some((secret, url)) = setup {
                    p { (tr.t("console-totp-setup-intro")) }
                    (qr_svg(url, &tr.t("console-totp-qr")))
                    p { (tr.t("console-totp-secret")) " " code class="secret" data-secret=(secret) { (secret) } }
                } @else {
                    p { (tr.t("console-totp-intro")) }
                }
                (error_line(tr, error))
                form method="post" action="/console/totp" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="code" { (tr.t("console-totp-code")) }
                    input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required;
                    button type="submit" { (tr.t("console-totp-submit")) }
                }
            }
        },
    )
}

/// Sets up (server administrators must) or asks for the second factor.
pub async fn totp_page(State(state): State<Console>, headers: HeaderMap) -> Page {
    let (tr, session, account) = step(&state, &headers, &["totp", "totp-setup"], None).await?;
    if session.row.stage == "totp" {
        return Ok(html_response(totp_form(tr, &session.row.csrf, None, None)));
    }
    let secret = match session.row.pending_totp.clone() {
        Some(s) => s,
        None => {
            let (s, h) = (auth::new_totp_secret(), session.token_hash.clone());
            let s2 = s.clone();
            state
                .run(move |sql| db::update_session(sql, &h, "totp-setup", Some(&s2), &now()))
                .await
                .map_err(|e| store_error(tr, e))?;
            s
        }
    };
    let url = auth::totp_url(&secret, &account.login);
    Ok(html_response(totp_form(
        tr,
        &session.row.csrf,
        Some((&secret, &url)),
        None,
    )))
}

pub async fn totp_submit(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let (tr, session, account) =
        step(&state, &headers, &["totp", "totp-setup"], Some(&form)).await?;
    let setup = session.row.stage == "totp-setup";
    let secret = if setup {
        session.row.pending_totp.clone()
    } else {
        account.totp_secret.clone()
    };
    let Some(secret) = secret else {
        return Ok(Redirect::to("/console/totp").into_response());
    };
    let unix = chrono::Utc::now().timestamp().max(0) as u64;
    let last = if setup { 0 } else { account.totp_last_step };
    let checked = auth::check_totp(&secret, &account.login, form.get("code"), last, unix);
    let (h, id, login) = (
        session.token_hash.clone(),
        account.id.clone(),
        account.login.clone(),
    );
    let org = match &account.role {
        Role::Organisation(o) => Some(o.clone()),
        Role::Server => None,
    };
    let Some(step) = checked else {
        // A wrong code counts as a failed login; too many end the session.
        let l = login.clone();
        let locked = state
            .run(move |sql| {
                db::record_failure(sql, &l, &now())?;
                let n = db::failures_since(sql, &l, &super::minutes_ago(auth::LOCK_MINUTES))?;
                if n >= auth::MAX_FAILURES {
                    db::delete_session(sql, &h)?;
                }
                Ok(n >= auth::MAX_FAILURES)
            })
            .await
            .map_err(|e| store_error(tr, e))?;
        if locked {
            return Err(refusal(tr, StatusCode::TOO_MANY_REQUESTS, "locked"));
        }
        let url = auth::totp_url(&secret, &account.login);
        let setup_view = setup.then_some((secret.as_str(), url.as_str()));
        return Err((
            StatusCode::BAD_REQUEST,
            html_response(totp_form(tr, &session.row.csrf, setup_view, Some("totp"))),
        )
            .into_response());
    };
    state
        .run(move |sql| {
            db::set_totp(sql, &id, Some(&secret), step)?;
            db::update_session(sql, &h, "ready", None, &now())?;
            db::clear_failures(sql, &login)?;
            if setup {
                db::audit(
                    sql,
                    &auth::random_id(),
                    &login,
                    org.as_deref(),
                    "totp-enabled",
                    &login,
                    &now(),
                )?;
            }
            Ok(())
        })
        .await
        .map_err(|e| store_error(tr, e))?;
    Ok(Redirect::to("/console/").into_response())
}

pub async fn account_page(State(state): State<Console>, headers: HeaderMap) -> Page {
    let ctx = state.ctx(&headers, "/console/account").await?;
    let org = match &ctx.account.role {
        Role::Organisation(o) => {
            let name = organisation(&state, &ctx, o).await?;
            Some((o.clone(), name))
        }
        Role::Server => None,
    };
    let t = |id: &str| ctx.tr.t(id);
    let body = html! {
        dl {
            dt { (t("console-login-name")) } dd { (ctx.account.login) }
            dt { (t("console-role")) } dd {
                @match &org { Some((_, name)) => { (t("console-role-organisation")) " · " (name) }, None => (t("console-role-server")) }
            }
            dt { (t("console-totp-heading")) } dd {
                @if ctx.account.totp_secret.is_some() { (t("console-totp-on")) } @else { (t("console-totp-off")) }
            }
        }
        @if ctx.account.totp_secret.is_none() {
            form method="post" action="/console/account/totp" {
                (csrf(&ctx))
                button type="submit" { (t("console-totp-enable")) }
            }
        }
    };
    let nav_org = org.as_ref().map(|(i, n)| (i.as_str(), n.as_str()));
    Ok(page(&ctx, &t("console-account-heading"), nav_org, body))
}

/// An organisation administrator turns on the second factor (offered, not required).
pub async fn account_totp(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let ctx = state.ctx_post(&headers, "/console/account", &form).await?;
    if ctx.account.totp_secret.is_some() {
        return Ok(Redirect::to("/console/account").into_response());
    }
    let h = ctx.session.token_hash.clone();
    state
        .run(move |sql| db::update_session(sql, &h, "totp-setup", None, &now()))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to("/console/totp").into_response())
}

// ---------------------------------------------------------------- server administrators

pub async fn organisations_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state.ctx(&headers, "/console/organisations").await?;
    server_only(&ctx)?;
    let orgs = state
        .run(db::organisations)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let body = html! {
        (notice(&ctx, q.get("done")))
        table {
            caption { (t("console-organisations-caption")) }
            thead { tr { th scope="col" { (t("console-name")) } th scope="col" { (t("console-key")) } } }
            tbody {
                @for o in &orgs {
                    tr {
                        td { a href={"/console/org/" (o.id)} { (o.name) } }
                        td { @if o.key_set { (t("console-key-set")) } @else { (t("console-key-missing")) } }
                    }
                }
            }
        }
        h2 { (t("console-organisation-new")) }
        form method="post" action="/console/organisations" {
            (csrf(&ctx))
            label for="name" { (t("console-name")) }
            input id="name" name="name" required maxlength="120";
            button type="submit" { (t("console-create")) }
        }
    };
    Ok(page(&ctx, &t("console-nav-organisations"), None, body))
}

/// A name of 1 to `max` characters, trimmed, without control characters.
fn checked_text(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control))
        .then(|| text.to_owned())
}

pub async fn create_organisation(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let ctx = state
        .ctx_post(&headers, "/console/organisations", &form)
        .await?;
    server_only(&ctx)?;
    let Some(name) = checked_text(form.get("name"), 120) else {
        return Err(invalid(&ctx, "name"));
    };
    let org = state
        .repo
        .create_organisation(name)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(&ctx, Some(&org.id), "organisation-created", &org.id)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to("/console/organisations?done=organisation-created").into_response())
}

pub async fn accounts_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state.ctx(&headers, "/console/accounts").await?;
    server_only(&ctx)?;
    accounts_view(&state, &ctx, q.get("done"), None).await
}

async fn accounts_view(
    state: &Console,
    ctx: &Ctx,
    done: Option<&String>,
    created: Option<(&str, &str)>,
) -> Page {
    let (accounts, orgs) = state
        .run(|sql| Ok((db::accounts(sql)?, db::organisations(sql)?)))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let body = html! {
        (notice(ctx, done))
        @if let Some((login, password)) = created {
            section class="once" aria-labelledby="once-h" {
                h2 id="once-h" { (t("console-account-created")) }
                p { (t("console-login-name")) ": " strong { (login) } }
                p { (t("console-one-time-password")) ": " code class="secret" data-password=(password) { (password) } }
                p { (t("console-one-time-password-hint")) }
            }
        }
        table {
            caption { (t("console-accounts-caption")) }
            thead { tr {
                th scope="col" { (t("console-login-name")) }
                th scope="col" { (t("console-role")) }
                th scope="col" { (t("console-totp-heading")) }
                th scope="col" { (t("console-state")) }
                th scope="col" { span class="visually-hidden" { (t("console-actions")) } }
            } }
            tbody {
                @for a in &accounts {
                    tr {
                        td { (a.login) }
                        td { @match &a.organisation { Some(o) => { (t("console-role-organisation")) " · " (o) }, None => (t("console-role-server")) } }
                        td { @if a.totp { (t("console-totp-on")) } @else { (t("console-totp-off")) } }
                        td { @if a.active { (t("console-active")) } @else { (t("console-deactivated")) } }
                        td {
                            @if a.active && a.id != ctx.account.id {
                                form method="post" action={"/console/accounts/" (a.id) "/deactivate"} {
                                    (csrf(ctx))
                                    button type="submit" class="danger" aria-label={(t("console-deactivate")) " " (a.login)} { (t("console-deactivate")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t("console-account-new")) }
        form method="post" action="/console/accounts" {
            (csrf(ctx))
            label for="login" { (t("console-login-name")) }
            input id="login" name="login" required pattern="[a-z0-9._\\-]{3,40}" aria-describedby="login-hint";
            p id="login-hint" class="hint" { (t("console-login-name-hint")) }
            label for="organisation" { (t("console-role")) }
            select id="organisation" name="organisation" {
                @for o in &orgs { option value=(o.id) { (t("console-role-organisation")) " · " (o.name) } }
                option value="server" { (t("console-role-server")) }
            }
            button type="submit" { (t("console-create")) }
        }
    };
    Ok(page(ctx, &t("console-nav-accounts"), None, body))
}

pub async fn create_account(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let ctx = state.ctx_post(&headers, "/console/accounts", &form).await?;
    server_only(&ctx)?;
    let login = form.get("login").trim().to_owned();
    if !auth::valid_login(&login) {
        return Err(invalid(&ctx, "login-name"));
    }
    let role = match form.get("organisation") {
        "server" => Role::Server,
        org => Role::Organisation(org.to_owned()),
    };
    let password = auth::one_time_password();
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&p))
        .await
        .map_err(|_| refusal(ctx.tr, StatusCode::SERVICE_UNAVAILABLE, "unavailable"))?;
    let (l, r) = (login.clone(), role.clone());
    let outcome = state
        .run(move |sql| {
            if let Role::Organisation(o) = &r
                && db::organisation_name(sql, o)?.is_none()
            {
                return Ok(Some("organisation"));
            }
            if db::account_by_login(sql, &l)?.is_some() {
                return Ok(Some("login-taken"));
            }
            db::insert_account(sql, &auth::random_id(), &l, &r, &hash, &now())?;
            Ok(None)
        })
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    if let Some(code) = outcome {
        return Err(invalid(&ctx, code));
    }
    let org = match &role {
        Role::Organisation(o) => Some(o.as_str()),
        Role::Server => None,
    };
    state
        .audit(&ctx, org, "account-created", &login)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    accounts_view(&state, &ctx, None, Some((&login, &password))).await
}

pub async fn deactivate_account(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let ctx = state.ctx_post(&headers, "/console/accounts", &form).await?;
    server_only(&ctx)?;
    if id == ctx.account.id {
        return Err(forbidden(&ctx));
    }
    let i = id.clone();
    let found = state
        .run(move |sql| {
            let Some(a) = db::account_by_id(sql, &i)? else {
                return Ok(None);
            };
            db::deactivate_account(sql, &i, &now())?;
            Ok(Some(a))
        })
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let Some(account) = found else {
        return Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "not-found"));
    };
    let org = match &account.role {
        Role::Organisation(o) => Some(o.as_str()),
        Role::Server => None,
    };
    state
        .audit(&ctx, org, "account-deactivated", &account.login)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to("/console/accounts?done=account-deactivated").into_response())
}

pub async fn audit_page(State(state): State<Console>, headers: HeaderMap) -> Page {
    let ctx = state.ctx(&headers, "/console/audit").await?;
    let org = match &ctx.account.role {
        Role::Organisation(o) => Some(o.clone()),
        Role::Server => None,
    };
    let name = match &org {
        Some(o) => Some(organisation(&state, &ctx, o).await?),
        None => None,
    };
    let o = org.clone();
    let rows = state
        .run(move |sql| db::audit_log(sql, o.as_deref(), 500))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let body = html! {
        p { (t("console-audit-intro")) }
        table {
            caption { (t("console-audit-caption")) }
            thead { tr {
                th scope="col" { (t("console-when")) }
                th scope="col" { (t("console-who")) }
                th scope="col" { (t("console-what")) }
                th scope="col" { (t("console-subject")) }
                th scope="col" { (t("console-organisation")) }
            } }
            tbody {
                @for r in &rows {
                    tr {
                        td { (short_time(&r.at)) }
                        td { (r.actor) }
                        td { (ctx.tr.t(&format!("console-action-{}", r.action))) }
                        td { code { (r.subject) } }
                        td { (r.organisation.clone().unwrap_or_default()) }
                    }
                }
            }
        }
    };
    let nav_org = org.as_deref().zip(name.as_deref());
    Ok(page(&ctx, &t("console-nav-audit"), nav_org, body))
}

pub async fn content_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state.ctx(&headers, "/console/content").await?;
    server_only(&ctx)?;
    let versions = state
        .run(db::content_versions)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let body = html! {
        (notice(&ctx, q.get("done")))
        p { (t("console-content-intro")) }
        h2 { (t("console-content-running")) }
        @if versions.is_empty() {
            p class="hint" { (t("console-content-versions-unknown")) }
        } @else {
            table id="content-versions" {
                caption class="visually-hidden" { (t("console-content-running")) }
                thead { tr { th scope="col" { (t("console-content-version")) } th scope="col" class="num" { (t("console-count")) } } }
                tbody {
                    @for (v, n) in &versions {
                        tr { td { @match v { Some(v) => (v), None => (t("console-content-none")) } } td class="num" { (n) } }
                    }
                }
            }
        }
        form method="post" action="/console/content" {
            (csrf(&ctx))
            label for="publisher" { (t("console-content-publisher")) }
            input id="publisher" name="publisher" required maxlength="80" value="senda-demo";
            label for="version" { (t("console-content-version")) }
            input id="version" name="version" required inputmode="numeric" pattern="[0-9]{1,9}";
            button type="submit" { (t("console-content-announce")) }
        }
    };
    Ok(page(&ctx, &t("console-nav-content"), None, body))
}

pub async fn announce_content(
    State(state): State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let ctx = state.ctx_post(&headers, "/console/content", &form).await?;
    server_only(&ctx)?;
    let Some(publisher) = checked_text(form.get("publisher"), 80) else {
        return Err(invalid(&ctx, "publisher"));
    };
    let Some(version) = form
        .get("version")
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|v| *v >= 1)
    else {
        return Err(invalid(&ctx, "version"));
    };
    state
        .repo
        .announce_content(publisher.clone(), version)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(
            &ctx,
            None,
            "content-announced",
            &format!("{publisher} {version}"),
        )
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to("/console/content?done=content-announced").into_response())
}

// ---------------------------------------------------------------- one organisation

pub async fn overview_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
) -> Page {
    let ctx = state.ctx(&headers, &format!("/console/org/{org}")).await?;
    let name = organisation(&state, &ctx, &org).await?;
    let o = org.clone();
    let (key, devices, counts) = state
        .run(move |sql| {
            Ok((
                db::key_status(sql, &o)?,
                db::devices_of(sql, &o)?,
                db::referral_counts(sql, Some(&o))?,
            ))
        })
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let active = devices.iter().filter(|d| !d.revoked).count();
    let mut by_status: std::collections::BTreeMap<String, u64> = Default::default();
    for (status, _, n) in &counts {
        *by_status.entry(status.clone()).or_default() += n;
    }
    let body = html! {
        ul class="cards" {
            li { a href={"/console/org/" (org) "/devices"} { strong { (active) } " " (t("console-devices-active")) } }
            li { a href={"/console/org/" (org) "/keys"} {
                @if key.set_at.is_some() { (t("console-key-set")) } @else { (t("console-key-missing")) }
            } }
            li { a href={"/console/org/" (org) "/referrals"} { strong { (by_status.values().sum::<u64>()) } " " (t("console-referrals-total")) } }
        }
        (status_table(&ctx, &by_status))
    };
    Ok(page(&ctx, &name, Some((&org, &name)), body))
}

fn status_table(ctx: &Ctx, by_status: &std::collections::BTreeMap<String, u64>) -> Markup {
    let t = |id: &str| ctx.tr.t(id);
    html! {
        table {
            caption { (t("console-referrals-by-status")) }
            thead { tr { th scope="col" { (t("console-status")) } th scope="col" class="num" { (t("console-count")) } } }
            tbody {
                @for (status, n) in by_status {
                    tr { td { (ctx.tr.t(&format!("console-status-{status}"))) } td class="num" { (n) } }
                }
            }
        }
    }
}

pub async fn staff_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state
        .ctx(&headers, &format!("/console/org/{org}/staff"))
        .await?;
    let name = organisation(&state, &ctx, &org).await?;
    staff_view(&state, &ctx, &org, &name, q.get("done"), None).await
}

/// A code just made: its text, expiry and QR code (shown once; only its hash is kept).
struct NewCode {
    code: String,
    days: i64,
    holder: String,
}

async fn staff_view(
    state: &Console,
    ctx: &Ctx,
    org: &str,
    name: &str,
    done: Option<&String>,
    code: Option<(NewCode, String)>,
) -> Page {
    let staff = state
        .repo
        .staff_of(org.to_owned())
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let days_select = |id: String| {
        html! {
            label for=(id) { (t("console-code-days")) }
            select id=(id) name="days" {
                @for d in [1, 3, 7, 14, 30] { option value=(d) selected[d == 7] { (d) } }
            }
        }
    };
    let body = html! {
        (notice(ctx, done))
        @if let Some((c, server)) = &code {
            section class="once" aria-labelledby="code-h" {
                h2 id="code-h" { (t("console-code-made")) }
                p { (c.holder) }
                p class="code" { code data-code=(c.code) { (c.code) } }
                p { (ctx.tr.args("console-code-expires", &[
                    ("days", FluentValue::from(c.days)),
                    ("date", FluentValue::from(short_time(&(chrono::Utc::now() + chrono::Duration::days(c.days)).to_rfc3339()))),
                ])) }
                (qr_svg(&format!("senda://enrol?server={}&code={}", server, c.code), &t("console-code-qr")))
                p class="hint" { (t("console-code-once")) }
            }
        }
        table {
            caption { (t("console-staff-caption")) }
            thead { tr {
                th scope="col" { (t("console-name")) }
                th scope="col" { (t("console-team")) }
                th scope="col" class="num" { (t("console-devices-active")) }
                th scope="col" { (t("console-state")) }
                th scope="col" { span class="visually-hidden" { (t("console-actions")) } }
            } }
            tbody {
                @for s in &staff {
                    tr {
                        td { (s.name) }
                        td { (s.team) }
                        td class="num" { (s.devices) }
                        td { @if s.active { (t("console-active")) } @else { (t("console-deactivated")) } }
                        td class="actions" {
                            @if s.active {
                                form method="post" action={"/console/org/" (org) "/staff/" (s.id) "/code"} {
                                    (csrf(ctx))
                                    input type="hidden" name="days" value="7";
                                    button type="submit" aria-label={(t("console-code-for")) " " (s.name)} { (t("console-code-make")) }
                                }
                                form method="post" action={"/console/org/" (org) "/staff/" (s.id) "/deactivate"} {
                                    (csrf(ctx))
                                    button type="submit" class="danger" aria-label={(t("console-deactivate")) " " (s.name)} { (t("console-deactivate")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        p class="hint" { (t("console-deactivate-hint")) }
        div class="columns" {
            section aria-labelledby="add-h" {
                h2 id="add-h" { (t("console-staff-new")) }
                form method="post" action={"/console/org/" (org) "/staff"} {
                    (csrf(ctx))
                    label for="staff-name" { (t("console-name")) }
                    input id="staff-name" name="name" required maxlength="120";
                    label for="staff-team" { (t("console-team")) }
                    input id="staff-team" name="team" required maxlength="60";
                    button type="submit" { (t("console-staff-add")) }
                }
            }
            section aria-labelledby="team-h" {
                h2 id="team-h" { (t("console-code-team")) }
                form method="post" action={"/console/org/" (org) "/codes"} {
                    (csrf(ctx))
                    label for="code-team" { (t("console-team")) }
                    input id="code-team" name="team" required maxlength="60";
                    (days_select("code-days".into()))
                    button type="submit" { (t("console-code-make")) }
                }
            }
        }
    };
    Ok(page(ctx, &t("console-nav-staff"), Some((org, name)), body))
}

fn checked_days(form: &Form) -> Option<i64> {
    form.get("days")
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=90).contains(d))
}

/// The address devices reach this server at, as the browser reached it.
fn server_address(headers: &HeaderMap, https: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("127.0.0.1:8787");
    format!("{}://{host}", if https { "https" } else { "http" })
}

pub async fn add_staff(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/staff");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    organisation(&state, &ctx, &org).await?;
    let Some(name) = checked_text(form.get("name"), 120) else {
        return Err(invalid(&ctx, "name"));
    };
    let Some(team) = checked_text(form.get("team"), 60) else {
        return Err(invalid(&ctx, "team"));
    };
    let staff = state
        .repo
        .create_staff(org.clone(), team, name)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(&ctx, Some(&org), "staff-added", &staff.id)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to(&format!("{path}?done=staff-added")).into_response())
}

/// The staff account must belong to `org` (an id from another organisation is refused).
async fn own_staff(state: &Console, ctx: &Ctx, org: &str, id: &str) -> Result<(), Response> {
    let i = id.to_owned();
    match state.run(move |sql| db::owner_of_staff(sql, &i)).await {
        Ok(Some(owner)) if owner == org => Ok(()),
        Ok(Some(_)) => Err(forbidden(ctx)),
        Ok(None) => Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "not-found")),
        Err(e) => Err(store_error(ctx.tr, e)),
    }
}

pub async fn deactivate_staff(
    State(state): State<Console>,
    headers: HeaderMap,
    Path((org, id)): Path<(String, String)>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/staff");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    organisation(&state, &ctx, &org).await?;
    own_staff(&state, &ctx, &org, &id).await?;
    let revoked = state
        .repo
        .deactivate_staff(id.clone())
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(
            &ctx,
            Some(&org),
            "staff-deactivated",
            &format!("{id} ({revoked})"),
        )
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to(&format!("{path}?done=staff-deactivated")).into_response())
}

pub async fn staff_code(
    State(state): State<Console>,
    headers: HeaderMap,
    Path((org, id)): Path<(String, String)>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/staff");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    let name = organisation(&state, &ctx, &org).await?;
    own_staff(&state, &ctx, &org, &id).await?;
    let Some(days) = checked_days(&form) else {
        return Err(invalid(&ctx, "days"));
    };
    let code = state
        .repo
        .staff_enrolment_code(id.clone(), days)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(&ctx, Some(&org), "code-made", &format!("staff {id}"))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let holder = state
        .repo
        .staff_of(org.clone())
        .await
        .ok()
        .and_then(|s| s.into_iter().find(|s| s.id == id))
        .map(|s| format!("{} · {}", s.name, s.team))
        .unwrap_or_default();
    let server = server_address(&headers, state.secure(&headers));
    let made = NewCode { code, days, holder };
    staff_view(&state, &ctx, &org, &name, None, Some((made, server))).await
}

pub async fn team_code(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/staff");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    let name = organisation(&state, &ctx, &org).await?;
    let Some(team) = checked_text(form.get("team"), 60) else {
        return Err(invalid(&ctx, "team"));
    };
    let Some(days) = checked_days(&form) else {
        return Err(invalid(&ctx, "days"));
    };
    let code = state
        .repo
        .create_enrolment_code(org.clone(), team.clone(), days)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(&ctx, Some(&org), "code-made", &format!("team {team}"))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let server = server_address(&headers, state.secure(&headers));
    let holder = format!("{} · {team}", ctx.tr.t("console-team"));
    let made = NewCode { code, days, holder };
    staff_view(&state, &ctx, &org, &name, None, Some((made, server))).await
}

pub async fn devices_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state
        .ctx(&headers, &format!("/console/org/{org}/devices"))
        .await?;
    let name = organisation(&state, &ctx, &org).await?;
    let o = org.clone();
    let devices = state
        .run(move |sql| db::devices_of(sql, &o))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let body = html! {
        (notice(&ctx, q.get("done")))
        p class="hint" { (t("console-devices-reported")) }
        div class="scroll" {
        table id="devices" {
            caption { (t("console-devices-caption")) }
            thead { tr {
                th scope="col" { (t("console-device")) }
                th scope="col" { (t("console-staff")) }
                th scope="col" { (t("console-team")) }
                th scope="col" { (t("console-last-sync")) }
                th scope="col" { (t("console-versions")) }
                th scope="col" { (t("console-pending")) " / " (t("console-held")) }
                th scope="col" { (t("console-audit-log")) }
                th scope="col" { (t("console-state")) }
                th scope="col" { span class="visually-hidden" { (t("console-actions")) } }
            } }
            tbody {
                @for d in &devices {
                    tr data-device=(d.id) {
                        td { (d.name) br; small { code { (d.id.get(..8).unwrap_or(&d.id)) } } }
                        td { (d.staff.clone().unwrap_or_else(|| "—".into())) }
                        td { (d.team) }
                        td { @match &d.last_contact { Some(at) => (short_time(at)), None => (t("console-never")) } }
                        @match &d.report {
                            Some(r) => {
                                td data-versions {
                                    (ctx.tr.args("console-app-version", &[("version", FluentValue::from(r.app_version.as_str()))]))
                                    br;
                                    @match r.content_version {
                                        Some(v) => (ctx.tr.args("console-content-version-n", &[("version", FluentValue::from(v))])),
                                        None => (t("console-content-none")),
                                    }
                                }
                                td class="num" {
                                    span data-pending { (r.pending) } " / " span data-held { (r.held) }
                                    @if d.held_here > 0 { br; small { (ctx.tr.args("console-held-here", &[("count", FluentValue::from(d.held_here))])) } }
                                }
                                td data-audit {
                                    (ctx.tr.args("console-audit-entries", &[("count", FluentValue::from(r.audit_count))]))
                                    br;
                                    small { code title=(r.audit_head) { (r.audit_head.get(..12).unwrap_or(&r.audit_head)) } }
                                    @if let Some(at) = &r.audit_dropped_at {
                                        br;
                                        strong class="error" data-audit-dropped { (ctx.tr.args("console-audit-dropped", &[("at", FluentValue::from(short_time(at)))])) }
                                    }
                                }
                            }
                            None => {
                                td colspan="3" class="hint" { (t("console-not-reported")) }
                            }
                        }
                        td {
                            @if d.revoked { (t("console-revoked")) } @else { (t("console-active")) }
                            br;
                            small { @if d.key_granted { (t("console-key-granted")) } @else { (t("console-key-waiting")) } }
                        }
                        td {
                            @if !d.revoked {
                                form method="post" action={"/console/org/" (org) "/devices/" (d.id) "/revoke"} {
                                    (csrf(&ctx))
                                    button type="submit" class="danger" aria-label={(t("console-revoke")) " " (d.name)} { (t("console-revoke")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        p class="hint" { (t("console-revoke-hint")) }
    };
    Ok(page(
        &ctx,
        &t("console-nav-devices"),
        Some((&org, &name)),
        body,
    ))
}

pub async fn revoke_device(
    State(state): State<Console>,
    headers: HeaderMap,
    Path((org, id)): Path<(String, String)>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/devices");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    organisation(&state, &ctx, &org).await?;
    let i = id.clone();
    match state.run(move |sql| db::owner_of_device(sql, &i)).await {
        Ok(Some(owner)) if owner == org => {}
        Ok(Some(_)) => return Err(forbidden(&ctx)),
        Ok(None) => return Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "no-such-device")),
        Err(e) => return Err(store_error(ctx.tr, e)),
    }
    if !state
        .repo
        .revoke_device(id.clone())
        .await
        .map_err(|e| store_error(ctx.tr, e))?
    {
        return Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "no-such-device"));
    }
    state
        .audit(&ctx, Some(&org), "device-revoked", &id)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to(&format!("{path}?done=device-revoked")).into_response())
}

pub async fn settings_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state
        .ctx(&headers, &format!("/console/org/{org}/settings"))
        .await?;
    let name = organisation(&state, &ctx, &org).await?;
    let o = org.clone();
    let (retention, pin) = state
        .run(move |sql| db::organisation_settings(sql, &o))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let floor = senda_protocol::PIN_MIN_LENGTH_FLOOR;
    let ceiling = senda_protocol::PIN_MIN_LENGTH_CEILING;
    let (min_length, letters) = pin.unwrap_or((i64::from(floor), true));
    let body = html! {
        (notice(&ctx, q.get("done")))
        p { (t("console-settings-intro")) }
        h2 { (t("console-settings-retention")) }
        p class="hint" { (t("console-settings-retention-hint")) }
        form method="post" action={"/console/org/" (org) "/settings/retention"} {
            (csrf(&ctx))
            label for="days" { (t("console-settings-retention-days")) }
            input id="days" name="days" type="number" min="1" max="365" required value=[retention];
            @if retention.is_none() { p class="hint" { (t("console-settings-retention-unset")) } }
            button type="submit" { (t("console-save")) }
        }
        h2 { (t("console-settings-pin")) }
        p class="hint" { (ctx.tr.args("console-settings-pin-hint", &[("floor", FluentValue::from(floor)), ("ceiling", FluentValue::from(ceiling))])) }
        form method="post" action={"/console/org/" (org) "/settings/pin"} {
            (csrf(&ctx))
            label for="min_length" { (t("console-settings-pin-length")) }
            input id="min_length" name="min_length" type="number" min=(floor) max=(ceiling) required value=(min_length);
            div class="check" {
                input id="letters" name="letters" type="checkbox" value="1" checked[letters];
                label for="letters" { (t("console-settings-pin-letters")) }
            }
            @if pin.is_none() { p class="hint" { (t("console-settings-pin-unset")) } }
            button type="submit" { (t("console-save")) }
        }
    };
    Ok(page(
        &ctx,
        &t("console-nav-settings"),
        Some((&org, &name)),
        body,
    ))
}

pub async fn set_retention(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/settings");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    organisation(&state, &ctx, &org).await?;
    let Some(days) = form
        .get("days")
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=365).contains(d))
    else {
        return Err(invalid(&ctx, "retention"));
    };
    state
        .repo
        .set_retention(org.clone(), days)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(&ctx, Some(&org), "retention-set", &days.to_string())
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to(&format!("{path}?done=retention-set")).into_response())
}

pub async fn set_pin_policy(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/settings");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    organisation(&state, &ctx, &org).await?;
    let policy = form
        .get("min_length")
        .trim()
        .parse::<u32>()
        .ok()
        .map(|min_length| senda_protocol::PinPolicy {
            min_length,
            letters_allowed: false,
        })
        .filter(senda_protocol::PinPolicy::valid);
    let Some(mut policy) = policy else {
        return Err(invalid(&ctx, "pin-length"));
    };
    policy.letters_allowed = match form.get("letters") {
        "" => false,
        "1" => true,
        _ => return Err(invalid(&ctx, "pin-letters")),
    };
    state
        .repo
        .set_pin_policy(org.clone(), policy)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let subject = format!(
        "{} {}",
        policy.min_length,
        if policy.letters_allowed {
            "letters"
        } else {
            "digits"
        }
    );
    state
        .audit(&ctx, Some(&org), "pin-policy-set", &subject)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to(&format!("{path}?done=pin-policy-set")).into_response())
}

/// A directory service id: 1 to 100 of a–z, 0–9, `.`, `_`, `:`, `-`.
fn valid_service(id: &str) -> bool {
    (1..=100).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._:-".contains(c))
}

pub async fn routes_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state
        .ctx(&headers, &format!("/console/org/{org}/routes"))
        .await?;
    let name = organisation(&state, &ctx, &org).await?;
    let (routes, unrouted, orgs) = state
        .run(|sql| {
            Ok((
                db::routes(sql)?,
                db::unrouted_services(sql)?,
                db::organisations(sql)?,
            ))
        })
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let search = q
        .get("q")
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let matches = |s: &str| search.is_empty() || s.contains(&search);
    let t = |id: &str| ctx.tr.t(id);
    let receivers: Vec<_> = orgs
        .iter()
        .filter(|o| o.key_set && (ctx.is_server() || o.id == org))
        .collect();
    let body = html! {
        (notice(&ctx, q.get("done")))
        p { (t("console-routes-intro")) }
        form method="get" action={"/console/org/" (org) "/routes"} role="search" {
            label for="q" { (t("console-routes-search")) }
            input id="q" name="q" type="search" value=(search);
            button type="submit" { (t("console-search")) }
        }
        h2 { (t("console-routes-unrouted")) }
        p class="hint" { (t("console-routes-unrouted-hint")) }
        ul class="services" {
            @for (service, n) in unrouted.iter().filter(|(s, _)| matches(s)) {
                li { code { (service) } " — " (ctx.tr.args("console-routes-referrals", &[("count", FluentValue::from(*n))])) }
            }
            @if unrouted.is_empty() { li { (t("console-none")) } }
        }
        h2 { (t("console-routes-routed")) }
        table {
            caption class="visually-hidden" { (t("console-routes-routed")) }
            thead { tr { th scope="col" { (t("console-service")) } th scope="col" { (t("console-receiver")) } } }
            tbody {
                @for r in routes.iter().filter(|r| matches(&r.service_id)) {
                    tr { td { code { (r.service_id) } } td { (r.organisation) } }
                }
            }
        }
        h2 { (t("console-route-new")) }
        @if receivers.is_empty() {
            p class="error" { (ctx.tr.error("no-organisation-key")) }
        }
        form method="post" action={"/console/org/" (org) "/routes"} {
            (csrf(&ctx))
            label for="service" { (t("console-service")) }
            input id="service" name="service" required maxlength="100" pattern="[a-z0-9._:\\-]{1,100}" list="known-services" aria-describedby="service-hint";
            datalist id="known-services" {
                @for (s, _) in &unrouted { option value=(s) {} }
                @for r in &routes { option value=(r.service_id) {} }
            }
            p id="service-hint" class="hint" { (t("console-service-hint")) }
            label for="receiver" { (t("console-receiver")) }
            select id="receiver" name="receiver" {
                @for o in &receivers { option value=(o.id) selected[o.id == org] { (o.name) } }
            }
            button type="submit" { (t("console-route-submit")) }
        }
    };
    Ok(page(
        &ctx,
        &t("console-nav-routes"),
        Some((&org, &name)),
        body,
    ))
}

pub async fn route_service(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    axum::Form(form): axum::Form<Form>,
) -> Page {
    let path = format!("/console/org/{org}/routes");
    let ctx = state.ctx_post(&headers, &path, &form).await?;
    organisation(&state, &ctx, &org).await?;
    let service = form.get("service").trim().to_owned();
    if !valid_service(&service) {
        return Err(invalid(&ctx, "service"));
    }
    let receiver = form.get("receiver").to_owned();
    // An organisation administrator routes services to their own organisation only,
    // and never takes a service another organisation already receives.
    if !ctx.may(&receiver) {
        return Err(forbidden(&ctx));
    }
    let s = service.clone();
    let current = state
        .run(move |sql| db::route_of(sql, &s))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    if !ctx.is_server() && current.as_ref().is_some_and(|c| *c != receiver) {
        return Err(refusal(ctx.tr, StatusCode::CONFLICT, "route-taken"));
    }
    state
        .repo
        .route_service(service.clone(), receiver.clone())
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    state
        .audit(&ctx, Some(&receiver), "service-routed", &service)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok(Redirect::to(&format!("{path}?done=service-routed")).into_response())
}

pub async fn keys_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
) -> Page {
    let ctx = state
        .ctx(&headers, &format!("/console/org/{org}/keys"))
        .await?;
    let name = organisation(&state, &ctx, &org).await?;
    let o = org.clone();
    let key = state
        .run(move |sql| db::key_status(sql, &o))
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let body = html! {
        p { (t("console-keys-intro")) }
        dl {
            dt { (t("console-key")) }
            dd { @match &key.set_at { Some(at) => { (t("console-key-set")) " · " (short_time(at)) }, None => (t("console-key-missing")) } }
            @if let Some(f) = &key.fingerprint {
                dt { (t("console-key-fingerprint")) } dd { code { (f) } }
            }
            @if let Some(serial) = key.serial {
                dt { (t("console-key-serial")) } dd { (serial) }
            }
            dt { (t("console-key-granted-count")) } dd { (key.granted) }
            dt { (t("console-key-waiting-count")) } dd { (key.waiting) }
        }
        @if key.set_at.is_none() { p class="hint" { (t("console-keys-how")) } }
        @if key.set_at.is_some() { p class="hint" { (t("console-keys-waiting-how")) } }
    };
    Ok(page(
        &ctx,
        &t("console-nav-keys"),
        Some((&org, &name)),
        body,
    ))
}

pub async fn referrals_page(
    State(state): State<Console>,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let ctx = state
        .ctx(&headers, &format!("/console/org/{org}/referrals"))
        .await?;
    let name = organisation(&state, &ctx, &org).await?;
    let days = match q.get("days") {
        None => 7,
        Some(d) => match d.parse::<i64>().ok().filter(|d| (1..=90).contains(d)) {
            Some(d) => d,
            None => return Err(invalid(&ctx, "days")),
        },
    };
    let before = (chrono::Utc::now() - chrono::Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let o = org.clone();
    let (counts, overdue) = state
        .run(move |sql| {
            Ok((
                db::referral_counts(sql, Some(&o))?,
                db::overdue_referrals(sql, &o, &before)?,
            ))
        })
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    let t = |id: &str| ctx.tr.t(id);
    let mut by_status: std::collections::BTreeMap<String, u64> = Default::default();
    let mut by_receiver: std::collections::BTreeMap<String, u64> = Default::default();
    for (status, receiver, n) in &counts {
        *by_status.entry(status.clone()).or_default() += n;
        let receiver = if receiver.is_empty() {
            t("console-no-receiver")
        } else {
            receiver.clone()
        };
        *by_receiver.entry(receiver).or_default() += n;
    }
    let body = html! {
        p class="hint" { (t("console-referrals-intro")) }
        div class="columns" {
            (status_table(&ctx, &by_status))
            table {
                caption { (t("console-referrals-by-receiver")) }
                thead { tr { th scope="col" { (t("console-receiver")) } th scope="col" class="num" { (t("console-count")) } } }
                tbody { @for (r, n) in &by_receiver { tr { td { (r) } td class="num" { (n) } } } }
            }
        }
        h2 { (ctx.tr.args("console-overdue-heading", &[("days", FluentValue::from(days))])) }
        form method="get" action={"/console/org/" (org) "/referrals"} class="filters" {
            div {
                label for="days" { (t("console-overdue-days")) }
                select id="days" name="days" {
                    @for d in [1, 3, 7, 14, 30, 60, 90] { option value=(d) selected[d == days] { (d) } }
                }
            }
            button type="submit" { (t("console-show")) }
        }
        table {
            caption class="visually-hidden" { (t("console-overdue-caption")) }
            thead { tr {
                th scope="col" { (t("console-code")) }
                th scope="col" { (t("console-service")) }
                th scope="col" { (t("console-since")) }
                th scope="col" { (t("console-status")) }
            } }
            tbody {
                @for r in &overdue {
                    tr {
                        td { code { (r.code) } }
                        td { code { (r.service_id) } }
                        td { (r.since.get(..10).unwrap_or(&r.since)) }
                        td { (ctx.tr.t(&format!("console-status-{}", r.status))) }
                    }
                }
                @if overdue.is_empty() { tr { td colspan="4" { (t("console-none")) } } }
            }
        }
    };
    Ok(page(
        &ctx,
        &t("console-nav-referrals"),
        Some((&org, &name)),
        body,
    ))
}
