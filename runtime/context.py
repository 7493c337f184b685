"""Calling Tengo closures from Python: ``ExecutionContext`` and ``Closure``.

A compiled script is a shared, read-only ``Program`` plus a globals list ``G``. A context is
nothing more than a reference to the program and to one globals list, so creating one is
cheap and a host call of a closure is one Python call: ``fn(G, *args)`` — exactly what a call
from inside the script does. There is no VM to build and nothing is copied per call.

    compiled = Script(src).compile(); compiled.run()
    ctx = compiled.context()                 # or ExecutionContext(compiled)
    add_five = compiled.get("add_five")      # a Closure, bound to the compiled script's globals
    ctx.call(add_five, 3)                    # -> 18
    add_five(3)                              # the same, through the context it came from
    iso = ctx.with_isolated_globals()        # private copy of the globals

Threads: contexts over different globals never interfere. A context used by one thread runs
its calls unlocked; the moment a second thread calls into the same context it becomes *shared*:
from then on every call on it (from any thread) holds the context's re-entrant lock, so calls
on one shared context are serialised and see each other's writes in order. The switch waits for
a call already running in the first thread to finish, so no two calls ever overlap.

Errors: everything a call raises is a ``TengoError``: ``TengoRuntimeError`` (and its subclasses
``NotCallableError``, ``ArgumentCountError``) for failures of the call, ``ForeignClosureError``
for a closure of another program, ``InvalidGlobalsError`` for bad globals.
"""
from __future__ import annotations

import gc
import sys
import threading
import time
import weakref
from types import FunctionType
from typing import Any, Callable, Iterable

from . import interrupts, limits, payload
from .errors import (ArgumentCountError, IntOverflowError, NotCallableError, PayloadError,  # noqa: F401
                     OptionError, UnknownVariableError,
                     TengoError, TengoRuntimeError, host_runtime_error)  # (re-exported by tengojit)
from .interp.rt import translate_error
from .jit import wait as jit_wait
from .values import (Char, Error, ImmutableArray, ImmutableMap, INT64_MAX, INT64_MIN,
                     UserFunction, from_python, type_name)

_NO = object()
# ctx.map over a numpy array longer than this waits for the JIT rather than running the
# rest on the slow path (seconds: how long it waits at most)
WARM_MAP_LENGTH = 20_000
WARM_MAP_WAIT = 5.0
_get_ident = threading.get_ident
_claim_lock = threading.Lock()


class ForeignClosureError(TengoError, ValueError):
    """A Closure of one program was called through a context of another program."""


class InvalidGlobalsError(TengoError, ValueError):
    """Globals given to ``with_globals``/``call_with_globals`` do not fit the program."""


def _host_error(e, program):
    return host_runtime_error(translate_error(e, program))


_LEAF_TYPES = frozenset({int, float, str, bool, type(None), bytes, Char})
_PASS_TYPES = frozenset({str, float, bool, type(None), bytes, Char, Error, list, dict,
                         ImmutableArray, ImmutableMap, FunctionType, UserFunction})


def _arg(a, program):
    """A host argument as a Tengo value (cheap for values that already are).

    Arrays and maps are passed by reference when they hold only Tengo values of this program;
    one holding a Closure is converted (copied, see ``values.from_python``); one holding a
    Tengo function of another program is refused (``ForeignClosureError``): that function
    would run over this program's globals.
    """
    t = type(a)
    if t is int:
        if INT64_MIN <= a <= INT64_MAX:
            return a
        raise IntOverflowError(f"int {a} does not fit Tengo's int64")
    if t is list or t is dict or t is ImmutableArray or t is ImmutableMap or t is Error:
        # flat containers of scalars (records, rows, vectors) are checked at C speed
        if t is not Error and _LEAF_TYPES.issuperset(map(type, a.values() if t is dict or t is ImmutableMap else a)):
            return a
        if _needs_conversion(a, program.ns, {}):
            return _convert(a, program, {})
        return a
    if t is FunctionType:
        if _foreign(a, program.ns):
            raise ForeignClosureError(_FOREIGN)
        return a
    if t in _PASS_TYPES:
        return a
    if t is Closure:
        if a.program is not program:
            raise ForeignClosureError("closure belongs to another program")
        return a.fn
    return from_python(a)


_FOREIGN = ("a function of another program inside a value passed to this one; pass its "
            "Closure (compiled.get) instead, which runs in its own context")
