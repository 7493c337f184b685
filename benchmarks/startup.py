#!/usr/bin/env python3
"""Start-up time of the ``tengojit`` command beside bare Python, as users run it.

    python benchmarks/startup.py [--runs N] [--json OUT]

Three commands, each run ``--runs`` times after two warm-up runs (which also write Python's
bytecode cache: the figures are with cached bytecode, ``PYTHONDONTWRITEBYTECODE`` cleared for
the children), median wall time of the whole process:

- ``python -c pass``
- ``tengojit one.tengo`` — a script that imports nothing (target: ≤ 2x bare Python)
- ``tengojit fmt.tengo`` — a script that imports ``fmt`` and prints (target: ≤ 2.5x)

The runs are interleaved (one of each in turn), so background load hits all three alike.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPTS = {"one.tengo": "a := 1 + 2\nb := a * 3\n",
           "fmt.tengo": 'fmt := import("fmt")\nfmt.println("hello")\n'}
TARGETS = {"tengojit one.tengo": 2.0, "tengojit fmt.tengo": 2.5}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="tengojit-startup-")
    try:
        for name, src in SCRIPTS.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(src)
        exe = shutil.which("tengojit") or sys.executable
        prefix = [exe] if exe != sys.executable else [sys.executable, "-m", "tengojit"]
        commands = {"python -c pass": [sys.executable, "-c", "pass"],
                    "tengojit one.tengo": prefix + [os.path.join(tmp, "one.tengo")],
                    "tengojit fmt.tengo": prefix + [os.path.join(tmp, "fmt.tengo")]}
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        times = {name: [] for name in commands}
        for i in range(args.runs + 2):
            for name, cmd in commands.items():
                t = time.perf_counter()
                r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                dt = time.perf_counter() - t
                if r.returncode != 0:
                    raise SystemExit(f"{name} failed: {r.stderr.decode(errors='replace')}")
                if i >= 2:
                    times[name].append(dt)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    base = statistics.median(times["python -c pass"])
    rows = []
    for name, ts in times.items():
        med = statistics.median(ts)
        ratio = med / base
        target = TARGETS.get(name)
        verdict = "" if target is None else ("PASS" if ratio <= target else "FAIL")
        rows.append({"command": name, "median_ms": med * 1e3, "min_ms": min(ts) * 1e3,
                     "ratio": ratio, "target": target, "verdict": verdict})
    from rich.console import Console
    from rich.table import Table
    table = Table(title=f"Start-up, median of {args.runs} runs (bytecode cached)")
    for col in ("command", "median ms", "min ms", "÷ python -c pass", "target", ""):
        table.add_column(col, justify="left" if col == "command" else "right")
    for r in rows:
        table.add_row(r["command"], f"{r['median_ms']:.1f}", f"{r['min_ms']:.1f}", f"{r['ratio']:.2f}x",
                      "" if r["target"] is None else f"≤ {r['target']}x", r["verdict"])
    Console().print(table)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "runs": args.runs, "rows": rows}, f, indent=1)
    return 0 if all(r["verdict"] != "FAIL" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
