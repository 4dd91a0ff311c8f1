"""Type stubs of the native module ``ferrule._ferrule`` (checked by ``mypy.stubtest``)."""

from typing import NoReturn

from ferrule._typing import Capabilities

__all__ = ["__version__", "version", "capabilities", "_debug_raise", "_debug_panic"]
__version__: str

def version() -> str:
    """ferrule's version, e.g. ``"0.1.0"``."""

def capabilities() -> Capabilities:
    """The CPU features detected at run time and the SIMD level ferrule uses.

    The level can be capped with the environment variable ``FERRULE_MAX_ISA``
    (``scalar``, ``avx2``, ``avx512``, ``neon``); an unknown value raises
    ``InvalidArgumentError``.
    """

def _debug_raise(
    code: str, message: str, line: int | None = None, offset: int | None = None
) -> NoReturn: ...
def _debug_panic(message: str) -> NoReturn: ...
