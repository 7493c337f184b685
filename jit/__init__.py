"""The llvmlite JIT tier: profile-guided native compilation of hot Tengo functions and loops.

Stages (each a module): ``infer`` (types from the values seen) → ``lower`` (LLVM IR cores) →
``wrapper`` (METH_FASTCALL entries) → ``engine`` (one MCJIT engine) → ``dispatch`` (install,
stats). The native ABI is documented in ``callconv``. Importing this package loads nothing;
llvmlite is imported when the first function is compiled (or ``available()`` is asked).

Configuration: ``Script(src, jit=True, jit_threshold=N)``; environment ``TENGOJIT_JIT=0|1``
(default for ``Script(jit=None)``) and ``TENGOJIT_THRESHOLD``.
"""
from __future__ import annotations

import os
from typing import Any

from . import dispatch

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


def enabled_by_default() -> bool:
    """On, unless ``TENGOJIT_JIT`` is ``0``, ``false``, ``no`` or ``off``."""
    return os.environ.get("TENGOJIT_JIT", "1").strip().lower() not in ("0", "false", "no", "off")


def default_threshold() -> int:
    try:
        return max(0, int(os.environ.get("TENGOJIT_THRESHOLD", DEFAULT_THRESHOLD)))
    except ValueError:
        return DEFAULT_THRESHOLD


def stats(program: Any = None) -> list[dict]:
    """One dict per function/loop the JIT has seen: name, kind, calls, state (``compiled`` /
    ``not eligible`` / ``failed`` / ``profiling``), reason, signature, compile_ms, code_bytes,
    deopts (entries whose checks failed and ran on the baseline tier)."""
    return dispatch.stats(program)
