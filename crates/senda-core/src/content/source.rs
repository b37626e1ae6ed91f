//! Reads the human-written sources under `assets/content/` into a payload,
//! refusing anything malformed with a message that names the file and item.
//!
//! ```text
//! pack.toml            publisher = "…", version = N
//! checklists/*.toml    one checklist per file
//! articles/*.toml      [[articles]] …
//! places/*.toml        [[places]] …
//! directory/*.csv      the referral directory as an HSDS 3.0 tabular data package
//! public-ui.toml       optional: child-facing UI messages held to the reading rule
//! ```
//!
//! Content rules (each a typed [`RuleError`] naming the item): every article,
//! place and checklist text in es, en and pt; a rights article states its
//! `legal_basis`; a crossing (`route-place`) carries `dangers` guidance; text a
//! child reads (articles, places, public UI messages) passes
//! [`crate::readability::check`] unless it gives a written `readability_exempt`
//! reason; a checklist passes [`Checklist::validate`].

use super::model::{Article, ContentPayload, Place, PlaceKind, Topic};
use crate::checklist::{Checklist, ChecklistError};
use crate::readability;
use crate::text::Text;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every item ships in these languages; other locales fall back to Spanish at run time.
pub const REQUIRED_LOCALES: &[&str] = &["es", "en", "pt"];

#[derive(Debug, Clone, Deserialize)]
pub struct PackMeta {
    pub publisher: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct SourceError {
    pub file: String,
    pub message: String,
    /// The content rule broken, when it is one (else a read or parse error).
    pub rule: Option<RuleError>,
}

/// A content rule a source breaks. Each names the item.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    #[error("{item}{}: the {locale} text is missing", if field.is_empty() { String::new() } else { format!(" {field}") })]
    MissingTranslation {
        item: String,
        field: String,
        locale: String,
    },
    #[error(
        "{item}: a rights article needs a legal_basis (the law and article, or the seed and page)"
    )]
    MissingLegalBasis { item: String },
    #[error("{item}: reviewed_on is set but reviewed_by is not")]
    ReviewDateWithoutReviewer { item: String },
    #[error("{item}: a crossing needs danger-zone guidance (dangers)")]
    MissingDangers { item: String },
    #[error("{item}: readability_exempt needs a written reason")]
    EmptyExemption { item: String },
    #[error("{item}: {problem}")]
    HardToRead {
        item: String,
        problem: readability::Problem,
    },
    #[error("{0}")]
    Checklist(ChecklistError),
}

impl RuleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingTranslation { .. } => "missing-translation",
            Self::MissingLegalBasis { .. } => "missing-legal-basis",
            Self::ReviewDateWithoutReviewer { .. } => "review-date-without-reviewer",
            Self::MissingDangers { .. } => "missing-dangers",
            Self::EmptyExemption { .. } => "empty-exemption",
            Self::HardToRead { .. } => "hard-to-read",
            Self::Checklist(_) => "invalid-checklist",
        }
    }
}

/// `public-ui.toml`: which UI messages a child reads, held to the reading rule.
#[derive(Debug, Clone, Deserialize)]
pub struct PublicUi {
    /// The Spanish Fluent folder, relative to the content directory.
    pub locale_dir: String,
    pub keys: Vec<String>,
    /// Key → the written reason it may miss the reading rule.
    #[serde(default)]
    pub exempt: BTreeMap<String, String>,
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
    let (meta, payload, mut errors, rules) = read_dir(dir);
    errors.extend(rules);
    match meta {
        Some(meta) if errors.is_empty() => Ok((meta, payload)),
        _ => Err(errors),
    }
}

/// What the content rules alone say about the sources in `dir` (empty: all pass).
pub fn rule_problems(dir: &Path) -> Vec<SourceError> {
    read_dir(dir).3
}

type Read = (
    Option<PackMeta>,
    ContentPayload,
    Vec<SourceError>,
    Vec<SourceError>,
);

