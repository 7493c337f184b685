"""Reference counts in native code: every program here runs its function many times with the
JIT forced, on success and through error exits, and the reference counts of the values
involved, and the process's traced memory, must not move.

Native code holds values of every type as owned ``PyObject*`` references (see
``jit/callconv.py``); a missing release leaks, an extra one frees a value still in use.
"""
from __future__ import annotations

import gc
import sys
import tracemalloc

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT is not available here")

ROUNDS = 300

# (source defining f, arguments) — each f touches values of several kinds
PROGRAMS = [
    ("f := func(a, m) { a[0] = m; m.k = a; x := m.k[0]; return len(a) + len(m) }", "list_map"),
    ("f := func(a, m) { s := \"\"; for i := 0; i < len(a); i++ { s += string(a[i]) }; return s }",
     "strings"),
    ("f := func(a, m) { b := [a, m, \"x\", 1.5, 'c']; c := {p: b, q: a[1:]}; return c }",
     "literals"),
    ("f := func(a, m) { x := a[1]; x = m; x = 3; y := x + 1; return [x, y] }", "widened_var"),
    ("f := func(a, m) { return a[9] }", "out_of_range_read"),
    ("f := func(a, m) { t := [m, a]; return t[0].nope + 1 }", "error_after_temporaries"),
    ("f := func(a, m) { t := [m]; u := a[0] / 0; return t }", "division_error_with_live"),
    ("g := func(v) { return [v, v] }\n"
     "f := func(a, m) { r := g(a); q := g(m); return len(r) + len(q[0]) }", "calls"),
    ("f := func(a, m) { return is_array(a) && is_map(m) ? immutable(a) : error(m) }", "builtins"),
    ("f := func(a, m) { b := []; for i := 0; i < 5; i++ { b += [m, i]; b = b + [a]; "
     "b = append(b, m) }; c := a; c += [m]; return len(b) + len(c) }", "grow_in_place"),
    ("f := func(a, m) { m.n = a; m.n = 2.5; m.k = m.k; m.n = m; m.n = \"s\"; return m.n }",
     "map_values_replaced"),
    ("f := func(a, m) { x := m.n * 1.5 + m.n * m.n - (m.n / 2.0); "
     "return (m.n + 1) * (m.n + 2.5) * x + m.k }", "unboxed_arithmetic_then_error"),
    # a closure writing a variable it captures (through the variable's cell), called natively
    ("mk := func() { x := 0; return func(a, m) { x = [a, m]; t := x; x = m; x = \"s\"; "
     "x += \"t\"; return len(t) + len(x) } }\ng := mk()\nf := func(a, m) { return g(a, m) }",
     "captured_variable_writes"),
    ("mk := func() { x := 0; return func(a, m) { x = a; x = [x, m]; return x[0][7] } }\n"
     "g := mk()\nf := func(a, m) { return g(a, m) }", "captured_variable_then_error"),
    # per-iteration variables that closures assign: a fresh box per definition
    ("f := func(a, m) { fs := []; for i := 0; i < 3; i++ { x := [a, i]; "
     "set := func(v) { x = v }; x = [m, a]; set(m); set([x, a]); x = [x, m]; "
     "fs = append(fs, func() { return x }) }; "
     "return len(fs[2]()) }", "per_iteration_boxes"),
    # floats stored over floats (in place when only the container holds the old one), over
    # other values and by other values; then an error with the stored values live
    ("f := func(a, m) { m.f = 1.5 * m.n; k := m.f; for i := 0; i < 3; i++ { m.f = m.f * 2.0; "
     "m.f += m.n * 0.5; a[0] = m.f - 1.0; a[0] = a[0] * a[0] }; m.f = m.k; a[0] = 1; "
     "return [k, m.f, a[0]] }", "floats_stored_in_place"),
    ("f := func(a, m) { m.f = 2.0 * m.n; m.f = m.f * 3.0; a[1] = m.f * 0.5; "
     "return a[1] + m.k }", "floats_stored_then_error"),
    # numbers written into the objects variables hold (in place when only the variable does)
    ("f := func(a, m) { x := m.n * 1.5; k := x; for i := 0; i < 3; i++ { x = x * 2.0 + m.n; "
     "y := x - 1.0; a[0] = y; c := m.n + 1000; c += 7; a[1] = c }; x += m.n; return [k, x] }",
     "locals_in_place"),
    # bools read borrowed by conditions and stored without a temporary; then an error with
    # an owned container live
    ("f := func(a, m) { fl := [true, false, 1, \"s\", undefined, m, []]; n := 0; "
     "for i := 0; i < len(fl); i++ { if fl[i] { n++ }; fl[i] = i % 2 == 0; if fl[i] { n++ } }; "
     "m.b = n > 3; if m.b { n++ }; if m.nope { n++ }; if m.k { n++ }; if a[0] { n++ }; "
     "x := {q: [true, m]}; if x.q[0] { n++ }; if m[\"k\" + \"\"] { n++ }; return n }",
     "bool_elements"),
    ("f := func(a, m) { t := {q: [m, a]}; if t.q[0] { a[1] = true }; if t.q[1][0][2] { }; "
     "return 1 }", "bool_elements_then_error"),
    # arguments passed borrowed to parameters nothing assigns: stored by the callee, captured,
    # passed down a recursion, returned; a parameter that is assigned takes its own reference
    ("keep := func(m, v) { m.kept = v; return v }\n"
     "down := func(v, n) { if n == 0 { return v }; return [down(v, n - 1)][0] }\n"
     "grab := func(v) { return func() { return v } }\n"
     "swap := func(v, w) { v = w; return v }\n"
     "f := func(a, m) { x := [a, m]; keep(m, x); y := down(x, 5); g := grab(a); "
     "z := swap(x, m); x = 0; return [len(y), len(g()), len(z), len(m.kept)] }",
     "borrowed_arguments"),
    ("down := func(v, n) { if n == 0 { return v[7] + 1 }; return down(v, n - 1) }\n"
     "f := func(a, m) { x := [a, m]; return down(x, 4) }", "borrowed_arguments_then_error"),
]


