//! Checklists through XLSForm: every shipped checklist survives export →
//! import unchanged, a form written the ODK way imports, and bad workbooks
//! are refused with the place named.

use rust_xlsxwriter::Workbook;
use senda_core::checklist::xlsform::{self, XlsformError};
use senda_core::checklist::{Checklist, Match, QuestionKind};
use senda_core::directory::import::ImportError;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every checklist the app ships, whatever the model has become.
fn shipped() -> Vec<(PathBuf, Checklist)> {
    let dir = repo().join("assets/content/checklists");
    let mut out: Vec<(PathBuf, Checklist)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let c = toml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p, c)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty());
    out
}

#[test]
fn every_shipped_checklist_survives_export_and_import_unchanged() {
    for (path, checklist) in shipped() {
        let bytes = xlsform::export(&checklist).unwrap();
        let back = xlsform::import_bytes(bytes, "round-trip.xlsx")
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(back, checklist, "{}", path.display());
        // And as TOML, the form the content pack is built from.
        assert_eq!(
            toml::to_string(&back).unwrap(),
            toml::to_string(&checklist).unwrap()
        );
    }
}

#[test]
fn the_template_workbook_imports_as_a_valid_checklist() {
    let template = repo().join("assets/xlsform/checklist-template.xlsx");
    let c = xlsform::import(&template).expect("the template imports");
    c.validate().expect("and is valid");
    assert!(c.questions().count() > 5);
}

/// The template is the shipped checklist as it is now: regenerate it with
/// `senda-content export-xlsform assets/content/checklists/nna-cruce.toml --out assets/xlsform/checklist-template.xlsx`.
#[test]
fn the_template_workbook_is_the_shipped_checklist_of_today() {
    let template = repo().join("assets/xlsform/checklist-template.xlsx");
    let from_template = xlsform::import(&template).expect("the template imports");
    let (_, shipped) = shipped()
        .into_iter()
        .find(|(p, _)| p.ends_with("nna-cruce.toml"))
        .expect("the shipped checklist");
    assert_eq!(
        from_template, shipped,
        "the template is stale: regenerate it from the shipped checklist"
    );
}

/// Writes a workbook from sheets of rows (the first row is the header).
fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

const SETTINGS: &[&[&str]] = &[
    &["form_id", "version", "form_title", "default_language"],
    &["tamizaje", "3", "Tamizaje", "Español (es)"],
];

const CHOICES: &[&[&str]] = &[
    &[
        "list_name",
        "name",
        "label::Español (es)",
        "label::English (en)",
    ],
    &["yes_no", "yes", "Sí", "Yes"],
    &["yes_no", "no", "No", "No"],
    &["con", "solo", "Sola o solo", "Alone"],
    &["con", "familia", "Con familia", "With family"],
    &["needs", "food", "Comida", "Food"],
    &["needs", "bed", "Dónde dormir", "A bed"],
];

const THRESHOLDS: &[&[&str]] = &[
    &["level", "from", "to"],
    &["low", "0", "3"],
    &["high", "4", ""],
];

fn form(survey: &[&[&str]]) -> Vec<u8> {
    workbook(&[
        ("survey", survey),
        ("choices", CHOICES),
        ("settings", SETTINGS),
        ("senda_thresholds", THRESHOLDS),
    ])
}

fn refused(bytes: Vec<u8>) -> XlsformError {
    xlsform::import_bytes(bytes, "form.xlsx").unwrap_err()
}

const HEADER: &[&str] = &[
    "type",
    "name",
    "label::Español (es)",
    "label::English (en)",
    "hint::Español (es)",
    "required",
    "relevant",
    "constraint",
    "senda::origin",
];

