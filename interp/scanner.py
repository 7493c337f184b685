"""Tengo scanner: UTF-8 source bytes → tokens, with Go-style automatic semicolons.

``Scanner(src, error_handler).scan()`` returns ``(kind, literal, offset)`` one token at a time
(kinds are described in ``token.py``); ``offset`` is the byte offset of the token's first byte.
Errors (Tengo's scanner texts) go to ``error_handler(offset, message)`` and scanning goes on, as
in Tengo. Literals of strings and chars are the source text (quotes and escapes included) as a
``str`` decoded with ``surrogateescape``, so ``unquote_string``/``unquote_char`` can recover the
exact bytes.

Also here: ``parse_int_literal`` / ``parse_float_literal`` (Go's ``strconv.ParseInt(lit, 0, 64)``
and ``ParseFloat(lit, 64)`` for what the scanner produces), ``unquote_string``, ``unquote_char``
(Go's ``strconv.Unquote``/``UnquoteChar``) and ``line_starts``/``offset_to_pos``.
"""
from __future__ import annotations

import re

from ..gostrconv import underscore_ok
import unicodedata
from bisect import bisect_right

from . import token as T

_BOM = 0xFEFF
_RUNE_ERROR = 0xFFFD

_WS_SEMI = re.compile(rb"[ \t\r]*")          # insertSemi set: a newline is a token
_WS = re.compile(rb"[ \t\r\n]*")
_IDENT_ASCII = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = {
    2: re.compile(rb"[01_]*"),
    8: re.compile(rb"[0-7_]*"),
    10: re.compile(rb"[0-9_]*"),
    16: re.compile(rb"[0-9a-fA-F_]*"),
}
_SIMPLE_STR = re.compile(rb'"[^"\\\n\x00\x80-\xff]*"')
_SIMPLE_CHAR = re.compile(rb"'[^'\\\n\x00\x80-\xff]'")
_SPECIAL = re.compile(rb"[\x00\x80-\xff]")     # bytes Go's next() may complain about
_OP = re.compile(
    rb"\.\.\.|&\^=|<<=|>>=|&\^|\+\+|--|&&|\|\||<<|>>|[-+*/%&|^<>=!:]="
    rb"|[-+*/%&|^<>=!:.,?;()\[\]{}]"
)
_OP_SEMI = frozenset((")", "]", "}", "++", "--"))
_KW_SEMI = frozenset(("break", "continue", "return", "export", "true", "false", "undefined"))

_SIMPLE_ESC = {
    ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9,
    ord("v"): 11, ord("\\"): 92,
}


def decode_rune(src: bytes, i: int):
    """Go's ``utf8.DecodeRune(src[i:])``: ``(code point, width)``; ``(0xFFFD, 1)`` if invalid."""
    b = src[i]
    if b < 0x80:
        return b, 1
    if 0xC2 <= b <= 0xDF:
        n = 2
    elif 0xE0 <= b <= 0xEF:
        n = 3
    elif 0xF0 <= b <= 0xF4:
        n = 4
    else:
        return _RUNE_ERROR, 1
    try:
        s = src[i:i + n].decode("utf-8")
    except UnicodeDecodeError:
        return _RUNE_ERROR, 1
    return ord(s), n


def _is_print(cp: int) -> bool:
    if cp == 0x20:
        return True
    try:
        return unicodedata.category(chr(cp))[0] in "LMNPS"
    except ValueError:
        return False


def format_rune(cp: int) -> str:
    """Go's ``fmt.Sprintf("%#U", r)``."""
    s = "U+%04X" % cp
    if _is_print(cp):
        s += " '%s'" % chr(cp)
    return s


def _is_letter(cp: int) -> bool:
    if cp < 0x80:
        return (97 <= cp <= 122) or (65 <= cp <= 90) or cp == 95
    return chr(cp).isalpha()


def _is_digit(cp: int) -> bool:
    if cp < 0x80:
        return 48 <= cp <= 57
    return chr(cp).isdecimal()


def _digit_val(c: int) -> int:
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    if 65 <= c <= 70:
        return c - 55
    return 16


