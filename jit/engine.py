"""One process-wide MCJIT engine, its target machine and the optimisation pipeline.

llvmlite traps this module avoids (each crashes the process instead of raising): running a pass
manager twice (a fresh PassBuilder and pass manager per compile), sharing a target machine
between engines (one engine, one target machine, for the process), calling undefined externals
(native code reaches CPython only through absolute addresses of functions looked up with ctypes
and checked non-null here), and plain ``llvm.initialize()`` (only the native target and asm
printer are initialised). llvmlite is imported on first use only.
"""
from __future__ import annotations

import ctypes
import threading
import time

from . import callconv as cc

_lock = threading.RLock()
INLINE_THRESHOLD = 275
_engine = None


class Engine:
    def __init__(self):
        import llvmlite.binding as llvm
        self.llvm = llvm
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_triple(llvm.get_process_triple())
        # CodeGenOpt::Less: ~10% faster machine-code generation than Default with the same
        # speed of generated code on our benchmarks (the IR passes do the real work)
        self.tm = target.create_target_machine(opt=1, jit=True, codemodel="jitdefault")
        backing = llvm.parse_assembly("")
        backing.triple = llvm.get_process_triple()
        self.engine = llvm.create_mcjit_compiler(backing, self.tm)
        self.triple = llvm.get_process_triple()
        self.data_layout = str(self.tm.target_data)
        self.modules = []
        self.code_bytes = 0
        self._last_object = 0
        self.engine.set_object_cache(self._notify, None)
        check_layouts()

    def _notify(self, module, buffer):
        self._last_object = len(buffer)

    def compile(self, ir_module, names, pipeline="small"):
        """Compile ``ir_module`` (llvmlite.ir.Module); returns ({name: address}, ms, bytes).

        ``pipeline``: ``"small"`` — a short custom pass list (inline what is marked
        alwaysinline, SROA, instcombine, simplifycfg, reassociate, loop rotation, ADCE):
        a small function compiles in a few ms; ``"full"`` — LLVM's O2 pipeline (used for
        recursive functions, whose unrolled copies need the real inliner).
        """
        llvm = self.llvm
        t0 = time.perf_counter()
        ir_module.triple = self.triple
        ir_module.data_layout = self.data_layout
        mod = llvm.parse_assembly(str(ir_module))
        mod.verify()
        # a fresh pass builder and pass manager per compile (reusing one crashes or leaks)
        pto = llvm.create_pipeline_tuning_options(speed_level=2)
        if pipeline == "full":
            pto.inlining_threshold = INLINE_THRESHOLD
            pb = llvm.create_pass_builder(self.tm, pto)
            mpm = pb.getModulePassManager()
        else:
            pb = llvm.create_pass_builder(self.tm, pto)
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
        with _lock:
            self._last_object = 0
            self.engine.add_module(mod)
            self.engine.finalize_object()
            self.modules.append(mod)
            addrs = {n: self.engine.get_function_address(n) for n in names}
            size = self._last_object
            self.code_bytes += size
        for n, a in addrs.items():
            if not a:
                raise RuntimeError(f"JIT symbol {n} has no address")
        ms = (time.perf_counter() - t0) * 1000
        return addrs, ms, size


def engine() -> Engine:
    global _engine
    with _lock:
        if _engine is None:
            _engine = Engine()
        return _engine


_api = ctypes.pythonapi


def api_addr(name: str) -> int:
    """Address of a CPython C-API function (checked: never emit a call to address 0)."""
    a = ctypes.cast(getattr(_api, name), ctypes.c_void_p).value
    if not a:
        raise RuntimeError(f"CPython symbol {name} not found")
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
    ok = ok and ctypes.c_double.from_address(id(2.5) + cc.OFF_FLOAT_VAL).value == 2.5
    big = 123456789
    ok = ok and ctypes.c_ssize_t.from_address(id(big) + cc.OFF_LONG_SIZE).value == 1 and \
        ctypes.c_uint32.from_address(id(big) + cc.OFF_LONG_DIGIT).value == big
    _api.PyThreadState_Get.restype = ctypes.c_void_p
    ts = _api.PyThreadState_Get()
    ok = ok and ctypes.c_int.from_address(ts + cc.OFF_TSTATE_RECURSION_LIMIT).value == \
        __import__("sys").getrecursionlimit()
    if not ok:
        raise RuntimeError("CPython object layout differs from what the JIT expects")
