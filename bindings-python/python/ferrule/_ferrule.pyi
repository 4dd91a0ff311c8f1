"""Type stubs of the native module ``ferrule._ferrule`` (checked by ``mypy.stubtest``)."""

import os
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn, SupportsIndex, TypeAlias, final

import numpy as np
import numpy.typing as npt
from typing_extensions import Buffer, Self

from ferrule._typing import ArrowArrayExportable, ArrowStreamExportable, Capabilities

# What `intern_many` reads: str values in a list, tuple, NumPy array (dtype U, T or object), an
# Arrow string array or stream, or any iterable.
_Values: TypeAlias = (
    Iterable[str]
    | npt.NDArray[np.str_]
    | npt.NDArray[np.object_]
    | ArrowArrayExportable
    | ArrowStreamExportable
)
# What `factorize` reads: the same, where None and NaN are missing values.
_FactorizeValues: TypeAlias = (
    Iterable[str | float | None]
    | npt.NDArray[np.str_]
    | npt.NDArray[np.object_]
    | ArrowArrayExportable
    | ArrowStreamExportable
)
# Pool ids: a NumPy array of uint32 or int64 (read in place), or any ints.
_Ids: TypeAlias = npt.NDArray[np.uint32] | npt.NDArray[np.int64] | Iterable[SupportsIndex]

__all__ = [
    "__version__",
    "version",
    "capabilities",
    "StringPool",
    "FrozenStringPool",
    "factorize",
    "_debug_raise",
    "_debug_panic",
]
__version__: str

def version() -> str:
    """ferrule's version, e.g. ``"0.1.0"``."""

def capabilities() -> Capabilities:
    """The CPU features detected at run time and the SIMD level ferrule uses.

    The level can be capped with the environment variable ``FERRULE_MAX_ISA``
    (``scalar``, ``avx2``, ``avx512``, ``neon``); a value that names no level of this
    CPU is ignored with one warning line on stderr.
    """

@final
class StringPool:
    """A dictionary of strings: each distinct value stored once, named by a dense ``int`` id.

    Ids are given in first-seen order from 0. Safe to share between threads: batch calls release
    the GIL, and every thread sees the same id for the same value. Values are ``str`` (stored as
    UTF-8) or any ``bytes``; ``pool[id]`` raises ``InvalidUtf8Error`` for a value interned as
    non-UTF-8 bytes (``resolve_bytes`` gives those).
    """

    def __new__(cls) -> Self: ...
    def intern(self, value: str | bytes) -> int:
        """The id of ``value``, inserting it if it is new."""

    def intern_many(self, values: _Values) -> npt.NDArray[np.uint32]:
        """The ids of ``values`` in order (new values inserted in first-seen order).

        ``values``: a list or tuple of ``str``, a NumPy array of ``str`` (dtype ``U``, ``T`` or
        object), or an Arrow string array or stream (pyarrow ``StringArray``,
        ``LargeStringArray``, ``StringViewArray``, ``ChunkedArray``, a polars ``Series``...), read
        in place. A non-string element (``None`` and Arrow nulls included) raises
        ``ArgumentTypeError`` naming its index. Releases the GIL while interning.
        """

    def get(self, value: str | bytes) -> int | None:
        """The id of ``value``, or ``None`` if the pool does not hold it."""

    def resolve_bytes(self, id: SupportsIndex) -> bytes:
        """The value of ``id`` as bytes (whether or not it is UTF-8)."""

    def resolve_many(self, ids: _Ids) -> list[str]:
        """The values of ``ids`` (a NumPy array of ``uint32``/``int64`` read in place, or ints)."""

    def to_arrow(self) -> Any:
        """The dictionary as a ``pyarrow.StringArray`` (``BinaryArray`` if a value is not UTF-8).

        Value ``i`` is id ``i``: a frozen copy of the pool, exported without a further copy.
        Needs pyarrow.
        """

    def freeze(self) -> FrozenStringPool:
        """An immutable copy (same ids), exported to Arrow without copying."""

    @property
    def nbytes(self) -> int:
        """Heap bytes held."""

    def to_bytes(self) -> bytes:
        """The pool in ferrule's versioned binary format (``from_bytes`` reads it, same ids)."""

    @classmethod
    def from_bytes(cls, data: Buffer) -> StringPool:
        """Reads ``to_bytes`` output from any bytes-like object (``CorruptDataError`` if damaged)."""

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes ``to_bytes`` to ``path`` (through a temporary file renamed into place)."""

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> StringPool:
        """Reads a pool written by ``save``."""

    def __len__(self) -> int: ...
    def __contains__(self, value: object, /) -> bool: ...
    def __getitem__(self, id: SupportsIndex, /) -> str: ...
    def __iter__(self) -> Iterator[str]: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

@final
class FrozenStringPool:
    """An immutable string pool (``StringPool.freeze()``, ``from_bytes``, ``load``).

    The same lookups as ``StringPool``, and a dictionary Arrow reads in place: ``to_arrow()``
    and ``pyarrow.array(frozen)`` copy nothing.
    """

    def get(self, value: str | bytes) -> int | None:
        """The id of ``value``, or ``None`` if the pool does not hold it."""

    def resolve_bytes(self, id: SupportsIndex) -> bytes:
        """The value of ``id`` as bytes (whether or not it is UTF-8)."""

    def resolve_many(self, ids: _Ids) -> list[str]:
        """The values of ``ids`` as a list of ``str``."""

    def to_arrow(self) -> Any:
        """The dictionary as a ``pyarrow.StringArray`` over the pool's buffers (no copy).

        ``BinaryArray`` if a value is not UTF-8; the array keeps the buffers alive. Needs pyarrow.
        """

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        """The Arrow PyCapsule protocol: utf8 (binary if a value is not UTF-8), zero-copy."""

    @property
    def nbytes(self) -> int:
        """Heap bytes held."""

    def to_bytes(self) -> bytes:
        """The pool in ferrule's versioned binary format."""

    @classmethod
    def from_bytes(cls, data: Buffer) -> FrozenStringPool:
        """Reads ``to_bytes`` output (of either pool class) from any bytes-like object."""

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes ``to_bytes`` to ``path``."""

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FrozenStringPool:
        """Reads a pool written by ``save`` (of either pool class)."""

    def __len__(self) -> int: ...
    def __contains__(self, value: object, /) -> bool: ...
    def __getitem__(self, id: SupportsIndex, /) -> str: ...
    def __iter__(self) -> Iterator[str]: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

def factorize(
    values: _FactorizeValues,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """``(codes, uniques)`` like ``pandas.factorize``: codes in first-seen order, -1 for missing.

    ``None`` and float NaN are missing values; ``uniques`` is an object array of ``str``.
    """

def _debug_raise(
    code: str, message: str, line: int | None = None, offset: int | None = None
) -> NoReturn: ...
def _debug_panic(message: str) -> NoReturn: ...
