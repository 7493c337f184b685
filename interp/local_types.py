"""Which locals of a function always hold an int, a float or a bool (for the code generator).

``infer(res, stmts, known)`` looks at every statement that can give a local of this function
a value: its ``:=`` definition and every ``=``, op-assignment and ``++``/``--`` naming it,
anywhere in the body, closures nested in it included (they may assign it as a captured
variable). A local is an int (a float, a bool) when every one of those values is one
whenever the locals it reads have their inferred kinds; the optimistic fixed point of that rule
is sound because a value can only be observed after one of those statements stored it, and a
statement that fails at run time stores nothing (Tengo has no way to resume after an error in
the same activation).

Only unboxed locals defined by ``:=`` in the body are candidates; parameters are unknown unless
``known`` says otherwise (a body specialised for int arguments), and so are ``for-in``
variables. The result never changes what a program computes: the code generator uses it to
leave out type tests whose outcome it proves.
"""
from __future__ import annotations

from . import ast as A
from ..operators import BINARY, COMPOUND

INT, FLOAT, BOOL = "int", "float", "bool"
NONE = "none"           # no value seen yet (the fixed point's starting point)
ANY = "any"             # anything: not tracked




def infer(res, stmts, known):
    """``{symbol: "int" | "float" | "bool"}`` for the candidates of ``stmts`` (see the module docstring);
    ``known`` maps symbols (parameters) to a kind that holds for the whole body."""
    candidates = _candidates(res, stmts)
    if not candidates:
        return {}
    sources = {sym: [] for sym in candidates}      # sym -> expressions whose values it takes
    for x in A.walk(stmts):
        if isinstance(x, A.AssignStmt):
            if len(x.lhs) != 1 or len(x.rhs) != 1:
                continue
            if x.op == ":=":
                sym = res.defs.get(id(x))
                if sym in sources:
                    sources[sym].append(x.rhs[0])
                continue
            sym = _target(res, x.lhs[0])
            if sym in sources:
                if x.op == "=":
                    sources[sym].append(x.rhs[0])
                else:
                    op = COMPOUND.get(x.op)
                    sources[sym].append(A.BinaryExpr(x.pos, op, x.lhs[0], x.rhs[0])
                                        if op is not None else None)
        elif isinstance(x, A.IncDecStmt):
            sym = _target(res, x.expr)
            if sym in sources:
                sources[sym].append(A.BinaryExpr(x.pos, "+", x.expr, A.IntLit(x.pos, 1)))
        else:
            # a for-in loop writing a candidate cannot happen (it defines its own variables)
            continue
    kinds = dict(known)
    for sym in candidates:
        kinds[sym] = NONE
    changed = True
    while changed:
        changed = False
        for sym, exprs in sources.items():
            if kinds[sym] == ANY:
                continue
            k = NONE
            for e in exprs:
                k = _join(k, kind_of(res, e, lambda sym: kinds.get(sym, ANY)))
                if k == ANY:
                    break
            if k != kinds[sym]:
                kinds[sym] = k
                changed = True
    return {sym: kinds[sym] for sym in candidates if kinds[sym] in (INT, FLOAT, BOOL)}


def _candidates(res, stmts):
    """Unboxed locals defined by ``:=`` in ``stmts`` outside nested function literals."""
    out = set()
    for x in A.walk(stmts, skip=(A.FuncLit,)):
        if isinstance(x, A.AssignStmt) and x.op == ":=":
            sym = res.defs.get(id(x))
            if sym is not None and sym.kind == "local" and not sym.boxed:
                out.add(sym)
    return out


def _target(res, node):
    node = A.unparen(node)
    return res.uses.get(id(node)) if isinstance(node, A.Ident) else None


def _join(a, b):
    if a == NONE:
        return b
    if b == NONE or a == b:
        return a
    return ANY


def kind_of(res, e, symbol_kind):
    """``"int"``, ``"float"`` or ``"bool"`` when every value expression ``e`` can produce is one, given
    ``symbol_kind(symbol)``, the kind of each variable it reads; else ``"any"``."""
    if e is None:
        return ANY
    e = A.unparen(e)
    if isinstance(e, A.IntLit):
        return INT
    if isinstance(e, A.FloatLit):
        return FLOAT
    if isinstance(e, A.BoolLit):
        return BOOL
    if isinstance(e, A.Ident):
        sym = res.uses.get(id(e))
        return symbol_kind(sym) if sym is not None else ANY
    if isinstance(e, A.UnaryExpr):
        k = kind_of(res, e.operand, symbol_kind)
        if e.op in ("-", "+"):
            return k if k in (INT, FLOAT, NONE) else ANY
        if e.op == "^":
            return k if k in (INT, NONE) else ANY
        return BOOL if e.op == "!" else ANY
    if isinstance(e, A.BinaryExpr):
        if e.op in ("&&", "||"):      # the value of one of the operands
            a, b = kind_of(res, e.left, symbol_kind), kind_of(res, e.right, symbol_kind)
            return _join(a, b) if ANY not in (a, b) else ANY
        row = BINARY.get(e.op)
        if row is None:
            return ANY
        if row.kind in ("compare", "equality"):
            return BOOL               # or an error
        a, b = kind_of(res, e.left, symbol_kind), kind_of(res, e.right, symbol_kind)
        if ANY in (a, b):
            return ANY
        if NONE in (a, b):
            return NONE
        if BOOL in (a, b):
            return ANY
        if a == b == INT:
            return INT
        if row.kind == "arith":
            return FLOAT       # float with float, or an int and a float: Tengo converts the int
        return ANY
    if isinstance(e, A.CallExpr) and isinstance(e.func, A.Ident) and not e.ellipsis \
            and len(e.args) == 1:
        sym = res.uses.get(id(e.func))
        if sym is not None and sym.kind == "builtin" and sym.name == "len":
            return INT
    return ANY
