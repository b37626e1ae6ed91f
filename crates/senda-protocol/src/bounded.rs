//! Bounded decoding of the free-form parts of a push (M10).
//!
//! An op's `payload` is JSON and its `sealed` field hashes a map, so a hostile body
//! could decode 4 MiB of `[0,0,0,…]` into ~128 MiB of values. These
//! deserializers stop at the limits while decoding, before anything large is
//! built: a payload is a flat object of a few readable fields (one of them,
//! `sealed_summary`, one level deeper, and its signed `sender` one more), as
//! the casework sends it.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;

/// Values (objects, arrays, strings, numbers…) in one op's readable payload.
pub const MAX_PAYLOAD_ITEMS: usize = 64;
/// Nesting of a payload: the object, `sealed_summary` in it, the sealed box's
/// `sender` (keytrust), and its strings.
pub const MAX_PAYLOAD_DEPTH: usize = 4;
/// Bytes of text in one op's readable payload (keys and strings).
pub const MAX_PAYLOAD_BYTES: usize = 32 * 1024;
/// Sealed fields are bounded while decoding too (`fields::SealedFields`).
pub use crate::fields::MAX_SEALED_FIELDS;

/// The prefix of every limit refusal, so `decode` can tell it from damage.
pub(crate) const OVER_LIMIT: &str = "over-limit: ";

pub(crate) fn over<E: de::Error>(what: &str) -> E {
    E::custom(format!("{OVER_LIMIT}{what}"))
}

struct Budget {
    items: Cell<usize>,
    bytes: Cell<usize>,
}

impl Budget {
    fn item<E: de::Error>(&self) -> Result<(), E> {
        let left = self.items.get();
        if left == 0 {
            return Err(over("too many values in an operation's payload"));
        }
        self.items.set(left - 1);
        Ok(())
    }
    fn text<E: de::Error>(&self, n: usize) -> Result<(), E> {
        let left = self.bytes.get();
        if n > left {
            return Err(over("an operation's payload is too large"));
        }
        self.bytes.set(left - n);
        Ok(())
    }
}

