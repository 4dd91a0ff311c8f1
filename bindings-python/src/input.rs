//! Batches of strings from Python, as core's batch calls take them.
//!
//! Reading happens in two steps, both under the GIL. [`read`] takes hold of what will be
//! borrowed (Arrow arrays are moved out of their capsules) or converted (NumPy UCS4, Python
//! objects). Then [`Input::chunks`] checks every element and gives its UTF-8 bytes as core takes
//! them. Python `str` objects are copied into one buffer of our own, in the one pass that checks
//! them (their bytes are in cache at that moment): nothing then points into Python objects while
//! the GIL is released, so another thread may change the list meanwhile, and no reference count
//! has to be taken and dropped for each of a million items.

use crate::arrow::{self, ImportedArray};
use crate::errors::{OrRaise, argument_type_error, to_py_err};
use ferrule_core::pool::{ArrowValues, ByteValues};
use ferrule_core::{Error, ErrorKind};
use numpy::{PyArray1, PyArrayDescrMethods, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyList, PyString, PyTuple};

/// What a missing value (`None`, NaN, an Arrow null) means to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// A bad element: `ArgumentTypeError` naming its index.
    Reject,
    /// Skipped: left out of the values, its row reported in [`Chunk::rows`].
    Skip,
}

/// A batch of values and what keeps them alive.
pub enum Input<'py> {
    /// A list or tuple of Python objects, checked and copied by [`Input::chunks`].
    Objects(Bound<'py, PyAny>),
    /// UTF-8 converted from a NumPy UCS4 array (`offsets` in Arrow layout).
    Text { offsets: Vec<i64>, data: Vec<u8> },
    /// Arrow arrays read in place (several for a stream).
    Arrow(Vec<ImportedArray>),
}

/// Values as core takes them.
pub enum Batch<'a> {
    Slices(Vec<&'a [u8]>),
    /// Copies of Python `str` values: value `i` is `data[ends[i - 1]..ends[i]]` (0 for `i = 0`).
    Copied {
        ends: Vec<usize>,
        data: Vec<u8>,
    },
    Offsets32(ArrowValues<'a, i32>),
    Offsets64(ArrowValues<'a, i64>),
}

impl ByteValues for Batch<'_> {
    fn len(&self) -> usize {
        match self {
            Batch::Slices(values) => values.len(),
            Batch::Copied { ends, .. } => ends.len(),
            Batch::Offsets32(values) => values.len(),
            Batch::Offsets64(values) => values.len(),
        }
    }

    #[inline]
    fn value(&self, index: usize) -> &[u8] {
        match self {
            Batch::Slices(values) => values[index],
            Batch::Copied { ends, data } => {
                let start = if index == 0 { 0 } else { ends[index - 1] };
                &data[start..ends[index]]
            }
            Batch::Offsets32(values) => values.value(index),
            Batch::Offsets64(values) => values.value(index),
        }
    }
}

/// A run of consecutive rows of the input: `len` rows, whose values (nulls left out) are
/// `values`; `rows[k]` is the row (counted from the chunk's first) of value `k`, or `rows` is
/// `None` when every row holds a value.
pub struct Chunk<'a> {
    pub values: Batch<'a>,
    pub rows: Option<Vec<usize>>,
    pub len: usize,
}

/// The name of `item`'s type, for messages.
pub fn type_name(item: &Bound<'_, PyAny>) -> String {
    item.get_type().name().map_or_else(|_| "?".to_owned(), |name| name.to_string())
}

fn is_null(item: &Bound<'_, PyAny>) -> bool {
    // The missing values pandas.factorize recognises in object arrays (pd.NA and NaT aside).
    item.is_none() || item.cast::<PyFloat>().is_ok_and(|float| float.value().is_nan())
}

/// Reads `values`: a list or tuple of `str`, a NumPy array of `str` (dtype `U`, `T` or object), an
/// Arrow array or stream of strings (`__arrow_c_array__` / `__arrow_c_stream__`), or any other
/// iterable of `str`.
pub fn read<'py>(values: &Bound<'py, PyAny>) -> PyResult<Input<'py>> {
    let py = values.py();
    if let Ok(list) = values.cast::<PyList>() {
        // Read in place: `objects` walks it once, holding the GIL and running no Python code, so
        // no other thread can change it meanwhile.
        return Ok(Input::Objects(list.clone().into_any()));
    }
    if let Ok(tuple) = values.cast::<PyTuple>() {
        return Ok(Input::Objects(tuple.clone().into_any()));
    }
    if values.is_instance_of::<PyString>() || values.is_instance_of::<PyBytes>() {
        return Err(argument_type_error(
            py,
            format!("values must be a sequence of str, not a single {}", type_name(values)),
        ));
    }
    if let Ok(array) = values.cast::<PyUntypedArray>() {
        return numpy_array(array);
    }
    if let Some(arrays) = arrow::import(values)? {
        return Ok(Input::Arrow(arrays));
    }
    match values.try_iter() {
        Ok(iter) => {
            let items = iter.collect::<PyResult<Vec<_>>>()?;
            Ok(Input::Objects(PyTuple::new(py, items)?.into_any()))
        }
        Err(_) => Err(argument_type_error(
            py,
            format!(
                "values must be a list, tuple, NumPy array or Arrow array of str, or an iterable \
                 of str, not {}",
                type_name(values)
            ),
        )),
    }
}

