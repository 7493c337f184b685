"""Tengo's builtin functions (builtins.go), in Tengo's order.

Each is ``builtin_xxx(G, *args)``: ``G`` is the calling context's globals list (unused here).
Errors use the VM's wording: ``wrong number of arguments in call to 'builtin-function:len'``,
``invalid type for argument 'first' in call to 'builtin-function:len': expected ..., found ...``.
"""
from __future__ import annotations

from datetime import datetime

from . import limits
from . import ops
from .errors import OpError, invalid_arg_type, wrong_num_args
from .formatter import format_tengo
from .values import BUILTIN_NAMES, Char, Error, ImmutableArray, ImmutableMap, type_name

_F = "builtin-function:"


def _nargs(name):
    return wrong_num_args(_F + name)


def _argtype(name, which, expected, v):
    return invalid_arg_type(_F + name, which, expected, type_name(v))


def builtin_len(G, *args):
    if len(args) != 1:
        raise _nargs("len")
    v = args[0]
    t = type(v)
    if t is str:
        return ops.str_byte_len(v)
    if t is list or t is dict or t is bytes or t is ImmutableArray or t is ImmutableMap:
        return len(v)
    raise _argtype("len", "first", "array/string/bytes/map", v)


def builtin_copy(G, *args):
    if len(args) != 1:
        raise _nargs("copy")
    return ops.deep_copy(args[0])


def builtin_append(G, *args):
    if len(args) < 2:
        raise _nargs("append")
    arr = args[0]
    t = type(arr)
    if t is list or t is ImmutableArray:
        if limits.RUN_LIMITS:
            ops.check_array_len(len(arr) + len(args) - 1)
        r = list(arr)
        r.extend(args[1:])
        return r
    raise _argtype("append", "first", "array", arr)


def builtin_delete(G, *args):
    if len(args) != 2:
        raise _nargs("delete")
    m, key = args
    if type(m) is not dict:
        raise _argtype("delete", "first", "map", m)
    if type(key) is not str:
        raise _argtype("delete", "second", "string", key)
    m.pop(key, None)
    return None


def builtin_splice(G, *args):
    n = len(args)
    if n == 0:
        raise _nargs("splice")
    arr = args[0]
    if type(arr) is not list:
        raise _argtype("splice", "first", "array", arr)
    size = len(arr)
    start = 0
    if n > 1:
        s = args[1]
        if type(s) is not int:
            raise _argtype("splice", "second", "int", s)
        if s < 0 or s > size:
            raise OpError("index out of bounds")
        start = s
    count = size
    if n > 2:
        c = args[2]
        if type(c) is not int:
            raise _argtype("splice", "third", "int", c)
        if c < 0:
            raise OpError("index out of bounds")
        count = c
    end = start + count if start + count <= size else size
    if ops.WATCHED:
        ops.note_shrink(arr, size - (end - start) + len(args) - 3)
    if limits.RUN_LIMITS:
        ops.check_array_len(size - (end - start) + len(args[3:]))
    deleted = arr[start:end]
    arr[start:end] = args[3:]
    return deleted


def builtin_string(G, *args):
    n = len(args)
    if n != 1 and n != 2:
        raise _nargs("string")
    v = args[0]
    if type(v) is str:
        return v
    s = ops.to_str(v)
    if s is not None:
        if len(s) * 4 > limits.string_limit() and ops.str_byte_len(s) > limits.string_limit():
            raise OpError("exceeding string size limit")
        return s
    return args[1] if n == 2 else None


def _converter(name, convert, own_type=None):
    """The builtin ``name(v[, default])``: ``v`` itself when it already has ``own_type``, else
    ``convert(v)``, or ``default`` (undefined without one) when ``convert`` gives None."""
    def f(G, *args):
        n = len(args)
        if n != 1 and n != 2:
            raise _nargs(name)
        v = args[0]
        if type(v) is own_type:
            return v
        r = convert(v)
        if r is not None:
            return r
        return args[1] if n == 2 else None
    f.__name__ = f.__qualname__ = "builtin_" + name
    return f


builtin_int = _converter("int", ops.to_int, int)
builtin_float = _converter("float", ops.to_float, float)
builtin_char = _converter("char", ops.to_char)
builtin_time = _converter("time", ops.to_time)


def builtin_bool(G, *args):
    if len(args) != 1:
        raise _nargs("bool")
    v = args[0]
    if type(v) is bool:
        return v
    return not ops.is_falsy(v)


def builtin_bytes(G, *args):
    n = len(args)
    if n != 1 and n != 2:
        raise _nargs("bytes")
    v = args[0]
    if type(v) is int:
        if v > limits.bytes_limit():
            raise OpError("exceeding bytes size limit")
        if v < 0:
            # Go's make([]byte, n) panics here; report it as a runtime error.
            raise OpError("makeslice: len out of range")
        return bytes(v)
    b = ops.to_bytes(v)
    if b is not None:
        if len(b) > limits.bytes_limit():
            raise OpError("exceeding bytes size limit")
        return b
    return args[1] if n == 2 else None


