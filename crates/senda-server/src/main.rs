//! `senda-server` serves; `senda-server admin …` administers the same database.

use senda_protocol::trust::{OrgKeyFile, admin_fingerprint, normalise_fingerprint};
use senda_server::Config;
use senda_server::startup::open_repo;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage:
  senda-server                                   serve (SENDA_SERVER_LISTEN, SENDA_SERVER_DB or DATABASE_URL)
  senda-server admin create-org NAME             prints the new organisation's id
  senda-server admin enrolment-code ORG TEAM [DAYS] [--key KEY_FILE]
                                                 prints a single-use code (default 7 days); with ORG's key
                                                 file, CODE.FINGERPRINT: the device pins ORG's admin key by it
  senda-server admin route-service SERVICE_ID ORG     referrals to SERVICE_ID go to ORG
  senda-server admin org-key ORG KEY_FILE        makes ORG's admin signing key and first sealing key in
                                                 KEY_FILE (keep it off the server); the server gets only the
                                                 public keys, signed. Prints the admin key's fingerprint
  senda-server admin org-key ORG KEY_FILE --rotate    a new sealing key (older ones stay in the file,
                                                 so what was sealed to them still opens); grant it again
  senda-server admin trust-org KEY_FILE ORG FINGERPRINT [SERVICE_ID...]
                                                 KEY_FILE's organisation trusts ORG (its admin key checked by
                                                 the FINGERPRINT its administrator gave you) for these services
  senda-server admin grant-keys KEY_FILE [FINGERPRINT...]
                                                 lists the organisation's devices waiting for its keys, with the
                                                 fingerprint each shows; seals the keys to those you name
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
    // Flags anywhere after `admin`: `--key FILE` and `--rotate`.
    let mut key_file: Option<String> = None;
    let mut rotate = false;
    let mut a: Vec<&str> = Vec::new();
    let mut rest = args.iter().skip(1).map(String::as_str);
    while let Some(arg) = rest.next() {
        match arg {
            "--key" => key_file = Some(rest.next().unwrap_or_else(|| fail(2, USAGE)).to_owned()),
            "--rotate" => rotate = true,
            other => a.push(other),
        }
    }
    let with_fingerprint = |code: Result<String, _>, org: Option<&str>| match &key_file {
        None => code,
        Some(file) => code.map(|c| format!("{c}.{}", read_key_file(file, org).fingerprint())),
    };
    let result = match a.as_slice() {
        ["create-org", name] => repo
            .create_organisation(name.to_string())
            .await
            .map(|o| o.id),
        ["enrolment-code", org, team] => with_fingerprint(
            repo.create_enrolment_code(org.to_string(), team.to_string(), 7)
                .await,
            Some(org),
        ),
        ["enrolment-code", org, team, days] => match days.parse() {
            Ok(d) if (1..=90).contains(&d) => with_fingerprint(
                repo.create_enrolment_code(org.to_string(), team.to_string(), d)
                    .await,
                Some(org),
            ),
            _ => fail(2, "DAYS must be 1 to 90"),
        },
        ["route-service", service, org] => repo
            .route_service(service.to_string(), org.to_string())
            .await
            .map(|()| "ok".into()),
        ["org-key", org, file] if !rotate => {
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            let keys = OrgKeyFile::generate(org, &now);
            if let Err(e) = write_key_file(file, &keys, false) {
                fail(1, &format!("{file}: {e}"));
            }
            repo.set_organisation_keys(
                org.to_string(),
                keys.admin_public(),
                keys.certificates(),
                false,
            )
            .await
            .map(|_| keys.fingerprint())
        }
        ["org-key", org, file] => {
            let mut keys = read_key_file(file, Some(org));
            let serial = keys
                .rotate(&chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true));
            // The file first: a key the server knows but whose secret is lost would seal into nothing.
            if let Err(e) = write_key_file(file, &keys, true) {
                fail(1, &format!("{file}: {e}"));
            }
            repo.set_organisation_keys(
                org.to_string(),
                keys.admin_public(),
                keys.certificates(),
                true,
            )
            .await
            .map(|_| format!("key {serial} made; hand it to each device again with grant-keys"))
        }
        ["trust-org", file, other, fingerprint, services @ ..] => {
            let keys = read_key_file(file, None);
            match repo.admin_key(other.to_string()).await {
                Ok(Some(admin_key))
                    if normalise_fingerprint(&admin_fingerprint(&admin_key))
                        == normalise_fingerprint(fingerprint) =>
                {
                    let services: Vec<String> = services.iter().map(|s| s.to_string()).collect();
                    let trust = keys.trust(
                        other,
                        &admin_key,
                        &services,
                        &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
                    );
                    repo.trust_organisation(trust)
                        .await
                        .map(|()| "trusted".into())
                }
                Ok(Some(_)) => fail(
                    1,
                    "the server's admin key for that organisation does not match the fingerprint: nothing signed",
                ),
                Ok(None) => fail(1, "that organisation has no admin key yet (org-key)"),
                Err(e) => Err(e),
            }
        }
        ["grant-keys", file, fingerprints @ ..] => {
            let keys = read_key_file(file, None);
            let fingerprints: Vec<String> = fingerprints.iter().map(|s| s.to_string()).collect();
            repo.grant_keys(&keys, &fingerprints).await.map(|r| {
                let mut lines: Vec<String> = r
                    .granted
                    .iter()
                    .map(|(id, name)| format!("granted\t{id}\t{name}"))
                    .collect();
                lines.extend(
                    r.bad_key
                        .iter()
                        .map(|id| format!("skipped (unusable box key)\t{id}")),
                );
                lines.extend(
                    r.waiting
                        .iter()
                        .map(|(id, name, fp)| format!("waiting\t{id}\t{name}\t{fp}")),
                );
                lines.push(format!("{} device(s) granted", r.granted.len()));
                lines.join("\n")
            })
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
        ["staff-code", staff] => {
            with_fingerprint(repo.staff_enrolment_code(staff.to_string(), 7).await, None)
        }
        ["staff-code", staff, days] => match days.parse() {
            Ok(d) if (1..=90).contains(&d) => {
                with_fingerprint(repo.staff_enrolment_code(staff.to_string(), d).await, None)
            }
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
        ["set-retention", org, days] => match days.parse() {
            Ok(d) => repo
                .set_retention(org.to_string(), d)
                .await
                .map(|()| format!("{org} keeps records {d} day(s)")),
            Err(_) => fail(2, "DAYS must be 1 to 365"),
        },
        ["purge"] => repo
            .purge_expired(chrono::Utc::now())
            .await
            .map(|n| format!("{n} case(s) purged")),
        _ => fail(2, USAGE),
    };
    match result {
        Ok(out) => println!("{out}"),
        Err(e) => fail(1, &e.to_string()),
    }
}

/// Writes a key file readable by its owner only. A new one never overwrites
/// a file; a rotated one replaces it whole (written beside it, then renamed).
fn write_key_file(path: &str, keys: &OrgKeyFile, replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let target = if replace {
        format!("{path}.new")
    } else {
        path.to_owned()
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&target)?;
    file.write_all(keys.to_json().as_bytes())?;
    file.sync_all()?;
    if replace {
        std::fs::rename(&target, path)?;
    }
    Ok(())
}

fn read_key_file(path: &str, organisation: Option<&str>) -> OrgKeyFile {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).unwrap_or_else(|e| fail(1, &format!("{path}: {e}"))),
    );
    OrgKeyFile::from_json(&text, organisation).unwrap_or_else(|e| fail(1, &format!("{path}: {e}")))
}

fn fail(code: i32, message: &str) -> ! {
    eprintln!("senda-server: {message}");
    std::process::exit(code)
}
