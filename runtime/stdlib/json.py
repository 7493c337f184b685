"""Tengo's ``json`` module (reference: ``stdlib/json.go`` and its fork of Go's encoding/json in
``stdlib/json/``): ``decode``, ``encode``, ``indent``, ``html_escape``.

``encode(v)`` → bytes (the reference's encoder, not Go's ``encoding/json``):

- int → decimal; float → ES6-style like Go (``strconv`` ``'f'`` shortest, ``'e'`` when
  ``|f| < 1e-6`` or ``|f| >= 1e21``, ``e-07`` cleaned to ``e-7``); NaN/±Inf → the error value
  ``error("unsupported float value")``; bool → ``true``/``false``; char → its code point as a
  number; undefined → ``null``; bytes → base64 string; time → Go ``MarshalJSON`` (RFC 3339 with
  nanoseconds, quoted; years outside 0..9999 → ``error("Time.MarshalJSON: year outside of range
  [0,9999]")``); arrays/maps (mutable or immutable) → ``[...]``/``{...}``; any other value
  (functions, error values, …) encodes as **nothing** (the reference ignores unknown types, so
  ``{"a": error(1)}`` gives ``{"a":}`` — reproduced).
- Strings: ``"`` and ``\\`` backslash-escaped, ``\\n \\r \\t`` short escapes, other control bytes
  ``\\u00XX``; ``<``, ``>``, ``&``, U+2028/2029 and DEL are **not** escaped (use
  ``html_escape``); bytes that are not UTF-8 are copied as they are (no U+FFFD).
- Map keys come out in insertion order (the reference's is Go's random map order).

``decode(b)`` (string or bytes) → value: objects → maps, arrays → arrays, numbers without
``.``/``e``/``E`` → int (exact; beyond int64 clamped to MaxInt64/MinInt64 as Go's ``ParseInt``
reports), other numbers → float, ``null`` → undefined. Bad JSON returns an **error value** with
Go's message (``invalid character 'x' looking for beginning of value``, ``unexpected end of JSON
input``, …). Invalid UTF-8 and unpaired ``\\uD800``-style escapes inside strings become U+FFFD.

``indent(b, prefix, indent)`` and ``html_escape(b)`` are Go's ``encoding/json.Indent`` and
``HTMLEscape``; ``indent`` returns an error value on bad JSON. Note the reference registers
``indent`` under the name ``encode``, so its argument errors say ``user-function:encode``.
"""
from __future__ import annotations

import base64
import json as _pyjson
import math
import re

from .. import gotime
from ..args import convert
from ..errors import wrong_num_args, invalid_arg_type
from ..ops import to_str
from ..strings import go_format_float, go_quote
from ..values import (Char, Error, ImmutableArray, ImmutableMap, UserFunction, type_name,
                      INT64_MAX, INT64_MIN)
from datetime import datetime


class _EncodeError(Exception):
    pass


def _str_bytes(s: str) -> bytes:
    if s.isascii():
        return s.encode()
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        return b"".join(bytes([ord(ch) - 0xDC00]) if 0xDC80 <= ord(ch) <= 0xDCFF
                        else ch.encode("utf-8", "surrogatepass") for ch in s)


# ---------------------------------------------------------------------------------------------
# encode

_ESC = {i: "\\u%04x" % i for i in range(0x20)}
_ESC.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"',
             ord("\\"): "\\\\"})
_NEEDS_ESC = re.compile(r'[\x00-\x1f"\\]')


def _encode_string(s: str) -> bytes:
    if _NEEDS_ESC.search(s):
        s = s.translate(_ESC)
    return b'"' + _str_bytes(s) + b'"'


def _encode_float(f: float) -> bytes:
    if math.isinf(f) or math.isnan(f):
        raise _EncodeError("unsupported float value")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        s = go_format_float(f, "e", -1)
        if len(s) >= 4 and s[-4] == "e" and s[-3] == "-" and s[-2] == "0":
            s = s[:-2] + s[-1]
    else:
        s = go_format_float(f, "f", -1)
    return s.encode()


