"""One worker thread that compiles while the script runs on.

LLVM's work (parsing, passes, machine code) runs in llvmlite's C library, which releases the
GIL: on a machine with two cores the script keeps running on the baseline tier while a hot
function or loop compiles, and switches to native code at its next call, loop entry or
on-stack-replacement check once the code is installed. Only the Python part of a compile
(type inference, building the IR) shares the interpreter with the script.

Contract: ``submit(job)`` queues a callable that takes no arguments and never raises (the
dispatcher's jobs catch everything themselves); jobs run one at a time, in order. ``drain()``
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

SWITCH_INTERVAL = 0.0001

_cond = threading.Condition(threading.Lock())
_queue = collections.deque()
_busy = False                 # a job is running
_closing = False              # interpreter exit: run nothing more
_worker = None                # the thread, started on the first submit


def _run():
    global _busy
    while True:
        with _cond:
            while not _queue and not _closing:
                _cond.wait()
            if _closing:
                _queue.clear()
                _cond.notify_all()
                return
            job = _queue.popleft()
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


def submit(job, first=False):
    """Queue ``job`` (at the head of the queue with ``first``: a small job the script's
    speed waits on); returns False (nothing queued) once the interpreter is exiting."""
    global _worker
    with _cond:
        if _closing:
            return False
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="tengojit-compiler", daemon=True)
            _worker.start()
        if first:
            _queue.appendleft(job)
        else:
            _queue.append(job)
        _cond.notify_all()
    return True


def pending():
    """Jobs queued or running."""
    with _cond:
        return len(_queue) + (1 if _busy else 0)


def drain(timeout=None):
    """Wait until every job submitted so far has run; False if ``timeout`` (s) passed first."""
    with _cond:
        return _cond.wait_for(lambda: not _queue and not _busy, timeout)


def _at_exit():
    global _closing
    with _cond:
        _closing = True
        _queue.clear()
        _cond.notify_all()
        _cond.wait_for(lambda: not _busy)


def _after_fork():
    global _cond, _queue, _busy, _worker
    _cond = threading.Condition(threading.Lock())
    _queue = collections.deque()
    _busy = False
    _worker = None


atexit.register(_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
