"""MCJIT engines, grouped: native code lives exactly as long as the programs that use it.

The process has one LLVM set-up (native target, triple, data layout, the CPython layout check).
Machine code goes into *code spaces*: an MCJIT engine with its own target machine, shared by
up to ``PROGRAMS_PER_SPACE`` programs (an engine costs memory however little code it holds,
docs/architecture.md says how much, so one per program would be costly for a host with many live scripts; one for the process
never frees anything). Each program compiles into the space that was open when it first
compiled, through its ``ProgramCode``: what the program's native builtins must keep alive —
the space, the ``PyMethodDef`` structures behind the builtins, the deopt counters native code
increments. A program's builtins hold it through a ``_hostcall.CodeOwner``, an object outside
the cycle collector: the collector cannot free the code before the last builtin that can run
it, in whatever order it tears a dead program down (interpreter exit included). When the
owner dies its ``ProgramCode`` waits in ``_hostcall.graveyard()``; the graveyard is emptied at
the next compile (under the engine lock, never inside a collection), and a space whose
programs are all gone is disposed then, with its machine code.

llvmlite traps this module avoids (each crashes the process instead of raising): running a pass
manager twice (a fresh PassBuilder and pass manager per compile), sharing a target machine
between engines (each space creates its own; the engine takes ownership of it), linking
against undefined externals (every symbol a module declares is in its ``bindings``, addresses
looked up with ctypes and checked non-null, bound with ``llvm.add_symbol`` right before the
module is linked), and plain ``llvm.initialize()`` (only the native target and asm printer are
initialised).

A module's code comes from LLVM or, when the program has a ``jit.cache.NativeCache``, from the
object code stored under the module's key (its IR, with what the IR does not show); either way
it is linked against this process's addresses. llvmlite is imported on first use only; all
LLVM work (parsing, passes, adding and disposing engines: they share LLVM's global context)
happens under ``_lock``.
"""
from __future__ import annotations

import ctypes
import sys
import threading
import time

from tengojit import _hostcall     # the stack limit and code ownership (see callconv.py)
from . import callconv as cc
from .cache import NativeCache

_lock = threading.RLock()
CODE_MODEL = "jitdefault"
# in module and entry names: replaced by the module's key (``Engine.compile``)
TAG = "@T@"
INLINE_THRESHOLD = 275
PROGRAMS_PER_SPACE = 32
_engine = None


