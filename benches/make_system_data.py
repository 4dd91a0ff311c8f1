"""Builds the system-log benchmark inputs (issue #6) from the shared real LogPAI loghub samples
(``../shared/data/logs/loghub/<System>/<System>_2k.log``, 2,000 records each), never from
synthetic text. Each input is one *unit* of real records repeated to about ``FERRULE_BENCH_SYSTEM_MB``
megabytes (default 64), written to ``target/bench-data/system-<input>-<MB>mb.log``; the units
themselves go to ``target/bench-data/system-units/<input>.log`` (the criterion bench and
``benches/callgrind_system_logs.sh`` read those). Without ``../shared`` it says so and writes
nothing (exit status 0, so ``make bench`` goes on; the system-log benches then skip).

The inputs (the samples keep their CRLF line ends; a unit always ends with a line end):

- ``syslog``: ``Linux_2k.log`` then ``OpenSSH_2k.log``, both BSD syslog without PRI
  (``syslog_rfc3164``), 4,000 lines a unit;
- ``template-<System>`` for Linux, OpenSSH, HDFS, Spark, Zookeeper, Apache: that system's sample,
  parsed with its LogPAI header template (``TEMPLATES``);
- ``apache_error``: ``Apache_2k.log`` (Apache 2.0 error log, ``apache_error`` preset);
- ``jsonl`` and ``logfmt``: loghub has no JSON or logfmt sample, so these are *derived* from the
  real records: each row of the six ``<System>_2k.log_structured.csv`` files (LogPAI's ground
  truth: the record's header fields and its ``Content``; ``LineId``, ``EventId`` and
  ``EventTemplate`` left out) becomes one JSON object / one logfmt line, keys in the CSV's order,
  systems one after the other (12,000 lines a unit, six different key sets). Values are the CSV's
  text, except the process and thread ids (``PID``, ``Pid``, ``Id``) which are JSON numbers;
  an empty field (Linux lines without a pid) is left out. JSON is compact (``{"a":"b","c":1}``, as
  zap, logrus, bunyan or pino write it), non-ASCII kept as UTF-8. logfmt quotes a value holding
  a space, ``=``, ``"``, a backslash or nothing, escaping ``"`` and ``\\`` (as go-logfmt does).

Usage: ``python3 benches/make_system_data.py [--mb N] [--print-paths] [--units-only]``. Importable:
``ensure(mb) -> dict[str, Path] | None``, ``ensure_units() -> dict[str, Path] | None``,
``UNIT_LINES``, ``TEMPLATES``, ``LOGPAI_FORMATS``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGHUB = ROOT.parent / "shared" / "data" / "logs" / "loghub"
OUT_DIR = ROOT / "target" / "bench-data"
UNIT_DIR = OUT_DIR / "system-units"
SYSTEMS = ("Linux", "OpenSSH", "HDFS", "Spark", "Zookeeper", "Apache")

#: ferrule's template of each system (the shared README's table).
TEMPLATES = {
    "Linux": "<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>",
    "OpenSSH": "<Date> <Day> <Time> <Component> sshd[<Pid>]: <Content>",
    "HDFS": "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "Spark": "<Date> <Time> <Level> <Component>: <Content>",
    "Zookeeper": "<Date> <Time> - <Level>  [<Node>:<Component>@<Id>] - <Content>",
    "Apache": "[<Time>] [<Level>] <Content>",
}
#: The same formats as LogPAI's benchmark scripts write them: regex text between the fields
#: (hence ``\\[``), which their ``generate_logformat_regex`` pastes into one regex.
LOGPAI_FORMATS = {
    "Linux": r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
    "OpenSSH": r"<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>",
    "HDFS": r"<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "Spark": r"<Date> <Time> <Level> <Component>: <Content>",
    "Zookeeper": r"<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>",
    "Apache": r"\[<Time>\] \[<Level>\] <Content>",
}
INPUTS = ("syslog", *(f"template-{s}" for s in SYSTEMS), "apache_error", "jsonl", "logfmt")
#: Lines in one unit of each input.
UNIT_LINES = {
    "syslog": 4000,
    **{f"template-{s}": 2000 for s in SYSTEMS},
    "apache_error": 2000,
    "jsonl": 12000,
    "logfmt": 12000,
}
NUMERIC_FIELDS = frozenset({"PID", "Pid", "Id"})
LEFT_OUT = frozenset({"LineId", "EventId", "EventTemplate"})


def default_mb() -> float:
    return float(os.environ.get("FERRULE_BENCH_SYSTEM_MB", "64"))


def raw(system: str) -> bytes:
    data = (LOGHUB / system / f"{system}_2k.log").read_bytes()
    return data if data.endswith(b"\n") else data + b"\r\n"


def records(system: str) -> list[dict[str, str | int]]:
    """The structured CSV's rows as ``{field: value}``, ids as ints, empty fields left out."""
    out: list[dict[str, str | int]] = []
    path = LOGHUB / system / f"{system}_2k.log_structured.csv"
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rec: dict[str, str | int] = {}
            for key, value in row.items():
                if key in LEFT_OUT or value == "":
                    continue
                rec[key] = int(value) if key in NUMERIC_FIELDS and value.isdigit() else value
            out.append(rec)
    return out


