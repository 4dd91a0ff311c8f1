"""Type stubs of ``ferrule.logs`` (native classes and functions; checked by ``mypy.stubtest``).

The docstrings of the native objects themselves (``help()`` shows them) are the full ones; the
ones here are summaries.
"""

import datetime
import os
from collections.abc import Iterable, Iterator
from typing import Any, Literal, TypeAlias, TypedDict, final, overload

import numpy as np
import numpy.typing as npt
from typing_extensions import Buffer, Self

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

# The preset names (``PRESETS``, and the alias "clf"). `| str` below keeps a name held in a `str`
# variable valid; the literals document the names and give editors their completions.
_Preset: TypeAlias = Literal[
    "combined",
    "common",
    "clf",
    "vhost_combined",
    "syslog_rfc3164",
    "syslog_rfc5424",
    "apache_error",
    "nginx_error",
    "logfmt",
    "jsonl",
]
# A format: a preset name or a compiled LogFormat.
_Format: TypeAlias = _Preset | str | LogFormat
_OnError: TypeAlias = Literal["row", "skip", "raise"]
_Path: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]
# Bytes read in place: any buffer (bytes, bytearray, memoryview, mmap...) or NumPy array.
_Data: TypeAlias = Buffer | npt.NDArray[Any]
# The type of a column, as `schema` lists it.
_ColumnType: TypeAlias = Literal[
    "uint64", "uint16", "int16", "int64", "float64", "bool", "timestamp[us, UTC]", "string", "dictionary"
]
_Kind: TypeAlias = Literal["preset", "nginx", "apache", "template"]
# `reference_time=`: a datetime (naive = UTC) or a date (the end of that day, UTC).
_ReferenceTime: TypeAlias = datetime.datetime | datetime.date
# What parse_structured_data returns: (SD-ID, [(PARAM-NAME, value), ...]) per element.
_SdElement: TypeAlias = tuple[str, list[tuple[str, str]]]

#: The preset names ``format=`` accepts (``"clf"`` is also ``"common"``).
PRESETS: tuple[str, ...]

class LogStats(TypedDict):
    """What ``LogTable.stats`` holds. Always ``lines == ok + errors + skipped``."""

    lines: int
    ok: int
    errors: int
    skipped: int
    empty: int
    bytes: int
    seconds: float

