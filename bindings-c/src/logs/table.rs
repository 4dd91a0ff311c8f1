//! `ferrule_log_table`: a parse's columns, handed to C without copying (Arrow's memory layout:
//! typed arrays, LSB validity bitmaps, `large_utf8` offsets, dictionary codes plus the
//! dictionary's `utf8` offsets and bytes), its failed lines and its stats.
//!
//! Dictionaries: a column's codes index its dictionary's values, which C reads zero-copy as
//! offsets + bytes (`ferrule_log_table_dictionary`). `ferrule_pool` is a growable, concurrent
//! pool (`ConcurrentPool`), a different structure from a parse's frozen `StringPool`, so a pool
//! handle cannot wrap a dictionary without copying it: `ferrule_log_table_dictionary_pool` makes
//! that copy (same ids) for callers who want `ferrule_pool_get` lookups or serialization.

use super::{column_type_to_c, ferrule_log_column_type, log_guard, static_bytes, utf8_arg};
use crate::boundary::{Failure, guard, out_param};
use crate::pool::{ferrule_pool, ferrule_pool_deserialize};
use crate::status::ferrule_status;
use ferrule_core::Error;
use ferrule_core::logs::{Column, ColumnData, ColumnType, LogTable};

/// Parsed log lines as typed columns: one row per non-empty input line (failed lines included
/// unless `on_error` skipped them). Columns, in order: `line` (uint64, 1-based), the format's
/// fields (for `combined`: vhost, client, ident, user, timestamp, tz_offset, request, method,
/// path, protocol, status, bytes, referer, user_agent), `error` (dictionary of row error codes
/// such as `UNTERMINATED_QUOTE`, null on rows that parsed) and `error_offset` (uint64, the byte in
/// the line where parsing stopped, null on rows that parsed). For `logfmt` and `jsonl` the
/// fields are the keys found in the data, in first-seen order (a key equal to `line`, `error` or
/// `error_offset` gets a `_2` suffix); a batch of a streaming parser or reader has the keys seen
/// so far, and with `jsonl` each batch infers its own column types.
///
/// Opaque: created by the parse functions (`ferrule_log_parse_file`, `ferrule_log_parse_bytes`,
/// `ferrule_log_parser_finish`, `ferrule_log_parser_take_batch`, `ferrule_log_reader_next`),
/// owned by the caller, released with `ferrule_log_table_free`. Every pointer an accessor
/// returns points into the table: read-only, never freed by the caller, valid and unchanged
/// until `ferrule_log_table_free(table)` (also after the parser, reader or format that made it
/// is freed). Immutable, so thread-safe: any number of threads may read one table at once
/// (except `ferrule_log_table_free`, which must run alone, after every other use).
#[allow(non_camel_case_types)]
pub struct ferrule_log_table {
    inner: LogTable,
}

/// The counts of a parse (`ferrule_log_table_stats`). A plain value: copy it freely. Always
/// `lines == ok + errors + skipped`; the table has `ok + errors` rows.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[allow(non_camel_case_types)]
pub struct ferrule_log_stats {
    /// Lines read, including empty ones.
    pub lines: u64,
    /// Rows parsed without error.
    pub ok: u64,
    /// Rows kept with an error code (0 with `FERRULE_ON_ERROR_SKIP`, whose failed lines count
    /// as skipped).
    pub errors: u64,
    /// Lines not in the table: empty lines and, with `FERRULE_ON_ERROR_SKIP`, failed ones.
    pub skipped: u64,
    /// Empty lines (part of `skipped`).
    pub empty: u64,
    /// Bytes of input read (inflated bytes for gzip).
    pub bytes: u64,
    /// Wall-clock seconds spent parsing (a file parse includes reading the file).
    pub seconds: f64,
}

/// A new caller-owned handle for a table.
pub(super) fn table_handle(inner: LogTable) -> *mut ferrule_log_table {
    Box::into_raw(Box::new(ferrule_log_table { inner }))
}

/// The table behind a C handle, or a `Null` failure.
///
/// # Safety
/// `table` must be NULL or a live table that stays alive during `'a`.
unsafe fn table_ref<'a>(table: *const ferrule_log_table) -> Result<&'a LogTable, Failure> {
    // SAFETY: NULL or a live table for 'a (caller contract); only shared access is taken, and
    // LogTable is Sync.
    unsafe { table.as_ref() }.map(|t| &t.inner).ok_or(Failure::Null("table"))
}

/// Column `index`, or an `OUT_OF_RANGE` failure.
fn column_at(table: &LogTable, index: usize) -> Result<&Column, Failure> {
    table.columns().get(index).ok_or_else(|| {
        Error::out_of_range(format!("column index {index}: the table has {} columns", table.num_columns()))
            .into()
    })
}

