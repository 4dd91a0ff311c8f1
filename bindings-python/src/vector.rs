//! `ferrule.vector` (the native submodule `ferrule._ferrule._vector`, whose functions
//! `ferrule/vector.py` re-exports as they are: no Python wrapper sits in front of them).
//!
//! Inputs are read in place. A NumPy array is recognised by its type and its fields read
//! directly (the cheapest correct check: it keeps a call on short vectors close to the cost of
//! CPython's own call); any other object goes through the buffer protocol. Both give a pointer, a shape and strides, which
//! [`layout`] accepts only when the elements can be read as a slice: aligned, native byte order,
//! a vector of adjacent elements, or a matrix of such rows with a row stride. Anything else is
//! copied once by NumPy (`numpy.array(x, dtype, order="C")`: a fresh, aligned, C-contiguous
//! native-order array), then read the same way.
//!
//! Outputs (`out=`) are checked for type, shape, contiguity and writeability; when one overlaps
//! an input, the result is computed into a temporary and copied, so no `&mut [T]` ever covers
//! memory a `&[T]` still reads.

use crate::errors::{OrRaise, argument_type_error, detached, guarded, to_py_err};
use crate::input::type_name;
use ferrule_core::vector::{self as kernels, Element, Matrix, Metric, Precision};
use ferrule_core::{Error, Result};
use numpy::npyffi::{self, NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_WRITEABLE, NPY_TYPES, NpyTypes, PyArrayObject};
use numpy::{IxDyn, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyFloat, PyList, PyTuple};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Work (elements read) from which a call releases the GIL. Below it, releasing and re-taking
/// the GIL (and, when other threads wait for it, waiting for it again) costs more than the work.
const DETACH_MIN_ELEMENTS: usize = 1 << 16;

// ------------------------------------------------------------------------------- element types

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dtype {
    F32,
    F64,
}

impl Dtype {
    const fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "float32",
            Dtype::F64 => "float64",
        }
    }

    const fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F64 => 8,
        }
    }

    fn from_type_num(type_num: std::ffi::c_int) -> Option<Dtype> {
        if type_num == NPY_TYPES::NPY_FLOAT as std::ffi::c_int {
            Some(Dtype::F32)
        } else if type_num == NPY_TYPES::NPY_DOUBLE as std::ffi::c_int {
            Some(Dtype::F64)
        } else {
            None
        }
    }
}

/// The element types: core's kernels and NumPy's arrays both know them.
trait Float: Element + numpy::Element {
    const DTYPE: Dtype;
}

impl Float for f32 {
    const DTYPE: Dtype = Dtype::F32;
}

impl Float for f64 {
    const DTYPE: Dtype = Dtype::F64;
}

/// Whether a NumPy byte-order character means the machine's own order.
const fn native_order(byteorder: u8) -> bool {
    #[cfg(target_endian = "little")]
    {
        byteorder != b'>'
    }
    #[cfg(target_endian = "big")]
    {
        byteorder != b'<'
    }
}

// ------------------------------------------------------------------------------- input arrays

/// The elements of an input as ferrule reads them: `rows` rows of `dim` elements, row `i`
/// starting `i * stride` elements after `ptr`, `len` elements from the first to the last one
/// (`(rows - 1) * stride + dim`, or 0). A vector is one row.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Aligned for the element type; dangling (but aligned) when `len` is 0.
    ptr: NonNull<u8>,
    ndim: u8,
    rows: usize,
    dim: usize,
    stride: usize,
    len: usize,
}

/// The layout of an array at `data` with `shape` and `strides` (in bytes), when its elements can
/// be read as slices: aligned, each row's elements adjacent, and rows in increasing order no
/// closer than a row's length. Strides that never step (a dimension of length 0 or 1, or the
/// other dimension of an empty array) may be anything.
/// `None` otherwise (a copy is then needed). `shape` and `strides` have 1 or 2 entries.
#[inline(always)]
fn layout(data: *mut u8, size: usize, shape: &[isize], strides: &[isize]) -> Option<Layout> {
    let (rows, dim, row_stride, elem_stride) = match (shape, strides) {
        (&[n], &[s]) => (1, usize::try_from(n).ok()?, 0, s),
        (&[r, d], &[s0, s1]) => (usize::try_from(r).ok()?, usize::try_from(d).ok()?, s0, s1),
        _ => return None,
    };
    if rows > 0 && dim > 1 && elem_stride != size as isize {
        return None;
    }
    let stride = match row_stride {
        s0 if rows > 1 && dim > 0 => {
            let s0 = usize::try_from(s0).ok()?;
            if !s0.is_multiple_of(size) || s0 / size < dim {
                return None;
            }
            s0 / size
        }
        _ => dim,
    };
    let len = match rows {
        0 => 0,
        _ => (rows - 1).checked_mul(stride)?.checked_add(dim)?,
    };
    // The bytes must fit an isize, as every Rust slice's must.
    len.checked_mul(size).filter(|&bytes| bytes <= isize::MAX as usize)?;
    let ptr = if len == 0 {
        NonNull::<f64>::dangling().cast::<u8>()
    } else {
        let ptr = NonNull::new(data)?;
        if !(ptr.as_ptr() as usize).is_multiple_of(size) {
            return None;
        }
        ptr
    };
    Some(Layout { ptr, ndim: shape.len() as u8, rows, dim, stride, len })
}

/// What keeps an input's memory alive and unmoved while it is read.
enum Keep<'py> {
    /// The caller's argument itself (borrowed for the call).
    Argument,
    /// A NumPy array made from the argument: a copy, or a view of its buffer.
    Array(#[allow(dead_code)] Bound<'py, PyAny>),
    /// An exported buffer (released on drop).
    Buffer(#[allow(dead_code)] PyUntypedBuffer),
}

/// An input vector (ndim 1) or matrix (ndim 2) of `f32` or `f64`.
struct Array<'a, 'py> {
    layout: Layout,
    dtype: Dtype,
    _keep: Keep<'py>,
    _argument: PhantomData<&'a Bound<'py, PyAny>>,
}

/// Slices of either element type.
enum Span<'s> {
    F32(&'s [f32]),
    F64(&'s [f64]),
}

impl Array<'_, '_> {
    fn ndim(&self) -> u8 {
        self.layout.ndim
    }

    /// Elements in a vector / row.
    fn dim(&self) -> usize {
        self.layout.dim
    }

    fn rows(&self) -> usize {
        self.layout.rows
    }

    fn span(&self) -> Span<'_> {
        match self.dtype {
            Dtype::F32 => Span::F32(self.slice_unchecked()),
            Dtype::F64 => Span::F64(self.slice_unchecked()),
        }
    }

    /// The elements as `T`, whose type must be `self.dtype` (checked).
    fn slice<T: Float>(&self) -> Result<&[T]> {
        if T::DTYPE != self.dtype {
            return Err(Error::internal(format!(
                "read a {} array as {}",
                self.dtype.name(),
                T::DTYPE.name()
            )));
        }
        Ok(self.slice_unchecked())
    }

    fn slice_unchecked<T: Float>(&self) -> &[T] {
        debug_assert_eq!(T::DTYPE, self.dtype);
        let Layout { ptr, len, .. } = self.layout;
        // SAFETY: `layout` gave `ptr` aligned for this element type (checked against its size,
        // which is its alignment for f32 and f64) and non-null, dangling only when `len` is 0.
        // The `len` elements from `ptr` lie between the first and the last element of one array
        // or buffer, which `_keep` (or the borrowed argument, for 'a) keeps allocated. Every bit
        // pattern is a valid float. No `&mut` covers this memory while the slice lives: outputs
        // that overlap an input are written only after the input slices are dropped (`fill`).
        // Another thread writing to an input meanwhile is the caller's data race, as with NumPy.
        unsafe { std::slice::from_raw_parts(ptr.as_ptr().cast::<T>(), len) }
    }

    fn matrix<T: Float>(&self) -> Result<Matrix<'_, T>> {
        let Layout { rows, dim, stride, .. } = self.layout;
        Matrix::new(self.slice::<T>()?, rows, dim, stride)
    }

    /// The byte range the elements span.
    fn bytes(&self) -> (usize, usize) {
        let start = self.layout.ptr.as_ptr() as usize;
        (start, start + self.layout.len * self.dtype.size())
    }
}

