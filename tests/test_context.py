"""The host API for calling Tengo closures from Python: ExecutionContext, Closure.

Every behaviour test runs once per tier (``make_script``) and, where a call is made, once per
call path (``path``):

- ``c``:  ``ctx.call`` as built — the C trampoline ``tengojit._hostcall`` (skipped if not built);
- ``py``: ``ctx._call_py`` — the pure-Python path the trampoline must behave exactly like.

``test_fallback_*`` run with the extension disabled (contexts made while ``_Caller`` is None),
which is what a user gets when the extension was not built.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

import tengojit.context as context_mod
from tengojit import (ArgumentCountError, Char, Closure, Error, ExecutionContext, OptionError,
                      ForeignClosureError, ImmutableArray, InvalidGlobalsError, NotCallableError,
                      TengoError, TengoRuntimeError, UnknownVariableError, UserFunction)

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)

SRC = """
counter := 0
data := [1, 2, 3]
cfg := {name: "x", list: [1, 2]}
make_adder := func(n) { return func(x) { return x + n } }
add_five := make_adder(5)
ident := func(x) { return x }
kind := func(x) { return type_name(x) }
pair := func(a, b) { return [a, b] }
sum3 := func(a, b, c) { return a + b + c }
many := func(a, b, c, d, e, f, g, h, i) { return [a, b, c, d, e, f, g, h, i] }
variadic := func(a, ...rest) { return [a, rest] }
nothing := func() {}
inc := func(k) { counter += k; return counter }
get_counter := func() { return counter }
push := func(v) { data = append(data, v); return len(data) }
set_cfg := func(k, v) { cfg[k] = v; return cfg }
set_first := func(xs, v) { xs[0] = v; return xs }
boom := func() { return 1 + "a" }
deep_boom := func(n) { if n == 0 { return 1 + "a" }; return deep_boom(n - 1) + 0 }
apply := func(f, x) { return f(x) }
compose := func(f, g) { return func(x) { return f(g(x)) } }
stats := func(xs) {
    s := 0
    for x in xs { s += x }
    return {sum: s, n: len(xs), items: xs, frozen: immutable([s])}
}
length := len
make_nested := func(n) {
    if n == 0 { return func() { return "bottom" } }
    return func() { return make_nested(n - 1) }
}
make_adder_chain := func(depth) {
    if depth == 0 { return func(x) { return x } }
    inner := make_adder_chain(depth - 1)
    return func(x) { return inner(x) + 1 }
}
"""


# -------------------------------------------------------------------------------- helpers

@pytest.fixture(params=["c", "py"])
def path(request):
    """How a call is made: ``call(ctx, fn, *args)``."""
    if request.param == "c":
        if context_mod._Caller is None:
            pytest.skip("the C extension tengojit._hostcall is not built")

        def call(ctx, fn, *args):
            assert type(ctx.call) is context_mod._Caller
            return ctx.call(fn, *args)
    else:
        def call(ctx, fn, *args):
            return ctx._call_py(fn, *args)
    call.name = request.param
    return call


@pytest.fixture
def compiled(make_script):
    c = make_script(SRC).compile()
    c.run()
    return c


def compile_run(make_script, src, **symbols):
    s = make_script(src)
    for k, v in symbols.items():
        s.add(k, v)
    c = s.compile()
    c.run()
    return c


def outcome(thunk):
    """('ok', value) or ('err', exception class, str(exception)): for comparing paths."""
    try:
        return ("ok", thunk())
    except Exception as e:  # noqa: BLE001
        return ("err", type(e), str(e))


def check_tengo_error(e, cls=TengoError):
    """A user-facing error: a TengoError of ``cls``, Tengo-style text, no Python chain shown."""
    assert isinstance(e, TengoError), f"{type(e).__name__} is not a TengoError: {e}"
    assert isinstance(e, cls), f"{type(e).__name__} is not a {cls.__name__}"
    s = str(e)
    assert "Traceback" not in s and 'File "' not in s, s
    if isinstance(e, TengoRuntimeError):
        assert s.startswith("Runtime Error: "), s
    # the only cause shown is the exception of a host function that ended the run
    assert e.__cause__ is None or e.__cause__ is getattr(e, "host_exception", None)
    assert e.__context__ is None or e.__suppress_context__


def raises(cls, thunk):
    with pytest.raises(TengoError) as info:
        thunk()
    check_tengo_error(info.value, cls)
    return info.value


# -------------------------------------------------------------------------------- contexts

def test_context_shares_compiled_globals(compiled):
    ctx = ExecutionContext(compiled)
    assert ctx.globals is compiled.G
    assert compiled.context() is compiled.context()
    assert compiled.context().globals is compiled.G
    inc = compiled.get("inc")
    assert ctx.call(inc, 2) == 2
    assert compiled.get("counter") == 2            # the compiled script sees the write
    assert compiled.context().call(inc, 3) == 5    # and so does its own context
    assert ctx.get("counter") == 5


def test_context_over_given_globals(compiled, path):
    G = list(compiled.G)
    ctx = ExecutionContext(compiled, G)
    assert ctx.globals is G
    assert path(ctx, compiled.get("inc"), 7) == 7
    assert G[compiled.program.global_names["counter"]] == 7
    assert compiled.get("counter") == 0


# -------------------------------------------------------------------------------- call

def test_call_returns_python_values(compiled, path):
    ctx = compiled.context()
    r = path(ctx, compiled.get("add_five"), 3)
    assert r == 8 and type(r) is int
    assert path(ctx, compiled.get("ident"), 2.5) == 2.5
    assert path(ctx, compiled.get("ident"), "héllo") == "héllo"
    assert path(ctx, compiled.get("ident"), True) is True
    assert path(ctx, compiled.get("ident"), None) is None
    assert path(ctx, compiled.get("ident"), b"\x00\xff") == b"\x00\xff"
    assert path(ctx, compiled.get("ident"), Char(0x1F600)) == Char(0x1F600)
    err = path(ctx, compiled.get("ident"), Error("bad"))
    assert type(err) is Error and err.value == "bad"
    assert path(ctx, compiled.get("nothing")) is None
    assert path(ctx, compiled.get("kind"), True) == "bool"
    assert path(ctx, compiled.get("kind"), 1) == "int"


@pytest.mark.parametrize("n", range(0, 10))
def test_call_arities(compiled, path, n):
    ctx = compiled.context()
    fns = {0: "get_counter", 1: "add_five", 2: "pair", 3: "sum3", 9: "many"}
    args = list(range(1, n + 1))
    if n in fns:
        r = path(ctx, compiled.get(fns[n]), *args)
        expected = {0: 0, 1: 6, 2: [1, 2], 3: 6, 9: args}[n]
        assert r == expected
    r = path(ctx, compiled.get("variadic"), *args) if n else None
    if n:
        assert r == [1, args[1:]]


def test_call_ex_returns_live_globals(compiled, path):
    ctx = compiled.context().with_isolated_globals()
    inc = compiled.get("inc")
    if path.name == "py":
        r, G = ctx._call_py(inc, 4), ctx.G        # call_ex is call + ctx.G
    else:
        r, G = ctx.call_ex(inc, 4)
    assert r == 4
    assert G is ctx.globals                        # the live list, not a copy
    assert G[compiled.program.global_names["counter"]] == 4
    r2, G2 = ctx.call_ex(inc, 1)
    assert (r2, G2) == (5, G) and G2 is G
    assert G[compiled.program.global_names["counter"]] == 5


def test_closure_is_callable_and_bound_to_its_context(compiled):
    add_five = compiled.get("add_five")
    assert isinstance(add_five, Closure)
    assert add_five(3) == 8
    iso = compiled.context().with_isolated_globals()
    inc_iso = iso.get("inc")                       # bound to iso
    assert inc_iso(10) == 10
    assert iso.get("counter") == 10
    assert compiled.get("counter") == 0
    inc = compiled.get("inc")                      # bound to the compiled script's context
    assert inc(1) == 1
    assert compiled.get("counter") == 1 and iso.get("counter") == 10


def test_call_through_another_context_uses_that_context(compiled, path):
    # a Closure names a function; ctx.call runs it over ctx's globals, whatever it came from
    inc = compiled.get("inc")
    a = compiled.context().with_isolated_globals()
    b = compiled.context().with_isolated_globals()
    assert path(a, inc, 1) == 1
    assert path(a, inc, 1) == 2
    assert path(b, inc, 1) == 1
    assert compiled.get("counter") == 0


def test_write_through_one_context_read_through_another(compiled, path):
    ctx = compiled.context()
    other = ExecutionContext(compiled)             # same globals list
    assert other.globals is ctx.globals
    path(ctx, compiled.get("inc"), 3)
    assert path(other, compiled.get("get_counter")) == 3
    assert other.get("counter") == 3
    path(other, compiled.get("push"), 4)
    assert path(ctx, compiled.get("ident"), ctx.get("data")) == [1, 2, 3, 4]


def test_call_builtin_and_host_functions(make_script, path):
    def host_add(a, b):
        return a + b
    c = compile_run(make_script, "length := len; h := host_add; r := h(2, 3)", host_add=host_add)
    assert c.get("r") == 5
    ctx = c.context()
    length = c.get("length")
    assert isinstance(length, Closure)
    assert path(ctx, length, [1, 2, 3]) == 3
    h = c.get("h")
    assert isinstance(h, UserFunction)
    assert path(ctx, h, 4, 5) == 9
    assert path(ctx, c.get("host_add"), "a", "b") == "ab"


def test_python_callable_added_with_script_add(make_script, path):
    seen = []

    def summarize(xs, opts):
        seen.append((xs, opts))
        return {"total": sum(xs), "label": opts["label"], "pair": (1, 2)}

    c = compile_run(make_script, """
        r := summarize([1, 2, 3], {label: "abc"})
        t := type_name(r.pair)
        f := func(xs) { return summarize(xs, {label: "f"}) }
    """, summarize=summarize)
    assert c.get("r") == {"total": 6, "label": "abc", "pair": [1, 2]}
    assert c.get("t") == "array"                   # the tuple result became an array
    assert seen[0] == ([1, 2, 3], {"label": "abc"})
    assert path(c.context(), c.get("f"), [4, 5])["total"] == 9


def test_host_function_exception_becomes_runtime_error(make_script, path):
    def fail(x):
        raise ValueError(f"bad input: {x}")

    src = "r := 0\ncall_fail := func(x) {\n    return fail(x)\n}\n"
    s = make_script(src + 'r = call_fail("at run")\n')
    s.add("fail", fail)
    c = s.compile()
    with pytest.raises(TengoError) as info:
        c.run()
    check_tengo_error(info.value, TengoRuntimeError)
    assert info.value.message == "host function 'fail' raised ValueError: bad input: at run"
    assert "at (main):3:12" in str(info.value)
    # the host's exception, class and all, is the cause
    assert type(info.value.__cause__) is ValueError and info.value.host_exception is info.value.__cause__

    c2 = compile_run(make_script, src, fail=fail)
    e = raises(TengoRuntimeError, lambda: path(c2.context(), c2.get("call_fail"), "from host"))
    assert e.message == "host function 'fail' raised ValueError: bad input: from host"
    assert e.trace and e.trace[0] == ("(main)", 3, 12)
    assert type(e.__cause__) is ValueError and str(e.__cause__) == "bad input: from host"


def test_host_function_calls_back_into_the_context(make_script, path):
    holder = {}

    def back(x):
        ctx = holder["ctx"]
        return ctx.call(holder["double"], x) + 1

    c = compile_run(make_script, """
        double := func(x) { return x * 2 }
        outer := func(x) { return back(x) * 10 }
    """, back=back)
    holder["ctx"] = c.context()
    holder["double"] = c.get("double")
    assert path(c.context(), c.get("outer"), 4) == 90


# -------------------------------------------------------------------------------- closures

def test_nested_closures_chain(compiled, path):
    ctx = compiled.context()
    f = path(ctx, compiled.get("make_nested"), 100)
    steps = 0
    while isinstance(f, Closure):
        f = path(ctx, f)
        steps += 1
    assert f == "bottom"
    assert steps == 101


def test_nested_adder_chain(compiled, path):
    ctx = compiled.context()
    chain = path(ctx, compiled.get("make_adder_chain"), 100)
    assert isinstance(chain, Closure)
    assert path(ctx, chain, 1) == 101
    assert chain(5) == 105
    assert ctx.map(chain, [0, 1]) == [100, 101]


def test_function_results_come_back_as_closures(compiled, path):
    ctx = compiled.context()
    add_ten = path(ctx, compiled.get("make_adder"), 10)
    assert isinstance(add_ten, Closure)
    assert add_ten.ctx is ctx
    assert path(ctx, add_ten, 1) == 11
    # closures as arguments and as results of later calls
    assert path(ctx, compiled.get("apply"), add_ten, 5) == 15
    both = path(ctx, compiled.get("compose"), add_ten, compiled.get("add_five"))
    assert isinstance(both, Closure)
    assert path(ctx, both, 0) == 15
    # a closure stored in a global through the context, then used by the script
    ctx.set("ident", add_ten)
    assert isinstance(compiled.get("ident"), Closure)
    assert path(ctx, compiled.get("apply"), compiled.get("ident"), 1) == 11


def test_compiled_set_closure(compiled, path):
    ctx = compiled.context()
    add_ten = path(ctx, compiled.get("make_adder"), 10)
    compiled.set("ident", add_ten)
    assert isinstance(compiled.get("ident"), Closure)
    assert path(ctx, compiled.get("apply"), compiled.get("ident"), 1) == 11


def test_closure_identity(compiled):
    a, b = compiled.get("add_five"), compiled.get("add_five")
    assert a == b and hash(a) == hash(b)
    assert a != compiled.get("inc")
    assert "(main)" in repr(a)


# -------------------------------------------------------------------------------- data

def test_complex_data_in_and_out(compiled, path):
    ctx = compiled.context()
    r = path(ctx, compiled.get("stats"), [1, 2, 3, 4])
    assert r["sum"] == 10 and r["n"] == 4 and r["items"] == [1, 2, 3, 4]
    assert type(r["frozen"]) is ImmutableArray and r["frozen"] == [10]
    m = {"a": [1, {"b": 2.5}], "c": {"d": None}}
    assert path(ctx, compiled.get("ident"), m) == m
    assert path(ctx, compiled.get("kind"), m) == "map"
    assert path(ctx, compiled.get("kind"), [m]) == "array"
    assert path(ctx, compiled.get("kind"), ImmutableArray([1])) == "immutable-array"


def test_arrays_and_maps_are_passed_by_reference(compiled, path):
    # Tengo arrays and maps are reference values: a script writing into an argument writes
    # into the host's list (as a Tengo caller would see it)
    xs = [1, 2, 3]
    r = path(compiled.context(), compiled.get("set_first"), xs, 99)
    assert r is xs and xs == [99, 2, 3]


@pytest.mark.parametrize("value, expected, tname", [
    ((1, 2, (3, "x")), [1, 2, [3, "x"]], "array"),
    (bytearray(b"ab"), b"ab", "bytes"),
    (memoryview(b"cd"), b"cd", "bytes"),
    (datetime(2020, 1, 2, 3, 4, 5), datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "time"),
    (datetime(2020, 1, 2, tzinfo=timezone.utc), datetime(2020, 1, 2, tzinfo=timezone.utc), "time"),
    (date(2021, 5, 6), datetime(2021, 5, 6, tzinfo=timezone.utc), "time"),
    (INT64_MAX, INT64_MAX, "int"),
    (INT64_MIN, INT64_MIN, "int"),
])
def test_argument_conversion(compiled, path, value, expected, tname):
    ctx = compiled.context()
    r = path(ctx, compiled.get("ident"), value)
    assert r == expected and type(r) is type(expected)
    if isinstance(expected, datetime):
        assert r.tzinfo is not None
    assert path(ctx, compiled.get("kind"), value) == tname
    assert path(ctx, compiled.get("pair"), value, 1) == [expected, 1]


@pytest.mark.parametrize("value", [INT64_MAX + 1, INT64_MIN - 1, 1 << 100])
def test_int_outside_int64_is_a_clear_error(compiled, path, value):
    ctx = compiled.context()
    for thunk in (lambda: path(ctx, compiled.get("ident"), value),
                  lambda: path(ctx, compiled.get("pair"), 1, value),
                  lambda: ctx.map(compiled.get("ident"), [1, value]),
                  lambda: ctx.bind(compiled.get("ident"))(value),
                  lambda: compiled.get("ident")(value)):
        e = raises(TengoError, thunk)
        assert str(value) in str(e) and "int64" in str(e)


@pytest.mark.parametrize("value", [INT64_MAX + 1, {1, 2}])
def test_call_with_globals_conversion_errors_are_tengo_errors(compiled, value):
    ctx = compiled.context()
    with pytest.raises(Exception) as info:
        compiled.get("ident").call_with_globals(ctx.globals, value)
    check_tengo_error(info.value)


@pytest.mark.parametrize("value, tname", [({1, 2}, "set"), (frozenset(), "frozenset"),
                                          (object(), "object"), (1j, "complex")])
def test_unconvertible_argument_names_its_type(compiled, path, value, tname):
    ctx = compiled.context()
    for thunk in (lambda: path(ctx, compiled.get("ident"), value),
                  lambda: path(ctx, compiled.get("pair"), value, 1),
                  lambda: ctx.map(compiled.get("ident"), [value])):
        e = raises(TengoError, thunk)
        assert f"cannot convert {tname}" in str(e)


@pytest.mark.parametrize("value", [{1, 2}, object()])
def test_unconvertible_argument_is_a_type_error(compiled, path, value):
    with pytest.raises(TypeError) as info:
        path(compiled.context(), compiled.get("ident"), value)
    check_tengo_error(info.value)
    assert type(value).__name__ in str(info.value)


# -------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("value, tname", [(5, "int"), ("s", "string"), (None, "undefined"),
                                          ([1], "array"), ({"a": 1}, "map"), (2.5, "float")])
def test_not_callable(compiled, path, value, tname):
    ctx = compiled.context()
    e = raises(NotCallableError, lambda: path(ctx, value, 1))
    assert str(e) == f"Runtime Error: not callable: {tname}"
    assert isinstance(e, TypeError) and isinstance(e, TengoRuntimeError)
    e = raises(NotCallableError, lambda: ctx.bind(value))
    assert str(e) == f"Runtime Error: not callable: {tname}"
    e = raises(NotCallableError, lambda: ctx.map(value, [1]))
    assert str(e) == f"Runtime Error: not callable: {tname}"


def test_not_callable_inside_the_script(compiled, path):
    e = raises(NotCallableError, lambda: path(compiled.context(), compiled.get("apply"), 5, 1))
    assert e.message == "not callable: int"
    assert e.trace == [("(main)", 21, 30)]


def test_wrong_argument_count(compiled, path):
    ctx = compiled.context()
    e = raises(ArgumentCountError, lambda: path(ctx, compiled.get("add_five")))
    assert str(e) == "Runtime Error: wrong number of arguments: want=1, got=0"
    e = raises(ArgumentCountError, lambda: path(ctx, compiled.get("add_five"), 1, 2))
    assert str(e) == "Runtime Error: wrong number of arguments: want=1, got=2"
    e = raises(ArgumentCountError, lambda: path(ctx, compiled.get("variadic")))
    assert str(e) == "Runtime Error: wrong number of arguments: want>=1, got=0"
    e = raises(ArgumentCountError, lambda: path(ctx, compiled.get("many"), *range(8)))
    assert str(e) == "Runtime Error: wrong number of arguments: want=9, got=8"
    e = raises(ArgumentCountError, lambda: path(ctx, compiled.get("length")))
    assert str(e) == "Runtime Error: wrong number of arguments in call to 'builtin-function:len'"
    assert isinstance(e, TypeError)
    raises(ArgumentCountError, lambda: ctx.bind(compiled.get("add_five"))())
    raises(ArgumentCountError, lambda: compiled.get("add_five")(1, 2))
    raises(ArgumentCountError, lambda: ctx.map(compiled.get("get_counter"), [1]))
    raises(ArgumentCountError, lambda: compiled.get("add_five").call_with_globals(ctx.globals))


def test_runtime_error_has_tengo_trace(compiled, path):
    ctx = compiled.context()
    e = raises(TengoRuntimeError, lambda: path(ctx, compiled.get("boom")))
    assert str(e) == "Runtime Error: invalid operation: int + string\n\tat (main):19:25"
    assert type(e) is TengoRuntimeError
    e = raises(TengoRuntimeError, lambda: path(ctx, compiled.get("deep_boom"), 3))
    assert e.message == "invalid operation: int + string"
    assert len(e.trace) == 4


def test_stack_overflow_is_a_tengo_error(make_script, path):
    c = compile_run(make_script, "rec := func(n) { return 1 + rec(n + 1) }")
    e = raises(TengoRuntimeError, lambda: path(c.context(), c.get("rec"), 0))
    assert e.message == "stack overflow"


def test_foreign_closure(make_script, compiled, path):
    other = compile_run(make_script, SRC)           # same source, another program
    foreign = other.get("add_five")
    ctx = compiled.context()
    e = raises(ForeignClosureError, lambda: path(ctx, foreign, 1))
    assert "another program" in str(e)
    assert isinstance(e, ValueError)
    raises(ForeignClosureError, lambda: path(ctx, compiled.get("apply"), foreign, 1))
    raises(ForeignClosureError, lambda: ctx.map(foreign, [1]))
    raises(ForeignClosureError, lambda: ctx.bind(foreign))
    raises(ForeignClosureError, lambda: compiled.set("ident", foreign))
    raises(ForeignClosureError, lambda: ctx.set("ident", foreign))
    # through its own program it works
    assert path(other.context(), foreign, 1) == 6


def test_errors_never_leak_python_exceptions(compiled, path, make_script):
    def host(x):
        return {}[x]                                 # KeyError inside a host function

    c2 = compile_run(make_script, "f := func(x) { return host(x) }", host=host)
    ctx = compiled.context()
    thunks = [
        lambda: path(ctx, 5),
        lambda: path(ctx, compiled.get("boom")),
        lambda: path(ctx, compiled.get("add_five")),
        lambda: path(ctx, compiled.get("add_five"), None),
        lambda: path(ctx, compiled.get("ident"), object()),
        lambda: path(ctx, compiled.get("ident"), 1 << 64),
        lambda: path(ctx, compiled.get("length"), 5),
        lambda: path(c2.context(), c2.get("f"), "k"),
        lambda: path(ctx, c2.get("f"), "k"),
        lambda: ctx.with_globals([]),
        lambda: ctx.with_globals("nope"),
    ]
    for thunk in thunks:
        with pytest.raises(Exception) as info:
            thunk()
        check_tengo_error(info.value)


# -------------------------------------------------------------------------------- globals

def test_with_globals_rejects_none(compiled):
    with pytest.raises(InvalidGlobalsError):
        compiled.context().with_globals(None)


@pytest.mark.parametrize("bad", [(), "x", {}, 5])
def test_with_globals_rejects_wrong_type(compiled, bad):
    ctx = compiled.context()
    with pytest.raises(InvalidGlobalsError) as info:
        ctx.with_globals(bad)
    check_tengo_error(info.value, InvalidGlobalsError)
    assert isinstance(info.value, ValueError)
    assert "list" in str(info.value) and type(bad).__name__ in str(info.value)
    with pytest.raises(InvalidGlobalsError):
        ExecutionContext(compiled, bad)
    with pytest.raises(InvalidGlobalsError):
        compiled.get("inc").call_with_globals(bad, 1)


def test_with_globals_rejects_wrong_length(compiled):
    ctx = compiled.context()
    n = len(ctx.globals)
    for bad in ([], [None] * (n - 1), [None] * (n + 1)):
        with pytest.raises(InvalidGlobalsError) as info:
            ctx.with_globals(bad)
        check_tengo_error(info.value, InvalidGlobalsError)
        assert str(n) in str(info.value) and str(len(bad)) in str(info.value)
        with pytest.raises(InvalidGlobalsError) as info:
            compiled.get("inc").call_with_globals(bad, 1)
        assert str(n) in str(info.value) and str(len(bad)) in str(info.value)


def test_with_globals_shares_the_given_list(compiled, path):
    ctx = compiled.context()
    G = list(ctx.globals)
    g_ctx = ctx.with_globals(G)
    assert g_ctx.globals is G
    assert path(g_ctx, compiled.get("inc"), 2) == 2
    assert G[compiled.program.global_names["counter"]] == 2
    assert compiled.get("counter") == 0


def test_isolated_globals_are_private(compiled, path):
    ctx = compiled.context()
    a = ctx.with_isolated_globals()
    b = ctx.with_isolated_globals()
    assert a.globals is not ctx.globals and a.globals is not b.globals
    path(a, compiled.get("inc"), 5)
    path(a, compiled.get("push"), 4)
    path(a, compiled.get("set_cfg"), "name", "a")
    path(a, compiled.get("set_first"), a.get("cfg")["list"], 100)
    assert a.get("counter") == 5 and a.get("data") == [1, 2, 3, 4]
    assert a.get("cfg") == {"name": "a", "list": [100, 2]}
    # the parent and the sibling saw none of it
    for other in (ctx, b):
        assert other.get("counter") == 0
        assert other.get("data") == [1, 2, 3]
        assert other.get("cfg") == {"name": "x", "list": [1, 2]}
    assert compiled.get("data") == [1, 2, 3]
    # and writes in the parent after isolating are invisible to the copy
    path(ctx, compiled.get("inc"), 1)
    path(ctx, compiled.get("push"), 9)
    assert a.get("counter") == 5 and a.get("data") == [1, 2, 3, 4]
    assert b.get("counter") == 0 and b.get("data") == [1, 2, 3]


def test_isolated_of_isolated(compiled, path):
    a = compiled.context().with_isolated_globals()
    path(a, compiled.get("inc"), 1)
    aa = a.with_isolated_globals()
    assert aa.get("counter") == 1
    path(aa, compiled.get("inc"), 1)
    assert (a.get("counter"), aa.get("counter"), compiled.get("counter")) == (1, 2, 0)


def test_isolated_closure_reads_its_own_globals(compiled, path):
    ctx = compiled.context()
    iso = ctx.with_isolated_globals()
    path(iso, compiled.get("inc"), 3)
    assert path(iso, compiled.get("get_counter")) == 3
    assert path(ctx, compiled.get("get_counter")) == 0
    # a Closure returned through the isolated context is bound to it
    add = path(iso, compiled.get("make_adder"), 1)
    assert add.ctx is iso


def test_many_isolated_contexts_are_distinct(compiled):
    # (their cost is measured by the benchmark suite: ClosureIsolatedContext)
    ctx = compiled.context()
    contexts = [ctx.with_isolated_globals() for _ in range(5000)]
    assert len({id(c.globals) for c in contexts}) == 5000


def test_isolation_covers_containers_inside_immutable_values(make_script, path):
    c = compile_run(make_script, """
        g := immutable([[1], {a: [2]}])
        e := error([3])
        set_g := func(v) { g[0][0] = v; g[1].a[0] = v }
        set_e := func(v) { e.value[0] = v }
    """)
    iso = c.context().with_isolated_globals()
    path(iso, c.get("set_g"), 99)
    path(iso, c.get("set_e"), 99)
    assert c.get("g") == [[1], {"a": [2]}]
    assert c.get("e").value == [3]


def test_isolation_keeps_aliasing(make_script, path):
    c = compile_run(make_script, "a := [1]\nb := a\nf := func(v) { a[0] = v; return b[0] }")
    assert path(c.context(), c.get("f"), 5) == 5
    assert path(c.context().with_isolated_globals(), c.get("f"), 7) == 7


def test_isolation_of_cyclic_value(make_script):
    c = compile_run(make_script, "a := [0]\na[0] = a")
    iso = c.context().with_isolated_globals()
    a = iso.get("a")
    assert a[0] is a and a is not c.get("a")


def test_context_get_set(compiled, path):
    ctx = compiled.context().with_isolated_globals()
    ctx.set("counter", 41)
    assert path(ctx, compiled.get("inc"), 1) == 42
    ctx.set("data", (7, 8))                          # converted: a tuple becomes an array
    assert ctx.get("data") == [7, 8]
    with pytest.raises(UnknownVariableError, match="'nope' is not a global variable"):
        ctx.get("nope")
    assert ctx.get("nope", 3) == 3
    with pytest.raises(UnknownVariableError):
        ctx.set("nope", 1)
    assert isinstance(ctx.get("inc"), Closure) and ctx.get("inc").ctx is ctx


# -------------------------------------------------------------------------------- map / bind

def test_map(compiled):
    ctx = compiled.context()
    add_five = compiled.get("add_five")
    assert ctx.map(add_five, [1, 2, 3]) == [6, 7, 8]
    assert ctx.map(add_five, range(5)) == [5, 6, 7, 8, 9]
    assert ctx.map(add_five, (1.5, 2)) == [6.5, 7]
    assert ctx.map(add_five, (x for x in [10])) == [15]
    assert ctx.map(add_five, []) == []
    assert ctx.map(compiled.get("stats"), [[1, 2], [3]])[1]["sum"] == 3
    assert ctx.map(compiled.get("ident"), [(1, 2), bytearray(b"x")]) == [[1, 2], b"x"]
    adders = ctx.map(compiled.get("make_adder"), [1, 2])
    assert all(isinstance(a, Closure) and a.ctx is ctx for a in adders)
    assert [a(10) for a in adders] == [11, 12]
    assert ctx.map(compiled.get("length"), ["ab", [1]]) == [2, 1]


def test_map_numpy(compiled):
    np = pytest.importorskip("numpy")
    ctx = compiled.context()
    # numpy in, numpy out (natively when the JIT compiled the function for the dtype)
    r = ctx.map(compiled.get("add_five"), np.arange(4, dtype=np.int64))
    assert isinstance(r, np.ndarray) and r.dtype == np.int64 and r.tolist() == [5, 6, 7, 8]
    r = ctx.map(compiled.get("add_five"), np.array([0.5, 1.5], dtype=np.float64))
    assert isinstance(r, np.ndarray) and r.dtype == np.float64 and r.tolist() == [5.5, 6.5]
    assert ctx.map(compiled.get("kind"), np.arange(2)).tolist() == ["int", "int"]
    big = np.arange(10_000, dtype=np.int64)
    assert ctx.map(compiled.get("add_five"), big).tolist() == (big + 5).tolist()
    raises(TengoRuntimeError, lambda: ctx.map(compiled.get("boom"), np.arange(1)))


def test_map_numpy_after_a_global_changes_type(make_script):
    """A context caches its native map entry per function; the entry re-checks the globals it
    assumed on every call, so a global that changed type (or an array of another dtype) runs
    the general path and gives the baseline's result."""
    np = pytest.importorskip("numpy")
    c = compile_run(make_script, "g := 10\nf := func(x) { return x + g }\nset_g := func(v) { g = v }")
    ctx = c.context()
    f = c.get("f")
    ints = np.arange(3, dtype=np.int64)
    for _ in range(3):
        assert ctx.map(f, ints).tolist() == [10, 11, 12]
    ctx.call(c.get("set_g"), 0.5)
    r = ctx.map(f, ints)
    assert r.dtype == np.float64 and r.tolist() == [0.5, 1.5, 2.5]
    ctx.call(c.get("set_g"), 1)
    assert ctx.map(f, ints).tolist() == [1, 2, 3]
    assert ctx.map(f, np.array([0.25])).tolist() == [1.25]
    assert ctx.map(f, ints[::2]).tolist() == [1, 3]            # not contiguous: copied


