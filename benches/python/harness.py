"""Shared timing harness of the Python comparison scripts: medians and ratios, side by side.

``compare`` interleaves the contenders (round robin, the order rotating every round) rather than
timing each one to completion in turn, so that warm-up, caches and machine noise fall on all of
them alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    median_s: float
    runs: list[float]


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
           unit: str = "call") -> None:
    """Prints one table: median time per unit and each contender's time relative to ``baseline``
    (above 1.00x: slower than ferrule)."""
    base = next(r for r in results if r.name == baseline)
    print(f"\n{title}")
    print(f"{'contender':<28} {'median / ' + unit:>16} {'vs ' + baseline:>12}")
    for r in results:
        per_unit = r.median_s / unit_count
        print(f"{r.name:<28} {per_unit * 1e9:>13.1f} ns {r.median_s / base.median_s:>11.2f}x")
