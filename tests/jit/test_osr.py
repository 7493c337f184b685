"""Code that runs once still becomes native: a main-body loop switches to native code while
it runs (on-stack replacement), and the call that makes a function hot runs natively.

Results must be those of the baseline tier; whether native code ran is read from
``tengojit.jit.stats()`` (``osr``: runs of a loop that switched mid-way) or by counting calls of
the installed native entry.
"""
from __future__ import annotations

import pytest

import helpers

import tengojit.jit as jit
from tengojit import Script, TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="llvmlite is not available here")

N = 20_000


def run(src, **kw):
    return helpers.run(src, name="t", **kw)


def loop_records(c):
    return [r for r in jit.stats(c.program) if r["kind"] == "loop"]


@pytest.mark.parametrize("src", [
    f"s := 0\ni := 0\nfor i = 0; i < {N}; i++ {{ s += i % 7 }}\nout := [s, i]",
    f"s := 0\ni := 0\nfor i < {N} {{ s += i; i++ }}\nout := [s, i]",
    # break and continue after the switch
    f"s := 0\nfor i := 0; i < {N}; i++ {{ if i % 3 == 0 {{ continue }}; if i > {N - 50} {{ break }}; s += i }}"
    "\nout := s",
    # a float accumulator and wrap-around
    f"x := 0.5\nh := 1\nfor i := 0; i < {N}; i++ {{ x = x * 1.0001; h = h * 31 + i }}\nout := [x, h]",
    # collatz with an infinite-looking condition
    "n := 0\nc := 837799\nfor c != 1 { if c % 2 == 0 { c = c / 2 } else { c = 3 * c + 1 }; n++ }"
    "\nm := 0\nfor k := 1; k < 3000; k++ { c = k; for c != 1 { if c % 2 == 0 { c = c / 2 } "
    "else { c = 3 * c + 1 }; m++ } }\nout := [n, m]",
])
def test_main_body_loop_switches_mid_run(src):
    expected = run(src, jit=False).get("out")
    c = run(src, jit=True)
    assert c.get("out") == expected
    assert any(r["state"] == "compiled" and r["osr"] >= 1 for r in loop_records(c))


def test_short_loop_stays_on_the_baseline_tier():
    c = run("s := 0\nfor i := 0; i < 100; i++ { s += i }\nout := s", jit=True)
    assert c.get("out") == 4950
    assert all(r["state"] == "profiling" and r["osr"] == 0 for r in loop_records(c))


def test_loop_whose_condition_calls_is_not_switched():
    src = f"f := func(i) {{ return i < {N} }}\ns := 0\nfor i := 0; f(i); i++ {{ s += i }}\nout := s"
    c = run(src, jit=True)
    assert c.get("out") == N * (N - 1) // 2
    assert all(r["osr"] == 0 for r in loop_records(c))


def test_runtime_error_after_the_switch_is_the_baseline_error():
    src = f"a := 0\nfor i := 0; i < {N}; i++ {{ a += 10 / ({N - 10} - i) }}"
    errors = []
    for tier in (False, True):
        with pytest.raises(TengoError) as e:
            run(src, jit=tier)
        errors.append(str(e.value))
    assert errors[0] == errors[1]
    assert errors[0].startswith("Runtime Error: division by zero\n\tat t:2:")


def test_type_change_after_the_switch_keeps_the_result():
    src = (f"x := 0\nfor i := 0; i < {N}; i++ {{ if i == {N // 2} {{ x = 0.5 }}; x = x + 1 }}"
           "\nout := x")
    assert run(src, jit=True).get("out") == run(src, jit=False).get("out")


