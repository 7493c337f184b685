"""Tengo's ``os`` module (reference: ``stdlib/os.go``, ``os_file.go``, ``os_process.go``,
``os_exec.go``), on top of Python's ``os``/``subprocess``.

Only importable when the host asks for it (``get_module_map("os", ...)``); the ``tengojit``
command enables it, like Tengo's CLI.

Conventions of the reference, kept here:

- A function documented as returning ``error`` returns ``true`` on success and an ``Error``
  wrapping Go's error text on failure (``wrapError``): ``"open /nope: no such file or
  directory"``, ``"rename a b: file exists"``, ``"EOF"``, ``"exit status 1"`` …
- Wrong argument counts / types are runtime errors (``wrong number of arguments in call to
  'user-function:stat'``); string arguments accept anything ``ToString`` accepts
  (``string(compatible)``), int arguments anything ``ToInt`` accepts.
- Files, processes, process states and commands are immutable maps of methods.
- ``exit(code)`` raises ``ScriptExit`` (a ``SystemExit`` subclass carrying ``code``): it
  unwinds the script; the host (the ``tengojit`` command) decides to end the process.

Departures (Python cannot do what Go does):

- ``file.read(buf)`` fills ``buf`` in place, as Go does with the ``Bytes`` backing array. Python
  ``bytes`` are immutable, so the data is copied into the object's buffer through ``ctypes``
  (CPython, ``len(buf) >= 2``: shorter bytes objects are shared singletons and are left alone;
  the count is still returned).
- Processes started by ``start_process`` get ``/dev/null`` as stdin/stdout/stderr (Go's child
  has them closed); ``exec`` commands behave as Go's (``/dev/null`` unless captured).
- ``os.args()`` is the host's ``sys.argv`` unless the host builds the module with
  ``make_module(args=[...])`` (the ``tengojit`` command passes ``[script, args...]``).
"""
from __future__ import annotations

import ctypes
import os as _os
import platform as _platform
import shutil as _shutil
import stat as _stat
import subprocess as _subprocess
import sys as _sys
from datetime import datetime, timezone

from .. import limits
from ..args import (bytes_arg, callee, check_count, int_arg, string_arg, string_array_arg,
                    string_result, bytes_result)
from ..errors import (OpError, ERR_STRING_LIMIT, invalid_arg_type,
                      wrong_num_args)
from ..ops import to_bytes, to_str
from ..strings import byte_len
from ..values import Char, Error, ImmutableMap, UserFunction, type_name


class ScriptExit(SystemExit):
    """``os.exit(code)``: the script asked to end the program with status ``code``.

    A ``SystemExit`` subclass so that it passes through the runtime untouched (the runtime turns
    every other exception into a Tengo runtime error). A host embedding scripts that may call
    ``os.exit`` catches it (``except ScriptExit as e: e.code``); left uncaught it ends the Python
    program with that status, like ``sys.exit``.
    """

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


# ------------------------------------------------------------------------------ helpers

def _err(text: str) -> Error:
    return Error(text)


def _wrap(err) -> object:
    """Tengo's ``wrapError``: ``true`` for no error, else an error value with the text."""
    return True if err is None else Error(err)


def _errno_text(e: OSError) -> str:
    """Go's ``syscall.Errno.Error()`` for the errno of ``e`` (glibc's text, lower-cased first)."""
    if e.errno is None:
        return str(e)
    try:
        msg = _os.strerror(e.errno)
    except ValueError:
        return f"errno {e.errno}"
    if msg and msg[0].isupper() and not msg[:2].isupper():
        msg = msg[0].lower() + msg[1:]
    return msg


def _path_error(op: str, path: str, e: OSError) -> str:
    """Go's ``*PathError``: ``"<op> <path>: <errno text>"``."""
    return f"{op} {path}: {_errno_text(e)}"


def _link_error(op: str, old: str, new: str, e: OSError) -> str:
    """Go's ``*LinkError``: ``"<op> <old> <new>: <errno text>"``."""
    return f"{op} {old} {new}: {_errno_text(e)}"


def _fn(name, impl):
    return UserFunction(name, impl)


