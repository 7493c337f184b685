/*
 * tengojit._hostcall: the host -> script call trampoline in C.
 *
 * A Caller is what `ExecutionContext.call` (and `bind`) is: a vectorcall object that turns
 * `ctx.call(closure, a, b)` into `fn(G, a, b)` without a Python frame of its own, so calling a
 * Tengo closure from Python costs what calling it from Tengo costs.
 *
 * The fast path handles the common case only and hands everything else to `slow`, a Python
 * callable with the same signature that implements the full semantics (argument conversion,
 * other callables, shared contexts):
 *   - the calling thread is the context's owner (see context.py for the threading model);
 *   - `fn` is a Closure of this context's program (its `fn` and `program` slots are read at
 *     the member offsets given to `configure`);
 *   - every argument already is a Tengo value of a plain type (int within int64, float, str,
 *     bool, None, bytes, list, dict);
 *   - at most MAX_FAST_ARGS arguments.
 * When the script raises, `on_error(exc)` translates the exception into a TengoError and
 * raises it; a function result is handed to `wrap(slow, result)` (which makes a Closure).
 *
 * Contract: never crashes on any input; every failure leaves a Python exception set.
 *
 * More services for the JIT (tengojit.jit), which needs this module:
 *   - `stack_limit_address()`: the address of `tengojit_stack_limit`, a C function native code
 *     calls to learn the lowest stack address it may use in the calling thread (the thread's
 *     real stack bottom plus STACK_MARGIN, cached per thread); the trampoline tests it too,
 *     so host code re-entering `ctx.call` recursively gets `stack overflow`, not a crash;
 *   - `CodeOwner(payload)`: an object outside the cycle collector that holds `payload` (the
 *     JIT's per-program engine) until its last reference goes; then the payload moves to
 *     `graveyard()`, a list the JIT empties at a safe point. Native builtins hold their
 *     owner, so machine code outlives every builtin that can run it, whatever order the
 *     collector or interpreter shutdown frees objects in;
 *   - `native_failure_address()`: the address of `tengojit_native_failure`, the error exit
 *     every native entry shares (raises the Tengo error or the slow path's exception);
 *   - the fast path refuses (hands to `slow`, which raises ForeignClosureError) a list or map
 *     argument that holds a Tengo function of another program, or a Closure object;
 *   - polling (`poll_flag_address()`, `poll_address()`): native code tests the process-wide
 *     flag at every loop back-edge and function entry and calls `tengojit_poll(G)` when it is
 *     set. A ticker thread (no GIL; started by `start_ticker()`) sets the flag every TICK_NS
 *     while native code runs, and parks while none does; `request_poll()` sets it at once
 *     (a cancelled run). The poll lets other threads take the GIL, runs signal handlers
 *     (Ctrl-C) and, while some run has a deadline or a cancel token (`set_guards(n)`), calls
 *     the stop check registered with `set_stop_check(fn)`.
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <sched.h>
#include "pythread.h"

#define MAX_FAST_ARGS 8
#define STACK_MARGIN (256 * 1024)   /* bytes kept free below native code and host re-entry */
#define SCAN_BUDGET 100000          /* container items the fast path scans per argument */
#define SCAN_DEPTH 64

/* ------------------------------------------------------------------ the stack limit */

static __thread uintptr_t thread_stack_limit = 0;

/* The lowest stack address native code (and a host re-entry) may reach in this thread. */
static uintptr_t
tengojit_stack_limit(void)
{
    uintptr_t limit = thread_stack_limit;
    if (limit != 0) {
        return limit;
    }
    char here;
    uintptr_t sp = (uintptr_t)&here;
    uintptr_t low = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr = NULL;
        size_t size = 0;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr != NULL &&
                (uintptr_t)addr < sp && sp <= (uintptr_t)addr + size) {
            low = (uintptr_t)addr;
        }
        pthread_attr_destroy(&attr);
    }
    if (low == 0) {
        /* unknown stack: assume 1 MiB below the first call */
        low = sp > (1u << 20) ? sp - (1u << 20) : 0;
    }
    limit = low + STACK_MARGIN;
    if (limit >= sp) {
        limit = sp;    /* already inside the margin: nothing deeper is allowed */
    }
    thread_stack_limit = limit;
    return limit;
}

static int
stack_exhausted(void)
{
    char here;
    return (uintptr_t)&here < tengojit_stack_limit();
}

static PyTypeObject *closure_type = NULL;
static Py_ssize_t closure_fn_offset = -1;
static Py_ssize_t closure_program_offset = -1;
static unsigned long long jit_epoch = 0;   /* bumped whenever the JIT installs code */

