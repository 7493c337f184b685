"""Typed Tengo AST → LLVM IR (llvmlite.ir), one core function per specialisation.

The ABI is in ``callconv.py``. One method per node kind (``s_IfStmt``, ``e_BinaryExpr``, …);
operators are tables. Go semantics that LLVM leaves undefined are explicit: division and
modulo by zero raise Tengo's error, ``INT64_MIN / -1`` wraps and ``% -1`` is 0, shift counts
are unsigned and ``>= 64`` give 0 (or -1 for ``>>`` of a negative value). Integer arithmetic has
no ``nsw``/``nuw`` flags and floats no fast-math flags, so results are bit for bit the
baseline's. Blocks are named (``for.cond``, ``div.zero``…); allocas live in the entry block.
"""
from __future__ import annotations

import sys

import llvmlite.ir as ir

from tengojit import ops
from tengojit.interp import ast as A
from tengojit.operators import BINARY, COMPOUND
from . import callconv as cc
from .engine import (api_addr, context_helper_addrs, native_failure_addr, poll_addr,
                     poll_flag_addr, stack_limit_addr)
from . import code_entry, intrinsics, slowpaths
from .types import INT, FLOAT, BOOL, VOID, OBJ
from tengojit.limits import NO_LIMIT
from tengojit.builtins import BUILTIN_FUNCTIONS, TYPE_PREDICATES
from tengojit.values import Char, ImmutableArray, ImmutableMap
from .infer import assigned_in, binop_type

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F64 = ir.DoubleType()
PTR = I8.as_pointer()          # PyObject*
PPTR = PTR.as_pointer()        # PyObject**

LLTYPE = {INT: I64, FLOAT: F64, BOOL: I1}
_KIND_TYPE = {INT: "PyLong_Type", FLOAT: "PyFloat_Type"}


binop_result = binop_type      # scalar result type of ``lt op rt`` (None: an error)

# the operator table's lowering keys (runtime/operators.py, column ``jit``)
_PREDICATE = {"lt": "<", "gt": ">", "le": "<=", "ge": ">=", "eq": "==", "ne": "!="}
_FLOAT_ARITH = {"add": "fadd", "sub": "fsub", "mul": "fmul", "div": "fdiv"}
_INT_ARITH = {"add": "add", "sub": "sub", "mul": "mul", "and": "and_", "or": "or_", "xor": "xor"}


def _literal_float(v):
    """The value of a float literal as lowered (a constant, or one behind ``opaque``'s
    barrier), else None."""
    if isinstance(v, ir.Constant) and isinstance(v.type, ir.DoubleType):
        return v.constant
    if isinstance(v, ir.CallInstr) and isinstance(v.callee, ir.InlineAsm) and v.callee.asm == "" \
            and len(v.args) == 1 and isinstance(v.args[0], ir.Constant):
        return v.args[0].constant
    return None


def ll(t):
    if t in LLTYPE:
        return LLTYPE[t]
    return PTR          # OBJ / Func: a PyObject*


_COUNTED_NODES = (A.ArrayLit, A.MapLit, A.ErrorExpr, A.ImmutableExpr, A.SliceExpr)


def counts_alloc(n) -> bool:
    """Does the baseline tier count expression ``n`` as one allocation under max_allocs
    (``codegen``'s ``alloc`` sites that are expressions; calls, compound assignments and
    ``for-in`` are counted where they are lowered)?"""
    if isinstance(n, A.BinaryExpr):
        return n.op not in ("&&", "||", "==", "!=")
    if isinstance(n, A.UnaryExpr):
        return n.op == "^" or (n.op == "-" and not isinstance(n.operand, (A.IntLit, A.FloatLit)))
    return isinstance(n, _COUNTED_NODES)


class Runtime:
    """Addresses of the CPython objects and functions native code uses; IR names each by a
    symbol of its own (``tj.rt.<name>``, see ``ModuleBuilder.const_ptr``)."""

    def __init__(self):
        import ctypes
        self.addr = {
            "PyLong_Type": id(int), "PyFloat_Type": id(float), "PyBool_Type": id(bool),
            "PyList_Type": id(list), "PyFunction_Type": id(type(lambda: 0)),
            "PyDict_Type": id(dict), "PyUnicode_Type": id(str), "PyBytes_Type": id(bytes),
            "ImmutableMap_Type": id(ImmutableMap),
            "Py_True": id(True), "Py_False": id(False), "Py_None": id(None),
        }
        for fn in ("PyLong_AsLongLong", "PyLong_FromLongLong", "PyFloat_FromDouble",
                   "Py_IncRef", "Py_DecRef", "PyObject_Vectorcall", "PyObject_CallOneArg",
                   "PyLong_FromVoidPtr", "PyErr_Occurred", "PyLong_AsLongLongAndOverflow",
                   "PyThreadState_Get", "PyMem_RawMalloc", "PyMem_RawFree",
                   "PyErr_CheckSignals", "PyList_SetItem", "_Py_Dealloc", "PyList_New",
                   "PyDict_New", "PyDict_SetItem", "PyDict_GetItemWithError", "PyList_Append",
                   "PyErr_Fetch", "PyErr_NormalizeException", "PyErr_NoMemory",
                   "PyUnicode_Compare", "PyException_SetTraceback", "_PyCode_GetExtra",
                   "PyUnicode_Substring", "PyList_GetSlice", "PyFunction_New", "PyCell_New",
                   "PyTuple_New", "PyTuple_SetItem", "PyFunction_SetClosure",
                   "PyFunction_SetKwDefaults"):
            self.addr[fn] = api_addr(fn)
        self.addr["tengojit_stack_limit"] = stack_limit_addr()
        self.addr["tengojit_native_failure"] = native_failure_addr()
        self.addr["array_Type"] = id(__import__("array").array)
        self.addr["tengojit_poll"] = poll_addr()
        self.addr["tengojit_poll_flag"] = poll_flag_addr()
        self.addr.update(context_helper_addrs())
        self.addr["ImmutableArray_Type"] = id(ImmutableArray)
        del ctypes
        self.symbols = {}              # address -> symbol name (the first name of an address)
        for name, a in self.addr.items():
            self.symbols.setdefault(a, f"tj.rt.{name}")


_RT = None


def runtime():
    global _RT
    if _RT is None:
        _RT = Runtime()
    return _RT


LAZY = "lazy"    # the lowering's tag of a ``Lazy`` value (never an inferred type)


class Lazy:
    """An arithmetic result over dynamic operands whose boxing is put off
    (``CoreLowering.lazy_binary``): when ``isf`` (i1) it is the float ``f`` and ``o`` is NULL,
    else ``o`` is the owned object. Only the operands of arithmetic see it; everything else
    gets a boxed value (``lazy_object``)."""
    __slots__ = ("isf", "f", "o", "isi", "i")

    def __init__(self, isf, f, o, isi=None, i=None):
        self.isf, self.f, self.o = isf, f, o
        # only from ``dynamic_binop(..., keep_int=True)`` (an assignment's value): when
        # ``isi`` the value is the int ``i`` and ``o`` is NULL
        self.isi, self.i = isi, i


class _Args(list):
    """Call arguments ``[(value, type)]`` and, in ``owned``, whether each is a reference of
    its own (``CoreLowering.args``)."""

    def __init__(self):
        super().__init__()
        self.owned = []


class ModuleBuilder:
    """Builds one LLVM module: the cores of a set of specialisations (+ wrappers, see wrapper.py)."""

    def __init__(self, name, file_ids):
        self.m = ir.Module(name=name)
        self.rt = runtime()
        self.file_ids = file_ids
        self.cores = {}
        self._helpers = {}
        self.consts = []          # Python objects whose addresses the code embeds (kept alive)
        self.runtime_ops = {}     # operation -> sites done only by a runtime call (stats)
        self.bindings = {}        # symbol name -> the address the engine links it to
        self._symbols = {}        # address -> its symbol (a declared global)
        self._opaque = self.m.context.get_identified_type("tj.obj")
        self._hints = []          # the map access sites' inline caches (``dict_hint``)
        # does the entry hold assumptions a slow path or poll must check again (types of
        # globals, callee objects, the globals list's length)? If not, no ``tj_revalidate``
        # is made: refreshing the context's pointer to the globals' items is all there is
        self.guarded = True
        # spec -> address of its ``<core>_run`` compiled in an earlier module (an entry-only
        # module, see ``dispatch.LazyCallEntry``)
        self.external_runs = {}

    # ------------------------------------------------------------------ constants and helpers
    def const_ptr(self, b, addr, ty=PTR):
        """The address ``addr`` (a Python object, a C function or variable of this process) as
        a constant of type ``ty``. The IR never holds the number: it refers to a symbol —
        ``tj.rt.<name>`` for the runtime's addresses, ``tj.k<i>`` for the others, numbered in
        order of first use — that the engine binds to ``addr`` when it links the module
        (``bindings``). So the same code lowers to the same IR in every process, and object
        code made in one process runs in another once linked there (``jit.cache``). One
        symbol per address: LLVM may assume that two globals differ, and here they do."""
        if not addr:
            return ir.Constant(ty, None)
        g = self._symbols.get(addr)
        if g is None:
            name = self.rt.symbols.get(addr) or f"tj.k{len(self._symbols)}"
            g = self._symbols[addr] = ir.GlobalVariable(self.m, self._opaque, name=name)
            self.bindings[name] = addr
        return b.bitcast(g, ty)

    def api(self, b, name, ret, args):
        fnty = ir.FunctionType(ret, args)
        return self.const_ptr(b, self.rt.addr[name], fnty.as_pointer())

    @staticmethod
    def core_args(spec):
        """The argument types of a function specialisation's core: (ctx, depth, arguments...,
        captured values...)."""
        return [PTR, I64] + [ll(t) for t in spec.arg_types] + [ll(t) for t in spec.free_types]

    def declare_core(self, spec):
        if spec.kind == "loop":
            # (a region that may return from its function: the value's slot, last)
            fnty = ir.FunctionType(I1, [PTR] + [ll(t).as_pointer() for t in spec.frame_types]
                                   + ([PPTR] if spec.loop_returns else []))
        else:
            fnty = ir.FunctionType(self.ret_type(spec), self.core_args(spec))
        f = ir.Function(self.m, fnty, name=spec.name)
        f.linkage = "internal" if spec.kind == "func" else "external"
        self.cores[spec] = f
        return f

    def twin(self, spec, i=1):
        """A second copy of a recursive specialisation's core: each copy calls the other, and
        LLVM's inliner, which never inlines a function into itself, inlines the copy instead —
        one level of the recursion unrolled, as gcc does for self-recursive C functions."""
        f = ir.Function(self.m, self.cores[spec].function_type, name=f"{spec.name}_copy{i}")
        f.linkage = "internal"
        return f

    @staticmethod
    def ret_type(spec):
        """``{T, i1}`` (value, error) for a value-returning function, ``i1`` (error) otherwise."""
        if spec.ret == VOID:
            return I1
        return ir.LiteralStructType([ll(spec.ret), I1])

    def stack_pointer(self, b):
        """The current stack pointer as an i64 (x86-64 ``rsp``, read by a side-effect-free
        inline asm that LLVM may schedule freely: it only needs to be within this frame)."""
        asm = ir.InlineAsm(ir.FunctionType(I64, []), "mov %rsp, $0", "=r", side_effect=False)
        return b.call(asm, [])

    def frame_bound(self, fn):
        """A constant i64 global: an upper bound on the stack bytes one recursion level of the
        ring starting at ``fn`` uses (set by ``set_frame_bound`` once the module is lowered)."""
        g = ir.GlobalVariable(self.m, I64, name=f"{fn.name}.frame_bytes")
        g.linkage = "internal"
        g.global_constant = True
        return g

    def set_frame_bound(self, g, ring):
        """Bound one level of ``ring`` (a copy plus the functions it may inline, transitively,
        other than the ring's copies) at 16 bytes per IR instruction, plus 128 for the return
        address, saved registers and alignment: LLVM spills at most one 8-byte slot per value
        an instruction defines."""
        ring_names = {f.name for f in ring}
        count, seen, todo = 0, set(), [ring[0]]
        while todo:
            f = todo.pop()
            if f.name in seen:
                continue
            seen.add(f.name)
            for bb in f.blocks:
                for ins in bb.instructions:
                    count += 1
                    callee = getattr(ins, "callee", None)
                    if isinstance(callee, ir.Function) and callee.blocks and \
                            callee.name not in ring_names:
                        todo.append(callee)
        g.initializer = ir.Constant(I64, 16 * count + 128)

    def helper(self, name):
        h = self._helpers.get(name)
        if h is None:
            h = self._helpers[name] = getattr(self, "_mk_" + name)()
        return h

    def _mk_unbox_int(self):
        """i64 value of a PyLong in int64 range: inline for 0/1 digit, else PyLong_AsLongLong."""
        f = ir.Function(self.m, ir.FunctionType(I64, [PTR]), name="tj_unbox_int")
        f.linkage = "internal"
        f.attributes.add("alwaysinline")
        obj = f.args[0]
        b = ir.IRBuilder(f.append_basic_block("entry"))
        size = b.load(b.bitcast(b.gep(obj, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer()))
        dptr = b.bitcast(b.gep(obj, [ir.Constant(I64, cc.OFF_LONG_DIGIT)]), I32.as_pointer())
        small = b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 1)), ir.Constant(I64, 2))
        fast = f.append_basic_block("fast")
        slow = f.append_basic_block("slow")
        b.cbranch(small, fast, slow)
        b.position_at_end(fast)
        d = b.zext(b.load(dptr), I64)
        d = b.select(b.icmp_signed("==", size, ir.Constant(I64, 0)), ir.Constant(I64, 0), d)
        b.ret(b.select(b.icmp_signed("<", size, ir.Constant(I64, 0)), b.sub(ir.Constant(I64, 0), d), d))
        b.position_at_end(slow)
        b.ret(b.call(self.api(b, "PyLong_AsLongLong", I64, [PTR]), [obj]))
        return f

    def slow_call(self, n):
        """``PyObject* tj_slow<n>(ctx, fn, a0, …)``: ``fn(a0, …)`` through
        ``PyObject_Vectorcall`` (a slow path), then the entry's assumptions checked again
        (``tj_revalidate``). NULL when the call raised (``ctx.err`` = ``ERR_PYEXC``) or the
        assumptions no longer hold (``ERR_STATE_CHANGED``, the result released)."""
        name = f"slow{n}"
        h = self._helpers.get(name)
        if h is not None:
            return h
        f = ir.Function(self.m, ir.FunctionType(PTR, [PTR, PTR] + [PTR] * n), name=f"tj_slow{n}")
        f.linkage = "internal"
        f.attributes.add("noinline")
        self._helpers[name] = f
        ctx, fn = f.args[0], f.args[1]
        b = ir.IRBuilder(f.append_basic_block("entry"))
        arr = b.alloca(ir.ArrayType(PTR, max(1, n)))
        for i, a in enumerate(f.args[2:]):
            b.store(a, b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, i)]))
        vc = self.api(b, "PyObject_Vectorcall", PTR, [PTR, PPTR, I64, PTR])
        r = b.call(vc, [fn, b.bitcast(arr, PPTR), ir.Constant(I64, n), ir.Constant(PTR, None)])
        err = b.bitcast(b.gep(ctx, [ir.Constant(I64, cc.CTX_ERR)]), I32.as_pointer())
        raised, called = f.append_basic_block("raised"), f.append_basic_block("called")
        b.cbranch(b.icmp_unsigned("==", r, ir.Constant(PTR, None)), raised, called)
        b.position_at_end(raised)
        b.store(ir.Constant(I32, cc.ERR_PYEXC), err)
        b.ret(ir.Constant(PTR, None))
        b.position_at_end(called)
        changed, ok = f.append_basic_block("changed"), f.append_basic_block("ok")
        b.cbranch(self.revalidated(b, ctx), changed, ok)
        b.position_at_end(changed)
        b.call(self.api(b, "Py_DecRef", ir.VoidType(), [PTR]), [r])
        b.store(ir.Constant(I32, cc.ERR_STATE_CHANGED), err)
        b.ret(ir.Constant(PTR, None))
        b.position_at_end(ok)
        b.ret(r)
        return f

    def _mk_xdecref(self):
        """``Py_XDECREF`` out of line (exits and error paths: small code, not hot)."""
        f = ir.Function(self.m, ir.FunctionType(ir.VoidType(), [PTR]), name="tj_xdecref")
        f.linkage = "internal"
        f.attributes.add("noinline")
        v = f.args[0]
        b = ir.IRBuilder(f.append_basic_block("entry"))
        go, free, done = (f.append_basic_block("go"), f.append_basic_block("free"),
                          f.append_basic_block("done"))
        b.cbranch(b.icmp_unsigned("==", v, ir.Constant(PTR, None)), done, go)
        b.position_at_end(go)
        p = b.bitcast(v, I64.as_pointer())
        n = b.sub(b.load(p), ir.Constant(I64, 1))
        b.store(n, p)
        b.cbranch(b.icmp_signed("==", n, ir.Constant(I64, 0)), free, done)
        b.position_at_end(free)
        b.call(self.api(b, "_Py_Dealloc", ir.VoidType(), [PTR]), [v])
        b.branch(done)
        b.position_at_end(done)
        b.ret_void()
        return f

    def dict_hint(self):
        """A fresh inline-cache slot (an internal i64 global, 0 at first) for one map access
        site: the entry index where its key was last found (``tj_dict_slot``)."""
        g = ir.GlobalVariable(self.m, I64, name=f"tj.hint{len(self._hints)}")
        g.linkage = "internal"
        g.initializer = ir.Constant(I64, 0)
        self._hints.append(g)
        return g

    def _mk_dict_slot(self):
        """``PyObject** tj_dict_slot(dict, key, i64* hint)``: the address of the value that
        ``dict`` (a dict or a subclass of it with dict's layout) holds under the very object
        ``key``, or NULL (not found this way: the caller asks ``PyDict_GetItemWithError``, which
        also finds equal keys that are other objects). Inline: the entry the site's ``hint``
        names is checked; on a miss ``tj_dict_scan`` searches a small table and updates it.
        Only combined tables with str keys are read (callconv.py has the layout)."""
        f = ir.Function(self.m, ir.FunctionType(PPTR, [PTR, PTR, I64.as_pointer()]),
                        name="tj_dict_slot")
        f.linkage = "internal"
        f.attributes.add("alwaysinline")
        d, key, hint = f.args
        b = ir.IRBuilder(f.append_basic_block("entry"))
        keys, entries, n = self._dict_table(b, d)
        h = b.load(hint)
        probe, miss, hit = (f.append_basic_block(x) for x in ("probe", "miss", "hit"))
        b.cbranch(b.icmp_unsigned("<", h, n), probe, miss)
        b.position_at_end(probe)
        entry = b.gep(entries, [b.mul(h, ir.Constant(I64, cc.DICT_ENTRY_BYTES))])
        b.cbranch(b.icmp_unsigned("==", b.load(b.bitcast(entry, PPTR)), key), hit, miss)
        b.position_at_end(hit)
        b.ret(b.bitcast(b.gep(entry, [ir.Constant(I64, 8)]), PPTR))
        b.position_at_end(miss)
        b.ret(b.call(self.helper("dict_scan"), [d, key, hint]))
        return f

    def _dict_table(self, b, d):
        """(keys, first entry, entries in use) of dict ``d``; entries in use is 0 unless the
        table is combined with str keys (so every probe of it misses)."""
        keys = self.load_ptr(b, d, cc.OFF_DICT_KEYS)
        values = self.load_ptr(b, d, cc.OFF_DICT_VALUES)
        kind = b.load(b.gep(keys, [ir.Constant(I64, cc.OFF_DK_KIND)]))
        log2 = b.zext(b.load(b.gep(keys, [ir.Constant(I64, cc.OFF_DK_LOG2_INDEX_BYTES)])), I64)
        first = b.add(ir.Constant(I64, cc.OFF_DK_INDICES), b.shl(ir.Constant(I64, 1), log2))
        entries = b.gep(keys, [first])
        used = b.load(b.bitcast(b.gep(keys, [ir.Constant(I64, cc.OFF_DK_NENTRIES)]), I64.as_pointer()))
        usable = b.and_(b.icmp_unsigned("==", values, ir.Constant(PTR, None)),
                        b.icmp_unsigned("==", kind, ir.Constant(I8, cc.DK_KIND_UNICODE)))
        return keys, entries, b.select(usable, used, ir.Constant(I64, 0))

    def _mk_dict_scan(self):
        """``PyObject** tj_dict_scan(dict, key, i64* hint)``: ``tj_dict_slot``'s miss — the
        entries of a table of at most ``DICT_SCAN_MAX`` searched for ``key`` by identity; a
        find is remembered in ``hint``."""
        f = ir.Function(self.m, ir.FunctionType(PPTR, [PTR, PTR, I64.as_pointer()]),
                        name="tj_dict_scan")
        f.linkage = "internal"
        f.attributes.add("noinline")
        d, key, hint = f.args
        entry_b = f.append_basic_block("entry")
        loop, body, found, none = (f.append_basic_block(x) for x in ("loop", "body", "found", "none"))
        b = ir.IRBuilder(entry_b)
        _, entries, n = self._dict_table(b, d)
        small = b.icmp_unsigned("<=", n, ir.Constant(I64, cc.DICT_SCAN_MAX))
        b.cbranch(small, loop, none)
        b.position_at_end(loop)
        i = b.phi(I64)
        i.add_incoming(ir.Constant(I64, 0), entry_b)
        b.cbranch(b.icmp_unsigned("<", i, n), body, none)
        b.position_at_end(body)
        entry = b.gep(entries, [b.mul(i, ir.Constant(I64, cc.DICT_ENTRY_BYTES))])
        nxt = b.add(i, ir.Constant(I64, 1))
        i.add_incoming(nxt, body)
        b.cbranch(b.icmp_unsigned("==", b.load(b.bitcast(entry, PPTR)), key), found, loop)
        b.position_at_end(found)
        b.store(i, hint)
        b.ret(b.bitcast(b.gep(entry, [ir.Constant(I64, 8)]), PPTR))
        b.position_at_end(none)
        b.ret(ir.Constant(PPTR, None))
        return f

    def _mk_revalidate(self):
        """``i1 tj_revalidate(ctx)``: the entry's assumptions checked again after a slow path
        (1: they no longer hold). Declared here, defined by ``WrapperBuilder.revalidate``."""
        f = ir.Function(self.m, ir.FunctionType(I1, [PTR]), name="tj_revalidate")
        f.linkage = "internal"
        f.attributes.add("noinline")
        return f

    def revalidated(self, b, ctx):
        """After a slow path (other code ran): the entry's assumptions checked again, the
        context's pointer to the globals' items refreshed; an i1, 1 when they no longer hold."""
        if self.guarded:
            return b.call(self.helper("revalidate"), [ctx])
        field = lambda off: b.bitcast(b.gep(ctx, [ir.Constant(I64, off)]), PPTR)
        G = b.load(field(cc.CTX_GLOBALS_LIST))
        items = b.load(b.bitcast(b.gep(G, [ir.Constant(I64, cc.OFF_LIST_ITEMS)]), PPTR))
        b.store(items, field(cc.CTX_GLOBALS))
        return ir.Constant(I1, 0)

    def poll(self, b, ctx):
        """A poll (``_hostcall.tengojit_poll_ctx``), then the entry's assumptions checked
        again: an i1, 1 when the activation must stop (``ctx.err`` set: ``ERR_PYEXC`` for a
        stop request, ``ERR_INTERRUPTED`` for a signal, ``ERR_STATE_CHANGED``)."""
        code = b.call(self.api(b, "tengojit_poll_ctx", I32, [PTR]), [ctx])
        stopped = b.icmp_signed("!=", code, ir.Constant(I32, 0))
        if not self.guarded:
            return stopped
        f = b.function
        check, done = f.append_basic_block("poll.recheck"), f.append_basic_block("poll.checked")
        here = b.block
        b.cbranch(stopped, done, check)
        b.position_at_end(check)
        changed = b.call(self.helper("revalidate"), [ctx])
        err = b.bitcast(b.gep(ctx, [ir.Constant(I64, cc.CTX_ERR)]), I32.as_pointer())
        code = b.select(changed, ir.Constant(I32, cc.ERR_STATE_CHANGED), b.load(err))
        b.store(code, err)
        check_end = b.block
        b.branch(done)
        b.position_at_end(done)
        out = b.phi(I1)
        out.add_incoming(ir.Constant(I1, 1), here)
        out.add_incoming(changed, check_end)
        return out

    def push_trace(self, b, ctx, fid, line, col, times=None):
        """Append (file, line, col) to the context's trace, ``times`` (an i64) times or once
        (``_hostcall.tengojit_push_trace``: error paths only)."""
        if times is None:
            fn = self.api(b, "tengojit_push_trace", ir.VoidType(), [PTR, I32, I32, I32])
            b.call(fn, [ctx, fid, line, col])
        else:
            fn = self.api(b, "tengojit_push_trace_n", ir.VoidType(), [PTR, I32, I32, I32, I64])
            b.call(fn, [ctx, fid, line, col, times])

    def box(self, b, t, v):
        if t == INT:
            return b.call(self.api(b, "PyLong_FromLongLong", PTR, [I64]), [v])
        if t == FLOAT:
            return b.call(self.api(b, "PyFloat_FromDouble", PTR, [F64]), [v])
        if t == BOOL:
            obj = b.select(v, self.const_ptr(b, self.rt.addr["Py_True"]),
                           self.const_ptr(b, self.rt.addr["Py_False"]))
            refcnt = b.bitcast(obj, I64.as_pointer())          # Py_INCREF, inline
            b.store(b.add(b.load(refcnt), ir.Constant(I64, 1)), refcnt)
            return obj
        if t == OBJ:
            return v
        raise TypeError(t)

    def unbox(self, b, t, obj):
        if t == INT:
            return b.call(self.helper("unbox_int"), [obj])
        if t == FLOAT:
            return b.load(b.bitcast(b.gep(obj, [ir.Constant(I64, cc.OFF_FLOAT_VAL)]), F64.as_pointer()))
        if t == BOOL:
            return b.icmp_unsigned("==", obj, self.const_ptr(b, self.rt.addr["Py_True"]))
        return obj

    def type_of(self, b, obj):
        return b.load(b.bitcast(b.gep(obj, [ir.Constant(I64, cc.OFF_OB_TYPE)]), PPTR))

    def load_ptr(self, b, obj, off):
        return b.load(b.bitcast(b.gep(obj, [ir.Constant(I64, off)]), PPTR))

    def cell(self, b, func_obj, cell_index):
        """Cell ``cell_index`` of a function's closure."""
        clo = self.load_ptr(b, func_obj, cc.OFF_FUNC_CLOSURE)
        return self.load_ptr(b, clo, cc.OFF_TUPLE_ITEMS + 8 * cell_index)

    def cell_value(self, b, func_obj, cell_index):
        """The object in cell ``cell_index`` of a function's closure."""
        return self.load_ptr(b, self.cell(b, func_obj, cell_index), cc.OFF_CELL_REF)

    def free_args(self, b, func_obj, spec):
        """The captured-value arguments of ``spec``'s core for function object ``func_obj``
        (its types already checked): each value unboxed, or the cell itself for the variables
        closures assign (``spec.cell_syms``)."""
        names = spec.code.co_freevars
        out = []
        for s, t in zip(spec.free_syms, spec.free_types):
            i = names.index(s.pyname)
            out.append(self.cell(b, func_obj, i) if s in spec.cell_syms
                       else self.unbox(b, t, self.cell_value(b, func_obj, i)))
        return out


