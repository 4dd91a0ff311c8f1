"""ferrule.vector against NumPy float64 references: values, layouts, special values, errors,
out=, threads and the GIL.

Nothing here depends on the SIMD level: the suite also runs with FERRULE_MAX_ISA=scalar.
"""

from __future__ import annotations

import array
import doctest
import math
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import ferrule
import numpy as np
import numpy.typing as npt
import pytest
from ferrule import vector

F32 = np.float32
F64 = np.float64
DTYPES = [F32, F64]
LENGTHS = [*range(131), 1000, 4099, 70_000]  # 70,000: long enough to release the GIL
DISTANCES = ["dot", "cosine_similarity", "cosine_distance", "sqeuclidean", "euclidean", "manhattan"]
MetricName = Literal["dot", "cosine", "sqeuclidean", "euclidean", "manhattan"]
METRICS: list[MetricName] = ["dot", "cosine", "sqeuclidean", "euclidean", "manhattan"]

Array = npt.NDArray[Any]


def unit_roundoff(dtype: Any) -> float:
    return float(np.finfo(dtype).eps) / 2


def rand(rng: np.random.Generator, shape: int | tuple[int, ...], dtype: Any) -> Array:
    return rng.standard_normal(shape).astype(dtype)


def unaligned(x: Array) -> Array:
    """The same values in a view that starts one element into a bigger array."""
    holder = np.empty(x.size + 1, dtype=x.dtype)
    view = holder[1:]
    view[:] = x.ravel()
    return view.reshape(x.shape)


def reference(name: str, a: Array, b: Array) -> tuple[float, float]:
    """The exact-ish value (float64 arithmetic on the inputs) and the error ferrule's fast
    precision may have: 2 (n + 4) u times the sum of the terms' magnitudes (for cosine, of the
    normalised terms), as core's tests hold every level to."""
    x, y = a.astype(F64), b.astype(F64)
    n = x.size
    u = unit_roundoff(a.dtype)
    slack = 2 * (n + 4) * u
    tiny = 1e-300
    if name == "dot":
        return float(x @ y), slack * float(np.abs(x * y).sum()) + tiny
    if name in ("sqeuclidean", "euclidean"):
        sq = float(((x - y) ** 2).sum())
        bound = slack * sq + tiny
        if name == "sqeuclidean":
            return sq, bound
        return math.sqrt(sq), bound / (2 * math.sqrt(sq)) + u * math.sqrt(sq) if sq > 0 else tiny
    if name == "manhattan":
        m = float(np.abs(x - y).sum())
        return m, slack * m + tiny
    nx, ny = math.sqrt(float(x @ x)), math.sqrt(float(y @ y))
    similarity = 0.0 if nx == 0 or ny == 0 else float(x @ y) / (nx * ny)
    bound = 3 * slack + 4 * u
    if name == "cosine_similarity":
        return similarity, bound
    return min(max(1 - similarity, 0.0), 2.0), bound


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    function: Callable[..., Any] = getattr(vector, name)
    return function(*args, **kwargs)


# ------------------------------------------------------------------------------- 1:1 distances


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["contiguous", "unaligned"])
def test_distances_match_the_float64_reference(dtype: Any, layout: str) -> None:
    rng = np.random.default_rng(1)
    for n in LENGTHS:
        a, b = rand(rng, n, dtype), rand(rng, n, dtype)
        if layout == "unaligned":
            a, b = unaligned(a), unaligned(b)
        for name in DISTANCES:
            got = call(name, a, b)
            assert type(got) is float, (name, n)
            expected, bound = reference(name, a, b)
            assert abs(got - expected) <= bound, (name, n, got, expected, bound)
        got_norm = vector.norm(a)
        expected_norm = float(np.linalg.norm(a.astype(F64)))
        assert abs(got_norm - expected_norm) <= 2 * (n + 4) * unit_roundoff(dtype) * expected_norm, n


@pytest.mark.parametrize("dtype", DTYPES)
def test_euclidean_is_the_root_of_sqeuclidean(dtype: Any) -> None:
    rng = np.random.default_rng(2)
    for n in (3, 64, 1000):
        a, b = rand(rng, n, dtype), rand(rng, n, dtype)
        assert vector.euclidean(a, b) == float(np.sqrt(dtype(vector.sqeuclidean(a, b))))


