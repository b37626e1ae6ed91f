//! The sync protocol between a Senda device and the central server.
//!
//! - Messages are CBOR (compact and binary; see docs/benchmarks.md for sizes),
//!   decoded with a size and depth limit so a hostile body cannot exhaust memory.
//! - Every request but enrolment is signed by the device's Ed25519 key over the
//!   method, path, time, a one-time nonce and the body's SHA-256 ([`signing_message`]).
//!   The server keeps only public keys and refuses a nonce it has seen.
//!
//! This crate does no I/O: `senda-core` builds and reads messages on the
//! device, `senda-server` on the server.

pub mod batch;
pub mod bounded;
pub mod fields;
pub mod seal;
pub mod trust;
pub mod wire_id;

pub use fields::{FieldKeys, SealedConflict, SealedFields};
pub use seal::{BoxSecret, SealError, SealedBox};
pub use trust::{BoxSender, KeyBundle, OrgKeyCert, OrgSecret, OrgTrust};

use ring::digest::{SHA256, digest};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// Reads a string that JSON keeps as text and CBOR may send compactly (a
/// name's code, a clock as one integer, bytes): `visitor` takes either.
pub(crate) fn text_or_compact<'de, D, V>(d: D, visitor: V) -> Result<String, D::Error>
where
    D: serde::Deserializer<'de>,
    V: serde::de::Visitor<'de, Value = String>,
{
    if d.is_human_readable() {
        d.deserialize_str(visitor)
    } else {
        d.deserialize_any(visitor)
    }
}

/// Bumped when a message changes shape incompatibly.
pub const PROTOCOL_VERSION: u16 = 3;
/// The largest request body the server reads.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The most operations in one push.
pub const MAX_OPS_PER_PUSH: usize = 500;
/// How far a request's time may be from the server's. Wide, because devices
/// in the field run days off; replay is stopped by nonces, not by the clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 7 * 24 * 3600;

pub const HEADER_DEVICE: &str = "x-senda-device";
pub const HEADER_TIME: &str = "x-senda-time";
pub const HEADER_NONCE: &str = "x-senda-nonce";
pub const HEADER_SIGNATURE: &str = "x-senda-signature";
/// The server's Ed25519 signature (hex) of its answer, over [`answer_message`].
pub const HEADER_SERVER_SIGNATURE: &str = "x-senda-server-signature";
pub const CONTENT_TYPE: &str = "application/cbor";

/// One change from a device's outbox, as it travels: on the wire a CBOR
/// array in the order of these fields (their names were a fifth of a sealed
/// op's bytes), in JSON an object ([`OpObject`]).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Op {
    /// Ids are hex text in memory and JSON, bytes on the wire ([`wire_id`]).
    pub op_id: String,
    pub seq: i64,
    pub hlc: String,
    pub entity: String,
    pub entity_id: String,
    pub case_id: String,
    pub op: String,
    pub base_version: i64,
    pub version: i64,
    /// Only fields the server may read ([`fields::plain_field`]); decoded
    /// within [`bounded`]'s limits.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// Every other field, sealed together to the organisation's key
    /// ([`fields`]); bounded while decoding.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u8>))]
    pub sealed: SealedFields,
    /// A referral's tell-once summary, sealed to the receiving organisation's
    /// key (byte strings on the wire, not hex text inside the payload).
    pub sealed_summary: Option<SealedBox>,
}

/// An [`Op`] in JSON (tests, tools, the API's documentation).
#[derive(Serialize, Deserialize)]
#[serde(rename = "Op")]
struct OpObject {
    op_id: String,
    seq: i64,
    hlc: String,
    entity: String,
    entity_id: String,
    case_id: String,
    op: String,
    base_version: i64,
    version: i64,
    #[serde(deserialize_with = "bounded::payload")]
    payload: serde_json::Value,
    #[serde(default, skip_serializing_if = "SealedFields::is_empty")]
    sealed: SealedFields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_summary: Option<SealedBox>,
}

