"""Baseline-tier semantics that the conformance corpus covers thinly: closures and loops,
tail calls, evaluation order, int64 wrap-around on every fast path, error positions, limits,
and the call counters. Each test runs per tier (tests/conftest.py)."""
from __future__ import annotations

import pytest

from helpers import run_script

from tengojit import TengoRuntimeError, CompileError

MIN, MAX = -(1 << 63), (1 << 63) - 1
MINLIT = "(-9223372036854775807 - 1)"   # Tengo, like Go, has no literal for INT64_MIN


def run(make_script, src, **kw):
    return run_script(make_script, src, name="t", **kw)


def out(make_script, src, **kw):
    return run(make_script, src, **kw).get("out")


def test_closures_in_function_loop_get_fresh_variables(make_script):
    src = """
    out := func() {
        fs := []
        for i := 0; i < 3; i++ { x := i; fs = append(fs, func() { return x }) }
        r := []
        for f in fs { r = append(r, f()) }
        return r
    }()"""
    assert out(make_script, src) == [0, 1, 2]


def test_c_style_counter_is_one_shared_variable(make_script):
    src = """
    out := func() {
        fs := []
        for i := 0; i < 3; i++ { fs = append(fs, func() { return i }) }
        return [fs[0](), fs[2]()]
    }()"""
    assert out(make_script, src) == [3, 3]


def test_for_in_variables_are_fresh_and_writes_go_through_the_cell(make_script):
    src = """
    out := func() {
        fs := []
        for k, v in [10, 20] {
            fs = append(fs, func() { v += 1; return [k, v] })
        }
        return [fs[0](), fs[0](), fs[1]()]
    }()"""
    assert out(make_script, src) == [[0, 11], [0, 12], [1, 21]]


def test_top_level_loop_variables_are_globals(make_script):
    src = """
    fs := []
    for i := 0; i < 3; i++ { x := i; fs = append(fs, func() { return x }) }
    out := [fs[0](), fs[2]()]"""
    assert out(make_script, src) == [2, 2]


def test_capture_by_reference(make_script):
    src = """
    out := func() {
        a := 1
        get := func() { return a }
        set := func(v) { a = v }
        set(5)
        return [get(), a]
    }()"""
    assert out(make_script, src) == [5, 5]


def test_local_recursive_function_inside_loop(make_script):
    src = """
    out := func() {
        r := []
        for n := 3; n < 5; n++ {
            fact := func(k) { return k < 2 ? 1 : k * fact(k - 1) }
            r = append(r, fact(n))
        }
        return r
    }()"""
    assert out(make_script, src) == [6, 24]


@pytest.mark.parametrize("depth", [10, 250000])
def test_self_tail_call_runs_deep(make_script, depth):
    src = f"""
    count := func(n, acc) {{ if n == 0 {{ return acc }}; return count(n - 1, acc + 1) }}
    out := count({depth}, 0)"""
    assert out(make_script, src) == depth


def test_tail_call_to_reassigned_name_calls_the_new_function(make_script):
    src = """
    other := func(n, acc) { return "other" }
    f := func(n, acc) { if n == 0 { return acc }; f = other; return f(n - 1, acc) }
    out := f(3, 0)"""
    assert out(make_script, src) == "other"


def test_tail_call_with_captured_variables(make_script):
    src = """
    out := func() {
        base := 100
        loop := 0
        loop = func(n, s) { if n == 0 { return s + base }; return loop(n - 1, s + n) }
        return loop(100000, 0)
    }()"""
    assert out(make_script, src) == 5000050000 + 100


def test_deep_non_tail_recursion_is_stack_overflow(make_script):
    with pytest.raises(TengoRuntimeError) as ei:
        run(make_script, "f := func(n) { return 1 + f(n + 1) }; f(0)")
    assert ei.value.message == "stack overflow"
    assert str(ei.value).startswith("Runtime Error: stack overflow\n\tat t:1:")


@pytest.mark.parametrize("expr, expected", [
    (f"{MAX} + 1", MIN), (f"{MINLIT} - 1", MAX), (f"{MAX} * 2", -2),
    (f"a := {MAX}; b := 1; c := 1; out = a + b + c", None),
    (f"-{MINLIT}", MIN), (f"{MINLIT} / -1", MIN), (f"{MINLIT} % -1", 0),
    ("1 << 64", 0), ("1 << 63", MIN), ("-5 >> 80", -1), ("7 / -2", -3), ("-7 % 2", -1),
    ("^0", -1), ("5 &^ 3", 4),
])
def test_int64_wraparound(make_script, expr, expected):
    if expected is None:
        assert out(make_script, "out := 0\n" + expr) == MIN + 1
    else:
        assert out(make_script, f"out := {expr}") == expected


