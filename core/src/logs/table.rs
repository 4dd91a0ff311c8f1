//! The output of parsing: typed columns with validity bitmaps, in Arrow's memory layout so the
//! bindings can hand them out without copying.

use super::format::ColumnType;
use crate::pool::StringPool;
use crate::{Error, Result};
use std::sync::Arc;

/// Which rows of a column hold a value: Arrow's validity bitmap (bit `i % 8` of byte `i / 8`, set
/// when row `i` is valid).
///
/// While a column is being built and all its rows so far are valid (or all null), no bits are
/// written: most columns of a log never see a null, and a bit per value per row was a tenth of
/// the parse time. The bitmap is written out when the first differing row arrives, or when the
/// column is finished.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validity {
    bits: Vec<u8>,
    len: usize,
    nulls: usize,
    /// `bits` is written (else every row is valid when `nulls == 0`, null when `nulls == len`).
    written: bool,
}

impl Validity {
    #[inline]
    pub(crate) fn push(&mut self, valid: bool) {
        if !self.written {
            if valid && self.nulls == 0 {
                self.len += 1;
                return;
            }
            if !valid && self.nulls == self.len {
                self.len += 1;
                self.nulls += 1;
                return;
            }
            self.write_bits();
        }
        self.push_bit(valid);
    }

    fn push_bit(&mut self, valid: bool) {
        if self.len.is_multiple_of(8) {
            self.bits.push(0);
        }
        if valid {
            if let Some(byte) = self.bits.last_mut() {
                *byte |= 1 << (self.len % 8);
            }
        } else {
            self.nulls += 1;
        }
        self.len += 1;
    }

    /// Writes the bitmap of a uniform column (all valid or all null).
    fn write_bits(&mut self) {
        if self.written {
            return;
        }
        let fill = if self.nulls == 0 { 0xff } else { 0 };
        self.bits = vec![fill; self.len.div_ceil(8)];
        if !self.len.is_multiple_of(8)
            && let Some(byte) = self.bits.last_mut()
        {
            *byte &= (1u8 << (self.len % 8)) - 1;
        }
        self.written = true;
    }

    /// The finished form, with the bitmap written: what [`bits`](Self::bits) returns.
    pub(crate) fn finish(mut self) -> Validity {
        self.write_bits();
        self
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        if !self.written {
            if self.nulls > 0 {
                self.nulls = len;
            }
            self.len = len;
            return;
        }
        for row in len..self.len {
            if !self.is_valid(row) {
                self.nulls -= 1;
            }
        }
        self.bits.truncate(len.div_ceil(8));
        if !len.is_multiple_of(8)
            && let Some(byte) = self.bits.last_mut()
        {
            *byte &= (1u8 << (len % 8)) - 1;
        }
        self.len = len;
    }

    pub(crate) fn extend(&mut self, other: &Validity) {
        self.write_bits();
        let mut other = other.clone();
        other.write_bits();
        if self.len.is_multiple_of(8) {
            // Byte-aligned: the bytes append as they are.
            self.bits.extend_from_slice(&other.bits);
        } else {
            // Each byte of `other` straddles two of ours.
            let mut len = self.len;
            for (i, &byte) in other.bits.iter().enumerate() {
                let count = (other.len - i * 8).min(8);
                let shift = len % 8;
                if shift == 0 {
                    self.bits.push(byte);
                } else {
                    if let Some(last) = self.bits.last_mut() {
                        *last |= byte << shift;
                    }
                    if shift + count > 8 {
                        self.bits.push(byte >> (8 - shift));
                    }
                }
                len += count;
            }
        }
        self.len += other.len;
        self.nulls += other.nulls;
    }

    /// Rows in the column.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn null_count(&self) -> usize {
        self.nulls
    }

    /// `false` for null rows and for rows past the end.
    pub fn is_valid(&self, row: usize) -> bool {
        if !self.written {
            return row < self.len && self.nulls == 0;
        }
        row < self.len && self.bits.get(row / 8).is_some_and(|byte| byte >> (row % 8) & 1 == 1)
    }

    /// The bitmap bytes: `len().div_ceil(8)` of them; bits past `len()` are zero.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }
}

/// The values of one column. Null rows hold 0 (numbers) or an empty string; read
/// [`Column::validity`] to tell them apart.
#[derive(Debug, Clone)]
pub enum ColumnData {
    UInt64(Vec<u64>),
    UInt16(Vec<u16>),
    Int16(Vec<i16>),
    Int64(Vec<i64>),
    Float64(Vec<f64>),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(Vec<i64>),
    /// Row `i` is `values[offsets[i]..offsets[i + 1]]`; `offsets` has `rows + 1` entries.
    String {
        offsets: Vec<i64>,
        values: Vec<u8>,
    },
    /// Row `i` is `pool.resolve(codes[i])`. The pool is shared by every batch of one input, so
    /// codes are stable across batches; a batch's pool may hold values that later batches added
    /// only when it is the same `Arc` (it is copied on write while a batch holds it).
    Dictionary {
        codes: Vec<u32>,
        pool: Arc<StringPool>,
    },
    /// `true`/`false` (JSON lines).
    Bool(Vec<bool>),
}