/// An [`Op`] as the wire carries it, read in order.
#[derive(Deserialize)]
struct OpArray(
    #[serde(with = "wire_id")] String,
    i64,
    #[serde(with = "wire_hlc")] String,
    #[serde(with = "wire_name")] String,
    #[serde(with = "wire_id")] String,
    #[serde(with = "wire_id")] String,
    #[serde(with = "wire_name")] String,
    i64,
    i64,
    #[serde(deserialize_with = "bounded::payload")] serde_json::Value,
    Option<SealedFields>,
    Option<SealedBox>,
);

/// An id to write as [`wire_id`] does.
struct WireId<'a>(&'a str);
impl Serialize for WireId<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        wire_id::serialize(self.0, s)
    }
}

/// A name to write as [`wire_name`] does.
struct WireName<'a>(&'a str);
impl Serialize for WireName<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        wire_name::serialize(self.0, s)
    }
}

/// The casework's entity and operation names are text in memory and JSON,
/// and one small integer on the wire (their place in [`wire_name::NAMES`]);
/// any other name travels as text.
mod wire_name {
    use serde::Serializer;
    use serde::de::{Deserializer, Error, Visitor};

    /// Never reordered: a name's place is its code. New names go at the end.
    pub const NAMES: [&str; 10] = [
        "case",
        "screening",
        "consent",
        "referral",
        "create",
        "update",
        "complete",
        "withdraw",
        "status",
        "summary",
    ];

    pub fn serialize<S: Serializer>(name: &str, s: S) -> Result<S::Ok, S::Error> {
        match NAMES.iter().position(|n| *n == name) {
            Some(code) if !s.is_human_readable() => s.serialize_u8(code as u8),
            _ => s.serialize_str(name),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = String;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a name: a known code or text")
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<String, E> {
                usize::try_from(v)
                    .ok()
                    .and_then(|i| NAMES.get(i))
                    .map(|n| (*n).to_owned())
                    .ok_or_else(|| E::custom("an unknown name code"))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
        }
        crate::text_or_compact(d, Name)
    }

    #[cfg(test)]
    mod tests {
        use crate::{DecodeError, Op, decode, encode};

        #[test]
        fn known_names_travel_as_codes_and_others_as_text() {
            let mut op: Op = decode(&encode(&serde_json::json!([
                "a", 1, "x", 3, "c", "c", 4, 0, 1, null, null, null
            ])))
            .unwrap();
            assert_eq!((op.entity.as_str(), op.op.as_str()), ("referral", "create"));
            for name in super::NAMES.iter().chain(&["audit", ""]) {
                op.entity = (*name).into();
                op.op = (*name).into();
                let back = decode::<Op>(&encode(&op)).unwrap();
                assert_eq!((back.entity.as_str(), back.op.as_str()), (*name, *name));
            }
            // A code past the table is a damaged op, not a guess.
            let unknown = encode(&serde_json::json!([
                "a", 1, "x", 10, "c", "c", 4, 0, 1, null, null, null
            ]));
            assert!(matches!(
                decode::<Op>(&unknown),
                Err(DecodeError::Malformed(_))
            ));
        }
    }
}

/// A clock to write as [`wire_hlc`] does.
struct WireHlc<'a>(&'a str);
impl Serialize for WireHlc<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        wire_hlc::serialize(self.0, s)
    }
}

/// A hybrid logical clock (`001795478483298.000001`: 15 digits of
/// milliseconds, 6 of counter) is text in memory and JSON, and one integer
/// on the wire (milliseconds × 10⁶ + counter: 9 bytes instead of 23). A clock
/// of any other shape travels as text, unchanged.
mod wire_hlc {
    use serde::Serializer;
    use serde::de::{Deserializer, Error, Visitor};

    const COUNTER: u64 = 1_000_000;

