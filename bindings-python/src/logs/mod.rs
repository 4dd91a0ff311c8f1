//! `ferrule.logs`: access logs into typed columns. Arguments are converted and checked here,
//! parsing runs in core with the GIL released, and the result is a [`LogTable`] whose columns
//! NumPy and Arrow read in place.

mod table;

use crate::errors::{OrRaise, argument_type_error, detached, detached_batch, guarded, to_py_err};
use crate::input::type_name;
use ferrule_core::logs::{
    self as core, BatchReader, FormatKind, OnError, PRESETS, ParseOptions, progress_bar,
};
use ferrule_core::{Error, Result};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBool, PyBytes, PyInt, PyList, PyString, PyTuple, PyType};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

pub use table::{LogError, LogTable};

// ------------------------------------------------------------------------------- arguments

/// The format a `format=` argument names: a preset name (`str`) or a [`LogFormat`].
fn format_arg(py: Python<'_>, format: Option<&Bound<'_, PyAny>>) -> PyResult<Arc<core::LogFormat>> {
    let Some(format) = format else {
        return core::LogFormat::preset("combined").map(Arc::new).or_raise(py);
    };
    if let Ok(format) = format.cast::<LogFormat>() {
        return Ok(Arc::clone(&format.get().format));
    }
    if let Ok(name) = format.cast::<PyString>() {
        let name = name.to_cow()?;
        return core::LogFormat::preset(&name).map(Arc::new).map_err(|err| {
            // A format string given where a preset name goes: say how to pass it.
            let hint = if name.contains('$') {
                "; an nginx log_format string goes through ferrule.logs.LogFormat.nginx(...)"
            } else if name.contains('%') {
                "; an Apache LogFormat string goes through ferrule.logs.LogFormat.apache(...)"
            } else {
                ""
            };
            to_py_err(py, &Error::invalid_argument(format!("{}{hint}", err.message())))
        });
    }
    Err(argument_type_error(
        py,
        format!("format must be a preset name (str) or a ferrule.logs.LogFormat, not {}", type_name(format)),
    ))
}

/// A `bool` option (`None` is false).
fn flag(py: Python<'_>, value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<bool> {
    match value {
        None => Ok(false),
        Some(value) => match value.cast::<PyBool>() {
            Ok(value) => Ok(value.is_true()),
            Err(_) => {
                Err(argument_type_error(py, format!("{name} must be a bool, not {}", type_name(value))))
            }
        },
    }
}

/// An `int` option that is not a `bool` (`True` is an int to Python, never a count to us).
fn int_arg(py: Python<'_>, value: &Bound<'_, PyAny>, name: &str) -> PyResult<i64> {
    if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        return value
            .extract::<i64>()
            .map_err(|_| to_py_err(py, &Error::invalid_argument(format!("{name} = {value}: out of range"))));
    }
    Err(argument_type_error(py, format!("{name} must be an int, not {}", type_name(value))))
}

fn threads_arg(py: Python<'_>, threads: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(threads) = threads.filter(|t| !t.is_none()) else { return Ok(None) };
    let n = int_arg(py, threads, "threads")?;
    usize::try_from(n).map(Some).map_err(|_| {
        to_py_err(py, &Error::invalid_argument(format!("threads = {n}: must be >= 0 (None or 0: all cores)")))
    })
}

fn on_error_arg(py: Python<'_>, on_error: Option<&Bound<'_, PyAny>>) -> PyResult<OnError> {
    match on_error {
        None => Ok(OnError::Row),
        Some(value) => match value.cast::<PyString>() {
            Ok(name) => OnError::from_name(&name.to_cow()?).or_raise(py),
            Err(_) => Err(argument_type_error(
                py,
                format!("on_error must be \"row\", \"skip\" or \"raise\", not {}", type_name(value)),
            )),
        },
    }
}

/// `None`, or an iterable of `str` (not a single `str`, which would be its characters).
fn plain_columns_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<String>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    let wrong = || {
        argument_type_error(
            py,
            format!("plain_columns must be None or a list of column names (str), not {}", type_name(value)),
        )
    };
    if value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>() {
        return Err(wrong());
    }
    let mut names = Vec::new();
    for (i, item) in value.try_iter().map_err(|_| wrong())?.enumerate() {
        let item = item?;
        let name = item.cast::<PyString>().map_err(|_| {
            argument_type_error(py, format!("plain_columns[{i}] is {}, not str", type_name(&item)))
        })?;
        names.push(name.to_cow()?.into_owned());
    }
    Ok(Some(names))
}

