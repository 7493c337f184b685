"""Arguments passed borrowed. A compiled function's parameter that nothing assigns (closures
included) and no self tail call rebinds borrows the caller's argument: the caller keeps the
value alive for the whole call, so the callee takes no reference on entry and releases none
on exit; and a caller passes a variable of its own activation borrowed. Each program runs
on the baseline tier and with the JIT forced; results and errors must be the same, and the
same as the reference's (written here)."""
from __future__ import annotations

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

CASES = {
    # stored by the callee, passed down a recursion, captured, returned; an assigned
    # parameter takes its own reference
    "stored_passed_captured": ("""
keep := func(m, v) { m.kept = v; return v }
down := func(v, n) { if n == 0 { return v }; return [down(v, n - 1)][0] }
grab := func(v) { return func() { return v } }
swap := func(v, w) { v = w; return v }
f := func(a, m) {
    x := [a, m]; keep(m, x); y := down(x, 5); g := grab(a); z := swap(x, m); x = 0
    return [len(y), len(g()), len(z), len(m.kept), m.kept[0]]
}
m := {k: "v"}
out := []
for i := 0; i < 3; i++ { out = append(out, f([1, 2, 3], m)) }
""", [[2, 3, 2, 2, [1, 2, 3]]] * 3),
    # the callee keeps the value in a global; the caller then drops its variable's
    "kept_in_a_global": ("""
g := undefined
stash := func(v) { g = v; return len(v) }
f := func() { x := [1, 2, 3]; n := stash(x); x = "gone"; return [n, g] }
out := f()
""", [3, [1, 2, 3]]),
    # a recursion that passes its map down and writes through it (Permute's shape)
    "recursion_writes_through": ("""
perm := func(p, n) {
    p.count++
    if n != 0 {
        perm(p, n - 1)
        for i := n - 1; i >= 0; i-- { p.v[i] = p.v[n - 1]; perm(p, n - 1) }
    }
}
q := {count: 0, v: [0, 0, 0, 0, 0]}
perm(q, 5)
out := q.count
""", 1237),
    # an error deep in a recursion over borrowed parameters
    "error_in_recursion": ("""
down := func(v, n) { if n == 0 { return v[7] + 1 }; return down(v, n - 1) }
f := func(a, m) { x := [a, m]; return down(x, 4) }
out := 0
out = f([1], {})
""", TengoError),
}


def _run(src, jit_on):
    c = Script(src, jit=jit_on, jit_threshold=0, jit_background=False).compile()
    try:
        c.run()
    except TengoError as e:
        return "error", str(e)
    return "ok", norm(c.get("out"))


def _plain(v):
    kind, x = v
    if kind == "list":
        return [_plain(i) for i in x]
    return x


@pytest.mark.parametrize("name", sorted(CASES))
def test_borrowed_arguments_match_the_baseline(name):
    src, expected = CASES[name]
    base, native = _run(src, False), _run(src, True)
    assert native == base
    if expected is TengoError:
        assert base[0] == "error", base
        assert "invalid operation: undefined + int" in base[1]
    else:
        assert base[0] == "ok", base
        assert _plain(base[1]) == expected
