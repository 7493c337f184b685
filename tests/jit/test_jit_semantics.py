"""The JIT tier against the baseline tier: same results, same errors, same traces.

Every test compiles one program twice — ``Script(src, jit=False)`` (baseline) and
``Script(src, jit=True, jit_threshold=0)`` (JIT forced: functions compile at their first call,
top-level loops of the main body at their first entry) — drives it the same way on both, and
compares what comes out: results (floats bit for bit, NaN as NaN), error strings (message and
``at file:line:col`` trace) and the globals left behind. Each test also asserts, through
``tengojit.jit.stats(program)``, that the function or loop under test really reached state
``compiled`` on the JIT tier — otherwise the comparison would prove nothing.
"""
from __future__ import annotations

import math
import struct

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

I64_MAX = 2**63 - 1
I64_MIN = -2**63
NAN = float("nan")
INF = float("inf")

INTS = [0, 1, -1, 2, -2, 3, 7, -7, 63, 64, 65, -63, -64, 1000, 1 << 31, -(1 << 31), 1 << 32,
        (1 << 62) + 12345, I64_MAX, I64_MAX - 1, I64_MIN, I64_MIN + 1]
FLOATS = [0.0, -0.0, 1.5, -2.5, 0.1, 3.0, 1e308, -1e308, 5e-324, INF, -INF, NAN]


# ---------------------------------------------------------------------------------------------
# helpers

def outcome(fn, *args):
    try:
        return ("ok", norm(fn(*args)))
    except TengoError as e:
        return ("error", type(e).__name__, str(e))


def run_outcome(c):
    """("ok", None) or the error of ``c.run()``."""
    return outcome(lambda: c.run() and None)


def compile_tier(src, jit_on, run=True, **kw):
    opts = {"jit": True, "jit_threshold": 0} if jit_on else {"jit": False}
    opts.update(kw)
    c = Script(src, **opts).compile()
    res = run_outcome(c) if run else None
    return c, res


def both(src, **kw):
    """(baseline Compiled, its run outcome), (jit Compiled, its run outcome)."""
    return compile_tier(src, False, **kw), compile_tier(src, True, **kw)


def globals_of(c):
    return {k: norm(v) for k, v in c.get_all().items()}


def records(c, name=None, kind=None):
    out = [r for r in jit.stats(c.program)
           if (name is None or r["name"] == name or r["name"].startswith(name))
           and (kind is None or r["kind"] == kind)]
    return out


def assert_compiled(c, name, kind=None):
    recs = records(c, name, kind)
    assert recs, f"no JIT record for {name!r}: {jit.stats(c.program)}"
    assert all(r["state"] == "compiled" for r in recs), recs
    return recs


def loop_record(c):
    return records(c, "loop at", "loop")


def first_line(outc):
    """(status, first line of the error) — for stack overflows, whose depth may differ."""
    if outc[0] == "ok":
        return outc
    return (outc[0], outc[1], outc[2].split("\n")[0])


def call_all(c, fname, arg_tuples, warm=None):
    """Results of ctx.call(fname, *args) for every tuple (after ``warm`` first, to compile)."""
    ctx = c.context()
    f = c.get(fname)
    if warm is not None:
        outcome(ctx.call, f, *warm)
    return [outcome(ctx.call, f, *args) for args in arg_tuples]


def compare_calls(src, fname, arg_tuples, warm, expect_state="compiled"):
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    ob = call_all(cb, fname, arg_tuples, warm)
    oj = call_all(cj, fname, arg_tuples, warm)
    recs = records(cj, fname, "function")
    assert recs and recs[0]["state"] == expect_state, recs
    mism = [(a, x, y) for a, x, y in zip(arg_tuples, ob, oj) if x != y]
    assert not mism, f"{len(mism)} of {len(arg_tuples)} differ, first: {mism[:5]}"
    return cj


def fmt(v):
    """A Tengo literal for an int or float (inf/NaN through arithmetic: Tengo has no literal)."""
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) is int:
        if v == I64_MIN:
            return "(-9223372036854775807 - 1)"
        return f"({v})"
    if math.isnan(v):
        return "(0.0 / 0.0)"
    if v == INF:
        return "(1.0 / 0.0)"
    if v == -INF:
        return "(-1.0 / 0.0)"
    if v == 0.0 and math.copysign(1.0, v) < 0:
        return "(-0.0)"
    return f"({v!r})"


# ---------------------------------------------------------------------------------------------
# binary operators: every operator x every type pair, edge values, through ctx.call

ARITH = ["+", "-", "*", "/", "%"]
BITWISE = ["&", "|", "^", "&^", "<<", ">>"]
COMPARE = ["==", "!=", "<", ">", "<=", ">="]
LOGICAL = ["&&", "||"]

INT_ONLY = set(BITWISE) | {"%"}


def _pairs(xs, ys):
    return [(x, y) for x in xs for y in ys]


@pytest.mark.parametrize("op", ARITH + BITWISE + COMPARE + LOGICAL)
def test_binary_int_int(op):
    src = f"f := func(a, b) {{ return a {op} b }}"
    compare_calls(src, "f", _pairs(INTS, INTS), warm=(3, 5))


@pytest.mark.parametrize("op", ARITH + COMPARE + LOGICAL)
def test_binary_float_float(op):
    src = f"f := func(a, b) {{ return a {op} b }}"
    state = "not eligible" if op in INT_ONLY else "compiled"
    compare_calls(src, "f", _pairs(FLOATS, FLOATS), warm=(1.5, 2.5), expect_state=state)


