"""Function literals in native code: a compiled function or loop makes closures itself (the
same code object as the baseline's nested ``def``, a fresh cell per captured variable) when
no captured variable can change after the closure is made; otherwise it stays on the
baseline tier with the reason in ``stats()``. Results are the baseline's either way."""
from __future__ import annotations

import gc
import sys

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError
from tengojit.stdlib import get_module_map

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT is not available here")


def run(src, jit_on, **symbols):
    opts = {"jit": True, "jit_threshold": 0} if jit_on else {"jit": False}
    s = Script(src, **opts)
    s.set_imports(get_module_map("fmt", "text"))
    for k, v in symbols.items():
        s.add(k, v)
    c = s.compile()
    try:
        c.run()
    except TengoError as e:
        return c, ("error", str(e))
    return c, ("ok", c.get("out"))


def state(c, name):
    recs = [r for r in jit.stats(c.program) if r["name"] == name]
    assert recs, jit.stats(c.program)
    return recs[0]


NATIVE = {
    "captures a parameter": """
adder := func(n) { return func(x) { return x + n } }
out := [adder(1)(2), adder(-5)(5), adder(1.5)(1), adder("a")("b")]
""",
    "captures locals of several types": """
make := func(a) {
    s := "s" + a
    f := 2.5
    b := a == "x"
    arr := [1, 2]
    m := {k: a}
    return func() { return [s, f, b, arr, m.k, len(arr)] }
}
out := [make("x")(), make("y")()]
""",
    "captured array shared with its maker": """
sum_over := func(arr, k) {
    total := [0]
    each := func(xs, fn) { for x in xs { fn(x) } }
    each(arr, func(x) { total[0] += x * k })
    return total[0]
}
out := [sum_over([1, 2, 3], 2), sum_over([], 7)]
""",
    "captures a variable of an enclosing closure": """
outer := func(a) {
    mid := func(b) {
        return func(c) { return a * 100 + b * 10 + c }
    }
    return mid
}
out := [outer(1)(2)(3), outer(4)(5)(6)]
""",
    "closures made in a loop, each with its own value": """
make_all := func(n) {
    fs := []
    base := n * 10
    for i := 0; i < n; i++ {
        fs = append(fs, func(x) { return x + base })
    }
    return fs
}
out := []
for f in make_all(3) { out = append(out, f(1)) }
""",
    "per-iteration variables, each closure its own": """
f := func(xs) {
    fs := []
    for k, x in xs {
        y := x * 10
        fs = append(fs, func() { return [k, x, y] })
    }
    return [fs[0](), fs[1](), len(fs)]
}
out := f([7, 8])
""",
    "per-iteration variable read by a nested closure": """
f := func(xs) {
    fs := []
    for x in xs {
        fs = append(fs, func() { return func() { return x } })
    }
    return [fs[0]()(), fs[1]()()]
}
out := f(["a", "b"])
""",
    "captures nothing": """
make := func() { return func(x) { return x * 2 } }
out := [make()(21), make() == make()]
""",
    "variadic literal": """
make := func(k) { return func(a, ...rest) { return [a + k, len(rest)] } }
out := [make(1)(1), make(1)(1, 2, 3)]
""",
    "error raised inside a closure made natively": """
make := func(d) { return func(x) { return x / d } }
out := make(0)(1)
""",
}


@pytest.mark.parametrize("name", sorted(NATIVE))
def test_made_natively(name):
    src = NATIVE[name]
    _, base = run(src, False)
    c, nat = run(src, True)
    assert nat == base
    makers = [r for r in jit.stats(c.program)
              if r["kind"] == "function" and r["reason"] == "" and r["state"] == "compiled"]
    assert makers, jit.stats(c.program)
    assert not [r for r in jit.stats(c.program) if "function literals" in r["reason"]]


# captured variables that something assigns after their definition: in cells (a per-iteration
# variable: in a fresh box per definition), shared by the function and its closures (the loop
# counter is one variable for the whole loop)
IN_CELLS = {
    "captured per-iteration variable assigned": ("""
f := func() {
    fs := []
    for i := 0; i < 3; i++ { j := i; fs = append(fs, func() { j += 10; return j }) }
    return [fs[0](), fs[0](), fs[2]()]
}
out := f()
""", "f"),
    "captured variable assigned after": ("""
f := func() {
    x := 1
    g := func() { return x }
    x = 2
    return g()
}
out := f()
""", "f"),
    "captured variable assigned by the closure": ("""
counter := func() {
    n := 0
    inc := func() { n += 1; return n }
    inc()
    inc()
    return n
}
out := counter()
""", "counter"),
    "captured loop counter": ("""
f := func() {
    fs := []
    for i := 0; i < 3; i++ { fs = append(fs, func() { return i }) }
    return [fs[0](), fs[2]()]
}
out := f()
""", "f"),
}


@pytest.mark.parametrize("name", sorted(IN_CELLS))
def test_captured_variables_assigned_live_in_cells(name):
    src, fn = IN_CELLS[name]
    _, base = run(src, False)
    c, nat = run(src, True)
    assert nat == base
    assert state(c, fn)["state"] == "compiled", state(c, fn)


REFUSED = {
    "captured for-in variable assigned": ("""
f := func() {
    fs := []
    for i, v in [10, 20, 30] { fs = append(fs, func() { v += i; return v }) }
    return [fs[0](), fs[0](), fs[2]()]
}
out := f()
""", "f", "function literal captures variable 'v', which is assigned"),
    "local recursive function": ("""
f := func(n) {
    fact := func(k) { return k <= 1 ? 1 : k * fact(k - 1) }
    return fact(n)
}
out := f(10)
""", "f", "function literal captures 'fact', the variable it defines"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_reason(name):
    src, fn, reason = REFUSED[name]
    _, base = run(src, False)
    c, nat = run(src, True)
    assert nat == base
    r = state(c, fn)
    assert r["state"] == "not eligible" and r["reason"].startswith(reason), r


def test_closures_made_natively_leak_nothing():
    src = """
make := func(o, k) { return func() { return [o, k] } }
work := func(o, n) {
    for i := 0; i < n; i++ {
        f := make(o, i)
        if f()[1] != i { return false }
    }
    return true
}
"""
    c = Script(src, jit=True, jit_threshold=0).compile()
    c.run()
    ctx, work = c.context(), c.get("work")
    token = ["captured"]
    assert ctx.call(work, token, 10) is True
    assert state(c, "make")["state"] == "compiled"
    gc.collect()
    before = sys.getrefcount(token)
    assert ctx.call(work, token, 20000) is True
    gc.collect()
    assert sys.getrefcount(token) == before


def test_main_body_loop_with_run_time_calls_keeps_globals_in_memory():
    """A closure made in a nested main-body loop reads the loop-body variable (a global);
    the loop writes it natively: the write must be in memory when the closure runs."""
    src = """
    out := []
    for a := 0; a < 2; a++ {
        for b := 0; b < 2; b++ {
            v := b
            f := func() { return v + 1 }
            out = append(out, f() * 10 + v)
        }
    }
    """
    base = run(src, False)[1]
    c, native = run(src, True)
    assert base == native == ("ok", [10, 21, 10, 21])
    assert any(r["kind"] == "loop" and r["state"] == "compiled" for r in jit.stats(c.program))
