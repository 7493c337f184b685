"""Are-We-Fast-Yet, side by side: the Tengo ports (``benchmarks/awfy/*.tengo``) on tengojit
(JIT on and off) and the reference Go Tengo CLI, beside the suite's own Python and Lua versions
on CPython, Lua 5.4 and LuaJIT.

    python benchmarks/run.py --awfy [--json OUT.json] [--png OUT.png] [-k NAME] [--quick] [--rounds N]

Every implementation runs each benchmark in a fresh process with the same inner count: an
*iteration* is one ``inner_benchmark_loop(inner)`` call, verified, timed by the process itself
(the suite's harness for Python and Lua; an appended driver for Tengo). The first
``WARMUP`` iterations are dropped; the figure is the median of the rest, in microseconds.
tengojit with the JIT runs with ``-jit-sync`` here: hot code compiles in the iteration that
makes it hot, so after the warm-up the figures are the compiled code's (the default, compiling
in the background, installs the same code some iterations later; ``--whole`` measures it).
Ratios are to CPython; the geometric mean is over the benchmarks every column has.

``--whole`` measures what a user running a program once waits for: one iteration per process,
the figure is the process's wall time (start-up, imports, compiles, the run and the exit), with
one more column, tengojit compiling on the spot (``-jit-sync``) rather than in the background.

Peers that cannot run here are reported absent, never estimated: Lua needs ``lupa`` (the
``[bench]`` extra), Go Tengo needs ``TENGO_REF`` naming a ``tengo`` binary (see DEVELOPERS.md).
"""
from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PORTS = os.path.join(HERE, "awfy")
# the suite's own benchmarks/ directory (its Python/ and Lua/ versions): AWFY_PEERS, else the
# copy beside this project's checkout
PEERS = os.environ.get("AWFY_PEERS") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "peers", "awfy", "benchmarks"))

# (name, inner iterations, measured iterations). Inner counts: ones the suite verifies (for
# Mandelbrot, NBody, Havlak and CD only a few sizes have expected values), chosen so that an
# iteration takes 0.05-2 s on CPython. NBody runs the suite's own count (250,000 steps, ~1.5 s
# on CPython): its other verified size, 1, times the creation of five maps and one step, ~10 µs,
# which measures warm-up and the timer rather than the simulation.
BENCHMARKS = [
    ("Bounce", 100, 5), ("List", 100, 5), ("Mandelbrot", 500, 3), ("NBody", 250000, 3),
    ("Permute", 100, 5), ("Queens", 100, 5), ("Sieve", 100, 5), ("Storage", 100, 5),
    ("Towers", 100, 5), ("Richards", 1, 5), ("DeltaBlue", 1000, 5), ("Json", 10, 5),
    ("Havlak", 1, 2), ("CD", 100, 3),
]
WARMUP = 1
TIMEOUT = 900            # seconds per (benchmark, implementation) run
IMPLS = ["tengojit", "tengojit-nojit", "tengo-go", "cpython", "lua5.4", "luajit"]
# --whole: a program run once, whole-process time; beside the default (compiles in the
# background) the JIT compiling on the spot (-jit-sync)
WHOLE_IMPLS = ["tengojit", "tengojit-sync", "tengojit-nojit", "tengo-go", "cpython", "lua5.4",
               "luajit"]
LABELS = {"tengojit": "tengojit (JIT)", "tengojit-nojit": "tengojit (no JIT)",
          "tengojit-sync": "tengojit (JIT, -jit-sync)",
          "tengo-go": "Go Tengo", "cpython": "CPython", "lua5.4": "Lua 5.4", "luajit": "LuaJIT"}
_LINE = re.compile(r"^(\w+): iterations=1 runtime: (\d+(?:\.\d+)?)us$")

DRIVER = """
__fmt := import("fmt")
__times := import("times")
for __i := 0; __i < {outer}; __i++ {{
    __t0 := __times.now()
    __ok := inner_benchmark_loop({inner})
    __t1 := __times.now()
    if !__ok {{
        __fmt.println("{name}: verification failed")
        break
    }}
    __fmt.printf("%s: iterations=1 runtime: %dus\\n", "{name}", __times.sub(__t1, __t0) / 1000)
}}
"""

