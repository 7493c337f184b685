"""From "this function (or loop) is hot" to an installed native entry; stats; native errors.

The baseline tier calls ``hot_function`` when a prototype's call counter reaches the threshold
and ``hot_loop`` when a top-level loop of the main body is entered again (see
``interp/codegen.py``). Both infer types from the values actually seen (``infer.py``), lower to
IR (``lower.py``, ``wrapper.py``), compile in the process-wide engine (``engine.py``) and install
the entry in the program's namespace (``_J<fid>`` / ``_L<id>``), where the baseline code finds
it on its next call. Nothing here may raise into the script: a function that cannot be compiled
stays on the baseline tier with the reason recorded.
"""
from __future__ import annotations

import ctypes
import functools
import gc
import threading
import time
import weakref

from tengojit.errors import (OpError, TengoError, TengoRuntimeError, host_runtime_error,
                             with_host_cause)
from tengojit.interp.rt import translate_error
from tengojit.values import ImmutableArray
try:
    from tengojit import _hostcall
except ImportError:          # the optional C extension was not built
    _hostcall = None
from . import background
from . import callconv as cc
from . import code_entry
from .descent import bounded_descent, poll_threshold
from .infer import Inferrer, NotEligible
from .types import type_of_value, value_type, Func, OBJ, INT, FLOAT, show

_lock = threading.RLock()
RECURSION_COPIES = 8             # copies of a recursive core in a call ring (see lower.twin)
INLINE_DEPTH = 0                 # levels of self-recursion inlined into each copy
_files = []                      # file id -> Tengo file name
_file_index = {}
_programs = weakref.WeakValueDictionary()   # sequence number -> program with JIT records
_program_seq = __import__("itertools").count()


class NativeError(OpError):
    """A Tengo runtime error raised by native code; ``native_trace`` is innermost first.

    ``from_baseline`` is True when the native entry was called by baseline code of the same
    Tengo frame (prologue/loop entries): that Python frame's own position is then replaced by
    the native trace.
    """

    def __init__(self, message, native_trace, from_baseline, public_class=TengoRuntimeError,
                 host_exception=None):
        super().__init__(message)
        self.native_trace = native_trace
        self.from_baseline = from_baseline
        self.public_class = public_class
        self.host_exception = host_exception


def file_id(name):
    with _lock:
        i = _file_index.get(name)
        if i is None:
            i = _file_index[name] = len(_files)
            _files.append(name)
        return i


def _read_trace(addr):
    """(message, trace) of the failed activation whose context is at ``addr`` (its own trace
    buffer, which the entry frees after this returns)."""
    err, raw = cc.read_failure(addr)
    trace = [(_files[f], line, col) for f, line, col in raw]
    return cc.ERROR_MESSAGES.get(err, f"native error {err}"), trace


def _failure(program_ref, addr, exc):
    """(message, trace, public class) of a failed activation: native code's own error, or the
    exception a slow path or poll raised (its message as the baseline tier words it, and the
    positions of the Tengo code it ran, innermost first, before the native ones). An exception
    that is not a Tengo error (``KeyboardInterrupt``) is re-raised as it is."""
    msg, trace = _read_trace(addr)
    if exc is None:
        return msg, trace, TengoRuntimeError, None
    if not isinstance(exc, Exception):
        raise exc
    if isinstance(exc, TengoError) and not isinstance(exc, TengoRuntimeError):
        # an error of the host API (globals resized, a foreign closure, a conversion) raised
        # by a host function or the runtime: it ends the call as it is, as on the baseline tier
        raise exc
    err = translate_error(exc, program_ref())
    inner = list(getattr(err, "trace", None) or [])
    message = err.message if hasattr(err, "message") else str(err)
    return (message, inner + trace, type(err),
            getattr(err, "host_exception", None))


def native_error_from_baseline(program_ref, addr, exc=None):
    """Entries called by baseline code (prologue, loop): a ``NativeError`` the baseline
    frame turns into the script's error (always a runtime error: ``_failure`` raises the
    host API's own errors as they are)."""
    msg, trace, cls, host_exc = _failure(program_ref, addr, exc)
    if not issubclass(cls, TengoRuntimeError):
        cls = TengoRuntimeError
    raise NativeError(msg, trace, True, cls, host_exc)


