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
    """A Tengo script of the pool: its text, its function globals (name -> arity) and the
    other globals a host may read and set."""
    text: str
    functions: dict
    data: list


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
""", {"wide": 1}, ["w"]),
    "closures": Source("""
k := 3
make := func(c) { return func(x) { return x * c + k } }
triple := make(3)
half := make(0.5)
counter := func() { n := 0; return func() { n += 1; return n } }()
""", {"make": 1, "triple": 1, "half": 1, "counter": 0}, ["k"]),
    "boxes": Source("""
inc := func(x) { return x + 1 }
box := [inc]
table := {fn: inc}
first := func(fs) { return fs[0](5) }
""", {"inc": 1, "first": 1}, ["box", "table"]),
    "caller": Source("""
call := func(fs) { return fs[0](5) }
callm := func(m) { return m.fn(5) }
apply := func(f, x) { return f(x) }
""", {"call": 1, "callm": 1, "apply": 2}, []),
    "globals": Source("""
g := 1
h := 2
readg := func(x) { return g + x }
readgh := func(x) { return g * h + x }
writeg := func(v) { g = v; return g }
loopg := func(n) { s := 0; for i := 0; i < n && i < 1000; i++ { s += g }; return s }
""", {"readg": 1, "readgh": 1, "writeg": 1, "loopg": 1}, ["g", "h"]),
    "div": Source("""
quot := func(a, b) { return a / b }
rem := func(a, b) { return a % b }
inv := func(a) { return 100 / a }
""", {"quot": 2, "rem": 2, "inv": 1}, []),
    "strings": Source("""
