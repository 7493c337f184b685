"""The JIT's per-function table (the REPL's ``:jit``, the command's ``-jit-stats``)."""
from __future__ import annotations

from typing import TextIO

import sys

COLUMNS = (("name", "left"), ("kind", "left"), ("calls", "right"), ("state", "left"),
           ("signature / reason", "left"), ("compile ms", "right"), ("cached", "left"),
           ("code bytes", "right"),
           ("deopts", "right"))


def print_table(records: list[dict], title: str, file: TextIO | None = None) -> None:
    """Print ``records`` (``tengojit.jit.stats()`` dicts) as a table on ``file`` (stdout);
    plain text, 120 columns, when ``file`` is not a terminal."""
    from rich.console import Console
    from rich.table import Table
    out = sys.stdout if file is None else file
    table = Table(title=title)
    for col, just in COLUMNS:
        table.add_column(col, justify=just)
    for r in records:
        detail = r["signature"] if r["state"] == "compiled" else (r["reason"] or r["signature"])
        if r.get("bounded_recursion"):
            detail += "; depth bounded: " + ", ".join(r["bounded_recursion"])
        if r.get("runtime_calls"):
            detail += "; runtime: " + ", ".join(f"{k}×{n}" for k, n in r["runtime_calls"].items())
        table.add_row(r["name"], r["kind"], str(r["calls"]), r["state"], detail,
                      f"{r['compile_ms']:.2f}", "yes" if r.get("cached") else "",
                      str(r["code_bytes"]), str(r["deopts"]))
    tty = out.isatty() if hasattr(out, "isatty") else False
    Console(file=out, width=None if tty else 120, force_terminal=tty or None,
            no_color=not tty).print(table)
