"""Tengo's ``text`` module (reference: ``stdlib/text.go``, ``stdlib/text_regexp.go``).

Semantics worth knowing (all checked against the Go source):

- Arguments are converted as the reference's adapters do: "string(compatible)" arguments accept
  anything but undefined (non-strings become their ``String()`` form), "int(compatible)"
  arguments accept int, float, char, bool and decimal strings. The adapters' own quirks are
  kept: ``split``/``split_after`` call a bad second argument ``'first'``, and
  ``compare``/``contains``-style int-returning functions (``compare``, ``count``, ``index``,
  ``index_any``, ``last_index``, ``last_index_any``) report the *first* argument's type for a
  bad second argument.
- Positions and lengths are Go's: **bytes** of the UTF-8 text (``index``, ``re_find`` begin/end,
  ``substr`` bounds, ``pad_*`` widths, size limits). Slicing inside a multi-byte character gives
  invalid UTF-8, carried as surrogate escapes (see ``values.py``/``strings.py``).
- Regular expressions use RE2 (``google-re2``), the engine Go's ``regexp`` re-implements:
  same syntax, leftmost-first semantics, linear time. Go-only rules are added on top: ``\\C`` is
  rejected, error texts are Go's (``error parsing regexp: missing closing ): `(```), ``FindAll``,
  ``Split`` and ``Expand`` (``$1``, ``${name}``) follow Go's algorithms.
- A bad pattern is a **runtime error** (the reference's functions leak the Go error through a
  named result; the docs say an error value). ``parse_bool``/``parse_float``/``parse_int``
  failures are runtime errors for the same reason; ``atoi`` and ``unquote`` return error values.
"""
from __future__ import annotations

import math
import re
import struct


from .. import limits
from ..errors import OpError, ERR_STRING_LIMIT, ERR_INVALID_INDEX_TYPE, wrong_num_args, \
    invalid_arg_type
from ..ops import to_str, utf8_encode, utf8_decode, str_byte_len, \
    parse_go_float
from ..args import check_count, int_arg, string_arg
from ..gostrconv import underscore_ok
from ..strings import canonical, go_quote, go_format_float, utf8_width_at
from ..values import UserFunction, Error, type_name
from .text_regexp import text_re_compile, text_re_find, text_re_match, text_re_replace, text_re_split

# ---------------------------------------------------------------------------------------------
# argument helpers

def _check_len(s: str) -> str:
    mx = limits.string_limit()
    if len(s) * 4 > mx and str_byte_len(s) > mx:
        raise OpError(ERR_STRING_LIMIT)
    return s


def _check_all(strs):
    for s in strs:
        _check_len(s)
    return strs


# ---------------------------------------------------------------------------------------------
# runes (Go decodes invalid UTF-8 as U+FFFD, one byte each; we carry such bytes as surrogates)

