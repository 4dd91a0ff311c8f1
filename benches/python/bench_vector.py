"""Issue #4, Python side: ferrule.vector against what Python users use today for vector math:
NumPy (its best formulation, BLAS pinned to one thread), SimSIMD 6.5.16, NumKong and faiss-cpu.

Four sections, float32 throughout:
1. 1:1 distances (dot, cosine distance, squared Euclidean) at n = 16 ... 16M: the cost of one
   Python call, then memory bandwidth;
2. one query against 100,000 x 128 rows (dot, cosine);
3. the top 10 of those rows (faiss.knn, SimSIMD/NumPy + argpartition, ferrule's fused topk);
4. all pairs of 1000 x 1000 x 128 (dot, cosine, squared Euclidean), with an accuracy column: the
   median relative error on near-duplicate rows against a float64 exact reference.

Every contender's answer is checked before it is timed. Contenders are interleaved round-robin
(harness.compare) and each line reports the median of the rounds. Single-thread comparisons pin
everything to one thread (ferrule's threads=1, SimSIMD's threads=1, faiss' OpenMP, OpenBLAS);
"ferrule (all cores)" lines add ferrule's default. SimSIMD's `out=` is never used: it crashes
Python < 3.12 after a few thousand calls. SimSIMD, NumKong and faiss are optional (reported as
skipped when missing; `make bench` installs them).

Run alone: `OPENBLAS_NUM_THREADS=1 .venv/bin/python benches/python/bench_vector.py [--quick]`
"""

from __future__ import annotations

import functools
import importlib
import operator
import os
import sys
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

# Before NumPy loads OpenBLAS: its threads would spin on the cores the contenders run on.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import ferrule  # noqa: E402
from ferrule import vector  # noqa: E402
from harness import Result, compare, emit  # noqa: E402

QUICK = "--quick" in sys.argv
REPEAT = 3 if QUICK else 9
F32 = np.float32
Array = Any


def optional(name: str) -> ModuleType | None:
    """The module, or None after saying it is skipped: comparison scripts install nothing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"skipped: {name} is not installed (make bench installs it into .venv)")
        return None


def report(
    title: str,
    results: list[Result],
    *,
    baseline: str,
    unit: str = "call",
    unit_count: int = 1,
    extra: dict[str, str] | None = None,
    extra_title: str = "",
    nbytes: int | None = None,
) -> None:
    """harness.report's table, in the most readable unit, with an optional extra column; the
    JSON line too (harness.emit; ``nbytes``: the case's input size)."""
    base = next(r for r in results if r.name == baseline)
    scale, suffix = next(
        ((s, u) for s, u in ((1e9, "ns"), (1e6, "us"), (1e3, "ms")) if base.median_s / unit_count * s < 10_000),
        (1.0, "s"),
    )
    print(f"\n{title}")
    header = f"{'contender':<34} {'median / ' + unit:>16} {'vs ' + baseline:>22}"
    print(header + (f"  {extra_title}" if extra else ""))
    for r in results:
        per_unit = r.median_s / unit_count * scale
        line = f"{r.name:<34} {per_unit:>13.1f} {suffix} {r.median_s / base.median_s:>21.2f}x"
        if extra:
            line += f"  {extra.get(r.name, '-')}"
        print(line)
    emit(title, results, baseline=baseline, unit=unit, unit_count=unit_count, nbytes=nbytes)


GOALS: list[str] = []


def goal(what: str, ok: bool, detail: str) -> None:
    GOALS.append(f"goal: {what}: {detail}, {'met' if ok else 'MISSED'}")


def median_of(results: list[Result], name: str) -> float | None:
    return next((r.median_s for r in results if r.name == name), None)


def ratio_goal(results: list[Result], other: str, baseline: str, at_least: float, what: str) -> None:
    mine, theirs = median_of(results, baseline), median_of(results, other)
    if mine is None or theirs is None:
        GOALS.append(f"goal: {what} >= {at_least}x {other}: not measured ({other} skipped)")
    else:
        goal(f"{what} >= {at_least}x {other}", theirs / mine >= at_least, f"{theirs / mine:.2f}x")


def time_goal(results: list[Result], name: str, limit_s: float, what: str, unit_count: int = 1) -> None:
    value = median_of(results, name)
    if value is not None:
        per = value / unit_count
        text = f"{per * 1e9:.0f} ns" if limit_s < 1e-5 else f"{per * 1e3:.2f} ms"
        limit = f"{limit_s * 1e9:.0f} ns" if limit_s < 1e-5 else f"{limit_s * 1e3:.1f} ms"
        goal(f"{what} <= {limit}", per <= limit_s, text)


def check(name: str, got: Any, expected: Any, rtol: float, atol: float = 0.0) -> None:
    """A fast wrong answer is not a result."""
    got_array = np.asarray(got, dtype=np.float64)
    if not np.allclose(got_array, np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol):
        sys.exit(f"{name}: wrong answer (max abs error {np.max(np.abs(got_array - expected)):.3g})")


def repeated(fn: Callable[..., object], args: Sequence[Any], count: int) -> Callable[[], None]:
    """``count`` direct calls: no lambda between the loop and the function, so the per-call
    figure is the function's cost plus the bare loop's (printed as the floor)."""
    a, b = args

    def run() -> None:
        for _ in range(count):
            fn(a, b)

    return run


def as_array(fn: Callable[..., object], *args: Any, **kwargs: Any) -> Array:
    """``fn``'s result as a NumPy array (SimSIMD and NumKong return their own tensor types)."""
    return np.asarray(fn(*args, **kwargs))


def first(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)[0]


def calls_per_round(fn: Callable[..., object], args: Sequence[Any], budget_s: float) -> int:
    start = time.perf_counter()
    fn(*args)
    elapsed = max(time.perf_counter() - start, 1e-7)
    probe = max(1, min(1000, int(1e-3 / elapsed)))
    start = time.perf_counter()
    for _ in range(probe):
        fn(*args)
    per_call = (time.perf_counter() - start) / probe
    return max(1, int(budget_s / per_call))


# ------------------------------------------------------------------------------------ 1:1


def numpy_cosine(a: Array, b: Array) -> float:
    # Three BLAS dots: the cheapest NumPy formulation (no temporaries, no linalg.norm wrapper).
    return float(1 - np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))


