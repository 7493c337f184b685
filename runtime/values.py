"""The value model: Tengo values are Python-native objects.

| Tengo           | Python                                   |
|-----------------|------------------------------------------|
| Int             | ``int`` (exact type; always in int64 range; ``bool`` is never an Int) |
| Float           | ``float``                                |
| String          | ``str``                                  |
| Bool            | ``bool`` (``True``/``False``)            |
| Char            | ``Char`` (below)                         |
| Bytes           | ``bytes`` (Tengo bytes are not index-assignable) |
| Array           | ``list`` (exact type)                    |
| ImmutableArray  | ``ImmutableArray`` (a ``list`` subclass never mutated) |
| Map             | ``dict`` with ``str`` keys (exact type)  |
| ImmutableMap    | ``ImmutableMap`` (a ``dict`` subclass never mutated) |
| Undefined       | ``None``                                 |
| Error           | ``Error`` (below)                        |
| Time            | ``datetime.datetime`` (timezone-aware)   |
| compiled function | a Python function made by the code generator: ``f(G, *args)`` |
| builtin function  | a Python function registered in ``builtins.BUILTIN_FUNCTIONS`` |
| host function     | ``UserFunction`` (below)               |

Calling convention: every Tengo callable is a Python callable taking the executing context's
globals list ``G`` first, then the Tengo arguments: ``callee(G, a, b)``. Anything else Python
can call is never a Tengo value.

Tests on type must use ``type(x) is T`` (exact), never ``isinstance`` for int/list/dict,
because ``bool`` subclasses ``int`` and the immutable containers subclass ``list``/``dict``.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import partial
from types import FunctionType
from typing import Any, Callable

from .errors import (ConversionError, HostError, IntOverflowError, OpError, TengoError,
                     wrong_num_args)

# builtin function -> its Tengo name; filled by builtins.py, which defines them (type_name
# needs the names, and the value model sits below the builtins)
BUILTIN_NAMES: dict = {}


INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


class Char:
    """A Tengo char: one Unicode code point (Go ``rune``: an int32)."""
    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code

    def __eq__(self, other):
        return type(other) is Char and other.code == self.code

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(("char", self.code))

    def __repr__(self):
        return f"Char({self.code!r})"


class ImmutableArray(list):
    """A Tengo immutable array. Runtime code never mutates it in place."""
    __slots__ = ()

    def __repr__(self):
        return f"ImmutableArray({list.__repr__(self)})"


class ImmutableMap(dict):
    """A Tengo immutable map (string keys). Runtime code never mutates it in place."""
    __slots__ = ()

    def __repr__(self):
        return f"ImmutableMap({dict.__repr__(self)})"


class Error:
    """A Tengo error value: ``error(value)``. Only ``.value`` is selectable from scripts."""
    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __repr__(self):
        return f"Error({self.value!r})"


class UserFunction:
    """A host (Python) function callable from Tengo.

    ``fn`` receives Tengo values (Python-native, see the table above) positionally, without
    ``G``; its result is returned to the script (``None`` → undefined). Raising ``OpError``
    gives a Tengo runtime error with that text; any other exception ends the run with
    ``host function '<name>' raised <class>: <message>``, the exception as the error's
    ``__cause__`` and ``host_exception``. ``type_name`` is ``user-function:<name>``.
    """
    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Callable) -> None:
        self.name = name
        self.fn = fn

    def __call__(self, G: list, *args: Any) -> Any:
        """Tengo's calling convention (the globals first): ``fn(*args)``."""
        try:
            return self.fn(*args)
        except _PASS_THROUGH:
            raise
        except Exception as e:                 # noqa: BLE001 - reported in Tengo's words
            raise host_failure(self, e) from e

    def __repr__(self):
        return f"<user-function:{self.name}>"


class HostFunction(UserFunction):
    """A Python callable added by the host (``Script.add``): values converted both ways.

    Tengo function arguments reach Python as plain callables over the calling script's
    globals; the result goes through ``from_python`` (so tuples become arrays, a result that
    Tengo cannot hold raises). An exception the callable raises ends the run with
    ``host function '<name>' raised <class>: <message>``, the exception as its cause.
    """
    __slots__ = ()

    def __call__(self, G: list, *args: Any) -> Any:
        if any(type(a) is FunctionType for a in args):
            args = [partial(a, G) if type(a) is FunctionType else a for a in args]
        try:
            r = self.fn(*args)
        except _PASS_THROUGH:
            raise
        except Exception as e:                 # noqa: BLE001 - reported in Tengo's words
            raise host_failure(self, e) from e
        return from_python(r)


# what a host function may raise that keeps its meaning: Tengo's own errors, and what the
# runtime reports as Tengo's "stack overflow" / "out of memory"
_PASS_THROUGH = (OpError, TengoError, RecursionError, MemoryError)


