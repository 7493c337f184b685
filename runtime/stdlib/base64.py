"""Tengo's ``base64`` module (``stdlib/base64.go``): Go's ``encoding/base64``.

| function | adapter | Go function |
|---|---|---|
| ``encode(b)`` / ``raw_encode`` / ``url_encode`` / ``raw_url_encode`` | FuncAYRS | ``{Std,RawStd,URL,RawURL}Encoding.EncodeToString`` |
| ``decode(s)`` / ``raw_decode`` / ``url_decode`` / ``raw_url_decode`` | FuncASRYE | ``….DecodeString`` |

- Encoders take ``bytes(compatible)`` (bytes, or a string's UTF-8 bytes).
- Decoders take ``string(compatible)`` (``ToString``: anything but undefined). A malformed input
  is *returned* as an error value ``error("illegal base64 data at input byte N")`` (Go's
  ``CorruptInputError``, with Go's offsets: ``\\r``/``\\n`` are skipped anywhere, padded
  encodings require correct ``=`` padding, raw ones reject ``=``, trailing bits are not checked).
- The reference's ``UserFunction``s have no ``Name``: their type name is ``user-function:``, so
  argument errors read ``... in call to 'user-function:'``.
"""
from __future__ import annotations

import base64 as _b64

from .. import limits
from ..errors import OpError, ERR_BYTES_LIMIT, wrong_num_args, invalid_arg_type
from ..ops import to_bytes, to_str, utf8_encode
from ..values import UserFunction, Error, type_name

_TN = "user-function:"
_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _decode_map(alphabet: bytes):
    m = [0xFF] * 256
    for i, c in enumerate(alphabet):
        m[c] = i
    return m


class _CorruptInput(Exception):
    def __init__(self, offset: int):
        super().__init__(f"illegal base64 data at input byte {offset}")


def go_b64decode(src: bytes, dmap, padded: bool) -> bytes:
    """Go's ``Encoding.DecodeString`` (non-strict); raises ``_CorruptInput``."""
    out = bytearray()
    n = len(src)
    si = 0
    pad = 0x3D  # '='
    while si < n:
        dbuf = [0, 0, 0, 0]
        dlen = 4
        err = None
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return bytes(out)
                if j == 1 or padded:
                    raise _CorruptInput(si - j)
                dlen = j
                break
            c = src[si]
            si += 1
            v = dmap[c]
            if v != 0xFF:
                dbuf[j] = v
                j += 1
                continue
            if c == 0x0A or c == 0x0D:
                continue
            if not padded or c != pad:
                raise _CorruptInput(si - 1)
            # padding reached
            if j < 2:
                raise _CorruptInput(si - 1)
            if j == 2:
                while si < n and src[si] in (0x0A, 0x0D):
                    si += 1
                if si == n:
                    raise _CorruptInput(n)
                if src[si] != pad:
                    raise _CorruptInput(si - 1)
                si += 1
            while si < n and src[si] in (0x0A, 0x0D):
                si += 1
            if si < n:
                err = _CorruptInput(si)
            dlen = j
            break
        val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3]
        if dlen >= 2:
            out.append((val >> 16) & 0xFF)
        if dlen >= 3:
            out.append((val >> 8) & 0xFF)
        if dlen == 4:
            out.append(val & 0xFF)
        if err is not None:
            raise err
    return bytes(out)


def _encoder(alphabet_is_url: bool, padded: bool):
    def encode(*args):
        if len(args) != 1:
            raise wrong_num_args(_TN)
        b = to_bytes(args[0])
        if b is None:
            raise invalid_arg_type(_TN, "first", "bytes(compatible)", type_name(args[0]))
        out = _b64.urlsafe_b64encode(b) if alphabet_is_url else _b64.b64encode(b)
        if not padded:
            out = out.rstrip(b"=")
        return out.decode("ascii")
    return encode


def _decoder(alphabet: bytes, padded: bool):
    dmap = _decode_map(alphabet)

    def decode(*args):
        if len(args) != 1:
            raise wrong_num_args(_TN)
        s = to_str(args[0])
        if s is None:
            raise invalid_arg_type(_TN, "first", "string(compatible)", type_name(args[0]))
        src = s.encode("ascii") if s.isascii() else utf8_encode(s)
        try:
            res = go_b64decode(src, dmap, padded)
        except _CorruptInput as e:
            return Error(str(e))
        if len(res) > limits.bytes_limit():
            raise OpError(ERR_BYTES_LIMIT)
        return res
    return decode


MODULE = {
    "encode": UserFunction("", _encoder(False, True)),
    "decode": UserFunction("", _decoder(_STD, True)),
    "raw_encode": UserFunction("", _encoder(False, False)),
    "raw_decode": UserFunction("", _decoder(_STD, False)),
    "url_encode": UserFunction("", _encoder(True, True)),
    "url_decode": UserFunction("", _decoder(_URL, True)),
    "raw_url_encode": UserFunction("", _encoder(True, False)),
    "raw_url_decode": UserFunction("", _decoder(_URL, False)),
}
