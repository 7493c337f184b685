"""The ``tengojit`` command (also ``python -m tengojit``), after Tengo's ``cmd/tengo``.

    tengojit [flags] FILE [args...]     compile and run FILE
    tengojit                            the REPL (when this build has one), else the usage

- Every standard library module is importable, ``os`` included (as with Tengo's CLI).
- Source files import each other: ``import("lib")`` / ``import("./lib")`` / ``import("lib.tengo")``
  load ``lib.tengo`` relative to the directory of the importing file (Tengo's ``-resolve``
  behaviour, which Tengo announces as its future default). A stdlib module of the same name wins.
- ``os.args()`` is ``[FILE, args...]``.
- A ``#!`` first line is ignored (line numbers stay right).
- Errors (parse, compile, runtime) are printed as Tengo prints them, with the file's base name
  (``Runtime Error: ... at prog.tengo:3:6``), on stderr; the exit status is 1.
- ``os.exit(n)`` ends the program with status ``n``; Ctrl-C with status 130, quietly.

Flags (Go ``flag`` style, before FILE; ``--flag`` works too): ``-help``, ``-version``,
``-resolve`` (accepted; always on), ``-o OUT`` (Tengo compiles to a bytecode file; tengojit has no
bytecode format and says so), and the JIT's: ``-no-jit`` (baseline tier only; also
``TENGOJIT_JIT=0``), ``-jit-threshold N`` (calls before a function is compiled), ``-jit-sync``
(compile hot code on the spot, the program waiting; also ``TENGOJIT_JIT_BACKGROUND=0``; by
default compiles run on the spot within a budget, then on the background compiler:
``jit_background="auto"``), ``-jit-stats`` (the REPL's ``:jit``
table on stderr when the program ends), ``-no-cache`` (compile hot code again rather than load
it from the on-disk cache of native code; also ``TENGOJIT_CACHE=0``) and ``-cache-clear``
(empty that cache).
"""
from __future__ import annotations

import gc
import os
import sys
import warnings
from typing import Sequence

from . import repl
from .errors import RecursionLimitWarning, TengoError
from .file_modules import add_file_modules, blank_shebang, stdlib_imports  # noqa: F401 - public
from .jit import background_by_default, compiles_pending, stats
from .jit.cache import NativeCache
from .jit_report import print_table
from .script import Script
from .errors import ScriptExit
from .gotime import parse_duration
from .stdlib.os_common import _errno_text as errno_text
from .version import VERSION


USAGE = """Usage:

\ttengojit [flags] {input-file} [args...]
\ttengojit [flags] - [args...]      (the script from standard input, as a pipe does)

Flags:

\t-cache-clear      empty the cache of native code (then run the file, if one is given)
\t-jit-stats        print what the JIT compiled (on stderr, at exit)
\t-jit-sync         compile hot code before running on (default: on the spot within a
\t                  budget, then in the background; see docs/jit.md)
\t-jit-threshold N  calls before a function is compiled to native code
\t-no-cache         compile hot code again instead of loading it from the native code cache
\t-no-jit           run on the baseline tier only (also TENGOJIT_JIT=0)
\t-o                compile output file (not supported: tengojit has no bytecode files)
\t-resolve          resolve relative imports from the importing file (always on)
\t-timeout D        stop the script after the duration D (Go syntax: 500ms, 10s, 2m)
\t-version          show version

Environment:

\tTENGOJIT_JIT=0              the same as -no-jit
\tTENGOJIT_THRESHOLD=N        the same as -jit-threshold N (default 1000)
\tTENGOJIT_JIT_BACKGROUND=0   the same as -jit-sync (1: always in the background)
\tTENGOJIT_CACHE=0            the same as -no-cache
\tTENGOJIT_CACHE_DIR=DIR      where native code is cached (default ~/.cache/tengojit/native)
\tTENGOJIT_CACHE_MAX_MB=N     the cache's size bound, least recently used out first (default 64)

Examples:

\ttengojit

\t          Start the REPL

\ttengojit myapp.tengo [args...]

\t          Compile and run source file (myapp.tengo)

\tcat myapp.tengo | tengojit

\t          Run the script read from standard input (the REPL starts only on a terminal)
"""


# ------------------------------------------------------------------------ running

