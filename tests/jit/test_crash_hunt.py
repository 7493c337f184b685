"""Crash hunt: random sequences of host-API steps with the JIT forced on, each case in a
forked child process, so that a crash of native code fails one case instead of the test run.

A *zygote* (``crash_hunt_worker.py --zygote``) is started once per module: it imports
tengojit, compiles a few functions natively, checks it is single-threaded, then forks one child
per case. A hypothesis ``RuleBasedStateMachine`` (``CrashHunt``) sends the case's steps to its
child one by one — load scripts of a small pool (compiled in the case, or compiled before the
fork), create contexts (shared, new, isolated, copied), look up functions and globals, call
them (``ctx.call``, ``Closure(...)``, ``bind``, ``map``, from 2-4 threads, deep recursion in
the main thread or in a thread with a 1 MiB stack) with ints, floats, strings, lists, maps and
functions of other scripts inside arrays and maps, change the type of globals again and again,
shrink and grow ``ctx.globals``, drop objects and collect garbage — and checks each outcome:

- the child must not die (by a signal or otherwise) during a step, nor when it exits at the end
  of the case (``os._exit``, ``gc.collect()`` then ``os._exit``, or a full interpreter
  shutdown with ``sys.exit``);
- no step may take longer than ``STEP_TIMEOUT`` seconds;
- every exception the library raises must be a ``TengoError``;
- calls of functions without side effects from threads give what the same call gives alone
  (value, or error text and trace);
- programs are freed once nothing refers to them.

A failing case is printed by hypothesis as its rule sequence, with the exact steps the child
received and their outcomes, the child's output (faulthandler's traceback for a crash) and a
command replaying the steps in a fresh process.

``test_crash_hunt`` runs ``DEFAULT_CASES`` cases from a fixed seed and reports the first
failing case as found; ``test_crash_hunt_slow`` (marked slow) runs ``TENGOJIT_CRASH_HUNT_CASES``
(default 2000) random ones and shrinks every distinct failure. Each prints a tally (cases,
crashes, hangs, leaked exceptions, ..., steps). ``test_interpreter_exit`` runs fixed scripts in
fresh interpreters, so that the real end-of-process finalisation runs too.
"""
from __future__ import annotations

import importlib.util
import math
import os
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, consumes, initialize, multiple,
                                 precondition, rule, run_state_machine_as_test)

import tengojit.jit as jit

WORKER_PATH = Path(__file__).with_name("crash_hunt_worker.py")


def _load_worker():
    spec = importlib.util.spec_from_file_location("crash_hunt_worker", WORKER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


worker = _load_worker()

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"),
                       reason="the crash hunt forks its cases and reads /proc (Linux only)"),
    pytest.mark.skipif(not jit.available(),
                       reason="the JIT tier is not available: there is no native code to crash"),
]

STEP_TIMEOUT = 60.0
DEFAULT_CASES = 40
SLOW_CASES = int(os.environ.get("TENGOJIT_CRASH_HUNT_CASES", "2000"))
STEPS_PER_CASE = 25
OUTPUT_HEAD_LINES = 5
OUTPUT_TAIL_LINES = 40

EXIT_MODES = ("os._exit", "gc+os._exit", "sys.exit")
THREAD_STACK = 1 << 20

# cases run, crashes, hangs, leaks, steps and outcomes, over the whole module
TALLY = Counter()


# ---------------------------------------------------------------------------------------------
# failures

class CaseFailure(AssertionError):
    """A case found a bug; the message holds the steps and what the child printed."""


class ChildCrashed(CaseFailure):
    """The child died (a signal, or an exit nobody asked for)."""


class ChildHung(CaseFailure):
    """A step did not answer within its timeout."""


class LeakedException(CaseFailure):
    """A step let an exception other than ``TengoError`` escape the library."""


class InconsistentOutcome(CaseFailure):
    """Calls from threads disagreed with the same call made alone."""


class ProgramsRetained(CaseFailure):
    """Programs stayed alive after the last reference to them was gone."""


class HarnessBug(Exception):
    """The worker could not make sense of a step: the harness, not the library, is wrong."""


_failure_classes = {}


