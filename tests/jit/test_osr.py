"""Code that runs once still becomes native: a main-body loop switches to native code while
it runs (on-stack replacement), and the call that makes a function hot runs natively.

Results must be those of the baseline tier; whether native code ran is read from
``tengojit.jit.stats()`` (``osr``: runs of a loop that switched mid-way) or by counting calls of
the installed native entry.
"""
from __future__ import annotations

import pytest

import tengojit.jit as jit
from tengojit import Script, TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="llvmlite is not available here")

N = 20_000


def run(src, **kw):
    c = Script(src, name="t", **kw).compile()
    c.run()
    return c


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
