//! Each error's code is written once, as its variant's name: serde's `code`
//! field (what the UI receives) and `code()` (what tests and logs use) must
//! agree for every variant, and every code is kebab-case and used once.

use senda_core::VaultError;
use senda_core::casework::CaseError;
use senda_core::content::InstallError;
use senda_core::content::pack::PackError;
use senda_core::sync::SyncError;
use serde::Serialize;
use strum::IntoEnumIterator;

/// Serialises every variant and compares its `code` with `code()`; returns the codes.
fn codes_of<E: Serialize + std::fmt::Debug>(
    all: impl Iterator<Item = E>,
    code: impl Fn(&E) -> &'static str,
) -> Vec<&'static str> {
    let mut codes = Vec::new();
    for e in all {
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], code(&e), "{e:?} serialises as {json}");
        let c = code(&e);
        assert!(
            !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'),
            "{c}"
        );
        assert!(!codes.contains(&c), "{c} is used twice");
        codes.push(c);
    }
    codes
}

#[test]
fn vault_error_codes_are_their_serde_codes() {
    let codes = codes_of(VaultError::iter(), VaultError::code);
    assert_eq!(codes, VaultError::all_codes());
    assert!(codes.contains(&"wrong-pin"));
}

#[test]
fn case_error_codes_are_their_serde_codes() {
    let codes = codes_of(CaseError::iter(), CaseError::code);
    assert_eq!(codes, CaseError::all_codes());
    // The vault's errors pass through with the vault's code.
    let wrapped = CaseError::from(VaultError::Locked);
    assert_eq!(serde_json::to_value(&wrapped).unwrap()["code"], "locked");
    assert_eq!(wrapped.code(), "locked");
    for c in &codes {
        assert!(
            !VaultError::all_codes().contains(c),
            "{c} is also a vault code"
        );
    }
}

#[test]
fn sync_error_codes_are_their_serde_codes() {
    let codes = codes_of(SyncError::iter(), SyncError::code);
    assert_eq!(codes, SyncError::all_codes());
    let wrapped = SyncError::from(CaseError::ServiceNotListed);
    assert_eq!(
        serde_json::to_value(&wrapped).unwrap()["code"],
        "service-not-listed"
    );
    assert_eq!(wrapped.code(), "service-not-listed");
}

#[test]
fn install_error_codes_are_their_serde_codes() {
    let codes = codes_of(InstallError::iter(), InstallError::code);
    // `Storage` is renamed for serde ("content-storage"): strum must say the same.
    assert!(codes.contains(&"content-storage"), "{codes:?}");
    let pack = codes_of(
        PackError::iter().map(InstallError::from),
        InstallError::code,
    );
    assert_eq!([codes, pack].concat(), InstallError::all_codes());
}

#[test]
fn pack_error_codes_are_their_serde_codes() {
    let codes = codes_of(PackError::iter(), PackError::code);
    assert_eq!(codes.len(), 6, "{codes:?}");
}

#[test]
fn key_trust_error_codes_are_their_serde_codes() {
    use senda_core::sync::KeyTrustError;
    let codes = codes_of(KeyTrustError::iter(), KeyTrustError::code);
    assert_eq!(codes, KeyTrustError::all_codes());
    // Casework passes them through with their own code.
    let wrapped = CaseError::from(KeyTrustError::WeakKey);
    assert_eq!(serde_json::to_value(&wrapped).unwrap()["code"], "weak-key");
    assert_eq!(wrapped.code(), "weak-key");
}