def test_map_equals_calls(compiled, path):
    ctx = compiled.context().with_isolated_globals()
    twin = compiled.context().with_isolated_globals()
    xs = [3, -1, 0, 7]
    assert ctx.map(compiled.get("inc"), xs) == [path(twin, compiled.get("inc"), x) for x in xs]
    assert ctx.get("counter") == twin.get("counter") == 9


def test_bind(compiled, path):
    ctx = compiled.context().with_isolated_globals()
    inc = ctx.bind(compiled.get("inc"))
    assert callable(inc)
    assert [inc(1), inc(2)] == [1, 3]
    assert ctx.get("counter") == 3 and compiled.get("counter") == 0
    add = ctx.bind(compiled.get("make_adder"))(3)
    assert isinstance(add, Closure) and add(1) == 4
    assert ctx.bind(compiled.get("ident"))((1, 2)) == [1, 2]
    assert ctx.bind(compiled.get("length"))("abc") == 3
    bound_pair = ctx.bind(compiled.get("pair"))
    assert bound_pair(1, 2) == path(ctx, compiled.get("pair"), 1, 2)


# -------------------------------------------------------------------------------- direct API

def test_call_with_globals(compiled):
    inc = compiled.get("inc")
    G = list(compiled.context().with_isolated_globals().globals)
    r, G2 = inc.call_with_globals(G, 5)
    assert r == 5 and G2 is G
    r, _ = inc.call_with_globals(G, 5)
    assert r == 10
    assert G[compiled.program.global_names["counter"]] == 10
    assert compiled.get("counter") == 0
    add, G3 = compiled.get("make_adder").call_with_globals(G, 2)
    assert isinstance(add, Closure) and add.ctx.globals is G and G3 is G
    assert add(1) == 3
    r, _ = compiled.get("ident").call_with_globals(G, (1, 2))
    assert r == [1, 2]
    r, _ = compiled.get("add_five").call_with_globals(compiled.G, 1)
    assert r == 6