def _encode_time(t) -> bytes:
    if not 0 <= t.year <= 9999:
        raise _EncodeError("Time.MarshalJSON: year outside of range [0,9999]")
    return b'"' + gotime.go_format(t, "2006-01-02T15:04:05.999999999Z07:00").encode() + b'"'


def _encode(v, out: list) -> None:
    t = type(v)
    if t is str:
        out.append(_encode_string(v))
    elif t is int:
        out.append(str(v).encode())
    elif t is float:
        out.append(_encode_float(v))
    elif t is bool:
        out.append(b"true" if v else b"false")
    elif v is None:
        out.append(b"null")
    elif t is list or t is ImmutableArray:
        out.append(b"[")
        last = len(v) - 1
        for i, e in enumerate(v):
            _encode(e, out)
            if i < last:
                out.append(b",")
        out.append(b"]")
    elif t is dict or t is ImmutableMap:
        out.append(b"{")
        last = len(v) - 1
        for i, (k, e) in enumerate(v.items()):
            out.append(_encode_string(k))
            out.append(b":")
            _encode(e, out)
            if i < last:
                out.append(b",")
        out.append(b"}")
    elif t is bytes:
        out.append(b'"' + base64.b64encode(v) + b'"')
    elif t is Char:
        out.append(str(v.code).encode())
    elif isinstance(v, datetime):
        out.append(_encode_time(v))
    # any other type: ignored, as the reference does


def encode_value(v) -> bytes:
    """The reference's ``json.Encode``; raises ``_EncodeError``."""
    out = []
    # iterative guard against Python recursion on deep values is unnecessary: Tengo values
    # deeper than Python's recursion limit would already fail elsewhere
    _encode(v, out)
    return b"".join(out)


# ---------------------------------------------------------------------------------------------
# Go's JSON scanner: error messages, validation, Indent

class JSONSyntaxError(Exception):
    pass


def _quote_char(c: int) -> str:
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    s = go_quote(chr(c))
    return "'" + s[1:-1] + "'"


def _err(c: int, context: str):
    return JSONSyntaxError("invalid character " + _quote_char(c) + " " + context)


# scan op codes
CONTINUE, BEGIN_LITERAL, BEGIN_OBJECT, OBJECT_KEY, OBJECT_VALUE, END_OBJECT, BEGIN_ARRAY, \
    ARRAY_VALUE, END_ARRAY, SKIP_SPACE, END = range(11)
_PARSE_KEY, _PARSE_VALUE, _PARSE_ARRAY = range(3)
_SPACE = b" \t\r\n"
_HEX = b"0123456789abcdefABCDEF"
_LITERALS = {ord("t"): b"rue", ord("f"): b"alse", ord("n"): b"ull"}
_LIT_NAMES = {ord("t"): "true", ord("f"): "false", ord("n"): "null"}