def test_call_that_crosses_the_threshold_runs_natively():
    c = Script("work := func(n) { s := 0; for i := 0; i < n; i++ { s += i % 7 }; return s }",
               name="t", jit=True, jit_threshold=0).compile()
    c.run()
    ns = c.program.ns
    native_calls = []
    hot = ns["_hot"]

    def hot_and_watch(fid, G, args, free):
        hot(fid, G, args, free)
        entry = ns[f"_J{fid}"]

        def counted(*a):
            native_calls.append(a[1:])
            return entry(*a)
        ns[f"_J{fid}"] = counted
    ns["_hot"] = hot_and_watch
    ctx = c.context()
    assert ctx.call(c.get("work"), 3000) == sum(i % 7 for i in range(3000))
    assert native_calls == [(3000,)]


def test_nested_main_body_loop_keeps_its_counter():
    # the OSR counter belongs to the outer loop; an inner loop that runs past the switch
    # point must not switch the outer loop mid-way through its own body
    src = "s := 0\nfor i := 0; i < 3; i++ { for j := 0; j < 1000; j++ { s += j } }\nout := s"
    assert run(src, jit=True).get("out") == run(src, jit=False).get("out") == 3 * 499500


# ------------------------------------------------------------------------- function bodies
FUNCTION_LOOPS = [
    # a counted loop (range form on the baseline tier): i keeps its final value
    f"f := func(n) {{ s := 0; i := 0; for i = 0; i < {N}; i++ {{ s += i % 7 }}; return [s, i] }}"
    "\nout := f(5)",
    f"f := func() {{ s := 0; for i := 0; i < {N}; i++ {{ s += i % 7 }}; return s }}\nout := f()",
    # while-style loop, parameters and locals written back
    f"f := func(n, x) {{ i := 0; for i < n {{ x = x * 1.0001; i++ }}; return [i, x, n] }}"
    f"\nout := f({N}, 0.5)",
    # nested loops switch after a couple of outer iterations
    "f := func(n) { t := 0; for a := 0; a < n; a++ { for b := 0; b < n; b++ { t += a ^ b } }; "
    "return t }\nout := [f(300), f(300), f(300)]",
    # break and continue after the switch, a bool variable
    f"f := func() {{ s := 0; seen := false; for i := 0; i < {N}; i++ {{ if i % 3 == 0 {{ continue }};"
    f" if i > {N - 50} {{ seen = true; break }}; s += i }}; return [s, seen] }}\nout := f()",
    # globals and calls of global functions inside the region
    f"g := 0\nsq := func(x) {{ return x * x }}\nf := func() {{ for i := 0; i < {N}; i++ {{ g += sq(i) % 5 }} }}"
    "\nf()\nout := g",
]


@pytest.mark.parametrize("src", FUNCTION_LOOPS)
def test_function_body_loop_becomes_native(src):
    expected = run(src, jit=False).get("out")
    c = run(src, jit=True)
    assert c.get("out") == expected
    assert any(r["state"] == "compiled" for r in loop_records(c))


