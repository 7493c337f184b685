"""The JIT's default threshold, measured on whole programs: the Are-We-Fast-Yet ports with
the JIT off and with each ``jit_threshold`` of ``--thresholds`` (default 0, 100, 1000, 10000).

For each port and setting, a fresh process compiles the port, runs ``inner_benchmark_loop`` once
(the *first* run: it pays for profiling and compiling) and then ``--iterations`` more times
(the *steady* figure is their median; *total* is the sum of all runs, first included: the
time a user waits for a program that does this much work). The JIT compiles in the
background, as it does by default. A threshold is good when first runs and totals are not
slower than the baseline tier's and steady runs are as fast as the JIT gets.

    python benchmarks/awfy_threshold.py [--iterations 3] [--scale 0.2] [--thresholds 0,1000]
                                        [-k NAME] [--json OUT]

``--scale`` multiplies the suite's inner counts (1.0 = the counts of ``run.py --awfy``).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import awfy  # noqa: E402 - the suite's list and inner counts

# ports run at the suite's own count (their results are verified for few counts, and that count
# is already short), and the counts CD can verify
FULL_COUNT = ("Mandelbrot", "NBody", "Richards", "Havlak")
CD_COUNTS = (2, 10, 100, 200, 250, 500, 1000)

DEFAULT_THRESHOLDS = "0,100,1000,10000"

WORKER = r"""
import json, statistics, sys, time
from tengojit import Script
from tengojit.stdlib import get_module_map
path, inner, iters, threshold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
jit = threshold != "off"
s = Script(open(path).read(), jit=jit, jit_threshold=int(threshold) if jit else None)
s.set_imports(get_module_map("math", "fmt", "text", "times"))
c = s.compile()
c.run()
ctx = c.context()
f = c.get("inner_benchmark_loop")
times = []
for _ in range(iters + 1):
    t = time.perf_counter()
    ok = ctx.call(f, inner)
    times.append((time.perf_counter() - t) * 1000)
    if ok is not True:
        print(json.dumps({"error": "did not verify"}))
        sys.exit(0)
print(json.dumps({"first": times[0], "steady": statistics.median(times[1:]), "total": sum(times)}))
"""


def measure(name, inner, iters, threshold):
    path = awfy.port_path(name)
    arg = "off" if threshold is None else str(threshold)
    r = subprocess.run([sys.executable, "-c", WORKER, path, str(inner), str(iters), arg],
                       capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        return {"error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed"}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--scale", type=float, default=0.2)
    ap.add_argument("--thresholds", default=DEFAULT_THRESHOLDS,
                    help="comma-separated jit_threshold values (default %(default)s)")
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    settings = [("no JIT", None)] + [(f"T={int(t)}", int(t)) for t in a.thresholds.split(",")]
    from rich.console import Console
    from rich.table import Table
    console = Console()
    results = {}
    benches = [b for b in awfy.BENCHMARKS if not a.k or any(k.lower() in b[0].lower() for k in a.k)]
    for name, inner, *_ in benches:
        n = inner if name in FULL_COUNT else max(1, int(inner * a.scale))
        if name == "CD":
            n = max([c for c in CD_COUNTS if c <= n] or [CD_COUNTS[0]])
        results[name] = {"inner": n}
        for label, t in settings:
            console.print(f"{name} ({n}) {label} …", end="\r")
            iters = 1 if name == "Havlak" else a.iterations      # ~20 s per Havlak run
            results[name][label] = measure(name, n, iters, t)
    table = Table(title="AWFY ports: first run / steady run / total (ms) per JIT threshold")
    table.add_column("benchmark")
    for label, _ in settings:
        table.add_column(label, justify="right")
    for name, row in results.items():
        cells = []
        for label, _ in settings:
            r = row[label]
            cells.append(r["error"] if "error" in r else
                         f"{r['first']:,.0f} / {r['steady']:,.0f} / {r['total']:,.0f}")
        table.add_row(f"{name} ({row['inner']})", *cells)
    for which in ("first", "steady", "total"):
        base = [row["no JIT"][which] for row in results.values() if "error" not in row["no JIT"]]
        cells = []
        for label, _ in settings:
            ok = [(row[label][which], row["no JIT"][which]) for row in results.values()
                  if "error" not in row[label] and "error" not in row["no JIT"]]
            cells.append(f"{statistics.geometric_mean([x / y for x, y in ok]):.2f}x" if ok and base else "-")
        table.add_row(f"geomean {which} ÷ no JIT", *cells)
    console.print(table)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
