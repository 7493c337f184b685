"""Regular expressions of the ``text`` module (reference: ``stdlib/text_regexp.go``), Go's RE2
syntax and semantics on ``google-re2``: ``re_match``, ``re_find``, ``re_replace``, ``re_split``,
``re_compile`` and the compiled-regexp objects."""
from __future__ import annotations

import functools
import re

import re2

from .. import limits
from ..errors import OpError, ERR_STRING_LIMIT
from ..ops import utf8_encode, utf8_decode
from ..args import check_count, int_arg, string_arg
from ..strings import utf8_width_at
from ..values import UserFunction, ImmutableMap


# ---------------------------------------------------------------------------------------------
# regular expressions

_RE_OPTS = re2.Options()
_RE_OPTS.log_errors = False
_RE_OPTS.max_mem = 64 << 20

# RE2 error codes → Go regexp/syntax error codes
_RE2_TO_GO = [
    ("missing )", "missing closing )"),
    ("unexpected )", "unexpected )"),
    ("missing ]", "missing closing ]"),
    ("no argument for repetition operator", "missing argument to repetition operator"),
    ("bad repetition operator", "invalid nested repetition operator"),
    ("invalid repetition size", "invalid repeat count"),
    ("invalid escape sequence", "invalid escape sequence"),
    ("invalid character class range", "invalid character class range"),
    ("invalid character class", "invalid character class"),
    ("invalid perl operator", "invalid or unsupported Perl syntax"),
    ("invalid named capture group", "invalid named capture"),
    ("duplicate capture group name", "duplicate capture group name"),
    ("trailing \\", "trailing backslash at end of expression"),
    ("invalid UTF-8", "invalid UTF-8"),
    ("pattern too large", "expression too large"),
    ("bad repetition", "invalid repeat count"),
]

# \C (any byte) is RE2-only: Go's parser rejects it. Find it outside character classes.
_BACKSLASH_C = re.compile(rb"\\(?:Q.*?(?:\\E|$)|.)|\[", re.S)


def _go_re_error(code: str, expr: bytes) -> OpError:
    return OpError("error parsing regexp: %s: `%s`" % (code, utf8_decode(expr)))


def _check_go_only(p: bytes):
    i = 0
    n = len(p)
    in_class = False
    while i < n:
        c = p[i]
        if c == 92:  # backslash
            if i + 1 < n:
                nx = p[i + 1]
                if nx == ord("C") and not in_class:
                    raise _go_re_error("invalid escape sequence", b"\\C")
                if nx == ord("Q") and not in_class:
                    j = p.find(b"\\E", i + 2)
                    i = n if j < 0 else j + 2
                    continue
            i += 2
            continue
        if in_class:
            if c == ord("]"):
                in_class = False
            elif c == ord("[") and p[i + 1:i + 2] == b":":
                j = p.find(b":]", i + 2)
                if j >= 0:
                    i = j + 2
                    continue
        elif c == ord("["):
            in_class = True
            i += 1
            if p[i:i + 1] == b"^":
                i += 1
            if p[i:i + 1] == b"]":
                i += 1
            continue
        i += 1


class _Regex:
    __slots__ = ("rx", "expr", "ngroups", "names")

    def __init__(self, rx, expr, names):
        self.rx = rx
        self.expr = expr
        self.ngroups = rx.groups
        self.names = names


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> _Regex:
    p = utf8_encode(pattern)
    try:
        rx = re2.compile(p, _RE_OPTS)
    except re2.error as e:
        msg = e.args[0] if e.args else b""
        if isinstance(msg, bytes):
            msg = utf8_decode(msg)
        code, sep, arg = msg.partition(": ")
        for r2, go in _RE2_TO_GO:
            if code.startswith(r2):
                if go == "trailing backslash at end of expression":
                    arg = ""
                if go in ("missing closing )", "invalid UTF-8"):
                    arg = pattern
                raise OpError("error parsing regexp: %s: `%s`" % (go, arg)) from None
        raise OpError("error parsing regexp: " + msg) from None
    _check_go_only(p)
    names = {}
    for k, v in rx.groupindex.items():
        names.setdefault(utf8_decode(k) if isinstance(k, bytes) else k, v)
    return _Regex(rx, pattern, names)


