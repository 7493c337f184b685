"""The Script / Compiled host API (Tengo's script.go in Python form), once per tier.

Expected behaviours follow Tengo's ``script_test.go`` and docs/interoperability.md: ``add``
predefines globals, ``get``/``set``/``is_defined``/``get_all`` work on a compiled program,
``run`` can be repeated (globals persist between runs), ``clone`` copies the globals, errors
print exactly as Tengo prints them (``at (main):L:C``).
"""
from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

import tengojit.stdlib as tengojit_stdlib

from helpers import run_script

from tengojit import (Char, CompileError, Error, ImmutableArray, ImmutableMap, ParseError,
                      TengoError, TengoRuntimeError)


def run(make_script, src, **symbols):
    return run_script(make_script, src, symbols=symbols)


# -- compile / run / get ----------------------------------------------------------------------

def test_compile_run_get(make_script):
    c = run(make_script, "out := 1 + 2")
    assert c.get("out") == 3 and type(c.get("out")) is int


def test_source_as_bytes(make_script):
    c = run(make_script, b'out := "h\xc3\xa9"')
    assert c.get("out") == "hé"


def test_add_then_set_and_rerun(make_script):
    # docs/interoperability.md: a := b + 20; b = 10 -> 30; set b = 20, run again -> 40
    s = make_script("a := b + 20")
    s.add("b", 10)
    c = s.compile()
    c.run()
    assert c.get("a") == 30
    c.set("b", 20)
    c.run()
    assert c.get("a") == 40


def test_globals_persist_between_runs(make_script):
    c = run(make_script, "x += 1", x=1)
    assert c.get("x") == 2
    c.run()
    assert c.get("x") == 3


def test_run_twice_same_result(make_script):
    c = run(make_script, "a := [1, 2]; a = append(a, 3); out := len(a)")
    assert c.get("out") == 3
    c.run()
    assert c.get("out") == 3


def test_get_of_an_unknown_name_raises_or_gives_the_default(make_script):
    from tengojit import TengoError, UnknownVariableError
    c = run(make_script, "a := 1; u := undefined")
    with pytest.raises(UnknownVariableError, match="'nope' is not a global variable") as info:
        c.get("nope")
    assert isinstance(info.value, TengoError) and isinstance(info.value, KeyError)
    assert c.get("nope", 7) == 7 and c.get("nope", None) is None
    assert c.get("u") is None and c.get("u", 7) is None      # defined, holding undefined
    assert c.get("a", 7) == 1


def test_set_undefined_name_fails(make_script):
    from tengojit import UnknownVariableError
    c = run(make_script, "a := 1")
    with pytest.raises(UnknownVariableError, match="'nope' is not a global variable"):
        c.set("nope", 1)


def test_is_defined(make_script):
    c = run(make_script, "a := 1; b := undefined", x=5)
    assert c.is_defined("a")
    assert c.is_defined("x")
    assert not c.is_defined("b")      # Tengo: a variable holding undefined is not defined
    assert not c.is_defined("nope")


def test_get_all(make_script):
    c = run(make_script, "a := 1; b := \"two\"; c := [3]", x=0.5)
    everything = c.get_all()
    assert everything["a"] == 1
    assert everything["b"] == "two"
    assert everything["c"] == [3]
    assert everything["x"] == 0.5


def test_clone_has_its_own_globals(make_script):
    s = make_script("out := x * 2")
    s.add("x", 1)
    c = s.compile()
    c.run()
    d = c.clone()
    d.set("x", 21)
    d.run()
    assert d.get("out") == 42
    assert c.get("out") == 2
    c.run()
    assert c.get("out") == 2


def test_clone_containers_are_not_shared(make_script):
    c = run(make_script, "a := [1]; m := {k: 1}")
    d = c.clone()
    d.run()
    assert d.get("a") is not c.get("a")
    assert d.get("m") is not c.get("m")


def test_clone_is_deep(make_script):
    """As Tengo's Clone: a container changed through the clone (here by a function of the
    clone) is not changed in the original; sharing and cycles inside the globals are kept."""
    c = run(make_script, "m := {k: [1, 2]}; alias := m.k; cyc := [0]; cyc[0] = cyc\n"
                         "poke := func() { m.k[0] = 99; alias[1] = 98 }")
    d = c.clone()
    d.context().call(d.get("poke"))
    assert d.get("m") == {"k": [99, 98]} and d.get("alias") is d.get("m")["k"]
    assert c.get("m") == {"k": [1, 2]} and c.get("alias") == [1, 2]
    cyc = d.get("cyc")
    assert cyc[0] is cyc and cyc is not c.get("cyc")


