//! Directory deltas: a delta updates the index in place and search then
//! answers exactly as after a full install of the same version; a forged,
//! mismatched or malformed delta is refused with a typed error and changes
//! nothing; the stored directory still exports without loss.

use chrono::{NaiveDate, Utc};
use senda_core::content::pack::{self, PackError, PublisherKey, TrustedKeys};
use senda_core::content::{ContentPayload, ContentStore, InstallError, ItemKind, ItemRef};
use senda_core::directory::{ChildProfile, HsdsData, HsdsRow, HsdsTable, ServiceQuery};
use std::collections::BTreeMap;
use std::path::Path;

const CATEGORIES: &[&str] = &["salud", "alojamiento", "psicosocial", "asesoria-legal"];
const WORDS: &[&str] = &[
    "atención",
    "salud",
    "refugio",
    "legal",
    "apoyo",
    "niñez",
    "familia",
    "comedor",
];

fn row(table: &str, id: &str, fields: &[(&str, &str)]) -> HsdsRow {
    let mut map: BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    map.insert("id".into(), id.into());
    HsdsRow {
        table: table.into(),
        id: id.into(),
        fields: map,
    }
}

fn table(name: &str, file: &str, columns: &[&str]) -> HsdsTable {
    HsdsTable {
        name: name.into(),
        file: file.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        numeric: Vec::new(),
    }
}

fn service(rows: &mut Vec<HsdsRow>, s: &str, org: &str, name: &str, categories: &[&str]) {
    rows.push(row(
        "service",
        s,
        &[
            ("organization_id", org),
            ("name", name),
            ("description", &format!("{name}: servicio de prueba")),
            ("status", "active"),
            ("maximum_age", "17"),
        ],
    ));
    for (i, c) in categories.iter().enumerate() {
        rows.push(row(
            "attribute",
            &format!("a-{s}-{i}"),
            &[
                ("link_id", s),
                ("link_entity", "service"),
                ("taxonomy_term_id", &format!("senda-cat:{c}")),
                ("value", ""),
            ],
        ));
    }
    rows.push(row(
        "schedule",
        &format!("h-{s}"),
        &[
            ("service_id", s),
            ("byday", "MO,TU,WE,TH,FR"),
            ("opens_at", "08:00"),
            ("closes_at", "17:00"),
        ],
    ));
    rows.push(row(
        "phone",
        &format!("p-{s}"),
        &[("service_id", s), ("number", "+57 601 000")],
    ));
}

fn location(rows: &mut Vec<HsdsRow>, l: usize, country: &str) {
    let (lat, lon) = (4.0 + (l % 17) as f64 * 0.3, -74.0 + (l % 13) as f64 * 0.3);
    rows.push(row(
        "location",
        &format!("l{l}"),
        &[
            ("name", &format!("Sede {l}")),
            ("latitude", &format!("{lat:.4}")),
            ("longitude", &format!("{lon:.4}")),
        ],
    ));
    rows.push(row(
        "address",
        &format!("ad{l}"),
        &[
            ("location_id", &format!("l{l}")),
            ("city", &format!("Ciudad {}", l % 7)),
            ("region", &format!("Región {}", l % 5)),
            ("country", country),
        ],
    ));
}

fn at(rows: &mut Vec<HsdsRow>, sal: &str, s: &str, l: usize) {
    rows.push(row(
        "service_at_location",
        sal,
        &[("service_id", s), ("location_id", &format!("l{l}"))],
    ));
}

