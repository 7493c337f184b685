"""Bools in arrays and maps, in native code. A condition on an element (``if flags[i]``,
``for m.more``) reads the element borrowed and decides at once when it is ``true`` or ``false``
(``CoreLowering.element_condition``); any other element, a missing one, an index out of range
or a value that is not a container takes the general path. A bool stored into an element
(``flags[k] = false``, ``m.done = x > 3``) stores ``True``/``False`` without boxing and releasing
a temporary. Each program runs on the baseline tier and with the JIT forced: the results, and
the errors, must be the same, and the same as the values written here (the reference's)."""
from __future__ import annotations

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

CASES = {
    # the sieve: conditions on items, bools stored over bools
    "sieve": ("""
f := func(n) {
    flags := []
    for i := 0; i < n; i++ { flags = append(flags, true) }
    count := 0
    for i := 2; i <= n; i++ {
        if flags[i - 1] {
            count++
            for k := i + i; k <= n; k += i { flags[k - 1] = false }
        }
    }
    return count
}
out := [f(100), f(5000)]
""", [25, 669]),
    # items of every truth: bools decided inline, the others by their own truth
    "mixed_items": ("""
f := func(a) {
    r := []
    for i := 0; i < len(a); i++ { if a[i] { r = append(r, i) } }
    return r
}
out := f([true, false, 1, 0, "", "s", undefined, [], [0], {}, {a: 1}, 0.0, 1.5, 'c', error("e")])
""", [0, 2, 5, 8, 10, 11, 12, 13]),
    # selectors: a bool, a missing key (undefined), a non-bool value, an immutable map
    "map_fields": ("""
f := func(m, im) {
    r := []
    if m.yes { r = append(r, 1) }
    if m.no { r = append(r, 2) }
    if m.missing { r = append(r, 3) }
    if m.n { r = append(r, 4) }
    if im.yes { r = append(r, 5) }
    if m["yes"] { r = append(r, 6) }
    k := "no"
    if m[k] { r = append(r, 7) }
    return r
}
out := f({yes: true, no: false, n: 2}, immutable({yes: true}))
""", [1, 4, 5, 6]),
    # the container or the key is a temporary the condition owns
    "owned_operands": ("""
f := func(m) {
    r := 0
    for i := 0; i < 3; i++ {
        if m.rows[i] { r += 1 }
        if [false, true, true][i] { r += 10 }
        if m["fl" + "ag"] { r += 100 }
    }
    return r
}
out := f({rows: [true, false, true], flag: true})
""", 322),
    # bools stored into arrays and maps: computed, constant, over other kinds of value
    "bool_stores": ("""
f := func(n) {
    a := [1, "x", 2.5, undefined, [], false]
    m := {p: 1}
    for i := 0; i < len(a); i++ { a[i] = i % 2 == 0 }
    m.p = n > 3
    m.q = false
    m["r"] = !m.p
    return [a, m.p, m.q, m.r]
}
out := f(5)
""", [[True, False, True, False, True, False], True, False, False]),
    # undefined indexed gives undefined, falsy
    "undefined_container": ("""
f := func(u) { if u[3] { return 1 }; if u.x { return 2 }; return 3 }
out := f(undefined)
""", 3),
    # a condition on an item out of range (undefined, falsy) or at a negative index
    "out_of_range": ("""
f := func(a) { if a[5] { return 1 }; if a[-1] { return 2 }; return 0 }
out := f([true])
""", 0),
    # a condition on an element of a value that has none
    "not_indexable": ("""
f := func(a) { t := [a]; if a[0] { return t }; return 0 }
out := 0
out = f(7)
""", TengoError),
    # a bool stored out of range
    "store_out_of_range": ("""
f := func(a) { a[3] = true; return a }
out := 0
out = f([false])
""", TengoError),
    # a bool stored into an immutable array
    "store_into_immutable": ("""
f := func(a) { a[0] = true; return a }
out := 0
out = f(immutable([false]))
""", TengoError),
}


def _run(src, jit_on):
    c = Script(src, jit=jit_on, jit_threshold=0, jit_background=False).compile()
    try:
        c.run()
    except TengoError as e:
        return "error", str(e)
    return "ok", norm(c.get("out"))


def _plain(v):
    kind, x = v
    if kind == "list":
        return [_plain(i) for i in x]
    return x


@pytest.mark.parametrize("name", sorted(CASES))
def test_bool_elements_match_the_baseline(name):
    src, expected = CASES[name]
    base, native = _run(src, False), _run(src, True)
    assert native == base
    if expected is TengoError:
        assert base[0] == "error", base
    else:
        assert base[0] == "ok", base
        assert _plain(base[1]) == expected


def test_bool_elements_compile():
    # the functions above are native (else this file would test the baseline twice)
    src = CASES["sieve"][0]
    c = Script(src, jit=True, jit_threshold=0, jit_background=False).compile()
    c.run()
    rec = [r for r in jit.stats(c.program) if r["name"] == "f"]
    assert rec and rec[0]["state"] == "compiled", rec