@pytest.mark.parametrize("dtype", DTYPES)
def test_accurate_precision_is_exactly_rounded_on_ordinary_data(dtype: Any) -> None:
    rng = np.random.default_rng(3)
    for n in (1, 7, 128, 1000, 4099):
        a, b = rand(rng, n, dtype), rand(rng, n, dtype)
        exact = math.fsum((a.astype(F64) * b.astype(F64)).tolist())  # exact for float32 products
        got = vector.dot(a, b, precision="accurate")
        assert abs(got - float(dtype(exact))) <= float(np.spacing(dtype(abs(exact)))), n
        assert vector.sum(a, precision="accurate") == pytest.approx(math.fsum(a.astype(F64).tolist()), rel=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_accurate_precision_beats_fast_where_fast_cancels(dtype: Any) -> None:
    big = 1e8 if dtype == F32 else 1e17
    a = np.ones(1001, dtype=dtype)
    a[0], a[-1] = big, -big
    ones = np.ones(1001, dtype=dtype)
    accurate = vector.dot(a, ones, precision="accurate")
    fast = vector.dot(a, ones, precision="fast")
    assert accurate == 999.0
    assert abs(fast - 999.0) > 0, "the case must be one where fast accumulation loses terms"
    assert vector.sum(a, precision="accurate") == 999.0
    assert abs(vector.sum(a) - 999.0) > 0
    assert vector.cosine_similarity(a, ones, precision="accurate") == pytest.approx(
        999.0 / (math.sqrt(2 * big * big + 999) * math.sqrt(1001)), rel=1e-6
    )


def test_precision_none_and_fast_are_the_default() -> None:
    a = np.linspace(-1, 1, 33, dtype=F32)
    b = np.linspace(2, 0, 33, dtype=F32)
    assert vector.dot(a, b) == vector.dot(a, b, precision="fast") == vector.dot(a, b, precision=None)  # type: ignore[call-overload]


# ------------------------------------------------------------------------------- special values


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_zero_nan_and_inf(dtype: Any) -> None:
    empty = np.empty(0, dtype=dtype)
    assert vector.dot(empty, empty) == 0.0
    assert vector.sqeuclidean(empty, empty) == 0.0
    assert vector.euclidean(empty, empty) == 0.0
    assert vector.manhattan(empty, empty) == 0.0
    assert vector.cosine_similarity(empty, empty) == 0.0
    assert vector.cosine_distance(empty, empty) == 1.0
    assert vector.norm(empty) == 0.0
    assert vector.sum(empty) == 0.0
    for name in ("mean", "min", "max", "argmin", "argmax"):
        with pytest.raises(ferrule.InvalidArgumentError):
            call(name, empty)

    zero = np.zeros(5, dtype=dtype)
    x = np.arange(1, 6, dtype=dtype)
    assert vector.cosine_similarity(zero, x) == 0.0
    assert vector.cosine_distance(x, zero) == 1.0
    assert vector.cosine_distance(zero, zero) == 1.0
    assert vector.normalize(zero).tolist() == [0.0] * 5
    assert vector.cosine_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    assert 0.0 <= vector.cosine_distance(x, x) and vector.cosine_distance(x, -x) <= 2.0

    with_nan = x.copy()
    with_nan[2] = np.nan
    for name in DISTANCES:
        assert math.isnan(call(name, with_nan, x)), name
    assert math.isnan(vector.norm(with_nan)) and math.isnan(vector.sum(with_nan))
    assert math.isnan(vector.mean(with_nan))
    assert math.isnan(vector.min(with_nan)) and math.isnan(vector.max(with_nan))
    two_nans = with_nan.copy()
    two_nans[4] = np.nan
    assert vector.argmin(two_nans) == 2 == int(np.argmin(two_nans))
    assert vector.argmax(two_nans) == 2 == int(np.argmax(two_nans))

    inf = np.array([np.inf, 1.0], dtype=dtype)
    assert vector.dot(inf, np.array([1.0, 1.0], dtype=dtype)) == math.inf
    assert math.isnan(vector.sqeuclidean(inf, inf))  # inf - inf
    assert vector.max(inf) == math.inf and vector.argmax(inf) == 0
    assert vector.min(-inf) == -math.inf


# ------------------------------------------------------------------------------- reductions


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["contiguous", "unaligned"])
def test_reductions_match_numpy(dtype: Any, layout: str) -> None:
    rng = np.random.default_rng(4)
    u = unit_roundoff(dtype)
    for n in LENGTHS:
        x = rand(rng, n, dtype)
        if layout == "unaligned":
            x = unaligned(x)
        x64 = x.astype(F64)
        total = float(x64.sum())
        assert abs(vector.sum(x) - total) <= 2 * (n + 4) * u * float(np.abs(x64).sum()) + 1e-300
        assert abs(vector.sum(x, precision="accurate") - total) <= 4 * u * abs(total) + 1e-12 * float(
            np.abs(x64).sum()
        ) * (dtype == F64) + 1e-300
        if n == 0:
            continue
        assert vector.mean(x) == pytest.approx(total / n, rel=1e-12, abs=1e-12)
        assert vector.min(x) == float(x.min()) and vector.max(x) == float(x.max())
        assert vector.argmin(x) == int(np.argmin(x)) and vector.argmax(x) == int(np.argmax(x))
        assert type(vector.argmin(x)) is int and type(vector.min(x)) is float


