//! Importing a directory as people publish it: HSDS 1.1, 2.0 or 3.0, a
//! folder of CSV files (with or without `datapackage.json`) or the tabular
//! JSON form, strictly (all or nothing, every problem listed) or leniently
//! (every row that can be kept, the rest quarantined, each fix recorded).
//!
//! Steps: read (size limit, encoding, the files the descriptor lists) →
//! lenient value fixes ([`super::tidy`]) → ids (derived, duplicates) →
//! upgrade to 3.0 ([`super::upgrade`]) → checks and references ([`assemble`]).

use super::hsds::{self, HsdsData, HsdsRow, HsdsTable};
use super::report::{Action, Issue, IssueKind, QuarantinedRow, Report};
use super::{tidy, upgrade};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The largest file an import reads (a 100,000-service `services.csv` is
/// about 30 MiB); anything larger is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 40 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum HsdsVersion {
    #[serde(rename = "1.1")]
    V1_1,
    #[serde(rename = "2.0")]
    V2_0,
    #[serde(rename = "3.0")]
    V3_0,
}

impl std::fmt::Display for HsdsVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::V1_1 => "HSDS 1.1",
            Self::V2_0 => "HSDS 2.0",
            Self::V3_0 => "HSDS 3.0",
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub lenient: bool,
}

/// Why an import stopped before any data was kept. Each names its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ImportError {
    #[error("{file}: listed in datapackage.json, but there is no such file")]
    MissingFile { file: String },
    #[error("{file}: {bytes} bytes is larger than the {limit} bytes an import reads")]
    TooLarge {
        file: String,
        bytes: u64,
        limit: u64,
    },
    #[error(
        "{file}:{line}: not UTF-8 text (saved in another encoding?); save it as UTF-8 (or import with --lenient to read it as Windows-1252)"
    )]
    NotUtf8 { file: String, line: u64 },
    #[error("{file}: cannot be read: {detail}")]
    Unreadable { file: String, detail: String },
    #[error("{file}: not an .xlsx workbook ({detail})")]
    NotAWorkbook { file: String, detail: String },
    #[error("{file}: there is no sheet named '{sheet}'")]
    MissingSheet { file: String, sheet: String },
    #[error("{file}: {detail}")]
    BadMapping { file: String, detail: String },
    #[error("{count} problems; nothing was imported. First: {first}")]
    Invalid { count: usize, first: String },
}

impl ImportError {
    pub const ALL_CODES: &'static [&'static str] = &[
        "missing-file",
        "too-large",
        "not-utf8",
        "unreadable",
        "not-a-workbook",
        "missing-sheet",
        "bad-mapping",
        "invalid-import",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingFile { .. } => "missing-file",
            Self::TooLarge { .. } => "too-large",
            Self::NotUtf8 { .. } => "not-utf8",
            Self::Unreadable { .. } => "unreadable",
            Self::NotAWorkbook { .. } => "not-a-workbook",
            Self::MissingSheet { .. } => "missing-sheet",
            Self::BadMapping { .. } => "bad-mapping",
            Self::Invalid { .. } => "invalid-import",
        }
    }
}

/// A finished import: HSDS 3.0 data, what it was, and what was done to it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub data: HsdsData,
    pub version: HsdsVersion,
    pub report: Report,
}

/// A refused import: nothing is kept; the report lists every problem.
#[derive(Debug, Clone)]
pub struct ImportFailure {
    pub error: ImportError,
    pub report: Report,
}

impl ImportFailure {
    fn from_error(error: ImportError) -> Self {
        Self {
            error,
            report: Report::default(),
        }
    }
}

/// One table as read, before any checks. Upgrades rename files and columns;
/// `source` and `origin` keep where each value came from for the report.
#[derive(Debug, Clone)]
pub(crate) struct RawTable {
    /// The HSDS 3.0 file name (equal to `source` until the upgrade).
    pub file: String,
    /// The file as given.
    pub source: String,
    pub columns: Vec<String>,
    /// Per column: its 1-based column in `source`, or 0 if the import made it.
    pub origin: Vec<usize>,
    /// Line (CSV) or row number (JSON), and values in column order.
    pub records: Vec<(u64, Vec<String>)>,
    /// Columns written as numbers in JSON.
    pub numeric: Vec<String>,
}