NS_MARKER = "__tengo_program__"    # every program namespace holds this key (_hostcall.NS_MARKER)


def _foreign(f, ns):
    """Is ``f`` a Tengo function of a program other than the one whose namespace is ``ns``?"""
    g = f.__globals__
    return g is not ns and NS_MARKER in g


def _needs_conversion(v, ns, seen):
    """Does the container ``v`` hold a Closure or a function of another program (nested)?"""
    if id(v) in seen:
        return False
    seen[id(v)] = v
    items = v.values() if isinstance(v, dict) else (v.value,) if type(v) is Error else v
    for x in items:
        t = type(x)
        if t is Closure:
            return True
        if t is FunctionType:
            if _foreign(x, ns):
                return True
        elif (t is list or t is dict or t is ImmutableArray or t is ImmutableMap or t is Error) \
                and _needs_conversion(x, ns, seen):
            return True
    return False


def _convert(v, program, memo):
    """A copy of container ``v`` with Closures made Tengo values of ``program`` (a Closure of
    another program becomes a host function running in its own context); a bare function of
    another program raises ForeignClosureError. Aliasing and cycles are kept."""
    t = type(v)
    if t is Closure:
        if v.program is program:
            return v.fn
        return from_python(v)              # runs in its own context, as a host function
    if t is FunctionType:
        if _foreign(v, program.ns):
            raise ForeignClosureError(_FOREIGN)
        return v
    if t is not list and t is not dict and t is not ImmutableArray and t is not ImmutableMap \
            and t is not Error:
        return v
    r = memo.get(id(v))
    if r is not None:
        return r
    if t is Error:
        r = memo[id(v)] = Error(None)
        r.value = _convert(v.value, program, memo)
    elif t is list or t is ImmutableArray:
        r = memo[id(v)] = t()
        list.extend(r, [_convert(x, program, memo) for x in v])
    else:
        r = memo[id(v)] = t()
        for k, x in v.items():
            dict.__setitem__(r, k, _convert(x, program, memo))
    return r


