//! The parsers, each behind `fn(&[u8])`. A target's result is ignored: any
//! `Err` is a typed refusal and fine; only a panic is a failure.

use senda_core::checklist::{Answer, Answers, Checklist, QuestionKind, evaluate, xlsform};
use senda_core::content::pack::{self, PublisherKey, TrustedKeys};
use senda_core::content::{ContentPayload, ContentStore, source};
use senda_core::directory::import::{ImportOptions, import_dir, import_path};
use senda_protocol::{
    BoxSecret, EnrolRequest, ErrorBody, IncomingPage, KeyGrant, KeysResponse, PageRequest,
    PullRequest, PullResponse, PushRequest, PushResponse, StatusRequest, batch, decode, encode,
};
use std::path::PathBuf;
use std::sync::OnceLock;

pub struct Target {
    pub name: &'static str,
    pub what: &'static str,
    /// Longest input tried.
    pub max_len: usize,
    pub seeds: fn() -> Vec<Vec<u8>>,
    pub run: fn(&[u8]),
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "cbor",
        what: "senda-protocol's CBOR decoder: every message, and the server's checks of a push",
        max_len: 64 * 1024,
        seeds: cbor_seeds,
        run: cbor,
    },
    Target {
        name: "batch",
        what: "batch files (USB): the sealed file, and the pushes inside one",
        max_len: 64 * 1024,
        seeds: batch_seeds,
        run: batch_file,
    },
    Target {
        name: "content-pack",
        what: "content packs: the signed file, and a signed pack of any payload installed",
        max_len: 256 * 1024,
        seeds: pack_seeds,
        run: content_pack,
    },
    Target {
        name: "hsds-csv",
        what: "HSDS CSV folders (1.1, 2.0, 3.0; strict and lenient)",
        max_len: 32 * 1024,
        seeds: csv_seeds,
        run: hsds_csv,
    },
    Target {
        name: "hsds-json",
        what: "HSDS tabular JSON",
        max_len: 64 * 1024,
        seeds: json_seeds,
        run: hsds_json,
    },
    Target {
        name: "checklist-toml",
        what: "checklist TOML, validated and evaluated",
        max_len: 128 * 1024,
        seeds: toml_seeds,
        run: checklist_toml,
    },
    Target {
        name: "xlsform",
        what: "XLSForm workbooks, and the export of any valid checklist read back",
        max_len: 256 * 1024,
        seeds: xlsform_seeds,
        run: xlsform_book,
    },
    Target {
        name: "signed-headers",
        what: "the server's signed-request headers, and the signature check",
        max_len: 4 * 1024,
        seeds: header_seeds,
        run: signed_headers,
    },
];

fn read(path: &str) -> Vec<u8> {
    std::fs::read(crate::root().join(path)).unwrap_or_default()
}

/// A scratch folder per thread, reused across inputs.
fn scratch() -> PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::tempdir().expect("a scratch folder");
    }
    DIR.with(|d| d.path().to_owned())
}

// --- CBOR -----------------------------------------------------------------

fn sample_op() -> senda_protocol::Op {
    senda_protocol::Op {
        op_id: "op-1".into(),
        seq: 1,
        hlc: "000001700000000.000000".into(),
        entity: "case".into(),
        entity_id: "case-1".into(),
        case_id: "case-1".into(),
        op: "create".into(),
        base_version: 0,
        version: 1,
        payload: serde_json::json!({ "country": "CO", "week": "2026-W49" }),
        sealed: senda_protocol::SealedFields {
            check: vec![2; 16],
            hashes: [(vec![7; 8], vec![3; 8])].into(),
            ct: vec![1; 40],
        },
        sealed_summary: None,
    }
}

fn sample_push() -> Vec<u8> {
    encode(&PushRequest {
        protocol: 1,
        ops: vec![sample_op()],
    })
}

