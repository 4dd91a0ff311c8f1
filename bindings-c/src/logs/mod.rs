//! Logs in C (access logs, syslog, error logs, logfmt, JSON lines, templates):
//! `ferrule_log_format` (a compiled format), `ferrule_log_options`, the parses into a
//! `ferrule_log_table` (whole file or buffer, a streaming parser, a batch reader), the table's
//! accessors (typed column pointers in Arrow's layout, validity bitmaps, dictionaries, errors,
//! stats) and RFC 5424 structured data (`ferrule_sd`).
//!
//! - this file: the enums, the options, the format, and the location of a bad line for
//!   `on_error = raise` (`ferrule_log_last_error`).
//! - `parse`: `ferrule_log_parse_file`/`_bytes`, `ferrule_log_parser_*`, `ferrule_log_reader_*`.
//! - `table`: `ferrule_log_table_*`.
//! - `sd`: `ferrule_log_structured_data_parse` and the `ferrule_sd_*` accessors.
//!
//! Like `ferrule_vec_*`, no function takes an enum by value (C may pass any integer, and a Rust
//! enum holding a value it does not define is undefined behaviour): inputs are `uint32_t`,
//! checked; the enums are exported for their constants (and as outputs).

// In the header's order.
mod parse;

mod table;

mod sd;

use crate::boundary::{Failure, guard, in_slice, out_param};
use crate::status::ferrule_status;
use ferrule_core::logs::{ColumnType, FormatKind, LogFormat, OnError, ParseOptions};
use ferrule_core::{Error, ErrorKind};
use std::cell::Cell;
use std::ffi::{CStr, c_char};

/// Which grammar `ferrule_log_format_parse` reads (its `kind` argument, a `uint32_t`; other
/// values fail with `FERRULE_STATUS_INVALID_ARGUMENT`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ferrule_log_format_kind {
    /// A preset name: the access logs `combined` (Apache and nginx default), `common` (alias
    /// `clf`) and `vhost_combined`; the system logs `syslog_rfc3164` (BSD syslog),
    /// `syslog_rfc5424`, `apache_error` and `nginx_error`; and `logfmt` and `jsonl`, whose
    /// columns are the keys found in the data (see `ferrule_log_format_parse`).
    FERRULE_LOG_FORMAT_PRESET = 0,
    /// An nginx `log_format` string (`$remote_addr - $remote_user [$time_local] "$request" ...`),
    /// optionally as written in nginx.conf (single-quoted parts, `log_format NAME`, `;`).
    FERRULE_LOG_FORMAT_NGINX = 1,
    /// An Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b`).
    FERRULE_LOG_FORMAT_APACHE = 2,
    /// A LogPAI-style header template (`<Date> <Time> <Level> <Component>([<PID>])?: <Content>`):
    /// `<Name>` fields (`<Name:int>` and `<Name:float>` typed), literal text, `(...)?` optional
    /// groups. One column per field, named exactly as the field.
    FERRULE_LOG_FORMAT_TEMPLATE = 3,
}

/// What a parse does with a line that does not parse (`ferrule_log_options.on_error`, a
/// `uint32_t`; other values fail with `FERRULE_STATUS_INVALID_ARGUMENT`). The names are those
/// of every ferrule runtime ("row", "skip", "raise"; see `ferrule_log_on_error_parse`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ferrule_on_error {
    /// The default: keep the line as a row with its `error` and `error_offset` columns set (and
    /// whatever fields parsed before the failure).
    FERRULE_ON_ERROR_ROW = 0,
    /// Drop the line: it counts in `stats.skipped` and is still listed by
    /// `ferrule_log_table_error`.
    FERRULE_ON_ERROR_SKIP = 1,
    /// Fail at the first bad line with `FERRULE_STATUS_PARSE`: the message has the reason (a row
    /// error code such as `UNTERMINATED_QUOTE`), the line, the byte in the line and a snippet;
    /// `ferrule_log_last_error` gives them as values.
    FERRULE_ON_ERROR_RAISE = 2,
}