def native_error_from_host(program_ref, addr, exc=None):
    """Host-facing entries (``ctx.call``, ``bind``, ``map``) return to the host itself: the
    error is final, a ``TengoRuntimeError`` (or the subclass the failure called for) with the
    native trace."""
    msg, trace, cls, host_exc = _failure(program_ref, addr, exc)
    if not issubclass(cls, TengoRuntimeError):
        cls = TengoRuntimeError
    raise host_runtime_error(with_host_cause(cls(msg, trace), host_exc))


class Deopt:
    """The sentinel a prologue/loop entry returns when its checks fail, and their count."""

    def __init__(self, sentinel):
        self.sentinel = sentinel
        self.counter = ctypes.c_int64(0)
        self.counter_address = ctypes.addressof(self.counter)


class NativeEntries:
    """The host-facing entries of a compiled prototype: bound (``ctx.bind``/``ctx.call``) and,
    for one numeric argument and result, map (``ctx.map`` over numpy arrays). Each is compiled
    on first use when the hot compile did not already include it."""

    def __init__(self, program, spec, rec, bound=None):
        self.program = program
        self.spec = spec
        self.rec = rec
        self.bound = bound
        self._host = None
        self._map = None
        self._map_tried = False
        self.run_addr = None          # the address of the prologue module's <core>_run

    @property
    def host(self):
        """The builtin the host-call trampoline uses: ``(function, G, args...)``."""
        if self._host is None:
            with _lock:
                if self._host is None:
                    self._host = _compile(self.program, self.spec, ["host"], self.rec)["host"].make()
        return self._host

    def bound_for(self, G, fn, slow):
        """The native builtin for ``fn`` over globals ``G``; ``slow(*args)`` handles the rest."""
        if self.bound is None:
            with _lock:
                if self.bound is None:
                    self.bound = _compile(self.program, self.spec, ["bound"], self.rec)["bound"]
        return self.bound.make((G, fn, slow))

    @property
    def map(self):
        if not self._map_tried:
            with _lock:
                if not self._map_tried:
                    self._map_tried = True
                    spec = self.spec
                    if (len(spec.arg_types) == 1 and spec.arg_types[0] in (INT, FLOAT)
                            and spec.ret in (INT, FLOAT) and _numpy_layout_ok()):
                        try:
                            self._map = _compile(self.program, spec, ["map"], self.rec)["map"]
                        except Exception:
                            self._map = None
        return self._map

    def map_for(self, G, fn):
        m = self.map
        return None if m is None else m.make((G, fn))


_np_ok = None


def _numpy_layout_ok():
    """numpy importable and PyArrayObject.data/dimensions where callconv.py says."""
    global _np_ok
    if _np_ok is None:
        try:
            import numpy as np
            a = np.arange(3, dtype=np.int64)
            rd = lambda addr: ctypes.c_void_p.from_address(addr).value
            _np_ok = (rd(id(a) + cc.OFF_NP_DATA) == a.ctypes.data and
                      ctypes.c_ssize_t.from_address(rd(id(a) + cc.OFF_NP_DIMS)).value == 3)
        except Exception:
            _np_ok = False
    return _np_ok


class Record:
    """Stats of one prototype or loop (what ``tengojit.jit.stats()`` reports)."""

    def __init__(self, program, kind, ident, name):
        self.program = program
        self.kind = kind
        self.ident = ident
        self.name = name
        self.state = "profiling"
        self.reason = ""
        self.signature = ""
        self.compile_ms = 0.0
        self.code_bytes = 0
        self.cached = 0             # modules linked from the native code cache, not compiled
        self.deopt = None
        self.native_calls = 0
        self.refusals = 0
        self.attempts = 0
        self.invalidations = 0
        self.call_base = 0          # calls counted before the counter was reset
        self.bounded = set()        # "fib(n)": recursion proven bounded by that parameter
        self.continuation = None    # loops: native rest of a run (on-stack replacement)
        self.osr = 0                # loops: runs that switched to native code mid-way
        self.waiting = 0            # loops: iterations and entries while queued (its heat)
        self.runtime = {}           # operation -> count: done by runtime calls only
        self.refused_types = {}     # parameter index -> the type of an argument refused

    def as_dict(self):
        calls = 0
        if self.kind == "function":
            cnt = self.program.ns.get("_CNT")
            if cnt is not None:
                calls = cnt[self.ident] + self.call_base
        else:
            calls = self.native_calls
        return {"name": self.name, "kind": self.kind, "calls": calls,
                "state": self.state, "reason": self.reason, "signature": self.signature,
                "compile_ms": round(self.compile_ms, 3), "code_bytes": self.code_bytes,
                "cached": self.cached,
                "deopts": self.deopt.counter.value if self.deopt else 0,
                "bounded_recursion": sorted(self.bounded), "osr": self.osr,
                "runtime_calls": dict(sorted(self.runtime.items()))}


