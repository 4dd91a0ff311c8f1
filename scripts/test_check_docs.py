"""Tests for scripts/check_docs.py: `.venv/bin/python -m pytest scripts/test_check_docs.py`.

Each test writes a small markdown file and runs the runner on it as a user would (a child
process), so the exit status and the printed lines are what is checked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "check_docs.py"
FENCE = "```"


def check(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--python", sys.executable, *args, str(doc)],
        capture_output=True, text=True, timeout=120,
    )


def block(lang: str, code: str, fence: str = FENCE) -> str:
    return f"{fence}{lang}\n{code}\n{fence}\n"


def last_line(out: str) -> str:
    return out.rstrip("\n").splitlines()[-1]


def test_passing_python_block(tmp_path: Path) -> None:
    r = check(tmp_path, "# t\n\n" + block("python", "assert 1 + 1 == 2\nprint('hi')"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[0] == f"ok   {tmp_path / 'doc.md'}:3 python"
    assert last_line(r.stdout) == "1 passed, 0 failed"


def test_failing_assert_fails_with_its_message_and_markdown_line(tmp_path: Path) -> None:
    text = "intro\n\n" + block("python", "x = 2\nassert x == 3, 'x is not three'")
    r = check(tmp_path, text)
    assert r.returncode == 1
    assert r.stdout.startswith(f"FAIL {tmp_path / 'doc.md'}:3 python\n")
    assert "x is not three" in r.stdout
    # The traceback names the markdown line of the assert (fence on 3, assert on 5).
    assert 'doc.md", line 5' in r.stdout
    assert last_line(r.stdout) == "0 passed, 1 failed"


def test_block_that_asserts_nothing_fails(tmp_path: Path) -> None:
    r = check(tmp_path, block("python", "print('no check')"))
    assert r.returncode == 1
    assert "checks nothing" in r.stdout
    assert last_line(r.stdout) == "0 passed, 1 failed"


def test_block_without_comment_fails(tmp_path: Path) -> None:
    r = check(tmp_path, "text\n" + block("sh", "make demo") + "\n" + block("", "plain"))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"FAIL {tmp_path / 'doc.md'}:2 sh"
    assert "not run" in lines[1]
    assert f"FAIL {tmp_path / 'doc.md'}:6 (no info string)" in lines
    assert last_line(r.stdout) == "0 passed, 2 failed"


def test_comment_must_be_on_the_line_right_before_the_fence(tmp_path: Path) -> None:
    r = check(tmp_path, "<!-- not run: a reason -->\n\n" + block("sh", "ls"))
    assert r.returncode == 1
    assert last_line(r.stdout) == "0 passed, 1 failed"


def test_valid_not_run_blocks_count_as_neither(tmp_path: Path) -> None:
    text = (
        "<!-- not run: mirrored by make test -->\n" + block("sh", "make test")
        + "<!-- not run: output of the block above -->\n" + block("text", "all good")
        + "<!-- not run: mirrored by scripts/check_docs.py -->\n" + block("sh", "python3 x")
        + "<!-- not run: needs a network -->\n" + block("python", "import urllib")
        + block("python", "assert True")
    )
    r = check(tmp_path, text)
    assert r.returncode == 0, r.stdout
    skips = [x for x in r.stdout.splitlines() if x.startswith("skip ")]
    assert len(skips) == 4
    assert skips[0] == f"skip {tmp_path / 'doc.md'}:2 sh (not run: mirrored by make test)"
    assert last_line(r.stdout) == "1 passed, 0 failed"


@pytest.mark.parametrize("comment", [
    "<!-- not run: mirrored by make no-such-target -->",
    "<!-- not run: mirrored by no/such/file.sh -->",
    "<!-- not run: -->",
])
def test_comment_naming_nothing_real_fails(tmp_path: Path, comment: str) -> None:
    r = check(tmp_path, comment + "\n" + block("sh", "x"))
    assert r.returncode == 1
    assert last_line(r.stdout) == "0 passed, 1 failed"


def test_output_of_the_block_above_needs_a_block_above(tmp_path: Path) -> None:
    r = check(tmp_path, "<!-- not run: output of the block above -->\n" + block("text", "x"))
    assert r.returncode == 1


def test_count_line_mixes_passes_and_failures(tmp_path: Path) -> None:
    text = (
        block("python", "assert 2 > 1") + block("python", "assert 2 < 1")
        + block("python", "import sys\nassert sys.argv\nraise SystemExit(3)")
        + block("python", "assert [1]")
    )
    r = check(tmp_path, text)
    assert r.returncode == 1
    statuses = [x.split()[0] for x in r.stdout.splitlines() if x.startswith(("ok ", "FAIL "))]
    assert statuses == ["ok", "FAIL", "FAIL", "ok"]  # document order, whatever ran first
    assert "status 3" in r.stdout
    assert last_line(r.stdout) == "2 passed, 2 failed"


def test_nested_and_indented_fences(tmp_path: Path) -> None:
    text = (
        "````markdown\n" + block("python", "this is not run") + "````\n"
        "- a list item\n\n" + "".join("  " + x + "\n" for x in block("python", "assert 'x'").splitlines())
        + "~~~python\nassert '```' == '`' * 3\n~~~\n"
    )
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    listed = subprocess.run([sys.executable, str(SCRIPT), "--list", str(doc)],
                            capture_output=True, text=True, timeout=60)
    assert [x.split(":")[1].split()[:2] for x in listed.stdout.splitlines()] == [
        ["1", "markdown"], ["8", "python"], ["11", "python"]]
    r = check(tmp_path, text)
    # The outer ```` block is markdown without a comment; the inner ``` lines are its content.
    assert last_line(r.stdout) == "2 passed, 1 failed"


def test_unclosed_fence_fails(tmp_path: Path) -> None:
    r = check(tmp_path, "```python\nassert True\n")
    assert r.returncode == 1
    assert "never closed" in r.stdout


def test_timeout_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import check_docs
    finally:
        sys.path.pop(0)
    code, _, _ = check_docs.run([sys.executable, "-c", "import time; time.sleep(30)"],
                                tmp_path, timeout=0.5)
    assert code is None
    assert "timed out" in check_docs.describe_exit(None, "python")