/// The type of a table column (`ferrule_log_table_column_type`). Values never change meaning.
/// Null rows hold 0, an empty string or code 0: always consult the validity bitmap.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ferrule_log_column_type {
    /// `uint64_t` (`line`, byte counts, `error_offset`): `ferrule_log_table_column_u64`.
    FERRULE_LOG_COLUMN_UINT64 = 0,
    /// `uint16_t` (`status`): `ferrule_log_table_column_u16`.
    FERRULE_LOG_COLUMN_UINT16 = 1,
    /// `int16_t` (`tz_offset`, the original UTC offset in minutes): `ferrule_log_table_column_i16`.
    FERRULE_LOG_COLUMN_INT16 = 2,
    /// `int64_t` (integers such as a pid or a port): `ferrule_log_table_column_i64`.
    FERRULE_LOG_COLUMN_INT64 = 3,
    /// `double` (durations, in the unit the column name says): `ferrule_log_table_column_f64`.
    FERRULE_LOG_COLUMN_FLOAT64 = 4,
    /// `int64_t` microseconds since the Unix epoch, UTC (`timestamp`):
    /// `ferrule_log_table_column_timestamp`.
    FERRULE_LOG_COLUMN_TIMESTAMP = 5,
    /// Plain byte strings, Arrow `large_utf8` layout: `ferrule_log_table_column_strings`.
    FERRULE_LOG_COLUMN_STRING = 6,
    /// Dictionary-encoded byte strings: `uint32_t` codes (`ferrule_log_table_column_codes`) into
    /// the column's dictionary (`ferrule_log_table_dictionary`).
    FERRULE_LOG_COLUMN_DICTIONARY = 7,
    /// Booleans (JSON lines `true`/`false`), one byte per row holding 0 or 1:
    /// `ferrule_log_table_column_bool`.
    FERRULE_LOG_COLUMN_BOOL = 8,
}

/// The C column types with their core type and NUL-terminated name, in value order.
const COLUMN_TYPES: [(ferrule_log_column_type, ColumnType, &CStr); 9] = [
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_UINT64, ColumnType::UInt64, c"uint64"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_UINT16, ColumnType::UInt16, c"uint16"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_INT16, ColumnType::Int16, c"int16"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_INT64, ColumnType::Int64, c"int64"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_FLOAT64, ColumnType::Float64, c"float64"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_TIMESTAMP, ColumnType::Timestamp, c"timestamp[us, UTC]"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_STRING, ColumnType::String, c"string"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_DICTIONARY, ColumnType::Dictionary, c"dictionary"),
    (ferrule_log_column_type::FERRULE_LOG_COLUMN_BOOL, ColumnType::Bool, c"bool"),
];

/// The C value of a core column type.
fn column_type_to_c(ty: ColumnType) -> Result<ferrule_log_column_type, Failure> {
    COLUMN_TYPES
        .iter()
        .find(|(_, core, _)| *core == ty)
        .map(|&(c, ..)| c)
        .ok_or_else(|| Error::internal(format!("column type {ty} has no C value")).into())
}

/// The C format kinds with their core kind, in value order.
const FORMAT_KINDS: [(ferrule_log_format_kind, FormatKind); 4] = [
    (ferrule_log_format_kind::FERRULE_LOG_FORMAT_PRESET, FormatKind::Preset),
    (ferrule_log_format_kind::FERRULE_LOG_FORMAT_NGINX, FormatKind::Nginx),
    (ferrule_log_format_kind::FERRULE_LOG_FORMAT_APACHE, FormatKind::Apache),
    (ferrule_log_format_kind::FERRULE_LOG_FORMAT_TEMPLATE, FormatKind::Template),
];

/// The C on_error values with their core mode, in value order.
const ON_ERRORS: [(ferrule_on_error, OnError); 3] = [
    (ferrule_on_error::FERRULE_ON_ERROR_ROW, OnError::Row),
    (ferrule_on_error::FERRULE_ON_ERROR_SKIP, OnError::Skip),
    (ferrule_on_error::FERRULE_ON_ERROR_RAISE, OnError::Raise),
];

fn format_kind_from(value: u32) -> Result<FormatKind, Failure> {
    FORMAT_KINDS.iter().find(|(c, _)| *c as u32 == value).map(|&(_, kind)| kind).ok_or_else(|| {
        Error::invalid_argument(format!(
            "unknown format kind {value}: expected FERRULE_LOG_FORMAT_PRESET (0), FERRULE_LOG_FORMAT_NGINX (1), FERRULE_LOG_FORMAT_APACHE (2) or FERRULE_LOG_FORMAT_TEMPLATE (3)"
        ))
        .into()
    })
}

fn on_error_from(value: u32) -> Result<OnError, Failure> {
    ON_ERRORS.iter().find(|(c, _)| *c as u32 == value).map(|&(_, mode)| mode).ok_or_else(|| {
        Error::invalid_argument(format!(
            "unknown on_error {value}: expected FERRULE_ON_ERROR_ROW (0), FERRULE_ON_ERROR_SKIP (1) or FERRULE_ON_ERROR_RAISE (2)"
        ))
        .into()
    })
}

/// The `len` bytes at `ptr` as UTF-8 text (`name` names the argument in errors).
///
/// # Safety
/// `ptr` must be NULL (only when `len` is 0) or valid for reads of `len` bytes during `'a`.
unsafe fn utf8_arg<'a>(ptr: *const u8, len: usize, name: &'static str) -> Result<&'a str, Failure> {
    // SAFETY: the caller contract above.
    let bytes = unsafe { in_slice(ptr, len, name) }?;
    std::str::from_utf8(bytes).map_err(|e| Error::new(ErrorKind::InvalidUtf8, format!("{name}: {e}")).into())
}

