"""Entry wrappers: METH_FASTCALL functions generated in IR, turned into Python builtins.

Five kinds, described with their signatures in ``callconv.py``: the prologue entry (called by
the function's own baseline code), the bound entry (``ctx.bind``/``ctx.call``), the host entry
(the host-call trampoline), the loop entry (a hot loop of the main body or of a function body)
and the map entry (``ctx.map`` over a numpy array). Each checks every assumption of the native code, unboxes, calls the core,
and boxes the result; an error in native code becomes a Python exception through the
``raise_error`` callback (``dispatch.native_error``), which reads the context's trace.
"""
from __future__ import annotations

import ctypes

import llvmlite.ir as ir

from . import callconv as cc
from .engine import TAG
from .lower import I1, I64, PTR, PPTR, ll
from .types import INT, FLOAT, BOOL, VOID, OBJ, Func

METH_FASTCALL = 0x0080
FASTCALL_TY = ir.FunctionType(PTR, [PTR, PPTR, I64])
METH_KEYWORDS = 0x0002
FASTCALL_KW_TY = ir.FunctionType(PTR, [PTR, PPTR, I64, PTR])   # METH_FASTCALL | METH_KEYWORDS


class PyMethodDef(ctypes.Structure):
    _fields_ = [("ml_name", ctypes.c_char_p), ("ml_meth", ctypes.c_void_p),
                ("ml_flags", ctypes.c_int), ("ml_doc", ctypes.c_char_p)]


_api = ctypes.pythonapi
_api.PyCFunction_NewEx.restype = ctypes.py_object
_api.PyCFunction_NewEx.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.py_object]


class NativeBuiltin:
    """Makes Python builtins for one compiled entry point.

    The ``PyMethodDef`` behind the builtins is kept by the program's ``ProgramCode``, and every
    builtin holds the program's ``CodeOwner`` (as its ``self``, or as the last item of its
    ``self`` tuple), so the structure and the machine code outlive the builtin.
    """

    def __init__(self, name, address, owner, keywords=False):
        self.name = name.encode()
        self.owner = owner
        flags = METH_FASTCALL | (METH_KEYWORDS if keywords else 0)
        self.defn = PyMethodDef(self.name, address, flags, None)
        owner.payload.keep.append(self.defn)

    def make(self, state=None):
        """A new builtin; ``state`` is the entry's state tuple (bound and map entries), to
        which the owner is appended."""
        self_obj = self.owner if state is None else state + (self.owner,)
        return _api.PyCFunction_NewEx(ctypes.addressof(self.defn), self_obj, None)


def globals_needed(entry):
    """Slots the globals list must have for the native code of ``entry``: one past the highest
    slot any specialisation of its graph reads, writes or calls through."""
    top, seen, stack = -1, set(), [entry]
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        for slots in (s.global_reads, s.global_writes, s.callee_objects):
            if slots:
                top = max(top, max(slots))
        stack.extend(callee for callee, _ in s.calls.values())
    return top + 1


def _graph_of(entry):
    out, seen, stack = [], set(), [entry]
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        out.append(s)
        stack.extend(callee for callee, _ in s.calls.values())
    return out


def collect_guards(entry):
    """(global slot -> type, global slot -> callee Spec) over the whole specialisation graph
    (no callees when the graph checks its callees on every call, see infer.dynamic_globals)."""
    checked = any(s.checked_calls or s.dynamic_calls for s in _graph_of(entry))
    reads, callees, seen = {}, {}, set()
    stack = [entry]
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        for slot, t in s.global_reads.items():
            if (s.kind == "loop" and slot in s.defined_globals) or (checked and isinstance(t, Func)):
                continue
            reads[slot] = t
        if not checked:
            for slot, callee in s.callee_objects.items():
                callees[slot] = callee
        for callee, _ in s.calls.values():
            stack.append(callee)
    return reads, callees


