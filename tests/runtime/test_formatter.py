"""tengojit.formatter.format_tengo: Tengo's Format (builtin ``format``, ``fmt.sprintf``) and
the fmt module.

Expected values come from Go's fmt documentation and fmt_test.go tables, adjusted where Tengo's
formatter.go differs from Go's fmt (``%v`` = ``String()``, bad verbs print ``String()`` where Go
prints the type, bytes ignore unknown verbs, ``%#g`` counts every digit), plus the conformance
corpus cases that call ``format``/``fmt.sprintf`` with literal arguments.
"""
import json
from pathlib import Path

import pytest

from tengojit import limits
from tengojit.errors import OpError
from tengojit.formatter import format_tengo
from tengojit.stdlib.fmt import MODULE as FMT
from tengojit.values import Char, Error, ImmutableArray, ImmutableMap, UserFunction

NAN = float("nan")
INF = float("inf")


def F(fmt, *args):
    return format_tengo(fmt, list(args))


CASES = [
    # -- basics, %v is String()
    ("foo", [], "foo"),
    ("%d", [12345], "12345"),
    ("%v", [12345], "12345"),
    ("%v", ["hi"], '"hi"'),
    ("%s", ["hi"], "hi"),
    ("%v", [1.5], "1.5"),
    ("%v", [2.0], "2"),
    ("%v", [1e21], "1000000000000000000000"),
    ("%v", [-0.0], "-0"),
    ("%v", [NAN], "NaN"),
    ("%v", [INF], "+Inf"),
    ("%v", [True], "true"),
    ("%v", [None], "<undefined>"),
    ("%v", [Char(97)], "a"),
    ("%v", [b"abc"], "abc"),
    ("%v", [[1, "bar", True]], '[1, "bar", true]'),
    ("%v", [{"a": 1}], "{a: 1}"),
    ("%v", [Error("x")], 'error: "x"'),
    ("%5v", ["hi"], ' "hi"'),
    ("%-5v|", [1], "1    |"),
    ("%05v", [-12], "00-12"),   # %v pads the String() form like a string
    ("%.2v", ["hello"], '"h'),
    # -- %T
    ("%T", [1], "int"),
    ("%T", [1.0], "float"),
    ("%T", ["a"], "string"),
    ("%T", [None], "undefined"),
    ("%T", [[1]], "array"),
    ("%T", [ImmutableMap({})], "immutable-map"),
    ("%T", [Char(1)], "char"),
    ("%T", [b""], "bytes"),
    ("%T", [Error(1)], "error"),
    ("%8T|", [True], "    bool|"),
    # -- %%
    ("%%", [], "%"),
    ("%5%", [], "%"),
    ("%d%%", [5], "5%"),
    # -- bool
    ("%t", [True], "true"),
    ("%t", [False], "false"),
    ("%6t|", [True], "  true|"),
    ("%-6t|", [False], "false |"),
    ("%d", [True], "%!d(true=true)"),
    # -- integers
    ("%d", [-12345], "-12345"),
    ("%+d", [12345], "+12345"),
    ("%+d", [-12345], "-12345"),
    ("% d", [12345], " 12345"),
    ("% d", [-12345], "-12345"),
    ("%5d|", [42], "   42|"),
    ("%-5d|", [42], "42   |"),
    ("%05d", [42], "00042"),
    ("%05d", [-42], "-0042"),
    ("%+05d", [42], "+0042"),
    ("%-05d|", [42], "42   |"),
    ("%0-5d|", [42], "42   |"),
    ("%.3d", [7], "007"),
    ("%6.3d|", [7], "   007|"),
    ("%06.3d|", [7], "   007|"),   # precision wins over the 0 flag
    ("%.0d", [0], ""),
    ("%5.0d|", [0], "     |"),
    ("%x", [255], "ff"),
    ("%X", [255], "FF"),
    ("%#x", [255], "0xff"),
    ("%#X", [255], "0XFF"),
    ("%#08x", [255], "0x000000ff"),
    ("%x", [-255], "-ff"),
    ("%+x", [255], "+ff"),
    ("%#x", [0], "0x0"),
    ("%o", [8], "10"),
    ("%#o", [8], "010"),
    ("%#o", [0], "0"),
    ("%O", [8], "0o10"),
    ("%O", [-8], "-0o10"),
    ("%b", [5], "101"),
    ("%b", [-5], "-101"),
    ("%#b", [5], "0b101"),
    ("%08b", [5], "00000101"),
    ("%d", [-9223372036854775808], "-9223372036854775808"),
    ("%x", [-9223372036854775808], "-8000000000000000"),
    ("%d", [9223372036854775807], "9223372036854775807"),
    ("%c", [120], "x"),
    ("%c", [0xE4], "ä"),
    ("%c", [0x672C], "本"),
    ("%3c|", [120], "  x|"),
    ("%-3c|", [120], "x  |"),
    ("%c", [-1], "\ufffd"),
    ("%c", [0xD800], "\ufffd"),
    ("%c", [0x110000], "\ufffd"),
    ("%q", [120], "'x'"),
    ("%q", [0x263A], "'☺'"),
    ("%+q", [0x263A], r"'\u263a'"),
    ("%q", [10], r"'\n'"),
    ("%q", [39], r"'\''"),
    ("%q", [34], "'\"'"),
    ("%q", [0x0E00], r"'\u0e00'"),
    ("%q", [0x110000], "%!q(1114112=1114112)"),
    ("%q", [-1], "%!q(-1=-1)"),
    ("%U", [1], "U+0001"),
    ("%U", [0x263A], "U+263A"),
    ("%#U", [120], "U+0078 'x'"),
    ("%#U", [10], "U+000A"),
    ("%U", [-1], "U+FFFFFFFFFFFFFFFF"),
    ("%.8U", [0x263A], "U+0000263A"),
    ("%#14.6U|", [0x263A], "  U+00263A '☺'|"),
    ("%-#14.6U|", [0x263A], "U+00263A '☺'  |"),
    ("%010U", [1], "    U+0001"),
    ("%s", [1], "%!s(1=1)"),
    ("%f", [1], "%!f(1=1)"),
    ("%5.2f", [1], "%!f(1=    1)"),
    ("%t", [1], "%!t(1=1)"),
    # -- floats
    ("%f", [1.0], "1.000000"),
    ("%F", [1.0], "1.000000"),
    ("%e", [1.0], "1.000000e+00"),
    ("%E", [1.0], "1.000000E+00"),
    ("%g", [1.0], "1"),
    ("%G", [1e-10], "1E-10"),
    ("%5.2f", [3.14159], " 3.14"),
    ("%.2f", [3.14159], "3.14"),
    ("%8.3f|", [3.14159], "   3.142|"),
    ("%-8.3f|", [3.14159], "3.142   |"),
    ("%08.3f", [3.14159], "0003.142"),
    ("%08.3f", [-3.14159], "-003.142"),
    ("%+08.2f", [1.0], "+0001.00"),
    ("%+.3e", [1.0], "+1.000e+00"),
    ("%+.3f", [-1.0], "-1.000"),
    ("% .3f", [1.0], " 1.000"),
    ("% .3f", [-1.0], "-1.000"),
    ("%.3g", [12.345], "12.3"),
    ("%6.3f", [12.345], "12.345"),
    ("%.0f", [0.5], "0"),
    ("%.0f", [1.5], "2"),
    ("%.0f", [2.5], "2"),
    ("%.1f", [0.05], "0.1"),
    ("%.3f", [-0.0], "-0.000"),
    ("%g", [-0.0], "-0"),
    ("%g", [1e6], "1e+06"),
    ("%g", [123456.0], "123456"),
    ("%g", [1234567.0], "1.234567e+06"),
    ("%g", [1e21], "1e+21"),
    ("%g", [1e-4], "0.0001"),
    ("%g", [1e-5], "1e-05"),
    ("%g", [0.1], "0.1"),
    ("%.3g", [1234567.0], "1.23e+06"),
    ("%.10g", [1 / 3], "0.3333333333"),
    ("%e", [1e100], "1.000000e+100"),
    ("%e", [1234.5678], "1.234568e+03"),
    ("%.2e", [0.0], "0.00e+00"),
    ("%b", [1.0], "4503599627370496p-52"),
    ("%x", [1.0], "0x1p+00"),
    ("%X", [-3.5], "-0X1.CP+01"),
    ("%.2x", [1 / 3], "0x1.55p-02"),
    ("%#g", [1.0], "1.00000"),
    ("%#g", [123456.0], "123456."),
    ("%#g", [1e6], "1.00000e+06"),
    ("%#g", [1234567.0], "1.234567e+06"),
    ("%#.4g", [1.0], "1.000"),
    ("%#.0f", [1.0], "1."),
    ("%#.0e", [1.0], "1.e+00"),
    ("%#.4e", [1.0], "1.0000e+00"),
    ("%#.4x", [1.0], "0x1.0000p+00"),
    ("%#g", [0.001], "0.00100"),    # Tengo's formatter counts leading zeros as digits
    ("%f", [INF], "+Inf"),
    ("%f", [-INF], "-Inf"),
    ("%f", [NAN], "NaN"),
    ("%+f", [NAN], "+NaN"),
    ("% f", [NAN], " NaN"),
    ("% f", [INF], " Inf"),
    ("%5.2f", [INF], " +Inf"),
    ("%05.2f", [NAN], "  NaN"),
    ("%-10f|", [-INF], "-Inf      |"),
    ("%010f", [-INF], "      -Inf"),
    ("%g", [NAN], "NaN"),
    ("%d", [1.5], "%!d(1.5=1.5)"),
    ("%s", [2.0], "%!s(2=2)"),
    ("%c", [1.0], "%!c(1=1)"),
    # -- strings
    ("%5s|", ["abc"], "  abc|"),
    ("%-5s|", ["abc"], "abc  |"),
    ("%05s", ["abc"], "00abc"),
    ("%.5s", ["abcdefghijklmnopqrstuvwxyz"], "abcde"),
    ("%.0s", ["日本語日本語"], ""),
    ("%.5s", ["日本語日本語"], "日本語日本"),
    ("%5s|", ["日本"], "   日本|"),
    ("%-4q|", ["é"], '"é" |'),
    ("%q", ["abc"], '"abc"'),
    ("%q", ['"'], r'"\""'),
    ("%q", ["\n"], r'"\n"'),
    ("%#q", ["abc"], "`abc`"),
    ("%#q", ["`"], '"`"'),
    ("%#q", ["\n"], r'"\n"'),
    ("%q", ["\u263a"], '"☺"'),
    ("%+q", ["☺"], r'"\u263a"'),
    ("%#+q", ["☺"], "`☺`"),
    ("%q", ["\U0010ffff"], r'"\U0010ffff"'),
    ("%.3q", ["日本語日本語"], '"日本語"'),
    ("%10.1q|", ["日本語日本語"], '       "日"|'),
    ("%x", ["xyz"], "78797a"),
    ("%X", ["xyz"], "78797A"),
    ("% x", ["xyz"], "78 79 7a"),
    ("%#x", ["xyz"], "0x78797a"),
    ("%# x", ["xyz"], "0x78 0x79 0x7a"),
    ("%# X", ["xyz"], "0X78 0X79 0X7A"),
    ("%.2x", ["xyz"], "7879"),
    ("%8x|", ["xyz"], "  78797a|"),
    ("%-8x|", ["xyz"], "78797a  |"),
    ("%x", ["é"], "c3a9"),
    ("%x", [""], ""),
    ("%4x|", [""], "    |"),
    ("%d", ["hi"], '%!d("hi"="hi")'),
    ("%c", ["hi"], '%!c("hi"="hi")'),
    # -- bytes
    ("%s", [b"abc"], "abc"),
    ("%d", [b"abc"], "[97 98 99]"),
    ("%3d", [b"\x01\x02"], "[  1   2]"),
    ("%x", [b"abc"], "616263"),
    ("% X", [b"abc"], "61 62 63"),
    ("%q", [b"abc"], '"abc"'),
    ("%q", [b"\xff"], r'"\xff"'),
    ("%t", [b"abc"], ""),          # bytes print nothing for other verbs
    ("%c|", [b"abc"], "|"),
    # -- other types format their String() as a string
    ("%s", [Char(97)], "a"),
    ("%d", [Char(97)], "%!d(a=a)"),
    ("%c", [Char(97)], "%!c(a=a)"),
    ("%q", [Char(97)], '"a"'),
    ("%x", [Char(97)], "61"),
    ("%3s|", [Char(97)], "  a|"),
    ("%s", [None], "<undefined>"),
    ("%d", [None], "%!d(<undefined>=<undefined>)"),
    ("%s", [[1, "a"]], '[1, "a"]'),
    ("%d", [[1]], "%!d([1]=[1])"),
    ("%q", [[1, "a"]], r'"[1, \"a\"]"'),
    ("%s", [{"a": "b"}], '{a: "b"}'),
    ("%s", [ImmutableArray([1])], "[1]"),
    ("%s", [Error(1)], "error: 1"),
    ("%s", [UserFunction("f", None)], "<user-function>"),
    # -- missing / extra / malformed
    ("%d %d", [1], "1 %!d(MISSING)"),
    ("hi%d", [], "hi%!d(MISSING)"),
    ("%s", [], "%!s(MISSING)"),
    ("%d", [1, "a"], '1%!(EXTRA string="a")'),
    ("hi", [1, 2.5], "hi%!(EXTRA int=1, float=2.5)"),
    ("hi", ["guys"], 'hi%!(EXTRA string="guys")'),
    ("%5d", [1, [1, "x"], None], '    1%!(EXTRA array=[1, "x"], undefined=<undefined>)'),
    ("%", [], "%!(NOVERB)"),
    ("%-", [], "%!(NOVERB)"),
    ("abc%", [1], "abc%!(NOVERB)%!(EXTRA int=1)"),
    ("%!", [], "%!!(MISSING)"),
    ("%z", [1], "%!z(1=1)"),
    ("%.", [1], "%!.(1=1)"),
    ("%5.", [1], "%!.(1=    1)"),
    ("%é", [1], "%!é(1=1)"),
    # -- * width and precision
    ("%*d", [5, 12], "   12"),
    ("%-*d|", [5, 12], "12   |"),
    ("%*d|", [-5, 12], "12   |"),
    ("%.*d", [3, 7], "007"),
    ("%*.*f", [8, 2, 3.14159], "    3.14"),
    ("%*d", ["x", 1], "%!(BADWIDTH)1"),
    ("%.*d", ["x", 1], "%!(BADPREC)1"),
    ("%.*d", [-1, 7], "%!(BADPREC)7"),
    ("%*d", [10000000, 1], "%!(BADWIDTH)1"),
    ("%*d", ["5", 1], "    1"),
    ("%*s", [4.5, "hi"], "  hi"),
    ("%*d", [True, 1], "1"),
    ("%*d", [Char(3), 1], "  1"),
    ("%*d", [None, 1], "%!(BADWIDTH)1"),
    ("%*d", [5], "%!d(MISSING)"),
    # -- argument indexes
    ("%[2]d %[1]d", [11, 22], "22 11"),
    ("%[3]*.[2]*[1]f", [12.0, 2, 6], " 12.00"),
    ("%d %d %#[1]x %#x", [16, 17], "16 17 0x10 0x11"),
    ("%[3]d", [1, 2], "%!d(BADINDEX)"),
    ("%[0]d", [1], "%!d(BADINDEX)"),
    ("%[x]d", [1], "%!d(BADINDEX)"),
    ("%[1]d %[1]d", [1, 2], "1 1"),        # reordered: no EXTRA report
    ("%*[2]d", [7], "%!d(BADINDEX)"),
    ("%.[2]d", [7], "%!d(BADINDEX)"),
    ("%[2]*[1]d", [12, 5], "   12"),
    ("%[1]2d", [1], "%!d(BADINDEX)"),
    ("%[1].2d", [1], "%!d(BADINDEX)"),
    ("%[1]", [1], "%!(NOVERB)"),
    ("%[", [1], "%!(NOVERB)"),
    ("%[1", [1], "%!(NOVERB)"),
]