@pytest.mark.parametrize("op", ARITH + COMPARE)
@pytest.mark.parametrize("order", ["int_float", "float_int"])
def test_binary_mixed(op, order):
    src = f"f := func(a, b) {{ return a {op} b }}"
    if order == "int_float":
        pairs, warm = _pairs(INTS, FLOATS), (3, 2.5)
    else:
        pairs, warm = _pairs(FLOATS, INTS), (2.5, 3)
    state = "not eligible" if op in INT_ONLY else "compiled"
    compare_calls(src, "f", pairs, warm=warm, expect_state=state)


@pytest.mark.parametrize("op", ["==", "!=", "&&", "||"])
def test_binary_bool_bool(op):
    src = f"f := func(a, b) {{ return a {op} b }}"
    compare_calls(src, "f", _pairs([True, False], [True, False]), warm=(True, False))


@pytest.mark.parametrize("op", ["==", "!="])
@pytest.mark.parametrize("other", [0, 1, 1.0, 0.0])
def test_equality_bool_number(op, other):
    src = f"f := func(a, b) {{ return a {op} b }}"
    compare_calls(src, "f", [(True, other), (False, other)], warm=(True, other))


SHIFT_LEFT = [0, 1, -1, 5, -5, 12345, -12345, I64_MAX, I64_MIN, 1 << 40]
SHIFT_COUNTS = list(range(0, 66)) + [100, 127, 128, 1 << 32, I64_MAX, -1, -2, -63, -64, -65,
                                     I64_MIN]


@pytest.mark.parametrize("op", ["<<", ">>"])
def test_shifts(op):
    src = f"f := func(a, b) {{ return a {op} b }}"
    compare_calls(src, "f", _pairs(SHIFT_LEFT, SHIFT_COUNTS), warm=(1, 1))


@pytest.mark.parametrize("expr,expected", [
    (f"{I64_MAX} + 1", I64_MIN),
    ("-9223372036854775807 - 2", I64_MAX),
    (f"{I64_MAX} * 2", -2),
    ("4611686018427387904 * 4", 0),
    ("3037000500 * 3037000500", 3037000500 * 3037000500 - 2**64),
])
def test_wraparound_constants_in_function(expr, expected):
    """int64 wrap-around, computed from parameters (no constant folding): the Go result."""
    # split "<a> op <b>" into a call f(a, b)
    for op in ("+", "-", "*"):
        left, sep, right = expr.rpartition(f" {op} ")
        if sep:
            break
    src = f"f := func(a, b) {{ return a {op} b }}"
    (cb, _), (cj, _) = both(src)
    a, b = int(left), int(right)
    rb = call_all(cb, "f", [(a, b)], warm=(1, 2))
    rj = call_all(cj, "f", [(a, b)], warm=(1, 2))
    assert_compiled(cj, "f")
    assert rb == rj == [("ok", ("int", expected))]


def test_int64_min_div_mod_minus_one():
    src = """
    d := func(a, b) { return a / b }
    m := func(a, b) { return a % b }
    n := func(a) { return -a }
    """
    for name, args, want in [("d", (I64_MIN, -1), I64_MIN), ("m", (I64_MIN, -1), 0),
                             ("n", (I64_MIN,), I64_MIN), ("d", (I64_MAX, -1), -I64_MAX),
                             ("m", (-7, 2), -1), ("d", (-7, 2), -3)]:
        (cb, _), (cj, _) = both(src)
        warm = (5, 3)[:len(args)]
        rb = call_all(cb, name, [args], warm=warm)
        rj = call_all(cj, name, [args], warm=warm)
        assert_compiled(cj, name)
        assert rb == rj == [("ok", ("int", want))], (name, args)


# ---------------------------------------------------------------------------------------------
# compound assignment, unary operators

@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "&^=", "<<=",
                                ">>="])
def test_compound_assignment(op):
    src = f"f := func(a, b) {{ x := a; x {op} b; x {op} 3; return x }}"
    compare_calls(src, "f", _pairs(INTS[:12] + [I64_MAX, I64_MIN], [0, 1, -1, 2, 63, 64, I64_MIN]),
                  warm=(7, 2))


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_compound_assignment_float(op):
    src = f"f := func(a, b) {{ x := a; x {op} b; return x }}"
    compare_calls(src, "f", _pairs(FLOATS, FLOATS), warm=(1.5, 2.5))


@pytest.mark.parametrize("op", ["-", "+", "^", "!"])
def test_unary_int(op):
    src = f"f := func(a) {{ return {op}a }}"
    compare_calls(src, "f", [(x,) for x in INTS], warm=(3,))


@pytest.mark.parametrize("op", ["-", "+", "!"])
def test_unary_float(op):
    src = f"f := func(a) {{ return {op}a }}"
    compare_calls(src, "f", [(x,) for x in FLOATS], warm=(1.5,))


def test_unary_bool():
    src = "f := func(a) { return !a }"
    compare_calls(src, "f", [(True,), (False,)], warm=(True,))


def test_double_unary():
    src = "f := func(a) { return -(-a) + ^(^a) - (^a) }"
    compare_calls(src, "f", [(x,) for x in INTS], warm=(3,))


# ---------------------------------------------------------------------------------------------
# truthiness, ternaries, && and || returning operands

TRUTH_VALUES = {
    "int": [0, 1, -1, I64_MIN],
    "float": [0.0, -0.0, 1.5, NAN, INF, -INF],
    "bool": [True, False],
}


