"""The harness's own codec: tagged corpus values → Python values, and require.Equal."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from tengojit.values import ZERO_TIME, Char, Error, ImmutableArray, ImmutableMap
from tengo_values import (FunctionRef, Unrepresentable, decode, equal, freeze_top,
                          parse_rfc3339nano, zero_value)


def test_decode_scalars():
    assert decode({"int": -3}) == -3 and type(decode({"int": 3})) is int
    assert type(decode({"float": 1.0})) is float
    assert math.isnan(decode({"float": "NaN"}))
    assert decode({"float": "+Inf"}) == math.inf and decode({"float": "-Inf"}) == -math.inf
    assert math.copysign(1, decode({"float": -0.0})) == -1
    assert decode({"string": "é"}) == "é"
    assert decode({"char": "é"}) == Char(0xE9)
    assert decode({"bool": False}) is False
    assert decode({"undefined": None}) is None
    assert decode({"bytes": "AAH/"}) == b"\x00\x01\xff"


def test_decode_containers():
    v = decode({"array": [{"int": 1}, {"immutable_array": []}, {"map": {"a": {"error": {"string": "x"}}}}]})
    assert type(v) is list and type(v[1]) is ImmutableArray and type(v[2]) is dict
    assert type(v[2]["a"]) is Error and v[2]["a"].value == "x"
    assert type(decode({"immutable_map": {"k": {"int": 1}}})) is ImmutableMap


def test_decode_time_truncates_nanoseconds():
    t = decode({"time": "1982-09-28T19:21:44.000000999Z"})
    assert t == datetime(1982, 9, 28, 19, 21, 44, tzinfo=timezone.utc)
    t = parse_rfc3339nano("2021-03-04T05:06:07.123456789+02:00")
    assert t.microsecond == 123456 and t.utcoffset() == timedelta(hours=2)
    assert parse_rfc3339nano("2021-03-04T05:06:07-07:30").utcoffset() == -timedelta(hours=7, minutes=30)


def test_decode_unsupported_and_function():
    with pytest.raises(Unrepresentable):
        decode({"unsupported": "*tengo_test.StringDict"})
    assert isinstance(decode({"function": "compiled-function"}), FunctionRef)


def test_zero_values():
    assert zero_value({"int": 5}) == 0 and type(zero_value({"int": 5})) is int
    assert type(zero_value({"float": 5.0})) is float
    assert zero_value({"char": "x"}) == Char(0)
    assert zero_value({"bool": True}) is False
    assert type(zero_value({"immutable_array": []})) is ImmutableArray
    assert type(zero_value({"immutable_map": {}})) is ImmutableMap
    assert type(zero_value({"error": {"int": 1}})) is Error
    assert zero_value({"time": "2000-01-01T00:00:00Z"}) == ZERO_TIME
    assert zero_value({"undefined": None}) is None
    assert zero_value({"bytes": ""}) == b""


def test_freeze_top():
    assert freeze_top({"array": []}) == {"immutable_array": []}
    assert freeze_top({"map": {}}) == {"immutable_map": {}}
    assert freeze_top({"int": 1}) == {"int": 1}


@pytest.mark.parametrize("actual, expected, same", [
    (1, 1, True), (True, 1, False), (1, True, False), (1, 1.0, False), (1.0, 1.0, True),
    (math.nan, math.nan, False), (-0.0, 0.0, True), ("a", "a", True), (b"a", "a", False),
    (Char(97), Char(97), True), (Char(97), 97, False), (None, None, True), (None, False, False),
    ([1], [1], True), (ImmutableArray([1]), [1], False), ([1], ImmutableArray([1]), False),
    ({"a": 1}, {"a": 1}, True), (ImmutableMap({"a": 1}), {"a": 1}, False),
    ({"a": 1}, {"a": 1, "b": 2}, False), ([[True]], [[1]], False),
    (Error("x"), Error("x"), True), (Error("x"), Error("y"), False), (Error(1), Error(True), False),
    (datetime(2020, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))),
     datetime(2020, 1, 1, 0, tzinfo=timezone.utc), True),
    (datetime(2020, 1, 1), datetime(2020, 1, 1, tzinfo=timezone.utc), False),
])
def test_equal(actual, expected, same):
    assert equal(actual, expected) is same


def test_equal_loose_containers():
    assert equal(ImmutableArray([1]), [1], loose_containers=True)
    assert equal({"a": [1]}, ImmutableMap({"a": ImmutableArray([1])}), loose_containers=True)
    assert not equal([1], [1.0], loose_containers=True)
