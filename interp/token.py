"""Tengo tokens.

A token kind is a plain string: operators, delimiters and keywords are their own source text
(``'+'``, ``'&^='``, ``'func'``); the other kinds are the upper-case names Tengo prints
(``IDENT``, ``INT``, ``FLOAT``, ``CHAR``, ``STRING``, ``EOF``, ``ILLEGAL``). ``';'`` is the
semicolon, explicit or inserted (an inserted one has the literal ``"\\n"``).
"""
from __future__ import annotations

ILLEGAL = "ILLEGAL"
EOF = "EOF"
IDENT = "IDENT"
INT = "INT"
FLOAT = "FLOAT"
CHAR = "CHAR"
STRING = "STRING"
SEMICOLON = ";"

LITERALS = frozenset((IDENT, INT, FLOAT, CHAR, STRING))

KEYWORDS = frozenset((
    "break", "continue", "else", "for", "func", "error", "immutable", "if", "return",
    "export", "true", "false", "in", "undefined", "import",
))

# binary operator precedences (Go's): || < && < comparisons < additive < multiplicative
PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4, "|": 4, "^": 4,
    "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5, "&": 5, "&^": 5,
}

ASSIGN_OPS = frozenset((
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^=",
))

# tokens after which a newline (or EOF) becomes a semicolon
INSERT_SEMI = frozenset((
    IDENT, INT, FLOAT, CHAR, STRING, "break", "continue", "return", "export", "true",
    "false", "undefined", ")", "]", "}", "++", "--",
))


def is_literal(kind: str) -> bool:
    return kind in LITERALS


def token_string(kind: str) -> str:
    """What Tengo's ``token.String()`` prints for a token kind."""
    return kind