#[inline(always)]
fn ndarray_type(py: Python<'_>) -> *mut ffi::PyTypeObject {
    // SAFETY: reads the type pointer from NumPy's C API table (imported once, then cached).
    unsafe { npyffi::get_type_object(py, NpyTypes::PyArray_Type) }
}

/// Whether `obj` is a `numpy.ndarray` (or a subclass).
#[inline(always)]
fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    let ndarray = ndarray_type(obj.py());
    // SAFETY: `obj` is a live object; both calls only read its type.
    unsafe {
        let tp = ffi::Py_TYPE(obj.as_ptr());
        tp == ndarray || ffi::PyType_IsSubtype(tp, ndarray) != 0
    }
}

/// What an ndarray's fields say about reading it.
enum Fields {
    InPlace(Layout, Dtype),
    /// Float data that must be copied first (strided, Fortran order, byte-swapped, unaligned).
    Copy(Dtype),
    NotFloat,
    Ndim(usize),
}

/// # Safety
/// `obj` must be a live `numpy.ndarray` (or subclass), and the GIL held.
#[inline(always)]
unsafe fn ndarray_fields(obj: *mut ffi::PyObject) -> Fields {
    // SAFETY: the caller guarantees a live ndarray, whose object struct starts with these
    // fields (the layout NumPy 1 and 2 share), and whose descr is a live dtype.
    let (fields, descr) = unsafe {
        let fields = &(*obj.cast::<PyArrayObject>()).fields;
        (fields, &(*fields.descr).fields)
    };
    let Some(dtype) = Dtype::from_type_num(descr.type_num) else {
        return Fields::NotFloat;
    };
    let ndim = fields.nd as usize;
    if !(1..=2).contains(&ndim) {
        return Fields::Ndim(ndim);
    }
    if !native_order(descr.byteorder as u8) {
        return Fields::Copy(dtype);
    }
    // SAFETY: `dimensions` and `strides` point to `nd` values each.
    let (shape, strides) = unsafe {
        (
            std::slice::from_raw_parts(fields.dimensions, ndim),
            std::slice::from_raw_parts(fields.strides, ndim),
        )
    };
    match layout(fields.data.cast::<u8>(), dtype.size(), shape, strides) {
        Some(layout) => Fields::InPlace(layout, dtype),
        None => Fields::Copy(dtype),
    }
}

fn dims_error(py: Python<'_>, name: &str, ndim: usize) -> PyErr {
    to_py_err(
        py,
        &Error::invalid_argument(format!(
            "{name} must be a 1-D vector or a 2-D matrix, not a {ndim}-D array"
        )),
    )
}

/// `ArgumentTypeError` for a NumPy array (or buffer) of a non-float type.
fn dtype_error(obj: &Bound<'_, PyAny>, name: &str) -> PyErr {
    let py = obj.py();
    let dtype = obj.getattr("dtype").and_then(|d| d.str()).map_or_else(|_| "?".to_owned(), |d| d.to_string());
    argument_type_error(
        py,
        format!(
            "{name} has dtype {dtype}: ferrule.vector computes on float32 and float64 (convert with \
             {name}.astype(numpy.float32))"
        ),
    )
}

/// Reads `obj` (argument `name`): a NumPy array or any buffer of float32/float64, 1-D or 2-D.
#[inline(always)]
fn read<'a, 'py>(obj: &'a Bound<'py, PyAny>, name: &str) -> PyResult<Array<'a, 'py>> {
    if !is_ndarray(obj) {
        return read_other(obj, name);
    }
    // SAFETY: `obj` is an ndarray and we hold the GIL.
    match unsafe { ndarray_fields(obj.as_ptr()) } {
        // Borrowed: the caller's argument outlives the call, and so 'a.
        Fields::InPlace(layout, dtype) => {
            Ok(Array { layout, dtype, _keep: Keep::Argument, _argument: PhantomData })
        }
        other => read_ndarray_slow(obj, name, other),
    }
}

/// Reads an ndarray made by this binding, which the result owns.
fn read_owned_ndarray<'a, 'py>(array: Bound<'py, PyAny>, name: &str) -> PyResult<Array<'a, 'py>> {
    if !is_ndarray(&array) {
        return Err(to_py_err(array.py(), &Error::internal("NumPy gave no ndarray")));
    }
    // SAFETY: `array` is an ndarray and we hold the GIL.
    match unsafe { ndarray_fields(array.as_ptr()) } {
        Fields::InPlace(layout, dtype) => {
            Ok(Array { layout, dtype, _keep: Keep::Array(array), _argument: PhantomData })
        }
        other => read_ndarray_slow(&array, name, other),
    }
}

/// The ndarrays not read in place: copied (the result owns the copy, so it borrows nothing), or
/// refused.
#[cold]
#[inline(never)]
fn read_ndarray_slow<'a, 'py>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    fields: Fields,
) -> PyResult<Array<'a, 'py>> {
    let py = obj.py();
    match fields {
        Fields::NotFloat => Err(dtype_error(obj, name)),
        Fields::Ndim(ndim) => Err(dims_error(py, name, ndim)),
        // (`InPlace` does not come here.)
        Fields::Copy(dtype) | Fields::InPlace(_, dtype) => {
            let numpy = py.import("numpy")?;
            // `numpy.array` always copies (`ascontiguousarray` would return an unaligned array
            // as it is): its new buffer is aligned, C-contiguous and in native byte order.
            let kwargs =
                [("dtype", numpy.getattr(dtype.name())?), ("order", "C".into_pyobject(py)?.into_any())]
                    .into_py_dict(py)?;
            let copy = numpy.getattr("array")?.call((obj,), Some(&kwargs))?;
            if !is_ndarray(&copy) {
                return Err(to_py_err(py, &Error::internal("numpy.array gave no ndarray")));
            }
            // SAFETY: `copy` is an ndarray.
            match unsafe { ndarray_fields(copy.as_ptr()) } {
                // Owned: the copy lives as long as the result.
                Fields::InPlace(layout, dtype) => {
                    Ok(Array { layout, dtype, _keep: Keep::Array(copy), _argument: PhantomData })
                }
                _ => Err(to_py_err(py, &Error::internal("numpy.array gave an unreadable array"))),
            }
        }
    }
}

/// The element type of a buffer format, when it is a native-order float.
fn format_dtype(format: &[u8]) -> Option<Dtype> {
    let native = |order: u8| match order {
        b'@' | b'=' => true,
        #[cfg(target_endian = "little")]
        b'<' => true,
        #[cfg(target_endian = "big")]
        b'>' | b'!' => true,
        _ => false,
    };
    let code = match format {
        [code] => *code,
        [order, code] if native(*order) => *code,
        _ => return None,
    };
    match code {
        b'f' => Some(Dtype::F32),
        b'd' => Some(Dtype::F64),
        _ => None,
    }
}

