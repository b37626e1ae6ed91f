//! The HSDS directory: import, export, refusals, and offline search.

use chrono::{NaiveDate, Utc};
use senda_core::content::pack::{self, PublisherKey, TrustedKeys};
use senda_core::content::{ContentStore, source};
use senda_core::directory::{ChildProfile, HsdsData, ServiceQuery};
use std::path::{Path, PathBuf};

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds-3.0-example")
}

fn demo_store(dir: &Path) -> ContentStore {
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content");
    let (_, payload) = source::load_dir(&content).expect("demo content is valid");
    let file = pack::sign("pub", 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
    let mut store = ContentStore::open(&dir.join("content.db"), trusted).unwrap();
    store.install(&file, Utc::now()).unwrap();
    store
}

fn names(store: &ContentStore, q: &ServiceQuery) -> Vec<String> {
    store
        .search(q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.name)
        .collect()
}

fn text(t: &str) -> ServiceQuery {
    ServiceQuery {
        text: Some(t.into()),
        ..Default::default()
    }
}

#[test]
fn the_official_hsds_example_round_trips_without_loss() {
    let import = HsdsData::import_csv_dir(&example_dir()).expect("the HSDS example imports");
    assert_eq!(import.data.tables.len(), 21);
    assert!(
        import
            .data
            .rows
            .iter()
            .any(|r| r.table == "service" && r.get("name") == Some("Community Counselling"))
    );
    // The example's own dangling parent references and latitude 100 are kept, with warnings.
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.message.contains("parent_organization_id")),
        "{:?}",
        import.warnings
    );
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.message.starts_with("latitude out of range"))
    );

    let out = tempfile::tempdir().unwrap();
    import.data.export_csv_dir(out.path()).unwrap();
    let again = HsdsData::import_csv_dir(out.path()).unwrap();
    assert_eq!(again.data, import.data);
    // Every value, every column, in the same order, in every file.
    for table in &import.data.tables {
        let read = |dir: &Path| {
            let mut r = csv::Reader::from_path(dir.join(&table.file)).unwrap();
            let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
            let rows: Vec<Vec<String>> = r
                .records()
                .map(|x| x.unwrap().iter().map(String::from).collect())
                .collect();
            (header, rows)
        };
        assert_eq!(read(&example_dir()), read(out.path()), "{}", table.file);
    }
}

#[test]
fn the_installed_directory_exports_what_was_imported() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content/directory");
    let original = HsdsData::import_csv_dir(&content).unwrap().data;
    let mut installed = store.hsds().unwrap();
    let mut expected = original.clone();
    for d in [&mut installed, &mut expected] {
        d.tables.sort_by(|a, b| a.file.cmp(&b.file));
        d.rows
            .sort_by(|a, b| (&a.table, &a.id).cmp(&(&b.table, &b.id)));
    }
    assert_eq!(installed, expected);
}

fn copy_example_with(file: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(example_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(
                dir.path().join(&name),
                if name == file { edit(text) } else { text },
            )
            .unwrap();
        }
    }
    dir
}

#[test]
fn bad_files_give_line_and_column_and_import_nothing() {
    // A required column missing from the header.
    let d = copy_example_with("services.csv", |t| {
        t.replacen(
            "id,organization_id,program_id,name,",
            "id,organization_id,program_id,nombre,",
            1,
        )
    });
    let e = HsdsData::import_csv_dir(d.path()).unwrap_err();
    assert!(
        e.iter()
            .any(|e| e.to_string() == "services.csv:1:0: required column 'name' is missing"),
        "{e:?}"
    );

    // A service pointing at an organisation that is not there.
    let d = copy_example_with("services.csv", |t| {
        t.replacen("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "no-such-org", 1)
    });
    let e = HsdsData::import_csv_dir(d.path()).unwrap_err();
    assert!(e.iter().any(|e| e.to_string() == "services.csv:2:2: service.organization_id 'no-such-org' has no matching organization"), "{e:?}");

    // A coordinate that is not a number, and a date that is not a date.
    let d = copy_example_with("locations.csv", |t| {
        t.replacen(",100,101,", ",north,101,", 1)
    });
    let e = HsdsData::import_csv_dir(d.path()).unwrap_err();
    assert!(e.iter().any(|e| e.to_string() == "locations.csv:2:9: 'latitude' must be a number, not 'north'"), "{e:?}");
    let d = copy_example_with("schedules.csv", |t| {
        t.replacen("2005-01-01", "01/01/2005", 1)
    });
    let e = HsdsData::import_csv_dir(d.path()).unwrap_err();
    assert!(
        e.iter().any(|e| e
            .to_string()
            .starts_with("schedules.csv:2:5: 'valid_from' must be a date")),
        "{e:?}"
    );
}

#[test]
fn search_folds_accents_and_case_and_matches_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    // The service named so ranks first; the DNA, whose description mentions both words, follows.
    let expected = [
        "Atención psicológica para adolescentes (demo)",
        "Defensoría de la Niñez y Adolescencia (demo)",
    ];
    assert_eq!(names(&store, &text("atencion psicologica")), expected);
    assert_eq!(names(&store, &text("ATENCIÓN PSICOLÓGICA")), expected);
    // Three letters read the prefix index; four and more are spelled out as words.
    for prefix in ["alo", "aloj", "aloja", "alojamien"] {
        assert_eq!(
            names(&store, &text(prefix)),
            ["Alojamiento temporal para adolescentes (demo)"],
            "{prefix}"
        );
    }
}