def _spans(m, ngroups):
    return [m.span(i) for i in range(ngroups + 1)]


_FFFD = "\ufffd".encode()


def _subject(s: str):
    """``(original bytes, bytes to match, offset map or None)``.

    Go's regexp reads an invalid UTF-8 byte as U+FFFD of width 1 (so ``.`` and ``[^a]`` match
    it); RE2 never matches such bytes. When the text holds invalid bytes we match against a copy
    where each is U+FFFD and map the (rune-aligned) offsets back."""
    b = utf8_encode(s)
    if s.isascii():
        return b, b, None
    try:
        s.encode("utf-8")
        return b, b, None
    except UnicodeEncodeError:
        pass
    parts = []
    offs = {}
    new = old = 0
    for ch in s:
        offs[new] = old
        if "\ud800" <= ch <= "\udfff":
            for _ in utf8_encode(ch):
                offs[new] = old
                parts.append(_FFFD)
                new += 3
                old += 1
        else:
            e = ch.encode("utf-8")
            parts.append(e)
            new += len(e)
            old += len(e)
    offs[new] = old
    return b, b"".join(parts), offs


def _map_spans(spans, offs):
    if offs is None:
        return spans
    return [(offs[a], offs[b]) if a >= 0 else (a, b) for a, b in spans]


def _search(r: _Regex, s: str):
    """First match (Go FindStringSubmatchIndex): ``(original bytes, spans or None)``."""
    b, t, offs = _subject(s)
    m = r.rx.search(t)
    if m is None:
        return b, None
    return b, _map_spans(_spans(m, r.ngroups), offs)


def _find_all(r: _Regex, s: str, n: int):
    """Go's allMatches: successive non-overlapping matches; an empty match right after the
    previous match is skipped. Returns ``(original bytes, [spans, ...])``."""
    b, t, offs = _subject(s)
    if n < 0:
        n = len(t) + 1
    out = []
    end = len(t)
    pos = 0
    prev_end = -1
    search = r.rx.search
    ng = r.ngroups
    while len(out) < n and pos <= end:
        m = search(t, pos)
        if m is None:
            break
        s0, e0 = m.span()
        accept = True
        if e0 == pos:
            if s0 == prev_end:
                accept = False
            pos += utf8_width_at(t, pos) if pos < end else 1
        else:
            pos = e0
        prev_end = e0
        if accept:
            out.append(_map_spans(_spans(m, ng), offs))
    return b, out


def _match_maps(b: bytes, spans):
    arr = []
    for s0, e0 in spans:
        if s0 >= 0 and e0 >= 0:
            arr.append(ImmutableMap({"text": utf8_decode(b[s0:e0]), "begin": s0, "end": e0}))
    return arr


def _re_find(r: _Regex, s: str, n=None):
    if n is None:
        b, sp = _search(r, s)
        if sp is None:
            return None
        return [_match_maps(b, sp)]
    if n == 0:
        return None
    b, ms = _find_all(r, s, n)
    if not ms:
        return None
    return [_match_maps(b, sp) for sp in ms]


def _ident_len(t: str) -> int:
    i = 0
    while i < len(t):
        ch = t[i]
        if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
            break
        i += 1
    return i


def _expand(r: _Regex, template: str, src: bytes, spans, out: list):
    """Go Regexp.expand: ``$1``, ``$name``, ``${name}``, ``$$``; unknown groups expand empty."""
    t = template
    while t:
        k = t.find("$")
        if k < 0:
            break
        if k:
            out.append(utf8_encode(t[:k]))
        t = t[k + 1:]
        if t.startswith("$"):
            out.append(b"$")
            t = t[1:]
            continue
        brace = t.startswith("{")
        body = t[1:] if brace else t
        i = _ident_len(body)
        if i == 0 or (brace and (i >= len(body) or body[i] != "}")):
            out.append(b"$")
            continue
        name = body[:i]
        t = body[i + 1:] if brace else body[i:]
        num = -1
        if name.isascii() and name.isdigit() and len(name) <= 9 and \
                not (name[0] == "0" and len(name) > 1):
            num = int(name)
        if num < 0:
            g = r.names.get(name)
            if g is None:
                continue
            num = g
        if num < len(spans) and spans[num][0] >= 0:
            out.append(src[spans[num][0]:spans[num][1]])
    if t:
        out.append(utf8_encode(t))


