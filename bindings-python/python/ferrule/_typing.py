"""Types shared by the native module's stubs and the pure-Python part of the package."""

from __future__ import annotations

from typing import Literal, Protocol, TypedDict

class Capabilities(TypedDict):
    """What :func:`ferrule.capabilities` returns."""

    #: The SIMD level ferrule's kernels use (the names ``FERRULE_MAX_ISA`` accepts).
    isa: Literal["scalar", "avx2", "avx512", "neon"]
    #: The CPU features detected at run time (e.g. ``"avx2"``, ``"avx512f"``, ``"neon"``).
    features: list[str]


class ArrowArrayExportable(Protocol):
    """An Arrow array through the PyCapsule protocol (a pyarrow ``Array``, ...)."""

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...


class ArrowStreamExportable(Protocol):
    """Arrow data as a stream of arrays (a pyarrow ``ChunkedArray``, a polars ``Series``, ...)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