def test_wrap_on_variables_not_only_constants(make_script):
    src = f"a := {MAX}; b := 1; out := [a + b, a * a, -a - b - b, a - -b]"
    assert out(make_script, src) == [MIN, 1, MAX, MIN]


def test_less_than_evaluates_left_operand_first(make_script):
    src = """
    log := []
    l := func() { log = append(log, "l"); return 1 }
    r := func() { log = append(log, "r"); return 2 }
    x := l() < r()
    y := l() > r()
    out := [log, x, y]"""
    assert out(make_script, src) == [["l", "r", "l", "r"], True, False]


def test_comparison_error_names_the_operator_written(make_script):
    with pytest.raises(TengoRuntimeError) as ei:
        run(make_script, 'x := 1 < "a"')
    assert ei.value.message == "invalid operation: int < string"


def test_logical_operators_return_operands(make_script):
    assert out(make_script, 'out := [0 && 5, 3 && 5, 0 || "x", 2 || 1, 0.0 && 1]') == [0, 5, "x", 2, 1]


def test_division_by_zero_is_a_runtime_error_with_position(make_script):
    with pytest.raises(TengoRuntimeError) as ei:
        run(make_script, "a := 0\nb := 10 / a")
    assert str(ei.value) == "Runtime Error: division by zero\n\tat t:2:6"


def test_trace_lists_every_frame_innermost_first(make_script):
    src = "g := func() { return 1 + \"a\" }\nf := func() { return g() }\nf()"
    with pytest.raises(TengoRuntimeError) as ei:
        run(make_script, src)
    assert str(ei.value) == ("Runtime Error: invalid operation: int + string\n\tat t:1:22"
                             "\n\tat t:2:22\n\tat t:3:1")


def test_wrong_argument_count(make_script):
    with pytest.raises(TengoRuntimeError) as ei:
        run(make_script, "f := func(a, b) { return a }\nf(1, 2, 3)")
    assert ei.value.message == "wrong number of arguments: want=2, got=3"


def test_compile_errors(make_script):
    for src, msg in [("a := 1; a := 2", "'a' redeclared in this block"),
                     ("b = 1", "unresolved reference 'b'"),
                     ("break", "break not allowed outside loop"),
                     ("a, b := 1, 2", "tuple assignment not allowed")]:
        with pytest.raises(CompileError) as ei:
            make_script(src).compile()
        assert ei.value.message == msg


def test_export_outside_module_is_ignored_and_not_evaluated(make_script):
    assert out(make_script, "out := 1; export func() { out = 2 }()") == 1


def test_modules_are_compiled_once_and_run_per_import(make_script):
    mods = {"m": "n := 0\nexport {inc: func() { n += 1; return n }}"}
    src = 'a := import("m"); b := import("m"); a.inc(); a.inc(); out := [a.inc(), b.inc()]'
    assert out(make_script, src, modules=mods) == [3, 1]


def test_max_allocs(make_script):
    ok = make_script("a := [1, 2]; b := a + [3]").set_max_allocs(3).compile()
    ok.run()
    bad = make_script("a := [1, 2]; b := a + [3]").set_max_allocs(2).compile()
    with pytest.raises(TengoRuntimeError) as ei:
        bad.run()
    assert ei.value.message == "allocation limit exceeded"


def test_call_counters(make_script):
    # the baseline tier's counters (under the JIT they count only until a function compiles)
    c = run(make_script, "f := func(n) { return n < 1 ? 0 : f(n - 1) }; out := f(9)", profile=True,
            jit=False)
    counts = {info.name: n for info, n in c.program.call_counts().items()}
    assert counts["f"] == 10 and counts["(main)"] == 1


# ---------------------------------------------------------------------------------------------
# counted loops: ``for i := a; i < b; i++`` with literal bounds runs as a Python range loop
# (codegen.counted_loop) when nothing else writes i; these pin the semantics either way

def test_counted_loop_break_keeps_the_counter(make_script):
    src = """
    out := func() {
        g := 0
        for i := 0; i < 10; i++ { if i == 0 { g = func() { return i } }; if i == 4 { break } }
        return g()
    }()"""
    assert out(make_script, src) == 4


def test_counted_loop_ends_at_the_bound(make_script):
    src = """
    out := func() {
        g := 0
        s := 0
        for i := 1; i <= 5; i += 1 { s += i; if i == 1 { g = func() { return i } } }
        return [s, g()]
    }()"""
    assert out(make_script, src) == [15, 6]


def test_counted_loop_continue_and_negative_bounds(make_script):
    src = """
    out := func() {
        r := []
        for i := -3; i < 4; i++ { if i % 2 == 0 { continue }; r = append(r, i * 2 - i) }
        return r
    }()"""
    assert out(make_script, src) == [-3, -1, 1, 3]


