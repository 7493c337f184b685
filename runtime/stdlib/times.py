"""Tengo's ``times`` module (reference: ``stdlib/times.go``), on top of ``gotime``.

Every function and constant of the reference is here; behaviour notes:

- Arguments convert as the reference's adapters do: ``int(compatible)`` = Tengo ``ToInt64``
  (int, float truncated, char, bool, numeric string), ``string(compatible)`` = ``ToString``
  (anything but undefined), ``time(compatible)`` = a time or an int (Unix seconds, local zone).
  Wrong counts/types raise Tengo's runtime errors (``wrong number of arguments in call to
  'user-function:add'``, ``invalid type for argument 'first' in call to 'user-function:add':
  expected time(compatible), found string``). As in the reference, ``before`` names the *first*
  argument's type when the second is wrong.
- ``parse``, ``parse_duration``, ``in_location`` and ``date`` with a bad location: the
  reference's functions assign Go's error to their named ``err`` result, so the script gets a
  **runtime error** with Go's text (``parsing time "x" as "2006": cannot parse "x" as "2006"``,
  ``time: invalid duration "x"``, ``unknown time zone Nowhere``), not an error value.
- Times are nanosecond-exact when made by this module (``date``, ``unix``, ``parse``, ``add``,
  ``add_date``, ``now``…): sub-microsecond parts live in ``gotime.NanoTime``. A plain Python
  ``datetime`` (host symbols, times from the operators ``+``/``-``) has microsecond resolution.
- Time range: years 1..9999 (Python's); beyond it ``time out of range`` (Go has no such limit).
- ``now()`` has no monotonic clock reading (Go prints ``m=+0.0001`` in ``String()``).
"""
from __future__ import annotations

import time as _time
from datetime import datetime, timezone

from .. import gotime, limits
from ..errors import OpError, ERR_STRING_LIMIT, wrong_num_args, invalid_arg_type
from ..args import ORDINALS, callee, check_count, int_arg, string_arg
from ..values import UserFunction, type_name, INT64_MAX, INT64_MIN

def _to_time(v):
    if isinstance(v, datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=timezone.utc)
    if type(v) is int:
        return _guard(gotime.from_unix_nano, v * 1_000_000_000, gotime.local_zone())
    return None


def _timearg(name, args, i, found=None):
    t = _to_time(args[i])
    if t is None:
        raise invalid_arg_type(callee(name), ORDINALS[i], "time(compatible)",
                               type_name(args[i if found is None else found]))
    return t


def _guard(f, *a):
    try:
        return f(*a)
    except gotime.GoTimeError as e:
        raise OpError(str(e)) from None
    except (OverflowError, ValueError):
        raise OpError("time out of range") from None


def _now():
    return gotime.from_unix_nano(_time.time_ns(), gotime.local_zone())


# -- functions --------------------------------------------------------------------------------

def times_sleep(*args):
    check_count("sleep", args, 1)
    d = int_arg("sleep", args, 0)
    if d > 0:
        _time.sleep(d / 1e9)
    return None


def times_parse_duration(*args):
    check_count("parse_duration", args, 1)
    return _guard(gotime.parse_duration, string_arg("parse_duration", args, 0))


def _clamp(d):
    return INT64_MAX if d > INT64_MAX else INT64_MIN if d < INT64_MIN else d


def times_since(*args):
    check_count("since", args, 1)
    t = _timearg("since", args, 0)
    return _clamp(_time.time_ns() - gotime.unix_nano_exact(t))


def times_until(*args):
    check_count("until", args, 1)
    t = _timearg("until", args, 0)
    return _clamp(gotime.unix_nano_exact(t) - _time.time_ns())


def _duration_fn(name, conv):
    def f(*args):
        check_count(name, args, 1)
        return conv(int_arg(name, args, 0))
    f.__name__ = "times_" + name
    return f


def times_date(*args):
    if len(args) < 7 or len(args) > 8:
        raise wrong_num_args(callee("date"))
    fields = [int_arg("date", args, i) for i in range(7)]
    if len(args) == 8:
        loc = _guard(gotime.load_location, string_arg("date", args, 7))
    else:
        loc = gotime.local_zone()
    return _guard(gotime.go_date, *fields, loc)


def times_now(*args):
    check_count("now", args, 0)
    return _now()


def times_parse(*args):
    check_count("parse", args, 2)
    layout = string_arg("parse", args, 0)
    value = string_arg("parse", args, 1)
    return _guard(gotime.go_parse, layout, value)


def times_unix(*args):
    check_count("unix", args, 2)
    sec = int_arg("unix", args, 0)
    nsec = int_arg("unix", args, 1)
    return _guard(gotime.from_unix_nano, sec * 1_000_000_000 + nsec, gotime.local_zone())


def times_add(*args):
    check_count("add", args, 2)
    t = _timearg("add", args, 0)
    d = int_arg("add", args, 1)
    return _guard(gotime.add_duration, t, d)


def times_sub(*args):
    check_count("sub", args, 2)
    t = _timearg("sub", args, 0)
    u = _timearg("sub", args, 1)
    return gotime.sub(t, u)


def times_add_date(*args):
    check_count("add_date", args, 4)
    t = _timearg("add_date", args, 0)
    y = int_arg("add_date", args, 1)
    m = int_arg("add_date", args, 2)
    d = int_arg("add_date", args, 3)
    return _guard(gotime.add_date, t, y, m, d)


