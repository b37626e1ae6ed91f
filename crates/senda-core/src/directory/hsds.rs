use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use super::import::{ImportError, RawTable};
use super::report::{Issue, Report};

const SCHEMA_CSV: &str = include_str!("hsds-3.0-schema.csv");

/// One HSDS table as it came in: its file name and its columns, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HsdsTable {
    /// HSDS table name, e.g. `service`.
    pub name: String,
    /// File name in the tabular data package, e.g. `services.csv`.
    pub file: String,
    pub columns: Vec<String>,
    /// Columns written as numbers in the JSON form (from the JSON read, or the HSDS schema).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numeric: Vec<String>,
}

/// One row: every column's text, exactly as given (empty stays empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HsdsRow {
    pub table: String,
    pub id: String,
    pub fields: BTreeMap<String, String>,
}

impl HsdsRow {
    pub fn get(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HsdsData {
    pub tables: Vec<HsdsTable>,
    pub rows: Vec<HsdsRow>,
}

/// A problem in an import, located as precisely as the file allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{file}:{line}:{column}: {message}")]
pub struct HsdsError {
    pub file: String,
    /// 1-based; 1 is the header.
    pub line: u64,
    /// 1-based column number; 0 when the whole line or file is at fault.
    pub column: usize,
    pub message: String,
}

/// What the import accepted but will not use (kept, and reported).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HsdsImport {
    pub data: HsdsData,
    pub warnings: Vec<HsdsError>,
}

/// References inside the service graph: a dangling one is an error.
pub(crate) const HARD_REFERENCES: &[(&str, &str, &str)] = &[
    ("service", "organization_id", "organization"),
    ("service_at_location", "service_id", "service"),
    ("service_at_location", "location_id", "location"),
    ("phone", "service_id", "service"),
    ("phone", "location_id", "location"),
    ("phone", "service_at_location_id", "service_at_location"),
    ("schedule", "service_id", "service"),
    ("schedule", "location_id", "location"),
    ("schedule", "service_at_location_id", "service_at_location"),
    ("language", "service_id", "service"),
    ("language", "location_id", "location"),
    ("service_area", "service_id", "service"),
    ("required_document", "service_id", "service"),
    ("address", "location_id", "location"),
    ("attribute", "taxonomy_term_id", "taxonomy_term"),
];

/// References outside it (parents, contacts, taxonomies): the official HSDS
/// example itself leaves some dangling, so they are kept with a warning.
pub(crate) const SOFT_REFERENCES: &[(&str, &str, &str)] = &[
    ("organization", "parent_organization_id", "organization"),
    ("location", "organization_id", "organization"),
    ("taxonomy_term", "parent_id", "taxonomy_term"),
    ("taxonomy_term", "taxonomy_id", "taxonomy"),
    ("contact", "organization_id", "organization"),
    ("contact", "service_id", "service"),
    ("contact", "service_at_location_id", "service_at_location"),
    ("contact", "location_id", "location"),
    ("phone", "contact_id", "contact"),
    ("phone", "organization_id", "organization"),
    ("service", "program_id", "program"),
];

/// Columns that hold dates (or date-times).
pub(crate) const DATE_COLUMNS: &[(&str, &str)] = &[
    ("service", "assured_date"),
    ("service", "last_modified"),
    ("schedule", "valid_from"),
    ("schedule", "valid_to"),
    ("schedule", "dtstart"),
    ("schedule", "until"),
    ("metadata", "last_action_date"),
];

/// HSDS table name for a tabular file name (`services.csv` → `service`).
pub fn table_for_file(file: &str) -> Option<String> {
    let stem = file.strip_suffix(".csv")?;
    let tables = schema();
    let candidates = [
        stem.to_owned(),
        stem.strip_suffix("ies")
            .map(|s| format!("{s}y"))
            .unwrap_or_default(),
        stem.strip_suffix("es").unwrap_or("").to_owned(),
        stem.strip_suffix('s').unwrap_or("").to_owned(),
    ];
    candidates.into_iter().find(|c| tables.contains_key(c))
}

/// Scalar columns per HSDS table, with whether each is required. Parsed once.
pub(crate) fn schema() -> &'static BTreeMap<String, Vec<(String, bool)>> {
    static SCHEMA: std::sync::LazyLock<BTreeMap<String, Vec<(String, bool)>>> =
        std::sync::LazyLock::new(parse_schema);
    &SCHEMA
}

