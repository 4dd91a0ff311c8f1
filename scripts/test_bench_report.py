"""Tests for scripts/bench_report.py and the benchmark harnesses' JSON lines:
`.venv/bin/python -m pytest scripts/test_bench_report.py`.

The report is run as a user runs it (a child process) on a tiny synthetic JSON lines file, so
the exit status, the messages and the files written are what is checked.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench_report.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHARTS = [f"bench-{path}-{kind}.png" for path in ("pool", "vector", "logs") for kind in ("ratio", "throughput")]
MACHINE = {"date_utc": "2026-11-22T12:34:56Z", "cpu_model": "Test CPU", "logical_cores": 2, "ferrule_isa": "avx2"}


def row(name: str, median_s: float, ratio: float, **extra: Any) -> dict[str, Any]:
    return {"name": name, "median_s": median_s, "runs": [median_s] * 3, "ratio_vs_baseline": ratio, **extra}


def table(group: str, title: str, results: list[dict[str, Any]], *, runtime: str = "python", unit: str = "string",
          unit_count: int = 1000, nbytes: int | None = 30_000, basis: str = "wall",
          baseline: str = "ferrule") -> dict[str, Any]:  # fmt: skip
    script = f"bench_{group}.{'py' if runtime == 'python' else 'mjs'}"
    return {"runtime": runtime, "script": script, "group": group, "title": title, "baseline": baseline,
            "unit": unit, "unit_count": unit_count, "bytes": nbytes, "basis": basis, "results": results}  # fmt: skip


def synthetic() -> list[dict[str, Any]]:
    """One table or two per hot path, both runtimes, a CPU-time table with a contender on a
    smaller input, a case without bytes and a ferrule slower than its anchor."""
    logs_baseline = "ferrule parse_file -> pyarrow, threads=1"
    return [
        table("pool", "intern a list of 1,000 str", [
            row("ferrule", 50e-6, 1.0), row("dict loop", 150e-6, 3.0), row("pyarrow from list", 100e-6, 2.0)]),
        table("pool", "resolve 1,000 ids to strings (ns per id)", [
            row("ferrule", 20e-6, 1.0), row("JS array lookup (Map users)", 10e-6, 0.5)],
            runtime="node", unit="id", nbytes=None),
        table("vector", "dot, n = 1,536", [
            row("ferrule", 100e-9, 1.0), row("numpy", 1.2e-6, 12.0), row("simsimd 6.5", 150e-9, 1.5)],
            unit="call", unit_count=1, nbytes=12_288),
        table("logs", "access log (combined) -> typed columns: a.log (2.4 MB, 10,000 lines)", [
            row(logs_baseline, 0.02, 1.0, cpu_median_s=0.02, cpu_runs=[0.02] * 3),
            row("ferrule parse_file -> pyarrow, threads=2", 0.012, 1.1, cpu_median_s=0.022, cpu_runs=[0.022] * 3),
            row("apache-log-parser 1.7.0", 1.0, 100.0, cpu_median_s=1.0, cpu_runs=[1.0] * 3, bytes=500_000,
                unit_count=2_000)],
            unit="line", unit_count=10_000, nbytes=2_500_000, basis="cpu", baseline=logs_baseline),
        table("system_logs", "BSD syslog (syslog_rfc3164): s.log (2.0 MB, 8,000 lines)", [
            row(logs_baseline, 0.01, 1.0, cpu_median_s=0.01, cpu_runs=[0.01] * 3),
            row("re, one tuple of strings per line", 0.4, 40.0, cpu_median_s=0.4, cpu_runs=[0.4] * 3)],
            unit="line", unit_count=8_000, nbytes=2_000_000, basis="cpu", baseline=logs_baseline),
        table("call_overhead", "call overhead (100,000 calls)", [
            row("ferrule", 6.6e-3, 1.0), row("python function", 3.5e-3, 3.5 / 6.6)],
            unit="call", unit_count=100_000, nbytes=None),
    ]  # fmt: skip


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def render(tmp_path: Path, results: Path, *extra: str, machine: dict[str, Any] | None = None) -> subprocess.CompletedProcess[str]:
    machine_path = tmp_path / "machine.json"
    machine_path.write_text(json.dumps(MACHINE if machine is None else machine))
    return subprocess.run(
        [sys.executable, str(SCRIPT), "render", str(results), "--machine", str(machine_path),
         "--out-json", str(tmp_path / "out" / "results.json"), "--img", str(tmp_path / "img"), *extra],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# ------------------------------------------------------------------------------------ render


def test_render_writes_charts_json_and_markdown(tmp_path: Path) -> None:
    records = synthetic()
    results = write_jsonl(tmp_path / "r.jsonl", records)
    r = render(tmp_path, results, "--markdown", str(tmp_path / "out" / "tables.md"))
    assert r.returncode == 0, r.stdout + r.stderr

    assert sorted(p.name for p in (tmp_path / "img").iterdir()) == sorted(CHARTS)
    import matplotlib.image

    for name in CHARTS:
        path = tmp_path / "img" / name
        width, height = png_size(path)
        assert width == 1100 and 150 < height < 4000, (name, width, height)
        assert path.stat().st_size < 200_000, name
        pixels = matplotlib.image.imread(str(path))  # decodes: a valid PNG, not just a header
        assert pixels.shape[:2] == (height, width)

    combined = json.loads((tmp_path / "out" / "results.json").read_text())
    assert combined["machine"] == MACHINE
    assert combined["tables"] == records

    md = (tmp_path / "out" / "tables.md").read_text()
    assert "Machine: Test CPU, 2 logical CPUs, ferrule avx2; 2026-11-22 12:34 UTC." in md
    lines = md.splitlines()
    for expected in [
        "### python, `bench_pool.py`: intern a list of 1,000 str",
        "| contender | median / string | MB/s | time vs ferrule |",
        "| **ferrule** | 50.0 ns | 600 | 1.00x |",
        "| dict loop | 150.0 ns | 200 | 3.00x |",
        "| pyarrow from list | 100.0 ns | 300 | 2.00x |",
        # No bytes: million units per second.
        "| contender | median / id | M ids/s | time vs ferrule |",
        "| JS array lookup (Map users) | 10.0 ns | 100.0 | 0.50x |",
        "| numpy | 1,200.0 ns | 10,240 | 12.00x |",
        # CPU time: MB/s per core and wall; a contender on a smaller file says so.
        "| contender | median / line | MB/s per core | MB/s wall | "
        "time vs ferrule parse_file -> pyarrow, threads=1 (CPU time) |",
        "| **ferrule parse_file -> pyarrow, threads=1** | 2,000.0 ns | 125 | 125 | 1.00x |",
        "| ferrule parse_file -> pyarrow, threads=2 | 1,200.0 ns | 114 | 208 | 1.10x |",
        "| apache-log-parser 1.7.0 (on 0.5 MB) | 500.0 µs | 0.5 | 0.5 | 100.00x |",
        "| python function | 35.0 ns | 28.6 | 0.53x |",
    ]:
        assert expected in lines, f"missing {expected!r} in\n{md}"
    assert md.index("## pool") < md.index("## vector") < md.index("## logs") < md.index("## system_logs")


def test_render_is_deterministic(tmp_path: Path) -> None:
    results = write_jsonl(tmp_path / "r.jsonl", synthetic())
    assert render(tmp_path, results).returncode == 0
    first = {name: (tmp_path / "img" / name).read_bytes() for name in CHARTS}
    shutil.rmtree(tmp_path / "img")
    assert render(tmp_path, results).returncode == 0
    assert {name: (tmp_path / "img" / name).read_bytes() for name in CHARTS} == first


def test_render_skips_hot_paths_without_tables(tmp_path: Path) -> None:
    results = write_jsonl(tmp_path / "r.jsonl", [t for t in synthetic() if t["group"] == "pool"])
    r = render(tmp_path, results)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "img").iterdir()) == ["bench-pool-ratio.png", "bench-pool-throughput.png"]
    assert "no vector tables" in r.stderr and "no logs tables" in r.stderr


def broken(change: Any) -> list[Any]:
    records: list[Any] = synthetic()[:2]
    change(records)
    return records


def drop(key: str) -> Any:
    return lambda rs: rs[1].pop(key)


def setitem(key: str, value: Any) -> Any:
    return lambda rs: rs[1].__setitem__(key, value)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (None, "no results (did the benchmarks run with FERRULE_BENCH_JSON="),
        (broken(lambda rs: rs.append([1, 2])), "r.jsonl:3: expected a JSON object, got list"),
        (broken(drop("results")), "r.jsonl:2: missing field 'results'"),
        (broken(drop("bytes")), "r.jsonl:2: missing field 'bytes'"),
        (broken(setitem("results", [])), "r.jsonl:2: 'results' must be a non-empty list"),
        (broken(setitem("group", "strings")), "r.jsonl:2: 'group' is 'strings', expected one of pool, vector"),
        (broken(setitem("runtime", "ruby")), "r.jsonl:2: 'runtime' is 'ruby', expected one of python, node"),
        (broken(setitem("baseline", "nobody")), "r.jsonl:2: the baseline 'nobody' is not among the results"),
        (broken(setitem("unit_count", 0)), "r.jsonl:2: 'unit_count' must be a positive integer"),
        (broken(setitem("basis", "gpu")), "r.jsonl:2: 'basis' is 'gpu', expected 'wall' or 'cpu'"),
        (broken(lambda rs: rs[0]["results"][1].__setitem__("median_s", -1)),
         "r.jsonl:1: 'median_s' (results[1]) must be above 0"),
        (broken(lambda rs: rs[0]["results"][1].__setitem__("median_s", None)),
         "r.jsonl:1: 'median_s' (results[1]) must be a finite number"),
        (broken(lambda rs: rs[0]["results"][0].__setitem__("runs", [])),
         "r.jsonl:1: 'runs' (results[0]) must be a non-empty list"),
        (broken(lambda rs: rs[0]["results"][2].pop("ratio_vs_baseline")),
         "r.jsonl:1: missing field 'ratio_vs_baseline' (results[2])"),
        (broken(lambda rs: rs[0]["results"].append(rs[0]["results"][1])),
         "r.jsonl:1: contender(s) named twice: dict loop"),
        (broken(lambda rs: rs[0].__setitem__("basis", "cpu")),
         "r.jsonl:1: missing field 'cpu_median_s' (results[0])"),
    ],
)
def test_malformed_input_fails(tmp_path: Path, records: list[Any] | None, message: str) -> None:
    results = tmp_path / "r.jsonl"
    if records is None:
        results.write_text("\n  \n")
    else:
        write_jsonl(results, records)
    r = render(tmp_path, results)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stderr.startswith("bench_report: ") and message in r.stderr, r.stderr
    assert not (tmp_path / "img").exists() and not (tmp_path / "out").exists()


def test_invalid_json_line_fails(tmp_path: Path) -> None:
    results = tmp_path / "r.jsonl"
    results.write_text(json.dumps(synthetic()[0]) + "\n{\"runtime\": \n")
    r = render(tmp_path, results)
    assert r.returncode == 1
    assert f"{results}:2: not valid JSON" in r.stderr


def test_missing_inputs_fail(tmp_path: Path) -> None:
    r = render(tmp_path, tmp_path / "absent.jsonl")
    assert r.returncode == 1 and "absent.jsonl: cannot read it" in r.stderr
    results = write_jsonl(tmp_path / "r.jsonl", synthetic())
    r = render(tmp_path, results, machine=[])  # type: ignore[arg-type]
    assert r.returncode == 1 and "expected a JSON object" in r.stderr


# ------------------------------------------------------------------------------------ machine


def test_machine_describes_this_machine() -> None:
    r = subprocess.run([sys.executable, str(SCRIPT), "machine"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    for key in ("cpu_model", "logical_cores", "memory_bytes", "os", "kernel", "load_average_at_start", "python",
                "node", "rustc", "ferrule_version", "ferrule_isa", "date_utc"):  # fmt: skip
        assert key in info, key
    assert info["logical_cores"] >= 1 and len(info["load_average_at_start"]) == 3
    assert info["python"] == ".".join(map(str, sys.version_info[:3]))
    assert len(info["date_utc"]) == 20 and info["date_utc"].endswith("Z")


# ------------------------------------------------------------------------------------ harnesses


def python_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_harness", ROOT / "benches" / "python" / "harness.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_python_harness_writes_one_line_per_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    harness = python_harness()
    results = [harness.Result("ferrule", 2e-3, [2e-3, 3e-3, 1e-3]), harness.Result("dict loop", 6e-3, [6e-3] * 3)]
    monkeypatch.setattr(sys, "argv", [str(ROOT / "benches" / "python" / "bench_pool.py")])

    monkeypatch.delenv("FERRULE_BENCH_JSON", raising=False)
    harness.report("intern 1,000 str", results, unit_count=1000, unit="string", nbytes=30_000)
    assert not list(tmp_path.iterdir())

    sink = tmp_path / "sub" / "r.jsonl"
    monkeypatch.setenv("FERRULE_BENCH_JSON", str(sink))
    harness.report("intern 1,000 str", results, unit_count=1000, unit="string", nbytes=30_000)
    harness.report("call overhead", results)
    lines = sink.read_text().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first == {
        "runtime": "python", "script": "bench_pool.py", "group": "pool", "title": "intern 1,000 str",
        "baseline": "ferrule", "unit": "string", "unit_count": 1000, "bytes": 30_000, "basis": "wall",
        "results": [
            {"name": "ferrule", "median_s": 2e-3, "runs": [2e-3, 3e-3, 1e-3], "ratio_vs_baseline": 1.0},
            {"name": "dict loop", "median_s": 6e-3, "runs": [6e-3] * 3, "ratio_vs_baseline": pytest.approx(3.0)},
        ],
    }  # fmt: skip
    second = json.loads(lines[1])
    assert (second["unit"], second["unit_count"], second["bytes"]) == ("call", 1, None)
    # What the harness writes, the report reads.
    assert render(tmp_path, sink).returncode == 0


def test_python_harness_prints_the_same_table_with_the_sink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    harness = python_harness()
    results = [harness.Result("ferrule", 2e-3, [2e-3]), harness.Result("dict loop", 6e-3, [6e-3])]
    monkeypatch.delenv("FERRULE_BENCH_JSON", raising=False)
    harness.report("t", results, unit_count=1000)
    without = capsys.readouterr().out
    monkeypatch.setenv("FERRULE_BENCH_JSON", str(tmp_path / "r.jsonl"))
    harness.report("t", results, unit_count=1000)
    assert capsys.readouterr().out == without
    assert "dict loop                           6000.0 ns        3.00x" in without


def test_python_harness_cpu_basis_compares_per_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    harness = python_harness()
    sink = tmp_path / "r.jsonl"
    monkeypatch.setenv("FERRULE_BENCH_JSON", str(sink))
    results = [
        harness.Result("ferrule", 1.0, [1.0], cpu_median_s=2.0, cpu_runs=[2.0]),
        # A quarter of the input in the same CPU time: four times slower per byte.
        harness.Result("slow", 2.0, [2.0], cpu_median_s=2.0, cpu_runs=[2.0], nbytes=250, unit_count=25),
    ]
    harness.emit("logs", results, baseline="ferrule", unit="line", unit_count=100, nbytes=1000, basis="cpu",
                 group="system_logs", script="bench_system_logs.py")  # fmt: skip
    record = json.loads(sink.read_text())
    assert record["basis"] == "cpu" and record["group"] == "system_logs"
    slow = record["results"][1]
    assert slow["ratio_vs_baseline"] == pytest.approx(4.0)
    assert (slow["bytes"], slow["unit_count"], slow["cpu_median_s"]) == (250, 25, 2.0)
    assert render(tmp_path, sink).returncode == 0


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_harness_writes_the_same_shape(tmp_path: Path) -> None:
    sink = tmp_path / "r.jsonl"
    script = tmp_path / "bench_vector.mjs"
    harness = (ROOT / "benches" / "node" / "harness.mjs").as_uri()
    script.write_text(
        f"import {{ report }} from '{harness}'\n"
        "const results = [{ name: 'ferrule', medianS: 1e-6, runs: [1e-6, 2e-6] },"
        " { name: 'JS loop', medianS: 4e-6, runs: [4e-6, 4e-6] }]\n"
        "report('dot, n = 16', results, { bytes: 128 })\n"
        "report('dot, n = 16 again', results)\n"
    )
    done = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=60,
                          env={"PATH": str(Path(shutil.which("node") or "node").parent), "FERRULE_BENCH_JSON": str(sink)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "JS loop" in done.stdout
    first, second = (json.loads(line) for line in sink.read_text().splitlines())
    assert first == {
        "runtime": "node", "script": "bench_vector.mjs", "group": "vector", "title": "dot, n = 16",
        "baseline": "ferrule", "unit": "call", "unit_count": 1, "bytes": 128, "basis": "wall",
        "results": [
            {"name": "ferrule", "median_s": 1e-6, "runs": [1e-6, 2e-6], "ratio_vs_baseline": 1},
            {"name": "JS loop", "median_s": 4e-6, "runs": [4e-6, 4e-6], "ratio_vs_baseline": 4},
        ],
    }  # fmt: skip
    assert second["bytes"] is None
    assert render(tmp_path, sink).returncode == 0
