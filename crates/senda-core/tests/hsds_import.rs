//! Older HSDS upgraded to 3.0 (one test per row of docs/hsds-mapping.md),
//! and lenient imports of real-world quirks with their report.

use senda_core::directory::HsdsData;
use senda_core::directory::import::{
    HsdsVersion, ImportError, ImportOptions, Imported, import_dir, import_path,
};
use senda_core::directory::report::{Action, IssueKind};
use senda_core::directory::upgrade::new_id;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

const STRICT: ImportOptions = ImportOptions { lenient: false };
const LENIENT: ImportOptions = ImportOptions { lenient: true };

/// The rows of a table whose `column` is `value`.
fn rows<'a>(
    d: &'a HsdsData,
    table: &str,
    column: &str,
    value: &str,
) -> Vec<&'a senda_core::directory::HsdsRow> {
    d.rows
        .iter()
        .filter(|r| r.table == table && r.get(column) == Some(value))
        .collect()
}

fn one<'a>(
    d: &'a HsdsData,
    table: &str,
    column: &str,
    value: &str,
) -> &'a senda_core::directory::HsdsRow {
    let found = rows(d, table, column, value);
    assert_eq!(found.len(), 1, "{table}.{column} = {value}: {found:?}");
    found[0]
}

fn v11() -> Imported {
    import_path(&fixture("hsds-1.1"), &STRICT).expect("the 1.1 fixture imports strictly")
}

#[test]
fn the_version_comes_from_datapackage_json_or_from_file_names() {
    assert_eq!(v11().version, HsdsVersion::V1_1, "sniffed: no descriptor");
    let v20 = import_path(&fixture("hsds-2.0"), &STRICT).unwrap();
    assert_eq!(v20.version, HsdsVersion::V2_0, "declared 2.0.1");
    let v30 = import_path(&fixture("hsds-3.0-example"), &STRICT).unwrap();
    assert_eq!(v30.version, HsdsVersion::V3_0);
}

#[test]
fn ids_become_stable_uuids_and_links_follow_them() {
    let a = v11().data;
    let s1 = new_id("service", "s1");
    assert!(uuid::Uuid::try_parse(&s1).is_ok());
    let service = one(&a, "service", "id", &s1);
    assert_eq!(
        service.get("organization_id"),
        Some(new_id("organization", "1").as_str())
    );
    for r in &a.rows {
        assert!(uuid::Uuid::try_parse(&r.id).is_ok(), "{r:?}");
    }
    // Importing the same export again gives the same ids.
    assert_eq!(v11().data, a);
}

#[test]
fn mapping_organization_url_becomes_website() {
    let d = v11().data;
    let org = one(&d, "organization", "id", &new_id("organization", "1"));
    assert_eq!(org.get("website"), Some("https://ninez.example.org"));
    assert!(!org.fields.contains_key("url"));
}

#[test]
fn mapping_program_description_is_filled_from_its_name() {
    let d = v11().data;
    assert_eq!(
        one(&d, "program", "name", "Programa Frontera").get("description"),
        Some("Programa Frontera")
    );
}

#[test]
fn mapping_service_fees_and_taxonomy_ids() {
    let d = v11().data;
    let s1 = new_id("service", "s1");
    let service = one(&d, "service", "id", &s1);
    assert_eq!(
        service.get("fees_description"),
        Some("Gratis; Payment accepted: Efectivo")
    );
    assert_eq!(service.get("fees"), Some("Gratis"), "deprecated, kept");
    let terms: Vec<&str> = rows(&d, "attribute", "link_id", &s1)
        .iter()
        .map(|r| r.get("taxonomy_term_id").unwrap())
        .collect();
    assert_eq!(
        terms,
        [new_id("taxonomy_term", "t1"), new_id("taxonomy_term", "t2")]
    );
    assert!(
        rows(&d, "attribute", "link_id", &s1)
            .iter()
            .all(|r| r.get("link_entity") == Some("service"))
    );
}

