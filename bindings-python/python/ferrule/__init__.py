"""ferrule: fast string pools, SIMD vector math and log parsing, from one Rust core.

>>> import ferrule
>>> ferrule.__version__  # doctest: +SKIP
'0.1.0'
>>> sorted(ferrule.capabilities())
['features', 'isa']
>>> pool = ferrule.StringPool()
>>> pool.intern_many(["GET", "POST", "GET"]).tolist()
[0, 1, 0]
>>> pool[1], pool.get("PUT")
('POST', None)
>>> codes, uniques = ferrule.factorize(["b", "a", None, "b"])
>>> codes.tolist(), uniques.tolist()
([0, 1, -1, 0], ['b', 'a'])
>>> import numpy as np
>>> ferrule.vector.dot(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
11.0
>>> table = ferrule.logs.parse_bytes(b'::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5', "common")
>>> table.column("status").tolist(), table.stats["ok"]
([200], 1)
"""

from __future__ import annotations

from ferrule._ferrule import (
    FrozenStringPool,
    StringPool,
    __version__,
    capabilities,
    factorize,
    version,
)
from ferrule import logs, vector
from ferrule._typing import Capabilities
from ferrule.errors import (
    ArgumentTypeError,
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
    "StringPool",
    "FrozenStringPool",
    "factorize",
    "vector",
    "logs",
    "FerruleError",
    "InvalidArgumentError",
    "ArgumentTypeError",
    "LengthMismatchError",
    "InvalidUtf8Error",
    "ParseError",
    "CapacityError",
    "OutOfRangeError",
    "CorruptDataError",
    "FerruleIOError",
    "InternalError",
]