class Scanner:
    """Go's ``encoding/json`` scanner state machine: ``step(c)`` returns an op code or raises
    ``JSONSyntaxError`` with Go's message; ``eof()`` ends the input."""

    def __init__(self):
        self.state = self.begin_value
        self.stack = []
        self.end_top = False

    def step(self, c: int) -> int:
        return self.state(c)

    def eof(self) -> int:
        if self.end_top:
            return END
        self.state(0x20)
        if self.end_top:
            return END
        raise JSONSyntaxError("unexpected end of JSON input")

    def _pop(self):
        self.stack.pop()
        if not self.stack:
            self.state = self.end_top_state
            self.end_top = True
        else:
            self.state = self.end_value

    def begin_value_or_empty(self, c):
        if c in _SPACE:
            return SKIP_SPACE
        if c == 0x5D:  # ]
            return self.end_value(c)
        return self.begin_value(c)

    def begin_value(self, c):
        if c in _SPACE:
            return SKIP_SPACE
        if c == 0x7B:  # {
            self.state = self.begin_string_or_empty
            self.stack.append(_PARSE_KEY)
            return BEGIN_OBJECT
        if c == 0x5B:  # [
            self.state = self.begin_value_or_empty
            self.stack.append(_PARSE_ARRAY)
            return BEGIN_ARRAY
        if c == 0x22:
            self.state = self.in_string
            return BEGIN_LITERAL
        if c == 0x2D:  # -
            self.state = self.neg
            return BEGIN_LITERAL
        if c == 0x30:
            self.state = self.zero
            return BEGIN_LITERAL
        if 0x31 <= c <= 0x39:
            self.state = self.one
            return BEGIN_LITERAL
        if c in _LITERALS:
            self.lit = _LITERALS[c]
            self.lit_name = _LIT_NAMES[c]
            self.lit_pos = 0
            self.state = self.literal
            return BEGIN_LITERAL
        raise _err(c, "looking for beginning of value")

    def begin_string_or_empty(self, c):
        if c in _SPACE:
            return SKIP_SPACE
        if c == 0x7D:  # }
            self.stack[-1] = _PARSE_VALUE
            return self.end_value(c)
        return self.begin_string(c)

    def begin_string(self, c):
        if c in _SPACE:
            return SKIP_SPACE
        if c == 0x22:
            self.state = self.in_string
            return BEGIN_LITERAL
        raise _err(c, "looking for beginning of object key string")

    def end_value(self, c):
        if not self.stack:
            self.state = self.end_top_state
            self.end_top = True
            return self.end_top_state(c)
        if c in _SPACE:
            self.state = self.end_value
            return SKIP_SPACE
        ps = self.stack[-1]
        if ps == _PARSE_KEY:
            if c == 0x3A:
                self.stack[-1] = _PARSE_VALUE
                self.state = self.begin_value
                return OBJECT_KEY
            raise _err(c, "after object key")
        if ps == _PARSE_VALUE:
            if c == 0x2C:
                self.stack[-1] = _PARSE_KEY
                self.state = self.begin_string
                return OBJECT_VALUE
            if c == 0x7D:
                self._pop()
                return END_OBJECT
            raise _err(c, "after object key:value pair")
        if c == 0x2C:
            self.state = self.begin_value
            return ARRAY_VALUE
        if c == 0x5D:
            self._pop()
            return END_ARRAY
        raise _err(c, "after array element")

    def end_top_state(self, c):
        if c not in _SPACE:
            raise _err(c, "after top-level value")
        return END

    def in_string(self, c):
        if c == 0x22:
            self.state = self.end_value
            return CONTINUE
        if c == 0x5C:
            self.state = self.in_string_esc
            return CONTINUE
        if c < 0x20:
            raise _err(c, "in string literal")
        return CONTINUE

    def in_string_esc(self, c):
        if c in b'bfnrt\\/"':
            self.state = self.in_string
            return CONTINUE
        if c == 0x75:  # u
            self.hex_left = 4
            self.state = self.in_string_esc_u
            return CONTINUE
        raise _err(c, "in string escape code")

    def in_string_esc_u(self, c):
        if c in _HEX:
            self.hex_left -= 1
            if self.hex_left == 0:
                self.state = self.in_string
            return CONTINUE
        raise _err(c, "in \\u hexadecimal character escape")

    def neg(self, c):
        if c == 0x30:
            self.state = self.zero
            return CONTINUE
        if 0x31 <= c <= 0x39:
            self.state = self.one
            return CONTINUE
        raise _err(c, "in numeric literal")

    def one(self, c):
        if 0x30 <= c <= 0x39:
            return CONTINUE
        return self.zero(c)

    def zero(self, c):
        if c == 0x2E:
            self.state = self.dot
            return CONTINUE
        if c == 0x65 or c == 0x45:
            self.state = self.e
            return CONTINUE
        return self.end_value(c)

    def dot(self, c):
        if 0x30 <= c <= 0x39:
            self.state = self.dot0
            return CONTINUE
        raise _err(c, "after decimal point in numeric literal")

    def dot0(self, c):
        if 0x30 <= c <= 0x39:
            return CONTINUE
        if c == 0x65 or c == 0x45:
            self.state = self.e
            return CONTINUE
        return self.end_value(c)

    def e(self, c):
        if c == 0x2B or c == 0x2D:
            self.state = self.esign
            return CONTINUE
        return self.esign(c)

    def esign(self, c):
        if 0x30 <= c <= 0x39:
            self.state = self.e0
            return CONTINUE
        raise _err(c, "in exponent of numeric literal")

    def e0(self, c):
        if 0x30 <= c <= 0x39:
            return CONTINUE
        return self.end_value(c)

    def literal(self, c):
        want = self.lit[self.lit_pos]
        if c == want:
            self.lit_pos += 1
            if self.lit_pos == len(self.lit):
                self.state = self.end_value
            return CONTINUE
        raise _err(c, "in literal %s (expecting %s)" % (self.lit_name, _quote_char(want)))