# Go's io/fs FileMode bits.
MODE_DIR = 1 << 31
MODE_APPEND = 1 << 30
MODE_EXCLUSIVE = 1 << 29
MODE_TEMPORARY = 1 << 28
MODE_SYMLINK = 1 << 27
MODE_DEVICE = 1 << 26
MODE_NAMED_PIPE = 1 << 25
MODE_SOCKET = 1 << 24
MODE_SETUID = 1 << 23
MODE_SETGID = 1 << 22
MODE_CHAR_DEVICE = 1 << 21
MODE_STICKY = 1 << 20
MODE_IRREGULAR = 1 << 19
MODE_TYPE = (MODE_DIR | MODE_SYMLINK | MODE_NAMED_PIPE | MODE_SOCKET | MODE_DEVICE
             | MODE_CHAR_DEVICE | MODE_IRREGULAR)
MODE_PERM = 0o777


def _go_file_mode(st_mode: int) -> int:
    """Go's ``FileMode`` from a ``stat`` mode."""
    m = st_mode & 0o777
    fmt = _stat.S_IFMT(st_mode)
    if fmt == _stat.S_IFBLK:
        m |= MODE_DEVICE
    elif fmt == _stat.S_IFCHR:
        m |= MODE_DEVICE | MODE_CHAR_DEVICE
    elif fmt == _stat.S_IFDIR:
        m |= MODE_DIR
    elif fmt == _stat.S_IFIFO:
        m |= MODE_NAMED_PIPE
    elif fmt == _stat.S_IFLNK:
        m |= MODE_SYMLINK
    elif fmt == _stat.S_IFSOCK:
        m |= MODE_SOCKET
    if st_mode & _stat.S_ISGID:
        m |= MODE_SETGID
    if st_mode & _stat.S_ISUID:
        m |= MODE_SETUID
    if st_mode & _stat.S_ISVTX:
        m |= MODE_STICKY
    return m


def _sys_mode(mode: int) -> int:
    """Go's ``syscallMode``: a FileMode → the mode bits the system call takes."""
    m = mode & 0o777
    if mode & MODE_SETUID:
        m |= _stat.S_ISUID
    if mode & MODE_SETGID:
        m |= _stat.S_ISGID
    if mode & MODE_STICKY:
        m |= _stat.S_ISVTX
    return m


def _basename(name: str) -> str:
    """Go's ``os`` basename: the last element, trailing slashes removed."""
    stripped = name.rstrip("/")
    if not stripped:
        return "/" if name else "."
    return stripped.rsplit("/", 1)[-1]