@pytest.mark.parametrize("kind", sorted(TRUTH_VALUES))
@pytest.mark.parametrize("form", [
    "if a { return 1 }; return 2",
    "if !a { return 1 } else { return 2 }",
    "return a ? 10 : 20",
    "return !a ? 10 : 20",
    "x := 0; for i := 0; !!a && i < 3; i++ { x++ }; return x",
    "if a && a { return 1 }; return 0",
    "if a || a { return 1 }; return 0",
    "if !a || !a { return 1 }; return 0",
])
def test_truthiness(kind, form):
    """``if 0.0`` is true in Tengo: a float is falsy only when it is NaN."""
    src = f"f := func(a) {{ {form} }}"
    vals = TRUTH_VALUES[kind]
    compare_calls(src, "f", [(v,) for v in vals], warm=(vals[0],))


@pytest.mark.parametrize("kind", ["int", "float", "bool"])
@pytest.mark.parametrize("op", ["&&", "||"])
def test_logical_returns_operands(kind, op):
    src = f"f := func(a, b) {{ return a {op} b }}"
    vals = TRUTH_VALUES[kind]
    compare_calls(src, "f", _pairs(vals, vals), warm=(vals[0], vals[-1]))


def test_nested_ternaries():
    src = "f := func(a, b) { return a > b ? (a > 0 ? a : -a) : (b > 0 ? b * 2 : b - 1) }"
    compare_calls(src, "f", _pairs(INTS, INTS[:10]), warm=(1, 2))


def test_float_nan_comparisons():
    """Every ordered comparison with NaN is false; != is true."""
    src = """
    f := func(a, b) {
        r := 0
        if a == b { r |= 1 }
        if a != b { r |= 2 }
        if a < b { r |= 4 }
        if a > b { r |= 8 }
        if a <= b { r |= 16 }
        if a >= b { r |= 32 }
        return r
    }
    """
    cj = compare_calls(src, "f", _pairs(FLOATS, FLOATS), warm=(1.5, 2.5))
    assert call_all(cj, "f", [(NAN, NAN), (NAN, 1.0)]) == [("ok", ("int", 2))] * 2


# ---------------------------------------------------------------------------------------------
# loops and control flow inside functions

def test_for_loops_break_continue_nested():
    src = """
    f := func(n) {
        s := 0
        for i := 0; i < n; i++ {
            if i % 3 == 0 { continue }
            for j := 0; j < i; j++ {
                if j > 5 { break }
                if (i + j) % 2 == 0 { continue }
                s += j * i
            }
            if s > 100000 { break }
        }
        return s
    }
    """
    compare_calls(src, "f", [(n,) for n in (0, 1, 2, 3, 10, 100, 1000, 100000)], warm=(5,))


def test_condition_only_and_infinite_for():
    src = """
    f := func(n) {
        i := 0
        for i < n { i += 3 }
        k := 0
        for { k++; if k >= n { break } }
        for ; ; { k--; if k < 0 { break } }
        return i * 1000 + k
    }
    """
    compare_calls(src, "f", [(n,) for n in (0, 1, 7, 100)], warm=(5,))


def test_float_accumulation_in_loop():
    src = """
    f := func(n, x) {
        s := 0.0
        for i := 0; i < n; i++ { s = s * x + i / 3.0; s -= 0.1 }
        return s
    }
    """
    compare_calls(src, "f", _pairs([0, 1, 10, 1000], [0.5, 1.0000001, -1.5, NAN, 1e300]),
                  warm=(3, 0.5))


def test_local_variables_and_shadowing():
    src = """
    f := func(a) {
        x := a * 2
        if x > 10 {
            x := a + 1
            x *= 3
            a = x
        }
        y := x - a
        return y
    }
    """
    compare_calls(src, "f", [(x,) for x in INTS], warm=(3,))


def test_void_function_and_undefined_result():
    src = """
    g := 0
    f := func(a) { if a > 0 { g += a; return }; g -= 1 }
    h := func(a) { f(a); return g }
    """
    compare_calls(src, "h", [(x,) for x in (1, -1, 5, 0, 100)], warm=(1,))


# ---------------------------------------------------------------------------------------------
# calls and recursion

def test_fib():
    src = """
    fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }
    out := 0
    for i := 0; i < 3; i++ { out = fib(20) }
    """
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj == ("ok", ("NoneType", None))
    assert cb.get("out") == cj.get("out") == 6765
    assert_compiled(cj, "loop at", "loop")
    (cb, _), (cj, _) = both("fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }")
    assert call_all(cb, "fib", [(n,) for n in range(22)], warm=(3,)) == \
        call_all(cj, "fib", [(n,) for n in range(22)], warm=(3,))
    assert_compiled(cj, "fib")


