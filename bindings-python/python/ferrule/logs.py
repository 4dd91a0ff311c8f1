"""Logs into typed columns, one row per line: access logs (Apache/nginx ``combined`` and
``common`` (CLF), custom nginx ``log_format`` and Apache ``LogFormat`` strings), system logs
(syslog RFC 3164 and RFC 5424, Apache and nginx error logs), logfmt, JSON lines, and LogPAI
header templates.

>>> from ferrule import logs
>>> data = (b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl"\\n'
...         b'1.2.3.4 - - [10/Oct/2000:13:55:37 -0700] "GET /b HTTP/1.0" 404 - "-" "curl\\n')
>>> table = logs.parse_bytes(data)
>>> table.num_rows, table.stats["ok"], table.stats["errors"]
(2, 1, 1)
>>> table.column("status").tolist()
[200, 404]
>>> table.validity("bytes").tolist()  # `-` is null
[True, False]
>>> codes = table.column("method")
>>> [table.dictionary("method")[c] for c in codes]
['GET', 'GET']
>>> table.errors[0].code, table.errors[0].line
('UNTERMINATED_QUOTE', 2)
>>> fmt = logs.LogFormat.nginx('$remote_addr [$time_local] "$request" $status $request_time')
>>> logs.parse_bytes(b'::1 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 0.004', fmt).column(
...     "request_time").tolist()
[0.004]
>>> syslog = logs.parse_bytes(b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed", "syslog_rfc3164",
...                           year=2024)
>>> str(syslog.column("timestamp")[0]), syslog.column("severity").tolist()
('2024-10-11T22:14:15.000000', [2])
>>> events = logs.parse_bytes(b'{"ok": true, "ms": 3}\\n{"ok": false, "ms": 4.5}', "jsonl")
>>> events.column_names, events.column("ok").tolist(), events.column("ms").tolist()
(['line', 'ok', 'ms', 'error', 'error_offset'], [True, False], [3.0, 4.5])

Functions
    ``parse_file(path, format)`` (read in blocks, parallel; gzip detected by magic bytes),
    ``parse_bytes(data, format)`` (any bytes-like object, read in place), ``iter_batches(path,
    format, batch_rows=...)`` (bounded memory for files of any size) and ``StreamParser`` (fed
    chunks of any size). ``format`` is a preset name (``PRESETS``: ``"combined"``,
    ``"common"``/``"clf"``, ``"vhost_combined"``, ``"syslog_rfc3164"``, ``"syslog_rfc5424"``,
    ``"apache_error"``, ``"nginx_error"``, ``"logfmt"``, ``"jsonl"``) or a ``LogFormat``
    (``LogFormat.nginx``, ``.apache`` or ``.template``). Every parse releases the GIL.
    ``parse_structured_data(text)`` splits RFC 5424 structured data into its elements.

System logs
    ``syslog_rfc3164`` timestamps have no year: ``year=`` gives it, or ``reference_time=`` (a
    ``datetime``, naive = UTC, or a ``date``, meaning the end of that day) picks for each line
    the latest date not after it, so a log from December into January gets both years; neither
    given, the reference is the time the parse starts. ``octet_counted=True`` reads
    ``syslog_rfc5424`` framed by RFC 6587 octet counting. ``logfmt`` and ``jsonl`` tables have a
    column per key seen (first-seen order; a key named like an existing column gets ``_2``);
    ``jsonl`` columns are typed from the values (int64, float64, bool, else strings; nested
    values as JSON text, or dotted columns with ``flatten=True``).

Columns
    ``line`` (uint64, 1-based), the format's fields, ``error`` and ``error_offset``. Timestamps are
    microseconds since the epoch, UTC (``datetime64[us]``), with the logged zone kept in
    ``tz_offset`` (minutes); ``status`` is uint16, byte counts uint64, durations float64. Strings
    are dictionary-encoded (uint32 codes + ``dictionary(name)``) except ``request``, ``path`` and
    the message of system logs (``plain_columns=`` changes that). ``-`` (or a missing key) is null
    (``validity(name)``). Bool columns are NumPy ``bool`` arrays over the table's memory.

Errors
    A line that does not parse becomes a row with its ``error`` code (``UNTERMINATED_QUOTE``,
    ``TOO_FEW_FIELDS``, ``UNEXPECTED_TEXT``, ``BAD_TIMESTAMP``, ``BAD_STATUS``, ``BAD_NUMBER``,
    ``INVALID_UTF8``, ``INVALID_JSON``, ``BAD_FRAME``) and ``error_offset``, keeping the fields parsed before the failure
    (``on_error="row"``); ``"skip"`` drops it; ``"raise"`` raises ``ferrule.ParseError`` (with
    ``reason``, ``line`` and ``offset``). ``stats`` always has ``lines == ok + errors + skipped``.

Arrow
    ``LogTable.to_arrow()``, ``to_pandas()``, ``to_polars()`` and the Arrow PyCapsule stream
    interface (``pyarrow.table(t)``, ``polars.DataFrame(t)``, DuckDB) share the table's memory.
    pyarrow, pandas and polars are optional: imported only by the methods that need them.
"""

from __future__ import annotations

from typing import TypedDict

from ferrule._ferrule import _logs as _native

__all__ = [
    "parse_file",
    "parse_bytes",
    "iter_batches",
    "StreamParser",
    "LogFormat",
    "LogTable",
    "LogError",
    "LogStats",
    "BatchIterator",
    "PRESETS",
    "parse_structured_data",
]


class LogStats(TypedDict):
    """What :attr:`LogTable.stats` holds. Always ``lines == ok + errors + skipped``."""

    #: Lines read, empty ones included.
    lines: int
    #: Rows parsed without error.
    ok: int
    #: Rows kept with an error code (0 with ``on_error="skip"``).
    errors: int
    #: Lines not in the table: empty ones, and failed ones with ``on_error="skip"``.
    skipped: int
    #: Empty lines (counted in ``skipped``).
    empty: int
    #: Bytes of input read.
    bytes: int
    #: Wall-clock seconds spent parsing.
    seconds: float


parse_file = _native.parse_file
parse_bytes = _native.parse_bytes
iter_batches = _native.iter_batches
StreamParser = _native.StreamParser
LogFormat = _native.LogFormat
LogTable = _native.LogTable
LogError = _native.LogError
BatchIterator = _native.BatchIterator
parse_structured_data = _native.parse_structured_data
#: The preset names ``format=`` accepts (``"clf"`` is also ``"common"``).
PRESETS: tuple[str, ...] = _native.PRESETS
