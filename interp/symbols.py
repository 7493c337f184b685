"""Name resolution with Tengo's scoping rules (stage 3 of the pipeline).

``resolve(file, builtins, predefined, is_module)`` walks the AST once, in source order, exactly
as Tengo's compiler does, and returns a ``Resolution``:

- every ``Ident`` that is read maps to a ``Symbol`` (``res.uses[id(ident)]``);
- every defining site (``:=``, ``for k, v in``, function parameters) maps to the ``Symbol`` it
  creates (``res.defs[id(node)]``, for ``for-in`` keyed by ``id(key_ident)``/``id(value_ident)``);
- assignment targets map through ``res.uses`` too (the root identifier of ``a.b[c] = x``).

Scopes: the top level of the main file is the global scope; blocks nested in it (if/for bodies)
still define *globals* (each with its own slot; the name is only visible in the block). Inside a
function, names are locals of that function. A source module's top level is a function (its
names are locals). Names not found in any scope resolve to builtins, else
``unresolved reference``.

Representation decisions the code generator needs (all on ``Symbol``):
- ``kind``: ``global`` (slot ``index`` in ``G``), ``local`` (Python name ``pyname``) or
  ``builtin`` (``name``).
- ``captured``: some nested function reads or writes it.
- ``repeatable``: its defining statement can run more than once per activation of the owning
  function (it sits in a loop body, or is a for-in variable). Tengo gives each execution of
  ``:=`` a fresh variable, so a captured repeatable local must be *boxed* (a one-element list
  created at each definition, bound into closures when they are created); every other captured
  local is an ordinary Python closure cell.
"""
from __future__ import annotations

from . import ast as A
from ..errors import CompileError


class Symbol:
    __slots__ = ("name", "kind", "index", "pyname", "func", "captured", "repeatable")

    def __init__(self, name, kind, index=-1, pyname=None, func=None, repeatable=False):
        self.name = name
        self.kind = kind
        self.index = index
        self.pyname = pyname
        self.func = func
        self.captured = False
        self.repeatable = repeatable

    @property
    def boxed(self) -> bool:
        return self.kind == "local" and self.captured and self.repeatable

    def __repr__(self):
        return f"Symbol({self.name!r}, {self.kind}, {self.index}, {self.pyname})"


class FuncInfo:
    """One Tengo function (or the main/module body) as the resolver sees it."""
    __slots__ = ("node", "parent", "fid", "params", "free_boxed", "free_assigned", "loop_depth",
                 "is_module_body")

    def __init__(self, node, parent, fid):
        self.node = node
        self.parent = parent
        self.fid = fid
        self.params = []
        self.free_boxed = []        # boxed symbols of enclosing functions used here (bind at creation)
        self.free_assigned = []     # native-cell symbols of enclosing functions assigned here (nonlocal)
        self.loop_depth = 0
        self.is_module_body = False


class Scope:
    __slots__ = ("parent", "func", "names", "is_block")

    def __init__(self, parent, func, is_block):
        self.parent = parent
        self.func = func          # None for the global scope and blocks nested in it
        self.names = {}
        self.is_block = is_block


class Resolution:
    def __init__(self):
        self.uses = {}
        self.defs = {}
        self.funcs = {}           # id(FuncLit) -> FuncInfo
        self.main = None          # FuncInfo of the file body
        self.global_names = {}    # top-level global name -> slot
        self.num_globals = 0


