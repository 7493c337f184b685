"""The benchmark suite: every program of the seed (../shared/seed/benchmarks.md) plus fib27,
each as Tengo (once per tier) and as the same work in plain CPython (its "peer").

Two kinds of benchmark:

* **inline programs** (fib27, BasicFunctionCall, ArrayIndex, ArrayIndexCompare,
  ClosureInlineExecution): compiled once; one op = one ``compiled.run()``. The CPython peer is
  the same program as a Python *script*: its text compiled once to a code object and ``exec``uted
  in a fresh globals dict per op — the closest CPython analogue of one run of a compiled Tengo
  program (top-level variables are module globals in both).
* **host-API programs** (ClosureHostAPIExecution, ClosureDirectAPIExecution,
  ClosureIsolatedContext, NestedClosures, ClosureComplexDataTypes, ClosureHostAPIBatch): a setup
  script is compiled and run once (not timed); one op = the host calling script closures as the
  seed defines. The CPython peer is the same closure as a Python closure (the setup script
  exec'd once) called from a Python loop the same number of times.

Every benchmark is a :class:`Bench`: ``op()`` runs one op and returns something ``check`` can
verify (the last call's result for host programs, the ``Compiled``/globals for inline ones), so
a broken benchmark cannot pass silently. Compile time is never part of ``op``.

Tiers: ``baseline`` (generated Python) always; ``jit`` once ``tengojit.jit.available()`` is True
(mirrors tests/conftest.py, which owns the tier list for the test suite).
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from types import FunctionType
from typing import Any, Callable

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

N_CALLS = 1000          # host calls per op (the seed's loop count)
N_NESTED = 100          # NestedClosures: chains per op

# ---------------------------------------------------------------------------------------------
# Inline programs: name -> (Tengo source, CPython source). Tengo sources are the seed's verbatim.

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
    "BasicFunctionCall": (
        """\
add := func(x, y) { return x + y }
for i := 0; i < 1000; i++ { result := add(i, 5) }
""",
        """\
def add(x, y):
    return x + y
for i in range(1000):
    result = add(i, 5)
"""),
    "ArrayIndex": (
        """\
a := [1, 2, 3, 4, 5, 6, 7, 8, 9];
for i := 0; i < 1000; i++ { a[0]; a[1]; a[2]; a[3]; a[4]; a[5]; a[6]; a[7]; a[7]; }
""",
        """\
a = [1, 2, 3, 4, 5, 6, 7, 8, 9]
for i in range(1000):
    a[0]; a[1]; a[2]; a[3]; a[4]; a[5]; a[6]; a[7]; a[7]
"""),
    # CPython's compiler drops constant expression statements, so its loop body is empty:
    # that is what CPython does with this program, and what the peer measures.
    "ArrayIndexCompare": (
        """\
a := [1, 2, 3, 4, 5, 6, 7, 8, 9];
for i := 0; i < 1000; i++ { 1; 2; 3; 4; 5; 6; 7; 8; 9; }
""",
        """\
a = [1, 2, 3, 4, 5, 6, 7, 8, 9]
for i in range(1000):
    1; 2; 3; 4; 5; 6; 7; 8; 9
"""),
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

# ---------------------------------------------------------------------------------------------
# Host-API programs: the setup scripts (Tengo verbatim from the seed, and CPython).

SETUPS = {
    "adder": (
        """\
global_var := 10
make_adder := func(x) { return func(y) { return x + y + global_var } }
add_five := make_adder(5)
""",
        """\
global_var = 10
def make_adder(x):
    def adder(y):
        return x + y + global_var
    return adder
add_five = make_adder(5)
"""),
    "nested": (
        """\
global_base := 1000
make_nested := func(level1) {
  return func(level2) { return func(level3) { return func(level4) {
    return global_base + level1 + level2 + level3 + level4 } } } }
nested_fn := make_nested(100)
""",
        """\