def _is_sur(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"


def _rune_key(ch: str) -> str:
    """The rune Go sees for one character of a tengojit string."""
    return "\ufffd" if "\ud800" <= ch <= "\udfff" else ch


def _cwidth(ch: str) -> int:
    c = ord(ch)
    if c < 0x80:
        return 1
    if c < 0x800:
        return 2
    if 0xDC80 <= c <= 0xDCFF:
        return 1          # one raw byte
    if c < 0x10000:
        return 3
    return 4


_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
            "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_FIELDS_RE = re.compile("[^" + re.escape(_GO_SPACE) + "]+")


# ---------------------------------------------------------------------------------------------
# case mapping: Go's unicode.ToUpper/ToLower/ToTitle are the simple (one rune) mappings

def _up1(c):
    u = c.upper()
    if len(u) == 1:
        return u
    t = c.title()
    return t if len(t) == 1 else c


def _low1(c):
    lo = c.lower()
    if len(lo) == 1:
        return lo
    return "i" if c == "\u0130" else c


def _title1(c):
    t = c.title()
    if len(t) == 1:
        return t
    u = c.upper()
    return u if len(u) == 1 else c


_MAPPERS = {}


def _map_runes(s: str, f) -> str:
    """Go strings.Map with a per-rune mapping; invalid bytes become U+FFFD."""
    cache = _MAPPERS.setdefault(f, {})
    out = []
    for ch in s:
        r = cache.get(ch)
        if r is None:
            r = "\ufffd" if _is_sur(ch) else f(ch)
            cache[ch] = r
        out.append(r)
    return "".join(out)


def _to_upper(s):
    if s.isascii():
        return s.upper()
    return _map_runes(s, _up1)


def _to_lower(s):
    if s.isascii():
        return s.lower()
    return _map_runes(s, _low1)


def _to_title(s):
    if s.isascii():
        return s.upper()
    return _map_runes(s, _title1)


def _is_separator(ch):
    c = ord(ch)
    if c <= 0x7F:
        return not ("0" <= ch <= "9" or "a" <= ch <= "z" or "A" <= ch <= "Z" or ch == "_")
    if _is_sur(ch):
        return False    # U+FFFD is a symbol, not space
    if ch.isalpha() or ch.isdecimal():
        return False
    return ch in _GO_SPACE


def _title(s):
    out = []
    prev = " "
    for ch in s:
        if _is_separator(prev):
            r = "\ufffd" if _is_sur(ch) else _title1(ch)
        else:
            r = "\ufffd" if _is_sur(ch) else ch
        prev = ch
        out.append(r)
    return "".join(out)


def _fold1(c):
    c = _rune_key(c)
    f = c.casefold()
    if len(f) == 1:
        return f
    lo = c.lower()
    return lo if len(lo) == 1 else c


def _equal_fold(a, b):
    if len(a) != len(b):
        # rune counts differ (each surrogate escape is one rune, as in Go)
        return False
    for x, y in zip(a, b):
        if x != y and _fold1(x) != _fold1(y):
            if not (_is_sur(x) or x == "\ufffd") or not (_is_sur(y) or y == "\ufffd"):
                return False
    return True


# ---------------------------------------------------------------------------------------------
# Go strings functions


def _compare(a, b):
    if a == b:
        return 0
    ba, bb = utf8_encode(a), utf8_encode(b)
    return -1 if ba < bb else (0 if ba == bb else 1)


def _index_any(s, chars):
    if not chars:
        return -1
    keys = {_rune_key(c) for c in chars}
    pos = 0
    for ch in s:
        if _rune_key(ch) in keys:
            return pos
        pos += _cwidth(ch)
    return -1


def _last_index_any(s, chars):
    if not chars:
        return -1
    keys = {_rune_key(c) for c in chars}
    pos = str_byte_len(s)
    for ch in reversed(s):
        pos -= _cwidth(ch)
        if _rune_key(ch) in keys:
            return pos
    return -1


def _explode(s: str, n: int):
    """Go's ``strings.explode`` (split on ""): one element per character, the last one the
    rest of the string. An invalid UTF-8 byte (a surrogate escape here) becomes U+FFFD in
    every element but the last, as Go (1.19, the reference's toolchain) does."""
    if n < 0 or n > len(s):
        n = len(s)
    if n == 0:
        return []
    return [_REPLACEMENT if "\udc80" <= c <= "\udcff" else c for c in s[:n - 1]] + [s[n - 1:]]


_REPLACEMENT = "\ufffd"


def _gen_split(s: str, sep: str, save: bool, n: int):
    if n == 0:
        return []
    if sep == "":
        return _explode(s, n)
    b, bs = utf8_encode(s), utf8_encode(sep)
    if n < 0:
        n = b.count(bs) + 1
    if n > len(b) + 1:
        n = len(b) + 1
    out = []
    keep = len(bs) if save else 0
    while len(out) < n - 1:
        m = b.find(bs)
        if m < 0:
            break
        out.append(b[:m + keep])
        b = b[m + len(bs):]
    out.append(b)
    return [utf8_decode(x) for x in out]


def _trim(s, cutset, left, right):
    if not s or not cutset:
        return s
    if not any(_is_sur(c) or c == "\ufffd" for c in s) and \
            not any(_is_sur(c) or c == "\ufffd" for c in cutset):
        if left and right:
            return s.strip(cutset)
        return s.lstrip(cutset) if left else s.rstrip(cutset)
    keys = {_rune_key(c) for c in cutset}
    i, j = 0, len(s)
    if left:
        while i < j and _rune_key(s[i]) in keys:
            i += 1
    if right:
        while j > i and _rune_key(s[j - 1]) in keys:
            j -= 1
    return s[i:j]


def _replace(s, old, new, n):
    if old == new or n == 0:
        return s
    b, bo, bn = utf8_encode(s), utf8_encode(old), utf8_encode(new)
    if bo:
        m = b.count(bo)
    else:
        m = len(s) + 1
    if m == 0:
        return s
    if n < 0 or m < n:
        n = m
    if len(b) + n * (len(bn) - len(bo)) > limits.string_limit():
        raise OpError(ERR_STRING_LIMIT)
    if bo:
        return utf8_decode(b.replace(bo, bn, n))
    # empty old: insert before each of the first n runes (and at the end when n > runes)
    before = s[:n]
    head = new + new.join(before) if before else ""
    return canonical(head + new if n > len(s) else head + s[n:])


# ---------------------------------------------------------------------------------------------
# strconv


def _num_error(fn, s, what):
    return f"strconv.{fn}: parsing {go_quote(s)}: {what}"


_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _parse_uint(s, base, fn, orig, bits=64):
    """Go ParseUint's core (no sign); returns (value, error text or None), value unbounded."""
    if s == "":
        return None, _num_error(fn, orig, "invalid syntax")
    base0 = base == 0
    if 2 <= base <= 36:
        pass
    elif base == 0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1] in "bB":
                base, s = 2, s[2:]
            elif len(s) >= 3 and s[1] in "oO":
                base, s = 8, s[2:]
            elif len(s) >= 3 and s[1] in "xX":
                base, s = 16, s[2:]
            else:
                base, s = 8, s[1:]
    else:
        return None, _num_error(fn, orig, f"invalid base {base}")
    if bits < 0 or bits > 64:
        return None, _num_error(fn, orig, f"invalid bit size {bits}")
    v = 0
    underscores = False
    for ch in s:
        if ch == "_" and base0:
            underscores = True
            continue
        d = _DIGITS36.find(ch.lower()) if ch.isascii() else -1
        if d < 0 or d >= base:
            return None, _num_error(fn, orig, "invalid syntax")
        v = v * base + d
    if underscores and not underscore_ok(orig):
        return None, _num_error(fn, orig, "invalid syntax")
    return v, None


