"""How late a deadline or a cancel stops a running script, on both tiers.

    python benchmarks/interrupts.py [--reps N] [--json FILE]

For each kind of code that never ends (a main-body loop, a loop in a function, a for-in, a
doubly recursive function, a tail call, mutual recursion) and each tier, runs it with
``run(timeout=0.1)`` ``--reps`` times and reports the overshoot (time from the deadline to
the ``ScriptTimeout``), then the latency of ``CancelToken.cancel()`` from another thread while
the script runs in a worker thread. The JIT tier compiles first (one untimed run).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from rich.console import Console  # noqa: E402
from rich.table import Table      # noqa: E402

from tengojit import CancelToken, Script, ScriptCancelled, ScriptTimeout  # noqa: E402
from test_interrupts import FOREVER  # noqa: E402

TIERS = {"baseline": dict(jit=False), "jit": dict(jit=True, jit_threshold=0, jit_background=False)}
DEADLINE = 0.1


def overshoot(src, opts, reps):
    c = Script(src, **opts).compile()
    out = []
    for i in range(reps + 1):
        t = time.perf_counter()
        try:
            c.run(timeout=DEADLINE)
        except ScriptTimeout:
            pass
        if i:                      # the first run compiles (JIT tier)
            out.append((time.perf_counter() - t - DEADLINE) * 1000)
    return out


def cancel_latency(opts, reps):
    c = Script("f := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }\n"
               "y := f(10)", **opts).compile()
    c.run()
    out = []
    for _ in range(reps):
        ctx = c.context().with_isolated_globals()
        tok, done = CancelToken(), []

        def work():
            try:
                ctx.call(ctx.get("f"), -1, cancel=tok)
            except ScriptCancelled:
                done.append(time.perf_counter())
        th = threading.Thread(target=work)
        th.start()
        time.sleep(0.05)
        t = time.perf_counter()
        tok.cancel()
        th.join()
        out.append((done[0] - t) * 1000)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    rows = []
    for kind, src in sorted(FOREVER.items()):
        for tier, opts in TIERS.items():
            rows.append((f"timeout: {kind}", tier, overshoot(src, opts, args.reps)))
    for tier, opts in TIERS.items():
        rows.append(("cancel from a thread", tier, cancel_latency(opts, args.reps)))
    table = Table(title=f"Overshoot past a {DEADLINE * 1000:.0f} ms deadline / after cancel() (ms)")
    for col in ("code", "tier", "median", "max"):
        table.add_column(col, justify="left" if col in ("code", "tier") else "right")
    for what, tier, ms in rows:
        table.add_row(what, tier, f"{statistics.median(ms):.1f}", f"{max(ms):.1f}")
    Console().print(table)
    worst = max(max(ms) for _, _, ms in rows)
    print(f"worst overshoot: {worst:.1f} ms (bound: 50 ms)")
    if args.json:
        Path(args.json).write_text(json.dumps(
            [{"code": w, "tier": t, "ms": ms} for w, t, ms in rows], indent=1))
    return 0 if worst <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