global_base = 1000
def make_nested(level1):
    def f2(level2):
        def f3(level3):
            def f4(level4):
                return global_base + level1 + level2 + level3 + level4
            return f4
        return f3
    return f2
nested_fn = make_nested(100)
"""),
    "complex": (
        """\
global_map := {a: 1, b: 2, c: 3}
global_array := [1, 2, 3, 4, 5]
make_processor := func(local_data) {
  return func(param) {
    return {global_map: global_map, global_array: global_array, local_data: local_data, param: param}
  }
}
processor := make_processor({x: 10, y: 20})
""",
        """\
global_map = {"a": 1, "b": 2, "c": 3}
global_array = [1, 2, 3, 4, 5]
def make_processor(local_data):
    def processor(param):
        return {"global_map": global_map, "global_array": global_array,
                "local_data": local_data, "param": param}
    return processor
processor = make_processor({"x": 10, "y": 20})
"""),
}

HOST_SETUP = {
    "ClosureHostAPIExecution": "adder",
    "ClosureDirectAPIExecution": "adder",
    "ClosureIsolatedContext": "adder",
    "NestedClosures": "nested",
    "ClosureComplexDataTypes": "complex",
    "ClosureHostAPIBatch": "adder",
}

COMPLEX_RESULT = {"global_map": {"a": 1, "b": 2, "c": 3}, "global_array": [1, 2, 3, 4, 5],
                  "local_data": {"x": 10, "y": 20}, "param": "test"}

# The seed's programs in the seed's table order, then ours.
INLINE = ["BasicFunctionCall", "ArrayIndex", "ArrayIndexCompare", "ClosureInlineExecution"]
HOST = ["ClosureHostAPIExecution", "ClosureDirectAPIExecution", "ClosureIsolatedContext",
        "NestedClosures", "ClosureComplexDataTypes", "ClosureHostAPIBatch"]
EXTRA = ["fib27"]
NAMES = INLINE + HOST + EXTRA

DESCRIPTIONS = {
    "BasicFunctionCall": "run: add(i, 5) 1000 times in a top-level loop",
    "ArrayIndex": "run: 9 array index expressions x 1000 iterations",
    "ArrayIndexCompare": "run: 9 constant expressions x 1000 iterations",
    "ClosureInlineExecution": "run: make_adder(5) closure called 1000 times in the script",
    "ClosureHostAPIExecution": "1000 x ctx.call(add_five, i) on one context",
    "ClosureDirectAPIExecution": "1000 x add_five.call_with_globals(G, i)",
    "ClosureIsolatedContext": "ctx.with_isolated_globals(), then 1000 x call on it",
    "NestedClosures": "100 x (nested_fn(200))(300)(400) through ctx.call",
    "ClosureComplexDataTypes": "1000 x ctx.call(processor, \"test\") -> map",
    "ClosureHostAPIBatch": "one ctx.map(add_five, range(1000)) (jit tier: np.arange(1000))",
    "fib27": "run: recursive fib(27)",
}


@dataclass
class Bench:
    name: str
    impl: str                        # a tier ("baseline", "jit") or "cpython"
    op: Callable[[], Any]            # one op
    check: Callable[[Any], bool]     # check(op()) is True when the op computed the right thing

    def verify(self):
        r = self.op()
        if not self.check(r):
            raise AssertionError(f"{self.name}[{self.impl}]: wrong result {_short(r)}")
        return r


def _short(v):
    s = repr(v)
    return s if len(s) < 200 else s[:200] + "…"


# ---------------------------------------------------------------------------------------------
# Tengo

def compile_tengo(name: str, tier: str):
    """The compiled Tengo inline program (compiled once; ``.run()`` is one op)."""
    from tengojit import Script
    return Script(PROGRAMS[name][0], name=name + ".tengo", **TIER_OPTIONS[tier]).compile()


def setup_tengo(setup: str, tier: str):
    """A host-API setup script, compiled and run once: the ``Compiled``."""
    from tengojit import Script
    compiled = Script(SETUPS[setup][0], name=setup + ".tengo", **TIER_OPTIONS[tier]).compile()
    compiled.run()
    return compiled


def _inline_check(name):
    if name == "fib27":
        return lambda c: c.get("out") == EXPECTED_OUT["fib27"]
    if name == "BasicFunctionCall":
        return lambda c: c.context().call(c.get("add"), 999, 5) == 1004
    if name in ("ArrayIndex", "ArrayIndexCompare"):
        return lambda c: c.get("a") == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    if name == "ClosureInlineExecution":
        return lambda c: c.context().call(c.get("add_five"), 999) == 1014
    raise KeyError(name)


def batch_input(tier: str):
    """ClosureHostAPIBatch's input: ``range(1000)`` on the baseline tier; on the jit tier a numpy
    int64 array ``np.arange(1000)`` (what a host hands a compiled batch; range when numpy is
    missing)."""
    if tier == "jit":
        try:
            import numpy as np
            return np.arange(N_CALLS, dtype=np.int64)
        except Exception:
            pass
    return range(N_CALLS)


def tengo_bench(name: str, tier: str) -> Bench:
    """Benchmark ``name`` on Tengo tier ``tier`` (compile/setup done here, not timed)."""
    if name in PROGRAMS:
        compiled = compile_tengo(name, tier)
        return Bench(name, tier, compiled.run, _inline_check(name))
    compiled = setup_tengo(HOST_SETUP[name], tier)
    ctx = compiled.context()
    if name == "ClosureHostAPIExecution":
        add_five = compiled.get("add_five")

        def op():
            call = ctx.call
            r = None
            for i in range(N_CALLS):
                r = call(add_five, i)
            return r
        return Bench(name, tier, op, lambda r: r == 999 + 15)
    if name == "ClosureDirectAPIExecution":
        add_five = compiled.get("add_five")
        G = ctx.globals

        def op():
            call = add_five.call_with_globals
            r = None
            for i in range(N_CALLS):
                r, _ = call(G, i)
            return r
        return Bench(name, tier, op, lambda r: r == 999 + 15)
    if name == "ClosureIsolatedContext":
        add_five = compiled.get("add_five")

        def op():
            iso = ctx.with_isolated_globals()     # held for the op, as the seed's isolatedCtx
            call = iso.call
            r = None
            for i in range(N_CALLS):
                r = call(add_five, i)
            return r
        return Bench(name, tier, op, lambda r: r == 999 + 15)
    if name == "NestedClosures":
        nested_fn = compiled.get("nested_fn")

        def op():
            call = ctx.call
            r = None
            for _ in range(N_NESTED):
                f2 = call(nested_fn, 200)
                f3 = call(f2, 300)
                r = call(f3, 400)
            return r
        return Bench(name, tier, op, lambda r: r == 1000 + 100 + 200 + 300 + 400)
    if name == "ClosureComplexDataTypes":
        processor = compiled.get("processor")

        def op():
            call = ctx.call
            r = None
            for _ in range(N_CALLS):
                r = call(processor, "test")
            return r
        return Bench(name, tier, op, lambda r: r == COMPLEX_RESULT)
    if name == "ClosureHostAPIBatch":
        add_five = compiled.get("add_five")
        items = batch_input(tier)

        def op():
            return ctx.map(add_five, items)
        return Bench(name, tier, op,
                     lambda r: len(r) == N_CALLS and r[0] == 15 and r[-1] == 999 + 15)
    raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# CPython peers

def compile_cpython(name: str):
    """A zero-argument callable running the CPython peer of an inline program once; returns
    its globals."""
    code = compile(PROGRAMS[name][1], name + ".py", "exec")

    def run_once():
        g = {"__builtins__": builtins, "__name__": "__bench__"}
        exec(code, g)
        return g
    return run_once


def setup_cpython(setup: str) -> dict:
    """The CPython setup script exec'd once: its globals."""
    g = {"__builtins__": builtins, "__name__": "__bench__"}
    exec(compile(SETUPS[setup][1], setup + ".py", "exec"), g)
    return g