def _parse_int(s, base, bits):
    fn = "ParseInt"
    if s == "":
        return None, _num_error(fn, s, "invalid syntax")
    body = s
    neg = False
    if s[0] in "+-":
        neg = s[0] == "-"
        body = s[1:]
    if bits == 0:
        bits = 64
    v, err = _parse_uint(body, base, fn, s, bits)
    if err is not None:
        return None, err
    cutoff = 1 << (bits - 1)
    if not neg and v >= cutoff:
        return None, _num_error(fn, s, "value out of range")
    if neg and v > cutoff:
        return None, _num_error(fn, s, "value out of range")
    return (-v if neg else v), None


def _atoi(s):
    v, err = _parse_int(s, 10, 0)
    if err is not None:
        return Error(err.replace("strconv.ParseInt:", "strconv.Atoi:", 1))
    return v


def _to_f32(f):
    try:
        return struct.unpack("<f", struct.pack("<f", f))[0]
    except OverflowError:
        return math.copysign(math.inf, f)


def _parse_float(s, bits):
    fn = "ParseFloat"
    f = parse_go_float(s)
    if f is None:
        # syntax error, or a well-formed literal out of range
        low = s.lstrip("+-").lower()
        if s and s.isascii() and low not in ("inf", "infinity", "nan") and \
                ("_" not in s or underscore_ok(s)):
            clean = s.replace("_", "")
            try:
                hexa = low.startswith("0x")
                g = float.fromhex(clean) if hexa else float(clean)
            except (ValueError, OverflowError):
                g = None
            if hexa and g is None:
                try:
                    float.fromhex(clean.replace("p", "p-").replace("P", "P-"))
                    g = math.inf
                except (ValueError, OverflowError):
                    g = None
            if g is not None and g in (math.inf, -math.inf) and \
                    re.fullmatch(r"[+-]?(0[xX][0-9a-fA-F_.]+[pP][+-]?[0-9_]+|[0-9_.]+([eE][+-]?[0-9_]+)?)", s):
                return None, _num_error(fn, s, "value out of range")
        return None, _num_error(fn, s, "invalid syntax")
    if bits == 32 and not math.isinf(f) and not math.isnan(f):
        g = _to_f32(f)
        if math.isinf(g):
            return None, _num_error(fn, s, "value out of range")
        f = g
    return f, None


