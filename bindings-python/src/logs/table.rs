//! `LogTable`: the parsed columns, handed to NumPy in place (numbers and dictionary codes) and to
//! Arrow through the PyCapsule stream interface.

use super::flag;
use crate::errors::{OrRaise, argument_type_error, guarded, to_py_err};
use crate::input::type_name;
use ferrule_core::Error;
use ferrule_core::logs::{self as core, Column, ColumnData};
use numpy::ndarray::ArrayView1;
use numpy::{Element, PyArray1, PyArrayMethods};
use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict, PyList, PyString};
use std::sync::Arc;

/// Parsed log lines as typed columns: one row per non-empty line (failed lines included, unless
/// ``on_error="skip"``).
///
/// Columns, in order: ``line`` (1-based line number), the format's fields (for ``combined``:
/// ``vhost``, ``client``, ``ident``, ``user``, ``timestamp``, ``tz_offset``, ``request``,
/// ``method``, ``path``, ``protocol``, ``status``, ``bytes``, ``referer``, ``user_agent``; for
/// ``logfmt`` and ``jsonl``: one per key found, in first-seen order), then ``error`` (the code
/// of a failed line, null on good ones) and ``error_offset``. Null where the
/// field is ``-`` or missing: see ``validity(name)``; null rows hold 0, or an empty string.
///
/// ``column(name)`` gives NumPy arrays over the table's own memory (read-only; they keep the
/// table alive), ``to_arrow()``/``to_pandas()``/``to_polars()`` and ``__arrow_c_stream__`` give
/// Arrow data without copying. Immutable, and safe to share between threads.
#[pyclass(module = "ferrule.logs", frozen)]
pub struct LogTable {
    table: Arc<core::LogTable>,
}

impl LogTable {
    pub fn new(table: core::LogTable) -> LogTable {
        LogTable { table: Arc::new(table) }
    }

    fn require(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<&Column> {
        let name = name.cast::<PyString>().map_err(|_| {
            argument_type_error(py, format!("a column name must be a str, not {}", type_name(name)))
        })?;
        self.table.require(&name.to_cow()?).or_raise(py)
    }
}

/// A NumPy array over `values`, read-only, whose base is `owner` (the `LogTable` object).
fn borrowed<'py, T: Element>(values: &[T], owner: &Bound<'py, LogTable>) -> PyResult<Bound<'py, PyAny>> {
    let view = ArrayView1::from(values);
    // SAFETY: `values` is a vector of the core table that `owner` holds through an `Arc` and never
    // changes: it is neither dropped nor reallocated while `owner` lives, and the array keeps
    // `owner` alive (it is the array's base).
    let array = unsafe { PyArray1::borrow_from_array(&view, owner.clone().into_any()) };
    // Not writeable, and NumPy refuses to make it so: the base exposes no writable buffer.
    let readwrite = array.try_readwrite().map_err(|err| {
        to_py_err(owner.py(), &Error::internal(format!("a fresh array is borrowed: {err}")))
    })?;
    drop(readwrite.make_nonwriteable());
    Ok(array.into_any())
}

/// The rows of a plain string column as an object array of `str` (lossy) or `bytes`; `None` for
/// nulls.
fn strings<'py>(py: Python<'py>, column: &Column, raw: bool) -> PyResult<Bound<'py, PyAny>> {
    let items: Vec<Py<PyAny>> = (0..column.len())
        .map(|row| match column.bytes(row) {
            None => py.None(),
            Some(bytes) if raw => PyBytes::new(py, bytes).into_any().unbind(),
            Some(bytes) => PyString::new(py, &String::from_utf8_lossy(bytes)).into_any().unbind(),
        })
        .collect();
    Ok(PyArray1::from_vec(py, items).into_any())
}

/// `module`, or an `ImportError` saying which method needs it.
fn optional_import<'py>(py: Python<'py>, module: &str, method: &str) -> PyResult<Bound<'py, PyModule>> {
    py.import(module).map_err(|err| {
        let import = PyImportError::new_err(format!(
            "LogTable.{method}() needs {module}, which is not installed (pip install {module})"
        ));
        import.set_cause(py, Some(err));
        import
    })
}

