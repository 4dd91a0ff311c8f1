"""The package surface: version, capabilities, re-exports."""

from __future__ import annotations

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


def test_max_isa_typo_is_an_error_not_a_silent_fallback(capabilities_with: Probe) -> None:
    err = capabilities_with("avx3")
    assert err["error"] == "InvalidArgumentError" and err["is_value_error"]
    assert err["code"] == "FERRULE_INVALID_ARGUMENT"
    assert "FERRULE_MAX_ISA" in err["message"] and "avx3" in err["message"]


def test_max_isa_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    before = ferrule.capabilities()
    monkeypatch.setenv("FERRULE_MAX_ISA", "scalar" if before["isa"] != "scalar" else "avx3")
    assert ferrule.capabilities() == before


def test_everything_is_reexported() -> None:
    for name in ferrule.__all__:
        assert hasattr(ferrule, name), name
    assert ferrule.FerruleError is ferrule.errors.FerruleError