def test_function_loop_switches_mid_run_and_compiles_at_next_entry():
    src = (f"f := func(n) {{ s := 0; for i := 0; i < n; i++ {{ s += i }}; return s }}"
           f"\nout := [f({N}), f({N}), f(10), f({N})]")
    c = run(src, jit=True)
    assert c.get("out") == [N * (N - 1) // 2] * 2 + [45, N * (N - 1) // 2]
    (rec,) = loop_records(c)
    assert rec["state"] == "compiled" and rec["osr"] == 1
    assert "n:int" in rec["signature"] and "s:int" in rec["signature"]


@pytest.mark.parametrize("src, reason", [
    # the loop creates a closure over its counter: it stays on the baseline tier
    (f'f := func() {{ n := 0; for i := 0; i < {N}; i++ {{ g := func() {{ return i }}; n += g() }};'
     " return n }\nout := f()", "variable 'i' is captured by a closure"),
    # a variable captured by a closure is not carried into native code
    (f"f := func() {{ s := 0; g := func() {{ return s }}; for i := 0; i < {N}; i++ {{ s += 1 }};"
     " return [s, g()] }\nout := f()", "captured"),
    # return of a call of its own function from inside the loop (the baseline's jump)
    (f"f := func(d) {{ for i := 0; i < {N}; i++ {{ if d == 0 && i == {N - 3} {{ return f(1) }} }};"
     " return -1 }\nout := f(0)", "tail call of its own function in a loop region"),
])
def test_function_loop_that_cannot_be_native_keeps_its_result(src, reason):
    expected = run(src, jit=False).get("out")
    c = run(src, jit=True)
    assert c.get("out") == expected
    recs = loop_records(c)
    assert recs and all(r["state"] != "compiled" for r in recs)
    assert any(reason in (r["reason"] or "") for r in recs)


def test_function_loop_type_change_and_error_match_the_baseline():
    # a variable that becomes a float mid-way: the region is not eligible for it, same result
    src = (f"f := func() {{ x := 0; for i := 0; i < {N}; i++ {{ if i == {N // 2} {{ x = 0.5 }};"
           " x = x + 1 }; return x }\nout := f()")
    assert run(src, jit=True).get("out") == run(src, jit=False).get("out")
    src = (f"f := func() {{ a := 0; for i := 0; i < {N}; i++ {{ a += 10 / ({N - 10} - i) }}; "
           "return a }\nf()")
    errors = []
    for tier in (False, True):
        with pytest.raises(TengoError) as e:
            run(src, jit=tier)
        errors.append(str(e.value))
    assert errors[0] == errors[1]


def test_function_loop_whose_frame_variable_changes_type_runs_natively():
    """A variable of the function that the loop assigns a value of another type travels in
    the frame as any value."""
    src = (f'f := func() {{ p := 1; n := 0; for i := 0; i < {N}; i++ {{ if i == {N - 5} {{ p = "x" }};'
           ' n += 1 }; return [n, p] }\nout := f()')
    expected = run(src, jit=False).get("out")
    c = run(src, jit=True)
    assert c.get("out") == expected == [N, "x"]
    recs = loop_records(c)
    assert recs and any(r["state"] == "compiled" for r in recs), recs


RETURNING = {
    "int from the entry and from OSR": (
        "f := func(n) { for i := 0; i < {N}; i++ { if i == n { return i * 2 } }; return -1 }\n"
        "out := [f({N} - 3), f(-5), f(3), f({N} - 1)]"),
    "value of any type, frame variables as they were": (
        "f := func(xs, k) { s := 0; for i := 0; i < len(xs); i++ { s += xs[i]\n"
        "  if xs[i] == k { return [s, i, \"hit\"] } }; return s }\n"
        "arr := []\nfor i := 0; i < {N}; i++ { arr = append(arr, i) }\n"
        "out := [f(arr, {N} - 2), f(arr, -1), f([1, 2, 3], 2)]"),
    "from a for-in and a nested loop": (
        "f := func(m, lim) { for i := 0; i < {N}; i++ { for k, v in m { if v * i > lim { return k + string(i) } } }\n"
        "  return \"none\" }\n"
        "out := [f({a: 1, b: 3}, 30000), f({a: 0}, 5)]"),
    "bare return gives undefined": (
        "f := func(n) { for i := 0; i < {N}; i++ { if i == n { return } }; return 7 }\n"
        "out := [f({N} - 10), f(-1)]"),
    "error after a return in the same region": (
        "f := func(n) { for i := 0; i < {N}; i++ { if i == n { return 1 / (n - n) } }; return 0 }\n"
        "out := f({N} - 5)"),
}


@pytest.mark.parametrize("name", sorted(RETURNING))
def test_loop_region_returns_from_its_function(name):
    src = RETURNING[name].replace("{N}", str(N))
    def outcome(jit_on):
        try:
            c = run(src, jit=jit_on)
            return c, ("ok", repr(c.get("out")))
        except TengoError as e:
            return None, ("error", str(e))
    _, base = outcome(False)
    c, nat = outcome(True)
    assert nat == base
    if c is not None:
        recs = loop_records(c)
        assert recs and all(r["state"] == "compiled" for r in recs), recs