impl RawTable {
    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    fn issue(
        &self,
        kind: IssueKind,
        action: Action,
        line: u64,
        col: Option<usize>,
        message: String,
    ) -> Issue {
        Issue {
            kind,
            action,
            file: self.source.clone(),
            line,
            column: col.map_or(0, |c| self.origin.get(c).copied().unwrap_or(0)),
            column_name: col
                .and_then(|c| self.columns.get(c).cloned())
                .unwrap_or_default(),
            message,
        }
    }
}

/// Imports a folder of CSV files or a tabular JSON file.
pub fn import_path(path: &Path, options: &ImportOptions) -> Result<Imported, ImportFailure> {
    if path.is_file() {
        let file = display_name(path);
        let text =
            read_text(path, options, &mut Report::default()).map_err(ImportFailure::from_error)?;
        let raw = hsds::tabular_json_tables(&text, &file).map_err(|errors| {
            let report = Report {
                issues: errors
                    .into_iter()
                    .map(|e| Issue {
                        kind: IssueKind::CsvSyntax,
                        action: Action::Refused,
                        file: e.file,
                        line: e.line,
                        column: e.column,
                        column_name: String::new(),
                        message: e.message,
                    })
                    .collect(),
                quarantined: vec![],
            };
            failure(report)
        })?;
        return finish(raw, None, options, Report::default());
    }
    import_dir(path, options)
}

/// Imports a tabular data package folder.
pub fn import_dir(dir: &Path, options: &ImportOptions) -> Result<Imported, ImportFailure> {
    let mut report = Report::default();
    let (files, declared) = package_files(dir, options, &mut report)?;
    let mut raw = Vec::new();
    for path in files {
        let text = read_text(&path, options, &mut report).map_err(ImportFailure::from_error)?;
        if let Some(table) = read_csv_text(&text, &display_name(&path), options, &mut report) {
            raw.push(table);
        }
    }
    finish(raw, declared, options, report)
}

fn finish(
    mut raw: Vec<RawTable>,
    declared: Option<String>,
    options: &ImportOptions,
    mut report: Report,
) -> Result<Imported, ImportFailure> {
    let version = detect_version(declared.as_deref(), &raw);
    if options.lenient {
        tidy_values(&mut raw, &mut report);
        ids(&mut raw, &mut report);
    }
    let aliases = if version == HsdsVersion::V3_0 {
        BTreeMap::new()
    } else {
        upgrade::old_ids(&raw)
    };
    let raw = upgrade::upgrade(raw, version, options, &mut report);
    let data = assemble_with(raw, options, &mut report, &aliases);
    if report.refused().next().is_some() {
        return Err(failure(report));
    }
    Ok(Imported {
        data,
        version,
        report,
    })
}

