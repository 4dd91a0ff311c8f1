"""ferrule.logs on system logs: syslog (RFC 3164, RFC 5424, octet counting), Apache and nginx
error logs, logfmt, JSON lines, LogPAI templates, their options, bool columns through every
export, and the syslog_report example."""

from __future__ import annotations

import csv
import doctest
import json
import pickle
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import ferrule
import numpy as np
import pytest
from ferrule import logs

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "examples" / "data"
LOGHUB = REPO.parent / "shared" / "data" / "logs" / "loghub"
UTC = timezone.utc


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> int:
    """Microseconds since the epoch of a UTC date and time."""
    when = datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def values(table: logs.LogTable, name: str) -> list[Any]:
    """Column ``name`` as Python values, ``None`` for nulls: dictionary codes resolved to ``str``,
    timestamps as int microseconds, bools as ``bool``."""
    kind = dict(table.schema)[name]
    valid = table.validity(name).tolist()
    if kind == "string":
        out: list[Any] = table.column(name).tolist()
        assert [v is not None for v in out] == valid
        return out
    if kind == "dictionary":
        words = table.dictionary(name)
        return [words[c] if ok else None for c, ok in zip(table.column(name).tolist(), valid)]
    column = table.column(name)
    if column.dtype.kind == "M":
        column = column.view(np.int64)
    return [v if ok else None for v, ok in zip(column.tolist(), valid)]


def rows(table: logs.LogTable) -> list[dict[str, Any]]:
    columns = {name: values(table, name) for name in table.column_names}
    return [{name: columns[name][i] for name in columns} for i in range(table.num_rows)]


def codes(table: logs.LogTable) -> list[tuple[int, str]]:
    return [(e.line, e.code) for e in table.errors]


def assert_invariant(table: logs.LogTable) -> None:
    s = table.stats
    assert s["lines"] == s["ok"] + s["errors"] + s["skipped"]
    assert table.num_rows == s["ok"] + s["errors"] == len(table)


def assert_same(a: logs.LogTable, b: logs.LogTable) -> None:
    assert a.schema == b.schema
    assert rows(a) == rows(b)
    assert a.errors == b.errors


def has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def arrow_rows(table: logs.LogTable) -> list[dict[str, Any]]:
    """The rows as pyarrow reads them (timestamps as int microseconds), checked in full."""
    pa = pytest.importorskip("pyarrow")
    arrow = table.to_arrow()
    arrow.validate(full=True)
    out: list[dict[str, Any]] = arrow.to_pylist()
    for name, kind in table.schema:
        if kind.startswith("timestamp"):
            micros = arrow.column(name).cast(pa.int64()).to_pylist()
            for row, value in zip(out, micros):
                row[name] = value
    return out


# ------------------------------------------------------------------ presets and formats

SYSLOG_3164_COLUMNS = [
    ("line", "uint64"), ("timestamp", "timestamp[us, UTC]"), ("facility", "uint16"),
    ("severity", "uint16"), ("hostname", "dictionary"), ("app_name", "dictionary"),
    ("proc_id", "dictionary"), ("message", "string"), ("error", "dictionary"),
    ("error_offset", "uint64"),
]  # fmt: skip
SYSLOG_5424_COLUMNS = [
    ("line", "uint64"), ("timestamp", "timestamp[us, UTC]"), ("tz_offset", "int16"),
    ("facility", "uint16"), ("severity", "uint16"), ("version", "uint16"),
    ("hostname", "dictionary"), ("app_name", "dictionary"), ("proc_id", "dictionary"),
    ("msg_id", "dictionary"), ("structured_data", "string"), ("message", "string"),
    ("error", "dictionary"), ("error_offset", "uint64"),
]  # fmt: skip
APACHE_ERROR_COLUMNS = [
    ("line", "uint64"), ("timestamp", "timestamp[us, UTC]"), ("module", "dictionary"),
    ("level", "dictionary"), ("pid", "int64"), ("tid", "int64"), ("client", "dictionary"),
    ("client_port", "uint16"), ("error_code", "dictionary"), ("message", "string"),
    ("error", "dictionary"), ("error_offset", "uint64"),
]  # fmt: skip
NGINX_ERROR_COLUMNS = [
    ("line", "uint64"), ("timestamp", "timestamp[us, UTC]"), ("level", "dictionary"),
    ("pid", "int64"), ("tid", "int64"), ("connection", "uint64"), ("message", "string"),
    ("client", "dictionary"), ("server", "dictionary"), ("request", "string"),
    ("upstream", "dictionary"), ("host", "dictionary"), ("referrer", "dictionary"),
    ("error", "dictionary"), ("error_offset", "uint64"),
]  # fmt: skip
DYNAMIC_COLUMNS = [("line", "uint64"), ("error", "dictionary"), ("error_offset", "uint64")]


def test_presets_list_the_system_formats() -> None:
    assert logs.PRESETS == (
        "combined", "common", "vhost_combined", "syslog_rfc3164", "syslog_rfc5424", "apache_error",
        "nginx_error", "logfmt", "jsonl",
    )  # fmt: skip
    for name in logs.PRESETS:
        fmt = logs.LogFormat.preset(name)
        assert (fmt.kind, fmt.spec) == ("preset", name)
        assert fmt == logs.LogFormat.preset(name) and hash(fmt) == hash(logs.LogFormat.preset(name))
        assert pickle.loads(pickle.dumps(fmt)) == fmt
        assert fmt.column_names == [name for name, _ in fmt.schema]


