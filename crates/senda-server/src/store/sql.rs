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

/// Typed reading of one column. A value that is not what the column must hold
/// (a damaged database) is `StoreError::Damaged`, never a default: a read that
/// guessed could hide the damage or write the guess back.
pub fn text(row: &Row, i: usize, column: &'static str) -> Result<String, StoreError> {
    match row.get(i) {
        Some(Value::Text(t)) => Ok(t.clone()),
        other => Err(damaged(column, format!("expected text, found {other:?}"))),
    }
}

/// An integer column (SQLite and PostgreSQL both hand these back as integers).
pub fn int(row: &Row, i: usize, column: &'static str) -> Result<i64, StoreError> {
    match row.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        other => Err(damaged(
            column,
            format!("expected an integer, found {other:?}"),
        )),
    }
}

/// A column holding JSON text, decoded as `T`.
pub fn json<T: serde::de::DeserializeOwned>(
    row: &Row,
    i: usize,
    column: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_str(&text(row, i, column)?).map_err(|e| damaged(column, e.to_string()))
}

pub fn damaged(column: &'static str, reason: String) -> StoreError {
    StoreError::Damaged { column, reason }
}

/// One open transaction.
pub trait Sql {
    /// Runs a statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    /// Runs a query; every column comes back as an integer, text or null.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    fn row(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// Until this transaction ends, no other that called this can go on: rows
    /// numbered from a sequence after it become visible in their numbers'
    /// order, so a reader's cursor never passes one still to commit. SQLite
    /// has one writer, so nothing to do there.
    fn in_commit_order(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Lets this transaction's statements run as long as they take: for
    /// maintenance that grows with the database (the retention purge), which
    /// must not stop at the limit set for requests. SQLite sets none.
    fn without_statement_timeout(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}
