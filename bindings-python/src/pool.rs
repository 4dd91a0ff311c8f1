//! `ferrule.StringPool` (core `ConcurrentPool`: many threads may intern at once) and
//! `ferrule.FrozenStringPool` (core `FrozenPool`: immutable, its dictionary exported to Arrow
//! without a copy).

use crate::arrow;
use crate::errors::{OrRaise, argument_type_error, detached, detached_batch, guarded, to_py_err};
use crate::input::{self, Nulls, type_name};
use ferrule_core::pool::{ConcurrentPool, FrozenPool};
use ferrule_core::{Error, ErrorKind, Result};
use numpy::PyArray1;
use pyo3::buffer::{PyBuffer, PyUntypedBuffer};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple, PyType};
use std::path::PathBuf;

/// What both pool classes read through.
trait ReadPool: Sync {
    fn len(&self) -> usize;
    fn resolve_bytes(&self, id: u32) -> Result<&[u8]>;
    fn resolve(&self, id: u32) -> Result<&str>;
}

impl ReadPool for ConcurrentPool {
    fn len(&self) -> usize {
        ConcurrentPool::len(self)
    }
    fn resolve_bytes(&self, id: u32) -> Result<&[u8]> {
        ConcurrentPool::resolve_bytes(self, id)
    }
    fn resolve(&self, id: u32) -> Result<&str> {
        ConcurrentPool::resolve(self, id)
    }
}

impl ReadPool for FrozenPool {
    fn len(&self) -> usize {
        FrozenPool::len(self)
    }
    fn resolve_bytes(&self, id: u32) -> Result<&[u8]> {
        FrozenPool::resolve_bytes(self, id)
    }
    fn resolve(&self, id: u32) -> Result<&str> {
        FrozenPool::resolve(self, id)
    }
}

/// A value argument as bytes: a `str` (its UTF-8) or `bytes`. `Ok(None)` for a `str` that has no
/// UTF-8 form (a lone surrogate), which no pool can hold.
fn value_bytes<'a>(value: &'a Bound<'_, PyAny>) -> PyResult<Option<&'a [u8]>> {
    if let Ok(string) = value.cast::<PyString>() {
        return Ok(string.to_str().ok().map(str::as_bytes));
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Some(bytes.as_bytes()));
    }
    Err(argument_type_error(value.py(), format!("a pool value is str or bytes, not {}", type_name(value))))
}

fn unknown_id(py: Python<'_>, id: impl std::fmt::Display, len: usize) -> PyErr {
    to_py_err(py, &Error::out_of_range(format!("unknown id {id}: the string pool holds ids 0..{len}")))
}

/// An id argument: any integer (NumPy's too); one outside `u32` is unknown to every pool.
fn id_arg(pool: &impl ReadPool, id: &Bound<'_, PyAny>) -> PyResult<u32> {
    let py = id.py();
    match id.extract::<i64>() {
        Ok(n) => u32::try_from(n).map_err(|_| unknown_id(py, n, pool.len())),
        Err(_) if id.hasattr("__index__")? => Err(unknown_id(py, id, pool.len())),
        Err(_) => Err(argument_type_error(py, format!("pool ids are int, not {}", type_name(id)))),
    }
}

fn resolve_str<'py>(py: Python<'py>, pool: &impl ReadPool, id: u32) -> PyResult<Bound<'py, PyString>> {
    Ok(PyString::new(py, pool.resolve(id).or_raise(py)?))
}

/// Builds the list of `resolve_many`. Equal ids share one `str` object (when the pool is small
/// next to the batch, the usual case), so a batch costs one allocation per distinct value.
struct Resolver<'py, 'p, P> {
    py: Python<'py>,
    pool: &'p P,
    cache: Vec<Option<Bound<'py, PyString>>>,
    out: Vec<Bound<'py, PyString>>,
}

impl<'py, 'p, P: ReadPool> Resolver<'py, 'p, P> {
    /// Fails with `CapacityError` when `batch` results cannot be held (a zero-stride view of one
    /// id can claim 2**40 items).
    fn new(py: Python<'py>, pool: &'p P, batch: usize) -> PyResult<Self> {
        let cached = if batch >= 64 && pool.len() <= batch.saturating_mul(4) { pool.len() } else { 0 };
        let out = ferrule_core::alloc::try_reserved(batch).map_err(|err| to_py_err(py, &err))?;
        Ok(Resolver { py, pool, cache: vec![None; cached], out })
    }