// ------------------------------------------------------------------------------- last error

/// Where the most recent failed `ferrule_log_*` call of a thread failed: (line, byte in the
/// line, reason), all unknown (0, 0, "") unless it was a bad line under `on_error = raise`.
#[derive(Clone, Copy)]
struct BadLine {
    line: u64,
    offset: u64,
    reason: &'static str,
}

const NO_BAD_LINE: BadLine = BadLine { line: 0, offset: 0, reason: "" };

thread_local! {
    static LAST_BAD_LINE: Cell<BadLine> = const { Cell::new(NO_BAD_LINE) };
}

/// [`guard`] for the `ferrule_log_*` exports: also records, on failure, where a bad line was
/// (for `ferrule_log_last_error`), and forgets the previous one on any other failure.
fn log_guard(body: impl FnOnce() -> Result<(), Failure>) -> ferrule_status {
    let mut bad_line = NO_BAD_LINE;
    let status = guard(|| {
        body().inspect_err(|failure| {
            if let Failure::Core(err) = failure
                && let Some(reason) = err.reason()
            {
                let location = err.location();
                bad_line = BadLine {
                    line: location.line.unwrap_or(0),
                    offset: location.offset.unwrap_or(0),
                    reason,
                };
            }
        })
    });
    if status != ferrule_status::FERRULE_STATUS_OK {
        // try_with: during thread teardown the slot may be gone; losing it beats aborting.
        let _ = LAST_BAD_LINE.try_with(|slot| slot.set(bad_line));
    }
    status
}

/// Stores where the most recent failed `ferrule_log_*` or `ferrule_sd_*` call on this thread
/// found a bad line: its 1-based line number in `*out_line`, the byte in that line where parsing
/// stopped in `*out_offset`, and the row error code (`UNTERMINATED_QUOTE`, `BAD_TIMESTAMP`, ...)
/// in `*out_reason` / `*out_reason_len`. These are set by `FERRULE_STATUS_PARSE` failures of a
/// parse with `on_error = FERRULE_ON_ERROR_RAISE`; after any other failure of a `ferrule_log_*`
/// or `ferrule_sd_*` call (or none yet) the line is 0, the offset 0 and the reason empty.
/// Successful calls, other calls and this call leave it as it is; `ferrule_last_error_message`
/// has the full text.
///
/// The reason is a static string, never freed, NOT NUL-terminated (use the length);
/// `*out_reason` is never NULL. Thread-safe: each thread has its own.
///
/// # Safety
/// Each pointer must be NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_last_error(
    out_line: *mut u64,
    out_offset: *mut u64,
    out_reason: *mut *const u8,
    out_reason_len: *mut usize,
) -> ferrule_status {
    // Plain guard: this call must not change what it reports.
    guard(|| {
        // SAFETY: `out_line` is NULL (refused) or valid for one write (caller contract).
        let out_line = unsafe { out_param(out_line, "out_line") }?;
        // SAFETY: `out_offset` is NULL (refused) or valid for one write (caller contract).
        let out_offset = unsafe { out_param(out_offset, "out_offset") }?;
        // SAFETY: `out_reason` is NULL (refused) or valid for one write (caller contract).
        let out_reason = unsafe { out_param(out_reason, "out_reason") }?;
        // SAFETY: `out_reason_len` is NULL (refused) or valid for one write (caller contract).
        let out_reason_len = unsafe { out_param(out_reason_len, "out_reason_len") }?;
        let bad = LAST_BAD_LINE.try_with(Cell::get).unwrap_or(NO_BAD_LINE);
        out_line.write(bad.line);
        out_offset.write(bad.offset);
        out_reason.write(static_bytes(bad.reason));
        out_reason_len.write(bad.reason.len());
        Ok(())
    })
}

/// A pointer C may use for a static string of any length (an empty `&str`'s pointer may be
/// dangling, which C may not even pass to `memcmp`).
fn static_bytes(text: &'static str) -> *const u8 {
    if text.is_empty() { c"".as_ptr().cast::<u8>() } else { text.as_ptr() }
}

// ---------------------------------------------------------------------------------- options