class Resolver:
    def __init__(self, filename, builtins, predefined, is_module, counter):
        self.filename = filename
        self.builtins = builtins
        self.res = Resolution()
        self.counter = counter    # shared itertools.count for unique Python names / function ids
        self.is_module = is_module
        self.scope = None
        self.func = None
        self.predefined = predefined

    # ------------------------------------------------------------------ helpers
    def error(self, pos, msg):
        raise CompileError(msg, self.filename, pos[0], pos[1])

    def new_pyname(self, name):
        n = next(self.counter)
        safe = name if (name.isascii() and name.isidentifier()) else ""
        return f"v{n}_{safe}"

    def push(self, is_block, func=None):
        self.scope = Scope(self.scope, func if func is not None else self.scope.func, is_block)

    def pop(self):
        self.scope = self.scope.parent

    def define(self, name, pos, repeatable=False):
        if self.scope.func is None:  # global scope or a block inside it
            sym = Symbol(name, "global", index=self.res.num_globals)
            self.res.num_globals += 1
            if self.scope.parent is None:
                self.res.global_names[name] = sym.index
        else:
            f = self.scope.func
            sym = Symbol(name, "local", pyname=self.new_pyname(name), func=f,
                         repeatable=repeatable or f.loop_depth > 0)
        self.scope.names[name] = sym
        return sym

    def lookup(self, name, pos, assigning=False):
        """Find ``name``; mark captures along the way. Returns the Symbol or None."""
        s = self.scope
        while s is not None:
            sym = s.names.get(name)
            if sym is not None:
                if sym.kind == "local" and sym.func is not self.func:
                    sym.captured = True
                    self._note_free(sym, assigning)
                return sym
            s = s.parent
        if name in self.builtins:
            return Symbol(name, "builtin")
        return None

    def _note_free(self, sym, assigning):
        # finished in resolve_file, once every symbol's 'captured' flag is final
        self._pending.append((self.func, sym, assigning))

    # ------------------------------------------------------------------ entry
    def resolve_file(self, file: A.File):
        self._pending = []
        top = Scope(None, None, False)
        self.scope = top
        main = FuncInfo(None, None, next(self.counter))
        self.res.main = main
        if self.is_module:
            main.is_module_body = True
            # a module has no global scope: its top level is a function body
            self.scope = Scope(None, main, False)
        else:
            for name in self.predefined:
                self.define(name, (0, 0))
        self.func = main if self.is_module else None
        self.main_info = main
        for st in file.stmts:
            self.stmt(st)
        # finish free-variable bookkeeping
        for f, sym, assigning in self._pending:
            g = f
            while g is not None and g is not sym.func:
                if sym.boxed:
                    if sym not in g.free_boxed:
                        g.free_boxed.append(sym)
                elif assigning and g is f:
                    if sym not in g.free_assigned:
                        g.free_assigned.append(sym)
                g = g.parent
        return self.res

    # ------------------------------------------------------------------ statements
    def stmts(self, lst):
        for s in lst:
            self.stmt(s)

    def stmt(self, n):
        m = getattr(self, "s_" + type(n).__name__)
        m(n)

    def s_ExprStmt(self, n):
        self.expr(n.expr)

    def s_EmptyStmt(self, n):
        pass

    def s_BlockStmt(self, n):
        if not n.stmts:
            return
        self.push(True)
        self.stmts(n.stmts)
        self.pop()

    def s_IncDecStmt(self, n):
        self.assign(n, [n.expr], [A.IntLit(n.pos, 1)], "+=" if n.op == "++" else "-=")

    def s_AssignStmt(self, n):
        self.assign(n, n.lhs, n.rhs, n.op)

    def assign(self, n, lhs, rhs, op):
        if len(lhs) > 1 or len(rhs) > 1:
            self.error(n.pos, "tuple assignment not allowed")
        target = lhs[0]
        root, selectors = target, []
        while True:
            if isinstance(root, A.SelectorExpr):
                selectors.append(root)
                root = root.expr
            elif isinstance(root, A.IndexExpr):
                selectors.append(root)
                root = root.expr
            else:
                break
        name = root.name if isinstance(root, A.Ident) else ""
        if op == ":=" and selectors:
            self.error(n.pos, "operator ':=' not allowed with selector")
        if op == ":=":
            if name in self.scope.names:
                self.error(n.pos, f"'{name}' redeclared in this block")
            if isinstance(rhs[0], A.FuncLit):
                # defined before its value so that the function can call itself
                self.res.defs[id(n)] = self.define(name, n.pos)
                self.expr(rhs[0])
            else:
                self.expr(rhs[0])
                self.res.defs[id(n)] = self.define(name, n.pos)
            return
        sym = self.lookup(name, n.pos, assigning=not selectors) if name else None
        if sym is None or (sym.kind == "builtin" and not selectors):
            self.error(n.pos, f"unresolved reference '{name}'")
        self.res.uses[id(root)] = sym
        for s in reversed(selectors):
            if isinstance(s, A.IndexExpr):
                self.expr(s.index)
        self.expr(rhs[0])

    def s_IfStmt(self, n):
        self.push(True)
        if n.init is not None:
            self.stmt(n.init)
        self.expr(n.cond)
        self.s_BlockStmt(n.body)
        if n.else_ is not None:
            self.stmt(n.else_)
        self.pop()

    def _loop_enter(self):
        if self.func is not None:
            self.func.loop_depth += 1

    def _loop_leave(self):
        if self.func is not None:
            self.func.loop_depth -= 1

    def s_ForStmt(self, n):
        self.push(True)
        if n.init is not None:
            self.stmt(n.init)
        self._loop_enter()
        if n.cond is not None:
            self.expr(n.cond)
        self.loops_push()
        self.s_BlockStmt(n.body)
        self.loops_pop()
        if n.post is not None:
            self.stmt(n.post)
        self._loop_leave()
        self.pop()

    def s_ForInStmt(self, n):
        self.push(True)
        self.expr(n.iterable)
        self._loop_enter()
        if n.key.name != "_":
            self.res.defs[id(n.key)] = self.define(n.key.name, n.key.pos, repeatable=True)
        if n.value is not None and n.value.name != "_":
            self.res.defs[id(n.value)] = self.define(n.value.name, n.value.pos, repeatable=True)
        self.loops_push()
        self.s_BlockStmt(n.body)
        self.loops_pop()
        self._loop_leave()
        self.pop()

    def loops_push(self):
        self.loop_stack.append(self.func)

    def loops_pop(self):
        self.loop_stack.pop()

    loop_stack: list

    def s_BranchStmt(self, n):
        if not self.loop_stack or self.loop_stack[-1] is not self.func:
            self.error(n.pos, f"{n.tok} not allowed outside loop")

    def s_ReturnStmt(self, n):
        if self.func is None:
            self.error(n.pos, "return not allowed outside function")
        if n.result is not None:
            self.expr(n.result)

    def s_ExportStmt(self, n):
        if self.func is not None and self.func is not self.main_info:
            self.error(n.pos, "export not allowed inside function")
        if self.is_module and n.result is not None:
            self.expr(n.result)

    # ------------------------------------------------------------------ expressions
    def expr(self, n):
        if n is None:
            return
        m = getattr(self, "e_" + type(n).__name__, None)
        if m is not None:
            m(n)

    def e_Ident(self, n):
        sym = self.lookup(n.name, n.pos)
        if sym is None:
            self.error(n.pos, f"unresolved reference '{n.name}'")
        self.res.uses[id(n)] = sym

    def e_ArrayLit(self, n):
        for e in n.elements:
            self.expr(e)

    def e_MapLit(self, n):
        for e in n.elements:
            self.expr(e.value)

    def e_BinaryExpr(self, n):
        self.expr(n.left)           # the reference compiles the left operand first, `<` too
        self.expr(n.right)

    def e_UnaryExpr(self, n):
        self.expr(n.operand)

    def e_CondExpr(self, n):
        self.expr(n.cond)
        self.expr(n.true_expr)
        self.expr(n.false_expr)

    def e_CallExpr(self, n):
        self.expr(n.func)
        for a in n.args:
            self.expr(a)

    def e_IndexExpr(self, n):
        self.expr(n.expr)
        self.expr(n.index)

    def e_SliceExpr(self, n):
        self.expr(n.expr)
        self.expr(n.low)
        self.expr(n.high)

    def e_SelectorExpr(self, n):
        self.expr(n.expr)

    def e_ParenExpr(self, n):
        self.expr(n.expr)

    def e_ErrorExpr(self, n):
        self.expr(n.expr)

    def e_ImmutableExpr(self, n):
        self.expr(n.expr)

    def e_FuncLit(self, n):
        info = FuncInfo(n, self.func, next(self.counter))
        self.res.funcs[id(n)] = info
        saved_func, saved_loops = self.func, self.loop_stack
        self.func = info
        self.loop_stack = []
        self.push(False, info)
        for p in n.params:
            sym = self.define(p.name, p.pos)
            info.params.append(sym)
            self.res.defs[id(p)] = sym
        self.s_BlockStmt(n.body)   # the body is a block inside the parameters' scope
        self.pop()
        self.func, self.loop_stack = saved_func, saved_loops


def resolve(file, builtins, predefined=(), is_module=False, counter=None):
    import itertools
    r = Resolver(file.name, builtins, list(predefined), is_module, counter or itertools.count())
    r.loop_stack = []
    return r.resolve_file(file)
