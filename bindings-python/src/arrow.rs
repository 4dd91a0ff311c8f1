//! The Arrow C data interface, both ways, through the Arrow PyCapsule protocol:
//!
//! - in: any object with `__arrow_c_array__` (a pyarrow `Array`, ...) or `__arrow_c_stream__` (a
//!   pyarrow `ChunkedArray`, a polars `Series`, ...) of strings is read where it lies, without a
//!   copy. Utf8 (`u`) and large utf8 (`U`) arrays go to core as [`ArrowValues`] (which checks every
//!   offset); utf8 view (`vu`) arrays are decoded into slices, each view checked against the
//!   buffer it points into.
//! - out: a `FrozenPool` exports its own offsets and values buffers as a utf8 (or binary) array;
//!   the release callback drops a clone of the pool, so the array outlives the Python object.
//! - out: a log table (`ferrule.logs.LogTable`) exports a stream of one record batch (a struct
//!   array, one child per column) over the table's own vectors (bool columns, one byte per row
//!   in the table, are packed into Arrow's bits); every struct handed out holds a reference
//!   count of the table, dropped by its release callback.
//!
//! What a producer hands over cannot be checked entirely: the interface carries no buffer sizes,
//! so (like every Arrow consumer) we trust that each buffer is as long as the array's own fields
//! say. Everything derived from those fields (offsets, view indexes) is checked before use.

use crate::errors::OrRaise;
use crate::errors::{argument_type_error, detached_batch};
use crate::input::{Batch, Chunk};
use ferrule_core::logs::{Column, ColumnData, LogTable};
use ferrule_core::pool::{ArrowOffset, ArrowValues, FrozenPool};
use ferrule_core::{Error, Result};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;

/// `struct ArrowSchema` of the C data interface.
#[repr(C)]
struct FfiSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut FfiSchema,
    dictionary: *mut FfiSchema,
    release: Option<unsafe extern "C" fn(*mut FfiSchema)>,
    private_data: *mut c_void,
}

/// `struct ArrowArray` of the C data interface.
#[repr(C)]
struct FfiArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut FfiArray,
    dictionary: *mut FfiArray,
    release: Option<unsafe extern "C" fn(*mut FfiArray)>,
    private_data: *mut c_void,
}

/// `struct ArrowArrayStream` of the C stream interface.
#[repr(C)]
struct FfiStream {
    get_schema: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut FfiStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut FfiStream)>,
    private_data: *mut c_void,
}

impl FfiSchema {
    const EMPTY: FfiSchema = FfiSchema {
        format: ptr::null(),
        name: ptr::null(),
        metadata: ptr::null(),
        flags: 0,
        n_children: 0,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    };
}

impl FfiArray {
    const EMPTY: FfiArray = FfiArray {
        length: 0,
        null_count: 0,
        offset: 0,
        n_buffers: 0,
        n_children: 0,
        buffers: ptr::null_mut(),
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    };
}

// ------------------------------------------------------------------------------------ import

/// The string layouts ferrule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `u`: int32 offsets.
    Utf8,
    /// `U`: int64 offsets.
    LargeUtf8,
    /// `vu`: 16-byte views into variadic buffers.
    Utf8View,
}

fn layout_of(format: &CStr) -> Option<Layout> {
    match format.to_bytes() {
        b"u" => Some(Layout::Utf8),
        b"U" => Some(Layout::LargeUtf8),
        b"vu" => Some(Layout::Utf8View),
        _ => None,
    }
}

/// A schema we own (moved out of its capsule or filled in by a stream): released on drop.
struct OwnedSchema(FfiSchema);

impl Drop for OwnedSchema {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the schema is ours and not yet released (release is non-null); the
            // interface requires the consumer to call it exactly once.
            unsafe { release(&mut self.0) };
        }
    }
}

impl OwnedSchema {
    fn layout(&self, py: Python<'_>) -> PyResult<Layout> {
        let format = if self.0.format.is_null() {
            c""
        } else {
            // SAFETY: a live schema's `format` is a NUL-terminated string valid until release,
            // and we release only on drop.
            unsafe { CStr::from_ptr(self.0.format) }
        };
        layout_of(format).ok_or_else(|| {
            argument_type_error(
                py,
                format!(
                    "an Arrow array of format '{}' is not strings: ferrule reads utf8 ('u'), \
                     large_utf8 ('U') and utf8_view ('vu') arrays",
                    format.to_string_lossy()
                ),
            )
        })
    }
}

/// An array we own: its buffers stay valid until drop, which releases it. Arrow arrays are
/// immutable, so slices into them may be read from any thread while we hold it.
pub struct ImportedArray {
    raw: FfiArray,
    layout: Layout,
}

