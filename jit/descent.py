"""Proving that a recursive function's depth is bounded by one of its int arguments.

Tengo limits the call depth (``stack overflow``), so native code tests a depth budget on every
frame. For the commonest recursive shape the test is provably redundant below an entry whose
argument is small enough::

    fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }

Every self call happens only where ``n >= 2`` holds and passes ``n - c`` with ``c >= 1``, and
``n`` is never assigned. So the frames of any chain of self calls below an entry with argument
``n`` have strictly decreasing arguments, all ``>= K`` except the last: at most
``max(1, n - K + 2)`` frames. An entry whose remaining budget ``depth`` satisfies
``n <= depth + K - 2`` (and ``depth >= 1``, which the entry's own test already checked) can run a
copy of the function without depth tests: it can never run out of budget. Calls to *other*
functions keep their own tests, so chains that leave the function stay checked.

``bounded_descent(spec)`` finds such a parameter ``(index, K)`` or returns None. The proof is
syntactic and deliberately narrow (anything it does not recognise keeps every test):

- the parameter has type int in this specialisation and is never assigned (no ``=``, op-assign,
  ``++``/``--`` on it) and the body defines no nested function (that could capture it);
- the body starts with the guard ``if p < K { … return … }`` (also ``p <= K``, ``K > p``,
  ``K >= p``; no init statement; the block ends with ``return``), or is the single statement
  ``return p < K ? … : …``;
- every self call lies after the guard (in its ``else``, in the statements after it, or in the
  ternary's false branch) and passes ``p - c`` for ``p`` with an int literal ``c >= 1``.

Wrap-around: ``p - c`` is only evaluated where ``p >= K``, and ``|K|, c < 2**62``, so it never
wraps and really is smaller than ``p``.
"""
from __future__ import annotations

import math

from tengojit.interp import ast as A
from .types import INT

_LIMIT = 1 << 62          # literals beyond this are not used in a proof (no overflow reasoning)

# guard ``p OP K`` normalised to ``p < K + offset``: op -> offset
_LEFT = {"<": 0, "<=": 1}        # p < K  |  p <= K  (p < K + 1)
_RIGHT = {">": 0, ">=": 1}       # K > p  |  K >= p


def bounded_descent(spec):
    """``(param index, K)`` when self calls only happen with that parameter ``>= K`` and pass it
    strictly smaller (see the module docstring); None when the proof does not apply."""
    if spec.kind != "func":
        return None
    node = spec.node
    body = node.body.stmts
    if not body or node.variadic or any(isinstance(n, A.FuncLit) for n in A.walk(node.body)):
        return None
    guarded, cond = _split_guard(body)
    if cond is None:
        return None
    found = _guard_param(spec, cond)
    if found is None:
        return None
    index, sym, floor = found
    if _assigns(spec, node.body, sym):
        return None
    every = _self_calls(spec, node.body)
    if not every:
        return None
    inside = set()
    for region in guarded:
        inside.update(id(c) for c in _self_calls(spec, region))
    if len(inside) != len(every):
        return None
    for c in every:
        if id(c) not in inside or not _decrements(spec, c.args[index] if index < len(c.args) else None, sym):
            return None
    return index, floor


def _split_guard(body):
    """(regions where the guard is false, guard condition), or ([], None)."""
    first = body[0]
    if isinstance(first, A.IfStmt) and first.init is None and first.body.stmts \
            and isinstance(first.body.stmts[-1], A.ReturnStmt):
        regions = list(body[1:])
        if first.else_ is not None:
            regions.append(first.else_)
        return regions, first.cond
    if len(body) == 1 and isinstance(first, A.ReturnStmt) and isinstance(A.unparen(first.result), A.CondExpr):
        cond = A.unparen(first.result)
        return [cond.false_expr], cond.cond
    return [], None


def _guard_param(spec, cond):
    """(index, Symbol, K) for a guard ``p < K`` over an int parameter ``p``, else None."""
    cond = A.unparen(cond)
    if not isinstance(cond, A.BinaryExpr):
        return None
    if cond.op in _LEFT:
        ident, lit, extra = A.unparen(cond.left), A.int_literal(cond.right), _LEFT[cond.op]
    elif cond.op in _RIGHT:
        ident, lit, extra = A.unparen(cond.right), A.int_literal(cond.left), _RIGHT[cond.op]
    else:
        return None
    if not isinstance(ident, A.Ident) or lit is None or abs(lit) >= _LIMIT:
        return None
    sym = spec.res.uses.get(id(ident))
    for i, p in enumerate(spec.node.params):
        if spec.res.defs.get(id(p)) is sym and sym is not None:
            if spec.arg_types[i] != INT:
                return None
            return i, sym, lit + extra
    return None


def _decrements(spec, arg, sym):
    """Is ``arg`` exactly ``p - c`` with ``p`` the guarded parameter and ``1 <= c < 2**62``?"""
    arg = A.unparen(arg)
    if not isinstance(arg, A.BinaryExpr) or arg.op != "-":
        return False
    left, c = A.unparen(arg.left), A.int_literal(arg.right)
    return (isinstance(left, A.Ident) and spec.res.uses.get(id(left)) is sym
            and c is not None and 1 <= c < _LIMIT)


def _assigns(spec, root, sym):
    """Does any assignment or ``++``/``--`` in ``root`` write ``sym``?"""
    return any(spec.res.uses.get(id(t)) is sym for x in A.walk(root) for t in A.assigned_targets(x))


def _self_calls(spec, root):
    out = []
    for n in A.walk(root):
        if isinstance(n, A.CallExpr):
            hit = spec.calls.get(id(n))
            if hit is not None and hit[0] is spec:
                out.append(n)
    return out


# calls of a bounded ring that may run between two polls (see poll_threshold)
POLL_SUBTREE_CALLS = 1 << 17


def poll_threshold(spec, floor):
    """``P``: the checked function hands a call to the bounded ring (which never polls) only
    when the descent parameter is below ``P``. The recursion left below it has depth at most
    ``P - floor + 1`` with at most ``k`` self calls per level (``k`` self-call sites; one
    inside a loop polls at the loop's back-edge), so at most about ``POLL_SUBTREE_CALLS``
    calls run between two polls, while the levels above run checked, polling on entry."""
    k = max(2, len(_self_calls(spec, spec.node.body)))
    return floor + max(1, int(math.log(POLL_SUBTREE_CALLS) / math.log(k)))
