"""The background compiler: hot code compiles on a worker thread while the script runs on.

The rest of the suite compiles on the spot (``TENGOJIT_JIT_BACKGROUND=0``, tests/conftest.py);
these tests turn the worker on and check that it changes no result, that code compiled while
the script ran is used from then on (calls, loop entries, on-stack replacement retried while
the compile is queued), and that a process ending with a compile under way exits cleanly.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.jit import background
from tengojit.stdlib import get_module_map

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

PORTS = Path(__file__).resolve().parents[2] / "benchmarks" / "awfy"


def by_name(compiled, name):
    for r in jit.stats(compiled.program):
        if r["name"] == name:
            return r
    return None


def test_call_counted_past_threshold_runs_baseline_then_native():
    c = Script("""
f := func(x) { return x * 3 + 1 }
""", jit=True, jit_threshold=5, jit_background=True).compile().run()
    ctx, f = c.context(), c.get("f")
    assert [ctx.call(f, i) for i in range(20)] == [i * 3 + 1 for i in range(20)]
    assert jit.wait(60)
    r = by_name(c, "f")
    assert r["state"] == "compiled", r
    assert ctx.call(f, 7) == 22


def test_a_job_submitted_first_runs_before_those_queued():
    gate = threading.Event()
    order = []
    assert jit.wait(60)
    background.submit(lambda: gate.wait(30))          # holds the worker while the rest queue
    background.submit(lambda: order.append("queued"))
    background.submit(lambda: order.append("first"), first=True)
    gate.set()
    assert jit.wait(60)
    assert order == ["first", "queued"]


def test_the_hottest_queued_job_runs_next():
    # heat is read when the worker takes a job: here ``warm`` heats up after it was queued
    gate = threading.Event()
    order, heat = [], {"cold": 1, "warm": 0, "hot": 5}
    assert jit.wait(60)
    background.submit(lambda: gate.wait(30))
    for name in ("cold", "warm", "hot"):
        background.submit(lambda n=name: order.append(n), heat=lambda n=name: heat[n])
    background.submit(lambda: order.append("plain"))          # no heat: counts as 0
    background.submit(lambda: order.append("broken"), heat=lambda: 1 / 0)   # counts as 0
    heat["warm"] = 9
    gate.set()
    assert jit.wait(60)
    assert order == ["warm", "hot", "cold", "plain", "broken"]


def test_a_hot_loop_queued_behind_lukewarm_functions_is_compiled_first():
    # many functions become hot at once, then a long loop: compiled hottest first, the loop
    # (asking again and again at its OSR checks) goes ahead of the functions called once more
    fns = "\n".join(f"f{i} := func(x) {{ return x + {i} }}" for i in range(8))
    src = fns + """
for r := 0; r < 3; r++ {
""" + "\n".join(f"    f{i}(r)" for i in range(8)) + """
}
total := 0
for i := 0; i < 3000000; i++ { total += i % 7 }
"""
    gate = threading.Event()
    assert jit.wait(60)
    background.submit(lambda: gate.wait(30))
    c = Script(src, jit=True, jit_threshold=2, jit_background=True).compile()
    done = []
    real = background._take

    def take():
        job = real()
        func = getattr(job, "func", None)
        done.append(getattr(func, "__name__", "?"))
        return job
    background._take = take
    try:
        t = threading.Timer(0.3, gate.set)
        t.start()
        c.run()
        t.join()
        assert jit.wait(60)
    finally:
        background._take = real
    assert c.get("total") == sum(i % 7 for i in range(3000000))
    assert "_build_loop" in done, done
    first_build = [d for d in done if d.startswith("_build")][0]
    assert first_build == "_build_loop", done


def test_osr_asks_again_while_the_loop_is_queued():
    # the worker is held by a gate job, so the loop's region waits in the queue when its run
    # reaches the OSR check (iteration 500): the check must come back after 500 more, by
    # when the host has let the compile through and waited for it
    gate = threading.Event()
    assert jit.wait(60)
    background.submit(lambda: gate.wait(30))

    def hook(i):
        if i == 700:
            gate.set()
            jit.wait(60)
        return 0

    src = """
