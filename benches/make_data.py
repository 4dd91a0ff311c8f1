"""Builds the access-log benchmark input (issue #5): the shared real sample
``../shared/data/logs/access/apache_combined.log`` (10,000 lines of real combined-format traffic,
2.37 MB) concatenated to about ``FERRULE_BENCH_MB`` megabytes (default 200), written to
``target/bench-data/access-combined-<MB>mb.log``. Real data only: when ``../shared`` is absent it
says so and writes nothing (exit status 0, so ``make bench`` goes on; the log benches then skip).

Every copy keeps the sample's one malformed line (line 8899 of each copy), so a correct parser
reports exactly one error per copy.

Usage: ``python3 benches/make_data.py [--mb N] [--print-path]``. Importable:
``make_data.ensure(mb) -> Path | None`` (the comparison scripts call it).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "logs" / "access" / "apache_combined.log"
OUT_DIR = ROOT / "target" / "bench-data"
SAMPLE_LINES = 10_000
SAMPLE_ERRORS = 1


def default_mb() -> float:
    return float(os.environ.get("FERRULE_BENCH_MB", "200"))


def copies_for(mb: float, sample_bytes: int) -> int:
    return max(1, round(mb * 1e6 / sample_bytes))


def data_path(mb: float) -> Path:
    return OUT_DIR / f"access-combined-{mb:g}mb.log"


def ensure(mb: float | None = None, *, quiet: bool = False) -> Path | None:
    """The input file for ``mb`` megabytes, built if missing; None when the sample is absent."""
    mb = default_mb() if mb is None else mb
    if not SAMPLE.is_file():
        print(
            f"skipped: {SAMPLE} is absent (../shared not checked out); the access-log benchmarks run on "
            "real logs only, never on synthetic data",
            file=sys.stderr,
        )
        return None
    sample = SAMPLE.read_bytes()
    if not sample.endswith(b"\n"):
        sample += b"\n"
    copies = copies_for(mb, len(sample))
    path = data_path(mb)
    if path.is_file() and path.stat().st_size == copies * len(sample):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as out:
        for _ in range(copies):
            out.write(sample)
    os.replace(tmp, path)  # Readers never see a half-written file.
    if not quiet:
        print(f"wrote {path}: {copies} copies of {SAMPLE.name}, {copies * len(sample) / 1e6:.1f} MB", file=sys.stderr)
    return path


def expected_counts(path: Path) -> tuple[int, int, int]:
    """(lines, ok, errors) a correct combined parser reports for a file ``ensure`` wrote."""
    copies = path.stat().st_size // SAMPLE.stat().st_size
    return copies * SAMPLE_LINES, copies * (SAMPLE_LINES - SAMPLE_ERRORS), copies * SAMPLE_ERRORS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=None, help="size in MB (default: FERRULE_BENCH_MB or 200)")
    parser.add_argument("--print-path", action="store_true", help="print the file's path on stdout")
    args = parser.parse_args()
    path = ensure(args.mb, quiet=args.print_path)
    if path is not None and args.print_path:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
