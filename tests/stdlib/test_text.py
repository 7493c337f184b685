"""The ``text`` module beyond the conformance corpus: Unicode, byte offsets, RE2 vs Go rules,
argument errors, strconv functions. Expectations follow the Go reference (stdlib/text.go)."""
import pytest

import helpers

from tengojit import limits
from tengojit.errors import TengoRuntimeError
from tengojit.values import Error, ImmutableMap


def run(expr):
    src = 'text := import("text")\nout := ' + expr
    return helpers.out(src, stdlib=("text",))


def run_err(expr):
    with pytest.raises(TengoRuntimeError) as ei:
        run(expr)
    return ei.value.message


def m(text, begin, end):
    return ImmutableMap({"text": text, "begin": begin, "end": end})


@pytest.mark.parametrize("expr, want", [
    # byte offsets everywhere
    ('text.index("日本語", "語")', 6),
    ('text.last_index("日本日", "日")', 6),
    ('text.index_any("日本語", "x語")', 6),
    ('text.last_index_any("日本語本", "本")', 9),
    ('text.count("日本", "")', 3),
    ('text.count("cheese", "e")', 3),
    ('text.substr("日本語", 3, 6)', "本"),
    ('len(text.substr("日本語", 1, 4))', 3),
    ('text.pad_left("ab", 5, "日")', "日ab"),
    ('text.pad_right("日", 5, "x")', "日xx"),
    ('text.pad_left("abc", 2, undefined)', "abc"),
    ('text.pad_left("ab", 4)', "  ab"),
    ('text.re_find("é(.)", "aébc", -1)', [[m("éb", 1, 4), m("b", 3, 4)]]),
    ('text.re_find("", "aé", -1)', [[m("", 0, 0)], [m("", 1, 1)], [m("", 3, 3)]]),
    # Go strings semantics
    ('text.fields(" a\\u00a0b\\x1cc\\u3000d ")', ["a", "b\x1cc", "d"]),
    ('text.fields("   ")', []),
    ('text.split("日本", "")', ["日", "本"]),
    ('text.split_n("a,b,c", ",", 2)', ["a", "b,c"]),
    ('text.split_n("a,b,c", ",", 0)', []),
    ('text.split_after("a,b,c", ",")', ["a,", "b,", "c"]),
    ('text.split_after_n("a,b,c", ",", 2)', ["a,", "b,c"]),
    ('text.replace("日本", "", "-", -1)', "-日-本-"),
    ('text.replace("日本", "", "-", 2)', "-日-本"),
    ('text.replace("", "", "-", -1)', "-"),
    ('text.replace("", "", "-", 3)', "-"),
    ('text.replace("ab", "", "-", 3)', "-a-b-"),
    ('text.replace("ab", "", "-", 1)', "-ab"),
    ('text.replace("日本x", "", "<>", 5)', "<>日<>本<>x<>"),
    ('text.replace("aaa", "a", "b", 2)', "bba"),
    ('text.title("hello wORLD_x é-é")', "Hello WORLD_x É-É"),
    ('text.to_upper("ßtraße ǆ ﬁ ᾀ")', "ßTRAßE Ǆ ﬁ ᾈ"),
    ('text.to_lower("İSTANBUL ΑΣ")', "istanbul ασ"),
    ('text.to_title("ǆ ß")', "ǅ ß"),
    ('text.equal_fold("Go", "GO")', True),
    ('text.equal_fold("Straße", "STRASSE")', False),
    ('text.equal_fold("Kelvin", "\\u212aelvin")', True),
    ('text.equal_fold("ı", "I")', False),
    ('text.equal_fold("σ", "ς")', True),
    ('text.trim("  xx日  ", " 日")', "xx"),
    ('text.trim_left("xxa", "x")', "a"),
    ('text.trim_right("axx", "x")', "a"),
    ('text.trim_space("\\u0085 a \\u3000")', "a"),
    ('text.trim_prefix("日本", "日")', "本"),
    ('text.trim_suffix("日本", "本")', "日"),
    ('text.has_prefix("日本", "日")', True),
    ('text.has_suffix("日本", "日")', False),
    ('text.contains_any("abc", "")', False),
    ('text.contains_any("日本", "本x")', True),
    ('text.compare("b", "a")', 1),
    ('text.join(["a", 1, \'c\'], "-")', "a-1-c"),
    ('text.join(immutable(["a", "b"]), "")', "ab"),
    ('text.join([], ",")', ""),
    ('text.repeat("ab", 3)', "ababab"),
    # string(compatible)/int(compatible) conversions
    ('text.contains(123, 2)', True),
    ('text.substr(123.456, 4, 7)', "456"),
    ('text.itoa("42")', "42"),
    ('text.repeat("x", 2.9)', "xx"),
    # strconv
    ('text.atoi("-12")', -12),
    ('text.atoi("12x")', Error('strconv.Atoi: parsing "12x": invalid syntax')),
    ('text.atoi("99999999999999999999")',
     Error('strconv.Atoi: parsing "99999999999999999999": value out of range')),
    ('text.parse_int("0x1f", 0, 64)', 31),
    ('text.parse_int("-0b101", 0, 8)', -5),
    ('text.parse_int("1_000", 0, 64)', 1000),
    ('text.parse_int("-128", 10, 8)', -128),
    ('text.parse_int("zz", 36, 0)', 1295),
    ('text.parse_float("0x1p-2", 64)', 0.25),
    ('text.parse_float("0.1", 32)', 0.10000000149011612),
    ('text.parse_float("inf", 64)', float("inf")),
    ('text.parse_bool("T")', True),
    ('text.format_float(0.1, "g", -1, 32)', "0.1"),
    ('text.format_float(1.0/3.0, "e", -1, 32)', "3.3333334e-01"),
    ('text.format_float(1234567.0, "g", -1, 64)', "1.234567e+06"),
    ('text.format_float(1.5, "b", -1, 32)', "12582912p-23"),
    ('text.format_float(1.5, "z", -1, 64)', "%z"),
    ('text.format_float(3.14159, "f", 2, 64)', "3.14"),
    ('text.format_int(255, 16)', "ff"),
    ('text.format_int(-35, 36)', "-z"),
    ('text.quote("a\\"b\\n日\\x01")', '"a\\"b\\n日\\x01"'),
    ('text.unquote("\\"a\\\\tb\\\\u65e5\\\\x41\\\\101\\"")', "a\tb日AA"),
    ('text.unquote("\'a\'")', "a"),
    ('text.unquote("\'ab\'")', Error("invalid syntax")),
    ('text.unquote("`a\\\\nb`")', "a\\nb"),
    ('text.unquote("\\"a\\\\\'\\"")', Error("invalid syntax")),
    ('text.unquote("abc")', Error("invalid syntax")),
    # regexps: RE2 syntax, Go algorithms
    ('text.re_match("(?i)ÉTÉ", "été")', True),
    ('text.re_match("^\\\\pL+$", "日本語")', True),
    ('text.re_match("^\\\\p{Greek}+$", "αβγ")', True),
    ('text.re_match("\\\\Qa.b\\\\E", "a.b")', True),
    ('text.re_match("(?U)a+", "a")', True),
    ('text.re_match("(?s)a.b", "a\\nb")', True),
    ('text.re_match("a.b", "a\\nb")', False),
    ('text.re_match("(?m)^b", "a\\nb")', True),
    ('text.re_match("^b", "a\\nb")', False),
    ('text.re_match("\\\\bfoo\\\\b", "a foo b")', True),
    ('text.re_find("(a)|(b)", "b")', [[m("b", 0, 1), m("b", 0, 1)]]),
    ('text.re_find("a", "aaa", 2)', [[m("a", 0, 1)], [m("a", 1, 2)]]),
    ('text.re_compile("a").find("aaa", 0)', None),
    ('text.re_find("x", "abc")', None),
    ('text.re_split("a*", "abaabaccadaaae", 5)', ["", "b", "b", "c", "cadaaae"]),
    ('text.re_split("x*", "axbc")', ["a", "b", "c"]),
    ('text.re_split("a", "abca")', ["", "bc", ""]),
    ('text.re_split("", "")', []),
    ('text.re_split("a", "abc", 0)', []),
    ('text.re_replace("x*", "abc", "-")', "-a-b-c-"),
    ('text.re_replace("a|", "baaac", "x")', "xbxxxcx"),
    ('text.re_replace("(?P<w>\\\\w+)", "hi there", "${w}!$1x$$")', "hi!$ there!$"),
    ('text.re_replace("(a)(b)?", "ab a", "[$2]")', "[b] []"),
    ('text.re_replace("(a)", "aaa", "${1")', "${1${1${1"),
    ('text.re_replace("(a)", "aaa", "$10")', ""),
    ('text.re_replace("(a)", "aaa", "$01")', ""),
    ('text.re_replace("a", "aaa", "$")', "$$$"),
    ('text.re_compile("(\\\\d+)").replace("a1b22", "<$1>")', "a<1>b<22>"),
    ('text.re_compile("b").split("abcabc", 2)', ["a", "cabc"]),
    # invalid UTF-8 in the subject: Go reads each bad byte as U+FFFD of width 1
    ('text.re_find(".", "\\xffé", -1)', [[m("\udcff", 0, 1)], [m("é", 1, 3)]]),
    ('text.re_match(".", "\\xff")', True),
    ('text.re_replace("\\\\x{FFFD}", "x\\xffy", "?")', "x?y"),
    ('text.to_upper("a\\xff")', "A\ufffd"),
])
def test_values(expr, want):
    got = run(expr)
    assert type(got) is type(want)
    if type(want) is Error:
        assert got.value == want.value
    else:
        assert got == want