/// The columns the HSDS schema types as numbers, for one table.
pub(crate) fn numeric_columns(table: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(SCHEMA_CSV.as_bytes());
    reader
        .records()
        .flatten()
        .filter(|r| &r[0] == table && &r[2] == "number")
        .map(|r| r[1].to_owned())
        .collect()
}

fn parse_schema() -> BTreeMap<String, Vec<(String, bool)>> {
    let mut tables: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(SCHEMA_CSV.as_bytes());
    for record in reader.records().flatten() {
        let (table, name, kind, required) = (&record[0], &record[1], &record[2], &record[5]);
        if kind == "array" || kind.is_empty() {
            continue;
        }
        tables
            .entry(table.to_owned())
            .or_default()
            .push((name.to_owned(), required == "true"));
    }
    tables
}

impl HsdsData {
    /// Reads a tabular data package strictly (HSDS 1.1 and 2.0 are upgraded
    /// to 3.0): the CSV files its `datapackage.json` lists, or every `*.csv`
    /// when there is none. All or nothing: any error and nothing is
    /// returned, with every error found. See [`super::import`] for lenient imports.
    pub fn import_csv_dir(dir: &Path) -> Result<HsdsImport, Vec<HsdsError>> {
        strict(super::import::import_dir(dir, &Default::default()))
    }

    /// Reads the JSON form of a tabular data package (`{"services.csv": [{..}]}`,
    /// like HSDS's own `tabular.json`); `name` labels errors, whose "line" is
    /// the row number. Columns whose values are all numbers stay numbers on export.
    pub fn import_tabular_json(text: &str, name: &str) -> Result<HsdsImport, Vec<HsdsError>> {
        let raw = tabular_json_tables(text, name)?;
        let mut report = Report::default();
        let data = super::import::assemble(raw, &Default::default(), &mut report);
        if report.refused().next().is_some() {
            return Err(report.refused().map(HsdsError::from).collect());
        }
        Ok(HsdsImport {
            data,
            warnings: report.issues.iter().map(HsdsError::from).collect(),
        })
    }

    /// The JSON form of the package: numeric columns as numbers, empty values left out.
    pub fn export_tabular_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for table in &self.tables {
            let rows = self
                .rows
                .iter()
                .filter(|r| r.table == table.name)
                .map(|row| {
                    let mut object = serde_json::Map::new();
                    for c in &table.columns {
                        let Some(v) = row.get(c) else { continue };
                        let number = if table.numeric.contains(c) {
                            serde_json::from_str::<serde_json::Number>(v).ok()
                        } else {
                            None
                        };
                        let value = match number {
                            Some(n) => serde_json::Value::Number(n),
                            None => v.into(),
                        };
                        object.insert(c.clone(), value);
                    }
                    serde_json::Value::Object(object)
                })
                .collect();
            out.insert(table.file.clone(), serde_json::Value::Array(rows));
        }
        serde_json::Value::Object(out)
    }

    /// A Frictionless tabular data package descriptor for the CSV files.
    pub fn datapackage(&self) -> serde_json::Value {
        let resources: Vec<serde_json::Value> = self
            .tables
            .iter()
            .map(|t| {
                let fields: Vec<serde_json::Value> = t
                    .columns
                    .iter()
                    .map(|c| {
                        let kind = if t.numeric.contains(c) {
                            "number"
                        } else {
                            "string"
                        };
                        serde_json::json!({ "name": c, "type": kind })
                    })
                    .collect();
                serde_json::json!({
                    "name": t.name,
                    "path": t.file,
                    "profile": "tabular-data-resource",
                    "schema": { "fields": fields, "primaryKey": "id" },
                })
            })
            .collect();
        serde_json::json!({
            "name": "hsds-3-0-export",
            "profile": "tabular-data-package",
            "resources": resources,
        })
    }

    /// Writes one CSV per table, columns in their original order.
    pub fn export_csv_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for table in &self.tables {
            let mut w = csv::Writer::from_path(dir.join(&table.file))?;
            w.write_record(&table.columns)?;
            for row in self.rows.iter().filter(|r| r.table == table.name) {
                w.write_record(
                    table
                        .columns
                        .iter()
                        .map(|c| row.fields.get(c).map(String::as_str).unwrap_or("")),
                )?;
            }
            w.flush()?;
        }
        let descriptor = serde_json::to_string_pretty(&self.datapackage()).expect("JSON");
        std::fs::write(dir.join("datapackage.json"), descriptor)
    }
}