def _record(program, kind, ident, name):
    recs = program.state.jit_records
    key = (kind, ident)
    r = recs.get(key)
    if r is None:
        if not recs:
            _programs[next(_program_seq)] = program
        r = recs[key] = Record(program, kind, ident, name)
    return r


def _array_types():
    return (id(list), id(ImmutableArray))


def _graph(entry):
    specs, seen, stack = [], set(), [entry]
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        specs.append(s)
        stack.extend(c for c, _ in s.calls.values())
    return specs


def _cyclic(specs):
    """The specialisations that can reach themselves through calls (mutual recursion
    included): only those can stack native frames without bound."""
    out = set()
    for s in specs:
        stack, seen = [c for c, _ in s.calls.values()], set()
        while stack:
            c = stack.pop()
            if c is s:
                out.add(s)
                break
            if id(c) not in seen:
                seen.add(id(c))
                stack.extend(d for d, _ in c.calls.values())
    return out


def _uses_objects(spec):
    """Does the specialisation hold values of any type (``OBJ``)?"""
    return (OBJ in spec.arg_types or OBJ in spec.free_types or spec.ret == OBJ
            or OBJ in spec.local_types.values() or OBJ in spec.global_reads.values()
            or OBJ in spec.global_writes.values())


# entries that check and unbox their arguments and then call the shared ``<core>_run``: their
# machine code is made by LLVM's fast path (see ``Engine.compile``)
QUICK_ENTRIES = ("prologue", "call")


def _compile(program, entry, kinds, rec=None, runs=None):
    """``_compile_module`` with the cyclic collector paused. A compile makes large cyclic
    graphs of IR objects that are garbage once it ends; left to the collector, they survive
    into the oldest generation during the compile and are freed by a full collection later —
    a pause of ~100 ms in the middle of the script. Paused, they stay in the youngest
    generation, and one collection of it right after the compile frees them (a few ms)."""
    was = gc.isenabled()
    gc.disable()
    t0 = time.perf_counter()
    try:
        return _compile_module(program, entry, kinds, rec, runs)
    finally:
        if was:
            gc.enable()
            gc.collect(0)
        if not background.on_worker():
            program.state.jit_spot_ms += (time.perf_counter() - t0) * 1000.0


