"""Programs that travel: a compiled script, a context or a closure as *data*.

A payload is the program's source and compile options plus the values of its globals — never
Python code objects and never native code. Loading one in another process compiles the source
there (once per process: programs are cached by the hash of what they were compiled from) and
rebuilds the globals over that process's own copy of the program, so a closure arrives as the
same function over the receiver's own copy of the state.

Contracts:

- ``dump(program, G, kind, fn=None, max_allocs=-1) -> bytes`` encodes; it raises
  ``PayloadError`` for what cannot travel: a program without a recorded origin (the REPL's), a
  host (Python) function anywhere in the globals or in a module given to the script, a value
  of a type Tengo does not have.
- ``load(blob) -> Arrival`` decodes. The blob is read by an unpickler that refuses every
  reference to a Python object (``find_class``), so only plain data can come out of it; every
  field is then checked (format, version, types, function ids, closure shapes) and anything
  else raises ``PayloadError``. Loading never runs Python code named by the payload; it runs
  the Tengo compiler on the payload's source, with only the stdlib modules this process trusts
  (``trust_modules``; ``os`` is not trusted until a host says so).
- Functions travel as "function ``fid`` of this source, with these captured variables": the
  receiver rebuilds them from its own compilation of the same source, so a payload can only be
  read by the same tengojit version that wrote it (function numbering is the compiler's).
- Aliasing and cycles among arrays, maps, error values and captured variables are kept.
- ``cache_info()`` reports this process's program cache (compiles, hits), so a host can check
  that each worker compiled a program once.

Format (version 1): a pickle (protocol 5) of plain data only::

    {"format": "tengojit-program", "version": 1, "tengojit": "<version>",
     "spec": <bytes: pickled program spec>, "kind": "compiled"|"context"|"closure",
     "globals": [item, ...], "nodes": [node, ...], "fn": item|None, "max_allocs": int}

An *item* is an int, float, str, bytes, bool, None, or a 1-tuple ``(i,)`` naming ``nodes[i]``;
nodes are tagged tuples: ``("L", [items])`` array, ``("IA", [items])`` immutable array,
``("M", {str: item})`` map, ``("IM", {str: item})`` immutable map, ``("E", item)`` error,
``("CH", code)`` char, ``("T", iso)`` time, ``("C", item)`` / ``("C0",)`` a captured variable
(set / not yet set), ``("F", fid, [cell refs] | None, {name: item} | None)`` a function,
``("B", name)`` a builtin function, ``("MOD", module)`` / ``("ATTR", module, key)`` a builtin
module's attribute map / one of its attributes. The spec is ``{"src", "name", "modules":
{name: ("stdlib", module) | ("source", text) | ("data", globals-style encoding)},
"predefined": [names], "count_allocs", "profile", "jit", "jit_threshold", "jit_background"}``.
"""
from __future__ import annotations

import io
import threading
from collections import OrderedDict, deque
from datetime import datetime
from types import CellType, CodeType, FunctionType
from typing import Any, NamedTuple

from .builtins import BUILTIN_FUNCTIONS
from .compiler import compile_program
from .errors import PayloadError, TengoError
from .interp.parser import parse
from .limits import RunLimits
from .stdlib import ALL_MODULE_NAMES, DEFAULT_MODULE_NAMES, get_module_map
from .stdlib import name_of as stdlib_name_of
from .values import (BUILTIN_NAMES, Char, Error, ImmutableArray, ImmutableMap, INT64_MAX,
                     INT64_MIN)
from .version import VERSION

FORMAT = "tengojit-program"
FORMAT_VERSION = 3
PROGRAM_CACHE_SIZE = 64

_KINDS = ("compiled", "context", "closure")
_trusted = set(DEFAULT_MODULE_NAMES)
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()
_stats = {"compiles": 0, "hits": 0}


class Arrival(NamedTuple):
    """What ``load`` rebuilt: ``G`` is a fresh globals list (one slot per global, + 1)."""
    kind: str
    program: Any
    G: list
    fn: Any
    max_allocs: int


