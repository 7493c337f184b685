"""The pytest-benchmark pair for one benchmark: its Tengo test (per tier) and its CPython peer,
in one benchmark group, each asserting the op's own result."""
from __future__ import annotations

import pytest

from programs import TIERS, cpython_bench, tengo_bench


def benchmark_pair(name):
    """(test_<name>_tengo, test_<name>_cpython) for a test module's globals."""
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