    fn packed(hlc: &str) -> Option<u64> {
        let (millis, counter) = hlc.split_once('.')?;
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(millis, 15) || !digits(counter, 6) {
            return None;
        }
        millis
            .parse::<u64>()
            .ok()?
            .checked_mul(COUNTER)?
            .checked_add(counter.parse().ok()?)
    }

    pub fn serialize<S: Serializer>(hlc: &str, s: S) -> Result<S::Ok, S::Error> {
        match packed(hlc) {
            Some(n) if !s.is_human_readable() => s.serialize_u64(n),
            _ => s.serialize_str(hlc),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        struct Hlc;
        impl Visitor<'_> for Hlc {
            type Value = String;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a clock: an integer or text")
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<String, E> {
                Ok(format!("{:015}.{:06}", v / COUNTER, v % COUNTER))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
        }
        crate::text_or_compact(d, Hlc)
    }

    #[cfg(test)]
    mod tests {
        use crate::{Op, decode, encode};

        #[test]
        fn a_clock_travels_as_one_integer_and_comes_back_as_it_left() {
            let mut op: Op = decode(&encode(&serde_json::json!([
                "a", 1, "x", "case", "c", "c", "create", 0, 1, null, null, null
            ])))
            .unwrap();
            for hlc in [
                "001795478483298.000001",
                "000000000000000.000000",
                "999999999999999.999999",
                "1795478483298.1",
                "x",
                "",
            ] {
                op.hlc = hlc.into();
                assert_eq!(decode::<Op>(&encode(&op)).unwrap().hlc, hlc, "{hlc:?}");
            }
            op.hlc = "001795478483298.000001".into();
            let as_integer = encode(&op).len();
            op.hlc = "1795478483298.1".into();
            assert_eq!(encode(&op).len(), as_integer + 16 - 9);
        }
    }
}

impl Serialize for Op {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        if s.is_human_readable() {
            return OpObject::from(self.clone()).serialize(s);
        }
        let mut t = s.serialize_tuple(12)?;
        t.serialize_element(&WireId(&self.op_id))?;
        t.serialize_element(&self.seq)?;
        t.serialize_element(&WireHlc(&self.hlc))?;
        t.serialize_element(&WireName(&self.entity))?;
        t.serialize_element(&WireId(&self.entity_id))?;
        t.serialize_element(&WireId(&self.case_id))?;
        t.serialize_element(&WireName(&self.op))?;
        t.serialize_element(&self.base_version)?;
        t.serialize_element(&self.version)?;
        t.serialize_element(&self.payload)?;
        t.serialize_element(&(!self.sealed.is_empty()).then_some(&self.sealed))?;
        t.serialize_element(&self.sealed_summary)?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            return OpObject::deserialize(d).map(Op::from);
        }
        let OpArray(
            op_id,
            seq,
            hlc,
            entity,
            entity_id,
            case_id,
            op,
            base_version,
            version,
            payload,
            sealed,
            sealed_summary,
        ) = OpArray::deserialize(d)?;
        Ok(Op {
            op_id,
            seq,
            hlc,
            entity,
            entity_id,
            case_id,
            op,
            base_version,
            version,
            payload,
            sealed: sealed.unwrap_or_default(),
            sealed_summary,
        })
    }
}

impl From<Op> for OpObject {
    fn from(o: Op) -> Self {
        Self {
            op_id: o.op_id,
            seq: o.seq,
            hlc: o.hlc,
            entity: o.entity,
            entity_id: o.entity_id,
            case_id: o.case_id,
            op: o.op,
            base_version: o.base_version,
            version: o.version,
            payload: o.payload,
            sealed: o.sealed,
            sealed_summary: o.sealed_summary,
        }
    }
}