/// The options every parse takes (those a call does not take are `None`).
#[derive(Default)]
struct OptionArgs<'a, 'py> {
    on_error: Option<&'a Bound<'py, PyAny>>,
    threads: Option<&'a Bound<'py, PyAny>>,
    progress: Option<&'a Bound<'py, PyAny>>,
    unescape: Option<&'a Bound<'py, PyAny>>,
    strict_utf8: Option<&'a Bound<'py, PyAny>>,
    plain_columns: Option<&'a Bound<'py, PyAny>>,
    year: Option<&'a Bound<'py, PyAny>>,
    reference_time: Option<&'a Bound<'py, PyAny>>,
    octet_counted: Option<&'a Bound<'py, PyAny>>,
    flatten: Option<&'a Bound<'py, PyAny>>,
}

impl OptionArgs<'_, '_> {
    /// The options, checked by core as well (`year` and `reference_time` both given, a year out
    /// of range): every bad option raises before any input is read.
    fn parse(&self, py: Python<'_>) -> PyResult<ParseOptions> {
        let options = ParseOptions {
            on_error: on_error_arg(py, self.on_error)?,
            threads: threads_arg(py, self.threads)?,
            unescape: flag(py, self.unescape, "unescape")?,
            strict_utf8: flag(py, self.strict_utf8, "strict_utf8")?,
            plain_columns: plain_columns_arg(py, self.plain_columns)?,
            progress: flag(py, self.progress, "progress")?.then(progress_bar),
            year: year_arg(py, self.year)?,
            reference_time: reference_time_arg(py, self.reference_time)?,
            octet_counted: flag(py, self.octet_counted, "octet_counted")?,
            flatten: flag(py, self.flatten, "flatten")?,
        };
        options.validate().or_raise(py)?;
        Ok(options)
    }
}

/// `year=`: an int (core checks the range; one that does not fit an `i32` is out of it too).
fn year_arg(py: Python<'_>, year: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i32>> {
    let Some(year) = year.filter(|y| !y.is_none()) else { return Ok(None) };
    let year = int_arg(py, year, "year")?;
    i32::try_from(year)
        .map(Some)
        .map_err(|_| to_py_err(py, &Error::invalid_argument(format!("year = {year}: expected 1 to 9999"))))
}

/// `reference_time=` as microseconds since the epoch, UTC: an aware `datetime` at its instant, a
/// naive one read as UTC, and a `date` as the last microsecond of that day (UTC), so that every
/// line logged on that date still falls on or before it.
fn reference_time_arg(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    // `datetime` is a subclass of `date`: test it first.
    let instant = if value.is_instance(&datetime.getattr("datetime")?)? {
        // Naive as Python defines it: no tzinfo, or one that gives no offset.
        if value.call_method0("utcoffset")?.is_none() {
            value.call_method("replace", (), Some(&[("tzinfo", &utc)].into_py_dict(py)?))?
        } else {
            value.clone()
        }
    } else if value.is_instance(&datetime.getattr("date")?)? {
        let end_of_day = datetime.getattr("time")?.call1((23, 59, 59, 999_999, &utc))?;
        datetime.getattr("datetime")?.call_method1("combine", (value, end_of_day))?
    } else {
        return Err(argument_type_error(
            py,
            format!("reference_time must be a datetime.datetime or datetime.date, not {}", type_name(value)),
        ));
    };
    let epoch = datetime.getattr("datetime")?.call1((1970, 1, 1, 0, 0, 0, 0, &utc))?;
    let delta = instant.call_method1("__sub__", (epoch,))?;
    let days: i64 = delta.getattr("days")?.extract()?;
    let seconds: i64 = delta.getattr("seconds")?.extract()?;
    let micros: i64 = delta.getattr("microseconds")?.extract()?;
    // |days| < 3.7 million for any datetime: no overflow.
    Ok(Some(days * 86_400_000_000 + seconds * 1_000_000 + micros))
}

/// A path: `str`, `bytes` or `os.PathLike` (`os.fsdecode` gives the file system's own bytes back
/// through surrogate escapes, which the conversion to a `PathBuf` undoes).
fn path_arg(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    let decoded = py.import("os")?.call_method1("fsdecode", (path,)).map_err(|_| {
        argument_type_error(py, format!("path must be str, bytes or os.PathLike, not {}", type_name(path)))
    })?;
    decoded.extract::<PathBuf>().map_err(|_| {
        argument_type_error(py, format!("path must be str, bytes or os.PathLike, not {}", type_name(path)))
    })
}

