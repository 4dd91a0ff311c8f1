#!/usr/bin/env python3
"""Run every fenced code block of the docs, so that a doc that no longer matches the code fails.

Usage: python3 scripts/check_docs.py [--python PY] [--build DIR] [--jobs N] [--list] [FILES...]

FILES default to README.md and docs/*.md. Each fenced block (``` or ~~~, any indentation) is
handled by the first word of its info string:

  python  a script run by PY (default .venv/bin/python); must check its results with assert
  js      an ES module run by node as .mjs; must use assert
  cjs     a CommonJS script run by node as .cjs; must use assert
  ts      type-checked with the repo's tsc (--strict --noEmit, nodenext), not run
  c       compiled as C11 with -Wall -Wextra -Werror -pedantic, linked statically against
          DIR/lib/libferrule.a, run; exit status 0 required
  cpp     the same as C++17

Every other block (and any block that should not run) needs, on the line right before its
opening fence, a comment `<!-- not run: REASON -->`; REASON `mirrored by X` must name an existing
path or Makefile target, and `output of the block above` must follow another block.

Blocks run with the repository root as cwd; their files live in a temporary directory whose
node_modules/ferrule links to the repository, so `import ... from 'ferrule'` finds this checkout.
One line per block (`ok`, `FAIL` with the trimmed output, `skip` for not-run blocks), then
`N passed, M failed`; not-run blocks count as neither. Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 60.0
# The convention's budget for a python block; exceeding it is reported, not failed, because
# timings on a loaded machine are not a reliable test.
PYTHON_BUDGET_S = 5.0
RUNNABLE = ("python", "js", "cjs", "ts", "c", "cpp")
C_FLAGS = ["-Wall", "-Wextra", "-Werror", "-pedantic"]
C_LIBS = ["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl"]
TSC_FLAGS = [
    "--strict", "--noEmit", "--module", "nodenext", "--moduleResolution", "nodenext",
    "--target", "es2022", "--types", "node",
    # Each block is its own module even without import/export, so batched blocks cannot
    # collide through the global scope.
    "--moduleDetection", "force",
]
OUTPUT_LINES = 40
OUTPUT_CHARS = 4000

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
NOT_RUN_RE = re.compile(r"^\s*<!--\s*not run:\s*(?P<reason>.*?)\s*-->\s*$")


@dataclass
class Block:
    path: Path
    display: str  # the path as printed
    line: int  # 1-based line of the opening fence
    lang: str  # first word of the info string, lower case ("" if none)
    code: str
    comment: str | None  # the reason of a `<!-- not run: ... -->` right before the fence
    problem: str | None = None  # why the block is malformed (its fence is never closed)

    @property
    def where(self) -> str:
        return f"{self.display}:{self.line}"

    @property
    def label(self) -> str:
        return self.lang or "(no info string)"


@dataclass
class Result:
    status: str  # "ok", "FAIL" or "skip"
    detail: str = ""
    notes: list[str] = field(default_factory=list)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def extract_blocks(path: Path) -> list[Block]:
    """The fenced blocks of a markdown file, in order.

    An opening fence is 3+ backticks or tildes at any indentation (blocks inside list items are
    indented); it closes at a line holding only the same character, at least as many times, so a
    ```` fence can show a ``` block and a ~~~ fence can hold backticks. The opening fence's
    indentation is removed from the content lines (no more than each line has).
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    display = display_path(path)
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m or (m.group("fence")[0] == "`" and "`" in m.group("info")):
            # A backtick fence's info string may not contain backticks (that is inline code).
            i += 1
            continue
        indent = len(m.group("indent").expandtabs(4))
        fence = m.group("fence")
        info = m.group("info").strip()
        lang = info.split()[0].strip("{}.").lower() if info else ""
        comment = None
        if i > 0:
            c = NOT_RUN_RE.match(lines[i - 1])
            if c:
                comment = c.group("reason")
        start = i
        body: list[str] = []
        closed = False
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                closed = True
                break
            body.append(dedent_line(lines[i], indent))
            i += 1
        block = Block(path, display, start + 1, lang, "\n".join(body) + "\n", comment)
        if not closed:
            block.problem = f"the fence opened here ({fence}) is never closed"
        blocks.append(block)
        i += 1
    return blocks


def dedent_line(line: str, indent: int) -> str:
    expanded = line.expandtabs(4)
    n = len(expanded) - len(expanded.lstrip(" "))
    return expanded[min(n, indent):]


def makefile_targets() -> set[str]:
    targets: set[str] = set()
    makefile = ROOT / "Makefile"
    if makefile.exists():
        for line in makefile.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^([A-Za-z0-9_./%$()-][A-Za-z0-9_./%$() -]*?)\s*::?(?!=)", line)
            if m:
                targets.update(m.group(1).split())
    return targets


def check_comment(block: Block, previous: Block | None, targets: set[str]) -> str | None:
    """Why a not-run comment is invalid, or None."""
    reason = block.comment or ""
    if not reason:
        return "the `<!-- not run: ... -->` comment gives no reason"
    if reason.startswith("mirrored by"):
        what = reason[len("mirrored by"):].strip().strip("`")
        if not what:
            return "`mirrored by` names nothing"
        if what.startswith("make "):
            missing = [t for t in what.split()[1:] if t not in targets and "=" not in t]
            if missing:
                return f"`{what}`: no such Makefile target: {', '.join(missing)}"
            return None
        if (ROOT / what).exists() or what in targets:
            return None
        return f"`mirrored by {what}`: no such path or Makefile target"
    if reason == "output of the block above" and previous is None:
        return "`output of the block above`, but no block comes before it in this file"
    return None


