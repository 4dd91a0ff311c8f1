//! logfmt and JSON lines: the columns are the keys found in the data, added as they are first
//! seen (earlier rows get nulls); a key missing from a line is null; a key repeated in a line
//! keeps its last value. JSON columns are typed by their values (see [`Inferred`]).

use super::{Engine, Failure, NO_CODE, Sink, fail};
use crate::logs::format::json::{self, JsonScratch, JsonValue};
use crate::logs::format::logfmt::{self, LogfmtValue};
use crate::logs::format::{ColumnType, Program};
use crate::logs::options::{DEFAULT_PLAIN_COLUMNS, ParseOptions};
use crate::logs::table::{ColumnData, RowError, Validity};
use crate::pool::StringPool;
use hashbrown::HashMap;
use std::sync::Arc;

/// The keys of the logfmt or JSON-lines columns, and the scanners' reusable buffers.
#[derive(Default)]
pub(super) struct Columns {
    jsonl: bool,
    flatten: bool,
    /// The string columns to store plain; `None`: the default ones.
    plain: Option<Vec<String>>,
    /// Key bytes → column index.
    index: HashMap<Vec<u8>, usize, ahash::RandomState>,
    /// The key of each column, in the order the columns were added.
    keys: Vec<Arc<[u8]>>,
    /// Keys seen in the line being parsed that have no column yet.
    pending: Vec<Vec<u8>>,
    /// The line just scanned by `needs_columns` (its address and length) and whether it
    /// scanned, so that storing it does not scan it again.
    scanned: Option<(usize, usize, ScanResult)>,
    pairs: Vec<((usize, usize), LogfmtValue)>,
    json: JsonScratch,
    /// Per field of the line: its column.
    field_columns: Vec<usize>,
    /// Per column: the field of the line that wins (the last one with that key).
    winners: Vec<usize>,
    scratch: Vec<u8>,
}

impl Columns {
    pub(super) fn new(program: &Program, options: &ParseOptions) -> Columns {
        Columns {
            jsonl: matches!(program, Program::Jsonl),
            flatten: options.flatten,
            plain: options.plain_columns.clone(),
            ..Columns::default()
        }
    }

    fn is_plain(&self, name: &str) -> bool {
        match &self.plain {
            Some(names) => names.iter().any(|n| n == name),
            None => DEFAULT_PLAIN_COLUMNS.contains(&name),
        }
    }

    /// Scans `line` unless it is the line scanned last.
    fn scan(&mut self, line: &[u8]) -> Result<(), (RowError, usize)> {
        let id = (line.as_ptr() as usize, line.len());
        if let Some((ptr, len, result)) = self.scanned
            && (ptr, len) == id
        {
            return result;
        }
        let result = if self.jsonl {
            json::scan_object(line, self.flatten, &mut self.json)
        } else {
            logfmt::scan_logfmt(line, &mut self.pairs)
        };
        self.scanned = Some((id.0, id.1, result));
        result
    }

    fn key_count(&self) -> usize {
        if self.jsonl { self.json.fields.len() } else { self.pairs.len() }
    }

    fn key<'l>(&'l self, line: &'l [u8], field: usize) -> &'l [u8] {
        let (start, end) = if self.jsonl {
            self.json.fields.get(field).map_or((0, 0), |f| f.key)
        } else {
            self.pairs.get(field).map_or((0, 0), |p| p.0)
        };
        let source = if self.jsonl { &self.json.keys[..] } else { line };
        source.get(start..end).unwrap_or_default()
    }
}

/// What scanning a line gave: nothing (its pairs are in the scratch) or a failure.
type ScanResult = Result<(), (RowError, usize)>;

/// A JSON-lines column: it takes the type of its values (int, float, bool, string) and changes
/// as values arrive: ints and floats make floats; any other mix makes strings (numbers and
/// booleans then written as text: ints in decimal, floats in their shortest round-trip form
/// without a `.0` for integral values, `true`/`false`). A column of nulls only is a string
/// column.
#[derive(Debug)]
pub(crate) struct Inferred {
    state: State,
    plain: bool,
    len: usize,
}

