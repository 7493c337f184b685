"""The ``json`` module through the real interpreter."""
from __future__ import annotations

import json as pyjson

import pytest

import helpers

from tengojit import TengoError
from tengojit.stdlib.json import check_valid, go_indent, JSONSyntaxError
from tengojit.values import Error

J = 'json := import("json")\ntimes := import("times")\n'


def run(src, **symbols):
    return helpers.out(J + src, stdlib=("times", "json"), symbols={**symbols, "out": symbols.get("out")})


def is_err(v, msg):
    return type(v) is Error and v.value == msg


def enc(v):
    return run("out = json.encode(x)", x=v)


def test_encode_scalars():
    assert enc(5) == b"5"
    assert enc(-0.0) == b"-0"
    assert enc(1.8) == b"1.8"
    assert enc(1e21) == b"1e+21"
    assert enc(1e20) == b"100000000000000000000"
    assert enc(1e-7) == b"1e-7"
    assert enc(0.000001) == b"0.000001"
    assert enc(1.5e-10) == b"1.5e-10"
    assert enc(True) == b"true" and enc(None) == b"null"
    assert enc(b"foo") == b'"Zm9v"'
    assert run("out = json.encode('8')") == b"56"


def test_encode_strings():
    assert enc('<&>\n\r\t\x01"\\\u2028é\x7f') == (
        '"<&>\\n\\r\\t\\u0001\\"\\\\\u2028é\x7f"'.encode("utf-8"))
    # bytes that are not UTF-8 are copied as they are
    assert enc("a\udcffb") == b'"a\xffb"'


def test_encode_unsupported():
    assert is_err(run("out = json.encode([1.0/0.0])"), "unsupported float value")
    # unknown types encode as nothing, as in the reference
    assert run('out = json.encode({a: error(1)})') == b'{"a":}'
    assert run('out = json.encode([func() {}, 1])') == b'[,1]'


def test_encode_time():
    assert run('out = json.encode(times.date(2020, 1, 2, 3, 4, 5, 6000, "Asia/Tokyo"))') == (
        b'"2020-01-02T03:04:05.000006+09:00"')
    assert run('out = json.encode(times.date(2020, 1, 2, 3, 4, 5, 0, "UTC"))') == (
        b'"2020-01-02T03:04:05Z"')


def test_decode_values():
    out = run(r'out = json.decode("[1, 2.5, 1e3, -0, 9223372036854775808, '
              r'-9223372036854775809, \"a\\ud800b\", \"\\ud83d\\ude00\", null, {\"x\": null}]")')
    assert out == [1, 2.5, 1000.0, 0, 9223372036854775807, -9223372036854775808,
                   "a\ufffdb", "\U0001F600", None, {"x": None}]
    assert type(out[2]) is float
    assert run('out = json.decode("9007199254740993")') == 9007199254740993
    # past Python's int-string limit (4,300 digits): clamped as the reference does, no
    # Python error text
    assert run(f'out = json.decode("[{"9" * 5000}, -{"9" * 5000}]")') == [
        9223372036854775807, -9223372036854775808]
    assert run('out = json.decode(bytes("\\"\\xff\\""))') == "\ufffd"


