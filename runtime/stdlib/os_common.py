"""What the parts of the ``os`` module share: Go's error texts for system errors, its file
mode bits and ``FileInfo`` maps."""
from __future__ import annotations

import os as _os
import stat as _stat
from datetime import datetime, timezone

from ..values import Error, ImmutableMap, UserFunction


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