#[test]
fn mapping_services_at_location_is_renamed() {
    let d = v11().data;
    let table = d
        .tables
        .iter()
        .find(|t| t.name == "service_at_location")
        .unwrap();
    assert_eq!(table.file, "service_at_location.csv");
    let sal = one(
        &d,
        "service_at_location",
        "id",
        &new_id("service_at_location", "sal1"),
    );
    assert_eq!(
        sal.get("location_id"),
        Some(new_id("location", "l1").as_str())
    );
}

#[test]
fn mapping_location_type_and_old_id() {
    let d = v11().data;
    let ty = |old: &str| {
        one(&d, "location", "id", &new_id("location", old))
            .get("location_type")
            .map(str::to_owned)
    };
    assert_eq!(ty("l1").as_deref(), Some("physical"), "has coordinates");
    assert_eq!(
        ty("l2").as_deref(),
        Some("postal"),
        "has only a postal address"
    );
    assert_eq!(ty("l3").as_deref(), Some("virtual"), "has neither");
    let l1 = one(&d, "location", "id", &new_id("location", "l1"));
    assert_eq!(l1.get("external_identifier"), Some("l1"));
    assert_eq!(l1.get("external_identifier_type"), Some("hsds-1.1-id"));
}

#[test]
fn mapping_physical_and_postal_addresses_become_address_rows() {
    let d = v11().data;
    let physical = one(&d, "address", "address_type", "physical");
    assert_eq!(physical.get("address_2"), Some("Piso 2, Oficina 3"));
    assert!(!physical.fields.contains_key("address_3"));
    let postal = one(&d, "address", "address_type", "postal");
    assert_eq!(
        postal.get("location_id"),
        Some(new_id("location", "l2").as_str())
    );
    // Both files used id 1: they stay two rows.
    assert_ne!(physical.id, postal.id);
}

#[test]
fn mapping_phone_languages_and_department() {
    let d = v11().data;
    let phone = one(&d, "phone", "id", &new_id("phone", "p1"));
    assert_eq!(phone.get("description"), Some("Línea directa — Recepción"));
    assert!(!phone.fields.contains_key("language"));
    let mut codes: Vec<&str> = rows(&d, "language", "phone_id", &phone.id)
        .iter()
        .map(|r| r.get("code").unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, ["en", "es"]);
}