def _lower_cores(mb, program, specs, rec):
    """Lower the cores of ``specs`` into ``mb``; True when one of them is recursive."""
    from .lower import CoreLowering
    for s in specs:
        mb.declare_core(s)
    recursive_any = False
    cyclic = _cyclic(specs)
    frame_bounds = []
    for s in specs:
        promoted = ()
        # a call of a value known only at run time may run code that reads or writes any
        # global: then every global stays in memory (none is kept in a register)
        if s.kind == "loop" and not any(c.dynamic_calls for c in specs):
            touched = set()
            for c in specs:
                if c is not s:
                    touched |= set(c.global_reads) | set(c.global_writes)
            promoted = [g for g in set(s.global_reads) | set(s.global_writes)
                        if g not in touched and not isinstance(s.global_reads.get(g), Func)
                        and OBJ not in (s.global_reads.get(g), s.global_writes.get(g))]
        recursive = s.kind == "func" and any(c is s for c, _ in s.calls.values())
        recursive_any |= recursive
        # code over values of any type is large: one copy of a recursive core, and callees
        # inlined only where LLVM's own heuristics choose to
        compact = _uses_objects(s)
        bound = bounded_descent(s) if recursive and not compact else None

        def lower_ring(ring, **kw):
            # each copy calls the next (see ModuleBuilder.twin); the first tests the stack
            # pointer, so at most RECURSION_COPIES frames run between two tests (the stack
            # limit's margin, 256 KiB, covers that many frames of up to 32 KiB)
            for i, fn in enumerate(ring):
                kw.setdefault("check_stack", True)
                CoreLowering(mb, s, program, promoted, function=fn,
                             self_target=ring[(i + 1) % len(ring)], max_inline=INLINE_DEPTH,
                             **dict(kw, check_stack=kw["check_stack"] and i == 0,
                                    polls=kw.get("polls", True) and i == 0)).lower()
        if bound is not None:
            # the ring runs without depth tests; its checked head delegates every call whose
            # argument bounds the recursion within the budget, and recurses on itself otherwise
            ring = [mb.twin(s, f"u{i}") for i in range(RECURSION_COPIES)]
            lower_ring(ring, check_depth=False, check_stack=False, polls=False)
            frame = mb.frame_bound(ring[0])      # its value is set once everything is lowered
            frame_bounds.append((frame, ring))
            CoreLowering(mb, s, program, promoted, self_target=mb.cores[s],
                         descent=bound + (ring[0], frame, poll_threshold(s, bound[1]))).lower()
            if rec is not None:
                info = program.functions.get(s.fid)
                rec.bounded.add(f"{info.name if info and info.name else s.name}"
                                f"({s.node.params[bound[0]].name})")
        elif recursive:
            copies = 1 if compact else RECURSION_COPIES
            lower_ring([mb.cores[s]] + [mb.twin(s, i) for i in range(1, copies)])
        else:
            if not compact:
                mb.cores[s].attributes.add("alwaysinline")
            CoreLowering(mb, s, program, promoted, check_stack=s in cyclic,
                         polls=s in cyclic).lower()
    for frame, ring in frame_bounds:
        mb.set_frame_bound(frame, ring)
    return recursive_any


def _compile_module(program, entry, kinds, rec=None, runs=None):
    """Lower the specialisation graph of ``entry`` plus the requested entry wrappers
    (``kinds`` ⊆ {"prologue", "bound", "map", "loop"}) into one LLVM module and compile it.

    Returns ``{kind: NativeBuiltin}``, plus ``"run"``: the address of the entry's
    ``<core>_run`` when the module has one (the prologue, call and loop entries share it).
    Every module gets its own copy of the cores (they are internal), so entries compiled
    later (``bound``/``map`` on first host use) need nothing from earlier modules — except
    with ``runs`` ({spec: address of its ``<core>_run``}): then no core is lowered, and the
    wrappers call that code (``LazyCallEntry``). Module and entry names carry the engine's ``TAG``, which becomes the
    module's key: equal code has equal names, in this process and in the next one that finds
    it in the program's native code cache (``program.native_cache``).
    """
    # llvmlite loads with the first compilation, never with the baseline tier
    from .engine import TAG, engine
    from .lower import ModuleBuilder
    from .wrapper import WrapperBuilder, NativeBuiltin, globals_needed
    specs = _graph(entry)
    tag = TAG
    mb = ModuleBuilder(f"{entry.name}_{tag}", lambda spec: file_id(program.jit_file(spec.fid)))
    mb.guarded = globals_needed(entry) > 0
    if runs is None:
        recursive_any = _lower_cores(mb, program, specs, rec)
    else:
        # an entry-only module: its wrappers call the ``<core>_run`` of an earlier module
        mb.external_runs.update(runs)
        recursive_any = False
    wb = WrapperBuilder(mb, program, _array_types())
    if "revalidate" in mb._helpers:
        wb.revalidate(entry)
    deopt = rec.deopt if rec is not None and rec.deopt is not None else Deopt(DEOPT)
    names = {}
    makers = {"prologue": (wb.prologue_entry, native_error_from_baseline),
              "host": (wb.host_entry, native_error_from_host),
              "loop": (wb.loop_entry, native_error_from_baseline),
              "bound": (wb.bound_entry, native_error_from_host),
              "call": (wb.call_entry, native_error_from_host),
              "map": (wb.map_entry, native_error_from_host)}
    eng = engine()
    owner = eng.owner_for(program)
    for kind in kinds:
        make, raiser = makers[kind]
        name = f"{entry.name}_{kind}_{tag}"
        raiser = functools.partial(raiser, weakref.ref(program))   # (the owner must not keep it)
        owner.payload.keep.append(raiser)        # native code calls it by address
        make(entry, name, deopt, raiser)
        names[kind] = name
    quick = [names[k] for k in QUICK_ENTRIES if k in names]
    wanted = list(names.values())
    run = mb.__dict__.get("_runners", {}).get(entry)
    if run is not None:
        wanted.append(run.name)
    addrs, ms, size, cached = eng.compile(mb.m, wanted, owner,
                                          pipeline="full" if recursive_any else "small",
                                          quick=quick, bindings=mb.bindings,
                                          cache=program.native_cache)
    owner.payload.keep.append(deopt.counter)       # native code increments it
    if rec is not None:
        for op, n in mb.runtime_ops.items():
            rec.runtime[op] = rec.runtime.get(op, 0) + n
        rec.compile_ms += ms
        rec.code_bytes += size
        rec.cached += bool(cached)
        rec.deopt = deopt
    built = {k: NativeBuiltin(n, addrs[names[k]], owner, keywords=k == "bound")
             for k, n in names.items()}
    if run is not None:
        built["run"] = addrs[run.name]
    program.state.jit_keepalive.append(specs)
    program.state.jit_keepalive.append(mb.consts)
    return built