def test_extremes_take_the_first_of_equals() -> None:
    x = np.array([3, -1, 7, -1, 7], dtype=F32)
    assert (vector.argmin(x), vector.argmax(x)) == (1, 2)
    assert (vector.min(x), vector.max(x)) == (-1.0, 7.0)


def test_mean_accumulates_in_float64() -> None:
    x = np.full(1 << 20, 0.1, dtype=F32)  # a float32 running sum would drift far from n * 0.1
    assert vector.mean(x) == pytest.approx(float(F32(0.1)), rel=1e-12)


# ------------------------------------------------------------------------------- element-wise


@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_match_numpy_bit_for_bit(dtype: Any) -> None:
    rng = np.random.default_rng(5)
    for n in [*range(0, 131, 7), 1000, 4099, 70_000]:
        a, b, c = rand(rng, n, dtype), rand(rng, n, dtype), rand(rng, n, dtype)
        alpha = 1.7
        cases: list[tuple[Array, Array]] = [
            (vector.scale(a, alpha), dtype(alpha) * a),
            (vector.add(a, b), a + b),
            (vector.subtract(a, b), a - b),
            (vector.multiply(a, b), a * b),
            (vector.axpy(alpha, a, b), dtype(alpha) * a + b),
            (vector.fma(a, b, c), a * b + c),
        ]
        for got, expected in cases:
            assert got.dtype == dtype and got.shape == (n,)
            np.testing.assert_array_equal(got, expected)
        normalized = vector.normalize(unaligned(a))
        assert normalized.dtype == dtype
        if n:
            expected_unit = a.astype(F64) / np.linalg.norm(a.astype(F64))
            np.testing.assert_allclose(normalized, expected_unit, rtol=0, atol=8 * (n + 4) * unit_roundoff(dtype))


def test_elementwise_returns_new_arrays_and_leaves_inputs_alone() -> None:
    a = np.arange(6, dtype=F64)
    before = a.copy()
    result = vector.add(a, a)
    assert result is not a and not np.shares_memory(result, a)
    np.testing.assert_array_equal(a, before)


def test_elementwise_out_is_filled_and_returned() -> None:
    a = np.arange(10, dtype=F32)
    b = np.ones(10, dtype=F32)
    out = np.full(10, -5.0, dtype=F32)
    assert vector.add(a, b, out=out) is out
    np.testing.assert_array_equal(out, a + b)
    assert vector.scale(a, 2.0, out) is out  # out is positional too
    np.testing.assert_array_equal(out, a * 2)


@pytest.mark.parametrize("n", [5, 1000, 70_000])  # 70,000 also runs with the GIL released
def test_elementwise_out_may_be_an_input(n: int) -> None:
    rng = np.random.default_rng(6)
    a, b, c = rand(rng, n, F32), rand(rng, n, F32), rand(rng, n, F32)

    x = a.copy()
    assert vector.add(x, b, out=x) is x
    np.testing.assert_array_equal(x, a + b)
    y = b.copy()
    vector.subtract(a, y, out=y)
    np.testing.assert_array_equal(y, a - b)
    z = a.copy()
    vector.multiply(z, z, out=z)
    np.testing.assert_array_equal(z, a * a)
    w = b.copy()
    vector.axpy(3.0, a, w, out=w)
    np.testing.assert_array_equal(w, F32(3.0) * a + b)
    v = c.copy()
    vector.fma(a, b, v, out=v)
    np.testing.assert_array_equal(v, a * b + c)
    s = a.copy()
    vector.scale(s, 0.5, out=s)
    np.testing.assert_array_equal(s, a * F32(0.5))
    unit = a.copy()
    vector.normalize(unit, out=unit)
    np.testing.assert_array_equal(unit, vector.normalize(a))


def test_elementwise_out_may_partly_overlap_an_input() -> None:
    # out shifted by one element against a: computed through a temporary, as NumPy does.
    base = np.arange(1, 12, dtype=F64)
    b = np.full(10, 100.0)
    expected = base[:-1] + b
    vector.add(base[:-1], b, out=base[1:])
    np.testing.assert_array_equal(base[1:], expected)
    assert base[0] == 1.0


# ------------------------------------------------------------------------------- inputs


def test_buffer_protocol_inputs_are_read() -> None:
    a = array.array("f", [1.0, 2.0, 3.0])
    b = array.array("f", [4.0, 5.0, 6.0])
    assert vector.dot(a, b) == 32.0
    assert vector.dot(memoryview(a), memoryview(b)) == 32.0
    raw = bytearray(np.array([1.0, 2.0], dtype=F64).tobytes())
    assert vector.dot(memoryview(raw).cast("d"), np.array([3.0, 4.0])) == 11.0
    assert vector.sum(array.array("d", [0.5, 0.25])) == 0.75
    out = vector.add(a, b)
    assert isinstance(out, np.ndarray) and out.dtype == F32 and out.tolist() == [5.0, 7.0, 9.0]
    matrix = np.arange(6, dtype=F32).data.cast("B").cast("f", (2, 3))
    assert vector.dot(np.ones(3, dtype=F32), matrix).tolist() == [3.0, 12.0]
    # A strided memoryview is read through NumPy (one copy).
    assert vector.dot(memoryview(a)[::2], memoryview(b)[::2]) == 1 * 4 + 3 * 6


