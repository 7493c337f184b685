"""A Pygments lexer for Tengo: syntax highlighting in the REPL, and for any tool that uses
Pygments (registered as the ``tengo`` entry of the ``pygments.lexers`` entry point group, so
``pygmentize -l tengo file.tengo`` and documentation builds find it).

Tokens: keywords (``Keyword``; ``true``/``false``/``undefined`` as ``Keyword.Constant``),
builtin functions (``Name.Builtin``), numbers (decimal, hex, octal, binary, floats),
strings (``"…"`` with escapes, raw ``` `…` ```), chars (``'x'``), comments (``//``, ``/* */``),
operators and punctuation.
"""
from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String,
                            Text, Whitespace)

from .builtins import BUILTIN_FUNCTIONS
from .interp.token import KEYWORDS

_CONSTANTS = ("true", "false", "undefined")


class TengoLexer(RegexLexer):
    """Tengo source (``.tengo`` files)."""
    name = "Tengo"
    aliases = ["tengo"]
    filenames = ["*.tengo"]
    mimetypes = ["text/x-tengo"]
    url = "https://github.com/d5/tengo"

    tokens = {
        "root": [
            (r"\n", Whitespace),
            (r"\s+", Whitespace),
            (r"//[^\n]*", Comment.Single),
            (r"/\*", Comment.Multiline, "comment"),
            (words(_CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(sorted(KEYWORDS - set(_CONSTANTS)), suffix=r"\b"), Keyword),
            (words(sorted(BUILTIN_FUNCTIONS), suffix=r"\b(?=\s*\()"), Name.Builtin),
            (r"0[xX][0-9a-fA-F_]+", Number.Hex),
            (r"0[bB][01_]+", Number.Bin),
            (r"0[oO]?[0-7_]+(?![.eE0-9])", Number.Oct),
            (r"(\d[\d_]*\.\d*|\.\d+|\d[\d_]*)([eE][+-]?\d+)", Number.Float),
            (r"\d[\d_]*\.\d*|\.\d+", Number.Float),
            (r"\d[\d_]*", Number.Integer),
            (r"'(\\(?:[abfnrtv\\'\"]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})|[^\\'\n])'",
             String.Char),
            (r'"', String.Double, "string"),
            (r"`[^`]*`", String.Backtick),
            (r"([A-Za-z_][A-Za-z0-9_]*)(\s*)(:=)", bygroups(Name.Variable, Whitespace, Operator)),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"(\.\.\.|<<=|>>=|&\^=|&\^|:=|\+\+|--|&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%&|^]=|[-+*/%&|^<>=!?:])",
             Operator),
            (r"[()\[\]{},;.]", Punctuation),
            (r".", Text),
        ],
        "comment": [
            (r"[^*]+", Comment.Multiline),
            (r"\*/", Comment.Multiline, "#pop"),
            (r"\*", Comment.Multiline),
        ],
        "string": [
            (r'\\(?:[abfnrtv\\\'"]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})', String.Escape),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
            (r"\n", String.Double, "#pop"),           # unterminated: do not swallow the rest
            (r"\\", String.Double),
        ],
    }