#[test]
fn mapping_regular_schedules_become_weekly_rows_by_day() {
    let d = v11().data;
    let s1 = new_id("service", "s1");
    let weekly: Vec<(&str, &str, &str)> = rows(&d, "schedule", "freq", "WEEKLY")
        .iter()
        .map(|r| {
            (
                r.get("byday").unwrap(),
                r.get("opens_at").unwrap(),
                r.get("closes_at").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        weekly,
        [("MO,TU,WE", "08:00", "17:00"), ("SA", "09:00", "12:00")]
    );
    assert!(
        rows(&d, "schedule", "freq", "WEEKLY")
            .iter()
            .all(|r| r.get("service_id") == Some(s1.as_str()))
    );
}

#[test]
fn mapping_holiday_closure_becomes_a_dated_schedule() {
    let d = v11().data;
    let closed = one(&d, "schedule", "notes", "closed");
    assert_eq!(closed.get("valid_from"), Some("2026-12-24"));
    assert_eq!(closed.get("valid_to"), Some("2026-12-25"));
    assert_eq!(closed.get("opens_at"), None);
}

#[test]
fn mapping_taxonomy_becomes_terms_and_a_taxonomy() {
    let d = v11().data;
    let term = one(&d, "taxonomy_term", "code", "t2");
    assert_eq!(term.get("name"), Some("Psicosocial"));
    assert_eq!(term.get("description"), Some("Psicosocial"));
    assert_eq!(
        term.get("parent_id"),
        Some(new_id("taxonomy_term", "t1").as_str())
    );
    let taxonomy = one(&d, "taxonomy", "name", "senda");
    assert_eq!(term.get("taxonomy_id"), Some(taxonomy.id.as_str()));
    // services_taxonomy: taxonomy_detail becomes the attribute's value.
    let a = one(&d, "attribute", "value", "adolescentes");
    assert_eq!(a.get("link_id"), Some(new_id("service", "s2").as_str()));
    assert_eq!(a.get("link_entity"), Some("service"));
    assert_eq!(
        a.get("taxonomy_term_id"),
        Some(new_id("taxonomy_term", "t1").as_str())
    );
}

#[test]
fn mapping_languages_eligibility_accessibility_areas_metadata() {
    let d = v11().data;
    let lang = one(&d, "language", "id", &new_id("language", "lg1"));
    assert_eq!(
        (lang.get("code"), lang.get("name")),
        (Some("es"), Some("Spanish"))
    );
    let s2 = one(&d, "service", "id", &new_id("service", "s2"));
    assert_eq!(s2.get("eligibility_description"), Some("teen"));
    assert_eq!(
        (s2.get("minimum_age"), s2.get("maximum_age")),
        (Some("13"), Some("17"))
    );
    let a = one(&d, "accessibility", "id", &new_id("accessibility", "a1"));
    assert_eq!(
        (a.get("description"), a.get("details")),
        (Some("Rampa"), Some("Entrada lateral"))
    );
    assert_eq!(
        one(&d, "service_area", "name", "Cúcuta").get("description"),
        Some("Área metropolitana")
    );
    assert_eq!(
        one(&d, "metadata", "id", &new_id("metadata", "m1")).get("last_action_date"),
        Some("2026-11-20")
    );
    let c = one(&d, "contact", "name", "Ana Pérez");
    assert_eq!(c.get("service_id"), Some(new_id("service", "s1").as_str()));
}

#[test]
fn mapping_2_0_schedules_terms_and_attributes() {
    let d = import_path(&fixture("hsds-2.0"), &STRICT).unwrap().data;
    let daily = one(&d, "schedule", "id", &new_id("schedule", "sc1"));
    assert_eq!(daily.get("freq"), Some("WEEKLY"));
    assert_eq!(daily.get("byday"), Some("MO,TU,WE,TH,FR,SA,SU"));
    let yearly = one(&d, "schedule", "id", &new_id("schedule", "sc2"));
    assert_eq!(yearly.get("freq"), None);
    assert_eq!(yearly.get("description"), Some("Feria anual — Yearly"));
    let term = one(&d, "taxonomy_term", "code", "tt1");
    assert_eq!(term.get("name"), Some("Protección de la niñez"));
    assert_eq!(term.get("description"), Some("Protección de la niñez"));
    assert!(one(&d, "taxonomy", "name", "senda-categories").id == term.get("taxonomy_id").unwrap());
    let service_attr = one(&d, "attribute", "id", &new_id("service_attribute", "sa1"));
    assert_eq!(service_attr.get("link_entity"), Some("service"));
    // 2.0 link_type held the table: 3.0 calls it link_entity.
    let other = one(&d, "attribute", "id", &new_id("other_attribute", "oa1"));
    assert_eq!(other.get("link_entity"), Some("organization"));
    assert_eq!(other.get("link_type"), Some("category"));
    assert_eq!(
        other.get("link_id"),
        Some(new_id("organization", "o1").as_str())
    );
    let org = one(&d, "organization", "id", &new_id("organization", "o1"));
    assert_eq!(org.get("website"), Some("https://red.example.org"));
}

/// Tables by file and rows by table and id: a CSV folder has no order between files.
fn sorted(mut d: HsdsData) -> HsdsData {
    d.tables.sort_by(|a, b| a.file.cmp(&b.file));
    d.rows
        .sort_by(|a, b| (&a.table, &a.id).cmp(&(&b.table, &b.id)));
    d
}

#[test]
fn upgraded_directories_round_trip_as_3_0() {
    for name in ["hsds-1.1", "hsds-2.0"] {
        let first = import_path(&fixture(name), &STRICT).unwrap().data;
        let out = tempfile::tempdir().unwrap();
        first.export_csv_dir(out.path()).unwrap();
        let again = import_path(out.path(), &STRICT).unwrap();
        assert_eq!(again.version, HsdsVersion::V3_0, "{name}");
        assert!(
            sorted(again.data) == sorted(first),
            "{name} changed on the way"
        );
    }
}

#[test]
fn strict_mode_names_a_file_the_package_lists_but_lacks() {
    let failure = import_dir(&fixture("hsds-1.1-quirks"), &STRICT).unwrap_err();
    assert_eq!(
        failure.error,
        ImportError::MissingFile {
            file: "data/organizations.csv".into()
        }
    );
    assert_eq!(failure.error.code(), "missing-file");
}

#[test]
fn lenient_mode_keeps_what_it_can_and_records_every_fix() {
    let imported = import_dir(&fixture("hsds-1.1-quirks"), &LENIENT).unwrap();
    let (d, report) = (&imported.data, &imported.report);
    let at = |kind: IssueKind| -> Vec<(Action, String, u64)> {
        report
            .issues
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| (i.action, i.file.clone(), i.line))
            .collect()
    };
    let service = |old: &str| one(d, "service", "id", &new_id("service", old)).clone();

    // The folder the descriptor named was not shipped: the files beside it are read.
    assert_eq!(
        at(IssueKind::MissingFile)
            .iter()
            .filter(|(a, _, _)| *a == Action::Fixed)
            .count(),
        5
    );
    assert!(at(IssueKind::MissingFile).contains(&(
        Action::Quarantined,
        "datapackage.json".into(),
        0
    )));

    assert_eq!(service("s1").get("name"), Some("Atención psicosocial"));
    let trimmed = at(IssueKind::Trimmed);
    assert!(
        trimmed.contains(&(Action::Fixed, "services.csv".into(), 2)),
        "{trimmed:?}"
    );

    assert_eq!(service("s2").get("status"), Some("active"));
    assert_eq!(
        at(IssueKind::BlankStatus),
        [(Action::Fixed, "services.csv".into(), 3)]
    );

    assert_eq!(service("s3").get("name"), Some("Orientación legal"));
    assert_eq!(
        service("s3").get("organization_id"),
        None,
        "the dangling link is cleared"
    );
    assert_eq!(
        at(IssueKind::DanglingOrganization),
        [(Action::Kept, "services.csv".into(), 4)]
    );

    assert_eq!(
        at(IssueKind::DerivedId),
        [(Action::Fixed, "services.csv".into(), 5)]
    );
    assert_eq!(rows(d, "service", "name", "Servicio sin id").len(), 1);

    assert_eq!(
        at(IssueKind::DuplicateId),
        [(Action::Quarantined, "services.csv".into(), 6)]
    );
    assert!(rows(d, "service", "name", "Copia de s1").is_empty());
    assert!(
        report
            .quarantined
            .iter()
            .any(|q| q.line == 6 && q.values.contains(&"Copia de s1".to_owned()))
    );

    assert_eq!(
        service("s5").get("description"),
        Some("Llama al 141.\nAtiende 24 horas.")
    );
    assert_eq!(
        at(IssueKind::LiteralNewline),
        [(Action::Fixed, "services.csv".into(), 7)]
    );

    assert_eq!(
        service("s6").get("description"),
        Some("Para niños y adolescentes")
    );
    assert_eq!(
        service("s7").get("description"),
        Some("The children ’s rights")
    );
    assert_eq!(
        service("s8").get("description"),
        Some("Almuerzo para niños")
    );
    assert_eq!(at(IssueKind::Mojibake).len(), 3);

    let schedule = &rows(d, "schedule", "freq", "WEEKLY")[0];
    assert_eq!(
        (schedule.get("opens_at"), schedule.get("closes_at")),
        (Some("08:00"), Some("17:30"))
    );
    assert_eq!(at(IssueKind::TwelveHourTime).len(), 4);

    // A row pointing at a service that is not there is quarantined, not imported.
    assert_eq!(
        at(IssueKind::DanglingReference),
        [(Action::Quarantined, "services_at_location.csv".into(), 3)]
    );
    assert_eq!(
        d.rows
            .iter()
            .filter(|r| r.table == "service_at_location")
            .count(),
        1
    );

    // The short summary: one block per kind, a few examples, never one line per row.
    let summary = report.summary(3);
    // At most a count line, three examples and an "… and N more" per kind of problem.
    let kinds: std::collections::BTreeSet<_> =
        report.issues.iter().map(|i| (i.action, i.kind)).collect();
    assert!(summary.lines().count() <= kinds.len() * 5, "{summary}");
    assert!(summary.contains("mojibake (fixed)"), "{summary}");
    assert!(
        summary.contains("services.csv:6:1 duplicate id 's1'"),
        "{summary}"
    );

    let dir = tempfile::tempdir().unwrap();
    report.write_dir(dir.path()).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    assert_eq!(csv.lines().count(), report.issues.len() + 1);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("<h2 id=\"duplicate-id-quarantined\">"),
        "{html}"
    );
    let quarantined = std::fs::read_to_string(dir.path().join("quarantine/services.csv")).unwrap();
    assert!(quarantined.contains("Copia de s1"));

    // What a lenient import keeps is a valid 3.0 directory: a strict import (and a pack build) takes it.
    let out = tempfile::tempdir().unwrap();
    d.export_csv_dir(out.path()).unwrap();
    HsdsData::import_csv_dir(out.path()).expect("the kept rows pass the strict checks");
}

