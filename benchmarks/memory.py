"""Memory figures per op: allocs/op, B/op (allocator counters) and peak B/op (tracemalloc).

Definitions (docs/benchmarks.md, "What B/op and allocs/op mean here"):

* **allocs/op** — the number of successful calls into CPython's memory allocators (``malloc``,
  ``calloc``, ``realloc`` of the RAW, MEM and OBJ domains) made during one op; a call pymalloc
  forwards to the RAW domain counts once. Exact: an empty op measures 0 allocs and 0 bytes.
* **B/op** — the bytes requested by those calls (a ``realloc`` counts its new size).

These are Go's ``testing`` figures (total heap allocations and bytes per op, whether or not the
memory is freed again before the op ends), measured by a counting hook installed on CPython's
allocators (``_alloccount.c``, built on demand with the system C compiler). Objects CPython
recycles from its free lists (frames, small tuples, floats, …) and small ints never reach the
allocator and are not counted — as Go's stack allocations are not.

* **peak B/op** — tracemalloc's view: ``reset_peak()`` before an op, and the op's peak of traced
  memory above what was traced when it started (``get_traced_memory()[1] - current_before``):
  the most memory the op held at once.

When no C compiler is available, allocs/op and B/op fall back to tracemalloc: B/op = peak B/op
and allocs/op = the net number of blocks still allocated after the op (``snapshot`` diff over K
ops, divided by K). ``method()`` says which definition a run used; run.py records it in the JSON.

Memory is measured in separate passes from timing (hooks slow code down), each op after a
warm-up op, and the figure reported is the median over K ops.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
_SRC = os.path.join(HERE, "_alloccount.c")
_lib = None
_build_error = None


def _build():
    """Compile _alloccount.c into a cached shared library; return its path."""
    src = open(_SRC, "rb").read()
    include = sysconfig.get_paths()["include"]
    key = hashlib.sha1(src + sys.version.encode() + include.encode()).hexdigest()[:16]
    outdir = os.path.join(tempfile.gettempdir(), f"tengojit-bench-{os.getuid() if hasattr(os, 'getuid') else 0}")
    os.makedirs(outdir, exist_ok=True)
    so = os.path.join(outdir, f"_alloccount-{key}.so")
    if not os.path.exists(so):
        cc = (sysconfig.get_config_var("CC") or "cc").split() or ["cc"]
        tmp = so + f".{os.getpid()}.tmp"
        r = subprocess.run(cc + ["-O2", "-shared", "-fPIC", "-I", include, "-o", tmp, _SRC],
                           capture_output=True, text=True)
        if r.returncode != 0:
            r = subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-I", include, "-o", tmp, _SRC],
                               capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("cannot build _alloccount.c: " + (r.stderr or r.stdout)[-300:])
        os.replace(tmp, so)
    return so


def _load():
    global _lib, _build_error
    if _lib is not None or _build_error is not None:
        return _lib
    try:
        lib = ctypes.PyDLL(_build())
        for f in ("alloccount_allocs", "alloccount_bytes", "alloccount_since_allocs",
                  "alloccount_since_bytes"):
            getattr(lib, f).restype = ctypes.c_uint64
        lib.alloccount_install.restype = ctypes.c_int
        lib.alloccount_mark.restype = ctypes.c_int
        lib.alloccount_uninstall.restype = ctypes.c_int
        _lib = lib
    except Exception as e:          # no compiler, no headers, …
        _build_error = str(e)
    return _lib


def method() -> str:
    """``"allocator-counters"`` or ``"tracemalloc-fallback"`` (see the module docstring)."""
    return "allocator-counters" if _load() is not None else "tracemalloc-fallback"


def build_error():
    _load()
    return _build_error


def count_allocs(op, k: int):
    """(allocs/op, B/op) by the allocator counters: medians over ``k`` ops after one warm-up,
    less what reading the counters costs (measured around an empty function)."""
    lib = _load()
    if lib is None:
        raise RuntimeError(_build_error)
    op()
    lib.alloccount_install()
    try:
        # what calling the op and reading the counters costs (0 when nothing allocates)
        a_over, b_over = _count(lib, _nothing, 3)
        allocs, nbytes = _count(lib, op, k)
    finally:
        lib.alloccount_uninstall()
    return max(allocs - a_over, 0), max(nbytes - b_over, 0)


def _nothing():
    pass


def _count(lib, op, k):
    allocs, nbytes = [], []
    mark, since_allocs, since_bytes = (lib.alloccount_mark, lib.alloccount_since_allocs,
                                       lib.alloccount_since_bytes)
    for _ in range(k):
        mark()
        op()
        a = since_allocs()
        b = since_bytes()
        # less the int object made for ``a`` (allocated after it was read, before ``b`` was)
        allocs.append(a)
        nbytes.append(b - (sys.getsizeof(a) if a > 256 else 0))
    return statistics.median(allocs), statistics.median(nbytes)


def peak_bytes(op, k: int):
    """Peak B/op by tracemalloc (median over ``k`` ops after one warm-up), and the net blocks
    still allocated per op (snapshot diff over the ``k`` ops, divided by ``k``)."""
    started = tracemalloc.is_tracing()
    if not started:
        tracemalloc.start(1)
    try:
        op()
        before = tracemalloc.take_snapshot()
        peaks = []
        for _ in range(k):
            cur = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            op()
            peaks.append(tracemalloc.get_traced_memory()[1] - cur)
        after = tracemalloc.take_snapshot()
        net_blocks = sum(s.count_diff for s in after.compare_to(before, "lineno"))
    finally:
        if not started:
            tracemalloc.stop()
    return statistics.median(peaks), max(net_blocks, 0) / k


def measure(op, k: int):
    """{"allocs_per_op", "bytes_per_op", "peak_bytes_per_op"} for ``op``, by ``method()``."""
    peak, net_blocks = peak_bytes(op, k)
    if _load() is not None:
        allocs, nbytes = count_allocs(op, k)
    else:
        allocs, nbytes = net_blocks, peak
    return {"allocs_per_op": allocs, "bytes_per_op": nbytes, "peak_bytes_per_op": peak}
