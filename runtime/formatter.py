"""Tengo's ``Format``: Go ``fmt.Sprintf`` verbs over Tengo values.

``format_tengo(fmt_str, args) -> str`` is what the builtin ``format`` and ``fmt.sprintf`` /
``fmt.printf`` compute once they have two or more arguments (with only the format string,
those return / print the format without interpreting it, which is the caller's business).

Behaviour follows Tengo's own ``formatter.go`` (a trimmed copy of Go's ``fmt`` printer that
formats Tengo objects), including its differences from Go's ``fmt``:

- ``%v`` of any value is its ``String()`` (so ``%v`` of a string prints it quoted, of a float
  prints it without exponent), padded/truncated as a string (``%05v`` pads with zeros).
- ``%T`` is the Tengo type name.
- Int takes ``%b %c %d %o %O %q %U %x %X``; Float ``%b %e %E %f %F %g %G %x %X``;
  Bool ``%t``; String ``%s %q %x %X``; Bytes ``%d`` (``[1 2 3]``) ``%s %q %x %X`` and prints
  nothing for any other verb; every other type (char, array, map, error, undefined, time,
  functions) formats its ``String()`` as a string.
- A bad verb prints ``%!<verb>(<String()>=<%v of the value>)`` (Go prints the Go type name
  before ``=``; Tengo prints ``String()``), e.g. ``%!d(a=a)`` for ``format("%d", 'a')``.
- ``%!d(MISSING)``, ``%!(EXTRA int=1, string="a")``, ``%!(NOVERB)``, ``%!(BADWIDTH)``,
  ``%!(BADPREC)``, ``%!d(BADINDEX)``, argument indexes ``%[2]d`` and ``*`` width/precision
  (taken from an int, float, char, bool or decimal string argument) as in Go.
- ``%#g`` keeps the older Go rule of counting every digit (leading zeros included) toward the
  precision: ``format("%#g", 0.001)`` is ``0.00100``.

A result longer than ``limits.string_limit()`` bytes raises ``OpError("exceeding string size
limit")`` (Tengo checks every write; checking the final length is equivalent).
"""
from __future__ import annotations

import math

from . import limits
from .errors import OpError, ERR_STRING_LIMIT
from .strings import (canonical, tengo_repr, go_quote, go_quote_rune, can_backquote, go_is_print,
                      go_format_float, byte_len, utf8_encode, utf8_decode)
from .values import Char, type_name

__all__ = ["format_tengo"]

_MASK64 = (1 << 64) - 1
_MAX_RUNE = 0x10FFFF
_TOO_LARGE = 1000000
_INT64_MIN = -(1 << 63)


def _too_large(x: int) -> bool:
    return x > _TOO_LARGE or x < -_TOO_LARGE


def _parsenum(s: str, start: int, end: int):
    """Go ``parsenum``: (num, isnum, newi)."""
    num = 0
    isnum = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if _too_large(num):
            return 0, False, end  # overflow: Go skips to the end of the format
        num = num * 10 + (ord(s[i]) - 48)
        isnum = True
        i += 1
    return num, isnum, i


def _parse_arg_number(s: str, i: int, end: int):
    """Go ``parseArgNumber`` on ``s[i:end]`` (``s[i] == '['``): (index, consumed, ok)."""
    if end - i < 3:
        return 0, 1, False
    k = s.find("]", i + 1, end)
    if k < 0:
        return 0, 1, False
    width, ok, newi = _parsenum(s, i + 1, k)
    if not ok or newi != k:
        return 0, k - i + 1, False
    return width - 1, k - i + 1, True


def _arg_number(fmt: str, i: int, end: int, argnum: int, nargs: int):
    """Go ``argNumber`` at ``fmt[i] == '['``: (argnum, i, after_index, good) — the argument
    index to use next, where parsing continues, whether an index was read, and whether it
    names an existing argument (when not, ``argnum`` is unchanged)."""
    index, consumed, ok = _parse_arg_number(fmt, i, end)
    i += consumed
    if ok and 0 <= index < nargs:
        return index, i, True, True
    return argnum, i, ok, False


