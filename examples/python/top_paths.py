"""The top 10 paths of an access log of any size, in bounded memory.

usage: python examples/python/top_paths.py [ACCESS_LOG] [--batch-rows N]

``ferrule.logs.iter_batches`` reads the log (plain or gzip) in batches of at most N rows. With
``plain_columns=[]`` the ``path`` column is dictionary-encoded too, and its codes are stable
across batches: counting is ``numpy.bincount`` over each batch's codes, added up, and only the
last batch's dictionary (which holds every path seen) is needed to name them. Memory holds one
batch and the dictionaries, whatever the file's size.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ferrule import logs

DEFAULT_LOG = Path(__file__).resolve().parent.parent / "data" / "apache_combined.log"


def main() -> None:
    parser = argparse.ArgumentParser(description="The top 10 paths of an access log.")
    parser.add_argument("log", nargs="?", type=Path, default=DEFAULT_LOG, help="the access log (plain or gzip)")
    parser.add_argument("--batch-rows", type=int, default=65536, help="rows per batch")
    args = parser.parse_args()

    totals: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
    names: list[str] = []
    lines = batches = 0
    for batch in logs.iter_batches(args.log, batch_rows=args.batch_rows, plain_columns=[]):
        batches += 1
        lines += batch.stats["lines"]
        names = batch.dictionary("path")
        codes = batch.column("path")[batch.validity("path")]
        counts = np.bincount(codes, minlength=len(names)).astype(np.int64)
        counts[: len(totals)] += totals
        totals = counts
    print(f"{args.log.name}: {lines} lines in {batches} batches, {len(names)} distinct paths")
    # By count, then by path.
    for code in sorted(range(len(totals)), key=lambda c: (-int(totals[c]), names[c]))[:10]:
        print(f"  {int(totals[code]):>7} {names[code]}")


if __name__ == "__main__":
    main()