fn numpy_array<'py>(array: &Bound<'py, PyUntypedArray>) -> PyResult<Input<'py>> {
    let py = array.py();
    if array.ndim() != 1 {
        return Err(to_py_err(
            py,
            &Error::invalid_argument(format!(
                "values must be one-dimensional, not a {}-dimensional array",
                array.ndim()
            )),
        ));
    }
    match array.dtype().kind() {
        b'U' => ucs4(array),
        b'O' => {
            let array = array.cast::<PyArray1<Py<PyAny>>>()?;
            let readonly = array.try_readonly().map_err(|err| {
                to_py_err(py, &Error::invalid_argument(format!("cannot read the array: {err}")))
            })?;
            // PyO3 panics when CPython cannot allocate the tuple (a zero-stride view of one
            // object can claim 2**40 items): refuse what cannot be held first.
            ferrule_core::alloc::check_room::<Py<PyAny>>(array.len()).map_err(|err| to_py_err(py, &err))?;
            Ok(Input::Objects(
                PyTuple::new(py, readonly.as_array().iter().map(|item| item.bind(py)))?.into_any(),
            ))
        }
        // Anything else (NumPy 2's StringDType 'T' among them) element by element, as Python
        // sees it; non-strings are then reported with their index.
        _ => {
            let list = array.call_method0("tolist")?;
            Ok(Input::Objects(list))
        }
    }
}

/// NumPy `U` arrays hold fixed-width UCS4, padded with NULs (which NumPy strips when it reads an
/// element, so do we): converted to UTF-8 here, under the GIL, into buffers of our own.
fn ucs4<'py>(array: &Bound<'py, PyUntypedArray>) -> PyResult<Input<'py>> {
    let py = array.py();
    let dtype = array.dtype();
    // A contiguous, native-endian array (the same one when it already is).
    let native = dtype.call_method1("newbyteorder", ("=",))?;
    let contiguous = py.import("numpy")?.call_method1("ascontiguousarray", (array, native))?;
    let contiguous = contiguous.cast::<PyUntypedArray>()?;
    let itemsize = contiguous.dtype().itemsize();
    let len = contiguous.len();
    let buffer = PyUntypedBuffer::get(contiguous.as_any())?;
    if !buffer.is_c_contiguous() || buffer.len_bytes() != len * itemsize {
        return Err(to_py_err(py, &Error::internal("numpy.ascontiguousarray gave a non-contiguous array")));
    }
    let bytes: &[u8] = if buffer.len_bytes() == 0 {
        &[]
    } else {
        // SAFETY: the buffer is C-contiguous with `len_bytes` bytes at `buf_ptr`; it stays
        // exported (so allocated) while `buffer` lives, which outlives the slice, and we hold
        // the GIL and call no Python code while reading it, so no Python code can write to it.
        unsafe { std::slice::from_raw_parts(buffer.buf_ptr().cast::<u8>(), buffer.len_bytes()) }
    };
    // NumPy aligns its allocations, so the units are readable as u32 in place.
    // SAFETY: every bit pattern is a valid u32; `align_to` only picks the aligned middle.
    let (head, units, tail) = unsafe { bytes.align_to::<u32>() };
    if !head.is_empty() || !tail.is_empty() {
        let copy =
            bytes.chunks_exact(4).map(|u| u32::from_ne_bytes([u[0], u[1], u[2], u[3]])).collect::<Vec<u32>>();
        return ucs4_units(py, &copy, itemsize / 4, len);
    }
    ucs4_units(py, units, itemsize / 4, len)
}

