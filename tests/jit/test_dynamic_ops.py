"""Operations on values of any type (``OBJ`` in native code) with inline fast paths: for
every kind of operand and edge value the native result (or error) equals the baseline's
bit for bit."""
from __future__ import annotations

import struct

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT is not available here")

I64_MAX = 2**63 - 1
OPERANDS = [0, 1, -1, 5, -5, (1 << 30) - 1, 1 << 30, -(1 << 30), 1 << 31, I64_MAX, -I64_MAX - 1,
            0.0, -0.0, 2.5, -2.5, float("inf"), float("-inf"), float("nan"),
            "s", True, False, None, [1], {"a": 1}]


def exact(v):
    if isinstance(v, float):
        return ("float", struct.pack("<d", v))
    return (type(v).__name__, repr(v))


def results(src, jit_on):
    opts = {"jit": True, "jit_threshold": 0} if jit_on else {"jit": False}
    c = Script(src, **opts).compile()
    c.run()
    ctx = c.context()
    f = c.get("f")
    out = []
    for a in OPERANDS:
        try:
            out.append(("ok", exact(ctx.call(f, a))))
        except TengoError as e:
            out.append(("error", str(e).split("\n")[0]))
    return c, out


@pytest.mark.parametrize("op", ["-", "^"])
def test_unary_on_any_value(op):
    # ``y`` holds values of several types, so it is a value of any type in native code
    src = f"f := func(x) {{ y := [x][0]; return {op}y }}"
    _, base = results(src, False)
    c, nat = results(src, True)
    recs = [r for r in jit.stats(c.program) if r["name"] == "f"]
    assert recs and recs[0]["state"] == "compiled", recs
    assert base == nat
