"""Resolved Tengo AST → Python functions (stage 4 of the pipeline: the baseline tier).

Each Tengo function becomes one Python function ``_tf<N>(G, *params)`` built with the ``ast``
module; nested Tengo functions become nested Python ``def``s so that captured variables are
ordinary Python closure cells (Tengo captures by reference). Variables that Tengo makes fresh on
every loop iteration *and* that a closure captures are boxed in one-element lists, bound into
the closure at creation through keyword-only defaults (see ``symbols.py``).

Every generated node carries the Tengo ``(line, col)`` of the construct it implements, so a
Python traceback through generated code maps back to Tengo positions (``rt.translate_error``).

Operators use inline fast paths for ints (with the int64 wrap check) and floats and call the
slow path in ``runtime/ops.py`` for everything else; what each operator is comes from the
operator table (``runtime/operators.py``).
"""
from __future__ import annotations

import ast as P
import copy

from . import ast as A
from . import local_types
from .symbols import resolve
from ..errors import CompileError
from ..limits import NO_LIMIT
from ..operators import BINARY, COMPOUND
from ..builtins import TYPE_PREDICATES
from ..values import Char, Error, ImmutableArray, ImmutableMap, INT64_MAX, INT64_MIN

# a comparison with its operands swapped (``a < b`` is ``b > a``)
_MIRRORED = {P.Lt: P.Gt, P.LtE: P.GtE, P.Gt: P.Lt, P.GtE: P.LtE}

# builtins `is_<kind>(x)` the generated code answers with a type test: the type it tests
# the name each predicate's type has in the generated code's namespace
_TYPE_NAMES_IN_CODE = {int: "int", float: "float", str: "str", bool: "bool", bytes: "bytes",
                       list: "list", dict: "dict", Char: "_Char", Error: "_Error",
                       ImmutableArray: "_ImmutableArray", ImmutableMap: "_ImmutableMap"}
_TYPE_PREDICATES = {name: _TYPE_NAMES_IN_CODE[t] for name, t in TYPE_PREDICATES.items()}


def _pos(node, pos):
    node.lineno = pos[0]
    node.end_lineno = pos[0]
    node.col_offset = max(pos[1] - 1, 0)
    node.end_col_offset = max(pos[1], 1)
    return node


class _Positioner(P.NodeVisitor):
    """Gives every node still lacking a position the position of its nearest stamped parent."""

    def fill(self, node, pos):
        if not hasattr(node, "lineno") and isinstance(node, (P.expr, P.stmt, P.excepthandler,
                                                             P.arg, P.keyword)):
            _pos(node, pos)
        if hasattr(node, "lineno"):
            pos = (node.lineno, node.col_offset + 1)
        for child in P.iter_child_nodes(node):
            self.fill(child, pos)


def N(name):
    return P.Name(id=name, ctx=P.Load())


def S(name):
    return P.Name(id=name, ctx=P.Store())


def C(value):
    return P.Constant(value=value)


def call(func, args, pos):
    return _pos(P.Call(func=func, args=args, keywords=[]), pos)


def rt(name):
    return N("_" + name)


def is_simple(e):
    """An expression that can be evaluated twice without side effects or real cost."""
    if isinstance(e, (P.Name, P.Constant)):
        return True
    if isinstance(e, P.Subscript) and isinstance(e.value, P.Name) and isinstance(e.slice, P.Constant):
        return True
    return False


def _room_test(room_call):
    """``not _limits.RUN_LIMITS or <room_call>``: true while no run has limits of its own
    (one global read); else the call checks the growth against them (it raises past one)."""
    return P.BoolOp(op=P.Or(), values=[
        P.UnaryOp(op=P.Not(), operand=P.Attribute(value=rt("limits"), attr="RUN_LIMITS",
                                                  ctx=P.Load())),
        room_call])


def _may_be_simple(node):
    """Can ``node``'s code be ``is_simple``? (Names and literals, a sign on a number literal;
    anything else never is, so ``arith_chain`` need not generate it to find out.)"""
    node = A.unparen(node)
    if isinstance(node, A.UnaryExpr):
        node = A.unparen(node.operand)
        return isinstance(node, (A.IntLit, A.FloatLit))
    return isinstance(node, (A.Ident, A.IntLit, A.FloatLit, A.StringLit, A.CharLit, A.BoolLit,
                             A.UndefinedLit))


def is_bool_expr(e):
    """True when the generated expression always yields a Python bool."""
    if isinstance(e, P.Compare) or (isinstance(e, P.UnaryOp) and isinstance(e.op, P.Not)):
        return True
    if isinstance(e, P.Constant) and type(e.value) is bool:
        return True
    if isinstance(e, P.BoolOp):
        return all(is_bool_expr(v) for v in e.values)
    if isinstance(e, (P.IfExp, P.Name)) and getattr(e, "_tengo_bool", False):
        return True
    return False


def _equality_literal(node):
    """The kind of literal a ``==``/``!=`` operand is ("undefined", "str", "int", "bool"), if any.

    Comparing with such a literal needs one type test: ``x == undefined`` is ``x is None`` for
    every value, ``x == "s"`` holds only for strings, and ints and bools keep a slow path for the
    cross-type cases (``1 == 1.0``)."""
    while isinstance(node, A.ParenExpr):
        node = node.expr
    if isinstance(node, A.UndefinedLit):
        return "undefined"
    if isinstance(node, A.StringLit):
        return "str"
    if isinstance(node, A.IntLit):
        return "int"
    if isinstance(node, A.BoolLit):
        return "bool"
    return None

_NO_CONST = object()
PLAIN_COPY_NODES = 400     # a top-level loop up to this size also gets an uncounted copy


def _numeric_literal(node, e=None):
    """The value of an int or float literal operand (or of its generated expression ``e``, a
    constant local), else None."""
    if isinstance(e, P.Constant) and type(e.value) in (int, float):
        return e.value
    node = A.unparen(node)
    if isinstance(node, (A.IntLit, A.FloatLit)):
        return node.value
    return None


def _small(e, limit=24):
    """Is the generated expression ``e`` small enough to be written twice (at most ``limit``
    nodes)?"""
    n = 0
    for _ in P.walk(e):
        n += 1
        if n > limit:
            return False
    return True


def _float_literal(node):
    return isinstance(A.unparen(node), A.FloatLit)


def _type_of(e):
    return P.Call(func=N("type"), args=[e], keywords=[])


def type_is(e, tname):
    return P.Compare(left=P.Call(func=N("type"), args=[e], keywords=[]), ops=[P.Is()],
                     comparators=[N(tname)])