/// Runs `work` on the bytes of a bytes-like argument (`bytes`, `bytearray`, `memoryview`, a NumPy
/// array, `mmap`, any C-contiguous buffer), read in place, with the GIL released unless the input
/// is small. The buffer stays exported (so neither freed nor resized) for the whole call; as with
/// NumPy, other threads must not write to it meanwhile.
fn with_buffer<T: Send>(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    what: &str,
    work: impl FnOnce(&[u8]) -> Result<T> + Send,
) -> PyResult<T> {
    // About one line per 64 bytes: what the GIL is worth releasing for.
    const BYTES_PER_VALUE: usize = 64;
    if let Ok(bytes) = data.cast::<PyBytes>() {
        let bytes = bytes.as_bytes();
        return detached_batch(py, bytes.len() / BYTES_PER_VALUE, || work(bytes));
    }
    if data.is_instance_of::<PyString>() {
        return Err(argument_type_error(
            py,
            format!("{what} must be bytes-like (bytes, bytearray, memoryview...), not str: encode it first"),
        ));
    }
    let buffer = PyUntypedBuffer::get(data).map_err(|_| {
        argument_type_error(
            py,
            format!("{what} must be bytes-like (bytes, bytearray, memoryview...), not {}", type_name(data)),
        )
    })?;
    if !buffer.is_c_contiguous() {
        return Err(to_py_err(py, &Error::invalid_argument(format!("{what} must be a contiguous buffer"))));
    }
    let bytes: &[u8] = if buffer.len_bytes() == 0 {
        &[]
    } else {
        // SAFETY: a C-contiguous buffer of `len_bytes` bytes at `buf_ptr`, which stays allocated
        // (and cannot be resized) while `buffer`, the export, lives: it outlives the slice. Writes
        // from other threads while the GIL is released are the caller's contract (documented).
        unsafe { std::slice::from_raw_parts(buffer.buf_ptr().cast::<u8>(), buffer.len_bytes()) }
    };
    detached_batch(py, bytes.len() / BYTES_PER_VALUE, || work(bytes))
}

fn table_object(py: Python<'_>, table: core::LogTable) -> PyResult<Py<LogTable>> {
    Py::new(py, LogTable::new(table))
}

fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| Error::internal("a previous call on this object panicked; create a new one"))
}

// ------------------------------------------------------------------------------- functions

