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


def test_times_only_on_fixed_instants_and_no_os():
    text = "".join(generator.generate(s) for s in range(60))
    assert 'import("os")' not in text
    assert "times.time_year(" in text or "times.sub(" in text or "times.time_string(" in text
    for clock in ("times.now", "times.since", "times.until", "times.sleep", "times.to_local"):
        assert clock not in text, clock
