"""ferrule.logs: formats, columns, errors, every input path, and the Arrow/pandas/polars exports."""

from __future__ import annotations

import array
import doctest
import gc
import gzip
import math
import mmap
import os
import pickle
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import ferrule
import numpy as np
import pytest
from ferrule import logs

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "data" / "apache_combined.log"
SHARED_LOG = REPO.parent / "shared" / "data" / "logs" / "access" / "apache_combined.log"

COMBINED = [
    "line", "vhost", "client", "ident", "user", "timestamp", "tz_offset", "request", "method",
    "path", "protocol", "status", "bytes", "referer", "user_agent", "error", "error_offset",
]  # fmt: skip

# A small input with a bit of everything: a good line, a `-` size and referer, a bad line, an
# empty line, CRLF, a request that is not three tokens, an IPv6 client, and no final newline.
SMALL = (
    b'1.2.3.4 - alice [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "http://x/" "curl/8"\n'
    b'5.6.7.8 - - [10/Oct/2000:13:55:37 +0130] "POST /b?q=1 HTTP/1.1" 404 - "-" "Mozilla/5.0"\r\n'
    b'\n'
    b'9.9.9.9 - - [10/Oct/2000:13:55:38 +0000] "GET /c HTTP/1.1" 200 7 "-" "unterminated\n'
    b'::1 - - [11/Oct/2000:00:00:00 +0000] "\\x16\\x03\\x01" 400 0 "-" "-"\n'
    b'1.2.3.4 - alice [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "http://x/" "curl/8"'
)

Resolved = dict[str, list[Any]]


def resolved(table: logs.LogTable) -> Resolved:
    """Every column as Python values: None for nulls, dictionary codes resolved to their bytes,
    plain strings as bytes, timestamps as int microseconds."""
    out: Resolved = {}
    for name, kind in table.schema:
        valid = table.validity(name).tolist()
        if kind == "dictionary":
            values = table.dictionary(name, raw=True)
            out[name] = [values[c] if v else None for c, v in zip(table.column(name).tolist(), valid)]
        elif kind == "string":
            out[name] = table.column(name, raw=True).tolist()
        else:
            column = table.column(name)
            if column.dtype.kind == "M":
                column = column.view(np.int64)
            out[name] = [x if v else None for x, v in zip(column.tolist(), valid)]
    return out


def concat(parts: list[Resolved]) -> Resolved:
    return {name: [v for part in parts for v in part[name]] for name in parts[0]}


def counts(table: logs.LogTable) -> dict[str, int]:
    """The stats without the time."""
    s = table.stats
    keys = ("lines", "ok", "errors", "skipped", "empty", "bytes")
    return dict(zip(keys, (s["lines"], s["ok"], s["errors"], s["skipped"], s["empty"], s["bytes"])))


def assert_invariant(table: logs.LogTable) -> None:
    s = table.stats
    assert s["lines"] == s["ok"] + s["errors"] + s["skipped"]
    assert table.num_rows == s["ok"] + s["errors"] == len(table)
    assert s["empty"] <= s["skipped"]


def assert_same_table(a: logs.LogTable, b: logs.LogTable) -> None:
    assert a.column_names == b.column_names
    assert a.schema == b.schema
    assert resolved(a) == resolved(b)
    assert a.errors == b.errors
    assert counts(a) == counts(b)


@pytest.fixture(scope="module")
def sample() -> logs.LogTable:
    return logs.parse_file(SAMPLE)


# ------------------------------------------------------------------ a reference parser

# Escape-aware combined format, as a tutorial would write it (the sample has `\"` and `\xNN`
# inside quoted fields).
_QUOTED = rb'"((?:[^"\\]|\\.)*)"'
REFERENCE = re.compile(
    rb"^(\S+) (\S+) (\S+) \[([^\]]+)\] " + _QUOTED + rb" (\S+) (\S+) " + _QUOTED + b" " + _QUOTED + rb"$"
)


def dash(value: bytes) -> bytes | None:
    return None if value == b"-" else value


