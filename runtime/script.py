"""Script and Compiled: Tengo's embedding API in Python form (stage 6).

    s = Script("out := a * 2", name="(main)")
    s.add("a", 21)
    c = s.compile()          # ParseError / CompileError
    c.run()                  # TengoRuntimeError
    c.get("out")             # 42

Values cross the boundary as Python-native values (see ``values.py``); ``from_python``
converts host values (tuples → arrays, bytearray → bytes, callables → UserFunction, …) and
rejects what Tengo cannot hold with a ``TypeError`` naming the value's type.
"""
from __future__ import annotations

import threading
from array import array
from typing import Any

from . import interrupts, limits, payload
from .compiler import compile_program
from .context import Closure, ExecutionContext, ForeignClosureError, _isolate, restore as _restore_context
from .errors import OptionError, PayloadError, TengoError, UnknownVariableError
from .interp import ast as A
from .interp.parser import parse
from .interp.program import Program
from .interp.rt import translate_error
from .limits import NO_LIMIT, RunLimits
from .jit import background_by_default, default_threshold, enabled_by_default
from .jit.cache import resolve as resolve_cache
from .stdlib import lazy_module_map
from .values import FUNCTION_TYPE, UserFunction, from_python, to_python  # noqa: F401 - public here too


class Script:
    """A Tengo script before compilation: source, predefined variables, importable modules.

    ``modules``: what ``import(name)`` finds. None (the default) is the standard library
    without ``os`` (each module loaded on its first import); a dict is exactly those modules
    (``{**stdlib.get_module_map(), "mine": {...}}`` adds one; ``{}`` allows none).
    ``jit``/``jit_threshold``/``jit_background``: the JIT tier (on by default where llvmlite
    works); ``profile``: count calls per function (``program.call_counts``).
    ``cache``: keep the JIT's native code on disk and reuse it in later processes — False
    (the default), True (the default directory, ``jit.cache.default_directory()``), a
    directory, or a ``tengojit.jit.cache.NativeCache`` (directory and size bound).
    """

    def __init__(self, src: str | bytes, name: str = "(main)", modules: dict | None = None,
                 jit: bool | None = None, jit_threshold: int | None = None,
                 profile: bool = False, jit_background: bool | None = None,
                 cache: Any = False) -> None:
        if not isinstance(src, (str, bytes)):
            raise OptionError(f"a script's source is str or bytes, not {type(src).__name__}")
        if not isinstance(name, str):
            raise OptionError(f"name must be a str, not {type(name).__name__}")
        if modules is not None and not isinstance(modules, dict):
            raise OptionError(f"modules must be a dict, not {type(modules).__name__}")
        if jit_threshold is not None and (type(jit_threshold) is not int or jit_threshold < 0):
            raise OptionError(f"jit_threshold must be an int ≥ 0, not {jit_threshold!r}")
        self.src = src
        self.name = name
        self._vars = {}
        self._modules = lazy_module_map() if modules is None else dict(modules)
        self._max_allocs = -1
        self._run_limits = None
        self.jit = enabled_by_default() if jit is None else bool(jit)
        self.jit_threshold = default_threshold() if jit_threshold is None else jit_threshold
        self.profile = profile or self.jit
        self.jit_background = (background_by_default() if jit_background is None
                               else jit_background if jit_background == "auto"
                               else bool(jit_background))
        try:
            self.native_cache = resolve_cache(cache)
        except (TypeError, ValueError) as e:
            raise OptionError(str(e)) from None

    def add(self, name: str, value: Any) -> "Script":
        """Predefine global ``name`` (replacing an earlier add of the same name); the value
        is converted by ``from_python`` (``ConversionError`` for what Tengo cannot hold)."""
        if not isinstance(name, str):
            raise OptionError(f"a variable name is a str, not {type(name).__name__}")
        self._vars[name] = from_python(value)
        return self

    def remove(self, name: str) -> bool:
        """Forget a predefined variable; True if there was one."""
        return self._vars.pop(name, _MISSING) is not _MISSING

    def set_imports(self, modules: dict | None) -> "Script":
        """Replace the importable modules: name → Tengo source (str/bytes), attribute dict
        (builtin) or stdlib module (``stdlib.get_module_map``/``lazy_module_map``); None or
        ``{}``: nothing is importable."""
        if modules is not None and not isinstance(modules, dict):
            raise OptionError(f"modules must be a dict, not {type(modules).__name__}")
        self._modules = dict(modules or {})
        return self

    def set_max_allocs(self, n: int) -> "Script":
        """Limit the allocations of one run to ``n`` (Tengo's ``SetMaxAllocs``; -1: none)."""
        if type(n) is not int:
            raise OptionError(f"max_allocs must be an int, not {type(n).__name__}")
        self._max_allocs = n
        return self

    def set_limits(self, *, max_string_len: int | None = None, max_bytes_len: int | None = None,
                   max_array_len: int | None = None,
                   max_map_len: int | None = None) -> "Script":
        """Size limits of this script's runs, stricter than the process-wide ``limits``
        (None: no limit of its own). Past them a run fails with Tengo's ``exceeding string
        size limit`` / ``exceeding bytes size limit``, ``exceeding array size limit``
        (arrays built by ``+``, ``append``, ``splice`` and ``range``), or ``exceeding map size
        limit`` (a new key assigned to a map that has ``max_map_len`` keys). Host calls of a
        script with limits take the Python path (each call pushes them)."""
        values = {}
        for name, v in (("max_string_len", max_string_len), ("max_bytes_len", max_bytes_len),
                        ("max_array_len", max_array_len), ("max_map_len", max_map_len)):
            if v is not None and (type(v) is not int or v < 0):
                raise OptionError(f"{name} must be an int ≥ 0 or None, not {v!r}")
            values[name] = NO_LIMIT if v is None else v
        self._run_limits = (None if all(v == NO_LIMIT for v in values.values()) else
                            RunLimits(values["max_string_len"], values["max_bytes_len"],
                                      values["max_array_len"], values["max_map_len"]))
        return self

    def compile(self) -> "Compiled":
        """Parse and compile: ``ParseError`` / ``CompileError`` on bad source."""
        return self._compile_file(parse(self.src, self.name), travels=True)

    def _compile_file(self, file, travels):
        """Compile a parsed ``file`` (the source's, or a rewritten one: then ``travels`` is
        False, as the source would not give the same program elsewhere)."""
        options = dict(count_allocs=self._max_allocs >= 0, profile=self.profile, jit=self.jit,
                       jit_threshold=self.jit_threshold, jit_background=self.jit_background,
                       run_limits=self._run_limits)
        origin = (payload.origin(self.src, self.name, self._modules, list(self._vars), **options)
                  if travels else None)
        program = compile_program(file, self._modules, predefined=list(self._vars),
                                  origin=origin, native_cache=self.native_cache, **options)
        # one spare slot at the end: the allocation budget when max_allocs is set
        G = [None] * (program.num_globals + 1)
        for i, v in enumerate(self._vars.values()):
            G[i] = v
        return Compiled(program, G, self._max_allocs)


