//! `senda-content`: build, sign and check content packs, and bring in the
//! directories and checklists people already have. `senda-content --help`
//! and `senda-content <command> --help` describe each command.

use clap::{Parser, Subcommand};
use senda_core::checklist::{Checklist, xlsform};
use senda_core::content::pack::{self, TrustedKeys};
use senda_core::content::source;
use senda_core::directory::HsdsData;
use senda_core::directory::import::{self, ImportOptions};
use senda_core::directory::sheet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "senda-content",
    version,
    about = "Build, sign and check Senda content packs; import directories and checklists."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build and sign a content pack from a source folder (pack.toml, checklists/, articles/, places/, directory/).
    Build {
        /// The source folder, e.g. assets/content.
        #[arg(long)]
        src: PathBuf,
        /// The publisher's signing key (PKCS#8), made with `keygen`.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the pack.
        #[arg(long)]
        out: PathBuf,
        /// A previous source folder: the pack then holds only what changed since it (a delta).
        #[arg(long)]
        base: Option<PathBuf>,
    },
    /// Check a pack's signature against the trusted publishers.
    Verify {
        /// The pack file.
        file: PathBuf,
        /// trusted.toml: `[[publishers]] publisher = "…" public_key = "<hex>"`.
        #[arg(long)]
        trusted: PathBuf,
    },
    /// Make a new signing key (written readable by its owner only; never over an existing file) and print its public key.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Import an HSDS directory (1.1, 2.0 or 3.0; a folder of CSV files or a tabular JSON file) as HSDS 3.0 CSV files.
    ImportHsds {
        /// The folder (with or without datapackage.json) or tabular JSON file.
        src: PathBuf,
        /// The folder to write the HSDS 3.0 tables to, e.g. assets/content/directory.
        #[arg(long)]
        out: PathBuf,
        /// Keep every row that can be kept, fix what can be fixed, quarantine the rest.
        #[arg(long)]
        lenient: bool,
        /// Write the full report (report.csv, report.html, quarantined rows) to this folder.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Write the directory held in a signed pack as HSDS 3.0 CSV files (or tabular JSON).
    ExportHsds {
        /// The pack file (a full pack, not a delta).
        pack: PathBuf,
        #[arg(long)]
        trusted: PathBuf,
        /// The folder to write to.
        #[arg(long)]
        out: PathBuf,
        /// Write one tabular JSON file (`tabular.json`) instead of CSV files.
        #[arg(long)]
        json: bool,
    },
    /// Import a checklist written as an XLSForm workbook (survey, choices, settings sheets) as Senda TOML.
    ImportXlsform {
        /// The .xlsx workbook.
        form: PathBuf,
        /// The TOML file to write, e.g. assets/content/checklists/<id>.toml.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a checklist (Senda TOML) as an XLSForm workbook.
    ExportXlsform {
        /// The checklist TOML file.
        checklist: PathBuf,
        /// The .xlsx workbook to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import a "who does what where" sheet (CSV or .xlsx) into HSDS 3.0 rows with a mapping file.
    ImportSheet {
        /// The sheet: a .csv file or an .xlsx workbook (its first sheet, or --sheet).
        sheet: PathBuf,
        /// The mapping: column → HSDS field, with transforms (TOML; see docs/hsds-mapping.md).
        #[arg(long)]
        mapping: PathBuf,
        /// The worksheet to read in an .xlsx workbook.
        #[arg(long = "sheet")]
        sheet_name: Option<String>,
        /// The folder to write the HSDS 3.0 tables to.
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        lenient: bool,
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("senda-content: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Keygen { out } => keygen(&out),
        Command::Build {
            src,
            key,
            out,
            base,
        } => build(&src, &key, &out, base.as_deref()),
        Command::Verify { file, trusted } => {
            let trusted = trusted_keys(&trusted)?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let pack = pack::verify(&bytes, &trusted).map_err(|e| e.to_string())?;
            println!("ok: {} v{}", pack.header.publisher, pack.header.version);
            Ok(())
        }
        Command::ImportHsds {
            src,
            out,
            lenient,
            report,
        } => {
            let options = ImportOptions { lenient };
            let outcome = import::import_path(&src, &options);
            finish_import(outcome, &out, report.as_deref())
        }
        Command::ExportHsds {
            pack: file,
            trusted,
            out,
            json,
        } => {
            let trusted = trusted_keys(&trusted)?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let pack = pack::verify(&bytes, &trusted).map_err(|e| e.to_string())?;
            if pack.header.base_version.is_some() {
                return Err(format!(
                    "{}: a delta pack holds only changes; export from a full pack",
                    file.display()
                ));
            }
            let data = HsdsData {
                tables: pack.payload.hsds_tables,
                rows: pack.payload.hsds_rows,
            };
            if json {
                std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
                let text = serde_json::to_string_pretty(&data.export_tabular_json())
                    .map_err(|e| e.to_string())?;
                write_atomically(&out.join("tabular.json"), text.as_bytes())?;
            } else {
                data.export_csv_dir(&out)
                    .map_err(|e| format!("{}: {e}", out.display()))?;
            }
            println!(
                "{}: {} tables, {} rows",
                out.display(),
                data.tables.len(),
                data.rows.len()
            );
            Ok(())
        }
        Command::ImportXlsform { form, out } => {
            let checklist = xlsform::import(&form).map_err(|e| e.to_string())?;
            let text = toml::to_string(&checklist).map_err(|e| e.to_string())?;
            write_atomically(&out, text.as_bytes())?;
            println!(
                "{}: checklist '{}' v{} — {} sections, {} questions",
                out.display(),
                checklist.id,
                checklist.version,
                checklist.sections.len(),
                checklist.questions().count()
            );
            Ok(())
        }
        Command::ExportXlsform { checklist, out } => {
            let text = std::fs::read_to_string(&checklist)
                .map_err(|e| format!("{}: {e}", checklist.display()))?;
            let c: Checklist =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", checklist.display()))?;
            let bytes = xlsform::export(&c).map_err(|e| e.to_string())?;
            write_atomically(&out, &bytes)?;
            println!("{}: checklist '{}' v{}", out.display(), c.id, c.version);
            Ok(())
        }
        Command::ImportSheet {
            sheet: path,
            mapping,
            sheet_name,
            out,
            lenient,
            report,
        } => {
            let outcome = sheet::import_sheet(
                &path,
                &mapping,
                sheet_name.as_deref(),
                &ImportOptions { lenient },
            );
            finish_import(outcome, &out, report.as_deref())
        }
    }
}

/// Prints the short summary, writes the full report, and writes the data only when it was kept.
fn finish_import(
    outcome: Result<import::Imported, import::ImportFailure>,
    out: &Path,
    report_dir: Option<&Path>,
) -> Result<(), String> {
    let (report, result) = match outcome {
        Ok(imported) => (imported.report.clone(), Ok(imported)),
        Err(failure) => (failure.report.clone(), Err(failure.error)),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = write!(stdout, "{}", report.summary(3));
    if let Some(dir) = report_dir {
        report
            .write_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let _ = writeln!(stdout, "Full report: {}", dir.join("report.html").display());
    }
    let imported = result.map_err(|e| e.to_string())?;
    write_hsds(&imported.data, out)?;
    let _ = writeln!(
        stdout,
        "{}: HSDS 3.0 (from {}), {} services, {} rows",
        out.display(),
        imported.version,
        imported
            .data
            .rows
            .iter()
            .filter(|r| r.table == "service")
            .count(),
        imported.data.rows.len()
    );
    Ok(())
}

/// Writes the tables into a new folder beside the target and swaps it into
/// place: never half a directory, and never old tables mixed with new ones.
/// Files that are not tables (a README, say) move to the new folder.
fn write_hsds(data: &HsdsData, out: &Path) -> Result<(), String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| err(&parent, e))?;
    let fresh = tempfile::Builder::new()
        .prefix(".senda-import")
        .tempdir_in(&parent)
        .map_err(|e| err(&parent, e))?;
    data.export_csv_dir(fresh.path())
        .map_err(|e| err(fresh.path(), e))?;
    if out.exists() {
        for entry in std::fs::read_dir(out).map_err(|e| err(out, e))? {
            let path = entry.map_err(|e| err(out, e))?.path();
            let table = path.extension().is_some_and(|x| x == "csv")
                || path.file_name().is_some_and(|n| n == "datapackage.json");
            if !table && path.is_file() {
                let keep = fresh.path().join(path.file_name().unwrap_or_default());
                std::fs::copy(&path, &keep).map_err(|e| err(&keep, e))?;
            }
        }
        let old = tempfile::Builder::new()
            .prefix(".senda-previous")
            .tempdir_in(&parent)
            .map_err(|e| err(&parent, e))?;
        let previous = old.path().join("directory");
        std::fs::rename(out, &previous).map_err(|e| err(out, e))?;
        if let Err(e) = std::fs::rename(fresh.path(), out) {
            // Put the old directory back: the import failed, nothing changed.
            let _ = std::fs::rename(&previous, out);
            return Err(err(out, e));
        }
        let _ = fresh.keep();
    } else {
        let kept = fresh.keep();
        std::fs::rename(&kept, out).map_err(|e| err(out, e))?;
    }
    Ok(())
}

fn keygen(out: &Path) -> Result<(), String> {
    let key = pack::generate_key();
    let mut options = std::fs::OpenOptions::new();
    // create_new: an existing key is never overwritten (a lost key cannot sign the next pack).
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{}: a file is already there; it is not overwritten (move it away first)",
                out.display()
            )
        } else {
            format!("{}: {e}", out.display())
        }
    })?;
    file.write_all(&key)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{}", pack::public_key_hex(&key).expect("fresh key"));
    Ok(())
}

