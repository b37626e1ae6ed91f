//! Server time of the console's statistics over generated data:
//! `cargo run --release -p senda-server --example console_bench -- sqlite|postgres [SCREENINGS] [REFERRALS]`
//! (defaults 1,000,000 and 200,000; PostgreSQL from SENDA_TEST_DATABASE_URL, in a schema of its own).
//! Rows are written straight into the tables the way the server stores them
//! (entities with the coarse fields, referrals), counted once (as migration 024
//! does; a running server keeps the counts as it applies each operation), then
//! the pages are fetched over HTTP
//! as a logged-in server administrator; each page's time is the median of
//! `BENCH_RUNS` requests (default 5).

use senda_server::limits::Limits;
use senda_server::store::{PostgresStore, Repo, SqliteStore};
use std::time::Instant;

const COUNTRIES: &[&str] = &["CO", "EC", "PE", "PA", "CL", "VE"];
const AGES: &[&str] = &["0-5", "6-11", "12-14", "15-17", "unknown"];
const RISKS: &[&str] = &["immediate", "high", "medium", "insufficient", "low"];
const STATUSES: &[&str] = &[
    "sent",
    "received",
    "accepted",
    "declined",
    "first-contact",
    "closed",
];

fn rows(
    screenings: usize,
    referrals: usize,
    orgs: &[String],
) -> (Vec<[String; 4]>, Vec<[String; 8]>) {
    let mut seed: u64 = 42;
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % m
    };
    let mut entities = Vec::with_capacity(2 * screenings);
    for i in 0..screenings {
        let org = &orgs[next(orgs.len())];
        let case = format!("c{i}");
        let week = format!("2026-W{:02}", 1 + next(48));
        let fields = format!(
            r#"{{"country":"{}","week":"{week}","age_band":"{}"}}"#,
            COUNTRIES[next(COUNTRIES.len())],
            AGES[next(AGES.len())]
        );
        entities.push([case.clone(), "case".into(), org.clone(), fields]);
        let risk = format!(r#"{{"risk_level":"{}"}}"#, RISKS[next(RISKS.len())]);
        entities.push([case, "screening".into(), org.clone(), risk]);
    }
    let referrals = (0..referrals)
        .map(|i| {
            let status = STATUSES[next(STATUSES.len())];
            let (month, day) = (1 + next(11), 1 + next(28));
            let at = format!("2026-{month:02}-{day:02}T10:00:00Z");
            // Sent some days before; accepted at its last change once it got that far.
            let sent = format!("2026-{month:02}-{:02}T09:00:00Z", 1 + next(day));
            let accepted = ["accepted", "first-contact", "closed"].contains(&status);
            [
                format!("r{i}"),
                format!("svc-{}", next(60)),
                orgs[next(orgs.len())].clone(),
                orgs[next(orgs.len())].clone(),
                status.to_owned(),
                at.clone(),
                sent,
                if accepted { at } else { String::new() },
            ]
        })
        .collect();
    (entities, referrals)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = args
        .first()
        .map(String::as_str)
        .unwrap_or("sqlite")
        .to_owned();
    let screenings: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let referrals: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("SENDA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let schema = format!("bench{}", std::process::id());
    let cleanup = (url.clone(), schema.clone());
    let repo = match backend.as_str() {
        "sqlite" => Repo::new(SqliteStore::open(&dir.path().join("server.db")).unwrap()),
        _ => {
            let (u, s) = (url.clone(), schema.clone());
            Repo::new(
                tokio::task::spawn_blocking(move || PostgresStore::open(&u, Some(&s)).unwrap())
                    .await
                    .unwrap(),
            )
        }
    };
    let mut orgs = Vec::new();
    for i in 0..5 {
        orgs.push(
            repo.create_organisation(format!("Org {i}"))
                .await
                .unwrap()
                .id,
        );
    }
    let started = Instant::now();
    let (entities, refs) = rows(screenings, referrals, &orgs);
    let path = dir.path().join("server.db");
    let backend2 = backend.clone();
    tokio::task::spawn_blocking(move || {
        if backend2 == "sqlite" {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            {
                let mut e = tx.prepare("INSERT INTO entities (id, entity, organisation_id, team, case_id, version, fields, field_versions) VALUES (?1, ?2, ?3, 't', ?4, 1, ?5, '{}')").unwrap();
                for (i, [case, kind, org, fields]) in entities.iter().enumerate() {
                    e.execute(rusqlite::params![format!("e{i}"), kind, org, case, fields]).unwrap();
                }
                let mut r = tx.prepare("INSERT INTO referrals (id, code, service_id, sender_org, sender_team, receiver_org, status, summary, updated_at, sent_at, accepted_at) VALUES (?1, ?1, ?2, ?3, 't', ?4, ?5, 'null', ?6, ?7, NULLIF(?8, ''))").unwrap();
                for [id, service, sender, receiver, status, at, sent, accepted] in &refs {
                    r.execute(rusqlite::params![id, service, sender, receiver, status, at, sent, accepted]).unwrap();
                }
            }
            tx.commit().unwrap();
        } else {
            use std::io::Write;
            let mut config: postgres::Config = url.parse().unwrap();
            config.options(&format!("-c search_path={schema}"));
            let mut client = config.connect(postgres::NoTls).unwrap();
            let mut w = client
                .copy_in("COPY entities (id, entity, organisation_id, team, case_id, version, fields, field_versions) FROM STDIN")
                .unwrap();
            for (i, [case, kind, org, fields]) in entities.iter().enumerate() {
                writeln!(w, "e{i}\t{kind}\t{org}\tt\t{case}\t1\t{fields}\t{{}}").unwrap();
            }
            w.finish().unwrap();
            let mut w = client
                .copy_in("COPY referrals (id, code, service_id, sender_org, sender_team, receiver_org, status, summary, updated_at, sent_at, accepted_at) FROM STDIN")
                .unwrap();
            for [id, service, sender, receiver, status, at, sent, accepted] in &refs {
                let accepted = if accepted.is_empty() { "\\N" } else { accepted.as_str() };
                writeln!(w, "{id}\t{id}\t{service}\t{sender}\tt\t{receiver}\t{status}\tnull\t{at}\t{sent}\t{accepted}").unwrap();
            }
            w.finish().unwrap();
            client.batch_execute("ANALYZE").unwrap();
        }
    })
    .await
    .unwrap();
    eprintln!(
        "generated {screenings} screenings and {referrals} referrals in {:?}",
        started.elapsed()
    );
    // Written straight into the tables, so the counts the server keeps as it
    // applies each operation are made once here, as migration 024 does.
    let counted = Instant::now();
    repo.rebuild_statistics().await.unwrap();
    println!(
        "counted them (store::counts::rebuild) in {} ms",
        counted.elapsed().as_millis()
    );

    let server = senda_server::Server::bind_repo(
        "127.0.0.1:0".parse().unwrap(),
        repo.clone(),
        None,
        Limits::new(10_000, 1_000),
    )
    .await
    .unwrap();
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.serve(std::future::pending()));
    let cookie = login(&repo, &base).await;
    let http = reqwest::Client::new();
    let pages = [
        (
            "statistics, every organisation".to_owned(),
            "/console/stats".to_owned(),
        ),
        (
            "statistics, one organisation and country".into(),
            format!("/console/stats?org={}&country=CO", orgs[0]),
        ),
        (
            "statistics CSV".into(),
            "/console/stats.csv?table=weeks".into(),
        ),
        (
            "referrals at a glance".into(),
            format!("/console/org/{}/referrals", orgs[0]),
        ),
    ];
    // BENCH_RUNS requests per page (default 5); the median is reported.
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    println!("| backend | page | median of {runs} |");
    println!("|---|---|---|");
    for (name, path) in pages {
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let resp = http
                .get(format!("{base}{path}"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{path}");
            resp.bytes().await.unwrap();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "| {backend} | {name} | {} ms |",
            times[runs / 2].as_millis()
        );
    }
    // The generated data does not outlive the run (SQLite's goes with its folder).
    if backend != "sqlite" {
        tokio::task::spawn_blocking(move || {
            let (url, schema) = cleanup;
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            client
                .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                .unwrap();
        })
        .await
        .unwrap();
    }
}

/// A server administrator's session: one-time password, new password, TOTP.
async fn login(repo: &Repo, base: &str) -> String {
    let password = senda_server::console::create_admin(repo, "bench".into())
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut cookie = String::new();
    let mut csrf = String::new();
    let mut step = async |method: &str, path: &str, form: &[(&str, &str)]| -> String {
        let req = if method == "GET" {
            http.get(format!("{base}{path}"))
        } else {
            http.post(format!("{base}{path}"))
                .form(&[&[("csrf", csrf.as_str())], form].concat())
        };
        let resp = req.header("cookie", &cookie).send().await.unwrap();
        if let Some(c) = resp.headers().get("set-cookie") {
            cookie = c.to_str().unwrap().split(';').next().unwrap().to_owned();
        }
        let body = resp.text().await.unwrap();
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            let rest = &body[i + 19..];
            csrf = rest[..rest.find('"').unwrap()].to_owned();
        }
        body
    };
    step("GET", "/console/login", &[]).await;
    step(
        "POST",
        "/console/login",
        &[("login", "bench"), ("password", &password)],
    )
    .await;
    step("GET", "/console/password", &[]).await;
    step(
        "POST",
        "/console/password",
        &[
            ("password", "a long timing passphrase"),
            ("repeat", "a long timing passphrase"),
        ],
    )
    .await;
    let page = step("GET", "/console/totp", &[]).await;
    let i = page.find("data-secret=\"").unwrap() + 13;
    let secret = page[i..i + page[i..].find('"').unwrap()].to_owned();
    let code = senda_server::console::auth::totp_now(
        &secret,
        "bench",
        chrono::Utc::now().timestamp() as u64,
    );
    step("POST", "/console/totp", &[("code", &code)]).await;
    cookie
}
