"""The JIT's specialisation lattice: the types native code handles unboxed.

| type      | Tengo value                  | native representation           |
|-----------|------------------------------|---------------------------------|
| ``INT``   | Int                          | ``i64`` (two's-complement wrap) |
| ``FLOAT`` | Float                        | ``double`` (IEEE, never fast-math) |
| ``BOOL``  | Bool                         | ``i1``                          |
| ``VOID``  | undefined (a function's result only) | nothing                 |
| ``ARRAY`` | Array / ImmutableArray (read-only use: ``len``, discarded ``a[i]``) | ``PyObject*`` |
| ``Func``  | a compiled Tengo function with a known code object | ``PyObject*`` |

``None`` stands for "not known yet" while inference iterates over recursive functions.
Everything else (strings, maps, chars, errors, …) keeps a function on the baseline tier.
"""
from __future__ import annotations

from tengojit.values import ImmutableArray

INT = "int"
FLOAT = "float"
BOOL = "bool"
VOID = "void"
ARRAY = "array"

SCALARS = (INT, FLOAT, BOOL)


class Func:
    """A function value whose code object (hence prototype) is known."""
    __slots__ = ("code", "fid")

    def __init__(self, code, fid):
        self.code = code
        self.fid = fid

    def __eq__(self, other):
        return type(other) is Func and other.code is self.code

    def __hash__(self):
        return hash(id(self.code))

    def __repr__(self):
        return f"func#{self.fid}"


def type_of_value(v, program):
    """The lattice type of a runtime value, or None when native code cannot hold it."""
    t = type(v)
    if t is int:
        return INT
    if t is float:
        return FLOAT
    if t is bool:
        return BOOL
    if t is list or t is ImmutableArray:
        return ARRAY
    info = program.function_info(v) if callable(v) else None
    if info is not None:
        return Func(v.__code__, info.fid)
    return None


def show(t):
    return repr(t) if isinstance(t, Func) else str(t)
