//! `ferrule.factorize`: `pandas.factorize` for strings, on a fresh core `StringPool` per call.

use crate::errors::{OrRaise, detached_batch, guarded};
use crate::input::{self, Input, Nulls};
use ferrule_core::pool::StringPool;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyString;

type Factorized<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<Py<PyAny>>>);

/// Encodes ``values`` as ``(codes, uniques)``, like ``pandas.factorize``: ``codes`` (``int64``)
/// numbers each value by the order in which distinct values first appear, ``uniques`` (an object
/// array of ``str``) lists the distinct values in that order, so ``uniques[codes]`` gives the
/// values back. ``None`` and float NaN get code -1 and are not in ``uniques``. ``values`` is what
/// ``StringPool.intern_many`` takes (Arrow nulls get -1 too). Releases the GIL while hashing.
#[pyfunction]
pub fn factorize<'py>(py: Python<'py>, values: &Bound<'py, PyAny>) -> PyResult<Factorized<'py>> {
    guarded(py, || {
        let input = input::read(values)?;
        let chunks = input.chunks(py, Nulls::Skip)?;
        // Counted from what was read: a sequence's `__len__` may claim more or fewer items.
        let total = chunks.iter().map(|chunk| chunk.len).sum();
        let (codes, pool) = detached_batch(py, total, || {
            let mut pool = StringPool::new();
            let mut codes = ferrule_core::alloc::try_reserved(total)?;
            for chunk in &chunks {
                let ids = pool.intern_many_par(&chunk.values)?;
                match &chunk.rows {
                    None => codes.extend(ids.into_iter().map(i64::from)),
                    Some(rows) => {
                        let start = codes.len();
                        codes.resize(start + chunk.len, -1);
                        let out = &mut codes[start..];
                        rows.iter().zip(ids).for_each(|(&row, id)| out[row] = i64::from(id));
                    }
                }
            }
            Ok((codes, pool))
        })?;
        // Like pandas, the uniques are the input's own objects (the first occurrence of each
        // value) when the input is Python objects. Another thread may have changed a list while
        // the GIL was released: an object that is not the value any more is replaced by a new str.
        let mut uniques: Vec<Py<PyAny>> = Vec::with_capacity(pool.len());
        for (row, &code) in codes.iter().enumerate() {
            if code != uniques.len() as i64 {
                continue;
            }
            let value = pool.resolve(code as u32).or_raise(py)?;
            let original = match &input {
                Input::Objects(items) => items.get_item(row).ok().filter(|item| {
                    item.cast::<PyString>().is_ok_and(|s| s.to_str().is_ok_and(|t| t == value))
                }),
                _ => None,
            };
            uniques.push(original.unwrap_or_else(|| PyString::new(py, value).into_any()).unbind());
        }
        Ok((PyArray1::from_vec(py, codes), PyArray1::from_vec(py, uniques)))
    })
}
