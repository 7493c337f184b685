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

from datetime import datetime, timezone
from types import FunctionType

_from_python = None     # script.from_python, imported on first use (script imports this module)


INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


class Char:
    """A Tengo char: one Unicode code point (Go ``rune``: an int32)."""
    __slots__ = ("code",)

    def __init__(self, code: int):
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

    def __init__(self, value=None):
        self.value = value

    def __repr__(self):
        return f"Error({self.value!r})"


class UserFunction:
    """A host (Python) function callable from Tengo.

    ``fn`` receives Tengo values (Python-native, see the table above) positionally, without
    ``G``; its result is returned to the script (``None`` → undefined). Raising ``OpError``
    gives a Tengo runtime error with that text; any other exception becomes a runtime error
    carrying the exception's message. ``type_name`` is ``user-function:<name>``.
    """
    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn):
        self.name = name
        self.fn = fn

    def __call__(self, G, *args):
        return self.fn(*args)

    def __repr__(self):
        return f"<user-function:{self.name}>"


class HostFunction(UserFunction):
    """A Python callable added by the host (``Script.add``): values converted both ways.

    Tengo function arguments reach Python as plain callables over the calling script's
    globals; the result goes through ``from_python`` (so tuples become arrays, a result that
    Tengo cannot hold raises). An exception the callable raises becomes a Tengo runtime error
    carrying its message.
    """
    __slots__ = ()

    def __call__(self, G, *args):
        global _from_python
        if any(type(a) is FunctionType for a in args):
            from functools import partial
            args = [partial(a, G) if type(a) is FunctionType else a for a in args]
        if _from_python is None:
            from .script import from_python
            _from_python = from_python
        return _from_python(self.fn(*args))


# Time zero value used where Tengo has time.Time{}.
ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)

FUNCTION_TYPE = FunctionType


def type_name(v) -> str:
    """Tengo's ``TypeName()`` of a value (what ``type_name(x)`` returns and errors print)."""
    t = type(v)
    name = _TYPE_NAMES.get(t)
    if name is not None:
        return name
    if t is FunctionType:
        from .builtins import BUILTIN_NAMES  # late: builtins imports this module
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


_TYPE_NAMES = {
    int: "int", float: "float", str: "string", bool: "bool", Char: "char", bytes: "bytes",
    list: "array", ImmutableArray: "immutable-array", dict: "map", ImmutableMap: "immutable-map",
    type(None): "undefined", Error: "error", datetime: "time",
}
