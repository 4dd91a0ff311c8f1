"""ferrule: fast string pools, SIMD vector math and log parsing, from one Rust core.

>>> import ferrule
>>> ferrule.__version__  # doctest: +SKIP
'0.1.0'
>>> sorted(ferrule.capabilities())
['features', 'isa']
"""

from __future__ import annotations

from ferrule._ferrule import __version__, capabilities, version
from ferrule._typing import Capabilities
from ferrule.errors import (
    CapacityError,
    OutOfRangeError,
    CorruptDataError,
    FerruleError,
    FerruleIOError,
    InternalError,
    InvalidArgumentError,
    InvalidUtf8Error,
    LengthMismatchError,
    ParseError,
)

__all__ = [
    "__version__",
    "version",
    "capabilities",
    "Capabilities",
    "FerruleError",
    "InvalidArgumentError",
    "LengthMismatchError",
    "InvalidUtf8Error",
    "ParseError",
    "CapacityError",
    "OutOfRangeError",
    "CorruptDataError",
    "FerruleIOError",
    "InternalError",
]
