"""Type stubs of ``ferrule.vector`` (native functions; checked by ``mypy.stubtest``).

The docstrings of the functions themselves are those of the native module (``help()`` shows
them); the ones here are summaries.
"""

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias, TypeVar, overload

import numpy as np
import numpy.typing as npt
from typing_extensions import Buffer

__all__ = [
    "dot",
    "cosine_similarity",
    "cosine_distance",
    "sqeuclidean",
    "euclidean",
    "manhattan",
    "norm",
    "one_to_many",
    "cdist",
    "topk",
    "sum",
    "mean",
    "min",
    "max",
    "argmin",
    "argmax",
    "scale",
    "add",
    "subtract",
    "multiply",
    "axpy",
    "fma",
    "normalize",
]

_F = TypeVar("_F", np.float32, np.float64)

_Precision: TypeAlias = Literal["fast", "accurate"]
_Metric: TypeAlias = Literal["dot", "cosine", "sqeuclidean", "euclidean", "manhattan"]
# A vector or matrix as an input: a float NumPy array, any buffer of float32/float64, or a list
# or tuple of numbers (rows of numbers for a matrix), copied once into float64.
_Input: TypeAlias = (
    npt.NDArray[np.float32] | npt.NDArray[np.float64] | Buffer
    | Sequence[float] | Sequence[Sequence[float]]
)

# The distance functions give a float for two 1-D vectors and an array for a vector and a 2-D
# matrix. NumPy's usual annotation (``NDArray``) carries no shape, so overloads on 1-D vs 2-D
# would resolve every such call to the first one (a float even for a matrix): without ``out`` the
# result is ``Any`` instead; with ``out``, it is ``out``'s type. ``one_to_many`` is the typed
# matrix form.
@overload
def dot(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: npt.NDArray[_F],
) -> npt.NDArray[_F]: ...
@overload
def dot(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: None = None,
) -> Any: ...
@overload
def cosine_similarity(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: npt.NDArray[_F],
) -> npt.NDArray[_F]: ...
@overload
def cosine_similarity(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: None = None,
) -> Any: ...
@overload
def cosine_distance(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: npt.NDArray[_F],
) -> npt.NDArray[_F]: ...
@overload
def cosine_distance(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: None = None,
) -> Any: ...
@overload
def sqeuclidean(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: npt.NDArray[_F],
) -> npt.NDArray[_F]: ...
@overload
def sqeuclidean(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: None = None,
) -> Any: ...
@overload
def euclidean(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: npt.NDArray[_F],
) -> npt.NDArray[_F]: ...
@overload
def euclidean(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: None = None,
) -> Any: ...
@overload
def manhattan(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: npt.NDArray[_F],
) -> npt.NDArray[_F]: ...
@overload
def manhattan(
    a: _Input, b: _Input, *, precision: _Precision = "fast", threads: int | None = None,
    out: None = None,
) -> Any: ...
def norm(x: _Input, *, precision: _Precision = "fast") -> float:
    """The Euclidean norm of a 1-D vector (0.0 when empty)."""

@overload
def one_to_many(
    query: npt.NDArray[_F], matrix: npt.NDArray[_F], metric: _Metric = "cosine", *,
    precision: _Precision = "fast", threads: int | None = None, out: npt.NDArray[_F] | None = None,
) -> npt.NDArray[_F]: ...
@overload
def one_to_many(
    query: _Input, matrix: _Input, metric: _Metric = "cosine", *, precision: _Precision = "fast",
    threads: int | None = None, out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def cdist(
    a: npt.NDArray[_F], b: npt.NDArray[_F], metric: _Metric = "sqeuclidean", *,
    precision: _Precision = "fast", threads: int | None = None, out: npt.NDArray[_F] | None = None,
) -> npt.NDArray[_F]: ...
@overload
def cdist(
    a: _Input, b: _Input, metric: _Metric = "sqeuclidean", *, precision: _Precision = "fast",
    threads: int | None = None, out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def topk(
    q: npt.NDArray[_F], db: npt.NDArray[_F], k: int, metric: _Metric = "cosine", *,
    precision: _Precision = "fast", threads: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[_F]]: ...
@overload
def topk(
    q: _Input, db: _Input, k: int, metric: _Metric = "cosine", *, precision: _Precision = "fast",
    threads: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32] | npt.NDArray[np.float64]]: ...
def sum(x: _Input, *, precision: _Precision = "fast") -> float:
    """The sum of a 1-D vector (0.0 when empty)."""

def mean(x: _Input) -> float:
    """The mean of a 1-D vector, accumulated in float64 (``InvalidArgumentError`` when empty)."""

def min(x: _Input) -> float:
    """The smallest element; NaN if any is NaN (``InvalidArgumentError`` when empty)."""

def max(x: _Input) -> float:
    """The largest element; NaN if any is NaN (``InvalidArgumentError`` when empty)."""

def argmin(x: _Input) -> int:
    """The index of the first smallest element, or of the first NaN."""

def argmax(x: _Input) -> int:
    """The index of the first largest element, or of the first NaN."""

# Element-wise: a new array of the inputs' type, or `out` filled and returned.
@overload
def scale(x: npt.NDArray[_F], alpha: float, out: npt.NDArray[_F] | None = None) -> npt.NDArray[_F]: ...
@overload
def scale(
    x: _Input, alpha: float, out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def add(
    a: npt.NDArray[_F], b: npt.NDArray[_F], out: npt.NDArray[_F] | None = None
) -> npt.NDArray[_F]: ...
@overload
def add(
    a: _Input, b: _Input, out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def subtract(
    a: npt.NDArray[_F], b: npt.NDArray[_F], out: npt.NDArray[_F] | None = None
) -> npt.NDArray[_F]: ...
@overload
def subtract(
    a: _Input, b: _Input, out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def multiply(
    a: npt.NDArray[_F], b: npt.NDArray[_F], out: npt.NDArray[_F] | None = None
) -> npt.NDArray[_F]: ...
@overload
def multiply(
    a: _Input, b: _Input, out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def axpy(
    alpha: float, x: npt.NDArray[_F], y: npt.NDArray[_F], out: npt.NDArray[_F] | None = None
) -> npt.NDArray[_F]: ...
@overload
def axpy(
    alpha: float, x: _Input, y: _Input,
    out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def fma(
    a: npt.NDArray[_F], b: npt.NDArray[_F], c: npt.NDArray[_F], out: npt.NDArray[_F] | None = None
) -> npt.NDArray[_F]: ...
@overload
def fma(
    a: _Input, b: _Input, c: _Input,
    out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def normalize(x: npt.NDArray[_F], out: npt.NDArray[_F] | None = None) -> npt.NDArray[_F]: ...
@overload
def normalize(
    x: _Input, out: npt.NDArray[np.float32] | npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