def failure_class(base, case, op):
    """``base`` specialised by ``op`` (the failing step's op; for a leak, the exception's
    type) and by whether ``case`` shrank a globals list before (``ChildCrashed_deep``,
    ``LeakedException_IndexError_after_globals_shrank``, ...).

    Hypothesis tells failures apart by exception class: each class is reported (and shrunk)
    as a bug of its own, so a crash that needs a shrunk globals list does not hide a crash of
    the same step that does not.
    """
    name = f"{base.__name__}_{op}"
    if any(step.get("op") == "globals" and step.get("action") in ("del_tail", "clear")
           for step, _ in case.history):
        name += "_after_globals_shrank"
    cls = _failure_classes.get(name)
    if cls is None:
        cls = _failure_classes[name] = type(name, (base,), {})
    return cls


def signal_name(sig):
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def describe_status(status):
    """A wait status in words: ``killed by SIGSEGV`` or ``exited with code 3``."""
    if os.WIFSIGNALED(status):
        return f"killed by {signal_name(os.WTERMSIG(status))}"
    return f"exited with code {os.WEXITSTATUS(status)}"


def describe_returncode(returncode):
    """A ``subprocess`` return code in words (negative: the signal that killed it)."""
    if returncode < 0:
        return f"killed by {signal_name(-returncode)}"
    return f"exited with code {returncode}"


def describe_outcome(outcome):
    if outcome is None:
        return "(no answer)"
    status = outcome["status"]
    if status == "value":
        return f"-> {outcome['repr']}"
    if status == "tengo":
        return f"-> raised {outcome['error']}"
    if status == "leak":
        return f"-> LEAKED {outcome['error']}"
    return f"-> {status.upper()}: {outcome.get('error') or outcome.get('repr')}"


# ---------------------------------------------------------------------------------------------
# the zygote and its cases

class Zygote:
    """A running ``crash_hunt_worker.py --zygote`` process and its control socket."""

    def __init__(self):
        self.ctrl, theirs = socket.socketpair()
        self.log = tempfile.TemporaryFile()
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1")
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER_PATH), "--zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=self.log, env=env)
        theirs.close()
        self.ctrl.settimeout(300)
        try:
            tag, self.info = worker.recv_msg(self.ctrl)
        except (EOFError, OSError) as e:
            raise RuntimeError(f"the zygote did not start ({e}):\n{self.output()}") from None
        assert tag == "ready", tag

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def start_case(self, tally=None):
        return Case(self, tally)

    def close(self):
        try:
            worker.send_msg(self.ctrl, ("quit",))
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.ctrl.close()
        self.log.close()


