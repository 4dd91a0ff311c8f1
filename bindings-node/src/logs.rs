//! The native half of the `logs` namespace: ferrule-core's log parser for Node.
//!
//! Everything here sits in the loader's internal `__logs` namespace; ferrule.js builds the public
//! `logs` namespace over it (options objects checked there, `LogTable` wrapping [`NativeTable`]).
//! Formats cross as a `(kind, spec)` pair of strings and are compiled per call: compiling is a
//! few microseconds, and a plain descriptor object is what a user can keep in a config file.
//!
//! Columns leave Rust one at a time, when JS first reads them:
//! - numbers as one typed array each (a `Vec` handed to V8 as the array's memory, no
//!   per-element calls); 64-bit integers and timestamps as `Float64Array` (exact below 2^53),
//!   or, when asked for, exactly as `BigUint64Array` / `BigInt64Array`;
//! - booleans (JSON lines' `true`/`false`) the same way, as a `Uint8Array` of 0/1 bytes: V8 gets
//!   its own copy rather than a view of the table's `Vec<bool>`, because JS may write any byte
//!   into a typed array and a `bool` other than 0 or 1 is undefined behaviour in Rust;
//! - strings (plain columns and dictionaries) as about 1 MB of joined text per call plus each
//!   value's end in UTF-16 units, which ferrule.js slices apart: a napi call per value would cost
//!   more than the parse (the same scheme as `StringPool.resolveMany`). Text that is not UTF-8
//!   is decoded lossily first (core's `Column::utf8_lossy`, cached per column);
//! - or, when asked for, the bytes as logged: about 1 MB of joined bytes per call (a `Buffer`)
//!   plus each value's end, which ferrule.js cuts into views of that buffer.

// `clippy --all-targets` also checks this crate as a test harness, where napi-derive registers
// no exports: every export and what only they use would look dead there, and only there.
#![cfg_attr(test, allow(dead_code))]

use crate::errors::{Result, guarded, run, settle};
use ferrule_core::Error;
use ferrule_core::logs::{
    BatchReader, Column, ColumnData, FormatKind, LogFormat, LogTable, OnError, ParseOptions, StreamParser,
    parse_bytes, parse_file, parse_structured_data,
};
use napi::bindgen_prelude::ObjectFinalize;
use napi::bindgen_prelude::{
    AsyncTask, BigInt64Array, BigUint64Array, Buffer, Either, Either3, Float64Array, Int16Array, Uint8Array,
    Uint8ArraySlice, Uint16Array, Uint32Array,
};
use napi::{Env, Task};
use napi_derive::napi;
use std::cell::OnceCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

type CoreResult<T> = ferrule_core::Result<T>;

/// At most about this much text per string-chunk call (at least one value): bounds the string
/// that the slices of one chunk keep alive, far below V8's longest string.
const CHUNK_BYTES: usize = 1 << 20;
const V8_MAX_STRING_UNITS: usize = (1 << 29) - 24;

// ------------------------------------------------------------------------------ arguments

/// The parse options ferrule.js passes, already type-checked there (values are checked here).
#[napi(object, namespace = "__logs")]
pub struct NativeOptions {
    pub on_error: Option<String>,
    pub threads: Option<f64>,
    pub unescape: Option<bool>,
    pub strict_utf8: Option<bool>,
    pub plain_columns: Option<Vec<String>>,
    pub year: Option<f64>,
    /// Milliseconds since the Unix epoch (ferrule.js turns a `Date` into its `getTime()`).
    pub reference_time: Option<f64>,
    pub octet_counted: Option<bool>,
    pub flatten: Option<bool>,
}

/// A count given as a JS number: napi's integer conversions would wrap or truncate instead.
fn to_count(what: &str, value: f64) -> CoreResult<usize> {
    if value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0 {
        Ok(value as usize)
    } else {
        Err(Error::invalid_argument(format!("{what} must be a non-negative integer, got {value}")))
    }
}

/// A year given as a JS number (core checks the range; this only refuses what is no `i32`).
fn to_year(value: f64) -> CoreResult<i32> {
    if value.fract() == 0.0 && value >= f64::from(i32::MIN) && value <= f64::from(i32::MAX) {
        Ok(value as i32)
    } else {
        Err(Error::invalid_argument(format!("year = {value}: expected an integer from 1 to 9999")))
    }
}