@pytest.mark.parametrize("fmt, args, expected", CASES, ids=[repr(c[0]) + "-" + str(i) for i, c in enumerate(CASES)])
def test_format(fmt, args, expected):
    assert format_tengo(fmt, list(args)) == expected


def test_invalid_utf8_in_format_and_args():
    assert F("a\udcffb%d", 1) == "a\udcffb1"
    assert F("%\udcff", 1) == "%!\ufffd(1=1)"
    assert F("%x", "\udcff") == "ff"
    assert F("%q", "\udcff") == r'"\xff"'


def test_string_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_STRING_LEN", 9)
    assert F("%s", "123456789") == "123456789"
    with pytest.raises(OpError) as e:
        F("%s", "1234567890")
    assert e.value.message == "exceeding string size limit"
    with pytest.raises(OpError):
        F("%10d", 1)
    with pytest.raises(OpError):
        F("%s", "ééééé")  # 5 characters, 10 bytes
    assert F("%s", "éééée") == "éééée"  # 9 bytes


def test_large_width_is_fine():
    assert F("%1000000d", 1) == " " * 999999 + "1"
    assert F("%*d", 1000000, 1) == " " * 999999 + "1"


# --- conformance corpus: format(...) and fmt.sprintf(...) with literal arguments ------------

CONFORMANCE = {
    "fmt/TestFmtSprintf/1": ("", []),
    "fmt/TestFmtSprintf/2": ("foo", []),
    "fmt/TestFmtSprintf/3": ("foo %d %v %s", [1, 2, "bar"]),
    "fmt/TestFmtSprintf/4": ("foo %v", [[1, "bar", True]]),
    "fmt/TestFmtSprintf/5": ("foo %v %d", [[1, "bar", True], 19]),
    "fmt/TestFmtSprintf/6": ("foo %v", [{"a": ImmutableMap({"b": ImmutableMap({"c": [1, 2, 3]})})}]),
    "fmt/TestFmtSprintf/7": ("%v", [ImmutableArray([1, ImmutableArray([2, ImmutableArray([3, 4])])])]),
    "vm/TestBuiltinFunction/134": ("", []),
    "vm/TestBuiltinFunction/135": ("foo", []),
    "vm/TestBuiltinFunction/136": ("foo %d %v %s", [1, 2, "bar"]),
    "vm/TestBuiltinFunction/137": ("foo %v", [[1, "bar", True]]),
    "vm/TestBuiltinFunction/138": ("foo %v %d", [[1, "bar", True], 19]),
    "vm/TestBuiltinFunction/139": ("foo %v", [{"a": {"b": {"c": [1, 2, 3]}}}]),
    "vm/TestBuiltinFunction/140": ("%v", [[1, [2, [3, 4]]]]),
}


