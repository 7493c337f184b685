"""Tengo syntax tree.

Every node is a slotted class (``@node``) whose first field is ``pos``: a ``(line, col)`` pair, both
1-based, columns counted in bytes of the UTF-8 source (as Go's scanner counts them). The
position of a compound expression is where it starts in the source (a call's position is the
start of its callee; a binary expression's is the start of its left operand), because that is
where Tengo's runtime error traces point.

The parser (``parser.py``) builds these; the resolver (``symbols.py``) and the code generator
(``codegen.py``) read them. Nodes are never mutated after parsing except through the resolver's
side tables (keyed by ``id(node)``).
"""
from __future__ import annotations

from typing import Optional

Pos = tuple  # (line, col)


_SCALAR_FIELDS = {"Pos", "str", "int", "float", "bool", "bytes"}


def node(cls):
    """A slotted syntax-tree class made from ``cls``: its annotated fields, in order, become
    ``__slots__`` and the parameters of ``__init__`` (a class-level value is the field's
    default); ``__repr__`` names the fields; equality is identity. (What
    ``dataclass(slots=True, eq=False)`` gives, built in a fraction of its import time.)"""
    annotations = cls.__dict__.get("__annotations__", {})
    fields = list(annotations)
    defaults = {f: cls.__dict__[f] for f in fields if f in cls.__dict__}
    params = ", ".join(f"{f}=_d_{f}" if f in defaults else f for f in fields)
    body = "".join(f"\n    self.{f} = {f}" for f in fields) or "\n    pass"
    env = {f"_d_{f}": v for f, v in defaults.items()}
    exec(f"def __init__(self, {params}):{body}", env)

    def __repr__(self):
        return f"{type(self).__name__}(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in fields) + ")"
    ns = {k: v for k, v in cls.__dict__.items()
          if k not in fields and k not in ("__dict__", "__weakref__")}
    # the fields that may hold nodes or lists of them (what ``walk`` descends into)
    children = tuple(f for f in fields if str(annotations[f]).strip() not in _SCALAR_FIELDS)
    ns.update(__slots__=tuple(fields), __init__=env["__init__"], __repr__=__repr__,
              __match_args__=tuple(fields), _children=children)
    ns["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    return type(cls.__name__, cls.__bases__, ns)


# ---------------------------------------------------------------- expressions
@node
class Ident:
    pos: Pos
    name: str


@node
class IntLit:
    pos: Pos
    value: int          # already parsed (Go literal rules: 0x, 0o, 0b, _, leading 0 = octal)
    literal: str = ""


@node
class FloatLit:
    pos: Pos
    value: float
    literal: str = ""


@node
class StringLit:
    pos: Pos
    value: str          # unquoted, escapes applied (raw strings: backquotes removed, \r dropped)
    literal: str = ""


@node
class CharLit:
    pos: Pos
    value: int          # code point
    literal: str = ""


@node
class BoolLit:
    pos: Pos
    value: bool


@node
class UndefinedLit:
    pos: Pos


@node
class ArrayLit:
    pos: Pos
    elements: list


@node
class MapElement:
    pos: Pos
    key: str            # identifier or string literal key, unquoted
    value: object


@node
class MapLit:
    pos: Pos
    elements: list      # list[MapElement]


@node
class FuncLit:
    pos: Pos                     # position of the `func` keyword
    params: list                 # list[Ident]
    variadic: bool               # last param written as `...name`
    body: "BlockStmt"


@node
class BinaryExpr:
    pos: Pos
    op: str             # '+', '-', '*', '/', '%', '&', '|', '^', '&^', '<<', '>>',
                        # '==', '!=', '<', '>', '<=', '>=', '&&', '||'
    left: object
    right: object


@node
class UnaryExpr:
    pos: Pos
    op: str             # '-', '+', '!', '^'
    operand: object


@node
class CondExpr:
    pos: Pos
    cond: object
    true_expr: object
    false_expr: object


@node
class CallExpr:
    pos: Pos
    func: object
    args: list
    ellipsis: bool = False       # last argument spread with `...`


@node
class IndexExpr:
    pos: Pos
    expr: object
    index: object


@node
class SliceExpr:
    pos: Pos
    expr: object
    low: Optional[object]
    high: Optional[object]


@node
class SelectorExpr:
    pos: Pos
    expr: object
    sel: str            # `a.b` is `a["b"]`
    sel_pos: Pos = None  # where the name `b` is (None: made by the compiler, not parsed)


@node
class ParenExpr:
    pos: Pos
    expr: object


@node
class ImportExpr:
    pos: Pos
    module_name: str


@node
class ErrorExpr:
    pos: Pos            # `error(expr)` is syntax in Tengo, not a builtin call
    expr: object


@node
class ImmutableExpr:
    pos: Pos            # `immutable(expr)` is syntax too
    expr: object


# ---------------------------------------------------------------- statements
@node
class ExprStmt:
    pos: Pos
    expr: object


@node
class AssignStmt:
    pos: Pos
    lhs: list           # expressions
    rhs: list
    op: str             # ':=', '=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '&^=', '<<=', '>>='


@node
class IncDecStmt:
    pos: Pos
    expr: object
    op: str             # '++' or '--'


@node
class BlockStmt:
    pos: Pos
    stmts: list


@node
class IfStmt:
    pos: Pos
    init: Optional[object]       # simple statement or None
    cond: object
    body: BlockStmt
    else_: Optional[object]      # BlockStmt, IfStmt or None


@node
class ForStmt:
    pos: Pos
    init: Optional[object]
    cond: Optional[object]
    post: Optional[object]
    body: BlockStmt


@node
class ForInStmt:
    pos: Pos
    key: Ident                   # `for k, v in x`: key=k, value=v
    value: Ident                 # `for v in x`: key=Ident('_'), value=v (Tengo's parser does this)
    iterable: object
    body: BlockStmt


@node
class ReturnStmt:
    pos: Pos
    result: Optional[object]


@node
class ExportStmt:
    pos: Pos
    result: Optional[object]


@node
class BranchStmt:
    pos: Pos
    tok: str            # 'break' or 'continue'


@node
class EmptyStmt:
    pos: Pos


@node
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
    pop, push = stack.pop, stack.append
    while stack:
        x = pop()
        if type(x) is list:
            stack.extend(reversed(x))
            continue
        fields = getattr(type(x), "_children", None)
        if fields is None:
            continue
        yield x
        if skip and isinstance(x, skip):
            continue
        for fld in reversed(fields):
            v = getattr(x, fld, None)
            if v is not None and (type(v) is list or hasattr(type(v), "_children")):
                push(v)


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


def reference_pos(e):
    """The position the reference gives expression ``e`` (its ``Node.Pos()``): a unary
    expression is where its operand is, a binary one where its left operand is, a conditional
    where its condition is; every other node where it starts."""
    while True:
        if isinstance(e, UnaryExpr):
            e = e.operand
        elif isinstance(e, BinaryExpr):
            e = e.left
        elif isinstance(e, CondExpr):
            e = e.cond
        else:
            return e.pos


def last_pos(e):
    """The position of the last instruction the reference compiles for expression ``e``: the
    instruction that makes the value, at ``reference_pos``, except that parentheses and a
    unary ``+`` add none, a conditional ends with its ``else`` value's code and ``&&``/``||``
    with their right operand's."""
    while True:
        if isinstance(e, ParenExpr):
            e = e.expr
        elif isinstance(e, CondExpr):
            e = e.false_expr
        elif isinstance(e, BinaryExpr) and e.op in ("&&", "||"):
            e = e.right
        elif isinstance(e, UnaryExpr) and e.op == "+":
            e = e.operand
        else:
            return reference_pos(e)


def read_error_pos(n):
    """Where the reference reports an error of reading ``n`` (an index, selector or slice
    expression): its VM names the instruction before the failing ``OpIndex`` or
    ``OpSliceIndex`` — the last of the key's code (the selector's name), or of the slice's
    upper bound (the slice itself when it has none)."""
    if isinstance(n, SelectorExpr):
        return n.sel_pos or n.pos
    if isinstance(n, IndexExpr):
        return last_pos(n.index)
    if isinstance(n, SliceExpr):
        return last_pos(n.high) if n.high is not None else n.pos
    return n.pos
