"""The process side of the JIT crash hunt (``tests/jit/test_crash_hunt.py``).

``python crash_hunt_worker.py --zygote FD`` starts a *zygote*: it imports tengojit, compiles
one function with the JIT (so llvmlite and the engine are loaded once), checks that it is still
single-threaded, reports ``ready`` on the Unix socket ``FD`` and then serves fork requests on
it, one at a time:

- request: ``("fork",)`` sent with two file descriptors (``socket.send_fds``): a connected
  socket for the case and a file for the child's stdout/stderr;
- the zygote forks, answers ``("forked", pid)``, waits for the child and answers
  ``("exited", pid, wait_status)``;
- ``("quit",)`` ends the zygote.

The forked child is a :class:`Session` serving *steps* on its case socket: each request is a
step (a dict, see ``Session.op_*``), each answer the step's *outcome*:

- ``{"status": "value", "repr": ..., "kind": ...}`` — the library returned a value;
- ``{"status": "tengo", "error": "ClassName: first line"}`` — it raised a ``TengoError``;
- ``{"status": "leak", "error": ..., "traceback": ...}`` — any other exception escaped the
  library (a bug of the library);
- ``{"status": "harness", "traceback": ...}`` — the step itself was malformed (a bug of the
  harness, never of the library).
- ``{"status": "skipped", "repr": why}`` — the step needs an object the case already let go.
- ``{"status": "inconsistent", "error": ...}`` — calls from threads disagreed with the same
  call made alone (``op_threads``);
- ``{"status": "retained", "error": ...}`` — programs outlived every reference to them
  (``op_programs_freed``).

The step ``{"op": "end", "mode": m}`` is answered, then the child exits: ``"os._exit"`` at
once, ``"gc+os._exit"`` after ``gc.collect()``, ``"sys.exit"`` through the interpreter's full
finalisation (atexit handlers, module teardown, the last collection).

Every length-prefixed message is a pickle of builtin values only (no classes of this module),
so the zygote (``__main__``) and the test (which imports this file as a module) agree.

``python crash_hunt_worker.py --replay STEPS`` runs a list of steps (the Python literal a failing
case prints; ``nan`` and ``inf`` are understood) in this process, without forking, printing
each outcome: the way to reproduce a failure under a debugger.
"""
from __future__ import annotations

import faulthandler
import gc
import os
import pickle
import socket
import struct
import sys
import threading
import traceback
from collections import Counter
from typing import NamedTuple

_HEADER = struct.Struct("!I")

_WIDE = 50
_WIDE_LOCALS = "\n    ".join(f"l{i} := w * {i + 3} ^ (n + {i})" for i in range(_WIDE))
_WIDE_MIX = "\n    ".join(f"r {'^' if i % 2 else '+'}= l{i}" for i in range(_WIDE))


class Source(NamedTuple):
    """A Tengo script of the pool: its text, its function globals (name -> arity), the other
    globals a host may read and set, the functions with side effects (``writers``: they write
    globals or captured variables; every other function gives the same outcome for the same
    arguments, whichever thread calls it) and its host functions (``hosts``: host function
    name -> the script function it calls back with its argument, through the script's
    context)."""
    text: str
    functions: dict
    data: list
    writers: tuple = ()
    hosts: dict = {}