class Scanner:
    __slots__ = ("src", "n", "i", "insert_semi", "err")

    def __init__(self, src: bytes, error_handler):
        self.src = src
        self.n = len(src)
        self.err = error_handler
        self.insert_semi = False
        self.i = 3 if src.startswith(b"\xef\xbb\xbf") else 0   # BOM at the start is ignored

    # ------------------------------------------------------------ helpers
    def _check_rune(self, j: int) -> int:
        """Width of the rune at j, reporting what Go's next() reports about it."""
        src = self.src
        c = src[j]
        if c == 0:
            self.err(j, "illegal character NUL")
            return 1
        if c < 0x80:
            return 1
        cp, w = decode_rune(src, j)
        if cp == _RUNE_ERROR and w == 1:
            self.err(j, "illegal UTF-8 encoding")
        elif cp == _BOM and j > 0:
            self.err(j, "illegal byte order mark")
        return w

    def _check_span(self, a: int, b: int) -> None:
        src = self.src
        m = _SPECIAL.search(src, a, b)
        while m is not None:
            j = m.start()
            j += self._check_rune(j)
            m = _SPECIAL.search(src, j, b) if j < b else None

    def _ident_end(self, j: int) -> int:
        """Scan identifier characters from j (any mix of ASCII and Unicode)."""
        src, n = self.src, self.n
        while j < n:
            c = src[j]
            if c < 0x80:
                if (97 <= c <= 122) or (65 <= c <= 90) or c == 95 or 48 <= c <= 57:
                    j += 1
                    continue
                break
            cp, w = decode_rune(src, j)
            if cp == _RUNE_ERROR and w == 1:
                break
            if not (chr(cp).isalpha() or chr(cp).isdecimal()):
                break
            if cp == _BOM:
                break
            j += w
        return j

    def _find_line_end(self, i: int) -> bool:
        """At a comment (src[i] == '/') with insertSemi set: does a newline or EOF come before
        the next non-comment token?"""
        src, n = self.src, self.n
        j = i + 1
        while j < n and src[j] in (0x2F, 0x2A):
            if src[j] == 0x2F:
                return True                       # //-comment always ends the line
            k = src.find(b"*/", j + 1)
            end = k if k >= 0 else n
            if src.find(b"\n", j + 1, end) >= 0:
                return True
            if k < 0:
                return True                       # unterminated: runs to EOF
            j = _WS_SEMI.match(src, k + 2).end()
            if j >= n or src[j] == 0x0A:
                return True
            if src[j] != 0x2F:
                return False
            j += 1
        return False

    def _scan_escape(self, j: int, quote: int):
        """j: offset just after the backslash. Returns (new offset, ok)."""
        src, n = self.src, self.n
        offs = j
        if j >= n:
            self.err(offs, "escape sequence not terminated")
            return j, False
        c = src[j]
        if c in _SIMPLE_ESC or c == quote:
            return j + 1, True
        if 48 <= c <= 55:
            cnt, base, mx = 3, 8, 255
        elif c == 0x78:  # x
            j += 1
            cnt, base, mx = 2, 16, 255
        elif c == 0x75:  # u
            j += 1
            cnt, base, mx = 4, 16, 0x10FFFF
        elif c == 0x55:  # U
            j += 1
            cnt, base, mx = 8, 16, 0x10FFFF
        else:
            self.err(offs, "unknown escape sequence")
            return j, False
        x = 0
        while cnt > 0:
            if j >= n:
                self.err(j, "escape sequence not terminated")
                return j, False
            d = _digit_val(src[j])
            if d >= base:
                cp, _ = decode_rune(src, j)
                self.err(j, "illegal character %s in escape sequence" % format_rune(cp))
                return j, False
            x = x * base + d
            j += 1
            cnt -= 1
        if x > mx or 0xD800 <= x < 0xE000:
            self.err(offs, "escape sequence is invalid Unicode code point")
            return j, False
        return j, True

    def _scan_string(self, i: int) -> int:
        src, n = self.src, self.n
        j = i + 1
        while True:
            if j >= n or src[j] == 0x0A:
                self.err(i, "string literal not terminated")
                return j
            c = src[j]
            if c == 0x22:
                return j + 1
            if c == 0x5C:
                j, _ = self._scan_escape(j + 1, 0x22)
            elif c >= 0x80 or c == 0:
                j += self._check_rune(j)
            else:
                j += 1

    def _scan_rune(self, i: int) -> int:
        src, n = self.src, self.n
        j = i + 1
        valid = True
        cnt = 0
        while True:
            if j >= n or src[j] == 0x0A:
                if valid:
                    self.err(i, "rune literal not terminated")
                    valid = False
                break
            c = src[j]
            if c == 0x27:
                j += 1
                break
            cnt += 1
            if c == 0x5C:
                j, ok = self._scan_escape(j + 1, 0x27)
                if not ok:
                    valid = False
            elif c >= 0x80 or c == 0:
                j += self._check_rune(j)
            else:
                j += 1
        if valid and cnt != 1:
            self.err(i, "illegal rune literal")
        return j

    def _scan_number(self, i: int):
        src, n = self.src, self.n
        kind = T.INT
        base = 10
        j = i
        if src[j] == 0x30 and j + 1 < n:
            c1 = src[j + 1] | 0x20
            if c1 == 0x62:
                base, j = 2, j + 2
            elif c1 == 0x6F:
                base, j = 8, j + 2
            elif c1 == 0x78:
                base, j = 16, j + 2
        j = _DIGITS[base].match(src, j).end()
        if j < n and src[j] == 0x2E and (base == 10 or base == 16):
            kind = T.FLOAT
            j = _DIGITS[base].match(src, j + 1).end()
        if j < n and src[j] in b"eEpP":
            kind = T.FLOAT
            j += 1
            if j < n and src[j] in b"+-":
                j += 1
            k = _DIGITS[10].match(src, j).end()
            if k == j:
                self.err(j, "exponent has no digits")
            j = k
        return kind, src[i:j].decode("ascii"), j

    # ------------------------------------------------------------ main entry
    def scan(self):
        src, n = self.src, self.n
        while True:
            i = (_WS_SEMI if self.insert_semi else _WS).match(src, self.i).end()
            if i >= n:
                self.i = n
                if self.insert_semi:
                    self.insert_semi = False
                    return T.SEMICOLON, "\n", n
                return T.EOF, "", n
            c = src[i]

            # identifiers and keywords
            if (97 <= c <= 122) or (65 <= c <= 90) or c == 95:
                j = _IDENT_ASCII.match(src, i).end()
                if j < n and src[j] >= 0x80:
                    j = self._ident_end(j)
                lit = src[i:j].decode("utf-8")
                if lit in T.KEYWORDS:
                    self.insert_semi = lit in _KW_SEMI
                    self.i = j
                    return lit, lit, i
                self.insert_semi = True
                self.i = j
                return T.IDENT, lit, i

            if c >= 0x80:
                cp, w = decode_rune(src, i)
                if not (cp == _RUNE_ERROR and w == 1) and cp != _BOM and chr(cp).isalpha():
                    j = self._ident_end(i)
                    self.insert_semi = True
                    self.i = j
                    return T.IDENT, src[i:j].decode("utf-8"), i
                # illegal character (what Go's next() says first, then Scan)
                if cp == _RUNE_ERROR and w == 1:
                    self.err(i, "illegal UTF-8 encoding")
                elif cp == _BOM:
                    self.err(i, "illegal byte order mark")
                if cp != _BOM:
                    self.err(i, "illegal character " + format_rune(cp))
                self.i = i + w
                return T.ILLEGAL, chr(cp), i

            # numbers
            if 48 <= c <= 57 or (c == 0x2E and i + 1 < n and 48 <= src[i + 1] <= 57):
                kind, lit, j = self._scan_number(i)
                self.insert_semi = True
                self.i = j
                return kind, lit, i

            if c == 0x0A:  # only reached when insertSemi is set
                self.insert_semi = False
                self.i = i + 1
                return T.SEMICOLON, "\n", i

            if c == 0x22:  # "
                m = _SIMPLE_STR.match(src, i)
                j = m.end() if m is not None else self._scan_string(i)
                self.insert_semi = True
                self.i = j
                return T.STRING, src[i:j].decode("utf-8", "surrogateescape"), i

            if c == 0x27:  # '
                m = _SIMPLE_CHAR.match(src, i)
                j = m.end() if m is not None else self._scan_rune(i)
                self.insert_semi = True
                self.i = j
                return T.CHAR, src[i:j].decode("utf-8", "surrogateescape"), i

            if c == 0x60:  # `
                k = src.find(b"`", i + 1)
                if k < 0:
                    self.err(i, "raw string literal not terminated")
                    j = n
                else:
                    j = k + 1
                self._check_span(i + 1, j)
                raw = src[i:j]
                if b"\r" in raw:
                    raw = raw.replace(b"\r", b"")
                self.insert_semi = True
                self.i = j
                return T.STRING, raw.decode("utf-8", "surrogateescape"), i

            if c == 0x2F and i + 1 < n and src[i + 1] in (0x2F, 0x2A):  # comment
                if self.insert_semi and self._find_line_end(i):
                    self.insert_semi = False
                    self.i = i
                    return T.SEMICOLON, "\n", i
                if src[i + 1] == 0x2F:
                    j = src.find(b"\n", i + 2)
                    if j < 0:
                        j = n
                else:
                    k = src.find(b"*/", i + 2)
                    if k < 0:
                        self.err(i, "comment not terminated")
                        j = n
                    else:
                        j = k + 2
                self._check_span(i + 2, j)
                self.insert_semi = False
                self.i = j
                continue

            m = _OP.match(src, i)
            if m is not None:
                op = m.group().decode("ascii")
                self.i = m.end()
                self.insert_semi = op in _OP_SEMI
                return op, (";" if op == ";" else ""), i

            # anything else is illegal (NUL, control characters, '#', '$', '@', '~', '\\', ...)
            if c == 0:
                self.err(i, "illegal character NUL")
            self.err(i, "illegal character " + format_rune(c))
            self.i = i + 1
            return T.ILLEGAL, chr(c), i


