"""Dictionary-encodes the columns of a real access log (``make demo`` runs it on the bundled log).

usage: python examples/python/access_log_pool.py [ACCESS_LOG]

Each column of an Apache combined log (client, path, user agent) repeats a handful of values
thousands of times. One ``ferrule.StringPool`` per column turns it into a NumPy ``uint32`` array;
counting is then ``numpy.bincount``. Lines that do not split into the combined format's fields
are reported and skipped (the bundled log has exactly one, line 8899). The results are checked
against ``collections.Counter`` and the script exits non-zero on a mismatch.
"""

import sys
from collections import Counter
from pathlib import Path

import numpy as np

import ferrule

DEFAULT_LOG = Path(__file__).resolve().parent.parent / "data" / "apache_combined.log"


def split_combined(line: str) -> tuple[str, str, str] | None:
    """(client, path, user agent) of a combined-format line, or None. A stand-in until ferrule's
    own access log parser lands: it only cuts at the quotes."""
    parts = line.split('"')
    if len(parts) != 7 or parts[6].strip():
        return None
    request = parts[1].split(" ")
    if len(request) != 3:
        return None
    return line.split(" ", 1)[0], request[1], parts[5]


path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LOG
rows: list[tuple[str, str, str]] = []
skipped: list[int] = []
with open(path, encoding="utf-8", errors="replace") as log:
    for number, line in enumerate(log, start=1):
        fields = split_combined(line.rstrip("\n"))
        if fields is None:
            skipped.append(number)
        else:
            rows.append(fields)
print(f"{path.name}: {len(rows):,} requests, skipped lines {skipped[:5]}{' ...' if len(skipped) > 5 else ''}")

failures = []
for name, column in zip(("client", "path", "user agent"), zip(*rows)):
    pool = ferrule.StringPool()
    ids = pool.intern_many(list(column))
    counts = np.bincount(ids, minlength=len(pool))
    top = int(np.argmax(counts))
    raw = sum(len(value.encode()) for value in column)
    print(f"  {name:<10}: {len(pool):>6,} distinct; {raw:>9,} bytes as text -> {ids.nbytes:>7,} bytes of ids "
          f"+ a {pool.nbytes:,}-byte pool; busiest: {pool[top][:60]!r} ({counts[top]:,})")
    expected_value, expected_count = Counter(column).most_common(1)[0]
    if (pool[top], int(counts[top])) != (expected_value, expected_count) or len(pool) != len(set(column)):
        failures.append(f"{name}: pool disagrees with Counter")
    if pool.resolve_many(ids) != list(column):
        failures.append(f"{name}: the ids do not decode to the column")

if failures:
    sys.exit("FAILED: " + "; ".join(failures))
print("ok")