fn build(src: &Path, key_path: &Path, out: &Path, base: Option<&Path>) -> Result<(), String> {
    let (meta, payload) = load(src)?;
    let key = std::fs::read(key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
    let (payload, base) = match base {
        Some(base_dir) => {
            let (base_meta, base) = load(base_dir)?;
            (payload.delta_from(&base), Some(base_meta.version))
        }
        None => (payload, None),
    };
    let now = chrono::Utc::now().to_rfc3339();
    let file = pack::sign(&meta.publisher, meta.version, base, &payload, &key, &now)
        .map_err(|e| e.to_string())?;
    write_atomically(out, &file)?;
    println!(
        "{}: {} v{}{} — {} checklists, {} articles, {} places, {} bytes",
        out.display(),
        meta.publisher,
        meta.version,
        base.map(|b| format!(" (delta from v{b})"))
            .unwrap_or_default(),
        payload.checklists.len(),
        payload.articles.len(),
        payload.places.len(),
        file.len()
    );
    Ok(())
}

fn load(dir: &Path) -> Result<(source::PackMeta, senda_core::content::ContentPayload), String> {
    source::load_dir(dir).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn trusted_keys(path: &Path) -> Result<TrustedKeys, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    TrustedKeys::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Write beside, then rename: a crash never leaves a half-written file under the real name.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}
