"""Deadlines and cancellation of running scripts, on both tiers.

A host call made with ``timeout=`` or ``cancel=`` (``Compiled.run``, ``ExecutionContext.call``,
``map``) runs under a *guard*: the calling thread, the program's namespace, a deadline and a
``CancelToken``. A guard becomes *due* when its token is cancelled or its deadline passes; the
script then stops at its next check point with ``ScriptCancelled`` / ``ScriptTimeout`` (a
``TengoRuntimeError`` with the script position), and the context stays usable.

Check points:

- the baseline tier tests ``_STOP``, a name in the program's namespace, at every loop
  iteration and the entry of every function that calls out (``if _STOP: _stop(G)``; a leaf
  function cannot recurse, its loops check): one global load while it is False. A due
  guard sets it in its program's namespace until the guarded call has left;
- native code tests a process-wide flag (``_hostcall``) at the same places and polls when it is
  set: a C ticker thread sets it every 5 ms while native code runs (the poll also hands the GIL
  to other threads and runs signal handlers, so Ctrl-C reaches native loops), and a due guard
  sets it at once.

Both end in ``check``, which raises for the calling thread's due guards only. Host functions are
not interrupted: a script stops at its first check point after the host function returns.
Deadlines are kept by one watchdog thread (started on the first deadline).
"""
from __future__ import annotations

import heapq
import threading
import time

from .errors import OpError, OptionError, ScriptCancelled, ScriptTimeout

try:
    from . import _hostcall
except ImportError:            # no C extension: no native code either
    _hostcall = None

MSG_TIMEOUT = "context deadline exceeded"     # Go's context.DeadlineExceeded
MSG_CANCELLED = "context canceled"            # Go's context.Canceled


class StopRequest(OpError):
    """Internal: raised at a check point of a thread whose guard is due; the runtime turns it
    into ``public_class`` (``ScriptTimeout`` or ``ScriptCancelled``) with the script position."""

    def __init__(self, message: str, public_class: type) -> None:
        super().__init__(message)
        self.public_class = public_class


class CancelToken:
    """Stops the runs it is passed to (``run(cancel=token)``, ``ctx.call(f, cancel=token)``)
    from any thread: ``token.cancel()``. Like Go's ``context.Context``, a cancelled token stays
    cancelled: a run started with it stops at its first check point."""

    __slots__ = ("_cancelled", "__weakref__")

    def __init__(self) -> None:
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        """Has ``cancel()`` been called?"""
        return self._cancelled

    def cancel(self) -> None:
        """Stop every run using this token (they raise ``ScriptCancelled``); idempotent."""
        with _lock:
            if self._cancelled:
                return
            self._cancelled = True
            for g in list(_active):
                if g.token is self:
                    _trip(g, MSG_CANCELLED, ScriptCancelled)

    def __repr__(self) -> str:
        return f"<CancelToken {'cancelled' if self._cancelled else 'active'}>"


class _Guard:
    __slots__ = ("thread", "ns", "deadline", "token", "due")

    def __init__(self, thread, ns, deadline, token):
        self.thread = thread
        self.ns = ns
        self.deadline = deadline
        self.token = token
        self.due = None          # (message, public class) once due


_lock = threading.RLock()
_active: set = set()              # every guard entered and not yet left
_stacks: dict = {}                # thread ident -> [guard, ...] (innermost last)
_get_ident = threading.get_ident
_monotonic = time.monotonic


def deadline_of(timeout) -> float | None:
    """The monotonic deadline of ``timeout`` seconds from now (None: none); ``OptionError``
    for a value that is not a non-negative number."""
    if timeout is None:
        return None
    if type(timeout) not in (int, float) or not timeout >= 0:
        raise OptionError(f"timeout must be a number of seconds ≥ 0, not {timeout!r}")
    return _monotonic() + timeout


def enter(ns: dict, timeout=None, cancel: CancelToken | None = None) -> _Guard:
    """Guard a call the calling thread is about to make into the program with namespace
    ``ns``; pair with ``leave`` (in a ``finally``)."""
    if cancel is not None and type(cancel) is not CancelToken:
        raise OptionError(f"cancel must be a tengojit.CancelToken, not {type(cancel).__name__}")
    g = _Guard(_get_ident(), ns, deadline_of(timeout), cancel)
    with _lock:
        _active.add(g)
        _stacks.setdefault(g.thread, []).append(g)
        if _hostcall is not None:
            _hostcall.set_guards(len(_active))
        if cancel is not None and cancel._cancelled:
            _trip(g, MSG_CANCELLED, ScriptCancelled)
        elif g.deadline is not None:
            if timeout == 0:
                _trip(g, MSG_TIMEOUT, ScriptTimeout)
            else:
                _watchdog.schedule(g)
    return g


def leave(g: _Guard) -> None:
    """The guarded call has returned or raised."""
    with _lock:
        _active.discard(g)
        stack = _stacks.get(g.thread)
        if stack is not None:
            if g in stack:
                stack.remove(g)
            if not stack:
                del _stacks[g.thread]
        if _hostcall is not None:
            _hostcall.set_guards(len(_active))
        if g.due is not None:
            g.ns["_STOP"] = any(o.due is not None and o.ns is g.ns for o in _active)


def _trip(g, message, cls):
    """Make ``g`` due (under ``_lock``): its thread stops at its next check point."""
    if g.due is None and g in _active:
        g.due = (message, cls)
        g.ns["_STOP"] = True
        if _hostcall is not None:
            _hostcall.request_poll()


def check(G=None) -> None:
    """A check point: raise ``StopRequest`` if a guard of the calling thread is due (or its
    deadline has passed), else return. ``G`` (the globals of the running code) is unused: a
    guard belongs to a thread."""
    stack = _stacks.get(_get_ident())
    if not stack:
        return
    now = None
    for g in reversed(stack):
        due = g.due
        if due is None and g.deadline is not None:
            if now is None:
                now = _monotonic()
            if now >= g.deadline:
                with _lock:
                    _trip(g, MSG_TIMEOUT, ScriptTimeout)
                due = g.due
        if due is not None:
            raise StopRequest(due[0], due[1])


class _Watchdog:
    """One daemon thread that makes guards due when their deadlines pass."""

    def __init__(self):
        self._cond = threading.Condition(_lock)
        self._heap = []
        self._seq = 0
        self._thread = None

    def schedule(self, g):
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (g.deadline, self._seq, g))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="tengojit-watchdog",
                                                 daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self):
        with self._cond:
            while True:
                while self._heap and self._heap[0][2] not in _active:
                    heapq.heappop(self._heap)        # left before its deadline
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - _monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                _, _, g = heapq.heappop(self._heap)
                _trip(g, MSG_TIMEOUT, ScriptTimeout)


_watchdog = _Watchdog()

if _hostcall is not None:
    _hostcall.set_stop_check(check)
