"""``tengojit.jit.stats()``: shape, states, reasons, the threshold, the environment defaults."""
from __future__ import annotations

import pytest

import tengojit.jit as jit
import tengojit.jit.dispatch as dispatch
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

KEYS = {"name", "kind", "calls", "state", "reason", "signature", "compile_ms", "code_bytes", "cached",
        "deopts", "bounded_recursion", "osr", "runtime_calls"}
STATES = {"compiled", "not eligible", "failed", "profiling", "invalidated"}

SRC = """
add := func(a, b) { return a + b }
half := func(x) { return x / 2.0 }
greet := func(n) { for i, c in [0] { s := func() { c += 1; return c } }; return n + 1 }
total := 0
for i := 0; i < 100; i++ { total += add(i, 1) }
"""


@pytest.fixture(autouse=True)
def _clean_stats():
    dispatch.reset_stats()
    yield
    dispatch.reset_stats()


def by_name(c, name):
    recs = [r for r in jit.stats(c.program) if r["name"] == name]
    assert len(recs) <= 1, recs
    return recs[0] if recs else None


def loop_rec(c):
    recs = [r for r in jit.stats(c.program) if r["kind"] == "loop"]
    return recs[0] if recs else None


def forced(src=SRC, **kw):
    c = Script(src, jit=True, jit_threshold=0, **kw).compile()
    c.run()
    return c


def test_shape_of_every_record():
    c = forced()
    ctx = c.context()
    for i in range(3):
        ctx.call(c.get("half"), float(i))
        ctx.call(c.get("greet"), i)
    recs = jit.stats()
    assert recs, "nothing recorded"
    for r in recs:
        assert set(r) == KEYS, r
        assert r["kind"] in ("function", "loop")
        assert r["state"] in STATES
        assert isinstance(r["name"], str) and r["name"]
        assert isinstance(r["calls"], int) and r["calls"] >= 0
        assert isinstance(r["reason"], str)
        assert isinstance(r["signature"], str)
        assert isinstance(r["compile_ms"], float) and r["compile_ms"] >= 0
        assert isinstance(r["code_bytes"], int) and r["code_bytes"] >= 0
        assert isinstance(r["cached"], int) and r["cached"] == 0     # no cache asked for
        assert isinstance(r["deopts"], int) and r["deopts"] >= 0
    # stats() of the whole process == stats(program) here (one program since the reset)
    assert jit.stats() == jit.stats(c.program)


def test_compiled_function_record():
    c = forced()
    ctx = c.context()
    for i in range(5):
        assert ctx.call(c.get("half"), float(i)) == i / 2.0
    r = by_name(c, "half")
    assert r["kind"] == "function"
    assert r["state"] == "compiled"
    assert r["reason"] == ""
    assert r["signature"] == "(float) -> float"
    assert r["compile_ms"] > 0
    assert r["code_bytes"] > 0
    assert r["deopts"] == 0
    assert r["calls"] == 1          # counted until compiled; native calls are not counted


def test_compiled_loop_record():
    c = forced()
    r = loop_rec(c)
    assert r is not None
    assert r["name"] == "loop at (main):6:1"
    assert r["state"] == "compiled"
    assert r["compile_ms"] > 0 and r["code_bytes"] > 0
    # the loop reads the global function `add` and the global `total`
    assert "int" in r["signature"] and "func" in r["signature"], r["signature"]
    assert c.get("total") == sum(i + 1 for i in range(100))


def test_not_eligible_records_the_reason():
    c = forced()
    ctx = c.context()
    assert ctx.call(c.get("greet"), 1) == 2
    assert ctx.call(c.get("greet"), 2) == 3
    r = by_name(c, "greet")
    assert r["state"] == "not eligible"
    assert r["reason"] == "function literal captures variable 'c', which is assigned"
    assert r["compile_ms"] == 0 and r["code_bytes"] == 0


