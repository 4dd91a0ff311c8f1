"""Issue #5, Python side: access logs (combined format) from a file into typed columns, ferrule
against what Python users do today, side by side in one run.

Contenders, all reading the same file (the shared real sample concatenated to ~FERRULE_BENCH_MB
megabytes, default 200; see benches/make_data.py):
1. ``re`` typed: a tutorial pattern (non-greedy quotes, no escapes), then ``int()`` for status
   and size and ``datetime.strptime(..., "%d/%b/%Y:%H:%M:%S %z")``, into column lists (the
   issue's typed baseline);
2. ``re`` escape-aware (quoted fields as ``"[^"\\]*(?:\\.[^"\\]*)*"``), untyped: one tuple per row;
3. apache-log-parser (``make_parser`` of the combined LogFormat), one dict per line; it is slow, so
   it reads a smaller file (FERRULE_BENCH_ALP_MB, default 20) and its MB/s are per byte as usual;
4. GoAccess 1.x: ``goaccess --no-global-config --log-format=COMBINED -o report.json FILE``; its
   valid/failed request counts come from the JSON; CPU time from ``RUSAGE_CHILDREN``;
5. polars: the file as one string column, ``str.extract_groups`` with the escape-aware pattern,
   then casts and ``str.strptime`` (polars uses every core: read its per-core column);
6. ferrule: ``ferrule.logs.parse_file(path)`` (file to LogTable) and
   ``parse_file(path).to_arrow()`` (file to ``pyarrow.Table``), threads=1 and threads=2.

Timing: contenders interleaved round robin (the order rotating every round, as in harness.py),
FERRULE_BENCH_REPEAT rounds (default 3; ferrule's contenders run 3 times a round); each figure is
the median of its timings. "MB/s per
core" is bytes / CPU-seconds (user + system of this process and of finished children, so every
thread counts); "wall MB/s" is bytes / elapsed seconds. Decimal MB (10^6 bytes). Ratios compare
MB/s per core with ferrule's file -> pyarrow on one thread (above 1x: ferrule is faster).

Before timing, every contender's row counts are compared with what the file holds (10,000 lines
per sample copy, one of them malformed: line 8899), and ferrule's typed values with the typed
``re`` baseline's on the sample itself. Contenders that are not installed are reported as skipped
(``make bench`` installs apache-log-parser and polars into .venv and GoAccess with apt).

Run alone: ``.venv/bin/python benches/python/bench_logs.py`` (``FERRULE_BENCH_MB=20
FERRULE_BENCH_REPEAT=3`` for a quick run).
"""

from __future__ import annotations

import datetime
import importlib
import importlib.metadata
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import make_data  # noqa: E402
from harness import Result, emit  # noqa: E402

MB = make_data.default_mb()
REPEAT = int(os.environ.get("FERRULE_BENCH_REPEAT", "3"))
ALP_MB = min(float(os.environ.get("FERRULE_BENCH_ALP_MB", "20")), MB)
COMBINED_LOGFORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'

# The pattern of countless tutorials, extended to combined: non-greedy quoted fields, no escapes.
TUTORIAL = re.compile(
    r'^(\S+) (\S+) (\S+) \[([\w:/]+\s[+\-]\d{4})\] "(\S+) (\S+)\s*(\S*)\s*" (\d{3}) (\S+) "([^"]*)" "([^"]*)"'
)
# What a careful user writes: quoted fields that may hold \" (unrolled, no per-char alternation).
QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
ESCAPED = re.compile(rf"^(\S+) (\S+) (\S+) \[([^\]]*)\] {QUOTED} (\S+) (\S+) {QUOTED} {QUOTED}")
POLARS_PATTERN = (
    r'^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]*)\] "(?P<request>[^"\\]*(?:\\.[^"\\]*)*)" '
    r'(?P<status>\S+) (?P<bytes>\S+) "(?P<referer>[^"\\]*(?:\\.[^"\\]*)*)" "(?P<user_agent>[^"\\]*(?:\\.[^"\\]*)*)"'
)
CLF_TIME = "%d/%b/%Y:%H:%M:%S %z"


def optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"skipped: {name} is not installed (make bench installs it into .venv)")
        return None


@dataclass
class Counts:
    """Lines a contender read, parsed and rejected, plus the parsed data (kept alive until the
    timer stops, so freeing it is not timed)."""

    lines: int
    ok: int
    failed: int
    data: Any = None


# ------------------------------------------------------------------------------ contenders


def typed_re(path: Path) -> Counts:
    cols: list[list[Any]] = [[] for _ in range(11)]
    client, ident, user, ts, method, url, proto, status, size, referer, agent = cols
    lines = failed = 0
    strptime = datetime.datetime.strptime
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            lines += 1
            m = TUTORIAL.match(line)
            if m is None:
                failed += 1
                continue
            g = m.groups()
            client.append(g[0])
            ident.append(g[1])
            user.append(g[2])
            ts.append(strptime(g[3], CLF_TIME))
            method.append(g[4])
            url.append(g[5])
            proto.append(g[6])
            status.append(int(g[7]))
            size.append(None if g[8] == "-" else int(g[8]))
            referer.append(g[9])
            agent.append(g[10])
    return Counts(lines, lines - failed, failed, cols)


def escaped_re(path: Path) -> Counts:
    rows = []
    lines = failed = 0
    match = ESCAPED.match
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            lines += 1
            m = match(line)
            if m is None:
                failed += 1
            else:
                rows.append(m.groups())
    return Counts(lines, lines - failed, failed, rows)


def apache_log_parser_contender(module: ModuleType) -> Callable[[Path], Counts]:
    parser = module.make_parser(COMBINED_LOGFORMAT)
    no_match = module.LineDoesntMatchException

    def run(path: Path) -> Counts:
        rows = []
        lines = failed = 0
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                lines += 1
                try:
                    rows.append(parser(line))
                except no_match:
                    failed += 1
        return Counts(lines, lines - failed, failed, rows)

    return run