@pytest.mark.parametrize(
    "name, schema",
    [
        ("syslog_rfc3164", SYSLOG_3164_COLUMNS),
        ("syslog_rfc5424", SYSLOG_5424_COLUMNS),
        ("apache_error", APACHE_ERROR_COLUMNS),
        ("nginx_error", NGINX_ERROR_COLUMNS),
        ("logfmt", DYNAMIC_COLUMNS),
        ("jsonl", DYNAMIC_COLUMNS),
    ],
)
def test_system_preset_schemas(name: str, schema: list[tuple[str, str]]) -> None:
    assert logs.LogFormat.preset(name).schema == schema
    # An empty input gives the format's own columns (for logfmt and jsonl: no key seen).
    assert logs.parse_bytes(b"", name, year=2024).schema == schema


def test_template_format_kind_schema_and_pickle() -> None:
    spec = "<Date> <Time> <Level> <Component>([<PID>])?: <Content>"
    fmt = logs.LogFormat.template(spec)
    assert (fmt.kind, fmt.spec) == ("template", spec)
    assert fmt.schema == [
        ("line", "uint64"), ("Date", "dictionary"), ("Time", "dictionary"), ("Level", "dictionary"),
        ("Component", "dictionary"), ("PID", "dictionary"), ("Content", "string"),
        ("error", "dictionary"), ("error_offset", "uint64"),
    ]  # fmt: skip
    assert repr(fmt) == f"LogFormat.template({spec!r})"
    assert pickle.loads(pickle.dumps(fmt)) == fmt
    assert fmt != logs.LogFormat.nginx("$remote_addr <Date>")
    typed = logs.LogFormat.template("<Id:int> <Load:float> <Msg>")
    assert typed.schema[1:4] == [("Id", "int64"), ("Load", "float64"), ("Msg", "string")]
    with pytest.raises(ferrule.ParseError):
        logs.LogFormat.template("no fields at all")
    with pytest.raises(TypeError):
        logs.LogFormat.template(b"<Date>")  # type: ignore[arg-type]


# ------------------------------------------------------------------ syslog RFC 3164

RFC3164 = (
    b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n"
    b"Jun  4 07:01:02 host-a CRON[123]: (root) CMD (run-parts /etc/cron.hourly)\n"
    b"<13>Feb  5 17:32:18 2001:db8::1 sshd[42]: Accepted publickey for alice\n"
    b"<165>Aug 24 05:34:00 10.1.2.3 myproc[10]: %% It's time to make the do-nuts.\n"
    b"-- MARK -- not syslog\n"
)


def test_rfc3164_fields_with_a_fixed_year() -> None:
    table = logs.parse_bytes(RFC3164, "syslog_rfc3164", year=2023)
    assert table.schema == SYSLOG_3164_COLUMNS
    assert_invariant(table)
    got = rows(table)
    assert got[0] == {
        "line": 1, "timestamp": us(2023, 10, 11, 22, 14, 15), "facility": 4, "severity": 2,
        "hostname": "mymachine", "app_name": "su", "proc_id": None,
        "message": "'su root' failed for lonvick on /dev/pts/8", "error": None, "error_offset": None,
    }  # fmt: skip
    # No PRI: facility and severity are null; a day padded with a space (`Jun  4`).
    assert got[1]["timestamp"] == us(2023, 6, 4, 7, 1, 2)
    assert (got[1]["facility"], got[1]["severity"]) == (None, None)
    assert (got[1]["hostname"], got[1]["app_name"], got[1]["proc_id"]) == ("host-a", "CRON", "123")
    assert got[1]["message"] == "(root) CMD (run-parts /etc/cron.hourly)"
    # An IPv6 hostname (its colons are not the tag's).
    assert (got[2]["facility"], got[2]["severity"]) == (1, 5)
    assert (got[2]["hostname"], got[2]["app_name"], got[2]["proc_id"]) == ("2001:db8::1", "sshd", "42")
    assert got[2]["message"] == "Accepted publickey for alice"
    assert (got[3]["facility"], got[3]["severity"], got[3]["proc_id"]) == (20, 5, "10")
    assert got[3]["timestamp"] == us(2023, 8, 24, 5, 34, 0)
    # The bad line: an error row, nothing else set.
    assert codes(table) == [(5, "BAD_TIMESTAMP")]
    assert got[4]["error"] == "BAD_TIMESTAMP" and got[4]["timestamp"] is None
    assert table.errors[0].raw == b"-- MARK -- not syslog"
    # Tags without a pid (`su:`) keep proc_id null rather than empty.
    assert table.null_count("proc_id") == 2