/// UTF-8 of `len` items of `width` UCS4 units each.
fn ucs4_units<'py>(py: Python<'py>, units: &[u32], width: usize, len: usize) -> PyResult<Input<'py>> {
    let mut offsets = Vec::with_capacity(len + 1);
    let mut data = Vec::with_capacity(units.len());
    offsets.push(0i64);
    if width == 0 {
        offsets.resize(len + 1, 0);
        return Ok(Input::Text { offsets, data });
    }
    for (i, item) in units.chunks_exact(width).enumerate() {
        let item = &item[..item.iter().rposition(|&unit| unit != 0).map_or(0, |last| last + 1)];
        if item.iter().all(|&unit| unit < 0x80) {
            // ASCII, the common case: one byte per unit.
            data.extend(item.iter().map(|&unit| unit as u8));
        } else {
            for &unit in item {
                let ch = char::from_u32(unit).ok_or_else(|| {
                    to_py_err(
                        py,
                        &Error::new(
                            ErrorKind::InvalidUtf8,
                            format!("values[{i}] holds U+{unit:04X}, which is not text (no UTF-8 form)"),
                        ),
                    )
                })?;
                data.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            }
        }
        offsets.push(data.len() as i64);
    }
    Ok(Input::Text { offsets, data })
}

impl Input<'_> {
    /// The values as UTF-8 slices. `nulls` must be what [`read`] was given.
    pub fn chunks(&self, py: Python<'_>, nulls: Nulls) -> PyResult<Vec<Chunk<'_>>> {
        match self {
            Input::Objects(items) => Ok(vec![objects(py, items, nulls)?]),
            Input::Text { offsets, data } => {
                let values = ArrowValues::new(&offsets[..], &data[..]).or_raise(py)?;
                Ok(vec![Chunk { values: Batch::Offsets64(values), rows: None, len: offsets.len() - 1 }])
            }
            Input::Arrow(arrays) => {
                let mut first_row = 0;
                let mut chunks = Vec::with_capacity(arrays.len());
                for array in arrays {
                    let chunk = array.read(py, nulls == Nulls::Reject, first_row)?;
                    first_row += chunk.len;
                    chunks.push(chunk);
                }
                Ok(chunks)
            }
        }
    }
}

/// The UTF-8 of each `str` in `items`, in one pass.
fn objects(py: Python<'_>, items: &Bound<'_, PyAny>, nulls: Nulls) -> PyResult<Chunk<'static>> {
    // `len()` is only a hint: a sequence's `__len__` may claim more items than it yields, and
    // reserving for a claimed 2**40 items would abort the process. Capped, the rest grows.
    let capacity = items.len().unwrap_or(0).min(1 << 20);
    let mut ends: Vec<usize> = Vec::with_capacity(capacity);
    // Room for values of 16 bytes on average; more is a few doublings.
    let mut data: Vec<u8> = Vec::with_capacity(capacity * 16);
    let mut rows: Option<Vec<usize>> = None;
    let mut visit = |i: usize, item: &Bound<'_, PyAny>| -> PyResult<()> {
        if item.is_exact_instance_of::<PyString>() || item.is_instance_of::<PyString>() {
            data.extend_from_slice(utf8(py, item, i)?);
            ends.push(data.len());
            if let Some(rows) = &mut rows {
                rows.push(i);
            }
        } else if nulls == Nulls::Skip && is_null(item) {
            // From the first null on, the rows of the values are kept (all of them so far).
            rows.get_or_insert_with(|| (0..i).collect());
        } else {
            return Err(argument_type_error(py, format!("values[{i}] is {}, not str", type_name(item))));
        }
        Ok(())
    };
    // The checks above run no Python code, so the list cannot change during this loop (the GIL
    // is held); a list iterator re-reads the length at each step all the same.
    let len = if let Ok(list) = items.cast::<PyList>() {
        for (i, item) in list.iter().enumerate() {
            visit(i, &item)?;
        }
        list.len()
    } else {
        let tuple = items.cast::<PyTuple>()?;
        for (i, item) in tuple.iter_borrowed().enumerate() {
            visit(i, &item)?;
        }
        tuple.len()
    };
    Ok(Chunk { values: Batch::Copied { ends, data }, rows, len })
}

/// The UTF-8 form of `item`, a `str`, for as long as `item` is borrowed.
fn utf8<'a>(py: Python<'_>, item: &'a Bound<'_, PyAny>, i: usize) -> PyResult<&'a [u8]> {
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `item` is a live `str` (checked by the caller); the call returns its UTF-8 form,
    // cached in the object, or NULL with an exception set.
    let data = unsafe { pyo3::ffi::PyUnicode_AsUTF8AndSize(item.as_ptr(), &mut size) };
    if data.is_null() {
        let _ = PyErr::take(py);
        return Err(to_py_err(
            py,
            &Error::new(
                ErrorKind::InvalidUtf8,
                format!("values[{i}] is not valid text (it holds a lone surrogate)"),
            ),
        ));
    }
    // SAFETY: the UTF-8 form lives as long as the `str`, which the borrowed `item` keeps alive
    // for 'a; `size` is its length in bytes.
    Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), size as usize) })
}