def reference_rows(data: bytes) -> dict[int, dict[str, Any]]:
    """line number -> the typed fields of each line the reference regex accepts."""
    rows: dict[int, dict[str, Any]] = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        match = REFERENCE.match(line.rstrip(b"\r"))
        if not match:
            continue
        client, ident, user, when, request, status, size, referer, agent = match.groups()
        stamp = datetime.strptime(when.decode(), "%d/%b/%Y:%H:%M:%S %z")
        parts = request.split(b" ")
        rows[number] = {
            "client": client,
            "ident": dash(ident),
            "user": dash(user),
            "timestamp": int(stamp.timestamp()) * 1_000_000,
            "tz_offset": int(stamp.utcoffset().total_seconds() // 60),  # type: ignore[union-attr]
            "request": request,
            "method": parts[0] if len(parts) == 3 else None,
            "path": parts[1] if len(parts) == 3 else None,
            "protocol": parts[2] if len(parts) == 3 else None,
            "status": None if status == b"-" else int(status),
            "bytes": None if size == b"-" else int(size),
            "referer": dash(referer),
            "user_agent": dash(agent),
        }
    return rows


# ------------------------------------------------------------------ the bundled sample


def test_sample_has_9999_ok_lines_and_one_error_at_8899(sample: logs.LogTable) -> None:
    assert sample.column_names == COMBINED
    assert sample.num_rows == 10_000 and len(sample) == 10_000 and sample.num_columns == 17
    stats = sample.stats
    assert (stats["lines"], stats["ok"], stats["errors"], stats["skipped"], stats["empty"]) == (
        10_000, 9_999, 1, 0, 0)  # fmt: skip
    assert stats["bytes"] == SAMPLE.stat().st_size
    assert stats["seconds"] > 0
    assert_invariant(sample)
    [error] = sample.errors
    assert (error.line, error.code) == (8899, "UNTERMINATED_QUOTE")
    assert error.raw == SAMPLE.read_bytes().split(b"\n")[8898]
    assert error.text == error.raw.decode()
    assert 0 < error.offset < len(error.raw)
    # The error columns: null on the good rows, set on row 8898 (line 8899).
    assert sample.null_count("error") == 9_999 and sample.null_count("error_offset") == 9_999
    assert sample.validity("error").tolist().index(True) == 8898
    assert sample.dictionary("error")[sample.column("error")[8898]] == "UNTERMINATED_QUOTE"
    assert sample.column("error_offset")[8898] == error.offset
    assert sample.column("line").tolist() == list(range(1, 10_001))


def test_sample_matches_a_reference_parser(sample: logs.LogTable) -> None:
    reference = reference_rows(SAMPLE.read_bytes())
    assert len(reference) == 9_999 and 8899 not in reference
    columns = resolved(sample)
    for number, expected in reference.items():
        row = number - 1
        got = {name: columns[name][row] for name in expected}
        assert got == expected, f"line {number}"
    # The error row keeps the fields parsed before the failure.
    assert columns["client"][8898] == b"46.118.127.106"
    assert columns["status"][8898] == 200


def test_shared_real_log_when_present() -> None:
    if not SHARED_LOG.exists():
        pytest.skip("../shared/data/logs is absent")
    table = logs.parse_file(SHARED_LOG)
    assert counts(table)["ok"] == 9_999 and [(e.line, e.code) for e in table.errors] == [
        (8899, "UNTERMINATED_QUOTE")]  # fmt: skip
    assert_invariant(table)


def test_column_dtypes_and_zero_copy(sample: logs.LogTable) -> None:
    expected = {
        "line": np.uint64, "status": np.uint16, "bytes": np.uint64, "tz_offset": np.int16,
        "client": np.uint32, "error_offset": np.uint64,
    }  # fmt: skip
    for name, dtype in expected.items():
        column = sample.column(name)
        assert column.dtype == dtype, name
        assert column.shape == (10_000,)
        assert not column.flags.writeable, name
        assert not column.flags.owndata
    timestamps = sample.column("timestamp")
    assert timestamps.dtype == np.dtype("datetime64[us]")
    assert timestamps[0] == np.datetime64("2015-05-17T10:05:03")
    # Two calls share the same memory: nothing was copied.
    assert sample.column("status").ctypes.data == sample.column("status").ctypes.data
    with pytest.raises(ValueError):
        sample.column("status").setflags(write=True)
    with pytest.raises(ValueError):
        sample.column("bytes")[0] = 1


def test_arrays_keep_the_table_alive() -> None:
    table = logs.parse_file(SAMPLE)
    status = table.column("status")
    codes = table.column("client")
    stamps = table.column("timestamp")
    expected = (status[:5].tolist(), codes[-5:].tolist(), stamps[:2].tolist())
    del table
    gc.collect()
    _ = [bytearray(1 << 16) for _ in range(64)]  # reuse freed memory, if any was freed
    assert (status[:5].tolist(), codes[-5:].tolist(), stamps[:2].tolist()) == expected


def test_strings_dictionaries_and_validity(sample: logs.LogTable) -> None:
    paths = sample.column("path")
    assert paths.dtype == object and paths[0] == "/presentations/logstash-monitorama-2013/images/kibana-search.png"
    assert sample.dictionary("method") == ["GET", "HEAD", "POST", "OPTIONS"]
    assert sample.dictionary("method", raw=True) == [b"GET", b"HEAD", b"POST", b"OPTIONS"]
    methods = Counter(sample.column("method").tolist())
    assert sum(methods.values()) == 10_000
    # `-` sizes are null; null rows hold 0.
    valid = sample.validity("bytes")
    assert valid.dtype == np.bool_ and int((~valid).sum()) == sample.null_count("bytes") > 0
    assert (sample.column("bytes")[~valid] == 0).all()
    assert sample.null_count("line") == 0 and sample.validity("line").all()
    with pytest.raises(ferrule.InvalidArgumentError, match="not dictionary-encoded"):
        sample.dictionary("status")
    with pytest.raises(ferrule.InvalidArgumentError, match="user_agent"):
        sample.column("agent")
    with pytest.raises(ferrule.ArgumentTypeError):
        sample.column(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sample.validity(None)  # type: ignore[arg-type]


def test_repr_schema_and_nbytes(sample: logs.LogTable) -> None:
    assert repr(sample).startswith("LogTable(num_rows=10000, column_names=['line', 'vhost'")
    assert dict(sample.schema)["path"] == "string" and dict(sample.schema)["client"] == "dictionary"
    assert sample.nbytes > 10_000 * 8


# ------------------------------------------------------------------ the same table every way


def test_parse_file_equals_parse_bytes_equals_batches(sample: logs.LogTable) -> None:
    data = SAMPLE.read_bytes()
    assert_same_table(sample, logs.parse_bytes(data))
    batches = list(logs.iter_batches(SAMPLE, batch_rows=3_000))
    assert [b.num_rows for b in batches] == [3_000, 3_000, 3_000, 1_000]
    assert concat([resolved(b) for b in batches]) == resolved(sample)
    assert [e for b in batches for e in b.errors] == sample.errors
    for key in ("lines", "ok", "errors", "skipped", "bytes"):
        assert sum(b.stats[key] for b in batches) == sample.stats[key], key
    for batch in batches:
        assert_invariant(batch)


def test_batch_codes_are_stable_and_dictionaries_grow() -> None:
    batches = list(logs.iter_batches(SAMPLE, batch_rows=1_000))
    dictionaries = [b.dictionary("client") for b in batches]
    for earlier, later in zip(dictionaries, dictionaries[1:]):
        assert later[: len(earlier)] == earlier
    # Codes index the final dictionary too: stable across batches.
    last = dictionaries[-1]
    whole = logs.parse_file(SAMPLE)
    whole_dictionary = whole.dictionary("client")
    assert [last[c] for b in batches for c in b.column("client").tolist()] == [
        whole_dictionary[c] for c in whole.column("client").tolist()]  # fmt: skip


def test_threads_give_the_same_table(sample: logs.LogTable) -> None:
    data = SAMPLE.read_bytes() * 3  # 7 MB: several chunks on 2 threads
    one = logs.parse_bytes(data, threads=1)
    two = logs.parse_bytes(data, threads=2)
    assert_same_table(one, two)
    # Not only the same strings: the same codes (first-seen order over the whole input).
    for name, kind in one.schema:
        valid = one.validity(name)
        assert (valid == two.validity(name)).all(), name
        if kind != "string":
            assert one.column(name)[valid].tolist() == two.column(name)[valid].tolist(), name
        if kind == "dictionary":
            assert one.dictionary(name) == two.dictionary(name)
    assert [e.line for e in two.errors] == [8899, 18899, 28899]
    assert_same_table(logs.parse_file(SAMPLE, threads=1), logs.parse_file(SAMPLE, threads=2))
    assert_same_table(logs.parse_file(SAMPLE, threads=0), sample)


def test_null_rows_hold_zero_on_every_thread_count() -> None:
    # Null rows hold 0 (code 0 for dictionary columns), the parallel parse's too: the raw arrays
    # of every thread count are equal, not only their valid values.
    data = SAMPLE.read_bytes() * 3
    one, two = logs.parse_bytes(data, threads=1), logs.parse_bytes(data, threads=2)
    for name, kind in two.schema:
        nulls = ~two.validity(name)
        if kind != "string":
            assert (two.column(name)[nulls].astype(np.int64) == 0).all(), name
            assert (one.column(name) == two.column(name)).all(), name


def test_streaming_at_every_split_offset() -> None:
    expected = logs.parse_bytes(SMALL)
    assert expected.num_rows == 5 and counts(expected)["empty"] == 1
    for cut in range(len(SMALL) + 1):
        parser = logs.StreamParser()
        parser.push(SMALL[:cut])
        parser.push(SMALL[cut:])
        assert_same_table(parser.finish(), expected)


def test_streaming_in_three_pieces_and_byte_by_byte() -> None:
    data = SMALL[:200]
    expected = logs.parse_bytes(data)
    for i in range(0, len(data) + 1, 7):
        for j in range(i, len(data) + 1, 11):
            parser = logs.StreamParser()
            for piece in (data[:i], data[i:j], data[j:]):
                parser.push(piece)
            assert_same_table(parser.finish(), expected)
    parser = logs.StreamParser()
    for byte in SMALL:
        parser.push(bytes([byte]))
    assert_same_table(parser.finish(), logs.parse_bytes(SMALL))


def test_stream_batches_and_state() -> None:
    parser = logs.StreamParser("combined")
    lines = SMALL.split(b"\n")
    parser.push(b"\n".join(lines[:2]) + b"\n" + lines[2][:3])
    assert parser.rows_buffered == 2 and parser.lines == 2 and parser.pending_bytes == 0
    parser.push(b"\n" + lines[3][:10])
    assert parser.pending_bytes == 10 and parser.lines == 3
    first = parser.take_batch()
    assert first.num_rows == 2 and parser.rows_buffered == 0
    parser.push(lines[3][10:] + b"\n" + b"\n".join(lines[4:]))
    rest = parser.finish()
    assert parser.finished
    assert rest.column("line").tolist() == [4, 5, 6], "line numbers run on across batches"
    assert concat([resolved(first), resolved(rest)]) == resolved(logs.parse_bytes(SMALL))
    # Codes are stable: "alice" (row 0 of the first batch) has the same code in the last row.
    assert first.column("user")[0] == rest.column("user")[2]
    with pytest.raises(ferrule.InvalidArgumentError, match="finished"):
        parser.push(b"more\n")
    with pytest.raises(ferrule.InvalidArgumentError):
        parser.finish()


def test_stream_accepts_any_buffer_and_rejects_others() -> None:
    parser = logs.StreamParser()
    parser.push(bytearray(SMALL[:50]))
    parser.push(memoryview(SMALL)[50:100])
    parser.push(np.frombuffer(SMALL[100:], dtype=np.uint8))
    assert_same_table(parser.finish(), logs.parse_bytes(SMALL))
    with pytest.raises(ferrule.ArgumentTypeError, match="str"):
        logs.StreamParser().push("text")  # type: ignore[arg-type]
    with pytest.raises(ferrule.ArgumentTypeError):
        logs.StreamParser().push(None)  # type: ignore[arg-type]


def test_stream_raise_mode() -> None:
    parser = logs.StreamParser(on_error="raise")
    with pytest.raises(ferrule.ParseError) as info:
        parser.push(SMALL)
    assert (info.value.reason, info.value.line) == ("UNTERMINATED_QUOTE", 4)


# ------------------------------------------------------------------ inputs


def test_parse_bytes_reads_any_buffer_in_place() -> None:
    expected = resolved(logs.parse_bytes(SMALL))
    for data in (
        bytearray(SMALL),
        memoryview(SMALL),
        memoryview(b"xx" + SMALL)[2:],
        np.frombuffer(SMALL, dtype=np.uint8),
        array.array("B", SMALL),
    ):
        assert resolved(logs.parse_bytes(data)) == expected, type(data)
    strided = memoryview(SMALL + SMALL)[::2]
    with pytest.raises(ferrule.InvalidArgumentError, match="contiguous"):
        logs.parse_bytes(strided)


def test_parse_bytes_from_an_mmap(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(SMALL)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert resolved(logs.parse_bytes(mapped)) == resolved(logs.parse_bytes(SMALL))


def test_paths_of_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "héllo.log"
    path.write_bytes(SMALL)
    expected = resolved(logs.parse_bytes(SMALL))
    for arg in (str(path), path, os.fsencode(path)):
        assert resolved(logs.parse_file(arg)) == expected
        assert concat([resolved(b) for b in logs.iter_batches(arg)]) == expected


def test_empty_input(tmp_path: Path) -> None:
    for table in (logs.parse_bytes(b""), logs.parse_file(_write(tmp_path / "empty.log", b""))):
        assert table.num_rows == 0 and table.column_names == COMBINED
        assert counts(table) == {"lines": 0, "ok": 0, "errors": 0, "skipped": 0, "empty": 0, "bytes": 0}
        assert table.column("status").shape == (0,) and table.column("path").shape == (0,)
        assert table.to_arrow().num_rows == 0
    assert list(logs.iter_batches(tmp_path / "empty.log")) == []
    only_empty = logs.parse_bytes(b"\n\r\n\n")
    assert counts(only_empty) == {"lines": 3, "ok": 0, "errors": 0, "skipped": 3, "empty": 3, "bytes": 4}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_gzip_files(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    path = _write(tmp_path / "access.log.gz", gzip.compress(data))
    plain = resolved(logs.parse_bytes(data))
    table = logs.parse_file(path)
    assert resolved(table) == plain and counts(table)["bytes"] == len(data)
    assert concat([resolved(b) for b in logs.iter_batches(path, batch_rows=4_096)]) == plain
    # Detected by magic bytes, not by name; concatenated members are read in turn.
    renamed = _write(tmp_path / "access.log", gzip.compress(data[:1000]) + gzip.compress(data[1000:]))
    assert resolved(logs.parse_file(renamed)) == plain


def test_truncated_gzip_is_corrupt_data(tmp_path: Path) -> None:
    whole = gzip.compress(SAMPLE.read_bytes())
    path = _write(tmp_path / "cut.log.gz", whole[: len(whole) // 2])
    with pytest.raises(ferrule.CorruptDataError) as info:
        logs.parse_file(path)
    assert info.value.code == "FERRULE_CORRUPT" and isinstance(info.value, ValueError)
    batches = logs.iter_batches(path, batch_rows=1_000)
    with pytest.raises(ferrule.CorruptDataError):
        for _ in batches:
            pass
    assert list(batches) == [], "a failure ends the iteration"
    garbage = _write(tmp_path / "bad.log.gz", b"\x1f\x8b" + b"\x00" * 64)
    with pytest.raises(ferrule.CorruptDataError):
        logs.parse_file(garbage)


def test_missing_files_and_directories(tmp_path: Path) -> None:
    for call in (logs.parse_file, logs.iter_batches):
        with pytest.raises(ferrule.FerruleIOError) as info:
            call(tmp_path / "nope.log")
        assert isinstance(info.value, OSError) and info.value.code == "FERRULE_IO"
        assert "nope.log" in str(info.value)
        with pytest.raises(ferrule.FerruleIOError, match="directory"):
            call(tmp_path)


def test_batch_iterator_close(tmp_path: Path) -> None:
    batches = logs.iter_batches(SAMPLE, batch_rows=100)
    assert next(batches).num_rows == 100
    batches.close()
    batches.close()
    assert list(batches) == []
    assert iter(batches) is batches


# ------------------------------------------------------------------ errors and options


def test_on_error_skip(sample: logs.LogTable) -> None:
    table = logs.parse_file(SAMPLE, on_error="skip")
    assert table.num_rows == 9_999
    assert counts(table) | {} == {**counts(sample), "errors": 0, "skipped": 1}
    assert table.errors == sample.errors, "skipped lines are still listed"
    assert table.null_count("error") == 9_999
    assert 8899 not in table.column("line").tolist()
    assert_invariant(table)


def test_on_error_raise() -> None:
    with pytest.raises(ferrule.ParseError) as info:
        logs.parse_file(SAMPLE, on_error="raise")
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, ferrule.FerruleError)
    assert (err.code, err.reason, err.line) == ("FERRULE_PARSE", "UNTERMINATED_QUOTE", 8899)
    assert err.offset == logs.parse_file(SAMPLE).errors[0].offset
    assert "UNTERMINATED_QUOTE" in str(err) and "Googlebot" in str(err), "a snippet of the line"
    copy = pickle.loads(pickle.dumps(err))
    assert (type(copy), copy.reason, copy.line, copy.offset) == (ferrule.ParseError, err.reason, 8899, err.offset)
    # The same from bytes on 2 threads (the error is in a later chunk) and from batches.
    with pytest.raises(ferrule.ParseError) as info:
        logs.parse_bytes(SAMPLE.read_bytes() * 2, threads=2, on_error="raise")
    assert info.value.line == 8899
    batches = logs.iter_batches(SAMPLE, batch_rows=1_000, on_error="raise")
    good = 0
    with pytest.raises(ferrule.ParseError) as info:
        for batch in batches:
            good += batch.num_rows
    assert info.value.line == 8899 and good == 8_000
    assert next(batches, None) is None
    # Clean input never raises.
    assert logs.parse_bytes(SMALL.split(b"\n")[0], on_error="raise").num_rows == 1


def test_stats_invariant_everywhere() -> None:
    inputs = [SMALL, b"\n\n", b"garbage\n\x00\xff\n" * 3, SAMPLE.read_bytes()[:50_000], b"- - -\n"]
    for data in inputs:
        for on_error in ("row", "skip"):
            table = logs.parse_bytes(data, on_error=on_error)
            assert_invariant(table)
            assert len(table.errors) == counts(table)["errors"] + (
                counts(table)["skipped"] - counts(table)["empty"])


def test_malformed_lines_become_error_rows() -> None:
    lines = [
        b"",
        b"just one token",
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2x0 5 "-" "-"',
        b'1.2.3.4 - - [99/Foo/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5 "-" "-"',
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5x "-" "-"',
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"\x00" * 100,
        b"[" * 5000,
        b'"' * 3,
        b"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700",
        b"x" * 100_000,
    ]
    table = logs.parse_bytes(b"\n".join(lines))
    assert_invariant(table)
    assert counts(table)["ok"] == 0 and counts(table)["empty"] == 1
    codes = [e.code for e in table.errors]
    assert len(codes) == len(lines) - 1
    assert codes[1:4] == ["BAD_STATUS", "BAD_TIMESTAMP", "BAD_NUMBER"]
    assert set(codes) <= {"UNTERMINATED_QUOTE", "TOO_FEW_FIELDS", "UNEXPECTED_TEXT", "BAD_TIMESTAMP",
                          "BAD_STATUS", "BAD_NUMBER", "INVALID_UTF8"}  # fmt: skip
    assert table.errors[-1].raw == b"x" * 100_000
    assert [table.dictionary("error")[c] for c in table.column("error")] == codes
    # Fields parsed before the failure are kept: the bad-status line has its client.
    assert table.dictionary("client")[table.column("client")[1]] == "1.2.3.4"
    if _has("pyarrow"):
        table.to_arrow().validate(full=True)


def test_requests_that_are_not_three_tokens(sample: logs.LogTable) -> None:
    table = logs.parse_bytes(SMALL)
    row = resolved(table)
    assert row["request"][3] == b"\\x16\\x03\\x01"
    assert (row["method"][3], row["path"][3], row["protocol"][3]) == (None, None, None)
    assert row["client"][3] == b"::1" and row["status"][3] == 400
    assert row["tz_offset"][:2] == [-420, 90]
    assert row["bytes"][:2] == [2326, None] and row["referer"][:2] == [b"http://x/", None]
    assert row["path"][1] == b"/b?q=1", "CRLF line ends are stripped"


def test_unescape_and_raw_escapes() -> None:
    line = b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 1 "-" "say \\"hi\\" \\x41"\n'
    assert logs.parse_bytes(line).dictionary("user_agent") == ['say \\"hi\\" \\x41']
    assert logs.parse_bytes(line, unescape=True).dictionary("user_agent") == ['say "hi" A']
    # The real sample has `\xNN` in referrers: unescaping changes some values, never the counts.
    raw, unescaped = logs.parse_file(SAMPLE), logs.parse_file(SAMPLE, unescape=True)
    assert counts(raw) == counts(unescaped)
    assert any("\\x" in v for v in raw.dictionary("referer"))
    assert not any("\\x" in v for v in unescaped.dictionary("referer"))


def test_plain_columns_option() -> None:
    table = logs.parse_bytes(SMALL, plain_columns=["client", "user_agent"])
    types = dict(table.schema)
    assert types["client"] == types["user_agent"] == "string"
    assert types["path"] == types["request"] == "dictionary"
    assert table.column("client").tolist()[:2] == ["1.2.3.4", "5.6.7.8"]
    assert resolved(table)["path"] == resolved(logs.parse_bytes(SMALL))["path"]
    everything_dictionary = logs.parse_bytes(SMALL, plain_columns=[])
    assert "string" not in dict(everything_dictionary.schema).values()
    with pytest.raises(ferrule.InvalidArgumentError, match="nope"):
        logs.parse_bytes(SMALL, plain_columns=["nope"])
    with pytest.raises(ferrule.InvalidArgumentError):
        logs.parse_bytes(SMALL, plain_columns=["status"])


def test_invalid_utf8_is_lossy_with_raw_bytes_available() -> None:
    data = (
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /\xff\xfe HTTP/1.0" 200 1 "-" "a\xffb"\n'
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /ok HTTP/1.0" 200 1 "-" "a\xfeb"\n'
    )
    table = logs.parse_bytes(data)
    assert counts(table)["ok"] == 2
    assert table.column("path").tolist() == ["/\ufffd\ufffd", "/ok"]
    assert table.column("path", raw=True).tolist() == [b"/\xff\xfe", b"/ok"]
    # Two raw values that decode alike: two codes, two entries (raw bytes tell them apart).
    assert table.dictionary("user_agent") == ["a\ufffdb", "a\ufffdb"]
    assert table.dictionary("user_agent", raw=True) == [b"a\xffb", b"a\xfeb"]
    assert table.column("user_agent").tolist() == [0, 1]
    strict = logs.parse_bytes(data, strict_utf8=True)
    assert [(e.line, e.code) for e in strict.errors] == [(1, "INVALID_UTF8"), (2, "INVALID_UTF8")]
    assert strict.errors[0].raw == data.split(b"\n")[0]
    assert strict.errors[0].text == data.split(b"\n")[0].decode("utf-8", "replace")
    assert_invariant(strict)


# ------------------------------------------------------------------ formats


def test_presets() -> None:
    # The access-log presets first; test_system_logs.py covers the others.
    assert logs.PRESETS[:3] == ("combined", "common", "vhost_combined") and len(logs.PRESETS) == 9
    combined = logs.LogFormat.preset("combined")
    assert (combined.kind, combined.spec, combined.column_names) == ("preset", "combined", COMBINED)
    assert combined.schema[0] == ("line", "uint64") and ("timestamp", "timestamp[us, UTC]") in combined.schema
    common = logs.LogFormat.preset("clf")
    assert common.column_names == [n for n in COMBINED if n not in ("referer", "user_agent")]
    vhost = logs.LogFormat.preset("vhost_combined")
    assert vhost.column_names[:4] == ["line", "vhost", "port", "client"]
    line = b'example.com:443 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5 "-" "ua"'
    table = logs.parse_bytes(line, vhost)
    assert counts(table)["ok"] == 1 and table.column("port").tolist() == [443]
    # `combined` accepts a `host:port` vhost prefix and extra trailing fields (nginx `main`).
    table = logs.parse_bytes(b"www.x.org:80 " + line[16:] + b' "10.0.0.1"', "combined")
    assert counts(table)["ok"] == 1 and table.dictionary("vhost") == ["www.x.org:80"]
    # A leading token that is not host:port is no vhost: the line does not match.
    table = logs.parse_bytes(b"www.x.org " + line[16:], "combined")
    assert counts(table)["errors"] == 1 and table.errors[0].code == "UNEXPECTED_TEXT"
    assert_same_table(logs.parse_bytes(SMALL, "combined"), logs.parse_bytes(SMALL, combined))


def test_nginx_custom_format() -> None:
    fmt = logs.LogFormat.nginx(
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
        '"$http_referer" "$http_user_agent" $http_x_trace $request_time $upstream_response_time'
    )
    assert fmt.kind == "nginx"
    types = dict(fmt.schema)
    assert types["request_time"] == types["upstream_response_time"] == "float64"
    assert types["x_trace"] == "dictionary"
    data = (
        b'10.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 512 "-" "ua" '
        b"abc 0.123 0.001, 0.002 : 0.003\n"
        b'10.0.0.2 - - [10/Oct/2000:13:55:36 +0000] "POST /x HTTP/2.0" 502 0 "-" "ua" - 1.5 -\n'
        b'10.0.0.3 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 0 "-" "ua" - 0.5x -\n'
    )
    table = logs.parse_bytes(data, fmt)
    assert table.column("request_time").tolist()[:2] == [0.123, 1.5]
    assert table.column("upstream_response_time")[0] == pytest.approx(0.006, abs=1e-12)
    assert table.validity("upstream_response_time").tolist() == [True, False, False]
    assert table.dictionary("x_trace") == ["abc"] and table.null_count("x_trace") == 2
    assert table.column("timestamp")[0] == np.datetime64("2000-10-10T20:55:36")
    assert [(e.line, e.code) for e in table.errors] == [(3, "BAD_NUMBER")]
    assert_invariant(table)


def test_nginx_upstream_time_lists_in_quotes() -> None:
    fmt = logs.LogFormat.nginx('$status "$upstream_response_time" $request_time')
    table = logs.parse_bytes(b'200 "0.001, 0.002 : 0.003" 0.5\n502 "-" 1\n200 "0.25" 2', fmt)
    assert counts(table)["ok"] == 3
    assert table.column("upstream_response_time").tolist()[0] == pytest.approx(0.006, abs=1e-12)
    assert table.column("upstream_response_time").tolist()[2] == 0.25
    assert table.validity("upstream_response_time").tolist() == [True, False, True]
    assert table.column("request_time").tolist() == [0.5, 1.0, 2.0]


def test_nginx_upstream_time_lists_unquoted_mid_line() -> None:
    fmt = logs.LogFormat.nginx("$upstream_response_time $request_time $status")
    table = logs.parse_bytes(b"0.001, 0.002 : 0.003 0.5 200\n0.25 1 204\n- 2 502", fmt)
    assert table.errors == []
    assert table.column("upstream_response_time").tolist()[:2] == [pytest.approx(0.006, abs=1e-12), 0.25]
    assert table.validity("upstream_response_time").tolist() == [True, True, False]
    assert table.column("request_time").tolist() == [0.5, 1.0, 2.0]
    assert table.column("status").tolist() == [200, 204, 502]


def test_nginx_msec_and_iso8601_times() -> None:
    fmt = logs.LogFormat.nginx("$msec $status")
    table = logs.parse_bytes(b"1700000000.123 200\n1700000000 204\n", fmt)
    assert table.column("timestamp").view(np.int64).tolist() == [1_700_000_000_123_000, 1_700_000_000_000_000]
    assert table.column("tz_offset").tolist() == [0, 0]
    fmt = logs.LogFormat.nginx("$time_iso8601 $status")
    table = logs.parse_bytes(b"2023-11-14T22:13:20+01:00 200\n2023-11-14T22:13:20Z 200\nyesterday 200\n", fmt)
    assert table.column("timestamp")[:2].tolist() == [datetime(2023, 11, 14, 21, 13, 20), datetime(2023, 11, 14, 22, 13, 20)]
    assert table.column("tz_offset")[:2].tolist() == [60, 0]
    assert [e.code for e in table.errors] == ["BAD_TIMESTAMP"]


def test_nginx_conf_syntax_is_accepted() -> None:
    conf = logs.LogFormat.nginx("log_format main '$remote_addr [$time_local] '\n    '\"$request\" $status';")
    plain = logs.LogFormat.nginx('$remote_addr [$time_local] "$request" $status')
    assert conf.column_names == plain.column_names
    line = b'1.2.3.4 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200'
    assert resolved(logs.parse_bytes(line, conf)) == resolved(logs.parse_bytes(line, plain))


def test_apache_custom_format() -> None:
    fmt = logs.LogFormat.apache(r'%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %T %{X-Id}i')
    assert fmt.kind == "apache" and fmt.column_names[-5:] == ["duration_us", "duration_s", "x_id", "error", "error_offset"]
    data = (
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5 "-" "ua" 1234 2 id-1\n'
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5 "-" "ua" - - -\n'
    )
    table = logs.parse_bytes(data, fmt)
    assert counts(table)["ok"] == 2
    assert table.column("duration_us").tolist()[0] == 1234.0 and table.column("duration_s")[0] == 2.0
    assert table.validity("duration_us").tolist() == [True, False]
    assert table.dictionary("x_id") == ["id-1"]
    # The combined preset is this Apache string: the same table.
    preset_spec = r'%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"'
    ours = logs.parse_bytes(SAMPLE.read_bytes()[:20_000], logs.LogFormat.apache(preset_spec))
    theirs = logs.parse_bytes(SAMPLE.read_bytes()[:20_000])
    assert resolved(ours) == {k: v for k, v in resolved(theirs).items() if k != "vhost"}


def test_format_objects() -> None:
    fmt = logs.LogFormat.nginx("$remote_addr $status")
    assert repr(fmt) == "LogFormat.nginx('$remote_addr $status')"
    assert fmt == logs.LogFormat.nginx("$remote_addr $status") and fmt != logs.LogFormat.nginx("$status $remote_addr")
    assert hash(fmt) == hash(logs.LogFormat.nginx("$remote_addr $status"))
    assert fmt != "$remote_addr $status"
    assert pickle.loads(pickle.dumps(fmt)) == fmt
    assert pickle.loads(pickle.dumps(logs.LogFormat.preset("common"))).column_names == logs.LogFormat.preset("common").column_names
    assert fmt.schema == [("line", "uint64"), ("client", "dictionary"), ("status", "uint16"),
                          ("error", "dictionary"), ("error_offset", "uint64")]  # fmt: skip
    with pytest.raises(TypeError):
        logs.LogFormat()


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: logs.LogFormat.nginx("no variables"), ferrule.ParseError),
        (lambda: logs.LogFormat.nginx(""), ferrule.ParseError),
        (lambda: logs.LogFormat.nginx("$remote_addr$status"), ferrule.ParseError),
        (lambda: logs.LogFormat.apache("%h%l"), ferrule.ParseError),
        (lambda: logs.LogFormat.apache("%h %!"), ferrule.ParseError),
        (lambda: logs.LogFormat.apache("%{Referer"), ferrule.ParseError),
        (lambda: logs.LogFormat.preset("json"), ferrule.InvalidArgumentError),
        (lambda: logs.LogFormat.nginx(None), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
        (lambda: logs.LogFormat.apache(b"%h"), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
        (lambda: logs.LogFormat.preset(1), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ],
)
def test_bad_format_strings(make: Callable[[], object], error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        make()
    if error is ferrule.ParseError:
        assert info.value.code == "FERRULE_PARSE" and info.value.reason is None  # type: ignore[attr-defined]


def test_format_string_given_as_a_preset_name_says_how() -> None:
    with pytest.raises(ferrule.InvalidArgumentError, match=r"LogFormat\.nginx"):
        logs.parse_bytes(SMALL, "$remote_addr $status")
    with pytest.raises(ferrule.InvalidArgumentError, match=r"LogFormat\.apache"):
        logs.parse_bytes(SMALL, "%h %s")


# ------------------------------------------------------------------ wrong arguments

BAD_ARGUMENTS: list[tuple[str, Callable[[], object], type[Exception]]] = [
    ("data None", lambda: logs.parse_bytes(None), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("data str", lambda: logs.parse_bytes("text"), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("data list", lambda: logs.parse_bytes([1, 2]), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("path None", lambda: logs.parse_file(None), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("path int", lambda: logs.parse_file(3), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("batches path", lambda: logs.iter_batches(3.5), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("format int", lambda: logs.parse_bytes(SMALL, 3), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("format unknown", lambda: logs.parse_bytes(SMALL, "json"), ferrule.InvalidArgumentError),
    ("on_error int", lambda: logs.parse_bytes(SMALL, on_error=1), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("on_error unknown", lambda: logs.parse_bytes(SMALL, on_error="ignore"), ferrule.InvalidArgumentError),  # type: ignore[arg-type]
    ("threads str", lambda: logs.parse_bytes(SMALL, threads="2"), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("threads bool", lambda: logs.parse_bytes(SMALL, threads=True), ferrule.ArgumentTypeError),
    ("threads negative", lambda: logs.parse_bytes(SMALL, threads=-1), ferrule.InvalidArgumentError),
    ("progress int", lambda: logs.parse_bytes(SMALL, progress=1), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("unescape str", lambda: logs.parse_bytes(SMALL, unescape="yes"), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("strict_utf8 None-ish", lambda: logs.parse_bytes(SMALL, strict_utf8=[]), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("plain_columns str", lambda: logs.parse_bytes(SMALL, plain_columns="path"), ferrule.ArgumentTypeError),
    ("plain_columns ints", lambda: logs.parse_bytes(SMALL, plain_columns=[1]), ferrule.ArgumentTypeError),  # type: ignore[list-item]
    ("plain_columns int", lambda: logs.parse_bytes(SMALL, plain_columns=1), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("threads too many", lambda: logs.parse_bytes(SMALL, threads=5000), ferrule.InvalidArgumentError),
    ("threads huge", lambda: logs.parse_bytes(SMALL, threads=1 << 70), ferrule.InvalidArgumentError),
    ("batch_rows 0", lambda: logs.iter_batches(SAMPLE, batch_rows=0), ferrule.InvalidArgumentError),
    ("batch_rows -1", lambda: logs.iter_batches(SAMPLE, batch_rows=-1), ferrule.InvalidArgumentError),
    ("batch_rows float", lambda: logs.iter_batches(SAMPLE, batch_rows=1.5), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("stream format", lambda: logs.StreamParser(format=b"combined"), ferrule.ArgumentTypeError),  # type: ignore[arg-type]
    ("stream on_error", lambda: logs.StreamParser(on_error="sometimes"), ferrule.InvalidArgumentError),  # type: ignore[arg-type]
    ("unknown keyword", lambda: logs.parse_bytes(SMALL, onerror="row"), TypeError),  # type: ignore[call-arg]
    ("threads positional", lambda: logs.parse_bytes(SMALL, "combined", "row"), TypeError),  # type: ignore[call-arg]
]


@pytest.mark.parametrize(("label", "call", "error"), BAD_ARGUMENTS, ids=[b[0] for b in BAD_ARGUMENTS])
def test_wrong_arguments(label: str, call: Callable[[], object], error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        call()
    if issubclass(error, ferrule.FerruleError):
        assert type(info.value) is error, label
        assert info.value.code == "FERRULE_INVALID_ARGUMENT"
    if error is ferrule.ArgumentTypeError:
        assert isinstance(info.value, TypeError)


def test_defaults_can_be_spelled_out() -> None:
    explicit = logs.parse_bytes(
        SMALL, "combined", on_error="row", threads=None, progress=False, unescape=False,
        strict_utf8=False, plain_columns=None,
    )  # fmt: skip
    assert_same_table(explicit, logs.parse_bytes(SMALL))


def test_progress_bar_goes_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    logs.parse_file(SAMPLE, progress=True)
    err = capfd.readouterr().err
    assert "MB" in err and "100%" in err
    logs.parse_file(SAMPLE)
    assert capfd.readouterr().err == ""


# ------------------------------------------------------------------ errors and threads


def test_log_error_records(sample: logs.LogTable) -> None:
    [error] = sample.errors
    again = logs.parse_file(SAMPLE).errors[0]
    assert error == again and hash(error) == hash(again) and error is not again
    assert repr(error).startswith("LogError(line=8899, code='UNTERMINATED_QUOTE', offset=")
    assert isinstance(error.raw, bytes) and isinstance(error.text, str)


def test_parsing_from_several_python_threads(sample: logs.LogTable) -> None:
    expected = resolved(sample)
    results: list[Resolved] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            results.append(resolved(logs.parse_file(SAMPLE, threads=2)))
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and len(results) == 4
    assert all(r == expected for r in results)


def test_a_shared_stream_parser_serializes_pushes() -> None:
    lines = SAMPLE.read_bytes().split(b"\n")[:4000]
    parser = logs.StreamParser()

    def push(part: list[bytes]) -> None:
        for line in part:
            parser.push(line + b"\n")

    threads = [threading.Thread(target=push, args=(lines[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    table = parser.finish()
    # Interleaved, but every line parsed whole, once.
    assert table.num_rows == 4000 and counts(table)["ok"] == 4000
    assert sorted(table.column("path", raw=True).tolist()) == sorted(resolved(logs.parse_bytes(b"\n".join(lines)))["path"])


# ------------------------------------------------------------------ Arrow, pandas, polars


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def test_to_arrow(sample: logs.LogTable) -> None:
    pa = pytest.importorskip("pyarrow")
    table = sample.to_arrow()
    table.validate(full=True)
    assert isinstance(table, pa.Table) and table.column_names == COMBINED and table.num_rows == 10_000
    schema = table.schema
    assert schema.field("client").type == pa.dictionary(pa.uint32(), pa.string())
    assert schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert schema.field("path").type == pa.large_string()
    assert schema.field("status").type == pa.uint16() and schema.field("bytes").type == pa.uint64()
    assert schema.field("tz_offset").type == pa.int16() and schema.field("line").type == pa.uint64()
    for name in COMBINED:
        assert table.column(name).null_count == sample.null_count(name), name
    ours = resolved(sample)
    for name in ("client", "status", "bytes", "path", "error", "user_agent"):
        values = table.column(name).to_pylist()
        assert [v.encode() if isinstance(v, str) else v for v in values] == ours[name], name
    assert table.column("timestamp")[0].as_py() == datetime.fromisoformat("2015-05-17T10:05:03+00:00")


def test_to_arrow_is_zero_copy_and_outlives_the_table() -> None:
    pytest.importorskip("pyarrow")
    table = logs.parse_file(SAMPLE)
    arrow = table.to_arrow()
    status = arrow.column("status").chunk(0)
    assert status.buffers()[1].address == table.column("status").ctypes.data
    client = arrow.column("client").chunk(0)
    assert client.indices.buffers()[1].address == table.column("client").ctypes.data
    expected = arrow.to_pylist()[:3]
    del table, status, client
    gc.collect()
    _ = [bytearray(1 << 16) for _ in range(64)]
    assert arrow.to_pylist()[:3] == expected
    arrow.validate(full=True)


def test_arrow_stream_interface(sample: logs.LogTable) -> None:
    pa = pytest.importorskip("pyarrow")
    expected = sample.to_arrow()
    assert pa.table(sample).equals(expected)
    reader = pa.RecordBatchReader.from_stream(sample)
    batches = list(reader)
    assert len(batches) == 1 and batches[0].num_rows == 10_000
    assert pa.Table.from_batches(batches).equals(expected)
    # A capsule may be consumed once; each call gives a new one.
    capsule = sample.__arrow_c_stream__()
    assert type(capsule).__name__ == "PyCapsule"
    assert pa.RecordBatchReader._import_from_c_capsule(capsule).read_all().num_rows == 10_000
    with pytest.raises(Exception):
        pa.RecordBatchReader._import_from_c_capsule(capsule)
    # An unconsumed capsule is released when collected (no leak, no crash).
    for _ in range(100):
        sample.__arrow_c_stream__(None)
    gc.collect()


def test_arrow_export_of_invalid_utf8_and_nulls() -> None:
    pa = pytest.importorskip("pyarrow")
    data = (
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /\xff HTTP/1.0" 200 - "-" "a\xffb"\n'
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /ok HTTP/1.0" 200 1 "-" "a\xfeb"\n'
        b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /ok HTTP/1.0" 200 1 "-" "-"\n'
    )
    table = logs.parse_bytes(data).to_arrow()
    table.validate(full=True)  # valid UTF-8 everywhere
    assert table.column("path").to_pylist() == ["/\ufffd", "/ok", "/ok"]
    agents = table.column("user_agent").chunk(0)
    # The two raw values decode alike: one dictionary entry (Arrow dictionaries do not repeat).
    assert agents.dictionary.to_pylist() == ["a\ufffdb"] and agents.to_pylist() == ["a\ufffdb", "a\ufffdb", None]
    assert table.column("bytes").to_pylist() == [None, 1, 1]
    assert table.column("error").to_pylist() == [None, None, None]


def test_to_pandas(sample: logs.LogTable) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    df = sample.to_pandas()
    assert list(df.columns) == COMBINED and len(df) == 10_000
    assert isinstance(df["client"].dtype, pd.CategoricalDtype)
    assert isinstance(df["method"].dtype, pd.CategoricalDtype)
    assert list(df["method"].cat.categories) == ["GET", "HEAD", "POST", "OPTIONS"]
    assert str(df["timestamp"].dt.tz) == "UTC"
    assert df["timestamp"].iloc[0] == pd.Timestamp("2015-05-17 10:05:03", tz="UTC")
    assert int(df["bytes"].isna().sum()) == sample.null_count("bytes")
    assert int(df["error"].isna().sum()) == 9_999 and df["error"].iloc[8898] == "UNTERMINATED_QUOTE"
    assert df["status"].dtype == np.uint16
    nullable = sample.to_pandas(types_mapper=pd.ArrowDtype)
    assert int(nullable["bytes"].isna().sum()) == sample.null_count("bytes")


def test_to_polars(sample: logs.LogTable) -> None:
    pl = pytest.importorskip("polars")
    df = sample.to_polars()
    assert isinstance(df, pl.DataFrame) and df.columns == COMBINED and df.height == 10_000
    assert df.schema["client"] == pl.Categorical and df.schema["user_agent"] == pl.Categorical
    assert df.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert df.schema["status"] == pl.UInt16 and df.schema["path"] == pl.String
    assert df["bytes"].null_count() == sample.null_count("bytes")
    assert df["error"].null_count() == 9_999 and df["error"][8898] == "UNTERMINATED_QUOTE"
    top = df.group_by("status").len().sort("len", descending=True)["status"][0]
    assert top == 200
    # The stream interface directly, and from a pyarrow table.
    assert pl.DataFrame(sample).equals(df)
    if _has("pyarrow"):
        from_arrow = pl.from_arrow(sample.to_arrow())
        assert isinstance(from_arrow, pl.DataFrame) and from_arrow.equals(df)
    # polars reads a bare stream as one struct Series (its rule for capsules); unnested, the same.
    series = pl.from_arrow(sample)
    assert isinstance(series, pl.Series) and series.struct.unnest().equals(df)


def test_duckdb_reads_the_stream(sample: logs.LogTable) -> None:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    log_table = sample  # noqa: F841 - found by name by duckdb's replacement scan
    rows = duckdb.sql("SELECT status, count(*) FROM log_table GROUP BY status ORDER BY status").fetchall()
    assert dict(rows)[200] == Counter(sample.column("status").tolist())[200]
    [(errors,)] = duckdb.sql("SELECT count(error) FROM log_table").fetchall()
    assert errors == 1


def test_methods_need_their_optional_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "polars", None)
    table = logs.parse_bytes(SMALL)
    with pytest.raises(ImportError, match="to_arrow.*pyarrow"):
        table.to_arrow()
    with pytest.raises(ImportError, match="pyarrow"):
        table.to_pandas()
    with pytest.raises(ImportError, match="polars"):
        table.to_polars()
    # The rest works without them.
    assert table.column("status").tolist()[0] == 200


# ------------------------------------------------------------------ the demo report


def test_access_report_example_agrees_with_a_reference() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "examples" / "python" / "access_report.py"), str(SAMPLE)],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    rows = reference_rows(SAMPLE.read_bytes())
    statuses = Counter(r["status"] for r in rows.values()) + Counter([200])  # line 8899 is a 200
    paths = Counter(r["path"] for r in rows.values() if r["path"] is not None)
    paths[b"/scripts/grok-py-test/configlib.py"] += 1
    sizes = sorted([r["bytes"] for r in rows.values() if r["bytes"] is not None] + [235])
    top = sorted(paths.items(), key=lambda item: (-item[1], item[0]))[:10]
    expected = [
        "requests: 10000 lines, 9999 ok, 1 errors, 0 skipped",
        "error lines:",
        f"  line 8899: UNTERMINATED_QUOTE at byte {logs.parse_file(SAMPLE).errors[0].offset}",
        "status:",
        *[f"  {s} {n:>7}" for s, n in sorted(statuses.items())],
        "top paths:",
        *[f"  {n:>7} {p.decode()}" for p, n in top],
        f"bytes served: {sum(sizes)}",
        f"response size p50: {sizes[math.ceil(0.5 * len(sizes)) - 1]} p99: {sizes[math.ceil(0.99 * len(sizes)) - 1]}",
    ]
    assert out[:-1] == expected
    assert re.fullmatch(r"parse: \d+\.\d MB/s \(\d+\.\d{3} s\)", out[-1])


def test_top_paths_example_counts_across_batches() -> None:
    def run(script: str, *args: str) -> list[str]:
        command = [sys.executable, str(REPO / "examples" / "python" / script), str(SAMPLE), *args]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()

    report = run("access_report.py")
    start = report.index("top paths:") + 1
    top = run("top_paths.py", "--batch-rows", "999")
    assert top[0] == "apache_combined.log: 10000 lines in 11 batches, 1498 distinct paths"
    assert top[1:] == report[start : start + 10]


def test_doc_examples_run() -> None:
    for module in (logs, ferrule):
        failures, tried = doctest.testmod(module, verbose=False)
        assert tried > 0 and failures == 0, module.__name__


def test_the_module_surface() -> None:
    assert ferrule.logs is logs
    for name in logs.__all__:
        assert hasattr(logs, name), name
    for obj in (logs.parse_file, logs.parse_bytes, logs.iter_batches, logs.LogTable, logs.LogFormat,
                logs.StreamParser, logs.LogError, logs.LogTable.column, logs.LogTable.to_arrow):  # fmt: skip
        assert obj.__doc__ and len(obj.__doc__) > 20, obj
    assert logs.LogTable.__module__ == "ferrule.logs"


def test_functions_pickle_by_name_for_multiprocessing() -> None:
    # ProcessPoolExecutor.submit(logs.parse_bytes, ...) pickles the function by its module and
    # name: it must come back as the same object.
    for function in (logs.parse_file, logs.parse_bytes, logs.iter_batches, logs.parse_structured_data):
        assert function.__module__ == "ferrule.logs", function
        assert pickle.loads(pickle.dumps(function)) is function