/// 300 services of 30 organisations at 450 locations (every service at one, half at a second).
fn v1() -> ContentPayload {
    let mut rows = Vec::new();
    for o in 0..30 {
        rows.push(row(
            "organization",
            &format!("o{o}"),
            &[("name", &format!("Fundación {o}"))],
        ));
    }
    for c in CATEGORIES {
        rows.push(row(
            "taxonomy_term",
            &format!("senda-cat:{c}"),
            &[("code", *c), ("name", *c)],
        ));
    }
    for s in 0..300 {
        let name = format!(
            "{} {} {s}",
            WORDS[s % WORDS.len()],
            WORDS[(s / 3) % WORDS.len()]
        );
        let cats = [CATEGORIES[s % 4], CATEGORIES[(s / 4) % 4]];
        service(
            &mut rows,
            &format!("s{s}"),
            &format!("o{}", s % 30),
            &name,
            &cats,
        );
    }
    for l in 0..450 {
        location(&mut rows, l, ["CO", "PE", "EC"][l % 3]);
        let s = if l < 300 { l } else { (l - 300) * 2 };
        at(&mut rows, &format!("sl{l}"), &format!("s{s}"), l);
    }
    ContentPayload {
        hsds_tables: vec![
            table("organization", "organizations.csv", &["id", "name"]),
            table(
                "service",
                "services.csv",
                &[
                    "id",
                    "organization_id",
                    "name",
                    "description",
                    "status",
                    "maximum_age",
                ],
            ),
            table(
                "location",
                "locations.csv",
                &["id", "name", "latitude", "longitude"],
            ),
            table(
                "address",
                "addresses.csv",
                &["id", "location_id", "city", "region", "country"],
            ),
            table(
                "service_at_location",
                "service_at_location.csv",
                &["id", "service_id", "location_id"],
            ),
            table(
                "attribute",
                "attributes.csv",
                &["id", "link_id", "link_entity", "taxonomy_term_id", "value"],
            ),
            table(
                "taxonomy_term",
                "taxonomy_terms.csv",
                &["id", "code", "name"],
            ),
            table(
                "schedule",
                "schedules.csv",
                &["id", "service_id", "byday", "opens_at", "closes_at"],
            ),
            table("phone", "phones.csv", &["id", "service_id", "number"]),
        ],
        hsds_rows: rows,
        ..Default::default()
    }
}

/// The next version: renamed, removed, added and moved services, a moved
/// address, a renamed organisation, a changed category.
fn v2() -> ContentPayload {
    let mut p = v1();
    let rows = &mut p.hsds_rows;
    for r in rows.iter_mut() {
        let set = |r: &mut HsdsRow, k: &str, v: String| {
            r.fields.insert(k.into(), v);
        };
        match (r.table.as_str(), r.id.as_str()) {
            ("service", id) if id.len() > 2 && id.ends_with('0') => {
                let name = format!("{} renovado", r.fields["name"]);
                set(r, "name", name);
            }
            ("address", "ad7") => {
                set(r, "country", "PE".into());
                set(r, "city", "Tumbes".into());
            }
            ("organization", "o3") => set(r, "name", "Corporación Amanecer".into()),
            ("service_at_location", "sl9") => set(r, "service_id", "s11".into()),
            ("attribute", "a-s20-0") => set(r, "taxonomy_term_id", "senda-cat:alojamiento".into()),
            _ => {}
        }
    }
    let gone = |r: &HsdsRow| {
        ["s5", "s6", "s7"]
            .iter()
            .any(|s| r.id == *s || r.get("service_id") == Some(*s) || r.get("link_id") == Some(*s))
    };
    rows.retain(|r| !gone(r));
    // A new service that sorts between two others, at two places.
    service(
        rows,
        "s150a",
        "o3",
        "refugio nuevo amanecer",
        // "transporte" is a category code that version 1 never used.
        &["alojamiento", "salud", "transporte"],
    );
    at(rows, "sl-new-1", "s150a", 7);
    at(rows, "sl-new-2", "s150a", 8);
    p
}

fn queries() -> Vec<ServiceQuery> {
    let q = |text: &str| ServiceQuery {
        text: Some(text.into()),
        ..Default::default()
    };
    let tuesday = NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    vec![
        q("salud"),
        q("renovado"),
        q("amanecer"),
        q("refujio"),
        q("Tumbes"),
        ServiceQuery {
            limit: 500,
            ..q("atencion")
        },
        ServiceQuery {
            country: Some("PE".into()),
            limit: 100,
            ..Default::default()
        },
        ServiceQuery {
            category: Some("alojamiento".into()),
            limit: 200,
            ..Default::default()
        },
        ServiceQuery {
            category: Some("transporte".into()),
            ..Default::default()
        },
        ServiceQuery {
            category: Some("salud".into()),
            country: Some("CO".into()),
            child: Some(ChildProfile {
                age: Some(15),
                ..Default::default()
            }),
            ..Default::default()
        },
        ServiceQuery {
            near: Some((4.9, -73.4)),
            open_at: Some(tuesday),
            limit: 60,
            ..q("apoyo")
        },
        ServiceQuery {
            near: Some((5.0, -73.0)),
            limit: 40,
            ..Default::default()
        },
        ServiceQuery {
            limit: 1000,
            ..Default::default()
        },
    ]
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

    fn sign(&self, version: u32, base: Option<u32>, payload: &ContentPayload) -> Vec<u8> {
        pack::sign(
            self.name,
            version,
            base,
            payload,
            &self.key,
            "2026-12-03T00:00:00Z",
        )
        .unwrap()
    }
}

