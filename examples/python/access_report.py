"""A report on an access log (``make demo`` runs it on the bundled sample).

usage: python examples/python/access_report.py [ACCESS_LOG] [--format NAME] [--threads N]

Parses the log with ``ferrule.logs.parse_file`` into typed columns, then prints the requests
and error lines, the status histogram, the top 10 paths, the bytes served, the p50/p99 response
size and the parse throughput. The Node and C examples print the same report (all but its last
line, the throughput). ``--format``: a preset (``combined``, ``common``, ``vhost_combined``), or
``nginx:SPEC`` / ``apache:SPEC`` for a custom format.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path

import numpy as np

from ferrule import logs

DEFAULT_LOG = Path(__file__).resolve().parent.parent / "data" / "apache_combined.log"


def log_format(name: str) -> str | logs.LogFormat:
    """A preset name as is; ``nginx:SPEC`` and ``apache:SPEC`` compiled."""
    kind, _, spec = name.partition(":")
    if kind == "nginx" and spec:
        return logs.LogFormat.nginx(spec)
    if kind == "apache" and spec:
        return logs.LogFormat.apache(spec)
    return name


def nearest_rank(ascending: list[int], p: float) -> str:
    """The nearest-rank percentile ``v[ceil(p/100*n) - 1]`` of sorted values, "-" for none."""
    if not ascending:
        return "-"
    return str(ascending[math.ceil(p / 100 * len(ascending)) - 1])


def report(table: logs.LogTable) -> list[str]:
    stats = table.stats
    lines = [
        f"requests: {stats['lines']} lines, {stats['ok']} ok, {stats['errors']} errors, "
        f"{stats['skipped']} skipped",
        "error lines:",
    ]
    lines += [f"  line {e.line}: {e.code} at byte {e.offset}" for e in table.errors] or ["  none"]

    lines.append("status:")
    status = table.column("status")
    valid = table.validity("status")
    counts = Counter(status[valid].tolist())
    lines += [f"  {code} {counts[code]:>7}" for code in sorted(counts)]
    nulls = int(np.count_nonzero(~valid))
    if nulls:
        lines.append(f"  - {nulls:>7}")

    lines.append("top paths:")
    # Counted and ordered by their bytes as logged; shown decoded (invalid UTF-8 as U+FFFD).
    paths = Counter(p for p in table.column("path", raw=True).tolist() if p is not None)
    top = sorted(paths.items(), key=lambda item: (-item[1], item[0]))[:10]
    lines += [f"  {count:>7} {path.decode('utf-8', 'replace')}" for path, count in top]

    sizes = table.column("bytes")[table.validity("bytes")]
    ascending = sorted(sizes.tolist())
    lines.append(f"bytes served: {sum(ascending)}")
    lines.append(f"response size p50: {nearest_rank(ascending, 50)} p99: {nearest_rank(ascending, 99)}")
    seconds = stats["seconds"]
    rate = stats["bytes"] / 1e6 / seconds if seconds > 0 else 0.0
    lines.append(f"parse: {rate:.1f} MB/s ({seconds:.3f} s)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="A report on an access log.")
    parser.add_argument("log", nargs="?", type=Path, default=DEFAULT_LOG, help="the access log (plain or gzip)")
    parser.add_argument("--format", default="combined", help="preset name, or nginx:SPEC / apache:SPEC")
    parser.add_argument("--threads", type=int, default=None, help="parser threads (default: all cores)")
    args = parser.parse_args()
    table = logs.parse_file(args.log, log_format(args.format), threads=args.threads)
    print("\n".join(report(table)))


if __name__ == "__main__":
    main()
