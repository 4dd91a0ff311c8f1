"""Shared timing harness of the Python comparison scripts: medians and ratios, side by side."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    median_s: float
    runs: list[float]


def measure(name: str, fn: Callable[[], object], *, repeat: int = 7, number: int = 1) -> Result:
    """Times ``fn`` ``repeat`` times (each ``number`` calls) after one warm-up call."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return Result(name, statistics.median(runs), runs)


def report(title: str, results: list[Result], *, baseline: str = "ferrule", unit_count: int = 1,
           unit: str = "call") -> None:
    """Prints one table: median time per unit and each contender's ratio to ``baseline``."""
    base = next(r for r in results if r.name == baseline)
    print(f"\n{title}")
    print(f"{'contender':<28} {'median / ' + unit:>16} {'vs ' + baseline:>12}")
    for r in results:
        per_unit = r.median_s / unit_count
        print(f"{r.name:<28} {per_unit * 1e9:>13.1f} ns {r.median_s / base.median_s:>11.2f}x")