typedef struct {
    PyObject_HEAD
    PyObject *G;          /* globals list */
    PyObject *program;    /* identity of the program */
    PyObject *fixed;      /* bound function (bind) or NULL (call: fn is args[0]) */
    PyObject *slow;       /* general path: slow(fn, *args) or slow(*args) when fixed */
    PyObject *on_error;   /* on_error(exc) -> raises the translated error */
    PyObject *wrap;       /* wrap(slow, function) -> Closure */
    PyObject *ns;         /* the program's namespace: Tengo functions of this program have it
                             as their globals */
    PyObject *natives;    /* JIT on: {id(code object): native host entry, or None}; else NULL */
    PyObject *last_fn;    /* one-entry cache in front of natives (both owned references) */
    PyObject *last_native;
    unsigned long long epoch;  /* jit_epoch when natives was last valid */
    unsigned long owner;  /* thread ident allowed on the fast path; 0 = nobody */
    int used;             /* a fast-path call has happened (ownership can no longer move) */
    vectorcallfunc vectorcall;
} Caller;

static PyObject *wrap_result(Caller *c, PyObject *r);

static PyObject *ns_marker = NULL;    /* the key every program namespace holds */

/* 1 when `f` is a Tengo function of a program other than the one whose namespace is `ns`. */
static int
foreign_function(PyObject *f, PyObject *ns)
{
    PyObject *g = PyFunction_GET_GLOBALS(f);
    if (g == ns || g == NULL || !PyDict_Check(g)) {
        return 0;
    }
    PyObject *v = PyDict_GetItemWithError(g, ns_marker);
    if (v == NULL) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

static int clean_container(PyObject *a, PyObject *ns, Py_ssize_t *budget, int depth);

/* 1 when the fast path may pass `x` as (part of) an argument: see clean_container. */
static int
clean_item(PyObject *x, PyObject *ns, Py_ssize_t *budget, int depth)
{
    PyTypeObject *t = Py_TYPE(x);
    if (--*budget < 0) {
        return 0;
    }
    if (t == &PyLong_Type || t == &PyFloat_Type || t == &PyUnicode_Type || t == &PyBool_Type ||
            x == Py_None) {
        return 1;
    }
    if (t == closure_type) {
        return 0;
    }
    if (t == &PyFunction_Type) {
        return !foreign_function(x, ns);
    }
    if (PyList_Check(x) || PyDict_Check(x)) {
        return clean_container(x, ns, budget, depth + 1);
    }
    return 1;
}

/* 1 when the container `a` (a list or dict, their immutable subclasses, nested) holds nothing
   the fast path must not pass: a Tengo function of another program or a Closure object (both
   need the Python path, which converts or refuses them). `budget` bounds the work (shared,
   repeated structure is scanned again); running out, or nesting deeper than SCAN_DEPTH,
   answers 0 too. No Python code runs during the scan, so nothing can resize a container. */
static int
clean_container(PyObject *a, PyObject *ns, Py_ssize_t *budget, int depth)
{
    if (depth > SCAN_DEPTH) {
        return 0;
    }
    if (PyList_Check(a)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a); i++) {
            if (!clean_item(PyList_GET_ITEM(a, i), ns, budget, depth)) {
                return 0;
            }
        }
        return 1;
    }
    Py_ssize_t pos = 0;
    PyObject *k, *x;
    while (PyDict_Next(a, &pos, &k, &x)) {
        if (!clean_item(x, ns, budget, depth)) {
            return 0;
        }
    }
    return 1;
}

static int
fast_arg(PyObject *a, PyObject *ns)
{
    PyTypeObject *t = Py_TYPE(a);
    if (t == &PyLong_Type) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(a, &overflow);
        if (v == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        return overflow == 0;
    }
    if (t == &PyList_Type || t == &PyDict_Type) {
        Py_ssize_t budget = SCAN_BUDGET;
        return clean_container(a, ns, &budget, 0);
    }
    return t == &PyFloat_Type || t == &PyUnicode_Type || t == &PyBool_Type ||
           a == Py_None || t == &PyBytes_Type;
}

static PyObject *
call_slow(Caller *c, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    return PyObject_Vectorcall(c->slow, args, nargsf, kwnames);
}

static PyObject *
raise_translated(Caller *c)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value == NULL) {
        Py_XDECREF(type);
        Py_XDECREF(tb);
        PyErr_SetString(PyExc_SystemError, "tengojit: call failed without an exception");
        return NULL;
    }
    if (tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    PyObject *r = PyObject_CallOneArg(c->on_error, value);
    Py_XDECREF(type);
    Py_DECREF(value);
    Py_XDECREF(tb);
    if (r != NULL) {   /* on_error must raise; returning is a bug in it */
        Py_DECREF(r);
        PyErr_SetString(PyExc_SystemError, "tengojit: on_error returned");
    }
    return NULL;
}