/// One named, typed column.
#[derive(Debug, Clone)]
pub struct Column {
    name: String,
    data: ColumnData,
    validity: Validity,
    /// The key a logfmt or JSON column holds, as it was in the data: its name may differ (made
    /// unique, or decoded lossily), and parallel chunks are joined by key.
    key: Option<Arc<[u8]>>,
}

impl Column {
    pub(crate) fn new(name: String, data: ColumnData, validity: Validity) -> Column {
        Column { name, data, validity: validity.finish(), key: None }
    }

    pub(crate) fn with_key(mut self, key: Arc<[u8]>) -> Column {
        self.key = Some(key);
        self
    }

    pub(crate) fn key(&self) -> Option<&Arc<[u8]>> {
        self.key.as_ref()
    }

    pub(crate) fn rename(&mut self, name: String) {
        self.name = name;
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Room for `rows` more rows (and `bytes` more string bytes).
    pub(crate) fn reserve(&mut self, rows: usize, bytes: usize) {
        match &mut self.data {
            ColumnData::UInt64(v) => v.reserve(rows),
            ColumnData::UInt16(v) => v.reserve(rows),
            ColumnData::Int16(v) => v.reserve(rows),
            ColumnData::Int64(v) | ColumnData::Timestamp(v) => v.reserve(rows),
            ColumnData::Float64(v) => v.reserve(rows),
            ColumnData::String { offsets, values } => {
                offsets.reserve(rows);
                values.reserve(bytes);
            }
            ColumnData::Dictionary { codes, .. } => codes.reserve(rows),
            ColumnData::Bool(v) => v.reserve(rows),
        }
    }

    /// Bytes of a plain string column's values (0 for other types).
    pub(crate) fn value_bytes(&self) -> usize {
        match &self.data {
            ColumnData::String { values, .. } => values.len(),
            _ => 0,
        }
    }

    pub(crate) fn parts_mut(&mut self) -> (&mut ColumnData, &mut Validity) {
        (&mut self.data, &mut self.validity)
    }

    pub fn data(&self) -> &ColumnData {
        &self.data
    }

    pub fn validity(&self) -> &Validity {
        &self.validity
    }

    pub fn len(&self) -> usize {
        self.validity.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn null_count(&self) -> usize {
        self.validity.null_count()
    }

    pub fn column_type(&self) -> ColumnType {
        match self.data {
            ColumnData::UInt64(_) => ColumnType::UInt64,
            ColumnData::UInt16(_) => ColumnType::UInt16,
            ColumnData::Int16(_) => ColumnType::Int16,
            ColumnData::Int64(_) => ColumnType::Int64,
            ColumnData::Float64(_) => ColumnType::Float64,
            ColumnData::Timestamp(_) => ColumnType::Timestamp,
            ColumnData::String { .. } => ColumnType::String,
            ColumnData::Dictionary { .. } => ColumnType::Dictionary,
            ColumnData::Bool(_) => ColumnType::Bool,
        }
    }

    /// The bytes of row `row` of a string or dictionary column; `None` for nulls, rows past the
    /// end and other types.
    pub fn bytes(&self, row: usize) -> Option<&[u8]> {
        if !self.validity.is_valid(row) {
            return None;
        }
        match &self.data {
            ColumnData::String { offsets, values } => {
                let start = usize::try_from(*offsets.get(row)?).ok()?;
                let end = usize::try_from(*offsets.get(row + 1)?).ok()?;
                values.get(start..end)
            }
            ColumnData::Dictionary { codes, pool } => pool.resolve_bytes(*codes.get(row)?).ok(),
            _ => None,
        }
    }

    /// Row `row` of a string or dictionary column as text, invalid UTF-8 replaced by U+FFFD.
    pub fn text(&self, row: usize) -> Option<std::borrow::Cow<'_, str>> {
        self.bytes(row).map(String::from_utf8_lossy)
    }

    /// Whether every value of a string or dictionary column is valid UTF-8 (true for other types).
    pub fn is_utf8(&self) -> bool {
        match &self.data {
            ColumnData::String { values, .. } => values.is_ascii() || std::str::from_utf8(values).is_ok(),
            ColumnData::Dictionary { pool, .. } => pool.all_utf8(),
            _ => true,
        }
    }

    /// A copy of a string or dictionary column whose invalid UTF-8 is replaced by U+FFFD (what
    /// Arrow's `utf8` type and the runtimes' strings need), or `None` when it is valid already.
    /// A dictionary is rebuilt with its codes remapped (values that become equal merge).
    pub fn utf8_lossy(&self) -> Option<Column> {
        if self.is_utf8() {
            return None;
        }
        let data = match &self.data {
            ColumnData::String { offsets, .. } => {
                let mut values = Vec::new();
                let mut fixed = Vec::with_capacity(offsets.len());
                fixed.push(0);
                for row in 0..offsets.len().saturating_sub(1) {
                    values.extend_from_slice(String::from_utf8_lossy(self.raw_string(row)).as_bytes());
                    fixed.push(values.len() as i64);
                }
                ColumnData::String { offsets: fixed, values }
            }
            ColumnData::Dictionary { codes, pool } => {
                let mut lossy = StringPool::new();
                for value in pool.iter() {
                    // Two invalid values can become the same text: they merge into one entry
                    // (Arrow dictionaries may not repeat a value), and the codes are remapped.
                    let _ = lossy.intern_bytes(String::from_utf8_lossy(value).as_bytes());
                }
                let remap: Vec<u32> = pool
                    .iter()
                    .map(|value| lossy.get_bytes(String::from_utf8_lossy(value).as_bytes()).unwrap_or(0))
                    .collect();
                ColumnData::Dictionary {
                    codes: codes.iter().map(|&c| remap.get(c as usize).copied().unwrap_or(0)).collect(),
                    pool: Arc::new(lossy),
                }
            }
            _ => return None,
        };
        Some(Column { name: self.name.clone(), data, validity: self.validity.clone(), key: self.key.clone() })
    }

    /// Row `row` of a plain string column, null or not.
    fn raw_string(&self, row: usize) -> &[u8] {
        match &self.data {
            ColumnData::String { offsets, values } => {
                let start = offsets.get(row).map_or(0, |&o| o as usize);
                let end = offsets.get(row + 1).map_or(start, |&o| o as usize);
                values.get(start..end).unwrap_or_default()
            }
            _ => &[],
        }
    }

    /// The dictionary of a dictionary column.
    pub fn pool(&self) -> Option<&Arc<StringPool>> {
        match &self.data {
            ColumnData::Dictionary { pool, .. } => Some(pool),
            _ => None,
        }
    }

    /// Row `row` of an integer, timestamp or float column, as `f64`; `None` for nulls.
    pub fn number(&self, row: usize) -> Option<f64> {
        if !self.validity.is_valid(row) {
            return None;
        }
        match &self.data {
            ColumnData::UInt64(v) => v.get(row).map(|&x| x as f64),
            ColumnData::UInt16(v) => v.get(row).map(|&x| f64::from(x)),
            ColumnData::Int16(v) => v.get(row).map(|&x| f64::from(x)),
            ColumnData::Int64(v) | ColumnData::Timestamp(v) => v.get(row).map(|&x| x as f64),
            ColumnData::Float64(v) => v.get(row).copied(),
            ColumnData::Bool(v) => v.get(row).map(|&b| f64::from(u8::from(b))),
            _ => None,
        }
    }
}

/// Why a row failed. The codes are stable strings, the same in every runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RowError {
    /// A quoted field has no closing quote.
    UnterminatedQuote,
    /// The line ended before every field of the format was found.
    TooFewFields,
    /// The text between fields is not what the format says.
    UnexpectedText,
    /// A time field is not a valid date and time.
    BadTimestamp,
    /// The status is not a number from 0 to 65535.
    BadStatus,
    /// A number field (bytes, duration, integer) is not a number.
    BadNumber,
    /// The line is not valid UTF-8 (only with `strict_utf8`).
    InvalidUtf8,
    /// A JSON line is not one valid JSON object.
    InvalidJson,
    /// An octet-counted syslog frame (RFC 6587) has no valid length prefix.
    BadFrame,
}

