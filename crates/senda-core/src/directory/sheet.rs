//! Directories from "who does what where" (4W) spreadsheets: a CSV or
//! `.xlsx` sheet and a small TOML mapping (column → HSDS field, with
//! transforms) become HSDS 3.0 rows, checked and reported like any import.
//!
//! ```toml
//! source = "4w-cucuta-2026"               # names the sheet in derived ids
//! [organization]
//! name = { column = "Organización" }
//! [service]
//! name = { column = "Actividad" }
//! status = { value = "active" }
//! [location]
//! latitude = { column = "Lat", transforms = ["decimal-comma"] }
//! [schedule]
//! byday = { column = "Días", transforms = ["weekdays"] }
//! [categories]
//! column = "Sector"
//! split = ";"
//! transforms = ["slug", "prefix:senda-cat:"]
//! ```
//!
//! One row is one service: its organisation and location are shared by every
//! row that names the same ones; phone, address and schedule rows are made
//! only when the row has them. docs/hsds-mapping.md lists the transforms.

use super::import::{
    self, HsdsVersion, ImportError, ImportFailure, ImportOptions, Imported, RawTable,
};
use super::report::Report;
use super::upgrade::derived_uuid;
use super::{tidy, upgrade};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Field {
    column: Option<String>,
    value: Option<String>,
    #[serde(default)]
    transforms: Vec<String>,
    /// For `map` transforms: value as written → value wanted.
    #[serde(default)]
    map: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Categories {
    column: String,
    #[serde(default)]
    split: Option<String>,
    #[serde(default)]
    transforms: Vec<String>,
    #[serde(default)]
    map: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    /// Names the sheet in derived ids, so a re-import gives the same ids.
    source: String,
    #[serde(default)]
    organization: BTreeMap<String, Field>,
    #[serde(default)]
    service: BTreeMap<String, Field>,
    #[serde(default)]
    location: BTreeMap<String, Field>,
    #[serde(default)]
    address: BTreeMap<String, Field>,
    #[serde(default)]
    phone: BTreeMap<String, Field>,
    #[serde(default)]
    schedule: BTreeMap<String, Field>,
    #[serde(default)]
    categories: Option<Categories>,
}

const TRANSFORMS: &[&str] = &[
    "lowercase",
    "uppercase",
    "decimal-comma",
    "time",
    "weekdays",
    "slug",
    "map",
    "digits",
];

/// Imports a sheet with its mapping into HSDS 3.0.
pub fn import_sheet(
    sheet: &Path,
    mapping: &Path,
    sheet_name: Option<&str>,
    options: &ImportOptions,
) -> Result<Imported, ImportFailure> {
    let fail = |e: ImportError| ImportFailure {
        error: e,
        report: Report::default(),
    };
    let mapping_file = mapping
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let bad = |detail: String| ImportError::BadMapping {
        file: mapping_file.clone(),
        detail,
    };
    let text = std::fs::read_to_string(mapping).map_err(|e| fail(bad(e.to_string())))?;
    let m: Mapping = toml::from_str(&text).map_err(|e| fail(bad(e.to_string())))?;

    let mut report = Report::default();
    let mut raw = read_sheet(sheet, sheet_name, options, &mut report).map_err(fail)?;
    check_mapping(&m, &raw).map_err(|d| fail(bad(d)))?;
    if options.lenient {
        import::tidy_values(std::slice::from_mut(&mut raw), &mut report);
    }
    let mut unreadable = Vec::new();
    let tables = build(&m, &raw, &mut unreadable);
    for (line, column, field, written) in unreadable {
        report.push(super::report::Issue {
            kind: super::report::IssueKind::BadTransform,
            action: if options.lenient {
                super::report::Action::Fixed
            } else {
                super::report::Action::Refused
            },
            file: raw.source.clone(),
            line,
            column,
            column_name: raw
                .columns
                .get(column.wrapping_sub(1))
                .cloned()
                .unwrap_or_default(),
            message: format!("'{written}' cannot be read as {field}: left blank"),
        });
    }
    let data = import::assemble(tables, options, &mut report);
    if report.refused().next().is_some() {
        return Err(import::failure(report));
    }
    Ok(Imported {
        data,
        version: HsdsVersion::V3_0,
        report,
    })
}

fn read_sheet(
    path: &Path,
    sheet_name: Option<&str>,
    options: &ImportOptions,
    report: &mut Report,
) -> Result<RawTable, ImportError> {
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let is_xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !is_xlsx {
        let text = import::read_text(path, options, report)?;
        return import::read_csv_text(&text, &file, options, report).ok_or_else(|| {
            ImportError::Unreadable {
                file: file.clone(),
                detail: "the header line cannot be read".into(),
            }
        });
    }
    use calamine::Reader;
    let bytes = import::read_bytes(path, import::MAX_FILE_BYTES)?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| ImportError::NotAWorkbook {
            file: file.clone(),
            detail: e.to_string(),
        })?;
    let name = match sheet_name {
        Some(n) => n.to_owned(),
        None => book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| ImportError::MissingSheet {
                file: file.clone(),
                sheet: "(any)".into(),
            })?,
    };
    if !book.sheet_names().contains(&name) {
        return Err(ImportError::MissingSheet { file, sheet: name });
    }
    let range = book
        .worksheet_range(&name)
        .map_err(|e| ImportError::Unreadable {
            file: file.clone(),
            detail: e.to_string(),
        })?;
    let first = range.start().map_or(0, |(r, _)| r as u64);
    let text = |d: &calamine::Data| match d {
        calamine::Data::Empty => String::new(),
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            format!("{}", *f as i64)
        }
        other => other.to_string(),
    };
    let mut rows = range.rows();
    let columns: Vec<String> = rows.next().unwrap_or_default().iter().map(text).collect();
    let records = rows
        .enumerate()
        .map(|(i, r)| (first + i as u64 + 2, r.iter().map(text).collect()))
        .filter(|(_, v): &(u64, Vec<String>)| v.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(RawTable {
        file: format!("{file}#{name}"),
        source: format!("{file}#{name}"),
        origin: (1..=columns.len()).collect(),
        columns,
        records,
        numeric: vec![],
    })
}

