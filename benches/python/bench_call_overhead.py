"""The floor cost of any ferrule call from Python: one trip through the native boundary.

Per-item APIs pay this on every item; batch APIs pay it once. Compared with a plain Python
function call that does the same nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import ferrule
from harness import compare, report

N = 100_000


def python_version() -> str:
    return "0.1.0"


def loop(fn: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        for _ in range(N):
            fn()

    return run


results = compare([
    ("ferrule", loop(ferrule.version)),
    ("python function", loop(python_version)),
    ("builtin len('')", loop(lambda: len(""))),
])  # fmt: skip
report(f"call overhead ({N:,} calls)", results, unit_count=N)