/// Anything but an ndarray: the buffer protocol, read in place when it can be; otherwise NumPy
/// makes an array of it (a view, or a copy), read as any other.
#[cold]
#[inline(never)]
fn read_other<'a, 'py>(obj: &'a Bound<'py, PyAny>, name: &str) -> PyResult<Array<'a, 'py>> {
    let py = obj.py();
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        // Lists are what a user types at a prompt: one copy into float64 (Python floats are
        // doubles), so they combine with other lists and float64 arrays.
        let numpy = py.import("numpy")?;
        let array = numpy.call_method1("asarray", (obj, numpy.getattr("float64")?)).map_err(|err| {
            argument_type_error(
                py,
                format!("{name} is a {} that NumPy cannot read as float64 numbers: {err}", type_name(obj)),
            )
        })?;
        return read_owned_ndarray(array, name);
    }
    let Ok(buffer) = PyUntypedBuffer::get(obj) else {
        return Err(argument_type_error(
            py,
            format!(
                "{name} must be a NumPy array or a buffer (memoryview, array.array) of float32 or \
                 float64, not {}",
                type_name(obj)
            ),
        ));
    };
    let in_place = format_dtype(buffer.format().to_bytes())
        .filter(|dtype| dtype.size() == buffer.item_size())
        .filter(|_| buffer.suboffsets().is_none_or(|s| s.iter().all(|&o| o < 0)))
        .and_then(|dtype| {
            let shape =
                buffer.shape().iter().map(|&n| isize::try_from(n).ok()).collect::<Option<Vec<_>>>()?;
            layout(buffer.buf_ptr().cast::<u8>(), dtype.size(), &shape, buffer.strides()).map(|l| (l, dtype))
        });
    if let Some((layout, dtype)) = in_place {
        return Ok(Array { layout, dtype, _keep: Keep::Buffer(buffer), _argument: PhantomData });
    }
    drop(buffer);
    // Byte-swapped, strided, other element types, other dimensions: NumPy says what it is.
    read_owned_ndarray(py.import("numpy")?.call_method1("asarray", (obj,))?, name)
}

/// `ArgumentTypeError` for inputs of different element types.
fn mixed_error(py: Python<'_>, names: &[&str], dtypes: &[Dtype]) -> PyErr {
    let listed = names
        .iter()
        .zip(dtypes)
        .map(|(name, dtype)| format!("{name} is {}", dtype.name()))
        .collect::<Vec<_>>()
        .join(", ");
    argument_type_error(
        py,
        format!("inputs of different float types ({listed}): convert one with .astype() so they match"),
    )
}

/// The common element type of `arrays`, or `ArgumentTypeError`.
fn same_dtype(py: Python<'_>, arrays: &[&Array<'_, '_>], names: &[&str]) -> PyResult<Dtype> {
    let first = arrays[0].dtype;
    if arrays.iter().all(|a| a.dtype == first) {
        return Ok(first);
    }
    Err(mixed_error(py, names, &arrays.iter().map(|a| a.dtype).collect::<Vec<_>>()))
}

fn need_vector(py: Python<'_>, array: &Array<'_, '_>, name: &str, function: &str) -> PyResult<()> {
    if array.ndim() != 1 {
        return Err(to_py_err(
            py,
            &Error::invalid_argument(format!(
                "{function}: {name} must be a 1-D vector, not a {}-D array",
                array.ndim()
            )),
        ));
    }
    Ok(())
}