pub(crate) fn failure(report: Report) -> ImportFailure {
    let first = report.refused().next().map_or(String::new(), |i| {
        format!("{}:{}:{}: {}", i.file, i.line, i.column, i.message)
    });
    ImportFailure {
        error: ImportError::Invalid {
            count: report.refused().count(),
            first,
        },
        report,
    }
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The CSV files to read, and the HSDS version the descriptor declares.
fn package_files(
    dir: &Path,
    options: &ImportOptions,
    report: &mut Report,
) -> Result<(Vec<PathBuf>, Option<String>), ImportFailure> {
    let descriptor_path = dir.join("datapackage.json");
    let descriptor: Option<serde_json::Value> = std::fs::read_to_string(&descriptor_path)
        .ok()
        // HSDS's own example ships a dangling link here: only a JSON descriptor counts.
        .and_then(|t| serde_json::from_str(&t).ok());
    let resources = descriptor
        .as_ref()
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.as_array());
    let Some(resources) = resources else {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| {
                ImportFailure::from_error(ImportError::Unreadable {
                    file: dir.display().to_string(),
                    detail: e.to_string(),
                })
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .collect();
        files.sort();
        return Ok((files, None));
    };
    let declared = descriptor
        .as_ref()
        .and_then(|d| d.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let mut files = Vec::new();
    for r in resources {
        let file = r.get("path").and_then(|p| p.as_str()).unwrap_or("");
        let inside = !file.is_empty()
            && !file.contains("..")
            && !file.starts_with('/')
            && !file.contains("://")
            && file.ends_with(".csv");
        if !inside {
            report.push(Issue {
                kind: IssueKind::MissingFile,
                action: Action::Refused,
                file: "datapackage.json".into(),
                line: 0,
                column: 0,
                column_name: String::new(),
                message: format!("resource path '{file}' is not a CSV file in this package"),
            });
            return Err(failure(std::mem::take(report)));
        }
        let path = dir.join(file);
        if path.is_file() {
            files.push(path);
            continue;
        }
        // A descriptor pointing into a folder that was not shipped: the file may sit beside it.
        let beside = dir.join(Path::new(file).file_name().unwrap_or_default());
        if options.lenient && beside.is_file() {
            report.push(Issue {
                kind: IssueKind::MissingFile,
                action: Action::Fixed,
                file: "datapackage.json".into(),
                line: 0,
                column: 0,
                column_name: String::new(),
                message: format!(
                    "'{file}' is not there; read '{}' beside datapackage.json instead",
                    display_name(&beside)
                ),
            });
            files.push(beside);
        } else if options.lenient {
            report.push(Issue {
                kind: IssueKind::MissingFile,
                action: Action::Quarantined,
                file: "datapackage.json".into(),
                line: 0,
                column: 0,
                column_name: String::new(),
                message: format!("'{file}' is listed but not there: skipped"),
            });
        } else {
            return Err(ImportFailure {
                error: ImportError::MissingFile { file: file.into() },
                report: std::mem::take(report),
            });
        }
    }
    files.sort();
    files.dedup();
    Ok((files, declared))
}

/// Reads a file as UTF-8 text: refused above [`MAX_FILE_BYTES`]; another
/// encoding is refused, or in lenient mode read as Windows-1252 and reported.
pub(crate) fn read_text(
    path: &Path,
    options: &ImportOptions,
    report: &mut Report,
) -> Result<String, ImportError> {
    let file = display_name(path);
    let bytes = read_bytes(path, MAX_FILE_BYTES)?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64
                + 1;
            if !options.lenient {
                return Err(ImportError::NotUtf8 { file, line });
            }
            report.push(Issue {
                kind: IssueKind::OtherEncoding,
                action: Action::Fixed,
                file,
                line,
                column: 0,
                column_name: String::new(),
                message: "not UTF-8: read as Windows-1252".into(),
            });
            Ok(encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned())
        }
    }
}

/// Reads a whole file, refusing it first if it is larger than `limit`.
pub(crate) fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let file = display_name(path);
    let unreadable = |e: std::io::Error| ImportError::Unreadable {
        file: file.clone(),
        detail: e.to_string(),
    };
    let bytes = std::fs::metadata(path).map_err(unreadable)?.len();
    if bytes > limit {
        return Err(ImportError::TooLarge { file, bytes, limit });
    }
    std::fs::read(path).map_err(unreadable)
}

/// Parses CSV text into a raw table; a malformed line is refused, or quarantined when lenient.
pub(crate) fn read_csv_text(
    text: &str,
    file: &str,
    options: &ImportOptions,
    report: &mut Report,
) -> Option<RawTable> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let issue = |line: u64, message: String| Issue {
        kind: IssueKind::CsvSyntax,
        action: if options.lenient {
            Action::Quarantined
        } else {
            Action::Refused
        },
        file: file.to_owned(),
        line,
        column: 0,
        column_name: String::new(),
        message,
    };
    let columns: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            report.push(issue(1, e.to_string()));
            return None;
        }
    };
    // Lines from byte offsets: the csv crate's own line count differs between LF and CRLF files.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    // In a CRLF file a record may be said to start at the previous line's `\n`.
    let line_at = |byte: u64| newlines.partition_point(|&n| (n as u64) <= byte) as u64 + 1;
    let mut records = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => records.push((
                r.position().map(|p| line_at(p.byte())).unwrap_or(0),
                r.iter().map(str::to_owned).collect(),
            )),
            Err(e) => report.push(issue(
                e.position().map(|p| line_at(p.byte())).unwrap_or(0),
                e.to_string(),
            )),
        }
    }
    Some(RawTable {
        file: file.to_owned(),
        source: file.to_owned(),
        origin: (1..=columns.len()).collect(),
        numeric: hsds::table_for_file(file)
            .map(|t| hsds::numeric_columns(&t))
            .unwrap_or_default()
            .into_iter()
            .filter(|c| columns.contains(c))
            .collect(),
        columns,
        records,
    })
}

