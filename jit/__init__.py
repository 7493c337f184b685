"""The llvmlite JIT tier: profile-guided native compilation of hot Tengo functions and loops.

Stages (each a module): ``infer`` (types from the values seen) → ``lower`` (LLVM IR cores) →
``wrapper`` (METH_FASTCALL entries) → ``engine`` (one MCJIT engine) → ``dispatch`` (install,
stats). The native ABI is documented in ``callconv``. Importing this package loads nothing;
llvmlite is imported when the first function is compiled (or ``available()`` is asked).

Configuration: ``Script(src, jit=True, jit_threshold=N, jit_background=True)``; environment
``TENGOJIT_JIT=0|1`` (default for ``Script(jit=None)``), ``TENGOJIT_THRESHOLD`` and
``TENGOJIT_JIT_BACKGROUND=0|1`` (compile on a worker thread while the script runs on; the
default for ``Script(jit_background=None)``).
"""
from __future__ import annotations

import importlib.util
import os
from typing import Any

from . import background, dispatch

try:
    from .. import _hostcall
except ImportError:             # the optional C extension was not built: no native code
    _hostcall = None

# Calls before a function is compiled: chosen from what benchmarks/threshold.py measures
# (docs/jit.md, "The default threshold, and the measurement behind it"): functions with real loops get native early, code
# called a few hundred times is never compiled; hosts dominated by many small functions can
# raise it (TENGOJIT_THRESHOLD).
DEFAULT_THRESHOLD = 1000

_available = None


def available() -> bool:
    """True when llvmlite imports and this CPython's object layout is the one the JIT knows."""
    global _available
    if _available is None:
        try:
            from .engine import engine      # llvmlite: loaded only when the JIT is asked for
            engine()
            _available = True
        except Exception:
            _available = False
    return _available


def installable() -> bool:
    """Can a program be compiled with the JIT's hooks? Cheap: llvmlite is installed and the
    C extension built (``available()``, once asked, decides for sure). LLVM itself starts on
    the first compile, so a script that never gets hot never pays for it; should it fail
    there, the functions are refused and run on the baseline tier."""
    if _available is not None:
        return _available
    return _hostcall is not None and importlib.util.find_spec("llvmlite") is not None


def enabled_by_default() -> bool:
    """On, unless ``TENGOJIT_JIT`` is ``0``, ``false``, ``no`` or ``off``."""
    return os.environ.get("TENGOJIT_JIT", "1").strip().lower() not in ("0", "false", "no", "off")


def background_by_default(default: bool | str = True) -> bool | str:
    """``TENGOJIT_JIT_BACKGROUND``: False for ``0``, ``false``, ``no`` or ``off``; ``"auto"``
    for ``auto`` (see ``dispatch.background_compiles``); True for any other value; ``default``
    when it is not set."""
    v = os.environ.get("TENGOJIT_JIT_BACKGROUND")
    if v is None:
        return default
    v = v.strip().lower()
    if v in ("0", "false", "no", "off"):
        return False
    return "auto" if v == "auto" else True


def wait(timeout: float | None = None) -> bool:
    """Wait until the background compiler has installed (or refused) everything handed to it
    so far; False if ``timeout`` seconds passed first."""
    return background.drain(timeout)


def compiles_pending() -> int:
    """Compiles queued or under way on the background compiler."""
    return background.pending()


def default_threshold() -> int:
    try:
        return max(0, int(os.environ.get("TENGOJIT_THRESHOLD", DEFAULT_THRESHOLD)))
    except ValueError:
        return DEFAULT_THRESHOLD


def stats(program: Any = None) -> list[dict]:
    """One dict per function/loop the JIT has seen: name, kind, calls, state (``compiled`` /
    ``not eligible`` / ``failed`` / ``profiling`` / ``queued``: with the background
    compiler), reason, signature, compile_ms (IR printing plus LLVM's time, or the native code cache's),
    cached (modules linked from that cache instead of compiled), code_bytes,
    deopts (entries whose checks failed and ran on the baseline tier)."""
    return dispatch.stats(program)
