"""Type inference for native code: a function (or a hot top-level loop) from entry types to a
typed tree, or ``NotEligible(reason)``.

A *specialisation* (``Spec``) is one prototype (``fid``) with the types of its arguments and of
the free variables it reads. Inference is flow-insensitive per variable: every variable has
one type for the whole function, and every assignment must produce it. Result types of
operators come from probing ``runtime/ops.py`` itself with sample values, so the JIT can never
disagree with the baseline tier about *which* type an operation yields (``lower.py`` then
implements the values bit for bit).

What is eligible (everything else raises ``NotEligible`` with the reason, recorded in stats):
values of every type in locals, parameters, free variables (read once on entry, or through
their cells or boxes when something assigns them: ``Spec.cell_syms``, ``Spec.own_cells``,
``Spec.own_boxes``) and globals — ints,
floats and bools unboxed, everything else (and a variable that holds values of several types)
as ``OBJ``; ``if``/``else``; ``for`` loops (not ``for-in``) with ``break``/``continue``;
arithmetic, bitwise, comparison, logical and unary operators; ternaries; string, char,
undefined, array and map literals; index, selector and slice expressions and assignments to
them; ``error(x)`` and ``immutable(x)``; calls of builtins; calls to compiled Tengo functions
held by globals (self-recursion included). (A local function calling itself through its
captured name is not eligible yet.)

Entry assumptions (checked by the native entry on every call, see ``callconv.py``): the types
of the globals read, and for every callee held by a global its code object and the types of
its captured variables.
"""
from __future__ import annotations

from tengojit.builtins import TYPE_PREDICATES
from tengojit.interp import ast as A
from tengojit.operators import BINARY, COMPOUND
from . import types as T
from .types import Func, INT, FLOAT, BOOL, VOID, OBJ, join, value_type


# the most syntax nodes one compiled region (a function or loop and what it inlines) may
# have: LLVM's time grows with code size (about 25 ms per 1,000 nodes), so this bounds a
# compile to a few hundred milliseconds
MAX_REGION_NODES = 16_000


def _node_count(node):
    """Syntax nodes under ``node`` (a walk: far cheaper than the compile it may prevent)."""
    return sum(1 for _ in A.walk(node))


class NotEligible(Exception):
    """The function stays on the baseline tier; ``str()`` is the reason. ``dynamic`` is True
    when the reason is a value seen at run time (an argument's or a global's type), which may
    be different on later calls, rather than the code itself."""

    def __init__(self, reason, dynamic=False):
        super().__init__(reason)
        self.dynamic = dynamic


_SAMPLE = {INT: 3, FLOAT: 2.5, BOOL: True}


def binop_type(op, lt, rt):
    """Result type of ``lt op rt`` per the baseline's own operators (None: always an error)."""
    if lt not in _SAMPLE or rt not in _SAMPLE:
        return None
    try:
        r = BINARY[op].function(_SAMPLE[lt], _SAMPLE[rt])
    except Exception:
        return None
    return {int: INT, float: FLOAT, bool: BOOL}.get(type(r))


class Spec:
    """One specialisation of a function prototype, or a top-level loop region."""

    def __init__(self, kind, fid, node, res, code=None, arg_types=(), free_syms=(), free_types=()):
        self.kind = kind                  # "func" or "loop"
        self.fid = fid
        self.node = node                  # FuncLit or ForStmt
        self.res = res
        self.code = code
        self.arg_types = tuple(arg_types)
        self.free_syms = list(free_syms)  # Symbols of enclosing functions read here (sorted)
        self.free_types = tuple(free_types)
        # captured variables that closures assign: passed as their cells (``PyCellObject*``),
        # read and written through them, of type ``OBJ``
        self.cell_syms = frozenset()
        # this function's own variables that closures capture and something assigns after
        # their definition: each lives in a cell the function makes when its body starts (and
        # hands to the closures it makes), of type ``OBJ``
        self.own_cells = frozenset()
        # per-iteration variables defined here that closures capture and something assigns:
        # each definition makes a fresh box (a one-element list, as on the baseline tier)
        # that the closures made from then on share, of type ``OBJ``
        self.own_boxes = frozenset()
        self.local_types = {}             # Symbol -> type
        self.expr_types = {}              # id(expr) -> type
        self.calls = {}                   # id(CallExpr) -> (callee Spec, source)
        self.global_reads = {}            # slot -> type (needs an entry guard)
        self.global_writes = {}           # slot -> type
        self.defined_globals = set()      # slots defined inside a loop region (no guard)
        self.callee_objects = {}          # slot -> Spec, for callees held by globals
        self.ret = None
        self.returns_void = False
        self.changed = False              # a variable's type widened in this round
        self.dynamic_calls = {}           # id(CallExpr) -> spread?: callees known only at run time
        self.checked_calls = set()        # id(CallExpr) of global callees checked per call
        self.checked_self_tail = {}       # id(CallExpr) -> slot: self tail calls through a
        #                                   global in a region calling run-time values
        self.self_tail_calls = set()      # id(CallExpr) of self tail calls (become loops)
        self.acc_calls = set()            # id(BinaryExpr) of ``return a + self(...)`` (loops too)
        self.closures = {}                # id(FuncLit) -> (code object, Symbols in its
        #                                   co_freevars order): closures made natively
        self.name = f"spec{fid}"
        # a loop region inside a function: the function's variables it uses (read from and
        # written back to a list of values, the *frame*), and their types at entry
        self.frame_syms = []
        self.frame_types = ()
        self.in_function = False          # a loop region inside a function's body
        self.loop_returns = False         # ... holding a ``return`` (leaves the function)

    @property
    def key(self):
        return (self.kind, self.fid, self.arg_types, self.free_types)

    @property
    def params(self):
        return self.node.params

    def __repr__(self):
        return f"<Spec {self.kind} #{self.fid} {self.arg_types} free={self.free_types} -> {self.ret}>"