def test_rfc3164_reference_time_turns_the_year() -> None:
    data = (
        b"Dec 31 23:59:58 h a: last of the year\n"
        b"Jan  1 00:00:01 h a: first of the next\n"
        b"Jan  1 11:59:59 h a: just before the reference\n"
        b"Jan  1 12:00:01 h a: after the reference: a year earlier\n"
    )
    expected = [
        us(2024, 12, 31, 23, 59, 58), us(2025, 1, 1, 0, 0, 1), us(2025, 1, 1, 11, 59, 59),
        us(2024, 1, 1, 12, 0, 1),
    ]  # fmt: skip
    aware = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    table = logs.parse_bytes(data, "syslog_rfc3164", reference_time=aware)
    assert values(table, "timestamp") == expected
    # A naive datetime is UTC; an aware one in another zone is the same instant.
    naive = logs.parse_bytes(data, "syslog_rfc3164", reference_time=datetime(2025, 1, 1, 12, 0, 0))
    assert values(naive, "timestamp") == expected
    paris = timezone(timedelta(hours=1))
    shifted = logs.parse_bytes(data, "syslog_rfc3164", reference_time=datetime(2025, 1, 1, 13, 0, 0, tzinfo=paris))
    assert values(shifted, "timestamp") == expected
    # A date is the end of that day: every line of 1 January is in that year.
    day = logs.parse_bytes(data, "syslog_rfc3164", reference_time=date(2025, 1, 1))
    assert values(day, "timestamp") == expected[:3] + [us(2025, 1, 1, 12, 0, 1)]
    # A fixed year applies to every line, December or not.
    fixed = logs.parse_bytes(data, "syslog_rfc3164", year=2025)
    assert values(fixed, "timestamp")[0] == us(2025, 12, 31, 23, 59, 58)
    # Neither: now. A line of today's date is this year (unless it is later than now).
    now = datetime.now(UTC) - timedelta(minutes=1)
    today = now.strftime("%b %d %H:%M:%S").encode() + b" h a: now"
    assert values(logs.parse_bytes(today, "syslog_rfc3164"), "timestamp")[0] // 1_000_000 == int(
        now.replace(microsecond=0).timestamp())  # fmt: skip


def test_rfc3164_options_reach_every_entry_point(tmp_path: Path) -> None:
    data = b"Dec 31 23:00:00 h a: x\nJan  1 01:00:00 h a: y\n"
    path = tmp_path / "auth.log"
    path.write_bytes(data)
    reference = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    expected = [us(2024, 12, 31, 23), us(2025, 1, 1, 1)]
    by_file = logs.parse_file(path, "syslog_rfc3164", reference_time=reference)
    assert values(by_file, "timestamp") == expected
    batches = list(logs.iter_batches(path, "syslog_rfc3164", reference_time=reference, batch_rows=1))
    assert [values(b, "timestamp") for b in batches] == [[expected[0]], [expected[1]]]
    parser = logs.StreamParser("syslog_rfc3164", reference_time=reference)
    for i in range(0, len(data), 3):
        parser.push(data[i : i + 3])
    assert values(parser.finish(), "timestamp") == expected
    assert values(logs.parse_file(path, "syslog_rfc3164", year=1999), "timestamp")[1] == us(1999, 1, 1, 1)


# ------------------------------------------------------------------ syslog RFC 5424

BOM = "\ufeff".encode()
RFC5424 = (
    b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " + BOM
    + b"'su root' failed for lonvick on /dev/pts/8\n"
    b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.\n"
    b'<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" '
    b'eventSource="Application" eventID="1011"] ' + BOM + b"An application event log entry...\n"
    b'<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" '
    b'eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]\n'
    b"<34>2 - - - - - -\n"
    b"<999>1 2003-10-11T22:14:15Z h a - - - bad priority\n"
)
SD_ONE = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'
SD_TWO = SD_ONE + '[examplePriority@32473 class="high"]'


def test_rfc5424_fields_sd_and_bom() -> None:
    table = logs.parse_bytes(RFC5424, "syslog_rfc5424")
    assert table.schema == SYSLOG_5424_COLUMNS
    assert_invariant(table)
    got = rows(table)
    assert got[0] == {
        "line": 1, "timestamp": us(2003, 10, 11, 22, 14, 15, 3000), "tz_offset": 0, "facility": 4,
        "severity": 2, "version": 1, "hostname": "mymachine.example.com", "app_name": "su",
        "proc_id": None, "msg_id": "ID47", "structured_data": None,
        "message": "'su root' failed for lonvick on /dev/pts/8", "error": None, "error_offset": None,
    }  # fmt: skip
    # The offset is kept in minutes; the timestamp is UTC.
    assert got[1]["timestamp"] == us(2003, 8, 24, 12, 14, 15, 3) and got[1]["tz_offset"] == -420
    assert (got[1]["proc_id"], got[1]["msg_id"], got[1]["structured_data"]) == ("8710", None, None)
    assert got[1]["message"] == "%% It's time to make the do-nuts."
    assert (got[2]["structured_data"], got[2]["message"]) == (SD_ONE, "An application event log entry...")
    # No MSG: null; two SD elements kept as the raw text.
    assert (got[3]["structured_data"], got[3]["message"]) == (SD_TWO, None)
    # Every field nil: version 2 is kept, the rest is null.
    assert got[4]["version"] == 2 and got[4]["timestamp"] is None and got[4]["hostname"] is None
    assert (got[4]["facility"], got[4]["severity"], got[4]["structured_data"]) == (4, 2, None)
    # PRI above 191: the number at byte 1 is bad.
    assert codes(table) == [(6, "BAD_NUMBER")] and table.errors[0].offset == 1
    assert got[5]["error"] == "BAD_NUMBER" and got[5]["error_offset"] == 1
    # The structured data parses back into its elements.
    assert logs.parse_structured_data(got[3]["structured_data"]) == [
        ("exampleSDID@32473", [("iut", "3"), ("eventSource", "Application"), ("eventID", "1011")]),
        ("examplePriority@32473", [("class", "high")]),
    ]  # fmt: skip