def test_host_modules_are_copied_per_import(make_script):
    """As the reference's AsImmutableMap: a script that changes a module's array changes its
    own copy, not the host's dict nor another script's; ``__module_name__`` names it."""
    host = {"cfg": [1, 2, 3]}
    a = make_script('h := import("hostmod"); h.cfg[0] = 99; out := h.cfg; name := h.__module_name__',
                    modules={"hostmod": host}).compile()
    a.run()
    assert a.get("out") == [99, 2, 3] and a.get("name") == "hostmod"
    assert host == {"cfg": [1, 2, 3]}
    b = make_script('h := import("hostmod"); out := h.cfg; t := import("text").__module_name__',
                    modules={"hostmod": host, "text": tengojit_stdlib.get_module_map("text")["text"]}
                    ).compile()
    b.run()
    assert b.get("out") == [1, 2, 3] and b.get("t") == "text"


# -- values in and out (Tengo's conversion table, Python form) ---------------------------------

@pytest.mark.parametrize("value, tengo_type", [
    (None, "undefined"), ("s", "string"), (7, "int"), (True, "bool"), (False, "bool"),
    (1.5, "float"), (b"\x00\x01", "bytes"), (Char(0x41), "char"), ([1, "a"], "array"),
    ({"k": 1}, "map"), (ImmutableArray([1]), "immutable-array"),
    (ImmutableMap({"k": 1}), "immutable-map"), (Error("e"), "error"),
    (datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "time"),
])
def test_values_round_trip(make_script, value, tengo_type):
    c = run(make_script, "t := type_name(x); y := x", x=value)
    assert c.get("t") == tengo_type
    got = c.get("y")
    assert type(got) is type(value)
    if type(value) is Error:
        assert got.value == value.value
    else:
        assert got == value


def test_bool_is_never_an_int(make_script):
    c = run(make_script, "a := x + 1", x=1)
    assert type(c.get("a")) is int
    with pytest.raises(TengoRuntimeError, match="invalid operation: bool \\+ int"):
        run(make_script, "a := x + 1", x=True)


def test_float_results(make_script):
    c = run(make_script, "a := 1.0 / 0.0; b := 0.5 * 3")
    assert c.get("a") == math.inf
    assert c.get("b") == 1.5 and type(c.get("b")) is float


def test_int64_wraps(make_script):
    c = run(make_script, "out := 9223372036854775807 + 1")
    assert c.get("out") == -(1 << 63)


def test_arrays_are_shared_by_reference(make_script):
    c = run(make_script, "a := [1]; b := a; b[0] = 9")
    assert c.get("a") == [9]


def test_compiled_function_is_returned(make_script):
    c = run(make_script, "f := func(x) { return x + 1 }")
    assert callable(c.get("f"))


# -- imports and limits ----------------------------------------------------------------------

def test_source_module(make_script):
    s = make_script('m := import("mod1"); out := m')
    s.set_imports({"mod1": "export 5"})
    c = s.compile()
    c.run()
    assert c.get("out") == 5


def test_source_module_exports_function(make_script):
    s = make_script('double := import("double"); out := double(21)')
    s.set_imports({"double": "export func(x) { return x * 2 }"})
    c = s.compile()
    c.run()
    assert c.get("out") == 42


def test_builtin_module_dict(make_script):
    s = make_script('m := import("m"); out := m.answer')
    s.set_imports({"m": {"answer": 42}})
    c = s.compile()
    c.run()
    assert c.get("out") == 42


def test_missing_module_is_compile_error(make_script):
    with pytest.raises(CompileError, match="module 'nope' not found"):
        make_script('m := import("nope")').compile()


def test_max_allocs(make_script):
    s = make_script("for i := 0; i < 100; i++ { a := [i] }")
    s.set_max_allocs(10)
    c = s.compile()
    with pytest.raises(TengoRuntimeError, match="allocation limit exceeded"):
        c.run()


def test_unlimited_allocs(make_script):
    s = make_script("out := 0; for i := 0; i < 100; i++ { a := [i]; out += len(a) }")
    s.set_max_allocs(-1)
    c = s.compile()
    c.run()
    assert c.get("out") == 100


# -- errors, formatted like Tengo -------------------------------------------------------------

