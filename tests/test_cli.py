"""The ``tengojit FILE`` command (runtime/cli.py)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tengojit.cli import blank_shebang, main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def write(tmp_path, text, name="prog.tengo"):
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(p)


def test_blank_shebang():
    assert blank_shebang(b"#!/usr/bin/env tengojit\na := 1") == b"\na := 1"
    assert blank_shebang(b"#!only") == b""
    assert blank_shebang(b"a := 1") == b"a := 1"


def test_runs_file_with_fmt(tmp_path, capsys):
    path = write(tmp_path, 'fmt := import("fmt")\nfmt.println("hi ", 1 + 2)')
    assert main([path]) == 0
    assert capsys.readouterr().out == "hi 3\n"


def test_shebang_line_keeps_line_numbers(tmp_path, capsys):
    path = write(tmp_path, '#!/usr/bin/env tengojit\na := 1\nb := a + "x"\n')
    assert main([path]) == 1
    err = capsys.readouterr().err
    assert "Runtime Error: invalid operation: int + string" in err
    assert f"at {path}:3:6" in err


def test_compile_error_exit_1(tmp_path, capsys):
    path = write(tmp_path, "a := b")
    assert main([path]) == 1
    assert f"Compile Error: unresolved reference 'b'\n\tat {path}:1:6" in capsys.readouterr().err


def test_parse_error_exit_1(tmp_path, capsys):
    path = write(tmp_path, "a := (")
    assert main([path]) == 1
    assert capsys.readouterr().err.startswith("Parse Error: ")


def test_missing_file(tmp_path, capsys):
    assert main([str(tmp_path / "nope.tengo")]) == 1
    assert "nope.tengo" in capsys.readouterr().err


def test_hello_example_as_module():
    r = subprocess.run([sys.executable, "-m", "tengojit", str(EXAMPLES / "hello.tengo")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["Hello from Tengo!", "squares: [1, 4, 9, 16, 25]",
                                     "fib(20) = 6765"]