class Case:
    """One forked child of the zygote and the steps it was sent.

    ``step`` sends a step and returns its outcome, or raises ``ChildCrashed`` / ``ChildHung``
    (the child is then gone). ``finish`` ends the child the requested way and raises
    ``ChildCrashed`` if it did not exit with status 0. ``tally`` (a Counter, or None) counts
    cases, steps, outcomes and failures.
    """

    def __init__(self, zygote, tally=None):
        self.zygote = zygote
        self.tally = tally if tally is not None else Counter()
        self.output = tempfile.TemporaryFile()
        self.sock, theirs = socket.socketpair()
        socket.send_fds(zygote.ctrl, [worker.frame(("fork",))],
                        [theirs.fileno(), self.output.fileno()])
        theirs.close()
        tag, self.pid = worker.recv_msg(zygote.ctrl)
        assert tag == "forked", tag
        self.history = []          # [step, outcome or None]
        self.status = None         # the child's wait status, once it is gone
        self.tally["cases"] += 1

    # -- reporting
    def replay_command(self):
        steps = repr([s for s, _ in self.history])
        quoted = f'"{steps}"' if not set('"$`\\!') & set(steps) else shlex.quote(steps)
        return f"python {WORKER_PATH} --replay {quoted}"

    def child_output(self):
        """What the child printed: its first ``OUTPUT_HEAD_LINES`` and last
        ``OUTPUT_TAIL_LINES`` lines (faulthandler's report of a crash starts with the signal
        and ends with the crashing thread's stack)."""
        self.output.seek(0)
        lines = self.output.read().decode(errors="replace").splitlines()
        if len(lines) > OUTPUT_HEAD_LINES + OUTPUT_TAIL_LINES:
            skipped = len(lines) - OUTPUT_HEAD_LINES - OUTPUT_TAIL_LINES
            lines = (lines[:OUTPUT_HEAD_LINES] + [f"[... {skipped} lines ...]"]
                     + lines[-OUTPUT_TAIL_LINES:])
        return "\n".join("    " + line for line in lines)

    def report(self, headline):
        lines = [headline, "", "steps the child received:"]
        for i, (step, outcome) in enumerate(self.history):
            lines.append(f"  {i}: {step!r}")
            lines.append(f"       {describe_outcome(outcome)}")
            if outcome is not None and outcome["status"] in ("leak", "harness"):
                lines.extend("       " + t for t in outcome["traceback"].splitlines())
        lines += ["", "replay the steps in a fresh process:", f"  {self.replay_command()}"]
        output = self.child_output()
        if output.strip():
            lines += ["", "the child's output:", output]
        return "\n".join(lines)

    # -- the child's end
    def _collect(self, timeout):
        """Wait for the zygote's report of the child's exit (killing it after ``timeout``)."""
        ctrl = self.zygote.ctrl
        ready, _, _ = select.select([ctrl], [], [], timeout)
        if not ready:
            os.kill(self.pid, signal.SIGKILL)
        tag, pid, status = worker.recv_msg(ctrl)
        assert (tag, pid) == ("exited", self.pid), (tag, pid)
        self.status = status
        self.sock.close()
        return status

    def _died(self, op, when):
        status = self._collect(STEP_TIMEOUT)
        self.tally["crashes"] += 1
        self.tally[f"crash: {describe_status(status)}"] += 1
        raise failure_class(ChildCrashed, self, op)(
            self.report(f"the child was {describe_status(status)} {when}"))

    def step(self, step, timeout=STEP_TIMEOUT):
        """Send ``step``; its outcome (a dict, see crash_hunt_worker)."""
        op = step.get("op")
        index = len(self.history)
        self.history.append([step, None])
        try:
            worker.send_msg(self.sock, step)
            sent = True
        except OSError:
            sent = False
        if not sent:
            self._died(op, f"before step {index} ({op})")
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            os.kill(self.pid, signal.SIGKILL)
            self._collect(STEP_TIMEOUT)
            self.tally["hangs"] += 1
            raise failure_class(ChildHung, self, op)(self.report(
                f"step {index} ({op}) did not answer within {timeout:g} s"))
        try:
            outcome = worker.recv_msg(self.sock)
        except (EOFError, OSError):
            outcome = None
        if outcome is None:
            self._died(op, f"during step {index} ({op})")
        self.history[-1][1] = outcome
        self.tally["steps"] += 1
        self.tally[f"outcome: {outcome['status']}"] += 1
        self.tally[f"{op}: {outcome['status']}"] += 1
        return outcome

    def finish(self, mode):
        """End the child with ``mode`` (one of ``EXIT_MODES``); raise unless it exits 0."""
        if self.status is not None:
            return
        self.history.append([{"op": "end", "mode": mode}, None])
        try:
            worker.send_msg(self.sock, {"op": "end", "mode": mode})
            if select.select([self.sock], [], [], STEP_TIMEOUT)[0]:
                self.history[-1][1] = worker.recv_msg(self.sock)
        except (EOFError, OSError):
            pass
        status = self._collect(STEP_TIMEOUT)
        if status != 0:
            self.tally["crashes"] += 1
            self.tally[f"crash: {describe_status(status)} at exit"] += 1
            op = "exit_" + mode.replace("+", "_").replace(".", "_")
            raise failure_class(ChildCrashed, self, op)(
                self.report(f"the child was {describe_status(status)} while ending ({mode})"))


def check_outcome(case, outcome):
    """Raise for an outcome that is a bug: a leaked exception (library) or ``harness``."""
    op = case.history[-1][0].get("op")
    where = f"step {len(case.history) - 1} ({op})"
    status = outcome["status"]
    if status == "leak":
        error_type = outcome["error"].split(":", 1)[0]
        case.tally["leaks"] += 1
        case.tally[f"leak: {error_type}"] += 1
        raise failure_class(LeakedException, case, error_type)(
            case.report(f"{where} leaked {outcome['error']}"))
    if status == "inconsistent":
        case.tally["inconsistent"] += 1
        raise failure_class(InconsistentOutcome, case, op)(
            case.report(f"{where}: {outcome['error']}"))
    if status == "retained":
        case.tally["retained"] += 1
        raise failure_class(ProgramsRetained, case, op)(
            case.report(f"{where}: {outcome['error']}"))
    if status == "harness":
        raise HarnessBug(case.report(f"{where} was malformed"))
    return outcome


