"""The package's layers: every import of our own modules points to the same layer or one below,
and no import cycle exists (function-level imports count as imports).

The layers, bottom up, are documented in docs/architecture.md ("Layers"); ``LAYERS`` below is
their single source. A module missing from the table fails the test: place it when adding it.
"""
from __future__ import annotations

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = {"tengojit": "runtime", "tengojit.interp": "interp", "tengojit.jit": "jit"}

# layer number -> module name patterns ("x.*" = every module of package x)
LAYERS = {
    0: ["tengojit.errors", "tengojit.values", "tengojit.limits", "tengojit.interrupts", "tengojit.version",
        "tengojit.gostrconv", "tengojit.gotime", "tengojit.gorand", "tengojit.strings",
        "tengojit._hostcall", "tengojit._gomath", "tengojit._picklescan"],  # value model, Go ports, C helpers
    1: ["tengojit.ops", "tengojit.operators", "tengojit.args", "tengojit.formatter",
        "tengojit.builtins"],                                        # Tengo semantics
    2: ["tengojit.interp.token", "tengojit.interp.scanner", "tengojit.interp.ast",
        "tengojit.interp.parser", "tengojit.interp.symbols"],      # front end
    3: ["tengojit.interp", "tengojit.interp.codegen", "tengojit.interp.local_types",
        "tengojit.interp.rt", "tengojit.interp.program"],          # baseline tier
    4: ["tengojit.jit", "tengojit.jit.*"],                          # JIT tier
    5: ["tengojit.stdlib", "tengojit.stdlib.*"],                    # standard library
    6: ["tengojit", "tengojit.script", "tengojit.context", "tengojit.compiler",
        "tengojit.payload"],                                        # host API
    7: ["tengojit.file_modules", "tengojit.jit_report", "tengojit.repl", "tengojit.cli",
        "tengojit.__main__", "tengojit.dask", "tengojit.lexer"],    # tools and integrations
}


def modules():
    """{module name: path} of every Python module and C extension source of the package."""
    out = {}
    for pkg, d in PACKAGES.items():
        base = os.path.join(ROOT, d)
        for dirpath, dirnames, filenames in os.walk(base):
            rel = os.path.relpath(dirpath, base)
            parts = [] if rel == "." else rel.split(os.sep)
            if d == "runtime" and parts and parts[0] in PACKAGES.values():
                continue
            if "__pycache__" in parts:
                continue
            for f in filenames:
                if f.endswith(".py"):
                    name = ".".join([pkg] + parts + ([] if f == "__init__.py" else [f[:-3]]))
                    out[name] = os.path.join(dirpath, f)
                elif f.endswith(".c") and not parts:
                    out[pkg + "." + f[:-2]] = os.path.join(dirpath, f)
    return out


def layer_of(name):
    for layer, patterns in LAYERS.items():
        for p in patterns:
            if name == p or (p.endswith(".*") and name.startswith(p[:-1])):
                return layer
    return None


def imports(mods):
    """{module: {imported own module: line}} including imports inside functions."""
    edges = {m: {} for m in mods}
    for m, path in mods.items():
        if not path.endswith(".py"):
            continue
        tree = ast.parse(open(path, encoding="utf-8").read())
        is_pkg = path.endswith("__init__.py")
        base = m.split(".") if is_pkg else m.split(".")[:-1]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    prefix = base[: len(base) - (node.level - 1)]
                    target = ".".join(prefix + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [target + "." + a.name for a in node.names]
                found = [n if n in mods else target for n in names]
            elif isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            else:
                continue
            for t in found:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != m:
                    edges[m].setdefault(t, node.lineno)
    return edges


def test_every_module_has_a_layer():
    assert [m for m in modules() if layer_of(m) is None] == []


def test_imports_point_down_only():
    mods = modules()
    upward = []
    for m, targets in imports(mods).items():
        for t, line in targets.items():
            if layer_of(t) is not None and layer_of(m) is not None and layer_of(t) > layer_of(m):
                upward.append(f"{m}:{line} imports {t} (layer {layer_of(m)} -> {layer_of(t)})")
    assert upward == []


def test_no_import_cycles():
    edges = imports(modules())
    # Tarjan's strongly connected components, iteratively
    index, low, on, stack, cycles = {}, {}, set(), [], []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(edges[w])))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    cycles.append(sorted(comp))
    assert cycles == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_patterns_name_real_modules(layer):
    # a pattern that matches nothing is a stale entry (a module renamed or removed)
    mods = modules()
    for p in LAYERS[layer]:
        if p.endswith(".*"):
            assert any(m.startswith(p[:-1]) for m in mods), p
        else:
            assert p in mods, p
