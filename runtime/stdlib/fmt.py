"""Tengo's ``fmt`` module: ``print``, ``printf``, ``println``, ``sprintf``.

Semantics of the reference (``stdlib/fmt.go``):

- ``print(args...)`` / ``println(args...)`` write each argument's ``ToString`` form (strings
  raw, undefined as nothing, other values as ``String()``) with no separators; ``println``
  appends ``"\\n"``. If the arguments' total length exceeds the string limit they fail with
  ``exceeding string size limit``. Both return undefined.
- ``printf(format, args...)`` prints ``Format(format, args...)``; with the format alone the
  reference hands the String *object* to Go's ``fmt.Print``, which prints its ``String()``, i.e.
  the format **Go-quoted** (``fmt.printf("hi\\n")`` prints ``"hi\\n"`` with the quotes and the
  backslash). Returns undefined.
- ``sprintf(format, args...)`` returns ``Format(format, args...)``; with the format alone it
  returns the format unchanged.
- No argument: ``wrong number of arguments``; a non-string format: ``invalid type for argument
  'format' ...: expected string, found <type>``.

Output goes to ``sys.stdout`` as found at call time.
"""
from __future__ import annotations

import sys

from .. import limits
from ..errors import OpError, ERR_STRING_LIMIT, wrong_num_args, invalid_arg_type
from ..formatter import format_tengo
from ..strings import to_display, go_quote, byte_len
from ..values import UserFunction, type_name


def _write(s: str) -> None:
    out = sys.stdout
    try:
        out.write(s)
    except UnicodeEncodeError:
        # invalid UTF-8 kept as surrogate escapes: write the raw bytes when we can
        data = s.encode("utf-8", "surrogateescape")
        buf = getattr(out, "buffer", None)
        if buf is None:
            out.write(s.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        else:
            out.flush()
            buf.write(data)
            buf.flush()


def _print_text(args) -> str:
    parts = [to_display(a) for a in args]
    limit = limits.string_limit()
    # a character is at most 4 bytes: only measure bytes when it could matter
    if sum(map(len, parts)) * 4 > limit and sum(map(byte_len, parts)) > limit:
        raise OpError(ERR_STRING_LIMIT)
    return "".join(parts)


def _check_format(name: str, args):
    if not args:
        raise wrong_num_args("user-function:" + name)
    f = args[0]
    if type(f) is not str:
        raise invalid_arg_type("user-function:" + name, "format", "string", type_name(f))
    return f


def fmt_print(*args):
    _write(_print_text(args))
    return None


def fmt_println(*args):
    _write(_print_text(args) + "\n")
    return None


def fmt_printf(*args):
    f = _check_format("printf", args)
    if len(args) == 1:
        _write(go_quote(f))  # the reference prints the String object's String(): quoted
    else:
        _write(format_tengo(f, args[1:]))
    return None


def fmt_sprintf(*args):
    f = _check_format("sprintf", args)
    if len(args) == 1:
        return f
    return format_tengo(f, args[1:])


MODULE = {
    "print": UserFunction("print", fmt_print),
    "printf": UserFunction("printf", fmt_printf),
    "println": UserFunction("println", fmt_println),
    "sprintf": UserFunction("sprintf", fmt_sprintf),
}