# ---------------------------------------------------------------------------------------------
# what the steps are made of

INT_EDGES = [0, 1, -1, 2, 7, 1000, 3000, 30000, 2**31, 2**63 - 1, -2**63]
FLOAT_EDGES = [0.0, -0.0, 0.5, 2.5, -1.5, 1e308, math.inf, -math.inf, math.nan]

ints = st.one_of(st.integers(-3, 40), st.sampled_from(INT_EDGES))
floats = st.sampled_from(FLOAT_EDGES)
scalars = st.one_of(ints, ints, floats, st.sampled_from(["", "x", "hello", True, False, None]))
tengo_values = st.one_of(scalars, scalars, scalars,
                         st.lists(ints, max_size=3),
                         st.dictionaries(st.sampled_from(["fn", "k"]), ints, max_size=2))
literal_args = tengo_values.map(lambda v: ("lit", v))

DEEP_DEPTHS = [100, 1000, 3000, 5000, 10000, 20000, 30000]
STACKS = {"main thread": None, "thread, 1 MiB stack": THREAD_STACK, "thread, default stack": 0}
ROUTES = ("call", "bind", "direct")
CONTAINERS = ("ref", "array_of", "map_of", "nested")
# the sources programs_freed compiles (the others' recursive functions take ~0.5 s each)
FREED_SOURCES = tuple(name for name in worker.FRESH if name not in worker.DEEP_FUNCTIONS
                      or name == "reentry")
CHURN_VALUES = [("lit", 1), ("lit", 2.5), ("lit", "s"), ("lit", None), ("lit", [1])]


class Handle:
    """A named object living in the child. ``source``: the pool source it comes from;
    ``arity``: its parameter count when known; ``script``: for a context, the name of the
    script it was made from. (A function is called "through its home" — ``"ctx": "home"`` —
    the context the child read or returned it through.)"""

    def __init__(self, name, source=None, arity=None, function=None):
        self.name, self.source, self.arity, self.function = name, source, arity, function
        self.script = None

    def deterministic(self):
        """Is this a function of the pool known to have no side effects?"""
        return (self.function is not None
                and self.function not in worker.SOURCES[self.source].writers)

    def __repr__(self):
        return self.name


