"""Every public function and method of the modules a host or a tool calls carries type hints
(parameters and return), so editors and type checkers can follow the API."""
from __future__ import annotations

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLIC_MODULES = ["runtime/__init__.py", "runtime/script.py", "runtime/context.py",
                  "runtime/values.py", "runtime/errors.py", "runtime/args.py",
                  "runtime/operators.py", "runtime/cli.py", "runtime/file_modules.py",
                  "runtime/jit_report.py", "runtime/stdlib/__init__.py", "jit/__init__.py",
                  "runtime/compiler.py", "runtime/payload.py", "runtime/dask.py"]


def unannotated(path):
    tree = ast.parse(open(os.path.join(ROOT, path), encoding="utf-8").read())
    out = []

    def visit(body, owner=""):
        for n in body:
            if isinstance(n, ast.ClassDef) and not n.name.startswith("_"):
                visit(n.body, n.name + ".")
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                public = not n.name.startswith("_") or n.name in ("__init__", "__call__")
                if not public:
                    continue
                params = [a for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs
                          if a.arg not in ("self", "cls")]
                params += [a for a in (n.args.vararg, n.args.kwarg) if a is not None]
                if any(a.annotation is None for a in params) or n.returns is None:
                    out.append(f"{path}:{n.lineno} {owner}{n.name}")
    visit(tree.body)
    return out


@pytest.mark.parametrize("path", PUBLIC_MODULES)
def test_public_functions_have_type_hints(path):
    assert unannotated(path) == []