@pytest.mark.parametrize("src,call,reason_part", [
    ("f := func(a) { fs := []; for i, j in [0, 1] { fs = append(fs, func() { j += a; return j }) }; "
     "return fs[1]() }", (1,), "function literal captures"),
])
def test_not_eligible_reasons(src, call, reason_part):
    c = forced(src, modules={"m": {"k": 1}})
    ctx = c.context()
    first = ctx.call(c.get("f"), *call)
    second = ctx.call(c.get("f"), *call)
    assert repr(first) == repr(second)
    r = by_name(c, "f")
    assert r is not None and r["state"] == "not eligible", r
    assert reason_part in r["reason"], r


def test_variadic_functions_stay_baseline():
    c = forced("f := func(...a) { return len(a) }")
    ctx = c.context()
    assert [ctx.call(c.get("f"), 1, 2) for _ in range(3)] == [2, 2, 2]
    r = by_name(c, "f")
    assert r is None or r["state"] != "compiled", r


def test_deopts_are_counted():
    c = forced("f := func(a) { return a * 2 }")
    ctx = c.context()
    f = c.get("f")
    assert [ctx.call(f, x) for x in (1, 2, 3)] == [2, 4, 6]
    assert by_name(c, "f")["deopts"] == 0
    assert ctx.call(f, 1.5) == 3.0
    with pytest.raises(TengoError, match="invalid operation"):
        ctx.call(f, "ab")                  # string * int: an error on the baseline code
    r = by_name(c, "f")
    assert r["state"] == "compiled"
    assert r["deopts"] >= 1


def test_threshold_is_honoured():
    """jit_threshold=5: the 6th call compiles the function, not an earlier one."""
    c = Script("f := func(a) { return a + 1 }", jit=True, jit_threshold=5).compile()
    c.run()
    ctx = c.context()
    f = c.get("f")
    for i in range(5):
        assert ctx.call(f, i) == i + 1
        r = by_name(c, "f")
        assert r is None or r["state"] == "profiling", (i, r)
    assert ctx.call(f, 5) == 6           # the 6th call
    r = by_name(c, "f")
    assert r is not None and r["state"] == "compiled", r
    assert r["calls"] == 6
    for i in range(10):
        assert ctx.call(f, i) == i + 1
    assert by_name(c, "f")["calls"] == 6          # native calls bypass the counter


def test_threshold_zero_compiles_at_first_call():
    c = Script("f := func(a) { return a + 1 }", jit=True, jit_threshold=0).compile()
    c.run()
    assert by_name(c, "f") is None
    assert c.context().call(c.get("f"), 1) == 2
    assert by_name(c, "f")["state"] == "compiled"


def test_loop_profiling_then_compiled():
    """With a threshold, a top-level loop is profiled at its first entry, compiled at the next."""
    src = "s := 0\nfor i := 0; i < 50; i++ { s += i }"
    c = Script(src, jit=True, jit_threshold=5).compile()
    c.run()
    r = loop_rec(c)
    assert r is not None and r["state"] == "profiling", r
    assert c.get("s") == sum(range(50))
    c.run()
    r = loop_rec(c)
    assert r["state"] == "compiled", r
    assert c.get("s") == sum(range(50))


def test_loop_not_eligible():
    src = 's := ""\nfor i := 0; i < 5; i++ { f := len; s += string(f("x")) }'
    c = forced(src)
    r = loop_rec(c)
    assert r["state"] == "not eligible"
    assert r["reason"] == "uses builtin 'len' as a value"
    assert c.get("s") == "11111"


def test_reset_and_program_filter():
    c1 = forced("f := func(a) { return a + 1 }\nx := f(1)\ny := f(2)")
    c2 = forced("g := func(a) { return a - 1 }\nx := g(1)\ny := g(2)")
    names_all = {r["name"] for r in jit.stats()}
    assert {"f", "g"} <= names_all
    assert {r["name"] for r in jit.stats(c1.program)} == {"f"}
    assert {r["name"] for r in jit.stats(c2.program)} == {"g"}
    dispatch.reset_stats()
    assert jit.stats() == []
    assert {r["name"] for r in jit.stats(c1.program)} == {"f"}   # per program: still there