def has_assert(block: Block) -> bool:
    if block.lang == "python":
        try:
            tree = ast.parse(block.code)
        except SyntaxError:
            return True  # running it reports the syntax error
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                return True
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if name.startswith("assert"):
                    return True
        return False
    return re.search(r"\bassert\b", block.code) is not None


def trim(text: str) -> str:
    text = text.strip("\n")
    lines = text.splitlines()
    if len(lines) > OUTPUT_LINES:
        lines = [f"... ({len(lines) - OUTPUT_LINES} lines cut)"] + lines[-OUTPUT_LINES:]
    text = "\n".join(lines)
    if len(text) > OUTPUT_CHARS:
        text = "... (cut)\n" + text[-OUTPUT_CHARS:]
    return text


def relocate(text: str, src: Path, block: Block) -> str:
    """Point messages about the temporary source file at the markdown line instead."""
    pattern = re.compile(
        r'(?:file://)?(?:' + re.escape(str(src.parent)) + r'/)?' + re.escape(src.name)
        + r'(?:", line (?P<py>\d+)|:(?P<c>\d+)|\((?P<ts>\d+),(?P<col>\d+)\))?'
    )

    def repl(m: re.Match[str]) -> str:
        n = m.group("py") or m.group("c") or m.group("ts")
        if n is None:
            return block.display
        where = f"{block.display}:{block.line + int(n)}"
        if m.group("py"):
            return f'{block.display}", line {block.line + int(n)}'
        return where + (f":{m.group('col')}" if m.group("col") else "")

    return pattern.sub(repl, text)


# Blocks run in sessions of their own (so a timeout can kill a block's children too), which
# also shields them from a Ctrl-C or SIGTERM aimed at the runner: the runner kills them itself.
_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


def _stop(signum: int, frame: object) -> None:
    _stopping.set()
    with _live_lock:
        for proc in _live:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    raise SystemExit(128 + signum)


