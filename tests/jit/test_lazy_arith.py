"""Arithmetic over values of any type in native code, with float results left unboxed between
the operators of one expression (``lower.Lazy``).

Each case is one expression over the fields of a map (so every operand is a dynamic value) run
on the baseline tier and with the JIT forced: the value — floats bit for bit — or the error
must be the same, for every kind of field value: floats (signed zeros, infinities), ints
(wrap-around, zero divisors), a mix, strings, chars and undefined. ``f`` must be compiled.
"""
from __future__ import annotations

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

EXPRESSIONS = [
    "m.a * m.b + m.c",
    "(m.a - m.b) * (m.c + m.a) / m.b",
    "m.a + m.b * m.c - m.a % m.b",
    "-(m.a * m.b) + m.c * m.c",
    "m.a * 2.0 + m.b * 3 - 1.5",
    "m.a / m.b / m.c",
    "(m.a + m.b) + (m.b + m.c) + (m.c + m.a)",
    "m.a * 0.0 * m.b",
]

VALUES = {
    "floats": "1.5, 2.25, -3.0",
    "ints": "3, 4, 5",
    "mixed": "1.5, 2, 3.0",
    "signed_zeros": "0.0, -0.0, 0.0",
    "overflow_to_inf": "1e308, 1e308, -1e308",
    "int_wrap": "9223372036854775807, 2, -9223372036854775807",
    "zero_divisor": "7, 0, 2",
    "strings": "\"x\", \"y\", \"z\"",
    "chars": "'a', 1, 2",
    "undefined": "undefined, 1.5, 2",
}


def _outcome(src, jit_on):
    c = Script(src, jit=jit_on, jit_threshold=0, jit_background=False).compile()
    try:
        c.run()
        return c, ("ok", norm(c.get("out")))
    except TengoError as e:
        return c, ("error", str(e))


@pytest.mark.parametrize("values", sorted(VALUES))
@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_dynamic_arithmetic_agrees_with_the_baseline(expr, values):
    a, b, c = (v.strip() for v in VALUES[values].split(","))
    src = (f"f := func(m) {{ return {expr} }}\n"
           f"out := f({{a: {a}, b: {b}, c: {c}}})\n")
    _, base = _outcome(src, False)
    prog, native = _outcome(src, True)
    assert native == base
    assert [r["state"] for r in jit.stats(prog.program) if r["name"] == "f"] == ["compiled"]


def test_an_unboxed_result_keeps_the_sign_of_zero():
    """Tengo keeps the left operand when ``a op b == a`` (``0.0 * -1.0`` is ``0``): the
    unboxed intermediate results follow the same rule."""
    src = "f := func(m) { return m.z * m.n * 1.0 }\nout := [f({z: 0.0, n: -1.0}), " \
          "f({z: -0.0, n: 1.0})]\n"
    _, base = _outcome(src, False)
    _, native = _outcome(src, True)
    assert native == base