fn need_matrix(py: Python<'_>, array: &Array<'_, '_>, name: &str, function: &str) -> PyResult<()> {
    if array.ndim() != 2 {
        return Err(to_py_err(
            py,
            &Error::invalid_argument(format!(
                "{function}: {name} must be a 2-D matrix (one vector per row), not a {}-D array \
                 (reshape a single vector with {name}[None, :])",
                array.ndim()
            )),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------------------- options

fn parse_precision(py: Python<'_>, precision: Option<&str>) -> PyResult<Precision> {
    match precision {
        None => Ok(Precision::Fast),
        Some(name) => Precision::parse(name).or_raise(py),
    }
}

fn parse_metric(py: Python<'_>, metric: &str) -> PyResult<Metric> {
    Metric::parse(metric).or_raise(py)
}

fn parse_threads(py: Python<'_>, threads: Option<i64>) -> PyResult<Option<usize>> {
    match threads {
        None => Ok(None),
        Some(n) => usize::try_from(n).map(Some).map_err(|_| {
            to_py_err(
                py,
                &Error::invalid_argument(format!("threads = {n}: must be >= 0 (None or 0: all cores)")),
            )
        }),
    }
}

// ------------------------------------------------------------------------------- outputs

/// Where results go: the caller's checked `out`, or a new array.
struct Output<'py> {
    object: Bound<'py, PyAny>,
    /// Aligned, dangling when `len` is 0.
    ptr: NonNull<u8>,
    len: usize,
    dtype: Dtype,
    /// A new array: nothing else refers to its memory.
    fresh: bool,
    /// Whether the memory overlaps an input (set by `check_overlap`).
    overlap: bool,
}

fn shape_text(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    }
}

impl<'py> Output<'py> {
    /// A new zeroed array of `dtype` and `shape`.
    ///
    /// Allocated like `numpy.empty` (malloc, so a large result reuses memory a previous result
    /// freed) and zeroed here, rather than `numpy.zeros` (calloc, which for large arrays maps
    /// fresh pages: a page fault per 4 KiB inside the kernel, ~0.5 ms for a 1000 x 1000 cdist).
    fn new(py: Python<'py>, dtype: Dtype, shape: &[usize]) -> PyResult<Output<'py>> {
        fn make<'py, T: Float>(py: Python<'py>, shape: &[usize]) -> PyResult<(Bound<'py, PyAny>, *mut u8)> {
            let len = shape.iter().try_fold(1usize, |len, &n| len.checked_mul(n));
            let bytes = len.and_then(|len| len.checked_mul(std::mem::size_of::<T>()));
            let (Some(len), Some(_)) = (len, bytes.filter(|&bytes| bytes <= isize::MAX as usize)) else {
                return Err(to_py_err(
                    py,
                    &Error::capacity(format!("an output of shape {} overflows", shape_text(shape))),
                ));
            };
            let mut dims: Vec<npyffi::npy_intp> = shape.iter().map(|&n| n as npyffi::npy_intp).collect();
            // SAFETY: the C API of NumPy's `PyArray_NewFromDescr`, as numpy's own `PyArray::new`
            // calls it: a type object and a descriptor reference (stolen) from NumPy, `dims`
            // holds `dims.len()` sizes whose product fits `isize` in bytes (checked above), and
            // NULL strides/data/obj ask for a new C-contiguous array. Unlike `PyArray::new` this
            // returns NULL with a Python error set when malloc fails, instead of panicking.
            let raw = unsafe {
                npyffi::PY_ARRAY_API.PyArray_NewFromDescr(
                    py,
                    npyffi::get_type_object(py, NpyTypes::PyArray_Type),
                    <T as numpy::Element>::get_dtype(py).into_dtype_ptr(),
                    dims.len() as std::os::raw::c_int,
                    dims.as_mut_ptr(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    0,
                    std::ptr::null_mut(),
                )
            };
            // SAFETY: `raw` is a new (owned) reference or NULL with an error set.
            let array = unsafe { Bound::from_owned_ptr_or_err(py, raw) }.map_err(|err| {
                if err.is_instance_of::<pyo3::exceptions::PyMemoryError>(py) {
                    let message = format!("cannot allocate an output of shape {}", shape_text(shape));
                    to_py_err(py, &Error::capacity(message))
                } else {
                    err
                }
            })?;
            let array = array.cast_into::<PyArrayDyn<T>>()?;
            if len > 0 {
                // SAFETY: a fresh C-contiguous array of `len` elements of `T` owns `len *
                // size_of::<T>()` writable bytes at `data()`, and nothing reads it before this
                // write (it has not been handed to Python or to any slice); all-zero bits are a
                // valid float.
                unsafe { std::ptr::write_bytes(array.data(), 0, len) };
            }
            let data = array.data().cast::<u8>();
            Ok((array.into_any(), data))
        }
        let (object, data) = match dtype {
            Dtype::F32 => make::<f32>(py, shape)?,
            Dtype::F64 => make::<f64>(py, shape)?,
        };
        let len = shape.iter().product::<usize>();
        let ptr = match NonNull::new(data) {
            _ if len == 0 => NonNull::<f64>::dangling().cast::<u8>(),
            Some(ptr) => ptr,
            None => return Err(to_py_err(py, &Error::internal("NumPy gave an array without data"))),
        };
        Ok(Output { object, ptr, len, dtype, fresh: true, overlap: false })
    }

    /// The caller's `out`, checked: a NumPy array of `dtype` and exactly `shape`, C-contiguous,
    /// writeable and aligned.
    fn checked(out: &Bound<'py, PyAny>, dtype: Dtype, shape: &[usize]) -> PyResult<Output<'py>> {
        let py = out.py();
        let invalid = |message: String| to_py_err(py, &Error::invalid_argument(message));
        if !is_ndarray(out) {
            return Err(argument_type_error(
                py,
                format!("out must be a NumPy array of {}, not {}", dtype.name(), type_name(out)),
            ));
        }
        // SAFETY: `out` is a live ndarray, whose struct and descr fields we read (GIL held).
        let (data, nd, flags, type_num, byteorder) = unsafe {
            let fields = &(*out.as_ptr().cast::<PyArrayObject>()).fields;
            let descr = &(*fields.descr).fields;
            (fields.data, fields.nd as usize, fields.flags, descr.type_num, descr.byteorder as u8)
        };
        if Dtype::from_type_num(type_num) != Some(dtype) || !native_order(byteorder) {
            let actual =
                out.getattr("dtype").and_then(|d| d.str()).map_or_else(|_| "?".to_owned(), |d| d.to_string());
            return Err(argument_type_error(
                py,
                format!("out has dtype {actual}; the result is {} (the inputs' type)", dtype.name()),
            ));
        }
        let dims: &[isize] = if nd == 0 {
            &[] // NumPy may leave `dimensions` NULL for a 0-d array
        } else {
            // SAFETY: `dimensions` points to `nd` values.
            unsafe {
                std::slice::from_raw_parts((*out.as_ptr().cast::<PyArrayObject>()).fields.dimensions, nd)
            }
        };
        if dims.len() != shape.len()
            || dims.iter().zip(shape).any(|(&d, &s)| usize::try_from(d).ok() != Some(s))
        {
            let actual = dims.iter().map(|&d| d.max(0) as usize).collect::<Vec<_>>();
            return Err(to_py_err(
                py,
                &Error::length_mismatch(format!(
                    "out has shape {}, the result has shape {}",
                    shape_text(&actual),
                    shape_text(shape)
                )),
            ));
        }
        if flags & NPY_ARRAY_C_CONTIGUOUS == 0 {
            return Err(invalid("out must be C-contiguous (a fresh array, not a strided view)".to_owned()));
        }
        if flags & NPY_ARRAY_WRITEABLE == 0 {
            return Err(invalid("out is read-only".to_owned()));
        }
        let len = shape.iter().product::<usize>();
        let ptr = match NonNull::new(data.cast::<u8>()) {
            _ if len == 0 => NonNull::<f64>::dangling().cast::<u8>(),
            Some(ptr) if (ptr.as_ptr() as usize).is_multiple_of(dtype.size()) => ptr,
            _ => return Err(invalid(format!("out is not aligned for {}", dtype.name()))),
        };
        Ok(Output { object: out.clone(), ptr, len, dtype, fresh: false, overlap: false })
    }

    /// `out` when given (checked), else a new array.
    fn get(
        py: Python<'py>,
        out: Option<&Bound<'py, PyAny>>,
        dtype: Dtype,
        shape: &[usize],
    ) -> PyResult<Output<'py>> {
        match out {
            Some(out) => Output::checked(out, dtype, shape),
            None => Output::new(py, dtype, shape),
        }
    }

    /// Notes whether the output's memory overlaps any byte the inputs span.
    fn check_overlap(&mut self, inputs: &[&Array<'_, '_>]) {
        let start = self.ptr.as_ptr() as usize;
        let end = start + self.len * self.dtype.size();
        self.overlap = !self.fresh
            && self.len > 0
            && inputs.iter().any(|input| {
                let (a, b) = input.bytes();
                a < end && start < b
            });
    }

    /// # Safety
    /// No other reference to the output's memory may be live while the slice is, and `T` must
    /// be its element type (checked).
    unsafe fn slice_mut<T: Float>(&mut self) -> Result<&mut [T]> {
        if T::DTYPE != self.dtype {
            return Err(Error::internal("output of the wrong type"));
        }
        // SAFETY: `ptr` is aligned and non-null (dangling only for `len` 0), `len` elements of
        // a writeable C-contiguous array that `object` keeps alive; exclusivity is the caller's.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().cast::<T>(), self.len) })
    }

    /// Runs `compute` into the output, with the GIL released when `detach`. When the output
    /// overlaps an input (`check_overlap`), `compute` writes a temporary (while it holds the
    /// input slices) that is copied into the output after `compute` has returned and dropped
    /// them.
    fn fill<T: Float>(
        &mut self,
        py: Python<'_>,
        detach: bool,
        compute: impl FnOnce(&mut [T]) -> Result<()> + Send,
    ) -> PyResult<()> {
        if self.overlap {
            let len = self.len;
            let run = move || -> Result<Vec<T>> {
                let mut scratch = ferrule_core::alloc::try_filled(len, T::ZERO)?;
                compute(&mut scratch)?;
                Ok(scratch)
            };
            let scratch = if detach { detached(py, run)? } else { run().or_raise(py)? };
            // SAFETY: `compute` (and the input slices it captured) is gone; `fresh` is false, so
            // this is the caller's array, which nothing else in this call refers to now.
            let out = unsafe { self.slice_mut::<T>() }.or_raise(py)?;
            out.copy_from_slice(&scratch);
            return Ok(());
        }
        // SAFETY: the output overlaps no input (`check_overlap`, called by every caller that
        // passes a caller's `out`), and it is the only reference to this memory made in this
        // call.
        let out = unsafe { self.slice_mut::<T>() }.or_raise(py)?;
        if detach { detached(py, move || compute(out)) } else { compute(out).or_raise(py) }
    }
}

/// The keyword arguments of the batch forms, as given.
#[derive(Clone, Copy)]
struct Options<'a, 'py> {
    precision: Option<&'a str>,
    threads: Option<i64>,
    out: Option<&'a Bound<'py, PyAny>>,
}

/// How a batch computation runs.
#[derive(Clone, Copy)]
struct Job {
    precision: Precision,
    threads: Option<usize>,
    /// Release the GIL: enough work to pay for it.
    detach: bool,
}

impl Job {
    fn new(py: Python<'_>, precision: Option<&str>, threads: Option<i64>, work: usize) -> PyResult<Job> {
        Ok(Job {
            precision: parse_precision(py, precision)?,
            threads: parse_threads(py, threads)?,
            detach: work >= DETACH_MIN_ELEMENTS,
        })
    }

    /// Runs `compute` on this job's threads.
    fn run<R: Send>(self, compute: impl FnOnce() -> Result<R> + Send) -> Result<R> {
        kernels::with_threads(self.threads, compute).and_then(|result| result)
    }
}

// ------------------------------------------------------------------------------- distances

/// What a distance function computes.
#[derive(Debug, Clone, Copy)]
enum Pairwise {
    Metric(Metric),
    CosineSimilarity,
}

impl Pairwise {
    fn one<T: Float>(self, precision: Precision, a: &[T], b: &[T]) -> Result<f64> {
        let value = match self {
            Pairwise::Metric(metric) => precision.distance(metric, a, b)?,
            Pairwise::CosineSimilarity => precision.cosine_similarity(a, b)?,
        };
        Ok(value.to_f64())
    }

    fn many<T: Float>(
        self,
        precision: Precision,
        query: &[T],
        matrix: &Matrix<'_, T>,
        out: &mut [T],
    ) -> Result<()> {
        match self {
            Pairwise::Metric(metric) => kernels::one_to_many(query, matrix, metric, precision, out),
            Pairwise::CosineSimilarity => kernels::cosine_similarity_many(query, matrix, precision, out),
        }
    }
}

/// The 1:1 / one-to-many dispatch of the distance functions.
fn pairwise<'py>(
    py: Python<'py>,
    op: Pairwise,
    function: &str,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    options: Options<'_, 'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let va = read(a, "a")?;
    let vb = read(b, "b")?;
    match (va.ndim(), vb.ndim()) {
        (1, 1) => {
            let precision = parse_precision(py, options.precision)?;
            if options.out.is_some() {
                return Err(to_py_err(
                    py,
                    &Error::invalid_argument(format!(
                        "{function}: out= is for a vector against a matrix; two vectors give a float"
                    )),
                ));
            }
            parse_threads(py, options.threads)?;
            // Short vectors (the usual case) keep the GIL: releasing it costs more than the work.
            let detach = va.dim() >= DETACH_MIN_ELEMENTS;
            let value = match (va.span(), vb.span()) {
                (Span::F32(x), Span::F32(y)) if detach => detached(py, move || op.one(precision, x, y))?,
                (Span::F64(x), Span::F64(y)) if detach => detached(py, move || op.one(precision, x, y))?,
                (Span::F32(x), Span::F32(y)) => op.one(precision, x, y).or_raise(py)?,
                (Span::F64(x), Span::F64(y)) => op.one(precision, x, y).or_raise(py)?,
                _ => return Err(mixed_error(py, &["a", "b"], &[va.dtype, vb.dtype])),
            };
            Ok(PyFloat::new(py, value).into_any())
        }
        (1, 2) => many(py, op, [&va, &vb], ["a", "b"], options),
        (2, 1) => many(py, op, [&vb, &va], ["b", "a"], options),
        (x, y) => Err(to_py_err(
            py,
            &Error::invalid_argument(format!(
                "{function} takes two 1-D vectors, or a vector and a 2-D matrix (one value per row); \
                 got {x}-D and {y}-D arrays: for all pairs of rows use ferrule.vector.cdist(a, b, metric=...)"
            )),
        )),
    }
}

/// One query against the rows of a matrix (`inputs` and their argument `names` in that order).
fn many<'py>(
    py: Python<'py>,
    op: Pairwise,
    inputs: [&Array<'_, 'py>; 2],
    names: [&str; 2],
    options: Options<'_, 'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let [query, matrix] = inputs;
    let job = Job::new(py, options.precision, options.threads, matrix.rows().saturating_mul(matrix.dim()))?;
    let dtype = same_dtype(py, &inputs, &names)?;
    let mut output = Output::get(py, options.out, dtype, &[matrix.rows()])?;
    output.check_overlap(&inputs);
    fn run<T: Float>(
        py: Python<'_>,
        op: Pairwise,
        query: &Array<'_, '_>,
        matrix: &Array<'_, '_>,
        output: &mut Output<'_>,
        job: Job,
    ) -> PyResult<()> {
        let q = query.slice::<T>().or_raise(py)?;
        let m = matrix.matrix::<T>().or_raise(py)?;
        output.fill::<T>(py, job.detach, move |out| job.run(|| op.many(job.precision, q, &m, out)))
    }
    match dtype {
        Dtype::F32 => run::<f32>(py, op, query, matrix, &mut output, job)?,
        Dtype::F64 => run::<f64>(py, op, query, matrix, &mut output, job)?,
    }
    Ok(output.object)
}

macro_rules! distance_function {
    ($(#[$doc:meta])* $name:ident = $op:expr) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(
            signature = (a, b, *, precision = None, threads = None, out = None),
            text_signature = "(a, b, *, precision='fast', threads=None, out=None)"
        )]
        fn $name<'py>(
            py: Python<'py>,
            a: &Bound<'py, PyAny>,
            b: &Bound<'py, PyAny>,
            precision: Option<&str>,
            threads: Option<i64>,
            out: Option<&Bound<'py, PyAny>>,
        ) -> PyResult<Bound<'py, PyAny>> {
            guarded(py, || pairwise(py, $op, stringify!($name), a, b, Options { precision, threads, out }))
        }
    };
}

