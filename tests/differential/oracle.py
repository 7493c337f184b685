"""Run one Tengo program on the reference CLI and on tengojit, and compare the results.

Contract:

- ``run(cmd, path, timeout)`` runs one command on ``path`` (the program file; every
  implementation gets the same path so error positions match) and returns a ``Result``:
  stdout (text, undecoded bytes replaced), exit status, first stderr line, the innermost
  position of an error (``where``, ``L:C``), and flags for a timeout and for a Go panic
  (reference crashes: ``panic:`` / ``goroutine`` on stderr or exit status 2).
- ``TENGOJIT_CONFIGS`` names the tengojit configurations compared: ``nojit`` (``-no-jit``)
  and ``jit`` (``-jit-threshold 0 -jit-sync``: every function and loop compiled on first use).
- ``compare(path, ref=...)`` runs the reference and each configuration, and returns a
  ``Verdict``: ``skip`` (the reference panicked or timed out: not a usable oracle), ``ok``,
  or ``mismatch`` with the ``signature`` -- a hashable description of *how* it differs
  (which configurations, which of stdout / status / stderr / position — the position only
  when the first stderr lines agree), used by the minimiser to keep
  the same failure.
- Nothing here edits files other than reading ``path``.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field

DEFAULT_REF = "/tmp/tengoref/tengo"

TENGOJIT_CONFIGS: dict[str, list[str]] = {
    "nojit": ["-no-jit"],
    "jit": ["-jit-threshold", "0", "-jit-sync"],
}


def ref_path() -> str | None:
    """The reference binary: $TENGO_REF, else None."""
    p = os.environ.get("TENGO_REF")
    return p or None


@dataclass(frozen=True)
class Result:
    """What one implementation did with one program."""
    stdout: str
    status: int
    stderr1: str
    timeout: bool = False
    panic: bool = False
    where: str | None = None       # "L:C" of an error's innermost position; None: not known

    def as_json(self) -> dict:
        d = {"stdout": self.stdout, "status": self.status, "stderr_first_line": self.stderr1}
        if self.where is not None:
            d["where"] = self.where
        return d


def _first_line(text: str) -> str:
    for line in text.splitlines():
        return line.rstrip()
    return ""


def _where(text: str) -> str:
    """``L:C`` of the first ``at file:L:C`` line of an error (the innermost frame), or ""
    (the file's name is left out: the implementations print paths differently)."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("at "):
            parts = line.rsplit(":", 2)
            return ":".join(parts[-2:]) if len(parts) == 3 else ""
    return ""


def run(cmd: list[str], path: str, timeout: float = 30.0) -> Result:
    """Run ``cmd + [path]`` with no stdin; never raises for the program's own failure."""
    env = dict(os.environ)
    env.setdefault("TENGOJIT_JIT_BACKGROUND", "0")
    try:
        p = subprocess.run(cmd + [path], capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, env=env)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return Result(out, -999, "<timeout>", timeout=True)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    panic = ("panic:" in err or "goroutine " in err) or p.returncode == 2
    return Result(out, p.returncode, _first_line(err), panic=panic, where=_where(err))


def ref_cmd(ref: str | None = None) -> list[str]:
    return [ref or ref_path() or DEFAULT_REF]


def tengojit_cmd(config: str) -> list[str]:
    return [sys.executable, "-m", "tengojit.cli", *TENGOJIT_CONFIGS[config]]


def diff_fields(expected: Result, got: Result) -> tuple[str, ...]:
    """Which of stdout / status / stderr differ (empty tuple: same)."""
    out = []
    if expected.stdout != got.stdout:
        out.append("stdout")
    if expected.status != got.status:
        out.append("status")
    if expected.stderr1 != got.stderr1:
        out.append("stderr")
    elif (expected.where is not None and got.where is not None
          and expected.where != got.where):
        out.append("position")
    return tuple(out)


@dataclass
class Verdict:
    """The outcome of comparing all implementations on one program."""
    kind: str                      # "ok" | "mismatch" | "skip"
    ref: Result | None = None
    got: dict[str, Result] = field(default_factory=dict)
    signature: tuple = ()
    reason: str = ""

    def describe(self) -> str:
        lines = [f"{self.kind}: {self.reason or self.signature}"]
        if self.ref is not None:
            lines.append(f"  ref    status={self.ref.status} stderr={self.ref.stderr1!r} "
                         f"at {self.ref.where}")
            lines.append(f"         stdout={_clip(self.ref.stdout)!r}")
        for name, r in self.got.items():
            lines.append(f"  {name:6} status={r.status} stderr={r.stderr1!r} at {r.where}")
            lines.append(f"         stdout={_clip(r.stdout)!r}")
        return "\n".join(lines)


def _clip(s: str, n: int = 600) -> str:
    return s if len(s) <= n else s[:n] + "..."


def run_in(runner, config: str, path: str, timeout: float = 30.0) -> Result:
    """``run`` of a tengojit configuration through a ``worker.Runner`` (one long-lived process)."""
    out, status, err, timed_out = runner.run(config, path, timeout)
    return Result(out, status, _first_line(err), timeout=timed_out, where=_where(err))


def compare(path: str, ref: str | None = None, configs: tuple[str, ...] = ("nojit", "jit"),
            timeout: float = 30.0, ref_result: Result | None = None, runner=None) -> Verdict:
    """Run the reference and each tengojit configuration on ``path`` and compare them (the
    tengojit runs as CLI processes, or in ``runner``'s worker process when one is given)."""
    r = ref_result or run(ref_cmd(ref), path, timeout=timeout)
    if r.panic:
        return Verdict("skip", r, reason="reference panicked")
    if r.timeout:
        return Verdict("skip", r, reason="reference timed out")
    if runner is not None:
        got = {c: run_in(runner, c, path, timeout) for c in configs}
    else:
        got = {c: run(tengojit_cmd(c), path, timeout=timeout) for c in configs}
    sig = tuple((c, diff_fields(r, g)) for c, g in got.items() if diff_fields(r, g))
    if not sig:
        return Verdict("ok", r, got)
    return Verdict("mismatch", r, got, signature=sig)


def compare_expected(path: str, expected: dict, configs: tuple[str, ...] = ("nojit", "jit"),
                     timeout: float = 60.0) -> dict[str, tuple[str, ...]]:
    """Compare tengojit with recorded reference output; {config: differing fields} (empty: ok)."""
    exp = Result(expected["stdout"], expected["status"], expected["stderr_first_line"],
                 where=expected.get("where"))
    out = {}
    for c in configs:
        g = run(tengojit_cmd(c), path, timeout=timeout)
        d = diff_fields(exp, g)
        if d:
            out[c] = d
    return out