#[test]
fn a_form_written_the_odk_way_imports() {
    let c = xlsform::import_bytes(
        form(&[
            HEADER,
            &["start", "start", "", "", "", "", "", "", ""],
            &[
                "begin group",
                "viaje",
                "El viaje",
                "The journey",
                "",
                "",
                "",
                "",
                "",
            ],
            &[
                "note",
                "intro",
                "Habla a solas",
                "Speak alone",
                "",
                "",
                "",
                "",
                "",
            ],
            &[
                "select_one yes_no",
                "alone",
                "¿Viajas solo?",
                "Alone?",
                "Sin juzgar",
                "yes",
                "",
                "",
                "observed",
            ],
            &[
                "select one con",
                "with",
                "¿Con quién?",
                "With whom?",
                "Pregunta con calma",
                "",
                "${alone} = 'no'",
                "",
                "",
            ],
            &[
                "select_multiple needs",
                "needs",
                "¿Qué necesitas?",
                "",
                "Pregunta con calma",
                "",
                "",
                "",
                "",
            ],
            &[
                "integer",
                "age",
                "Edad",
                "Age",
                "Pregunta con calma",
                "",
                "selected(${needs}, 'bed') or selected(${needs}, 'food')",
                ". >= 0 and . <= 17",
                "",
            ],
            &[
                "text",
                "notes",
                "Notas",
                "",
                "Pregunta con calma",
                "",
                "not(${alone} = 'yes')",
                "string-length(.) <= 80",
                "",
            ],
            &["end group", "", "", "", "", "", "", "", ""],
        ]),
        "form.xlsx",
    )
    .unwrap();
    assert_eq!((c.id.as_str(), c.version), ("tamizaje", 3));
    assert_eq!(c.sections.len(), 1);
    let q = |id: &str| c.question(id).unwrap();
    assert_eq!(q("alone").kind, QuestionKind::YesNo);
    assert_eq!(q("alone").guidance.get("es").0, "Sin juzgar");
    assert_eq!(
        serde_json::to_value(q("alone").origin).unwrap(),
        serde_json::json!("observed")
    );
    assert_eq!(q("with").text.get("en").0, "With whom?");
    let cond = q("with").show_if.as_ref().unwrap();
    assert_eq!(
        (cond.question.as_str(), &cond.matches),
        ("alone", &Match::No)
    );
    assert!(
        matches!(q("needs").kind, QuestionKind::MultipleChoice { ref options } if options.len() == 2)
    );
    assert_eq!(
        q("age").kind,
        QuestionKind::Number {
            min: 0.0,
            max: 17.0
        }
    );
    assert_eq!(
        q("age").show_if.as_ref().unwrap().matches,
        Match::AnyOf(vec!["bed".into(), "food".into()])
    );
    assert_eq!(q("notes").kind, QuestionKind::ShortText { max_len: 80 });
    assert_eq!(q("notes").show_if.as_ref().unwrap().matches, Match::No);
    // `start` is metadata ODK collects by itself: Senda collects none.
    assert!(c.question("start").is_none());
}

fn row_error(e: XlsformError) -> (String, u32, String, String) {
    match e {
        XlsformError::At {
            sheet,
            row,
            column,
            message,
        } => (sheet, row, column, message),
        other => panic!("expected a located error, got {other}"),
    }
}

#[test]
fn an_unknown_question_type_is_named_with_its_row() {
    let e = refused(form(&[
        HEADER,
        &["begin_group", "s", "S", "", "", "", "", "", ""],
        &["geopoint", "where", "¿Dónde?", "", "", "", "", "", ""],
        &["end_group", "", "", "", "", "", "", "", ""],
    ]));
    assert_eq!(e.code(), "xlsform");
    let (sheet, row, column, message) = row_error(e.clone());
    assert_eq!(
        (sheet.as_str(), row, column.as_str()),
        ("survey", 3, "type")
    );
    assert_eq!(message, "Unknown question type 'geopoint'.");
    assert_eq!(
        e.to_string(),
        "survey sheet, [row : 3], column 'type': Unknown question type 'geopoint'."
    );
}