def goaccess_contender(exe: str, workdir: Path) -> Callable[[Path], Counts]:
    report = workdir / "goaccess-report.json"

    def run(path: Path) -> Counts:
        subprocess.run(
            [exe, "--no-global-config", "--log-format=COMBINED", "-o", str(report), str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        general = json.loads(report.read_text())["general"]
        return Counts(general["total_requests"], general["valid_requests"], general["failed_requests"])

    return run


def polars_contender(pl: ModuleType) -> Callable[[Path], Counts]:
    def run(path: Path) -> Counts:
        raw = pl.read_csv(
            path,
            has_header=False,
            new_columns=["line"],
            separator="\x1f",
            quote_char=None,
            schema_overrides={"line": pl.String},
            encoding="utf8-lossy",
        )
        df = raw.select(pl.col("line").str.extract_groups(POLARS_PATTERN)).unnest("line")
        df = df.with_columns(
            pl.col("time").str.strptime(pl.Datetime("us", "UTC"), CLF_TIME, strict=False),
            pl.col("status").cast(pl.UInt16, strict=False),
            pl.when(pl.col("bytes") == "-").then(None).otherwise(pl.col("bytes")).cast(pl.UInt64, strict=False).alias("bytes"),
        )
        ok = df.height - df["client"].null_count()
        return Counts(raw.height, ok, raw.height - ok, df)

    return run


def ferrule_contender(logs: ModuleType, threads: int, arrow: bool) -> Callable[[Path], Counts]:
    def run(path: Path) -> Counts:
        table = logs.parse_file(str(path), "combined", threads=threads)
        stats = table.stats
        data = table.to_arrow() if arrow else table
        return Counts(stats["lines"], stats["ok"], stats["errors"], (table, data))

    return run


# ------------------------------------------------------------------------------ checks


def check_ferrule_values(logs: ModuleType, sample: Path) -> None:
    """ferrule's typed columns against the typed ``re`` baseline on the sample's lines both parse."""
    import numpy as np

    table = logs.parse_file(str(sample), "combined", threads=1)
    ref = typed_re(sample).data
    status = table.column("status")
    size, size_valid = table.column("bytes"), table.validity("bytes")
    stamp = table.column("timestamp")
    error_valid = table.validity("error")
    ok_rows = np.flatnonzero(~np.asarray(error_valid, dtype=bool))
    # The tutorial pattern and ferrule reject the same line(s) in the sample.
    assert len(ok_rows) == len(ref[7]), (len(ok_rows), len(ref[7]))
    assert [int(status[i]) for i in ok_rows] == ref[7], "status differs from re + int()"
    assert [int(size[i]) if size_valid[i] else None for i in ok_rows] == ref[8], "bytes differ"
    micros = np.asarray(stamp).astype("datetime64[us]").astype(np.int64)
    expected = [int(t.timestamp()) * 1_000_000 for t in ref[3]]
    assert [int(micros[i]) for i in ok_rows] == expected, "timestamps differ from strptime"
    arrow = table.to_arrow()
    assert arrow.num_rows == table.num_rows and "user_agent" in arrow.column_names


# ------------------------------------------------------------------------------ timing


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class Contender:
    name: str
    fn: Callable[[Path], Counts]
    path: Path
    note: str = ""
    #: Timings per round: the fast contenders (well under a second) run several times a round, so
    #: their medians rest on more samples at little cost.
    per_round: int = 1
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    counts: Counts | None = None
    wrong: str = ""


def run_rounds(contenders: list[Contender]) -> None:
    """Round robin, the order rotating each round (harness.compare's scheme, plus CPU time)."""
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
        print(f"  round {rnd + 1}/{REPEAT} done", file=sys.stderr)


def main() -> int:
    path = make_data.ensure(MB)
    if path is None:
        return 0
    sample = make_data.SAMPLE
    size = path.stat().st_size
    lines, ok, errors = make_data.expected_counts(path)
    # Page cache warm for everyone.
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass

    logs: ModuleType | None = None
    try:
        from ferrule import logs as ferrule_logs

        logs = ferrule_logs
        check_ferrule_values(logs, sample)
    except ImportError as err:
        print(f"ferrule binding not built ({err}); run `make build-python` - its rows are skipped")
        logs = None

    workdir = Path(tempfile.mkdtemp(prefix="ferrule-bench-logs-"))
    contenders: list[Contender] = []
    if logs is not None:
        for threads in (1, 2):
            for arrow, label in ((True, "parse_file -> pyarrow"), (False, "parse_file (LogTable)")):
                name = f"ferrule {label}, threads={threads}"
                contenders.append(Contender(name, ferrule_contender(logs, threads, arrow), path, per_round=3))
    contenders.append(Contender("re tutorial + int() + strptime (typed)", typed_re, path))
    contenders.append(Contender("re escape-aware, untyped", escaped_re, path))
    alp = optional("apache_log_parser")
    if alp is not None:
        alp_path = make_data.ensure(ALP_MB, quiet=True) or path
        version = importlib.metadata.version("apache-log-parser")
        note = f"on {alp_path.stat().st_size / 1e6:.0f} MB" if alp_path != path else ""
        contenders.append(Contender(f"apache-log-parser {version}", apache_log_parser_contender(alp), alp_path, note))
    goaccess = shutil.which("goaccess")
    if goaccess is None:
        print("skipped: goaccess is not installed (apt-get install -y goaccess)")
    else:
        version = subprocess.run([goaccess, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        version = version.replace("GoAccess - ", "").rstrip(".")
        contenders.append(Contender(f"GoAccess {version} (JSON report)", goaccess_contender(goaccess, workdir), path))
    pl = optional("polars")
    if pl is not None:
        contenders.append(Contender(f"polars {pl.__version__} extract_groups + strptime", polars_contender(pl), path))

    print(
        f"\ninput: {path} ({size / 1e6:.1f} MB, {lines:,} lines, {ok:,} ok + {errors:,} malformed expected); "
        f"{REPEAT} interleaved rounds (ferrule: 3 runs a round), medians; {os.cpu_count()} CPUs"
    )
    run_rounds(contenders)
    shutil.rmtree(workdir, ignore_errors=True)

    for c in contenders:
        exp_lines, exp_ok, _ = make_data.expected_counts(c.path)
        assert c.counts is not None
        if c.name.startswith("ferrule") and (c.counts.lines, c.counts.ok) != (exp_lines, exp_ok):
            c.wrong = f"WRONG: expected {exp_lines} lines, {exp_ok} ok"

    rows = []
    for c in contenders:
        nbytes = c.path.stat().st_size
        wall, cpu = statistics.median(c.wall), statistics.median(c.cpu)
        assert c.counts is not None
        rows.append((c, nbytes / wall / 1e6, nbytes / max(cpu, 1e-9) / 1e6, c.counts.lines / wall, wall, cpu))
    ref_name = "ferrule parse_file -> pyarrow, threads=1"
    ref = next((r for r in rows if r[0].name == ref_name), None)
    baseline = ref or next(r for r in rows if r[0].name.startswith("re tutorial"))

    print(f"\n| contender | MB/s per core | wall MB/s | lines/s | wall s | CPU s | ok / failed lines | {baseline[0].name.split(',')[0]} is ... faster (per core) |")
    print("|---|---|---|---|---|---|---|---|")
    for c, wall_mbs, core_mbs, lps, wall, cpu in rows:
        assert c.counts is not None
        ratio = baseline[2] / core_mbs
        note = f" ({c.note})" if c.note else ""
        wrong = f" **{c.wrong}**" if c.wrong else ""
        print(
            f"| {c.name}{note} | {core_mbs:,.1f} | {wall_mbs:,.1f} | {lps:,.0f} | {wall:.2f} | {cpu:.2f} | "
            f"{c.counts.ok:,} / {c.counts.failed:,}{wrong} | {ratio:,.1f}x |"
        )

    def as_result(c: Contender) -> Result:
        # A contender that read a smaller file carries its own size: the JSON line's ratios are
        # per byte of CPU time, as in the table.
        other = c.path != path
        return Result(c.name, statistics.median(c.wall), c.wall, cpu_median_s=statistics.median(c.cpu),
                      cpu_runs=c.cpu, nbytes=c.path.stat().st_size if other else None,
                      unit_count=make_data.expected_counts(c.path)[0] if other else None)  # fmt: skip

    emit(f"access log (combined) -> typed columns: {path.name} ({size / 1e6:.1f} MB, {lines:,} lines)",
         [as_result(c) for c in contenders], baseline=baseline[0].name, unit="line", unit_count=lines, nbytes=size,
         basis="cpu")  # fmt: skip

    print()
    if ref is None:
        print("goals: not judged (ferrule binding not built)")
        return 0

    def find(prefix: str) -> tuple[Any, ...] | None:
        return next((r for r in rows if r[0].name.startswith(prefix)), None)

    def verdict(ok_: bool) -> str:
        return "met" if ok_ else "MISSED"

    typed = find("re tutorial")
    if typed:
        x = ref[2] / typed[2]
        print(f"goal: Python end to end (file -> pyarrow.Table) >= 50x the typed re baseline (per core): {x:.1f}x, {verdict(x >= 50)}")
    ga = find("GoAccess")
    if ga:
        x = ref[2] / ga[2]
        print(f"goal: >= 30x GoAccess (per core): {x:.1f}x, {verdict(x >= 30)}")
    two = find("ferrule parse_file -> pyarrow, threads=2")
    if two:
        x = ref[4] / two[4]
        print(f"goal: >= 1.7x on 2 threads (file -> pyarrow, wall): {x:.2f}x, {verdict(x >= 1.7)}")
    t1, t2 = find("ferrule parse_file (LogTable), threads=1"), find("ferrule parse_file (LogTable), threads=2")
    if t1 and t2:
        print(f"info: parse_file alone, 2 threads vs 1 (wall): {t1[4] / t2[4]:.2f}x; to_arrow adds "
              f"{(ref[4] - t1[4]) * 1e3:.0f} ms on one thread")
    return 0


if __name__ == "__main__":
    sys.exit(main())
