#!/usr/bin/env python3
"""Bounded memory (issue #7): reads a 2 GiB access log (the shared real log repeated) with
``ferrule.logs.iter_batches(path, batch_rows=100_000)`` in a child Python process and reports its
peak RSS (the child's VmHWM from /proc, and getrusage's ru_maxrss of the child) and the rows read.
Exits 1 when the peak reaches the limit (256 MB) or a count is wrong.

    .venv/bin/python scripts/deep/python_bounded_memory.py [PATH] [--gb N] [--limit-mb N]

PATH: the big log; built there if missing (or of the wrong size), by default
target/deep-data/access-<N>gb.log, the file the Node script reads too (whole copies of
../shared/data/logs/access/apache_combined.log: 906 copies, 2.00 GiB, 9,060,000 rows, one error
row per copy). Without the shared data the script says so and exits 0. Run `make build-python`
first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_ACCESS = ROOT.parent / "shared" / "data" / "logs" / "access"
MB = 1 << 20
GB = 1 << 30
BATCH_ROWS = 100_000

# The child: one loop over the batches (each dropped before the next), a column read from each
# as a job would, then its own peak RSS. Nothing else is kept.
CHILD = """
import json, sys
from ferrule import logs
rows = errors = batches = largest = 0
total_bytes = 0
for batch in logs.iter_batches(sys.argv[1], batch_rows=int(sys.argv[2])):
    rows += batch.num_rows
    errors += batch.stats["errors"]
    batches += 1
    largest = max(largest, batch.num_rows)
    total_bytes += int(batch.column("bytes").sum())
    del batch
with open("/proc/self/status") as status:
    hwm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"rows": rows, "errors": errors, "batches": batches, "largest": largest,
                  "bytes_column_sum": total_bytes, "vmhwm_kb": hwm_kb}))
"""


def shared_log() -> Path | None:
    """The Apache combined log of the shared data (README: access/apache_combined.log)."""
    preferred = SHARED_ACCESS / "apache_combined.log"
    if preferred.is_file():
        return preferred
    found = sorted(SHARED_ACCESS.glob("*combined*.log")) if SHARED_ACCESS.is_dir() else []
    return found[0] if found else None


def build(path: Path, sample: bytes, copies: int) -> None:
    """Writes `copies` copies of `sample` to `path`, through a temporary name renamed into place
    (an interrupted build, or another process building the same file, never leaves it short)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    need = copies * len(sample)
    free = shutil.disk_usage(path.parent).free
    if free < need + GB // 4:
        sys.exit(f"not enough disk space for {path}: {need / GB:.2f} GB needed, {free / GB:.2f} GB free")
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    started = time.monotonic()
    try:
        with open(partial, "wb") as f:
            for _ in range(copies):
                f.write(sample)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    print(f"built {path} ({copies} copies of the shared log, {need / GB:.2f} GB) in "
          f"{time.monotonic() - started:.1f} s")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="the big log (built if missing)")
    parser.add_argument("--gb", type=float, default=2.0, help="size of the big log in GiB (default 2)")
    parser.add_argument("--limit-mb", type=float, default=256.0, help="peak RSS limit (default 256)")
    args = parser.parse_args()
    if args.gb <= 0 or args.limit_mb <= 0:
        parser.error("--gb and --limit-mb must be positive")

    source = shared_log()
    if source is None:
        print(f"python iter_batches: skipped, the shared data is absent ({SHARED_ACCESS})")
        return 0
    sample = source.read_bytes()
    if not sample.endswith(b"\n"):
        sample += b"\n"  # so that copies do not join lines
    copies = -(-int(args.gb * GB) // len(sample))
    path: Path = args.path or ROOT / "target" / "deep-data" / f"access-{args.gb:g}gb.log"
    if not path.is_file() or path.stat().st_size != copies * len(sample):
        build(path, sample, copies)

    # What one copy holds, by the same parser (README: 10,000 lines, one of them malformed).
    from ferrule import logs

    one = logs.parse_bytes(sample)
    expected = {"rows": copies * one.num_rows, "errors": copies * one.stats["errors"],
                "bytes_column_sum": copies * int(one.column("bytes").sum())}  # fmt: skip
    del one

    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(BATCH_ROWS)], capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if child.returncode != 0:
        print(f"python iter_batches: the child failed (exit status {child.returncode})\n{child.stderr}",
              file=sys.stderr)  # fmt: skip
        return 1
    result = json.loads(child.stdout.strip().splitlines()[-1])
    # ru_maxrss of the waited-for children, in KiB on Linux: a second reading of the same peak.
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mb = max(result["vmhwm_kb"], children_kb) * 1024 / MB
    size_gb = path.stat().st_size / GB
    print(f"python iter_batches {size_gb:.2f} GB: peak RSS {peak_mb:.0f} MB, {result['rows']} rows "
          f"({result['batches']} batches of up to {BATCH_ROWS}, {seconds:.1f} s, "
          f"{path.stat().st_size / MB / seconds:.0f} MB/s)")  # fmt: skip

    failed = False
    for key, value in expected.items():
        if result[key] != value:
            print(f"  wrong {key}: {result[key]}, expected {value}", file=sys.stderr)
            failed = True
    if result["largest"] > BATCH_ROWS:
        print(f"  a batch of {result['largest']} rows, more than batch_rows", file=sys.stderr)
        failed = True
    if peak_mb >= args.limit_mb:
        print(f"  peak RSS {peak_mb:.0f} MB is not below the limit of {args.limit_mb:g} MB", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