#[test]
fn a_relevant_outside_the_subset_is_refused_with_its_place() {
    let e = refused(form(&[
        HEADER,
        &["begin_group", "s", "S", "", "", "", "", "", ""],
        &[
            "select_one yes_no",
            "alone",
            "¿Solo?",
            "",
            "Pregunta con calma",
            "",
            "",
            "",
            "",
        ],
        &[
            "integer",
            "age",
            "Edad",
            "",
            "Pregunta con calma",
            "",
            "${alone} = 'yes' and ${age} > 3",
            ". >= 0 and . <= 17",
            "",
        ],
        &["end_group", "", "", "", "", "", "", "", ""],
    ]));
    let (sheet, row, column, message) = row_error(e);
    assert_eq!(
        (sheet.as_str(), row, column.as_str()),
        ("survey", 4, "relevant")
    );
    assert!(
        message.contains("'and' is outside what Senda's show-if can express"),
        "{message}"
    );

    let e = refused(form(&[
        HEADER,
        &["begin_group", "s", "S", "", "", "", "", "", ""],
        &[
            "select_one yes_no",
            "alone",
            "¿Solo?",
            "",
            "Pregunta con calma",
            "",
            "${ghost} = 'yes'",
            "",
            "",
        ],
        &["end_group", "", "", "", "", "", "", "", ""],
    ]));
    assert!(row_error(e).3.contains("Could not find the name 'ghost'"));
}

#[test]
fn a_cycle_of_conditions_is_refused() {
    let e = refused(form(&[
        HEADER,
        &["begin_group", "s", "S", "", "", "", "", "", ""],
        &[
            "select_one yes_no",
            "a",
            "A",
            "",
            "Pregunta con calma",
            "",
            "${b} = 'yes'",
            "",
            "",
        ],
        &[
            "select_one yes_no",
            "b",
            "B",
            "",
            "Pregunta con calma",
            "",
            "${a} = 'yes'",
            "",
            "",
        ],
        &["end_group", "", "", "", "", "", "", "", ""],
    ]));
    let (sheet, row, column, message) = row_error(e);
    assert_eq!((sheet.as_str(), column.as_str()), ("survey", "relevant"));
    assert!(row == 3 || row == 4);
    assert!(message.contains("form a cycle"), "{message}");
}

#[test]
fn missing_sheets_and_headers_are_named() {
    let e = refused(workbook(&[("settings", SETTINGS)]));
    assert_eq!(
        e,
        XlsformError::File(ImportError::MissingSheet {
            file: "form.xlsx".into(),
            sheet: "survey".into()
        })
    );
    assert_eq!(e.code(), "missing-sheet");
    // A select question whose list has no choices sheet.
    let e = refused(workbook(&[
        (
            "survey",
            &[
                HEADER,
                &["begin_group", "s", "S", "", "", "", "", "", ""],
                &["select_one con", "with", "W", "", "", "", "", "", ""],
                &["end_group", "", "", "", "", "", "", "", ""],
            ],
        ),
        ("settings", SETTINGS),
    ]));
    assert!(
        matches!(e, XlsformError::File(ImportError::MissingSheet { ref sheet, .. }) if sheet == "choices"),
        "{e}"
    );
    let e = refused(workbook(&[
        ("survey", &[&["tipo", "name"]]),
        ("settings", SETTINGS),
    ]));
    assert!(
        row_error(e)
            .3
            .contains("required column headers were not found: type")
    );
}

#[test]
fn a_file_that_is_not_a_workbook_or_is_too_large_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("form.xlsx");
    std::fs::write(&fake, "id,name\n1,not a workbook\n").unwrap();
    let e = xlsform::import(&fake).unwrap_err();
    assert!(
        matches!(e, XlsformError::File(ImportError::NotAWorkbook { ref file, .. }) if file == "form.xlsx"),
        "{e}"
    );
    assert_eq!(e.code(), "not-a-workbook");

    let big = dir.path().join("big.xlsx");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let e = xlsform::import(&big).unwrap_err();
    assert!(
        matches!(e, XlsformError::File(ImportError::TooLarge { ref file, .. }) if file == "big.xlsx"),
        "{e}"
    );
}

#[test]
fn a_version_that_is_not_a_whole_number_is_named() {
    let e = refused(workbook(&[
        ("survey", &[HEADER]),
        ("choices", CHOICES),
        (
            "settings",
            &[&["form_id", "version"], &["tamizaje", "2024-01-15"]],
        ),
    ]));
    let (sheet, row, column, message) = row_error(e);
    assert_eq!(
        (sheet.as_str(), row, column.as_str()),
        ("settings", 2, "version")
    );
    assert!(message.contains("whole number"), "{message}");
}
