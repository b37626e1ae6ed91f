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