class Inferrer:
    """Builds and types the specialisations needed for one native region."""

    MAX_ROUNDS = 4

    def __init__(self, program, G, dynamic_globals=False):
        self.program = program
        self.G = G
        self.specs = {}            # key -> Spec
        self.order = []
        self._assign_cache = {}           # id(FuncInfo) -> what ``_assignments`` found
        # a region that calls values known only at run time may run any Tengo code in the
        # middle of an activation, which may assign any global: then no global has a type
        # assumed at entry (every one is OBJ) and calls of global functions check the
        # function object on every call
        self.dynamic_globals = dynamic_globals

    @classmethod
    def infer(cls, program, G, how, *args):
        """``Inferrer(...).<how>(*args)``, again with ``dynamic_globals`` when the region turns
        out to call values known only at run time, or is not eligible (a function it calls may
        be the reason: with ``dynamic_globals`` it calls that function as a value). A region larger than ``MAX_REGION_NODES``
        syntax nodes is not eligible: compile time grows with code size, so this bounds it
        (such code stays on the baseline tier)."""
        inf = cls(program, G)
        try:
            spec = getattr(inf, how)(*args)
            again = any(s.dynamic_calls for s in inf.order)
        except NotEligible:
            # perhaps only a function it calls is not eligible: called as a run-time value,
            # that function runs on its own tier and this region may still be native (when
            # the region itself is the reason, the second inference says so)
            again = not inf.dynamic_globals
        if again:
            inf = cls(program, G, dynamic_globals=True)
            spec = getattr(inf, how)(*args)
        size = sum(_node_count(s.node) for s in inf.order)
        if size > MAX_REGION_NODES:
            raise NotEligible(f"too large to compile: {size:,} syntax nodes "
                              f"(the limit is {MAX_REGION_NODES:,})")
        return spec

    # ------------------------------------------------------------------ entry points
    def function(self, fid, arg_types, free_values):
        """Spec for calling prototype ``fid`` with ``arg_types`` and captured values (the
        entry of a region: the whole graph's types settled)."""
        spec = self._function(fid, arg_types, free_values)
        self._settle()
        return spec

    def _function(self, fid, arg_types, free_values):
        node, res, code = self.program.jit_source(fid)
        free_syms = self.free_symbols(fid)
        if len(free_values) != len(free_syms):
            raise NotEligible("captured variables not available")
        free_types = []
        for sym, v in zip(free_syms, free_values):
            live = sym in self._closure_assignments(sym.func, res)
            free_types.append(OBJ if live else value_type(T.type_of_value(v, self.program)))
        return self.spec_for(fid, tuple(arg_types), tuple(free_types), node, res, code, free_syms)

    def loop(self, fid, node, res, frame=()):
        """Spec of the loop region ``node``; ``frame``: ``(Symbol, value)`` of each variable of
        the enclosing function the loop uses but does not define (none in the main body)."""
        spec = Spec("loop", fid, node, res)
        spec.name = f"loop{fid}_{node.pos[0]}_{node.pos[1]}"
        types = []
        for sym, v in frame:
            t = value_type(T.type_of_value(v, self.program))
            if sym.captured and not self._captured_constant(sym, res):
                raise NotEligible(f"variable '{sym.name}' is captured by a closure")
            spec.local_types[sym] = t
            types.append(t)
        spec.frame_syms = [sym for sym, _ in frame]
        spec.frame_types = tuple(types)
        # a region of a function's loop may return from the function (``loop_returns``)
        spec.in_function = res.main is None or fid != res.main.fid
        spec.loop_returns = region_returns(node)
        if spec.loop_returns and not spec.in_function:
            raise NotEligible("return in a loop region")
        spec.own_boxes = self._own_boxes(node, res)
        for s in spec.own_boxes:
            spec.local_types[s] = OBJ
        self.specs[("loop", id(node))] = spec
        self.order.append(spec)
        self._infer_loop(spec)
        self._settle()
        # a frame variable the loop assigns other types travels as any value
        spec.frame_types = tuple(spec.local_types[s] for s in spec.frame_syms)
        return spec

    # ------------------------------------------------------------------ helpers
    def free_symbols(self, fid):
        syms = self.program.jit_free_symbols(fid)
        if syms is None:
            raise NotEligible("function not prepared for the JIT")
        return syms

    def spec_for(self, fid, arg_types, free_types, node, res, code, free_syms):
        key = ("func", fid, arg_types, free_types)
        spec = self.specs.get(key)
        if spec is not None:
            return spec
        if node.variadic:
            raise NotEligible("variadic function")
        if len(arg_types) != len(node.params):
            raise NotEligible("called with the wrong number of arguments")
        spec = Spec("func", fid, node, res, code, arg_types, free_syms, free_types)
        # a captured variable that a closure assigns may change while this function runs (it
        # may call that closure): it is read and written through its cell; any other is read
        # once, on entry
        spec.cell_syms = frozenset(s for s in free_syms
                                   if s in self._closure_assignments(s.func, res))
        spec.name = f"f{fid}_" + "_".join(map(T.show, arg_types + free_types)).replace("#", "")
        self.specs[key] = spec
        self.order.append(spec)
        for p, t in zip(node.params, arg_types):
            spec.local_types[res.defs[id(p)]] = t
        for s, t in zip(free_syms, free_types):
            spec.local_types[s] = t
        spec.own_cells = self._own_cells(node, res)
        spec.own_boxes = self._own_boxes(node.body, res)
        for s in spec.own_cells | spec.own_boxes:
            spec.local_types[s] = OBJ
        self._infer_function(spec)
        return spec

    def _own_boxes(self, node, res):
        """The per-iteration variables defined (by ``:=``) in ``node`` outside nested function
        literals that closures capture and something assigns after their definition."""
        out = set()
        for x in A.walk(node, skip=(A.FuncLit,)):
            if isinstance(x, A.AssignStmt) and x.op == ":=":
                sym = res.defs.get(id(x))
                if sym is not None and sym.kind == "local" and sym.boxed and sym.func is not None \
                        and sym in self._assignments(sym.func, res)[0]:
                    out.add(sym)
        return frozenset(out)

    def _own_cells(self, node, res):
        """The variables of function literal ``node`` that must live in cells in native code:
        captured by a closure and assigned after their definition (by anyone), defined once
        per call (a per-iteration variable is boxed instead: ``_own_boxes``)."""
        finfo = res.funcs.get(id(node))
        if finfo is None:
            return frozenset()
        assigned, _ = self._assignments(finfo, res)
        out = set()
        for sym in assigned:
            if sym.kind == "local" and sym.captured and sym.func is finfo and not sym.boxed:
                out.add(sym)
        return frozenset(out)

    def _infer_function(self, spec):
        self._keep_variable_tail_calls(spec)
        for _ in range(self.MAX_ROUNDS + 4):
            before = spec.ret
            self._round(spec)
            if spec.ret == before and None not in spec.rets and not spec.changed:
                break
            if spec.ret == before and not spec.changed and self._waits_on_others(spec):
                # a return depends on a function whose inference is still running (mutual
                # recursion): settled later by _settle, over the whole graph
                break
        else:
            raise NotEligible("return type does not settle")
        self._mark_tail_calls(spec)

    def _keep_variable_tail_calls(self, spec):
        """``return f(...)`` with ``f`` the variable holding this very function (a local
        recursive function calling itself) is a jump on the baseline tier, which recursion of
        any depth relies on; native code would make it a real call, so such functions stay
        there."""
        info = self.program.functions.get(spec.fid)
        own = info.name if info is not None else None
        def tail_calls(stmts):
            if not stmts:
                return
            for s in stmts:
                if isinstance(s, A.ReturnStmt) and s.result is not None:
                    yield A.unparen(s.result)
                elif isinstance(s, A.IfStmt):
                    yield from tail_calls(s.body.stmts)
                    e = s.else_
                    if e is not None:
                        yield from tail_calls(e.stmts if isinstance(e, A.BlockStmt) else [e])
                elif isinstance(s, A.BlockStmt):
                    yield from tail_calls(s.stmts)
            last = stmts[-1]
            if isinstance(last, A.ExprStmt):
                yield A.unparen(last.expr)
        for e in tail_calls(spec.node.body.stmts):
            if isinstance(e, A.CallExpr) and isinstance(A.unparen(e.func), A.Ident):
                sym = spec.res.uses.get(id(A.unparen(e.func)))
                if sym is None or not own or sym.name != own:
                    continue
                if sym.kind == "local":
                    raise NotEligible(f"tail call of itself through variable '{sym.name}'")
        if not self.dynamic_globals:
            return
        # a region calling run-time values calls global functions as run-time values too; a
        # self tail call through the global still jumps, as on the baseline tier, while the
        # global holds this very function (checked at each call)
        for e in _tail_call_positions(spec.node.body.stmts):
            f = A.unparen(e.func)
            sym = spec.res.uses.get(id(f)) if isinstance(f, A.Ident) else None
            if sym is None or sym.kind != "global" or e.ellipsis:
                continue
            v = self.G[sym.index]
            if getattr(v, "__code__", None) is spec.code and len(e.args) == len(spec.arg_types):
                spec.checked_self_tail[id(e)] = sym.index

    def _round(self, spec):
        """One pass of inference over a function's body: its return type from its returns."""
        spec.rets = []
        spec.changed = False
        self.cur = spec
        self.block(spec.node.body.stmts, spec)
        if not _terminates(spec.node.body.stmts):
            spec.rets.append(VOID)
        known = [t for t in spec.rets if t is not None]
        if not known:
            raise NotEligible("return type cannot be inferred")
        ret = known[0]
        for t in known[1:]:
            # undefined beside values: the result is a value or undefined (an OBJ)
            ret = t if t == ret else OBJ
        spec.ret = ret

    def _waits_on_others(self, spec):
        return any(c is not spec and c.ret is None for c, _ in spec.calls.values())

    def _settle(self):
        """Passes over every function of the graph until no type changes: a function whose
        returns depend on one still being inferred (mutual recursion) is typed again."""
        for _ in range(self.MAX_ROUNDS + 4):
            moved = False
            for s in self.order:
                if s.kind != "func":
                    continue
                before = (s.ret, dict(s.local_types))
                self._round(s)
                moved |= s.changed or (s.ret, s.local_types) != before or None in s.rets
            if not moved:
                break
        else:
            raise NotEligible("return type does not settle")
        for s in self.order:
            if s.kind == "func":
                if isinstance(s.ret, Func):
                    raise NotEligible(f"returns a {T.show(s.ret)}")
                s.self_tail_calls.clear()
                s.acc_calls.clear()
                self._mark_tail_calls(s)

    def _infer_loop(self, spec):
        for _ in range(self.MAX_ROUNDS + 4):
            spec.rets = []
            spec.changed = False
            self.cur = spec
            snapshot = dict(spec.global_writes)
            self.stmt(spec.node, spec)
            if (spec.global_writes == snapshot and not spec.changed
                    and all(t is not None for t in spec.expr_types.values())):
                break
        if any(t is None for t in spec.global_writes.values()):
            raise NotEligible("type of a global cannot be inferred")

    # ------------------------------------------------------------------ statements
    def block(self, stmts, spec):
        for s in stmts:
            self.stmt(s, spec)

    def stmt(self, n, spec):
        m = getattr(self, "s_" + type(n).__name__, None)
        if m is None:
            raise NotEligible(f"statement {type(n).__name__}")
        m(n, spec)

    def s_EmptyStmt(self, n, spec):
        pass

    def s_BlockStmt(self, n, spec):
        self.block(n.stmts, spec)

    def s_ExprStmt(self, n, spec):
        self.expr(n.expr, spec)

    def s_IncDecStmt(self, n, spec):
        self.assign(n, n.expr, A.IntLit(n.pos, 1), "+=" if n.op == "++" else "-=", spec)

    def s_AssignStmt(self, n, spec):
        if len(n.lhs) != 1 or len(n.rhs) != 1:
            raise NotEligible("tuple assignment")
        self.assign(n, n.lhs[0], n.rhs[0], n.op, spec)

    def assign(self, n, target, rhs, op, spec):
        if op == ":=":
            sym = spec.res.defs[id(n)]
            t = self.expr(rhs, spec)
            self.bind(sym, t, spec, define=True)
            return
        if not isinstance(target, A.Ident):
            return self.assign_element(n, target, rhs, op, spec)
        sym = spec.res.uses[id(target)]
        if op == "=":
            t = self.expr(rhs, spec)
        else:
            lt = self.ident_type(target, sym, spec)
            rt = self.expr(rhs, spec)
            if lt is None or rt is None:
                t = None
            else:
                t = self.binary_type(COMPOUND[op], lt, rt)
            spec.expr_types[id(n)] = t
        self.bind(sym, t, spec, define=False)

    def assign_element(self, n, target, rhs, op, spec):
        """``x.a[i] = v`` (and compound forms): the value, the keys, the root variable."""
        if op == "=":
            self.expr(rhs, spec)
        else:
            lt = self.expr(target, spec)
            rt = self.expr(rhs, spec)
            spec.expr_types[id(n)] = self.binary_type(COMPOUND[op], lt, rt)
        root = target
        while isinstance(root, (A.SelectorExpr, A.IndexExpr)):
            if isinstance(root, A.IndexExpr):
                self.expr(root.index, spec)
            root = root.expr
        if not isinstance(root, A.Ident):
            raise NotEligible("assignment to an element of a computed value")
        self.expr(root, spec)

    def bind(self, sym, t, spec, define):
        if t == VOID:
            raise NotEligible(f"'{sym.name}' assigned undefined")
        t = value_type(t)
        if sym.kind == "global":
            if define and spec.kind == "loop":
                spec.defined_globals.add(sym.index)
            old = spec.global_writes.get(sym.index)
            new = join(old, t)
            read = spec.global_reads.get(sym.index)
            if read is not None and new is not None and value_type(read) != new:
                if isinstance(read, Func):
                    raise NotEligible(f"global function '{sym.name}' is reassigned")
                new = OBJ
                spec.global_reads[sym.index] = OBJ
            if new != old:
                spec.changed = True
            spec.global_writes[sym.index] = new
            return
        if sym.kind != "local":
            raise NotEligible(f"assignment to {sym.kind} '{sym.name}'")
        # a variable neither of this function (a loop region: its frame or its own) nor
        # defined here is an enclosing function's, which native code cannot write back
        if sym in spec.cell_syms or sym in spec.own_cells or sym in spec.own_boxes:
            return                          # a cell or box: any value (``OBJ``)
        if sym in spec.free_syms or (sym.func is not None and sym not in spec.local_types
                                     and not define):
            raise NotEligible(f"writes captured variable '{sym.name}'")
        old = spec.local_types.get(sym)
        new = join(old, t)
        if sym in spec.local_types and new != old:
            spec.changed = True
        if new is not None or sym not in spec.local_types:
            spec.local_types[sym] = new

    def s_IfStmt(self, n, spec):
        if n.init is not None:
            self.stmt(n.init, spec)
        self.cond(n.cond, spec)
        self.block(n.body.stmts, spec)
        if n.else_ is not None:
            self.stmt(n.else_, spec)

    def s_ForStmt(self, n, spec):
        if n.init is not None:
            self.stmt(n.init, spec)
        if n.cond is not None:
            self.cond(n.cond, spec)
        self.block(n.body.stmts, spec)
        if n.post is not None:
            self.stmt(n.post, spec)

    def s_ForInStmt(self, n, spec):
        self.expr(n.iterable, spec)
        for ident in (n.key, n.value):
            sym = spec.res.defs.get(id(ident)) if ident is not None else None
            if sym is not None:
                self.bind(sym, OBJ, spec, define=True)
        self.block(n.body.stmts, spec)

    def s_BranchStmt(self, n, spec):
        pass

    def _calls_own_function(self, e, spec):
        """Is ``e`` a call, through a global, of the function whose loop region ``spec`` is
        (a call of a run-time value: the global holds that function now)?"""
        e = A.unparen(e)
        if not isinstance(e, A.CallExpr):
            return False
        f = A.unparen(e.func)
        sym = spec.res.uses.get(id(f)) if isinstance(f, A.Ident) else None
        if sym is None or sym.kind != "global":
            return False
        own = self.program.ns.get(f"_C{spec.fid}")
        return own is not None and getattr(self.G[sym.index], "__code__", None) is own

    def s_ReturnStmt(self, n, spec):
        if spec.kind != "func":
            if not spec.in_function:
                raise NotEligible("return in a loop region")
            if n.result is not None:
                if self.expr(n.result, spec) == VOID:
                    raise NotEligible("returns the result of a function without a value")
                callee = spec.calls.get(id(n.result))
                if (callee is not None and callee[0].fid == spec.fid) or \
                        self._calls_own_function(n.result, spec):
                    # the baseline makes that call a jump (deep recursion relies on it)
                    raise NotEligible("tail call of its own function in a loop region")
            return
        if n.result is None:
            spec.rets.append(VOID)
        else:
            t = self.expr(n.result, spec)
            if t == VOID:
                raise NotEligible("returns the result of a function without a value")
            spec.rets.append(t)

    def cond(self, e, spec):
        return self.expr(e, spec)

    # ------------------------------------------------------------------ expressions
    def expr(self, n, spec):
        m = getattr(self, "e_" + type(n).__name__, None)
        if m is None:
            raise NotEligible(_describe(n))
        t = m(n, spec)
        spec.expr_types[id(n)] = t
        return t

    def e_IntLit(self, n, spec):
        return INT

    def e_FloatLit(self, n, spec):
        return FLOAT

    def e_BoolLit(self, n, spec):
        return BOOL

    def e_ParenExpr(self, n, spec):
        return self.expr(n.expr, spec)

    def e_StringLit(self, n, spec):
        return OBJ

    e_CharLit = e_UndefinedLit = e_StringLit

    def e_ArrayLit(self, n, spec):
        for e in n.elements:
            self.expr(e, spec)
        return OBJ

    def e_MapLit(self, n, spec):
        for e in n.elements:
            self.expr(e.value, spec)
        return OBJ

    def e_IndexExpr(self, n, spec):
        self.expr(n.expr, spec)
        self.expr(n.index, spec)
        return OBJ

    def e_SelectorExpr(self, n, spec):
        self.expr(n.expr, spec)
        return OBJ

    def e_SliceExpr(self, n, spec):
        self.expr(n.expr, spec)
        for e in (n.low, n.high):
            if e is not None:
                self.expr(e, spec)
        return OBJ

    def e_ImportExpr(self, n, spec):
        ref = self.program.imported(n.module_name)
        if ref is None:
            raise NotEligible("uses import")
        if ref[0] == "source":              # runs the module's Tengo code (once)
            spec.dynamic_calls[id(n)] = False
        return OBJ

    def e_FuncLit(self, n, spec):
        """A closure made in native code: the function value the baseline's nested ``def``
        makes, from the same code object, with a fresh cell per captured variable and a fresh
        box (a one-element list, the keyword default the baseline binds) per captured
        per-iteration variable. Sound only when a cell or box would never change after it is
        made: every captured variable is assigned once, by its definition, which ran before
        (not the definition the literal is part of)."""
        info = spec.res.funcs.get(id(n))
        code = self.program.ns.get(f"_C{info.fid}") if info is not None else None
        if code is None or code.co_kwonlyargcount != len(info.free_boxed):
            raise NotEligible("uses function literals")
        enclosing = set()
        f = info.parent
        while f is not None:
            enclosing.add(id(f))
            f = f.parent
        captured = {}
        for x in A.walk(n.body):
            if isinstance(x, A.Ident):
                sym = spec.res.uses.get(id(x))
                if sym is not None and sym.kind == "local" and id(sym.func) in enclosing:
                    captured[sym.pyname] = sym
        cells = [captured.get(name) for name in code.co_freevars]
        boxed = list(info.free_boxed)           # per-iteration variables: a box each (kw-only)
        if None in cells or [s.pyname for s in boxed] != list(
                code.co_varnames[code.co_argcount:code.co_argcount + len(boxed)]):
            raise NotEligible("uses function literals")
        for sym in cells + boxed:
            if sym.boxed != (sym in boxed):
                raise NotEligible("uses function literals")
            assigned, defining = self._assignments(sym.func, spec.res)
            if sym in assigned and not (sym in spec.own_cells or sym in spec.cell_syms
                                        or sym in spec.own_boxes):
                raise NotEligible(f"function literal captures variable '{sym.name}', which is assigned")
            if any(n is x for x in A.walk(defining.get(sym, ()))):
                raise NotEligible(f"function literal captures '{sym.name}', the variable it defines")
            self.ident_type(n, sym, spec)      # native code must hold its value
        spec.closures[id(n)] = (code, cells, boxed)
        return OBJ

    def _captured_constant(self, sym, res):
        """May a loop region take captured variable ``sym`` of its function as a plain frame
        value? Yes when nothing assigns it after its definition (closures included) and it
        is not a per-iteration box: its cell then holds that one value for as long as the
        region runs, and a closure the region makes over it (``e_FuncLit``) sees the same
        value through a fresh cell."""
        if sym.boxed or sym.func is None:
            return False
        assigned, _ = self._assignments(sym.func, res)
        return sym not in assigned

    def _closure_assignments(self, finfo, res):
        """The variables that a function literal nested anywhere in ``finfo``'s body assigns
        (other than by defining them)."""
        cache = self._assign_cache
        got = cache.get(("closures", id(finfo)))
        if got is not None:
            return got
        got = set()
        if finfo is not None:
            for x in A.walk(finfo.node.body):
                if isinstance(x, A.FuncLit):
                    got |= assigned_in(x.body, res)
        cache[("closures", id(finfo))] = got
        return got

    def _assignments(self, finfo, res):
        """(variables assigned other than by their definition anywhere in ``finfo``'s body,
        closures included; {variable: right-hand sides of its definition}); ``res``: the
        resolution of its file."""
        cache = self._assign_cache
        got = cache.get(id(finfo))
        if got is not None:
            return got
        defining = {}
        for x in A.walk(finfo.node.body):
            if isinstance(x, A.AssignStmt) and x.op == ":=":
                d = res.defs.get(id(x))               # a definition is keyed by its statement
                if d is not None:
                    defining[d] = x.rhs
        cache[id(finfo)] = got = (assigned_in(finfo.node.body, res), defining)
        return got

    def e_ErrorExpr(self, n, spec):
        self.expr(n.expr, spec)
        return OBJ

    e_ImmutableExpr = e_ErrorExpr

    def e_Ident(self, n, spec):
        return self.ident_type(n, spec.res.uses[id(n)], spec)

    def ident_type(self, n, sym, spec):
        if sym.kind == "local":
            if sym not in spec.local_types:
                raise NotEligible(f"reads variable '{sym.name}' of an enclosing scope")
            return spec.local_types[sym]
        if sym.kind == "global":
            if sym.index in spec.global_writes and (spec.kind == "loop" and
                                                    sym.index in spec.defined_globals):
                return spec.global_writes[sym.index]
            t = spec.global_reads.get(sym.index)
            if self.dynamic_globals:
                t = OBJ
            elif t is None or isinstance(t, Func):
                t = value_type(T.type_of_value(self.G[sym.index], self.program))
            w = spec.global_writes.get(sym.index)
            if w is not None and w != t:
                t = OBJ
                spec.global_writes[sym.index] = OBJ
            if spec.global_reads.get(sym.index) != t and not isinstance(
                    spec.global_reads.get(sym.index), Func):
                spec.global_reads[sym.index] = t
            return t
        raise NotEligible(f"uses builtin '{sym.name}' as a value")

    def e_UnaryExpr(self, n, spec):
        t = self.expr(n.operand, spec)
        if t is None:
            return None
        if n.op == "+":
            return t
        if n.op == "!":
            return BOOL
        if t == OBJ:
            return OBJ
        if n.op == "-" and t in (INT, FLOAT):
            return t
        if n.op == "^" and t == INT:
            return INT
        raise NotEligible(f"{n.op}{T.show(t)} is an error")

    def e_BinaryExpr(self, n, spec):
        lt = self.expr(n.left, spec)
        rt = self.expr(n.right, spec)
        if n.op in ("&&", "||"):
            return join(lt, rt)
        return self.binary_type(n.op, lt, rt)

    def binary_type(self, op, lt, rt):
        if BINARY[op].kind in ("compare", "equality"):
            if OBJ not in (lt, rt) and None not in (lt, rt) and BINARY[op].kind == "compare" \
                    and binop_type(op, lt, rt) is None:
                raise NotEligible(f"{T.show(lt)} {op} {T.show(rt)} is an error")
            return BOOL
        if lt is None or rt is None:
            return lt or rt
        if OBJ in (lt, rt):
            return OBJ
        t = binop_type(op, lt, rt)
        if t is None:
            raise NotEligible(f"{T.show(lt)} {op} {T.show(rt)} is an error")
        return t

    def e_CondExpr(self, n, spec):
        self.cond(n.cond, spec)
        a = self.expr(n.true_expr, spec)
        b = self.expr(n.false_expr, spec)
        if VOID in (a, b):
            raise NotEligible("ternary yields the result of a function without a value")
        return join(a, b)

    def dynamic_call(self, n, spec):
        """A call of a value known only at run time (any function, builtin or host function,
        or a spread call): through the runtime's own call, any result."""
        f = A.unparen(n.func)
        if not (isinstance(f, A.Ident) and spec.res.uses[id(f)].kind == "builtin"):
            self.expr(n.func, spec)
        for a in n.args:
            if self.expr(a, spec) == VOID:
                raise NotEligible("passes the result of a function without a value")
        spec.dynamic_calls[id(n)] = bool(n.ellipsis)
        return OBJ

    def e_CallExpr(self, n, spec):
        if n.ellipsis:
            return self.dynamic_call(n, spec)
        f = n.func
        while isinstance(f, A.ParenExpr):
            f = f.expr
        if not isinstance(f, A.Ident):
            return self.dynamic_call(n, spec)
        sym = spec.res.uses[id(f)]
        if sym.kind == "builtin":
            return self.builtin_call(n, sym.name, spec)
        if sym.kind == "global" and (self.dynamic_globals or not isinstance(
                T.type_of_value(self.G[sym.index], self.program), Func)):
            # (in a region that calls run-time values, a function held by a global is one
            # too: called through its own native code's call entry, compiled once, rather
            # than compiled again into every caller)
            return self.dynamic_call(n, spec)
        if sym.kind == "local" and not (spec.kind == "func" and self._is_self_reference(spec, sym)):
            return self.dynamic_call(n, spec)
        arg_types = tuple(value_type(self.expr(a, spec)) for a in n.args)
        for a, t in zip(n.args, arg_types):
            if t == VOID:
                raise NotEligible("passes the result of a function without a value")
        if sym.kind == "global":
            obj = self.G[sym.index]
            ft = T.type_of_value(obj, self.program)
            if not isinstance(ft, Func):
                raise NotEligible(f"calls global '{sym.name}' holding a {type(obj).__name__}",
                                  dynamic=True)
            if sym.index in spec.global_writes:
                raise NotEligible(f"global function '{sym.name}' is reassigned")
            spec.global_reads[sym.index] = ft
            if self.dynamic_globals:
                spec.checked_calls.add(id(n))
            source = ("global", sym.index)
            free_values = self._free_values(ft.fid, obj)
        elif sym.kind == "local" and sym in spec.free_syms and spec.kind == "func":
            raise NotEligible(f"calls captured function '{sym.name}'")
        elif sym.kind == "local" and spec.kind == "func" and self._is_self_reference(spec, sym):
            source = ("self", None)
            ft = Func(spec.code, spec.fid)
            free_values = None
        else:
            raise NotEligible(f"calls '{sym.name}', not a compiled function known at compile time")
        if None in arg_types:
            return None
        if source[0] == "self":
            callee = spec if arg_types == spec.arg_types else None
            if callee is None:
                raise NotEligible("recursive call with other argument types")
        else:
            callee = self._function(ft.fid, arg_types, free_values)
            spec.callee_objects[source[1]] = callee
        spec.calls[id(n)] = (callee, source)
        if id(n) in spec.checked_calls or callee.ret == VOID:
            # (the function object may change: its result may be any value; the result of
            # a function without a value is undefined)
            return OBJ
        return callee.ret

    def _free_values(self, fid, obj):
        syms = self.free_symbols(fid)
        names = obj.__code__.co_freevars
        cells = obj.__closure__ or ()
        out = []
        for s in syms:
            try:
                out.append(cells[names.index(s.pyname)].cell_contents)
            except (ValueError, IndexError):
                raise NotEligible(f"captured variable '{s.name}' not in a cell") from None
        return out

    def _is_self_reference(self, spec, sym):
        return False

    def builtin_call(self, n, name, spec):
        for a in n.args:
            if self.expr(a, spec) == VOID:
                raise NotEligible("passes the result of a function without a value")
        if name == "len" and len(n.args) == 1:
            return INT
        if (name in TYPE_PREDICATES or name == "is_undefined") and len(n.args) == 1:
            return BOOL
        return OBJ

    def _mark_tail_calls(self, spec):
        """``return f(...)`` calling this very specialisation becomes a jump (as the baseline does)."""
        def visit(stmts):
            for s in stmts:
                if isinstance(s, A.ReturnStmt) and isinstance(s.result, A.CallExpr):
                    c = None if id(s.result) in spec.checked_calls else spec.calls.get(id(s.result))
                    if c is not None and c[0] is spec:
                        spec.self_tail_calls.add(id(s.result))
                elif (isinstance(s, A.ReturnStmt) and isinstance(s.result, A.BinaryExpr)
                      and s.result.op == "+" and spec.ret == INT
                      and spec.expr_types.get(id(s.result.left)) == INT):
                    r = s.result.right
                    while isinstance(r, A.ParenExpr):
                        r = r.expr
                    c = spec.calls.get(id(r)) if isinstance(r, A.CallExpr) else None
                    if c is not None and c[0] is spec and id(r) not in spec.checked_calls:
                        spec.acc_calls.add(id(s.result))
                elif isinstance(s, A.IfStmt):
                    visit(s.body.stmts)
                    e = s.else_
                    if isinstance(e, A.BlockStmt):
                        visit(e.stmts)
                    elif isinstance(e, A.IfStmt):
                        visit([e])
        visit(spec.node.body.stmts)

        def visit_tail(stmts):
            # a call statement in tail position is a tail call too (its value is returned),
            # as the baseline tier and Tengo's compiler treat it
            if not stmts:
                return
            last = stmts[-1]
            if isinstance(last, A.ExprStmt) and isinstance(last.expr, A.CallExpr):
                c = None if id(last.expr) in spec.checked_calls else spec.calls.get(id(last.expr))
                if c is not None and c[0] is spec:
                    spec.self_tail_calls.add(id(last.expr))
            elif isinstance(last, A.IfStmt):
                visit_tail(last.body.stmts)
                e = last.else_
                if isinstance(e, A.BlockStmt):
                    visit_tail(e.stmts)
                elif isinstance(e, A.IfStmt):
                    visit_tail([e])
            elif isinstance(last, A.BlockStmt):
                visit_tail(last.stmts)
        visit_tail(spec.node.body.stmts)
        if len(spec.acc_calls) > 1 or self.program.count_allocs:
            # one call site only: its position fills the trace; under max_allocs each ``+``
            # counts as the baseline tier counts it
            spec.acc_calls.clear()


