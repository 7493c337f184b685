"""Benchmark programs: each Tengo program with the same program as plain CPython, "script style".

"Script style" means what a Tengo script is: top-level code whose variables are module globals.
The CPython peer of a program is its Python text compiled once to a code object and executed
with ``exec`` in a fresh globals dict per op — the closest CPython analogue of one run of a
compiled Tengo program. Compile time is never timed (../shared/seed/benchmarks.md).

Tiers: ``baseline`` (generated Python) always; ``jit`` once ``tengojit.jit.available()`` is True
(mirrors tests/conftest.py, which owns the tier list for the test suite).
"""
from __future__ import annotations

import builtins

TIER_OPTIONS = {
    "baseline": {"jit": False},
    "jit": {"jit": True, "jit_threshold": 0},
}


def available_tiers() -> list[str]:
    tiers = ["baseline"]
    try:
        import tengojit.jit as jit
        if getattr(jit, "available", lambda: False)() is True:
            tiers.append("jit")
    except Exception:
        pass
    return tiers


TIERS = available_tiers()

# name -> (Tengo source, CPython source). Both leave their result in `out` where there is one.
PROGRAMS = {
    "fib27": (
        """\
fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }
out := fib(27)
""",
        """\
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
out = fib(27)
"""),
    # The seed's ClosureInlineExecution, verbatim (../shared/seed/benchmarks.md).
    "ClosureInlineExecution": (
        """\
global_var := 10
make_adder := func(x) { return func(y) { return x + y + global_var } }
add_five := make_adder(5)
for i := 0; i < 1000; i++ { result := add_five(i) }
""",
        """\
global_var = 10
def make_adder(x):
    def adder(y):
        return x + y + global_var
    return adder
add_five = make_adder(5)
for i in range(1000):
    result = add_five(i)
"""),
}

EXPECTED_OUT = {"fib27": 196418}


def compile_tengo(name: str, tier: str):
    """The compiled Tengo program (compiled once; ``.run()`` is one op)."""
    from tengojit import Script
    compiled = Script(PROGRAMS[name][0], name=name + ".tengo", **TIER_OPTIONS[tier]).compile()
    return compiled


def compile_cpython(name: str):
    """A zero-argument callable running the CPython peer once; returns its globals."""
    code = compile(PROGRAMS[name][1], name + ".py", "exec")

    def run_once():
        g = {"__builtins__": builtins, "__name__": "__bench__"}
        exec(code, g)
        return g
    return run_once