/// Backing storage for the pointer of an empty array: a real, aligned, readable address (an
/// empty slice's pointer may be dangling, which C may not even pass to `memcpy`).
#[repr(align(8))]
struct Empty([u8; 8]);

static EMPTY: Empty = Empty([0; 8]);

/// The pointer C gets for `values`: never NULL, readable for `values.len()` elements.
pub(super) fn c_ptr<T>(values: &[T]) -> *const T {
    const { assert!(std::mem::align_of::<T>() <= 8 && std::mem::size_of::<T>() <= 8) };
    if values.is_empty() { EMPTY.0.as_ptr().cast::<T>() } else { values.as_ptr() }
}

/// The accessor that reads a column of type `ty`.
fn accessor(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::UInt64 => "ferrule_log_table_column_u64",
        ColumnType::UInt16 => "ferrule_log_table_column_u16",
        ColumnType::Int16 => "ferrule_log_table_column_i16",
        ColumnType::Int64 => "ferrule_log_table_column_i64",
        ColumnType::Float64 => "ferrule_log_table_column_f64",
        ColumnType::Timestamp => "ferrule_log_table_column_timestamp",
        ColumnType::String => "ferrule_log_table_column_strings",
        ColumnType::Dictionary => "ferrule_log_table_column_codes and ferrule_log_table_dictionary",
        ColumnType::Bool => "ferrule_log_table_column_bool",
    }
}

/// The `INVALID_ARGUMENT` failure of an accessor called on a column of another type.
fn wrong_type(column: &Column, index: usize, want: &str) -> Failure {
    let ty = column.column_type();
    Error::invalid_argument(format!(
        "column {index} ({:?}) is {ty}, not {want}: read it with {}",
        column.name(),
        accessor(ty)
    ))
    .into()
}

/// Releases a table and everything it holds. NULL is accepted and ignored.
/// Every pointer an accessor returned for this table dangles afterwards. Not thread-safe with
/// respect to this table: no other call may use it during or after this one.
///
/// # Safety
/// `table` must be NULL or a live table, not used by any other call now or later.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_free(table: *mut ferrule_log_table) {
    if table.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: a live table from Box::into_raw (table_handle), used by no one else and never
        // again (caller contract), so it is dropped exactly once.
        drop(unsafe { Box::from_raw(table) });
        Ok(())
    });
}

