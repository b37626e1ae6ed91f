use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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
const HARD_REFERENCES: &[(&str, &str, &str)] = &[
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
const SOFT_REFERENCES: &[(&str, &str, &str)] = &[
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
const DATE_COLUMNS: &[(&str, &str)] = &[
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
fn schema() -> &'static BTreeMap<String, Vec<(String, bool)>> {
    static SCHEMA: std::sync::LazyLock<BTreeMap<String, Vec<(String, bool)>>> =
        std::sync::LazyLock::new(parse_schema);
    &SCHEMA
}

/// The columns the HSDS schema types as numbers, for one table.
fn numeric_columns(table: &str) -> Vec<String> {
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

/// One table as read from a file, before any checks.
struct RawTable {
    file: String,
    columns: Vec<String>,
    /// Line (CSV) or 1-based row number (JSON), and the values in column order.
    records: Vec<(u64, Vec<String>)>,
    numeric: Vec<String>,
}

impl HsdsData {
    /// Reads a tabular data package: the CSV files its `datapackage.json`
    /// lists, or every `*.csv` when there is none. All or nothing: any error
    /// and nothing is returned, with every error found.
    pub fn import_csv_dir(dir: &Path) -> Result<HsdsImport, Vec<HsdsError>> {
        let mut errors = Vec::new();
        let mut files: Vec<std::path::PathBuf> = match datapackage_paths(dir) {
            Some(Ok(paths)) => paths,
            Some(Err(e)) => return Err(vec![e]),
            None => std::fs::read_dir(dir)
                .map_err(|e| vec![file_error(dir, &e.to_string())])?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "csv"))
                .collect(),
        };
        files.sort();
        let mut raw = Vec::new();
        for path in files {
            match read_csv(&path) {
                Ok(table) => raw.push(table),
                Err(mut e) => errors.append(&mut e),
            }
        }
        assemble(raw, errors)
    }

    /// Reads the JSON form of a tabular data package (`{"services.csv": [{..}]}`,
    /// like HSDS's own `tabular.json`); `name` labels errors, whose "line" is
    /// the row number. Columns whose values are all numbers stay numbers on export.
    pub fn import_tabular_json(text: &str, name: &str) -> Result<HsdsImport, Vec<HsdsError>> {
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
                columns,
                records,
                numeric,
            });
        }
        assemble(raw, errors)
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

/// The CSV files a `datapackage.json` lists, when the folder has a JSON descriptor.
fn datapackage_paths(dir: &Path) -> Option<Result<Vec<std::path::PathBuf>, HsdsError>> {
    let path = dir.join("datapackage.json");
    let text = std::fs::read_to_string(&path).ok()?;
    // HSDS's own example ships a dangling link here: only a JSON descriptor counts.
    let descriptor: serde_json::Value = serde_json::from_str(&text).ok()?;
    let resources = descriptor.get("resources")?.as_array()?;
    Some(
        resources
            .iter()
            .map(|r| {
                let file = r.get("path").and_then(|p| p.as_str()).unwrap_or("");
                let inside = !file.is_empty()
                    && !file.contains("..")
                    && !file.starts_with('/')
                    && file.ends_with(".csv");
                if inside {
                    Ok(dir.join(file))
                } else {
                    Err(file_error(
                        &path,
                        &format!("resource path '{file}' is not a CSV file in this package"),
                    ))
                }
            })
            .collect(),
    )
}