def _flush():
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a closed pipe: nothing more to say
        pass


def run_file(path: str, args: Sequence[str] = (), jit: bool | None = None,
             jit_threshold: int | None = None, jit_stats: bool = False,
             jit_background: bool | None = None, timeout: float | None = None,
             cache: bool | None = None) -> int:
    """Compile and run the Tengo file ``path`` (``-``: standard input) with
    ``os.args() == [path, *args]``.

    ``jit``/``jit_threshold``/``jit_background`` as for ``Script``; ``jit_stats`` prints the JIT's table on
    stderr when the program ends (however it ends); ``timeout`` (seconds) stops the run;
    ``cache``: the on-disk cache of native code (None: on unless ``TENGOJIT_CACHE`` is off)."""
    if path == "-":
        return run_source(sys.stdin.buffer.read(), STDIN_NAME, os.getcwd(), ["-", *args], jit=jit,
                          jit_threshold=jit_threshold, jit_stats=jit_stats,
                          jit_background=jit_background, timeout=timeout, cache=cache)
    try:
        with open(path, "rb") as f:
            src = f.read()
    except OSError as e:
        print(f"Error reading input file: open {path}: {_errno_text(e)}", file=sys.stderr)
        return 1
    return run_source(src, os.path.basename(path), os.path.dirname(os.path.abspath(path)),
                      [path, *args], jit=jit, jit_threshold=jit_threshold, jit_stats=jit_stats,
                      jit_background=jit_background, timeout=timeout, cache=cache)


STDIN_NAME = "(stdin)"