    fn push(&mut self, id: u32) -> PyResult<()> {
        let slot = self.cache.get_mut(id as usize);
        let string = match slot {
            Some(Some(string)) => string.clone(),
            Some(slot) => slot.insert(resolve_str(self.py, self.pool, id)?).clone(),
            None => resolve_str(self.py, self.pool, id)?,
        };
        self.out.push(string);
        Ok(())
    }

    fn push_i64(&mut self, id: i64) -> PyResult<()> {
        let id = u32::try_from(id).map_err(|_| unknown_id(self.py, id, self.pool.len()))?;
        self.push(id)
    }

    fn finish(self) -> PyResult<Bound<'py, PyList>> {
        PyList::new(self.py, self.out)
    }
}

/// Calls `f` with each item of a 1-D buffer, read in place when it is contiguous.
fn read_each<T: pyo3::buffer::Element + Copy + Default>(
    py: Python<'_>,
    buffer: &PyBuffer<T>,
    mut f: impl FnMut(T) -> PyResult<()>,
) -> PyResult<()> {
    let Some(items) = buffer.as_slice_ptr() else {
        // A strided view: copied out first, into memory that must exist (a zero-stride view can
        // claim more items than any machine holds; `to_vec` would abort the process).
        let mut copy = ferrule_core::alloc::try_filled(buffer.item_count(), T::default())
            .map_err(|err| to_py_err(py, &err))?;
        buffer.copy_to_slice(py, &mut copy)?;
        return copy.into_iter().try_for_each(f);
    };
    let first = items.cast::<T>();
    for i in 0..items.len() {
        // SAFETY: `i` is within the contiguous buffer, which stays allocated while `buffer`
        // (the export) lives; `f` may run Python code, so each item is read by value at the
        // moment it is used and no reference into the buffer is held across calls.
        let item = unsafe { first.add(i).read() };
        f(item)?;
    }
    Ok(())
}

/// `resolve_many`: `ids` is a 1-D buffer of uint32 or int64 (a NumPy array: read in place) or any
/// iterable of ints.
fn resolve_many<'py>(
    py: Python<'py>,
    pool: &impl ReadPool,
    ids: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    if let Ok(buffer) = PyBuffer::<u32>::get(ids)
        && buffer.dimensions() == 1
    {
        let mut out = Resolver::new(py, pool, buffer.item_count())?;
        read_each(py, &buffer, |id| out.push(id))?;
        return out.finish();
    }
    if let Ok(buffer) = PyBuffer::<i64>::get(ids)
        && buffer.dimensions() == 1
    {
        let mut out = Resolver::new(py, pool, buffer.item_count())?;
        read_each(py, &buffer, |id| out.push_i64(id))?;
        return out.finish();
    }
    let Ok(iter) = ids.try_iter() else {
        return Err(argument_type_error(
            py,
            format!("ids must be a sequence or array of int, not {}", type_name(ids)),
        ));
    };
    // `len()` of an iterable is only a hint (its `__len__` may claim more than it yields).
    let mut out = Resolver::new(py, pool, ids.len().unwrap_or(0).min(1 << 20))?;
    for (i, id) in iter.enumerate() {
        let id = id?;
        match id.extract::<i64>() {
            Ok(id) => out.push_i64(id)?,
            Err(_) if id.hasattr("__index__")? => return Err(unknown_id(py, id, pool.len())),
            Err(_) => {
                return Err(argument_type_error(py, format!("ids[{i}] is {}, not int", type_name(&id))));
            }
        }
    }
    out.finish()
}

/// A value as Python shows it: `str`, or `bytes` when it is not UTF-8.
fn value_object<'py>(py: Python<'py>, value: &[u8]) -> Bound<'py, PyAny> {
    match std::str::from_utf8(value) {
        Ok(text) => PyString::new(py, text).into_any(),
        Err(_) => PyBytes::new(py, value).into_any(),
    }
}

