"""Inline programs (the seed's, plus fib27): Tengo per tier side by side with plain CPython.

One test pair per program, sharing a benchmark group so pytest-benchmark prints them together:

    group BasicFunctionCall:  test_BasicFunctionCall_tengo[baseline]   test_BasicFunctionCall_cpython
    group ArrayIndex:         test_ArrayIndex_tengo[baseline]          test_ArrayIndex_cpython
    …                         (ArrayIndexCompare, ClosureInlineExecution, fib27)

One op = one full run of the compiled program (compilation is not timed); the CPython peer
``exec``s the same program, compiled once, in a fresh globals dict. Each test also checks the
op's result, so a broken benchmark fails instead of timing nothing. Definitions:
programs.py and docs/benchmarks.md.
"""
from __future__ import annotations

import pytest

from programs import EXTRA, INLINE, TIERS, cpython_bench, tengo_bench


def _pair(name):
    @pytest.mark.benchmark(group=name)
    @pytest.mark.parametrize("tier", TIERS)
    def test_tengo(benchmark, tier):
        b = tengo_bench(name, tier)
        result = benchmark(b.op)
        assert b.check(result), f"{name}[{tier}] computed the wrong result"

    @pytest.mark.benchmark(group=name)
    def test_cpython(benchmark):
        b = cpython_bench(name)
        result = benchmark(b.op)
        assert b.check(result), f"{name}[cpython] computed the wrong result"

    test_tengo.__name__ = f"test_{name}_tengo"
    test_cpython.__name__ = f"test_{name}_cpython"
    return test_tengo, test_cpython


for _name in INLINE + EXTRA:
    globals()[f"test_{_name}_tengo"], globals()[f"test_{_name}_cpython"] = _pair(_name)
del _name