/// Every column the mapping names exists, and every transform is known.
fn check_mapping(m: &Mapping, raw: &RawTable) -> Result<(), String> {
    let fields = [
        ("organization", &m.organization),
        ("service", &m.service),
        ("location", &m.location),
        ("address", &m.address),
        ("phone", &m.phone),
        ("schedule", &m.schedule),
    ];
    let has = |c: &str| raw.columns.iter().any(|h| h.trim() == c);
    let check_transforms = |place: &str, t: &[String]| -> Result<(), String> {
        for t in t {
            if !TRANSFORMS.contains(&t.as_str()) && !t.starts_with("prefix:") {
                return Err(format!(
                    "{place}: unknown transform '{t}' (known: {}, prefix:TEXT)",
                    TRANSFORMS.join(", ")
                ));
            }
        }
        Ok(())
    };
    for (table, f) in fields {
        for (name, spec) in f {
            let place = format!("[{table}] {name}");
            match (&spec.column, &spec.value) {
                (Some(c), None) if !has(c) => {
                    return Err(format!(
                        "{place}: the sheet has no column '{c}' (it has: {})",
                        raw.columns.join(", ")
                    ));
                }
                (Some(_), None) | (None, Some(_)) => {}
                _ => return Err(format!("{place}: give either column or value")),
            }
            check_transforms(&place, &spec.transforms)?;
        }
    }
    if let Some(c) = &m.categories {
        if !has(&c.column) {
            return Err(format!(
                "[categories]: the sheet has no column '{}' (it has: {})",
                c.column,
                raw.columns.join(", ")
            ));
        }
        check_transforms("[categories]", &c.transforms)?;
    }
    if !m.service.contains_key("name") {
        return Err("[service] needs a name".into());
    }
    Ok(())
}

/// Applies a field's transforms; `None` when a transform cannot read the value.
fn transform(value: &str, transforms: &[String], map: &BTreeMap<String, String>) -> Option<String> {
    let mut v = value.trim().to_owned();
    for t in transforms {
        if v.is_empty() {
            break;
        }
        v = match t.as_str() {
            "lowercase" => v.to_lowercase(),
            "uppercase" => v.to_uppercase(),
            "decimal-comma" => v.replace(',', "."),
            "time" => tidy::twelve_hour_time(&v).unwrap_or(v),
            "digits" => v
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
            "weekdays" => weekdays(&v)?,
            "slug" => slug(&v),
            "map" => map.get(&v).cloned().unwrap_or(v),
            p => format!("{}{v}", p.strip_prefix("prefix:").unwrap_or_default()),
        };
    }
    Some(v)
}