def trust_modules(*names: str) -> None:
    """Let payloads loaded in this process use these stdlib modules (``os`` is not trusted by
    default: a payload naming it is refused until the host calls ``trust_modules("os")``)."""
    for name in names:
        if name not in ALL_MODULE_NAMES:
            raise PayloadError(f"no stdlib module named {name!r}")
        _trusted.add(name)


def cache_info() -> dict:
    """This process's program cache: ``{"compiles", "hits", "size"}``."""
    with _cache_lock:
        return {**_stats, "size": len(_cache)}


def origin(src: str | bytes, name: str, modules: dict, predefined: list, *, count_allocs: bool,
           profile: bool, jit: bool, jit_threshold: int, jit_background: bool,
           run_limits: tuple | None = None) -> dict:
    """What ``Script.compile`` records on a program so that it can travel."""
    return {"src": src, "name": name, "modules": dict(modules), "predefined": list(predefined),
            "count_allocs": bool(count_allocs), "profile": bool(profile), "jit": bool(jit),
            "jit_threshold": int(jit_threshold), "jit_background": bool(jit_background),
            "limits": None if run_limits is None else tuple(int(x) for x in run_limits)}


# ---------------------------------------------------------------------------------- writing
def dump(program: Any, G: list, kind: str, fn: Any = None, max_allocs: int = -1) -> bytes:
    """The payload of ``program`` with globals ``G`` (and closure ``fn`` for kind "closure")."""
    org = program.origin
    if org is None:
        raise PayloadError("this program cannot travel: it was not compiled from one source "
                           "(REPL programs cannot be sent to another process)")
    import pickle         # loaded when a payload is first written or read: start-up stays light
    spec = dict(org, modules={name: _module_spec(name, mod) for name, mod in org["modules"].items()})
    enc = _Encoder(program)
    globals_ = [enc.item(v) for v in G[:program.num_globals]]
    fn_item = enc.item(fn) if fn is not None else None
    enc.finish()
    data = {"format": FORMAT, "version": FORMAT_VERSION, "tengojit": VERSION,
            "spec": pickle.dumps(spec, protocol=5), "kind": kind, "globals": globals_,
            "nodes": enc.nodes, "fn": fn_item, "max_allocs": int(max_allocs)}
    return pickle.dumps(data, protocol=5)


def _module_spec(name, mod):
    std = stdlib_name_of(mod)
    if std is not None:
        return ("stdlib", std)
    if isinstance(mod, (str, bytes)):
        return ("source", mod)
    enc = _Encoder(None, module=name)
    root = enc.item(mod if isinstance(mod, (dict, ImmutableMap)) else _not_data(mod, name))
    enc.finish()
    return ("data", (root, enc.nodes))


def _not_data(mod, name):
    raise PayloadError(f"module '{name}' cannot travel: a {type(mod).__name__}, not a map")


