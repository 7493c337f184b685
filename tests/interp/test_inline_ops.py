"""Operations the baseline tier inlines agree with the out-of-line semantics for every kind of
value (the runtime's ``ops`` functions are the oracle: they implement Tengo's rules in full).

Each case evaluates ``<value> <op> <literal>`` and ``<literal> <op> <value>`` in a script and
compares it with ``ops`` applied to the same values, on both tiers.
"""
from __future__ import annotations

import pytest

from tengojit import operators, ops

# Tengo source of a value of each kind, and the literal operands the code generator special-cases
VALUES = ['undefined', '0', '1', '-1', '0.0', '1.0', '"a"', '""', "'a'", 'true', 'false',
          '[]', '[1]', '{}', '{a: 1}', 'error("e")', 'bytes("a")', 'immutable([1])',
          'immutable({a: 1})', 'len', 'func() {}']
LITERALS = ['undefined', '0', '1', '"a"', '""', 'true', 'false']


def evaluate(make_script, exprs):
    src = "out := [" + ", ".join(exprs) + "]"
    c = make_script(src, name="t").compile()
    c.run()
    return c.get("out")


def values(make_script):
    return evaluate(make_script, VALUES)


@pytest.mark.parametrize("op", ["==", "!="])
def test_equality_with_literals(make_script, op):
    vals = values(make_script)
    lits = evaluate(make_script, LITERALS)
    exprs, expected = [], []
    for vs, v in zip(VALUES, vals):
        for ls, lit in zip(LITERALS, lits):
            for a_src, b_src, a, b in ((vs, ls, v, lit), (ls, vs, lit, v)):
                exprs.append(f"({a_src}) {op} ({b_src})")
                eq = ops.equals(a, b)
                expected.append(eq if op == "==" else not eq)
    got = evaluate(make_script, exprs)
    mismatches = [(e, g, w) for e, g, w in zip(exprs, got, expected) if g is not w]
    assert mismatches == []


@pytest.mark.parametrize("op", ["==", "!="])
def test_equality_with_literals_through_variables(make_script, op):
    # the literal next to a variable (the common `x == undefined` in a loop), both orders
    src = f"""
    vals := [{', '.join(VALUES)}]
    out := []
    for v in vals {{
        out = append(out, [v {op} undefined, undefined {op} v, v {op} "a", "a" {op} v, v {op} 1,
                           1 {op} v, v {op} true, false {op} v])
    }}
    """
    c = make_script(src, name="t").compile()
    c.run()
    vals = values(make_script)
    for v, row in zip(vals, c.get("out")):
        want = []
        for lit, left_lit in ((None, False), (None, True), ("a", False), ("a", True), (1, False),
                              (1, True), (True, False), (False, True)):
            eq = ops.equals(lit, v) if left_lit else ops.equals(v, lit)
            want.append(eq if op == "==" else not eq)
        assert row == want, v


# --------------------------------------------------------------------- arithmetic and ordering
ARITH_OPS = ["+", "-", "*", "/", "%", "<", ">", "<=", ">="]
NUMBERS = ["0", "1", "-1", "7", "-7", "9223372036854775807", "-9223372036854775807 - 1", "0.0",
           "-0.0", "1.5", "-2.5", "1e308", "0.0 / 0.0", "true", '"a"', "undefined", "'c'"]
NUM_LITERALS = ["0", "1", "3", "0.0", "2.0", "1.5", "(-3)", "(-2.5)"]


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (a == b and str(a) == str(b)) or (a != a and b != b)
    return type(a) is type(b) and a == b


def _oracle(op, a, b):
    try:
        return ("ok", operators.binary_op(op, a, b))
    except Exception as e:  # noqa: BLE001 - any error: the script must fail too
        return ("error", type(e).__name__)


def _outcome(ctx, fn, *args):
    from tengojit import TengoError
    try:
        return ("ok", ctx.call(fn, *args))
    except TengoError as e:
        return ("error", str(e).splitlines()[0])


