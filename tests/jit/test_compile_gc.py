"""A compile pauses the cyclic collector and frees its own garbage right after
(``dispatch._compile``): the collector's state is the host's again afterwards, and the IR
object graphs of the compile do not survive it."""
from __future__ import annotations

import gc

import pytest

import tengojit.jit as jit
from tengojit import Script

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

SRC = "f := func(m, n) { s := 0.0; for i := 0; i < n; i++ { s += m.x * 1.5 }; return s }"


def _compile_once():
    c = Script(SRC, jit=True, jit_threshold=0, jit_background=False).compile()
    c.run()
    assert c.context().call(c.get("f"), {"x": 2.0}, 3) == 9.0
    assert [r["state"] for r in jit.stats(c.program) if r["name"] == "f"] == ["compiled"]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_the_host_had_it(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        _compile_once()
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_a_compile_leaves_no_ir_objects_behind():
    import llvmlite.ir as ir
    _compile_once()                       # the engine and its first-compile state
    gc.collect()

    def ir_objects():
        return sum(1 for o in gc.get_objects() if isinstance(o, (ir.Instruction, ir.Block)))
    before = ir_objects()
    _compile_once()
    # (nothing collected in between: what the compile made is already gone)
    assert ir_objects() <= before
