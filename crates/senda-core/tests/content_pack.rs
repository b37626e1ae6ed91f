//! Signed content packs: what is refused, and that a refusal changes nothing.

use chrono::Utc;
use senda_core::checklist::evaluate;
use senda_core::content::pack::{self, PackError, PublisherKey, TrustedKeys};
use senda_core::content::{ContentPayload, ContentStore, InstallError, source};
use std::path::{Path, PathBuf};

fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content")
}

fn demo() -> ContentPayload {
    source::load_dir(&content_dir())
        .expect("demo content is valid")
        .1
}

struct Publisher {
    key: Vec<u8>,
    trusted: TrustedKeys,
}

fn publisher() -> Publisher {
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    Publisher { key, trusted }
}

impl Publisher {
    fn full(&self, version: u32, payload: &ContentPayload) -> Vec<u8> {
        pack::sign(
            "pub",
            version,
            None,
            payload,
            &self.key,
            "2026-11-23T00:00:00Z",
        )
        .unwrap()
    }

    fn store(&self, dir: &Path) -> ContentStore {
        ContentStore::open(&dir.join("content.db"), self.trusted.clone()).unwrap()
    }
}

/// The demo content with one article's Spanish title changed and one place removed.
fn edited(mut p: ContentPayload) -> ContentPayload {
    p.articles[0]
        .title
        .0
        .insert("es".into(), "Título nuevo".into());
    p.places.pop();
    p
}

#[test]
fn a_signed_pack_installs_and_reads_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = publisher();
    let mut store = p.store(dir.path());
    let payload = demo();
    let installed = store.install(&p.full(1, &payload), Utc::now()).unwrap();
    assert_eq!(
        (installed.publisher.as_str(), installed.version),
        ("pub", 1)
    );

    assert_eq!(store.snapshot().unwrap(), payload.canonical());
    assert!(
        !store.hsds().unwrap().rows.is_empty(),
        "the demo directory is installed too"
    );

    // The installed checklist is the one screeners will run.
    let checklist = store.checklist("nna-cruce").unwrap().unwrap();
    let e = evaluate(&checklist, &Default::default());
    assert!(
        e.red_flags_not_assessed
            .contains(&"peligro-inmediato".to_string())
    );
}

#[test]
fn tampered_wrong_key_untrusted_and_garbage_packs_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = publisher();
    let mut store = p.store(dir.path());
    store.install(&p.full(1, &demo()), Utc::now()).unwrap();
    let before = store.snapshot().unwrap();
    let v2 = p.full(2, &edited(demo()));

    let mut tampered = v2.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 1;
    assert_eq!(
        store.install(&tampered, Utc::now()),
        Err(InstallError::Pack(PackError::BadSignature))
    );

    let impostor = publisher();
    assert_eq!(
        store.install(&impostor.full(2, &edited(demo())), Utc::now()),
        Err(InstallError::Pack(PackError::BadSignature))
    );

    let other = pack::sign("otro", 2, None, &demo(), &p.key, "2026-11-23T00:00:00Z").unwrap();
    assert_eq!(
        store.install(&other, Utc::now()),
        Err(InstallError::Pack(PackError::UntrustedPublisher {
            publisher: "otro".into()
        }))
    );
    assert_eq!(
        store.install(b"PK\x03\x04 a zip file", Utc::now()),
        Err(InstallError::Pack(PackError::NotAPack))
    );

    assert_eq!(store.snapshot().unwrap(), before);
    assert_eq!(store.installed().unwrap()[0].version, 1);
}

#[test]
fn a_truncated_pack_is_refused_at_every_length() {
    let p = publisher();
    let file = p.full(1, &demo());
    let dir = tempfile::tempdir().unwrap();
    let mut store = p.store(dir.path());
    for cut in (0..file.len()).step_by(97).chain([file.len() - 1]) {
        assert_eq!(
            store.install(&file[..cut], Utc::now()),
            Err(InstallError::Pack(PackError::Truncated)),
            "cut at {cut} of {}",
            file.len()
        );
    }
    assert!(store.installed().unwrap().is_empty());
    store.install(&file, Utc::now()).unwrap();
}

