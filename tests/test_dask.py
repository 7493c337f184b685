"""Tengo closures over Dask collections on a real cluster: ``distributed.LocalCluster`` with two
worker *processes*, started here. Results must equal ``ctx.map`` in this process; errors reach
the client with their script position; a worker killed mid-computation changes nothing; each
worker compiles a program once. Every test runs on both tiers (the tier travels with the
program: workers compile it the same way)."""
from __future__ import annotations

import os
import random
import re
import signal
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the [dask] extra is not installed "
                                          "(pip install -e '.[dask]')")
pytest.importorskip("dask.dataframe", reason="the [dask] extra is not installed")

import dask.array as da  # noqa: E402
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster, wait  # noqa: E402

import tengojit.dask as tjd  # noqa: E402
from tengojit import PayloadError, TengoRuntimeError, payload  # noqa: E402
from tengojit.stdlib import get_module_map  # noqa: E402

RULES = """
text := import("text")
threshold := 100
seen := 0
score := func(tx) {
    seen += 1
    s := 0
    if tx.amount > threshold { s += 10 }
    if text.has_prefix(tx.country, "X") { s += 5 }
    if tx.hour < 6 || tx.hour > 22 { s += 3 }
    return {id: tx.id, score: s, flagged: s >= 10, seen: seen}
}
triple := func(x) { return x * 3 + 1 }
ratio := func(x) { return x / 4.0 }
describe := func(x) { return "v" + string(x) }
pair := func(r) { return {total: r.a + r.b, diff: r.a - r.b} }
fail_on := func(r) { return 100 / (r.amount - 13) }
spin := func(r) { s := 0; for i := 0; i < r.n; i++ { s += i % 7 }; return s + r.id }
"""


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture
def rules(make_script):
    c = make_script(RULES, modules=get_module_map()).compile()
    c.run()
    return c


def _records(n, seed=1):
    rng = random.Random(seed)
    return [{"id": i, "amount": rng.randrange(0, 300), "country": rng.choice(["DE", "XK", "FR", "XA"]),
             "hour": rng.randrange(24)} for i in range(n)]


def test_bag_of_records(client, rules):
    recs = _records(500)
    score = rules.get("score")
    local = rules.context().with_isolated_globals()
    expected = local.map(score, recs)
    bag = db.from_sequence(recs, npartitions=6)
    got = tjd.map_bag(bag, score).compute()
    # ``seen`` counts within a task (isolated globals): compare everything else
    strip = [{k: v for k, v in r.items() if k != "seen"} for r in got]
    assert strip == [{k: v for k, v in r.items() if k != "seen"} for r in expected]
    # every task started from the globals as sent (seen == 0), none saw another task's writes
    parts = [d.compute() for d in tjd.map_bag(bag, score).to_delayed()]
    assert [p[0]["seen"] for p in parts] == [1] * bag.npartitions
    assert [p[-1]["seen"] for p in parts] == [len(p) for p in parts]
    # plain bag.map(closure) works too: the closure pickles as data
    assert [r["score"] for r in bag.map(score).compute()] == [r["score"] for r in expected]
    assert rules.get("seen") == 0              # the client's state was never touched


def test_dataframe_columns_and_rows(client, rules):
    pdf = pd.DataFrame({"a": np.arange(40, dtype=np.int64), "b": np.linspace(0, 1, 40)})
    df = dd.from_pandas(pdf, npartitions=4)
    ctx = rules.context()
    triple, ratio, describe = rules.get("triple"), rules.get("ratio"), rules.get("describe")
    got = tjd.map_column(df["a"], triple).compute()
    assert got.tolist() == ctx.map(triple, pdf["a"].to_numpy()).tolist()
    assert got.dtype == np.int64 and got.name == "a"
    assert tjd.map_column(df["b"], ratio).compute().tolist() == ctx.map(ratio, pdf["b"].to_numpy()).tolist()
    assert tjd.map_column(df["a"], describe, meta=("a", object)).compute().tolist() == \
        ctx.map(describe, pdf["a"].tolist())
    rows = pdf.to_dict("records")
    series = tjd.apply_rows(df, triple.ctx.get("pair"), meta={"total": "f8", "diff": "f8"}).compute()
    assert series["total"].tolist() == [r["total"] for r in ctx.map(rules.get("pair"), rows)]
    assert series.index.tolist() == pdf.index.tolist()