class _Encoder:
    """Flattens a graph of Tengo values into ``nodes`` (no recursion: deep values are fine)."""

    def __init__(self, program, module=None):
        self.program = program
        self.module = module                        # encoding a host module's data
        self.known = _index(program)[0] if program is not None else {}
        self.nodes = []
        self.memo = {}                              # id(object) -> ref
        self.keep = []                              # the objects whose ids are in memo
        self.pending = deque()
        self.draining = False

    def item(self, v):
        """The item for ``v``: the value itself for scalars, else a reference to its node."""
        t = type(v)
        if t is int and not INT64_MIN <= v <= INT64_MAX:
            raise PayloadError(f"int {v} does not fit Tengo's int64")
        ref = self._slot(v)
        if not self.draining:
            self.finish()
        return ref

    def finish(self):
        """Build every node still pending (breadth first: deep values need no recursion)."""
        self.draining = True
        try:
            while self.pending:
                i, v = self.pending.popleft()
                self.nodes[i] = self._node(v)
        finally:
            self.draining = False

    def _node(self, v):
        t = type(v)
        known = self.known.get(id(v))
        if known is not None:
            return known
        if t is list:
            return ("L", [self._slot(x) for x in v])
        if t is dict:
            return ("M", {self._key(k): self._slot(x) for k, x in v.items()})
        if t is ImmutableArray:
            return ("IA", [self._slot(x) for x in v])
        if t is ImmutableMap:
            return ("IM", {self._key(k): self._slot(x) for k, x in v.items()})
        if t is Error:
            return ("E", self._slot(v.value))
        if t is Char:
            return ("CH", v.code)
        if t is CellType:
            try:
                return ("C", self._slot(v.cell_contents))
            except ValueError:
                return ("C0",)
        if isinstance(v, datetime):
            return ("T", v.isoformat())
        if t is FunctionType:
            name = BUILTIN_NAMES.get(v)
            if name is not None and BUILTIN_FUNCTIONS.get(name) is v:
                return ("B", name)
            return self._function(v)
        where = f" in module '{self.module}'" if self.module else ""
        if callable(v):
            fname = getattr(v, "name", None) or getattr(v, "__name__", type(v).__name__)
            raise PayloadError(f"host function '{fname}'{where} cannot travel: only Tengo values, "
                               "Tengo functions and the standard library can be sent to another process")
        raise PayloadError(f"a {type(v).__name__} value{where} cannot travel")

    def _slot(self, x):
        """``item`` without building the node now (called while a node is being built)."""
        t = type(x)
        if t is int:
            if INT64_MIN <= x <= INT64_MAX:
                return x
            raise PayloadError(f"int {x} does not fit Tengo's int64")
        if t is float or t is str or t is bytes or t is bool or x is None:
            return x
        ref = self.memo.get(id(x))
        if ref is not None:
            return ref
        ref = self.memo[id(x)] = (len(self.nodes),)
        self.keep.append(x)
        self.nodes.append(None)
        self.pending.append((ref[0], x))
        return ref

    @staticmethod
    def _key(k):
        if type(k) is not str:
            raise PayloadError(f"map keys must be strings, not {type(k).__name__}")
        return k

    def _function(self, f):
        program = self.program
        info = program.function_info(f) if program is not None else None
        if info is None or f.__globals__ is not program.ns:
            raise PayloadError("a function of another program (or a host function) cannot "
                               "travel with this one")
        cells = None if f.__closure__ is None else [self._slot(c) for c in f.__closure__]
        kwd = f.__kwdefaults__
        kwd = None if kwd is None else {k: self._slot(x) for k, x in kwd.items()}
        return ("F", info.fid, cells, kwd)


def _index(program):
    """``(by id: object -> node, by node: node -> object)`` of the values a program reaches
    without being given them: builtin modules' attribute maps and their attributes."""
    if program is None:
        return {}, {}
    idx = program.state.payload_index
    if idx is None:
        by_id, by_node = {}, {}
        for name, attrs in program.imported_builtin_modules().items():
            node = ("MOD", name)
            by_id[id(attrs)] = node
            by_node[node] = attrs
            for key, v in attrs.items():
                if type(v) not in _DATA_TYPES:
                    node = ("ATTR", name, key)
                    by_id.setdefault(id(v), node)
                    by_node[node] = v
        idx = program.state.payload_index = (by_id, by_node)
    return idx


_DATA_TYPES = frozenset({int, float, str, bytes, bool, type(None)})


# ---------------------------------------------------------------------------------- reading
def _data_only_unpickler(blob):
    """An unpickler over ``blob`` that builds plain data only: any reference to a Python
    object is refused."""
    import pickle         # loaded when a payload is first written or read: start-up stays light

    class DataOnly(pickle.Unpickler):
        def find_class(self, module, name):
            raise PayloadError(f"corrupt or tampered payload: it names a Python object "
                               f"({module}.{name}); payloads are data only")
    return DataOnly(io.BytesIO(bytes(blob)))


