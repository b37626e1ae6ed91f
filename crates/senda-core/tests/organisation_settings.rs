//! What an organisation sets on its server reaches the device in a pull answer
//! (`senda_protocol::PullResponse`) and is applied to the vault: its PIN policy
//! for every PIN set from then on. The server side is in
//! crates/senda-server/tests/console.rs (`settings_reach_the_devices_at_their_next_sync`).

use senda_core::sync::{SyncError, apply_organisation_settings};
use senda_core::{ManualClock, PinPolicy, Vault, VaultError};
use senda_protocol::PullResponse;
use std::sync::Arc;

const PIN: &str = "482916";

fn page(policy: Option<senda_protocol::PinPolicy>) -> PullResponse {
    PullResponse {
        changes: Vec::new(),
        cursor: 0,
        more: false,
        retention_days: Some(20),
        pin_policy: policy,
    }
}

#[test]
fn the_organisation_s_pin_policy_arrives_with_a_pull_and_applies_to_new_pins() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::open_dir(dir.path(), Arc::new(ManualClock::default()))
        .unwrap()
        .with_light_kdf();
    v.create("Coordinadora Ana", PIN).unwrap();
    // A page without a policy changes nothing.
    apply_organisation_settings(&mut v, &page(None)).unwrap();
    assert_eq!(v.status().unwrap().pin_policy, PinPolicy::default());

    let policy = senda_protocol::PinPolicy {
        min_length: 8,
        letters_allowed: false,
    };
    apply_organisation_settings(&mut v, &page(Some(policy))).unwrap();
    assert_eq!(
        v.status().unwrap().pin_policy,
        PinPolicy {
            min_length: 8,
            letters_allowed: false
        }
    );
    assert!(matches!(
        v.change_pin(PIN, "1234567"),
        Err(VaultError::PinTooShort { min: 8 })
    ));
    assert!(matches!(
        v.change_pin(PIN, "abcdefgh"),
        Err(VaultError::PinDigitsOnly)
    ));
    v.change_pin(PIN, "12345678").unwrap();

    // A policy below the floor is refused, and the one in force stays.
    let weak = senda_protocol::PinPolicy {
        min_length: 4,
        letters_allowed: true,
    };
    assert!(!weak.valid());
    let refused = apply_organisation_settings(&mut v, &page(Some(weak))).unwrap_err();
    assert!(matches!(refused, SyncError::Case(_)), "{refused:?}");
    assert_eq!(v.status().unwrap().pin_policy.min_length, 8);
}