/// Stores the number of rows in `*out_rows`. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_rows` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_num_rows(
    table: *const ferrule_log_table,
    out_rows: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_rows` is NULL (refused) or valid for one write (caller contract).
        let out_rows = unsafe { out_param(out_rows, "out_rows") }?;
        out_rows.write(table.num_rows());
        Ok(())
    })
}

/// Stores the number of columns in `*out_columns`; columns are numbered from 0. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_columns` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_num_columns(
    table: *const ferrule_log_table,
    out_columns: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_columns` is NULL (refused) or valid for one write (caller contract).
        let out_columns = unsafe { out_param(out_columns, "out_columns") }?;
        out_columns.write(table.num_columns());
        Ok(())
    })
}

/// Stores the index of the column called by the `name_len` bytes at `name` (not
/// NUL-terminated, e.g. `"status"`) in `*out_index`. Fails with `FERRULE_STATUS_INVALID_ARGUMENT`
/// (the message lists the columns there are) when the table has no such column, and
/// `FERRULE_STATUS_INVALID_UTF8` when the name is not UTF-8. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `name` NULL (only when `name_len` is 0) or valid for reads of
/// `name_len` bytes; `out_index` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_index(
    table: *const ferrule_log_table,
    name: *const u8,
    name_len: usize,
    out_index: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `name` is NULL (refused unless `name_len` is 0) or valid for reads of `name_len` elements
        // (caller contract).
        let name = unsafe { utf8_arg(name, name_len, "name") }?;
        // SAFETY: `out_index` is NULL (refused) or valid for one write (caller contract).
        let out_index = unsafe { out_param(out_index, "out_index") }?;
        let column = table.require(name)?;
        let index = table.columns().iter().position(|c| std::ptr::eq(c, column));
        out_index.write(index.ok_or_else(|| Error::internal(format!("column {name:?} has no index")))?);
        Ok(())
    })
}

/// Stores the name of column `index` in `*out_name` and its length in bytes in `*out_len` (UTF-8,
/// NOT NUL-terminated). Fails with `FERRULE_STATUS_OUT_OF_RANGE` when `index` is not below the
/// number of columns. The bytes belong to the table (see `ferrule_log_table`). Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_name` and `out_len` NULL or valid for one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_name(
    table: *const ferrule_log_table,
    index: usize,
    out_name: *mut *const u8,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_name` is NULL (refused) or valid for one write (caller contract).
        let out_name = unsafe { out_param(out_name, "out_name") }?;
        // SAFETY: `out_len` is NULL (refused) or valid for one write (caller contract).
        let out_len = unsafe { out_param(out_len, "out_len") }?;
        let name = column_at(table, index)?.name().as_bytes();
        out_name.write(c_ptr(name));
        out_len.write(name.len());
        Ok(())
    })
}

/// Stores the type of column `index` in `*out_type`: it says which accessor reads the values.
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` when `index` is not below the number of columns.
/// Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_type` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_type(
    table: *const ferrule_log_table,
    index: usize,
    out_type: *mut ferrule_log_column_type,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_type` is NULL (refused) or valid for one write (caller contract).
        let out_type = unsafe { out_param(out_type, "out_type") }?;
        out_type.write(column_type_to_c(column_at(table, index)?.column_type())?);
        Ok(())
    })
}

/// The body of the typed accessors: the values of column `index` if `pick` takes its type.
///
/// # Safety
/// As the exports: `table` NULL or live, the outputs NULL or valid for one write each.
unsafe fn typed_column<T>(
    table: *const ferrule_log_table,
    index: usize,
    (out_values, values_name): (*mut *const T, &'static str),
    out_len: *mut usize,
    want: &str,
    pick: impl FnOnce(&ColumnData) -> Option<&[T]>,
) -> Result<(), Failure> {
    // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
    let table = unsafe { table_ref(table) }?;
    // SAFETY: `out_values` is NULL (refused) or valid for one write (caller contract).
    let out_values = unsafe { out_param(out_values, values_name) }?;
    // SAFETY: `out_len` is NULL (refused) or valid for one write (caller contract).
    let out_len = unsafe { out_param(out_len, "out_len") }?;
    let column = column_at(table, index)?;
    let values = pick(column.data()).ok_or_else(|| wrong_type(column, index, want))?;
    out_values.write(c_ptr(values));
    out_len.write(values.len());
    Ok(())
}

/// Stores a pointer to the values of `uint64_t` column `index` (`FERRULE_LOG_COLUMN_UINT64`) in
/// `*out_values` and their number (the row count) in `*out_len`. Null rows hold 0: read
/// `ferrule_log_table_validity`.
///
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` for an index past the last column and
/// `FERRULE_STATUS_INVALID_ARGUMENT` for a column of another type. `*out_values` is never NULL
/// (also with 0 rows) and stays valid until the table is freed. The same holds for every typed
/// accessor (`_u16`, `_i16`, `_i64`, `_f64`, `_timestamp`). Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_values` and `out_len` NULL or valid for one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_u64(
    table: *const ferrule_log_table,
    index: usize,
    out_values: *mut *const u64,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: the caller contract above is typed_column's.
        unsafe {
            typed_column(table, index, (out_values, "out_values"), out_len, "uint64", |data| match data {
                ColumnData::UInt64(v) => Some(v),
                _ => None,
            })
        }
    })
}

/// `ferrule_log_table_column_u64` for a `uint16_t` column (`FERRULE_LOG_COLUMN_UINT16`, such
/// as `status`).
///
/// # Safety
/// As `ferrule_log_table_column_u64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_u16(
    table: *const ferrule_log_table,
    index: usize,
    out_values: *mut *const u16,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: the caller contract above is typed_column's.
        unsafe {
            typed_column(table, index, (out_values, "out_values"), out_len, "uint16", |data| match data {
                ColumnData::UInt16(v) => Some(v),
                _ => None,
            })
        }
    })
}

/// `ferrule_log_table_column_u64` for an `int16_t` column (`FERRULE_LOG_COLUMN_INT16`, such as
/// `tz_offset`, minutes east of UTC).
///
/// # Safety
/// As `ferrule_log_table_column_u64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_i16(
    table: *const ferrule_log_table,
    index: usize,
    out_values: *mut *const i16,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: the caller contract above is typed_column's.
        unsafe {
            typed_column(table, index, (out_values, "out_values"), out_len, "int16", |data| match data {
                ColumnData::Int16(v) => Some(v),
                _ => None,
            })
        }
    })
}

