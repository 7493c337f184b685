"""Every ```python block of docs/host-api.md runs (each in a fresh namespace) and its asserts hold."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "host-api.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks():
    text = DOC.read_text(encoding="utf-8")
    out = []
    for m in _BLOCK.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        # padded so that tracebacks point at the line in the document
        out.append(pytest.param("\n" * line + m.group(1), id=f"line{line}"))
    return out


BLOCKS = blocks()


def test_doc_has_examples():
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("code", BLOCKS)
def test_doc_example_runs(code):
    if "import numpy" in code:
        pytest.importorskip("numpy")
    namespace = {"__name__": "__doc_example__"}
    exec(compile(code, str(DOC), "exec"), namespace)


def test_doc_examples_use_only_the_public_api():
    for param in BLOCKS:
        code = param.values[0].replace('"tengojit._hostcall"', "")
        assert "tengojit." not in code, code
        assert "._" not in code, code