total := 0
for i := 0; i < 20000; i++ {
    if i == 700 { hook(i) }
    total += i % 7
}
"""
    s = Script(src, jit=True, jit_threshold=1000, jit_background=True)
    s.add("hook", hook)
    c = s.compile().run()
    assert c.get("total") == sum(i % 7 for i in range(20000))
    loops = [r for r in jit.stats(c.program) if r["kind"] == "loop"]
    assert len(loops) == 1 and loops[0]["state"] == "compiled", loops
    assert loops[0]["osr"] == 1, loops


def test_function_loop_osr_asks_again_while_queued():
    gate = threading.Event()
    assert jit.wait(60)
    background.submit(lambda: gate.wait(30))

    def hook(i):
        gate.set()
        jit.wait(60)
        return 0

    src = """
work := func(n) {
    s := 0
    for i := 0; i < n; i++ {
        if i == 700 { hook(i) }
        s += i * 2
    }
    return s
}
out := work(30000)
"""
    s = Script(src, jit=True, jit_threshold=1000, jit_background=True)
    s.add("hook", hook)
    c = s.compile().run()
    assert c.get("out") == sum(i * 2 for i in range(30000))
    loops = [r for r in jit.stats(c.program) if r["kind"] == "loop"]
    assert loops and loops[0]["state"] == "compiled" and loops[0]["osr"] == 1, loops


@pytest.mark.parametrize("name, inner", [("richards", 1), ("deltablue", 20), ("json", 1),
                                         ("queens", 2), ("list", 2)])
def test_ports_verify_while_compiling_in_the_background(name, inner):
    # low thresholds: dozens of functions and loops compile and install while the ports run
    src = (PORTS / f"{name}.tengo").read_text()
    src += f"\nout := inner_benchmark_loop({inner}) && inner_benchmark_loop({inner})\n"
    s = Script(src, name=f"{name}.tengo", jit=True, jit_threshold=3, jit_background=True)
    s.set_imports(get_module_map("math", "fmt", "text", "times"))
    c = s.compile().run()
    assert c.get("out") is True
    assert jit.wait(120)
    assert any(r["state"] == "compiled" for r in jit.stats(c.program))


def test_threshold_zero_compiles_on_the_spot():
    c = Script("f := func(x) { return x + 1 }\nout := f(1)", jit=True, jit_threshold=0,
               jit_background=True).compile().run()
    assert c.get("out") == 2
    assert by_name(c, "f")["state"] == "compiled"


def _cli(args, src, tmp_path, **env):
    prog = tmp_path / "prog.tengo"
    prog.write_text(src)
    e = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-m", "tengojit", *args, str(prog)], env=e,
                          capture_output=True, text=True, timeout=300)


HOT = """
fmt := import("fmt")
f := func(x) { return x % 13 + x / 7 }
s := 0
for i := 0; i < 30000; i++ { s += f(i) }
fmt.println(s)
"""


def test_cli_background_default_and_sync_flag_agree(tmp_path):
    want = str(sum(i % 13 + i // 7 for i in range(30000)))
    bg = _cli([], HOT, tmp_path, TENGOJIT_JIT_BACKGROUND="1")
    sync = _cli(["-jit-sync"], HOT, tmp_path, TENGOJIT_JIT_BACKGROUND="1")
    for r in (bg, sync):
        assert (r.returncode, r.stdout.strip(), r.stderr) == (0, want, "")


def test_cli_exits_cleanly_with_a_compile_under_way(tmp_path):
    # the program ends right after its loops and functions got hot: the process must wait
    # for the compile under way, drop the rest and exit normally
    src = "\n".join(f"g{k} := func(x) {{ return x * {k} + {k} }}" for k in range(40))
    src += "\nout := 0\n"
    src += "\n".join(f"for i := 0; i < 4; i++ {{ out += g{k}(i) }}" for k in range(40))
    src += "\nfmt := import(\"fmt\")\nfmt.println(out)\n"
    r = _cli(["-jit-threshold", "2"], src, tmp_path, TENGOJIT_JIT_BACKGROUND="1")
    want = sum(i * k + k for k in range(40) for i in range(4))
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, str(want), "")


def test_cli_exit_while_compiling_keeps_what_the_script_wrote(tmp_path):
    # the command abandons a compile under way (os._exit after flushing): files the script
    # wrote through the os module and its printed output are complete
    target = tmp_path / "out.txt"
    src = "\n".join(f"g{k} := func(x) {{ return x * {k} + {k} }}" for k in range(40))
    src += "\nout := 0\n"
    src += "\n".join(f"for i := 0; i < 4; i++ {{ out += g{k}(i) }}" for k in range(40))
    src += f"""
