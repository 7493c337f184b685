"""The ``tengojit`` command (minimal for now): ``tengojit FILE`` compiles and runs a Tengo file.

- The file is compiled as ``Script(src, name=FILE)``, so errors read ``at FILE:L:C``.
- Every stdlib module that ``tengojit.stdlib.get_module_map`` provides is importable.
- A shebang first line (``#!/usr/bin/env tengojit``) is blanked (line numbers stay right).
- A ``TengoError`` (parse, compile or runtime) is printed to stderr; the exit status is 1.

The REPL, ``:jit`` statistics and ``bench`` come later (docs/architecture.md).
"""
from __future__ import annotations

import argparse
import sys

# Tengo's stdlib.AllModuleNames(), in its order.
STDLIB_NAMES = ("base64", "enum", "fmt", "hex", "json", "math", "os", "rand", "text", "times")


def stdlib_imports() -> dict:
    """{name: module} for every stdlib module available in this build (none if no stdlib)."""
    try:
        from tengojit.stdlib import get_module_map
    except ImportError:
        return {}
    names = getattr(sys.modules.get("tengojit.stdlib"), "ALL_MODULE_NAMES", None) or STDLIB_NAMES
    try:
        return dict(get_module_map(*names).items())
    except Exception:  # some module not written yet: take the ones that load
        found = {}
        for name in names:
            try:
                found.update(get_module_map(name).items())
            except Exception:
                pass
        return found


def blank_shebang(src: bytes) -> bytes:
    """Drop the text of a ``#!`` first line, keeping its newline."""
    if src.startswith(b"#!"):
        end = src.find(b"\n")
        return b"" if end < 0 else src[end:]
    return src


def run_file(path: str) -> int:
    from tengojit import Script, TengoError
    try:
        with open(path, "rb") as f:
            src = f.read()
    except OSError as e:
        print(f"tengojit: {e.strerror}: {path}", file=sys.stderr)
        return 1
    try:
        script = Script(blank_shebang(src), name=path)
        script.set_imports(stdlib_imports())
        script.compile().run()
    except TengoError as e:
        sys.stdout.flush()
        print(e, file=sys.stderr)
        return 1
    finally:
        sys.stdout.flush()
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="tengojit",
                                 description="Run a Tengo program (tengojit: Tengo for Python).")
    ap.add_argument("file", help="Tengo source file to run")
    args = ap.parse_args(argv)
    return run_file(args.file)


if __name__ == "__main__":
    sys.exit(main())