def run_source(src: bytes, name: str, base_dir: str, os_args: Sequence[str],
               jit: bool | None = None, jit_threshold: int | None = None,
               jit_stats: bool = False, jit_background: bool | None = None,
               timeout: float | None = None, cache: bool | None = None) -> int:
    """Compile and run ``src`` (named ``name`` in errors; source files it imports are found
    in ``base_dir``) with ``os.args() == os_args``: the exit status, as Tengo's CLI gives it."""
    if cache is None:
        cache = cache_by_default()
    program = None
    try:
        src = blank_shebang(src)
        modules = stdlib_imports(list(os_args))
        add_file_modules(src, base_dir, modules)
        script = Script(src, name=name, jit=jit, jit_threshold=jit_threshold,
                        jit_background=jit_background, cache=cache)
        script.set_imports(modules)
        compiled = script.compile()
        if jit_stats:
            program = compiled.program
        compiled.run(timeout=timeout)
    except ScriptExit as e:
        _flush()
        return _exit_status(e.code)
    except KeyboardInterrupt:
        _flush()
        return 130
    except TengoError as e:
        _flush()
        print(repl.report(e), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    finally:
        if program is not None:
            _flush()
            _print_jit_stats(program)
    _flush()
    return 0


def cache_by_default() -> bool:
    """The command keeps native code on disk unless ``TENGOJIT_CACHE`` is ``0``/``false``/
    ``no``/``off``."""
    return os.environ.get("TENGOJIT_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def clear_cache() -> int:
    """``-cache-clear``: empty the native code cache's directory; the exit status."""
    cache = NativeCache()
    n, size = cache.clear()
    print(f"removed {n} cached module{'s' if n != 1 else ''} ({size / 1024:.1f} KiB) "
          f"from {cache.directory}")
    return 0


def _print_jit_stats(program) -> None:
    if not program.jit:
        print("the JIT was off for this program", file=sys.stderr)
        return
    records = stats(program)
    if not records:
        print("the JIT compiled nothing: no function or loop got hot", file=sys.stderr)
        return
    print_table(records, "JIT", file=sys.stderr)


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


def _errno_text(e: OSError) -> str:
    return errno_text(e)


def _repl(jit=None, jit_threshold=None) -> int:
    """Run the REPL; its exit status."""
    r = repl.main(jit=jit, jit_threshold=jit_threshold)
    return r if isinstance(r, int) else 0


def parse_args(argv: Sequence[str]) -> tuple[dict, str, list[str]]:
    """Go ``flag`` parsing: flags first, then FILE and the script's own arguments.

    Returns ``(options, file, rest)``; ``options`` maps flag → value (``True`` for booleans).
    Raises ``ValueError(message)`` for a bad flag.
    """
    opts = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("-") or a == "-":
            break
        name = a.lstrip("-")
        value = None
        if "=" in name:
            name, value = name.split("=", 1)
        if name in ("h", "help"):
            opts["help"] = True
        elif name in ("version", "resolve", "no-jit", "jit-stats", "jit-sync", "no-cache",
                      "cache-clear"):
            opts[name] = True
        elif name == "jit-threshold":
            if value is None:
                i += 1
                if i >= len(argv):
                    raise ValueError("flag needs an argument: -jit-threshold")
                value = argv[i]
            try:
                opts[name] = int(value)
            except ValueError:
                raise ValueError(f'invalid value "{value}" for flag -jit-threshold: '
                                 "parse error") from None
            if opts[name] < 0:
                raise ValueError(f'invalid value "{value}" for flag -jit-threshold: '
                                 "must be 0 or more")
        elif name == "timeout":
            if value is None:
                i += 1
                if i >= len(argv):
                    raise ValueError("flag needs an argument: -timeout")
                value = argv[i]
            try:
                ns = parse_duration(value)
            except Exception:  # noqa: BLE001 - any bad text is the same usage error
                ns = -1
            if ns <= 0:
                raise ValueError(f'invalid value "{value}" for flag -timeout: '
                                 "a positive duration such as 500ms, 10s or 2m")
            opts[name] = ns / 1e9
        elif name == "o":
            if value is None:
                i += 1
                if i >= len(argv):
                    raise ValueError("flag needs an argument: -o")
                value = argv[i]
            opts["o"] = value
        else:
            raise ValueError(f"flag provided but not defined: -{name}")
        i += 1
    rest = argv[i:]
    return opts, (rest[0] if rest else ""), rest[1:]


def main(argv: Sequence[str] | None = None) -> int:
    """The command: returns the exit status."""
    # the command owns its process: raising the recursion limit needs no warning here
    warnings.filterwarnings("ignore", category=RecursionLimitWarning)
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:
        _flush()
        return 130


# the cyclic collector's thresholds in the command's own process (CPython's default is
# (700, 10, 10)): Tengo programs make many small maps and arrays, and a larger young generation
# collects them as often as needed at about half the cost (docs/cli.md)
COMMAND_GC_THRESHOLD = (10_000, 10, 10)


def command() -> None:
    """The process entry point (the ``tengojit`` script, ``python -m tengojit``): sets the
    collector's thresholds (``COMMAND_GC_THRESHOLD``; a host embedding tengojit keeps its own),
    then ``main``, then exit with its status. A compile still queued or under way on the JIT's background
    worker is abandoned — the process ends with ``os._exit`` once stdout and stderr are flushed
    (the ``os`` module's files are unbuffered OS writes, so nothing else is pending) — rather
    than waiting for LLVM to finish code nothing will run."""
    gc.set_threshold(*COMMAND_GC_THRESHOLD)
    status = main()
    if compiles_pending():
        _flush()
        try:
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - a closed stream: nothing more to say
            pass
        os._exit(status)
    sys.exit(status)


def _main(argv) -> int:
    try:
        opts, file, rest = parse_args(argv)
    except ValueError as e:
        print(e, file=sys.stderr)
        print(USAGE, file=sys.stderr)
        return 2
    if opts.get("help"):
        print(USAGE)
        return 0
    if opts.get("version"):
        print(VERSION)
        return 0
    if opts.get("cache-clear"):
        status = clear_cache()
        if not file:
            return status
    jit = False if opts.get("no-jit") else None
    threshold = opts.get("jit-threshold")
    if not file and not _is_terminal(sys.stdin):
        file = "-"                      # a script piped in: run it (the REPL is for terminals)
    if not file:
        return _repl(jit, threshold)
    if "o" in opts:
        print("tengojit: -o: compiling to a bytecode file is not supported", file=sys.stderr)
        return 1
    return run_file(file, rest, jit=jit, jit_threshold=threshold,
                    jit_stats=bool(opts.get("jit-stats")),
                    jit_background=(False if opts.get("jit-sync")
                                    else background_by_default(default="auto")),
                    timeout=opts.get("timeout"), cache=False if opts.get("no-cache") else None)


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):     # replaced or closed
        return False


if __name__ == "__main__":
    sys.exit(main())