impl RowError {
    pub const ALL: [RowError; 9] = [
        RowError::UnterminatedQuote,
        RowError::TooFewFields,
        RowError::UnexpectedText,
        RowError::BadTimestamp,
        RowError::BadStatus,
        RowError::BadNumber,
        RowError::InvalidUtf8,
        RowError::InvalidJson,
        RowError::BadFrame,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            RowError::UnterminatedQuote => "UNTERMINATED_QUOTE",
            RowError::TooFewFields => "TOO_FEW_FIELDS",
            RowError::UnexpectedText => "UNEXPECTED_TEXT",
            RowError::BadTimestamp => "BAD_TIMESTAMP",
            RowError::BadStatus => "BAD_STATUS",
            RowError::BadNumber => "BAD_NUMBER",
            RowError::InvalidUtf8 => "INVALID_UTF8",
            RowError::InvalidJson => "INVALID_JSON",
            RowError::BadFrame => "BAD_FRAME",
        }
    }
}

/// A line that failed: where, why, and its raw bytes (without the line end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRecord {
    /// 1-based line number in the whole input.
    pub line: u64,
    pub error: RowError,
    /// Byte offset in the line where parsing stopped.
    pub offset: u64,
    pub text: Vec<u8>,
}

impl ErrorRecord {
    /// The error `on_error = "raise"` reports: `FERRULE_PARSE` with the row code as its reason,
    /// the line and offset as its location, and a snippet of the line in the message.
    pub fn to_error(&self) -> Error {
        const SNIPPET: usize = 120;
        let start = (self.offset as usize).saturating_sub(SNIPPET / 2).min(self.text.len());
        let end = (start + SNIPPET).min(self.text.len());
        let snippet = String::from_utf8_lossy(&self.text[start..end]);
        let dots = |cut: bool| if cut { "..." } else { "" };
        Error::new(
            crate::ErrorKind::Parse,
            // The line and offset follow as the error's location.
            format!("{}: {}{}{}", self.error.code(), dots(start > 0), snippet, dots(end < self.text.len())),
        )
        .with_reason(self.error.code())
        .at_line(self.line)
        .at_offset(self.offset)
    }
}

