"""Random, valid, terminating, deterministic Tengo programs from a seed.

Contract: ``generate(seed, mode="general"|"hot", math_funcs=False) -> str`` returns the text of
one Tengo program. The same arguments always give the same text. The program

- parses and compiles on the reference implementation;
- terminates quickly (loop counts are literals, recursion depth is bounded, a rough cost model
  keeps nested calls inside loops small);
- is deterministic: it never prints a map with more than one key, never lets a result depend on
  map iteration order (multi-key maps are only summed over with int ``+``), never appends to an
  array whose backing store may be shared (Go slice capacity aliasing, docs/language.md #3),
  uses ``rand`` only after ``rand.seed``, uses ``times`` only on fixed instants in fixed zones
  (never ``now``/``since``/``until``/``sleep``) and avoids ``os`` (its results depend on the
  process: arguments, files, environment);
- runs without a runtime error except, in some programs, in the very last statement, which is
  chosen to fail (division by zero, bad index, calling a non-function, wrong argument count,
  operator type errors, ...).

Output is printed with ``fmt.println`` / ``fmt.printf`` / ``fmt.print`` one value at a time.

``avoid_known=True`` steers clear of known mismatch classes so fuzzing finds new ones: no
``-0.0`` literals, no closures created inside top-level loops (a JIT capture bug).

``math_funcs=False`` (the default) keeps transcendental ``math`` functions (sin, log, pow, ...)
out of the output: their last bits are being worked on elsewhere. The exact ones (floor, ceil,
abs, sqrt, min, max, trunc, ...) are always used.

Generation is type-directed: every variable has a static type (``INT``, ``FLOAT``, ``STR`` ...)
and expressions are built only from operators and calls that are valid for their operand types.
Reads that could give ``undefined`` (array/map lookups, failed conversions) are wrapped as
``(x || default)`` so their type stays known.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

INT, FLOAT, STR, BOOL, CHAR = "int", "float", "str", "bool", "char"
ARR, SARR, MAP, MAP1, BYTES, ERR, IMM = "arr", "sarr", "map", "map1", "bytes", "err", "imm"
SCALARS = (INT, FLOAT, STR, BOOL, CHAR)
TIME_ZONES = ('"UTC"', '"UTC"', '"Asia/Tokyo"', '"America/New_York"')
TIME_TEXTS = ('"2021-03-04T05:06:07Z"', '"1999-12-31T23:59:59+09:00"', '"2024-02-29T12:00:00-05:30"')
DURATION_TEXTS = ('"1h30m"', '"-2.5s"', '"300ms"', '"1h2m3s4ms5us6ns"')
PRINTABLE = (INT, FLOAT, STR, BOOL, CHAR, ARR, SARR, MAP1, BYTES, ERR, IMM)

INT_EDGES = ["9223372036854775807", "(-9223372036854775807 - 1)", "0x7fffffffffffffff",
             "4611686018427387904", "-4611686018427387905", "2147483647", "-2147483648",
             "4294967296", "0", "1", "-1", "63", "64", "65", "-64", "0b1011", "0o17", "0xff",
             "3037000500", "-3037000500", "1000000007"]
FLOAT_EDGES = ["0.0", "-0.0", "1.5", "-2.25", "0.1", "1e300", "-1e300", "1e-300", "5e-324",
               "1.7976931348623157e308", "(0.0 / 0.0)", "(1.0 / 0.0)", "(-1.0 / 0.0)",
               "9007199254740993.0", "1e21", "123456.789", "0.3", "2.5", "-0.5", "1e15",
               "9.223372036854775807e18", "-9.3e18"]
STR_LITS = ['""', '"a"', '"abc"', '"Hello, World"', '"a\\tb"', '"line\\n2"', '"q\\"uote"',
            '"\\u00e9t\\u00e9"', '"\\x41\\x42"', '"\\101"', '`raw\\n`', '"  pad  "', '"a,b,,c"',
            '"x y  z"', '"\\u4e16\\u754c"', '"AbC"', '"123"', '"-42"', '"3.5"', '"true"',
            '"0x1f"', '"\\U0001F600"', '"a-b_c"', '"1_000"', '" 7 "']
CHAR_LITS = ["'a'", "'z'", "'A'", "'0'", "'9'", "'\\n'", "'\\t'", "'\\u00e9'", "' '",
             "'\\x7f'", "'\\u4e16'", "'_'", "'\\''"]
FMT_VERBS = {INT: ["%d", "%5d", "%-4d", "%x", "%X", "%o", "%b", "%+d", "%v", "%08d", "%c"],
             FLOAT: ["%f", "%.2f", "%8.3f", "%e", "%g", "%v", "%.0f", "%G", "%E", "%-9.1f"],
             STR: ["%s", "%q", "%v", "%10s", "%-6s", "%x", "%.2s"],
             BOOL: ["%t", "%v"], CHAR: ["%c", "%v", "%q"],
             ARR: ["%v"], SARR: ["%v"], MAP1: ["%v"], IMM: ["%v"]}

JSON_DOCS = ['`[1, 2.5, "x", null]`', '`{"a": {"b": [true]}}`', '`{bad`', '`1e400`', '`-0`',
             '`9223372036854775808`', '`"\\u00e9"`', '`[1e2, -0.0, 12345678901234567890]`']
BAD_RHS = ['"s"', '[1]', 'true', '{}', 'undefined', 'error(1)', '1.5', "'c'"]
BAD_L = ['1.5', '2', '"a"', 'true', '[1]', '{}', 'undefined', "'c'", 'bytes(1)', 'error(2)']
BAD_R = ['1.5', '{}', '"b"', '[2]', 'undefined', 'false', "'d'", '3', 'immutable({})']
FMT_CHARS = ["'f'", "'e'", "'g'", "'b'", "'x'"]

EXACT_MATH1 = ["floor", "ceil", "abs", "sqrt", "trunc", "round"]
EXACT_MATH2 = ["min", "max", "copysign", "dim"]
INEXACT_MATH1 = ["sin", "cos", "tan", "exp", "log", "log2", "log10", "atan", "sinh", "tanh",
                 "cbrt", "expm1", "log1p", "erf", "gamma"]
INEXACT_MATH2 = ["pow", "atan2", "hypot", "mod", "remainder"]


@dataclass
class Var:
    name: str
    type: str
    writable: bool = True
    depth: int = 0          # function nesting depth where declared


@dataclass
class Func:
    name: str
    arity: int
    ret: str
    cost: int
    writes_outer: bool
    variadic: bool = False


@dataclass
class Scope:
    vars: list = field(default_factory=list)
    funcs: list = field(default_factory=list)


class Gen:
    """One program under construction. ``lines`` collects the output, indented by block."""

    def __init__(self, seed: int, mode: str = "general", math_funcs: bool = False,
                 avoid_known: bool = False):
        self.rng = random.Random(seed)
        self.mode = mode
        self.math_funcs = math_funcs
        self.avoid_known = avoid_known
        self.lines: list[str] = []
        self.indent = 0
        self.scopes: list[Scope] = [Scope()]
        self.counter = 0
        self.func_depth = 0
        self.loop_depth = 0         # loops inside the current function
        self.mult = 1               # product of enclosing loop counts (cost model)
        self.cost = 0               # cost of the function body being generated
        self.cur_func_writes = False
        self.func_stack: list[list[Var]] = []
        self.no_impure_calls = 0

    # ------------------------------------------------------------------ helpers
    def r(self, n: int) -> int:
        return self.rng.randrange(n)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    @staticmethod
    def unary(op: str, operand: str) -> str:
        """``op`` applied to ``operand`` without forming ``--``/``++`` tokens."""
        return f"{op}({operand})" if operand.startswith(("-", "+")) else f"{op}{operand}"

    def qs(self, *words: str) -> str:
        """One of ``words`` as a Tengo string literal."""
        return '"' + self.pick(words) + '"'

    def fresh(self, prefix: str = "v") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def declare(self, name: str, type_: str, writable: bool = True) -> Var:
        v = Var(name, type_, writable, self.func_depth)
        self.scopes[-1].vars.append(v)
        return v

    def vars_of(self, type_: str, writable: bool = False) -> list[Var]:
        out = []
        for s in self.scopes:
            for v in s.vars:
                if v.type == type_ and (v.writable or not writable):
                    out.append(v)
        return out

    def funcs(self) -> list[Func]:
        return [f for s in self.scopes for f in s.funcs]

    def push(self) -> None:
        self.scopes.append(Scope())

    def pop(self) -> None:
        self.scopes.pop()

    # ------------------------------------------------------------------ literals
    def int_lit(self) -> str:
        k = self.r(10)
        if k < 5:
            return str(self.r(20) - 5)
        if k < 7:
            return str(self.rng.randint(-100000, 100000))
        if k < 9:
            return self.pick(INT_EDGES)
        return hex(self.r(1 << 40))

    def float_lit(self) -> str:
        k = self.r(10)
        if k < 4:
            return self.pick(FLOAT_EDGES if not self.avoid_known else
                             [f for f in FLOAT_EDGES if f != "-0.0"])
        if k < 8:
            return f"{self.rng.uniform(-100, 100):.3f}"
        return repr(self.rng.choice([0.5, 0.25, 3.0, 1e10, 1e-5, 7.0, 1e16]))

    # ------------------------------------------------------------------ expressions
    def expr(self, t: str, d: int = 0) -> str:
        return getattr(self, "e_" + t)(d)

    def var_or(self, t: str, d: int, fallback) -> str:
        vs = self.vars_of(t)
        if vs and self.chance(0.6):
            return self.pick(vs).name
        return fallback(d)

    def small_int(self) -> str:
        return str(self.r(8))

    def e_int(self, d: int) -> str:
        if d > 3 or self.chance(0.25):
            vs = self.vars_of(INT)
            if vs and self.chance(0.7):
                return self.pick(vs).name
            return self.int_lit()
        k = self.r(24)
        a = lambda: self.e_int(d + 1)
        if k < 6:
            op = self.pick(["+", "-", "*", "&", "|", "^", "&^", "+", "-"])
            return f"({a()} {op} {a()})"
        if k < 8:
            op = self.pick(["/", "%"])
            div = self.pick([f"({a()} | 1)", str(self.pick([3, 7, -2, 1, -1, 10, 64]))])
            return f"({a()} {op} {div})"
        if k < 9:
            op = self.pick(["<<", ">>"])
            sh = self.pick([f"({a()} & 63)", str(self.r(70)), "-1", a()])
            return f"({a()} {op} {sh})"
        if k < 10:
            return self.unary(self.pick(['-', '^', '+']), a())
        if k < 11:
            return f"({self.e_bool(d + 1)} ? {a()} : {a()})"
        if k < 12:
            return f"len({self.pick([self.e_str, self.e_arr, self.e_map, self.e_sarr])(d + 1)})"
        if k < 13:
            return f"int({self.e_float(d + 1)})"
        if k < 14:
            return f"(int({self.pick([self.e_str, self.e_char, self.e_bool])(d + 1)}) || 0)"
        if k < 15:
            arr = self.var_or(ARR, d + 1, self.e_arr)
            return f"({arr}[{a()} & 7] || 0)"
        if k < 16:
            m = self.var_or(MAP, d + 1, self.e_map)
            return f"({m}[{self.qs('a', 'b', 'k')}] || 0)"
        if k < 17:
            call = self.call_expr(INT, d)
            if call:
                return call
            return a()
        if k < 18:
            return self.stdlib_int(d)
        if k < 19:
            return f"int({self.e_char(d + 1)} - {self.e_char(d + 1)})"
        if k < 20:
            imm = self.var_or(IMM, d + 1, lambda d: "immutable([4, 5, 6])")
            return f"({imm}[{self.r(5)}] || 0)"
        if k < 21:
            return f"({self.pick(self.vars_of(INT) or [Var('7', INT)]).name} {self.pick(['+', '*', '-'])} {self.int_lit()})"
        return f"({a()} {self.pick(['+', '-', '*'])} {a()})"

    def stdlib_int(self, d: int) -> str:
        s = lambda: self.e_str(d + 1)
        k = self.r(12)
        if k >= 10:
            return self.times_int(d)
        if k == 0:
            return f"text.index({s()}, {s()})"
        if k == 1:
            return f"text.count({s()}, {self.qs('a', 'b', ',')})"
        if k == 2:
            return f"text.compare({s()}, {s()})"
        if k == 3:
            return f"text.last_index_any({s()}, {s()})"
        if k == 4:
            return f"text.atoi(text.itoa({self.e_int(d + 1)}))"
        if k == 5:
            return f"rand.intn({self.r(1000) + 1})"
        if k == 6:
            return f"len(text.fields({s()}))"
        if k == 7:
            return f"len({self.pick(['base64.encode', 'hex.encode', 'base64.raw_url_encode'])}({s()}))"
        if k == 8:
            return f"(enum.find_key({self.var_or(ARR, d + 1, self.e_arr)}, func(k, v) {{ return v > {self.int_lit()} }}) || -1)"
        return f"len(json.encode({self.var_or(ARR, d + 1, self.e_arr)}))"

    def e_float(self, d: int) -> str:
        if d > 3 or self.chance(0.25):
            vs = self.vars_of(FLOAT)
            if vs and self.chance(0.7):
                return self.pick(vs).name
            return self.float_lit()
        k = self.r(14)
        f = lambda: self.e_float(d + 1)
        if k < 5:
            return f"({f()} {self.pick(['+', '-', '*', '/'])} {f()})"
        if k < 7:
            if self.chance(0.5):
                return f"({f()} {self.pick(['+', '-', '*', '/'])} {self.e_int(d + 1)})"
            return f"({self.e_int(d + 1)} {self.pick(['+', '-', '*', '/'])} {f()})"
        if k < 8:
            return self.unary("-", f())
        if k < 9:
            return f"float({self.e_int(d + 1)})"
        if k < 10:
            return f"({self.e_bool(d + 1)} ? {f()} : {f()})"
        if k < 11:
            fn = self.pick(EXACT_MATH1 + (INEXACT_MATH1 if self.math_funcs else []))
            if fn == "round":
                fn = "floor"
            return f"math.{fn}({f()})"
        if k < 12:
            fn = self.pick(EXACT_MATH2 + (INEXACT_MATH2 if self.math_funcs else []))
            return f"math.{fn}({f()}, {f()})"
        if k < 13:
            return self.pick([f"(float({self.e_str(d + 1)}) || 0.5)", "rand.float()",
                              f"math.inf({self.int_lit()})", "math.nan()", "math.pi",
                              "math.maxFloat64", "math.smallestNonzeroFloat64", "math.e"])
        call = self.call_expr(FLOAT, d)
        return call or f()

    def e_bool(self, d: int) -> str:
        if d > 3 or self.chance(0.2):
            vs = self.vars_of(BOOL)
            if vs and self.chance(0.6):
                return self.pick(vs).name
            return self.pick(["true", "false"])
        k = self.r(12)
        cmp = self.pick(["<", "<=", ">", ">=", "==", "!="])
        if k < 3:
            t1, t2 = self.pick([(INT, INT), (FLOAT, FLOAT), (INT, FLOAT), (FLOAT, INT), (STR, STR),
                                (CHAR, CHAR), (CHAR, INT), (INT, CHAR)])
            return f"({self.expr(t1, d + 1)} {cmp} {self.expr(t2, d + 1)})"
        if k < 4:
            t = self.pick([BOOL, ARR, SARR, BYTES, MAP1])
            return f"({self.expr(t, d + 1)} {self.pick(['==', '!='])} {self.expr(t, d + 1)})"
        if k < 5:
            return f"!{self.expr(self.pick(SCALARS + (ARR, ERR)), d + 1)}"
        if k < 6:
            return f"({self.e_bool(d + 1)} {self.pick(['&&', '||'])} {self.e_bool(d + 1)})"
        if k < 8:
            t = self.pick(PRINTABLE + (MAP,))
            fn = self.pick(["is_int", "is_float", "is_string", "is_bool", "is_char", "is_bytes",
                            "is_array", "is_map", "is_immutable_array", "is_immutable_map",
                            "is_error", "is_undefined", "is_function", "is_callable",
                            "is_iterable"])
            return f"{fn}({self.expr(t, d + 1)})"
        if k < 9:
            s = lambda: self.e_str(d + 1)
            fn = self.pick(["contains", "has_prefix", "has_suffix", "equal_fold", "contains_any"])
            return f"text.{fn}({s()}, {s()})"
        if k < 10:
            return f"bool({self.expr(self.pick(SCALARS + (ARR, BYTES)), d + 1)})"
        if k < 11:
            return f"is_undefined({self.var_or(MAP, d + 1, self.e_map)}.{self.pick(['a', 'zz', 'k'])})"
        return f"text.re_match({self.qs('^a', '[0-9]+', 'b+c?', '^$')}, {self.e_str(d + 1)})"

    def e_str(self, d: int) -> str:
        if d > 3 or self.chance(0.3):
            vs = self.vars_of(STR)
            if vs and self.chance(0.6):
                return self.pick(vs).name
            return self.pick(STR_LITS)
        k = self.r(16)
        s = lambda: self.e_str(d + 1)
        if k < 3:
            other = self.pick(PRINTABLE)
            return f"({s()} + {self.expr(other, d + 1)})"
        if k < 4:
            return f"string({self.expr(self.pick(PRINTABLE), d + 1)})"
        if k < 6:
            t = self.pick([INT, FLOAT, STR, BOOL, CHAR, ARR, SARR, MAP1])
            verb = self.pick(FMT_VERBS[t])
            if t == CHAR and verb == "%c":
                verb = "%v"
            return f"format(\"<{verb}>\", {self.expr(t, d + 1)})"
        if k < 7:
            x = self.var_or(STR, d + 1, lambda d: self.pick(STR_LITS))
            lo = f"({self.e_int(d + 1)} & 3) % (len({x}) + 1)"
            return f"{x}[{lo}:]" if self.chance(0.5) else f"{x}[:{lo}]"
        if k < 8:
            fn = self.pick(["to_upper", "to_lower", "title", "trim_space", "quote", "to_title"])
            return f"text.{fn}({s()})"
        if k < 9:
            fn = self.pick(["trim", "trim_left", "trim_right", "trim_prefix", "trim_suffix"])
            return f"text.{fn}({s()}, {s()})"
        if k < 10:
            return f"text.repeat({s()}, {self.r(4)})"
        if k < 11:
            return f"text.replace({s()}, {self.qs('a', '', 'b')}, {s()}, {self.r(4) - 1})"
        if k < 12:
            sa = self.var_or(SARR, d + 1, self.e_sarr)
            return f"text.join({sa}, {self.qs(',', '', '-')})"
        if k < 13:
            fn = self.pick(["itoa", "format_int"])
            if fn == "itoa":
                return f"text.itoa({self.e_int(d + 1)})"
            return f"text.format_int({self.e_int(d + 1)}, {self.pick([2, 8, 16, 36, 10])})"
        if k < 14:
            return self.pick([
                f"text.format_float({self.e_float(d + 1)}, {self.pick(FMT_CHARS)}, {self.r(6) - 1}, 64)",
                f"string({self.pick(['base64.encode', 'hex.encode', 'base64.url_encode', 'base64.raw_encode'])}({s()}))",
                f"string(json.encode({self.expr(self.pick([INT, FLOAT, STR, BOOL, ARR, SARR, MAP1]), d + 1)}))",
                f"text.pad_left({s()}, {self.r(8)}, {self.qs('*', ' ', 'ab')})",
                f"text.pad_right({s()}, {self.r(8)}, {self.qs('*', '-')})",
                f"string(hex.decode(hex.encode({s()})))",
                f"text.re_replace({self.qs('a+', '[0-9]', '(b)(c)')}, {s()}, {self.qs('X', '$1', '')})",
                f"type_name({self.expr(self.pick(PRINTABLE + (MAP,)), d + 1)})",
                self.times_str(d),
            ])
        if k < 15:
            call = self.call_expr(STR, d)
            return call or s()
        return f"({s()} + {s()})"

    def e_char(self, d: int) -> str:
        if d > 3 or self.chance(0.4):
            vs = self.vars_of(CHAR)
            if vs and self.chance(0.6):
                return self.pick(vs).name
            return self.pick(CHAR_LITS)
        k = self.r(5)
        if k == 0:
            return f"({self.e_char(d + 1)} {self.pick(['+', '-'])} {self.r(30)})"
        if k == 1:
            return f"({self.e_char(d + 1)} + {self.e_char(d + 1)})" if self.chance(0.3) else \
                f"({self.r(20)} + {self.e_char(d + 1)})"
        if k == 2:
            s = self.var_or(STR, d + 1, lambda d: self.pick(STR_LITS[1:]))
            return f"({s}[0] || 'z')"
        if k == 3:
            return f"(char({self.pick(['65', '233', '19990', '0x1F600', str(self.r(128))])}) || '?')"
        return f"({self.e_bool(d + 1)} ? {self.e_char(d + 1)} : {self.e_char(d + 1)})"

    def e_arr(self, d: int) -> str:
        """A fresh (unshared) array of ints -- safe to append to."""
        if d > 2 or self.chance(0.3):
            vs = self.vars_of(ARR)
            if vs and self.chance(0.5):
                return f"copy({self.pick(vs).name})"
            return "[" + ", ".join(self.e_int(3) for _ in range(self.r(5))) + "]"
        k = self.r(8)
        if k == 0:
            return f"append({self.e_arr(d + 1)}, {self.e_int(d + 1)})"
        if k == 1:
            return f"({self.e_arr(d + 1)} + {self.e_arr(d + 1)})"
        if k == 2:
            v = self.var_or(ARR, d + 1, lambda d: "[1, 2, 3, 4, 5]")
            return f"copy({v}[({self.e_int(d + 1)} & 3) % (len({v}) + 1):])"
        if k == 3:
            return f"enum.map({self.e_arr(d + 1)}, func(i, x) {{ return x {self.pick(['+', '*', '^'])} {self.int_lit()} }})"
        if k == 4:
            return f"enum.filter({self.e_arr(d + 1)}, func(i, x) {{ return x % 2 == 0 }})"
        if k == 5:
            return f"rand.perm({self.r(6)})"
        if k == 6:
            return f"range({self.r(5)}, {self.r(5) + 3}{', ' + str(self.r(3) + 1) if self.chance(0.5) else ''})"
        return f"copy(splice({self.e_arr(d + 1)}, 0, {self.r(2)}))"

    def e_sarr(self, d: int) -> str:
        if d > 2 or self.chance(0.3):
            vs = self.vars_of(SARR)
            if vs and self.chance(0.5):
                return f"copy({self.pick(vs).name})"
            return "[" + ", ".join(self.pick(STR_LITS) for _ in range(self.r(4))) + "]"
        s = lambda: self.e_str(d + 1)
        return self.pick([f"text.split({s()}, {self.qs(',', ' ', '', 'b')})",
                          f"text.fields({s()})",
                          f"text.split_n({s()}, \",\", {self.r(4) - 1})",
                          f"text.split_after({s()}, \",\")",
                          f"text.re_split(\"[,b]\", {s()}, -1)",
                          f"enum.map({self.e_arr(d + 1)}, func(i, x) {{ return string(x) }})"])

    def e_map(self, d: int) -> str:
        """A map with string keys and int values (any number of keys)."""
        if self.chance(0.3):
            vs = self.vars_of(MAP)
            if vs:
                return f"copy({self.pick(vs).name})"
        keys = self.rng.sample(["a", "b", "k", "x y", "_z"], self.r(4))
        parts = [(f"\"{k}\"" if " " in k else k) + f": {self.e_int(3)}" for k in keys]
        return "{" + ", ".join(parts) + "}"

    def e_map1(self, d: int) -> str:
        vs = self.vars_of(MAP1)
        if vs and self.chance(0.5):
            return self.pick(vs).name
        t = self.pick([INT, STR, FLOAT, ARR, BOOL])
        return "{" + f"{self.pick(['a', 'key', 'z1'])}: {self.expr(t, 3)}" + "}"

    def e_bytes(self, d: int) -> str:
        vs = self.vars_of(BYTES)
        if vs and self.chance(0.5):
            return self.pick(vs).name
        return self.pick([f"bytes({self.e_str(d + 1)})", f"bytes({self.r(4)})",
                          f"base64.decode(base64.encode({self.e_str(d + 1)}))",
                          f"json.encode({self.expr(self.pick([INT, STR, ARR, MAP1]), d + 1)})",
                          "bytes(\"\\x00\\xff\")"])

    def e_err(self, d: int) -> str:
        vs = self.vars_of(ERR)
        if vs and self.chance(0.5):
            return self.pick(vs).name
        return f"error({self.expr(self.pick([INT, STR, ARR, MAP1]), d + 1)})"

    def e_imm(self, d: int) -> str:
        vs = self.vars_of(IMM)
        if vs and self.chance(0.5):
            return self.pick(vs).name
        return f"immutable({self.e_arr(d + 1)})"

    # ------------------------------------------------------------------ calls
    def call_expr(self, ret: str, d: int) -> str | None:
        cands = [f for f in self.funcs() if f.ret == ret and self.mult * (f.cost + 1) < 3000
                 and (not f.writes_outer or not self.no_impure_calls)]
        if not cands:
            return None
        f = self.pick(cands)
        self.cost += self.mult * (f.cost + 1)
        self.no_impure_calls += 1
        try:
            args = [self.e_int(d + 1) for _ in range(f.arity)]
            if f.variadic:
                args += [self.e_int(d + 1) for _ in range(self.r(3))]
        finally:
            self.no_impure_calls -= 1
        return f"{f.name}({', '.join(args)})"

    def pure_expr(self, t: str, d: int = 0) -> str:
        """An expression that calls no function writing outer variables (see module doc)."""
        self.no_impure_calls += 1
        try:
            return self.expr(t, d)
        finally:
            self.no_impure_calls -= 1

    # ------------------------------------------------------------------ statements
    def block(self, n: int, loop: bool = False) -> None:
        self.push()
        self.indent += 1
        for _ in range(n):
            self.stmt(loop)
        self.indent -= 1
        self.pop()

    def stmt(self, in_loop: bool = False) -> None:
        k = self.r(100)
        nest = self.indent
        if k < 18:
            self.s_declare()
        elif k < 32:
            self.s_assign()
        elif k < 45:
            self.s_print()
        elif k < 53 and nest < 3:
            self.s_if(in_loop)
        elif k < 63 and nest < 3 and self.loop_depth < 2:
            self.s_for()
        elif k < 68 and nest < 3 and self.loop_depth < 2:
            self.s_for_in()
        elif k < 75 and self.func_depth < 2 and nest < 3 and not (
                self.avoid_known and self.func_depth == 0 and self.loop_depth > 0):
            self.s_func()
        elif k < 79 and in_loop:
            cond = self.pure_expr(BOOL, 2)
            self.emit(f"if {cond} {{ {self.pick(['break', 'continue'])} }}")
        elif k < 83:
            self.s_container_mut()
        elif k < 86 and self.func_depth == 0 and nest < 2:
            self.s_recursive()
        elif k < 89:
            self.s_error_value()
        elif k < 92:
            self.s_call_stmt()
        else:
            self.s_declare()

    def s_declare(self) -> None:
        t = self.pick([INT, INT, INT, FLOAT, FLOAT, STR, STR, BOOL, CHAR, ARR, SARR, MAP, MAP1,
                       BYTES, IMM])
        e = self.expr(t, 0) if self.chance(0.2) else self.pure_expr(t, 0)
        name = self.fresh()
        self.emit(f"{name} := {e}")
        self.declare(name, t)

    def s_assign(self) -> None:
        t = self.pick([INT, INT, INT, FLOAT, STR, CHAR, ARR, BOOL])
        vs = self.vars_of(t, writable=True)
        if not vs:
            return self.s_declare()
        v = self.pick(vs)
        if v.depth < self.func_depth:
            self.cur_func_writes = True
        if t == INT:
            k = self.r(10)
            if k < 3:
                self.emit(f"{v.name} = {self.pure_expr(INT)}")
            elif k < 5:
                self.emit(f"{v.name}{self.pick(['++', '--'])}")
            elif k < 6:
                self.emit(f"{v.name} {self.pick(['/=', '%='])} {self.pick(['3', '-7', '(' + self.pure_expr(INT, 2) + ' | 1)'])}")
            else:
                op = self.pick(["+=", "-=", "*=", "&=", "|=", "^=", "&^=", "<<=", ">>="])
                self.emit(f"{v.name} {op} {self.pure_expr(INT, 1)}")
        elif t == FLOAT:
            op = self.pick(["=", "+=", "-=", "*=", "/="])
            rhs_t = self.pick([FLOAT, FLOAT, INT]) if op != "=" else FLOAT
            self.emit(f"{v.name} {op} {self.pure_expr(rhs_t, 1)}")
        elif t == STR:
            if self.loop_depth and self.chance(0.7):
                self.emit(f"{v.name} += {self.pick(STR_LITS)}")
                self.emit(f"{v.name} = {v.name}[:len({v.name}) < 40 ? len({v.name}) : 40]")
            else:
                self.emit(f"{v.name} {self.pick(['=', '+='])} {self.pure_expr(STR, 2)}")
        elif t == CHAR:
            self.emit(f"{v.name} {self.pick(['=', '+=', '-='])} " +
                      (self.pure_expr(CHAR, 2) if self.chance(0.3) else str(self.r(5))))
        elif t == BOOL:
            self.emit(f"{v.name} = {self.pure_expr(BOOL, 1)}")
        elif t == ARR:
            k = self.r(4)
            if k == 0:
                self.emit(f"{v.name} = append({v.name}, {self.pure_expr(INT, 2)})")
            elif k == 1:
                self.emit(f"{v.name} += [{self.pure_expr(INT, 2)}]")
            elif k == 2:
                self.emit(f"if len({v.name}) > 0 {{ {v.name}[({self.pure_expr(INT, 2)} & 1023) % len({v.name})] = {self.pure_expr(INT, 2)} }}")
            else:
                self.emit(f"{v.name} = {self.pure_expr(ARR, 1)}")
            self.emit(f"if len({v.name}) > 30 {{ {v.name} = copy({v.name}[:30]) }}")

    def s_container_mut(self) -> None:
        ms = self.vars_of(MAP, writable=True)
        if ms and self.chance(0.6):
            m = self.pick(ms)
            if m.depth < self.func_depth:
                self.cur_func_writes = True
            k = self.r(3)
            key = self.pick(['"a"', '"b"', '"k"', '"new"'])
            if k == 0:
                self.emit(f"{m.name}[{key}] = {self.pure_expr(INT, 1)}")
            elif k == 1:
                self.emit(f"{m.name}.{self.pick(['a', 'b', 'q'])} = {self.pure_expr(INT, 1)}")
            else:
                self.emit(f"delete({m.name}, {key})")
            return
        arrs = self.vars_of(ARR, writable=True)
        if arrs:
            a = self.pick(arrs)
            if a.depth < self.func_depth:
                self.cur_func_writes = True
            n = self.fresh()
            self.emit(f"{n} := splice({a.name}, 0, {self.r(2)}{', ' + self.pure_expr(INT, 2) if self.chance(0.5) else ''})")
            self.declare(n, ARR, writable=False)
            self.emit(f"{a.name} = copy({a.name})")
            return
        self.s_declare()

    def s_print(self) -> None:
        k = self.r(10)
        t = self.pick(PRINTABLE)
        if k < 6:
            self.emit(f"fmt.println({self.pure_expr(t)})")
        elif k < 8:
            verb = self.pick(FMT_VERBS.get(t, ["%v"]))
            if t == CHAR and verb == "%c":
                verb = "%v"
            if t in (BYTES, ERR):
                verb = "%v"
            self.emit(f"fmt.printf(\"{verb}|%v\\n\", {self.pure_expr(t)}, {self.pure_expr(self.pick(SCALARS))})")
        elif k < 9:
            self.emit(f"fmt.print({self.pure_expr(t)}, \"\\n\")")
        else:
            self.emit(f"fmt.println(\"x\", {self.pure_expr(t)}, 1, {self.pure_expr(self.pick(SCALARS))})")

    def s_if(self, in_loop: bool) -> None:
        self.emit(f"if {self.pure_expr(BOOL)} {{")
        self.block(self.r(3) + 1, in_loop)
        n = self.r(3)
        for i in range(n):
            if i < n - 1 or self.chance(0.5):
                self.emit(f"}} else if {self.pure_expr(BOOL)} {{")
            else:
                self.emit("} else {")
            self.block(self.r(2) + 1, in_loop)
        self.emit("}")

    def loop_body(self, count: int, n: int) -> None:
        old = self.mult
        self.mult *= max(count, 1)
        self.loop_depth += 1
        self.block(n, loop=True)
        self.loop_depth -= 1
        self.mult = old

    def s_for(self) -> None:
        count = self.r(6) + 1
        k = self.r(3)
        i = self.fresh("i")
        if k == 0:
            self.emit(f"for {i} := 0; {i} < {count}; {i}++ {{")
            self.push()
            self.declare(i, INT, writable=False)
            self.loop_body(count, self.r(3) + 1)
            self.pop()
            self.emit("}")
        elif k == 1:
            self.emit(f"{i} := 0")
            self.declare(i, INT, writable=False)
            self.emit(f"for {i} < {count} {{")
            self.indent += 1
            self.emit(f"{i}++")
            self.indent -= 1
            self.loop_body(count, self.r(3) + 1)
            self.emit("}")
        else:
            self.emit(f"{i} := 0")
            self.declare(i, INT, writable=False)
            self.emit("for {")
            self.indent += 1
            self.emit(f"{i} += 1")
            self.emit(f"if {i} > {count} {{ break }}")
            self.indent -= 1
            self.loop_body(count, self.r(3) + 1)
            self.emit("}")

    def s_for_in(self) -> None:
        k = self.r(5)
        v, idx = self.fresh("e"), self.fresh("k")
        if k == 0:
            src = self.var_or(ARR, 0, self.e_arr) if self.chance(0.7) else "[3, 1, 4, 1, 5]"
            src = src if src.startswith(("[", "copy(")) else f"copy({src})"
            self.emit(f"for {idx}, {v} in {src} {{")
            self.push()
            self.declare(idx, INT, False)
            self.declare(v, INT, False)
            self.loop_body(5, self.r(3) + 1)
            self.pop()
        elif k == 1:
            src = self.pure_expr(STR, 1)
            self.emit(f"for {idx}, {v} in {src} {{")
            self.push()
            self.declare(idx, INT, False)
            self.declare(v, CHAR, False)
            self.loop_body(8, self.r(2) + 1)
            self.pop()
        elif k == 2:
            m = self.var_or(MAP, 0, self.e_map)
            acc = self.fresh()
            self.emit(f"{acc} := 0")
            self.emit(f"for {idx}, {v} in {m} {{")
            self.indent += 1
            self.emit(f"{acc} += {v} * 3 + len({idx})")
            self.indent -= 1
            self.emit("}")
            self.emit(f"fmt.println({acc})")
            self.declare(acc, INT)
            return
        elif k == 3:
            self.emit(f"for {idx}, {v} in {self.e_map1(0)} {{")
            self.push()
            self.declare(idx, STR, False)
            self.loop_body(1, self.r(2) + 1)
            self.pop()
        else:
            src = self.var_or(SARR, 0, self.e_sarr)
            self.emit(f"for {v} in {src} {{")
            self.push()
            self.declare(v, STR, False)
            self.loop_body(5, self.r(2) + 1)
            self.pop()
        self.emit("}")

    def s_func(self) -> None:
        name = self.fresh("f")
        arity = self.r(3)
        variadic = self.chance(0.15)
        ret = self.pick([INT, INT, FLOAT, STR])
        params = [self.fresh("p") for _ in range(arity)]
        plist = params + (["..." + self.fresh("rest")] if variadic else [])
        saved = (self.cost, self.cur_func_writes, self.mult, self.loop_depth)
        self.cost, self.cur_func_writes, self.mult, self.loop_depth = 0, False, 1, 0
        self.func_depth += 1
        self.emit(f"{name} := func({', '.join(plist)}) {{")
        self.push()
        for p in params:
            self.declare(p, INT)
        if variadic:
            rest = plist[-1][3:]
            self.declare(rest, ARR, writable=False)
        self.indent += 1
        for _ in range(self.r(4) + 1):
            self.stmt()
        if self.chance(0.3):
            self.emit(f"if {self.pure_expr(BOOL, 1)} {{ return {self.pure_expr(ret, 1)} }}")
        self.emit(f"return {self.pure_expr(ret, 0)}")
        self.indent -= 1
        self.pop()
        self.emit("}")
        self.func_depth -= 1
        f = Func(name, arity, ret, self.cost + 1, self.cur_func_writes, variadic)
        self.cost, self.cur_func_writes, self.mult, self.loop_depth = saved
        if f.writes_outer:
            self.cur_func_writes = True
        self.scopes[-1].funcs.append(f)
        # call it right away so it runs at least once
        if self.mult * f.cost < 3000:
            n = self.fresh()
            args = [self.pure_expr(INT, 1) for _ in range(arity)]
            self.emit(f"{n} := {name}({', '.join(args)})")
            self.declare(n, ret)
            self.emit(f"fmt.println({n})")
            self.cost += self.mult * f.cost

    def s_call_stmt(self) -> None:
        fs = [f for f in self.funcs() if self.mult * (f.cost + 1) < 3000]
        if not fs:
            return self.s_print()
        f = self.pick(fs)
        if f.writes_outer:
            self.cur_func_writes = True
        self.cost += self.mult * (f.cost + 1)
        args = [self.pure_expr(INT, 1) for _ in range(f.arity)]
        n = self.fresh()
        self.emit(f"{n} := {f.name}({', '.join(args)})")
        self.declare(n, f.ret)

    def s_recursive(self) -> None:
        name = self.fresh("rec")
        n = self.fresh("n")
        style = self.r(3)
        self.emit(f"{name} := func({n}, acc) {{")
        self.indent += 1
        self.emit(f"if {n} <= 0 {{ return acc }}")
        if style == 0:   # tail call
            self.emit(f"return {name}({n} - 1, (acc * 31 + {n}) % 1000003)")
        elif style == 1:  # non-tail, bounded depth
            self.emit(f"return {n} + {name}({n} - 1, acc ^ {n})")
        else:            # tail call through a ternary
            self.emit(f"return {n} % 2 == 0 ? {name}({n} - 1, acc + {n}) : {name}({n} - 2, acc - 1)")
        self.indent -= 1
        self.emit("}")
        self.emit(f"fmt.println({name}({self.r(40) if style == 1 else self.r(3000)}, {self.int_lit()}))")

    def s_error_value(self) -> None:
        k = self.r(4)
        n = self.fresh()
        if k == 0:
            self.emit(f"{n} := {self.e_err(0)}")
            self.declare(n, ERR)
            self.emit(f"fmt.println(is_error({n}), {n}.value)")
        elif k == 1:
            self.emit(f"{n} := func(x) {{ if x > 0 {{ return error(\"neg \" + string(x)) }}; return x * 2 }}({self.pure_expr(INT, 2)})")
            self.emit(f"fmt.println(is_error({n}) ? {n}.value : {n})")
        elif k == 2:
            self.emit(f"{n} := json.decode({self.pick(JSON_DOCS)})")
            self.emit(f"fmt.println(is_error({n}) ? {n} : json.encode({n}))")
        else:
            self.emit(f"{n} := undefined")
            self.emit(f"fmt.println({n}, [{n}], is_undefined({n}), {n} == undefined, type_name({n}))")

    # ------------------------------------------------------------------ endings
    def s_final_error(self) -> None:
        """The last statement: something that raises a runtime error (reference: exit 1)."""
        ints = self.vars_of(INT)
        iv = self.pick(ints).name if ints and self.chance(0.5) else self.int_lit()
        arr = (self.vars_of(ARR) or [Var("x", ARR)])
        decl = "" if self.vars_of(ARR) else "x := [1, 2]\n"     # an assignment needs a name
        opts = [
            f"{decl}{self.pick(arr).name}[len({self.pick(arr).name}) + {self.r(3)}] = 1",
            f"x := {self.pure_expr(self.pick(PRINTABLE), 2)}\nx()",
            "x := [1, 2, 3]\nx[-1] = 0",
            f"fmt.println({iv} {self.pick(['+', '-', '<', '&'])} {self.pick(BAD_RHS)})",
            f"fmt.println({self.pick(BAD_L)} {self.pick(['<', '>', '+', '-', '*', '/', '%', '<<', '&&', '=='])} {self.pick(BAD_R)})",
            "x := immutable([1, 2])\nx[0] = 5",
            "e := error(\"boom\")\nfmt.println(e.nope)",
            f"fmt.println(len({self.pick(['1', '1.5', 'true', 'undefined'])}))",
            "s := \"abc\"\ns[0] = 'x'",
            "m := {a: 1}\nm[1] = 2",
            f"f := func(a, b) {{ return a + b }}\nfmt.println(f({iv}))",
            f"fmt.println(append({self.pick(['1', STR_LITS[2], 'undefined'])}, 2))",
            f"fmt.println(-{self.pick([STR_LITS[2], 'true', '[1]'])})",
            f"fmt.println(^{self.pick(['1.5', STR_LITS[2], CHAR_LITS[0]])})",
            f"fmt.println({self.pick([CHAR_LITS[0], '1.5'])} % 2)",
            "fmt.println(text.repeat(\"a\"))",
            "fmt.println(int())",
            "fmt.println(format(1))",
            "fmt.println(splice([1, 2], 5))",
            "fmt.println(delete([1], 0))",
            f"x := {iv}\nx.y = 3",
            f"fmt.println({iv} / (0 * {iv}))",
        ]
        self.emit(self.pick(opts))

    # ------------------------------------------------------------------ times
    def e_time(self, d: int) -> str:
        """A time, independent of the machine's zone (UTC, or a fixed named zone)."""
        k = self.r(6)
        if k < 2 or d > 3:
            y = self.pick([1969, 1970, 2000, 2024, 2038, 1900 + self.r(300)])
            ns = self.pick([0, 999999999, self.r(1000000000)])
            zone = self.pick(TIME_ZONES)
            return (f"times.date({y}, {self.r(14)}, {self.r(33)}, {self.r(25)}, {self.r(61)}, "
                    f"{self.r(61)}, {ns}, {zone})")
        if k < 3:
            sec = self.pick([0, -1, 86399, 1700000000, self.r(1 << 32) - (1 << 31)])
            return f"times.to_utc(times.unix({sec}, {self.r(2000000000) - 1000000000}))"
        if k < 4:
            dur = self.pick(["times.hour", "times.minute * 7", "-times.second", str(self.r(1 << 40))])
            return f"times.add({self.e_time(d + 1)}, {dur})"
        if k < 5:
            return f"times.add_date({self.e_time(d + 1)}, {self.r(5) - 2}, {self.r(25) - 12}, {self.r(61) - 30})"
        return f"times.to_utc(times.parse(times.format_rfc3339, {self.pick(TIME_TEXTS)}))"

    def times_int(self, d: int) -> str:
        t = lambda: self.e_time(d + 1)
        fn = self.pick(["time_year", "time_month", "time_day", "time_weekday", "time_hour",
                        "time_minute", "time_second", "time_nanosecond", "time_unix", "time_unix_nano"])
        unit = self.pick(["hours", "minutes", "seconds"])
        return self.pick([
            f"times.{fn}({t()})",
            f"times.sub({t()}, {t()})",
            f"times.parse_duration({self.pick(DURATION_TEXTS)})",
            f"(times.after({t()}, {t()}) ? 1 : 0)",
            f"(times.is_zero({t()}) ? 1 : 0)",
            f"int(times.duration_{unit}({self.e_int(d + 1)}))",
        ])

    def times_str(self, d: int) -> str:
        return self.pick([
            f"times.time_string({self.e_time(d + 1)})",
            f"times.time_location({self.e_time(d + 1)})",
            f"times.duration_string({self.e_int(d + 1)})",
            f"times.month_string({self.r(14)})",
        ])

    # ------------------------------------------------------------------ programs
    def header(self) -> None:
        for m in ["fmt", "math", "text", "json", "base64", "hex", "enum", "rand", "times"]:
            self.emit(f"{m} := import(\"{m}\")")
        self.emit(f"rand.seed({self.r(100)})")

    def general(self) -> str:
        self.header()
        for _ in range(self.r(20) + 10):
            self.stmt()
        if self.chance(0.35):
            self.s_final_error()
        return "\n".join(self.lines) + "\n"


