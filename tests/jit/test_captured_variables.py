"""Captured variables and native code. A captured variable that something assigns after its
definition lives in a cell, which native code reads and writes (``spec.cell_syms``: a
closure's captured variables that closures assign; ``spec.own_cells``: a function's variables
that closures capture and something assigns); any other captured variable is read once, on
entry. A loop of a function body may use a captured variable natively when nothing assigns it
after its definition. Results are the baseline tier's either way."""
from __future__ import annotations

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

# ``f`` reads ``x`` after calling ``g``, which assigns it: every read must see the new value
READ_AFTER_WRITE = """
outer := func() {
    x := 1
    g := func() { x = x + 5 }
    f := func(n) { s := 0; for i := 0; i < n; i++ { g(); s += x }; return s }
    return f(10)
}
t := 0
for i := 0; i < 30; i++ { t += outer() }
out := t
"""

# the loop of ``run`` makes closures over ``base`` and ``hits`` (never assigned after their
# definitions) and over ``count`` (assigned by a closure); ``run`` is called once, so only its
# loop can become native (at a back-edge)
LOOP = """
each := func(arr, fn) { for i := 0; i < len(arr); i++ { fn(arr[i]) } }
run := func(n) {
    base := 7
    hits := {total: 0}
    count := 0
    for i := 0; i < n; i++ {
        each([i, i + base], func(v) { hits.total += v + base })
        if i % 2 == 0 { each([i], func(v) { if v % 3 == 0 { count++ } }) }
    }
    return [hits.total, count]
}
out := run(3000)
"""


def _run(src, jit_on, threshold=0):
    c = Script(src, jit=jit_on, jit_threshold=threshold, jit_background=False).compile()
    c.run()
    return c, norm(c.get("out"))


def test_a_function_reading_a_variable_a_closure_assigns_sees_every_write():
    _, base = _run(READ_AFTER_WRITE, False)
    c, native = _run(READ_AFTER_WRITE, True)
    assert base == native == ("int", 30 * sum(5 * k + 1 for k in range(1, 11)))
    rec = {r["name"]: r for r in jit.stats(c.program)}
    # outer makes x's cell, g writes it, f reads it after every call of g: all native
    assert [rec[n]["state"] for n in ("outer", "f", "g")] == ["compiled"] * 3
    assert rec["f"]["deopts"] == rec["g"]["deopts"] == 0


# each call has its own variables: a self tail call (a jump in native code) and a recursive
# call make fresh cells; closures made by one call keep seeing that call's variable
PER_CALL = """
tail := func(n, acc) {
    x := n
    acc = append(acc, func() { return x })
    x = x * 10
    if n == 0 { return acc }
    return tail(n - 1, acc)
}
rec := func(n) {
    x := n
    bump := func() { x++ }
    if n > 0 { bump(); return rec(n - 1) * 100 + x }
    bump()
    return x
}
out := []
for i := 0; i < 20; i++ {
    fs := tail(3, [])
    out = [fs[0](), fs[1](), fs[2](), fs[3](), rec(3)]
}
"""


def test_every_call_has_its_own_cells():
    _, base = _run(PER_CALL, False)
    c, native = _run(PER_CALL, True)
    assert base == native
    assert native[1][:4] == [("int", 30), ("int", 20), ("int", 10), ("int", 0)]
    assert native[1][4] == ("int", 1020304)
    rec = {r["name"]: r for r in jit.stats(c.program)}
    assert rec["tail"]["state"] == rec["rec"]["state"] == "compiled"


# a closure whose captured variable closures assign is called natively through its cell, by
# native code and by the host; its baseline code (which holds values, not cells) is not
# entered from the baseline tier
CALLED = """
mk := func() {
    n := 0
    return {inc: func(d) { n += d; return n }, get: func() { return n }}
}
counter := mk()
drive := func(k) { s := 0; for i := 0; i < k; i++ { s += counter.inc(i) }; return s }
out := [drive(100), counter.get()]
"""


def test_a_closure_writing_through_its_cell_runs_natively():
    _, base = _run(CALLED, False)
    c, native = _run(CALLED, True)
    assert base == native
    rec = {r["name"]: r for r in jit.stats(c.program)}
    inc = [r for r in jit.stats(c.program) if r["kind"] == "function" and r["name"].startswith("func#")]
    assert rec["drive"]["state"] == "compiled"
    assert inc and all(r["state"] == "compiled" for r in inc)
    ctx = c.context()
    counter = c.get("counter")
    assert ctx.call(counter["inc"], 5) == 4955          # the host call writes the same cell
    assert ctx.call(counter["get"]) == 4955
    assert sum(r["deopts"] for r in inc) == 0


@pytest.mark.parametrize("assigned", [False, True])
def test_a_loop_uses_a_captured_variable_that_is_not_assigned(assigned):
    src = LOOP if assigned else LOOP.replace(
        "if i % 2 == 0 { each([i], func(v) { if v % 3 == 0 { count++ } }) }", "")
    _, base = _run(src, False)
    c, native = _run(src, True, threshold=100)
    assert native == base
    loops = [r for r in jit.stats(c.program) if r["kind"] == "loop" and ":7:5" in r["name"]]
    assert len(loops) == 1
    if assigned:
        assert loops[0]["state"] == "not eligible"
        assert "'count' is captured" in loops[0]["reason"]
    else:
        assert loops[0]["state"] == "compiled" and loops[0]["osr"] >= 1


# a per-iteration variable that closures assign: each definition makes a fresh box, which the
# closures made in that iteration share
PER_ITERATION = """
each := func(arr, fn) { for i := 0; i < len(arr); i++ { fn(arr[i]) } }
sums := func(n) {
    out := []
    fs := []
    for i := 0; i < n; i++ {
        c := i
        each([1, 2, 3], func(v) { c += v * i })
        fs = append(fs, func() { c = c * 2; return c })
        out = append(out, c)
    }
    return [out, fs[0](), fs[1](), fs[1](), fs[n - 1]()]
}
out := sums(6)
"""


def test_per_iteration_variables_closures_assign_live_in_boxes():
    _, base = _run(PER_ITERATION, False)
    c, native = _run(PER_ITERATION, True)
    assert base == native
    assert native[1][1:] == [("int", 0), ("int", 14), ("int", 28), ("int", 70)]
    assert {r["name"]: r["state"] for r in jit.stats(c.program)}["sums"] == "compiled"
