"""``Script.set_max_allocs`` with the JIT on: native code counts allocations at exactly the
points the baseline tier does, so a budget stops a run at the same operation, with the same
output before it, on both tiers.

Random programs of the differential fuzzer's generator (both modes; the hot one runs its
kernels thousands of times, compiled) are run on the baseline tier with a large budget to learn
how many allocations they make, then with budgets around and below that count on the baseline
tier and with the JIT forced: stdout, the error and its position must agree.
``TENGOJIT_MAX_ALLOCS_SEEDS`` sets the programs per mode (5 by default; 20 more in the slow suite).
"""
from __future__ import annotations

import contextlib
import io
import os

import pytest

from tengojit import Script, TengoError
from tests.differential.generator import generate

SEEDS = int(os.environ.get("TENGOJIT_MAX_ALLOCS_SEEDS", "5"))
LARGE = 10 ** 12


def outcome(src, budget, jit):
    s = Script(src, jit=jit, jit_threshold=0, jit_background=False)
    s.set_max_allocs(budget)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            c = s.compile()
            c.run(timeout=60)
            return out.getvalue(), "ok", c.G[-1][0]
        except TengoError as e:
            return out.getvalue(), str(e).splitlines()[0], getattr(e, "trace", [])[:1]


def check_program(src):
    _, status, left = outcome(src, LARGE, jit=False)
    if status != "ok":
        used = None
    else:
        used = LARGE + 1 - left
    budgets = {1, 2, 3, 50} if used is None else {
        b for b in (1, 2, 3, used // 7, used // 3, used // 2, used - 1, used, used + 1) if b > 0}
    for budget in sorted(budgets):
        base = outcome(src, budget, jit=False)
        native = outcome(src, budget, jit=True)
        assert native == base, f"budget {budget}:\n{src}\nbaseline {base}\njit {native}"


@pytest.mark.parametrize("mode", ["general", "hot"])
def test_both_tiers_count_alike(mode):
    for seed in range(900_000, 900_000 + SEEDS):
        check_program(generate(seed, mode, math_funcs=True))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["general", "hot"])
def test_both_tiers_count_alike_slow(mode):
    for seed in range(910_000, 910_020):
        check_program(generate(seed, mode, math_funcs=True))


def test_a_counted_loop_runs_natively():
    src = "f := func(n) { s := 0; for i := 0; i < n; i++ { s += i * 2 }; return s }\nx := f(10)\ny := f(100000)"
    s = Script(src, jit=True, jit_threshold=0, jit_background=False)
    s.set_max_allocs(10 ** 9)
    c = s.compile()
    c.run()
    from tengojit import jit
    rec = next(r for r in jit.stats(c.program) if r["name"] == "f")
    assert rec["state"] == "compiled"
    assert c.get("y") == 9999900000
    assert outcome(src, 150_000, jit=True)[1] == "Runtime Error: allocation limit exceeded"