fn store(dir: &Path, publishers: &[&Publisher]) -> ContentStore {
    let trusted = TrustedKeys(publishers.iter().map(|p| p.trusted()).collect());
    ContentStore::open(&dir.join("content.db"), trusted).unwrap()
}

fn rowid_of(dir: &Path, service_id: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("content.db")).unwrap();
    conn.query_row(
        "SELECT rowid FROM dir_entry WHERE service_id = ?1 ORDER BY rowid LIMIT 1",
        [service_id],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn search_after_a_delta_answers_exactly_as_after_the_full_install() {
    let p = Publisher::new("pub");
    let (old, new) = (v1(), v2());
    let delta = new.delta_from(&old);
    // Whole records travel: the removed services are named, nothing else of the directory.
    let removed: Vec<&str> = delta
        .deleted
        .iter()
        .filter(|r| r.kind == ItemKind::HsdsRecord)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(removed, ["service/s5", "service/s6", "service/s7"]);
    assert!(delta.hsds_rows.len() < new.hsds_rows.len() / 5);

    let by_delta = tempfile::tempdir().unwrap();
    let mut a = store(by_delta.path(), &[&p]);
    a.install(&p.sign(1, None, &old), Utc::now()).unwrap();
    let untouched = rowid_of(by_delta.path(), "s99");
    a.install(&p.sign(2, Some(1), &delta), Utc::now()).unwrap();

    let by_full = tempfile::tempdir().unwrap();
    let mut b = store(by_full.path(), &[&p]);
    b.install(&p.sign(2, None, &new), Utc::now()).unwrap();

    for q in queries() {
        let (x, y) = (a.search(&q).unwrap(), b.search(&q).unwrap());
        assert!(!y.hits.is_empty(), "{q:?} finds something");
        assert_eq!(x, y, "{q:?}");
    }
    assert_eq!(a.snapshot().unwrap(), b.snapshot().unwrap());
    assert_eq!(a.snapshot().unwrap(), new.clone().canonical());

    // What changed is visible.
    let amanecer = a.search(&ServiceQuery {
        text: Some("amanecer".into()),
        ..Default::default()
    });
    let hits = amanecer.unwrap().hits;
    assert!(hits.iter().any(|h| h.service_id == "s150a"));
    assert!(hits.iter().any(
        |h| h.organization.as_deref() == Some("Corporación Amanecer") && h.service_id == "s3"
    ));
    assert!(a.service("s5").unwrap().is_none());
    assert!(a.service("s7").unwrap().is_none());
    let tumbes = a.search(&ServiceQuery {
        text: Some("tumbes".into()),
        ..Default::default()
    });
    assert!(
        tumbes
            .unwrap()
            .hits
            .iter()
            .all(|h| h.country.as_deref() == Some("PE") && h.location_id.as_deref() == Some("l7"))
    );
    // The same words, counted the same: typo tolerance reads them.
    let words = |dir: &Path| -> Vec<(String, i64)> {
        let conn = rusqlite::Connection::open(dir.join("content.db")).unwrap();
        let mut stmt = conn
            .prepare("SELECT term, entries FROM dir_term ORDER BY term")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let (wa, wb) = (words(by_delta.path()), words(by_full.path()));
    assert!(wa.iter().any(|(t, _)| t == "renovado"));
    assert_eq!(wa, wb);

    // In place: an entry the delta did not touch kept its place, where a
    // rebuild would have renumbered it (three services fewer before it).
    assert_eq!(rowid_of(by_delta.path(), "s99"), untouched);
    assert_ne!(rowid_of(by_full.path(), "s99"), untouched);
}

#[test]
fn a_forged_mismatched_or_malformed_delta_is_refused_and_changes_nothing() {
    let p = Publisher::new("pub");
    let impostor = Publisher::new("pub");
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path(), &[&p]);
    s.install(&p.sign(1, None, &v1()), Utc::now()).unwrap();
    let before = s.snapshot().unwrap();
    let answers: Vec<_> = queries().iter().map(|q| s.search(q).unwrap()).collect();
    let delta = v2().delta_from(&v1());

    // Signed by someone else under the publisher's name.
    assert_eq!(
        s.install(&impostor.sign(2, Some(1), &delta), Utc::now()),
        Err(InstallError::Pack(PackError::BadSignature))
    );
    // Altered after signing.
    let mut altered = p.sign(2, Some(1), &delta);
    let mid = altered.len() / 2;
    altered[mid] ^= 0x20;
    assert_eq!(
        s.install(&altered, Utc::now()),
        Err(InstallError::Pack(PackError::BadSignature))
    );
    // For another base version.
    assert_eq!(
        s.install(&p.sign(3, Some(2), &delta), Utc::now()),
        Err(InstallError::BaseMismatch {
            base: 2,
            installed: 1
        })
    );
    // A row removed alone: which record held it cannot be known, so nothing is guessed.
    let mut row_delta = delta.clone();
    row_delta.deleted.push(ItemRef {
        kind: ItemKind::HsdsRow,
        id: "phone/p-s1".into(),
    });
    let refused = s.install(&p.sign(2, Some(1), &row_delta), Utc::now());
    assert!(
        matches!(&refused, Err(InstallError::Pack(PackError::Malformed { detail })) if detail.contains("phone/p-s1")),
        "{refused:?}"
    );
    assert_eq!(refused.unwrap_err().code(), "malformed");

    assert_eq!(s.snapshot().unwrap(), before);
    assert_eq!(s.installed().unwrap()[0].version, 1);
    let again: Vec<_> = queries().iter().map(|q| s.search(q).unwrap()).collect();
    assert_eq!(again, answers);
    // The genuine delta still applies afterwards.
    s.install(&p.sign(2, Some(1), &delta), Utc::now()).unwrap();
    assert_eq!(s.snapshot().unwrap(), v2().canonical());
}

#[test]
fn a_delta_may_not_touch_another_publishers_services() {
    let (a, b) = (Publisher::new("a"), Publisher::new("b"));
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path(), &[&a, &b]);
    s.install(&a.sign(1, None, &v1()), Utc::now()).unwrap();
    let mut theirs = ContentPayload::default();
    theirs
        .hsds_rows
        .push(row("service", "zz-b", &[("name", "servicio de b")]));
    s.install(&b.sign(1, None, &theirs), Utc::now()).unwrap();
    let before = s.snapshot().unwrap();

    // b rewrites a's service s1.
    let mut hijack = ContentPayload::default();
    hijack
        .hsds_rows
        .push(row("service", "s1", &[("name", "servicio secuestrado")]));
    assert_eq!(
        s.install(&b.sign(2, Some(1), &hijack), Utc::now()),
        Err(InstallError::ForeignItem {
            kind: "hsds-record".into(),
            id: "service/s1".into(),
            owner: "a".into()
        })
    );
    assert_eq!(s.snapshot().unwrap(), before);
    // Both directories are searchable side by side, and a's delta leaves b's service alone.
    s.install(&a.sign(2, Some(1), &v2().delta_from(&v1())), Utc::now())
        .unwrap();
    assert!(s.service("zz-b").unwrap().is_some());
    assert!(s.service("s150a").unwrap().is_some());
}

