"""Many Python threads using ferrule at once: one shared StringPool, vector math and log parsing
(parse_file, iter_batches, StreamParser) overlapping, with the results of every thread equal to
the single-threaded ones, and a deadline instead of a hang.

The batch calls release the GIL, so the threads really run ferrule's native code at the same
time (and ferrule's own thread pools under them). Each round starts at a barrier, so all eight
threads enter their calls together; the kinds of work rotate between threads from round to
round, so every kind runs beside every other.
"""

from __future__ import annotations

import datetime
import faulthandler
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ferrule
import numpy as np
import numpy.typing as npt
import pytest
from ferrule import logs, vector

REPO = Path(__file__).resolve().parents[2]
ACCESS_LOG = REPO / "examples" / "data" / "apache_combined.log"
AUTH_LOG = REPO / "examples" / "data" / "auth.log"
# auth.log runs from 31 December into 1 January: a fixed reference keeps its years fixed.
AUTH_OPTIONS: dict[str, Any] = {"reference_time": datetime.date(2025, 1, 1)}

THREADS = 8
ROUNDS = 8
# A run takes a few seconds; this is only the point where a stuck run counts as a deadlock.
DEADLINE = 90.0

# Python values of a table: every column (nulls as None, dictionary codes as their bytes, plain
# strings as bytes, numbers bit for bit), its errors and its stats (wall time left out).
Snapshot = dict[str, Any]


def column_values(table: logs.LogTable, name: str, kind: str) -> list[Any]:
    valid = table.validity(name).tolist()
    if kind == "dictionary":
        values = table.dictionary(name, raw=True)
        return [values[c] if v else None for c, v in zip(table.column(name).tolist(), valid)]
    if kind == "string":
        return [s if v else None for s, v in zip(table.column(name, raw=True).tolist(), valid)]
    column = table.column(name)
    # Bits, so that NaN equals NaN and -0.0 differs from 0.0.
    raw = column.view(np.uint8).reshape(len(column), -1) if len(column) else column.view(np.uint8)
    return [bytes(row) if v else None for row, v in zip(raw, valid)]


def snapshot(tables: list[logs.LogTable]) -> Snapshot:
    """One snapshot of consecutive tables (one parse, or the batches of one iteration)."""
    schema = tables[0].schema
    columns: dict[str, list[Any]] = {name: [] for name, _ in schema}
    errors: list[tuple[int, str, int, bytes]] = []
    stats: dict[str, int] = {}
    for table in tables:
        assert table.schema == schema
        for name, kind in schema:
            columns[name] += column_values(table, name, kind)
        errors += [(e.line, e.code, e.offset, e.raw) for e in table.errors]
        s = table.stats  # every count but the wall time
        counts = {"lines": s["lines"], "ok": s["ok"], "errors": s["errors"], "skipped": s["skipped"],
                  "empty": s["empty"], "bytes": s["bytes"]}  # fmt: skip
        for key, value in counts.items():
            stats[key] = stats.get(key, 0) + value
    return {"schema": schema, "columns": columns, "errors": errors, "stats": stats}


def stream_parse(path: Path, chunk: int, **options: Any) -> list[logs.LogTable]:
    parser = logs.StreamParser(**options)
    data = path.read_bytes()
    tables = []
    for start in range(0, len(data), chunk):
        parser.push(data[start : start + chunk])
        tables.append(parser.take_batch())
    tables.append(parser.finish())
    return tables


# ------------------------------------------------------------------------------- the work

RNG = np.random.default_rng(7)
QUERIES = RNG.standard_normal((16, 64)).astype(np.float32)
DATABASE = RNG.standard_normal((3000, 64)).astype(np.float32)
LONG_A = RNG.standard_normal(300_000)
LONG_B = RNG.standard_normal(300_000)