def host_failure(f: UserFunction, e: Exception) -> Exception:
    """What the script's run ends with when host function ``f`` raised ``e``: Tengo errors
    (``OpError``, a nested run's ``TengoError``) as they are; a call with the wrong number of
    arguments (a ``TypeError`` raised by the call itself, not inside ``fn``) as Tengo's
    ``wrong number of arguments``; any other exception as ``HostError`` naming the function
    and the exception's class (the exception is kept: the run's error has it as its cause).
    (``_PASS_THROUGH`` exceptions never get here.)"""
    if type(e) is TypeError and _raised_by_the_call(e):
        err = wrong_num_args("user-function:" + f.name)
        return err
    text = str(e)
    return HostError(f"host function '{f.name}' raised {type(e).__name__}"
                     + (f": {text}" if text else ""), e)


def _raised_by_the_call(e):
    """Did the TypeError come from binding the arguments (no frame inside the callee)?"""
    tb = e.__traceback__
    return tb is not None and tb.tb_next is None and (
        "positional argument" in str(e) or "keyword argument" in str(e)
        or "takes no arguments" in str(e) or "argument" in str(e) and "given" in str(e))


# Time zero value used where Tengo has time.Time{}.
ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)

FUNCTION_TYPE = FunctionType


def type_name(v: Any) -> str:
    """Tengo's ``TypeName()`` of a value (what ``type_name(x)`` returns and errors print)."""
    t = type(v)
    name = TYPE_NAMES.get(t)
    if name is not None:
        return name
    if t is FunctionType:
        bname = BUILTIN_NAMES.get(v)
        if bname is not None:
            return "builtin-function:" + bname
        return "compiled-function"
    if isinstance(v, UserFunction):
        return "user-function:" + v.name
    if isinstance(v, datetime):
        return "time"
    if callable(v):
        return "user-function:" + getattr(v, "__name__", "?")
    return t.__name__


TYPE_NAMES = {
    int: "int", float: "float", str: "string", bool: "bool", Char: "char", bytes: "bytes",
    list: "array", ImmutableArray: "immutable-array", dict: "map", ImmutableMap: "immutable-map",
    type(None): "undefined", Error: "error", datetime: "time",
}


# ---------------------------------------------------------------- host values
def from_python(v: Any, _depth: int = 0) -> Any:
    """Convert a host value to a Tengo value (Tengo's conversion table, Python edition).
    What Tengo cannot hold raises ``ConversionError`` (``IntOverflowError`` for ints beyond
    int64), cyclic or too deeply nested containers included."""
    if _depth == 0:
        try:
            return _from_python(v, 0)
        except RecursionError:
            raise ConversionError("value nested too deeply (cyclic?)") from None
    return _from_python(v, _depth)


def _from_python(v, _depth):
    from_python = _from_python
    t = type(v)
    if v is None or t is bool or t is float or t is str or t is bytes or t is Char or t is Error:
        return v
    if t is int:
        if not INT64_MIN <= v <= INT64_MAX:
            raise IntOverflowError(f"int {v} does not fit Tengo's int64")
        return v
    if _depth > 1000:
        raise ConversionError("value nested too deeply (cyclic?)")
    if t is list or t is tuple:
        return [from_python(x, _depth + 1) for x in v]
    if t is ImmutableArray:
        return ImmutableArray(from_python(x, _depth + 1) for x in v)
    if t is dict or t is ImmutableMap:
        out = {}
        for k, x in v.items():
            if type(k) is not str:
                raise ConversionError(f"map keys must be str, not {type(k).__name__}")
            out[k] = from_python(x, _depth + 1)
        return out if t is dict else ImmutableMap(out)
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return from_python(int(v))
    if isinstance(v, float):
        return float(v)
    if hasattr(v, "__index__") and not hasattr(v, "__len__"):     # numpy integers & co.
        return from_python(int(v.__index__()))
    if hasattr(v, "__float__") and type(v).__module__ == "numpy":  # numpy floats
        return float(v)
    if type(v).__module__ == "numpy" and type(v).__name__ == "bool_":
        return bool(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=timezone.utc)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=timezone.utc)
    if t is FUNCTION_TYPE:
        # a plain Python function from the host (compiled Tengo functions arrive as Closures)
        return HostFunction(getattr(v, "__name__", "host"), v)
    if getattr(t, "tengo_closure", False):
        # a closure of another compiled script: callable here as a host function that runs
        # in its own context (its own program and globals)
        return HostFunction(v.name or "closure", v)
    if isinstance(v, UserFunction):
        return v
    if callable(v):
        return HostFunction(getattr(v, "__name__", "host"), v)
    raise ConversionError(f"cannot convert {t.__name__} to a Tengo value")


def to_python(v: Any) -> Any:
    """Tengo value → host value. Values are Python-native already; this is the identity."""
    return v