#[test]
fn the_tabular_json_form_imports_through_the_same_path() {
    let imported = import_path(&fixture("hsds-3.0-example/tabular.json"), &STRICT).unwrap();
    assert_eq!(imported.version, HsdsVersion::V3_0);
    assert!(imported.data.rows.iter().any(|r| r.table == "service"));
}

#[test]
fn an_hsds_file_in_another_encoding_or_too_large_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("services.csv"),
        b"id,organization_id,name,status\ns1,,Ni\xf1ez,active\n",
    )
    .unwrap();
    let e = import_dir(dir.path(), &STRICT).unwrap_err();
    assert_eq!(
        e.error,
        ImportError::NotUtf8 {
            file: "services.csv".into(),
            line: 2
        }
    );
    let ok = import_dir(dir.path(), &LENIENT).unwrap();
    assert_eq!(ok.data.rows[0].get("name"), Some("Niñez"));

    std::fs::File::create(dir.path().join("locations.csv"))
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    let e = import_dir(dir.path(), &LENIENT).unwrap_err();
    assert!(
        matches!(e.error, ImportError::TooLarge { ref file, .. } if file == "locations.csv"),
        "{:?}",
        e.error
    );
}

/// Found by `./x fuzz hsds-csv`: an older file without its `id` column
/// stopped the upgrade with a panic. Now each version's import answers with
/// a typed error (strict) or a report (lenient), and never panics.
#[test]
fn an_older_table_without_its_id_column_is_an_error_not_a_crash() {
    for (folder, file) in [
        ("hsds-1.1", "services.csv"),
        ("hsds-1.1", "phones.csv"),
        ("hsds-2.0", "services.csv"),
        ("hsds-2.0", "phones.csv"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(fixture(folder)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
        let Ok(text) = std::fs::read_to_string(dir.path().join(file)) else {
            continue;
        };
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let headers = rows.headers().unwrap().clone();
        let Some(id) = headers.iter().position(|h| h == "id") else {
            continue;
        };
        let mut out = csv::Writer::from_writer(Vec::new());
        let keep = |r: &csv::StringRecord| {
            r.iter()
                .enumerate()
                .filter(|(i, _)| *i != id)
                .map(|(_, v)| v.to_owned())
                .collect::<Vec<_>>()
        };
        out.write_record(keep(&headers)).unwrap();
        for r in rows.records() {
            out.write_record(keep(&r.unwrap())).unwrap();
        }
        std::fs::write(dir.path().join(file), out.into_inner().unwrap()).unwrap();
        let strict = import_dir(dir.path(), &STRICT);
        assert!(strict.is_err(), "{folder}/{file}: imported without ids");
        let _ = import_dir(dir.path(), &ImportOptions { lenient: true });
    }
}
