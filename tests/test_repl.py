"""The REPL (runtime/repl.py): the core driven as a function, then the command in a pipe and
(when tmux is installed) on a terminal."""
from __future__ import annotations

import os
import shutil
import re
import subprocess
import sys
import time
import uuid

import pytest

from tengojit.repl import COMMANDS, Repl, ReplExit, display, needs_more, run_lines


def session(*inputs, **kw):
    """Outputs of feeding ``inputs`` to one fresh session."""
    r = Repl(**kw)
    return r, [r.eval_input(t) for t in inputs]


# ------------------------------------------------------------------ state and printing

def test_state_is_kept_between_inputs():
    _, out = session("a := 1", "a + 2", "b := a * 10", "[a, b]")
    assert out == ["", "3\n", "", "[1, 10]\n"]


def test_expression_statements_print_like_tengo():
    _, out = session('"str"', '["x", 1.5, \'c\']', "undefined", "{a: true}", "1; 2",
                     'fmt := import("fmt")', 'fmt.println("hi")')
    # Tengo's REPL prints ToString(value): a string as is (quoted inside containers),
    # undefined as <undefined> (so a call of fmt.println also prints <undefined>)
    assert out == ['str\n', '["x", 1.5, c]\n', "<undefined>\n", "{a: true}\n", "1\n2\n", "",
                   "hi\n<undefined>\n"]


def test_display():
    assert display("a b") == "a b"
    assert display(None) == "<undefined>"
    assert display([1, "a"]) == '[1, "a"]'


def test_functions_imports_and_later_assignments():
    _, out = session("k := 2", "f := func(x) { return x * k }", "f(5)", "k = 10", "f(5)",
                     'text := import("text")', 'text.to_upper("abc")',
                     "g := func(n) { return f(n) + 1 }", "g(1)")
    assert out[2] == "10\n"
    assert out[4] == "50\n"      # the earlier function reads the global as it is now
    assert out[6] == "ABC\n"
    assert out[8] == "11\n"


def test_side_effects_do_not_repeat():
    _, out = session('fmt := import("fmt")', 'fmt.println("once")', "n := 0",
                     "inc := func() { n += 1; return n }", "inc()", "inc()", "x := 1", "x")
    assert out[1] == "once\n<undefined>\n"
    assert "once" not in "".join(out[2:])
    assert out[4:6] == ["1\n", "2\n"]
    assert out[7] == "1\n"


def test_multi_line_input():
    _, out = session("f := func(a, b) {\n  if a > b {\n    return a\n  }\n  return b\n}",
                     "f(3, 9)", "m := {\n  x: 1,\n  y: [\n    2\n  ]\n}", "m.y[0]")
    assert out == ["", "9\n", "", "2\n"]


def test_needs_more():
    assert needs_more("f := func() {")
    assert needs_more("x := [1,\n2")
    assert needs_more("s := `raw\nstill raw")
    assert needs_more("/* comment")
    assert not needs_more("a := 1")
    assert not needs_more("f := func() { return 1 }")
    assert not needs_more('s := "{"')            # brackets inside strings do not count
    assert not needs_more("x := 1 // {")
    assert not needs_more("a := )")              # an error: complete, the parser reports it


# ------------------------------------------------------------------ errors

def test_errors_print_tengo_messages_and_the_session_continues():
    r, out = session("a := 1", "b := (", "c := a / 0", "d", "a + 1")
    assert out[1] == "Parse Error: expected operand, found 'EOF'\n\tat In[2]:1:7\n"
    assert out[2] == "Runtime Error: division by zero\n\tat In[3]:1:6\n"
    assert out[3] == "Compile Error: unresolved reference 'd'\n\tat In[4]:1:1\n"
    assert out[4] == "2\n"
    assert r.history == ["a := 1", "a + 1"]


def test_a_failing_input_defines_nothing():
    r, out = session("b := 1 / 0", "b", "b := 2", "b", "c := 1; d := c / 0", "c")
    assert out[1].startswith("Compile Error: unresolved reference 'b'")
    assert out[2:4] == ["", "2\n"]
    assert out[5].startswith("Compile Error: unresolved reference 'c'")
    assert list(r.variables()) == ["b"]


def test_redeclaring_is_an_error_as_in_tengo():
    _, out = session("a := 1", "a := 2", "a = 3", "a")
    assert out[1] == "Compile Error: 'a' redeclared in this block\n\tat In[2]:1:1\n"
    assert out[3] == "3\n"


