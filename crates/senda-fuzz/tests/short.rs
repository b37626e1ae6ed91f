//! A short fuzzing run of every parser on each `cargo test` (a second each;
//! `./x fuzz` runs ten minutes each). Any panic fails with the saved input.

use std::time::Duration;

#[test]
fn every_parser_refuses_bad_input_without_panicking() {
    senda_fuzz::quiet_panics();
    let seconds = std::env::var("SENDA_FUZZ_TEST_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut failures = Vec::new();
    for target in senda_fuzz::TARGETS {
        let o = senda_fuzz::fuzz(target, Duration::from_secs(seconds), 0x5e4da);
        if o.seeds == 0 || o.runs < o.seeds as u64 {
            failures.push(format!("{}: {} seeds, {} runs", o.target, o.seeds, o.runs));
        }
        failures.extend(
            o.failures
                .into_iter()
                .map(|(path, message)| format!("{}: {} ({message})", o.target, path.display())),
        );
    }
    // The test's own assertions report normally again.
    drop(std::panic::take_hook());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_panicking_input_is_caught_and_saved() {
    senda_fuzz::quiet_panics();
    let target = senda_fuzz::Target {
        name: "self-check",
        what: "a parser that panics on one byte",
        max_len: 16,
        seeds: || vec![b"ok".to_vec()],
        run: |input| assert!(!input.contains(&b'!'), "found the byte"),
    };
    assert!(senda_fuzz::run_one(&target, b"fine").is_ok());
    let err = senda_fuzz::run_one(&target, b"bad!").unwrap_err();
    assert!(err.contains("found the byte"), "{err}");
}