os := import("os")
fmt := import("fmt")
f := os.create("{target}")
for i := 0; i < 1000; i++ {{ f.write_string(fmt.sprintf("%d ", i)) }}
f.close()
for i := 0; i < 2000; i++ {{ fmt.println(i) }}
"""
    r = _cli(["-jit-threshold", "2"], src, tmp_path, TENGOJIT_JIT_BACKGROUND="1")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.split() == [str(i) for i in range(2000)]
    assert target.read_text().split() == [str(i) for i in range(1000)]


def test_auto_compiles_on_the_spot_within_the_budget_then_in_the_background(monkeypatch):
    from tengojit.jit import dispatch
    src = "f := func(x) { return x * 3 + 1 }\ng := func(x) { return x * 5 - 1 }"
    c = Script(src, jit=True, jit_threshold=5, jit_background="auto").compile().run()
    ctx, f, g = c.context(), c.get("f"), c.get("g")
    assert c.program.jit_background == "auto"
    assert jit.wait(60)
    # a fresh program and an idle worker: on the spot, so the sixth call already runs natively
    assert not dispatch.background_compiles(c.program)
    assert [ctx.call(f, i) for i in range(6)] == [i * 3 + 1 for i in range(6)]
    assert by_name(c, "f")["state"] == "compiled"
    assert c.program.state.jit_spot_ms > 0
    # past the budget: to the worker
    monkeypatch.setattr(dispatch, "SPOT_BUDGET_MS", -1e9)
    assert dispatch.background_compiles(c.program)
    gate = threading.Event()
    background.submit(lambda: gate.wait(30))         # the worker busy: g waits in its queue
    try:
        assert [ctx.call(g, i) for i in range(6)] == [i * 5 - 1 for i in range(6)]
        assert by_name(c, "g")["state"] == "queued"
    finally:
        gate.set()
    assert jit.wait(60)
    assert by_name(c, "g")["state"] == "compiled"


def test_auto_leaves_a_compile_to_the_worker_while_the_worker_is_busy():
    from tengojit.jit import dispatch
    c = Script("f := func(x) { return x }", jit=True, jit_threshold=5,
               jit_background="auto").compile().run()
    gate = threading.Event()
    assert jit.wait(60)
    background.submit(lambda: gate.wait(30))
    try:
        assert dispatch.background_compiles(c.program)
    finally:
        gate.set()
    assert jit.wait(60)
    assert not dispatch.background_compiles(c.program)


def test_the_environment_and_the_command_choose_the_mode(monkeypatch):
    from tengojit.jit import background_by_default
    monkeypatch.delenv("TENGOJIT_JIT_BACKGROUND", raising=False)
    assert background_by_default() is True
    assert background_by_default(default="auto") == "auto"
    for value, mode in (("0", False), ("off", False), ("1", True), ("auto", "auto"),
                        (" AUTO ", "auto")):
        monkeypatch.setenv("TENGOJIT_JIT_BACKGROUND", value)
        assert background_by_default(default="auto") == mode
        assert Script("x := 1").jit_background == mode


def test_the_command_runs_in_auto_mode_by_default(tmp_path, monkeypatch):
    from tengojit import cli
    seen = []
    real = cli.run_file

    def spy(*args, **kw):
        seen.append(kw.get("jit_background"))
        return real(*args, **kw)
    monkeypatch.setattr(cli, "run_file", spy)
    monkeypatch.delenv("TENGOJIT_JIT_BACKGROUND", raising=False)
    p = tmp_path / "p.tengo"
    p.write_text("x := 1\n")
    assert cli.main([str(p)]) == 0
    assert cli.main(["-jit-sync", str(p)]) == 0
    assert seen == ["auto", False]
