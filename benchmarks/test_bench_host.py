"""Host-API programs: Python calling Tengo closures, per tier, beside the same closure in CPython.

The setup script is compiled and run once per test (not timed); one op is the seed's work:

    test_ClosureHostAPIExecution_tengo[tier]    1000 x ctx.call(add_five, i) on one context
    test_ClosureDirectAPIExecution_tengo[tier]  1000 x add_five.call_with_globals(G, i)
    test_ClosureIsolatedContext_tengo[tier]     ctx.with_isolated_globals(), then 1000 calls on it
    test_NestedClosures_tengo[tier]             100 x ctx.call chains nested_fn(200)(300)(400)
    test_ClosureComplexDataTypes_tengo[tier]    1000 x ctx.call(processor, "test")
    test_ClosureHostAPIBatch_tengo[tier]        one ctx.map(add_five, range(1000)) (jit: np.arange)

each paired with ``test_<name>_cpython`` (the same closure as a Python closure, called from a
Python loop) in the benchmark group ``<name>``. ``test_ClosureHostAPIExecution_numba`` (numba
``@njit`` add_five from a Python loop) joins the first group when numba is importable: the peer
of the "single host call, JIT on" requirement. Every test checks the op's result
(e.g. add_five(999) == 1014).
"""
from __future__ import annotations

import pytest

from pairs import benchmark_pair
from programs import HOST, numba_bench

for _name in HOST:
    globals()[f"test_{_name}_tengo"], globals()[f"test_{_name}_cpython"] = benchmark_pair(_name)
del _name


@pytest.mark.benchmark(group="ClosureHostAPIExecution")
def test_ClosureHostAPIExecution_numba(benchmark):
    b = numba_bench()
    if b is None:
        pytest.skip("numba is not importable")
    result = benchmark(b.op)
    assert b.check(result)
