"""docs/api.md lists every public name of the Python API, and names nothing the code lacks;
every public function and method carries a docstring."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import tengojit
import tengojit.jit
import tengojit.jit.cache
import tengojit.payload
import tengojit.stdlib
from tengojit import Closure, Compiled, ExecutionContext, Script

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"

# section heading -> the object whose attributes its tables name
SECTIONS = {"`tengojit`": tengojit, "`Script`": Script, "`Compiled`": Compiled,
            "`ExecutionContext`": ExecutionContext, "`Closure`": Closure, "Errors": tengojit,
            "`tengojit.stdlib`": tengojit.stdlib, "`tengojit.payload`": tengojit.payload,
            "`tengojit.dask` (the `[dask]` extra)": "tengojit.dask", "`tengojit.jit`": tengojit.jit,
            "`tengojit.jit.cache`": tengojit.jit.cache}


def documented():
    """{section: set of names in the first column of its tables}."""
    out, section = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#+ (.*)", line)
        if m:
            section = m.group(1).strip()
            out.setdefault(section, set())
        elif line.startswith("| `") and section is not None:
            first = line.split("|")[1]
            for span in re.findall(r"`([^`]*)`", first):
                name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", span)
                if name:
                    out[section].add(name.group(0))
    return out


def _module(obj):
    if isinstance(obj, str):
        return pytest.importorskip(obj, reason="the [dask] extra is not installed")
    return obj


def public_members(cls):
    names = {n for n, v in vars(cls).items() if not n.startswith("_")
             and (callable(v) or isinstance(v, property))}
    if cls is ExecutionContext:
        names.add("call")            # set per instance (the trampoline)
    return names


def module_names(mod):
    own = getattr(mod, "__all__", None)
    if own is not None:
        return set(own)
    return {n for n, v in vars(mod).items() if not n.startswith("_") and not inspect.ismodule(v)
            and (getattr(v, "__module__", mod.__name__) == mod.__name__ or n.isupper())
            and not (n.isupper() and n not in ("ALL_MODULE_NAMES", "DEFAULT_MODULE_NAMES")
                     and mod is tengojit.stdlib)}


def test_every_public_name_is_documented():
    doc = documented()
    everything = set().union(*doc.values())
    missing = {n for n in tengojit.__all__ if n not in everything}
    for cls in (Script, Compiled, ExecutionContext, Closure):
        missing |= {f"{cls.__name__}.{n}" for n in public_members(cls)
                    if n not in doc[f"`{cls.__name__}`"] and not (cls is Closure and n == "tengo_closure")}
    for section in ("`tengojit.stdlib`", "`tengojit.jit`", "`tengojit.jit.cache`"):
        mod = SECTIONS[section]
        missing |= {f"{mod.__name__}.{n}" for n in module_names(mod) if n not in doc[section]}
    for n in ("trust_modules", "cache_info", "dump", "load", "origin", "Arrival"):
        if n not in doc["`tengojit.payload`"]:
            missing.add(f"tengojit.payload.{n}")
    assert not missing, f"not in docs/api.md: {sorted(missing)}"


def test_every_documented_name_exists():
    stale = []
    for section, names in documented().items():
        obj = SECTIONS.get(section)
        if obj is None:
            continue
        obj = _module(obj)
        for name in names:
            if name == "closure" and obj is Closure:
                continue                     # "closure(*args)": calling an instance
            if not hasattr(obj, name):
                stale.append(f"{section}: {name}")
    assert not stale, f"docs/api.md names what the code lacks: {stale}"


def test_public_functions_and_methods_have_docstrings():
    undocumented = []
    for cls in (Script, Compiled, ExecutionContext, Closure, tengojit.UserFunction,
                tengojit.jit.cache.NativeCache):
        if not (cls.__doc__ or "").strip():
            undocumented.append(cls.__name__)
        for n, v in vars(cls).items():
            if n.startswith("_") and n != "__call__":
                continue
            f = v.fget if isinstance(v, property) else v
            if callable(f) and not (getattr(f, "__doc__", None) or "").strip():
                undocumented.append(f"{cls.__name__}.{n}")
    for fn in (tengojit.eval, tengojit.dumps, tengojit.loads, tengojit.from_python):
        if not (fn.__doc__ or "").strip():
            undocumented.append(fn.__name__)
    assert not undocumented, undocumented
