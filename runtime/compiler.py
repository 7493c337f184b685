"""The one compile driver: a parsed Tengo file to a ready-to-run ``Program``.

``Script.compile``, the REPL and programs that arrive from another process (``payload``) all
compile through ``compile_program``, so the options mean the same everywhere.
"""
from __future__ import annotations

import gc
import sys
from typing import Iterator, Sequence

from .errors import CompileError, TengoError
from .interp.ast import File
from .interp.program import Program
from .interp.rt import ensure_recursion_budget
from .limits import RunLimits
from .ops import iterate_watched
from .jit import background_by_default, default_threshold, installable as jit_installable
from .jit import dispatch as jit_dispatch
from .jit.cache import NativeCache


def compile_program(file: File, modules: dict, *, predefined: Sequence[str] = (),
                    count_allocs: bool = False, profile: bool = False, jit: bool = False,
                    jit_threshold: int | None = None,
                    counter: Iterator[int] | None = None,
                    jit_background: bool | None = None, origin: dict | None = None,
                    run_limits: RunLimits | None = None,
                    native_cache: NativeCache | None = None) -> Program:
    """The one compile driver (``Script.compile`` and the REPL): a parsed ``file`` to a
    ``Program`` whose main function is ready to run. The JIT takes part when ``jit`` is true
    and llvmlite works here; ``counter`` continues the function numbering of an earlier
    program (the REPL's inputs); ``origin`` records what the program is compiled from for
    programs that travel (``payload.origin``); ``run_limits`` the script's own size limits
    (``limits.RunLimits``, pushed by the host API's entries); ``native_cache`` the JIT's
    on-disk cache of object code (``jit.cache.NativeCache``) or None. Errors are Tengo's ``CompileError``s, never
    Python's."""
    installer = jit_dispatch.install if jit and jit_installable() else None
    threshold = default_threshold() if jit_threshold is None else jit_threshold
    background = background_by_default() if jit_background is None else jit_background
    program = Program(modules, count_allocs=count_allocs, profile=profile or installer is not None,
                      jit=installer, jit_threshold=threshold, counter=counter,
                      jit_background=background, origin=origin, run_limits=run_limits,
                      native_cache=native_cache if installer is not None else None)
    # code generation recurses over the AST: deep expressions need room beyond this caller's
    # depth while compiling (the limit is restored after)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _stack_depth() + 8000))
    # code generation makes many small objects and frees none of them until it ends: the
    # cycle collector would walk them again and again (about 40% of a large compile)
    collecting = gc.isenabled()
    gc.disable()
    if _may_splice(file, modules):
        # an array can shrink under a loop: loops iterate as the reference does (ops)
        program.ns["_iter"] = iterate_watched
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
        if collecting:
            gc.enable()
    ensure_recursion_budget()
    return program


def _may_splice(file: File, modules: dict) -> bool:
    """Can the program call ``splice`` (the one operation that shrinks an array in place)? Its
    source or a source module's mentions the name (a conservative test: a comment counts)."""
    sources = [file.source] + [m for m in modules.values() if isinstance(m, (str, bytes))]
    return any((b"splice" if isinstance(src, bytes) else "splice") in src for src in sources)


def _stack_depth():
    f, n = sys._getframe(), 0
    while f is not None:
        n += 1
        f = f.f_back
    return n
