"""THE native ABI of tengojit's JIT — every layout and convention native code relies on.

Core functions (one per specialisation, ``lower.py``)::

    {T, i1} @<spec>(i8* ctx, i64 depth, <args...>, <captured values...>)   ; value result
    i1      @<spec>(i8* ctx, i64 depth, <args...>, <captured values...>)   ; undefined result
    i1      @<loop>(i8* ctx, <T*...>)          ; a hot top-level loop (main body or function)

* the ``i1`` is the error flag: ``0`` = ok (with the result ``T`` beside it, in registers),
  ``1`` = a Tengo runtime error: ``ctx.err`` holds its code (``ERR_*`` below) and the trace
  buffer the positions, innermost first; every native frame the error leaves appends the
  position it was executing (the failing operation, then each call site), exactly the frames
  Tengo prints (accumulator jumps count as the frames they replace).
* ``depth`` is the number of native frames still allowed; entering a function with none left
  is ``stack overflow`` (``ERR_STACK_OVERFLOW``); calls pass ``depth - 1``.
* a captured variable that closures assign (``Spec.cell_syms``) is passed as its cell, a
  borrowed ``PyCellObject*`` (the entry checked it is not empty), read and written through
  ``ob_ref``; a function's own such variables (``Spec.own_cells``) live in cells it makes
  when its body starts, which the closures it makes share; a per-iteration such variable
  (``Spec.own_boxes``) lives in a one-element list made afresh by each definition;
* arguments and captured values are unboxed: ``i64`` ints (wrap-around arithmetic, no ``nsw``),
  ``double`` floats (no fast-math; constants and negated operands go through an opaque barrier
  so NaN bits are the hardware's), ``i1`` bools.
* a loop region of a function body takes one pointer per variable of the function it uses
  (its *frame*: ``Spec.frame_syms``, unboxed ``T`` as above), loads them on entry and stores
  their final values back on every exit; the loop entry unboxes them from the frame list and,
  after a successful run, boxes them back into it (``PyList_SetItem``).
* globals are read and written in the context's globals list through ``ctx.globals`` (boxed
  ``PyObject*``); a loop region keeps the globals no callee touches in registers and writes them
  back (when assigned) on every exit, error exits included.

The context (``%ctx``, 48 bytes), allocated by the entry wrapper on its own stack, one per
native activation (so nothing in it is shared between threads or calls)::

    offset 0   PyObject **globals      ob_item of the globals list (its length checked by the
                                       entry: at least one slot past every slot the code uses)
    offset 8   i64 depth budget        frames a loop region may use (functions get theirs as
                                       the ``depth`` argument)
    offset 16  i32 err                 error code
    offset 20  i32 ntrace              positions recorded (capped at MAX_TRACE)
    offset 24  i32 *trace              ``(file id, line, col)`` triples, innermost first:
                                       NULL until the first position is recorded, then a
                                       ``PyMem_RawMalloc`` block of MAX_TRACE triples, which
                                       the entry frees after reading it
    offset 32  i64 stack limit         the lowest stack address a native frame may reach in
                                       this thread (``_hostcall.tengojit_stack_limit()``)
    offset 40  PyObject *globals list  the list itself (borrowed from the entry's caller):
                                       after a slow path (see below) the code reloads
                                       ``ob_item`` from it and checks the entry's assumptions
                                       again (``tj_revalidate``)

Values of type ``OBJ`` (any value) are ``PyObject*``. Every ``OBJ`` value an expression yields
is an owned (new) reference; every variable slot of type ``OBJ`` owns its reference (``NULL``
until assigned) and is released on every exit; arguments are passed borrowed (the caller
keeps its references for the duration of the call) and results returned owned. A *slow path*
is a call of a Python function of the runtime (``slowpaths.py``, which calls the very
functions the baseline tier calls) through ``PyObject_Vectorcall``: it may run Python code,
so afterwards the code checks the entry's assumptions again (another thread may have run);
when they no longer hold it stops with ``ERR_STATE_CHANGED``. A slow path that raises leaves
with ``ERR_PYEXC``: the exception is set, the trace holds the positions.

Native frames are counted by the ``depth`` argument every core function takes (frames left),
and their bytes by the stack limit: every core compares its stack pointer with the limit on
entry (``stack overflow`` below it), so a recursion of large frames ends in Tengo's error, not
past the thread's stack. An entry that finds its own stack pointer below the limit runs the
baseline code instead (prologue and loop entries) or the function's Python code (host and
bound entries).

Entry wrappers (``wrapper.py``) are ``METH_FASTCALL`` functions made builtins with
``PyCFunction_NewEx``:

* *prologue entry* ``(G, args..., captured values...)``: called by the baseline code of the
  function itself (its JIT prologue, see ``interp/codegen.py``);
* *bound entry* ``self = (G, function, slow, owner)``: ``(args...)``; what ``ctx.bind`` returns and
  ``ctx.call`` uses; when a check fails it returns ``slow(*args)``, the context's general path;
* *host entry* ``(function, G, args...)``: what the host-call trampoline (``ctx.call``)
  calls, one per specialisation for every context; falls back to ``function(G, args...)``;
* *loop entry* ``(G,)``: called by the main body in place of a hot loop; ``(G, F)`` for a loop
  of a function body, ``F`` the list of the frame's values (checked: a list of that length,
  each item of the type compiled for), holding their final values after a run;
* *map entry* ``self = (G, function, owner)``: ``(in, out)`` numpy arrays: ``ctx.map`` over an int64 /
  float64 array, one native loop, no boxing.

Every builtin holds its program's ``CodeOwner`` (its ``self``, or the last item of its ``self``
tuple; ``engine.py``), which keeps the machine code and the ``PyMethodDef`` alive.

Each wrapper checks every assumption of the native code on every entry — argument types,
captured value types, the types of the globals read, and for each callee held by a global its
code object and the types of its captured variables — so compiled code never runs on a state it
was not compiled for. Native code calls only native code, so the assumptions hold for the whole
activation. On a failed check a prologue/loop entry returns the ``DEOPT`` sentinel (the caller
runs the Python code) and a bound entry calls the Python function itself.

CPython 3.11 layouts used (checked at start-up by ``engine.check_layouts``): ``ob_refcnt`` at
0, ``ob_type`` at 8; ``PyDictObject.ma_used`` at 16;
``PyDictObject.ma_keys`` at 32 and ``ma_values`` at 40, and of ``PyDictKeysObject`` the index
size at 9, the kind at 10, ``dk_nentries`` at 24 and the index from 32, str-keyed entries
(key, value) after it; the GC header's ``_gc_next`` 16 bytes before a tracked object;
``PyLongObject``: ``ob_size`` at 16, 30-bit digits from 24; ``PyFloatObject.ob_fval`` at 16;
``PyListObject.ob_item`` at 24 and ``allocated`` at 32; tuple items from 24; ``PyCellObject.ob_ref`` at 16;
``PyFunctionObject``: ``func_code`` at 48, ``func_closure`` at 72; ``PyCodeObject.co_extra``
at 176 (``NULL``, or a block of its size then one pointer per index).
"""
import ctypes


