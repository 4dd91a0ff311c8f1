"""Shared fixtures of the Python test suite."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cargo_version() -> str:
    """The workspace version from Cargo.toml: THE version of every artifact."""
    with open(REPO / "Cargo.toml", "rb") as f:
        version: str = tomllib.load(f)["workspace"]["package"]["version"]
    return version


@pytest.fixture
def max_isa(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Sets FERRULE_MAX_ISA for one test (os.environ writes reach the native getenv)."""

    def set_cap(value: str) -> None:
        monkeypatch.setenv("FERRULE_MAX_ISA", value)

    monkeypatch.delenv("FERRULE_MAX_ISA", raising=False)
    return set_cap
