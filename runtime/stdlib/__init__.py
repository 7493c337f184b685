"""Tengo's standard library: one Python module per Tengo module (``enum`` is Tengo source).

- ``ALL_MODULE_NAMES``: every module name, as Tengo's ``stdlib.AllModuleNames()``.
- ``get_module_map(*names)``: ``{name: module}`` for ``Script(..., modules=...)`` /
  ``Script.set_imports``; no names = every module except ``os`` (the host must enable ``os``
  explicitly: ``get_module_map("os", ...)``). A builtin module is a ``dict`` of attributes
  (functions are ``UserFunction``), a source module is its Tengo source text.
- ``lazy_module_map(*names)``: the same map with ``LazyModule`` placeholders, each loaded when
  a script first imports it (what ``Script`` uses by default, and the command line).

Adding a host module written in Python: pass any ``{name: {attr: value}}`` along, e.g.

    def greet(name):
        return "hello, " + name
    Script(src, modules={**get_module_map(), "greeter": {"greet": UserFunction("greet", greet)}})
"""
from __future__ import annotations

import importlib
import os as _os

ALL_MODULE_NAMES = ("base64", "enum", "fmt", "hex", "json", "math", "os", "rand", "text", "times")
DEFAULT_MODULE_NAMES = tuple(n for n in ALL_MODULE_NAMES if n != "os")

_SOURCE_MODULES = {"enum": "enum.tengo"}
_cache = {}


def _load(name):
    if name in _cache:
        return _cache[name]
    if name in _SOURCE_MODULES:
        path = _os.path.join(_os.path.dirname(__file__), _SOURCE_MODULES[name])
        with open(path, encoding="utf-8") as f:
            mod = f.read()
    else:
        try:
            mod = importlib.import_module(f"{__name__}.{name}").MODULE
        except ModuleNotFoundError:
            return None
    _cache[name] = mod
    return mod


class LazyModule:
    """A stdlib module in a module map, loaded when a script first imports it (the compiler
    calls ``tengo_load``). ``args`` (``os`` only): what the script's ``os.args()`` returns."""
    __slots__ = ("name", "args")

    def __init__(self, name: str, args: list | None = None) -> None:
        if name not in ALL_MODULE_NAMES:
            raise KeyError(f"no stdlib module named {name!r}")
        self.name = name
        self.args = args

    def tengo_load(self) -> object:
        """The module (a dict of attributes, or Tengo source text); None when unavailable."""
        if self.args is not None:
            return importlib.import_module(f"{__name__}.{self.name}").make_module(args=list(self.args))
        return _load(self.name)

    def __repr__(self):
        return f"<stdlib module {self.name!r}, loaded on first import>"


def lazy_module_map(*names: str) -> dict:
    """``get_module_map`` with every module loaded only when a script imports it."""
    return {name: LazyModule(name) for name in names or DEFAULT_MODULE_NAMES}


def name_of(module: object) -> str | None:
    """The stdlib name of a module (or ``LazyModule``) of this library, or None."""
    if type(module) is LazyModule:
        return module.name
    for name, mod in _cache.items():
        if mod is module:
            return name
    return None


def get_module_map(*names: str) -> dict:
    """Modules by name (all but ``os`` when no names are given). Unknown names raise KeyError."""
    out = {}
    for name in names or DEFAULT_MODULE_NAMES:
        if name not in ALL_MODULE_NAMES:
            raise KeyError(f"no stdlib module named {name!r}")
        mod = _load(name)
        if mod is not None:
            out[name] = mod
    return out
