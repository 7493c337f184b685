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


def test_no_file_prints_usage():
    r = tengojit()
    if r.returncode == 2:   # no REPL in this build
        assert "Usage:" in r.stderr


def test_flags():
    r = tengojit("-version")
    assert r.returncode == 0 and r.stdout.strip()
    r = tengojit("-nope")
    assert r.returncode == 2 and "flag provided but not defined: -nope" in r.stderr
    r = tengojit("-help")
    assert r.returncode == 2 and "Usage:" in r.stdout


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