/// Options of a parse (`ferrule_log_parse_file`, `ferrule_log_parse_bytes`,
/// `ferrule_log_parser_new`, `ferrule_log_reader_open`). Passing NULL means the defaults, and so
/// does a zero-initialized struct (`ferrule_log_options options = {0};`). A plain value: the call
/// reads it (and the `plain_columns` bytes) once and keeps no pointer to it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct ferrule_log_options {
    /// A `ferrule_on_error` value: `FERRULE_ON_ERROR_ROW` (0, the default),
    /// `FERRULE_ON_ERROR_SKIP` or `FERRULE_ON_ERROR_RAISE`. Any other value fails with
    /// `FERRULE_STATUS_INVALID_ARGUMENT`.
    pub on_error: u32,
    /// Threads of a whole-input parse (`ferrule_log_parse_file`/`_bytes`): 0 = all cores, 1 =
    /// on the calling thread, up to 1024 = a pool of that many threads ferrule keeps for later
    /// calls. More than 1024 fails with `FERRULE_STATUS_INVALID_ARGUMENT`. The table does not
    /// depend on it. The streaming parser and the batch reader parse on the calling thread.
    pub threads: usize,
    /// 1: undo `\"`, `\\` and `\xNN` escapes in string fields; 0 (default): keep the text as
    /// logged. Other values fail with `FERRULE_STATUS_INVALID_ARGUMENT`.
    pub unescape: u32,
    /// 1: lines that are not UTF-8 become error rows (`INVALID_UTF8`); 0 (default): they parse
    /// as bytes (string columns hold the raw bytes). Other values fail with
    /// `FERRULE_STATUS_INVALID_ARGUMENT`.
    pub strict_utf8: u32,
    /// The string columns to store plain (`FERRULE_LOG_COLUMN_STRING`) rather than
    /// dictionary-encoded, as comma-separated names (`"request,path,user_agent"`; spaces around
    /// names are ignored), `plain_columns_len` bytes, not NUL-terminated. NULL (with
    /// `plain_columns_len` 0): the default, `request` and `path`. Non-NULL with length 0: none,
    /// every string column is a dictionary. A name that is not a string column of the format
    /// fails with `FERRULE_STATUS_INVALID_ARGUMENT`.
    pub plain_columns: *const u8,
    /// The length of `plain_columns` in bytes.
    pub plain_columns_len: usize,
    /// `syslog_rfc3164` timestamps carry no year: 1 to 9999 gives every line that year; 0 (the
    /// default) means not given (see `reference_time_us`). Other values, and a year together with
    /// `has_reference_time = 1`, fail with `FERRULE_STATUS_INVALID_ARGUMENT`. Other formats
    /// ignore it.
    pub year: i32,
    /// 1: `reference_time_us` is given; 0 (the default): it is not, and neither is `year`, so the
    /// reference time is the moment the parse starts. Other values fail with
    /// `FERRULE_STATUS_INVALID_ARGUMENT`. (A separate flag because 0 microseconds, 1970, is a
    /// valid reference time.)
    pub has_reference_time: u32,
    /// With `has_reference_time = 1`: microseconds since the Unix epoch, UTC, from year 1 to
    /// 9999 (else `FERRULE_STATUS_INVALID_ARGUMENT`). Each `syslog_rfc3164` line takes the
    /// latest date not after it, so a log from 31 December into 1 January gets two years. Read
    /// only when `has_reference_time` is 1; other formats ignore it.
    pub reference_time_us: i64,
    /// 1: the input is `syslog_rfc5424` framed by RFC 6587 octet counting (`LEN SP MESSAGE`, no
    /// newlines between messages); such input is parsed on the calling thread. 0 (default): one
    /// message per line. 1 with any other format, or a value other than 0 and 1, fails with
    /// `FERRULE_STATUS_INVALID_ARGUMENT`.
    pub octet_counted: u32,
    /// 1: `jsonl` nested objects become columns with dotted names (`{"user":{"id":1}}` gives
    /// `user.id`); 0 (default): a nested object is one column of its JSON text. 1 with any other
    /// format, or a value other than 0 and 1, fails with `FERRULE_STATUS_INVALID_ARGUMENT`.
    pub flatten: u32,
}

/// The most threads a parse may ask for (the limit of ferrule's thread pools).
const MAX_THREADS: usize = 1024;

fn flag(value: u32, name: &str) -> Result<bool, Failure> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::invalid_argument(format!("{name} = {other}: expected 0 or 1")).into()),
    }
}

