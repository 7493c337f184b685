"""The JIT tier against its native peers: fib35, host_call, compile_small.

Each ``measure_*`` function returns a list of JSON-ready dicts for the ``"peers"`` list of
``run.py --json`` (``../shared/checks/jit_peers.py`` reads them):

    {"benchmark": "fib35", "impl": ..., "seconds": s}
        impl: tengojit-jit | tengojit-baseline | gcc-O2 | numba-njit | cpython | luajit
    {"benchmark": "host_call", "impl": ..., "ns_per_call": x}
        impl: tengojit-bound | tengojit-ctx.call | numba-njit | python
    {"benchmark": "compile_small", "impl": "tengojit-jit", "ms_median": x, "kib_per_function": y}

Definitions (docs/benchmarks.md has the long form):

* **fib35** — wall time of one recursive ``fib(35)`` (29,860,703 calls), best of a few runs,
  after a warm-up (JIT compiled, numba compiled). gcc-O2: a C program built with ``cc -O2``
  reads n from argv (no constant folding) and times ``fib(n)`` itself with
  ``clock_gettime(CLOCK_MONOTONIC)``, best of 3 inside the program (process start-up is not
  measured). tengojit-baseline and cpython take ~1-3 s per fib(35): with ``--quick`` they time
  fib(30) instead and scale by the exact call-count ratio calls(35)/calls(30), where
  calls(n) = 2·F(n+1) − 1 (≈ 11.09); the entry says so (``"measured_n": 30, "scaled": true``).
  luajit only when ``lupa`` (with a LuaJIT runtime) is importable.
* **host_call** — ns per call of the seed's ``add_five`` closure from a Python loop
  ``for i in range(N): f(i)`` inside a function (all names locals), N = 200k (quick) or 1M,
  including the loop; best of 5 rounds, the implementations interleaved in a shuffled order
  each round. tengojit-bound: ``f = ctx.bind(add_five)``; tengojit-ctx.call: ``call(add_five, i)``
  with ``call = ctx.call`` hoisted into a local (as in the seed suite's ClosureHostAPIExecution;
  the same loop with ``ctx.call`` looked up every iteration is kept as ``ns_per_call_attr``);
  numba-njit: a factory returning an ``@njit`` closure ``x + y + 10`` (x captured); python: the
  same closure in plain Python. Tengo side: ``Script(…, jit=True, jit_threshold=0)``, warmed up
  by 300 ``ctx.call(add_five, i)`` first.
* **compile_small** — ten small int functions (add, iabs, clamp, gcd, sum_to_n, collatz, ipow,
  fib_iter, is_prime, max3), each in its own fresh ``Script(…, jit=True, jit_threshold=0)``,
  compiled by calling it once; ``tengojit.jit.stats(compiled.program)`` gives compile_ms and
  code_bytes. A throwaway compile runs first (the first compile of a process includes the LLVM
  engine's start-up). Each function is compiled R times (3 quick / 5 full, each a fresh Script);
  its figure is the best of the R; ``ms_median`` is the median over the ten functions and
  ``kib_per_function`` the mean code_bytes / 1024.
"""
from __future__ import annotations

import gc
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time

FIB_SRC_TENGO = "fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\n"
FIB_SRC_PY = """\
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
"""
FIB_SRC_LUA = """\
local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end
return fib
"""
FIB_SRC_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

volatile long sink;

