//! What an import did to each value and row: a short summary for the
//! console (counts per kind, a few examples each, never one line per row),
//! and the full list as CSV and as a readable HTML page, with the rows kept
//! out (quarantined) in their own CSV files.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The kinds of problem an import meets. One code each, used in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueKind {
    Trimmed,
    TwelveHourTime,
    LiteralNewline,
    Mojibake,
    OtherEncoding,
    BlankStatus,
    DerivedId,
    DuplicateId,
    DanglingOrganization,
    DanglingReference,
    SoftReference,
    RequiredMissing,
    MissingColumn,
    NotANumber,
    NotADate,
    OutOfRange,
    MissingFile,
    UnknownTable,
    CsvSyntax,
    BadTransform,
    BadValue,
}

impl IssueKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Trimmed => "trimmed",
            Self::TwelveHourTime => "twelve-hour-time",
            Self::LiteralNewline => "literal-newline",
            Self::Mojibake => "mojibake",
            Self::OtherEncoding => "other-encoding",
            Self::BlankStatus => "blank-status",
            Self::DerivedId => "derived-id",
            Self::DuplicateId => "duplicate-id",
            Self::DanglingOrganization => "dangling-organization",
            Self::DanglingReference => "dangling-reference",
            Self::SoftReference => "soft-reference",
            Self::RequiredMissing => "required-missing",
            Self::MissingColumn => "missing-column",
            Self::NotANumber => "not-a-number",
            Self::NotADate => "not-a-date",
            Self::OutOfRange => "out-of-range",
            Self::MissingFile => "missing-file",
            Self::UnknownTable => "unknown-table",
            Self::CsvSyntax => "csv-syntax",
            Self::BadTransform => "bad-transform",
            Self::BadValue => "bad-value",
        }
    }
}

/// What happened to the value or row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Changed, and the change is recorded here.
    Fixed,
    /// Kept as it was, with a warning.
    Kept,
    /// Left out of the import; the row is in the quarantine files.
    Quarantined,
    /// Stops a strict import (nothing is imported).
    Refused,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::Kept => "kept",
            Self::Quarantined => "quarantined",
            Self::Refused => "refused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub kind: IssueKind,
    pub action: Action,
    /// The file as given (not the HSDS 3.0 file it became).
    pub file: String,
    /// 1-based; 1 is the header; 0 when the whole file is at fault.
    pub line: u64,
    /// 1-based; 0 when the whole line is at fault.
    pub column: usize,
    pub column_name: String,
    pub message: String,
}

/// A row left out, with its values as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantinedRow {
    pub file: String,
    pub line: u64,
    pub columns: Vec<String>,
    pub values: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    pub issues: Vec<Issue>,
    pub quarantined: Vec<QuarantinedRow>,
}

impl Report {
    pub fn push(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    pub fn count(&self, kind: IssueKind) -> usize {
        self.issues.iter().filter(|i| i.kind == kind).count()
    }

    pub fn refused(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.action == Action::Refused)
    }

    /// Counts per kind and action, with the first `examples` of each.
    pub fn summary(&self, examples: usize) -> String {
        if self.issues.is_empty() {
            return "No problems found.\n".into();
        }
        let mut groups: BTreeMap<(Action, IssueKind), Vec<&Issue>> = BTreeMap::new();
        for issue in &self.issues {
            groups
                .entry((issue.action, issue.kind))
                .or_default()
                .push(issue);
        }
        let mut out = String::new();
        for ((action, kind), issues) in groups.iter().rev() {
            out.push_str(&format!(
                "{:>7} {} ({})\n",
                issues.len(),
                kind.code(),
                action.code()
            ));
            for i in issues.iter().take(examples) {
                out.push_str(&format!(
                    "          {}:{}:{} {}\n",
                    i.file, i.line, i.column, i.message
                ));
            }
            if issues.len() > examples {
                out.push_str(&format!(
                    "          … and {} more\n",
                    issues.len() - examples
                ));
            }
        }
        out
    }

    /// `report.csv`, `report.html` and `quarantine/<file>` in `dir`.
    pub fn write_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut w = csv::Writer::from_path(dir.join("report.csv"))?;
        w.write_record([
            "kind",
            "action",
            "file",
            "line",
            "column",
            "column_name",
            "message",
        ])?;
        for i in &self.issues {
            w.write_record([
                i.kind.code(),
                i.action.code(),
                &i.file,
                &i.line.to_string(),
                &i.column.to_string(),
                &i.column_name,
                &i.message,
            ])?;
        }
        w.flush()?;
        let quarantine = dir.join("quarantine");
        let mut by_file: BTreeMap<&str, Vec<&QuarantinedRow>> = BTreeMap::new();
        for row in &self.quarantined {
            by_file.entry(&row.file).or_default().push(row);
        }
        if !by_file.is_empty() {
            std::fs::create_dir_all(&quarantine)?;
        }
        for (file, rows) in by_file {
            let name = Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "rows.csv".into());
            let mut w = csv::Writer::from_path(quarantine.join(name))?;
            let mut header = vec!["_line".to_owned(), "_reason".to_owned()];
            header.extend(rows[0].columns.iter().cloned());
            w.write_record(&header)?;
            for r in rows {
                let mut record = vec![r.line.to_string(), r.reason.clone()];
                record.extend(r.values.iter().cloned());
                record.resize(header.len(), String::new());
                w.write_record(&record)?;
            }
            w.flush()?;
        }
        std::fs::write(dir.join("report.html"), self.html())
    }

    /// A page a person can read: the summary table, then every issue by kind.
    pub fn html(&self) -> String {
        use html_escape::encode_text as e;
        let mut groups: BTreeMap<(Action, IssueKind), Vec<&Issue>> = BTreeMap::new();
        for issue in &self.issues {
            groups
                .entry((issue.action, issue.kind))
                .or_default()
                .push(issue);
        }
        let mut out = String::from(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Import report</title><style>body{font-family:sans-serif;margin:2em}\
             table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;\
             text-align:left}.refused,.quarantined{color:#a00}.fixed{color:#060}</style>\
             </head><body>\n<h1>Import report</h1>\n",
        );
        out.push_str(&format!(
            "<p>{} problems; {} rows quarantined.</p>\n<table><tr><th>Kind</th><th>What was done</th><th>Count</th></tr>\n",
            self.issues.len(),
            self.quarantined.len()
        ));
        for ((action, kind), issues) in groups.iter().rev() {
            out.push_str(&format!(
                "<tr><td><a href=\"#{k}-{a}\">{k}</a></td><td class=\"{a}\">{a}</td><td>{n}</td></tr>\n",
                k = kind.code(),
                a = action.code(),
                n = issues.len()
            ));
        }
        out.push_str("</table>\n");
        for ((action, kind), issues) in groups.iter().rev() {
            out.push_str(&format!(
                "<h2 id=\"{k}-{a}\">{k} ({a})</h2>\n<table><tr><th>File</th><th>Line</th><th>Column</th><th>Message</th></tr>\n",
                k = kind.code(),
                a = action.code()
            ));
            for i in issues {
                let column = if i.column_name.is_empty() {
                    i.column.to_string()
                } else {
                    format!("{} ({})", i.column, i.column_name)
                };
                out.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    e(&i.file),
                    i.line,
                    e(&column),
                    e(&i.message)
                ));
            }
            out.push_str("</table>\n");
        }
        out.push_str("</body></html>\n");
        out
    }
}
