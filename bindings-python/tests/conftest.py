"""Shared fixtures of the Python test suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cargo_version() -> str:
    """The workspace version from Cargo.toml: THE version of every artifact."""
    with open(REPO / "Cargo.toml", "rb") as f:
        version: str = tomllib.load(f)["workspace"]["package"]["version"]
    return version


# Prints what capabilities() gives, or the exception it raises, as JSON; asks twice and runs a
# kernel, so that a warning printed more than once would show.
_PROBE = """
import json, ferrule
try:
    first = ferrule.capabilities()
    assert ferrule.capabilities() == first
    assert ferrule.vector.dot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == 32.0
    print(json.dumps({"ok": first}))
except ferrule.FerruleError as err:
    print(json.dumps({"error": type(err).__name__, "code": err.code, "message": str(err),
                      "is_value_error": isinstance(err, ValueError)}))
"""


@pytest.fixture
def capabilities_with() -> Callable[[str | None], dict[str, Any]]:
    """capabilities() in a fresh interpreter with FERRULE_MAX_ISA set (or unset, for None),
    plus what the interpreter wrote to stderr (under "stderr").

    A subprocess, because ferrule reads the variable once per process, at first use.
    """

    def probe(max_isa: str | None) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if k != "FERRULE_MAX_ISA"}
        if max_isa is not None:
            env["FERRULE_MAX_ISA"] = max_isa
        out = subprocess.run(
            [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
        )
        result: dict[str, Any] = json.loads(out.stdout)
        result["stderr"] = out.stderr
        return result

    return probe
