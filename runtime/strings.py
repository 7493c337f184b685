"""How Tengo values print: ``Object.String()``, Go float and string quoting.

Public:

- ``tengo_repr(v)``: Tengo's ``Object.String()`` of any value (what ``%v``, containers, error
  values and ``string + non-string`` use). Strings come out Go-quoted, chars as the character,
  undefined as ``<undefined>``, maps as ``{k: v, ...}`` in insertion order (the reference's order
  is Go's random map order, so any order conforms).
- ``to_display(v)``: Tengo's ``ToString`` as ``fmt.print``/``fmt.println`` use it: strings are
  printed raw, undefined prints as the empty string, everything else as ``tengo_repr``.
- ``format_float(f)``: Tengo's float ``String()``, Go ``strconv.FormatFloat(f, 'f', -1, 64)``
  (``1e21`` → ``1000000000000000000000``, ``2.0`` → ``2``, ``-0.0`` → ``-0``, ``NaN``, ``+Inf``,
  ``-Inf``).
- ``go_format_float(f, fmt, prec)``: Go ``strconv.FormatFloat(f, fmt, prec, 64)`` for the
  formats ``b e E f g G x X`` (``prec`` -1 = shortest).
- ``go_quote(s, quote='"', ascii_only=False)``: Go ``strconv.Quote`` (``QuoteToASCII`` with
  ``ascii_only``; ``quote="'"`` gives the escaping of ``QuoteRune``).
- ``go_quote_rune(code, ascii_only=False)``: Go ``strconv.QuoteRune``.
- ``can_backquote(s)``: Go ``strconv.CanBackquote``.
- ``go_is_print(code)``: Go ``unicode.IsPrint`` (approximation, see below).
- ``char_str(code)``: Go ``string(rune)`` (invalid code points give U+FFFD).
- ``go_time_string(dt)``: Go ``time.Time.String()``.
- ``byte_len(s)``: length in bytes of a Tengo string (Go ``len(s)``).

Representation of bytes that are not UTF-8: Tengo strings are Go byte strings and may hold
invalid UTF-8; tengojit keeps such bytes in Python ``str`` as the lone surrogates U+DC80..U+DCFF
(Python's ``surrogateescape`` convention). Every function here treats those code points as the
raw bytes 0x80..0xFF (``\\x``-escaped by ``go_quote``, one "rune" when counting, one byte in
``byte_len``). Bytes values convert to strings the same way.

Approximations:

- ``go_is_print`` uses ``str.isprintable()``. Go's ``IsPrint`` is "letter, mark, number,
  punctuation, symbol or U+0020"; Python's ``isprintable`` is "not Other (C*) and not Separator
  (Z*), except U+0020" — the same partition of the Unicode categories. They differ only where
  Python's Unicode database (3.11: Unicode 14.0) is older or newer than the Go release's (Go
  1.21+: Unicode 15.0), i.e. for code points assigned in between, which Python treats as
  unassigned (non-printable, so quoted as ``\\u``/``\\U`` escapes).
- Shortest float digits come from Python's ``repr`` (David Gay's shortest round-trip digits,
  nearest to the exact value on ties) where Go uses Ryu's shortest; both yield the shortest
  digit string that round-trips and pick the closest one, so they agree.
- ``go_time_string`` omits Go's monotonic-clock suffix (``m=+0.000123``, present on times from
  ``times.now()``), and Python datetimes carry microseconds, not nanoseconds.
"""
from __future__ import annotations

import math
import re
import struct
from datetime import datetime
from types import FunctionType

from . import gotime
from .errors import OpError, ERR_STACK_OVERFLOW
from .values import Char, Error, ImmutableArray, ImmutableMap, UserFunction, type_name

__all__ = [
    "tengo_repr", "to_display", "format_float", "go_format_float", "go_quote",
    "go_quote_rune", "can_backquote", "go_is_print", "char_str", "go_time_string", "byte_len",
]

MAX_RUNE = 0x10FFFF
_MASK64 = (1 << 64) - 1
_LOWERHEX = "0123456789abcdef"