NATIVE_DEPTH = 20000       # most native frames one activation may use (C stack safety)
OFF_TSTATE_RECURSION_REMAINING = 32   # PyThreadState.recursion_remaining (3.11)
OFF_TSTATE_RECURSION_LIMIT = 36
MAX_TRACE = NATIVE_DEPTH + 64
CTX_SIZE = 48
CTX_GLOBALS = 0
CTX_DEPTH = 8
CTX_ERR = 16
CTX_NTRACE = 20
CTX_TRACE = 24
CTX_STACK_LIMIT = 32
CTX_GLOBALS_LIST = 40

OFF_REFCNT = 0
OFF_OB_TYPE = 8
OFF_DICT_USED = 16        # PyDictObject.ma_used
OFF_DICT_KEYS = 32        # PyDictObject.ma_keys (PyDictKeysObject*)
OFF_DICT_VALUES = 40      # PyDictObject.ma_values (NULL: a combined table, entries hold values)
OFF_DK_LOG2_INDEX_BYTES = 9   # PyDictKeysObject.dk_log2_index_bytes (uint8)
OFF_DK_KIND = 10          # PyDictKeysObject.dk_kind (uint8)
OFF_DK_NENTRIES = 24      # PyDictKeysObject.dk_nentries
OFF_DK_INDICES = 32       # PyDictKeysObject.dk_indices; entries follow the 2**log2 index bytes
DK_KIND_UNICODE = 1       # every key a str: entries are (me_key, me_value), 16 bytes
DICT_ENTRY_BYTES = 16
DICT_SCAN_MAX = 16        # a map this large or smaller is searched by key identity on a miss
OFF_GC_NEXT = -16         # PyGC_Head._gc_next, before the object: non-zero when GC-tracked
OFF_STR_LENGTH = 16       # PyASCIIObject.length (code points)
OFF_STR_STATE = 32        # PyASCIIObject.state; bit STR_ASCII_BIT: only ASCII characters
STR_ASCII_BIT = 6
OFF_LONG_SIZE = 16
OFF_LONG_DIGIT = 24
OFF_FLOAT_VAL = 16
OFF_LIST_ITEMS = 24
OFF_LIST_ALLOCATED = 32  # PyListObject.allocated: ob_item has room for this many
OFF_LIST_SIZE = 16
OFF_TUPLE_ITEMS = 24
OFF_CELL_REF = 16
OFF_FUNC_CODE = 48
OFF_FUNC_CLOSURE = 72
OFF_CODE_EXTRA = 176     # PyCodeObject.co_extra (_PyCodeObjectExtra*: ce_size, then ce_extras[])
OFF_ARRAY_ITEMS = 24      # arrayobject.ob_item (the ``array`` module's arrays: max_allocs' budget)
OFF_NP_DATA = 16          # PyArrayObject.data (numpy 1.x and 2.x)
OFF_NP_DIMS = 32          # PyArrayObject.dimensions

