"""Standard-library functions native code computes itself.

A call of a value known only at run time whose callee is written ``<x>.<name>`` (as in
``math.sqrt(d)``) with one argument compares the callee with the module function registered
for operation ``name`` in ``tengojit.args.IEEE_UNARY`` (by identity, at run time: a module's
function objects are shared by every program; the ``math`` module registers ``sqrt``,
``abs``, ``floor``, ``ceil`` and ``trunc``); when it is that function and the argument is an
int or a float, the call is the LLVM intrinsic below on the argument as a float (the module
converts an int with ``float(v)`` as well). Each is IEEE-exact, as the module's own: NaN, ±0
and ±Inf come out as the module returns them (``sqrt`` of a negative number: x86's default NaN,
sign bit set, as Go's ``Sqrt`` gives it).
"""
from __future__ import annotations

from tengojit.args import IEEE_UNARY

UNARY_FLOAT = {
    "sqrt": "llvm.sqrt.f64",
    "abs": "llvm.fabs.f64",
    "floor": "llvm.floor.f64",
    "ceil": "llvm.ceil.f64",
    "trunc": "llvm.trunc.f64",
}


def unary_float(name: str):
    """(the registered function object, LLVM intrinsic name) for operation ``name``, or None
    (no such operation, or no module defining it has been loaded)."""
    intrinsic = UNARY_FLOAT.get(name)
    if intrinsic is None:
        return None
    for fn, op in list(IEEE_UNARY.items()):
        if op == name:
            return fn, intrinsic
    return None