def numpy_sqeuclidean(a: Array, b: Array) -> float:
    d = a - b
    return float(np.dot(d, d))


def one_to_one(simsimd: ModuleType | None, numkong: ModuleType | None) -> None:
    rng = np.random.default_rng(1)
    sizes = [16, 128, 1536, 65536, 1 << 20, 1 << 24]
    # The floor: the loop alone, and the loop calling the cheapest two-argument builtin.
    def bare_loop() -> None:
        for _ in range(100_000):
            pass

    floor = compare([("loop", bare_loop), ("is_", repeated(operator.is_, (0, 0), 100_000))], repeat=REPEAT)
    loop_ns, call_ns = (r.median_s / 100_000 * 1e9 for r in floor)
    print(f"\n1:1 distances, float32, one call per pair. Each figure includes the Python loop "
          f"({loop_ns:.0f} ns per iteration here); calling operator.is_(a, b), the cheapest two-argument "
          f"builtin, costs {call_ns:.0f} ns with it")  # fmt: skip
    for n in sizes:
        a = rng.standard_normal(n).astype(F32)
        b = rng.standard_normal(n).astype(F32)
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        exact = {
            "dot": float(a64 @ b64),
            "cosine": float(1 - a64 @ b64 / np.sqrt((a64 @ a64) * (b64 @ b64))),
            "sqeuclidean": float(((a64 - b64) ** 2).sum()),
        }
        scale = {"dot": float(np.abs(a64 * b64).sum()), "cosine": 1.0, "sqeuclidean": exact["sqeuclidean"]}
        for metric in ("dot", "cosine", "sqeuclidean"):
            ours: dict[str, Callable[..., object]] = {
                "dot": vector.dot, "cosine": vector.cosine_distance, "sqeuclidean": vector.sqeuclidean,
            }
            numpys: dict[str, Callable[..., object]] = {
                "dot": np.dot, "cosine": numpy_cosine, "sqeuclidean": numpy_sqeuclidean,
            }
            contenders: list[tuple[str, Callable[..., object]]] = [
                ("ferrule", ours[metric]),
                ("numpy", numpys[metric]),
            ]  # fmt: skip
            if simsimd is not None:
                contenders.append(("simsimd 6.5", getattr(simsimd, metric)))
            if numkong is not None:
                contenders.append(("numkong", getattr(numkong, {"cosine": "angular"}.get(metric, metric))))
            for name, fn in contenders:
                # Single precision: the error grows with n; 1e-3 of the terms' magnitudes is wide
                # enough for every honest float32 kernel and catches a wrong formula.
                check(f"{name} {metric} n={n}", fn(a, b), exact[metric], rtol=0, atol=1e-3 * scale[metric] + 1e-6)
            budget = 0.004 if not QUICK else 0.001
            counts = {name: calls_per_round(fn, (a, b), budget) for name, fn in contenders}
            timed = [(name, repeated(fn, (a, b), counts[name])) for name, fn in contenders]
            raw = compare(timed, repeat=REPEAT)
            # Per call, the rounds' timings as well as their median.
            results = [Result(r.name, r.median_s / counts[r.name], [t / counts[r.name] for t in r.runs])
                       for r in raw]  # fmt: skip
            report(f"{metric}, n = {n:,}", results, baseline="ferrule", nbytes=a.nbytes + b.nbytes)
            if metric in ("dot", "cosine") and n in (16, 1536):
                time_goal(results, "ferrule", 150e-9 if n == 16 else 250e-9, f"{metric} n={n} per call")
                ratio_goal(results, "simsimd 6.5", "ferrule", 1.25 if n == 16 else 1.4, f"{metric} n={n}")
            if metric == "cosine" and n == 1536:
                ratio_goal(results, "numpy", "ferrule", 10, "cosine n=1536")
            if n >= 1 << 20 and metric == "dot":
                ratio_goal(results, "simsimd 6.5", "ferrule", 1.0, f"dot n={n:,} (memory-bound parity)")
        del a, b, a64, b64


