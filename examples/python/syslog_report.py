"""A report on system logs: a BSD syslog auth log and a JSON-lines application log.

usage: python examples/python/syslog_report.py [AUTH_LOG [APP_JSONL]]

Parses ``examples/data/auth.log`` (``syslog_rfc3164``; its lines have no year, so the reference
time 2025-01-01T12:00:00Z dates them: December lines fall in 2024, January ones in 2025) and
``examples/data/app.jsonl`` (``jsonl`` with ``flatten=True``, so ``user.id`` and ``user.plan``
are columns). The Node and C examples print the same report, byte for byte:

- the line counts, and each failed line with its code;
- the earliest and latest timestamp (ISO 8601, UTC, to the second);
- the 5 most frequent ``app_name`` values (ties: by name);
- failed passwords per source address, top 5 (ties: by address): the word after ``from`` in
  each message that contains ``Failed password``;
- lines per hostname, by hostname;
- the JSON log's columns, rows, failed lines and the mean of ``duration_ms`` (its non-null
  values summed in row order, divided by their count, to 3 decimals).

Names are ordered by their UTF-8 bytes, which is what every runtime's plain comparison gives.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from ferrule import logs

DATA = Path(__file__).resolve().parent.parent / "data"
REFERENCE_TIME = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def strings(table: logs.LogTable, name: str) -> list[str | None]:
    """A string column as ``str`` values, ``None`` for nulls (dictionary or plain alike)."""
    kind = dict(table.schema)[name]
    if kind == "string":
        return list(table.column(name).tolist())
    values = table.dictionary(name)
    valid = table.validity(name).tolist()
    return [values[code] if ok else None for code, ok in zip(table.column(name).tolist(), valid)]


def iso_utc(micros: int) -> str:
    """Microseconds since the epoch as ``YYYY-MM-DDTHH:MM:SSZ`` (the fraction dropped)."""
    t = EPOCH + timedelta(microseconds=micros - micros % 1_000_000)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def top(counts: Counter[str], n: int) -> list[tuple[str, int]]:
    """The ``n`` largest counts, ties broken by the key's UTF-8 bytes."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].encode()))[:n]


def failed_lines(table: logs.LogTable) -> list[str]:
    return [f"  line {e.line}: {e.code}" for e in table.errors] or ["  none"]


def syslog_report(path: Path) -> list[str]:
    table = logs.parse_file(path, "syslog_rfc3164", reference_time=REFERENCE_TIME)
    stats = table.stats
    out = [f"{path.name}: {stats['lines']} lines, {stats['ok']} ok, {stats['errors']} errors"]
    out += failed_lines(table)

    times = table.column("timestamp").view(np.int64)[table.validity("timestamp")]
    if len(times):
        out.append(f"first: {iso_utc(int(times.min()))}")
        out.append(f"last: {iso_utc(int(times.max()))}")

    out.append("top app_name:")
    apps = Counter(app for app in strings(table, "app_name") if app is not None)
    out += [f"  {app}: {count}" for app, count in top(apps, 5)]

    out.append("failed passwords by source:")
    sources: Counter[str] = Counter()
    for message in strings(table, "message"):
        if message is None or "Failed password" not in message:
            continue
        words = message.split(" ")
        if "from" in words[:-1]:
            sources[words[words.index("from") + 1]] += 1
    out += [f"  {source}: {count}" for source, count in top(sources, 5)]

    out.append("lines per hostname:")
    hosts = Counter(host for host in strings(table, "hostname") if host is not None)
    out += [f"  {host}: {hosts[host]}" for host in sorted(hosts, key=str.encode)]
    return out


def jsonl_report(path: Path) -> list[str]:
    table = logs.parse_file(path, "jsonl", flatten=True)
    out = [f"{path.name}: {table.num_rows} rows", "columns: " + ",".join(table.column_names)]
    out += failed_lines(table)
    durations = table.column("duration_ms")[table.validity("duration_ms")].tolist()
    # Summed one by one in row order (not NumPy's pairwise sum): the other runtimes do the same.
    total = 0.0
    for value in durations:
        total += value
    mean = f"{total / len(durations):.3f}" if durations else "-"
    out.append(f"mean duration_ms: {mean} ({len(durations)} values)")
    return out


def main() -> None:
    auth = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "auth.log"
    app = Path(sys.argv[2]) if len(sys.argv) > 2 else DATA / "app.jsonl"
    print("\n".join(syslog_report(auth) + jsonl_report(app)))


if __name__ == "__main__":
    main()
