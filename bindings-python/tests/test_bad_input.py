"""Bad input for every public function and method of the ``ferrule`` package, as one table.

Each case calls one public callable (its ``target``) with something wrong, odd or extreme, and
states how it ends: an exception class (and its ``.code``), or the result. Never a crash, a hang,
an ``InternalError`` or an absurd allocation: the cases that ask for terabytes run in a child
process with a bounded address space, so that a bug there ends the child, not the test run.

The classes expected follow what the package documents (``ferrule/errors.py``, the stubs):

* a ferrule error wherever ferrule itself checks the argument: ``ArgumentTypeError`` (also a
  ``TypeError``) for a wrong type, ``InvalidArgumentError`` for a value out of its domain,
  ``LengthMismatchError``, ``OutOfRangeError`` for an id or index, ``FerruleIOError`` for files,
  ``CorruptDataError`` for damaged data, ``InvalidUtf8Error``, ``ParseError``;
* the builtin ``TypeError`` / ``OverflowError`` where pyo3 converts a typed argument (an ``int``
  or ``str`` parameter) before ferrule sees it, as for any extension function (an
  ``ArgumentTypeError`` is a ``TypeError`` too, so either satisfies those cases);
* for results too big to hold, ``CapacityError``; for inputs ferrule must copy first (a strided
  view of terabytes), ``TOO_BIG``: ``CapacityError`` or NumPy's own ``MemoryError`` when it
  refuses the copy. Both are raised before anything is allocated.

``test_every_public_callable_has_a_case`` walks the package: a new function, method or property
without a case here fails it.
"""

from __future__ import annotations

import datetime
import faulthandler
import gzip
import inspect
import json
import math
import os
import pickle
import platform
import subprocess
import sys
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ferrule as typed_ferrule
import numpy as np
import numpy.typing as npt
import pytest
from ferrule import errors as typed_errors
from ferrule import logs as typed_logs
from ferrule import vector as typed_vector
from numpy.lib.stride_tricks import as_strided

# The cases pass ill-typed arguments on purpose: they call ferrule through these untyped names
# (the stubs are checked by mypy.stubtest and the other tests).
ferrule: Any = typed_ferrule
logs: Any = typed_logs
vector: Any = typed_vector
E = typed_errors  # the error classes, short: E.ArgumentTypeError
TOO_BIG: tuple[type[BaseException], ...] = (E.CapacityError, MemoryError)
PROTOCOL = {
    "__len__", "__getitem__", "__contains__", "__iter__", "__next__", "__reduce__",
    "__arrow_c_array__", "__arrow_c_stream__",
}  # fmt: skip
# Public names that are types for annotations, not code ferrule runs.
EXEMPT = {"Capabilities": "a TypedDict", "LogStats": "a TypedDict"}

LINE = b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl/8"\n'
LINE_NO_SIZE = b'5.6.7.8 - - [10/Oct/2000:13:55:37 +0000] "POST /b HTTP/1.1" 404 - "-" "x"\n'
BAD_LINE = b'9.9.9.9 - - [10/Oct/2000:13:55:38 +0000] "GET /c HTTP/1.1" 200 7 "-" "open\n'
SMALL = LINE + LINE_NO_SIZE + BAD_LINE
NOT_UTF8_LINE = LINE.replace(b"curl/8", b"cu\xffrl")
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "data" / "apache_combined.log"


# ------------------------------------------------------------------------------- inputs