def _conformance_cases():
    here = Path(__file__).resolve()
    for base in [here.parents[3] / "shared", here.parents[2] / "shared",
                 here.parents[2].parent / "shared"]:
        d = base / "conformance"
        if d.is_dir():
            out = {}
            for name in ("stdlib.jsonl", "vm.jsonl"):
                with open(d / name, encoding="utf-8") as fh:
                    for line in fh:
                        c = json.loads(line)
                        if c["id"] in CONFORMANCE:
                            out[c["id"]] = c
            return out
    return None


_CORPUS = _conformance_cases()


@pytest.mark.parametrize("case_id", sorted(CONFORMANCE))
def test_conformance_format_cases(case_id):
    fmt, args = CONFORMANCE[case_id]
    if _CORPUS is None:
        pytest.skip("conformance corpus not found")
    case = _CORPUS[case_id]
    expected = case["expected"]["string"]
    # the transcription matches the case's source
    assert json.dumps(fmt) in case["src"]
    if args:
        got = format_tengo(fmt, args)
    else:
        got = FMT["sprintf"].fn(fmt)
    assert got == expected


def test_conformance_string_limit_case():
    if _CORPUS is None:
        pytest.skip("conformance corpus not found")
    # vm/TestBuiltinFunction/141: MaxStringLen 9, format("%s", "1234567890") fails
    old = limits.MAX_STRING_LEN
    limits.MAX_STRING_LEN = 9
    try:
        with pytest.raises(OpError, match="exceeding string size limit"):
            format_tengo("%s", ["1234567890"])
    finally:
        limits.MAX_STRING_LEN = old