/// Reads every source: (meta, payload, read errors, content-rule problems).
fn read_dir(dir: &Path) -> Read {
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let meta: Option<PackMeta> = read_toml(&dir.join("pack.toml"), &mut errors);
    let mut payload = ContentPayload::default();

    for file in toml_files(&dir.join("checklists"), &mut errors) {
        if let Some(c) = read_toml::<Checklist>(&file, &mut errors) {
            if let Err(problems) = c.validate() {
                errors.extend(
                    problems
                        .into_iter()
                        .map(|p| rule(&file, RuleError::Checklist(p))),
                );
            }
            for (item, text) in c.texts() {
                translations(&file, &item, "", text, &mut rules);
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
            check_article(&file, &a, &mut rules);
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
            check_place(&file, &p, &mut rules);
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
                rule: None,
            })),
        }
    }
    let public_ui = dir.join("public-ui.toml");
    if public_ui.is_file()
        && let Some(ui) = read_toml::<PublicUi>(&public_ui, &mut errors)
    {
        check_public_ui(dir, &public_ui, &ui, &mut rules);
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
    (meta, payload, errors, rules)
}

/// Every child-facing Spanish text the reading rule covers, as (item, text,
/// exemption reason), for authors to score their drafts (see
/// `examples/readability.rs`). Files that do not parse are skipped.
pub fn child_facing_texts(dir: &Path) -> Vec<(String, String, Option<String>)> {
    let mut ignored = Vec::new();
    let mut out = Vec::new();
    for file in toml_files(&dir.join("articles"), &mut ignored) {
        for a in read_toml::<Articles>(&file, &mut ignored)
            .map(|a| a.articles)
            .unwrap_or_default()
        {
            out.push((
                format!("article '{}'", a.id),
                with_title(&a.title, &a.body),
                a.readability_exempt,
            ));
        }
    }
    for file in toml_files(&dir.join("places"), &mut ignored) {
        for p in read_toml::<Places>(&file, &mut ignored)
            .map(|p| p.places)
            .unwrap_or_default()
        {
            out.push((
                format!("place '{}'", p.id),
                place_text(&p),
                p.readability_exempt,
            ));
        }
    }
    let public_ui = dir.join("public-ui.toml");
    if let Some(ui) = read_toml::<PublicUi>(&public_ui, &mut ignored)
        && let Ok(texts) = fluent_texts(&dir.join(&ui.locale_dir))
    {
        for key in &ui.keys {
            if let Some(text) = texts.get(key) {
                out.push((
                    format!("UI message '{key}'"),
                    text.clone(),
                    ui.exempt.get(key).cloned(),
                ));
            }
        }
    }
    out
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
        rule: None,
    }
}

fn rule(file: &Path, rule: RuleError) -> SourceError {
    SourceError {
        file: file.display().to_string(),
        message: rule.to_string(),
        rule: Some(rule),
    }
}

/// A text in every required locale (Spanish is checked, and named, elsewhere).
fn translations(file: &Path, item: &str, field: &str, text: &Text, errors: &mut Vec<SourceError>) {
    if !text.has_spanish() {
        return;
    }
    for locale in REQUIRED_LOCALES.iter().filter(|l| **l != "es") {
        if text.0.get(*locale).is_none_or(|t| t.trim().is_empty()) {
            errors.push(rule(
                file,
                RuleError::MissingTranslation {
                    item: item.into(),
                    field: field.trim().into(),
                    locale: (*locale).into(),
                },
            ));
        }
    }
}

/// The reading rule over one child-facing Spanish text, unless exempt with a reason.
fn readable(
    file: &Path,
    item: &str,
    text: &str,
    exempt: Option<&str>,
    errors: &mut Vec<SourceError>,
) {
    match exempt {
        Some(reason) if reason.trim().is_empty() => {
            errors.push(rule(file, RuleError::EmptyExemption { item: item.into() }))
        }
        Some(_) => {}
        None => errors.extend(readability::check(text).into_iter().map(|problem| {
            rule(
                file,
                RuleError::HardToRead {
                    item: item.into(),
                    problem,
                },
            )
        })),
    }
}