struct Json<'a> {
    budget: &'a Budget,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Json<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.budget.item()?;
        if self.depth > MAX_PAYLOAD_DEPTH {
            return Err(over("an operation's payload is nested too deep"));
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Json<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.budget.text(v.len())?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.budget.text(v.len())?;
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Json {
            budget: self.budget,
            depth: self.depth + 1,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.budget.text(key.len())?;
            let value = map.next_value_seed(Json {
                budget: self.budget,
                depth: self.depth + 1,
            })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// An op's readable payload, within [`MAX_PAYLOAD_ITEMS`], [`MAX_PAYLOAD_DEPTH`]
/// and [`MAX_PAYLOAD_BYTES`].
pub fn payload<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    let budget = Budget {
        items: Cell::new(MAX_PAYLOAD_ITEMS),
        bytes: Cell::new(MAX_PAYLOAD_BYTES),
    };
    Json {
        budget: &budget,
        depth: 1,
    }
    .deserialize(d)
}

/// A push's operations, at most [`crate::MAX_OPS_PER_PUSH`].
pub fn ops<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<crate::Op>, D::Error> {
    struct Ops;
    impl<'de> Visitor<'de> for Ops {
        type Value = Vec<crate::Op>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of operations")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(op) = seq.next_element()? {
                if out.len() == crate::MAX_OPS_PER_PUSH {
                    return Err(over("too many operations in one push"));
                }
                out.push(op);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Ops)
}

#[cfg(test)]
mod tests {
    use crate::{DecodeError, PushRequest, decode, encode};

    /// An op as the wire has it (an array), with any payload at all.
    fn op_with(payload: serde_json::Value) -> serde_json::Value {
        serde_json::json!([
            "a", 1, "h", "case", "c", "c", "create", 0, 1, payload, null, null
        ])
    }

    fn push_with(payload: serde_json::Value) -> Vec<u8> {
        encode(&serde_json::json!({ "protocol": 1, "ops": [op_with(payload)] }))
    }

    #[test]
    fn a_flat_payload_decodes_and_a_flood_stops_at_the_limit() {
        let ok = push_with(serde_json::json!({ "country": "CO", "week": "2026-W48" }));
        assert!(decode::<PushRequest>(&ok).is_ok());
        // 1 byte per element in CBOR: what once decoded to 32 bytes each.
        let flood = push_with(serde_json::Value::Array(vec![0.into(); 100_000]));
        assert!(matches!(
            decode::<PushRequest>(&flood),
            Err(DecodeError::OverLimit(_))
        ));
        let deep = push_with(serde_json::json!({ "a": { "b": { "c": { "d": "e" } } } }));
        assert!(matches!(
            decode::<PushRequest>(&deep),
            Err(DecodeError::OverLimit(_))
        ));
        let long = push_with(serde_json::json!({ "country": "x".repeat(40_000) }));
        assert!(matches!(
            decode::<PushRequest>(&long),
            Err(DecodeError::OverLimit(_))
        ));
    }

    /// Each limit admits exactly its value and refuses one more.
    #[test]
    fn each_payload_limit_is_exact() {
        use super::{MAX_PAYLOAD_BYTES, MAX_PAYLOAD_ITEMS};
        let decodes = |payload: serde_json::Value| decode::<PushRequest>(&push_with(payload));
        // The object itself is one value; each field's value another.
        let fields = |n: usize| {
            serde_json::Value::Object((0..n).map(|i| (format!("f{i}"), "v".into())).collect())
        };
        assert!(decodes(fields(MAX_PAYLOAD_ITEMS - 1)).is_ok());
        assert!(matches!(
            decodes(fields(MAX_PAYLOAD_ITEMS)),
            Err(DecodeError::OverLimit(_))
        ));
        // Keys and strings count as text: one key of one byte, then the rest.
        let text = |n: usize| serde_json::json!({ "k": "x".repeat(n - 1) });
        assert!(decodes(text(MAX_PAYLOAD_BYTES)).is_ok());
        assert!(matches!(
            decodes(text(MAX_PAYLOAD_BYTES + 1)),
            Err(DecodeError::OverLimit(_))
        ));
        // Four levels: the payload, a field, the sealed box, its sender.
        assert!(decodes(serde_json::json!({ "a": { "b": { "c": "d" } } })).is_ok());
    }

    #[test]
    fn too_many_ops_or_sealed_fields_stop_while_decoding() {
        let op = op_with(serde_json::Value::Null);
        let exactly = encode(&serde_json::json!({
            "protocol": 1, "ops": vec![op.clone(); crate::MAX_OPS_PER_PUSH]
        }));
        assert!(decode::<PushRequest>(&exactly).is_ok());
        let many = encode(&serde_json::json!({
            "protocol": 1, "ops": vec![op.clone(); crate::MAX_OPS_PER_PUSH + 1]
        }));
        assert!(matches!(
            decode::<PushRequest>(&many),
            Err(DecodeError::OverLimit(_))
        ));
        let with_sealed = |n: usize| {
            let mut typed: crate::Op = decode(&encode(&op)).unwrap();
            typed.sealed = crate::SealedFields {
                check: vec![1; 16],
                hashes: (0..n as u64)
                    .map(|i| (i.to_be_bytes().to_vec(), vec![4; 8]))
                    .collect(),
                ct: vec![3; 20],
            };
            encode(&PushRequest {
                protocol: 1,
                ops: vec![typed],
            })
        };
        assert!(decode::<PushRequest>(&with_sealed(crate::bounded::MAX_SEALED_FIELDS)).is_ok());
        assert!(matches!(
            decode::<PushRequest>(&with_sealed(crate::bounded::MAX_SEALED_FIELDS + 1)),
            Err(DecodeError::OverLimit(_))
        ));
    }
}