/// A time in milliseconds since the epoch as core's microseconds. Fractions of a millisecond are
/// kept (to the microsecond, rounded); out-of-range values saturate and core rejects them.
fn to_reference_micros(millis: f64) -> CoreResult<i64> {
    if millis.is_finite() {
        Ok((millis * 1000.0).round() as i64)
    } else {
        Err(Error::invalid_argument(format!("referenceTime = {millis}: expected a valid date")))
    }
}

fn to_options(options: &NativeOptions) -> CoreResult<ParseOptions> {
    Ok(ParseOptions {
        on_error: options.on_error.as_deref().map_or(Ok(OnError::Row), OnError::from_name)?,
        threads: options.threads.map(|t| to_count("threads", t)).transpose()?,
        unescape: options.unescape.unwrap_or(false),
        strict_utf8: options.strict_utf8.unwrap_or(false),
        plain_columns: options.plain_columns.clone(),
        progress: None,
        year: options.year.map(to_year).transpose()?,
        reference_time: options.reference_time.map(to_reference_micros).transpose()?,
        octet_counted: options.octet_counted.unwrap_or(false),
        flatten: options.flatten.unwrap_or(false),
    })
}

fn to_format(kind: &str, spec: &str) -> CoreResult<LogFormat> {
    LogFormat::parse(spec, FormatKind::from_name(kind)?)
}

// ------------------------------------------------------------------------------ formats

/// One column of a format's output.
#[napi(object, namespace = "__logs")]
pub struct ColumnInfo {
    pub name: String,
    /// Core's type name: `uint64`, `uint16`, `int16`, `int64`, `float64`, `timestamp[us, UTC]`,
    /// `string`, `dictionary` or `bool`.
    #[napi(js_name = "type")]
    pub ty: String,
}

/// What a format produces.
#[napi(object, namespace = "__logs")]
pub struct FormatInfo {
    /// The columns known from the format alone (string columns listed as `dictionary`; the
    /// `plainColumns` option stores some plain).
    pub columns: Vec<ColumnInfo>,
    /// Whether the data adds columns (logfmt, jsonl: one per key, between `line` and `error`).
    pub dynamic_columns: bool,
}

/// @internal The columns a format produces. Compiling it checks the format string.
#[napi(namespace = "__logs", catch_unwind)]
pub fn format_info(kind: String, spec: String) -> Result<FormatInfo> {
    run(|| {
        let format = to_format(&kind, &spec)?;
        let columns = format
            .schema()
            .iter()
            .map(|column| ColumnInfo { name: column.name.clone(), ty: column.ty.as_str().to_owned() })
            .collect();
        Ok(FormatInfo { columns, dynamic_columns: format.has_dynamic_columns() })
    })
}

// ------------------------------------------------------------------------------ structured data

/// One RFC 5424 SD-ELEMENT.
#[napi(object, namespace = "__logs")]
pub struct SdElement {
    pub id: String,
    /// `[name, value]` pairs in the order written (names may repeat), values unescaped.
    #[napi(ts_type = "Array<[string, string]>")]
    pub params: Vec<(String, String)>,
}

/// @internal `logs.parseStructuredData` (ferrule.js encodes a string as UTF-8 first).
#[napi(namespace = "__logs", catch_unwind)]
pub fn parse_structured_data_bytes(text: Uint8ArraySlice) -> Result<Vec<SdElement>> {
    run(|| {
        Ok(parse_structured_data(&text)?
            .into_iter()
            .map(|element| SdElement { id: element.id, params: element.params })
            .collect())
    })
}

// ------------------------------------------------------------------------------ tables

/// One failed line.
#[napi(object, namespace = "__logs")]
pub struct LogError {
    /// 1-based line number in the whole input.
    pub line: f64,
    /// `UNTERMINATED_QUOTE`, `TOO_FEW_FIELDS`, `BAD_TIMESTAMP`, ...
    pub code: String,
    /// Byte in the line where parsing stopped.
    pub offset: f64,
    /// The line (without its end), invalid UTF-8 replaced by U+FFFD.
    pub text: String,
    /// The line's bytes exactly as read (without its end).
    pub raw: Buffer,
}

