"""The ``tengojit`` command sets the cyclic collector's thresholds of its own process
(``cli.COMMAND_GC_THRESHOLD``); running scripts through the API leaves a host's alone."""
from __future__ import annotations

import gc
import subprocess
import sys

from tengojit import Script, cli


def test_the_command_sets_its_collector_thresholds(tmp_path):
    prog = tmp_path / "p.tengo"
    prog.write_text('fmt := import("fmt")\nfmt.println("ok")\n')
    code = ("import gc, sys\n"
            "from tengojit import cli\n"
            f"sys.argv = ['tengojit', {str(prog)!r}]\n"
            "try:\n    cli.command()\nexcept SystemExit:\n    pass\n"
            "print(gc.get_threshold())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert lines[0] == "ok"
    assert out.stdout.strip().endswith(str(cli.COMMAND_GC_THRESHOLD))


def test_the_api_leaves_the_hosts_thresholds_alone():
    before = gc.get_threshold()
    c = Script('x := [{a: 1}, {b: [2]}]', jit=False).compile()
    c.run()
    assert gc.get_threshold() == before