/// Parses a log file into a ``LogTable`` (one row per non-empty line).
///
/// ``path``: ``str``, ``bytes`` or ``os.PathLike``. Files are read in blocks and parsed in
/// parallel over ``threads`` threads (``None`` or 0: all cores; the result is the same for every
/// value); gzip files (detected by their magic bytes, whatever their name) are inflated as they are read.
/// ``format``: a preset name (``"combined"``, ``"common"``/``"clf"``, ``"vhost_combined"``,
/// ``"syslog_rfc3164"``, ``"syslog_rfc5424"``, ``"apache_error"``, ``"nginx_error"``,
/// ``"logfmt"``, ``"jsonl"``: see ``PRESETS``) or a ``LogFormat``. ``on_error``: ``"row"`` keeps
/// a bad line as a row with its ``error`` and ``error_offset`` set, ``"skip"`` drops it (it
/// counts in ``stats["skipped"]`` and stays in ``errors``), ``"raise"`` raises ``ParseError`` at
/// the first one. ``progress=True`` draws a progress bar on stderr. ``unescape`` undoes ``\"``,
/// ``\\`` and ``\xNN`` in string fields; ``strict_utf8`` makes lines that are not UTF-8 error
/// rows (``INVALID_UTF8``); otherwise they parse, and the strings are decoded lossily (raw bytes
/// stay available). ``plain_columns``: the string columns to store as plain strings instead of
/// dictionary codes (default: ``request`` and ``path``). Releases the GIL while parsing. The
/// file is read a block at a time (not memory-mapped: a file truncated meanwhile cannot crash
/// the process); the table holds every row, ``iter_batches`` reads any size in bounded memory.
///
/// System-log options (each raises ``InvalidArgumentError`` with a format it does not apply to,
/// except the two year options, which other formats ignore):
///
/// - ``year``: the year of every ``syslog_rfc3164`` timestamp (1 to 9999; that format logs
///   none).
/// - ``reference_time``: a ``datetime`` (naive = UTC) or a ``date`` (the end of that day, UTC);
///   each ``syslog_rfc3164`` line takes the latest date not after it, so a log running from
///   December into January gets two years. Neither given: the time the parse starts. Both
///   given: ``InvalidArgumentError``.
/// - ``octet_counted``: ``syslog_rfc5424`` framed by RFC 6587 octet counting (``LEN SP MSG``,
///   messages may hold newlines); parsed on one thread. A bad length prefix is a ``BAD_FRAME``
///   row.
/// - ``flatten``: ``jsonl`` nested objects become dotted columns (``user.id``) instead of one
///   column of JSON text.
///
/// Raises ``FerruleIOError`` (an ``OSError``) for a missing file or a directory,
/// ``CorruptDataError`` for truncated or damaged gzip data, ``InvalidArgumentError`` for a bad
/// option and ``ParseError`` with ``on_error="raise"``.
#[pyfunction]
#[pyo3(
    signature = (path, format = None, *, on_error = None, threads = None, progress = None, unescape = None, strict_utf8 = None, plain_columns = None, year = None, reference_time = None, octet_counted = None, flatten = None),
    text_signature = "(path, format='combined', *, on_error='row', threads=None, progress=False, unescape=False, strict_utf8=False, plain_columns=None, year=None, reference_time=None, octet_counted=False, flatten=False)"
)]
#[allow(clippy::too_many_arguments)] // the keyword arguments of a Python function
fn parse_file(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    format: Option<&Bound<'_, PyAny>>,
    on_error: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
    unescape: Option<&Bound<'_, PyAny>>,
    strict_utf8: Option<&Bound<'_, PyAny>>,
    plain_columns: Option<&Bound<'_, PyAny>>,
    year: Option<&Bound<'_, PyAny>>,
    reference_time: Option<&Bound<'_, PyAny>>,
    octet_counted: Option<&Bound<'_, PyAny>>,
    flatten: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<LogTable>> {
    guarded(py, || {
        let path = path_arg(py, path)?;
        let format = format_arg(py, format)?;
        let options = OptionArgs {
            on_error,
            threads,
            progress,
            unescape,
            strict_utf8,
            plain_columns,
            year,
            reference_time,
            octet_counted,
            flatten,
        }
        .parse(py)?;
        let table = detached(py, || core::parse_file(&path, &format, &options))?;
        table_object(py, table)
    })
}

/// Parses log lines held in memory into a ``LogTable``.
///
/// ``data``: ``bytes``, ``bytearray``, ``memoryview`` or any C-contiguous buffer, read in place
/// (not copied), with the GIL released; do not write to it from another thread meanwhile. Lines
/// end at ``\n`` (a ``\r`` before it is dropped); the last one may lack it. The other arguments
/// are those of ``parse_file``; large inputs are parsed in parallel over ``threads`` threads.
#[pyfunction]
#[pyo3(
    signature = (data, format = None, *, on_error = None, threads = None, progress = None, unescape = None, strict_utf8 = None, plain_columns = None, year = None, reference_time = None, octet_counted = None, flatten = None),
    text_signature = "(data, format='combined', *, on_error='row', threads=None, progress=False, unescape=False, strict_utf8=False, plain_columns=None, year=None, reference_time=None, octet_counted=False, flatten=False)"
)]
#[allow(clippy::too_many_arguments)] // the keyword arguments of a Python function
fn parse_bytes(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    format: Option<&Bound<'_, PyAny>>,
    on_error: Option<&Bound<'_, PyAny>>,
    threads: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
    unescape: Option<&Bound<'_, PyAny>>,
    strict_utf8: Option<&Bound<'_, PyAny>>,
    plain_columns: Option<&Bound<'_, PyAny>>,
    year: Option<&Bound<'_, PyAny>>,
    reference_time: Option<&Bound<'_, PyAny>>,
    octet_counted: Option<&Bound<'_, PyAny>>,
    flatten: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<LogTable>> {
    guarded(py, || {
        let format = format_arg(py, format)?;
        let options = OptionArgs {
            on_error,
            threads,
            progress,
            unescape,
            strict_utf8,
            plain_columns,
            year,
            reference_time,
            octet_counted,
            flatten,
        }
        .parse(py)?;
        let table = with_buffer(py, data, "data", |bytes| core::parse_bytes(bytes, &format, &options))?;
        table_object(py, table)
    })
}

/// Reads a log file in ``LogTable`` batches of at most ``batch_rows`` rows, in bounded memory
/// (one batch, a read buffer and the dictionaries), whatever the file's size; gzip files are
/// inflated as they are read.
///
/// Dictionary codes are stable across the batches of one call: a code means the same string in
/// every batch, and each batch's ``dictionary(name)`` holds at least the values its codes use
/// (later batches' dictionaries extend earlier ones). ``line`` numbers and ``errors`` run on
/// across batches; each batch's ``stats`` count its own lines. The file is opened at once (a
/// missing file raises here); parsing happens as the iterator is advanced, with the GIL
/// released. A ``ParseError`` (``on_error="raise"``) or ``CorruptDataError`` raised by ``next()``
/// ends the iteration. Other arguments as in ``parse_file``.
#[pyfunction]
#[pyo3(
    signature = (path, format = None, *, batch_rows = None, on_error = None, progress = None, unescape = None, strict_utf8 = None, plain_columns = None, year = None, reference_time = None, octet_counted = None, flatten = None),
    text_signature = "(path, format='combined', *, batch_rows=65536, on_error='row', progress=False, unescape=False, strict_utf8=False, plain_columns=None, year=None, reference_time=None, octet_counted=False, flatten=False)"
)]
#[allow(clippy::too_many_arguments)] // the keyword arguments of a Python function
fn iter_batches(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    format: Option<&Bound<'_, PyAny>>,
    batch_rows: Option<&Bound<'_, PyAny>>,
    on_error: Option<&Bound<'_, PyAny>>,
    progress: Option<&Bound<'_, PyAny>>,
    unescape: Option<&Bound<'_, PyAny>>,
    strict_utf8: Option<&Bound<'_, PyAny>>,
    plain_columns: Option<&Bound<'_, PyAny>>,
    year: Option<&Bound<'_, PyAny>>,
    reference_time: Option<&Bound<'_, PyAny>>,
    octet_counted: Option<&Bound<'_, PyAny>>,
    flatten: Option<&Bound<'_, PyAny>>,
) -> PyResult<BatchIterator> {
    guarded(py, || {
        let path = path_arg(py, path)?;
        let format = format_arg(py, format)?;
        let batch_rows = match batch_rows.filter(|b| !b.is_none()) {
            None => DEFAULT_BATCH_ROWS,
            Some(value) => {
                let n = int_arg(py, value, "batch_rows")?;
                usize::try_from(n).map_err(|_| {
                    to_py_err(py, &Error::invalid_argument(format!("batch_rows = {n}: must be at least 1")))
                })?
            }
        };
        let options = OptionArgs {
            on_error,
            progress,
            unescape,
            strict_utf8,
            plain_columns,
            year,
            reference_time,
            octet_counted,
            flatten,
            ..OptionArgs::default()
        }
        .parse(py)?;
        let reader = detached(py, || BatchReader::open(&path, &format, &options, batch_rows))?;
        Ok(BatchIterator { reader: Mutex::new(Some(reader)) })
    })
}

