"""Collection of the conformance corpus and the pass-rate summary.

The corpus is ``tests/conformance/data/*.jsonl`` (the reference Tengo's own test expectations,
shipped with the tests: see ``data/NOTICE.md``); ``TENGOJIT_CONFORMANCE_DIR`` overrides the
directory. Each case becomes ``test_case[<tier>:<case id>]`` for every tier in
``config.tengojit_tiers`` (set by ``tests/conftest.py``). Without a corpus there is a single
``test_case[corpus-missing]`` that skips, naming the directory it looked in.

At the end of a run, the terminal summary prints per tier and corpus file how many of the
*representable* cases (no host objects, no ``requires``) passed.
"""
from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

CORPUS_DIR = Path(os.environ.get("TENGOJIT_CONFORMANCE_DIR")
                  or Path(__file__).resolve().parent / "data")
CORPUS_FILES = ["vm", "builtins", "stdlib"]  # the README's order; other *.jsonl files follow


def load_cases(directory: Path = CORPUS_DIR):
    """All cases of the corpus, in file order; [] when the corpus is absent."""
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.jsonl"),
                   key=lambda p: (CORPUS_FILES.index(p.stem) if p.stem in CORPUS_FILES
                                  else len(CORPUS_FILES), p.stem))
    cases = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    case = json.loads(line)
                    case["_file"] = path.stem
                    cases.append(case)
    return cases


CASES = load_cases()
REPRESENTABLE = {c["id"]: c["_file"] for c in CASES
                 if not c.get("host_objects") and not c.get("requires")}


def pytest_generate_tests(metafunc):
    if "case" not in metafunc.fixturenames or "case_tier" not in metafunc.fixturenames:
        return
    if not CASES:
        metafunc.parametrize(("case_tier", "case"), [pytest.param(
            None, None, id="corpus-missing", marks=pytest.mark.skip(
                reason=f"conformance corpus not found at {CORPUS_DIR} "
                       "(set TENGOJIT_CONFORMANCE_DIR)"))])
        return
    tiers = metafunc.config.tengojit_tiers
    metafunc.parametrize(("case_tier", "case"), [(t, c) for t in tiers for c in CASES],
                         ids=[f"{t}:{c['id']}" for t in tiers for c in CASES])


# -- pass-rate summary ------------------------------------------------------------------------

_ID = re.compile(r"test_case\[([A-Za-z0-9_]+):([^\]]+)\]")
_passed: dict[str, set] = defaultdict(set)   # tier -> case ids that passed
_seen: dict[str, set] = defaultdict(set)     # tier -> case ids that ran (any outcome)


def pytest_runtest_logreport(report):
    m = _ID.search(report.nodeid)
    if not m:
        return
    tier, cid = m.groups()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _seen[tier].add(cid)
        if report.when == "call" and report.outcome == "passed":
            _passed[tier].add(cid)
        else:
            _passed[tier].discard(cid)
    elif report.when == "teardown" and report.outcome != "passed":
        _passed[tier].discard(cid)


def pytest_terminal_summary(terminalreporter):
    if not _seen:
        return
    tr = terminalreporter
    tr.section("tengojit conformance (representable cases passed)")
    for tier in sorted(_seen):
        parts = []
        for stem in CORPUS_FILES + sorted({f for f in REPRESENTABLE.values()} - set(CORPUS_FILES)):
            ids = [i for i, f in REPRESENTABLE.items() if f == stem]
            ran = [i for i in ids if i in _seen[tier]]
            if not ran:
                continue
            n = sum(1 for i in ids if i in _passed[tier])
            parts.append(f"{stem} {n}/{len(ids)} ({n / len(ids):.1%})")
        if parts:
            tr.write_line(f"{tier}: " + ", ".join(parts))
