//! Checklists as XLSForm workbooks, the way ODK, Kobo and CommCare authors
//! write forms (docs/xlsform.md; template: assets/xlsform/checklist-template.xlsx).
//!
//! - `survey`: `begin_group`/`end_group` rows are sections; `select_one`,
//!   `select_multiple`, `integer`/`decimal` and `text` rows are questions;
//!   a `note` row is its section's note. `label`, `hint` (guidance) and
//!   `relevant` (show-if) are XLSForm's own columns, with `::Language (code)`
//!   translations.
//! - `choices`: `list_name`, `name`, `label::…`.
//! - `settings`: `form_id`, `version`, `form_title::…`, `default_language`.
//! - Senda's own fields: `senda::<field>` columns, and the sheets
//!   `senda_indicators`, `senda_thresholds` and `senda_levels`.
//!
//! Fields the mapping does not name are carried generically (a `senda::`
//! column per field: text per language, numbers and yes/no as cells,
//! anything else as JSON), so a checklist survives export → import even as
//! its model grows.
//!
//! `relevant` and an indicator's `when` are read with a small
//! recursive-descent parser of the ODK expression subset Senda's conditions
//! can say (`${q} = 'x'`, `selected(${q}, 'x')`, `>=`, `<=`, `and`, `or`,
//! `not()`); anything else is refused with its sheet, row and column.

use super::{Checklist, ChecklistError};
use crate::directory::import::{ImportError, read_bytes};
use calamine::{Data, Reader, Xlsx};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A checklist workbook is small; anything larger is refused before it is read.
pub const MAX_WORKBOOK_BYTES: u64 = 5 * 1024 * 1024;

const YES_NO_LIST: &str = "yes_no";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XlsformError {
    #[error(transparent)]
    File(#[from] ImportError),
    /// pyxform's style: sheet, `[row : N]`, column, and what is wrong.
    #[error("{sheet} sheet, [row : {row}], column '{column}': {message}")]
    At {
        sheet: String,
        row: u32,
        column: String,
        message: String,
    },
    #[error("the checklist is not valid: {0}")]
    Checklist(String),
    #[error("the workbook could not be written: {0}")]
    Write(String),
}

impl XlsformError {
    pub const ALL_CODES: &'static [&'static str] = &["xlsform"];

    pub fn code(&self) -> &'static str {
        match self {
            Self::File(e) => e.code(),
            _ => "xlsform",
        }
    }
}

fn at(sheet: &str, row: u32, column: &str, message: impl Into<String>) -> XlsformError {
    XlsformError::At {
        sheet: sheet.into(),
        row,
        column: column.into(),
        message: message.into(),
    }
}

// ----------------------------------------------------------------- languages

const LANGUAGES: &[(&str, &str)] = &[
    ("es", "Español"),
    ("en", "English"),
    ("pt", "Português"),
    ("fr", "Français"),
];

fn language_header(code: &str) -> String {
    let name = LANGUAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, n)| n);
    format!("{name} ({code})")
}

/// The code in `Español (es)`, or a bare code.
fn language_code(header: &str) -> Option<String> {
    let h = header.trim();
    if let (Some(open), true) = (h.rfind('('), h.ends_with(')')) {
        let code = h[open + 1..h.len() - 1].trim();
        return (!code.is_empty()).then(|| code.to_lowercase());
    }
    let plain = h.len() <= 3 && h.chars().all(|c| c.is_ascii_alphabetic());
    plain.then(|| h.to_lowercase())
}