distance_function! {
    /// The dot product ``sum(a[i] * b[i])``.
    ///
    /// Two 1-D vectors give a ``float`` (0.0 when empty). A 1-D vector and a 2-D matrix (either
    /// order) give one value per row of the matrix: a NumPy array of the inputs' float type, or
    /// ``out`` (checked, see the module doc), filled; that form runs on all cores (``threads``
    /// bounds them: ``None`` or 0 means all) with the GIL released.
    ///
    /// ``precision``: ``"fast"`` (accumulation in the input type; error up to about
    /// ``n * u * sum|a[i] b[i]|``, ``u`` = 2**-24 for float32, 2**-53 for float64) or
    /// ``"accurate"`` (double-double: exactly rounded unless the terms cancel almost
    /// completely; 5-20x slower).
    ///
    /// Raises ``LengthMismatchError`` for different lengths, ``ArgumentTypeError`` (a
    /// ``TypeError``) for mixed float32/float64 or non-float inputs, ``InvalidArgumentError``
    /// for two matrices (use ``cdist``), an unknown ``precision`` or ``threads < 0``.
    dot = Pairwise::Metric(Metric::Dot)
}

distance_function! {
    /// The cosine similarity ``dot(a, b) / (norm(a) * norm(b))``: 0.0 when either vector is all
    /// zeros (rather than NaN); NaN in, NaN out.
    ///
    /// Two 1-D vectors give a ``float``; a vector and a matrix give one value per row (see
    /// ``dot``). The matrix form with ``precision="fast"`` computes ``1 - cosine_distance``,
    /// within [-1, 1] (one more rounding of a value near 1: at most 2**-24 for float32); with
    /// ``"accurate"``, it divides accurately rounded dot products by the norms, as the vector
    /// form does. Options and errors as for ``dot``.
    cosine_similarity = Pairwise::CosineSimilarity
}