#[test]
fn search_tolerates_a_small_typo() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    assert_eq!(
        names(&store, &text("alojamento")),
        ["Alojamiento temporal para adolescentes (demo)"]
    );
    assert_eq!(
        names(&store, &text("psicologca"))[0],
        "Atención psicológica para adolescentes (demo)"
    );
}

#[test]
fn filters_by_country_category_and_eligibility() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let q = ServiceQuery {
        country: Some("pe".into()),
        ..Default::default()
    };
    assert_eq!(
        names(&store, &q),
        [
            "Atención psicológica para adolescentes (demo)",
            "Central de emergencias 105",
            "Línea 100"
        ]
    );

    // Emergency dispatch and child-protection lines are different categories.
    let q = ServiceQuery {
        category: Some("linea-emergencia".into()),
        ..Default::default()
    };
    assert_eq!(names(&store, &q).len(), 4);
    let q = ServiceQuery {
        category: Some("linea-proteccion".into()),
        ..Default::default()
    };
    assert_eq!(
        names(&store, &q),
        ["Línea 141 de protección de la niñez", "Línea 100"]
    );

    // An adolescent mother with her baby: the Tumbes service says it cannot take babies.
    let mother = ChildProfile {
        age: Some(16),
        with_baby: true,
        undocumented: true,
        ..Default::default()
    };
    let q = ServiceQuery {
        country: Some("PE".into()),
        child: Some(mother),
        ..Default::default()
    };
    assert_eq!(
        names(&store, &q),
        ["Central de emergencias 105", "Línea 100"]
    );

    // Category and eligibility together, with no text.
    let q = ServiceQuery {
        category: Some("alojamiento".into()),
        child: Some(ChildProfile {
            age: Some(15),
            with_baby: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        names(&store, &q),
        ["Alojamiento temporal para adolescentes (demo)"]
    );

    // A child of 9 is outside the 12–17 shelter.
    let q = ServiceQuery {
        text: Some("alojamiento".into()),
        child: Some(ChildProfile {
            age: Some(9),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert!(names(&store, &q).is_empty());
}

#[test]
fn police_and_migration_are_never_proposed_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let q = ServiceQuery {
        country: Some("CO".into()),
        ..Default::default()
    };
    assert!(!names(&store, &q).iter().any(|n| n.contains("Policía")));
    let q = ServiceQuery {
        country: Some("CO".into()),
        include_authorities: true,
        ..Default::default()
    };
    assert!(names(&store, &q).iter().any(|n| n.contains("Policía")));
}

#[test]
fn orders_by_distance_and_knows_opening_hours() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    // From the Rumichaca crossing, the nearest is the Ipiales point.
    let q = ServiceQuery {
        near: Some((0.8130, -77.6650)),
        ..Default::default()
    };
    let hits = store.search(&q).unwrap().hits;
    assert_eq!(hits[0].name, "Orientación legal y documentación (demo)");
    assert!(hits[0].distance_km.unwrap() < 5.0);
    // Mapped entries by distance; phone lines (no place) come after them.
    let km: Vec<f64> = hits.iter().map_while(|h| h.distance_km).collect();
    assert!(km.windows(2).all(|w| w[0] <= w[1]));
    assert!(hits[km.len()..].iter().all(|h| h.distance_km.is_none()));

    // Tuesday 10:00 the legal service is open; Wednesday it is not.
    let tuesday = NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let q = ServiceQuery {
        text: Some("documentacion".into()),
        open_at: Some(tuesday),
        ..Default::default()
    };
    assert_eq!(names(&store, &q).len(), 1);
    let q = ServiceQuery {
        open_at: Some(tuesday + chrono::Duration::days(1)),
        ..q
    };
    assert!(names(&store, &q).is_empty());
}

#[test]
fn an_empty_area_says_so_and_offers_the_nearest_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let q = ServiceQuery {
        text: Some("alojamiento".into()),
        country: Some("BO".into()),
        near: Some((-16.5, -68.1)),
        ..Default::default()
    };
    let r = store.search(&q).unwrap();
    assert!(r.hits.is_empty());
    assert_eq!(
        r.nearest_elsewhere[0].name,
        "Alojamiento temporal para adolescentes (demo)"
    );
    assert_eq!(r.nearest_elsewhere[0].country.as_deref(), Some("CO"));
}

#[test]
fn demo_and_real_entries_say_so_and_carry_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let hits = store
        .search(&ServiceQuery {
            limit: 100,
            include_authorities: true,
            ..Default::default()
        })
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 11);
    for h in hits {
        // Each entry is either demo or real (checked by someone, on a date), never both.
        assert_ne!(h.demo, h.real, "{}", h.name);
        assert!(h.source.is_some(), "{}", h.name);
        if h.real {
            assert!(h.checked_by.is_some(), "{}", h.name);
            assert_eq!(h.checked_on.as_deref(), Some("2026-12-03"), "{}", h.name);
        }
    }
}