def _to_int64(v):
    """Tengo ``ToInt64``: (value, ok)."""
    t = type(v)
    if t is int:
        return v, True
    if t is float:
        if v != v or v in (math.inf, -math.inf) or not (-9.223372036854775808e18 <= v < 9.223372036854775808e18):
            return _INT64_MIN, True  # Go's amd64 conversion of out-of-range floats
        return int(v), True
    if t is Char:
        return v.code, True
    if t is bool:
        return (1 if v else 0), True
    if t is str:
        s = v
        body = s[1:] if s[:1] in ("+", "-") else s
        if body and body.isascii() and body.isdigit():
            n = int(s)
            if _INT64_MIN <= n <= (1 << 63) - 1:
                return n, True
        return 0, False
    return 0, False


class _Printer:
    __slots__ = ("out", "wid", "prec", "wid_present", "prec_present",
                 "minus", "plus", "sharp", "space", "zero")

    def __init__(self):
        self.out = []
        self.clear()

    def clear(self):
        self.wid = 0
        self.prec = 0
        self.wid_present = False
        self.prec_present = False
        self.minus = False
        self.plus = False
        self.sharp = False
        self.space = False
        self.zero = False

    # -- padding --------------------------------------------------------------------------

    def write_padding(self, n: int):
        if n > 0:
            self.out.append(("0" if self.zero else " ") * n)

    def pad(self, s: str):
        """Go ``pad``/``padString``: width counted in runes (code points)."""
        if not self.wid_present or self.wid == 0:
            self.out.append(s)
            return
        n = self.wid - len(s)
        if n <= 0:
            self.out.append(s)
        elif self.minus:
            self.out.append(s)
            self.write_padding(n)
        else:
            self.write_padding(n)
            self.out.append(s)

    def pad_nozero(self, s: str):
        z = self.zero
        self.zero = False
        self.pad(s)
        self.zero = z

    # -- basic formatters -------------------------------------------------------------------

    def fmt_s(self, s: str):
        if self.prec_present:
            s = s[:self.prec]
        self.pad(s)

    def fmt_integer(self, v: int, base: int, is_signed: bool, verb: str, upper: bool):
        negative = is_signed and v < 0
        u = -v if negative else v
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                z = self.zero
                self.zero = False
                self.write_padding(self.wid)
                self.zero = z
                return
        elif self.zero and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        if base == 10:
            s = str(u)
        elif base == 16:
            s = format(u, "X" if upper else "x")
        elif base == 8:
            s = format(u, "o")
        else:
            s = format(u, "b")
        if len(s) < prec:
            s = "0" * (prec - len(s)) + s
        if self.sharp:
            if base == 2:
                s = "0b" + s
            elif base == 8:
                if s[0] != "0":
                    s = "0" + s
            elif base == 16:
                s = ("0X" if upper else "0x") + s
        if verb == "O":
            s = "0o" + s
        if negative:
            s = "-" + s
        elif self.plus:
            s = "+" + s
        elif self.space:
            s = " " + s
        self.pad_nozero(s)

    def fmt_unicode(self, u: int):
        prec = 4
        if self.prec_present and self.prec > 4:
            prec = self.prec
        s = format(u, "X")
        if len(s) < prec:
            s = "0" * (prec - len(s)) + s
        s = "U+" + s
        if self.sharp and u <= _MAX_RUNE and go_is_print(u):
            s += " '" + chr(u) + "'"
        self.pad_nozero(s)

    def fmt_c(self, u: int):
        if u > _MAX_RUNE or 0xD800 <= u <= 0xDFFF:
            self.pad("\ufffd")
        else:
            self.pad(chr(u))

    def fmt_q(self, s: str):
        if self.prec_present:
            s = s[:self.prec]
        if self.sharp and can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(go_quote(s, '"', self.plus))

    def fmt_sbx(self, b: bytes, upper: bool):
        """Hex encoding of the bytes of a string or bytes value."""
        length = len(b)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width > 0:
            if self.space:
                if self.sharp:
                    width *= 2
                width += length - 1
            elif self.sharp:
                width += 2
        else:
            if self.wid_present:
                self.write_padding(self.wid)
            return
        if self.wid_present and self.wid > width and not self.minus:
            self.write_padding(self.wid - width)
        h = b[:length].hex()
        if upper:
            h = h.upper()
        prefix = ("0X" if upper else "0x") if self.sharp else ""
        if self.space:
            sep = " " + prefix
            s = prefix + sep.join([h[k:k + 2] for k in range(0, len(h), 2)])
        else:
            s = prefix + h
        self.out.append(s)
        if self.wid_present and self.wid > width and self.minus:
            self.write_padding(self.wid - width)

    def fmt_float(self, v: float, verb: str, prec: int):
        if self.prec_present:
            prec = self.prec
        num = go_format_float(v, verb, prec)
        if num[0] != "-" and num[0] != "+":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] == "I" or num[1] == "N":
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self.pad_nozero(num)
            return
        if self.sharp and verb != "b":
            digits = 0
            if verb in ("v", "g", "G", "x"):
                digits = prec
                if digits == -1:
                    digits = 6
            tail = ""
            has_dp = False
            i = 1
            n = len(num)
            while i < n:
                ch = num[i]
                if ch == ".":
                    has_dp = True
                elif ch == "p" or ch == "P" or ((ch == "e" or ch == "E")
                                                 and verb != "x" and verb != "X"):
                    tail = num[i:]
                    num = num[:i]
                    break
                else:
                    digits -= 1
                i += 1
            if not has_dp:
                num += "."
            if digits > 0:
                num += "0" * digits
            num += tail
        if self.plus or num[0] != "+":
            if self.zero and self.wid_present and self.wid > len(num):
                self.out.append(num[0])
                self.write_padding(self.wid - len(num))
                self.out.append(num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    # -- per-type dispatch ----------------------------------------------------------------

    def bad_verb(self, verb: str, arg):
        self.out.append("%!" + verb + "(")
        self.out.append(tengo_repr(arg))
        self.out.append("=")
        self.print_arg(arg, "v")
        self.out.append(")")

    def print_arg(self, arg, verb: str):
        if verb == "v":
            self.fmt_s(tengo_repr(arg))
            return
        if verb == "T":
            self.fmt_s(type_name(arg))
            return
        t = type(arg)
        if t is int:
            self.int_verb(arg, verb)
        elif t is str:
            self.string_verb(arg, verb, arg)
        elif t is float:
            if verb in ("b", "g", "G", "x", "X"):
                self.fmt_float(arg, verb, -1)
            elif verb in ("f", "e", "E"):
                self.fmt_float(arg, verb, 6)
            elif verb == "F":
                self.fmt_float(arg, "f", 6)
            else:
                self.bad_verb(verb, arg)
        elif t is bool:
            if verb == "t":
                self.pad("true" if arg else "false")
            else:
                self.bad_verb(verb, arg)
        elif t is bytes:
            self.bytes_verb(arg, verb)
        else:
            self.string_verb(tengo_repr(arg), verb, arg)

    def int_verb(self, v: int, verb: str):
        if verb == "d":
            self.fmt_integer(v, 10, True, verb, False)
        elif verb == "x":
            self.fmt_integer(v, 16, True, verb, False)
        elif verb == "X":
            self.fmt_integer(v, 16, True, verb, True)
        elif verb == "b":
            self.fmt_integer(v, 2, True, verb, False)
        elif verb == "o" or verb == "O":
            self.fmt_integer(v, 8, True, verb, False)
        elif verb == "c":
            self.fmt_c(v & _MASK64)
        elif verb == "q":
            u = v & _MASK64
            if u <= _MAX_RUNE:
                self.pad(go_quote_rune(u, self.plus))
            else:
                self.bad_verb(verb, v)
        elif verb == "U":
            self.fmt_unicode(v & _MASK64)
        else:
            self.bad_verb(verb, v)

    def string_verb(self, s: str, verb: str, arg):
        if verb == "s":
            self.fmt_s(s)
        elif verb == "q":
            self.fmt_q(s)
        elif verb == "x":
            self.fmt_sbx(utf8_encode(s), False)
        elif verb == "X":
            self.fmt_sbx(utf8_encode(s), True)
        else:
            self.bad_verb(verb, arg)

    def bytes_verb(self, b: bytes, verb: str):
        if verb == "d":
            self.out.append("[")
            for k, c in enumerate(b):
                if k:
                    self.out.append(" ")
                self.fmt_integer(c, 10, False, verb, False)
            self.out.append("]")
        elif verb == "s":
            self.fmt_s(utf8_decode(b))
        elif verb == "x":
            self.fmt_sbx(b, False)
        elif verb == "X":
            self.fmt_sbx(b, True)
        elif verb == "q":
            self.fmt_q(utf8_decode(b))
        # any other verb prints nothing (as the reference)


def _int_from_arg(args, argnum: int):
    """Go ``intFromArg``: (num, is_int, new_argnum)."""
    if argnum < len(args):
        num, is_int = _to_int64(args[argnum])
        if _too_large(num):
            num = 0
            is_int = False
        return num, is_int, argnum + 1
    return 0, False, argnum


def format_tengo(fmt: str, args) -> str:
    """Tengo ``Format(fmt, args...)`` (see the module docstring)."""
    p = _Printer()
    out = p.out
    end = len(fmt)
    nargs = len(args)
    argnum = 0
    after_index = False
    reordered = False
    i = 0
    while i < end:
        good_argnum = True
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:] if i else fmt)
            break
        if j > i:
            out.append(fmt[i:j])
        i = j + 1

        # flags
        p.clear()
        while i < end:
            c = fmt[i]
            if c == "#":
                p.sharp = True
            elif c == "0":
                p.zero = not p.minus
            elif c == "+":
                p.plus = True
            elif c == "-":
                p.minus = True
                p.zero = False
            elif c == " ":
                p.space = True
            else:
                break
            i += 1

        # fast path: a verb right after the flags
        if i < end:
            c = fmt[i]
            if "a" <= c <= "z" and argnum < nargs:
                p.print_arg(args[argnum], c)
                argnum += 1
                i += 1
                continue

        # explicit argument index?
        if i < end and fmt[i] == "[":
            reordered = True
            argnum, i, after_index, good = _arg_number(fmt, i, end, argnum, nargs)
            good_argnum = good_argnum and good
        else:
            after_index = False

        # width
        if i < end and fmt[i] == "*":
            i += 1
            p.wid, p.wid_present, argnum = _int_from_arg(args, argnum)
            if not p.wid_present:
                out.append("%!(BADWIDTH)")
            if p.wid < 0:
                p.wid = -p.wid
                p.minus = True
                p.zero = False
            after_index = False
        else:
            p.wid, p.wid_present, i = _parsenum(fmt, i, end)
            if after_index and p.wid_present:
                good_argnum = False

        # precision
        if i + 1 < end and fmt[i] == ".":
            i += 1
            if after_index:
                good_argnum = False
            if i < end and fmt[i] == "[":
                reordered = True
                argnum, i, after_index, good = _arg_number(fmt, i, end, argnum, nargs)
                good_argnum = good_argnum and good
            else:
                after_index = False
            if i < end and fmt[i] == "*":
                i += 1
                p.prec, p.prec_present, argnum = _int_from_arg(args, argnum)
                if p.prec < 0:
                    p.prec = 0
                    p.prec_present = False
                if not p.prec_present:
                    out.append("%!(BADPREC)")
                after_index = False
            else:
                p.prec, p.prec_present, i = _parsenum(fmt, i, end)
                if not p.prec_present:
                    p.prec = 0
                    p.prec_present = True

        if not after_index and i < end and fmt[i] == "[":
            reordered = True
            argnum, i, after_index, good = _arg_number(fmt, i, end, argnum, nargs)
            good_argnum = good_argnum and good

        if i >= end:
            out.append("%!(NOVERB)")
            break

        verb = fmt[i]
        i += 1
        if "\udc80" <= verb <= "\udcff":  # an invalid UTF-8 byte decodes as U+FFFD
            verb = "\ufffd"
        if verb == "%":
            out.append("%")
        elif not good_argnum:
            out.append("%!" + verb + "(BADINDEX)")
        elif argnum >= nargs:
            out.append("%!" + verb + "(MISSING)")
        else:
            p.print_arg(args[argnum], verb)
            argnum += 1

    if not reordered and argnum < nargs:
        p.clear()
        out.append("%!(EXTRA ")
        for k in range(argnum, nargs):
            if k > argnum:
                out.append(", ")
            arg = args[k]
            out.append(type_name(arg))
            out.append("=")
            p.print_arg(arg, "v")
        out.append(")")

    s = canonical("".join(out))
    if len(s) > limits.string_limit() // 4 and byte_len(s) > limits.string_limit():
        raise OpError(ERR_STRING_LIMIT)
    return s
