"""Tengo's operators: one row each, read by every stage that handles them.

The baseline code generator (inline fast paths, slow-path calls, compound assignment), the
generated code's namespace (``interp.rt``), the local type inference, the JIT's type inference
and its lowering all look operators up here; none keeps its own list. Changing an operator
means changing its row (and, for a new kind of operator, the stages' handling of that kind):
see docs/architecture.md, "Changing an operator".

Columns of ``BinaryOperator``:

- ``token``: the source token (``"+"``).
- ``function``: the full Tengo semantics in ``ops``, operands in source order.
- ``runtime_name``: the generated code calls ``function`` as ``_<runtime_name>``.
- ``kind``: ``"arith"`` (ints and floats), ``"int"`` (ints only: bitwise and shifts),
  ``"compare"`` (ordering, a bool), ``"equality"`` (any two values, a bool).
- ``python``: the Python ``ast`` operator class whose result equals Tengo's for two ints and
  for two floats (before the int64 wrap, see ``wraps``); None when Python's differs
  (division and remainder truncate in Go, floor in Python; shifts saturate in Go).
- ``float_python``: the Python operator for two floats (IEEE double arithmetic and ordering
  are Go's; a zero divisor is not: callers test it), None when floats are an error.
- ``wraps``: an int result may leave int64 (``+ - *``): inline code wraps it.
- ``compound``: the op-assignment token (``"+="``), or None.
- ``right_first``: Tengo evaluates the right operand first (no operator today: Tengo v2.0
  compiled ``a < b`` as ``b > a``, current Tengo evaluates every operator left to right; the
  stages keep handling the column).
- ``jit``: the lowering key of ``jit/lower.py``.
"""
from __future__ import annotations

import ast
from typing import Any, Callable, NamedTuple, Optional

from . import ops
from .errors import OpError


class BinaryOperator(NamedTuple):
    token: str
    function: Callable
    runtime_name: str
    kind: str
    python: Optional[type]
    float_python: Optional[type]
    wraps: bool
    compound: Optional[str]
    right_first: bool
    jit: str


class UnaryOperator(NamedTuple):
    token: str
    function: Callable             # the full Tengo semantics in ``ops``
    runtime_name: str              # the generated code calls it as ``_<runtime_name>``
    python: type                   # ast unary operator class
    jit: str


def _b(token, function, runtime_name, kind, python, wraps=False, compound=True, right_first=False,
       jit="", float_python=None):
    if float_python is None and kind in ("arith", "compare", "equality"):
        float_python = python
    return BinaryOperator(token, function, runtime_name, kind, python, float_python, wraps,
                          token + "=" if compound else None, right_first, jit)


BINARY: dict[str, BinaryOperator] = {row.token: row for row in (
    _b("+", ops.add, "add", "arith", ast.Add, wraps=True, jit="add"),
    _b("-", ops.sub, "sub", "arith", ast.Sub, wraps=True, jit="sub"),
    _b("*", ops.mul, "mul", "arith", ast.Mult, wraps=True, jit="mul"),
    _b("/", ops.div, "div", "arith", None, jit="div", float_python=ast.Div),
    _b("%", ops.mod, "mod", "int", None, jit="rem"),
    _b("&", ops.band, "band", "int", ast.BitAnd, jit="and"),
    _b("|", ops.bor, "bor", "int", ast.BitOr, jit="or"),
    _b("^", ops.bxor, "bxor", "int", ast.BitXor, jit="xor"),
    _b("&^", ops.bandnot, "bandnot", "int", None, jit="andnot"),
    _b("<<", ops.shl, "shl", "int", None, jit="shl"),
    _b(">>", ops.shr, "shr", "int", None, jit="shr"),
    _b(">", ops.gt, "gt", "compare", ast.Gt, compound=False, jit="gt"),
    _b(">=", ops.ge, "ge", "compare", ast.GtE, compound=False, jit="ge"),
    _b("<", ops.lt, "lt", "compare", ast.Lt, compound=False, jit="lt"),
    _b("<=", ops.le, "le", "compare", ast.LtE, compound=False, jit="le"),
    _b("==", ops.equals, "eq", "equality", ast.Eq, compound=False, jit="eq"),
    _b("!=", ops.not_equals, "ne", "equality", ast.NotEq, compound=False, jit="ne"),
)}

# op-assignment token -> the binary operator it applies (``"+="`` -> ``"+"``)
COMPOUND: dict[str, str] = {row.compound: row.token for row in BINARY.values() if row.compound}

UNARY: dict[str, UnaryOperator] = {row.token: row for row in (
    UnaryOperator("-", ops.neg, "neg", ast.USub, "neg"),
    UnaryOperator("^", ops.bitnot, "bitnot", ast.Invert, "not"),
    UnaryOperator("!", ops.lnot, "lnot", ast.Not, "lnot"),
    UnaryOperator("+", ops.pos, "pos", ast.UAdd, "pos"),
)}


def binary_op(token: str, a: Any, b: Any) -> Any:
    """``a <token> b`` with Tengo's semantics, for any binary operator token but ``&&``/``||``
    (``OpError`` for anything else)."""
    row = BINARY.get(token)
    if row is None:
        raise OpError("invalid operator")
    return row.function(a, b)


def runtime_functions() -> dict:
    """``{"_<runtime_name>": function}`` for every operator (the generated code's slow paths)."""
    out = {"_" + row.runtime_name: row.function for row in BINARY.values()}
    out.update({"_" + row.runtime_name: row.function for row in UNARY.values()})
    return out