def test_self_tail_call_deep():
    """Self tail calls run in constant stack on both tiers: depth 250000 must work."""
    src = """
    f := func(n, acc) { if n == 0 { return acc }; return f(n - 1, acc + n) }
    r := 0
    r = f(250000, 0)
    r = f(250000, 0)
    """
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    assert rb[0] == "ok"
    assert cb.get("r") == cj.get("r") == 250000 * 250001 // 2
    assert_compiled(cj, "f")
    assert call_all(cj, "f", [(250000, 1)]) == [("ok", ("int", 250000 * 250001 // 2 + 1))]


def test_self_tail_call_float():
    src = """
    f := func(n, x) { if n <= 0 { return x }; return f(n - 1, x * 1.0001) }
    """
    compare_calls(src, "f", [(250000, 1.0), (10, NAN), (0, -0.0)], warm=(2, 1.0))


def test_accumulator_recursion():
    src = """
    f := func(n) { if n == 0 { return 0 }; return n + f(n - 1) }
    g := func(n) { if n <= 0 { return 1 }; return n * 3 + g(n - 2) }
    """
    compare_calls(src, "f", [(n,) for n in (0, 1, 10, 500)], warm=(3,))
    compare_calls(src, "g", [(n,) for n in (0, 1, 10, 499, 500)], warm=(3,))


def test_accumulator_recursion_wraps():
    src = "f := func(n, k) { if n == 0 { return k }; return k + f(n - 1, k) }"
    compare_calls(src, "f", [(400, I64_MAX), (400, I64_MIN), (3, I64_MAX)], warm=(1, 1))


def test_non_tail_recursion_moderate_depth():
    src = "f := func(n) { if n == 0 { return 0 }; return f(n - 1) * 1 + 1 }"
    compare_calls(src, "f", [(500,), (1000,)], warm=(3,))


@pytest.mark.parametrize("body", [
    "return f(n + 1) + 1",             # non-tail
    "return n + f(n + 1)",             # accumulator form
    "if n < 0 { return 0 }; return f(n + 1) * 2",
])
def test_infinite_recursion_is_stack_overflow(body):
    src = f"""
    f := func(n) {{ {body} }}
    g := func(n) {{ if n == 0 {{ return 0 }}; return g(n - 1) }}
    r := g(3)
    r = f(0)
    """
    (cb, rb), (cj, rj) = both(src)
    assert rb[0] == "error" and "stack overflow" in rb[2]
    assert first_line(rb) == first_line(rj)
    # and from the host, after compilation
    ob = call_all(cb, "f", [(0,), (5,)], warm=(1,))
    oj = call_all(cj, "f", [(0,), (5,)], warm=(1,))
    assert [first_line(o) for o in ob] == [first_line(o) for o in oj]
    assert_compiled(cj, "f")


def test_calls_between_compiled_functions():
    src = """
    sq := func(x) { return x * x }
    hyp := func(a, b) { return sq(a) + sq(b) }
    mix := func(a, b) { return hyp(a, b) - sq(a - b) + (a > b ? sq(a) : sq(b)) }
    """
    compare_calls(src, "mix", _pairs(INTS[:14], INTS[:14]), warm=(1, 2))


def test_float_functions_calling_each_other():
    src = """
    half := func(x) { return x / 2.0 }
    avg := func(a, b) { return half(a + b) }
    """
    compare_calls(src, "avg", _pairs(FLOATS, FLOATS), warm=(1.0, 2.0))


# ---------------------------------------------------------------------------------------------
# deoptimisation: other argument types, globals changing type

def test_argument_types_change_after_compilation():
    src = "f := func(a, b) { return a + b }"
    args = [(1, 2), (I64_MAX, 1), (1.5, 2), (2, 1.5), (1.5, 2.5), ("ab", "c"), ("x", 1),
            (True, 1), (None, 1), ([1], [2]), (3, 4), (2.5, 2.5), ("s", "t"), (5, 6)]
    cj = compare_calls(src, "f", args, warm=(1, 2))
    assert records(cj, "f")[0]["deopts"] > 0


def test_argument_types_change_in_script():
    src = """
    f := func(a) { return a * 2 }
    r := []
    for i := 0; i < 5; i++ { r = append(r, f(i)) }
    r = append(r, f(1.5), f("ab"), f(3), f(-0.0), f(4))
    """
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    assert globals_of(cb) == globals_of(cj)
    assert_compiled(cj, "f")


def test_global_changes_type_in_script():
    src = """
    g := 10
    f := func(a) { return a + g }
    r := []
    for i := 0; i < 3; i++ { r = append(r, f(i)) }
    g = 2.5
    r = append(r, f(1))
    g = "s"
    r = append(r, f(1) == 1)
    g = 7
    r = append(r, f(1))
    """
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    assert globals_of(cb) == globals_of(cj)
    assert_compiled(cj, "f")


def test_global_changes_type_by_host():
    src = """
    g := 10
    f := func(a) { return a * 3 + g }
    h := func(a) { return f(a) - 1 }
    setg := func(v) { g = v }
    """
    results = []
    for jit_on in (False, True):
        c, r = compile_tier(src, jit_on)
        ctx = c.context()
        f, h, setg = c.get("f"), c.get("h"), c.get("setg")
        out = [r]
        for i in range(4):
            out += [outcome(ctx.call, f, i), outcome(ctx.call, h, i)]
        c.set("g", "str")
        out += [outcome(ctx.call, f, 1), outcome(ctx.call, h, 1)]
        c.set("g", 2.5)
        out += [outcome(ctx.call, f, 1), outcome(ctx.call, h, 1)]
        c.set("g", 4)
        out += [outcome(ctx.call, f, 1), outcome(ctx.call, h, 1)]
        out.append(outcome(ctx.call, setg, "again a string"))
        out += [outcome(ctx.call, f, 1), outcome(ctx.call, h, 1)]
        out.append(outcome(ctx.call, setg, 100))
        out += [outcome(ctx.call, f, 1), outcome(ctx.call, h, 1)]
        out.append(outcome(ctx.call, setg, None))
        out += [outcome(ctx.call, f, 1), outcome(ctx.call, h, 1)]
        results.append(out)
        if jit_on:
            assert_compiled(c, "f")
            assert_compiled(c, "h")
    assert results[0] == results[1]


def test_callee_global_replaced():
    """A compiled caller of a global function keeps calling whatever the global holds."""
    src = """
    inc := func(x) { return x + 1 }
    dbl := func(x) { return x * 2 }
    op := inc
    apply := func(x) { return op(x) + 1000 }
    """
    results = []
    for jit_on in (False, True):
        c, r = compile_tier(src, jit_on)
        ctx = c.context()
        apply = c.get("apply")
        out = [outcome(ctx.call, apply, i) for i in range(3)]
        c.set("op", c.get("dbl"))
        out += [outcome(ctx.call, apply, i) for i in range(3)]
        c.set("op", 5)
        out += [outcome(ctx.call, apply, 1)]
        c.set("op", c.get("inc"))
        out += [outcome(ctx.call, apply, 7)]
        results.append(out)
        if jit_on:
            assert_compiled(c, "apply")
    assert results[0] == results[1]


# ---------------------------------------------------------------------------------------------
# closures

def test_closure_capturing_variables():
    src = """
    mk := func(k, b) { return func(x) { return x * k + b } }
    h := mk(3, 1)
    hf := mk(0.5, -0.0)
    r := 0
    rf := 0.0
    for i := 0; i < 100; i++ { r += h(i); rf += hf(i * 1.0) }
    """
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    assert globals_of(cb) == globals_of(cj)
    assert loop_record(cj) and loop_record(cj)[0]["state"] == "compiled", jit.stats(cj.program)


def test_closure_called_from_host():
    src = """
    mk := func(k) { return func(x) { return x * k + 1 } }
    h := mk(3)
    hf := mk(2.5)
    """
    results = []
    for jit_on in (False, True):
        c, _ = compile_tier(src, jit_on)
        ctx = c.context()
        h, hf = c.get("h"), c.get("hf")
        out = [outcome(ctx.call, h, x) for x in INTS]
        out += [outcome(ctx.call, hf, x) for x in INTS[:5] + FLOATS]
        out += [outcome(ctx.call, h, x) for x in FLOATS]
        results.append(out)
        if jit_on:
            recs = [r for r in jit.stats(c.program) if r["kind"] == "function" and r["name"] != "mk"]
            assert recs and all(r["state"] == "compiled" for r in recs), jit.stats(c.program)
    assert results[0] == results[1]


def test_seed_closure_inline_execution():
    src = """
global_var := 10
make_adder := func(x) { return func(y) { return x + y + global_var } }
add_five := make_adder(5)
for i := 0; i < 1000; i++ { result := add_five(i) }
total := 0
for i := 0; i < 1000; i++ { total += add_five(i) }
"""
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    assert globals_of(cb) == globals_of(cj)
    assert cj.get("total") == sum(i + 15 for i in range(1000))
    loops = loop_record(cj)
    assert len(loops) == 2 and all(r["state"] == "compiled" for r in loops), loops
    # the host API on the same closure
    ob = call_all(cb, "add_five", [(i,) for i in range(0, 1000, 37)] + [(I64_MAX,), (1.5,)])
    oj = call_all(cj, "add_five", [(i,) for i in range(0, 1000, 37)] + [(I64_MAX,), (1.5,)])
    assert ob == oj


# ---------------------------------------------------------------------------------------------
# top-level loops over globals (native loops keep globals in registers, write them back)

SEED_LOOPS = {
    "BasicFunctionCall": """
add := func(x, y) { return x + y }
for i := 0; i < 1000; i++ { result := add(i, 5) }
""",
    "ArrayIndex": """
a := [1, 2, 3, 4, 5, 6, 7, 8, 9];
for i := 0; i < 1000; i++ { a[0]; a[1]; a[2]; a[3]; a[4]; a[5]; a[6]; a[7]; a[7]; }
""",
    "ArrayIndexCompare": """
a := [1, 2, 3, 4, 5, 6, 7, 8, 9];
for i := 0; i < 1000; i++ { 1; 2; 3; 4; 5; 6; 7; 8; 9; }
""",
    "globals_accumulate": """
sum := 0
cnt := 0
fl := 1.0
flag := false
add_five := func(x) { return x + 5 }
for i := 0; i < 1000; i++ { sum += add_five(i); cnt++; fl *= 1.01; flag = !flag }
""",
    "globals_wrap": """
h := 1469598103934665603
for i := 0; i < 1000; i++ { h ^= i; h *= 1099511628211; h = h << 1 | h >> 63 & 1 }
""",
    "globals_nested_break": """
s := 0
last := -1
for i := 0; i < 100; i++ {
    if i % 7 == 3 { continue }
    for j := i; j < 100; j += 13 { s += i * j; if s % 11 == 0 { break } }
    last = i
    if s > 1000000 { break }
}
""",
    "callee_reads_global": """
scale := 3
acc := 0
mul := func(x) { return x * scale }
for i := 0; i < 500; i++ { acc += mul(i) }
scale2 := scale
""",
    "callee_writes_global": """
counter := 0
bump := func(k) { counter += k; return counter }
last := 0
for i := 0; i < 500; i++ { last = bump(i) }
""",
    "len_array": """
arr := [1, 2, 3, 4, 5]
n := 0
for i := 0; i < len(arr) * 10; i++ { n += len(arr) }
""",
    "zero_iterations": """
s := 5
for i := 0; i < 0; i++ { s = 99 }
""",
    "float_loop": """
x := 0.0
y := 1.0
for i := 0; i < 300; i++ { x += y / 3.0; y = -y * 1.5 }
""",
}


@pytest.mark.parametrize("name", sorted(SEED_LOOPS))
def test_top_level_loops(name):
    src = SEED_LOOPS[name]
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    assert globals_of(cb) == globals_of(cj)
    loops = loop_record(cj)
    assert loops and all(r["state"] == "compiled" for r in loops), jit.stats(cj.program)
    # run again (second entry of the same native loop) on fresh globals via clone
    ob, oj = run_outcome(cb.clone()), run_outcome(cj.clone())
    assert ob[0] == oj[0] == "ok"


def test_top_level_loop_rerun_same_globals():
    src = """
    total := 0
    f := func(x) { return x % 7 }
    for i := 0; i < 1000; i++ { total += f(i) }
    """
    out = []
    for jit_on in (False, True):
        c, r = compile_tier(src, jit_on)
        vals = [r, c.get("total")]
        for _ in range(3):
            vals += [run_outcome(c), c.get("total")]
        out.append(vals)
        if jit_on:
            assert loop_record(c)[0]["state"] == "compiled"
    assert out[0] == out[1]


def test_top_level_loop_global_type_guard():
    """The loop was compiled for an int global; a host-set float/string must not reach it."""
    src = """
    g := 1
    acc := 0
    for i := 0; i < 100; i++ { acc += g }
    """
    results = []
    for jit_on in (False, True):
        c, r = compile_tier(src, jit_on)
        out = [r, globals_of(c)]
        for v in (2.5, "s", 3, None):
            c2 = c.clone()
            c2.set("g", v)
            c2.program  # same program: the compiled loop is reused
            out += [run_outcome(c2), globals_of(c2)]
        results.append(out)
        if jit_on:
            assert loop_record(c)[0]["state"] == "compiled"
    assert results[0] == results[1]


@pytest.mark.parametrize("src", [
    # the error in a callee
    """
sum := 0
cnt := 0
d := func(x) { return 100 / (x - 500) }
for i := 0; i < 1000; i++ { cnt++; sum += d(i) }
""",
    # the error in the loop body itself
    """
sum := 0
cnt := 0
fl := 0.5
for i := 0; i < 1000; i++ { cnt++; fl *= 1.5; sum += 100 % (i - 700) }
""",
    # the error two calls deep
    """
total := 7
d := func(x) { return 10 / x }
e := func(x) { return d(x - 3) + 1 }
for i := 0; i < 10; i++ { total += e(i) }
""",
])
def test_error_inside_native_loop(src):
    """Same error, same trace, and the globals written back equal what the baseline leaves."""
    (cb, rb), (cj, rj) = both(src)
    assert rb[0] == "error"
    assert globals_of(cb) == globals_of(cj)
    assert loop_record(cj) and loop_record(cj)[0]["state"] == "compiled", jit.stats(cj.program)
    assert rb == rj


# ---------------------------------------------------------------------------------------------
# runtime errors: division by zero with the baseline's trace

@pytest.mark.parametrize("src,call", [
    ("f := func(a, b) { return a / b }", (7, 0)),
    ("f := func(a, b) { return a % b }", (7, 0)),
    ("f := func(a, b) {\n  x := a\n  x /= b\n  return x\n}", (7, 0)),
    ("f := func(a, b) {\n  x := a\n  x %= b\n  return x\n}", (7, 0)),
    ("g := func(a, b) { return a / b }\nf := func(a, b) {\n  return g(a, b) + 1\n}", (7, 0)),
    ("f := func(a, b) { s := 0; for i := 0; i < 10; i++ { s += a / (b - i) }; return s }", (7, 5)),
])
def test_division_by_zero_from_host(src, call):
    (cb, _), (cj, _) = both(src)
    ob = call_all(cb, "f", [call, (8, 2), call], warm=(3, 1))
    oj = call_all(cj, "f", [call, (8, 2), call], warm=(3, 1))
    assert_compiled(cj, "f")
    assert ob[0][0] == "error" and "division by zero" in ob[0][2]
    assert ob == oj


def test_division_by_zero_trace_from_script():
    src = """
f := func(a, b) { return a / b }
g := func(a) {
    return f(a, a - 3) + 1
}
x := 0
x = g(5)
x = g(4)
x = g(3)
"""
    (cb, rb), (cj, rj) = both(src)
    assert rb[0] == "error"
    assert_compiled(cj, "g")
    assert globals_of(cb) == globals_of(cj)
    assert rb == rj


def test_division_by_zero_deep_recursion_trace():
    src = """
f := func(n) { if n == 0 { return 1 / n }; return n + f(n - 1) }
g := func(n) { if n == 0 { return 1 / n }; return g(n - 1) * 2 }
r := 0
r = f(1)
"""
    (cb, rb), (cj, rj) = both(src)
    assert rb == rj
    for name in ("f", "g"):
        ob = call_all(cb, name, [(3,), (0,)], warm=(2,))
        oj = call_all(cj, name, [(3,), (0,)], warm=(2,))
        assert_compiled(cj, name)
        assert ob == oj, name


# ---------------------------------------------------------------------------------------------
# host calls: ctx.call, ctx.bind, Closure, call_with_globals

HOST_SRC = """
g := 10
f := func(a, b) { return a * b + g }
h := func(a) { return f(a, a) - 1 }
fl := func(x) { return x / 3.0 }
"""


def _host_session(c):
    from tengojit.context import Closure
    ctx = c.context()
    f, h, fl = c.get("f"), c.get("h"), c.get("fl")
    bf, bh = ctx.bind(f), ctx.bind(h)
    out = []
    for i in range(5):
        out += [outcome(ctx.call, f, i, 3), outcome(bf, i, 2), outcome(f, i, 1),
                outcome(h, i), outcome(bh, i), outcome(fl, i * 1.0)]
    out += [outcome(ctx.call, f, I64_MAX, 2), outcome(bh, I64_MIN), outcome(fl, NAN)]
    # wrong argument types: the native entry falls back to the baseline code
    out += [outcome(f, 1.5, 2), outcome(bf, "a", 3), outcome(bh, True), outcome(fl, 3),
            outcome(bf, [1], 2), outcome(h, None)]
    # wrong argument counts
    out += [outcome(f, 1), outcome(bf, 1, 2, 3), outcome(bh), outcome(ctx.call, h, 1, 2)]
    # out of int64 range from the host
    out += [outcome(f, 2**63, 1)]
    # Closure(...) of a compiled function
    cl = Closure(f.fn, ctx)
    out += [outcome(cl, 3, 3), outcome(cl, "x", 3), outcome(cl, 2.0, 0.5), outcome(cl, 4, 4)]
    # call_with_globals over a copy
    G2 = list(ctx.G)
    G2[c.program.global_names["g"]] = 1000
    r, _ = f.call_with_globals(G2, 2, 2)
    out.append(norm(r))
    out += [outcome(ctx.map, f, [(1, 2)]) if False else outcome(ctx.map, h, range(5))]
    return out


def test_host_calls():
    (cb, _), (cj, _) = both(HOST_SRC)
    ob = _host_session(cb)
    oj = _host_session(cj)
    for name in ("f", "h", "fl"):
        assert_compiled(cj, name)
    assert ob == oj


def test_host_calls_many_times():
    """The seed's host loop: 1000 x ctx.call(add_five, i) and ctx.map on the same closure."""
    src = """
global_var := 10
make_adder := func(x) { return func(y) { return x + y + global_var } }
add_five := make_adder(5)
"""
    res = []
    for jit_on in (False, True):
        c, _ = compile_tier(src, jit_on)
        ctx = c.context()
        fn = c.get("add_five")
        out = [ctx.call(fn, i) for i in range(1000)]
        out.append(ctx.map(fn, range(1000)))
        out.append(ctx.bind(fn)(999))
        res.append(out)
        if jit_on:
            recs = [r for r in jit.stats(c.program) if r["kind"] == "function" and r["name"] != "make_adder"]
            assert recs and recs[0]["state"] == "compiled", jit.stats(c.program)
    assert res[0] == res[1]
    assert res[1][999] == 1014


def test_host_error_in_bound_call():
    src = "f := func(a, b) { return a / b }\ng := func(a) { return f(a, 0) }"
    res = []
    for jit_on in (False, True):
        c, _ = compile_tier(src, jit_on)
        ctx = c.context()
        bf, bg = ctx.bind(c.get("f")), ctx.bind(c.get("g"))
        res.append([outcome(bf, 4, 2), outcome(bf, 4, 0), outcome(bg, 1), outcome(bg, 2),
                    outcome(bf, 9, 3)])
        if jit_on:
            assert_compiled(c, "f")
            assert_compiled(c, "g")
    assert res[0] == res[1]


# ---------------------------------------------------------------------------------------------
# len(array) and discarded index expressions

def test_len_of_arrays():
    src = """
    arr := [1, 2, 3, 4]
    im := immutable([1, 2])
    f := func(a) { return len(arr) * 100 + len(im) * 10 + a }
    """
    results = []
    for jit_on in (False, True):
        c, _ = compile_tier(src, jit_on)
        ctx = c.context()
        f = c.get("f")
        out = [outcome(ctx.call, f, i) for i in range(3)]
        c.set("arr", [])
        out.append(outcome(ctx.call, f, 1))
        c.set("arr", list(range(1000)))
        out.append(outcome(ctx.call, f, 1))
        c.set("arr", {"a": 1})
        out.append(outcome(ctx.call, f, 1))
        c.set("arr", "abcdef")
        out.append(outcome(ctx.call, f, 1))
        c.set("arr", [1])
        out.append(outcome(ctx.call, f, 1))
        results.append(out)
        if jit_on:
            assert_compiled(c, "f")
    assert results[0] == results[1]


def test_discarded_index_expressions():
    src = """
    a := [1, 2, 3]
    f := func(i) { a[i]; a[i + 100]; a[-1]; return i }
    g := func(i) { a[10 / i]; return i }
    """
    compare_calls(src, "f", [(0,), (5,), (-5,), (I64_MAX,)], warm=(1,))
    compare_calls(src, "g", [(1,), (0,), (-3,)], warm=(1,))


# ---------------------------------------------------------------------------------------------
# NaN bits: the sign of a NaN is observable in Tengo (math.signbit), so it must match too

@pytest.mark.parametrize("a,b", [(0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (NAN, 0.0), (INF, INF),
                                 (-INF, INF), (0, 0.0), (0.0, 0)])
def test_nan_bits_of_division(a, b):
    src = "f := func(a, b) { return a / b }\ng := func(a, b) { return -(a / b) }"
    for name in ("f", "g"):
        res = []
        for jit_on in (False, True):
            c, _ = compile_tier(src, jit_on)
            ctx = c.context()
            outs = [ctx.call(c.get(name), a, b) for _ in range(3)]
            res.append([struct.pack("<d", x).hex() for x in outs])
            if jit_on:
                assert_compiled(c, name)
        assert res[0] == res[1], (name, a, b)


def test_nan_sign_observable_with_signbit():
    from tengojit.stdlib import get_module_map
    src = """
math := import("math")
f := func(a, b) { return a / b }
r := []
for i := 0; i < 3; i++ { r = append(r, math.signbit(f(0.0, 0.0))) }
"""
    (cb, rb), (cj, rj) = both(src, modules=get_module_map("math"))
    assert rb == rj
    # the loop runs natively, f inside it (a call of math.signbit is a call of a run-time value)
    assert_compiled(cj, "loop at (main):5:1", "loop")
    assert cb.get("r") == cj.get("r")


NEG_NAN = -NAN      # the default NaN of x86 (0.0/0.0 at run time): sign bit set
POS_NAN = NAN


@pytest.mark.parametrize("a,b", [(NEG_NAN, POS_NAN), (POS_NAN, NEG_NAN), (NEG_NAN, 1.5),
                                 (2.5, POS_NAN), (NEG_NAN, NEG_NAN), (INF, -INF)])
@pytest.mark.parametrize("op", ["+", "*", "-", "/"])
def test_nan_bits_of_two_operands(op, a, b):
    """Both NaN: ``+`` and ``*`` give the right one (the reference's machine code), ``-`` and
    ``/`` the left one; one NaN: that one; a fresh NaN (inf - inf): the default NaN."""
    src = f"f := func(a, b) {{ return a {op} b }}"
    res = []
    for jit_on in (False, True):
        c, _ = compile_tier(src, jit_on)
        ctx = c.context()
        res.append([struct.pack("<d", ctx.call(c.get("f"), a, b)).hex() for _ in range(3)])
        if jit_on:
            assert_compiled(c, "f")
    assert res[0] == res[1], (op, a, b)
    if math.isnan(a) and math.isnan(b):
        want = b if op in "+*" else a
        assert res[0][0] == struct.pack("<d", want).hex()


@pytest.mark.parametrize("expr,negative", [
    ("-(0.0 / 0.0) + 0.0", False),     # a negation LLVM would fold into the addition
    ("-(0.0 / 0.0) * 1.5", False),
    ("(0.0 / 0.0) * -1", True),        # -1 is an int the optimiser sees as a constant
    ("(0.0 / 0.0) / -1", True),
    ("math.sqrt(-1)", True),           # SQRTSD's default NaN, not a folded one
    ("math.sqrt(float(0 - 1))", True),
    ("-(0.0 / 0.0) + (0.0 / 0.0)", True),
    ("(0.0 / 0.0) * -(0.0 / 0.0)", False),
])
def test_nan_sign_of_constant_expressions_in_native_code(expr, negative):
    """Constant operands inside a native loop: LLVM must not fold them with its own NaNs."""
    from tengojit.stdlib import get_module_map
    src = f"""
math := import("math")
f := func(a, b) {{ return a + b }}
r := []
for i := 0; i < 3; i++ {{ r = append(r, math.signbit({expr}), math.signbit(f({expr}, 0.0))) }}
"""
    (cb, rb), (cj, rj) = both(src, modules=get_module_map("math"))
    assert rb == rj
    assert_compiled(cj, "loop at (main):5:1", "loop")
    assert cb.get("r") == cj.get("r") == [negative] * 6, expr


@pytest.mark.parametrize("first_call", [
    "f(n, 0)",          # a self tail call: the chain stays in the ring's first copy
    "f(n, 0) * 1",      # a real call: the chain runs in the second copy of the ring
    "1 * f(n, 0) + 0",
])
def test_deep_accumulator_chain_below_a_real_call_overflows(first_call):
    """Accumulator jumps are virtual frames: a long ``1 + f(n-1)`` chain that starts one real
    (non-accumulator) call down must still exhaust the depth budget, as the baseline does, in
    whichever copy of a recursion ring it runs."""
    src = ("f := func(n, k) { if k == 1 { return " + first_call + " }; if n == 0 { return 0 }; "
           "return 1 + f(n-1, k) }")
    (cb, _), (cj, _) = both(src)
    ob = call_all(cb, "f", [(10, 1), (100000, 1)], warm=(3, 1))
    oj = call_all(cj, "f", [(10, 1), (100000, 1)], warm=(3, 1))
    assert_compiled(cj, "f")
    assert ob[0] == oj[0] == ("ok", ("int", 10))
    # the depth and trace of a stack overflow may differ between tiers; the error may not
    assert ob[1][0] == oj[1][0] == "error"
    assert ob[1][2].splitlines()[0] == oj[1][2].splitlines()[0] == "Runtime Error: stack overflow"


@pytest.mark.parametrize("body", [
    "return f(1) + f(n - 1)",          # the accumulated operand is a self call that returns at once
    "return f(0) * 0 + f(n - 1)",
    "return f(n - 2) + f(n - 1)",      # fib-shaped, but deep enough to overflow
])
def test_accumulator_chain_after_shallow_self_calls_overflows(body):
    """An accumulator jump after a real self call needs no depth test of its own only because
    that call tests the (already reduced) depth on entry — also when it returns at once."""
    src = "f := func(n) { if n < 2 { return n }; " + body + " }"
    (cb, _), (cj, _) = both(src)
    args = [(10,), (100000,)]
    ob = call_all(cb, "f", args, warm=(3,))
    oj = call_all(cj, "f", args, warm=(3,))
    assert_compiled(cj, "f")
    assert ob[0] == oj[0] and ob[0][0] == "ok"
    assert ob[1][0] == oj[1][0] == "error"
    assert ob[1][2].splitlines()[0] == oj[1][2].splitlines()[0] == "Runtime Error: stack overflow"


def test_stack_overflow_counts_baseline_and_native_frames():
    """A native call at the bottom of a deep baseline recursion: the frames add up.

    h (not eligible: it uses a string) recurses 4000 deep on the baseline tier, then calls the
    compiled g, which recurses 4000 deeper natively: 8000 frames, clearly above the limit the
    baseline enforces (~6000), so both tiers must report ``stack overflow``.
    """
    src = """
g := func(n) { if n == 0 { return 0 }; return g(n-1) * 1 + 1 }
h := func(n) { s := "x"; if n == 0 { return g(4000) }; return h(n - 1) * 1 }
w := g(3)
r := h(4000)
"""
    (cb, rb), (cj, rj) = both(src)
    assert rb[0] == "error" and "stack overflow" in rb[2]
    assert_compiled(cj, "g")
    assert first_line(rb) == first_line(rj)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_comparison_operands_evaluate_in_tengo_order(op):
    """Tengo compiles ``a < b`` as ``b > a`` (and ``<=`` as ``>=``): the right operand runs
    first, so when both raise, the error (and its position) is the right one's. Found by the
    slow JIT fuzz: ``(p / p) < (p / p)`` at p = 0 pointed at the left division natively."""
    src = "f := func(p, q) { return (10 / p) " + op + " (10 / q) }"
    compare_calls(src, "f", [(0, 0), (0, 1), (1, 0), (2, 5)], warm=(1, 1))
