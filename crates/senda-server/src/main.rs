//! `senda-server` serves; `senda-server admin …` administers the same database.
//! `senda-server --help` and `senda-server admin <command> --help` describe each command.

use clap::{Parser, Subcommand};
use senda_protocol::trust::{OrgKeyFile, admin_fingerprint, normalise_fingerprint};
use senda_server::Config;
use senda_server::startup::open_repo;
use senda_server::store::{Repo, StoreError};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "senda-server",
    version,
    about = "Senda's sync server. With no command it serves; `admin` administers its database.",
    after_help = "Environment: SENDA_SERVER_LISTEN (default 127.0.0.1:8787), SENDA_SERVER_DB (SQLite file, \
default senda-server.db) or DATABASE_URL (postgres://…), SENDA_SIGNING_KEY_FILE, SENDA_TLS_CERT and \
SENDA_TLS_KEY (serve https), SENDA_ADMIN_TOKEN (enables the admin API), SENDA_RATE_PER_DEVICE, RUST_LOG."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Top>,
}

#[derive(Subcommand)]
enum Top {
    /// Administer the database named by SENDA_SERVER_DB or DATABASE_URL (each command prints its answer on stdout).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an organisation; prints its id.
    CreateOrg { name: String },
    /// Print a single-use code that enrols one device into TEAM.
    EnrolmentCode {
        org: String,
        team: String,
        /// How long the code stays valid.
        #[arg(default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=90))]
        days: i64,
        /// ORG's key file: the code becomes CODE.FINGERPRINT, and the device pins ORG's admin key by it.
        #[arg(long = "key")]
        key_file: Option<PathBuf>,
    },
    /// Referrals to SERVICE_ID go to ORG.
    RouteService { service_id: String, org: String },
    /// Make ORG's admin signing key and first sealing key in KEY_FILE (keep it off the server); the
    /// server gets only the public keys, signed. Prints the admin key's fingerprint.
    OrgKey {
        org: String,
        key_file: PathBuf,
        /// A new sealing key; older ones stay in the file, so what was sealed to them still opens.
        /// Grant it again.
        #[arg(long)]
        rotate: bool,
    },
    /// KEY_FILE's organisation trusts ORG (its admin key checked by the FINGERPRINT its
    /// administrator gave you) for these services.
    TrustOrg {
        key_file: PathBuf,
        org: String,
        fingerprint: String,
        service_ids: Vec<String>,
    },
    /// List the organisation's devices waiting for its keys, with the fingerprint each shows;
    /// seal the keys to those whose FINGERPRINTs you name.
    GrantKeys {
        key_file: PathBuf,
        fingerprints: Vec<String>,
    },
    /// Devices hear of a newer content pack at their next sync.
    AnnounceContent {
        publisher: String,
        #[arg(value_parser = clap::value_parser!(u32))]
        version: u32,
    },
    /// Store a device's batch file (from a USB stick), once.
    Import { file: PathBuf },
    /// Retire a device (someone left, a phone is replaced): it pushes what it holds at its next
    /// sync, then wipes.
    RetireDevice { device_id: String },
    /// Compromised: the device is refused at once and told to wipe (unsent data is lost).
    RevokeDevice { device_id: String },
    /// Create a staff account; prints its id.
    AddStaff {
        org: String,
        team: String,
        name: String,
    },
    /// Print a single-use code that enrols one device as the staff member's.
    StaffCode {
        staff_id: String,
        /// How long the code stays valid.
        #[arg(default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=90))]
        days: i64,
        /// The organisation's key file: the code becomes CODE.FINGERPRINT.
        #[arg(long = "key")]
        key_file: Option<PathBuf>,
    },
    /// List ORG's staff accounts: id, team, name, active, devices (tab-separated).
    ListStaff { org: String },
    /// They left: no more codes; each of their devices pushes what it holds, then wipes.
    DeactivateStaff { staff_id: String },
    /// Create a console (/console/) server administrator; prints a one-time password, to be changed at first login.
    CreateAdmin { login: String },
    /// ORG's records are forgotten DAYS (1 to 365) after their last change once no referral is open.
    SetRetention { org: String, days: u32 },
    /// Forget now what retention allows (the server also does it hourly).
    Purge,
    /// The key file (SENDA_SIGNING_KEY_FILE) was lost: a new batch-file secret, wrapped by the
    /// key file given now. Batch files made before no longer open, and every device must enrol
    /// again (the server's answer-signing key changed too).
    NewBatchKey,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    // Logs go to stderr: stdout carries the admin commands' answers.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => fail(2, &e),
    };
    let Some(Top::Admin { command }) = cli.command else {
        if let Err(e) = senda_server::run(config).await {
            fail(1, &e.to_string());
        }
        return;
    };
    let database = config.database.clone();
    let repo = match tokio::task::spawn_blocking(move || open_repo(&database)).await {
        Ok(Ok(repo)) => repo,
        Ok(Err(e)) => fail(1, &e.to_string()),
        Err(e) => fail(1, &e.to_string()),
    };
    // The key file opens what the database keeps wrapped (the batch-file
    // secret); only the commands that need it read it, and only a new batch
    // secret may make it (others are often run by another user than the server's).
    let key_file = &config.signing_key_file;
    let key = match &command {
        AdminCommand::Import { .. } => Some(senda_server::answers::AnswerKey::load(key_file)),
        AdminCommand::NewBatchKey => {
            Some(senda_server::answers::AnswerKey::load_or_create(key_file))
        }
        _ => None,
    };
    let repo = match key {
        Some(Ok(key)) => repo.with_answer_key(key),
        Some(Err(e)) => fail(1, &e),
        None => repo,
    };
    match admin(&repo, command).await {
        Ok(out) => println!("{out}"),
        Err(e) => fail(1, &e.to_string()),
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// `CODE` or, given the organisation's key file, `CODE.FINGERPRINT`.
fn with_fingerprint(
    code: Result<String, StoreError>,
    key_file: Option<&PathBuf>,
    organisation: Option<&str>,
) -> Result<String, StoreError> {
    match key_file {
        None => code,
        Some(file) => {
            code.map(|c| format!("{c}.{}", read_key_file(file, organisation).fingerprint()))
        }
    }
}

async fn admin(repo: &Repo, command: AdminCommand) -> Result<String, StoreError> {
    match command {
        AdminCommand::CreateOrg { name } => repo.create_organisation(name).await.map(|o| o.id),
        AdminCommand::EnrolmentCode {
            org,
            team,
            days,
            key_file,
        } => with_fingerprint(
            repo.create_enrolment_code(org.clone(), team, days).await,
            key_file.as_ref(),
            Some(&org),
        ),
        AdminCommand::RouteService { service_id, org } => repo
            .route_service(service_id, org)
            .await
            .map(|()| "ok".into()),
        AdminCommand::OrgKey {
            org,
            key_file,
            rotate: false,
        } => {
            let keys = OrgKeyFile::generate(&org, &now());
            if let Err(e) = write_key_file(&key_file, &keys, false) {
                fail(1, &format!("{}: {e}", key_file.display()));
            }
            repo.set_organisation_keys(org, keys.admin_public(), keys.certificates(), false)
                .await
                .map(|_| keys.fingerprint())
        }
        AdminCommand::OrgKey {
            org,
            key_file,
            rotate: true,
        } => {
            let mut keys = read_key_file(&key_file, Some(&org));
            let serial = keys.rotate(&now());
            // The file first: a key the server knows but whose secret is lost would seal into nothing.
            if let Err(e) = write_key_file(&key_file, &keys, true) {
                fail(1, &format!("{}: {e}", key_file.display()));
            }
            repo.set_organisation_keys(org, keys.admin_public(), keys.certificates(), true)
                .await
                .map(|_| format!("key {serial} made; hand it to each device again with grant-keys"))
        }
        AdminCommand::TrustOrg {
            key_file,
            org,
            fingerprint,
            service_ids,
        } => {
            let keys = read_key_file(&key_file, None);
            match repo.admin_key(org.clone()).await {
                Ok(Some(admin_key))
                    if normalise_fingerprint(&admin_fingerprint(&admin_key))
                        == normalise_fingerprint(&fingerprint) =>
                {
                    let trust = keys.trust(&org, &admin_key, &service_ids, &now());
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
        AdminCommand::GrantKeys {
            key_file,
            fingerprints,
        } => {
            let keys = read_key_file(&key_file, None);
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
        AdminCommand::AnnounceContent { publisher, version } => repo
            .announce_content(publisher, version)
            .await
            .map(|n| format!("announced to {n} organisation(s)")),
        AdminCommand::Import { file } => match std::fs::read(&file) {
            Ok(bytes) => match senda_server::import::import(repo, &bytes).await {
                Ok(r) => Ok(format!(
                    "{} push(es), {} operation(s) stored, {} conflict(s)",
                    r.pushes, r.stored, r.conflicts
                )),
                Err(e) => fail(
                    1,
                    &format!("{}: {} ({})", file.display(), e.body.message, e.body.code),
                ),
            },
            Err(e) => fail(1, &format!("{}: {e}", file.display())),
        },
        AdminCommand::NewBatchKey => repo.new_server_box_secret().await.map(|_| {
            "a new batch-file secret: files made before no longer open; every device must enrol again"
                .into()
        }),
        AdminCommand::RevokeDevice { device_id } => {
            repo.revoke_device(device_id).await.map(|done| {
                if done {
                    "revoked"
                } else {
                    "no such active device"
                }
                .into()
            })
        }
        AdminCommand::RetireDevice { device_id } => {
            repo.retire_device(device_id).await.map(|done| {
                if done {
                    "retiring: it pushes what it holds at its next sync, then wipes"
                } else {
                    "no such active device"
                }
                .into()
            })
        }
        AdminCommand::AddStaff { org, team, name } => {
            repo.create_staff(org, team, name).await.map(|s| s.id)
        }
        AdminCommand::StaffCode {
            staff_id,
            days,
            key_file,
        } => with_fingerprint(
            repo.staff_enrolment_code(staff_id, days).await,
            key_file.as_ref(),
            None,
        ),
        AdminCommand::ListStaff { org } => repo.staff_of(org).await.map(|list| {
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
        AdminCommand::DeactivateStaff { staff_id } => repo
            .deactivate_staff(staff_id)
            .await
            .map(|n| format!("deactivated; {n} device(s) retiring")),
        AdminCommand::CreateAdmin { login } => senda_server::console::create_admin(repo, login)
            .await
            .map_err(StoreError::Backend),
        AdminCommand::SetRetention { org, days } => repo
            .set_retention(org.clone(), days)
            .await
            .map(|()| format!("{org} keeps records {days} day(s)")),
        AdminCommand::Purge => repo
            .purge_expired(chrono::Utc::now())
            .await
            .map(|n| format!("{n} case(s) purged")),
    }
}

/// Writes a key file readable by its owner only. A new one never overwrites
/// a file; a rotated one replaces it whole (written beside it, then renamed).
fn write_key_file(path: &PathBuf, keys: &OrgKeyFile, replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let target = if replace {
        path.with_extension("new")
    } else {
        path.clone()
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

fn read_key_file(path: &PathBuf, organisation: Option<&str>) -> OrgKeyFile {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .unwrap_or_else(|e| fail(1, &format!("{}: {e}", path.display()))),
    );
    OrgKeyFile::from_json(&text, organisation)
        .unwrap_or_else(|e| fail(1, &format!("{}: {e}", path.display())))
}

fn fail(code: i32, message: &str) -> ! {
    eprintln!("senda-server: {message}");
    std::process::exit(code)
}
