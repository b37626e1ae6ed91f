//! Text written in several languages, Spanish required.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A piece of content text per locale (`es` is required and is the fallback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    pub fn es(s: impl Into<String>) -> Self {
        Self(BTreeMap::from([("es".to_owned(), s.into())]))
    }

    /// The text in `locale`, else Spanish; the flag says whether it fell back.
    pub fn get(&self, locale: &str) -> (&str, bool) {
        match self.0.get(locale).filter(|s| !s.trim().is_empty()) {
            Some(s) => (s, false),
            None => (
                self.0.get("es").map(String::as_str).unwrap_or(""),
                locale != "es",
            ),
        }
    }

    pub fn has_spanish(&self) -> bool {
        self.0.get("es").is_some_and(|s| !s.trim().is_empty())
    }
}