# Each is big enough to release the GIL (64Ki elements of work or more); `threads` varies so
# that ferrule's per-size thread pools are made and shared while other threads compute.
VECTOR_WORK: dict[str, Callable[[], Any]] = {
    "cdist": lambda: vector.cdist(QUERIES, DATABASE, "sqeuclidean"),
    "cdist-2-threads": lambda: vector.cdist(QUERIES, DATABASE, "cosine", threads=2),
    "topk": lambda: vector.topk(QUERIES, DATABASE, 10, "cosine"),
    "topk-3-threads": lambda: vector.topk(QUERIES, DATABASE, 5, "dot", threads=3),
    "one_to_many": lambda: vector.one_to_many(QUERIES[0], DATABASE, "euclidean", threads=1),
    "dot-many": lambda: vector.dot(QUERIES[1], DATABASE[::2]),
    "dot": lambda: vector.dot(LONG_A, LONG_B),
    "sum-accurate": lambda: vector.sum(LONG_A, precision="accurate"),
    "manhattan": lambda: vector.manhattan(LONG_A, LONG_B),
    "add": lambda: vector.add(LONG_A, LONG_B),
    "fma": lambda: vector.fma(LONG_A, LONG_B, LONG_A),
    "normalize": lambda: vector.normalize(LONG_B),
    "argmax": lambda: vector.argmax(LONG_A),
}

LOG_WORK: dict[str, Callable[[], list[logs.LogTable]]] = {
    "parse_file access": lambda: [logs.parse_file(ACCESS_LOG)],
    "parse_file access 2 threads": lambda: [logs.parse_file(ACCESS_LOG, threads=2)],
    "parse_file auth": lambda: [logs.parse_file(AUTH_LOG, "syslog_rfc3164", **AUTH_OPTIONS)],
    "iter_batches access": lambda: list(logs.iter_batches(ACCESS_LOG, batch_rows=1500)),
    "iter_batches auth": lambda: list(
        logs.iter_batches(AUTH_LOG, "syslog_rfc3164", batch_rows=50, **AUTH_OPTIONS)
    ),
    "StreamParser access": lambda: stream_parse(ACCESS_LOG, 100_000),
    "parse_bytes access": lambda: [logs.parse_bytes(ACCESS_LOG.read_bytes())],
}


def same(a: Any, b: Any) -> bool:
    """Exact equality of results: arrays bit for bit (with shape and dtype), tuples item-wise."""
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and a.tobytes() == b.tobytes()
        )
    return type(a) is type(b) and (a == b or (a != a and b != b))  # NaN == NaN here


# Distinct pool values with a bit of everything: ASCII, other scripts, an empty string.
VALUES = [f"value-{i}" for i in range(30_000)] + [f"ключ-{i}/路径" for i in range(10_000)] + [""]
CHUNK = 3000


@dataclass
class Seen:
    """What one thread saw: the id the pool gave for each value, and the failures."""

    ids: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record(self, values: list[str], ids: list[int] | npt.NDArray[np.uint32], how: str) -> None:
        for value, id in zip(values, (int(i) for i in ids)):
            known = self.ids.setdefault(value, id)
            if known != id:
                self.failures.append(f"{how}: {value!r} got id {id}, earlier {known}")


def pool_work(pool: ferrule.StringPool, seen: Seen, thread: int, round: int) -> None:
    """Interns a chunk of VALUES that overlaps the other threads' chunks, in one of four ways,
    then reads back values it already knows while the others go on inserting."""
    start = (thread * 5000 + round * 2300) % len(VALUES)
    chunk = (VALUES + VALUES)[start : start + CHUNK]
    mode = (thread + round) % 4
    if mode == 0:
        seen.record(chunk, pool.intern_many(chunk), "intern_many(list)")
    elif mode == 1:
        seen.record(chunk, pool.intern_many(np.array(chunk)), "intern_many(numpy U)")
    elif mode == 2:
        seen.record(chunk, [pool.intern(v) for v in chunk], "intern(str)")
    else:
        # bytes and str of the same UTF-8 are the same value
        seen.record(chunk, [pool.intern(v.encode()) for v in chunk], "intern(bytes)")
    known = list(seen.ids.items())[-2000:]
    ids = np.array([id for _, id in known], dtype=np.uint32)
    if pool.resolve_many(ids) != [value for value, _ in known]:
        seen.failures.append("resolve_many gave other values for ids this thread was given")
    for value, id in known[:: 97]:
        if pool[id] != value or pool.get(value) != id or value not in pool:
            seen.failures.append(f"pool[{id}] / get({value!r}) disagree while others intern")
    frozen = pool.freeze()
    for value, id in known[:: 211]:
        if frozen[id] != value:
            seen.failures.append(f"a frozen copy taken meanwhile has {frozen[id]!r} at id {id}")


