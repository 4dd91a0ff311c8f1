#!/usr/bin/env python3
"""Checks that every artifact states the one version of the Cargo workspace.

ferrule has one version (`[workspace.package] version` in Cargo.toml). The Python wheel takes it
from Cargo through maturin, the C header from cbindgen's build script, and the pkg-config and
CMake files from the Makefile; package.json, its lockfile, the napi loader and the changelog are
written by hand or by tools that can drift. A release that bumps one and forgets another ships
a package that lies about what it is, so `make test` runs this and fails on any disagreement.

    python3 scripts/check_versions.py [--python PY] [--node NODE] [--prefix DIR]

--python / --node also ask the built extension and addon for their version at run time;
--prefix checks the pkg-config and CMake files `make install PREFIX=DIR` wrote.
Prints a line per check and "N passed, N failed"; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def workspace_version() -> str:
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    return cargo["workspace"]["package"]["version"]


def header_version() -> str:
    header = (ROOT / "include" / "ferrule.h").read_text()
    parts = []
    for name in ("MAJOR", "MINOR", "PATCH"):
        match = re.search(rf"^#define FERRULE_VERSION_{name} (\d+)$", header, re.M)
        parts.append(match.group(1) if match else "?")
    return ".".join(parts)


def cargo_members() -> list[tuple[str, object]]:
    """(member, its `package.version` entry): each must inherit the workspace's."""
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    found = []
    for member in cargo["workspace"]["members"]:
        manifest = tomllib.loads((ROOT / member / "Cargo.toml").read_text())
        found.append((member, manifest["package"].get("version")))
    return found


def napi_loader_versions() -> set[str]:
    """The versions the generated napi loader (bindings-node/index.js) expects of its binary."""
    loader = (ROOT / "bindings-node" / "index.js").read_text()
    return set(re.findall(r"bindingPackageVersion !== '([^']+)'", loader))


def changelog_versions() -> list[str]:
    """Released versions in CHANGELOG.md, newest first (`## [X.Y.Z] - date` headings)."""
    text = (ROOT / "CHANGELOG.md").read_text()
    return re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", text, re.M)


def run(command: list[str]) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="a Python that imports the built ferrule")
    parser.add_argument("--node", help="node, to ask the built addon")
    parser.add_argument("--prefix", help="a `make install` prefix to check")
    args = parser.parse_args()

    version = workspace_version()
    checks: list[tuple[str, object]] = []

    def expect(what: str, found: object) -> None:
        checks.append((what, found))

    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    core_dep = cargo["workspace"]["dependencies"]["ferrule-core"]["version"]
    expect("Cargo.toml [workspace.dependencies] ferrule-core", core_dep.removeprefix("="))
    for member, entry in cargo_members():
        expect(f"{member}/Cargo.toml inherits the version", version if entry == {"workspace": True} else entry)
    package = json.loads((ROOT / "package.json").read_text())
    expect("package.json", package["version"])
    lock = json.loads((ROOT / "package-lock.json").read_text())
    expect("package-lock.json", lock.get("version"))
    expect('package-lock.json packages[""]', lock["packages"][""].get("version"))
    for platform in sorted((ROOT / "npm").glob("*/package.json")):
        # The per-platform packages of the napi publishing flow (`napi create-npm-dirs`).
        expect(f"{platform.relative_to(ROOT)}", json.loads(platform.read_text())["version"])
    loader = napi_loader_versions()
    expect("bindings-node/index.js (napi loader)", loader.pop() if len(loader) == 1 else sorted(loader))
    expect("include/ferrule.h FERRULE_VERSION_*", header_version())
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    # The wheel's version must come from Cargo (maturin reads it when it is dynamic).
    dynamic = "version" in pyproject["project"].get("dynamic", []) and "version" not in pyproject["project"]
    expect("pyproject.toml takes the version from Cargo", version if dynamic else pyproject["project"].get("version"))
    released = changelog_versions()
    expect("CHANGELOG.md newest release", released[0] if released else None)

    if args.python:
        expect("ferrule.__version__ (Python)", run([args.python, "-c", "import ferrule; print(ferrule.__version__)"]))
    if args.node:
        expect("version() (Node)", run([args.node, "-p", "require('./bindings-node/ferrule.js').version()"]))
    if args.prefix:
        prefix = Path(args.prefix)
        pc = (prefix / "lib" / "pkgconfig" / "ferrule.pc").read_text()
        match = re.search(r"^Version: (.*)$", pc, re.M)
        expect("installed ferrule.pc", match.group(1) if match else None)
        cmake = (prefix / "lib" / "cmake" / "ferrule" / "ferrule-config-version.cmake").read_text()
        match = re.search(r'set\(PACKAGE_VERSION "([^"]*)"\)', cmake)
        expect("installed ferrule-config-version.cmake", match.group(1) if match else None)

    failed = 0
    for what, found in checks:
        ok = found == version
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}: {found}" + ("" if ok else f" (the workspace says {version})"))
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
