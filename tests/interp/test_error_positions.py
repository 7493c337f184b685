"""Where a failed read, and a failed binary operation, is reported. The reference's VM reports an error at the instruction
before the one that failed; for a read (``OpIndex``, ``OpSliceIndex``, which carry no
operands) that is the last instruction of the key's code — the selector's name, the index
expression (inside parentheses, the ``else`` value of a conditional, the right operand of
``&&``/``||``), a slice's upper bound, or the slice itself when it has none. The expected
positions below are the reference CLI's, for ``g(5, 1, "x")`` with ``g := func(m, i, s)``:
the body starts at column 22 of line 2."""
from __future__ import annotations

import pytest

from helpers import run_script
from tengojit.errors import TengoRuntimeError

HEAD = 'f := func(i) { return i }\ng := func(m, i, s) { '
TAIL = ' }\ng(5, 1, "x")\n'

CASES = [
    ("return m.b", "not indexable: string", 31),
    ("return m[1]", "not indexable: int", 31),
    ("return m[(i)]", "not indexable: int", 32),
    ("return m[i > 0 ? 1 : i]", "not indexable: int", 43),
    ("return m[i && true]", "not indexable: bool", 36),
    ("return m[-i]", "not indexable: int", 32),
    ('return m["a" + s]', "not indexable: string", 31),
    ("return m[f(i)]", "not indexable: int", 31),
    ("return m[[1][0]]", "not indexable: int", 31),
    ("return m[i][0]", "not indexable: int", 31),
    ("return m.a.b", "not indexable: string", 31),
    ("return m[1:2]", "not indexable: int", 33),
    ("return m[1:]", "not indexable: int", 29),
    ("return m[:i]", "not indexable: int", 32),
    ("return m[s:]", "invalid slice index type: string", 29),
    ("m[i] += 1", "not indexable: int", 24),
    ("m.x += 1", "not indexable: string", 24),
    ("m.x++", "not indexable: string", 24),
    ("m.x.y = 1", "not indexable: int", 22),        # an assignment reports the target
    ("return len(m.a.b)", "not indexable: string", 35),
]


@pytest.mark.parametrize("body,message,col", CASES, ids=[c[0] for c in CASES])
def test_a_failed_read_is_reported_where_the_reference_reports_it(make_script, body, message,
                                                                  col):
    with pytest.raises(TengoRuntimeError) as ei:
        run_script(make_script, HEAD + body + TAIL, name="t")
    assert str(ei.value) == f"Runtime Error: {message}\n\tat t:2:{col}\n\tat t:3:1"


# a binary operation's error is at its left operand's position as the reference has it: a
# unary expression is where its operand is (``-4 & -m`` at the ``4``), and so, down the left
# side, is an operation whose left operand is another operation
BINARY = [
    ("return -4 & (i + 0.5)", "invalid operation: int & float", 30),
    ("return !i == 1 < 2", "invalid operation: bool < int", 30),
    ("return -i + s", "invalid operation: int + string", 30),
    ("return (-i) + s", "invalid operation: int + string", 29),
    ("return i + s", "invalid operation: int + string", 29),
    ("return ^-i * s", "invalid operation: int * string", 31),
]


@pytest.mark.parametrize("body,message,col", BINARY, ids=[c[0] for c in BINARY])
def test_a_failed_operation_is_reported_where_the_reference_reports_it(make_script, body,
                                                                      message, col):
    with pytest.raises(TengoRuntimeError) as ei:
        run_script(make_script, HEAD + body + TAIL, name="t")
    assert str(ei.value) == f"Runtime Error: {message}\n\tat t:2:{col}\n\tat t:3:1"