def logfmt_value(value: str | int) -> str:
    text = str(value)
    if text and not any(c in text for c in ' ="\\') and all(c.isprintable() for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit(name: str) -> bytes:
    """One unit of input ``name`` (see the module docs)."""
    if name == "syslog":
        return raw("Linux") + raw("OpenSSH")
    if name.startswith("template-"):
        return raw(name.removeprefix("template-"))
    if name == "apache_error":
        return raw("Apache")
    lines = []
    for system in SYSTEMS:
        for rec in records(system):
            if name == "jsonl":
                lines.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            elif name == "logfmt":
                lines.append(" ".join(f"{k}={logfmt_value(v)}" for k, v in rec.items()))
            else:
                raise ValueError(f"unknown input {name!r}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def available() -> bool:
    if all((LOGHUB / s / f"{s}_2k.log").is_file() for s in SYSTEMS):
        return True
    print(
        f"skipped: {LOGHUB} is absent (../shared not checked out); the system-log benchmarks run on "
        "real logs only, never on synthetic data",
        file=sys.stderr,
    )
    return False


def write_if_changed(path: Path, unit_bytes: bytes, copies: int) -> bool:
    """Writes ``copies`` copies of the bytes unless the file already holds exactly that size."""
    if path.is_file() and path.stat().st_size == copies * len(unit_bytes):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as out:
        for _ in range(copies):
            out.write(unit_bytes)
    os.replace(tmp, path)  # Readers never see a half-written file.
    return True


def ensure_units() -> dict[str, Path] | None:
    """One unit of every input, under ``target/bench-data/system-units/``."""
    if not available():
        return None
    paths = {}
    for name in INPUTS:
        data = unit(name)
        path = UNIT_DIR / f"{name}.log"
        if path.is_file() and path.read_bytes() != data:
            path.unlink()
        write_if_changed(path, data, 1)
        paths[name] = path
    return paths


def data_path(name: str, mb: float) -> Path:
    return OUT_DIR / f"system-{name}-{mb:g}mb.log"


def ensure(mb: float | None = None, *, names: tuple[str, ...] = INPUTS, quiet: bool = False) -> dict[str, Path] | None:
    """The input files of ``mb`` megabytes each, built if missing; None when loghub is absent."""
    mb = default_mb() if mb is None else mb
    units = ensure_units()
    if units is None:
        return None
    paths = {}
    for name in names:
        data = units[name].read_bytes()
        copies = max(1, round(mb * 1e6 / len(data)))
        path = data_path(name, mb)
        if write_if_changed(path, data, copies) and not quiet:
            print(f"wrote {path}: {copies} copies of {len(data):,} bytes, {copies * len(data) / 1e6:.1f} MB", file=sys.stderr)
        paths[name] = path
    return paths


def expected_lines(name: str, path: Path) -> int:
    """Lines in a file ``ensure`` wrote for input ``name``."""
    return path.stat().st_size // (UNIT_DIR / f"{name}.log").stat().st_size * UNIT_LINES[name]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=None, help="size of each input in MB (default: FERRULE_BENCH_SYSTEM_MB or 64)")
    parser.add_argument("--print-paths", action="store_true", help="print 'input path' lines on stdout")
    parser.add_argument("--units-only", action="store_true", help="write only target/bench-data/system-units/")
    args = parser.parse_args()
    if args.units_only:
        ensure_units()
        return 0
    paths = ensure(args.mb, quiet=args.print_paths)
    if paths is not None:
        for name, path in paths.items():
            lines = sum(1 for _ in open(UNIT_DIR / f"{name}.log", "rb"))
            assert lines == UNIT_LINES[name], (name, lines)
            if args.print_paths:
                print(name, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
