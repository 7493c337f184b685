"""What test modules share: scripts built for a tier, compiled and run.

``TIER_OPTIONS`` is the one definition of the tiers (``tests/conftest.py`` parametrizes every
behaviour test over them). Tests that take the ``make_script`` fixture pass it along; module
helpers that take no fixture (the stdlib suites' ``run(src)``) use ``current_tier``, which
``tests/stdlib/conftest.py`` sets for each test.
"""
from __future__ import annotations

import math
import struct
from types import FunctionType

# tier name -> keyword arguments given to Script()
TIER_OPTIONS = {
    "baseline": {"jit": False},
    "jit": {"jit": True, "jit_threshold": 0},
}

current_tier = "baseline"


def make_script(src, tier: str | None = None, **kw):
    """``Script(src, **kw)`` configured for ``tier`` (``current_tier`` when None)."""
    from tengojit import Script
    opts = dict(TIER_OPTIONS[tier or current_tier])
    opts.update(kw)
    return Script(src, **opts)


def run(src, *, tier: str | None = None, stdlib=(), symbols=None, **kw):
    """Compile ``src`` for ``tier`` with the ``stdlib`` modules (names) importable and
    ``symbols`` predefined, run it and return the ``Compiled``."""
    from tengojit.stdlib import get_module_map
    s = make_script(src, tier, **kw)
    if stdlib:
        s.set_imports(get_module_map(*stdlib))
    for name, value in (symbols or {}).items():
        s.add(name, value)
    c = s.compile()
    c.run()
    return c


def out(src, **kw):
    """The value of ``out`` after ``run(src, **kw)``."""
    return run(src, **kw).get("out")


def run_script(make_script, src, *, stdlib=(), symbols=None, **script_kw):
    """``run`` for tests holding the ``make_script`` fixture (their tier's scripts): compile
    ``src`` with ``script_kw`` for ``Script``, the ``stdlib`` modules (names) importable and
    ``symbols`` predefined, run it, return the ``Compiled``."""
    from tengojit.stdlib import get_module_map
    s = make_script(src, **script_kw)
    if stdlib:
        s.set_imports(get_module_map(*stdlib))
    for name, value in (symbols or {}).items():
        s.add(name, value)
    c = s.compile()
    c.run()
    return c


def norm(v):
    """A value in a form where ``==`` means "the same Tengo value, bit for bit": floats by
    their bits (every NaN alike), containers element by element, functions as one kind."""
    t = type(v)
    if t is float:
        if math.isnan(v):
            return ("nan",)
        return ("float", struct.pack("<d", v))
    if t is list or t is tuple:
        return (t.__name__, [norm(x) for x in v])
    if t is dict:
        return ("dict", sorted((k, norm(x)) for k, x in v.items()))
    if t is FunctionType or getattr(t, "tengo_closure", False):
        return ("function",)
    return (t.__name__, v)
