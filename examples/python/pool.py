"""Dictionary-encodes a column of repeated strings (python examples/python/pool.py).

An access log's columns repeat a few values millions of times. A ``ferrule.StringPool`` stores
each distinct value once and hands out small integer ids, so the column becomes a NumPy array of
``uint32``: counting, grouping and comparing then work on integers. The example checks every
result against plain Python and exits non-zero on a mismatch.
"""

import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

import ferrule

# A synthetic access log: 200,000 requests over a few hundred paths, skewed like real traffic.
rng = random.Random(2024)
paths = [f"/api/v1/{kind}/{n}" for kind in ("users", "orders", "items") for n in range(100)]
weights = [1 / (rank + 1) for rank in range(len(paths))]
column = rng.choices(paths, weights=weights, k=200_000)

pool = ferrule.StringPool()
ids = pool.intern_many(column)  # one call, GIL released while hashing
print(f"{len(column):,} values -> {len(pool)} distinct, ids {ids.dtype}, pool {pool.nbytes:,} bytes")

# Counting by id is a bincount; the three busiest paths come back through the pool.
counts = np.bincount(ids, minlength=len(pool))
top = np.argsort(counts)[::-1][:3]
busiest = [(pool[int(i)], int(counts[i])) for i in top]
for path, hits in busiest:
    print(f"  {hits:7,}  {path}")

failures = []
expected = Counter(column).most_common(3)
if busiest != expected:
    failures.append(f"top paths {busiest} != {expected}")
if pool.resolve_many(ids[:1000]) != column[:1000]:
    failures.append("resolve_many does not give the column back")

# pandas-style factorize: codes in first-seen order, None is -1.
codes, uniques = ferrule.factorize(["GET", "POST", None, "GET", "PUT"])
print(f"factorize: codes {codes.tolist()}, uniques {uniques.tolist()}")
if codes.tolist() != [0, 1, -1, 0, 2] or uniques.tolist() != ["GET", "POST", "PUT"]:
    failures.append("factorize gave unexpected codes")

# The pool is saved with its ids: a later run decodes the same column.
with tempfile.TemporaryDirectory() as tmp:
    pool.save(Path(tmp) / "paths.pool")
    again = ferrule.FrozenStringPool.load(Path(tmp) / "paths.pool")
if again.resolve_many(ids[-1000:]) != column[-1000:] or again.get(column[0]) != ids[0]:
    failures.append("the loaded pool has other ids")

try:
    pool[len(pool)]
    failures.append("an unknown id did not raise")
except ferrule.OutOfRangeError as err:  # also an IndexError
    print(f"unknown id: [{err.code}] {err}")

if failures:
    sys.exit("FAILED: " + "; ".join(failures))
print("ok")