class CrashHunt(RuleBasedStateMachine):
    """One case: a child of ``CrashHunt.zygote`` driven by random host-API steps.

    The child's names for objects are the names hypothesis prints for them (``contexts_2``),
    so the printed rule sequence and the step list of a failure read alike.
    """

    zygote: Zygote = None

    contexts = Bundle("contexts")
    functions = Bundle("functions")
    bound = Bundle("bound")
    values = Bundle("values")

    def __init__(self):
        super().__init__()
        self.case = None
        self.exit_mode = "os._exit"
        self.created = Counter()
        self.live_contexts = {}
        self.live_scripts = set()

    # -- plumbing
    def send(self, step):
        return check_outcome(self.case, self.case.step(step))

    def new(self, bundle, step, **handle_fields):
        """Send ``step`` creating an object of ``bundle``; its handle, or nothing when the
        step did not produce one."""
        name = f"{bundle}_{self.created[bundle]}"
        outcome = self.send(dict(step, name=name))
        if outcome["status"] != "value":
            return multiple()
        self.created[bundle] += 1
        return Handle(name, **handle_fields)

    def draw_args(self, data, arity):
        if arity is None:
            arity = data.draw(st.integers(0, 2), label="argument count")
        elif data.draw(st.integers(0, 9), label="one argument too many if 9") == 9:
            arity += 1
        return data.draw(st.lists(literal_args, min_size=arity, max_size=arity), label="args")

    def teardown(self):
        case, self.case = self.case, None
        if case is not None:
            case.finish(self.exit_mode)

    # -- the case
    @initialize(exit_mode=st.sampled_from(EXIT_MODES))
    def start(self, exit_mode):
        self.exit_mode = exit_mode
        self.case = self.zygote.start_case(TALLY)

    # -- scripts and contexts
    @rule(target=contexts, source=st.sampled_from(worker.FRESH),
          run=st.sampled_from([True, True, True, False]))
    def load(self, source, run):
        return self.load_step(source, prebuilt=False, run=run)

    @rule(target=contexts, source=st.sampled_from(worker.PREBUILT))
    def load_prebuilt(self, source):
        return self.load_step(source, prebuilt=True, run=False)

    def load_step(self, source, prebuilt, run):
        result = self.new("contexts", {"op": "load", "source": source, "prebuilt": prebuilt,
                                       "run": run}, source=source)
        if isinstance(result, Handle):
            result.script = result.name
            self.live_scripts.add(result.name)
            self.live_contexts[result.name] = result
        return result

    @rule(ctx=contexts, times=st.integers(1, 3))
    def rerun(self, ctx, times):
        for _ in range(times):
            self.send({"op": "run", "ctx": ctx.name})

    @rule(target=contexts, parent=contexts,
          how=st.sampled_from(["compiled", "new", "isolated", "copied"]))
    def derive(self, parent, how):
        result = self.new("contexts", {"op": "context", "how": how, "parent": parent.name},
                          source=parent.source)
        if isinstance(result, Handle):
            result.script = parent.script
            self.live_contexts[result.name] = result
        return result

    @rule(target=functions, ctx=contexts, data=st.data())
    def lookup(self, ctx, data):
        fns = worker.SOURCES[ctx.source].functions
        name = data.draw(st.sampled_from(sorted(fns)), label="function")
        return self.closure_or_nothing(
            {"op": "lookup", "ctx": ctx.name, "global": name},
            source=ctx.source, arity=fns[name], function=name)

    def closure_or_nothing(self, step, **fields):
        """Like ``new`` for a step that may produce a non-function (kept only if a closure)."""
        name = f"functions_{self.created['functions']}"
        outcome = self.send(dict(step, name=name))
        if outcome["status"] != "value" or outcome["kind"] != "closure":
            return multiple()
        self.created["functions"] += 1
        return Handle(name, **fields)

    @rule(target=values, ctx=contexts, data=st.data())
    def read_global(self, ctx, data):
        src = worker.SOURCES[ctx.source]
        name = data.draw(st.sampled_from(src.data + sorted(src.functions)), label="global")
        return self.new("values", {"op": "lookup", "ctx": ctx.name, "global": name})

    # -- calls
    @rule(target=functions, fn=functions, direct=st.booleans(), data=st.data())
    def call(self, fn, direct, data):
        args = self.draw_args(data, fn.arity)
        return self.closure_or_nothing(
            {"op": "call", "fn": fn.name, "ctx": None if direct else "home", "args": args},
            source=fn.source)

    @rule(ctx=contexts, data=st.data())
    def call_global(self, ctx, data):
        fns = worker.SOURCES[ctx.source].functions
        name = data.draw(st.sampled_from(sorted(fns)), label="function")
        self.send({"op": "call_global", "ctx": ctx.name, "global": name,
                   "args": self.draw_args(data, fns[name])})

    @rule(ctx=contexts, fn=functions, data=st.data())
    def call_via(self, ctx, fn, data):
        self.send({"op": "call", "fn": fn.name, "ctx": ctx.name,
                   "args": self.draw_args(data, fn.arity)})

    @rule(fn=functions, payload=functions, container=st.sampled_from(CONTAINERS))
    def call_with_function(self, fn, payload, container):
        args = [(container, payload.name)] + [("lit", 5)] * max(0, (fn.arity or 1) - 1)
        self.send({"op": "call", "fn": fn.name, "ctx": "home", "args": args})

    @rule(fn=functions, value=values)
    def call_with_value(self, fn, value):
        args = [("ref", value.name)] + [("lit", 5)] * max(0, (fn.arity or 1) - 1)
        self.send({"op": "call", "fn": fn.name, "ctx": "home", "args": args})

    @rule(target=bound, ctx=contexts, fn=functions)
    def bind(self, ctx, fn):
        return self.new("bound", {"op": "bind", "ctx": ctx.name, "fn": fn.name}, arity=fn.arity)

    @rule(fn=bound, data=st.data())
    def call_bound(self, fn, data):
        self.send({"op": "call", "fn": fn.name, "ctx": None,
                   "args": self.draw_args(data, fn.arity)})

    @rule(fn=functions, numpy=st.sampled_from([None, "int64", "float64"]), data=st.data())
    def map(self, fn, numpy, data):
        if numpy == "int64":
            items = data.draw(st.lists(st.integers(-2**63, 2**63 - 1), max_size=5), label="items")
        elif numpy == "float64":
            items = data.draw(st.lists(st.floats(), max_size=5), label="items")
        else:
            items = data.draw(st.lists(tengo_values, max_size=5), label="items")
        self.send({"op": "map", "ctx": "home", "fn": fn.name, "items": items,
                   "numpy": numpy})

    @rule(threads=st.integers(2, 4), isolated=st.booleans(), calls=st.integers(1, 30),
          stack=st.sampled_from([0, THREAD_STACK]), fn=functions, fn2=functions,
          data=st.data())
    def threads(self, threads, isolated, calls, stack, fn, fn2, data):
        self.send({"op": "threads", "ctx": "home", "fn": fn.name,
                   "args": self.draw_args(data, fn.arity), "fn2": fn2.name,
                   "args2": self.draw_args(data, fn2.arity), "threads": threads,
                   "isolated": isolated, "calls": calls, "stack": stack,
                   "deterministic": fn.deterministic() and fn2.deterministic()})

    @rule(source=st.sampled_from(FREED_SOURCES), count=st.integers(1, 2))
    def programs_freed(self, source, count):
        self.send({"op": "programs_freed", "source": source, "count": count})

    @precondition(lambda self: any(h.source in worker.DEEP_FUNCTIONS
                                   for h in self.live_contexts.values()))
    @rule(n=st.sampled_from(DEEP_DEPTHS), where=st.sampled_from(sorted(STACKS)),
          via=st.sampled_from(ROUTES), data=st.data())
    def deep(self, n, where, via, data):
        candidates = sorted((h for h in self.live_contexts.values()
                             if h.source in worker.DEEP_FUNCTIONS), key=lambda h: h.name)
        ctx = data.draw(st.sampled_from(candidates), label="context")
        function = data.draw(st.sampled_from(worker.DEEP_FUNCTIONS[ctx.source]),
                             label="function")
        self.send({"op": "deep", "ctx": ctx.name, "function": function, "n": n,
                   "stack": STACKS[where], "via": via})

    # -- globals
    @rule(ctx=contexts, data=st.data())
    def set_global(self, ctx, data):
        src = worker.SOURCES[ctx.source]
        name = data.draw(st.sampled_from(src.data + sorted(src.functions)), label="global")
        value = data.draw(literal_args, label="value")
        self.send({"op": "set", "ctx": ctx.name, "global": name, "value": value})

    @rule(fn=functions, data=st.data())
    def churn(self, fn, data):
        src = worker.SOURCES[fn.source]
        name = data.draw(st.sampled_from(src.data + sorted(src.functions)), label="global")
        values = data.draw(st.lists(st.sampled_from(CHURN_VALUES), min_size=2, max_size=4,
                                    unique_by=repr), label="values")
        self.send({"op": "churn", "ctx": "home", "fn": fn.name, "global": name,
                   "values": values, "rounds": 150, "args": self.draw_args(data, fn.arity)})

    @rule(ctx=contexts, action=st.sampled_from(["del_tail", "clear", "append", "pad"]),
          k=st.integers(1, 3), value=literal_args)
    def mutate_globals(self, ctx, action, k, value):
        step = {"op": "globals", "ctx": ctx.name, "action": action}
        if action in ("del_tail", "pad"):
            step["k"] = k
        if action == "append":
            step["value"] = value
        self.send(step)

    # -- letting go (each drop optionally followed by gc.collect())
    @rule(ctx=contexts, collect=st.booleans())
    def drop_script(self, ctx, collect):
        """Let go of the ``Compiled`` script ``ctx`` was made from (no-op if already gone)."""
        if ctx.script in self.live_scripts:
            self.live_scripts.discard(ctx.script)
            self.send({"op": "drop", "table": "scripts", "name": ctx.script, "gc": collect})

    @rule(ctx=consumes(contexts), collect=st.booleans())
    def drop_context(self, ctx, collect):
        self.live_contexts.pop(ctx.name, None)
        self.send({"op": "drop", "table": "contexts", "name": ctx.name, "gc": collect})

    @rule(fn=consumes(functions), collect=st.booleans())
    def drop_function(self, fn, collect):
        self.send({"op": "drop", "table": "values", "name": fn.name, "gc": collect})

    @rule(fn=consumes(bound), collect=st.booleans())
    def drop_bound(self, fn, collect):
        self.send({"op": "drop", "table": "values", "name": fn.name, "gc": collect})