# ---------------------------------------------------------------- literal values
_UINT64_MAX = (1 << 64) - 1

def parse_int_literal(lit: str):
    """Go's ``strconv.ParseInt(lit, 0, 64)`` on a scanned INT literal.

    Returns ``(value, err)`` with err ``None``, ``"range"`` or ``"syntax"``."""
    s = lit
    base = 10
    if len(s) > 1 and s[0] == "0":
        c1 = s[1].lower()
        if c1 == "b":
            base, s = 2, s[2:]
        elif c1 == "o":
            base, s = 8, s[2:]
        elif c1 == "x":
            base, s = 16, s[2:]
        else:
            base, s = 8, s[1:]
    if not s:
        return 0, "syntax"
    underscores = False
    v = 0
    for ch in s:
        if ch == "_":
            underscores = True
            continue
        d = _digit_val(ord(ch))
        if d >= base:
            return 0, "syntax"
        v = v * base + d
        if v > _UINT64_MAX:
            # Go's ParseUint stops at the first digit past the uint64 range (so a later bad
            # digit or underscore is not reported), which keeps a long literal linear here
            return (1 << 63) - 1, "range"
    if underscores and not underscore_ok(lit):
        return 0, "syntax"
    if v > (1 << 63) - 1:
        return (1 << 63) - 1, "range"
    return v, None


