"""Bounded recursion (jit/descent.py): which functions run without per-frame depth tests, and
that doing so never changes a result, an error or a trace.

The proof is reported by ``tengojit.jit.stats()`` as ``bounded_recursion`` (``["f(n)"]``), so
the acceptance tests below see exactly what the compiler decided. The behaviour tests compare
the JIT tier (threshold 0) with the baseline tier; each asserts the proof was used, so the
comparison exercises the unchecked copies.
"""
from __future__ import annotations

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")


def compiled_record(src, call, name="f"):
    """Compile ``src`` + ``call`` with the JIT forced; the stats record of function ``name``."""
    c = Script(src + "\n" + call, jit=True, jit_threshold=0).compile()
    c.run()
    (rec,) = [r for r in jit.stats(c.program) if r["name"] == name]
    assert rec["state"] == "compiled", rec
    return rec


@pytest.mark.parametrize("src, proof", [
    ("f := func(n) { if n < 2 { return n }; return f(n-1) + f(n-2) }", "f(n)"),
    ("f := func(n) { if n <= 1 { return n }; return f(n-1) + f(n-2) }", "f(n)"),
    ("f := func(n) { if 2 > n { return n }; return f(n-1) + f(n-2) }", "f(n)"),
    ("f := func(n) { if 1 >= n { return n }; return f(n-1) + f(n-2) }", "f(n)"),
    ("f := func(n) { if (n < -5) { return 0 }; return 1 + f((n) - 3) }", "f(n)"),
    ("f := func(n) { if n < 1 { return 0 } else { return f(n - 1) * 2 + 1 } }", "f(n)"),
    ("f := func(n) { return n < 2 ? n : f(n-1) + f(n-2) }", "f(n)"),
    ("f := func(a, n) { if n < 1 { return a }; x := a * 3; return f(x % 1000, n - 1) }", "f(n)"),
    ("f := func(n, k) { if n < 0 { return k }; if k > 3 { return f(n - 2, k - 1) }; "
     "return f(n - 1, k + 1) }", "f(n)"),
])
def test_proof_accepts(src, proof):
    assert compiled_record(src, "r := f(12, 1)" if "k" in src or "a," in src else "r := f(12)")[
        "bounded_recursion"] == [proof]


@pytest.mark.parametrize("src, why", [
    ("f := func(n) { if n == 0 { return 0 }; return 1 + f(n - 1) }", "== does not bound n below"),
    ("f := func(n) { if n < 2 { return n }; if n > 9 { return n }; "
     "if n % 2 == 0 { return f(n + 3) * 2 }; return f(n - 1) * 2 }",
     "an argument grows"),
    ("f := func(n) { if n < 2 { return n }; if n > 50 { return f(n - 0) + 1 }; return f(n - 1) + 1 }",
     "a step of 0"),
    ("f := func(n) { d := n % 2 + 1; if n < 2 { return n }; return f(n - d) + 1 }",
     "a variable step (and code before the guard)"),
    ("f := func(n) { if n < 2 { return n }; n = n - 1; return f(n - 1) + 1 }", "n is assigned"),
    ("f := func(n) { if n < 2 { return n }; n--; return f(n - 1) + 1 }", "n is decremented"),
    ("f := func(n) { if n < 2 { return n }; m := n; return f(m - 1) + 1 }", "another variable"),
    ("f := func(n) { if n < 2 { if n > -3 { return f(n - 1) + 1 }; return 0 }; return f(n - 1) + 1 }",
     "a self call inside the guard"),
    ("f := func(n) { x := 1; if n < 2 { return n }; return f(n - 1) + x }", "code before the guard"),
    ("f := func(n) { if n < 2 { x := 1 } else { x := 2 }; if n < 2 { return n }; return f(n - 1) + 1 }",
     "the first if does not return"),
    ("f := func(n) { if x := 2; n < x { return n }; return f(n - 1) + 1 }", "a guard with init"),
    ("f := func(n) { if n < 2 { return n }; if true { n := n + 9; if n > 30 { return 0 }; "
     "return f(n - 1) + 1 }; return 0 }", "a shadowing n"),
    ("g := 0\nf := func(n) { if n < 2 { return n }; return g(n - 1) + 1 }\n"
     "g = func(n) { if n < 2 { return n }; return f(n - 1) + 1 }", "mutual recursion only"),
])
def test_proof_rejects(src, why):
    """Each function here compiles (and terminates), but is not provably bounded."""
    assert compiled_record(src, "r := f(6)")["bounded_recursion"] == [], why


def test_float_parameter_is_not_a_proof():
    rec = compiled_record("f := func(n) { if n < 2 { return n }; return f(n - 1) + f(n - 2) }",
                          "r := f(12.5)")
    assert rec["bounded_recursion"] == []


# ---------------------------------------------------------------------------------------------
# behaviour: the unchecked copies change nothing a script can observe

def run_both(src, fname, arg_tuples):
    """Outcomes of ctx.call(fname, *args) on the baseline and the JIT tier; the JIT record."""
    out = []
    rec = None
    for use_jit in (False, True):
        c = Script(src, jit=use_jit, jit_threshold=0).compile()
        c.run()
        ctx, f = c.context(), c.get(fname)
        res = []
        for args in arg_tuples:
            try:
                res.append(("ok", ctx.call(f, *args)))
            except TengoError as e:
                res.append(("error", str(e)))
        out.append(res)
        if use_jit:
            rec = [r for r in jit.stats(c.program) if r["name"] == fname][0]
    return out[0], out[1], rec


def test_results_match_over_the_whole_int_range():
    src = "f := func(n) { if n < 2 { return n }; return f(n-1) + f(n-2) }"
    args = [(n,) for n in [-2**63, -2**63 + 1, -5, -1, 0, 1, 2, 3, 10, 24, 2**63 - 1][:-1]]
    base, native, rec = run_both(src, "f", args)
    assert rec["bounded_recursion"] == ["f(n)"]
    assert base == native