def test_non_contiguous_inputs_are_copied_once_and_give_the_same_values() -> None:
    rng = np.random.default_rng(7)
    x = rand(rng, 200, F32)
    y = rand(rng, 200, F32)
    expected = vector.dot(x[::2].copy(), y[::2].copy())
    assert vector.dot(x[::2], y[::2]) == expected
    assert vector.dot(x[::-2], y[::-2]) == vector.dot(x[::-2].copy(), y[::-2].copy())
    swapped = x.astype(">f4")
    assert vector.dot(swapped, y) == vector.dot(x, y)
    assert vector.sum(swapped) == vector.sum(x)
    raw = np.zeros(4 * 200 + 1, dtype=np.uint8)
    misaligned = np.frombuffer(raw[1:].data, dtype=F32)
    misaligned_view = misaligned  # read-only, unaligned
    assert not misaligned_view.flags.aligned
    assert vector.dot(misaligned_view, misaligned_view) == 0.0
    broadcast = np.broadcast_to(F32(2.0), (50,))
    assert vector.sum(broadcast) == 100.0


def test_readonly_inputs_are_fine() -> None:
    a = np.arange(4, dtype=F64)
    a.flags.writeable = False
    assert vector.dot(a, a) == 14.0
    assert vector.add(a, a).tolist() == [0.0, 2.0, 4.0, 6.0]


def test_results_keep_the_input_float_type() -> None:
    m64 = np.ones((3, 4))
    m32 = np.ones((3, 4), dtype=F32)
    assert vector.dot(np.ones(4), m64).dtype == F64
    assert vector.dot(np.ones(4, dtype=F32), m32).dtype == F32
    assert vector.cdist(m32, m32).dtype == F32
    indices, values = vector.topk(np.ones(4, dtype=F32), m32, 2)
    assert indices.dtype == np.int64 and values.dtype == F32


# ------------------------------------------------------------------------------- one-to-many


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_to_many_matches_the_vector_form(dtype: Any) -> None:
    rng = np.random.default_rng(8)
    for rows, dim in [(0, 5), (1, 1), (7, 0), (300, 33), (1000, 128)]:
        matrix = rand(rng, (rows, dim), dtype)
        query = rand(rng, dim, dtype)
        for name in DISTANCES:
            got = call(name, query, matrix)
            assert isinstance(got, np.ndarray) and got.dtype == dtype and got.shape == (rows,)
            expected = [call(name, query, row) for row in matrix]
            if name == "cosine_similarity":  # 1 - cosine distance: one more rounding
                np.testing.assert_allclose(got, expected, rtol=0, atol=4 * unit_roundoff(dtype))
            else:
                assert got.tolist() == expected, name
            np.testing.assert_array_equal(call(name, matrix, query), got)  # either order
        for metric in METRICS:
            got = vector.one_to_many(query, matrix, metric)
            name = "cosine_distance" if metric == "cosine" else metric
            np.testing.assert_array_equal(got, call(name, query, matrix))


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_to_many_accurate_cosine_similarity_agrees_with_the_vector_form(dtype: Any) -> None:
    rng = np.random.default_rng(9)
    matrix = rand(rng, (200, 50), dtype)
    matrix[3] = 0
    query = rand(rng, 50, dtype)
    got = vector.cosine_similarity(query, matrix, precision="accurate")
    expected = [vector.cosine_similarity(query, row, precision="accurate") for row in matrix]
    np.testing.assert_allclose(got, expected, rtol=4 * unit_roundoff(dtype), atol=1e-300)
    assert got[3] == 0.0
    assert vector.cosine_similarity(np.zeros(50, dtype=dtype), matrix, precision="accurate").tolist() == [0.0] * 200


def test_strided_matrices_are_read_in_place() -> None:
    rng = np.random.default_rng(10)
    wide = rand(rng, (100, 130), F32)
    query = rand(rng, 64, F32)
    for view in (wide[:, :64], wide[:, 3:67], wide[::2, :64], wide[::3, 1:65]):
        assert not view.flags.c_contiguous
        expected = vector.sqeuclidean(query, np.ascontiguousarray(view))
        np.testing.assert_array_equal(vector.sqeuclidean(query, view), expected)
    single = wide[:, 5:6]
    np.testing.assert_array_equal(vector.dot(query[:1], single), (single[:, 0] * query[0]).astype(F32))
    fortran = np.asfortranarray(wide[:, :64])
    np.testing.assert_array_equal(vector.dot(query, fortran), vector.dot(query, wide[:, :64]))
    transposed = rand(rng, (64, 10), F32).T
    np.testing.assert_array_equal(vector.dot(query, transposed), vector.dot(query, transposed.copy()))
    reversed_rows = wide[::-1, :64]
    np.testing.assert_array_equal(vector.dot(query, reversed_rows), vector.dot(query, wide[:, :64])[::-1])