/// The version a package declares, or the one its file and column names show.
pub(crate) fn detect_version(declared: Option<&str>, raw: &[RawTable]) -> HsdsVersion {
    match declared.map(|v| v.trim_start_matches('v')) {
        Some(v) if v.starts_with("1.") => return HsdsVersion::V1_1,
        Some(v) if v.starts_with("2.") => return HsdsVersion::V2_0,
        Some(v) if v.starts_with("3.") => return HsdsVersion::V3_0,
        _ => {}
    }
    let has = |file: &str| raw.iter().any(|t| t.source == file);
    let has_column = |file: &str, column: &str| {
        raw.iter()
            .any(|t| t.source == file && t.columns.iter().any(|c| c == column))
    };
    if has("services_taxonomy.csv")
        || has("service_taxonomy.csv")
        || has("regular_schedules.csv")
        || has("holiday_schedules.csv")
        || has("taxonomy.csv")
        || has_column("schedules.csv", "weekday")
    {
        HsdsVersion::V1_1
    } else if has("service_attributes.csv")
        || has("other_attributes.csv")
        || has("physical_addresses.csv")
        || has("postal_addresses.csv")
        || has("services_at_location.csv")
        || has("accessibility_for_disabilities.csv")
        || has_column("taxonomy_terms.csv", "term")
    {
        HsdsVersion::V2_0
    } else {
        HsdsVersion::V3_0
    }
}

/// Lenient fixes to single values, each recorded.
pub(crate) fn tidy_values(raw: &mut [RawTable], report: &mut Report) {
    // Words seen intact anywhere settle repairs the code-page tables leave open.
    let mut vocabulary = BTreeSet::new();
    for t in raw.iter() {
        for (_, values) in &t.records {
            for v in values {
                if tidy::repair_mojibake(v, &BTreeSet::new()).is_none() {
                    vocabulary.extend(tidy::words(v));
                }
            }
        }
    }
    for t in raw.iter_mut() {
        let mut issues = Vec::new();
        for (line, values) in &mut t.records {
            for (i, value) in values.iter_mut().enumerate() {
                let column = t.columns.get(i).map(String::as_str).unwrap_or("");
                let mut v = std::mem::take(value);
                let mut found: Vec<(IssueKind, Action, String)> = Vec::new();
                if v.trim() != v {
                    v = v.trim().to_owned();
                    found.push((
                        IssueKind::Trimmed,
                        Action::Fixed,
                        "spaces around the value removed".into(),
                    ));
                }
                if let Some(new) = tidy::literal_newlines(&v) {
                    v = new;
                    found.push((
                        IssueKind::LiteralNewline,
                        Action::Fixed,
                        "literal \\n turned into a line break".into(),
                    ));
                }
                if let Some(repair) = tidy::repair_mojibake(&v, &vocabulary) {
                    let message = format!(
                        "'{}' → '{}' (UTF-8 read as a DOS code page{})",
                        v,
                        repair.text,
                        if repair.by_vocabulary {
                            "; the word appears intact elsewhere in the data"
                        } else {
                            ""
                        }
                    );
                    v = repair.text;
                    found.push((IssueKind::Mojibake, Action::Fixed, message));
                } else if !v.is_ascii() && looks_damaged(&v) {
                    found.push((
                        IssueKind::Mojibake,
                        Action::Kept,
                        format!("'{v}' looks damaged but cannot be restored with certainty: kept as it is"),
                    ));
                }
                if matches!(column, "opens_at" | "closes_at")
                    && let Some(new) = tidy::twelve_hour_time(&v)
                {
                    found.push((
                        IssueKind::TwelveHourTime,
                        Action::Fixed,
                        format!("'{v}' → '{new}'"),
                    ));
                    v = new;
                }
                *value = v;
                issues.extend(found.into_iter().map(|(k, a, m)| (k, a, *line, i, m)));
            }
        }
        for (kind, action, line, col, message) in issues {
            report.push(t.issue(kind, action, line, Some(col), message));
        }
    }
}

