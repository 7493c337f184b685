"""The generator's own contract (runs without the reference)."""
from __future__ import annotations

import re

from . import generator


def test_deterministic():
    for mode in ("general", "hot"):
        assert generator.generate(5, mode) == generator.generate(5, mode)
        assert generator.generate(5, mode) != generator.generate(6, mode)


def test_no_transcendental_math_by_default():
    text = "".join(generator.generate(s) + generator.generate(s, "hot") for s in range(60))
    used = set(re.findall(r"math\.(\w+)\(", text))
    assert not used & set(generator.INEXACT_MATH1 + generator.INEXACT_MATH2)


def test_no_time_or_os():
    text = "".join(generator.generate(s) for s in range(60))
    assert 'import("times")' not in text and 'import("os")' not in text
