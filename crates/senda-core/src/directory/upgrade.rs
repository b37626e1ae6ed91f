//! HSDS 1.1 and 2.0 tables turned into HSDS 3.0 tables, row by row, as
//! docs/hsds-mapping.md describes (one test per row of that table).
//!
//! Ids: 3.0 wants UUIDs. An old id that is already a UUID is kept; any other
//! becomes `uuid_v5(NAMESPACE, "<table>/<old id>")`, so links stay
//! consistent and importing the same export again gives the same ids.

use super::import::{HsdsVersion, ImportOptions, RawTable};
use super::report::{Action, IssueKind, Report};
use std::collections::BTreeMap;

/// Senda's namespace for ids derived on import (a fixed random UUID).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f0c_2b8e_5d1a_4c3b_9e7f_1a2b_3c4d_5e6f);

/// A UUID derived from a name, the same on every import.
pub(crate) fn derived_uuid(name: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

/// The 3.0 id for an old id of a table: kept if already a UUID.
pub fn new_id(table: &str, old: &str) -> String {
    if old.is_empty() || uuid::Uuid::try_parse(old).is_ok() {
        old.to_owned()
    } else {
        derived_uuid(&format!("{table}/{old}"))
    }
}

/// The ids a publisher wrote, by the 3.0 id each becomes in any table: the
/// report names a missing row by the id the publisher knows.
pub(crate) fn old_ids(raw: &[RawTable]) -> BTreeMap<String, String> {
    let mut tables: Vec<&str> = FOREIGN_KEYS.iter().map(|(_, t)| *t).collect();
    tables.sort();
    tables.dedup();
    let mut values = std::collections::BTreeSet::new();
    for t in raw {
        for (i, c) in t.columns.iter().enumerate() {
            if c == "id" || c.ends_with("_id") {
                values.extend(
                    t.records
                        .iter()
                        .filter_map(|(_, v)| v.get(i))
                        .filter(|v| !v.is_empty()),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    for v in values {
        for table in &tables {
            let new = new_id(table, v);
            if &new != v {
                out.insert(new, v.clone());
            }
        }
    }
    out
}

/// Foreign-key columns and the table their ids belong to.
const FOREIGN_KEYS: &[(&str, &str)] = &[
    ("organization_id", "organization"),
    ("parent_organization_id", "organization"),
    ("service_id", "service"),
    ("location_id", "location"),
    ("program_id", "program"),
    ("contact_id", "contact"),
    ("phone_id", "phone"),
    ("service_at_location_id", "service_at_location"),
    ("taxonomy_term_id", "taxonomy_term"),
    ("taxonomy_id", "taxonomy"),
];

const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// Turns 1.1 or 2.0 tables into 3.0 tables; 3.0 passes through untouched.
pub(crate) fn upgrade(
    raw: Vec<RawTable>,
    version: HsdsVersion,
    options: &ImportOptions,
    report: &mut Report,
) -> Vec<RawTable> {
    if version == HsdsVersion::V3_0 {
        return raw;
    }
    let mut out: Vec<RawTable> = Vec::new();
    let mut service_notes: Vec<(String, &'static str, String)> = Vec::new();
    let mut taxonomies: BTreeMap<String, (String, u64)> = BTreeMap::new();
    // Which locations have which kind of address, for location_type.
    let mut address_kinds: BTreeMap<String, &'static str> = BTreeMap::new();
    for t in &raw {
        let kind = match t.source.as_str() {
            "physical_addresses.csv" => "physical",
            "postal_addresses.csv" => "postal",
            _ => continue,
        };
        if let Some(c) = t.col("location_id") {
            for (_, v) in &t.records {
                let e = address_kinds
                    .entry(new_id("location", &v[c]))
                    .or_insert(kind);
                if kind == "physical" {
                    *e = "physical";
                }
            }
        }
    }

    for mut t in raw {
        match t.source.as_str() {
            "organizations.csv" => {
                rename(&mut t, "url", "website");
                remap(&mut t, "organization");
                out.push(t);
            }
            "programs.csv" => {
                remap(&mut t, "program");
                let d = add(&mut t, "description");
                let n = t.col("name");
                for (_, v) in &mut t.records {
                    if v[d].is_empty()
                        && let Some(n) = n
                    {
                        v[d] = v[n].clone();
                    }
                }
                out.push(t);
            }
            "services.csv" => {
                remap(&mut t, "service");
                if let Some(fees) = t.col("fees") {
                    let d = add(&mut t, "fees_description");
                    for (_, v) in &mut t.records {
                        if v[d].is_empty() {
                            v[d] = v[fees].clone();
                        }
                    }
                }
                // 1.1 `taxonomy_ids`: a comma-separated list, one attribute each.
                if let Some(ti) = t.col("taxonomy_ids") {
                    let mut attributes = table_like(
                        &t,
                        "attributes.csv",
                        &[
                            "id",
                            "link_id",
                            "link_entity",
                            "link_type",
                            "taxonomy_term_id",
                        ],
                    );
                    let id = t.col("id").expect("remapped");
                    for (line, v) in &t.records {
                        for term in v[ti].split(',').map(str::trim).filter(|s| !s.is_empty()) {
                            attributes.records.push((
                                *line,
                                vec![
                                    derived_uuid(&format!("service-taxonomy/{}/{term}", v[id])),
                                    v[id].clone(),
                                    "service".into(),
                                    "category".into(),
                                    new_id("taxonomy_term", term),
                                ],
                            ));
                        }
                    }
                    drop_column(&mut t, "taxonomy_ids");
                    out.push(attributes);
                }
                // 1.0's direct service → location link becomes a service_at_location row.
                if let Some(li) = t.col("location_id") {
                    let mut sal = table_like(
                        &t,
                        "service_at_location.csv",
                        &["id", "service_id", "location_id"],
                    );
                    let id = t.col("id").expect("remapped");
                    for (line, v) in &t.records {
                        if !v[li].is_empty() {
                            sal.records.push((
                                *line,
                                vec![
                                    derived_uuid(&format!("service-location/{}/{}", v[id], v[li])),
                                    v[id].clone(),
                                    v[li].clone(),
                                ],
                            ));
                        }
                    }
                    drop_column(&mut t, "location_id");
                    out.push(sal);
                }
                out.push(t);
            }
            "services_at_location.csv" | "service_at_location.csv" => {
                t.file = "service_at_location.csv".into();
                remap(&mut t, "service_at_location");
                out.push(t);
            }
            "locations.csv" => {
                let old_ids = old_values(&t, "id");
                remap(&mut t, "location");
                let ty = add(&mut t, "location_type");
                let ext = add(&mut t, "external_identifier");
                let ext_type = add(&mut t, "external_identifier_type");
                let (id, lat, lon) = (t.col("id"), t.col("latitude"), t.col("longitude"));
                for (n, (_, v)) in t.records.iter_mut().enumerate() {
                    if v[ty].is_empty() {
                        let placed = [lat, lon]
                            .iter()
                            .all(|c| c.is_some_and(|c| !v[c].is_empty()));
                        let address = id.and_then(|i| address_kinds.get(&v[i]).copied());
                        v[ty] = if placed {
                            "physical"
                        } else {
                            address.unwrap_or("virtual")
                        }
                        .into();
                    }
                    if v[ext].is_empty() && old_ids[n] != id.map(|i| v[i].as_str()).unwrap_or("") {
                        v[ext] = old_ids[n].clone();
                        v[ext_type] = format!("hsds-{}-id", version_label(version));
                    }
                }
                out.push(t);
            }
            kind @ ("physical_addresses.csv" | "postal_addresses.csv") => {
                let address_type = if kind.starts_with("physical") {
                    "physical"
                } else {
                    "postal"
                };
                t.file = "addresses.csv".into();
                // Two files, one table: keep their ids apart.
                remap(&mut t, &format!("{address_type}_address"));
                let at = add(&mut t, "address_type");
                let a2 = add(&mut t, "address_2");
                let extra: Vec<usize> = ["address_3", "address_4"]
                    .iter()
                    .filter_map(|c| t.col(c))
                    .collect();
                for (_, v) in &mut t.records {
                    v[at] = address_type.into();
                    let parts: Vec<String> = std::iter::once(a2)
                        .chain(extra.iter().copied())
                        .map(|c| v[c].clone())
                        .filter(|s| !s.is_empty())
                        .collect();
                    v[a2] = parts.join(", ");
                }
                drop_column(&mut t, "address_3");
                drop_column(&mut t, "address_4");
                out.push(t);
            }
            "phones.csv" => {
                remap(&mut t, "phone");
                if let Some(dep) = t.col("department") {
                    let d = add(&mut t, "description");
                    for (_, v) in &mut t.records {
                        if !v[dep].is_empty() {
                            v[d] = [v[d].as_str(), v[dep].as_str()]
                                .iter()
                                .filter(|s| !s.is_empty())
                                .copied()
                                .collect::<Vec<_>>()
                                .join(" — ");
                        }
                    }
                    drop_column(&mut t, "department");
                }
                if let Some(lang) = t.col("language") {
                    let mut languages =
                        table_like(&t, "languages.csv", &["id", "phone_id", "code", "name"]);
                    let id = t.col("id").expect("remapped");
                    for (line, v) in &t.records {
                        for code in v[lang]
                            .split([',', ';'])
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                        {
                            languages.records.push((
                                *line,
                                vec![
                                    derived_uuid(&format!("phone-language/{}/{code}", v[id])),
                                    v[id].clone(),
                                    code.to_lowercase(),
                                    language_name(code).to_owned(),
                                ],
                            ));
                        }
                    }
                    drop_column(&mut t, "language");
                    out.push(languages);
                }
                out.push(t);
            }
            "regular_schedules.csv" => out.push(weekly(t, options, report)),
            "schedules.csv" if t.col("weekday").is_some() => out.push(weekly(t, options, report)),
            "holiday_schedules.csv" => {
                t.file = "schedules.csv".into();
                remap(&mut t, "holiday_schedule");
                rename(&mut t, "start_date", "valid_from");
                rename(&mut t, "end_date", "valid_to");
                let notes = add(&mut t, "notes");
                if let Some(closed) = t.col("closed") {
                    for (_, v) in &mut t.records {
                        if super::senda_attributes::flag(&v[closed]) == Some(true) {
                            v[notes] = "closed".into();
                        }
                    }
                    drop_column(&mut t, "closed");
                }
                out.push(t);
            }
            "schedules.csv" => {
                remap(&mut t, "schedule");
                if let Some(freq) = t.col("freq") {
                    let byday = add(&mut t, "byday");
                    let description = add(&mut t, "description");
                    for (_, v) in &mut t.records {
                        match v[freq].to_ascii_uppercase().as_str() {
                            "DAILY" => {
                                v[freq] = "WEEKLY".into();
                                if v[byday].is_empty() {
                                    v[byday] = WEEKDAYS.join(",");
                                }
                            }
                            "YEARLY" => {
                                v[freq] = String::new();
                                v[description] = [v[description].as_str(), "Yearly"]
                                    .iter()
                                    .filter(|s| !s.is_empty())
                                    .copied()
                                    .collect::<Vec<_>>()
                                    .join(" — ");
                            }
                            _ => {}
                        }
                    }
                }
                out.push(t);
            }
            "languages.csv" => {
                remap(&mut t, "language");
                if t.col("code").is_none() {
                    rename(&mut t, "language", "code");
                }
                let code = t.col("code");
                let name = add(&mut t, "name");
                for (_, v) in &mut t.records {
                    if let Some(c) = code
                        && v[name].is_empty()
                    {
                        v[name] = language_name(&v[c]).to_owned();
                    }
                }
                out.push(t);
            }
            "accessibility_for_disabilities.csv" => {
                t.file = "accessibility.csv".into();
                remap(&mut t, "accessibility");
                rename(&mut t, "accessibility", "description");
                out.push(t);
            }
            "taxonomy.csv" => {
                // 1.1: terms with a free-text vocabulary.
                t.file = "taxonomy_terms.csv".into();
                let old = old_values(&t, "id");
                remap(&mut t, "taxonomy_term");
                if let Some(p) = t.col("parent_id") {
                    for (_, v) in &mut t.records {
                        v[p] = new_id("taxonomy_term", &v[p]);
                    }
                }
                drop_column(&mut t, "parent_name");
                terms(&mut t, "vocabulary", &old, &mut taxonomies);
                out.push(t);
            }
            "taxonomy_terms.csv" => {
                let old = old_values(&t, "id");
                remap(&mut t, "taxonomy_term");
                if let Some(p) = t.col("parent_id") {
                    for (_, v) in &mut t.records {
                        v[p] = new_id("taxonomy_term", &v[p]);
                    }
                }
                rename(&mut t, "term", "name");
                terms(&mut t, "taxonomy", &old, &mut taxonomies);
                out.push(t);
            }
            "services_taxonomy.csv" | "service_taxonomy.csv" => {
                t.file = "attributes.csv".into();
                // 1.1 `taxonomy_id` names a term of taxonomy.csv.
                rename(&mut t, "taxonomy_id", "taxonomy_term_id");
                rename(&mut t, "taxonomy_detail", "value");
                remap(&mut t, "service_taxonomy");
                link_service(&mut t);
                out.push(t);
            }
            "service_attributes.csv" => {
                t.file = "attributes.csv".into();
                remap(&mut t, "service_attribute");
                link_service(&mut t);
                out.push(t);
            }
            "other_attributes.csv" => {
                t.file = "attributes.csv".into();
                remap(&mut t, "other_attribute");
                // 2.0 link_type held the table name: 3.0 calls that link_entity.
                rename(&mut t, "link_type", "link_entity");
                let (link, entity) = (t.col("link_id"), t.col("link_entity"));
                // 3.0's link_type says what the term describes: a category, as Senda's own rows.
                let kind = add(&mut t, "link_type");
                for (_, v) in &mut t.records {
                    v[kind] = "category".into();
                    if let (Some(l), Some(e)) = (link, entity) {
                        v[l] = new_id(&v[e], &v[l]);
                    }
                }
                out.push(t);
            }
            "eligibility.csv" => {
                let (s, e) = (t.col("service_id"), t.col("eligibility"));
                if let (Some(s), Some(e)) = (s, e) {
                    for (_, v) in &t.records {
                        if !v[e].is_empty() {
                            service_notes.push((
                                new_id("service", &v[s]),
                                "eligibility",
                                v[e].clone(),
                            ));
                        }
                    }
                }
            }
            "payments_accepted.csv" => {
                let (s, p) = (t.col("service_id"), t.col("payment"));
                if let (Some(s), Some(p)) = (s, p) {
                    for (_, v) in &t.records {
                        if !v[p].is_empty() {
                            service_notes.push((new_id("service", &v[s]), "payment", v[p].clone()));
                        }
                    }
                }
            }
            "service_areas.csv" => {
                remap(&mut t, "service_area");
                rename(&mut t, "service_area", "name");
                out.push(t);
            }
            "metadata.csv" => {
                remap(&mut t, "metadata");
                if let Some(d) = t.col("last_action_date") {
                    for (_, v) in &mut t.records {
                        if v[d].len() > 10
                            && chrono::NaiveDate::parse_from_str(&v[d][..10], "%Y-%m-%d").is_ok()
                        {
                            v[d].truncate(10);
                        }
                    }
                }
                out.push(t);
            }
            _ => {
                let table = super::hsds::table_for_file(&t.source).unwrap_or_default();
                remap(&mut t, &table);
                out.push(t);
            }
        }
    }

    if !taxonomies.is_empty() {
        let mut t = RawTable {
            file: "taxonomies.csv".into(),
            source: "taxonomy.csv".into(),
            columns: vec!["id".into(), "name".into(), "description".into()],
            origin: vec![0, 0, 0],
            records: vec![],
            numeric: vec![],
        };
        for (name, (id, line)) in taxonomies {
            t.records.push((line, vec![id, name.clone(), name]));
        }
        out.push(t);
    }
    apply_service_notes(&mut out, service_notes);
    // Numbers in the JSON form: the 3.0 schema's numeric columns the table now has.
    for t in &mut out {
        if let Some(table) = super::hsds::table_for_file(&t.file) {
            t.numeric = super::hsds::numeric_columns(&table)
                .into_iter()
                .filter(|c| t.columns.contains(c))
                .collect();
        }
    }
    // Tables made from several files (attributes from services_taxonomy and taxonomy_ids) are merged by assemble.
    out
}

fn version_label(v: HsdsVersion) -> &'static str {
    match v {
        HsdsVersion::V1_1 => "1.1",
        HsdsVersion::V2_0 => "2.0",
        HsdsVersion::V3_0 => "3.0",
    }
}

/// The values of a column before the ids are remapped.
fn old_values(t: &RawTable, column: &str) -> Vec<String> {
    let c = t.col(column);
    t.records
        .iter()
        .map(|(_, v)| c.map(|c| v[c].clone()).unwrap_or_default())
        .collect()
}

/// Pads every record to the header, then maps `id` and every foreign key to 3.0 ids.
fn remap(t: &mut RawTable, id_table: &str) {
    // A table from the wild may lack its ids: an empty column, which the
    // checks after the upgrade name row by row (found by `./x fuzz`).
    let id_column = add(t, "id");
    let width = t.columns.len();
    for (_, v) in &mut t.records {
        v.resize(width, String::new());
    }
    let plan: Vec<(usize, &str)> = t
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            if c == "id" {
                Some((i, id_table))
            } else {
                FOREIGN_KEYS
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, target)| (i, *target))
            }
        })
        .collect();
    for (_, v) in &mut t.records {
        for (i, table) in &plan {
            // No id stays no id (never one made up that every such row would share).
            if *i != id_column || !v[*i].is_empty() {
                v[*i] = new_id(table, &v[*i]);
            }
        }
    }
}

fn rename(t: &mut RawTable, from: &str, to: &str) {
    if t.col(to).is_none()
        && let Some(i) = t.col(from)
    {
        t.columns[i] = to.into();
    }
}

/// The index of a column, added empty (made by the import) if missing.
fn add(t: &mut RawTable, name: &str) -> usize {
    if let Some(i) = t.col(name) {
        return i;
    }
    t.columns.push(name.into());
    t.origin.push(0);
    for (_, v) in &mut t.records {
        v.resize(t.columns.len(), String::new());
    }
    t.columns.len() - 1
}

fn drop_column(t: &mut RawTable, name: &str) {
    if let Some(i) = t.col(name) {
        t.columns.remove(i);
        t.origin.remove(i);
        for (_, v) in &mut t.records {
            if i < v.len() {
                v.remove(i);
            }
        }
    }
}

/// A new table made from rows of `t` (same source, for the report).
fn table_like(t: &RawTable, file: &str, columns: &[&str]) -> RawTable {
    RawTable {
        file: file.into(),
        source: t.source.clone(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        origin: vec![0; columns.len()],
        records: vec![],
        numeric: vec![],
    }
}

/// Service attribute rows: `service_id` becomes `link_id` with `link_entity = service`.
fn link_service(t: &mut RawTable) {
    rename(t, "service_id", "link_id");
    let entity = add(t, "link_entity");
    let kind = add(t, "link_type");
    for (_, v) in &mut t.records {
        v[entity] = "service".into();
        v[kind] = "category".into();
    }
}

/// Taxonomy terms: `description` required (filled from the name), the old id
/// kept as `code`, the free-text taxonomy turned into a `taxonomy` row.
fn terms(
    t: &mut RawTable,
    taxonomy_column: &str,
    old_ids: &[String],
    taxonomies: &mut BTreeMap<String, (String, u64)>,
) {
    let name = t.col("name");
    let description = add(t, "description");
    let code = add(t, "code");
    let taxonomy_id = add(t, "taxonomy_id");
    let vocabulary = t.col(taxonomy_column);
    for (n, (line, v)) in t.records.iter_mut().enumerate() {
        if v[description].is_empty()
            && let Some(name) = name
        {
            v[description] = v[name].clone();
        }
        if v[code].is_empty()
            && old_ids[n] != v[t.columns.iter().position(|c| c == "id").unwrap_or(0)]
        {
            v[code] = old_ids[n].clone();
        }
        if let Some(c) = vocabulary
            && !v[c].is_empty()
            && v[taxonomy_id].is_empty()
        {
            let id = new_id("taxonomy", &v[c]);
            taxonomies
                .entry(v[c].clone())
                .or_insert((id.clone(), *line));
            v[taxonomy_id] = id;
        }
    }
    if taxonomy_column == "vocabulary" {
        drop_column(t, "vocabulary");
    }
}

/// 1.1 weekday rows → one 3.0 row per opening pattern: `freq=WEEKLY` and the
/// days that share the same hours in `byday`, Monday first.
fn weekly(mut t: RawTable, options: &ImportOptions, report: &mut Report) -> RawTable {
    let source = t.source.clone();
    remap(&mut t, "regular_schedule");
    let col = |n: &str| t.col(n);
    let (id, wd) = (col("id"), col("weekday"));
    let keys: Vec<Option<usize>> = [
        "service_id",
        "location_id",
        "service_at_location_id",
        "opens_at",
        "closes_at",
    ]
    .iter()
    .map(|c| col(c))
    .collect();
    let mut out = table_like(
        &t,
        "schedules.csv",
        &[
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "freq",
            "byday",
            "opens_at",
            "closes_at",
            "description",
        ],
    );
    out.source = source;
    let description = col("description");
    // Group by (links, hours) in first-seen order.
    /// (links and hours, first line, first id, weekdays, description)
    type Group = (Vec<String>, u64, String, Vec<usize>, String);
    let mut groups: Vec<Group> = Vec::new();
    for (line, v) in &t.records {
        let key: Vec<String> = keys
            .iter()
            .map(|c| c.map(|c| v[c].clone()).unwrap_or_default())
            .collect();
        let raw_day = wd.map(|c| v[c].as_str()).unwrap_or("");
        let Some(day) = weekday(raw_day) else {
            let action = if options.lenient {
                Action::Quarantined
            } else {
                Action::Refused
            };
            report.push(super::report::Issue {
                kind: IssueKind::BadValue,
                action,
                file: t.source.clone(),
                line: *line,
                column: wd.map_or(0, |c| t.origin[c]),
                column_name: "weekday".into(),
                message: format!("weekday '{raw_day}' is not 1–7 (Monday–Sunday) or a day name"),
            });
            if options.lenient {
                report.quarantined.push(super::report::QuarantinedRow {
                    file: t.source.clone(),
                    line: *line,
                    columns: t.columns.clone(),
                    values: v.clone(),
                    reason: IssueKind::BadValue.code().into(),
                });
            }
            continue;
        };
        let desc = description.map(|c| v[c].clone()).unwrap_or_default();
        match groups.iter_mut().find(|g| g.0 == key && g.4 == desc) {
            Some(g) => {
                if !g.3.contains(&day) {
                    g.3.push(day)
                }
            }
            None => groups.push((
                key,
                *line,
                id.map(|c| v[c].clone()).unwrap_or_default(),
                vec![day],
                desc,
            )),
        }
    }
    for (key, line, first_id, mut days, desc) in groups {
        days.sort();
        let byday: Vec<&str> = days.iter().map(|d| WEEKDAYS[*d]).collect();
        out.records.push((
            line,
            vec![
                first_id,
                key[0].clone(),
                key[1].clone(),
                key[2].clone(),
                "WEEKLY".into(),
                byday.join(","),
                key[3].clone(),
                key[4].clone(),
                desc,
            ],
        ));
    }
    out
}

/// 0 = Monday … 6 = Sunday, from 1–7 or an English or Spanish day name.
fn weekday(value: &str) -> Option<usize> {
    let v = value.trim().to_lowercase();
    if let Ok(n) = v.parse::<usize>() {
        return (1..=7).contains(&n).then(|| n - 1);
    }
    let names = [
        ["monday", "lunes", "mo"],
        ["tuesday", "martes", "tu"],
        ["wednesday", "miércoles", "we"],
        ["thursday", "jueves", "th"],
        ["friday", "viernes", "fr"],
        ["saturday", "sábado", "sa"],
        ["sunday", "domingo", "su"],
    ];
    names
        .iter()
        .position(|n| n.contains(&v.as_str()) || (v.len() >= 3 && n[0].starts_with(&v)))
}

/// English names of the ISO 639-1 codes directories in the region use.
fn language_name(code: &str) -> &'static str {
    match code.trim().to_lowercase().as_str() {
        "es" => "Spanish",
        "en" => "English",
        "pt" => "Portuguese",
        "fr" => "French",
        "ht" => "Haitian Creole",
        "qu" => "Quechua",
        "ay" => "Aymara",
        "gn" => "Guarani",
        "wayuu" | "guc" => "Wayuu",
        "ar" => "Arabic",
        "zh" => "Chinese",
        _ => "",
    }
}

/// Eligibility and accepted payments (tables 3.0 removed) folded into the service.
fn apply_service_notes(out: &mut [RawTable], notes: Vec<(String, &'static str, String)>) {
    if notes.is_empty() {
        return;
    }
    let Some(t) = out.iter_mut().find(|t| t.file == "services.csv") else {
        return;
    };
    let id = t.col("id");
    let eligibility = add(t, "eligibility_description");
    let fees = add(t, "fees_description");
    let min = add(t, "minimum_age");
    let max = add(t, "maximum_age");
    let Some(id) = id else { return };
    let rows: BTreeMap<String, usize> = t
        .records
        .iter()
        .enumerate()
        .map(|(n, (_, v))| (v[id].clone(), n))
        .collect();
    for (service, kind, value) in notes {
        let Some(&n) = rows.get(&service) else {
            continue;
        };
        let v = &mut t.records[n].1;
        let (column, text) = match kind {
            "eligibility" => (eligibility, value.clone()),
            _ => (fees, format!("Payment accepted: {value}")),
        };
        v[column] = [v[column].as_str(), text.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("; ");
        // A child-focused directory needs ages: 1.1's child/teen map to 0–17 and 13–17.
        if kind == "eligibility" {
            match value.trim().to_lowercase().as_str() {
                "child" | "children" if v[max].is_empty() => v[max] = "17".into(),
                "teen" | "teens" | "youth" => {
                    if v[min].is_empty() {
                        v[min] = "13".into();
                    }
                    if v[max].is_empty() {
                        v[max] = "17".into();
                    }
                }
                _ => {}
            }
        }
    }
}