def test_parse_structured_data_inputs_escapes_and_errors() -> None:
    expected = [("id@1", [("a", '"q" \\ ]'), ("b", "")])]
    text = '[id@1 a="\\"q\\" \\\\ \\]" b=""]'
    assert logs.parse_structured_data(text) == expected
    assert logs.parse_structured_data(text.encode()) == expected
    assert logs.parse_structured_data(memoryview(text.encode())) == expected
    assert logs.parse_structured_data(bytearray(text.encode())) == expected
    assert logs.parse_structured_data("-") == []
    assert logs.parse_structured_data("[x@2]") == [("x@2", [])]
    assert logs.parse_structured_data('[u@3 k="café ☕"]') == [("u@3", [("k", "café ☕")])]
    for bad in ["", "[", "[id a=1]", '[id a="x"', "id", '[id a="x"] trailing', "[ id]"]:
        with pytest.raises(ferrule.ParseError) as info:
            logs.parse_structured_data(bad)
        assert info.value.code == "FERRULE_PARSE", bad
    with pytest.raises(TypeError):
        logs.parse_structured_data(42)  # type: ignore[arg-type]


def test_native_doc_examples_run() -> None:
    # doctest.testmod(ferrule.logs) skips the native functions (their module is the native one).
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    [test] = finder.find(logs.parse_structured_data, "parse_structured_data", globs={
        "parse_structured_data": logs.parse_structured_data})  # fmt: skip
    assert test.examples and runner.run(test).failed == 0


def octet_frames(messages: list[bytes]) -> bytes:
    return b"".join(str(len(m)).encode() + b" " + m for m in messages)


FRAMED = [
    b"<34>1 2003-10-11T22:14:15.003Z host app 1 ID1 - first",
    b"<34>1 2003-10-11T22:14:16.003Z host app 2 ID2 - two\nlines",
    b'<165>1 2003-10-11T22:14:17Z host app 3 ID3 [a@1 k="v"] third',
]


def test_octet_counted_parse_and_stream_in_small_chunks() -> None:
    data = octet_frames(FRAMED)
    table = logs.parse_bytes(data, "syslog_rfc5424", octet_counted=True)
    assert table.num_rows == 3 and table.errors == []
    assert values(table, "message") == ["first", "two\nlines", "third"]
    assert values(table, "proc_id") == ["1", "2", "3"]
    assert values(table, "structured_data") == [None, None, '[a@1 k="v"]']
    # Without framing, the same bytes are one line per newline: not what was sent.
    assert logs.parse_bytes(data, "syslog_rfc5424").num_rows != 3
    for size in (1, 2, 3, 7, 64):
        parser = logs.StreamParser("syslog_rfc5424", octet_counted=True)
        parts = []
        for i in range(0, len(data), size):
            parser.push(data[i : i + size])
            if i % (5 * size) == 0:
                parts.append(parser.take_batch())
        parts.append(parser.finish())
        assert [m for p in parts for m in values(p, "message")] == values(table, "message"), size
        assert [n for p in parts for n in values(p, "line")] == values(table, "line"), size


def test_octet_counted_bad_frame_and_file(tmp_path: Path) -> None:
    # A frame without a valid length is skipped through the next newline (frames may end with
    # one); the parse goes on at the next frame. `line` counts frames.
    data = octet_frames(FRAMED[:1]) + b"\n0x12 not a frame\n" + octet_frames(FRAMED[1:]) + b"\n"
    table = logs.parse_bytes(data, "syslog_rfc5424", octet_counted=True)
    assert codes(table) == [(2, "BAD_FRAME")] and table.errors[0].raw.lstrip(b"\n") == b"0x12 not a frame"
    assert values(table, "message") == ["first", None, "two\nlines", "third"]
    assert values(table, "line") == [1, 2, 3, 4]
    assert_invariant(table)
    path = tmp_path / "framed.log"
    path.write_bytes(octet_frames(FRAMED) * 50)
    by_file = logs.parse_file(path, "syslog_rfc5424", octet_counted=True, threads=4)
    assert by_file.num_rows == 150 and values(by_file, "message")[:3] == ["first", "two\nlines", "third"]
    batches = list(logs.iter_batches(path, "syslog_rfc5424", octet_counted=True, batch_rows=40))
    assert sum(b.num_rows for b in batches) == 150
    assert [m for b in batches for m in values(b, "message")] == values(by_file, "message")


# ------------------------------------------------------------------ error logs

APACHE_ERROR = (
    b"[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:51234] "
    b"AH00126: File does not exist: /usr/local/apache2/htdocs/favicon.ico\n"
    b"[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n"
    b"[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] Directory index forbidden\n"
    b"not an error log line\n"
)


def test_apache_error_log() -> None:
    table = logs.parse_bytes(APACHE_ERROR, "apache_error")
    assert table.schema == APACHE_ERROR_COLUMNS
    got = rows(table)
    assert got[0] == {
        "line": 1, "timestamp": us(2000, 10, 11, 14, 32, 52, 123456), "module": "core", "level": "error",
        "pid": 35708, "tid": 4328636416, "client": "72.15.99.187", "client_port": 51234,
        "error_code": "AH00126", "message": "File does not exist: /usr/local/apache2/htdocs/favicon.ico",
        "error": None, "error_offset": None,
    }  # fmt: skip
    assert got[1]["timestamp"] == us(2005, 12, 4, 4, 47, 44)
    assert (got[1]["module"], got[1]["level"], got[1]["pid"], got[1]["client"]) == (None, "notice", None, None)
    assert got[1]["message"] == "workerEnv.init() ok /etc/httpd/conf/workers2.properties"
    assert (got[2]["client"], got[2]["client_port"], got[2]["error_code"]) == ("1.2.3.4", None, None)
    assert codes(table) == [(4, "UNEXPECTED_TEXT")]