LUPA_RUNNER = """
import sys, importlib
mod, path, name, outer, inner = sys.argv[1:]
lua = importlib.import_module(mod).LuaRuntime()
lua.execute("package.path = '" + path + "/?.lua;' .. package.path")
lua.execute("arg = {...}", name, outer, inner)
lua.execute("dofile('" + path + "/harness.lua')")
"""


def port_path(name):
    return os.path.join(PORTS, name.lower() + ".tengo")


def tengo_program(name, inner, outer):
    """The port of ``name`` with the timing driver appended (Tengo source text)."""
    with open(port_path(name), encoding="utf-8") as f:
        src = f.read()
    return src + "\n" + DRIVER.format(name=name, inner=inner, outer=outer)


def available_impls():
    """{impl: None if it can run here, else why not}."""
    why = {}
    for impl in WHOLE_IMPLS:
        why[impl] = None
    try:
        import tengojit.jit as jit
        if not jit.available():
            why["tengojit"] = why["tengojit-sync"] = "the JIT is not available here"
    except Exception as e:  # noqa: BLE001 - reported, not raised
        why["tengojit"] = why["tengojit-sync"] = f"tengojit.jit: {e}"
    ref = os.environ.get("TENGO_REF")
    if not ref:
        why["tengo-go"] = "TENGO_REF is not set"
    elif not os.access(ref, os.X_OK):
        why["tengo-go"] = f"TENGO_REF={ref} is not executable"
    if not os.path.isdir(os.path.join(PEERS, "Python")):
        why["cpython"] = f"no peers at {PEERS}"
    for impl, mod in (("lua5.4", "lupa.lua54"), ("luajit", "lupa.luajit21")):
        try:
            __import__(mod)
        except ImportError:
            why[impl] = f"{mod} is not installed (pip install -e '.[bench]')"
        if not os.path.isdir(os.path.join(PEERS, "Lua")):
            why[impl] = f"no peers at {PEERS}"
    return why


def command(impl, name, inner, outer, scratch, whole=False):
    """(argv, cwd) running ``outer`` iterations of ``name`` on ``impl`` (``whole``: as a user
    runs it, else for the steady state)."""
    if impl in ("tengojit", "tengojit-nojit", "tengojit-sync", "tengo-go"):
        path = os.path.join(scratch, f"{name.lower()}_{impl}.tengo")
        with open(path, "w", encoding="utf-8") as f:
            f.write(tengo_program(name, inner, outer))
        if impl == "tengo-go":
            return [os.environ["TENGO_REF"], path], scratch
        flags = {"tengojit-nojit": ["-no-jit"], "tengojit-sync": ["-jit-sync"]}.get(impl, [])
        if impl == "tengojit" and not whole:
            # steady state: compiled on the spot, so the warm-up iteration is the one that
            # compiles (in the background the same code arrives some iterations later)
            flags = ["-jit-sync"]
        return [sys.executable, "-m", "tengojit", *flags, path], scratch
    if impl == "cpython":
        return ([sys.executable, "harness.py", name, str(outer), str(inner)],
                os.path.join(PEERS, "Python"))
    mod = "lupa.lua54" if impl == "lua5.4" else "lupa.luajit21"
    lua_dir = os.path.join(PEERS, "Lua")
    return [sys.executable, "-c", LUPA_RUNNER, mod, lua_dir, name, str(outer), str(inner)], lua_dir