class Closure:
    """A Tengo function value held by the host.

    Calling it (``add_five(3)``) runs it over the globals of the context it came from.
    ``call_with_globals(globals, *args)`` is the lowest-level call: explicit globals, no
    context, returns ``(result, globals)``.
    """
    __slots__ = ("fn", "ctx", "program", "__weakref__")
    tengo_closure = True        # what values.from_python recognises (it sits below this module)

    def __init__(self, fn: Callable, ctx: "ExecutionContext") -> None:
        self.fn = fn
        self.ctx = ctx
        self.program = ctx.program

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the closure in the context it came from (``ctx.call(closure, *args)``;
        ``timeout=``/``cancel=`` as for ``call``)."""
        return self.ctx.call(self, *args, **kwargs)

    def call_with_globals(self, globals: list, *args: Any) -> tuple[Any, list]:
        """Call over ``globals`` (a list from ``ctx.globals`` / ``call_ex``): ``(result, globals)``.

        The lowest-level call (the seed's ``CallWithGlobalsExAndConstants``): no context, no
        thread handling; the caller owns ``globals``.
        """
        if type(globals) is not list or len(globals) != len(self.ctx.G):
            raise InvalidGlobalsError(
                f"globals must be a list of {len(self.ctx.G)} slots for this program, "
                f"got {type(globals).__name__}"
                + (f" of {len(globals)}" if isinstance(globals, list) else ""))
        program = self.program
        lim = program.run_limits
        if lim is not None:
            limits.enter(lim)
        try:
            for a in args:
                if type(a) is not int or not INT64_MIN <= a <= INT64_MAX:
                    args = [_arg(x, program) for x in args]
                    break
            r = self.fn(globals, *args)
        except TengoError:
            raise
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            raise _host_error(e, program)
        finally:
            if lim is not None:
                limits.leave()
        if type(r) is FunctionType:
            r = Closure(r, self.ctx if globals is self.ctx.G else self.ctx.with_globals(globals))
        return r, globals

    @property
    def name(self) -> str:
        """The function's Tengo name (what it was assigned to), or ``""``."""
        info = self.ctx.program.function_info(self.fn)
        return info.name if info is not None else getattr(self.fn, "__name__", "")

    def __repr__(self):
        info = self.ctx.program.function_info(self.fn)
        return f"<Closure {info!r}>" if info is not None else f"<Closure {self.fn!r}>"

    def __eq__(self, other):
        return type(other) is Closure and other.fn is self.fn and other.ctx.G is self.ctx.G

    def __hash__(self):
        return hash((id(self.fn), id(self.ctx.G)))

    def __reduce__(self):
        """A closure travels as its program's source and globals plus "function N with these
        captured variables": what arrives is the same closure over the receiver's copy."""
        return (_load, (payload.dump(self.program, self.ctx.G, "closure", fn=self.fn),))


class _Link:
    """What a trampoline needs of its context: a weak reference, revived on demand (the host
    may keep ``ctx.call`` after dropping the context: same globals, a new context object)."""
    __slots__ = ("ref", "program", "G", "fixed", "revived")

    def __init__(self, ctx, fixed):
        self.ref = weakref.ref(ctx)
        self.program = ctx.program
        self.G = ctx.G
        self.fixed = fixed
        self.revived = None

    def live(self):
        ctx = self.ref()
        if ctx is None:
            ctx = self.revived
            if ctx is None:
                ctx = self.revived = ExecutionContext(self.program, self.G)
        return ctx

    def __call__(self, *args, **kwargs):
        """The trampoline's general path (see ExecutionContext._call_py)."""
        if self.fixed is not None:
            return ExecutionContext._call_py(self.live(), self.fixed, *args, **kwargs)
        return ExecutionContext._call_py(self.live(), *args, **kwargs)

    def wrap(self, fn):
        return Closure(fn, self.live())


def _program_natives(program):
    """The native host entries of a program's compiled functions, shared by all its contexts
    (they take the globals and the function as arguments): id(code object) -> entry, or None
    while not compiled (ids, because code objects hash by their contents)."""
    if not program.jit:
        return None
    d = program.state.host_natives
    if d is None:
        d = program.state.host_natives = {}
    return d


def _on_error_for(program):
    """The trampoline's error callback of a program (one per program)."""
    f = program.state.host_on_error
    if f is None:
        def on_error(exc):
            if isinstance(exc, (TengoError, KeyboardInterrupt, SystemExit)):
                raise exc
            raise _host_error(exc, program)
        f = program.state.host_on_error = on_error
    return f


class ExecutionContext:
    """The mutable half of running a program: one globals list, shared read-only program.

    ``ExecutionContext(compiled)`` shares the compiled script's globals;
    ``ExecutionContext(compiled, globals)`` runs over the given list.
    ``ctx.call(fn, *args)`` calls a Tengo function (a ``Closure`` or a function value) over
    this context's globals and returns its result (a C trampoline when the extension is
    built); errors are ``TengoError``s.
    """
    __slots__ = ("program", "G", "_owner", "_used", "_shared", "_lock", "_lock_ready",
                 "_bound_callers", "_natives", "_maps", "call", "__weakref__")

    def __init__(self, compiled: Any, globals: list | None = None) -> None:
        program = getattr(compiled, "program", compiled)
        if not hasattr(program, "global_names"):
            raise InvalidGlobalsError(f"ExecutionContext needs a Compiled script (or its program), "
                                      f"not {type(compiled).__name__}")
        G = getattr(compiled, "G", None) if globals is None else globals
        if type(G) is not list:
            raise InvalidGlobalsError(f"globals must be a list, not {type(G).__name__}")
        n = program.num_globals + 1
        if len(G) != n:
            raise InvalidGlobalsError(f"globals must have {n} slots for this program, got {len(G)}")
        self._setup(program, G, _program_natives(program))

    def _setup(self, program, G, natives):
        self.program = program
        self.G = G
        # the creating thread owns the context until a call happens; the first thread to call
        # takes it over (see _claim); a second calling thread makes it shared
        self._owner = _get_ident()
        self._used = False
        self._shared = False
        self._lock = None
        self._lock_ready = False
        self._bound_callers = None          # trampolines made by bind(), besides ``call``
        # JIT on: native entries of compiled functions (the trampoline's cache: function ->
        # host entry, or None while not compiled); they do not depend on the globals
        self._natives = natives
        self._maps = None
        self.call = self._make_caller(None, self._call_py)

    def _make_caller(self, fixed, slow):
        """The C trampoline for ``call``/``bind`` when built, else the Python path itself.

        The trampoline reaches back to this context only through a weak reference (``_Link``),
        so a context is freed by reference counting as soon as the host drops it (no cycle).
        """
        program = self.program
        if _Caller is None or program.run_limits is not None:
            # (a script with limits of its own: every call pushes them, in Python)
            return slow
        link = _Link(self, fixed)
        c = _Caller(self.G, program, fixed, link, _on_error_for(program), _Link.wrap,
                    0 if self._shared else self._owner, program.ns,
                    self._natives if fixed is None else None)
        if fixed is not None:
            if self._bound_callers is None:
                self._bound_callers = []
            self._bound_callers.append(c)
        return c

    @property
    def _callers(self):
        call = getattr(self, "call", None)
        out = [call] if _Caller is not None and type(call) is _Caller else []
        return out + (self._bound_callers or [])

    # ------------------------------------------------------------------ calls
    def _call_py(self, fn=_NO, a=_NO, b=_NO, c=_NO, *rest, **kwargs):
        """Call the Tengo callable ``fn`` with the given arguments; returns the result.

        ``fn`` may be a Closure (from ``Compiled.get``, a call's result, …) or any callable
        Tengo value. Arguments are host values (converted per Tengo's table); a function
        result comes back as a Closure bound to this context.
        """
        if kwargs:
            return self._call_guarded(fn, (a, b, c) + rest, **kwargs)
        if fn is _NO:
            raise NotCallableError("call(fn, *args): a function to call is required")
        if self._owner != _get_ident() or self._shared:
            if not self._claim():
                return self._call_shared(fn, (a, b, c) + rest)
        program = self.program
        if type(fn) is Closure:
            if fn.ctx.program is not program:
                raise ForeignClosureError("closure belongs to another program; call it through "
                                          "a context of its own program")
            f = fn.fn
            natives = self._natives
            if natives is not None and type(f) is FunctionType and id(f.__code__) not in natives:
                entries = self._native_entries(f)
                natives[id(f.__code__)] = None if entries is None else entries.host
        else:
            f = fn
        lim = program.run_limits
        if lim is not None:
            limits.enter(lim)
        try:
            if b is _NO:
                if a is _NO:
                    r = f(self.G)
                else:
                    r = f(self.G, a if type(a) is int and INT64_MIN <= a <= INT64_MAX else _arg(a, program))
            elif c is _NO:
                r = f(self.G, _arg(a, program), _arg(b, program))
            else:
                r = f(self.G, *[_arg(x, program) for x in (a, b, c) + rest])
        except TengoError:
            raise
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            raise _host_error(e, program)
        finally:
            if lim is not None:
                limits.leave()
        if type(r) is FunctionType:
            return Closure(r, self)
        return r

    _call_py.__doc__ = """Call the Tengo callable ``fn`` with the given arguments; returns the result.

        ``ctx.call`` is this method, or the C trampoline with the same behaviour when it is
        built. ``fn`` may be a Closure (from ``Compiled.get``, a call's result, …) or any
        callable Tengo value. Arguments are host values (converted per Tengo's table); a
        function result comes back as a Closure bound to this context.

        Keyword arguments bound the call: ``timeout=`` (seconds) raises ``ScriptTimeout`` and
        ``cancel=`` (a ``CancelToken``) raises ``ScriptCancelled`` once cancelled, at the
        script's next loop iteration or function entry; the context stays usable.
        """

    def _call_guarded(self, fn, args, timeout=None, cancel=None, **unknown):
        if unknown:
            raise OptionError(f"call() got an unexpected keyword argument '{next(iter(unknown))}'")
        guard = interrupts.enter(self.program.ns, timeout, cancel)
        try:
            return self._call_py(fn, *[x for x in args if x is not _NO])
        finally:
            interrupts.leave(guard)

    def call_ex(self, fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, list]:
        """``(result, globals)``: the result and this context's globals list after the call
        (``timeout=``/``cancel=`` as for ``call``)."""
        return self.call(fn, *args, **kwargs), self.G

    def __call__(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """``ctx(fn, *args)`` is ``ctx.call(fn, *args)`` (keywords too)."""
        return self.call(fn, *args, **kwargs)

    def map(self, fn: Any, iterable: Iterable, *, timeout: float | None = None,
            cancel: "interrupts.CancelToken | None" = None) -> list:
        """``[call(fn, x) for x in iterable]`` in one go (lists, ranges, tuples, numpy arrays).
        ``timeout``/``cancel`` bound the whole map, as for ``call``."""
        if timeout is not None or cancel is not None:
            guard = interrupts.enter(self.program.ns, timeout, cancel)
            try:
                return self.map(fn, iterable)
            finally:
                interrupts.leave(guard)
        lim = self.program.run_limits
        if lim is not None:
            limits.enter(lim)
            try:
                return self._map_owned(fn, iterable)
            finally:
                limits.leave()
        return self._map_owned(fn, iterable)

    def _map_owned(self, fn, iterable):
        if self._owner != _get_ident() or self._shared:
            if not self._claim():
                self._become_shared()
                with self._lock:
                    return self._map(fn, iterable)
        return self._map(fn, iterable)

    def _map(self, fn, iterable):
        program = self.program
        f = self._resolve(fn)
        tolist = getattr(iterable, "tolist", None)      # numpy arrays: C-speed conversion
        if tolist is not None and hasattr(iterable, "dtype"):
            return self._map_numpy(f, iterable)
        items = tolist() if tolist is not None else iterable
        G = self.G
        try:
            if type(items) is range or (type(items) is list and all(type(x) is int for x in items)
                                        and (not items or (INT64_MIN <= min(items) and max(items) <= INT64_MAX))):
                res = [f(G, x) for x in items]
            else:
                res = [f(G, _arg(x, program)) for x in items]
        except TengoError:
            raise
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            raise _host_error(e, program)
        for i, r in enumerate(res):
            if type(r) is FunctionType:
                res[i] = Closure(r, self)
        return res

    def _map_numpy(self, f, arr):
        """numpy array in, numpy array out: natively (no boxing) when the JIT compiled ``f``
        for the array's element type, else element by element.

        A long array whose function is not compiled yet is not left to the slow path: its first
        elements go through ordinary calls (which make the JIT compile ``f`` for their type),
        the background compiler is awaited, and the rest runs natively. Calls happen in order
        either way, so results and side effects are those of ``[f(x) for x in arr]``."""
        np = sys.modules["numpy"]            # loaded: ``arr`` is one of its arrays
        hit = self._native_map(f, np)
        if hit is None and self.program.jit and arr.ndim == 1 and len(arr) > WARM_MAP_LENGTH \
                and arr.dtype.kind in "if":
            n = (self.program.jit_threshold or 0) + 1
            head = self._map(f, arr[:n].tolist())
            if self.program.jit_background:
                jit_wait(WARM_MAP_WAIT)
            hit = self._native_map(f, np)
            tail = self._run_native(hit, arr[n:], np) if hit is not None else None
            if tail is not None and all(type(x) is int or type(x) is float for x in head):
                return np.concatenate([np.array(head, dtype=tail.dtype), tail])
            return np.array(head + self._map(f, arr[n:].tolist()))
        out = self._run_native(hit, arr, np) if hit is not None else None
        return out if out is not None else np.array(self._map(f, arr.tolist()))

    def _native_map(self, f, np):
        """``(native map, input dtype, output dtype)`` of ``f`` once compiled, else None."""
        maps = self._maps
        if maps is None:
            maps = self._maps = {}
        hit = maps.get(f)                    # keyed by the function object: a fast lookup
        if hit is None:
            # looking the function up by its code object hashes the code: done once
            native = self._native_entries(f)
            if native is not None and native.map is not None:
                spec = native.spec
                hit = maps[f] = (native.map_for(self.G, f),
                                 np.dtype(np.int64 if spec.arg_types[0] == "int" else np.float64),
                                 np.dtype(np.int64 if spec.ret == "int" else np.float64))
        return hit

    def _run_native(self, hit, arr, np):
        """The native map over ``arr``, or None when it does not apply (or declines: a cached
        entry stays correct because every native entry checks its assumptions on each call
        and answers "not run", anything but None, when one fails)."""
        if arr.ndim != 1 or arr.dtype != hit[1]:
            return None
        src = arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)
        out = np.empty(len(src), dtype=hit[2])
        try:
            r = hit[0](src, out)
        except TengoError:
            raise
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            raise _host_error(e, self.program)
        return out if r is None else None

    def bind(self, fn: Any) -> Callable:
        """A plain Python callable running ``fn`` in this context: ``bind(f)(x) == call(f, x)``."""
        f = self._resolve(fn)
        native = self._native_entries(f) if self.program.run_limits is None else None
        if native is not None and native.spec.ret != "obj":
            # (a result of any type may be a function, which the host gets as a Closure: the
            # trampoline below does that)
            return native.bound_for(self.G, f, self._slow_for(f))
        if _Caller is None or self.program.run_limits is not None:
            call = self._call_py

            def bound(*args):
                return call(f, *args)
            return bound
        return self._make_caller(f, None)

    def _slow_for(self, f):
        """``slow(*args)``: the general call of ``f`` in this context (no reference cycle)."""
        ref = weakref.ref(self)

        def slow(*args, **kwargs):
            ctx = ref()
            if ctx is None:
                raise InvalidGlobalsError("the context of this function is gone")
            if kwargs:                       # timeout= / cancel=
                return ExecutionContext._call_guarded(ctx, f, args, **kwargs)
            return ExecutionContext._invoke(ctx, f, args)
        return slow

    def _native_entries(self, f):
        program = self.program
        if not program.jit or type(f) is not FunctionType:
            return None
        info = program.function_info(f)
        return None if info is None else program.state.jit_bound.get(info.fid)

    def _resolve(self, fn):
        if type(fn) is Closure:
            if fn.ctx.program is not self.program:
                raise ForeignClosureError("closure belongs to another program")
            return fn.fn
        if not callable(fn) or isinstance(fn, type):
            raise NotCallableError(f"not callable: {type_name(fn)}")
        return fn

    # ------------------------------------------------------------------ sharing between threads
    def _claim(self):
        """Make the calling thread the owner if nobody owns the context yet (True if it is)."""
        ident = _get_ident()
        with _claim_lock:
            if self._shared:
                return False
            if self._owner != ident and not self._used and not any(c.used for c in self._callers):
                self._owner = ident              # nobody has called yet: ownership moves
                for c in self._callers:
                    c.claim(ident)
            if self._owner == ident:
                self._used = True
                return True
            return False

    def _call_shared(self, fn, args):
        self._become_shared()
        with self._lock:
            return self._invoke(fn, [x for x in args if x is not _NO])

    def _invoke(self, fn, args):
        """The general (slower) call: used for shared contexts."""
        program = self.program
        f = self._resolve(fn)
        lim = program.run_limits
        if lim is not None:
            limits.enter(lim)
        try:
            r = f(self.G, *[_arg(x, program) for x in args])
        except TengoError:
            raise
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            raise _host_error(e, program)
        finally:
            if lim is not None:
                limits.leave()
        if type(r) is FunctionType:
            return Closure(r, self)
        return r

    def _become_shared(self):
        """Switch to locked calls (a second thread arrived). Until the owner thread's
        unlocked call in flight (if any) has returned, every thread arriving here waits for
        it, so no locked call ever overlaps it."""
        if self._lock is not None and self._lock_ready:
            return
        with _claim_lock:
            if self._lock is None:
                self._lock = threading.RLock()
            self._shared = True
            for c in self._callers:
                c.disown()
        owner = self._owner
        if owner != 0 and owner != _get_ident():
            while self._owner_in_call(owner):
                time.sleep(0.0005)
        self._lock_ready = True

    def _owner_in_call(self, owner):
        """Is the owner thread running code of this program over these globals right now?

        The walk over the owner's frames runs in C when the extension is built: a walk in
        Python can be interrupted between bytecodes while the owner pops frames, and then
        ``f_back`` can hand back a freed frame. gc stays off meanwhile (a finalizer is Python
        code). Without the extension, a walk that trips over such a frame counts as "in a call"
        (the caller polls again)."""
        files = self.program.code_files
        if _hostcall is not None:
            enabled = gc.isenabled()
            gc.disable()
            try:
                return _hostcall.owner_in_call(owner, self.G, self, files, _CALL_CODES)
            finally:
                if enabled:
                    gc.enable()
        try:
            frame = sys._current_frames().get(owner)
            while frame is not None:
                code = frame.f_code
                if code in files:
                    if frame.f_locals.get("G") is self.G:
                        return True
                elif code in _CALL_CODES and frame.f_locals.get("self") is self:
                    return True
                frame = frame.f_back
        except AttributeError:
            return True
        return False

    # ------------------------------------------------------------------ globals
    @property
    def globals(self) -> list:
        """This context's globals list (slot order = the program's global slots)."""
        return self.G

    def with_globals(self, globals: list) -> "ExecutionContext":
        """A new context over ``globals`` (a list with one slot per program global, + 1)."""
        if type(globals) is not list:
            raise InvalidGlobalsError(f"globals must be a list, not {type(globals).__name__}")
        n = self.program.num_globals + 1
        if len(globals) != n:
            raise InvalidGlobalsError(f"globals must have {n} slots for this program, "
                                      f"got {len(globals)}")
        return self._sibling(globals)

    def _sibling(self, G):
        """A new context of this program over ``G`` (already validated), quickly."""
        ctx = object.__new__(ExecutionContext)
        ctx._setup(self.program, G, self._natives)
        return ctx

    def with_isolated_globals(self) -> "ExecutionContext":
        """A new context over a private copy of these globals: writes stay in it.

        Global variables are copied, and so is every array and map reachable from them
        (inside immutable containers and error values too), keeping aliasing and cycles as
        they are; closures are shared (the variables they captured are part of them).
        """
        G = _isolate(self.G)
        if self.program.count_allocs:
            G[-1] = None
        return self._sibling(G)

    def _check_slots(self):
        """Raise ``InvalidGlobalsError`` when the host resized this context's globals list."""
        n = self.program.num_globals + 1
        if len(self.G) != n:
            raise InvalidGlobalsError(f"globals must have {n} slots for this program, "
                                      f"got {len(self.G)}")

    def get(self, name: str, default: Any = _NO) -> Any:
        """The value of global ``name`` in this context (a function as a ``Closure``). A name
        the program does not define raises ``UnknownVariableError``, or gives ``default``."""
        idx = self.program.global_names.get(name)
        if idx is None:
            if default is _NO:
                raise UnknownVariableError(f"'{name}' is not a global variable of this program")
            return default
        if idx >= len(self.G):
            self._check_slots()
        v = self.G[idx]
        return Closure(v, self) if type(v) is FunctionType else v

    def set(self, name: str, value: Any) -> None:
        """Assign global ``name`` in this context (``UnknownVariableError`` when the program
        does not define it)."""
        idx = self.program.global_names.get(name)
        if idx is None:
            raise UnknownVariableError(f"'{name}' is not a global variable of this program")
        if idx >= len(self.G):
            self._check_slots()
        self.G[idx] = _arg(value, self.program)

    def __repr__(self):
        return f"<ExecutionContext globals={len(self.G) - 1}{' shared' if self._shared else ''}>"

    def __reduce__(self):
        return (_load, (payload.dump(self.program, self.G, "context"),))


def _load(blob):
    """Unpickling a context or closure (see ``payload``)."""
    return restore(payload.load(blob))


def restore(arrival: "payload.Arrival") -> Any:
    """The context (or closure) of a loaded payload, over its fresh globals."""
    ctx = ExecutionContext(arrival.program, arrival.G)
    if arrival.kind == "closure":
        return Closure(arrival.fn, ctx)
    if arrival.kind == "context":
        return ctx
    raise PayloadError(f"a {arrival.kind} payload is not a context or closure")


_SCALARS = frozenset({int, float, str, bool, bytes, type(None), Char})


def _isolate(G):
    """A copy of the globals list in which no mutable container is shared with ``G``."""
    for v in G:
        t = type(v)
        if t not in _SCALARS and t is not FunctionType:
            return _isolate_deep(G)
    return G.copy()


def _isolate_deep(G):
    memo = {}

    def cp(v):
        t = type(v)
        if t in _SCALARS or t is FunctionType:
            return v
        r = memo.get(id(v))
        if r is not None:
            return r
        if t is list or t is ImmutableArray:
            r = memo[id(v)] = t()
            r.extend(cp(x) for x in v) if t is list else list.extend(r, [cp(x) for x in v])
            return r
        if t is dict or t is ImmutableMap:
            r = memo[id(v)] = t()
            for k, x in v.items():
                dict.__setitem__(r, k, cp(x))
            return r
        if t is Error:
            r = memo[id(v)] = Error(None)
            r.value = cp(v.value)
            return r
        return v
    return [cp(v) for v in G]



_CALL_CODES = frozenset({_Link.__call__.__code__, ExecutionContext._call_py.__code__, ExecutionContext._map.__code__,
                         ExecutionContext._invoke.__code__, ExecutionContext.map.__code__, ExecutionContext._map_owned.__code__,
                         ExecutionContext._map_numpy.__code__, ExecutionContext.call_ex.__code__,
                         ExecutionContext.__call__.__code__})

try:
    from . import _hostcall
    _hostcall.configure(Closure)
    _Caller = _hostcall.Caller
except ImportError:          # the optional C extension was not built: pure-Python calls
    _hostcall = None
    _Caller = None