static PyObject *
caller_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Caller *c = (Caller *)self;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *fn;
    Py_ssize_t first;

    if (stack_exhausted()) {
        /* host code re-entering ctx.call ever deeper: Tengo's error, before the C stack ends */
        PyErr_SetString(PyExc_RecursionError, "stack overflow");
        return raise_translated(c);
    }
    if (kwnames != NULL || c->owner == 0 || PyThread_get_thread_ident() != c->owner) {
        return call_slow(c, args, nargsf, kwnames);
    }
    c->used = 1;
    if (c->fixed != NULL) {
        fn = c->fixed;
        first = 0;
    }
    else {
        if (nargs < 1 || closure_type == NULL || Py_TYPE(args[0]) != closure_type) {
            return call_slow(c, args, nargsf, kwnames);
        }
        PyObject *prog = *(PyObject **)((char *)args[0] + closure_program_offset);
        fn = *(PyObject **)((char *)args[0] + closure_fn_offset);
        if (prog != c->program || fn == NULL) {
            return call_slow(c, args, nargsf, kwnames);
        }
        first = 1;
    }
    Py_ssize_t n = nargs - first;
    if (n > MAX_FAST_ARGS) {
        return call_slow(c, args, nargsf, kwnames);
    }
    /* stack[0]: scratch for PY_VECTORCALL_ARGUMENTS_OFFSET, stack[1] = fn, stack[2] = G */
    PyObject *stack[MAX_FAST_ARGS + 3];
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *a = args[first + i];
        if (!fast_arg(a, c->ns)) {
            return call_slow(c, args, nargsf, kwnames);
        }
        stack[3 + i] = a;
    }
    stack[1] = fn;
    stack[2] = c->G;
    if (first == 1 && c->natives != NULL) {
        /* JIT on: the native host entry of this function, if compiled (one per
           specialisation, shared by every context: it takes (fn, G, args...)). A miss, or a
           cache made stale by newly installed code, goes to the slow path, which resolves it
           and caches it (None: run the Python code). */
        PyObject *native;
        if (c->epoch != jit_epoch) {
            /* the shared cache may be cleared while other trampolines hold entries from it:
               each holds its own references (last_fn/last_native) and the one it is running */
            PyDict_Clear(c->natives);
            c->epoch = jit_epoch;
            Py_CLEAR(c->last_fn);
            Py_CLEAR(c->last_native);
        }
        /* keyed by the code object's address (an entry serves every closure of its
           prototype; code objects hash by content, which is slow, so the key is id(code)) */
        PyObject *code = Py_TYPE(fn) == &PyFunction_Type ? PyFunction_GET_CODE(fn) : fn;
        if (code == c->last_fn) {
            native = c->last_native;
        }
        else {
            PyObject *key = PyLong_FromVoidPtr(code);
            if (key == NULL) {
                return NULL;
            }
            native = PyDict_GetItemWithError(c->natives, key);
            Py_DECREF(key);
            if (native == NULL) {
                if (PyErr_Occurred()) {
                    return NULL;
                }
                return call_slow(c, args, nargsf, kwnames);
            }
            Py_INCREF(code);
            Py_INCREF(native);
            Py_XSETREF(c->last_fn, code);
            Py_XSETREF(c->last_native, native);
        }
        if (native != Py_None && Py_TYPE(native) == &PyCFunction_Type &&
            (PyCFunction_GET_FLAGS(native) & ~METH_COEXIST) == METH_FASTCALL) {
            /* the entry checks its arguments and falls back to fn(G, args...) itself; it is
               held for the call (the call may run code that empties every cache) */
            _PyCFunctionFast meth = (_PyCFunctionFast)(void (*)(void))PyCFunction_GET_FUNCTION(native);
            Py_INCREF(native);
            Py_INCREF(fn);
            PyObject *r = meth(PyCFunction_GET_SELF(native), stack + 1, n + 2);
            Py_DECREF(fn);
            Py_DECREF(native);
            if (r == NULL) {
                return raise_translated(c);
            }
            return wrap_result(c, r);
        }
    }
    Py_INCREF(fn);
    PyObject *r = PyObject_Vectorcall(fn, stack + 2, (size_t)(n + 1) | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    Py_DECREF(fn);
    if (r == NULL) {
        return raise_translated(c);
    }
    return wrap_result(c, r);
}

/* A call's result ``r`` (owned) as the host sees it: a Tengo function becomes a Closure. */
static PyObject *
wrap_result(Caller *c, PyObject *r)
{
    if (Py_TYPE(r) == &PyFunction_Type) {
        /* wrap(slow, function): the Closure for a function result (slow is the context link) */
        PyObject *w = PyObject_CallFunctionObjArgs(c->wrap, c->slow, r, NULL);
        Py_DECREF(r);
        return w;
    }
    return r;
}

static int
caller_traverse(Caller *c, visitproc visit, void *arg)
{
    Py_VISIT(c->G);
    Py_VISIT(c->program);
    Py_VISIT(c->fixed);
    Py_VISIT(c->slow);
    Py_VISIT(c->on_error);
    Py_VISIT(c->wrap);
    Py_VISIT(c->ns);
    Py_VISIT(c->natives);
    Py_VISIT(c->last_fn);
    Py_VISIT(c->last_native);
    return 0;
}