impl Drop for ImportedArray {
    fn drop(&mut self) {
        if let Some(release) = self.raw.release {
            // SAFETY: as for `OwnedSchema`: ours, not yet released, released once.
            unsafe { release(&mut self.raw) };
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid_argument(message)
}

fn index(value: i64, what: &str) -> Result<usize> {
    usize::try_from(value).map_err(|_| invalid(format!("invalid Arrow array: {what} is {value}")))
}

impl ImportedArray {
    /// Buffer `i`'s address, null when the array has no such buffer.
    fn buffer(&self, i: usize) -> *const c_void {
        if self.raw.buffers.is_null() || i as i64 >= self.raw.n_buffers {
            return ptr::null();
        }
        // SAFETY: `buffers` is a table of `n_buffers` entries, valid while the array is.
        unsafe { *self.raw.buffers.add(i) }
    }

    fn check_buffers(&self, at_least: i64) -> Result<usize> {
        if self.raw.buffers.is_null() || self.raw.n_buffers < at_least {
            return Err(invalid(format!(
                "invalid Arrow array: {} buffers, a string array has at least {at_least}",
                self.raw.n_buffers
            )));
        }
        index(self.raw.n_buffers, "n_buffers")
    }

    /// `len` items of `T` from buffer `i`, starting at item `start`.
    fn typed_buffer<T>(&self, i: usize, start: usize, len: usize) -> Result<&[T]> {
        if len == 0 {
            return Ok(&[]);
        }
        let base = self.buffer(i).cast::<T>();
        if base.is_null() || !base.is_aligned() {
            return Err(invalid(format!("invalid Arrow array: buffer {i} is null or misaligned")));
        }
        let end = start
            .checked_add(len)
            .filter(|end| end.checked_mul(size_of::<T>()).is_some_and(|b| b <= isize::MAX as usize));
        if end.is_none() {
            return Err(invalid("invalid Arrow array: a buffer is larger than memory"));
        }
        // SAFETY: the producer guarantees buffer `i` holds the items the array's length and
        // offset describe (the C data interface carries no size to check it against); it is
        // non-null, aligned, within isize, and valid until the array is released, which the
        // borrow of `self` outlives.
        Ok(unsafe { std::slice::from_raw_parts(base.add(start), len) })
    }

    /// The validity bitmap, `None` when every row holds a value.
    fn validity(&self) -> Result<Option<Validity<'_>>> {
        if self.raw.null_count == 0 || self.buffer(0).is_null() {
            return Ok(None);
        }
        let offset = index(self.raw.offset, "offset")?;
        let length = index(self.raw.length, "length")?;
        let bits = offset
            .checked_add(length)
            .ok_or_else(|| invalid("invalid Arrow array: offset + length overflows"))?;
        let bytes = self.typed_buffer::<u8>(0, 0, bits.div_ceil(8))?;
        Ok(Some(Validity { bytes, offset }))
    }

    /// Reads the array: `reject_nulls` makes a null an `ArgumentTypeError` naming its row
    /// (`first_row` is the row of this array's first value in the whole input).
    pub fn read(&self, py: Python<'_>, reject_nulls: bool, first_row: usize) -> PyResult<Chunk<'_>> {
        self.read_checked(reject_nulls).or_raise(py)?.map_err(|null| {
            argument_type_error(py, format!("values[{}] is null, not a string", first_row + null))
        })
    }

    /// `Ok(Err(row))` when `reject_nulls` and `row` is null.
    fn read_checked(&self, reject_nulls: bool) -> Result<std::result::Result<Chunk<'_>, usize>> {
        let length = index(self.raw.length, "length")?;
        let offset = index(self.raw.offset, "offset")?;
        if length == 0 {
            // Producers may leave every buffer of an empty array null.
            return Ok(Ok(Chunk { values: Batch::Slices(Vec::new()), rows: None, len: 0 }));
        }
        let validity = self.validity()?;
        let rows = match &validity {
            None => None,
            Some(validity) => {
                let valid: Vec<usize> = (0..length).filter(|&i| validity.is_valid(i)).collect();
                if valid.len() == length {
                    None
                } else if reject_nulls {
                    return Ok(Err((0..length).find(|&i| !validity.is_valid(i)).unwrap_or(0)));
                } else {
                    Some(valid)
                }
            }
        };
        let values = match self.layout {
            Layout::Utf8 => self.offsets(offset, length, rows.as_deref(), Batch::Offsets32)?,
            Layout::LargeUtf8 => self.offsets(offset, length, rows.as_deref(), Batch::Offsets64)?,
            Layout::Utf8View => Batch::Slices(self.views(offset, length, validity.as_ref())?),
        };
        Ok(Ok(Chunk { values, rows, len: length }))
    }

    fn offsets<'a, O: ArrowOffset>(
        &'a self,
        offset: usize,
        length: usize,
        rows: Option<&[usize]>,
        wrap: fn(ArrowValues<'a, O>) -> Batch<'a>,
    ) -> Result<Batch<'a>> {
        self.check_buffers(3)?;
        let offsets = self.typed_buffer::<O>(1, offset, length + 1)?;
        let end = match offsets.last() {
            Some(&last) => {
                last.to_index().ok_or_else(|| invalid("invalid Arrow array: a negative offset"))?
            }
            None => 0,
        };
        let data = self.typed_buffer::<u8>(2, 0, end)?;
        let values = ArrowValues::new(offsets, data)?;
        Ok(match rows {
            None => wrap(values),
            // Null rows are skipped: the values of the others are gathered (their bytes are not
            // copied). `ArrowValues::new` checked every offset, so `get` always succeeds.
            Some(rows) => Batch::Slices(
                rows.iter()
                    .map(|&row| {
                        let start = offsets[row].to_index().unwrap_or(0);
                        let end = offsets[row + 1].to_index().unwrap_or(0);
                        data.get(start..end).unwrap_or_default()
                    })
                    .collect(),
            ),
        })
    }

