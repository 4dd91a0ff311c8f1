"""SIMD vector math over float32 and float64: distances, reductions, element-wise operations,
all-pairs distances (``cdist``) and exact top-k search.

>>> import numpy as np
>>> from ferrule import vector
>>> a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
>>> b = np.array([4.0, 5.0, 6.0], dtype=np.float32)
>>> vector.dot(a, b), vector.sqeuclidean(a, b)
(32.0, 27.0)
>>> db = np.array([[1, 2, 3], [-1, -2, -3], [3, 2, 1]], dtype=np.float32)
>>> vector.dot(a, db).tolist()  # a vector against each row of a matrix
[14.0, -14.0, 10.0]
>>> indices, values = vector.topk(a, db, 2, metric="cosine")
>>> indices.tolist()
[0, 2]

Inputs
    NumPy arrays, or any object with the buffer protocol (``memoryview``, ``array.array``, a
    ``memoryview.cast("f")`` of bytes), of float32 or float64, read in place without copying.
    Vectors are 1-D; matrices are 2-D, one vector per row, and may have a row stride: a column
    slice ``X[:, :64]`` or every other row ``X[::2]`` is read in place. Other non-contiguous
    layouts (a strided 1-D view ``x[::2]``, a Fortran-order or transposed matrix, byte-swapped or
    unaligned data) are copied once, to a C-contiguous array, before the computation.
    Lists and tuples of numbers are accepted and copied once into float64 arrays (so they combine
    with float64 arrays and other lists; pass ``numpy.asarray(x, dtype=numpy.float32)`` to work
    in float32).

Types
    All inputs of one call must have the same float type (mixing float32 and float64 raises
    ``ArgumentTypeError``, a ``TypeError``); other dtypes (integers, float16, complex) raise it
    too. Results have the inputs' type; 1:1 distances and reductions return a Python ``float``
    (``int`` for ``argmin``/``argmax``).

Outputs (``out=``)
    Element-wise and batch functions fill ``out`` when given, and return it. It must be a NumPy
    array of the result's type (else ``ArgumentTypeError``) and exact shape (else
    ``LengthMismatchError``), C-contiguous and writeable (else ``InvalidArgumentError``: a
    read-only ``out`` is an ``InvalidArgumentError``, a ``ValueError``, as in NumPy). ``out``
    may be, or overlap, an input (``add(a, b, out=a)``): the result is then computed into a
    temporary and copied, so it is the same as with a separate ``out``.

Precision
    ``precision="fast"`` (default): accumulation in the input type over several SIMD lanes;
    for ``n`` terms the error is at most about ``n * u * sum|terms|`` (``u`` = 2**-24 for
    float32, 2**-53 for float64), in practice near ``sqrt(n) * u * sum|terms|``.
    ``precision="accurate"``: double-double accumulation, exactly rounded unless the terms
    cancel almost completely (error below ``2 n**2 2**-106 sum|terms|``); 5-20x slower.

Special values
    NaN in, NaN out. ``cosine_similarity`` is 0.0 and ``cosine_distance`` 1.0 when either
    vector is all zeros (empty ones included); ``cosine_distance`` is clamped to [0, 2]. Empty
    vectors: ``dot``, the distances, ``norm`` and ``sum`` give 0.0; ``mean``, ``min``, ``max``,
    ``argmin``, ``argmax`` raise ``InvalidArgumentError``. ``min``/``max`` return NaN, and
    ``argmin``/``argmax`` the index of the first NaN, when there is one (NumPy's policy).

Threads and the GIL
    ``one_to_many`` (a vector against a matrix), ``cdist`` and ``topk`` run on all cores with
    ferrule's own thread pools (``threads=n`` bounds them; ``None`` or 0: all cores; negative:
    ``InvalidArgumentError``). Every call with 64Ki elements of work or more releases the GIL
    (batch calls, and 1:1 distances, reductions and element-wise operations on long vectors);
    smaller calls keep it, since releasing it would cost more than they do. As with NumPy, do
    not write to an array from another thread while a call reads it.
"""

from __future__ import annotations

from ferrule._ferrule import _vector as _native

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

# The native functions themselves, not wrappers: a Python-level call in front would cost more
# than the whole computation for short vectors.
dot = _native.dot
cosine_similarity = _native.cosine_similarity
cosine_distance = _native.cosine_distance
sqeuclidean = _native.sqeuclidean
euclidean = _native.euclidean
manhattan = _native.manhattan
norm = _native.norm
one_to_many = _native.one_to_many
cdist = _native.cdist
topk = _native.topk
sum = _native.sum  # noqa: A001 (the name every ferrule runtime uses)
mean = _native.mean
min = _native.min  # noqa: A001
max = _native.max  # noqa: A001
argmin = _native.argmin
argmax = _native.argmax
scale = _native.scale
add = _native.add
subtract = _native.subtract
multiply = _native.multiply
axpy = _native.axpy
fma = _native.fma
normalize = _native.normalize