def test_counted_loop_written_in_its_body(make_script):
    src = """
    out := func() {
        r := []
        for i := 0; i < 10; i++ { i += 2; r = append(r, i) }
        return r
    }()"""
    assert out(make_script, src) == [2, 5, 8, 11]


def test_counted_loop_written_by_a_closure(make_script):
    src = """
    out := func() {
        r := []
        for i := 0; i < 5; i++ { f := func() { i = i + 1 }; f(); r = append(r, i) }
        return r
    }()"""
    assert out(make_script, src) == [1, 3, 5]


def test_counted_loop_near_max_int(make_script):
    src = f"""
    out := func() {{
        a := 0
        for i := {MAX - 2}; i < {MAX}; i++ {{ a += i - {MAX - 3} }}
        b := 0
        for i := {MAX - 2}; i <= {MAX}; i++ {{ b += 1; if b > 5 {{ break }} }}
        return [a, b]
    }}()"""
    assert out(make_script, src) == [3, 6]       # i <= MaxInt64 wraps: it never ends by itself


def test_nested_counted_loops_with_captures(make_script):
    src = """
    out := func() {
        fs := []
        for j := 0; j < 2; j++ { for i := 0; i < 2; i++ { fs = append(fs, func() { return i * 10 + j }) } }
        return [fs[0](), fs[1](), fs[2](), fs[3]()]
    }()"""
    assert out(make_script, src) == [22, 22, 22, 22]


def test_counted_loop_at_top_level_keeps_its_semantics(make_script):
    src = """
    g := 0
    for i := 0; i < 10; i++ { if i == 0 { g = func() { return i } }; if i == 4 { break } }
    out := g()"""
    assert out(make_script, src) == 4


def test_counted_loop_in_a_function_uses_a_range(make_script):
    """The rewrite really happens (else the tests above would only test the while loop)."""
    import ast
    import tengojit.interp.program as program
    seen = []
    orig = program.Program._exec

    def spy(self, tree, filename):
        seen.append(ast.unparse(tree))
        return orig(self, tree, filename)

    program.Program._exec = spy
    try:
        c = run(make_script, """
        out := func() { s := 0; for i := 0; i < 100; i++ { s += i * 2 }; return s }()
        k := 0
        for i := 0; i < 3; i++ { i += 1; k++ }""")
    finally:
        program.Program._exec = orig
    assert c.get("out") == 9900 and c.get("k") == 2
    code = "\n".join(seen)
    assert "in range(0, 100)" in code
    # the second loop (main body, and it writes i) stays a while loop (with the JIT on, the
    # function's loop has a second, uncounted copy for when the JIT has refused it)
    assert code.count("in range(") == code.count("in range(0, 100)")


def test_counted_loop_counter_arithmetic_still_wraps(make_script):
    """In a range loop the counter is a known int (no type tests), never an unchecked one."""
    src = """
    out := func() {
        r := []
        for i := 0; i < 4; i++ { r = append(r, i * 4611686018427387904, -i - 9223372036854775807) }
        return r
    }()"""
    assert out(make_script, src) == [0, -MAX, 1 << 62, MIN, MIN, MAX, -(1 << 62), MAX - 1]


def test_only_functions_that_call_out_check_at_entry(make_script):
    """A leaf function (builtin calls only) has no entry check point; one that calls another
    function (a Tengo function, a module's, a host's) has one; loops check either way."""
    import ast
    import tengojit.interp.program as program
    seen = []
    orig = program.Program._exec

    def spy(self, tree, filename):
        seen.append(tree)
        return orig(self, tree, filename)

    program.Program._exec = spy
    try:
        run(make_script, """
        leaf := func(a) { return len(a) + 1 }
        looping_leaf := func(n) { s := 0; for i := 0; i < n; i++ { s += i }; return s }
        caller := func(a) { return leaf(a) }
        out := caller([1]) + looping_leaf(3)""")
    finally:
        program.Program._exec = orig

    def first_is_check(fn):
        stmt = fn.body[0]
        return isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Name) and stmt.test.id == "_STOP"

    fns = [n for t in seen for n in ast.walk(t) if isinstance(n, ast.FunctionDef)
           and any(a.arg.endswith(("_a", "_n")) for a in n.args.args)]
    leaf, caller, looping = [], [], []
    for f in fns:
        src = ast.unparse(f)
        (caller if "G[0]" in src or "_call" in src else looping if "while" in src or " for " in src
         else leaf).append(f)
    assert leaf and caller and looping
    assert not any(first_is_check(f) for f in leaf)
    assert all(first_is_check(f) for f in caller)
    assert not any(first_is_check(f) for f in looping)
    assert all("_STOP" in ast.unparse(f) for f in looping)