SOURCES = {
    "arith": Source("""
a := 1
b := 2.5
add := func(x, y) { return x + y }
scale := func(x) { return x * a + 1 }
shift := func(x) { return x + b }
poly := func(x) { s := 0; for i := 0; i < 10; i++ { s += x * i + a }; return s }
""", {"add": 2, "scale": 1, "shift": 1, "poly": 1}, ["a", "b"]),
    "recursion": Source("""
depth := func(n) { if n == 0 { return 0 }; return depth(n - 1) + 1 }
tri := func(n) { if n < 1 { return 0 }; return tri(n - 1) + n }
""", {"depth": 1, "tri": 1}, []),
    # a recursive function keeping _WIDE int locals live across its self call: they are
    # computed from a global the call writes, and folded into the result only after it
    "wide": Source(f"""
w := 1
wide := func(n) {{
    if n == 0 {{ return 0 }}
    {_WIDE_LOCALS}
    w += 1
    r := wide(n - 1)
    {_WIDE_MIX}
    return r
}}
""", {"wide": 1}, ["w"], writers=("wide",)),
    # a recursive function reading and writing many globals, called by the main body
    "global_rec": Source(
        "\n".join(f"g{i} := {i}" for i in range(24))
        + "\nf := func(n) {\n    if n == 0 { return 0 }\n"
        + "\n".join(f"    v{i} := g{i}\n    g{i} = g{i} * 7 + n" for i in range(24))
        + "\n    r := f(n - 1)\n"
        + "\n".join(f"    r = (r ^ v{i}) * 3" for i in range(24))
        + "\n    return r - n\n}\nout := f(1)\n",
        {"f": 1}, ["g0", "g23", "out"], writers=("f",)),
    "closures": Source("""
k := 3
make := func(c) { return func(x) { return x * c + k } }
triple := make(3)
half := make(0.5)
counter := func() { n := 0; return func() { n += 1; return n } }()
""", {"make": 1, "triple": 1, "half": 1, "counter": 0}, ["k"], writers=("counter",)),
    # a function reading a global whose slot is far beyond the end of a smaller script's
    # globals, handed out inside arrays and maps
    "boxes": Source("\n".join(f"p{i} := {i}" for i in range(60)) + """
inc := func(x) { return x + p59 }
box := [inc]
table := {fn: inc}
nest := {k: [[inc]]}
first := func(fs) { return fs[0](5) }
""", {"inc": 1, "first": 1}, ["box", "table", "nest", "p59"]),
    "caller": Source("""
call := func(fs) { return fs[0](5) }
callm := func(m) { return m.fn(5) }
dig := func(m) { return m.k[0][0](5) }
apply := func(f, x) { return f(x) }
""", {"call": 1, "callm": 1, "dig": 1, "apply": 2}, []),
    # recursion through the host: h calls f again through ctx.call
    "reentry": Source("""
f := func(n) { if n == 0 { return 0 }; return h(n - 1) + 1 }
""", {"f": 1}, [], hosts={"h": "f"}),
    "globals": Source("""
g := 1
h := 2
readg := func(x) { return g + x }
readgh := func(x) { return g * h + x }
writeg := func(v) { g = v; return g }
loopg := func(n) { s := 0; for i := 0; i < n && i < 1000; i++ { s += g }; return s }
""", {"readg": 1, "readgh": 1, "writeg": 1, "loopg": 1}, ["g", "h"], writers=("writeg",)),
    "div": Source("""
quot := func(a, b) { return a / b }
rem := func(a, b) { return a % b }
inv := func(a) { return 100 / a }
""", {"quot": 2, "rem": 2, "inv": 1}, []),
    "strings": Source("""
greet := func(name) { return "hello " + name }
count := 0
tick := func() { count += 1; return count }
""", {"greet": 1, "tick": 0}, ["count"], writers=("tick",)),
}

# Sources compiled once in the zygote, their recursive functions native before the fork
# (``load`` with ``prebuilt``): "wide" takes ~1.5 s to compile and "global_rec" ~0.7 s, too long
# to pay per case. Every source but those two can be compiled fresh by a case.
PREBUILT = ("recursion", "wide", "global_rec")
FRESH = tuple(name for name in SOURCES if name not in ("wide", "global_rec"))

# the functions of deep calls (op "deep"), by source
DEEP_FUNCTIONS = {"recursion": ["depth", "tri"], "wide": ["wide"], "global_rec": ["f"],
                  "reentry": ["f"]}

WARM_UP_SOURCE = "warm := func(x) { return x * 2 + 1 }"

REPR_LIMIT = 200


# ---------------------------------------------------------------------------------------------
# messages

def frame(obj):
    """``obj`` as one message: a length-prefixed pickle."""
    data = pickle.dumps(obj)
    return _HEADER.pack(len(data)) + data


def send_msg(sock, obj):
    """Send one message."""
    sock.sendall(frame(obj))


def _recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed the socket")
        buf += chunk
    return bytes(buf)