# --- the fmt module -----------------------------------------------------------------------

class _Out:
    def __init__(self, capsys):
        self.capsys = capsys
        self.text = ""

    def getvalue(self):
        self.text += self.capsys.readouterr().out
        return self.text


@pytest.fixture
def stdout(capsys):
    return _Out(capsys)


def test_fmt_print(stdout):
    assert FMT["print"].fn("a", 1, None, [1, "x"], 2.0, Char(98)) is None
    assert stdout.getvalue() == 'a1[1, "x"]2b'


def test_fmt_println(stdout):
    FMT["println"].fn("hello", " ", "world")
    FMT["println"].fn()
    FMT["println"].fn(None)
    assert stdout.getvalue() == "hello world\n\n\n"


def test_fmt_printf(stdout):
    assert FMT["printf"].fn("%d-%s\n", 5, "x") is None
    assert stdout.getvalue() == "5-x\n"


def test_fmt_printf_format_only_prints_quoted(stdout):
    # the reference passes the String object itself to Go's fmt.Print, which prints its
    # String(): the Go-quoted format
    FMT["printf"].fn("hi\n")
    assert stdout.getvalue() == '"hi\\n"'


def test_fmt_sprintf():
    s = FMT["sprintf"].fn
    assert s("%d", 1) == "1"
    assert s("%d") == "%d"
    assert s("a%%") == "a%%"
    assert s("x%vy", [1]) == "x[1]y"


@pytest.mark.parametrize("name", ["printf", "sprintf"])
def test_fmt_format_errors(name):
    fn = FMT[name].fn
    with pytest.raises(OpError) as e:
        fn()
    assert e.value.message == f"wrong number of arguments in call to 'user-function:{name}'"
    with pytest.raises(OpError) as e:
        fn(1, 2)
    assert e.value.message == (f"invalid type for argument 'format' in call to "
                               f"'user-function:{name}': expected string, found int")


def test_fmt_print_string_limit(monkeypatch, stdout):
    monkeypatch.setattr(limits, "MAX_STRING_LEN", 5)
    FMT["print"].fn("ab", "cde")
    with pytest.raises(OpError, match="exceeding string size limit"):
        FMT["print"].fn("abc", "def")
    with pytest.raises(OpError, match="exceeding string size limit"):
        FMT["println"].fn("ééé")
    assert stdout.getvalue() == "abcde"


def test_fmt_module_shape():
    assert set(FMT) == {"print", "printf", "println", "sprintf"}
    for name, fn in FMT.items():
        assert isinstance(fn, UserFunction)
        assert fn.name == name