fn repr(py: Python<'_>, class: &str, pool: &impl ReadPool) -> PyResult<String> {
    const SHOWN: usize = 5;
    let len = pool.len();
    let mut shown = Vec::new();
    for id in 0..len.min(SHOWN) as u32 {
        let value = pool.resolve_bytes(id).or_raise(py)?;
        shown.push(value_object(py, value).repr()?.to_string());
    }
    if len > SHOWN {
        shown.push("...".to_owned());
    }
    Ok(format!("{class}(len={len}, values=[{}])", shown.join(", ")))
}

/// Bytes-like argument of `from_bytes`, read in place.
fn with_bytes<T: Send>(
    data: &Bound<'_, PyAny>,
    decode: impl FnOnce(&[u8]) -> Result<T> + Send,
) -> PyResult<T> {
    let py = data.py();
    if let Ok(bytes) = data.cast::<PyBytes>() {
        // `bytes` are immutable: decode with the GIL released.
        let bytes = bytes.as_bytes();
        // About one value per 16 bytes: what the GIL is worth releasing for.
        return detached_batch(py, bytes.len() / 16, || decode(bytes));
    }
    let buffer = PyUntypedBuffer::get(data)
        .map_err(|_| argument_type_error(py, format!("data must be bytes-like, not {}", type_name(data))))?;
    if !buffer.is_c_contiguous() {
        return Err(to_py_err(py, &Error::invalid_argument("data must be a contiguous buffer")));
    }
    let bytes: &[u8] = if buffer.len_bytes() == 0 {
        &[]
    } else {
        // SAFETY: a C-contiguous buffer of `len_bytes` bytes at `buf_ptr`, allocated while
        // `buffer` (the export) lives, which outlives the slice; the GIL is held and `decode`
        // runs no Python code, so no Python code can write to it meanwhile (which is why this
        // path, unlike `bytes`, keeps the GIL).
        unsafe { std::slice::from_raw_parts(buffer.buf_ptr().cast::<u8>(), buffer.len_bytes()) }
    };
    decode(bytes).or_raise(py)
}

fn path_arg(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    path.extract::<PathBuf>().map_err(|_| {
        argument_type_error(py, format!("path must be str or os.PathLike, not {}", type_name(path)))
    })
}

/// A dictionary of strings: each distinct value is stored once and named by a dense ``int`` id,
/// given in first-seen order from 0. Safe to share between threads: batch calls release the GIL,
/// and every thread sees the same id for the same value.
///
/// Values are ``str`` (stored as UTF-8) or any ``bytes``; ``pool[id]`` gives ``str`` and raises
/// ``InvalidUtf8Error`` for a value interned as non-UTF-8 bytes (``resolve_bytes`` gives those).
#[pyclass(module = "ferrule._ferrule", frozen)]
pub struct StringPool {
    pool: ConcurrentPool,
}