def _shortest32(v: float) -> str:
    """Shortest decimal digits (as Python 'e' format) that round-trip through float32."""
    for p in range(0, 12):
        t = format(v, ".%de" % p)
        if _to_f32(float(t)) == v:
            return t
    return format(v, ".9e")


def _format_float(f, fmt, prec, bits):
    if bits not in (32, 64):
        raise OpError("strconv: illegal AppendFloat/FormatFloat bitSize")
    if fmt not in "beEfgGxX" or len(fmt) != 1:
        return "%" + fmt
    if bits == 64:
        return go_format_float(f, fmt, prec)
    v = _to_f32(f)
    if math.isnan(v) or math.isinf(v):
        return go_format_float(v, fmt, prec)
    if fmt == "b":
        bits32 = struct.unpack("<I", struct.pack("<f", v))[0]
        neg = bits32 >> 31
        exp = (bits32 >> 23) & 0xFF
        mant = bits32 & ((1 << 23) - 1)
        if exp == 0:
            exp = 1
        else:
            mant |= 1 << 23
        exp -= 127 + 23
        return ("-" if neg else "") + str(mant) + "p" + ("+" if exp >= 0 else "") + str(exp)
    if prec >= 0 or fmt in "xX":
        return go_format_float(v, fmt, prec)
    # shortest for float32: the float32-shortest digits, laid out by the 64-bit formatter
    # (the double nearest to those digits prints back as exactly those digits)
    neg = math.copysign(1.0, v) < 0
    a = -v if neg else v
    if a == 0.0:
        return go_format_float(v, fmt, prec)
    out = go_format_float(float(_shortest32(a)), fmt, -1)
    return ("-" + out) if neg else out


def _format_int(i, base):
    if base < 2 or base > 36:
        raise OpError("strconv: illegal AppendInt/FormatInt base")
    if i == 0:
        return "0"
    neg = i < 0
    n = -i if neg else i
    out = []
    while n:
        n, d = divmod(n, base)
        out.append(_DIGITS36[d])
    return ("-" if neg else "") + "".join(reversed(out))