@final
class LogFormat:
    """A compiled log format: ``LogFormat.preset(name)``, ``.nginx(spec)``, ``.apache(spec)`` or
    ``.template(spec)``.

    Formats compare equal when their kind and spec do; they pickle.
    """

    @classmethod
    def preset(cls, name: _Preset | str) -> LogFormat:
        """A name of ``PRESETS`` (or ``"clf"``); else ``InvalidArgumentError``."""

    @classmethod
    def nginx(cls, spec: str) -> LogFormat:
        """Compiles an nginx ``log_format`` string (``ParseError`` if it is malformed)."""

    @classmethod
    def apache(cls, spec: str) -> LogFormat:
        """Compiles an Apache ``LogFormat`` string (``ParseError`` if it is malformed)."""

    @classmethod
    def template(cls, spec: str) -> LogFormat:
        """Compiles a LogPAI header template such as
        ``"<Date> <Time> <Level> <Component>([<PID>])?: <Content>"`` (``<Name:int>``,
        ``<Name:float>`` typed); columns are named as the fields. ``ParseError`` if malformed."""

    @property
    def kind(self) -> _Kind:
        """``"preset"``, ``"nginx"``, ``"apache"`` or ``"template"``."""

    @property
    def spec(self) -> str:
        """The preset name or the format string, as given."""

    @property
    def column_names(self) -> list[str]:
        """``line``, the format's fields, ``error``, ``error_offset`` (``logfmt`` and ``jsonl``:
        their columns come from the data, so only ``line``, ``error`` and ``error_offset``)."""

    @property
    def schema(self) -> list[tuple[str, _ColumnType]]:
        """``[(name, type)]`` of each column (string columns as ``"dictionary"``, except
        ``request``, ``path`` and messages: ``plain_columns=`` decides at parse time)."""

    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class LogError:
    """A line that failed: ``line`` (1-based), ``code``, ``offset`` (byte in the line), ``text``
    (lossy ``str``) and ``raw`` (``bytes`` as logged)."""

    @property
    def line(self) -> int:
        """The 1-based line number in the whole input."""

    @property
    def code(self) -> str:
        """``"UNTERMINATED_QUOTE"``, ``"TOO_FEW_FIELDS"``, ``"UNEXPECTED_TEXT"``,
        ``"BAD_TIMESTAMP"``, ``"BAD_STATUS"``, ``"BAD_NUMBER"``, ``"INVALID_UTF8"``,
        ``"INVALID_JSON"`` or ``"BAD_FRAME"``."""

    @property
    def offset(self) -> int:
        """The byte in the line where parsing stopped."""

    @property
    def text(self) -> str:
        """The line, invalid UTF-8 replaced by U+FFFD."""

    @property
    def raw(self) -> bytes:
        """The line's bytes, without the line end."""

    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class LogTable:
    """Parsed log lines as typed columns: one row per non-empty line.

    ``column(name)`` gives read-only NumPy arrays over the table's memory; ``to_arrow()``,
    ``to_pandas()``, ``to_polars()`` and ``__arrow_c_stream__`` give Arrow data without copying.
    """

    @property
    def num_rows(self) -> int:
        """Rows (good and failed lines; not empty or skipped ones)."""

    @property
    def num_columns(self) -> int:
        """Columns."""

    def __len__(self) -> int: ...
    @property
    def column_names(self) -> list[str]:
        """The column names, in order."""

    @property
    def schema(self) -> list[tuple[str, _ColumnType]]:
        """``[(name, type)]`` of the columns as stored (``"string"`` = plain strings)."""

    def column(self, name: str, *, raw: bool = False) -> npt.NDArray[Any]:
        """Column ``name`` as a read-only NumPy array.

        uint64/uint16/int16/int64/float64 numbers, ``bool`` values, ``datetime64[us]`` (UTC)
        timestamps and the uint32 codes of dictionary columns share the table's memory; plain
        string columns are an
        object array of ``str`` (lossy; ``raw=True``: ``bytes``) with ``None`` for nulls. Null
        rows of other columns hold 0: see ``validity``.
        """

    def validity(self, name: str) -> npt.NDArray[np.bool_]:
        """``True`` where column ``name`` holds a value, ``False`` where it is null."""

    def null_count(self, name: str) -> int:
        """The number of null rows of column ``name``."""

    @overload
    def dictionary(self, name: str, *, raw: Literal[False] = False) -> list[str]:
        """The values of dictionary column ``name`` (code ``i`` is value ``i``): ``str`` (lossy),
        or ``bytes`` with ``raw=True``. ``InvalidArgumentError`` for other columns."""

    @overload
    def dictionary(self, name: str, *, raw: Literal[True]) -> list[bytes]: ...
    @overload
    def dictionary(self, name: str, *, raw: bool) -> list[str] | list[bytes]: ...

    @property
    def errors(self) -> list[LogError]:
        """The lines that failed, in order (also those dropped by ``on_error="skip"``)."""

    @property
    def stats(self) -> LogStats:
        """``lines``, ``ok``, ``errors``, ``skipped``, ``empty``, ``bytes``, ``seconds``."""

    @property
    def nbytes(self) -> int:
        """Heap bytes held by the columns."""

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` over the table's memory (dictionary columns as ``DictionaryArray``
        with uint32 indices, ``large_string`` plain strings, ``timestamp[us, tz=UTC]``; bool
        columns are copied into Arrow's bit-packed ``bool``). Needs pyarrow."""

    def to_pandas(self, **kwargs: Any) -> Any:
        """A ``pandas.DataFrame`` through ``to_arrow()`` (categoricals for dictionary columns);
        ``kwargs`` go to ``pyarrow.Table.to_pandas``. Needs pyarrow and pandas."""

    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` read through the Arrow stream interface (``Categorical`` for
        dictionary columns). Needs polars."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The Arrow PyCapsule stream interface: one record batch, zero-copy."""

