"""Errors tengojit raises, with Tengo's texts.

Public (what hosts catch):
- ``TengoError``: base of everything below.
- ``ParseError``: ``Parse Error: <msg>\\n\\tat <file>:<line>:<col>``.
- ``CompileError``: ``Compile Error: <msg>\\n\\tat <file>:<line>:<col>``.
- ``TengoRuntimeError``: ``Runtime Error: <msg>`` followed by one ``\\n\\tat <file>:<line>:<col>``
  per Tengo frame, innermost first (as Tengo prints).

Internal:
- ``OpError(msg)``: raised by operators, builtins and stdlib functions with the bare Tengo message
  (e.g. ``invalid operation: int + string``). The runtime adds the position trace while the
  exception leaves the generated code and turns it into ``TengoRuntimeError``.
"""
from __future__ import annotations


class TengoError(Exception):
    """Base class of every error tengojit reports."""


class _Positioned(TengoError):
    prefix = ""

    def __init__(self, message: str, file: str = "", line: int = 0, col: int = 0):
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        super().__init__(str(self))

    def __str__(self) -> str:
        s = f"{self.prefix}{self.message}"
        if self.file or self.line:
            s += f"\n\tat {self.file}:{self.line}:{self.col}"
        return s


class ParseError(_Positioned):
    """Source text that is not Tengo. ``errors`` holds every (msg, file, line, col) found."""
    prefix = "Parse Error: "

    def __init__(self, message: str, file: str = "", line: int = 0, col: int = 0,
                 errors: list | None = None) -> None:
        self.errors = errors or [(message, file, line, col)]
        super().__init__(message, file, line, col)

    def __str__(self):
        s = super().__str__()
        if len(self.errors) > 1:
            s += f" (and {len(self.errors) - 1} more errors)"
        return s


class CompileError(_Positioned):
    """Valid syntax that Tengo refuses to compile (unresolved names, redeclarations, …)."""
    prefix = "Compile Error: "


class TengoRuntimeError(TengoError):
    """An error raised while running a script, with Tengo's trace.

    ``message`` is the bare Tengo message; ``trace`` is a list of ``(file, line, col)``,
    innermost frame first.
    """

    #: the exception a host (Python) function raised, when that ended the run (also the
    #: error's ``__cause__``)
    host_exception: BaseException | None = None

    def __init__(self, message: str, trace: list | None = None) -> None:
        self.message = message
        self.trace = list(trace or [])
        # (``args`` holds the message alone: the text with the trace is made when asked for,
        # so that an error passed up through many native frames, each adding its position,
        # does not format its trace again at every one)
        super().__init__(message)

    def __str__(self) -> str:
        s = "Runtime Error: " + self.message
        for file, line, col in self.trace:
            s += f"\n\tat {file}:{line}:{col}"
        return s

    def report(self, keep: int = 3) -> str:
        """``str(self)`` for people: a run of frames that repeats (deep recursion, one frame
        or a cycle of up to four) is shown ``keep`` times, then counted."""
        s = "Runtime Error: " + self.message
        frames, i = self.trace, 0
        while i < len(frames):
            reps, size = _repeats(frames, i, keep)
            if reps:
                for file, line, col in frames[i:i + size * keep]:
                    s += f"\n\tat {file}:{line}:{col}"
                what = "frame" if size == 1 else f"{size} frames"
                s += f"\n\t… {reps - keep:,} more of the {what} above"
                i += reps * size
            else:
                file, line, col = frames[i]
                s += f"\n\tat {file}:{line}:{col}"
                i += 1
        return s


def _repeats(frames, i, keep):
    """``(repetitions, block size)`` of the longest run of a block of 1–4 frames starting at
    ``i`` that repeats more than ``keep`` times, or ``(0, 0)``."""
    best = (0, 0)
    for size in range(1, 5):
        block = frames[i:i + size]
        if len(block) < size:
            break
        reps = 1
        while frames[i + reps * size:i + (reps + 1) * size] == block:
            reps += 1
        if reps > keep and reps * size > best[0] * best[1]:
            best = (reps, size)
    return best


class NotCallableError(TengoRuntimeError, TypeError):
    """The value called is not a Tengo callable (``not callable: int``)."""


class ArgumentCountError(TengoRuntimeError, TypeError):
    """A Tengo function was called with the wrong number of arguments."""


def host_runtime_error(err: "TengoRuntimeError") -> "TengoRuntimeError":
    """``err`` (a ``TengoRuntimeError`` a host call ends with) as its most specific class:
    ``NotCallableError`` or ``ArgumentCountError`` by its message, else unchanged."""
    if type(err) is TengoRuntimeError:
        cls = (NotCallableError if err.message.startswith("not callable") else
               ArgumentCountError if err.message.startswith("wrong number of arguments") else None)
        if cls is not None:
            return with_host_cause(cls(err.message, err.trace), err.host_exception)
    return err