# ------------------------------------------------------------------------------------ one-to-many


def one_to_many_and_topk(simsimd: ModuleType | None, numkong: ModuleType | None, faiss: ModuleType | None) -> None:
    rng = np.random.default_rng(2)
    db = rng.standard_normal((100_000, 128)).astype(F32)
    q = rng.standard_normal(128).astype(F32)
    db64, q64 = db.astype(np.float64), q.astype(np.float64)
    norms64 = np.sqrt((db64 * db64).sum(1))
    exact = {"dot": db64 @ q64, "cosine": 1 - (db64 @ q64) / (norms64 * np.sqrt(q64 @ q64))}

    def numpy_dot() -> Array:
        return db @ q

    def numpy_cos() -> Array:
        return 1 - (db @ q) / (np.sqrt(np.einsum("ij,ij->i", db, db)) * np.sqrt(q @ q))

    for metric in ("dot", "cosine"):
        fn = vector.dot if metric == "dot" else vector.cosine_distance
        contenders: list[tuple[str, Callable[[], object]]] = [
            ("ferrule (1 thread)", functools.partial(fn, q, db, threads=1)),
            ("ferrule (all cores)", functools.partial(fn, q, db)),
            ("numpy", numpy_dot if metric == "dot" else numpy_cos),
        ]
        if simsimd is not None:
            contenders.append(("simsimd 6.5 cdist", functools.partial(
                as_array, simsimd.cdist, q, db, metric, out_dtype="float32", threads=1)))  # fmt: skip
        if numkong is not None:
            nk_metric = "angular" if metric == "cosine" else "dot"
            contenders.append(("numkong cdist", functools.partial(
                as_array, numkong.cdist, q[None, :], db, nk_metric, out_dtype="float32")))  # fmt: skip
        if faiss is not None and metric == "dot":
            contenders.append(("faiss pairwise_distances", functools.partial(
                faiss.pairwise_distances, q[None, :], db, metric=faiss.METRIC_INNER_PRODUCT)))  # fmt: skip
        for name, run in contenders:
            check(f"{name} one-to-many {metric}", np.ravel(np.asarray(run())), exact[metric],
                  rtol=1e-4, atol=1e-4 * (10 if metric == "dot" else 1))  # fmt: skip
        results = compare(contenders, repeat=REPEAT)
        report(f"one query x 100,000 x 128, {metric} (time per query)", results, baseline="ferrule (1 thread)",
               nbytes=q.nbytes + db.nbytes)  # fmt: skip
        if metric in ("dot", "cosine"):
            time_goal(results, "ferrule (1 thread)", 2.1e-3, f"one-to-many 100k x 128 {metric}, 1 thread")
            ratio_goal(results, "simsimd 6.5 cdist", "ferrule (1 thread)", 1.25, f"one-to-many {metric}")

    # ------------------------------------------------------------------ top-10
    k = 10

    def sorted_top(distances: Array, largest: bool) -> Array:
        keys = -distances if largest else distances
        part = np.argpartition(keys, k)[:k]
        return part[np.argsort(keys[part], kind="stable")]

    unit_db = db / np.linalg.norm(db, axis=1, keepdims=True)
    unit_q = q / np.linalg.norm(q)
    for metric in ("dot", "cosine"):
        largest = metric == "dot"
        expected_order = np.argsort(-exact["dot"] if largest else exact["cosine"], kind="stable")[:k]
        expected_values = exact[metric][expected_order]
        def numpy_top(largest: bool = largest) -> Array:
            return sorted_top(numpy_dot() if largest else numpy_cos(), largest)

        def simsimd_top(module: ModuleType, metric: str = metric, largest: bool = largest) -> Array:
            return sorted_top(as_array(module.cdist, q, db, metric, out_dtype="float32", threads=1)[0], largest)

        def faiss_top(module: ModuleType, query: Array, rows: Array) -> Array:
            return module.knn(query[None, :], rows, k, metric=module.METRIC_INNER_PRODUCT)[1][0]

        contenders = [
            ("ferrule topk (1 thread)", functools.partial(first, vector.topk, q, db, k, metric, threads=1)),
            ("ferrule topk (all cores)", functools.partial(first, vector.topk, q, db, k, metric)),
            ("numpy + argpartition", numpy_top),
        ]
        if simsimd is not None:
            contenders.append(("simsimd cdist + argpartition", functools.partial(simsimd_top, simsimd)))
        if faiss is not None:
            if metric == "dot":
                contenders.append(("faiss.knn (inner product)", functools.partial(faiss_top, faiss, q, db)))
            else:
                # faiss has no cosine: inner product over rows normalised beforehand (not timed).
                contenders.append(
                    ("faiss.knn (normalised rows)", functools.partial(faiss_top, faiss, unit_q, unit_db))
                )
        for name, run in contenders:
            got = np.asarray(run()).astype(np.int64)
            # Float32 rounding may swap near-ties: compare the exact distances of the rows found.
            check(f"{name} top-{k} {metric}", exact[metric][got], expected_values, rtol=1e-5, atol=1e-5)
        results = compare(contenders, repeat=REPEAT)
        report(f"top-{k} of one query x 100,000 x 128, {metric}", results, baseline="ferrule topk (1 thread)",
               nbytes=q.nbytes + db.nbytes)  # fmt: skip
        time_goal(results, "ferrule topk (1 thread)", 2.3e-3, f"top-10 100k x 128 {metric}, 1 thread")
        faiss_name = "faiss.knn (inner product)" if metric == "dot" else "faiss.knn (normalised rows)"
        ratio_goal(results, faiss_name, "ferrule topk (1 thread)", 1.6, f"top-10 {metric}")


