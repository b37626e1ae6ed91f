//! The statistics page and its CSV: counts published only through
//! [`super::stats::publish`], with filters limited to predefined categories
//! and whole months (R9), and every export logged.

use super::db::{self, Role};
use super::pages;
use super::stats::{self, Hidden, Policy, Published, Table};
use super::{Console, Ctx, refusal, store_error};
use crate::store::counts::ACCEPT_BANDS;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Statuses in the order a referral moves through them.
const STATUSES: &[&str] = &[
    "draft",
    "queued",
    "sent",
    "received",
    "accepted",
    "first-contact",
    "service-provided",
    "closed",
    "declined",
    "withdrawn",
    "revoked",
];

/// How many services the "referred most" table lists.
const TOP_SERVICES: usize = 10;

struct Filters {
    /// `None`: every organisation (server administrators only).
    org: Option<String>,
    /// `None`: every month; else `YYYY-MM`.
    period: Option<String>,
    /// `None`: every country; else a code the screenings carry.
    country: Option<String>,
    policy: Policy,
    audience: &'static str,
}

struct Tables {
    filters: Filters,
    periods: Vec<String>,
    countries: Vec<String>,
    organisations: Vec<db::OrganisationRow>,
    by_status: Published,
    /// Accepted referrals by days from sent to accepted, and receiving organisation.
    acceptance: Published,
    services: Published,
    /// Screenings by risk × age band and by week × country; `None` until devices send coarse fields.
    screenings: Option<(Published, Published)>,
}