/// The core options behind a C caller's (NULL: the defaults).
///
/// # Safety
/// `options` must be NULL or valid for reads of one `ferrule_log_options`, whose
/// `plain_columns` is NULL or valid for reads of `plain_columns_len` bytes.
unsafe fn options_from(options: *const ferrule_log_options) -> Result<ParseOptions, Failure> {
    if options.is_null() {
        return Ok(ParseOptions::default());
    }
    // SAFETY: non-NULL and valid for one read (caller contract); in_slice checks the alignment.
    let options = unsafe { in_slice(options, 1, "options") }?[0];
    let threads = options.threads;
    if threads > MAX_THREADS {
        return Err(Error::invalid_argument(format!("threads = {threads}: at most {MAX_THREADS}")).into());
    }
    let plain_columns = if options.plain_columns.is_null() {
        if options.plain_columns_len != 0 {
            return Err(Failure::Null("options.plain_columns"));
        }
        None
    } else {
        // SAFETY: non-NULL, valid for plain_columns_len bytes (caller contract).
        let names =
            unsafe { utf8_arg(options.plain_columns, options.plain_columns_len, "options.plain_columns") }?;
        Some(if names.trim().is_empty() {
            Vec::new()
        } else {
            names.split(',').map(|name| name.trim().to_owned()).collect()
        })
    };
    let reference_time =
        flag(options.has_reference_time, "has_reference_time")?.then_some(options.reference_time_us);
    let parse_options = ParseOptions {
        on_error: on_error_from(options.on_error)?,
        threads: (threads != 0).then_some(threads),
        unescape: flag(options.unescape, "unescape")?,
        strict_utf8: flag(options.strict_utf8, "strict_utf8")?,
        plain_columns,
        progress: None,
        year: (options.year != 0).then_some(options.year),
        reference_time,
        octet_counted: flag(options.octet_counted, "octet_counted")?,
        flatten: flag(options.flatten, "flatten")?,
    };
    // Core checks again when the parse starts; checking here fails a bad year at once, with the
    // same message, whatever the call.
    parse_options.validate()?;
    Ok(parse_options)
}

/// Stores the `ferrule_on_error` value called by the `len` bytes at `name` (`"row"`, `"skip"`
/// or `"raise"`, the names every ferrule runtime uses; not NUL-terminated) in `*out`. Fails with
/// `FERRULE_STATUS_INVALID_ARGUMENT` for any other name (`FERRULE_STATUS_INVALID_UTF8` when the
/// bytes are not UTF-8). Thread-safe.
///
/// # Safety
/// `name`: NULL only when `len` is 0, else valid for reads of `len` bytes; `out`: NULL or valid
/// for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_on_error_parse(
    name: *const u8,
    len: usize,
    out: *mut ferrule_on_error,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `name` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let name = unsafe { utf8_arg(name, len, "name") }?;
        // SAFETY: `out` is NULL (refused) or valid for one write (caller contract).
        let out = unsafe { out_param(out, "out") }?;
        let mode = OnError::from_name(name)?;
        let found = ON_ERRORS.iter().find(|(_, m)| *m == mode).map(|&(c, _)| c);
        out.write(found.ok_or_else(|| Error::internal(format!("on_error {mode:?} has no C value")))?);
        Ok(())
    })
}

/// The name of a `ferrule_log_column_type` value (`"uint16"`, `"timestamp[us, UTC]"`,
/// `"string"`, `"dictionary"`, ..., the names every ferrule runtime uses), a static string never
/// freed; NULL for a value that is not a column type. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ferrule_log_column_type_name(column_type: u32) -> *const c_char {
    COLUMN_TYPES
        .iter()
        .find(|(c, ..)| *c as u32 == column_type)
        .map_or(std::ptr::null(), |(.., name)| name.as_ptr())
}

// ----------------------------------------------------------------------------------- format

/// A compiled log format: a preset, or an nginx or Apache format string compiled once. Parse any
/// number of inputs with it.
///
/// Opaque: created by `ferrule_log_format_parse`, owned by the caller, released with
/// `ferrule_log_format_free`. Parses, parsers and readers copy what they need from it, so it may
/// be freed as soon as the call that takes it returns. Immutable, so thread-safe: any number of
/// threads may use one format at once (except `ferrule_log_format_free`, which must run alone,
/// after every other use).
#[allow(non_camel_case_types)]
pub struct ferrule_log_format {
    inner: LogFormat,
}

/// The format behind a C handle, or a `Null` failure.
///
/// # Safety
/// `format` must be NULL or a live format that stays alive during `'a`.
unsafe fn format_ref<'a>(format: *const ferrule_log_format) -> Result<&'a LogFormat, Failure> {
    // SAFETY: NULL or a live format for 'a (caller contract); only shared access is taken.
    unsafe { format.as_ref() }.map(|f| &f.inner).ok_or(Failure::Null("format"))
}