    fn views(&self, offset: usize, length: usize, validity: Option<&Validity<'_>>) -> Result<Vec<&[u8]>> {
        let n_buffers = self.check_buffers(3)?;
        let data_buffers = n_buffers - 3;
        let views = self.typed_buffer::<[u8; 16]>(1, offset, length)?;
        let sizes = self.typed_buffer::<i64>(n_buffers - 1, 0, data_buffers)?;
        let buffers = sizes
            .iter()
            .enumerate()
            .map(|(k, &size)| self.typed_buffer::<u8>(2 + k, 0, index(size, "a variadic buffer size")?))
            .collect::<Result<Vec<&[u8]>>>()?;
        let mut values = Vec::with_capacity(length);
        for (row, view) in views.iter().enumerate() {
            if validity.is_some_and(|v| !v.is_valid(row)) {
                continue;
            }
            let field = |at: usize| i32::from_ne_bytes([view[at], view[at + 1], view[at + 2], view[at + 3]]);
            let len = index(field(0).into(), "a view's length")?;
            let value = if len <= 12 {
                &view[4..4 + len]
            } else {
                let buffer = index(field(8).into(), "a view's buffer index")?;
                let start = index(field(12).into(), "a view's offset")?;
                buffers.get(buffer).and_then(|b| b.get(start..start.checked_add(len)?)).ok_or_else(|| {
                    invalid(format!("invalid Arrow array: view {row} points outside its buffers"))
                })?
            };
            values.push(value);
        }
        Ok(values)
    }
}

struct Validity<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl Validity<'_> {
    fn is_valid(&self, row: usize) -> bool {
        let bit = self.offset + row;
        self.bytes[bit / 8] & (1 << (bit % 8)) != 0
    }
}

/// Moves the struct out of a capsule and clears the capsule's `release`, so that its destructor
/// frees only memory: the PyCapsule protocol's way for a consumer to take ownership.
/// `is_live` reads and `clear` clears the struct's `release` field.
///
/// # Safety
/// A capsule named `name` must hold a `T` (the protocol fixes the struct of each name).
unsafe fn take<T>(
    capsule: &Bound<'_, PyCapsule>,
    name: &CStr,
    is_live: impl Fn(&T) -> bool,
    clear: impl Fn(&mut T),
) -> PyResult<T> {
    let pointer = capsule.pointer_checked(Some(name))?.cast::<T>().as_ptr();
    // SAFETY: the capsule is named `name`, so by the PyCapsule protocol it points to a valid `T`
    // that the capsule owns; we hold the capsule, so it is alive.
    let value = unsafe { ptr::read(pointer) };
    if !is_live(&value) {
        return Err(argument_type_error(
            capsule.py(),
            format!("the Arrow capsule {name:?} was already consumed"),
        ));
    }
    // SAFETY: as above; clearing `release` hands the contents over to us.
    clear(unsafe { &mut *pointer });
    Ok(value)
}