/// Reads the filters, refusing any value that is not one of the choices offered.
async fn tables(
    state: &Console,
    ctx: &Ctx,
    q: &HashMap<String, String>,
) -> Result<Tables, Response> {
    let org = match (
        q.get("org").map(String::as_str).filter(|o| !o.is_empty()),
        &ctx.account.role,
    ) {
        (None, Role::Server) => None,
        (None, Role::Organisation(mine)) => Some(mine.clone()),
        (Some(o), _) if ctx.may(o) => Some(o.to_owned()),
        (Some(_), _) => return Err(refusal(ctx.tr, StatusCode::FORBIDDEN, "forbidden")),
    };
    let (policy, audience) = match q.get("audience").map(String::as_str) {
        None | Some("internal") => (Policy::INTERNAL, "internal"),
        Some("external") => (Policy::EXTERNAL, "external"),
        Some(_) => return Err(refusal(ctx.tr, StatusCode::BAD_REQUEST, "filter")),
    };
    let (scope, whole_scope) = (org.clone(), ctx.is_server().then_some(()));
    let chosen = |name: &str| {
        q.get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty() && *v != "all")
            .map(str::to_owned)
    };
    let (country_asked, period_asked) = (chosen("country"), chosen("period"));
    // Filtered in the database: only the two small tables come back.
    let weeks = period_asked.as_deref().map(stats::weeks_of_month);
    let (facts, all_facts, (countries, weeks_seen), screened, all_screened, organisations) = state
        .run(move |sql| {
            let facts = db::referral_facts(sql, scope.as_deref())?;
            let choices = db::screening_choices(sql, scope.as_deref())?;
            let screened = db::screening_counts(
                sql,
                scope.as_deref(),
                country_asked.as_deref(),
                weeks.as_deref(),
            )?;
            // The widest view this administrator can also ask for, unfiltered (R9).
            let widest = match whole_scope {
                Some(()) => None,
                None => scope.as_deref(),
            };
            let all = match (whole_scope, &scope) {
                (Some(()), Some(_)) => db::referral_facts(sql, None)?,
                _ => facts.clone(),
            };
            let all_screened =
                if widest == scope.as_deref() && country_asked.is_none() && weeks.is_none() {
                    screened.clone()
                } else {
                    db::screening_counts(sql, widest, None, None)?
                };
            Ok((
                facts,
                all,
                choices,
                screened,
                all_screened,
                db::organisations(sql)?,
            ))
        })
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    if let Some(o) = &org
        && !organisations.iter().any(|x| &x.id == o)
    {
        return Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "organisation"));
    }
    let week_months = weeks_seen.iter().filter_map(|w| {
        stats::ScreeningFact {
            country: String::new(),
            week: w.clone(),
            age_band: String::new(),
            risk_level: String::new(),
            count: 0,
        }
        .month()
    });
    let periods: Vec<String> = facts
        .status
        .iter()
        .map(|f| f.month.clone())
        .chain(week_months)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .rev()
        .collect();
    let period = match chosen("period") {
        None => None,
        Some(p) if periods.contains(&p) => Some(p),
        Some(_) => return Err(refusal(ctx.tr, StatusCode::BAD_REQUEST, "filter")),
    };
    let country = match chosen("country") {
        None => None,
        Some(c) if countries.contains(&c) => Some(c),
        Some(_) => return Err(refusal(ctx.tr, StatusCode::BAD_REQUEST, "filter")),
    };
    let screenings = (!countries.is_empty()).then(|| {
        let (risk, week) = stats::screening_tables_of(&screened);
        let (all_risk, all_week) = stats::screening_tables_of(&all_screened);
        let mut risk = stats::publish(&risk, policy, Some(&all_risk));
        risk.rows = risk
            .rows
            .iter()
            .map(|r| ctx.tr.t(&format!("console-risk-{r}")))
            .collect();
        // Age bands are codes except «unknown», which is a word.
        risk.cols = risk
            .cols
            .iter()
            .map(|c| {
                if c == "unknown" {
                    ctx.tr.t("console-unknown")
                } else {
                    c.clone()
                }
            })
            .collect();
        (risk, stats::publish(&week, policy, Some(&all_week)))
    });
    let in_period = |f: &&db::ReferralFact| period.as_ref().is_none_or(|p| &f.month == p);
    let no_receiver = ctx.tr.t("console-no-receiver");
    let receiver = |r: &str| {
        if r.is_empty() {
            no_receiver.clone()
        } else {
            r.to_owned()
        }
    };

    // A breakdown (rows in the order given, those present only) by receiving organisation.
    type Fact = db::ReferralFact;
    let count = |facts: &[Fact], filter: bool, order: &[&str]| {
        let facts: Vec<&Fact> = facts.iter().filter(|f| !filter || in_period(f)).collect();
        let rows: Vec<String> = order
            .iter()
            .filter(|s| facts.iter().any(|f| f.value == **s))
            .map(|s| s.to_string())
            .collect();
        let cols: Vec<String> = facts
            .iter()
            .map(|f| receiver(&f.receiver))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let pairs: Vec<(String, String, u64)> = facts
            .iter()
            .map(|f| (f.value.clone(), receiver(&f.receiver), f.n))
            .collect();
        Table::count(
            &rows,
            &cols,
            pairs.iter().map(|(a, b, n)| (a.as_str(), b.as_str(), *n)),
        )
    };
    // Referrals by status and receiving organisation.
    let filtered = count(&facts.status, true, STATUSES);
    let unfiltered = count(&all_facts.status, false, STATUSES);
    let mut by_status = stats::publish(&filtered, policy, Some(&unfiltered));
    by_status.rows = by_status
        .rows
        .iter()
        .map(|s| ctx.tr.t(&format!("console-status-{s}")))
        .collect();

    // Time to acceptance: accepted referrals by days from sent to accepted.
    let bands: Vec<&str> = ACCEPT_BANDS.iter().map(|(_, b)| *b).collect();
    let mut acceptance = stats::publish(
        &count(&facts.accept, true, &bands),
        policy,
        Some(&count(&all_facts.accept, false, &bands)),
    );
    acceptance.rows = acceptance
        .rows
        .iter()
        .map(|b| {
            ctx.tr
                .t(&format!("console-accept-band-{}", b.replace('+', "-more")))
        })
        .collect();

    // Services referred most.
    let mut per_service: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_service_all: BTreeMap<String, u64> = BTreeMap::new();
    for f in facts.service.iter().filter(in_period) {
        *per_service.entry(f.value.clone()).or_default() += f.n;
    }
    for f in &all_facts.service {
        *per_service_all.entry(f.value.clone()).or_default() += f.n;
    }
    let mut ranked: Vec<(String, u64)> = per_service.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(TOP_SERVICES);
    let column = ctx.tr.t("console-stats-referrals");
    let top: BTreeMap<String, u64> = ranked.iter().cloned().collect();
    let top_all: BTreeMap<String, u64> = top
        .keys()
        .map(|k| (k.clone(), per_service_all.get(k).copied().unwrap_or(0)))
        .collect();
    let services = stats::publish(
        &stats::one_way(&top, &column),
        policy,
        Some(&stats::one_way(&top_all, &column)),
    );
    Ok(Tables {
        filters: Filters {
            org,
            period,
            country,
            policy,
            audience,
        },
        periods,
        countries,
        organisations,
        by_status,
        acceptance,
        services,
        screenings,
    })
}

