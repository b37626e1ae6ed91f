//! 4W ("who does what where") sheets into HSDS 3.0 through a mapping file.

use senda_core::directory::HsdsData;
use senda_core::directory::import::{ImportError, ImportOptions};
use senda_core::directory::report::{Action, IssueKind};
use senda_core::directory::sheet::import_sheet;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/4w")
        .join(name)
}

const STRICT: ImportOptions = ImportOptions { lenient: false };
const LENIENT: ImportOptions = ImportOptions { lenient: true };

fn count(d: &HsdsData, table: &str) -> usize {
    d.rows.iter().filter(|r| r.table == table).count()
}

fn row<'a>(
    d: &'a HsdsData,
    table: &str,
    column: &str,
    value: &str,
) -> &'a senda_core::directory::HsdsRow {
    d.rows
        .iter()
        .find(|r| r.table == table && r.get(column) == Some(value))
        .unwrap_or_else(|| panic!("no {table} with {column} = {value}"))
}

#[test]
fn a_4w_sheet_becomes_hsds_3_0_rows() {
    let imported = import_sheet(
        &fixture("4w-frontera.csv"),
        &fixture("mapping.toml"),
        None,
        &LENIENT,
    )
    .unwrap();
    let d = &imported.data;
    assert_eq!(count(d, "service"), 4);
    assert_eq!(
        count(d, "organization"),
        2,
        "the padded name is the same organisation"
    );
    assert_eq!(
        count(d, "location"),
        2,
        "one place shared by two activities"
    );
    assert_eq!(count(d, "service_at_location"), 3);
    assert_eq!(count(d, "address"), 1);
    assert_eq!(count(d, "phone"), 3);

    let psico = row(d, "service", "name", "Atención psicosocial");
    let org = row(d, "organization", "name", "Fundación Niñez Segura");
    assert_eq!(psico.get("organization_id"), Some(org.id.as_str()));
    let place = row(d, "location", "name", "Sede La Parada");
    assert_eq!(
        (place.get("latitude"), place.get("longitude")),
        (Some("7.8219"), Some("-72.4467"))
    );
    assert_eq!(place.get("location_type"), Some("physical"));
    let schedule = row(d, "schedule", "service_id", &psico.id);
    assert_eq!(
        (
            schedule.get("freq"),
            schedule.get("byday"),
            schedule.get("opens_at"),
            schedule.get("closes_at")
        ),
        (
            Some("WEEKLY"),
            Some("MO,TU,WE,TH,FR"),
            Some("08:00"),
            Some("17:00")
        )
    );
    assert_eq!(
        row(d, "phone", "service_id", &psico.id).get("number"),
        Some("+573000000001")
    );
    let categories: Vec<&str> = d
        .rows
        .iter()
        .filter(|r| r.table == "attribute" && r.get("link_id") == Some(psico.id.as_str()))
        .map(|r| r.get("taxonomy_term_id").unwrap())
        .collect();
    assert_eq!(
        categories,
        ["senda-cat:psicosocial", "senda-cat:proteccion-de-la-ninez"]
    );
    assert_eq!(
        row(d, "taxonomy_term", "id", "senda-cat:linea-de-proteccion").get("name"),
        Some("Línea de protección")
    );

    // The same report as any import: each fix at its sheet line and column.
    let at = |kind| -> Vec<(Action, u64, usize)> {
        imported
            .report
            .issues
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| (i.action, i.line, i.column))
            .collect()
    };
    assert_eq!(at(IssueKind::BlankStatus), [(Action::Fixed, 3, 15)]);
    assert_eq!(at(IssueKind::Trimmed), [(Action::Fixed, 4, 1)]);
    assert_eq!(at(IssueKind::BadTransform), [(Action::Fixed, 5, 12)]);

    // Valid HSDS 3.0: it exports and a strict import takes it; a re-import gives the same ids.
    let out = tempfile::tempdir().unwrap();
    d.export_csv_dir(out.path()).unwrap();
    HsdsData::import_csv_dir(out.path()).expect("strictly valid");
    let again = import_sheet(
        &fixture("4w-frontera.csv"),
        &fixture("mapping.toml"),
        None,
        &LENIENT,
    )
    .unwrap();
    assert_eq!(&again.data, d);
}