# the opcodes pickle's protocol 5 uses for plain data (see _picklescan.c)
_DATA_OPCODES = frozenset({
    "PROTO", "FRAME", "BININT1", "BININT2", "BININT", "BINFLOAT", "BINGET", "LONG_BINGET",
    "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "SHORT_BINBYTES",
    "BINBYTES", "BINBYTES8", "EMPTY_DICT", "EMPTY_LIST", "EMPTY_TUPLE", "MEMOIZE", "MARK",
    "NONE", "NEWTRUE", "NEWFALSE", "TUPLE1", "TUPLE2", "TUPLE3", "TUPLE", "APPEND", "APPENDS",
    "SETITEM", "SETITEMS", "STOP"})


def _scan_python(blob):
    """The pure-Python twin of ``_picklescan.scan``: ValueError unless ``blob`` is a pickle of
    the opcodes tengojit's payloads use, with every memo reference to a value memoized before
    it and STOP at the end (no PUT opcode: its index would size the unpickler's memo)."""
    import pickletools
    blob = bytes(blob)
    memo = 0
    end = None
    try:
        for op, arg, pos in pickletools.genops(blob):
            if op.name not in _DATA_OPCODES or (op.name == "PROTO" and pos != 0):
                raise ValueError(f"opcode {op.name} at offset {pos}")
            if op.name == "MEMOIZE":
                memo += 1
            elif op.name == "FRAME" and arg > len(blob) - pos - 9:
                raise ValueError(f"a frame longer than the payload at offset {pos}")
            elif op.name in ("BINGET", "LONG_BINGET") and arg >= memo:
                raise ValueError(f"a memo reference to nothing memoized at offset {pos}")
            elif op.name == "STOP":
                end = pos + 1
    except ValueError:
        raise
    except Exception as e:            # noqa: BLE001 - genops's own complaints (bad UTF-8, ...)
        raise ValueError(f"{type(e).__name__}: {e}") from None
    if end != len(blob):
        raise ValueError("data after STOP")


def _scan(blob):
    """Check ``blob``'s opcodes before unpickling (C when built, else Python)."""
    global _scan
    try:
        from ._picklescan import scan
    except ImportError:
        scan = _scan_python
    _scan = scan
    return scan(blob)


def _unpickle(blob):
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise PayloadError(f"a payload is bytes, not {type(blob).__name__}")
    try:
        _scan(blob)
    except ValueError as e:
        raise PayloadError(f"corrupt or tampered payload: {e}") from None
    try:
        return _data_only_unpickler(blob).load()
    except TengoError:
        raise
    except Exception as e:            # noqa: BLE001 - any unpickling failure is a bad payload
        raise PayloadError(f"corrupt payload: {type(e).__name__}: {e}") from None


def load(blob: bytes) -> Arrival:
    """Rebuild what ``dump`` wrote (see the module docstring for what is checked)."""
    data = _unpickle(blob)
    if type(data) is not dict or data.get("format") != FORMAT:
        raise PayloadError("not a tengojit program payload")
    if data.get("version") != FORMAT_VERSION or data.get("tengojit") != VERSION:
        raise PayloadError(f"payload format {data.get('version')!r} written by tengojit "
                           f"{data.get('tengojit')!r}; this is tengojit {VERSION} (format "
                           f"{FORMAT_VERSION}): send the source and compile it here instead")
    kind = data.get("kind")
    if kind not in _KINDS:
        raise PayloadError(f"payload of unknown kind {kind!r}")
    spec_bytes = data.get("spec")
    if type(spec_bytes) is not bytes:
        raise PayloadError("corrupt payload: no program spec")
    program = _program(spec_bytes)
    nodes, globals_ = data.get("nodes"), data.get("globals")
    if type(nodes) is not list or type(globals_) is not list or len(globals_) != program.num_globals:
        raise PayloadError("corrupt payload: the globals do not fit the program")
    dec = _Decoder(program, nodes)
    G = [dec.item(x) for x in globals_] + [None]
    fn = dec.item(data.get("fn"))
    if kind == "closure" and type(fn) is not FunctionType:
        raise PayloadError("corrupt payload: a closure payload without a Tengo function")
    max_allocs = data.get("max_allocs", -1)
    if type(max_allocs) is not int:
        raise PayloadError("corrupt payload: max_allocs")
    return Arrival(kind, program, G, fn, max_allocs)