fn cbor_seeds() -> Vec<Vec<u8>> {
    let mut out = vec![
        sample_push(),
        encode(&PullRequest {
            protocol: 1,
            cursor: 7,
            limit: 200,
        }),
        encode(&PageRequest {
            cursor: Some("svc-a".into()),
        }),
        encode(&IncomingPage {
            referrals: vec![],
            next: Some("x".into()),
        }),
    ];
    let dir = crate::root().join("crates/senda-protocol/tests/corpus");
    if let Ok(entries) = std::fs::read_dir(dir) {
        out.extend(entries.filter_map(|e| std::fs::read(e.ok()?.path()).ok()));
    }
    out
}

fn cbor(input: &[u8]) {
    if let Ok(push) = decode::<PushRequest>(input) {
        // What the server does with a decoded push before storing it.
        let _ = senda_server::routes::sync::push_request(input);
        for op in &push.ops {
            let _ = senda_server::store::limits::check_shape(op);
        }
        // Encoding what was decoded and decoding it again gives the same message.
        assert_eq!(decode::<PushRequest>(&encode(&push)).ok(), Some(push));
    }
    let _ = decode::<PullRequest>(input);
    let _ = decode::<PageRequest>(input);
    let _ = decode::<StatusRequest>(input);
    let _ = decode::<EnrolRequest>(input);
    let _ = decode::<Vec<KeyGrant>>(input);
    let _ = decode::<KeysResponse>(input);
    let _ = decode::<IncomingPage>(input);
    let _ = decode::<PullResponse>(input);
    let _ = decode::<PushResponse>(input);
    let _ = decode::<ErrorBody>(input);
}

// --- Batch files -------------------------------------------------------------

fn server_secret() -> &'static BoxSecret {
    static SECRET: OnceLock<BoxSecret> = OnceLock::new();
    SECRET.get_or_init(BoxSecret::generate)
}

fn signed_push(body: Vec<u8>) -> batch::SignedPush {
    batch::SignedPush {
        device_id: "0123456789abcdef0123456789abcdef".into(),
        time: "2026-12-03T00:00:00Z".into(),
        nonce: "00112233445566778899aabbccddeeff".into(),
        signature: "ab".repeat(64),
        body,
    }
}

fn batch_seeds() -> Vec<Vec<u8>> {
    let file = batch::write(&server_secret().public_hex(), &[signed_push(sample_push())])
        .expect("a batch file");
    let mut raw = vec![0];
    raw.extend(file);
    let mut inner = vec![1];
    inner.extend(sample_push());
    vec![raw, inner]
}

/// First byte 0: the input is a whole file. Otherwise it is one push's body,
/// sealed into a real file (so the reader gets past the seal) and read back.
fn batch_file(input: &[u8]) {
    let Some((mode, rest)) = input.split_first() else {
        return;
    };
    let file = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        match batch::write(&server_secret().public_hex(), &[signed_push(rest.to_vec())]) {
            Ok(f) => f,
            Err(_) => return,
        }
    };
    if let Ok(pushes) = batch::read(&file, server_secret()) {
        for p in pushes {
            let _ = senda_server::routes::sync::push_request(&p.body);
        }
    }
}

// --- Content packs -----------------------------------------------------------

struct Publisher {
    key: Vec<u8>,
    trusted: TrustedKeys,
}

fn publisher() -> &'static Publisher {
    static P: OnceLock<Publisher> = OnceLock::new();
    P.get_or_init(|| {
        let key = pack::generate_key();
        let trusted = TrustedKeys(vec![PublisherKey {
            publisher: "fuzz".into(),
            public_key: pack::public_key_hex(&key).expect("a key"),
        }]);
        Publisher { key, trusted }
    })
}

/// The demo content, cut down so one install stays quick.
fn small_payload() -> ContentPayload {
    let mut payload = source::load_dir(&crate::root().join("assets/content"))
        .map(|(_, p)| p)
        .unwrap_or_default();
    payload.articles.truncate(2);
    payload.places.truncate(2);
    let keep: Vec<String> = payload
        .hsds_tables
        .iter()
        .take(3)
        .map(|t| t.name.clone())
        .collect();
    payload.hsds_tables.retain(|t| keep.contains(&t.name));
    payload.hsds_rows.retain(|r| keep.contains(&r.table));
    payload.hsds_rows.truncate(20);
    payload
}