def _values():
    return [1, 2, 3], {"k": "v", "n": 4}


@pytest.mark.parametrize("src", [p[0] for p in PROGRAMS], ids=[p[1] for p in PROGRAMS])
def test_reference_counts_do_not_move(src):
    c = Script(src, jit=True, jit_threshold=0).compile()
    c.run()
    ctx = c.context()
    f = c.get("f")
    a, m = _values()
    key = "k"

    def once():
        try:
            ctx.call(f, a, m)
        except TengoError:
            pass

    for _ in range(5):               # compile, warm up, settle caches
        once()
    gc.collect()
    before = (sys.getrefcount(a), sys.getrefcount(m), sys.getrefcount(key),
              sys.getrefcount(None), sys.getrefcount(True))
    for _ in range(ROUNDS):
        once()
    gc.collect()
    after = (sys.getrefcount(a), sys.getrefcount(m), sys.getrefcount(key),
             sys.getrefcount(None), sys.getrefcount(True))
    assert after[:3] == before[:3]
    # singletons are shared with the whole process: only a drift proportional to the
    # rounds would be a bug of ours
    assert abs(after[3] - before[3]) < ROUNDS // 2 and abs(after[4] - before[4]) < ROUNDS // 2
    rec = [r for r in jit.stats(c.program) if r["name"] == "f"]
    assert rec and rec[0]["state"] == "compiled", rec


@pytest.mark.parametrize("src", [p[0] for p in PROGRAMS], ids=[p[1] for p in PROGRAMS])
def test_memory_stays_flat(src):
    c = Script(src, jit=True, jit_threshold=0).compile()
    c.run()
    ctx = c.context()
    f = c.get("f")

    def batch(n):
        for _ in range(n):
            a, m = _values()
            try:
                ctx.call(f, a, m)
            except TengoError:
                pass

    batch(20)
    gc.collect()
    tracemalloc.start()
    try:
        batch(200)
        gc.collect()
        first, _ = tracemalloc.get_traced_memory()
        batch(2000)
        gc.collect()
        second, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 2,000 more calls: a leak of one small object per call would be > 50 KB
    assert second - first < 20_000, (first, second)
