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

from pairs import benchmark_pair
from programs import EXTRA, INLINE

for _name in INLINE + EXTRA:
    globals()[f"test_{_name}_tengo"], globals()[f"test_{_name}_cpython"] = benchmark_pair(_name)
del _name