distance_function! {
    /// The cosine distance ``1 - cosine_similarity(a, b)``, clamped to [0, 2]: 1.0 when either
    /// vector is all zeros (empty ones included); NaN in, NaN out.
    ///
    /// Two 1-D vectors give a ``float``; a vector and a matrix give one value per row (see
    /// ``dot``). Options and errors as for ``dot``.
    cosine_distance = Pairwise::Metric(Metric::Cosine)
}

distance_function! {
    /// The squared Euclidean distance ``sum((a[i] - b[i])**2)``, computed from the differences
    /// (never as ``|a|^2 + |b|^2 - 2 a.b``), so near-duplicate vectors keep their precision.
    ///
    /// Two 1-D vectors give a ``float``; a vector and a matrix give one value per row (see
    /// ``dot``). Options and errors as for ``dot``.
    sqeuclidean = Pairwise::Metric(Metric::SqEuclidean)
}

distance_function! {
    /// The Euclidean distance ``sqrt(sqeuclidean(a, b))``.
    ///
    /// Two 1-D vectors give a ``float``; a vector and a matrix give one value per row (see
    /// ``dot``). Options and errors as for ``dot``.
    euclidean = Pairwise::Metric(Metric::Euclidean)
}

distance_function! {
    /// The Manhattan (L1) distance ``sum(|a[i] - b[i]|)``.
    ///
    /// Two 1-D vectors give a ``float``; a vector and a matrix give one value per row (see
    /// ``dot``). Options and errors as for ``dot``.
    manhattan = Pairwise::Metric(Metric::Manhattan)
}

/// The Euclidean norm ``sqrt(sum(x[i]**2))`` of a 1-D vector, as a ``float`` (0.0 when empty).
///
/// ``precision``: ``"fast"`` or ``"accurate"``, as for ``dot``.
#[pyfunction]
#[pyo3(signature = (x, *, precision = None), text_signature = "(x, *, precision='fast')")]
fn norm(py: Python<'_>, x: &Bound<'_, PyAny>, precision: Option<&str>) -> PyResult<f64> {
    guarded(py, || {
        let precision = parse_precision(py, precision)?;
        reduce(py, x, "norm", |x| precision.norm(x).map(f64::from), |x| precision.norm(x))
    })
}

/// ``query`` (1-D) against every row of ``matrix`` (2-D): one value of ``metric`` per row.
///
/// ``metric``: ``"dot"``, ``"cosine"`` (cosine distance), ``"sqeuclidean"``, ``"euclidean"`` or
/// ``"manhattan"``. Returns a NumPy array of the inputs' float type with one value per row, or
/// fills and returns ``out`` (checked: a C-contiguous, writeable array of that type and shape
/// ``(rows,)``). The matrix may be a view with a row stride (``X[:, :64]``, ``X[::2]``): it is
/// read in place. Runs on all cores (``threads`` bounds it) with the GIL released.
#[pyfunction]
#[pyo3(
    signature = (query, matrix, metric = "cosine", *, precision = None, threads = None, out = None),
    text_signature = "(query, matrix, metric='cosine', *, precision='fast', threads=None, out=None)"
)]
fn one_to_many<'py>(
    py: Python<'py>,
    query: &Bound<'py, PyAny>,
    matrix: &Bound<'py, PyAny>,
    metric: &str,
    precision: Option<&str>,
    threads: Option<i64>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || {
        let metric = parse_metric(py, metric)?;
        let q = read(query, "query")?;
        let m = read(matrix, "matrix")?;
        need_vector(py, &q, "query", "one_to_many")?;
        need_matrix(py, &m, "matrix", "one_to_many")?;
        many(py, Pairwise::Metric(metric), [&q, &m], ["query", "matrix"], Options { precision, threads, out })
    })
}

/// All pairs: ``out[i, j] = metric(a[i], b[j])`` for the rows of two 2-D matrices.
///
/// ``metric``: ``"sqeuclidean"`` (default; exact, from differences: near-duplicate rows keep a
/// relative error near 1e-7 for float32, where ``|a|^2 + |b|^2 - 2 a.b`` can lose every digit),
/// ``"dot"``, ``"cosine"``, ``"euclidean"`` or ``"manhattan"``. Returns a ``(rows_a, rows_b)``
/// array of the inputs' float type, or fills and returns ``out`` (checked: C-contiguous,
/// writeable, that type and shape). Cache-blocked, on all cores (``threads`` bounds it), with
/// the GIL released. Matrices with a row stride are read in place.
#[pyfunction]
#[pyo3(
    signature = (a, b, metric = "sqeuclidean", *, precision = None, threads = None, out = None),
    text_signature = "(a, b, metric='sqeuclidean', *, precision='fast', threads=None, out=None)"
)]
fn cdist<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    metric: &str,
    precision: Option<&str>,
    threads: Option<i64>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || {
        let metric = parse_metric(py, metric)?;
        let va = read(a, "a")?;
        let vb = read(b, "b")?;
        need_matrix(py, &va, "a", "cdist")?;
        need_matrix(py, &vb, "b", "cdist")?;
        let work = va.rows().saturating_mul(vb.rows()).saturating_mul(va.dim().max(1));
        let job = Job::new(py, precision, threads, work)?;
        let dtype = same_dtype(py, &[&va, &vb], &["a", "b"])?;
        let mut output = Output::get(py, out, dtype, &[va.rows(), vb.rows()])?;
        output.check_overlap(&[&va, &vb]);
        fn run<T: Float>(
            py: Python<'_>,
            a: &Array<'_, '_>,
            b: &Array<'_, '_>,
            metric: Metric,
            output: &mut Output<'_>,
            job: Job,
        ) -> PyResult<()> {
            let a = a.matrix::<T>().or_raise(py)?;
            let b = b.matrix::<T>().or_raise(py)?;
            output.fill::<T>(py, job.detach, move |out| {
                job.run(|| kernels::cdist(&a, &b, metric, job.precision, out))
            })
        }
        match dtype {
            Dtype::F32 => run::<f32>(py, &va, &vb, metric, &mut output, job)?,
            Dtype::F64 => run::<f64>(py, &va, &vb, metric, &mut output, job)?,
        }
        Ok(output.object)
    })
}