/// Parses RFC 5424 STRUCTURED-DATA text, such as a ``syslog_rfc5424`` table's
/// ``structured_data`` value: ``[id name="value" ...][id2 ...]``.
///
/// ``text``: ``str``, or any bytes-like object (UTF-8). Returns ``[(id, [(name, value), ...]),
/// ...]`` in order, with the ``\"``, ``\\`` and ``\]`` escapes of the values undone;
/// ``"-"`` (no structured data) gives ``[]``. Text that is not structured data raises
/// ``ParseError``.
///
/// >>> parse_structured_data('[exampleSDID@32473 iut="3" eventSource="Application"][x@1]')
/// [('exampleSDID@32473', [('iut', '3'), ('eventSource', 'Application')]), ('x@1', [])]
#[pyfunction]
fn parse_structured_data<'py>(py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    guarded(py, || {
        let elements = match text.cast::<PyString>() {
            Ok(text) => {
                // Lone surrogates become U+FFFD, as Node's strings do.
                let text = text.to_string_lossy();
                core::parse_structured_data(text.as_bytes()).or_raise(py)?
            }
            Err(_) => with_buffer(py, text, "text", core::parse_structured_data)?,
        };
        let items = elements
            .into_iter()
            .map(|element| {
                let params = PyList::new(py, element.params)?;
                PyTuple::new(py, [PyString::new(py, &element.id).into_any(), params.into_any()])
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    })
}

/// `iter_batches`'s default `batch_rows`.
const DEFAULT_BATCH_ROWS: usize = 65536;

// ------------------------------------------------------------------------------- classes

/// A compiled log format: build it once, parse any number of inputs with it.
///
/// Made by ``LogFormat.preset(name)``, ``LogFormat.nginx(spec)`` (an nginx ``log_format``
/// string), ``LogFormat.apache(spec)`` (an Apache ``LogFormat`` string) or
/// ``LogFormat.template(spec)`` (a LogPAI header template). Every ``format=`` argument takes one
/// (or a preset name). Formats compare equal when their kind and spec do; they pickle.
#[pyclass(module = "ferrule.logs", frozen)]
pub struct LogFormat {
    format: Arc<core::LogFormat>,
}