@dataclass
class Env:
    """Files and objects the cases work on (made once per session, or once in a child)."""

    dir: Path
    log: Path
    gz: Path
    truncated_gz: Path
    corrupt_gz: Path
    empty: Path
    missing: Path
    directory: Path
    unreadable: Path
    odd_name: bytes  # a log whose file name is not UTF-8
    pool_file: Path
    truncated_pool: Path

    @staticmethod
    def create(root: Path) -> Env:
        root.mkdir(parents=True, exist_ok=True)
        log = root / "small.log"
        log.write_bytes(SMALL)
        gz = root / "sample.log.gz"
        gz.write_bytes(gzip.compress(SAMPLE.read_bytes()))
        data = gz.read_bytes()
        truncated_gz = root / "truncated.gz"
        truncated_gz.write_bytes(data[: len(data) // 2])
        corrupt_gz = root / "corrupt.gz"
        corrupt_gz.write_bytes(data[:-8] + bytes(b ^ 0xFF for b in data[-8:-4]) + data[-4:])
        empty = root / "empty.log"
        empty.write_bytes(b"")
        directory = root / "a-directory"
        directory.mkdir(exist_ok=True)
        unreadable = root / "unreadable.log"
        unreadable.write_bytes(SMALL)
        unreadable.chmod(0)
        odd_name = os.fsencode(root) + b"/odd-\xff\xfe.log"
        with open(odd_name, "wb") as f:
            f.write(SMALL)
        pool_file = root / "pool.bin"
        make_pool().save(pool_file)
        truncated_pool = root / "truncated.pool"
        truncated_pool.write_bytes(pool_file.read_bytes()[:-3])
        return Env(
            dir=root, log=log, gz=gz, truncated_gz=truncated_gz, corrupt_gz=corrupt_gz,
            empty=empty, missing=root / "missing.log", directory=directory, unreadable=unreadable,
            odd_name=odd_name, pool_file=pool_file, truncated_pool=truncated_pool,
        )  # fmt: skip


def make_pool() -> Any:
    """ids 0 "GET", 1 "POST", 2 the non-UTF-8 bytes b"\\xff"."""
    pool = ferrule.StringPool()
    pool.intern_many(["GET", "POST"])
    pool.intern(b"\xff")
    return pool


def frozen() -> Any:
    return make_pool().freeze()


def table() -> Any:
    """Three rows: two good, one bad (line 3, UNTERMINATED_QUOTE)."""
    return logs.parse_bytes(SMALL)


def log_error() -> Any:
    return table().errors[0]


def forged_pool(count: int) -> bytes:
    """A serialized pool whose header claims `count` values."""
    data = bytearray(make_pool().to_bytes())
    data[16:24] = count.to_bytes(8, "little")
    return bytes(data)


def f32(*values: float) -> npt.NDArray[np.float32]:
    return np.array(values, dtype=np.float32)


def f64(*values: float) -> npt.NDArray[np.float64]:
    return np.array(values, dtype=np.float64)


def read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def strided(n: int, dtype: Any = np.float64) -> npt.NDArray[Any]:
    """Every other element of a 2n array: not contiguous."""
    return np.zeros(2 * n, dtype=dtype)[::2]


def broadcast(n: int, dtype: Any = np.float64) -> npt.NDArray[Any]:
    """A 1-D view of n elements over one (stride 0): no memory, but copying it needs n of them."""
    return as_strided(np.zeros(1, dtype=dtype), shape=(n,), strides=(0,))


def tall(rows: int, cols: int = 0) -> npt.NDArray[np.float32]:
    """A float32 matrix of `rows` rows; with 0 columns it holds no memory whatever `rows` is."""
    return np.zeros((rows, cols), dtype=np.float32)


MATRIX = np.arange(12, dtype=np.float64).reshape(4, 3)
RANDOM_ROWS = list(np.random.default_rng(3).standard_normal((20, 33)).astype(np.float32))
VEC = f64(1.0, 2.0, 3.0)


# ------------------------------------------------------------------------------- the table


NOTHING: Any = object()  # no expected value


@dataclass(frozen=True)
class Case:
    name: str
    target: str  # the public callable exercised, as test_every_public_callable_has_a_case names it
    call: Callable[[Env], Any]
    raises: type[BaseException] | tuple[type[BaseException], ...] | None = None
    code: str | None = None  # the `.code` expected (default: the class's default code)
    returns: Any = NOTHING
    satisfies: Callable[[Any], bool] | None = None
    child: bool = False  # run in a child process with a bounded address space
    xfail: str | None = None
    skip: str | None = None


CASES: list[Case] = []


def raises(
    name: str,
    target: str,
    call: Callable[[Env], Any],
    cls: type[BaseException] | tuple[type[BaseException], ...],
    code: str | None = None,
    *,
    child: bool = False,
    xfail: str | None = None,
    skip: str | None = None,
) -> None:
    CASES.append(Case(name, target, call, raises=cls, code=code, child=child, xfail=xfail, skip=skip))


def returns(name: str, target: str, call: Callable[[Env], Any], value: Any, *, skip: str | None = None) -> None:
    CASES.append(Case(name, target, call, returns=value, skip=skip))


def satisfies(
    name: str, target: str, call: Callable[[Env], Any], check: Callable[[Any], bool], *, child: bool = False
) -> None:
    CASES.append(Case(name, target, call, satisfies=check, child=child))


def same(a: Any, b: Any) -> bool:
    """Equality where NaN equals NaN and arrays compare with their dtype and shape."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
        )
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and bool(a == b)


AS_ROOT = "root reads any file" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


# ------------------------------------------------------------------------------- top level

raises("version-extra-argument", "version", lambda e: ferrule.version(1), TypeError)
satisfies("version-is-the-version", "version", lambda e: ferrule.version(), lambda v: v == ferrule.__version__)
raises("capabilities-extra-argument", "capabilities", lambda e: ferrule.capabilities("x"), TypeError)
satisfies(
    "capabilities-keys", "capabilities", lambda e: ferrule.capabilities(),
    lambda c: sorted(c) == ["features", "isa"] and c["isa"] in ("scalar", "avx2", "avx512", "neon"),
)  # fmt: skip

# factorize: values as intern_many reads them; None and NaN are missing values.
raises("factorize-None", "factorize", lambda e: ferrule.factorize(None), E.ArgumentTypeError)
raises("factorize-int", "factorize", lambda e: ferrule.factorize(3), E.ArgumentTypeError)
raises("factorize-single-str", "factorize", lambda e: ferrule.factorize("abc"), E.ArgumentTypeError)
raises("factorize-int-items", "factorize", lambda e: ferrule.factorize([1, 2]), E.ArgumentTypeError)
raises("factorize-bytes-items", "factorize", lambda e: ferrule.factorize([b"a"]), E.ArgumentTypeError)
raises("factorize-float-array", "factorize", lambda e: ferrule.factorize(f64(1.0, math.nan)), E.ArgumentTypeError)
raises("factorize-2d", "factorize", lambda e: ferrule.factorize(np.array([["a"]])), E.InvalidArgumentError)
raises("factorize-lone-surrogate", "factorize", lambda e: ferrule.factorize(["\ud800"]), E.InvalidUtf8Error)
returns("factorize-empty", "factorize", lambda e: tuple(x.tolist() for x in ferrule.factorize([])), ([], []))
returns(
    "factorize-missing-values", "factorize",
    lambda e: tuple(x.tolist() for x in ferrule.factorize([None, math.nan, "a", None])), ([-1, -1, 0, -1], ["a"]),
)  # fmt: skip
returns("factorize-empty-string", "factorize", lambda e: ferrule.factorize(["", ""])[0].tolist(), [0, 0])
raises("factorize-huge-unicode-array", "factorize", lambda e: ferrule.factorize(broadcast(2**40, "U1")), TOO_BIG, child=True)
raises(
    "factorize-huge-object-array", "factorize", lambda e: ferrule.factorize(broadcast(2**40, object)), TOO_BIG,
    child=True,
)  # fmt: skip

# ------------------------------------------------------------------------------- error classes

ERROR_CLASSES: list[type[E.FerruleError]] = [
    E.FerruleError, E.InvalidArgumentError, E.ArgumentTypeError, E.LengthMismatchError, E.InvalidUtf8Error,
    E.ParseError, E.CapacityError, E.OutOfRangeError, E.CorruptDataError, E.FerruleIOError, E.InternalError,
]  # fmt: skip


def error_class_cases(typed_cls: type[E.FerruleError]) -> None:
    cls: Any = typed_cls
    name = typed_cls.__name__
    raises(f"{name}-without-message", name, lambda e: cls(), TypeError)
    raises(f"{name}-positional-code", name, lambda e: cls("m", "FERRULE_X"), TypeError)
    satisfies(
        f"{name}-default-code", name, lambda e: cls("message", line=3),
        lambda err: err.code == cls.default_code and err.line == 3 and err.offset is None and str(err) == "message",
    )  # fmt: skip


for _cls in ERROR_CLASSES:
    error_class_cases(_cls)
satisfies(
    "FerruleError-pickles-its-fields", "FerruleError.__reduce__",
    lambda e: pickle.loads(pickle.dumps(E.FerruleIOError("gone", code="FERRULE_IO", line=None, offset=7))),
    lambda err: type(err) is E.FerruleIOError and (err.code, err.line, err.offset, str(err)) == ("FERRULE_IO", None, 7, "gone"),
)  # fmt: skip
satisfies(
    "ParseError-pickles-its-reason", "ParseError.__reduce__",
    lambda e: pickle.loads(pickle.dumps(E.ParseError("bad", line=2, offset=5, reason="BAD_STATUS"))),
    lambda err: type(err) is E.ParseError and (err.reason, err.line, err.offset) == ("BAD_STATUS", 2, 5),
)  # fmt: skip

# ------------------------------------------------------------------------------- StringPool


def pool_cases(cls_name: str, make: Callable[[], Any]) -> None:
    """The read-side methods both pool classes have."""
    t = cls_name
    raises(f"{t}.get-None", f"{t}.get", lambda e: make().get(None), E.ArgumentTypeError)
    raises(f"{t}.get-int", f"{t}.get", lambda e: make().get(1), E.ArgumentTypeError)
    returns(f"{t}.get-lone-surrogate", f"{t}.get", lambda e: make().get("\ud800"), None)
    returns(f"{t}.get-not-utf8-bytes", f"{t}.get", lambda e: make().get(b"\xff"), 2)
    returns(f"{t}.get-empty", f"{t}.get", lambda e: make().get(""), None)
    raises(f"{t}.resolve_bytes-negative", f"{t}.resolve_bytes", lambda e: make().resolve_bytes(-1), E.OutOfRangeError)
    raises(f"{t}.resolve_bytes-past-end", f"{t}.resolve_bytes", lambda e: make().resolve_bytes(3), E.OutOfRangeError)
    raises(f"{t}.resolve_bytes-2**64", f"{t}.resolve_bytes", lambda e: make().resolve_bytes(2**64), E.OutOfRangeError)
    raises(f"{t}.resolve_bytes-u32-max", f"{t}.resolve_bytes", lambda e: make().resolve_bytes(2**32 - 1), E.OutOfRangeError)
    raises(f"{t}.resolve_bytes-str", f"{t}.resolve_bytes", lambda e: make().resolve_bytes("0"), E.ArgumentTypeError)
    raises(f"{t}.resolve_bytes-float", f"{t}.resolve_bytes", lambda e: make().resolve_bytes(1.0), E.ArgumentTypeError)
    raises(f"{t}.resolve_bytes-None", f"{t}.resolve_bytes", lambda e: make().resolve_bytes(None), E.ArgumentTypeError)
    returns(f"{t}.resolve_bytes-not-utf8", f"{t}.resolve_bytes", lambda e: make().resolve_bytes(np.uint8(2)), b"\xff")
    raises(f"{t}.getitem-past-end", f"{t}.__getitem__", lambda e: make()[3], E.OutOfRangeError)
    raises(f"{t}.getitem-negative", f"{t}.__getitem__", lambda e: make()[-1], E.OutOfRangeError)
    raises(f"{t}.getitem-str", f"{t}.__getitem__", lambda e: make()["GET"], E.ArgumentTypeError)
    raises(f"{t}.getitem-not-utf8", f"{t}.__getitem__", lambda e: make()[2], E.InvalidUtf8Error)
    returns(f"{t}.getitem-numpy-int", f"{t}.__getitem__", lambda e: make()[np.int64(1)], "POST")
    raises(f"{t}.resolve_many-None", f"{t}.resolve_many", lambda e: make().resolve_many(None), E.ArgumentTypeError)
    raises(f"{t}.resolve_many-str-items", f"{t}.resolve_many", lambda e: make().resolve_many(["0"]), E.ArgumentTypeError)
    raises(f"{t}.resolve_many-None-item", f"{t}.resolve_many", lambda e: make().resolve_many([0, None]), E.ArgumentTypeError)
    raises(f"{t}.resolve_many-float-array", f"{t}.resolve_many", lambda e: make().resolve_many(f64(0.0)), E.ArgumentTypeError)
    raises(f"{t}.resolve_many-out-of-range", f"{t}.resolve_many", lambda e: make().resolve_many([0, 3]), E.OutOfRangeError)
    raises(f"{t}.resolve_many-negative", f"{t}.resolve_many", lambda e: make().resolve_many(np.array([-1])), E.OutOfRangeError)
    raises(f"{t}.resolve_many-not-utf8", f"{t}.resolve_many", lambda e: make().resolve_many([2]), E.InvalidUtf8Error)
    returns(f"{t}.resolve_many-empty", f"{t}.resolve_many", lambda e: make().resolve_many(np.zeros(0, np.uint32)), [])
    returns(
        f"{t}.resolve_many-strided", f"{t}.resolve_many",
        lambda e: make().resolve_many(np.array([1, 9, 0, 9], np.uint32)[::2]), ["POST", "GET"],
    )  # fmt: skip
    raises(
        f"{t}.resolve_many-huge-id-array", f"{t}.resolve_many",
        lambda e: make().resolve_many(broadcast(2**40, np.uint32)), TOO_BIG, child=True,
    )  # fmt: skip
    returns(f"{t}.contains-None", f"{t}.__contains__", lambda e: None in make(), False)
    returns(f"{t}.contains-int", f"{t}.__contains__", lambda e: 0 in make(), False)
    returns(f"{t}.contains-lone-surrogate", f"{t}.__contains__", lambda e: "\ud800" in make(), False)
    returns(f"{t}.contains-bytes", f"{t}.__contains__", lambda e: b"\xff" in make(), True)
    returns(f"{t}.len", f"{t}.__len__", lambda e: len(make()), 3)
    raises(f"{t}.iter-not-utf8", f"{t}.__iter__", lambda e: list(make()), E.InvalidUtf8Error)
    returns(f"{t}.nbytes", f"{t}.nbytes", lambda e: make().nbytes > 0, True)
    satisfies(f"{t}.to_arrow-not-utf8-is-binary", f"{t}.to_arrow", lambda e: make().to_arrow(),
              lambda a: a.to_pylist() == [b"GET", b"POST", b"\xff"])  # fmt: skip
    satisfies(f"{t}.to_bytes-round-trip", f"{t}.to_bytes", lambda e: type(make()).from_bytes(make().to_bytes()),
              lambda p: [p.resolve_bytes(i) for i in range(len(p))] == [b"GET", b"POST", b"\xff"])  # fmt: skip
    satisfies(f"{t}.reduce-pickles", f"{t}.__reduce__", lambda e: pickle.loads(pickle.dumps(make())),
              lambda p: len(p) == 3 and p.get("POST") == 1)  # fmt: skip
    # from_bytes and load are class methods.
    cls = type(make())
    raises(f"{t}.from_bytes-None", f"{t}.from_bytes", lambda e: cls.from_bytes(None), E.ArgumentTypeError)
    raises(f"{t}.from_bytes-str", f"{t}.from_bytes", lambda e: cls.from_bytes("FERPOOL"), E.ArgumentTypeError)
    raises(f"{t}.from_bytes-empty", f"{t}.from_bytes", lambda e: cls.from_bytes(b""), E.CorruptDataError)
    raises(f"{t}.from_bytes-junk", f"{t}.from_bytes", lambda e: cls.from_bytes(b"x" * 100), E.CorruptDataError)
    raises(f"{t}.from_bytes-truncated", f"{t}.from_bytes", lambda e: cls.from_bytes(make_pool().to_bytes()[:-1]), E.CorruptDataError)
    raises(f"{t}.from_bytes-count-2**63", f"{t}.from_bytes", lambda e: cls.from_bytes(forged_pool(2**63)), E.CorruptDataError, child=True)
    raises(f"{t}.from_bytes-count-2**64-1", f"{t}.from_bytes", lambda e: cls.from_bytes(forged_pool(2**64 - 1)), E.CorruptDataError, child=True)
    raises(f"{t}.from_bytes-count-2**31", f"{t}.from_bytes", lambda e: cls.from_bytes(forged_pool(2**31)), E.CorruptDataError, child=True)
    raises(
        f"{t}.from_bytes-strided", f"{t}.from_bytes",
        lambda e: cls.from_bytes(memoryview(make_pool().to_bytes() * 2)[::2]), E.InvalidArgumentError,
    )  # fmt: skip
    raises(
        f"{t}.from_bytes-huge-view", f"{t}.from_bytes", lambda e: cls.from_bytes(broadcast(2**40, np.uint8)),
        E.InvalidArgumentError, child=True,
    )  # fmt: skip
    satisfies(f"{t}.from_bytes-bytearray", f"{t}.from_bytes", lambda e: cls.from_bytes(bytearray(make_pool().to_bytes())),
              lambda p: len(p) == 3)  # fmt: skip
    raises(f"{t}.load-missing", f"{t}.load", lambda e: cls.load(e.missing), E.FerruleIOError)
    raises(f"{t}.load-directory", f"{t}.load", lambda e: cls.load(e.directory), E.FerruleIOError)
    raises(f"{t}.load-unreadable", f"{t}.load", lambda e: cls.load(e.unreadable), E.FerruleIOError, skip=AS_ROOT)
    raises(f"{t}.load-not-a-pool", f"{t}.load", lambda e: cls.load(e.log), E.CorruptDataError)
    raises(f"{t}.load-truncated", f"{t}.load", lambda e: cls.load(e.truncated_pool), E.CorruptDataError)
    raises(f"{t}.load-empty", f"{t}.load", lambda e: cls.load(e.empty), E.CorruptDataError)
    raises(f"{t}.load-None", f"{t}.load", lambda e: cls.load(None), E.ArgumentTypeError)
    raises(f"{t}.load-int", f"{t}.load", lambda e: cls.load(3), E.ArgumentTypeError)
    # The pool's paths are str or os.PathLike[str] (its stub): bytes are refused, while a file
    # name that is not UTF-8 arrives as os.fsdecode gives it (surrogate escapes).
    raises(f"{t}.load-bytes-path", f"{t}.load", lambda e: cls.load(os.fsencode(e.pool_file)), E.ArgumentTypeError)
    raises(f"{t}.load-nul-in-path", f"{t}.load", lambda e: cls.load(str(e.dir) + "/a\0b"), E.FerruleIOError)
    raises(f"{t}.save-None", f"{t}.save", lambda e: make().save(None), E.ArgumentTypeError)
    raises(f"{t}.save-directory", f"{t}.save", lambda e: make().save(e.directory), E.FerruleIOError)
    raises(f"{t}.save-missing-directory", f"{t}.save", lambda e: make().save(e.missing / "x.pool"), E.FerruleIOError)
    raises(f"{t}.save-bytes-path", f"{t}.save", lambda e: make().save(os.fsencode(e.dir / "b.pool")), E.ArgumentTypeError)
    satisfies(
        f"{t}.save-load-not-utf8-name", f"{t}.save",
        lambda e: save_and_load(make(), os.fsdecode(os.fsencode(e.dir) + b"/\xff-" + t.encode() + b".pool")),
        lambda p: len(p) == 3 and p.resolve_bytes(2) == b"\xff",
    )  # fmt: skip


def save_and_load(pool: Any, path: str) -> Any:
    pool.save(path)
    return type(pool).load(path)


pool_cases("StringPool", make_pool)
pool_cases("FrozenStringPool", frozen)

raises("StringPool-argument", "StringPool", lambda e: ferrule.StringPool(["a"]), TypeError)
returns("StringPool-empty", "StringPool", lambda e: len(ferrule.StringPool()), 0)
raises("FrozenStringPool-no-constructor", "FrozenStringPool", lambda e: ferrule.FrozenStringPool(), TypeError)
S = "StringPool"
raises("intern-None", f"{S}.intern", lambda e: make_pool().intern(None), E.ArgumentTypeError)
raises("intern-int", f"{S}.intern", lambda e: make_pool().intern(7), E.ArgumentTypeError)
raises("intern-bytearray", f"{S}.intern", lambda e: make_pool().intern(bytearray(b"x")), E.ArgumentTypeError)
raises("intern-lone-surrogate", f"{S}.intern", lambda e: make_pool().intern("\udcff"), E.InvalidUtf8Error)
returns("intern-empty-string", f"{S}.intern", lambda e: make_pool().intern(""), 3)
returns("intern-bytes-equal-to-str", f"{S}.intern", lambda e: make_pool().intern(b"POST"), 1)
returns("intern-nul", f"{S}.intern", lambda e: make_pool().intern("a\0b"), 3)
class LyingList(list[str]):
    """A list whose ``__len__`` claims ``claim`` items, whatever it holds."""

    def __init__(self, items: list[str], claim: int) -> None:
        super().__init__(items)
        self.claim = claim

    def __len__(self) -> int:
        return self.claim


def interned_lying(claim: int) -> Callable[[Env], Any]:
    return lambda e: make_pool().intern_many(LyingList(["a", "b", "a"], claim)).tolist()


def factorized_lying(claim: int) -> Callable[[Env], Any]:
    return lambda e: ferrule.factorize(LyingList(["a", "b", "a"], claim))[0].tolist()


for claim in (2**40, 1, 0):
    satisfies(
        f"intern_many-len-claims-{claim}", f"{S}.intern_many", interned_lying(claim),
        lambda ids: bool(ids == [3, 4, 3]), child=True,
    )  # fmt: skip
    satisfies(
        f"factorize-len-claims-{claim}", "factorize", factorized_lying(claim),
        lambda codes: bool(codes == [0, 1, 0]), child=True,
    )  # fmt: skip

raises("intern_many-None", f"{S}.intern_many", lambda e: make_pool().intern_many(None), E.ArgumentTypeError)
raises("intern_many-single-str", f"{S}.intern_many", lambda e: make_pool().intern_many("GET"), E.ArgumentTypeError)
raises("intern_many-bytes", f"{S}.intern_many", lambda e: make_pool().intern_many(b"GET"), E.ArgumentTypeError)
raises("intern_many-int", f"{S}.intern_many", lambda e: make_pool().intern_many(5), E.ArgumentTypeError)
raises("intern_many-None-item", f"{S}.intern_many", lambda e: make_pool().intern_many(["a", None]), E.ArgumentTypeError)
raises("intern_many-nan-item", f"{S}.intern_many", lambda e: make_pool().intern_many(["a", math.nan]), E.ArgumentTypeError)
raises("intern_many-bytes-item", f"{S}.intern_many", lambda e: make_pool().intern_many([b"a"]), E.ArgumentTypeError)
raises("intern_many-int-array", f"{S}.intern_many", lambda e: make_pool().intern_many(np.arange(3)), E.ArgumentTypeError)
raises("intern_many-2d", f"{S}.intern_many", lambda e: make_pool().intern_many(np.array([["a", "b"]])), E.InvalidArgumentError)
raises("intern_many-lone-surrogate", f"{S}.intern_many", lambda e: make_pool().intern_many(["ok", "\ud800"]), E.InvalidUtf8Error)
returns("intern_many-bad-item-inserts-nothing", f"{S}.intern_many", lambda e: len_after_bad_batch(), 3)
satisfies("intern_many-empty", f"{S}.intern_many", lambda e: make_pool().intern_many([]),
          lambda ids: ids.dtype == np.uint32 and ids.shape == (0,))  # fmt: skip
returns("intern_many-generator", f"{S}.intern_many", lambda e: make_pool().intern_many(x for x in ["POST", "x"]).tolist(), [1, 3])
returns(
    "intern_many-strided-numpy", f"{S}.intern_many",
    lambda e: make_pool().intern_many(np.array(["GET", "z", "new", "z"])[::2]).tolist(), [0, 3],
)  # fmt: skip
raises("intern_many-huge-unicode-array", f"{S}.intern_many", lambda e: make_pool().intern_many(broadcast(2**40, "U1")), TOO_BIG, child=True)
raises(
    "intern_many-huge-object-array", f"{S}.intern_many", lambda e: make_pool().intern_many(broadcast(2**40, object)),
    TOO_BIG, child=True,
)  # fmt: skip
returns("freeze-same-ids", f"{S}.freeze", lambda e: [make_pool().freeze().get(v) for v in ("GET", "POST", "PUT")], [0, 1, None])
returns("freeze-empty", f"{S}.freeze", lambda e: len(ferrule.StringPool().freeze()), 0)
F = "FrozenStringPool"
satisfies("arrow_c_array-not-utf8", f"{F}.__arrow_c_array__", lambda e: frozen().__arrow_c_array__(),
          lambda capsules: isinstance(capsules, tuple) and len(capsules) == 2)  # fmt: skip
satisfies("arrow_c_array-requested-schema-ignored", f"{F}.__arrow_c_array__",
          lambda e: frozen().__arrow_c_array__(requested_schema=object()), lambda c: len(c) == 2)  # fmt: skip

# ------------------------------------------------------------------------------- vector

V = "vector"
PAIRWISE: dict[str, tuple[Callable[..., Any], float]] = {
    # name -> (function, value for two empty vectors)
    "dot": (vector.dot, 0.0),
    "cosine_similarity": (vector.cosine_similarity, 0.0),
    "cosine_distance": (vector.cosine_distance, 1.0),
    "sqeuclidean": (vector.sqeuclidean, 0.0),
    "euclidean": (vector.euclidean, 0.0),
    "manhattan": (vector.manhattan, 0.0),
}


def pairwise_cases(name: str, fn: Callable[..., Any], empty: float) -> None:
    t = f"{V}.{name}"
    raises(f"{name}-None", t, lambda e: fn(None, VEC), E.ArgumentTypeError)
    raises(f"{name}-str", t, lambda e: fn("abc", VEC), E.ArgumentTypeError)
    raises(f"{name}-dict", t, lambda e: fn(VEC, {"a": 1}), E.ArgumentTypeError)
    raises(f"{name}-list-of-str", t, lambda e: fn(["1", "x"], [1.0, 2.0]), E.ArgumentTypeError)
    raises(f"{name}-int-dtype", t, lambda e: fn(np.arange(3), np.arange(3)), E.ArgumentTypeError)
    raises(f"{name}-float16", t, lambda e: fn(VEC.astype(np.float16), VEC.astype(np.float16)), E.ArgumentTypeError)
    raises(f"{name}-complex", t, lambda e: fn(VEC.astype(complex), VEC.astype(complex)), E.ArgumentTypeError)
    raises(f"{name}-bytes", t, lambda e: fn(b"12345678", f64(1.0)), E.ArgumentTypeError)
    raises(f"{name}-numpy-scalar", t, lambda e: fn(np.float64(1.0), VEC), E.ArgumentTypeError)
    raises(f"{name}-float32-with-float64", t, lambda e: fn(VEC.astype(np.float32), VEC), E.ArgumentTypeError)
    raises(f"{name}-lengths", t, lambda e: fn(VEC, f64(1.0, 2.0)), E.LengthMismatchError)
    raises(f"{name}-empty-and-not", t, lambda e: fn(f64(), VEC), E.LengthMismatchError)
    raises(f"{name}-3d", t, lambda e: fn(np.ones((2, 2, 2)), np.ones((2, 2, 2))), E.InvalidArgumentError)
    raises(f"{name}-matrix-and-matrix", t, lambda e: fn(MATRIX, MATRIX), E.InvalidArgumentError)
    raises(f"{name}-matrix-dimension", t, lambda e: fn(f64(1.0, 2.0), MATRIX), E.LengthMismatchError)
    raises(f"{name}-out-for-two-vectors", t, lambda e: fn(VEC, VEC, out=np.zeros(1)), E.InvalidArgumentError)
    raises(f"{name}-out-read-only", t, lambda e: fn(VEC, MATRIX, out=read_only(np.zeros(4))), E.InvalidArgumentError)
    raises(f"{name}-out-strided", t, lambda e: fn(VEC, MATRIX, out=strided(4)), E.InvalidArgumentError)
    raises(f"{name}-out-dtype", t, lambda e: fn(VEC, MATRIX, out=np.zeros(4, np.float32)), E.ArgumentTypeError)
    raises(f"{name}-out-byte-swapped", t, lambda e: fn(VEC, MATRIX, out=np.zeros(4, ">f8")), E.ArgumentTypeError)
    raises(f"{name}-out-shape", t, lambda e: fn(VEC, MATRIX, out=np.zeros(5)), E.LengthMismatchError)
    raises(f"{name}-out-2d-shape", t, lambda e: fn(VEC, MATRIX, out=np.zeros((4, 1))), E.LengthMismatchError)
    raises(f"{name}-out-list", t, lambda e: fn(VEC, MATRIX, out=[0.0] * 4), E.ArgumentTypeError)
    raises(f"{name}-precision", t, lambda e: fn(VEC, VEC, precision="exact"), E.InvalidArgumentError)
    raises(f"{name}-precision-int", t, lambda e: fn(VEC, VEC, precision=1), TypeError)
    raises(f"{name}-threads-negative", t, lambda e: fn(VEC, MATRIX, threads=-1), E.InvalidArgumentError)
    raises(f"{name}-threads-5000", t, lambda e: fn(VEC, MATRIX, threads=5000), E.InvalidArgumentError)
    raises(f"{name}-threads-2**63", t, lambda e: fn(VEC, MATRIX, threads=2**63 - 1), E.InvalidArgumentError)
    raises(f"{name}-threads-2**64", t, lambda e: fn(VEC, MATRIX, threads=2**64), OverflowError)
    raises(f"{name}-threads-str", t, lambda e: fn(VEC, MATRIX, threads="2"), TypeError)
    returns(f"{name}-empty", t, lambda e: fn(f64(), f64()), empty)
    returns(f"{name}-empty-float32", t, lambda e: fn(f32(), f32()), empty)
    returns(f"{name}-nan", t, lambda e: fn(f64(1.0, math.nan), f64(1.0, 2.0)), math.nan)
    returns(f"{name}-nan-in-matrix", t, lambda e: bool(np.isnan(fn(f32(1, 2), np.array([[1, math.nan]], np.float32))[0])), True)
    returns(f"{name}-matrix-without-rows", t, lambda e: fn(VEC, np.zeros((0, 3))), np.zeros(0))
    returns(f"{name}-list-inputs", t, lambda e: fn([1.0, 2.0], [1.0, 2.0]), fn(f64(1.0, 2.0), f64(1.0, 2.0)))
    returns(f"{name}-strided-input", t, lambda e: fn(strided(3), np.zeros(3)), fn(np.zeros(3), np.zeros(3)))
    raises(f"{name}-huge-copy", t, lambda e: fn(broadcast(2**40), broadcast(2**40)), TOO_BIG, child=True)
    raises(f"{name}-huge-result", t, lambda e: fn(f32(), tall(2**40)), E.CapacityError, child=True)
    raises(
        f"{name}-huge-out-shape", t, lambda e: fn(f32(), tall(2**40), out=np.zeros(1, np.float32)),
        E.LengthMismatchError, child=True,
    )  # fmt: skip


for _name, (_fn, _empty) in PAIRWISE.items():
    pairwise_cases(_name, _fn, _empty)
# Infinities: the metric's own value (inf), not a crash or a clamp.
returns("dot-inf", f"{V}.dot", lambda e: vector.dot(f64(math.inf, 1.0), f64(1.0, 1.0)), math.inf)
returns("dot-inf-times-zero", f"{V}.dot", lambda e: vector.dot(f64(math.inf, 1.0), f64(0.0, 1.0)), math.nan)
returns("sqeuclidean-inf", f"{V}.sqeuclidean", lambda e: vector.sqeuclidean(f64(math.inf), f64(0.0)), math.inf)
returns("euclidean-inf", f"{V}.euclidean", lambda e: vector.euclidean(f32(-math.inf), f32(0.0)), math.inf)
returns("manhattan-inf", f"{V}.manhattan", lambda e: vector.manhattan(f64(math.inf, 1.0), f64(0.0, 1.0)), math.inf)
returns("cosine_distance-zero-vector", f"{V}.cosine_distance", lambda e: vector.cosine_distance(f64(0, 0), f64(1, 2)), 1.0)
returns("cosine_similarity-zero-vector", f"{V}.cosine_similarity", lambda e: vector.cosine_similarity(f64(0, 0), f64(1, 2)), 0.0)
# Rounding can push 1 - cos a hair below 0 or above 2: clamped.
returns(
    "cosine_distance-clamped", f"{V}.cosine_distance",
    lambda e: [0.0 <= vector.cosine_distance(x, s * x) <= 2.0 for x in RANDOM_ROWS for s in (1, -1)], [True] * 40,
)  # fmt: skip

REDUCTIONS: dict[str, Callable[..., Any]] = {
    "norm": vector.norm, "sum": vector.sum, "mean": vector.mean, "min": vector.min, "max": vector.max,
    "argmin": vector.argmin, "argmax": vector.argmax,
}  # fmt: skip
# name -> (empty vector, [1, NaN, 0], [inf, 1, -inf]): a value, or the exception class
REDUCTION_RESULTS: dict[str, tuple[Any, Any, Any]] = {
    "norm": (0.0, math.nan, math.inf),
    "sum": (0.0, math.nan, math.nan),
    "mean": (E.InvalidArgumentError, math.nan, math.nan),
    "min": (E.InvalidArgumentError, math.nan, -math.inf),
    "max": (E.InvalidArgumentError, math.nan, math.inf),
    "argmin": (E.InvalidArgumentError, 1, 2),
    "argmax": (E.InvalidArgumentError, 1, 0),
}


def reduction_cases(name: str, fn: Callable[..., Any]) -> None:
    t = f"{V}.{name}"
    raises(f"{name}-None", t, lambda e: fn(None), E.ArgumentTypeError)
    raises(f"{name}-str", t, lambda e: fn("1.0"), E.ArgumentTypeError)
    raises(f"{name}-int-dtype", t, lambda e: fn(np.arange(4)), E.ArgumentTypeError)
    raises(f"{name}-bool-dtype", t, lambda e: fn(np.ones(4, bool)), E.ArgumentTypeError)
    raises(f"{name}-2d", t, lambda e: fn(MATRIX), E.InvalidArgumentError)
    raises(f"{name}-no-argument", t, lambda e: fn(), TypeError)
    empty, with_nan, with_inf = REDUCTION_RESULTS[name]
    if isinstance(empty, type):
        raises(f"{name}-empty", t, lambda e: fn(f64()), empty)
    else:
        returns(f"{name}-empty", t, lambda e: fn(f64()), empty)
    returns(f"{name}-nan", t, lambda e: fn(f64(1.0, math.nan, 0.0)), with_nan)
    returns(f"{name}-nan-float32", t, lambda e: fn(f32(1.0, math.nan, 0.0)), with_nan)
    returns(f"{name}-inf", t, lambda e: fn(f64(math.inf, 1.0, -math.inf)), with_inf)
    returns(f"{name}-list", t, lambda e: fn([3.0, 1.0, 2.0]), fn(f64(3.0, 1.0, 2.0)))
    returns(f"{name}-strided", t, lambda e: fn(f64(3, 0, 1, 0, 2, 0)[::2]), fn(f64(3.0, 1.0, 2.0)))
    raises(f"{name}-huge-copy", t, lambda e: fn(broadcast(2**40)), TOO_BIG, child=True)
    if name in ("norm", "sum"):
        raises(f"{name}-precision", t, lambda e: fn(VEC, precision="slow"), E.InvalidArgumentError)
        returns(f"{name}-accurate-empty", t, lambda e: fn(f64(), precision="accurate"), 0.0)
    else:
        raises(f"{name}-no-precision-option", t, lambda e: fn(VEC, precision="fast"), TypeError)


for _name, _fn in REDUCTIONS.items():
    reduction_cases(_name, _fn)

# Element-wise: name -> (function, number of array arguments, leading scalar?)
ELEMENTWISE: dict[str, tuple[Callable[..., Any], int, str]] = {
    "scale": (vector.scale, 1, "after"),
    "add": (vector.add, 2, ""),
    "subtract": (vector.subtract, 2, ""),
    "multiply": (vector.multiply, 2, ""),
    "axpy": (vector.axpy, 2, "before"),
    "fma": (vector.fma, 3, ""),
    "normalize": (vector.normalize, 1, ""),
}


def elementwise_cases(name: str, fn: Callable[..., Any], arrays: int, alpha: str) -> None:
    t = f"{V}.{name}"

    def call(*xs: Any, alpha_value: Any = 2.0, **kw: Any) -> Any:
        if alpha == "after":
            return fn(*xs, alpha_value, **kw)
        if alpha == "before":
            return fn(alpha_value, *xs, **kw)
        return fn(*xs, **kw)

    def same_shape(x: Any) -> list[Any]:
        return [x] * arrays

    raises(f"{name}-None", t, lambda e: call(*same_shape(None)), E.ArgumentTypeError)
    raises(f"{name}-int-dtype", t, lambda e: call(*same_shape(np.arange(3))), E.ArgumentTypeError)
    raises(f"{name}-2d", t, lambda e: call(*same_shape(MATRIX)), E.InvalidArgumentError)
    raises(f"{name}-out-read-only", t, lambda e: call(*same_shape(VEC), out=read_only(np.zeros(3))), E.InvalidArgumentError)
    raises(f"{name}-out-strided", t, lambda e: call(*same_shape(VEC), out=strided(3)), E.InvalidArgumentError)
    raises(f"{name}-out-2d", t, lambda e: call(*same_shape(VEC), out=np.zeros((3, 1))), E.LengthMismatchError)
    raises(f"{name}-out-dtype", t, lambda e: call(*same_shape(VEC), out=np.zeros(3, np.float32)), E.ArgumentTypeError)
    raises(f"{name}-out-shape", t, lambda e: call(*same_shape(VEC), out=np.zeros(4)), E.LengthMismatchError)
    raises(f"{name}-out-tuple", t, lambda e: call(*same_shape(VEC), out=(0.0, 0.0, 0.0)), E.ArgumentTypeError)
    returns(f"{name}-empty", t, lambda e: call(*same_shape(f64())), f64())
    returns(f"{name}-empty-out", t, lambda e: call(*same_shape(f32()), out=f32()), f32())
    returns(f"{name}-nan", t, lambda e: bool(np.isnan(call(*same_shape(f64(math.nan, 1.0)))[0])), True)
    returns(f"{name}-out-is-input", t, lambda e: call(*same_shape(f64(1.0, 2.0)), out=f64(1.0, 2.0)), call(*same_shape(f64(1.0, 2.0))))
    raises(f"{name}-huge-copy", t, lambda e: call(*same_shape(broadcast(2**40))), TOO_BIG, child=True)
    if arrays > 1:
        raises(f"{name}-lengths", t, lambda e: call(*same_shape(VEC)[:-1], f64(1.0, 2.0)), E.LengthMismatchError)
        raises(f"{name}-mixed-dtypes", t, lambda e: call(*same_shape(VEC)[:-1], VEC.astype(np.float32)), E.ArgumentTypeError)
    if alpha:
        raises(f"{name}-alpha-str", t, lambda e: call(*same_shape(VEC), alpha_value="2"), TypeError)
        raises(f"{name}-alpha-None", t, lambda e: call(*same_shape(VEC), alpha_value=None), TypeError)
        returns(f"{name}-alpha-nan", t, lambda e: bool(np.isnan(call(*same_shape(VEC), alpha_value=math.nan)).all()), True)


for _name, (_fn, _arrays, _alpha) in ELEMENTWISE.items():
    elementwise_cases(_name, _fn, _arrays, _alpha)
returns("normalize-zero-vector", f"{V}.normalize", lambda e: vector.normalize(f64(0.0, 0.0)), f64(0.0, 0.0))
returns("normalize-inf", f"{V}.normalize", lambda e: bool(np.isnan(vector.normalize(f64(math.inf, 1.0))[0])), True)

O = f"{V}.one_to_many"
raises("one_to_many-metric", O, lambda e: vector.one_to_many(VEC, MATRIX, "cosinus"), E.InvalidArgumentError)
raises("one_to_many-metric-None", O, lambda e: vector.one_to_many(VEC, MATRIX, None), TypeError)
raises("one_to_many-vector-as-matrix", O, lambda e: vector.one_to_many(VEC, VEC), E.InvalidArgumentError)
raises("one_to_many-matrix-as-query", O, lambda e: vector.one_to_many(MATRIX, MATRIX), E.InvalidArgumentError)
raises("one_to_many-dimension", O, lambda e: vector.one_to_many(f64(1.0), MATRIX), E.LengthMismatchError)
raises("one_to_many-out-read-only", O, lambda e: vector.one_to_many(VEC, MATRIX, out=read_only(np.zeros(4))), E.InvalidArgumentError)
raises("one_to_many-threads-negative", O, lambda e: vector.one_to_many(VEC, MATRIX, threads=-3), E.InvalidArgumentError)
returns("one_to_many-no-rows", O, lambda e: vector.one_to_many(VEC, np.zeros((0, 3))), np.zeros(0))
returns("one_to_many-nan-row", O, lambda e: bool(np.isnan(vector.one_to_many(VEC, np.full((1, 3), math.nan))[0])), True)
raises("one_to_many-huge-result", O, lambda e: vector.one_to_many(f32(), tall(2**40)), E.CapacityError, child=True)
raises("one_to_many-huge-copy", O, lambda e: vector.one_to_many(f64(0.0), as_strided(f64(0.0), (2**40, 1), (0, 8))), TOO_BIG, child=True)

C = f"{V}.cdist"
raises("cdist-vector", C, lambda e: vector.cdist(VEC, MATRIX), E.InvalidArgumentError)
raises("cdist-3d", C, lambda e: vector.cdist(np.ones((2, 2, 2)), MATRIX), E.InvalidArgumentError)
raises("cdist-dimension", C, lambda e: vector.cdist(np.ones((2, 2)), MATRIX), E.LengthMismatchError)
raises("cdist-metric", C, lambda e: vector.cdist(MATRIX, MATRIX, "cosine_similarity"), E.InvalidArgumentError)
raises("cdist-mixed", C, lambda e: vector.cdist(MATRIX.astype(np.float32), MATRIX), E.ArgumentTypeError)
raises("cdist-out-fortran", C, lambda e: vector.cdist(MATRIX, MATRIX, out=np.zeros((4, 4), order="F")), E.InvalidArgumentError)
raises("cdist-out-read-only", C, lambda e: vector.cdist(MATRIX, MATRIX, out=read_only(np.zeros((4, 4)))), E.InvalidArgumentError)
raises("cdist-out-transposed-shape", C, lambda e: vector.cdist(MATRIX[:2], MATRIX, out=np.zeros((4, 2))), E.LengthMismatchError)
raises("cdist-out-flat", C, lambda e: vector.cdist(MATRIX, MATRIX, out=np.zeros(16)), E.LengthMismatchError)
raises("cdist-out-dtype", C, lambda e: vector.cdist(MATRIX, MATRIX, out=np.zeros((4, 4), np.float32)), E.ArgumentTypeError)
raises("cdist-precision", C, lambda e: vector.cdist(MATRIX, MATRIX, precision="FAST"), E.InvalidArgumentError)
returns("cdist-no-rows", C, lambda e: vector.cdist(np.zeros((0, 3)), MATRIX), np.zeros((0, 4)))
returns("cdist-no-columns", C, lambda e: vector.cdist(np.zeros((2, 0)), np.zeros((3, 0))), np.zeros((2, 3)))
returns("cdist-nan", C, lambda e: bool(np.isnan(vector.cdist(np.full((1, 3), math.nan), MATRIX)).all()), True)
# 4 TiB of results from 8 MiB of inputs; then 2**80 cells, more than usize counts.
raises("cdist-huge-result", C, lambda e: vector.cdist(tall(2**20, 1), tall(2**20, 1)), E.CapacityError, child=True)
raises("cdist-result-overflows-usize", C, lambda e: vector.cdist(tall(2**40), tall(2**40)), E.CapacityError, child=True)
raises(
    "cdist-huge-result-out", C, lambda e: vector.cdist(tall(2**40), tall(2**40), out=np.zeros((1, 1), np.float32)),
    E.LengthMismatchError, child=True,
)  # fmt: skip

K = f"{V}.topk"
raises("topk-k-negative", K, lambda e: vector.topk(VEC, MATRIX, -1), E.InvalidArgumentError)
raises("topk-k-too-big", K, lambda e: vector.topk(VEC, MATRIX, 5), E.InvalidArgumentError)
raises("topk-k-2**63", K, lambda e: vector.topk(VEC, MATRIX, 2**63 - 1), E.InvalidArgumentError)
raises("topk-k-2**64", K, lambda e: vector.topk(VEC, MATRIX, 2**64), OverflowError)
raises("topk-k-float", K, lambda e: vector.topk(VEC, MATRIX, 1.5), TypeError)
raises("topk-k-None", K, lambda e: vector.topk(VEC, MATRIX, None), TypeError)
raises("topk-db-vector", K, lambda e: vector.topk(VEC, VEC, 1), E.InvalidArgumentError)
raises("topk-dimension", K, lambda e: vector.topk(f64(1.0), MATRIX, 1), E.LengthMismatchError)
raises("topk-queries-dimension", K, lambda e: vector.topk(np.ones((2, 2)), MATRIX, 1), E.LengthMismatchError)
raises("topk-mixed", K, lambda e: vector.topk(VEC.astype(np.float32), MATRIX, 1), E.ArgumentTypeError)
raises("topk-metric", K, lambda e: vector.topk(VEC, MATRIX, 1, "hamming"), E.InvalidArgumentError)
raises("topk-threads", K, lambda e: vector.topk(VEC, MATRIX, 1, threads=-1), E.InvalidArgumentError)
returns("topk-k-0", K, lambda e: tuple(x.shape for x in vector.topk(VEC, MATRIX, 0)), ((0,), (0,)))
returns("topk-empty-db", K, lambda e: tuple(x.shape for x in vector.topk(VEC, np.zeros((0, 3)), 0)), ((0,), (0,)))
returns(
    "topk-nan-ranks-last", K,
    lambda e: vector.topk(f64(0, 0, 0), np.array([[math.nan] * 3, [1.0, 1.0, 1.0]]), 2, "sqeuclidean")[0].tolist(), [1, 0],
)  # fmt: skip
raises("topk-huge-result", K, lambda e: vector.topk(tall(2**20, 1), tall(2**20, 1), 2**16), E.CapacityError, child=True)
raises(
    "topk-result-overflows-usize", K, lambda e: vector.topk(tall(2**40), tall(2**40), 2**40), E.CapacityError,
    child=True,
)  # fmt: skip
raises("topk-huge-queries", K, lambda e: vector.topk(tall(2**40), tall(4), 1), E.CapacityError, child=True)

# ------------------------------------------------------------------------------- logs

L = "logs"


def parse_option_cases(name: str, parse: Callable[..., Any]) -> None:
    """The options parse_file, parse_bytes and iter_batches share (`parse(**options)` parses a
    small valid input)."""
    t = f"{L}.{name}"
    raises(f"{name}-format-int", t, lambda e: parse(e, format=3), E.ArgumentTypeError)
    raises(f"{name}-format-bytes", t, lambda e: parse(e, format=b"combined"), E.ArgumentTypeError)
    raises(f"{name}-format-unknown", t, lambda e: parse(e, format="apache"), E.InvalidArgumentError)
    raises(f"{name}-format-nginx-string", t, lambda e: parse(e, format="$remote_addr $status"), E.InvalidArgumentError)
    raises(f"{name}-format-lone-surrogate", t, lambda e: parse(e, format="comb\udcffined"), UnicodeError)
    raises(f"{name}-on_error-unknown", t, lambda e: parse(e, on_error="ignore"), E.InvalidArgumentError)
    raises(f"{name}-on_error-None-string", t, lambda e: parse(e, on_error=1), E.ArgumentTypeError)
    raises(f"{name}-progress-str", t, lambda e: parse(e, progress="yes"), E.ArgumentTypeError)
    raises(f"{name}-unescape-int", t, lambda e: parse(e, unescape=1), E.ArgumentTypeError)
    raises(f"{name}-strict_utf8-None-str", t, lambda e: parse(e, strict_utf8="no"), E.ArgumentTypeError)
    raises(f"{name}-plain_columns-str", t, lambda e: parse(e, plain_columns="request"), E.ArgumentTypeError)
    raises(f"{name}-plain_columns-int-item", t, lambda e: parse(e, plain_columns=[1]), E.ArgumentTypeError)
    raises(f"{name}-plain_columns-unknown", t, lambda e: parse(e, plain_columns=["nope"]), E.InvalidArgumentError)
    raises(f"{name}-plain_columns-not-a-string-column", t, lambda e: parse(e, plain_columns=["status"]), E.InvalidArgumentError)
    raises(f"{name}-year-0", t, lambda e: parse(e, format="syslog_rfc3164", year=0), E.InvalidArgumentError)
    raises(f"{name}-year-10000", t, lambda e: parse(e, format="syslog_rfc3164", year=10_000), E.InvalidArgumentError)
    raises(f"{name}-year-2**64", t, lambda e: parse(e, format="syslog_rfc3164", year=2**64), E.InvalidArgumentError)
    raises(f"{name}-year-str", t, lambda e: parse(e, format="syslog_rfc3164", year="2024"), E.ArgumentTypeError)
    raises(f"{name}-year-bool", t, lambda e: parse(e, format="syslog_rfc3164", year=True), E.ArgumentTypeError)
    raises(
        f"{name}-year-and-reference_time", t,
        lambda e: parse(e, format="syslog_rfc3164", year=2024, reference_time=datetime.date(2024, 1, 1)), E.InvalidArgumentError,
    )  # fmt: skip
    raises(f"{name}-reference_time-str", t, lambda e: parse(e, reference_time="2024-01-01"), E.ArgumentTypeError)
    raises(f"{name}-reference_time-timestamp", t, lambda e: parse(e, reference_time=1.7e9), E.ArgumentTypeError)
    raises(f"{name}-octet_counted-wrong-format", t, lambda e: parse(e, octet_counted=True), E.InvalidArgumentError)
    raises(f"{name}-flatten-wrong-format", t, lambda e: parse(e, flatten=True), E.InvalidArgumentError)
    raises(f"{name}-unknown-keyword", t, lambda e: parse(e, colour=True), TypeError)
    returns(f"{name}-format-None-is-combined", t, lambda e: rows_of(parse(e, format=None)), 3)
    returns(f"{name}-logformat", t, lambda e: rows_of(parse(e, format=logs.LogFormat.preset("clf"))), 3)
    raises(f"{name}-on_error-raise", t, lambda e: rows_of(parse(e, on_error="raise")), E.ParseError)
    returns(f"{name}-on_error-skip", t, lambda e: rows_of(parse(e, on_error="skip")), 2)


def rows_of(result: Any) -> int:
    """The rows of a table, or of all the batches of an iterator."""
    if isinstance(result, typed_logs.LogTable):
        return result.num_rows
    return sum(int(batch.num_rows) for batch in result)


def with_threads_cases(name: str, parse: Callable[..., Any]) -> None:
    t = f"{L}.{name}"
    raises(f"{name}-threads-negative", t, lambda e: parse(e, threads=-1), E.InvalidArgumentError)
    raises(f"{name}-threads-2**62", t, lambda e: parse(e, threads=2**62), E.InvalidArgumentError)
    raises(f"{name}-threads-2**64", t, lambda e: parse(e, threads=2**64), E.InvalidArgumentError)
    raises(f"{name}-threads-float", t, lambda e: parse(e, threads=2.0), E.ArgumentTypeError)
    raises(f"{name}-threads-bool", t, lambda e: parse(e, threads=True), E.ArgumentTypeError)
    returns(f"{name}-threads-1", t, lambda e: rows_of(parse(e, threads=1)), 3)


parse_option_cases("parse_file", lambda e, **kw: logs.parse_file(e.log, **kw))
parse_option_cases("parse_bytes", lambda e, **kw: logs.parse_bytes(SMALL, **kw))
parse_option_cases("iter_batches", lambda e, **kw: logs.iter_batches(e.log, **kw))
with_threads_cases("parse_file", lambda e, **kw: logs.parse_file(e.log, **kw))
with_threads_cases("parse_bytes", lambda e, **kw: logs.parse_bytes(SMALL, **kw))

P = f"{L}.parse_file"
raises("parse_file-None", P, lambda e: logs.parse_file(None), E.ArgumentTypeError)
raises("parse_file-int", P, lambda e: logs.parse_file(3), E.ArgumentTypeError)
raises("parse_file-missing", P, lambda e: logs.parse_file(e.missing), E.FerruleIOError)
raises("parse_file-empty-path", P, lambda e: logs.parse_file(""), E.FerruleIOError)
raises("parse_file-directory", P, lambda e: logs.parse_file(e.directory), E.FerruleIOError)
raises("parse_file-unreadable", P, lambda e: logs.parse_file(e.unreadable), E.FerruleIOError, skip=AS_ROOT)
raises("parse_file-truncated-gzip", P, lambda e: logs.parse_file(e.truncated_gz), E.CorruptDataError)
raises("parse_file-corrupt-gzip", P, lambda e: logs.parse_file(e.corrupt_gz), E.CorruptDataError)
raises("parse_file-nul-in-path", P, lambda e: logs.parse_file(str(e.dir) + "/a\0b.log"), E.FerruleIOError)
raises("parse_file-missing-bytes-path", P, lambda e: logs.parse_file(os.fsencode(e.dir) + b"/\xfe.log"), E.FerruleIOError)
returns("parse_file-gzip", P, lambda e: logs.parse_file(e.gz).num_rows, 10_000)
returns("parse_file-empty-file", P, lambda e: logs.parse_file(e.empty).num_rows, 0)
returns("parse_file-bytes-path-not-utf8", P, lambda e: logs.parse_file(e.odd_name).num_rows, 3)
returns("parse_file-surrogate-escaped-path", P, lambda e: logs.parse_file(os.fsdecode(e.odd_name)).num_rows, 3)
returns("parse_file-pathlike", P, lambda e: logs.parse_file(Path(os.fsdecode(e.odd_name))).num_rows, 3)

B = f"{L}.parse_bytes"
raises("parse_bytes-None", B, lambda e: logs.parse_bytes(None), E.ArgumentTypeError)
raises("parse_bytes-str", B, lambda e: logs.parse_bytes(SMALL.decode()), E.ArgumentTypeError)
raises("parse_bytes-list", B, lambda e: logs.parse_bytes([LINE]), E.ArgumentTypeError)
raises("parse_bytes-strided", B, lambda e: logs.parse_bytes(memoryview(SMALL * 2)[::2]), E.InvalidArgumentError)
raises("parse_bytes-huge-view", B, lambda e: logs.parse_bytes(broadcast(2**40, np.uint8)), E.InvalidArgumentError, child=True)
raises("parse_bytes-strict-raise", B, lambda e: logs.parse_bytes(NOT_UTF8_LINE, strict_utf8=True, on_error="raise"), E.ParseError)
returns("parse_bytes-empty", B, lambda e: logs.parse_bytes(b"").num_rows, 0)
returns("parse_bytes-only-newlines", B, lambda e: logs.parse_bytes(b"\n\r\n\n").stats["empty"], 3)
returns("parse_bytes-read-only-buffer", B, lambda e: logs.parse_bytes(memoryview(SMALL)).num_rows, 3)
returns("parse_bytes-numpy-2d-bytes", B, lambda e: logs.parse_bytes(np.frombuffer(LINE * 2, np.uint8).reshape(2, -1)).num_rows, 2)
returns("parse_bytes-not-utf8-is-lossy", B, lambda e: table_text(logs.parse_bytes(NOT_UTF8_LINE), "user_agent"), "cu\ufffdrl")
returns("parse_bytes-not-utf8-raw", B, lambda e: logs.parse_bytes(NOT_UTF8_LINE).dictionary("user_agent", raw=True), [b"cu\xffrl"])
returns(
    "parse_bytes-not-utf8-strict", B,
    lambda e: [(x.line, x.code) for x in logs.parse_bytes(NOT_UTF8_LINE, strict_utf8=True).errors], [(1, "INVALID_UTF8")],
)  # fmt: skip
returns("parse_bytes-nul-in-line", B, lambda e: logs.parse_bytes(LINE.replace(b"curl", b"c\0rl")).column("status").tolist(), [200])
returns("parse_bytes-gzip-is-not-inflated", B, lambda e: logs.parse_bytes(e.gz.read_bytes()).stats["ok"], 0)


def table_text(t: typed_logs.LogTable, name: str) -> str:
    return t.dictionary(name)[int(t.column(name)[0])]


I = f"{L}.iter_batches"
raises("iter_batches-None", I, lambda e: logs.iter_batches(None), E.ArgumentTypeError)
raises("iter_batches-missing", I, lambda e: logs.iter_batches(e.missing), E.FerruleIOError)
raises("iter_batches-directory", I, lambda e: logs.iter_batches(e.directory), E.FerruleIOError)
raises("iter_batches-unreadable", I, lambda e: logs.iter_batches(e.unreadable), E.FerruleIOError, skip=AS_ROOT)
raises("iter_batches-truncated-gzip", I, lambda e: list(logs.iter_batches(e.truncated_gz)), E.CorruptDataError)
raises("iter_batches-corrupt-gzip", I, lambda e: list(logs.iter_batches(e.corrupt_gz, batch_rows=100)), E.CorruptDataError)
raises("iter_batches-batch_rows-0", I, lambda e: logs.iter_batches(e.log, batch_rows=0), E.InvalidArgumentError)
raises("iter_batches-batch_rows-negative", I, lambda e: logs.iter_batches(e.log, batch_rows=-1), E.InvalidArgumentError)
raises("iter_batches-batch_rows-2**64", I, lambda e: logs.iter_batches(e.log, batch_rows=2**64), E.InvalidArgumentError)
raises("iter_batches-batch_rows-float", I, lambda e: logs.iter_batches(e.log, batch_rows=10.0), E.ArgumentTypeError)
raises("iter_batches-batch_rows-bool", I, lambda e: logs.iter_batches(e.log, batch_rows=True), E.ArgumentTypeError)
raises("iter_batches-no-threads-option", I, lambda e: logs.iter_batches(e.log, threads=2), TypeError)
returns("iter_batches-batch_rows-2**63", I, lambda e: [b.num_rows for b in logs.iter_batches(e.log, batch_rows=2**63 - 1)], [3])
returns("iter_batches-batch_rows-1", I, lambda e: [b.num_rows for b in logs.iter_batches(e.log, batch_rows=1)], [1, 1, 1])
returns("iter_batches-empty-file", I, lambda e: rows_of(logs.iter_batches(e.empty)), 0)
returns("iter_batches-gzip", I, lambda e: rows_of(logs.iter_batches(e.gz, batch_rows=4096)), 10_000)
returns("iter_batches-bytes-path-not-utf8", I, lambda e: rows_of(logs.iter_batches(e.odd_name)), 3)
raises("iter_batches-raise-ends-iteration", I, lambda e: list(logs.iter_batches(e.log, on_error="raise")), E.ParseError)

BI = "BatchIterator"
raises("BatchIterator-no-constructor", BI, lambda e: logs.BatchIterator(), TypeError)


def closed_iterator(e: Env) -> logs.BatchIterator:
    batches = logs.iter_batches(e.log)
    batches.close()
    return batches


def after_error(e: Env) -> list[int]:
    batches = logs.iter_batches(e.truncated_gz, batch_rows=10)
    with pytest.raises(E.CorruptDataError):
        list(batches)
    return [b.num_rows for b in batches]  # ended: nothing more, no second error


returns("BatchIterator-next-after-close", f"{BI}.__next__", lambda e: next(closed_iterator(e), "end"), "end")
returns("BatchIterator-next-after-error", f"{BI}.__next__", after_error, [])
returns("BatchIterator-close-twice", f"{BI}.close", lambda e: closed_iterator(e).close(), None)
raises("BatchIterator-close-argument", f"{BI}.close", lambda e: closed_iterator(e).close(1), TypeError)
returns("BatchIterator-iter-is-self", f"{BI}.__iter__", lambda e: (lambda b: iter(b) is b)(logs.iter_batches(e.log)), True)

SP = "StreamParser"


def finished_parser() -> logs.StreamParser:
    parser = logs.StreamParser()
    parser.push(LINE)
    parser.finish()
    return parser


def pushed(*chunks: bytes, **options: Any) -> logs.StreamParser:
    parser = logs.StreamParser(**options)
    for chunk in chunks:
        parser.push(chunk)
    return parser


raises("StreamParser-format-unknown", SP, lambda e: logs.StreamParser("nope"), E.InvalidArgumentError)
raises("StreamParser-format-int", SP, lambda e: logs.StreamParser(1), E.ArgumentTypeError)
raises("StreamParser-on_error", SP, lambda e: logs.StreamParser(on_error="abort"), E.InvalidArgumentError)
raises("StreamParser-year", SP, lambda e: logs.StreamParser("syslog_rfc3164", year=-1), E.InvalidArgumentError)
raises("StreamParser-octet_counted", SP, lambda e: logs.StreamParser(octet_counted=True), E.InvalidArgumentError)
raises("StreamParser-no-threads-option", SP, lambda e: logs.StreamParser(threads=1), TypeError)
returns("StreamParser-format-None", SP, lambda e: logs.StreamParser(None).finished, False)
raises("StreamParser.push-None", f"{SP}.push", lambda e: logs.StreamParser().push(None), E.ArgumentTypeError)
raises("StreamParser.push-str", f"{SP}.push", lambda e: logs.StreamParser().push("line\n"), E.ArgumentTypeError)
raises("StreamParser.push-strided", f"{SP}.push", lambda e: logs.StreamParser().push(memoryview(SMALL)[::3]), E.InvalidArgumentError)
raises(
    "StreamParser.push-huge-view", f"{SP}.push", lambda e: logs.StreamParser().push(broadcast(2**40, np.uint8)),
    E.InvalidArgumentError, child=True,
)  # fmt: skip
raises("StreamParser.push-after-finish", f"{SP}.push", lambda e: finished_parser().push(LINE), E.InvalidArgumentError)
raises("StreamParser.push-raise", f"{SP}.push", lambda e: pushed(BAD_LINE, on_error="raise"), E.ParseError)
raises(
    "StreamParser.push-raise-again", f"{SP}.push",
    lambda e: (lambda p: p.push(LINE))(pushed_after_error()), E.ParseError,
)  # fmt: skip
returns("StreamParser.push-empty", f"{SP}.push", lambda e: pushed(b"", b"").lines, 0)
returns("StreamParser.push-not-utf8", f"{SP}.push", lambda e: pushed(NOT_UTF8_LINE, strict_utf8=True).take_batch().stats["errors"], 1)
raises("StreamParser.finish-twice", f"{SP}.finish", lambda e: finished_parser().finish(), E.InvalidArgumentError)
returns("StreamParser.finish-empty", f"{SP}.finish", lambda e: logs.StreamParser().finish().num_rows, 0)
returns("StreamParser.finish-partial-line", f"{SP}.finish", lambda e: pushed(LINE[:-1]).finish().num_rows, 1)
returns("StreamParser.take_batch-after-finish", f"{SP}.take_batch", lambda e: finished_parser().take_batch().num_rows, 0)
returns("StreamParser.take_batch-nothing", f"{SP}.take_batch", lambda e: logs.StreamParser().take_batch().num_rows, 0)
returns("StreamParser.pending_bytes", f"{SP}.pending_bytes", lambda e: pushed(LINE, LINE[:10]).pending_bytes, 10)
returns("StreamParser.rows_buffered", f"{SP}.rows_buffered", lambda e: pushed(LINE, BAD_LINE).rows_buffered, 2)
returns("StreamParser.lines", f"{SP}.lines", lambda e: pushed(LINE, b"\n", LINE[:5]).lines, 2)
returns("StreamParser.finished", f"{SP}.finished", lambda e: finished_parser().finished, True)


def pushed_after_error() -> logs.StreamParser:
    parser = logs.StreamParser(on_error="raise")
    with pytest.raises(E.ParseError):
        parser.push(BAD_LINE)
    return parser


SD = f"{L}.parse_structured_data"
raises("parse_structured_data-None", SD, lambda e: logs.parse_structured_data(None), E.ArgumentTypeError)
raises("parse_structured_data-int", SD, lambda e: logs.parse_structured_data(5), E.ArgumentTypeError)
raises("parse_structured_data-empty", SD, lambda e: logs.parse_structured_data(""), E.ParseError)
raises("parse_structured_data-unclosed", SD, lambda e: logs.parse_structured_data('[id a="1"'), E.ParseError)
raises("parse_structured_data-unquoted", SD, lambda e: logs.parse_structured_data("[id a=1]"), E.ParseError)
raises("parse_structured_data-strided", SD, lambda e: logs.parse_structured_data(memoryview(b"[a][b]")[::2]), E.InvalidArgumentError)
returns("parse_structured_data-dash", SD, lambda e: logs.parse_structured_data("-"), [])
returns("parse_structured_data-bytes", SD, lambda e: logs.parse_structured_data(b'[x@1 k="v"]'), [("x@1", [("k", "v")])])
# Not UTF-8 / lone surrogates: decoded lossily (U+FFFD), as Node's strings would hold them.
returns(
    "parse_structured_data-not-utf8", SD, lambda e: logs.parse_structured_data(b'[a b="\xff"]'), [("a", [("b", "\ufffd")])]
)  # fmt: skip
returns(
    "parse_structured_data-lone-surrogate", SD, lambda e: logs.parse_structured_data('[a b="x\udcffy"]')[0][1][0][1]
    .startswith("x\ufffd"), True,
)  # fmt: skip

LF = "LogFormat"


def format_maker_cases(kind: str) -> None:
    make = getattr(logs.LogFormat, kind)
    raises(f"LogFormat.{kind}-None", f"{LF}.{kind}", lambda e: make(None), E.ArgumentTypeError)
    raises(f"LogFormat.{kind}-bytes", f"{LF}.{kind}", lambda e: make(b"combined"), E.ArgumentTypeError)
    raises(f"LogFormat.{kind}-int", f"{LF}.{kind}", lambda e: make(0), E.ArgumentTypeError)
    # A str that has no UTF-8 form: a UnicodeError, like InvalidUtf8Error elsewhere.
    raises(f"LogFormat.{kind}-lone-surrogate", f"{LF}.{kind}", lambda e: make("<a> $a %h \udcff"), UnicodeError)


for _kind in ("preset", "nginx", "apache", "template"):
    format_maker_cases(_kind)
raises("LogFormat.preset-unknown", f"{LF}.preset", lambda e: logs.LogFormat.preset("COMBINED"), E.InvalidArgumentError)
raises("LogFormat.preset-empty", f"{LF}.preset", lambda e: logs.LogFormat.preset(""), E.InvalidArgumentError)
raises("LogFormat.nginx-empty", f"{LF}.nginx", lambda e: logs.LogFormat.nginx(""), E.ParseError)
raises("LogFormat.nginx-no-variables", f"{LF}.nginx", lambda e: logs.LogFormat.nginx("just text"), E.ParseError)
raises("LogFormat.nginx-adjacent", f"{LF}.nginx", lambda e: logs.LogFormat.nginx("$a$b"), E.ParseError)
raises("LogFormat.apache-empty", f"{LF}.apache", lambda e: logs.LogFormat.apache(""), E.ParseError)
raises("LogFormat.apache-trailing-percent", f"{LF}.apache", lambda e: logs.LogFormat.apache("%h %"), E.ParseError)
raises("LogFormat.apache-adjacent", f"{LF}.apache", lambda e: logs.LogFormat.apache("%h%u"), E.ParseError)
raises("LogFormat.apache-not-a-directive", f"{LF}.apache", lambda e: logs.LogFormat.apache("%h %1"), E.ParseError)
raises("LogFormat.template-empty", f"{LF}.template", lambda e: logs.LogFormat.template(""), E.ParseError)
raises("LogFormat.template-unclosed", f"{LF}.template", lambda e: logs.LogFormat.template("<Date"), E.ParseError)
raises("LogFormat.template-reserved-name", f"{LF}.template", lambda e: logs.LogFormat.template("<line> <x>"), E.ParseError)
raises("LogFormat.template-bad-type", f"{LF}.template", lambda e: logs.LogFormat.template("<a:complex>"), E.ParseError)
# Adjacent template fields are fine: each takes the shortest text that lets the rest match.
returns("LogFormat.template-adjacent", f"{LF}.template", lambda e: logs.LogFormat.template("<a><b>").column_names[1:3], ["a", "b"])
returns("LogFormat.kind", f"{LF}.kind", lambda e: logs.LogFormat.nginx("$a $b").kind, "nginx")
returns("LogFormat.spec", f"{LF}.spec", lambda e: logs.LogFormat.preset("clf").spec, "clf")
returns("LogFormat.column_names", f"{LF}.column_names", lambda e: logs.LogFormat.template("<A> <B>").column_names,
        ["line", "A", "B", "error", "error_offset"])  # fmt: skip
returns("LogFormat.schema", f"{LF}.schema", lambda e: logs.LogFormat.template("<N:int>").schema,
        [("line", "uint64"), ("N", "int64"), ("error", "dictionary"), ("error_offset", "uint64")])  # fmt: skip
returns("LogFormat.reduce", f"{LF}.__reduce__", lambda e: pickle.loads(pickle.dumps(logs.LogFormat.apache("%h %s"))),
        logs.LogFormat.apache("%h %s"))  # fmt: skip
raises("LogFormat-no-constructor", LF, lambda e: logs.LogFormat("combined"), TypeError)

LT = "LogTable"
raises("LogTable-no-constructor", LT, lambda e: logs.LogTable(), TypeError)


def column_lookup_cases(method: str) -> None:
    t = f"{LT}.{method}"
    raises(f"LogTable.{method}-unknown", t, lambda e: getattr(table(), method)("nope"), E.InvalidArgumentError)
    raises(f"LogTable.{method}-None", t, lambda e: getattr(table(), method)(None), E.ArgumentTypeError)
    raises(f"LogTable.{method}-index", t, lambda e: getattr(table(), method)(0), E.ArgumentTypeError)
    raises(f"LogTable.{method}-bytes", t, lambda e: getattr(table(), method)(b"status"), E.ArgumentTypeError)
    raises(f"LogTable.{method}-empty-name", t, lambda e: getattr(table(), method)(""), E.InvalidArgumentError)
    raises(f"LogTable.{method}-lone-surrogate", t, lambda e: getattr(table(), method)("\udcff"), UnicodeError)


for _method in ("column", "validity", "null_count", "dictionary"):
    column_lookup_cases(_method)
raises("LogTable.column-raw-str", f"{LT}.column", lambda e: table().column("request", raw="yes"), E.ArgumentTypeError)
raises("LogTable.dictionary-numeric", f"{LT}.dictionary", lambda e: table().dictionary("status"), E.InvalidArgumentError)
raises("LogTable.dictionary-plain", f"{LT}.dictionary", lambda e: table().dictionary("request"), E.InvalidArgumentError)
raises("LogTable.column-read-only", f"{LT}.column", lambda e: table().column("status").__setitem__(0, 1), ValueError)
returns("LogTable.column-null-bytes", f"{LT}.column", lambda e: table().column("bytes").tolist()[1], 0)
returns("LogTable.validity-null-bytes", f"{LT}.validity", lambda e: table().validity("bytes").tolist(), [True, False, True])
returns("LogTable.null_count", f"{LT}.null_count", lambda e: table().null_count("bytes"), 1)
returns("LogTable.dictionary-raw", f"{LT}.dictionary", lambda e: table().dictionary("method", raw=True), [b"GET", b"POST"])
returns("LogTable.column-empty-table", f"{LT}.column", lambda e: logs.parse_bytes(b"").column("status").tolist(), [])
returns("LogTable.len", f"{LT}.__len__", lambda e: len(table()), 3)
returns("LogTable.num_rows", f"{LT}.num_rows", lambda e: logs.parse_bytes(b"\n").num_rows, 0)
returns("LogTable.num_columns", f"{LT}.num_columns", lambda e: table().num_columns, len(table().column_names))
returns("LogTable.column_names", f"{LT}.column_names", lambda e: table().column_names[:2], ["line", "vhost"])
returns("LogTable.schema", f"{LT}.schema", lambda e: table().schema[0], ("line", "uint64"))
returns("LogTable.errors", f"{LT}.errors", lambda e: [(x.line, x.code) for x in table().errors], [(3, "UNTERMINATED_QUOTE")])
returns("LogTable.stats", f"{LT}.stats", lambda e: {k: v for k, v in table().stats.items() if k != "seconds"},
        {"lines": 3, "ok": 2, "errors": 1, "skipped": 0, "empty": 0, "bytes": len(SMALL)})  # fmt: skip
returns("LogTable.nbytes", f"{LT}.nbytes", lambda e: table().nbytes > 0, True)
returns("LogTable.to_arrow", f"{LT}.to_arrow", lambda e: table().to_arrow().num_rows, 3)
returns("LogTable.to_arrow-empty", f"{LT}.to_arrow", lambda e: logs.parse_bytes(b"").to_arrow().num_rows, 0)
raises("LogTable.to_pandas-bad-keyword", f"{LT}.to_pandas", lambda e: table().to_pandas(colour=1), TypeError)
returns("LogTable.to_pandas", f"{LT}.to_pandas", lambda e: len(table().to_pandas()), 3)
returns("LogTable.to_polars", f"{LT}.to_polars", lambda e: table().to_polars().height, 3)
satisfies("LogTable.arrow_c_stream-schema-ignored", f"{LT}.__arrow_c_stream__",
          lambda e: table().__arrow_c_stream__(requested_schema=object()), lambda c: type(c).__name__ == "PyCapsule")  # fmt: skip

LE = "LogError"
raises("LogError-no-constructor", LE, lambda e: logs.LogError(), TypeError)
returns("LogError.line", f"{LE}.line", lambda e: log_error().line, 3)
returns("LogError.code", f"{LE}.code", lambda e: log_error().code, "UNTERMINATED_QUOTE")
returns("LogError.offset", f"{LE}.offset", lambda e: log_error().offset <= len(BAD_LINE), True)
returns("LogError.raw", f"{LE}.raw", lambda e: log_error().raw, BAD_LINE.rstrip(b"\n"))
returns("LogError.text-not-utf8", f"{LE}.text",
        lambda e: logs.parse_bytes(b"\xff\xfe bad", strict_utf8=True).errors[0].text, "\ufffd\ufffd bad")  # fmt: skip
returns("LogError.raw-not-utf8", f"{LE}.raw", lambda e: logs.parse_bytes(b"\xff\xfe bad").errors[0].raw, b"\xff\xfe bad")

# ------------------------------------------------------------------------------- FERRULE_MAX_ISA

# Run in a child (ferrule reads the variable once per process): the SIMD level, the same call
# twice (one warning per process, not per call), and results that must not depend on the level.
ISA_PROBE = """
import json, numpy as np, ferrule
from ferrule import vector
x = np.arange(100, dtype=np.float32)
first = vector.dot(x, x)
caps = ferrule.capabilities()
ferrule.capabilities()
print(json.dumps({"isa": caps["isa"], "dot": [first, vector.dot(x, x)],
                  "cdist": vector.cdist(x[None, :], x[None, :] + 1).tolist()}))
"""
WARNING = "ferrule: warning: FERRULE_MAX_ISA"


def isa_probe(value: bytes | None) -> dict[str, Any]:
    """ISA_PROBE's output with FERRULE_MAX_ISA set to `value` (raw bytes), and its stderr lines."""
    env = {k: v for k, v in os.environb.items() if k != b"FERRULE_MAX_ISA"}
    if value is not None:
        env[b"FERRULE_MAX_ISA"] = value
    out = subprocess.run([sys.executable, "-c", ISA_PROBE], env=env, capture_output=True, timeout=120)
    stderr = out.stderr.decode(errors="replace").splitlines()
    if out.returncode != 0:
        return {"returncode": out.returncode, "stderr": stderr}
    result: dict[str, Any] = json.loads(out.stdout)
    result["stderr"] = stderr
    return result


UNSET: dict[str, Any] = {}


def unset_probe() -> dict[str, Any]:
    if not UNSET:
        UNSET.update(isa_probe(None))
    return UNSET


def falls_back_and_warns_once(result: dict[str, Any]) -> bool:
    baseline = unset_probe()
    warnings = [line for line in result["stderr"] if "FERRULE_MAX_ISA" in line]
    return (
        result.get("isa") == baseline["isa"]
        and result["dot"] == [328350.0, 328350.0]
        and result["cdist"] == [[100.0]]
        and len(warnings) == 1
        and warnings[0].startswith(WARNING)
    )


def no_warning(result: dict[str, Any]) -> bool:
    return result.get("dot") == [328350.0, 328350.0] and not [s for s in result["stderr"] if "FERRULE_MAX_ISA" in s]


OTHER_ARCH = b"avx2" if platform.machine().lower() in ("arm64", "aarch64") else b"neon"


def garbage_isa_case(label: str, value: bytes) -> None:
    satisfies(f"FERRULE_MAX_ISA-{label}", "capabilities", lambda e: isa_probe(value), falls_back_and_warns_once)


for _label, _value in [("unknown", b"fastest"), ("other-arch", OTHER_ARCH), ("not-utf8", b"\xff\xfeavx2"),
                       ("very-long", b"x" * 10_000), ("control-character", b"scalar\x01")]:  # fmt: skip
    garbage_isa_case(_label, _value)
satisfies("FERRULE_MAX_ISA-scalar", "capabilities", lambda e: isa_probe(b"scalar"),
          lambda r: r.get("isa") == "scalar" and no_warning(r))  # fmt: skip
# A level's name in another case or with spaces around it is that level.
satisfies("FERRULE_MAX_ISA-uppercase", "capabilities", lambda e: isa_probe(b"SCALAR"),
          lambda r: r.get("isa") == "scalar" and no_warning(r))  # fmt: skip
satisfies("FERRULE_MAX_ISA-spaces", "capabilities", lambda e: isa_probe(b" scalar\t"),
          lambda r: r.get("isa") == "scalar" and no_warning(r))  # fmt: skip
satisfies("FERRULE_MAX_ISA-empty", "capabilities", lambda e: isa_probe(b""),
          lambda r: r.get("isa") == unset_probe()["isa"] and no_warning(r))  # fmt: skip


# ------------------------------------------------------------------------------- running


def len_after_bad_batch() -> int:
    """A batch with a bad element raises before inserting any of its values."""
    pool = make_pool()
    with pytest.raises(E.ArgumentTypeError):
        pool.intern_many(["new", "newer", 3])
    return len(pool)


def check(case: Case, env: Env) -> None:
    """Runs a case in this process and asserts its outcome."""
    if case.raises is None:
        result = case.call(env)
        if case.satisfies is not None:
            assert case.satisfies(result), f"{case.name}: unexpected result {result!r}"[:2000]
        else:
            assert same(result, case.returns), f"{case.name}: {result!r} != {case.returns!r}"[:2000]
        return
    try:
        result = case.call(env)
    except BaseException as err:  # noqa: BLE001 - the point: whatever it raised is checked
        expected = case.raises if isinstance(case.raises, tuple) else (case.raises,)
        assert isinstance(err, expected), f"{case.name}: {type(err).__qualname__}: {err} (expected {expected})"
        assert not isinstance(err, E.InternalError) or E.InternalError in expected, f"{case.name}: {err}"
        ferrule_classes = [c for c in expected if issubclass(c, E.FerruleError)]
        if len(expected) == 1 and ferrule_classes:
            # The exact class: a subclass would be another documented error.
            assert type(err) is ferrule_classes[0], f"{case.name}: {type(err).__name__}: {err}"
        if isinstance(err, E.FerruleError):
            assert err.code == (case.code or type(err).default_code), f"{case.name}: code {err.code}"
            assert str(err), f"{case.name}: an error without a message"
        return
    pytest.fail(f"{case.name}: returned {result!r} instead of raising {case.raises}"[:2000])


# A case that crashes, to show that the child runner reports a crash (not in CASES).
CRASH = Case("self-test-crash", "version", lambda e: os.abort(), raises=E.InternalError, child=True)


def run_in_child(root: str, names: list[str]) -> None:
    """The child's side of the `child` cases: runs them one after the other, printing a JSON
    line when each starts and when it ends, so that the parent knows which one a crash hit."""
    env = Env.create(Path(root))
    for name in names:
        case = next(c for c in [*CASES, CRASH] if c.name == name)
        print(json.dumps({"case": name, "started": True}), flush=True)
        try:
            check(case, env)
            message = None
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            message = f"{type(err).__name__}: {err}"
        print(json.dumps({"case": name, "failure": message}), flush=True)


# The child: a bounded address space (8 GiB), so that a bug that really allocates what a case
# asks for fails there instead of swapping or waking the OOM killer.
CHILD = """
import importlib.util, resource, sys
limit = 8 << 30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
spec = importlib.util.spec_from_file_location("ferrule_bad_input_cases", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
module.run_in_child(sys.argv[2], sys.argv[3:])
"""
CHILD_TIMEOUT = 240


def run_children(names: list[str], root: Path) -> dict[str, str | None]:
    """Runs the named cases in child processes: {name: None if it passed, else why not}.

    One child runs them all in turn; when one crashes (or hangs) it is reported as such, and a
    new child goes on with the cases after it."""
    results: dict[str, str | None] = {}
    pending = list(names)
    while pending:
        command = [sys.executable, "-c", CHILD, __file__, str(root / f"run-{len(results)}"), *pending]
        try:
            # Few malloc arenas and threads, so that the address-space limit measures the cases
            # and not the number of cores (glibc reserves 64 MB per arena).
            env = {**os.environ, "MALLOC_ARENA_MAX": "2", "OPENBLAS_NUM_THREADS": "1", "RAYON_NUM_THREADS": "2"}
            out = subprocess.run(command, capture_output=True, timeout=CHILD_TIMEOUT, env=env)
            stdout, stderr, how = out.stdout, out.stderr, (
                f"killed by signal {-out.returncode}" if out.returncode < 0 else f"exit status {out.returncode}"
            )
        except subprocess.TimeoutExpired as err:
            stdout, stderr, how = err.stdout or b"", err.stderr or b"", f"hung: no answer in {CHILD_TIMEOUT} s"
        running = None
        for line in stdout.decode(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            if event.get("started"):
                running = event["case"]
            else:
                results[event["case"]] = event["failure"]
                running = None
        tail = stderr.decode(errors="replace")[-3000:]
        if running is not None:
            results[running] = f"the child died in this case ({how}):\n{tail}"
        elif any(name not in results for name in pending):
            # Died before or between cases: everything left fails with what it said.
            for name in pending:
                results.setdefault(name, f"the child failed outside the cases ({how}):\n{tail}")
        pending = [name for name in pending if name not in results]
    return results


CHILD_RESULTS: dict[str, str | None] = {}


@pytest.fixture(scope="module")
def child_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    """The outcomes of every `child` case, run at the first one that needs them."""
    if not CHILD_RESULTS:
        names = [case.name for case in CASES if case.child and not case.skip]
        CHILD_RESULTS.update(run_children(names, tmp_path_factory.mktemp("children")))
    return CHILD_RESULTS


def params() -> Iterator[Any]:
    for case in CASES:
        marks = []
        if case.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        if case.skip:
            marks.append(pytest.mark.skip(reason=case.skip))
        yield pytest.param(case, id=case.name, marks=marks)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("bad-input")
    made = Env.create(root)
    yield made
    made.unreadable.chmod(0o600)  # so that pytest can clean the directory up


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A case that hangs prints every stack and ends the run instead of blocking it."""
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.mark.parametrize("case", list(params()))
def test_bad_input(case: Case, env: Env, request: pytest.FixtureRequest) -> None:
    if case.child:
        failure = request.getfixturevalue("child_results")[case.name]
        if failure is not None:
            pytest.fail(f"{case.name} (in a child process): {failure}")
    else:
        check(case, env)


# ------------------------------------------------------------------------------- completeness


def public_callables() -> dict[str, Any]:
    """Every public callable of the package, by the name cases use as `target`: functions
    ("version", "vector.dot", "logs.parse_file"), classes ("StringPool": the constructor), and
    each class's public methods, properties and protocol methods ("StringPool.intern",
    "LogTable.num_rows", "StringPool.__getitem__")."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    modules = [("", typed_ferrule), ("vector.", typed_vector), ("logs.", typed_logs), ("", typed_errors)]
    for prefix, module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType) or not callable(obj) or id(obj) in seen or name in EXEMPT:
                continue
            seen.add(id(obj))
            if not inspect.isclass(obj):
                found[prefix + name] = obj
                continue
            found[name] = obj
            for member, value in vars(obj).items():
                if member.startswith("_") and member not in PROTOCOL:
                    continue
                if callable(value) or inspect.isdatadescriptor(value) or isinstance(value, (classmethod, staticmethod)):
                    found[f"{name}.{member}"] = value
    return found


def test_every_public_callable_has_a_case() -> None:
    api = public_callables()
    covered = {case.target for case in CASES}
    missing = sorted(set(api) - covered)
    assert not missing, f"public callables without a bad-input case: {missing}"
    unknown = sorted(covered - set(api))
    assert not unknown, f"cases naming no public callable: {unknown}"
    # The walk sees what it should: the modules' functions and the classes' members.
    assert {"vector.topk", "logs.parse_file", "StringPool.intern", "LogTable.num_rows",
            "FrozenStringPool.__arrow_c_array__", "BatchIterator.__next__", "ParseError"} <= set(api)  # fmt: skip
    for name in EXEMPT:
        assert typing.is_typeddict(getattr(ferrule, name, None) or getattr(logs, name)), name


def test_the_table_is_well_formed() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in CASES:
        # Exactly one expectation: an exception, a value or a check.
        expectations = [case.raises is not None, case.returns is not NOTHING, case.satisfies is not None]
        assert expectations.count(True) == 1, case.name
    assert len(CASES) >= 400


def test_the_child_runner_reports_failures(tmp_path: Path) -> None:
    """A crash in a child case is a failure, not a pass (the runner itself can fail)."""
    results = run_children([CRASH.name, "dot-huge-copy"], tmp_path)
    assert "died in this case (killed by signal" in str(results[CRASH.name])
    assert results["dot-huge-copy"] is None  # run by a second child

