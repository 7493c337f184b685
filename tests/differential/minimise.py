"""Delta debugging on the lines of a failing Tengo program.

Contract: ``minimise(text, still_fails, budget)`` returns a program (text) no longer than
``text`` for which ``still_fails(candidate_text)`` is True, by removing lines. ``still_fails``
must be True for ``text`` itself; it is called at most ``budget`` times.

Lines are grouped into *units*: a line together with the block it opens (up to the line that
brings the brace depth back), so removing a unit keeps braces balanced. Units are removed
ddmin-style (halves, quarters, ... single units), first at the top level, then inside each
remaining block, repeating until nothing more can go. Finally the lines *inside* a kept block
header are tried as replacements of the whole block (``if c { body }`` -> ``body``), which
often flattens control flow. Candidates that no longer parse simply fail the predicate.
"""
from __future__ import annotations

from typing import Callable


def _depth_delta(line: str) -> int:
    """Net brace depth change of one line, ignoring braces inside string/char literals."""
    d, i, n = 0, 0, len(line)
    quote = None
    while i < n:
        c = line[i]
        if quote:
            if c == "\\" and quote != "`":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c == "/" and line.startswith("//", i):
            break
        elif c in "{[(":
            d += c == "{"
        elif c in "}])":
            d -= c == "}"
        i += 1
    return d


def units(lines: list[str], lo: int, hi: int) -> list[tuple[int, int]]:
    """Split lines[lo:hi] into balanced units: (start, end) index pairs, end exclusive."""
    out, i = [], lo
    while i < hi:
        depth, j = _depth_delta(lines[i]), i + 1
        while depth > 0 and j < hi:
            depth += _depth_delta(lines[j])
            j += 1
        out.append((i, j))
        i = j
    return out


class _Budget(Exception):
    pass


def minimise(text: str, still_fails: Callable[[str], bool], budget: int = 400) -> str:
    lines = text.splitlines()
    calls = [0]
    cache: dict[str, bool] = {}

    def test(cand: list[str]) -> bool:
        t = "\n".join(cand) + "\n"
        if t in cache:
            return cache[t]
        if calls[0] >= budget:
            raise _Budget
        calls[0] += 1
        cache[t] = ok = still_fails(t)
        return ok

    def remove_units(lines: list[str], lo: int, hi: int) -> list[str]:
        """ddmin over the units of lines[lo:hi]; returns the new line list."""
        us = units(lines, lo, hi)
        n = 2
        while len(us) >= 1:
            chunk = max(1, len(us) // n)
            removed = False
            for s in range(0, len(us), chunk):
                drop = us[s:s + chunk]
                a, b = drop[0][0], drop[-1][1]
                cand = lines[:a] + lines[b:]
                if test(cand):
                    lines = cand
                    hi -= b - a
                    us = units(lines, lo, hi)
                    n = max(n - 1, 2)
                    removed = True
                    break
            if not removed:
                if chunk == 1:
                    break
                n = min(len(us), n * 2)
        return lines

    def pass_once(lines: list[str]) -> list[str]:
        lines = remove_units(lines, 0, len(lines))
        # descend into blocks: for each multi-line unit, minimise its inside, then try
        # replacing the unit by its inside
        i = 0
        while i < len(lines):
            a, b = _unit_at(lines, i)
            if b - a > 2:
                inner_lo, inner_hi = a + 1, b - 1
                before = len(lines)
                lines = remove_units(lines, inner_lo, inner_hi)
                b -= before - len(lines)
                flat = lines[:a] + lines[a + 1:b - 1] + lines[b:]
                if _depth_delta(lines[a]) == 1 and test(flat):
                    lines = flat
                    continue
            i = b if b > i else i + 1
        return lines

    try:
        while True:
            new = pass_once(lines)
            if new == lines:
                break
            lines = new
    except _Budget:
        pass
    # the best candidate known to fail
    best = text
    for t, ok in cache.items():
        if ok and len(t) < len(best):
            best = t
    return best


def _unit_at(lines: list[str], i: int) -> tuple[int, int]:
    depth, j = _depth_delta(lines[i]), i + 1
    while depth > 0 and j < len(lines):
        depth += _depth_delta(lines[j])
        j += 1
    return i, j