/// The ``k`` rows of ``db`` closest to ``q``: ``(indices, values)``, exact, in one fused pass.
///
/// ``q``: one query (1-D; results of shape ``(k,)``) or a matrix of queries (2-D; results of
/// shape ``(len(q), k)``). ``db``: a 2-D matrix (row strides read in place). ``indices`` are
/// ``int64`` rows of ``db``, ``values`` the ``metric`` values (the inputs' float type), sorted
/// closest first: smallest distance, or for ``metric="dot"`` largest dot product; ties go to the
/// lower row, NaN ranks last. ``k`` = 0 gives empty results; ``k`` > ``len(db)`` raises
/// ``InvalidArgumentError``. Runs on all cores (``threads`` bounds it), with the GIL released.
#[pyfunction]
#[pyo3(
    signature = (q, db, k, metric = "cosine", *, precision = None, threads = None),
    text_signature = "(q, db, k, metric='cosine', *, precision='fast', threads=None)"
)]
fn topk<'py>(
    py: Python<'py>,
    q: &Bound<'py, PyAny>,
    db: &Bound<'py, PyAny>,
    k: i64,
    metric: &str,
    precision: Option<&str>,
    threads: Option<i64>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    guarded(py, || {
        let metric = parse_metric(py, metric)?;
        let vq = read(q, "q")?;
        let vdb = read(db, "db")?;
        need_matrix(py, &vdb, "db", "topk")?;
        let work = vq.rows().saturating_mul(vdb.rows()).saturating_mul(vdb.dim().max(1));
        let job = Job::new(py, precision, threads, work)?;
        let dtype = same_dtype(py, &[&vq, &vdb], &["q", "db"])?;
        let invalid = |message: String| to_py_err(py, &Error::invalid_argument(message));
        let k = usize::try_from(k).map_err(|_| invalid(format!("k = {k}: must be >= 0")))?;
        if k > vdb.rows() {
            return Err(invalid(format!("k = {k} but the database has {} rows", vdb.rows())));
        }
        if vq.dim() != vdb.dim() {
            return Err(to_py_err(
                py,
                &Error::length_mismatch(format!(
                    "topk: queries of dimension {} against a database of dimension {}",
                    vq.dim(),
                    vdb.dim()
                )),
            ));
        }
        let shape: &[usize] = if vq.ndim() == 1 { &[k] } else { &[vq.rows(), k] };
        let cells = vq
            .rows()
            .checked_mul(k)
            .ok_or_else(|| to_py_err(py, &Error::capacity("topk output size overflows")))?;
        // A new array: it overlaps nothing.
        let mut values = Output::new(py, dtype, shape)?;
        let mut rows = ferrule_core::alloc::try_filled(cells, 0usize).map_err(|err| to_py_err(py, &err))?;
        fn run<T: Float>(
            py: Python<'_>,
            [q, db]: [&Array<'_, '_>; 2],
            (k, metric): (usize, Metric),
            values: &mut Output<'_>,
            rows: &mut [usize],
            job: Job,
        ) -> PyResult<()> {
            let queries = q.matrix::<T>().or_raise(py)?;
            let database = db.matrix::<T>().or_raise(py)?;
            values.fill::<T>(py, job.detach, move |out| {
                job.run(|| kernels::topk(&queries, &database, k, metric, job.precision, rows, out))
            })
        }
        match dtype {
            Dtype::F32 => run::<f32>(py, [&vq, &vdb], (k, metric), &mut values, &mut rows, job)?,
            Dtype::F64 => run::<f64>(py, [&vq, &vdb], (k, metric), &mut values, &mut rows, job)?,
        }
        // Row numbers fit an int64: they index a slice, so they are below isize::MAX.
        let rows = rows.into_iter().map(|row| row as i64).collect::<Vec<i64>>();
        let indices = numpy::PyArray1::<i64>::from_vec(py, rows).reshape(IxDyn(shape))?;
        Ok((indices.into_any(), values.object))
    })
}

// ------------------------------------------------------------------------------- reductions

/// Reads a 1-D vector and runs `f32`/`f64` versions of a reduction, with the GIL released for
/// long vectors.
fn reduce<R: Send>(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    function: &str,
    f32_version: impl FnOnce(&[f32]) -> Result<R> + Send,
    f64_version: impl FnOnce(&[f64]) -> Result<R> + Send,
) -> PyResult<R> {
    let vx = read(x, "x")?;
    need_vector(py, &vx, "x", function)?;
    let detach = vx.dim() >= DETACH_MIN_ELEMENTS;
    match vx.span() {
        Span::F32(x) if detach => detached(py, move || f32_version(x)),
        Span::F32(x) => f32_version(x).or_raise(py),
        Span::F64(x) if detach => detached(py, move || f64_version(x)),
        Span::F64(x) => f64_version(x).or_raise(py),
    }
}

/// The sum of a 1-D vector's elements, as a ``float`` (0.0 when empty; NaN propagates).
///
/// ``precision="fast"`` accumulates in the input type over SIMD lanes; ``"accurate"`` in
/// double-double (exactly rounded unless the elements cancel almost completely).
#[pyfunction]
#[pyo3(signature = (x, *, precision = None), text_signature = "(x, *, precision='fast')")]
fn sum(py: Python<'_>, x: &Bound<'_, PyAny>, precision: Option<&str>) -> PyResult<f64> {
    guarded(py, || {
        let precision = parse_precision(py, precision)?;
        reduce(py, x, "sum", |x| Ok(f64::from(precision.sum(x))), |x| Ok(precision.sum(x)))
    })
}

/// The arithmetic mean of a 1-D vector, accumulated in float64 whatever the input type.
///
/// Raises ``InvalidArgumentError`` for an empty vector; NaN propagates.
#[pyfunction]
#[pyo3(signature = (x))]
fn mean(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
    guarded(py, || reduce(py, x, "mean", kernels::mean::<f32>, kernels::mean::<f64>))
}

/// The smallest element of a 1-D vector, as a ``float``; NaN if any element is NaN (as NumPy).
///
/// Raises ``InvalidArgumentError`` for an empty vector.
#[pyfunction]
#[pyo3(signature = (x))]
fn min(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
    guarded(py, || reduce(py, x, "min", |x| kernels::min(x).map(f64::from), kernels::min::<f64>))
}

/// The largest element of a 1-D vector, as a ``float``; NaN if any element is NaN (as NumPy).
///
/// Raises ``InvalidArgumentError`` for an empty vector.
#[pyfunction]
#[pyo3(signature = (x))]
fn max(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
    guarded(py, || reduce(py, x, "max", |x| kernels::max(x).map(f64::from), kernels::max::<f64>))
}