# ---------------------------------------------------------------------------------------------
# tests

@pytest.fixture(scope="module")
def zygote():
    z = Zygote()
    try:
        info = z.info
        assert info["threads"] == 1, (
            f"the zygote runs {info['threads']} threads before forking: forked children would "
            f"inherit locks held by the missing threads\n{z.output()}")
        assert info["available"] and info["states"] == ["compiled"], info
        CrashHunt.zygote = z
        yield z
    finally:
        CrashHunt.zygote = None
        z.close()


def summary(tally):
    crash_kinds = ", ".join(f"{k.split(': ', 1)[1]} x{n}" for k, n in sorted(tally.items())
                            if k.startswith("crash: "))
    return (f"crash hunt: {tally['cases']} cases, {tally['crashes']} crashes"
            f"{f' ({crash_kinds})' if crash_kinds else ''}, {tally['hangs']} hangs, "
            f"{tally['leaks']} leaks of non-Tengo exceptions, {tally['inconsistent']} "
            f"inconsistent thread outcomes, {tally['retained']} retained programs; "
            f"{tally['steps']} steps: "
            f"{tally['outcome: value']} values, {tally['outcome: tengo']} Tengo errors")


def hunt(cases, derandomize, shrink, capsys):
    """Run ``cases`` hypothesis cases of ``CrashHunt``; print this run's tally at the end
    (also when a case failed; shrinking's cases are counted too).

    ``shrink``: shrink and report every distinct failure (exception class, see
    ``failure_class``); else stop at the first failing case and report it as found.
    """
    before = TALLY.copy()
    started = time.monotonic()
    phases = [p for p in Phase if shrink or p is not Phase.shrink]
    try:
        run_state_machine_as_test(CrashHunt, settings=settings(
            max_examples=cases, stateful_step_count=STEPS_PER_CASE, deadline=None,
            database=None, derandomize=derandomize, print_blob=not derandomize,
            report_multiple_bugs=shrink, phases=phases,
            suppress_health_check=list(HealthCheck)))
    finally:
        run = TALLY - before
        with capsys.disabled():
            print(f"\n{summary(run)} ({time.monotonic() - started:.0f} s)")
    assert run["cases"] >= cases, run
    assert run["outcome: value"] > run["cases"], (
        "the cases hardly reached the library", run)


