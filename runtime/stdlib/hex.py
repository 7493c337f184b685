"""Tengo's ``hex`` module (``stdlib/hex.go``): Go's ``encoding/hex``.

- ``encode(b)`` (FuncAYRS ``hex.EncodeToString``): ``bytes(compatible)`` → lower-case hex.
- ``decode(s)`` (FuncASRYE ``hex.DecodeString``): ``string(compatible)`` → bytes; upper and
  lower case digits. Malformed input is *returned* as an error value with Go's text:
  ``encoding/hex: invalid byte: U+0067 'g'`` (``%#U``: the quoted character only when
  printable) or ``encoding/hex: odd length hex string`` (an invalid byte found first wins).
- Type name ``user-function:`` (the reference's functions have no ``Name``).
"""
from __future__ import annotations

from .. import limits
from ..errors import OpError, ERR_BYTES_LIMIT, wrong_num_args, invalid_arg_type
from ..ops import to_bytes, to_str, utf8_encode
from ..strings import go_is_print
from ..values import UserFunction, Error, type_name

_TN = "user-function:"
_HEXVAL = [0xFF] * 256
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEXVAL[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEXVAL[_c] = _i + 10


def _invalid_byte(b: int) -> Error:
    s = f"U+{b:04X}"
    if go_is_print(b):
        s += f" '{chr(b)}'"
    return Error("encoding/hex: invalid byte: " + s)


def hex_encode(*args):
    if len(args) != 1:
        raise wrong_num_args(_TN)
    b = to_bytes(args[0])
    if b is None:
        raise invalid_arg_type(_TN, "first", "bytes(compatible)", type_name(args[0]))
    return b.hex()


def hex_decode(*args):
    if len(args) != 1:
        raise wrong_num_args(_TN)
    s = to_str(args[0])
    if s is None:
        raise invalid_arg_type(_TN, "first", "string(compatible)", type_name(args[0]))
    src = s.encode("ascii") if s.isascii() else utf8_encode(s)
    n = len(src)
    try:
        res = bytes.fromhex(s) if s.isascii() and s.isalnum() and n % 2 == 0 else None
    except ValueError:
        res = None
    if res is None:
        out = bytearray()
        j = 1
        while j < n:
            a = _HEXVAL[src[j - 1]]
            if a == 0xFF:
                return _invalid_byte(src[j - 1])
            b = _HEXVAL[src[j]]
            if b == 0xFF:
                return _invalid_byte(src[j])
            out.append((a << 4) | b)
            j += 2
        if n % 2 == 1:
            if _HEXVAL[src[j - 1]] == 0xFF:
                return _invalid_byte(src[j - 1])
            return Error("encoding/hex: odd length hex string")
        res = bytes(out)
    if len(res) > limits.bytes_limit():
        raise OpError(ERR_BYTES_LIMIT)
    return res


MODULE = {
    "encode": UserFunction("", hex_encode),
    "decode": UserFunction("", hex_decode),
}
