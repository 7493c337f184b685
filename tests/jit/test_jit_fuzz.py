"""Differential fuzzing of the JIT tier against the baseline tier (hypothesis).

Random integer/float functions — typed expression trees over the parameters, local variables
and edge constants (INT64_MIN/MAX, 0, -1, 63, 64, 1.5, NaN as ``0.0 / 0.0``, inf as
``1.0 / 0.0``), every arithmetic, bitwise, comparison, logical and unary operator, ternaries,
``if``/``else``, small ``for`` loops with ``break``/``continue``, compound assignments — are
compiled on both tiers and called with random argument tuples (ints over the whole int64
range, floats including inf/NaN/-0.0), once from the host (``ctx.call``) and once from a
top-level loop of the main body (a native loop calling the native function). Results must be
identical bit for bit (NaN compared as NaN), errors identical strings (message and trace), and
the large majority of generated programs must really compile (stats state ``compiled``).
"""
from __future__ import annotations

import math
from collections import Counter

import pytest

from helpers import norm
from hypothesis import HealthCheck, given, settings, strategies as st

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

I64_MAX = 2**63 - 1
I64_MIN = -2**63

INT_EDGES = [0, 1, -1, 2, 3, 7, 63, 64, 65, -63, -64, 255, 1 << 31, 1 << 32, I64_MAX, I64_MIN,
             I64_MAX - 1, I64_MIN + 1, 3037000500, -3037000500]
FLOAT_EDGES = [0.0, -0.0, 1.5, -1.5, 0.1, 2.0, 1e308, -1e308, 5e-324, 1e-300,
               float("inf"), float("-inf"), float("nan")]