fn pack_seeds() -> Vec<Vec<u8>> {
    let payload = small_payload();
    let p = publisher();
    let file = pack::sign("fuzz", 1, None, &payload, &p.key, "2026-12-03T00:00:00Z")
        .expect("a signed pack");
    let mut raw = vec![0];
    raw.extend(file);
    let mut json = vec![1];
    json.extend(serde_json::to_vec(&payload).expect("JSON"));
    vec![raw, json]
}

/// First byte 0: the input is a pack file, verified. Otherwise it is a
/// payload's JSON: signed by a trusted publisher and installed, so the
/// install-time checks see anything a publisher could sign.
fn content_pack(input: &[u8]) {
    let Some((mode, rest)) = input.split_first() else {
        return;
    };
    let p = publisher();
    let file = if mode % 2 == 0 {
        let _ = pack::read_header(rest);
        rest.to_vec()
    } else {
        let Ok(payload) = serde_json::from_slice::<ContentPayload>(rest) else {
            return;
        };
        match pack::sign("fuzz", 1, None, &payload, &p.key, "2026-12-03T00:00:00Z") {
            Ok(f) => f,
            Err(_) => return,
        }
    };
    if pack::verify(&file, &p.trusted).is_err() {
        return;
    }
    let path = scratch().join("content.db");
    let _ = std::fs::remove_file(&path);
    if let Ok(mut store) = ContentStore::open(&path, p.trusted.clone()) {
        let _ = store.install(&file, chrono::Utc::now());
    }
}

// --- HSDS ------------------------------------------------------------------

const CSV_DIRS: &[&str] = &[
    "crates/senda-core/tests/fixtures/hsds-3.0-example",
    "crates/senda-core/tests/fixtures/hsds-1.1",
    "crates/senda-core/tests/fixtures/hsds-2.0",
];

/// Every CSV file of the example folders, as (folder, name, bytes).
fn csv_files() -> &'static Vec<(usize, String, Vec<u8>)> {
    static FILES: OnceLock<Vec<(usize, String, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut out = Vec::new();
        for (i, dir) in CSV_DIRS.iter().enumerate() {
            let Ok(entries) = std::fs::read_dir(crate::root().join(dir)) else {
                continue;
            };
            let mut names: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
            names.sort();
            for path in names {
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                if name.ends_with(".csv") || name == "datapackage.json" {
                    out.push((i, name, std::fs::read(&path).unwrap_or_default()));
                }
            }
        }
        out
    })
}

fn csv_seeds() -> Vec<Vec<u8>> {
    csv_files()
        .iter()
        .enumerate()
        .map(|(i, (_, _, bytes))| {
            let mut seed = (i as u16).to_le_bytes().to_vec();
            seed.extend(bytes);
            seed
        })
        .collect()
}

/// The first two bytes pick a file of an example folder; the rest replaces
/// it; the folder is imported (odd file numbers leniently).
fn hsds_csv(input: &[u8]) {
    let files = csv_files();
    if input.len() < 2 || files.is_empty() {
        return;
    }
    let pick = u16::from_le_bytes([input[0], input[1]]) as usize % files.len();
    let folder = files[pick].0;
    let dir = scratch().join("hsds");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    for (i, (f, name, bytes)) in files.iter().enumerate() {
        if *f != folder {
            continue;
        }
        let text: &[u8] = if i == pick { &input[2..] } else { bytes };
        let _ = std::fs::write(dir.join(name), text);
    }
    let _ = import_dir(
        &dir,
        &ImportOptions {
            lenient: pick % 2 == 1,
        },
    );
}

fn json_seeds() -> Vec<Vec<u8>> {
    vec![read(
        "crates/senda-core/tests/fixtures/hsds-3.0-example/tabular.json",
    )]
}