/// The counts of a parse.
#[napi(object, namespace = "__logs")]
pub struct LogStats {
    pub lines: f64,
    pub ok: f64,
    pub errors: f64,
    pub skipped: f64,
    pub empty: f64,
    pub bytes: f64,
    pub seconds: f64,
}

/// @internal A parsed table; ferrule.js wraps it in `logs.LogTable`.
#[napi(namespace = "__logs", custom_finalize)]
pub struct NativeTable {
    table: LogTable,
    /// Per column: its lossy UTF-8 copy when it holds invalid UTF-8, made at first use.
    lossy: Vec<OnceCell<Option<Column>>>,
    /// The bytes reported to V8 as external memory (given back at finalization).
    external: i64,
}

impl ObjectFinalize for NativeTable {
    fn finalize(self, env: Env) -> napi::Result<()> {
        let _ = env.adjust_external_memory(-self.external);
        Ok(())
    }
}

impl NativeTable {
    /// Wraps `table` and tells V8 how much memory it holds: V8 cannot see native memory, and
    /// without this a loop over `readBatches` kept every batch alive until the heap itself grew
    /// (1.4 GB of RSS for a 2 GB file), as the garbage collector saw only small JS objects.
    fn new(env: Env, table: LogTable) -> NativeTable {
        let lossy = table.columns().iter().map(|_| OnceCell::new()).collect();
        let external = i64::try_from(table.memory_usage()).unwrap_or(i64::MAX);
        // Only a hint to the garbage collector: a failure changes nothing else.
        let _ = env.adjust_external_memory(external);
        NativeTable { table, lossy, external }
    }

    fn column(&self, index: u32) -> CoreResult<&Column> {
        self.table.columns().get(index as usize).ok_or_else(|| {
            Error::out_of_range(format!("no column {index}: the table has {}", self.table.num_columns()))
        })
    }

    /// The column as valid UTF-8 (itself, or its lossy copy).
    fn text_column(&self, index: u32) -> CoreResult<&Column> {
        let column = self.column(index)?;
        let lossy = self.lossy.get(index as usize).ok_or_else(|| Error::internal("no lossy slot"))?;
        Ok(lossy.get_or_init(|| column.utf8_lossy()).as_ref().unwrap_or(column))
    }

    /// The column as stored (`raw`: its bytes as logged), or as valid UTF-8.
    fn chosen_column(&self, index: u32, raw: bool) -> CoreResult<&Column> {
        if raw { self.column(index) } else { self.text_column(index) }
    }
}

/// Values `start..` of Arrow-layout text (`offsets` has one more entry than there are values):
/// as many as fit about [`CHUNK_BYTES`] (at least one), as their joined bytes and the end of
/// each in those bytes. Empty when `start` is past the end.
fn chunk_of<'a, O: Copy + Into<i64>>(
    offsets: &[O],
    values: &'a [u8],
    start: usize,
) -> CoreResult<(&'a [u8], Vec<usize>)> {
    let count = offsets.len().saturating_sub(1);
    if start >= count {
        return Ok((&[], Vec::new()));
    }
    let at = |i: usize| -> CoreResult<usize> {
        offsets
            .get(i)
            .and_then(|&o| usize::try_from(o.into()).ok())
            .ok_or_else(|| Error::internal(format!("bad string offset at {i}")))
    };
    let base = at(start)?;
    let mut end = start + 1;
    while end < count && at(end)? - base < CHUNK_BYTES {
        end += 1;
    }
    let bytes =
        values.get(base..at(end)?).ok_or_else(|| Error::internal("string offsets past the values"))?;
    let ends = (start + 1..=end).map(|i| Ok(at(i)? - base)).collect::<CoreResult<Vec<usize>>>()?;
    Ok((bytes, ends))
}

/// [`chunk_of`] as bytes: the joined bytes, and each value's end in them.
fn joined_bytes<O: Copy + Into<i64>>(
    offsets: &[O],
    values: &[u8],
    start: usize,
) -> CoreResult<(Vec<u8>, Vec<u32>)> {
    let (bytes, ends) = chunk_of(offsets, values, start)?;
    let ends = ends
        .into_iter()
        .map(|end| u32::try_from(end).map_err(|_| Error::capacity("a value is too long: more than 4 GiB")))
        .collect::<CoreResult<Vec<u32>>>()?;
    Ok((bytes.to_vec(), ends))
}

