"""The JIT's specialisation lattice: the types native code handles unboxed.

| type      | Tengo value                  | native representation           |
|-----------|------------------------------|---------------------------------|
| ``INT``   | Int                          | ``i64`` (two's-complement wrap) |
| ``FLOAT`` | Float                        | ``double`` (IEEE, never fast-math) |
| ``BOOL``  | Bool                         | ``i1``                          |
| ``VOID``  | undefined (a function's result only) | nothing                 |
| ``OBJ``   | any value (dynamic): strings, arrays, maps, chars, errors, undefined, functions, … | ``PyObject*``, an owned reference |
| ``Func``  | a compiled Tengo function with a known code object (a callee held by a global) | ``PyObject*`` |

``None`` stands for "not known yet" while inference iterates over recursive functions.
``OBJ`` is the top of the lattice: a variable assigned values of two different types holds
``OBJ`` (scalars are boxed into it), and operations on it run inline fast paths for the common
cases and the baseline's own runtime functions for the rest (``lower.py``).
"""
from __future__ import annotations

INT = "int"
FLOAT = "float"
BOOL = "bool"
VOID = "void"
OBJ = "obj"

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
    """The lattice type of a runtime value (``Func`` for a function of ``program``)."""
    t = type(v)
    if t is int:
        return INT
    if t is float:
        return FLOAT
    if t is bool:
        return BOOL
    info = program.function_info(v) if callable(v) else None
    if info is not None:
        return Func(v.__code__, info.fid)
    return OBJ


def value_type(t):
    """The type a value of lattice type ``t`` has where it is used as a value (not called):
    a known function is just an object there."""
    return OBJ if isinstance(t, Func) else t


def join(a, b):
    """The least type holding values of types ``a`` and ``b`` (None: not known yet)."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    return OBJ


def show(t):
    return repr(t) if isinstance(t, Func) else str(t)