def run_one(impl, name, inner, outer, scratch, whole=False):
    """{"us": [per-iteration µs], "error": text or None, "wall_s": whole-process seconds}."""
    if impl.startswith("tengo") and not os.path.exists(port_path(name)):
        return {"us": [], "error": f"no port at {port_path(name)}", "wall_s": 0.0}
    argv, cwd = command(impl, name, inner, outer, scratch, whole)
    env = dict(os.environ, PYTHONHASHSEED="0")
    # byte-code caches as a user has them (pip writes them at install time; a first import
    # writes them otherwise): an environment that forbids them would time Python's compiler
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    try:
        r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return {"us": [], "error": f"timed out after {TIMEOUT} s", "wall_s": TIMEOUT}
    wall = time.perf_counter() - t0
    times = [float(m.group(2)) for m in map(_LINE.match, r.stdout.splitlines()) if m]
    error = None
    if r.returncode != 0 or len(times) != outer or "verification failed" in r.stdout:
        tail = (r.stderr or r.stdout).strip().splitlines()[-3:]
        error = f"exit {r.returncode}, {len(times)}/{outer} iterations: " + " | ".join(tail)
    return {"us": times, "error": error, "wall_s": round(wall, 3)}


def merge_round(row, impl, cell):
    """Add one process's ``cell`` to ``row[impl]``: its figure joins ``per_process_us`` and the
    cell's figure becomes their median (any process's error makes the cell an error)."""
    prev = row.get(impl)
    if prev is None:
        cell["per_process_us"] = [] if cell["median_us"] is None else [cell["median_us"]]
        row[impl] = cell
        return
    prev["us"] += cell["us"]
    prev["wall_s"] = round(prev["wall_s"] + cell["wall_s"], 3)
    prev["error"] = prev["error"] or cell["error"]
    if cell["median_us"] is not None:
        prev["per_process_us"].append(cell["median_us"])
    prev["median_us"] = None if prev["error"] else statistics.median(prev["per_process_us"])


def figure(us):
    """Median after the warm-up iterations (µs), or None."""
    kept = us[WARMUP:] if len(us) > WARMUP else us
    return statistics.median(kept) if kept else None


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def ratios(results, benchmarks, impls, base="cpython"):
    """{impl: {benchmark: ratio to base}} and {impl: geometric mean over common benchmarks}."""
    per = {i: {} for i in impls}
    for b in benchmarks:
        d = results.get(b, {}).get(base, {}).get("median_us")
        for i in impls:
            n = results.get(b, {}).get(i, {}).get("median_us")
            if d and n:
                per[i][b] = n / d
    common = [b for b in benchmarks if all(b in per[i] for i in impls if per[i])]
    geo = {i: geomean([per[i][b] for b in common]) if per[i] else None for i in impls}
    return per, geo, common


def print_table(console, results, benchmarks, impls, absent, whole=False):
    from rich.table import Table
    per, geo, common = ratios(results, benchmarks, impls)
    t = Table(title="Are-We-Fast-Yet, each run once: whole-process time (ms) and ratio to CPython"
              if whole else
              "Are-We-Fast-Yet: time per iteration (µs, median after warm-up) and ratio to CPython")
    t.add_column("benchmark")
    t.add_column("inner", justify="right")
    for i in impls:
        t.add_column(LABELS[i], justify="right")
    for b, inner, _ in [x for x in BENCHMARKS if x[0] in benchmarks]:
        row = [b, str(inner)]
        for i in impls:
            cell = results.get(b, {}).get(i)
            if i in absent:
                row.append("absent")
            elif cell is None:
                row.append("-")
            elif cell.get("error"):
                row.append("[red]failed[/red]")
            else:
                r = per[i].get(b)
                v = cell["median_us"] / 1000 if whole else cell["median_us"]
                row.append(f"{v:,.0f}" + (f" ({r:.2f}x)" if r else ""))
        t.add_row(*row)
    t.add_row("[b]geomean vs CPython[/b]", f"{len(common)} common",
              *["absent" if i in absent else (f"[b]{geo[i]:.2f}x[/b]" if geo.get(i) else "-")
                for i in impls])
    if "tengo-go" not in absent:
        per_go, geo_go, common_go = ratios(results, benchmarks, impls, base="tengo-go")
        t.add_row("[b]geomean vs Go Tengo[/b]", f"{len(common_go)} common",
                  *["absent" if i in absent else (f"{geo_go[i]:.2f}x" if geo_go.get(i) else "-")
                    for i in impls])
    console.print(t)
    for i, why in absent.items():
        console.print(f"[dim]{LABELS[i]}: absent ({why})[/dim]")
    for b in benchmarks:
        for i in impls:
            cell = results.get(b, {}).get(i)
            if cell and cell.get("error"):
                console.print(f"[red]{b} on {LABELS[i]}: {cell['error']}[/red]")


