"""Every binary operator over a matrix of edge values, on the reference and on both tiers.

Each (operator, left, right) triple is a small program that applies the operator twice: in a
function called from a loop (so the JIT forced compiles both) and in the main body; it prints
the results with their types, NaN signs and zero signs made visible (``math.signbit``). The
reference's stdout or first error line must equal tengojit's, with the JIT off and forced on.
Where the reference panics (integer division by zero) tengojit must give a clean
``Runtime Error`` instead (docs/language.md lists these).

Needs the reference CLI (``TENGO_REF``); ``+`` and ``*`` of NaNs, infinities and zeros run
by default, every operator over every value in the slow suite.
"""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tempfile
import warnings

import pytest

from tengojit import Script, TengoError

from . import oracle

REF = oracle.ref_path()
pytestmark = pytest.mark.skipif(not REF or not os.path.exists(REF),
                                reason="TENGO_REF is not set to the reference tengo CLI")

VALUES = ["(0.0/0.0)", "(-(0.0/0.0))", "math.inf(1)", "math.inf(-1)", "0.0", "(-0.0)", "1.5",
          "(-2.5)", "0", "(-1)", "9223372036854775807", "(-9223372036854775807-1)", "'a'",
          "true", "false", "3", '"s"']
OPERATORS = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&", "|", "^", "<<",
             ">>", "&^", "&&", "||"]

PRELUDE = """fmt := import("fmt")
math := import("math")
s := func(x) {
    if is_float(x) {
        if math.is_nan(x) { return math.signbit(x) ? "-NaN" : "+NaN" }
        if x == 0 { return math.signbit(x) ? "-0.0" : "+0.0" }
    }
    return string(x) + ":" + type_name(x)
}
"""
TIERS = {"baseline": dict(jit=False),
         "jit": dict(jit=True, jit_threshold=0, jit_background=False)}


def program(op: str, a: str, b: str) -> str:
    return PRELUDE + (f"f := func(x, y) {{ return x {op} y }}\n"
                      f"r := undefined\n"
                      f"for i := 0; i < 3; i++ {{ r = f({a}, {b}) }}\n"
                      f"fmt.println(s(r), \" \", s({a} {op} {b}))\n")


def reference(src: str, scratch: str) -> str:
    path = os.path.join(scratch, "case.tengo")
    with open(path, "w", encoding="utf-8") as f:
        f.write(src)
    r = subprocess.run([REF, path], capture_output=True, text=True, timeout=30)
    return r.stdout + (r.stderr.splitlines()[0] if r.stderr else "")


def ours(src: str, tier: str) -> str:
    out = io.StringIO()
    err = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with contextlib.redirect_stdout(out):
                Script(src, name="case.tengo", **TIERS[tier]).compile().run()
        except TengoError as e:
            err = str(e).splitlines()[0]
    return out.getvalue() + err


def _check(op: str, values=VALUES) -> None:
    differences = []
    with tempfile.TemporaryDirectory() as scratch:
        for a in values:
            for b in values:
                src = program(op, a, b)
                want = reference(src, scratch)
                for tier in TIERS:
                    got = ours(src, tier)
                    if want.startswith("panic: runtime error: integer divide by zero"):
                        ok = got == "Runtime Error: division by zero"
                    else:
                        ok = got == want
                    if not ok:
                        differences.append(f"{a} {op} {b} [{tier}]: reference {want!r}, "
                                           f"tengojit {got!r}")
    assert not differences, "\n".join(differences[:30])


@pytest.mark.parametrize("op", ["+", "*"])
def test_special_floats(op):
    _check(op, VALUES[:6])


@pytest.mark.slow
@pytest.mark.parametrize("op", OPERATORS)
def test_operator(op):
    _check(op)