#[derive(Debug)]
enum State {
    Null,
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Dictionary(Vec<u32>),
    Plain { offsets: Vec<i64>, values: Vec<u8> },
}

impl Inferred {
    fn new(plain: bool) -> Inferred {
        Inferred { state: State::Null, plain, len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push_null(&mut self) {
        match &mut self.state {
            State::Null => {}
            State::Int(v) => v.push(0),
            State::Float(v) => v.push(0.0),
            State::Bool(v) => v.push(false),
            State::Dictionary(v) => v.push(0),
            State::Plain { offsets, values } => offsets.push(values.len() as i64),
        }
        self.len += 1;
    }

    pub(super) fn truncate(&mut self, rows: usize) {
        if rows >= self.len {
            return;
        }
        match &mut self.state {
            State::Null => {}
            State::Int(v) => v.truncate(rows),
            State::Float(v) => v.truncate(rows),
            State::Bool(v) => v.truncate(rows),
            State::Dictionary(v) => v.truncate(rows),
            State::Plain { offsets, values } => {
                offsets.truncate(rows + 1);
                values.truncate(offsets.last().map_or(0, |&end| end as usize));
            }
        }
        self.len = rows;
    }

    /// The values so far, leaving an empty column that infers its type afresh.
    pub(super) fn take(&mut self, pool: Option<&Arc<StringPool>>) -> ColumnData {
        let len = std::mem::take(&mut self.len);
        match std::mem::replace(&mut self.state, State::Null) {
            State::Null if self.plain => ColumnData::String { offsets: vec![0; len + 1], values: Vec::new() },
            State::Null => {
                ColumnData::Dictionary { codes: vec![0; len], pool: pool.cloned().unwrap_or_default() }
            }
            State::Int(v) => ColumnData::Int64(v),
            State::Float(v) => ColumnData::Float64(v),
            State::Bool(v) => ColumnData::Bool(v),
            State::Dictionary(codes) => {
                ColumnData::Dictionary { codes, pool: pool.cloned().unwrap_or_default() }
            }
            State::Plain { offsets, values } => ColumnData::String { offsets, values },
        }
    }

    /// Fills the values of the rows so far (all null) in the representation of `state`.
    fn start(&mut self, state: State) {
        let len = self.len;
        self.state = match state {
            State::Null => State::Null,
            State::Int(_) => State::Int(vec![0; len]),
            State::Float(_) => State::Float(vec![0.0; len]),
            State::Bool(_) => State::Bool(vec![false; len]),
            State::Dictionary(_) => State::Dictionary(vec![0; len]),
            State::Plain { .. } => State::Plain { offsets: vec![0; len + 1], values: Vec::new() },
        };
    }

    /// Turns the column into strings: every valid value becomes its JSON text.
    fn make_text(&mut self, validity: &Validity, pool: Option<&mut StringPool>) -> crate::Result<()> {
        let mut texts: Vec<Option<String>> = Vec::with_capacity(self.len);
        for row in 0..self.len {
            let valid = validity.is_valid(row);
            texts.push(match &self.state {
                State::Int(v) if valid => v.get(row).map(|x| x.to_string()),
                State::Float(v) if valid => v.get(row).map(|x| format_float(*x)),
                State::Bool(v) if valid => v.get(row).map(|x| x.to_string()),
                _ => None,
            });
        }
        if self.plain {
            let mut offsets = Vec::with_capacity(self.len + 1);
            let mut values = Vec::new();
            offsets.push(0);
            for text in &texts {
                values.extend_from_slice(text.as_deref().unwrap_or_default().as_bytes());
                offsets.push(values.len() as i64);
            }
            self.state = State::Plain { offsets, values };
        } else {
            let mut codes = Vec::with_capacity(self.len);
            let mut pool = pool;
            for text in &texts {
                codes.push(match (text, pool.as_deref_mut()) {
                    (Some(text), Some(pool)) => pool.intern(text)?,
                    _ => 0,
                });
            }
            self.state = State::Dictionary(codes);
        }
        Ok(())
    }
}

/// A float as text: the shortest form that reads back to the same value, integral values
/// without a fraction (as JavaScript's `JSON.stringify` writes them), so an int that went through
/// an int-and-float column reads the same as one that did not.
pub(crate) fn format_float(x: f64) -> String {
    format!("{x}")
}

/// The most logfmt or JSON keys (columns) one parse takes.
pub(crate) const MAX_KEY_COLUMNS: usize = 2048;

/// A column name for a key: invalid UTF-8 replaced by U+FFFD, and NUL too (Arrow's C interface
/// and C strings cannot carry it).
pub(crate) fn column_name(key: &[u8]) -> String {
    String::from_utf8_lossy(key).replace('\0', "\u{fffd}")
}

/// `name`, or `name_2`, `name_3`... when `taken` (a JSON key `error` becomes the column
/// `error_2`: `line`, `error` and `error_offset` are always taken). Names are given in
/// first-seen order, by a sequential parse as by a parallel join.
pub(crate) fn unique_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(name) {
        return name.to_owned();
    }
    (2..).map(|i| format!("{name}_{i}")).find(|n| !taken(n)).unwrap_or_default()
}

/// A value of one JSON line being stored.
#[derive(Clone, Copy)]
enum Value<'v> {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(&'v [u8]),
}

