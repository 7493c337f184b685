"""The ``os`` module's files (reference: ``stdlib/os_file.go``): file objects, ``open``,
``create``, ``read_file``, ``stat``."""
from __future__ import annotations

import ctypes
import os as _os
import sys as _sys

from ..args import (bytes_arg, callee, check_count, int_arg, string_arg, string_result, bytes_result)
from ..errors import (invalid_arg_type)
from ..ops import to_bytes
from ..values import ImmutableMap, type_name
from .os_common import _err, _file_info, _fn, _path_error, _sys_mode


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