def _program(spec_bytes):
    """The compiled program of a spec, from this process's cache or compiled now (once)."""
    import hashlib        # loaded when a payload is first read: start-up stays light
    key = hashlib.sha256(spec_bytes).digest()
    with _cache_lock:
        program = _cache.get(key)
        if program is not None:
            _cache.move_to_end(key)
            _stats["hits"] += 1
            return program
        spec = _check_spec(_unpickle(spec_bytes))
        modules = {name: _module_from_spec(name, m) for name, m in spec["modules"].items()}
        org = origin(spec["src"], spec["name"], modules, spec["predefined"],
                     count_allocs=spec["count_allocs"], profile=spec["profile"], jit=spec["jit"],
                     jit_threshold=spec["jit_threshold"], jit_background=spec["jit_background"],
                     run_limits=spec["limits"])
        program = compile_program(parse(spec["src"], spec["name"]), modules,
                                  predefined=spec["predefined"], count_allocs=spec["count_allocs"],
                                  profile=spec["profile"], jit=spec["jit"],
                                  jit_threshold=spec["jit_threshold"],
                                  jit_background=spec["jit_background"], origin=org,
                                  run_limits=None if spec["limits"] is None
                                  else RunLimits(*spec["limits"]))
        if program.num_globals < len(spec["predefined"]):
            raise PayloadError("corrupt payload: predefined names")
        _cache[key] = program
        _stats["compiles"] += 1
        while len(_cache) > PROGRAM_CACHE_SIZE:
            _cache.popitem(last=False)
        return program


_SPEC_FIELDS = {"src": (str, bytes), "name": (str,), "modules": (dict,), "predefined": (list,),
                "count_allocs": (bool,), "profile": (bool,), "jit": (bool,),
                "jit_threshold": (int,), "jit_background": (bool,), "limits": (type(None), tuple)}


def _check_spec(spec):
    if type(spec) is not dict or set(spec) != set(_SPEC_FIELDS):
        raise PayloadError("corrupt payload: program spec")
    for field, types in _SPEC_FIELDS.items():
        if type(spec[field]) not in types:
            raise PayloadError(f"corrupt payload: program spec field {field!r}")
    if not all(type(n) is str for n in spec["predefined"]) or spec["jit_threshold"] < 0:
        raise PayloadError("corrupt payload: program spec")
    lim = spec["limits"]
    if lim is not None and (len(lim) != len(RunLimits._fields) or any(type(x) is not int or x < 0 for x in lim)):
        raise PayloadError("corrupt payload: program spec field 'limits'")
    return spec


def _module_from_spec(name, m):
    if type(name) is not str or type(m) is not tuple or len(m) != 2:
        raise PayloadError("corrupt payload: module table")
    how, what = m
    if how == "stdlib":
        if what not in ALL_MODULE_NAMES:
            raise PayloadError(f"corrupt payload: no stdlib module {what!r}")
        if what not in _trusted:
            raise PayloadError(f"the payload imports stdlib module '{what}', which this process "
                               f"does not trust (tengojit.payload.trust_modules('{what}') allows it)")
        return get_module_map(what)[what]
    if how == "source":
        if type(what) not in (str, bytes):
            raise PayloadError("corrupt payload: module source")
        return what
    if how == "data" and type(what) is tuple and len(what) == 2 and type(what[1]) is list:
        value = _Decoder(None, what[1]).item(what[0])
        if not isinstance(value, dict):
            raise PayloadError("corrupt payload: module data")
        return value
    raise PayloadError("corrupt payload: module table")