def recv_msg(sock):
    """Receive one length-prefixed pickle (``EOFError`` when the peer is gone)."""
    (n,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    return pickle.loads(_recv_exact(sock, n))


# ---------------------------------------------------------------------------------------------
# outcomes

def _short_repr(value):
    try:
        text = repr(value)
    except Exception as e:  # noqa: BLE001 - a repr that fails is reported, not raised
        text = f"<repr failed: {type(e).__name__}: {e}>"
    return text if len(text) <= REPR_LIMIT else text[:REPR_LIMIT] + "..."


def _kind(value):
    from tengojit import Closure
    if isinstance(value, Closure):
        return "closure"
    return type(value).__name__


def library_outcome(thunk, full_error=False):
    """Run ``thunk`` (one call into the library) and classify what happened.

    A ``TengoError`` is an ordinary outcome (its first line, or with ``full_error`` its whole
    text, trace included); any other exception is a *leak*.
    """
    from tengojit import TengoError
    try:
        value = thunk()
    except TengoError as e:
        text = str(e) if full_error else str(e).split("\n", 1)[0]
        return {"status": "tengo", "error": f"{type(e).__name__}: {text}"}, None
    except BaseException as e:  # noqa: BLE001 - anything but TengoError is what we hunt
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return {"status": "leak", "error": f"{type(e).__name__}: {e}",
                "traceback": traceback.format_exc()}, None
    return {"status": "value", "repr": _short_repr(value), "kind": _kind(value)}, value


def same_outcome(reference, outcome):
    """Do two outcomes of the same call agree? (Stack overflows are not compared.)"""
    if any("stack overflow" in o.get("error", "") for o in (reference, outcome)):
        return True
    return ((reference["status"], reference.get("repr"), reference.get("error"))
            == (outcome["status"], outcome.get("repr"), outcome.get("error")))


def summarise(outcomes):
    """One outcome for many calls: the first leak if any, else the first inconsistent one,
    else a tally of the results (errors by their first line)."""
    for status in ("leak", "inconsistent"):
        for o in outcomes:
            if o["status"] == status:
                return o
    tally = Counter(o.get("repr") or o["error"].split("\n")[0] for o in outcomes)
    shown = ", ".join(f"{text} x{n}" for text, n in tally.most_common(4))
    more = f" (+{len(tally) - 4} more)" if len(tally) > 4 else ""
    return {"status": "value", "repr": _short_repr(f"{len(outcomes)} calls: {shown}{more}"),
            "kind": "summary"}


def run_threads(targets, stack_size):
    """Run each target in its own thread (created with ``stack_size`` bytes of stack, 0 for
    the default) and wait for all of them."""
    threading.stack_size(stack_size)
    try:
        threads = [threading.Thread(target=t) for t in targets]
        for t in threads:
            t.start()
    finally:
        threading.stack_size(0)
    for t in threads:
        t.join()


# ---------------------------------------------------------------------------------------------
# the child: one case

class HarnessError(Exception):
    """A malformed step (unknown name or op): a bug of the harness, not of the library."""


class Session:
    """The objects of one case, by name, and the steps that act on them.

    ``scripts``: name -> ``Compiled``; ``contexts``: name -> ``ExecutionContext``;
    ``values``: name -> any value the host holds (closures, bound callables, call results,
    globals read back); ``homes``: value name -> the context it was read or returned through
    (a step naming the context ``"home"`` uses it, even after the context itself was dropped);
    ``owners``: context name -> the name of the script it was made from (``scripts`` has a
    script under the name of the context ``load`` made with it).
    Every ``op_<op>`` method takes the step dict and returns its outcome.
    """

    def __init__(self):
        self.scripts = {}
        self.contexts = {}
        self.values = {}
        self.homes = {}
        self.owners = {}

    # -- resolution (harness side: errors here are HarnessError)
    def _lookup(self, table, name):
        try:
            return getattr(self, table)[name]
        except KeyError:
            raise HarnessError(f"no {table[:-1]} named {name!r}") from None

    def _ctx(self, name):
        return self._lookup("contexts", name)

    def _val(self, name):
        return self._lookup("values", name)

    def _ctx_for(self, step):
        """The context named by ``step["ctx"]``; ``"home"``: the home of ``step["fn"]``."""
        if step["ctx"] == "home":
            try:
                return self.homes[step["fn"]]
            except KeyError:
                raise HarnessError(f"{step['fn']!r} has no home context") from None
        return self._ctx(step["ctx"])

    def _arg(self, spec):
        """An argument from its spec: ``("lit", v)``, ``("ref", name)``, ``("array_of", name)``,
        ``("map_of", name)`` or ``("nested", name)`` (``[{"fn": value}]``)."""
        tag, payload = spec
        if tag == "lit":
            return payload
        value = self._val(payload)
        if tag == "ref":
            return value
        if tag == "array_of":
            return [value]
        if tag == "map_of":
            return {"fn": value}
        if tag == "nested":
            return [{"fn": value}]
        raise HarnessError(f"unknown argument spec {spec!r}")

    def _args(self, step):
        return [self._arg(a) for a in step.get("args", [])]

    def _keep(self, step, outcome, value, home):
        if step.get("name") is not None and outcome["status"] == "value":
            self.values[step["name"]] = value
            self.homes[step["name"]] = home
        return outcome

    def execute(self, step):
        """The outcome of one step."""
        op = step.get("op")
        method = getattr(self, f"op_{op}", None)
        try:
            if method is None:
                raise HarnessError(f"unknown op {op!r}")
            return method(step)
        except HarnessError:
            return {"status": "harness", "traceback": traceback.format_exc()}

    # -- scripts and contexts
    def op_load(self, step):
        """Script ``source`` — compiled now, or the zygote's one if ``prebuilt`` (run, its
        recursive functions already native) — then run if ``run``, and its
        ``compiled.context()``; both kept under ``name``."""
        if step["prebuilt"]:
            if step["source"] not in PREBUILT:
                raise HarnessError(f"{step['source']!r} is not prebuilt")
            make = lambda: prebuilt_script(step["source"])  # noqa: E731
        else:
            make = lambda: compile_source(step["source"], f"{step['name']}.tengo")  # noqa: E731

        def load():
            compiled = make()
            if step["run"]:
                compiled.run()
            return compiled, compiled.context()

        outcome, pair = library_outcome(load)
        if outcome["status"] == "value":
            self.scripts[step["name"]], self.contexts[step["name"]] = pair
            self.owners[step["name"]] = step["name"]
        return outcome

    def _script_of(self, ctx_name):
        """The ``Compiled`` a context was made from; None once that script was dropped."""
        self._ctx(ctx_name)
        return self.scripts.get(self.owners[ctx_name])

    def op_run(self, step):
        """Run the main body of the script of context ``ctx`` again (its globals are
        assigned anew: new function values replace the old ones)."""
        compiled = self._script_of(step["ctx"])
        if compiled is None:
            return {"status": "skipped", "repr": "the script was dropped"}
        return library_outcome(compiled.run)[0]

    def op_context(self, step):
        """A new context from context ``parent``: ``how`` is ``compiled``
        (``compiled.context()`` of its script), ``new`` (``ExecutionContext(compiled)``),
        ``isolated`` (``parent.with_isolated_globals()``) or ``copied``
        (``parent.with_globals(list(parent.globals))``)."""
        from tengojit import ExecutionContext
        how = step["how"]
        parent = self._ctx(step["parent"])
        if how in ("compiled", "new"):
            compiled = self._script_of(step["parent"])
            if compiled is None:
                return {"status": "skipped", "repr": "the script was dropped"}
            if how == "compiled":
                thunk = compiled.context
            else:
                thunk = lambda: ExecutionContext(compiled)  # noqa: E731
        elif how == "isolated":
            thunk = parent.with_isolated_globals
        elif how == "copied":
            thunk = lambda: parent.with_globals(list(parent.globals))  # noqa: E731
        else:
            raise HarnessError(f"unknown context kind {how!r}")
        outcome, ctx = library_outcome(thunk)
        if outcome["status"] == "value":
            self.contexts[step["name"]] = ctx
            self.owners[step["name"]] = self.owners[step["parent"]]
        return outcome

    def op_lookup(self, step):
        """``ctx.get(global)``, kept as value ``name`` (its home: ``ctx``)."""
        ctx = self._ctx(step["ctx"])
        outcome, value = library_outcome(lambda: ctx.get(step["global"]))
        return self._keep(step, outcome, value, ctx)

    def op_set(self, step):
        ctx = self._ctx(step["ctx"])
        value = self._arg(step["value"])
        return library_outcome(lambda: ctx.set(step["global"], value))[0]

    def op_globals(self, step):
        """Mutate ``ctx.globals`` in place: ``del_tail`` (``del g[-k:]``), ``clear``,
        ``append`` (one ``value``), ``pad`` (append ``k`` undefined slots)."""
        ctx = self._ctx(step["ctx"])
        action = step["action"]

        def mutate():
            g = ctx.globals
            if action == "del_tail":
                del g[-step["k"]:]
            elif action == "clear":
                del g[:]
            elif action == "append":
                g.append(self._arg(step["value"]))
            elif action == "pad":
                g.extend([None] * step["k"])
            else:
                raise HarnessError(f"unknown globals action {action!r}")
            return len(g)
        return library_outcome(mutate)[0]

    def op_drop(self, step):
        """Forget a script, context or value (the library objects may be freed); then, if
        ``gc``, collect garbage (the outcome is ``gc.collect()``'s count)."""
        table = getattr(self, step["table"])
        if step["name"] not in table:
            raise HarnessError(f"no {step['table']} entry {step['name']!r}")
        del table[step["name"]]
        if step["table"] == "contexts":
            self.owners.pop(step["name"], None)
        self.homes.pop(step["name"], None)
        if step.get("gc"):
            return library_outcome(gc.collect)[0]
        return {"status": "value", "repr": "dropped", "kind": "NoneType"}

    # -- calls
    def op_call(self, step):
        """``ctx.call(fn, *args)``, or ``fn(*args)`` when ``ctx`` is None."""
        fn = self._val(step["fn"])
        args = self._args(step)
        if step.get("ctx") is None:
            if not callable(fn):
                raise HarnessError(f"{step['fn']!r} is not callable: {fn!r}")
            ctx = self.homes.get(step["fn"])
            thunk = lambda: fn(*args)  # noqa: E731
        else:
            ctx = self._ctx_for(step)
            thunk = lambda: ctx.call(fn, *args)  # noqa: E731
        return self._keep(step, *library_outcome(thunk), ctx)

    def op_call_global(self, step):
        """``ctx.call(ctx.get(global), *args)``: look up and call in one step."""
        ctx = self._ctx(step["ctx"])
        args = self._args(step)
        return library_outcome(lambda: ctx.call(ctx.get(step["global"]), *args))[0]

    def op_bind(self, step):
        ctx = self._ctx(step["ctx"])
        fn = self._val(step["fn"])
        return self._keep(step, *library_outcome(lambda: ctx.bind(fn)), ctx)

    def op_map(self, step):
        """``ctx.map(fn, items)``; ``numpy``: None (a list) or ``int64`` / ``float64``."""
        ctx = self._ctx_for(step)
        fn = self._val(step["fn"])
        items = step["items"]
        if step.get("numpy"):
            import numpy as np
            items = np.array(items, dtype=step["numpy"])
        return library_outcome(lambda: ctx.map(fn, items))[0]

    def op_churn(self, step):
        """``rounds`` times: ``ctx.set(global, values[i % len(values)])`` then
        ``ctx.call(fn, *args)`` — every type change fails the native entry checks."""
        ctx = self._ctx_for(step)
        fn = self._val(step["fn"])
        args = self._args(step)
        values = [self._arg(v) for v in step["values"]]
        outcomes = []
        for i in range(step["rounds"]):
            v = values[i % len(values)]
            outcome, _ = library_outcome(lambda: ctx.set(step["global"], v))
            outcomes.append(outcome)
            if outcome["status"] == "leak":
                break
            outcome, _ = library_outcome(lambda: ctx.call(fn, *args))
            outcomes.append(outcome)
            if outcome["status"] == "leak":
                break
        return summarise(outcomes)

    def op_deep(self, step):
        """Call ``function`` of context ``ctx`` with ``n`` (deep recursion) through ``via``
        (``call``: ``ctx.call``, ``bind``: ``ctx.bind``, ``direct``: the ``Closure``), in this
        thread (``stack`` None) or in a new thread with ``stack`` bytes of stack (0: the
        default size)."""
        ctx = self._ctx(step["ctx"])
        via = step["via"]
        if via not in ("call", "bind", "direct"):
            raise HarnessError(f"unknown call route {via!r}")

        def make_caller():
            fn = ctx.get(step["function"])
            if via == "bind":
                return ctx.bind(fn)
            if via == "direct" and callable(fn):
                return fn
            return lambda n: ctx.call(fn, n)

        outcome, caller = library_outcome(make_caller)
        if outcome["status"] != "value":
            return outcome
        n = step["n"]
        if step["stack"] is None:
            return library_outcome(lambda: caller(n))[0]
        result = []
        run_threads([lambda: result.append(library_outcome(lambda: caller(n))[0])],
                    step["stack"])
        return result[0]

    def op_threads(self, step):
        """``threads`` threads calling ``calls`` times each: even threads ``fn`` with ``args``
        through context ``ctx``, odd ones ``fn2`` with ``args2`` through the home of ``fn2``
        (``isolated``: each thread through its own ``with_isolated_globals()`` of that
        context), with ``stack`` bytes of stack (0: the default) and a 1 µs switch interval.

        With ``deterministic`` (neither function has side effects) every call must give the
        outcome one call of the same function on the same context gave before the threads
        started — the same value or the same error, trace included (a stack overflow, which
        depends on the thread's stack, is not compared): else the outcome is
        ``inconsistent``.
        """
        homes = [self._ctx_for(step), self._ctx_for(dict(step, fn=step["fn2"]))]
        pairs = [(self._val(step["fn"]), self._args(step)),
                 (self._val(step["fn2"]), [self._arg(a) for a in step["args2"]])]
        plan = []
        for i in range(step["threads"]):
            c = homes[i % 2]
            if step["isolated"]:
                outcome, c = library_outcome(c.with_isolated_globals)
                if outcome["status"] != "value":
                    return outcome
            fn, args = pairs[i % 2]
            reference = None
            if step["deterministic"]:
                reference = library_outcome(lambda: c.call(fn, *args), full_error=True)[0]
                if reference["status"] == "leak":
                    return reference
            plan.append((c, fn, args, reference))
        outcomes = []

        def work(c, fn, args, reference):
            for _ in range(step["calls"]):
                outcome = library_outcome(lambda: c.call(fn, *args), full_error=True)[0]
                if reference is not None and not same_outcome(reference, outcome):
                    outcome = {"status": "inconsistent", "error": (
                        f"a call from a thread gave {outcome.get('repr') or outcome['error']!r}"
                        f", the same call alone {reference.get('repr') or reference['error']!r}")}
                outcomes.append(outcome)

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            run_threads([lambda p=p: work(*p) for p in plan], step["stack"])
        finally:
            sys.setswitchinterval(interval)
        return summarise(outcomes)

    def op_programs_freed(self, step):
        """Compile ``count`` scripts of ``source``, run them, call each function natively
        (``ctx.call`` and ``bind``, argument 3), let go of everything and collect: every
        program must be freed, else the outcome is ``retained``."""
        import weakref
        from tengojit import TengoError
        refs = []

        def use_and_forget(i):
            compiled = compile_source(step["source"], f"freed_{i}.tengo").run()
            ctx = compiled.context()
            refs.append(weakref.ref(compiled.program))
            for name, arity in SOURCES[step["source"]].functions.items():
                fn = compiled.get(name)
                for call in (lambda: ctx.call(fn, *[3] * arity),
                             lambda: ctx.bind(fn)(*[3] * arity)):
                    try:
                        call()
                    except TengoError:
                        pass

        for i in range(step["count"]):
            outcome, _ = library_outcome(lambda: use_and_forget(i))
            if outcome["status"] == "leak":
                return outcome
        gc.collect()
        alive = sum(r() is not None for r in refs)
        if alive:
            return {"status": "retained",
                    "error": f"{alive} of {len(refs)} programs alive after gc.collect()"}
        return {"status": "value", "repr": f"{len(refs)} programs freed", "kind": "int"}

    # -- harness self-tests
    def op_selftest(self, step):
        """Misbehave on purpose (``segv``, ``segv_at_exit``, ``hang``, ``leak``) so that the
        harness's detection of each failure can itself be tested."""
        import atexit
        import signal
        what = step["what"]
        if what == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        if what == "segv_at_exit":
            atexit.register(os.kill, os.getpid(), signal.SIGSEGV)
            return {"status": "value", "repr": "registered", "kind": "NoneType"}
        if what == "hang":
            threading.Event().wait()
        if what == "leak":
            return library_outcome(lambda: {}["missing"])[0]
        raise HarnessError(f"unknown self-test {what!r}")


def serve_case(sock):
    """Serve steps on ``sock`` until an ``end`` step (its mode is returned) or EOF."""
    session = Session()
    while True:
        try:
            step = recv_msg(sock)
        except EOFError:
            return "os._exit"
        if step.get("op") == "end":
            send_msg(sock, {"status": "value", "repr": "ending", "kind": "NoneType"})
            return step["mode"]
        send_msg(sock, session.execute(step))


def child_main(case_sock, output_fd):
    """The forked child: serve the case, then exit the way the case asked (never returns
    into the zygote's loop)."""
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    mode = "os._exit"
    try:
        mode = serve_case(case_sock)
    except BaseException:  # noqa: BLE001 - report, then exit without running the zygote's code
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(70)
    if mode == "gc+os._exit":
        gc.collect()
    if mode in ("os._exit", "gc+os._exit"):
        os._exit(0)
    case_sock.close()
    sys.exit(0)


# ---------------------------------------------------------------------------------------------
# the zygote

def thread_count():
    """Threads of this process (the OS's count, native threads included), but the JIT's
    ticker ("tengojit-tick"): it holds no lock a forked child could need (its state is reset
    by a ``pthread_atfork`` handler, and the child starts a ticker of its own)."""
    n = 0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                if f.read().strip() == "tengojit-tick":
                    continue
        except OSError:
            pass
        n += 1
    return n


def compile_source(source, name):
    """Pool source ``source`` compiled with the JIT forced on (threshold 0), ``name`` being its
    file name in error traces, with its host functions added."""
    from tengojit import Script
    src = SOURCES[source]
    script = Script(src.text, name=name, jit=True, jit_threshold=0)
    own = {}
    for host, target in src.hosts.items():
        script.add(host, lambda n, target=target: own["ctx"].call(own["ctx"].get(target), n))
    compiled = script.compile()
    own["ctx"] = compiled.context()
    return compiled


_prebuilt = {}


def prebuilt_script(source):
    """The ``Compiled`` script of ``source``, run, with each of its ``DEEP_FUNCTIONS``
    compiled natively together with its host and bound entries (``ctx.call`` twice, then
    ``ctx.bind``); built on first use, then the same object."""
    compiled = _prebuilt.get(source)
    if compiled is None:
        compiled = compile_source(source, f"prebuilt_{source}.tengo").run()
        ctx = compiled.context()
        for name in DEEP_FUNCTIONS[source]:
            fn = compiled.get(name)
            ctx.call(fn, 3)
            ctx.call(fn, 3)
            ctx.bind(fn)(3)
        _prebuilt[source] = compiled
    return compiled


def warm_up():
    """Load tengojit, numpy and the JIT engine and build the ``PREBUILT`` scripts; a dict
    describing the result (the JIT's states must all be ``compiled``)."""
    import numpy  # noqa: F401 - imported before forking so cases do not pay for it
    import tengojit.jit as jit
    from tengojit import Script
    compiled = Script(WARM_UP_SOURCE, jit=True, jit_threshold=0).compile()
    compiled.run()
    result = compiled.context().call(compiled.get("warm"), 20)
    programs = [compiled.program] + [prebuilt_script(s).program for s in PREBUILT]
    states = sorted({r["state"] for p in programs for r in jit.stats(p)})
    return {"available": jit.available(), "result": result, "states": states,
            "threads": thread_count()}


def zygote_main(ctrl_fd):
    ctrl = socket.socket(fileno=ctrl_fd)
    faulthandler.enable()
    info = warm_up()
    send_msg(ctrl, ("ready", info))
    if info["threads"] != 1:
        return
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(ctrl, 1 << 16, 2)
        except (EOFError, ConnectionError):
            return
        if not msg:
            return
        request = pickle.loads(msg[_HEADER.size:])
        if request[0] == "quit":
            return
        case_fd, output_fd = fds
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            ctrl.close()
            child_main(socket.socket(fileno=case_fd), output_fd)
        os.close(case_fd)
        os.close(output_fd)
        send_msg(ctrl, ("forked", pid))
        _, status = os.waitpid(pid, 0)
        send_msg(ctrl, ("exited", pid, status))


def replay_main(text):
    """Run the steps of ``text`` (a Python literal list of step dicts) here, printing each
    outcome."""
    steps = eval(text, {"__builtins__": {}}, {"nan": float("nan"), "inf": float("inf")})
    faulthandler.enable()
    session = Session()
    for i, step in enumerate(steps):
        print(f"{i}: {step!r}", flush=True)
        if step.get("op") == "end":
            if step["mode"] == "gc+os._exit":
                gc.collect()
            if step["mode"] != "sys.exit":
                os._exit(0)
            break
        print(f"   -> {session.execute(step)!r}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--zygote":
        zygote_main(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--replay":
        replay_main(sys.argv[2])
    else:
        sys.exit(f"usage: {sys.argv[0]} --zygote FD | --replay STEPS")