def test_error_classes():
    for cls in (ParseError, CompileError, TengoRuntimeError):
        assert issubclass(cls, TengoError)


def test_parse_error_text(make_script):
    with pytest.raises(ParseError) as e:
        make_script("a := ").compile()
    text = str(e.value)
    assert text.startswith("Parse Error: ")
    assert "\n\tat (main):1:" in text


def test_compile_error_text(make_script):
    with pytest.raises(CompileError) as e:
        make_script("a := b").compile()
    assert str(e.value) == "Compile Error: unresolved reference 'b'\n\tat (main):1:6"


def test_runtime_error_text(make_script):
    c = make_script('a := 1\nb := a + "x"').compile()
    with pytest.raises(TengoRuntimeError) as e:
        c.run()
    assert str(e.value) == "Runtime Error: invalid operation: int + string\n\tat (main):2:6"
    assert e.value.message == "invalid operation: int + string"


def test_runtime_error_trace_through_calls(make_script):
    src = 'f := func() {\n  return 1 + "a"\n}\nf()'
    c = make_script(src).compile()
    with pytest.raises(TengoRuntimeError) as e:
        c.run()
    assert str(e.value) == ("Runtime Error: invalid operation: int + string"
                            "\n\tat (main):2:10\n\tat (main):4:1")


def test_error_uses_script_name(make_script):
    c = make_script('x := 1\nx.foo = 2', name="prog.tengo").compile()
    with pytest.raises(TengoRuntimeError) as e:
        c.run()
    assert "\n\tat prog.tengo:2:" in str(e.value)


def test_error_in_source_module_names_module(make_script):
    s = make_script('m := import("mod1")\nm.f()')
    s.set_imports({"mod1": 'export {f: func() { return 1 + "a" }}'})
    c = s.compile()
    with pytest.raises(TengoRuntimeError) as e:
        c.run()
    assert "\n\tat mod1:1:" in str(e.value)
    assert "\n\tat (main):2:" in str(e.value)


def test_division_by_zero_is_a_runtime_error(make_script):
    # The reference panics (Go integer divide by zero); we raise a Tengo runtime error.
    for src in ("a := 0\nb := 1 / a", "a := 0\nb := 1 % a"):
        with pytest.raises(TengoRuntimeError) as e:
            make_script(src).compile().run()
        assert "\n\tat (main):2:" in str(e.value)


def test_deep_recursion_is_stack_overflow(make_script):
    # The reference panics at ~690 frames; we report Tengo's `stack overflow`.
    c = make_script("f := func(n) { return 1 + f(n + 1) }; f(0)").compile()
    with pytest.raises(TengoRuntimeError, match="stack overflow"):
        c.run()


def test_deep_tail_recursion_works(make_script):
    src = ("f := func(n, acc) { if n == 0 { return acc }; return f(n - 1, acc + 1) }\n"
           "out := f(250000, 0)")
    c = run(make_script, src)
    assert c.get("out") == 250000


def test_runtime_error_then_rerun(make_script):
    s = make_script("out := 10 / x")
    s.add("x", 0)
    c = s.compile()
    with pytest.raises(TengoRuntimeError):
        c.run()
    c.set("x", 5)
    c.run()
    assert c.get("out") == 2


def test_compiled_program_is_read_only_and_its_state_beside_it(tier):
    from tengojit import Script
    c = Script("f := func(x) { return x + 1 }\nout := f(1)", **({"jit": False} if tier == "baseline"
                                                             else {"jit": True, "jit_threshold": 0})).compile()
    c.run()
    with pytest.raises(AttributeError):
        c.program.num_globals = 99
    assert c.program.num_globals != 99
    assert c.program.state.jit_records is not None       # what changes lives in `state`


def test_recursion_limit_is_raised_once_and_then_left_alone():
    import sys

    from tengojit import Script
    Script("a := 1").compile()
    limit = sys.getrecursionlimit()
    for depth in range(5):          # compiles from slightly different depths
        def nest(n):
            return Script("a := 1").compile() if n == 0 else nest(n - 1)
        nest(depth)
    assert sys.getrecursionlimit() == limit


def test_the_first_embedding_just_works(capfd):
    """The standard library (without os) is importable without configuring anything."""
    from tengojit import Script
    Script('fmt := import("fmt"); fmt.println("hi")').compile().run()
    assert capfd.readouterr().out == "hi\n"
    with pytest.raises(CompileError, match="module 'os' not found"):
        Script('os := import("os")').compile()
    with pytest.raises(CompileError, match="module 'fmt' not found"):
        Script('fmt := import("fmt")', modules={}).compile()