/// Counts of one parse. Always `lines == ok + errors + skipped`; the table has `ok + errors` rows
/// (`errors` is 0 with `on_error = "skip"`, whose failed lines count as skipped).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    /// Lines read, including empty ones.
    pub lines: u64,
    /// Rows parsed without error.
    pub ok: u64,
    /// Rows kept with an error code.
    pub errors: u64,
    /// Lines not in the table: empty lines and, with `on_error = "skip"`, failed ones.
    pub skipped: u64,
    /// Empty lines (part of `skipped`).
    pub empty: u64,
    /// Bytes of input read.
    pub bytes: u64,
    /// Wall-clock seconds spent parsing.
    pub seconds: f64,
}

impl Stats {
    pub(crate) fn add(&mut self, other: &Stats) {
        self.lines += other.lines;
        self.ok += other.ok;
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.empty += other.empty;
        self.bytes += other.bytes;
    }
}

/// Parsed log lines as typed columns: one row per non-empty line (failed lines included unless
/// skipped), the columns of the format's [`schema`](super::LogFormat::schema) in order.
#[derive(Debug, Clone)]
pub struct LogTable {
    columns: Vec<Column>,
    errors: Vec<ErrorRecord>,
    stats: Stats,
}

impl LogTable {
    pub(crate) fn new(columns: Vec<Column>, errors: Vec<ErrorRecord>, stats: Stats) -> LogTable {
        LogTable { columns, errors, stats }
    }

    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(Column::name).collect()
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column called `name`, or an `InvalidArgument` error listing the names there are.
    pub fn require(&self, name: &str) -> Result<&Column> {
        self.column(name).ok_or_else(|| {
            Error::invalid_argument(format!(
                "no column {name:?}; the columns are {}",
                self.column_names().join(", ")
            ))
        })
    }

    /// The failed lines (kept as rows with `on_error = "row"`; dropped with `"skip"`, though
    /// still listed here).
    pub fn errors(&self) -> &[ErrorRecord] {
        &self.errors
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The columns, moved out (parallel joins take them over without copying).
    pub(crate) fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    pub(crate) fn stats_mut(&mut self) -> &mut Stats {
        &mut self.stats
    }

    /// Heap bytes held by the columns (dictionaries counted once per column).
    pub fn memory_usage(&self) -> usize {
        let column = |c: &Column| {
            c.validity.bits.capacity()
                + match &c.data {
                    ColumnData::UInt64(v) => v.capacity() * 8,
                    ColumnData::UInt16(v) => v.capacity() * 2,
                    ColumnData::Int16(v) => v.capacity() * 2,
                    ColumnData::Int64(v) | ColumnData::Timestamp(v) => v.capacity() * 8,
                    ColumnData::Float64(v) => v.capacity() * 8,
                    ColumnData::String { offsets, values } => offsets.capacity() * 8 + values.capacity(),
                    ColumnData::Dictionary { codes, pool } => codes.capacity() * 4 + pool.memory_usage(),
                    ColumnData::Bool(v) => v.capacity(),
                }
        };
        self.columns.iter().map(column).sum::<usize>()
            + self.errors.iter().map(|e| e.text.capacity()).sum::<usize>()
    }
}