/// [`chunk_of`] as text: the joined text, and each value's end in it in UTF-16 units.
fn joined_chunk<O: Copy + Into<i64>>(
    offsets: &[O],
    values: &[u8],
    start: usize,
) -> CoreResult<(String, Vec<u32>)> {
    let (bytes, byte_ends) = chunk_of(offsets, values, start)?;
    // The callers pass valid UTF-8 (lossy copies where needed), cut at value boundaries.
    let text = std::str::from_utf8(bytes).map_err(|e| Error::internal(format!("text is not UTF-8: {e}")))?;
    let mut ends = Vec::with_capacity(byte_ends.len());
    if text.is_ascii() {
        ends.extend(byte_ends.iter().map(|&end| end as u64));
    } else {
        let mut units = 0u64;
        let mut begin = 0;
        for &stop in &byte_ends {
            let value =
                text.get(begin..stop).ok_or_else(|| Error::internal("a value is cut inside a character"))?;
            units += if value.is_ascii() { value.len() } else { value.encode_utf16().count() } as u64;
            ends.push(units);
            begin = stop;
        }
    }
    if ends.last().is_some_and(|&units| units > V8_MAX_STRING_UNITS as u64) {
        return Err(Error::capacity(format!(
            "a value is too long for a JS string: more than V8's limit of {V8_MAX_STRING_UNITS} UTF-16 units"
        )));
    }
    // Below V8's limit, so below u32::MAX.
    Ok((text.to_owned(), ends.into_iter().map(|units| units as u32).collect()))
}

fn to_f64s<T: Copy>(values: &[T], convert: impl Fn(T) -> f64) -> Float64Array {
    Float64Array::new(values.iter().map(|&v| convert(v)).collect())
}

#[napi(namespace = "__logs")]
impl NativeTable {
    #[napi(getter, catch_unwind)]
    pub fn num_rows(&self) -> Result<f64> {
        guarded(|| Ok(self.table.num_rows() as f64))
    }

    #[napi(catch_unwind)]
    pub fn column_names(&self) -> Result<Vec<String>> {
        guarded(|| Ok(self.table.column_names().into_iter().map(str::to_owned).collect()))
    }

    /// Core's type name of each column, in order.
    #[napi(catch_unwind)]
    pub fn column_types(&self) -> Result<Vec<String>> {
        guarded(|| Ok(self.table.columns().iter().map(|c| c.column_type().as_str().to_owned()).collect()))
    }

    /// A number column: `Uint16Array` (uint16), `Int16Array` (int16), or `Float64Array` (the
    /// rest, 64-bit integers rounded above 2^53; float64 with NaN at null rows, the others with
    /// the 0 core stores there).
    #[napi(catch_unwind)]
    pub fn numbers(&self, index: u32) -> Result<Either3<Uint16Array, Int16Array, Float64Array>> {
        run(|| {
            let column = self.column(index)?;
            Ok(match column.data() {
                ColumnData::UInt16(v) => Either3::A(Uint16Array::new(v.clone())),
                ColumnData::Int16(v) => Either3::B(Int16Array::new(v.clone())),
                ColumnData::UInt64(v) => Either3::C(to_f64s(v, |x| x as f64)),
                ColumnData::Int64(v) | ColumnData::Timestamp(v) => Either3::C(to_f64s(v, |x| x as f64)),
                ColumnData::Float64(v) => {
                    let mut values = v.clone();
                    if column.null_count() > 0 {
                        let validity = column.validity();
                        for (row, value) in values.iter_mut().enumerate() {
                            if !validity.is_valid(row) {
                                *value = f64::NAN;
                            }
                        }
                    }
                    Either3::C(Float64Array::new(values))
                }
                ColumnData::String { .. } | ColumnData::Dictionary { .. } => {
                    return Err(Error::invalid_argument(format!("column {:?} holds strings", column.name())));
                }
                ColumnData::Bool(_) => {
                    return Err(Error::invalid_argument(format!(
                        "column {:?} holds booleans",
                        column.name()
                    )));
                }
            })
        })
    }