@final
class BatchIterator:
    """What ``iter_batches`` returns: each ``next()`` parses up to ``batch_rows`` more rows."""

    def __iter__(self) -> Self: ...
    def __next__(self) -> LogTable: ...
    def close(self) -> None:
        """Closes the file; the iteration ends."""

@final
class StreamParser:
    """Parses a log stream fed in chunks of any size: ``push``, ``take_batch``, ``finish``."""

    def __new__(
        cls,
        format: _Format = "combined",
        *,
        on_error: _OnError = "row",
        unescape: bool = False,
        strict_utf8: bool = False,
        plain_columns: Iterable[str] | None = None,
        year: int | None = None,
        reference_time: _ReferenceTime | None = None,
        octet_counted: bool = False,
        flatten: bool = False,
    ) -> Self: ...
    def push(self, chunk: _Data) -> None:
        """Parses the lines ``chunk`` completes (any bytes-like object, read in place)."""

    def take_batch(self) -> LogTable:
        """The rows parsed so far, with the errors and stats since the last batch."""

    def finish(self) -> LogTable:
        """Parses the pending last line; the rows not handed out yet. Accepts nothing after."""

    @property
    def rows_buffered(self) -> int:
        """Rows parsed and not handed out yet."""

    @property
    def pending_bytes(self) -> int:
        """Bytes of an unfinished last line."""

    @property
    def lines(self) -> int:
        """Complete lines seen so far."""

    @property
    def finished(self) -> bool:
        """Whether ``finish()`` was called."""

def parse_file(
    path: _Path,
    format: _Format = "combined",
    *,
    on_error: _OnError = "row",
    threads: int | None = None,
    progress: bool = False,
    unescape: bool = False,
    strict_utf8: bool = False,
    plain_columns: Iterable[str] | None = None,
    year: int | None = None,
    reference_time: _ReferenceTime | None = None,
    octet_counted: bool = False,
    flatten: bool = False,
) -> LogTable:
    """Parses a log file (read in blocks, parsed in parallel; gzip detected by its magic bytes).

    ``year``/``reference_time``: the year of ``syslog_rfc3164`` timestamps (at most one of
    them; neither: now). ``octet_counted``: RFC 6587 framing (``syslog_rfc5424`` only).
    ``flatten``: nested ``jsonl`` objects as dotted columns (``jsonl`` only).
    """

def parse_bytes(
    data: _Data,
    format: _Format = "combined",
    *,
    on_error: _OnError = "row",
    threads: int | None = None,
    progress: bool = False,
    unescape: bool = False,
    strict_utf8: bool = False,
    plain_columns: Iterable[str] | None = None,
    year: int | None = None,
    reference_time: _ReferenceTime | None = None,
    octet_counted: bool = False,
    flatten: bool = False,
) -> LogTable:
    """Parses log lines in any bytes-like object, read in place, with the GIL released."""

def iter_batches(
    path: _Path,
    format: _Format = "combined",
    *,
    batch_rows: int = 65536,
    on_error: _OnError = "row",
    progress: bool = False,
    unescape: bool = False,
    strict_utf8: bool = False,
    plain_columns: Iterable[str] | None = None,
    year: int | None = None,
    reference_time: _ReferenceTime | None = None,
    octet_counted: bool = False,
    flatten: bool = False,
) -> BatchIterator:
    """Reads a log file in batches of at most ``batch_rows`` rows, in bounded memory."""

def parse_structured_data(text: str | _Data) -> list[_SdElement]:
    """Parses RFC 5424 STRUCTURED-DATA (``[id name="value"...]...``) into
    ``[(id, [(name, value), ...]), ...]``; ``"-"`` is ``[]``; ``ParseError`` if malformed."""
