"""Prints ferrule's version and what it detected about this CPU (python examples/python/hello.py).

Try ``FERRULE_MAX_ISA=scalar python examples/python/hello.py`` to cap the SIMD level, and
``FERRULE_MAX_ISA=avx3`` to see a typed error.
"""

import sys

import ferrule

print(f"ferrule {ferrule.__version__} (Python)")
try:
    caps = ferrule.capabilities()
except ferrule.InvalidArgumentError as err:  # also a ValueError; err.code is stable
    sys.exit(f"[{err.code}] {err}")
print(f"SIMD level: {caps['isa']}")
print(f"CPU features: {' '.join(caps['features'])}")
