//! `senda-server admin …` as an administrator runs it, on a SQLite file.

use std::path::Path;
use std::process::Command;

fn admin(db: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_senda-server"))
        .env("SENDA_SERVER_DB", db)
        .env_remove("DATABASE_URL")
        .arg("admin")
        .args(args)
        .output()
        .unwrap();
    let text = if out.status.success() {
        out.stdout
    } else {
        out.stderr
    };
    (
        out.status.success(),
        String::from_utf8_lossy(&text).trim().to_owned(),
    )
}

#[test]
fn staff_accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let (ok, org) = admin(&db, &["create-org", "Equipo"]);
    assert!(ok, "{org}");
    let (ok, marta) = admin(&db, &["add-staff", &org, "cucuta", "Marta"]);
    assert!(ok, "{marta}");
    let (ok, code) = admin(&db, &["staff-code", &marta, "3"]);
    assert!(ok && code.starts_with(char::is_alphanumeric), "{code}");
    let (ok, list) = admin(&db, &["list-staff", &org]);
    assert!(ok);
    assert_eq!(list, format!("{marta}\tcucuta\tMarta\tactive\t0 device(s)"));
    let (ok, done) = admin(&db, &["deactivate-staff", &marta]);
    assert_eq!(
        (ok, done.as_str()),
        (true, "deactivated; 0 device(s) retiring")
    );
    let (ok, list) = admin(&db, &["list-staff", &org]);
    assert!(ok && list.contains("\tdeactivated\t"), "{list}");

    // Refusals say why and exit non-zero.
    let (ok, err) = admin(&db, &["staff-code", &marta]);
    assert!(!ok && err.contains("deactivated"), "{err}");
    let (ok, err) = admin(&db, &["add-staff", "nowhere", "t", "Ana"]);
    assert!(!ok && err.contains("no such organisation"), "{err}");
    let (ok, err) = admin(&db, &["staff-code", &marta, "400"]);
    assert!(!ok && err.contains("DAYS"), "{err}");
}

#[test]
fn organisation_keys_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let (_, team) = admin(&db, &["create-org", "Equipo"]);
    let (_, network) = admin(&db, &["create-org", "Red"]);
    let team_key = dir.path().join("equipo.key");
    let team_key = team_key.to_str().unwrap();
    let (ok, fingerprint) = admin(&db, &["org-key", &team, team_key]);
    assert!(ok && fingerprint.len() == 19, "{fingerprint}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(team_key).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the key file is the administrator's alone"
        );
    }
    // Never a second key by mistake: the file is not overwritten, and the server refuses.
    let (ok, err) = admin(&db, &["org-key", &team, team_key]);
    assert!(!ok && err.contains("exists"), "{err}");
    let other = dir.path().join("other.key");
    let (ok, err) = admin(&db, &["org-key", &team, other.to_str().unwrap()]);
    assert!(!ok && err.contains("another admin key"), "{err}");

    let network_key = dir.path().join("red.key");
    let (_, network_fp) = admin(&db, &["org-key", &network, network_key.to_str().unwrap()]);
    let svc = "svc-alojamiento-cucuta";
    let (ok, err) = admin(
        &db,
        &["trust-org", team_key, &network, "0000-0000-0000-0000", svc],
    );
    assert!(!ok && err.contains("does not match"), "{err}");
    let (ok, done) = admin(&db, &["trust-org", team_key, &network, &network_fp, svc]);
    assert_eq!((ok, done.as_str()), (true, "trusted"));

    // The code carries the fingerprint, from the administrator's file.
    let (ok, code) = admin(&db, &["enrolment-code", &team, "t", "--key", team_key]);
    assert!(ok && code.ends_with(&format!(".{fingerprint}")), "{code}");
    let (ok, none) = admin(&db, &["grant-keys", team_key]);
    assert_eq!((ok, none.as_str()), (true, "0 device(s) granted"));

    // Rotation keeps every key pair in the file.
    let (ok, rotated) = admin(&db, &["org-key", &team, team_key, "--rotate"]);
    assert!(ok && rotated.starts_with("key 2 made"), "{rotated}");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(team_key).unwrap()).unwrap();
    assert_eq!(file["keys"].as_array().unwrap().len(), 2);
    assert!(file["keys"][0]["retired_at"].is_string());
}

/// `--help` needs no database and names every admin command; a wrong one is a
/// usage error (exit 2) that says what was expected.
#[test]
fn help_names_every_admin_command() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_senda-server"))
            .env("DATABASE_URL", "not-a-database")
            .args(args)
            .output()
            .unwrap()
    };
    let top = run(&["--help"]);
    assert!(top.status.success());
    assert!(String::from_utf8_lossy(&top.stdout).contains("SENDA_SERVER_DB"));
    let help = run(&["admin", "--help"]);
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    for command in [
        "create-org",
        "enrolment-code",
        "route-service",
        "org-key",
        "trust-org",
        "grant-keys",
        "announce-content",
        "import",
        "retire-device",
        "revoke-device",
        "add-staff",
        "staff-code",
        "list-staff",
        "deactivate-staff",
        "create-admin",
        "set-retention",
        "purge",
        "new-batch-key",
    ] {
        assert!(help.contains(command), "{command} missing from {help}");
    }
    let one = run(&["admin", "staff-code", "--help"]);
    assert!(String::from_utf8_lossy(&one.stdout).contains("[DAYS]"));
    let wrong = run(&["admin", "make-tea"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("make-tea"));
    let missing = run(&["admin", "add-staff", "org"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("<TEAM>"));
}

/// The batch-file secret is kept wrapped by the server's key file: started
/// with another key file, the server refuses and says what to do; when the
/// file is lost, `new-batch-key` makes a new secret under the new file.
#[tokio::test]
async fn another_key_file_is_refused_at_start_and_a_lost_one_can_be_replaced() {
    use senda_server::config::{Config, Database};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let config = |key_file: &str| Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Sqlite(db.clone()),
        admin_token: None,
        device_rate: 20,
        signing_key_file: dir.path().join(key_file),
        tls: None,
        quotas: Default::default(),
    };
    drop(
        senda_server::Server::bind(&config("lost.key"))
            .await
            .unwrap(),
    );
    // `admin` uses the default key file beside the database, server.signing-key.
    let err = senda_server::Server::bind(&config("server.signing-key"))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("SENDA_SIGNING_KEY_FILE") && err.contains("new-batch-key"),
        "{err}"
    );
    let (ok, said) = admin(&db, &["new-batch-key"]);
    assert!(ok && said.contains("enrol again"), "{said}");
    drop(
        senda_server::Server::bind(&config("server.signing-key"))
            .await
            .unwrap(),
    );
    assert!(
        senda_server::Server::bind(&config("lost.key"))
            .await
            .is_err(),
        "the old file opens nothing now"
    );
}
