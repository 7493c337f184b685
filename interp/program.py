"""The Program: the shared, read-only result of compiling a script (stage 5).

A Program owns the namespace the generated Python code runs in (runtime helpers, builtins,
constants, compiled source modules), the map from generated code objects to Tengo file names
(for error traces), and per-function arity (for Tengo's wrong-argument-count messages).
Nothing in it changes after ``compile_main`` returns; every context shares it.
"""
from __future__ import annotations

import time
import itertools
import warnings
from types import CodeType

from . import codegen
from .parser import parse
from .rt import runtime_namespace
from ..builtins import BUILTIN_FUNCTIONS
from ..ops import deep_copy
from ..values import ImmutableMap


OSR_ITERATIONS = 500
OSR_NESTED_ITERATIONS = 2    # a loop with a nested loop: each iteration is long


class FunctionInfo:
    """What the runtime knows of one Tengo function prototype (for stats and the profiler)."""
    __slots__ = ("fid", "name", "file", "line", "col", "nparams", "variadic")

    def __init__(self, fid, name, file, line, col, nparams, variadic):
        self.fid, self.name, self.file, self.line, self.col = fid, name, file, line, col
        self.nparams, self.variadic = nparams, variadic

    def __repr__(self):
        return f"<function {self.name or '(anonymous)'} at {self.file}:{self.line}:{self.col}>"



def code_position(cache, code, lasti):
    """Tengo (line, col) of the instruction at byte offset ``lasti`` of generated ``code``
    (the codegen stamps Tengo positions on every node), or None; ``cache`` maps code objects
    to their position lists."""
    pos = cache.get(code)
    if pos is None:
        pos = cache[code] = list(code.co_positions())
    i = lasti // 2
    if 0 <= i < len(pos):
        line, _, col, _ = pos[i]
        if line is not None and col is not None:
            return line, col + 1
    return None

class ProgramState:
    """What changes while a program runs, shared by every context of it: the JIT's records,
    installed entries and machine code, and the host API's per-program caches. It sits beside
    the compiled program, which does not change once ``compile_main`` returns (only its
    namespace does: the JIT installs its entries there, where the generated code finds them)."""
    __slots__ = ("jit_records", "jit_bound", "jit_keepalive", "jit_code", "host_natives",
                 "host_on_error", "payload_index", "jit_born", "jit_spot_ms")

    def __init__(self):
        self.jit_records = {}        # (kind, id) -> jit.dispatch.Record
        self.jit_bound = {}          # fid -> jit.dispatch.NativeEntries
        self.jit_keepalive = []      # specialisation graphs whose code is installed
        self.jit_code = None         # the CodeOwner of the program's machine code (jit.engine)
        self.host_natives = None     # id(code) -> host entry (context._program_natives)
        self.host_on_error = None    # the host-call trampoline's error callback
        self.payload_index = None    # builtins and module values by name (payload._index)
        self.jit_born = time.perf_counter()   # (jit_background="auto": the budget's clock)
        self.jit_spot_ms = 0.0       # ms of compiles done on the spot, not by the worker