impl From<OpObject> for Op {
    fn from(o: OpObject) -> Self {
        Self {
            op_id: o.op_id,
            seq: o.seq,
            hlc: o.hlc,
            entity: o.entity,
            entity_id: o.entity_id,
            case_id: o.case_id,
            op: o.op,
            base_version: o.base_version,
            version: o.version,
            payload: o.payload,
            sealed: o.sealed,
            sealed_summary: o.sealed_summary,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub protocol: u16,
    #[serde(deserialize_with = "bounded::ops")]
    pub ops: Vec<Op>,
}

impl PushRequest {
    /// A push request's bytes around ops already encoded (each as [`encode`]
    /// writes an [`Op`]): the bytes [`encode`] writes for the request, without
    /// decoding and encoding again ops a device sealed and kept as bytes.
    pub fn encode_with(protocol: u16, ops: &[&[u8]]) -> Vec<u8> {
        use ciborium_ll::{Encoder, Header};
        let mut out = Vec::with_capacity(ops.iter().map(|o| o.len()).sum::<usize>() + 32);
        let mut e = Encoder::from(&mut out);
        let written: Result<(), std::io::Error> = (|| {
            e.push(Header::Map(Some(2)))?;
            e.text("protocol", None)?;
            e.push(Header::Positive(protocol.into()))?;
            e.text("ops", None)?;
            e.push(Header::Array(Some(ops.len())))?;
            Ok(())
        })();
        written.expect("writing CBOR to memory cannot fail");
        for op in ops {
            out.extend_from_slice(op);
        }
        out
    }
}

/// The server's answer to a push: every op it now holds durably (new or
/// already there), the highest sequence number it holds for the device, and
/// any conflicts it detected and kept for a person to resolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// Empty when `stored_all` says every op of the push is held.
    #[serde(with = "wire_id::list")]
    pub stored: Vec<String>,
    /// Every op of the push is held (the common answer: 17 bytes an op fewer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stored_all: bool,
    pub high_seq: i64,
    pub conflicts: Vec<Conflict>,
}

impl PushResponse {
    /// The answer as it travels: `stored_all` instead of the list when the
    /// server holds every op of the push that sent `sent`.
    pub fn compact(mut self, sent: &[String]) -> Self {
        use std::collections::HashSet;
        let held: HashSet<&String> = self.stored.iter().collect();
        if held.len() == self.stored.len()
            && self.stored.len() == sent.len()
            && sent.iter().all(|id| held.contains(id))
        {
            self.stored.clear();
            self.stored_all = true;
        }
        self
    }

    /// The ids of the ops the server holds, of the push that sent `sent`.
    pub fn stored_of(&self, sent: &[String]) -> Vec<String> {
        if self.stored_all {
            sent.to_vec()
        } else {
            self.stored.clone()
        }
    }
}

/// Two edits of the same field made on the same base version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// The operation whose change was kept apart.
    #[serde(default)]
    pub op_id: String,
    pub entity_id: String,
    pub field: String,
    pub base_version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub theirs: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub ours: serde_json::Value,
    /// For a sealed field (then `theirs` and `ours` are null): both sealed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedConflict>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullRequest {
    pub protocol: u16,
    /// The last change id the device has applied (0 at first).
    pub cursor: i64,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Store this with the changes, in the same transaction.
    pub cursor: i64,
    pub more: bool,
    /// The organisation's retention period set on the server, in days: the
    /// device uses it instead of its own setting.
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// The organisation's PIN policy set on the server: the device applies it
    /// to every PIN set or changed from then on.
    #[serde(default)]
    pub pin_policy: Option<PinPolicy>,
}

/// The shortest PIN an organisation may require is never below this, nor above
/// [`PIN_MIN_LENGTH_CEILING`] (the device refuses a policy outside).
pub const PIN_MIN_LENGTH_FLOOR: u32 = 6;
pub const PIN_MIN_LENGTH_CEILING: u32 = 64;

/// An organisation's rules for its staff's PINs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinPolicy {
    pub min_length: u32,
    /// Letters (any non-digit) allowed; when false a PIN is digits only.
    pub letters_allowed: bool,
}

impl PinPolicy {
    pub fn valid(&self) -> bool {
        (PIN_MIN_LENGTH_FLOOR..=PIN_MIN_LENGTH_CEILING).contains(&self.min_length)
    }
}

