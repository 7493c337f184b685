"""tengojit.strings: Tengo's Object.String(), Go float formatting and strconv quoting.

Expected values follow Go's documented strconv/time behaviour and Tengo's objects.go
String() methods.
"""
import random
from datetime import datetime, timedelta, timezone

import pytest

from tengojit.strings import (byte_len, can_backquote, char_str, format_float, go_format_float,
                              go_is_print, go_quote, go_quote_rune, go_time_string, tengo_repr,
                              to_display)
from tengojit.values import Char, Error, ImmutableArray, ImmutableMap, UserFunction


# --- floats: strconv.FormatFloat(f, 'f', -1, 64) -------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (0.0, "0"),
    (-0.0, "-0"),
    (2.0, "2"),
    (-2.0, "-2"),
    (1.5, "1.5"),
    (0.1, "0.1"),
    (1 / 3, "0.3333333333333333"),
    (123.456, "123.456"),
    (1e21, "1000000000000000000000"),
    (1.5e-7, "0.00000015"),
    (1e-5, "0.00001"),
    (1e100, "1" + "0" * 100),
    (5e-324, "0." + "0" * 323 + "5"),
    (1.7976931348623157e308, "17976931348623157" + "0" * 292),
    (123456789012345680.0, "123456789012345680"),
    (0.000123, "0.000123"),
    (float("nan"), "NaN"),
    (float("inf"), "+Inf"),
    (float("-inf"), "-Inf"),
])
def test_format_float(value, expected):
    assert format_float(value) == expected
    assert tengo_repr(value) == expected


def test_format_float_roundtrips():
    rnd = random.Random(5)
    for _ in range(2000):
        f = rnd.uniform(-1e6, 1e6) * 10 ** rnd.randint(-30, 30)
        s = format_float(f)
        assert "e" not in s
        assert float(s) == f


# --- strconv.FormatFloat with other formats -------------------------------------------------

@pytest.mark.parametrize("value, fmt, prec, expected", [
    (1.0, "e", -1, "1e+00"),
    (1234.5678, "e", -1, "1.2345678e+03"),
    (1234.5678, "e", 2, "1.23e+03"),
    (1234.5678, "E", 2, "1.23E+03"),
    (1e100, "e", 6, "1.000000e+100"),
    (0.0, "e", 3, "0.000e+00"),
    (-0.0, "f", 2, "-0.00"),
    (2.5, "f", 0, "2"),
    (3.5, "f", 0, "4"),
    (0.05, "f", 1, "0.1"),
    (1.0, "g", -1, "1"),
    (1e6, "g", -1, "1e+06"),
    (123456.0, "g", -1, "123456"),
    (1234567.0, "g", -1, "1.234567e+06"),
    (1e21, "g", -1, "1e+21"),
    (1e-4, "g", -1, "0.0001"),
    (1e-5, "g", -1, "1e-05"),
    (0.0, "g", -1, "0"),
    (-0.0, "g", -1, "-0"),
    (100.0, "g", 3, "100"),
    (100000.0, "g", 3, "1e+05"),
    (12.345, "g", 3, "12.3"),
    (1.0, "g", 0, "1"),
    (1e-10, "G", -1, "1E-10"),
    (1.0, "b", -1, "4503599627370496p-52"),
    (0.0, "b", -1, "0p-1074"),
    (-1.0, "b", -1, "-4503599627370496p-52"),
    (1.0, "x", -1, "0x1p+00"),
    (0.0, "x", -1, "0x0p+00"),
    (-0.0, "x", -1, "-0x0p+00"),
    (-3.5, "X", -1, "-0X1.CP+01"),
    (5e-324, "x", -1, "0x1p-1074"),
    (1.5, "x", 0, "0x1p+01"),
    (2.5, "x", 0, "0x1p+01"),
    (1 / 3, "x", 2, "0x1.55p-02"),
    (1.0, "x", 4, "0x1.0000p+00"),
    (float("nan"), "g", -1, "NaN"),
    (float("inf"), "e", 3, "+Inf"),
    (float("-inf"), "x", -1, "-Inf"),
])
def test_go_format_float(value, fmt, prec, expected):
    assert go_format_float(value, fmt, prec) == expected


def test_go_format_float_g_matches_c_g_with_precision():
    # with an explicit precision Go's %g picks the same layout as C's %g
    rnd = random.Random(7)
    for _ in range(3000):
        f = rnd.uniform(-10, 10) * 10 ** rnd.randint(-12, 12)
        p = rnd.randint(1, 20)
        assert go_format_float(f, "g", p) == "%.*g" % (p, f)


def test_go_format_float_hex_shortest_matches_python_hex():
    rnd = random.Random(3)
    for _ in range(2000):
        f = rnd.uniform(-1e3, 1e3) * 2.0 ** rnd.randint(-900, 900)
        mant, exp = f.hex().split("p")
        mant = mant.rstrip("0").rstrip(".")
        e = int(exp)
        expected = "%sp%s%02d" % (mant, "-" if e < 0 else "+", abs(e))
        assert go_format_float(f, "x", -1) == expected


# --- strconv.Quote ----------------------------------------------------------------------------

@pytest.mark.parametrize("s, expected", [
    ("", '""'),
    ("abc", '"abc"'),
    ('a"b\\c', r'"a\"b\\c"'),
    ("'", '"\'"'),
    ("\a\b\f\n\r\t\v", r'"\a\b\f\n\r\t\v"'),
    ("\x00\x01\x1f\x7f", r'"\x00\x01\x1f\x7f"'),
    ("é☺本", '"é☺本"'),
    ("\u00a0", r'"\u00a0"'),
    ("\u00ad", r'"\u00ad"'),
    ("\u200b", r'"\u200b"'),
    ("\u2028", r'"\u2028"'),
    ("\ufeff", r'"\ufeff"'),
    ("\U0001F600", '"\U0001F600"'),
    ("\U000E0001", r'"\U000e0001"'),
    ("\U0010ffff", r'"\U0010ffff"'),
    ("\x80", r'"\u0080"'),
    ("a\udcffb", r'"a\xffb"'),   # invalid UTF-8 byte 0xff (surrogate-escaped)
    ("\udce2\udc82", r'"\xe2\x82"'),
])
def test_go_quote(s, expected):
    assert go_quote(s) == expected