/// The arrays of `object`: one from `__arrow_c_array__`, or each chunk of `__arrow_c_stream__`.
/// `None` when `object` offers neither.
pub fn import(object: &Bound<'_, PyAny>) -> PyResult<Option<Vec<ImportedArray>>> {
    let py = object.py();
    if object.hasattr("__arrow_c_array__")? {
        let pair = object.call_method0("__arrow_c_array__")?;
        let pair = pair
            .cast::<PyTuple>()
            .map_err(|_| argument_type_error(py, "__arrow_c_array__ did not return a tuple"))?;
        let (schema, array): (Bound<'_, PyCapsule>, Bound<'_, PyCapsule>) = pair.extract()?;
        // SAFETY: named capsules of the Arrow PyCapsule protocol hold these structs.
        let schema = OwnedSchema(unsafe {
            take(&schema, c"arrow_schema", |s: &FfiSchema| s.release.is_some(), |s| s.release = None)?
        });
        let layout = schema.layout(py)?;
        // SAFETY: as above.
        let raw = unsafe {
            take(&array, c"arrow_array", |a: &FfiArray| a.release.is_some(), |a| a.release = None)?
        };
        return Ok(Some(vec![ImportedArray { raw, layout }]));
    }
    if object.hasattr("__arrow_c_stream__")? {
        let capsule = object.call_method0("__arrow_c_stream__")?;
        let capsule = capsule
            .cast::<PyCapsule>()
            .map_err(|_| argument_type_error(py, "__arrow_c_stream__ did not return a capsule"))?;
        // SAFETY: as above, for the stream struct.
        let mut stream = OwnedStream(unsafe {
            take(capsule, c"arrow_array_stream", |s: &FfiStream| s.release.is_some(), |s| s.release = None)?
        });
        let layout = stream.schema(py)?.layout(py)?;
        let mut arrays = Vec::new();
        while let Some(raw) = stream.next(py)? {
            arrays.push(ImportedArray { raw, layout });
        }
        return Ok(Some(arrays));
    }
    Ok(None)
}

struct OwnedStream(FfiStream);

impl Drop for OwnedStream {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: ours, not yet released, released once.
            unsafe { release(&mut self.0) };
        }
    }
}

impl OwnedStream {
    fn failed(&mut self, py: Python<'_>, what: &str, code: c_int) -> PyErr {
        let detail = match self.0.get_last_error {
            // SAFETY: the stream is live; the message, if any, is valid until the next call.
            Some(get_last_error) => match unsafe { get_last_error(&mut self.0) } {
                message if message.is_null() => String::new(),
                // SAFETY: a non-null result is a NUL-terminated string, per the interface.
                message => unsafe { CStr::from_ptr(message) }.to_string_lossy().into_owned(),
            },
            None => String::new(),
        };
        crate::errors::to_py_err(
            py,
            &invalid(format!("the Arrow stream failed in {what} (error {code}): {detail}")),
        )
    }

    fn schema(&mut self, py: Python<'_>) -> PyResult<OwnedSchema> {
        let get_schema = self
            .0
            .get_schema
            .ok_or_else(|| argument_type_error(py, "invalid Arrow stream: no get_schema"))?;
        let mut schema = OwnedSchema(FfiSchema::EMPTY);
        // SAFETY: the stream is live and `schema.0` is writable; on success it is ours to release.
        let code = unsafe { get_schema(&mut self.0, &mut schema.0) };
        if code != 0 {
            return Err(self.failed(py, "get_schema", code));
        }
        Ok(schema)
    }

    fn next(&mut self, py: Python<'_>) -> PyResult<Option<FfiArray>> {
        let get_next =
            self.0.get_next.ok_or_else(|| argument_type_error(py, "invalid Arrow stream: no get_next"))?;
        let mut array = FfiArray::EMPTY;
        // SAFETY: as in `schema`.
        let code = unsafe { get_next(&mut self.0, &mut array) };
        if code != 0 {
            return Err(self.failed(py, "get_next", code));
        }
        // A released array marks the end of the stream.
        Ok(array.release.is_some().then_some(array))
    }
}

// ------------------------------------------------------------------------------------ export

/// What an exported array keeps alive: the pool (one reference count) and the buffer table the
/// array points to.
struct Exported {
    _pool: FrozenPool,
    buffers: [*const c_void; 3],
}

unsafe extern "C" fn release_exported_array(array: *mut FfiArray) {
    if array.is_null() {
        return;
    }
    // SAFETY: the consumer passes the array we exported (or a moved copy of it), whose
    // private_data is the `Exported` box made in `export`, released at most once: release is
    // cleared right after.
    unsafe {
        let array = &mut *array;
        if array.release.is_some() && !array.private_data.is_null() {
            drop(Box::from_raw(array.private_data.cast::<Exported>()));
        }
        array.private_data = ptr::null_mut();
        array.release = None;
    }
}

unsafe extern "C" fn release_exported_schema(schema: *mut FfiSchema) {
    // SAFETY: as above; the schema owns nothing (its strings are static).
    if let Some(schema) = unsafe { schema.as_mut() } {
        schema.release = None;
    }
}

/// Structs in capsules are dropped by the capsule destructor, on any thread.
#[repr(transparent)]
struct SendArray(FfiArray);
// SAFETY: an exported array's pointers lead to a `FrozenPool` (Send + Sync, immutable) and a
// buffer table owned with it; the release callback may run on any thread.
unsafe impl Send for SendArray {}

#[repr(transparent)]
struct SendSchema(FfiSchema);
// SAFETY: an exported schema points only to static strings.
unsafe impl Send for SendSchema {}