def test_errors_inside_functions_of_earlier_inputs():
    _, out = session("f := func(x) {\n  return x / 0\n}", "f(1)", "f(1, 2)", "f(2) + 1")
    # inputs are numbered: the frame in the function defined by input 1, the call in input 2
    assert out[1] == "Runtime Error: division by zero\n\tat In[1]:2:10\n\tat In[2]:1:1\n"
    assert out[2] == "Runtime Error: wrong number of arguments: want=1, got=2\n\tat In[3]:1:1\n"


def test_block_variables_keep_their_slots():
    _, out = session("a := 1", "if true { z := 5; a = z }", "q := 7", "[a, q]", "z")
    assert out[3] == "[5, 7]\n"
    assert out[4].startswith("Compile Error: unresolved reference 'z'")


# ------------------------------------------------------------------ commands

def test_vars_command():
    r, out = session("a := 1", 's := "x y"', "f := func() {}", "if true { hidden := 1 }", ":vars")
    assert out[-1] == 'a = 1\ns = "x y"\nf = <compiled-function>\n'
    assert Repl().eval_input(":vars") == "no globals\n"


def test_reset_help_unknown_and_quit():
    r, out = session("a := 1", ":reset", "a", ":help", ":nope")
    assert out[1] == "session reset\n"
    assert out[2].startswith("Compile Error: unresolved reference 'a'")
    assert ":jit" in out[3] and ":vars" in out[3]
    assert out[4].startswith("unknown command :nope")
    with pytest.raises(ReplExit) as e:
        r.eval_input(":quit")
    assert e.value.code == 0


def test_os_exit_ends_the_session():
    r = Repl()
    r.eval_input('os := import("os")')
    with pytest.raises(ReplExit) as e:
        r.eval_input("os.exit(3)")
    assert e.value.code == 3


def test_jit_command_shows_a_compiled_function():
    import tengojit.jit as jit
    if not jit.available():
        pytest.skip("the JIT is not available here")
    r = Repl()                                     # JIT on, default threshold
    assert "nothing hot yet" in r.eval_input(":jit")
    r.eval_input("sq := func(x) { return x * x }")
    n = jit.default_threshold() + 500
    assert r.eval_input(f"s := 0; for i := 0; i < {n}; i++ {{ s += sq(i) }}; s") == \
        f"{sum(i * i for i in range(n))}\n"
    out = r.eval_input(":jit")
    row = next(line for line in out.splitlines() if " sq " in line)
    assert "compiled" in row and "(int) -> int" in row and "function" in row
    recs = r.jit_stats()
    assert any(x["name"] == "sq" and x["state"] == "compiled" for x in recs)
    # only this session's records
    other = Repl()
    assert other.jit_stats() == []
    assert "nothing hot yet" in other.eval_input(":jit")


def test_jit_off():
    r = Repl(jit=False)
    r.eval_input("f := func(x) { return x + 1 }")
    assert r.eval_input("s := 0; for i := 0; i < 2000; i++ { s = f(s) }; s") == "2000\n"
    assert r.eval_input(":jit") == "the JIT is off in this session\n"


def test_run_lines(capsys):
    r = Repl()
    code = run_lines(r, ["a := [\n", "1, 2]\n", "\n", "len(a)\n", ":quit\n", "a\n"])
    assert code == 0
    assert capsys.readouterr().out == "2\n"


# ------------------------------------------------------------------ the command

def test_lines_without_a_prompt(capsys, tier):
    """The REPL over lines (a terminal's input whose output goes to a pipe: ``tengojit | tee``);
    a piped *script* runs as a script (tests/test_cli.py)."""
    import io
    from tengojit.repl import Repl, run_lines
    src = ('a := 1\na + 2\nfmt := import("fmt")\nfmt.printf("%d\\n", a)\n'
           "f := func(x) {\n  return x * 3\n}\nf(a)\nx := )\n1/0\n\"done\"\n")
    assert run_lines(Repl(jit=tier == "jit", jit_threshold=0), io.StringIO(src)) == 0
    assert capsys.readouterr().out == ("3\n1\n<undefined>\n3\n"
                                       "Parse Error: expected operand, found ')'\n\tat In[7]:1:6\n"
                                       "Runtime Error: division by zero\n\tat In[8]:1:1\ndone\n")


