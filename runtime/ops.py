"""Operator semantics of Tengo on the Python-native value model (slow paths, full semantics).

Every function raises ``OpError`` with Tengo's exact message for bad script input.
Codegen inlines the int/int (and float/float) fast paths and calls these otherwise.

Notes on Tengo behaviour reproduced here (reference: github.com/d5/tengo objects.go / vm.go):

* Ints are int64: ``+ - * << /`` wrap with two's complement; ``MIN / -1`` wraps to MIN.
  Division truncates toward zero, ``%`` takes the dividend's sign. Division or remainder by an
  int zero panics in the reference; we raise ``OpError("division by zero")``.
* Shift counts are converted to uint64: a negative count or one >= 64 gives 0 for ``<<`` and
  0 / -1 (the sign) for ``>>``.
* ``a < b`` and ``a <= b`` are compiled by Tengo as ``b > a`` / ``b >= a``: ``lt``/``le`` call
  the right operand's operator, and the error text names ``>`` / ``>=`` with swapped types.
  (Tengo also *evaluates* ``b`` before ``a`` for ``<``/``<=``; that ordering is codegen's job.)
* int/float mixes convert the int with ``float64(i)`` (also for comparisons and ``==``).
* Strings are byte strings in Tengo: ``len`` and slicing count UTF-8 bytes, indexing and
  iteration count code points. Bytes that are not valid UTF-8 are carried in a ``str`` with
  the ``surrogateescape`` convention (U+DC80..U+DCFF) and read as U+FFFD when indexed.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from . import limits
from .errors import ERR_ARRAY_LIMIT, ERR_MAP_LIMIT, OpError
from .gostrconv import underscore_ok
from .strings import (byte_len, canonical, char_str, joins_escapes, tengo_repr, utf8_decode,
                      utf8_encode)
from .values import (
    INT64_MAX, INT64_MIN, ZERO_TIME, Char, Error, ImmutableArray, ImmutableMap, type_name,
)

__all__ = [
    "add", "sub", "mul", "div", "mod", "band", "bor", "bxor", "bandnot", "shl",
    "shr", "lt", "gt", "le", "ge", "equals", "not_equals", "is_falsy", "neg", "bitnot", "pos",
    "lnot", "index_get", "index_get_for_assign", "index_set", "slice_get", "iterate",
    "is_iterable", "make_immutable", "make_error", "wrap_int", "to_str", "to_int", "to_float",
    "to_bool", "to_char", "to_bytes", "to_time", "deep_copy", "freeze", "str_byte_len",
    "utf8_encode", "utf8_decode", "rune_str", "obj_string", "parse_go_int", "parse_go_float",
]

_MASK64 = (1 << 64) - 1
_SIGN64 = 1 << 63
_INVALID = object()          # "ErrInvalidOperator" from a per-type operator handler
_MISSING = object()


def wrap_int(x: int) -> int:
    """Reduce a Python int to int64 with two's-complement wrap-around."""
    if INT64_MIN <= x <= INT64_MAX:
        return x
    return ((x + _SIGN64) & _MASK64) - _SIGN64