def test_one_to_many_out() -> None:
    rng = np.random.default_rng(11)
    matrix = rand(rng, (50, 16), F64)
    query = rand(rng, 16, F64)
    out = np.empty(50)
    assert vector.cosine_distance(query, matrix, out=out) is out
    np.testing.assert_array_equal(out, vector.cosine_distance(query, matrix))
    assert vector.one_to_many(query, matrix, "manhattan", out=out) is out
    np.testing.assert_array_equal(out, vector.manhattan(query, matrix))
    # An out that overlaps the matrix itself gets the values computed from the matrix as it was.
    square = rand(rng, (16, 16), F64)
    expected = vector.dot(query, square)
    vector.dot(query, square, out=square[0])
    np.testing.assert_array_equal(square[0], expected)


# ------------------------------------------------------------------------------- cdist


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("metric", METRICS)
def test_cdist_matches_the_reference(dtype: Any, metric: MetricName) -> None:
    rng = np.random.default_rng(12)
    a = rand(rng, (37, 70), dtype)
    b = unaligned(rand(rng, (53, 70), dtype))
    got = vector.cdist(a, b, metric)
    assert got.shape == (37, 53) and got.dtype == dtype
    name = "cosine_distance" if metric == "cosine" else metric
    for i in range(0, 37, 5):
        for j in range(0, 53, 7):
            expected, bound = reference(name, a[i], b[j])
            assert abs(float(got[i, j]) - expected) <= bound, (i, j)
    assert vector.cdist(a[:0], b).shape == (0, 53)
    assert vector.cdist(a, b[:0]).shape == (37, 0)


def test_cdist_sqeuclidean_is_exact_on_near_duplicates() -> None:
    rng = np.random.default_rng(13)
    a = (rng.standard_normal((200, 128)) * 10 + 100).astype(F32)
    b = (a + rng.standard_normal((200, 128)).astype(F32) * F32(1e-3)).astype(F32)
    a64, b64 = a.astype(F64), b.astype(F64)
    exact = ((a64[:, None, :] - b64[None, :, :]) ** 2).sum(axis=2)
    got = vector.cdist(a, b, "sqeuclidean").astype(F64)
    rel = np.abs(got - exact) / exact
    diagonal = np.diagonal(rel)
    assert float(np.median(diagonal)) <= 1e-6
    assert float(diagonal.max()) <= 128 * unit_roundoff(F32)
    # The premise: the expanded |a|^2 + |b|^2 - 2ab form loses these digits in float32.
    expanded = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * (a @ b.T)
    assert float(np.median(np.abs(np.diagonal(expanded).astype(F64) - np.diagonal(exact)) / np.diagonal(exact))) > 1e-3


def test_cdist_out_and_accurate() -> None:
    rng = np.random.default_rng(14)
    a = rand(rng, (20, 9), F32)
    b = rand(rng, (30, 9), F32)
    out = np.empty((20, 30), dtype=F32)
    assert vector.cdist(a, b, "dot", out=out) is out
    np.testing.assert_array_equal(out, vector.cdist(a, b, "dot"))
    accurate = vector.cdist(a, b, "dot", precision="accurate")
    exact = a.astype(F64) @ b.astype(F64).T
    np.testing.assert_allclose(accurate, exact, rtol=2 * unit_roundoff(F32), atol=1e-6)
    # out overlapping an input: the result is computed from the inputs as they were.
    square = rand(rng, (9, 9), F32)
    expected = vector.cdist(square, square, "sqeuclidean")
    vector.cdist(square, square, "sqeuclidean", out=square)
    np.testing.assert_array_equal(square, expected)


# ------------------------------------------------------------------------------- topk


def ranked(values: Array, similarity: bool) -> Array:
    """Row order closest first, ties by lower row, NaN last: what topk promises."""
    keys = -values.astype(F64) if similarity else values.astype(F64)
    keys = np.where(np.isnan(keys), np.inf, keys)
    nan_last = np.isnan(values).astype(np.int8)
    return np.lexsort((np.arange(values.size), keys, nan_last))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("metric", METRICS)