greet := func(name) { return "hello " + name }
count := 0
tick := func() { count += 1; return count }
""", {"greet": 1, "tick": 0}, ["count"]),
}

# Sources whose recursive functions are compiled once in the zygote (op "prebuilt"): "wide"
# takes ~1.5 s to compile, too long to pay per case. Every other source is compiled fresh by
# each case (op "compile").
PREBUILT = ("recursion", "wide")
FRESH = tuple(name for name in SOURCES if name != "wide")

# the functions of deep calls (op "deep"), by source
DEEP_FUNCTIONS = {"recursion": ["depth", "tri"], "wide": ["wide"]}

WARM_UP_SOURCE = "warm := func(x) { return x * 2 + 1 }"

REPR_LIMIT = 200


# ---------------------------------------------------------------------------------------------
# messages

def send_msg(sock, obj):
    """Send one length-prefixed pickle."""
    data = pickle.dumps(obj)
    sock.sendall(_HEADER.pack(len(data)) + data)


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


def library_outcome(thunk):
    """Run ``thunk`` (one call into the library) and classify what happened.

    A ``TengoError`` is an ordinary outcome; any other exception is a *leak*.
    """
    from tengojit import TengoError
    try:
        value = thunk()
    except TengoError as e:
        first = str(e).split("\n", 1)[0]
        return {"status": "tengo", "error": f"{type(e).__name__}: {first}"}, None
    except BaseException as e:  # noqa: BLE001 - anything but TengoError is what we hunt
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return {"status": "leak", "error": f"{type(e).__name__}: {e}",
                "traceback": traceback.format_exc()}, None
    return {"status": "value", "repr": _short_repr(value), "kind": _kind(value)}, value


def summarise(outcomes):
    """One outcome for many calls: the first leak if any, else a tally of the results."""
    for o in outcomes:
        if o["status"] == "leak":
            return o
    tally = Counter(o.get("repr") or o.get("error") for o in outcomes)
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
    globals read back). Every ``op_<op>`` method takes the step dict and returns its outcome.
    """

    def __init__(self):
        self.scripts = {}
        self.contexts = {}
        self.values = {}

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

    def _keep(self, step, outcome, value):
        if step.get("name") is not None and outcome["status"] == "value":
            self.values[step["name"]] = value
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
    def op_compile(self, step):
        from tengojit import Script
        src = SOURCES[step["source"]].text
        outcome, compiled = library_outcome(
            lambda: Script(src, jit=True, jit_threshold=0).compile())
        if outcome["status"] == "value":
            self.scripts[step["name"]] = compiled
        return outcome

    def op_prebuilt(self, step):
        """The zygote's compiled-and-run script of ``source`` (one of ``PREBUILT``), whose
        recursive functions were compiled natively before the fork."""
        if step["source"] not in PREBUILT:
            raise HarnessError(f"{step['source']!r} is not prebuilt")
        outcome, compiled = library_outcome(lambda: prebuilt_script(step["source"]))
        if outcome["status"] == "value":
            self.scripts[step["name"]] = compiled
        return outcome

    def op_run(self, step):
        compiled = self._lookup("scripts", step["script"])
        return library_outcome(compiled.run)[0]

    def op_context(self, step):
        """``how``: ``compiled`` (``compiled.context()``), ``new`` (``ExecutionContext(c)``),
        ``isolated`` / ``copied`` (``with_isolated_globals()`` / ``with_globals(list(...))`` of
        the context ``parent``)."""
        from tengojit import ExecutionContext
        how = step["how"]
        if how == "compiled":
            compiled = self._lookup("scripts", step["script"])
            thunk = compiled.context
        elif how == "new":
            compiled = self._lookup("scripts", step["script"])
            thunk = lambda: ExecutionContext(compiled)  # noqa: E731
        elif how == "isolated":
            thunk = self._ctx(step["parent"]).with_isolated_globals
        elif how == "copied":
            parent = self._ctx(step["parent"])
            thunk = lambda: parent.with_globals(list(parent.globals))  # noqa: E731
        else:
            raise HarnessError(f"unknown context kind {how!r}")
        outcome, ctx = library_outcome(thunk)
        if outcome["status"] == "value":
            self.contexts[step["name"]] = ctx
        return outcome

    def op_lookup(self, step):
        """``ctx.get(global)`` (``via`` ``ctx``) or ``compiled.get(global)`` (``via`` a
        script name), kept as value ``name``."""
        if step.get("via_script"):
            source = self._lookup("scripts", step["via_script"])
        else:
            source = self._ctx(step["ctx"])
        outcome, value = library_outcome(lambda: source.get(step["global"]))
        return self._keep(step, outcome, value)

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
        """Forget a script, context or value (the library objects may be freed)."""
        table = getattr(self, step["table"])
        if step["name"] not in table:
            raise HarnessError(f"no {step['table']} entry {step['name']!r}")
        del table[step["name"]]
        return {"status": "value", "repr": "dropped", "kind": "NoneType"}

    def op_gc(self, step):
        return library_outcome(gc.collect)[0]

    # -- calls
    def op_call(self, step):
        """``ctx.call(fn, *args)``, or ``fn(*args)`` when ``ctx`` is None."""
        fn = self._val(step["fn"])
        args = self._args(step)
        if step.get("ctx") is None:
            if not callable(fn):
                raise HarnessError(f"{step['fn']!r} is not callable: {fn!r}")
            thunk = lambda: fn(*args)  # noqa: E731
        else:
            ctx = self._ctx(step["ctx"])
            thunk = lambda: ctx.call(fn, *args)  # noqa: E731
        return self._keep(step, *library_outcome(thunk))

    def op_bind(self, step):
        ctx = self._ctx(step["ctx"])
        fn = self._val(step["fn"])
        return self._keep(step, *library_outcome(lambda: ctx.bind(fn)))

    def op_map(self, step):
        """``ctx.map(fn, items)``; ``numpy``: None (a list) or ``int64`` / ``float64``."""
        ctx = self._ctx(step["ctx"])
        fn = self._val(step["fn"])
        items = step["items"]
        if step.get("numpy"):
            import numpy as np
            items = np.array(items, dtype=step["numpy"])
        return library_outcome(lambda: ctx.map(fn, items))[0]

    def op_churn(self, step):
        """``rounds`` times: ``ctx.set(global, values[i % len(values)])`` then
        ``ctx.call(fn, *args)`` — every type change fails the native entry checks."""
        ctx = self._ctx(step["ctx"])
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
        """``threads`` threads, each calling ``fn`` with ``args`` ``calls`` times through the
        context ``ctx`` (``isolated``: each thread through its own
        ``ctx.with_isolated_globals()``), with ``stack`` bytes of stack (0: default)."""
        ctx = self._ctx(step["ctx"])
        fn = self._val(step["fn"])
        args = self._args(step)
        contexts = []
        for _ in range(step["threads"]):
            if step["isolated"]:
                outcome, iso = library_outcome(ctx.with_isolated_globals)
                if outcome["status"] != "value":
                    return outcome
                contexts.append(iso)
            else:
                contexts.append(ctx)
        outcomes = []

        def work(c):
            for _ in range(step["calls"]):
                outcomes.append(library_outcome(lambda: c.call(fn, *args))[0])

        run_threads([lambda c=c: work(c) for c in contexts], step["stack"])
        return summarise(outcomes)

    # -- harness self-tests
    def op_selftest(self, step):
        """Misbehave on purpose (``segv``, ``segv_at_exit``, ``hang``, ``leak``) so the harness's detection of
        each failure can itself be tested."""
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
    """Threads of this process (the OS's count, native threads included)."""
    return len(os.listdir("/proc/self/task"))


_prebuilt = {}


def prebuilt_script(source):
    """The ``Compiled`` script of ``source``, run, with each of its ``DEEP_FUNCTIONS``
    called once (so compiled natively); built on first use, then the same object."""
    compiled = _prebuilt.get(source)
    if compiled is None:
        from tengojit import Script
        compiled = Script(SOURCES[source].text, jit=True, jit_threshold=0).compile().run()
        ctx = compiled.context()
        for name in DEEP_FUNCTIONS[source]:
            ctx.call(compiled.get(name), 3)
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
