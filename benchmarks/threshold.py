#!/usr/bin/env python3
"""What the JIT threshold trades: compile time against the time saved per call.

For a few small functions this measures

  compile_ms   what compiling the function costs (``tengojit.jit.stats()`` ``compile_ms`` of a
               fresh ``Script(jit=True, jit_threshold=0)``; the first compile of the process,
               which includes LLVM's start-up, is done on a throw-away function first and not
               counted); best and median of ``--compiles`` fresh scripts;
  baseline_ns  ns per call of the function on the baseline tier *as it runs while the JIT
               profiles it* (``jit=True`` with a threshold never reached, so the call counter
               is included);
  native_ns    ns per call once it is compiled (``jit=True, jit_threshold=0``).

Both per-call figures have the driver loop's own cost per iteration (measured on the same
driver calling nothing) subtracted; it is printed above the table.

Calls are made from Tengo code that stays on the baseline tier (a driver function holding a
map literal, which the JIT does not take), exactly how a hot function is called before its
callers are compiled: through the function's own prologue into its native entry. The driver's
loop costs the same in both measurements and cancels in the difference. A call of a recursive
function counts every activation (that is what the JIT's call counter counts): ``fib(15)`` is
1,973 calls.

  break-even = compile_ms / (baseline_ns - native_ns)     calls after which compiling has paid

Run: ``python benchmarks/threshold.py`` (about 30 s; ``--quick`` about 10 s).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from tengojit import Script
import tengojit.jit as jit

# name -> (Tengo definition of f, call expression, activations counted per call)
FUNCTIONS = {
    "add": ("f := func(a, b) { return a + b }", "f(i, 7)", 1),
    "sum_loop": ("f := func(n) { s := 0; for j := 0; j < n; j++ { s += j }; return s }",
                 "f(100)", 1),
    "gcd": ("f := func(a, b) { for b != 0 { t := b; b = a % b; a = t }; return a }",
            "f(1071, 462)", 1),
    "fib": ("f := func(n) { if n < 2 { return n }; return f(n - 1) + f(n - 2) }",
            "f(15)", 2 * 987 - 1),
}

DRIVER = """
{defn}
drive := func(n) {{
    keep := {{}}                       // a map: keeps the driver on the baseline tier
    for i := 0; i < n; i++ {{ {call} }}
    return keep
}}
"""


def fresh(defn, call, **kw):
    c = Script(DRIVER.format(defn=defn, call=call), **kw).compile()
    c.run()
    return c


def f_record(c):
    for r in jit.stats(c.program):
        if r["name"] == "f" and r["kind"] == "function":
            return r
    return None


def time_per_call(c, n, rounds):
    drive = c.context().bind(c.get("drive"))
    drive(max(1, n // 10))                      # warm up (and compile, on the jit side)
    best = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        drive(n)
        best.append((time.perf_counter_ns() - t0) / n)
    return min(best)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--compiles", type=int, default=None, help="fresh compiles per function")
    a = ap.parse_args(argv)
    compiles = a.compiles or (3 if a.quick else 7)
    rounds = 3 if a.quick else 7
    if not jit.available():
        print("the JIT is not available here (llvmlite missing?)")
        return 1
    # the first compile of the process pays LLVM's start-up: not counted
    fresh(*FUNCTIONS["sum_loop"][:2], jit=True, jit_threshold=0)

    print(f"default threshold (jit.DEFAULT_THRESHOLD): {jit.DEFAULT_THRESHOLD} calls\n")
    loop_ns = time_per_call(fresh("f := 0", "i", jit=False), 20000, rounds)
    print(f"driver loop, per iteration (subtracted below): {loop_ns:,.0f} ns\n")
    print("| function | call | compile ms (best / median) | baseline ns/call | native ns/call "
          "| saved ns/call | break-even calls (best / median compile) |")
    print("|---|---|--:|--:|--:|--:|--:|")
    rows = []
    for name, (defn, call, acts) in FUNCTIONS.items():
        ms = []
        for _ in range(compiles):
            c = fresh(defn, call, jit=True, jit_threshold=0)
            c.context().call(c.get("drive"), 1)
            r = f_record(c)
            if r is None or r["state"] != "compiled":
                print(f"{name}: not compiled: {r}")
                break
            ms.append(r["compile_ms"])
        else:
            n = 20000 if name != "fib" else 30
            base = fresh(defn, call, jit=True, jit_threshold=10 ** 12)
            nat = fresh(defn, call, jit=True, jit_threshold=0)
            b_ns = (time_per_call(base, n, rounds) - loop_ns) / acts
            n_ns = (time_per_call(nat, n, rounds) - loop_ns) / acts
            assert f_record(nat)["state"] == "compiled" and f_record(base) is None
            assert all(r["state"] != "compiled" for r in jit.stats(nat.program) if r["name"] == "drive")
            saved = b_ns - n_ns
            be = [m * 1e6 / saved if saved > 0 else float("inf") for m in (min(ms), statistics.median(ms))]
            rows.append((name, be))
            print(f"| {name} | `{call}` | {min(ms):.1f} / {statistics.median(ms):.1f} | {b_ns:,.0f} "
                  f"| {n_ns:,.0f} | {saved:,.0f} | {be[0]:,.0f} / {be[1]:,.0f} |")
    if rows:
        lo = min(r[1][0] for r in rows)
        hi = max(r[1][1] for r in rows)
        print(f"\nbreak-even range: {lo:,.0f} to {hi:,.0f} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
