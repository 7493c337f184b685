"""Fuzzing the front end: whatever the source, compiling raises nothing but ParseError/CompileError.

Sources are random bytes, random text, and random sequences of Tengo tokens (keywords,
operators, delimiters, literals of every kind, identifiers, comments, newlines), which reach much
deeper into the parser and the resolver than random bytes do. Programs are only compiled,
never run (a random program may loop forever).

The default run keeps example counts small; the ``slow`` variants (CI's ``-m slow`` run) try
many more.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tengojit import CompileError, ParseError

# Script.compile() raises the process's recursion limit once (deep Tengo recursion needs it);
# hypothesis notices and warns on every example. Harmless here.
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")

KEYWORDS = ["break", "continue", "else", "for", "func", "error", "immutable", "if", "return",
            "export", "true", "false", "in", "undefined", "import"]
OPERATORS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&^", "+=", "-=", "*=", "/=",
             "%=", "&=", "|=", "^=", "<<=", ">>=", "&^=", "&&", "||", "++", "--", "==", "<",
             ">", "=", "!", "!=", "<=", ">=", ":=", "...", "(", "[", "{", ",", ".", ")", "]",
             "}", ";", ":", "?"]
IDENTIFIERS = ["a", "b", "x", "out", "_", "len", "append", "format", "fmt", "f", "arr", "m",
               "string", "int", "copy", "type_name", "is_error", "σ"]
LITERALS = ["0", "1", "42", "0x1F", "0o17", "0b101", "017", "1_000", "9223372036854775807",
            "9223372036854775808", "1.5", "1e3", ".5", "1e", "0x", "'a'", "'\\n'", "'\\x41'",
            "'\\u00e9'", "'ab'", "''", '"abc"', '"a\\"b"', '"\\q"', '"unterminated', "`raw`",
            "`unterminated", '"é"']
TRIVIA = ["\n", "// comment\n", "/* block */", "/* unterminated", "#", "@", "$", "\\"]

SEPARATORS = st.sampled_from([" ", " ", " ", "\n", ""])
TOKENS = st.sampled_from(KEYWORDS + OPERATORS + IDENTIFIERS + LITERALS + TRIVIA)

# Snippets that make token soup look like programs more often.
SNIPPETS = st.sampled_from([
    "a := 1", "f := func(x) { return x }", "for i := 0; i < 3; i++ {", "if a {", "} else {",
    "x := [1, 2, 3]", "m := {a: 1}", "m.a", "x[0:1]", "f(1, 2)", "import(\"fmt\")",
    "export a", "func(...args) {", "a ? b : c", "}", "out = ", "immutable([1])", "error(1)",
])


def token_programs(max_size):
    piece = st.one_of(TOKENS, TOKENS, SNIPPETS)
    return st.lists(st.tuples(piece, SEPARATORS), max_size=max_size).map(
        lambda parts: "".join(tok + sep for tok, sep in parts))


def compile_only(make_script, src):
    try:
        make_script(src).compile()
    except (ParseError, CompileError) as e:
        text = str(e)
        assert text.startswith(("Parse Error: ", "Compile Error: ")), text


FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SLOW = settings(max_examples=3000, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FAST
@given(src=st.binary(max_size=200))
def test_random_bytes(make_script, src):
    compile_only(make_script, src)


@FAST
@given(src=st.text(max_size=120))
def test_random_text(make_script, src):
    compile_only(make_script, src)


@FAST
@given(src=token_programs(40))
def test_random_token_streams(make_script, src):
    compile_only(make_script, src)


@pytest.mark.parametrize("depth", [50, 5000])
@pytest.mark.parametrize("template", ["out := {o}1{c}", "out := {o}"],
                         ids=["balanced", "unclosed"])
def test_deep_nesting(make_script, depth, template):
    """Deeply nested source is a ParseError/CompileError or compiles — never RecursionError."""
    compile_only(make_script, template.format(o="(" * depth, c=")" * depth))


@pytest.mark.slow
@SLOW
@given(src=st.binary(max_size=1000))
def test_random_bytes_long(make_script, src):
    compile_only(make_script, src)


@pytest.mark.slow
@SLOW
@given(src=token_programs(200))
def test_random_token_streams_long(make_script, src):
    compile_only(make_script, src)