impl From<&Issue> for HsdsError {
    fn from(i: &Issue) -> Self {
        Self {
            file: i.file.clone(),
            line: i.line,
            column: i.column,
            message: i.message.clone(),
        }
    }
}

fn strict(
    outcome: Result<super::import::Imported, super::import::ImportFailure>,
) -> Result<HsdsImport, Vec<HsdsError>> {
    match outcome {
        Ok(imported) => Ok(HsdsImport {
            data: imported.data,
            warnings: imported.report.issues.iter().map(HsdsError::from).collect(),
        }),
        Err(failure) if failure.report.refused().next().is_some() => {
            Err(failure.report.refused().map(HsdsError::from).collect())
        }
        Err(failure) => Err(vec![HsdsError {
            file: match &failure.error {
                ImportError::MissingFile { file }
                | ImportError::TooLarge { file, .. }
                | ImportError::NotUtf8 { file, .. }
                | ImportError::Unreadable { file, .. }
                | ImportError::NotAWorkbook { file, .. }
                | ImportError::MissingSheet { file, .. }
                | ImportError::BadMapping { file, .. } => file.clone(),
                ImportError::Invalid { .. } => String::new(),
            },
            line: match &failure.error {
                ImportError::NotUtf8 { line, .. } => *line,
                _ => 0,
            },
            column: 0,
            message: failure.error.to_string(),
        }]),
    }
}

/// The tables of the JSON form, before any checks.
pub(crate) fn tabular_json_tables(text: &str, name: &str) -> Result<Vec<RawTable>, Vec<HsdsError>> {
    let at = |line: u64, column: usize, message: String| HsdsError {
        file: name.to_owned(),
        line,
        column,
        message,
    };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| vec![at(e.line() as u64, e.column(), e.to_string())])?;
    let Some(files) = value.as_object() else {
        return Err(vec![at(0, 0, "expected an object of tables".into())]);
    };
    let mut errors = Vec::new();
    let mut raw = Vec::new();
    for (file, rows) in files {
        let Some(rows) = rows.as_array() else {
            errors.push(at(0, 0, format!("{file}: expected an array of rows")));
            continue;
        };
        let mut columns: Vec<String> = Vec::new();
        let mut all_numbers: BTreeMap<String, bool> = BTreeMap::new();
        for row in rows.iter().filter_map(|r| r.as_object()) {
            for (k, v) in row {
                if !columns.contains(k) {
                    columns.push(k.clone());
                }
                if !v.is_null() {
                    *all_numbers.entry(k.clone()).or_insert(true) &= v.is_number();
                }
            }
        }
        let mut records = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let Some(row) = row.as_object() else {
                errors.push(at(
                    i as u64 + 1,
                    0,
                    format!("{file}: a row must be an object"),
                ));
                continue;
            };
            let values = columns
                .iter()
                .map(|c| match row.get(c) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                })
                .collect();
            records.push((i as u64 + 1, values));
        }
        let numeric = columns
            .iter()
            .filter(|c| all_numbers.get(*c) == Some(&true))
            .cloned()
            .collect();
        raw.push(RawTable {
            file: file.clone(),
            source: file.clone(),
            origin: (1..=columns.len()).collect(),
            columns,
            records,
            numeric,
        });
    }
    if errors.is_empty() {
        Ok(raw)
    } else {
        Err(errors)
    }
}