def _wrap32(x: int) -> int:
    if -0x80000000 <= x <= 0x7FFFFFFF:
        return x
    return ((x + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def _go_float_to_int(f: float) -> int:
    """Go's int64(f) as amd64 does it: out of range or NaN gives MinInt64."""
    if f != f or f >= 9.223372036854775807e18 or f < -9.223372036854775808e18:
        return INT64_MIN
    return int(f)


# ---------------------------------------------------------------------------------------------
# Strings as Tengo sees them (bytes)

# one implementation each, in strings.py; these names are the ones the runtime and stdlib use
str_byte_len = byte_len
rune_str = char_str


def _rune_of(ch: str) -> int:
    c = ord(ch)
    if 0xD800 <= c <= 0xDFFF:
        return 0xFFFD
    return c


def _repr(v) -> str:
    return tengo_repr(v)


def obj_string(v) -> str:
    """Tengo's ``Object.String()``, with the common cases inline."""
    t = type(v)
    if t is int:
        return str(v)
    if t is bool:
        return "true" if v else "false"
    if t is Char:
        return rune_str(v.code)
    if v is None:
        return "<undefined>"
    return _repr(v)


def _check_str_len(n_chars_upper: int, parts) -> None:
    """Raise the string limit error when the concatenation of ``parts`` is too long."""
    mx = limits.MAX_STRING_LEN if not limits.RUN_LIMITS else limits.string_limit()
    if n_chars_upper * 4 <= mx:
        return
    if sum(str_byte_len(p) for p in parts) > mx:
        raise OpError("exceeding string size limit")


# ---------------------------------------------------------------------------------------------
# Binary operators: one handler per (operator, left type); each returns _INVALID when the right
# operand's type is not supported, and the caller raises Tengo's "invalid operation" error.

def _invalid(a, op: str, b) -> OpError:
    return OpError(f"invalid operation: {type_name(a)} {op} {type_name(b)}")


_DEFAULT_NAN = -math.nan     # x86-64's default NaN (sign bit set), what Go's 0.0/0.0 gives


def _float_div(x: float, y: float) -> float:
    # IEEE division as the hardware does it (Python raises on a zero divisor instead)
    if y == 0.0:
        if x != x:
            return x
        if x == 0.0:
            return _DEFAULT_NAN
        neg = (x < 0) != (math.copysign(1.0, y) < 0)
        return -math.inf if neg else math.inf
    return x / y


def _int_div(a: int, b: int) -> int:
    if b == 0:
        raise OpError("division by zero")
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return wrap_int(q)


def _int_mod(a: int, b: int) -> int:
    if b == 0:
        raise OpError("division by zero")
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def _shl(a: int, s: int) -> int:
    if s < 0 or s >= 64:
        return 0
    return wrap_int(a << s)


def _shr(a: int, s: int) -> int:
    if s < 0 or s >= 64:
        return -1 if a < 0 else 0
    return a >> s


def _dur_to_td(ns: int) -> timedelta:
    us = abs(ns) // 1000
    return timedelta(microseconds=-us if ns < 0 else us)


def _time_shift(t, ns: int):
    if ns == 0:
        return t
    try:
        return t + _dur_to_td(ns)
    except OverflowError:
        raise OpError("time out of range") from None


def _time_sub_time(a, b) -> int:
    d = a - b
    ns = ((d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds) * 1000
    if ns > INT64_MAX:
        return INT64_MAX
    if ns < INT64_MIN:
        return INT64_MIN
    return ns


# -- int left operand

def _int_arith(op):
    def h(a, b):
        tb = type(b)
        if tb is int:
            return op(a, b)
        if tb is float:
            return _FLOAT_OPS[op](float(a), b)
        if tb is Char and op in _CHAR_FROM_INT:
            return Char(_wrap32(_CHAR_FROM_INT[op](_wrap32(a), b.code)))
        return _INVALID
    return h


def _iadd(a, b): return wrap_int(a + b)
def _isub(a, b): return wrap_int(a - b)
def _imul(a, b): return wrap_int(a * b)


def _fadd(a, b): return a + b
def _fsub(a, b): return a - b
def _fmul(a, b): return a * b


_FLOAT_OPS = {_iadd: _fadd, _isub: _fsub, _imul: _fmul, _int_div: _float_div}
_CHAR_FROM_INT = {_iadd: lambda x, y: x + y, _isub: lambda x, y: x - y}


def _int_only(op):
    def h(a, b):
        if type(b) is int:
            return op(a, b)
        return _INVALID
    return h


def _int_cmp(cmp):
    def h(a, b):
        tb = type(b)
        if tb is int:
            return cmp(a, b)
        if tb is float:
            return cmp(float(a), b)
        if tb is Char:
            return cmp(a, b.code)
        return _INVALID
    return h


# -- float left operand

def keep_left(a: float, r: float) -> float:
    """Tengo's result of float arithmetic with ``a`` on the left and exact result ``r``: ``a``
    itself when ``r == a`` (visible only for zeros: ``0.0 * -1.0`` is ``0.0`` and
    ``-0.0 + 0.0`` is ``-0.0`` in Tengo)."""
    return r or (a if not a else r)


def _float_binary(op):
    """Arithmetic or comparison with a float on the left: an int right operand converts."""
    def h(a, b):
        tb = type(b)
        if tb is float:
            return op(a, b)
        if tb is int:
            return op(a, float(b))
        return _INVALID
    return h


def _float_arith(op):
    """Arithmetic with a float on the left (see ``keep_left``)."""
    def h(a, b):
        tb = type(b)
        if tb is float:
            r = op(a, b)
        elif tb is int:
            r = op(a, float(b))
        else:
            return _INVALID
        return r or (a if not a else r)
    return h


# -- char left operand

def _char_arith(op):
    def h(a, b):
        tb = type(b)
        if tb is Char:
            return Char(_wrap32(op(a.code, b.code)))
        if tb is int:
            return Char(_wrap32(op(a.code, _wrap32(b))))
        return _INVALID
    return h


def _char_cmp(cmp):
    def h(a, b):
        tb = type(b)
        if tb is Char:
            return cmp(a.code, b.code)
        if tb is int:
            return cmp(a.code, b)
        return _INVALID
    return h


# -- string left operand

def _str_add(a, b):
    if type(b) is str:
        _check_str_len(len(a) + len(b), (a, b))
        if joins_escapes(a, b):
            return canonical(a + b)
        return a + b
    s = obj_string(b)
    _check_str_len(len(a) + len(s), (a, s))
    return a + s


def _str_cmp(cmp):
    """String ordering by bytes, as Go's. Code point order is the same for valid UTF-8, but a
    byte of invalid UTF-8 (kept as a surrogate escape, U+DC80..U+DCFF) would sort after every
    code point below U+DC80 (``"世界"[1:] > "世界"`` is false in Go). Where one string is
    ASCII the first difference involves an ASCII character, which both orders put first, so
    only two non-ASCII strings are compared through their bytes."""
    def h(a, b):
        if type(b) is str:
            if a.isascii() or b.isascii():
                return cmp(a, b)
            return cmp(utf8_encode(a), utf8_encode(b))
        return _INVALID
    return h


# -- other left operands

def _bytes_add(a, b):
    if type(b) is bytes:
        if len(a) + len(b) > limits.bytes_limit():
            raise OpError("exceeding bytes size limit")
        return a + b
    return _INVALID


def check_array_len(n: int) -> None:
    """Raise the array limit error when an array of ``n`` elements is more than the calling
    thread's run may build (``limits.array_limit``; only scripts with limits of their own)."""
    if limits.RUN_LIMITS and n > limits.array_limit():
        raise OpError(ERR_ARRAY_LIMIT)


def _array_add(a, b):
    if type(b) is list:
        if not b:
            return a
        if limits.RUN_LIMITS:
            check_array_len(len(a) + len(b))
        return a + b
    return _INVALID


def _imm_array_add(a, b):
    if type(b) is ImmutableArray:
        if limits.RUN_LIMITS:
            check_array_len(len(a) + len(b))
        return list.__add__(a, b)
    return _INVALID


def _time_add(a, b):
    if type(b) is int:
        return _time_shift(a, b)
    return _INVALID


def _time_sub(a, b):
    tb = type(b)
    if tb is int:
        return _time_shift(a, -b)
    if isinstance(b, datetime):
        return _time_sub_time(a, b)
    return _INVALID


def _time_cmp(cmp):
    def h(a, b):
        if isinstance(b, datetime):
            return cmp(a, b)
        return _INVALID
    return h


def _gt(x, y): return x > y
def _ge(x, y): return x >= y
def _lt(x, y): return x < y
def _le(x, y): return x <= y


_OPS = {
    "+": {int: _int_arith(_iadd), float: _float_arith(_fadd), Char: _char_arith(lambda x, y: x + y),
          str: _str_add, bytes: _bytes_add, list: _array_add, ImmutableArray: _imm_array_add,
          datetime: _time_add},
    "-": {int: _int_arith(_isub), float: _float_arith(_fsub), Char: _char_arith(lambda x, y: x - y),
          datetime: _time_sub},
    "*": {int: _int_arith(_imul), float: _float_arith(_fmul)},
    "/": {int: _int_arith(_int_div), float: _float_arith(_float_div)},
    "%": {int: _int_only(_int_mod)},
    "&": {int: _int_only(lambda x, y: x & y)},
    "|": {int: _int_only(lambda x, y: x | y)},
    "^": {int: _int_only(lambda x, y: x ^ y)},
    "&^": {int: _int_only(lambda x, y: x & ~y)},
    "<<": {int: _int_only(_shl)},
    ">>": {int: _int_only(_shr)},
    ">": {int: _int_cmp(_gt), float: _float_binary(_gt), Char: _char_cmp(_gt), str: _str_cmp(_gt),
          datetime: _time_cmp(_gt)},
    ">=": {int: _int_cmp(_ge), float: _float_binary(_ge), Char: _char_cmp(_ge), str: _str_cmp(_ge),
           datetime: _time_cmp(_ge)},
    "<": {int: _int_cmp(_lt), float: _float_binary(_lt), Char: _char_cmp(_lt), str: _str_cmp(_lt),
          datetime: _time_cmp(_lt)},
    "<=": {int: _int_cmp(_le), float: _float_binary(_le), Char: _char_cmp(_le), str: _str_cmp(_le),
           datetime: _time_cmp(_le)},
}


def _slow(op: str, table: dict, a, b):
    ta = type(a)
    h = table.get(ta)
    if h is None and ta is not bool and isinstance(a, datetime):
        h = table.get(datetime)
    if h is not None:
        r = h(a, b)
        if r is not _INVALID:
            return r
    raise _invalid(a, op, b)


_T_ADD, _T_SUB, _T_MUL, _T_DIV, _T_MOD = (_OPS[k] for k in ("+", "-", "*", "/", "%"))
_T_AND, _T_OR, _T_XOR, _T_ANDNOT = (_OPS[k] for k in ("&", "|", "^", "&^"))
_T_SHL, _T_SHR, _T_GT, _T_GE = (_OPS[k] for k in ("<<", ">>", ">", ">="))
_T_LT, _T_LE = _OPS["<"], _OPS["<="]


def add(a, b):
    if type(a) is int and type(b) is int:
        r = a + b
        if INT64_MIN <= r <= INT64_MAX:
            return r
        return wrap_int(r)
    if type(a) is float and type(b) is float:
        r = a + b
        return r or (a if not a else r)
    return _slow("+", _T_ADD, a, b)


def sub(a, b):
    if type(a) is int and type(b) is int:
        r = a - b
        if INT64_MIN <= r <= INT64_MAX:
            return r
        return wrap_int(r)
    if type(a) is float and type(b) is float:
        r = a - b
        return r or (a if not a else r)
    return _slow("-", _T_SUB, a, b)


def mul(a, b):
    if type(a) is int and type(b) is int:
        return wrap_int(a * b)
    if type(a) is float and type(b) is float:
        r = a * b
        return r or (a if not a else r)
    return _slow("*", _T_MUL, a, b)


def div(a, b):
    if type(a) is int and type(b) is int:
        return _int_div(a, b)
    return _slow("/", _T_DIV, a, b)


def mod(a, b):
    if type(a) is int and type(b) is int:
        return _int_mod(a, b)
    return _slow("%", _T_MOD, a, b)


def band(a, b):
    if type(a) is int and type(b) is int:
        return a & b
    return _slow("&", _T_AND, a, b)


def bor(a, b):
    if type(a) is int and type(b) is int:
        return a | b
    return _slow("|", _T_OR, a, b)


def bxor(a, b):
    if type(a) is int and type(b) is int:
        return a ^ b
    return _slow("^", _T_XOR, a, b)


def bandnot(a, b):
    if type(a) is int and type(b) is int:
        return a & ~b
    return _slow("&^", _T_ANDNOT, a, b)


def shl(a, b):
    if type(a) is int and type(b) is int:
        return _shl(a, b)
    return _slow("<<", _T_SHL, a, b)


def shr(a, b):
    if type(a) is int and type(b) is int:
        return _shr(a, b)
    return _slow(">>", _T_SHR, a, b)


def gt(a, b):
    if type(a) is int and type(b) is int:
        return a > b
    return _slow(">", _T_GT, a, b)


def ge(a, b):
    if type(a) is int and type(b) is int:
        return a >= b
    return _slow(">=", _T_GE, a, b)


def lt(a, b):
    if type(a) is int and type(b) is int:
        return a < b
    return _slow("<", _T_LT, a, b)


def le(a, b):
    if type(a) is int and type(b) is int:
        return a <= b
    return _slow("<=", _T_LE, a, b)


# ---------------------------------------------------------------------------------------------
# Equality and truthiness

def _eq_int(a, b):
    tb = type(b)
    if tb is int:
        return a == b
    if tb is float:
        return float(a) == b
    return False


def _eq_float(a, b):
    tb = type(b)
    if tb is float:
        return a == b
    if tb is int:
        return a == float(b)
    return False


def _eq_str(a, b):
    return type(b) is str and a == b


def _eq_bool(a, b):
    return type(b) is bool and a is b


def _eq_char(a, b):
    return type(b) is Char and a.code == b.code


def _eq_bytes(a, b):
    return type(b) is bytes and a == b


def _eq_array(a, b):
    tb = type(b)
    if tb is not list and tb is not ImmutableArray:
        return False
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if not equals(x, y):
            return False
    return True


def _eq_map(a, b):
    tb = type(b)
    if tb is not dict and tb is not ImmutableMap:
        return False
    if len(a) != len(b):
        return False
    get = b.get
    for k, v in a.items():
        w = get(k, _MISSING)
        if w is _MISSING or not equals(v, w):
            return False
    return True


def _eq_none(a, b):
    return b is None


def _eq_time(a, b):
    return isinstance(b, datetime) and a == b


def _eq_false(a, b):
    return False


_EQ = {
    int: _eq_int, float: _eq_float, str: _eq_str, bool: _eq_bool, Char: _eq_char,
    bytes: _eq_bytes, list: _eq_array, ImmutableArray: _eq_array, dict: _eq_map,
    ImmutableMap: _eq_map, type(None): _eq_none, datetime: _eq_time,
}


def equals(a, b) -> bool:
    """Tengo ``a == b`` (the left operand's ``Equals``)."""
    ta = type(a)
    if ta is int and type(b) is int:
        return a == b
    f = _EQ.get(ta)
    if f is not None:
        return f(a, b)
    if isinstance(a, datetime):
        return _eq_time(a, b)
    if callable(a):
        return False        # compiled, builtin and user functions never equal anything
    return a is b           # errors (pointer identity) and host objects



def not_equals(a, b) -> bool:
    """``a != b``."""
    return not equals(a, b)


def _falsy_len(v): return len(v) == 0


_FALSY = {
    int: lambda v: v == 0, float: lambda v: v != v, str: _falsy_len, bool: lambda v: not v,
    Char: lambda v: v.code == 0, bytes: _falsy_len, list: _falsy_len, ImmutableArray: _falsy_len,
    dict: _falsy_len, ImmutableMap: _falsy_len, type(None): lambda v: True,
    Error: lambda v: True,
}

def is_falsy(v) -> bool:
    """Tengo ``IsFalsy``."""
    f = _FALSY.get(type(v))
    if f is not None:
        return f(v)
    if isinstance(v, datetime):
        return v.tzinfo is not None and v == ZERO_TIME
    return False


def lnot(v) -> bool:
    """``!v``."""
    return is_falsy(v)


# ---------------------------------------------------------------------------------------------
# Unary operators

def neg(v):
    t = type(v)
    if t is int:
        return wrap_int(-v)
    if t is float:
        return -v
    raise OpError(f"invalid operation: -{type_name(v)}")


def bitnot(v):
    if type(v) is int:
        return ~v
    raise OpError(f"invalid operation: ^{type_name(v)}")


def pos(v):
    """Unary ``+``: Tengo compiles it to nothing."""
    return v


# ---------------------------------------------------------------------------------------------
# Conversions (Tengo's ToString/ToInt64/...): ``None`` when not convertible

def to_str(v):
    """ToString: the string itself, or ``String()`` of anything else; ``None`` for undefined."""
    t = type(v)
    if t is str:
        return v
    if v is None:
        return None
    return obj_string(v)


def parse_go_int(s: str):
    """``strconv.ParseInt(s, 10, 64)``; ``None`` on any error."""
    n = len(s)
    if n == 0 or n > 40:
        return None
    i = 1 if s[0] in "+-" else 0
    if i == n:
        return None
    for ch in s[i:]:
        if not ("0" <= ch <= "9"):
            return None
    v = int(s)
    if v < INT64_MIN or v > INT64_MAX:
        return None
    return v


def parse_go_float(s: str):
    """``strconv.ParseFloat(s, 64)``; ``None`` on any error (syntax or out of range)."""
    if not s or not s.isascii():
        return None
    body = s[1:] if s[0] in "+-" else s
    low = body.lower()
    if low in ("inf", "infinity"):
        return -math.inf if s[0] == "-" else math.inf
    if low == "nan":
        return math.nan if body is s else None
    hexa = len(body) > 2 and body[0] == "0" and body[1] in "xX"
    digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
    i = 2 if hexa else 0
    n = len(body)
    sawdigits = sawdot = False
    while i < n:
        c = body[i]
        if c == "_":
            pass
        elif c == ".":
            if sawdot:
                break
            sawdot = True
        elif c in digits:
            sawdigits = True
        else:
            break
        i += 1
    if not sawdigits:
        return None
    exp_ch = "pP" if hexa else "eE"
    if i < n and body[i] in exp_ch:
        i += 1
        if i < n and body[i] in "+-":
            i += 1
        if i >= n or not ("0" <= body[i] <= "9"):
            return None
        while i < n and ("0" <= body[i] <= "9" or body[i] == "_"):
            i += 1
    elif hexa:
        return None
    if i != n:
        return None
    if "_" in s and not underscore_ok(s):
        return None
    clean = s.replace("_", "")
    try:
        f = float.fromhex(clean) if hexa else float(clean)
    except (ValueError, OverflowError):
        return None
    if f in (math.inf, -math.inf):
        return None         # ErrRange
    return f


def to_int(v):
    """ToInt64."""
    t = type(v)
    if t is int:
        return v
    if t is float:
        return _go_float_to_int(v)
    if t is Char:
        return v.code
    if t is bool:
        return 1 if v else 0
    if t is str:
        return parse_go_int(v)
    return None


def to_float(v):
    """ToFloat64."""
    t = type(v)
    if t is float:
        return v
    if t is int:
        return float(v)
    if t is str:
        return parse_go_float(v)
    return None


def to_bool(v):
    """ToBool: always convertible."""
    return not is_falsy(v)


def to_char(v):
    """ToRune."""
    t = type(v)
    if t is Char:
        return v
    if t is int:
        return Char(_wrap32(v))
    return None


def to_bytes(v):
    """ToByteSlice."""
    t = type(v)
    if t is bytes:
        return v
    if t is str:
        return v.encode("ascii") if v.isascii() else utf8_encode(v)
    return None


def unix_time(sec: int):
    """Go's ``time.Unix(sec, 0)`` in the local time zone."""
    try:
        return datetime.fromtimestamp(sec, timezone.utc).astimezone()
    except (OverflowError, ValueError, OSError):
        raise OpError("time out of range") from None


def to_time(v):
    """ToTime."""
    if isinstance(v, datetime):
        return v
    if type(v) is int:
        return unix_time(v)
    return None


# ---------------------------------------------------------------------------------------------
# Indexing

_NOT_INDEXABLE = object()
_BAD_INDEX_TYPE = object()


def _ig_array(obj, idx):
    if type(idx) is not int:
        return _BAD_INDEX_TYPE
    if 0 <= idx < len(obj):
        return obj[idx]
    return None


def _ig_map(obj, idx):
    if type(idx) is str:
        return obj.get(idx)
    key = to_str(idx)
    if key is None:
        return _BAD_INDEX_TYPE
    return obj.get(key)


def _ig_str(obj, idx):
    if type(idx) is not int:
        return _BAD_INDEX_TYPE
    if 0 <= idx < len(obj):
        return Char(_rune_of(obj[idx]))
    return None


def _ig_bytes(obj, idx):
    if type(idx) is not int:
        return _BAD_INDEX_TYPE
    if 0 <= idx < len(obj):
        return obj[idx]
    return None


def _ig_error(obj, idx):
    if (idx if type(idx) is str else to_str(idx)) != "value":
        raise OpError("invalid index on error")
    return obj.value


_INDEX_GET = {
    list: _ig_array, ImmutableArray: _ig_array, dict: _ig_map, ImmutableMap: _ig_map,
    str: _ig_str, bytes: _ig_bytes, Error: _ig_error, type(None): lambda o, i: None,
}


def index_get(obj, idx):
    """``obj[idx]`` / ``obj.sel`` (OpIndex)."""
    t = type(obj)
    if t is dict and type(idx) is str:
        return obj.get(idx)
    f = _INDEX_GET.get(t)
    if f is None:
        raise OpError(f"not indexable: {type_name(idx)}")
    r = f(obj, idx)
    if r is _BAD_INDEX_TYPE:
        raise OpError(f"invalid index type: {type_name(idx)}")
    return r


def index_get_for_assign(obj, idx):
    """An intermediate selector of an assignment ``a.b.c = v`` (the VM's indexAssign walk):
    same as ``index_get`` but "not indexable" names the container's type."""
    t = type(obj)
    if t is dict and type(idx) is str:
        return obj.get(idx)
    f = _INDEX_GET.get(t)
    if f is None:
        raise OpError(f"not indexable: {type_name(obj)}")
    r = f(obj, idx)
    if r is _BAD_INDEX_TYPE:
        raise OpError(f"invalid index type: {type_name(idx)}")
    return r


def index_set(obj, idx, val) -> None:
    """``obj[idx] = val`` / ``obj.sel = val``."""
    t = type(obj)
    if t is dict:
        if type(idx) is not str:
            idx = to_str(idx)
            if idx is None:
                raise OpError("invalid index type")
        if limits.RUN_LIMITS and idx not in obj and len(obj) >= limits.map_limit():
            raise OpError(ERR_MAP_LIMIT)
        obj[idx] = val
        return
    if t is list:
        if type(idx) is not int:
            idx = to_int(idx)
            if idx is None:
                raise OpError("invalid index type")
        if idx < 0 or idx >= len(obj):
            raise OpError("index out of bounds")
        obj[idx] = val
        return
    raise OpError(f"not index-assignable: {type_name(obj)}")


def slice_get(obj, low, high):
    """``obj[low:high]``; ``None`` is an omitted bound (as is undefined in Tengo)."""
    if low is None:
        lo = 0
    elif type(low) is int:
        lo = low
    else:
        raise OpError(f"invalid slice index type: {type_name(low)}")
    t = type(obj)
    if t is str:
        if obj.isascii():
            data = obj
        else:
            data = utf8_encode(obj)
    elif t is list or t is ImmutableArray or t is bytes:
        data = obj
    else:
        raise OpError(f"not indexable: {type_name(obj)}")
    n = len(data)
    if high is None:
        hi = n
    elif type(high) is int:
        hi = high
    else:
        raise OpError(f"invalid slice index type: {type_name(high)}")
    if lo > hi:
        raise OpError(f"invalid slice index: {lo} > {hi}")
    if lo < 0:
        lo = 0
    elif lo > n:
        lo = n
    if hi < 0:
        hi = 0
    elif hi > n:
        hi = n
    if t is str:
        r = data[lo:hi]
        return r if data is obj else utf8_decode(r)
    if t is bytes:
        return data[lo:hi]
    return data[lo:hi]          # a new (mutable) array, also for an immutable one


# ---------------------------------------------------------------------------------------------
# Iteration

def _iter_map(m):
    keys = list(m)
    get = m.get
    return ((k, get(k)) for k in keys)


def _iter_str(s):
    if s.isascii():
        return ((i, Char(ord(c))) for i, c in enumerate(s))
    return ((i, Char(_rune_of(c))) for i, c in enumerate(s))


def _iter_array(a):
    # The reference's iterator fixes the length at the start and reads elements live.
    return zip(range(len(a)), a)


_ITER = {
    list: _iter_array, ImmutableArray: _iter_array, dict: _iter_map, ImmutableMap: _iter_map,
    str: _iter_str, bytes: lambda b: enumerate(b), type(None): lambda v: iter(()),
}


def iterate(obj):
    """A Python iterator of ``(key, value)`` pairs for ``for k, v in obj``."""
    f = _ITER.get(type(obj))
    if f is None:
        raise OpError(f"not iterable: {type_name(obj)}")
    return f(obj)


# Arrays shrunk in place (``splice``) while a watched loop iterates them: id -> [array,
# {position: the element it held when it fell off the end}, loops watching]
WATCHED: dict = {}


def iterate_watched(obj):
    """``iterate`` for programs that can shrink an array in place (they call ``splice``): an
    array's loop visits the length it had at the start, as the reference's iterator over Go's
    backing array does — live elements while in range, and past the array's new end the
    element each position held when ``splice`` cut it off (what Go's backing array still
    holds there)."""
    if type(obj) is list:
        return _iter_array_watched(obj)
    return iterate(obj)


def _iter_array_watched(a):
    n = len(a)
    key = id(a)
    w = WATCHED.get(key)
    if w is None or w[0] is not a:
        w = WATCHED[key] = [a, {}, 0]
    w[2] += 1
    try:
        stale = w[1]
        for i in range(n):
            if i < len(a):
                yield i, a[i]
            elif i in stale:
                yield i, stale[i]
            else:
                return
    finally:
        w[2] -= 1
        if w[2] == 0 and WATCHED.get(key) is w:
            del WATCHED[key]


def note_shrink(arr, new_len):
    """``splice`` is about to shrink ``arr`` to ``new_len`` elements: a watched loop over it
    keeps the elements that fall off (see ``iterate_watched``)."""
    w = WATCHED.get(id(arr))
    if w is not None and w[0] is arr:
        for p in range(new_len, len(arr)):
            w[1][p] = arr[p]


def is_iterable(v) -> bool:
    """Tengo ``CanIterate``."""
    return type(v) in _ITER


# ---------------------------------------------------------------------------------------------
# immutable(), error(), copy(), freeze()

def make_immutable(v):
    """``immutable(x)``: arrays and maps become immutable (shallow); other values unchanged."""
    t = type(v)
    if t is list:
        return ImmutableArray(v)
    if t is dict:
        return ImmutableMap(v)
    return v


def make_error(v):
    """``error(x)``."""
    return Error(v)


# values ``copy`` returns as they are: an array or map holding only these copies in one C call
_COPIED_AS_IS = frozenset((int, float, str, bool, bytes, type(None)))


def deep_copy(v):
    """``copy(x)``: Tengo's ``Copy()`` (immutable containers copy to mutable ones)."""
    t = type(v)
    if t is list or t is ImmutableArray:
        if _COPIED_AS_IS.issuperset(map(type, v)):
            return list(v)
        return [deep_copy(e) for e in v]
    if t is dict or t is ImmutableMap:
        if _COPIED_AS_IS.issuperset(map(type, v.values())):
            return dict(v)
        return {k: deep_copy(e) for k, e in v.items()}
    if t is Error:
        return Error(deep_copy(v.value))
    if t is Char:
        return Char(v.code)
    return v


def _freeze(v, memo):
    t = type(v)
    if t is list or t is ImmutableArray:
        key = id(v)
        r = memo.get(key)
        if r is not None:
            return r
        res = ImmutableArray()
        memo[key] = res
        items = [_freeze(e, memo) for e in v]
        if t is ImmutableArray and all(x is y for x, y in zip(items, v)):
            memo[key] = v
            return v
        list.extend(res, items)
        return res
    if t is dict or t is ImmutableMap:
        key = id(v)
        r = memo.get(key)
        if r is not None:
            return r
        res = ImmutableMap()
        memo[key] = res
        items = {k: _freeze(e, memo) for k, e in v.items()}
        if t is ImmutableMap and all(items[k] is e for k, e in v.items()):
            memo[key] = v
            return v
        dict.update(res, items)
        return res
    return v


def freeze(v):
    """``freeze(x)``: recursively immutable; fully immutable input is returned as is."""
    t = type(v)
    if t is not list and t is not ImmutableArray and t is not dict and t is not ImmutableMap:
        return v
    return _freeze(v, {})
