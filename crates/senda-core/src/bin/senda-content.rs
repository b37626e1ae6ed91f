//! `senda-content`: build, sign and check content packs.
//!
//! ```text
//! senda-content keygen  --out KEY.pk8                 (prints the public key)
//! senda-content build   --src DIR --key KEY.pk8 --out FILE [--base OLD_DIR]
//! senda-content verify  FILE --trusted TRUSTED.toml
//! ```

use senda_core::content::pack::{self, TrustedKeys};
use senda_core::content::source;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("senda-content: {e}");
            ExitCode::FAILURE
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<PathBuf> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
}

fn required(args: &[String], name: &str) -> Result<PathBuf, String> {
    flag(args, name).ok_or_else(|| format!("missing {name}"))
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("keygen") => {
            let out = required(args, "--out")?;
            let key = pack::generate_key();
            std::fs::write(&out, &key).map_err(|e| format!("{}: {e}", out.display()))?;
            println!("{}", pack::public_key_hex(&key).expect("fresh key"));
            Ok(())
        }
        Some("build") => {
            let src = required(args, "--src")?;
            let key_path = required(args, "--key")?;
            let out = required(args, "--out")?;
            let (meta, payload) = load(&src)?;
            let key =
                std::fs::read(&key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
            let (payload, base) = match flag(args, "--base") {
                Some(base_dir) => {
                    let (base_meta, base) = load(&base_dir)?;
                    (payload.delta_from(&base), Some(base_meta.version))
                }
                None => (payload, None),
            };
            let now = chrono::Utc::now().to_rfc3339();
            let file = pack::sign(&meta.publisher, meta.version, base, &payload, &key, &now)
                .map_err(|e| e.to_string())?;
            write_atomically(&out, &file)?;
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
        Some("verify") => {
            let file = args.get(1).map(PathBuf::from).ok_or("missing FILE")?;
            let trusted = trusted_keys(&required(args, "--trusted")?)?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let pack = pack::verify(&bytes, &trusted).map_err(|e| e.to_string())?;
            println!("ok: {} v{}", pack.header.publisher, pack.header.version);
            Ok(())
        }
        _ => Err("usage: senda-content keygen|build|verify (see --help in the source)".into()),
    }
}

fn load(
    dir: &std::path::Path,
) -> Result<(source::PackMeta, senda_core::content::ContentPayload), String> {
    source::load_dir(dir).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn trusted_keys(path: &std::path::Path) -> Result<TrustedKeys, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    TrustedKeys::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Write beside, then rename: a crash never leaves a half-written pack under the real name.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}