def _clear_code_entry(program, fid):
    try:
        code = program.jit_source(fid)[2]
    except Exception:
        return
    if code is not None:
        code_entry.set(code, None)


def refuse(program, fid):
    """Stop profiling prototype ``fid`` for good: its baseline prologue reads ``_P<fid>`` only."""
    program.ns[f"_J{fid}"] = NOJIT
    program.ns[f"_P{fid}"] = False


def hot_function(program, fid, G, args, free_values):
    """Called by baseline code when prototype ``fid`` is hot: compiles it for the types of
    ``args``/``free_values`` and installs ``_J<fid>`` if it can — now, or on the background
    compiler (``background_compiles``), in which case this call and those until the code is
    installed run on the baseline tier."""
    info = program.functions.get(fid)
    rec = _record(program, "function", fid, info.name if info and info.name else f"func#{fid}")
    if rec.state not in ("profiling", "invalidated", "not eligible"):
        return
    try:
        arg_types = [value_type(type_of_value(a, program)) for a in args]
    except Exception as e:           # a JIT bug must never change a script's behaviour
        rec.state, rec.reason = "failed", f"{type(e).__name__}: {e}"
        refuse(program, fid)
        return
    free_values = list(free_values)
    if background_compiles(program):
        before = rec.state
        rec.state = "queued"
        job = functools.partial(_build_function, weakref.ref(program), fid, G, arg_types,
                                free_values, rec)
        if not background.submit(job, heat=_calls_since(program, fid)):
            rec.state = before
        return
    _build_function(weakref.ref(program), fid, G, arg_types, free_values, rec)


def _calls_since(program, fid):
    """A ``background.submit`` heat: the calls prototype ``fid`` has had since now (its
    baseline prologue keeps counting while its compile is queued)."""
    cnt = program.ns.get("_CNT")
    if cnt is None:
        return None
    base = cnt[fid]
    return lambda: cnt[fid] - base


def _build_function(program_ref, fid, G, arg_types, free_values, rec):
    """Infer, compile and install prototype ``fid`` (on the caller's thread or the worker's);
    records why not when it cannot."""
    program = program_ref()
    if program is None:
        return
    with _lock:
        try:
            if rec.refused_types:
                # a parameter its entry saw refused with another type takes any value from
                # now on (a polymorphic function stops being recompiled)
                arg_types = [OBJ if i in rec.refused_types else t
                             for i, t in enumerate(arg_types)]
            spec = Inferrer.infer(program, G, "function", fid, arg_types, free_values)
            rec.signature = "(" + ", ".join(map(show, spec.arg_types)) + ") -> " + show(spec.ret)
            if spec.cell_syms:
                # its baseline code holds the values of captured variables, not their cells:
                # native code runs it when called from native code or the host only
                built = _compile(program, spec, ["call"], rec)
                code_entry.set(spec.code, built["call"].make())
                program.state.jit_bound[fid] = NativeEntries(program, spec, rec)
                refuse(program, fid)
            else:
                # the call entry is compiled when native code first calls the function as a
                # run-time value (many functions never are): a smaller first module
                built = _compile(program, spec, ["prologue"], rec)
                entries = program.state.jit_bound[fid] = NativeEntries(program, spec, rec)
                entries.run_addr = built["run"]
                code_entry.set(spec.code, LazyCallEntry(entries))
                program.ns[f"_J{fid}"] = built["prologue"].make()
            rec.state = "compiled"
            _new_code()
        except NotEligible as e:
            rec.state = "not eligible"
            rec.reason = str(e)
            rec.attempts += 1
            cnt = program.ns.get("_CNT")
            if e.dynamic and rec.attempts < RETRIES and cnt is not None:
                # the types seen may differ later: try again after more calls each time (the
                # record says "not eligible" with the reason meanwhile)
                rec.call_base += cnt[fid] + RETRY_CALLS * rec.attempts
                cnt[fid] = -RETRY_CALLS * rec.attempts
            else:
                refuse(program, fid)                # no more counting or compiling
        except Exception as e:           # a JIT bug must never change a script's behaviour
            rec.state = "failed"
            rec.reason = f"{type(e).__name__}: {e}"
            refuse(program, fid)


