"""Growth idioms (``a = append(a, x)``, ``a += [x]``, ``s += t``): Tengo's copy semantics are
kept, and the common case grows in place (amortised O(1)).

Linearity is tested by counting, not timing: the in-place path never calls the ``append``
builtin, so a loop of n self-appends that calls it 0 times did no copying at all.
"""
from __future__ import annotations

import pytest

from helpers import run_script

from tengojit import Script

N = 1_000_000


def run(make_script, src, **kw):
    return run_script(make_script, src, name="t", **kw)


def counting_append(compiled):
    """Wrap the program's ``append`` builtin; returns the list of calls it sees."""
    ns = compiled.program.ns
    ref = compiled.program.builtin_ref("append")
    real = ns[ref]
    calls = []

    def counted(G, *args):
        calls.append(len(args))
        return real(G, *args)
    ns[ref] = counted
    return calls


@pytest.mark.parametrize("src, expected", [
    # an alias keeps the array it saw
    ("a := [1, 2]; b := a; a = append(a, 3); out := [a, b]", [[1, 2, 3], [1, 2]]),
    # appending an array to itself appends the old array, not a cycle
    ("a := [1]; a = append(a, a); out := a", [1, [1]]),
    # several values at once
    ("a := []; a = append(a, 1, 2, 3); a = append(a, 4); out := a", [1, 2, 3, 4]),
    # the array is read before the arguments are evaluated (Tengo's order)
    ("g := [1]; f := func() { g = [7]; return 5 }; g = append(g, f()); out := g", [1, 5]),
    # an alias made while evaluating the arguments
    ("g := [1]; h := 0; f := func() { h = g; return 2 }; g = append(g, f()); out := [g, h]",
     [[1, 2], [1]]),
    # locals, captured locals, globals
    ("""f := func() {
          x := []
          for i := 0; i < 3; i++ { x = append(x, i) }
          y := x
          add := func() { x = append(x, "c") }
          add()
          return [x, y]
        }
        out := f()""", [[0, 1, 2, "c"], [0, 1, 2]]),
    # an array held by a map or another array is shared: the copy is taken
    ("a := [1]; m := {k: a}; a = append(a, 2); out := [a, m.k]", [[1, 2], [1]]),
    ("a := [1]; l := [a]; a = append(a, 2); out := [a, l[0]]", [[1, 2], [1]]),
    # immutable arrays give a new mutable array
    ("a := immutable([1]); a = append(a, 2); a[0] = 9; out := a", [9, 2]),
    # array growth with +
    ("a := [1]; b := a; a += [2]; a = a + [3]; out := [a, b]", [[1, 2, 3], [1]]),
    ("a := [1]; a += a; out := a", [1, 1]),
    # strings
    ("s := \"a\"; t := s; s += \"b\"; s = s + \"c\"; out := [s, t]", ["abc", "a"]),
    ("f := func() { s := \"\"; for i := 0; i < 5; i++ { s += string(i) }; return s }; out := f()",
     "01234"),
])
def test_growth_keeps_copy_semantics(make_script, tier, src, expected):
    assert run(make_script, src).get("out") == expected


def test_append_to_non_array_is_the_builtin_error(make_script, tier):
    from tengojit import TengoError
    with pytest.raises(TengoError) as e:
        run(make_script, "n := 0\nn = append(n, 1)")
    assert str(e.value).startswith("Runtime Error: invalid type for argument 'first' in call "
                                   "to 'builtin-function:append': expected array, found int")
    assert "t:2:5" in str(e.value)


@pytest.mark.parametrize("where", ["main", "function", "closure"])
def test_million_self_appends_copy_nothing(where):
    loop = f"for i := 0; i < {N}; i++ {{ a = append(a, i) }}"
    src = {
        "main": f"a := []\n{loop}\nout := [len(a), a[{N - 1}]]",
        "function": f"f := func() {{ a := []\n{loop}\nreturn [len(a), a[{N - 1}]] }}\nout := f()",
        "closure": (f"f := func() {{ a := []\ng := func() {{ {loop} }}\ng()\n"
                    f"return [len(a), a[{N - 1}]] }}\nout := f()"),
    }[where]
    c = Script(src, name="t", jit=False).compile()
    calls = counting_append(c)
    c.run()
    assert c.get("out") == [N, N - 1]
    assert calls == []


def test_aliased_appends_copy_each_time():
    c = Script("a := []; b := 0\nfor i := 0; i < 10; i++ { b = a; a = append(a, i) }\n"
                    "out := [len(a), len(b)]", name="t", jit=False).compile()
    calls = counting_append(c)
    c.run()
    assert c.get("out") == [10, 9]
    assert len(calls) == 10
