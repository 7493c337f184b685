"""Map reads and writes in native code through a per-site inline cache (``tj_dict_slot``).

Native code looks a str key up at the entry index where the site last found it, searches a
small map on a miss, and asks ``PyDict_GetItemWithError`` otherwise; a write to a key the map
has replaces the value in place. Each program here runs on the baseline tier and with the JIT
forced, over maps whose layouts change under the cache — other key orders at one site, keys
deleted and added again, maps larger than the searched size, keys that are equal but other
objects, immutable maps — and the results must be the same. The function under test must
really be compiled.
"""
from __future__ import annotations

import gc
import sys

import pytest

from helpers import norm

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")


def _run(src, jit_on):
    c = Script(src, jit=jit_on, jit_threshold=0, jit_background=False).compile()
    try:
        c.run()
        out = ("ok", norm(c.get("out")))
    except TengoError as e:
        out = ("error", str(e))
    return c, out


PROGRAMS = {
    "key_orders": """
        get := func(m) { return m.x }
        ms := [{x: 1, y: 2}, {y: 3, x: 4}, {a: 0, b: 0, c: 0, x: 5}, {x: 6}, {}, {y: 7}]
        out := []
        for i := 0; i < 30; i++ { out = append(out, get(ms[i % len(ms)])) }
    """,
    "delete_and_add_again": """
        get := func(m) { return m.x }
        set := func(m, v) { m.x = v }
        m := {x: 1, y: 2, z: 3}
        out := [get(m)]
        delete(m, "x")
        out = append(out, get(m))
        set(m, 9)
        out = append(out, get(m), m)
        delete(m, "y")
        set(m, 10)
        out = append(out, get(m), m)
    """,
    "large_maps": """
        get := func(m, k) { return m[k] }
        set := func(m, k, v) { m[k] = v }
        m := {}
        for i := 0; i < 40; i++ { set(m, "k" + string(i), i) }
        out := []
        for i := 0; i < 40; i++ { out = append(out, get(m, "k" + string(i)), m.k39, m.k0) }
        for i := 0; i < 40; i += 3 { set(m, "k" + string(i), -i) }
        out = append(out, m)
    """,
    "equal_keys_other_objects": """
        get := func(m, k) { return m[k] }
        m := {}
        m["a" + "b"] = 1
        m["c" + string(1)] = 2
        out := [get(m, "ab"), get(m, "a" + "b"), get(m, "c1"), m.ab, m.c1, get(m, "nope")]
    """,
    "immutable_maps": """
        get := func(m) { return m.x }
        set := func(m, v) { m.x = v }
        out := [get(immutable({x: 1})), get({x: 2}), get(immutable({y: 1, x: 3}))]
        set(immutable({x: 1}), 5)
    """,
    "replace_values_of_every_kind": """
        set := func(m, v) { m.v = v; return m.v }
        m := {v: 0, w: 1}
        out := []
        vals := [1, 2.5, "s", [1, 2], {a: 1}, undefined, true, 'c', error("e"), m]
        for v in vals { out = append(out, string(set(m, v))) }
        out = append(out, len(m), m.w)
    """,
    "nested_selectors": """
        bump := func(o) { o.a.b.c += 1.5; o.a.b.d = o.a.b.c * 2.0; return o.a.b }
        o := {a: {b: {c: 1.0, d: 0.0}}}
        out := []
        for i := 0; i < 5; i++ { out = append(out, bump(o)) }
        o.a.b = {d: 1.0, c: 7.0}
        out = append(out, bump(o))
    """,
    "map_full_under_a_limit_is_not_grown_inline": """
        set := func(m, k, v) { m[k] = v; return m }
        m := {a: 1}
        out := [set(m, "a", 2), set(m, "b", 3), set(m, "a", 4)]
    """,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_native_maps_agree_with_the_baseline(name):
    src = PROGRAMS[name]
    _, base = _run(src, False)
    c, native = _run(src, True)
    assert native == base
    # (a main-body loop that calls the functions compiles them into its own native code)
    compiled = {r["name"] for r in jit.stats(c.program) if r["state"] == "compiled"}
    assert compiled & {"get", "set", "bump"} or any(n.startswith("loop") for n in compiled), \
        jit.stats(c.program)


def test_replacing_a_value_releases_the_old_one():
    c = Script("f := func(m, v) { m.k = v }", jit=True, jit_threshold=0,
               jit_background=False).compile()
    c.run()
    ctx, f = c.context(), c.get("f")
    old, new = ["old value"], ["new value"]
    m = {"k": old, "j": 1}
    ctx.call(f, m, 2.5)              # compiled; the map's own value is now a float
    m["k"] = old
    before_old, before_new = sys.getrefcount(old), sys.getrefcount(new)
    ctx.call(f, m, new)
    assert m["k"] is new
    assert sys.getrefcount(old) == before_old - 1
    assert sys.getrefcount(new) == before_new + 1
    assert [r["state"] for r in jit.stats(c.program) if r["name"] == "f"] == ["compiled"]


def test_a_container_stored_into_an_untracked_map_makes_it_tracked():
    """The collector must see a cycle made by replacing a value with a container."""
    c = Script("f := func(m) { m.k = m }", jit=True, jit_threshold=0,
               jit_background=False).compile()
    c.run()
    ctx, f = c.context(), c.get("f")
    ctx.call(f, {"k": 1})            # compile
    m = {"k": 1, "j": 2.5}
    gc.collect()
    assert not gc.is_tracked(m)
    ctx.call(f, m)
    assert m["k"] is m and gc.is_tracked(m)
