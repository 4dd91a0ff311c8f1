//! The Arrow C data interface, both ways, through the Arrow PyCapsule protocol:
//!
//! - in: any object with `__arrow_c_array__` (a pyarrow `Array`, ...) or `__arrow_c_stream__` (a
//!   pyarrow `ChunkedArray`, a polars `Series`, ...) of strings is read where it lies, without a
//!   copy. Utf8 (`u`) and large utf8 (`U`) arrays go to core as [`ArrowValues`] (which checks every
//!   offset); utf8 view (`vu`) arrays are decoded into slices, each view checked against the
//!   buffer it points into.
//! - out: a `FrozenPool` exports its own offsets and values buffers as a utf8 (or binary) array;
//!   the release callback drops a clone of the pool, so the array outlives the Python object.
//!
//! What a producer hands over cannot be checked entirely: the interface carries no buffer sizes,
//! so (like every Arrow consumer) we trust that each buffer is as long as the array's own fields
//! say. Everything derived from those fields (offsets, view indexes) is checked before use.

use crate::errors::OrRaise;
use crate::errors::argument_type_error;
use crate::input::{Batch, Chunk};
use ferrule_core::pool::{ArrowOffset, ArrowValues, FrozenPool};
use ferrule_core::{Error, Result};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};
use std::ffi::{CStr, c_char, c_int, c_void};
use std::ptr;

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
    /// Rows, nulls included.
    pub fn len(&self) -> usize {
        usize::try_from(self.raw.length).unwrap_or(0)
    }

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