# ------------------------------------------------------------------------------------ cdist


def all_pairs(simsimd: ModuleType | None, numkong: ModuleType | None, faiss: ModuleType | None) -> None:
    rng = np.random.default_rng(3)
    a = (rng.standard_normal((1000, 128)) * 10 + 50).astype(F32)
    # Row i of b is a near-duplicate of row i of a (the diagonal): where |a|^2 + |b|^2 - 2ab loses
    # its digits. The other pairs are ordinary.
    b = (a + F32(1e-2) * rng.standard_normal((1000, 128)).astype(F32)).astype(F32)
    b[500:] = rng.standard_normal((500, 128)).astype(F32) * 10 + 50
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    diagonal_exact = ((a64[:500] - b64[:500]) ** 2).sum(1)
    exact = {
        "dot": a64 @ b64.T,
        "cosine": 1 - (a64 @ b64.T) / np.outer(np.linalg.norm(a64, axis=1), np.linalg.norm(b64, axis=1)),
        "sqeuclidean": (a64 * a64).sum(1)[:, None] + (b64 * b64).sum(1)[None, :] - 2 * (a64 @ b64.T),
    }
    exact["sqeuclidean"][np.arange(500), np.arange(500)] = diagonal_exact

    def numpy_cdist(metric: str) -> Array:
        if metric == "dot":
            return a @ b.T  # sgemm
        if metric == "cosine":
            na = np.sqrt(np.einsum("ij,ij->i", a, a))
            nb = np.sqrt(np.einsum("ij,ij->i", b, b))
            return 1 - (a @ b.T) / np.outer(na, nb)
        # The expanded form every NumPy answer on the web gives (and scikit-learn uses).
        return np.einsum("ij,ij->i", a, a)[:, None] + np.einsum("ij,ij->i", b, b)[None, :] - 2 * (a @ b.T)

    for metric in ("dot", "cosine", "sqeuclidean"):
        contenders: list[tuple[str, Callable[[], object]]] = [
            ("ferrule (1 thread)", functools.partial(vector.cdist, a, b, metric, threads=1)),
            ("ferrule (all cores)", functools.partial(vector.cdist, a, b, metric)),
            ("numpy (sgemm)", functools.partial(numpy_cdist, metric)),
        ]
        if simsimd is not None:
            contenders.append(("simsimd 6.5 cdist", functools.partial(
                as_array, simsimd.cdist, a, b, metric, out_dtype="float32", threads=1)))  # fmt: skip
        if numkong is not None:
            nk = {"cosine": "angular"}.get(metric, metric)
            contenders.append(("numkong cdist", functools.partial(
                as_array, numkong.cdist, a, b, nk, out_dtype="float32")))  # fmt: skip
        if faiss is not None and metric != "cosine":
            faiss_metric = faiss.METRIC_INNER_PRODUCT if metric == "dot" else faiss.METRIC_L2
            contenders.append(("faiss pairwise_distances", functools.partial(
                faiss.pairwise_distances, a, b, metric=faiss_metric)))  # fmt: skip
        accuracy: dict[str, str] = {}
        for name, run in contenders:
            got = np.asarray(run(), dtype=np.float64)
            off_diagonal = np.ones((1000, 1000), dtype=bool)
            off_diagonal[np.arange(500), np.arange(500)] = False
            scale = np.abs(exact[metric][off_diagonal]).max()
            check(f"{name} cdist {metric}", got[off_diagonal], exact[metric][off_diagonal], rtol=0, atol=1e-4 * scale)
            if metric == "sqeuclidean":
                rel = np.abs(np.diagonal(got)[:500] - diagonal_exact) / diagonal_exact
                accuracy[name] = f"{np.median(rel):.1e}"
        results = compare(contenders, repeat=REPEAT)
        report(
            f"cdist 1000 x 1000 x 128, {metric} (time per call)",
            results,
            baseline="ferrule (1 thread)",
            extra=accuracy if metric == "sqeuclidean" else None,
            extra_title="median rel. error, near-duplicate rows",
            nbytes=a.nbytes + b.nbytes,
        )
        mine, sgemm = median_of(results, "ferrule (1 thread)"), median_of(results, "numpy (sgemm)")
        if metric == "dot" and mine is not None and sgemm is not None:
            goal("cdist dot within 1.1x of NumPy's sgemm, 1 thread", mine <= 1.1 * sgemm, f"{mine / sgemm:.2f}x its time")
        if metric == "cosine":
            time_goal(results, "ferrule (1 thread)", 5e-3, "cdist cosine, 1 thread")
        if metric == "sqeuclidean":
            time_goal(results, "ferrule (1 thread)", 6e-3, "cdist exact sqeuclidean, 1 thread")
            rel = accuracy.get("ferrule (1 thread)", "nan")
            goal("cdist sqeuclidean near-duplicate error <= 1e-6", float(rel) <= 1e-6, rel)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        return "?"


def main() -> None:
    if not hasattr(ferrule, "vector"):
        sys.exit("this ferrule has no vector module: rebuild the Python module (make build-python)")
    print(f"machine: {cpu_model()} (the issue's goals were set on an AMD Zen 4)")
    print(f"ferrule {ferrule.__version__} ({ferrule.capabilities()['isa']}), numpy {np.__version__}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, {os.cpu_count()} CPUs")  # fmt: skip
    simsimd = optional("simsimd")
    numkong = optional("numkong")
    faiss = optional("faiss")
    for module in (simsimd, numkong, faiss):
        if module is not None:
            print(f"{module.__name__} {getattr(module, '__version__', '?')}")
    if simsimd is not None and not str(getattr(simsimd, "__version__", "")).startswith("6.5."):
        print(f"note: the issue's figures are for SimSIMD 6.5.16; this is {simsimd.__version__}")
    if faiss is not None:
        faiss.omp_set_num_threads(1)
    one_to_one(simsimd, numkong)
    one_to_many_and_topk(simsimd, numkong, faiss)
    all_pairs(simsimd, numkong, faiss)
    print()
    for line in GOALS:
        print(line)


if __name__ == "__main__":
    main()
