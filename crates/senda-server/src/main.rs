//! `senda-server` serves; `senda-server admin …` administers the same database.

use senda_server::Config;
use senda_server::startup::open_repo;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage:
  senda-server                                   serve (SENDA_SERVER_LISTEN, SENDA_SERVER_DB or DATABASE_URL)
  senda-server admin create-org NAME             prints the new organisation's id
  senda-server admin enrolment-code ORG TEAM [DAYS]   prints a single-use code (default 7 days)
  senda-server admin route-service SERVICE_ID ORG     referrals to SERVICE_ID go to ORG
  senda-server admin org-key ORG KEY_FILE        makes ORG's sealing key: the secret goes to KEY_FILE
                                                 (keep it off the server), the public key to the server
  senda-server admin grant-keys ORG KEY_FILE     seals ORG's secret to each of its devices still waiting for it
  senda-server admin announce-content PUBLISHER VERSION   devices hear of a newer content pack at their next sync
  senda-server admin import FILE                 stores a device's batch file (from a USB stick) once
  senda-server admin revoke-device DEVICE_ID     the device is told to wipe at its next contact
  senda-server admin add-staff ORG TEAM NAME     prints the new staff account's id
  senda-server admin staff-code STAFF_ID [DAYS]  a single-use code that enrols one device as theirs
  senda-server admin list-staff ORG              each account: id, team, name, active, devices
  senda-server admin deactivate-staff STAFF_ID   they left: no more codes, and each of their devices wipes
  senda-server admin create-admin LOGIN          a console (/console/) server administrator; prints a
                                                 one-time password, to be changed at first login";

#[tokio::main]
async fn main() {
    // Logs go to stderr: stdout carries the admin commands' answers.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => fail(2, &e),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        if let Err(e) = senda_server::run(config).await {
            fail(1, &e.to_string());
        }
        return;
    }
    if args[0] != "admin" || args.len() < 2 {
        fail(2, USAGE);
    }
    let database = config.database.clone();
    let repo = match tokio::task::spawn_blocking(move || open_repo(&database)).await {
        Ok(Ok(repo)) => repo,
        Ok(Err(e)) => fail(1, &e.to_string()),
        Err(e) => fail(1, &e.to_string()),
    };
    let a: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let result = match a.as_slice() {
        ["create-org", name] => repo
            .create_organisation(name.to_string())
            .await
            .map(|o| o.id),
        ["enrolment-code", org, team] => {
            repo.create_enrolment_code(org.to_string(), team.to_string(), 7)
                .await
        }
        ["enrolment-code", org, team, days] => match days.parse() {
            Ok(d) if (1..=90).contains(&d) => {
                repo.create_enrolment_code(org.to_string(), team.to_string(), d)
                    .await
            }
            _ => fail(2, "DAYS must be 1 to 90"),
        },
        ["route-service", service, org] => repo
            .route_service(service.to_string(), org.to_string())
            .await
            .map(|()| "ok".into()),
        ["org-key", org, file] => {
            let secret = senda_protocol::BoxSecret::generate();
            if let Err(e) = write_secret(file, &secret) {
                fail(1, &format!("{file}: {e}"));
            }
            repo.set_organisation_key(org.to_string(), secret.public_hex())
                .await
                .map(|()| secret.public_hex())
        }
        ["grant-keys", org, file] => {
            let secret = std::fs::read_to_string(file)
                .map_err(|e| e.to_string())
                .and_then(|t| senda_protocol::BoxSecret::from_hex(&t).map_err(|e| e.to_string()));
            match secret {
                Ok(secret) => repo
                    .grant_keys(org.to_string(), &secret)
                    .await
                    .map(|n| format!("{n} device(s) granted")),
                Err(e) => fail(1, &format!("{file}: {e}")),
            }
        }
        ["announce-content", publisher, version] => match version.parse() {
            Ok(v) => repo
                .announce_content(publisher.to_string(), v)
                .await
                .map(|n| format!("announced to {n} organisation(s)")),
            Err(_) => fail(2, "VERSION must be a whole number"),
        },
        ["import", file] => match std::fs::read(file) {
            Ok(bytes) => match senda_server::import::import(&repo, &bytes).await {
                Ok(r) => Ok(format!(
                    "{} push(es), {} operation(s) stored, {} conflict(s)",
                    r.pushes, r.stored, r.conflicts
                )),
                Err(e) => fail(1, &format!("{file}: {} ({})", e.body.message, e.body.code)),
            },
            Err(e) => fail(1, &format!("{file}: {e}")),
        },
        ["revoke-device", id] => repo.revoke_device(id.to_string()).await.map(|done| {
            if done {
                "revoked"
            } else {
                "no such active device"
            }
            .into()
        }),
        ["add-staff", org, team, name] => repo
            .create_staff(org.to_string(), team.to_string(), name.to_string())
            .await
            .map(|s| s.id),
        ["staff-code", staff] => repo.staff_enrolment_code(staff.to_string(), 7).await,
        ["staff-code", staff, days] => match days.parse() {
            Ok(d) if (1..=90).contains(&d) => repo.staff_enrolment_code(staff.to_string(), d).await,
            _ => fail(2, "DAYS must be 1 to 90"),
        },
        ["list-staff", org] => repo.staff_of(org.to_string()).await.map(|list| {
            list.iter()
                .map(|s| {
                    let state = if s.active { "active" } else { "deactivated" };
                    format!(
                        "{}\t{}\t{}\t{state}\t{} device(s)",
                        s.id, s.team, s.name, s.devices
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
        ["deactivate-staff", staff] => repo
            .deactivate_staff(staff.to_string())
            .await
            .map(|n| format!("deactivated; {n} device(s) revoked")),
        ["create-admin", login] => senda_server::console::create_admin(&repo, login.to_string())
            .await
            .map_err(senda_server::store::StoreError::Backend),
        _ => fail(2, USAGE),
    };
    match result {
        Ok(out) => println!("{out}"),
        Err(e) => fail(1, &e.to_string()),
    }
}

/// Writes a new key file readable by its owner only; never overwrites one.
fn write_secret(path: &str, secret: &senda_protocol::BoxSecret) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(secret.to_hex().as_bytes())?;
    file.sync_all()
}

fn fail(code: i32, message: &str) -> ! {
    eprintln!("senda-server: {message}");
    std::process::exit(code)
}