@pytest.mark.parametrize("text,msg", [
    ("[1,", "unexpected end of JSON input"),
    ("", "unexpected end of JSON input"),
    ("tru", "invalid character ' ' in literal true (expecting 'e')"),
    ('{"a" 1}', "invalid character '1' after object key"),
    ('{"a":1 "b"}', "invalid character '\"' after object key:value pair"),
    ("[1 2]", "invalid character '2' after array element"),
    ("x", "invalid character 'x' looking for beginning of value"),
    ("1 2", "invalid character '2' after top-level value"),
    ('"\t"', "invalid character '\\t' in string literal"),
    ("[1.]", "invalid character ']' after decimal point in numeric literal"),
    ("[1e]", "invalid character ']' in exponent of numeric literal"),
    ("-x", "invalid character 'x' in numeric literal"),
    ('"\\x"', "invalid character 'x' in string escape code"),
    ('"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"),
    ('{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    ("nulx", "invalid character 'x' in literal null (expecting 'l')"),
    ("NaN", "invalid character 'N' looking for beginning of value"),
    ("\ufeff1", "invalid character 'ï' looking for beginning of value"),
    ("'a'", "invalid character '\\'' looking for beginning of value"),
])
def test_decode_errors_are_error_values(text, msg):
    assert is_err(run("out = json.decode(x)", x=text), msg)


def test_decode_deep_nesting():
    n = 5000
    out = run("out = json.decode(x)", x="[" * n + "]" * n)
    depth = 0
    while out:
        out = out[0]
        depth += 1
    assert depth == n - 1


def test_round_trip_realistic():
    doc = {
        "id": 12345, "name": "Widget \u00e9\u4e2d\U0001F600", "price": 19.99, "ratio": 1e-9,
        "tags": ["a", "b", "c"], "active": True, "parent": None,
        "dims": {"w": 10, "h": 2.5, "unit": "cm"},
        "history": [{"at": "2021-01-01", "qty": -3}, {"at": "2021-02-01", "qty": 7}],
        "note": "line1\nline2\t\"quoted\" <b>&</b>", "big": 9223372036854775807, "empty": {},
        "none": [],
    }
    out = run("out = json.decode(json.encode(json.decode(x)))", x=pyjson.dumps(doc))
    assert out == doc
    # our encoding parses with Python's json as the same data
    assert pyjson.loads(run("out = json.encode(json.decode(x))", x=pyjson.dumps(doc))) == doc


def test_immutable_containers_encode():
    assert run('out = json.encode(immutable({"foo": immutable([1, "x"])}))') == b'{"foo":[1,"x"]}'


def test_indent_and_html_escape():
    out = run('out = json.indent("{\\"a\\":[1,2,{}],\\"b\\":[]} ", ">", "\\t")')
    assert out == b'{\n>\t"a": [\n>\t\t1,\n>\t\t2,\n>\t\t{}\n>\t],\n>\t"b": []\n>} '
    assert is_err(run('out = json.indent("{", "", "")'), "unexpected end of JSON input")
    assert run('out = json.html_escape("<a href=\\"x\\">&\u2028</a>")') == (
        b'\\u003ca href="x"\\u003e\\u0026\\u2028\\u003c/a\\u003e')
    assert go_indent(b'  [ 1 , "a, b" ]', "", "  ") == b'[\n  1,\n  "a, b"\n]'


@pytest.mark.parametrize("src,msg", [
    ("json.decode(1)", "invalid type for argument 'first' in call to 'user-function:decode': "
                       "expected bytes/string, found int"),
    ("json.decode()", "wrong number of arguments in call to 'user-function:decode'"),
    ("json.encode(1, 2)", "wrong number of arguments in call to 'user-function:encode'"),
    # the reference registers indent under the name "encode"
    ('json.indent("1", "", undefined)', "invalid type for argument 'indent' in call to "
     "'user-function:encode': expected string(compatible), found undefined"),
    ('json.indent(1, "", "")', "invalid type for argument 'first' in call to "
     "'user-function:encode': expected bytes/string, found int"),
    ("json.html_escape([])", "invalid type for argument 'first' in call to "
     "'user-function:html_escape': expected bytes/string, found array"),
])
def test_argument_errors(src, msg):
    with pytest.raises(TengoError) as e:
        run(src)
    assert msg in str(e.value)


def test_check_valid_accepts_python_json():
    for doc in ['{"a": [1, 2, {"b": null}]}', '"x"', "0", "-0.5e+3", " true "]:
        check_valid(doc.encode())
    with pytest.raises(JSONSyntaxError):
        check_valid(b"01")