/// Compiles the `spec_len` bytes at `spec` (UTF-8, not NUL-terminated) as a format of `kind`, a
/// `ferrule_log_format_kind` value, into a new format at `*out_format`. The caller owns it and
/// releases it with `ferrule_log_format_free`.
///
/// - `FERRULE_LOG_FORMAT_PRESET`: `spec` is `"combined"`, `"common"` (or `"clf"`),
///   `"vhost_combined"`, `"syslog_rfc3164"`, `"syslog_rfc5424"`, `"apache_error"`,
///   `"nginx_error"`, `"logfmt"` or `"jsonl"`; another name fails with
///   `FERRULE_STATUS_INVALID_ARGUMENT`.
/// - `FERRULE_LOG_FORMAT_NGINX` / `FERRULE_LOG_FORMAT_APACHE` / `FERRULE_LOG_FORMAT_TEMPLATE`: a
///   format string that does not compile (no fields, two fields with nothing between them, ...)
///   fails with `FERRULE_STATUS_PARSE`.
///
/// A `kind` not listed fails with `FERRULE_STATUS_INVALID_ARGUMENT`, bytes that are not UTF-8
/// with `FERRULE_STATUS_INVALID_UTF8`. The columns of every format: `line` (uint64), the format's
/// fields, then `error` (dictionary of row error codes, null on rows that parsed) and
/// `error_offset` (uint64). The fields of `logfmt` and `jsonl` are the keys found in the data
/// (see `ferrule_log_table`); those of the other formats are fixed:
/// - `syslog_rfc3164`: timestamp, facility (uint16, null without a `<PRI>`), severity (uint16),
///   hostname, app_name, proc_id (dictionaries), message (string).
/// - `syslog_rfc5424`: timestamp, tz_offset, facility, severity, version (uint16), hostname,
///   app_name, proc_id, msg_id (dictionaries), structured_data (string, the raw text: see
///   `ferrule_log_structured_data_parse`), message (string).
/// - `apache_error`: timestamp, module, level (dictionaries), pid, tid (int64), client
///   (dictionary), client_port (uint16), error_code (dictionary, e.g. `AH00126`), message.
/// - `nginx_error`: timestamp, level (dictionary), pid, tid (int64), connection (uint64),
///   message, client, server (dictionaries), request (string), upstream, host, referrer
///   (dictionaries).
/// - a template: one column per field, named as the field: int64 for `<Name:int>`, float64 for
///   `<Name:float>`, a dictionary for the other fields except the last one (the message:
///   a plain string).
///
/// Thread-safe.
///
/// # Safety
/// `spec` must be NULL (only when `spec_len` is 0) or valid for reads of `spec_len` bytes;
/// `out_format` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_format_parse(
    spec: *const u8,
    spec_len: usize,
    kind: u32,
    out_format: *mut *mut ferrule_log_format,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `spec` is NULL (refused unless `spec_len` is 0) or valid for reads of `spec_len` elements
        // (caller contract).
        let spec = unsafe { utf8_arg(spec, spec_len, "spec") }?;
        // SAFETY: `out_format` is NULL (refused) or valid for one write (caller contract).
        let out_format = unsafe { out_param(out_format, "out_format") }?;
        let inner = LogFormat::parse(spec, format_kind_from(kind)?)?;
        out_format.write(Box::into_raw(Box::new(ferrule_log_format { inner })));
        Ok(())
    })
}

/// Releases a format. NULL is accepted and ignored. Tables, parsers and readers made with it
/// stay valid. Not thread-safe with respect to this format: no other call may use it during or
/// after this one.
///
/// # Safety
/// `format` must be NULL or a live format, not used by any other call now or later.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_format_free(format: *mut ferrule_log_format) {
    if format.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: a live format from Box::into_raw (ferrule_log_format_parse), used by no one
        // else and never again (caller contract), so it is dropped exactly once.
        drop(unsafe { Box::from_raw(format) });
        Ok(())
    });
}