INT_BINOPS = ["+", "-", "*", "/", "%", "&", "|", "^", "&^", "<<", ">>"]
FLOAT_BINOPS = ["+", "-", "*", "/"]
CMP_OPS = ["==", "!=", "<", ">", "<=", ">="]
INT_COMPOUND = ["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "&^=", "<<=", ">>="]
FLOAT_COMPOUND = ["+=", "-=", "*=", "/="]


# ---------------------------------------------------------------------------------------------
# values and literals

def lit(v):
    if type(v) is int:
        if v == I64_MIN:
            return "(-9223372036854775807 - 1)"
        return f"({v})" if v < 0 else str(v)
    if math.isnan(v):
        return "(0.0 / 0.0)"
    if math.isinf(v):
        return "(1.0 / 0.0)" if v > 0 else "(-1.0 / 0.0)"
    if v == 0.0 and math.copysign(1.0, v) < 0:
        return "(-0.0)"
    r = repr(v)
    return f"({r})" if v < 0 else r


int_values = st.one_of(st.sampled_from(INT_EDGES), st.integers(-100, 100),
                       st.integers(I64_MIN, I64_MAX))
float_values = st.one_of(st.sampled_from(FLOAT_EDGES),
                         st.floats(allow_nan=True, allow_infinity=True),
                         st.floats(-100, 100))


def values_of(t):
    return int_values if t == "int" else float_values


# ---------------------------------------------------------------------------------------------
# program generator: typed expressions over typed variables

class Gen:
    """Draws a well-typed Tengo function from hypothesis ``data``."""

    def __init__(self, draw, param_types, ret_type):
        self.draw = draw
        self.vars = {"int": [], "float": []}
        for i, t in enumerate(param_types):
            self.vars[t].append(f"p{i}")
        self.ret = ret_type
        self.n_locals = 0
        self.n_loops = 0
        self.readonly = set()       # loop variables: never assigned (the loop must end)

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def chance(self, p):
        return self.draw(st.floats(0, 1)) < p

    # expressions ----------------------------------------------------------------------------
    def expr(self, t, depth):
        if depth <= 0 or self.chance(0.3):
            return self.leaf(t)
        kind = self.pick(["bin", "bin", "bin", "unary", "cond", "logic", "paren"])
        if t == "int":
            if kind == "bin":
                op = self.pick(INT_BINOPS)
                return f"({self.expr('int', depth - 1)} {op} {self.expr('int', depth - 1)})"
            if kind == "unary":
                return f"{self.pick(['-', '^', '+'])}({self.expr('int', depth - 1)})"
        else:
            if kind == "bin":
                op = self.pick(FLOAT_BINOPS)
                lt, rt = self.pick([("float", "float"), ("int", "float"), ("float", "int")])
                return f"({self.expr(lt, depth - 1)} {op} {self.expr(rt, depth - 1)})"
            if kind == "unary":
                return f"{self.pick(['-', '+'])}({self.expr('float', depth - 1)})"
        if kind == "cond":
            return (f"({self.cond(depth - 1)} ? {self.expr(t, depth - 1)} : "
                    f"{self.expr(t, depth - 1)})")
        if kind == "logic":       # && / || return an operand: same type both sides
            return f"({self.expr(t, depth - 1)} {self.pick(['&&', '||'])} {self.expr(t, depth - 1)})"
        return f"({self.expr(t, depth - 1)})"

    def leaf(self, t):
        names = self.vars[t]
        if names and self.chance(0.65):
            return self.pick(names)
        return lit(self.draw(st.sampled_from(INT_EDGES if t == "int" else FLOAT_EDGES)))

    def cond(self, depth):
        """A condition: a comparison, a negation, a bool combination, or a bare int/float."""
        kind = self.pick(["cmp", "cmp", "not", "andor", "truthy"])
        if kind == "cmp" or depth <= 0:
            lt, rt = self.pick([("int", "int"), ("float", "float"), ("int", "float"),
                                ("float", "int")])
            d = max(depth - 1, 0)
            return f"({self.expr(lt, d)} {self.pick(CMP_OPS)} {self.expr(rt, d)})"
        if kind == "not":
            return f"!({self.cond(depth - 1)})"
        if kind == "andor":
            return f"({self.cond(depth - 1)} {self.pick(['&&', '||'])} {self.cond(depth - 1)})"
        return self.expr(self.pick(["int", "float"]), depth - 1)

    # statements -----------------------------------------------------------------------------
    def block(self, depth, n, in_loop):
        out = []
        for _ in range(n):
            out.append(self.stmt(depth, in_loop))
        return out

    def stmt(self, depth, in_loop):
        kinds = ["assign", "assign", "compound"]
        if depth > 0:
            kinds += ["if", "for"]
        if in_loop:
            kinds += ["branch"]
        kind = self.pick(kinds)
        if kind in ("assign", "compound"):
            targets = {k: [v for v in vs if v not in self.readonly] for k, vs in self.vars.items()}
            t = self.pick(["int", "float"])
            if not targets[t]:
                t = "int" if targets["int"] else "float"
            name = self.pick(targets[t])
            if kind == "assign":
                return f"{name} = {self.expr(t, 2)}"
            ops = INT_COMPOUND if t == "int" else FLOAT_COMPOUND
            rt = "int" if t == "int" else self.pick(["int", "float"])
            return f"{name} {self.pick(ops)} {self.expr(rt, 1)}"
        if kind == "if":
            body = self.block(depth - 1, self.draw(st.integers(1, 2)), in_loop)
            s = f"if {self.cond(2)} {{ {'; '.join(body)} }}"
            if self.chance(0.5):
                other = self.block(depth - 1, self.draw(st.integers(1, 2)), in_loop)
                s += f" else {{ {'; '.join(other)} }}"
            return s
        if kind == "for":
            i = f"i{self.n_loops}"
            self.n_loops += 1
            bound = self.draw(st.integers(0, 6))
            self.vars["int"].append(i)
            self.readonly.add(i)
            body = self.block(depth - 1, self.draw(st.integers(1, 3)), True)
            self.vars["int"].remove(i)
            # the loop variable is read-only inside (assignments could make the loop endless)
            return f"for {i} := 0; {i} < {bound}; {i}++ {{ {'; '.join(body)} }}"
        return f"if {self.cond(1)} {{ {self.pick(['break', 'continue'])} }}"

    def function(self):
        lines = []
        for _ in range(self.draw(st.integers(0, 3))):
            t = self.pick(["int", "float"])
            name = f"v{self.n_locals}"
            self.n_locals += 1
            lines.append(f"{name} := {self.expr(t, 2)}")
            self.vars[t].append(name)
        # assignments only target locals (never parameters' types change: same type assigned)
        lines += self.block(2, self.draw(st.integers(0, 4)), False)
        if self.chance(0.3):
            lines.append(f"if {self.cond(2)} {{ return {self.expr(self.ret, 2)} }}")
        lines.append(f"return {self.expr(self.ret, 3)}")
        return lines


@st.composite
def programs(draw):
    nparams = draw(st.integers(1, 3))
    ptypes = tuple(draw(st.sampled_from(["int", "float"])) for _ in range(nparams))
    ret = draw(st.sampled_from(["int", "float"]))
    g = Gen(draw, ptypes, ret)
    body = g.function()
    params = ", ".join(f"p{i}" for i in range(nparams))
    src = "f := func(" + params + ") {\n    " + "\n    ".join(body) + "\n}\n"
    return src, ptypes, ret


# ---------------------------------------------------------------------------------------------
# running both tiers

def outcome(fn, *args):
    try:
        return ("ok", norm(fn(*args)))
    except TengoError as e:
        return ("error", str(e))


def host_calls(src, jit_on, arg_tuples):
    opts = {"jit": True, "jit_threshold": 0} if jit_on else {"jit": False}
    c = Script(src, **opts).compile()
    c.run()
    ctx = c.context()
    f = c.get("f")
    out = [outcome(ctx.call, f, *args) for args in arg_tuples]
    state = None
    if jit_on:
        recs = [r for r in jit.stats(c.program) if r["kind"] == "function"]
        state = (recs[0]["state"], recs[0]["reason"]) if recs else ("never hot", "")
    return out, state


def loop_calls(src, jit_on, ptypes, ret, args):
    """The function called from a top-level loop over globals p0.. (set with Script.add)."""
    call_args = ", ".join(f"a{i} + i" if t == "int" else f"a{i} * (i + 1)"
                          for i, t in enumerate(ptypes))
    main = src + f"r := {'0' if ret == 'int' else '0.0'}\nn := 0\n" \
        f"for i := 0; i < 12; i++ {{ r = f({call_args}); n++ }}\n"
    opts = {"jit": True, "jit_threshold": 0} if jit_on else {"jit": False}
    s = Script(main, **opts)
    for i, v in enumerate(args):
        s.add(f"a{i}", v)
    c = s.compile()
    res = outcome(lambda: c.run() and None)
    g = {k: norm(v) for k, v in c.get_all().items() if k in ("r", "n")}
    state = None
    if jit_on:
        recs = [r for r in jit.stats(c.program) if r["kind"] == "loop"]
        state = (recs[0]["state"], recs[0]["reason"]) if recs else ("never hot", "")
    return (res, g), state


def check_program(data, prog, tally):
    src, ptypes, ret = prog
    tuples = data.draw(st.lists(st.tuples(*[values_of(t) for t in ptypes]), min_size=1,
                                max_size=6), label="args")
    # the first call compiles (threshold 0); it runs on the baseline code, the rest natively
    calls = [tuples[0]] + tuples
    base, _ = host_calls(src, False, calls)
    native, state = host_calls(src, True, calls)
    tally[state[0]] += 1
    if state[0] != "compiled":
        tally["reason: " + state[1]] += 1
    assert base == native, f"\n{src}\nargs={calls}\nbaseline={base}\njit     ={native}"
    lb, _ = loop_calls(src, False, ptypes, ret, tuples[0])
    lj, lstate = loop_calls(src, True, ptypes, ret, tuples[0])
    tally["loop " + lstate[0]] += 1
    assert lb == lj, f"\n{src}\nglobals a*={tuples[0]}\nbaseline={lb}\njit     ={lj}"


def run_fuzz(max_examples, derandomize):
    tally = Counter()

    @settings(max_examples=max_examples, deadline=None, derandomize=derandomize,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])
    @given(prog=programs(), data=st.data())
    def inner(prog, data):
        check_program(data, prog, tally)

    inner()
    total = tally["compiled"] + tally["not eligible"] + tally["failed"] + tally["never hot"]
    assert total > 0
    assert tally["failed"] == 0, tally
    # the generator makes mostly eligible programs (~95% compile over thousands of examples);
    # hypothesis explores around what it found, so a short run can draw a cluster of
    # ineligible ones (mixed-type ``||``/``&&``): 60% keeps a 60-example run from flaking while
    # a JIT that stops compiling still fails here
    assert tally["compiled"] >= 0.6 * total, tally
    assert tally["loop compiled"] >= 0.6 * total, tally
    return tally