fn hsds_json(input: &[u8]) {
    let path = scratch().join("tabular.json");
    if std::fs::write(&path, input).is_ok() {
        for lenient in [false, true] {
            let _ = import_path(&path, &ImportOptions { lenient });
        }
    }
}

// --- Checklists -------------------------------------------------------------

fn toml_seeds() -> Vec<Vec<u8>> {
    vec![read("assets/content/checklists/nna-cruce.toml")]
}

/// A checklist read from TOML; if it validates, evaluated with answers.
fn valid_checklist(input: &[u8]) -> Option<Checklist> {
    let text = std::str::from_utf8(input).ok()?;
    let checklist: Checklist = toml::from_str(text).ok()?;
    checklist.validate().ok()?;
    Some(checklist)
}

fn checklist_toml(input: &[u8]) {
    let Some(checklist) = valid_checklist(input) else {
        return;
    };
    for pick in [0usize, usize::MAX] {
        let mut answers = Answers::new();
        for q in checklist.questions() {
            let a = match &q.kind {
                QuestionKind::SingleChoice { options } if !options.is_empty() => {
                    Answer::Choice(options[pick.min(options.len() - 1)].id.clone())
                }
                QuestionKind::Number { min, max } => {
                    Answer::Number(if pick == 0 { *min } else { *max })
                }
                _ if pick == 0 => Answer::No,
                _ => Answer::Yes,
            };
            answers.insert(q.id.clone(), a);
        }
        let _ = evaluate(&checklist, &answers);
    }
}

fn xlsform_seeds() -> Vec<Vec<u8>> {
    let mut book = vec![0];
    book.extend(read("assets/xlsform/checklist-template.xlsx"));
    let mut toml = vec![1];
    toml.extend(read("assets/content/checklists/nna-cruce.toml"));
    vec![book, toml]
}

/// First byte 0: a workbook's bytes. Otherwise checklist TOML: if valid, it
/// is exported to a workbook and read back.
fn xlsform_book(input: &[u8]) {
    let Some((mode, rest)) = input.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let _ = xlsform::import_bytes(rest.to_vec(), "fuzz.xlsx");
    } else if let Some(checklist) = valid_checklist(rest)
        && let Ok(book) = xlsform::export(&checklist)
    {
        let _ = xlsform::import_bytes(book, "fuzz.xlsx");
    }
}

// --- Signed-request headers -------------------------------------------------

fn header_seeds() -> Vec<Vec<u8>> {
    let now = chrono::Utc::now().to_rfc3339();
    vec![
        format!(
            "0123456789abcdef0123456789abcdef\n{now}\n00112233445566778899aabbccddeeff\n{}\nbody",
            "ab".repeat(64)
        )
        .into_bytes(),
    ]
}

/// Lines: device, time, nonce, signature, then the body.
fn signed_headers(input: &[u8]) {
    use axum::http::{HeaderMap, HeaderValue};
    let mut parts = input.splitn(5, |b| *b == b'\n');
    let mut headers = HeaderMap::new();
    for name in [
        senda_protocol::HEADER_DEVICE,
        senda_protocol::HEADER_TIME,
        senda_protocol::HEADER_NONCE,
        senda_protocol::HEADER_SIGNATURE,
    ] {
        if let Some(value) = parts.next().and_then(|v| HeaderValue::from_bytes(v).ok()) {
            headers.insert(name, value);
        }
    }
    let body = parts.next().unwrap_or_default();
    if let Ok(h) = senda_server::routes::auth::signed_headers(&headers, chrono::Utc::now()) {
        let _ = senda_server::limits::device_id_like(h.device);
        let message = senda_protocol::signing_message("POST", "/v1/push", h.time, h.nonce, body);
        // The device's key is looked up by id; here the id stands in for a key.
        let _ = senda_protocol::verify(h.device, &message, h.signature);
        let _ = senda_protocol::unhex(h.signature);
    }
}