def test_go_quote_ascii_only():
    assert go_quote("☺", ascii_only=True) == r'"\u263a"'
    assert go_quote("a\U0001F600", ascii_only=True) == r'"a\U0001f600"'
    assert go_quote("é\n", ascii_only=True) == r'"\u00e9\n"'


@pytest.mark.parametrize("code, expected", [
    (ord("x"), "'x'"),
    (ord("'"), r"'\''"),
    (ord('"'), "'\"'"),
    (ord("\n"), r"'\n'"),
    (0x263A, "'☺'"),
    (0x0E00, r"'\u0e00'"),
    (0xD800, "'\ufffd'"),
    (0x110000, "'\ufffd'"),
    (0, r"'\x00'"),
])
def test_go_quote_rune(code, expected):
    assert go_quote_rune(code) == expected


def test_go_quote_rune_ascii():
    assert go_quote_rune(0x263A, ascii_only=True) == r"'\u263a'"


@pytest.mark.parametrize("s, expected", [
    ("abc", True), ("a\tb", True), ("☺", True), ("", True),
    ("a`b", False), ("a\nb", False), ("\x7f", False), ("\ufeff", False), ("\udcff", False),
])
def test_can_backquote(s, expected):
    assert can_backquote(s) is expected


def test_go_is_print():
    assert go_is_print(ord(" "))
    assert go_is_print(ord("a"))
    assert go_is_print(0x263A)
    assert not go_is_print(0x0A)
    assert not go_is_print(0xA0)
    assert not go_is_print(0xD800)
    assert not go_is_print(0x110000)


def test_char_str():
    assert char_str(97) == "a"
    assert char_str(0x1F600) == "\U0001F600"
    assert char_str(-1) == "\ufffd"
    assert char_str(0xDC00) == "\ufffd"
    assert char_str(0x110000) == "\ufffd"


def test_byte_len():
    assert byte_len("abc") == 3
    assert byte_len("é") == 2
    assert byte_len("☺") == 3
    assert byte_len("\U0001F600") == 4
    assert byte_len("a\udcff") == 2


# --- Object.String() ----------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (0, "0"),
    (-5, "-5"),
    (-9223372036854775808, "-9223372036854775808"),
    (True, "true"),
    (False, "false"),
    (None, "<undefined>"),
    ("abc", '"abc"'),
    ("a\nb", r'"a\nb"'),
    (Char(97), "a"),
    (Char(0x263A), "☺"),
    (Char(-1), "\ufffd"),
    (b"abc", "abc"),
    (b"\xff", "\udcff"),
    ([], "[]"),
    ([1, "a", [2.5, None]], '[1, "a", [2.5, <undefined>]]'),
    (ImmutableArray([1, ImmutableArray([2])]), "[1, [2]]"),
    ({}, "{}"),
    ({"a": 1, "b": "x"}, '{a: 1, b: "x"}'),
    ({"a": {"b": [True]}}, "{a: {b: [true]}}"),
    (ImmutableMap({"k": Char(65)}), "{k: A}"),
    (Error("oops"), 'error: "oops"'),
    (Error(Error(1)), "error: error: 1"),
    (Error(None), "error: <undefined>"),
    ([Error(1.5), b"x"], "[error: 1.5, x]"),
    (UserFunction("f", lambda: None), "<user-function>"),
])
def test_tengo_repr(value, expected):
    assert tengo_repr(value) == expected


def test_tengo_repr_compiled_function():
    def f(G):
        return None
    assert tengo_repr(f) == "<compiled-function>"


def test_tengo_repr_cycle_is_a_runtime_error():
    from tengojit.errors import OpError
    a = [1]
    a.append(a)
    with pytest.raises(OpError):
        tengo_repr(a)


@pytest.mark.parametrize("dt, expected", [
    (datetime(2006, 1, 2, 15, 4, 5, tzinfo=timezone(timedelta(hours=-7), "MST")),
     "2006-01-02 15:04:05 -0700 MST"),
    (datetime(2006, 1, 2, 15, 4, 5, 123450, tzinfo=timezone.utc),
     "2006-01-02 15:04:05.12345 +0000 UTC"),
    (datetime(1, 1, 1, tzinfo=timezone.utc), "0001-01-01 00:00:00 +0000 UTC"),
    (datetime(2020, 2, 29, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=9))),
     "2020-02-29 23:59:59.000001 +0900 +0900"),
    (datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30), "IST")),
     "2020-01-01 00:00:00 +0530 IST"),
    (datetime(2020, 1, 1, tzinfo=timezone(-timedelta(hours=3, minutes=30))),
     "2020-01-01 00:00:00 -0330 -0330"),
])
def test_time_string(dt, expected):
    assert go_time_string(dt) == expected
    assert tengo_repr(dt) == expected


@pytest.mark.parametrize("value, expected", [
    ("abc", "abc"),
    ("a\nb", "a\nb"),
    (None, ""),
    (1, "1"),
    (2.0, "2"),
    (Char(97), "a"),
    (["a"], '["a"]'),
    ({"a": None}, "{a: <undefined>}"),
    (b"hi", "hi"),
    (Error("e"), 'error: "e"'),
    (True, "true"),
])
def test_to_display(value, expected):
    assert to_display(value) == expected