def run(cmd: list[str], cwd: Path, timeout: float = TIMEOUT_S) -> tuple[int | None, str, float]:
    """Run cmd; (exit status or None on timeout, stdout+stderr, seconds)."""
    t0 = time.monotonic()
    with _live_lock:
        if _stopping.is_set():
            return -signal.SIGKILL, "stopped", 0.0
        try:
            proc = subprocess.Popen(
                cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        except OSError as exc:  # the interpreter or compiler is missing
            return 127, f"cannot run {cmd[0]}: {exc.strerror}", time.monotonic() - t0
        _live.add(proc)
    try:
        out, _ = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        # The block's own children (a node worker, a forked process) go too.
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        code = None
    finally:
        with _live_lock:
            _live.discard(proc)
    return code, out.decode("utf-8", "replace"), time.monotonic() - t0


def describe_exit(code: int | None, what: str, timeout: float = TIMEOUT_S) -> str:
    if code is None:
        return f"{what} timed out after {timeout:.0f} s"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"{what} was killed by signal {name}"
    return f"{what} exited with status {code}"


class Runner:
    def __init__(self, python: str, build: Path, workdir: Path) -> None:
        self.python = python
        self.build = build
        self.workdir = workdir
        # js, cjs and ts files resolve 'ferrule' to this checkout through this link; tsc finds
        # @types/node the same way. The package.json makes .ts blocks ES modules, like js ones.
        modules = workdir / "node_modules"
        modules.mkdir()
        (modules / "ferrule").symlink_to(ROOT, target_is_directory=True)
        if (ROOT / "node_modules" / "@types").is_dir():
            (modules / "@types").symlink_to(ROOT / "node_modules" / "@types", target_is_directory=True)
        (workdir / "package.json").write_text('{"type": "module", "private": true}\n')

    def source(self, block: Block, n: int, ext: str) -> Path:
        stem = re.sub(r"[^A-Za-z0-9]+", "_", block.display).strip("_")
        path = self.workdir / f"{stem}_{block.line}_{n}{ext}"
        path.write_text(block.code, encoding="utf-8")
        return path

    def run_block(self, block: Block, n: int) -> Result:
        if block.lang in ("python", "js", "cjs") and not has_assert(block):
            return Result("FAIL", "the block checks nothing: a runnable block must use assert")
        if block.lang == "python":
            src = self.source(block, n, ".py")
            code, out, secs = run([self.python, str(src)], ROOT)
            result = self.finish(code, relocate(out, src, block), "python")
            if code == 0 and secs > PYTHON_BUDGET_S:
                result.notes.append(f"slow: {secs:.1f} s (the convention asks for under "
                                    f"{PYTHON_BUDGET_S:.0f} s)")
            return result
        if block.lang in ("js", "cjs"):
            src = self.source(block, n, ".mjs" if block.lang == "js" else ".cjs")
            code, out, _ = run(["node", str(src)], ROOT)
            return self.finish(code, relocate(out, src, block), "node")
        if block.lang in ("c", "cpp"):
            return self.run_native(block, n)
        raise AssertionError(block.lang)

    def finish(self, code: int | None, out: str, what: str) -> Result:
        if code == 0:
            return Result("ok")
        return Result("FAIL", trim(out + "\n" + describe_exit(code, what)))

    def run_native(self, block: Block, n: int) -> Result:
        cxx = block.lang == "cpp"
        src = self.source(block, n, ".cpp" if cxx else ".c")
        exe = src.with_suffix("")
        lib = self.build / "lib" / "libferrule.a"
        if not lib.exists():
            return Result("FAIL", f"{lib} does not exist (make build-c)")
        compiler = os.environ.get("CXX" if cxx else "CC", "c++" if cxx else "cc")
        std = "-std=c++17" if cxx else "-std=c11"
        cmd = [compiler, std, *C_FLAGS, "-I", str(ROOT / "include"), str(src), str(lib), *C_LIBS,
               "-o", str(exe)]
        code, out, _ = run(cmd, self.workdir)
        if code != 0:
            out = relocate(out, src, block)
            return Result("FAIL", trim(out + "\n" + describe_exit(code, "the compiler")))
        code, out, _ = run([str(exe)], ROOT)
        return self.finish(code, relocate(out, src, block), "the program")

    def run_ts(self, blocks: list[tuple[Block, int]]) -> dict[int, Result]:
        """Type-check every ts block in one tsc call; errors are mapped back by file name."""
        tsc = ROOT / "node_modules" / ".bin" / "tsc"
        if not tsc.exists():
            return {n: Result("FAIL", f"{tsc} does not exist (npm install)") for _, n in blocks}
        sources = {n: self.source(b, n, ".ts") for b, n in blocks}
        files = {src.name: n for n, src in sources.items()}
        by_n = {n: b for b, n in blocks}
        # One call for all the blocks: tsc's start-up (loading the Node types) dominates.
        timeout = TIMEOUT_S * 2
        code, out, _ = run([str(tsc), *TSC_FLAGS, *files], self.workdir, timeout=timeout)
        per_file: dict[int, list[str]] = {n: [] for n in files.values()}
        other: list[str] = []
        current: int | None = None
        for line in out.splitlines():
            name = line.split("(", 1)[0]
            if name in files:
                current = files[name]
                per_file[current].append(line)
            elif line.startswith(" ") and current is not None:
                per_file[current].append(line)  # a continuation of the previous message
            elif line.strip():
                current = None
                other.append(line)
        results = {}
        for n, errors in per_file.items():
            if errors:
                results[n] = Result("FAIL", trim(relocate("\n".join(errors), sources[n], by_n[n])))
            elif code != 0 and (other or code is None):
                # tsc failed without naming a block (a bad flag, the package's own types).
                results[n] = Result("FAIL", trim("\n".join(other) + "\n" + describe_exit(code, "tsc", timeout)))
            else:
                results[n] = Result("ok")
        return results


def classify(blocks: list[Block], targets: set[str]) -> list[tuple[Block, Result | None]]:
    """Blocks that need no running get their result now; runnable ones get None."""
    out: list[tuple[Block, Result | None]] = []
    previous: Block | None = None
    for block in blocks:
        if block.problem:
            out.append((block, Result("FAIL", block.problem)))
        elif block.comment is not None:
            problem = check_comment(block, previous, targets)
            if problem:
                out.append((block, Result("FAIL", problem)))
            else:
                out.append((block, Result("skip", f"not run: {block.comment}")))
        elif block.lang in RUNNABLE:
            out.append((block, None))
        else:
            out.append((block, Result(
                "FAIL",
                f"`{block.label}` blocks are not run: the line right before the fence must say why, "
                "as `<!-- not run: mirrored by <path or make target> -->`, "
                "`<!-- not run: output of the block above -->` or `<!-- not run: <reason> -->`",
            )))
        previous = block
    return out


def print_result(block: Block, result: Result) -> None:
    head = {"ok": "ok  ", "FAIL": "FAIL", "skip": "skip"}[result.status]
    line = f"{head} {block.where} {block.label}"
    if result.status == "skip":
        line += f" ({result.detail})"
    print(line, flush=True)
    if result.status == "FAIL" and result.detail:
        print("\n".join("    " + x for x in result.detail.splitlines()), flush=True)
    for note in result.notes:
        print("    " + note, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, metavar="FILES")
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"),
                        help="interpreter for python blocks (default: .venv/bin/python)")
    parser.add_argument("--build", type=Path, default=ROOT / "build",
                        help="the build dir holding lib/libferrule.a (default: build)")
    parser.add_argument("--jobs", "-j", type=int, default=2,
                        help="blocks run at once (default 2: the CPUs are shared)")
    parser.add_argument("--list", action="store_true", help="list the blocks found and exit")
    args = parser.parse_args(argv)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `check_docs.py | head` ends quietly
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)  # kill the running blocks, remove the temporary directory

    files = args.files or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"check_docs: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    build = args.build.resolve()

    blocks = [b for f in files for b in extract_blocks(f)]
    targets = makefile_targets()
    classified = classify(blocks, targets)

    if args.list:
        for block, result in classified:
            if result is None:
                state = "run" if block.lang != "ts" else "type-checked"
            elif result.status == "skip":
                state = result.detail
            else:
                state = "INVALID: " + result.detail.splitlines()[0]
            print(f"{block.where} {block.label}: {state}")
        return 0

    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="check_docs_") as tmp:
        runner = Runner(args.python, build, Path(tmp))
        ts_blocks = [(b, n) for n, (b, r) in enumerate(classified) if r is None and b.lang == "ts"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures: dict[int, concurrent.futures.Future[Result]] = {}
            ts_future = pool.submit(runner.run_ts, ts_blocks) if ts_blocks else None
            for n, (block, result) in enumerate(classified):
                if result is None and block.lang != "ts":
                    futures[n] = pool.submit(runner.run_block, block, n)
            for n, (block, result) in enumerate(classified):
                if result is None:
                    try:
                        if block.lang == "ts":
                            assert ts_future is not None
                            result = ts_future.result()[n]
                        else:
                            result = futures[n].result()
                    except Exception as exc:  # a runner bug must show as a failure, not a crash
                        result = Result("FAIL", f"check_docs error: {exc!r}")
                print_result(block, result)
                if result.status == "ok":
                    passed += 1
                elif result.status == "FAIL":
                    failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