_DEC_FLOAT = re.compile(r"(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?\Z")
_HEX_FLOAT = re.compile(r"0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9_]+\Z")


def parse_float_literal(lit: str):
    """Go's ``strconv.ParseFloat(lit, 64)`` on a scanned FLOAT literal: ``(value, err)``."""
    if "_" in lit and not underscore_ok(lit):
        return 0.0, "syntax"
    s = lit.replace("_", "")
    if _HEX_FLOAT.match(lit):
        mant, _, exp = s[2:].replace("P", "p").partition("p")
        if not any(ch not in "." for ch in mant):
            return 0.0, "syntax"
        try:
            v = float.fromhex("0x" + mant + "p" + exp)
        except OverflowError:
            return float("inf"), "range"
        except ValueError:
            return 0.0, "syntax"
        return v, None
    if not _DEC_FLOAT.match(lit) or not any("0" <= ch <= "9" for ch in s.split("e")[0].split("E")[0]):
        return 0.0, "syntax"
    try:
        v = float(s)
    except (ValueError, OverflowError):
        return 0.0, "syntax"
    if v == float("inf"):
        return v, "range"
    return v, None


def _unquote_body(b: bytes, quote: int):
    """Decode the escapes of a quoted literal body into bytes; None when invalid."""
    out = bytearray()
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c != 0x5C:
            if c == quote or c == 0x0A:
                return None
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= n:
            return None
        c = b[i]
        if c in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[c])
            i += 1
        elif c == quote:
            out.append(c)
            i += 1
        elif 48 <= c <= 55:
            if i + 3 > n:
                return None
            try:
                v = int(b[i:i + 3], 8)
            except ValueError:
                return None
            if v > 255:
                return None
            out.append(v)
            i += 3
        elif c in (0x78, 0x75, 0x55):
            k = {0x78: 2, 0x75: 4, 0x55: 8}[c]
            digits = b[i + 1:i + 1 + k]
            if len(digits) != k or any(_digit_val(d) >= 16 for d in digits):
                return None
            v = int(digits, 16)
            i += 1 + k
            if c == 0x78:
                out.append(v)
            else:
                if v > 0x10FFFF or 0xD800 <= v < 0xE000:
                    return None
                out += chr(v).encode("utf-8")
        else:
            return None
    return bytes(out)


