//! `./x fuzz [TARGET…]`: every parser (or the named ones) on generated and
//! mutated input for `SENDA_FUZZ_SECONDS` each (600 by default);
//! `SENDA_FUZZ_SEED` repeats a run. Exits 1 if any input panicked.

use std::time::Duration;

fn main() {
    let seconds: u64 = std::env::var("SENDA_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("SENDA_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let unknown: Vec<&String> = wanted
        .iter()
        .filter(|w| !senda_fuzz::TARGETS.iter().any(|t| t.name == w.as_str()))
        .collect();
    if !unknown.is_empty() {
        eprintln!("unknown target(s) {unknown:?}; the targets are:");
        for t in senda_fuzz::TARGETS {
            eprintln!("  {:<15} {}", t.name, t.what);
        }
        std::process::exit(2);
    }
    println!("senda-fuzz: seed {seed}, {seconds} s per target (SENDA_FUZZ_SEED={seed} repeats it)");
    senda_fuzz::quiet_panics();
    let mut failed = false;
    for target in senda_fuzz::TARGETS {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == target.name) {
            continue;
        }
        let o = senda_fuzz::fuzz(target, Duration::from_secs(seconds), seed);
        println!(
            "{:<15} {:>9} inputs ({} seeds), slowest {:?}: {}",
            o.target,
            o.runs,
            o.seeds,
            o.slowest,
            if o.failures.is_empty() {
                "no panic"
            } else {
                "PANICKED"
            }
        );
        for (path, message) in &o.failures {
            failed = true;
            println!("    {}: {message}", path.display());
        }
    }
    if failed {
        std::process::exit(1);
    }
}