@pytest.mark.parametrize("op", ARITH_OPS)
def test_arithmetic_inline_paths_match_ops(make_script, op):
    # a parameter beside each literal (both orders), and two parameters: every fast path the
    # code generator emits, fed every kind of number and some non-numbers
    defs = []
    for i, lit in enumerate(NUM_LITERALS):
        defs.append(f"l{i} := func(a) {{ return a {op} {lit} }}")
        defs.append(f"r{i} := func(a) {{ return {lit} {op} a }}")
    defs.append(f"vv := func(a, b) {{ return a {op} b }}")
    defs.append(f"chain := func(a, b) {{ return a {op} b {op} a }}")
    defs.append("vals := [" + ", ".join(NUMBERS) + "]")
    defs.append("lits := [" + ", ".join(NUM_LITERALS) + "]")
    c = make_script("\n".join(defs), name="t").compile()
    c.run()
    ctx = c.context()
    vals, lits = c.get("vals"), c.get("lits")
    bad = []
    for v_src, v in zip(NUMBERS, vals):
        for i, (l_src, lit) in enumerate(zip(NUM_LITERALS, lits)):
            for name, want in ((f"l{i}", _oracle(op, v, lit)), (f"r{i}", _oracle(op, lit, v))):
                got = _outcome(ctx, c.get(name), v)
                if got[0] != want[0] or (got[0] == "ok" and not _same(got[1], want[1])):
                    bad.append((name, v_src, l_src, got, want))
        for w_src, w in zip(NUMBERS, vals):
            want = _oracle(op, v, w)
            got = _outcome(ctx, c.get("vv"), v, w)
            if got[0] != want[0] or (got[0] == "ok" and not _same(got[1], want[1])):
                bad.append(("vv", v_src, w_src, got, want))
            first = _oracle(op, v, w)
            want = _oracle(op, first[1], v) if first[0] == "ok" else first
            got = _outcome(ctx, c.get("chain"), v, w)
            if got[0] != want[0] or (got[0] == "ok" and not _same(got[1], want[1])):
                bad.append(("chain", v_src, w_src, got, want))
    assert bad == []


CHAIN_LITERALS = ["2", "(-3)", "1.5", "(-1e+308)", '"s"', "true", "'c'", "undefined"]


@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_three_operand_chains_with_a_literal_match_ops(make_script, op):
    # `L op a op b` and `a op b op L`: the chain path tests the operands' types once, so a
    # literal of any kind among them (float, negative, string, bool) must not reach the int path
    defs = []
    for i, lit in enumerate(CHAIN_LITERALS):
        defs.append(f"lead{i} := func(a, b) {{ return ({lit}) {op} (a {op} b) }}")
        defs.append(f"tail{i} := func(a, b) {{ return a {op} b {op} ({lit}) }}")
    defs.append("vals := [" + ", ".join(NUMBERS) + "]")
    defs.append("lits := [" + ", ".join(CHAIN_LITERALS) + "]")
    c = make_script("\n".join(defs), name="t").compile()
    c.run()
    ctx = c.context()
    vals, lits = c.get("vals"), c.get("lits")
    bad = []
    for i, (l_src, lit) in enumerate(zip(CHAIN_LITERALS, lits)):
        for v_src, v in zip(NUMBERS[:8], vals[:8]):
            for w_src, w in zip(NUMBERS, vals):
                inner = _oracle(op, v, w)
                lead = _oracle(op, lit, inner[1]) if inner[0] == "ok" else inner
                tail = _oracle(op, inner[1], lit) if inner[0] == "ok" else inner
                for name, want in ((f"lead{i}", lead), (f"tail{i}", tail)):
                    got = _outcome(ctx, c.get(name), v, w)
                    if got[0] != want[0] or (got[0] == "ok" and not _same(got[1], want[1])):
                        bad.append((name, l_src, v_src, w_src, got, want))
    assert bad == []


# --------------------------------------------------------------------------- indexing
CONTAINERS = ['[1, 2, 3]', '{f: [1, 2, 3]}', '{f: {a: 1}}', '{f: "abc"}', '{f: undefined}', '{}',
              'immutable({f: [1, 2]})', '{f: immutable([1, 2])}', '"abc"', 'undefined', '5',
              'bytes("ab")']
KEYS = ['0', '2', '3', '-1', '"a"', '"f"', '1.5', 'true', 'undefined']


def test_computed_index_reads_match_ops(make_script):
    # object and index both computed: the inline read evaluates each once, object first
    src = ("rd := func(o, i) { return [o][0][[i][0]] }\n"
           f"objs := [{', '.join(CONTAINERS)}]\nkeys := [{', '.join(KEYS)}]")
    c = make_script(src, name="t").compile()
    c.run()
    ctx = c.context()
    bad = []
    for o_src, o in zip(CONTAINERS, c.get("objs")):
        for k_src, k in zip(KEYS, c.get("keys")):
            want = _oracle_index(o, k)
            got = _outcome(ctx, c.get("rd"), o, k)
            if got[0] != want[0] or (got[0] == "ok" and got[1] != want[1]):
                bad.append((o_src, k_src, got, want))
    assert bad == []


