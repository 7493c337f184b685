"""The oracle's comparison: stdout, exit status, the first line of stderr and, when those
agree, the innermost position of an error (``L:C``; file names are left out)."""
from __future__ import annotations

from tests.differential import oracle


def _r(stderr="", status=0, stdout=""):
    return oracle.Result(stdout, status, oracle._first_line(stderr), where=oracle._where(stderr))


def test_where_reads_the_innermost_position():
    err = "Runtime Error: not indexable: int\n\tat /tmp/x/p.tengo:2:31\n\tat /tmp/x/p.tengo:3:1\n"
    assert oracle._where(err) == "2:31"
    assert oracle._where("") == ""
    assert oracle._where("Parse Error: expected operand\n") == ""


def test_a_different_position_is_a_mismatch():
    a = _r("Runtime Error: e\n\tat a.tengo:2:31\n", 1)
    b = _r("Runtime Error: e\n\tat /tmp/b.tengo:2:29\n", 1)
    assert oracle.diff_fields(a, b) == ("position",)
    assert oracle.diff_fields(a, _r("Runtime Error: e\n\tat b.tengo:2:31\n", 1)) == ()


def test_position_is_compared_only_when_the_messages_agree_and_both_are_known():
    a = _r("Runtime Error: e\n\tat a.tengo:2:31\n", 1)
    assert oracle.diff_fields(a, _r("Runtime Error: f\n\tat a.tengo:9:9\n", 1)) == ("stderr",)
    recorded = oracle.Result("", 1, "Runtime Error: e")          # a regression without one
    assert oracle.diff_fields(recorded, a) == ()
