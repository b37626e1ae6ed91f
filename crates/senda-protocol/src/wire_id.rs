//! Ids (of ops, records, cases) are hex text in memory, in JSON and in the
//! server's tables, but CBOR byte strings on the wire: 17 bytes instead of
//! 34 for a 128-bit id, on every op and every acknowledgement. An id that is
//! not lowercase hex (a test's, a hand-made one) travels as text, unchanged.

use serde::de::{Deserializer, Error, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use std::fmt;

pub fn serialize<S: Serializer>(id: &str, s: S) -> Result<S::Ok, S::Error> {
    match crate::unhex(id) {
        Some(bytes) if !s.is_human_readable() => s.serialize_bytes(&bytes),
        _ => s.serialize_str(id),
    }
}

struct Id;

impl Visitor<'_> for Id {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id: a byte string or text")
    }
    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<String, E> {
        Ok(crate::hex(v))
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    if d.is_human_readable() {
        d.deserialize_str(Id)
    } else {
        d.deserialize_any(Id)
    }
}

/// A list of ids (a push's acknowledgement).
pub mod list {
    use super::*;

    #[derive(serde::Serialize)]
    struct One<'a>(#[serde(with = "super")] &'a str);

    #[derive(serde::Deserialize)]
    struct Owned(#[serde(with = "super")] String);

    pub fn serialize<S: Serializer>(ids: &[String], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(ids.len()))?;
        for id in ids {
            seq.serialize_element(&One(id))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        struct Ids;
        impl<'de> Visitor<'de> for Ids {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of ids")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
                // Nothing reserved from the length the sender claims.
                let mut out = Vec::new();
                while let Some(Owned(id)) = seq.next_element()? {
                    out.push(id);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(Ids)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Op, PushResponse, decode, encode};

    fn op(id: &str) -> Op {
        Op {
            op_id: id.into(),
            seq: 1,
            hlc: "001796000000000.000000".into(),
            entity: "case".into(),
            entity_id: id.into(),
            case_id: id.into(),
            op: "create".into(),
            base_version: 0,
            version: 1,
            payload: serde_json::Value::Null,
            sealed: Default::default(),
            sealed_summary: None,
        }
    }

    #[test]
    fn hex_ids_travel_as_bytes_and_every_id_comes_back_as_it_left() {
        let hex_id = "00ff3a9b".repeat(4);
        for id in [hex_id.as_str(), "op-1", "", "ABCD", "abc"] {
            let sent = op(id);
            assert_eq!(decode::<Op>(&encode(&sent)).unwrap(), sent, "{id:?}");
            let json = serde_json::to_value(&sent).unwrap();
            assert_eq!(json["op_id"], id, "JSON keeps text");
            let ack = PushResponse {
                stored: vec![id.into(), hex_id.clone()],
                stored_all: false,
                high_seq: 1,
                conflicts: vec![],
            };
            assert_eq!(decode::<PushResponse>(&encode(&ack)).unwrap(), ack);
        }
        // A 128-bit id costs 17 bytes, not 34: three of them in every op.
        let as_text = encode(&op("op-1")).len() - 3 * "op-1".len();
        let as_bytes = encode(&op(&hex_id)).len() - 3 * 16;
        assert_eq!(as_text, as_bytes);
    }

    #[test]
    fn an_answer_holding_every_op_of_the_push_says_so_in_one_flag() {
        let sent = vec!["aa".repeat(16), "bb".repeat(16)];
        let answer = |stored: Vec<String>| PushResponse {
            stored,
            stored_all: false,
            high_seq: 2,
            conflicts: vec![],
        };
        let full = answer(vec![sent[1].clone(), sent[0].clone()]);
        let all = full.clone().compact(&sent);
        assert!(all.stored_all && all.stored.is_empty());
        assert_eq!(all.stored_of(&sent), sent);
        assert_eq!(decode::<PushResponse>(&encode(&all)).unwrap(), all);
        // Two ids of 17 bytes, for the flag and its name.
        assert_eq!(
            encode(&full).len() - encode(&all).len(),
            2 * 17 - (1 + "stored_all".len() + 1)
        );
        // Part of the push, or one id twice: the list itself.
        for stored in [
            vec![sent[0].clone()],
            vec![sent[0].clone(), sent[0].clone()],
        ] {
            let part = answer(stored.clone()).compact(&sent);
            assert!(!part.stored_all);
            assert_eq!(part.stored_of(&sent), stored);
        }
    }
}
