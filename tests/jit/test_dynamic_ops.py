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



INDEX_BASES = ["undefined", "immutable({a: 1, b: [2]})", "{a: 1}", "[1, 2]", '"ab"', "math",
               "error(1)", "1", "true"]
INDEX_KEYS = ['"a"', '"b"', '"zz"', '"sqrt"', "0", "1", "-1", "1.5", "undefined", "true"]


@pytest.mark.parametrize("base", INDEX_BASES)
def test_index_and_selector_on_any_base(base):
    # ``undefined[k]`` and immutable maps (modules) read inline; everything else, and every
    # error, as the runtime gives it. The base never leaves the script (a module or an
    # immutable map handed to the host would come back converted).
    from tengojit.stdlib import get_module_map
    src = f"""
math := import("math")
b := {base}
keys := [{", ".join(INDEX_KEYS)}]
get := func(x, k) {{ return x[k] }}
sel := func(x) {{ return [x.a, x.sqrt, x.zz] }}
by_key := func(i) {{ v := get(b, keys[i]); return is_function(v) ? "function" : v }}
by_sel := func() {{ v := sel(b); return [v[0], is_function(v[1]) ? "function" : v[1], v[2]] }}
"""
    outs = {}
    for jit_on in (False, True):
        opts = {"jit": True, "jit_threshold": 0} if jit_on else {"jit": False}
        s = Script(src, **opts)
        s.set_imports(get_module_map("math"))
        c = s.compile()
        c.run()
        ctx = c.context()
        got = []
        for i in range(len(INDEX_KEYS) + 1):
            try:
                r = ctx.call(c.get("by_key"), i) if i < len(INDEX_KEYS) else ctx.call(c.get("by_sel"))
                got.append(("ok", repr(r)))
            except TengoError as e:
                got.append(("error", str(e).split("\n")[0]))
        outs[jit_on] = got
        if jit_on:
            assert all(r["state"] == "compiled" for r in jit.stats(c.program)
                       if r["name"] in ("get", "sel")), jit.stats(c.program)
    assert outs[True] == outs[False]
