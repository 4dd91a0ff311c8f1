"""Issue #3, Python side: dictionary-encoding 1M strings with ferrule against what Python users
use today (a dict loop, sys.intern, pandas.factorize, pyarrow, polars Categorical).

The data is the file `gen_strings` writes (1,000,000 values, 50,000 distinct, 8-64 bytes, Zipf):
the same bytes the criterion and Node benches measure. It is generated on first use. Every
contender is checked against a reference before anything is timed; pandas, pyarrow and polars
are optional (reported as skipped when missing; `make bench` installs them).

Run alone: `.venv/bin/python benches/python/bench_pool.py`
(FERRULE_BENCH_STRINGS=PATH reads another data file.)
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import ferrule
from harness import Result, compare, report

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("FERRULE_BENCH_STRINGS", ROOT / "build" / "bench-data" / "strings-1m.txt"))


def load_values() -> tuple[list[str], dict[str, Any]]:
    meta_path = DATA.with_name(DATA.name + ".meta.json")
    # gen_strings writes the metadata last, so its presence means the data file is complete.
    if not meta_path.exists():
        print(f"generating {DATA} (cargo run --release --bin gen_strings)", flush=True)
        subprocess.run(
            ["cargo", "run", "--quiet", "--release", "-p", "ferrule-benches", "--bin", "gen_strings",
             "--", str(DATA)],
            cwd=ROOT, check=True,
        )  # fmt: skip
    meta = json.loads(meta_path.read_text())
    raw = DATA.read_bytes()
    if len(raw) != meta["file_bytes"] or not raw.endswith(b"\n"):
        sys.exit(f"{DATA}: {len(raw)} bytes, metadata says {meta['file_bytes']}: regenerate it")
    # Split on b"\n" only: str.splitlines() would also split on \x1c, \x85 and friends.
    values = raw[:-1].decode("utf-8").split("\n")
    if len(values) != meta["values"] or len(set(values)) != meta["distinct"]:
        sys.exit(f"{DATA}: {len(values)} values / {len(set(values))} distinct, not as its metadata says")
    return values, meta


def optional(name: str) -> ModuleType | None:
    """The module, or None after saying it is skipped: comparison scripts install nothing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"skipped: {name} is not installed (make bench installs it into .venv)")
        return None


def intern_fresh(values: Any) -> Any:
    """ferrule's contender: a fresh pool each call, like every other contender's fresh dict."""
    return ferrule.StringPool().intern_many(values)


def dict_codes(values: Sequence[str]) -> list[int]:
    """The idiomatic pure-Python dictionary encoding: first-seen order, like ferrule's ids."""
    seen: dict[str, int] = {}
    return [seen.setdefault(v, len(seen)) for v in values]


def pandas_factorize_list(pd: ModuleType, values: list[str]) -> tuple[Any, Any]:
    """pandas.factorize as a list holder calls it: pandas 3 no longer takes a list, so the list
    becomes an object ndarray first (pandas 2 did that conversion itself)."""
    return pd.factorize(np.array(values, dtype=object))  # type: ignore[no-any-return]


def same_codes(name: str, codes: Any, uniques: Any, values_arr: np.ndarray) -> None:
    """A fast wrong answer is not a result: uniques[codes] must give back every value."""
    decoded = np.asarray(uniques, dtype=object)[np.asarray(codes, dtype=np.int64)]
    if not np.array_equal(decoded, values_arr):
        sys.exit(f"{name}: codes do not decode back to the input")


def ratio(results: list[Result], name: str, baseline: str = "ferrule") -> float | None:
    by_name = {r.name: r.median_s for r in results}
    if name not in by_name:
        return None
    return by_name[name] / by_name[baseline]


GOAL_LINES: list[str] = []


def goal(results: list[Result], name: str, at_least: float, what: str) -> None:
    r = ratio(results, name)
    if r is None:
        GOAL_LINES.append(f"goal: {what} >= {at_least}x {name}: not measured ({name} skipped)")
    else:
        verdict = "met" if r >= at_least else "MISSED"
        GOAL_LINES.append(f"goal: {what} >= {at_least}x {name}: {r:.2f}x, {verdict}")


