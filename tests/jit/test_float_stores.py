"""Floats and ints stored into maps and arrays by native code. A float result stored over a
float that only its container references is written into that float object in place
(``CoreLowering.store_float_in_place``) instead of boxing a new one, and so is an int of one
30-bit digit outside CPython's small-int cache over such an int (``store_int_in_place``); any
other reader of the old value holds a reference of its own, so it must keep seeing it. Each program
runs on the baseline tier and with the JIT forced; the results must be the same, and the same
as the values written here (the reference's)."""
from __future__ import annotations

import struct
import sys

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

CASES = {
    # a variable read the old float before the store: it keeps it
    "variable_keeps_old": ("""
f := func(m) { a := m.x; m.x = m.x * 2.0; return [a, m.x] }
m := {x: 1.5}
r := []
for i := 0; i < 3; i++ { r = append(r, f(m)) }
out := r
""", [[1.5, 3.0], [3.0, 6.0], [6.0, 12.0]]),
    # two maps share one float object: updating one leaves the other
    "shared_between_maps": ("""
f := func(n) {
    m1 := {x: 0.5 * 3.0}
    m2 := {x: m1.x}
    for i := 0; i < n; i++ { m1.x = m1.x + 1.0 }
    return [m1.x, m2.x]
}
out := f(4)
""", [5.5, 1.5]),
    # an array slice holds the same floats as its source until one side stores
    "slice_keeps_old": ("""
f := func() {
    a := [1.0 * 2.0, 2.0 * 2.0, 3.0 * 2.0]
    s := a[0:2]
    for i := 0; i < len(a); i++ { a[i] = a[i] * 10.0 }
    return [a, s]
}
out := f()
""", [[20.0, 40.0, 60.0], [2.0, 4.0]]),
    # for-in's value variable holds the value it was given
    "for_in_value": ("""
f := func(m) {
    s := 0.0
    for k, v in m { m[k] = v * 2.0; s += v }
    return [s, m.a + m.b]
}
out := f({a: 1.25, b: 2.5})
""", [3.75, 7.5]),
    # compound assignment, Lazy arithmetic over map fields, mixed with ints and strings
    "compound_and_mixed": ("""
f := func(m, n) {
    for i := 0; i < n; i++ {
        m.x += m.y * 0.5
        m.i += 2
        m.y = m.y - m.x * 0.25
        m.s += "."
    }
    return m
}
r := f({x: 1.0, y: 4.0, i: 1, s: ""}, 3)
out := [r.x, r.y, r.i, r.s]
""", None),
    # a float replaced by a value of another type, and back
    "kinds_change": ("""
f := func(arr, n) {
    for i := 0; i < n; i++ {
        arr[0] = arr[0] * 1.5
        arr[1] = i % 2 == 0 ? "s" : arr[2] * 2.0
        arr[2] = arr[2] + 1.0
    }
    return arr
}
out := f([2.0, 1.0, 0.5], 5)
""", None),
    # signed zeros and NaN stored in place keep their bits
    "signed_zero_nan": ("""
f := func(m) {
    m.a = m.a * -1.0
    m.b = m.b - m.b
    m.c = m.c * 0.0
    return [m.a, m.b, m.c == m.c]
}
out := f({a: 0.0 * 1.0, b: 1e308 * 10.0, c: 1e308 * 10.0})
""", None),
    # ints: a counter in a map, read into a variable before the store
    "int_variable_keeps_old": ("""
f := func(m) { a := m.c; m.c += 1000; m.c++; return [a, m.c] }
m := {c: 300}
r := []
for i := 0; i < 3; i++ { r = append(r, f(m)) }
out := r
""", [[300, 1301], [1301, 2302], [2302, 3303]]),
    # ints crossing the small-int cache (-5..256), one digit (2**30) and int64's wrap-around
    "int_boundaries": ("""
f := func(m, arr, n) {
    for i := 0; i < n; i++ {
        m.up += 60
        m.down -= 3
        m.big = m.big + 1073741800
        arr[0] = arr[0] * 3 + 1
        m.wrap += 4611686018427387904
    }
    return [m.up, m.down, m.big, arr[0], m.wrap]
}
out := f({up: 100, down: 10, big: 1073741000, wrap: 0}, [250], 6)
""", [460, -8, 1073741000 + 6 * 1073741800, ((((((250 * 3 + 1) * 3 + 1) * 3 + 1) * 3 + 1) * 3 + 1) * 3 + 1),
      (6 * 4611686018427387904 + 2 ** 63) % 2 ** 64 - 2 ** 63]),
    # int64's minimum over an int of one digit: its magnitude does not fit one digit (nor
    # int64: computed with wrap-around it is negative)
    "int_min_over_one_digit": ("""
f := func(m, arr) {
    x := m.c * 1
    x += (-9223372036854775807 - 1) - x
    m.c = m.c - 1000
    m.c += (-9223372036854775807 - 1) - m.c
    arr[0] = arr[0] + 1000
    arr[0] = (-9223372036854775807 - 1) + arr[0] - arr[0]
    return [x, m.c, arr[0]]
}
out := f({c: 5000}, [700])
""", [-2 ** 63, -2 ** 63, -2 ** 63]),
    # two maps share one int object; a slice shares the array's ints
    "int_shared": ("""
f := func() {
    m1 := {c: 1000 * 3}
    m2 := {c: m1.c}
    a := [m1.c + 1, 5000 + 1]
    s := a[0:2]
    for i := 0; i < 4; i++ { m1.c += 7; a[0] -= 1000; a[1] = a[1] * 2 }
    return [m1.c, m2.c, a, s]
}
out := f()
""", [3028, 3000, [-999, 80016], [3001, 5001]]),
    # an int field that becomes a float, a string and a bool, and back
    "int_kinds_change": ("""
f := func(m, n) {
    for i := 0; i < n; i++ {
        m.c = m.c + 500
        if i == 2 { m.c = m.c * 0.5 }
        if i == 3 { m.c = int(m.c) }
        m.b = m.c > 1000
        m.c++
    }
    return [m.c, m.b]
}
out := f({c: 400, b: false}, 6)
""", None),
    # variables holding any value: a number result written into the object the variable
    # holds when nothing else references it
    "local_aliases": ("""
f := func(m, n) {
    x := m.a * 1.0
    c := m.c + 1000
    keep := x
    keepc := c
    arr := []
    fs := []
    for i := 0; i < n; i++ {
        d := m.a * 2.0 + float(i)
        arr = append(arr, d)
        fs = append(fs, func() { return d })
        m.last = d
        x = x * 2.0
        c += 5
        k := m.c * 3
        arr = append(arr, k)
    }
    return [keep, x, keepc, c, arr, fs[0](), fs[2](), m.last]
}
out := f({a: 1.5, c: 400}, 3)
""", [1.5, 12.0, 1400, 1415, [3.0, 1200, 4.0, 1200, 5.0, 1200], 3.0, 5.0, 5.0]),
    # for-in variables and parameters reassigned: the array, the map and the caller's value
    # keep theirs
    "loop_variables_and_parameters": ("""
f := func(arr, m) {
    t := 0.0
    for i, v in arr { v = v * 2.0; v += 1.0; t += v }
    for k, v in m { v = v * 3.0; v -= 0.5; t += v }
    g := func(x) { x = x * 4.0; x += 1; return x }
    u := [1.5 * 1.0]
    t += g(u[0])
    y := u[0]
    y = y + 100.0
    return [arr, m.a, t, u, y]
}
out := f([1.5 * 1.0, 2.5 * 1.0], {a: 0.25 * 1.0})
""", [[1.5, 2.5], 0.25, 17.25, [1.5], 101.5]),
    "local_kinds_change": ("""
f := func(m, n) {
    v := m.a * 1.0
    s := ""
    for i := 0; i < n; i++ {
        v = v + m.b
        if i == 1 { v = m.s + "!"; s += v; v = 2 }
        if i == 2 { v = v * 400 }
        s += string(v)
        v = v * m.b
    }
    return [v, s]
}
out := f({a: 0.5, b: 3, s: "x"}, 5)
""", [97236, "3.5x!236001080332412"]),
}


