//! Content trust: a trusted publisher may only change its own items, and a
//! checklist is checked again on the device before it is installed.

use chrono::Utc;
use senda_core::content::pack::{self, PackError, PublisherKey, TrustedKeys};
use senda_core::content::{ContentPayload, ContentStore, InstallError, source};
use std::path::Path;

fn demo() -> ContentPayload {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content");
    source::load_dir(&dir).expect("demo content is valid").1
}

struct Publisher {
    name: &'static str,
    key: Vec<u8>,
}

impl Publisher {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            key: pack::generate_key(),
        }
    }

    fn trusted(&self) -> PublisherKey {
        PublisherKey {
            publisher: self.name.into(),
            public_key: pack::public_key_hex(&self.key).unwrap(),
        }
    }

    fn pack(&self, version: u32, payload: &ContentPayload) -> Vec<u8> {
        pack::sign(
            self.name,
            version,
            None,
            payload,
            &self.key,
            "2026-12-03T00:00:00Z",
        )
        .unwrap()
    }
}

#[test]
fn a_pack_cannot_take_over_another_publisher_s_items() {
    let dir = tempfile::tempdir().unwrap();
    let real = Publisher::new("real-network");
    let demo_signer = Publisher::new("senda-demo");
    let mut store = ContentStore::open(
        &dir.path().join("content.db"),
        TrustedKeys(vec![real.trusted(), demo_signer.trusted()]),
    )
    .unwrap();
    let content = demo();
    store.install(&real.pack(1, &content), Utc::now()).unwrap();
    let before = store.snapshot().unwrap();

    // Anyone holding the demo key signs a checklist with the real one's id (and
    // its own thresholds, say), at the highest version there is.
    let mut hostile = ContentPayload {
        checklists: content.checklists.clone(),
        ..ContentPayload::default()
    };
    hostile.checklists[0]
        .title
        .0
        .insert("es".into(), "Tamizaje (falso)".into());
    let err = store
        .install(&demo_signer.pack(u32::MAX, &hostile), Utc::now())
        .unwrap_err();
    assert_eq!(
        err,
        InstallError::ForeignItem {
            kind: "checklist".into(),
            id: content.checklists[0].id.clone(),
            owner: "real-network".into(),
        }
    );
    assert_eq!(err.code(), "foreign-item");
    assert_eq!(store.snapshot().unwrap(), before, "nothing changed");
    assert!(
        store
            .installed()
            .unwrap()
            .iter()
            .all(|p| p.publisher == "real-network")
    );

    // Its own, differently named items install beside the real ones.
    let mut own = hostile.clone();
    own.checklists[0].id = "demo-only".into();
    store
        .install(&demo_signer.pack(1, &own), Utc::now())
        .unwrap();
    let ids: Vec<String> = store
        .checklists()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert!(ids.contains(&"demo-only".to_owned()));
    assert!(ids.contains(&content.checklists[0].id));
    assert_eq!(
        store.checklist(&content.checklists[0].id).unwrap().unwrap(),
        content.checklists[0]
    );
}

#[test]
fn a_signed_but_malformed_checklist_is_refused_at_install() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = Publisher::new("real-network");
    let mut store = ContentStore::open(
        &dir.path().join("content.db"),
        TrustedKeys(vec![publisher.trusted()]),
    )
    .unwrap();
    let content = demo();
    store
        .install(&publisher.pack(1, &content), Utc::now())
        .unwrap();
    let before = store.snapshot().unwrap();

    // A question listed twice: the build would refuse it; a hand-signed pack need not.
    let mut bad = content.clone();
    let first = bad.checklists[0].sections[0].questions[0].clone();
    bad.checklists[0].sections[0].questions.push(first);
    let err = store
        .install(&publisher.pack(2, &bad), Utc::now())
        .unwrap_err();
    assert!(
        matches!(&err, InstallError::Pack(PackError::Malformed { detail })
            if detail.contains(&content.checklists[0].id) && detail.contains("duplicate")),
        "{err:?}"
    );
    assert_eq!(err.code(), "malformed");
    assert_eq!(store.snapshot().unwrap(), before);
    assert_eq!(store.installed().unwrap()[0].version, 1);
}