/// `ferrule_log_table_column_u64` for an `int64_t` column (`FERRULE_LOG_COLUMN_INT64`). A
/// timestamp column is read with `ferrule_log_table_column_timestamp`, not this.
///
/// # Safety
/// As `ferrule_log_table_column_u64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_i64(
    table: *const ferrule_log_table,
    index: usize,
    out_values: *mut *const i64,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: the caller contract above is typed_column's.
        unsafe {
            typed_column(table, index, (out_values, "out_values"), out_len, "int64", |data| match data {
                ColumnData::Int64(v) => Some(v),
                _ => None,
            })
        }
    })
}

/// `ferrule_log_table_column_u64` for a `double` column (`FERRULE_LOG_COLUMN_FLOAT64`, such as
/// nginx `request_time` in seconds or Apache `%D` in microseconds).
///
/// # Safety
/// As `ferrule_log_table_column_u64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_f64(
    table: *const ferrule_log_table,
    index: usize,
    out_values: *mut *const f64,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: the caller contract above is typed_column's.
        unsafe {
            typed_column(table, index, (out_values, "out_values"), out_len, "float64", |data| match data {
                ColumnData::Float64(v) => Some(v),
                _ => None,
            })
        }
    })
}

/// `ferrule_log_table_column_u64` for a timestamp column (`FERRULE_LOG_COLUMN_TIMESTAMP`):
/// `int64_t` microseconds since the Unix epoch, UTC (the original zone is in `tz_offset`).
///
/// # Safety
/// As `ferrule_log_table_column_u64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_timestamp(
    table: *const ferrule_log_table,
    index: usize,
    out_values: *mut *const i64,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: the caller contract above is typed_column's.
        unsafe {
            typed_column(table, index, (out_values, "out_values"), out_len, "timestamp[us, UTC]", |data| {
                match data {
                    ColumnData::Timestamp(v) => Some(v),
                    _ => None,
                }
            })
        }
    })
}

/// `ferrule_log_table_column_u64` for a boolean column (`FERRULE_LOG_COLUMN_BOOL`, JSON lines
/// `true`/`false`): one byte per row, exactly 0 (false) or 1 (true), read in place (not
/// bit-packed like Arrow's boolean arrays). Null rows hold 0: read the validity bitmap.
///
/// # Safety
/// As `ferrule_log_table_column_u64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_bool(
    table: *const ferrule_log_table,
    index: usize,
    out_values: *mut *const u8,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_values` is NULL (refused) or valid for one write (caller contract).
        let out_values = unsafe { out_param(out_values, "out_values") }?;
        // SAFETY: `out_len` is NULL (refused) or valid for one write (caller contract).
        let out_len = unsafe { out_param(out_len, "out_len") }?;
        let column = column_at(table, index)?;
        let ColumnData::Bool(values) = column.data() else {
            return Err(wrong_type(column, index, "bool"));
        };
        // A Rust bool is one byte holding 0 or 1, so the same memory reads as uint8_t in C.
        out_values.write(c_ptr(values).cast::<u8>());
        out_len.write(values.len());
        Ok(())
    })
}

/// Stores the validity bitmap of column `index` (any type) in `*out_bits` and its number of
/// null rows in `*out_null_count`. Arrow's layout: row `i` is valid (not null) when bit `i % 8`
/// of byte `bits[i / 8]` is set; the bitmap has `(rows + 7) / 8` bytes, bits past the last row
/// are 0. `*out_bits` is never NULL (also with 0 rows or 0 nulls) and stays valid until the
/// table is freed. Fails with `FERRULE_STATUS_OUT_OF_RANGE` for an index past the last column.
/// Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_bits` and `out_null_count` NULL or valid for one write
/// each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_validity(
    table: *const ferrule_log_table,
    index: usize,
    out_bits: *mut *const u8,
    out_null_count: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_bits` is NULL (refused) or valid for one write (caller contract).
        let out_bits = unsafe { out_param(out_bits, "out_bits") }?;
        // SAFETY: `out_null_count` is NULL (refused) or valid for one write (caller contract).
        let out_null_count = unsafe { out_param(out_null_count, "out_null_count") }?;
        let validity = column_at(table, index)?.validity();
        out_bits.write(c_ptr(validity.bits()));
        out_null_count.write(validity.null_count());
        Ok(())
    })
}

/// Stores the plain string column `index` (`FERRULE_LOG_COLUMN_STRING`, such as `request` and
/// `path`) in Arrow's `large_utf8` layout: row `i` is the bytes `values[offsets[i] ..
/// offsets[i + 1]]`. `*out_rows` is the row count; `offsets` has `rows + 1` entries, the first
/// 0; `values` has `offsets[rows]` bytes. Null rows are empty (read the validity bitmap). The
/// bytes are as logged, normally UTF-8 but not checked unless the parse had `strict_utf8`. Both
/// pointers are never NULL and stay valid until the table is freed.
///
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` for an index past the last column and
/// `FERRULE_STATUS_INVALID_ARGUMENT` for a column of another type. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_offsets`, `out_values` and `out_rows` NULL or valid for
/// one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_strings(
    table: *const ferrule_log_table,
    index: usize,
    out_offsets: *mut *const i64,
    out_values: *mut *const u8,
    out_rows: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_offsets` is NULL (refused) or valid for one write (caller contract).
        let out_offsets = unsafe { out_param(out_offsets, "out_offsets") }?;
        // SAFETY: `out_values` is NULL (refused) or valid for one write (caller contract).
        let out_values = unsafe { out_param(out_values, "out_values") }?;
        // SAFETY: `out_rows` is NULL (refused) or valid for one write (caller contract).
        let out_rows = unsafe { out_param(out_rows, "out_rows") }?;
        let column = column_at(table, index)?;
        let ColumnData::String { offsets, values } = column.data() else {
            return Err(wrong_type(column, index, "string"));
        };
        // Core always keeps the leading 0; an empty offsets array would read as one 0 anyway.
        out_offsets.write(c_ptr(offsets));
        out_values.write(c_ptr(values));
        out_rows.write(offsets.len().saturating_sub(1));
        Ok(())
    })
}

/// Stores the codes of dictionary column `index` (`FERRULE_LOG_COLUMN_DICTIONARY`) in
/// `*out_codes` and their number (the row count) in `*out_len`: row `i` is dictionary value
/// `codes[i]` (`ferrule_log_table_dictionary`). Null rows hold code 0: read the validity bitmap.
///
/// Codes are stable across the tables of one streaming parser or batch reader: a code means the
/// same value in every batch (a later batch's dictionary holds every earlier value at the same
/// code, plus new ones). `*out_codes` is never NULL and stays valid until the table is freed.
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` for an index past the last column and
/// `FERRULE_STATUS_INVALID_ARGUMENT` for a column of another type. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_codes` and `out_len` NULL or valid for one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_column_codes(
    table: *const ferrule_log_table,
    index: usize,
    out_codes: *mut *const u32,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: the caller contract above is typed_column's.
        unsafe {
            typed_column(table, index, (out_codes, "out_codes"), out_len, "dictionary", |data| match data {
                ColumnData::Dictionary { codes, .. } => Some(codes),
                _ => None,
            })
        }
    })
}

