//! Reads the human-written sources under `assets/content/` into a payload,
//! refusing anything malformed with a message that names the file and item.
//!
//! ```text
//! pack.toml            publisher = "…", version = N
//! checklists/*.toml    one checklist per file
//! articles/*.toml      [[articles]] …
//! places/*.toml        [[places]] …
//! directory/*.csv      the referral directory as an HSDS 3.0 tabular data package
//! ```

use super::model::{Article, ContentPayload, Place};
use crate::checklist::Checklist;
use crate::text::Text;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct PackMeta {
    pub publisher: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct SourceError {
    pub file: String,
    pub message: String,
}

#[derive(Deserialize)]
struct Articles {
    articles: Vec<Article>,
}

#[derive(Deserialize)]
struct Places {
    places: Vec<Place>,
}

/// Loads and validates every source; returns all problems at once.
pub fn load_dir(dir: &Path) -> Result<(PackMeta, ContentPayload), Vec<SourceError>> {
    let mut errors = Vec::new();
    let meta: Option<PackMeta> = read_toml(&dir.join("pack.toml"), &mut errors);
    let mut payload = ContentPayload::default();

    for file in toml_files(&dir.join("checklists"), &mut errors) {
        if let Some(c) = read_toml::<Checklist>(&file, &mut errors) {
            if let Err(problems) = c.validate() {
                errors.extend(problems.into_iter().map(|p| err(&file, p.to_string())));
            }
            payload.checklists.push(c);
        }
    }
    for file in toml_files(&dir.join("articles"), &mut errors) {
        for a in read_toml::<Articles>(&file, &mut errors)
            .map(|a| a.articles)
            .unwrap_or_default()
        {
            let item = format!("article '{}'", a.id);
            check_factual(
                &file,
                &item,
                &[("title", &a.title), ("body", &a.body)],
                &a.source,
                &mut errors,
            );
            payload.articles.push(a);
        }
    }
    for file in toml_files(&dir.join("places"), &mut errors) {
        for p in read_toml::<Places>(&file, &mut errors)
            .map(|p| p.places)
            .unwrap_or_default()
        {
            if !(-90.0..=90.0).contains(&p.latitude) || !(-180.0..=180.0).contains(&p.longitude) {
                errors.push(err(
                    &file,
                    format!("place '{}': coordinates out of range", p.id),
                ));
            }
            let item = format!("place '{}'", p.id);
            check_factual(&file, &item, &[("name", &p.name)], &p.source, &mut errors);
            payload.places.push(p);
        }
    }
    let directory = dir.join("directory");
    if directory.is_dir() {
        match crate::directory::HsdsData::import_csv_dir(&directory) {
            Ok(import) => {
                payload.hsds_tables = import.data.tables;
                payload.hsds_rows = import.data.rows;
            }
            Err(problems) => errors.extend(problems.into_iter().map(|e| SourceError {
                file: directory.join(&e.file).display().to_string(),
                message: format!("line {}, column {}: {}", e.line, e.column, e.message),
            })),
        }
    }
    let mut ids = std::collections::BTreeSet::new();
    for (r, _) in payload.items() {
        if !ids.insert(r.clone()) {
            errors.push(err(
                dir,
                format!("{:?} '{}' is defined twice", r.kind, r.id),
            ));
        }
    }
    match meta {
        Some(meta) if errors.is_empty() => Ok((meta, payload)),
        _ => Err(errors),
    }
}

/// Every factual item needs Spanish text and a source.
fn check_factual(
    file: &Path,
    item: &str,
    texts: &[(&str, &Text)],
    source: &str,
    errors: &mut Vec<SourceError>,
) {
    for (what, text) in texts {
        if !text.has_spanish() {
            errors.push(err(
                file,
                format!("{item} {what}: Spanish (es) text is missing"),
            ));
        }
    }
    if source.trim().is_empty() {
        errors.push(err(file, format!("{item}: a source is required")));
    }
}

fn err(file: &Path, message: String) -> SourceError {
    SourceError {
        file: file.display().to_string(),
        message,
    }
}

fn toml_files(dir: &Path, errors: &mut Vec<SourceError>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.map_err(|e| errors.push(err(dir, e.to_string()))).ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn read_toml<T: serde::de::DeserializeOwned>(
    file: &Path,
    errors: &mut Vec<SourceError>,
) -> Option<T> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| errors.push(err(file, e.to_string())))
        .ok()?;
    toml::from_str(&text)
        .map_err(|e| errors.push(err(file, e.to_string())))
        .ok()
}