/// Table, id, and the non-empty fields of a row.
type RowKey = (String, String, Vec<(String, String)>);

#[test]
fn the_json_form_round_trips_and_matches_the_csv_form() {
    let text = std::fs::read_to_string(example_dir().join("tabular.json")).unwrap();
    let import =
        HsdsData::import_tabular_json(&text, "tabular.json").expect("tabular.json imports");
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        import.data.export_tabular_json(),
        original,
        "JSON → HSDS → JSON is lossless"
    );

    // The same dataset in its CSV form holds the same rows.
    let csv = HsdsData::import_csv_dir(&example_dir()).unwrap().data;
    let key = |d: &HsdsData| {
        let mut rows: Vec<RowKey> = d
            .rows
            .iter()
            .map(|r| {
                let fields = r
                    .fields
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (r.table.clone(), r.id.clone(), fields)
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(key(&import.data), key(&csv));
}

#[test]
fn the_csv_export_is_a_datapackage_that_reimports() {
    let import = HsdsData::import_csv_dir(&example_dir()).unwrap();
    let out = tempfile::tempdir().unwrap();
    import.data.export_csv_dir(out.path()).unwrap();
    let descriptor: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("datapackage.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(descriptor["profile"], "tabular-data-package");
    assert_eq!(descriptor["resources"].as_array().unwrap().len(), 21);
    let locations = descriptor["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "locations.csv")
        .unwrap();
    assert!(
        locations["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "latitude" && f["type"] == "number")
    );
    // Only the files the descriptor lists are read; a path outside the package is refused.
    std::fs::write(out.path().join("notes.csv"), "not,hsds\n1,2\n").unwrap();
    assert!(HsdsData::import_csv_dir(out.path()).is_ok());
    let mut evil = descriptor.clone();
    evil["resources"][0]["path"] = "../../etc/passwd.csv".into();
    std::fs::write(out.path().join("datapackage.json"), evil.to_string()).unwrap();
    let errors = HsdsData::import_csv_dir(out.path()).unwrap_err();
    assert!(
        errors[0].message.contains("not a CSV file in this package"),
        "{errors:?}"
    );
}

#[test]
fn a_bad_json_row_names_its_table_row_and_column_and_imports_nothing() {
    let text = std::fs::read_to_string(example_dir().join("tabular.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["locations.csv"][0]["latitude"] = "north".into();
    let errors = HsdsData::import_tabular_json(&value.to_string(), "tabular.json").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].line, errors[0].message.contains("latitude")),
        (1, true)
    );
    let errors = HsdsData::import_tabular_json("{\"services.csv\": [", "tabular.json").unwrap_err();
    assert_eq!(errors[0].file, "tabular.json");
}

#[test]
fn text_near_a_point_finds_the_nearest_text_matches() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    type Hit = senda_core::directory::ServiceHit;
    // From each crossing, for a few words and page sizes: the nearby text
    // search must give the nearest text matches, in distance order. Small
    // pages stop at a small box, where the grid cells decide.
    for (lat, lon) in [
        (7.8219, -72.4467),
        (0.8130, -77.6650),
        (-3.5669, -80.4515),
        (-16.5667, -69.0500),
    ] {
        let km = |h: &Hit| {
            h.latitude.zip(h.longitude).map_or(f64::INFINITY, |(a, b)| {
                senda_core::directory::search::haversine_km(lat, lon, a, b)
            })
        };
        for text in [
            "atencion",
            "linea",
            "legal",
            "adolescentes",
            "proteccion ninez",
        ] {
            let mut all = store
                .search(&ServiceQuery {
                    limit: 100,
                    ..self::text(text)
                })
                .unwrap()
                .hits;
            all.sort_by(|a, b| km(a).total_cmp(&km(b)));
            for limit in [1, 2, 3] {
                let near = store
                    .search(&ServiceQuery {
                        text: Some(text.into()),
                        near: Some((lat, lon)),
                        limit,
                        ..Default::default()
                    })
                    .unwrap()
                    .hits;
                let got: Vec<f64> = near.iter().map(km).collect();
                let want: Vec<f64> = all.iter().take(limit).map(km).collect();
                assert_eq!(got, want, "{text} near {lat},{lon}, {limit}");
            }
        }
    }
}