class LazyCallEntry:
    """What a compiled function's code object holds (``code_entry``) until native code first
    calls the function as a run-time value: called as the call entry is, ``(function, G,
    args...)``, it compiles the real call entry — a module of that wrapper alone, calling the
    ``<core>_run`` compiled with the prologue (``NativeEntries.run_addr``) — puts it in its
    place and runs it. When the compile fails, or the program's code is gone, the slot is
    emptied and the call goes to the baseline code (which still enters the native code
    through its prologue). It holds its ``NativeEntries`` weakly: CPython never visits a code
    object's extra slot when it looks for reference cycles."""

    __slots__ = ("entries_ref", "entry", "queued")

    def __init__(self, entries):
        self.entries_ref = weakref.ref(entries)
        self.entry = None
        self.queued = False

    def __call__(self, fn, G, *args):
        entry = self.entry
        if entry is None:
            entry = self._start()
        return entry(fn, G, *args)

    def _start(self):
        """The entry for this call: the compiled one when compiling on the spot; with the
        background compiler, the baseline code until the worker has compiled the entry (a
        script never waits for a compile, nor for the compiles queued before it)."""
        entries = self.entries_ref()
        if entries is not None and background_compiles(entries.program):
            if self.queued or background.submit(self._compile_job, first=True):
                self.queued = True
                return _call_baseline
        return self._compile()

    def _compile_job(self):
        try:
            self._compile()
        except BaseException:       # a job never raises (background.submit)
            pass

    def _compile(self):
        with _lock:
            if self.entry is not None:
                return self.entry
            entries = self.entries_ref()
            entry = _call_baseline
            if entries is not None:
                try:
                    built = _compile(entries.program, entries.spec, ["call"], entries.rec,
                                     runs={entries.spec: entries.run_addr})
                    entry = built["call"].make()
                except Exception:        # a JIT bug must never change a script's behaviour
                    pass
                code = entries.spec.code
                if code_entry.get(code) == id(self):
                    code_entry.set(code, entry if entry is not _call_baseline else None)
            self.entry = entry
        return entry


def _call_baseline(fn, G, *args):
    return fn(G, *args)


# jit_background="auto": compiles run on the spot while they have taken at most
# SPOT_BUDGET_MS plus SPOT_BUDGET_SHARE of the program's life so far, and the worker is idle
SPOT_BUDGET_MS = 100.0
SPOT_BUDGET_SHARE = 0.25


def background_compiles(program):
    """Does this compile of ``program`` go to the background worker? Only when asked for
    (``Script(jit_background=...)``, ``TENGOJIT_JIT_BACKGROUND``) and with a threshold above
    0: threshold 0 means "native from the first call", which only a compile on the spot
    gives. With ``"auto"`` (the command's default): on the spot while the program's compiles
    on the spot stay within their budget (``SPOT_BUDGET_MS`` plus ``SPOT_BUDGET_SHARE`` of
    the time since the program was compiled) and the worker has nothing to do — so a
    program whose time goes to a few hot loops runs them natively at once, and one that
    makes a hundred functions hot goes on while the worker compiles them."""
    mode = program.jit_background
    if not mode or not program.jit_threshold:
        return False
    if mode != "auto":
        return True
    st = program.state
    if background.pending():
        return True
    age_ms = (time.perf_counter() - st.jit_born) * 1000.0
    return st.jit_spot_ms > SPOT_BUDGET_MS + SPOT_BUDGET_SHARE * age_ms


