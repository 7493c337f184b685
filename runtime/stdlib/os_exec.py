"""The ``os`` module's commands (reference: ``stdlib/os_exec.go``): ``exec``, ``exec_look_path``
and command objects."""
from __future__ import annotations

import os as _os
import stat as _stat
import subprocess as _subprocess

from ..args import (callee, check_count, string_arg, string_array_arg,
                    string_result, bytes_result)
from ..errors import (invalid_arg_type,
                      wrong_num_args)
from ..ops import to_str
from ..values import Error, ImmutableMap, type_name
from .os_common import _err, _errno_text, _fn, _wrap
from .os_process import _Process, _children, _spawn


# ------------------------------------------------------------------------------ exec

def _find_executable(path):
    try:
        st = _os.stat(path)
    except OSError as e:
        return _errno_text(e)
    if _stat.S_ISDIR(st.st_mode) or not st.st_mode & 0o111:
        return "permission denied"
    return None


def look_path(file: str):
    """Go's ``exec.LookPath``: ``(path, None)`` or ``(None, error text)``."""
    if "/" in file:
        problem = _find_executable(file)
        if problem is None:
            return file, None
        return None, f'exec: "{file}": {problem}'
    for d in _os.environ.get("PATH", "").split(":"):
        if d == "":
            d = "."
        path = _os.path.join(d, file)
        if _find_executable(path) is None:
            if not _os.path.isabs(path):
                return None, (f'exec: "{file}": cannot run executable found relative to '
                              'current directory')
            return path, None
    return None, f'exec: "{file}": executable file not found in $PATH'


def os_exec_look_path(*args):
    check_count("exec_look_path", args, 1)
    path, problem = look_path(string_arg("exec_look_path", args, 0))
    if problem is not None:
        return _err(problem)
    return string_result(path)


class _Command:
    """Go's ``*exec.Cmd``."""

    def __init__(self, name, args):
        self.argv = [name] + args
        self.path = name
        self.lookup_error = None
        if "/" not in name:
            path, problem = look_path(name)
            if problem is None:
                self.path = path
            else:
                self.lookup_error = problem
        self.dir = ""
        self.env = None
        self.popen = None
        self.process = None
        self.waited = False
        self.stdout_set = False
        self.stderr_set = False

    def _start(self, stdout, stderr):
        if self.lookup_error is not None and self.path == self.argv[0]:
            return self.lookup_error
        if self.popen is not None:
            return "exec: already started"
        p = _spawn(self.path, self.argv, self.dir, self.env, stdout, stderr)
        if isinstance(p, str):
            return p
        self.popen = p
        self.process = _Process(p.pid, p)
        _children[p.pid] = self.process
        return None

    def _wait(self, comm=False):
        if self.popen is None:
            return "exec: not started", None
        if self.waited:
            return "exec: Wait was already called", None
        self.waited = True
        out = None
        if comm:
            out, _ = self.popen.communicate()
        st = self.process.wait()
        if isinstance(st, Error):
            return st.value, out
        return (None if st.success() else st.text()), out

    def run(self, *args):
        check_count("run", args, 0)
        problem = self._start(_subprocess.DEVNULL, _subprocess.DEVNULL)
        if problem is None:
            problem, _ = self._wait()
        return _wrap(problem)

    def start(self, *args):
        check_count("start", args, 0)
        return _wrap(self._start(_subprocess.DEVNULL, _subprocess.DEVNULL))

    def wait(self, *args):
        check_count("wait", args, 0)
        problem, _ = self._wait()
        return _wrap(problem)

    def output(self, *args):
        check_count("output", args, 0)
        if self.stdout_set:
            return _err("exec: Stdout already set")
        self.stdout_set = True
        return self._collect(_subprocess.DEVNULL)

    def combined_output(self, *args):
        check_count("combined_output", args, 0)
        if self.stdout_set:
            return _err("exec: Stdout already set")
        if self.stderr_set:
            return _err("exec: Stderr already set")
        self.stdout_set = self.stderr_set = True
        return self._collect(_subprocess.STDOUT)

    def _collect(self, stderr):
        """Start with stdout piped (stderr to ``stderr``), wait, return the output bytes."""
        problem = self._start(_subprocess.PIPE, stderr)
        if problem is not None:
            return _err(problem)
        problem, out = self._wait(comm=True)
        if problem is not None:
            return _err(problem)
        return bytes_result(out or b"")

    def set_path(self, *args):
        check_count("set_path", args, 1)
        self.path = string_arg("set_path", args, 0)
        self.lookup_error = None
        return None

    def set_dir(self, *args):
        check_count("set_dir", args, 1)
        self.dir = string_arg("set_dir", args, 0)
        return None

    def set_env(self, *args):
        check_count("set_env", args, 1)
        self.env = string_array_arg("set_env", args, 0)
        return None

    def process_(self, *args):
        check_count("process", args, 0)
        return (self.process or _Process(0)).as_map()

    def as_map(self):
        return ImmutableMap({
            "combined_output": _fn("combined_output", self.combined_output),
            "output": _fn("output", self.output),
            "run": _fn("run", self.run),
            "start": _fn("start", self.start),
            "wait": _fn("wait", self.wait),
            "set_path": _fn("set_path", self.set_path),
            "set_dir": _fn("set_dir", self.set_dir),
            "set_env": _fn("set_env", self.set_env),
            "process": _fn("process", self.process_),
        })


def os_exec(*args):
    if not args:
        raise wrong_num_args(callee("exec"))
    name = string_arg("exec", args, 0)
    rest = []
    for i, a in enumerate(args[1:]):
        s = to_str(a)
        if s is None:
            raise invalid_arg_type(callee("exec"), f"args[{i}]", "string(compatible)",
                                   type_name(a))
        rest.append(s)
    return _Command(name, rest).as_map()
