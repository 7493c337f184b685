"""Tengo syntax tree.

Every node is a slotted dataclass whose first field is ``pos``: a ``(line, col)`` pair, both
1-based, columns counted in bytes of the UTF-8 source (as Go's scanner counts them). The
position of a compound expression is where it starts in the source (a call's position is the
start of its callee; a binary expression's is the start of its left operand), because that is
where Tengo's runtime error traces point.

The parser (``parser.py``) builds these; the resolver (``symbols.py``) and the code generator
(``codegen.py``) read them. Nodes are never mutated after parsing except through the resolver's
side tables (keyed by ``id(node)``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

Pos = tuple  # (line, col)


# ---------------------------------------------------------------- expressions
@dataclass(slots=True, eq=False)
class Ident:
    pos: Pos
    name: str


@dataclass(slots=True, eq=False)
class IntLit:
    pos: Pos
    value: int          # already parsed (Go literal rules: 0x, 0o, 0b, _, leading 0 = octal)
    literal: str = ""


@dataclass(slots=True, eq=False)
class FloatLit:
    pos: Pos
    value: float
    literal: str = ""


@dataclass(slots=True, eq=False)
class StringLit:
    pos: Pos
    value: str          # unquoted, escapes applied (raw strings: backquotes removed, \r dropped)
    literal: str = ""


@dataclass(slots=True, eq=False)
class CharLit:
    pos: Pos
    value: int          # code point
    literal: str = ""


@dataclass(slots=True, eq=False)
class BoolLit:
    pos: Pos
    value: bool


@dataclass(slots=True, eq=False)
class UndefinedLit:
    pos: Pos


@dataclass(slots=True, eq=False)
class ArrayLit:
    pos: Pos
    elements: list


@dataclass(slots=True, eq=False)
class MapElement:
    pos: Pos
    key: str            # identifier or string literal key, unquoted
    value: object


@dataclass(slots=True, eq=False)
class MapLit:
    pos: Pos
    elements: list      # list[MapElement]


@dataclass(slots=True, eq=False)
class FuncLit:
    pos: Pos                     # position of the `func` keyword
    params: list                 # list[Ident]
    variadic: bool               # last param written as `...name`
    body: "BlockStmt"


@dataclass(slots=True, eq=False)
class BinaryExpr:
    pos: Pos
    op: str             # '+', '-', '*', '/', '%', '&', '|', '^', '&^', '<<', '>>',
                        # '==', '!=', '<', '>', '<=', '>=', '&&', '||'
    left: object
    right: object


@dataclass(slots=True, eq=False)
class UnaryExpr:
    pos: Pos
    op: str             # '-', '+', '!', '^'
    operand: object


@dataclass(slots=True, eq=False)
class CondExpr:
    pos: Pos
    cond: object
    true_expr: object
    false_expr: object


@dataclass(slots=True, eq=False)
class CallExpr:
    pos: Pos
    func: object
    args: list
    ellipsis: bool = False       # last argument spread with `...`


@dataclass(slots=True, eq=False)
class IndexExpr:
    pos: Pos
    expr: object
    index: object


@dataclass(slots=True, eq=False)
class SliceExpr:
    pos: Pos
    expr: object
    low: Optional[object]
    high: Optional[object]


@dataclass(slots=True, eq=False)
class SelectorExpr:
    pos: Pos
    expr: object
    sel: str            # `a.b` is `a["b"]`


@dataclass(slots=True, eq=False)
class ParenExpr:
    pos: Pos
    expr: object


@dataclass(slots=True, eq=False)
class ImportExpr:
    pos: Pos
    module_name: str


@dataclass(slots=True, eq=False)
class ErrorExpr:
    pos: Pos            # `error(expr)` is syntax in Tengo, not a builtin call
    expr: object


@dataclass(slots=True, eq=False)
class ImmutableExpr:
    pos: Pos            # `immutable(expr)` is syntax too
    expr: object


# ---------------------------------------------------------------- statements
@dataclass(slots=True, eq=False)
class ExprStmt:
    pos: Pos
    expr: object


@dataclass(slots=True, eq=False)
class AssignStmt:
    pos: Pos
    lhs: list           # expressions
    rhs: list
    op: str             # ':=', '=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '&^=', '<<=', '>>='


@dataclass(slots=True, eq=False)
class IncDecStmt:
    pos: Pos
    expr: object
    op: str             # '++' or '--'


@dataclass(slots=True, eq=False)
class BlockStmt:
    pos: Pos
    stmts: list


@dataclass(slots=True, eq=False)
class IfStmt:
    pos: Pos
    init: Optional[object]       # simple statement or None
    cond: object
    body: BlockStmt
    else_: Optional[object]      # BlockStmt, IfStmt or None


@dataclass(slots=True, eq=False)
class ForStmt:
    pos: Pos
    init: Optional[object]
    cond: Optional[object]
    post: Optional[object]
    body: BlockStmt


@dataclass(slots=True, eq=False)
class ForInStmt:
    pos: Pos
    key: Ident                   # `for k, v in x`: key=k, value=v
    value: Ident                 # `for v in x`: key=Ident('_'), value=v (Tengo's parser does this)
    iterable: object
    body: BlockStmt


@dataclass(slots=True, eq=False)
class ReturnStmt:
    pos: Pos
    result: Optional[object]


@dataclass(slots=True, eq=False)
class ExportStmt:
    pos: Pos
    result: Optional[object]


@dataclass(slots=True, eq=False)
class BranchStmt:
    pos: Pos
    tok: str            # 'break' or 'continue'


@dataclass(slots=True, eq=False)
class EmptyStmt:
    pos: Pos


@dataclass(slots=True, eq=False)
class File:
    name: str           # file name used in traces ("(main)", "test", a module name)
    stmts: list
    source: bytes = b""


# ---------------------------------------------------------------- helpers for the passes

def walk(root, skip=()):
    """Every node under ``root`` (``root`` included; lists are descended into), in source
    order (pre-order, fields in their declared order). Nested function literals are walked
    too, unless ``skip`` names their type: nodes of a type in ``skip`` are yielded, their
    children are not (``walk(body, skip=(FuncLit,))`` stays within one function). The one AST
    walker of the project."""
    stack = [root]
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(reversed(x))
            continue
        if not hasattr(x, "__slots__"):
            continue
        yield x
        if skip and isinstance(x, skip):
            continue
        children = [v for v in (getattr(x, fld, None) for fld in x.__slots__)
                    if isinstance(v, list) or hasattr(v, "__slots__")]
        stack.extend(reversed(children))


def unparen(e):
    """``e`` without the parentheses around it."""
    while isinstance(e, ParenExpr):
        e = e.expr
    return e


def int_literal(e):
    """The value of an int literal, ``-literal`` included (within int64), else None."""
    e = unparen(e)
    if isinstance(e, IntLit):
        return e.value if e.value < 1 << 63 else None
    if isinstance(e, UnaryExpr) and e.op == "-":
        v = int_literal(e.operand)
        return -v if v is not None else None
    return None


def assigned_targets(n):
    """The variables statement ``n`` writes, as the identifier at the root of each target
    (``a`` for ``a = x``, ``a[i] += x``, ``a.b++``); ``:=`` defines rather than writes: []."""
    if isinstance(n, AssignStmt) and n.op != ":=":
        targets = n.lhs
    elif isinstance(n, IncDecStmt):
        targets = [n.expr]
    else:
        return []
    roots = []
    for t in targets:
        while isinstance(t, (IndexExpr, SelectorExpr, ParenExpr)):
            t = t.expr
        roots.append(t)
    return roots