impl Drop for SendArray {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: an array nobody took (a consumer that takes it clears `release`).
            unsafe { release(&mut self.0) };
        }
    }
}

impl Drop for SendSchema {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: as for arrays.
            unsafe { release(&mut self.0) };
        }
    }
}

/// The `(schema, array)` capsules of `__arrow_c_array__` for a frozen pool's dictionary: utf8
/// when every value is UTF-8, binary otherwise. No byte is copied.
pub fn export<'py>(py: Python<'py>, pool: &FrozenPool) -> PyResult<Bound<'py, PyTuple>> {
    let format: &'static CStr = if pool.all_utf8() { c"u" } else { c"z" };
    let schema = SendSchema(FfiSchema {
        format: format.as_ptr(),
        name: c"".as_ptr(),
        release: Some(release_exported_schema),
        ..FfiSchema::EMPTY
    });
    // The offsets are u32 holding at most i32::MAX (the pool's limits), so the same memory is a
    // valid int32 offsets buffer.
    let exported = Box::new(Exported {
        _pool: pool.clone(),
        buffers: [ptr::null(), pool.offsets().as_ptr().cast(), pool.values_bytes().as_ptr().cast()],
    });
    let exported = Box::into_raw(exported);
    let array = SendArray(FfiArray {
        length: pool.len() as i64,
        n_buffers: 3,
        // SAFETY: `exported` is the box just leaked; its buffer table lives until release.
        buffers: unsafe { (*exported).buffers.as_mut_ptr() },
        release: Some(release_exported_array),
        private_data: exported.cast(),
        ..FfiArray::EMPTY
    });
    // Dropping the structs (in the capsule destructors, or here on failure) releases what no
    // consumer took.
    let schema = PyCapsule::new_with_value_and_destructor(py, schema, c"arrow_schema", |_, _| {})?;
    let array = PyCapsule::new_with_value_and_destructor(py, array, c"arrow_array", |_, _| {})?;
    PyTuple::new(py, [schema.into_any(), array.into_any()])
}

// ------------------------------------------------------------------------ export: log tables

/// `ARROW_FLAG_NULLABLE` of the C data interface.
const FLAG_NULLABLE: i64 = 2;
/// errno values the stream callbacks return.
const EINVAL: c_int = 22;
const EIO: c_int = 5;

/// What every struct of an exported log table keeps alive (each holds one reference count): the
/// table, the UTF-8-fixed copies of the string columns that need one, the bit-packed copies of
/// the bool columns, and the column names.
struct TableHolder {
    table: Arc<LogTable>,
    /// `Some` for a string column holding invalid UTF-8: its `utf8_lossy()` copy, exported in
    /// its place (Arrow's utf8 must be valid UTF-8; the raw bytes stay in the table).
    lossy: Vec<Option<Column>>,
    /// `Some` for a bool column: its values as an Arrow bitmap (LSB first), `rows.div_ceil(8)`
    /// bytes.
    bits: Vec<Option<Vec<u8>>>,
    names: Vec<CString>,
}

impl TableHolder {
    fn column(&self, i: usize) -> &Column {
        self.lossy[i].as_ref().unwrap_or(&self.table.columns()[i])
    }
}

/// Checks what the exported buffers' sizes are derived from (the C data interface carries no
/// sizes, so a consumer trusts them): every column has `rows` rows in its values and validity,
/// offsets run within their values, and a dictionary's offsets within its bytes.
fn check_layout(column: &Column, rows: usize) -> Result<()> {
    let broken = |what: &str| Error::internal(format!("column {:?}: {what}", column.name()));
    let validity = column.validity();
    if validity.len() != rows || validity.bits().len() != rows.div_ceil(8) {
        return Err(broken("the validity bitmap does not match the row count"));
    }
    let len = match column.data() {
        ColumnData::UInt64(v) => v.len(),
        ColumnData::UInt16(v) => v.len(),
        ColumnData::Int16(v) => v.len(),
        ColumnData::Int64(v) | ColumnData::Timestamp(v) => v.len(),
        ColumnData::Float64(v) => v.len(),
        ColumnData::Bool(v) => v.len(),
        ColumnData::String { offsets, values } => {
            let end = offsets.last().copied().unwrap_or(-1);
            if offsets.first() != Some(&0) || usize::try_from(end).map_or(true, |end| end > values.len()) {
                return Err(broken("the offsets run outside the values"));
            }
            offsets.len() - 1
        }
        ColumnData::Dictionary { codes, pool } => {
            let offsets = pool.offsets();
            if offsets.len() != pool.len() + 1
                || offsets
                    .last()
                    .is_none_or(|&end| end as usize > pool.values_bytes().len() || end > i32::MAX as u32)
            {
                return Err(broken("the dictionary's offsets run outside its values"));
            }
            codes.len()
        }
    };
    if len != rows {
        return Err(broken("the values do not match the row count"));
    }
    Ok(())
}

