#!/usr/bin/env python3
"""Churn through the Python API and check that memory stays flat (issue #7, `make check-deep`).

Creates and frees string pools (with a few strings, serialized and read back), log tables
(parse_bytes of a few lines, columns and errors read), stream parsers, batch readers over a
small file, compiled formats and factorize results; runs vector calls of every kind and failing
calls (each raising a ferrule error; two an iteration, seven kinds in turn); N times per kind (``--iterations``, default 1,000,000).

The resident set size (RSS, from /proc/self/statm) of this process is read after each kind's
warm-up (its first 10% of iterations) and at the end of the kind, both after a garbage
collection: the run fails (exit status 1) when it grew by more than 5% over the warm-up reading,
or when any call gave a wrong result.

    .venv/bin/python scripts/deep/python_churn.py [--iterations N] [--kind NAME ...]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ferrule
import numpy as np
from ferrule import logs, vector

LINES = (
    b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl/7"\n'
    b'::1 - bob [10/Oct/2000:13:55:37 +0130] "POST /b?q=1 HTTP/1.1" 404 - "http://r/" "Mozilla"\n'
    b"bad line\n"
    b'5.6.7.8 - - [10/Oct/2000:13:55:40 -0700] "GET /last HTTP/1.0" 200 1 "-" "x"\n'
)
ROWS = 4
PAGE = os.sysconf("SC_PAGE_SIZE")
LIMIT = 0.05

RNG = np.random.default_rng(1)
A32 = RNG.standard_normal(64).astype(np.float32)
B32 = RNG.standard_normal(64).astype(np.float32)
M32 = RNG.standard_normal((16, 64)).astype(np.float32)
A64 = RNG.standard_normal(100)
B64 = RNG.standard_normal(100)
OUT16 = np.empty(16, np.float32)
DOT = float(np.dot(A64, B64))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / (1 << 20)


# ------------------------------------------------------------------------------- the kinds
# Each runs one iteration and returns True when every call gave what it should.


def pool_kind(i: int) -> bool:
    pool = ferrule.StringPool()
    ids = pool.intern_many(["GET", "POST", f"value-{i}", "GET"])
    ok = ids.tolist() == [0, 1, 2, 0] and pool.intern(b"\xff") == 3 and pool.get("POST") == 1
    return ok and pool[2] == f"value-{i}" and pool.resolve_many(ids) == ["GET", "POST", f"value-{i}", "GET"]


POOL_IMAGE = ferrule.StringPool()
POOL_IMAGE.intern_many(["a", "bb", "ccc"])
IMAGE = POOL_IMAGE.to_bytes()


def pool_serialize_kind(i: int) -> bool:
    pool = ferrule.StringPool.from_bytes(IMAGE)
    frozen = pool.freeze()
    again = ferrule.FrozenStringPool.from_bytes(frozen.to_bytes())
    return len(again) == 3 and again.get("bb") == 1 and list(frozen) == ["a", "bb", "ccc"]


def factorize_kind(i: int) -> bool:
    codes, uniques = ferrule.factorize(["b", "a", None, "b", f"x{i % 7}"])
    return codes.tolist()[:4] == [0, 1, -1, 0] and len(uniques) == 3


COMBINED = logs.LogFormat.preset("combined")


def table_kind(i: int) -> bool:
    table = logs.parse_bytes(LINES, COMBINED)
    ok = table.num_rows == ROWS and table.column("status").tolist() == [200, 404, 0, 200]
    ok = ok and table.dictionary("method") == ["GET", "POST"] and table.errors[0].line == 3
    return ok and table.column("request")[1] == "POST /b?q=1 HTTP/1.1" and table.null_count("bytes") == 2


def stream_kind(i: int) -> bool:
    parser = logs.StreamParser(COMBINED)
    cut = 17 + i % 150
    parser.push(LINES[:cut])
    first = parser.take_batch()
    parser.push(LINES[cut:-1])
    last = parser.finish()
    return first.num_rows + last.num_rows == ROWS and parser.finished


def batches_kind(i: int) -> bool:
    rows = 0
    batches = logs.iter_batches(SMALL_FILE, COMBINED, batch_rows=3)
    for batch in batches:
        rows += batch.num_rows
    if i % 2:
        batches.close()
    return rows == ROWS


FORMATS = ['$remote_addr [$time_local] "$request" $status $request_time', "%h %l %u %t \"%r\" %>s %b %D"]


def format_kind(i: int) -> bool:
    nginx = logs.LogFormat.nginx(FORMATS[0])
    apache = logs.LogFormat.apache(FORMATS[1])
    template = logs.LogFormat.template("<Date> <Level> <Component>: <Content>")
    return nginx.kind == "nginx" and "duration_us" in apache.column_names and len(template.schema) == 7


def vector_kind(i: int) -> bool:
    ok = abs(vector.dot(A64, B64) - DOT) < 1e-9 and vector.argmax(A32) == int(np.argmax(A32))
    ok = ok and vector.cosine_distance(A32, A32) < 1e-6 and vector.norm(B64) > 0
    vector.one_to_many(A32, M32, "euclidean", out=OUT16)
    ok = ok and bool(OUT16[0] > 0)
    ok = ok and vector.cdist(M32[:4], M32, "sqeuclidean").shape == (4, 16)
    indices, values = vector.topk(A32, M32, 3, "dot")
    ok = ok and indices.shape == (3,) and values[0] >= values[2]
    ok = ok and vector.add(A64, B64)[0] == A64[0] + B64[0] and vector.normalize(B32).shape == (64,)
    return ok and vector.axpy(2.0, A32, B32).dtype == np.float32 and vector.sum(A64, precision="accurate") != 0


def errors_kind(i: int) -> bool:
    """Failing calls: each raises its ferrule error (whose objects and messages are freed)."""
    raised = 0
    pool = ferrule.StringPool()
    # One of each kind per iteration, in turn: argument type, length, range, I/O, parse, format,
    # corrupt data.
    calls = (
        lambda: vector.dot(A64, B32),
        lambda: vector.add(A64, A64[:3]),
        lambda: pool.resolve_bytes(7 + i),
        lambda: logs.parse_file(MISSING),
        lambda: logs.parse_bytes(LINES, COMBINED, on_error="raise"),
        lambda: logs.LogFormat.nginx("$a$b"),
        lambda: ferrule.StringPool.from_bytes(IMAGE[:-1]),
    )
    for call in (calls[i % 7], calls[(i + 3) % 7]):
        try:
            call()
        except ferrule.FerruleError:
            raised += 1
    return raised == 2


KINDS: dict[str, tuple[str, Callable[[int], bool]]] = {
    "pool": ("StringPool new/intern/resolve/free", pool_kind),
    "pool-bytes": ("StringPool from_bytes/freeze/to_bytes", pool_serialize_kind),
    "factorize": ("factorize", factorize_kind),
    "table": ("parse_bytes: LogTable + columns + errors", table_kind),
    "stream": ("StreamParser push/take_batch/finish", stream_kind),
    "batches": ("iter_batches over a small file", batches_kind),
    "formats": ("LogFormat nginx/apache/template", format_kind),
    "vector": ("vector: 12 calls of every kind", vector_kind),
    "errors": ("2 failing calls (7 kinds of error in turn)", errors_kind),
}

SMALL_FILE = ""
MISSING = ""


def main() -> int:
    global SMALL_FILE, MISSING
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=1_000_000, help="per kind (default 1,000,000)")
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only these kinds (repeatable)")
    args = parser.parse_args()
    if args.iterations < 10:
        parser.error("--iterations must be at least 10")
    kinds = args.kind or list(KINDS)

    with tempfile.TemporaryDirectory(prefix="ferrule-churn-") as tmp:
        SMALL_FILE = str(Path(tmp) / "small.log")
        Path(SMALL_FILE).write_bytes(LINES)
        MISSING = str(Path(tmp) / "missing.log")
        warm = args.iterations // 10
        print(f"python_churn: {args.iterations} iterations per kind (ferrule {ferrule.__version__}), "
              f"warm-up {warm} per kind; RSS at start {rss_mb():.2f} MB")  # fmt: skip
        started = time.monotonic()
        failed_kinds = []
        for name in kinds:
            title, kind = KINDS[name]
            wrong = 0
            t0 = time.monotonic()
            for i in range(warm):
                if not kind(i):
                    wrong += 1
            gc.collect()
            after_warm_up = rss_mb()
            for i in range(warm, args.iterations):
                if not kind(i):
                    wrong += 1
            gc.collect()
            end = rss_mb()
            seconds = time.monotonic() - t0
            growth = (end - after_warm_up) / after_warm_up
            verdict = "ok" if growth <= LIMIT and not wrong else "FAILED"
            print(f"  {title:<42} {args.iterations} x {seconds:6.1f} s {seconds / args.iterations * 1e6:6.2f} "
                  f"us/iteration  RSS {after_warm_up:.2f} -> {end:.2f} MB ({growth:+.2%}) {verdict}"
                  + (f", {wrong} wrong results" if wrong else ""), flush=True)  # fmt: skip
            if verdict != "ok":
                failed_kinds.append(name)
        print(f"runtime: {time.monotonic() - started:.1f} s; RSS at the end {rss_mb():.2f} MB; limit +{LIMIT:.0%} "
              f"per kind: {'FAILED: ' + ', '.join(failed_kinds) if failed_kinds else 'ok'}")  # fmt: skip
    return 1 if failed_kinds else 0


if __name__ == "__main__":
    sys.exit(main())
