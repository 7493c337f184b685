"""Runtime glue the generated code calls, and the mapping of Python exceptions to Tengo errors.

The generated code's namespace binds ``_add``, ``_index``, … to the functions below or to
``runtime/ops.py`` (see ``runtime_namespace``). ``translate_error`` turns any exception that
escaped generated code into a ``TengoRuntimeError`` with Tengo's message and position trace.
"""
from __future__ import annotations

import re
import sys
import warnings
from types import FunctionType

from .. import interrupts, limits, ops
from ..operators import runtime_functions
from ..errors import (OpError, RecursionLimitWarning, TengoError, TengoRuntimeError, with_host_cause,
                      ERR_ARRAY_LIMIT, ERR_STACK_OVERFLOW, ERR_OBJECT_ALLOC_LIMIT, ERR_STRING_LIMIT)
from ..values import (BUILTIN_NAMES, TYPE_NAMES, Char, Error, ImmutableArray, ImmutableMap,
                      type_name)

# Python frames a Tengo program may use beyond the caller's depth. Tengo allows 1024 frames
# (MaxFrames); each Tengo call is one Python frame, slow paths add a few. Self tail calls do
# not use frames at all.
FRAME_BUDGET = 6000


def ensure_recursion_budget():
    """Make sure Python's recursion limit leaves ``FRAME_BUDGET`` frames above the caller.

    The limit is process-wide and every Tengo call is a Python frame, so it is raised for good
    (restoring it after each run would race with other threads and cost every host call); the
    new limit is rounded up to a thousand, so later calls from similar depths leave it alone.
    The first raise warns once with ``RecursionLimitWarning``."""
    global _warned
    depth = 0
    f = sys._getframe()
    while f is not None:
        depth += 1
        f = f.f_back
    old = sys.getrecursionlimit()
    if old < depth + FRAME_BUDGET:
        new = (depth + FRAME_BUDGET + 999) // 1000 * 1000
        sys.setrecursionlimit(new)
        if not _warned:
            _warned = True
            warnings.warn(f"tengojit raised Python's recursion limit from {old} to {new} so that "
                          f"Tengo programs can call as deep as Tengo allows", RecursionLimitWarning,
                          stacklevel=4)


_warned = False


def truthy(v) -> bool:
    return not ops.is_falsy(v)


def spread(v):
    t = type(v)
    if t is list or t is ImmutableArray:
        return v
    raise OpError(f"not an array: {type_name(v)}")


def index_assign(root, keys, value):
    """``root[k0][k1]...[kn] = value`` with the messages of Tengo's indexAssign."""
    dst = root
    for k in keys[:-1]:
        try:
            dst = ops.index_get(dst, k)
        except OpError as e:
            m = e.message
            if m.startswith("not indexable"):
                raise OpError(f"not indexable: {type_name(dst)}") from None
            if m.startswith("invalid index type"):
                raise OpError(f"invalid index type: {type_name(k)}") from None
            raise
    ops.index_set(dst, keys[-1], value)


def alloc(G, value):
    """One object allocation under a max_allocs budget (kept in G[-1]: an ``array('q')`` of
    one item, which native code decrements in place too)."""
    budget = G[-1]
    budget[0] -= 1
    if budget[0] == 0:
        raise OpError(ERR_OBJECT_ALLOC_LIMIT)
    return value


def array_room(a, k):
    """True when ``a`` may grow by ``k`` elements in the calling thread's run (a script with
    an array limit of its own), else Tengo's-style ``exceeding array size limit``."""
    if len(a) + k > limits.array_limit():
        raise OpError(ERR_ARRAY_LIMIT)
    return True


def string_room(s, t):
    """True when ``s + t`` fits the calling thread's run's string limit, else the error."""
    mx = limits.string_limit()
    if (len(s) + len(t)) * 4 > mx and ops.str_byte_len(s) + ops.str_byte_len(t) > mx:
        raise OpError(ERR_STRING_LIMIT)
    return True


def call_counting(f, G, *args):
    """A call that counts the result of a builtin/host callee as one allocation (Tengo's VM)."""
    r = f(G, *args)
    if type(f) is not FunctionType or f in BUILTIN_NAMES:
        alloc(G, None)
    return r


def runtime_namespace():
    """Names the generated code uses, prefixed with ``_``: every operator's slow path (from
    the operator table) and the runtime helpers below."""
    return {
        **runtime_functions(),
        "_truthy": truthy, "_wrap": ops.wrap_int, "_keep_left": ops.keep_left,
        "_index": ops.index_get, "_slice": ops.slice_get, "_iset": index_assign,
        "_iter": ops.iterate, "_imm": ops.make_immutable, "_err": ops.make_error,
        "_spread": spread, "_FunctionType": FunctionType, "_alloc": alloc,
        "_callcount": call_counting, "_refcount": sys.getrefcount,
        "_limits": limits, "_STOP": False, "_stop": interrupts.check,
        "_array_room": array_room, "_string_room": string_room,
        "_Error": Error, "_Char": Char, "_ImmutableArray": ImmutableArray,
        "_ImmutableMap": ImmutableMap,
    }


# ---------------------------------------------------------------------- error translation
# Python type name (as Python's own error messages print it) -> Tengo type name
_PY_TO_TENGO_TYPE = {t.__name__: name for t, name in TYPE_NAMES.items()}
_ARITY_RE = re.compile(r"_tf(\d+)\(\) (?:takes (\d+) positional arguments? but (\d+)"
                       r"|missing (\d+) required positional)")
_NOT_CALLABLE_RE = re.compile(r"^'(\w+)' object is not callable")


def _message(exc, program) -> str:
    if isinstance(exc, OpError):
        return exc.message
    if isinstance(exc, RecursionError):
        return ERR_STACK_OVERFLOW
    if isinstance(exc, TypeError):
        text = str(exc)
        m = _ARITY_RE.search(text)
        if m and program is not None and int(m.group(1)) in program.arity:
            nparams, variadic = program.arity[int(m.group(1))]
            if m.group(3) is not None:
                got = int(m.group(3)) - 1
            else:
                got = (nparams - (1 if variadic else 0)) - int(m.group(4))
            if variadic:
                return f"wrong number of arguments: want>={nparams - 1}, got={got}"
            return f"wrong number of arguments: want={nparams}, got={got}"
        m = _NOT_CALLABLE_RE.match(text)
        if m:
            return f"not callable: {_PY_TO_TENGO_TYPE.get(m.group(1), m.group(1))}"
        return text
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return str(exc) or type(exc).__name__


def translate_error(exc, program) -> TengoError:
    """A ``TengoRuntimeError`` for ``exc``, its trace read from the generated frames."""
    if isinstance(exc, TengoError):
        return with_host_cause(exc, None)
    trace = []
    tb = exc.__traceback__
    files = program.code_files if program is not None else {}
    while tb is not None:
        code = tb.tb_frame.f_code
        fname = files.get(code)
        if fname is not None:
            pos = program.position(code, tb.tb_lasti)
            if pos is not None:
                trace.append((fname, pos[0], pos[1]))
        tb = tb.tb_next
    trace.reverse()
    native = getattr(exc, "native_trace", None)
    if native is not None:
        # frames of native code come first (innermost); the baseline frame that entered the
        # native code is the outermost native frame itself, so its own position goes
        if getattr(exc, "from_baseline", False) and trace:
            trace = trace[1:]
        trace = list(native) + trace
    cls = getattr(exc, "public_class", TengoRuntimeError)
    return with_host_cause(cls(_message(exc, program), trace), getattr(exc, "host_exception", None))