class WrapperBuilder:
    def __init__(self, mb, program, array_types):
        self.mb = mb
        self.program = program
        self.array_types = array_types       # addresses of list and ImmutableArray

    # ------------------------------------------------------------------ common pieces
    def check_type(self, b, obj, t, fail):
        """Branch to ``fail`` unless ``obj`` has lattice type ``t``; returns nothing."""
        mb = self.mb
        if t == OBJ:
            return                   # any value
        ty = mb.type_of(b, obj)
        if t in (INT, FLOAT, BOOL):
            name = {INT: "PyLong_Type", FLOAT: "PyFloat_Type", BOOL: "PyBool_Type"}[t]
            ok = b.icmp_unsigned("==", ty, mb.const_ptr(b, mb.rt.addr[name]))
        elif isinstance(t, Func):
            ok = b.icmp_unsigned("==", ty, mb.const_ptr(b, mb.rt.addr["PyFunction_Type"]))
            nxt = b.append_basic_block("guard.code")
            b.cbranch(ok, nxt, fail)
            b.position_at_end(nxt)
            code = mb.load_ptr(b, obj, cc.OFF_FUNC_CODE)
            ok = b.icmp_unsigned("==", code, mb.const_ptr(b, id(t.code)))
        else:
            raise TypeError(t)
        nxt = b.append_basic_block("guard.ok")
        b.cbranch(ok, nxt, fail)
        b.position_at_end(nxt)
        if t == INT:
            self.check_int64(b, obj, fail)

    def checked_free_args(self, b, func, spec, fail):
        """The captured-value arguments of ``spec``'s core for function object ``func``, each
        checked to have its type (else branch to ``fail``) and unboxed; for the variables
        closures assign (``spec.cell_syms``) the cell itself, checked not to be empty."""
        mb = self.mb
        names = spec.code.co_freevars
        out = []
        for s, t in zip(spec.free_syms, spec.free_types):
            cell = mb.cell(b, func, names.index(s.pyname))
            obj = mb.load_ptr(b, cell, cc.OFF_CELL_REF)
            if s in spec.cell_syms:
                ok = b.append_basic_block("cell.ok")
                b.cbranch(b.icmp_unsigned("==", obj, ir.Constant(PTR, None)), fail, ok)
                b.position_at_end(ok)
                out.append(cell)
            else:
                out.append(self.checked_unbox(b, obj, t, fail))
        return out

    def checked_unbox(self, b, obj, t, fail):
        """``obj`` checked to have lattice type ``t`` (else branch to ``fail``) and unboxed.
        An int: 0 or 1 digit inline, else ``PyLong_AsLongLongAndOverflow`` (out of int64
        range fails)."""
        mb = self.mb
        if t != INT:
            self.check_type(b, obj, t, fail)
            return mb.unbox(b, t, obj)
        f = b.function
        is_int = b.icmp_unsigned("==", mb.type_of(b, obj), mb.const_ptr(b, mb.rt.addr["PyLong_Type"]))
        typed, small, big, done = (f.append_basic_block("int.typed"), f.append_basic_block("int.small"),
                                   f.append_basic_block("int.big"), f.append_basic_block("int.ok"))
        b.cbranch(is_int, typed, fail)
        b.position_at_end(typed)
        size = b.load(b.bitcast(b.gep(obj, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer()))
        b.cbranch(b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 1)), ir.Constant(I64, 2)), small, big)
        b.position_at_end(small)            # size -1, 0 or 1: the value is size * digit
        digit = b.load(b.bitcast(b.gep(obj, [ir.Constant(I64, cc.OFF_LONG_DIGIT)]),
                                 ir.IntType(32).as_pointer()))
        v_small = b.mul(size, b.zext(digit, I64))
        b.branch(done)
        b.position_at_end(big)
        with b.goto_entry_block():
            ovf = b.alloca(ir.IntType(32), name="ovf")
        b.store(ir.Constant(ir.IntType(32), 0), ovf)
        conv = mb.api(b, "PyLong_AsLongLongAndOverflow", I64, [PTR, ir.IntType(32).as_pointer()])
        v_big = b.call(conv, [obj, ovf])
        big_ok = f.append_basic_block("int.big.ok")
        b.cbranch(b.icmp_signed("==", b.load(ovf), ir.Constant(ir.IntType(32), 0)), big_ok, fail)
        b.position_at_end(big_ok)
        b.branch(done)
        b.position_at_end(done)
        v = b.phi(I64)
        v.add_incoming(v_small, small)
        v.add_incoming(v_big, big_ok)
        return v

    def check_plain(self, b, obj, fail):
        """For an argument the host passes as any value (``OBJ``): branch to ``fail`` unless
        it is a Tengo value that needs no conversion and can hold nothing of another program
        (an int within int64, float, bool, str, bytes or undefined); arrays, maps and the
        rest take the context's general path, which converts them (see ``context._arg``)."""
        mb = self.mb
        f = b.function
        ty = mb.type_of(b, obj)
        is_ = lambda name: b.icmp_unsigned("==", ty, mb.const_ptr(b, mb.rt.addr[name]))
        other = b.or_(b.or_(is_("PyFloat_Type"), is_("PyBool_Type")),
                      b.or_(is_("PyUnicode_Type"), is_("PyBytes_Type")))
        other = b.or_(other, b.icmp_unsigned("==", obj, mb.const_ptr(b, mb.rt.addr["Py_None"])))
        ok, maybe_int, int_ok = (f.append_basic_block("plain.ok"), f.append_basic_block("plain.int"),
                                 f.append_basic_block("plain.int.ok"))
        b.cbranch(other, ok, maybe_int)
        b.position_at_end(maybe_int)
        b.cbranch(is_("PyLong_Type"), int_ok, fail)
        b.position_at_end(int_ok)
        self.check_int64(b, obj, fail)
        b.branch(ok)
        b.position_at_end(ok)

    def check_int64(self, b, obj, fail):
        """A host int may not fit int64: more than 3 digits never does, 3 digits may."""
        mb = self.mb
        f = b.function
        size = b.load(b.bitcast(b.gep(obj, [ir.Constant(I64, cc.OFF_LONG_SIZE)]), I64.as_pointer()))
        mag = b.select(b.icmp_signed("<", size, ir.Constant(I64, 0)), b.sub(ir.Constant(I64, 0), size), size)
        small = f.append_basic_block("int.small")
        three = f.append_basic_block("int.three")
        nxt = f.append_basic_block("int.ok")
        b.cbranch(b.icmp_signed("<=", mag, ir.Constant(I64, 2)), small, three)
        b.position_at_end(three)
        is3 = b.icmp_signed("==", mag, ir.Constant(I64, 3))
        check = f.append_basic_block("int.check")
        b.cbranch(is3, check, fail)
        b.position_at_end(check)
        with b.goto_entry_block():
            ovf = b.alloca(ir.IntType(32), name="ovf")
        b.store(ir.Constant(ir.IntType(32), 0), ovf)
        conv = mb.api(b, "PyLong_AsLongLongAndOverflow", I64, [PTR, ir.IntType(32).as_pointer()])
        b.call(conv, [obj, ovf])
        b.cbranch(b.icmp_signed("==", b.load(ovf), ir.Constant(ir.IntType(32), 0)), nxt, fail)
        b.position_at_end(small)
        b.branch(nxt)
        b.position_at_end(nxt)

    def guard_globals(self, b, items, entry, fail):
        reads, callees = collect_guards(entry)
        for slot in sorted(reads):
            obj = b.load(b.gep(items, [ir.Constant(I64, slot)]))
            self.check_type(b, obj, reads[slot], fail)
        for slot in sorted(callees):
            callee = callees[slot]
            obj = b.load(b.gep(items, [ir.Constant(I64, slot)]))
            self.checked_free_args(b, obj, callee, fail)

    def depth_budget(self, b):
        """Native frames allowed: the thread's remaining Python recursion budget, capped."""
        mb = self.mb
        ts = b.call(mb.api(b, "PyThreadState_Get", PTR, []), [])
        rem = b.load(b.bitcast(b.gep(ts, [ir.Constant(I64, cc.OFF_TSTATE_RECURSION_REMAINING)]),
                               ir.IntType(32).as_pointer()))
        rem = b.sext(rem, I64)
        cap = ir.Constant(I64, cc.NATIVE_DEPTH)
        rem = b.select(b.icmp_signed("<", rem, cap), rem, cap)
        return b.select(b.icmp_signed("<", rem, ir.Constant(I64, 0)), ir.Constant(I64, 0), rem)

    def stack_room(self, b, fail):
        """Branch to ``fail`` when this thread's stack pointer is already below the native
        stack limit (deep host recursion); returns the limit for the context."""
        mb = self.mb
        limit = b.call(mb.api(b, "tengojit_stack_limit", I64, []), [])
        sp = mb.stack_pointer(b)
        nxt = b.function.append_basic_block("stack.ok")
        b.cbranch(b.icmp_unsigned("<", sp, limit), fail, nxt)
        b.position_at_end(nxt)
        return limit

    def globals_items(self, b, G, entry, fail):
        """``ob_item`` of the globals list ``G`` after checking it is long enough for the
        native code (the host may shrink a context's globals list); else branch to ``fail``."""
        mb = self.mb
        need = globals_needed(entry)
        if need > 0:
            size = b.load(b.bitcast(b.gep(G, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
            nxt = b.function.append_basic_block("globals.ok")
            b.cbranch(b.icmp_signed(">=", size, ir.Constant(I64, need)), nxt, fail)
            b.position_at_end(nxt)
        return b.bitcast(mb.load_ptr(b, G, cc.OFF_LIST_ITEMS), PPTR)

    def revalidate(self, entry):
        """Define ``tj_revalidate(ctx)`` (declared by the cores' slow paths): the checks of the
        entry again, on the context's globals list (whose items pointer it refreshes);
        returns 1 when they fail."""
        mb = self.mb
        f = mb.helper("revalidate")
        b = ir.IRBuilder(f.append_basic_block("entry"))
        fail = f.append_basic_block("changed")
        ctx = f.args[0]
        field = lambda off, ty: b.bitcast(b.gep(ctx, [ir.Constant(I64, off)]), ty.as_pointer())
        G = b.load(field(cc.CTX_GLOBALS_LIST, PTR))
        items = self.globals_items(b, G, entry, fail)
        b.store(items, field(cc.CTX_GLOBALS, PPTR))
        if not any(s.dynamic_calls or s.checked_calls for s in _graph_of(entry)):
            # (a region with calls of run-time values assumes no type of a global, and
            # checks the functions it calls on every call)
            self.guard_globals(b, items, entry, fail)
        b.ret(ir.Constant(I1, 0))
        b.position_at_end(fail)
        b.ret(ir.Constant(I1, 1))

    def ctx_depth(self, b, ctx):
        """The depth budget ``make_ctx`` stored in the context."""
        return b.load(b.bitcast(b.gep(ctx, [ir.Constant(I64, cc.CTX_DEPTH)]), I64.as_pointer()))

    def make_ctx(self, b, items, limit, G):
        """The activation's context (see callconv.py) on this entry's stack."""
        ctx = b.alloca(ir.ArrayType(ir.IntType(8), cc.CTX_SIZE), name="ctx")
        ctx.align = 16
        p = b.bitcast(ctx, PTR)
        field = lambda off, ty: b.bitcast(b.gep(p, [ir.Constant(I64, off)]), ty.as_pointer())
        b.store(items, field(cc.CTX_GLOBALS, PPTR))
        b.store(self.depth_budget(b), field(cc.CTX_DEPTH, I64))
        b.store(ir.Constant(I64, 0), field(cc.CTX_ERR, I64))        # err and ntrace
        b.store(ir.Constant(PTR, None), field(cc.CTX_TRACE, PTR))
        b.store(limit, field(cc.CTX_STACK_LIMIT, I64))
        b.store(G, field(cc.CTX_GLOBALS_LIST, PTR))
        return p

    def finish(self, b, r, ret_t, ctx, raise_error):
        """Box the result on success, or raise the native error."""
        mb = self.mb
        f = b.function
        ok = f.append_basic_block("ok")
        err = f.append_basic_block("err")
        failed = r if ret_t == VOID else b.extract_value(r, 1)
        b.cbranch(failed, err, ok)
        b.position_at_end(ok)
        if ret_t == VOID:
            none = mb.const_ptr(b, mb.rt.addr["Py_None"])
            b.call(mb.api(b, "Py_IncRef", ir.VoidType(), [PTR]), [none])
            b.ret(none)
        else:
            b.ret(mb.box(b, ret_t, b.extract_value(r, 0)))
        b.position_at_end(err)
        self.raise_native_error(b, ctx, raise_error)

    def raise_native_error(self, b, ctx, raise_error):
        """Return NULL with the error of the failed activation ``ctx`` raised (through the
        shared C exit ``tengojit_native_failure``, which frees the context's trace)."""
        mb = self.mb
        i32 = ir.IntType(32)
        code = b.load(b.bitcast(b.gep(ctx, [ir.Constant(I64, cc.CTX_ERR)]), i32.as_pointer()))
        # the exit's kinds: 0 a Tengo error, 1 a pending Python exception, 2 interrupted
        kind = b.select(b.icmp_signed("==", code, ir.Constant(i32, cc.ERR_PYEXC)),
                        ir.Constant(i32, 1), ir.Constant(i32, 0))
        kind = b.select(b.icmp_signed("==", code, ir.Constant(i32, cc.ERR_INTERRUPTED)),
                        ir.Constant(i32, 2), kind)
        trace = b.load(b.bitcast(b.gep(ctx, [ir.Constant(I64, cc.CTX_TRACE)]), PPTR))
        exit_ = mb.api(b, "tengojit_native_failure", PTR, [PTR, PTR, PTR, i32])
        if not isinstance(raise_error, ir.Value):
            raise_error = mb.const_ptr(b, id(raise_error))
        b.ret(b.call(exit_, [raise_error, ctx, trace, kind]))

    def return_object(self, b, addr):
        mb = self.mb
        obj = mb.const_ptr(b, addr)
        b.call(mb.api(b, "Py_IncRef", ir.VoidType(), [PTR]), [obj])
        b.ret(obj)

    # ------------------------------------------------------------------ the three entries
    def start_entry(self, name, fail_label, n_expected, keywords=False):
        """A METH_FASTCALL function ``name`` whose entry tests ``nargs == n_expected``, branching
        to the block ``fail_label`` when not: (function, builder after the test, self, args,
        nargs, fail block). ``keywords``: METH_FASTCALL | METH_KEYWORDS, and a call with
        keyword arguments goes to the fail block too (its handler passes them on)."""
        f = ir.Function(self.mb.m, FASTCALL_KW_TY if keywords else FASTCALL_TY, name=name)
        b = ir.IRBuilder(f.append_basic_block("entry"))
        selfobj, args, nargs = f.args[:3]
        fail = f.append_basic_block(fail_label)
        nxt = f.append_basic_block("nargs.ok")
        ok = b.icmp_signed("==", nargs, ir.Constant(I64, n_expected))
        if keywords:
            ok = b.and_(ok, b.icmp_unsigned("==", f.args[3], ir.Constant(PTR, None)))
        b.cbranch(ok, nxt, fail)
        b.position_at_end(nxt)
        return f, b, selfobj, args, nargs, fail

    def bound_pair(self, b, selfobj):
        """(G, function) of a bound or map entry's ``self`` tuple (see ``dispatch``)."""
        mb = self.mb
        return (mb.load_ptr(b, selfobj, cc.OFF_TUPLE_ITEMS),
                mb.load_ptr(b, selfobj, cc.OFF_TUPLE_ITEMS + 8))
    def prologue_entry(self, spec, name, deopt, raise_error):
        """``(G, args..., captured...)`` → result, or the DEOPT sentinel."""
        mb = self.mb
        f, b, _, args, nargs, fail = self.start_entry(
            name, "deopt", 1 + len(spec.arg_types) + len(spec.free_types))
        G = b.load(args)
        gty = mb.type_of(b, G)
        nxt = f.append_basic_block("g.ok")
        b.cbranch(b.icmp_unsigned("==", gty, mb.const_ptr(b, mb.rt.addr["PyList_Type"])), nxt, fail)
        b.position_at_end(nxt)
        items = self.globals_items(b, G, spec, fail)
        vals = []
        for i, t in enumerate(spec.arg_types + spec.free_types):
            obj = b.load(b.gep(args, [ir.Constant(I64, 1 + i)]))
            vals.append(self.checked_unbox(b, obj, t, fail))
        self.guard_globals(b, items, spec, fail)
        b.ret(self.run_checked(b, spec, G, items, self.stack_room(b, fail), vals, raise_error))
        b.position_at_end(fail)
        self.count_deopt(b, deopt)
        self.return_object(b, id(deopt.sentinel))
        return f

    def run_native(self, b, spec, args, first, func, G, fail, raise_error, from_host=True):
        """Check and unbox ``args[first:]`` and the function's captured values, check the
        globals' assumptions (any failure branches to ``fail``), run the core, return its boxed
        result or raise its error. ``from_host``: the arguments come from the host (any value
        must be a plain one, see ``check_plain``), not from native code."""
        call = self.checked_run(b, spec, args, first, func, G, fail, raise_error, from_host,
                                inline=True)
        call()

    def checked_run(self, b, spec, args, first, func, G, fail, raise_error, from_host=True,
                    inline=False):
        """The checks of ``run_native``; returns a function that emits the run where the
        builder then is: the call of ``<core>_run``, returning its result, or with ``inline``
        (the host-facing entries, where every nanosecond of a call counts) the run itself,
        returning from the entry."""
        mb = self.mb
        items = self.globals_items(b, G, spec, fail)
        vals = []
        for i, t in enumerate(spec.arg_types):
            obj = b.load(b.gep(args, [ir.Constant(I64, first + i)]))
            if t == OBJ and from_host:
                self.check_plain(b, obj, fail)
            vals.append(self.checked_unbox(b, obj, t, fail))
        vals += self.checked_free_args(b, func, spec, fail)
        self.guard_globals(b, items, spec, fail)
        limit = self.stack_room(b, fail)
        if inline:
            def run():
                ctx = self.make_ctx(b, items, limit, G)
                r = b.call(mb.cores[spec], [ctx, self.ctx_depth(b, ctx)] + vals)
                self.finish(b, r, spec.ret, ctx, raise_error)
            return run
        return lambda: self.run_checked(b, spec, G, items, limit, vals, raise_error)

    def run_checked(self, b, spec, G, items, limit, vals, raise_error):
        """Return what the core of ``spec`` gives for the checked, unboxed ``vals``: its boxed
        result, or NULL with its error raised (``raise_error``). The work after the checks
        lives in one function per module and core, ``<core>_run``, shared by its entries."""
        mb = self.mb
        runners = mb.__dict__.setdefault("_runners", {})
        run = runners.get(spec)
        if run is None and spec in mb.external_runs:
            # an entry compiled after its core: the ``<core>_run`` of the earlier module
            fnty = ir.FunctionType(PTR, [PTR, PTR, PPTR, I64] + mb.core_args(spec)[2:])
            run = mb.const_ptr(b, mb.external_runs[spec], fnty.as_pointer())
        elif run is None:
            core = mb.cores[spec]
            fnty = ir.FunctionType(PTR, [PTR, PTR, PPTR, I64] + list(core.function_type.args[2:]))
            # (external, named by the module's key: entries compiled later call it by address)
            run = runners[spec] = ir.Function(mb.m, fnty, name=f"{core.name}_run_{TAG}")
            run.attributes.add("noinline")
            rb = ir.IRBuilder(run.append_basic_block("entry"))
            raise_arg, g_arg, items_arg, limit_arg = run.args[:4]
            ctx = self.make_ctx(rb, items_arg, limit_arg, g_arg)
            r = rb.call(core, [ctx, self.ctx_depth(rb, ctx)] + list(run.args[4:]))
            self.finish(rb, r, spec.ret, ctx, raise_arg)
        return b.call(run, [mb.const_ptr(b, id(raise_error)), G, items, limit] + vals)

    def bound_entry(self, spec, name, deopt, raise_error):
        """``self = (G, function, slow)``; ``(args...)`` → result; when a check fails, the
        result of ``slow(*args)`` (the context's general path)."""
        mb = self.mb
        f, b, selfobj, args, nargs, fail = self.start_entry(name, "fallback", len(spec.arg_types),
                                                            keywords=True)
        G, func = self.bound_pair(b, selfobj)
        self.run_native(b, spec, args, 0, func, G, fail, raise_error)
        # fallback: the context's general call path, slow(*args, **kwargs) (converts host
        # values, runs the baseline code, translates errors; ``timeout=``/``cancel=``)
        b.position_at_end(fail)
        self.count_deopt(b, deopt)
        slow = mb.load_ptr(b, selfobj, cc.OFF_TUPLE_ITEMS + 16)
        vc = mb.api(b, "PyObject_Vectorcall", PTR, [PTR, PPTR, I64, PTR])
        b.ret(b.call(vc, [slow, args, nargs, f.args[3]]))
        return f

    def host_entry(self, spec, name, deopt, raise_error):
        """``(function, G, args...)`` → result; when a check fails, ``function(G, args...)``.

        What the host-call trampoline calls: independent of the context and of the closure
        object (both are arguments), so one builtin per specialisation serves every context.
        The trampoline has already checked that the arguments are Tengo values."""
        mb = self.mb
        f, b, _, args, nargs, fail = self.start_entry(name, "fallback", 2 + len(spec.arg_types))
        func = b.load(args)
        G = b.load(b.gep(args, [ir.Constant(I64, 1)]))
        # the function must be the prototype this entry was compiled for
        self.check_type(b, func, Func(spec.code, spec.fid), fail)
        self.run_native(b, spec, args, 2, func, G, fail, raise_error)
        b.position_at_end(fail)
        self.count_deopt(b, deopt)
        vc = mb.api(b, "PyObject_Vectorcall", PTR, [PTR, PPTR, I64, PTR])
        b.ret(b.call(vc, [b.load(args), b.gep(args, [ir.Constant(I64, 1)]),
                          b.sub(nargs, ir.Constant(I64, 1)), ir.Constant(PTR, None)]))
        return f

    def call_entry(self, spec, name, deopt, raise_error):
        """``(function, G, args...)`` → result; when a check fails, ``function(G, args...)``.

        What native code calls for a call of a run-time value that turns out to be this
        compiled function (found through its code object, see ``dispatch.code_entry``): no
        Python frame in between. It counts as one Python frame against the thread's recursion
        budget (``recursion_remaining``), so recursion through such calls ends in ``stack
        overflow`` at the baseline tier's depth."""
        mb = self.mb
        f, b, _, args, nargs, fail = self.start_entry(name, "fallback", 2 + len(spec.arg_types))
        func = b.load(args)
        self.check_type(b, func, Func(spec.code, spec.fid), fail)
        run = self.checked_run(b, spec, args, 2, func, b.load(b.gep(args, [ir.Constant(I64, 1)])),
                               fail, raise_error, from_host=False)
        ts = b.call(mb.api(b, "PyThreadState_Get", PTR, []), [])
        rem_p = b.bitcast(b.gep(ts, [ir.Constant(I64, cc.OFF_TSTATE_RECURSION_REMAINING)]),
                          ir.IntType(32).as_pointer())
        rem = b.load(rem_p)
        room = f.append_basic_block("recursion.ok")
        b.cbranch(b.icmp_signed(">", rem, ir.Constant(ir.IntType(32), 1)), room, fail)
        b.position_at_end(room)
        b.store(b.sub(rem, ir.Constant(ir.IntType(32), 1)), rem_p)
        r = run()
        b.store(rem, rem_p)
        b.ret(r)
        b.position_at_end(fail)
        self.count_deopt(b, deopt)
        vc = mb.api(b, "PyObject_Vectorcall", PTR, [PTR, PPTR, I64, PTR])
        b.ret(b.call(vc, [b.load(args), b.gep(args, [ir.Constant(I64, 1)]),
                          b.sub(nargs, ir.Constant(I64, 1)), ir.Constant(PTR, None)]))
        return f

    def loop_entry(self, spec, name, deopt, raise_error):
        """``(G,)`` → None after running the loop natively, or the DEOPT sentinel.

        A loop inside a function takes ``(G, F)``: ``F`` a list of the values of the function's
        variables the loop uses (``spec.frame_syms``), checked and unboxed here; after a
        successful run it holds their final values."""
        mb = self.mb
        f = ir.Function(mb.m, FASTCALL_TY, name=name)
        b = ir.IRBuilder(f.append_basic_block("entry"))
        _, args, nargs = f.args
        fail = f.append_basic_block("deopt")
        n_frame = len(spec.frame_syms)
        list_type = mb.const_ptr(b, mb.rt.addr["PyList_Type"])
        # a region that may return carries one more item in its frame list: the value
        n_items = n_frame + (1 if spec.loop_returns else 0)
        ok = b.icmp_signed("==", nargs, ir.Constant(I64, 2 if n_items else 1))
        nxt = f.append_basic_block("nargs.ok")
        b.cbranch(ok, nxt, fail)
        b.position_at_end(nxt)
        G = b.load(args)
        ok = b.icmp_unsigned("==", mb.type_of(b, G), list_type)
        frame_items = None
        if n_items:
            F = b.load(b.gep(args, [ir.Constant(I64, 1)]))
            size = b.load(b.bitcast(b.gep(F, [ir.Constant(I64, cc.OFF_LIST_SIZE)]), I64.as_pointer()))
            ok = b.and_(ok, b.and_(b.icmp_unsigned("==", mb.type_of(b, F), list_type),
                                   b.icmp_signed("==", size, ir.Constant(I64, n_items))))
        nxt = f.append_basic_block("g.ok")
        b.cbranch(ok, nxt, fail)
        b.position_at_end(nxt)
        slots = []
        if n_frame:
            frame_items = b.bitcast(mb.load_ptr(b, F, cc.OFF_LIST_ITEMS), PPTR)
            for i, t in enumerate(spec.frame_types):
                obj = b.load(b.gep(frame_items, [ir.Constant(I64, i)]))
                slot = b.alloca(ll(t), name=f"frame{i}")
                b.store(self.checked_unbox(b, obj, t, fail), slot)
                slots.append(slot)
        retslot = None
        if spec.loop_returns:
            retslot = b.alloca(PTR, name="returned")
            b.store(ir.Constant(PTR, None), retslot)
        items = self.globals_items(b, G, spec, fail)
        self.guard_globals(b, items, spec, fail)
        ctx = self.make_ctx(b, items, self.stack_room(b, fail), G)
        r = b.call(mb.cores[spec], [ctx] + slots + ([retslot] if retslot is not None else []))
        if n_frame:
            back = f.append_basic_block("frame.writeback")
            done = f.append_basic_block("frame.done")
            b.cbranch(r, done, back)
            b.position_at_end(back)
            set_item = mb.api(b, "PyList_SetItem", ir.IntType(32), [PTR, I64, PTR])
            for i, (t, slot) in enumerate(zip(spec.frame_types, slots)):
                b.call(set_item, [F, ir.Constant(I64, i), mb.box(b, t, b.load(slot))])
            b.branch(done)
            b.position_at_end(done)
            if OBJ in spec.frame_types:         # after an error: drop what the core handed back
                drop = f.append_basic_block("frame.drop")
                dropped = f.append_basic_block("frame.dropped")
                b.cbranch(r, drop, dropped)
                b.position_at_end(drop)
                for t, slot in zip(spec.frame_types, slots):
                    if t == OBJ:
                        b.call(mb.api(b, "Py_DecRef", ir.VoidType(), [PTR]), [b.load(slot)])
                b.branch(dropped)
                b.position_at_end(dropped)
        if retslot is not None:
            # returned (no error, a value in the slot): the value last in F, and RETURNED
            got = b.load(retslot)
            returned = b.and_(b.not_(r), b.icmp_unsigned("!=", got, ir.Constant(PTR, None)))
            yes, no = f.append_basic_block("returned"), f.append_basic_block("not.returned")
            b.cbranch(returned, yes, no)
            b.position_at_end(yes)
            set_item = mb.api(b, "PyList_SetItem", ir.IntType(32), [PTR, I64, PTR])
            b.call(set_item, [F, ir.Constant(I64, n_frame), got])       # (steals the value)
            self.return_object(b, id(cc.LOOP_RETURNED))
            b.position_at_end(no)
        self.finish(b, r, VOID, ctx, raise_error)
        b.position_at_end(fail)
        self.count_deopt(b, deopt)
        self.return_object(b, id(deopt.sentinel))
        return f

    def map_entry(self, spec, name, deopt, raise_error):
        """``self = (G, function)``; ``(in_array, out_array)``: numpy 1-d contiguous arrays of
        the argument's and the result's type (checked by the caller, ``context.py``).
        Fills ``out`` natively; returns None, or DEOPT when the entry checks fail."""
        mb = self.mb
        f, b, selfobj, args, nargs, fail = self.start_entry(name, "deopt", 2)
        G, func = self.bound_pair(b, selfobj)
        items = self.globals_items(b, G, spec, fail)
        env = self.checked_free_args(b, func, spec, fail)
        self.guard_globals(b, items, spec, fail)
        arr_in = b.load(args)
        arr_out = b.load(b.gep(args, [ir.Constant(I64, 1)]))
        in_data = b.bitcast(mb.load_ptr(b, arr_in, cc.OFF_NP_DATA), ll(spec.arg_types[0]).as_pointer())
        out_data = b.bitcast(mb.load_ptr(b, arr_out, cc.OFF_NP_DATA), ll(spec.ret).as_pointer())
        dims = b.bitcast(mb.load_ptr(b, arr_in, cc.OFF_NP_DIMS), I64.as_pointer())
        n = b.load(dims)
        ctx = self.make_ctx(b, items, self.stack_room(b, fail), G)
        budget = self.ctx_depth(b, ctx)
        i = b.alloca(I64)
        b.store(ir.Constant(I64, 0), i)
        cond = f.append_basic_block("map.cond")
        body = f.append_basic_block("map.body")
        done = f.append_basic_block("map.done")
        err = f.append_basic_block("map.err")
        b.branch(cond)
        b.position_at_end(cond)
        iv = b.load(i)
        b.cbranch(b.icmp_signed("<", iv, n), body, done)
        b.position_at_end(body)
        x = b.load(b.gep(in_data, [iv]))
        r = b.call(mb.cores[spec], [ctx, budget, x] + env)
        b.store(b.extract_value(r, 0), b.gep(out_data, [iv]))
        b.store(b.add(iv, ir.Constant(I64, 1)), i)
        b.cbranch(b.extract_value(r, 1), err, cond)
        b.position_at_end(done)
        none = mb.const_ptr(b, mb.rt.addr["Py_None"])
        b.call(mb.api(b, "Py_IncRef", ir.VoidType(), [PTR]), [none])
        b.ret(none)
        b.position_at_end(err)
        self.finish(b, ir.Constant(I1, 1), VOID, ctx, raise_error)
        b.position_at_end(fail)
        self.count_deopt(b, deopt)
        self.return_object(b, id(deopt.sentinel))
        return f

    def count_deopt(self, b, deopt):
        p = self.mb.const_ptr(b, deopt.counter_address, I64.as_pointer())
        b.store(b.add(b.load(p), ir.Constant(I64, 1)), p)