@pytest.mark.parametrize("n", [50, 1500, 100000])
def test_long_chains_overflow_exactly_when_the_baseline_does(n):
    """A chain too long for the budget fails the entry test and runs checked: the same
    ``stack overflow`` as the baseline; a chain that fits runs unchecked to the same result."""
    src = "f := func(n) { if n < 1 { return 0 }; return 1 + f(n - 1) }"
    base, native, rec = run_both(src, "f", [(n,)])
    assert rec["bounded_recursion"] == ["f(n)"]
    assert [r[0] for r in base] == [r[0] for r in native]
    if base[0][0] == "ok":
        assert base == native == [("ok", n)]
    else:
        assert base[0][1].splitlines()[0] == native[0][1].splitlines()[0] \
            == "Runtime Error: stack overflow"


def test_the_entry_test_uses_the_remaining_budget():
    """A provably bounded call made under a deep baseline recursion: the bound (4000 frames)
    exceeds what is left, so it must run checked and overflow as the baseline does."""
    src = """
g := func(n) { if n < 1 { return 0 }; return g(n-1) * 1 + 1 }
h := func(n) { s := "x"; if n == 0 { return g(4000) }; return h(n - 1) * 1 }
w := g(3)
"""
    base, native, rec = run_both(src, "h", [(4000,), (10,)])
    c = Script(src, jit=True, jit_threshold=0).compile()
    c.run()
    assert [r["bounded_recursion"] for r in jit.stats(c.program) if r["name"] == "g"] == [["g(n)"]]
    assert base[0][0] == native[0][0] == "error"
    assert base[0][1].splitlines()[0] == native[0][1].splitlines()[0] == "Runtime Error: stack overflow"
    assert base[1] == native[1] == ("ok", 4000)


def test_other_callees_keep_their_own_depth_tests():
    """The unchecked copies still pass the real budget to other functions, whose tests fire."""
    src = """
g := func(n) { if n == 0 { return 0 }; return g(n-1) * 1 + 1 }
f := func(n) { if n < 1 { return g(100000) }; return f(n - 1) + 1 }
"""
    base, native, rec = run_both(src, "f", [(5,)])
    assert rec["bounded_recursion"] == ["f(n)"]
    assert base[0][0] == native[0][0] == "error"
    assert base[0][1].splitlines()[0] == native[0][1].splitlines()[0] == "Runtime Error: stack overflow"


@pytest.mark.parametrize("body", [
    "if n < 1 { return 10 / d }; return f(n - 1, d) + 0",      # real calls
    "if n < 1 { return 10 / d }; return 1 + f(n - 1, d)",      # accumulator jumps
    "if n < 1 { return 10 / d }; return f(n - 1, d)",          # tail calls
])
def test_errors_in_unchecked_copies_have_the_baseline_trace(body):
    """Division by zero at the bottom of a bounded chain: same message, same trace, frame for
    frame (virtual frames of jumps included)."""
    src = "f := func(n, d) { " + body + " }"
    base, native, rec = run_both(src, "f", [(30, 0), (30, 2), (0, 0)])
    assert rec["bounded_recursion"] == ["f(n)"]
    assert base == native
    assert base[0][0] == "error" and "division by zero" in base[0][1]


def test_the_entry_test_admits_exactly_the_chains_that_fit():
    """Off by one either way would show here: with the same budget, the deepest chain a checked
    function (``==`` guard: no proof) can run is the deepest the bounded one runs, and one
    more frame overflows both."""
    src = """
checked := func(n) { if n == 0 { return 0 }; return 1 + checked(n - 1) }
bounded := func(n) { if n < 1 { return 0 }; return 1 + bounded(n - 1) }
"""
    c = Script(src, jit=True, jit_threshold=0).compile()
    c.run()
    ctx = c.context()

    def fits(name, n):
        try:
            return ctx.call(c.get(name), n) == n
        except TengoError as e:
            assert str(e).startswith("Runtime Error: stack overflow")
            return False

    # the same entry path for both (the first host calls of a function take a longer path
    # into native code, which leaves a few frames less of the budget)
    for _ in range(20):
        assert fits("checked", 1) and fits("bounded", 1)
    lo, hi = 1, 1 << 20            # fits(lo), not fits(hi): the budget is at most 20,000
    assert not fits("checked", hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits("checked", mid) else (lo, mid)
    stats = {r["name"]: r for r in jit.stats(c.program)}
    assert stats["bounded"]["bounded_recursion"] == ["bounded(n)"]
    assert stats["checked"]["bounded_recursion"] == [] and stats["checked"]["state"] == "compiled"
    assert fits("bounded", lo) and not fits("bounded", lo + 1)


@pytest.mark.parametrize("step", ["n + 1", "n - 0", "n + 2 - 1"])
def test_chains_that_do_not_descend_stay_checked(step):
    """A chain counted down by another argument while n does not shrink: not provable, so a
    chain too long for the budget must overflow (were it proven, it would run without a budget
    and take the process down)."""
    src = "f := func(n, a) { if n < 1 { return n }; if a < 1 { return n }; return f(" + step + ", a - 1) + 1 }"
    base, native, rec = run_both(src, "f", [(5, 999), (5, 100000), (5, 2**63 - 1)])
    assert rec["bounded_recursion"] == [] and rec["state"] == "compiled"
    assert base[0] == native[0] and base[0][0] == "ok"
    for b, j in zip(base[1:], native[1:]):
        assert b[0] == j[0] == "error"
        assert b[1].splitlines()[0] == j[1].splitlines()[0] == "Runtime Error: stack overflow"