def times_after(*args):
    check_count("after", args, 2)
    t = _timearg("after", args, 0)
    u = _timearg("after", args, 1)
    return gotime.unix_nano_exact(t) > gotime.unix_nano_exact(u)


def times_before(*args):
    check_count("before", args, 2)
    t = _timearg("before", args, 0)
    u = _timearg("before", args, 1, found=0)  # the reference reports args[0]'s type here
    return gotime.unix_nano_exact(t) < gotime.unix_nano_exact(u)


def _time_fn(name, get):
    def f(*args):
        check_count(name, args, 1)
        return get(_timearg(name, args, 0))
    f.__name__ = "times_" + name
    return f


def times_time_format(*args):
    check_count("time_format", args, 2)
    t = _timearg("time_format", args, 0)
    layout = string_arg("time_format", args, 1)
    s = gotime.go_format(t, layout)
    if len(s) > limits.string_limit() or (
            len(s) * 4 > limits.string_limit()
            and len(s.encode("utf-8", "surrogateescape")) > limits.string_limit()):
        raise OpError(ERR_STRING_LIMIT)
    return s


def times_in_location(*args):
    check_count("in_location", args, 2)
    t = _timearg("in_location", args, 0)
    loc = _guard(gotime.load_location, string_arg("in_location", args, 1))
    return _guard(_in, t, loc)


def _in(t, tz):
    return gotime.with_extra_ns(t.astimezone(tz), gotime.extra_ns(t))


def _is_zero(t):
    return gotime.unix_sec(t) == _ZERO_UNIX and gotime.nanosecond(t) == 0


_ZERO_UNIX = -62135596800

_DURATION_FUNCS = {
    "duration_hours": gotime.duration_hours,
    "duration_minutes": gotime.duration_minutes,
    "duration_nanoseconds": lambda d: d,
    "duration_seconds": gotime.duration_seconds,
    "duration_string": gotime.duration_string,
    "month_string": gotime.month_string,
}

_TIME_FUNCS = {
    "time_year": lambda t: t.year,
    "time_month": lambda t: t.month,
    "time_day": lambda t: t.day,
    "time_weekday": lambda t: (t.weekday() + 1) % 7,
    "time_hour": lambda t: t.hour,
    "time_minute": lambda t: t.minute,
    "time_second": lambda t: t.second,
    "time_nanosecond": gotime.nanosecond,
    "time_unix": gotime.unix_sec,
    "time_unix_nano": gotime.unix_nano,
    "time_location": gotime.location_name,
    "time_string": gotime.go_time_string,
    "is_zero": _is_zero,
    "to_local": lambda t: _guard(_in, t, gotime.local_zone()),
    "to_utc": lambda t: _guard(_in, t, timezone.utc),
}


def _build():
    m = {
        "format_ansic": "Mon Jan _2 15:04:05 2006",
        "format_unix_date": "Mon Jan _2 15:04:05 MST 2006",
        "format_ruby_date": "Mon Jan 02 15:04:05 -0700 2006",
        "format_rfc822": "02 Jan 06 15:04 MST",
        "format_rfc822z": "02 Jan 06 15:04 -0700",
        "format_rfc850": "Monday, 02-Jan-06 15:04:05 MST",
        "format_rfc1123": "Mon, 02 Jan 2006 15:04:05 MST",
        "format_rfc1123z": "Mon, 02 Jan 2006 15:04:05 -0700",
        "format_rfc3339": "2006-01-02T15:04:05Z07:00",
        "format_rfc3339_nano": "2006-01-02T15:04:05.999999999Z07:00",
        "format_kitchen": "3:04PM",
        "format_stamp": "Jan _2 15:04:05",
        "format_stamp_milli": "Jan _2 15:04:05.000",
        "format_stamp_micro": "Jan _2 15:04:05.000000",
        "format_stamp_nano": "Jan _2 15:04:05.000000000",
        "nanosecond": 1,
        "microsecond": 1000,
        "millisecond": 1_000_000,
        "second": 1_000_000_000,
        "minute": 60_000_000_000,
        "hour": 3_600_000_000_000,
    }
    for i, name in enumerate(gotime.LONG_MONTHS):
        m[name.lower()] = i + 1
    funcs = {
        "sleep": times_sleep,
        "parse_duration": times_parse_duration,
        "since": times_since,
        "until": times_until,
    }
    for name, conv in _DURATION_FUNCS.items():
        funcs[name] = _duration_fn(name, conv)
    funcs.update({
        "date": times_date,
        "now": times_now,
        "parse": times_parse,
        "unix": times_unix,
        "add": times_add,
        "add_date": times_add_date,
        "sub": times_sub,
        "after": times_after,
        "before": times_before,
    })
    for name in ("time_year", "time_month", "time_day", "time_weekday", "time_hour",
                 "time_minute", "time_second", "time_nanosecond", "time_unix",
                 "time_unix_nano"):
        funcs[name] = _time_fn(name, _TIME_FUNCS[name])
    funcs["time_format"] = times_time_format
    for name in ("time_location", "time_string", "is_zero", "to_local", "to_utc"):
        funcs[name] = _time_fn(name, _TIME_FUNCS[name])
    funcs["in_location"] = times_in_location
    for name, f in funcs.items():
        m[name] = UserFunction(name, f)
    return m


MODULE = _build()