/// Stores the dictionary of dictionary column `index` in Arrow's `utf8` layout: value `c` is the
/// bytes `values[offsets[c] .. offsets[c + 1]]` for `c` below `*out_count`; `offsets` has
/// `count + 1` entries, the first 0, each at most `INT32_MAX` (so the same memory reads as Arrow
/// `int32` offsets); `values` has `offsets[count]` bytes. Values are distinct and in first-seen
/// order; they are the raw logged bytes (normally UTF-8, not checked unless the parse had
/// `strict_utf8`). Both pointers are never NULL and stay valid until the table is freed.
///
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` for an index past the last column and
/// `FERRULE_STATUS_INVALID_ARGUMENT` for a column of another type. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_offsets`, `out_values` and `out_count` NULL or valid for
/// one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_dictionary(
    table: *const ferrule_log_table,
    index: usize,
    out_offsets: *mut *const u32,
    out_values: *mut *const u8,
    out_count: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_offsets` is NULL (refused) or valid for one write (caller contract).
        let out_offsets = unsafe { out_param(out_offsets, "out_offsets") }?;
        // SAFETY: `out_values` is NULL (refused) or valid for one write (caller contract).
        let out_values = unsafe { out_param(out_values, "out_values") }?;
        // SAFETY: `out_count` is NULL (refused) or valid for one write (caller contract).
        let out_count = unsafe { out_param(out_count, "out_count") }?;
        let column = column_at(table, index)?;
        let pool = column.pool().ok_or_else(|| wrong_type(column, index, "dictionary"))?;
        out_offsets.write(c_ptr(pool.offsets()));
        out_values.write(c_ptr(pool.values_bytes()));
        out_count.write(pool.len());
        Ok(())
    })
}

/// Copies the dictionary of dictionary column `index` into a new string pool at `*out_pool`,
/// with the same ids as the column's codes: for `ferrule_pool_get` (the code of a value, e.g. to
/// filter rows by method) and `ferrule_pool_serialize`. The caller owns the pool and releases it
/// with `ferrule_pool_free`; it is independent of the table. Costs a copy of the dictionary (its
/// distinct values, not its rows); `ferrule_log_table_dictionary` reads the same values without
/// copying.
///
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` for an index past the last column and
/// `FERRULE_STATUS_INVALID_ARGUMENT` for a column of another type. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_pool` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_dictionary_pool(
    table: *const ferrule_log_table,
    index: usize,
    out_pool: *mut *mut ferrule_pool,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_pool` is NULL (refused) or valid for one write (caller contract).
        let out_pool = unsafe { out_param(out_pool, "out_pool") }?;
        let column = column_at(table, index)?;
        let pool = column.pool().ok_or_else(|| wrong_type(column, index, "dictionary"))?;
        // ferrule's pool format is the one way between the two pool types that keeps the ids.
        let data = pool.to_bytes();
        let mut handle = std::ptr::null_mut();
        // SAFETY: data is a live buffer of data.len() bytes; handle is a local pointer slot.
        let status = unsafe { ferrule_pool_deserialize(data.as_ptr(), data.len(), &mut handle) };
        if status != ferrule_status::FERRULE_STATUS_OK || handle.is_null() {
            return Err(Error::internal(format!("a dictionary did not load as a pool ({status:?})")).into());
        }
        out_pool.write(handle);
        Ok(())
    })
}

/// Stores the number of failed lines in `*out_count`: rows with an error code, and with
/// `FERRULE_ON_ERROR_SKIP` the dropped lines too (they are listed though not in the table).
/// Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_count` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_error_count(
    table: *const ferrule_log_table,
    out_count: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_count` is NULL (refused) or valid for one write (caller contract).
        let out_count = unsafe { out_param(out_count, "out_count") }?;
        out_count.write(table.errors().len());
        Ok(())
    })
}

/// Stores failed line `i` (in input order, `i` below `ferrule_log_table_error_count`): its
/// 1-based line number in the whole input in `*out_line`, its row error code
/// (`UNTERMINATED_QUOTE`, `TOO_FEW_FIELDS`, `UNEXPECTED_TEXT`, `BAD_TIMESTAMP`, `BAD_STATUS`,
/// `BAD_NUMBER`, `INVALID_UTF8`, `INVALID_JSON`, `BAD_FRAME`) in `*out_code` / `*out_code_len`,
/// the byte in the line where parsing stopped in `*out_offset`, and the raw line (without its
/// line end) in `*out_text` / `*out_text_len`.
///
/// The code is a static string, the text belongs to the table (valid until it is freed); neither
/// is NUL-terminated: use the lengths. Fails with `FERRULE_STATUS_OUT_OF_RANGE` when `i` is not
/// below the count. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; every output NULL or valid for one write.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ferrule_log_table_error(
    table: *const ferrule_log_table,
    i: usize,
    out_line: *mut u64,
    out_code: *mut *const u8,
    out_code_len: *mut usize,
    out_offset: *mut u64,
    out_text: *mut *const u8,
    out_text_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_line` is NULL (refused) or valid for one write (caller contract).
        let out_line = unsafe { out_param(out_line, "out_line") }?;
        // SAFETY: `out_code` is NULL (refused) or valid for one write (caller contract).
        let out_code = unsafe { out_param(out_code, "out_code") }?;
        // SAFETY: `out_code_len` is NULL (refused) or valid for one write (caller contract).
        let out_code_len = unsafe { out_param(out_code_len, "out_code_len") }?;
        // SAFETY: `out_offset` is NULL (refused) or valid for one write (caller contract).
        let out_offset = unsafe { out_param(out_offset, "out_offset") }?;
        // SAFETY: `out_text` is NULL (refused) or valid for one write (caller contract).
        let out_text = unsafe { out_param(out_text, "out_text") }?;
        // SAFETY: `out_text_len` is NULL (refused) or valid for one write (caller contract).
        let out_text_len = unsafe { out_param(out_text_len, "out_text_len") }?;
        let errors = table.errors();
        let record = errors.get(i).ok_or_else(|| {
            Error::out_of_range(format!("error {i}: the table lists {} failed lines", errors.len()))
        })?;
        let code = record.error.code();
        out_line.write(record.line);
        out_code.write(static_bytes(code));
        out_code_len.write(code.len());
        out_offset.write(record.offset);
        out_text.write(c_ptr(&record.text));
        out_text_len.write(record.text.len());
        Ok(())
    })
}

