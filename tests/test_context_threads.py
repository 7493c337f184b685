"""ExecutionContext from many threads.

The model (runtime/context.py): contexts over different globals never interfere; a context
used by one thread runs unlocked, and once a second thread calls into it every call on it
holds its lock — calls on one shared context are serialised, none is lost.

The stress tests run 8 threads x 2,000 calls of a counter closure that does a small loop
between reading and writing its global (so an unserialised pair of calls loses an update),
once with the default switch interval and once with ``sys.setswitchinterval(1e-6)``.
"""
from __future__ import annotations

import sys
import threading
import time

import pytest

from tengojit import TengoError, TengoRuntimeError

THREADS = 8
CALLS = 2000

SRC = """
counter := 0
log := []
bump := func(k) {
    s := 0
    for i := 0; i < 10; i++ { s += i }
    v := counter
    for i := 0; i < 5; i++ { s += i }
    counter = v + k
    return s
}
get := func() { return counter }
slow_bump := func() {
    v := counter
    pause()
    counter = v + 1
}
plain_bump := func() { counter += 1 }
add := func(a, b) { return a + b }
fail := func(x) { return x + "a" + 1 }
reenter := func() { return call_back() }
"""

_pause_hook = {"fn": lambda: None}


def _pause():
    _pause_hook["fn"]()


def _call_back():
    return _pause_hook["back"]()


@pytest.fixture
def compiled(make_script):
    s = make_script(SRC)
    s.add("pause", _pause)
    s.add("call_back", _call_back)
    c = s.compile()
    c.run()
    return c


@pytest.fixture(params=["default", "1e-6"])
def switch_interval(request):
    old = sys.getswitchinterval()
    if request.param == "1e-6":
        sys.setswitchinterval(1e-6)
    try:
        yield request.param
    finally:
        sys.setswitchinterval(old)


def run_threads(targets, timeout=60):
    """Start one thread per target (released together), join them, re-raise any error."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(target):
        def run():
            try:
                barrier.wait()
                target()
            except BaseException as e:  # noqa: BLE001
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "thread did not finish (deadlock?)"
    if errors:
        raise errors[0]
    return time.perf_counter() - t0


CALL_STYLES = ["call", "bind", "closure", "map"]


def caller(ctx, fn, style):
    """``run(k)``: CALLS calls of ``fn`` with argument k through ``ctx`` in the given style."""
    if style == "call":
        def run(k):
            call = ctx.call
            for _ in range(CALLS):
                call(fn, k)
    elif style == "bind":
        def run(k):
            b = ctx.bind(fn)
            for _ in range(CALLS):
                b(k)
    elif style == "closure":
        def run(k):
            f = ctx.get("bump")           # a Closure bound to ctx
            for _ in range(CALLS):
                f(k)
    else:
        def run(k):
            ctx.map(fn, [k] * CALLS)
    return run


@pytest.mark.parametrize("style", CALL_STYLES)
def test_isolated_contexts_do_not_interfere(compiled, switch_interval, style):
    bump = compiled.get("bump")
    parent = compiled.context()
    contexts = [parent.with_isolated_globals() for _ in range(THREADS)]
    targets = []
    for i, ctx in enumerate(contexts):
        run = caller(ctx, bump, style)
        targets.append(lambda run=run, k=i + 1: run(k))
    elapsed = run_threads(targets)
    for i, ctx in enumerate(contexts):
        assert ctx.get("counter") == CALLS * (i + 1), f"context {i}"
    assert compiled.get("counter") == 0
    assert elapsed < 30


@pytest.mark.parametrize("style", CALL_STYLES)
@pytest.mark.parametrize("rounds", [3])
def test_shared_context_serialises_calls(compiled, switch_interval, style, rounds):
    bump = compiled.get("bump")
    for r in range(rounds):
        ctx = compiled.context().with_isolated_globals()     # fresh: unowned
        run = caller(ctx, bump, style)
        run_threads([lambda: run(1)] * THREADS)
        assert ctx.get("counter") == THREADS * CALLS, f"round {r}: lost updates"
    assert compiled.get("counter") == 0


def test_shared_context_used_first_by_one_thread(compiled, switch_interval):
    # the main thread owns the context (fast unlocked calls) before other threads join in
    bump = compiled.get("bump")
    ctx = compiled.context().with_isolated_globals()
    for _ in range(100):
        ctx.call(bump, 1)
    run_threads([lambda: caller(ctx, bump, "call")(1)] * THREADS)
    for _ in range(100):
        ctx.call(bump, 1)
    assert ctx.get("counter") == THREADS * CALLS + 200


def test_each_thread_its_own_context_same_closure(compiled):
    # one Closure object, many contexts: the Closure is only a name for the function
    bump = compiled.get("bump")
    contexts = [compiled.context().with_isolated_globals() for _ in range(THREADS)]
    results = {}

    def work(i):
        ctx = contexts[i]
        for _ in range(500):
            ctx.call(bump, 2)
        results[i] = ctx.call(compiled.get("get"))
    run_threads([lambda i=i: work(i) for i in range(THREADS)])
    assert results == {i: 1000 for i in range(THREADS)}


def test_errors_in_threads_are_tengo_errors(compiled):
    fail = compiled.get("fail")
    ctx = compiled.context().with_isolated_globals()
    seen = []
    lock = threading.Lock()

    def work():
        for _ in range(50):
            try:
                ctx.call(fail, 1)
            except TengoError as e:
                with lock:
                    seen.append(e)
    run_threads([work] * 4)
    assert len(seen) == 200
    assert all(type(e) is TengoRuntimeError and str(e).startswith("Runtime Error: ") for e in seen)


def test_shared_reentrant_call_does_not_deadlock(compiled):
    # a host function called by the script calls back into the same (shared) context
    ctx = compiled.context().with_isolated_globals()
    get = compiled.get("get")
    _pause_hook["back"] = lambda: ctx.call(get)
    try:
        ctx.call(compiled.get("plain_bump"))
        counts = []

        def work():
            for _ in range(200):
                counts.append(ctx.call(compiled.get("reenter")))
        run_threads([work] * 4)
        assert counts and all(c == 1 for c in counts)
    finally:
        _pause_hook.pop("back", None)


def test_owner_call_in_flight_when_context_becomes_shared(compiled):
    """Deterministic form of the lost update the shared stress test can hit.

    The owner thread is inside an unlocked call (between reading and writing ``counter``)
    when two other threads call into the context. Neither may run before that call returns.
    """
    ctx = compiled.context().with_isolated_globals()
    slow_bump = compiled.get("slow_bump")
    plain_bump = compiled.get("plain_bump")
    entered, release = threading.Event(), threading.Event()

    def pause():
        entered.set()
        assert release.wait(10)
    _pause_hook["fn"] = pause
    try:
        owner = threading.Thread(target=lambda: ctx.call(slow_bump))
        owner.start()
        assert entered.wait(10)
        done = []
        first = threading.Thread(target=lambda: (ctx.call(plain_bump), done.append(1)))
        first.start()
        deadline = time.monotonic() + 5
        while not ctx._shared and time.monotonic() < deadline:      # `first` flipped it
            time.sleep(0.001)
        second = threading.Thread(target=lambda: (ctx.call(plain_bump), done.append(2)))
        second.start()
        second.join(0.3)
        ran_early = bool(done)
        release.set()
        for t in (owner, first, second):
            t.join(10)
        assert not ran_early, "a call ran while the owner's unlocked call was in flight"
        assert ctx.get("counter") == 3
    finally:
        _pause_hook["fn"] = lambda: None
        release.set()