#[test]
fn is_newer_reads_only_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = publisher();
    let mut store = p.store(dir.path());
    let v2 = p.full(2, &demo());
    assert!(store.is_newer(&v2).unwrap());
    store.install(&v2, Utc::now()).unwrap();
    assert!(!store.is_newer(&v2).unwrap());
    assert!(!store.is_newer(&p.full(1, &demo())).unwrap());
    assert!(store.is_newer(&p.full(3, &demo())).unwrap());
    assert_eq!(
        store.is_newer(&v2[..40]),
        Err(InstallError::Pack(PackError::Truncated))
    );
}

#[test]
fn an_older_or_equal_version_is_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let p = publisher();
    let mut store = p.store(dir.path());
    store.install(&p.full(3, &demo()), Utc::now()).unwrap();
    for v in [1, 3] {
        assert_eq!(
            store.install(&p.full(v, &edited(demo())), Utc::now()),
            Err(InstallError::Rollback {
                installed: 3,
                offered: v
            })
        );
    }
    assert_eq!(store.snapshot().unwrap().places.len(), demo().places.len());
}

#[test]
fn a_delta_gives_the_same_content_as_the_full_pack() {
    let p = publisher();
    let (v1, v2) = (demo(), edited(demo()));
    let delta = v2.delta_from(&v1);
    assert_eq!(delta.articles.len(), 1);
    assert_eq!(delta.deleted.len(), 1);
    assert!(delta.checklists.is_empty());
    let delta_file = pack::sign("pub", 2, Some(1), &delta, &p.key, "2026-11-23T00:00:00Z").unwrap();
    assert!(delta_file.len() < p.full(2, &v2).len());

    let by_delta = tempfile::tempdir().unwrap();
    let mut a = p.store(by_delta.path());
    a.install(&p.full(1, &v1), Utc::now()).unwrap();
    a.install(&delta_file, Utc::now()).unwrap();

    let by_full = tempfile::tempdir().unwrap();
    let mut b = p.store(by_full.path());
    b.install(&p.full(2, &v2), Utc::now()).unwrap();

    assert_eq!(a.snapshot().unwrap(), b.snapshot().unwrap());
    assert_eq!(a.installed().unwrap()[0].version, 2);
}

#[test]
fn a_delta_for_another_base_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = publisher();
    let mut store = p.store(dir.path());
    let delta = edited(demo()).delta_from(&demo());
    let file = pack::sign("pub", 3, Some(2), &delta, &p.key, "2026-11-23T00:00:00Z").unwrap();
    assert_eq!(
        store.install(&file, Utc::now()),
        Err(InstallError::BaseMismatch {
            base: 2,
            installed: 0
        })
    );
    store.install(&p.full(1, &demo()), Utc::now()).unwrap();
    assert_eq!(
        store.install(&file, Utc::now()),
        Err(InstallError::BaseMismatch {
            base: 2,
            installed: 1
        })
    );
}

#[test]
fn malformed_sources_are_refused_naming_file_and_item() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("pack.toml"), "publisher = \"pub\"\nversion = 1\n").unwrap();
    std::fs::create_dir(src.join("checklists")).unwrap();
    let good = std::fs::read_to_string(content_dir().join("checklists/nna-cruce.toml")).unwrap();
    let bad = good.replace("question = \"deuda\"", "question = \"no-existe\"");
    std::fs::write(src.join("checklists/bad.toml"), bad).unwrap();
    std::fs::create_dir(src.join("places")).unwrap();
    std::fs::write(
        src.join("places/p.toml"),
        "[[places]]\nid = \"x\"\nkind = \"danger-zone\"\ncountry = \"CO\"\nlatitude = 123.0\nlongitude = 0.0\n\
         name = { en = \"only english\" }\ndescription = {}\nsource = \"s\"\nlast_verified = \"2026-01-01\"\n",
    )
    .unwrap();

    let errors: Vec<String> = source::load_dir(src)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e
                .ends_with("bad.toml: indicator 'deuda': refers to unknown question 'no-existe'")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.ends_with("p.toml: place 'x': coordinates out of range")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.ends_with("p.toml: place 'x' name: Spanish (es) text is missing")),
        "{errors:?}"
    );
}
