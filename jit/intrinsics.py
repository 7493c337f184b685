"""Standard-library functions native code computes itself.

A call of a value known only at run time whose callee is written ``<x>.<name>`` (as in
``math.sqrt(d)``) with one argument compares the callee with the ``math`` module's function
``name`` (by identity, at run time: the module's function objects are shared by every
program); when it is that function and the argument is an int or a float, the call is the
LLVM intrinsic below on the argument as a float (the module converts an int with
``float(v)`` as well). Each listed function is IEEE-exact, as the module's own: NaN, ±0 and
±Inf come out as the module returns them (``sqrt`` of a negative number: its NaN, sign
bit clear).
"""
from __future__ import annotations

from tengojit.stdlib import math as _math

UNARY_FLOAT = {
    "sqrt": "llvm.sqrt.f64",
    "abs": "llvm.fabs.f64",
    "floor": "llvm.floor.f64",
    "ceil": "llvm.ceil.f64",
    "trunc": "llvm.trunc.f64",
}


def unary_float(name: str):
    """(the module's function object, LLVM intrinsic name) for ``math.<name>``, or None."""
    intrinsic = UNARY_FLOAT.get(name)
    if intrinsic is None:
        return None
    return _math.MODULE[name], intrinsic
