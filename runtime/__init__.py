"""tengojit: the Tengo scripting language for Python.

Public API: ``Script``, ``Compiled`` and the error classes. Importing this package never imports
llvmlite (the JIT is loaded lazily).
"""
from .errors import (TengoError, ParseError, CompileError, TengoRuntimeError, ConversionError,
                     IntOverflowError, OptionError, PayloadError, RecursionLimitWarning,
                     ScriptCancelled, ScriptInterrupted, ScriptTimeout, UnknownVariableError)
from .version import VERSION as __version__
from .values import Char, Error, ImmutableArray, ImmutableMap, UserFunction

__all__ = ["Script", "Compiled", "ExecutionContext", "Closure", "NotCallableError",
           "ArgumentCountError", "ForeignClosureError", "InvalidGlobalsError", "TengoError", "ParseError", "CompileError",
           "TengoRuntimeError", "ConversionError", "IntOverflowError", "RecursionLimitWarning", "Char", "Error", "ImmutableArray", "ImmutableMap", "UserFunction",
           "PayloadError", "UnknownVariableError", "OptionError", "dumps", "loads", "eval", "__version__",
           "CancelToken", "ScriptInterrupted", "ScriptTimeout", "ScriptCancelled"]


def __getattr__(name):
    # Script/Compiled live in script.py, which pulls in the compiler: loaded on first use, so
    # importing the package stays cheap (docs/architecture.md, "Layers")
    if name in ("Script", "Compiled", "from_python", "dumps", "loads", "eval"):
        from . import script
        return getattr(script, name)
    if name in ("ExecutionContext", "Closure", "NotCallableError", "ArgumentCountError",
                "ForeignClosureError", "InvalidGlobalsError"):
        from . import context
        return getattr(context, name)
    if name == "CancelToken":
        from .interrupts import CancelToken
        return CancelToken
    raise AttributeError(name)