#[pymethods]
impl StringPool {
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        guarded(py, || Ok(StringPool { pool: ConcurrentPool::new() }))
    }

    /// The id of ``value``, inserting it if it is new.
    fn intern(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<u32> {
        guarded(py, || {
            let bytes = value_bytes(value)?.ok_or_else(|| {
                to_py_err(
                    py,
                    &Error::new(
                        ErrorKind::InvalidUtf8,
                        "the value is not valid text (it holds a lone surrogate)",
                    ),
                )
            })?;
            self.pool.intern_bytes(bytes).or_raise(py)
        })
    }

    /// The ids of ``values``, in order, as a ``numpy.ndarray`` of ``uint32``; new values are
    /// inserted in first-seen order. ``values``: a list or tuple of ``str``, a NumPy array of
    /// ``str`` (dtype ``U``, ``T`` or object), or an Arrow string array (pyarrow ``StringArray``,
    /// ``LargeStringArray``, ``StringViewArray``, ``ChunkedArray``, a polars ``Series``...),
    /// read in place. A non-string element (``None`` and Arrow nulls included) raises
    /// ``ArgumentTypeError`` naming its index. Releases the GIL while interning.
    fn intern_many<'py>(
        &self,
        py: Python<'py>,
        values: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<u32>>> {
        guarded(py, || {
            let input = input::read(values)?;
            let chunks = input.chunks(py, Nulls::Reject)?;
            // Counted from what was read: a sequence's `__len__` may claim more or fewer items.
            let total = chunks.iter().map(|chunk| chunk.len).sum();
            let pool = &self.pool;
            let ids = detached_batch(py, total, || {
                let mut ids = ferrule_core::alloc::try_filled(total, 0u32)?;
                let mut start = 0;
                for chunk in &chunks {
                    pool.intern_many_into(&chunk.values, &mut ids[start..start + chunk.len])?;
                    start += chunk.len;
                }
                Ok(ids)
            })?;
            Ok(PyArray1::from_vec(py, ids))
        })
    }

    /// The id of ``value``, or ``None`` if the pool does not hold it.
    fn get(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
        guarded(py, || Ok(value_bytes(value)?.and_then(|bytes| self.pool.get_bytes(bytes))))
    }

    /// The value of ``id`` as bytes (whether or not it is UTF-8).
    fn resolve_bytes<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(py, || {
            let id = id_arg(&self.pool, id)?;
            Ok(PyBytes::new(py, self.pool.resolve_bytes(id).or_raise(py)?))
        })
    }

    /// The values of ``ids`` (a NumPy array or buffer of ``uint32`` or ``int64``, read in place, or
    /// any sequence of ``int``), as a list of ``str``.
    fn resolve_many<'py>(&self, py: Python<'py>, ids: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        guarded(py, || resolve_many(py, &self.pool, ids))
    }

    /// The dictionary as a ``pyarrow.StringArray`` (value ``i`` is id ``i``; ``BinaryArray`` if
    /// some value is not UTF-8): a frozen copy of the pool, exported without a further copy.
    /// Needs pyarrow.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guarded(py, || {
            let frozen = Bound::new(py, self.freeze(py)?)?;
            py.import("pyarrow")?.call_method1("array", (frozen,))
        })
    }

    /// An immutable copy (same ids), cheap to share and exported to Arrow without copying.
    fn freeze(&self, py: Python<'_>) -> PyResult<FrozenStringPool> {
        guarded(py, || {
            let pool = &self.pool;
            Ok(FrozenStringPool { pool: detached_batch(py, pool.len(), || pool.freeze())? })
        })
    }

    /// Heap bytes held.
    #[getter]
    fn nbytes(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.pool.memory_usage()))
    }

    /// The pool in ferrule's versioned binary format (``from_bytes`` reads it, same ids).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(py, || {
            let pool = &self.pool;
            let data = detached_batch(py, pool.len(), || Ok(pool.to_bytes()))?;
            Ok(PyBytes::new(py, &data))
        })
    }

    /// Reads ``to_bytes`` output from any bytes-like object, in place; ``CorruptDataError`` when it
    /// is truncated or damaged.
    #[classmethod]
    fn from_bytes(_class: &Bound<'_, PyType>, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        guarded(py, || Ok(StringPool { pool: with_bytes(data, ConcurrentPool::from_bytes)? }))
    }

    /// Writes ``to_bytes`` to ``path`` (through a temporary file renamed into place).
    fn save(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        guarded(py, || {
            let path = path_arg(py, path)?;
            let pool = &self.pool;
            detached(py, || pool.save(&path))
        })
    }

    /// Reads a pool written by ``save``.
    #[classmethod]
    fn load(_class: &Bound<'_, PyType>, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        guarded(py, || {
            let path = path_arg(py, path)?;
            Ok(StringPool { pool: detached(py, || ConcurrentPool::load(&path))? })
        })
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.pool.len()))
    }

    fn __contains__(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        guarded(py, || {
            Ok(value_bytes(value).ok().flatten().is_some_and(|bytes| self.pool.contains_bytes(bytes)))
        })
    }

    fn __getitem__<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
        guarded(py, || resolve_str(py, &self.pool, id_arg(&self.pool, id)?))
    }

    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<PoolIterator> {
        guarded(slf.py(), || {
            let end = slf.get().pool.len() as u32;
            Ok(PoolIterator { pool: Source::Mutable(slf.clone().unbind()), next: 0, end })
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || repr(py, "StringPool", &self.pool))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        guarded(py, || Ok((slf.get_type().getattr("from_bytes")?, (slf.get().to_bytes(py)?,))))
    }
}

/// An immutable string pool, made by ``StringPool.freeze()`` (or read with ``from_bytes`` /
/// ``load``): the same lookups, and a dictionary that Arrow reads in place (``to_arrow()``,
/// ``pyarrow.array(frozen)``).
#[pyclass(module = "ferrule._ferrule", frozen)]
pub struct FrozenStringPool {
    pool: FrozenPool,
}