impl Engine {
    /// Scans a logfmt or JSON line and notes its keys that have no column yet. A line that does
    /// not scan needs none (it becomes an error row).
    pub(super) fn needs_columns(&mut self, line: &[u8]) -> bool {
        let columns = &mut self.dynamic;
        // Never trust a scan of an earlier line: a stream reuses its buffers, so another line
        // can have the same address and length.
        columns.scanned = None;
        if columns.scan(line).is_err() {
            return false;
        }
        columns.pending.clear();
        for field in 0..columns.key_count() {
            let key = columns.key(line, field);
            if !columns.index.contains_key(key) && !columns.pending.iter().any(|k| k == key) {
                let key = key.to_vec();
                columns.pending.push(key);
            }
        }
        !columns.pending.is_empty()
    }

    /// Adds a column for each pending key, null in the rows so far. Fails past
    /// [`MAX_KEY_COLUMNS`]: every column has a value per row, so a key per line (an id used as
    /// a key) would make the table quadratic in the input.
    pub(super) fn add_pending_columns(&mut self) -> crate::Result<()> {
        let pending = std::mem::take(&mut self.dynamic.pending);
        if self.dynamic.keys.len() + pending.len() > MAX_KEY_COLUMNS {
            return Err(crate::Error::new(
                crate::ErrorKind::Capacity,
                format!(
                    "more than {MAX_KEY_COLUMNS} distinct keys: each key is a column, so keys that \
                     vary per line (ids, timestamps) cannot be tabulated; flatten less, or parse \
                     such lines as JSON text"
                ),
            )
            .at_line(self.line_no + 1));
        }
        for key in pending {
            let name = self.unique_column_name(&column_name(&key));
            let plain = self.dynamic.is_plain(&name);
            let mut sink = if self.dynamic.jsonl {
                Sink::Inferred(Inferred::new(plain))
            } else if plain {
                Sink::new(ColumnType::String)
            } else {
                Sink::new(ColumnType::Dictionary)
            };
            let mut validity = Validity::default();
            for _ in 0..self.rows {
                sink.push_null();
                validity.push(false);
            }
            let column = self.sinks.len();
            self.sinks.push(sink);
            self.validity.push(validity);
            self.pools.push((!plain).then(Arc::<StringPool>::default));
            self.last_codes.push(NO_CODE);
            self.names.push(name);
            self.dynamic.keys.push(Arc::from(&key[..]));
            self.dynamic.index.insert(key, column);
        }
        self.dynamic.winners.resize(self.sinks.len(), 0);
        Ok(())
    }