/// The `__arrow_c_stream__` capsule of a log table: one record batch (a struct array of the
/// columns, with nulls from the validity bitmaps) over the table's own vectors. Dictionary
/// columns are dictionary arrays (uint32 indices, utf8 values), plain string columns large_utf8,
/// timestamps timestamp[us, tz=UTC]. Only string columns that hold invalid UTF-8 are copied
/// (with U+FFFD in place of the bad bytes).
pub fn export_log_table<'py>(py: Python<'py>, table: Arc<LogTable>) -> PyResult<Bound<'py, PyCapsule>> {
    let rows = table.num_rows();
    let mut names = Vec::with_capacity(table.num_columns());
    for column in table.columns() {
        check_layout(column, rows).or_raise(py)?;
        names.push(CString::new(column.name()).map_err(|_| {
            crate::errors::to_py_err(
                py,
                &invalid(format!("the column name {:?} holds a NUL character", column.name())),
            )
        })?);
    }
    let columns = table.columns();
    // The copies: UTF-8-fixed strings where needed, and every bool column packed into bits.
    let (lossy, bits) = detached_batch(py, rows.saturating_mul(columns.len()), || {
        let lossy = columns.iter().map(Column::utf8_lossy).collect::<Vec<_>>();
        let bits = columns
            .iter()
            .map(|column| match column.data() {
                ColumnData::Bool(values) => Some(pack_bits(values)),
                _ => None,
            })
            .collect::<Vec<_>>();
        Ok((lossy, bits))
    })?;
    for column in lossy.iter().flatten() {
        check_layout(column, rows).or_raise(py)?;
    }
    let holder = Arc::new(TableHolder { table, lossy, bits, names });
    let stream = SendStream(FfiStream {
        get_schema: Some(stream_get_schema),
        get_next: Some(stream_get_next),
        get_last_error: Some(stream_get_last_error),
        release: Some(release_stream),
        private_data: Box::into_raw(Box::new(StreamPrivate { holder, done: false })).cast(),
    });
    PyCapsule::new_with_value_and_destructor(py, stream, c"arrow_array_stream", |_, _| {})
}

/// Booleans as an Arrow bitmap: bit `i % 8` of byte `i / 8` is value `i`.
fn pack_bits(values: &[bool]) -> Vec<u8> {
    values
        .chunks(8)
        .map(|byte| {
            byte.iter().enumerate().fold(0u8, |packed, (bit, &value)| packed | (u8::from(value) << bit))
        })
        .collect()
}

/// A stream in a capsule; dropped by the capsule destructor (on any thread), which releases it
/// unless a consumer took it (taking clears `release`).
#[repr(transparent)]
struct SendStream(FfiStream);
// SAFETY: the stream's private data is a `StreamPrivate` (an `Arc` of Send + Sync data and a
// flag); the interface lets its callbacks run on any thread, one at a time.
unsafe impl Send for SendStream {}

impl Drop for SendStream {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: a stream nobody took, released once.
            unsafe { release(&mut self.0) };
        }
    }
}

struct StreamPrivate {
    holder: Arc<TableHolder>,
    /// The batch was handed out: the next `get_next` ends the stream.
    done: bool,
}

/// The private data of a live stream, or `None` (a released or foreign stream).
///
/// # Safety
/// `stream` must be null or a stream made by [`export_log_table`].
unsafe fn stream_private<'a>(stream: *mut FfiStream) -> Option<&'a mut StreamPrivate> {
    // SAFETY: per the contract, a non-null stream is ours; a live one's private data is the
    // `StreamPrivate` box, which lives until release.
    unsafe {
        let stream = stream.as_mut()?;
        stream.release?;
        stream.private_data.cast::<StreamPrivate>().as_mut()
    }
}

unsafe extern "C" fn stream_get_schema(stream: *mut FfiStream, out: *mut FfiSchema) -> c_int {
    // SAFETY: the consumer passes our live stream (the interface's contract).
    let Some(private) = (unsafe { stream_private(stream) }) else { return EINVAL };
    if out.is_null() {
        return EINVAL;
    }
    // Nothing below panics; a panic must not unwind into C all the same.
    match catch_unwind(AssertUnwindSafe(|| table_schema(&private.holder))) {
        Ok(schema) => {
            // SAFETY: `out` is a writable schema struct the consumer owns (its old contents are
            // released or uninitialized, per the interface).
            unsafe { ptr::write(out, schema) };
            0
        }
        Err(_) => EIO,
    }
}

