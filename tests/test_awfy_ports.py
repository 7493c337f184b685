"""The Are-We-Fast-Yet ports (benchmarks/awfy/*.tengo) verify their results on both tiers.

Each port defines ``inner_benchmark_loop(n)``, true when every iteration's result matched the
suite's expected value. Inner counts here are the smallest the suite verifies; the two heaviest
ports (Havlak, CD: seconds per iteration on the baseline tier) run in the slow suite.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tengojit.stdlib import get_module_map

PORTS = Path(__file__).resolve().parents[1] / "benchmarks" / "awfy"

# benchmark -> (inner count, slow?)
INNER = {
    "bounce": (2, False), "list": (2, False), "mandelbrot": (1, False), "nbody": (1, False),
    "permute": (2, False), "queens": (2, False), "sieve": (2, False), "storage": (1, False),
    "towers": (2, False), "richards": (1, False), "deltablue": (20, False), "json": (1, False),
    "havlak": (1, True), "cd": (100, True),
}


def cases():
    for name, (inner, slow) in INNER.items():
        marks = [pytest.mark.slow] if slow else []
        yield pytest.param(name, inner, id=name, marks=marks)


def test_every_port_is_listed():
    assert sorted(p.stem for p in PORTS.glob("*.tengo")) == sorted(INNER)


def load(make_script, src, name):
    s = make_script(src, name=f"{name}.tengo")
    s.set_imports(get_module_map("math", "fmt", "text", "times"))
    return s.compile()


@pytest.mark.parametrize("name, inner", list(cases()))
def test_port_verifies(make_script, name, inner):
    src = (PORTS / f"{name}.tengo").read_text()
    c = load(make_script, src + f"\nout := inner_benchmark_loop({inner})\n", name)
    c.run()
    assert c.get("out") is True


@pytest.mark.parametrize("name", ["bounce", "queens", "richards"])
def test_port_loads_without_running(make_script, name):
    # only definitions at top level: loading a port does no benchmark work
    c = load(make_script, (PORTS / f"{name}.tengo").read_text(), name)
    c.run()
    assert c.get("inner_benchmark_loop") is not None
