"""The on-disk cache of native code: object code LLVM made for a module, found again by the
module's IR, so a later process (or a later program in this one) loads it instead of compiling.

Why the IR is the key: the IR a module lowers to is a function of everything its code depends
on (the source, the types it is specialised on, the options that shape the code) and of
nothing else, because the IR names the process's objects and C functions by symbols
(``tj.k3``, ``tj.rt.PyLong_Type``) that the engine binds to this process's addresses when it
links the module (``lower.ModuleBuilder.const_ptr``). The key adds what the IR does not show:
the tengojit, llvmlite, LLVM and CPython versions, the host CPU, and how LLVM is asked to
compile (pass pipeline, code model, optimisation level).

Contract:

- ``NativeCache(directory, max_bytes)``: ``key(ir_text, how)`` → a hex digest;
  ``load(key)`` → the object code, or None (absent, unreadable, corrupt: a bad entry is
  deleted and the caller compiles again, then ``store``s over it); ``store(key, data)`` writes
  atomically (a temporary file in the same directory renamed over the entry), so concurrent
  processes see a whole entry or none, then now and then enforces the size bound (below); ``clear()`` removes every entry; ``usage()`` counts
  them. No method raises for a file-system failure: the cache only ever costs a compile.
- An entry is ``MAGIC``, the SHA-256 of the object code, then the object code. A hit sets the
  entry's modification time. The bound: a store scans the directory with a probability of
  its size ÷ ``EVICT_SLACK`` × ``max_bytes`` (always, for an entry that large), and a scan that
  finds the directory over ``max_bytes`` evicts the entries used longest ago down to 80% of
  it; the directory exceeds the bound by about ``EVICT_SLACK`` of it at most, on average.
- The directory must be as trusted as the code that runs: an entry is machine code this
  process executes (the checksum finds damage, not an attacker). ``default_directory()``:
  ``$TENGOJIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/tengojit/native``, else
  ``~/.cache/tengojit/native``.
"""
from __future__ import annotations

import itertools
import os
import sys
import threading

from tengojit.version import VERSION

__all__ = ["NativeCache", "default_directory"]

MAGIC = b"TJNC0001"
SUFFIX = ".tjo"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_EVICT_TO = 0.8                 # a store that overflows trims to this fraction of the bound
EVICT_SLACK = 0.05              # stores between two scans of the directory: this much of the bound
_temp_names = itertools.count()


def default_directory() -> str:
    """Where the command line (and ``Script(cache=True)``) keeps native code."""
    d = os.environ.get("TENGOJIT_CACHE_DIR")
    if d:
        return d
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tengojit", "native")


def _sha256(data: bytes = b""):
    # hashlib loads OpenSSL (a few ms): imported when a module is compiled or loaded, not
    # when the command starts
    import hashlib
    return hashlib.sha256(data)


def default_max_bytes() -> int:
    """``$TENGOJIT_CACHE_MAX_MB`` (MiB) when set to a positive number, else 64 MiB."""
    try:
        mb = float(os.environ.get("TENGOJIT_CACHE_MAX_MB", ""))
    except ValueError:
        return DEFAULT_MAX_BYTES
    return int(mb * 1024 * 1024) if mb > 0 else DEFAULT_MAX_BYTES


_fingerprint = None


def fingerprint() -> bytes:
    """What the IR does not show but the object code depends on (computed once; llvmlite
    must be importable, which it is wherever a module is compiled)."""
    global _fingerprint
    if _fingerprint is None:
        import llvmlite
        import llvmlite.binding as llvm
        parts = [f"tengojit {VERSION}", f"llvmlite {llvmlite.__version__}",
                 "llvm " + ".".join(map(str, llvm.llvm_version_info)),
                 f"{sys.implementation.cache_tag} {sys.version}", os.uname().machine,
                 llvm.get_process_triple(), llvm.get_host_cpu_name(),
                 llvm.get_host_cpu_features().flatten()]
        _fingerprint = "\n".join(parts).encode()
    return _fingerprint


