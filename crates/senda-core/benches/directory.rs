//! Directory at scale: `cargo bench -p senda-core --bench directory`.
//!
//! Generates 100,000 services at 150,000 locations (HSDS rows, as a publisher
//! would ship them), then measures: pack build (sign + compress) time and size,
//! install time, search latency p50/p99 for ten queries with filters, where
//! the bytes on disk go (dbstat), and a delta in which 1% of services changed:
//! its size, its install time, and that search then answers exactly as after
//! a full install of the same version. Prints Markdown tables.

use chrono::{NaiveDate, Utc};
use senda_core::content::pack::{self, PublisherKey, TrustedKeys};
use senda_core::content::{ContentPayload, ContentStore};
use senda_core::directory::{ChildProfile, HsdsRow, HsdsTable, ServiceQuery};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const SERVICES: usize = 100_000;
const LOCATIONS: usize = 150_000;
const ORGANIZATIONS: usize = 20_000;

const WORDS: &[&str] = &[
    "atención",
    "psicológica",
    "alojamiento",
    "temporal",
    "protección",
    "niñez",
    "orientación",
    "legal",
    "salud",
    "documentación",
    "refugio",
    "comedor",
    "educación",
    "familia",
    "adolescentes",
    "mujeres",
    "apoyo",
    "emergencia",
    "acompañamiento",
    "jurídico",
    "migrantes",
    "línea",
    "gratuita",
    "centro",
];
const CATEGORIES: &[&str] = &[
    "proteccion-ninez",
    "alojamiento",
    "psicosocial",
    "salud",
    "asesoria-legal",
    "documentacion",
    "linea-emergencia",
    "asistencia-economica",
    "orientacion",
];
const COUNTRIES: &[(&str, f64, f64)] = &[
    ("CO", 4.6, -74.1),
    ("PE", -12.0, -77.0),
    ("BO", -16.5, -68.1),
    ("EC", -0.2, -78.5),
];

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