static int
caller_clear(Caller *c)
{
    Py_CLEAR(c->G);
    Py_CLEAR(c->program);
    Py_CLEAR(c->fixed);
    Py_CLEAR(c->slow);
    Py_CLEAR(c->on_error);
    Py_CLEAR(c->wrap);
    Py_CLEAR(c->ns);
    Py_CLEAR(c->natives);
    Py_CLEAR(c->last_fn);
    Py_CLEAR(c->last_native);
    return 0;
}

static void
caller_dealloc(Caller *c)
{
    PyObject_GC_UnTrack(c);
    caller_clear(c);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

static PyObject *
caller_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"G", "program", "fixed", "slow", "on_error", "wrap", "owner",
                             "ns", "natives", NULL};
    PyObject *G, *program, *fixed, *slow, *on_error, *wrap, *ns, *natives = Py_None;
    unsigned long owner;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OOOOOkO!|O", kwlist, &PyList_Type, &G,
                                     &program, &fixed, &slow, &on_error, &wrap, &owner,
                                     &PyDict_Type, &ns, &natives)) {
        return NULL;
    }
    if (natives != Py_None && !PyDict_CheckExact(natives)) {
        PyErr_SetString(PyExc_TypeError, "natives must be a dict or None");
        return NULL;
    }
    if (!PyCallable_Check(slow) || !PyCallable_Check(on_error) || !PyCallable_Check(wrap)) {
        PyErr_SetString(PyExc_TypeError, "slow, on_error and wrap must be callable");
        return NULL;
    }
    Caller *c = (Caller *)type->tp_alloc(type, 0);
    if (c == NULL) {
        return NULL;
    }
    Py_INCREF(G);
    c->G = G;
    Py_INCREF(program);
    c->program = program;
    if (fixed != Py_None) {
        Py_INCREF(fixed);
        c->fixed = fixed;
    }
    Py_INCREF(slow);
    c->slow = slow;
    Py_INCREF(on_error);
    c->on_error = on_error;
    Py_INCREF(wrap);
    c->wrap = wrap;
    c->owner = owner;
    Py_INCREF(ns);
    c->ns = ns;
    if (natives != Py_None) {
        Py_INCREF(natives);
        c->natives = natives;
    }
    c->epoch = jit_epoch;
    c->vectorcall = caller_vectorcall;
    return (PyObject *)c;
}

static PyObject *
caller_disown(Caller *c, PyObject *Py_UNUSED(ignored))
{
    c->owner = 0;
    Py_RETURN_NONE;
}

static PyObject *
caller_claim(Caller *c, PyObject *arg)
{
    unsigned long ident = PyLong_AsUnsignedLong(arg);
    if (ident == (unsigned long)-1 && PyErr_Occurred()) {
        return NULL;
    }
    c->owner = ident;
    Py_RETURN_NONE;
}

static PyObject *
caller_get_owner(Caller *c, void *closure)
{
    return PyLong_FromUnsignedLong(c->owner);
}

static PyMethodDef caller_methods[] = {
    {"disown", (PyCFunction)caller_disown, METH_NOARGS,
     "Stop taking the fast path (the context became shared between threads)."},
    {"claim", (PyCFunction)caller_claim, METH_O,
     "claim(ident): take the fast path for calls from this thread ident."},
    {NULL, NULL, 0, NULL}
};

static PyObject *
caller_get_used(Caller *c, void *closure)
{
    return PyBool_FromLong(c->used);
}

static PyGetSetDef caller_getset[] = {
    {"owner", (getter)caller_get_owner, NULL, "thread ident of the fast path (0: none)", NULL},
    {"used", (getter)caller_get_used, NULL, "True once a call took the fast path", NULL},
    {NULL}
};

static PyMemberDef caller_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Caller, vectorcall), READONLY},
    {NULL}
};

static PyTypeObject CallerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tengojit._hostcall.Caller",
    .tp_basicsize = sizeof(Caller),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "Fast host-to-script call trampoline (see tengojit/context.py).",
    .tp_new = caller_new,
    .tp_dealloc = (destructor)caller_dealloc,
    .tp_traverse = (traverseproc)caller_traverse,
    .tp_clear = (inquiry)caller_clear,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(Caller, vectorcall),
    .tp_methods = caller_methods,
    .tp_getset = caller_getset,
    .tp_members = caller_members,
};

static Py_ssize_t
member_offset(PyObject *type, const char *name)
{
    PyObject *d = PyObject_GetAttrString(type, name);
    if (d == NULL) {
        return -1;
    }
    if (!PyObject_TypeCheck(d, &PyMemberDescr_Type)) {
        Py_DECREF(d);
        PyErr_Format(PyExc_TypeError, "%s is not a slot", name);
        return -1;
    }
    PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
    Py_ssize_t off = (m->type == T_OBJECT_EX || m->type == T_OBJECT) ? m->offset : -1;
    Py_DECREF(d);
    if (off < 0) {
        PyErr_Format(PyExc_TypeError, "%s is not an object slot", name);
    }
    return off;
}