impl LogFormat {
    fn compile(py: Python<'_>, spec: &Bound<'_, PyAny>, kind: FormatKind) -> PyResult<LogFormat> {
        let spec = spec.cast::<PyString>().map_err(|_| {
            argument_type_error(py, format!("the format spec must be a str, not {}", type_name(spec)))
        })?;
        let format = core::LogFormat::parse(&spec.to_cow()?, kind).or_raise(py)?;
        Ok(LogFormat { format: Arc::new(format) })
    }
}

#[pymethods]
impl LogFormat {
    /// A preset by name.
    ///
    /// Access logs: ``"combined"`` (Apache's and nginx's default), ``"common"`` (CLF; alias
    /// ``"clf"``) and ``"vhost_combined"``; they accept an extra leading ``host:port`` token
    /// (stored in ``vhost``) and extra trailing fields (nginx ``main``'s
    /// ``"$http_x_forwarded_for"``). System logs: ``"syslog_rfc3164"`` (BSD syslog; the year
    /// comes from ``year=`` or ``reference_time=``), ``"syslog_rfc5424"`` (``octet_counted=True``
    /// for RFC 6587 framing), ``"apache_error"`` and ``"nginx_error"``. ``"logfmt"`` and
    /// ``"jsonl"`` have a column per key found in the data (first-seen order, between ``line``
    /// and ``error``; ``schema`` cannot list them). An unknown name raises
    /// ``InvalidArgumentError``.
    #[classmethod]
    fn preset(_class: &Bound<'_, PyType>, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<LogFormat> {
        guarded(py, || LogFormat::compile(py, name, FormatKind::Preset))
    }

    /// Compiles an nginx ``log_format`` string, e.g.
    /// ``'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent'``.
    ///
    /// It may be written as in ``nginx.conf`` (single-quoted parts, after ``log_format NAME``,
    /// before ``;``). ``$request_time`` is a float column; ``$upstream_response_time`` (and the
    /// other upstream times) too, the sum of a list such as ``0.001, 0.002 : 0.003``; ``$msec``
    /// and ``$time_iso8601`` fill ``timestamp``. Unknown variables become string columns. A bad
    /// string (no variables, two variables with nothing between them) raises ``ParseError``.
    #[classmethod]
    fn nginx(_class: &Bound<'_, PyType>, py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<LogFormat> {
        guarded(py, || LogFormat::compile(py, spec, FormatKind::Nginx))
    }

    /// Compiles an Apache ``LogFormat`` string, e.g.
    /// ``'%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D'``.
    ///
    /// ``\"`` and ``%%`` are unescaped as Apache does. ``%D`` is ``duration_us`` and ``%T``
    /// ``duration_s`` (floats); ``%{Header}i`` a string column named after the header. A bad
    /// string (an unknown directive, two directives with nothing between them) raises
    /// ``ParseError``.
    #[classmethod]
    fn apache(_class: &Bound<'_, PyType>, py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<LogFormat> {
        guarded(py, || LogFormat::compile(py, spec, FormatKind::Apache))
    }

    /// Compiles a LogPAI-style header template, e.g.
    /// ``'<Date> <Time> <Level> <Component>([<PID>])?: <Content>'``.
    ///
    /// ``<Name>`` is a field (a column named exactly ``Name``; ``line``, ``error`` and
    /// ``error_offset`` are taken); ``<Name:int>`` and ``<Name:float>`` are int64 and float64
    /// columns. Other text must appear as written, except that a run of spaces matches any run
    /// of whitespace; ``(...)?`` is an optional group (its fields are null when it is skipped)
    /// and ``\`` makes the next character literal (``\<``, ``\(``, ``\?``, ``\\``). Lines are
    /// matched as LogPAI matches them (stripped; each field the shortest text that lets the rest
    /// match), so the columns reproduce LogPAI's structured output. Text fields are dictionary
    /// columns, except the last field (the message), which is a plain string column. A line
    /// that does not match is an ``UNEXPECTED_TEXT`` row (``BAD_NUMBER`` for an int or float
    /// field that is not one); a bad template raises ``ParseError``.
    #[classmethod]
    fn template(_class: &Bound<'_, PyType>, py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<LogFormat> {
        guarded(py, || LogFormat::compile(py, spec, FormatKind::Template))
    }

    /// ``"preset"``, ``"nginx"``, ``"apache"`` or ``"template"``.
    #[getter]
    fn kind(&self, py: Python<'_>) -> PyResult<&'static str> {
        guarded(py, || Ok(self.format.kind().as_str()))
    }

    /// The preset name or the format string, as given.
    #[getter]
    fn spec(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(self.format.spec().to_owned()))
    }