fn read_csv(path: &Path) -> Result<RawTable, Vec<HsdsError>> {
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let at = |line: u64, message: String| HsdsError {
        file: file.clone(),
        line,
        column: 0,
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| vec![at(0, e.to_string())])?;
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| vec![at(1, e.to_string())])?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut errors = Vec::new();
    let mut records = Vec::new();
    for record in reader.records() {
        // The csv crate counts a record's line from 0 after the header; files count from 1.
        match record {
            Ok(r) => records.push((
                r.position().map(|p| p.line() + 1).unwrap_or(0),
                r.iter().map(str::to_owned).collect(),
            )),
            Err(e) => errors.push(at(
                e.position().map(|p| p.line() + 1).unwrap_or(0),
                e.to_string(),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let numeric = table_for_file(&file)
        .map(|t| numeric_columns(&t))
        .unwrap_or_default()
        .into_iter()
        .filter(|c| columns.contains(c))
        .collect();
    Ok(RawTable {
        file,
        columns,
        records,
        numeric,
    })
}

/// Checks tables read in any form and builds the data, or returns every error found.
fn assemble(raw: Vec<RawTable>, mut errors: Vec<HsdsError>) -> Result<HsdsImport, Vec<HsdsError>> {
    let schema = schema();
    let mut data = HsdsData::default();
    // Where each row came from, for reference errors.
    let mut origin: BTreeMap<(String, String), (String, u64)> = BTreeMap::new();
    for RawTable {
        file,
        columns,
        records,
        numeric,
    } in raw
    {
        let Some(table) = table_for_file(&file) else {
            errors.push(HsdsError {
                file,
                line: 0,
                column: 0,
                message: "not an HSDS 3.0 table".into(),
            });
            continue;
        };
        let known = &schema[&table];
        for (name, required) in known {
            if *required && !columns.contains(name) {
                errors.push(HsdsError {
                    file: file.clone(),
                    line: 1,
                    column: 0,
                    message: format!("required column '{name}' is missing"),
                });
            }
        }
        let Some(id_col) = columns.iter().position(|c| c == "id") else {
            continue;
        };
        for (line, values) in records {
            let at = |column: usize, message: String| HsdsError {
                file: file.clone(),
                line,
                column: column + 1,
                message,
            };
            let id = values.get(id_col).cloned().unwrap_or_default();
            if id.is_empty() {
                errors.push(at(id_col, "id is empty".into()));
                continue;
            }
            let mut fields = BTreeMap::new();
            for (i, column) in columns.iter().enumerate() {
                let value = values.get(i).cloned().unwrap_or_default();
                if let Some(problem) = check_value(&table, column, &value) {
                    errors.push(at(i, problem));
                }
                if known.iter().any(|(n, req)| n == column && *req) && value.is_empty() {
                    errors.push(at(i, format!("'{column}' is required")));
                }
                fields.insert(column.clone(), value);
            }
            if origin
                .insert((table.clone(), id.clone()), (file.clone(), line))
                .is_some()
            {
                errors.push(at(id_col, format!("duplicate id '{id}'")));
            }
            data.rows.push(HsdsRow {
                table: table.clone(),
                id,
                fields,
            });
        }
        data.tables.push(HsdsTable {
            name: table,
            file,
            columns,
            numeric,
        });
    }

    let mut warnings = Vec::new();
    let ids: BTreeSet<(&str, &str)> = data
        .rows
        .iter()
        .map(|r| (r.table.as_str(), r.id.as_str()))
        .collect();
    for row in &data.rows {
        let (file, line) = origin[&(row.table.clone(), row.id.clone())].clone();
        let columns = &data
            .tables
            .iter()
            .find(|t| t.name == row.table)
            .expect("table recorded")
            .columns;
        for (refs, hard) in [(HARD_REFERENCES, true), (SOFT_REFERENCES, false)] {
            for (table, column, target) in refs.iter().filter(|(t, _, _)| *t == row.table) {
                let Some(value) = row.get(column) else {
                    continue;
                };
                if !ids.contains(&(*target, value)) {
                    let e = HsdsError {
                        file: file.clone(),
                        line,
                        column: columns
                            .iter()
                            .position(|c| c == column)
                            .map_or(0, |i| i + 1),
                        message: format!("{table}.{column} '{value}' has no matching {target}"),
                    };
                    if hard {
                        errors.push(e)
                    } else {
                        warnings.push(e)
                    }
                }
            }
        }
        if row.table == "location" {
            for axis in ["latitude", "longitude"] {
                let limit = if axis == "latitude" { 90.0 } else { 180.0 };
                if row
                    .get(axis)
                    .and_then(|v| v.parse::<f64>().ok())
                    .is_some_and(|v| v.abs() > limit)
                {
                    warnings.push(HsdsError {
                        file: file.clone(),
                        line,
                        column: columns.iter().position(|c| c == axis).map_or(0, |i| i + 1),
                        message: format!(
                            "{axis} out of range: kept, but this location is not placed on the map"
                        ),
                    });
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(HsdsImport { data, warnings })
    } else {
        Err(errors)
    }
}

fn file_error(path: &Path, message: &str) -> HsdsError {
    HsdsError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        message: message.into(),
    }
}

/// Type checks on the values Senda relies on.
fn check_value(table: &str, column: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    let numeric = matches!(
        (table, column),
        ("location", "latitude" | "longitude") | ("service", "minimum_age" | "maximum_age")
    );
    if numeric && value.parse::<f64>().map(f64::is_finite) != Ok(true) {
        return Some(format!("'{column}' must be a number, not '{value}'"));
    }
    if DATE_COLUMNS.contains(&(table, column)) && !is_date(value) {
        return Some(format!(
            "'{column}' must be a date (YYYY-MM-DD), not '{value}'"
        ));
    }
    None
}

fn is_date(value: &str) -> bool {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()
        || chrono::DateTime::parse_from_rfc3339(value).is_ok()
        || chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S").is_ok()
}