def test_crash_hunt(zygote, capsys):
    """DEFAULT_CASES cases from a fixed seed: no crash, hang, leaked exception, inconsistent
    thread outcome or retained program. The first failing case is reported as found, not
    shrunk (shrinking a case of native calls takes minutes; the slow run shrinks)."""
    hunt(DEFAULT_CASES, derandomize=True, shrink=False, capsys=capsys)


@pytest.mark.slow
@pytest.mark.timeout(600 + 3 * SLOW_CASES)
def test_crash_hunt_slow(zygote, capsys):
    """TENGOJIT_CRASH_HUNT_CASES (default 2000) random cases; every distinct failure (exception
    class, see ``failure_class``) is shrunk and reported."""
    hunt(SLOW_CASES, derandomize=False, shrink=True, capsys=capsys)


# -- the harness itself must see each kind of failure

def test_harness_reports_a_crash(zygote):
    case = zygote.start_case()
    with pytest.raises(ChildCrashed, match="killed by SIGSEGV during step 0"):
        case.step({"op": "selftest", "what": "segv"})


def test_harness_reports_a_crash_at_exit(zygote):
    case = zygote.start_case()
    case.step({"op": "selftest", "what": "segv_at_exit"})
    with pytest.raises(ChildCrashed, match=r"killed by SIGSEGV while ending \(sys.exit\)"):
        case.finish("sys.exit")