// ---------------------------------------------------------------- expressions

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Ref(String),
    Current,
    Str(String),
    Num(f64),
    Cmp(String, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
    Arith(String, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ref(String),
    Str(String),
    Num(f64),
    Name(String),
    Op(String),
    Dot,
    Open,
    Close,
    Comma,
}

/// Tokens with the character they start at (1-based), for messages.
fn lex(s: &str) -> Result<Vec<(usize, Tok)>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '$' {
            if chars.get(i + 1) != Some(&'{') {
                return Err(format!(
                    "character {start}: reference variables must start with '${{', then a question name, and end with '}}'"
                ));
            }
            let close = chars[i..]
                .iter()
                .position(|&c| c == '}')
                .ok_or_else(|| format!("character {start}: '${{' is not closed with '}}'"))?;
            let name: String = chars[i + 2..i + close].iter().collect();
            if name.is_empty() {
                return Err(format!("character {start}: empty reference '${{}}'"));
            }
            out.push((start, Tok::Ref(name)));
            i += close + 1;
        } else if c == '\'' || c == '"' {
            let close = chars[i + 1..]
                .iter()
                .position(|&q| q == c)
                .ok_or_else(|| format!("character {start}: the text is not closed with {c}"))?;
            out.push((
                start,
                Tok::Str(chars[i + 1..i + 1 + close].iter().collect()),
            ));
            i += close + 2;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let len = chars[i..]
                .iter()
                .position(|c| !(c.is_ascii_digit() || *c == '.'))
                .unwrap_or(chars.len() - i);
            let text: String = chars[i..i + len].iter().collect();
            let n = text
                .parse()
                .map_err(|_| format!("character {start}: '{text}' is not a number"))?;
            out.push((start, Tok::Num(n)));
            i += len;
        } else if c.is_alphabetic() || c == '_' {
            let len = chars[i..]
                .iter()
                .position(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.')))
                .unwrap_or(chars.len() - i);
            out.push((start, Tok::Name(chars[i..i + len].iter().collect())));
            i += len;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let (tok, len) = match (c, two.as_str()) {
                (_, "!=" | "<=" | ">=") => (Tok::Op(two.clone()), 2),
                ('=' | '<' | '>' | '+' | '-' | '*', _) => (Tok::Op(c.to_string()), 1),
                ('.', _) => (Tok::Dot, 1),
                ('(', _) => (Tok::Open, 1),
                (')', _) => (Tok::Close, 1),
                (',', _) => (Tok::Comma, 1),
                _ => return Err(format!("character {start}: unexpected '{c}'")),
            };
            out.push((start, tok));
            i += len;
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    at: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(_, t)| t)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.len + 1, |(p, _)| *p)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).map(|(_, t)| t.clone());
        self.at += 1;
        t
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(n)) if n == w)
    }
    fn expect(&mut self, want: Tok, what: &str) -> Result<(), String> {
        let pos = self.pos();
        match self.next() {
            Some(t) if t == want => Ok(()),
            _ => Err(format!("character {pos}: expected {what}")),
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.is_word("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.cmp()?;
        while self.is_word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.cmp()?));
        }
        Ok(left)
    }
    fn cmp(&mut self) -> Result<Expr, String> {
        let left = self.sum()?;
        if let Some(Tok::Op(op)) = self.peek()
            && matches!(op.as_str(), "=" | "!=" | "<" | "<=" | ">" | ">=")
        {
            let op = op.clone();
            self.at += 1;
            return Ok(Expr::Cmp(op, Box::new(left), Box::new(self.sum()?)));
        }
        Ok(left)
    }
    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        while let Some(Tok::Op(op)) = self.peek() {
            if !matches!(op.as_str(), "+" | "-") {
                break;
            }
            let op = op.clone();
            self.at += 1;
            left = Expr::Arith(op, Box::new(left), Box::new(self.product()?));
        }
        Ok(left)
    }
    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(o)) if o == "*" => o.clone(),
                Some(Tok::Name(n)) if n == "div" || n == "mod" => n.clone(),
                _ => break,
            };
            self.at += 1;
            left = Expr::Arith(op, Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if matches!(self.peek(), Some(Tok::Op(o)) if o == "-") {
            self.at += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Expr, String> {
        let pos = self.pos();
        match self.next() {
            Some(Tok::Ref(r)) => Ok(Expr::Ref(r)),
            Some(Tok::Str(s)) => Ok(Expr::Str(s)),
            Some(Tok::Num(n)) => Ok(Expr::Num(n)),
            Some(Tok::Dot) => Ok(Expr::Current),
            Some(Tok::Open) => {
                let e = self.or()?;
                self.expect(Tok::Close, "')'")?;
                Ok(e)
            }
            Some(Tok::Name(name)) => {
                self.expect(Tok::Open, &format!("'(' after '{name}'"))?;
                let mut args = Vec::new();
                if self.peek() != Some(&Tok::Close) {
                    loop {
                        args.push(self.or()?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.at += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect(Tok::Close, &format!("')' to close '{name}('"))?;
                Ok(Expr::Call(name, args))
            }
            Some(t) => Err(format!("character {pos}: unexpected {t:?}")),
            None => Err(format!("character {pos}: the expression ends too soon")),
        }
    }
}

fn parse(s: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(s)?,
        at: 0,
        len: s.chars().count(),
    };
    let e = p.or()?;
    if p.at < p.toks.len() {
        return Err(format!(
            "character {}: unexpected text after the expression",
            p.pos()
        ));
    }
    Ok(e)
}

/// What a question is, for turning expressions into matches.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    YesNo,
    Single,
    Multiple,
    Number,
    Text,
}

/// An expression as one of Senda's conditions: `{question, is}`.
fn to_condition(e: &Expr, shapes: &BTreeMap<String, Shape>) -> Result<Value, String> {
    let (q, m) = to_match(e, shapes)?;
    Ok(json!({ "question": q, "is": m }))
}

fn to_match(e: &Expr, shapes: &BTreeMap<String, Shape>) -> Result<(String, Value), String> {
    let shape = |q: &str| {
        shapes
            .get(q)
            .copied()
            .ok_or_else(|| format!("Could not find the name '{q}'"))
    };
    let outside = |what: &str| {
        Err(format!(
            "{what} is outside what Senda's show-if can express (one question: = 'x', selected(), >=, <=, or, not())"
        ))
    };
    match e {
        Expr::Or(a, b) => {
            let (qa, ma) = to_match(a, shapes)?;
            let (qb, mb) = to_match(b, shapes)?;
            match (ma.get("any-of"), mb.get("any-of")) {
                (Some(Value::Array(x)), Some(Value::Array(y))) if qa == qb => {
                    let mut all = x.clone();
                    all.extend(y.iter().cloned());
                    Ok((qa, json!({ "any-of": all })))
                }
                _ => outside("'or' between different questions or kinds of answer"),
            }
        }
        Expr::And(..) => outside("'and'"),
        Expr::Call(f, args) if f == "not" && args.len() == 1 => {
            let (q, m) = to_match(&args[0], shapes)?;
            match m.as_str() {
                Some("yes") => Ok((q, json!("no"))),
                Some("no") => Ok((q, json!("yes"))),
                _ => outside("not() of anything but a yes/no answer"),
            }
        }
        Expr::Call(f, args) if f == "selected" => match args.as_slice() {
            [Expr::Ref(q), Expr::Str(v)] => match shape(q)? {
                Shape::Single | Shape::Multiple => Ok((q.clone(), json!({ "any-of": [v] }))),
                _ => Err(format!(
                    "selected() needs a select question; '{q}' is not one"
                )),
            },
            _ => Err("selected() takes a ${question} and a 'choice'".into()),
        },
        Expr::Cmp(op, a, b) => {
            let (op, q, v) = match (a.as_ref(), b.as_ref()) {
                (Expr::Ref(q), v) => (op.clone(), q, v),
                (v, Expr::Ref(q)) => (
                    match op.as_str() {
                        "<=" => ">=".into(),
                        ">=" => "<=".into(),
                        other => other.into(),
                    },
                    q,
                    v,
                ),
                (a, b) => {
                    return match [a, b]
                        .into_iter()
                        .find(|e| matches!(e, Expr::Call(..) | Expr::Arith(..)))
                    {
                        Some(Expr::Call(f, _)) => outside(&format!("the function {f}()")),
                        Some(Expr::Arith(op, ..)) => outside(&format!("arithmetic ('{op}')")),
                        _ => outside("a comparison without a ${question}"),
                    };
                }
            };
            match (shape(q)?, op.as_str(), v) {
                (Shape::YesNo, "=", Expr::Str(s)) if s == "yes" || s == "no" => {
                    Ok((q.clone(), json!(s)))
                }
                (Shape::YesNo, "!=", Expr::Str(s)) if s == "yes" || s == "no" => {
                    Ok((q.clone(), json!(if s == "yes" { "no" } else { "yes" })))
                }
                (Shape::Single, "=", Expr::Str(s)) => Ok((q.clone(), json!({ "any-of": [s] }))),
                (Shape::Number, ">=", Expr::Num(n)) => Ok((q.clone(), json!({ "at-least": n }))),
                (Shape::Number, "<=", Expr::Num(n)) => Ok((q.clone(), json!({ "at-most": n }))),
                (Shape::Multiple, "=", _) => {
                    Err("use selected(${q}, 'x') for a select_multiple question: '=' only matches when that is the only choice".into())
                }
                _ => outside(&format!("'{op}' on this question")),
            }
        }
        Expr::Call(f, _) => outside(&format!("the function {f}()")),
        Expr::Arith(op, ..) => outside(&format!("arithmetic ('{op}')")),
        _ => outside("this expression"),
    }
}

/// A condition as an ODK expression.
fn to_expression(question: &str, m: &Value, shapes: &BTreeMap<String, Shape>) -> String {
    let r = format!("${{{question}}}");
    let quote = |s: &str| {
        if s.contains('\'') {
            format!("\"{s}\"")
        } else {
            format!("'{s}'")
        }
    };
    match m {
        Value::String(s) => format!("{r} = {}", quote(s)),
        Value::Object(o) => {
            if let Some(Value::Array(ids)) = o.get("any-of") {
                let multiple = shapes.get(question) == Some(&Shape::Multiple);
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(|id| {
                        if multiple {
                            format!("selected({r}, {})", quote(id))
                        } else {
                            format!("{r} = {}", quote(id))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            } else if let Some(n) = o.get("at-least") {
                format!("{r} >= {n}")
            } else if let Some(n) = o.get("at-most") {
                format!("{r} <= {n}")
            } else {
                String::new()
            }
        }
        _ => String::new(),
    }
}

// ------------------------------------------------------------------ cells

/// A cell value as written or read.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
}

fn cell_of(d: &Data) -> Option<Cell> {
    match d {
        Data::Empty => None,
        Data::String(s) if s.trim().is_empty() => None,
        Data::String(s) => Some(Cell::Text(s.clone())),
        Data::Float(f) => Some(Cell::Number(*f)),
        Data::Int(i) => Some(Cell::Number(*i as f64)),
        Data::Bool(b) => Some(Cell::Bool(*b)),
        other => Some(Cell::Text(other.to_string())),
    }
}

impl Cell {
    /// As pyxform reads it: numbers without a trailing `.0`.
    fn text(&self) -> String {
        match self {
            Self::Text(s) => s.trim().to_owned(),
            Self::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Self::Number(f) => f.to_string(),
            Self::Bool(b) => if *b { "yes" } else { "no" }.into(),
        }
    }

    /// The text exactly as written (for labels and hints).
    fn raw(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            other => other.text(),
        }
    }

    /// A value of a field the mapping does not name.
    fn to_json(&self) -> Value {
        match self {
            Self::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => json!(*f as i64),
            Self::Number(f) => json!(f),
            Self::Bool(b) => json!(b),
            Self::Text(s) => text_to_json(s),
        }
    }
}

fn text_to_json(s: &str) -> Value {
    match s.trim() {
        "yes" | "true" | "TRUE" => json!(true),
        "no" | "false" | "FALSE" => json!(false),
        t => serde_json::from_str(t).unwrap_or_else(|_| Value::String(s.to_owned())),
    }
}

/// A JSON value as a cell that reads back the same.
fn json_to_cell(v: &Value) -> Option<Cell> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(Cell::Bool(*b)),
        Value::Number(n) => n.as_f64().map(Cell::Number),
        Value::String(s) if text_to_json(s) == *v => Some(Cell::Text(s.clone())),
        other => Some(Cell::Text(other.to_string())),
    }
}

/// Text in several languages: an object of language codes to strings.
fn is_text(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.iter().all(|(k, v)| {
            v.is_string() && (2..=3).contains(&k.len()) && k.chars().all(|c| c.is_ascii_lowercase())
        })
    })
}