#[test]
fn the_official_hsds_example_installs_and_exports_without_loss() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds-3.0-example");
    let data = HsdsData::import_csv_dir(&example).unwrap().data;
    let p = Publisher::new("pub");
    let payload = ContentPayload {
        hsds_tables: data.tables.clone(),
        hsds_rows: data.rows.clone(),
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path(), &[&p]);
    s.install(&p.sign(1, None, &payload), Utc::now()).unwrap();
    let installed = s.hsds().unwrap();

    let out = tempfile::tempdir().unwrap();
    installed.export_csv_dir(out.path()).unwrap();
    for t in &data.tables {
        let original = std::fs::read_to_string(example.join(&t.file)).unwrap();
        let exported = std::fs::read_to_string(out.path().join(&t.file)).unwrap();
        let lines = |s: &str| {
            let mut r = csv::Reader::from_reader(s.as_bytes());
            let mut v: Vec<Vec<String>> = r
                .records()
                .map(|x| x.unwrap().iter().map(String::from).collect())
                .collect();
            v.sort();
            (r.headers().unwrap().clone(), v)
        };
        assert_eq!(lines(&original), lines(&exported), "{}", t.file);
    }
    let mut sorted = data.clone();
    sorted
        .rows
        .sort_by(|a, b| (&a.table, &a.id).cmp(&(&b.table, &b.id)));
    let mut back = installed;
    back.rows
        .sort_by(|a, b| (&a.table, &a.id).cmp(&(&b.table, &b.id)));
    back.tables.sort_by(|a, b| a.file.cmp(&b.file));
    sorted.tables.sort_by(|a, b| a.file.cmp(&b.file));
    assert_eq!(back, sorted);
}
