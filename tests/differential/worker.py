"""A long-lived tengojit process that runs many programs, for fuzzing at volume.

Protocol (one JSON object per line): the parent writes ``{"path": P, "config": C}`` on the
worker's stdin; the worker runs ``P`` exactly as ``tengojit`` would with the configuration's
flags (``oracle.TENGOJIT_CONFIGS``: ``tengojit.cli.run_file`` with the same options, stdout and
stderr captured) and answers ``{"stdout": ..., "status": ..., "stderr": ...}`` on its stdout.
Running many scripts in one process is also what embedders do, so state leaking from one
program into the next would show up as a mismatch too.

``Runner`` is the parent's side: one worker process, restarted after a timeout or a crash
(which is reported as a mismatch-worthy result, never hidden).
"""
from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys

# (random programs never repeat: the native code cache would only fill up)
CONFIG_OPTIONS = {
    "nojit": {"jit": False, "cache": False},
    "jit": {"jit": None, "jit_threshold": 0, "jit_background": False, "cache": False},
}


def serve() -> None:
    from tengojit.cli import run_file
    real_out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = out, err
        try:
            status = run_file(req["path"], **CONFIG_OPTIONS[req["config"]])
        except BaseException as e:   # noqa: BLE001 - a leak out of the CLI is a finding
            status = -998
            err.write(f"<worker: {type(e).__name__}: {e}>\n")
        finally:
            sys.stdout, sys.stderr = real_out, sys.__stderr__
        real_out.write(json.dumps({"stdout": out.getvalue(), "status": status,
                                   "stderr": err.getvalue()}) + "\n")
        real_out.flush()


class Runner:
    """One worker process; ``run(config, path, timeout)`` → (stdout, status, stderr, timed_out)."""

    def __init__(self):
        self.proc = None

    def _start(self):
        env = dict(os.environ, TENGOJIT_JIT_BACKGROUND="0")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.differential.worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1,
                                     cwd=os.path.dirname(os.path.dirname(os.path.dirname(
                                         os.path.abspath(__file__)))))

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def run(self, config: str, path: str, timeout: float):
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(json.dumps({"path": path, "config": config}) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            return "", -999, "<timeout>", True
        line = self.proc.stdout.readline()
        if not line:                          # the worker died: a crash of the process
            code = self.proc.wait()
            self.proc = None
            return "", -997, f"<worker died: exit {code}>", False
        r = json.loads(line)
        return r["stdout"], r["status"], r["stderr"], False


if __name__ == "__main__":
    serve()