INVALIDATE_AFTER = 100           # failed entry checks before a specialisation is dropped
MAX_RECOMPILES = 4               # drops before a function stays on the baseline tier for good
RETRIES = 3                      # tries after a "dynamic" refusal (types seen at run time)
RETRY_CALLS = 1000               # more calls before each retry


def deopted(program, fid, args=()):
    """The native entry of ``fid`` refused a call, of arguments ``args`` (its argument or
    global types changed). An argument whose type differs from the compiled one is noted:
    the next compile gives that parameter any type.

    After INVALIDATE_AFTER refusals the specialisation is dropped ("invalidated"): the call
    counter restarts, and when the function is hot again it is compiled for the types seen
    then. The native code stays correct either way; this only avoids running the baseline
    tier for good after the program's types changed. After MAX_RECOMPILES drops the function
    is refused for good."""
    rec = program.state.jit_records.get(("function", fid))
    if rec is None or rec.state != "compiled":
        return
    entries = program.state.jit_bound.get(fid)
    if entries is not None:
        for i, (a, t) in enumerate(zip(args, entries.spec.arg_types)):
            seen = value_type(type_of_value(a, program))
            if seen != t and t != OBJ:
                rec.refused_types[i] = seen
    rec.refusals += 1
    if rec.refusals >= INVALIDATE_AFTER:
        rec.refusals = 0
        rec.invalidations += 1
        if rec.invalidations > MAX_RECOMPILES:
            # types that keep changing: stop compiling (each compile's code stays until the
            # program goes, so unbounded recompiles would grow memory without end)
            rec.state = "not eligible"
            rec.reason = f"types changed after {MAX_RECOMPILES} recompiles"
            program.state.jit_bound.pop(fid, None)
            refuse(program, fid)
            _clear_code_entry(program, fid)
            _new_code()
            return
        rec.state = "invalidated"
        program.ns[f"_J{fid}"] = None
        _clear_code_entry(program, fid)
        program.state.jit_bound.pop(fid, None)
        cnt = program.ns.get("_CNT")
        if cnt is not None:
            cnt[fid] = 0
        _new_code()


def hot_loop(program, lid, G, F=None):
    """A top-level loop (of the main body, or with ``F`` the list of its function's variables
    it uses, of a function body) is entered, its init statement done: count the entry; once
    hot, compile the loop and run it natively now (or, compiling in the background, from a
    later entry or on-stack-replacement check on).

    Returns True when the loop ran natively (the caller skips its Python loop and, for a
    function's loop, takes the variables' new values from ``F``).
    """
    rec = _loop_record(program, lid)
    rec.native_calls += 1
    if rec.native_calls <= program.jit_loop_threshold or rec.state not in ("profiling", "compiled"):
        return False
    fn = _loop_code(program, lid, G, F, rec)
    return fn is not None and fn is not PENDING and _run_loop(fn, G, F)


def loop_continues_natively(program, lid, G, F=None):
    """A run of a top-level loop has done ``jit_osr_iterations`` iterations on the baseline
    tier: run the rest of it natively (on-stack replacement), from the globals and, in a
    function, the variables in ``F`` as they are now.

    Returns True when the loop ran to its end natively (the baseline loop then stops), False
    when it continues on the baseline tier (not eligible, or the entry's checks failed), None
    when its code is being compiled in the background (the caller asks again after as many
    iterations more).
    """
    rec = _loop_record(program, lid)
    if rec.state == "queued":
        rec.waiting += program.jit_osr_iterations
        return None
    if rec.state not in ("profiling", "compiled"):
        return False
    fn = _loop_code(program, lid, G, F, rec)
    if fn is PENDING:
        return None
    if fn is None:
        return False
    rec.osr += 1
    return _run_loop(fn, G, F)


def _loop_record(program, lid):
    node, _, fid = program.jit_loops[lid]
    return _record(program, "loop", lid, f"loop at {program.jit_file(fid)}:{node.pos[0]}:{node.pos[1]}")


PENDING = object()        # a loop's code is being compiled in the background


