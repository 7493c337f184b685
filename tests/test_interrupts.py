"""Deadlines, cancellation and Ctrl-C on both tiers (runtime/interrupts.py, native polls).

Every test runs on the baseline tier and with the JIT forced. The bounds asserted here are
generous (a stopped script must stop, not be fast): the overshoot itself is measured by
``benchmarks/interrupts.py``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import tengojit
from tengojit import (CancelToken, OptionError, Script, ScriptCancelled, ScriptInterrupted,
                      ScriptTimeout, TengoRuntimeError, interrupts)

# scripts that never end, one per kind of check point
FOREVER = {
    "for": "x := 0\nfor { x++ }",
    "for-cond": "x := 0\nfor x >= 0 { x = (x + 1) % 1000 }",
    "for-in": "a := [1, 2, 3]\nn := 0\nfor n >= 0 { for v in a { n = (n + v) % 7 } }",
    "recursion": "fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nx := fib(90)",
    "tail-call": "f := func(n) { return f(n + 1) }\nf(0)",
    "mutual": textwrap.dedent("""\
        var_a := 0
        ping := undefined
        pong := func(n) { if n < 0 { return 0 }; return ping(n - 1) + ping(n - 2) + 1 }
        ping = func(n) { if n < 0 { return 0 }; return pong(n - 1) + pong(n - 2) + 1 }
        x := ping(80)"""),
    "function-loop": "spin := func() { s := 0; for i := 0; true; i++ { s += i }; return s }\nspin()",
}


def _idle():
    assert not interrupts._active and not interrupts._stacks


@pytest.mark.parametrize("kind", sorted(FOREVER))
def test_timeout_stops_every_kind_of_code(make_script, kind):
    c = make_script(FOREVER[kind]).compile()
    t = time.monotonic()
    with pytest.raises(ScriptTimeout) as e:
        c.run(timeout=0.2)
    took = time.monotonic() - t
    assert 0.2 <= took < 5, took
    err = e.value
    assert isinstance(err, ScriptInterrupted) and isinstance(err, TengoRuntimeError)
    assert isinstance(err, TimeoutError)
    assert err.message == "context deadline exceeded"
    assert err.trace and err.trace[0][0] == "(main)"       # the script position it reached
    _idle()
    assert c.program.ns["_STOP"] is False


def test_a_run_that_ends_in_time_is_untouched(make_script):
    c = make_script("s := 0; for i := 0; i < 1000; i++ { s += i }").compile()
    c.run(timeout=30)
    assert c.get("s") == 499500
    _idle()


def test_cancel_token_from_another_thread_and_context_usable_after(make_script):
    c = make_script("f := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }\n"
                    "y := f(10)").compile()
    c.run()
    ctx = c.context().with_isolated_globals()
    f = c.get("f")
    tok = CancelToken()
    out = []

    def work():
        try:
            ctx.call(f, -1, cancel=tok)
        except ScriptCancelled as e:
            out.append(e)
    th = threading.Thread(target=work)
    th.start()
    time.sleep(0.2)
    assert th.is_alive()
    tok.cancel()
    th.join(10)
    assert not th.is_alive() and len(out) == 1
    assert out[0].message == "context canceled" and out[0].trace[0][0] == "(main)"
    assert tok.cancelled
    assert ctx.call(f, 10) == 45                # the context stays usable
    assert ctx.call(f, 10, timeout=30) == 45
    _idle()


def test_a_cancelled_token_stops_the_next_run_at_once(make_script):
    c = make_script(FOREVER["for"]).compile()
    tok = CancelToken()
    tok.cancel()
    tok.cancel()                                # idempotent
    with pytest.raises(ScriptCancelled):
        c.run(cancel=tok)
    _idle()


def test_one_token_stops_several_threads(make_script):
    c = make_script("spin := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }"
                    ).compile()
    c.run()
    tok = CancelToken()
    errors = []

    def work():
        ctx = c.context().with_isolated_globals()
        try:
            ctx.call(ctx.get("spin"), -1, cancel=tok)
        except ScriptCancelled as e:
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    tok.cancel()
    for t in threads:
        t.join(10)
    assert len(errors) == 4
    _idle()


def test_native_code_in_a_thread_lets_the_host_run(make_script):
    """The GIL is handed over at polls: a script spinning in another thread (native code on
    the JIT tier) does not freeze the host's own threads."""
    c = make_script("f := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }\n"
                    "y := f(1)").compile()
    c.run()
    ctx = c.context().with_isolated_globals()
    tok = CancelToken()
    th = threading.Thread(target=lambda: pytest.raises(ScriptCancelled, ctx.call, c.get("f"),
                                                       -1, cancel=tok))
    th.start()
    beats = 0
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        time.sleep(0.01)
        beats += 1
    tok.cancel()
    th.join(10)
    assert not th.is_alive()
    assert beats >= 5, beats


def test_map_and_nested_host_calls(make_script):
    c = make_script("f := func(x) { for x > 0 { x = x + 1 }; return x }").compile()
    c.run()
    ctx = c.context()
    with pytest.raises(ScriptTimeout):
        ctx.map(c.get("f"), [-1, -2, 5], timeout=0.2)
    assert ctx.map(c.get("f"), [-1, -2], timeout=10) == [-1, -2]
    # a host function that calls back into the script with a deadline of its own
    inner_src = "g := func() { for {} }"
    inner = make_script(inner_src).compile()
    inner.run()

    def host():
        try:
            inner.context().call(inner.get("g"), timeout=0.1)
        except ScriptTimeout:
            return "inner stopped"
    s = make_script("r := h()").add("h", host).compile()
    s.run(timeout=10)
    assert s.get("r") == "inner stopped"
    _idle()