def _tail_call_positions(stmts):
    """The calls the baseline tier turns into jumps when they call the function itself:
    ``return f(...)`` outside loops, and a call statement last in the body (and last in the
    branches of a last ``if``)."""
    out = []

    def returns(stmts):
        for s in stmts:
            if isinstance(s, A.ReturnStmt) and isinstance(s.result, A.CallExpr):
                out.append(s.result)
            elif isinstance(s, A.IfStmt):
                returns(s.body.stmts)
                e = s.else_
                if isinstance(e, A.BlockStmt):
                    returns(e.stmts)
                elif isinstance(e, A.IfStmt):
                    returns([e])

    def last(stmts):
        if not stmts:
            return
        s = stmts[-1]
        if isinstance(s, A.ExprStmt) and isinstance(s.expr, A.CallExpr):
            out.append(s.expr)
        elif isinstance(s, A.IfStmt):
            last(s.body.stmts)
            e = s.else_
            if isinstance(e, A.BlockStmt):
                last(e.stmts)
            elif isinstance(e, A.IfStmt):
                last([e])
        elif isinstance(s, A.BlockStmt):
            last(s.stmts)
    returns(stmts)
    last(stmts)
    return out


def _terminates(stmts):
    """Does control never fall off the end of this statement list?"""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, A.ReturnStmt):
        return True
    if isinstance(last, A.IfStmt):
        if last.else_ is None:
            return False
        other = last.else_.stmts if isinstance(last.else_, A.BlockStmt) else [last.else_]
        return _terminates(last.body.stmts) and _terminates(other)
    if isinstance(last, A.BlockStmt):
        return _terminates(last.stmts)
    if isinstance(last, A.ForStmt) and last.cond is None:
        return not _has_break(last.body.stmts)
    return False