static PyObject *
configure(PyObject *module, PyObject *arg)
{
    if (!PyType_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "configure() needs the Closure type");
        return NULL;
    }
    Py_ssize_t fo = member_offset(arg, "fn");
    if (fo < 0) {
        return NULL;
    }
    Py_ssize_t po = member_offset(arg, "program");
    if (po < 0) {
        return NULL;
    }

    Py_XDECREF(closure_type);
    Py_INCREF(arg);
    closure_type = (PyTypeObject *)arg;
    closure_fn_offset = fo;
    closure_program_offset = po;
    Py_RETURN_NONE;
}

static PyObject *
bump_epoch(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    jit_epoch++;
    Py_RETURN_NONE;
}

/* Is `frame` running code in `files` with local G == `G`, or code in `codes` with local
   self == `ctx`?  -1 on error. */
static int
frame_matches(PyObject *frame, PyObject *G, PyObject *ctx, PyObject *files, PyObject *codes)
{
    PyObject *code = PyObject_GetAttrString(frame, "f_code");
    if (code == NULL) {
        return -1;
    }
    int in_files = PySequence_Contains(files, code);
    int in_codes = in_files == 1 ? 0 : PySequence_Contains(codes, code);
    Py_DECREF(code);
    if (in_files < 0 || in_codes < 0) {
        return -1;
    }
    if (!in_files && !in_codes) {
        return 0;
    }
    PyObject *locals = PyObject_GetAttrString(frame, "f_locals");
    if (locals == NULL) {
        return -1;
    }
    PyObject *v = PyMapping_GetItemString(locals, in_files ? "G" : "self");
    Py_DECREF(locals);
    if (v == NULL) {
        PyErr_Clear();
        return 0;
    }
    int hit = v == (in_files ? G : ctx);
    Py_DECREF(v);
    return hit;
}

/* owner_in_call(ident, G, ctx, files, codes): walk thread `ident`'s frames, all in C with the
   GIL held, so that thread cannot pop a frame under the walk (a walk in Python code can be
   interrupted between bytecodes, and f_back of a frame popped meanwhile is not safe). */
static PyObject *
owner_in_call(PyObject *module, PyObject *args)
{
    unsigned long long ident;
    PyObject *G, *ctx, *files, *codes;
    if (!PyArg_ParseTuple(args, "KOOOO", &ident, &G, &ctx, &files, &codes)) {
        return NULL;
    }
    PyObject *frames = _PyThread_CurrentFrames();
    if (frames == NULL) {
        return NULL;
    }
    PyObject *key = PyLong_FromUnsignedLongLong(ident);
    if (key == NULL) {
        Py_DECREF(frames);
        return NULL;
    }
    PyObject *frame = PyDict_GetItemWithError(frames, key);
    Py_DECREF(key);
    Py_XINCREF(frame);
    Py_DECREF(frames);
    if (frame == NULL && PyErr_Occurred()) {
        return NULL;
    }
    int found = 0;
    while (frame != NULL && frame != Py_None) {
        int m = frame_matches(frame, G, ctx, files, codes);
        if (m != 0) {
            Py_DECREF(frame);
            if (m < 0) {
                return NULL;
            }
            found = 1;
            frame = NULL;
            break;
        }
        PyObject *back = PyObject_GetAttrString(frame, "f_back");
        Py_DECREF(frame);
        if (back == NULL) {
            return NULL;
        }
        frame = back;
    }
    Py_XDECREF(frame);
    return PyBool_FromLong(found);
}

/* ------------------------------------------------------------------ CodeOwner */

static PyObject *graveyard_list = NULL;   /* payloads whose owner died: the JIT frees them */

typedef struct {
    PyObject_HEAD
    PyObject *payload;
} CodeOwner;

/* Not collected by the cycle collector (no Py_TPFLAGS_HAVE_GC): the collector never sees
   the payload through an owner, so it never finalises or clears the payload while a builtin
   that runs its machine code still exists. Freed by reference counting alone, when the last
   builtin (or the program) holding it goes; the payload then waits in the graveyard. */
static void
code_owner_dealloc(CodeOwner *o)
{
    if (o->payload != NULL) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (graveyard_list == NULL || PyList_Append(graveyard_list, o->payload) < 0) {
            PyErr_Clear();   /* no graveyard (shutdown): the payload is freed as it goes */
        }
        PyErr_Restore(type, value, tb);
        Py_CLEAR(o->payload);
    }
    Py_TYPE(o)->tp_free((PyObject *)o);
}