/// Stores the counts of the parse that made the table in `*out_stats`. For a batch of a
/// streaming parser or a batch reader they cover that batch only (sum them for the input).
/// Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_stats` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_stats(
    table: *const ferrule_log_table,
    out_stats: *mut ferrule_log_stats,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_stats` is NULL (refused) or valid for one write (caller contract).
        let out_stats = unsafe { out_param(out_stats, "out_stats") }?;
        let stats = table.stats();
        out_stats.write(ferrule_log_stats {
            lines: stats.lines,
            ok: stats.ok,
            errors: stats.errors,
            skipped: stats.skipped,
            empty: stats.empty,
            bytes: stats.bytes,
            seconds: stats.seconds,
        });
        Ok(())
    })
}

/// Stores the heap memory the table holds, in bytes (columns, dictionaries, failed lines), in
/// `*out_bytes`. Thread-safe.
///
/// # Safety
/// `table` must be NULL or live; `out_bytes` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_table_memory_usage(
    table: *const ferrule_log_table,
    out_bytes: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `table` is NULL (refused) or a live table that outlives this call (caller contract).
        let table = unsafe { table_ref(table) }?;
        // SAFETY: `out_bytes` is NULL (refused) or valid for one write (caller contract).
        let out_bytes = unsafe { out_param(out_bytes, "out_bytes") }?;
        out_bytes.write(table.memory_usage());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    //! Edges of the accessors' blocks and of `c_ptr`: the last column and failed line against one
    //! past them, a table of no rows (every pointer real and readable, never dangling), and names
    //! of no length or of a length no memory can hold.
    use super::*;
    use crate::status::ferrule_status::*;
    use ferrule_core::logs::{FormatKind, LogFormat, ParseOptions, parse_bytes};
    use std::ptr::{null, null_mut};

    /// A caller-owned table of `data` parsed as `combined`, freed on drop.
    struct Table(*mut ferrule_log_table);

    impl Table {
        fn parse(data: &[u8]) -> Table {
            let format = LogFormat::parse("combined", FormatKind::Preset).unwrap();
            Table(table_handle(parse_bytes(data, &format, &ParseOptions::default()).unwrap()))
        }

        fn columns(&self) -> usize {
            let mut n = usize::MAX;
            // SAFETY: test data: a live table and a local output.
            assert_eq!(unsafe { ferrule_log_table_num_columns(self.0, &mut n) }, FERRULE_STATUS_OK);
            n
        }

        fn column_type(&self, index: usize) -> ferrule_log_column_type {
            let mut ty = ferrule_log_column_type::FERRULE_LOG_COLUMN_BOOL;
            // SAFETY: as above.
            assert_eq!(unsafe { ferrule_log_table_column_type(self.0, index, &mut ty) }, FERRULE_STATUS_OK);
            ty
        }
    }

    impl Drop for Table {
        fn drop(&mut self) {
            // SAFETY: made by `parse`, freed once.
            unsafe { ferrule_log_table_free(self.0) };
        }
    }

    const LINE: &[u8] = br#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 5 "-" "curl""#;

    #[test]
    fn the_last_column_and_failed_line_are_in_range_and_one_past_is_not() {
        let mut data = LINE.to_vec();
        data.extend_from_slice(b"\nbad"); // the failed line is the input's last bytes
        let table = Table::parse(&data);
        let columns = table.columns();
        let sentinel = b"untouched".as_ptr();
        let (mut name, mut len) = (sentinel, usize::MAX);
        // SAFETY: test data: a live table and local outputs.
        let status = unsafe { ferrule_log_table_column_name(table.0, columns - 1, &mut name, &mut len) };
        assert_eq!(status, FERRULE_STATUS_OK);
        // SAFETY: a name of the live table, `len` bytes.
        assert_eq!(unsafe { std::slice::from_raw_parts(name, len) }, b"error_offset");
        let (mut name, mut len) = (sentinel, usize::MAX);
        // SAFETY: as above; one past the last column must be refused, outputs untouched.
        let status = unsafe { ferrule_log_table_column_name(table.0, columns, &mut name, &mut len) };
        assert_eq!((status, name, len), (FERRULE_STATUS_OUT_OF_RANGE, sentinel, usize::MAX));
        let (mut bits, mut nulls) = (sentinel, usize::MAX);
        // SAFETY: as above.
        let status = unsafe { ferrule_log_table_validity(table.0, columns, &mut bits, &mut nulls) };
        assert_eq!((status, bits), (FERRULE_STATUS_OUT_OF_RANGE, sentinel));
        let mut count = 0;
        // SAFETY: as above.
        assert_eq!(unsafe { ferrule_log_table_error_count(table.0, &mut count) }, FERRULE_STATUS_OK);
        assert_eq!(count, 1);
        let (mut line, mut offset) = (0u64, 0u64);
        let (mut code, mut code_len, mut text, mut text_len) = (sentinel, 0usize, sentinel, 0usize);
        // SAFETY: as above: the last failed line, then one past it.
        unsafe {
            let status = ferrule_log_table_error(
                table.0,
                count - 1,
                &mut line,
                &mut code,
                &mut code_len,
                &mut offset,
                &mut text,
                &mut text_len,
            );
            assert_eq!((status, line), (FERRULE_STATUS_OK, 2));
            assert_eq!(std::slice::from_raw_parts(text, text_len), b"bad");
            text = sentinel;
            let status = ferrule_log_table_error(
                table.0,
                count,
                &mut line,
                &mut code,
                &mut code_len,
                &mut offset,
                &mut text,
                &mut text_len,
            );
            assert_eq!((status, text), (FERRULE_STATUS_OUT_OF_RANGE, sentinel));
        }
    }

    #[test]
    fn a_table_of_no_rows_hands_out_real_pointers() {
        let table = Table::parse(b"");
        let mut some_dictionary = false;
        for index in 0..table.columns() {
            let (mut bits, mut nulls) = (null(), usize::MAX);
            // SAFETY: test data: a live table and local outputs.
            let status = unsafe { ferrule_log_table_validity(table.0, index, &mut bits, &mut nulls) };
            assert_eq!(status, FERRULE_STATUS_OK);
            assert!(!bits.is_null() && nulls == 0, "column {index}");
            match table.column_type(index) {
                ferrule_log_column_type::FERRULE_LOG_COLUMN_STRING => {
                    let (mut offsets, mut values, mut rows) = (null(), null(), usize::MAX);
                    // SAFETY: as above.
                    let status = unsafe {
                        ferrule_log_table_column_strings(table.0, index, &mut offsets, &mut values, &mut rows)
                    };
                    assert_eq!((status, rows), (FERRULE_STATUS_OK, 0));
                    // SAFETY: `offsets` has rows + 1 = 1 entry (the documented layout).
                    assert_eq!((unsafe { *offsets }, values.is_null()), (0, false));
                }
                ferrule_log_column_type::FERRULE_LOG_COLUMN_DICTIONARY => {
                    some_dictionary = true;
                    let (mut offsets, mut values, mut count) = (null(), null(), usize::MAX);
                    // SAFETY: as above.
                    let status = unsafe {
                        ferrule_log_table_dictionary(table.0, index, &mut offsets, &mut values, &mut count)
                    };
                    assert_eq!((status, count), (FERRULE_STATUS_OK, 0));
                    // SAFETY: `offsets` has count + 1 = 1 entry.
                    assert_eq!((unsafe { *offsets }, values.is_null()), (0, false));
                    let (mut codes, mut len) = (null(), usize::MAX);
                    // SAFETY: as above.
                    let status =
                        unsafe { ferrule_log_table_column_codes(table.0, index, &mut codes, &mut len) };
                    assert_eq!((status, len, codes.is_null()), (FERRULE_STATUS_OK, 0, false));
                }
                ferrule_log_column_type::FERRULE_LOG_COLUMN_UINT64 => {
                    let (mut values, mut len) = (null(), usize::MAX);
                    // SAFETY: as above.
                    let status =
                        unsafe { ferrule_log_table_column_u64(table.0, index, &mut values, &mut len) };
                    assert_eq!((status, len, values.is_null()), (FERRULE_STATUS_OK, 0, false));
                    assert!(values.is_aligned());
                }
                _ => {}
            }
        }
        assert!(some_dictionary);
    }

    #[test]
    fn column_names_of_no_length_or_impossible_length() {
        let table = Table::parse(LINE);
        let mut index = usize::MAX;
        // SAFETY: test data: NULL with 0 is the empty name, which names no column.
        let status = unsafe { ferrule_log_table_column_index(table.0, null(), 0, &mut index) };
        assert_eq!((status, index), (FERRULE_STATUS_INVALID_ARGUMENT, usize::MAX));
        // SAFETY: a 6-byte name; the impossible length must be refused before it is read.
        let status =
            unsafe { ferrule_log_table_column_index(table.0, b"status".as_ptr(), usize::MAX, &mut index) };
        assert_eq!((status, index), (FERRULE_STATUS_INVALID_ARGUMENT, usize::MAX));
        // SAFETY: as above, the whole name.
        let status = unsafe { ferrule_log_table_column_index(table.0, b"status".as_ptr(), 6, &mut index) };
        assert_eq!(status, FERRULE_STATUS_OK);
        // SAFETY: NULL output refused.
        let status = unsafe { ferrule_log_table_column_index(table.0, b"status".as_ptr(), 6, null_mut()) };
        assert_eq!(status, FERRULE_STATUS_NULL_POINTER);
    }
}