class Engine:
    """The process-wide LLVM set-up; ``compile`` puts code into a program's code space."""

    def __init__(self):
        import llvmlite.binding as llvm
        self.llvm = llvm
        self.hostcall = _hostcall
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        llvm.initialize_native_asmparser()     # lower.stack_pointer reads rsp with inline asm
        self.target = llvm.Target.from_triple(llvm.get_process_triple())
        self.triple = llvm.get_process_triple()
        self.data_layout = str(self._target_machine().target_data)
        self.code_bytes = 0
        self._open = None             # the space new programs compile into
        self._last_object = 0
        self._bound = {}              # symbol -> the address it is bound to now (process-wide)
        check_layouts()

    def _target_machine(self):
        # CodeGenOpt::Less: faster machine-code generation than Default with the same speed of
        # generated code on our benchmarks (the IR passes do the real work; docs/jit.md)
        return self.target.create_target_machine(opt=1, jit=True, codemodel=CODE_MODEL)

    def _notify(self, module, buffer):
        self._last_object = buffer          # the object code MCJIT made (bytes)

    def owner_for(self, program):
        """The ``CodeOwner`` of ``program``'s native code (made on its first compile)."""
        owner = program.state.jit_code
        if owner is None:
            with _lock:
                space = self._open
                if space is None or space.programs >= PROGRAMS_PER_SPACE:
                    space = self._open = CodeSpace(self)
                space.programs += 1
                owner = program.state.jit_code = self.hostcall.CodeOwner(ProgramCode(space))
        return owner

    def collect(self):
        """Free the code of programs that are gone (a safe point: no LLVM work under way)."""
        with _lock:
            dead = self.hostcall.graveyard()
            while dead:
                dead.pop()

    def compile(self, ir_module, names, owner, pipeline="small", quick=(), bindings=None,
                cache=None):
        """Compile ``ir_module`` (llvmlite.ir.Module) into the code space of ``owner`` (a
        program's ``CodeOwner``); returns ({name: address}, ms, bytes, cached), ``ms`` the
        time from the IR built to linked code (printing it, then LLVM's work or the cache's).

        ``names``: the functions whose addresses are wanted; module and entry names may hold
        ``TAG``, which becomes the module's key (a digest of its IR and of how it is compiled),
        so equal IR gives equal names in every process. ``bindings``: symbol → address, the
        process's objects and functions the IR refers to (``ModuleBuilder.bindings``), bound
        just before the code is linked. ``cache``: a ``jit.cache.NativeCache`` or None; on a
        hit the stored object code is linked instead of compiling (``cached`` is True).

        ``quick``: names of functions that only check and convert before calling the real
        work: they are marked ``optnone``, so the IR passes leave them as built and LLVM's fast
        instruction selector and register allocator make their machine code (the greater part
        of a small module's compile time went to those wrappers otherwise).

        ``pipeline``: ``"small"`` — a short custom pass list (inline what is marked
        alwaysinline, SROA, instcombine, simplifycfg, reassociate, loop rotation, ADCE):
        a small function compiles in a few ms; ``"full"`` — LLVM's O2 pipeline (used for
        recursive functions, whose unrolled copies need the real inliner).
        """
        llvm = self.llvm
        t0 = time.perf_counter()
        ir_module.triple = self.triple
        ir_module.data_layout = self.data_layout
        for fn in ir_module.functions:
            if fn.name in quick:
                fn.attributes.add("noinline")
                fn.attributes.add("optnone")
        text = str(ir_module)
        key = NativeCache.key(text, f"{pipeline};opt=1;{CODE_MODEL}")
        tag = key[:16]
        text = text.replace(TAG, tag)
        real = {n: n.replace(TAG, tag) for n in names}
        data = cache.load(key) if cache is not None else None
        made = None
        with _lock:
            self.collect()
            space = owner.payload.space
            if data is not None:
                space.engine.add_object_file(llvm.ObjectFileRef.from_data(data))
                size = len(data)
            else:
                mod = llvm.parse_assembly(text, context=space.context)
                mod.verify()
                self._run_passes(mod, space, pipeline)
                self._last_object = None
                space.engine.add_module(mod)
            # the symbols are process-wide and shared by modules: bound to this module's
            # addresses right before it is linked, under the lock
            bound = self._bound
            for name, addr in (bindings or {}).items():
                if bound.get(name) != addr:
                    llvm.add_symbol(name, addr)
                    bound[name] = addr
            space.engine.finalize_object()
            addrs = {n: space.engine.get_function_address(r) for n, r in real.items()}
            if data is None:
                made = self._last_object
                size = len(made) if made is not None else 0
            self.code_bytes += size
            space.code_bytes += size
        for n, a in addrs.items():
            if not a:
                raise RuntimeError(f"JIT symbol {n} has no address")
        if cache is not None and made is not None:
            cache.store(key, made)
        ms = (time.perf_counter() - t0) * 1000
        return addrs, ms, size, data is not None

    def _run_passes(self, mod, space, pipeline):
        # a fresh pass builder and pass manager per compile (reusing one crashes or leaks)
        llvm = self.llvm
        pto = llvm.create_pipeline_tuning_options(speed_level=2)
        if pipeline == "full":
            pto.inlining_threshold = INLINE_THRESHOLD
            pb = llvm.create_pass_builder(space.tm, pto)
            mpm = pb.getModulePassManager()
        else:
            pb = llvm.create_pass_builder(space.tm, pto)
            mpm = llvm.create_new_module_pass_manager()
            mpm.add_always_inliner_pass()
            mpm.add_sroa_pass()
            mpm.add_instruction_combine_pass()
            mpm.add_simplify_cfg_pass()
            mpm.add_reassociate_pass()
            mpm.add_instruction_combine_pass()
            mpm.add_loop_rotate_pass()
            mpm.add_simplify_cfg_pass()
            mpm.add_aggressive_dce_pass()
        mpm.run(mod, pb)