def with_host_cause(err: TengoError, host_exception: BaseException | None) -> TengoError:
    """``err`` ready to be raised from an ``except`` block of the runtime: the internal
    exception it replaces hidden, the host exception that caused it (if any) as its
    ``__cause__`` and ``host_exception``."""
    err.__suppress_context__ = True
    if host_exception is not None:
        err.host_exception = host_exception
        err.__cause__ = host_exception
    return err


class ScriptInterrupted(TengoRuntimeError):
    """A run stopped from outside (a deadline or a cancel token) at ``trace[0]``, the check
    point it reached (a loop iteration or function entry); the context stays usable."""


class ScriptTimeout(ScriptInterrupted, TimeoutError):
    """The run's ``timeout`` passed (``Runtime Error: context deadline exceeded``)."""


class ScriptCancelled(ScriptInterrupted):
    """The run's ``CancelToken`` was cancelled (``Runtime Error: context canceled``)."""


class ConversionError(TengoError, TypeError):
    """A host value Tengo cannot hold (``TypeError`` names its type)."""


class IntOverflowError(TengoError, OverflowError):
    """A host int outside Tengo's int64 range."""


class OptionError(TengoError, ValueError):
    """An option of the host API with a value of the wrong type or out of range."""


class UnknownVariableError(TengoError, KeyError):
    """The host named a global variable the script does not have (``get``/``set``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class PayloadError(TengoError, ValueError):
    """A program, context or closure that cannot be sent to another process (it holds a host
    function, or was not compiled from one source), or a payload that cannot be loaded here
    (another format version, another tengojit, tampered or corrupt data)."""


class ScriptExit(SystemExit):
    """``os.exit(code)``: the script asked to end the program with status ``code``.

    A ``SystemExit`` subclass so that it passes through the runtime untouched (the runtime turns
    every other exception into a Tengo runtime error). A host embedding scripts that may call
    ``os.exit`` catches it (``except ScriptExit as e: e.code``); left uncaught it ends the Python
    program with that status, like ``sys.exit``.
    """

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class RecursionLimitWarning(RuntimeWarning):
    """Compiling a script raised Python's recursion limit (once per process; see
    docs/host-api.md, "The recursion limit")."""


class OpError(Exception):
    """Internal: a Tengo runtime error with its bare message, before positions are attached."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class HostError(OpError):
    """Internal: a host function raised ``host_exception``; the message says which function
    and what it raised, in Tengo's words (the run's error keeps the exception as its cause)."""

    def __init__(self, message: str, host_exception: BaseException) -> None:
        super().__init__(message)
        self.host_exception = host_exception


# Tengo's sentinel messages (tengo/errors.go), spelled once.
ERR_STACK_OVERFLOW = "stack overflow"
ERR_OBJECT_ALLOC_LIMIT = "allocation limit exceeded"
ERR_INDEX_OUT_OF_BOUNDS = "index out of bounds"
ERR_INVALID_INDEX_TYPE = "invalid index type"
ERR_INVALID_INDEX_VALUE_TYPE = "invalid index value type"
ERR_INVALID_INDEX_ON_ERROR = "invalid index on error"
ERR_NOT_INDEXABLE = "not indexable"
ERR_NOT_INDEX_ASSIGNABLE = "not index-assignable"
ERR_INVALID_OPERATOR = "invalid operator"
ERR_WRONG_NUM_ARGUMENTS = "wrong number of arguments"
ERR_BYTES_LIMIT = "exceeding bytes size limit"
ERR_STRING_LIMIT = "exceeding string size limit"
ERR_ARRAY_LIMIT = "exceeding array size limit"        # ours: a script's array limit (set_limits)
ERR_MAP_LIMIT = "exceeding map size limit"            # ours: a script's map limit (set_limits)
ERR_NOT_IMPLEMENTED = "not implemented"
ERR_INVALID_RANGE_STEP = "range step must be greater than 0"


def wrong_num_args(callee_type_name: str) -> OpError:
    """ErrWrongNumArguments from a builtin/host callable, as the VM words it for the script.

    ``callee_type_name`` is the callee's ``type_name`` (``builtin-function:len``,
    ``user-function:contains``).
    """
    return OpError(f"wrong number of arguments in call to '{callee_type_name}'")


def invalid_arg_type(callee_type_name: str, name: str, expected: str, found: str) -> OpError:
    """ErrInvalidArgumentType as the VM words it: ``name`` is 'first', 'second', … ."""
    return OpError(f"invalid type for argument '{name}' in call to '{callee_type_name}': "
                   f"expected {expected}, found {found}")
