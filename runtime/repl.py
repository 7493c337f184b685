"""The interactive REPL of the ``tengojit`` command (``tengojit`` with no file), after Tengo's.

    >> a := 6
    >> a * 7
    42
    >> :jit

How state is kept (what Tengo's REPL does with one symbol table and one globals array):
every input is compiled on its own, as a new ``Program``, with every global slot of the
session *predefined* in slot order, so a name defined by an earlier input keeps its slot index;
the new program then runs over the session's single globals list ``G``. Earlier inputs are never
re-executed (their side effects do not repeat), functions defined earlier keep working (a Tengo
function value reads its globals from the ``G`` its caller passes, which is the shared list),
and positions in messages are those of the input itself (``at repl:1:5``), as in Tengo. An
input that fails (parse, compile or runtime error, Ctrl-C) defines nothing: its new globals are
dropped. Assignments it made to existing globals before failing stay made, as in Tengo.

Top-level expression statements print their value, as Tengo's REPL does (it rewrites them into
calls of a ``__repl_println__`` global): a string as is, ``undefined`` as ``<undefined>``,
anything else as Tengo's ``String()``. Assignments print nothing (Tengo's REPL echoes them).

``Repl().eval_input(text)`` runs one input and returns everything it printed (for tests and
embedding); ``main()`` is the loop: prompt_toolkit on a terminal, plain lines from a pipe.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
import sys
import time

from .errors import TengoError, TengoRuntimeError
from .file_modules import add_file_modules, stdlib_imports
from .interp import ast as A
from .interp import token as T
from .interp.parser import parse
from .interp.program import code_position
from .interp.rt import translate_error
from .interp.scanner import Scanner
from .jit import available, default_threshold, enabled_by_default, stats
from .jit_report import print_table
from .compiler import compile_program
from .version import VERSION
from .strings import tengo_repr
from .builtins import BUILTIN_FUNCTIONS
from .values import UserFunction

PROMPT = ">> "
CONTINUATION = ".. "
FILE_NAME = "In[{n}]"             # input n of the session, in traces and the :jit table
COMMANDS = (":help", ":vars", ":jit", ":time", ":reset", ":quit")
PRINTLN = "__repl_println__"

HELP = """\
Enter Tengo statements; the value of an expression statement is printed.
Input continues on the next line while ( [ { are open.
Names defined by earlier inputs stay visible; an input that fails defines nothing.

  :help    this text
  :vars    the globals of this session and their values
  :jit     what the JIT compiled in this session (functions and loops)
  :time    time every input from now on (again: stop); ":time <input>" times one input
  :reset   forget every global (a fresh session)
  :quit    leave (also Ctrl-D)

Tab completes names (globals, builtins, keywords, a module's members after "name.") and
commands; history is kept across sessions (TENGOJIT_HISTORY names the file). Inputs are
numbered: an error at In[3]:1:5 is in the third input.

Ctrl-C cancels the input being typed, or stops the running one."""


class ReplExit(Exception):
    """The session ends (``:quit``, or the script called ``os.exit(code)``)."""

    def __init__(self, code=0):
        super().__init__(code)
        self.code = code


# --------------------------------------------------------------------------- input helpers

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}


def needs_more(text: str) -> bool:
    """True when ``text`` is an unfinished input: an open ( [ {, a raw string or a block
    comment running to the end. Anything else (even an error) is complete: the parser says
    what is wrong with it."""
    unfinished = []

    def err(_offset, msg):
        if msg in ("raw string literal not terminated", "comment not terminated"):
            unfinished.append(msg)

    sc = Scanner(text.encode("utf-8", "surrogatepass"), err)
    depth = 0
    for _ in range(len(text) + 2):
        tok, _lit, _pos = sc.scan()
        if tok == T.EOF:
            break
        if tok in _OPEN:
            depth += 1
        elif tok in _CLOSE:
            depth -= 1
            if depth < 0:
                return False
    return depth > 0 or bool(unfinished)


def display(v) -> str:
    """What Tengo's REPL prints for a value: ``ToString`` (a string as is), undefined as
    ``<undefined>``."""
    if v is None:
        return "<undefined>"
    if type(v) is str:
        return v
    return tengo_repr(v)


def _add_prints(stmts):
    """Tengo's ``addPrints``: each top-level expression statement ``e`` becomes
    ``__repl_println__(e)``."""
    out = []
    for s in stmts:
        if isinstance(s, A.ExprStmt):
            s = A.ExprStmt(s.pos, A.CallExpr(s.pos, A.Ident(s.pos, PRINTLN), [s.expr]))
        out.append(s)
    return out


class _Trace:
    """What ``translate_error`` needs of a Program, over every program of the session (a
    runtime error can pass through functions defined by earlier inputs)."""

    def __init__(self):
        self.code_files = {}
        self.arity = {}
        self._positions = {}

    def add(self, program):
        self.code_files.update(program.code_files)
        self.arity.update(program.arity)

    def position(self, code, lasti):
        return code_position(self._positions, code, lasti)


# --------------------------------------------------------------------------- the core

class Repl:
    """One REPL session: the globals and the programs of every accepted input."""

    def __init__(self, jit: bool = True, jit_threshold=None, modules=None, import_dir=None):
        self.jit = jit
        self.jit_threshold = jit_threshold
        if modules is None:
            modules = stdlib_imports([])
        self.modules = dict(modules)
        self.import_dir = import_dir
        self.reset()

    def reset(self):
        """Forget every global (``:reset``)."""
        self.G = [UserFunction("println", self._println), None]   # + the spare last slot
        self.slots = [PRINTLN]            # name per global slot (hidden ones get "\0<n>")
        self.names = {}                   # visible global name -> slot, in definition order
        self.history = []                 # accepted inputs
        self.programs = []                # every program that ran (JIT records live there)
        self._trace = _Trace()
        self._counter = itertools.count()  # function ids unique across the session
        self.inputs = 0                   # inputs run so far (the n of In[n])
        self.timing = getattr(self, "timing", False)   # :time on (survives :reset)

    # ------------------------------------------------------------------ printing
    @staticmethod
    def _println(*args):
        sys.stdout.write("".join(display(a) for a in args) + "\n")

    # ------------------------------------------------------------------ evaluation
    def eval_input(self, text: str) -> str:
        """Run one input (statements or a ``:command``); return everything it printed.

        Raises ``ReplExit`` for ``:quit`` and ``os.exit()``."""
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            self.execute(text)
        return buf.getvalue()

    def execute(self, text: str, timed: bool = True) -> bool:
        """Run one input, printing on ``sys.stdout``; True when it succeeded. With ``:time``
        on (and ``timed``), its wall time follows its output."""
        src = text.strip()
        if self.timing and timed and src and not src.startswith(":"):
            return self._timed(text)
        return self._execute(text)

    def _execute(self, text):
        src = text.strip()
        if not src:
            return True
        if src.startswith(":"):
            return self.command(src)
        try:
            program = self._compile(text)
        except TengoError as e:
            print(e)
            return False
        self._trace.add(program)
        self.programs.append(program)
        G = self.G
        old = len(self.slots)
        if len(G) < program.num_globals + 1:
            G.extend([None] * (program.num_globals + 1 - len(G)))
        try:
            program.main(G)
        except SystemExit as e:          # os.exit(n)
            _flush()
            raise ReplExit(_exit_code(e.code)) from None
        except KeyboardInterrupt:
            _flush()
            print("interrupted")
            self._drop(old)
            return False
        except TengoError as e:
            _flush()
            print(report(e))
            self._drop(old)
            return False
        except Exception as e:           # noqa: BLE001 - every failure is a Tengo runtime error
            _flush()
            print(report(translate_error(e, self._trace)))
            self._drop(old)
            return False
        self._commit(program)
        self.history.append(text)
        _flush()
        return True

    def _compile(self, text):
        self.inputs += 1
        file = parse(text, FILE_NAME.format(n=self.inputs))
        file.stmts = _add_prints(file.stmts)
        modules = dict(self.modules)
        add_file_modules(text, self.import_dir or os.getcwd(), modules)
        return compile_program(file, modules, predefined=list(self.slots), jit=self.jit,
                               jit_threshold=self.jit_threshold, counter=self._counter)

    def _commit(self, program):
        by_slot = {i: n for n, i in program.global_names.items()}
        for i in range(len(self.slots), program.num_globals):
            name = by_slot.get(i)
            if name is None:
                self.slots.append(f"\0{i}")     # a block's variable: a slot without a name
            else:
                self.slots.append(name)
                self.names[name] = i

    def _drop(self, old):
        """Forget the slots a failed input added (keeping the spare last slot)."""
        del self.G[old:]
        self.G.append(None)

    # ------------------------------------------------------------------ state
    def variables(self) -> dict:
        """{name: value} of the session's globals, in definition order."""
        return {n: self.G[i] for n, i in self.names.items()}

    def jit_stats(self) -> list:
        """``tengojit.jit.stats()`` records of this session's programs."""
        out = []
        for p in self.programs:
            out.extend(stats(p))
        return out

    # ------------------------------------------------------------------ commands
    def command(self, src: str) -> bool:
        name = src.split()[0]
        if name in (":quit", ":q", ":exit"):
            raise ReplExit(0)
        if name in (":help", ":h", ":?"):
            print(HELP)
        elif name == ":vars":
            self._show_vars()
        elif name == ":jit":
            self._show_jit()
        elif name == ":reset":
            self.reset()
            print("session reset")
        elif name == ":time":
            rest = src.strip()[len(name):].strip()
            if not rest:
                self.timing = not self.timing
                print(f"timing {'on' if self.timing else 'off'}")
            else:
                return self._timed(rest)
        else:
            print(f"unknown command {name} (:help lists them)")
            return False
        return True

    def _timed(self, text):
        start = time.perf_counter()
        ok = self.execute(text, timed=False)
        print(f"time: {_duration(time.perf_counter() - start)}")
        return ok

    def value_of(self, name: str):
        """The value of the session's global ``name`` (KeyError when it has none)."""
        return self.G[self.names[name]]

    def _show_vars(self):
        vs = self.variables()
        if not vs:
            print("no globals")
            return
        for n, v in vs.items():
            try:
                shown = tengo_repr(v)
            except TengoError as e:
                shown = f"<{e}>"
            print(f"{n} = {shown}")

    def _show_jit(self):
        recs = self.jit_stats()
        if not self.jit:
            print("the JIT is off in this session")
            return
        if not available():
            print("the JIT is not available here (llvmlite missing or unsupported CPython)")
            return
        if not recs:
            threshold = self.jit_threshold
            if threshold is None:
                threshold = default_threshold()
            print(f"nothing hot yet: a function is compiled after {threshold} calls, "
                  "a top-level loop when it runs")
            return
        print_table(recs, "JIT (this session)")


def _duration(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


_MEMBER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]*)$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


def completions(repl: "Repl", text: str) -> list:
    """What Tab offers for the word that ends ``text`` (the input up to the cursor): the ``:``
    commands at the start of an input; after ``name.``, the keys of the map (a module's
    members) that global ``name`` holds; else the session's globals, builtin functions and
    keywords. Sorted; empty when nothing matches."""
    stripped = text.lstrip()
    if stripped.startswith(":") and " " not in stripped:
        return [c for c in COMMANDS if c.startswith(stripped)]
    m = _MEMBER.search(text)
    if m:
        try:
            value = repl.value_of(m.group(1))
        except KeyError:
            return []
        if not isinstance(value, dict):
            return []
        typed = m.group(2)
        return sorted(k for k in value if k.startswith(typed) and k.isidentifier()
                      and (typed.startswith("_") or not k.startswith("__")))
    m = _WORD.search(text)
    prefix = m.group(0) if m else ""
    if not prefix:
        return []
    names = set(repl.names) | set(BUILTIN_FUNCTIONS) | set(T.KEYWORDS)
    return sorted(n for n in names if n.startswith(prefix) and not n.startswith("__"))


def report(e: TengoError) -> str:
    """An error as people read it: runtime traces with repeated frames counted, not listed."""
    return e.report() if isinstance(e, TengoRuntimeError) else str(e)


def _flush():
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001
        pass


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


# --------------------------------------------------------------------------- the loops

def run_lines(repl: Repl, lines) -> int:
    """Feed lines (from a pipe) to ``repl``; an input continues while ``needs_more``."""
    pending = []
    try:
        for line in lines:
            line = line.rstrip("\r\n")
            if not pending and not line.strip():
                continue
            pending.append(line)
            text = "\n".join(pending)
            if not text.lstrip().startswith(":") and needs_more(text):
                continue
            pending = []
            repl.execute(text)
        if pending:
            repl.execute("\n".join(pending))
    except ReplExit as e:
        return e.code
    return 0


def _key_bindings():
    from prompt_toolkit.key_binding import KeyBindings
    kb = KeyBindings()

    @kb.add("enter")
    def _(event):
        buf = event.current_buffer
        text = buf.text
        if (buf.cursor_position == len(text) and not text.lstrip().startswith(":")
                and needs_more(text)):
            buf.insert_text("\n")
        else:
            buf.validate_and_handle()

    return kb


def history_path() -> str:
    """Where the REPL keeps its history: ``$TENGOJIT_HISTORY``, else
    ``$XDG_STATE_HOME/tengojit/history`` (``~/.local/state/tengojit/history``)."""
    path = os.environ.get("TENGOJIT_HISTORY")
    if path:
        return path
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "tengojit", "history")


def _history():
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    path = history_path()
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
        return FileHistory(path)
    except OSError:                       # read-only home and the like: this session only
        return InMemoryHistory()


def _completer(repl):
    from prompt_toolkit.completion import Completer, Completion

    class TengoCompleter(Completer):
        def get_completions(self, document, complete_event):
            text = document.text_before_cursor
            m = re.search(r"[:A-Za-z0-9_]*$", text)
            word = m.group(0) if m else ""
            if ":" in word and not text.lstrip().startswith(":"):
                word = word.rsplit(":", 1)[1]
            for c in completions(repl, text):
                yield Completion(c, start_position=-len(word))
    return TengoCompleter()


def run_tty(repl: Repl, input=None, output=None) -> int:
    """The interactive loop (prompt_toolkit): numbered prompts, Tab completion, Tengo syntax
    highlighting, history kept in ``history_path()``. ``input``/``output``: prompt_toolkit's
    (tests pass a pipe input)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.lexers import PygmentsLexer
    from .lexer import TengoLexer
    session = PromptSession(history=_history(), multiline=True, key_bindings=_key_bindings(),
                            prompt_continuation=lambda width, line, wrap: CONTINUATION,
                            completer=_completer(repl), complete_while_typing=False,
                            lexer=PygmentsLexer(TengoLexer), input=input, output=output)
    print(f"tengojit {VERSION} REPL (JIT {'on' if repl.jit else 'off'}); "
          ":help for help, Ctrl-D to leave")
    while True:
        try:
            text = session.prompt(f"[{repl.inputs + 1}]{PROMPT}")
        except KeyboardInterrupt:
            continue                     # Ctrl-C: drop the input being typed
        except EOFError:
            return 0                     # Ctrl-D
        try:
            repl.execute(text)
        except ReplExit as e:
            return e.code
        except KeyboardInterrupt:
            print("interrupted")


def main(jit=None, jit_threshold=None) -> int:
    """``tengojit`` with no file: the REPL. Exit status 0 (or what ``os.exit`` asked for).
    ``jit`` None: on unless ``TENGOJIT_JIT=0``."""
    if jit is None:
        jit = enabled_by_default()
    repl = Repl(jit=jit, jit_threshold=jit_threshold)
    if sys.stdin.isatty() and sys.stdout.isatty():
        return run_tty(repl)
    return run_lines(repl, sys.stdin)


if __name__ == "__main__":
    sys.exit(main())