class Program:
    """A compiled script: its generated code, namespace and tables, shared read-only by every
    context; ``state`` holds what changes while it runs. Assigning an attribute after
    ``compile_main`` raises ``AttributeError``."""

    def __setattr__(self, name, value):
        if getattr(self, "_frozen", False):
            raise AttributeError(f"a compiled Program is read-only (setting {name!r})")
        object.__setattr__(self, name, value)

    def __init__(self, modules=None, count_allocs=False, profile=False, jit=None,
                 jit_threshold=None, counter=None, jit_background=False, origin=None,
                 run_limits=None, native_cache=None):
        """``jit``: None for the baseline tier alone, else the JIT tier's installer, called
        with this program once its code is generated and before it runs (it puts the names
        the JIT prologues call into ``ns``; see ``jit.dispatch.install``). The code generator
        never imports the JIT: it is handed to it here."""
        self.count_allocs = count_allocs          # generate max_allocs bookkeeping
        # what the program was compiled from (source, options), for programs that travel to
        # other processes (``payload``); None when it cannot be rebuilt from one source (REPL)
        self.origin = origin
        # the script's own size limits (``limits.RunLimits``) or None: the host API's entries
        # push them for the thread that runs the program
        self.run_limits = run_limits
        self.jit = jit is not None      # (native code counts allocations as generated code does)
        self._jit_install = jit
        self.profile = profile or self.jit         # generate per-function call counters
        self.jit_threshold = jit_threshold
        self.jit_background = jit_background     # hot code compiles on the JIT's worker thread
        # the JIT's on-disk cache of object code (``jit.cache.NativeCache``) or None
        self.native_cache = native_cache
        self.jit_loop_threshold = 0 if jit_threshold == 0 else 1
        # iterations of one run of a main-body loop after which it continues natively
        self.jit_osr_iterations = OSR_ITERATIONS
        self.jit_osr_nested_iterations = OSR_NESTED_ITERATIONS
        self.jit_loop_frames = {}     # loop id -> the Symbols a function loop's region uses
        self.state = ProgramState()
        self._jit_sources = {}
        self._jit_loops = []
        self.functions = {}                       # function id -> FunctionInfo
        self.modules = dict(modules or {})      # name -> str/bytes (source) | dict (builtin module)
        self.ns = runtime_namespace()
        self.ns["__builtins__"] = __builtins__
        # marks the namespace as a program's, so a function's __globals__ tells whether it is
        # a Tengo function of this program, of another one, or a host function
        self.ns["__tengo_program__"] = True
        # function ids: a REPL input continues the numbering of the inputs before it
        self.counter = itertools.count() if counter is None else counter
        self.builtin_names = set(BUILTIN_FUNCTIONS)
        self.code_files = {}                    # code object -> Tengo file name
        self.arity = {}                         # function id -> (num params, variadic)
        self._positions = {}
        self._consts = {}
        self._imported = {}                     # module name -> ("source", fn name) | ("builtin", const)
        self._import_stack = []
        self.main = None
        self.global_names = {}
        self.num_globals = 0

    # ---------------------------------------------------------------- used by codegen
    def add_const(self, value):
        name = f"_K{len(self._consts)}"
        self._consts[name] = value
        self.ns[name] = value
        return name

    def builtin_ref(self, name):
        ref = "_B_" + name
        if ref not in self.ns:
            self.ns[ref] = BUILTIN_FUNCTIONS[name]
        return ref

    def register_function(self, fid, nparams, variadic, name="", file="", pos=(0, 0)):
        self.arity[fid] = (nparams, variadic)
        self.functions[fid] = FunctionInfo(fid, name, file, pos[0], pos[1], nparams, variadic)

    # ---------------------------------------------------------------- what the JIT needs
    def register_jit_function(self, fid, node, res, free_syms, filename):
        self._jit_sources[fid] = (node, res, free_syms, filename)

    def register_jit_loop(self, node, res, fid, filename):
        self._jit_loops.append((node, res, fid))
        self._jit_sources.setdefault(fid, (None, res, [], filename))
        return len(self._jit_loops) - 1

    @property
    def jit_loops(self):
        return self._jit_loops

    def jit_source(self, fid):
        node, res, _, _ = self._jit_sources[fid]
        return node, res, self.ns.get(f"_C{fid}")

    def jit_free_symbols(self, fid):
        """The captured symbols of function ``fid`` as the JIT sees them; None when the code
        generator did not prepare it for the JIT."""
        src = self._jit_sources.get(fid)
        return None if src is None else src[2]

    def jit_file(self, fid):
        return self._jit_sources[fid][3]

    def function_info(self, fn):
        """The FunctionInfo of a compiled Tengo function value, or None for other callables."""
        code = getattr(fn, "__code__", None)
        if code is None or code not in self.code_files or not code.co_name.startswith("_tf"):
            return None
        return self.functions.get(int(code.co_name[3:]))

    def call_counts(self):
        """``{FunctionInfo: calls}`` for every function called at least once (needs profile=True)."""
        cnt = self.ns.get("_CNT")
        if cnt is None:
            return {}
        return {info: cnt[fid] for fid, info in self.functions.items() if cnt[fid]}

    def imported(self, name):
        """``("source", function name)`` or ``("builtin", constant name)`` of a module this
        program imports (names in ``ns``), or None."""
        return self._imported.get(name)

    def imported_builtin_modules(self):
        """``{module name: the attribute map scripts see}`` of every builtin module imported."""
        return {name: self.ns[ref[1]] for name, ref in self._imported.items() if ref[0] == "builtin"}

    def import_module(self, name, builder, pos):
        if name in self._import_stack:
            builder.error(pos, f"cyclic module import: {name}")
        if name in self._imported:
            return self._imported[name]
        if name == "" :
            builder.error(pos, "empty module name")
        if name not in self.modules:
            builder.error(pos, f"module '{name}' not found")
        mod = self.modules[name]
        if hasattr(type(mod), "tengo_load"):        # a module loaded on first import
            mod = mod.tengo_load()
            if mod is None:
                builder.error(pos, f"module '{name}' not found")
        if hasattr(type(mod), "tengo_fresh"):       # state of its own per program (rand)
            mod = mod.tengo_fresh()
        if isinstance(mod, (str, bytes)):
            self._import_stack.append(name)
            try:
                file = parse(mod, name)
                mb = codegen.ModuleBuilder(self, file, is_module=True)
                tree, fname = mb.build_main()
                self._exec(tree, name)
            finally:
                self._import_stack.pop()
            ref = ("source", fname)
        else:
            # as the reference's AsImmutableMap: the attributes copied (a script that changes
            # an array it got from a module changes its own copy, never the host's module or
            # another program's), plus the module's name
            try:
                attrs = {k: deep_copy(v) for k, v in mod.items()}
            except RecursionError:
                builder.error(pos, f"module '{name}' holds a value that contains itself")
            attrs["__module_name__"] = name
            ref = ("builtin", self.add_const(ImmutableMap(attrs)))
        self._imported[name] = ref
        return ref

    # ---------------------------------------------------------------- compiling
    def _exec(self, tree, filename):
        with warnings.catch_warnings():
            # Python's compiler warns about code it can tell will fail (``None(1)`` for
            # ``undefined(1)``); in Tengo that is a run-time error, reported when it runs
            warnings.simplefilter("ignore", SyntaxWarning)
            code = compile(tree, f"<tengo:{filename}>", "exec")
        self._register_codes(code, filename)
        exec(code, self.ns)
        # code objects of functions, for self-tail-call identity checks (_C<fid>)
        stack = [code]
        while stack:
            c = stack.pop()
            if c.co_name.startswith("_tf"):
                self.ns["_C" + c.co_name[3:]] = c
            stack.extend(k for k in c.co_consts if isinstance(k, CodeType))

    def _register_codes(self, code, filename):
        stack = [code]
        while stack:
            c = stack.pop()
            self.code_files[c] = filename
            stack.extend(k for k in c.co_consts if isinstance(k, CodeType))

    def compile_main(self, file, predefined=()):
        mb = codegen.ModuleBuilder(self, file, is_module=False, predefined=predefined)
        tree, fname = mb.build_main()
        if self.profile:
            self.ns["_CNT"] = [0] * (max(self.functions) + 1)
        if self.jit:
            self._jit_install(self)
        self._exec(tree, file.name)
        self.main = self.ns[fname]
        self.global_names = dict(mb.res.global_names)
        self.num_globals = mb.res.num_globals
        self._frozen = True
        return self

    def position(self, code, lasti):
        """Tengo (line, col) of the instruction at byte offset ``lasti`` of generated code."""
        return code_position(self._positions, code, lasti)
