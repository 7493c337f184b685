"""The JIT against numba as pytest-benchmark tests (small versions of run.py's JIT peers).

    group fib35:      test_fib35_jit            one ctx.call(fib, 35) on the JIT tier (warmed up)
                      test_fib35_numba          one @njit fib(35)
    group host_call:  test_host_call_bound      1000 x f(i), f = ctx.bind(add_five)   (JIT tier)
                      test_host_call_ctx_call   1000 x call(add_five, i), call = ctx.call (JIT tier)
                      test_host_call_numba      1000 x f(i), f an @njit closure x + y + 10

fib35 runs few rounds (pedantic, 5 x 1 call, one warm-up round): a call takes tens of ms. Every
test checks its result. The JIT tests skip while ``tengojit.jit.available()`` is False, the numba
ones when numba is not importable. Definitions: jitpeers.py and docs/benchmarks.md.
"""
from __future__ import annotations

import pytest

import jitpeers
import programs

JIT = "jit" in programs.TIERS
needs_jit = pytest.mark.skipif(not JIT, reason="the JIT tier is not available")
N = 1000


def _numba_njit():
    try:
        from numba import njit
    except Exception:
        pytest.skip("numba is not importable")
    return njit


def _tengo(src):
    from tengojit import Script
    compiled = Script(src, jit=True, jit_threshold=0).compile()
    compiled.run()
    return compiled, compiled.context()


@needs_jit
@pytest.mark.benchmark(group="fib35")
def test_fib35_jit(benchmark):
    compiled, ctx = _tengo(jitpeers.FIB_SRC_TENGO)
    fib = compiled.get("fib")
    for _ in range(3):
        ctx.call(fib, 20)
    r = benchmark.pedantic(ctx.call, args=(fib, 35), rounds=5, iterations=1, warmup_rounds=1)
    assert r == jitpeers.fib_value(35)


@pytest.mark.benchmark(group="fib35")
def test_fib35_numba(benchmark):
    g = {"njit": _numba_njit()}
    exec("@njit(cache=False)\n" + jitpeers.FIB_SRC_PY, g)
    fib = g["fib"]
    fib(20)
    r = benchmark.pedantic(fib, args=(35,), rounds=5, iterations=1, warmup_rounds=1)
    assert r == jitpeers.fib_value(35)


def _adder():
    compiled, ctx = _tengo(programs.SETUPS["adder"][0])
    add_five = compiled.get("add_five")
    for i in range(300):
        ctx.call(add_five, i)
    return ctx, add_five


def _loop(f):
    def op():
        r = None
        for i in range(N):
            r = f(i)
        return r
    return op


@needs_jit
@pytest.mark.benchmark(group="host_call")
def test_host_call_bound(benchmark):
    ctx, add_five = _adder()
    assert benchmark(_loop(ctx.bind(add_five))) == 999 + 15


@needs_jit
@pytest.mark.benchmark(group="host_call")
def test_host_call_ctx_call(benchmark):
    ctx, add_five = _adder()
    call = ctx.call

    def op():
        r = None
        for i in range(N):
            r = call(add_five, i)
        return r
    assert benchmark(op) == 999 + 15


@pytest.mark.benchmark(group="host_call")
def test_host_call_numba(benchmark):
    _numba_njit()
    assert benchmark(_loop(programs.numba_adder())) == 999 + 15
