"""The conformance corpus's tagged values ↔ tengojit's Python-native values.

Decoding follows the corpus README (`tests/conformance/data/README.md`, *Value encoding*):

| tag | Python value |
|---|---|
| ``{"int": 3}`` | ``int`` |
| ``{"float": 1.5}`` / ``"NaN"`` / ``"+Inf"`` / ``"-Inf"`` | ``float`` |
| ``{"string": "..."}`` | ``str`` |
| ``{"char": "a"}`` | ``Char(ord("a"))`` |
| ``{"bool": true}`` | ``bool`` |
| ``{"undefined": null}`` | ``None`` |
| ``{"bytes": "<base64>"}`` | ``bytes`` |
| ``{"array": [...]}`` / ``{"immutable_array": [...]}`` | ``list`` / ``ImmutableArray`` |
| ``{"map": {...}}`` / ``{"immutable_map": {...}}`` | ``dict`` / ``ImmutableMap`` |
| ``{"error": v}`` | ``Error(v)`` |
| ``{"time": "<RFC3339Nano>"}`` | aware ``datetime`` (``gotime.NanoTime`` when it has nanoseconds below the microsecond) |
| ``{"function": "<TypeName>"}`` | ``FunctionRef(type_name)`` (only expectations: compared by ``type_name``) |
| ``{"unsupported": "<Go type>"}`` | raises ``Unrepresentable`` |

``equal(actual, expected)`` is the test suite's ``require.Equal`` as the README defines it: exact
types (``bool`` is not ``int``, ``list`` is not ``ImmutableArray``, ``dict`` is not ``ImmutableMap``),
floats with ``==`` (NaN never equal, -0.0 == 0.0), errors by value, times by instant.
"""
from __future__ import annotations

import base64
import math
import re
from datetime import datetime, timedelta, timezone

from tengojit.values import (ZERO_TIME, Char, Error, ImmutableArray, ImmutableMap,
                             type_name)


class Unrepresentable(Exception):
    """A tagged value with no Python form (``{"unsupported": ...}``)."""


class FunctionRef:
    """An expected function value: only its Tengo ``type_name`` is known."""
    __slots__ = ("type_name",)

    def __init__(self, name: str):
        self.type_name = name

    def __repr__(self):
        return f"FunctionRef({self.type_name!r})"


_FLOAT_WORDS = {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf, "Inf": math.inf}

_RFC3339 = re.compile(
    r"^(\d{4,})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$")


def parse_rfc3339nano(text: str) -> datetime:
    """Go's RFC3339Nano → aware datetime, nanosecond-exact (tengojit's ``gotime.NanoTime``
    keeps the nanoseconds below the microsecond)."""
    m = _RFC3339.match(text)
    if not m:
        raise ValueError(f"not an RFC3339 time: {text!r}")
    year, mon, day, hh, mm, ss = (int(m.group(i)) for i in range(1, 7))
    digits = (m.group(7) or "")[:9].ljust(9, "0")
    if m.group(8):
        tz = timezone.utc
    else:
        off = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        tz = timezone(-off if m.group(9) == "-" else off)
    from tengojit.gotime import with_extra_ns
    return with_extra_ns(datetime(year, mon, day, hh, mm, ss, int(digits[:6]), tzinfo=tz),
                         int(digits[6:]))


def decode(tagged):
    """One tagged corpus value → the Python-native tengojit value."""
    if not isinstance(tagged, dict) or len(tagged) != 1:
        raise ValueError(f"not a tagged value: {tagged!r}")
    (tag, x), = tagged.items()
    if tag == "int":
        return int(x)
    if tag == "float":
        if isinstance(x, str):
            return _FLOAT_WORDS[x]
        return float(x)
    if tag == "string":
        return str(x)
    if tag == "char":
        if len(x) != 1:
            raise ValueError(f"char of length {len(x)}: {x!r}")
        return Char(ord(x))
    if tag == "bool":
        return bool(x)
    if tag == "undefined":
        return None
    if tag == "bytes":
        return base64.b64decode(x)
    if tag == "array":
        return [decode(e) for e in x]
    if tag == "immutable_array":
        return ImmutableArray(decode(e) for e in x)
    if tag == "map":
        return {k: decode(v) for k, v in x.items()}
    if tag == "immutable_map":
        return ImmutableMap((k, decode(v)) for k, v in x.items())
    if tag == "error":
        return Error(decode(x))
    if tag == "time":
        return parse_rfc3339nano(x)
    if tag == "function":
        return FunctionRef(x)
    if tag == "unsupported":
        raise Unrepresentable(x)
    raise ValueError(f"unknown tag {tag!r}")


def zero_value(tagged):
    """The zero value of a tagged value's type: what `out` is preset to (README step 2)."""
    (tag, _), = tagged.items()
    if tag == "function":
        return None
    return {
        "int": lambda: 0, "float": lambda: 0.0, "string": lambda: "", "char": lambda: Char(0),
        "bool": lambda: False, "undefined": lambda: None, "bytes": lambda: b"",
        "array": list, "immutable_array": ImmutableArray, "map": dict,
        "immutable_map": ImmutableMap, "error": lambda: Error(None),
        "time": lambda: ZERO_TIME,
    }[tag]()


def freeze_top(tagged):
    """Second pass: a top-level array/map comes back from a module as immutable."""
    (tag, x), = tagged.items()
    if tag == "array":
        return {"immutable_array": x}
    if tag == "map":
        return {"immutable_map": x}
    return tagged


def equal(actual, expected, loose_containers: bool = False) -> bool:
    """``require.Equal`` on decoded values (see the module docstring).

    ``loose_containers``: compare arrays/immutable arrays alike and maps/immutable maps alike
    (what ``Variable.Value()`` does for the ``runner: "script"`` cases)."""
    te = type(expected)
    ta = type(actual)
    if te is FunctionRef:
        return callable(actual) and type_name(actual) == expected.type_name
    if te is datetime:
        return isinstance(actual, datetime) and actual.tzinfo is not None and actual == expected
    if te in (list, ImmutableArray):
        if loose_containers:
            if ta not in (list, ImmutableArray):
                return False
        elif ta is not te:
            return False
        return len(actual) == len(expected) and all(
            equal(a, e, loose_containers) for a, e in zip(actual, expected))
    if te in (dict, ImmutableMap):
        if loose_containers:
            if ta not in (dict, ImmutableMap):
                return False
        elif ta is not te:
            return False
        return actual.keys() == expected.keys() and all(
            equal(actual[k], v, loose_containers) for k, v in expected.items())
    if ta is not te:
        return False
    if te is Error:
        return equal(actual.value, expected.value, loose_containers)
    if te is bool or expected is None:
        return actual is expected
    return actual == expected


def show(v) -> str:
    """A readable rendering of a value for failure messages (types made visible)."""
    t = type(v)
    if t is list:
        return "[" + ", ".join(show(e) for e in v) + "]"
    if t is ImmutableArray:
        return "immutable([" + ", ".join(show(e) for e in v) + "])"
    if t is dict:
        return "{" + ", ".join(f"{k!r}: {show(e)}" for k, e in v.items()) + "}"
    if t is ImmutableMap:
        return "immutable({" + ", ".join(f"{k!r}: {show(e)}" for k, e in v.items()) + "})"
    if t is Error:
        return f"error({show(v.value)})"
    if t is Char:
        return f"char({v.code})"
    if t is float:
        return f"float({v!r})"
    if t is int:
        return f"int({v})"
    return repr(v)
