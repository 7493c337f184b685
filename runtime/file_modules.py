"""The modules a program run from a file sees: the standard library (``os`` with the
program's arguments) and the ``<name>.tengo`` source files it imports, found up front.
Shared by the command line and the REPL."""
from __future__ import annotations

import os

from .errors import TengoError
from .interp import ast as A
from .interp.parser import parse
from .stdlib import ALL_MODULE_NAMES, LazyModule

SOURCE_EXT = ".tengo"


def stdlib_imports(script_args: list[str] | None = None) -> dict:
    """{name: module} for every stdlib module, ``os`` included, each loaded when a script
    first imports it. ``script_args`` (a list) becomes what ``os.args()`` returns."""
    found = {name: LazyModule(name) for name in ALL_MODULE_NAMES}
    if script_args is not None:
        found["os"] = LazyModule("os", args=list(script_args))
    return found


def blank_shebang(src: bytes) -> bytes:
    """Drop the text of a ``#!`` first line, keeping its newline."""
    if src.startswith(b"#!"):
        end = src.find(b"\n")
        return b"" if end < 0 else src[end:]
    return src


# ------------------------------------------------------------------------ file imports

def _import_names(node, out):
    """Every ``import("name")`` module name in an AST, in source order."""
    out.extend(n.module_name for n in A.walk(node) if isinstance(n, A.ImportExpr))
    return out


def module_file(name: str, import_dir: str) -> str:
    """Tengo's ``getPathModule``: ``<import_dir>/<name>[.tengo]``, absolute."""
    file = name if name.endswith(SOURCE_EXT) else name + SOURCE_EXT
    return os.path.abspath(os.path.join(import_dir, file))


def add_file_modules(src: str | bytes, import_dir: str, modules: dict) -> dict:
    """Add to ``modules`` the source file of every module ``src`` imports (transitively).

    The compiler resolves ``import`` from a name → module table fixed before compiling, so the
    files are found up front: the source is parsed, each imported name that is not already a
    module and names an existing ``<name>.tengo`` (relative to the importing file's directory)
    is read and scanned in turn. Sources that do not parse are added as they are; the compiler
    reports their errors.
    """
    pending = [(src, import_dir)]
    seen = set()
    while pending:
        text, base = pending.pop()
        try:
            tree = parse(text, "(scan)")
        except TengoError:
            continue
        except Exception:  # noqa: BLE001 - the real compile reports it
            continue
        for name in _import_names(tree, []):
            if not name or name in modules:
                continue
            path = module_file(name, base)
            if path in seen or not os.path.isfile(path):
                continue
            seen.add(path)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            modules[name] = data
            pending.append((data, os.path.dirname(path)))
    return modules