NGINX_ERROR = (
    b'2023/01/15 10:30:45 [error] 1234#5678: *910 open() "/usr/share/nginx/html/favicon.ico" failed '
    b'(2: No such file or directory), client: 192.168.1.10, server: example.com, request: "GET /favicon.ico '
    b'HTTP/1.1", upstream: "http://127.0.0.1:8080/favicon.ico", host: "example.com", referrer: "http://example.com/"\n'
    b"2023/01/15 10:30:46 [notice] 1#1: signal process started\n"
    b"2023/13/15 10:30:46 [notice] 1#1: month 13\n"
)


def test_nginx_error_log() -> None:
    table = logs.parse_bytes(NGINX_ERROR, "nginx_error")
    assert table.schema == NGINX_ERROR_COLUMNS
    got = rows(table)
    assert got[0] == {
        "line": 1, "timestamp": us(2023, 1, 15, 10, 30, 45), "level": "error", "pid": 1234, "tid": 5678,
        "connection": 910,
        "message": 'open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)',
        "client": "192.168.1.10", "server": "example.com", "request": "GET /favicon.ico HTTP/1.1",
        "upstream": "http://127.0.0.1:8080/favicon.ico", "host": "example.com",
        "referrer": "http://example.com/", "error": None, "error_offset": None,
    }  # fmt: skip
    assert (got[1]["level"], got[1]["pid"], got[1]["tid"], got[1]["connection"]) == ("notice", 1, 1, None)
    assert (got[1]["message"], got[1]["client"], got[1]["request"]) == ("signal process started", None, None)
    assert codes(table) == [(3, "BAD_TIMESTAMP")]


# ------------------------------------------------------------------ logfmt


def test_logfmt_keys_escapes_flags_and_duplicates() -> None:
    data = (
        b'level=info msg="hello \\"world\\"" took=1.5ms\n'
        b'level=warn msg="caf\xc3\xa9 \xe2\x98\x95" verbose user=\n'
        b"msg=again level=debug level=error error=boom url=/a?b=c\n"
        b'bad="unterminated\n'
    )
    table = logs.parse_bytes(data, "logfmt")
    assert table.column_names == [
        "line", "level", "msg", "took", "verbose", "user", "error_2", "url", "error", "error_offset"]  # fmt: skip
    assert all(kind == "dictionary" for name, kind in table.schema[1:-2])
    got = rows(table)
    assert [r["level"] for r in got[:3]] == ["info", "warn", "error"], "a repeated key: the last wins"
    assert [r["msg"] for r in got[:3]] == ['hello "world"', "café ☕", "again"]
    assert [r["took"] for r in got[:3]] == ["1.5ms", None, None], "a missing key is null"
    assert [r["verbose"] for r in got[:3]] == [None, "true", None], "a standalone key is true"
    assert got[1]["user"] == "", "key= is an empty string"
    assert got[2]["error_2"] == "boom" and got[2]["url"] == "/a?b=c"
    assert codes(table) == [(4, "UNTERMINATED_QUOTE")]
    assert got[3]["error"] == "UNTERMINATED_QUOTE"


# ------------------------------------------------------------------ JSON lines

JSONL = b"\n".join(
    [
        b'{"i": 1, "f": 1.5, "n": 1, "b": true, "s": "x", "c": 1, "z": null, "o": {"k": [1, 2]}}',
        b'{"i": 2, "f": 2.5, "n": 2.5, "b": false, "s": "y\\u00e9", "c": "two", "z": null}',
        b'{"i": -3, "f": -0.5, "n": 3, "b": null, "s": null, "c": true, "o": {"k": {"j": null}}}',
        b'{"i": 4, "f": 1e3, "n": 4, "b": true, "s": "\\"q\\"", "c": 2.5, "a": [1, "x"]}',
        b'{"i": 5, "broken": ',
    ]
)


def test_jsonl_type_inference() -> None:
    table = logs.parse_bytes(JSONL, "jsonl")
    assert table.schema == [
        ("line", "uint64"), ("i", "int64"), ("f", "float64"), ("n", "float64"), ("b", "bool"),
        ("s", "dictionary"), ("c", "dictionary"), ("z", "dictionary"), ("o", "dictionary"),
        ("a", "dictionary"), ("error", "dictionary"), ("error_offset", "uint64"),
    ]  # fmt: skip
    assert values(table, "i") == [1, 2, -3, 4, None]
    assert values(table, "f") == [1.5, 2.5, -0.5, 1000.0, None]
    assert values(table, "n") == [1.0, 2.5, 3.0, 4.0, None], "ints and floats make floats"
    assert values(table, "b") == [True, False, None, True, None]
    assert values(table, "s") == ["x", "yé", None, '"q"', None]
    assert values(table, "c") == ["1", "two", "true", "2.5", None], "a conflict makes strings"
    assert values(table, "z") == [None] * 5 and table.null_count("z") == 5
    assert values(table, "o") == ['{"k": [1, 2]}', None, '{"k": {"j": null}}', None, None]
    assert values(table, "a") == [None, None, None, '[1, "x"]', None]
    assert codes(table) == [(5, "INVALID_JSON")]
    assert table.column("b").dtype == np.bool_