def test_nothing_heavy_loads_before_it_is_needed():
    """Start-up: a script that imports nothing and gets hot nowhere loads no stdlib module and
    not llvmlite, with the JIT on; importing ``fmt`` loads ``fmt`` alone."""
    import subprocess
    import sys
    code = ("import sys; from tengojit import Script; c = Script(SRC, jit=True).compile(); c.run(); "
            "print(sorted(m for m in sys.modules if m.startswith('tengojit.stdlib.')), "
            "'llvmlite' in sys.modules)")
    for src, expected in (("x := 1", "[] False"),
                          ('fmt := import("fmt"); x := fmt.sprintf("%d", 1)', "['tengojit.stdlib.fmt'] False")):
        out = subprocess.run([sys.executable, "-c", f"SRC = {src!r}; " + code], capture_output=True,
                             text=True, check=True).stdout
        assert out.strip() == expected, src


def test_eval(tier, monkeypatch):
    import tengojit
    # eval takes globals as keywords: the tier comes from the environment, as for the CLI
    monkeypatch.setenv("TENGOJIT_JIT", "1" if tier == "jit" else "0")
    monkeypatch.setenv("TENGOJIT_THRESHOLD", "0")
    assert tengojit.eval("a * 2 + 1", a=20) == 41
    assert tengojit.eval('text := import("text"); text.to_upper(s)', s="hi") == "HI"
    assert tengojit.eval("x := [1, 2]; x") == [1, 2]
    assert tengojit.eval("x := 1") is None                  # no final expression statement
    assert tengojit.eval("func(x) { return x * k }", k=3)(5) == 15
    with pytest.raises(tengojit.TengoRuntimeError, match="division by zero"):
        tengojit.eval("1 / a", a=0)
    with pytest.raises(tengojit.ParseError):
        tengojit.eval("1 +")


def test_version():
    import tengojit
    from tengojit.version import VERSION
    assert tengojit.__version__ == VERSION and tengojit.__version__.count(".") == 2


def test_host_api_misuse_is_a_tengo_error():
    from tengojit import (ConversionError, IntOverflowError, OptionError, Script, TengoError,
                          UnknownVariableError)
    cyclic = []
    cyclic.append(cyclic)
    deep = []
    for _ in range(5000):
        deep = [deep]
    cases = [
        (lambda: Script(123), OptionError),
        (lambda: Script("x := 1", name=5), OptionError),
        (lambda: Script("x := 1", modules=["fmt"]), OptionError),
        (lambda: Script("x := 1", jit_threshold=-1), OptionError),
        (lambda: Script("x := 1", jit_threshold="10"), OptionError),
        (lambda: Script("x := 1").set_max_allocs("5"), OptionError),
        (lambda: Script("x := 1").add(3, 1), OptionError),
        (lambda: Script("x := 1").add("c", cyclic), ConversionError),
        (lambda: Script("x := 1").add("d", deep), ConversionError),
        (lambda: Script("x := 1").add("o", object()), ConversionError),
        (lambda: Script("x := 1").add("k", {1: 2}), ConversionError),
        (lambda: Script("x := 1").add("i", 2 ** 64), IntOverflowError),
        (lambda: Script("x := 1").compile().set("y", 1), UnknownVariableError),
        (lambda: Script("x := 1").compile().context().get("y"), UnknownVariableError),
    ]
    for make, cls in cases:
        with pytest.raises(cls) as info:
            make()
        assert isinstance(info.value, TengoError)


def test_host_exceptions_in_tengo_words(make_script):
    """A host function's exception ends the run with our message (its class named, its text),
    the exception kept as the cause; a call with the wrong number of arguments is Tengo's
    error, not Python's."""
    def picky(x):
        return {"a": 1}[x]
    c = make_script('r := picky("b")').add("picky", picky).compile()
    with pytest.raises(TengoRuntimeError) as e:
        c.run()
    assert e.value.message == "host function 'picky' raised KeyError: 'b'"
    assert type(e.value.__cause__) is KeyError and e.value.host_exception is e.value.__cause__
    c = make_script('r := picky(1, 2)').add("picky", picky).compile()
    with pytest.raises(TengoRuntimeError) as e:
        c.run()
    assert e.value.message == "wrong number of arguments in call to 'user-function:picky'"
    assert e.value.__cause__ is None
