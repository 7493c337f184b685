"""The JIT never crashes the host: each memory-safety bug found so far, as a test.

Every case runs in a fresh Python process (``run_case``), so a crash (a signal) fails that test
instead of ending the run; a case passes when the process exits cleanly and prints what the
baseline tier would. The programs are the repros of ``../shared/repros/jit-memory-safety/``,
kept here so a clone runs them without that folder. docs/jit.md lists the invariants they
exercise (*Memory safety*).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

import tengojit.jit

pytestmark = pytest.mark.skipif(not tengojit.jit.available(), reason="the JIT is not available here")


def run_case(code, timeout=180, env=None):
    """Run ``code`` in a fresh interpreter; returns (returncode, stdout, stderr)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    # the one warning a host process gets (docs/host-api.md, "The recursion limit") is expected
    quiet = ("import warnings, tengojit\n"
             "warnings.filterwarnings('ignore', category=tengojit.RecursionLimitWarning)\n")
    p = subprocess.run([sys.executable, "-c", quiet + textwrap.dedent(code)], capture_output=True,
                       text=True, timeout=timeout, env=full_env, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def assert_clean(rc, err):
    """No signal, no Python traceback: exit code 0."""
    assert rc >= 0, f"killed by {signal.Signals(-rc).name}:\n{err[-2000:]}"
    assert rc == 0, err[-3000:]


# r01: contexts shared one cache of host entries, each trampoline kept a borrowed pointer to
# the entry it used last; a recompile and another context's cache flush freed it under it
R01 = """
from tengojit import Script
c = Script('k := 3\\nadd := func(a, b) { return a * k + b }\\nother := func(x) { return x + 1 }\\n'
           'drive := func(n) { s := ""; for i := 0; i < n; i++ { add(1, 2) }; return s }\\n',
           jit=True, jit_threshold=0).compile(); c.run()
add, other, drive = c.get("add"), c.get("other"), c.get("drive")
base = c.context()
A = base.with_isolated_globals()
for _ in range(6): A.call(add, 1, 2); A.call(other, 1)
A.set("k", 2.5); A.call(drive, 150)      # 100 deopts: add is recompiled for floats
C = base.with_isolated_globals()
C.call(add, 1, 2)
A.call(other, 1)                         # A's stale cache empties the shared one
d = {"x": 1}; junk = [d.get for _ in range(50000)]
print(C.call(add, 1, 2))
"""


def test_r01_trampoline_cache_survives_recompiles():
    rc, out, err = run_case(R01)
    assert_clean(rc, err)
    assert out.split() == ["5"]


# r02: a function of script A inside an array handed to script B ran over B's globals
R02 = """
from tengojit import Script, TengoError
from tengojit.context import ForeignClosureError
a = Script("\\n".join(f"g{i} := {i}" for i in range(60)) + "\\nf := func(x) { return x + g59 }\\n"
           "box := [f]\\nnest := {k: [[f]]}\\n", jit=True, jit_threshold=0).compile(); a.run()
a.context().call(a.get("f"), 1); a.context().call(a.get("f"), 1)
b = Script("call := func(fs) { return fs[0](5) }\\ndeep := func(m) { return m.k[0][0](5) }",
           jit=True, jit_threshold=0).compile(); b.run()
ctx = b.context()
for fn, arg in ((b.get("call"), a.get("box")), (b.get("deep"), a.get("nest"))):
    try:
        ctx.call(fn, arg)
        print("called")
    except ForeignClosureError as e:
        print("refused")
try:
    ctx.set("call", a.get("box"))
    print("set")
except ForeignClosureError:
    print("refused")
# the Closure itself (what compiled.get returns) crosses: it runs in its own context
print(ctx.call(b.get("call"), [a.get("f")]))
"""


def test_r02_foreign_functions_in_containers_are_refused_or_converted():
    rc, out, err = run_case(R02)
    assert_clean(rc, err)
    assert out.split() == ["refused", "refused", "refused", "64"]


# r03: native code read the globals list past its end after the host shrank it
R03 = """
import sys
from tengojit import Script, TengoError
c = Script("\\n".join(f"g{i} := {i}" for i in range(40)) + "\\nf := func(x) { return x + g39 }\\n",
           jit=sys.argv[1] == "jit", jit_threshold=0).compile(); c.run()
ctx = c.context(); f = c.get("f"); print(ctx.call(f, 1)); print(ctx.call(f, 1))
del ctx.globals[-10:]
try:
    print(ctx.call(f, 1))
except TengoError as e:
    print("error")
del ctx.globals[:]
try:
    print(ctx.call(f, 1))
except TengoError as e:
    print("error")
"""


@pytest.mark.parametrize("tier", ["baseline", "jit"])
def test_r03_shrunk_globals_list(tier):
    rc, out, err = run_case(R03.replace("sys.argv[1]", repr(tier)))
    assert_clean(rc, err)
    assert out.split() == ["40", "40", "error", "error"]


# r04: the method table behind a compiled builtin was freed before the builtin at exit
R04 = """
from tengojit import Script
lines = [f"g{i} := {i}" for i in range(24)]
body = "\\n".join(f"  v{i} := g{i}\\n  g{i} = g{i} * 7 + n" for i in range(24))
mix = "\\n".join(f"  r = (r ^ v{i}) * 3" for i in range(24))
src = "\\n".join(lines) + "\\nf := func(n) {\\n  if n == 0 { return 0 }\\n" + body + \\
      "\\n  r := f(n - 1)\\n" + mix + "\\n  return r - n\\n}\\nout := f(1)\\n"
c = Script(src, jit=True, jit_threshold=0).compile(); c.run()
print(c.get("out"))
"""


def test_r04_clean_interpreter_exit():
    for _ in range(5):
        rc, out, err = run_case(R04)
        assert_clean(rc, err)
        assert out.split() == ["10592996975"]
        assert err == ""


@pytest.mark.slow
def test_r04_clean_interpreter_exit_20_runs():
    for _ in range(20):
        rc, out, err = run_case(R04)
        assert_clean(rc, err)
        assert out.split() == ["10592996975"] and err == ""


# r05: native recursion counted frames, not bytes: large frames ran off the C stack
R05 = """
import sys, threading
from tengojit import Script, TengoError
def program(live, depth, guard):
    g = "\\n".join(f"g{i} := {i}" for i in range(live))
    keep = "\\n".join(f"  v{i} := g{i}\\n  g{i} = g{i} * 7 + n" for i in range(live))
    mix = "\\n".join(f"  r = (r ^ v{i}) * 3" for i in range(live))
    return (g + "\\nf := func(n) {\\n  if n == 0 { return 0 }\\n" + keep + "\\n  r := f(n - 1)\\n"
            + mix + "\\n  return r - n\\n}\\nout := f(" + str(depth) + ")\\n")
def run(live, depth, guard, tier):
    c = Script(program(live, depth, guard), jit=tier == "jit", jit_threshold=0).compile()
    try:
        c.run()
        return str(c.get("out"))
    except TengoError as e:
        return str(e).splitlines()[0]
out = []
CONFIGS = %s
def main():
    for live, depth, guard in CONFIGS:
        out.append((run(live, depth, guard, "baseline"), run(live, depth, guard, "jit")))
if %s:
    main()
threading.stack_size(1 << 20)
t = threading.Thread(target=main); t.start(); t.join()
for base, jit in out:
    print("same" if base == jit else "overflow" if jit == "Runtime Error: stack overflow" else
          f"DIFFERENT {base!r} {jit!r}")
"""


# (live variables per frame, depth, base case); "n < 1" is a guard the JIT proves bounds the
# recursion (its ring has no per-frame tests); the last, small frames, must give the result
R05_ALL = ((200, 5900, "n == 0"), (100, 3000, "n == 0"), (200, 5900, "n < 1"),
           (100, 3000, "n < 1"), (3, 5000, "n < 1"))
R05_SOME = ((100, 3000, "n == 0"), (100, 3000, "n < 1"), (3, 5000, "n < 1"))


def _r05(configs, main_thread_too):
    rc, out, err = run_case(R05 % (repr(configs), main_thread_too), timeout=300)
    assert_clean(rc, err)
    lines = out.split("\n")[:-1]
    # the baseline tier's frames live on the heap; native frames on the thread's stack: a
    # recursion too deep for the stack ends in Tengo's error, never past the stack
    assert all(x in ("same", "overflow") for x in lines), out
    assert len(lines) == len(configs) * (2 if main_thread_too else 1)
    assert lines[-1] == "same"                  # small frames: the native result
    if main_thread_too:
        assert lines[len(configs) - 1] == "same"


def test_r05_native_recursion_bounded_in_bytes():
    """Large frames in a thread with a 1 MiB stack (the slow suite adds the main thread and
    frames twice as large)."""
    _r05(R05_SOME, False)


@pytest.mark.slow
def test_r05_native_recursion_bounded_in_bytes_all():
    _r05(R05_ALL, True)


# r05, host re-entry: a host function that calls back into the script, recursively
R05_HOST = """
import threading
from tengojit import Script, TengoError
c = None
def host(n):
    return c.context().call(c.get("f"), n)
s = Script("f := func(n) { if n == 0 { return 0 }; return h(n - 1) + 1 }", jit=True,
           jit_threshold=0)
s.add("h", host)
c = s.compile(); c.run()
res = []
def main():
    try:
        res.append(str(c.context().call(c.get("f"), 100000)))
    except TengoError as e:
        res.append(str(e).splitlines()[0])
    except RecursionError:
        res.append("python recursion error")
threading.stack_size(1 << 20)
t = threading.Thread(target=main); t.start(); t.join()
main()
print(res)
"""


def test_r05_host_reentry_ends_in_a_tengo_error():
    rc, out, err = run_case(R05_HOST, timeout=300)
    assert_clean(rc, err)
    assert out.strip() == "['Runtime Error: stack overflow', 'Runtime Error: stack overflow']"


# w1: one process-wide native trace buffer, written by two threads' errors
W1 = """
import threading, sys
from tengojit import Script, TengoError
A = Script("x := 0\\nf := func(a, b) {\\n  return a / b\\n}\\n", name="a.tengo", jit=True,
           jit_threshold=0).compile(); A.run()
B = Script("y := 0\\n\\n\\n\\n\\ng := func(a, b) {\\n  q := a + 1\\n  return q % b\\n}\\n",
           name="b.tengo", jit=True, jit_threshold=0).compile(); B.run()
fa, gb = A.get("f"), B.get("g")
for _ in range(3): A.context().call(fa, 1, 1); B.context().call(gb, 1, 1)
expect = {}
for name, (comp, fn) in {"a": (A, fa), "b": (B, gb)}.items():
    try: comp.context().call(fn, 1, 0)
    except TengoError as e: expect[name] = str(e)
bad = []
def w(ctx, fn, exp, n):
    for i in range(n):
        try: ctx.call(fn, i, 0)
        except TengoError as e:
            if str(e) != exp: bad.append(str(e))
ts = []
for i in range(8):
    comp, fn, key = (A, fa, "a") if i % 2 else (B, gb, "b")
    ts.append(threading.Thread(target=w, args=(comp.context().with_isolated_globals(), fn,
                                               expect[key], 1500)))
sys.setswitchinterval(1e-6)
for t in ts: t.start()
for t in ts: t.join()
print(expect["a"].split("\\n")[1].strip(), expect["b"].split("\\n")[1].strip(), len(bad))
"""


def test_w1_traces_do_not_mix_between_threads():
    rc, out, err = run_case(W1)
    assert_clean(rc, err)
    assert out.split() == ["at", "a.tengo:3:10", "at", "b.tengo:8:10", "0"]


# l1: compiled programs and their native code were never freed
L1 = """
import gc, weakref
from tengojit import Script
from tengojit.jit import engine as E
refs = []
for i in range(100):
    src = (f"k := {i}\\nf := func(x) {{ return x * k + {i} }}\\n"
           f"g := func(n) {{ s := 0; for j := 0; j < n; j++ {{ s += f(j) }}; return s }}\\nout := g(10)\\n")
    c = Script(src, jit=True, jit_threshold=0).compile(); c.run()
    ctx = c.context(); ctx.call(c.get("f"), 1); b = ctx.bind(c.get("f")); b(3)
    refs.append(weakref.ref(c.program))
    del c, ctx, b
gc.collect()
E.engine().collect()
spaces = sum(1 for o in gc.get_objects() if type(o) is E.CodeSpace)
print(sum(r() is not None for r in refs), spaces)
"""


def test_l1_programs_and_their_code_are_freed():
    rc, out, err = run_case(L1)
    assert_clean(rc, err)
    alive, spaces = map(int, out.split())
    assert alive == 0
    # 100 programs in code spaces of PROGRAMS_PER_SPACE: only the open one survives
    assert spaces <= 1