int main(int argc, char **argv) {
    volatile long vn = argc > 1 ? atol(argv[1]) : 35;   /* read at run time: no folding */
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    double best = 1e30;
    for (int i = 0; i < reps; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        sink = fib(vn);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
        if (s < best) best = s;
    }
    printf("%ld %.9f\n", (long)sink, best);
    return 0;
}
"""

FIB_N = 35
FIB_QUICK_N = 30


def fib_value(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def fib_calls(n):
    """Calls made by the naive recursive fib(n): 2·F(n+1) − 1."""
    return 2 * fib_value(n + 1) - 1


def _best(fn, reps):
    best = None
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        r = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    return best, r


def _fib_entry(impl, seconds, n, reps, **extra):
    e = {"benchmark": "fib35", "impl": impl, "seconds": seconds, "measured_n": n, "best_of": reps}
    if n != FIB_N:
        e["seconds"] = seconds * fib_calls(FIB_N) / fib_calls(n)
        e["measured_seconds"] = seconds
        e["scaled"] = True
    e.update(extra)
    return e


def _check_fib(impl, n, r):
    if r != fib_value(n):
        raise AssertionError(f"fib35[{impl}]: fib({n}) returned {r!r}")


def find_cc():
    for c in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if c and shutil.which(c):
            return shutil.which(c)
    return None


def fib_c(reps=3):
    """(seconds, compiler line) for fib(35) built with ``cc -O2``; None without a compiler."""
    cc = find_cc()
    if cc is None:
        return None
    with tempfile.TemporaryDirectory(prefix="tengojit-fib-") as d:
        src, exe = os.path.join(d, "fib.c"), os.path.join(d, "fib")
        with open(src, "w") as f:
            f.write(FIB_SRC_C)
        subprocess.run([cc, "-O2", "-o", exe, src], check=True, capture_output=True, text=True)
        out = subprocess.run([exe, str(FIB_N), str(reps)], check=True, capture_output=True,
                             text=True, timeout=120).stdout.split()
    _check_fib("gcc-O2", FIB_N, int(out[0]))
    try:
        version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except Exception:
        version = os.path.basename(cc)
    return float(out[1]), version


def _lua_runtime():
    """A LuaJIT runtime from lupa, or None (lupa missing, or not LuaJIT)."""
    try:
        import lupa
    except Exception:
        return None
    for mod in ("luajit21", "luajit20"):
        try:
            m = __import__(f"lupa.{mod}", fromlist=["LuaRuntime"])
            return m.LuaRuntime()
        except Exception:
            pass
    try:
        rt = lupa.LuaRuntime()
        if "luajit" in str(getattr(rt, "lua_implementation", "")).lower():
            return rt
    except Exception:
        pass
    return None


def measure_fib35(quick, jit_available, log=lambda m: None):
    out = []
    slow_n = FIB_QUICK_N if quick else FIB_N
    slow_reps = 3 if quick else 2
    from tengojit import Script

    tiers = (["jit"] if jit_available else []) + ["baseline"]
    for tier in tiers:
        opts = {"jit": True, "jit_threshold": 0} if tier == "jit" else {"jit": False}
        compiled = Script(FIB_SRC_TENGO, name="fib35.tengo", **opts).compile()
        compiled.run()
        ctx, fib = compiled.context(), compiled.get("fib")
        extra = {}
        if tier == "jit":
            for _ in range(3):
                ctx.call(fib, 20)
            _check_fib("tengojit-jit", 25, ctx.call(fib, 25))
            import tengojit.jit as jit
            recs = [r for r in jit.stats(compiled.program) if r["name"] == "fib"]
            extra["jit_state"] = recs[0]["state"] if recs else "no record"
            n, reps = FIB_N, 5
        else:
            ctx.call(fib, 15)
            n, reps = slow_n, slow_reps
        s, r = _best(lambda: ctx.call(fib, n), reps)
        _check_fib(f"tengojit-{tier}", n, r)
        out.append(_fib_entry(f"tengojit-{tier}", s, n, reps, **extra))
        log(f"fib35 tengojit-{tier}: {out[-1]['seconds']:.4f} s")

    try:
        c = fib_c(3)
    except Exception as e:      # a compiler that fails is reported, not fatal
        c = None
        log(f"fib35 gcc-O2: build/run failed: {e}")
    if c is not None:
        out.append(_fib_entry("gcc-O2", c[0], FIB_N, 3, compiler=c[1],
                              note="timed inside the program (clock_gettime), n from argv"))

    try:
        from numba import njit
    except Exception:
        njit = None
    if njit is not None:
        g = {"njit": njit}
        exec("@njit(cache=False)\n" + FIB_SRC_PY, g)
        nfib = g["fib"]
        _check_fib("numba-njit", 20, nfib(20))          # compile (not timed)
        s, r = _best(lambda: nfib(FIB_N), 3)
        _check_fib("numba-njit", FIB_N, r)
        out.append(_fib_entry("numba-njit", s, FIB_N, 3))

    g = {}
    exec(FIB_SRC_PY, g)
    pfib = g["fib"]
    s, r = _best(lambda: pfib(slow_n), slow_reps)
    _check_fib("cpython", slow_n, r)
    out.append(_fib_entry("cpython", s, slow_n, slow_reps))

    lua = _lua_runtime()
    if lua is not None:
        lfib = lua.execute(FIB_SRC_LUA)
        lfib(20)
        s, r = _best(lambda: lfib(FIB_N), 3)
        _check_fib("luajit", FIB_N, int(r))
        out.append(_fib_entry("luajit", s, FIB_N, 3))
    return out


# ---------------------------------------------------------------------------------------------
# host_call

def _loop1(f, n):
    t0 = time.perf_counter_ns()
    for i in range(n):
        f(i)
    return time.perf_counter_ns() - t0


def _loop2(call, fn, n):
    t0 = time.perf_counter_ns()
    for i in range(n):
        call(fn, i)
    return time.perf_counter_ns() - t0


def _loop_attr(ctx, fn, n):
    t0 = time.perf_counter_ns()
    for i in range(n):
        ctx.call(fn, i)
    return time.perf_counter_ns() - t0


def measure_host_call(quick, jit_available, log=lambda m: None):
    import programs
    n = 200_000 if quick else 1_000_000
    rounds = 5
    cases = {}          # impl -> zero-argument timer returning ns for n calls
    checks = {}         # impl -> f(999) result
    if jit_available:
        from tengojit import Script
        compiled = Script(programs.SETUPS["adder"][0], name="adder.tengo",
                          jit=True, jit_threshold=0).compile()
        compiled.run()
        ctx, add_five = compiled.context(), compiled.get("add_five")
        for i in range(300):
            ctx.call(add_five, i)
        bound = ctx.bind(add_five)
        call = ctx.call
        cases["tengojit-bound"] = lambda: _loop1(bound, n)
        cases["tengojit-ctx.call"] = lambda: _loop2(call, add_five, n)
        cases["tengojit-ctx.call (attr)"] = lambda: _loop_attr(ctx, add_five, n)
        checks["tengojit-bound"] = bound(999)
        checks["tengojit-ctx.call"] = call(add_five, 999)
    nf = programs.numba_adder()            # factory returning an @njit closure, compiled
    if nf is not None:
        cases["numba-njit"] = lambda: _loop1(nf, n)
        checks["numba-njit"] = nf(999)
    pf = programs.setup_cpython("adder")["add_five"]
    cases["python"] = lambda: _loop1(pf, n)
    checks["python"] = pf(999)
    for impl, r in checks.items():
        if r != 1014:
            raise AssertionError(f"host_call[{impl}]: add_five(999) returned {r!r}")

    for t in cases.values():           # warm the loops themselves
        t()
    samples = {k: [] for k in cases}
    rng = random.Random(4321)
    order = list(cases)
    for _ in range(rounds):
        rng.shuffle(order)
        gc.collect()
        for k in order:
            samples[k].append(cases[k]() / n)
    out = []
    for impl in ("tengojit-bound", "tengojit-ctx.call", "numba-njit", "python"):
        if impl not in samples:
            continue
        e = {"benchmark": "host_call", "impl": impl, "ns_per_call": round(min(samples[impl]), 2),
             "ns_per_call_median": round(statistics.median(samples[impl]), 2),
             "calls_per_round": n, "best_of": rounds}
        if impl == "tengojit-ctx.call":
            e["ns_per_call_attr"] = round(min(samples["tengojit-ctx.call (attr)"]), 2)
        out.append(e)
        log(f"host_call {impl}: {e['ns_per_call']} ns")
    return out


# ---------------------------------------------------------------------------------------------
# compile_small

SMALL_FUNCTIONS = [
    # (name, Tengo source, args, expected)
    ("add", "add := func(a, b) { return a + b }", (1, 2), 3),
    ("iabs", "iabs := func(x) { if x < 0 { return -x }; return x }", (-5,), 5),
    ("clamp", "clamp := func(x, lo, hi) { if x < lo { return lo }; if x > hi { return hi }; return x }",
     (15, 0, 10), 10),
    ("gcd", "gcd := func(a, b) { for b != 0 { t := b; b = a % b; a = t }; return a }", (1071, 462), 21),
    ("sum_to_n", "sum_to_n := func(n) { s := 0; for i := 1; i <= n; i++ { s += i }; return s }",
     (100,), 5050),
    ("collatz", "collatz := func(n) { steps := 0; for n != 1 { if n % 2 == 0 { n = n / 2 } "
                "else { n = 3 * n + 1 }; steps++ }; return steps }", (27,), 111),
    ("ipow", "ipow := func(b, e) { r := 1; for e > 0 { if e % 2 == 1 { r *= b }; b *= b; "
             "e = e / 2 }; return r }", (3, 13), 1594323),
    ("fib_iter", "fib_iter := func(n) { a := 0; b := 1; for i := 0; i < n; i++ { t := a + b; "
                 "a = b; b = t }; return a }", (40,), 102334155),
    ("is_prime", "is_prime := func(n) { if n < 2 { return false }; for i := 2; i * i <= n; i++ "
                 "{ if n % i == 0 { return false } }; return true }", (97,), True),
    ("max3", "max3 := func(a, b, c) { m := a; if b > m { m = b }; if c > m { m = c }; return m }",
     (3, 9, 4), 9),
]

THROWAWAY = ("warm", "warm := func(n) { s := 0; for i := 0; i < n; i++ { s += i * 2 }; "
                     "if s > 10 { return s }; return -s }", (10,), 90)


def _compile_one(name, src, args, expected):
    """Compile ``name`` in a fresh Script by calling it once: its jit.stats record."""
    from tengojit import Script
    import tengojit.jit as jit
    compiled = Script(src, name=name + ".tengo", jit=True, jit_threshold=0).compile()
    compiled.run()
    r = compiled.context().call(compiled.get(name), *args)
    if r != expected:
        raise AssertionError(f"compile_small[{name}]: returned {r!r}, expected {expected!r}")
    recs = [x for x in jit.stats(compiled.program) if x["name"] == name]
    return recs[0] if recs else {"state": "no record", "reason": ""}


def measure_compile_small(quick, jit_available, log=lambda m: None):
    if not jit_available:
        return []
    reps = 3 if quick else 5
    _compile_one(*THROWAWAY)            # engine start-up and first-use costs: not counted
    best, code, samples, not_compiled = {}, {}, [], []
    for _ in range(reps):
        for name, src, args, expected in SMALL_FUNCTIONS:
            if name in not_compiled:
                continue
            rec = _compile_one(name, src, args, expected)
            if rec.get("state") != "compiled":
                not_compiled.append(name)
                log(f"compile_small: {name} not compiled ({rec.get('state')}: {rec.get('reason')})")
                continue
            ms = float(rec["compile_ms"])
            samples.append(ms)
            best[name] = min(ms, best.get(name, ms))
            code[name] = int(rec["code_bytes"])
    if not best:
        raise AssertionError(f"compile_small: no function compiled ({', '.join(not_compiled)})")
    e = {"benchmark": "compile_small", "impl": "tengojit-jit",
         "ms_median": round(statistics.median(best.values()), 3),
         "kib_per_function": round(statistics.mean(code.values()) / 1024, 3),
         "ms_median_all_samples": round(statistics.median(samples), 3),
         "functions": len(best), "best_of": reps,
         "per_function": {k: {"compile_ms": round(best[k], 3), "code_bytes": code[k]} for k in best}}
    if not_compiled:
        e["not_compiled"] = not_compiled
    log(f"compile_small: median {e['ms_median']} ms, {e['kib_per_function']} KiB/function")
    return [e]


# ---------------------------------------------------------------------------------------------
# the targets (the same ratios ../shared/checks/jit_peers.py recomputes)

RATIOS = [
    ("fib35 jit ÷ C", "fib35", "tengojit-jit", "gcc-O2", "seconds", 1.0),
    ("fib35 jit ÷ numba", "fib35", "tengojit-jit", "numba-njit", "seconds", 0.6),
    ("host_call bound ÷ numba", "host_call", "tengojit-bound", "numba-njit", "ns_per_call", 0.25),
    ("host_call ctx.call ÷ numba", "host_call", "tengojit-ctx.call", "numba-njit", "ns_per_call", 0.5),
]
LIMITS = [
    ("compile_small median ms", "compile_small", "tengojit-jit", "ms_median", 10.0),
    ("compile_small KiB/function", "compile_small", "tengojit-jit", "kib_per_function", 64.0),
]


def target_rows(entries):
    """[(label, value or None, target text, verdict)] for the JIT's peer targets."""
    by = {(e["benchmark"], e["impl"]): e for e in entries if "benchmark" in e}
    rows = []
    for label, bench, num, den, field, target in RATIOS:
        n, d = by.get((bench, num)), by.get((bench, den))
        if not n or not d:
            rows.append((label, None, f"≤ {target}", f"missing {num if not n else den}"))
            continue
        r = float(n[field]) / float(d[field])
        rows.append((label, r, f"≤ {target}", "PASS" if r <= target else "FAIL"))
    for label, bench, impl, field, limit in LIMITS:
        p = by.get((bench, impl))
        if not p:
            rows.append((label, None, f"≤ {limit:g}", f"missing {impl}"))
            continue
        v = float(p[field])
        rows.append((label, v, f"≤ {limit:g}", "PASS" if v <= limit else "FAIL"))
    return rows