def test_topk_matches_a_full_sort(dtype: Any, metric: MetricName) -> None:
    rng = np.random.default_rng(15)
    db = rand(rng, (500, 24), dtype)
    db[17] = db[3]  # an exact tie: the lower row first
    db[40, 5] = np.nan  # ranks last
    queries = rand(rng, (6, 24), dtype)
    similarity = metric == "dot"
    name = "cosine_distance" if metric == "cosine" else metric
    for k in (0, 1, 10, 499, 500):
        indices, values = vector.topk(queries, db, k, metric)
        assert indices.shape == values.shape == (6, k)
        assert indices.dtype == np.int64 and values.dtype == dtype
        for i, query in enumerate(queries):
            # The batch kernels may round differently from the 1:1 ones, within the same bound:
            # compare against a full sort of the reference values, allowing near-ties to swap.
            refs = [reference(name, query, row) for row in db]
            expected = np.array([value for value, _ in refs])
            slack = max(bound for _, bound in refs)
            assert len(set(indices[i].tolist())) == k
            if k == 500:
                assert indices[i, -1] == 40 and math.isnan(values[i, -1]), "NaN ranks last"
            finite = values[i][~np.isnan(values[i])]
            steps = np.diff(finite.astype(F64))
            assert bool(np.all(steps <= 0)) if similarity else bool(np.all(steps >= 0)), "closest first"
            for index, value in zip(indices[i].tolist(), values[i].tolist()):
                if index != 40:
                    assert abs(value - expected[index]) <= slack
            if 0 < k < 499:
                left_out = np.setdiff1d(np.arange(500), indices[i])
                last = float(values[i, -1])
                others = expected[left_out]
                others = others[~np.isnan(others)]
                assert bool(np.all(others <= last + 2 * slack)) if similarity else bool(
                    np.all(others >= last - 2 * slack)
                )
        one_indices, one_values = vector.topk(queries[2], db, k, metric)
        assert one_indices.shape == (k,)
        np.testing.assert_array_equal(one_indices, indices[2])
        np.testing.assert_array_equal(one_values, values[2])
    top, distances = vector.topk(db[3], db, 2, "sqeuclidean")
    assert top.tolist() == [3, 17] and distances.tolist() == [0.0, 0.0]
    top, _ = vector.topk(db[3], db, 2, "manhattan")
    assert top.tolist() == [3, 17]