class _Decoder:
    """Rebuilds the nodes of a payload over ``program``; every field is checked."""

    def __init__(self, program, nodes):
        self.program = program
        self.nodes = nodes
        self.objects = [None] * len(nodes)
        by_node = _index(program)[1]
        # phase 1: an empty object per node (cells and containers first: functions need cells)
        for i, node in enumerate(nodes):
            if type(node) is not tuple or not node or type(node[0]) is not str:
                _corrupt("node")
            tag = node[0]
            if tag == "F":
                continue
            self.objects[i] = self._shell(tag, node, by_node)
        for i, node in enumerate(nodes):
            if node[0] == "F":
                self.objects[i] = self._function(node)
        # phase 2: contents
        for i, node in enumerate(nodes):
            self._fill(node, self.objects[i])

    def _shell(self, tag, node, by_node):
        n = len(node)
        if tag in ("L", "IA") and n == 2 and type(node[1]) is list:
            return [] if tag == "L" else ImmutableArray()
        if tag in ("M", "IM") and n == 2 and type(node[1]) is dict:
            return {} if tag == "M" else ImmutableMap()
        if tag == "E" and n == 2:
            return Error(None)
        if tag == "CH" and n == 2 and type(node[1]) is int and 0 <= node[1] <= 0x10FFFF:
            return Char(node[1])
        if tag == "T" and n == 2 and type(node[1]) is str:
            try:
                return datetime.fromisoformat(node[1])
            except ValueError:
                _corrupt("time")
        if tag in ("C", "C0") and n == (2 if tag == "C" else 1):
            return CellType()
        if tag == "B" and n == 2 and node[1] in BUILTIN_FUNCTIONS:
            return BUILTIN_FUNCTIONS[node[1]]
        if tag in ("MOD", "ATTR"):
            v = by_node.get(node)
            if v is None:
                raise PayloadError(f"corrupt payload: {'.'.join(map(str, node[1:]))} is not "
                                   "a module value of this program")
            return v
        _corrupt(f"node {tag!r}")

    def _function(self, node):
        program = self.program
        if program is None or len(node) != 4 or type(node[1]) is not int:
            _corrupt("function")
        _, fid, cells, kwd = node
        code = program.ns.get(f"_C{fid}")
        if type(code) is not CodeType or fid not in program.functions:
            raise PayloadError(f"corrupt payload: no function {fid} in this program")
        nfree = len(code.co_freevars)
        if nfree == 0 and cells is not None or nfree and (type(cells) is not list or len(cells) != nfree):
            _corrupt("function's captured variables")
        closure = None
        if cells:
            closure = tuple(self._cell(c) for c in cells)
        kwonly = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
        if (kwd is None) != (not kwonly) or kwd is not None and (type(kwd) is not dict or set(kwd) != set(kwonly)):
            _corrupt("function's bound variables")
        return FunctionType(code, program.ns, code.co_name, None, closure)

    def _cell(self, ref):
        obj = self._ref(ref)
        if type(obj) is not CellType:
            _corrupt("captured variable")
        return obj

    def _ref(self, x):
        if type(x) is not tuple or len(x) != 1 or type(x[0]) is not int or not 0 <= x[0] < len(self.nodes):
            _corrupt("reference")
        return self.objects[x[0]]

    def item(self, x):
        """A value: a scalar, or a reference to a node that is a value (not a captured
        variable's cell)."""
        t = type(x)
        if t is int:
            if not INT64_MIN <= x <= INT64_MAX:
                _corrupt("int")
            return x
        if t is float or t is str or t is bytes or t is bool or x is None:
            return x
        obj = self._ref(x)
        if type(obj) is CellType:
            _corrupt("a captured variable used as a value")
        return obj

    def _fill(self, node, obj):
        tag = node[0]
        if tag == "L" or tag == "IA":
            list.extend(obj, [self.item(x) for x in node[1]])
        elif tag == "M" or tag == "IM":
            for k, x in node[1].items():
                if type(k) is not str:
                    _corrupt("map key")
                dict.__setitem__(obj, k, self.item(x))
        elif tag == "E":
            obj.value = self.item(node[1])
        elif tag == "C":
            obj.cell_contents = self.item(node[1])
        elif tag == "F" and node[3] is not None:
            obj.__kwdefaults__ = {k: self.item(x) for k, x in node[3].items()}


def _corrupt(what):
    raise PayloadError(f"corrupt payload: {what}")