    /// A bool column as 0/1 bytes (null rows hold the 0 core stores there).
    #[napi(catch_unwind)]
    pub fn booleans(&self, index: u32) -> Result<Uint8Array> {
        run(|| {
            let column = self.column(index)?;
            match column.data() {
                ColumnData::Bool(v) => Ok(Uint8Array::new(v.iter().map(|&b| u8::from(b)).collect())),
                _ => Err(Error::invalid_argument(format!(
                    "column {:?} is {}, not a bool column",
                    column.name(),
                    column.column_type().as_str()
                ))),
            }
        })
    }

    /// A 64-bit integer column exactly: `BigUint64Array` (uint64) or `BigInt64Array` (int64 and
    /// timestamps), null rows holding the 0 core stores there.
    #[napi(catch_unwind)]
    pub fn big_integers(&self, index: u32) -> Result<Either<BigUint64Array, BigInt64Array>> {
        run(|| {
            let column = self.column(index)?;
            match column.data() {
                ColumnData::UInt64(v) => Ok(Either::A(BigUint64Array::new(v.clone()))),
                ColumnData::Int64(v) | ColumnData::Timestamp(v) => {
                    Ok(Either::B(BigInt64Array::new(v.clone())))
                }
                _ => Err(Error::invalid_argument(format!(
                    "column {:?} is {}, not a 64-bit integer column (uint64, int64 or timestamp)",
                    column.name(),
                    column.column_type().as_str()
                ))),
            }
        })
    }

    /// The Arrow validity bitmap of a column (bit `i % 8` of byte `i / 8` set when row `i`
    /// holds a value), or null when no row is null.
    #[napi(catch_unwind)]
    pub fn validity(&self, index: u32) -> Result<Option<Uint8Array>> {
        run(|| {
            let column = self.column(index)?;
            Ok((column.null_count() > 0).then(|| Uint8Array::from(column.validity().bits())))
        })
    }

    /// The codes of a dictionary column (null rows hold 0), into its dictionary as stored
    /// (`raw`) or as decoded (where values that decode alike share one entry).
    #[napi(catch_unwind)]
    pub fn codes(&self, index: u32, raw: bool) -> Result<Uint32Array> {
        run(|| match self.chosen_column(index, raw)?.data() {
            ColumnData::Dictionary { codes, .. } => Ok(Uint32Array::new(codes.clone())),
            _ => Err(Error::invalid_argument(format!("column {index} is not a dictionary column"))),
        })
    }

    /// The number of values of a dictionary column's dictionary, as stored (`raw`) or decoded.
    #[napi(catch_unwind)]
    pub fn dictionary_size(&self, index: u32, raw: bool) -> Result<u32> {
        run(|| match self.chosen_column(index, raw)?.data() {
            // A pool holds fewer than 2^31 values.
            ColumnData::Dictionary { pool, .. } => Ok(pool.len() as u32),
            _ => Err(Error::invalid_argument(format!("column {index} is not a dictionary column"))),
        })
    }

    /// Values `start..` of a plain string column (null rows as empty strings), or of a
    /// dictionary column's dictionary: joined text and each value's UTF-16 end in it.
    #[napi(catch_unwind)]
    pub fn text_chunk(&self, index: u32, start: f64) -> Result<(String, Uint32Array)> {
        run(|| {
            let start = to_count("start", start)?;
            let (text, ends) = match self.text_column(index)?.data() {
                ColumnData::String { offsets, values } => joined_chunk(offsets, values, start)?,
                ColumnData::Dictionary { pool, .. } => {
                    joined_chunk(pool.offsets(), pool.values_bytes(), start)?
                }
                _ => return Err(Error::invalid_argument(format!("column {index} is not a string column"))),
            };
            Ok((text, Uint32Array::new(ends)))
        })
    }