/// Box-drawing characters next to letters: what a DOS code page leaves behind.
fn looks_damaged(value: &str) -> bool {
    value
        .chars()
        .any(|c| ('\u{2500}'..='\u{25a0}').contains(&c) || c == '¦')
}

/// Lenient: rows without an id get one derived from their content; a
/// repeated id keeps its first row and quarantines the others.
fn ids(raw: &mut [RawTable], report: &mut Report) {
    for t in raw.iter_mut() {
        let Some(id_col) = t.col("id") else { continue };
        let mut seen = BTreeSet::new();
        let mut kept = Vec::new();
        for (line, mut values) in std::mem::take(&mut t.records) {
            if values.get(id_col).is_none_or(String::is_empty) {
                let id =
                    upgrade::derived_uuid(&format!("{}/row/{}", t.source, values.join("\u{1f}")));
                report.push(t.issue(
                    IssueKind::DerivedId,
                    Action::Fixed,
                    line,
                    Some(id_col),
                    format!("no id: derived {id} from the row's content"),
                ));
                values.resize(values.len().max(id_col + 1), String::new());
                values[id_col] = id;
            }
            if !seen.insert(values[id_col].clone()) {
                let id = values[id_col].clone();
                report.push(t.issue(
                    IssueKind::DuplicateId,
                    Action::Quarantined,
                    line,
                    Some(id_col),
                    format!("duplicate id '{id}': the first row with it is kept"),
                ));
                report.quarantined.push(QuarantinedRow {
                    file: t.source.clone(),
                    line,
                    columns: t.columns.clone(),
                    values,
                    reason: IssueKind::DuplicateId.code().into(),
                });
                continue;
            }
            kept.push((line, values));
        }
        t.records = kept;
    }
}

/// Checks tables read in any form and builds the data. Strict: every problem
/// is refused. Lenient: rows that cannot be kept are quarantined, then rows
/// that pointed at them, until none is left dangling.
pub(crate) fn assemble(
    raw: Vec<RawTable>,
    options: &ImportOptions,
    report: &mut Report,
) -> HsdsData {
    assemble_with(raw, options, report, &BTreeMap::new())
}

