"""Call entries: native code calling a compiled function it knows only at run time (a closure
from a map, an argument) enters it through the *call entry* its code object holds
(``jit.code_entry``). A function compiled for its baseline callers gets a prologue entry only;
its code object holds a ``LazyCallEntry`` until native code first calls it that way, which
compiles the call entry (a module of that wrapper alone, over the code compiled with the
prologue) and puts it in its place. Results are the baseline tier's either way."""
from __future__ import annotations

import ctypes

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

# ``double`` is compiled at its first call, from the main body (prologue entry only)
DIRECT_ONLY = """
double := func(x) { return x * 2 }
out := double(21)
"""

# then ``apply`` calls it through a map: a call of a run-time value from native code
THROUGH_A_MAP = """
double := func(x) { return x * 2 }
first := double(21)
ops := {d: double}
apply := func(n) { s := 0; for i := 0; i < n; i++ { s += ops.d(i) }; return s }
out := [first, apply(300), apply(10)]
"""

# the same, with an error raised inside the callee reached through the call entry
ERROR_INSIDE = """
div := func(a, b) { return a / b }
first := div(10, 2)
ops := {d: div}
apply := func(n) { s := 0; for i := 0; i < n; i++ { s += ops.d(100, 3 - i) }; return s }
out := [first, apply(2)]
bad := apply(5)
"""


def _compiled(src, jit_on, threshold=0):
    c = Script(src, jit=jit_on, jit_threshold=threshold, jit_background=False).compile()
    return c


def _slot(compiled, name):
    """The object in the call-entry slot of ``name``'s code object, or None."""
    from tengojit.jit import code_entry
    addr = code_entry.get(compiled.get(name).fn.__code__)
    return ctypes.cast(addr, ctypes.py_object).value if addr else None


def test_a_function_compiled_for_baseline_callers_holds_a_lazy_call_entry():
    from tengojit.jit.dispatch import LazyCallEntry
    c = _compiled(DIRECT_ONLY, True)
    c.run()
    assert norm(c.get("out")) == ("int", 42)
    rec = {r["name"]: r for r in jit.stats(c.program)}["double"]
    assert rec["state"] == "compiled"
    assert isinstance(_slot(c, "double"), LazyCallEntry)


def test_the_first_call_from_native_code_compiles_the_call_entry():
    from tengojit.jit.dispatch import LazyCallEntry
    base = _compiled(THROUGH_A_MAP, False)
    base.run()
    c = _compiled(THROUGH_A_MAP, True)
    c.run()
    assert norm(c.get("out")) == norm(base.get("out")) == (
        "list", [("int", 42), ("int", 2 * sum(range(300))), ("int", 2 * sum(range(10)))])
    slot = _slot(c, "double")
    assert slot is not None and not isinstance(slot, LazyCallEntry)
    assert type(slot).__name__ == "builtin_function_or_method"
    stats = {r["name"]: r for r in jit.stats(c.program)}
    assert stats["double"]["state"] == stats["apply"]["state"] == "compiled"


def test_errors_inside_a_lazily_compiled_call_entry_match_the_baseline():
    outs = []
    for jit_on in (False, True):
        c = _compiled(ERROR_INSIDE, jit_on)
        with pytest.raises(Exception) as e:
            c.run()
        outs.append((str(e.value), norm(c.get("out"))))
    assert outs[0] == outs[1]
    assert "division by zero" in outs[0][0]


def test_a_call_entry_that_fails_to_compile_leaves_the_baseline_path(monkeypatch):
    from tengojit.jit import dispatch
    real = dispatch._compile

    def failing(program, entry, kinds, rec=None, runs=None):
        if runs is not None:
            raise RuntimeError("injected compile failure")
        return real(program, entry, kinds, rec, runs)
    monkeypatch.setattr(dispatch, "_compile", failing)
    base = _compiled(THROUGH_A_MAP, False)
    base.run()
    c = _compiled(THROUGH_A_MAP, True)
    c.run()
    assert norm(c.get("out")) == norm(base.get("out"))
    assert _slot(c, "double") is None        # emptied: calls go to the baseline code


def test_a_lazy_call_entry_does_not_keep_its_program_alive():
    import gc
    import weakref
    c = _compiled(DIRECT_ONLY, True)
    c.run()
    ref = weakref.ref(c.program)
    del c
    gc.collect()
    assert ref() is None


# ``apply`` calls ``double`` through a map, as above; here both are made hot from the host
BACKGROUND = """
double := func(x) { return x * 2 }
ops := {d: double}
apply := func(n) { s := 0; for i := 0; i < n; i++ { s += ops.d(i) }; return s }
"""


def test_with_the_background_compiler_the_call_entry_compiles_on_the_worker(monkeypatch):
    """The call that finds a ``LazyCallEntry`` runs the baseline code and queues the compile:
    a script never waits for it (nor for the compiles queued before it)."""
    import threading
    from tengojit.jit import dispatch
    real = dispatch._compile
    threads = []

    def recording(program, entry, kinds, rec=None, runs=None):
        if runs is not None:
            threads.append(threading.current_thread().name)
        return real(program, entry, kinds, rec, runs)
    monkeypatch.setattr(dispatch, "_compile", recording)
    c = Script(BACKGROUND, jit=True, jit_threshold=2, jit_background=True).compile()
    c.run()
    ctx = c.context()
    double, apply = c.get("double"), c.get("apply")
    for _ in range(3):
        assert ctx.call(double, 21) == 42
    assert jit.wait(60)
    assert _slot(c, "double") is not None
    for _ in range(3):
        assert ctx.call(apply, 5) == 20
    assert jit.wait(60)
    results = [ctx.call(apply, 300) for _ in range(3)]
    assert jit.wait(60)
    assert results == [2 * sum(range(300))] * 3
    stats = {r["name"]: r for r in jit.stats(c.program)}
    assert stats["double"]["state"] == stats["apply"]["state"] == "compiled"
    assert threads and set(threads) == {"tengojit-compiler"}
    slot = _slot(c, "double")
    assert type(slot).__name__ == "builtin_function_or_method"
    assert ctx.call(apply, 300) == 2 * sum(range(300))
