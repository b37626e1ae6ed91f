//! What guessing a PIN offline costs: `cargo run -p senda-core --example kdf_cost`.
//!
//! (The dev profile builds argon2, blake2 and ring at opt-level 3: the same speed as release.)
//! Times one key derivation at the vault's cost (Argon2id, as every new or upgraded
//! slot is sealed) and at the old one (PBKDF2-HMAC-SHA256, 600,000 rounds), then what
//! exhausting each PIN policy's key space costs on one core and on 16. Each guess at
//! a copied keyring is one derivation plus one AES-GCM open (negligible beside it).

use argon2::{Algorithm, Argon2, Params, Version};
use senda_core::vault::{DEFAULT_KDF, Kdf};
use std::time::Instant;

const RUNS: u32 = 10;

fn argon2_secs(kdf: Kdf) -> f64 {
    let Kdf::Argon2id {
        memory_kib,
        passes,
        lanes,
    } = kdf
    else {
        unreachable!("the vault seals with Argon2id")
    };
    let params = Params::new(memory_kib, passes, lanes, Some(32)).unwrap();
    let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = [0u8; 32];
    let start = Instant::now();
    for i in 0..RUNS {
        a.hash_password_into(
            format!("48291{i}").as_bytes(),
            b"0123456789abcdef",
            &mut out,
        )
        .unwrap();
    }
    start.elapsed().as_secs_f64() / f64::from(RUNS)
}

fn pbkdf2_secs() -> f64 {
    let mut out = [0u8; 32];
    let start = Instant::now();
    for i in 0..RUNS {
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            std::num::NonZeroU32::new(600_000).unwrap(),
            b"0123456789abcdef",
            format!("48291{i}").as_bytes(),
            &mut out,
        );
    }
    start.elapsed().as_secs_f64() / f64::from(RUNS)
}

fn human(secs: f64) -> String {
    let (v, unit) = if secs < 3600.0 * 48.0 {
        (secs / 3600.0, "hours")
    } else if secs < 86400.0 * 365.0 * 2.0 {
        (secs / 86400.0, "days")
    } else {
        (secs / (86400.0 * 365.25), "years")
    };
    format!("{v:.1} {unit}")
}

fn main() {
    let argon = argon2_secs(DEFAULT_KDF);
    let pbkdf2 = pbkdf2_secs();
    println!("one derivation, one core ({RUNS} runs):");
    println!("  Argon2id {DEFAULT_KDF:?}: {argon:.3} s");
    println!("  PBKDF2-HMAC-SHA256 600,000 (slots made before Argon2id): {pbkdf2:.3} s");
    println!("exhausting the key space at Argon2id (worst case; on average half):");
    for (policy, space) in [
        ("6 digits", 1e6),
        ("8 digits", 1e8),
        ("6 letters or digits (a-z, 0-9)", 36f64.powi(6)),
        ("6 letters or digits (A-Z, a-z, 0-9)", 62f64.powi(6)),
    ] {
        println!(
            "  {policy}: {space:.3e} PINs: one core {}, 16 cores {}",
            human(space * argon),
            human(space * argon / 16.0)
        );
    }
}