# ---------------------------------------------------------------------------------------------
# bytes <-> str

def byte_len(s: str) -> int:
    """Go ``len(s)``: the number of bytes of the Tengo string ``s``."""
    if s.isascii():
        return len(s)
    try:
        return len(s.encode("utf-8"))
    except UnicodeEncodeError:
        return len(utf8_encode(s))


def utf8_encode(s: str) -> bytes:
    """The Go bytes of a Tengo string (surrogate-escaped bytes restored)."""
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # lone surrogates outside U+DC80..U+DCFF: keep their 3-byte (invalid) encoding
        return b"".join(
            (bytes([ord(ch) - 0xDC00]) if 0xDC80 <= ord(ch) <= 0xDCFF
             else ch.encode("utf-8", "surrogatepass")) for ch in s)


def utf8_width_at(b: bytes, pos: int) -> int:
    """Width of the UTF-8 sequence at ``b[pos]`` as Go decodes it (1 for invalid bytes)."""
    c = b[pos]
    if c < 0x80:
        return 1
    k = 2 if c < 0xE0 else 3 if c < 0xF0 else 4
    try:
        b[pos:pos + k].decode("utf-8")
        return k
    except UnicodeDecodeError:
        return 1


def utf8_decode(b: bytes) -> str:
    """Go ``string(b)`` in tengojit's representation (invalid sequences as surrogate escapes)."""
    return b.decode("utf-8", "surrogateescape")


# A Tengo string is bytes; tengojit keeps it as the ``str`` that ``utf8_decode`` makes of them,
# so equal bytes are equal strings. Joining strings can break that: escaped bytes at the end of
# one and the start of the next may form a character together ("世"[0:1] + "世"[1:] is "世").
_ESC_LO, _ESC_HI = "\udc80", "\udcff"
_ESCAPES = re.compile("[\udc80-\udcff]")


def joins_escapes(a: str, b: str) -> bool:
    """Do escaped bytes meet where ``a`` and ``b`` are joined (so ``a + b`` needs ``canonical``)?"""
    return _ESC_LO <= b[:1] <= _ESC_HI and _ESC_LO <= a[-1:] <= _ESC_HI


def canonical(s: str) -> str:
    """``s`` as ``utf8_decode`` makes its bytes: escaped bytes that now form a character become
    it. Cheap for strings without escaped bytes."""
    if s.isascii() or _ESCAPES.search(s) is None:
        return s
    return utf8_decode(utf8_encode(s))


# ---------------------------------------------------------------------------------------------
# runes and quoting

def go_is_print(code: int) -> bool:
    """Go ``unicode.IsPrint`` / ``strconv.IsPrint`` (see the module docstring)."""
    if code < 0x20:
        return False
    if code < 0x7F:
        return True
    if code > MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        return False
    return chr(code).isprintable()


def char_str(code: int) -> str:
    """Go ``string(rune(code))``: invalid code points (negative, surrogates, > U+10FFFF) give
    U+FFFD."""
    if 0 <= code <= MAX_RUNE and not (0xD800 <= code <= 0xDFFF):
        return chr(code)
    return "\ufffd"


_SIMPLE_ESC = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def _escaped_rune(r: int, quote: str, ascii_only: bool) -> str:
    """Go ``appendEscapedRune`` (graphicOnly false)."""
    if r == ord(quote) or r == 0x5C:
        return "\\" + chr(r)
    if ascii_only:
        if r < 0x80 and go_is_print(r):
            return chr(r)
    elif go_is_print(r):
        return chr(r)
    esc = _SIMPLE_ESC.get(r)
    if esc is not None:
        return esc
    if r < 0x20 or r == 0x7F:
        return "\\x%02x" % r
    if r > MAX_RUNE or 0xD800 <= r <= 0xDFFF or r < 0:
        r = 0xFFFD
    if r < 0x10000:
        return "\\u%04x" % r
    return "\\U%08x" % r