/// The index of the smallest element of a 1-D vector (the first one of equals), or of the first
/// NaN if there is one (as NumPy). Raises ``InvalidArgumentError`` for an empty vector.
#[pyfunction]
#[pyo3(signature = (x))]
fn argmin(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<usize> {
    guarded(py, || reduce(py, x, "argmin", kernels::argmin::<f32>, kernels::argmin::<f64>))
}

/// The index of the largest element of a 1-D vector (the first one of equals), or of the first
/// NaN if there is one (as NumPy). Raises ``InvalidArgumentError`` for an empty vector.
#[pyfunction]
#[pyo3(signature = (x))]
fn argmax(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<usize> {
    guarded(py, || reduce(py, x, "argmax", kernels::argmax::<f32>, kernels::argmax::<f64>))
}

// ------------------------------------------------------------------------------- element-wise

/// An element-wise operation over `N` input vectors.
trait Elementwise<const N: usize>: Copy + Send {
    fn run<T: Float>(self, inputs: [&[T]; N], out: &mut [T]) -> Result<()>;
}

/// Reads the `N` vectors, checks `out` (or makes the result array) and runs `op`.
fn elementwise<'py, const N: usize>(
    py: Python<'py>,
    function: &str,
    args: [(&str, &Bound<'py, PyAny>); N],
    out: Option<&Bound<'py, PyAny>>,
    op: impl Elementwise<N>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut arrays = Vec::with_capacity(N);
    for (name, arg) in args {
        let array = read(arg, name)?;
        need_vector(py, &array, name, function)?;
        arrays.push(array);
    }
    let refs = arrays.iter().collect::<Vec<_>>();
    let names = args.map(|(name, _)| name);
    let dtype = same_dtype(py, &refs, &names)?;
    let lengths = arrays.iter().map(Array::dim).collect::<Vec<_>>();
    if lengths.windows(2).any(|w| w[0] != w[1]) {
        let listed =
            names.iter().zip(&lengths).map(|(name, n)| format!("{name}: {n}")).collect::<Vec<_>>().join(", ");
        return Err(to_py_err(py, &Error::length_mismatch(format!("{function}: lengths differ ({listed})"))));
    }
    let n = lengths[0];
    let mut output = Output::get(py, out, dtype, &[n])?;
    output.check_overlap(&refs);
    let detach = n.saturating_mul(N) >= DETACH_MIN_ELEMENTS;
    fn run<'py, T: Float, const N: usize>(
        py: Python<'py>,
        arrays: &[&Array<'_, 'py>],
        output: &mut Output<'py>,
        detach: bool,
        op: impl Elementwise<N>,
    ) -> PyResult<()> {
        let mut slices: [&[T]; N] = [&[]; N];
        for (slot, array) in slices.iter_mut().zip(arrays) {
            *slot = array.slice::<T>().or_raise(py)?;
        }
        output.fill::<T>(py, detach, move |out| op.run(slices, out))
    }
    match dtype {
        Dtype::F32 => run::<f32, N>(py, &refs, &mut output, detach, op)?,
        Dtype::F64 => run::<f64, N>(py, &refs, &mut output, detach, op)?,
    }
    Ok(output.object)
}

#[derive(Clone, Copy)]
struct Scale(f64);
impl Elementwise<1> for Scale {
    fn run<T: Float>(self, [x]: [&[T]; 1], out: &mut [T]) -> Result<()> {
        kernels::scale(x, T::from_f64(self.0), out)
    }
}

#[derive(Clone, Copy)]
struct Normalize;
impl Elementwise<1> for Normalize {
    fn run<T: Float>(self, [x]: [&[T]; 1], out: &mut [T]) -> Result<()> {
        kernels::normalize(x, out)
    }
}

#[derive(Clone, Copy)]
enum Binary {
    Add,
    Subtract,
    Multiply,
}
impl Elementwise<2> for Binary {
    fn run<T: Float>(self, [a, b]: [&[T]; 2], out: &mut [T]) -> Result<()> {
        match self {
            Binary::Add => kernels::add(a, b, out),
            Binary::Subtract => kernels::subtract(a, b, out),
            Binary::Multiply => kernels::multiply(a, b, out),
        }
    }
}

#[derive(Clone, Copy)]
struct Axpy(f64);
impl Elementwise<2> for Axpy {
    fn run<T: Float>(self, [x, y]: [&[T]; 2], out: &mut [T]) -> Result<()> {
        kernels::axpy(T::from_f64(self.0), x, y, out)
    }
}

#[derive(Clone, Copy)]
struct Fma;
impl Elementwise<3> for Fma {
    fn run<T: Float>(self, [a, b, c]: [&[T]; 3], out: &mut [T]) -> Result<()> {
        kernels::fma(a, b, c, out)
    }
}

/// ``alpha * x`` element by element (``alpha`` rounded to the input's float type).
///
/// Returns a new array of ``x``'s type, or fills and returns ``out`` (checked: a C-contiguous,
/// writeable NumPy array of that type and length). ``out`` may be ``x`` itself.
#[pyfunction]
#[pyo3(signature = (x, alpha, out = None))]
fn scale<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    alpha: f64,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || elementwise(py, "scale", [("x", x)], out, Scale(alpha)))
}

/// ``a + b`` element by element. Returns a new array of the inputs' type, or fills and returns
/// ``out`` (checked), which may be ``a`` or ``b`` itself. Lengths must match
/// (``LengthMismatchError``).
#[pyfunction]
#[pyo3(signature = (a, b, out = None))]
fn add<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || elementwise(py, "add", [("a", a), ("b", b)], out, Binary::Add))
}

/// ``a - b`` element by element. Returns a new array of the inputs' type, or fills and returns
/// ``out`` (checked), which may be ``a`` or ``b`` itself. Lengths must match.
#[pyfunction]
#[pyo3(signature = (a, b, out = None))]
fn subtract<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || elementwise(py, "subtract", [("a", a), ("b", b)], out, Binary::Subtract))
}

/// ``a * b`` element by element. Returns a new array of the inputs' type, or fills and returns
/// ``out`` (checked), which may be ``a`` or ``b`` itself. Lengths must match.
#[pyfunction]
#[pyo3(signature = (a, b, out = None))]
fn multiply<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || elementwise(py, "multiply", [("a", a), ("b", b)], out, Binary::Multiply))
}

/// ``alpha * x + y`` element by element (BLAS axpy; ``alpha`` rounded to the inputs' type).
/// Returns a new array, or fills and returns ``out`` (checked), which may be ``x`` or ``y``.
#[pyfunction]
#[pyo3(signature = (alpha, x, y, out = None))]
fn axpy<'py>(
    py: Python<'py>,
    alpha: f64,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || elementwise(py, "axpy", [("x", x), ("y", y)], out, Axpy(alpha)))
}

/// ``a * b + c`` element by element (a multiply then an add: two roundings, the same on every
/// CPU). Returns a new array, or fills and returns ``out`` (checked), which may be an input.
#[pyfunction]
#[pyo3(signature = (a, b, c, out = None))]
fn fma<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    c: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || elementwise(py, "fma", [("a", a), ("b", b), ("c", c)], out, Fma))
}

/// ``x / norm(x)``: the unit vector of ``x``; a zero vector stays zero (rather than NaN).
/// Returns a new array, or fills and returns ``out`` (checked), which may be ``x`` itself.
#[pyfunction]
#[pyo3(signature = (x, out = None))]
fn normalize<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(py, || elementwise(py, "normalize", [("x", x)], out, Normalize))
}

/// Adds the submodule `_vector` to `parent` (`ferrule._ferrule`).
pub fn register(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    // Named after its public face, so that each function's `__module__` is `ferrule.vector`,
    // where pickle (and so multiprocessing) finds it by name.
    let module = PyModule::new(parent.py(), "ferrule.vector")?;
    module.add_function(wrap_pyfunction!(dot, &module)?)?;
    module.add_function(wrap_pyfunction!(cosine_similarity, &module)?)?;
    module.add_function(wrap_pyfunction!(cosine_distance, &module)?)?;
    module.add_function(wrap_pyfunction!(sqeuclidean, &module)?)?;
    module.add_function(wrap_pyfunction!(euclidean, &module)?)?;
    module.add_function(wrap_pyfunction!(manhattan, &module)?)?;
    module.add_function(wrap_pyfunction!(norm, &module)?)?;
    module.add_function(wrap_pyfunction!(one_to_many, &module)?)?;
    module.add_function(wrap_pyfunction!(cdist, &module)?)?;
    module.add_function(wrap_pyfunction!(topk, &module)?)?;
    module.add_function(wrap_pyfunction!(sum, &module)?)?;
    module.add_function(wrap_pyfunction!(mean, &module)?)?;
    module.add_function(wrap_pyfunction!(min, &module)?)?;
    module.add_function(wrap_pyfunction!(max, &module)?)?;
    module.add_function(wrap_pyfunction!(argmin, &module)?)?;
    module.add_function(wrap_pyfunction!(argmax, &module)?)?;
    module.add_function(wrap_pyfunction!(scale, &module)?)?;
    module.add_function(wrap_pyfunction!(add, &module)?)?;
    module.add_function(wrap_pyfunction!(subtract, &module)?)?;
    module.add_function(wrap_pyfunction!(multiply, &module)?)?;
    module.add_function(wrap_pyfunction!(axpy, &module)?)?;
    module.add_function(wrap_pyfunction!(fma, &module)?)?;
    module.add_function(wrap_pyfunction!(normalize, &module)?)?;
    // An attribute, not `add_submodule`, which would list it in `_ferrule.__all__`: the module
    // is private; `ferrule.vector` is its public face (and has the stubs).
    parent.setattr("_vector", module)
}
