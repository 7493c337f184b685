"""The stdlib suites run on both tiers: their module helpers build scripts for
``helpers.current_tier``, set here for each test (the ``tier`` fixture parametrizes it)."""
from __future__ import annotations

import pytest

import helpers


@pytest.fixture(autouse=True)
def _tier_for_helpers(tier):
    helpers.current_tier = tier
    yield
    helpers.current_tier = "baseline"
