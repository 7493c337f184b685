#!/usr/bin/env python3
"""The seed benchmark suite (../shared/seed/benchmarks.md): tables, requirement check, JSON, PNG.

    python benchmarks/run.py                 # full run (about a minute on 2 cores)
    python benchmarks/run.py --quick         # fewer rounds and shorter batches (< 60 s)
    python benchmarks/run.py --quick --json OUT.json [--png OUT.png] [-k NAME]
    python benchmarks/run.py --awfy [--whole] [--quick] [--json OUT.json] [--png OUT.png] [-k NAME]

``--awfy`` runs the Are-We-Fast-Yet suite instead, beside its peers (see awfy.py).

Prints, for every available tier (baseline; jit once ``tengojit.jit.available()``), the seed's
table — Benchmark | tier | ns/op | B/op | allocs/op | ops/sec (and peak B/op) — then the CPython
peers of every benchmark, then the JIT's native peers (fib35, host_call, compile_small: jitpeers.py)
with their target ratios, then the seed's requirement table with PASS/FAIL per tier.

Timing: ``time.perf_counter_ns`` over batches of ops; each benchmark is warmed up, its batch size
calibrated to ``--batch-ms``, then ``--rounds`` rounds are timed, the benchmarks interleaved
(shuffled order each round) so that background load hits all of them alike. ns/op is the
**median** over the rounds (the minimum is kept in the JSON as ``ns_per_op_min``). Memory is
measured in separate passes afterwards (memory.py defines B/op, allocs/op and peak B/op).

Exit status: 0 when every benchmark ran and computed the right result, whether or not the
requirements hold (seed_bench.py decides that); 1 when a benchmark crashed or was wrong.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import jitpeers  # noqa: E402
import memory  # noqa: E402
import programs  # noqa: E402
from programs import HOST, INLINE, NAMES  # noqa: E402

# (label, how it is measured, numerator, denominator, field, target, tier the seed means)
# tier: "each" = every tier, measured within it; "baseline" = JIT off only; "jit" = JIT on only.
REQUIREMENTS = [
    ("host-call time overhead, JIT off", "ClosureHostAPIExecution ÷ ClosureInlineExecution, ns/op",
     "ClosureHostAPIExecution", "ClosureInlineExecution", "ns_per_op", 1.05, "baseline"),
    ("host-call memory overhead, JIT off", "same ratio, B/op",
     "ClosureHostAPIExecution", "ClosureInlineExecution", "bytes_per_op", 1.10, "baseline"),
    ("host-call memory overhead, JIT off", "same ratio, allocs/op",
     "ClosureHostAPIExecution", "ClosureInlineExecution", "allocs_per_op", 1.10, "baseline"),
    ("batch host/inline time, JIT on",
     "ClosureHostAPIBatch (ctx.map over np.arange(1000)) ÷ ClosureInlineExecution, ns/op",
     "ClosureHostAPIBatch", "ClosureInlineExecution", "ns_per_op", 1.05, "jit"),
    ("single host call, JIT on", "ctx.call(add_five, i) ÷ numba @njit call, ns/call",
     "ClosureHostAPIExecution", ("numba", "ClosureHostAPIExecution"), "ns_per_op", 1.0, "jit"),
    ("context overhead", "ClosureHostAPIExecution ÷ ClosureDirectAPIExecution, ns/op",
     "ClosureHostAPIExecution", "ClosureDirectAPIExecution", "ns_per_op", 1.05, "each"),
    ("isolated context", "ClosureIsolatedContext ÷ ClosureHostAPIExecution, ns/op",
     "ClosureIsolatedContext", "ClosureHostAPIExecution", "ns_per_op", 1.10, "each"),
]
SPEEDUP = 20.0      # JIT on: each seed inline program at least this many times faster (check)

SECTIONS = [("Baseline Functions", INLINE[:3]), ("Closure Execution", [INLINE[3]] + HOST),
            ("Other", [n for n in NAMES if n not in INLINE and n not in HOST])]


# ---------------------------------------------------------------------------------------------
# measuring

class Entry:
    """One benchmark of one implementation being measured."""

    def __init__(self, bench):
        self.bench = bench
        self.n = 1
        self.samples = []
        self.mem = None
        self.error = None

    @property
    def key(self):
        return (self.bench.name, self.bench.impl)


def _time_batch(op, n):
    t0 = time.perf_counter_ns()
    for _ in range(n):
        op()
    return time.perf_counter_ns() - t0


def calibrate(e, warm_ns, batch_ns):
    """Warm up (at least ``warm_ns`` and 3 ops) and size the batch to about ``batch_ns``."""
    op = e.bench.op
    total, count = 0, 0
    while count < 3 or total < warm_ns:
        total += _time_batch(op, 1)
        count += 1
        if total > 4 * warm_ns and count >= 2:
            break
    per = max(total / count, 1)
    e.n = max(1, int(batch_ns / per))


def run_timing(entries, rounds, log):
    rng = random.Random(1234)
    order = list(entries)
    for r in range(rounds):
        rng.shuffle(order)
        gc.collect()
        for e in order:
            if e.error:
                continue
            try:
                e.samples.append(_time_batch(e.bench.op, e.n) / e.n)
            except Exception:
                e.error = traceback.format_exc()
        log(f"round {r + 1}/{rounds}")


def summary(e):
    s = sorted(e.samples)
    ns = statistics.median(s)
    out = {"name": e.bench.name, "ns_per_op": round(ns, 1), "ns_per_op_min": round(s[0], 1),
           "bytes_per_op": e.mem["bytes_per_op"], "allocs_per_op": e.mem["allocs_per_op"],
           "peak_bytes_per_op": e.mem["peak_bytes_per_op"],
           "ops_per_sec": round(1e9 / ns, 1) if ns else 0.0,
           "rounds": len(s), "ops_per_round": e.n}
    return out


def machine_info(args):
    from importlib import metadata
    info = {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "machine": platform.machine(),
            "processor": platform.processor() or None, "cpu_count": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if models:
            info["cpu_model"] = models[0]
    except OSError:
        pass
    for pkg in ("tengojit", "llvmlite", "numba", "numpy"):
        try:
            info[f"{pkg}_version"] = metadata.version(pkg)
        except Exception:
            info[f"{pkg}_version"] = None
    try:
        info["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    try:
        from tengojit import _hostcall  # noqa: F401
        info["hostcall_c_extension"] = True
    except Exception:
        info["hostcall_c_extension"] = False
    return info


# ---------------------------------------------------------------------------------------------
# requirements

def ratio(num, den):
    if den == 0:
        return 0.0 if num == 0 else float("inf")
    return num / den


def requirement_cells(results, peers, tiers):
    """rows: (label, measured as, target, {tier: text})."""
    res = {(r["name"], r["tier"]): r for r in results}
    peer = {(p["impl"], p["name"]): p for p in peers if "name" in p}
    rows = []
    for label, how, num, den, field, target, applies in REQUIREMENTS:
        cells = {}
        for tier in ("baseline", "jit"):
            if applies != "each" and applies != tier:
                cells[tier] = "—"
                continue
            if tier not in tiers:
                cells[tier] = "n/a (needs JIT)"
                continue
            n = res.get((num, tier))
            d = peer.get(den) if isinstance(den, tuple) else res.get((den, tier))
            if isinstance(den, tuple) and d is None:
                cells[tier] = "n/a (needs numba)"
                continue
            if not n or not d:
                cells[tier] = "missing result"
                continue
            r = ratio(float(n[field]), float(d[field]))
            cells[tier] = f"{r:.3f} {'PASS' if r <= target else 'FAIL'}"
        rows.append((label, how, f"≤ {target}", cells))
    cells = {"baseline": "—"}
    if "jit" not in tiers:
        cells["jit"] = "n/a (needs JIT)"
    else:
        parts, good = [], True
        for name in INLINE:
            b, j = res.get((name, "baseline")), res.get((name, "jit"))
            if not b or not j or not j["ns_per_op"]:
                parts.append(f"{name} missing")
                good = False
                continue
            sp = b["ns_per_op"] / j["ns_per_op"]
            good &= sp >= SPEEDUP
            parts.append(f"x{sp:.0f}")
        cells["jit"] = " ".join(parts) + (" PASS" if good else " FAIL")
    rows.append(("JIT speed-up (check)", "each seed inline program: baseline ÷ jit ns/op",
                 f"≥ {SPEEDUP:g}", cells))
    return rows


# ---------------------------------------------------------------------------------------------
# output

def _num(v, digits=0):
    if v is None:
        return "—"
    return f"{v:,.{digits}f}"


def print_tables(console, results, peers, tiers, req_rows, settings, jit_entries=(), jit_rows=()):
    from rich.table import Table
    base = {(r["name"], r["tier"]): r for r in results}

    t = Table(title=f"tengojit — seed suite ({settings['mode']}; ns/op = median of "
                    f"{settings['rounds']} rounds)", title_justify="left")
    for col, just in (("Benchmark", "left"), ("tier", "left"), ("ns/op", "right"),
                      ("B/op", "right"), ("allocs/op", "right"), ("ops/sec", "right"),
                      ("peak B/op", "right")):
        t.add_column(col, justify=just)
    for title, names in SECTIONS:
        rows = [base[(n, tier)] for n in names for tier in tiers if (n, tier) in base]
        if not rows:
            continue
        t.add_row(f"[bold]{title}[/bold]", "", "", "", "", "", "")
        for r in rows:
            t.add_row(r["name"], r["tier"], _num(r["ns_per_op"]), _num(r["bytes_per_op"]),
                      _num(r["allocs_per_op"]), _num(r["ops_per_sec"]), _num(r["peak_bytes_per_op"]))
    console.print(t)

    p = Table(title="CPython peers — the same work in plain CPython (tengojit ÷ CPython: ns/op ratio)",
              title_justify="left")
    for col, just in (("Benchmark", "left"), ("impl", "left"), ("ns/op", "right"), ("B/op", "right"),
                      ("allocs/op", "right"), ("ops/sec", "right"), ("peak B/op", "right")):
        p.add_column(col, justify=just)
    for tier in tiers:
        p.add_column(f"{tier} ÷ peer", justify="right")
    for title, names in SECTIONS:
        rows = [x for n in names for x in peers if x.get("name") == n]
        if not rows:
            continue
        p.add_row(f"[bold]{title}[/bold]", *([""] * (6 + len(tiers))))
        for r in rows:
            ratios = []
            for tier in tiers:
                b = base.get((r["name"], tier))
                ratios.append(f"{ratio(b['ns_per_op'], r['ns_per_op']):.2f}x" if b else "—")
            p.add_row(r["name"], r["impl"], _num(r["ns_per_op"]), _num(r["bytes_per_op"]),
                      _num(r["allocs_per_op"]), _num(r["ops_per_sec"]), _num(r["peak_bytes_per_op"]),
                      *ratios)
    console.print(p)
    if jit_entries:
        print_jit_peers(console, jit_entries, jit_rows)

    q = Table(title="The seed's requirements (../shared/seed/benchmarks.md)", title_justify="left")
    for col in ("requirement", "measured as", "target", "baseline (JIT off)", "jit (JIT on)"):
        q.add_column(col)
    for label, how, target, cells in req_rows:
        q.add_row(label, how, target, *(_color(cells[t]) for t in ("baseline", "jit")))
    console.print(q)
    console.print(f"memory: {settings['memory_method']} (B/op and allocs/op: see docs/benchmarks.md); "
                  f"ns/op: median (min in the JSON).")


def _jit_figure(e):
    if "seconds" in e:
        txt = f"{e['seconds'] * 1e3:,.1f} ms"
        if e.get("scaled"):
            txt += f" (fib({e['measured_n']}) {e['measured_seconds'] * 1e3:,.1f} ms, scaled)"
        return txt
    if "ns_per_call" in e:
        txt = f"{e['ns_per_call']:,.1f} ns/call"
        if "ns_per_call_attr" in e:
            txt += f" ({e['ns_per_call_attr']:,.1f} with ctx.call looked up per call)"
        return txt
    if "ms_median" in e:
        return (f"{e['ms_median']:,.2f} ms median compile, {e['kib_per_function']:,.2f} KiB/function "
                f"({e['functions']} functions, best of {e['best_of']})")
    return "—"


def print_jit_peers(console, entries, rows):
    from rich.table import Table
    t = Table(title="JIT peers — fib35 (s, best of N), host_call (ns/call incl. the loop, best of N), "
                    "compile_small", title_justify="left")
    for col, just in (("benchmark", "left"), ("impl", "left"), ("figure", "left"),
                      ("÷ numba-njit", "right"), ("÷ gcc-O2", "right")):
        t.add_column(col, justify=just)
    by = {(e["benchmark"], e["impl"]): e for e in entries}
    for e in entries:
        ratios = []
        for den in ("numba-njit", "gcc-O2"):
            d = by.get((e["benchmark"], den))
            field = "seconds" if "seconds" in e else "ns_per_call" if "ns_per_call" in e else None
            ratios.append(f"{ratio(e[field], d[field]):.2f}x" if d and field else "—")
        t.add_row(e["benchmark"], e["impl"], _jit_figure(e), *ratios)
    console.print(t)
    q = Table(title="JIT peer targets (../shared/checks/jit_peers.py)", title_justify="left")
    for col in ("target", "value", "limit", "verdict"):
        q.add_column(col)
    for label, v, target, verdict in rows:
        q.add_row(label, "—" if v is None else f"{v:.3f}", target, _color(verdict))
    console.print(q)


def _color(cell):
    if cell.endswith("PASS"):
        return f"[green]{cell}[/green]"
    if cell.endswith("FAIL"):
        return f"[red]{cell}[/red]"
    return cell


def write_png(path, results, peers, tiers):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        print(f"--png: matplotlib is not importable; {path} not written", file=sys.stderr)
        return
    base = {(r["name"], r["tier"]): r["ns_per_op"] for r in results}
    peer = {(p["name"], p["impl"]): p["ns_per_op"] for p in peers}
    series = [(tier, lambda n, t=tier: base.get((n, t))) for tier in tiers]
    series += [(impl, lambda n, i=impl: peer.get((n, i)))
               for impl in sorted({p["impl"] for p in peers})]
    names = [n for n in NAMES if any(f(n) for _, f in series)]
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(names) * len(series) + 1.5))
    h = 0.8 / len(series)
    for k, (label, f) in enumerate(series):
        ys = [i + k * h for i in range(len(names))]
        ax.barh(ys, [f(n) or 0 for n in names], height=h, label=label)
    ax.set_yticks([i + 0.4 - h / 2 for i in range(len(names))])
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("ns/op (median, log scale; lower is better)")
    ax.legend()
    ax.set_title("tengojit seed benchmark suite")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds, shorter batches (< 60 s)")
    ap.add_argument("--json", metavar="FILE", help="write the raw figures as JSON")
    ap.add_argument("--png", metavar="FILE", help="write a bar chart (needs matplotlib)")
    ap.add_argument("-k", dest="only", action="append", metavar="NAME",
                    help="only benchmarks whose name contains NAME (repeatable)")
    ap.add_argument("--rounds", type=int, help="timed rounds per benchmark (default 15 quick, 25 full); "
                    "with --awfy: processes per implementation, interleaved (default 1)")
    ap.add_argument("--batch-ms", type=float, help="target time of one timed batch in ms (default 20 quick, 80 full)")
    ap.add_argument("--mem-ops", type=int, help="ops per memory measurement (default 3 / 10)")
    ap.add_argument("--no-peers", action="store_true",
                    help="skip the CPython peers and the JIT's native peers")
    ap.add_argument("--no-jit-peers", action="store_true",
                    help="skip the JIT's native peers (fib35, host_call, compile_small)")
    ap.add_argument("--awfy", action="store_true",
                    help="run the Are-We-Fast-Yet suite beside CPython, Lua, LuaJIT and Go Tengo")
    ap.add_argument("--whole", action="store_true",
                    help="with --awfy: each benchmark run once per process, whole-process time "
                    "(start-up and compiles included)")
    a = ap.parse_args(argv)
    if a.awfy:
        import awfy
        from rich.console import Console
        return awfy.main(a, Console(width=None if sys.stdout.isatty() else 180),
                         Console(stderr=True))
    rounds = a.rounds or (15 if a.quick else 25)
    batch_ns = (a.batch_ms or (20 if a.quick else 80)) * 1e6
    warm_ns = batch_ns * 2
    mem_ops = a.mem_ops or (3 if a.quick else 10)

    from rich.console import Console
    # not a terminal (piped, CI): wide enough that no column is cut
    console = Console(width=None if sys.stdout.isatty() else 160)
    err = Console(stderr=True)
    t_start = time.perf_counter()

    def log(msg):
        if not a.quick:
            err.print(f"[dim]{msg}[/dim]")

    tiers = programs.TIERS
    names = [n for n in NAMES if not a.only or any(k.lower() in n.lower() for k in a.only)]
    info = machine_info(a)
    failures = []

    # build every benchmark (compile + setup, not timed) and check it computes the right thing
    entries = []
    makers = [(n, t, programs.tengo_bench) for t in tiers for n in names]
    if not a.no_peers:
        makers += [(n, "cpython", lambda n, _t: programs.cpython_bench(n)) for n in names]
        if "jit" in tiers and "ClosureHostAPIExecution" in names:
            makers.append(("ClosureHostAPIExecution", "numba", lambda n, _t: programs.numba_bench(n)))
    for name, impl, make in makers:
        try:
            b = make(name, impl)
            if b is None:
                continue
            b.verify()
            entries.append(Entry(b))
        except Exception:
            failures.append((name, impl, traceback.format_exc()))

    err.print(f"[dim]{len(entries)} benchmarks built and checked; calibrating…[/dim]")
    for e in entries:
        try:
            calibrate(e, warm_ns, batch_ns)
        except Exception:
            e.error = traceback.format_exc()
    run_timing(entries, rounds, log)

    # memory: separate passes (allocator counters, then tracemalloc), never while timing
    mem_method = memory.method()
    for e in entries:
        if e.error:
            continue
        try:
            e.mem = memory.measure(e.bench.op, mem_ops)
            if not e.bench.check(e.bench.op()):
                raise AssertionError(f"wrong result after the run: {e.bench.op()!r:.200}")
        except Exception:
            e.error = traceback.format_exc()

    # the JIT's native peers (jitpeers.py): after the seed suite, each measured on its own
    jit_entries = []
    jit_names = [n for n in ("fib35", "host_call", "compile_small")
                 if not a.only or any(k.lower() in n.lower() for k in a.only)]
    if not (a.no_peers or a.no_jit_peers):
        jit_ok = "jit" in tiers
        for bname in jit_names:
            err.print(f"[dim]JIT peers: {bname}…[/dim]")
            try:
                jit_entries += getattr(jitpeers, f"measure_{bname}")(a.quick, jit_ok, log)
            except Exception:
                failures.append((bname, "jit-peers", traceback.format_exc()))

    results, peers = [], []
    for e in entries:
        if e.error or not e.samples:
            failures.append((e.bench.name, e.bench.impl, e.error or "no samples"))
            continue
        s = summary(e)
        if e.bench.impl in ("cpython", "numba"):
            name = s.pop("name")
            peers.append({"name": name, "benchmark": name, "impl": e.bench.impl, **s})
        else:
            results.append({"name": s.pop("name"), "tier": e.bench.impl, **s})

    elapsed = time.perf_counter() - t_start
    try:
        info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    settings = {"mode": "quick" if a.quick else "full", "rounds": rounds,
                "batch_ms": batch_ns / 1e6, "memory_ops": mem_ops, "statistic": "median",
                "memory_method": mem_method, "tiers": tiers, "elapsed_s": round(elapsed, 1)}
    if mem_method != "allocator-counters":
        settings["memory_build_error"] = memory.build_error()
    req_rows = requirement_cells(results, peers, tiers)
    jit_rows = jitpeers.target_rows(jit_entries) if jit_entries else []
    print_tables(console, results, peers, tiers, req_rows, settings, jit_entries, jit_rows)
    console.print(f"[dim]{len(results)} results, {len(peers)} + {len(jit_entries)} peers in {elapsed:.1f} s; "
                  f"load average {info.get('loadavg_before')} → {info.get('loadavg_after')}[/dim]")

    if a.json:
        data = {"machine": info, "settings": settings, "results": results,
                "peers": peers + jit_entries,
                "jit_peer_targets": [{"target": name, "value": v, "limit": t, "verdict": d}
                                     for name, v, t, d in jit_rows],
                "requirements": [{"requirement": r, "measured_as": h, "target": t, **c}
                                 for r, h, t, c in req_rows],
                "failures": [{"name": n, "impl": i, "error": tb} for n, i, tb in failures]}
        with open(a.json, "w") as f:
            json.dump(data, f, indent=1)
    if a.png:
        try:
            write_png(a.png, results, peers, tiers)
        except Exception:
            print(f"--png failed:\n{traceback.format_exc()}", file=sys.stderr)

    for name, impl, tb in failures:
        err.print(f"[red]FAILED {name} [{impl}][/red]\n{tb}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