class ModuleBuilder:
    """Compiles one Tengo file (main or a source module) into Python AST statements."""

    def __init__(self, program, file: A.File, is_module: bool, predefined=()):
        self.program = program
        self.file = file
        self.filename = file.name
        self.is_module = is_module
        self.res = resolve(file, program.builtin_names, predefined, is_module, program.counter)
        self.pre = []
        self.tmp_counter = 0
        self.osr_loop = None     # id of the main-body loop being generated, if it gets OSR
        self._init_lens = {}     # id(ForStmt) -> statements its init became (loop regions)
        self.loops = []          # stack of post-statement generators (None for for-in / no post)
        self.int_names = frozenset()   # parameters known to hold ints (specialised body)
        self.dict_names = frozenset()  # parameters known to hold maps (specialised body)
        self.float_names = frozenset() # locals known to hold floats (local_types)
        self.bool_names = frozenset()  # locals known to hold bools (local_types)
        self.func_stack = []     # FuncInfo of the function being generated
        self.tco = None          # (symbol, fid, params) when the current function may loop
        self._writes = None      # Symbol -> number of statements assigning it (symbol_writes)
        lim = program.run_limits
        # the script limits map sizes: stores into maps go through the runtime, which checks
        self.maps_limited = lim is not None and lim.map < NO_LIMIT
        self._consts = None      # Symbol -> literal value (constant_locals)

    # ------------------------------------------------------------------ helpers
    def error(self, pos, msg):
        raise CompileError(msg, self.filename, pos[0], pos[1])

    def temp(self):
        self.tmp_counter += 1
        return f"_t{self.tmp_counter}"

    def operand(self, e, exposed=True):
        """(first-use, later-use) forms of an operand evaluated exactly once.

        Constants and names are used as they are; anything else, global slots included
        (``G[k]``: a subscript per use), goes through a temporary. ``exposed``: other code (the
        other operand, a key) runs between the first and the later use; then a captured
        variable, which a closure called by that code may assign, goes through a temporary
        too, so the value used is the one read first (Tengo evaluates left to right)."""
        if isinstance(e, P.Constant) or (
                isinstance(e, P.Name) and not (exposed and getattr(e, "_tengo_shared", False))):
            return e, e
        t = self.temp()
        return P.NamedExpr(target=S(t), value=e), N(t)

    def alloc(self, e, pos):
        """Count one object allocation (Tengo's max_allocs) when the program counts them."""
        if not self.program.count_allocs:
            return e
        return call(rt("alloc"), [N("G"), e], pos)

    def const(self, value):
        return N(self.program.add_const(value))

    # ------------------------------------------------------------------ entry points
    def build_main(self):
        """Python module AST for this file: one ``def _tf<N>(G)`` for the body."""
        info = self.res.main
        body = self.function_body(info, self.file.stmts, [], None)
        fname = f"_tf{info.fid}"
        fdef = P.FunctionDef(name=fname, args=self.arguments([], False, []), body=body,
                             decorator_list=[], returns=None, type_comment=None)
        _pos(fdef, (1, 1))
        self.program.register_function(info.fid, 0, False,
                                       "(module)" if self.is_module else "(main)", self.filename, (1, 1))
        mod = P.Module(body=[fdef], type_ignores=[])
        _Positioner().fill(mod, (1, 1))
        return mod, fname

    def arguments(self, params, variadic, boxed):
        args = [P.arg(arg="G")]
        vararg = None
        names = [p.pyname for p in params]
        if variadic:
            vararg = P.arg(arg=names[-1])
            names = names[:-1]
        args += [P.arg(arg=n) for n in names]
        kwonly = [P.arg(arg=s.pyname) for s in boxed]
        return P.arguments(posonlyargs=[], args=args, vararg=vararg, kwonlyargs=kwonly,
                           kw_defaults=[N(s.pyname) for s in boxed], kwarg=None, defaults=[])

    def function_body(self, info, stmts, params, tco):
        saved = (self.pre, self.loops, self.tco)
        self.pre, self.loops, self.tco = [], [], tco
        self.func_stack.append(info)
        body = []
        # nonlocal declarations for captured (non-boxed) variables assigned here
        if info.free_assigned:
            body.append(P.Nonlocal(names=[s.pyname for s in info.free_assigned]))
        if info.node is not None and self.calls_out(info.node):
            body.append(self.stop_check(info.node.pos))
        prologue = self.jit_prologue(info, params) if info.node is not None else None
        if prologue is not None:
            body += prologue
        elif self.program.profile:
            # _CNT[fid] += 1 : the call counter the JIT's profiler reads
            body.append(P.AugAssign(target=P.Subscript(value=N("_CNT"), slice=C(info.fid), ctx=P.Store()),
                                    op=P.Add(), value=C(1)))
        for p in params:
            if p.boxed:
                body.append(P.Assign(targets=[S(p.pyname)], value=P.List(elts=[N(p.pyname)], ctx=P.Load())))
        if info.node is not None and info.node.variadic:
            last = params[-1]
            body.append(P.Assign(targets=[S(last.pyname)],
                                 value=P.Call(func=N("list"), args=[N(last.pyname)], keywords=[])))
        known = self.int_names, self.dict_names, self.float_names, self.bool_names
        self.learn_local_types(stmts, {})
        inner = self.stmts(stmts, tail=tco is not None)
        self.int_names, self.dict_names, self.float_names, self.bool_names = known
        if tco is not None and tco[4]:          # a self tail call was emitted: loop
            inner.insert(0, self.stop_check(info.node.pos))
            inner.append(P.Return(value=None))
            body.append(P.While(test=C(True), body=inner, orelse=[]))
        else:
            ints, dicts = self.int_params(info, params, stmts)
            if ints or dicts:
                # a second copy of the body for int and map arguments: their type tests go
                self.int_names = frozenset(p.pyname for p in ints)
                self.dict_names = frozenset(p.pyname for p in dicts)
                self.learn_local_types(stmts, {p: local_types.INT for p in ints})
                fast = self.stmts(stmts)
                self.int_names, self.dict_names, self.float_names, self.bool_names = known
                tests = [type_is(N(p.pyname), "int") for p in ints] + \
                        [type_is(N(p.pyname), "dict") for p in dicts]
                test = tests[0] if len(tests) == 1 else P.BoolOp(op=P.And(), values=tests)
                body.append(P.If(test=test, body=fast or [P.Pass()], orelse=inner or [P.Pass()]))
            else:
                body += inner
        if self.is_module and info is self.res.main:
            pass
        if not body:
            body.append(P.Pass())
        self.func_stack.pop()
        self.pre, self.loops, self.tco = saved
        return body

    def calls_out(self, fn):
        """Does function literal ``fn`` call anything but builtins (nested literals aside)?
        Only such a function can be part of an endless recursion (every function of a call
        cycle calls the next, directly or through a host function), so only its entry needs
        a check point; a leaf's own loops check at each iteration."""
        uses = self.res.uses
        for x in A.walk(fn.body, skip=(A.FuncLit,)):
            if type(x) is A.CallExpr:
                f = x.func
                sym = uses.get(id(f)) if type(f) is A.Ident else None
                if sym is None or sym.kind != "builtin":
                    return True
        return False

    @staticmethod
    def stop_check(pos):
        """``if _STOP: _stop(G)``: the check point of deadlines and cancellation (see
        ``runtime/interrupts.py``), first in every function that calls out (``calls_out``)
        and in every loop iteration."""
        call = _pos(P.Expr(value=P.Call(func=N("_stop"), args=[N("G")], keywords=[])), pos)
        return _pos(P.If(test=N("_STOP"), body=[call], orelse=[]), pos)

    def learn_local_types(self, stmts, known):
        """Add the locals of ``stmts`` proved to hold ints, floats or bools (given ``known``,
        kinds of parameters) to ``int_names`` / ``float_names`` / ``bool_names``."""
        if self.program.count_allocs:
            return
        kinds = local_types.infer(self.res, stmts, known)
        if kinds:
            def named(kind):
                return {s.pyname for s, k in kinds.items() if k == kind}
            self.int_names = self.int_names | named(local_types.INT)
            self.float_names = self.float_names | named(local_types.FLOAT)
            self.bool_names = self.bool_names | named(local_types.BOOL)

    def int_params(self, info, params, stmts):
        """Parameters worth a specialised body: (ints, maps). Never assigned (anywhere, nested
        closures included); ints used in arithmetic or comparisons, maps as the object of
        selectors and string-keyed indexing; only for small bodies."""
        if info.node is None or not params or self.program.count_allocs:
            return [], []
        size = 0
        assigned = set()
        used_in_ops = {}
        used_as_map = {}
        rebound = set()          # assigned as a whole (``m = x``; ``m.k = x`` only mutates m)
        for x in A.walk(stmts):
            size += 1
            if isinstance(x, (A.AssignStmt, A.IncDecStmt)):
                targets = x.lhs if isinstance(x, A.AssignStmt) else [x.expr]
                for t in targets:
                    whole = not isinstance(A.unparen(t), (A.SelectorExpr, A.IndexExpr))
                    while isinstance(t, (A.SelectorExpr, A.IndexExpr, A.ParenExpr)):
                        t = t.expr
                    sym = self.res.uses.get(id(t)) or self.res.defs.get(id(x))
                    if sym is not None:
                        assigned.add(sym)
                        if whole:
                            rebound.add(sym)
            if isinstance(x, A.SelectorExpr) or (isinstance(x, A.IndexExpr)
                                                 and isinstance(x.index, A.StringLit)):
                if isinstance(x.expr, A.Ident):
                    sym = self.res.uses.get(id(x.expr))
                    if sym is not None:
                        used_as_map[sym] = used_as_map.get(sym, 0) + 1
            if isinstance(x, (A.BinaryExpr, A.UnaryExpr)):
                for o in ((x.left, x.right) if isinstance(x, A.BinaryExpr) else (x.operand,)):
                    if isinstance(o, A.Ident):
                        sym = self.res.uses.get(id(o))
                        if sym is not None:
                            used_in_ops[sym] = used_in_ops.get(sym, 0) + 1
        if size > 400:
            return [], []
        # the dispatch costs one type test: worth it from two tests saved on
        fixed = [p for p in params if not p.boxed and p not in rebound
                 and not (info.node.variadic and p is params[-1])]
        return ([p for p in fixed if used_in_ops.get(p, 0) >= 2 and p not in assigned],
                [p for p in fixed if used_as_map.get(p, 0) >= 2 and used_in_ops.get(p, 0) < 2])

    # ------------------------------------------------------------------ the JIT's hooks
    def jit_prologue(self, info, params):
        """Dispatch to the native entry once compiled; count calls until then (JIT on only).

            if _P<fid>:                           # False once not eligible (_J<fid> is _NOJIT)
                if _J<fid> is None:               # profiling
                    _CNT[fid] += 1
                    if _CNT[fid] == _JT:
                        _hot(fid, G, (params...), (captured...))
                        if compiled now: <the call below>
                elif _J<fid> is not _NOJIT:       # compiled
                    _r = _J<fid>(G, params..., captured...)
                    if _r is not _DEOPT: return _r
                    _deopt(fid, (params...))   # checks failed: counted; too many -> invalidated
        """
        n = info.node
        if not self.program.jit or n.variadic or info.free_boxed:
            return None
        free = self._direct_free(n, info)
        if free is None:
            return None
        fid = info.fid
        self.program.register_jit_function(fid, n, self.res, free, self.filename)
        jn = f"_J{fid}"
        self.program.ns.setdefault(jn, None)
        args = [N("G")] + [N(p.pyname) for p in params] + [N(s.pyname) for s in free]
        call_native = [
            P.Assign(targets=[S("_r")], value=P.Call(func=N(jn), args=args, keywords=[])),
            P.If(test=P.Compare(left=N("_r"), ops=[P.IsNot()], comparators=[N("_DEOPT")]),
                 body=[P.Return(value=N("_r"))], orelse=[]),
            P.Expr(value=P.Call(func=N("_deopt"), keywords=[], args=[
                C(fid), P.Tuple(elts=[N(p.pyname) for p in params], ctx=P.Load())]))]
        # the call that makes the function hot runs natively too, once compiled
        compiled = P.BoolOp(op=P.And(), values=[
            P.Compare(left=N(jn), ops=[P.IsNot()], comparators=[C(None)]),
            P.Compare(left=N(jn), ops=[P.IsNot()], comparators=[N("_NOJIT")])])
        count = [
            P.AugAssign(target=P.Subscript(value=N("_CNT"), slice=C(fid), ctx=P.Store()),
                        op=P.Add(), value=C(1)),
            P.If(test=P.Compare(left=P.Subscript(value=N("_CNT"), slice=C(fid), ctx=P.Load()),
                                ops=[P.Eq()], comparators=[N("_JT")]),
                 body=[P.Expr(value=P.Call(func=N("_hot"), args=[
                     C(fid), N("G"), P.Tuple(elts=[N(p.pyname) for p in params], ctx=P.Load()),
                     P.Tuple(elts=[N(s.pyname) for s in free], ctx=P.Load())], keywords=[])),
                     P.If(test=compiled, body=call_native, orelse=[])],
                 orelse=[])]
        # _J<fid>: None while profiling, _NOJIT once found not eligible (no more counting);
        # _P<fid>: False exactly when _J<fid> is _NOJIT — a function the JIT refused then pays
        # one global read per call instead of the two tests
        pn = f"_P{fid}"
        self.program.ns.setdefault(pn, True)
        native = P.If(
            test=N(pn),
            body=[P.If(test=P.Compare(left=N(jn), ops=[P.Is()], comparators=[C(None)]),
                       body=count,
                       orelse=[P.If(test=P.Compare(left=N(jn), ops=[P.IsNot()], comparators=[N("_NOJIT")]),
                                    body=call_native, orelse=[])])],
            orelse=[])
        return [_pos(native, n.pos)]

    def _direct_free(self, n, info):
        """Captured variables the function body reads itself, sorted; None if one is boxed."""
        ancestors = set()
        f = info.parent
        while f is not None:
            ancestors.add(id(f))
            f = f.parent
        out = {}
        for x in A.walk(n.body.stmts, skip=(A.FuncLit,)):
            if isinstance(x, A.Ident):
                sym = self.res.uses.get(id(x))
                if sym is not None and sym.kind == "local" and id(sym.func) in ancestors:
                    if sym.boxed:
                        return None
                    out[sym.pyname] = sym
        return [out[k] for k in sorted(out)]

    def jit_loop_hook(self, n, lid, stmts):
        """A top-level loop of the main body, replaceable by a native loop once hot:

            if _L<id> is None: _ran = _hotloop(id, G)
            else: _ran = _L<id>(G) is not _DEOPT
            if not _ran: <the loop>
        """
        ln = f"_L{lid}"
        self.program.ns.setdefault(ln, None)
        ran = self.temp()
        hook = [
            P.If(test=P.Compare(left=N(ln), ops=[P.Is()], comparators=[C(None)]),
                 body=[P.Assign(targets=[S(ran)], value=P.Call(func=N("_hotloop"), args=[C(lid), N("G")],
                                                              keywords=[]))],
                 orelse=[P.Assign(targets=[S(ran)], value=P.Compare(
                     left=P.Call(func=N(ln), args=[N("G")], keywords=[]), ops=[P.IsNot()],
                     comparators=[N("_DEOPT")]))]),
            P.If(test=P.UnaryOp(op=P.Not(), operand=N(ran)), body=stmts, orelse=[])]
        for h in hook:
            _pos(h, n.pos)
        return hook

    def loop_region(self, n, func):
        """A top-level loop of the main body (``func`` None) or of a function body: replaceable
        by a native loop region at its entry (``jit_loop_hook``) and while it runs (on-stack
        replacement, ``osr_counter``). Both switch to one native region, the loop without its
        init statement, which always runs on the baseline tier first. A function's variables
        the region uses travel in a list (the *frame*, ``frame_symbols``)."""
        fid = self.res.main.fid if func is None else func.fid
        lid = self.program.register_jit_loop(n, self.res, fid, self.filename)
        frame = None
        # a function's loop may return from the function: its frame list has one more item,
        # the value the native region returned
        returns = func is not None and any(
            isinstance(x, A.ReturnStmt) for x in A.walk(n.body, skip=(A.FuncLit,)))
        if func is not None:
            frame = self.frame_symbols(n, func, n.body, n.cond, n.post)
            self.program.jit_loop_frames[lid] = frame
        if n.cond is None or not any(isinstance(x, A.CallExpr) for x in A.walk(n.cond)):
            nested = any(isinstance(x, (A.ForStmt, A.ForInStmt)) for x in A.walk(n.body))
            self.osr_loop = (lid, frame, nested, returns)
        res = self.s_ForStmt(n)
        self.osr_loop = None
        for st in res:
            if not hasattr(st, "lineno"):
                _pos(st, n.pos)
        # the init statement runs here; the native region is the rest of the loop (the
        # one compiled for on-stack replacement too)
        k = self._init_lens.pop(id(n))
        init, res = res[:k], res[k:]
        if func is None:
            hook = self.jit_loop_hook(n, lid, res)
        else:
            hook = self.frame_loop_hook(n, lid, res, frame, returns)
        if sum(1 for _ in A.walk(n)) > PLAIN_COPY_NODES:
            return init + hook
        # once the JIT has refused the loop, later runs take a copy without the counting
        plain = self.s_ForStmt(n)
        plain = plain[self._init_lens.pop(id(n)):]
        for st in plain:
            if not hasattr(st, "lineno"):
                _pos(st, n.pos)
        refused = P.Compare(left=N(f"_L{lid}"), ops=[P.Is()],
                            comparators=[C(False) if func is not None else N("_NOLOOP")])
        return init + [_pos(P.If(test=refused, body=plain, orelse=hook), n.pos)]

    def frame_symbols(self, loop, func, *parts):
        """The variables of ``func`` that ``parts`` (pieces of ``loop``) use but do not define,
        sorted by Python name: what a native region of them reads and writes back."""
        defined, used = set(), set()
        for part in parts:
            if part is None:
                continue
            for x in A.walk(part):
                d = self.res.defs.get(id(x))
                if d is not None:
                    defined.add(d)
                if isinstance(x, A.Ident):
                    u = self.res.uses.get(id(x))
                    if u is not None and u.kind == "local" and u.func is func:
                        used.add(u)
        return sorted(used - defined, key=lambda s: s.pyname)

    def frame_loop_hook(self, n, lid, stmts, frame, returns=False):
        """A top-level loop of a function body, replaceable by a native loop region:

            if _L<id> is not False and (_hotfloop(id, G, _f := [a, b]) if _L<id> is None
                                        else _L<id>(G, _f := [a, b]) is not _DEOPT):
                a, b = _f                   # the values the native loop left
            else:
                <the loop>

        ``_L<id>`` is None while profiling, the native entry once compiled, False when the
        loop stays on the baseline tier. A loop holding a ``return`` carries one more item
        (the value, when the region returned: the entry answers ``_RET``)::

            if _L<id> is not False and (_r := (_hotfloop(id, G, _f := [a, b, None])
                                               if _L<id> is None else _L<id>(G, _f := [a, b, None])))
                                        is not _DEOPT and _r is not False:
                if _r is _RET: return _f[-1]
                a, b, _ = _f
            else:
                <the loop>"""
        ln = f"_L{lid}"
        self.program.ns.setdefault(ln, None)
        f = self.temp()

        def frame_list():
            elts = [N(s.pyname) for s in frame] + ([C(None)] if returns else [])
            return P.NamedExpr(target=S(f), value=P.List(elts=elts, ctx=P.Load()))
        hot = P.Call(func=N("_hotfloop"), args=[C(lid), N("G"), frame_list()], keywords=[])
        is_none = P.Compare(left=N(ln), ops=[P.Is()], comparators=[C(None)])
        if not returns:
            native = P.Compare(left=P.Call(func=N(ln), args=[N("G"), frame_list()], keywords=[]),
                               ops=[P.IsNot()], comparators=[N("_DEOPT")])
            ran = P.IfExp(test=is_none, body=hot, orelse=native)
            body = [self.unpack_frame(frame, f)] if frame else [P.Pass()]
        else:
            r = self.temp()
            got = P.NamedExpr(target=S(r), value=P.IfExp(
                test=is_none, body=hot,
                orelse=P.Call(func=N(ln), args=[N("G"), frame_list()], keywords=[])))
            ran = P.BoolOp(op=P.And(), values=[
                P.Compare(left=got, ops=[P.IsNot()], comparators=[N("_DEOPT")]),
                P.Compare(left=N(r), ops=[P.IsNot()], comparators=[C(False)])])
            body = [self.return_from_frame(r, f), self.unpack_frame(frame, f, self.temp())]
        test = P.BoolOp(op=P.And(), values=[
            P.Compare(left=N(ln), ops=[P.IsNot()], comparators=[C(False)]), ran])
        return [_pos(P.If(test=test, body=body, orelse=stmts), n.pos)]

    @staticmethod
    def return_from_frame(r, f):
        """``if <r> is _RET: return <f>[-1]``: the function's result, from its loop region."""
        last = P.Subscript(value=N(f), slice=C(-1), ctx=P.Load())
        return P.If(test=P.Compare(left=N(r), ops=[P.Is()], comparators=[N("_RET")]),
                    body=[P.Return(value=last)], orelse=[])

    @staticmethod
    def unpack_frame(frame, f, rest=None):
        """``a, b = <f>`` (``a, b, <rest> = <f>`` with the returned value's item)."""
        names = [s.pyname for s in frame] + ([rest] if rest is not None else [])
        targets = P.Tuple(elts=[S(x) for x in names], ctx=P.Store())
        return P.Assign(targets=[targets], value=N(f))

    # ------------------------------------------------------------------ statements
    def stmts(self, lst, tail=False):
        out = []
        n = len(lst)
        for i, s in enumerate(lst):
            out += self.stmt(s, tail=tail and i == n - 1)
        return out

    def stmt(self, n, tail=False):
        if type(n) is A.ForStmt and self.program.jit and not self.loops:
            if not self.is_module and len(self.func_stack) == 1:
                return self.loop_region(n, None)
            if len(self.func_stack) > 1:
                return self.loop_region(n, self.func_stack[-1])
        m = getattr(self, "s_" + type(n).__name__)
        if m in (self.s_BlockStmt, self.s_IfStmt, self.s_ExprStmt):
            res = m(n, tail)
        else:
            res = m(n)
        for st in res:
            if not hasattr(st, "lineno"):
                _pos(st, n.pos)
        return res

    def flush(self, stmts):
        out = self.pre + stmts
        self.pre = []
        return out

    def s_EmptyStmt(self, n):
        return []

    def s_BlockStmt(self, n, tail=False):
        return self.stmts(n.stmts, tail)

    def s_ExprStmt(self, n, tail=False):
        if tail and self.tco is not None and isinstance(n.expr, A.CallExpr):
            r = self.tail_call(n.expr, as_return=False)
            if r is not None:
                return r
        e = self.expr(n.expr)
        return self.flush([_pos(P.Expr(value=e), n.pos)])

    def s_IncDecStmt(self, n):
        return self.assign(n, n.expr, A.IntLit(n.pos, 1), "+=" if n.op == "++" else "-=")

    def s_AssignStmt(self, n):
        return self.assign(n, n.lhs[0], n.rhs[0], n.op)

    def s_ReturnStmt(self, n):
        if n.result is None:
            return self.flush([_pos(P.Return(value=None), n.pos)])
        if self.tco is not None and isinstance(n.result, A.CallExpr) and not self.loops:
            r = self.tail_call(n.result, as_return=True)
            if r is not None:
                return r
        e = self.expr(n.result)
        return self.flush([_pos(P.Return(value=e), n.pos)])

    def s_ExportStmt(self, n):
        if not self.is_module or len(self.func_stack) != 1:
            return []      # export is ignored outside modules (the value is not evaluated)
        if n.result is None:
            return [_pos(P.Return(value=None), n.pos)]
        e = self.expr(n.result)
        return self.flush([_pos(P.Return(value=call(rt("imm"), [e], n.pos)), n.pos)])

    def s_BranchStmt(self, n):
        if n.tok == "break":
            return [_pos(P.Break(), n.pos)]
        post = self.loops[-1] if self.loops else None
        out = post() if post is not None else []
        return out + [_pos(P.Continue(), n.pos)]

    def s_IfStmt(self, n, tail=False):
        out = []
        if n.init is not None:
            out += self.stmt(n.init)
        test = self.truth(self.expr(n.cond), n.cond.pos)
        out = out + self.pre
        self.pre = []
        body = self.stmts(n.body.stmts, tail) or [P.Pass()]
        orelse = []
        if n.else_ is not None:
            orelse = self.stmt(n.else_, tail)
        out.append(_pos(P.If(test=test, body=body, orelse=orelse), n.pos))
        return out

    def counted_loop(self, n):
        """``(symbol, start, stop)`` when ``n`` is ``for i := a; i < b; i++`` (or ``i = a``,
        ``i <= b``, ``i += 1``) with int literals ``a``, ``b``, ``i`` a local of a function and
        nothing in the file writing ``i`` but that init and post: then ``i`` takes exactly the values of ``range(a, stop)``
        and the loop can be a Python ``for`` over that range. None otherwise, and always when
        allocations are counted (each ``i++`` is an allocation there, as in Tengo).

        Loops of the main body (``i`` a global) keep the while loop on purpose: a range loop
        there made a script's own loop of calls cheaper than the same calls made from Python
        can ever be (a call from C costs more than a call from Python), which the
        host API's contract — a host call costs what an in-script call costs — rules out; with
        the JIT on, hot main-body loops become native anyway."""
        if self.program.count_allocs or n.init is None or n.cond is None or n.post is None:
            return None
        init, cond, post = n.init, n.cond, n.post
        if not (isinstance(init, A.AssignStmt) and init.op in (":=", "=") and len(init.lhs) == 1
                and isinstance(init.lhs[0], A.Ident) and len(init.rhs) == 1):
            return None
        start = A.int_literal(init.rhs[0])
        sym = self.res.defs.get(id(init)) if init.op == ":=" else self.res.uses.get(id(init.lhs[0]))
        if start is None or sym is None or sym.kind != "local":
            # globals (loops of the main body) keep the while loop: see docs/architecture.md
            return None
        if not (isinstance(cond, A.BinaryExpr) and cond.op in ("<", "<=")
                and isinstance(cond.left, A.Ident) and self.res.uses.get(id(cond.left)) is sym):
            return None
        bound = A.int_literal(cond.right)
        if bound is None or (cond.op == "<=" and bound >= INT64_MAX):
            return None            # i <= MaxInt64 never ends: i wraps
        if isinstance(post, A.IncDecStmt):
            target, step_ok = post.expr, post.op == "++"
        elif isinstance(post, A.AssignStmt) and post.op == "+=" and len(post.lhs) == 1:
            target, step_ok = post.lhs[0], A.int_literal(post.rhs[0]) == 1
        else:
            return None
        if not (step_ok and isinstance(target, A.Ident) and self.res.uses.get(id(target)) is sym):
            return None
        writes = self.symbol_writes()
        if writes.get(sym, 0) != (2 if init.op == "=" else 1):
            return None
        return sym, start, bound + 1 if cond.op == "<=" else bound

    def symbol_writes(self):
        """How many statements of this file assign each symbol (``=``, op-assign, ``++``/``--``;
        the root of ``a[i] = x`` counts too). Computed once per file."""
        if self._writes is None:
            self._writes = {}
            for x in A.walk(self.file):
                for r in A.assigned_targets(x):
                    sym = self.res.uses.get(id(r))
                    if sym is not None:
                        self._writes[sym] = self._writes.get(sym, 0) + 1
        return self._writes

    def s_ForStmt(self, n):
        # the OSR counter belongs to this loop only, never to the loops nested in it
        osr, self.osr_loop = self.osr_loop, None
        counted = self.counted_loop(n)
        if counted is not None:
            return self.range_loop(n, *counted, osr=osr)
        out = []
        if n.init is not None:
            out += self.stmt(n.init)
        self._init_lens[id(n)] = len(out)
        post_fn = (lambda: self.stmt(n.post)) if n.post is not None else None
        self.loops.append(post_fn)
        if n.cond is not None:
            test = self.truth(self.expr(n.cond), n.cond.pos)
            cond_pre = self.pre
            self.pre = []
        else:
            test, cond_pre = C(True), []
        body = [self.stop_check(n.pos)] + self.stmts(n.body.stmts)
        self.loops.pop()
        if post_fn is not None:
            body += post_fn()
        if osr is not None:
            before, first = self.osr_counter(*osr, n.pos)
            out += before
            body = first + body
        if cond_pre:
            brk = _pos(P.If(test=_pos(P.UnaryOp(op=P.Not(), operand=test), n.pos),
                            body=[_pos(P.Break(), n.pos)], orelse=[]), n.pos)
            loop = P.While(test=C(True), body=cond_pre + [brk] + body, orelse=[])
        else:
            loop = P.While(test=test, body=body or [P.Pass()], orelse=[])
        out.append(_pos(loop, n.pos))
        return out

    def osr_counter(self, lid, frame, nested, returns, pos):
        """On-stack replacement of a top-level loop. In the main body its variables are all
        globals, in G (``frame`` None):

            _c = 0                          # before the loop
            while <cond>:
                _c += 1                     # first in each iteration, the condition just true
                if _c == _OSRN:
                    if _o := _osr(<lid>, G): break   # the rest of the loop ran natively
                    elif _o is None: _c = 0          # still compiling: ask again later
                <body; post>

        In a function body the function's variables the rest of the loop uses (``frame``)
        travel in a list: ``if _fosr(<lid>, G, _f := [a, i]): a, i = _f; break``. A loop with a
        nested loop switches after ``_OSRNN`` iterations (its iterations are long), others after
        ``_OSRN``.

        The native continuation starts by evaluating the condition again, which is why only
        loops whose condition calls nothing get the counter. Returns (statements before the
        loop, statements to put first in its body)."""
        c, o = self.temp(), self.temp()
        bump = P.AugAssign(target=S(c), op=P.Add(), value=C(1))
        # None: the region is still compiling in the background; ask again as many
        # iterations later
        again = P.If(test=P.Compare(left=N(o), ops=[P.Is()], comparators=[C(None)]),
                     body=[P.Assign(targets=[S(c)], value=C(0))], orelse=[])
        if frame is None:
            call = P.Call(func=N("_osr"), args=[C(lid), N("G")], keywords=[])
            osr = P.If(test=P.NamedExpr(target=S(o), value=call), body=[P.Break()], orelse=[again])
        else:
            f = self.temp()
            elts = [N(s.pyname) for s in frame] + ([C(None)] if returns else [])
            lst = P.NamedExpr(target=S(f), value=P.List(elts=elts, ctx=P.Load()))
            call = P.Call(func=N("_fosr"), args=[C(lid), N("G"), lst], keywords=[])
            if returns:
                done = [self.return_from_frame(o, f), self.unpack_frame(frame, f, self.temp())]
            else:
                done = [self.unpack_frame(frame, f)] if frame else []
            osr = P.If(test=P.NamedExpr(target=S(o), value=call), body=done + [P.Break()],
                       orelse=[again])
        test = P.Compare(left=N(c), ops=[P.Eq()], comparators=[N("_OSRNN" if nested else "_OSRN")])
        if frame is not None:
            # a function's loop already refused (``_L<id>`` False) does not ask again
            test = P.BoolOp(op=P.And(), values=[test, P.Compare(left=N(f"_L{lid}"), ops=[P.IsNot()],
                                                                comparators=[C(False)])])
        check = P.If(test=test, body=[osr], orelse=[])
        return [_pos(P.Assign(targets=[S(c)], value=C(0)), pos)], [_pos(bump, pos), _pos(check, pos)]

    def range_loop(self, n, sym, start, stop, osr=None):
        """``for i := a; i < b; i++ { body }`` as ``i = a; for t in range(a, b): i = t; body``
        with ``else: i = max(a, b)`` (the value the condition stopped at; after a ``break`` i
        keeps the value it had, as nothing else writes it). In the body a local ``i`` is a
        known int: its type tests disappear."""
        out = self.stmt(n.init)
        self._init_lens[id(n)] = len(out)
        t = self.temp()
        self.loops.append(None)          # ``continue`` needs no post statement here
        saved_ints = self.int_names
        if sym.kind == "local" and not sym.boxed:
            self.int_names = saved_ints | {sym.pyname}
        body = (self.store_sym(sym, N(t), n.pos) + [self.stop_check(n.pos)]
                + self.stmts(n.body.stmts))
        self.int_names = saved_ints
        self.loops.pop()
        if osr is not None:
            before, first = self.osr_counter(*osr, n.pos)
            out += before
            body = body[:1] + first + body[1:]
        rng = P.Call(func=N("range"), args=[C(start), C(stop)], keywords=[])
        done = self.store_sym(sym, C(max(start, stop)), n.pos)
        out.append(_pos(P.For(target=S(t), iter=rng, body=body, orelse=done, type_comment=None), n.pos))
        return out

    def s_ForInStmt(self, n):
        it = self.expr(n.iterable)
        out = self.flush([])
        kt, vt = self.temp(), self.temp()
        body = [self.stop_check(n.pos)]
        kdef = self.res.defs.get(id(n.key))
        vdef = self.res.defs.get(id(n.value)) if n.value is not None else None
        if kdef is not None:
            body += self.store_define(kdef, N(kt), n.pos)
        if vdef is not None:
            body += self.store_define(vdef, N(vt), n.pos)
        self.loops.append(None)
        body += self.stmts(n.body.stmts)
        self.loops.pop()
        target = P.Tuple(elts=[S(kt), S(vt)], ctx=P.Store())
        loop = P.For(target=target, iter=self.alloc(call(rt("iter"), [it], n.pos), n.pos), body=body or [P.Pass()],
                     orelse=[], type_comment=None)
        out.append(_pos(loop, n.pos))
        return out

    # ------------------------------------------------------------------ assignment
    def load_sym(self, sym, pos):
        if sym.kind == "global":
            return _pos(P.Subscript(value=N("G"), slice=C(sym.index), ctx=P.Load()), pos)
        if sym.kind == "builtin":
            return N(self.program.builtin_ref(sym.name))
        if sym.boxed:
            return _pos(P.Subscript(value=N(sym.pyname), slice=C(0), ctx=P.Load()), pos)
        const = self.constant_locals().get(sym, _NO_CONST)
        if const is not _NO_CONST:
            return _pos(C(const), pos)
        name = _pos(N(sym.pyname), pos)
        if sym.pyname in self.bool_names:
            name._tengo_bool = True
        if sym.captured:
            name._tengo_shared = True        # closures may assign it (see ``operand``)
        return name

    def constant_locals(self):
        """Locals defined with a literal (``limit := 500``) and never assigned again: their uses
        are the literal itself, so its type is known where it is used. Computed once per file."""
        if self._consts is None:
            writes = self.symbol_writes()
            self._consts = {}
            for x in A.walk(self.file.stmts):
                if isinstance(x, A.AssignStmt) and x.op == ":=" and len(x.lhs) == 1 and len(x.rhs) == 1:
                    sym = self.res.defs.get(id(x))
                    rhs = A.unparen(x.rhs[0])
                    if (sym is not None and sym.kind == "local" and not sym.boxed
                            and writes.get(sym, 0) == 0
                            and type(rhs) in (A.IntLit, A.FloatLit, A.StringLit, A.BoolLit)):
                        self._consts[sym] = rhs.value
        return self._consts

    def store_sym(self, sym, value, pos):
        if sym.kind == "global":
            tgt = P.Subscript(value=N("G"), slice=C(sym.index), ctx=P.Store())
        elif sym.boxed:
            tgt = P.Subscript(value=N(sym.pyname), slice=C(0), ctx=P.Store())
        else:
            tgt = S(sym.pyname)
        return [_pos(P.Assign(targets=[tgt], value=value), pos)]

    def store_define(self, sym, value, pos):
        if sym.boxed:
            return [_pos(P.Assign(targets=[S(sym.pyname)], value=P.List(elts=[value], ctx=P.Load())), pos)]
        return self.store_sym(sym, value, pos)

    def assign(self, n, target, rhs, op):
        if op == ":=":
            sym = self.res.defs[id(n)]
            if isinstance(rhs, A.FuncLit):
                out = []
                if sym.boxed:      # the function captures its own (fresh) variable
                    out.append(_pos(P.Assign(targets=[S(sym.pyname)],
                                             value=P.List(elts=[C(None)], ctx=P.Load())), n.pos))
                fn = self.expr(rhs, self_sym=sym)
                return out + self.flush(self.store_sym(sym, fn, n.pos))
            value = self.expr(rhs)
            return self.flush(self.store_define(sym, value, n.pos))
        # '=' or compound
        root, sels = target, []
        while isinstance(root, (A.SelectorExpr, A.IndexExpr)):
            sels.append(root)
            root = root.expr
        sels.reverse()
        sym = self.res.uses[id(root)]
        if not sels and op == "=" and self._is_self_append(sym, rhs):
            return self.append_in_place(sym, rhs, n.pos)
        if not sels:
            grown = self._growth_operand(sym, rhs, op)
            if grown is not None:
                return self.concat_in_place(sym, grown, n.pos)
        if op == "=":
            value = self.expr(rhs, self_sym=sym if not sels else None)
        else:
            value = self.alloc(self.binary(COMPOUND[op], target, rhs, n.pos), n.pos)
        if not sels:
            return self.flush(self.store_sym(sym, value, n.pos))
        # keys that are locals or literals run no code: then a value or key that is a local
        # or a literal is used where it is, not copied first
        plain_keys = all(isinstance(s, A.SelectorExpr) or
                         isinstance(A.unparen(s.index), (A.Ident, A.IntLit, A.StringLit)) for s in sels)
        if plain_keys and isinstance(value, (P.Name, P.Constant)) and not self.pre:
            out, ve = [], value
        else:
            vt = self.temp()
            out = self.flush([_pos(P.Assign(targets=[S(vt)], value=value), n.pos)])
            ve = N(vt)
        keys = []
        for s in reversed(sels):           # Tengo evaluates selectors right to left
            if isinstance(s, A.SelectorExpr):
                keys.append(C(s.sel))
            else:
                ke = self.expr(s.index)
                if plain_keys and isinstance(ke, (P.Name, P.Constant)) and not self.pre:
                    keys.append(ke)
                    continue
                kt = self.temp()
                if self.static_kind(s.index) == local_types.INT:
                    self.int_names = self.int_names | {kt}
                out_pre = self.pre
                self.pre = []
                out += out_pre + [_pos(P.Assign(targets=[S(kt)], value=ke), s.index.pos)]
                keys.append(N(kt))
        keys.reverse()
        base = self.load_sym(sym, root.pos)
        general = _pos(P.Expr(value=call(rt("iset"), [base, P.Tuple(elts=keys, ctx=P.Load()), ve],
                                         n.pos)), n.pos)
        if len(keys) == 1 and not self.program.count_allocs:
            out += self.flush(self.inline_index_set(base, keys[0], ve, general, n.pos))
            return out
        if (len(keys) == 2 and isinstance(keys[0], P.Constant) and type(keys[0].value) is str
                and not self.program.count_allocs):
            out += self.flush(self.inline_field_index_set(base, keys[0], keys[1], ve, general, n.pos))
            return out
        out.append(general)
        return self.flush(out)

    def inline_field_index_set(self, base, field, key, value, general, pos):
        """``m.f[k] = value`` (also ``m["f"][k]``) inline when ``m`` is a map and ``m.f`` an
        array with an int ``k`` in range or a map with a string ``k``; else ``general``.
        ``base``, ``key`` and ``value`` are names, constants or global slots."""
        m = self.temp()
        inner = P.NamedExpr(target=S(m), value=P.Call(
            func=P.Attribute(value=base, attr="get", ctx=P.Load()), args=[field], keywords=[]))
        tests = [] if isinstance(base, P.Name) and base.id in self.dict_names else [type_is(base, "dict")]
        if isinstance(key, P.Constant) and type(key.value) is str:
            tests.append(type_is(inner, "dict"))
        else:
            tests.append(type_is(inner, "list"))
            if not self.known_int(None, key):
                tests.append(type_is(key, "int"))
            tests.append(P.Compare(left=C(0), ops=[P.LtE(), P.Lt()],
                                   comparators=[key, P.Call(func=N("len"), args=[N(m)], keywords=[])]))
        if isinstance(key, P.Constant) and type(key.value) is str and self.maps_limited:
            return [general]                 # a new key is checked against the map limit there
        store = [_pos(P.Assign(targets=[P.Subscript(value=N(m), slice=key, ctx=P.Store())], value=value), pos)]
        test = tests[0] if len(tests) == 1 else P.BoolOp(op=P.And(), values=tests)
        return [_pos(P.If(test=test, body=store, orelse=[general]), pos)]

    def inline_index_set(self, base, key, value, general, pos):
        """``base[key] = value`` for an array with an int key in range or a map with a string
        key, inline; else ``general`` (``_iset``, with Tengo's errors). ``base``, ``key`` and
        ``value`` are names, constants or global slots: reading them twice is harmless."""
        if isinstance(base, P.Subscript):          # a global slot: read it once
            t = self.temp()
            pre = [_pos(P.Assign(targets=[S(t)], value=base), pos)]
            base = N(t)
            general = _pos(P.Expr(value=call(rt("iset"), [base, general.value.args[1], value], pos)), pos)
        else:
            pre = []
        store = [_pos(P.Assign(targets=[P.Subscript(value=base, slice=key, ctx=P.Store())], value=value), pos)]
        if isinstance(key, P.Constant) and type(key.value) is str:
            if self.maps_limited:            # a new key is checked against the map limit there
                return pre + [general]
            if isinstance(base, P.Name) and base.id in self.dict_names:
                return pre + store
            test = type_is(base, "dict")
        else:
            tests = [type_is(base, "list")]
            if not self.known_int(None, key):
                tests.append(type_is(key, "int"))
            tests.append(P.Compare(left=C(0), ops=[P.LtE(), P.Lt()],
                                   comparators=[key, P.Call(func=N("len"), args=[base], keywords=[])]))
            test = P.BoolOp(op=P.And(), values=tests)
            if not isinstance(key, P.Constant) and not self.maps_limited:
                map_test = P.BoolOp(op=P.And(), values=[type_is(base, "dict"), type_is(key, "str")])
                general = _pos(P.If(test=map_test, body=store, orelse=[general]), pos)
        return pre + [_pos(P.If(test=test, body=store, orelse=[general]), pos)]

    # ------------------------------------------------------------------ growth idioms
    def _is_self_append(self, sym, rhs):
        """Is ``rhs`` ``append(X, ...)`` (the builtin, no spread) where X is ``sym`` itself?"""
        if self.program.count_allocs or not isinstance(rhs, A.CallExpr) or rhs.ellipsis:
            return False
        f = rhs.func
        if not isinstance(f, A.Ident) or len(rhs.args) < 2:
            return False
        fsym = self.res.uses.get(id(f))
        if fsym is None or fsym.kind != "builtin" or fsym.name != "append":
            return False
        first = rhs.args[0]
        return isinstance(first, A.Ident) and self.res.uses.get(id(first)) is sym

    def append_in_place(self, sym, rhs, pos):
        """``X = append(X, v...)`` in amortised O(1).

        When X holds a plain array that nothing else refers to (its reference count is the
        variable's plus the one of the check itself), no one can observe the old array, so
        appending in place gives the same result as Tengo's copy. Otherwise (aliased, an
        immutable array, not an array) the builtin runs as written. Values with possible side
        effects (calls) are evaluated first, in Tengo's order, with X read before them.
        """
        pure = not any(isinstance(x, A.CallExpr) for a in rhs.args[1:] for x in A.walk(a))
        out = []
        if pure:
            target = self.load_sym(sym, pos)
            extra = 2
        else:
            held = self.temp()
            out += self.flush([_pos(P.Assign(targets=[S(held)], value=self.load_sym(sym, pos)), pos)])
            target, extra = N(held), 3
        values = []
        for a in rhs.args[1:]:
            v = self.expr(a)
            own = isinstance(v, P.Name) and not sym.boxed and sym.kind != "global" \
                and v.id == sym.pyname
            if not pure or own or not isinstance(v, (P.Constant, P.Name)):
                t = self.temp()
                out += self.flush([_pos(P.Assign(targets=[S(t)], value=v), a.pos)])
                v = N(t)
            values.append(v)
        test = P.BoolOp(op=P.And(), values=[
            type_is(target, "list"),
            P.Compare(left=call(rt("refcount"), [target], pos), ops=[P.Eq()], comparators=[C(extra)]),
            _room_test(call(rt("array_room"), [target, C(len(values))], pos))])
        if not pure:
            test.values.append(P.Compare(left=N(held), ops=[P.Is()],
                                         comparators=[self.load_sym(sym, pos)]))
        if len(values) == 1:
            grow = P.Call(func=P.Attribute(value=target, attr="append", ctx=P.Load()),
                          args=values, keywords=[])
        else:
            grow = P.Call(func=P.Attribute(value=target, attr="extend", ctx=P.Load()),
                          args=[P.Tuple(elts=values, ctx=P.Load())], keywords=[])
        fn = N(self.program.builtin_ref("append"))
        slow = self.store_sym(sym, call(fn, [N("G"), target] + values, rhs.pos), pos)
        body = [_pos(P.Expr(value=grow), pos)]
        if not pure:
            body.append(_pos(P.Assign(targets=[S(held)], value=C(None)), pos))
        return out + self.flush([_pos(P.If(test=test, body=body, orelse=slow), pos)])

    def _growth_operand(self, sym, rhs, op):
        """For ``X += Y`` / ``X = X + Y`` where Y is an array literal or an expression that is
        a string by its form (a string literal, ``string(...)``, a sum starting with a string
        literal): ``("array" | "string", Y)``; else None."""
        if self.program.count_allocs:
            return None
        if op == "=":
            if not (isinstance(rhs, A.BinaryExpr) and rhs.op == "+"
                    and isinstance(rhs.left, A.Ident) and self.res.uses.get(id(rhs.left)) is sym):
                return None
            rhs = rhs.right
        elif op != "+=":
            return None
        if isinstance(rhs, A.ArrayLit):
            return "array", rhs
        return ("string", rhs) if self._string_form(rhs) else None

    def _string_form(self, e):
        if isinstance(e, A.StringLit):
            return True
        if isinstance(e, A.BinaryExpr) and e.op == "+":
            return self._string_form(e.left)
        if isinstance(e, A.CallExpr) and isinstance(e.func, A.Ident) and not e.ellipsis:
            f = self.res.uses.get(id(e.func))
            return f is not None and f.kind == "builtin" and f.name == "string"
        return False

    def concat_in_place(self, sym, grown, pos):
        """``X += Y`` growing X in place when no one else can see it (amortised O(1)).

        X is read first and Y evaluated next (Tengo's order). An array X that only the
        variable holds is extended; a string X is concatenated with ``+=`` right after the
        variable lets go of it, so that CPython can resize it in place. Anything else (other
        types, aliases, X reassigned while Y was evaluated) takes Tengo's ``+`` as written.
        """
        kind, operand = grown
        held, right = self.temp(), self.temp()
        out = self.flush([_pos(P.Assign(targets=[S(held)], value=self.load_sym(sym, pos)), pos)])
        out += self.flush([_pos(P.Assign(targets=[S(right)], value=self.expr(operand)), operand.pos)])
        same = P.Compare(left=N(held), ops=[P.Is()], comparators=[self.load_sym(sym, pos)])
        if kind == "array":
            test = P.BoolOp(op=P.And(), values=[
                type_is(N(held), "list"), same,
                P.Compare(left=call(rt("refcount"), [N(held)], pos), ops=[P.Eq()], comparators=[C(3)]),
                _room_test(call(rt("array_room"), [N(held), P.Call(func=N("len"), args=[N(right)],
                                                                    keywords=[])], pos))])
            body = [_pos(P.Expr(value=P.Call(func=P.Attribute(value=N(held), attr="extend", ctx=P.Load()),
                                             args=[N(right)], keywords=[])), pos)]
        else:
            size = P.BinOp(left=P.BinOp(left=P.Call(func=N("len"), args=[N(held)], keywords=[]),
                                        op=P.Add(),
                                        right=P.Call(func=N("len"), args=[N(right)], keywords=[])),
                           op=P.Mult(), right=C(4))
            limit = P.Attribute(value=rt("limits"), attr="MAX_STRING_LEN", ctx=P.Load())
            # escaped bytes meeting at the junction may form a character: the runtime's +
            esc = P.BoolOp(op=P.And(), values=[
                P.Compare(left=C("\udc80"), ops=[P.LtE(), P.LtE()],
                          comparators=[P.Subscript(value=N(right), slice=P.Slice(upper=C(1)),
                                                   ctx=P.Load()), C("\udcff")]),
                P.Compare(left=C("\udc80"), ops=[P.LtE(), P.LtE()],
                          comparators=[P.Subscript(value=N(held), slice=P.Slice(lower=C(-1)),
                                                   ctx=P.Load()), C("\udcff")])])
            test = P.BoolOp(op=P.And(), values=[
                type_is(N(held), "str"), type_is(N(right), "str"), same,
                P.Compare(left=size, ops=[P.LtE()], comparators=[limit]),
                P.UnaryOp(op=P.Not(), operand=esc),
                _room_test(call(rt("string_room"), [N(held), N(right)], pos))])
            if sym.kind == "global":
                tgt = P.Subscript(value=N("G"), slice=C(sym.index), ctx=P.Store())
            elif sym.boxed:
                tgt = P.Subscript(value=N(sym.pyname), slice=C(0), ctx=P.Store())
            else:
                tgt = S(sym.pyname)
            body = [_pos(P.AugAssign(target=tgt, op=P.Add(), value=N(right)), pos)]
        let_go = _pos(P.Assign(targets=[S(held)], value=C(None)), pos)
        body = [let_go] + body if kind == "string" else body + [let_go]
        slow = self.store_sym(sym, call(rt("add"), [N(held), N(right)], pos), pos)
        return out + self.flush([_pos(P.If(test=test, body=body, orelse=slow), pos)])

    # ------------------------------------------------------------------ tail calls
    def tail_call(self, c: A.CallExpr, as_return):
        """A self tail call becomes a jump to the top of the function's loop."""
        sym, fid, params, mode, _ = self.tco
        if c.ellipsis or len(c.args) != len(params) or not isinstance(c.func, A.Ident):
            return None
        if self.res.uses.get(id(c.func)) is not sym or self.loops:
            return None
        fe = self.expr(c.func)
        ft = self.temp()
        out = self.flush([_pos(P.Assign(targets=[S(ft)], value=fe), c.pos)])
        arg_names = []
        for a in c.args:
            ae = self.expr(a)
            at = self.temp()
            out += self.flush([_pos(P.Assign(targets=[S(at)], value=ae), a.pos)])
            arg_names.append(at)
        self.tco[4] = True
        if mode == "self":
            test = P.Compare(left=N(ft), ops=[P.Is()], comparators=[N("_self")])
        else:
            test = P.BoolOp(op=P.And(), values=[
                type_is(N(ft), "_FunctionType"),
                P.Compare(left=P.Attribute(value=N(ft), attr="__code__", ctx=P.Load()), ops=[P.Is()],
                          comparators=[N(f"_C{fid}")])])
        rebind = []
        for p, at in zip(params, arg_names):
            rebind += self.store_define(p, N(at), c.pos)
        rebind.append(P.Continue())
        normal = call(N(ft), [N("G")] + [N(a) for a in arg_names], c.pos)
        if as_return:
            other = [P.Return(value=normal)]
        else:
            other = [P.Expr(value=normal), P.Return(value=None)]
        out.append(_pos(P.If(test=test, body=rebind, orelse=other), c.pos))
        return out

    # ------------------------------------------------------------------ expressions
    def truth(self, e, pos):
        """Python-truthiness test with Tengo's IsFalsy semantics."""
        if is_bool_expr(e):
            return e
        first, later = self.operand(e, exposed=False)
        r = P.IfExp(test=type_is(first, "bool"), body=later, orelse=call(rt("truthy"), [later], pos))
        return _pos(r, pos)

    def expr(self, n, self_sym=None):
        m = getattr(self, "e_" + type(n).__name__)
        if self_sym is not None and isinstance(n, A.FuncLit):
            return self.e_FuncLit(n, self_sym)
        return m(n)

    def e_Ident(self, n):
        return self.load_sym(self.res.uses[id(n)], n.pos)

    def e_IntLit(self, n):
        return _pos(C(n.value), n.pos)

    def e_FloatLit(self, n):
        return _pos(C(n.value), n.pos)

    def e_StringLit(self, n):
        return _pos(C(n.value), n.pos)

    def e_BoolLit(self, n):
        return _pos(C(n.value), n.pos)

    def e_UndefinedLit(self, n):
        return _pos(C(None), n.pos)

    def e_CharLit(self, n):
        return _pos(self.const(Char(n.value)), n.pos)

    def e_ParenExpr(self, n):
        return self.expr(n.expr)

    def e_ArrayLit(self, n):
        return self.alloc(_pos(P.List(elts=[self.expr(e) for e in n.elements], ctx=P.Load()), n.pos), n.pos)

    def e_MapLit(self, n):
        keys, values = [], []
        for el in n.elements:
            keys.append(_pos(C(el.key), el.pos))
            values.append(self.expr(el.value))
        return self.alloc(_pos(P.Dict(keys=keys, values=values), n.pos), n.pos)

    def e_ErrorExpr(self, n):
        return self.alloc(call(rt("err"), [self.expr(n.expr)], n.pos), n.pos)

    def e_ImmutableExpr(self, n):
        return self.alloc(call(rt("imm"), [self.expr(n.expr)], n.pos), n.pos)

    def e_ImportExpr(self, n):
        ref = self.program.import_module(n.module_name, self, n.pos)
        if ref[0] == "source":
            return call(N(ref[1]), [N("G")], n.pos)
        return _pos(N(ref[1]), n.pos)

    def e_CondExpr(self, n):
        test = self.truth(self.expr(n.cond), n.cond.pos)
        return _pos(P.IfExp(test=test, body=self.expr(n.true_expr), orelse=self.expr(n.false_expr)),
                    n.pos)

    def e_UnaryExpr(self, n):
        op = n.op
        if op == "+":
            return self.expr(n.operand)
        if op == "-" and isinstance(n.operand, (A.IntLit, A.FloatLit)):
            v = -n.operand.value
            if type(v) is int and v > INT64_MAX:
                v -= 1 << 64
            return _pos(C(v), n.pos)
        e = self.expr(n.operand)
        if op == "!":
            if is_bool_expr(e):
                return _pos(P.UnaryOp(op=P.Not(), operand=e), n.pos)
            return _pos(P.UnaryOp(op=P.Not(), operand=self.truth(e, n.pos)), n.pos)
        first, later = self.operand(e, exposed=False)
        at = A.unparen(n.operand).pos           # Tengo reports a unary error at the operand
        if op == "-":
            fast = P.UnaryOp(op=P.USub(), operand=later)
            test = P.BoolOp(op=P.And(), values=[type_is(first, "int"),
                                                P.Compare(left=later, ops=[P.NotEq()], comparators=[C(INT64_MIN)])])
            return self.alloc(_pos(P.IfExp(test=test, body=fast, orelse=call(rt("neg"), [later], at)), n.pos), n.pos)
        if op == "^":
            fast = P.UnaryOp(op=P.Invert(), operand=later)
            return self.alloc(_pos(P.IfExp(test=type_is(first, "int"), body=fast,
                                orelse=call(rt("bitnot"), [later], at)), n.pos), n.pos)
        self.error(n.pos, f"invalid unary operator: {op}")

    def e_BinaryExpr(self, n):
        r = self.binary(n.op, n.left, n.right, n.pos)
        if n.op in ("&&", "||", "==", "!="):
            return r
        return self.alloc(r, n.pos)

    def binary(self, op, left, right, pos):
        if op in ("&&", "||"):
            le = self.expr(left)
            re_ = self.expr(right)
            if is_bool_expr(le) and is_bool_expr(re_):
                return _pos(P.BoolOp(op=P.And() if op == "&&" else P.Or(), values=[le, re_]), pos)
            first, later = self.operand(le)
            test = self.truth(first, pos)
            if op == "&&":
                r = P.IfExp(test=test, body=re_, orelse=later)
            else:
                r = P.IfExp(test=test, body=later, orelse=re_)
            return _pos(r, pos)
        row = BINARY.get(op)
        if row is None:
            self.error(pos, f"invalid binary operator: {op}")
        if row.kind in ("arith", "compare", "equality"):
            r = self.static_numeric(op, left, right, pos)
            if r is not None:
                return r
        if op in ("==", "!="):
            le = self.expr(left)
            re_ = self.expr(right)
            lf, ll = self.operand(le)
            rf, rl = self.operand(re_)
            lit = _equality_literal(right) or _equality_literal(left)
            if lit is not None:
                other_first, other_later = (lf, ll) if _equality_literal(right) else (rf, rl)
                lit_e = rl if _equality_literal(right) else ll
                r = self._equals_literal(op, lit, other_first, other_later, lit_e, ll, rl, left, right, pos)
                if r is not None:
                    r = _pos(r, pos)
                    r._tengo_bool = True
                    return r
            cmp_op = P.Eq() if op == "==" else P.NotEq()
            fast = P.Compare(left=ll, ops=[cmp_op], comparators=[rl])
            slow = call(rt("eq"), [ll, rl], pos)
            if op == "!=":
                slow = P.UnaryOp(op=P.Not(), operand=slow)
            test = P.Compare(left=P.Call(func=N("type"), args=[lf], keywords=[]), ops=[P.Is(), P.Is()],
                             comparators=[P.Call(func=N("type"), args=[rf], keywords=[]), N("int")])
            r = _pos(P.IfExp(test=test, body=fast, orelse=slow), pos)
            r._tengo_bool = True
            return r
        if row.kind == "compare":
            right_first = row.right_first
            if right_first:
                re_ = self.expr(right)
                rf, rl = self.operand(re_)
                le = self.expr(left)
                lf, ll = self.operand(le)
                test = self._both_int(rf, lf, right, left)
            else:
                le = self.expr(left)
                lf, ll = self.operand(le)
                re_ = self.expr(right)
                rf, rl = self.operand(re_)
                test = self._both_int(lf, rf, left, right)
            slow = call(rt(row.runtime_name), [ll, rl], pos)
            fast = P.Compare(left=ll, ops=[row.python()], comparators=[rl])
            if isinstance(test, P.Constant) and test.value is True:
                return _pos(fast, pos)           # both operands known ints
            if self._untyped(lf, left) and self._untyped(rf, right):
                # one look at both types: ints with ints and floats with floats compare alike
                k = self.temp()
                firsts = (rf, lf) if right_first else (lf, rf)
                same = P.Compare(left=P.NamedExpr(target=S(k), value=_type_of(firsts[0])),
                                 ops=[P.Is()], comparators=[_type_of(firsts[1])])
                numeric = P.BoolOp(op=P.Or(), values=[
                    P.Compare(left=N(k), ops=[P.Is()], comparators=[N("int")]),
                    P.Compare(left=N(k), ops=[P.Is()], comparators=[N("float")])])
                r = _pos(P.IfExp(test=P.BoolOp(op=P.And(), values=[same, numeric]), body=fast,
                                 orelse=slow), pos)
                r._tengo_bool = True
                return r
            if _float_literal(left) or _float_literal(right):
                fp = self.float_path(op, lf, ll, rf, rl, left, right, slow, right_first)
                if fp is not None:
                    fp = _pos(fp, pos)
                    fp._tengo_bool = True
                    return fp
            slow = self.float_path(op, None, ll, None, rl, left, right, slow) or slow
            r = _pos(P.IfExp(test=test, body=fast, orelse=slow), pos)
            r._tengo_bool = True
            return r
        if row.wraps and not self.program.count_allocs:
            r = self.arith_chain(op, left, right, pos)
            if r is not None:
                return r
        slow_name, pyop = row.runtime_name, row.python
        le = self.expr(left)
        lf, ll = self.operand(le)
        re_ = self.expr(right)
        rf, rl = self.operand(re_)
        slow = call(rt(slow_name), [ll, rl], pos)
        if pyop is None:
            if op in ("/", "%"):
                return _pos(self.division(op, lf, ll, rf, rl, left, right, slow, pos), pos)
            # still evaluate operands in order through the temporaries
            if lf is not ll or rf is not rl:
                return _pos(call(rt(slow_name), [lf, rf], pos), pos)
            return slow
        if op in ("+", "-") and isinstance(right, A.IntLit) and 0 <= right.value and \
                not isinstance(left, A.IntLit):
            # x + c / x - c: test the operand against the bound instead of the result
            if op == "+":
                bound = P.Compare(left=ll, ops=[P.LtE()], comparators=[C(INT64_MAX - right.value)])
            else:
                bound = P.Compare(left=ll, ops=[P.GtE()], comparators=[C(INT64_MIN + right.value)])
            it = self.int_test(lf, left)
            if it is None:
                return _pos(P.IfExp(test=bound, body=P.BinOp(left=ll, op=pyop(), right=rl),
                                    orelse=slow), pos)
            test = P.BoolOp(op=P.And(), values=[it, bound])
            slow = self.float_path(op, None, ll, None, rl, left, right, slow) or slow
            return _pos(P.IfExp(test=test, body=P.BinOp(left=ll, op=pyop(), right=rl), orelse=slow), pos)
        if row.wraps and (_float_literal(left) or _float_literal(right)):
            # a float literal operand: the int path can never be taken
            fp = self.float_path(op, lf, ll, rf, rl, left, right, slow)
            if fp is not None:
                return _pos(fp, pos)
        test = self._both_int(lf, rf, left, right)
        raw = P.BinOp(left=ll, op=pyop(), right=rl)
        if row.wraps and self._untyped(lf, left) and self._untyped(rf, right):
            return _pos(self.same_type_dispatch([lf, rf], self._wrapped(raw, op, right, pos),
                                                self.float_arith(True, ll, pyop, rl), slow), pos)
        if not row.wraps:
            fast = raw                       # bitwise: never leaves int64
        else:
            fast = self._wrapped(raw, op, right, pos)
            if not (isinstance(test, P.Constant) and test.value is True):
                slow = self.float_path(op, None, ll, None, rl, left, right, slow) or slow
        if isinstance(test, P.Constant) and test.value is True:
            return _pos(fast, pos)
        return _pos(P.IfExp(test=test, body=fast, orelse=slow), pos)

    def _untyped(self, e, node):
        """Nothing is known of this operand's type (not a literal, constant or known local)."""
        return not (isinstance(e, P.Constant) or _numeric_literal(node, e) is not None
                    or self.known_int(node, e) or self.static_kind(node) != local_types.ANY)

    def same_type_dispatch(self, firsts, int_fast, float_fast, slow):
        """``int_fast`` when the operands (their first-use forms, in evaluation order) are all
        ints, ``float_fast`` when all floats, else ``slow``, with one ``type()`` per operand:

            (I if _k is int else F if _k is float else S) if (_k := type(a)) is type(b) else S
        """
        k = self.temp()
        types = [_type_of(e) for e in firsts]
        same = P.Compare(left=P.NamedExpr(target=S(k), value=types[0]), ops=[P.Is()] * (len(types) - 1),
                         comparators=types[1:])
        inner = P.IfExp(test=P.Compare(left=N(k), ops=[P.Is()], comparators=[N("int")]), body=int_fast,
                        orelse=P.IfExp(test=P.Compare(left=N(k), ops=[P.Is()], comparators=[N("float")]),
                                       body=float_fast, orelse=slow))
        return P.IfExp(test=same, body=inner, orelse=copy.deepcopy(slow))

    def symbol_kind(self, sym):
        """What ``sym`` is known to hold where code is being generated: "int", "float" or "any"."""
        if sym.kind != "local" or sym.boxed:
            return local_types.ANY
        const = self.constant_locals().get(sym, _NO_CONST)
        if const is not _NO_CONST:
            return {int: local_types.INT, float: local_types.FLOAT}.get(type(const), local_types.ANY)
        if sym.pyname in self.int_names:
            return local_types.INT
        if sym.pyname in self.float_names:
            return local_types.FLOAT
        if sym.pyname in self.bool_names:
            return local_types.BOOL
        return local_types.ANY

    def static_kind(self, node):
        return local_types.kind_of(self.res, node, self.symbol_kind)

    def static_numeric(self, op, left, right, pos):
        """``left op right`` with both operands' kinds known (ints or floats) and a float among
        them, or a comparison of two ints: plain Python, no type tests (an int beside a float
        converts as in Tengo: exactly for arithmetic, explicitly with ``float()`` for
        comparisons, where Python would compare exactly). None when not applicable; then
        nothing was generated."""
        kl, kr = self.static_kind(left), self.static_kind(right)
        numeric = (local_types.INT, local_types.FLOAT)
        if kl not in numeric or kr not in numeric:
            return None
        floats = local_types.FLOAT in (kl, kr)
        row = BINARY[op]
        if row.kind == "arith" and not floats:
            return None              # int arithmetic: the int paths (wrap once per chain)
        if op == "/" and not isinstance(A.unparen(right), (A.Ident, A.IntLit, A.FloatLit)):
            return None              # the zero test reads the divisor twice
        if row.right_first:
            re_ = self.expr(right)
            le = self.expr(left)
        else:
            le = self.expr(left)
            re_ = self.expr(right)
        if row.wraps:                # + - * on a float: no wrap
            return _pos(self.float_arith(kl == local_types.FLOAT, le, row.float_python, re_), pos)
        if op == "/":
            d = _numeric_literal(right, re_)
            fast = self.float_arith(kl == local_types.FLOAT, le, row.float_python, re_)
            if d is not None and d != 0:
                return _pos(fast, pos)
            # x / 0 is IEEE's inf or NaN in Tengo, Python's error: ops gives the former
            return _pos(P.IfExp(test=re_, body=fast, orelse=call(rt("div"), [copy.deepcopy(le), re_], pos)), pos)
        if floats:
            le = self._as_float(left, le, kl)
            re_ = self._as_float(right, re_, kr)
        if row.right_first:          # the same comparison, mirrored: right operand first
            r = P.Compare(left=re_, ops=[_MIRRORED[row.python]()], comparators=[le])
        else:
            r = P.Compare(left=le, ops=[row.python()], comparators=[re_])
        return _pos(r, pos)

    @staticmethod
    def _as_float(node, e, kind):
        """An int operand of a comparison with a float, converted as Tengo does (float64(i))."""
        if kind != local_types.INT:
            return e
        value = _numeric_literal(node, e)
        if value is not None:
            return C(float(value))
        return P.Call(func=N("float"), args=[e], keywords=[])

    def is_none(self, e, negate=False):
        """``e is None`` (``is not`` with ``negate``). An operand Python could fold into a
        literal (``1.5 - 2``) is bound to a temporary first: ``is`` on a literal makes Python
        print a SyntaxWarning when the generated code is compiled."""
        if not isinstance(e, (P.Name, P.NamedExpr, P.Subscript, P.Call, P.Attribute)):
            e = P.NamedExpr(target=S(self.temp()), value=e)
        return P.Compare(left=e, ops=[P.IsNot() if negate else P.Is()], comparators=[C(None)])

    def float_arith(self, left_is_float, le, opcls, re_):
        """``le op re_`` in float arithmetic, with Tengo's rule for a float left operand: a
        result equal to it *is* it (``ops.keep_left``; only a zero result can differ from
        IEEE's). ``le`` is evaluated once, before ``re_``. One truth test decides: ``a ± b``
        is ``a`` when ``b`` is zero; ``a * b`` and ``a / b`` go through ``ops.keep_left``
        when ``a`` is zero."""
        lit = le.value if isinstance(le, P.Constant) else None
        if not left_is_float or (type(lit) in (int, float) and lit != 0):
            return P.BinOp(left=le, op=opcls(), right=re_)
        if opcls in (P.Add, P.Sub):
            rlit = re_.value if isinstance(re_, P.Constant) else None
            if type(rlit) in (int, float):
                return P.BinOp(left=le, op=opcls(), right=re_) if rlit != 0 else le
            if isinstance(re_, P.Name) and not getattr(re_, "_tengo_shared", False) and \
                    _small(le):
                # ``b`` read first: no code can change it while ``le`` runs (``le`` is written
                # twice, once per branch: only when small, or nested sums would grow
                # exponentially)
                return P.IfExp(test=re_, body=P.BinOp(left=le, op=opcls(), right=re_),
                               orelse=copy.deepcopy(le))
            # both computed: ``a`` first, then ``b``, then the rule on the result
            t, r = self.temp(), self.temp()
            raw = P.NamedExpr(target=S(r), value=P.BinOp(
                left=P.NamedExpr(target=S(t), value=le), op=opcls(), right=re_))
            return P.BoolOp(op=P.Or(), values=[
                raw, P.IfExp(test=P.UnaryOp(op=P.Not(), operand=N(t)), body=N(t), orelse=N(r))])
        if isinstance(le, (P.Name, P.Constant)):
            first = later = le
        else:
            t = self.temp()
            first, later = P.NamedExpr(target=S(t), value=le), N(t)
        if not _small(re_):          # written once: the rule applied to the result
            r = self.temp()
            return P.BoolOp(op=P.Or(), values=[
                P.NamedExpr(target=S(r), value=P.BinOp(left=first, op=opcls(), right=re_)),
                P.IfExp(test=P.UnaryOp(op=P.Not(), operand=later), body=later, orelse=N(r))])
        return P.IfExp(test=first, body=P.BinOp(left=later, op=opcls(), right=re_),
                       orelse=P.Call(func=rt("keep_left"), keywords=[], args=[
                           later, P.BinOp(left=later, op=opcls(), right=copy.deepcopy(re_))]))

    def float_path(self, op, lf, ll, rf, rl, left, right, slow, right_first=False):
        """``l op r`` computed by Python when the operands that are not literals are floats
        (IEEE double arithmetic and comparisons are Go's; an int literal beside a float is
        converted as Tengo does), else ``slow``; None when there is no such path. ``lf``/``rf``
        are the operands' first-use forms, or None when they were evaluated already."""
        tests = []
        operands = ((lf, ll, left), (rf, rl, right))
        for first, later, node in (operands[::-1] if right_first else operands):
            if _numeric_literal(node, later) is None and not self.known_int(node, later):
                tests.append(first if first is not None else later)
        if not tests:
            return None
        if op == "/":
            divisor = _numeric_literal(right, rl)
            if divisor is not None and not divisor:
                return None
        types = [P.Call(func=N("type"), args=[e], keywords=[]) for e in tests]
        test = P.Compare(left=types[0], ops=[P.Is()] * len(types), comparators=types[1:] + [N("float")])
        if op == "/" and _numeric_literal(right, rl) is None:
            # known ints are tested only for zero, any other divisor is a float here
            test = P.BoolOp(op=P.And(), values=[test, rl])       # x / 0.0 is not Python's error
        row = BINARY[op]
        if row.kind == "arith":
            left_float = not (self.known_int(left, ll) or type(_numeric_literal(left, ll)) is int)
            fast = self.float_arith(left_float, ll, row.float_python, rl)
        else:
            # an int beside a float compares as float64(int) in Tengo, exactly in Python
            lv = self._as_float(left, ll, local_types.INT) if self.known_int(left, ll) else ll
            rv = self._as_float(right, rl, local_types.INT) if self.known_int(right, rl) else rl
            fast = P.Compare(left=lv, ops=[BINARY[op].python()], comparators=[rv])
        return P.IfExp(test=test, body=fast, orelse=slow)

    def division(self, op, lf, ll, rf, rl, left, right, slow, pos):
        """``/`` and ``%``: ints with a non-negative dividend and a positive divisor are Python's
        ``//`` and ``%`` (Tengo truncates, Python floors: they agree there); ``/`` on floats is
        Python's when the divisor is not zero; everything else is ``ops``."""
        slow_first = call(rt("div" if op == "/" else "mod"), [lf, rf], pos) \
            if (lf is not ll or rf is not rl) else slow
        a, d = _numeric_literal(left, ll), _numeric_literal(right, rl)
        if type(a) is float or type(d) is float:
            if op == "/":
                return self.float_path(op, lf, ll, rf, rl, left, right, slow) or slow_first
            return slow_first
        if (d is not None and d <= 0) or (a is not None and a < 0):
            return slow_first
        # one test evaluating both first-use forms (a short-circuit must not skip one)
        both = self._both_int(lf, rf, left, right)
        conds = [] if isinstance(both, P.Constant) else [both]
        if a is None:
            conds.append(P.Compare(left=ll, ops=[P.GtE()], comparators=[C(0)]))
        if d is None:
            conds.append(P.Compare(left=rl, ops=[P.Gt()], comparators=[C(0)]))
        fast = P.BinOp(left=ll, op=P.FloorDiv() if op == "/" else P.Mod(), right=rl)
        if not conds:
            return fast
        other = slow
        if op == "/":
            other = self.float_path(op, None, ll, None, rl, left, right, slow) or slow
        test = conds[0] if len(conds) == 1 else P.BoolOp(op=P.And(), values=conds)
        return P.IfExp(test=test, body=fast, orelse=other)

    def _equals_literal(self, op, kind, other_first, other_later, lit_e, ll, rl, left, right, pos):
        """``==``/``!=`` where one operand is a literal of ``kind`` (see _equality_literal)."""
        if isinstance(other_first, P.Constant):
            return None          # two literals: the generic form (no `is` on a constant)
        eq = op == "=="
        if kind == "undefined":
            return self.is_none(other_first, negate=not eq)
        if kind == "str":
            if eq:
                return P.BoolOp(op=P.And(), values=[
                    type_is(other_first, "str"),
                    P.Compare(left=other_later, ops=[P.Eq()], comparators=[lit_e])])
            return P.BoolOp(op=P.Or(), values=[
                P.Compare(left=P.Call(func=N("type"), args=[other_first], keywords=[]),
                          ops=[P.IsNot()], comparators=[N("str")]),
                P.Compare(left=other_later, ops=[P.NotEq()], comparators=[lit_e])])
        tname = "int" if kind == "int" else "bool"
        if kind == "int" and self.known_int(left, ll) and self.known_int(right, rl):
            return P.Compare(left=ll, ops=[P.Eq() if eq else P.NotEq()], comparators=[rl])
        test = type_is(other_first, tname)
        if kind == "bool":
            fast = P.Compare(left=other_later, ops=[P.Is() if eq else P.IsNot()], comparators=[lit_e])
        else:
            fast = P.Compare(left=other_later, ops=[P.Eq() if eq else P.NotEq()], comparators=[lit_e])
        slow = call(rt("eq"), [ll, rl], pos)
        if not eq:
            slow = P.UnaryOp(op=P.Not(), operand=slow)
        return P.IfExp(test=test, body=fast, orelse=slow)

    def arith_chain(self, op, left, right, pos):
        """``a + b - c * d`` over simple operands: one type test, one wrap at the end.

        Wrapping to int64 commutes with +, - and * (it is a ring homomorphism onto Z/2^64), so
        computing exactly and wrapping once equals Tengo's wrap after every step. Used only when
        every leaf is side-effect free (names, constants, global slots), so the slow path may
        read them again.
        """
        leaves = []

        def flatten(node):
            while isinstance(node, A.ParenExpr):
                node = node.expr
            if isinstance(node, A.BinaryExpr) and node.op in BINARY and BINARY[node.op].wraps:
                l_ = flatten(node.left)
                r_ = flatten(node.right)
                if l_ is None or r_ is None:
                    return None
                return (node.op, l_, r_, node.pos)
            if not _may_be_simple(node):
                return None           # (generated only once, by the caller: linear time)
            e = self.expr(node)
            if not is_simple(e):
                return None
            leaves.append((node, e))
            return e

        saved_pre = list(self.pre)
        tree = flatten(A.BinaryExpr(pos, op, left, right))
        if tree is None or len(leaves) < 3 or any(
                isinstance(e, P.Constant) and type(e.value) not in (int, float) for _, e in leaves):
            # a string, bool or other constant leaf has its own operator semantics
            self.pre = saved_pre
            return None

        def float_constant(node, e):
            return isinstance(A.unparen(node), A.FloatLit) or \
                (isinstance(e, P.Constant) and type(e.value) is float) or \
                (isinstance(e, P.Name) and e.id in self.float_names)

        def build(t, fast):
            if not isinstance(t, tuple):
                return t
            o, l_, r_, p_ = t
            a, b = build(l_, fast), build(r_, fast)
            if fast:
                return P.BinOp(left=a, op=BINARY[o].python(), right=b)
            return call(rt(BINARY[o].runtime_name), [a, b], p_)

        def build_float(t):
            # (expression, is it a float): float arithmetic, Tengo's rule at every float left
            if not isinstance(t, tuple):
                return t, not (isinstance(t, P.Constant) and type(t.value) is int)
            o, l_, r_, p_ = t
            (a, a_float), (b, b_float) = build_float(l_), build_float(r_)
            if not (a_float or b_float):      # ints beside the floats: int64 arithmetic
                return call(rt("wrap"), [P.BinOp(left=a, op=BINARY[o].python(), right=b)], p_), False
            return self.float_arith(a_float, a, BINARY[o].float_python, b), True

        def type_test(tname, exclude):
            # (a known int is left out of the int test only: in the float path, two ints
            # side by side would multiply without wrapping)
            types = [P.Call(func=N("type"), args=[e], keywords=[]) for node, e in leaves
                     if not isinstance(A.unparen(node), exclude) and not isinstance(e, P.Constant)
                     and not (tname == "int" and self.known_int(node, e))]
            if not types:
                return None
            return P.Compare(left=types[0], ops=[P.Is()] * len(types),
                             comparators=types[1:] + [N(tname)])
        if all(not isinstance(e, P.Constant) and self._untyped(e, node) for node, e in leaves):
            # nothing known: one look at every operand's type decides between the paths
            t = self.temp()
            named = P.NamedExpr(target=S(t), value=build(tree, True))
            int_fast = P.IfExp(test=P.Compare(left=C(INT64_MIN), ops=[P.LtE(), P.LtE()],
                                              comparators=[named, C(INT64_MAX)]),
                               body=N(t), orelse=call(rt("wrap"), [N(t)], pos))
            return _pos(self.same_type_dispatch([e for _, e in leaves], int_fast, build_float(tree)[0],
                                                build(tree, False)), pos)
        # every operand that is not a literal a float: IEEE arithmetic, Go's (int literals
        # beside floats convert as in Tengo)
        float_test = type_test("float", (A.IntLit, A.FloatLit))
        slow = build(tree, False)
        if float_test is not None:
            slow = P.IfExp(test=float_test, body=build_float(tree)[0], orelse=slow)
        if any(float_constant(node, e) for node, e in leaves):
            return _pos(slow, pos) if float_test is not None else None
        test = type_test("int", A.IntLit)
        t = self.temp()
        named = P.NamedExpr(target=S(t), value=build(tree, True))
        fast = P.IfExp(test=P.Compare(left=C(INT64_MIN), ops=[P.LtE(), P.LtE()],
                                      comparators=[named, C(INT64_MAX)]),
                       body=N(t), orelse=call(rt("wrap"), [N(t)], pos))
        if test is None:                 # every leaf an int
            return _pos(fast, pos)
        return _pos(P.IfExp(test=test, body=fast, orelse=slow), pos)

    def known_int(self, node, e):
        """Is this operand an int for sure? (a literal, a parameter of a function body
        specialised for int arguments (see function_body) or a local proved to hold ints)"""
        if isinstance(node, A.IntLit) or (isinstance(e, P.Constant) and type(e.value) is int):
            return True
        return isinstance(e, P.Name) and e.id in self.int_names

    def int_test(self, e, node):
        return None if self.known_int(node, e) else type_is(e, "int")

    def _both_int(self, af, bf, anode, bnode):
        a_int = self.known_int(anode, af)
        b_int = self.known_int(bnode, bf)
        if a_int and b_int:
            return C(True)
        if b_int:
            return type_is(af, "int")
        if a_int:
            return type_is(bf, "int")
        return P.Compare(left=P.Call(func=N("type"), args=[af], keywords=[]), ops=[P.Is(), P.Is()],
                         comparators=[P.Call(func=N("type"), args=[bf], keywords=[]), N("int")])

    def _wrapped(self, raw, op, right, pos):
        t = self.temp()
        named = P.NamedExpr(target=S(t), value=raw)
        const = right.value if isinstance(right, A.IntLit) else None
        if const is not None and op in ("+", "-") and 0 <= const:
            if op == "+":
                test = P.Compare(left=named, ops=[P.LtE()], comparators=[C(INT64_MAX)])
            else:
                test = P.Compare(left=C(INT64_MIN), ops=[P.LtE()], comparators=[named])
        else:
            test = P.Compare(left=C(INT64_MIN), ops=[P.LtE(), P.LtE()], comparators=[named, C(INT64_MAX)])
        return P.IfExp(test=test, body=N(t), orelse=call(rt("wrap"), [N(t)], pos))

    def e_CallExpr(self, n):
        inline = self.inline_builtin(n)
        if inline is not None:
            return inline
        f = self.expr(n.func)
        args = [N("G")] + [self.expr(a) for a in n.args]
        if n.ellipsis:
            args[-1] = P.Starred(value=call(rt("spread"), [args[-1]], n.pos), ctx=P.Load())
        if self.program.count_allocs:
            return call(rt("callcount"), [f] + args, n.pos)
        return call(f, args, n.pos)

    def inline_builtin(self, n):
        """``is_<kind>(x)``, ``is_undefined(x)`` and ``len(x)`` of an array or map as Python
        expressions; None for any other call (then nothing was generated)."""
        if n.ellipsis or len(n.args) != 1 or not isinstance(n.func, A.Ident) or self.program.count_allocs:
            return None
        sym = self.res.uses.get(id(n.func))
        if sym is None or sym.kind != "builtin":
            return None
        name = sym.name
        if name not in _TYPE_PREDICATES and name not in ("is_undefined", "len"):
            return None
        x = self.expr(n.args[0])
        if name == "is_undefined":
            if isinstance(x, P.Constant):
                return _pos(C(x.value is None), n.pos)
            return _pos(self.is_none(x), n.pos)
        if name == "len":
            first, later = self.operand(x, exposed=False)
            fast = P.Call(func=N("len"), args=[later], keywords=[])
            slow = call(N(self.program.builtin_ref("len")), [N("G"), later], n.pos)
            test = P.BoolOp(op=P.Or(), values=[type_is(first, "list"), type_is(later, "dict")])
            return _pos(P.IfExp(test=test, body=fast, orelse=slow), n.pos)
        return _pos(type_is(x, _TYPE_PREDICATES[name]), n.pos)

    def e_IndexExpr(self, n):
        """``o[i]``: an array read with an int index in range, or a map read with a string key,
        inline; everything else (and out-of-range reads, which give undefined) through
        ``_index``. Tengo evaluates ``o`` before ``i``; the inline forms keep that order
        whenever either could fail or have effects (else ``_index`` is used as is)."""
        o, i = self.expr(n.expr), self.expr(n.index)
        epos = A.read_error_pos(n)       # (the reference's position for a failed read)
        slow = call(rt("index"), [o, i], epos)
        i_simple = isinstance(i, (P.Name, P.Constant))
        # a captured variable is read once, before the index, when the index is computed
        o_simple = isinstance(o, P.Constant) or (
            isinstance(o, P.Name) and (i_simple or not getattr(o, "_tengo_shared", False)))
        if self.program.count_allocs:
            return slow
        i_int = self.static_kind(n.index) == local_types.INT
        if not (o_simple or i_simple) and i_int:
            # both computed, the index an int: ``&`` evaluates both sides, o first
            to, ti = self.temp(), self.temp()
            both = P.BinOp(left=type_is(P.NamedExpr(target=S(to), value=o), "list"), op=P.BitAnd(),
                           right=P.Compare(left=P.NamedExpr(target=S(ti), value=i), ops=[P.GtE()],
                                           comparators=[C(0)]))
            test = P.BoolOp(op=P.And(), values=[both, P.Compare(
                left=N(ti), ops=[P.Lt()], comparators=[P.Call(func=N("len"), args=[N(to)], keywords=[])])])
            return _pos(P.IfExp(test=test, body=P.Subscript(value=N(to), slice=N(ti), ctx=P.Load()),
                                orelse=call(rt("index"), [N(to), N(ti)], epos)), n.pos)
        if not (o_simple or i_simple):
            # both computed: ``type(o) is not type(i) is int`` evaluates both, o first, before
            # any test can short-circuit
            to, ti = self.temp(), self.temp()
            both = P.Compare(left=P.Call(func=N("type"), args=[P.NamedExpr(target=S(to), value=o)], keywords=[]),
                             ops=[P.IsNot(), P.Is()],
                             comparators=[P.Call(func=N("type"), args=[P.NamedExpr(target=S(ti), value=i)],
                                                 keywords=[]), N("int")])
            test = P.BoolOp(op=P.And(), values=[both, type_is(N(to), "list"), P.Compare(
                left=C(0), ops=[P.LtE(), P.Lt()],
                comparators=[N(ti), P.Call(func=N("len"), args=[N(to)], keywords=[])])])
            return _pos(P.IfExp(test=test, body=P.Subscript(value=N(to), slice=N(ti), ctx=P.Load()),
                                orelse=call(rt("index"), [N(to), N(ti)], epos)), n.pos)
        if isinstance(i, P.Constant) and type(i.value) is str:
            if isinstance(o, P.Name) and o.id in self.dict_names:
                return _pos(P.Call(func=P.Attribute(value=o, attr="get", ctx=P.Load()), args=[i],
                                   keywords=[]), n.pos)
            first_o, later_o = self.operand(o)
            return _pos(P.IfExp(test=type_is(first_o, "dict"),
                                body=P.Call(func=P.Attribute(value=later_o, attr="get", ctx=P.Load()),
                                            args=[i], keywords=[]),
                                orelse=call(rt("index"), [later_o, i], epos)), n.pos)
        if o_simple and not i_simple and i_int:
            # the index is evaluated by the first test whatever its outcome
            t = self.temp()
            tests = [P.Compare(left=P.NamedExpr(target=S(t), value=i), ops=[P.GtE()], comparators=[C(0)]),
                     type_is(o, "list"),
                     P.Compare(left=N(t), ops=[P.Lt()], comparators=[P.Call(func=N("len"), args=[o], keywords=[])])]
            return _pos(P.IfExp(test=P.BoolOp(op=P.And(), values=tests),
                                body=P.Subscript(value=o, slice=N(t), ctx=P.Load()),
                                orelse=call(rt("index"), [o, N(t)], epos)), n.pos)
        if o_simple and not i_simple:
            t = self.temp()
            first_i, later_i = P.NamedExpr(target=S(t), value=i), N(t)
            tests = [type_is(first_i, "int"), type_is(o, "list")]
            first_o = later_o = o
        else:
            first_o, later_o = self.operand(o, exposed=not i_simple)
            first_i = later_i = i
            tests = [type_is(first_o, "list")]
            if not (isinstance(i, P.Constant) and type(i.value) is int) and \
                    not (isinstance(i, P.Name) and i.id in self.int_names):
                tests.append(type_is(i, "int"))
        bounds = P.Compare(left=C(0), ops=[P.LtE(), P.Lt()],
                           comparators=[later_i, P.Call(func=N("len"), args=[later_o], keywords=[])])
        fast = P.Subscript(value=later_o, slice=later_i, ctx=P.Load())
        return _pos(P.IfExp(test=P.BoolOp(op=P.And(), values=tests + [bounds]), body=fast,
                            orelse=call(rt("index"), [later_o, later_i], epos)), n.pos)

    def e_SelectorExpr(self, n):
        o = self.expr(n.expr)
        key = C(n.sel)
        if isinstance(o, P.Name) and o.id in self.dict_names:
            return _pos(P.Call(func=P.Attribute(value=o, attr="get", ctx=P.Load()), args=[key],
                               keywords=[]), n.pos)
        first, later = self.operand(o)
        fast = P.Call(func=P.Attribute(value=later, attr="get", ctx=P.Load()), args=[key], keywords=[])
        return _pos(P.IfExp(test=type_is(first, "dict"), body=fast,
                            orelse=call(rt("index"), [later, key], A.read_error_pos(n))), n.pos)

    def e_SliceExpr(self, n):
        lo = self.expr(n.low) if n.low is not None else C(None)
        hi = self.expr(n.high) if n.high is not None else C(None)
        return self.alloc(call(rt("slice"), [self.expr(n.expr), lo, hi], A.read_error_pos(n)),
                          n.pos)

    def e_FuncLit(self, n, self_sym=None):
        info = self.res.funcs[id(n)]
        params = info.params
        tco = None
        if (self_sym is not None and not n.variadic and not info.free_boxed
                and not self._has_shared_cells(n, info)):
            # identity of the callee: by code object when every closure of this code is the
            # same function (it captures nothing but itself), else by the closure itself
            mode = "self" if self._has_native_free(n, info, self_sym) else "code"
            tco = [self_sym, info.fid, params, mode, False]
        body = self.function_body(info, n.body.stmts, params, tco)
        fname = f"_tf{info.fid}"
        args = self.arguments(params, n.variadic, info.free_boxed)
        needs_self = tco is not None and tco[3] == "self" and tco[4]
        if needs_self:
            args.kwonlyargs.append(P.arg(arg="_self"))
            args.kw_defaults.append(C(None))
        fdef = P.FunctionDef(name=fname, args=args,
                             body=body, decorator_list=[], returns=None, type_comment=None)
        _pos(fdef, n.pos)
        self.program.register_function(info.fid, len(params), n.variadic,
                                       self_sym.name if self_sym is not None else "", self.filename, n.pos)
        self.pre.append(fdef)
        # a closure that captures variables is an allocation (Tengo's OpClosure), counted
        # where the literal is evaluated
        counted = self.program.count_allocs and self._captures_any(n, info)
        if needs_self:
            kwd = P.Attribute(value=N(fname), attr="__kwdefaults__", ctx=P.Load())
            self.pre.append(_pos(P.Assign(targets=[P.Subscript(value=kwd, slice=C("_self"), ctx=P.Store())],
                                          value=N(fname)), n.pos))
        if counted:
            return self.alloc(_pos(N(fname), n.pos), n.pos)
        return _pos(N(fname), n.pos)

    def _has_shared_cells(self, n, info):
        """Does a closure capture a variable of this function that lives in a Python cell (not
        a per-iteration box)? Then a self tail call must stay a call: a loop would hand the
        next call's closures the previous call's cells."""
        params = {self.res.defs.get(id(p)) for p in n.params}
        for x in A.walk(n.body):
            sym = self.res.defs.get(id(x))
            if sym is not None:
                params.add(sym)
        return any(sym is not None and sym.func is info and sym.captured and not sym.boxed
                   for sym in params)

    def _has_native_free(self, n, info, self_sym):
        """Does the function capture locals of enclosing functions other than itself?

        Self tail calls are recognised by code identity, which is only sound when every closure
        made from this code behaves the same: it must capture nothing but its own name.
        """
        ancestors = set()
        f = info.parent
        while f is not None:
            ancestors.add(id(f))
            f = f.parent
        return any(sym.kind == "local" and id(sym.func) in ancestors and sym is not self_sym
                   for _, sym in self._uses_in(n))

    def _captures_any(self, n, info):
        ancestors = set()
        f = info.parent
        while f is not None:
            ancestors.add(id(f))
            f = f.parent
        return any(sym.kind == "local" and id(sym.func) in ancestors for _, sym in self._uses_in(n))

    def _uses_in(self, fn):
        out = []
        for x in A.walk(fn.body):
            if isinstance(x, A.Ident):
                s = self.res.uses.get(id(x))
                if s is not None:
                    out.append((x, s))
        return out