@dataclass
class Outcome:
    seen: Seen = field(default_factory=Seen)
    vector: dict[str, list[Any]] = field(default_factory=dict)
    logs: dict[str, list[Snapshot]] = field(default_factory=dict)
    error: BaseException | None = None


def run_threads(work: Callable[[int, int, Outcome], None]) -> list[Outcome]:
    """Runs `work(thread, round, outcome)` on THREADS threads for ROUNDS rounds, each round
    starting at a barrier; fails (with every thread's stack on stderr) past the deadline."""
    barrier = threading.Barrier(THREADS, timeout=DEADLINE)
    outcomes = [Outcome() for _ in range(THREADS)]

    def body(thread: int) -> None:
        try:
            for round in range(ROUNDS):
                barrier.wait()
                work(thread, round, outcomes[thread])
        except BaseException as err:  # noqa: BLE001 - reported by the main thread
            outcomes[thread].error = err
            barrier.abort()

    # The backstop: if even the main thread cannot return (a native call holding the GIL
    # forever), print every stack and end the process rather than hang the test run.
    faulthandler.dump_traceback_later(DEADLINE + 30, exit=True)
    try:
        # Daemon threads: a stuck one cannot keep the interpreter alive after the failure.
        threads = [threading.Thread(target=body, args=(k,), daemon=True) for k in range(THREADS)]
        deadline = time.monotonic() + DEADLINE
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
            pytest.fail(f"deadlock: {stuck} still running after {DEADLINE} s (stacks on stderr)")
    finally:
        faulthandler.cancel_dump_traceback_later()
    for k, outcome in enumerate(outcomes):
        if outcome.error is not None and not isinstance(outcome.error, threading.BrokenBarrierError):
            raise AssertionError(f"thread {k} failed: {outcome.error!r}") from outcome.error
    for k, outcome in enumerate(outcomes):
        if outcome.error is not None:
            raise AssertionError(f"thread {k} failed: {outcome.error!r}") from outcome.error
    return outcomes


def check_pool(pool: ferrule.StringPool, outcomes: list[Outcome]) -> None:
    for k, outcome in enumerate(outcomes):
        assert not outcome.seen.failures, f"thread {k}: {outcome.seen.failures[:5]}"
    every: dict[str, int] = {}
    for k, outcome in enumerate(outcomes):
        for value, id in outcome.seen.ids.items():
            assert every.setdefault(value, id) == id, f"{value!r}: thread {k} got another id"
    # One id per value, dense from 0, each naming its value, and nothing else in the pool.
    assert len(pool) == len(every)
    assert sorted(every.values()) == list(range(len(every)))
    assert len(set(every.values())) == len(every)
    ids = np.fromiter(every.values(), dtype=np.uint32, count=len(every))
    assert pool.resolve_many(ids) == list(every)
    assert [pool.get(value) for value in every] == list(every.values())
    # The pool as a single thread would build it from the same values, up to the id order.
    single = ferrule.StringPool()
    single.intern_many(list(every))
    assert sorted(pool) == sorted(single)
    assert len(single) == len(pool)