/// What a device says about itself at the end of every sync (signed like
/// every request): shown to its organisation's administrators. The audit log
/// count and head let the server notice a log that shrank or was rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceReport {
    pub protocol: u16,
    pub app_version: String,
    /// The content pack version installed, if any.
    pub content_version: Option<u32>,
    /// Outbox rows not yet on the server, and of those the ones held (no consent or no key yet).
    pub pending: u64,
    pub held: u64,
    /// Entries in the device's hash-chained audit log, and the newest entry's hash.
    pub audit_count: u64,
    pub audit_head: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub id: i64,
    pub at: String,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChangeKind {
    /// The receiving organisation moved a referral along its lifecycle.
    ReferralStatus { referral_id: String, status: String },
    /// A newer content pack is available from the publisher.
    ContentAvailable { publisher: String, version: u32 },
    /// The device was revoked: wipe the vault.
    Wipe,
}

/// Where a referral is in its life. The rules (which step may follow which,
/// and who takes it) live here once: the device, the server and, through the
/// commands' answers, the UI all use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReferralStatus {
    Draft,
    Queued,
    Sent,
    Received,
    Accepted,
    Declined,
    FirstContact,
    ServiceProvided,
    Closed,
    /// Consent was withdrawn.
    Withdrawn,
    /// Cancelled by the referring staff.
    Revoked,
}

/// Who moves a referral into a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferralActor {
    /// Staff of the referring team, on their device.
    Referrer,
    /// Sync: a queued referral becomes sent once the server stored it.
    Sync,
    /// The receiving organisation.
    Receiver,
}

impl ReferralStatus {
    pub const ALL: [Self; 11] = [
        Self::Draft,
        Self::Queued,
        Self::Sent,
        Self::Received,
        Self::Accepted,
        Self::Declined,
        Self::FirstContact,
        Self::ServiceProvided,
        Self::Closed,
        Self::Withdrawn,
        Self::Revoked,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::FirstContact => "first-contact",
            Self::ServiceProvided => "service-provided",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
            Self::Revoked => "revoked",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Closed | Self::Withdrawn | Self::Revoked)
    }

    /// The lifecycle: draft → queued → sent → received → accepted/declined →
    /// first contact → service provided → closed; withdrawn or revoked from
    /// any open state.
    pub fn can_go(self, to: Self) -> bool {
        use ReferralStatus::*;
        match (self, to) {
            (from, Withdrawn | Revoked) => !from.is_terminal(),
            (Draft, Queued)
            | (Queued, Sent)
            | (Sent, Received)
            | (Received, Accepted | Declined)
            | (Accepted, FirstContact)
            | (FirstContact, ServiceProvided)
            | (Accepted | FirstContact | ServiceProvided | Declined, Closed) => true,
            _ => false,
        }
    }

    /// Who takes a referral into this status.
    pub fn set_by(self) -> ReferralActor {
        use ReferralStatus::*;
        match self {
            Draft | Queued | Withdrawn | Revoked => ReferralActor::Referrer,
            Sent => ReferralActor::Sync,
            Received | Accepted | Declined | FirstContact | ServiceProvided | Closed => {
                ReferralActor::Receiver
            }
        }
    }

    /// The steps `actor` may take from here, in lifecycle order.
    pub fn next_statuses(self, actor: ReferralActor) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|to| self.can_go(*to) && to.set_by() == actor)
            .collect()
    }
}

/// Which page of a listing (`/v1/keys`, `/v1/referrals/incoming`) a device
/// asks for. An empty body asks for the first page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageRequest {
    /// The `next` of the previous page; none for the first.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// The most bytes of listed items in one page of an answer, well under what
