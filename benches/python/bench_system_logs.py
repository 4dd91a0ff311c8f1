"""Issue #6, Python side: system logs from a file into columns, ferrule against what Python users
do today, side by side in one run.

Inputs (``benches/make_system_data.py``: the real LogPAI loghub samples repeated to
~FERRULE_BENCH_SYSTEM_MB megabytes each, default 64; JSON lines and logfmt derived from the same
real records), one group of contenders per input:

- ``syslog`` (Linux + OpenSSH samples, BSD syslog): a Python ``re`` parser (one compiled regex:
  month, day, time, host, optional ``tag[pid]:``, message; one tuple of strings per row), the same
  plus ``int(pid)`` and ``datetime.strptime`` (typed), and ferrule's ``syslog_rfc3164`` preset;
- ``template-<System>`` (six systems): LogPAI's own approach, one regex per format built as their
  ``generate_logformat_regex`` does (each ``<Field>`` a lazy ``(?P<Field>.*?)``, each run of
  spaces ``\\s+``, anchored), applied to each ``line.strip()`` with ``search``, one tuple per row;
  and LogPAI's whole loader, those rows then made a ``pandas.DataFrame`` with a ``LineId``
  column (compared with ferrule's ``.to_pandas()``); against ferrule's ``LogFormat.template`` of
  the same format;
- ``apache_error``: a ``re`` parser (time, level, optional client, message) against the
  ``apache_error`` preset;
- ``jsonl``: ``json.loads`` per line into a list of dicts; ``pandas.read_json(path, lines=True)``
  (the default engine, and ``engine="pyarrow"`` for information); ``pyarrow.json.read_json`` and
  ``polars.read_ndjson`` for information; ferrule's ``jsonl`` preset;
- ``logfmt``: a Python loop (``re.findall`` of ``key=value`` pairs into one dict per line, quoted
  values unescaped); ferrule's ``logfmt`` preset.

ferrule runs as ``logs.parse_file(path, format, threads=1)`` (file to LogTable) and the same
``.to_arrow()`` (file to ``pyarrow.Table``, "end to end"; for jsonl and the templates also
``.to_pandas()``); ``syslog`` adds ``threads=2``.

Timing: within a group, contenders interleaved round robin with the order rotating every round,
FERRULE_BENCH_REPEAT rounds (default 3; ferrule's contenders run 3 times a round); each figure is
the median of its timings. "MB/s per core" is bytes / CPU seconds (user + system of this
process, so every thread counts); "wall MB/s" is bytes / elapsed seconds. Decimal MB. Ratios:
ferrule's file -> pyarrow on one thread against the contender, per core (above 1x: ferrule is
faster).

Before timing, on one unit of each input, ferrule's values are compared with the baseline's
(every template field; syslog message, host, tag and pid; JSON and logfmt values) and the row
counts of every contender with the file's line count.

Run alone: ``.venv/bin/python benches/python/bench_system_logs.py [GROUP ...]`` with GROUP among
syslog, templates, apache_error, jsonl, logfmt (default: all); ``FERRULE_BENCH_SYSTEM_MB=16
FERRULE_BENCH_REPEAT=3`` for a quick run.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import make_system_data as data  # noqa: E402
from harness import Result, emit  # noqa: E402

MB = data.default_mb()
REPEAT = int(os.environ.get("FERRULE_BENCH_REPEAT", "3"))
GROUPS = ("syslog", "templates", "apache_error", "jsonl", "logfmt")
LOGPAI_RE = "LogPAI-style re (lazy groups, search(line.strip()))"
LOGPAI_DF = "LogPAI-style re + pandas.DataFrame (LogPAI's whole loader)"
SYSLOG_YEAR = 2005  # The Linux sample's year; the typed baseline needs one (BSD syslog has none).
# The typed syslog baseline runs ~5 MB/s: it reads a smaller file (its MB/s are per byte as usual).
SLOW_MB = min(float(os.environ.get("FERRULE_BENCH_SLOW_MB", "16")), MB)

# BSD syslog: `Mmm dd hh:mm:ss host tag[pid]: message`; the tag is optional because real lines
# such as `syslogd 1.4.1: restart.` have none that a regex can tell.
SYSLOG = re.compile(r"^(\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d) (\S+) (?:([^:\[\s]+)(?:\[(\d+)\])?: )?(.*)$")
# Apache 2.0 error log: `[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] message`.
APACHE_ERROR = re.compile(r"^\[([^\]]*)\] \[(\w+)\] (?:\[client ([^\]]*)\] )?(.*)$")
# logfmt pairs: a key, `=` or not, a quoted or bare value.
LOGFMT_PAIR = re.compile(r'([^\s="]+)(=?)("(?:[^"\\]|\\.)*"|[^\s"]*)')


def logpai_regex(logformat: str) -> tuple[list[str], re.Pattern[str]]:
    """LogPAI's construction: fields become lazy named groups, runs of spaces ``\\s+``, the
    text between fields is pasted in as regex, the whole anchored at both ends."""
    headers: list[str] = []
    pattern = ""
    for i, part in enumerate(re.split(r"(<[^<>]+>)", logformat)):
        if i % 2:
            headers.append(part[1:-1])
            pattern += f"(?P<{part[1:-1]}>.*?)"
        else:
            pattern += re.sub(" +", r"\\s+", part)
    return headers, re.compile(f"^{pattern}$")


def optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"skipped: {name} is not installed")
        return None


@dataclass
class Counts:
    """Lines a contender read, parsed and rejected, plus the parsed data (dropped after the timer
    stops, so freeing it is not timed)."""

    lines: int
    ok: int
    failed: int
    data: Any = None


# ------------------------------------------------------------------------------ contenders


def re_rows(regex: re.Pattern[str], *, strip: bool = False, names: list[str] | None = None) -> Callable[[Path], Counts]:
    """One tuple of group strings per matching line: every group, or the ``names`` groups (as
    LogPAI takes its fields by name: a format's own parentheses are groups too)."""
    search = regex.search
    if names is not None:
        return _re_named_rows(search, strip, names)

    def run(path: Path) -> Counts:
        rows: list[Any] = []
        append = rows.append
        lines = failed = 0
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                lines += 1
                m = search(line.strip() if strip else line)
                if m is None:
                    failed += 1
                else:
                    append(m.groups())
        return Counts(lines, lines - failed, failed, rows)

    return run


def _re_named_rows(search: Callable[[str], re.Match[str] | None], strip: bool, names: list[str]) -> Callable[[Path], Counts]:
    def run(path: Path) -> Counts:
        rows: list[Any] = []
        append = rows.append
        lines = failed = 0
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                lines += 1
                m = search(line.strip() if strip else line)
                if m is None:
                    failed += 1
                else:
                    append(m.group(*names))
        return Counts(lines, lines - failed, failed, rows)

    return run


def logpai_dataframe(pd: ModuleType, regex: re.Pattern[str], headers: list[str]) -> Callable[[Path], Counts]:
    """LogPAI's whole loader: the regex rows, then a DataFrame of them with a LineId column."""
    rows_of = re_rows(regex, strip=True, names=headers)

    def run(path: Path) -> Counts:
        counts = rows_of(path)
        df = pd.DataFrame(counts.data, columns=headers)
        df.insert(0, "LineId", range(1, len(df) + 1))
        counts.data = df
        return counts

    return run


def syslog_typed(path: Path) -> Counts:
    """``SYSLOG`` into typed columns: a datetime (the year fixed), pid as int."""
    cols: list[list[Any]] = [[] for _ in range(5)]
    stamp, host, tag, pid, message = cols
    strptime = datetime.datetime.strptime
    lines = failed = 0
    prefix = f"{SYSLOG_YEAR} "
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            lines += 1
            m = SYSLOG.match(line)
            if m is None:
                failed += 1
                continue
            mon, day, hms, h, t, p, msg = m.groups()
            stamp.append(strptime(f"{prefix}{mon} {day} {hms}", "%Y %b %d %H:%M:%S"))
            host.append(h)
            tag.append(t)
            pid.append(None if p is None else int(p))
            message.append(msg)
    return Counts(lines, lines - failed, failed, cols)


def json_loads_lines(path: Path) -> Counts:
    rows: list[Any] = []
    append = rows.append
    loads = json.loads
    lines = failed = 0
    with open(path, "rb") as f:
        for line in f:
            lines += 1
            try:
                append(loads(line))
            except ValueError:
                failed += 1
    return Counts(lines, lines - failed, failed, rows)


def pandas_read_json(pd: ModuleType, engine: str | None) -> Callable[[Path], Counts]:
    kwargs = {} if engine is None else {"engine": engine}

    def run(path: Path) -> Counts:
        df = pd.read_json(path, lines=True, **kwargs)
        return Counts(len(df), len(df), 0, df)

    return run


def pyarrow_json(pa_json: ModuleType) -> Callable[[Path], Counts]:
    def run(path: Path) -> Counts:
        table = pa_json.read_json(path)
        return Counts(table.num_rows, table.num_rows, 0, table)

    return run


def polars_ndjson(pl: ModuleType) -> Callable[[Path], Counts]:
    def run(path: Path) -> Counts:
        df = pl.read_ndjson(path, infer_schema_length=None)
        return Counts(df.height, df.height, 0, df)

    return run


def logfmt_unquote(value: str) -> str:
    if not value.startswith('"'):
        return value
    value = value[1:-1]
    if "\\" in value:
        value = re.sub(r"\\(.)", r"\1", value)
    return value


def logfmt_loop(path: Path) -> Counts:
    rows: list[Any] = []
    append = rows.append
    findall = LOGFMT_PAIR.findall
    lines = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            lines += 1
            row = {}
            for key, eq, value in findall(line):
                row[key] = logfmt_unquote(value) if eq else "true"
            append(row)
    return Counts(lines, lines, 0, rows)


def ferrule_contender(logs: ModuleType, fmt: Any, threads: int, then: str) -> Callable[[Path], Counts]:
    def run(path: Path) -> Counts:
        table = logs.parse_file(str(path), fmt, threads=threads)
        stats = table.stats
        out = table.to_arrow() if then == "arrow" else table.to_pandas() if then == "pandas" else None
        return Counts(stats["lines"], stats["ok"], stats["errors"], (table, out))

    return run


# ------------------------------------------------------------------------------ checks


def as_list(table: Any, name: str) -> list[Any]:
    values: list[Any] = table.to_arrow().column(name).to_pylist()
    return values


def check_template(logs: ModuleType, system: str, unit: Path) -> None:
    """Every field of ferrule's template parse equals the LogPAI regex's on the sample."""
    headers, regex = logpai_regex(data.LOGPAI_FORMATS[system])
    ref = re_rows(regex, strip=True, names=headers)(unit)
    table = logs.parse_file(str(unit), logs.LogFormat.template(data.TEMPLATES[system]), threads=1)
    assert table.stats["ok"] == ref.ok, (system, table.stats, ref.ok)
    for k, name in enumerate(headers):
        got = as_list(table, name)
        want = [row[k] for row in ref.data]
        if name == headers[-1]:  # LogPAI strips the line; ferrule keeps the message as logged.
            got = [None if v is None else v.strip() for v in got]
        got = [None if v is None else str(v) for v in got]
        assert got == want, (system, name, next((g, w) for g, w in zip(got, want) if g != w))


def check_syslog(logs: ModuleType, unit: Path) -> None:
    table = logs.parse_file(str(unit), "syslog_rfc3164", threads=1)
    ref = re_rows(SYSLOG)(unit).data
    host, tag, pid, msg = (as_list(table, c) for c in ("hostname", "app_name", "proc_id", "message"))
    differ = 0
    for i, (_, _, _, h, t, p, m) in enumerate(ref):
        if t is None:
            continue  # No tag a regex can tell: ferrule's reading of such lines is its own.
        if (host[i], tag[i], pid[i], msg[i]) != (h, t, p, m):
            differ += 1
    assert differ == 0, f"syslog: {differ} lines differ from the re parser"


def check_jsonl(logs: ModuleType, unit: Path) -> None:
    table = logs.parse_file(str(unit), "jsonl", threads=1)
    ref = json_loads_lines(unit).data
    keys = list(dict.fromkeys(k for row in ref for k in row))
    arrow = table.to_arrow()
    assert [n for n in arrow.column_names if n not in ("line", "error", "error_offset")] == keys, arrow.column_names
    for key in keys:
        assert arrow.column(key).to_pylist() == [row.get(key) for row in ref], key


def check_logfmt(logs: ModuleType, unit: Path) -> None:
    table = logs.parse_file(str(unit), "logfmt", threads=1)
    ref = logfmt_loop(unit).data
    arrow = table.to_arrow()
    for key in dict.fromkeys(k for row in ref for k in row):
        assert arrow.column(key).to_pylist() == [row.get(key) for row in ref], key


# ------------------------------------------------------------------------------ timing


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


@dataclass
class Contender:
    name: str
    fn: Callable[[Path], Counts]
    path: Path
    per_round: int = 1
    ferrule: bool = False
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    counts: Counts | None = None


def run_rounds(label: str, contenders: list[Contender]) -> None:
    for rnd in range(REPEAT):
        for k in range(len(contenders)):
            c = contenders[(k + rnd) % len(contenders)]
            for _ in range(c.per_round):
                cpu0, wall0 = cpu_seconds(), time.perf_counter()
                counts = c.fn(c.path)
                wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
                c.wall.append(wall)
                c.cpu.append(cpu)
                counts.data = None
                c.counts = counts
                del counts
        print(f"  {label}: round {rnd + 1}/{REPEAT} done", file=sys.stderr)


@dataclass
class Row:
    c: Contender
    core_mbs: float
    wall_mbs: float
    wall: float
    cpu: float


def report(title: str, name: str, path: Path, contenders: list[Contender]) -> dict[str, Row]:
    size = path.stat().st_size
    expected_lines = data.expected_lines(name, path)
    rows = {}
    for c in contenders:
        wall, cpu = statistics.median(c.wall), statistics.median(c.cpu)
        nbytes = c.path.stat().st_size
        rows[c.name] = Row(c, nbytes / max(cpu, 1e-9) / 1e6, nbytes / wall / 1e6, wall, cpu)
    ref = next((r for r in rows.values() if r.c.name.endswith("-> pyarrow, threads=1")), None)
    print(f"\n### {title}: {path.name} ({size / 1e6:.1f} MB, {expected_lines:,} lines)\n")
    print("| contender | MB/s per core | wall MB/s | lines/s | wall s | CPU s | ok / failed lines | ferrule -> pyarrow is ... faster (per core) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows.values():
        counts = r.c.counts
        assert counts is not None
        wrong = "" if counts.lines == data.expected_lines(name, r.c.path) else f" **WRONG: {counts.lines} lines read**"
        ratio = f"{ref.core_mbs / r.core_mbs:,.1f}x" if ref else ""
        note = "" if r.c.path == path else f" (on {r.c.path.stat().st_size / 1e6:.0f} MB)"
        print(
            f"| {r.c.name}{note} | {r.core_mbs:,.1f} | {r.wall_mbs:,.1f} | {counts.lines / r.wall:,.0f} | {r.wall:.2f} | "
            f"{r.cpu:.2f} | {counts.ok:,} / {counts.failed:,}{wrong} | {ratio} |"
        )
    if ref is not None:
        emit(f"{title}: {path.name} ({size / 1e6:.1f} MB, {expected_lines:,} lines)",
             [as_result(r.c, name, path) for r in rows.values()], baseline=ref.c.name, unit="line",
             unit_count=expected_lines, nbytes=size, basis="cpu")  # fmt: skip
    return rows


def as_result(c: Contender, name: str, path: Path) -> Result:
    """The contender for the JSON line (harness.emit). One that read a smaller file carries its
    own size: the ratios are per byte of CPU time, as in the table."""
    other = c.path != path
    return Result(c.name, statistics.median(c.wall), c.wall, cpu_median_s=statistics.median(c.cpu), cpu_runs=c.cpu,
                  nbytes=c.path.stat().st_size if other else None,
                  unit_count=data.expected_lines(name, c.path) if other else None)  # fmt: skip


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def ferrule_set(logs: ModuleType, fmt: Any, path: Path, *, pandas: bool = False, two: bool = False) -> list[Contender]:
    variants = [("parse_file (LogTable)", ""), ("parse_file -> pyarrow", "arrow")]
    if pandas:
        variants.append(("parse_file -> pandas", "pandas"))
    out = [
        Contender(f"ferrule {label}, threads=1", ferrule_contender(logs, fmt, 1, then), path, per_round=3, ferrule=True)
        for label, then in variants
    ]
    if two:
        out.append(Contender("ferrule parse_file -> pyarrow, threads=2", ferrule_contender(logs, fmt, 2, "arrow"), path, per_round=3, ferrule=True))
    return out


def main() -> int:
    wanted = [g for g in sys.argv[1:]] or list(GROUPS)
    unknown = [g for g in wanted if g not in GROUPS]
    if unknown:
        print(f"unknown group(s) {unknown}: expected some of {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    names = tuple(n for n in data.INPUTS if n in wanted or (n.startswith("template-") and "templates" in wanted))
    paths = data.ensure(MB, names=names)
    units = data.ensure_units()
    if paths is None or units is None:
        return 0
    try:
        from ferrule import logs
    except ImportError as err:
        print(f"skipped: the ferrule binding is not built ({err}); run `make build-python`")
        return 0
    for path in paths.values():  # Page cache warm for everyone.
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass

    print(f"\n{REPEAT} interleaved rounds per group (ferrule: 3 runs a round), medians; {os.cpu_count()} CPUs; "
          f"Python {sys.version.split()[0]}")
    goals: list[str] = []
    results: dict[str, dict[str, Row]] = {}

    def group(name: str, title: str, contenders: list[Contender]) -> dict[str, Row]:
        run_rounds(name, contenders)
        rows = report(title, name, paths[name], contenders)
        for r in rows.values():
            if r.c.ferrule and r.c.counts and r.c.counts.lines != data.expected_lines(name, r.c.path):
                goals.append(f"WRONG: {r.c.name} on {name} read {r.c.counts.lines} lines")
        results[name] = rows
        return rows

    e2e = "ferrule parse_file -> pyarrow, threads=1"
    if "syslog" in names:
        check_syslog(logs, units["syslog"])
        p = paths["syslog"]
        slow_paths = data.ensure(SLOW_MB, names=("syslog",), quiet=True)
        slow = slow_paths["syslog"] if slow_paths else p
        rows = group("syslog", "BSD syslog (syslog_rfc3164)", [
            *ferrule_set(logs, "syslog_rfc3164", p, two=True),
            Contender("re, one tuple of strings per line", re_rows(SYSLOG), p),
            Contender("re + int(pid) + strptime (typed)", syslog_typed, slow),
        ])
        x = rows[e2e].core_mbs / rows["re, one tuple of strings per line"].core_mbs
        goals.append(f"goal: syslog end to end >= 20x the re baseline (per core): {x:.1f}x, {verdict(x >= 20)}"
                     f" (typed re: {rows[e2e].core_mbs / rows['re + int(pid) + strptime (typed)'].core_mbs:.1f}x)")
        two = rows["ferrule parse_file -> pyarrow, threads=2"]
        goals.append(f"info: syslog file -> pyarrow on 2 threads vs 1 (wall): {rows[e2e].wall / two.wall:.2f}x")
    template_x: list[tuple[float, float, str]] = []
    pd = optional("pandas")
    for system in data.SYSTEMS:
        name = f"template-{system}"
        if name not in names:
            continue
        check_template(logs, system, units[name])
        p = paths[name]
        headers, regex = logpai_regex(data.LOGPAI_FORMATS[system])
        contenders = [
            *ferrule_set(logs, logs.LogFormat.template(data.TEMPLATES[system]), p, pandas=pd is not None),
            Contender(LOGPAI_RE, re_rows(regex, strip=True, names=headers), p),
        ]
        if pd is not None:
            contenders.append(Contender(LOGPAI_DF, logpai_dataframe(pd, regex, headers), p))
        rows = group(name, f"{system} template `{data.TEMPLATES[system]}`", contenders)
        x = rows[e2e].core_mbs / rows[LOGPAI_RE].core_mbs
        xdf = rows["ferrule parse_file -> pandas, threads=1"].core_mbs / rows[LOGPAI_DF].core_mbs if pd else float("nan")
        template_x.append((x, xdf, system))
        goals.append(f"goal: {system} template end to end >= 20x the LogPAI re baseline (per core): {x:.1f}x, {verdict(x >= 20)}; "
                     f"to pandas vs LogPAI's regex + DataFrame: {xdf:.1f}x")
    if template_x:
        worst = min(template_x)
        worst_df = min(template_x, key=lambda t: t[1])
        goals.append(f"goal: templates end to end >= 20x the re baseline, every system: worst {worst[2]} {worst[0]:.1f}x, "
                     f"{verdict(worst[0] >= 20)}; to pandas vs regex + DataFrame: worst {worst_df[2]} {worst_df[1]:.1f}x, "
                     f"{verdict(worst_df[1] >= 20)}")
    if "apache_error" in names:
        p = paths["apache_error"]
        rows = group("apache_error", "Apache error log (apache_error)", [
            *ferrule_set(logs, "apache_error", p),
            Contender("re, one tuple of strings per line", re_rows(APACHE_ERROR), p),
        ])
        x = rows[e2e].core_mbs / rows["re, one tuple of strings per line"].core_mbs
        goals.append(f"info: apache_error end to end vs the re baseline (per core): {x:.1f}x")
    if "jsonl" in names:
        check_jsonl(logs, units["jsonl"])
        p = paths["jsonl"]
        contenders = [*ferrule_set(logs, "jsonl", p, pandas=pd is not None), Contender("json.loads per line -> list of dicts", json_loads_lines, p)]
        if pd is not None:
            contenders.append(Contender(f"pandas {pd.__version__} read_json(lines=True)", pandas_read_json(pd, None), p))
            contenders.append(Contender(f"pandas {pd.__version__} read_json(lines=True, engine='pyarrow')", pandas_read_json(pd, "pyarrow"), p))
        pa_json = optional("pyarrow.json")
        if pa_json is not None:
            contenders.append(Contender("pyarrow.json.read_json", pyarrow_json(pa_json), p))
        pl = optional("polars")
        if pl is not None:
            contenders.append(Contender(f"polars {pl.__version__} read_ndjson", polars_ndjson(pl), p))
        rows = group("jsonl", "JSON lines (jsonl), derived from the loghub records", contenders)
        if pd is not None:
            base = rows[f"pandas {pd.__version__} read_json(lines=True)"].core_mbs
            x = rows[e2e].core_mbs / base
            xp = rows["ferrule parse_file -> pandas, threads=1"].core_mbs / base
            goals.append(f"goal: jsonl end to end >= 5x pandas.read_json(lines=True) (per core): {x:.1f}x to pyarrow, "
                         f"{xp:.1f}x to pandas, {verdict(min(x, xp) >= 5)}")
        goals.append(f"info: jsonl end to end vs json.loads per line: "
                     f"{rows[e2e].core_mbs / rows['json.loads per line -> list of dicts'].core_mbs:.1f}x")
    if "logfmt" in names:
        check_logfmt(logs, units["logfmt"])
        p = paths["logfmt"]
        rows = group("logfmt", "logfmt, derived from the loghub records", [
            *ferrule_set(logs, "logfmt", p),
            Contender("Python loop: re.findall pairs -> dict per line", logfmt_loop, p),
        ])
        x = rows[e2e].core_mbs / rows["Python loop: re.findall pairs -> dict per line"].core_mbs
        goals.append(f"info: logfmt end to end vs the Python loop (per core): {x:.1f}x")

    print()
    for line in goals:
        print(line)
    return 1 if any(g.startswith("WRONG") for g in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
