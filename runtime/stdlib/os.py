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

import os as _os
import platform as _platform
import shutil as _shutil
import stat as _stat
import sys as _sys

from .. import limits
from ..args import (check_count, int_arg, string_arg, string_result)
from ..errors import (OpError, ERR_STRING_LIMIT, ScriptExit)  # noqa: F401 - ScriptExit: os.exit raises it
from ..strings import byte_len
from ..values import Char
from .os_common import (MODE_APPEND, MODE_CHAR_DEVICE, MODE_DEVICE, MODE_DIR, MODE_EXCLUSIVE,
                        MODE_NAMED_PIPE, MODE_PERM, MODE_SETGID, MODE_SETUID, MODE_SOCKET,
                        MODE_STICKY, MODE_SYMLINK, MODE_TEMPORARY, MODE_TYPE, _err, _errno_text,
                        _fn, _link_error, _path_error, _sys_mode)
from .os_exec import look_path, os_exec, os_exec_look_path  # noqa: F401 - look_path is public here
from .os_file import os_create, os_open, os_open_file, os_read_file, os_stat
from .os_process import os_find_process, os_start_process


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
    limit = limits.string_limit()

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