/// a device reads ([`MAX_ANSWER_BYTES`]): a listing grows by pages, never
/// past what a device accepts (M5).
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// The most items in one page of a listing.
pub const MAX_PAGE_ITEMS: usize = 1000;
/// The largest answer a device reads; separate from the request limit.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// One page of the referrals addressed to a device's organisation (open ones only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomingPage {
    pub referrals: Vec<IncomingReferral>,
    /// Ask again with this cursor for the rest; none on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// A referral addressed to an organisation, as its devices see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomingReferral {
    pub id: String,
    pub code: String,
    pub service_id: String,
    pub status: String,
    /// The tell-once summary the child agreed to share, sealed to the
    /// receiving organisation; none when withheld or forgotten.
    #[serde(default)]
    pub summary: Option<SealedBox>,
}

/// The receiving organisation moves a referral along.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusRequest {
    pub status: ReferralStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolRequest {
    pub protocol: u16,
    pub code: String,
    /// The device's Ed25519 public key, hex.
    pub public_key: String,
    /// The device's X25519 public key, hex: its organisation's key is sealed to it.
    pub box_key: String,
    pub device_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolResponse {
    pub device_id: String,
    pub organisation: String,
    pub team: String,
    pub server_time: String,
    /// The server's X25519 public key, hex: batch files for a USB stick are sealed to it.
    pub server_box_key: String,
    /// The organisation's admin key (Ed25519, hex), if it has one. The device
    /// pins it only if it matches the fingerprint the enrolment code carries.
    #[serde(default)]
    pub admin_key: Option<String>,
    /// The server's Ed25519 public key, hex: the device pins it and believes a
    /// wipe order, a push acknowledgement or a pull page only when signed by it.
    #[serde(default)]
    pub server_signing_key: String,
}

/// Where a referral's sensitive fields may go: a directory service, the
/// organisation that receives its referrals, and that organisation's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteKey {
    pub service_id: String,
    pub organisation: String,
    /// X25519, hex.
    pub public_key: String,
}

/// Keys a device needs: every route's receiver key, and its own organisation's
/// secret sealed to this device's box key (once an administrator, or another
/// of its organisation's devices, granted it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeysResponse {
    pub routes: Vec<RouteKey>,
    pub organisation_key: Option<SealedBox>,
    /// For a device that holds the secret: its organisation's devices still
    /// waiting for it. A person must approve each (`/v1/keys/grants`).
    #[serde(default)]
    pub awaiting: Vec<AwaitingKey>,
    /// Key certificates of this device's organisation and of every organisation
    /// its administrator vouched for. The device believes only those that
    /// verify under a key it pinned or that its administrator vouched for.
    #[serde(default)]
    pub certificates: Vec<crate::OrgKeyCert>,
    /// What this device's administrator signed about other organisations.
    #[serde(default)]
    pub trust: Vec<crate::OrgTrust>,
    /// The device's own organisation's public key (X25519, hex), as the
    /// server has it; devices check grants against signed certificates instead.
    #[serde(default)]
    pub organisation_public_key: Option<String>,
    /// More routes follow: ask again with this cursor (the other fields repeat).
    #[serde(default)]
    pub next: Option<String>,
}

/// A device of an organisation still waiting for the organisation's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwaitingKey {
    pub device_id: String,
    /// X25519, hex.
    pub box_key: String,
    /// The name the device gave at enrolment.
    #[serde(default)]
    pub name: String,
    /// The device's Ed25519 key, hex (its fingerprint covers it).
    #[serde(default)]
    pub public_key: String,
}

/// The organisation's secret sealed to one device's box key, bound by [`grant_aad`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyGrant {
    pub device_id: String,
    pub sealed: SealedBox,
}

/// The associated data that binds an organisation key grant to its device.
pub fn grant_aad(device_id: &str, organisation: &str) -> Vec<u8> {
    format!("senda-grant\n{device_id}\n{organisation}").into_bytes()
}

/// The associated data that binds a sealed referral summary to its referral.
pub fn summary_aad(referral_id: &str) -> Vec<u8> {
    format!("senda-summary\n{referral_id}").into_bytes()
}