def test_jit_off_records_nothing():
    c = Script(SRC, jit=False).compile()
    c.run()
    ctx = c.context()
    for i in range(3):
        ctx.call(c.get("add"), i, i)
    assert jit.stats(c.program) == []
    assert jit.stats() == []


def test_max_allocs_keeps_the_jit():
    """Native code counts allocations as generated code does: a script with an allocation
    budget is compiled, and spends the same budget as on the baseline tier."""
    left = {}
    for on in (True, False):
        s = Script(SRC, jit=on, jit_threshold=0, jit_background=False)
        s.set_max_allocs(100000)
        c = s.compile()
        c.run()
        assert c.get("total") == sum(i + 1 for i in range(100))
        left[on] = c.G[-1][0]
        if on:
            assert any(r["state"] == "compiled" for r in jit.stats(c.program))
    assert left[True] == left[False]


# ---------------------------------------------------------------------------------------------
# environment defaults

def test_env_defaults_on(monkeypatch):
    monkeypatch.delenv("TENGOJIT_JIT", raising=False)
    monkeypatch.delenv("TENGOJIT_THRESHOLD", raising=False)
    s = Script("x := 1")
    assert s.jit is True
    assert s.jit_threshold == jit.DEFAULT_THRESHOLD
    assert jit.enabled_by_default() is True


@pytest.mark.parametrize("value,expected", [("1", True), ("yes", True), ("true", True),
                                            ("0", False), ("", True), ("false", False),
                                            ("no", False), ("off", False), ("OFF", False)])
def test_env_tengojit_jit(monkeypatch, value, expected):
    monkeypatch.setenv("TENGOJIT_JIT", value)
    assert jit.enabled_by_default() is expected
    assert Script("x := 1").jit is expected
    # an explicit argument wins over the environment
    assert Script("x := 1", jit=False).jit is False
    assert Script("x := 1", jit=True).jit is True


@pytest.mark.parametrize("value,expected", [("0", 0), ("7", 7), ("-3", 0),
                                            ("junk", jit.DEFAULT_THRESHOLD)])
def test_env_threshold(monkeypatch, value, expected):
    monkeypatch.setenv("TENGOJIT_THRESHOLD", value)
    assert jit.default_threshold() == expected
    assert Script("x := 1").jit_threshold == expected
    assert Script("x := 1", jit_threshold=3).jit_threshold == 3


def test_env_enables_compilation(monkeypatch):
    """Script(src) with TENGOJIT_JIT=1 and TENGOJIT_THRESHOLD=2 compiles at the 3rd call."""
    monkeypatch.setenv("TENGOJIT_JIT", "1")
    monkeypatch.setenv("TENGOJIT_THRESHOLD", "2")
    c = Script("f := func(a, b) { return a * b }").compile()
    c.run()
    ctx = c.context()
    f = c.get("f")
    assert [ctx.call(f, i, 3) for i in range(2)] == [0, 3]
    r = by_name(c, "f")
    assert r is None or r["state"] == "profiling"
    assert ctx.call(f, 2, 3) == 6
    r = by_name(c, "f")
    assert r["state"] == "compiled" and r["signature"] == "(int, int) -> int"
    assert [ctx.call(f, i, 3) for i in range(5)] == [0, 3, 6, 9, 12]


def test_env_off_means_baseline(monkeypatch):
    monkeypatch.setenv("TENGOJIT_JIT", "0")
    monkeypatch.setenv("TENGOJIT_THRESHOLD", "0")
    c = Script("f := func(a) { return a }\nx := f(1)\ny := f(2)").compile()
    c.run()
    assert jit.stats(c.program) == []