class CodeSpace:
    """One MCJIT engine (with its own target machine) and the machine code of up to
    ``PROGRAMS_PER_SPACE`` programs; disposed with its last ``ProgramCode``."""

    def __init__(self, engine):
        llvm = engine.llvm
        # a context of its own: the types and constants LLVM interns for this code are freed
        # with it (the global context would keep them for the life of the process)
        self.context = llvm.create_context()
        self.tm = engine._target_machine()
        backing = llvm.parse_assembly("", context=self.context)
        backing.triple = engine.triple
        self.engine = llvm.create_mcjit_compiler(backing, self.tm)
        self.engine.set_object_cache(engine._notify, None)
        self.programs = 0
        self.code_bytes = 0

    def __del__(self):
        # the engine (with its modules and machine code) before the context they live in
        engine, context = getattr(self, "engine", None), getattr(self, "context", None)
        self.engine = self.context = None
        if engine is not None:
            engine.close()
        if context is not None:
            context.close()


class ProgramCode:
    """What one program's native builtins need alive: its code space, the ``PyMethodDef``
    structures of its builtins and the deopt counters its code increments. Holds nothing that
    leads back to the program (it sits outside the cycle collector's view)."""

    def __init__(self, space):
        self.space = space
        self.keep = []


def engine() -> Engine:
    global _engine
    with _lock:
        if _engine is None:
            _engine = Engine()
            # native code polls when the ticker says so (callconv.py, "Polling")
            _hostcall.start_ticker()
        return _engine


_api = ctypes.pythonapi


def api_addr(name: str) -> int:
    """Address of a CPython C-API function (checked: never emit a call to address 0)."""
    a = ctypes.cast(getattr(_api, name), ctypes.c_void_p).value
    if not a:
        raise RuntimeError(f"CPython symbol {name} not found")
    return a


def native_failure_addr() -> int:
    """Address of ``tengojit_native_failure`` (the shared error exit of native entries) in the
    ``_hostcall`` extension."""
    a = _hostcall.native_failure_address()
    if not a:
        raise RuntimeError("tengojit_native_failure not found")
    return a


def stack_limit_addr() -> int:
    """Address of ``uintptr_t tengojit_stack_limit(void)`` in the ``_hostcall`` extension."""
    a = _hostcall.stack_limit_address()
    if not a:
        raise RuntimeError("tengojit_stack_limit not found")
    return a


def poll_addr() -> int:
    """Address of ``int tengojit_poll(PyObject *G)`` in the ``_hostcall`` extension."""
    a = _hostcall.poll_address()
    if not a:
        raise RuntimeError("tengojit_poll not found")
    return a


def context_helper_addrs() -> dict:
    """{name: address} of the ``_hostcall`` helpers native code calls with its activation
    context (``tengojit_push_trace``, ``tengojit_push_trace_n``, ``tengojit_poll_ctx``), after
    telling them the context's layout (``callconv``)."""
    _hostcall.configure_context(cc.CTX_ERR, cc.CTX_NTRACE, cc.CTX_TRACE, cc.CTX_GLOBALS,
                                cc.CTX_GLOBALS_LIST, cc.MAX_TRACE, cc.TRACE_ENTRY_INTS,
                                cc.ERR_PYEXC, cc.ERR_INTERRUPTED)
    return _hostcall.context_helpers()


def poll_flag_addr() -> int:
    """Address of the int32 poll flag native code tests (``_hostcall``)."""
    a = _hostcall.poll_flag_address()
    if not a:
        raise RuntimeError("the poll flag not found")
    return a


def data_addr(name: str) -> int:
    return ctypes.addressof(ctypes.c_char.in_dll(_api, name))