def test_call_with_globals_errors(compiled):
    G = compiled.context().with_isolated_globals().globals
    with pytest.raises(TengoRuntimeError) as info:
        compiled.get("boom").call_with_globals(G)
    check_tengo_error(info.value, TengoRuntimeError)
    assert str(info.value) == "Runtime Error: invalid operation: int + string\n\tat (main):19:25"


# -------------------------------------------------------------------------------- C == Python

def _cases(c):
    obj = object()
    g = c.get
    return [
        (g("add_five"), (3,)), (g("add_five"), (2.5,)), (g("add_five"), ("x",)),
        (g("add_five"), ()), (g("add_five"), (1, 2)), (g("ident"), (True,)),
        (g("ident"), (None,)), (g("ident"), ((1, 2),)), (g("ident"), (bytearray(b"z"),)),
        (g("ident"), (INT64_MAX,)), (g("ident"), (INT64_MAX + 1,)), (g("ident"), (obj,)),
        (g("ident"), ({1},)), (g("pair"), (1, 1 << 70)), (g("many"), tuple(range(9))),
        (g("many"), tuple(range(10))), (g("variadic"), tuple(range(12))),
        (g("make_adder"), (1,)), (g("boom"), ()), (g("deep_boom"), (2,)), (5, ()),
        (None, (1,)), ("f", ()), (g("length"), ([1, 2],)), (g("length"), ()),
        (g("apply"), (g("add_five"), 1)), (g("apply"), (1, 1)), (g("stats"), ([1, 2],)),
        (g("kind"), (Char(97),)), (g("kind"), (ImmutableArray([1]),)),
        (g("kind"), (datetime(2020, 1, 1),)), (g("set_first"), ([0], 1)),
    ]