def _is_type(name, *types):
    def f(G, *args):
        if len(args) != 1:
            raise _nargs(name)
        return type(args[0]) in types
    f.__name__ = f.__qualname__ = "builtin_" + name
    return f


# ``is_<kind>(x)``: true exactly when ``type(x)`` is that type (the tiers inline these tests)
TYPE_PREDICATES = {
    "is_int": int, "is_float": float, "is_string": str, "is_bool": bool, "is_char": Char,
    "is_bytes": bytes, "is_array": list, "is_immutable_array": ImmutableArray, "is_map": dict,
    "is_immutable_map": ImmutableMap, "is_error": Error,
}

builtin_is_int = _is_type("is_int", int)
builtin_is_float = _is_type("is_float", float)
builtin_is_string = _is_type("is_string", str)
builtin_is_bool = _is_type("is_bool", bool)
builtin_is_char = _is_type("is_char", Char)
builtin_is_bytes = _is_type("is_bytes", bytes)
builtin_is_array = _is_type("is_array", list)
builtin_is_immutable_array = _is_type("is_immutable_array", ImmutableArray)
builtin_is_map = _is_type("is_map", dict)
builtin_is_immutable_map = _is_type("is_immutable_map", ImmutableMap)
builtin_is_error = _is_type("is_error", Error)


def builtin_is_iterable(G, *args):
    if len(args) != 1:
        raise _nargs("is_iterable")
    return ops.is_iterable(args[0])


def builtin_is_time(G, *args):
    if len(args) != 1:
        raise _nargs("is_time")
    return isinstance(args[0], datetime)


def builtin_is_undefined(G, *args):
    if len(args) != 1:
        raise _nargs("is_undefined")
    return args[0] is None


def builtin_is_function(G, *args):
    if len(args) != 1:
        raise _nargs("is_function")
    return type_name(args[0]) == "compiled-function"


def builtin_is_callable(G, *args):
    if len(args) != 1:
        raise _nargs("is_callable")
    v = args[0]
    return callable(v) and not isinstance(v, type)


def builtin_type_name(G, *args):
    if len(args) != 1:
        raise _nargs("type_name")
    return type_name(args[0])


def builtin_format(G, *args):
    if not args:
        raise _nargs("format")
    fmt = args[0]
    if type(fmt) is not str:
        raise _argtype("format", "format", "string", fmt)
    if len(args) == 1:
        return fmt
    s = format_tengo(fmt, list(args[1:]))
    mx = limits.string_limit()
    if len(s) * 4 > mx and ops.str_byte_len(s) > mx:
        raise OpError("exceeding string size limit")
    return s


_RANGE_ARG_NAMES = ("start", "stop", "step")


def builtin_range(G, *args):
    n = len(args)
    if n < 2 or n > 3:
        raise _nargs("range")
    for i, a in enumerate(args):
        if type(a) is not int:
            raise _argtype("range", _RANGE_ARG_NAMES[i], "int", a)
        if i == 2 and a <= 0:
            raise OpError("range step must be greater than 0")
    start, stop = args[0], args[1]
    step = args[2] if n == 3 else 1
    r = range(start, stop, step) if start <= stop else range(start, stop, -step)
    if limits.RUN_LIMITS:
        ops.check_array_len(len(r))
    return list(r)


def builtin_freeze(G, *args):
    if len(args) != 1:
        raise _nargs("freeze")
    return ops.freeze(args[0])


BUILTIN_FUNCTIONS = {
    "len": builtin_len,
    "copy": builtin_copy,
    "append": builtin_append,
    "delete": builtin_delete,
    "splice": builtin_splice,
    "string": builtin_string,
    "int": builtin_int,
    "bool": builtin_bool,
    "float": builtin_float,
    "char": builtin_char,
    "bytes": builtin_bytes,
    "time": builtin_time,
    "is_int": builtin_is_int,
    "is_float": builtin_is_float,
    "is_string": builtin_is_string,
    "is_bool": builtin_is_bool,
    "is_char": builtin_is_char,
    "is_bytes": builtin_is_bytes,
    "is_array": builtin_is_array,
    "is_immutable_array": builtin_is_immutable_array,
    "is_map": builtin_is_map,
    "is_immutable_map": builtin_is_immutable_map,
    "is_iterable": builtin_is_iterable,
    "is_time": builtin_is_time,
    "is_error": builtin_is_error,
    "is_undefined": builtin_is_undefined,
    "is_function": builtin_is_function,
    "is_callable": builtin_is_callable,
    "type_name": builtin_type_name,
    "format": builtin_format,
    "range": builtin_range,
    "freeze": builtin_freeze,
}

BUILTIN_NAMES.update({fn: name for name, fn in BUILTIN_FUNCTIONS.items()})