/// A refused request: a stable code and a sentence for logs (never personal data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    /// Set when the device must wipe its vault (it was revoked).
    #[serde(default)]
    pub wipe: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("body too large ({0} bytes)")]
    TooLarge(usize),
    #[error("malformed message: {0}")]
    Malformed(String),
    /// Well formed, but past one of [`bounded`]'s limits (size, count, depth).
    #[error("message over a limit: {0}")]
    OverLimit(String),
}

pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(message, &mut out).expect("writing CBOR to memory cannot fail");
    out
}

/// Decodes a message, refusing oversized bodies and deep nesting.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(DecodeError::TooLarge(bytes.len()));
    }
    ciborium::de::from_reader_with_recursion_limit(bytes, 64).map_err(|e| {
        let text = e.to_string();
        match text.find(bounded::OVER_LIMIT) {
            Some(at) => DecodeError::OverLimit(text[at + bounded::OVER_LIMIT.len()..].to_owned()),
            None => DecodeError::Malformed(text),
        }
    })
}

/// A request body's SHA-256 (hex), as both the device's signature and the
/// server's answer name it. The server hashes each body once for both: a
/// device flooding 4 MiB bodies would otherwise cost it two hashes each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyHash(String);

impl BodyHash {
    pub fn of(body: &[u8]) -> Self {
        Self(hex(digest(&SHA256, body).as_ref()))
    }
}

/// What a device signs for one request.
pub fn signing_message(method: &str, path: &str, time: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    signing_message_hashed(method, path, time, nonce, &BodyHash::of(body))
}

/// [`signing_message`] for a body already hashed.
pub fn signing_message_hashed(
    method: &str,
    path: &str,
    time: &str,
    nonce: &str,
    body: &BodyHash,
) -> Vec<u8> {
    let body_hash = &body.0;
    format!("senda-v{PROTOCOL_VERSION}\n{method}\n{path}\n{time}\n{nonce}\n{body_hash}")
        .into_bytes()
}

/// What the server signs for its answer to one signed request: the request
/// (device, path, nonce, body hash) and the answer (status, body hash), so a
/// signed answer cannot be replayed for another request or altered.
pub fn answer_message(
    device_id: &str,
    path: &str,
    request_nonce: &str,
    request_body: &[u8],
    status: u16,
    answer: &[u8],
) -> Vec<u8> {
    answer_message_hashed(
        device_id,
        path,
        request_nonce,
        &BodyHash::of(request_body),
        status,
        answer,
    )
}