def _re_replace(r: _Regex, s: str, repl: str) -> str:
    b, matches = _find_all(r, s, -1)
    mx = limits.string_limit()
    out = []
    size = 0
    idx = 0
    plain = "$" not in repl
    rb = utf8_encode(repl) if plain else None
    for sp in matches:
        if plain:
            exp = [rb]
        else:
            exp = []
            _expand(r, repl, b, sp, exp)
        elen = sum(map(len, exp))
        s0, e0 = sp[0]
        if size + s0 - idx + elen > mx:
            raise OpError(ERR_STRING_LIMIT)
        out.append(b[idx:s0])
        out.extend(exp)
        size += s0 - idx + elen
        idx = e0
    if idx < len(b):
        if size + len(b) - idx > mx:
            raise OpError(ERR_STRING_LIMIT)
        out.append(b[idx:])
    return utf8_decode(b"".join(out))


def _re_split(r: _Regex, s: str, n: int):
    if n == 0:
        return []
    if r.expr and not s:
        return [""]
    b, matches = _find_all(r, s, n)
    out = []
    beg = end = 0
    for sp in matches:
        if n > 0 and len(out) == n - 1:
            break
        end = sp[0][0]
        if sp[0][1] != 0:
            out.append(b[beg:end])
        beg = sp[0][1]
    if end != len(b):
        out.append(b[beg:])
    return [utf8_decode(x) for x in out]


def _make_regexp(r: _Regex):
    fn = ""   # the reference's methods are nameless UserFunctions: 'user-function:'

    def match(*args):
        check_count(fn, args, 1)
        s = string_arg(fn, args, 0)
        return _search(r, s)[1] is not None

    def find(*args):
        check_count(fn, args, 1, 2)
        s = string_arg(fn, args, 0)
        if len(args) == 1:
            return _re_find(r, s)
        return _re_find(r, s, int_arg(fn, args, 1))

    def replace(*args):
        check_count(fn, args, 2)
        return _re_replace(r, string_arg(fn, args, 0), string_arg(fn, args, 1))

    def split(*args):
        check_count(fn, args, 1, 2)
        s = string_arg(fn, args, 0)
        n = int_arg(fn, args, 1) if len(args) == 2 else -1
        return _re_split(r, s, n)

    return ImmutableMap({
        "match": UserFunction(fn, match),
        "find": UserFunction(fn, find),
        "replace": UserFunction(fn, replace),
        "split": UserFunction(fn, split),
    })




# ---------------------------------------------------------------------------------------------
# module functions


def text_re_match(*args):
    check_count("re_match", args, 2)
    p = string_arg("re_match", args, 0)
    s = string_arg("re_match", args, 1)
    return _search(_compile(p), s)[1] is not None


def text_re_find(*args):
    check_count("re_find", args, 2, 3)
    r = _compile(string_arg("re_find", args, 0))
    s = string_arg("re_find", args, 1)
    if len(args) == 2:
        return _re_find(r, s)
    return _re_find(r, s, int_arg("re_find", args, 2))


def text_re_replace(*args):
    check_count("re_replace", args, 3)
    p = string_arg("re_replace", args, 0)
    s = string_arg("re_replace", args, 1)
    repl = string_arg("re_replace", args, 2)
    return _re_replace(_compile(p), s, repl)


def text_re_split(*args):
    check_count("re_split", args, 2, 3)
    p = string_arg("re_split", args, 0)
    s = string_arg("re_split", args, 1)
    n = int_arg("re_split", args, 2) if len(args) == 3 else -1
    return _re_split(_compile(p), s, n)


def text_re_compile(*args):
    check_count("re_compile", args, 1)
    return _make_regexp(_compile(string_arg("re_compile", args, 0)))