def test_eight_threads_share_a_pool_while_computing_and_parsing() -> None:
    vector_reference = {name: f() for name, f in VECTOR_WORK.items()}
    log_reference = {name: snapshot(f()) for name, f in LOG_WORK.items()}
    # The iterators, the stream parser and parse_bytes agree with parse_file themselves.
    assert log_reference["iter_batches access"] == log_reference["parse_file access"]
    assert log_reference["StreamParser access"] == log_reference["parse_file access"]
    assert log_reference["iter_batches auth"] == log_reference["parse_file auth"]
    assert log_reference["parse_file access"]["stats"]["errors"] == 1
    pool = ferrule.StringPool()
    vector_names = list(VECTOR_WORK)
    log_names = list(LOG_WORK)

    def work(thread: int, round: int, outcome: Outcome) -> None:
        # Every thread touches the pool each round; besides, half compute and half parse,
        # swapping each round, each on another task.
        pool_work(pool, outcome.seen, thread, round)
        if (thread + round) % 2 == 0:
            name = vector_names[(thread * 3 + round) % len(vector_names)]
            outcome.vector.setdefault(name, []).append(VECTOR_WORK[name]())
        else:
            name = log_names[(thread * 3 + round) % len(log_names)]
            outcome.logs.setdefault(name, []).append(snapshot(LOG_WORK[name]()))

    outcomes = run_threads(work)
    check_pool(pool, outcomes)
    done_vector: set[str] = set()
    done_logs: set[str] = set()
    for k, outcome in enumerate(outcomes):
        for name, results in outcome.vector.items():
            for result in results:
                assert same(result, vector_reference[name]), f"thread {k}: {name} differs"
            done_vector.add(name)
        for name, snapshots in outcome.logs.items():
            for snap in snapshots:
                assert snap == log_reference[name], f"thread {k}: {name} differs"
            done_logs.add(name)
    # The rotation ran every kind of work at least once.
    assert done_vector == set(VECTOR_WORK)
    assert done_logs == set(LOG_WORK)


def test_iter_batches_from_eight_threads_at_once() -> None:
    """Iterators advanced in lockstep, each next() with the GIL released, and one iterator shared
    by all threads (its batches are handed out one at a time, none lost or repeated)."""
    reference = snapshot(list(logs.iter_batches(ACCESS_LOG, batch_rows=700)))
    shared = logs.iter_batches(ACCESS_LOG, batch_rows=333)
    shared_batches: list[list[tuple[int, logs.LogTable]]] = [[] for _ in range(THREADS)]
    own: list[list[logs.LogTable]] = [[] for _ in range(THREADS)]
    iterators = [logs.iter_batches(ACCESS_LOG, batch_rows=700) for _ in range(THREADS)]

    def work(thread: int, round: int, outcome: Outcome) -> None:
        # ROUNDS rounds of 2 batches of 700 rows: 11,200 rows > 10,000, so each iterator ends.
        for _ in range(2):
            batch = next(iterators[thread], None)
            if batch is not None:
                own[thread].append(batch)
        batch = next(shared, None)
        if batch is not None:
            shared_batches[thread].append((int(batch.column("line")[0]), batch))

    run_threads(work)
    for k in range(THREADS):
        assert snapshot(own[k]) == reference, f"thread {k}"
    # The shared iterator's batches, put back in line order, are the whole file once.
    batches = sorted((b for per_thread in shared_batches for b in per_thread), key=lambda b: b[0])
    assert len(batches) == -(-10_000 // 333)
    whole = snapshot([batch for _, batch in batches])
    assert whole["columns"] == reference["columns"]
    assert whole["errors"] == reference["errors"]


def test_a_stream_parser_shared_by_threads_serializes_calls() -> None:
    """Whole lines pushed by eight threads into one parser: every line parsed once (the order of
    the rows is the order the pushes happened to run in)."""
    lines = ACCESS_LOG.read_bytes().splitlines(keepends=True)
    parser = logs.StreamParser()
    taken: list[list[logs.LogTable]] = [[] for _ in range(THREADS)]

    def work(thread: int, round: int, outcome: Outcome) -> None:
        mine = lines[thread::THREADS][round::ROUNDS]
        for start in range(0, len(mine), 50):
            parser.push(b"".join(mine[start : start + 50]))
        taken[thread].append(parser.take_batch())

    run_threads(work)
    tables = [table for per_thread in taken for table in per_thread] + [parser.finish()]
    requests = value_counts(tables, "request")
    reference = logs.parse_file(ACCESS_LOG)
    assert sum(t.num_rows for t in tables) == reference.num_rows == 10_000
    assert requests == value_counts([reference], "request")
    assert sum(t.stats["errors"] for t in tables) == 1
    assert parser.lines == 10_000


def value_counts(tables: list[logs.LogTable], name: str) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for table in tables:
        for value in column_values(table, name, "string"):
            counts[value] = counts.get(value, 0) + 1
    return counts
