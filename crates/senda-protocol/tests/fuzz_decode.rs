//! Fuzzing the push decoder with proptest: any bytes give a message or a
//! typed error, never a panic. Inputs that once mattered live in
//! `tests/corpus/` and are replayed on every run.

use proptest::prelude::*;
use senda_protocol::{DecodeError, Op, PushRequest, decode, encode};

#[test]
fn the_corpus_decodes_or_is_refused_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // Every corpus file is malformed on purpose: each must be refused, typed.
        match decode::<PushRequest>(&bytes) {
            Err(DecodeError::Malformed(_) | DecodeError::TooLarge(_)) => {}
            other => panic!(
                "{}: expected a typed refusal, got {other:?}",
                path.display()
            ),
        }
        seen += 1;
    }
    assert!(seen >= 5, "the corpus lost files: {seen}");
}

fn valid_push() -> Vec<u8> {
    encode(&PushRequest {
        protocol: 1,
        ops: vec![Op {
            op_id: "a".into(),
            seq: 1,
            hlc: "x".into(),
            entity: "case".into(),
            entity_id: "c".into(),
            case_id: "c".into(),
            op: "create".into(),
            base_version: 0,
            version: 1,
            payload: serde_json::json!({ "country": "CO" }),
            sealed: senda_protocol::SealedFields {
                check: vec![2; 16],
                hashes: [(vec![7; 8], vec![3; 8])].into(),
                ct: vec![1; 20],
            },
            sealed_summary: None,
        }],
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = decode::<PushRequest>(&bytes);
    }

    #[test]
    fn mutated_valid_messages_never_panic(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let mut bytes = valid_push();
        for (at, value) in flips {
            let i = at % bytes.len();
            bytes[i] = value;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        match decode::<PushRequest>(&bytes) {
            // A flipped byte may also nest a payload past the decoder's limits:
            // refused as over the limit, a typed error too. Never "too large":
            // the message stays small.
            Ok(_) | Err(DecodeError::Malformed(_)) | Err(DecodeError::OverLimit(_)) => {}
            Err(e) => prop_assert!(false, "unexpected {e:?}"),
        }
    }
}
