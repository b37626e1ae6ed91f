//! `senda-server` serves; `senda-server admin …` administers the same database.
//! `senda-server --help` and `senda-server admin <command> --help` describe each command.

use clap::{Parser, Subcommand};
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
    },
    /// Referrals to SERVICE_ID go to ORG.
    RouteService { service_id: String, org: String },
    /// Make ORG's sealing key: the secret goes to KEY_FILE (keep it off the server), the public key to the server.
    OrgKey { org: String, key_file: PathBuf },
    /// Seal ORG's secret (from KEY_FILE) to each of its devices still waiting for it.
    GrantKeys { org: String, key_file: PathBuf },
    /// Devices hear of a newer content pack at their next sync.
    AnnounceContent {
        publisher: String,
        #[arg(value_parser = clap::value_parser!(u32))]
        version: u32,
    },
    /// Store a device's batch file (from a USB stick), once.
    Import { file: PathBuf },
    /// The device is told to wipe at its next contact.
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
    },
    /// List ORG's staff accounts: id, team, name, active, devices (tab-separated).
    ListStaff { org: String },
    /// They left: no more codes, and each of their devices wipes.
    DeactivateStaff { staff_id: String },
    /// Create a console (/console/) server administrator; prints a one-time password, to be changed at first login.
    CreateAdmin { login: String },
    /// ORG's records are forgotten DAYS (1 to 365) after their last change once no referral is open.
    SetRetention { org: String, days: u32 },
    /// Forget now what retention allows (the server also does it hourly).
    Purge,
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
    match admin(&repo, command).await {
        Ok(out) => println!("{out}"),
        Err(e) => fail(1, &e.to_string()),
    }
}

async fn admin(repo: &Repo, command: AdminCommand) -> Result<String, StoreError> {
    match command {
        AdminCommand::CreateOrg { name } => repo.create_organisation(name).await.map(|o| o.id),
        AdminCommand::EnrolmentCode { org, team, days } => {
            repo.create_enrolment_code(org, team, days).await
        }
        AdminCommand::RouteService { service_id, org } => repo
            .route_service(service_id, org)
            .await
            .map(|()| "ok".into()),
        AdminCommand::OrgKey { org, key_file } => {
            let secret = senda_protocol::BoxSecret::generate();
            if let Err(e) = write_secret(&key_file, &secret) {
                fail(1, &format!("{}: {e}", key_file.display()));
            }
            repo.set_organisation_key(org, secret.public_hex())
                .await
                .map(|()| secret.public_hex())
        }
        AdminCommand::GrantKeys { org, key_file } => {
            let secret = std::fs::read_to_string(&key_file)
                .map_err(|e| e.to_string())
                .and_then(|t| senda_protocol::BoxSecret::from_hex(&t).map_err(|e| e.to_string()));
            match secret {
                Ok(secret) => repo
                    .grant_keys(org, &secret)
                    .await
                    .map(|n| format!("{n} device(s) granted")),
                Err(e) => fail(1, &format!("{}: {e}", key_file.display())),
            }
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
        AdminCommand::AddStaff { org, team, name } => {
            repo.create_staff(org, team, name).await.map(|s| s.id)
        }
        AdminCommand::StaffCode { staff_id, days } => {
            repo.staff_enrolment_code(staff_id, days).await
        }
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
            .map(|n| format!("deactivated; {n} device(s) revoked")),
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

/// Writes a new key file readable by its owner only; never overwrites one.
fn write_secret(path: &std::path::Path, secret: &senda_protocol::BoxSecret) -> std::io::Result<()> {
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
