"""Behaviours the reference CLI (current Tengo) shows that its own test corpus does not pin:
operands evaluate left to right even when the right one assigns the left one through a
closure; a float result equal to the float left operand is that operand (signed zeros);
``<``/``<=`` are operators of their own (their error texts name them, left type first).

Expected values were produced by the reference CLI built from github.com/d5/tengo.
"""
import math

import pytest

from tengojit import TengoError
from tests.helpers import run_script


def _out(make_script, src):
    return run_script(make_script, src).get("out")


def test_captured_left_operand_is_read_before_the_right_operand_runs(make_script):
    src = """
    f := func() {
        l := 27
        cl := func(q) { l = (l - q) | 1023; return l + 10 }
        p := l + cl(-12)
        a := [1, 2, 3]
        ca := func() { a = [7, 8, 9]; return 1 }
        i := a[ca()]
        m := {x: 1}
        cm := func() { m = {x: 5}; return "x" }
        k := m[cm()]
        l = 5
        l += cl(1)
        s := "ab"
        cs := func() { s = "zz"; return "c" }
        return [p, i, k, l, s + cs()]
    }
    out := f()
    """
    assert _out(make_script, src) == [1060, 2, 1, 1038, "abc"]


def test_global_left_operand_is_read_before_the_call(make_script):
    src = """
    g := 3
    cg := func() { g = 100; return 1 }
    out := [g + cg(), g]
    """
    assert _out(make_script, src) == [4, 100]


def _bits(x):
    return math.copysign(1.0, x) < 0


@pytest.mark.parametrize("expr,negative", [
    ("0.0 * -1.0", False),      # -0 == 0: the left operand, +0
    ("-0.0 + 0.0", True),       # 0 == -0: the left operand, -0
    ("0.0 / -5.0", False),
    ("-0.0 * 5", True),
    ("0.0 * -5", False),        # float left, int right: the rule holds
    ("0 * -1.0", True),         # int left: a new float, IEEE's -0
    ("-0.0 - 0.0", True),
])
def test_float_result_equal_to_left_operand_is_the_left_operand(make_script, expr, negative):
    # through variables (the dynamic paths), literals and a function called many times (the
    # JIT's native code when the tier compiles)
    left, op, right = expr.split(" ")
    src = f"""
    a := {left}
    b := {right}
    f := func(x, y) {{ return x {op} y }}
    r := []
    for i := 0; i < 3; i++ {{ r = append(r, f(a, b)) }}
    c := a
    c {op}= b
    out := [a {op} b, {expr}, r[2], c]
    """
    got = _out(make_script, src)
    assert [_bits(x) for x in got] == [negative] * 4
    assert all(x == 0 for x in got)


def test_float_chain_applies_the_rule_at_every_step(make_script):
    src = """
    z := -0.0
    a := 0.0
    one := 1.0
    out := [z * one + a, (z + a) * 2.0, a * -1.0 - z]
    """
    got = _out(make_script, src)
    # -0*1 = -0 (left -0); -0 + 0 = 0 == left: -0.  (-0 + 0 -> -0) * 2 -> -0.
    # 0 * -1 = -0 == 0: left, +0; 0 - -0 = 0: +0
    assert [_bits(x) for x in got] == [True, True, False]


@pytest.mark.parametrize("expr,message", [
    ("1.5 < {}", "invalid operation: float < map"),
    ("1.5 <= []", "invalid operation: float <= array"),
    ('"a" < 1', "invalid operation: string < int"),
    ("{} > 1.5", "invalid operation: map > float"),
])
def test_comparison_errors_name_the_operator_written(make_script, expr, message):
    with pytest.raises(TengoError) as e:
        run_script(make_script, f"out := {expr}")
    assert message in str(e.value)


def test_less_than_evaluates_left_operand_first(make_script):
    src = """
    log := []
    l := func(v) { log = append(log, "l"); return v }
    r := func(v) { log = append(log, "r"); return v }
    x := l(1) < r(2)
    y := l(1) <= r(2)
    out := [x, y, log]
    """
    assert _out(make_script, src) == [True, True, ["l", "r", "l", "r"]]


def test_long_float_chains_keep_the_rule_and_compile_small(make_script):
    # the rule writes small operands twice (one per branch): nested chains must not grow
    # exponentially (31 terms would be 2**30 copies); values recorded from the reference
    terms = " + ".join(["a", "b", "c"] * 10 + ["a"])
    prod = "a * (b * (c * (a * (b * (c * (a * (b * (c * (a * (b * (c * (a * (b * (c * " \
           "(a * (b * (c * a)))))))))))))))))"
    diffs = " - ".join(["b", "c"] * 16)
    src = f"""
    a := 0.5
    b := -0.0
    c := 0.0
    out := [{terms}, {prod}, {diffs}]
    """
    got = _out(make_script, src)
    assert got[0] == 5.5
    assert [_bits(x) for x in got[1:]] == [True, True] and got[1] == got[2] == 0