    /// The key of each logfmt or JSON column, in column order (columns 3.. of the engine).
    pub(super) fn column_keys(&self) -> &[Arc<[u8]>] {
        &self.dynamic.keys
    }

    fn unique_column_name(&self, name: &str) -> String {
        unique_name(name, |n| self.names.iter().any(|c| c == n))
    }

    pub(super) fn dynamic_row(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: &mut [Option<&mut StringPool>],
    ) -> Result<(), Failure> {
        Self::check_utf8(line, limit)?;
        let scanned = self.dynamic.scan(line);
        self.dynamic.scanned = None;
        scanned.map_err(|(error, at)| fail(error, at))?;
        let count = self.dynamic.key_count();
        let mut field_columns = std::mem::take(&mut self.dynamic.field_columns);
        field_columns.clear();
        for field in 0..count {
            let key = self.dynamic.key(line, field);
            // Every key got a column before the line was parsed (`needs_columns`).
            let column = self.dynamic.index.get(key).copied().ok_or(fail(RowError::UnexpectedText, 0))?;
            field_columns.push(column);
            if let Some(winner) = self.dynamic.winners.get_mut(column) {
                *winner = field;
            }
        }
        let mut result = Ok(());
        for (field, &column) in field_columns.iter().enumerate() {
            if self.dynamic.winners.get(column) != Some(&field) {
                continue;
            }
            result = if self.dynamic.jsonl {
                self.store_json(line, field, column, pools)
            } else {
                self.store_logfmt(line, field, column, pools);
                Ok(())
            };
            if result.is_err() {
                break;
            }
        }
        self.dynamic.field_columns = field_columns;
        result
    }

    fn store_logfmt(
        &mut self,
        line: &[u8],
        field: usize,
        column: usize,
        pools: &mut [Option<&mut StringPool>],
    ) {
        let Some(&(_, value)) = self.dynamic.pairs.get(field) else {
            return self.null(column);
        };
        // logfmt has escapes of its own (undone below for quoted values): the access-log
        // `unescape` option does not apply.
        match value {
            LogfmtValue::Flag => self.store(column, b"true", pools),
            LogfmtValue::Bare(start, end) => {
                self.store(column, line.get(start..end).unwrap_or_default(), pools)
            }
            LogfmtValue::Quoted { start, end, escaped: false } => {
                self.store(column, line.get(start..end).unwrap_or_default(), pools)
            }
            LogfmtValue::Quoted { start, end, escaped: true } => {
                let mut text = std::mem::take(&mut self.dynamic.scratch);
                text.clear();
                logfmt::unescape_logfmt(line.get(start..end).unwrap_or_default(), &mut text);
                self.store(column, &text, pools);
                self.dynamic.scratch = text;
            }
        }
    }

    fn store_json(
        &mut self,
        line: &[u8],
        field: usize,
        column: usize,
        pools: &mut [Option<&mut StringPool>],
    ) -> Result<(), Failure> {
        let Some(value) = self.dynamic.json.fields.get(field).map(|f| f.value) else {
            self.null(column);
            return Ok(());
        };
        let mut text = std::mem::take(&mut self.dynamic.scratch);
        text.clear();
        let value = match value {
            JsonValue::Null => None,
            JsonValue::Bool(b) => Some(Value::Bool(b)),
            JsonValue::Int(i) => Some(Value::Int(i)),
            JsonValue::Float(x) => Some(Value::Float(x)),
            JsonValue::Str { start, end, escaped } => {
                let raw = line.get(start..end).unwrap_or_default();
                if escaped {
                    if !json::unescape_json_string(raw, &mut text) {
                        self.dynamic.scratch = text;
                        return Err(fail(RowError::InvalidJson, start));
                    }
                    Some(Value::Text(&text))
                } else {
                    Some(Value::Text(raw))
                }
            }
            JsonValue::Raw { start, end } => Some(Value::Text(line.get(start..end).unwrap_or_default())),
        };
        let result = self.put_json(column, value, pools);
        self.dynamic.scratch = text;
        result
    }