# ---------------------------------------------------------------------- hot mode
class HotGen(Gen):
    """Int/float-heavy kernels called thousands of times (the JIT compiles them)."""

    def int_lit(self) -> str:
        k = self.r(10)
        if k < 4:
            return str(self.r(20) - 5)
        if k < 8:
            return self.pick(INT_EDGES)
        return str(self.rng.randint(-(1 << 62), 1 << 62))

    def h_int(self, names_i, names_f, d=0) -> str:
        if d > 3 or self.chance(0.3):
            if names_i and self.chance(0.75):
                return self.pick(names_i)
            return self.int_lit()
        a = lambda: self.h_int(names_i, names_f, d + 1)
        k = self.r(12)
        if k < 5:
            return f"({a()} {self.pick(['+', '-', '*', '&', '|', '^', '&^'])} {a()})"
        if k < 6:
            return f"({a()} {self.pick(['<<', '>>'])} {self.pick([a(), str(self.r(130) - 2), '64', '-1', '63'])})"
        if k < 7:
            return f"({a()} {self.pick(['/', '%'])} {self.pick([f'({a()} | 1)', '-1', '3', '7'])})"
        if k < 8:
            return self.unary(self.pick(['-', '^']), a())
        if k < 9:
            return f"({self.h_bool(names_i, names_f, d + 1)} ? {a()} : {a()})"
        if k < 10 and names_f:
            return f"int({self.h_float(names_i, names_f, d + 1)})"
        return f"({a()} + {a()})"

    def h_float(self, names_i, names_f, d=0) -> str:
        if d > 3 or self.chance(0.3):
            if names_f and self.chance(0.7):
                return self.pick(names_f)
            return self.pick(FLOAT_EDGES if not self.avoid_known else
                             [f for f in FLOAT_EDGES if f != "-0.0"])
        f = lambda: self.h_float(names_i, names_f, d + 1)
        k = self.r(10)
        if k < 5:
            return f"({f()} {self.pick(['+', '-', '*', '/'])} {f()})"
        if k < 7:
            i = self.h_int(names_i, names_f, d + 1)
            return self.pick([f"({f()} {self.pick(['+', '-', '*', '/'])} {i})",
                              f"({i} {self.pick(['+', '-', '*', '/'])} {f()})"])
        if k < 8:
            return self.unary("-", f())
        if k < 9:
            return f"float({self.h_int(names_i, names_f, d + 1)})"
        return f"({self.h_bool(names_i, names_f, d + 1)} ? {f()} : {f()})"

    def h_bool(self, names_i, names_f, d=0) -> str:
        cmp = self.pick(["<", "<=", ">", ">=", "==", "!="])
        k = self.r(5)
        if k < 2:
            return f"({self.h_int(names_i, names_f, d + 1)} {cmp} {self.h_int(names_i, names_f, d + 1)})"
        if k < 4 or not names_f:
            return f"({self.h_float(names_i, names_f, d + 1)} {cmp} {self.h_int(names_i, names_f, d + 1)})" \
                if self.chance(0.5) else \
                f"({self.h_float(names_i, names_f, d + 1)} {cmp} {self.h_float(names_i, names_f, d + 1)})"
        return f"!({self.h_int(names_i, names_f, d + 1)} {cmp} {self.h_int(names_i, names_f, d + 1)})"

    def kernel(self, idx: int) -> tuple[str, int, bool]:
        """Emit one kernel function; returns (name, int-param count, returns float?)."""
        name = f"k{idx}"
        n_i = self.r(3) + 1
        ps = [f"a{j}" for j in range(n_i)]
        fl = self.chance(0.5)
        if fl:
            ps.append("x")
        self.emit(f"{name} := func({', '.join(ps)}) {{")
        self.indent += 1
        ints = [p for p in ps if p.startswith("a")]
        floats = ["x"] if fl else []
        self.emit(f"s := {self.h_int(ints, floats)}")
        ints.append("s")
        if fl:
            self.emit(f"y := {self.h_float(ints, floats)}")
            floats.append("y")
        loop = self.r(3)
        cnt = self.r(20) + 1
        if loop == 0:
            self.emit(f"for j := 0; j < {cnt}; j++ {{")
        elif loop == 1:
            self.emit("j := 0")
            self.emit(f"for j < {cnt} {{")
            self.emit("    j++")
        else:
            self.emit("j := 0")
            self.emit("for {")
            self.emit(f"    if j >= {cnt} {{ break }}")
            self.emit("    j += 1")
        self.indent += 1
        li = ints + ["j"]
        for _ in range(self.r(4) + 1):
            k = self.r(9)
            if k < 3:
                self.emit(f"s {self.pick(['=', '+=', '-=', '^=', '|=', '&=', '*='])} {self.h_int(li, floats)}")
            elif k < 4:
                self.emit(f"s {self.pick(['<<=', '>>='])} {self.pick([self.h_int(li, floats), str(self.r(70)), '-3'])}")
            elif k < 5:
                dv, dn = self.h_int(li, floats, 2), self.fresh("d")
                self.emit(f"if {dv} != 0 {{ s {self.pick(['/=', '%='])} {dv} }}" if "(" not in dv else
                          f"{dn} := {dv}\n{'    ' * self.indent}if {dn} != 0 {{ s = s {self.pick(['/', '%'])} {dn} }}")
            elif k < 7 and fl:
                self.emit(f"y {self.pick(['=', '+=', '-=', '*=', '/='])} {self.h_float(li, floats)}")
            elif k < 8:
                self.emit(f"if {self.h_bool(li, floats)} {{ {self.pick(['continue', 'break', 's++', 's--'])} }}")
            else:
                self.emit(f"if {self.h_bool(li, floats)} {{")
                self.emit(f"    s = {self.h_int(li, floats)}")
                self.emit("} else {")
                self.emit(f"    s ^= {self.h_int(li, floats)}")
                self.emit("}")
        self.indent -= 1
        self.emit("}")
        if fl:
            self.emit(f"return {self.pick(['y', 'float(s) + y', 's + y', 'y * s', 's'])}")
        else:
            self.emit(f"return {self.pick(['s', 's ^ a0', '(s % 1000003)'])}")
        self.indent -= 1
        self.emit("}")
        return name, n_i, fl

    def closure_kernel(self, idx: int) -> str:
        """A kernel whose closures read and write the variables they capture: a counter the
        closures assign (and the kernel too), read right after the calls and as the left
        operand of a call that changes it, a per-iteration variable, a closure made by a
        closure, and a helper that calls a closure it is given."""
        name = f"ck{idx}"
        fl = self.chance(0.4)
        self.emit(f"{name} := func(a0, a1) {{")
        self.indent += 1
        self.emit(f"c := {self.h_int(['a0', 'a1'], [])}")
        floats = []
        if fl:
            self.emit(f"y := {self.h_float(['a0'], [])}")
            floats = ["y"]
        self.emit(f"bump := func(v) {{ c = {self.h_int(['c', 'v'], floats)}; return c }}")
        self.emit("peek := func() { return c }")
        if fl:
            self.emit(f"drift := func(v) {{ y = {self.h_float(['v'], ['y'])} }}")
        self.emit(f"maker := func(k) {{ return func() {{ c {self.pick(['+=', '-=', '^=', '|='])} k; return c }} }}")
        self.emit("each := func(n, fn) { t := 0; for q := 0; q < n; q++ { t += fn(q) }; return t }")
        self.emit("s := 0")
        self.emit(f"for j := 0; j < {self.r(12) + 1}; j++ {{")
        self.indent += 1
        names = ["c", "s", "j", "a0"]
        for _ in range(self.r(5) + 2):
            k = self.r(9)
            if k == 0:
                self.emit(f"s += bump({self.h_int(names, floats)})")
            elif k == 1:
                self.emit("s ^= c + bump(j) + peek()")
            elif k == 2:
                p = self.fresh("p")
                self.emit(f"{p} := c {self.pick(['+', '-', '^'])} maker(j)()")
                self.emit(f"s += {p}")
            elif k == 3:
                self.emit(f"if {self.h_bool(names, floats)} {{ c = {self.h_int(names, floats)} }}")
            elif k == 4:
                self.emit(f"s += each({self.r(4)}, func(q) {{ c += q; return c ^ j }})")
            elif k == 5:
                w, g = self.fresh("w"), self.fresh("g")
                self.emit(f"{w} := {self.h_int(names, floats)}")
                rd = self.pick([w, f"{w} + c"])
                if self.chance(0.5):
                    self.emit(f"{g} := func() {{ {w} += 1; return {rd} }}")
                else:
                    self.emit(f"{g} := func() {{ return {rd} }}")
                self.emit(f"s -= {g}() + {g}()")
            elif k == 6 and fl:
                self.emit(f"drift({self.h_float(names, floats)})")
                self.emit("if y == y { s += int(y) % 1000 }")
            elif k == 7:
                self.emit("c++")
                self.emit("s += peek()")
            else:
                self.emit("s = s % 1000003 + bump(s % 97)")
        self.indent -= 1
        self.emit("}")
        self.emit(f"return {self.pick(['s + c', 's ^ peek()', 's'])}")
        self.indent -= 1
        self.emit("}")
        return name

    def object_kernel(self, idx: int) -> str:
        """A kernel over objects as maps of float fields and an array of floats (the shape of
        a simulation): fields read into arithmetic and stored back (in place, natively, when
        only the map holds the old float), a variable or another field holding a field's old
        float across the store, stores across objects, int fields, a field that changes kind,
        compound assignments and edge values (NaN, infinities, signed zeros)."""
        name = f"ok{idx}"
        lit = lambda: self.pick(["0.5", "0.25", "-1.5", "1e-3", "2.0", "-0.125", "0.0", "-0.0"]
                                + ([self.pick(FLOAT_EDGES)] if self.chance(0.15) else []))
        self.emit(f"{name} := func(objs, arr, n) {{")
        self.indent += 1
        self.emit("acc := 0.0")
        self.emit("for k := 0; k < n; k++ {")
        self.indent += 1
        self.emit("for i := 0; i < len(objs); i++ {")
        self.indent += 1
        self.emit("o := objs[i]")
        self.emit("p := objs[(i + 1) % len(objs)]")
        fields = ["o.x", "o.v", "p.x", "p.v", "arr[i % len(arr)]"]
        fexpr = lambda: (f"{self.pick(fields)} {self.pick(['+', '-', '*'])} "
                         f"{self.pick(fields + [lit()])} * {lit()}")
        for _ in range(self.r(6) + 2):
            k = self.r(10)
            if k == 0:
                self.emit(f"o.x = o.x + o.v * {lit()}")
            elif k == 1:
                self.emit(f"o.v {self.pick(['+=', '-=', '*='])} {fexpr()}")
            elif k == 2:
                keep = self.fresh("keep")
                self.emit(f"{keep} := o.x")
                self.emit(f"o.x = {fexpr()}")
                self.emit(f"if {keep} == {keep} {{ acc += {keep} }}")
            elif k == 3:
                self.emit("o.s = o.x")
                self.emit(f"o.x = o.x * {lit()} + 1.0")
            elif k == 4:
                self.emit(f"arr[(i + k) % len(arr)] = {fexpr()}")
            elif k == 5:
                self.emit(f"p.x {self.pick(['+=', '-='])} o.v * {lit()}")
            elif k == 6:
                self.emit(f"o.c {self.pick(['+=', '*=', '-='])} {self.pick(['1', '3', 'i', 'k'])}")
                self.emit("o.c = o.c % 1000003")
            elif k == 7:
                self.emit(f"o.t = o.x > 0.0 ? o.x * {lit()} : o.c")
                self.emit(f"o.t = o.t + {self.pick(['1', '0.5', 'o.c'])}")
            elif k == 8:
                self.emit(f"arr[i % len(arr)] *= {lit()}")
                self.emit("o.v = arr[i % len(arr)] - o.v")
            else:
                self.emit(f"if o.x == o.x {{ acc += o.x * {lit()} }}")
        self.indent -= 1
        self.emit("}")
        self.indent -= 1
        self.emit("}")
        self.emit("return acc")
        self.indent -= 1
        self.emit("}")
        return name

    def poly_expr(self, names, d=0) -> str:
        """An expression valid for ints and floats alike (+ - * and comparisons only)."""
        if d > 2 or self.chance(0.3):
            return self.pick(names) if self.chance(0.8) else self.pick(
                ["3", "-1", "0", "9223372036854775807", "2.5", "-0.5", "1e18", "(-9223372036854775807 - 1)"])
        a = lambda: self.poly_expr(names, d + 1)
        if self.chance(0.2):
            return f"({a()} {self.pick(['<', '>', '==', '<=', '!='])} {a()} ? {a()} : {a()})"
        return f"({a()} {self.pick(['+', '-', '*', '+', '-'])} {a()})"

    def poly_kernel(self, idx: int) -> str:
        """A kernel called with ints, then floats, then mixed types (type changes / deopts)."""
        name = f"pk{idx}"
        self.emit(f"{name} := func(a, b) {{")
        self.indent += 1
        self.emit(f"s := {self.poly_expr(['a', 'b'])}")
        self.emit(f"for j := 0; j < {self.r(12) + 1}; j++ {{")
        self.indent += 1
        names = ["a", "b", "s", "j"]
        for _ in range(self.r(3) + 1):
            k = self.r(4)
            if k == 0:
                self.emit("if b != 0 { s = s / b }")
            elif k == 1:
                self.emit(f"if {self.poly_expr(names, 1)} > {self.poly_expr(names, 1)} {{ {self.pick(['continue', 's = s - a', 'break'])} }}")
            else:
                self.emit(f"s {self.pick(['=', '+=', '-=', '*='])} {self.poly_expr(names)}")
        self.indent -= 1
        self.emit("}")
        self.emit(f"return {self.pick(['s', 's + a', 's * b', 'a - s'])}")
        self.indent -= 1
        self.emit("}")
        phases = [("it", "3"), ("float(it) * 0.5", "3"), ("it", "2.5"),
                  ("it % 2 == 0 ? it : float(it)", "it % 3 == 0 ? 1.5 : 7"),
                  (f"it * {self.int_lit()}", self.int_lit()), ("it", "0")]
        self.rng.shuffle(phases)
        iters = self.pick([200, 1000, 2500])
        for a, b in phases[:self.r(3) + 2]:
            self.emit(f"for it := 0; it < {iters}; it++ {{")
            self.emit(f"    r := {name}({a}, {b})")
            self.emit(f"    if it % {self.pick([101, 333, 999])} == 0 || it == {iters - 1} {{ fmt.println(r) }}")
            self.emit("}")
        return name

    def hot(self) -> str:
        self.emit("fmt := import(\"fmt\")")
        self.emit("math := import(\"math\")")
        kernels = [self.kernel(i) for i in range(self.r(3) + 1)]
        if self.chance(0.5):
            self.poly_kernel(0)
        if self.chance(0.5):
            ck = self.closure_kernel(0)
            its = self.pick([200, 1000, 2500])
            self.emit("acc_ck := 0")
            self.emit(f"for it := 0; it < {its}; it++ {{")
            self.emit(f"    acc_ck = acc_ck * 31 + {ck}(it, {self.int_lit()})")
            self.emit("}")
            self.emit("fmt.println(acc_ck)")
        if self.chance(0.35):
            ok = self.object_kernel(0)
            n_objs = self.r(3) + 1
            self.emit("objs_ok := [" + ", ".join(
                f"{{x: {self.pick(['0.5', '1.5', '-2.25', '0.0', self.pick(FLOAT_EDGES)])}, "
                f"v: {self.pick(['1.0', '-0.5', '0.25', '-0.0'])}, s: 0.0, c: {self.r(9)}, t: 0}}"
                for _ in range(n_objs)) + "]")
            self.emit("arr_ok := [" + ", ".join(
                self.pick(["0.5", "-1.0", "2.5", "-0.0", "3"]) for _ in range(self.r(3) + 1)) + "]")
            its = self.pick([200, 1000, 2500])
            self.emit(f"for it := 0; it < {its}; it++ {{")
            self.emit(f"    r := {ok}(objs_ok, arr_ok, {self.r(3) + 1})")
            self.emit(f"    if it % {self.pick([97, 499, 1000])} == 0 {{ fmt.println(r) }}")
            self.emit("}")
            self.emit("for i := 0; i < len(objs_ok); i++ {")
            self.emit("    q := objs_ok[i]")
            self.emit("    fmt.println(q.x, q.v, q.s, q.c, q.t)")
            self.emit("}")
            self.emit("fmt.println(arr_ok)")
        iters = self.pick([300, 1000, 2000, 3000])
        for name, n_i, fl in kernels:
            acc = f"acc_{name}"
            init = "0.0" if fl else "0"
            self.emit(f"{acc} := {init}")
            self.emit(f"ch_{name} := 0")
            self.emit(f"for it := 0; it < {iters}; it++ {{")
            self.indent += 1
            args = [self.pick(["it", f"it * {self.int_lit()}", self.int_lit(), f"(it ^ {self.int_lit()})",
                               f"(it - {iters // 2})"]) for _ in range(n_i)]
            if fl:
                args.append(self.pick(["float(it) * 0.5", "float(it) / 3.0", self.pick(FLOAT_EDGES),
                                       "1.0 / float(it - 7)", "float(it) * 1e300"]))
            self.emit(f"r := {name}({', '.join(args)})")
            if fl:
                self.emit(f"if r == r {{ {acc} = r }}")
                self.emit(f"if it % {self.pick([97, 499, 1000])} == 0 {{ fmt.println(r) }}")
            else:
                self.emit(f"{acc} = {acc} * 31 + r")
                self.emit(f"ch_{name} ^= r")
            self.indent -= 1
            self.emit("}")
            self.emit(f"fmt.println({acc})")
            self.emit(f"fmt.println(ch_{name})")
            self.emit(f"fmt.println({name}({', '.join(self.int_lit() for _ in range(n_i))}"
                      f"{', ' + self.pick(FLOAT_EDGES) if fl else ''}))")
        if self.chance(0.2):
            name, n_i, fl = self.pick(kernels)
            self.emit(self.pick([
                f"fmt.println({name}({', '.join(['1'] * (n_i + 2))}))",
                f"fmt.println({name}() + 1)",
                f"fmt.println(acc_{name} / (acc_{name} - acc_{name}))",
                f"fmt.println(acc_{name} + \"s\")",
                f"fmt.println(acc_{name} < [1])",
            ]))
        return "\n".join(self.lines) + "\n"


def generate(seed: int, mode: str = "general", math_funcs: bool = False,
             avoid_known: bool = False) -> str:
    """The program for ``seed`` in ``mode`` ("general" or "hot"); see the module docstring."""
    if mode == "general":
        return Gen(seed, mode, math_funcs, avoid_known).general()
    if mode == "hot":
        return HotGen(seed, mode, math_funcs, avoid_known).hot()
    raise ValueError(f"unknown mode {mode!r}")