def test_jsonl_flatten_and_key_collisions(tmp_path: Path) -> None:
    data = b'{"user": {"id": 7, "name": {"first": "Ann"}}, "error": "e", "line": 3}\n{"user": {"id": 8}, "x": 1}'
    flat = logs.parse_bytes(data, "jsonl", flatten=True)
    assert flat.column_names == [
        "line", "user.id", "user.name.first", "error_2", "line_2", "x", "error", "error_offset"]  # fmt: skip
    assert values(flat, "user.id") == [7, 8] and values(flat, "user.name.first") == ["Ann", None]
    assert values(flat, "line") == [1, 2] and values(flat, "line_2") == [3, None]
    nested = logs.parse_bytes(data, "jsonl")
    assert nested.column_names == ["line", "user", "error_2", "line_2", "x", "error", "error_offset"]
    assert json.loads(values(nested, "user")[0]) == {"id": 7, "name": {"first": "Ann"}}
    # The other entry points take flatten too.
    path = tmp_path / "app.jsonl"
    path.write_bytes(data)
    assert_same(logs.parse_file(path, "jsonl", flatten=True), flat)
    [batch] = list(logs.iter_batches(path, "jsonl", flatten=True))
    assert_same(batch, flat)
    parser = logs.StreamParser("jsonl", flatten=True)
    parser.push(data)
    assert_same(parser.finish(), flat)


def test_jsonl_invalid_json_rows_and_raise() -> None:
    data = b'{"a": 1}\n[1, 2]\n{"a": 2,}\n{"a": NaN}\n"text"\n{"a": 3}'
    table = logs.parse_bytes(data, "jsonl")
    assert codes(table) == [(n, "INVALID_JSON") for n in (2, 3, 4, 5)]
    assert values(table, "a") == [1, None, None, None, None, 3]
    with pytest.raises(ferrule.ParseError) as info:
        logs.parse_bytes(data, "jsonl", on_error="raise")
    assert (info.value.reason, info.value.line) == ("INVALID_JSON", 2)
    skipped = logs.parse_bytes(data, "jsonl", on_error="skip")
    assert values(skipped, "a") == [1, 3] and skipped.stats["skipped"] == 4


def big_jsonl(rng: random.Random, lines: int) -> bytes:
    """Lines whose keys and types change along the input, so that parallel chunks differ: a key
    only in the second half, one int at first and float later, one int that turns into strings
    at the very end, one bool that is null until late."""
    out = []
    for i in range(lines):
        record: dict[str, Any] = {"i": i, "msg": f"m{rng.randrange(50)}"}
        record["num"] = i if i < lines // 2 else i + 0.25
        record["mixed"] = i if i < lines - 10 else f"s{i}"
        record["flag"] = None if i < lines * 3 // 4 else bool(i % 2)
        if i >= lines // 2:
            record["late"] = {"deep": i % 7}
        if i % 1000 == 999:
            out.append(b'{"cut": ')
            continue
        out.append(json.dumps(record).encode())
    return b"\n".join(out) + b"\n"


def test_jsonl_parallel_equals_sequential() -> None:
    data = big_jsonl(random.Random(6), 40_000)
    assert len(data) > 1 << 20
    one = logs.parse_bytes(data, "jsonl", threads=1)
    two = logs.parse_bytes(data, "jsonl", threads=2)
    assert_same(one, two)
    assert dict(one.schema)["num"] == "float64" and dict(one.schema)["mixed"] == "dictionary"
    assert dict(one.schema)["flag"] == "bool" and dict(one.schema)["late"] == "dictionary"
    assert len(one.errors) == 40
    flat_one = logs.parse_bytes(data, "jsonl", threads=1, flatten=True)
    flat_four = logs.parse_bytes(data, "jsonl", threads=4, flatten=True)
    assert_same(flat_one, flat_four)
    assert dict(flat_one.schema)["late.deep"] == "int64"
    np.testing.assert_array_equal(one.column("flag"), two.column("flag"))


def test_jsonl_stream_batches_infer_their_own_types() -> None:
    parser = logs.StreamParser("jsonl")
    parser.push(b'{"v": 1}\n{"v": 2}\n')
    first = parser.take_batch()
    parser.push(b'{"v": "three"}\n')
    second = parser.finish()
    assert dict(first.schema)["v"] == "int64" and values(first, "v") == [1, 2]
    assert dict(second.schema)["v"] == "dictionary" and values(second, "v") == ["three"]
    assert values(second, "line") == [3]
    # A key of an earlier batch keeps its column, null (and so a dictionary column) here.
    parser = logs.StreamParser("jsonl")
    parser.push(b'{"a": 1}\n')
    assert parser.take_batch().schema[1] == ("a", "int64")
    parser.push(b'{"b": true}\n')
    last = parser.finish()
    assert last.schema[1:3] == [("a", "dictionary"), ("b", "bool")] and values(last, "a") == [None]


# ------------------------------------------------------------------ option errors