fn row(table: &str, id: String, fields: &[(&str, String)]) -> HsdsRow {
    let mut map: BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    map.insert("id".into(), id.clone());
    HsdsRow {
        table: table.into(),
        id,
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

/// Made-up words, so that descriptions have a realistic spread of vocabulary.
fn synthetic_words(g: &mut Lcg, n: usize) -> Vec<String> {
    const SYLLABLES: &[&str] = &[
        "ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo", "que",
        "tra",
    ];
    (0..n)
        .map(|_| {
            (0..3)
                .map(|_| SYLLABLES[(g.next() as usize) % SYLLABLES.len()])
                .collect::<String>()
        })
        .collect()
}

fn generate() -> ContentPayload {
    let mut g = Lcg(42);
    let vocabulary = synthetic_words(&mut g, 3_000);
    let word = |g: &mut Lcg| vocabulary[(g.next() as usize) % vocabulary.len()].clone();
    let mut rows = Vec::new();
    for o in 0..ORGANIZATIONS {
        rows.push(row(
            "organization",
            format!("o{o}"),
            &[
                ("name", format!("Organización {o} {}", g.pick(WORDS))),
                ("description", String::new()),
            ],
        ));
    }
    for c in CATEGORIES {
        rows.push(row(
            "taxonomy_term",
            format!("senda-cat:{c}"),
            &[
                ("code", c.to_string()),
                ("name", c.to_string()),
                ("description", c.to_string()),
            ],
        ));
    }
    for t in ["senda:accepts-undocumented", "senda:demo"] {
        rows.push(row(
            "taxonomy_term",
            t.into(),
            &[
                ("code", t.into()),
                ("name", t.into()),
                ("description", t.into()),
            ],
        ));
    }
    let mut a = 0;
    for s in 0..SERVICES {
        // Names: two domain words and a made-up one; descriptions: two domain words in eight.
        let name = format!("{} {} {}", g.pick(WORDS), g.pick(WORDS), word(&mut g));
        let description = (0..8)
            .map(|i| {
                if i < 2 {
                    g.pick(WORDS).to_owned()
                } else {
                    word(&mut g)
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let min_age = if g.next().is_multiple_of(3) {
            "12".to_string()
        } else {
            String::new()
        };
        rows.push(row(
            "service",
            format!("s{s}"),
            &[
                ("organization_id", format!("o{}", s % ORGANIZATIONS)),
                ("name", name),
                ("description", description),
                ("status", "active".into()),
                ("minimum_age", min_age),
                ("maximum_age", "17".into()),
            ],
        ));
        for (term, value) in [
            (format!("senda-cat:{}", g.pick(CATEGORIES)), String::new()),
            (format!("senda-cat:{}", g.pick(CATEGORIES)), String::new()),
            (
                "senda:accepts-undocumented".into(),
                if g.next().is_multiple_of(4) {
                    "false"
                } else {
                    "true"
                }
                .into(),
            ),
            ("senda:demo".into(), "true".into()),
        ] {
            a += 1;
            rows.push(row(
                "attribute",
                format!("a{a}"),
                &[
                    ("link_id", format!("s{s}")),
                    ("taxonomy_term_id", term),
                    ("link_entity", "service".into()),
                    ("value", value),
                ],
            ));
        }
        let days = ["MO,TU,WE,TH,FR", "MO,WE,FR", "MO,TU,WE,TH,FR,SA,SU"][s % 3];
        rows.push(row(
            "schedule",
            format!("h{s}"),
            &[
                ("service_id", format!("s{s}")),
                ("byday", days.into()),
                ("opens_at", "08:00".into()),
                ("closes_at", "17:00".into()),
            ],
        ));
        rows.push(row(
            "phone",
            format!("p{s}"),
            &[
                ("service_id", format!("s{s}")),
                ("number", format!("+57 {:07}", s)),
            ],
        ));
    }
    for l in 0..LOCATIONS {
        let (country, lat, lon) = COUNTRIES[l % COUNTRIES.len()];
        let (dlat, dlon) = (g.unit() * 6.0 - 3.0, g.unit() * 6.0 - 3.0);
        rows.push(row(
            "location",
            format!("l{l}"),
            &[
                ("name", format!("Sede {l}")),
                ("latitude", format!("{:.5}", lat + dlat)),
                ("longitude", format!("{:.5}", lon + dlon)),
            ],
        ));
        rows.push(row(
            "address",
            format!("ad{l}"),
            &[
                ("location_id", format!("l{l}")),
                ("city", format!("Ciudad {}", l % 300)),
                ("region", format!("Región {}", l % 25)),
                ("country", country.into()),
            ],
        ));
        // Every service has a location; half of them a second one.
        let service = if l < SERVICES { l } else { (l - SERVICES) * 2 };
        rows.push(row(
            "service_at_location",
            format!("sl{l}"),
            &[
                ("service_id", format!("s{service}")),
                ("location_id", format!("l{l}")),
            ],
        ));
    }
    ContentPayload {
        hsds_tables: vec![
            table(
                "organization",
                "organizations.csv",
                &["id", "name", "description"],
            ),
            table(
                "service",
                "services.csv",
                &[
                    "id",
                    "organization_id",
                    "name",
                    "description",
                    "status",
                    "minimum_age",
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
                &["id", "link_id", "taxonomy_term_id", "link_entity", "value"],
            ),
            table(
                "taxonomy_term",
                "taxonomy_terms.csv",
                &["id", "code", "name", "description"],
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

fn queries() -> Vec<(&'static str, ServiceQuery)> {
    let teen = ChildProfile {
        age: Some(15),
        undocumented: true,
        ..Default::default()
    };
    let tuesday = NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let q = |text: Option<&str>| ServiceQuery {
        text: text.map(Into::into),
        ..Default::default()
    };
    vec![
        (
            "text: atencion psicologica",
            q(Some("atencion psicologica")),
        ),
        ("prefix: aloja", q(Some("aloja"))),
        // Four letters: no longer in the prefix index, spelled out as words.
        ("prefix: aten", q(Some("aten"))),
        ("typo: alojamento", q(Some("alojamento"))),
        (
            "text + country CO",
            ServiceQuery {
                country: Some("CO".into()),
                ..q(Some("proteccion"))
            },
        ),
        (
            "category + country PE",
            ServiceQuery {
                category: Some("alojamiento".into()),
                country: Some("PE".into()),
                ..q(None)
            },
        ),
        (
            "text + eligibility (15, undocumented)",
            ServiceQuery {
                child: Some(teen.clone()),
                ..q(Some("salud"))
            },
        ),
        (
            "category + region",
            ServiceQuery {
                category: Some("psicosocial".into()),
                country: Some("BO".into()),
                region: Some("Región 7".into()),
                ..q(None)
            },
        ),
        (
            "near Cúcuta, no text",
            ServiceQuery {
                near: Some((7.89, -72.5)),
                ..q(None)
            },
        ),
        (
            "text + near + open Tuesday 10:00",
            ServiceQuery {
                near: Some((-12.0, -77.0)),
                open_at: Some(tuesday),
                ..q(Some("legal"))
            },
        ),
        (
            "category + eligibility + near",
            ServiceQuery {
                category: Some("linea-emergencia".into()),
                child: Some(teen),
                near: Some((-0.2, -78.5)),
                ..q(None)
            },
        ),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` and friends: nothing to list.
    }
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "bench".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);

    let t = Instant::now();
    let full = generate();
    let generate_time = t.elapsed();
    let t = Instant::now();
    let file = pack::sign("bench", 1, None, &full, &key, "2026-11-23T00:00:00Z").unwrap();
    let build_time = t.elapsed();

    let dir = tempfile::tempdir().unwrap();
    let mut store = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    let t = Instant::now();
    store.install(&file, Utc::now()).unwrap();
    let install_time = t.elapsed();
    let db_size = on_disk(dir.path());
    print_dbstat(&dir.path().join("content.db"));

    println!("| query | hits | p50 | p99 |\n|---|---|---|---|");
    for (name, q) in queries() {
        let hits = store.search(&q).unwrap().hits.len();
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(store.search(&q).unwrap());
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "| {name} | {hits} | {:.2} ms | {:.2} ms |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
    }

    // 1% of services change name.
    let mut changed = full.clone();
    for r in changed
        .hsds_rows
        .iter_mut()
        .filter(|r| r.table == "service")
        .step_by(100)
    {
        r.fields
            .insert("name".into(), format!("{} (actualizado)", r.fields["name"]));
    }
    let delta = changed.delta_from(&full);
    let delta_file = pack::sign("bench", 2, Some(1), &delta, &key, "2026-11-23T00:00:00Z").unwrap();
    let full_v2 = pack::sign("bench", 2, None, &changed, &key, "2026-11-23T00:00:00Z").unwrap();
    let t = Instant::now();
    store.install(&delta_file, Utc::now()).unwrap();
    let delta_install = t.elapsed();
    let after_delta = on_disk(dir.path());

    // The same version installed whole, on another device: search must answer the same.
    let other = tempfile::tempdir().unwrap();
    let trusted_again = TrustedKeys(vec![PublisherKey {
        publisher: "bench".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let mut whole = ContentStore::open(&other.path().join("content.db"), trusted_again).unwrap();
    let t = Instant::now();
    whole.install(&full_v2, Utc::now()).unwrap();
    let full_v2_install = t.elapsed();
    let mut same = 0;
    for (name, q) in queries() {
        let (a, b) = (store.search(&q).unwrap(), whole.search(&q).unwrap());
        assert_eq!(
            a, b,
            "{name}: the delta and the full install answer differently"
        );
        same += 1;
    }

    println!();
    println!("| measure | value |\n|---|---|");
    println!(
        "| HSDS rows generated | {} ({generate_time:.1?}) |",
        full.hsds_rows.len()
    );
    println!("| pack build (serialise, gzip, Ed25519 sign) | {build_time:.1?} |");
    println!("| pack size | {:.1} MiB |", mib(file.len()));
    println!("| install (verify, store, index) | {install_time:.1?} |");
    println!(
        "| content database on disk | {:.0} MiB |",
        mib(db_size as usize)
    );
    println!(
        "| delta for 1% of services changed | {} rows (every row of each changed service), {:.1} KiB |",
        delta.hsds_rows.len(),
        delta_file.len() as f64 / 1024.0
    );
    println!(
        "| full pack of the same version | {:.1} MiB |",
        mib(full_v2.len())
    );
    println!(
        "| delta / full | {:.2}% |",
        100.0 * delta_file.len() as f64 / full_v2.len() as f64
    );
    println!("| delta install (index updated in place) | {delta_install:.1?} |");
    println!(
        "| content database on disk after the delta | {:.0} MiB |",
        mib(after_delta as usize)
    );
    println!("| full install of the same version, on an empty store | {full_v2_install:.1?} |");
    println!(
        "| queries answering the same after delta and after full install | {same} of {} |",
        queries().len()
    );
}

/// The database and its write-ahead log, as the phone stores them.
fn on_disk(dir: &std::path::Path) -> u64 {
    ["content.db", "content.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

/// Where the bytes go: each table and index, from SQLite's dbstat, with the
/// bytes its pages leave unused, and the free pages of the file.
fn print_dbstat(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT name, sum(pgsize), sum(unused) FROM dbstat GROUP BY name
             HAVING sum(pgsize) >= 1048576 ORDER BY 2 DESC",
        )
        .unwrap();
    println!("\n| table or index | MiB | of which unused |\n|---|---|---|");
    for row in stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .unwrap()
    {
        let (name, bytes, unused) = row.unwrap();
        println!(
            "| {name} | {:.1} | {:.1} |",
            mib(bytes as usize),
            mib(unused as usize)
        );
    }
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    let page: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    println!("| free pages | {:.1} | |", mib((free * page) as usize));
    println!();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}