// --------------------------------------------------------------- sheets out

/// A sheet being written: headers in first-use order, rows of cells.
#[derive(Default)]
struct SheetOut {
    headers: Vec<String>,
    rows: Vec<BTreeMap<usize, Cell>>,
}

impl SheetOut {
    fn col(&mut self, header: &str) -> usize {
        match self.headers.iter().position(|h| h == header) {
            Some(i) => i,
            None => {
                self.headers.push(header.into());
                self.headers.len() - 1
            }
        }
    }
    fn row(&mut self) -> usize {
        self.rows.push(BTreeMap::new());
        self.rows.len() - 1
    }
    fn set(&mut self, row: usize, header: &str, cell: Cell) {
        let c = self.col(header);
        self.rows[row].insert(c, cell);
    }
    fn text(&mut self, row: usize, header: &str, s: &str) {
        if !s.is_empty() {
            self.set(row, header, Cell::Text(s.into()));
        }
    }
    /// `header::Español (es)` … for each language.
    fn translated(&mut self, row: usize, header: &str, v: &Value) {
        if let Some(o) = v.as_object() {
            for (code, s) in o {
                if let Some(s) = s.as_str() {
                    self.text(row, &format!("{header}::{}", language_header(code)), s);
                }
            }
        }
    }
    /// Every field of `object` not in `known`, as `{prefix}{field}` columns.
    fn extras(&mut self, row: usize, prefix: &str, object: &Map<String, Value>, known: &[&str]) {
        for (key, v) in object.iter().filter(|(k, _)| !known.contains(&k.as_str())) {
            let header = format!("{prefix}{key}");
            if is_text(v) {
                self.translated(row, &header, v);
            } else if key == "service_categories"
                && let Some(items) = v.as_array()
                && items.iter().all(|i| {
                    i.as_str()
                        .is_some_and(|s| !s.is_empty() && !s.contains(char::is_whitespace))
                })
            {
                // Codes, space-separated like an XLSForm select_multiple value.
                let joined: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                if !joined.is_empty() {
                    self.text(row, &header, &joined.join(" "));
                }
            } else if let Some(items) = v
                .as_array()
                .filter(|a| !a.is_empty() && a.iter().all(is_text))
            {
                for (n, item) in items.iter().enumerate() {
                    self.translated(row, &format!("{header}.{}", n + 1), item);
                }
            } else if let Some(cell) = json_to_cell(v) {
                self.set(row, &header, cell);
            }
        }
    }
}

