"""One worker thread that compiles while the script runs on.

LLVM's work (parsing, passes, machine code) runs in llvmlite's C library, which releases the
GIL: on a machine with two cores the script keeps running on the baseline tier while a hot
function or loop compiles, and switches to native code at its next call, loop entry or
on-stack-replacement check once the code is installed. Only the Python part of a compile
(type inference, building the IR) shares the interpreter with the script.

Contract: ``submit(job, first=False, heat=None)`` queues a callable that takes no arguments
and never raises (the dispatcher's jobs catch everything themselves); jobs run one at a time.
Which job runs next: the ``first`` ones, in the order they came; then the one whose ``heat()``
is greatest when the worker takes it (``heat``: a callable returning a number, the work the
script has done on the baseline tier in that code since it was queued — calls, loop
iterations; None counts as 0), the earliest among equals. So a program that makes much of
its code hot at once gets the code it spends its time in compiled first. ``drain()``
waits until every job submitted so far has run. At interpreter exit the queue is dropped and
the job under way finishes before Python tears itself down (a thread inside LLVM must not
outlive the interpreter). A child process after ``fork`` starts with an empty queue and
starts its own worker on its first submit.
"""
from __future__ import annotations

import atexit
import collections
import os
import sys
import threading

SWITCH_INTERVAL = 0.002

_cond = threading.Condition(threading.Lock())
_first = collections.deque()  # jobs submitted with first=True
_queue = []                   # [(heat or None, job)] in the order they came
_busy = False                 # a job is running
_closing = False              # interpreter exit: run nothing more
_worker = None                # the thread, started on the first submit


def _run():
    global _busy
    while True:
        with _cond:
            while not _queue and not _first and not _closing:
                _cond.wait()
            if _closing:
                _queue.clear()
                _first.clear()
                _cond.notify_all()
                return
            job = _take()
            _busy = True
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
        try:
            job()
        except BaseException:        # jobs catch their own errors; never let the worker die
            pass
        finally:
            sys.setswitchinterval(interval)
            with _cond:
                _busy = False
                _cond.notify_all()


def _heat_of(heat):
    if heat is None:
        return 0
    try:
        return heat()
    except Exception:            # a heat that cannot be read (its program is gone, say)
        return 0


def _take():
    """The next job (under ``_cond``): the first of ``_first``, else the hottest queued."""
    if _first:
        return _first.popleft()
    best, best_heat = 0, None
    for i, (heat, _) in enumerate(_queue):
        h = _heat_of(heat)
        if best_heat is None or h > best_heat:
            best, best_heat = i, h
    return _queue.pop(best)[1]


def submit(job, first=False, heat=None):
    """Queue ``job`` (ahead of every other with ``first``: a small job the script's speed
    waits on; ``heat``: see the module's contract); returns False (nothing queued) once the
    interpreter is exiting."""
    global _worker
    with _cond:
        if _closing:
            return False
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="tengojit-compiler", daemon=True)
            _worker.start()
        if first:
            _first.append(job)
        else:
            _queue.append((heat, job))
        _cond.notify_all()
    return True


def on_worker() -> bool:
    """Is the calling thread the worker?"""
    return threading.current_thread() is _worker


def pending():
    """Jobs queued or running."""
    with _cond:
        return len(_queue) + len(_first) + (1 if _busy else 0)


def drain(timeout=None):
    """Wait until every job submitted so far has run; False if ``timeout`` (s) passed first."""
    with _cond:
        return _cond.wait_for(lambda: not _queue and not _first and not _busy, timeout)


def _at_exit():
    global _closing
    with _cond:
        _closing = True
        _queue.clear()
        _first.clear()
        _cond.notify_all()
        _cond.wait_for(lambda: not _busy)


def _after_fork():
    global _cond, _queue, _first, _busy, _worker
    _cond = threading.Condition(threading.Lock())
    _queue = []
    _first = collections.deque()
    _busy = False
    _worker = None


atexit.register(_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