/// Stores the kind of `format` (how it was compiled) in `*out_kind`. Thread-safe.
///
/// # Safety
/// `format` must be NULL or live; `out_kind` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_format_get_kind(
    format: *const ferrule_log_format,
    out_kind: *mut ferrule_log_format_kind,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `format` is NULL (refused) or a live format that outlives this call (caller contract).
        let format = unsafe { format_ref(format) }?;
        // SAFETY: `out_kind` is NULL (refused) or valid for one write (caller contract).
        let out_kind = unsafe { out_param(out_kind, "out_kind") }?;
        let kind = format.kind();
        let found = FORMAT_KINDS.iter().find(|(_, k)| *k == kind).map(|&(c, _)| c);
        out_kind.write(found.ok_or_else(|| Error::internal(format!("format kind {kind:?} has no C value")))?);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrule_status::*;
    use std::ptr::{null, null_mut};

    #[test]
    fn enum_values_follow_the_core_names() {
        for (value, (c, core, name)) in COLUMN_TYPES.iter().enumerate() {
            assert_eq!(*c as usize, value);
            assert_eq!(name.to_str().unwrap(), core.as_str());
            assert_eq!(column_type_to_c(*core).unwrap(), *c);
            // SAFETY: a static NUL-terminated string from ferrule (non-NULL for these values).
            let got = unsafe { CStr::from_ptr(ferrule_log_column_type_name(value as u32)) };
            assert_eq!(got, *name);
        }
        assert!(ferrule_log_column_type_name(9).is_null());
        for (value, (c, kind)) in FORMAT_KINDS.iter().enumerate() {
            assert_eq!(*c as usize, value);
            assert_eq!(format_kind_from(value as u32).unwrap(), *kind);
        }
        assert!(format_kind_from(4).is_err());
        for (value, (c, mode)) in ON_ERRORS.iter().enumerate() {
            assert_eq!(*c as usize, value);
            assert_eq!(on_error_from(value as u32).unwrap(), *mode);
            let mut parsed = ferrule_on_error::FERRULE_ON_ERROR_ROW;
            let name = mode.as_str();
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe { ferrule_log_on_error_parse(name.as_ptr(), name.len(), &mut parsed) };
            assert_eq!((status, parsed), (FERRULE_STATUS_OK, *c));
        }
        assert!(on_error_from(3).is_err() && on_error_from(u32::MAX).is_err());
        let mut parsed = ferrule_on_error::FERRULE_ON_ERROR_SKIP;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_log_on_error_parse(b"ignore".as_ptr(), 6, &mut parsed) };
        assert_eq!(
            (status, parsed),
            (FERRULE_STATUS_INVALID_ARGUMENT, ferrule_on_error::FERRULE_ON_ERROR_SKIP)
        );
    }

    fn options() -> ferrule_log_options {
        ferrule_log_options {
            on_error: 0,
            threads: 0,
            unescape: 0,
            strict_utf8: 0,
            plain_columns: null(),
            plain_columns_len: 0,
            year: 0,
            has_reference_time: 0,
            reference_time_us: 0,
            octet_counted: 0,
            flatten: 0,
        }
    }

    fn convert(options: &ferrule_log_options) -> Result<ParseOptions, ferrule_status> {
        let mut out = None;
        let status = guard(|| {
            // SAFETY: test data: NULL or a local options struct.
            out = Some(unsafe { options_from(options) }?);
            Ok(())
        });
        out.ok_or(status)
    }

    #[test]
    fn zeroed_options_are_the_defaults() {
        let got = convert(&options()).unwrap();
        let want = ParseOptions::default();
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
        // SAFETY: test data: NULL or a local options struct.
        assert!(unsafe { options_from(null()) }.is_ok());
    }

    #[test]
    fn options_are_checked_field_by_field() {
        let bad = [
            ferrule_log_options { on_error: 3, ..options() },
            ferrule_log_options { unescape: 2, ..options() },
            ferrule_log_options { strict_utf8: u32::MAX, ..options() },
            ferrule_log_options { threads: 1025, ..options() },
            ferrule_log_options { year: -1, ..options() },
            ferrule_log_options { year: 10_000, ..options() },
            ferrule_log_options { year: 2024, has_reference_time: 1, ..options() },
            ferrule_log_options { has_reference_time: 2, ..options() },
            ferrule_log_options { has_reference_time: 1, reference_time_us: i64::MAX, ..options() },
            ferrule_log_options { octet_counted: 2, ..options() },
            ferrule_log_options { flatten: 7, ..options() },
        ];
        for options in bad {
            assert_eq!(convert(&options).unwrap_err(), FERRULE_STATUS_INVALID_ARGUMENT, "{options:?}");
        }
        let null_names = ferrule_log_options { plain_columns_len: 3, ..options() };
        assert_eq!(convert(&null_names).unwrap_err(), FERRULE_STATUS_NULL_POINTER);
        let names = b"request , user_agent";
        let got = convert(&ferrule_log_options {
            on_error: 2,
            threads: 3,
            unescape: 1,
            strict_utf8: 1,
            plain_columns: names.as_ptr(),
            plain_columns_len: names.len(),
            ..options()
        })
        .unwrap();
        assert_eq!(got.on_error, OnError::Raise);
        assert_eq!(got.threads, Some(3));
        assert!(got.unescape && got.strict_utf8);
        assert_eq!(got.plain_columns, Some(vec!["request".to_owned(), "user_agent".to_owned()]));
        let none = convert(&ferrule_log_options { plain_columns: names.as_ptr(), ..options() }).unwrap();
        assert_eq!(none.plain_columns, Some(vec![]));
        let not_utf8 = [0xffu8];
        let bad_names =
            ferrule_log_options { plain_columns: not_utf8.as_ptr(), plain_columns_len: 1, ..options() };
        assert_eq!(convert(&bad_names).unwrap_err(), FERRULE_STATUS_INVALID_UTF8);
    }

    #[test]
    fn system_log_options_convert() {
        let got = convert(&ferrule_log_options { year: 2024, octet_counted: 1, ..options() }).unwrap();
        assert_eq!(
            (got.year, got.reference_time, got.octet_counted, got.flatten),
            (Some(2024), None, true, false)
        );
        // 1970 itself is a reference time: the flag, not the value, says whether one is given.
        let epoch = convert(&ferrule_log_options { has_reference_time: 1, flatten: 1, ..options() }).unwrap();
        assert_eq!((epoch.year, epoch.reference_time, epoch.flatten), (None, Some(0), true));
        let ignored = convert(&ferrule_log_options { reference_time_us: 5, ..options() }).unwrap();
        assert_eq!(ignored.reference_time, None);
    }

    #[test]
    fn formats_compile_by_kind() {
        let mut format = null_mut();
        let spec = b"$remote_addr $status $request_time";
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_log_format_parse(spec.as_ptr(), spec.len(), 1, &mut format) };
        assert_eq!(status, FERRULE_STATUS_OK);
        let mut kind = ferrule_log_format_kind::FERRULE_LOG_FORMAT_PRESET;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_log_format_get_kind(format, &mut kind) }, FERRULE_STATUS_OK);
        assert_eq!(kind, ferrule_log_format_kind::FERRULE_LOG_FORMAT_NGINX);
        // SAFETY: a live handle made above, freed exactly once.
        unsafe { ferrule_log_format_free(format) };
        let sentinel = std::ptr::dangling_mut::<ferrule_log_format>();
        let cases: [(&[u8], u32, ferrule_status); 5] = [
            (b"json", 0, FERRULE_STATUS_INVALID_ARGUMENT),
            (b"%h%l", 2, FERRULE_STATUS_PARSE),
            (b"no fields", 1, FERRULE_STATUS_PARSE),
            (b"combined", 4, FERRULE_STATUS_INVALID_ARGUMENT),
            (b"\xff", 0, FERRULE_STATUS_INVALID_UTF8),
        ];
        for (spec, kind, want) in cases {
            let mut out = sentinel;
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe { ferrule_log_format_parse(spec.as_ptr(), spec.len(), kind, &mut out) };
            assert_eq!((status, out), (want, sentinel), "{spec:?}");
        }
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_log_format_parse(null(), 1, 0, &mut format) };
        assert_eq!(status, FERRULE_STATUS_NULL_POINTER);
        // SAFETY: NULL is accepted and ignored.
        unsafe { ferrule_log_format_free(null_mut()) };
    }

    /// The edges of the UTF-8 argument and `ferrule_log_last_error` blocks: names of no length,
    /// lengths no memory can hold (refused unread), NULL outputs.
    #[test]
    fn empty_and_impossible_text_arguments() {
        let sentinel = std::ptr::dangling_mut::<ferrule_log_format>();
        let mut out = sentinel;
        // SAFETY: test data: NULL with 0 is the empty name, which is no preset.
        let status = unsafe { ferrule_log_format_parse(null(), 0, 0, &mut out) };
        assert_eq!((status, out), (FERRULE_STATUS_INVALID_ARGUMENT, sentinel));
        let mut mode = ferrule_on_error::FERRULE_ON_ERROR_SKIP;
        for n in [usize::MAX, isize::MAX as usize + 1] {
            // SAFETY: an 8-byte name; the call must refuse `n` before reading it.
            let status = unsafe { ferrule_log_format_parse(b"combined".as_ptr(), n, 0, &mut out) };
            assert_eq!((status, out), (FERRULE_STATUS_INVALID_ARGUMENT, sentinel));
            // SAFETY: as above.
            let status = unsafe { ferrule_log_on_error_parse(b"row".as_ptr(), n, &mut mode) };
            assert_eq!(
                (status, mode),
                (FERRULE_STATUS_INVALID_ARGUMENT, ferrule_on_error::FERRULE_ON_ERROR_SKIP)
            );
        }
        let names = b"request";
        let options =
            ferrule_log_options { plain_columns: names.as_ptr(), plain_columns_len: usize::MAX, ..options() };
        assert_eq!(convert(&options).unwrap_err(), FERRULE_STATUS_INVALID_ARGUMENT);
        // Where the last failure was: every output must be given.
        let (mut line, mut offset, mut reason, mut reason_len) = (9u64, 9u64, null(), 9usize);
        // SAFETY: local outputs, or NULL on purpose.
        unsafe {
            assert_eq!(
                ferrule_log_last_error(&mut line, &mut offset, &mut reason, &mut reason_len),
                FERRULE_STATUS_OK
            );
            assert!(!reason.is_null(), "a real address even for the empty reason");
            assert_eq!(
                ferrule_log_last_error(&mut line, &mut offset, &mut reason, null_mut()),
                FERRULE_STATUS_NULL_POINTER
            );
        }
    }
}