/// [`assemble`], naming upgraded ids by the ids the publisher wrote (`aliases`: new → old).
fn assemble_with(
    raw: Vec<RawTable>,
    options: &ImportOptions,
    report: &mut Report,
    aliases: &BTreeMap<String, String>,
) -> HsdsData {
    let lenient = options.lenient;
    let bad = if lenient {
        Action::Quarantined
    } else {
        Action::Refused
    };
    let schema = hsds::schema();
    let mut data = HsdsData::default();
    // Where each row came from: (table index in `raw`, record line).
    struct Origin {
        table: usize,
        line: u64,
        values: Vec<String>,
    }
    let mut origins: Vec<Origin> = Vec::new();
    let mut tables: Vec<RawTable> = Vec::new();
    for mut t in raw {
        let Some(table) = hsds::table_for_file(&t.file) else {
            report.push(t.issue(
                IssueKind::UnknownTable,
                bad,
                0,
                None,
                "not an HSDS 3.0 table".into(),
            ));
            continue;
        };
        let known = &schema[&table];
        for (name, required) in known {
            if *required && t.col(name).is_none() {
                if lenient && table == "service" && name == "status" {
                    // Filled per row below, each noted.
                    t.columns.push("status".into());
                    t.origin.push(0);
                    continue;
                }
                report.push(t.issue(
                    IssueKind::MissingColumn,
                    bad,
                    1,
                    None,
                    format!("required column '{name}' is missing"),
                ));
            }
        }
        let index = tables.len();
        let Some(id_col) = t.col("id") else {
            tables.push(t);
            continue;
        };
        let mut ids_here = BTreeSet::new();
        for (line, mut values) in std::mem::take(&mut t.records) {
            values.resize(t.columns.len(), String::new());
            let mut problems: Vec<(IssueKind, usize, String)> = Vec::new();
            let id = values[id_col].clone();
            if id.is_empty() {
                problems.push((IssueKind::RequiredMissing, id_col, "id is empty".into()));
            }
            for (i, column) in t.columns.iter().enumerate() {
                let value = &values[i];
                if let Some((kind, problem)) = check_value(&table, column, value) {
                    problems.push((kind, i, problem));
                }
                let required = known.iter().any(|(n, req)| n == column && *req);
                if required && value.is_empty() && column != "id" {
                    if lenient && table == "service" && column == "status" {
                        continue;
                    }
                    // Many addresses in the region have no postal code or province:
                    // a service must not be lost for it.
                    if table == "address"
                        && matches!(column.as_str(), "postal_code" | "state_province")
                    {
                        report.push(t.issue(
                            IssueKind::RequiredMissing,
                            Action::Kept,
                            line,
                            Some(i),
                            format!("'{column}' is blank: kept blank"),
                        ));
                        continue;
                    }
                    problems.push((
                        IssueKind::RequiredMissing,
                        i,
                        format!("'{column}' is required"),
                    ));
                }
            }
            if !id.is_empty() && !ids_here.insert(id.clone()) {
                problems.push((
                    IssueKind::DuplicateId,
                    id_col,
                    format!("duplicate id '{id}'"),
                ));
            }
            if lenient
                && table == "service"
                && let Some(c) = t.col("status")
                && values[c].is_empty()
                && problems.is_empty()
            {
                values[c] = "active".into();
                report.push(t.issue(
                    IssueKind::BlankStatus,
                    Action::Fixed,
                    line,
                    Some(c),
                    "status was blank: set to 'active' (check it)".into(),
                ));
            }
            if !problems.is_empty() {
                let reason = problems[0].0.code().to_owned();
                for (kind, col, message) in problems {
                    report.push(t.issue(kind, bad, line, Some(col), message));
                }
                if lenient {
                    report.quarantined.push(QuarantinedRow {
                        file: t.source.clone(),
                        line,
                        columns: t.columns.clone(),
                        values,
                        reason,
                    });
                    continue;
                }
            }
            let fields = t
                .columns
                .iter()
                .cloned()
                .zip(values.iter().cloned())
                .collect();
            data.rows.push(HsdsRow {
                table: table.clone(),
                id,
                fields,
            });
            origins.push(Origin {
                table: index,
                line,
                values,
            });
        }
        tables.push(t);
    }

    // References, to a fixpoint: a quarantined row may leave others dangling.
    let mut reported: BTreeSet<(usize, usize, &str)> = BTreeSet::new();
    let mut alive = vec![true; data.rows.len()];
    let mut unlinked = Vec::new();
    loop {
        let ids: BTreeSet<(&str, &str)> = data
            .rows
            .iter()
            .zip(&alive)
            .filter(|(_, a)| **a)
            .map(|(r, _)| (r.table.as_str(), r.id.as_str()))
            .collect();
        let mut dropped = Vec::new();
        for (n, row) in data.rows.iter().enumerate().filter(|(n, _)| alive[*n]) {
            let origin = &origins[n];
            let t = &tables[origin.table];
            for (refs, hard) in [
                (hsds::HARD_REFERENCES, true),
                (hsds::SOFT_REFERENCES, false),
            ] {
                for (table, column, target) in refs.iter().filter(|(t, _, _)| *t == row.table) {
                    let Some(value) = row.get(column) else {
                        continue;
                    };
                    if ids.contains(&(*target, value)) || !reported.insert((n, 0, column)) {
                        continue;
                    }
                    let message = match aliases.get(value) {
                        Some(old) => format!(
                            "{table}.{column} '{old}' (now {value}) has no matching {target}"
                        ),
                        None => format!("{table}.{column} '{value}' has no matching {target}"),
                    };
                    let col = t.col(column);
                    if !hard {
                        report.push(t.issue(
                            IssueKind::SoftReference,
                            Action::Kept,
                            origin.line,
                            col,
                            message,
                        ));
                    } else if lenient && *column == "organization_id" && *table == "service" {
                        report.push(t.issue(
                            IssueKind::DanglingOrganization,
                            Action::Kept,
                            origin.line,
                            col,
                            format!("{message}: the service is kept, without the link (the old value is here)"),
                        ));
                        unlinked.push(n);
                    } else {
                        report.push(t.issue(
                            IssueKind::DanglingReference,
                            bad,
                            origin.line,
                            col,
                            message,
                        ));
                        if lenient {
                            dropped.push(n);
                        }
                    }
                }
            }
            if row.table == "location" && reported.insert((n, 1, "coordinates")) {
                for axis in ["latitude", "longitude"] {
                    let limit = if axis == "latitude" { 90.0 } else { 180.0 };
                    if row
                        .get(axis)
                        .and_then(|v| v.parse::<f64>().ok())
                        .is_some_and(|v| v.abs() > limit)
                    {
                        report.push(t.issue(
                            IssueKind::OutOfRange,
                            Action::Kept,
                            origin.line,
                            t.col(axis),
                            format!("{axis} out of range: kept, but this location is not placed on the map"),
                        ));
                    }
                }
            }
        }
        if dropped.is_empty() {
            break;
        }
        for n in dropped {
            alive[n] = false;
            let origin = &origins[n];
            let t = &tables[origin.table];
            report.quarantined.push(QuarantinedRow {
                file: t.source.clone(),
                line: origin.line,
                columns: t.columns.clone(),
                values: origin.values.clone(),
                reason: IssueKind::DanglingReference.code().into(),
            });
        }
    }
    // A kept service must still build: its dangling organisation link is cleared.
    for n in unlinked {
        data.rows[n]
            .fields
            .insert("organization_id".into(), String::new());
    }
    let mut n = 0;
    data.rows.retain(|_| {
        n += 1;
        alive[n - 1]
    });

    // One table per HSDS table; tables made from several files (postal and
    // physical addresses) take the union of their columns.
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for t in tables {
        let name = hsds::table_for_file(&t.file).expect("checked above");
        match by_name.get(&name) {
            Some(&i) => {
                let existing: &mut HsdsTable = &mut data.tables[i];
                for c in t.columns {
                    if !existing.columns.contains(&c) {
                        existing.columns.push(c);
                    }
                }
            }
            None => {
                by_name.insert(name.clone(), data.tables.len());
                data.tables.push(HsdsTable {
                    name,
                    file: t.file,
                    columns: t.columns,
                    numeric: t.numeric,
                });
            }
        }
    }
    // Every row carries every column of its table, as a CSV read would give.
    for row in &mut data.rows {
        if let Some(&i) = by_name.get(&row.table) {
            for c in &data.tables[i].columns {
                row.fields.entry(c.clone()).or_default();
            }
        }
    }
    data
}

/// Type checks on the values Senda relies on.
fn check_value(table: &str, column: &str, value: &str) -> Option<(IssueKind, String)> {
    if value.is_empty() {
        return None;
    }
    let numeric = matches!(
        (table, column),
        ("location", "latitude" | "longitude") | ("service", "minimum_age" | "maximum_age")
    );
    if numeric && value.parse::<f64>().map(f64::is_finite) != Ok(true) {
        return Some((
            IssueKind::NotANumber,
            format!("'{column}' must be a number, not '{value}'"),
        ));
    }
    if hsds::DATE_COLUMNS.contains(&(table, column)) && !is_date(value) {
        return Some((
            IssueKind::NotADate,
            format!("'{column}' must be a date (YYYY-MM-DD), not '{value}'"),
        ));
    }
    None
}

fn is_date(value: &str) -> bool {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()
        || chrono::DateTime::parse_from_rfc3339(value).is_ok()
        || chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S").is_ok()
}