def test_topk_against_numpy_argsort() -> None:
    rng = np.random.default_rng(16)
    db = rand(rng, (2000, 32), F64)
    q = rand(rng, 32, F64)
    indices, values = vector.topk(q, db, 10, "cosine")
    reference_distances = 1 - (db @ q) / (np.linalg.norm(db, axis=1) * np.linalg.norm(q))
    # Distinct random rows: no near-ties at this size, so the order is the reference's.
    np.testing.assert_array_equal(indices, np.argsort(reference_distances, kind="stable")[:10])
    np.testing.assert_allclose(values, reference_distances[indices], rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------- threads


def test_threads_do_not_change_results() -> None:
    rng = np.random.default_rng(17)
    a = rand(rng, (300, 40), F32)
    b = rand(rng, (700, 40), F32)
    q = rand(rng, 40, F32)
    for metric in METRICS:
        one = vector.cdist(a, b, metric, threads=1)
        np.testing.assert_array_equal(vector.cdist(a, b, metric, threads=2), one)
        np.testing.assert_array_equal(vector.cdist(a, b, metric, threads=0), one)
        np.testing.assert_array_equal(vector.cdist(a, b, metric, threads=None), one)
        top1 = vector.topk(a, b, 7, metric, threads=1)
        top2 = vector.topk(a, b, 7, metric, threads=2)
        np.testing.assert_array_equal(top1[0], top2[0])
        np.testing.assert_array_equal(top1[1], top2[1])
        np.testing.assert_array_equal(
            vector.one_to_many(q, b, metric, threads=1), vector.one_to_many(q, b, metric, threads=2)
        )


def test_many_python_threads_at_once() -> None:
    rng = np.random.default_rng(18)
    a = rand(rng, (200, 64), F32)
    b = rand(rng, (3000, 64), F32)
    expected_cdist = vector.cdist(a, b, "sqeuclidean", threads=1)
    expected_top = vector.topk(a, b, 5, "cosine", threads=1)
    failures: list[str] = []
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        barrier.wait()
        for _ in range(3):
            if i % 2:
                if not np.array_equal(vector.cdist(a, b, "sqeuclidean"), expected_cdist):
                    failures.append(f"cdist in thread {i}")
            else:
                indices, values = vector.topk(a, b, 5, "cosine", threads=2)
                if not (np.array_equal(indices, expected_top[0]) and np.array_equal(values, expected_top[1])):
                    failures.append(f"topk in thread {i}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_batch_calls_release_the_gil() -> None:
    """Another Python thread runs while a long cdist computes."""
    rng = np.random.default_rng(19)
    a = rand(rng, (700, 128), F32)
    window: list[float] = []

    def long_call() -> None:
        window.append(time.perf_counter())
        vector.cdist(a, a, "manhattan", precision="accurate", threads=1)
        window.append(time.perf_counter())

    ticks: list[float] = []
    worker = threading.Thread(target=long_call)
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    start, end = window
    assert end - start > 0.05, "the call must be long enough for the test to mean something"
    inside = [t for t in ticks if start + 0.02 < t < end - 0.02]
    assert len(inside) >= 5, f"{len(inside)} ticks of the main thread during a {end - start:.3f} s call"


# ------------------------------------------------------------------------------- errors


def test_bad_input_types() -> None:
    x = np.ones(3, dtype=F32)
    # Lists and tuples are copied once into float64: they combine with each other and float64.
    assert vector.dot([1.0, 2.0, 3.0], (4, 5, 6)) == 32.0
    assert vector.cosine_distance([[1.0, 0.0], [0.0, 2.0]], [3.0, 0.0]).tolist() == [0.0, 1.0]
    assert vector.sum([0.5, 0.25]) == 0.75
    with pytest.raises(ferrule.ArgumentTypeError, match="float32"):
        vector.dot([1.0, 2.0, 3.0], x)
    for bad_list in (["a", "b", "c"], [[1.0, 2.0], [3.0]], [{}, 1.0, 2.0]):
        with pytest.raises(ferrule.ArgumentTypeError):
            vector.dot(bad_list, [1.0, 2.0, 3.0])  # type: ignore[arg-type]
    for bad_value in (None, 3.0, "abc", {"a": 1}):
        with pytest.raises(ferrule.ArgumentTypeError) as info:
            vector.dot(x, bad_value)  # type: ignore[arg-type]
        assert isinstance(info.value, TypeError) and info.value.code == "FERRULE_INVALID_ARGUMENT"
    for dtype in (np.int64, np.int32, np.float16, np.complex64, np.bool_):
        with pytest.raises(ferrule.ArgumentTypeError, match="dtype"):
            vector.dot(np.ones(3, dtype=dtype), np.ones(3, dtype=dtype))  # type: ignore[arg-type]
    with pytest.raises(ferrule.ArgumentTypeError, match="dtype"):
        vector.sum(b"\x00\x01")
    with pytest.raises(ferrule.ArgumentTypeError):
        vector.sum(np.array(["a", "b"]))
    with pytest.raises(TypeError):
        vector.scale(x, "2")  # type: ignore[call-overload]


def test_mixed_float_types() -> None:
    a32, a64 = np.ones(3, dtype=F32), np.ones(3, dtype=F64)
    m32, m64 = np.ones((4, 3), dtype=F32), np.ones((4, 3), dtype=F64)
    calls: list[Callable[[], object]] = [
        lambda: vector.dot(a32, a64),
        lambda: vector.cosine_distance(a32, m64),
        lambda: vector.cdist(m32, m64),
        lambda: vector.topk(a64, m32, 1),
        lambda: vector.add(a32, a64),
        lambda: vector.fma(a32, a32, a64),
        lambda: vector.one_to_many(a64, m32),
    ]
    for bad in calls:
        with pytest.raises(ferrule.ArgumentTypeError, match="float32") as info:
            bad()
        assert isinstance(info.value, TypeError)


def test_length_mismatches() -> None:
    a, b = np.ones(3), np.ones(4)
    for name in DISTANCES:
        with pytest.raises(ferrule.LengthMismatchError):
            call(name, a, b)
    with pytest.raises(ferrule.LengthMismatchError):
        vector.dot(a, np.ones((5, 4)))
    with pytest.raises(ferrule.LengthMismatchError):
        vector.cdist(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ferrule.LengthMismatchError):
        vector.topk(a, np.ones((5, 4)), 1)
    with pytest.raises(ferrule.LengthMismatchError):
        vector.add(a, b)
    with pytest.raises(ferrule.LengthMismatchError):
        vector.fma(a, a, b)
    with pytest.raises(ferrule.LengthMismatchError):
        vector.axpy(1.0, a, b)


def test_bad_shapes_and_options() -> None:
    v, m = np.ones(3), np.ones((4, 3))
    with pytest.raises(ferrule.InvalidArgumentError, match="cdist"):
        vector.dot(m, m)
    with pytest.raises(ferrule.InvalidArgumentError, match="3-D"):
        vector.dot(v, np.ones((2, 2, 3)))
    with pytest.raises(ferrule.InvalidArgumentError, match="0-D"):
        vector.dot(np.array(1.0), v)
    with pytest.raises(ferrule.ArgumentTypeError):
        vector.dot(np.float64(1.0), v)  # type: ignore[call-overload]
    with pytest.raises(ferrule.InvalidArgumentError):
        vector.cdist(v, m)
    with pytest.raises(ferrule.InvalidArgumentError):
        vector.topk(v, v, 1)
    with pytest.raises(ferrule.InvalidArgumentError):
        vector.one_to_many(m, m)
    with pytest.raises(ferrule.InvalidArgumentError):
        vector.one_to_many(v, v)
    for name in ("sum", "mean", "min", "max", "argmin", "argmax", "norm"):
        with pytest.raises(ferrule.InvalidArgumentError, match="1-D"):
            call(name, m)
    with pytest.raises(ferrule.InvalidArgumentError, match="1-D"):
        vector.add(m, m)
    with pytest.raises(ferrule.InvalidArgumentError, match="k = 5"):
        vector.topk(v, m, 5)
    with pytest.raises(ferrule.InvalidArgumentError, match="k = -1"):
        vector.topk(v, m, -1)
    with pytest.raises(ferrule.InvalidArgumentError, match="unknown metric"):
        vector.cdist(m, m, "cosine_similarity")  # type: ignore[call-overload]
    with pytest.raises(ferrule.InvalidArgumentError, match="unknown metric"):
        vector.topk(v, m, 1, "L2")  # type: ignore[call-overload]
    with pytest.raises(ferrule.InvalidArgumentError, match="unknown precision"):
        vector.dot(v, v, precision="exact")  # type: ignore[call-overload]
    with pytest.raises(ferrule.InvalidArgumentError, match="unknown precision"):
        vector.sum(v, precision="double")  # type: ignore[arg-type]
    with pytest.raises(ferrule.InvalidArgumentError, match="threads"):
        vector.cdist(m, m, threads=-1)
    with pytest.raises(ferrule.InvalidArgumentError, match="threads"):
        vector.dot(v, m, threads=-2)
    with pytest.raises(ferrule.InvalidArgumentError, match="threads"):
        vector.dot(v, v, threads=-2)
    with pytest.raises(ferrule.InvalidArgumentError, match="out="):
        vector.dot(v, v, out=np.empty(1))


def test_out_is_checked() -> None:
    a = np.ones(4, dtype=F32)
    m = np.ones((3, 4), dtype=F32)
    with pytest.raises(ferrule.LengthMismatchError, match="shape"):
        vector.add(a, a, out=np.empty(5, dtype=F32))
    with pytest.raises(ferrule.LengthMismatchError, match="shape"):
        vector.add(a, a, out=np.empty((2, 2), dtype=F32))
    with pytest.raises(ferrule.LengthMismatchError, match="shape"):
        vector.cdist(m, m, out=np.empty((3, 4), dtype=F32))
    with pytest.raises(ferrule.LengthMismatchError, match="shape"):
        vector.add(a, a, out=np.array(1.0, dtype=F32))
    with pytest.raises(ferrule.ArgumentTypeError, match="dtype"):
        vector.add(a, a, out=np.empty(4, dtype=F64))
    with pytest.raises(ferrule.ArgumentTypeError, match="dtype"):
        vector.dot(a, m, out=np.empty(3, dtype=">f4"))
    with pytest.raises(ferrule.ArgumentTypeError):
        vector.add(a, a, out=[0.0] * 4)  # type: ignore[call-overload]
    with pytest.raises(ferrule.InvalidArgumentError, match="contiguous"):
        vector.add(a, a, out=np.empty(8, dtype=F32)[::2])
    with pytest.raises(ferrule.InvalidArgumentError, match="contiguous"):
        vector.cdist(m, m, out=np.empty((3, 3), dtype=F32, order="F"))
    readonly = np.empty(4, dtype=F32)
    readonly.flags.writeable = False
    with pytest.raises(ferrule.InvalidArgumentError, match="read-only"):
        vector.add(a, a, out=readonly)
    readonly_rows = np.empty(3, dtype=F32)
    readonly_rows.flags.writeable = False
    with pytest.raises(ferrule.InvalidArgumentError, match="read-only"):
        vector.one_to_many(a, m, out=readonly_rows)
    with pytest.raises(ferrule.InvalidArgumentError):
        vector.one_to_many(a, m, out=np.broadcast_to(np.empty(1, dtype=F32), (3,)))


# ------------------------------------------------------------------------------- the module


def test_module_surface() -> None:
    assert ferrule.vector is vector
    for name in vector.__all__:
        function = getattr(vector, name)
        assert callable(function) and function.__doc__, name
        assert type(function).__name__ == "builtin_function_or_method", "no Python wrapper in front"
    signature: str = getattr(vector.dot, "__text_signature__", "")
    assert "precision='fast'" in signature


def test_module_doc_examples_run() -> None:
    failures, tried = doctest.testmod(vector, verbose=False)
    assert tried > 0 and failures == 0


def test_functions_pickle_by_name_for_multiprocessing() -> None:
    # Pickled by module and name (ProcessPoolExecutor.submit(vector.dot, ...)): the same object
    # must come back.
    for name in vector.__all__:
        function = getattr(vector, name)
        assert function.__module__ == "ferrule.vector", name
        assert pickle.loads(pickle.dumps(function)) is function, name