def check_valid(data: bytes) -> None:
    """Go ``checkValid``: raises ``JSONSyntaxError`` with Go's message."""
    s = Scanner()
    step = s.step
    for c in data:
        step(c)
    s.eof()


def go_indent(src: bytes, prefix: str, indent: str) -> bytes:
    """Go ``encoding/json.Indent``; raises ``JSONSyntaxError``."""
    pre = _str_bytes(prefix)
    ind = _str_bytes(indent)
    out = bytearray()
    s = Scanner()
    need_indent = False
    depth = 0

    def newline(d):
        out.append(0x0A)
        out.extend(pre)
        for _ in range(d):
            out.extend(ind)

    for c in src:
        v = s.step(c)
        if v == SKIP_SPACE:
            continue
        if need_indent and v != END_OBJECT and v != END_ARRAY:
            need_indent = False
            depth += 1
            newline(depth)
        if v == CONTINUE:
            out.append(c)
            continue
        if c == 0x7B or c == 0x5B:
            need_indent = True
            out.append(c)
        elif c == 0x2C:
            out.append(c)
            newline(depth)
        elif c == 0x3A:
            out.append(c)
            out.append(0x20)
        elif c == 0x7D or c == 0x5D:
            if need_indent:
                need_indent = False
            else:
                depth -= 1
                newline(depth)
            out.append(c)
        else:
            out.append(c)
    s.eof()
    return bytes(out)


def go_html_escape(src: bytes) -> bytes:
    """Go ``encoding/json.HTMLEscape``."""
    out = src.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
    return out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


# ---------------------------------------------------------------------------------------------
# decode

def _reject_constant(name):
    raise ValueError(name)


def _parse_int(s: str) -> int:
    """A JSON integer clamped to int64, as the reference's ``strconv.ParseInt`` result is
    (a JSON number has no leading zeros, so more than 20 digits is out of range: no
    conversion of a long digit string, which Python limits and makes quadratic)."""
    digits = len(s) - (s[0] == "-")
    if digits > 20:
        return INT64_MIN if s[0] == "-" else INT64_MAX
    n = int(s)
    return INT64_MAX if n > INT64_MAX else INT64_MIN if n < INT64_MIN else n


_BAD_SURROGATE_ESC = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _fix_strings(v):
    """Replace lone surrogates (from unpaired ``\\uD8xx`` escapes) with U+FFFD everywhere."""
    fix = lambda s: _SURROGATES.sub("\ufffd", s)  # noqa: E731
    if type(v) is str:
        return fix(v)
    stack = [v] if type(v) in (list, dict) else []
    while stack:
        c = stack.pop()
        if type(c) is list:
            for i, e in enumerate(c):
                if type(e) is str:
                    c[i] = fix(e)
                elif type(e) in (list, dict):
                    stack.append(e)
        else:
            items = list(c.items())
            c.clear()
            for k, e in items:
                if type(e) is str:
                    e = fix(e)
                elif type(e) in (list, dict):
                    stack.append(e)
                c[fix(k)] = e
    return v