TRACE_ENTRY_INTS = 3       # one trace position: (file id, line, col), int32 each
TRACE_BYTES = 4 * TRACE_ENTRY_INTS * MAX_TRACE

ERR_DIV_ZERO = 1
ERR_STACK_OVERFLOW = 2
ERR_INTERRUPTED = 3       # a signal handler raised in a poll (Ctrl-C): the exception is set
ERR_PYEXC = 4             # a slow path raised: the exception (an OpError, usually) is set
ERR_STATE_CHANGED = 5     # the entry's assumptions stopped holding during a slow path
ERR_ALLOC_LIMIT = 6       # max_allocs: the run's allocation budget is spent

# Polling. Native code tests the process-wide int32 poll flag (``_hostcall``'s
# ``poll_flag_address()``) at every loop back-edge, every self tail call, and on entry to one
# copy of each recursion ring and to every function of a call cycle (a bounded ring that
# never polls gets only subtrees of at most ``descent.POLL_SUBTREE_CALLS`` calls). When the
# flag is set it calls ``_hostcall.tengojit_poll_ctx(ctx)`` → ``int tengojit_poll(PyObject *G)``
# (the globals list of ``ctx``), which clears the flag, releases and retakes the GIL (other threads run), runs
# signal handlers (Ctrl-C: ``ERR_INTERRUPTED``) and, while some run has a deadline or cancel
# token, ``interrupts.check`` (a stop: ``ERR_PYEXC``, the exception set); then, as after a
# slow path, the context's pointer to the globals' items is refreshed and the entry's
# assumptions are checked again (``tj_revalidate``: ``ERR_STATE_CHANGED``). A C ticker
# thread sets the flag every 5 ms while native code runs; a cancelled run sets it at once.

ERROR_MESSAGES = {ERR_DIV_ZERO: "division by zero", ERR_STACK_OVERFLOW: "stack overflow",
                  ERR_ALLOC_LIMIT: "allocation limit exceeded",
                  ERR_STATE_CHANGED: "globals changed by another thread during a native call"}

# An activation may use as many native frames as the baseline tier would still have Python
# frames (the thread's remaining recursion budget, read at entry), at most NATIVE_DEPTH, so
# deep recursion fails with ``stack overflow`` at the same depth on both tiers.


def read_failure(addr):
    """``(error code, [(file id, line, col), ...])`` of the failed activation whose context is
    at address ``addr`` (its trace buffer, if any, is still allocated: the entry frees it)."""
    err = ctypes.c_int32.from_address(addr + CTX_ERR).value
    n = min(ctypes.c_int32.from_address(addr + CTX_NTRACE).value, MAX_TRACE)
    buf = ctypes.c_void_p.from_address(addr + CTX_TRACE).value
    trace = []
    if buf and n > 0:
        k = TRACE_ENTRY_INTS
        arr = (ctypes.c_int32 * (k * n)).from_address(buf)
        trace = [tuple(arr[k * i:k * i + k]) for i in range(n)]
    return err, trace


# What a loop entry returns when its region left the function with ``return`` (the value is
# the last item of the frame list; the generated code returns it): one object for the
# process, compared by identity.
LOOP_RETURNED = object()