@pytest.mark.parametrize(
    "fmt, options, message",
    [
        ("syslog_rfc3164", {"octet_counted": True}, "octet_counted"),
        ("logfmt", {"octet_counted": True}, "octet_counted"),
        ("syslog_rfc5424", {"flatten": True}, "flatten"),
        ("logfmt", {"flatten": True}, "flatten"),
        ("syslog_rfc3164", {"year": 2024, "reference_time": datetime(2024, 1, 1)}, "year"),
        ("syslog_rfc3164", {"year": 0}, "year"),
        ("syslog_rfc3164", {"year": 10_000}, "year"),
        ("syslog_rfc3164", {"year": -(2**70)}, "year"),
    ],
)
def test_bad_options_raise_invalid_argument_everywhere(
    tmp_path: Path, fmt: str, options: dict[str, Any], message: str
) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"x\n")
    calls: list[Callable[[], object]] = [
        lambda: logs.parse_bytes(b"x\n", fmt, **options),
        lambda: logs.parse_file(path, fmt, **options),
        lambda: logs.iter_batches(path, fmt, **options),
        lambda: logs.StreamParser(fmt, **options),
    ]
    for call in calls:
        with pytest.raises(ferrule.InvalidArgumentError) as info:
            call()
        assert info.value.code == "FERRULE_INVALID_ARGUMENT"
        assert isinstance(info.value, ValueError) and message in str(info.value)


def test_option_types() -> None:
    wrong: list[dict[str, Any]] = [
        {"year": "2024"}, {"year": 2024.0}, {"year": True}, {"reference_time": 1735689600},
        {"reference_time": "2025-01-01"}, {"octet_counted": 1}, {"flatten": "yes"},
    ]  # fmt: skip
    for options in wrong:
        with pytest.raises(ferrule.ArgumentTypeError):
            logs.parse_bytes(b"", "syslog_rfc3164", **options)
    # None means "not given".
    logs.parse_bytes(b"", "jsonl", year=None, reference_time=None, octet_counted=None, flatten=None)  # type: ignore[arg-type]
    # The year options do not apply to other formats, and are ignored there.
    assert logs.parse_bytes(b'{"a": 1}', "jsonl", year=1999).num_rows == 1


# ------------------------------------------------------------------ bool columns, every export

BOOLS = [True, False, None, True, True, False, True, False, False, True, None, True]


def bool_table() -> logs.LogTable:
    lines = [b'{"ok": %s, "k": %d}' % (b"null" if v is None else str(v).lower().encode(), i)
             for i, v in enumerate(BOOLS)]  # fmt: skip
    return logs.parse_bytes(b"\n".join(lines), "jsonl")


def test_bool_column_is_a_zero_copy_numpy_view() -> None:
    table = bool_table()
    column = table.column("ok")
    assert column.dtype == np.bool_ and column.shape == (12,)
    assert not column.flags.writeable and not column.flags.owndata
    base: Any = column.base
    assert base is table or base.base is table  # the view keeps the table alive
    assert column.tolist() == [bool(v) for v in BOOLS], "nulls hold False"
    assert table.validity("ok").tolist() == [v is not None for v in BOOLS]
    assert table.null_count("ok") == 2
    assert column.ctypes.data == table.column("ok").ctypes.data, "the same memory, not a copy"
    del table
    assert column.sum() == 6
    with pytest.raises(ValueError):
        column[0] = False


def test_bool_column_through_arrow_pandas_polars_duckdb() -> None:
    table = bool_table()
    assert [row["ok"] for row in arrow_rows(table)] == BOOLS
    pa = pytest.importorskip("pyarrow")
    arrow = table.to_arrow()
    assert arrow.schema.field("ok").type == pa.bool_()
    assert pa.table(table).column("ok").to_pylist() == BOOLS  # the stream interface
    # Sliced at an offset that is not a multiple of 8: the bits are read where Arrow says.
    assert arrow.slice(9).column("ok").to_pylist() == BOOLS[9:]
    if has("pandas"):
        frame = table.to_pandas()
        assert [None if v is None else bool(v) for v in frame["ok"].tolist()] == BOOLS
        no_nulls = logs.parse_bytes(b'{"ok": true}\n{"ok": false}', "jsonl").to_pandas()
        assert str(no_nulls["ok"].dtype) == "bool" and no_nulls["ok"].tolist() == [True, False]
    if has("polars"):
        import polars as pl

        frame = table.to_polars()
        assert frame.schema["ok"] == pl.Boolean and frame["ok"].to_list() == BOOLS
    if has("duckdb"):
        duckdb: Any = pytest.importorskip("duckdb")
        log_table = table  # noqa: F841 - found by name by duckdb's replacement scan
        assert duckdb.sql("SELECT count(*) FROM log_table WHERE ok").fetchall() == [(6,)]


def test_bool_columns_of_many_lengths_export_bit_exactly() -> None:
    pa = pytest.importorskip("pyarrow")
    rng = random.Random(8)
    for n in (1, 7, 8, 9, 63, 64, 65, 1000):
        truth = [rng.choice([True, False, None]) for _ in range(n)]
        data = b"\n".join(b'{"b": %s}' % (b"null" if v is None else str(v).lower().encode()) for v in truth)
        table = logs.parse_bytes(data, "jsonl")
        arrow = table.to_arrow()
        arrow.validate(full=True)
        column = arrow.column("b")
        if all(v is None for v in truth):
            assert dict(table.schema)["b"] == "dictionary"
            continue
        assert column.type == pa.bool_() and column.to_pylist() == truth, n
        assert column.null_count == truth.count(None)


# ------------------------------------------------------------------ templates