class NativeCache:
    """A directory of object code keyed by IR (see the module's contract)."""

    def __init__(self, directory: str | os.PathLike | None = None,
                 max_bytes: int | None = None) -> None:
        self.directory = os.fspath(default_directory() if directory is None else directory)
        self.max_bytes = default_max_bytes() if max_bytes is None else int(max_bytes)
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, not {max_bytes!r}")
        self.hits = 0
        self.misses = 0
        self.stores = 0

    def __repr__(self) -> str:
        return f"NativeCache({str(self.directory)!r}, max_bytes={self.max_bytes})"

    @staticmethod
    def key(ir_text: str, how: str) -> str:
        """The entry name of a module: its IR, how LLVM compiles it, and the fingerprint."""
        h = _sha256(fingerprint())
        h.update(b"\0" + how.encode() + b"\0")
        h.update(ir_text.encode())
        return h.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key + SUFFIX)

    def load(self, key: str) -> bytes | None:
        """The object code stored under ``key``, or None (a damaged entry is removed)."""
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError:
            self.misses += 1
            return None
        head = len(MAGIC) + 32
        body = raw[head:]
        if raw[:len(MAGIC)] != MAGIC or len(raw) <= head or \
                _sha256(body).digest() != raw[len(MAGIC):head]:
            self._remove(path)
            self.misses += 1
            return None
        try:
            os.utime(path)            # recently used: evicted last
        except OSError:
            pass
        self.hits += 1
        return body

    def store(self, key: str, data: bytes) -> bool:
        """Write ``data`` under ``key`` atomically, then evict down to the size bound; False
        when the directory cannot be written (nothing else happens)."""
        tmp = os.path.join(self.directory, f".tmp-{os.getpid()}-{threading.get_ident()}-"
                                           f"{next(_temp_names)}{SUFFIX}")
        try:
            os.makedirs(self.directory, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(MAGIC + _sha256(data).digest() + data)
                os.replace(tmp, self._path(key))
            except BaseException:
                self._remove(tmp)
                raise
        except OSError:
            return False
        self.stores += 1
        # listing the directory costs a stat per entry (tens of ms for thousands of them), so
        # a store scans it with a probability proportional to its size: on average once per
        # EVICT_SLACK of the bound written, by whichever processes write it
        chance = len(data) / (EVICT_SLACK * self.max_bytes)
        if chance >= 1 or int.from_bytes(os.urandom(4), "little") < chance * 2 ** 32:
            self._evict(keep=key)
        return True

    def _entries(self):
        """(mtime, size, path) of every entry (temporary files of other processes excluded)."""
        out = []
        try:
            names = os.listdir(self.directory)
        except OSError:
            return out
        for name in names:
            if not name.endswith(SUFFIX) or name.startswith("."):
                continue
            p = os.path.join(self.directory, name)
            try:
                st = os.stat(p)
            except OSError:              # removed by another process meanwhile
                continue
            out.append((st.st_mtime, st.st_size, p))
        return out

    def _evict(self, keep: str) -> None:
        entries = self._entries()
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return
        target = self.max_bytes * _EVICT_TO
        keep_path = self._path(keep)
        for _, size, p in sorted(entries, key=lambda e: e[0]):
            if total <= target:
                break
            if p == keep_path:
                continue
            self._remove(p)
            total -= size

    @staticmethod
    def _remove(path: str) -> None:
        try:
            os.unlink(path)
        except OSError:
            pass

    def usage(self) -> tuple[int, int]:
        """(entries, bytes) in the directory now."""
        entries = self._entries()
        return len(entries), sum(size for _, size, _ in entries)

    def clear(self) -> tuple[int, int]:
        """Remove every entry (and stray temporary files); returns (entries, bytes) removed."""
        n = size = 0
        for _, s, p in self._entries():
            self._remove(p)
            n += 1
            size += s
        try:
            for name in os.listdir(self.directory):
                if name.startswith(".tmp-") and name.endswith(SUFFIX):
                    self._remove(os.path.join(self.directory, name))
        except OSError:
            pass
        return n, size


def resolve(option) -> NativeCache | None:
    """``Script(cache=...)``: None/False → no cache; True → the default directory; a path →
    that directory; a ``NativeCache`` → itself."""
    if option is None or option is False:
        return None
    if option is True:
        return NativeCache()
    if isinstance(option, NativeCache):
        return option
    if isinstance(option, (str, os.PathLike)):
        return NativeCache(option)
    raise TypeError(f"cache must be a bool, a directory or a NativeCache, not "
                    f"{type(option).__name__}")
