"""Every ```python block of README.md and docs/*.md runs (each in a fresh namespace) and its
asserts hold. Not run here: blocks fenced ```python no-run (excerpts of generated code, or code
that needs a remote service; each says so) and docs/scale-out.md, whose blocks need a Dask
cluster (tests/test_dask.py runs them on one)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ON_A_CLUSTER = {"scale-out.md"}
_BLOCK = re.compile(r"^```python( no-run)?\n(.*?)^```", re.S | re.M)


def blocks(doc):
    text = doc.read_text(encoding="utf-8")
    out = []
    for m in _BLOCK.finditer(text):
        if m.group(1):
            continue
        line = text.count("\n", 0, m.start()) + 1
        # padded so that tracebacks point at the line in the document
        out.append(pytest.param(doc, "\n" * line + m.group(2), id=f"{doc.name}:{line}"))
    return out


BLOCKS = [b for doc in DOCS if doc.name not in ON_A_CLUSTER for b in blocks(doc)]
HOST_API = [b for b in BLOCKS if b.values[0].name == "host-api.md"]


def test_docs_have_examples():
    assert len(HOST_API) >= 10
    assert {b.values[0].name for b in BLOCKS} >= {"README.md", "host-api.md", "stdlib.md", "jit.md"}


@pytest.mark.parametrize(("doc", "code"), BLOCKS)
def test_doc_example_runs(doc, code):
    if "import numpy" in code:
        pytest.importorskip("numpy")
    namespace = {"__name__": "__doc_example__"}
    exec(compile(code, str(doc), "exec"), namespace)


def test_host_api_examples_use_only_the_public_api():
    for param in HOST_API:
        code = param.values[1].replace('"tengojit._hostcall"', "")
        assert "tengojit." not in code, code
        assert "._" not in code, code