/// Writes a checklist as an XLSForm workbook.
pub fn export(checklist: &Checklist) -> Result<Vec<u8>, XlsformError> {
    let value = serde_json::to_value(checklist).map_err(|e| XlsformError::Write(e.to_string()))?;
    let empty = Map::new();
    let root = value.as_object().unwrap_or(&empty);
    let mut shapes = BTreeMap::new();
    for s in array(root, "sections") {
        for q in array(s, "questions") {
            shapes.insert(str_of(q, "id"), shape_of(q.get("kind")));
        }
    }

    let mut survey = SheetOut::default();
    let mut choices = SheetOut::default();
    for h in ["type", "name"] {
        survey.col(h);
    }
    for h in ["list_name", "name"] {
        choices.col(h);
    }
    let mut yes_no = false;
    for s in array(root, "sections") {
        let r = survey.row();
        survey.text(r, "type", "begin_group");
        survey.text(r, "name", &str_of(s, "id"));
        survey.translated(r, "label", s.get("title").unwrap_or(&Value::Null));
        if let Some(c) = s.get("show_if").filter(|c| !c.is_null()) {
            let expr = to_expression(
                &str_of(c.as_object().unwrap_or(&empty), "question"),
                c.get("is").unwrap_or(&Value::Null),
                &shapes,
            );
            survey.text(r, "relevant", &expr);
        }
        survey.extras(
            r,
            "senda::",
            s,
            &["id", "title", "questions", "show_if", "note"],
        );
        if let Some(note) = s.get("note").filter(|n| is_text(n)) {
            let r = survey.row();
            survey.text(r, "type", "note");
            survey.text(r, "name", &format!("{}_note", str_of(s, "id")));
            survey.translated(r, "label", note);
        }
        for q in array(s, "questions") {
            let id = str_of(q, "id");
            let r = survey.row();
            let kind = q.get("kind").and_then(Value::as_object).unwrap_or(&empty);
            let ty = match kind.get("type").and_then(Value::as_str).unwrap_or("") {
                "yes-no" => {
                    yes_no = true;
                    format!("select_one {YES_NO_LIST}")
                }
                "single-choice" => format!("select_one {id}"),
                "multiple-choice" => format!("select_multiple {id}"),
                "number" => {
                    let (min, max) = (
                        kind.get("min").cloned().unwrap_or_default(),
                        kind.get("max").cloned().unwrap_or_default(),
                    );
                    survey.text(r, "constraint", &format!(". >= {min} and . <= {max}"));
                    "decimal".into()
                }
                "short-text" => {
                    let len = kind.get("max_len").cloned().unwrap_or_default();
                    survey.text(r, "constraint", &format!("string-length(.) <= {len}"));
                    "text".into()
                }
                other => {
                    return Err(XlsformError::Write(format!(
                        "question '{id}': no XLSForm type for '{other}'"
                    )));
                }
            };
            survey.text(r, "type", &ty);
            survey.text(r, "name", &id);
            survey.translated(r, "label", q.get("text").unwrap_or(&Value::Null));
            survey.translated(r, "hint", q.get("guidance").unwrap_or(&Value::Null));
            if let Some(c) = q.get("show_if").filter(|c| !c.is_null()) {
                let expr = to_expression(
                    &str_of(c.as_object().unwrap_or(&empty), "question"),
                    c.get("is").unwrap_or(&Value::Null),
                    &shapes,
                );
                survey.text(r, "relevant", &expr);
            }
            survey.extras(
                r,
                "senda::",
                q,
                &["id", "text", "guidance", "kind", "show_if"],
            );
            for o in kind
                .get("options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(o) = o.as_object() else { continue };
                let cr = choices.row();
                choices.text(cr, "list_name", &id);
                choices.text(cr, "name", &str_of(o, "id"));
                choices.translated(cr, "label", o.get("text").unwrap_or(&Value::Null));
                choices.extras(cr, "senda::", o, &["id", "text"]);
            }
            // Kind fields other than type/options/min/max/max_len, if the model grows some.
            let extra_kind: Map<String, Value> = kind
                .iter()
                .filter(|(k, _)| {
                    !["type", "options", "min", "max", "max_len"].contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            survey.extras(r, "senda::kind.", &extra_kind, &[]);
        }
        let r = survey.row();
        survey.text(r, "type", "end_group");
    }
    if yes_no {
        for (name, es, en, pt) in [("yes", "Sí", "Yes", "Sim"), ("no", "No", "No", "Não")] {
            let cr = choices.row();
            choices.text(cr, "list_name", YES_NO_LIST);
            choices.text(cr, "name", name);
            for (code, label) in [("es", es), ("en", en), ("pt", pt)] {
                choices.text(cr, &format!("label::{}", language_header(code)), label);
            }
        }
    }

    let mut settings = SheetOut::default();
    let r = settings.row();
    settings.text(r, "form_id", &str_of(root, "id"));
    if let Some(v) = root.get("version").and_then(json_to_cell) {
        settings.set(r, "version", v);
    }
    settings.translated(r, "form_title", root.get("title").unwrap_or(&Value::Null));
    settings.text(r, "default_language", &language_header("es"));
    settings.extras(
        r,
        "senda::",
        root,
        &[
            "id",
            "version",
            "title",
            "sections",
            "indicators",
            "thresholds",
            "levels",
        ],
    );

    let mut indicators = SheetOut::default();
    for h in ["name", "when"] {
        indicators.col(h);
    }
    for i in array(root, "indicators") {
        let r = indicators.row();
        indicators.text(r, "name", &str_of(i, "id"));
        indicators.text(
            r,
            "when",
            &to_expression(
                &str_of(i, "question"),
                i.get("when").unwrap_or(&Value::Null),
                &shapes,
            ),
        );
        indicators.extras(r, "", i, &["id", "question", "when"]);
    }
    let mut thresholds = SheetOut::default();
    for t in array(root, "thresholds") {
        let r = thresholds.row();
        thresholds.extras(r, "", t, &[]);
    }
    let mut levels = SheetOut::default();
    for l in array(root, "levels") {
        let r = levels.row();
        levels.extras(r, "", l, &[]);
    }

    let mut book = rust_xlsxwriter::Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| XlsformError::Write(e.to_string());
    for (name, sheet) in [
        ("survey", &survey),
        ("choices", &choices),
        ("settings", &settings),
        ("senda_indicators", &indicators),
        ("senda_thresholds", &thresholds),
        ("senda_levels", &levels),
    ] {
        let ws = book.add_worksheet();
        ws.set_name(name).map_err(err)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string(0, c as u16, h).map_err(err)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row {
                let (r, c) = (r as u32 + 1, *c as u16);
                match cell {
                    Cell::Text(s) => ws.write_string(r, c, s),
                    Cell::Number(n) => ws.write_number(r, c, *n),
                    Cell::Bool(b) => ws.write_boolean(r, c, *b),
                }
                .map_err(err)?;
            }
        }
    }
    book.save_to_buffer().map_err(err)
}

fn array<'a>(o: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    o.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn str_of(o: &Map<String, Value>, key: &str) -> String {
    o.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn shape_of(kind: Option<&Value>) -> Shape {
    match kind.and_then(|k| k.get("type")).and_then(Value::as_str) {
        Some("yes-no") => Shape::YesNo,
        Some("single-choice") => Shape::Single,
        Some("multiple-choice") => Shape::Multiple,
        Some("number") => Shape::Number,
        _ => Shape::Text,
    }
}

// ---------------------------------------------------------------- sheets in

/// A sheet as read: headers split on `::`, rows with their Excel row number.
struct SheetIn {
    name: String,
    /// (column header as written, field, language code)
    headers: Vec<(String, String, Option<String>)>,
    rows: Vec<(u32, Vec<Option<Cell>>)>,
}

impl SheetIn {
    fn read(
        book: &mut Xlsx<std::io::Cursor<Vec<u8>>>,
        name: &str,
        default_lang: &str,
    ) -> Result<Option<Self>, XlsformError> {
        if !book.sheet_names().iter().any(|s| s == name) {
            return Ok(None);
        }
        let range = book
            .worksheet_range(name)
            .map_err(|e| at(name, 1, "", format!("cannot be read: {e}")))?;
        let first_row = range.start().map_or(0, |(r, _)| r);
        let mut rows = range.rows();
        let headers: Vec<(String, String, Option<String>)> = rows
            .next()
            .unwrap_or_default()
            .iter()
            .map(|d| {
                let raw = cell_of(d).map(|c| c.text()).unwrap_or_default();
                let (field, lang) = split_header(&raw, default_lang);
                (raw, field, lang)
            })
            .collect();
        let mut out = Vec::new();
        for (i, row) in rows.enumerate() {
            let cells: Vec<Option<Cell>> = row.iter().map(cell_of).collect();
            if cells.iter().all(Option::is_none) {
                continue;
            }
            out.push((first_row + i as u32 + 2, cells));
        }
        Ok(Some(Self {
            name: name.into(),
            headers,
            rows: out,
        }))
    }

    fn get(&self, row: &[Option<Cell>], field: &str) -> Option<Cell> {
        self.headers
            .iter()
            .position(|(_, f, l)| f == field && l.is_none())
            .and_then(|i| row.get(i).cloned().flatten())
    }

    fn text(&self, row: &[Option<Cell>], field: &str) -> String {
        self.get(row, field).map(|c| c.text()).unwrap_or_default()
    }

    /// The translations of a field: `label::Español (es)`, or plain `label` in the default language.
    fn translated(&self, row: &[Option<Cell>], field: &str, default_lang: &str) -> Option<Value> {
        let mut text = Map::new();
        for (i, (_, f, lang)) in self.headers.iter().enumerate() {
            if f != field {
                continue;
            }
            let Some(cell) = row.get(i).cloned().flatten() else {
                continue;
            };
            let code = lang.clone().unwrap_or_else(|| default_lang.to_owned());
            text.entry(code).or_insert(Value::String(cell.raw()));
        }
        (!text.is_empty()).then_some(Value::Object(text))
    }

    /// Every field of a row under `prefix` not in `known`, decoded generically.
    fn extras(
        &self,
        row: &[Option<Cell>],
        prefix: &str,
        known: &[&str],
        default_lang: &str,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        let mut lists: BTreeMap<String, BTreeMap<usize, Map<String, Value>>> = BTreeMap::new();
        for (i, (_, field, lang)) in self.headers.iter().enumerate() {
            let Some(key) = field.strip_prefix(prefix) else {
                continue;
            };
            if key.is_empty() || known.contains(&key) {
                continue;
            }
            let Some(cell) = row.get(i).cloned().flatten() else {
                continue;
            };
            // `actions.2::English (en)`: the second item of a list of texts.
            if let Some((base, n)) = key.rsplit_once('.')
                && let Ok(n) = n.parse::<usize>()
                && lang.is_some()
            {
                lists
                    .entry(base.to_owned())
                    .or_default()
                    .entry(n)
                    .or_default()
                    .insert(lang.clone().unwrap_or_default(), Value::String(cell.raw()));
                continue;
            }
            if let Some(code) = lang {
                let entry = out
                    .entry(key.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(o) = entry.as_object_mut() {
                    o.insert(code.clone(), Value::String(cell.raw()));
                }
                continue;
            }
            let value = if key == "service_categories" {
                match cell.to_json() {
                    Value::Array(a) => Value::Array(a),
                    _ => Value::Array(cell.text().split_whitespace().map(|s| json!(s)).collect()),
                }
            } else {
                cell.to_json()
            };
            out.insert(key.to_owned(), value);
        }
        let _ = default_lang;
        for (key, items) in lists {
            out.insert(
                key,
                Value::Array(items.into_values().map(Value::Object).collect()),
            );
        }
        out
    }

    fn column_name(&self, field: &str) -> String {
        self.headers
            .iter()
            .find(|(_, f, _)| f == field)
            .map(|(raw, _, _)| raw.clone())
            .unwrap_or_else(|| field.to_owned())
    }
}

/// `label::Español (es)` → (`label`, `es`); `senda::weight` → (`senda::weight`, none);
/// `senda::note::English (en)` → (`senda::note`, `en`). Aliases as pyxform has them.
fn split_header(raw: &str, _default_lang: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = raw.split("::").map(str::trim).collect();
    let (field, rest): (String, &[&str]) = if parts.len() > 1 && parts[0] == "senda" {
        (format!("senda::{}", parts[1]), &parts[2..])
    } else {
        (parts[0].to_owned(), &parts[1..])
    };
    let field = match field.as_str() {
        "list name" => "list_name".to_owned(),
        "relevance" => "relevant".to_owned(),
        other => other.to_owned(),
    };
    let lang = rest.first().and_then(|l| language_code(l));
    (field, lang)
}

/// A question or group name as XLSForm allows it.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Reads an XLSForm workbook as a checklist; every refusal names sheet, row and column.
pub fn import(path: &Path) -> Result<Checklist, XlsformError> {
    let bytes = read_bytes(path, MAX_WORKBOOK_BYTES)?;
    import_bytes(
        bytes,
        &path.file_name().unwrap_or_default().to_string_lossy(),
    )
}

pub fn import_bytes(bytes: Vec<u8>, file: &str) -> Result<Checklist, XlsformError> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(
        |e: calamine::XlsxError| ImportError::NotAWorkbook {
            file: file.into(),
            detail: e.to_string(),
        },
    )?;
    let missing = |sheet: &str| ImportError::MissingSheet {
        file: file.into(),
        sheet: sheet.into(),
    };
    let settings = SheetIn::read(&mut book, "settings", "es")?;
    let default_lang = settings
        .as_ref()
        .and_then(|s| s.rows.first().map(|(_, r)| s.text(r, "default_language")))
        .and_then(|l| language_code(&l))
        .unwrap_or_else(|| "es".into());
    let survey =
        SheetIn::read(&mut book, "survey", &default_lang)?.ok_or_else(|| missing("survey"))?;
    let choices = SheetIn::read(&mut book, "choices", &default_lang)?;
    for (sheet, required) in [
        (Some(&survey), &["type", "name"][..]),
        (choices.as_ref(), &["list_name", "name"][..]),
    ] {
        let Some(sheet) = sheet else { continue };
        let absent: Vec<&str> = required
            .iter()
            .copied()
            .filter(|h| !sheet.headers.iter().any(|(_, f, _)| f == h))
            .collect();
        if !absent.is_empty() {
            return Err(at(
                &sheet.name,
                1,
                "",
                format!(
                    "Invalid headers provided for sheet: '{}'. One or more required column headers were not found: {}.",
                    sheet.name,
                    absent.join(", ")
                ),
            ));
        }
    }

    // Choice lists, in order.
    let mut lists: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    if let Some(ch) = &choices {
        for (row, cells) in &ch.rows {
            let list = ch.text(cells, "list_name");
            let name = ch.text(cells, "name");
            if list.is_empty() || name.is_empty() {
                return Err(at(
                    &ch.name,
                    *row,
                    &ch.column_name(if list.is_empty() { "list_name" } else { "name" }),
                    "a choice needs a list_name and a name",
                ));
            }
            let items = lists.entry(list.clone()).or_default();
            if items
                .iter()
                .any(|o| o.get("id").and_then(Value::as_str) == Some(&name))
            {
                return Err(at(
                    &ch.name,
                    *row,
                    &ch.column_name("name"),
                    format!("The name '{name}' is used more than once in the list '{list}'."),
                ));
            }
            let mut o = Map::new();
            o.insert("id".into(), json!(name));
            o.insert(
                "text".into(),
                ch.translated(cells, "label", &default_lang)
                    .unwrap_or_else(|| json!({})),
            );
            o.extend(ch.extras(cells, "senda::", &[], &default_lang));
            items.push(Value::Object(o));
        }
    }

    // First pass: names and shapes, so relevant may refer to a later question.
    let mut shapes: BTreeMap<String, Shape> = BTreeMap::new();
    let mut rows_of: BTreeMap<String, u32> = BTreeMap::new();
    for (row, cells) in &survey.rows {
        let ty = survey.text(cells, "type");
        let (base, list) = split_type(&ty);
        let shape = match base.as_str() {
            "select_one" if is_yes_no(list, list.and_then(|l| lists.get(l))) => Shape::YesNo,
            "select_one" => Shape::Single,
            "select_multiple" => Shape::Multiple,
            "integer" | "decimal" => Shape::Number,
            _ => Shape::Text,
        };
        let name = survey.text(cells, "name");
        if !name.is_empty() {
            if rows_of.insert(name.clone(), *row).is_some() {
                return Err(at(
                    "survey",
                    *row,
                    &survey.column_name("name"),
                    format!("There are more than one survey elements named '{name}'."),
                ));
            }
            shapes.insert(name, shape);
        }
    }

    let mut sections: Vec<Value> = Vec::new();
    let mut current: Option<Map<String, Value>> = None;
    let mut open_row = 0;
    for (row, cells) in &survey.rows {
        let row = *row;
        let ty = survey.text(cells, "type");
        let name = survey.text(cells, "name");
        let (base, list) = split_type(&ty);
        let relevant = survey.text(cells, "relevant");
        let condition = |shapes: &BTreeMap<String, Shape>| -> Result<Option<Value>, XlsformError> {
            if relevant.is_empty() {
                return Ok(None);
            }
            let column = survey.column_name("relevant");
            let expr = parse(&relevant)
                .map_err(|m| at("survey", row, &column, format!("'{relevant}': {m}")))?;
            to_condition(&expr, shapes)
                .map(Some)
                .map_err(|m| at("survey", row, &column, format!("'{relevant}': {m}")))
        };
        if base.is_empty() && name.is_empty() {
            continue;
        }
        if matches!(
            base.as_str(),
            "start"
                | "end"
                | "today"
                | "deviceid"
                | "username"
                | "phonenumber"
                | "audit"
                | "simserial"
                | "subscriberid"
                | "start-geopoint"
        ) {
            // Metadata ODK collects by itself; Senda never does (data minimal).
            continue;
        }
        if base != "end_group" && !valid_name(&name) {
            return Err(at(
                "survey",
                row,
                &survey.column_name("name"),
                if name.is_empty() {
                    "Question or group with no name.".to_owned()
                } else {
                    format!(
                        "The name '{name}' contains an invalid character: names must begin with a letter or underscore, then letters, digits, hyphens, underscores or periods."
                    )
                },
            ));
        }
        match base.as_str() {
            "begin_group" => {
                if current.is_some() {
                    return Err(at(
                        "survey",
                        row,
                        &survey.column_name("type"),
                        "Senda's sections do not nest: close the group above with end_group first.",
                    ));
                }
                let mut s = Map::new();
                s.insert("id".into(), json!(name));
                s.insert(
                    "title".into(),
                    survey
                        .translated(cells, "label", &default_lang)
                        .unwrap_or_else(|| json!({})),
                );
                s.insert("questions".into(), json!([]));
                if let Some(c) = condition(&shapes)? {
                    s.insert("show_if".into(), c);
                }
                s.extend(survey.extras(cells, "senda::", &[], &default_lang));
                current = Some(s);
                open_row = row;
            }
            "end_group" => {
                let Some(s) = current.take() else {
                    return Err(at(
                        "survey",
                        row,
                        &survey.column_name("type"),
                        "Unmatched 'end_group'. No matching 'begin_group' was found.",
                    ));
                };
                sections.push(Value::Object(s));
            }
            "note" => {
                let Some(s) = current.as_mut() else {
                    return Err(at(
                        "survey",
                        row,
                        &survey.column_name("type"),
                        "A note must be inside a group (a Senda section).",
                    ));
                };
                if s.contains_key("note") {
                    return Err(at(
                        "survey",
                        row,
                        &survey.column_name("type"),
                        "A section has one note: join the two notes.",
                    ));
                }
                s.insert(
                    "note".into(),
                    survey
                        .translated(cells, "label", &default_lang)
                        .unwrap_or_else(|| json!({})),
                );
            }
            "select_one" | "select_multiple" | "integer" | "decimal" | "text" => {
                let Some(s) = current.as_mut() else {
                    return Err(at(
                        "survey",
                        row,
                        &survey.column_name("type"),
                        "Questions must be inside a group (begin_group … end_group): each group is a Senda section.",
                    ));
                };
                let constraint = survey.text(cells, "constraint");
                let kind = match base.as_str() {
                    "select_one" | "select_multiple" => {
                        let list_name = list.unwrap_or_default();
                        let Some(options) = lists.get(list_name) else {
                            return Err(match &choices {
                                None => XlsformError::File(missing("choices")),
                                Some(_) => at(
                                    "survey",
                                    row,
                                    &survey.column_name("type"),
                                    format!("List name not in choices sheet: {list_name}"),
                                ),
                            });
                        };
                        if shapes.get(&name) == Some(&Shape::YesNo) {
                            json!({ "type": "yes-no" })
                        } else {
                            let ty = if base == "select_one" {
                                "single-choice"
                            } else {
                                "multiple-choice"
                            };
                            if ty == "multiple-choice"
                                && let Some(bad) = options
                                    .iter()
                                    .filter_map(|o| o.get("id").and_then(Value::as_str))
                                    .find(|id| id.contains(' '))
                            {
                                return Err(at(
                                    "choices",
                                    0,
                                    "name",
                                    format!(
                                        "Choice names with spaces cannot be added to multiple choice selects: '{bad}' in '{list_name}'"
                                    ),
                                ));
                            }
                            json!({ "type": ty, "options": options })
                        }
                    }
                    "integer" | "decimal" => {
                        let (min, max) = number_bounds(&constraint)
                            .map_err(|m| at("survey", row, &survey.column_name("constraint"), m))?;
                        json!({ "type": "number", "min": min, "max": max })
                    }
                    _ => {
                        let max_len = text_length(&constraint)
                            .map_err(|m| at("survey", row, &survey.column_name("constraint"), m))?;
                        json!({ "type": "short-text", "max_len": max_len })
                    }
                };
                let mut kind = kind.as_object().cloned().unwrap_or_default();
                kind.extend(survey.extras(cells, "senda::kind.", &[], &default_lang));
                let mut q = Map::new();
                q.insert("id".into(), json!(name));
                q.insert(
                    "text".into(),
                    survey
                        .translated(cells, "label", &default_lang)
                        .unwrap_or_else(|| json!({})),
                );
                q.insert(
                    "guidance".into(),
                    survey
                        .translated(cells, "hint", &default_lang)
                        .unwrap_or_else(|| json!({})),
                );
                q.insert("kind".into(), Value::Object(kind));
                if let Some(c) = condition(&shapes)? {
                    q.insert("show_if".into(), c);
                }
                let extras = survey.extras(cells, "senda::", &[], &default_lang);
                q.extend(extras.into_iter().filter(|(k, _)| !k.starts_with("kind.")));
                if let Some(Value::Array(qs)) = s.get_mut("questions") {
                    qs.push(Value::Object(q));
                }
            }
            _ => {
                return Err(at(
                    "survey",
                    row,
                    &survey.column_name("type"),
                    format!("Unknown question type '{ty}'."),
                ));
            }
        }
    }
    if current.is_some() {
        return Err(at(
            "survey",
            open_row,
            &survey.column_name("type"),
            "Unmatched 'begin_group'. No matching 'end_group' was found.",
        ));
    }

    let mut root = Map::new();
    let settings_row = settings
        .as_ref()
        .and_then(|s| s.rows.first().map(|(_, r)| (s, r)));
    let id = settings_row
        .map(|(s, r)| s.text(r, "form_id"))
        .unwrap_or_default();
    if id.is_empty() {
        return Err(at(
            "settings",
            2,
            "form_id",
            "The checklist needs a form_id: it is its id in Senda.",
        ));
    }
    root.insert("id".into(), json!(id));
    // Stored with every screening: a whole number, not pyxform's free text.
    let version = match settings_row.and_then(|(s, r)| s.get(r, "version").map(|c| (s, c))) {
        None => json!(1),
        Some((s, c)) => match c.to_json() {
            Value::Number(n) if n.as_u64().is_some_and(|v| v <= u64::from(u32::MAX)) => {
                Value::Number(n)
            }
            _ => {
                let row = s.rows.first().map_or(2, |(r, _)| *r);
                return Err(at(
                    "settings",
                    row,
                    &s.column_name("version"),
                    format!(
                        "version '{}' must be a whole number (Senda stores it with each screening)",
                        c.text()
                    ),
                ));
            }
        },
    };
    root.insert("version".into(), version);
    root.insert(
        "title".into(),
        settings_row
            .and_then(|(s, r)| s.translated(r, "form_title", &default_lang))
            .unwrap_or_else(|| json!({})),
    );
    if let Some((s, r)) = settings_row {
        root.extend(s.extras(r, "senda::", &[], &default_lang));
    }
    root.insert("sections".into(), Value::Array(sections));

    let mut indicators = Vec::new();
    if let Some(sheet) = SheetIn::read(&mut book, "senda_indicators", &default_lang)? {
        for (row, cells) in &sheet.rows {
            let mut i = Map::new();
            i.insert("id".into(), json!(sheet.text(cells, "name")));
            let when = sheet.text(cells, "when");
            let column = sheet.column_name("when");
            let expr = parse(&when)
                .map_err(|m| at(&sheet.name, *row, &column, format!("'{when}': {m}")))?;
            let (question, m) = to_match(&expr, &shapes)
                .map_err(|m| at(&sheet.name, *row, &column, format!("'{when}': {m}")))?;
            i.insert("question".into(), json!(question));
            i.insert("when".into(), m);
            i.extend(sheet.extras(cells, "", &["name", "when"], &default_lang));
            indicators.push(Value::Object(i));
        }
    }
    root.insert("indicators".into(), Value::Array(indicators));
    for (sheet_name, key) in [
        ("senda_thresholds", "thresholds"),
        ("senda_levels", "levels"),
    ] {
        let mut items = Vec::new();
        if let Some(sheet) = SheetIn::read(&mut book, sheet_name, &default_lang)? {
            for (_, cells) in &sheet.rows {
                items.push(Value::Object(sheet.extras(cells, "", &[], &default_lang)));
            }
        }
        root.insert(key.into(), Value::Array(items));
    }

    let checklist: Checklist = serde_json::from_value(Value::Object(root))
        .map_err(|e| XlsformError::Checklist(e.to_string()))?;
    if let Err(errors) = checklist.validate() {
        // A cycle first, at its row; then every problem, each at its row when it has one.
        if let Some(ChecklistError::ConditionCycle { question }) = errors
            .iter()
            .find(|e| matches!(e, ChecklistError::ConditionCycle { .. }))
            && let Some(row) = rows_of.get(question)
        {
            return Err(at(
                "survey",
                *row,
                &survey.column_name("relevant"),
                format!("the relevant conditions of '{question}' form a cycle"),
            ));
        }
        let located: Vec<String> = errors
            .iter()
            .map(|e| {
                let text = e.to_string();
                let row = ["question '", "section '"].iter().find_map(|p| {
                    let rest = text.split_once(p)?.1;
                    rows_of.get(rest.split('\'').next()?)
                });
                match row {
                    Some(row) => format!("survey sheet, [row : {row}]: {text}"),
                    None => text,
                }
            })
            .collect();
        return Err(XlsformError::Checklist(located.join("; ")));
    }
    Ok(checklist)
}

/// `select_one list` → (`select_one`, `list`), with pyxform's aliases.
fn split_type(ty: &str) -> (String, Option<&str>) {
    let ty = ty.trim();
    let (head, list) = match ty.split_once(char::is_whitespace) {
        Some((h, rest)) => {
            let rest = rest.trim();
            // `select one x`, `select all that apply x`, `begin group`.
            if let Some(l) = rest.strip_prefix("one ") {
                (format!("{h}_one"), Some(l.trim()))
            } else if let Some(l) = rest.strip_prefix("all that apply ") {
                ("select_multiple".to_owned(), Some(l.trim()))
            } else if rest == "group" {
                (format!("{h}_group"), None)
            } else {
                (h.to_owned(), Some(rest))
            }
        }
        None => (ty.to_owned(), None),
    };
    let head = match head.as_str() {
        "select1" => "select_one".to_owned(),
        _ => head,
    };
    (head, list)
}

/// A `yes_no` (or `yesno`) list of exactly yes and no is Senda's yes/no question.
fn is_yes_no(list: Option<&str>, options: Option<&Vec<Value>>) -> bool {
    if !matches!(list, Some("yes_no" | "yesno")) {
        return false;
    }
    let Some(options) = options else { return false };
    let ids: BTreeSet<&str> = options
        .iter()
        .filter_map(|o| o.get("id").and_then(Value::as_str))
        .collect();
    ids == BTreeSet::from(["yes", "no"])
}

/// `. >= 0 and . <= 17` → (0, 17).
fn number_bounds(constraint: &str) -> Result<(f64, f64), String> {
    let need = "a number question needs a constraint '. >= MIN and . <= MAX'";
    if constraint.is_empty() {
        return Err(need.into());
    }
    let e = parse(constraint).map_err(|m| format!("'{constraint}': {m}"))?;
    let bound = |e: &Expr| match e {
        Expr::Cmp(op, a, b) => match (op.as_str(), a.as_ref(), b.as_ref()) {
            (">=", Expr::Current, Expr::Num(n)) | ("<=", Expr::Num(n), Expr::Current) => {
                Some((true, *n))
            }
            ("<=", Expr::Current, Expr::Num(n)) | (">=", Expr::Num(n), Expr::Current) => {
                Some((false, *n))
            }
            _ => None,
        },
        _ => None,
    };
    match &e {
        Expr::And(a, b) => match (bound(a), bound(b)) {
            (Some((true, min)), Some((false, max))) | (Some((false, max)), Some((true, min))) => {
                Ok((min, max))
            }
            _ => Err(need.into()),
        },
        _ => Err(need.into()),
    }
}

/// `string-length(.) <= 200` → 200; none → 200.
fn text_length(constraint: &str) -> Result<u32, String> {
    if constraint.is_empty() {
        return Ok(200);
    }
    let e = parse(constraint).map_err(|m| format!("'{constraint}': {m}"))?;
    match &e {
        Expr::Cmp(op, a, b) if op == "<=" => match (a.as_ref(), b.as_ref()) {
            (Expr::Call(f, args), Expr::Num(n))
                if f == "string-length"
                    && args == &[Expr::Current]
                    && n.fract() == 0.0
                    && *n >= 1.0 =>
            {
                Ok(*n as u32)
            }
            _ => Err("a text question's constraint must be 'string-length(.) <= N'".into()),
        },
        _ => Err("a text question's constraint must be 'string-length(.) <= N'".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> BTreeMap<String, Shape> {
        BTreeMap::from([
            ("alone".into(), Shape::YesNo),
            ("with".into(), Shape::Single),
            ("needs".into(), Shape::Multiple),
            ("age".into(), Shape::Number),
        ])
    }

    fn cond(s: &str) -> Result<Value, String> {
        to_condition(&parse(s)?, &shapes())
    }

    #[test]
    fn the_subset_senda_can_say() {
        assert_eq!(
            cond("${alone} = 'yes'").unwrap(),
            json!({"question": "alone", "is": "yes"})
        );
        assert_eq!(cond("not(${alone} = 'yes')").unwrap()["is"], json!("no"));
        assert_eq!(cond("${alone} != \"no\"").unwrap()["is"], json!("yes"));
        assert_eq!(
            cond("${with} = 'solo' or ${with} = 'grupo'").unwrap()["is"],
            json!({"any-of": ["solo", "grupo"]})
        );
        assert_eq!(
            cond("selected(${needs}, 'food') or selected(${needs},'bed')").unwrap()["is"],
            json!({"any-of": ["food", "bed"]})
        );
        assert_eq!(
            cond("${age} >= 12").unwrap()["is"],
            json!({"at-least": 12.0})
        );
        assert_eq!(
            cond("15 >= ${age}").unwrap()["is"],
            json!({"at-most": 15.0})
        );
        assert_eq!(
            cond("((${age} <= 15))").unwrap()["is"],
            json!({"at-most": 15.0})
        );
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        for (expr, says) in [
            ("${alone} = 'yes' and ${age} >= 12", "'and'"),
            (
                "${alone} = 'yes' or ${age} >= 12",
                "'or' between different questions",
            ),
            (
                "count-selected(${needs}) > 1",
                "the function count-selected()",
            ),
            ("${age} + 1 >= 12", "arithmetic ('+')"),
            ("'a' = 'a'", "a comparison without a ${question}"),
            ("${needs} = 'food'", "use selected("),
            ("${nobody} = 'x'", "Could not find the name 'nobody'"),
            ("${alone = 'yes'", "'${' is not closed"),
            ("$alone = 'yes'", "reference variables must start with '${'"),
            ("${alone} = 'yes' )", "unexpected text after the expression"),
            ("${alone} =", "ends too soon"),
            (
                "not(${with} = 'solo')",
                "not() of anything but a yes/no answer",
            ),
        ] {
            let e = cond(expr).unwrap_err();
            assert!(e.contains(says), "{expr}: {e}");
        }
    }

    #[test]
    fn conditions_written_out_read_back_the_same() {
        let s = shapes();
        for (q, m) in [
            ("alone", json!("yes")),
            ("alone", json!("no")),
            ("with", json!({"any-of": ["solo", "it's"]})),
            ("needs", json!({"any-of": ["food", "bed"]})),
            ("age", json!({"at-least": 12.5})),
            ("age", json!({"at-most": 3.0})),
        ] {
            let text = to_expression(q, &m, &s);
            let back = to_match(&parse(&text).unwrap(), &s).unwrap();
            assert_eq!(back, (q.to_owned(), m.clone()), "{text}");
        }
    }

    #[test]
    fn headers_split_like_pyxform() {
        assert_eq!(
            split_header("label::Español (es)", "es"),
            ("label".into(), Some("es".into()))
        );
        assert_eq!(
            split_header("senda::weight", "es"),
            ("senda::weight".into(), None)
        );
        assert_eq!(
            split_header("senda::note::English (en)", "es"),
            ("senda::note".into(), Some("en".into()))
        );
        assert_eq!(split_header("list name", "es"), ("list_name".into(), None));
        assert_eq!(
            split_type("select one yes_no"),
            ("select_one".into(), Some("yes_no"))
        );
        assert_eq!(
            split_type("select all that apply x"),
            ("select_multiple".into(), Some("x"))
        );
        assert_eq!(split_type("begin group"), ("begin_group".into(), None));
    }
}