def write_png(path, results, benchmarks, impls, absent, whole=False):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    shown = [i for i in impls if i not in absent and i != "cpython"]
    per, geo, _ = ratios(results, benchmarks, impls)
    labels = benchmarks + ["geomean"]
    fig, ax = plt.subplots(figsize=(max(8, len(labels) * 0.9), 4.5))
    width = 0.8 / max(1, len(shown))
    for k, i in enumerate(shown):
        ys = [per[i].get(b, 0) for b in benchmarks] + [geo.get(i) or 0]
        ax.bar([x + k * width for x in range(len(labels))], ys, width, label=LABELS[i])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylabel(("whole-process time" if whole else "time per iteration")
                  + " / CPython (log; lower is faster)")
    ax.set_xticks([x + width * (len(shown) - 1) / 2 for x in range(len(labels))])
    ax.set_xticklabels(labels, rotation=30, ha="right")
    ax.legend(fontsize=8)
    ax.set_title("Are-We-Fast-Yet relative to CPython")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(args, console, err):
    """Run the suite (``args``: only, quick, json, png); returns the exit status."""
    from rich.progress import Progress
    chosen = [b for b in BENCHMARKS if not args.only or any(k.lower() in b[0].lower() for k in args.only)]
    whole = bool(getattr(args, "whole", False))
    absent = {i: why for i, why in available_impls().items()
              if why and i in (WHOLE_IMPLS if whole else IMPLS)}
    impls = list(WHOLE_IMPLS if whole else IMPLS)
    runnable = [i for i in impls if i not in absent]
    results = {}
    failed = False
    rounds = max(1, getattr(args, "rounds", None) or 1)
    with tempfile.TemporaryDirectory(prefix="awfy-") as scratch, Progress(console=err) as progress:
        task = progress.add_task("Are-We-Fast-Yet", total=len(chosen) * len(runnable) * rounds)
        for name, inner, outer in chosen:
            if whole:
                outer = 1
            elif args.quick:
                outer = min(outer, 2 if outer < 50 else 20)
            # with --rounds N each implementation runs N processes, interleaved with the others'
            # (a drift of the machine then hits every column alike); the figure is the median
            # of the processes' figures
            for _ in range(rounds):
                for impl in runnable:
                    progress.update(task, description=f"{name} on {LABELS[impl]}")
                    cell = run_one(impl, name, inner, outer, scratch, whole)
                    if whole:     # what a user waits for: start-up, compiles, run, exit
                        cell["us"] = [] if cell["error"] else [cell["wall_s"] * 1e6]
                    cell["median_us"] = None if cell["error"] else figure(cell["us"])
                    merge_round(results.setdefault(name, {}), impl, cell)
                    failed |= bool(cell["error"]) and impl.startswith("tengojit")
                    progress.advance(task)
    names = [b[0] for b in chosen]
    print_table(console, results, names, impls, absent, whole)
    if args.json:
        per, geo, common = ratios(results, names, impls)
        data = {"suite": "awfy-whole" if whole else "awfy", "warmup": 0 if whole else WARMUP,
                "benchmarks": [
                    {"name": n, "inner": i, "iterations": o} for n, i, o in chosen],
                "results": results, "absent": absent, "ratio_to_cpython": per,
                "geomean_to_cpython": geo, "geomean_benchmarks": common}
        if "tengo-go" not in absent:
            data["geomean_to_go_tengo"] = ratios(results, names, impls, base="tengo-go")[1]
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
    if args.png:
        write_png(args.png, results, names, impls, absent, whole)
    return 1 if failed else 0