_SIMPLE_UNESC = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _unquote(s: str):
    """Go strconv.Unquote; None on ErrSyntax."""
    b = utf8_encode(s)
    n = len(b)
    if n < 2:
        return None
    q = b[0:1]
    if q != b[-1:]:
        return None
    body = b[1:-1]
    if q == b"`":
        if b"`" in body:
            return None
        return utf8_decode(body.replace(b"\r", b""))
    if q not in (b'"', b"'"):
        return None
    out = bytearray()
    i = 0
    count = 0
    while i < len(body):
        c = body[i]
        if c == q[0] or c == 10:
            return None
        if c != 92:
            w = utf8_width_at(body, i)
            if w == 1 and c >= 0x80:
                out += "\ufffd".encode()
            else:
                out += body[i:i + w]
            i += w
        else:
            i += 1
            if i >= len(body):
                return None
            e = chr(body[i])
            i += 1
            if e in _SIMPLE_UNESC:
                out.append(_SIMPLE_UNESC[e])
            elif e in "xuU":
                k = {"x": 2, "u": 4, "U": 8}[e]
                h = body[i:i + k]
                if len(h) < k or not all(ch in b"0123456789abcdefABCDEF" for ch in h):
                    return None
                v = int(h, 16)
                i += k
                if e == "x":
                    out.append(v)
                else:
                    if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                        return None
                    out += chr(v).encode()
            elif "0" <= e <= "7":
                h = body[i - 1:i + 2]
                if len(h) < 3 or not all(48 <= ch <= 55 for ch in h):
                    return None
                v = int(h, 8)
                if v > 255:
                    return None
                out.append(v)
                i += 2
            elif e in "'\"":
                if e != chr(q[0]):
                    return None
                out.append(ord(e))
            else:
                return None
        count += 1
        if q == b"'" and i < len(body):
            return None
    if q == b"'" and count != 1:
        return None
    return utf8_decode(bytes(out))


def _ss(name, fn, *, quirk_first=False, found_first=False, check=False, array=False):
    """The FuncASS* adapters: two string(compatible) arguments."""
    def f(*args):
        check_count(name, args, 2)
        a = string_arg(name, args, 0)
        b = to_str(args[1])
        if b is None:
            raise invalid_arg_type("user-function:" + name,
                                   "first" if quirk_first else "second", "string(compatible)",
                                   type_name(args[0] if found_first else args[1]))
        res = fn(a, b)
        if check:
            _check_len(res)
        if array:
            _check_all(res)
        return res
    return UserFunction(name, f)


def _s1(name, fn, array=False):
    def f(*args):
        check_count(name, args, 1)
        res = fn(string_arg(name, args, 0))
        if array:
            return _check_all(res)
        return _check_len(res)
    return UserFunction(name, f)


def _ssi_split(name, save):
    def f(*args):
        check_count(name, args, 3)
        s = string_arg(name, args, 0)
        sep = string_arg(name, args, 1)
        n = int_arg(name, args, 2)
        return _check_all(_gen_split(s, sep, save, n))
    return UserFunction(name, f)


def _contains(s, sub):
    if s.isascii() and sub.isascii():
        return sub in s
    return utf8_encode(sub) in utf8_encode(s)


def _count(s, sub):
    if not sub:
        return len(s) + 1
    return utf8_encode(s).count(utf8_encode(sub))


def _index(s, sub):
    if s.isascii() and sub.isascii():
        return s.find(sub)
    return utf8_encode(s).find(utf8_encode(sub))


def _last_index(s, sub):
    if s.isascii() and sub.isascii():
        return s.rfind(sub)
    return utf8_encode(s).rfind(utf8_encode(sub))


def _has_prefix(s, p):
    if s.isascii() and p.isascii():
        return s.startswith(p)
    return utf8_encode(s).startswith(utf8_encode(p))


def _has_suffix(s, p):
    if s.isascii() and p.isascii():
        return s.endswith(p)
    return utf8_encode(s).endswith(utf8_encode(p))


def _trim_prefix(s, p):
    if _has_prefix(s, p):
        return utf8_decode(utf8_encode(s)[len(utf8_encode(p)):]) if p else s
    return s


def _trim_suffix(s, p):
    if p and _has_suffix(s, p):
        b = utf8_encode(s)
        return utf8_decode(b[:len(b) - len(utf8_encode(p))])
    return s


def text_join(*args):
    if len(args) != 2:
        raise wrong_num_args("user-function:join")
    arr = args[0]
    if not isinstance(arr, list):
        raise invalid_arg_type("user-function:join", "first", "array", type_name(arr))
    parts = []
    for idx, a in enumerate(arr):
        v = to_str(a)
        if v is None:
            raise invalid_arg_type("user-function:join", f"first[{idx}]", "string(compatible)",
                                   type_name(a))
        parts.append(v)
    sep = string_arg("join", args, 1)
    mx = limits.string_limit()
    total_chars = sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0)
    if total_chars * 4 > mx:
        total = sum(map(str_byte_len, parts)) + str_byte_len(sep) * (len(parts) - 1)
        if total > mx:
            raise OpError(ERR_STRING_LIMIT)
    return canonical(sep.join(parts))