#[test]
fn strict_mode_refuses_the_sheet_and_says_where() {
    let failure = import_sheet(
        &fixture("4w-frontera.csv"),
        &fixture("mapping.toml"),
        None,
        &STRICT,
    )
    .unwrap_err();
    let refused: Vec<(IssueKind, u64, usize)> = failure
        .report
        .refused()
        .map(|i| (i.kind, i.line, i.column))
        .collect();
    assert!(
        refused.contains(&(IssueKind::BadTransform, 5, 12)),
        "{refused:?}"
    );
    assert!(
        refused.contains(&(IssueKind::RequiredMissing, 3, 15)),
        "{refused:?}"
    );
    assert_eq!(failure.error.code(), "invalid-import");
}

#[test]
fn an_xlsx_sheet_imports_the_same_and_a_missing_sheet_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let book_path = dir.path().join("4w.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Notas").unwrap();
    ws.write_string(0, 0, "no es el 4W").unwrap();
    let ws = book.add_worksheet();
    ws.set_name("4W").unwrap();
    let mut reader = csv::Reader::from_path(fixture("4w-frontera.csv")).unwrap();
    for (c, h) in reader.headers().unwrap().iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, record) in reader.records().enumerate() {
        for (c, v) in record.unwrap().iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save(&book_path).unwrap();

    let from_csv = import_sheet(
        &fixture("4w-frontera.csv"),
        &fixture("mapping.toml"),
        None,
        &LENIENT,
    )
    .unwrap();
    let from_xlsx =
        import_sheet(&book_path, &fixture("mapping.toml"), Some("4W"), &LENIENT).unwrap();
    assert_eq!(count(&from_xlsx.data, "service"), 4);
    let names = |d: &HsdsData| {
        let mut n: Vec<String> = d
            .rows
            .iter()
            .filter_map(|r| r.get("name").map(str::to_owned))
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&from_xlsx.data), names(&from_csv.data));
    assert!(
        from_xlsx
            .report
            .issues
            .iter()
            .any(|i| i.file == "4w.xlsx#4W" && i.line == 5)
    );

    let e = import_sheet(
        &book_path,
        &fixture("mapping.toml"),
        Some("Hoja1"),
        &LENIENT,
    )
    .unwrap_err();
    assert_eq!(
        e.error,
        ImportError::MissingSheet {
            file: "4w.xlsx".into(),
            sheet: "Hoja1".into()
        }
    );
}

#[test]
fn a_mapping_naming_a_column_the_sheet_lacks_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("m.toml");
    let text = std::fs::read_to_string(fixture("mapping.toml")).unwrap();
    std::fs::write(
        &mapping,
        text.replace("\"Organización\"", "\"Organizacion\""),
    )
    .unwrap();
    let e = import_sheet(&fixture("4w-frontera.csv"), &mapping, None, &LENIENT).unwrap_err();
    let ImportError::BadMapping { file, detail } = &e.error else {
        panic!("{:?}", e.error)
    };
    assert_eq!(file, "m.toml");
    assert!(
        detail.contains("[organization] name: the sheet has no column 'Organizacion'"),
        "{detail}"
    );
    std::fs::write(&mapping, text.replace("\"weekdays\"", "\"weekdayz\"")).unwrap();
    let e = import_sheet(&fixture("4w-frontera.csv"), &mapping, None, &LENIENT).unwrap_err();
    assert!(
        e.error.to_string().contains("unknown transform 'weekdayz'"),
        "{}",
        e.error
    );
}

#[test]
fn a_csv_in_another_encoding_is_refused_strictly_and_read_leniently() {
    let dir = tempfile::tempdir().unwrap();
    let latin = dir.path().join("4w-latin1.csv");
    let text = std::fs::read_to_string(fixture("4w-frontera.csv")).unwrap();
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    std::fs::write(&latin, &bytes).unwrap();
    let e = import_sheet(&latin, &fixture("mapping.toml"), None, &STRICT).unwrap_err();
    assert_eq!(
        e.error,
        ImportError::NotUtf8 {
            file: "4w-latin1.csv".into(),
            line: 1
        }
    );
    assert_eq!(e.error.code(), "not-utf8");
    let ok = import_sheet(&latin, &fixture("mapping.toml"), None, &LENIENT).unwrap();
    assert!(
        ok.data
            .rows
            .iter()
            .any(|r| r.get("name") == Some("Fundación Niñez Segura"))
    );
    assert!(
        ok.report
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::OtherEncoding)
    );
}

#[test]
fn a_50_mb_sheet_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    let e = import_sheet(&big, &fixture("mapping.toml"), None, &LENIENT).unwrap_err();
    assert!(
        matches!(e.error, ImportError::TooLarge { ref file, bytes, .. } if file == "big.csv" && bytes == 50 * 1024 * 1024),
        "{:?}",
        e.error
    );
}
