"""What the JIT's profiling costs code that stays on the baseline tier.

With the JIT on, the generated code counts function calls and the iterations of top-level loops
(the back-edge counters that trigger on-stack replacement) and checks, at each entry of a
function's top-level loop, whether native code exists. This script runs the same programs with
the JIT off and with it on but refusing everything (as it refuses code it cannot take), so the
difference is what profiling costs code that stays on the baseline tier:

    python benchmarks/backedge.py [--rounds N]

Programs: the seed's inline programs (``benchmarks/programs.py``) and the Are-We-Fast-Yet ports
whose work stays on the baseline tier (``benchmarks/awfy/``). Figures: median of ``rounds``
timed runs of each program (after one warm-up), the two tiers' runs interleaved, and the ratio counting/off.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

AWFY = [("bounce", 20), ("list", 20), ("queens", 20), ("towers", 20), ("richards", 1), ("json", 2)]


def refusing(compiled):
    """The compiled program with the JIT on but refusing everything it is asked to compile, as
    it refuses code it cannot take: each function's counter runs up to the threshold and the
    function is then refused (its prologue reads one flag), each top-level loop counts its
    iterations and its switch is refused."""
    from tengojit.jit import dispatch
    program = compiled.program
    ns = program.ns

    def hot(fid, G, args, free):
        dispatch.refuse(program, fid)

    def refuse_loop(lid, G, F=None):
        ns[f"_L{lid}"] = False if lid in program.jit_loop_frames else dispatch.never_loop
        return False
    ns["_hot"] = hot
    for name in ("_hotloop", "_hotfloop", "_osr", "_fosr"):
        ns[name] = refuse_loop
    return compiled


def programs():
    """(name, source) of every program measured."""
    from programs import INLINE, PROGRAMS
    out = [(n, PROGRAMS[n][0]) for n in INLINE + ["fib27"]]
    for name, inner in AWFY:
        with open(os.path.join(HERE, "awfy", f"{name}.tengo"), encoding="utf-8") as f:
            out.append((f"awfy/{name}", f.read() + f"\nout := inner_benchmark_loop({inner})\n"))
    return out


def build(src, name, jit):
    from tengojit import Script
    from tengojit.stdlib import get_module_map
    s = Script(src, name=name, jit=jit)
    s.set_imports(get_module_map("math", "fmt", "text", "times"))
    c = s.compile()
    return refusing(c) if jit else c


def paired_medians(off, on, rounds):
    """Median seconds per run of each, the two runs interleaved (the machine's drift hits both)."""
    off.run()                           # warm-up
    on.run()
    times = ([], [])
    for _ in range(rounds):
        for c, ts in ((off, times[0]), (on, times[1])):
            t0 = time.perf_counter()
            c.run()
            ts.append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args(argv)
    from rich.console import Console
    from rich.table import Table
    import tengojit.jit as jit
    if not jit.available():
        print("the JIT is not available here: nothing to measure")
        return 0
    t = Table(title="JIT profiling cost on the baseline tier (median ms per run)")
    for col in ("program", "JIT off", "JIT on, everything refused", "ratio"):
        t.add_column(col, justify="right" if col != "program" else "left")
    ratios = []
    for name, src in programs():
        off, on = paired_medians(build(src, name, False), build(src, name, True), args.rounds)
        ratios.append(on / off)
        t.add_row(name, f"{off * 1e3:.3f}", f"{on * 1e3:.3f}", f"{on / off:.3f}")
    geo = statistics.geometric_mean(ratios)
    t.add_row("geomean", "", "", f"{geo:.3f}")
    Console().print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