def test_refused_functions_stop_profiling_with_one_flag():
    """A function the JIT refused for good reads one flag per call (``_P<fid>`` False, its
    ``_J<fid>`` the NOJIT marker); a compiled one and a profiling one keep the flag set."""
    c = Script('s := func(x) { y := len; return x }\nn := func(x) { return x * 2 }\n'
               'u := func(x) { return x + 1 }',
               jit=True, jit_threshold=0).compile()
    c.run()
    ctx = c.context()
    assert ctx.call(c.get("s"), 3) == 3 and ctx.call(c.get("n"), 4) == 8
    ns = c.program.ns
    fids = {info.name: fid for fid, info in c.program.functions.items() if info.name}
    assert ns[f"_P{fids['s']}"] is False and ns[f"_J{fids['s']}"] is dispatch.NOJIT
    assert ns[f"_P{fids['n']}"] is True and ns[f"_J{fids['n']}"] not in (None, dispatch.NOJIT)
    assert ns[f"_P{fids['u']}"] is True and ns[f"_J{fids['u']}"] is None     # never called
    assert [ctx.call(c.get("s"), k) for k in range(3)] == [0, 1, 2]
    assert by_name(c, "s")["state"] == "not eligible"


def test_types_that_keep_changing_stop_recompiling():
    """A global flipping between int and float makes ``add``'s entry refuse its calls; after
    INVALIDATE_AFTER refusals it is dropped and recompiled for the new type, and after
    MAX_RECOMPILES drops it stays on the baseline tier. Every result stays right."""
    c = Script("k := 1\nadd := func(a) { return a * k }", jit=True, jit_threshold=0).compile()
    c.run()
    ctx = c.context()
    add = c.get("add")
    states = []
    for flip in range(dispatch.MAX_RECOMPILES + 3):
        k = 2 if flip % 2 else 0.5
        ctx.set("k", k)
        for i in range(dispatch.INVALIDATE_AFTER + 5):
            assert ctx.call(add, i) == i * k
        states.append(by_name(c, "add")["state"])
    assert states[0] == "compiled" and "compiled" in states[1:dispatch.MAX_RECOMPILES]
    rec = by_name(c, "add")
    assert rec["state"] == "not eligible"
    assert rec["reason"] == f"types changed after {dispatch.MAX_RECOMPILES} recompiles"


@pytest.mark.parametrize("src,call", [
    ("f := func(a) { return [a, a + 1, \"s\"] }", (1,)),
    ("f := func(a) { return {x: a, y: [a]} }", (1,)),
    ("f := func(a) { if a > 1 { return 1 }; return 1.5 }", (3,)),
    ("f := func(a) { return a + \"!\" }", ("s",)),
    ("f := func(a) { x := 1; x = 2.5; return [a, x] }", (1,)),
    ("f := func(a) { return string(a) + format(\"%d\", a) }", (1,)),
    ("f := func(a) { m := {k: a}; m.k += 1; m[\"j\"] = m.k * 2; return m }", (4,)),
    ("f := func(a) { if a { return } ; return a }", (0,)),
    ("f := func(a) { for x in [a, 2] { a = x }; return a }", (1,)),
    ("f := func(a) { s := 0; for k, v in {x: a, y: 2} { s += v }; return s }", (1,)),
    ("f := func(a) { return append([], [a]...) }", (1,)),
    ("f := func(a) { s := \"hello world\"; m := {i: 2}; t := \"h\u00e9llo\"\n"
     "  return [s[m.i:m.i + 3], s[a:], [1, 2, 3][m.i:], s[:a], t[1:3], len(t), len(s), s[-2:99]] }",
     (4,)),
    ("f := func(a) { m := {x: {y: [0, 1]}}; k := \"x\"; m[k][\"y\"][1] = a; m.x.z = a; return m }",
     (5,)),
    ("g := func(x) { return x + 1 }\nf := func(a) { h := g; return [h(a), g(a)] }", (1,)),
])
def test_values_of_every_type_are_native(src, call):
    """Strings, arrays, maps, builtins and variables of several types run in native code, with
    the baseline's results."""
    expected = Script(src, jit=False).compile()
    expected.run()
    want = expected.context().call(expected.get("f"), *call)
    c = forced(src)
    ctx = c.context()
    got = [ctx.call(c.get("f"), *call) for _ in range(2)]
    assert got == [want, want]
    r = by_name(c, "f")
    assert r is not None and r["state"] == "compiled", r