    /// The names of the columns a parse gives, in order: ``line``, the format's fields,
    /// ``error``, ``error_offset`` (for ``logfmt`` and ``jsonl``, whose columns come from the
    /// data, only ``line``, ``error`` and ``error_offset``).
    #[getter]
    fn column_names(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guarded(py, || Ok(self.format.column_names().into_iter().map(str::to_owned).collect()))
    }

    /// ``[(name, type)]`` for each column, in order. Types: ``"uint64"``, ``"uint16"``,
    /// ``"int16"``, ``"int64"``, ``"float64"``, ``"timestamp[us, UTC]"``, ``"string"`` and
    /// ``"dictionary"``. String columns are listed as ``"dictionary"`` or ``"string"`` (plain:
    /// ``request`` and ``path``, and the message of the system-log formats); ``plain_columns=``
    /// decides at parse time (``LogTable.schema`` says what a table holds). For ``logfmt`` and
    /// ``jsonl`` only ``line``, ``error`` and ``error_offset``: their other columns (``jsonl``'s
    /// may be ``"bool"``) come from the data.
    #[getter]
    fn schema(&self, py: Python<'_>) -> PyResult<Vec<(String, &'static str)>> {
        guarded(py, || {
            Ok(self.format.schema().iter().map(|column| (column.name.clone(), column.ty.as_str())).collect())
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<LogFormat>().is_ok_and(|other| {
            let other = &other.get().format;
            other.kind() == self.format.kind() && other.spec() == self.format.spec()
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.format.kind().as_str(), self.format.spec()).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || {
            let spec = PyString::new(py, self.format.spec()).repr()?;
            Ok(format!("LogFormat.{}({spec})", self.format.kind().as_str()))
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let py = slf.py();
        guarded(py, || {
            let format = &slf.get().format;
            Ok((slf.get_type().getattr(format.kind().as_str())?, (format.spec().to_owned(),)))
        })
    }
}

/// The iterator ``iter_batches`` returns: each ``next()`` parses up to ``batch_rows`` more rows
/// with the GIL released. ``close()`` (or the end of the file) closes the file.
#[pyclass(module = "ferrule.logs", frozen)]
pub struct BatchIterator {
    /// `None` once closed. A mutex because the reader is `Send` but not `Sync`.
    reader: Mutex<Option<BatchReader>>,
}

#[pymethods]
impl BatchIterator {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<LogTable>>> {
        guarded(py, || {
            let reader = &self.reader;
            let batch = detached(py, || {
                let mut reader = lock(reader)?;
                let next = match reader.as_mut() {
                    None => None,
                    Some(open) => open.next().transpose()?,
                };
                if next.is_none() {
                    // The end (or a failure, which ends the iteration too): close the file.
                    *reader = None;
                }
                Ok(next)
            });
            match batch {
                Ok(Some(table)) => Ok(Some(table_object(py, table)?)),
                Ok(None) => Ok(None),
                Err(err) => {
                    if let Ok(mut reader) = self.reader.lock() {
                        *reader = None;
                    }
                    Err(err)
                }
            }
        })
    }

    /// Closes the file; the iteration ends. Closing twice is harmless.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guarded(py, || {
            let reader = &self.reader;
            detached(py, || {
                lock(reader)?.take();
                Ok(())
            })
        })
    }
}

/// Parses a log stream fed in chunks of any size (a line split across chunks is joined).
///
/// ``push(chunk)`` parses every line the chunk completes; ``take_batch()`` hands out the rows
/// parsed so far; ``finish()`` parses a last line without ``\n`` and hands out the rest, after
/// which the parser accepts nothing (``InvalidArgumentError``). Dictionary codes and ``line``
/// numbers run on across batches. Options as in ``parse_file``; with ``on_error="raise"``,
/// ``push`` raises ``ParseError`` at the first bad line (and so does every later ``push``).
/// With ``octet_counted=True`` the records are RFC 6587 frames, which may be split anywhere
/// too. Without ``year`` or ``reference_time``, ``syslog_rfc3164`` dates are resolved against
/// the time the parser was made. ``logfmt`` and ``jsonl`` batches keep the columns of the keys
/// seen so far (null where a batch lacks them), and ``jsonl`` types each batch's columns from
/// its own values (``int64`` in one batch may be ``float64`` or strings in the next; all null:
/// ``dictionary``). Safe to share between threads (calls are serialized).
#[pyclass(module = "ferrule.logs", frozen)]
pub struct StreamParser {
    parser: Mutex<core::StreamParser>,
}

#[pymethods]
impl StreamParser {
    #[new]
    #[pyo3(
        signature = (format = None, *, on_error = None, unescape = None, strict_utf8 = None, plain_columns = None, year = None, reference_time = None, octet_counted = None, flatten = None),
        text_signature = "(format='combined', *, on_error='row', unescape=False, strict_utf8=False, plain_columns=None, year=None, reference_time=None, octet_counted=False, flatten=False)"
    )]
    #[allow(clippy::too_many_arguments)] // the keyword arguments of a Python constructor
    fn new(
        py: Python<'_>,
        format: Option<&Bound<'_, PyAny>>,
        on_error: Option<&Bound<'_, PyAny>>,
        unescape: Option<&Bound<'_, PyAny>>,
        strict_utf8: Option<&Bound<'_, PyAny>>,
        plain_columns: Option<&Bound<'_, PyAny>>,
        year: Option<&Bound<'_, PyAny>>,
        reference_time: Option<&Bound<'_, PyAny>>,
        octet_counted: Option<&Bound<'_, PyAny>>,
        flatten: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guarded(py, || {
            let format = format_arg(py, format)?;
            let options = OptionArgs {
                on_error,
                unescape,
                strict_utf8,
                plain_columns,
                year,
                reference_time,
                octet_counted,
                flatten,
                ..OptionArgs::default()
            }
            .parse(py)?;
            let parser = core::StreamParser::new(&format, &options).or_raise(py)?;
            Ok(StreamParser { parser: Mutex::new(parser) })
        })
    }

    /// Parses the lines ``chunk`` (any bytes-like object, read in place) completes, with what
    /// earlier chunks left pending; keeps the start of an unfinished last line.
    fn push(&self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<()> {
        guarded(py, || {
            let parser = &self.parser;
            with_buffer(py, chunk, "chunk", |bytes| lock(parser)?.push(bytes))
        })
    }

    /// The rows parsed so far (of complete lines), with the ``errors`` and ``stats`` since the
    /// last batch; the parser goes on.
    fn take_batch(&self, py: Python<'_>) -> PyResult<Py<LogTable>> {
        guarded(py, || {
            let parser = &self.parser;
            let table = detached(py, || Ok(lock(parser)?.take_batch()))?;
            table_object(py, table)
        })
    }

    /// Parses what is pending as the last line and returns the rows not handed out yet.
    fn finish(&self, py: Python<'_>) -> PyResult<Py<LogTable>> {
        guarded(py, || {
            let parser = &self.parser;
            let table = detached(py, || lock(parser)?.finish())?;
            table_object(py, table)
        })
    }

    /// Rows parsed and not handed out yet.
    #[getter]
    fn rows_buffered(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(lock(&self.parser).or_raise(py)?.rows_buffered()))
    }

    /// Bytes of an unfinished last line, waiting for its end.
    #[getter]
    fn pending_bytes(&self, py: Python<'_>) -> PyResult<usize> {
        guarded(py, || Ok(lock(&self.parser).or_raise(py)?.pending_bytes()))
    }

    /// Complete lines seen so far.
    #[getter]
    fn lines(&self, py: Python<'_>) -> PyResult<u64> {
        guarded(py, || Ok(lock(&self.parser).or_raise(py)?.lines()))
    }

    /// Whether ``finish()`` was called.
    #[getter]
    fn finished(&self, py: Python<'_>) -> PyResult<bool> {
        guarded(py, || Ok(lock(&self.parser).or_raise(py)?.is_finished()))
    }
}

/// The module `ferrule._ferrule._logs`, whose public face is `ferrule.logs` (with the stubs).
pub fn register(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = parent.py();
    // Named `ferrule.logs` for the functions' `__module__` (see `vector::register`).
    let module = PyModule::new(py, "ferrule.logs")?;
    module.add_function(wrap_pyfunction!(parse_file, &module)?)?;
    module.add_function(wrap_pyfunction!(parse_bytes, &module)?)?;
    module.add_function(wrap_pyfunction!(iter_batches, &module)?)?;
    module.add_function(wrap_pyfunction!(parse_structured_data, &module)?)?;
    module.add_class::<LogFormat>()?;
    module.add_class::<LogTable>()?;
    module.add_class::<LogError>()?;
    module.add_class::<StreamParser>()?;
    module.add_class::<BatchIterator>()?;
    module.add("PRESETS", PyTuple::new(py, PRESETS)?)?;
    // An attribute, not `add_submodule` (see `vector::register`).
    parent.setattr("_logs", module)
}
