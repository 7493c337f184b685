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

from datetime import date, datetime, timezone

from .errors import CompileError, ConversionError, IntOverflowError, TengoError
from .values import (Char, Error, ImmutableArray, ImmutableMap, UserFunction, INT64_MAX,
                     INT64_MIN, FUNCTION_TYPE)


def from_python(v, _depth=0):
    """Convert a host value to a Tengo value (Tengo's conversion table, Python edition)."""
    t = type(v)
    if v is None or t is bool or t is float or t is str or t is bytes or t is Char or t is Error:
        return v
    if t is int:
        if not INT64_MIN <= v <= INT64_MAX:
            raise IntOverflowError(f"int {v} does not fit Tengo's int64")
        return v
    if _depth > 1000:
        raise ValueError("value nested too deeply (cyclic?)")
    if t is list or t is tuple:
        return [from_python(x, _depth + 1) for x in v]
    if t is ImmutableArray:
        return ImmutableArray(from_python(x, _depth + 1) for x in v)
    if t is dict or t is ImmutableMap:
        out = {}
        for k, x in v.items():
            if type(k) is not str:
                raise ConversionError(f"map keys must be str, not {type(k).__name__}")
            out[k] = from_python(x, _depth + 1)
        return out if t is dict else ImmutableMap(out)
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return from_python(int(v))
    if isinstance(v, float):
        return float(v)
    if hasattr(v, "__index__") and not hasattr(v, "__len__"):     # numpy integers & co.
        return from_python(int(v.__index__()))
    if hasattr(v, "__float__") and type(v).__module__ == "numpy":  # numpy floats
        return float(v)
    if type(v).__module__ == "numpy" and type(v).__name__ == "bool_":
        return bool(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=timezone.utc)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=timezone.utc)
    if t is FUNCTION_TYPE:
        # a plain Python function from the host (compiled Tengo functions arrive as Closures)
        from .values import HostFunction
        return HostFunction(getattr(v, "__name__", "host"), v)
    if t.__name__ == "Closure" and t.__module__.endswith("context"):
        # a closure of another compiled script: callable here as a host function that runs
        # in its own context (its own program and globals)
        from .values import HostFunction
        return HostFunction(v.name or "closure", v)
    if isinstance(v, UserFunction):
        return v
    if callable(v):
        from .values import HostFunction
        return HostFunction(getattr(v, "__name__", "host"), v)
    raise ConversionError(f"cannot convert {t.__name__} to a Tengo value")


def to_python(v):
    """Tengo value → host value. Values are Python-native already; this is the identity."""
    return v


class Script:
    """A Tengo script before compilation: source, predefined variables, importable modules."""

    def __init__(self, src, name: str = "(main)", modules=None, jit=None,
                 jit_threshold=None, profile: bool = False):
        self.src = src
        self.name = name
        self._vars = {}
        self._modules = dict(modules or {})
        self._max_allocs = -1
        from .jit import enabled_by_default, default_threshold
        self.jit = enabled_by_default() if jit is None else bool(jit)
        self.jit_threshold = default_threshold() if jit_threshold is None else max(0, int(jit_threshold))
        self.profile = profile or self.jit

    def add(self, name: str, value):
        """Predefine global ``name`` (replacing an earlier add of the same name)."""
        self._vars[name] = from_python(value)
        return self

    def remove(self, name: str) -> bool:
        return self._vars.pop(name, _MISSING) is not _MISSING

    def set_imports(self, modules):
        """Importable modules: name → Tengo source (str/bytes) or attribute dict (builtin)."""
        self._modules = dict(modules or {})
        return self

    def set_max_allocs(self, n: int):
        self._max_allocs = n
        return self

    def compile(self) -> "Compiled":
        from .interp.parser import parse
        from .interp.program import Program
        from .interp.rt import ensure_recursion_budget
        file = parse(self.src, self.name)
        jit = self.jit
        if jit:
            from .jit import available
            jit = available()
        program = Program(self._modules, count_allocs=self._max_allocs >= 0, profile=self.profile,
                          jit=jit, jit_threshold=self.jit_threshold)
        import sys
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, _stack_depth() + 8000))
        try:
            program.compile_main(file, predefined=list(self._vars))
        except TengoError:
            raise
        except RecursionError:
            raise CompileError("expression nested too deeply", self.name, 1, 1) from None
        except (ValueError, SyntaxError, MemoryError) as e:   # from Python's own compile()
            raise CompileError(f"cannot compile: {e}", self.name, 1, 1) from None
        finally:
            sys.setrecursionlimit(old_limit)
        ensure_recursion_budget()
        # one spare slot at the end: the allocation budget when max_allocs is set
        G = [None] * (program.num_globals + 1)
        for i, v in enumerate(self._vars.values()):
            G[i] = v
        return Compiled(program, G, self._max_allocs)


_MISSING = object()


def _stack_depth():
    import sys
    f, n = sys._getframe(), 0
    while f is not None:
        n += 1
        f = f.f_back
    return n


class Compiled:
    """A compiled script: the shared Program plus this instance's globals."""

    def __init__(self, program, G, max_allocs=-1):
        self.program = program
        self.G = G
        self.max_allocs = max_allocs
        self._ctx = None

    def context(self):
        """The ExecutionContext over this compiled script's globals (one per Compiled)."""
        ctx = self._ctx
        if ctx is None:
            ctx = self._ctx = ExecutionContext(self)
        return ctx

    def run(self):
        if self.program.count_allocs:
            self.G[-1] = [self.max_allocs + 1]
        try:
            self.program.main(self.G)
        except TengoError:
            raise
        except BaseException as e:   # noqa: BLE001 - every failure becomes a Tengo error
            if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            from .interp.rt import translate_error      # only on the error path: an import
            raise translate_error(e, self.program) from None    # statement costs ~0.5 µs
        return self

    def _index(self, name):
        idx = self.program.global_names.get(name)
        if idx is None:
            raise KeyError(f"'{name}' is not defined")
        return idx

    def get(self, name: str):
        """The value of global ``name``; ``None`` (undefined) when no such variable exists."""
        idx = self.program.global_names.get(name)
        return None if idx is None else self._out(self.G[idx])

    def _out(self, v):
        if type(v) is FUNCTION_TYPE:
            return Closure(v, self.context())
        return v

    def set(self, name: str, value):
        if type(value) is Closure:
            if value.program is not self.program:
                raise ForeignClosureError("closure belongs to another program")
            self.G[self._index(name)] = value.fn
            return
        self.G[self._index(name)] = from_python(value)

    def is_defined(self, name: str) -> bool:
        idx = self.program.global_names.get(name)
        return idx is not None and self.G[idx] is not None

    def get_all(self) -> dict:
        return {n: self._out(self.G[i]) for n, i in self.program.global_names.items()}

    def clone(self) -> "Compiled":
        return Compiled(self.program, list(self.G), self.max_allocs)


# imported last: context.py reaches back into this module (lazily) for from_python; function-level
# imports cost ~0.5 µs per call, which would dominate run()/get()/set()
from .context import Closure, ExecutionContext, ForeignClosureError  # noqa: E402
