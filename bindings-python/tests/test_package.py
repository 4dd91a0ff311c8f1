"""The package surface: version, capabilities, re-exports."""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import Any

import ferrule
import ferrule._ferrule as native
import pytest

KNOWN_FEATURES = {
    "sse4.2", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_bf16",
    "avx512_fp16", "neon", "dotprod", "fp16", "sve",
}  # fmt: skip


def test_version_is_the_cargo_version(cargo_version: str) -> None:
    assert ferrule.__version__ == cargo_version
    assert ferrule.version() == cargo_version
    assert native.__version__ == cargo_version


def test_capabilities_shape() -> None:
    caps = ferrule.capabilities()
    assert set(caps) == {"isa", "features"}
    assert caps["isa"] in {"scalar", "avx2", "avx512", "neon"}
    assert isinstance(caps["features"], list)
    assert set(caps["features"]) <= KNOWN_FEATURES
    if caps["isa"] in {"avx2", "avx512"}:
        assert {"avx2", "fma"} <= set(caps["features"])
    if caps["isa"] == "avx512":
        assert {"avx512f", "avx512bw", "avx512vl"} <= set(caps["features"])
    assert ferrule.capabilities() == caps, "selected once per process"


Probe = Callable[[str | None], dict[str, Any]]


def test_max_isa_caps_the_level(capabilities_with: Probe) -> None:
    best = capabilities_with(None)["ok"]
    capped = capabilities_with("scalar")["ok"]
    assert capped["isa"] == "scalar"
    assert capped["features"] == best["features"], "the cap changes the level, not the detection"
    assert capabilities_with(" SCALAR ")["ok"]["isa"] == "scalar"
    assert capabilities_with("avx512")["ok"]["isa"] == best["isa"], "a cap above the CPU is a no-op"


@pytest.mark.parametrize("value", ["avx3", "garbage", "neon" if platform.machine() == "x86_64" else "avx2"])
def test_max_isa_garbage_falls_back_and_warns_once(capabilities_with: Probe, value: str) -> None:
    unset = capabilities_with(None)
    assert unset["stderr"] == ""
    bad = capabilities_with(value)
    assert bad["ok"] == unset["ok"], "the level of an unset variable"
    lines = bad["stderr"].splitlines()
    assert len(lines) == 1, bad["stderr"]
    assert lines[0].startswith("ferrule: warning: FERRULE_MAX_ISA"), lines[0]
    assert value in lines[0] and lines[0].endswith(f"ignored, using {unset['ok']['isa']}")


def test_max_isa_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    before = ferrule.capabilities()
    monkeypatch.setenv("FERRULE_MAX_ISA", "scalar" if before["isa"] != "scalar" else "avx2")
    assert ferrule.capabilities() == before


def test_everything_is_reexported() -> None:
    for name in ferrule.__all__:
        assert hasattr(ferrule, name), name
    assert ferrule.FerruleError is ferrule.errors.FerruleError