# ASCII-printable text without the quote characters or backslash needs no escaping.
_NEEDS_ESC = {'"': re.compile(r'[^\x20-\x7e]|["\\]'), "'": re.compile(r"[^\x20-\x7e]|['\\]"),
              "`": re.compile(r"[^\x20-\x7e]|[`\\]")}


def go_quote(s: str, quote: str = '"', ascii_only: bool = False) -> str:
    """Go ``strconv.Quote(s)`` (``QuoteToASCII`` when ``ascii_only``)."""
    if _NEEDS_ESC[quote].search(s) is None:
        return quote + s + quote
    parts = [quote]
    append = parts.append
    for ch in s:
        r = ord(ch)
        if 0x20 <= r < 0x7F and ch != quote and ch != "\\":
            append(ch)
        elif 0xD800 <= r <= 0xDFFF:
            # raw invalid-UTF-8 bytes: each byte as \xNN
            if 0xDC80 <= r <= 0xDCFF:
                append("\\x%02x" % (r - 0xDC00))
            else:
                for byte in ch.encode("utf-8", "surrogatepass"):
                    append("\\x%02x" % byte)
        else:
            append(_escaped_rune(r, quote, ascii_only))
    append(quote)
    return "".join(parts)


def go_quote_rune(code: int, ascii_only: bool = False) -> str:
    """Go ``strconv.QuoteRune`` (``QuoteRuneToASCII`` when ``ascii_only``); invalid runes are
    quoted as U+FFFD."""
    if code < 0 or code > MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    return "'" + _escaped_rune(code, "'", ascii_only) + "'"


def can_backquote(s: str) -> bool:
    """Go ``strconv.CanBackquote``."""
    for ch in s:
        r = ord(ch)
        if r >= 0x80:
            if r == 0xFEFF or 0xD800 <= r <= 0xDFFF:  # BOM, or invalid UTF-8
                return False
            continue
        if (r < 0x20 and r != 9) or r == 0x60 or r == 0x7F:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# floats (Go strconv.FormatFloat)

def _parse_sci(s: str):
    """Digits and decimal-point position of a Python float string (``repr`` or ``%e``).

    Returns ``(digits, dp)`` with value = 0.digits × 10**dp, no leading or trailing zeros;
    zero is ``("", 0)``."""
    e = 0
    k = s.find("e")
    if k >= 0:
        e = int(s[k + 1:])
        s = s[:k]
    k = s.find(".")
    if k >= 0:
        digits = s[:k] + s[k + 1:]
        dp = k + e
    else:
        digits = s
        dp = len(s) + e
    stripped = digits.lstrip("0")
    if not stripped:
        return "", 0
    dp -= len(digits) - len(stripped)
    return stripped.rstrip("0"), dp


def _fmt_e(neg: bool, digits: str, dp: int, prec: int, ch: str) -> str:
    """Go ``fmtE``: d.ddddde±dd."""
    parts = ["-" if neg else "", digits[0] if digits else "0"]
    if prec > 0:
        frac = digits[1:prec + 1]
        parts.append(".")
        parts.append(frac)
        if len(frac) < prec:
            parts.append("0" * (prec - len(frac)))
    exp = dp - 1 if digits else 0
    parts.append(ch)
    if exp < 0:
        parts.append("-")
        exp = -exp
    else:
        parts.append("+")
    parts.append("0%d" % exp if exp < 10 else str(exp))
    return "".join(parts)


def _fmt_f(neg: bool, digits: str, dp: int, prec: int) -> str:
    """Go ``fmtF``: ddddd.ddddd."""
    nd = len(digits)
    parts = ["-" if neg else ""]
    if dp > 0:
        m = min(nd, dp)
        parts.append(digits[:m])
        if m < dp:
            parts.append("0" * (dp - m))
    else:
        parts.append("0")
    if prec > 0:
        parts.append(".")
        lead = min(prec, -dp) if dp < 0 else 0
        start = dp if dp > 0 else 0
        stop = min(nd, dp + prec)
        mid = digits[start:stop] if stop > start else ""
        if lead:
            parts.append("0" * lead)
        parts.append(mid)
        trail = prec - lead - len(mid)
        if trail > 0:
            parts.append("0" * trail)
    return "".join(parts)