/// A title reads as a sentence of its own before the body.
fn with_title(title: &Text, body: &Text) -> String {
    let (t, _) = title.get("es");
    let (b, _) = body.get("es");
    format!("{t}\n{b}")
}

fn check_article(file: &Path, a: &Article, errors: &mut Vec<SourceError>) {
    let item = format!("article '{}'", a.id);
    translations(file, &item, "title", &a.title, errors);
    translations(file, &item, "body", &a.body, errors);
    if a.topic == Topic::Rights && a.legal_basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
        errors.push(rule(
            file,
            RuleError::MissingLegalBasis { item: item.clone() },
        ));
    }
    if a.reviewed_on.is_some() && a.reviewed_by.as_deref().is_none_or(|r| r.trim().is_empty()) {
        errors.push(rule(
            file,
            RuleError::ReviewDateWithoutReviewer { item: item.clone() },
        ));
    }
    readable(
        file,
        &item,
        &with_title(&a.title, &a.body),
        a.readability_exempt.as_deref(),
        errors,
    );
}

fn check_place(file: &Path, p: &Place, errors: &mut Vec<SourceError>) {
    let item = format!("place '{}'", p.id);
    translations(file, &item, "name", &p.name, errors);
    translations(file, &item, "description", &p.description, errors);
    if p.kind == PlaceKind::RoutePlace && !p.dangers.has_spanish() {
        errors.push(rule(file, RuleError::MissingDangers { item: item.clone() }));
    }
    translations(file, &item, "dangers", &p.dangers, errors);
    readable(
        file,
        &item,
        &place_text(p),
        p.readability_exempt.as_deref(),
        errors,
    );
}

fn place_text(p: &Place) -> String {
    [&p.name, &p.description, &p.dangers]
        .iter()
        .map(|t| t.get("es").0)
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Child-facing UI messages: each exists in Spanish and passes the reading rule.
fn check_public_ui(dir: &Path, file: &Path, ui: &PublicUi, errors: &mut Vec<SourceError>) {
    let catalog = match fluent_texts(&dir.join(&ui.locale_dir)) {
        Ok(c) => c,
        Err(e) => {
            errors.push(err(file, e));
            return;
        }
    };
    for key in &ui.keys {
        let item = format!("UI message '{key}'");
        match catalog.get(key) {
            None => errors.push(rule(
                file,
                RuleError::MissingTranslation {
                    item,
                    field: String::new(),
                    locale: "es".into(),
                },
            )),
            Some(text) => readable(
                file,
                &item,
                text,
                ui.exempt.get(key).map(String::as_str),
                errors,
            ),
        }
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

/// Every message's text in a Fluent folder, as a reader sees it: a variable
/// reads as one short word, a selector as its default variant.
fn fluent_texts(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    fn pattern(p: &Pattern<&str>, out: &mut String) {
        for e in &p.elements {
            match e {
                PatternElement::TextElement { value } => out.push_str(value),
                PatternElement::Placeable { expression } => match expression {
                    Expression::Select { variants, .. } => {
                        if let Some(v) = variants.iter().find(|v| v.default) {
                            pattern(&v.value, out);
                        }
                    }
                    Expression::Inline(InlineExpression::StringLiteral { value }) => {
                        out.push_str(value)
                    }
                    Expression::Inline(_) => out.push_str("dato"),
                },
            }
        }
    }
    let mut texts = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
        .collect();
    files.sort();
    for file in files {
        let source =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let resource = fluent_syntax::parser::parse(source.as_str())
            .map_err(|(_, errs)| format!("{}: {} syntax errors", file.display(), errs.len()))?;
        for entry in &resource.body {
            if let Entry::Message(m) = entry
                && let Some(value) = &m.value
            {
                let mut text = String::new();
                pattern(value, &mut text);
                texts.insert(m.id.name.to_owned(), text);
            }
        }
    }
    Ok(texts)
}