def _mtime(st) -> datetime:
    ns = st.st_mtime_ns
    sec, rem = divmod(ns, 1_000_000_000)
    t = datetime.fromtimestamp(sec, timezone.utc).astimezone()
    return t.replace(microsecond=rem // 1000)


def _file_info(name: str):
    """``os.stat(name)`` as Tengo's FileInfo map, or an error value."""
    try:
        st = _os.stat(name)
    except OSError as e:
        return _err(_path_error("stat", name, e))
    except ValueError:   # embedded NUL
        return _err(f"stat {name}: invalid argument")
    return ImmutableMap({
        "name": _basename(name),
        "mtime": _mtime(st),
        "size": st.st_size,
        "mode": _go_file_mode(st.st_mode),
        "directory": _stat.S_ISDIR(st.st_mode),
    })


# ------------------------------------------------------------------------------ in-place fill

_BYTES_DATA_OFFSET = bytes.__basicsize__ - 1
_BYTES_HASH_OFFSET = 24 if (bytes.__basicsize__ == 33 and ctypes.sizeof(ctypes.c_void_p) == 8) \
    else None
_CAN_FILL = _sys.implementation.name == "cpython"


def _fill(buf, data: bytes) -> None:
    """Copy ``data`` into the start of the Tengo bytes value ``buf`` (Go: ``copy(b, data)``)."""
    if not data or type(buf) is not bytes or len(buf) < 2 or not _CAN_FILL:
        return
    n = min(len(data), len(buf))
    base = id(buf)
    ctypes.memmove(base + _BYTES_DATA_OFFSET, data, n)
    if _BYTES_HASH_OFFSET is not None:   # drop the cached hash
        ctypes.c_ssize_t.from_address(base + _BYTES_HASH_OFFSET).value = -1


# ------------------------------------------------------------------------------ files

class _File:
    """An open file: an OS descriptor plus the name it was opened with."""
    __slots__ = ("fd", "name", "_names")

    def __init__(self, fd, name):
        self.fd = fd
        self.name = name
        self._names = None   # readdirnames cursor: remaining names

    def closed_error(self, op):
        return _err(f"{op} {self.name}: file already closed")

    def close(self, *args):
        check_count("close", args, 0)
        if self.fd < 0:
            return self.closed_error("close")
        fd, self.fd = self.fd, -1
        try:
            _os.close(fd)
        except OSError as e:
            return _err(_path_error("close", self.name, e))
        return True

    def _simple(self, fname, op, call, *a):
        if self.fd < 0:
            return self.closed_error(op)
        try:
            call(self.fd, *a)
        except OSError as e:
            return _err(_path_error(op, self.name, e))
        return True

    def chdir(self, *args):
        check_count("chdir", args, 0)
        return self._simple("chdir", "chdir", _os.fchdir)

    def chown(self, *args):
        check_count("chown", args, 2)
        uid = int_arg("chown", args, 0)
        gid = int_arg("chown", args, 1)
        return self._simple("chown", "chown", _os.fchown, uid, gid)

    def chmod(self, *args):
        check_count("chmod", args, 1)
        mode = int_arg("chmod", args, 0)
        return self._simple("chmod", "chmod", _os.fchmod, _sys_mode(mode))

    def sync(self, *args):
        check_count("sync", args, 0)
        return self._simple("sync", "sync", _os.fsync)

    def name_(self, *args):
        check_count("name", args, 0)
        return string_result(self.name)

    def write(self, *args):
        check_count("write", args, 1)
        return self._write(bytes_arg("write", args, 0))

    def write_string(self, *args):
        check_count("write_string", args, 1)
        s = string_arg("write_string", args, 0)
        return self._write(s.encode("utf-8", "surrogateescape"))

    def _write(self, data: bytes):
        if self.fd < 0:
            return self.closed_error("write")
        total = 0
        view = memoryview(data)
        try:
            while total < len(data):
                n = _os.write(self.fd, view[total:])
                if n <= 0:
                    break
                total += n
        except OSError as e:
            return _err(_path_error("write", self.name, e))
        return total

    def read(self, *args):
        check_count("read", args, 1)
        buf = args[0]
        if to_bytes(buf) is None:
            raise invalid_arg_type(callee("read"), "first", "bytes(compatible)", type_name(buf))
        size = len(buf) if type(buf) is bytes else len(to_bytes(buf))
        if self.fd < 0:
            return self.closed_error("read")
        if size == 0:
            return 0
        try:
            data = _os.read(self.fd, size)
        except OSError as e:
            return _err(_path_error("read", self.name, e))
        if not data:
            return _err("EOF")
        _fill(buf, data)
        return len(data)

    def seek(self, *args):
        check_count("seek", args, 2)
        offset = int_arg("seek", args, 0)
        whence = int_arg("seek", args, 1)
        if self.fd < 0:
            return self.closed_error("seek")
        try:
            return _os.lseek(self.fd, offset, whence)
        except OSError as e:
            return _err(_path_error("seek", self.name, e))
        except (OverflowError, ValueError):
            return _err(f"seek {self.name}: invalid argument")

    def stat(self, *args):
        check_count("stat", args, 0)
        return _file_info(self.name)

    def readdirnames(self, *args):
        check_count("readdirnames", args, 1)
        n = int_arg("readdirnames", args, 0)
        if self.fd < 0:
            return self.closed_error("readdirent")
        if self._names is None:
            try:
                self._names = _os.listdir(self.fd)
            except OSError as e:
                return _err(_path_error("readdirent", self.name, e))
        if n > 0:
            if not self._names:
                return _err("EOF")
            out, self._names = self._names[:n], self._names[n:]
        else:
            out, self._names = self._names, []
        return [string_result(x) for x in out]

    def as_map(self):
        return ImmutableMap({
            "chdir": _fn("chdir", self.chdir),
            "chown": _fn("chown", self.chown),
            "close": _fn("close", self.close),
            "name": _fn("name", self.name_),
            "readdirnames": _fn("readdirnames", self.readdirnames),
            "sync": _fn("sync", self.sync),
            "write": _fn("write", self.write),
            "write_string": _fn("write_string", self.write_string),
            "read": _fn("read", self.read),
            "chmod": _fn("chmod", self.chmod),
            "seek": _fn("seek", self.seek),
            "stat": _fn("stat", self.stat),
        })


def _open(name: str, flag: int, perm: int):
    try:
        fd = _os.open(name, flag | getattr(_os, "O_CLOEXEC", 0), _sys_mode(perm))
    except OSError as e:
        return _err(_path_error("open", name, e))
    except (ValueError, OverflowError):
        return _err(f"open {name}: invalid argument")
    return _File(fd, name).as_map()


def os_create(*args):
    check_count("create", args, 1)
    return _open(string_arg("create", args, 0), _os.O_RDWR | _os.O_CREAT | _os.O_TRUNC, 0o666)


def os_open(*args):
    check_count("open", args, 1)
    return _open(string_arg("open", args, 0), _os.O_RDONLY, 0)


def os_open_file(*args):
    check_count("open_file", args, 3)
    name = string_arg("open_file", args, 0)
    flag = int_arg("open_file", args, 1)
    perm = int_arg("open_file", args, 2)
    return _open(name, flag, perm)


def os_read_file(*args):
    check_count("read_file", args, 1)
    name = string_arg("read_file", args, 0)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except OSError as e:
        if isinstance(e, IsADirectoryError):
            return _err(f"read {name}: is a directory")
        return _err(_path_error("open", name, e))
    except ValueError:
        return _err(f"open {name}: invalid argument")
    return bytes_result(data)


def os_stat(*args):
    check_count("stat", args, 1)
    return _file_info(string_arg("stat", args, 0))


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


# ------------------------------------------------------------------------------ environment

def _is_shell_special(c: int) -> bool:
    return c in b"*#$@!?-0123456789"


def _is_alnum(c: int) -> bool:
    return c == 95 or 48 <= c <= 57 or 97 <= c <= 122 or 65 <= c <= 90


def _shell_name(s: bytes):
    """Go's ``getShellName``: (name, bytes consumed) after a ``$``."""
    if s[0] == 123:  # '{'
        if len(s) > 2 and _is_shell_special(s[1]) and s[2] == 125:
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == 125:  # '}'
                if i == 1:
                    return b"", 2      # bad syntax: eat "${}"
                return s[1:i], i + 1
        return b"", 1                   # bad syntax: eat "${"
    if _is_shell_special(s[0]):
        return s[0:1], 1
    i = 0
    while i < len(s) and _is_alnum(s[i]):
        i += 1
    return s[:i], i


def expand(s: str, mapping) -> str:
    """Go's ``os.Expand``: replace ``$var`` / ``${var}`` using ``mapping(name) -> str``."""
    b = s.encode("utf-8", "surrogateescape")
    out = None
    i = 0
    j = 0
    n = len(b)
    while j < n:
        if b[j] == 36 and j + 1 < n:   # '$'
            if out is None:
                out = bytearray()
            out += b[i:j]
            name, w = _shell_name(b[j + 1:])
            if not name and w > 0:
                pass                    # invalid syntax: eaten
            elif not name:
                out.append(b[j])        # a lone '$'
            else:
                out += mapping(name.decode("utf-8", "surrogateescape")).encode(
                    "utf-8", "surrogateescape")
            j += w
            i = j + 1
        j += 1
    if out is None:
        return s
    return (bytes(out) + b[i:]).decode("utf-8", "surrogateescape")


def _getenv(key: str) -> str:
    try:
        return _os.environ.get(key, "")
    except (ValueError, UnicodeError):
        return ""


def os_expand_env(*args):
    check_count("expand_env", args, 1)
    s = string_arg("expand_env", args, 0)
    state = {"vlen": 0, "failed": False}
    limit = limits.MAX_STRING_LEN

    def mapping(k):
        if state["failed"]:
            return ""
        v = _getenv(k)
        state["vlen"] += byte_len(v)
        if state["vlen"] > limit:
            state["failed"] = True
            return ""
        return v

    r = expand(s, mapping)
    if state["failed"] or byte_len(r) > limit:
        raise OpError(ERR_STRING_LIMIT)
    return r


def os_getenv(*args):
    check_count("getenv", args, 1)
    return string_result(_getenv(string_arg("getenv", args, 0)))


def os_lookup_env(*args):
    check_count("lookup_env", args, 1)
    key = string_arg("lookup_env", args, 0)
    try:
        v = _os.environ.get(key)
    except (ValueError, UnicodeError):
        v = None
    if v is None:
        return False
    return string_result(v)


def os_setenv(*args):
    check_count("setenv", args, 2)
    key = string_arg("setenv", args, 0)
    value = string_arg("setenv", args, 1)
    if not key or "=" in key or "\0" in key or "\0" in value:
        return _err("setenv: invalid argument")
    try:
        _os.environ[key] = value
    except (ValueError, OSError):
        return _err("setenv: invalid argument")
    return True


def os_unsetenv(*args):
    check_count("unsetenv", args, 1)
    key = string_arg("unsetenv", args, 0)
    try:
        _os.environ.pop(key, None)
    except (ValueError, OSError):
        pass
    return True


def os_clearenv(*args):
    check_count("clearenv", args, 0)
    _os.environ.clear()
    return None


def os_environ(*args):
    check_count("environ", args, 0)
    return [string_result(f"{k}={v}") for k, v in _os.environ.items()]


# ------------------------------------------------------------------------------ file system

def _path_call(fname, op, nstr, nint, call):
    """A ``(string..., int...) => error`` function over a path system call."""
    def impl(*args):
        check_count(fname, args, nstr + nint)
        strs = [string_arg(fname, args, i) for i in range(nstr)]
        ints = [int_arg(fname, args, nstr + i) for i in range(nint)]
        try:
            call(*strs, *ints)
        except OSError as e:
            return _err(_path_error(op, strs[0], e))
        except (ValueError, OverflowError):
            return _err(f"{op} {strs[0]}: invalid argument")
        return True
    return _fn(fname, impl)


def _link_call(fname, op, call):
    def impl(*args):
        check_count(fname, args, 2)
        old = string_arg(fname, args, 0)
        new = string_arg(fname, args, 1)
        try:
            call(old, new)
        except OSError as e:
            return _err(_link_error(op, old, new, e))
        except ValueError:
            return _err(f"{op} {old} {new}: invalid argument")
        return True
    return _fn(fname, impl)


def _chmod(name, mode):
    _os.chmod(name, _sys_mode(mode))


def _mkdir(name, perm):
    _os.mkdir(name, _sys_mode(perm))


def _mkdir_all(path, perm):
    """Go's ``os.MkdirAll`` (errors name the path element that failed)."""
    try:
        st = _os.stat(path)
    except OSError:
        pass
    else:
        if _stat.S_ISDIR(st.st_mode):
            return
        raise NotADirectoryError(20, "not a directory", path)
    i = len(path)
    while i > 0 and path[i - 1] == "/":
        i -= 1
    j = i
    while j > 0 and path[j - 1] != "/":
        j -= 1
    if j > 1:
        parent = path[:j - 1]
        try:
            _mkdir_all(parent, perm)
        except _MkdirError:
            raise
        except OSError as e:
            raise _MkdirError(parent, e) from None
    try:
        _os.mkdir(path, _sys_mode(perm))
    except OSError as e:
        try:
            if _stat.S_ISDIR(_os.lstat(path).st_mode):
                return
        except OSError:
            pass
        raise _MkdirError(path, e) from None


class _MkdirError(Exception):
    def __init__(self, path, err):
        self.path, self.err = path, err


def os_mkdir_all(*args):
    check_count("mkdir_all", args, 2)
    name = string_arg("mkdir_all", args, 0)
    perm = int_arg("mkdir_all", args, 1)
    try:
        _mkdir_all(name, perm)
    except _MkdirError as e:
        return _err(_path_error("mkdir", e.path, e.err))
    except OSError as e:
        return _err(_path_error("mkdir", name, e))
    except ValueError:
        return _err(f"mkdir {name}: invalid argument")
    return True


def os_remove(*args):
    check_count("remove", args, 1)
    name = string_arg("remove", args, 0)
    try:
        _os.unlink(name)
        return True
    except OSError as e:
        e_unlink = e
    except ValueError:
        return _err(f"remove {name}: invalid argument")
    try:
        _os.rmdir(name)
        return True
    except OSError as e:
        err = e_unlink if e.errno == 20 else e   # rmdir(file) is ENOTDIR: unlink's error is real
    return _err(_path_error("remove", name, err))


def os_remove_all(*args):
    check_count("remove_all", args, 1)
    name = string_arg("remove_all", args, 0)
    if name == "":
        return True
    if name == "." or name.endswith("/."):
        return _err(f"RemoveAll {name}: invalid argument")
    try:
        st = _os.lstat(name)
    except FileNotFoundError:
        return True
    except OSError as e:
        return _err(_path_error("lstat", name, e))
    except ValueError:
        return _err(f"RemoveAll {name}: invalid argument")
    problems = []
    try:
        if _stat.S_ISDIR(st.st_mode):
            _shutil.rmtree(name, onerror=lambda f, p, ei: problems.append((p, ei[1])))
        else:
            _os.unlink(name)
    except OSError as e:
        return _err(_path_error("unlinkat", name, e))
    if problems:
        p, e = problems[0]
        if isinstance(e, FileNotFoundError):
            return True
        return _err(_path_error("unlinkat", p, e) if isinstance(e, OSError) else str(e))
    return True


def _rename(old, new):
    """Go's ``os.Rename``: refuses to replace an existing directory with something else."""
    try:
        nst = _os.lstat(new)
    except OSError:
        nst = None
    if nst is not None and _stat.S_ISDIR(nst.st_mode):
        try:
            ost = _os.lstat(old)
        except OSError as e:
            if e.errno == 2:
                raise
            raise
        if old == new or not _os.path.samestat(ost, nst):
            raise FileExistsError(17, "file exists")
    _os.rename(old, new)


def os_readlink(*args):
    check_count("readlink", args, 1)
    name = string_arg("readlink", args, 0)
    try:
        return string_result(_os.readlink(name))
    except OSError as e:
        return _err(_path_error("readlink", name, e))
    except ValueError:
        return _err(f"readlink {name}: invalid argument")


def os_chdir(*args):
    check_count("chdir", args, 1)
    name = string_arg("chdir", args, 0)
    try:
        _os.chdir(name)
    except OSError as e:
        return _err(_path_error("chdir", name, e))
    except ValueError:
        return _err(f"chdir {name}: invalid argument")
    return True


def os_getwd(*args):
    check_count("getwd", args, 0)
    try:
        cwd = _os.getcwd()
    except OSError as e:
        return _err("getwd: " + _errno_text(e))
    # Go prefers $PWD when it names the current directory.
    pwd = _os.environ.get("PWD", "")
    if pwd.startswith("/") and pwd != cwd:
        try:
            if _os.path.samestat(_os.stat(pwd), _os.stat(".")):
                cwd = pwd
        except OSError:
            pass
    return string_result(cwd)


def os_hostname(*args):
    check_count("hostname", args, 0)
    try:
        with open("/proc/sys/kernel/hostname", encoding="utf-8", errors="surrogateescape") as f:
            name = f.read()
        if name.endswith("\n"):
            name = name[:-1]
    except OSError:
        try:
            name = _os.uname().nodename
        except (AttributeError, OSError) as e:
            return _err(str(e))
    return string_result(name)


def os_temp_dir(*args):
    check_count("temp_dir", args, 0)
    return string_result(_os.environ.get("TMPDIR", "") or "/tmp")


def os_getgroups(*args):
    check_count("getgroups", args, 0)
    try:
        return list(_os.getgroups())
    except OSError as e:
        return _err("getgroups: " + _errno_text(e))


def os_exit(*args):
    check_count("exit", args, 1)
    raise ScriptExit(int_arg("exit", args, 0))


def _int_fn(name, call):
    def impl(*args):
        check_count(name, args, 0)
        return int(call())
    return _fn(name, impl)


def _pagesize():
    try:
        return _os.sysconf("SC_PAGESIZE")
    except (ValueError, OSError, AttributeError):
        import mmap
        return mmap.PAGESIZE


def _go_os():
    p = _sys.platform
    if p.startswith("linux"):
        return "linux"
    if p == "win32":
        return "windows"
    if p.startswith("freebsd"):
        return "freebsd"
    return p


def _go_arch():
    m = _platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
            "i386": "386", "i686": "386", "x86": "386", "armv7l": "arm", "armv6l": "arm",
            "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}.get(m, m)


# ------------------------------------------------------------------------------ the module

def make_module(args=None) -> dict:
    """A fresh ``os`` module whose ``args()`` returns ``args`` (default: ``sys.argv``)."""

    def os_args(*a):
        check_count("args", a, 0)
        src = _sys.argv if args is None else args
        return [string_result(str(x)) for x in src]

    return {
        "platform": _go_os(),
        "arch": _go_arch(),
        "o_rdonly": _os.O_RDONLY,
        "o_wronly": _os.O_WRONLY,
        "o_rdwr": _os.O_RDWR,
        "o_append": _os.O_APPEND,
        "o_create": _os.O_CREAT,
        "o_excl": _os.O_EXCL,
        "o_sync": getattr(_os, "O_SYNC", 0),
        "o_trunc": _os.O_TRUNC,
        "mode_dir": MODE_DIR,
        "mode_append": MODE_APPEND,
        "mode_exclusive": MODE_EXCLUSIVE,
        "mode_temporary": MODE_TEMPORARY,
        "mode_symlink": MODE_SYMLINK,
        "mode_device": MODE_DEVICE,
        "mode_named_pipe": MODE_NAMED_PIPE,
        "mode_socket": MODE_SOCKET,
        "mode_setuid": MODE_SETUID,
        "mode_setgui": MODE_SETGID,
        "mode_char_device": MODE_CHAR_DEVICE,
        "mode_sticky": MODE_STICKY,
        "mode_type": MODE_TYPE,
        "mode_perm": MODE_PERM,
        "path_separator": Char(ord(_os.sep)),
        "path_list_separator": Char(ord(_os.pathsep)),
        "dev_null": _os.devnull,
        "seek_set": 0,
        "seek_cur": 1,
        "seek_end": 2,
        "args": _fn("args", os_args),
        "chdir": _fn("chdir", os_chdir),
        "chmod": _path_call("chmod", "chmod", 1, 1, _chmod),
        "chown": _path_call("chown", "chown", 1, 2, _os.chown),
        "clearenv": _fn("clearenv", os_clearenv),
        "environ": _fn("environ", os_environ),
        "exit": _fn("exit", os_exit),
        "expand_env": _fn("expand_env", os_expand_env),
        "getegid": _int_fn("getegid", _os.getegid),
        "getenv": _fn("getenv", os_getenv),
        "geteuid": _int_fn("geteuid", _os.geteuid),
        "getgid": _int_fn("getgid", _os.getgid),
        "getgroups": _fn("getgroups", os_getgroups),
        "getpagesize": _int_fn("getpagesize", _pagesize),
        "getpid": _int_fn("getpid", _os.getpid),
        "getppid": _int_fn("getppid", _os.getppid),
        "getuid": _int_fn("getuid", _os.getuid),
        "getwd": _fn("getwd", os_getwd),
        "hostname": _fn("hostname", os_hostname),
        "lchown": _path_call("lchown", "lchown", 1, 2, _os.lchown),
        "link": _link_call("link", "link", _os.link),
        "lookup_env": _fn("lookup_env", os_lookup_env),
        "mkdir": _path_call("mkdir", "mkdir", 1, 1, _mkdir),
        "mkdir_all": _fn("mkdir_all", os_mkdir_all),
        "readlink": _fn("readlink", os_readlink),
        "remove": _fn("remove", os_remove),
        "remove_all": _fn("remove_all", os_remove_all),
        "rename": _link_call("rename", "rename", _rename),
        "setenv": _fn("setenv", os_setenv),
        "symlink": _link_call("symlink", "symlink", _os.symlink),
        "temp_dir": _fn("temp_dir", os_temp_dir),
        "truncate": _path_call("truncate", "truncate", 1, 1, _os.truncate),
        "unsetenv": _fn("unsetenv", os_unsetenv),
        "create": _fn("create", os_create),
        "open": _fn("open", os_open),
        "open_file": _fn("open_file", os_open_file),
        "find_process": _fn("find_process", os_find_process),
        "start_process": _fn("start_process", os_start_process),
        "exec_look_path": _fn("exec_look_path", os_exec_look_path),
        "exec": _fn("exec", os_exec),
        "stat": _fn("stat", os_stat),
        "read_file": _fn("read_file", os_read_file),
    }


MODULE = make_module()