/// `Lunes a viernes`, `lunes, miércoles`, `L-V`, `Mon-Fri` → `MO,TU,WE,TH,FR`.
fn weekdays(value: &str) -> Option<String> {
    const DAYS: [(&str, &[&str]); 7] = [
        (
            "MO",
            &["lunes", "lun", "l", "monday", "mon", "mo", "segunda"],
        ),
        (
            "TU",
            &[
                "martes", "mar", "m", "tuesday", "tue", "tu", "terça", "terca",
            ],
        ),
        (
            "WE",
            &[
                "miércoles",
                "miercoles",
                "mié",
                "mie",
                "x",
                "wednesday",
                "wed",
                "we",
                "quarta",
            ],
        ),
        (
            "TH",
            &["jueves", "jue", "j", "thursday", "thu", "th", "quinta"],
        ),
        (
            "FR",
            &["viernes", "vie", "v", "friday", "fri", "fr", "sexta"],
        ),
        (
            "SA",
            &[
                "sábado", "sabado", "sáb", "sab", "s", "saturday", "sat", "sa",
            ],
        ),
        ("SU", &["domingo", "dom", "d", "sunday", "sun", "su"]),
    ];
    let day = |w: &str| {
        let w = w.trim().trim_end_matches('.').to_lowercase();
        DAYS.iter()
            .position(|(_, names)| names.contains(&w.as_str()))
    };
    let v = value.trim().to_lowercase();
    if matches!(
        v.as_str(),
        "todos los días" | "todos los dias" | "diario" | "daily" | "every day" | "todos os dias"
    ) {
        return Some(DAYS.iter().map(|(d, _)| *d).collect::<Vec<_>>().join(","));
    }
    let v = v
        .replace(" a ", "-")
        .replace(" al ", "-")
        .replace(" to ", "-")
        .replace('–', "-");
    let mut out: Vec<usize> = Vec::new();
    for part in v.split([',', ';', '/', '&']).flat_map(|p| p.split(" y ")) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (day(a)?, day(b)?);
            if a > b {
                return None;
            }
            out.extend(a..=b);
        } else {
            out.push(day(part)?);
        }
    }
    out.sort();
    out.dedup();
    (!out.is_empty()).then(|| out.iter().map(|d| DAYS[*d].0).collect::<Vec<_>>().join(","))
}

