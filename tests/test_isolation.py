"""A script reaches only what the host gave it (both tiers): no Python object, attribute,
builtin or module through values, closures, errors or formatting; no state shared between
scripts (module values, ``rand``); ``os`` and files only when the host allows them."""
from __future__ import annotations

import re

import pytest

from tengojit import CompileError, ConversionError, TengoError

VALUES = {
    "string": '"s"', "int": "1", "float": "1.5", "array": "[1]", "map": "{a: 1}",
    "function": "func(x) { return x }", "closure": "func() { y := 1; return func() { return y } }()",
    "builtin": "len", "host": "host", "error": 'error("e")', "immutable": "immutable([1])",
    "module": 'import("text")', "module function": 'import("text").split', "char": "'c'",
    "bytes": 'bytes("b")', "time": 'import("times").now()',
}
PYTHON_NAMES = ["__class__", "__dict__", "__globals__", "__code__", "__closure__", "__module__",
                "__builtins__", "__self__", "fn", "name", "__call__", "__reduce__", "func_globals"]
TENGO_TYPES = {"int", "float", "string", "bool", "char", "bytes", "array", "map", "undefined",
               "error", "immutable-array", "immutable-map", "time"}
LEAKS = re.compile(r"0x[0-9a-f]{6,}|<function|object at|<built-in|<class|Traceback|_tf\d")


def script(make_script, src, **kw):
    return make_script(src, **kw).add("host", lambda x: x)


@pytest.mark.parametrize("value", sorted(VALUES))
def test_no_python_attribute_through_any_value(make_script, value):
    for name in PYTHON_NAMES:
        for access in (f"v.{name}", f'v["{name}"]'):
            src = f"v := {VALUES[value]}\nr := {access}\nt := type_name(r)"
            try:
                c = script(make_script, src).compile()
                c.run()
            except TengoError:
                continue
            assert c.get("t") in TENGO_TYPES, (value, access, c.get("t"))
            assert c.get("r") is None, (value, access)


@pytest.mark.parametrize("value", sorted(VALUES))
def test_formatting_shows_no_python(make_script, value):
    src = (f"v := {VALUES[value]}\nfmt := import(\"fmt\")\n"
           "out := [string(v), format(\"%v\", v), format(\"%s|%d|%x\", v, v, v), "
           "fmt.sprintf(\"%v\", [v, {k: v}])]")
    c = script(make_script, src).compile()
    c.run()
    for text in c.get("out"):
        assert not LEAKS.search(text), (value, text)


@pytest.mark.parametrize("name", ["open", "eval", "exec", "__import__", "globals", "getattr",
                                  "__builtins__", "G", "_tf0", "_hot", "_STOP", "_stop", "print",
                                  "sys", "os", "type"])
def test_python_names_are_not_tengo_names(make_script, name):
    with pytest.raises(CompileError, match="unresolved reference"):
        make_script(f"x := {name}").compile()


@pytest.mark.parametrize("module", ["os", "sys", "__main__", "builtins", "../etc/passwd",
                                    "/etc/passwd", "tengojit"])
def test_only_the_modules_the_host_allows(make_script, module):
    with pytest.raises(CompileError, match="not found"):
        make_script(f'm := import("{module}")').compile()


def test_errors_show_no_python(make_script):
    def boom(x):
        raise RuntimeError(f"secret {object()}")
    for src in ["x := len(1, 2)", "x := 1 + {}", "x := [1][5]", "x := undefined()", "x := h(1)",
                'x := import("json").decode("{")', "f := func(a) {}; x := f(1, 2)"]:
        c = make_script(src).add("h", boom).compile()
        try:
            c.run()
        except TengoError as e:
            text = e.message
            assert not re.search(r"<function|Traceback|File \"", text), text


def test_host_objects_never_enter(make_script):
    class Secret:
        password = "hunter2"
    with pytest.raises(ConversionError):
        make_script("x := 1").add("s", Secret())
    c = make_script("x := h()").add("h", lambda: Secret()).compile()
    with pytest.raises(TengoError):
        c.run()


def test_rand_is_per_script(make_script):
    """One script's seed never moves another script's numbers (each has its own generator,
    starting as Go 1.19's global source)."""
    fresh = make_script('rand := import("rand"); x := [rand.int(), rand.int()]').compile()
    fresh.run()
    seeded = make_script('rand := import("rand"); rand.seed(42); x := rand.int()').compile()
    seeded.run()
    again = make_script('rand := import("rand"); x := [rand.int(), rand.int()]').compile()
    again.run()
    assert again.get("x") == fresh.get("x") == [5577006791947779410, 8674665223082153551]