def _run(src, jit_on):
    c = Script(src, jit=jit_on, jit_threshold=0, jit_background=False).compile()
    c.run()
    return c, norm(c.get("out"))


def _plain(v):
    kind, x = v
    if kind == "list":
        return [_plain(i) for i in x]
    if kind == "float":                  # (norm gives a float's bits)
        return struct.unpack("<d", x)[0]
    return x


@pytest.mark.parametrize("name", sorted(CASES))
def test_float_stores_match_the_baseline(name):
    src, expected = CASES[name]
    _, base = _run(src, False)
    c, native = _run(src, True)
    assert native == base
    if expected is not None:
        assert _plain(base) == expected
    assert all(r["state"] == "compiled" for r in jit.stats(c.program)
               if r["name"] == "f"), jit.stats(c.program)


def test_a_float_the_host_holds_keeps_its_value():
    src = """
bump := func(m) { m.x = m.x + 1.0; return m.x }
"""
    c = Script(src, jit=True, jit_threshold=0, jit_background=False).compile()
    c.run()
    ctx = c.context()
    m = {"x": 2.0 * 1.25}
    held = m["x"]
    before = sys.getrefcount(held)
    assert ctx.call(c.get("bump"), m) == 3.5
    assert held == 2.5 and sys.getrefcount(held) == before
    # nothing else holds the new float: the next store may reuse it, the host sees the value
    for _ in range(3):
        ctx.call(c.get("bump"), m)
    assert m["x"] == 6.5


def test_an_int_the_host_holds_keeps_its_value():
    src = """
bump := func(m) { m.c += 1000; return m.c }
"""
    c = Script(src, jit=True, jit_threshold=0, jit_background=False).compile()
    c.run()
    ctx = c.context()
    m = {"c": 123456 * 7}
    held = m["c"]
    before = sys.getrefcount(held)
    assert ctx.call(c.get("bump"), m) == 865192
    assert held == 864192 and sys.getrefcount(held) == before
    for _ in range(3):
        ctx.call(c.get("bump"), m)
    assert m["c"] == 868192
    small = {"c": 5}
    assert ctx.call(c.get("bump"), small) == 1005 and (5).__add__(0) == 5


def test_floats_stored_in_place_leak_nothing():
    src = """
step := func(bodies, n) {
    for k := 0; k < n; k++ {
        for i := 0; i < len(bodies); i++ {
            b := bodies[i]
            b.x = b.x + b.v * 0.5
            b.v = b.v - b.x * 0.001
        }
    }
}
"""
    c = Script(src, jit=True, jit_threshold=0, jit_background=False).compile()
    c.run()
    ctx = c.context()
    bodies = [{"x": float(i), "v": 1.0} for i in range(4)]
    step = c.get("step")
    ctx.call(step, bodies, 10)
    objs_before = len(__import__("gc").get_objects())
    blocks_before = sys.getallocatedblocks()
    for _ in range(200):
        ctx.call(step, bodies, 50)
    assert sys.getallocatedblocks() - blocks_before < 200
    assert len(__import__("gc").get_objects()) - objs_before < 50
    assert all(type(b["x"]) is float and type(b["v"]) is float for b in bodies)