unsafe extern "C" fn stream_get_next(stream: *mut FfiStream, out: *mut FfiArray) -> c_int {
    // SAFETY: as in `stream_get_schema`.
    let Some(private) = (unsafe { stream_private(stream) }) else { return EINVAL };
    if out.is_null() {
        return EINVAL;
    }
    let array = if private.done {
        // A released array marks the end of the stream.
        FfiArray::EMPTY
    } else {
        match catch_unwind(AssertUnwindSafe(|| table_array(&private.holder))) {
            Ok(array) => array,
            Err(_) => return EIO,
        }
    };
    private.done = true;
    // SAFETY: as in `stream_get_schema`.
    unsafe { ptr::write(out, array) };
    0
}

unsafe extern "C" fn stream_get_last_error(_stream: *mut FfiStream) -> *const c_char {
    // The callbacks fail only on a misuse of the interface or a bug; their errno says which.
    ptr::null()
}

unsafe extern "C" fn release_stream(stream: *mut FfiStream) {
    // SAFETY: the consumer passes our stream (or a moved copy of it), released at most once:
    // `release` is cleared here.
    unsafe {
        let Some(stream) = stream.as_mut() else { return };
        if stream.release.is_some() && !stream.private_data.is_null() {
            drop(Box::from_raw(stream.private_data.cast::<StreamPrivate>()));
        }
        stream.private_data = ptr::null_mut();
        stream.release = None;
    }
}

/// The private data of an exported schema: what its pointers lead to, and a reference count of
/// the table (whose holder owns the names). Each schema, children included, has its own, so a
/// consumer may move a child out and release it separately, as the interface allows.
struct SchemaPrivate {
    _holder: Arc<TableHolder>,
    children: Vec<*mut FfiSchema>,
    dictionary: *mut FfiSchema,
}

/// Releases and frees a schema struct this module allocated (children and dictionaries).
///
/// # Safety
/// `schema` is null or a `Box`ed schema made by [`new_schema`], not yet freed.
unsafe fn free_schema(schema: *mut FfiSchema) {
    if schema.is_null() {
        return;
    }
    // SAFETY: per the contract; a child a consumer moved out has `release` cleared.
    unsafe {
        if let Some(release) = (*schema).release {
            release(schema);
        }
        drop(Box::from_raw(schema));
    }
}

unsafe extern "C" fn release_schema(schema: *mut FfiSchema) {
    // SAFETY: the consumer passes a schema we exported (or a moved copy), whose private data is
    // the `SchemaPrivate` box; released at most once (`release` is cleared).
    unsafe {
        let Some(schema) = schema.as_mut() else { return };
        if schema.release.is_some() && !schema.private_data.is_null() {
            let private = Box::from_raw(schema.private_data.cast::<SchemaPrivate>());
            for &child in &private.children {
                free_schema(child);
            }
            free_schema(private.dictionary);
        }
        schema.private_data = ptr::null_mut();
        schema.release = None;
    }
}

fn new_schema(
    holder: &Arc<TableHolder>,
    format: &'static CStr,
    name: *const c_char,
    flags: i64,
    children: Vec<FfiSchema>,
    dictionary: Option<FfiSchema>,
) -> FfiSchema {
    let mut private = Box::new(SchemaPrivate {
        _holder: Arc::clone(holder),
        children: children.into_iter().map(|child| Box::into_raw(Box::new(child))).collect(),
        dictionary: dictionary.map_or(ptr::null_mut(), |d| Box::into_raw(Box::new(d))),
    });
    let n_children = private.children.len() as i64;
    // The table of children lives in the box, which lives until release.
    let children = if n_children == 0 { ptr::null_mut() } else { private.children.as_mut_ptr() };
    let dictionary = private.dictionary;
    FfiSchema {
        format: format.as_ptr(),
        name,
        metadata: ptr::null(),
        flags,
        n_children,
        children,
        dictionary,
        release: Some(release_schema),
        private_data: Box::into_raw(private).cast(),
    }
}

/// The Arrow format string of a column (the index type for a dictionary column).
fn column_format(data: &ColumnData) -> &'static CStr {
    match data {
        ColumnData::UInt64(_) => c"L",
        ColumnData::UInt16(_) => c"S",
        ColumnData::Int16(_) => c"s",
        ColumnData::Int64(_) => c"l",
        ColumnData::Float64(_) => c"g",
        ColumnData::Bool(_) => c"b",
        ColumnData::Timestamp(_) => c"tsu:UTC",
        ColumnData::String { .. } => c"U",
        ColumnData::Dictionary { .. } => c"I",
    }
}

fn table_schema(holder: &Arc<TableHolder>) -> FfiSchema {
    let children = (0..holder.names.len())
        .map(|i| {
            let data = holder.column(i).data();
            let dictionary = matches!(data, ColumnData::Dictionary { .. })
                .then(|| new_schema(holder, c"u", c"".as_ptr(), 0, Vec::new(), None));
            new_schema(
                holder,
                column_format(data),
                holder.names[i].as_ptr(),
                FLAG_NULLABLE,
                Vec::new(),
                dictionary,
            )
        })
        .collect();
    new_schema(holder, c"+s", c"".as_ptr(), 0, children, None)
}

