"""Generated programs must behave the same on the reference and on tengojit.

Needs the reference CLI: set ``TENGO_REF`` to its path (else every test here is skipped).
The default run checks a fixed set of seeds per mode (about a minute on two cores); the
``slow`` run checks many more. A failure message carries the minimised program.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from . import generator, oracle
from .fuzz import shrink

REF = oracle.ref_path()
pytestmark = pytest.mark.skipif(not REF or not os.path.exists(REF),
                                reason="TENGO_REF is not set to the reference tengo CLI")

FAST = {"general": range(1, 15), "hot": range(1, 11)}
SLOW = {"general": range(100, 400), "hot": range(100, 400)}


def _check(mode: str, seed: int) -> None:
    text = generator.generate(seed, mode)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"{mode}_{seed}.tengo"
        path.write_text(text)
        v = oracle.compare(str(path), ref=REF)
        if v.kind == "skip":
            pytest.skip(f"reference unusable: {v.reason}")
        assert not v.ref.stderr1.startswith(("Parse Error", "Compile Error")), \
            f"generator bug (seed {seed}): {v.ref.stderr1}\n{text}"
        if v.kind == "mismatch":
            small = shrink(text, v, path, REF, budget=60)
            pytest.fail(f"{mode} seed {seed} mismatches\n{v.describe()}\nminimised:\n{small}")


@pytest.mark.parametrize("mode,seed", [(m, s) for m, r in FAST.items() for s in r])
def test_fast(mode, seed):
    _check(mode, seed)


@pytest.mark.slow
@pytest.mark.parametrize("mode,seed", [(m, s) for m, r in SLOW.items() for s in r])
def test_slow(mode, seed):
    _check(mode, seed)
