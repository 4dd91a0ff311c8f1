//! The one place where core errors become Python exceptions, and the panic guard.
//!
//! The exception classes are written in Python (`ferrule/errors.py`) so that they can subclass the
//! builtins users catch (`ValueError`, `OSError`, ...) and carry `.code`, `.line` and `.offset`
//! (and `ParseError` a `.reason`).

use ferrule_core::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The class in `ferrule.errors` that stands for a core error kind.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidArgument => "InvalidArgumentError",
        ErrorKind::LengthMismatch => "LengthMismatchError",
        ErrorKind::InvalidUtf8 => "InvalidUtf8Error",
        ErrorKind::Parse => "ParseError",
        ErrorKind::Capacity => "CapacityError",
        ErrorKind::Corrupt => "CorruptDataError",
        ErrorKind::Io => "FerruleIOError",
        ErrorKind::Internal => "InternalError",
        ErrorKind::OutOfRange => "OutOfRangeError",
        // A kind newer than this binding still reaches Python as a FerruleError with its code.
        _ => "FerruleError",
    }
}

/// Maps a core error to the matching `ferrule.errors` exception.
pub fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    build(py, err).unwrap_or_else(|import_failure| {
        // Only reachable when the pure-Python part of the package is broken or missing.
        PyRuntimeError::new_err(format!(
            "{} [{}] (and ferrule.errors failed: {import_failure})",
            err,
            err.code()
        ))
    })
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let class = py.import("ferrule.errors")?.getattr(class_name(err.kind()))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", err.code())?;
    kwargs.set_item("line", err.location().line)?;
    kwargs.set_item("offset", err.location().offset)?;
    if err.kind() == ErrorKind::Parse {
        // `ParseError.reason`: the finer code of a bad log line (`UNTERMINATED_QUOTE`, ...), or
        // `None` (a bad format string).
        kwargs.set_item("reason", err.reason())?;
    }
    let exception = class.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}

/// Runs a binding body so that a panic reaches Python as `ferrule.InternalError` (pyo3 would
/// raise `PanicException`, a `BaseException` that escapes `except Exception`). Every
/// `#[pyfunction]` and method body goes through it, whole: argument conversion is pyo3's and
/// raises `TypeError`, everything after it can only fail as a `FerruleError`.
pub fn guarded<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(to_py_err(py, &Error::from_panic(payload.as_ref()))))
}

/// `ferrule.errors.ArgumentTypeError`: an argument (or an element of one) has the wrong type.
/// Both an `InvalidArgumentError` (code `FERRULE_INVALID_ARGUMENT`) and a `TypeError`, so
/// `except TypeError` works as it does for any Python API. Core never raises it: types are a
/// binding's business.
pub fn argument_type_error(py: Python<'_>, message: impl Into<String>) -> PyErr {
    let message = message.into();
    let build = || -> PyResult<PyErr> {
        let class = py.import("ferrule.errors")?.getattr("ArgumentTypeError")?;
        Ok(PyErr::from_value(class.call1((message.as_str(),))?))
    };
    build().unwrap_or_else(|import_failure| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{message} (and ferrule.errors failed: {import_failure})"
        ))
    })
}

/// Runs batch work with the GIL released, so other Python threads run meanwhile, behind its own
/// panic guard: the panic is caught before the thread re-attaches, and surfaces as
/// `InternalError` like any other. `work` can only touch data that is `Send` (pyo3 checks it): it
/// must not reach Python objects, only buffers the caller keeps alive by strong references.
pub fn detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> ferrule_core::Result<T> + Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(work))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(to_py_err(py, &err)),
        Err(payload) => Err(to_py_err(py, &Error::from_panic(payload.as_ref()))),
    }
}

/// Batches of fewer values than this run without releasing the GIL: releasing and re-taking it
/// (and waking another thread) costs more than the work itself.
pub const DETACH_MIN_VALUES: usize = 1024;

/// [`detached`] for a batch of `values` values: small ones keep the GIL.
pub fn detached_batch<T, F>(py: Python<'_>, values: usize, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> ferrule_core::Result<T> + Send,
{
    if values >= DETACH_MIN_VALUES { detached(py, work) } else { work().map_err(|err| to_py_err(py, &err)) }
}

/// `result.or_raise(py)?`: a core result as a Python one, through [`to_py_err`].
pub trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for ferrule_core::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|err| to_py_err(py, &err))
    }
}
