"""The on-disk cache of native code (``tengojit.jit.cache``): what a later process finds, what
it ignores, and what many processes at once leave behind.

JIT-only by nature (the baseline tier makes no native code): skipped with the reason where the
JIT cannot run. Every test uses a directory of its own.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import OptionError
from tengojit.jit import engine as engine_mod
from tengojit.jit.cache import MAGIC, SUFFIX, NativeCache

needs_jit = pytest.mark.skipif(not jit.available(), reason="the JIT cannot run here (llvmlite or "
                               "the C extension is missing): there is no native code to cache")

HOT = r"""
fmt := import("fmt")
fib := func(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }
sum := 0
for i := 0; i < 20000; i++ { sum += i % 7 }
m := {a: 1, b: "xy"}
f := func(x) { return m.a + x + len(m.b) }
t := 0
for i := 0; i < 3000; i++ { t += f(i) }
words := []
for i := 0; i < 50; i++ { words = append(words, string(i)) }
fmt.printf("%d %d %d %d %s\n", fib(22), sum, t, len(words), words[49])
"""
EXPECTED = "17711 59997 4507500 50 49\n"


def run_script(src, cache, **kw):
    """Run ``src`` with the JIT forced on, cache ``cache``; (printed output, compiled records)."""
    import io
    import contextlib
    out = io.StringIO()
    c = Script(src, jit=True, jit_threshold=0, jit_background=False, cache=cache, **kw).compile()
    with contextlib.redirect_stdout(out):
        c.run()
    recs = [r for r in jit.stats(c.program) if r["state"] == "compiled"]
    return out.getvalue(), recs, c


def entries(d):
    return sorted(p for p in Path(d).iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith("."))


@needs_jit
def test_a_second_program_links_what_the_first_compiled(tmp_path):
    out1, recs1, _ = run_script(HOT, NativeCache(tmp_path))
    assert out1 == EXPECTED
    assert recs1 and not any(r["cached"] for r in recs1)
    stored = entries(tmp_path)
    assert len(stored) >= len(recs1)
    cache = NativeCache(tmp_path)
    out2, recs2, _ = run_script(HOT, cache)
    assert out2 == EXPECTED
    assert [r["name"] for r in recs2] == [r["name"] for r in recs1]
    assert all(r["cached"] for r in recs2), recs2
    assert cache.hits >= len(recs2) and cache.stores == 0
    assert entries(tmp_path) == stored


@needs_jit
def test_the_same_code_loaded_twice_in_one_code_space_keeps_both_programs_right(tmp_path):
    """Two programs of one source share a code space and link the same object code: each
    keeps running its own (its globals, its constants), the first after the second arrived."""
    src = "n := 0\nstep := func(k) { n += k; return n * 2 }\nfor i := 0; i < 100; i++ { step(i) }"
    _, _, c1 = run_script(src, NativeCache(tmp_path))
    _, recs2, c2 = run_script(src, NativeCache(tmp_path))
    assert all(r["cached"] for r in recs2)
    assert c1.get("n") == c2.get("n") == 4950
    c1.run()
    assert c1.get("n") == 4950          # globals of its own (a fresh run of c1)
    step1, step2 = c1.get("step"), c2.get("step")
    assert (step1(1), step2(5), step1(1)) == (9902, 9910, 9904)
    assert (c1.get("n"), c2.get("n")) == (4952, 4955)


@needs_jit
def test_ir_names_no_address_of_this_process(tmp_path, monkeypatch):
    """Every address native code uses is a symbol bound at link time: the IR (the cache's key)
    holds none of them, so it is the same in every process."""
    seen = []
    real = engine_mod.Engine.compile

    def spy(self, ir_module, names, owner, pipeline="small", quick=(), bindings=None, cache=None):
        seen.append((str(ir_module), dict(bindings or {})))
        return real(self, ir_module, names, owner, pipeline=pipeline, quick=quick,
                    bindings=bindings, cache=cache)
    monkeypatch.setattr(engine_mod.Engine, "compile", spy)
    out, recs, _ = run_script(HOT, None)
    assert out == EXPECTED and seen
    for text, bindings in seen:
        assert bindings
        assert "inttoptr" not in text
        leaked = [hex(a) for a in bindings.values() if str(a) in text]
        assert not leaked, leaked


@needs_jit
def test_two_processes_make_the_same_keys(tmp_path):
    """Run the command twice on a hot program: the second run loads every module it needs
    (``-jit-stats`` says ``yes`` under ``cached``) and prints the same."""
    prog = tmp_path / "hot.tengo"
    prog.write_text(HOT)
    env = dict(os.environ, TENGOJIT_CACHE_DIR=str(tmp_path / "cache"), TENGOJIT_JIT_BACKGROUND="0")
    cmd = [sys.executable, "-m", "tengojit", "-jit-threshold", "0", "-jit-stats", str(prog)]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout == EXPECTED
    rows = [line for line in second.stderr.splitlines() if "│ compiled" in line]
    assert rows and all("│ yes" in line for line in rows), second.stderr
    assert not any("│ yes" in line for line in first.stderr.splitlines())


@needs_jit
def test_damaged_entries_are_ignored_and_replaced(tmp_path):
    run_script(HOT, NativeCache(tmp_path))
    stored = entries(tmp_path)
    good = {p: p.read_bytes() for p in stored}
    damages = [lambda b: b[:len(b) // 2],                                # truncated
               lambda b: b[:-1] + bytes([b[-1] ^ 0xFF]),                 # a flipped bit
               lambda b: b"\0" * len(b),                                 # zeroed
               lambda b: MAGIC + os.urandom(len(b) - len(MAGIC)),        # garbage after the magic
               lambda b: b""]                                            # empty
    for i, p in enumerate(stored):
        p.write_bytes(damages[i % len(damages)](good[p]))
    cache = NativeCache(tmp_path)
    out, recs, _ = run_script(HOT, cache)
    assert out == EXPECTED
    assert not any(r["cached"] for r in recs)
    assert cache.hits == 0 and cache.stores >= len(stored)
    for p in stored:                                   # rewritten whole
        assert p.read_bytes() == good[p]


@needs_jit
def test_a_different_toolchain_or_cpu_misses(tmp_path, monkeypatch):
    import tengojit.jit.cache as cache_mod
    run_script(HOT, NativeCache(tmp_path))
    n = len(entries(tmp_path))
    monkeypatch.setattr(cache_mod, "_fingerprint", cache_mod.fingerprint() + b"\nanother cpu")
    cache = NativeCache(tmp_path)
    out, recs, _ = run_script(HOT, cache)
    assert out == EXPECTED and cache.hits == 0 and not any(r["cached"] for r in recs)
    assert len(entries(tmp_path)) == 2 * n


@needs_jit
def test_an_unwritable_directory_costs_only_the_compile(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = NativeCache(blocker / "cache")
    out, recs, _ = run_script(HOT, cache)
    assert out == EXPECTED and recs and cache.stores == 0


def test_eviction_keeps_the_most_recently_used(tmp_path):
    cache = NativeCache(tmp_path, max_bytes=10_000)
    body = b"x" * 2_000
    for i in range(4):
        assert cache.store(f"k{i}", body)
        os.utime(tmp_path / f"k{i}{SUFFIX}", (1000 + i, 1000 + i))
    assert cache.load("k0") == body                 # k0 is now the most recently used
    assert cache.store("k4", body)                  # 5 × ~2 KiB > 10 000: evict to ≤ 8 000
    left = {p.name[:-len(SUFFIX)] for p in entries(tmp_path)}
    assert "k0" in left and "k4" in left and "k1" not in left
    assert cache.usage()[1] <= 10_000 * 0.8


def test_store_is_atomic_and_clear_removes_everything(tmp_path):
    cache = NativeCache(tmp_path)
    cache.store("a", b"1" * 100)
    (tmp_path / f".tmp-stray{SUFFIX}").write_bytes(b"half")     # a process killed mid-write
    assert cache.usage()[0] == 1                                # strays are not entries
    assert cache.load("a") == b"1" * 100
    assert cache.clear()[0] == 1
    assert list(tmp_path.iterdir()) == []
    assert cache.load("a") is None


def test_script_cache_option(tmp_path):
    assert Script("a := 1").native_cache is None
    assert Script("a := 1", cache=str(tmp_path)).native_cache.directory == str(tmp_path)
    own = NativeCache(tmp_path, max_bytes=1234)
    assert Script("a := 1", cache=own).native_cache is own
    with pytest.raises(OptionError):
        Script("a := 1", cache=42)
    with pytest.raises(ValueError):
        NativeCache(tmp_path, max_bytes=0)


CONCURRENT = """
fmt := import("fmt")
work := func(n) { s := 0; for i := 0; i < n; i++ { s += i * i % 13 }; return s }
t := 0
for k := 0; k < 300; k++ { t += work(100 + k) }
fmt.println(t)
"""


@needs_jit
def test_eight_processes_share_one_cache(tmp_path):
    """Eight commands start at once on an empty cache, then one more: every run prints the
    right answer, no temporary file is left, every entry is whole, the last run compiles
    nothing."""
    prog = tmp_path / "p.tengo"
    prog.write_text(CONCURRENT)
    expected = subprocess.run([sys.executable, "-m", "tengojit", "-no-jit", str(prog)],
                              capture_output=True, text=True, timeout=120).stdout
    cache_dir = tmp_path / "cache"
    env = dict(os.environ, TENGOJIT_CACHE_DIR=str(cache_dir), TENGOJIT_JIT_BACKGROUND="0")
    cmd = [sys.executable, "-m", "tengojit", "-jit-threshold", "0", "-jit-stats", str(prog)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(8)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert out == expected
    names = os.listdir(cache_dir)
    assert names and not [n for n in names if n.startswith(".tmp-")]
    cache = NativeCache(cache_dir)
    for p in entries(cache_dir):
        assert cache.load(p.name[:-len(SUFFIX)]) is not None       # checksum holds
    last = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert last.stdout == expected
    rows = [line for line in last.stderr.splitlines() if "│ compiled" in line]
    assert rows and all("│ yes" in line for line in rows), last.stderr


@needs_jit
def test_command_flags(tmp_path):
    prog = tmp_path / "hot.tengo"
    prog.write_text(HOT)
    cache_dir = tmp_path / "cache"
    env = dict(os.environ, TENGOJIT_CACHE_DIR=str(cache_dir), TENGOJIT_JIT_BACKGROUND="0")
    base = [sys.executable, "-m", "tengojit", "-jit-threshold", "0"]
    r = subprocess.run(base + ["-no-cache", str(prog)], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.stdout == EXPECTED and not cache_dir.exists()
    r = subprocess.run(base + [str(prog)], capture_output=True, text=True,
                       env=dict(env, TENGOJIT_CACHE="0"), timeout=120)
    assert r.stdout == EXPECTED and not cache_dir.exists()
    r = subprocess.run(base + [str(prog)], capture_output=True, text=True, env=env, timeout=120)
    assert r.stdout == EXPECTED and entries(cache_dir)
    n = len(entries(cache_dir))
    r = subprocess.run([sys.executable, "-m", "tengojit", "-cache-clear"], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0 and f"removed {n} cached module" in r.stdout
    assert entries(cache_dir) == []
    help_text = subprocess.run([sys.executable, "-m", "tengojit", "-help"], capture_output=True,
                               text=True, timeout=60).stdout
    for flag in ("-no-cache", "-cache-clear", "TENGOJIT_CACHE_DIR", "TENGOJIT_CACHE_MAX_MB"):
        assert flag in help_text


def test_environment_chooses_directory_and_bound(tmp_path, monkeypatch):
    monkeypatch.setenv("TENGOJIT_CACHE_DIR", str(tmp_path / "here"))
    monkeypatch.setenv("TENGOJIT_CACHE_MAX_MB", "1.5")
    cache = NativeCache()
    assert cache.directory == str(tmp_path / "here") and cache.max_bytes == int(1.5 * 1024 * 1024)
    monkeypatch.delenv("TENGOJIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("TENGOJIT_CACHE_MAX_MB", "nonsense")
    cache = NativeCache()
    assert cache.directory == str(tmp_path / "xdg" / "tengojit" / "native")
    assert cache.max_bytes == 64 * 1024 * 1024


def test_small_stores_scan_now_and_then_and_keep_the_bound(tmp_path):
    """Entries far smaller than the bound scan the directory on about one store in
    size ÷ (EVICT_SLACK × bound): the directory stays near its bound (the margin below, 60
    entries, is exceeded with probability 0.8**60 ≈ 1e-6)."""
    cache = NativeCache(tmp_path, max_bytes=100_000)
    body = b"y" * 1_000
    for i in range(400):
        cache.store(f"s{i}", body)
    n, size = cache.usage()
    assert size <= 100_000 + 60 * 1_040
    assert n < 400
