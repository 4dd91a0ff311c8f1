"""Shared timing harness of the Python comparison scripts: medians and ratios, side by side.

``compare`` interleaves the contenders (round robin, the order rotating every round) rather than
timing each one to completion in turn, so that warm-up, caches and machine noise fall on all of
them alike.

When the environment variable ``FERRULE_BENCH_JSON`` names a file, every table a script reports
is also appended to it as one JSON line (``emit``), which ``scripts/bench_report.py`` turns into
charts and markdown tables:

    {"runtime": "python", "script": "bench_pool.py", "group": "pool", "title": ...,
     "baseline": "ferrule", "unit": "string", "unit_count": 1000000, "bytes": 28617565,
     "basis": "wall",
     "results": [{"name": ..., "median_s": ..., "runs": [...], "ratio_vs_baseline": ...}, ...]}

``bytes`` is the total input size of the case (null when the case has none); ``median_s`` and
``runs`` are seconds per timing of the whole case (``unit_count`` units); ``ratio_vs_baseline`` is
the contender's time per unit over the baseline's, as the printed tables show it (above 1:
slower than ferrule). ``basis`` is "cpu" where the ratio compares CPU time (the log benchmarks,
whose results then also carry ``cpu_median_s`` and ``cpu_runs``); a result read from another
input than the table's carries its own ``bytes`` and ``unit_count``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JSON_ENV = "FERRULE_BENCH_JSON"


@dataclass
class Result:
    name: str
    median_s: float
    runs: list[float]
    #: CPU seconds, for the benchmarks that measure them (the log ones: threads count there).
    cpu_median_s: float | None = None
    cpu_runs: list[float] | None = None
    #: Only where this contender read another input than the rest of its table (a smaller file
    #: for a slow contender): its size and unit count.
    nbytes: int | None = None
    unit_count: int | None = None


def compare(
    contenders: Sequence[tuple[str, Callable[[], object]]], *, repeat: int = 9, number: int = 1
) -> list[Result]:
    """Times each ``(name, fn)`` ``repeat`` rounds (each round calls fn ``number`` times)."""
    for _, fn in contenders:
        fn()
    runs: list[list[float]] = [[] for _ in contenders]
    for round_ in range(repeat):
        for k in range(len(contenders)):
            i = (k + round_) % len(contenders)
            fn = contenders[i][1]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            runs[i].append((time.perf_counter() - start) / number)
    return [Result(name, statistics.median(r), r) for (name, _), r in zip(contenders, runs)]


def report(title: str, results: list[Result], *, baseline: str = "ferrule", unit_count: int = 1,
           unit: str = "call", nbytes: int | None = None) -> None:
    """Prints one table: median time per unit and each contender's time relative to ``baseline``
    (above 1.00x: slower than ferrule). ``nbytes``, the case's input size, only goes to the JSON
    line (``emit``)."""
    base = next(r for r in results if r.name == baseline)
    print(f"\n{title}")
    print(f"{'contender':<28} {'median / ' + unit:>16} {'vs ' + baseline:>12}")
    for r in results:
        per_unit = r.median_s / unit_count
        print(f"{r.name:<28} {per_unit * 1e9:>13.1f} ns {r.median_s / base.median_s:>11.2f}x")
    emit(title, results, baseline=baseline, unit=unit, unit_count=unit_count, nbytes=nbytes)


def emit(
    title: str,
    results: list[Result],
    *,
    baseline: str,
    unit: str,
    unit_count: int,
    nbytes: int | None = None,
    basis: str = "wall",
    group: str | None = None,
    script: str | None = None,
) -> None:
    """Appends the table as one JSON line to the file ``FERRULE_BENCH_JSON`` names; nothing when
    it is unset or empty. ``script`` defaults to the running script's file name and ``group`` to
    that name without ``bench_`` and the extension (bench_system_logs.py: system_logs)."""
    sink = os.environ.get(JSON_ENV, "")
    if not sink:
        return
    if basis not in ("wall", "cpu"):
        raise ValueError(f"basis must be 'wall' or 'cpu', not {basis!r}")
    script = script if script is not None else Path(sys.argv[0]).name
    group = group if group is not None else Path(script).stem.removeprefix("bench_")

    def per_unit(r: Result) -> float:
        seconds = r.cpu_median_s if basis == "cpu" else r.median_s
        if seconds is None:
            raise ValueError(f"{title}: {r.name} has no CPU time, the table's basis is CPU")
        # Per byte where sizes are known, else per unit: a contender on a smaller input
        # compares fairly (the log tables' ratios are per byte).
        if nbytes is not None:
            return seconds / (r.nbytes if r.nbytes is not None else nbytes)
        return seconds / (r.unit_count if r.unit_count is not None else unit_count)

    base = per_unit(next(r for r in results if r.name == baseline))
    rows: list[dict[str, Any]] = []
    for r in results:
        row: dict[str, Any] = {
            "name": r.name,
            "median_s": r.median_s,
            "runs": list(r.runs),
            "ratio_vs_baseline": per_unit(r) / base,
        }
        if r.cpu_median_s is not None:
            row["cpu_median_s"] = r.cpu_median_s
            row["cpu_runs"] = list(r.cpu_runs or [])
        if r.nbytes is not None:
            row["bytes"] = r.nbytes
        if r.unit_count is not None:
            row["unit_count"] = r.unit_count
        rows.append(row)
    record = {
        "runtime": "python",
        "script": script,
        "group": group,
        "title": title,
        "baseline": baseline,
        "unit": unit,
        "unit_count": unit_count,
        "bytes": nbytes,
        "basis": basis,
        "results": rows,
    }
    path = Path(sink)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write of one line in append mode: the lines of several scripts never interleave.
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, allow_nan=False) + "\n")