def text_repeat(*args):
    check_count("repeat", args, 2)
    s = string_arg("repeat", args, 0)
    n = int_arg("repeat", args, 1)
    if str_byte_len(s) * n > limits.string_limit():
        raise OpError(ERR_STRING_LIMIT)
    if n < 0:
        raise OpError("strings: negative Repeat count")
    return canonical(s * n)


def text_replace(*args):
    check_count("replace", args, 4)
    s = string_arg("replace", args, 0)
    old = string_arg("replace", args, 1)
    new = string_arg("replace", args, 2)
    n = int_arg("replace", args, 3)
    return _replace(s, old, new, n)


def text_substr(*args):
    check_count("substr", args, 2, 3)
    s = string_arg("substr", args, 0)
    lo = int_arg("substr", args, 1)
    n = str_byte_len(s)
    hi = int_arg("substr", args, 2) if len(args) == 3 else n
    if lo > hi:
        raise OpError(ERR_INVALID_INDEX_TYPE)
    lo = min(max(lo, 0), n)
    hi = min(max(hi, 0), n)
    if n == len(s):
        return s[lo:hi]
    return utf8_decode(utf8_encode(s)[lo:hi])


def _pad(name, left):
    def f(*args):
        check_count(name, args, 2, 3)
        s = string_arg(name, args, 0)
        width = int_arg(name, args, 1)
        if width > limits.string_limit():
            raise OpError(ERR_STRING_LIMIT)
        b = utf8_encode(s)
        if len(b) >= width:
            return s
        pad = string_arg(name, args, 2) if len(args) == 3 else " "
        pb = utf8_encode(pad)
        if not pb:
            return s
        q = width - len(pb)
        count = (q // len(pb) if q >= 0 else -(-q // len(pb))) + 1     # Go's division truncates
        if left:
            r = pb * count + b
            return utf8_decode(r[len(r) - width:])
        r = b + pb * count
        return utf8_decode(r[:width])
    return UserFunction(name, f)


def text_format_bool(*args):
    check_count("format_bool", args, 1)
    b = args[0]
    if type(b) is not bool:
        raise invalid_arg_type("user-function:format_bool", "first", "bool", type_name(b))
    return "true" if b else "false"


def text_format_float(*args):
    check_count("format_float", args, 4)
    f = args[0]
    if type(f) is not float:
        raise invalid_arg_type("user-function:format_float", "first", "float", type_name(f))
    fmt = string_arg("format_float", args, 1)
    prec = int_arg("format_float", args, 2)
    bits = int_arg("format_float", args, 3)
    if fmt == "":
        raise OpError("runtime error: index out of range [0] with length 0")
    fb = utf8_encode(fmt)[0]
    return _format_float(f, chr(fb) if fb < 0x80 else "\ufffd", prec, bits)


def text_format_int(*args):
    check_count("format_int", args, 2)
    i = args[0]
    if type(i) is not int:
        raise invalid_arg_type("user-function:format_int", "first", "int", type_name(i))
    return _format_int(i, int_arg("format_int", args, 1))


def text_itoa(*args):
    check_count("itoa", args, 1)
    return str(int_arg("itoa", args, 0))


def _exact_str(name, args):
    s = args[0]
    if type(s) is not str:
        raise invalid_arg_type("user-function:" + name, "first", "string", type_name(s))
    return s


def text_parse_bool(*args):
    check_count("parse_bool", args, 1)
    s = _exact_str("parse_bool", args)
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if s in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise OpError(_num_error("ParseBool", s, "invalid syntax"))


def text_parse_float(*args):
    check_count("parse_float", args, 2)
    s = _exact_str("parse_float", args)
    bits = int_arg("parse_float", args, 1)
    f, err = _parse_float(s, bits)
    if err is not None:
        raise OpError(err)
    return f


def text_parse_int(*args):
    check_count("parse_int", args, 3)
    s = _exact_str("parse_int", args)
    base = int_arg("parse_int", args, 1)
    bits = int_arg("parse_int", args, 2)
    v, err = _parse_int(s, base, bits)
    if err is not None:
        raise OpError(err)
    return v


def text_atoi(*args):
    check_count("atoi", args, 1)
    return _atoi(string_arg("atoi", args, 0))


def text_quote(*args):
    check_count("quote", args, 1)
    return _check_len(go_quote(string_arg("quote", args, 0)))


def text_unquote(*args):
    check_count("unquote", args, 1)
    r = _unquote(string_arg("unquote", args, 0))
    if r is None:
        return Error("invalid syntax")
    return _check_len(r)


def _fields(s):
    return _FIELDS_RE.findall(s)


MODULE = {
    "re_match": UserFunction("re_match", text_re_match),
    "re_find": UserFunction("re_find", text_re_find),
    "re_replace": UserFunction("re_replace", text_re_replace),
    "re_split": UserFunction("re_split", text_re_split),
    "re_compile": UserFunction("re_compile", text_re_compile),
    "compare": _ss("compare", _compare, found_first=True),
    "contains": _ss("contains", _contains),
    "contains_any": _ss("contains_any", lambda s, c: _index_any(s, c) >= 0),
    "count": _ss("count", _count, found_first=True),
    "equal_fold": _ss("equal_fold", _equal_fold),
    "fields": _s1("fields", _fields, array=True),
    "has_prefix": _ss("has_prefix", _has_prefix),
    "has_suffix": _ss("has_suffix", _has_suffix),
    "index": _ss("index", _index, found_first=True),
    "index_any": _ss("index_any", _index_any, found_first=True),
    "join": UserFunction("join", text_join),
    "last_index": _ss("last_index", _last_index, found_first=True),
    "last_index_any": _ss("last_index_any", _last_index_any, found_first=True),
    "repeat": UserFunction("repeat", text_repeat),
    "replace": UserFunction("replace", text_replace),
    "substr": UserFunction("substr", text_substr),
    "split": _ss("split", lambda s, sep: _gen_split(s, sep, False, -1), quirk_first=True,
                 array=True),
    "split_after": _ss("split_after", lambda s, sep: _gen_split(s, sep, True, -1),
                       quirk_first=True, array=True),
    "split_after_n": _ssi_split("split_after_n", True),
    "split_n": _ssi_split("split_n", False),
    "title": _s1("title", _title),
    "to_lower": _s1("to_lower", _to_lower),
    "to_title": _s1("to_title", _to_title),
    "to_upper": _s1("to_upper", _to_upper),
    "pad_left": _pad("pad_left", True),
    "pad_right": _pad("pad_right", False),
    "trim": _ss("trim", lambda s, c: _trim(s, c, True, True), check=True),
    "trim_left": _ss("trim_left", lambda s, c: _trim(s, c, True, False), check=True),
    "trim_prefix": _ss("trim_prefix", _trim_prefix, check=True),
    "trim_right": _ss("trim_right", lambda s, c: _trim(s, c, False, True), check=True),
    "trim_space": _s1("trim_space", lambda s: s.strip(_GO_SPACE)),
    "trim_suffix": _ss("trim_suffix", _trim_suffix, check=True),
    "atoi": UserFunction("atoi", text_atoi),
    "format_bool": UserFunction("format_bool", text_format_bool),
    "format_float": UserFunction("format_float", text_format_float),
    "format_int": UserFunction("format_int", text_format_int),
    "itoa": UserFunction("itoa", text_itoa),
    "parse_bool": UserFunction("parse_bool", text_parse_bool),
    "parse_float": UserFunction("parse_float", text_parse_float),
    "parse_int": UserFunction("parse_int", text_parse_int),
    "quote": UserFunction("quote", text_quote),
    "unquote": UserFunction("unquote", text_unquote),
}