#[pymethods]
impl LogTable {
    /// Rows: the lines parsed (good and failed), without empty or skipped lines.
    #[getter]
    fn num_rows(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.table.num_rows()))
    }

    /// Columns.
    #[getter]
    fn num_columns(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.table.num_columns()))
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.table.num_rows()))
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guarded(py, || Ok(self.table.column_names().into_iter().map(str::to_owned).collect()))
    }

    /// ``[(name, type)]`` of the columns as stored: ``"uint64"``, ``"uint16"``, ``"int16"``,
    /// ``"int64"``, ``"float64"``, ``"bool"``, ``"timestamp[us, UTC]"``, ``"string"`` (plain) or
    /// ``"dictionary"``.
    #[getter]
    fn schema(&self, py: Python<'_>) -> PyResult<Vec<(String, &'static str)>> {
        guarded(py, || {
            Ok(self.table.columns().iter().map(|c| (c.name().to_owned(), c.column_type().as_str())).collect())
        })
    }

    /// The column ``name`` as a read-only NumPy array.
    ///
    /// Numbers (``uint64``, ``uint16``, ``int16``, ``int64``, ``float64``), booleans (``bool``,
    /// one byte per row), timestamps (``datetime64[us]``, UTC) and dictionary columns
    /// (``uint32`` codes into ``dictionary(name)``) are the table's own memory, not copied; the
    /// array keeps the table alive. Null rows hold 0 (``False``; see ``validity(name)``). Plain string columns (``request`` and
    /// ``path`` by default) are copied into an object array of ``str`` (invalid UTF-8 replaced by
    /// U+FFFD; ``raw=True``: ``bytes`` as logged) with ``None`` for nulls. An unknown name raises
    /// ``InvalidArgumentError`` listing the columns.
    #[pyo3(signature = (name, *, raw = None), text_signature = "(self, name, *, raw=False)")]
    fn column<'py>(
        slf: &Bound<'py, Self>,
        name: &Bound<'py, PyAny>,
        raw: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        guarded(py, || {
            let raw = flag(py, raw, "raw")?;
            let column = slf.get().require(py, name)?;
            match column.data() {
                ColumnData::UInt64(v) => borrowed(v, slf),
                ColumnData::UInt16(v) => borrowed(v, slf),
                ColumnData::Int16(v) => borrowed(v, slf),
                ColumnData::Int64(v) => borrowed(v, slf),
                ColumnData::Float64(v) => borrowed(v, slf),
                ColumnData::Timestamp(v) => borrowed(v, slf)?.call_method1("view", ("datetime64[us]",)),
                ColumnData::Dictionary { codes, .. } => borrowed(codes, slf),
                ColumnData::Bool(v) => borrowed(v, slf),
                ColumnData::String { .. } => strings(py, column, raw),
            }
        })
    }

    /// Which rows of column ``name`` hold a value, as a NumPy ``bool`` array (``True`` = valid,
    /// ``False`` = null: the field was ``-`` or not reached).
    fn validity<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<bool>>> {
        guarded(py, || {
            let validity = self.require(py, name)?.validity();
            let valid: Vec<bool> = (0..validity.len()).map(|row| validity.is_valid(row)).collect();
            Ok(PyArray1::from_vec(py, valid))
        })
    }

    /// The number of null rows of column ``name``.
    fn null_count(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<usize> {
        guarded(py, || Ok(self.require(py, name)?.null_count()))
    }

    /// The values of dictionary column ``name``: value ``i`` is what code ``i`` of
    /// ``column(name)`` stands for. ``str`` (invalid UTF-8 replaced by U+FFFD, so two values may
    /// then look alike) or, with ``raw=True``, ``bytes`` as logged. It may hold values no row of
    /// this table uses (a batch's dictionary includes earlier batches' values). A column that is
    /// not dictionary-encoded raises ``InvalidArgumentError``.
    #[pyo3(signature = (name, *, raw = None), text_signature = "(self, name, *, raw=False)")]
    fn dictionary<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        raw: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        guarded(py, || {
            let raw = flag(py, raw, "raw")?;
            let column = self.require(py, name)?;
            let pool = column.pool().ok_or_else(|| {
                to_py_err(
                    py,
                    &Error::invalid_argument(format!(
                        "column {:?} is {}, not dictionary-encoded: column() gives its values",
                        column.name(),
                        column.column_type()
                    )),
                )
            })?;
            if raw {
                PyList::new(py, pool.iter().map(|value| PyBytes::new(py, value)))
            } else {
                PyList::new(py, pool.iter().map(|value| PyString::new(py, &String::from_utf8_lossy(value))))
            }
        })
    }

    /// The lines that failed, in order: ``LogError(line, code, offset, text, raw)``. With
    /// ``on_error="skip"`` they are listed here though not in the table.
    #[getter]
    fn errors(&self, py: Python<'_>) -> PyResult<Vec<LogError>> {
        guarded(py, || {
            Ok(self
                .table
                .errors()
                .iter()
                .map(|e| LogError {
                    line: e.line,
                    code: e.error.code(),
                    offset: e.offset,
                    raw: e.text.clone(),
                })
                .collect())
        })
    }

    /// Counts of the parse: ``lines`` (read, empty ones included), ``ok``, ``errors`` (rows kept
    /// with an error code), ``skipped`` (empty lines, and failed ones with ``on_error="skip"``),
    /// ``empty``, ``bytes`` (of input) and ``seconds`` (wall clock). Always ``lines == ok +
    /// errors + skipped``, and the table has ``ok + errors`` rows.
    #[getter]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guarded(py, || {
            let stats = self.table.stats();
            let dict = PyDict::new(py);
            dict.set_item("lines", stats.lines)?;
            dict.set_item("ok", stats.ok)?;
            dict.set_item("errors", stats.errors)?;
            dict.set_item("skipped", stats.skipped)?;
            dict.set_item("empty", stats.empty)?;
            dict.set_item("bytes", stats.bytes)?;
            dict.set_item("seconds", stats.seconds)?;
            Ok(dict)
        })
    }

    /// Heap bytes held by the columns (each dictionary counted once).
    #[getter]
    fn nbytes(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(self.table.memory_usage()))
    }

    /// The table as a ``pyarrow.Table``, without copying: dictionary columns as
    /// ``DictionaryArray`` (``uint32`` indices, ``utf8`` values), plain strings as
    /// ``large_string``, timestamps as ``timestamp[us, tz=UTC]``, nulls from the validity.
    /// String columns holding invalid UTF-8 are copied (with U+FFFD), and so are ``bool`` columns
    /// (Arrow packs booleans into bits). Needs pyarrow.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        guarded(py, || optional_import(py, "pyarrow", "to_arrow")?.call_method1("table", (slf,)))
    }

    /// The table as a ``pandas.DataFrame`` (through ``to_arrow()``): dictionary columns become
    /// categoricals, timestamps ``datetime64[us, UTC]``; integer columns with nulls become
    /// floats with NaN and bool columns with nulls ``object`` columns holding ``None``, as
    /// pyarrow converts them. ``kwargs`` go to ``pyarrow.Table.to_pandas``
    /// (e.g. ``types_mapper=pandas.ArrowDtype``). Needs pyarrow and pandas.
    #[pyo3(signature = (**kwargs))]
    fn to_pandas<'py>(
        slf: &Bound<'py, Self>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        guarded(py, || {
            optional_import(py, "pandas", "to_pandas")?;
            let table = optional_import(py, "pyarrow", "to_pandas")?.call_method1("table", (slf,))?;
            table.call_method("to_pandas", (), kwargs)
        })
    }

    /// The table as a ``polars.DataFrame``, read through the Arrow stream interface (no pyarrow
    /// needed): dictionary columns become ``Categorical``, timestamps ``Datetime("us", "UTC")``.
    /// Needs polars.
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        guarded(py, || optional_import(py, "polars", "to_polars")?.call_method1("DataFrame", (slf,)))
    }

    /// The Arrow PyCapsule stream interface: one record batch of every column, over the table's
    /// memory (see ``to_arrow``); the exported data keeps the table alive. ``requested_schema`` is
    /// ignored, as the protocol allows.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        guarded(py, || crate::arrow::export_log_table(py, Arc::clone(&self.table)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || {
            let names = PyList::new(py, self.table.column_names())?.repr()?;
            Ok(format!(
                "LogTable(num_rows={}, column_names={names}, errors={})",
                self.table.num_rows(),
                self.table.errors().len()
            ))
        })
    }
}