def unquote_string(lit: str):
    """Go's ``strconv.Unquote`` for a scanned STRING literal; None when invalid."""
    b = lit.encode("utf-8", "surrogateescape")
    if len(b) < 2:
        return None
    if b[0] == 0x60:
        if b[-1] != 0x60:
            return None
        return b[1:-1].replace(b"\r", b"").decode("utf-8", "surrogateescape")
    if b[0] != 0x22 or b[-1] != 0x22:
        return None
    body = b[1:-1]
    if 0x5C not in body:
        if 0x22 in body or 0x0A in body:
            return None
        return body.decode("utf-8", "surrogateescape")
    out = _unquote_body(body, 0x22)
    if out is None:
        return None
    return out.decode("utf-8", "surrogateescape")


def unquote_char(lit: str):
    """Tengo's char literal value: Go's ``UnquoteChar(lit[1:-1], '\\'')``; None when invalid."""
    b = lit.encode("utf-8", "surrogateescape")
    if len(b) < 3:
        return None
    body = b[1:-1]
    c = body[0]
    if c >= 0x80:
        return decode_rune(body, 0)[0]
    if c == 0x27:
        return None
    if c != 0x5C:
        return c
    if len(body) < 2:
        return None
    e = body[1]
    if e in _SIMPLE_ESC:
        return _SIMPLE_ESC[e]
    if e == 0x27:
        return 0x27
    if 48 <= e <= 55:
        digits = body[1:4]
        if len(digits) != 3 or any(not 48 <= d <= 55 for d in digits):
            return None
        v = int(digits, 8)
        return v if v <= 255 else None
    if e in (0x78, 0x75, 0x55):
        k = {0x78: 2, 0x75: 4, 0x55: 8}[e]
        digits = body[2:2 + k]
        if len(digits) != k or any(_digit_val(d) >= 16 for d in digits):
            return None
        v = int(digits, 16)
        if e != 0x78 and (v > 0x10FFFF or 0xD800 <= v < 0xE000):
            return None
        return v
    return None


# ---------------------------------------------------------------- positions
def line_starts(src: bytes) -> list:
    starts = [0]
    find = src.find
    i = find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


def offset_to_pos(starts: list, off: int):
    line = bisect_right(starts, off)
    return (line, off - starts[line - 1] + 1)