/// [`answer_message`] for a request body already hashed.
pub fn answer_message_hashed(
    device_id: &str,
    path: &str,
    request_nonce: &str,
    request_body: &BodyHash,
    status: u16,
    answer: &[u8],
) -> Vec<u8> {
    let request_hash = &request_body.0;
    let answer_hash = hex(digest(&SHA256, answer).as_ref());
    format!(
        "senda-answer-v{PROTOCOL_VERSION}\n{device_id}\n{path}\n{request_nonce}\n{request_hash}\n{status}\n{answer_hash}"
    )
    .into_bytes()
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Canonical hex only: lowercase digits, two per byte. Keys are compared as
/// text, so `AB` and `ab` (or `+a`) must never both pass as one key (L9).
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Checks a device signature (`public_key` and `signature` in hex).
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let (Some(key), Some(sig)) = (unhex(public_key), unhex(signature)) else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, key)
        .verify(message, &sig)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn op(seq: i64) -> Op {
        Op {
            op_id: format!("op{seq}"),
            seq,
            hlc: "000001700000000.000000".into(),
            entity: "referral".into(),
            entity_id: "r1".into(),
            case_id: "c1".into(),
            op: "status".into(),
            base_version: 1,
            version: 2,
            payload: serde_json::json!({ "status": "queued" }),
            sealed: Default::default(),
            sealed_summary: None,
        }
    }

    /// Ops kept as bytes travel in exactly the bytes of the request encoded whole,
    /// for no ops, a few, and more than a one-byte array length holds.
    #[test]
    fn a_push_around_encoded_ops_is_the_push_encoded_whole() {
        for n in [0, 1, 23, 24, 200, MAX_OPS_PER_PUSH] {
            let ops: Vec<Op> = (1..=n as i64).map(op).collect();
            let encoded: Vec<Vec<u8>> = ops.iter().map(encode).collect();
            let refs: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
            let whole = encode(&PushRequest {
                protocol: PROTOCOL_VERSION,
                ops,
            });
            assert_eq!(
                PushRequest::encode_with(PROTOCOL_VERSION, &refs),
                whole,
                "{n} ops"
            );
        }
    }

    #[test]
    fn a_status_text_is_its_serde_name() {
        for s in ReferralStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(ReferralStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ReferralStatus::parse("Draft"), None);
    }

    #[test]
    fn each_side_gets_its_own_next_steps() {
        use ReferralActor::*;
        use ReferralStatus::*;
        let receiver = |s: ReferralStatus| s.next_statuses(Receiver);
        assert_eq!(receiver(Sent), [Received]);
        assert_eq!(receiver(Received), [Accepted, Declined]);
        assert_eq!(receiver(Accepted), [FirstContact, Closed]);
        assert_eq!(receiver(FirstContact), [ServiceProvided, Closed]);
        assert_eq!(receiver(ServiceProvided), [Closed]);
        assert_eq!(receiver(Declined), [Closed]);
        assert!(receiver(Draft).is_empty() && receiver(Queued).is_empty());
        assert_eq!(Draft.next_statuses(Referrer), [Queued, Withdrawn, Revoked]);
        assert_eq!(Accepted.next_statuses(Referrer), [Withdrawn, Revoked]);
        assert_eq!(Queued.next_statuses(Sync), [Sent]);
        for terminal in [Closed, Withdrawn, Revoked] {
            for actor in [Referrer, Sync, Receiver] {
                assert!(terminal.next_statuses(actor).is_empty(), "{terminal:?}");
            }
        }
    }

    #[test]
    fn messages_round_trip() {
        let push = PushRequest {
            protocol: PROTOCOL_VERSION,
            ops: vec![op(1), op(2)],
        };
        assert_eq!(decode::<PushRequest>(&encode(&push)).unwrap(), push);
    }

    #[test]
    fn a_signature_covers_every_part() {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let public = hex(key.public_key().as_ref());
        let msg = signing_message("POST", "/v1/push", "2026-11-23T00:00:00Z", "n1", b"body");
        let sig = hex(key.sign(&msg).as_ref());
        assert!(verify(&public, &msg, &sig));
        for other in [
            signing_message("POST", "/v1/pull", "2026-11-23T00:00:00Z", "n1", b"body"),
            signing_message("POST", "/v1/push", "2026-11-23T00:00:01Z", "n1", b"body"),
            signing_message("POST", "/v1/push", "2026-11-23T00:00:00Z", "n2", b"body"),
            signing_message("POST", "/v1/push", "2026-11-23T00:00:00Z", "n1", b"bodY"),
        ] {
            assert!(!verify(&public, &other, &sig));
        }
        assert!(!verify("zz", &msg, &sig));
    }

    #[test]
    fn oversized_and_garbage_bodies_are_refused() {
        assert_eq!(
            decode::<PushRequest>(&vec![0u8; MAX_BODY_BYTES + 1]),
            Err(DecodeError::TooLarge(MAX_BODY_BYTES + 1))
        );
        assert!(matches!(
            decode::<PushRequest>(b"\xff\x00garbage"),
            Err(DecodeError::Malformed(_))
        ));
        // Deep nesting stops at the recursion limit instead of the stack.
        let deep = vec![0x81u8; 100_000];
        assert!(matches!(
            decode::<PushRequest>(&deep),
            Err(DecodeError::Malformed(_))
        ));
    }
}