def test_template_fields_optional_groups_and_types() -> None:
    fmt = logs.LogFormat.template("<Date> <Time> <Level> <Component>([<PID>])?: <Content>")
    data = (
        b"081109 203615 INFO dfs.DataNode[148]: Receiving block blk_1\n"
        b"081109 203616 WARN dfs.FSNamesystem: no pid here: colon in content\n"
        b"not matching\n"
    )
    table = logs.parse_bytes(data, fmt)
    got = rows(table)
    assert got[0]["Date"] == "081109" and got[0]["Component"] == "dfs.DataNode" and got[0]["PID"] == "148"
    assert got[0]["Content"] == "Receiving block blk_1"
    assert got[1]["Component"] == "dfs.FSNamesystem" and got[1]["PID"] is None
    assert got[1]["Content"] == "no pid here: colon in content"
    assert [line for line, _ in codes(table)] == [3]
    typed = logs.parse_bytes(b"7 0.5 up\nx 0.5 down\n", logs.LogFormat.template("<Id:int> <Load:float> <Msg>"))
    assert values(typed, "Id")[0] == 7 and values(typed, "Load")[0] == 0.5
    assert codes(typed) == [(2, "BAD_NUMBER")]


LOGHUB_FORMATS = {
    "Linux": "<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>",
    "OpenSSH": "<Date> <Day> <Time> <Component> sshd[<Pid>]: <Content>",
    "HDFS": "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "Spark": "<Date> <Time> <Level> <Component>: <Content>",
    "Zookeeper": "<Date> <Time> - <Level>  [<Node>:<Component>@<Id>] - <Content>",
    "Apache": "[<Time>] [<Level>] <Content>",
}


@pytest.mark.parametrize("system", sorted(LOGHUB_FORMATS))
def test_loghub_templates_reproduce_the_structured_csv(system: str) -> None:
    log = LOGHUB / system / f"{system}_2k.log"
    structured = LOGHUB / system / f"{system}_2k.log_structured.csv"
    if not (log.exists() and structured.exists()):
        pytest.skip("../shared/data/logs/loghub is absent")
    table = logs.parse_file(log, logs.LogFormat.template(LOGHUB_FORMATS[system]))
    with open(structured, newline="", encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    fields = [name for name in expected[0] if name not in ("LineId", "EventId", "EventTemplate")]
    assert table.column_names == ["line", *fields, "error", "error_offset"]
    assert table.errors == [] and table.num_rows == len(expected) == 2000
    columns = {name: values(table, name) for name in fields}
    for row, want in enumerate(expected):
        for name in fields:
            got = columns[name][row]
            # LogPAI writes a field of a skipped optional group as "".
            got = "" if got is None else got
            assert got == want[name], (system, want["LineId"], name)


# ------------------------------------------------------------------ the example


def expected_report_facts() -> dict[str, Any]:
    """What the example must print, computed here from the raw files without ferrule."""
    auth = (DATA / "auth.log").read_text().splitlines()
    facts: dict[str, Any] = {"lines": len(auth), "apps": Counter(), "hosts": Counter(), "failed": Counter()}
    for line in auth:
        words = line.split(" ")
        if not line[:1] in "<JFMASOND" or len(words) < 5:
            continue
        head = line.split(": ", 1)[0]
        if head.startswith("<"):
            head = head.split(">", 1)[1]
        parts = head.split()
        if len(parts) < 5:
            continue
        facts["hosts"][parts[3]] += 1
        facts["apps"][parts[4].split("[")[0]] += 1
        message = line.split(": ", 1)[1]
        if "Failed password" in message:
            rest = message.split(" ")
            facts["failed"][rest[rest.index("from") + 1]] += 1
    durations = []
    for line in (DATA / "app.jsonl").read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("duration_ms") is not None:
            durations.append(float(record["duration_ms"]))
    total = 0.0
    for value in durations:
        total += value
    facts["mean"] = f"{total / len(durations):.3f}"
    return facts


def test_syslog_report_example() -> None:
    script = REPO / "examples" / "python" / "syslog_report.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    facts = expected_report_facts()
    assert lines[0] == f"auth.log: {facts['lines']} lines, {facts['lines'] - 1} ok, 1 errors"
    assert lines[1] == "  line 118: BAD_TIMESTAMP"
    assert lines[2].startswith("first: 2024-12-31T") and lines[3].startswith("last: 2025-01-01T")
    section = lines.index("top app_name:")
    top_apps = sorted(facts["apps"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert lines[section + 1 : section + 6] == [f"  {app}: {n}" for app, n in top_apps]
    section = lines.index("failed passwords by source:")
    top_ips = sorted(facts["failed"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert lines[section + 1 : section + 6] == [f"  {ip}: {n}" for ip, n in top_ips]
    section = lines.index("lines per hostname:")
    hosts = [f"  {host}: {facts['hosts'][host]}" for host in sorted(facts["hosts"])]
    assert lines[section + 1 : section + 1 + len(hosts)] == hosts
    assert "app.jsonl: 201 rows" in lines and "  line 89: INVALID_JSON" in lines
    assert f"mean duration_ms: {facts['mean']} (200 values)" in lines
    columns = next(line for line in lines if line.startswith("columns: "))
    assert columns.split(": ", 1)[1].split(",")[:3] == ["line", "ts", "level"]
    assert "user.id" in columns and columns.endswith(",error,error_offset")
    # Given its inputs as arguments, the same report.
    again = subprocess.run(
        [sys.executable, str(script), str(DATA / "auth.log"), str(DATA / "app.jsonl")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert again == out
