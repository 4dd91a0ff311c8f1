"""Prints ferrule's version and what it detected about this CPU (python examples/python/hello.py).

Try ``FERRULE_MAX_ISA=scalar python examples/python/hello.py`` to cap the SIMD level;
``FERRULE_MAX_ISA=avx3`` (no such level) is ignored with one warning on stderr.
"""

import ferrule

print(f"ferrule {ferrule.__version__} (Python)")
caps = ferrule.capabilities()
print(f"SIMD level: {caps['isa']}")
print(f"CPU features: {' '.join(caps['features'])}")