def test_piped_os_exit_status():
    p = subprocess.run([sys.executable, "-m", "tengojit"], input='os := import("os")\nos.exit(4)\n',
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 4


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tty_session_in_tmux():
    name = "tengojit-repl-" + uuid.uuid4().hex[:8]
    env = dict(os.environ, TERM="xterm")

    def tmux(*args):
        return subprocess.run(["tmux", *args], capture_output=True, text=True, env=env,
                              timeout=30)

    def screen():
        return tmux("capture-pane", "-p", "-t", name).stdout

    def wait_for(text, timeout=30.0):
        end = time.time() + timeout
        while time.time() < end:
            s = screen()
            if text in s:
                return s
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen:\n{screen()}")

    r = tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "30",
             f"{sys.executable} -m tengojit; echo EXIT=$?; sleep 30")
    assert r.returncode == 0, r.stderr
    try:
        assert "JIT on" in wait_for("REPL")
        wait_for("[1]>>")               # (capture-pane drops the trailing space)
        tmux("send-keys", "-t", name, "x := 20", "Enter")
        tmux("send-keys", "-t", name, "f := func(a) {", "Enter")       # continues: { is open
        wait_for("..")
        tmux("send-keys", "-t", name, "return a + x }", "Enter")
        tmux("send-keys", "-t", name, "f(22)", "Enter")
        wait_for("42")
        tmux("send-keys", "-t", name, "abandoned", "C-c")               # Ctrl-C drops it
        tmux("send-keys", "-t", name, "x * 2", "Enter")
        wait_for("40")
        tmux("send-keys", "-t", name, "C-d")
        s = wait_for("EXIT=")
        assert "EXIT=0" in s
        assert "unresolved reference 'abandoned'" not in s
    finally:
        tmux("kill-session", "-t", name)


def test_jit_table_shows_bounded_recursion():
    import tengojit.jit as jit
    if not jit.available():
        pytest.skip("the JIT tier is not available")
    r = Repl()
    r.eval_input("fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }")
    assert r.eval_input("fib(22)") == "17711\n"        # 57,313 calls: compiled on the way
    out = r.eval_input(":jit")
    assert "depth bounded: fib(n)" in out, out


# ------------------------------------------------------------------ completion, timing, history

def test_completions():
    from tengojit.repl import completions
    r, _ = session('fmt := import("fmt")', "my_var := {alpha: 1, beta: 2}", "my_fn := func() {}")
    assert completions(r, "fmt.spr") == ["sprintf"]
    assert completions(r, "fmt.") == ["print", "printf", "println", "sprintf"]
    assert completions(r, "x := my_") == ["my_fn", "my_var"]
    assert completions(r, "my_var.b") == ["beta"]
    assert completions(r, "le") == ["len"]
    assert completions(r, "imm") == ["immutable"]
    assert completions(r, ":j") == [":jit"] and completions(r, ":") == list(COMMANDS)
    assert completions(r, "nope.") == [] and completions(r, "my_fn.") == []
    assert completions(r, "x := ") == []
    assert "__repl_println__" not in completions(r, "_")


def test_tab_completion_through_prompt_toolkit():
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    from tengojit.repl import _completer
    r, _ = session('text := import("text")')
    got = list(_completer(r).get_completions(Document("x := text.to_u"), CompleteEvent()))
    assert [(c.text, c.start_position) for c in got] == [("to_upper", -4)]
    got = list(_completer(r).get_completions(Document(":ti"), CompleteEvent()))
    assert [(c.text, c.start_position) for c in got] == [(":time", -3)]


def test_time_command():
    r, out = session(":time 2 + 3", ":time", "4 * 4", ":time", "5")
    assert re.fullmatch(r"5\ntime: [0-9.]+ (µs|ms|s)\n", out[0]), out[0]
    assert out[1] == "timing on\n"
    assert re.fullmatch(r"16\ntime: [0-9.]+ (µs|ms|s)\n", out[2]), out[2]
    assert out[3] == "timing off\n" and out[4] == "5\n"


def test_terminal_loop_with_history_file(tmp_path, monkeypatch, capsys):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from tengojit.repl import run_tty
    hist = tmp_path / "state" / "history"
    monkeypatch.setenv("TENGOJIT_HISTORY", str(hist))
    with create_pipe_input() as inp:
        inp.send_text("a := 6\r" "a * 7\r" "1 / 0\r" ":quit\r")
        assert run_tty(Repl(jit=False), input=inp, output=DummyOutput()) == 0
    out = capsys.readouterr().out
    assert "42\n" in out and "Runtime Error: division by zero\n\tat In[3]:1:1" in out
    assert [line[1:] for line in hist.read_text().splitlines() if line.startswith("+")] == \
        ["a := 6", "a * 7", "1 / 0", ":quit"]
    with create_pipe_input() as inp:                 # the next session sees the history
        inp.send_text("\x1b[A\r" ":quit\r")         # Up, Enter: runs ":quit" again
        assert run_tty(Repl(jit=False), input=inp, output=DummyOutput()) == 0