def test_outer_deadline_reaches_code_after_a_host_callback(make_script):
    def host(n):
        time.sleep(0.3)
        return n
    c = make_script("x := h(1)\nfor { x++ }").add("h", host).compile()
    t = time.monotonic()
    with pytest.raises(ScriptTimeout):
        c.run(timeout=0.1)
    assert time.monotonic() - t >= 0.3        # host functions are not interrupted
    _idle()


@pytest.mark.parametrize("bad", [-1, "1", float("nan"), [1]])
def test_bad_options(make_script, bad):
    c = make_script("x := 1").compile()
    with pytest.raises(OptionError):
        c.run(timeout=bad)
    with pytest.raises(OptionError):
        c.run(cancel=bad)
    with pytest.raises(OptionError):
        c.context().call(lambda: 1, cancel=object())
    _idle()


def test_runs_of_one_compiled_are_serialised(make_script):
    c = make_script("a := 0\nfor i := 0; i < 2000; i++ { a += 1 }\nb := a").compile()
    bad = []

    def work():
        for _ in range(20):
            c.run()
            if c.get("b") != 2000:
                bad.append(c.get("b"))
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []


CLI_SPIN = """\
f := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }
fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }
y := f(10)
y = f(10)
fmt := import("fmt")
fmt.println("started")
{what}
"""


@pytest.mark.parametrize("what", ["f(-1)", "fib(90)"])
def test_ctrl_c_stops_the_cli(tier, tmp_path, what):
    path = tmp_path / "spin.tengo"
    path.write_text(CLI_SPIN.replace("{what}", what))
    flags = ["-jit-threshold", "0"] if tier == "jit" else ["-no-jit"]
    env = dict(os.environ, TENGOJIT_JIT_BACKGROUND="0")
    p = subprocess.Popen([sys.executable, "-m", "tengojit", *flags, str(path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert p.stdout.readline().strip() == "started"
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, p.stderr.read()


def test_public_names():
    assert tengojit.CancelToken is CancelToken
    assert issubclass(ScriptCancelled, ScriptInterrupted)
    assert repr(CancelToken()) == "<CancelToken active>"


STRESS_SRC = """\
count := 0
work := func(n) { s := 0; for i := 0; i < n; i++ { s += i }; return s }
bump := func() { count += 1; return count }
spin := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }
rec := func(n) { if n < 2 { return n }; return rec(n - 1) + rec(n - 2) }
"""


def test_sixteen_threads_while_compiling_and_cancelling():
    """Threads calling closures in isolated and shared contexts while the background JIT
    compiles them and another thread cancels some calls: every result right, every cancelled
    call a ScriptCancelled, nothing left hanging."""
    c = Script(STRESS_SRC, jit=True, jit_threshold=3, jit_background=True).compile()
    c.run()
    shared = c.context().with_isolated_globals()
    problems, done = [], []
    tokens, tokens_lock = [], threading.Lock()
    rounds = 60

    def isolated(k):
        ctx = c.context().with_isolated_globals()
        for i in range(rounds):
            n = 1000 + 37 * i + k
            if ctx.call(ctx.get("work"), n) != n * (n - 1) // 2:
                problems.append(("work", n))
            if ctx.call(ctx.get("rec"), 15) != 610:
                problems.append(("rec", k))
        done.append(k)

    def sharer(k):
        for _ in range(rounds):
            shared.call(shared.get("bump"))
        done.append(k)

    def cancelled(k):
        ctx = c.context().with_isolated_globals()
        for _ in range(rounds // 6):
            tok = CancelToken()
            with tokens_lock:
                tokens.append(tok)
            try:
                ctx.call(ctx.get("spin"), -1, cancel=tok)
                problems.append(("spin ended", k))
            except ScriptCancelled:
                pass
        done.append(k)

    def canceller():
        while len(done) < 16:
            time.sleep(0.005)
            with tokens_lock:
                pending, tokens[:] = list(tokens), []
            for t in pending:
                t.cancel()

    threads = ([threading.Thread(target=isolated, args=(k,)) for k in range(8)]
               + [threading.Thread(target=sharer, args=(k,)) for k in range(8, 12)]
               + [threading.Thread(target=cancelled, args=(k,)) for k in range(12, 16)])
    stopper = threading.Thread(target=canceller)
    for t in threads + [stopper]:
        t.start()
    for t in threads + [stopper]:
        t.join(120)
    assert not any(t.is_alive() for t in threads + [stopper]), "a thread hung"
    assert problems == []
    assert shared.get("count") == 4 * rounds
    _idle()


def test_every_host_entry_takes_a_deadline(make_script):
    c = make_script("f := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }\n"
                    "y := f(5)").compile()
    c.run()
    ctx = c.context()
    f = c.get("f")
    bound = ctx.bind(f)
    assert bound(10) == 45
    for call in (lambda: bound(-1, timeout=0.1), lambda: ctx.call_ex(f, -1, timeout=0.1),
                 lambda: f(-1, timeout=0.1), lambda: ctx(f, -1, timeout=0.1)):
        with pytest.raises(ScriptTimeout):
            call()
    with pytest.raises(OptionError, match="unexpected keyword argument 'bogus'"):
        bound(1, bogus=1)
    assert bound(10) == 45 and f(10) == 45
    _idle()
