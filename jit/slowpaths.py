"""The slow paths of native code: Python functions native code calls for what its inline fast
paths do not cover, each delegating to the very runtime function the baseline tier calls, so
the two tiers cannot disagree.

Contract (see ``callconv.py``): every function here takes ``PyObject*`` arguments (native code
boxes scalars first), returns a new reference to a Tengo value, and raises ``OpError`` (or
another exception, which native code passes on with ``ERR_PYEXC``) for a Tengo runtime error.
Native code calls them through ``PyObject_Vectorcall`` with the addresses of the objects in
``SLOW``, which this module keeps alive for the life of the process.
"""
from __future__ import annotations

from tengojit import ops
from tengojit.builtins import BUILTIN_FUNCTIONS
from tengojit.interp.rt import alloc, call_counting, index_assign, spread, truthy
from tengojit.operators import BINARY, UNARY


def index_set(base, value, *keys):
    """``base[k0]...[kn] = value`` (Tengo's indexAssign, with its messages)."""
    index_assign(base, keys, value)
    return None


_END = False


def iter_next(it):
    """The next ``(key, value)`` of a ``for-in`` iterator (``ops.iterate``), or False."""
    return next(it, _END)


def call(fn, G, *args):
    """A call of any value, as the baseline tier makes it (``fn(G, *args)``)."""
    return fn(G, *args)


def call_spread(fn, G, *args):
    """``fn(args..., last...)``."""
    return fn(G, *args[:-1], *spread(args[-1]))


def is_true(v):
    """Tengo's truthiness of any value, as a Python bool."""
    return truthy(v)


def not_(v):
    return not truthy(v)


def alloc_tick(G):
    """One allocation under max_allocs, counted by the runtime itself (``rt.alloc``)."""
    alloc(G, None)


def call_counting_spread(fn, G, *args):
    """``fn(args..., last...)`` counted as the baseline tier counts calls."""
    return call_counting(fn, G, *args[:-1], *spread(args[-1]))


def concat_items(x, *items):
    """``x + [items...]``: Tengo's ``+`` with an array literal (``X += [a, b]``), the general
    case of native code's in-place growth."""
    return BINARY["+"].function(x, list(items))


SLOW = {
    "alloc_tick": alloc_tick,
    "call_counting": call_counting,
    "call_spread_counting": call_counting_spread,
    "concat_items": concat_items,
    "index_get": ops.index_get,
    "index_set": index_set,
    "slice_get": ops.slice_get,
    "truthy": is_true,
    "make_error": ops.make_error,
    "make_immutable": ops.make_immutable,
    "iterate": ops.iterate,
    "iterate_watched": ops.iterate_watched,
    "iter_next": iter_next,
    "call": call,
    "call_spread": call_spread,
}
SLOW.update({"binary" + op: row.function for op, row in BINARY.items()})
SLOW.update({"unary" + op: row.function for op, row in UNARY.items()})
SLOW.update({"builtin_" + name: fn for name, fn in BUILTIN_FUNCTIONS.items()})


def address(name):
    """The address of slow path ``name`` (a function object kept alive by ``SLOW``)."""
    return id(SLOW[name])