def test_harness_reports_a_hang(zygote):
    case = zygote.start_case()
    with pytest.raises(ChildHung, match="did not answer within 1 s"):
        case.step({"op": "selftest", "what": "hang"}, timeout=1.0)
    assert os.WIFSIGNALED(case.status) and os.WTERMSIG(case.status) == signal.SIGKILL


def test_harness_reports_a_leak(zygote):
    case = zygote.start_case()
    outcome = case.step({"op": "selftest", "what": "leak"})
    with pytest.raises(LeakedException, match="leaked KeyError"):
        check_outcome(case, outcome)
    case.finish("os._exit")
    assert case.status == 0


def test_harness_survives_its_cases(zygote):
    """After crashes, hangs and clean exits the zygote still forks working children."""
    case = zygote.start_case()
    assert case.step({"op": "load", "name": "c", "source": "arith", "prebuilt": False,
                      "run": True})["status"] == "value"
    assert case.step({"op": "lookup", "name": "f", "ctx": "c", "global": "add"}
                     )["kind"] == "closure"
    outcome = case.step({"op": "call", "name": None, "fn": "f", "ctx": "c",
                         "args": [("lit", 2), ("lit", 3)]})
    assert outcome == {"status": "value", "repr": "5", "kind": "int"}
    case.finish("sys.exit")
    assert case.status == 0


# -- the end of a real interpreter

def exit_prelude():
    """The start of every exit script: tengojit, and ``compiled(name)`` compiling and running
    the pool source ``name``. The texts are inlined: importing the worker module here would
    change what the interpreter holds at exit, and so which teardown orders are tried."""
    texts = {name: src.text for name, src in worker.SOURCES.items() if not src.hosts}
    return f"""
import sys, threading
from tengojit import Script, TengoError
SOURCES = {texts!r}

def compiled(name):
    return Script(SOURCES[name], jit=True, jit_threshold=0).compile().run()
"""


EXIT_SCRIPTS = {
    "native calls, bound and mapped functions alive at exit": """
c = compiled("arith")
ctx = c.context()
add = ctx.bind(c.get("add"))
assert add(1, 2) == 3 and ctx.call(c.get("scale"), 4) == 5
assert ctx.map(c.get("poly"), [1, 2]) == [55, 100]
keep = [c, ctx, add, ctx.bind(c.get("add"))]
""",
    "functions of one script held by another": """
boxes, caller = compiled("boxes"), compiled("caller")
box = boxes.get("box")
try:
    caller.context().call(caller.get("call"), box)
except TengoError:
    pass
keep = [box, boxes.get("table"), caller]
""",
    "threads on isolated contexts, division by zero": """
c = compiled("div")
base = c.context()
quot = c.get("quot")

def work(ctx):
    for i in range(200):
        try:
            ctx.call(quot, i, i % 3)
        except TengoError:
            pass

threads = [threading.Thread(target=work, args=(base.with_isolated_globals(),)) for _ in range(3)]
threads.append(threading.Thread(target=work, args=(base,)))
for t in threads:
    t.start()
for t in threads:
    t.join()
""",
    "deep recursion, then the script dropped": """
c = compiled("recursion")
depth = c.context().bind(c.get("depth"))
assert depth(2000) == 2000
del c
import gc
gc.collect()
assert depth(10) == 10
""",
    "a recursive function writing globals, run by the main body": """
c = compiled("global_rec")
assert isinstance(c.get("out"), int)
""",
    "globals retyped until the native code is replaced": """
c = compiled("globals")
ctx = c.context()
readg = c.get("readg")
for i in range(300):
    ctx.set("g", [1, 2.5][i % 2])
    ctx.call(readg, 1)
""",
}


@pytest.mark.parametrize("name", sorted(EXIT_SCRIPTS))
def test_interpreter_exit(name):
    """A fresh interpreter runs the script with the JIT on and then exits normally: exit
    status 0 (a crash during finalisation is a signal death)."""
    code = exit_prelude() + EXIT_SCRIPTS[name] + "\nprint('done', flush=True)\n"
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    ended = describe_returncode(proc.returncode)
    assert proc.stdout.strip() == "done", f"the script did not finish ({ended}):\n{proc.stderr}"
    assert proc.returncode == 0, f"the interpreter {ended} after the script:\n{proc.stderr}"