def _isolated(fn: FunctionType) -> FunctionType:
    """``fn`` over a private copy of its globals (lists/dicts copied deeply, like
    ``with_isolated_globals``) — CPython's analogue of an isolated context."""
    import copy
    g = {k: (copy.deepcopy(v) if type(v) in (list, dict) else v)
         for k, v in fn.__globals__.items()}
    return FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)


def _cpython_inline_check(name):
    if name == "fib27":
        return lambda g: g["out"] == EXPECTED_OUT["fib27"]
    if name == "BasicFunctionCall":
        return lambda g: g["result"] == 999 + 5
    if name in ("ArrayIndex", "ArrayIndexCompare"):
        return lambda g: g["a"] == [1, 2, 3, 4, 5, 6, 7, 8, 9] and g["i"] == 999
    if name == "ClosureInlineExecution":
        return lambda g: g["result"] == 999 + 15
    raise KeyError(name)


def cpython_bench(name: str) -> Bench:
    """The CPython peer of benchmark ``name``."""
    if name in PROGRAMS:
        return Bench(name, "cpython", compile_cpython(name), _cpython_inline_check(name))
    g = setup_cpython(HOST_SETUP[name])
    if name in ("ClosureHostAPIExecution", "ClosureDirectAPIExecution"):
        # CPython has no context object: both are a plain call of the closure.
        add_five = g["add_five"]

        def op():
            r = None
            for i in range(N_CALLS):
                r = add_five(i)
            return r
        return Bench(name, "cpython", op, lambda r: r == 999 + 15)
    if name == "ClosureIsolatedContext":
        add_five = g["add_five"]

        def op():
            f = _isolated(add_five)
            r = None
            for i in range(N_CALLS):
                r = f(i)
            return r
        return Bench(name, "cpython", op, lambda r: r == 999 + 15)
    if name == "NestedClosures":
        nested_fn = g["nested_fn"]

        def op():
            r = None
            for _ in range(N_NESTED):
                f2 = nested_fn(200)
                f3 = f2(300)
                r = f3(400)
            return r
        return Bench(name, "cpython", op, lambda r: r == 2000)
    if name == "ClosureComplexDataTypes":
        processor = g["processor"]

        def op():
            r = None
            for _ in range(N_CALLS):
                r = processor("test")
            return r
        return Bench(name, "cpython", op, lambda r: r == COMPLEX_RESULT)
    if name == "ClosureHostAPIBatch":
        add_five = g["add_five"]

        def op():
            return list(map(add_five, range(N_CALLS)))
        return Bench(name, "cpython", op,
                     lambda r: len(r) == N_CALLS and r[0] == 15 and r[-1] == 999 + 15)
    raise KeyError(name)


def numba_adder():
    """The seed's add_five as numba: a factory returning an ``@njit`` closure ``x + y + 10``
    (x captured), compiled for int64 (None when numba is not importable)."""
    try:
        from numba import njit
    except Exception:
        return None
    global_var = 10

    def make_adder(x):
        @njit(cache=False)
        def adder(y):
            return x + y + global_var
        return adder
    add_five = make_adder(5)
    add_five(0)      # compile (not timed)
    return add_five


def numba_bench(name: str = "ClosureHostAPIExecution"):
    """The numba peer of the single-host-call requirement (None when numba is not importable):
    the seed's add_five as an ``@njit`` function called 1000 times from a Python loop."""
    add_five = numba_adder()
    if add_five is None:
        return None

    def op():
        r = None
        for i in range(N_CALLS):
            r = add_five(i)
        return r
    return Bench(name, "numba", op, lambda r: r == 999 + 15)