static PyObject *
code_owner_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *payload;
    if (!PyArg_ParseTuple(args, "O", &payload)) {
        return NULL;
    }
    CodeOwner *o = (CodeOwner *)type->tp_alloc(type, 0);
    if (o == NULL) {
        return NULL;
    }
    Py_INCREF(payload);
    o->payload = payload;
    return (PyObject *)o;
}

static PyObject *
code_owner_get_payload(CodeOwner *o, void *closure)
{
    PyObject *p = o->payload != NULL ? o->payload : Py_None;
    Py_INCREF(p);
    return p;
}

static PyGetSetDef code_owner_getset[] = {
    {"payload", (getter)code_owner_get_payload, NULL, "the object kept alive", NULL},
    {NULL}
};

static PyTypeObject CodeOwnerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tengojit._hostcall.CodeOwner",
    .tp_basicsize = sizeof(CodeOwner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "CodeOwner(payload): keeps payload alive, outside the cycle collector; on "
              "deallocation the payload moves to graveyard().",
    .tp_new = code_owner_new,
    .tp_dealloc = (destructor)code_owner_dealloc,
    .tp_getset = code_owner_getset,
};

static PyObject *
graveyard(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    Py_INCREF(graveyard_list);
    return graveyard_list;
}

static PyObject *
stack_limit_address(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr((void *)tengojit_stack_limit);
}

static PyObject *
stack_limit(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSize_t((size_t)tengojit_stack_limit());
}

/* ------------------------------------------------------------------ native error exits */

/* What a native entry returns when its code failed (the shared tail of every entry, kept here
 * so that each compiled entry need not carry its own copy). `kind` says what failed:
 *   0: a Tengo run-time error recorded in the activation context: raise_error(ctx_address);
 *   1: a slow path raised a Python exception (still set): raise_error(ctx_address, exc),
 *      with the exception's traceback (the Tengo positions it ran) attached first;
 *   2: interrupted: the signal handler's exception is set and passes on unchanged.
 * `trace` (the context's trace buffer, may be NULL) is freed in every case. Always returns
 * NULL with an exception set. */
static PyObject *
tengojit_native_failure(PyObject *raise_error, void *ctx, void *trace, int kind)
{
    if (kind != 2) {
        PyObject *addr = PyLong_FromVoidPtr(ctx);
        PyObject *r = NULL;
        if (addr != NULL && kind == 0) {
            r = PyObject_CallOneArg(raise_error, addr);
        }
        else if (addr != NULL) {
            PyObject *type, *value, *tb;
            PyErr_Fetch(&type, &value, &tb);
            PyErr_NormalizeException(&type, &value, &tb);
            if (tb != NULL && value != NULL) {
                PyException_SetTraceback(value, tb);
            }
            PyObject *argv[2] = {addr, value};
            r = PyObject_Vectorcall(raise_error, argv, 2, NULL);
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(tb);
        }
        Py_XDECREF(addr);
        if (r != NULL) {           /* raise_error must raise; a result is an internal error */
            Py_DECREF(r);
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_SystemError, "native error exit: raise_error returned");
            }
        }
    }
    if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_SystemError, "native error exit without an exception");
    }
    PyMem_RawFree(trace);
    return NULL;
}

/* ------------------------------------------------------------------ polling native code */

#define TICK_NS 5000000L            /* 5 ms: CPython's default switch interval */
#define HANDOVER_NS 20000L          /* a poll's pause with the GIL released */

/* With the GIL released at a poll: yield the processor for HANDOVER_NS so that a thread the
   release woke can take the GIL. Without it the polling thread takes the GIL straight back and
   wins every race (CPython forces a switch only for a waiter that timed out without seeing a
   switch, and each poll counts as one). A yield loop, not a sleep: a short sleep can last a
   timer tick on machines without high-resolution timers. */
static void
handover_pause(void)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < HANDOVER_NS);
}

static int32_t poll_flag = 0;        /* nonzero: native code calls tengojit_poll at its next check */
static int32_t guards_active = 0;    /* runs with a deadline or cancel token (interrupts.py) */
static PyObject *stop_check = NULL;  /* interrupts.check(G): raises when this thread must stop */
static pthread_mutex_t tick_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tick_cv = PTHREAD_COND_INITIALIZER;
static int ticker_started = 0;
static int32_t ticker_parked = 0;

