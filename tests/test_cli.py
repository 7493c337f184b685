"""The ``tengojit`` command (runtime/cli.py): run as a subprocess (``python -m tengojit``)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tengojit.cli import blank_shebang, main, parse_args

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def write(tmp_path, text, name="prog.tengo"):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(p)


def tengojit(*args, cwd=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "tengojit", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          stdin=subprocess.DEVNULL)


def test_blank_shebang():
    assert blank_shebang(b"#!/usr/bin/env tengojit\na := 1") == b"\na := 1"
    assert blank_shebang(b"#!only") == b""
    assert blank_shebang(b"a := 1") == b"a := 1"


def test_parse_args():
    assert parse_args(["f.tengo", "-x", "y"]) == ({}, "f.tengo", ["-x", "y"])
    assert parse_args(["-resolve", "--", "-f.tengo"]) == ({"resolve": True}, "-f.tengo", [])
    assert parse_args(["-o=out", "f.tengo"]) == ({"o": "out"}, "f.tengo", [])
    assert parse_args([]) == ({}, "", [])


def test_runs_file_with_fmt(tmp_path, capsys):
    path = write(tmp_path, 'fmt := import("fmt")\nfmt.println("hi ", 1 + 2)')
    assert main([path]) == 0
    assert capsys.readouterr().out == "hi 3\n"


def test_every_stdlib_module_importable_including_os(tmp_path):
    path = write(tmp_path, 'os := import("os")\nfmt := import("fmt")\nfmt.println(os.getpid() > 0)')
    r = tengojit(path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "true\n", "")


def test_shebang_line_keeps_line_numbers(tmp_path):
    path = write(tmp_path, '#!/usr/bin/env tengojit\na := 1\nb := a + "x"\n')
    r = tengojit(path)
    assert r.returncode == 1
    # Tengo names the file by its base name
    assert r.stderr == "Runtime Error: invalid operation: int + string\n\tat prog.tengo:3:6\n"


def test_runtime_error_trace_through_functions(tmp_path):
    path = write(tmp_path, 'f := func(x) {\n  return x + "a"\n}\nf(1)\n')
    r = tengojit(path)
    assert r.returncode == 1
    assert r.stderr.startswith("Runtime Error: ")
    assert r.stderr == ("Runtime Error: invalid operation: int + string\n"
                        "\tat prog.tengo:2:10\n\tat prog.tengo:4:1\n")


def test_compile_error_exit_1(tmp_path):
    r = tengojit(write(tmp_path, "a := b"))
    assert r.returncode == 1
    assert r.stderr == "Compile Error: unresolved reference 'b'\n\tat prog.tengo:1:6\n"


def test_parse_error_exit_1(tmp_path):
    r = tengojit(write(tmp_path, "a := ("))
    assert r.returncode == 1 and r.stderr.startswith("Parse Error: ")


def test_missing_file(tmp_path):
    r = tengojit(tmp_path / "nope.tengo")
    assert r.returncode == 1
    assert r.stderr.strip() == \
        f"Error reading input file: open {tmp_path / 'nope.tengo'}: no such file or directory"


def test_os_args_and_exit_status(tmp_path):
    path = write(tmp_path, '''os := import("os")
fmt := import("fmt")
a := os.args()
fmt.println(a)
os.exit(int(a[len(a) - 1]))
fmt.println("not reached")''')
    r = tengojit(path, "x y", "7")
    assert r.returncode == 7
    assert r.stdout == f'["{path}", "x y", "7"]\n'
    assert tengojit(path, "0").returncode == 0


def test_output_flushed_before_error(tmp_path):
    r = tengojit(write(tmp_path, 'fmt := import("fmt")\nfmt.print("partial")\nx := 1 / 0'))
    assert r.returncode == 1 and r.stdout == "partial"
    assert r.stderr.startswith("Runtime Error: division by zero")


def test_file_imports_relative_to_the_importing_file(tmp_path):
    write(tmp_path, 'inner := import("./sub/inner")\n'
                    'export { double: func(x) { return inner.twice(x) } }', "lib/util.tengo")
    write(tmp_path, 'export { twice: func(x) { return x * 2 } }', "lib/sub/inner.tengo")
    write(tmp_path, 'export "plain"', "lib/plain.tengo")
    main_path = write(tmp_path, '''fmt := import("fmt")
u := import("lib/util")
p := import("./lib/plain.tengo")
fmt.println(u.double(21), " ", p)''', "app/../main.tengo")
    # run from another directory: imports follow the file, not the working directory
    r = tengojit(main_path, cwd="/")
    assert (r.returncode, r.stdout, r.stderr) == (0, "42 plain\n", "")


def test_stdlib_module_wins_over_file(tmp_path):
    write(tmp_path, 'export { println: func(x) { return "fake" } }', "fmt.tengo")
    r = tengojit(write(tmp_path, 'fmt := import("fmt")\nfmt.println("real")'))
    assert r.stdout == "real\n"


def test_missing_module_file(tmp_path):
    r = tengojit(write(tmp_path, 'x := import("./nope")'))
    assert r.returncode == 1
    assert "Compile Error: module './nope' not found" in r.stderr


def test_cyclic_file_import(tmp_path):
    write(tmp_path, 'b := import("b")\nexport 1', "a.tengo")
    write(tmp_path, 'a := import("a")\nexport 2', "b.tengo")
    r = tengojit(write(tmp_path, 'x := import("a")'))
    assert r.returncode == 1 and "cyclic module import" in r.stderr


def test_ctrl_c_exits_130_without_traceback(tmp_path):
    path = write(tmp_path, 'fmt := import("fmt")\nfmt.println("started")\nfor { }')
    p = subprocess.Popen([sys.executable, "-m", "tengojit", path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline() == "started\n"
        time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_no_file_and_no_terminal_runs_standard_input():
    """The REPL is for terminals: with standard input from a file or a pipe, the command runs
    it as a script (empty here: nothing printed, status 0)."""
    r = tengojit()
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def piped(src, *args):
    return subprocess.run([sys.executable, "-m", "tengojit", *args], input=src,
                          capture_output=True, text=True, timeout=60)


def test_a_piped_script_runs_with_tengo_exit_codes():
    r = piped('fmt := import("fmt")\nos := import("os")\nfmt.println("hi", os.args())\n')
    assert (r.returncode, r.stdout, r.stderr) == (0, 'hi["-"]\n', "")
    r = piped('fmt := import("fmt")\nfmt.println("before")\nx := 1 / 0\n')
    assert r.returncode == 1 and r.stdout == "before\n"
    assert r.stderr == "Runtime Error: division by zero\n\tat (stdin):3:6\n"
    r = piped('os := import("os")\nos.exit(3)\n')
    assert r.returncode == 3
    r = piped("x := \n")
    assert r.returncode == 1 and r.stderr.startswith("Parse Error:") and "<undefined>" not in r.stdout


def test_dash_reads_the_script_from_standard_input(tmp_path):
    write(tmp_path, 'export func(x) { return x * 2 }', name="lib.tengo")
    r = subprocess.run([sys.executable, "-m", "tengojit", "-no-jit", "-", "a", "b"], cwd=tmp_path,
                       input='fmt := import("fmt")\nos := import("os")\nlib := import("./lib")\n'
                             'fmt.println(lib(21), os.args())\n',
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, '42["-", "a", "b"]\n', "")


def test_deep_recursion_trace_is_collapsed(tmp_path):
    path = write(tmp_path, "f := func(n) { return 1 + f(n + 1) }\nf(0)\n")
    r = tengojit(path)
    lines = r.stderr.splitlines()
    assert r.returncode == 1 and lines[0] == "Runtime Error: stack overflow"
    assert len(lines) < 10, lines
    assert lines[-2].startswith("\t… ") and lines[-2].endswith(" more of the frame above")
    assert lines[-1] == "\tat prog.tengo:2:1"
    repeated = int(lines[-2].split()[1].replace(",", ""))
    assert repeated + len(lines) - 2 > 1000          # the frames are counted, not dropped


def test_flags():
    r = tengojit("-version")
    assert r.returncode == 0 and r.stdout.strip()
    r = tengojit("-nope")
    assert r.returncode == 2 and "flag provided but not defined: -nope" in r.stderr
    for flag in ("-help", "--help", "-h"):
        r = tengojit(flag)
        assert r.returncode == 0 and "Usage:" in r.stdout, flag
    for text in ("-jit-threshold N", "-no-jit", "-jit-sync", "-jit-stats", "TENGOJIT_JIT=0",
                 "TENGOJIT_THRESHOLD=N", "TENGOJIT_JIT_BACKGROUND=0", "tengojit [flags] -"):
        assert text in r.stdout, text


def test_o_flag_not_supported(tmp_path):
    r = tengojit("-o", tmp_path / "out", write(tmp_path, "a := 1"))
    assert r.returncode == 1 and "not supported" in r.stderr
    assert not (tmp_path / "out").exists()


def test_hello_example_as_module():
    r = tengojit(EXAMPLES / "hello.tengo")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["Hello from Tengo!", "squares: [1, 4, 9, 16, 25]",
                                     "fib(20) = 6765"]


def test_executable_script_with_shebang(tmp_path):
    bindir = Path(sys.executable).parent
    if not (bindir / "tengojit").exists():
        import pytest
        pytest.skip("the tengojit console script is not installed next to this Python")
    path = write(tmp_path, f'#!{bindir / "tengojit"}\nfmt := import("fmt")\nfmt.println("ok")')
    os.chmod(path, 0o755)
    r = subprocess.run([path], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (0, "ok\n")


FIB = """fib := func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }
fmt := import("fmt")
fmt.println(fib(20))
"""


def test_jit_flags_parse():
    assert parse_args(["-no-jit", "f.tengo"]) == ({"no-jit": True}, "f.tengo", [])
    assert parse_args(["--jit-threshold", "5", "--jit-stats", "f.tengo"]) == \
        ({"jit-threshold": 5, "jit-stats": True}, "f.tengo", [])
    assert parse_args(["-jit-threshold=0", "f.tengo"])[0] == {"jit-threshold": 0}


def test_timeout_flag(tmp_path):
    assert parse_args(["-timeout", "1.5s", "f.tengo"])[0] == {"timeout": 1.5}
    assert parse_args(["--timeout=250ms", "f.tengo"])[0] == {"timeout": 0.25}
    for bad in ("0", "-1s", "ten", ""):
        r = tengojit("-timeout", bad, write(tmp_path, "for {}"))
        assert r.returncode == 2 and 'invalid value' in r.stderr
    for flags in (["-no-jit"], ["-jit-threshold", "0"]):
        r = tengojit(*flags, "-timeout", "200ms", write(tmp_path, "x := 0\nfor { x++ }"))
        assert r.returncode == 1
        assert r.stderr.startswith("Runtime Error: context deadline exceeded\n\tat ")


def test_jit_on_by_default_with_stats(tmp_path):
    import tengojit.jit as jit
    if not jit.available():
        import pytest
        pytest.skip("llvmlite is not available here: the baseline tier runs, silently")
    r = tengojit("-jit-stats", "-jit-threshold", "3", write(tmp_path, FIB))
    assert r.returncode == 0 and r.stdout == "6765\n"
    assert "fib" in r.stderr and "compiled" in r.stderr and "(int) -> int" in r.stderr


def test_no_jit_flag_and_environment(tmp_path):
    path = write(tmp_path, FIB)
    for args, env in ((["-no-jit"], {}), (["--no-jit"], {}), ([], {"TENGOJIT_JIT": "0"})):
        r = subprocess.run([sys.executable, "-m", "tengojit", "-jit-stats", *args, path],
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, **env})
        assert r.returncode == 0 and r.stdout == "6765\n"
        assert r.stderr == "the JIT was off for this program\n"


def test_bad_jit_threshold(tmp_path):
    r = tengojit("-jit-threshold", "x", write(tmp_path, FIB))
    assert r.returncode == 2
    assert r.stderr.startswith('invalid value "x" for flag -jit-threshold: parse error')
    r = tengojit("-jit-threshold")
    assert r.returncode == 2 and "flag needs an argument: -jit-threshold" in r.stderr


def test_script_jit_default_follows_environment(monkeypatch):
    from tengojit import Script
    monkeypatch.delenv("TENGOJIT_JIT", raising=False)
    assert Script("a := 1").jit is True
    monkeypatch.setenv("TENGOJIT_JIT", "off")
    assert Script("a := 1").jit is False
    assert Script("a := 1", jit=True).jit is True


def test_ctrl_c_stops_native_code(tmp_path):
    # a function compiled at its first call, looping forever natively
    path = write(tmp_path, 'fmt := import("fmt")\n'
                           'f := func(n) { x := 0; for i := 0; i < n; i++ { x = x + i }; return x }\n'
                           'fmt.println("started")\nf(9000000000000000000)')
    p = subprocess.Popen([sys.executable, "-m", "tengojit", "-jit-threshold", "0", "-jit-stats",
                          path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline() == "started\n"
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    import tengojit.jit as jit
    if jit.available():
        assert "compiled" in err      # it really was native code that got interrupted