fn table_html(ctx: &Ctx, id: &str, caption: &str, corner: &str, p: &Published) -> Markup {
    let t = |id: &str| ctx.tr.t(id);
    let cell = |c: stats::Cell| {
        html! {
            td class={"num" @if c.hidden().is_some() { " hidden" }}
               data-hidden=[c.hidden().map(|h| if h == Hidden::Small { "small" } else { "complement" })] {
                (c.text())
            }
        }
    };
    html! {
        div class="scroll" {
            table id=(id) {
                caption class="visually-hidden" { (caption) }
                thead { tr {
                    th scope="col" { (corner) }
                    @for c in &p.cols { th scope="col" class="num" { (c) } }
                    th scope="col" class="num" { (t("console-total")) }
                    th scope="col" class="num" { "%" }
                } }
                tbody {
                    @for (i, r) in p.rows.iter().enumerate() {
                        tr {
                            th scope="row" { (r) }
                            @for j in 0..p.cols.len() { (cell(p.cell(i, j))) }
                            (cell(p.row_total(i)))
                            td class="num" { @if let Some(pc) = p.row_percent(i) { (pc) "%" } }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" { (t("console-total")) }
                    @for j in 0..p.cols.len() { (cell(p.col_total(j))) }
                    (cell(p.total()))
                    td {}
                } }
            }
        }
    }
}

fn query_string(f: &Filters, table: &str) -> String {
    let mut q = vec![
        ("audience", f.audience.to_owned()),
        ("table", table.to_owned()),
    ];
    if let Some(o) = &f.org {
        q.push(("org", o.clone()));
    }
    if let Some(p) = &f.period {
        q.push(("period", p.clone()));
    }
    if let Some(c) = &f.country {
        q.push(("country", c.clone()));
    }
    serde_urlencoded::to_string(q).unwrap_or_default()
}

pub async fn page(
    State(state): State<Console>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Response> {
    let ctx = state.ctx(&headers, "/console/stats").await?;
    let tb = tables(&state, &ctx, &q).await?;
    let t = |id: &str| ctx.tr.t(id);
    let f = &tb.filters;
    let k = f.policy.k.to_string();
    let max = (f.policy.k - 1).to_string();
    let org_name = f
        .org
        .as_ref()
        .and_then(|o| tb.organisations.iter().find(|x| &x.id == o))
        .map(|o| o.name.clone());
    let chart_items: Vec<(String, stats::Cell)> = tb
        .by_status
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.clone(), tb.by_status.row_total(i)))
        .collect();
    let body = html! {
        p { (ctx.tr.args("console-stats-intro", &[("k", k.clone().into()), ("max", max.clone().into())])) }
        form method="get" action="/console/stats" class="filters" {
            @if ctx.is_server() {
                div {
                    label for="org" { (t("console-organisation")) }
                    select id="org" name="org" {
                        option value="" { (t("console-all")) }
                        @for o in &tb.organisations { option value=(o.id) selected[f.org.as_ref() == Some(&o.id)] { (o.name) } }
                    }
                }
            } @else if let Some(o) = &f.org {
                input type="hidden" name="org" value=(o);
            }
            div {
                label for="period" { (t("console-period")) }
                select id="period" name="period" {
                    option value="all" { (t("console-all")) }
                    @for p in &tb.periods { option value=(p) selected[f.period.as_ref() == Some(p)] { (p) } }
                }
            }
            div {
                label for="country" { (t("console-country")) }
                select id="country" name="country" {
                    option value="all" { (t("console-all")) }
                    @for c in &tb.countries { option value=(c) selected[f.country.as_ref() == Some(c)] { (c) } }
                }
            }
            div {
                label for="audience" { (t("console-audience")) }
                select id="audience" name="audience" {
                    option value="internal" selected[f.audience == "internal"] { (t("console-audience-internal")) }
                    option value="external" selected[f.audience == "external"] { (t("console-audience-external")) }
                }
            }
            button type="submit" { (t("console-show")) }
        }
        p class="legend" {
            (ctx.tr.args("console-stats-legend-small", &[("k", k.clone().into()), ("max", max.clone().into())])) " "
            (t("console-stats-legend-complement"))
            @if f.policy.round_base.is_some() { " " (t("console-stats-legend-rounded")) }
        }
        h2 { (t("console-stats-by-status")) }
        (table_html(&ctx, "by-status", &t("console-stats-by-status"), &t("console-status"), &tb.by_status))
        (super::chart::bars(&t("console-stats-chart-status"), &chart_items))
        p { a class="button" href={"/console/stats.csv?" (query_string(f, "status"))} download { (t("console-stats-csv")) } }
        h2 { (t("console-stats-acceptance")) }
        p class="hint" { (t("console-stats-acceptance-hint")) }
        @if tb.acceptance.rows.is_empty() {
            p class="hint" { (t("console-stats-acceptance-none")) }
        } @else {
            (table_html(&ctx, "acceptance", &t("console-stats-acceptance"), &t("console-stats-days"), &tb.acceptance))
            p { a class="button" href={"/console/stats.csv?" (query_string(f, "acceptance"))} download { (t("console-stats-csv")) } }
        }
        h2 { (t("console-stats-services")) }
        (table_html(&ctx, "services", &t("console-stats-services"), &t("console-service"), &tb.services))
        p { a class="button" href={"/console/stats.csv?" (query_string(f, "services"))} download { (t("console-stats-csv")) } }
        h2 { (t("console-stats-screenings")) }
        @if let Some((risk, week)) = &tb.screenings {
            (table_html(&ctx, "by-risk", &t("console-stats-by-risk"), &t("console-risk"), risk))
            p { a class="button" href={"/console/stats.csv?" (query_string(f, "risk"))} download { (t("console-stats-csv")) } }
            h2 { (t("console-stats-by-week")) }
            (table_html(&ctx, "by-week", &t("console-stats-by-week"), &t("console-week"), week))
            p { a class="button" href={"/console/stats.csv?" (query_string(f, "weeks"))} download { (t("console-stats-csv")) } }
        } @else {
            p class="hint" { (t("console-stats-screenings-pending")) }
        }
        p class="hint" { (t("console-stats-referral-filters")) }
    };
    let nav_org = match (&ctx.account.role, &f.org, &org_name) {
        (Role::Organisation(_), Some(o), Some(n)) => Some((o.as_str(), n.as_str())),
        _ => None,
    };
    let title = match &org_name {
        Some(n) => format!("{} · {n}", t("console-nav-stats")),
        None => t("console-nav-stats"),
    };
    Ok(pages::page(&ctx, &title, nav_org, body))
}