def _oracle_index(o, k):
    try:
        return ("ok", ops.index_get(o, k))
    except Exception as e:  # noqa: BLE001
        return ("error", type(e).__name__)


def test_field_index_writes_match_the_general_path(make_script):
    # m.f[k] = v inline against m[fld][k] = v with a computed field name (the general path)
    src = ("fast := func(m, k) { m.f[k] = 9; return m }\n"
           "general := func(m, k) { fld := \"f\"; m[fld][k] = 9; return m }\n"
           f"objs := func() {{ return [{', '.join(CONTAINERS)}] }}\nkeys := [{', '.join(KEYS)}]")
    c = make_script(src, name="t").compile()
    c.run()
    ctx = c.context()
    bad = []
    for oi, o_src in enumerate(CONTAINERS):
        for k_src, k in zip(KEYS, c.get("keys")):
            a = _outcome(ctx, c.get("fast"), ctx.call(c.get("objs"))[oi], k)
            b = _outcome(ctx, c.get("general"), ctx.call(c.get("objs"))[oi], k)
            a = (a[0], a[1].split("\n")[0]) if a[0] == "error" else a
            b = (b[0], b[1].split("\n")[0]) if b[0] == "error" else b
            if a != b:
                bad.append((o_src, k_src, a, b))
    assert bad == []


@pytest.mark.parametrize("arg, expected", [
    ("{a: 1, f: {}}", {"a": 1, "f": {"k": 2, "n": 1}}),
    ("{a: 1, f: [0]}", "error"),
    ("{a: 1, f: undefined}", "error"),
    ("[1]", "error"),
])
def test_map_specialised_body(make_script, arg, expected):
    # p is used as a map twice and never reassigned: its body has a copy without map tests
    src = f"""
    g := func(p) {{ p.f.k = p.a + 1; p.f["n"] = p.a; return p }}
    out := undefined
    r := func() {{ out = g({arg}) }}
    """
    c = make_script(src, name="t").compile()
    c.run()
    got = _outcome(c.context(), c.get("r"))
    if expected == "error":
        assert got[0] == "error"
    else:
        assert got[0] == "ok" and c.get("out") == expected


def test_strings_order_by_their_bytes(make_script):
    """Go orders strings by bytes: a slice that cuts a character in two (invalid UTF-8, held as
    surrogate escapes) sorts by its raw bytes, not after every other character (the reference:
    ``"世界"[1:] > "世界"`` is false). Loops make the JIT tier run it natively."""
    src = """
s := "\\u4e16\\u754c"
t := s[1:]
out := []
for i := 0; i < 3; i++ {
    out = [t > s, t < s, s[:4] < "\\u4e16\\u754d", "a" < t, t <= t, s[1:2] >= "\\u4e16", "x\\u00e9" < t]
}"""
    c = make_script(src, name="t").compile()
    c.run()
    assert c.get("out") == [False, True, True, True, True, False, True]


def test_joined_pieces_of_a_character_are_that_character(make_script):
    """A Tengo string is bytes: pieces of a character joined again (``+``, ``+=`` in a loop,
    ``format``, ``text.join``) are the character, equal to it and the same map key (the
    reference: ``"世"[0:1] + "世"[1:] == "世"``). Loops make the JIT tier run it natively."""
    from tengojit.stdlib import get_module_map
    src = """
text := import("text")
s := "\\u4e16\\u754c"
f := func(x, y) { r := x; r += y; return r }
g := func(parts) { r := ""; for p in parts { r += p }; return r }
out := []
for i := 0; i < 3; i++ {
    out = [f(s[0:1], s[1:3]) == "\\u4e16", g([s[0:1], s[1:2], s[2:3], s[3:]]) == s,
           s[0:2] + s[2:] == s, format("%s%s", s[0:1], s[1:]) == s,
           text.join([s[0:1], s[1:]], "") == s, len(g([s[0:1], s[1:]])),
           {k: 1}[s[0:1] + s[1:3]] == undefined, is_undefined({"\\u4e16": 1}[s[0:1] + s[1:3]]),
           text.repeat(s[1:3] + s[0:1], 2) == s[1:3] + "\\u4e16" + s[1:3] + s[0:1]]
}"""
    c = make_script(src, name="t", modules=get_module_map("text")).compile()
    c.run()
    assert c.get("out") == [True, True, True, True, True, 6, True, False, False]
