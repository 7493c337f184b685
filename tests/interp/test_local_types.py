"""The baseline tier's local type inference (interp/local_types.py) and the code it enables.

Two halves: what ``infer`` concludes for a function body (it must never claim a kind a local can
lose), and programs whose locals look typed but are not, run on both tiers against the values
Tengo gives (checked with the reference implementation).
"""
from __future__ import annotations

import itertools

import pytest

from tengojit.interp import local_types
from tengojit.interp.parser import parse
from tengojit.interp.symbols import resolve


def kinds_of(src, known_params=()):
    """{name: kind} that ``infer`` gives the locals of the first function literal in ``src``."""
    from tengojit.interp import ast as A
    file = parse(src, "t")
    res = resolve(file, ["len", "append", "string"], (), False, itertools.count())
    fn = next(x for x in A.walk(file.stmts) if isinstance(x, A.FuncLit))
    known = {}
    for p in fn.params:
        if p.name in known_params:
            known[res.defs[id(p)]] = local_types.INT
    out = local_types.infer(res, fn.body.stmts, known)
    return {sym.name: kind for sym, kind in out.items()}


def test_literals_and_arithmetic():
    got = kinds_of("""
    f := func(n) {
        i := 0
        x := 1.5
        y := x * 2 + i          // float with an int: float
        b := true
        c := i < 10
        d := b && c
        e := -i
        g := i % 3 << 2
        h := len([1, 2])
        for i < 10 { i++; x += 0.5; h = h + i }
        return y
    }""")
    assert got == {"i": "int", "x": "float", "y": "float", "b": "bool", "c": "bool",
                   "d": "bool", "e": "int", "g": "int", "h": "int"}


def test_any_other_value_makes_a_local_untyped():
    got = kinds_of("""
    f := func(n) {
        a := 0
        a = n                   // a parameter: anything
        b := 0
        b = "s"
        c := 0.0
        c += n
        d := 1
        d = d / 2.0             // int then float
        e := 0
        e = [1][0]              // an index: anything
        k := 0
        k = len
        return a
    }""")
    assert got == {}


def test_assignment_from_a_nested_closure_counts():
    got = kinds_of("""
    f := func() {
        x := 0
        y := 0
        g := func() { x = "now a string"; y += 1 }
        g()
        return x
    }""")
    assert got == {"y": "int"}


def test_known_parameters_seed_the_inference():
    src = """
    f := func(n) {
        s := 0
        s = s + n
        return s
    }"""
    assert kinds_of(src) == {}
    assert kinds_of(src, known_params=("n",)) == {"s": "int"}


def test_self_reference_keeps_the_definition_kind_and_mixing_kinds_loses_it():
    got = kinds_of("""
    f := func() {
        x := 1.0
        for j := 0; j < 3; j++ { x = x * x }
        y := 0
        y = y + x               // an int, then a float: neither
        return x
    }""")
    assert got == {"x": "float", "j": "int"}


# ------------------------------------------------------------------- behaviour, both tiers
CASES = [
    # (script computing `out`, expected value)
    ("f := func() { x := 0; g := func() { x = 1.5 }; g(); return x + 1 }\nout := f()", 2.5),
    ("f := func() { x := 1; x = x / 2; y := 1.0; y = y / 0; return [x, y > 1e308] }\nout := f()",
     [0, True]),
    ("f := func() { i := 9007199254740993; x := 9007199254740992.0\n"
     " return [i == x, i > x, x < i, i + x] }\nout := f()",
     [True, False, False, 18014398509481984.0]),
    ("f := func() { i := 9223372036854775807; i += 1; return i }\nout := f()",
     -9223372036854775808),
    ("f := func() { i := 3; i *= 2.5; return i }\nout := f()", 7.5),
    ("f := func() { b := true; n := 0; for b { n++; b = n < 5 }; return n }\nout := f()", 5),
    ("f := func() { b := 1 && 2; c := 0 || false; return [b, c] }\nout := f()", [2, False]),
    ("f := func(n) { s := 0.0; for i := 0; i < n; i++ { s += i * 0.5 }; return s }\n"
     "out := [f(10), f(0)]", [22.5, 0.0]),
    ("f := func() { x := 2.0; return [x / 0, -x / 0, 0.0 / x] }\nout := string(f())",
     "[+Inf, -Inf, 0]"),
    ("f := func() { x := 1.0; return [x < 2, 2 < x, x <= 1, x >= 1, x == 1, x != 1] }\nout := f()",
     [True, False, True, True, True, False]),
]


@pytest.mark.parametrize("src, expected", CASES)
def test_typed_locals_compute_what_tengo_computes(make_script, src, expected):
    c = make_script(src).compile()
    c.run()
    assert c.get("out") == expected


def test_error_in_typed_arithmetic_keeps_its_position(make_script):
    from tengojit import TengoError
    c = make_script("f := func() { i := 1; j := 0; return i % j }\nout := f()").compile()
    with pytest.raises(TengoError) as e:
        c.run()
    assert "Runtime Error" in str(e.value)


def test_reads_with_a_typed_index_agree_with_untyped_ones(make_script):
    # the same reads with the index computed from typed locals and from parameters (untyped):
    # every container kind, indexes in range, negative and past the end
    src = """
    m := func(o) { return o }
    typed := func(o) { i := 1; j := 2
        return [o[i + j], o[i - j], o[i * 5], o[j - i], o[j * j * j], m(o)[i + j], m(o)[i - j]] }
    untyped := func(o, i, j) {
        return [o[i + j], o[i - j], o[i * 5], o[j - i], o[j * j * j], m(o)[i + j], m(o)[i - j]] }
    out := []
    for o in [[1, 2, 3, 4, 5], [1], "abcdef", bytes("abcdef"), {a: 1}, immutable([1, 2, 3, 4])] {
        a := undefined; b := undefined
        a = typed(o)
        b = untyped(o, 1, 2)
        out = append(out, [a, b])
    }
    """
    c = make_script(src).compile()
    c.run()
    out = c.get("out")
    assert len(out) == 6
    for typed, untyped in out:
        assert typed == untyped


def test_typed_index_read_errors_like_untyped(make_script):
    # same message and position as with an untyped index
    from tengojit import TengoError

    def error_of(body):
        c = make_script("m := func(o) { return o }\nf := func(o, k) { " + body + " }\nout := f(5, 1)").compile()
        with pytest.raises(TengoError) as e:
            c.run()
        return str(e.value)
    for read in ("o[i + 1]", "m(o)[i + 1]"):
        typed = error_of("i := 1; return " + read)
        untyped = error_of("i := k; return " + read)
        assert "not indexable: int" in typed
        assert typed == untyped