/// `Protección de la niñez` → `proteccion-de-la-ninez`.
fn slug(value: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = value
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// A table under construction, with each column's sheet column for the report.
struct Out {
    t: RawTable,
    seen: BTreeMap<String, ()>,
}

impl Out {
    fn new(raw: &RawTable, file: &str) -> Self {
        Self {
            t: RawTable {
                file: file.into(),
                source: raw.source.clone(),
                columns: vec!["id".into()],
                origin: vec![0],
                records: vec![],
                numeric: vec![],
            },
            seen: BTreeMap::new(),
        }
    }
    fn col(&mut self, name: &str, origin: usize) -> usize {
        match self.t.col(name) {
            Some(i) => i,
            None => {
                self.t.columns.push(name.into());
                self.t.origin.push(origin);
                self.t.columns.len() - 1
            }
        }
    }
    /// Adds a row unless one with this id was added already.
    fn add(&mut self, line: u64, id: &str, fields: &[(String, String, usize)]) {
        if self.seen.insert(id.to_owned(), ()).is_some() {
            return;
        }
        let mut values = vec![id.to_owned()];
        for (name, value, origin) in fields {
            let c = self.col(name, *origin);
            values.resize(self.t.columns.len(), String::new());
            values[c] = value.clone();
        }
        self.t.records.push((line, values));
    }
    fn done(mut self) -> Option<RawTable> {
        let width = self.t.columns.len();
        for (_, v) in &mut self.t.records {
            v.resize(width, String::new());
        }
        (!self.t.records.is_empty()).then_some(self.t)
    }
}

/// (line, sheet column, field, value as written) of values a transform could not read.
type Unreadable = Vec<(u64, usize, String, String)>;

fn build(m: &Mapping, raw: &RawTable, unreadable: &mut Unreadable) -> Vec<RawTable> {
    let failed = std::cell::RefCell::new(Vec::new());
    let column = |name: &str| raw.columns.iter().position(|h| h.trim() == name);
    // (field, value, sheet column) for one table of one row; a value a
    // transform cannot read is left blank and reported.
    let values = |spec: &BTreeMap<String, Field>,
                  line: u64,
                  row: &[String]|
     -> Vec<(String, String, usize)> {
        spec.iter()
            .map(|(name, f)| {
                let (written, origin) = match (&f.column, &f.value) {
                    (Some(c), _) => {
                        let i = column(c).expect("checked");
                        (row.get(i).cloned().unwrap_or_default(), i + 1)
                    }
                    (_, Some(v)) => (v.clone(), 0),
                    _ => (String::new(), 0),
                };
                let v = transform(&written, &f.transforms, &f.map).unwrap_or_else(|| {
                    failed
                        .borrow_mut()
                        .push((line, origin, name.clone(), written.clone()));
                    String::new()
                });
                (name.clone(), v, origin)
            })
            .collect()
    };
    let get = |fields: &[(String, String, usize)], name: &str| {
        fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.clone())
            .unwrap_or_default()
    };
    let id = |kind: &str, key: &str| derived_uuid(&format!("sheet/{}/{kind}/{key}", m.source));

    let mut orgs = Out::new(raw, "organizations.csv");
    let mut services = Out::new(raw, "services.csv");
    let mut locations = Out::new(raw, "locations.csv");
    let mut sal = Out::new(raw, "service_at_location.csv");
    let mut addresses = Out::new(raw, "addresses.csv");
    let mut phones = Out::new(raw, "phones.csv");
    let mut schedules = Out::new(raw, "schedules.csv");
    let mut attributes = Out::new(raw, "attributes.csv");
    let mut terms = Out::new(raw, "taxonomy_terms.csv");
    let mut taxonomies = Out::new(raw, "taxonomies.csv");
    let taxonomy_id = id("taxonomy", "categories");

    for (line, row) in &raw.records {
        let line = *line;
        let mut org = values(&m.organization, line, row);
        let org_id = if get(&org, "name").is_empty() {
            String::new()
        } else {
            let org_id = id("organization", &get(&org, "name").to_lowercase());
            if get(&org, "description").is_empty() {
                let name = get(&org, "name");
                org.push(("description".into(), name, 0));
            }
            orgs.add(line, &org_id, &org);
            org_id
        };

        let mut service = values(&m.service, line, row);
        // The row's own id if the sheet has one, else the row's content: stable on re-import.
        let key = match get(&service, "id") {
            k if !k.is_empty() => k,
            _ => row.join("\u{1f}"),
        };
        let service_id = upgrade::new_id("service", &id("service", &key));
        service.retain(|(n, _, _)| n != "id");
        service.push(("organization_id".into(), org_id, 0));
        if !m.service.contains_key("status") {
            service.push(("status".into(), String::new(), 0));
        }
        services.add(line, &service_id, &service);

        let mut location = values(&m.location, line, row);
        let address = values(&m.address, line, row);
        if location.iter().any(|(_, v, _)| !v.is_empty()) {
            let key: Vec<String> = location.iter().map(|(_, v, _)| v.to_lowercase()).collect();
            let location_id = id("location", &key.join("/"));
            if get(&location, "location_type").is_empty() {
                let placed = !get(&location, "latitude").is_empty()
                    || !get(&address, "address_1").is_empty();
                location.push((
                    "location_type".into(),
                    if placed { "physical" } else { "virtual" }.into(),
                    0,
                ));
            }
            locations.add(line, &location_id, &location);
            sal.add(
                line,
                &id(
                    "service_at_location",
                    &format!("{service_id}/{location_id}"),
                ),
                &[
                    ("service_id".into(), service_id.clone(), 0),
                    ("location_id".into(), location_id.clone(), 0),
                ],
            );
            if !get(&address, "address_1").is_empty() {
                let mut a = address.clone();
                a.push(("location_id".into(), location_id.clone(), 0));
                if get(&a, "address_type").is_empty() {
                    a.push(("address_type".into(), "physical".into(), 0));
                }
                addresses.add(line, &id("address", &location_id), &a);
            }
        }

        let mut phone = values(&m.phone, line, row);
        if !get(&phone, "number").is_empty() {
            phone.push(("service_id".into(), service_id.clone(), 0));
            phones.add(
                line,
                &id("phone", &format!("{service_id}/{}", get(&phone, "number"))),
                &phone,
            );
        }

        let mut schedule = values(&m.schedule, line, row);
        if schedule.iter().any(|(_, v, _)| !v.is_empty()) {
            if !get(&schedule, "byday").is_empty() && get(&schedule, "freq").is_empty() {
                schedule.push(("freq".into(), "WEEKLY".into(), 0));
            }
            schedule.push(("service_id".into(), service_id.clone(), 0));
            schedules.add(line, &id("schedule", &service_id), &schedule);
        }

        if let Some(c) = &m.categories {
            let i = column(&c.column).expect("checked");
            let written = row.get(i).cloned().unwrap_or_default();
            let parts: Vec<&str> = match &c.split {
                Some(sep) => written.split(sep.as_str()).collect(),
                None => vec![written.as_str()],
            };
            for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
                let code =
                    transform(part, &c.transforms, &c.map).unwrap_or_else(|| part.to_owned());
                terms.add(
                    line,
                    &code,
                    &[
                        ("name".into(), part.to_owned(), i + 1),
                        ("description".into(), part.to_owned(), i + 1),
                        ("taxonomy_id".into(), taxonomy_id.clone(), 0),
                    ],
                );
                attributes.add(
                    line,
                    &id("attribute", &format!("{service_id}/{code}")),
                    &[
                        ("link_id".into(), service_id.clone(), 0),
                        ("link_entity".into(), "service".into(), 0),
                        ("link_type".into(), "category".into(), 0),
                        ("taxonomy_term_id".into(), code.clone(), i + 1),
                    ],
                );
            }
        }
    }
    if !terms.t.records.is_empty() {
        taxonomies.add(
            1,
            &taxonomy_id,
            &[
                ("name".into(), "categories".into(), 0),
                (
                    "description".into(),
                    format!("Categories of {}", m.source),
                    0,
                ),
            ],
        );
    }
    unreadable.extend(failed.into_inner());
    [
        orgs, services, locations, sal, addresses, phones, schedules, attributes, terms, taxonomies,
    ]
    .into_iter()
    .filter_map(Out::done)
    .map(|mut t| {
        if let Some(table) = super::hsds::table_for_file(&t.file) {
            t.numeric = super::hsds::numeric_columns(&table)
                .into_iter()
                .filter(|c| t.columns.contains(c))
                .collect();
        }
        t
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_ranges_and_lists() {
        assert_eq!(
            weekdays("Lunes a viernes").as_deref(),
            Some("MO,TU,WE,TH,FR")
        );
        assert_eq!(
            weekdays("lunes, miércoles y viernes").as_deref(),
            Some("MO,WE,FR")
        );
        assert_eq!(weekdays("L-V").as_deref(), Some("MO,TU,WE,TH,FR"));
        assert_eq!(weekdays("Sat-Sun").as_deref(), Some("SA,SU"));
        assert_eq!(
            weekdays("Todos los días").as_deref(),
            Some("MO,TU,WE,TH,FR,SA,SU")
        );
        assert_eq!(weekdays("cuando se pueda"), None);
    }

    #[test]
    fn transforms_apply_in_order() {
        let none = BTreeMap::new();
        let t = |v: &str, ts: &[&str]| {
            transform(
                v,
                &ts.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                &none,
            )
        };
        assert_eq!(t(" 7,8939 ", &["decimal-comma"]).as_deref(), Some("7.8939"));
        assert_eq!(t("8:00am", &["time"]).as_deref(), Some("08:00"));
        assert_eq!(
            t("Protección de la Niñez", &["slug", "prefix:senda-cat:"]).as_deref(),
            Some("senda-cat:proteccion-de-la-ninez")
        );
        assert_eq!(
            t("+57 (300) 123-4567 ext", &["digits"]).as_deref(),
            Some("+573001234567")
        );
        let map = BTreeMap::from([("Colombia".to_owned(), "CO".to_owned())]);
        assert_eq!(
            transform("Colombia", &["map".into()], &map).as_deref(),
            Some("CO")
        );
    }
}
