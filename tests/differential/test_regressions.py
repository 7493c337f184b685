"""Replay the recorded mismatches (regressions/NAME.tengo + NAME.expected.json) on tengojit.

Runs always: no reference binary is needed, its behaviour is recorded in the JSON (stdout,
exit status, first stderr line). Each case runs tengojit with the JIT off and forced on.
Cases for bugs not fixed yet fail until they are -- that is the point of the corpus.
"""
from __future__ import annotations

import os

import pytest

from . import oracle, regressions


@pytest.mark.parametrize("config", list(oracle.TENGOJIT_CONFIGS))
@pytest.mark.parametrize("name", regressions.cases())
def test_regression(name, config):
    path, expected = regressions.load(name)
    cwd = os.getcwd()
    os.chdir(regressions.REPO)   # the recorded run used the repo-relative path
    try:
        got = oracle.run(oracle.tengojit_cmd(config), regressions.rel(path), timeout=120)
    finally:
        os.chdir(cwd)
    exp = oracle.Result(expected["stdout"], expected["status"], expected["stderr_first_line"],
                        where=expected.get("where"))
    assert not oracle.diff_fields(exp, got), (
        f"{name} [{config}] differs from the reference"
        + (f" ({expected['note']})" if expected.get("note") else "")
        + f"\nexpected status={exp.status} stderr={exp.stderr1!r} at {exp.where}\n  got "
          f"status={got.status} stderr={got.stderr1!r} at {got.where}\nexpected stdout:\n"
          f"{exp.stdout}\ngot stdout:\n{got.stdout}")
