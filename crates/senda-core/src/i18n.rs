//! Fluent catalogues: one folder per locale under `locales/`, Spanish first.
//!
//! The UI formats the messages itself (with @fluent/bundle); the core owns
//! the rule that every locale carries every message, and that every error
//! code the core can raise has a sentence in each locale.

use fluent_syntax::ast::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The locale every other one falls back to.
pub const DEFAULT_LOCALE: &str = "es";
/// Locales that must always be complete.
pub const REQUIRED_LOCALES: &[&str] = &["es", "en", "pt"];

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("syntax errors in {path}: {count}")]
    Syntax { path: String, count: usize },
}

/// Message ids per locale, read from `<dir>/<locale>/*.ftl`.
#[derive(Debug, Default)]
pub struct Catalogs {
    pub messages: BTreeMap<String, BTreeSet<String>>,
}

impl Catalogs {
    pub fn load_dir(dir: &Path) -> Result<Self, CatalogError> {
        let read_err = |path: &Path, e: std::io::Error| CatalogError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut messages = BTreeMap::new();
        for locale in std::fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
            let locale = locale.map_err(|e| read_err(dir, e))?.path();
            if !locale.is_dir() {
                continue;
            }
            let name = locale
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let mut ids = BTreeSet::new();
            for file in std::fs::read_dir(&locale).map_err(|e| read_err(&locale, e))? {
                let path = file.map_err(|e| read_err(&locale, e))?.path();
                if path.extension().is_some_and(|e| e == "ftl") {
                    let source = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
                    ids.extend(message_ids(&source).map_err(|count| CatalogError::Syntax {
                        path: path.display().to_string(),
                        count,
                    })?);
                }
            }
            messages.insert(name, ids);
        }
        Ok(Self { messages })
    }

    /// Ids present in any locale but missing from `locale`.
    pub fn missing_in(&self, locale: &str) -> BTreeSet<String> {
        let all: BTreeSet<&String> = self.messages.values().flatten().collect();
        let have = self.messages.get(locale).cloned().unwrap_or_default();
        all.into_iter()
            .filter(|id| !have.contains(*id))
            .cloned()
            .collect()
    }

    pub fn has(&self, locale: &str, id: &str) -> bool {
        self.messages
            .get(locale)
            .is_some_and(|ids| ids.contains(id))
    }
}

/// Message and term ids in one FTL source; `Err(n)` for n syntax errors.
pub fn message_ids(source: &str) -> Result<BTreeSet<String>, usize> {
    let resource = fluent_syntax::parser::parse(source).map_err(|(_, errs)| errs.len())?;
    Ok(resource
        .body
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            Entry::Term(t) => Some(format!("-{}", t.id.name)),
            _ => None,
        })
        .collect())
}
