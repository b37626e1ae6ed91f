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
        (true, "deactivated; 0 device(s) revoked")
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
        "grant-keys",
        "announce-content",
        "import",
        "revoke-device",
        "add-staff",
        "staff-code",
        "list-staff",
        "deactivate-staff",
        "create-admin",
        "set-retention",
        "purge",
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
