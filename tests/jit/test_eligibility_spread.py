"""A function that native code cannot take does not keep its callers off the JIT: they call it
as a run-time value (it runs on its own tier) and are compiled themselves; results and errors
stay the baseline tier's."""
from __future__ import annotations

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

# ``helper`` makes closures that write a ``for-in`` variable they capture: not eligible
SRC = """
helper := func(x) {
    found := false
    for w in [1, 2, 3] {
        each := func() { if w == x { w = -1 } }
        each()
        if w < 0 { found = true }
    }
    return found
}
caller := func(n) {
    c := 0
    for i := 0; i < n; i++ { if helper(i % 5) { c += 1 } }
    return c
}
out := [caller(50), caller(7)]
"""


def _run(src, jit_on):
    c = Script(src, jit=jit_on, jit_threshold=0, jit_background=False).compile()
    try:
        c.run()
        return c, ("ok", norm(c.get("out")))
    except TengoError as e:
        return c, ("error", str(e))


def test_a_caller_of_a_function_that_is_not_eligible_is_compiled():
    _, base = _run(SRC, False)
    c, native = _run(SRC, True)
    assert native == base
    assert c.get("out") == [30, 4]
    states = {r["name"]: r["state"] for r in jit.stats(c.program)}
    assert states["helper"] == "not eligible"
    assert states["caller"] == "compiled"


def test_an_error_in_the_function_called_as_a_value_is_the_baselines():
    src = SRC.replace("return found", "return found + {}")
    _, base = _run(src, False)
    _, native = _run(src, True)
    assert base[0] == "error" and native == base

