"""Argument checking for builtin and standard-library functions: how many arguments a function
takes, and each argument converted with Tengo's rules and error texts (the reference keeps them
in ``stdlib/func_typedefs.go``).

``name`` is the function's name as the script sees it: a bare name (``"stat"``) is a module
function, ``user-function:stat`` in error texts; a name with a kind already
(``"builtin-function:len"``) is used as it is. Every checker raises ``OpError``, which the
runtime reports as a Tengo runtime error at the call.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from . import limits
from .errors import ERR_BYTES_LIMIT, ERR_STRING_LIMIT, OpError, invalid_arg_type, wrong_num_args
from .ops import to_bytes, to_float, to_int, to_str
from .strings import byte_len
from .values import ImmutableArray, UserFunction, type_name

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def callee(name: str) -> str:
    """The function's type name as errors print it (``user-function:<name>`` for a bare name)."""
    return name if ":" in name else "user-function:" + name


def check_count(name: str, args: Sequence, *allowed: int) -> None:
    """``wrong number of arguments`` unless ``len(args)`` is one of ``allowed``."""
    if len(args) not in allowed:
        raise wrong_num_args(callee(name))


def convert(name: str, which: str, value: Any, to: Callable[[Any], Any], expected: str,
            found: Any = None) -> Any:
    """``to(value)``, or the ``invalid type for argument`` error naming argument ``which``
    (``"first"``, …), the ``expected`` type and ``found``'s type (``value``'s by default)."""
    v = to(value)
    if v is None:
        raise invalid_arg_type(callee(name), which, expected,
                               type_name(value if found is None else found))
    return v


def string_arg(name: str, args: Sequence, i: int, found: int | None = None) -> str:
    """Argument ``i`` as a string (``ToString``: ``string(compatible)``); ``found`` names
    another argument whose type the error reports (as some reference functions do)."""
    return convert(name, ORDINALS[i], args[i], to_str, "string(compatible)",
                   None if found is None else args[found])


def int_arg(name: str, args: Sequence, i: int) -> int:
    """Argument ``i`` as an int (``ToInt``: ``int(compatible)``)."""
    return convert(name, ORDINALS[i], args[i], to_int, "int(compatible)")


def float_arg(name: str, args: Sequence, i: int) -> float:
    """Argument ``i`` as a float (``ToFloat64``: ``float(compatible)``)."""
    return convert(name, ORDINALS[i], args[i], to_float, "float(compatible)")


def bytes_arg(name: str, args: Sequence, i: int) -> bytes:
    """Argument ``i`` as bytes (``ToByteSlice``: ``bytes(compatible)``)."""
    return convert(name, ORDINALS[i], args[i], to_bytes, "bytes(compatible)")


def string_array_arg(name: str, args: Sequence, i: int) -> list:
    """Argument ``i`` as an array of strings: an array whose every element is a string (not
    merely convertible to one), as the reference's ``stringArray``."""
    v = args[i]
    if type(v) is not list and type(v) is not ImmutableArray:
        raise invalid_arg_type(callee(name), ORDINALS[i], "array", type_name(v))
    for k, e in enumerate(v):
        if type(e) is not str:
            raise invalid_arg_type(callee(name), f"{ORDINALS[i]}[{k}]", "string", type_name(e))
    return list(v)


def string_result(s: str) -> str:
    """``s``, unless it is longer than a Tengo string may be."""
    if byte_len(s) > limits.string_limit():
        raise OpError(ERR_STRING_LIMIT)
    return s


def bytes_result(b: bytes) -> bytes:
    """``b``, unless it is longer than Tengo bytes may be."""
    if len(b) > limits.bytes_limit():
        raise OpError(ERR_BYTES_LIMIT)
    return b


# argument kinds of ``adapt``: (converter, expected type as errors name it)
STRING = (to_str, "string(compatible)")
INT = (to_int, "int(compatible)")
FLOAT = (to_float, "float(compatible)")
BYTES = (to_bytes, "bytes(compatible)")


# Module functions that are exactly one IEEE-754 operation on one float argument (an int
# argument converted with float()), filled in by the modules that define them: function
# object -> operation ("sqrt", "abs", "floor", "ceil", "trunc"). The JIT computes a call of
# such a function itself (tengojit.jit.intrinsics).
IEEE_UNARY: dict = {}


def adapt(name: str, fn: Callable, params: Sequence[tuple], result: Callable | None = None) -> UserFunction:
    """The module function ``name`` around the Python function ``fn``: exactly
    ``len(params)`` arguments, each converted as its kind in ``params`` says (``STRING``,
    ``INT``, ``FLOAT``, ``BYTES``), then ``fn(*converted)``, passed through ``result`` when
    given (the reference's ``FuncA…R…`` adapters)."""
    n = len(params)

    def call(*args):
        if len(args) != n:
            raise wrong_num_args(callee(name))
        values = [convert(name, ORDINALS[i], args[i], to, expected)
                  for i, (to, expected) in enumerate(params)]
        r = fn(*values)
        return r if result is None else result(r)
    return UserFunction(name, call)
