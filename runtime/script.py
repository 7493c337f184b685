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

import sys
from typing import Any, Iterator, Sequence

from .context import Closure, ExecutionContext, ForeignClosureError
from .errors import CompileError, TengoError
from .interp.ast import File
from .interp.parser import parse
from .interp.program import Program
from .interp.rt import ensure_recursion_budget, translate_error
from .jit import (available as jit_available, background_by_default, default_threshold,
                  enabled_by_default)
from .jit import dispatch as jit_dispatch
from .values import FUNCTION_TYPE, from_python, to_python  # noqa: F401 - public here too


class Script:
    """A Tengo script before compilation: source, predefined variables, importable modules."""

    def __init__(self, src: str | bytes, name: str = "(main)", modules: dict | None = None,
                 jit: bool | None = None, jit_threshold: int | None = None,
                 profile: bool = False, jit_background: bool | None = None) -> None:
        self.src = src
        self.name = name
        self._vars = {}
        self._modules = dict(modules or {})
        self._max_allocs = -1
        self.jit = enabled_by_default() if jit is None else bool(jit)
        self.jit_threshold = default_threshold() if jit_threshold is None else max(0, int(jit_threshold))
        self.profile = profile or self.jit
        self.jit_background = (background_by_default() if jit_background is None
                               else bool(jit_background))

    def add(self, name: str, value: Any) -> "Script":
        """Predefine global ``name`` (replacing an earlier add of the same name)."""
        self._vars[name] = from_python(value)
        return self

    def remove(self, name: str) -> bool:
        return self._vars.pop(name, _MISSING) is not _MISSING

    def set_imports(self, modules: dict | None) -> "Script":
        """Importable modules: name → Tengo source (str/bytes) or attribute dict (builtin)."""
        self._modules = dict(modules or {})
        return self

    def set_max_allocs(self, n: int) -> "Script":
        self._max_allocs = n
        return self

    def compile(self) -> "Compiled":
        file = parse(self.src, self.name)
        program = compile_program(file, self._modules, predefined=list(self._vars),
                                  count_allocs=self._max_allocs >= 0, profile=self.profile,
                                  jit=self.jit, jit_threshold=self.jit_threshold,
                                  jit_background=self.jit_background)
        # one spare slot at the end: the allocation budget when max_allocs is set
        G = [None] * (program.num_globals + 1)
        for i, v in enumerate(self._vars.values()):
            G[i] = v
        return Compiled(program, G, self._max_allocs)


def compile_program(file: File, modules: dict, *, predefined: Sequence[str] = (),
                    count_allocs: bool = False, profile: bool = False, jit: bool = False,
                    jit_threshold: int | None = None,
                    counter: Iterator[int] | None = None,
                    jit_background: bool | None = None) -> Program:
    """The one compile driver (``Script.compile`` and the REPL): a parsed ``file`` to a
    ``Program`` whose main function is ready to run. The JIT takes part when ``jit`` is true
    and llvmlite works here; ``counter`` continues the function numbering of an earlier
    program (the REPL's inputs). Errors are Tengo's ``CompileError``s, never Python's."""
    installer = jit_dispatch.install if jit and jit_available() else None
    threshold = default_threshold() if jit_threshold is None else jit_threshold
    background = background_by_default() if jit_background is None else jit_background
    program = Program(modules, count_allocs=count_allocs, profile=profile or installer is not None,
                      jit=installer, jit_threshold=threshold, counter=counter,
                      jit_background=background)
    # code generation recurses over the AST: deep expressions need room beyond this caller's
    # depth while compiling (the limit is restored after)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _stack_depth() + 8000))
    try:
        program.compile_main(file, predefined=list(predefined))
    except TengoError:
        raise
    except RecursionError:
        raise CompileError("expression nested too deeply", file.name, 1, 1) from None
    except (ValueError, SyntaxError, MemoryError) as e:   # from Python's own compile()
        raise CompileError(f"cannot compile: {e}", file.name, 1, 1) from None
    finally:
        sys.setrecursionlimit(old_limit)
    ensure_recursion_budget()
    return program


_MISSING = object()


def _stack_depth():
    f, n = sys._getframe(), 0
    while f is not None:
        n += 1
        f = f.f_back
    return n


class Compiled:
    """A compiled script: the shared Program plus this instance's globals."""

    def __init__(self, program: Program, G: list, max_allocs: int = -1) -> None:
        self.program = program
        self.G = G
        self.max_allocs = max_allocs
        self._ctx = None

    def context(self) -> ExecutionContext:
        """The ExecutionContext over this compiled script's globals (one per Compiled)."""
        ctx = self._ctx
        if ctx is None:
            ctx = self._ctx = ExecutionContext(self)
        return ctx

    def run(self) -> "Compiled":
        if self.program.count_allocs:
            self.G[-1] = [self.max_allocs + 1]
        try:
            self.program.main(self.G)
        except TengoError:
            raise
        except BaseException as e:   # noqa: BLE001 - every failure becomes a Tengo error
            if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            raise translate_error(e, self.program) from None
        return self

    def _index(self, name):
        idx = self.program.global_names.get(name)
        if idx is None:
            raise KeyError(f"'{name}' is not defined")
        return idx

    def get(self, name: str) -> Any:
        """The value of global ``name``; ``None`` (undefined) when no such variable exists."""
        idx = self.program.global_names.get(name)
        return None if idx is None else self._out(self.G[idx])

    def _out(self, v):
        if type(v) is FUNCTION_TYPE:
            return Closure(v, self.context())
        return v

    def set(self, name: str, value: Any) -> None:
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
