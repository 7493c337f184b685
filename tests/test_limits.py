"""Size limits per Script (``Script.set_limits``) on both tiers: strings, bytes and arrays a
run builds stop at the script's own limits with Tengo-style errors, however they grow
(concatenation, in-place growth, append, spread, splice, range, stdlib); other scripts in
the process are not affected; the limits hold for every host entry and travel with the
program."""
from __future__ import annotations

import threading

import pytest

import tengojit
from tengojit import OptionError, TengoRuntimeError, limits

GROWTH = {
    "string +=": ('s := "x"\nfor { s += s }', "string"),
    "string +": ('s := "ab"\nt := s\nfor { s = s + t; t = s }', "string"),
    "string append loop": ('f := func() { s := ""; for { s += "abc" } }\nf()', "string"),
    "text.repeat": ('text := import("text")\ns := text.repeat("ab", 1 << 30)', "string"),
    "format": ('s := format("%0999999d", 1)', "string"),
    "bytes +": ("b := bytes(10)\nfor { b = b + b }", "bytes"),
    "bytes(n)": ("b := bytes(1 << 40)", "bytes"),
    "array +": ("a := [1]\nfor { a = a + a }", "array"),
    "array += literal": ("a := []\nfor i := 0; i < 1000000; i++ { a += [i] }", "array"),
    "append": ("a := []\nfor { a = append(a, 1) }", "array"),
    "append in a function": ("f := func() { a := []; for { a = append(a, 1, 2) } }\nf()", "array"),
    "append spread": ("a := [1]\nfor { a = append(a, a...) }", "array"),
    "splice": ("a := [1]\nfor { splice(a, 0, 0, a...) }", "array"),
    "range": ("r := range(0, 1 << 40)", "array"),
    "map index": ("m := {}\nfor i := 0; true; i++ { m[string(i)] = i }", "map"),
    "map int key": ("m := {}\nk := 0\nfor { m[k] = 1; k++ }", "map"),
    "map in a function": ('f := func() { m := {}; for i := 0; true; i++ { m["k" + i] = i } }\nf()', "map"),
    "map field": ("o := {m: {}}\nfor i := 0; true; i++ { o.m[string(i)] = i }", "map"),
    "map of a map": ('o := {m: {}}\nfor i := 0; true; i++ { o["m"][string(i)] = i }', "map"),
    "map selector chain": ("o := {p: {q: {}}}\nfor i := 0; true; i++ { o.p.q[string(i)] = i }", "map"),
}
MESSAGE = {"string": "exceeding string size limit", "bytes": "exceeding bytes size limit",
           "array": "exceeding array size limit", "map": "exceeding map size limit"}


def limited(make_script, src):
    return make_script(src).set_limits(max_string_len=1 << 16, max_bytes_len=1 << 16,
                                       max_array_len=20_000, max_map_len=20_000)


@pytest.mark.parametrize("case", sorted(GROWTH))
def test_growth_stops_at_the_scripts_limit(make_script, case):
    src, kind = GROWTH[case]
    c = limited(make_script, src).compile()
    with pytest.raises(TengoRuntimeError) as e:
        c.run(timeout=60)
    assert e.value.message == MESSAGE[kind]
    assert e.value.trace                      # the position of the growing operation
    assert limits.RUN_LIMITS == 0


def test_values_within_the_limits_are_untouched(make_script):
    c = limited(make_script, 's := ""; a := []\n'
                             'for i := 0; i < 1000; i++ { s += "x"; a = append(a, i); a += [i] }\n'
                             'b := bytes(100) + bytes(100)\nr := range(0, 100)').compile()
    c.run()
    assert len(c.get("s")) == 1000 and len(c.get("a")) == 2000 and len(c.get("b")) == 200


def test_a_full_map_takes_existing_keys_and_keys_freed_by_delete(make_script):
    src = """m := {}
for i := 0; i < 20000; i++ { m[string(i)] = i }
f := func(m) { for i := 0; i < 20000; i++ { m[string(i)] = -i } }
f(m)
delete(m, "5")
m.x = 7
n := len(m)
err := undefined
g := func() { m.y = 8 }
"""
    c = limited(make_script, src).compile()
    c.run()
    assert c.get("n") == 20_000 and c.get("m")["x"] == 7 and c.get("m")["0"] == 0
    ctx = c.context()
    with pytest.raises(TengoRuntimeError, match="exceeding map size limit"):
        ctx.call(c.get("g"))


def test_every_host_entry_applies_them(make_script):
    c = limited(make_script, "grow := func(n) { a := []; for i := 0; i < n; i++ { a = append(a, i) }; return len(a) }").compile()
    c.run()
    ctx = c.context()
    grow = c.get("grow")
    assert ctx.call(grow, 100) == 100
    for call in (lambda: ctx.call(grow, 50_000), lambda: ctx.bind(grow)(50_000),
                 lambda: ctx.map(grow, [10, 50_000]), lambda: grow(50_000),
                 lambda: grow.call_with_globals(ctx.globals, 50_000)[0]):
        with pytest.raises(TengoRuntimeError, match="exceeding array size limit"):
            call()
    assert limits.RUN_LIMITS == 0


def test_other_scripts_keep_their_own_limits(make_script):
    """A script without limits builds big values while a limited one runs in another thread."""
    big = make_script("a := []\nfor i := 0; i < 100000; i++ { a = append(a, i) }\nn := len(a)").compile()
    small = limited(make_script, "a := []\nfor { a = append(a, 1) }").compile()
    errors = []

    def run_small():
        for _ in range(5):
            try:
                small.run(timeout=60)
            except TengoRuntimeError as e:
                errors.append(e.message)
    t = threading.Thread(target=run_small)
    t.start()
    for _ in range(5):
        big.run()
        assert big.get("n") == 100_000
    t.join()
    assert errors == [MESSAGE["array"]] * 5


def test_limits_travel_with_the_program(make_script):
    c = limited(make_script, "a := []\nfor { a = append(a, 1) }").compile()
    back = tengojit.loads(tengojit.dumps(c))
    with pytest.raises(TengoRuntimeError, match="exceeding array size limit"):
        back.run(timeout=60)


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_bad_limits(bad):
    with pytest.raises(OptionError):
        tengojit.Script("x := 1").set_limits(max_string_len=bad)