def test_runtime_calls_name_what_native_code_hands_to_the_runtime():
    """``runtime_calls`` counts the operations of the native code that have no inline path:
    calls of values known only at run time, builtins other than ``len`` and ``is_*``,
    ``error(x)``."""
    src = ('h := func(x) { return x }\n'
           'f := func(a) { g := h; k := [1][0]\n'
           '  return [g(a), g(a + 1), string(a), [1, 2, 3][k:], len([a]), is_int(a), error(a)] }')
    c = forced(src)
    r = c.context().call(c.get("f"), 4)
    assert r[:6] == [4, 5, "4", [2, 3], 1, True] and r[6].value == 4
    r = by_name(c, "f")
    assert r["state"] == "compiled", r
    assert r["runtime_calls"] == {"builtin_string": 1, "call": 2, "make_error": 1}


def test_a_polymorphic_function_settles_on_any_value_parameters():
    """A function first compiled for a bool argument and then called with arrays is compiled
    again, after its entry refused enough calls, with that parameter of any type (the other
    keeps its type) — and stays compiled instead of running out of recompiles."""
    src = ("wrap := func(k, v) { return {key: k, value: v} }\n"
           "out := []\n"
           "for i := 0; i < 4000; i++ { out = append(out, wrap(i, i % 2 == 0 ? true : [i])) }")
    c = Script(src, jit=True, jit_threshold=10).compile()
    c.run()
    out = c.get("out")
    assert out[0] == {"key": 0, "value": True} and out[3] == {"key": 3, "value": [3]}
    r = by_name(c, "wrap")
    assert r["state"] == "compiled" and r["signature"] == "(int, obj) -> obj", r


def test_self_tail_calls_still_jump_in_functions_that_call_run_time_values():
    """A function calling a closure (any value known only at run time) calls global functions
    as run-time values too, but its tail calls of itself stay jumps, as on the baseline tier:
    recursion far deeper than the stack allows still ends normally."""
    src = ("acc := []\n"
           "k := func(x) { return x % 3 }\n"
           "walk := func(n, s) {\n"
           "  if n == 0 { return s }\n"
           "  f := k\n"
           "  acc = append(acc, f(n))\n"
           "  return walk(n - 1, s + 1)\n"
           "}\n"
           "count := 0\n"
           "tick := func(n) { if n == 0 { return count }; g := k; count += g(n); tick(n - 1) }\n"
           "out := [walk(30000, 0), len(acc), tick(20000)]")
    base = Script(src, jit=False).compile()
    base.run()
    c = forced(src)
    assert c.get("out") == base.get("out") == [30000, 30000, sum(n % 3 for n in range(1, 20001))]
    for name in ("walk", "tick"):
        r = by_name(c, name)
        assert r["state"] == "compiled", r


def test_a_region_too_large_to_compile_stays_on_the_baseline_tier():
    """Compile time grows with code size: a function past the size bound is not compiled (its
    record says why) and still runs, on the baseline tier, with the same result."""
    from tengojit.jit.infer import MAX_REGION_NODES
    n = MAX_REGION_NODES // 8 + 100           # each statement is about 10 nodes
    body = "\n".join(f"  x = (x * {i} + {i}) % 1000003" for i in range(n))
    src = f"f := func(x) {{\n{body}\n  return x\n}}\ny := f(1)\ny = f(2)"
    c = Script(src, jit=True, jit_threshold=0, jit_background=False).compile()
    c.run()
    rec = next(r for r in jit.stats(c.program) if r["name"] == "f")
    assert rec["state"] == "not eligible" and "too large to compile" in rec["reason"]
    base = Script(src, jit=False).compile()
    base.run()
    assert c.get("y") == base.get("y")
