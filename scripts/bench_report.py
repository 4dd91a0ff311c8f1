#!/usr/bin/env python3
"""The benchmark report (issue #8): the comparison scripts' tables as one JSON file, PNG charts
and markdown tables.

The comparison scripts (``benches/python/bench_*.py``, ``benches/node/bench_*.mjs``) append one
JSON line per table they print to the file ``FERRULE_BENCH_JSON`` names (the shape is documented
in ``benches/python/harness.py``). Two subcommands:

``machine``
    prints a JSON description of this machine: CPU, cores, memory, OS and kernel, the load
    average (run it before the benchmarks: it is the load they started under), the Python, Node,
    rustc and ferrule versions, ferrule's ISA, the anchors' versions, the benchmark environment
    variables, the git commit and the date (UTC).

``render RESULTS.jsonl --machine MACHINE.json --out-json OUT.json --img DIR [--markdown OUT.md]``
    checks every line, writes ``{"machine": ..., "tables": [...]}`` to OUT.json, draws for each
    hot path (pool, vector, logs; logs includes the system logs) ``DIR/bench-<path>-ratio.png``
    (how many times faster ferrule is than each anchor, per case) and
    ``DIR/bench-<path>-throughput.png`` (every contender's MB/s, or million units/s where a case
    has no byte size) and, with ``--markdown``, one markdown table per case. Exits 1 with a
    message when the JSON lines are missing, empty or malformed.

Only matplotlib (Agg; with NumPy and Pillow, which matplotlib requires) and the standard library.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import io
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNTIMES = ("python", "node")
GROUPS = ("pool", "vector", "logs", "system_logs", "call_overhead")
#: One pair of charts per hot path, from these groups of tables (call overhead: tables only).
CHARTS: dict[str, tuple[str, ...]] = {"pool": ("pool",), "vector": ("vector",), "logs": ("logs", "system_logs")}
#: The anchors' distributions whose versions the machine description records.
PYTHON_PACKAGES = ("numpy", "pandas", "pyarrow", "polars", "simsimd", "numkong", "faiss-cpu", "apache-log-parser",
                   "matplotlib")  # fmt: skip
BENCH_ENV = re.compile(r"^(FERRULE_BENCH_\w+|FERRULE_MAX_ISA|OPENBLAS_NUM_THREADS|OMP_NUM_THREADS)$")
DPI = 100
MAX_PNG_BYTES = 200_000


class ReportError(Exception):
    """Bad input: the message says which file and line, and what is wrong."""


# ------------------------------------------------------------------------------------ machine


def command_output(args: Sequence[str], *, cwd: Path | None = None) -> str | None:
    """A command's stripped standard output, or None when it is missing or fails."""
    try:
        done = subprocess.run(list(args), capture_output=True, text=True, timeout=60, cwd=cwd, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def proc_field(path: str, key: str, sep: str = ":") -> str | None:
    """The first value of ``key: value`` in a text file (``/proc/cpuinfo``, ``/proc/meminfo``;
    ``sep="="`` for ``/etc/os-release``), or None."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        name, found, value = line.partition(sep)
        if found and name.strip() == key:
            return value.strip().strip('"')
    return None


def memory_bytes() -> int | None:
    value = proc_field("/proc/meminfo", "MemTotal")  # "24567890 kB"
    if value is None or not value.endswith(" kB") or not value[:-3].strip().isdigit():
        return None
    return int(value[:-3]) * 1024


def ferrule_python() -> dict[str, Any]:
    """The ferrule Python module's version and capabilities, as the benchmarks import it."""
    try:
        module = importlib.import_module("ferrule")
        capabilities = dict(module.capabilities())
        return {"version": str(module.__version__), "isa": capabilities.get("isa"),
                "features": list(capabilities.get("features", []))}  # fmt: skip
    except Exception as err:  # any failure to load it is worth recording, not fatal
        return {"error": f"{type(err).__name__}: {err}"}


def ferrule_node() -> dict[str, Any]:
    """The Node addon's version and ISA, through the package entry point the benchmarks use."""
    script = ("const f = require('./bindings-node/ferrule.js');"
              "console.log(JSON.stringify({version: f.version(), isa: f.capabilities().isa}))")  # fmt: skip
    out = command_output(["node", "-e", script], cwd=ROOT)
    if out is None:
        return {"error": "node or the ferrule addon is not available"}
    loaded = json.loads(out)
    return loaded if isinstance(loaded, dict) else {"error": f"unexpected output {out!r}"}


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in PYTHON_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def node_package_version(name: str) -> str | None:
    try:
        meta = json.loads((ROOT / "node_modules" / name / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = meta.get("version") if isinstance(meta, dict) else None
    return version if isinstance(version, str) else None


def machine() -> dict[str, Any]:
    load1, load5, load15 = os.getloadavg()
    goaccess = command_output(["goaccess", "--version"]) if shutil.which("goaccess") else None
    commit = command_output(["git", "rev-parse", "HEAD"], cwd=ROOT)
    # diff-index only reads: unlike `git status` it never rewrites the index.
    dirty = None
    if commit is not None:
        dirty = subprocess.run(["git", "diff-index", "--quiet", "HEAD", "--"], cwd=ROOT, capture_output=True).returncode != 0
    python_ferrule = ferrule_python()
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu_model": proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "logical_cores": os.cpu_count(),
        "memory_bytes": memory_bytes(),
        "os": proc_field("/etc/os-release", "PRETTY_NAME", "=") or platform.system(),
        "kernel": platform.release(),
        "arch": platform.machine(),
        "load_average_at_start": [round(load1, 2), round(load5, 2), round(load15, 2)],
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "node": command_output(["node", "--version"]),
        "rustc": command_output(["rustc", "--version"]),
        "ferrule_version": python_ferrule.get("version"),
        "ferrule_isa": python_ferrule.get("isa"),
        "ferrule_python": python_ferrule,
        "ferrule_node": ferrule_node(),
        "python_packages": package_versions(),
        "node_packages": {"simsimd": node_package_version("simsimd")},
        "goaccess": goaccess.splitlines()[0] if goaccess else None,
        "env": {k: v for k, v in sorted(os.environ.items()) if BENCH_ENV.match(k)},
        "git_commit": commit,
        "git_dirty": dirty,
    }


# ------------------------------------------------------------------------------------ input


@dataclass(frozen=True)
class Row:
    """One contender of one table."""

    name: str
    median_s: float
    ratio: float
    cpu_median_s: float | None
    #: The input this contender read, where it differs from its table's.
    nbytes: int | None
    unit_count: int | None


@dataclass(frozen=True)
class Table:
    """One table a comparison script reported (one case)."""

    runtime: str
    script: str
    group: str
    title: str
    baseline: str
    unit: str
    unit_count: int
    nbytes: int | None
    basis: str
    rows: tuple[Row, ...]
    record: dict[str, Any]

    def row_bytes(self, row: Row) -> int | None:
        return row.nbytes if row.nbytes is not None else self.nbytes

    def row_units(self, row: Row) -> int:
        return row.unit_count if row.unit_count is not None else self.unit_count

    def seconds(self, row: Row) -> float:
        """The time the table's ratios compare: CPU seconds for the log tables, else wall."""
        if self.basis == "cpu" and row.cpu_median_s is not None:
            return row.cpu_median_s
        return row.median_s


class Checker:
    """Field access that fails with the file and line of the record being read."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, message: str) -> ReportError:
        return ReportError(f"{self.where}: {message}")

    def get(self, obj: dict[str, Any], key: str, what: str = "") -> Any:
        if key not in obj:
            raise self.fail(f"missing field {key!r}{what}")
        return obj[key]

    def string(self, obj: dict[str, Any], key: str, what: str = "", choices: Sequence[str] = ()) -> str:
        value = self.get(obj, key, what)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{key!r}{what} must be a non-empty string, not {value!r}")
        if choices and value not in choices:
            raise self.fail(f"{key!r}{what} is {value!r}, expected one of {', '.join(choices)}")
        return value

    def number(self, obj: dict[str, Any], key: str, what: str = "", positive: bool = True) -> float:
        value = self.get(obj, key, what)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(f"{key!r}{what} must be a finite number, not {value!r}")
        if positive and value <= 0:
            raise self.fail(f"{key!r}{what} must be above 0, not {value!r}")
        return float(value)

    def count(self, obj: dict[str, Any], key: str, what: str = "", optional: bool = False) -> int | None:
        value = obj.get(key) if optional else self.get(obj, key, what)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(f"{key!r}{what} must be a positive integer{' or null' if optional else ''}, not {value!r}")
        return value

    def numbers(self, obj: dict[str, Any], key: str, what: str = "") -> list[float]:
        value = self.get(obj, key, what)
        if (not isinstance(value, list) or not value
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0
                       for v in value)):  # fmt: skip
            raise self.fail(f"{key!r}{what} must be a non-empty list of non-negative numbers")
        return [float(v) for v in value]


def parse_table(record: Any, where: str) -> Table:
    check = Checker(where)
    if not isinstance(record, dict):
        raise check.fail(f"expected a JSON object, got {type(record).__name__}")
    basis = record.get("basis", "wall")
    if basis not in ("wall", "cpu"):
        raise check.fail(f"'basis' is {basis!r}, expected 'wall' or 'cpu'")
    results = check.get(record, "results")
    if not isinstance(results, list) or not results:
        raise check.fail("'results' must be a non-empty list")
    rows: list[Row] = []
    for i, result in enumerate(results):
        what = f" (results[{i}])"
        if not isinstance(result, dict):
            raise check.fail(f"results[{i}] must be a JSON object")
        check.numbers(result, "runs", what)
        cpu: float | None = None
        if basis == "cpu" or "cpu_median_s" in result:
            cpu = check.number(result, "cpu_median_s", what)
        rows.append(Row(
            name=check.string(result, "name", what),
            median_s=check.number(result, "median_s", what),
            ratio=check.number(result, "ratio_vs_baseline", what),
            cpu_median_s=cpu,
            nbytes=check.count(result, "bytes", what, optional=True),
            unit_count=check.count(result, "unit_count", what, optional=True),
        ))  # fmt: skip
    names = [r.name for r in rows]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise check.fail(f"contender(s) named twice: {', '.join(duplicates)}")
    baseline = check.string(record, "baseline")
    if baseline not in names:
        raise check.fail(f"the baseline {baseline!r} is not among the results ({', '.join(names)})")
    check.get(record, "bytes")  # present, even when null
    unit_count = check.count(record, "unit_count")
    assert unit_count is not None
    return Table(
        runtime=check.string(record, "runtime", choices=RUNTIMES),
        script=check.string(record, "script"),
        group=check.string(record, "group", choices=GROUPS),
        title=check.string(record, "title"),
        baseline=baseline,
        unit=check.string(record, "unit"),
        unit_count=unit_count,
        nbytes=check.count(record, "bytes", optional=True),
        basis=basis,
        rows=tuple(rows),
        record=record,
    )


def load_tables(path: Path) -> list[Table]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ReportError(f"{path}: cannot read it ({err})") from err
    tables: list[Table] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except ValueError as err:
            raise ReportError(f"{where}: not valid JSON ({err})") from err
        tables.append(parse_table(record, where))
    if not tables:
        raise ReportError(f"{path}: no results (did the benchmarks run with FERRULE_BENCH_JSON={path}?)")
    return tables


def load_machine(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ReportError(f"{path}: not a readable JSON file ({err})") from err
    if not isinstance(loaded, dict):
        raise ReportError(f"{path}: expected a JSON object (the output of `bench_report.py machine`)")
    return loaded


# ------------------------------------------------------------------------------------ numbers


def is_ferrule(name: str) -> bool:
    return name.lower().startswith("ferrule")


def throughput(table: Table, row: Row) -> tuple[float, str]:
    """The row's throughput on the table's basis and its unit: MB/s (decimal) where the case has
    a byte size, else million units per second."""
    seconds = table.seconds(row)
    per = " per core" if table.basis == "cpu" else ""
    nbytes = table.row_bytes(row)
    if nbytes is not None:
        return nbytes / seconds / 1e6, f"MB/s{per}"
    return table.row_units(row) / seconds / 1e6, f"M {plural(table.unit)}/s{per}"


def plural(unit: str) -> str:
    return unit[:-1] + "ies" if unit.endswith("y") and unit[-2:-1] not in "aeiou" else unit + "s"


def format_seconds(seconds: float) -> str:
    for scale, suffix in ((1e9, "ns"), (1e6, "µs"), (1e3, "ms")):
        if seconds * scale < 10_000:
            return f"{seconds * scale:,.1f} {suffix}"
    return f"{seconds:,.2f} s"


def format_rate(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.3g}"


def machine_line(info: dict[str, Any]) -> str:
    cpu = info.get("cpu_model") or "unknown CPU"
    cores = info.get("logical_cores")
    date = str(info.get("date_utc") or "unknown date").replace("T", " ").removesuffix("Z")
    date = date[:16] + " UTC" if len(date) >= 16 else date
    isa = info.get("ferrule_isa")
    return f"{cpu}, {cores} logical CPUs{f', ferrule {isa}' if isa else ''}; {date}"


# ------------------------------------------------------------------------------------ markdown


def markdown(tables: list[Table], info: dict[str, Any]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["# Benchmark tables", "", f"Machine: {machine_line(info)}.", ""]
    for group in GROUPS:
        chosen = [t for t in tables if t.group == group]
        if not chosen:
            continue
        lines += [f"## {group}", ""]
        for t in chosen:
            lines += [f"### {t.runtime}, `{t.script}`: {cell(t.title)}", ""]
            rate_unit = throughput(t, t.rows[0])[1]
            basis = " (CPU time)" if t.basis == "cpu" else ""
            header = ["contender", f"median / {t.unit}", rate_unit]
            if t.basis == "cpu":
                header.append(rate_unit.replace(" per core", " wall"))
            header.append(f"time vs {cell(t.baseline)}{basis}")
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            for r in t.rows:
                name = cell(r.name)
                if r.nbytes is not None or r.unit_count is not None:
                    size = f"{r.nbytes / 1e6:,.1f} MB" if r.nbytes is not None else f"{t.row_units(r):,} {plural(t.unit)}"
                    name += f" (on {size})"
                if r.name == t.baseline:
                    name = f"**{name}**"
                cells = [name, format_seconds(r.median_s / t.row_units(r)), format_rate(throughput(t, r)[0])]
                if t.basis == "cpu":
                    wall_bytes = t.row_bytes(r)
                    wall = (wall_bytes if wall_bytes is not None else t.row_units(r)) / r.median_s / 1e6
                    cells.append(format_rate(wall))
                cells.append(f"{r.ratio:.2f}x")
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    lines.append("Ratios are each contender's time per unit over the baseline's (above 1x: ferrule is faster); "
                 "MB are 10^6 bytes of input.")  # fmt: skip
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ charts

# Bar colours: ferrule's faster / slower against an anchor; ferrule's contenders and the anchors.
FASTER, SLOWER = "#1b7837", "#c2452d"
FERRULE_SHADES = ("#e66101", "#fdb863", "#b35806", "#f1a340", "#8c2d04", "#fdd0a2")
ANCHOR_SHADES = ("#2b6c9e", "#7fa7c9", "#4d4d4d", "#9e9ac8", "#5e3c99", "#999999", "#1f78b4", "#a6cee3",
                 "#6a51a3", "#bdbdbd")  # fmt: skip
GRID, RULE = "#eeeeee", "#dddddd"  # x grid; the lines between cases
BAR_IN = 0.16  # bar height, inches
GAP_IN = 0.14  # space between cases
LINE_IN = 0.14  # one line of a case label
LABEL_WIDTH = 46  # characters per line of a case label
NAME_WIDTH = 64  # characters of a contender's name beside its bar


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: str


@dataclass(frozen=True)
class Case:
    label: str
    bars: tuple[Bar, ...]

    def height(self) -> float:
        lines = self.label.count("\n") + 1
        return max(len(self.bars) * BAR_IN, lines * LINE_IN) + GAP_IN


@dataclass(frozen=True)
class Panel:
    title: str
    xlabel: str
    cases: tuple[Case, ...]

    def height(self) -> float:
        return sum(c.height() for c in self.cases)


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def case_label(title: str) -> str:
    return "\n".join(textwrap.wrap(title, LABEL_WIDTH, break_on_hyphens=False)[:4])


def ratio_panels(tables: list[Table]) -> list[Panel]:
    """One panel per script: per case, one bar per anchor, ferrule's speed-up over it."""
    panels: dict[tuple[str, str], list[Case]] = {}
    for t in tables:
        if not is_ferrule(t.baseline):
            continue  # ferrule was not measured (its binding not built): nothing to compare
        bars = tuple(
            Bar(f"{shorten(r.name, NAME_WIDTH)}  {r.ratio:.2f}x", r.ratio, FASTER if r.ratio >= 1 else SLOWER)
            for r in t.rows if not is_ferrule(r.name)
        )  # fmt: skip
        if bars:
            panels.setdefault((t.runtime, t.script), []).append(Case(case_label(t.title), bars))
    basis = {(t.runtime, t.script): t.basis for t in tables}
    out = []
    for (runtime, script), cases in panels.items():
        what = "CPU time" if basis[(runtime, script)] == "cpu" else "time"
        out.append(Panel(f"{runtime}: {script}", f"anchor's {what} / ferrule's {what} (right of 1x: ferrule is faster)",
                         tuple(cases)))  # fmt: skip
    return out


def throughput_panels(tables: list[Table]) -> list[Panel]:
    """One panel per script and unit: per case, every contender's throughput."""
    panels: dict[tuple[str, str, str], list[Case]] = {}
    for t in tables:
        unit = throughput(t, t.rows[0])[1]
        ferrule_names = [r.name for r in t.rows if is_ferrule(r.name)]
        anchor_names = [r.name for r in t.rows if not is_ferrule(r.name)]
        bars = []
        for r in t.rows:
            value = throughput(t, r)[0]
            shades, names = (FERRULE_SHADES, ferrule_names) if is_ferrule(r.name) else (ANCHOR_SHADES, anchor_names)
            color = shades[names.index(r.name) % len(shades)]
            bars.append(Bar(f"{shorten(r.name, NAME_WIDTH)}  {format_rate(value)}", value, color))
        panels.setdefault((t.runtime, t.script, unit), []).append(Case(case_label(t.title), tuple(bars)))
    return [Panel(f"{runtime}: {script}", unit, tuple(cases)) for (runtime, script, unit), cases in panels.items()]


def log_limits(values: Sequence[float], *, ratio: bool, text_share: float = 0.4) -> tuple[float, float]:
    """x limits of a log axis holding ``values`` (ratios: and 1), with the right ``text_share``
    of its width left free for the labels beside the bars. Throughput bars start at a power of
    ten (the left limit)."""
    lo, hi = min(values), max(values)
    if ratio:
        lo, hi = min(lo, 1.0), max(hi, 1.0)
        lo_exp = math.log10(lo) - 0.15
    else:
        lo_exp = math.floor(math.log10(lo) - 0.01)
    span = max(math.log10(hi) + 0.05 - lo_exp, 0.5)
    return 10.0**lo_exp, 10.0 ** (lo_exp + span / (1 - text_share))


def draw(panels: list[Panel], path: Path, title: str, *, ratio: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    suffix = "x" if ratio else ""

    def major(value: float, _: object) -> str:
        return f"{value:,.0f}{suffix}" if value >= 1 else f"{value:g}{suffix}"

    def minor(value: float, _: object) -> str:
        # 2 and 5 times a power of ten: labels between the decades without crowding them.
        mantissa = value / 10 ** math.floor(math.log10(value) + 1e-9)
        return major(value, _) if round(mantissa, 6) in (2.0, 5.0) else ""

    width = 11.0
    overhead = 0.75  # per panel: its title, x axis and tick labels
    heights = [p.height() + overhead for p in panels]
    fig = plt.figure(figsize=(width, sum(heights) + 0.7), dpi=DPI, layout="constrained")
    fig.suptitle(title, fontsize=11)
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, panel in zip(axes, panels):
        values = [b.value for c in panel.cases for b in c.bars]
        lo, hi = log_limits(values, ratio=ratio)
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        y = 0.0
        ticks, tick_labels = [], []
        for case in panel.cases:
            top = y
            y += GAP_IN / 2
            for bar in case.bars:
                centre = y + BAR_IN / 2
                start = 1.0 if ratio else lo
                ax.barh(centre, bar.value - start, left=start, height=BAR_IN * 0.85, color=bar.color)
                # The label just right of the bar, or of the 1x line when the bar goes left.
                ax.annotate(bar.label, (max(bar.value, start), centre), xytext=(3, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=7)  # fmt: skip
                y += BAR_IN
            y = top + case.height()
            ticks.append((top + y) / 2)
            tick_labels.append(case.label)
            ax.axhline(y, color=RULE, linewidth=0.6)
        ax.set_ylim(y, 0)
        ax.set_yticks(ticks, tick_labels, fontsize=7.5)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", which="both", labelsize=7)
        if ratio:
            ax.axvline(1.0, color="black", linewidth=0.9)
        ax.xaxis.set_major_formatter(FuncFormatter(major))
        if math.log10(hi / lo) <= 3.5:  # wider axes have enough decades to read
            ax.xaxis.set_minor_formatter(FuncFormatter(minor))
        else:
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.grid(axis="x", which="major", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(panel.title, fontsize=9, loc="left")
        ax.set_xlabel(panel.xlabel, fontsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_png(fig, path)
    plt.close(fig)
    size = path.stat().st_size
    if size > MAX_PNG_BYTES:
        print(f"warning: {path} is {size:,} bytes (over {MAX_PNG_BYTES:,})", file=sys.stderr)


def chart_palette() -> list[int]:
    """The PNG palette, flat RGB: every colour the charts draw, exactly, their blends with white
    (bar edges), and a grey ramp (anti-aliased text)."""
    solid = sorted({"#ffffff", "#000000", GRID, RULE, FASTER, SLOWER, *FERRULE_SHADES, *ANCHOR_SHADES})
    rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in solid]
    colours = list(dict.fromkeys([
        *rgb,
        *(tuple(round(v + (255 - v) * t) for v in c) for c in rgb for t in (0.25, 0.5, 0.75)),
        *((v, v, v) for v in range(0, 256, 8)),
    ]))  # fmt: skip
    assert len(colours) <= 256
    return [v for c in colours for v in c]


def save_png(fig: Any, path: Path) -> None:
    """Writes the figure as a paletted PNG: a chart has few colours (``chart_palette``), and a
    palette makes the file several times smaller than 8-bit RGBA. Each pixel takes the nearest
    palette colour, found exactly (Pillow's own palette mapping is approximate: it turns white
    into a light grey). NumPy and Pillow are matplotlib's own dependencies. No metadata: the same
    results give the same bytes."""
    import numpy as np
    from PIL import Image

    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(np.int32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    # The distances are computed once per distinct colour (a few thousand), not per pixel.
    distinct, inverse = np.unique(packed.ravel(), return_inverse=True)
    distinct_rgb = np.stack([(distinct >> 16) & 255, (distinct >> 8) & 255, distinct & 255], axis=1)
    flat = chart_palette()
    palette = np.array(flat, dtype=np.int32).reshape(-1, 3)
    nearest = ((distinct_rgb[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2).argmin(axis=1).astype(np.uint8)
    height, width = packed.shape
    image = Image.frombytes("P", (width, height), nearest[inverse.ravel()].tobytes())
    image.putpalette(flat)
    image.save(path, format="PNG", optimize=True)


def render_charts(tables: list[Table], info: dict[str, Any], img: Path) -> list[Path]:
    written = []
    for chart, groups in CHARTS.items():
        chosen = [t for t in tables if t.group in groups]
        if not chosen:
            print(f"note: no {chart} tables: bench-{chart}-*.png not written", file=sys.stderr)
            continue
        where = machine_line(info)
        for kind, panels, ratio in (("ratio", ratio_panels(chosen), True),
                                    ("throughput", throughput_panels(chosen), False)):  # fmt: skip
            if not panels:
                print(f"note: no ferrule-vs-anchor pairs among the {chart} tables: no {kind} chart", file=sys.stderr)
                continue
            heading = "how many times faster ferrule is than each anchor" if ratio else "throughput of every contender"
            path = img / f"bench-{chart}-{kind}.png"
            draw(panels, path, f"{chart}: {heading}\n{where}", ratio=ratio)
            written.append(path)
    return written


# ------------------------------------------------------------------------------------ main


def render(args: argparse.Namespace) -> int:
    tables = load_tables(args.results)
    info = load_machine(args.machine)
    combined = {"schema": 1, "machine": info, "tables": [t.record for t in tables]}
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(combined, indent=1) + "\n", encoding="utf-8")
    written = [args.out_json, *render_charts(tables, info, args.img)]
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(tables, info), encoding="utf-8")
        written.append(args.markdown)
    for path in written:
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("machine", help="print a JSON description of this machine")
    rend = sub.add_parser("render", help="combine the JSON lines, draw the charts, write the tables")
    rend.add_argument("results", type=Path, help="the JSON lines the benchmarks wrote (FERRULE_BENCH_JSON)")
    rend.add_argument("--machine", type=Path, required=True, help="the output of `bench_report.py machine`")
    rend.add_argument("--out-json", type=Path, required=True, help="the combined JSON file to write")
    rend.add_argument("--img", type=Path, required=True, help="the directory of the PNG charts")
    rend.add_argument("--markdown", type=Path, help="a markdown file of the tables to write")
    args = parser.parse_args(argv)
    try:
        if args.command == "machine":
            print(json.dumps(machine(), indent=1))
            return 0
        return render(args)
    except ReportError as err:
        print(f"bench_report: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