    /// Values `start..` of a plain string column (null rows as empty values), or of a
    /// dictionary column's dictionary as stored, as bytes: joined, and each value's end in them.
    #[napi(catch_unwind)]
    pub fn bytes_chunk(&self, index: u32, start: f64) -> Result<(Buffer, Uint32Array)> {
        run(|| {
            let start = to_count("start", start)?;
            let (bytes, ends) = match self.column(index)?.data() {
                ColumnData::String { offsets, values } => joined_bytes(offsets, values, start)?,
                ColumnData::Dictionary { pool, .. } => {
                    joined_bytes(pool.offsets(), pool.values_bytes(), start)?
                }
                _ => return Err(Error::invalid_argument(format!("column {index} is not a string column"))),
            };
            Ok((Buffer::from(bytes), Uint32Array::new(ends)))
        })
    }

    /// The failed lines, in input order.
    #[napi(catch_unwind)]
    pub fn errors(&self) -> Result<Vec<LogError>> {
        guarded(|| {
            Ok(self
                .table
                .errors()
                .iter()
                .map(|e| LogError {
                    line: e.line as f64,
                    code: e.error.code().to_owned(),
                    offset: e.offset as f64,
                    text: String::from_utf8_lossy(&e.text).into_owned(),
                    raw: Buffer::from(e.text.clone()),
                })
                .collect())
        })
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> Result<LogStats> {
        guarded(|| {
            let s = self.table.stats();
            Ok(LogStats {
                lines: s.lines as f64,
                ok: s.ok as f64,
                errors: s.errors as f64,
                skipped: s.skipped as f64,
                empty: s.empty as f64,
                bytes: s.bytes as f64,
                seconds: s.seconds,
            })
        })
    }

    /// Heap bytes the table holds.
    #[napi(getter, catch_unwind)]
    pub fn memory_usage(&self) -> Result<f64> {
        guarded(|| Ok(self.table.memory_usage() as f64))
    }
}

// ------------------------------------------------------------------------------ whole inputs

/// @internal `logs.parseFile`.
#[napi(namespace = "__logs", js_name = "parseFile", catch_unwind)]
pub fn parse_log_file(
    env: Env,
    path: String,
    kind: String,
    spec: String,
    options: NativeOptions,
) -> Result<NativeTable> {
    run(|| {
        let (format, options) = (to_format(&kind, &spec)?, to_options(&options)?);
        Ok(NativeTable::new(env, parse_file(&path, &format, &options)?))
    })
}

/// @internal `logs.parseBuffer`: the bytes are read in place (the JS thread waits).
#[napi(namespace = "__logs", catch_unwind)]
pub fn parse_buffer(
    env: Env,
    data: Uint8ArraySlice,
    kind: String,
    spec: String,
    options: NativeOptions,
) -> Result<NativeTable> {
    run(|| {
        let (format, options) = (to_format(&kind, &spec)?, to_options(&options)?);
        Ok(NativeTable::new(env, parse_bytes(&data, &format, &options)?))
    })
}

/// @internal `logs.parseFileAsync`: the format and options are checked at once (bad ones
/// throw); the file is read and parsed on the libuv thread pool.
#[napi(namespace = "__logs", catch_unwind, ts_return_type = "Promise<NativeTable>")]
pub fn parse_file_async(
    path: String,
    kind: String,
    spec: String,
    options: NativeOptions,
) -> Result<AsyncTask<ParseFileTask>> {
    run(|| {
        let (format, options) = (to_format(&kind, &spec)?, to_options(&options)?);
        Ok(AsyncTask::new(ParseFileTask { path, format, options }))
    })
}

/// The body of `parseFileAsync`.
pub struct ParseFileTask {
    path: String,
    format: LogFormat,
    options: ParseOptions,
}

impl Task for ParseFileTask {
    /// A core result: errors become JS errors with their codes in `resolve`, on the JS thread.
    type Output = CoreResult<LogTable>;
    type JsValue = NativeTable;

    /// Runs on a libuv thread, where a panic would abort the process: it is caught here.
    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(catch_unwind(AssertUnwindSafe(|| parse_file(&self.path, &self.format, &self.options)))
            .unwrap_or_else(|payload| Err(Error::from_panic(payload.as_ref()))))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        settle(env, output.map(|table| NativeTable::new(env, table)))
    }
}

/// @internal A task that panics on the libuv thread inside the guard `parseFileAsync` uses: the
/// promise must reject with `FERRULE_INTERNAL` and the process live on.
#[napi(namespace = "__logs", catch_unwind, ts_return_type = "Promise<NativeTable>")]
pub fn debug_panic_async(message: String) -> Result<AsyncTask<PanicTask>> {
    guarded(|| Ok(AsyncTask::new(PanicTask { message })))
}

