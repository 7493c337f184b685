"""Size limits of values built at run time.

Process-wide, as Tengo's package-level ``MaxStringLen`` and ``MaxBytesLen``: strings and bytes
values built by the runtime (concatenation, ``format``, ``bytes(n)``, stdlib functions) longer
than ``MAX_STRING_LEN`` / ``MAX_BYTES_LEN`` raise ``OpError("exceeding string size limit")`` /
``OpError("exceeding bytes size limit")``.

Per script (``Script.set_limits``): a run of a script with limits of its own pushes them for its
thread (``enter``/``leave``, by the host API's entries); the check sites ask ``string_limit()``,
``bytes_limit()``, ``array_limit()`` and ``map_limit()``, which give the strictest limit in force for the calling
thread. While no run with limits is in progress anywhere (``RUN_LIMITS == 0``), they return the
process-wide values at the cost of one global read.
"""
from __future__ import annotations

import threading
from typing import NamedTuple

MAX_STRING_LEN = 2147483647
MAX_BYTES_LEN = 2147483647
NO_LIMIT = 1 << 62

#: runs in progress (any thread) with limits of their own; 0: only the process-wide ones apply
RUN_LIMITS = 0

_stacks: dict = {}                    # thread ident -> [RunLimits, ...]
_lock = threading.Lock()
_get_ident = threading.get_ident


class RunLimits(NamedTuple):
    """A script's own limits (``NO_LIMIT`` where it sets none)."""
    string: int = NO_LIMIT
    bytes: int = NO_LIMIT
    array: int = NO_LIMIT
    map: int = NO_LIMIT


def enter(limits: RunLimits) -> None:
    """The calling thread starts a run under ``limits`` (pair with ``leave``)."""
    global RUN_LIMITS
    with _lock:
        _stacks.setdefault(_get_ident(), []).append(limits)
        RUN_LIMITS += 1


def leave() -> None:
    """The calling thread's innermost run with limits has ended."""
    global RUN_LIMITS
    with _lock:
        ident = _get_ident()
        stack = _stacks.get(ident)
        if stack:
            stack.pop()
            if not stack:
                del _stacks[ident]
            RUN_LIMITS -= 1


def _strictest(field: int) -> int:
    stack = _stacks.get(_get_ident())
    return min(lim[field] for lim in stack) if stack else NO_LIMIT


def string_limit() -> int:
    """The longest string (bytes of UTF-8) the calling thread's run may build."""
    if not RUN_LIMITS:
        return MAX_STRING_LEN
    return min(MAX_STRING_LEN, _strictest(0))


def bytes_limit() -> int:
    """The longest bytes value the calling thread's run may build."""
    if not RUN_LIMITS:
        return MAX_BYTES_LEN
    return min(MAX_BYTES_LEN, _strictest(1))


def array_limit() -> int:
    """The most elements an array the calling thread's run builds may have."""
    if not RUN_LIMITS:
        return NO_LIMIT
    return _strictest(2)


def map_limit() -> int:
    """The most keys a map the calling thread's run grows may have."""
    if not RUN_LIMITS:
        return NO_LIMIT
    return _strictest(3)
