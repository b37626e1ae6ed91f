//! The few SQL shapes the server needs, over either backend.
//!
//! Statements are written once, with `?1`-style placeholders and types both
//! SQLite and PostgreSQL understand (TEXT and BIGINT; times as RFC 3339 text,
//! which sorts as time). The PostgreSQL backend rewrites `?N` to `$N`.

use super::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Text(String),
    Null,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

impl Value {
    pub fn int(&self) -> i64 {
        match self {
            Self::Int(i) => *i,
            Self::Text(t) => t.parse().unwrap_or(0),
            Self::Null => 0,
        }
    }
    pub fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Int(i) => i.to_string(),
            Self::Null => String::new(),
        }
    }
    pub fn opt_text(&self) -> Option<String> {
        match self {
            Self::Null => None,
            other => Some(other.text()),
        }
    }
}

pub type Row = Vec<Value>;

/// One open transaction.
pub trait Sql {
    /// Runs a statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    /// Runs a query; every column comes back as an integer, text or null.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    fn row(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }
}