pub struct PanicTask {
    message: String,
}

impl Task for PanicTask {
    type Output = CoreResult<LogTable>;
    type JsValue = NativeTable;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        #[allow(clippy::panic)] // the point of this task: it exercises the guard
        let work = || -> CoreResult<LogTable> { panic!("{}", self.message) };
        Ok(catch_unwind(AssertUnwindSafe(work))
            .unwrap_or_else(|payload| Err(Error::from_panic(payload.as_ref()))))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        settle(env, output.map(|table| NativeTable::new(env, table)))
    }
}

// ------------------------------------------------------------------------------ streams

/// @internal `logs.createParser`'s parser.
#[napi(namespace = "__logs")]
pub struct NativeParser {
    parser: StreamParser,
}

/// @internal A streaming parser (see `logs.createParser`).
#[napi(namespace = "__logs", catch_unwind)]
pub fn create_parser(kind: String, spec: String, options: NativeOptions) -> Result<NativeParser> {
    run(|| {
        let (format, options) = (to_format(&kind, &spec)?, to_options(&options)?);
        Ok(NativeParser { parser: StreamParser::new(&format, &options)? })
    })
}

#[napi(namespace = "__logs")]
impl NativeParser {
    /// Parses the complete lines `chunk` ends; a partial last line waits for the next chunk.
    #[napi(catch_unwind)]
    pub fn push(&mut self, chunk: Uint8ArraySlice) -> Result<()> {
        run(|| self.parser.push(&chunk))
    }

    #[napi(catch_unwind)]
    pub fn take_batch(&mut self, env: Env) -> Result<NativeTable> {
        guarded(|| Ok(NativeTable::new(env, self.parser.take_batch())))
    }

    #[napi(catch_unwind)]
    pub fn finish(&mut self, env: Env) -> Result<NativeTable> {
        run(|| Ok(NativeTable::new(env, self.parser.finish()?)))
    }

    #[napi(getter, catch_unwind)]
    pub fn rows_buffered(&self) -> Result<f64> {
        guarded(|| Ok(self.parser.rows_buffered() as f64))
    }

    #[napi(getter, catch_unwind)]
    pub fn pending_bytes(&self) -> Result<f64> {
        guarded(|| Ok(self.parser.pending_bytes() as f64))
    }

    #[napi(getter, catch_unwind)]
    pub fn finished(&self) -> Result<bool> {
        guarded(|| Ok(self.parser.is_finished()))
    }
}

/// @internal `logs.readBatches`' reader.
#[napi(namespace = "__logs")]
pub struct NativeBatchReader {
    /// `None` once closed.
    reader: Option<BatchReader>,
}

/// @internal Opens a file for `logs.readBatches` (a missing file throws here).
#[napi(namespace = "__logs", catch_unwind)]
pub fn open_batches(
    path: String,
    kind: String,
    spec: String,
    options: NativeOptions,
    batch_rows: f64,
) -> Result<NativeBatchReader> {
    run(|| {
        let (format, options) = (to_format(&kind, &spec)?, to_options(&options)?);
        let batch_rows = to_count("batchRows", batch_rows)?;
        Ok(NativeBatchReader { reader: Some(BatchReader::open(&path, &format, &options, batch_rows)?) })
    })
}

#[napi(namespace = "__logs")]
impl NativeBatchReader {
    /// The next batch, or null after the last one (and once closed, or after an error).
    #[napi(catch_unwind)]
    pub fn next(&mut self, env: Env) -> Result<Option<NativeTable>> {
        run(|| {
            let Some(reader) = self.reader.as_mut() else { return Ok(None) };
            let batch = reader.next_batch();
            if !matches!(batch, Ok(Some(_))) {
                // Done or failed: release the file and the buffers now, not at GC.
                self.reader = None;
            }
            Ok(batch?.map(|table| NativeTable::new(env, table)))
        })
    }

    /// Closes the file; `next` returns null afterwards.
    #[napi(catch_unwind)]
    pub fn close(&mut self) -> Result<()> {
        guarded(|| {
            self.reader = None;
            Ok(())
        })
    }
}