/// The private data of an exported array: its buffer and children tables, and a reference count
/// of the table the buffers belong to. Each array, children and dictionaries included, has its
/// own (see [`SchemaPrivate`]).
struct ArrayPrivate {
    _holder: Arc<TableHolder>,
    buffers: Vec<*const c_void>,
    children: Vec<*mut FfiArray>,
    dictionary: *mut FfiArray,
}

/// As [`free_schema`], for arrays.
///
/// # Safety
/// `array` is null or a `Box`ed array made by [`new_array`], not yet freed.
unsafe fn free_array(array: *mut FfiArray) {
    if array.is_null() {
        return;
    }
    // SAFETY: as in `free_schema`.
    unsafe {
        if let Some(release) = (*array).release {
            release(array);
        }
        drop(Box::from_raw(array));
    }
}

unsafe extern "C" fn release_array(array: *mut FfiArray) {
    // SAFETY: as in `release_schema`, for an array and its `ArrayPrivate`.
    unsafe {
        let Some(array) = array.as_mut() else { return };
        if array.release.is_some() && !array.private_data.is_null() {
            let private = Box::from_raw(array.private_data.cast::<ArrayPrivate>());
            for &child in &private.children {
                free_array(child);
            }
            free_array(private.dictionary);
        }
        array.private_data = ptr::null_mut();
        array.release = None;
    }
}

fn new_array(
    holder: &Arc<TableHolder>,
    length: usize,
    null_count: usize,
    buffers: Vec<*const c_void>,
    children: Vec<FfiArray>,
    dictionary: Option<FfiArray>,
) -> FfiArray {
    let mut private = Box::new(ArrayPrivate {
        _holder: Arc::clone(holder),
        buffers,
        children: children.into_iter().map(|child| Box::into_raw(Box::new(child))).collect(),
        dictionary: dictionary.map_or(ptr::null_mut(), |d| Box::into_raw(Box::new(d))),
    });
    let n_buffers = private.buffers.len() as i64;
    let n_children = private.children.len() as i64;
    let buffers = private.buffers.as_mut_ptr();
    let children = if n_children == 0 { ptr::null_mut() } else { private.children.as_mut_ptr() };
    let dictionary = private.dictionary;
    FfiArray {
        length: length as i64,
        null_count: null_count as i64,
        offset: 0,
        n_buffers,
        n_children,
        buffers,
        children,
        dictionary,
        release: Some(release_array),
        private_data: Box::into_raw(private).cast(),
    }
}

/// A buffer's address for the buffer table; null for an empty one (which the interface allows,
/// and which no consumer then reads).
fn address<T>(values: &[T]) -> *const c_void {
    if values.is_empty() { ptr::null() } else { values.as_ptr().cast() }
}

fn column_array(holder: &Arc<TableHolder>, column: &Column, bits: Option<&[u8]>) -> FfiArray {
    // The bitmap may be left out only when there is no null.
    let validity = if column.null_count() > 0 { address(column.validity().bits()) } else { ptr::null() };
    let mut dictionary = None;
    let buffers = match column.data() {
        ColumnData::UInt64(v) => vec![validity, address(v)],
        ColumnData::UInt16(v) => vec![validity, address(v)],
        ColumnData::Int16(v) => vec![validity, address(v)],
        ColumnData::Int64(v) | ColumnData::Timestamp(v) => vec![validity, address(v)],
        ColumnData::Float64(v) => vec![validity, address(v)],
        // The packed copy made with the holder (`rows.div_ceil(8)` bytes).
        ColumnData::Bool(_) => vec![validity, bits.map_or(ptr::null(), address)],
        // The offsets always hold rows + 1 entries (checked by `check_layout`).
        ColumnData::String { offsets, values } => vec![validity, offsets.as_ptr().cast(), address(values)],
        ColumnData::Dictionary { codes, pool } => {
            // The pool's offsets are u32 holding at most i32::MAX (checked by `check_layout`),
            // so the same memory is a valid int32 offsets buffer.
            dictionary = Some(new_array(
                holder,
                pool.len(),
                0,
                vec![ptr::null(), pool.offsets().as_ptr().cast(), address(pool.values_bytes())],
                Vec::new(),
                None,
            ));
            vec![validity, address(codes)]
        }
    };
    new_array(holder, column.len(), column.null_count(), buffers, Vec::new(), dictionary)
}

fn table_array(holder: &Arc<TableHolder>) -> FfiArray {
    let children = (0..holder.names.len())
        .map(|i| column_array(holder, holder.column(i), holder.bits[i].as_deref()))
        .collect();
    new_array(holder, holder.table.num_rows(), 0, vec![ptr::null()], children, None)
}
