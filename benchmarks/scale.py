#!/usr/bin/env python3
"""Scale-out benchmark: a rules-engine closure over Dask collections on 1, 2 and 4 worker
processes, beside the same rules as a plain Python function through Dask.

    python benchmarks/scale.py                          # 10^7 amounts, 2·10^6 dict records
    python benchmarks/scale.py --records 1e6 --bag-records 1e5 --workers 1,2 --json OUT.json

Two workloads, both scored by the same rules (``RULES`` in Tengo, ``score_py`` / ``score_tx_py``
in Python, checked to give identical results):

- **column**: ``--records`` float64 amounts in a Dask Array (``--chunks`` blocks), scored per
  block with ``tengojit.dask.map_blocks`` (the native ``ExecutionContext.map`` path once the JIT
  has compiled the closure); the Python peer maps ``score_py`` over each block.
- **records**: ``--bag-records`` transactions as dicts in a Dask Bag, scored with
  ``tengojit.dask.map_bag``; the Python peer is ``bag.map(score_tx_py)``.

For each worker count a fresh ``LocalCluster`` (processes, one thread each) is started, the
dict records are built and kept on the workers (not timed; the amounts are generated inside
each timed graph, which "dask alone" measures by itself), then each workload is timed
``--repeat`` times: the first ("cold") run includes each worker compiling the program and the
JIT compiling the closure; the median of the others is the "warm" time. Also reported: how
many times each worker compiled the program (must be 1), what loading the closure costs per
task once compiled, and what the first compile costs.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time

import numpy as np

RULES = """
score := func(amount) {
    s := 0.0
    if amount > 900.0 { s += 40.0 } else if amount > 500.0 { s += 20.0 }
    if amount < 5.0 { s += 15.0 }
    // 48 band rules: an amount above band i's threshold scores the band's weight
    threshold := 0.0
    weight := 0.5
    for i := 0; i < 48; i++ {
        if amount > threshold { s += weight }
        threshold += 20.0
        weight = weight * 1.05
    }
    return s
}
score_tx := func(tx) {
    s := score(tx.amount)
    if tx.hour < 6 || tx.hour > 22 { s += 3.0 }
    if tx.country == "XK" { s += 5.0 }
    return s
}
"""


def score_py(amount):
    s = 0.0
    if amount > 900.0:
        s += 40.0
    elif amount > 500.0:
        s += 20.0
    if amount < 5.0:
        s += 15.0
    threshold = 0.0
    weight = 0.5
    for _ in range(48):
        if amount > threshold:
            s += weight
        threshold += 20.0
        weight = weight * 1.05
    return s


def score_tx_py(tx):
    s = score_py(tx["amount"])
    if tx["hour"] < 6 or tx["hour"] > 22:
        s += 3.0
    if tx["country"] == "XK":
        s += 5.0
    return s


def score_block_py(block):
    return np.fromiter(map(score_py, block.tolist()), dtype=np.float64, count=len(block))


def make_tx(seed_and_n):
    seed, n = seed_and_n
    rng = np.random.default_rng(seed)
    amounts = rng.uniform(0, 1000, n).tolist()
    hours = rng.integers(0, 24, n).tolist()
    countries = rng.choice(["DE", "FR", "XK", "US"], n).tolist()
    return [{"id": seed * 10_000_000 + i, "amount": a, "hour": h, "country": c}
            for i, (a, h, c) in enumerate(zip(amounts, hours, countries))]


def _spin(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s


def machine_alone(n_workers, repeat, work=15_000_000):
    """Seconds for ``work`` iterations of a pure-Python loop split over ``n_workers`` processes
    (no Dask): how much parallel speed the machine gives right now (cores shared with other
    tenants of a virtual machine can give less than their count)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(n_workers) as pool:
        list(pool.map(_spin, [1000] * n_workers))            # processes started, not timed
        stats, _ = timed(lambda: sum(pool.map(_spin, [work // n_workers] * n_workers)), repeat)
    return stats


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    warm = statistics.median(times[1:]) if len(times) > 1 else times[0]
    return {"cold_s": times[0], "warm_s": warm, "times_s": times}, result


def run_workers(n_workers, args, closures):
    import dask.array as da
    import dask.bag as db
    from distributed import Client, LocalCluster, wait

    import tengojit.dask as tjd
    from tengojit import payload

    out = {"workers": n_workers, "machine_alone": machine_alone(n_workers, args.repeat)}
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(n_workers)
        chunk = max(1, args.records // args.chunks)
        # generated inside the graph (a few ms per block), so the scheduler balances blocks
        # over the workers freely; the bag's records are built once and kept on the workers
        amounts = da.random.default_rng(42).uniform(0, 1000, args.records, chunks=chunk)
        nparts = args.chunks
        per = max(1, args.bag_records // nparts)
        bag = db.from_sequence([(s, per) for s in range(nparts)], npartitions=nparts) \
            .map_partitions(lambda parts: [tx for p in parts for tx in make_tx(p)]).persist()
        wait(bag)

        score, score_tx = closures
        rec, tj_rec = timed(lambda: tjd.map_bag(bag, score_tx).sum().compute(), args.repeat)
        py_rec_t, py_rec = timed(lambda: bag.map(score_tx_py).sum().compute(), args.python_repeat)
        # Dask's own cost of the same graph (generating the amounts, negating them, the sum):
        # what no engine can go below
        dask_only, _ = timed(lambda: amounts.map_blocks(np.negative, dtype="f8").sum().compute(),
                             args.repeat)
        col, tj_col = timed(lambda: tjd.map_blocks(amounts, score, dtype="f8").sum().compute(), args.repeat)
        py_col_t, py_col = timed(lambda: amounts.map_blocks(score_block_py, dtype="f8").sum().compute(),
                                 args.python_repeat)
        if tj_col != py_col or tj_rec != py_rec:
            raise SystemExit(f"results differ: column {tj_col!r} vs {py_col!r}, "
                             f"records {tj_rec!r} vs {py_rec!r}")
        info = client.run(payload.cache_info)
        out.update(column_dask_alone=dask_only, column_tengojit=col, column_python=py_col_t, records_tengojit=rec,
                   records_python=py_rec_t,
                   compiles_per_worker=sorted(i["compiles"] for i in info.values()),
                   loads_per_worker=sorted(i["compiles"] + i["hits"] for i in info.values()))
    return out


def task_overheads(closure):
    """(first load with compile, later loads) of a closure payload in this process, in s."""
    from tengojit import dumps, loads, payload

    blob = dumps(closure)
    payload._cache.clear()
    t = time.perf_counter()
    loads(blob)
    first = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(200):
        loads(blob)
    return first, (time.perf_counter() - t) / 200, len(blob)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=float, default=1e7, help="amounts in the column workload")
    ap.add_argument("--bag-records", type=float, default=2e6, help="dict records in the bag workload")
    ap.add_argument("--workers", default="1,2,4", help="worker process counts (comma-separated)")
    ap.add_argument("--chunks", type=int, default=20, help="blocks / partitions per workload")
    ap.add_argument("--repeat", type=int, default=4, help="timed runs per workload (first is cold)")
    ap.add_argument("--python-repeat", type=int, default=2,
                    help="timed runs of the Python peer (it compiles nothing: cold = warm)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    args.records, args.bag_records = int(args.records), int(args.bag_records)

    from rich.console import Console
    from rich.table import Table

    from tengojit import Script
    from tengojit.stdlib import get_module_map

    compiled = Script(RULES, modules=get_module_map()).compile()
    compiled.run()
    closures = (compiled.get("score"), compiled.get("score_tx"))
    first, per_task, size = task_overheads(closures[1])

    results = []
    for n in [int(w) for w in args.workers.split(",")]:
        print(f"… {n} worker process(es)", file=sys.stderr)
        results.append(run_workers(n, args, closures))

    workers = [r["workers"] for r in results]
    table = Table(title=f"Rules engine on Dask: {args.records:,} amounts (column), "
                        f"{args.bag_records:,} dict records (bag); {os.cpu_count()} cores; "
                        "seconds, warm (cold)")
    table.add_column("workload")
    table.add_column("engine")
    for n in workers:
        table.add_column(f"{n} worker{'s' if n > 1 else ''}", justify="right")
    table.add_column(f"speed-up {workers[0]}→{workers[1]}" if len(workers) > 1 else "", justify="right")
    for workload, engine in (("python loop", "machine alone"), ("column", "dask alone"), ("column", "tengojit"), ("column", "python"),
                             ("records", "tengojit"), ("records", "python")):
        key = "machine_alone" if engine == "machine alone" else f"{workload}_{engine.replace(' ', '_')}"
        cells = [f"{r[key]['warm_s']:.2f} ({r[key]['cold_s']:.2f})" for r in results]
        speed = (f"{results[0][key]['warm_s'] / results[1][key]['warm_s']:.2f}x"
                 if len(results) > 1 else "")
        table.add_row(workload, engine, *cells, speed)
    console = Console()
    console.print(table)
    console.print("program compiles per worker: "
                  + "; ".join(f"{r['workers']} workers: {r['compiles_per_worker']}" for r in results))
    console.print(f"per task: closure payload {size:,} bytes; first load (compiles the program) "
                  f"{first * 1e3:.1f} ms; later loads {per_task * 1e6:.0f} µs (program cached)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "cpus": os.cpu_count(),
                       "records": args.records, "bag_records": args.bag_records,
                       "chunks": args.chunks, "first_load_s": first, "load_s": per_task,
                       "payload_bytes": size, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