def _norm(o):
    if o[0] == "ok" and isinstance(o[1], Closure):
        return ("ok", "closure", o[1].fn.__code__, o[1](1))
    return o


def test_c_trampoline_matches_python_path(compiled):
    if context_mod._Caller is None:
        pytest.skip("the C extension tengojit._hostcall is not built")
    c_ctx = compiled.context().with_isolated_globals()
    py_ctx = compiled.context().with_isolated_globals()
    assert type(c_ctx.call) is context_mod._Caller
    for fn, args in _cases(compiled):
        got_c = _norm(outcome(lambda: c_ctx.call(fn, *args)))
        got_py = _norm(outcome(lambda: py_ctx._call_py(fn, *args)))
        assert got_c == got_py, (fn, args)
        got_bind = _norm(outcome(lambda: c_ctx.bind(fn)(*args)))
        if got_py[0] == "ok" or not str(got_py[2]).startswith("Runtime Error: not callable"):
            assert got_bind == got_py, (fn, args)
    assert c_ctx.globals == py_ctx.globals


def test_c_trampoline_rejects_nothing_python_accepts(compiled):
    # the trampoline hands unusual calls to the Python path: keyword arguments, no function
    ctx = compiled.context()
    with pytest.raises(TypeError):
        ctx.call()
    with pytest.raises(OptionError, match="unexpected keyword argument 'x'"):
        ctx.call(compiled.get("add_five"), x=1)     # (timeout= and cancel= are the keywords)
    with pytest.raises(TypeError):
        ctx._call_py()


