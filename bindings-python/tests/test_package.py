"""The package surface: version, capabilities, re-exports."""

from __future__ import annotations

from collections.abc import Callable

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


def test_capabilities_shape(max_isa: Callable[[str], None]) -> None:
    caps = ferrule.capabilities()
    assert set(caps) == {"isa", "features"}
    assert caps["isa"] in {"scalar", "avx2", "avx512", "neon"}
    assert isinstance(caps["features"], list)
    assert set(caps["features"]) <= KNOWN_FEATURES
    if caps["isa"] in {"avx2", "avx512"}:
        assert {"avx2", "fma"} <= set(caps["features"])
    if caps["isa"] == "avx512":
        assert {"avx512f", "avx512bw", "avx512vl"} <= set(caps["features"])


def test_max_isa_caps_the_level(max_isa: Callable[[str], None]) -> None:
    best = ferrule.capabilities()
    max_isa("scalar")
    capped = ferrule.capabilities()
    assert capped["isa"] == "scalar"
    assert capped["features"] == best["features"], "the cap changes the level, not the detection"
    max_isa(" SCALAR ")
    assert ferrule.capabilities()["isa"] == "scalar"


def test_max_isa_typo_is_an_error_not_a_silent_fallback(max_isa: Callable[[str], None]) -> None:
    max_isa("avx3")
    with pytest.raises(ferrule.InvalidArgumentError) as info:
        ferrule.capabilities()
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, ferrule.FerruleError)
    assert err.code == "FERRULE_INVALID_ARGUMENT"
    assert "FERRULE_MAX_ISA" in str(err) and "avx3" in str(err)
    assert err.line is None and err.offset is None


def test_everything_is_reexported() -> None:
    for name in ferrule.__all__:
        assert hasattr(ferrule, name), name
    assert ferrule.FerruleError is ferrule.errors.FerruleError