/// A line that failed to parse: its 1-based ``line`` number, the ``code`` (as in the ``error``
/// column: ``UNTERMINATED_QUOTE``, ``TOO_FEW_FIELDS``, ``UNEXPECTED_TEXT``, ``BAD_TIMESTAMP``,
/// ``BAD_STATUS``, ``BAD_NUMBER``, ``INVALID_UTF8``, ``INVALID_JSON`` (a ``jsonl`` line that is
/// not one JSON object) or ``BAD_FRAME`` (an octet-counted syslog frame without a valid length)),
/// the byte ``offset`` in the line where parsing stopped, and the line itself as ``text``
/// (``str``, invalid UTF-8 replaced by U+FFFD) and ``raw`` (``bytes``, without the line end).
#[pyclass(module = "ferrule.logs", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LogError {
    line: u64,
    code: &'static str,
    offset: u64,
    raw: Vec<u8>,
}

#[pymethods]
impl LogError {
    /// The 1-based line number in the whole input.
    #[getter]
    fn line(&self) -> u64 {
        self.line
    }

    /// Why the line failed (``"UNTERMINATED_QUOTE"``, ...).
    #[getter]
    fn code(&self) -> &'static str {
        self.code
    }

    /// The byte in the line where parsing stopped.
    #[getter]
    fn offset(&self) -> u64 {
        self.offset
    }

    /// The line as text (invalid UTF-8 replaced by U+FFFD).
    #[getter]
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }

    /// The line's bytes, as logged (without the line end).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.raw)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || {
            let text = PyString::new(py, &String::from_utf8_lossy(&self.raw)).repr()?;
            Ok(format!(
                "LogError(line={}, code='{}', offset={}, text={text})",
                self.line, self.code, self.offset
            ))
        })
    }
}