def main() -> None:
    if not hasattr(ferrule, "StringPool"):
        sys.exit("this ferrule has no StringPool: rebuild the Python module (make build-python)")
    values, meta = load_values()
    n = len(values)
    print(f"data: {DATA} ({n:,} values, {meta['distinct']:,} distinct, {meta['file_bytes']:,} bytes)")
    values_arr = np.array(values, dtype=object)
    # The values' UTF-8 bytes (the file without its newlines): the input size of every case.
    nbytes = meta["file_bytes"] - n
    pd = optional("pandas")
    pa = optional("pyarrow")
    pl = optional("polars")

    # ------------------------------------------------------------ checks, before any timing
    expected = np.array(dict_codes(values), dtype=np.uint32)
    pool = ferrule.StringPool()
    ids = pool.intern_many(values)
    if ids.dtype != np.uint32 or not np.array_equal(ids, expected):
        sys.exit("ferrule intern_many(list): ids differ from the dict loop's first-seen codes")
    if len(pool) != meta["distinct"] or pool.resolve_many(ids[:1000]) != values[:1000]:
        sys.exit("ferrule intern_many(list): pool size or resolved values are wrong")
    interned = [sys.intern(v) for v in values]
    if len({id(s) for s in interned}) != meta["distinct"]:
        sys.exit("sys.intern: not one object per distinct value")
    if pd is not None:
        codes, uniques = pandas_factorize_list(pd, values)
        same_codes("pandas.factorize", codes, uniques, values_arr)
        scodes, suniques = pd.Series(values).factorize()
        if not np.array_equal(scodes, expected) or list(suniques) != list(uniques):
            sys.exit("pandas Series.factorize: codes or uniques differ from pandas.factorize")
    if pa is not None:
        encoded = pa.array(values).dictionary_encode()
        same_codes("pyarrow dictionary_encode", encoded.indices.to_numpy(), encoded.dictionary.to_pylist(),
                   values_arr)  # fmt: skip
        arr = pa.array(values)
        if not np.array_equal(ferrule.StringPool().intern_many(arr), expected):
            sys.exit("ferrule intern_many(pyarrow array): ids differ from the dict loop's codes")
    if pl is not None:
        # Which categories list polars' codes index has changed across versions (local vs global
        # categories), so check the codes as a partition instead: equal values, equal codes.
        physical = pl.Series(values, dtype=pl.Categorical).to_physical().to_list()
        if len(set(physical)) != meta["distinct"] or len(set(zip(physical, values))) != meta["distinct"]:
            sys.exit("polars Categorical: codes do not match the values one to one")
    fcodes, funiques = ferrule.factorize(values)
    if fcodes.dtype != np.int64 or not np.array_equal(fcodes, expected.astype(np.int64)):
        sys.exit("ferrule.factorize: codes differ from the first-seen codes")
    same_codes("ferrule.factorize", fcodes, funiques, values_arr)
    if pd is not None:
        pcodes, puniques = pandas_factorize_list(pd, values)
        if not np.array_equal(fcodes, pcodes) or list(funiques) != list(puniques):
            sys.exit("ferrule.factorize: codes or uniques differ from pandas.factorize")
    del pool, ids, interned

    # ------------------------------------------------------------ timing
    # Every contender starts from nothing each call: a fresh pool / dict, so 95% of lookups hit.
    contenders: list[tuple[str, Callable[[], object]]] = [
        ("ferrule", lambda: intern_fresh(values)),
        ("dict loop", lambda: dict_codes(values)),
        # The interned set outlives each call (values keeps its strings alive): all hits after
        # the first round, which favours sys.intern.
        ("sys.intern loop", lambda: [sys.intern(v) for v in values]),
    ]
    if pd is not None:
        contenders.append(("pandas.factorize", lambda: pandas_factorize_list(pd, values)))
    if pa is not None:
        contenders.append(("pyarrow from list", lambda: pa.array(values).dictionary_encode()))
    if pl is not None:
        contenders.append(
            ("polars Categorical", lambda: pl.Series(values, dtype=pl.Categorical).to_physical())
        )
    results = compare(contenders)
    report(f"intern a list of {n:,} str (50k distinct; ns per string)", results, unit_count=n, unit="string",
           nbytes=nbytes)  # fmt: skip
    goal(results, "dict loop", 4, "intern_many(list)")
    goal(results, "pyarrow from list", 2, "intern_many(list)")
    goal(results, "polars Categorical", 2, "intern_many(list)")

    if pa is not None:
        arrays = [("string", pa.array(values, type=pa.string())),
                  ("large_string", pa.array(values, type=pa.large_string()))]  # fmt: skip
        if hasattr(pa, "string_view"):
            arrays.append(("string_view", pa.array(values, type=pa.string_view())))
        for type_name, arr in arrays:
            arr_contenders: list[tuple[str, Callable[[], object]]] = [
                ("ferrule", functools.partial(intern_fresh, arr)),
            ]
            if not np.array_equal(intern_fresh(arr), expected):
                sys.exit(f"ferrule intern_many(pyarrow {type_name}): ids differ from the dict loop's codes")
            try:
                arr.dictionary_encode()
            except pa.ArrowException as err:  # some pyarrow versions cannot encode string_view
                print(f"skipped: pyarrow {type_name} Array.dictionary_encode ({type(err).__name__})")
            else:
                arr_contenders.append(("Array.dictionary_encode", arr.dictionary_encode))
            arr_results = compare(arr_contenders)
            report(f"intern a prebuilt pyarrow {type_name} array ({n:,} values; ns per string)", arr_results,
                   unit_count=n, unit="string", nbytes=nbytes)  # fmt: skip
            if type_name == "string":
                goal(arr_results, "Array.dictionary_encode", 1.5, "intern_many(pyarrow array)")
    else:
        GOAL_LINES.append("goal: intern_many(pyarrow array) >= 1.5x Array.dictionary_encode: not measured "
                          "(pyarrow skipped)")  # fmt: skip

    fact_contenders: list[tuple[str, Callable[[], object]]] = [("ferrule", lambda: ferrule.factorize(values))]
    if pd is not None:
        fact_contenders.append(("pandas.factorize", lambda: pandas_factorize_list(pd, values)))
        # pandas 3 infers its pyarrow-backed "str" dtype here, pandas 2 keeps object.
        fact_contenders.append(("pandas Series(list).factorize", lambda: pd.Series(values).factorize()))
    fact_results = compare(fact_contenders)
    report(f"factorize a list of {n:,} str (ns per string)", fact_results, unit_count=n, unit="string",
           nbytes=nbytes)  # fmt: skip
    goal(fact_results, "pandas.factorize", 4, "ferrule.factorize")
    if pd is not None:
        # pandas' own favourite input: an object ndarray, no list conversion to pay.
        obj_results = compare([
            ("ferrule", lambda: ferrule.factorize(values_arr)),
            ("pandas.factorize", lambda: pd.factorize(values_arr)),
        ])  # fmt: skip
        report(f"factorize an object ndarray of {n:,} str (ns per string)", obj_results, unit_count=n,
               unit="string", nbytes=nbytes)  # fmt: skip

    print()
    for line in GOAL_LINES:
        print(line)


if __name__ == "__main__":
    main()