def test_arrays_per_block(client, rules):
    arr = np.arange(-50, 70, dtype=np.int64).reshape(8, 15)
    darr = da.from_array(arr, chunks=(3, 4))
    triple, ratio = rules.get("triple"), rules.get("ratio")
    got = tjd.map_blocks(darr, triple).compute()
    assert got.shape == arr.shape and got.dtype == np.int64
    assert got.tolist() == rules.context().map(triple, arr.reshape(-1)).reshape(arr.shape).tolist()
    f = tjd.map_blocks(da.from_array(arr.astype(np.float64), chunks=5), ratio).compute()
    assert f.tolist() == (arr / 4.0).tolist()


def test_script_errors_reach_the_client_with_their_position(client, rules):
    bag = db.from_sequence(_records(30) + [{"amount": 13, "id": 99}], npartitions=3)
    with pytest.raises(TengoRuntimeError) as info:
        tjd.map_bag(bag, rules.get("fail_on")).compute()
    assert "division by zero" in str(info.value)
    line = RULES.splitlines().index('fail_on := func(r) { return 100 / (r.amount - 13) }') + 1
    assert f"at (main):{line}:" in str(info.value)


def test_helpers_want_a_closure(rules):
    with pytest.raises(PayloadError, match="needs a Closure"):
        tjd.map_bag(db.from_sequence([1]), lambda x: x)


def test_each_worker_compiles_a_program_once(client, make_script):
    c = make_script(f"k := {random.randrange(1 << 40)}\nf := func(x) {{ return x + k }}").compile()
    c.run()
    before = client.run(payload.cache_info)
    got = tjd.map_bag(db.from_sequence(range(200), npartitions=20), c.get("f")).compute()
    assert got == [x + c.get("k") for x in range(200)]
    after = client.run(payload.cache_info)
    compiles = {w: after[w]["compiles"] - before[w]["compiles"] for w in after}
    hits = sum(after[w]["hits"] - before[w]["hits"] for w in after)
    assert all(n <= 1 for n in compiles.values()) and sum(compiles.values()) >= 1
    assert hits + sum(compiles.values()) >= 20        # one load per task


def test_a_worker_killed_mid_computation_changes_nothing(client, rules, tier):
    # long enough per partition that the kill lands while tasks are running
    n = 300_000 if tier == "baseline" else 30_000_000
    recs = [{"id": i, "n": n} for i in range(24)]
    spin = rules.get("spin")
    base = rules.context().with_isolated_globals().map(spin, [{"id": 0, "n": n}])[0]
    expected = [base + r["id"] for r in recs]
    futures = client.compute(tjd.map_bag(db.from_sequence(recs, npartitions=12), spin).to_delayed())
    pids = client.run(os.getpid)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline:
        busy = {w: tasks for w, tasks in client.processing().items() if tasks}
        done = sum(f.status == "finished" for f in futures)
        if busy and 0 < done < len(futures):
            victim = next(iter(busy))
        time.sleep(0.01)
    assert victim is not None, "no moment with finished and running tasks at once"
    os.kill(pids[victim], signal.SIGKILL)
    wait(futures, timeout=120)
    got = [x for f in futures for x in f.result()]
    assert got == expected
    assert pids[victim] not in client.run(os.getpid).values()


def test_the_scale_out_guide_runs(client):
    """Every ```python block of docs/scale-out.md runs, in order, in one namespace (blocks
    marked ``no-run`` need a remote scheduler: they are shown, not run)."""
    doc = Path(__file__).resolve().parent.parent / "docs" / "scale-out.md"
    text = doc.read_text(encoding="utf-8")
    blocks = [(text.count("\n", 0, m.start()) + 1, m.group(1))
              for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)]
    assert blocks
    namespace = {"__name__": "__main__"}
    for line, code in blocks:
        exec(compile("\n" * line + code, str(doc), "exec"), namespace)
