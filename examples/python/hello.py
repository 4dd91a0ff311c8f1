"""Prints ferrule's version and what it detected about this CPU (python examples/python/hello.py)."""

import os

import ferrule

caps = ferrule.capabilities()
print(f"ferrule {ferrule.__version__} (Python)")
print(f"SIMD level: {caps['isa']}")
print(f"CPU features: {' '.join(caps['features'])}")

# Errors are typed: each is a ferrule.FerruleError with a stable .code, and also the builtin
# exception you would catch anyway. A typo in FERRULE_MAX_ISA is reported, not ignored.
os.environ["FERRULE_MAX_ISA"] = "avx3"
try:
    ferrule.capabilities()
except ValueError as err:
    assert isinstance(err, ferrule.InvalidArgumentError)
    print(f"errors are typed: {type(err).__name__} [{err.code}] {err}")
else:
    raise SystemExit("expected InvalidArgumentError")
finally:
    del os.environ["FERRULE_MAX_ISA"]