def decode_bytes(data: bytes):
    """The reference's ``json.Decode``; raises ``JSONSyntaxError``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Go coerces each invalid byte inside strings to U+FFFD (outside strings it is a
        # syntax error, which the scanner below reports)
        text = _SURROGATES.sub("\ufffd", data.decode("utf-8", "surrogateescape"))
    try:
        v = _pyjson.loads(text, parse_int=_parse_int, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        check_valid(data)  # raises Go's error
        v = _slow_decode(text)  # valid for Go but not Python (e.g. very deep nesting)
    if _BAD_SURROGATE_ESC.search(data):
        v = _fix_strings(v)
    return v


_TOKEN = re.compile(r'[ \t\r\n]*(?:([\[\]{},:])|("(?:[^"\\]|\\.)*")|'
                    r'(-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)|(true|false|null))',
                    re.S)


def _slow_decode(text: str):
    """Build the value of JSON text already validated by ``check_valid``, without recursion."""
    pos = 0
    stack = []  # (container, pending key)
    root = None
    have_root = False
    while True:
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        pos = m.end()
        punct, string, number, frac, exp, lit = m.group(1, 2, 3, 4, 5, 6)
        if punct in (",", ":"):
            continue
        if punct in ("]", "}"):
            val = stack.pop()[0]
        elif punct == "[":
            stack.append(([], None))
            continue
        elif punct == "{":
            stack.append(({}, None))
            continue
        elif string is not None:
            val = _pyjson.loads(string)
            if stack and type(stack[-1][0]) is dict and stack[-1][1] is None:
                stack[-1] = (stack[-1][0], val)
                continue
        elif number is not None:
            val = float(number) if (frac or exp) else _parse_int(number)
        else:
            val = {"true": True, "false": False, "null": None}[lit]
        if not stack:
            root = val
            have_root = True
            break
        cont, k = stack[-1]
        if type(cont) is list:
            cont.append(val)
        else:
            cont[k] = val
            stack[-1] = (cont, None)
    return root if have_root else None


# ---------------------------------------------------------------------------------------------
# module functions

def _bytes_or_string(v):
    t = type(v)
    if t is bytes:
        return v
    if t is str:
        return _str_bytes(v)
    return None


def _arg_bytes(name, fn_name, v):
    return convert(fn_name, name, v, _bytes_or_string, "bytes/string")


def json_decode(*args):
    if len(args) != 1:
        raise wrong_num_args("user-function:decode")
    data = _arg_bytes("first", "decode", args[0])
    try:
        return decode_bytes(data)
    except JSONSyntaxError as e:
        return Error(str(e))


def json_encode(*args):
    if len(args) != 1:
        raise wrong_num_args("user-function:encode")
    try:
        return encode_value(args[0])
    except _EncodeError as e:
        return Error(str(e))


def json_indent(*args):
    # registered by the reference as UserFunction{Name: "encode"}
    if len(args) != 3:
        raise wrong_num_args("user-function:encode")
    prefix = to_str(args[1])
    if prefix is None:
        raise invalid_arg_type("user-function:encode", "prefix", "string(compatible)",
                               type_name(args[1]))
    indent = to_str(args[2])
    if indent is None:
        raise invalid_arg_type("user-function:encode", "indent", "string(compatible)",
                               type_name(args[2]))
    data = _arg_bytes("first", "encode", args[0])
    try:
        return go_indent(data, prefix, indent)
    except JSONSyntaxError as e:
        return Error(str(e))


def json_html_escape(*args):
    if len(args) != 1:
        raise wrong_num_args("user-function:html_escape")
    return go_html_escape(_arg_bytes("first", "html_escape", args[0]))


MODULE = {
    "decode": UserFunction("decode", json_decode),
    "encode": UserFunction("encode", json_encode),
    "indent": UserFunction("encode", json_indent),
    "html_escape": UserFunction("html_escape", json_html_escape),
}
