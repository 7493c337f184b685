"""The ``times`` module through the real interpreter, and the corpus's ``times`` host cases.

The 24 host cases of ``stdlib.jsonl`` for ``times`` only need ``time`` values as symbols. They
run here twice:

- with the symbols decoded by ``tests/conformance/tengo_values.py`` (the harness's decoder,
  nanosecond-exact through ``gotime.NanoTime`` where the text has sub-microsecond digits);
- with the symbols built here directly as ``gotime.NanoTime`` values.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

import helpers

from tengojit import Script, TengoError
from tengojit import gotime
from tengojit.stdlib import get_module_map

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "conformance"))
import tengo_values  # noqa: E402
import test_conformance as tc  # noqa: E402  (only helpers are used: nothing is collected)

CORPUS = Path(os.environ.get("TENGOJIT_CONFORMANCE_DIR")
              or HERE.parents[2] / "shared" / "conformance") / "stdlib.jsonl"


def _host_cases():
    if not CORPUS.is_file():
        return []
    out = []
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            if (c.get("host_objects") and set(c.get("stdlib") or []) <= {"times", "json"}
                    and not c.get("host_modules") and not c.get("requires")
                    and c.get("host_types") == ["*tengo.Time"]):
                out.append(c)
    return out


HOST_CASES = _host_cases()
NS_VISIBLE = {"times/TestTimes/29", "times/TestTimes/31", "times/TestTimes/38"}


def _decode_exact(tagged):
    """tengo_values.decode, but a time keeps its nanoseconds (NanoTime)."""
    (tag, x), = tagged.items()
    v = tengo_values.decode(tagged)
    if tag == "time":
        m = re.search(r"\.(\d+)", x)
        frac = (m.group(1) if m else "").ljust(9, "0")
        v = gotime.with_extra_ns(v, int(frac[6:9]))
    return v


def _run_case(case, decode):
    with tc.CaseEnvironment(case):
        s = Script(case["src"], jit=False)
        for k, tagged in case.get("symbols", {}).items():
            s.add(k, decode(tagged))
        s.add("out", tengo_values.zero_value(case["expected"]))
        s.set_imports(get_module_map(*case["stdlib"]))
        c = s.compile()
        c.run()
        actual = c.get("out")
    expected = tengo_values.decode(case["expected"])
    assert tengo_values.equal(actual, expected), (
        f"out = {tengo_values.show(actual)}, expected {tengo_values.show(expected)}")


def _params():
    ps = []
    for c in HOST_CASES:
        ps.append(pytest.param(c, id=c["id"]))
    return ps


@pytest.mark.skipif(not HOST_CASES, reason="conformance corpus not found")
@pytest.mark.parametrize("case", _params())
def test_host_case_plain_datetime_symbols(case):
    _run_case(case, tengo_values.decode)


@pytest.mark.skipif(not HOST_CASES, reason="conformance corpus not found")
@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in HOST_CASES])
def test_host_case_nanosecond_symbols(case):
    _run_case(case, _decode_exact)


def test_host_case_count():
    if HOST_CASES:
        assert len(HOST_CASES) == 24


# -- scripts ---------------------------------------------------------------------------------

@pytest.fixture
def utc():
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def run(src, **symbols):
    return helpers.out(src, stdlib=("times", "json"), symbols={**symbols, "out": symbols.get("out")})


def err(src):
    with pytest.raises(TengoError) as e:
        run(src)
    return str(e.value)


T = 'times := import("times")\n'


def test_constants():
    m = get_module_map("times")["times"]
    assert m["format_rfc3339_nano"] == "2006-01-02T15:04:05.999999999Z07:00"
    assert m["format_kitchen"] == "3:04PM"
    assert m["hour"] == 3_600_000_000_000 and m["nanosecond"] == 1
    assert m["january"] == 1 and m["december"] == 12


def test_date_nanosecond_exact(utc):
    out = run(T + 't := times.date(1982, 9, 28, 19, 21, 44, 999)\n'
              'out = [times.time_nanosecond(t), times.time_unix_nano(t), times.time_string(t),'
              ' times.time_format(t, times.format_rfc3339_nano), times.time_location(t)]')
    assert out == [999, 402088904000000999, "1982-09-28 19:21:44.000000999 +0000 UTC",
                   "1982-09-28T19:21:44.000000999Z", "Local"]


def test_date_normalises_and_locations(utc):
    out = run(T + 'out = [times.time_string(times.date(2021, 13, 32, 25, 61, 61, 1000000000)),'
              ' times.time_string(times.date(2021, 7, 1, 12, 0, 0, 0, "America/New_York")),'
              ' times.time_location(times.date(2021, 7, 1, 12, 0, 0, 0, "Europe/Paris"))]')
    assert out == ["2022-02-02 02:02:02 +0000 UTC",
                   "2021-07-01 12:00:00 -0400 EDT", "Europe/Paris"]
    assert err(T + 'times.date(2021, 1, 1, 0, 0, 0, 0, "Nowhere/City")').startswith(
        "Runtime Error: unknown time zone Nowhere/City")


def test_format_every_element(utc):
    out = run(T + 't := times.date(2009, 2, 3, 16, 5, 7, 120000000, "Asia/Kolkata")\n'
              'out = times.time_format(t, "Mon Monday Jan January 1 01 2 _2 02 __2 002 15 3 03 '
              '4 04 5 05 2006 06 PM pm MST Z07:00 -0700 -07 Z070000 -07:00:00 .000 .999 ,9 .0")')
    assert out == ("Tue Tuesday Feb February 2 02 3  3 03  34 034 16 4 04 5 05 7 07 2009 09 "
                   "PM pm IST +05:30 +0530 +05 +053000 +05:30:00 .120 .12 ,1 .1")


def test_format_constants(utc):
    out = run(T + 't := times.date(2006, 1, 2, 15, 4, 5, 0)\n'
              'out = [times.time_format(t, times.format_ansic), '
              'times.time_format(t, times.format_rfc1123z), times.time_format(t, times.format_kitchen),'
              ' times.time_format(t, times.format_stamp_micro)]')
    assert out == ["Mon Jan  2 15:04:05 2006", "Mon, 02 Jan 2006 15:04:05 +0000", "3:04PM",
                   "Jan  2 15:04:05.000000"]


def test_parse(utc):
    out = run(T + 't := times.parse(times.format_rfc3339, "1982-09-28T19:21:44+07:00")\n'
              'u := times.parse("Jan _2 2006 3:04:05.000PM MST", "Feb  3 2013 7:54:02.123AM PST")\n'
              'out = [times.time_string(t), times.time_location(t), times.time_string(u),'
              ' times.time_unix(times.parse("2006-01-02", "1970-01-02"))]')
    assert out == ["1982-09-28 19:21:44 +0700 +0700", "",
                   "2013-02-03 07:54:02.123 +0000 PST", 86400]


@pytest.mark.parametrize("layout,value,msg", [
    ("2006-01-02", "x2021", 'parsing time "x2021" as "2006-01-02": cannot parse "x2021" as "2006"'),
    ("2006-01-02", "2021-13-01", 'parsing time "2021-13-01": month out of range'),
    ("2006-01-02", "2021-02-30", 'parsing time "2021-02-30": day out of range'),
    ("2006", "2021 x", 'parsing time "2021 x": extra text: " x"'),
    ("15:04", "25:00", 'parsing time "25:00": hour out of range'),
])
def test_parse_errors_are_runtime_errors(utc, layout, value, msg):
    assert err(T + f'times.parse("{layout}", "{value}")') .startswith("Runtime Error: " + msg)


def test_durations():
    out = run(T + 'out = [times.duration_string(0), times.duration_string(1500),'
              ' times.duration_string(-3723500000000), times.duration_string(999999),'
              ' times.duration_string(9223372036854775807), times.parse_duration("1h2m3.5s"),'
              ' times.parse_duration("-1.5µs"), times.parse_duration("+0"),'
              ' times.duration_hours(-5400000000000), times.duration_seconds(1500000001),'
              ' times.duration_minutes(90000000000), times.duration_nanoseconds(7),'
              ' times.month_string(13), times.month_string(5)]')
    assert out == ["0s", "1.5µs", "-1h2m3.5s", "999.999µs", "2562047h47m16.854775807s",
                   3723500000000, -1500, 0, -1.5, 1.500000001, 1.5, 7, "%!Month(13)", "May"]


@pytest.mark.parametrize("s,msg", [
    ("1x", 'time: unknown unit "x" in duration "1x"'),
    (".s", 'time: invalid duration ".s"'),
    ("10", 'time: missing unit in duration "10"'),
    ("", 'time: invalid duration ""'),
    ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
])
def test_parse_duration_errors(s, msg):
    assert err(T + f'times.parse_duration("{s}")').startswith("Runtime Error: " + msg)


def test_arithmetic_and_predicates(utc):
    out = run(T + 't := times.parse("2006-01-02 15:04:05.999999999", "2021-03-04 05:06:07.123456789")\n'
              'u := times.add(t, 1)\n'
              'out = [times.time_string(u), times.sub(u, t), times.after(u, t), times.before(u, t),'
              ' times.time_string(times.add_date(t, -1, 11, 30)), times.is_zero(t),'
              ' times.time_string(times.unix(1, -1)), times.time_string(times.in_location(t, "Asia/Tokyo")),'
              ' times.time_location(times.to_utc(times.in_location(t, "Asia/Tokyo"))),'
              ' times.time_weekday(t), times.time_year(0)]')
    assert out == ["2021-03-04 05:06:07.12345679 +0000 UTC", 1, True, False,
                   "2021-03-06 05:06:07.123456789 +0000 UTC", False,
                   "1970-01-01 00:00:00.999999999 +0000 UTC",
                   "2021-03-04 14:06:07.123456789 +0900 JST", "UTC", 4, 1970]


def test_now_since_until_sleep():
    out = run(T + 'n := times.now()\ntimes.sleep(1000)\n'
              'out = [times.since(n) > 0, times.until(n) < 0, times.sleep(-5)]')
    assert out == [True, True, None]


@pytest.mark.parametrize("src,msg", [
    ('times.add("x", 1)', "invalid type for argument 'first' in call to 'user-function:add': "
                          "expected time(compatible), found string"),
    ('times.before(times.now(), "x")', "invalid type for argument 'second' in call to "
     "'user-function:before': expected time(compatible), found time"),
    ('times.date(1, 2, 3)', "wrong number of arguments in call to 'user-function:date'"),
    ('times.month_string([])', "invalid type for argument 'first' in call to "
     "'user-function:month_string': expected int(compatible), found array"),
    ('times.in_location(times.now(), "Mars/Base")', "unknown time zone Mars/Base"),
])
def test_argument_errors(src, msg):
    assert msg in err(T + src)


def test_compatible_arguments(utc):
    # ints are times (Unix seconds), numeric strings are ints, anything is a string
    out = run(T + 'out = [times.time_year(86400 * 366), times.duration_string("1500"),'
              ' times.time_format(0, 1)]')
    assert out == [1971, "1.5µs", "1"]


def test_time_values_from_host(utc):
    from datetime import datetime, timezone
    t = datetime(2020, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
    out = run(T + 'out = [times.time_string(x), times.time_nanosecond(x), times.time_unix_nano(x)]',
              x=t)
    assert out == ["2020-05-06 07:08:09.123456 +0000 UTC", 123456000, 1588748889123456000]