def test_fuzz_functions():
    """60 programs from a fixed seed: the same every run, so the compile-rate floor below
    cannot flake on an unlucky cluster; the slow run draws 2000 fresh ones."""
    run_fuzz(60, derandomize=True)


@pytest.mark.slow
def test_fuzz_functions_slow():
    run_fuzz(2000, derandomize=False)


# ---------------------------------------------------------------------------------------------
# a narrower fuzz: one operator, random operands (finds operator-level divergences fast)

@settings(max_examples=100, deadline=None)
@given(op=st.sampled_from(INT_BINOPS + CMP_OPS + ["&&", "||"]),
       pairs=st.lists(st.tuples(int_values, int_values), min_size=1, max_size=20))
def test_fuzz_int_operator(op, pairs):
    src = f"f := func(a, b) {{ return a {op} b }}\n"
    calls = [(3, 5)] + pairs
    base, _ = host_calls(src, False, calls)
    native, state = host_calls(src, True, calls)
    assert state[0] == "compiled", state
    assert base == native


@settings(max_examples=60, deadline=None)
@given(op=st.sampled_from(FLOAT_BINOPS + CMP_OPS),
       kinds=st.sampled_from([("float", "float"), ("int", "float"), ("float", "int")]),
       data=st.data())
def test_fuzz_float_operator(op, kinds, data):
    pairs = data.draw(st.lists(st.tuples(values_of(kinds[0]), values_of(kinds[1])), min_size=1,
                               max_size=20))
    src = f"f := func(a, b) {{ return a {op} b }}\n"
    warm = tuple(3 if k == "int" else 2.5 for k in kinds)
    calls = [warm] + pairs
    base, _ = host_calls(src, False, calls)
    native, state = host_calls(src, True, calls)
    assert state[0] == "compiled", state
    assert base == native
