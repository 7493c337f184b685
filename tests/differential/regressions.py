"""The regression corpus: ``regressions/NAME.tengo`` + ``NAME.expected.json``.

Contract: ``NAME.expected.json`` holds the reference implementation's behaviour on
``NAME.tengo`` when run as ``<ref> regressions/NAME.tengo`` from the repository root:
``{"stdout": str, "status": int, "stderr_first_line": str}``, plus free-form ``note``.
``cases()`` lists the names; ``load(name)`` gives (path, expected); ``save(...)`` writes a pair,
recording the reference's output by running it (the reference must not panic).
"""
from __future__ import annotations

import json
from pathlib import Path

from . import oracle

DIR = Path(__file__).resolve().parent / "regressions"
REPO = Path(__file__).resolve().parents[2]


def rel(path: Path) -> str:
    """The path every implementation is given (relative to the repo root, for stable positions)."""
    return str(path.resolve().relative_to(REPO))


def cases() -> list[str]:
    return sorted(p.name[:-len(".tengo")] for p in DIR.glob("*.tengo")
                  if (DIR / (p.name[:-len(".tengo")] + ".expected.json")).exists())


def load(name: str) -> tuple[Path, dict]:
    return DIR / f"{name}.tengo", json.loads((DIR / f"{name}.expected.json").read_text())


def save(name: str, text: str, note: str = "", ref: str | None = None) -> dict:
    """Write NAME.tengo and record the reference's result in NAME.expected.json."""
    DIR.mkdir(exist_ok=True)
    path = DIR / f"{name}.tengo"
    path.write_text(text)
    import os
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        r = oracle.run(oracle.ref_cmd(ref), rel(path))
    finally:
        os.chdir(cwd)
    if r.panic or r.timeout:
        path.unlink()
        raise RuntimeError(f"reference cannot run {name}: {r}")
    exp = r.as_json()
    if note:
        exp["note"] = note
    (DIR / f"{name}.expected.json").write_text(json.dumps(exp, indent=2, ensure_ascii=False) + "\n")
    return exp