def _fmt_b(v: float) -> str:
    """Go ``fmtB``: mantissa p exponent, both decimal."""
    bits = struct.unpack("<Q", struct.pack("<d", v))[0]
    neg = bits >> 63
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp == 0:
        exp = 1
    else:
        mant |= 1 << 52
    exp -= 1023 + 52
    return ("-" if neg else "") + str(mant) + "p" + ("+" if exp >= 0 else "") + str(exp)


def _fmt_x(v: float, prec: int, fmt: str) -> str:
    """Go ``fmtX``: -0x1.yyyyp±dd."""
    bits = struct.unpack("<Q", struct.pack("<d", v))[0]
    neg = bits >> 63
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp == 0:
        exp = 1
    else:
        mant |= 1 << 52
    exp -= 1023
    if mant == 0:
        exp = 0
    mant <<= 8  # leading 1 (if any) at bit 60
    while mant != 0 and not mant & (1 << 60):
        mant <<= 1
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if (extra | (mant & 1)) > (1 << 59):
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    hexd = _LOWERHEX if fmt == "x" else _LOWERHEX.upper()
    parts = ["-" if neg else "", "0", fmt, "1" if (mant >> 60) & 1 else "0"]
    mant = (mant << 4) & _MASK64
    if prec < 0 and mant != 0:
        parts.append(".")
        while mant != 0:
            parts.append(hexd[(mant >> 60) & 15])
            mant = (mant << 4) & _MASK64
    elif prec > 0:
        parts.append(".")
        for _ in range(prec):
            parts.append(hexd[(mant >> 60) & 15])
            mant = (mant << 4) & _MASK64
    parts.append("p" if fmt == "x" else "P")
    if exp < 0:
        parts.append("-")
        exp = -exp
    else:
        parts.append("+")
    parts.append("%02d" % exp)
    return "".join(parts)


def go_format_float(v: float, fmt: str, prec: int) -> str:
    """Go ``strconv.FormatFloat(v, fmt, prec, 64)`` for ``fmt`` in ``b e E f g G x X``."""
    if v != v:
        return "NaN"
    if v in (math.inf, -math.inf):
        return "+Inf" if v > 0 else "-Inf"
    if fmt == "b":
        return _fmt_b(v)
    if fmt == "x" or fmt == "X":
        return _fmt_x(v, prec, fmt)
    neg = math.copysign(1.0, v) < 0
    a = -v if neg else v
    shortest = prec < 0
    if shortest:
        digits, dp = _parse_sci(repr(a))
        nd = len(digits)
        if fmt == "e" or fmt == "E":
            prec = nd - 1
        elif fmt == "f":
            prec = max(nd - dp, 0)
        else:
            prec = nd
    elif fmt == "f":
        return ("-" if neg else "") + format(a, ".%df" % prec)
    elif fmt == "e" or fmt == "E":
        s = format(a, ".%de" % prec)
        if fmt == "E":
            s = s.upper()
        return ("-" if neg else "") + s
    else:  # g, G with explicit precision
        if prec == 0:
            prec = 1
        digits, dp = _parse_sci(format(a, ".%de" % (prec - 1)))
        nd = len(digits)
    if fmt == "e" or fmt == "E":
        return _fmt_e(neg, digits, dp, prec, fmt)
    if fmt == "f":
        return _fmt_f(neg, digits, dp, prec)
    # %g / %G
    eprec = prec
    if eprec > nd and nd >= dp:
        eprec = nd
    if shortest:
        eprec = 6
    exp = dp - 1
    if exp < -4 or exp >= eprec:
        if prec > nd:
            prec = nd
        return _fmt_e(neg, digits, dp, prec - 1, "e" if fmt == "g" else "E")
    if prec > dp:
        prec = nd
    return _fmt_f(neg, digits, dp, max(prec - dp, 0))