_EVAL_RESULT = "__eval_result__"


def eval(src: str | bytes, /, **globals: Any) -> Any:  # noqa: A001 - tengojit.eval, by design
    """Run ``src`` as a script with ``globals`` predefined (converted by ``from_python``) and
    return the value of its final expression statement, as the REPL would print it (None when
    the script ends with another kind of statement):

        tengojit.eval("a * 2 + 1", a=20) == 41
        tengojit.eval('text := import("text"); text.to_upper(s)', s="hi") == "HI"

    The standard library (without ``os``) is importable; errors are ``TengoError``s."""
    script = Script(src)
    for name, value in globals.items():
        script.add(name, value)
    results = []
    script.add(_EVAL_RESULT, UserFunction("eval_result", results.append))
    file = parse(src, script.name)
    if file.stmts and isinstance(file.stmts[-1], A.ExprStmt):
        last = file.stmts[-1]
        file.stmts[-1] = A.ExprStmt(last.pos, A.CallExpr(last.pos, A.Ident(last.pos, _EVAL_RESULT),
                                                         [last.expr]))
    compiled = script._compile_file(file, travels=False)
    compiled.run()
    return compiled._out(results[-1]) if results else None


_MISSING = object()


class Compiled:
    """A compiled script: the shared Program plus this instance's globals.

    A Compiled pickles (and ``dumps``) as its source, options and the values of its globals —
    never code — so it can be sent to another process (see ``payload``); there it is compiled
    again, once per process.
    """

    def __init__(self, program: Program, G: list, max_allocs: int = -1) -> None:
        self.program = program
        self.G = G
        self.max_allocs = max_allocs
        self._ctx = None
        self._run_lock = threading.RLock()

    def context(self) -> ExecutionContext:
        """The ExecutionContext over this compiled script's globals (one per Compiled)."""
        ctx = self._ctx
        if ctx is None:
            ctx = self._ctx = ExecutionContext(self)
        return ctx

    def run(self, *, timeout: float | None = None,
            cancel: "interrupts.CancelToken | None" = None) -> "Compiled":
        """Run the script's top level over this instance's globals (``TengoRuntimeError``).

        ``timeout`` (seconds) stops the run with ``ScriptTimeout``, a cancelled ``cancel``
        token with ``ScriptCancelled``, at the script's next loop iteration or function entry
        (both tiers). Runs of one Compiled are serialised: a second thread's ``run`` waits."""
        with self._run_lock:
            guard = (interrupts.enter(self.program.ns, timeout, cancel)
                     if timeout is not None or cancel is not None else None)
            lim = self.program.run_limits
            if lim is not None:
                limits.enter(lim)
            try:
                if self.program.count_allocs:
                    # the budget, where generated and native code decrement it in place
                    self.G[-1] = array("q", [self.max_allocs + 1])
                self.program.main(self.G)
            except TengoError:
                raise
            except BaseException as e:   # noqa: BLE001 - every failure becomes a Tengo error
                if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                    raise
                raise translate_error(e, self.program)
            finally:
                if lim is not None:
                    limits.leave()
                if guard is not None:
                    interrupts.leave(guard)
        return self

    def _index(self, name):
        idx = self.program.global_names.get(name)
        if idx is None:
            raise UnknownVariableError(f"'{name}' is not a global variable of this script")
        return idx

    def get(self, name: str, default: Any = _MISSING) -> Any:
        """The value of global ``name`` (a function as a ``Closure``). A name the script does
        not define raises ``UnknownVariableError``, or gives ``default`` when one is passed."""
        idx = self.program.global_names.get(name)
        if idx is None:
            if default is _MISSING:
                self._index(name)
            return default
        return self._out(self.G[idx])

    def _out(self, v):
        if type(v) is FUNCTION_TYPE:
            return Closure(v, self.context())
        return v

    def set(self, name: str, value: Any) -> None:
        """Assign global ``name`` (converted by ``from_python``; a Closure of this program
        as itself). ``UnknownVariableError`` when the script does not define ``name``."""
        if type(value) is Closure:
            if value.program is not self.program:
                raise ForeignClosureError("closure belongs to another program")
            self.G[self._index(name)] = value.fn
            return
        self.G[self._index(name)] = from_python(value)

    def is_defined(self, name: str) -> bool:
        """Does the script define ``name``, holding a value other than undefined?"""
        idx = self.program.global_names.get(name)
        return idx is not None and self.G[idx] is not None

    def get_all(self) -> dict:
        """``{name: value}`` of every global variable (functions as Closures)."""
        return {n: self._out(self.G[i]) for n, i in self.program.global_names.items()}

    def clone(self) -> "Compiled":
        """A Compiled over the same program with a deep copy of the globals (as Tengo's
        ``Clone``: arrays and maps are copied, sharing and cycles kept; functions shared), so
        running either never changes the other's values."""
        return Compiled(self.program, _isolate(self.G), self.max_allocs)

    def __reduce__(self):
        return (loads, (dumps(self),))


def dumps(obj: Any) -> bytes:
    """``obj`` (a ``Compiled``, ``ExecutionContext`` or ``Closure``) as a data-only payload:
    source, options and the values of the globals. ``PayloadError`` for what cannot travel."""
    if type(obj) is Compiled:
        return payload.dump(obj.program, obj.G, "compiled", max_allocs=obj.max_allocs)
    if type(obj) is ExecutionContext:
        return payload.dump(obj.program, obj.G, "context")
    if type(obj) is Closure:
        return payload.dump(obj.program, obj.ctx.G, "closure", fn=obj.fn)
    raise PayloadError(f"only a Compiled, an ExecutionContext or a Closure can travel, "
                       f"not {type(obj).__name__}")


def loads(blob: bytes) -> Any:
    """The ``Compiled``, ``ExecutionContext`` or ``Closure`` of a payload from ``dumps`` (or
    from pickling one), over a fresh copy of its globals; the program is compiled once per
    process. Payloads are data only: loading one never runs Python code it names."""
    arrival = payload.load(blob)
    if arrival.kind == "compiled":
        return Compiled(arrival.program, arrival.G, arrival.max_allocs)
    return _restore_context(arrival)