    fn put_json(
        &mut self,
        column: usize,
        value: Option<Value<'_>>,
        pools: &mut [Option<&mut StringPool>],
    ) -> Result<(), Failure> {
        let Sink::Inferred(inferred) = &mut self.sinks[column] else {
            return Err(fail(RowError::UnexpectedText, 0));
        };
        let Some(value) = value else {
            inferred.push_null();
            self.validity[column].push(false);
            return Ok(());
        };
        // The type the column must have to hold this value.
        let wanted = match (&inferred.state, &value) {
            (State::Null, Value::Int(_)) => Some(State::Int(Vec::new())),
            (State::Null, Value::Float(_)) => Some(State::Float(Vec::new())),
            (State::Null, Value::Bool(_)) => Some(State::Bool(Vec::new())),
            (State::Null, Value::Text(_)) if inferred.plain => {
                Some(State::Plain { offsets: Vec::new(), values: Vec::new() })
            }
            (State::Null, Value::Text(_)) => Some(State::Dictionary(Vec::new())),
            (State::Int(_), Value::Float(_)) => {
                let State::Int(ints) = std::mem::replace(&mut inferred.state, State::Null) else {
                    return Err(fail(RowError::UnexpectedText, 0));
                };
                inferred.state = State::Float(ints.into_iter().map(|i| i as f64).collect());
                None
            }
            (State::Int(_), Value::Int(_))
            | (State::Float(_), Value::Float(_) | Value::Int(_))
            | (State::Bool(_), Value::Bool(_))
            | (State::Dictionary(_) | State::Plain { .. }, _) => None,
            _ => {
                let pool = pools.get_mut(column).and_then(|p| p.as_deref_mut());
                if let Err(err) = inferred.make_text(&self.validity[column], pool) {
                    self.fatal.get_or_insert(err);
                }
                None
            }
        };
        if let Some(state) = wanted {
            inferred.start(state);
        }
        match (&mut inferred.state, value) {
            (State::Int(v), Value::Int(i)) => v.push(i),
            (State::Float(v), Value::Float(x)) => v.push(x),
            (State::Float(v), Value::Int(i)) => v.push(i as f64),
            (State::Bool(v), Value::Bool(b)) => v.push(b),
            (State::Plain { offsets, values }, value) => {
                push_text(values, value);
                offsets.push(values.len() as i64);
            }
            (State::Dictionary(codes), value) => {
                let mut text = Vec::new();
                let bytes: &[u8] = match &value {
                    Value::Text(t) => t,
                    other => {
                        push_text(&mut text, *other);
                        &text
                    }
                };
                let last = self.last_codes[column];
                let code = match pools.get_mut(column).and_then(|p| p.as_deref_mut()) {
                    Some(pool)
                        if last != NO_CODE && pool.resolve_bytes(last).is_ok_and(|prev| prev == bytes) =>
                    {
                        Ok(last)
                    }
                    Some(pool) => pool.intern_bytes(bytes),
                    None => Ok(0),
                };
                match code {
                    Ok(code) => {
                        self.last_codes[column] = code;
                        codes.push(code);
                    }
                    Err(err) => {
                        codes.push(0);
                        inferred.len += 1;
                        self.validity[column].push(false);
                        self.fatal.get_or_insert(err);
                        return Ok(());
                    }
                }
            }
            _ => return Err(fail(RowError::UnexpectedText, 0)),
        }
        inferred.len += 1;
        self.validity[column].push(true);
        Ok(())
    }
}

/// Appends a JSON value's text.
fn push_text(out: &mut Vec<u8>, value: Value<'_>) {
    match value {
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Float(x) => out.extend_from_slice(format_float(x).as_bytes()),
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Text(t) => out.extend_from_slice(t),
    }
}