def format_float(f: float) -> str:
    """Tengo's float ``String()``: Go ``strconv.FormatFloat(f, 'f', -1, 64)``."""
    if f != f:
        return "NaN"
    if f in (math.inf, -math.inf):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0.0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    neg = f < 0
    digits, dp = _parse_sci(repr(-f if neg else f))
    return _fmt_f(neg, digits, dp, max(len(digits) - dp, 0))


# ---------------------------------------------------------------------------------------------
# time

_UNNAMED_TZ = re.compile(r"UTC[+-]\d\d:\d\d(:\d\d(\.\d+)?)?$")


def go_time_string(dt: datetime) -> str:
    """Go ``time.Time.String()``: ``2006-01-02 15:04:05.999999999 -0700 MST`` (without the
    monotonic-clock suffix); nanosecond-exact for ``gotime.NanoTime``."""
    if getattr(dt, "ns_extra", 0):
        return gotime.go_time_string(dt)
    s = "%04d-%02d-%02d %02d:%02d:%02d" % (dt.year, dt.month, dt.day,
                                          dt.hour, dt.minute, dt.second)
    if dt.microsecond:
        s += ("." + "%06d" % dt.microsecond).rstrip("0")
    off = dt.utcoffset()
    total = int(off.total_seconds()) if off is not None else 0
    zone = -((-total) // 60) if total < 0 else total // 60  # Go: truncating division
    sign = "-" if zone < 0 else "+"
    zone = abs(zone)
    numtz = "%s%02d%02d" % (sign, zone // 60, zone % 60)
    name = dt.tzname() if dt.tzinfo is not None else "UTC"
    if not name or _UNNAMED_TZ.match(name):
        name = numtz  # Go prints the numeric zone when the location has no abbreviation
    return s + " " + numtz + " " + name


# ---------------------------------------------------------------------------------------------
# Object.String()

def _repr_list(v) -> str:
    return "[" + ", ".join([_repr(e) for e in v]) + "]"


def _repr_map(v) -> str:
    return "{" + ", ".join([k + ": " + _repr(e) for k, e in v.items()]) + "}"


def _repr_error(v) -> str:
    return "error: " + _repr(v.value)


def _repr_char(v) -> str:
    return char_str(v.code)


_REPR = {
    str: go_quote,
    int: str,
    float: format_float,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "<undefined>",
    Char: _repr_char,
    list: _repr_list,
    ImmutableArray: _repr_list,
    dict: _repr_map,
    ImmutableMap: _repr_map,
    bytes: utf8_decode,
    Error: _repr_error,
    datetime: go_time_string,
    UserFunction: lambda v: "<user-function>",
}


def _repr(v) -> str:
    f = _REPR.get(type(v))
    if f is not None:
        return f(v)
    if isinstance(v, datetime):
        return go_time_string(v)
    try:
        tn = type_name(v)
    except ImportError:  # builtins table not importable (yet): a plain function
        tn = "compiled-function"
    if tn.startswith("builtin-function"):
        return "<builtin-function>"
    if tn == "compiled-function" or type(v) is FunctionType:
        return "<compiled-function>"
    if tn.startswith("user-function"):
        return "<user-function>"
    s = getattr(v, "tengo_string", None)  # host-defined value types may provide String()
    if callable(s):
        return s()
    return "<" + tn + ">"


def tengo_repr(v) -> str:
    """Tengo's ``Object.String()`` of ``v``.

    A container that holds itself (which the reference cannot print either: Go overflows its
    stack) raises ``OpError("stack overflow")``."""
    f = _REPR.get(type(v))
    if f is not None and f is not _repr_list and f is not _repr_map and f is not _repr_error:
        return f(v)
    try:
        return _repr(v)
    except RecursionError:
        raise OpError(ERR_STACK_OVERFLOW) from None


def to_display(v) -> str:
    """Tengo ``ToString`` as ``fmt.print``/``println`` use it: a string as is, undefined as the
    empty string, anything else as its ``String()``."""
    t = type(v)
    if t is str:
        return v
    if v is None:
        return ""
    return tengo_repr(v)