def _has_break(stmts):
    for s in stmts:
        if isinstance(s, A.BranchStmt) and s.tok == "break":
            return True
        if isinstance(s, A.IfStmt):
            if _has_break(s.body.stmts):
                return True
            e = s.else_
            if e is not None and _has_break(e.stmts if isinstance(e, A.BlockStmt) else [e]):
                return True
        if isinstance(s, A.BlockStmt) and _has_break(s.stmts):
            return True
    return False


def region_returns(loop):
    """Does the loop (not counting the function literals in it) hold a ``return``?"""
    return any(isinstance(x, A.ReturnStmt) for x in A.walk(loop.body, skip=(A.FuncLit,)))


def _describe(n):
    names = {"StringLit": "strings", "CharLit": "chars", "ArrayLit": "array literals",
             "MapLit": "map literals", "FuncLit": "function literals", "UndefinedLit": "undefined",
             "SelectorExpr": "selectors", "IndexExpr": "index expressions",
             "SliceExpr": "slices", "ErrorExpr": "error values",
             "ImmutableExpr": "immutable values"}
    return "uses " + names.get(type(n).__name__, type(n).__name__)


def assigned_in(node, res):
    """The variables assigned in ``node`` (closures included) other than by their definition."""
    assigned = set()
    for x in A.walk(node):
        if isinstance(x, A.AssignStmt):
            if x.op == ":=":
                continue
            for t in x.lhs:
                if isinstance(t, A.Ident) and res.uses.get(id(t)) is not None:
                    assigned.add(res.uses[id(t)])
        elif isinstance(x, A.IncDecStmt) and isinstance(x.expr, A.Ident):
            u = res.uses.get(id(x.expr))
            if u is not None:
                assigned.add(u)
    return assigned