def check_layouts():
    """The CPython object layouts callconv.py relies on; a mismatch disables the JIT."""
    rd = lambda addr: ctypes.c_void_p.from_address(addr).value

    def outer():
        x = 1

        def inner():
            return x
        return inner
    f = outer()
    ok = (rd(id(f) + cc.OFF_FUNC_CODE) == id(f.__code__)
          and rd(id(f) + cc.OFF_FUNC_CLOSURE) == id(f.__closure__)
          and rd(id(f.__closure__) + cc.OFF_TUPLE_ITEMS) == id(f.__closure__[0])
          and rd(id(f.__closure__[0]) + cc.OFF_CELL_REF) == id(1)
          and rd(id(f) + cc.OFF_OB_TYPE) == id(type(f)))
    lst = [7]
    ok = ok and rd(rd(id(lst) + cc.OFF_LIST_ITEMS)) == id(7)
    lst.append(8)                  # (grows the block: room for more than two)
    ok = ok and ctypes.c_ssize_t.from_address(id(lst) + cc.OFF_LIST_SIZE).value == 2 and \
        ctypes.c_ssize_t.from_address(id(lst) + cc.OFF_LIST_ALLOCATED).value == \
        (lst.__sizeof__() - [].__sizeof__()) // 8
    ok = ok and ctypes.c_double.from_address(id(2.5) + cc.OFF_FLOAT_VAL).value == 2.5
    big = 123456789
    ok = ok and ctypes.c_ssize_t.from_address(id(big) + cc.OFF_LONG_SIZE).value == 1 and \
        ctypes.c_uint32.from_address(id(big) + cc.OFF_LONG_DIGIT).value == big
    # (ints of one 30-bit digit are rewritten in place: ``lower.store_int_in_place``)
    ok = ok and sys.int_info.bits_per_digit == 30 and \
        ctypes.c_ssize_t.from_address(id(2 ** 30) + cc.OFF_LONG_SIZE).value == 2
    ok = ok and ctypes.c_ssize_t.from_address(id("h\u00e9llo") + cc.OFF_STR_LENGTH).value == 5
    ascii_bit = lambda s: (ctypes.c_uint32.from_address(id(s) + cc.OFF_STR_STATE).value
                           >> cc.STR_ASCII_BIT) & 1
    ok = ok and ascii_bit("abc" * 9) == 1 and ascii_bit("h\u00e9llo") == 0
    d = {"a": 1, "b": 2}
    ok = ok and ctypes.c_ssize_t.from_address(id(d) + cc.OFF_DICT_USED).value == 2
    keys = rd(id(d) + cc.OFF_DICT_KEYS)
    entries = keys + cc.OFF_DK_INDICES + (1 << ctypes.c_uint8.from_address(
        keys + cc.OFF_DK_LOG2_INDEX_BYTES).value)
    ok = ok and rd(id(d) + cc.OFF_DICT_VALUES) is None and \
        ctypes.c_uint8.from_address(keys + cc.OFF_DK_KIND).value == cc.DK_KIND_UNICODE and \
        ctypes.c_ssize_t.from_address(keys + cc.OFF_DK_NENTRIES).value == 2 and \
        rd(entries + cc.DICT_ENTRY_BYTES) == id("b") and \
        rd(entries + cc.DICT_ENTRY_BYTES + 8) == id(2)
    gc = __import__("gc")
    tracked, untracked = {"a": []}, {"a": 1}
    ok = ok and gc.is_tracked(tracked) and not gc.is_tracked(untracked) and \
        rd(id(tracked) + cc.OFF_GC_NEXT) is not None and \
        rd(id(untracked) + cc.OFF_GC_NEXT) is None
    budget = __import__("array").array("q", [123456789012])
    ok = ok and ctypes.c_int64.from_address(rd(id(budget) + cc.OFF_ARRAY_ITEMS)).value == 123456789012
    ok = ok and ctypes.c_ssize_t.from_address(id(d) + cc.OFF_REFCNT).value == \
        __import__("sys").getrefcount(d) - 1
    _api.PyThreadState_Get.restype = ctypes.c_void_p
    ts = _api.PyThreadState_Get()
    ok = ok and ctypes.c_int.from_address(ts + cc.OFF_TSTATE_RECURSION_LIMIT).value == \
        __import__("sys").getrecursionlimit()
    from . import code_entry

    def probe():
        return 1
    marker = (object(),)
    index = code_entry.index()
    ok = ok and rd(id(probe.__code__) + cc.OFF_CODE_EXTRA) is None
    code_entry.set(probe.__code__, marker)
    extra = rd(id(probe.__code__) + cc.OFF_CODE_EXTRA)
    ok = ok and extra is not None and ctypes.c_ssize_t.from_address(extra).value > index and \
        rd(extra + 8 + 8 * index) == id(marker)
    code_entry.set(probe.__code__, None)
    if not ok:
        raise RuntimeError("CPython object layout differs from what the JIT expects")
