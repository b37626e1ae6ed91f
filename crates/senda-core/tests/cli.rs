//! `senda-content`, run as a person runs it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn cli() -> Command {
    Command::cargo_bin("senda-content").unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn stderr_of_failure(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn help_lists_every_command_and_each_has_its_own_help() {
    let help = stdout(cli().arg("--help"));
    for command in ["build", "verify", "keygen", "import-hsds", "export-hsds"] {
        assert!(help.contains(command), "{command} missing from\n{help}");
        let own = stdout(cli().args([command, "--help"]));
        assert!(own.contains("Usage: senda-content"), "{own}");
    }
    let e = stderr_of_failure(cli().arg("frobnicate"));
    assert!(e.contains("unrecognized subcommand"), "{e}");
}

#[cfg(unix)]
#[test]
fn keygen_writes_an_owner_only_key_and_never_overwrites_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pk8");
    let public = stdout(cli().args(["keygen", "--out"]).arg(&key));
    assert_eq!(public.trim().len(), 64, "{public}");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let before = std::fs::read(&key).unwrap();
    let e = stderr_of_failure(cli().args(["keygen", "--out"]).arg(&key));
    assert!(e.contains("not overwritten"), "{e}");
    assert_eq!(
        std::fs::read(&key).unwrap(),
        before,
        "the old key is intact"
    );
}

#[test]
fn build_verify_and_export_the_directory_of_a_pack() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pk8");
    let public = stdout(cli().args(["keygen", "--out"]).arg(&key));
    let pack = dir.path().join("demo.sendapack");
    // The same flags as the `x` script's build_content.
    let out = stdout(
        cli()
            .args(["build", "--src"])
            .arg(repo().join("assets/content"))
            .arg("--key")
            .arg(&key)
            .arg("--out")
            .arg(&pack),
    );
    assert!(out.contains("checklists"), "{out}");
    let trusted = dir.path().join("trusted.toml");
    std::fs::write(
        &trusted,
        format!(
            "[[publishers]]\npublisher = \"senda-demo\"\npublic_key = \"{}\"\n",
            public.trim()
        ),
    )
    .unwrap();
    let publisher: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("assets/content/pack.toml")).unwrap())
            .unwrap();
    std::fs::write(
        &trusted,
        format!(
            "[[publishers]]\npublisher = \"{}\"\npublic_key = \"{}\"\n",
            publisher["publisher"].as_str().unwrap(),
            public.trim()
        ),
    )
    .unwrap();
    assert!(
        stdout(
            cli()
                .arg("verify")
                .arg(&pack)
                .arg("--trusted")
                .arg(&trusted)
        )
        .starts_with("ok:")
    );

    let exported = dir.path().join("directory");
    stdout(
        cli()
            .arg("export-hsds")
            .arg(&pack)
            .arg("--trusted")
            .arg(&trusted)
            .arg("--out")
            .arg(&exported),
    );
    let original =
        senda_core::directory::HsdsData::import_csv_dir(&repo().join("assets/content/directory"))
            .unwrap()
            .data;
    let again = senda_core::directory::HsdsData::import_csv_dir(&exported)
        .unwrap()
        .data;
    assert_eq!(again.rows.len(), original.rows.len());

    // A pack signed by someone else is refused, and nothing is exported.
    let other = dir.path().join("other.pk8");
    stdout(cli().args(["keygen", "--out"]).arg(&other));
    let forged = dir.path().join("forged.sendapack");
    stdout(
        cli()
            .args(["build", "--src"])
            .arg(repo().join("assets/content"))
            .arg("--key")
            .arg(&other)
            .arg("--out")
            .arg(&forged),
    );
    let nowhere = dir.path().join("nowhere");
    let e = stderr_of_failure(
        cli()
            .arg("export-hsds")
            .arg(&forged)
            .arg("--trusted")
            .arg(&trusted)
            .arg("--out")
            .arg(&nowhere),
    );
    assert!(e.contains("signature"), "{e}");
    assert!(!nowhere.exists());
}

#[test]
fn import_hsds_writes_a_3_0_directory_and_a_short_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("directory");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds-3.0-example");
    let printed = stdout(
        cli()
            .arg("import-hsds")
            .arg(&example)
            .arg("--out")
            .arg(&out),
    );
    assert!(printed.contains("HSDS 3.0 (from HSDS 3.0)"), "{printed}");
    assert!(out.join("services.csv").is_file());
    assert!(out.join("datapackage.json").is_file());
}