@pytest.mark.parametrize("expr, msg", [
    ('text.re_match("(", "a")', "error parsing regexp: missing closing ): `(`"),
    ('text.re_find("a)", "a")', "error parsing regexp: unexpected ): `a)`"),
    ('text.re_compile("[a")', "error parsing regexp: missing closing ]: `[a`"),
    ('text.re_split("*", "a")', "error parsing regexp: missing argument to repetition operator: `*`"),
    ('text.re_replace("a**", "a", "")', "error parsing regexp: invalid nested repetition operator: `**`"),
    ('text.re_match("a++", "a")', "error parsing regexp: invalid nested repetition operator: `++`"),
    ('text.re_match("a{1001}", "a")', "error parsing regexp: invalid repeat count: `{1001}`"),
    ('text.re_match("\\\\C", "a")', "error parsing regexp: invalid escape sequence: `\\C`"),
    ('text.re_match("[\\\\C]", "a")', "error parsing regexp: invalid escape sequence: `\\C`"),
    ('text.re_match("\\\\Z", "a")', "error parsing regexp: invalid escape sequence: `\\Z`"),
    ('text.re_match("\\\\8", "a")', "error parsing regexp: invalid escape sequence: `\\8`"),
    ('text.re_match("(?=a)", "a")', "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    ('text.re_match("(?<!a)b", "b")', "error parsing regexp: invalid or unsupported Perl syntax: `(?<!`"),
    ('text.re_match("(?P<>a)", "a")', "error parsing regexp: invalid named capture: `(?P<>`"),
    ('text.re_match("[[:foo:]]", "a")', "error parsing regexp: invalid character class range: `[:foo:]`"),
    ('text.re_match("a\\\\", "a")', "error parsing regexp: trailing backslash at end of expression: ``"),
    ('text.re_match("a")', "wrong number of arguments in call to 'user-function:re_match'"),
    ('text.re_compile("a").match()', "wrong number of arguments in call to 'user-function:'"),
    ('text.re_compile("a").find(undefined)',
     "invalid type for argument 'first' in call to 'user-function:': expected string(compatible), found undefined"),
    ('text.re_find("a", "a", "x")',
     "invalid type for argument 'third' in call to 'user-function:re_find': expected int(compatible), found string"),
    # the reference adapters' quirks
    ('text.split("a", undefined)',
     "invalid type for argument 'first' in call to 'user-function:split': expected string(compatible), found undefined"),
    ('text.index("a", undefined)',
     "invalid type for argument 'second' in call to 'user-function:index': expected string(compatible), found string"),
    ('text.contains("a", undefined)',
     "invalid type for argument 'second' in call to 'user-function:contains': expected string(compatible), found undefined"),
    ('text.join("abc", "-")',
     "invalid type for argument 'first' in call to 'user-function:join': expected array, found string"),
    ('text.join([1, undefined], "-")',
     "invalid type for argument 'first[1]' in call to 'user-function:join': expected string(compatible), found undefined"),
    ('text.format_bool(1)',
     "invalid type for argument 'first' in call to 'user-function:format_bool': expected bool, found int"),
    ('text.format_int(1.5, 10)',
     "invalid type for argument 'first' in call to 'user-function:format_int': expected int, found float"),
    ('text.format_float(1, "f", 1, 64)',
     "invalid type for argument 'first' in call to 'user-function:format_float': expected float, found int"),
    ('text.parse_int(1, 10, 64)',
     "invalid type for argument 'first' in call to 'user-function:parse_int': expected string, found int"),
    ('text.substr("abc", 2, 1)', "invalid index type"),
    # strconv failures are runtime errors in the reference (leaked named error result)
    ('text.parse_bool("yes")', 'strconv.ParseBool: parsing "yes": invalid syntax'),
    ('text.parse_int("128", 10, 8)', 'strconv.ParseInt: parsing "128": value out of range'),
    ('text.parse_int("12", 1, 8)', 'strconv.ParseInt: parsing "12": invalid base 1'),
    ('text.parse_int("12", 10, 65)', 'strconv.ParseInt: parsing "12": invalid bit size 65'),
    ('text.parse_int("1_0", 10, 64)', 'strconv.ParseInt: parsing "1_0": invalid syntax'),
    ('text.parse_float("1e400", 64)', 'strconv.ParseFloat: parsing "1e400": value out of range'),
    ('text.parse_float("3.4e39", 32)', 'strconv.ParseFloat: parsing "3.4e39": value out of range'),
    ('text.parse_float("abc", 64)', 'strconv.ParseFloat: parsing "abc": invalid syntax'),
    # where Go panics we raise a runtime error
    ('text.repeat("ab", -1)', "strings: negative Repeat count"),
    ('text.format_int(1, 37)', "strconv: illegal AppendInt/FormatInt base"),
    ('text.format_float(1.5, "f", 2, 16)', "strconv: illegal AppendFloat/FormatFloat bitSize"),
])
def test_errors(expr, msg):
    assert run_err(expr) == msg


@pytest.fixture
def small_limit():
    old = limits.MAX_STRING_LEN
    limits.MAX_STRING_LEN = 12
    yield
    limits.MAX_STRING_LEN = old


@pytest.mark.parametrize("expr", [
    'text.repeat("日", 5)',            # 15 bytes
    'text.pad_left("a", 13)',
    'text.pad_right("a", 13, "x")',
    'text.join(["日日", "日日", "a"], "")',   # 6 + 6 + 1 bytes
    'text.replace("aaaaa", "a", "日", -1)',
    'text.re_replace("a", "aaaaa", "日")',
    'text.re_replace("(a)", "aaaaa", "$1$1$1")',
])
def test_string_limit(small_limit, expr):
    assert run_err(expr) == "exceeding string size limit"


def test_string_limit_exact(small_limit):
    assert run('text.replace("aaaa", "a", "日", -1)') == "日日日日"
    assert run('text.join(["日日", "日日"], "")') == "日日日日"
    assert run('text.repeat("日", 4)') == "日日日日"
    assert run('text.pad_left("a", 12, "-")') == "-" * 11 + "a"
