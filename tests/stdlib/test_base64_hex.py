"""base64 and hex modules, through the real interpreter."""
import pytest

import helpers

from tengojit.errors import TengoError
from tengojit.values import Error


def run(src):
    return helpers.out(src, stdlib=("base64", "hex"))


@pytest.mark.parametrize("fn,arg,want", [
    ("encode", 'bytes("foob")', "Zm9vYg=="),
    ("raw_encode", 'bytes("foob")', "Zm9vYg"),
    ("url_encode", 'bytes("\\xfb\\xff")', "-_8="),
    ("raw_url_encode", 'bytes("\\xfb\\xff")', "-_8"),
    ("encode", '"foob"', "Zm9vYg=="),       # bytes(compatible): strings accepted
    ("encode", 'bytes("")', ""),
])
def test_encode(fn, arg, want):
    assert run(f'b := import("base64"); out := b.{fn}({arg})') == want


@pytest.mark.parametrize("fn,arg,want", [
    ("decode", "Zm9vYg==", b"foob"),
    ("decode", "Zm9v\\nYmFy", b"foobar"),
    ("raw_decode", "Zm9vYg", b"foob"),
    ("url_decode", "-_8=", b"\xfb\xff"),
    ("raw_url_decode", "-_8", b"\xfb\xff"),
    ("decode", "", b""),
])
def test_decode(fn, arg, want):
    assert run(f'b := import("base64"); out := b.{fn}("{arg}")') == want


@pytest.mark.parametrize("fn,arg,offset", [
    ("decode", "Zm9vYg", 4),
    ("decode", "Zm9vYg=", 7),
    ("decode", "Zm9vY===", 5),
    ("decode", "Zm9vYg==x", 8),
    ("decode", "Zm9v!", 4),
    ("decode", "-_8=", 0),
    ("raw_decode", "Zm9vYg==", 6),
    ("raw_decode", "Z", 0),
    ("url_decode", "+/8=", 0),
])
def test_decode_errors_are_values(fn, arg, offset):
    out = run(f'b := import("base64"); out := b.{fn}("{arg}")')
    assert type(out) is Error
    assert out.value == f"illegal base64 data at input byte {offset}"


def test_base64_arg_errors():
    with pytest.raises(TengoError) as e:
        run('b := import("base64"); b.encode(1)')
    assert ("invalid type for argument 'first' in call to 'user-function:': "
            "expected bytes(compatible), found int") in str(e.value)
    with pytest.raises(TengoError) as e:
        run('b := import("base64"); b.decode()')
    assert "wrong number of arguments in call to 'user-function:'" in str(e.value)


def test_hex():
    assert run('h := import("hex"); out := h.encode(bytes("\\x00\\xab\\xff"))') == "00abff"
    assert run('h := import("hex"); out := h.decode("00ABff")') == b"\x00\xab\xff"
    assert run('h := import("hex"); out := h.decode("")') == b""


@pytest.mark.parametrize("arg,msg", [
    ("0g", "encoding/hex: invalid byte: U+0067 'g'"),
    ("abc", "encoding/hex: odd length hex string"),
    ("abz", "encoding/hex: invalid byte: U+007A 'z'"),
    ("zz1", "encoding/hex: invalid byte: U+007A 'z'"),
    ("a\\n", "encoding/hex: invalid byte: U+000A"),
    ("é0", "encoding/hex: invalid byte: U+00C3 'Ã'"),
])
def test_hex_errors(arg, msg):
    out = run(f'h := import("hex"); out := h.decode("{arg}")')
    assert type(out) is Error and out.value == msg
