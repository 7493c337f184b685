"""Parsing and compiling take time linear in the source: every expression form nested deeply
generates each sub-expression once (the work is counted, not timed), and a long integer
literal is rejected after reading at most the digits that fit in 64 bits."""
from __future__ import annotations

import pytest

from tengojit import ParseError, Script
from tengojit.interp import codegen, scanner

# X is the nested expression; each form holds it once
FORMS = ["(a + X)", "(a * -X)", "(a - a * X)", "(a / X)", "(X % 3)", "(X << 1)", "(X & a)",
         "(X < a)", "(X == a)", "(X && a)", "(X || a)", "!X", "(-X)", "^X", "[X]", "{k: X}",
         "X[0]", "X.k", "f(X)", "(X ? a : a)", "(a ? X : a)", "(a ? a : X)", "string(X)",
         "func() { return X }()", "X[1:2]", "(X + 1.5)", "(1.5 - X)", "((X ^ 1) * 1 ^ 1)"]


def nested(form, depth):
    e = "a"
    for _ in range(depth):
        e = form.replace("X", e)
    return f"a := 1\nf := func(x) {{ return x }}\nx := {e}"


def expr_calls(monkeypatch, src, **kw):
    """How many times the code generator generates an expression while compiling ``src``."""
    gen = next(c for c in vars(codegen).values()
               if isinstance(c, type) and hasattr(c, "same_type_dispatch"))
    orig = gen.expr
    count = [0]

    def counted(self, node, *a, **k):
        count[0] += 1
        return orig(self, node, *a, **k)
    monkeypatch.setattr(gen, "expr", counted)
    Script(src, **kw).compile()
    monkeypatch.setattr(gen, "expr", orig)
    return count[0]


@pytest.mark.parametrize("form", FORMS)
def test_nesting_compiles_in_linear_work(monkeypatch, tier, form):
    opts = dict(jit=False) if tier == "baseline" else dict(jit=True, jit_threshold=0)
    small = expr_calls(monkeypatch, nested(form, 30), **opts)
    large = expr_calls(monkeypatch, nested(form, 60), **opts)
    assert large <= 2.2 * small, (small, large)


def test_deepest_nesting_allowed_compiles_and_beyond_is_a_parse_error(make_script):
    src = nested("(a * -X)", 120)
    c = make_script(src).compile()
    c.run()
    assert c.get("x") == 1
    with pytest.raises(ParseError, match="maximum nesting depth"):
        make_script(nested("(a * -X)", 1000)).compile()


def test_long_integer_literal_rejected_after_twenty_digits(monkeypatch, make_script):
    seen = [0]
    orig = scanner._digit_val

    def counted(c):
        seen[0] += 1
        return orig(c)
    monkeypatch.setattr(scanner, "_digit_val", counted)
    with pytest.raises(ParseError, match="invalid integer"):
        make_script("x := " + "9" * 1_000_000).compile()
    assert seen[0] <= 21