class CoreLowering:
    """Emits the body of one specialisation's core function."""

    def __init__(self, mb: ModuleBuilder, spec, program, promoted=(), function=None,
                 self_target=None, check_depth=True, max_inline=0, descent=None,
                 check_stack=True, polls=True):
        self.mb = mb
        self.spec = spec
        self.program = program
        self.f = function if function is not None else mb.cores[spec]
        # where calls of this very specialisation go: its twin (see ModuleBuilder.twin), so
        # that LLVM inlines one level of the recursion into each copy
        self.self_target = self_target
        self.max_inline = max_inline
        # every function (each copy of a recursion ring too) tests the depth on entry and on
        # every virtual frame; False only for a copy whose depth is proven bounded (descent.py)
        self.checks_depth = check_depth
        # tests the stack pointer against the thread's limit on entry: functions that can
        # recurse (one copy of each ring of 8, see dispatch._compile), not the others
        self.checks_stack = check_stack
        # polls on entry (``poll_check``): one copy of each recursion ring (the bounded ring's
        # too) and every function of a call cycle, so that recursion of any kind polls
        self.polls_on_entry = polls
        # max_allocs: count allocations where the baseline tier does (``count_alloc``)
        self.counting = bool(getattr(program, "count_allocs", False))
        # (param index, K, unchecked core): on entry, hand a call whose argument bounds the
        # recursion within the budget to the copy without depth tests (see descent.py)
        self.descent = descent
        self.only_self_calls = all(c is spec for c, _ in spec.calls.values())
        self.file_id = mb.file_ids(spec)
        self.promoted = set(promoted)
        self.acc_exprs = []
        self.vars = {}          # Symbol -> alloca
        self.borrowed_vars = set()   # parameters whose slot borrows the caller's argument
        self.cells = {}         # Symbol -> its cell (``spec.cell_syms``: a borrowed argument)
        self.gvars = {}         # slot -> (alloca, dirty alloca)
        self.loops = []         # (continue block, break block)
        self.live = []          # owned OBJ temporaries an error exit here must release
        self._fail_exits = {}   # shared error exits (see ``fail``)
        if any(t == OBJ for t in spec.local_types.values()) or spec.ret == OBJ:
            self.max_inline = 0

    # ------------------------------------------------------------------ scaffolding
    def lower(self):
        f = self.f
        self.entry = f.append_basic_block("entry")
        self.b = b = ir.IRBuilder(self.entry)
        self.ctx = f.args[0]
        self.status = b.alloca(I1, name="error")
        b.store(ir.Constant(I1, 0), self.status)
        self.ret_block = f.append_basic_block("return")
        self.err_target = self.ret_block     # where an error leaves to (an inlined frame's exit)
        self.inline_ret = None               # (result slot, continue block) inside an inlined call
        self.inline_depth = 0
        spec = self.spec
        if spec.kind == "func":
            self.retval = b.alloca(ll(spec.ret), name="retval") if spec.ret != VOID else None
            if spec.ret == OBJ:
                b.store(ir.Constant(PTR, None), self.retval)
            self.depth = b.alloca(I64, name="depth")
            self.acc = None
            if spec.acc_calls:
                self.acc = b.alloca(I64, name="acc")
                b.store(ir.Constant(I64, 0), self.acc)



            n = len(spec.arg_types)
            owned_params = []
            unassigned = self.unassigned_params()
            for i, (p, t) in enumerate(zip(spec.node.params, spec.arg_types)):
                sym = spec.res.defs[id(p)]
                vt = spec.local_types.get(sym) or t     # a parameter assigned other types
                a = self.var(sym, vt)
                if vt == OBJ and t == OBJ and sym in unassigned:
                    # borrowed: the caller keeps its argument alive for the whole call, and
                    # nothing here stores into this slot (released by no exit)
                    self.borrowed_vars.add(sym)
                    b.store(f.args[2 + i], a)
                elif vt == OBJ:
                    owned_params.append((f.args[2 + i], a, t))
                else:
                    b.store(f.args[2 + i], a)
            for j, (sym, t) in enumerate(zip(spec.free_syms, spec.free_types)):
                if sym in spec.cell_syms:
                    self.cells[sym] = f.args[2 + n + j]
                    continue
                a = self.var(sym, t)
                if t == OBJ:
                    owned_params.append((f.args[2 + n + j], a, t))
                else:
                    b.store(f.args[2 + n + j], a)
            for sym, t in spec.local_types.items():
                if (sym not in self.vars and sym not in self.cells and sym not in spec.own_boxes
                        and t is not None):
                    self.var(sym, t)
            b.store(f.args[1], self.depth)
            if self.checks_stack:
                self.check_stack()
            self.check_depth()
            if self.descent is not None:
                self.delegate_bounded()
            for arg, a, t in owned_params:   # each OBJ slot owns a reference
                if t == OBJ:
                    self.incref(arg)
                    b.store(arg, a)
                else:
                    b.store(self.to_obj(arg, t, spec.node.pos), a)
            # self tail calls and accumulator jumps come back here (an accumulator jump
            # tests the depth itself: it is a virtual frame, in every copy of a ring)
            if self.polls_on_entry and (spec.calls or spec.dynamic_calls or spec.checked_calls):
                # (a function that calls nothing ends without help: its caller polls)
                self.poll_check(spec.node.pos, atomic=False)
                b = self.b
            self.body_start = f.append_basic_block("body.start")
            b.branch(self.body_start)
            b.position_at_end(self.body_start)
            self.make_own_cells()
        else:
            for slot in sorted(self.promoted):
                t = spec.global_writes.get(slot) or spec.global_reads.get(slot)
                a = b.alloca(ll(t), name=f"g{slot}")
                dirty = b.alloca(I1, name=f"g{slot}.dirty")
                b.store(ir.Constant(I1, 0), dirty)
                self.gvars[slot] = (a, dirty, t)
            for slot, (a, dirty, t) in self.gvars.items():
                if slot in spec.global_reads and slot not in spec.defined_globals:
                    b.store(self.mb.unbox(b, t, self.global_obj(slot)), a)
            # a function's variables the loop uses: in registers, from and back to the
            # entry's slots (written back on every exit: the entry reads them on success only)
            for i, (sym, t) in enumerate(zip(spec.frame_syms, spec.frame_types)):
                v = b.load(f.args[1 + i])
                if t == OBJ:
                    self.incref(v)
                b.store(v, self.var(sym, t))
            self.depth = b.alloca(I64, name="depth")
            # the frame budget the entry wrote into the context
            b.store(b.load(b.bitcast(b.gep(self.ctx, [ir.Constant(I64, cc.CTX_DEPTH)]), I64.as_pointer())),
                    self.depth)
        if spec.kind == "func":
            self.block(spec.node.body.stmts)
        else:
            self.stmt(spec.node)
        if not self.b.block.is_terminated:
            if spec.kind == "func" and spec.ret == OBJ:
                self.store_result(self.const_obj(None))
            elif spec.kind == "func" and spec.ret != VOID:
                self.store_result(ir.Constant(ll(spec.ret), None))
            self.b.branch(self.ret_block)
        b = self.b
        b.position_at_end(self.ret_block)
        if spec.kind == "loop":
            # write back the globals kept in registers, on every exit (error exits too)
            for slot, (a, dirty, t) in sorted(self.gvars.items()):
                if slot not in spec.global_writes:
                    continue
                wb = self.f.append_basic_block(f"writeback.g{slot}")
                nxt = self.f.append_basic_block(f"writeback.g{slot}.done")
                b.cbranch(b.load(dirty), wb, nxt)
                b.position_at_end(wb)
                self.store_global_mem(slot, t, b.load(a))
                b.branch(nxt)
                b.position_at_end(nxt)
            for i, sym in enumerate(spec.frame_syms):
                b.store(b.load(self.vars[sym]), self.f.args[1 + i])
            self.release_vars(exclude=set(spec.frame_syms))
            b.ret(b.load(self.status))
        elif spec.ret == VOID:
            self.release_vars()
            b.ret(b.load(self.status))
        else:
            if self.acc is not None:
                self.trace_virtual_frames()
            self.release_vars()
            agg = ir.Constant(self.mb.ret_type(spec), None)
            agg = b.insert_value(agg, b.load(self.retval), 0)
            b.ret(b.insert_value(agg, b.load(self.status), 1))

    def box_slot(self, sym):
        """The slot holding per-iteration variable ``sym``'s current box (``NULL`` until its
        first definition; released on every exit)."""
        slot = self.vars.get(("box", sym))
        if slot is None:
            b = self.b
            with b.goto_block(self.entry):
                b.position_at_start(self.entry)
                slot = b.alloca(PTR, name=f"{sym.name}.box")
                b.store(ir.Constant(PTR, None), slot)
            self.vars[("box", sym)] = slot
        return slot

    def box_item(self, sym):
        """The address of the one item of ``sym``'s current box (a one-element list)."""
        box = self.b.load(self.box_slot(sym))
        items = self.mb.load_ptr(self.b, box, cc.OFF_LIST_ITEMS)
        return self.b.bitcast(items, PPTR)

    def define_box(self, sym, v, pos):
        """``sym := v`` for a per-iteration variable closures assign: a fresh box holding
        ``v`` (an owned ``OBJ``, taken over), replacing the previous iteration's."""
        self.hold(v, OBJ)
        box = self.new_list([(v, OBJ)], pos)           # (takes the value over)
        self.unhold(v, OBJ)
        slot = self.box_slot(sym)
        old = self.b.load(slot)
        self.b.store(box, slot)
        self.xdecref(old)

    def make_own_cells(self):
        """A fresh cell for each variable of ``spec.own_cells``, made where the body starts
        (again at every self tail call: a new call's variables) — empty, or holding the
        parameter's value (from its slot) — kept in a slot the exits release; ``self.cells``
        maps each variable to it."""
        b, mb = self.b, self.mb
        params = {self.spec.res.defs[id(p)] for p in self.spec.node.params}
        for sym in sorted(self.spec.own_cells, key=lambda s: s.pyname):
            slot = self.vars.get(("cell", sym))
            if slot is None:
                with b.goto_block(self.entry):
                    b.position_at_start(self.entry)
                    slot = b.alloca(PTR, name=f"{sym.name}.cell")
                    b.store(ir.Constant(PTR, None), slot)
                self.vars[("cell", sym)] = slot
            first = b.load(self.vars[sym]) if sym in params else ir.Constant(PTR, None)
            cell = b.call(mb.api(b, "PyCell_New", PTR, [PTR]), [first])   # (its own reference)
            self.check_null(cell, self.spec.node.pos)
            old = b.load(slot)
            b.store(cell, slot)
            self.xdecref(old)
            self.cells[sym] = cell

    def release_vars(self, exclude=()):
        """Release the reference every ``OBJ`` variable slot holds (on every exit; a borrowed
        parameter's slot holds none)."""
        for sym, a in self.vars.items():
            if sym not in exclude and sym not in self.borrowed_vars and a.type.pointee == PTR:
                self.xdecref(self.b.load(a))

    def unassigned_params(self):
        """The parameters of this function that nothing assigns (closures included) and no
        self tail call rebinds: their slots may borrow the caller's arguments."""
        spec = self.spec
        if spec.self_tail_calls or spec.checked_self_tail or spec.acc_calls:
            return set()
        params = {spec.res.defs[id(p)] for p in spec.node.params}
        return params - assigned_in(spec.node.body, spec.res)

    # ------------------------------------------------------------------ references
    def incref(self, v):
        b = self.b
        p = b.bitcast(v, I64.as_pointer())
        b.store(b.add(b.load(p), ir.Constant(I64, 1)), p)

    def decref(self, v):
        """``Py_DECREF``: inline, deallocating through ``_Py_Dealloc`` at zero."""
        b = self.b
        p = b.bitcast(v, I64.as_pointer())
        n = b.sub(b.load(p), ir.Constant(I64, 1))
        b.store(n, p)
        free, done = self.new_block("dealloc"), self.new_block("dealloc.done")
        self.unlikely(b.cbranch(b.icmp_signed("==", n, ir.Constant(I64, 0)), free, done))
        b.position_at_end(free)
        b.call(self.mb.api(b, "_Py_Dealloc", ir.VoidType(), [PTR]), [v])
        b.branch(done)
        b.position_at_end(done)

    def xdecref(self, v):
        """``Py_XDECREF`` through the module's out-of-line helper."""
        self.b.call(self.mb.helper("xdecref"), [v])

    def xdecref_inline(self, v):
        b = self.b
        go, done = self.new_block("xdecref"), self.new_block("xdecref.done")
        b.cbranch(b.icmp_unsigned("==", v, ir.Constant(PTR, None)), done, go)
        b.position_at_end(go)
        self.decref(v)
        b.branch(done)
        b.position_at_end(done)

    def release(self, v, t):
        """Drop a value an expression yielded (only ``OBJ`` values are references)."""
        if t == OBJ:
            self.decref(v)

    def hold(self, v, t):
        """Keep ``v`` (an owned temporary) released by any error exit until ``unhold``."""
        if t == OBJ:
            self.live.append(v)

    def unhold(self, v, t):
        if t == OBJ:
            assert self.live and self.live[-1] is v
            self.live.pop()

    def release_live(self):
        """Release the temporaries live here (error paths: out of line)."""
        for v in reversed(self.live):
            if isinstance(v, tuple):         # ("slot", alloca): a reference or NULL in memory
                self.xdecref(self.b.load(v[1]))
            else:
                self.xdecref(v)

    def const_obj(self, obj):
        """A new reference to the constant Python object ``obj`` (kept alive by the module)."""
        v = self.const_borrowed(obj)
        self.incref(v)
        return v

    def const_borrowed(self, obj):
        """The constant Python object ``obj``, borrowed (the module keeps it alive). A string
        is interned: the one object the baseline tier's code uses for the same text, so that
        map lookups with it find their keys by identity."""
        if type(obj) is str:
            obj = sys.intern(obj)
        self.mb.consts.append(obj)
        return self.mb.const_ptr(self.b, id(obj))

    def to_obj(self, v, t, pos):
        """``v`` as an owned ``PyObject*`` (scalars boxed; an allocation failure is an error)."""
        if t == OBJ:
            return v
        if t == VOID:
            return self.const_obj(None)
        r = self.mb.box(self.b, t, v)
        if t in (INT, FLOAT):
            self.check_null(r, pos)
        return r

    def coerce(self, v, t, want, pos):
        """``v`` of type ``t`` as type ``want`` (only widening to ``OBJ`` ever happens)."""
        if want is None or t == want or want != OBJ:
            return v
        return self.to_obj(v, t, pos)

    def check_null(self, r, pos):
        """A C-API or slow-path result of NULL means a Python exception: leave with it."""
        b = self.b
        bad, ok = self.new_block("pyexc"), self.new_block("pyexc.ok")
        self.unlikely(b.cbranch(b.icmp_unsigned("==", r, ir.Constant(PTR, None)), bad, ok))
        b.position_at_end(bad)
        self.fail(cc.ERR_PYEXC, pos)
        b.position_at_end(ok)

    def call_dynamic(self, fn, args, pos):
        """``fn(G, *args)`` for a value known only at run time: a compiled Tengo function
        through its call entry (found on its code object, see ``code_entry``), with no Python
        frame; any other callable as the baseline calls it."""
        b = self.b
        ops = self.mb.runtime_ops
        ops["call"] = ops.get("call", 0) + 1
        look, general, has, done = (self.new_block("dyn.call.look"), self.new_block("dyn.call.any"),
                                    self.new_block("dyn.call.native"), self.new_block("dyn.call.done"))
        b.cbranch(self.is_type(fn, "PyFunction_Type"), look, general)
        b.position_at_end(look)
        # the code object's extra slot, read as _PyCode_GetExtra reads it: no block, or one
        # too short for the index, is no entry
        index = code_entry.index()
        extra = self.mb.load_ptr(b, self.mb.load_ptr(b, fn, cc.OFF_FUNC_CODE), cc.OFF_CODE_EXTRA)
        sized = self.new_block("dyn.call.extra")
        b.cbranch(b.icmp_unsigned("==", extra, ir.Constant(PTR, None)), general, sized)
        b.position_at_end(sized)
        size = b.load(b.bitcast(extra, I64.as_pointer()))
        read = self.new_block("dyn.call.entry")
        b.cbranch(b.icmp_signed(">", size, ir.Constant(I64, index)), read, general)
        b.position_at_end(read)
        entry = self.mb.load_ptr(b, extra, 8 + 8 * index)
        b.cbranch(b.icmp_unsigned("==", entry, ir.Constant(PTR, None)), general, has)
        b.position_at_end(has)
        self.incref(entry)                   # the slot may be replaced while it runs
        self.hold(entry, OBJ)
        r1 = self.call_value(entry, args, pos, only=False, first=[fn])
        self.unhold(entry, OBJ)
        self.decref(entry)
        native_end = b.block
        b.branch(done)
        b.position_at_end(general)
        r2 = self.call_value(fn, args, pos, only=False)
        general_end = b.block
        b.branch(done)
        b.position_at_end(done)
        phi = b.phi(PTR)
        phi.add_incoming(r1, native_end)
        phi.add_incoming(r2, general_end)
        return phi

    def call_value(self, fn, args, pos, only=True, first=()):
        """``fn(*first, G, *args)`` — any callable, as the baseline calls it (``first``: the
        function itself, for a call entry) — through the slow-path helper (its owned result;
        an exception leaves with ``ERR_PYEXC``)."""
        if only:
            ops = self.mb.runtime_ops
            ops["call"] = ops.get("call", 0) + 1
        b = self.b
        boxed, objs = [], list(first) + [self.globals_list()]
        for v, t in args:
            if t == OBJ:
                objs.append(v)
            else:
                o = self.to_obj(v, t, pos)
                self.hold(o, OBJ)
                boxed.append(o)
                objs.append(o)
        r = b.call(self.mb.slow_call(len(objs)), [self.ctx, fn] + objs)
        for o in reversed(boxed):
            self.unhold(o, OBJ)
            self.decref(o)
        bad, ok = self.new_block("call.failed"), self.new_block("call.ok")
        self.unlikely(b.cbranch(b.icmp_unsigned("==", r, ir.Constant(PTR, None)), bad, ok))
        b.position_at_end(bad)
        self.fail(None, pos)
        b.position_at_end(ok)
        return r

    def slow(self, name, args, pos, only=False):
        """Call slow path ``name`` (``slowpaths.SLOW``) on ``args`` ((value, type) pairs, not
        consumed) and return its owned result; on an exception leave with ``ERR_PYEXC``. The
        call may run Python code: afterwards the entry's assumptions are checked again.
        ``only``: the operation has no inline fast path (counted in ``stats()``)."""
        b = self.b
        if only:
            ops = self.mb.runtime_ops
            ops[name] = ops.get(name, 0) + 1
        boxed = []
        objs = []
        for v, t in args:
            if t == OBJ:
                objs.append(v)
            else:
                o = self.to_obj(v, t, pos)
                self.hold(o, OBJ)
                boxed.append(o)
                objs.append(o)
        fn = self.mb.const_ptr(b, slowpaths.address(name))
        r = b.call(self.mb.slow_call(len(objs)), [self.ctx, fn] + objs)
        for o in reversed(boxed):
            self.unhold(o, OBJ)
            self.decref(o)
        bad, ok = self.new_block("slow.failed"), self.new_block("slow.ok")
        self.unlikely(b.cbranch(b.icmp_unsigned("==", r, ir.Constant(PTR, None)), bad, ok))
        b.position_at_end(bad)
        self.fail(None, pos)                 # the helper set the error code
        b.position_at_end(ok)
        return r

    def globals_list(self):
        b = self.b
        return b.load(b.bitcast(b.gep(self.ctx, [ir.Constant(I64, cc.CTX_GLOBALS_LIST)]), PPTR))

    def is_type(self, v, name):
        b = self.b
        return b.icmp_unsigned("==", self.mb.type_of(b, v), self.mb.const_ptr(b, self.mb.rt.addr[name]))

    def py_bool(self, r):
        """i1 of a Python bool result (consumed)."""
        c = self.b.icmp_unsigned("==", r, self.mb.const_ptr(self.b, self.mb.rt.addr["Py_True"]))
        self.decref(r)
        return c

    def trace_virtual_frames(self):
        """On an error exit, one trace entry per accumulator jump, as the real frames would."""
        b = self.b
        (site,) = [e.right for e in self.acc_exprs]
        while isinstance(site, A.ParenExpr):
            site = site.expr
        # every accumulator jump took one frame off the depth: that many virtual frames
        # (pushed by an out-of-line helper, so the hot copies stay small enough to inline)
        start = self.new_block("trace.virtual")
        done = self.new_block("trace.virtual.done")
        b.cbranch(b.load(self.status), start, done)
        b.position_at_end(start)
        n = b.sub(self.f.args[1], b.load(self.depth))
        self.mb.push_trace(b, self.ctx, ir.Constant(I32, self.file_id),
                           ir.Constant(I32, site.pos[0]), ir.Constant(I32, site.pos[1]), times=n)
        b.branch(done)
        b.position_at_end(done)

    def delegate_bounded(self):
        """``if p <= depth + K - 2 and p < P and levels * frame <= sp - limit:
        return unchecked(args)`` —
        the same frame, run by the copy without depth or stack tests, when the proof in
        descent.py bounds its recursion by the budget (``|K| < 2**62`` and the budget is small,
        so the sum cannot wrap) and the thread's stack has room for that many levels of the
        ring's bounded frame size (``ModuleBuilder.frame_bound``)."""
        index, floor, target, frame, poll_below = self.descent
        b, f = self.b, self.f
        p = f.args[2 + index]
        # (and below the poll threshold: the ring never polls, see descent.poll_threshold)
        fits = b.and_(b.icmp_signed("<=", p, b.add(f.args[1], ir.Constant(I64, floor - 2))),
                      b.icmp_signed("<", p, ir.Constant(I64, poll_below)))
        roomy = self.new_block("bounded.stack")
        fast, slow = self.new_block("bounded"), self.new_block("checked")
        b.cbranch(fits, roomy, slow)
        b.position_at_end(roomy)
        # levels <= depth <= NATIVE_DEPTH here, so levels * frame cannot wrap
        levels = b.sub(p, ir.Constant(I64, floor - 2))
        levels = b.select(b.icmp_signed("<", levels, ir.Constant(I64, 1)), ir.Constant(I64, 1), levels)
        need = b.mul(levels, b.load(frame))
        limit = b.load(b.bitcast(b.gep(self.ctx, [ir.Constant(I64, cc.CTX_STACK_LIMIT)]),
                                 I64.as_pointer()))
        room = b.sub(self.mb.stack_pointer(b), limit)
        b.cbranch(b.icmp_signed("<=", need, room), fast, slow)
        b.position_at_end(fast)
        b.ret(b.call(target, list(f.args)))
        b.position_at_end(slow)

    def check_stack(self):
        """A frame whose stack pointer is below the thread's limit is Tengo's ``stack overflow``:
        the bytes of native frames are bounded as well as their number (every copy tests,
        those without depth tests too)."""
        b = self.b
        sp = self.mb.stack_pointer(b)
        limit = b.load(b.bitcast(b.gep(self.ctx, [ir.Constant(I64, cc.CTX_STACK_LIMIT)]),
                                 I64.as_pointer()))
        over = self.new_block("stack.over")
        ok = self.new_block("stack.ok")
        self.unlikely(b.cbranch(b.icmp_unsigned("<", sp, limit), over, ok))
        b.position_at_end(over)
        self.set_err(cc.ERR_STACK_OVERFLOW)
        b.store(ir.Constant(I1, 1), self.status)
        b.branch(self.err_target)
        b.position_at_end(ok)

    def check_depth(self):
        """Entering a (virtual) frame with no depth left is Tengo's ``stack overflow``
        (nothing to test in a copy whose depth is proven bounded)."""
        if not self.checks_depth:
            return
        b = self.b
        over = self.new_block("depth.over")
        ok = self.new_block("depth.ok")
        b.cbranch(b.icmp_signed(">", b.load(self.depth), ir.Constant(I64, 0)), ok, over)
        b.position_at_end(over)
        self.set_err(cc.ERR_STACK_OVERFLOW)
        b.store(ir.Constant(I1, 1), self.status)
        b.branch(self.err_target)
        b.position_at_end(ok)

    def store_result(self, v):
        if self.acc is not None:
            v = self.b.add(self.b.load(self.acc), v)
        self.b.store(v, self.retval)

    def var(self, sym, t):
        a = self.vars.get(sym)
        if a is None:
            with self.b.goto_block(self.entry):
                self.b.position_at_start(self.entry)
                a = self.b.alloca(ll(t), name=sym.name or "v")
                if t == OBJ:
                    self.b.store(ir.Constant(PTR, None), a)
            self.vars[sym] = a
        return a

    def unlikely(self, br):
        """Mark a conditional branch's true edge (an error) as almost never taken."""
        m = self.mb.m
        md = getattr(self.mb, "_unlikely_md", None)
        if md is None:
            md = self.mb._unlikely_md = m.add_metadata(
                ["branch_weights", ir.Constant(I32, 1), ir.Constant(I32, 100000)])
        br.set_metadata("prof", md)

    def new_block(self, name):
        return self.f.append_basic_block(name)

    def dead(self):
        """Continue emitting into an unreachable block (after a branch/return)."""
        self.b.position_at_end(self.new_block("dead"))

    def set_err(self, code):
        b = self.b
        b.store(ir.Constant(I32, code), b.bitcast(b.gep(self.ctx, [ir.Constant(I64, cc.CTX_ERR)]), I32.as_pointer()))

    def push_trace(self, pos):
        self.mb.push_trace(self.b, self.ctx, ir.Constant(I32, self.file_id),
                           ir.Constant(I32, pos[0]), ir.Constant(I32, pos[1]))

    def fail(self, code, pos):
        """Raise Tengo error ``code`` at ``pos``: leave through the exit block with the flag set
        (releasing the temporaries live here). Failures with the same code, position, live
        temporaries and exit share one block (its values dominate every branch into it: they
        were live before each of the branches)."""
        b = self.b
        key = (id(b.function), code, pos, id(self.err_target), id(self.status),
               tuple(id(v[1]) if isinstance(v, tuple) else id(v) for v in self.live))
        exit_ = self._fail_exits.get(key, (None,))[0]
        if exit_ is None:
            exit_ = self.new_block("fail")
            self._fail_exits[key] = (exit_, list(self.live))     # (the ids stay theirs)
            here = b.block
            b.position_at_end(exit_)
            self.release_live()
            if code is not None:
                self.set_err(code)
            self.push_trace(pos)
            b.store(ir.Constant(I1, 1), self.status)
            b.branch(self.err_target)
            b.position_at_end(here)
        b.branch(exit_)

    # ------------------------------------------------------------------ globals
    def global_obj(self, slot):
        b = self.b
        items = b.load(b.bitcast(self.ctx, PPTR.as_pointer()))
        return b.load(b.gep(items, [ir.Constant(I64, slot)]))

    def store_global_mem(self, slot, t, v):
        b = self.b
        new = self.mb.box(b, t, v)
        items = b.load(b.bitcast(self.ctx, PPTR.as_pointer()))
        p = b.gep(items, [ir.Constant(I64, slot)])
        old = b.load(p)
        b.store(new, p)
        b.call(self.mb.api(b, "Py_DecRef", ir.VoidType(), [PTR]), [old])

    def load_sym(self, sym, t):
        """The value of a variable (an ``OBJ`` as a new reference)."""
        cell = self.cells.get(sym)
        if cell is not None:
            v = self.mb.load_ptr(self.b, cell, cc.OFF_CELL_REF)
            self.incref(v)
            return v
        if sym in self.spec.own_boxes:
            v = self.b.load(self.box_item(sym))
            self.incref(v)
            return v
        if sym.kind == "global":
            g = self.gvars.get(sym.index)
            if g is not None:
                return self.b.load(g[0])
            v = self.mb.unbox(self.b, t, self.global_obj(sym.index))
        else:
            v = self.b.load(self.vars[sym])
        if t == OBJ:
            self.incref(v)
        return v

    def store_sym(self, sym, t, v, rebind=False):
        """Store ``v`` (of the variable's type ``t``; an ``OBJ`` reference is taken over).
        ``rebind``: a parameter's value for the next call (a self tail call or accumulator
        jump), stored in its slot even when it lives in a cell: the body start makes the next
        call's cell from the slot."""
        if sym in self.spec.own_boxes:
            slot = self.box_item(sym)
            old = self.b.load(slot)
            self.b.store(v, slot)
            self.xdecref_inline(old)
            return
        cell = None if rebind else self.cells.get(sym)
        if cell is not None:
            # the cell's value is released after the store: its finaliser may see the cell
            slot = self.b.bitcast(self.b.gep(cell, [ir.Constant(I64, cc.OFF_CELL_REF)]), PPTR)
            old = self.b.load(slot)
            self.b.store(v, slot)
            self.xdecref_inline(old)
            return
        if t == OBJ and sym.kind != "global":
            a = self.var(sym, t)
            old = self.b.load(a)
            self.b.store(v, a)
            self.xdecref_inline(old)
            return
        if sym.kind == "global":
            g = self.gvars.get(sym.index)
            if g is not None:
                self.b.store(v, g[0])
                self.b.store(ir.Constant(I1, 1), g[1])
            else:
                self.store_global_mem(sym.index, t, v)
            return
        self.b.store(v, self.var(sym, t))

    # ------------------------------------------------------------------ statements
    def block(self, stmts):
        for s in stmts:
            if self.b.block.is_terminated:
                self.dead()
            self.stmt(s)

    def stmt(self, n):
        getattr(self, "s_" + type(n).__name__)(n)

    def s_EmptyStmt(self, n):
        pass

    def s_BlockStmt(self, n):
        self.block(n.stmts)

    def s_ExprStmt(self, n):
        e = n.expr
        if id(e) in self.spec.self_tail_calls and self.inline_ret is None:
            self.tail_call(e)
            return
        if id(e) in self.spec.checked_self_tail:
            self.checked_tail_call(e)
            return
        while isinstance(e, A.ParenExpr):
            e = e.expr
        if isinstance(e, A.IndexExpr) and self.spec.expr_types.get(id(e.index)) == INT:
            self.discarded_index(e)
            return
        self.release(*self.expr(n.expr))

    def discarded_index(self, e):
        """``a[i]`` as a statement: reading an array with an int index can neither fail nor
        have an effect (out of range is undefined), so nothing is read; any other container
        goes through ``ops.index_get`` for its errors."""
        b = self.b
        o, ot = self.expr(e.expr)
        o = self.to_obj(o, ot, e.pos)
        self.hold(o, OBJ)
        k, _ = self.expr(e.index)
        imm = self.mb.const_ptr(b, id(ImmutableArray))
        arr = b.or_(self.is_type(o, "PyList_Type"), b.icmp_unsigned("==", self.mb.type_of(b, o), imm))
        general, done = self.new_block("discard.slow"), self.new_block("discard.done")
        b.cbranch(arr, done, general)
        b.position_at_end(general)
        self.decref(self.slow("index_get", [(o, OBJ), (k, INT)], e.pos))
        b.branch(done)
        b.position_at_end(done)
        self.unhold(o, OBJ)
        self.decref(o)

    def s_IncDecStmt(self, n):
        self.assign(n, n.expr, A.IntLit(n.pos, 1), "+=" if n.op == "++" else "-=")

    def s_AssignStmt(self, n):
        self.assign(n, n.lhs[0], n.rhs[0], n.op)

    def assign(self, n, target, rhs, op):
        spec = self.spec
        if op == ":=":
            sym = spec.res.defs[id(n)]
            if self.number_into_local(sym, rhs, n.pos):
                return
            v, t = self.expr(rhs)
            st = self.sym_type(sym, t)
            if sym in spec.own_boxes:
                self.define_box(sym, self.coerce(v, t, OBJ, n.pos), n.pos)
                return
            self.store_sym(sym, st, self.coerce(v, t, st, n.pos))
            return
        if not isinstance(target, A.Ident):
            self.assign_element(n, target, rhs, op)
            return
        sym = spec.res.uses[id(target)]
        st = self.sym_type(sym, None)
        if op == "=" and st == OBJ and not self.counting and self.is_self_append(sym, rhs):
            self.append_in_place(sym, rhs.args, "builtin_append", rhs.pos)
            return
        grown = self.grown_literal(sym, rhs, op) if st == OBJ and not self.counting else None
        if grown is not None:
            self.append_in_place(sym, [None] + grown.elements, "concat_items", n.pos)
            return
        if op == "=":
            if self.number_into_local(sym, rhs, n.pos):
                return
            v, t = self.expr(rhs)
        else:
            lv = self.load_sym(sym, st)
            self.hold(lv, st)
            rv, rt = self.arith_operand(rhs) if st == OBJ and not self.counting else self.expr(rhs)
            self.unhold(lv, st)
            cop = COMPOUND[op]
            if (st == OBJ and self.in_place_local(sym) and not self.counting
                    and BINARY[cop].kind not in ("compare", "equality")):
                lz, _ = self.dynamic_binop(cop, lv, st, rv, rt, n.pos, lazy=True, keep_int=True)
                self.store_lazy_local(sym, lz, n.pos)
                return
            if rt == LAZY:
                rv, rt = self.lazy_object(rv, n.pos), OBJ
            v, t = self.binop(cop, lv, st, rv, rt, n.pos)
            if self.counting:
                self.count_alloc_of((v, t), n.pos)
        st = st if st is not None else t
        self.store_sym(sym, st, self.coerce(v, t, st, n.pos))

    def in_place_local(self, sym):
        """Is ``sym`` a variable of this activation held in its own slot (not a global, a
        cell or a per-iteration box), so that ``store_lazy_local`` may write a number into the
        object the slot holds?"""
        return (sym.kind != "global" and sym not in self.cells
                and sym not in self.spec.own_boxes and sym in self.spec.local_types)

    def number_into_local(self, sym, rhs, pos):
        """``sym = rhs`` / ``sym := rhs`` where ``rhs`` is arithmetic over values of any type
        and ``sym`` holds any value: stored by ``store_lazy_local``. False (nothing emitted)
        for any other assignment."""
        inner = A.unparen(rhs)
        if (self.counting or not self.lazy_arith(inner) or not self.in_place_local(sym)
                or self.sym_type(sym, OBJ) != OBJ):
            return False
        self.store_lazy_local(sym, self.lazy_binary(inner, keep_int=True), pos)
        return True

    def store_lazy_local(self, sym, lz, pos):
        """Store the ``Lazy`` ``lz`` into variable ``sym`` (``in_place_local``, of type
        ``OBJ``): a float or an int written into the object the variable holds when nothing
        else references it (``store_in_place``, as for map values), else boxed and stored."""
        b = self.b
        a = self.var(sym, OBJ)
        done, boxing = self.new_block("local.stored"), self.new_block("local.box")
        if lz.isi is None and isinstance(lz.isf, ir.Constant) and not lz.isf.constant:
            b.branch(boxing)                 # (an object: nothing to write in place)
        else:
            held = self.new_block("local.held")
            b.cbranch(b.icmp_unsigned("!=", b.load(a), ir.Constant(PTR, None)), held, boxing)
            b.position_at_end(held)
            self.store_in_place(a, lz.f, lz.isf, lz.i, lz.isi, done)
            b.branch(boxing)
        b.position_at_end(boxing)
        v = self.lazy_object(lz, pos)
        if lz.isi is not None:
            ib, other, join = (self.new_block(x) for x in ("local.int", "local.obj", "local.boxed"))
            b.cbranch(lz.isi, ib, other)
            b.position_at_end(ib)
            v1 = self.to_obj(lz.i, INT, pos)
            ib_end = b.block
            b.branch(join)
            b.position_at_end(other)
            b.branch(join)
            b.position_at_end(join)
            phi = b.phi(PTR)
            phi.add_incoming(v1, ib_end)
            phi.add_incoming(v, other)
            v = phi
        self.store_sym(sym, OBJ, v)
        b.branch(done)
        b.position_at_end(done)

    def is_self_append(self, sym, rhs):
        """Is ``rhs`` ``append(X, ...)`` (the builtin, no spread) with X the variable ``sym``
        (a variable of this activation, not a cell)?"""
        if sym in self.cells or sym in self.spec.own_boxes:
            return False
        if not isinstance(rhs, A.CallExpr) or rhs.ellipsis or len(rhs.args) < 2:
            return False
        f, first = A.unparen(rhs.func), A.unparen(rhs.args[0])
        fsym = self.spec.res.uses.get(id(f)) if isinstance(f, A.Ident) else None
        return (fsym is not None and fsym.kind == "builtin" and fsym.name == "append"
                and isinstance(first, A.Ident) and self.spec.res.uses.get(id(first)) is sym)

    def grown_literal(self, sym, rhs, op):
        """The array literal of ``X += [...]`` or ``X = X + [...]`` (X the variable ``sym``, not
        a cell), else None (the baseline tier grows the same two forms in place)."""
        if sym in self.cells or sym in self.spec.own_boxes:
            return None
        if op == "=" and isinstance(rhs, A.BinaryExpr) and rhs.op == "+" \
                and isinstance(rhs.left, A.Ident) and self.spec.res.uses.get(id(rhs.left)) is sym:
            rhs = rhs.right
        elif op != "+=":
            return None
        return rhs if isinstance(rhs, A.ArrayLit) else None

    def append_in_place(self, sym, args, slow_name, pos):
        """``X = append(X, v...)`` (``args``: X and the values; ``slow_name``
        ``builtin_append``) or ``X += [v...]`` (``concat_items``; ``args[0]`` None: X is read
        from the variable) in amortised O(1): when X
        is a list only the variable refers to (its count is the variable's reference plus the
        one read here), nothing can observe the copy Tengo makes, so the values are appended
        in place; else the slow path runs (Tengo's ``append`` or ``+``)."""
        b = self.b
        if args[0] is None:                  # (X += [...]: the variable itself, read first)
            x = self.load_sym(sym, OBJ)
            self.hold(x, OBJ)
            vals = [(x, OBJ)] + self.args(args[1:])
        else:
            vals = self.args(args)           # X first, then the values, in Tengo's order
        x = vals[0][0]
        objs = []                            # (object, boxed here)
        for v, t in vals[1:]:
            if t == OBJ:
                objs.append((v, False))
            else:
                o = self.to_obj(v, t, pos)
                self.hold(o, OBJ)
                objs.append((o, True))
        refcnt = b.load(b.bitcast(x, I64.as_pointer()))
        own = b.and_(self.is_type(x, "PyList_Type"), b.icmp_signed("==", refcnt, ir.Constant(I64, 2)))
        lim = self.program.run_limits
        if lim is not None and lim.array < NO_LIMIT:
            # the script's array limit: past it, the builtin (which raises Tengo's error);
            # ``own`` first, so the size is read from a list only
            roomy = self.new_block("append.roomy")
            checked = self.new_block("append.checked")
            here = b.block
            b.cbranch(own, roomy, checked)
            b.position_at_end(roomy)
            size = b.load(b.bitcast(b.gep(x, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
            fits = b.icmp_signed("<=", size, ir.Constant(I64, lim.array - len(objs)))
            roomy_end = b.block
            b.branch(checked)
            b.position_at_end(checked)
            merged = b.phi(I1)
            merged.add_incoming(ir.Constant(I1, 0), here)
            merged.add_incoming(fits, roomy_end)
            own = merged
        fast, general, done = (self.new_block("append.inplace"), self.new_block("append.slow"),
                               self.new_block("append.done"))
        b.cbranch(own, fast, general)
        b.position_at_end(fast)
        for o, _ in objs:
            self.list_push(x, o, pos)
        self.incref(x)
        fast_end = b.block
        b.branch(done)
        b.position_at_end(general)
        lead = [(self.globals_list(), OBJ)] if slow_name == "builtin_append" else []
        r = self.slow(slow_name, lead + [(x, OBJ)] + [(o, OBJ) for o, _ in objs], pos)
        slow_end = b.block
        b.branch(done)
        b.position_at_end(done)
        result = b.phi(PTR)
        result.add_incoming(x, fast_end)
        result.add_incoming(r, slow_end)
        for o, boxed in reversed(objs):
            if boxed:
                self.unhold(o, OBJ)
                self.decref(o)
        self.release_args(vals)
        self.store_sym(sym, OBJ, result)

    def list_push(self, x, o, pos):
        """``x.append(o)`` for list ``x`` (``o`` not consumed): stored inline while the
        list's block has room, through ``PyList_Append`` when it must grow."""
        b = self.b
        size_p = b.bitcast(b.gep(x, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer())
        size = b.load(size_p)
        room = b.load(b.bitcast(b.gep(x, [ir.Constant(I64, cc.OFF_LIST_ALLOCATED)]), I64.as_pointer()))
        inline, grow, done = (self.new_block("push.inline"), self.new_block("push.grow"),
                              self.new_block("push.done"))
        b.cbranch(b.icmp_signed("<", size, room), inline, grow)
        b.position_at_end(inline)
        items = b.bitcast(self.mb.load_ptr(b, x, cc.OFF_LIST_ITEMS), PPTR)
        self.incref(o)
        b.store(o, b.gep(items, [size]))
        b.store(b.add(size, ir.Constant(I64, 1)), size_p)
        b.branch(done)
        b.position_at_end(grow)
        r = b.call(self.mb.api(b, "PyList_Append", I32, [PTR, PTR]), [x, o])
        bad, ok = self.new_block("append.bad"), self.new_block("append.ok")
        self.unlikely(b.cbranch(b.icmp_signed("!=", r, ir.Constant(I32, 0)), bad, ok))
        b.position_at_end(bad)
        self.fail(cc.ERR_PYEXC, pos)
        b.position_at_end(ok)
        b.branch(done)
        b.position_at_end(done)

    def sym_type(self, sym, default):
        if sym.kind == "global":
            s = self.spec
            return s.global_writes.get(sym.index) or s.global_reads.get(sym.index) or default
        return self.spec.local_types.get(sym, default)

    def s_IfStmt(self, n):
        if n.init is not None:
            self.stmt(n.init)
        c = self.condition(n.cond)
        then = self.new_block("if.then")
        els = self.new_block("if.else")
        end = self.new_block("if.end")
        self.b.cbranch(c, then, els)
        self.b.position_at_end(then)
        self.block(n.body.stmts)
        if not self.b.block.is_terminated:
            self.b.branch(end)
        self.b.position_at_end(els)
        if n.else_ is not None:
            self.stmt(n.else_)
        if not self.b.block.is_terminated:
            self.b.branch(end)
        self.b.position_at_end(end)

    def s_ForStmt(self, n):
        if n.init is not None:
            self.stmt(n.init)
        cond = self.new_block("for.cond")
        body = self.new_block("for.body")
        post = self.new_block("for.post")
        end = self.new_block("for.end")
        self.b.branch(cond)
        self.b.position_at_end(cond)
        if n.cond is not None:
            self.b.cbranch(self.condition(n.cond), body, end)
        else:
            self.b.branch(body)
        self.b.position_at_end(body)
        self.loops.append((post, end))
        self.block(n.body.stmts)
        self.loops.pop()
        if not self.b.block.is_terminated:
            self.b.branch(post)
        self.b.position_at_end(post)
        if n.post is not None:
            self.stmt(n.post)
        self.poll_signals(cond, n.pos)
        self.b.position_at_end(end)

    def poll_signals(self, back, pos):
        """The back-edge of a loop: a poll check (``poll_check``), then on to ``back``."""
        self.poll_check(pos)
        self.b.branch(back)

    def poll_check(self, pos, atomic=True):
        """``if (poll flag) poll``: the check point of deadlines, cancellation, signals
        and GIL hand-over (callconv.py, "Polling"); a poll that stops the activation leaves
        with its error at ``pos``. The flag is read with an atomic load in loops, so that no
        optimisation keeps it in a register across iterations."""
        b, mb = self.b, self.mb
        flag_ptr = mb.const_ptr(b, mb.rt.addr["tengojit_poll_flag"], I32.as_pointer())
        flag = b.load_atomic(flag_ptr, "monotonic", 4) if atomic else b.load(flag_ptr)
        poll, done = self.new_block("poll"), self.new_block("poll.done")
        self.unlikely(b.cbranch(b.icmp_signed("!=", flag, ir.Constant(I32, 0)), poll, done))
        b.position_at_end(poll)
        stopped = self.new_block("poll.stopped")
        b.cbranch(mb.poll(b, self.ctx), stopped, done)
        b.position_at_end(stopped)
        self.fail(None, pos)
        b.position_at_end(done)

    def s_ForInStmt(self, n):
        """``for k, v in x``: arrays by index (the length fixed at the start, items read live,
        as ``ops.iterate`` does), every other value through ``ops.iterate``'s iterator."""
        b, spec = self.b, self.spec
        it, itt = self.expr(n.iterable)
        it = self.to_obj(it, itt, n.pos)
        self.hold(it, OBJ)
        with b.goto_entry_block():
            idx = b.alloca(I64, name="forin.i")
            limit = b.alloca(I64, name="forin.n")
            iterator = b.alloca(PTR, name="forin.iter")
        b.store(ir.Constant(PTR, None), iterator)
        entry = ("slot", iterator)
        self.live.append(entry)
        imm = self.mb.const_ptr(b, id(ImmutableArray))
        is_arr = b.or_(self.is_type(it, "PyList_Type"), b.icmp_unsigned("==", self.mb.type_of(b, it), imm))
        watched = self.program.ns.get("_iter") is not ops.iterate
        if watched:
            # a program that can shrink arrays in place (``splice``) iterates as the
            # baseline's ``ops.iterate_watched`` does: mutable arrays through it too
            is_arr = b.icmp_unsigned("==", self.mb.type_of(b, it), imm)
        arr_init, gen_init = self.new_block("forin.array"), self.new_block("forin.iterate")
        cond, end = self.new_block("forin.cond"), self.new_block("forin.end")
        b.cbranch(is_arr, arr_init, gen_init)
        b.position_at_end(arr_init)
        b.store(ir.Constant(I64, 0), idx)
        b.store(self.list_size(it), limit)
        if self.counting:                    # the iterator counts as one allocation
            self.count_alloc(n.pos)
        b.branch(cond)
        b.position_at_end(gen_init)
        b.store(self.slow("iterate_watched" if watched else "iterate", [(it, OBJ)], n.pos),
                iterator)
        if self.counting:
            self.count_alloc(n.pos)
        b.branch(cond)
        b.position_at_end(cond)
        arr_next, gen_next, got = (self.new_block("forin.array.next"), self.new_block("forin.next"),
                                   self.new_block("forin.item"))
        b.cbranch(b.icmp_unsigned("==", b.load(iterator), ir.Constant(PTR, None)), arr_next, gen_next)
        b.position_at_end(arr_next)
        i = b.load(idx)
        in_range = b.and_(b.icmp_signed("<", i, b.load(limit)),
                          b.icmp_signed("<", i, self.list_size(it)))
        arr_item = self.new_block("forin.array.item")
        b.cbranch(in_range, arr_item, end)
        b.position_at_end(arr_item)
        b.store(b.add(i, ir.Constant(I64, 1)), idx)
        items = b.bitcast(self.mb.load_ptr(b, it, cc.OFF_LIST_ITEMS), PPTR)
        av = b.load(b.gep(items, [i]))
        self.incref(av)
        ksym = spec.res.defs.get(id(n.key)) if n.key is not None else None
        vsym = spec.res.defs.get(id(n.value)) if n.value is not None else None
        ak = self.to_obj(i, INT, n.pos) if ksym is not None else ir.Constant(PTR, None)
        arr_end = b.block
        b.branch(got)
        b.position_at_end(gen_next)
        t = self.slow("iter_next", [(b.load(iterator), OBJ)], n.pos)
        false = self.mb.const_ptr(b, self.mb.rt.addr["Py_False"])
        stop, pair = self.new_block("forin.stop"), self.new_block("forin.pair")
        b.cbranch(b.icmp_unsigned("==", t, false), stop, pair)
        b.position_at_end(stop)
        self.decref(t)
        b.branch(end)
        b.position_at_end(pair)
        gk = self.mb.load_ptr(b, t, cc.OFF_TUPLE_ITEMS)
        gv = self.mb.load_ptr(b, t, cc.OFF_TUPLE_ITEMS + 8)
        self.incref(gk)
        self.incref(gv)
        self.decref(t)
        gen_end = b.block
        b.branch(got)
        b.position_at_end(got)
        k, v = b.phi(PTR), b.phi(PTR)
        k.add_incoming(ak, arr_end)
        k.add_incoming(gk, gen_end)
        v.add_incoming(av, arr_end)
        v.add_incoming(gv, gen_end)
        if ksym is not None:
            self.store_sym(ksym, self.sym_type(ksym, OBJ), k)
        else:
            self.xdecref(k)
        if vsym is not None:
            self.store_sym(vsym, self.sym_type(vsym, OBJ), v)
        else:
            self.decref(v)
        self.loops.append((cond, end))
        self.block(n.body.stmts)
        self.loops.pop()
        if not b.block.is_terminated:
            self.poll_signals(cond, n.pos)
        b.position_at_end(end)
        self.live.remove(entry)
        self.xdecref(b.load(iterator))
        self.unhold(it, OBJ)
        self.decref(it)

    def list_size(self, v):
        b = self.b
        return b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))

    def s_BranchStmt(self, n):
        cont, brk = self.loops[-1]
        self.b.branch(brk if n.tok == "break" else cont)
        self.dead()

    def s_ReturnStmt(self, n):
        spec = self.spec
        if spec.kind == "loop":
            # leaving the function from its loop region: the value (boxed) into the entry's
            # slot, and out through the region's exit, which hands the frame back
            if n.result is not None:
                v = self.to_obj(*self.expr(n.result), n.pos)
            else:
                v = self.const_obj(None)
            self.b.store(v, self.f.args[-1])
            self.release_live()
            self.b.branch(self.ret_block)
            self.dead()
            return
        if self.inline_ret is not None:             # inside an inlined call of this function
            slot, cont = self.inline_ret
            if n.result is not None:
                v, t = self.expr(n.result)
                if t != VOID:
                    self.b.store(self.coerce(v, t, spec.ret, n.pos), slot)
            self.b.branch(cont)
            self.dead()
            return
        if n.result is not None and id(n.result) in spec.self_tail_calls:
            self.tail_call(n.result)
            return
        if n.result is not None and id(n.result) in spec.checked_self_tail:
            self.checked_tail_call(n.result)
            return
        if n.result is not None and id(n.result) in spec.acc_calls:
            if n.result not in self.acc_exprs:
                self.acc_exprs.append(n.result)
            self.accumulate_call(n.result)
            return
        if n.result is not None:
            v, t = self.expr(n.result)
            if t != VOID:
                self.store_result(self.coerce(v, t, spec.ret, n.pos))
            elif spec.ret == OBJ:
                self.store_result(self.const_obj(None))
        elif spec.ret == OBJ:
            self.store_result(self.const_obj(None))
        self.release_live()                 # what enclosing for-in loops hold
        self.b.branch(self.ret_block)
        self.dead()

    def self_call_first(self, left):
        """True when ``left`` (the accumulated operand) is itself a real call of this very
        specialisation: then every accumulator jump follows a call whose callee tests the
        depth on entry with a smaller budget, so the jump needs no test of its own."""
        while isinstance(left, A.ParenExpr):
            left = left.expr
        hit = self.spec.calls.get(id(left))
        return hit is not None and hit[0] is self.spec and self.max_inline == 0

    def accumulate_call(self, e):
        """``return a + f(args)`` with f this very function: acc += a; rebind; jump.

        Accumulator recursion elimination (as gcc/LLVM do): wrap-around ``+`` is associative
        and commutative, so the result is unchanged; each jump still counts as a frame for
        Tengo's depth limit, so deep recursion fails exactly where the baseline's does.
        """
        spec = self.spec
        a, _ = self.expr(e.left)
        c = e.right
        while isinstance(c, A.ParenExpr):
            c = c.expr
        callee, source = spec.calls[id(c)]
        typed = self.args(c.args)
        vals = [v for v, _ in typed]
        env = self.callee_env(callee, source)
        same = self.same_env(env)
        jump, call = self.new_block("acc.jump"), self.new_block("acc.call")
        self.b.cbranch(same, jump, call)
        self.b.position_at_end(jump)
        b = self.b
        b.store(b.add(b.load(self.acc), a), self.acc)
        live = list(self.live)
        for v, t in reversed(typed):
            self.unhold(v, t)
        for p, t, v in zip(spec.node.params, spec.arg_types, vals):
            psym = spec.res.defs[id(p)]
            self.store_sym(psym, self.sym_type(psym, t), self.coerce(v, t, self.sym_type(psym, t), e.pos),
                           rebind=True)
        self.release_live()                 # what enclosing for-in loops hold
        b.store(b.sub(b.load(self.depth), ir.Constant(I64, 1)), self.depth)
        if not self.self_call_first(e.left):
            self.check_depth()
        b.branch(self.body_start)
        self.live = live
        b.position_at_end(call)
        r, _ = self.emit_call(c, callee, vals, env)
        self.release_args(typed)
        self.store_result(b.add(a, r))
        b.branch(self.ret_block)
        self.dead()

    def checked_tail_call(self, c):
        """``return f(args)`` with ``f`` a global holding this very function, in a region
        calling run-time values: the callee read first, then the arguments; a jump (as on the
        baseline tier) while the global holds a function of this code, else a call."""
        spec, b = self.spec, self.b
        slot = spec.checked_self_tail[id(c)]
        fn = self.global_obj(slot)
        self.incref(fn)
        self.hold(fn, OBJ)
        typed = self.args(c.args)
        jump, call = self.new_block("tail.checked.jump"), self.new_block("tail.checked.call")
        test = self.new_block("tail.checked.code")
        b.cbranch(self.is_type(fn, "PyFunction_Type"), test, call)
        b.position_at_end(test)
        same = b.icmp_unsigned("==", self.mb.load_ptr(b, fn, cc.OFF_FUNC_CODE),
                               self.mb.const_ptr(b, id(spec.code)))
        b.cbranch(same, jump, call)
        b.position_at_end(jump)
        self.poll_check(c.pos)              # a self tail call loops: it polls as loops do
        live = list(self.live)
        for v, t in reversed(typed):
            self.unhold(v, t)
        self.unhold(fn, OBJ)
        self.decref(fn)
        for p, t, (v, vt) in zip(spec.node.params, spec.arg_types, typed):
            psym = spec.res.defs[id(p)]
            want = self.sym_type(psym, t)
            self.store_sym(psym, want, self.coerce(v, vt, want, c.pos), rebind=True)
        self.release_live()                 # what enclosing for-in loops hold
        b.branch(self.body_start)
        self.live = live
        b.position_at_end(call)
        r = self.call_dynamic(fn, typed, c.pos)
        self.release_args(typed)
        self.unhold(fn, OBJ)
        self.decref(fn)
        if spec.ret == VOID:
            self.decref(r)
        else:
            self.store_result(self.coerce(r, OBJ, spec.ret, c.pos))
        b.branch(self.ret_block)
        self.dead()

    def same_env(self, env):
        spec = self.spec
        same = ir.Constant(I1, 1)
        own = [self.cells[s] if s in self.cells else self.b.load(self.vars[s])
               for s in spec.free_syms]
        for a, o, t in zip(env, own, spec.free_types):
            eq = self.b.fcmp_ordered("==", a, o) if t == FLOAT else self.b.icmp_unsigned("==", a, o)
            same = self.b.and_(same, eq)
        return same

    def tail_call(self, c):
        """``return f(args)`` where f is this specialisation: rebind the parameters, jump."""
        spec = self.spec
        callee, source = spec.calls[id(c)]
        typed = self.args(c.args)
        vals = [v for v, _ in typed]
        env = self.callee_env(callee, source)
        same = self.same_env(env)
        jump = self.new_block("tail.jump")
        call = self.new_block("tail.call")
        self.b.cbranch(same, jump, call)
        self.b.position_at_end(jump)
        self.poll_check(c.pos)              # a self tail call loops: it polls as loops do
        live = list(self.live)
        for v, t in reversed(typed):
            self.unhold(v, t)
        for p, t, v in zip(spec.node.params, spec.arg_types, vals):
            psym = spec.res.defs[id(p)]          # the parameter takes it over
            self.store_sym(psym, self.sym_type(psym, t), self.coerce(v, t, self.sym_type(psym, t), c.pos),
                           rebind=True)
        self.release_live()                 # what enclosing for-in loops hold
        self.b.branch(self.body_start)
        self.live = live
        self.b.position_at_end(call)
        v, t = self.emit_call(c, callee, vals, env)
        self.release_args(typed)
        if t != VOID:
            self.store_result(self.coerce(v, t, spec.ret, c.pos))
        elif spec.ret == OBJ:
            self.store_result(self.const_obj(None))
        self.b.branch(self.ret_block)
        self.dead()

    # ------------------------------------------------------------------ expressions
    def expr(self, n):
        """(LLVM value, type) of expression ``n``; under max_allocs, an expression the
        baseline tier counts as an allocation counts here too (``counts_alloc``)."""
        r = getattr(self, "e_" + type(n).__name__)(n)
        if self.counting and counts_alloc(n):
            self.count_alloc_of(r, n.pos)
        return r

    def count_alloc_of(self, r, pos):
        """Count one allocation after the value ``r`` was made (released if the limit is hit)."""
        v, t = r
        self.hold(v, t)
        self.count_alloc(pos)
        self.unhold(v, t)

    def count_alloc(self, pos):
        """One allocation under max_allocs (the baseline tier's ``rt.alloc``): the budget is
        the first item of the ``array('q')`` in the globals' last slot, decremented in place;
        at zero, Tengo's ``allocation limit exceeded`` at ``pos``. Any other shape of that
        slot (a host that replaced it, a short list) goes through ``rt.alloc`` itself."""
        b, mb = self.b, self.mb
        G = b.load(b.bitcast(b.gep(self.ctx, [ir.Constant(I64, cc.CTX_GLOBALS_LIST)]), PPTR))
        size = b.load(b.bitcast(b.gep(G, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
        slot = self.program.num_globals
        has, fast, slow, done = (self.new_block("alloc.has"), self.new_block("alloc.fast"),
                                 self.new_block("alloc.slow"), self.new_block("alloc.done"))
        b.cbranch(b.icmp_signed(">", size, ir.Constant(I64, slot)), has, slow)
        b.position_at_end(has)
        items = b.bitcast(mb.load_ptr(b, G, cc.OFF_LIST_ITEMS), PPTR)
        budget = b.load(b.gep(items, [ir.Constant(I64, slot)]))
        is_array = b.icmp_unsigned("==", mb.type_of(b, budget),
                                   mb.const_ptr(b, mb.rt.addr["array_Type"]))
        b.cbranch(is_array, fast, slow)
        b.position_at_end(fast)
        data = b.bitcast(mb.load_ptr(b, budget, cc.OFF_ARRAY_ITEMS), I64.as_pointer())
        left = b.sub(b.load(data), ir.Constant(I64, 1))
        b.store(left, data)
        over = self.new_block("alloc.over")
        self.unlikely(b.cbranch(b.icmp_signed("==", left, ir.Constant(I64, 0)), over, done))
        b.position_at_end(over)
        self.fail(cc.ERR_ALLOC_LIMIT, pos)
        b.position_at_end(slow)
        r = self.slow("alloc_tick", [(G, OBJ)], pos)
        self.decref(r)
        b.branch(done)
        b.position_at_end(done)

    def e_IntLit(self, n):
        return ir.Constant(I64, n.value), INT

    def e_FloatLit(self, n):
        # through the barrier: LLVM folds float constant expressions with APFloat, whose NaNs
        # are not the hardware's (0.0/0.0 must give x86's default NaN, as at run time)
        return self.opaque(ir.Constant(F64, n.value)), FLOAT

    def opaque(self, v):
        """``v`` hidden from the optimiser (an empty inline asm): a NaN's sign bit is
        observable in Tengo, and LLVM may move a negation into the operation that made the NaN
        (``-(a / b)`` → ``-a / b``), which changes which NaN comes out."""
        asm = ir.InlineAsm(ir.FunctionType(F64, [F64]), "", "=x,0")
        return self.b.call(asm, [v])

    def e_BoolLit(self, n):
        return ir.Constant(I1, 1 if n.value else 0), BOOL

    def e_ParenExpr(self, n):
        return self.expr(n.expr)

    # ------------------------------------------------------------------ any values
    def e_StringLit(self, n):
        return self.const_obj(n.value), OBJ

    def e_CharLit(self, n):
        return self.const_obj(Char(n.value)), OBJ

    def e_UndefinedLit(self, n):
        return self.const_obj(None), OBJ

    def e_ArrayLit(self, n):
        """A new list; each element evaluated in order, boxed and stored (stolen)."""
        vals = []
        for e in n.elements:                 # each held while the next ones are evaluated
            v = self.to_obj(*self.expr(e), e.pos)
            self.hold(v, OBJ)
            vals.append((v, OBJ))
        lst = self.new_list(vals, n.pos)     # takes the elements over
        for v, _ in reversed(vals):
            self.unhold(v, OBJ)
        return lst, OBJ

    def new_list(self, vals, pos):
        """A list of ``vals`` (owned ``OBJ`` values, held by the caller until it returns; the
        list takes them over)."""
        b = self.b
        lst = b.call(self.mb.api(b, "PyList_New", PTR, [I64]), [ir.Constant(I64, len(vals))])
        self.check_null(lst, pos)
        items = b.bitcast(self.mb.load_ptr(b, lst, cc.OFF_LIST_ITEMS), PPTR)
        for i, (v, _) in enumerate(vals):
            b.store(v, b.gep(items, [ir.Constant(I64, i)]))
        return lst

    def e_MapLit(self, n):
        b = self.b
        vals = []
        for e in n.elements:
            v = self.to_obj(*self.expr(e.value), e.pos)
            self.hold(v, OBJ)
            vals.append(v)
        d = b.call(self.mb.api(b, "PyDict_New", PTR, []), [])
        self.check_null(d, n.pos)
        self.hold(d, OBJ)
        set_item = self.mb.api(b, "PyDict_SetItem", I32, [PTR, PTR, PTR])
        for e, v in zip(n.elements, vals):
            key = self.const_obj(e.key)
            r = b.call(set_item, [d, key, v])
            self.decref(key)
            bad, ok = self.new_block("map.bad"), self.new_block("map.ok")
            self.unlikely(b.cbranch(b.icmp_signed("!=", r, ir.Constant(I32, 0)), bad, ok))
            b.position_at_end(bad)
            self.fail(cc.ERR_PYEXC, e.pos)
            b.position_at_end(ok)
        self.unhold(d, OBJ)
        for v in reversed(vals):
            self.unhold(v, OBJ)
            self.decref(v)
        return d, OBJ

    def operand(self, e):
        """(value, type, owned) of expression ``e`` for an operation that only reads it while
        it runs: a string constant, or the ``OBJ`` value of a variable held in this
        activation's own slot, is *borrowed* (owned False: neither held nor released; nothing
        can store into such a slot while an expression runs, and the slot keeps the value
        alive); anything else is a new reference (owned True)."""
        if isinstance(e, A.StringLit):
            return self.const_borrowed(e.value), OBJ, False
        if isinstance(e, A.Ident):
            sym = self.spec.res.uses[id(e)]
            t = self.spec.expr_types[id(e)]
            if t == OBJ and sym.kind != "global" and sym in self.vars and sym not in self.cells:
                return self.b.load(self.vars[sym]), OBJ, False
        v, t = self.expr(e)
        return v, t, True

    def hold_owned(self, v, t, owned):
        if owned:
            self.hold(v, t)

    def unhold_owned(self, v, t, owned):
        if owned:
            self.unhold(v, t)

    def e_IndexExpr(self, n):
        o, ot, own_o = self.operand(n.expr)
        self.hold_owned(o, ot, own_o)
        k, kt, own_k = self.operand(n.index)
        self.unhold_owned(o, ot, own_o)
        return self.index_get(o, ot, k, kt, A.read_error_pos(n),
                              str_key=isinstance(n.index, A.StringLit),
                              own_o=own_o, own_k=own_k), OBJ

    def e_SelectorExpr(self, n):
        o, ot, own_o = self.operand(n.expr)
        k = self.const_borrowed(n.sel)
        return self.index_get(o, ot, k, OBJ, A.read_error_pos(n), str_key=True, own_o=own_o,
                              own_k=False), OBJ

    def index_get(self, o, ot, k, kt, pos, str_key=False, own_o=True, own_k=True):
        """``o[k]`` as a new reference (``o`` and ``k`` consumed when owned): an array with an
        int index in range, a map or immutable map (a module) with a string key, and
        ``undefined[k]`` (undefined, whatever the key) inline, everything else through
        ``ops.index_get``."""
        b = self.b
        if ot != OBJ:
            self.hold_owned(k, kt, own_k)
            o = self.to_obj(o, ot, pos)
            self.unhold_owned(k, kt, own_k)
            ot, own_o = OBJ, True
        done = self.new_block("index.done")
        general = self.new_block("index.slow")
        phi_in = []
        if kt == INT:
            fast = self.new_block("index.list")
            b.cbranch(self.is_type(o, "PyList_Type"), fast, general)
            b.position_at_end(fast)
            size = b.load(b.bitcast(b.gep(o, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
            hit = self.new_block("index.hit")
            b.cbranch(b.icmp_unsigned("<", k, size), hit, general)
            b.position_at_end(hit)
            items = b.bitcast(self.mb.load_ptr(b, o, cc.OFF_LIST_ITEMS), PPTR)
            item = b.load(b.gep(items, [k]))
            self.incref(item)
            phi_in.append((item, b.block))
            b.branch(done)
        elif kt == OBJ:
            fast = self.new_block("index.dict")
            # an immutable map is a dict subclass that changes nothing of the lookup
            is_dict = b.or_(self.is_type(o, "PyDict_Type"), self.is_type(o, "ImmutableMap_Type"))
            not_map = general
            if not str_key:
                is_dict = b.and_(is_dict, self.is_type(k, "PyUnicode_Type"))
                # an array and an int key held as any value
                not_map = self.new_block("index.any.list")
            b.cbranch(is_dict, fast, not_map)
            if not str_key:
                b.position_at_end(not_map)
                lst, hit = self.new_block("index.any.int"), self.new_block("index.any.hit")
                b.cbranch(b.and_(self.is_type(o, "PyList_Type"), self.is_type(k, "PyLong_Type")),
                          lst, general)
                b.position_at_end(lst)
                ki = self.mb.unbox(b, INT, k)
                size = b.load(b.bitcast(b.gep(o, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
                b.cbranch(b.icmp_unsigned("<", ki, size), hit, general)
                b.position_at_end(hit)
                items = b.bitcast(self.mb.load_ptr(b, o, cc.OFF_LIST_ITEMS), PPTR)
                item = b.load(b.gep(items, [ki]))
                self.incref(item)
                phi_in.append((item, b.block))
                b.branch(done)
            b.position_at_end(fast)
            got = self.dict_get(o, k)
            # a string key never raises: NULL is a missing key, whose value is undefined
            none = self.mb.const_ptr(b, self.mb.rt.addr["Py_None"])
            got = b.select(b.icmp_unsigned("==", got, ir.Constant(PTR, None)), none, got)
            self.incref(got)
            phi_in.append((got, b.block))
            b.branch(done)
        else:
            b.branch(general)
        b.position_at_end(general)
        none = self.mb.const_ptr(b, self.mb.rt.addr["Py_None"])
        undefined, other = self.new_block("index.undefined"), self.new_block("index.other")
        b.cbranch(b.icmp_unsigned("==", o, none), undefined, other)
        b.position_at_end(undefined)
        self.incref(none)
        phi_in.append((none, b.block))
        b.branch(done)
        b.position_at_end(other)
        self.hold_owned(o, OBJ, own_o)
        self.hold_owned(k, kt, own_k)
        r = self.slow("index_get", [(o, OBJ), (k, kt)], pos)
        self.unhold_owned(k, kt, own_k)
        self.unhold_owned(o, OBJ, own_o)
        phi_in.append((r, b.block))
        b.branch(done)
        b.position_at_end(done)
        phi = b.phi(PTR)
        for v, blk in phi_in:
            phi.add_incoming(v, blk)
        if own_k:
            self.release(k, kt)
        if own_o:
            self.decref(o)
        return phi

    def is_ascii_str(self, v):
        """i1: ``v`` is an exact str of ASCII characters only (then bytes are characters)."""
        b = self.b
        state = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_STR_STATE)]), I32.as_pointer()))
        bit = b.and_(b.lshr(state, ir.Constant(I32, cc.STR_ASCII_BIT)), ir.Constant(I32, 1))
        return b.icmp_unsigned("!=", bit, ir.Constant(I32, 0))

    def e_SliceExpr(self, n):
        """``x[lo:hi]``: an array, or a string of ASCII characters, with int bounds (or none)
        in order inline (clamped as ``ops.slice_get`` clamps); everything else through it."""
        b = self.b
        lt = self.spec.expr_types.get(id(n.low)) if n.low is not None else INT
        ht = self.spec.expr_types.get(id(n.high)) if n.high is not None else INT
        if lt not in (INT, OBJ) or ht not in (INT, OBJ):
            return self.slice_general(n)
        o, ot = self.expr(n.expr)
        o = self.to_obj(o, ot, n.pos)
        self.hold(o, OBJ)
        lo_v = self.expr(n.low) if n.low is not None else (ir.Constant(I64, 0), INT)
        self.hold(*lo_v)
        hi_v = self.expr(n.high) if n.high is not None else None
        if hi_v is not None:
            self.hold(*hi_v)
        strs, fast, general, done = (self.new_block("slice.str"), self.new_block("slice.fast"),
                                     self.new_block("slice.slow"), self.new_block("slice.done"))
        ints = ir.Constant(I1, 1)            # bounds held as any value must be ints
        for v, t in [lo_v] + ([hi_v] if hi_v is not None else []):
            if t == OBJ:
                ints = b.and_(ints, self.is_type(v, "PyLong_Type"))
        bounds_ok = self.new_block("slice.bounds")
        b.cbranch(ints, bounds_ok, general)
        b.position_at_end(bounds_ok)
        lo = self.mb.unbox(b, INT, lo_v[0]) if lo_v[1] == OBJ else lo_v[0]
        hi_given = None
        if hi_v is not None:
            hi_given = self.mb.unbox(b, INT, hi_v[0]) if hi_v[1] == OBJ else hi_v[0]
        is_list = self.is_type(o, "PyList_Type")
        start = b.block
        b.cbranch(is_list, fast, strs)
        b.position_at_end(strs)
        str_ok = self.new_block("slice.str.type")
        b.cbranch(self.is_type(o, "PyUnicode_Type"), str_ok, general)
        b.position_at_end(str_ok)
        b.cbranch(self.is_ascii_str(o), fast, general)
        b.position_at_end(fast)
        kind = b.phi(I1)
        kind.add_incoming(ir.Constant(I1, 1), start)
        kind.add_incoming(ir.Constant(I1, 0), str_ok)
        size = self.list_size(o)              # list ob_size / str length, both at 16
        hi = hi_given if hi_given is not None else size
        in_order = self.new_block("slice.in.order")
        b.cbranch(b.icmp_signed(">", lo, hi), general, in_order)
        b.position_at_end(in_order)
        clamp = lambda v: b.select(b.icmp_signed("<", v, ir.Constant(I64, 0)), ir.Constant(I64, 0),
                                   b.select(b.icmp_signed(">", v, size), size, v))
        clo, chi = clamp(lo), clamp(hi)
        lst, sub, made = (self.new_block("slice.list"), self.new_block("slice.substring"),
                          self.new_block("slice.made"))
        b.cbranch(kind, lst, sub)
        b.position_at_end(lst)
        as_list = b.call(self.mb.api(b, "PyList_GetSlice", PTR, [PTR, I64, I64]), [o, clo, chi])
        b.branch(made)
        b.position_at_end(sub)
        as_str = b.call(self.mb.api(b, "PyUnicode_Substring", PTR, [PTR, I64, I64]), [o, clo, chi])
        b.branch(made)
        b.position_at_end(made)
        r = b.phi(PTR)
        r.add_incoming(as_list, lst)
        r.add_incoming(as_str, sub)
        self.check_null(r, n.pos)
        fast_end = b.block
        b.branch(done)
        b.position_at_end(general)
        low = lo_v if n.low is not None else (self.const_obj(None), OBJ)
        high = hi_v if hi_v is not None else (self.const_obj(None), OBJ)
        r2 = self.slow("slice_get", [(o, OBJ), low, high], A.read_error_pos(n))
        if n.low is None:
            self.decref(low[0])
        if hi_v is None:
            self.decref(high[0])
        slow_end = b.block
        b.branch(done)
        b.position_at_end(done)
        phi = b.phi(PTR)
        phi.add_incoming(r, fast_end)
        phi.add_incoming(r2, slow_end)
        if hi_v is not None:
            self.unhold(*hi_v)
        self.unhold(*lo_v)
        self.unhold(o, OBJ)
        if hi_v is not None:
            self.release(*hi_v)
        self.release(*lo_v)
        self.decref(o)
        return phi, OBJ

    def slice_general(self, n):
        parts = [self.expr(n.expr)]
        self.hold(*parts[0])
        for e in (n.low, n.high):
            if e is None:
                parts.append((self.const_obj(None), OBJ))
            else:
                parts.append(self.expr(e))
            self.hold(*parts[-1])
        r = self.slow("slice_get", parts, A.read_error_pos(n), only=True)
        self.release_args(parts)
        return r, OBJ

    def e_ImportExpr(self, n):
        """A module: a builtin module's map (a constant), or a source module's value from its
        function, as the baseline tier gets it."""
        kind, name = self.program.imported(n.module_name)
        value = self.program.ns[name]
        if kind == "builtin":
            return self.const_obj(value), OBJ
        fn = self.const_obj(value)
        self.hold(fn, OBJ)
        r = self.slow("call", [(fn, OBJ), (self.globals_list(), OBJ)], n.pos)
        self.unhold(fn, OBJ)
        self.decref(fn)
        return r, OBJ

    def e_FuncLit(self, n):
        """A new closure (``make_closure``); under max_allocs one that captures variables
        counts as an allocation, as in the baseline tier."""
        r = self.make_closure(n)
        if self.counting:
            _, syms, boxed = self.spec.closures[id(n)]
            if syms or boxed:
                self.count_alloc_of(r, n.pos)
        return r

    def make_closure(self, n):
        """A new closure, as the nested ``def`` of the baseline makes it: the literal's code
        object over the program's namespace (``PyFunction_New``), with a fresh cell holding each
        captured variable's value, in the code's ``co_freevars`` order, and a fresh box per
        captured per-iteration variable (``closure_boxes``; ``infer.e_FuncLit`` says when that
        is sound)."""
        code, syms, boxed = self.spec.closures[id(n)]
        b, mb = self.b, self.mb
        fn = b.call(mb.api(b, "PyFunction_New", PTR, [PTR, PTR]),
                    [self.const_borrowed(code), self.const_borrowed(self.program.ns)])
        self.check_null(fn, n.pos)
        self.hold(fn, OBJ)
        if boxed:
            self.closure_boxes(fn, boxed, n.pos)
        if not syms:
            self.unhold(fn, OBJ)
            return fn, OBJ
        cells = b.call(mb.api(b, "PyTuple_New", PTR, [I64]), [ir.Constant(I64, len(syms))])
        self.check_null(cells, n.pos)
        self.hold(cells, OBJ)
        cell_new = mb.api(b, "PyCell_New", PTR, [PTR])
        set_item = mb.api(b, "PyTuple_SetItem", I32, [PTR, I64, PTR])
        for i, sym in enumerate(syms):
            cell = self.cells.get(sym)
            if cell is not None:                  # a variable in a cell: shared, not copied
                self.incref(cell)
                b.call(set_item, [cells, ir.Constant(I64, i), cell])     # (steals the cell)
                continue
            t = self.spec.local_types[sym]
            v = self.to_obj(self.load_sym(sym, t), t, n.pos)
            cell = b.call(cell_new, [v])          # (takes its own reference)
            self.decref(v)
            self.check_null(cell, n.pos)
            b.call(set_item, [cells, ir.Constant(I64, i), cell])     # (steals the cell)
        r = b.call(mb.api(b, "PyFunction_SetClosure", I32, [PTR, PTR]), [fn, cells])
        self.unhold(cells, OBJ)
        self.decref(cells)                        # (the function took its own reference)
        bad, ok = self.new_block("closure.bad"), self.new_block("closure.ok")
        self.unlikely(b.cbranch(b.icmp_signed("!=", r, ir.Constant(I32, 0)), bad, ok))
        b.position_at_end(bad)
        self.fail(cc.ERR_PYEXC, n.pos)
        b.position_at_end(ok)
        self.unhold(fn, OBJ)
        return fn, OBJ

    def closure_boxes(self, fn, boxed, pos):
        """``fn.__kwdefaults__ = {name: [value], ...}``: a fresh box per per-iteration
        variable the closure captures, as the baseline's keyword defaults bind them."""
        b, mb = self.b, self.mb
        d = b.call(mb.api(b, "PyDict_New", PTR, []), [])
        self.check_null(d, pos)
        self.hold(d, OBJ)
        for sym in boxed:
            if sym in self.spec.own_boxes:            # the variable's own box: shared
                box = b.load(self.box_slot(sym))
                self.incref(box)
                self.hold(box, OBJ)
                r = b.call(mb.api(b, "PyDict_SetItem", I32, [PTR, PTR, PTR]),
                           [d, self.const_borrowed(sym.pyname), box])
                self.unhold(box, OBJ)
                self.decref(box)
                bad, ok = self.new_block("box.bad"), self.new_block("box.ok")
                self.unlikely(b.cbranch(b.icmp_signed("!=", r, ir.Constant(I32, 0)), bad, ok))
                b.position_at_end(bad)
                self.fail(cc.ERR_PYEXC, pos)
                b.position_at_end(ok)
                continue
            t = self.spec.local_types[sym]
            v = self.to_obj(self.load_sym(sym, t), t, pos)
            self.hold(v, OBJ)
            box = self.new_list([(v, OBJ)], pos)          # (takes the value over)
            self.unhold(v, OBJ)
            self.hold(box, OBJ)
            r = b.call(mb.api(b, "PyDict_SetItem", I32, [PTR, PTR, PTR]),
                       [d, self.const_borrowed(sym.pyname), box])
            self.unhold(box, OBJ)
            self.decref(box)
            bad, ok = self.new_block("box.bad"), self.new_block("box.ok")
            self.unlikely(b.cbranch(b.icmp_signed("!=", r, ir.Constant(I32, 0)), bad, ok))
            b.position_at_end(bad)
            self.fail(cc.ERR_PYEXC, pos)
            b.position_at_end(ok)
        r = b.call(mb.api(b, "PyFunction_SetKwDefaults", I32, [PTR, PTR]), [fn, d])
        self.unhold(d, OBJ)
        self.decref(d)
        bad, ok = self.new_block("kwdefaults.bad"), self.new_block("kwdefaults.ok")
        self.unlikely(b.cbranch(b.icmp_signed("!=", r, ir.Constant(I32, 0)), bad, ok))
        b.position_at_end(bad)
        self.fail(cc.ERR_PYEXC, pos)
        b.position_at_end(ok)

    def e_ErrorExpr(self, n):
        return self.wrap_value("make_error", n)

    def e_ImmutableExpr(self, n):
        return self.wrap_value("make_immutable", n)

    def wrap_value(self, name, n):
        v, t = self.expr(n.expr)
        self.hold(v, t)
        r = self.slow(name, [(v, t)], n.pos, only=True)
        self.unhold(v, t)
        self.release(v, t)
        return r, OBJ

    def assign_element(self, n, target, rhs, op):
        """``root.a[i] = v`` (and ``+=`` …), in Tengo's order: the value, the keys right to
        left, the root; one key into an array (int in range) or a map (string) inline,
        everything else through the runtime's ``index_assign``."""
        b = self.b
        if op == "=":
            inner = A.unparen(rhs)
            if self.lazy_arith(inner):
                v, t = self.lazy_binary(inner, keep_int=True), LAZY
            else:
                v, t = self.expr(rhs)
        else:
            lv, lt = self.expr(target)
            self.hold(lv, lt)
            rv, rt = self.arith_operand(rhs)
            self.unhold(lv, lt)
            cop = COMPOUND[op]
            if ({lt, rt} & {OBJ, LAZY} and not self.counting
                    and BINARY[cop].kind not in ("compare", "equality")):
                v, t = self.dynamic_binop(cop, lv, lt, rv, rt, n.pos, lazy=True, keep_int=True)
            else:
                if rt == LAZY:
                    rv, rt = self.lazy_object(rv, n.pos), OBJ
                v, t = self.binop(cop, lv, lt, rv, rt, n.pos)
            if self.counting:
                self.count_alloc_of((v, t), n.pos)
        # a float (or a Lazy arithmetic result that is one) is stored unboxed where it can be
        # (``store_float_in_place``) and boxed on the other paths; ``vslot`` holds the value's
        # object once there is one (held: an error exit releases what it holds)
        fval = vslot = isf = ival = isi = None
        if t in (FLOAT, LAZY):
            fval, isf = (v, None) if t == FLOAT else (v.f, v.isf)
            if t == LAZY and v.isi is not None:
                ival, isi = v.i, v.isi
            with b.goto_entry_block():
                vslot = b.alloca(PTR, name="iset.boxed")
            b.store(ir.Constant(PTR, None) if t == FLOAT else v.o, vslot)
            self.live.append(("slot", vslot))

            def boxed():
                if isf is None:
                    r = self.to_obj(fval, FLOAT, n.pos)
                    b.store(r, vslot)
                    return r
                join = self.new_block("iset.boxed")
                incoming = []
                for flag, val, kind in ((isf, fval, FLOAT), (isi, ival, INT)):
                    if flag is None:
                        continue
                    box, other = self.new_block("iset.box"), self.new_block("iset.notbox")
                    b.cbranch(flag, box, other)
                    b.position_at_end(box)
                    r1 = self.to_obj(val, kind, n.pos)
                    b.store(r1, vslot)
                    incoming.append((r1, b.block))
                    b.branch(join)
                    b.position_at_end(other)
                incoming.append((b.load(vslot), b.block))
                b.branch(join)
                b.position_at_end(join)
                r = b.phi(PTR)
                for x, blk in incoming:
                    r.add_incoming(x, blk)
                return r
        elif t == BOOL:
            # True or False, borrowed (they live as long as the process): the store takes the
            # one reference it keeps, and nothing is released afterwards
            v = self.bool_borrowed(v)

            def boxed():
                return v
        else:
            v = self.to_obj(v, t, n.pos)
            self.hold(v, OBJ)

            def boxed():
                return v
        sels, root = [], target
        while isinstance(root, (A.SelectorExpr, A.IndexExpr)):
            sels.append(root)
            root = root.expr
        keys = []                            # innermost (last applied) first
        for s_ in sels:
            if isinstance(s_, A.SelectorExpr):
                k, kt, owned = self.const_borrowed(s_.sel), OBJ, False
                keys.append((k, kt, True, owned))
            else:
                k, kt, owned = self.operand(s_.index)
                keys.append((k, kt, isinstance(s_.index, A.StringLit), owned))
            self.hold_owned(k, kt, owned)
        base, bt, own_base = self.operand(root)
        if bt != OBJ:
            base, own_base = self.to_obj(base, bt, n.pos), True
        self.hold_owned(base, OBJ, own_base)
        keys.reverse()                       # in application order
        done, general = self.new_block("iset.done"), self.new_block("iset.slow")
        cur = base
        for k, kt, str_key, _ in keys[:-1]:  # intermediate containers (borrowed from base)
            cur = self.borrow_element(cur, k, kt, str_key, general)
        k, kt, str_key, _ = keys[-1]
        if kt == INT:
            fast, hit = self.new_block("iset.list"), self.new_block("iset.hit")
            b.cbranch(self.is_type(cur, "PyList_Type"), fast, general)
            b.position_at_end(fast)
            size = b.load(b.bitcast(b.gep(cur, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
            b.cbranch(b.icmp_unsigned("<", k, size), hit, general)
            b.position_at_end(hit)
            items = b.bitcast(self.mb.load_ptr(b, cur, cc.OFF_LIST_ITEMS), PPTR)
            slot = b.gep(items, [k])
            if fval is not None:
                self.store_in_place(slot, fval, isf, ival, isi, done)
            v = boxed()
            old = b.load(slot)
            self.incref(v)
            b.store(v, slot)
            self.decref(old)
            b.branch(done)
        elif kt == OBJ:
            fast = self.new_block("iset.dict")
            ok = self.is_type(cur, "PyDict_Type")
            not_map = general
            if not str_key:
                ok = b.and_(ok, self.is_type(k, "PyUnicode_Type"))
                not_map = self.new_block("iset.any.list")
            lim = self.program.run_limits
            if lim is not None and lim.map < NO_LIMIT:
                # the script's map limit: a map with room for one more key stores inline,
                # a full one goes to the runtime (which raises only for a new key)
                room = self.new_block("iset.dict.room")
                b.cbranch(ok, room, not_map)
                b.position_at_end(room)
                used = b.load(b.bitcast(b.gep(cur, [ir.Constant(I64, cc.OFF_DICT_USED)]),
                                        I64.as_pointer()))
                b.cbranch(b.icmp_signed("<", used, ir.Constant(I64, lim.map)), fast, general)
            else:
                b.cbranch(ok, fast, not_map)
            if not str_key:                  # an array and an int key held as any value
                b.position_at_end(not_map)
                lst, hit = self.new_block("iset.any.int"), self.new_block("iset.any.hit")
                b.cbranch(b.and_(self.is_type(cur, "PyList_Type"), self.is_type(k, "PyLong_Type")),
                          lst, general)
                b.position_at_end(lst)
                ki = self.mb.unbox(b, INT, k)
                b.cbranch(b.icmp_unsigned("<", ki, self.list_size(cur)), hit, general)
                b.position_at_end(hit)
                items = b.bitcast(self.mb.load_ptr(b, cur, cc.OFF_LIST_ITEMS), PPTR)
                slot = b.gep(items, [ki])
                if fval is not None:
                    self.store_in_place(slot, fval, isf, ival, isi, done)
                v = boxed()
                old = b.load(slot)
                self.incref(v)
                b.store(v, slot)
                self.decref(old)
                b.branch(done)
            b.position_at_end(fast)
            # a key the map has: its value replaced in place (when the map is GC-tracked or
            # the value is one the collector never tracks — else PyDict_SetItem tracks it).
            # (``ma_version_tag`` stays: only dicts serving as Python globals or builtins are
            # watched through it, and a Tengo map is never one.)
            slot = b.call(self.mb.helper("dict_slot"), [cur, k, self.mb.dict_hint()])
            if fval is not None:
                found, stored = self.new_block("iset.dict.found"), self.new_block("iset.dict.box")
                b.cbranch(b.icmp_unsigned("!=", slot, ir.Constant(PPTR, None)), found, stored)
                b.position_at_end(found)
                self.store_in_place(slot, fval, isf, ival, isi, done)
                b.branch(stored)
                b.position_at_end(stored)
            v = boxed()
            replace, insert = self.new_block("iset.dict.replace"), self.new_block("iset.dict.insert")
            atomic = b.or_(b.or_(self.is_type(v, "PyFloat_Type"), self.is_type(v, "PyLong_Type")),
                           self.is_type(v, "PyUnicode_Type"))
            tracked = b.icmp_unsigned("!=", self.mb.load_ptr(b, cur, cc.OFF_GC_NEXT),
                                      ir.Constant(PTR, None))
            found = b.icmp_unsigned("!=", slot, ir.Constant(PPTR, None))
            b.cbranch(b.and_(found, b.or_(atomic, tracked)), replace, insert)
            b.position_at_end(replace)
            old = b.load(slot)
            self.incref(v)
            b.store(v, slot)
            self.decref(old)
            b.branch(done)
            b.position_at_end(insert)
            r = b.call(self.mb.api(b, "PyDict_SetItem", I32, [PTR, PTR, PTR]), [cur, k, v])
            bad = self.new_block("iset.bad")
            self.unlikely(b.cbranch(b.icmp_signed("!=", r, ir.Constant(I32, 0)), bad, done))
            b.position_at_end(bad)
            self.fail(cc.ERR_PYEXC, n.pos)
        else:
            b.branch(general)
        b.position_at_end(general)
        v = boxed()
        r = self.slow("index_set", [(base, OBJ), (v, OBJ)] + [(k, kt) for k, kt, _, _ in keys], n.pos)
        self.decref(r)
        b.branch(done)
        b.position_at_end(done)
        self.unhold_owned(base, OBJ, own_base)
        if own_base:
            self.decref(base)
        for k, kt, _, owned in keys:         # (held innermost-applied first)
            self.unhold_owned(k, kt, owned)
        for k, kt, _, owned in keys:
            if owned:
                self.release(k, kt)
        if fval is not None:
            assert self.live and self.live[-1] == ("slot", vslot)
            self.live.pop()
            self.xdecref(b.load(vslot))      # (NULL when the float was stored in place)
        elif t != BOOL:
            self.unhold(v, OBJ)
            self.decref(v)

    def store_in_place(self, slot, fval, isf, ival, isi, done):
        """``store_float_in_place``, then (when the value may be an int: ``isi``)
        ``store_int_in_place``."""
        self.store_float_in_place(slot, fval, isf, done)
        if isi is not None:
            self.store_int_in_place(slot, ival, isi, done)

    def store_int_in_place(self, slot, ival, isi, done):
        """When the value is an int (``isi``) of one 30-bit digit outside CPython's cache of
        small ints (-5..256), and ``*slot`` is an int of one digit that nothing but its
        container references, overwrite that int's digit and sign and branch to ``done``;
        else go on here. As with floats (``store_float_in_place``), no reader can tell: any
        other holder of the old int has a reference of its own. The cached small ints are
        never written (their count is far above 1) nor made (they stay unique)."""
        b = self.b
        old = b.load(slot)
        yes, no = self.new_block("iset.int.inplace"), self.new_block("iset.int.boxed")
        size_p = b.bitcast(b.gep(old, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer())
        refcnt = b.load(b.bitcast(b.gep(old, [ir.Constant(I64, cc.OFF_REFCNT)]), I64.as_pointer()))
        neg = b.icmp_signed("<", ival, ir.Constant(I64, 0))
        mag = b.select(neg, b.sub(ir.Constant(I64, 0), ival), ival)
        one_digit = b.icmp_unsigned("<", mag, ir.Constant(I64, 1 << 30))   # (|MIN| wraps)
        not_cached = b.or_(b.icmp_signed(">", ival, ir.Constant(I64, 256)),
                           b.icmp_signed("<", ival, ir.Constant(I64, -5)))
        old_size = b.load(size_p)
        old_one_digit = b.icmp_unsigned("<=", b.add(old_size, ir.Constant(I64, 1)), ir.Constant(I64, 2))
        ok = b.and_(b.and_(isi, self.is_type(old, "PyLong_Type")),
                    b.and_(b.icmp_signed("==", refcnt, ir.Constant(I64, 1)),
                           b.and_(old_one_digit, b.icmp_signed("!=", old_size, ir.Constant(I64, 0)))))
        b.cbranch(b.and_(ok, b.and_(one_digit, not_cached)), yes, no)
        b.position_at_end(yes)
        b.store(b.select(neg, ir.Constant(I64, -1), ir.Constant(I64, 1)), size_p)
        b.store(b.trunc(mag, I32), b.bitcast(b.gep(old, [ir.Constant(I64, cc.OFF_LONG_DIGIT)]),
                                             I32.as_pointer()))
        b.branch(done)
        b.position_at_end(no)

    def store_float_in_place(self, slot, fval, isf, done):
        """When the value is a float (``isf``, an i1, or None: it is one) and ``*slot`` (an
        array item or a map value) is a float that nothing but its
        container references (reference count 1), overwrite its value with the double
        ``fval`` and branch to ``done``; else go on here. No one can see the difference: a
        float is immutable to every reader, and any other reader — a variable, a temporary,
        another container, the host — holds a reference of its own, so the count is above
        1. It saves the allocation of a new float and the freeing of the old one."""
        b = self.b
        old = b.load(slot)
        yes, no = self.new_block("iset.float.inplace"), self.new_block("iset.float.boxed")
        is_float = self.is_type(old, "PyFloat_Type")
        if isf is not None:
            is_float = b.and_(isf, is_float)
        refcnt = b.load(b.bitcast(b.gep(old, [ir.Constant(I64, cc.OFF_REFCNT)]), I64.as_pointer()))
        b.cbranch(b.and_(is_float, b.icmp_signed("==", refcnt, ir.Constant(I64, 1))), yes, no)
        b.position_at_end(yes)
        b.store(fval, b.bitcast(b.gep(old, [ir.Constant(I64, cc.OFF_FLOAT_VAL)]), F64.as_pointer()))
        b.branch(done)
        b.position_at_end(no)

    def dict_get(self, d, k):
        """The value dict ``d`` (an exact dict or an immutable map) holds under str ``k``,
        borrowed, or NULL when it has none: the site's inline cache (``tj_dict_slot``), else
        ``PyDict_GetItemWithError`` (which never raises for a str key)."""
        b = self.b
        slot = b.call(self.mb.helper("dict_slot"), [d, k, self.mb.dict_hint()])
        cached, api, done = (self.new_block(x) for x in ("dict.cached", "dict.api", "dict.got"))
        b.cbranch(b.icmp_unsigned("==", slot, ir.Constant(PPTR, None)), api, cached)
        b.position_at_end(cached)
        v1 = b.load(slot)
        b.branch(done)
        b.position_at_end(api)
        v2 = b.call(self.mb.api(b, "PyDict_GetItemWithError", PTR, [PTR, PTR]), [d, k])
        b.branch(done)
        b.position_at_end(done)
        got = b.phi(PTR)
        got.add_incoming(v1, cached)
        got.add_incoming(v2, api)
        return got

    def borrow_element(self, o, k, kt, str_key, general):
        """``o[k]`` borrowed (kept alive by ``o``) when it is an array item in range or a
        map's string key present; else branch to ``general``."""
        b = self.b
        if kt == INT:
            fast, hit = self.new_block("elem.list"), self.new_block("elem.hit")
            b.cbranch(self.is_type(o, "PyList_Type"), fast, general)
            b.position_at_end(fast)
            size = b.load(b.bitcast(b.gep(o, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
            b.cbranch(b.icmp_unsigned("<", k, size), hit, general)
            b.position_at_end(hit)
            items = b.bitcast(self.mb.load_ptr(b, o, cc.OFF_LIST_ITEMS), PPTR)
            return b.load(b.gep(items, [k]))
        if kt == OBJ:
            fast, hit = self.new_block("elem.dict"), self.new_block("elem.hit")
            ok = self.is_type(o, "PyDict_Type")
            if not str_key:
                ok = b.and_(ok, self.is_type(k, "PyUnicode_Type"))
            b.cbranch(ok, fast, general)
            b.position_at_end(fast)
            got = self.dict_get(o, k)
            b.cbranch(b.icmp_unsigned("==", got, ir.Constant(PTR, None)), general, hit)
            b.position_at_end(hit)
            return got
        b.branch(general)
        self.dead()
        return ir.Constant(PTR, None)

    def e_Ident(self, n):
        sym = self.spec.res.uses[id(n)]
        t = self.spec.expr_types[id(n)]
        return self.load_sym(sym, t), t

    def condition(self, e):
        """i1: the truth of expression ``e`` (its value released)."""
        if isinstance(e, (A.IndexExpr, A.SelectorExpr)):
            return self.element_condition(e)
        v, t = self.expr(e)
        c = self.truth(v, t, e.pos)
        self.release(v, t)
        return c

    def bool_borrowed(self, v):
        """The i1 ``v`` as ``True`` or ``False``, borrowed (never released)."""
        rt = self.mb.rt.addr
        return self.b.select(v, self.mb.const_ptr(self.b, rt["Py_True"]),
                             self.mb.const_ptr(self.b, rt["Py_False"]))

    def element_condition(self, n):
        """The truth of ``o[k]`` / ``o.sel``: an array item in range or a map value that is
        ``true`` or ``false`` is read borrowed and decides at once (no reference taken or
        released); anything else takes ``index_get`` and ``truth``."""
        b = self.b
        o, ot, own_o = self.operand(n.expr)
        self.hold_owned(o, ot, own_o)
        if isinstance(n, A.SelectorExpr):
            k, kt, own_k, str_key = self.const_borrowed(n.sel), OBJ, False, True
        else:
            k, kt, own_k = self.operand(n.index)
            str_key = isinstance(n.index, A.StringLit)
        self.unhold_owned(o, ot, own_o)
        pos = A.read_error_pos(n)
        if ot != OBJ or kt not in (INT, OBJ):
            v = self.index_get(o, ot, k, kt, pos, str_key=str_key, own_o=own_o, own_k=own_k)
            c = self.truth(v, OBJ, n.pos)
            self.release(v, OBJ)
            return c
        slow, decided = self.new_block("cond.elem.slow"), self.new_block("cond.elem.bool")
        join = self.new_block("cond.elem.done")
        item = self.borrow_element(o, k, kt, str_key, slow)
        rt = self.mb.rt.addr
        is_true = b.icmp_unsigned("==", item, self.mb.const_ptr(b, rt["Py_True"]))
        is_false = b.icmp_unsigned("==", item, self.mb.const_ptr(b, rt["Py_False"]))
        b.cbranch(b.or_(is_true, is_false), decided, slow)
        b.position_at_end(decided)
        if own_o:
            self.decref(o)
        if own_k and kt == OBJ:
            self.decref(k)
        fast_end = b.block
        b.branch(join)
        b.position_at_end(slow)
        v = self.index_get(o, ot, k, kt, pos, str_key=str_key, own_o=own_o, own_k=own_k)
        c = self.truth(v, OBJ, n.pos)
        self.release(v, OBJ)
        slow_end = b.block
        b.branch(join)
        b.position_at_end(join)
        r = b.phi(I1)
        r.add_incoming(is_true, fast_end)
        r.add_incoming(c, slow_end)
        return r

    def truth(self, v, t, pos=(0, 0)):
        """Tengo's !IsFalsy: ints non-zero, floats not NaN, bools themselves; any other value
        inline for ``true``/``false``, else through the runtime (``v`` is not consumed)."""
        if t == BOOL:
            return v
        if t == INT:
            return self.b.icmp_signed("!=", v, ir.Constant(I64, 0))
        if t == FLOAT:
            return self.b.fcmp_ordered("ord", v, v)
        if t == OBJ:
            b = self.b
            true = self.mb.const_ptr(b, self.mb.rt.addr["Py_True"])
            false = self.mb.const_ptr(b, self.mb.rt.addr["Py_False"])
            start = b.block
            general, done = self.new_block("truth.slow"), self.new_block("truth.done")
            is_true = b.icmp_unsigned("==", v, true)
            others = self.new_block("truth.others")
            b.cbranch(b.or_(is_true, b.icmp_unsigned("==", v, false)), done, others)
            b.position_at_end(others)
            none = self.mb.const_ptr(b, self.mb.rt.addr["Py_None"])
            sized = b.or_(self.is_type(v, "PyLong_Type"), self.is_type(v, "PyUnicode_Type"))
            fast, undefined = self.new_block("truth.sized"), self.new_block("truth.undefined")
            b.cbranch(sized, fast, undefined)
            b.position_at_end(fast)
            # an int's ob_size and a str's length (both at 16) are 0 exactly when it is falsy
            size = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer()))
            sized_truth = b.icmp_signed("!=", size, ir.Constant(I64, 0))
            b.branch(done)
            b.position_at_end(undefined)         # undefined is falsy
            b.cbranch(b.icmp_unsigned("==", v, none), done, general)
            b.position_at_end(general)
            self.hold(v, OBJ)
            r = self.py_bool(self.slow("truthy", [(v, OBJ)], pos))
            self.unhold(v, OBJ)
            slow_end = b.block
            b.branch(done)
            b.position_at_end(done)
            phi = b.phi(I1)
            phi.add_incoming(is_true, start)
            phi.add_incoming(sized_truth, fast)
            phi.add_incoming(ir.Constant(I1, 0), undefined)
            phi.add_incoming(r, slow_end)
            return phi
        raise TypeError(t)

    def e_UnaryExpr(self, n):
        v, t = self.expr(n.operand)
        b = self.b
        if n.op == "+":
            return v, t
        if n.op == "!":
            c = b.not_(self.truth(v, t, n.pos))
            self.release(v, t)
            return c, BOOL
        if t == OBJ:            # (Tengo reports a unary error at the operand)
            return self.unary_dynamic(n.op, v, A.unparen(n.operand).pos), OBJ
        if n.op == "-":
            if t == INT:
                return b.sub(ir.Constant(I64, 0), v), INT
            # both sides hidden: LLVM folds a negation into the next operation too
            # (``-a + b`` → ``b - a``, ``-a * b`` → ``-(a * b)``), which moves a NaN's sign
            return self.opaque(b.fneg(self.opaque(v))), FLOAT
        if n.op == "^":
            return b.xor(v, ir.Constant(I64, -1)), INT
        raise TypeError(n.op)

    def unary_dynamic(self, op, v, pos):
        """``-v`` / ``^v`` of a value of any type (``v`` consumed): an int of at most one
        digit (the result cannot overflow) and, for ``-``, a float inline; the rest through
        the runtime."""
        b = self.b
        done, general = self.new_block("unary.done"), self.new_block("unary.slow")
        small_int, not_int = self.new_block("unary.int"), self.new_block("unary.other")
        is_int = self.new_block("unary.anyint")
        b.cbranch(self.is_type(v, "PyLong_Type"), is_int, not_int)
        b.position_at_end(is_int)
        size = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer()))
        compact = b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 1)), ir.Constant(I64, 2))
        b.cbranch(compact, small_int, general)
        b.position_at_end(small_int)         # size -1, 0 or 1: the value is size * digit
        digit = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LONG_DIGIT)]), I32.as_pointer()))
        x = b.mul(size, b.zext(digit, I64))
        x = b.sub(ir.Constant(I64, 0), x) if op == "-" else b.xor(x, ir.Constant(I64, -1))
        self.hold(v, OBJ)
        r_int = self.mb.box(b, INT, x)
        self.check_null(r_int, pos)
        self.unhold(v, OBJ)
        int_end = b.block
        b.branch(done)
        b.position_at_end(not_int)
        incoming = [(r_int, int_end)]
        if op == "-":
            is_float = self.new_block("unary.float")
            b.cbranch(self.is_type(v, "PyFloat_Type"), is_float, general)
            b.position_at_end(is_float)
            self.hold(v, OBJ)
            r_float = self.mb.box(b, FLOAT, b.fneg(self.mb.unbox(b, FLOAT, v)))
            self.check_null(r_float, pos)
            self.unhold(v, OBJ)
            incoming.append((r_float, b.block))
            b.branch(done)
        else:
            b.branch(general)
        b.position_at_end(general)
        self.hold(v, OBJ)
        r = self.slow("unary" + op, [(v, OBJ)], pos)
        self.unhold(v, OBJ)
        incoming.append((r, b.block))
        b.branch(done)
        b.position_at_end(done)
        phi = b.phi(PTR)
        for val, blk in incoming:
            phi.add_incoming(val, blk)
        self.decref(v)
        return phi

    def e_CondExpr(self, n):
        c = self.condition(n.cond)
        t = self.spec.expr_types[id(n)]
        yes, no, end = self.new_block("cond.true"), self.new_block("cond.false"), self.new_block("cond.end")
        self.b.cbranch(c, yes, no)
        self.b.position_at_end(yes)
        a, at = self.expr(n.true_expr)
        a = self.coerce(a, at, t, n.pos)
        ya = self.b.block
        self.b.branch(end)
        self.b.position_at_end(no)
        bv, bt = self.expr(n.false_expr)
        bv = self.coerce(bv, bt, t, n.pos)
        nb = self.b.block
        self.b.branch(end)
        self.b.position_at_end(end)
        phi = self.b.phi(ll(t))
        phi.add_incoming(a, ya)
        phi.add_incoming(bv, nb)
        return phi, t

    def e_BinaryExpr(self, n):
        if n.op in ("&&", "||"):
            return self.logical(n)
        if self.lazy_arith(n):
            return self.lazy_object(self.lazy_binary(n), n.pos), OBJ
        if BINARY[n.op].right_first:
            # the operator table says the right operand runs first (the baseline tier follows
            # the same column), which decides which error a script sees first
            rv, rt = self.expr(n.right)
            self.hold(rv, rt)
            lv, lt = self.expr(n.left)
            self.unhold(rv, rt)
        else:
            lv, lt = self.expr(n.left)
            self.hold(lv, lt)
            rv, rt = self.expr(n.right)
            self.unhold(lv, lt)
        return self.binop(n.op, lv, lt, rv, rt, n.pos)

    # ---------------------------------------------------------- arithmetic of dynamic values
    def lazy_arith(self, n):
        """Is ``n`` arithmetic whose result is a dynamic value (an operand of any type), so
        that a float result may stay unboxed for an enclosing arithmetic operator? (Not under
        max_allocs, where every result counts as the baseline tier counts it.)"""
        return (not self.counting and type(n) is A.BinaryExpr and n.op not in ("&&", "||")
                and BINARY[n.op].kind not in ("compare", "equality")
                and self.spec.expr_types.get(id(n)) == OBJ)

    def arith_operand(self, e):
        """An operand of arithmetic: a ``Lazy`` (tag ``LAZY``) when it is dynamic arithmetic
        itself, else as ``expr`` gives it."""
        inner = A.unparen(e)
        if self.lazy_arith(inner):
            return self.lazy_binary(inner), LAZY
        return self.expr(e)

    def lazy_binary(self, n, keep_int=False):
        """``n`` (``lazy_arith``) as a ``Lazy``: operands in the operator table's order, a
        float result unboxed (and with ``keep_int`` an int result, see ``dynamic_binop``).
        The same values, errors and order as ``e_BinaryExpr``."""
        if BINARY[n.op].right_first:
            rv, rt = self.arith_operand(n.right)
            self.hold_any(rv, rt)
            lv, lt = self.arith_operand(n.left)
            self.unhold_any(rv, rt)
        else:
            lv, lt = self.arith_operand(n.left)
            self.hold_any(lv, lt)
            rv, rt = self.arith_operand(n.right)
            self.unhold_any(lv, lt)
        if {lt, rt} & {OBJ, LAZY}:
            return self.dynamic_binop(n.op, lv, lt, rv, rt, n.pos, lazy=True, keep_int=keep_int)[0]
        v, t = self.binop(n.op, lv, lt, rv, rt, n.pos)
        if t == FLOAT:
            return Lazy(ir.Constant(I1, 1), v, ir.Constant(PTR, None))
        return Lazy(ir.Constant(I1, 0), ir.Constant(F64, 0.0), self.to_obj(v, t, n.pos))

    def hold_any(self, v, t):
        self.hold(v.o, OBJ) if t == LAZY else self.hold(v, t)

    def unhold_any(self, v, t):
        self.unhold(v.o, OBJ) if t == LAZY else self.unhold(v, t)

    def release_any(self, v, t):
        self.xdecref(v.o) if t == LAZY else self.release(v, t)

    def lazy_object(self, lz, pos):
        """``lz`` as an owned object (consumed): its float boxed, else its object."""
        b = self.b
        boxed, kept, done = (self.new_block(x) for x in ("lazy.box", "lazy.obj", "lazy.done"))
        b.cbranch(lz.isf, boxed, kept)
        b.position_at_end(boxed)
        r = self.to_obj(lz.f, FLOAT, pos)
        boxed_end = b.block
        b.branch(done)
        b.position_at_end(kept)
        b.branch(done)
        b.position_at_end(done)
        phi = b.phi(PTR)
        phi.add_incoming(r, boxed_end)
        phi.add_incoming(lz.o, kept)
        return phi

    def lazy_new_ref(self, lz, pos):
        """A new reference to ``lz``'s value (``lz`` keeps its own)."""
        b = self.b
        boxed, kept, done = (self.new_block(x) for x in ("lazy.box", "lazy.ref", "lazy.done"))
        b.cbranch(lz.isf, boxed, kept)
        b.position_at_end(boxed)
        r = self.to_obj(lz.f, FLOAT, pos)
        boxed_end = b.block
        b.branch(done)
        b.position_at_end(kept)
        self.incref(lz.o)
        b.branch(done)
        b.position_at_end(done)
        phi = b.phi(PTR)
        phi.add_incoming(r, boxed_end)
        phi.add_incoming(lz.o, kept)
        return phi

    def keep_left(self, key, lv, rv, r):
        """Tengo's float result ``r`` of ``lv <key> rv``: ``lv`` itself where ``keeps_left``
        says so, and for ``+`` and ``*`` of two NaNs the right one (the reference's machine
        code, as its compiler ordered the commutative operands; LLVM's order is its own).
        Only a zero or NaN result can differ, so the test sits behind a branch on ``r == 0``
        (unordered for ``+``/``*``) weighted as rare: the processor runs on with ``r``
        instead of waiting for a select (the dependency chains of float loops stay as IEEE's)."""
        b = self.b
        zero_rule = self.keeps_left(key, lv, rv, probe=True) is not None
        nan_rule = key in ("add", "mul")
        if not zero_rule and not nan_rule:
            return r
        zero_b, join_b = self.new_block("float.zero"), self.new_block("float.join")
        start = b.block
        cmp = b.fcmp_unordered if nan_rule else b.fcmp_ordered
        br = b.cbranch(cmp("==", r, ir.Constant(F64, 0.0)), zero_b, join_b)
        br.set_weights([1, 4096])
        b.position_at_end(zero_b)
        kept = b.select(self.keeps_left(key, lv, rv), lv, r) if zero_rule else r
        if nan_rule:     # a NaN right operand is the result (both NaN: x86 keeps either)
            kept = b.select(b.fcmp_unordered("uno", rv, rv), self.opaque(rv), kept)
        b.branch(join_b)
        b.position_at_end(join_b)
        phi = b.phi(F64)
        phi.add_incoming(r, start)
        phi.add_incoming(kept, zero_b)
        return phi

    def keeps_left(self, key, lv, rv, probe=False):
        """When Tengo's ``lv <key> rv`` (floats) is ``lv`` itself rather than IEEE's result
        (``ops.keep_left``: a result equal to the left operand is the left operand). The
        results differ only for zeros, so the test reads the operands, never the result: it
        runs beside the arithmetic instead of after it (and folds away for most constants).
        ``a ± b`` equals ``a`` as a zero only when ``b`` is zero; ``a * b`` and ``a / b`` when
        ``a`` is zero and ``b`` is finite (``*``) or non-zero and not NaN (``/``);
        None when a literal operand decides that Tengo's result is IEEE's (``probe``: answer
        only that, True or None, emitting nothing)."""
        b = self.b
        zero = ir.Constant(F64, 0.0)
        lk, rk = _literal_float(lv), _literal_float(rv)
        if key in ("add", "sub"):
            if rk is not None and rk != 0:
                return None
            if probe:
                return True
            return b.fcmp_ordered("==", rv, zero)
        if lk is not None and lk != 0:
            return None
        if probe:
            return True
        a_zero = b.fcmp_ordered("==", lv, zero)
        if key == "mul":
            return b.and_(a_zero, b.fcmp_ordered("==", b.fsub(rv, rv), zero))
        return b.and_(a_zero, b.fcmp_ordered("!=", rv, zero))

    def logical(self, n):
        t = self.spec.expr_types[id(n)]
        lv, lt = self.expr(n.left)
        c = self.truth(lv, lt, n.pos)
        lv = self.coerce(lv, lt, t, n.pos)
        start = self.b.block
        rhs, end = self.new_block("logic.rhs"), self.new_block("logic.end")
        if n.op == "&&":
            self.b.cbranch(c, rhs, end)
        else:
            self.b.cbranch(c, end, rhs)
        self.b.position_at_end(rhs)
        self.release(lv, t)
        rv, rt = self.expr(n.right)
        rv = self.coerce(rv, rt, t, n.pos)
        rb = self.b.block
        self.b.branch(end)
        self.b.position_at_end(end)
        phi = self.b.phi(ll(t))
        phi.add_incoming(lv, start)
        phi.add_incoming(rv, rb)
        return phi, t

    def binop(self, op, lv, lt, rv, rt, pos):
        """``lv op rv`` for ints, floats and bools as the operator table's lowering key says."""
        b = self.b
        row = BINARY[op]
        key = row.jit
        if OBJ in (lt, rt):
            return self.dynamic_binop(op, lv, lt, rv, rt, pos)
        if row.kind == "equality":
            if lt == rt == INT or lt == rt == BOOL:
                return b.icmp_signed(_PREDICATE[key], lv, rv), BOOL
            if {lt, rt} <= {INT, FLOAT}:
                lv, rv = self.to_float(lv, lt), self.to_float(rv, rt)
                if key == "eq":
                    return b.fcmp_ordered("==", lv, rv), BOOL
                return b.fcmp_unordered("!=", lv, rv), BOOL
            return ir.Constant(I1, 0 if key == "eq" else 1), BOOL
        if row.kind == "compare":
            if lt == rt == INT:
                return b.icmp_signed(_PREDICATE[key], lv, rv), BOOL
            lv, rv = self.to_float(lv, lt), self.to_float(rv, rt)
            return b.fcmp_ordered(_PREDICATE[key], lv, rv), BOOL
        if lt == FLOAT or rt == FLOAT:
            left_float = lt == FLOAT
            lv, rv = self.to_float(lv, lt), self.to_float(rv, rt)
            r = getattr(b, _FLOAT_ARITH[key])(lv, rv)
            if left_float:
                r = self.keep_left(key, lv, rv, r)
            return r, FLOAT
        # int op int
        if key in _INT_ARITH:
            return getattr(b, _INT_ARITH[key])(lv, rv), INT
        if key == "andnot":
            return b.and_(lv, b.xor(rv, ir.Constant(I64, -1))), INT
        if key in ("div", "rem"):
            return self.divmod(op, lv, rv, pos), INT
        if key == "shl":
            big = b.icmp_unsigned(">=", rv, ir.Constant(I64, 64))
            sh = b.shl(lv, b.select(big, ir.Constant(I64, 0), rv))
            return b.select(big, ir.Constant(I64, 0), sh), INT
        if key == "shr":
            big = b.icmp_unsigned(">=", rv, ir.Constant(I64, 64))
            sh = b.ashr(lv, b.select(big, ir.Constant(I64, 63), rv))
            return sh, INT
        raise TypeError(op)

    def dynamic_binop(self, op, lv, lt, rv, rt, pos, lazy=False, keep_int=False):
        """``lv op rv`` where an operand may be any value (both consumed; comparisons yield an
        i1). Inline: ints and floats (each pair of kinds lowered as the typed operator is),
        ``==``/``!=`` with undefined (identity) and between strings; everything else through
        the runtime's own operator. Operands may be ``Lazy`` (arithmetic only); with ``lazy``
        the result is a ``Lazy`` too (a float result unboxed; with ``keep_int`` an int result
        too, ``Lazy.isi``: for ``assign_element`` only)."""
        b = self.b
        row = BINARY[op]
        boolean = row.kind in ("compare", "equality")
        assert not (boolean and (lazy or LAZY in (lt, rt)))
        self.hold_any(lv, lt)
        self.hold_any(rv, rt)
        done, general = self.new_block("dyn.done"), self.new_block("dyn.slow")
        incoming = []
        # a Lazy operand's object to test and unbox: a float constant stands in for its
        # unboxed float, so the kind tests below need no NULL test
        dummy = self.const_borrowed(0.0) if LAZY in (lt, rt) else None
        lo = b.select(lv.isf, dummy, lv.o) if lt == LAZY else lv
        ro = b.select(rv.isf, dummy, rv.o) if rt == LAZY else rv
        if row.kind == "equality" and lt == OBJ and rt == OBJ:
            none = self.mb.const_ptr(b, self.mb.rt.addr["Py_None"])
            ident, cont = self.new_block("eq.undefined"), self.new_block("eq.other")
            b.cbranch(b.or_(b.icmp_unsigned("==", lv, none), b.icmp_unsigned("==", rv, none)),
                      ident, cont)
            b.position_at_end(ident)
            incoming.append((b.icmp_unsigned("==" if row.jit == "eq" else "!=", lv, rv), b.block))
            b.branch(done)
            b.position_at_end(cont)
            strs, cont = self.new_block("eq.str"), self.new_block("eq.num")
            b.cbranch(b.and_(self.is_type(lv, "PyUnicode_Type"), self.is_type(rv, "PyUnicode_Type")),
                      strs, cont)
            b.position_at_end(strs)
            cmp = b.call(self.mb.api(b, "PyUnicode_Compare", I32, [PTR, PTR]), [lv, rv])
            eq = b.or_(b.icmp_unsigned("==", lv, rv), b.icmp_signed("==", cmp, ir.Constant(I32, 0)))
            incoming.append((eq if row.jit == "eq" else b.not_(eq), b.block))
            b.branch(done)
            b.position_at_end(cont)
        dyn = lambda t: t in (OBJ, LAZY)
        kinds = lambda t: (INT, FLOAT) if dyn(t) else (t,)

        def unboxed(v, t, o, k):
            if t == LAZY and k == FLOAT:
                return b.select(v.isf, v.f, self.mb.unbox(b, FLOAT, o))
            return self.mb.unbox(b, k, o) if dyn(t) else v
        null = ir.Constant(PTR, None)
        for lk in kinds(lt):
            for rk in kinds(rt):
                if lk not in (INT, FLOAT) or rk not in (INT, FLOAT):
                    continue
                if dyn(lt) and dyn(rt) and lk != rk:
                    continue             # mixed kinds of two unknown values: the runtime
                if not boolean and binop_result(op, lk, rk) is None:
                    continue
                test = ir.Constant(I1, 1)
                if dyn(lt):
                    test = b.and_(test, self.is_type(lo, _KIND_TYPE[lk]))
                if dyn(rt):
                    test = b.and_(test, self.is_type(ro, _KIND_TYPE[rk]))
                case, nxt = self.new_block(f"dyn.{lk}.{rk}"), self.new_block("dyn.next")
                b.cbranch(test, case, nxt)
                b.position_at_end(case)
                l_ = unboxed(lv, lt, lo, lk)
                r_ = unboxed(rv, rt, ro, rk)
                v, t = self.binop(op, l_, lk, r_, rk, pos)
                if lazy and t == FLOAT:
                    v = (ir.Constant(I1, 1), v, null)
                elif lazy and keep_int and t == INT:
                    v = (ir.Constant(I1, 0), ir.Constant(F64, 0.0), null, ir.Constant(I1, 1), v)
                elif lazy:
                    v = (ir.Constant(I1, 0), ir.Constant(F64, 0.0), self.to_obj(v, t, pos))
                elif not boolean:
                    v = self.to_obj(v, t, pos)
                incoming.append((v, b.block))
                b.branch(done)
                b.position_at_end(nxt)
        b.branch(general)
        b.position_at_end(general)
        args, boxed = [], []
        for v, t in ((lv, lt), (rv, rt)):
            if t == LAZY:                    # the runtime's operator takes objects
                m = self.lazy_new_ref(v, pos)
                self.hold(m, OBJ)
                boxed.append(m)
                args.append((m, OBJ))
            else:
                args.append((v, t))
        r = self.slow("binary" + op, args, pos)
        for m in reversed(boxed):
            self.unhold(m, OBJ)
        for m in boxed:
            self.decref(m)
        if boolean:
            r = self.py_bool(r)
        incoming.append(((ir.Constant(I1, 0), ir.Constant(F64, 0.0), r) if lazy else r, b.block))
        b.branch(done)
        b.position_at_end(done)
        if lazy:
            parts = [b.phi(I1), b.phi(F64), b.phi(PTR)] + ([b.phi(I1), b.phi(I64)] if keep_int else [])
            no_int = (ir.Constant(I1, 0), ir.Constant(I64, 0))
            for v, blk in incoming:
                for phi, x in zip(parts, tuple(v) + (no_int if len(v) == 3 else ())):
                    phi.add_incoming(x, blk)
            result = Lazy(*parts)
        else:
            phi = b.phi(I1 if boolean else PTR)
            for v, blk in incoming:
                phi.add_incoming(v, blk)
        self.unhold_any(rv, rt)
        self.unhold_any(lv, lt)
        self.release_any(rv, rt)
        self.release_any(lv, lt)
        if lazy:
            return result, LAZY
        return phi, (BOOL if boolean else OBJ)

    def divmod(self, op, a, d, pos):
        b = self.b
        zero = self.new_block("div.zero")
        nz = self.new_block("div.nonzero")
        b.cbranch(b.icmp_signed("==", d, ir.Constant(I64, 0)), zero, nz)
        b.position_at_end(zero)
        self.fail(cc.ERR_DIV_ZERO, pos)
        b.position_at_end(nz)
        minus1 = b.icmp_signed("==", d, ir.Constant(I64, -1))
        safe_d = b.select(minus1, ir.Constant(I64, 1), d)
        if op == "/":
            q = b.sdiv(a, safe_d)
            return b.select(minus1, b.sub(ir.Constant(I64, 0), a), q)
        r = b.srem(a, safe_d)
        return b.select(minus1, ir.Constant(I64, 0), r)

    def to_float(self, v, t):
        if t == INT:
            return self.int_to_float(v)
        return v

    def int_to_float(self, v):
        """``float(v)`` for an int ``v``, behind ``opaque``: an int the optimiser finds constant
        (``-1`` is ``0 - 1``) would otherwise become a float constant it folds with
        (``x * -1.0`` → ``-x``, ``sqrt(-1.0)`` → APFloat's NaN), not the hardware's result."""
        return self.opaque(self.b.sitofp(v, F64))

    def e_CallExpr(self, n):
        spec = self.spec
        f = n.func
        while isinstance(f, A.ParenExpr):
            f = f.expr
        if id(n) in spec.dynamic_calls:
            return self.dynamic_call(n)
        sym = spec.res.uses[id(f)]
        if sym.kind == "builtin":
            r = self.builtin_call(n, sym.name)
            if self.counting:                # a builtin's result counts once (Tengo's VM)
                self.count_alloc_of(r, n.pos)
            return r
        if id(n) in spec.checked_calls:
            if self.counting:                # the runtime's counting call decides
                return self.dynamic_call(n)
            return self.checked_call(n)
        callee, source = spec.calls[id(n)]
        vals = self.args(n.args, borrow=True)
        r = self.emit_call(n, callee, [v for v, _ in vals], self.callee_env(callee, source))
        self.release_args(vals)
        if r[1] == VOID:
            return self.const_obj(None), OBJ          # undefined
        return r

    def dynamic_call(self, n):
        """A call of a value known only at run time: the runtime's own call (``fn(G, ...)``),
        which may run any Tengo code (see ``infer.Inferrer.dynamic_globals``)."""
        spec = self.spec
        f = A.unparen(n.func)
        if isinstance(f, A.Ident) and spec.res.uses[id(f)].kind == "builtin":
            fn = self.const_obj(BUILTIN_FUNCTIONS[spec.res.uses[id(f)].name])
        else:
            fn = self.to_obj(*self.expr(n.func), n.pos)
        self.hold(fn, OBJ)
        vals = self.args(n.args)
        known = (intrinsics.unary_float(f.sel)
                 if isinstance(f, A.SelectorExpr) and len(vals) == 1 else None)
        if self.counting:
            # ``rt.call_counting``: a builtin or host callee's result counts once
            name = "call_spread_counting" if n.ellipsis else "call_counting"
            r = self.slow(name, [(fn, OBJ), (self.globals_list(), OBJ)] + vals, n.pos,
                          only=True)
        elif spec.dynamic_calls.get(id(n)):
            r = self.slow("call_spread", [(fn, OBJ), (self.globals_list(), OBJ)] + vals, n.pos,
                          only=True)
        elif known is not None and vals[0][1] in (INT, FLOAT, OBJ):
            r = self.call_unary_float(fn, known, vals, n.pos)
        else:
            r = self.call_dynamic(fn, vals, n.pos)
        self.release_args(vals)
        self.unhold(fn, OBJ)
        self.decref(fn)
        return r, OBJ

    def call_unary_float(self, fn, known, vals, pos):
        """``fn(x)`` where ``fn`` may be the math module's function ``known`` (see
        ``intrinsics``): computed inline when it is and ``x`` is an int or a float, else the
        general call. An owned result."""
        b = self.b
        obj, intrinsic = known
        self.mb.consts.append(obj)
        (v, t), = vals
        inline, general, done = (self.new_block("math.inline"), self.new_block("math.call"),
                                 self.new_block("math.done"))
        b.cbranch(b.icmp_unsigned("==", fn, self.mb.const_ptr(b, id(obj))), inline, general)
        b.position_at_end(inline)
        if t == INT:
            x = self.int_to_float(v)
        elif t == FLOAT:
            x = v
        else:
            is_float, not_float, small_int, join = (
                self.new_block("math.float"), self.new_block("math.any"),
                self.new_block("math.int"), self.new_block("math.arg"))
            b.cbranch(self.is_type(v, "PyFloat_Type"), is_float, not_float)
            b.position_at_end(is_float)
            from_float = self.mb.unbox(b, FLOAT, v)
            b.branch(join)
            b.position_at_end(not_float)
            is_int = self.new_block("math.anyint")
            b.cbranch(self.is_type(v, "PyLong_Type"), is_int, general)
            b.position_at_end(is_int)
            size = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer()))
            compact = b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 1)), ir.Constant(I64, 2))
            b.cbranch(compact, small_int, general)
            b.position_at_end(small_int)         # size -1, 0 or 1: the value is size * digit
            digit = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LONG_DIGIT)]), I32.as_pointer()))
            from_int = b.sitofp(b.mul(size, b.zext(digit, I64)), F64)
            b.branch(join)
            b.position_at_end(join)
            x = b.phi(F64)
            x.add_incoming(from_float, is_float)
            x.add_incoming(from_int, small_int)
        fnty = ir.FunctionType(F64, [F64])
        try:
            op = self.mb.m.get_global(intrinsic)
        except KeyError:
            op = ir.Function(self.mb.m, fnty, name=intrinsic)
        y = b.call(op, [x])
        if intrinsic == "llvm.sqrt.f64":
            # x < 0: x86's default NaN (sign bit set), as Go's SQRTSD and the module give it
            y = b.select(b.fcmp_ordered("<", x, ir.Constant(F64, 0.0)),
                         ir.Constant(F64, -float("nan")), y)
        y = self.mb.box(b, FLOAT, y)
        self.check_null(y, pos)
        inline_end = b.block
        b.branch(done)
        b.position_at_end(general)
        r = self.call_dynamic(fn, vals, pos)
        general_end = b.block
        b.branch(done)
        b.position_at_end(done)
        phi = b.phi(PTR)
        phi.add_incoming(y, inline_end)
        phi.add_incoming(r, general_end)
        return phi

    def checked_call(self, n):
        """A call of a function held by a global in a region that may run any Tengo code:
        native when the global still holds the compiled function (its code object and the
        types of its captured values), else the runtime's own call. The result is boxed."""
        spec, b = self.spec, self.b
        callee, (_, slot) = spec.calls[id(n)]
        vals = self.args(n.args)
        obj = self.global_obj(slot)
        self.incref(obj)                     # the call may assign the global
        self.hold(obj, OBJ)
        native, general, done = (self.new_block("checked.native"), self.new_block("checked.slow"),
                                 self.new_block("checked.done"))
        ok = self.is_type(obj, "PyFunction_Type")
        test = self.new_block("checked.code")
        b.cbranch(ok, test, general)
        b.position_at_end(test)
        ok = b.icmp_unsigned("==", self.mb.load_ptr(b, obj, cc.OFF_FUNC_CODE),
                             self.mb.const_ptr(b, id(callee.code)))
        names = callee.code.co_freevars
        for s_, t in zip(callee.free_syms, callee.free_types):
            if t == OBJ and s_ not in callee.cell_syms:
                continue
            nxt = self.new_block("checked.env")
            b.cbranch(ok, nxt, general)
            b.position_at_end(nxt)
            v = self.mb.cell_value(b, obj, names.index(s_.pyname))
            if s_ in callee.cell_syms:          # passed as the cell: not empty
                ok = b.icmp_unsigned("!=", v, ir.Constant(PTR, None))
                continue
            ok = self.is_type(v, _KIND_TYPE.get(t, "PyBool_Type"))
            if t == INT:
                nxt = self.new_block("checked.int")
                b.cbranch(ok, nxt, general)
                b.position_at_end(nxt)
                size = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer()))
                ok = b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 2)), ir.Constant(I64, 4))
        b.cbranch(ok, native, general)
        b.position_at_end(native)
        env = self.mb.free_args(b, obj, callee)
        r, t = self.emit_call(n, callee, [v for v, _ in vals], env)
        if t != VOID:
            r = self.to_obj(r, t, n.pos)
        incoming = [(r, b.block)]
        b.branch(done)
        b.position_at_end(general)
        r2 = self.call_value(obj, vals, n.pos, only=False)
        if t == VOID:
            self.decref(r2)
        incoming.append((r2, b.block))
        b.branch(done)
        b.position_at_end(done)
        phi = None
        if t != VOID:
            phi = b.phi(PTR)
            for v, blk in incoming:
                phi.add_incoming(v, blk)
        self.unhold(obj, OBJ)
        self.decref(obj)
        self.release_args(vals)
        if t == VOID:
            return self.const_obj(None), OBJ          # undefined
        return phi, OBJ

    def args(self, nodes, borrow=False):
        """Evaluate call arguments in order: [(value, type)], each owned ``OBJ`` held until
        ``release_args``. ``borrow``: a variable of this activation is passed borrowed (see
        ``operand``) — for calls of compiled cores, which keep an argument only by taking a
        reference of their own (never for builtins, whose in-place fast paths read reference
        counts)."""
        vals = _Args()
        for a in nodes:
            if borrow:
                v, t, owned = self.operand(a)
            else:
                (v, t), owned = self.expr(a), True
            self.hold_owned(v, t, owned)
            vals.append((v, t))
            vals.owned.append(owned)
        return vals

    def release_args(self, vals):
        owned = getattr(vals, "owned", None) or [True] * len(vals)
        for (v, t), o in zip(reversed(vals), reversed(owned)):
            self.unhold_owned(v, t, o)
        for (v, t), o in zip(reversed(vals), reversed(owned)):
            if o:
                self.release(v, t)

    def builtin_call(self, n, name):
        """A builtin: ``len`` of an array or map inline, everything else (and ``len`` of other
        values) through the builtin itself."""
        b = self.b
        vals = self.args(n.args)
        if (name in TYPE_PREDICATES or name == "is_undefined") and len(vals) == 1:
            v, t = vals[0]
            if t == OBJ:
                if name == "is_undefined":
                    r = b.icmp_unsigned("==", v, self.mb.const_ptr(b, self.mb.rt.addr["Py_None"]))
                else:
                    r = b.icmp_unsigned("==", self.mb.type_of(b, v),
                                        self.mb.const_ptr(b, id(TYPE_PREDICATES[name])))
            else:
                kind = {INT: int, FLOAT: float, BOOL: bool}[t]
                r = ir.Constant(I1, int(name != "is_undefined" and TYPE_PREDICATES[name] is kind))
            self.release_args(vals)
            return r, BOOL
        if name == "len" and len(vals) == 1 and vals[0][1] == OBJ:
            v = vals[0][0]
            is_list, is_dict = self.is_type(v, "PyList_Type"), self.is_type(v, "PyDict_Type")
            fast, general, done = (self.new_block("len.fast"), self.new_block("len.slow"),
                                   self.new_block("len.done"))
            strs, str_ok = self.new_block("len.str"), self.new_block("len.str.type")
            b.cbranch(b.or_(is_list, is_dict), fast, strs)
            b.position_at_end(strs)
            b.cbranch(self.is_type(v, "PyUnicode_Type"), str_ok, general)
            b.position_at_end(str_ok)          # ASCII: as many bytes as characters
            b.cbranch(self.is_ascii_str(v), fast, general)
            b.position_at_end(fast)
            # list ob_size, dict ma_used and str length are all at offset 16
            fast_v = b.load(b.bitcast(b.gep(v, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
            b.branch(done)
            b.position_at_end(general)
            r = self.slow("builtin_len", [(self.globals_list(), OBJ), (v, OBJ)], n.pos)
            slow_v = self.mb.unbox(b, INT, r)
            self.decref(r)
            slow_end = b.block
            b.branch(done)
            b.position_at_end(done)
            phi = b.phi(I64)
            phi.add_incoming(fast_v, fast)
            phi.add_incoming(slow_v, slow_end)
            self.release_args(vals)
            return phi, INT
        r = self.slow("builtin_" + name, [(self.globals_list(), OBJ)] + vals, n.pos, only=True)
        self.release_args(vals)
        if name == "len":
            v = self.mb.unbox(b, INT, r)
            self.decref(r)
            return v, INT
        return r, OBJ

    def callee_env(self, callee, source):
        """The captured values a callee runs with, read from the function object's cells."""
        if not callee.free_syms:
            return []
        kind, slot = source
        obj = self.global_obj(slot)
        return self.mb.free_args(self.b, obj, callee)

    def emit_call(self, n, callee, vals, env):
        b = self.b
        if (callee is self.spec and not env and self.inline_depth < self.max_inline
                and self.spec.kind == "func" and not self.spec.own_cells
                and not self.spec.own_boxes):
            return self.inline_self(n, vals)
        core = self.mb.cores[callee]
        if callee is self.spec and self.self_target is not None:
            core = self.self_target
        if callee is self.spec and not self.checks_depth and self.only_self_calls:
            # proven-bounded copy calling only itself: no frame below reads the budget except
            # for its own trace count, which is relative (see delegate_bounded)
            depth = self.f.args[1]
        else:
            depth = b.sub(b.load(self.depth), ir.Constant(I64, 1))
        r = b.call(core, [self.ctx, depth] + vals + env)
        failed = r if callee.ret == VOID else b.extract_value(r, 1)
        err = self.new_block("call.err")
        ok = self.new_block("call.ok")
        br = b.cbranch(failed, err, ok)
        self.unlikely(br)
        b.position_at_end(err)
        self.release_live()
        self.push_trace(n.pos)
        b.store(ir.Constant(I1, 1), self.status)
        b.branch(self.err_target)
        b.position_at_end(ok)
        if callee.ret == VOID:
            return None, VOID
        return b.extract_value(r, 0), callee.ret

    def inline_self(self, n, vals):
        """A call of this very specialisation, lowered as an inline copy of its body (a
        virtual frame: it takes one from the depth budget and, on an error, adds its call
        site to the trace, exactly as a real call would)."""
        spec = self.spec
        b = self.b
        saved = (self.vars, self.inline_ret, self.err_target, self.loops)
        d = b.load(self.depth)
        with b.goto_entry_block():
            slot = b.alloca(ll(spec.ret), name="inline.ret") if spec.ret != VOID else None
        cont = self.new_block("inline.cont")
        err = self.new_block("inline.err")
        b.store(b.sub(d, ir.Constant(I64, 1)), self.depth)
        self.err_target = err
        self.check_depth()
        self.vars = {}
        for p, t, v in zip(spec.node.params, spec.arg_types, vals):
            b.store(v, self.var(spec.res.defs[id(p)], t))
        for sym, t in spec.local_types.items():
            if sym not in self.vars and t is not None:
                self.var(sym, t)
        self.inline_ret = (slot, cont)
        self.loops = []
        self.inline_depth += 1
        self.block(spec.node.body.stmts)
        if not self.b.block.is_terminated:
            self.b.branch(cont)
        self.inline_depth -= 1
        self.vars, self.inline_ret, self.err_target, self.loops = saved
        b.position_at_end(err)
        self.push_trace(n.pos)
        b.branch(self.err_target)
        b.position_at_end(cont)
        b.store(d, self.depth)
        if spec.ret == VOID:
            return None, VOID
        return b.load(slot), spec.ret