def test_tengo_lexer():
    from pygments.token import Comment, Keyword, Name, Number, String
    from tengojit.lexer import TengoLexer
    toks = [(t, v) for t, v in TengoLexer().get_tokens(
        'x := [0x1F, 2.5e3, \'a\', "s\\n", `r`, true] // c\nif len(x) > 1 { undefined }') if v.strip()]
    assert (Name.Variable, "x") in toks and (Number.Hex, "0x1F") in toks
    assert (Number.Float, "2.5e3") in toks and (String.Char, "'a'") in toks
    assert (String.Escape, "\\n") in toks and (String.Backtick, "`r`") in toks
    assert (Keyword.Constant, "true") in toks and (Comment.Single, "// c") in toks
    assert (Keyword, "if") in toks and (Name.Builtin, "len") in toks
    assert (Keyword.Constant, "undefined") in toks


def test_lexer_is_a_pygments_entry_point():
    from importlib.metadata import entry_points
    eps = [ep for ep in entry_points(group="pygments.lexers") if ep.name == "tengo"]
    assert eps and eps[0].value == "tengojit.lexer:TengoLexer"
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    assert type(get_lexer_by_name("tengo")).__name__ == "TengoLexer"
    assert type(get_lexer_for_filename("prog.tengo")).__name__ == "TengoLexer"


class _Terminal:
    """The REPL (``python -m tengojit *args``) under a pseudo-terminal."""

    def __init__(self, *args):
        import pty
        self.pid, self.fd = pty.fork()
        if self.pid == 0:                              # the child: the REPL on the terminal
            os.environ["TERM"] = "xterm"
            os.environ["TENGOJIT_HISTORY"] = os.devnull
            os.environ["PROMPT_TOOLKIT_NO_CPR"] = "1"   # no cursor-position queries to answer
            os.execv(sys.executable, [sys.executable, "-m", "tengojit", *args])
        self.seen = b""
        self.mark = 0                                  # where new output starts

    def write(self, data):
        os.write(self.fd, data)

    def wait_for(self, text, timeout=30.0):
        import select
        end = time.time() + timeout
        while time.time() < end:
            i = self.seen.find(text.encode(), self.mark)
            if i >= 0:
                self.mark = i + len(text)
                return
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    break
        raise AssertionError(f"{text!r} not seen in {self.seen[-500:]!r}")

    def exit_status(self):
        """Ctrl-D, then the exit status (None: it did not exit)."""
        import select
        self.write(b"\x04")
        end, status = time.time() + 30, None
        while status is None and time.time() < end:  # keep reading: a full terminal blocks it
            done, st = os.waitpid(self.pid, os.WNOHANG)
            if done:
                status = st
            elif select.select([self.fd], [], [], 0.1)[0]:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    pass
        return status

    def close(self):
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def test_a_real_terminal():
    """The REPL under a pseudo-terminal: prompt, continuation, Tab completion, output, Ctrl-D."""
    term = _Terminal("-no-jit")
    try:
        term.wait_for("[1]>>")
        term.write(b"val := 20\r")
        term.wait_for("[2]>>")
        term.write(b"le\t")                          # Tab: "le" becomes "len"
        term.wait_for("len")
        term.write(b"([1, 2, 3]) + va\t")
        term.wait_for("+")
        term.wait_for("val")
        term.write(b"\r")
        term.wait_for("23")
        term.wait_for("[3]>>")
        status = term.exit_status()
        assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        term.close()


@pytest.mark.parametrize("flags", [("-no-jit",), ("-jit-threshold", "0")])
def test_ctrl_c_stops_a_running_input(flags):
    """Ctrl-C stops an input that never ends — native code included — and the REPL goes on."""
    term = _Terminal(*flags)
    try:
        term.wait_for("[1]>>")
        term.write(b"spin := func(n) { x := 0; for i := 0; i != n; i++ { x += i }; return x }\r")
        term.wait_for("[2]>>")
        term.write(b"spin(10) + spin(10)\r")        # compiled by now on the JIT tier
        term.wait_for("90")
        term.write(b"spin(-1)\r")
        time.sleep(0.5)
        term.write(b"\x03")                          # Ctrl-C
        term.wait_for("interrupted", timeout=10)
        term.write(b"spin(4)\r")
        term.wait_for("6")
        status = term.exit_status()
        assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        term.close()