def _loop_code(program, lid, G, F, rec):
    """The native entry of loop ``lid``, compiled on first need: the loop without its init
    statement (its condition, body and post statement), which serves both a run that starts
    (the init done by the baseline) and one that switches over mid-way (OSR). None when the
    loop stays on the baseline tier (then so does every later entry); ``PENDING`` while the
    background compiler has it."""
    fn = rec.continuation
    if fn is not None:
        return fn
    if rec.state == "queued":
        rec.waiting += 1
        return PENDING
    frame = ()
    if F is not None:
        frame = list(zip(program.jit_loop_frames[lid], F))
    if background_compiles(program):
        rec.state = "queued"
        job = functools.partial(_build_loop, weakref.ref(program), lid, G, frame, F is not None, rec)
        rec.waiting = 0
        if background.submit(job, heat=lambda: rec.waiting):
            return PENDING
        rec.state = "profiling"
    return _build_loop(weakref.ref(program), lid, G, frame, F is not None, rec)


def _build_loop(program_ref, lid, G, frame, in_function, rec):
    """Infer, compile and install loop ``lid``'s region; the entry, or None when the loop
    stays on the baseline tier (recorded why)."""
    program = program_ref()
    if program is None:
        return None
    node, res, fid = program.jit_loops[lid]
    rest = type(node)(node.pos, None, node.cond, node.post, node.body)
    with _lock:
        try:
            spec = Inferrer.infer(program, G, "loop", fid, rest, res, frame)
            sig = [f"G[{k}]:{show(t)}" for k, t in sorted(spec.global_reads.items())]
            sig += [f"{s.name}:{show(t)}" for s, t in zip(spec.frame_syms, spec.frame_types)]
            rec.signature = ", ".join(sig)
            fn = _compile(program, spec, ["loop"], rec)["loop"].make()
            rec.continuation = fn
            program.ns[f"_L{lid}"] = fn
            rec.state = "compiled"
            return fn
        except NotEligible as e:
            rec.state, rec.reason = "not eligible", str(e)
        except Exception as e:
            rec.state, rec.reason = "failed", f"{type(e).__name__}: {e}"
    program.ns[f"_L{lid}"] = False if in_function else never_loop
    return None


def _run_loop(fn, G, F):
    """Run a loop region: False when its entry refused (DEOPT), RETURNED when it returned
    from its function (the value last in ``F``), else True."""
    r = fn(G) if F is None else fn(G, F)
    if r is DEOPT:
        return False
    return RETURNED if r is RETURNED else True


DEOPT = object()          # the sentinel every program's ``_DEOPT`` is
RETURNED = cc.LOOP_RETURNED   # a loop region returned from its function (``_RET``)
NOJIT = object()          # ``_J<fid>`` of a function that will not be compiled


def _new_code():
    """Tell the host-call trampolines to look for native entries again."""
    if _hostcall is not None:
        _hostcall.bump_epoch()


def never_loop(G):
    return DEOPT


def stats(program=None):
    """Per function/loop: name, calls, state, reason, signature, compile ms, code bytes, deopts."""
    if program is None:
        recs = [r for _, p in sorted(_programs.items()) for r in p.state.jit_records.values()]
    else:
        recs = list(program.state.jit_records.values())
    return [r.as_dict() for r in recs]


def reset_stats():
    """Forget the programs compiled so far (``stats()`` of every program starts afresh)."""
    _programs.clear()


def install(program):
    """Put what the JIT prologues and loop hooks of ``program``'s generated code call into its
    namespace (the installer ``interp.program.Program`` is handed)."""
    ns = program.ns
    ns["_DEOPT"] = DEOPT
    ns["_RET"] = RETURNED
    ns["_NOJIT"] = NOJIT
    ns["_NOLOOP"] = never_loop
    ns["_JT"] = program.jit_threshold + 1
    ns["_hot"] = lambda fid, G, args, free: hot_function(program, fid, G, args, free)
    ns["_hotloop"] = lambda lid, G: hot_loop(program, lid, G)
    ns["_OSRN"] = program.jit_osr_iterations
    ns["_osr"] = lambda lid, G: loop_continues_natively(program, lid, G)
    ns["_OSRNN"] = min(program.jit_osr_nested_iterations, program.jit_osr_iterations)
    ns["_hotfloop"] = lambda lid, G, F: hot_loop(program, lid, G, F)
    ns["_fosr"] = lambda lid, G, F: loop_continues_natively(program, lid, G, F)
    ns["_deopt"] = lambda fid, args=(): deopted(program, fid, args)
