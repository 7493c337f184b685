"""The REPL (runtime/repl.py): the core driven as a function, then the command in a pipe and
(when tmux is installed) on a terminal."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from tengojit.repl import Repl, ReplExit, display, needs_more, run_lines


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
    assert out[1] == "Parse Error: expected operand, found 'EOF'\n\tat repl:1:7\n"
    assert out[2] == "Runtime Error: division by zero\n\tat repl:1:6\n"
    assert out[3] == "Compile Error: unresolved reference 'd'\n\tat repl:1:1\n"
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
    assert out[1] == "Compile Error: 'a' redeclared in this block\n\tat repl:1:1\n"
    assert out[3] == "3\n"


def test_errors_inside_functions_of_earlier_inputs():
    _, out = session("f := func(x) {\n  return x / 0\n}", "f(1)", "f(1, 2)", "f(2) + 1")
    assert out[1] == "Runtime Error: division by zero\n\tat repl:2:10\n\tat repl:1:1\n"
    assert out[2] == "Runtime Error: wrong number of arguments: want=1, got=2\n\tat repl:1:1\n"


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
                                       "Parse Error: expected operand, found ')'\n\tat repl:1:6\n"
                                       "Runtime Error: division by zero\n\tat repl:1:1\ndone\n")


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
        wait_for(">>")                  # (capture-pane drops the trailing space)
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