/// Exactly the table on the page, as shown (suppressed, rounded), as CSV; the export is logged.
pub async fn csv(
    State(state): State<Console>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Response> {
    let ctx = state.ctx(&headers, "/console/stats").await?;
    let tb = tables(&state, &ctx, &q).await?;
    let t = |id: &str| ctx.tr.t(id);
    let (name, body) = match q.get("table").map(String::as_str) {
        Some("status") => (
            "status",
            tb.by_status
                .csv(&t("console-status"), &t("console-total"), "%"),
        ),
        Some("acceptance") => (
            "acceptance",
            tb.acceptance
                .csv(&t("console-stats-days"), &t("console-total"), "%"),
        ),
        Some("services") => (
            "services",
            tb.services
                .csv(&t("console-service"), &t("console-total"), "%"),
        ),
        Some("risk") => match &tb.screenings {
            Some((risk, _)) => (
                "risk",
                risk.csv(&t("console-risk"), &t("console-total"), "%"),
            ),
            None => return Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "not-found")),
        },
        Some("weeks") => match &tb.screenings {
            Some((_, week)) => (
                "weeks",
                week.csv(&t("console-week"), &t("console-total"), "%"),
            ),
            None => return Err(refusal(ctx.tr, StatusCode::NOT_FOUND, "not-found")),
        },
        _ => return Err(refusal(ctx.tr, StatusCode::BAD_REQUEST, "filter")),
    };
    let subject = format!(
        "{name} {} {} {}",
        tb.filters.audience,
        tb.filters.period.as_deref().unwrap_or("all"),
        tb.filters.org.as_deref().unwrap_or("all")
    );
    state
        .audit(&ctx, tb.filters.org.as_deref(), "stats-exported", &subject)
        .await
        .map_err(|e| store_error(ctx.tr, e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"senda-{name}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