static void *
ticker_main(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "tengojit-tick");
    struct timespec tick = {0, TICK_NS};
    for (;;) {
        pthread_mutex_lock(&tick_mu);
        if (__atomic_load_n(&poll_flag, __ATOMIC_SEQ_CST)) {
            /* nobody polled since the last tick: no native code is running; wait for a poll */
            __atomic_store_n(&ticker_parked, 1, __ATOMIC_SEQ_CST);
            while (__atomic_load_n(&poll_flag, __ATOMIC_SEQ_CST)) {
                pthread_cond_wait(&tick_cv, &tick_mu);
            }
            __atomic_store_n(&ticker_parked, 0, __ATOMIC_SEQ_CST);
        }
        pthread_mutex_unlock(&tick_mu);
        nanosleep(&tick, NULL);
        __atomic_store_n(&poll_flag, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void
ticker_after_fork(void)
{
    /* the child has no ticker thread: the next start_ticker() makes one */
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    tick_mu = mu;
    tick_cv = cv;
    ticker_started = 0;
    ticker_parked = 0;
}

static PyObject *
start_ticker(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    if (!ticker_started) {
        static int atfork_done = 0;
        if (!atfork_done) {
            pthread_atfork(NULL, NULL, ticker_after_fork);
            atfork_done = 1;
        }
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        int rc = pthread_create(&t, &attr, ticker_main, NULL);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            errno = rc;
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        ticker_started = 1;
    }
    Py_RETURN_NONE;
}

/* Called by native code (with the GIL) when poll_flag is set: clears it, lets other threads
   run, runs signal handlers and the stop check. Returns 0 to go on, 1 when the stop check
   raised (the exception is set), 2 when a signal handler raised (KeyboardInterrupt is set). */
static int
tengojit_poll(PyObject *G)
{
    __atomic_store_n(&poll_flag, 0, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&ticker_parked, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&tick_mu);
        pthread_cond_signal(&tick_cv);
        pthread_mutex_unlock(&tick_mu);
    }
    Py_BEGIN_ALLOW_THREADS
    handover_pause();
    Py_END_ALLOW_THREADS
    if (PyErr_CheckSignals() < 0) {
        return 2;
    }
    if (__atomic_load_n(&guards_active, __ATOMIC_SEQ_CST) > 0 && stop_check != NULL) {
        PyObject *r = PyObject_CallOneArg(stop_check, G != NULL ? G : Py_None);
        if (r == NULL) {
            return 1;
        }
        Py_DECREF(r);
    }
    return 0;
}

/* ------------------------------------------------------------------ native context helpers */

/* The layout of a native activation context (jit/callconv.py defines it; the JIT passes it
   here once with `configure_context` before it compiles anything). */
static struct {
    Py_ssize_t err, ntrace, trace, globals, globals_list;
    int32_t max_trace, entry_ints, err_pyexc, err_interrupted;
} ctx_layout;

/* Append (file id, line, col) to the context's trace: ignored past max_trace entries, or when
   the buffer cannot be allocated (the error itself is still reported). Error paths only. */
static void
tengojit_push_trace(char *ctx, int32_t fid, int32_t line, int32_t col)
{
    int32_t *n = (int32_t *)(ctx + ctx_layout.ntrace);
    int32_t **buf = (int32_t **)(ctx + ctx_layout.trace);
    if (*n >= ctx_layout.max_trace) {
        return;
    }
    if (*buf == NULL) {
        *buf = (int32_t *)PyMem_RawMalloc(sizeof(int32_t) * (size_t)ctx_layout.entry_ints
                                          * (size_t)ctx_layout.max_trace);
        if (*buf == NULL) {
            return;
        }
    }
    int32_t *e = *buf + (Py_ssize_t)(*n) * ctx_layout.entry_ints;
    e[0] = fid;
    e[1] = line;
    e[2] = col;
    *n += 1;
}

/* push_trace `count` times (the frames of a native recursion that unwinds at once). */
static void
tengojit_push_trace_n(char *ctx, int32_t fid, int32_t line, int32_t col, int64_t count)
{
    for (; count > 0; count--) {
        tengojit_push_trace(ctx, fid, line, col);
    }
}

/* A poll from native code: tengojit_poll on the context's globals list, then the context's
   pointer to the list's items refreshed (other threads ran and may have grown the list).
   Returns 0 to go on; 1 with the context's error set when the run must stop. The caller checks
   its own assumptions on globals again afterwards (tj_revalidate), when it has any. */
static int32_t
tengojit_poll_ctx(char *ctx)
{
    PyObject *G = *(PyObject **)(ctx + ctx_layout.globals_list);
    int r = tengojit_poll(G);
    if (r != 0) {
        *(int32_t *)(ctx + ctx_layout.err) = r == 2 ? ctx_layout.err_interrupted
                                                    : ctx_layout.err_pyexc;
        return 1;
    }
    *(PyObject ***)(ctx + ctx_layout.globals) = ((PyListObject *)G)->ob_item;
    return 0;
}

static PyObject *
configure_context(PyObject *module, PyObject *args)
{
    if (!PyArg_ParseTuple(args, "nnnnniiii:configure_context", &ctx_layout.err,
                          &ctx_layout.ntrace, &ctx_layout.trace, &ctx_layout.globals,
                          &ctx_layout.globals_list, &ctx_layout.max_trace,
                          &ctx_layout.entry_ints, &ctx_layout.err_pyexc,
                          &ctx_layout.err_interrupted)) {
        return NULL;
    }
    if (ctx_layout.entry_ints != 3 || ctx_layout.max_trace <= 0) {
        PyErr_SetString(PyExc_ValueError, "configure_context: a trace entry is three int32s");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
context_helpers(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("{sNsNsN}",
                         "tengojit_push_trace", PyLong_FromVoidPtr((void *)tengojit_push_trace),
                         "tengojit_push_trace_n", PyLong_FromVoidPtr((void *)tengojit_push_trace_n),
                         "tengojit_poll_ctx", PyLong_FromVoidPtr((void *)tengojit_poll_ctx));
}

static PyObject *
poll_address(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr((void *)tengojit_poll);
}

static PyObject *
poll_flag_address(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr((void *)&poll_flag);
}

static PyObject *
request_poll(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    __atomic_store_n(&poll_flag, 1, __ATOMIC_SEQ_CST);
    Py_RETURN_NONE;
}

static PyObject *
set_guards(PyObject *module, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    __atomic_store_n(&guards_active, (int32_t)n, __ATOMIC_SEQ_CST);
    if (n > 0) {
        __atomic_store_n(&poll_flag, 1, __ATOMIC_SEQ_CST);
    }
    Py_RETURN_NONE;
}

static PyObject *
set_stop_check(PyObject *module, PyObject *fn)
{
    Py_INCREF(fn);
    Py_XSETREF(stop_check, fn);
    Py_RETURN_NONE;
}

static PyObject *
native_failure_address(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromVoidPtr((void *)tengojit_native_failure);
}

static PyMethodDef module_methods[] = {
    {"configure", configure, METH_O, "configure(Closure): learn the Closure type's slot layout."},
    {"bump_epoch", bump_epoch, METH_NOARGS,
     "Forget every Caller's cache of native entries (the JIT installed new code)."},
    {"graveyard", graveyard, METH_NOARGS,
     "The list of payloads whose CodeOwner died (the JIT empties it at a safe point)."},
    {"stack_limit_address", stack_limit_address, METH_NOARGS,
     "Address of the C function uintptr_t tengojit_stack_limit(void)."},
    {"native_failure_address", native_failure_address, METH_NOARGS,
     "Address of the C function tengojit_native_failure (the error exit of native entries)."},
    {"poll_address", poll_address, METH_NOARGS,
     "Address of the C function int tengojit_poll(PyObject *G) (native code's poll)."},
    {"configure_context", configure_context, METH_VARARGS,
     "configure_context(err, ntrace, trace, globals, globals_list, max_trace, entry_ints, "
     "err_pyexc, err_interrupted): the native context's layout (jit/callconv.py)."},
    {"context_helpers", context_helpers, METH_NOARGS,
     "{name: address} of the C helpers native code calls with its context."},
    {"poll_flag_address", poll_flag_address, METH_NOARGS,
     "Address of the int32 flag native code tests at back-edges and function entries."},
    {"request_poll", request_poll, METH_NOARGS,
     "Set the poll flag: running native code polls at its next back-edge or call."},
    {"start_ticker", start_ticker, METH_NOARGS,
     "Start the thread that makes native code poll every 5 ms (once per process)."},
    {"set_guards", set_guards, METH_O,
     "set_guards(n): the number of runs with a deadline or cancel token (0: no stop check)."},
    {"set_stop_check", set_stop_check, METH_O,
     "set_stop_check(fn): fn(G) is called by polls while guards are active; raising stops."},
    {"stack_limit", stack_limit, METH_NOARGS,
     "The calling thread's stack limit: the lowest address native code may use."},
    {"owner_in_call", owner_in_call, METH_VARARGS,
     "owner_in_call(ident, G, ctx, files, codes): is thread ident running this context's code?"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef hostcall_module = {
    PyModuleDef_HEAD_INIT, "tengojit._hostcall",
    "Host-to-script call trampoline (C).", -1, module_methods
};

PyMODINIT_FUNC
PyInit__hostcall(void)
{
    if (PyType_Ready(&CallerType) < 0 || PyType_Ready(&CodeOwnerType) < 0) {
        return NULL;
    }
    if (ns_marker == NULL) {
        ns_marker = PyUnicode_InternFromString("__tengo_program__");
        if (ns_marker == NULL) {
            return NULL;
        }
    }
    if (graveyard_list == NULL) {
        graveyard_list = PyList_New(0);
        if (graveyard_list == NULL) {
            return NULL;
        }
    }
    PyObject *m = PyModule_Create(&hostcall_module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&CallerType);
    if (PyModule_AddObject(m, "Caller", (PyObject *)&CallerType) < 0) {
        Py_DECREF(&CallerType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&CodeOwnerType);
    if (PyModule_AddObject(m, "CodeOwner", (PyObject *)&CodeOwnerType) < 0) {
        Py_DECREF(&CodeOwnerType);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddStringConstant(m, "NS_MARKER", "__tengo_program__") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
