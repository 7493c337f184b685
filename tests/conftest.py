"""Test-wide configuration: the execution tiers, in one place.

Every behaviour test runs once per tier. A test asks for the ``tier`` fixture (parametrized
here over ``TIERS``) and builds its scripts with the ``make_script`` fixture, or calls
``make_script(src, tier, **kw)`` from this module's fixture. Tiers: ``baseline``, and ``jit``
whenever ``tengojit.jit.available()`` returns True (JIT forced on with threshold 0, so every
function runs natively where the JIT can take it).

The conformance suite (``tests/conformance``) reads the same list and helper from
``config.tengojit_tiers`` / ``config.tengojit_make_script`` because it needs the tiers while
collecting (its test ids are ``<tier>:<case id>``).

JIT tests that count calls to a threshold expect the code installed when the counted call
returns: the suite compiles on the spot (``TENGOJIT_JIT_BACKGROUND=0``, inherited by the
commands tests start) unless a test asks for the background compiler itself
(``tests/jit/test_background.py``). The native code cache the command uses by default lives
in a temporary directory of the session's (``TENGOJIT_CACHE_DIR``).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

os.environ.setdefault("TENGOJIT_JIT_BACKGROUND", "0")
# the command caches native code on disk by default: the suite's runs (and the commands it
# starts) use a directory of their own, removed when the session ends
if "TENGOJIT_CACHE_DIR" not in os.environ:
    _cache_dir = tempfile.mkdtemp(prefix="tengojit-test-cache-")
    os.environ["TENGOJIT_CACHE_DIR"] = _cache_dir
    atexit.register(shutil.rmtree, _cache_dir, True)

from helpers import TIER_OPTIONS, make_script  # noqa: F401 - the tiers, defined once


def available_tiers() -> list[str]:
    """The tiers this checkout can run: baseline always, jit when tengojit.jit says so."""
    tiers = ["baseline"]
    try:
        import tengojit.jit as jit
    except Exception:  # pragma: no cover - the package is always importable
        return tiers
    available = getattr(jit, "available", None)
    try:
        if callable(available) and available() is True:
            tiers.append("jit")
    except Exception:
        pass
    return tiers


TIERS = available_tiers()


def pytest_configure(config):
    # for suites that need the tiers at collection time (tests/conformance)
    config.tengojit_tiers = list(TIERS)
    config.tengojit_make_script = make_script


def pytest_generate_tests(metafunc):
    # Any test taking a `tier` argument runs once per tier (unless it parametrizes tier itself).
    if "tier" in metafunc.fixturenames and not _parametrizes(metafunc, "tier"):
        metafunc.parametrize("tier", TIERS)


def _parametrizes(metafunc, name) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        if isinstance(argnames, str):
            argnames = [a.strip() for a in argnames.split(",")]
        if name in argnames:
            return True
    return False


@pytest.fixture(name="make_script")
def make_script_fixture(tier):
    """``make_script(src, **kw)``: a Script for the test's tier."""
    def make(src, **kw):
        return make_script(src, tier, **kw)
    return make


def pytest_report_header(config):
    return f"tengojit tiers: {', '.join(TIERS)}"
