//! `ferrule._ferrule`: the native half of the `ferrule` Python package. Thin by rule: convert
//! arguments, release the GIL for long work, map errors. Everything else lives in ferrule-core.

mod arrow;
mod errors;
mod factorize;
mod input;
mod logs;
mod pool;
mod vector;

use errors::{guarded, to_py_err};
use ferrule_core::{Error, Location};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// ferrule's version, e.g. ``"0.1.0"``.
#[pyfunction]
fn version(py: Python<'_>) -> PyResult<&'static str> {
    guarded(py, || Ok(ferrule_core::version()))
}

/// The CPU features detected at run time and the SIMD level ferrule uses.
///
/// Returns ``{"isa": "avx512" | "avx2" | "neon" | "scalar", "features": [...]}``. The level can be
/// capped with the environment variable ``FERRULE_MAX_ISA``, read once, at ferrule's first use in
/// the process; a value that names no level of this CPU (a typo) is ignored with one warning line
/// on stderr.
#[pyfunction]
fn capabilities(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    guarded(py, || {
        let caps = ferrule_core::capabilities();
        let dict = PyDict::new(py);
        dict.set_item("isa", caps.isa.name())?;
        dict.set_item("features", &caps.features)?;
        Ok(dict)
    })
}

/// Raises the exception that the core error with this code maps to. For testing the mapping.
#[pyfunction]
#[pyo3(signature = (code, message, line = None, offset = None))]
fn _debug_raise(
    py: Python<'_>,
    code: &str,
    message: &str,
    line: Option<u64>,
    offset: Option<u64>,
) -> PyResult<()> {
    guarded(py, || {
        let err = Error::from_code(code, message).map(|err| err.at(Location { line, offset }));
        Err(to_py_err(py, &err.unwrap_or_else(|unknown_code| unknown_code)))
    })
}

/// Panics inside the guard. For testing that a panic surfaces as ``InternalError``.
#[pyfunction]
fn _debug_panic(py: Python<'_>, message: &str) -> PyResult<()> {
    #[allow(clippy::panic)] // the point of this function: it exercises the panic guard
    guarded(py, || panic!("{message}"))
}

#[pymodule]
fn _ferrule(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", ferrule_core::version())?;
    module.add_function(wrap_pyfunction!(version, module)?)?;
    module.add_function(wrap_pyfunction!(capabilities, module)?)?;
    module.add_function(wrap_pyfunction!(factorize::factorize, module)?)?;
    module.add_class::<pool::StringPool>()?;
    module.add_class::<pool::FrozenStringPool>()?;
    vector::register(module)?;
    logs::register(module)?;
    module.add_function(wrap_pyfunction!(_debug_raise, module)?)?;
    module.add_function(wrap_pyfunction!(_debug_panic, module)?)?;
    Ok(())
}