#[pymethods]
impl FrozenStringPool {
    /// The id of ``value``, or ``None`` if the pool does not hold it.
    fn get(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
        guarded(py, || Ok(value_bytes(value)?.and_then(|bytes| self.pool.get_bytes(bytes))))
    }

    /// The value of ``id`` as bytes (whether or not it is UTF-8).
    fn resolve_bytes<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(py, || {
            let id = id_arg(&self.pool, id)?;
            Ok(PyBytes::new(py, self.pool.resolve_bytes(id).or_raise(py)?))
        })
    }

    /// The values of ``ids`` as a list of ``str`` (see ``StringPool.resolve_many``).
    fn resolve_many<'py>(&self, py: Python<'py>, ids: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        guarded(py, || resolve_many(py, &self.pool, ids))
    }

    /// The dictionary as a ``pyarrow.StringArray`` (``BinaryArray`` if some value is not UTF-8)
    /// over the pool's own buffers: nothing is copied, and the array keeps them alive.
    /// Needs pyarrow.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        guarded(py, || py.import("pyarrow")?.call_method1("array", (slf,)))
    }

    /// The Arrow PyCapsule protocol: ``(schema, array)`` capsules of the dictionary (utf8, or
    /// binary if some value is not UTF-8), over the pool's buffers. ``requested_schema`` is
    /// ignored, as the protocol allows.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let _ = requested_schema;
        guarded(py, || arrow::export(py, &self.pool))
    }

    /// Heap bytes held.
    #[getter]
    fn nbytes(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.pool.memory_usage()))
    }

    /// The pool in ferrule's versioned binary format.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(py, || {
            let pool = &self.pool;
            let data = detached_batch(py, pool.len(), || Ok(pool.to_bytes()))?;
            Ok(PyBytes::new(py, &data))
        })
    }

    /// Reads ``to_bytes`` output (of either pool class) from any bytes-like object.
    #[classmethod]
    fn from_bytes(_class: &Bound<'_, PyType>, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        guarded(py, || Ok(FrozenStringPool { pool: with_bytes(data, FrozenPool::from_bytes)? }))
    }

    /// Writes ``to_bytes`` to ``path``.
    fn save(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        guarded(py, || {
            let path = path_arg(py, path)?;
            let pool = &self.pool;
            detached(py, || pool.save(&path))
        })
    }

    /// Reads a pool written by ``save`` (of either pool class).
    #[classmethod]
    fn load(_class: &Bound<'_, PyType>, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        guarded(py, || {
            let path = path_arg(py, path)?;
            Ok(FrozenStringPool { pool: detached(py, || FrozenPool::load(&path))? })
        })
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.pool.len()))
    }

    fn __contains__(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        guarded(py, || {
            Ok(value_bytes(value).ok().flatten().is_some_and(|bytes| self.pool.contains_bytes(bytes)))
        })
    }

    fn __getitem__<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
        guarded(py, || resolve_str(py, &self.pool, id_arg(&self.pool, id)?))
    }

    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<PoolIterator> {
        guarded(slf.py(), || {
            let end = slf.get().pool.len() as u32;
            Ok(PoolIterator { pool: Source::Frozen(slf.clone().unbind()), next: 0, end })
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || repr(py, "FrozenStringPool", &self.pool))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        guarded(py, || Ok((slf.get_type().getattr("from_bytes")?, (slf.get().to_bytes(py)?,))))
    }
}

enum Source {
    Mutable(Py<StringPool>),
    Frozen(Py<FrozenStringPool>),
}

/// Iterates the values a pool held when the iteration began, in id order.
#[pyclass(module = "ferrule._ferrule")]
pub struct PoolIterator {
    pool: Source,
    next: u32,
    end: u32,
}

#[pymethods]
impl PoolIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(mut slf: PyRefMut<'py, Self>) -> PyResult<Option<Bound<'py, PyString>>> {
        let py = slf.py();
        guarded(py, || {
            if slf.next >= slf.end {
                return Ok(None);
            }
            let id = slf.next;
            slf.next += 1;
            let text = match &slf.pool {
                Source::Mutable(pool) => pool.get().pool.resolve(id),
                Source::Frozen(pool) => pool.get().pool.resolve(id),
            };
            Ok(Some(PyString::new(py, text.or_raise(py)?)))
        })
    }
}
