"""Inline programs, Tengo (per tier) side by side with the same program in plain CPython.

Pairs share a benchmark group, so pytest-benchmark prints them together:

    group fib27:                   test_fib27_tengo[baseline]   test_fib27_cpython
    group ClosureInlineExecution:  test_ClosureInlineExecution_tengo[baseline]
                                   test_ClosureInlineExecution_cpython

One op = one full run of the compiled program (compilation is not timed).
"""
from __future__ import annotations

import pytest

from programs import EXPECTED_OUT, TIERS, compile_cpython, compile_tengo


@pytest.mark.benchmark(group="fib27")
@pytest.mark.parametrize("tier", TIERS)
def test_fib27_tengo(benchmark, tier):
    compiled = compile_tengo("fib27", tier)
    benchmark(compiled.run)
    assert compiled.get("out") == EXPECTED_OUT["fib27"]


@pytest.mark.benchmark(group="fib27")
def test_fib27_cpython(benchmark):
    run_once = compile_cpython("fib27")
    g = benchmark(run_once)
    assert g["out"] == EXPECTED_OUT["fib27"]


@pytest.mark.benchmark(group="ClosureInlineExecution")
@pytest.mark.parametrize("tier", TIERS)
def test_ClosureInlineExecution_tengo(benchmark, tier):
    compiled = compile_tengo("ClosureInlineExecution", tier)
    benchmark(compiled.run)
    assert compiled.get("add_five") is not None


@pytest.mark.benchmark(group="ClosureInlineExecution")
def test_ClosureInlineExecution_cpython(benchmark):
    run_once = compile_cpython("ClosureInlineExecution")
    g = benchmark(run_once)
    assert g["result"] == 999 + 5 + 10
