"""The ``os`` module's processes (reference: ``stdlib/os_process.go``): ``start_process``,
``find_process``, process and process-state objects."""
from __future__ import annotations

import os as _os
import subprocess as _subprocess

from ..args import (check_count, int_arg, string_arg, string_array_arg,
                    string_result)
from ..values import ImmutableMap
from .os_common import _err, _errno_text, _fn, _path_error


# ------------------------------------------------------------------------------ processes

_SIGNAL_NAMES = {
    1: "hangup", 2: "interrupt", 3: "quit", 4: "illegal instruction",
    5: "trace/breakpoint trap", 6: "aborted", 7: "bus error", 8: "floating point exception",
    9: "killed", 10: "user defined signal 1", 11: "segmentation fault",
    12: "user defined signal 2", 13: "broken pipe", 14: "alarm clock", 15: "terminated",
    16: "stack fault", 17: "child exited", 18: "continued", 19: "stopped (signal)",
    20: "stopped", 21: "stopped (tty input)", 22: "stopped (tty output)",
    23: "urgent I/O condition", 24: "CPU time limit exceeded", 25: "file size limit exceeded",
    26: "virtual timer expired", 27: "profiling timer expired", 28: "window changed",
    29: "I/O possible", 30: "power failure", 31: "bad system call",
}


def _signal_name(sig: int) -> str:
    return _SIGNAL_NAMES.get(sig, f"signal {sig}")


class _State:
    """Go's ``*os.ProcessState`` of a finished process."""
    __slots__ = ("pid", "code", "signal")

    def __init__(self, pid, code=None, signal=None):
        self.pid, self.code, self.signal = pid, code, signal

    def text(self):
        if self.signal is not None:
            return "signal: " + _signal_name(self.signal)
        return f"exit status {self.code}"

    def success(self):
        return self.signal is None and self.code == 0

    def as_map(self):
        def exited(*args):
            check_count("exited", args, 0)
            return self.signal is None

        def pid(*args):
            check_count("pid", args, 0)
            return self.pid

        def string(*args):
            check_count("string", args, 0)
            return string_result(self.text())

        def success(*args):
            check_count("success", args, 0)
            return self.success()

        return ImmutableMap({
            "exited": _fn("exited", exited),
            "pid": _fn("pid", pid),
            "string": _fn("string", string),
            "success": _fn("success", success),
        })


_children = {}   # pid -> _Process of processes started here (find_process finds them)


class _Process:
    """Go's ``*os.Process``: a pid, and the ``Popen`` when this program started it."""
    __slots__ = ("pid", "popen", "done", "released", "waited")

    def __init__(self, pid, popen=None, done=False):
        self.pid, self.popen, self.done = pid, popen, done
        self.released = False
        self.waited = False

    def _check(self):
        if self.released:
            return "os: process already released"
        if self.pid <= 0:
            return "os: process not initialized"
        if self.popen is not None and self.popen.poll() is not None:
            self.done = True
        if self.done:
            return "os: process already finished"
        return None

    def signal(self, sig: int):
        problem = self._check()
        if problem:
            return _err(problem)
        try:
            _os.kill(self.pid, sig)
        except ProcessLookupError:
            self.done = True
            return _err("os: process already finished")
        except OSError as e:
            return _err(_errno_text(e))
        except (OverflowError, ValueError):
            return _err("invalid argument")
        return True

    def wait(self):
        if self.released:
            return _err("os: process already released")
        if self.pid <= 0:
            return _err("os: process not initialized")
        if self.waited:
            return _err("wait: no child processes")
        if self.popen is not None:
            try:
                rc = self.popen.wait()
            except KeyboardInterrupt:
                raise
            self.waited = self.done = True
            _children.pop(self.pid, None)
            if rc < 0:
                return _State(self.pid, signal=-rc)
            return _State(self.pid, code=rc)
        try:
            _, status = _os.waitpid(self.pid, 0)
        except ChildProcessError:
            return _err("wait: no child processes")
        except OSError as e:
            return _err("wait: " + _errno_text(e))
        self.waited = self.done = True
        if _os.WIFSIGNALED(status):
            return _State(self.pid, signal=_os.WTERMSIG(status))
        return _State(self.pid, code=_os.waitstatus_to_exitcode(status))

    def as_map(self):
        def kill(*args):
            check_count("kill", args, 0)
            return self.signal(9)

        def release(*args):
            check_count("release", args, 0)
            self.released = True
            _children.pop(self.pid, None)
            return True

        def signal(*args):
            check_count("signal", args, 1)
            return self.signal(int_arg("signal", args, 0))

        def wait(*args):
            check_count("wait", args, 0)
            st = self.wait()
            return st.as_map() if isinstance(st, _State) else st

        return ImmutableMap({
            "kill": _fn("kill", kill),
            "release": _fn("release", release),
            "signal": _fn("signal", signal),
            "wait": _fn("wait", wait),
        })


def _env_dict(env):
    """A Go environment list (``["K=V", ...]``) → a dict; ``None`` (inherit) when empty."""
    if not env:
        return None
    out = {}
    for kv in env:
        k, sep, v = kv.partition("=")
        if sep and k:
            out[k] = v
    return out


def _spawn(path, argv, cwd, env, stdout, stderr, op="fork/exec"):
    """Start a process the way Go's ``os.StartProcess`` does; ``Popen`` or an error text."""
    if cwd:
        try:
            _os.stat(cwd)
        except OSError as e:
            return _path_error("chdir", cwd, e)
    try:
        p = _subprocess.Popen(argv or [path], executable=path, cwd=cwd or None,
                              env=_env_dict(env), stdin=_subprocess.DEVNULL,
                              stdout=stdout, stderr=stderr, close_fds=True)
    except OSError as e:
        return _path_error(op, path, e)
    except ValueError:
        return f"{op} {path}: invalid argument"
    return p


def os_find_process(*args):
    check_count("find_process", args, 1)
    pid = int_arg("find_process", args, 0)
    known = _children.get(pid)
    if known is not None:
        return known.as_map()
    done = False
    try:
        _os.kill(pid, 0)
    except ProcessLookupError:
        done = True
    except (PermissionError, OverflowError, ValueError, OSError):
        pass
    return _Process(pid, done=done).as_map()


def os_start_process(*args):
    check_count("start_process", args, 4)
    name = string_arg("start_process", args, 0)
    argv = string_array_arg("start_process", args, 1)
    cwd = string_arg("start_process", args, 2)
    env = string_array_arg("start_process", args, 3)
    p = _spawn(name, argv, cwd, env, _subprocess.DEVNULL, _subprocess.DEVNULL)
    if isinstance(p, str):
        return _err(p)
    proc = _Process(p.pid, p)
    _children[p.pid] = proc
    return proc.as_map()