def test_fallback_without_extension(compiled, monkeypatch):
    monkeypatch.setattr(context_mod, "_Caller", None)
    ctx = ExecutionContext(compiled).with_isolated_globals()
    assert not isinstance(ctx.call, type(None)) and ctx.call.__func__ is ExecutionContext._call_py
    assert ctx.call(compiled.get("add_five"), 3) == 8
    assert ctx.call_ex(compiled.get("inc"), 2) == (2, ctx.globals)
    inc = ctx.bind(compiled.get("inc"))
    assert inc(1) == 3
    assert ctx.map(compiled.get("add_five"), range(3)) == [5, 6, 7]
    assert ctx.get("add_five")(1) == 6
    raises(NotCallableError, lambda: ctx.call(5))
    raises(ArgumentCountError, lambda: ctx.call(compiled.get("add_five")))
    raises(ArgumentCountError, lambda: inc())
    for fn, args in _cases(compiled):
        if fn in (compiled.get("inc"), compiled.get("set_first")):
            continue
        a = _norm(outcome(lambda: ctx.call(fn, *args)))
        b = _norm(outcome(lambda: ctx._call_py(fn, *args)))
        assert a == b


@pytest.mark.parametrize("opts", [
    {"jit": False},
    {"jit": True, "jit_threshold": 1000, "jit_background": True},
    {"jit": True, "jit_threshold": 1000, "jit_background": False},
], ids=["baseline", "jit-background", "jit-foreground"])
def test_map_numpy_over_a_long_array_before_the_jit_compiled(opts):
    """A long array whose function is not compiled yet: the first elements run as calls (and
    make the JIT compile), the rest natively. Results, dtypes and side effects are those of the
    element-by-element path, whatever happens to the compile."""
    np = pytest.importorskip("numpy")
    from tengojit import Script
    src = """
    calls := 0
    f := func(x) { return x * 0.5 + 1.0 }
    g := func(x) { calls += 1; return x * 2 }
    h := func(x) { if x == 30000 { return "s" }; return x + 1 }
    """
    c = Script(src, **opts).compile()
    c.run()
    ctx = c.context()
    xs = np.linspace(-1e3, 1e3, 50_001)
    r = ctx.map(c.get("f"), xs)
    assert r.dtype == np.float64 and r.tolist() == [x * 0.5 + 1.0 for x in xs.tolist()]
    ints = np.arange(50_000, dtype=np.int64)
    r = ctx.map(c.get("g"), ints)
    assert r.dtype == np.int64 and r.tolist() == [x * 2 for x in range(50_000)]
    assert c.get("calls") == 50_000
    r = ctx.map(c.get("h"), ints)
    assert r.tolist() == np.array([x + 1 if x != 30000 else "s" for x in range(50_000)]).tolist()
    if opts["jit"] and __import__("tengojit.jit").jit.available():
        assert c.get("f").fn in ctx._maps           # the rest of the array ran natively