/// A city's 1.x export of about 4,000 services, made here with every quirk
/// sprinkled through it: the console gets a summary, not a line per row.
#[test]
fn a_large_quirky_1_x_export_imports_leniently_with_a_short_summary() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("export");
    std::fs::create_dir(&src).unwrap();
    let n = 4000;
    let mut services = String::from("id,organization_id,name,description,status\n");
    let mut schedules = String::from("id,service_id,weekday,opens_at,closes_at\n");
    let mut sal = String::from("id,service_id,location_id\n");
    for i in 0..n {
        let org = if i % 97 == 0 { "missing-org" } else { "org-1" };
        let status = if i % 50 == 0 { "" } else { "active" };
        let name = if i % 10 == 0 {
            format!("  Servicio {i}  ")
        } else {
            format!("Servicio {i}")
        };
        let description = if i % 40 == 0 {
            "Apoyo a ni├▒os"
        } else {
            "Apoyo a niños"
        };
        let id = if i % 500 == 0 {
            String::new()
        } else {
            format!("s{i}")
        };
        writeln!(services, "{id},{org},{name},{description},{status}").unwrap();
        writeln!(schedules, "r{i},s{},1,8:00am,4:00pm", i.max(1)).unwrap();
        writeln!(sal, "x{i},s{},l1", i.max(1)).unwrap();
    }
    // Two duplicates at the end.
    services.push_str("s1,org-1,Copia,Copia,active\ns2,org-1,Copia,Copia,active\n");
    std::fs::write(src.join("services.csv"), services).unwrap();
    std::fs::write(src.join("regular_schedules.csv"), schedules).unwrap();
    std::fs::write(src.join("services_at_location.csv"), sal).unwrap();
    std::fs::write(
        src.join("organizations.csv"),
        "id,name,description\norg-1,Ciudad,Directorio 211\n",
    )
    .unwrap();
    std::fs::write(
        src.join("locations.csv"),
        "id,name,latitude,longitude\nl1,Centro,4.6,-74.08\n",
    )
    .unwrap();

    let out = dir.path().join("directory");
    let report = dir.path().join("report");
    let printed = stdout(
        cli()
            .arg("import-hsds")
            .arg(&src)
            .args(["--lenient", "--out"])
            .arg(&out)
            .arg("--report")
            .arg(&report),
    );
    assert!(printed.lines().count() < 60, "{printed}");
    assert!(printed.contains("HSDS 3.0 (from HSDS 1.1)"), "{printed}");
    for kind in [
        "trimmed (fixed)",
        "blank-status (fixed)",
        "dangling-organization (kept)",
        "derived-id (fixed)",
        "duplicate-id (quarantined)",
        "mojibake (fixed)",
        "twelve-hour-time (fixed)",
    ] {
        assert!(printed.contains(kind), "{kind} missing from\n{printed}");
    }
    let imported = senda_core::directory::HsdsData::import_csv_dir(&out)
        .unwrap()
        .data;
    assert_eq!(
        imported
            .rows
            .iter()
            .filter(|r| r.table == "service")
            .count(),
        n,
        "every service kept; only the two duplicates left out"
    );
    let csv = std::fs::read_to_string(report.join("report.csv")).unwrap();
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with("duplicate-id,"))
            .count(),
        2
    );
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with("blank-status,"))
            .count(),
        n / 50
    );
    assert!(report.join("report.html").is_file());
}

#[test]
fn a_strict_import_of_a_quirky_export_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("directory");
    let quirks = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds-1.1-quirks");
    let e = stderr_of_failure(cli().arg("import-hsds").arg(&quirks).arg("--out").arg(&out));
    assert!(e.contains("data/organizations.csv"), "{e}");
    assert!(!out.exists());
}

#[test]
fn a_checklist_goes_out_to_xlsform_and_back_to_the_same_toml() {
    let dir = tempfile::tempdir().unwrap();
    let source = repo().join("assets/content/checklists/nna-cruce.toml");
    let book = dir.path().join("nna.xlsx");
    stdout(
        cli()
            .arg("export-xlsform")
            .arg(&source)
            .arg("--out")
            .arg(&book),
    );
    let back = dir.path().join("nna.toml");
    let printed = stdout(
        cli()
            .arg("import-xlsform")
            .arg(&book)
            .arg("--out")
            .arg(&back),
    );
    assert!(printed.contains("checklist 'nna-cruce'"), "{printed}");
    let original: senda_core::checklist::Checklist =
        toml::from_str(&std::fs::read_to_string(&source).unwrap()).unwrap();
    let again: senda_core::checklist::Checklist =
        toml::from_str(&std::fs::read_to_string(&back).unwrap()).unwrap();
    assert_eq!(again, original);

    // A refused workbook leaves nothing behind.
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(&bad, b"PK not really a zip").unwrap();
    let out = dir.path().join("bad.toml");
    let e = stderr_of_failure(cli().arg("import-xlsform").arg(&bad).arg("--out").arg(&out));
    assert!(e.contains("bad.xlsx: not an .xlsx workbook"), "{e}");
    assert!(!out.exists());
}

#[test]
fn import_sheet_writes_a_directory_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/4w");
    let out = dir.path().join("directory");
    let report = dir.path().join("report");
    let printed = stdout(
        cli()
            .arg("import-sheet")
            .arg(fixtures.join("4w-frontera.csv"))
            .arg("--mapping")
            .arg(fixtures.join("mapping.toml"))
            .arg("--lenient")
            .arg("--out")
            .arg(&out)
            .arg("--report")
            .arg(&report),
    );
    assert!(printed.contains("bad-transform (fixed)"), "{printed}");
    assert!(printed.contains("4 services"), "{printed}");
    assert!(report.join("report.html").is_file());
    senda_core::directory::HsdsData::import_csv_dir(&out).unwrap();

    // Strict: refused, and no directory is written.
    let strict_out = dir.path().join("strict");
    let e = stderr_of_failure(
        cli()
            .arg("import-sheet")
            .arg(fixtures.join("4w-frontera.csv"))
            .arg("--mapping")
            .arg(fixtures.join("mapping.toml"))
            .arg("--out")
            .arg(&strict_out),
    );
    assert!(e.contains("nothing was imported"), "{e}");
    assert!(!strict_out.exists());
}

#[test]
fn an_import_replaces_the_old_tables_and_keeps_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("directory");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("README.md"), "fuentes").unwrap();
    std::fs::write(out.join("phones.csv"), "id,number\nold,1\n").unwrap();
    let v20 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds-2.0");
    stdout(cli().arg("import-hsds").arg(&v20).arg("--out").arg(&out));
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).unwrap(),
        "fuentes"
    );
    let phones = std::fs::read_to_string(out.join("phones.csv")).unwrap();
    assert!(!phones.contains("old,1"), "{phones}");
    senda_core::directory::HsdsData::import_csv_dir(&out).unwrap();
    // No temporary folders are left beside it.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["directory"]);
}
