"""Math functions native code computes itself (``jit/intrinsics.py``): for every argument
kind and edge value, ``math.<f>(x)`` gives the baseline tier's result bit for bit (NaN, ±0,
±Inf included), and a callee that only looks like the module's function is called as itself."""
from __future__ import annotations

import struct

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError
from tengojit.stdlib import get_module_map

from tengojit.jit.intrinsics import UNARY_FLOAT, unary_float

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT is not available here")

I64_MAX = 2**63 - 1
ARGS = [0, 1, -1, 7, -7, 1 << 31, -(1 << 40), I64_MAX, -I64_MAX - 1,
        0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 2.0, 1e300, -1e300, 5e-324,
        float("inf"), float("-inf"), float("nan"), "16", "x", None, True, [4]]


def exact(v):
    """A comparable form that tells -0.0 from 0.0 and keeps NaN equal to NaN."""
    if isinstance(v, float):
        return ("float", struct.pack("<d", v))
    return (type(v).__name__, repr(v))


def outcomes(src, jit_on, fname, args):
    opts = {"jit": True, "jit_threshold": 0} if jit_on else {"jit": False}
    s = Script(src, **opts)
    s.set_imports(get_module_map("math"))
    c = s.compile()
    c.run()
    ctx = c.context()
    f = c.get(fname)
    out = []
    for a in args:
        try:
            out.append(("ok", exact(ctx.call(f, a))))
        except TengoError as e:
            out.append(("error", str(e).split("\n")[0]))
    return c, out


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
def test_math_function_matches_baseline(name):
    # an argument of any type: the native code tests the callee and the argument at run time
    src = f'math := import("math")\nf := func(x) {{ return math.{name}(x) }}\n'
    _, base = outcomes(src, False, "f", ARGS)
    c, nat = outcomes(src, True, "f", ARGS)
    # the math module registered the function: the native code computes it itself
    assert unary_float(name) is not None
    recs = [r for r in jit.stats(c.program) if r["name"] == "f"]
    assert recs and recs[0]["state"] == "compiled", recs
    assert base == nat


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
def test_math_function_on_typed_float_and_int(name):
    src = (f'math := import("math")\n'
           f'f := func(x) {{ y := x * 1.0; z := 3; return [math.{name}(y), math.{name}(z - 5)] }}\n')
    floats = [a for a in ARGS if isinstance(a, float)]
    _, base = outcomes(src, False, "f", floats)
    _, nat = outcomes(src, True, "f", floats)
    assert base == nat


def test_lookalike_callee_is_called():
    src = ('math := import("math")\n'
           'm := {sqrt: func(x) { return "mine" }}\n'
           'f := func(x) { return [m.sqrt(x), math.sqrt(x)] }\n')
    _, base = outcomes(src, False, "f", [4, 2.25])
    _, nat = outcomes(src, True, "f", [4, 2.25])
    assert base == nat
    assert nat[0] == ("ok", ("list", repr(["mine", 2.0])))
