//! Fuzzing on stable Rust: each of Senda's parsers runs on inputs generated
//! and mutated from a seed corpus for a set time. A parser may refuse any
//! input with its typed error; it must never panic. A panicking input is
//! written to `target/fuzz-failures/` and the run fails.
//!
//! `./x fuzz` runs every target for `SENDA_FUZZ_SECONDS` (600 by default);
//! the test in `tests/short.rs` runs each for a second on every `cargo test`.
//! Seeds: `corpus/<target>/` here, plus the repository's own fixtures and
//! assets (the demo content, HSDS examples, the XLSForm template).

mod mutate;
mod targets;

pub use mutate::Rng;
pub use targets::{TARGETS, Target};

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The repository's root (seeds live in it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What one target's run found.
#[derive(Debug)]
pub struct Outcome {
    pub target: &'static str,
    pub runs: u64,
    pub seeds: usize,
    /// The slowest single input, to spot inputs that make a parser crawl.
    pub slowest: Duration,
    /// Inputs that panicked, saved under `target/fuzz-failures/`, with the message.
    pub failures: Vec<(PathBuf, String)>,
}

/// Every seed of a target: its corpus folder, then what the target adds.
pub fn seeds(target: &Target) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut out: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    out.extend((target.seeds)());
    out
}

thread_local! {
    static LAST_PANIC: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `input` through the target; the panic message if it panicked.
pub fn run_one(target: &Target, input: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(input)))
        .map_err(|_| LAST_PANIC.with(|m| m.borrow().clone()))
}

/// Quiets the default panic printing (thousands of inputs) and keeps the
/// message for the report instead.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let text = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        LAST_PANIC.with(|m| *m.borrow_mut() = format!("{text}{at}"));
    }));
}

/// Replays every seed, then mutates seeds (and earlier mutants) until `budget` is spent.
pub fn fuzz(target: &Target, budget: Duration, seed: u64) -> Outcome {
    let corpus = seeds(target);
    let mut outcome = Outcome {
        target: target.name,
        runs: 0,
        seeds: corpus.len(),
        slowest: Duration::ZERO,
        failures: Vec::new(),
    };
    let mut rng = Rng::new(seed ^ fnv(target.name.as_bytes()));
    let mut pool = corpus.clone();
    let started = Instant::now();
    let check = |input: &[u8], outcome: &mut Outcome| {
        let t = Instant::now();
        let result = run_one(target, input);
        outcome.slowest = outcome.slowest.max(t.elapsed());
        outcome.runs += 1;
        if let Err(message) = result {
            let path = save_failure(target.name, input);
            outcome.failures.push((path, message));
        }
    };
    for input in &corpus {
        check(input, &mut outcome);
    }
    while started.elapsed() < budget && outcome.failures.len() < 5 {
        let base = if pool.is_empty() {
            Vec::new()
        } else {
            pool[rng.below(pool.len() as u64) as usize].clone()
        };
        let input = if rng.chance(3) {
            mutate::generate(&mut rng, target.max_len.min(4096))
        } else {
            mutate::mutate(&mut rng, &base, &corpus, target.max_len)
        };
        check(&input, &mut outcome);
        // Keep some mutants as bases, so changes pile up over a long run.
        if rng.chance(2) && pool.len() < 512 {
            pool.push(input);
        } else if rng.chance(1) && pool.len() > corpus.len() {
            let i = corpus.len() + rng.below((pool.len() - corpus.len()) as u64) as usize;
            pool.swap_remove(i);
        }
    }
    outcome
}

fn save_failure(target: &str, input: &[u8]) -> PathBuf {
    let dir = root().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{:016x}.bin", fnv(input)));
    let _ = std::fs::write(&path, input);
    path
}

/// FNV-1a: a stable name for a failing input and a seed per target.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
