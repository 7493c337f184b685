"""Go's ``time`` package semantics over Python datetimes (used by the ``times`` module, reusable).

Public:

- ``NanoTime``: a ``datetime`` subclass carrying the nanoseconds below the microsecond
  (``.ns_extra``, 0..999). Only built when that remainder is non-zero; anything else is a plain
  aware ``datetime``. Python arithmetic on it (``t + timedelta``) drops the extra nanoseconds;
  the helpers here keep them.
- ``nanosecond(t)``: Go ``t.Nanosecond()``; ``unix_nano(t)`` Go ``t.UnixNano()`` (exact, wrapped
  to int64); ``unix_sec(t)``: Go ``t.Unix()``.
- ``from_unix_nano(ns, tz)``: the time ``ns`` nanoseconds after the epoch, in ``tz``.
- ``go_date(year, month, day, hour, min, sec, nsec, tz)``: Go ``time.Date`` (normalises
  out-of-range fields, resolves the wall clock in ``tz`` like Go).
- ``add_date(t, years, months, days)``: Go ``t.AddDate``.
- ``local_zone()``: the process's local zone as Go's ``Local`` (a ``ZoneInfo`` whose key is
  ``"Local"``, following ``TZ``: unset → ``/etc/localtime``, empty → UTC, a name → that zone).
- ``load_location(name)``: Go ``time.LoadLocation`` (``""``/``"UTC"`` → UTC, ``"Local"``);
  raises ``GoTimeError("unknown time zone X")``.
- ``location_name(t)``: Go ``t.Location().String()``.
- ``go_format(t, layout)``: Go ``t.Format(layout)`` (every layout element Go knows).
- ``go_parse(layout, value)``: Go ``time.Parse``; raises ``GoTimeError`` with Go's message.
- ``go_time_string(t)``: Go ``t.String()`` (nanosecond-exact, no monotonic suffix).
- ``duration_string(d)``: Go ``Duration.String()``; ``parse_duration(s)``: Go
  ``time.ParseDuration`` (raises ``GoTimeError``).
- ``month_string(m)``: Go ``Month.String()``.

Limits: Python datetimes span years 1..9999 (Go's span is much wider): results outside raise
``GoTimeError("time out of range")``. Fixed offsets must be under 24h (Python's timezone).
"""
from __future__ import annotations

import os
import re
import time as _time
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, TZPATH

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
_NS_PER_SEC = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_UNNAMED_TZ = re.compile(r"UTC([+-]\d\d:\d\d(:\d\d(\.\d+)?)?)?$")

LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
SHORT_MONTHS = tuple(m[:3] for m in LONG_MONTHS)
LONG_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
SHORT_DAYS = tuple(d[:3] for d in LONG_DAYS)


class GoTimeError(Exception):
    """An error of Go's time package; ``str()`` is Go's ``err.Error()``."""


class NanoTime(datetime):
    """An aware datetime with nanoseconds below the microsecond in ``ns_extra`` (1..999)."""
    __slots__ = ("ns_extra",)

    def __new__(cls, *args, ns_extra=0, **kw):
        self = super().__new__(cls, *args, **kw)
        self.ns_extra = ns_extra
        return self

    def __reduce__(self):
        return (_rebuild, (datetime(self.year, self.month, self.day, self.hour, self.minute,
                                    self.second, self.microsecond, self.tzinfo,
                                    fold=self.fold), self.ns_extra))

    def __repr__(self):
        return f"NanoTime({datetime.__repr__(self)}, ns_extra={self.ns_extra})"


def _rebuild(dt, ns):
    return with_extra_ns(dt, ns)


def with_extra_ns(dt: datetime, ns_extra: int) -> datetime:
    """``dt`` with ``ns_extra`` (0..999) nanoseconds added below its microsecond."""
    if not ns_extra:
        return dt if type(dt) is datetime else datetime(
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond,
            dt.tzinfo, fold=dt.fold)
    return _nano_time(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond,
                      dt.tzinfo, dt.fold, ns_extra)


def _nano_time(year, month, day, hour, minute, second, microsecond, tz, fold, ns_extra):
    """A ``NanoTime`` from its fields (datetime's own constructor: no Python-level
    ``__new__``, which costs more than the rest of ``times.now()``)."""
    t = _new_datetime(NanoTime, year, month, day, hour, minute, second, microsecond, tz,
                      fold=fold)
    t.ns_extra = ns_extra
    return t


_new_datetime = datetime.__new__


def extra_ns(t) -> int:
    return t.ns_extra if type(t) is NanoTime else 0


def nanosecond(t) -> int:
    """Go ``t.Nanosecond()``."""
    return t.microsecond * 1000 + extra_ns(t)


def _wrap64(x: int) -> int:
    x &= (1 << 64) - 1
    return x - (1 << 64) if x >> 63 else x


def unix_sec(t) -> int:
    """Go ``t.Unix()``."""
    d = t - _EPOCH
    return d.days * 86400 + d.seconds


def unix_nano_exact(t) -> int:
    d = t - _EPOCH
    return ((d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds) * 1000 + extra_ns(t)


def unix_nano(t) -> int:
    """Go ``t.UnixNano()`` (int64 arithmetic, wraps outside 1678..2262 as Go's does)."""
    return _wrap64(unix_nano_exact(t))


def from_unix_nano(ns: int, tz) -> datetime:
    """The instant ``ns`` nanoseconds after the Unix epoch, shown in ``tz``."""
    sec, rem = divmod(ns, _NS_PER_SEC)
    us, extra = divmod(rem, 1000)
    try:
        dt = datetime.fromtimestamp(sec, tz)
    except (OverflowError, ValueError, OSError):
        raise GoTimeError("time out of range") from None
    if extra:
        return _nano_time(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, us,
                          dt.tzinfo, dt.fold, extra)
    # (a zone's offsets are whole seconds: the microseconds never change the wall clock's
    # offset)
    return dt.replace(microsecond=us) if us else dt


# ---------------------------------------------------------------------------------------------
# Locations

_local_cache = {}


def _find_zone_file(name: str):
    if not name or name.startswith("/") or ".." in name:
        return None
    for d in TZPATH:
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return p
    return None


def local_zone() -> tzinfo:
    """Go's ``time.Local`` for the current ``TZ`` (cached per ``TZ`` value)."""
    tz = os.environ.get("TZ")
    z = _local_cache.get(tz)
    if z is not None:
        return z
    path = None
    if tz is None:
        path = "/etc/localtime" if os.path.isfile("/etc/localtime") else None
    elif tz != "":
        path = tz if tz.startswith("/") and os.path.isfile(tz) else _find_zone_file(
            tz[1:] if tz.startswith(":") else tz)
    z = None
    if path is not None:
        try:
            with open(path, "rb") as f:
                z = ZoneInfo.from_file(f, key="Local")
        except (OSError, ValueError):
            z = None
    if z is None:
        if tz is None and path is None:
            # no zone database: a fixed zone with the C library's offset
            z = timezone(timedelta(seconds=-_time.timezone), _time.tzname[0])
        else:
            z = _utc_local()
    _local_cache[tz] = z
    return z


def _utc_local():
    p = _find_zone_file("UTC")
    if p:
        with open(p, "rb") as f:
            return ZoneInfo.from_file(f, key="Local")
    return timezone(timedelta(0), "UTC")


def load_location(name: str) -> tzinfo:
    """Go ``time.LoadLocation``."""
    if name == "" or name == "UTC":
        return timezone.utc
    if name == "Local":
        return local_zone()
    if ".." in name or name.startswith("/") or "\\" in name:
        raise GoTimeError("time: invalid location name")
    try:
        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - any failure is Go's "unknown time zone"
        raise GoTimeError("unknown time zone " + name) from None


def location_name(t) -> str:
    """Go ``t.Location().String()``."""
    tz = t.tzinfo
    if tz is None or tz is timezone.utc:
        return "UTC"
    key = getattr(tz, "key", None)
    if key is not None:
        return key
    if isinstance(tz, timezone):
        name = tz.tzname(None)
        if tz.utcoffset(None) == timedelta(0) and name == "UTC":
            return "UTC"
        return "" if _UNNAMED_TZ.match(name) else name
    return str(tz)


def _offset_at(tz, unix: int) -> int:
    """The UTC offset (seconds) of ``tz`` at the instant ``unix``."""
    if isinstance(tz, timezone):
        return int(tz.utcoffset(None).total_seconds())
    try:
        dt = datetime.fromtimestamp(unix, timezone.utc).astimezone(tz)
    except (OverflowError, ValueError, OSError):
        return 0
    return int(dt.utcoffset().total_seconds())


def zone_abbrev(t) -> str:
    """The zone abbreviation Go prints for ``MST`` (``""`` when the zone has none)."""
    tz = t.tzinfo
    if tz is None:
        return "UTC"
    name = t.tzname() or ""
    if isinstance(tz, timezone) and _UNNAMED_TZ.match(name) and name != "UTC":
        return ""
    return name


# ---------------------------------------------------------------------------------------------
# Date construction

_DAYS_BEFORE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365)


def _is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _days_in(month: int, year: int) -> int:
    if month == 2 and _is_leap(year):
        return 29
    return _DAYS_BEFORE[month] - _DAYS_BEFORE[month - 1]


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of the proleptic Gregorian date (any integers, d may overflow)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _norm(hi: int, lo: int, base: int):
    q, r = divmod(lo, base)
    return hi + q, r


def go_date(year, month, day, hour, minute, sec, nsec, tz) -> datetime:
    """Go ``time.Date``: fields may be out of range and are normalised; ``tz`` resolves the wall
    clock the way Go does (offset looked up at the wall time taken as UTC, then corrected)."""
    m = month - 1
    year, m = _norm(year, m, 12)
    sec, nsec = _norm(sec, nsec, _NS_PER_SEC)
    minute, sec = _norm(minute, sec, 60)
    hour, minute = _norm(hour, minute, 60)
    day_add, hour = _norm(0, hour, 24)
    days = _days_from_civil(year, m + 1, 1) + (day - 1) + day_add
    unix = days * 86400 + hour * 3600 + minute * 60 + sec
    if not isinstance(tz, timezone) or tz.utcoffset(None):
        off = _offset_at(tz, unix)
        if off:
            utc = unix - off
            off2 = _offset_at(tz, utc)
            if off2 != off:
                off = off2
            unix -= off
    return from_unix_nano(unix * _NS_PER_SEC + nsec, tz)


def add_date(t, years: int, months: int, days: int) -> datetime:
    """Go ``t.AddDate(years, months, days)``."""
    return go_date(t.year + years, t.month + months, t.day + days, t.hour, t.minute, t.second,
                   nanosecond(t), t.tzinfo)


def add_duration(t, d: int) -> datetime:
    """Go ``t.Add(d)`` (nanosecond-exact)."""
    return from_unix_nano(unix_nano_exact(t) + d, t.tzinfo)


def sub(t, u) -> int:
    """Go ``t.Sub(u)``: clamped to the int64 range."""
    d = unix_nano_exact(t) - unix_nano_exact(u)
    return INT64_MAX if d > INT64_MAX else INT64_MIN if d < INT64_MIN else d


# ---------------------------------------------------------------------------------------------
# Layouts: Go's nextStdChunk

(STD_LONG_MONTH, STD_MONTH, STD_NUM_MONTH, STD_ZERO_MONTH, STD_LONG_WEEKDAY, STD_WEEKDAY,
 STD_DAY, STD_UNDER_DAY, STD_ZERO_DAY, STD_UNDER_YEARDAY, STD_ZERO_YEARDAY, STD_HOUR,
 STD_HOUR12, STD_ZERO_HOUR12, STD_MINUTE, STD_ZERO_MINUTE, STD_SECOND, STD_ZERO_SECOND,
 STD_LONG_YEAR, STD_YEAR, STD_PM, STD_pm, STD_TZ, STD_ISO_TZ, STD_ISO_SECONDS_TZ,
 STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ, STD_ISO_COLON_SECONDS_TZ, STD_NUM_TZ, STD_NUM_SECONDS_TZ,
 STD_NUM_SHORT_TZ, STD_NUM_COLON_TZ, STD_NUM_COLON_SECONDS_TZ, STD_FRAC0,
 STD_FRAC9) = range(1, 36)

_STD0X = (STD_ZERO_MONTH, STD_ZERO_DAY, STD_ZERO_HOUR12, STD_ZERO_MINUTE, STD_ZERO_SECOND,
          STD_YEAR)
_NUM_TZ = (("-070000", STD_NUM_SECONDS_TZ), ("-07:00:00", STD_NUM_COLON_SECONDS_TZ),
           ("-0700", STD_NUM_TZ), ("-07:00", STD_NUM_COLON_TZ), ("-07", STD_NUM_SHORT_TZ))
_ISO_TZ = (("Z070000", STD_ISO_SECONDS_TZ), ("Z07:00:00", STD_ISO_COLON_SECONDS_TZ),
           ("Z0700", STD_ISO_TZ), ("Z07:00", STD_ISO_COLON_TZ), ("Z07", STD_ISO_SHORT_TZ))


def _starts_lower(s: str, i: int) -> bool:
    return i < len(s) and "a" <= s[i] <= "z"


def next_std_chunk(layout: str):
    """Go ``nextStdChunk``: ``(prefix, std, arg, suffix)``; ``std`` 0 when none. For the
    fractional-second elements ``arg`` is ``(separator, digit count)``."""
    n = len(layout)
    for i in range(n):
        c = layout[i]
        if c == "J":
            if layout.startswith("Jan", i):
                if layout.startswith("January", i):
                    return layout[:i], STD_LONG_MONTH, None, layout[i + 7:]
                if not _starts_lower(layout, i + 3):
                    return layout[:i], STD_MONTH, None, layout[i + 3:]
        elif c == "M":
            if layout.startswith("Mon", i):
                if layout.startswith("Monday", i):
                    return layout[:i], STD_LONG_WEEKDAY, None, layout[i + 6:]
                if not _starts_lower(layout, i + 3):
                    return layout[:i], STD_WEEKDAY, None, layout[i + 3:]
            if layout.startswith("MST", i):
                return layout[:i], STD_TZ, None, layout[i + 3:]
        elif c == "0":
            if i + 1 < n and "1" <= layout[i + 1] <= "6":
                return layout[:i], _STD0X[ord(layout[i + 1]) - ord("1")], None, layout[i + 2:]
            if i + 2 < n and layout[i + 1] == "0" and layout[i + 2] == "2":
                return layout[:i], STD_ZERO_YEARDAY, None, layout[i + 3:]
        elif c == "1":
            if i + 1 < n and layout[i + 1] == "5":
                return layout[:i], STD_HOUR, None, layout[i + 2:]
            return layout[:i], STD_NUM_MONTH, None, layout[i + 1:]
        elif c == "2":
            if layout.startswith("2006", i):
                return layout[:i], STD_LONG_YEAR, None, layout[i + 4:]
            return layout[:i], STD_DAY, None, layout[i + 1:]
        elif c == "_":
            if i + 1 < n and layout[i + 1] == "2":
                if layout.startswith("2006", i + 1):
                    return layout[:i + 1], STD_LONG_YEAR, None, layout[i + 5:]
                return layout[:i], STD_UNDER_DAY, None, layout[i + 2:]
            if i + 2 < n and layout[i + 1] == "_" and layout[i + 2] == "2":
                return layout[:i], STD_UNDER_YEARDAY, None, layout[i + 3:]
        elif c == "3":
            return layout[:i], STD_HOUR12, None, layout[i + 1:]
        elif c == "4":
            return layout[:i], STD_MINUTE, None, layout[i + 1:]
        elif c == "5":
            return layout[:i], STD_SECOND, None, layout[i + 1:]
        elif c == "P":
            if layout.startswith("PM", i):
                return layout[:i], STD_PM, None, layout[i + 2:]
        elif c == "p":
            if layout.startswith("pm", i):
                return layout[:i], STD_pm, None, layout[i + 2:]
        elif c == "-":
            for text, std in _NUM_TZ:
                if layout.startswith(text, i):
                    return layout[:i], std, None, layout[i + len(text):]
        elif c == "Z":
            for text, std in _ISO_TZ:
                if layout.startswith(text, i):
                    return layout[:i], std, None, layout[i + len(text):]
        elif c == "." or c == ",":
            if i + 1 < n and layout[i + 1] in "09":
                ch = layout[i + 1]
                j = i + 1
                while j < n and layout[j] == ch:
                    j += 1
                if not (j < n and "0" <= layout[j] <= "9"):
                    std = STD_FRAC0 if ch == "0" else STD_FRAC9
                    return layout[:i], std, (c, j - (i + 1)), layout[j:]
    return layout, 0, None, ""


# ---------------------------------------------------------------------------------------------
# Format

def _pad(x: int, width: int) -> str:
    if x < 0:
        return "-" + str(-x).rjust(width, "0")
    return str(x).rjust(width, "0")


def _format_frac(nsec: int, sep: str, ndigits: int, trim: bool) -> str:
    digits = "%09d" % nsec
    n = min(ndigits, 9)
    digits = digits[:n]
    if trim:
        digits = digits.rstrip("0")
        if not digits:
            return ""
    return sep + digits


def go_format(t, layout: str) -> str:
    """Go ``t.Format(layout)``."""
    out = []
    off = int(t.utcoffset().total_seconds()) if t.tzinfo is not None else 0
    year = t.year
    while layout:
        prefix, std, arg, suffix = next_std_chunk(layout)
        if prefix:
            out.append(prefix)
        if std == 0:
            break
        layout = suffix
        if std == STD_YEAR:
            out.append(_pad(year % 100, 2))
        elif std == STD_LONG_YEAR:
            out.append(_pad(year, 4))
        elif std == STD_MONTH:
            out.append(SHORT_MONTHS[t.month - 1])
        elif std == STD_LONG_MONTH:
            out.append(LONG_MONTHS[t.month - 1])
        elif std == STD_NUM_MONTH:
            out.append(str(t.month))
        elif std == STD_ZERO_MONTH:
            out.append(_pad(t.month, 2))
        elif std == STD_WEEKDAY:
            out.append(SHORT_DAYS[(t.weekday() + 1) % 7])
        elif std == STD_LONG_WEEKDAY:
            out.append(LONG_DAYS[(t.weekday() + 1) % 7])
        elif std == STD_DAY:
            out.append(str(t.day))
        elif std == STD_UNDER_DAY:
            out.append(("%2d" % t.day))
        elif std == STD_ZERO_DAY:
            out.append(_pad(t.day, 2))
        elif std == STD_UNDER_YEARDAY:
            out.append("%3d" % t.timetuple().tm_yday)
        elif std == STD_ZERO_YEARDAY:
            out.append(_pad(t.timetuple().tm_yday, 3))
        elif std == STD_HOUR:
            out.append(_pad(t.hour, 2))
        elif std == STD_HOUR12 or std == STD_ZERO_HOUR12:
            hr = t.hour % 12 or 12
            out.append(str(hr) if std == STD_HOUR12 else _pad(hr, 2))
        elif std == STD_MINUTE:
            out.append(str(t.minute))
        elif std == STD_ZERO_MINUTE:
            out.append(_pad(t.minute, 2))
        elif std == STD_SECOND:
            out.append(str(t.second))
        elif std == STD_ZERO_SECOND:
            out.append(_pad(t.second, 2))
        elif std == STD_PM:
            out.append("PM" if t.hour >= 12 else "AM")
        elif std == STD_pm:
            out.append("pm" if t.hour >= 12 else "am")
        elif std in (STD_ISO_TZ, STD_ISO_COLON_TZ, STD_ISO_SECONDS_TZ, STD_ISO_SHORT_TZ,
                     STD_ISO_COLON_SECONDS_TZ, STD_NUM_TZ, STD_NUM_COLON_TZ,
                     STD_NUM_SECONDS_TZ, STD_NUM_SHORT_TZ, STD_NUM_COLON_SECONDS_TZ):
            if off == 0 and std in (STD_ISO_TZ, STD_ISO_COLON_TZ, STD_ISO_SECONDS_TZ,
                                    STD_ISO_SHORT_TZ, STD_ISO_COLON_SECONDS_TZ):
                out.append("Z")
                continue
            zone = int(off / 60)  # Go: truncating division
            absoff = off
            if zone < 0:
                out.append("-")
                zone = -zone
                absoff = -absoff
            else:
                out.append("+")
            out.append(_pad(zone // 60, 2))
            colon = std in (STD_ISO_COLON_TZ, STD_NUM_COLON_TZ, STD_ISO_COLON_SECONDS_TZ,
                            STD_NUM_COLON_SECONDS_TZ)
            if colon:
                out.append(":")
            if std not in (STD_NUM_SHORT_TZ, STD_ISO_SHORT_TZ):
                out.append(_pad(zone % 60, 2))
            if std in (STD_ISO_SECONDS_TZ, STD_NUM_SECONDS_TZ, STD_NUM_COLON_SECONDS_TZ,
                       STD_ISO_COLON_SECONDS_TZ):
                if colon:
                    out.append(":")
                out.append(_pad(absoff % 60, 2))
        elif std == STD_TZ:
            name = zone_abbrev(t)
            if name:
                out.append(name)
            else:
                zone = int(off / 60)
                if zone < 0:
                    out.append("-")
                    zone = -zone
                else:
                    out.append("+")
                out.append(_pad(zone // 60, 2))
                out.append(_pad(zone % 60, 2))
        elif std == STD_FRAC0 or std == STD_FRAC9:
            sep, nd = arg
            out.append(_format_frac(nanosecond(t), sep, nd, std == STD_FRAC9))
    return "".join(out)


def go_time_string(t) -> str:
    """Go ``t.String()`` without the monotonic-clock suffix."""
    return go_format(t, "2006-01-02 15:04:05.999999999 -0700 MST")


# ---------------------------------------------------------------------------------------------
# Parse

def go_quote(s: str) -> str:
    """Go's ``time.quote``: non-ASCII and control bytes as ``\\xNN``."""
    b = s.encode("utf-8", "surrogateescape") if not s.isascii() else s.encode()
    out = ['"']
    for c in b:
        if c >= 0x80 or c < 0x20:
            out.append("\\x%02x" % c)
        else:
            ch = chr(c)
            if ch == '"' or ch == "\\":
                out.append("\\")
            out.append(ch)
    out.append('"')
    return "".join(out)


class _Bad(Exception):
    pass


def _isdigit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _getnum(s: str, fixed: bool):
    if not _isdigit(s, 0):
        raise _Bad
    if not _isdigit(s, 1):
        if fixed:
            raise _Bad
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def _getnum3(s: str, fixed: bool):
    i = 0
    while i < 3 and _isdigit(s, i):
        i += 1
    if i == 0 or (fixed and i != 3):
        raise _Bad
    return int(s[:i]), s[i:]


def _cutspace(s: str) -> str:
    return s.lstrip(" ")


def _skip(value: str, prefix: str) -> str:
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                raise _Bad
            prefix = _cutspace(prefix)
            value = _cutspace(value)
            continue
        if not value or value[0] != prefix[0]:
            raise _Bad
        prefix = prefix[1:]
        value = value[1:]
    return value


def _lookup(tab, val: str):
    for i, v in enumerate(tab):
        if len(val) >= len(v) and val[:len(v)].lower() == v.lower() and val[:len(v)].isascii():
            return i, val[len(v):]
    raise _Bad


def _atoi(s: str) -> int:
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if not s or not all("0" <= c <= "9" for c in s):
        raise _Bad
    x = int(s)
    if x >= 1 << 63:
        raise _Bad
    return -x if neg else x


def _parse_nanoseconds(value: str, nbytes: int):
    if value[0] not in ".,":
        raise _Bad
    if nbytes > 10:
        value = value[:10]
        nbytes = 10
    ns = _atoi(value[1:nbytes])
    if ns < 0:
        return 0, "fractional second"
    return ns * 10 ** (10 - nbytes), ""


def _leading_int_len(s: str) -> int:
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    return i


def _parse_signed_offset(value: str) -> int:
    if not value or value[0] not in "+-":
        return 0
    n = _leading_int_len(value[1:])
    if n == 0:
        return 0
    x = int(value[1:1 + n])
    if value[0] == "-":
        x = -x
    if x < -23 or x > 12:
        return 0
    return 1 + n


def _parse_time_zone(value: str):
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value[:3] == "GMT":
        rest = value[3:]
        if not rest:
            return 3
        return 3 + _parse_signed_offset(rest)
    if value[0] in "+-":
        return _parse_signed_offset(value)
    n_upper = 0
    while n_upper < 6 and n_upper < len(value) and "A" <= value[n_upper] <= "Z":
        n_upper += 1
    if n_upper == 5 and value[4] == "T":
        return 5
    if n_upper == 4 and (value[3] == "T" or value[:4] == "WITA"):
        return 4
    if n_upper == 3:
        return 3
    return 0


def go_parse(layout: str, value: str) -> datetime:
    """Go ``time.Parse(layout, value)``; raises ``GoTimeError`` with Go's message."""
    alayout, avalue = layout, value
    am_set = pm_set = False
    year, month, day, yday = 0, -1, -1, -1
    hour = minute = sec = nsec = 0
    z = None
    zone_offset = -1
    zone_name = ""

    def perr(layout_elem, value_elem, message=""):
        if message:
            return GoTimeError("parsing time " + go_quote(avalue) + message)
        return GoTimeError("parsing time " + go_quote(avalue) + " as " + go_quote(alayout)
                           + ": cannot parse " + go_quote(value_elem) + " as "
                           + go_quote(layout_elem))

    while True:
        prefix, std, arg, suffix = next_std_chunk(layout)
        stdstr = layout[len(prefix):len(layout) - len(suffix)]
        try:
            value = _skip(value, prefix)
        except _Bad:
            raise perr(prefix, value) from None
        if std == 0:
            if value:
                raise perr("", value, ": extra text: " + go_quote(value))
            break
        layout = suffix
        hold = value
        range_err = ""
        try:
            if std == STD_YEAR:
                if len(value) < 2:
                    raise _Bad
                p, value = value[:2], value[2:]
                year = _atoi(p)
                year += 1900 if year >= 69 else 2000
            elif std == STD_LONG_YEAR:
                if len(value) < 4 or not _isdigit(value, 0):
                    raise _Bad
                p, value = value[:4], value[4:]
                year = _atoi(p)
            elif std == STD_MONTH:
                month, value = _lookup(SHORT_MONTHS, value)
                month += 1
            elif std == STD_LONG_MONTH:
                month, value = _lookup(LONG_MONTHS, value)
                month += 1
            elif std in (STD_NUM_MONTH, STD_ZERO_MONTH):
                month, value = _getnum(value, std == STD_ZERO_MONTH)
                if month <= 0 or month > 12:
                    range_err = "month"
            elif std == STD_WEEKDAY:
                _, value = _lookup(SHORT_DAYS, value)
            elif std == STD_LONG_WEEKDAY:
                _, value = _lookup(LONG_DAYS, value)
            elif std in (STD_DAY, STD_UNDER_DAY, STD_ZERO_DAY):
                if std == STD_UNDER_DAY and value[:1] == " ":
                    value = value[1:]
                day, value = _getnum(value, std == STD_ZERO_DAY)
            elif std in (STD_UNDER_YEARDAY, STD_ZERO_YEARDAY):
                for _ in range(2):
                    if std == STD_UNDER_YEARDAY and value[:1] == " ":
                        value = value[1:]
                yday, value = _getnum3(value, std == STD_ZERO_YEARDAY)
            elif std == STD_HOUR:
                hour, value = _getnum(value, False)
                if hour < 0 or hour >= 24:
                    range_err = "hour"
            elif std in (STD_HOUR12, STD_ZERO_HOUR12):
                hour, value = _getnum(value, std == STD_ZERO_HOUR12)
                if hour < 0 or hour > 12:
                    range_err = "hour"
            elif std in (STD_MINUTE, STD_ZERO_MINUTE):
                minute, value = _getnum(value, std == STD_ZERO_MINUTE)
                if minute < 0 or minute >= 60:
                    range_err = "minute"
            elif std in (STD_SECOND, STD_ZERO_SECOND):
                sec, value = _getnum(value, std == STD_ZERO_SECOND)
                if sec < 0 or sec >= 60:
                    range_err = "second"
                elif len(value) >= 2 and value[0] in ".," and _isdigit(value, 1):
                    _, nstd, _, _ = next_std_chunk(layout)
                    if nstd not in (STD_FRAC0, STD_FRAC9):
                        n = 2
                        while n < len(value) and _isdigit(value, n):
                            n += 1
                        nsec, range_err = _parse_nanoseconds(value, n)
                        value = value[n:]
            elif std == STD_PM or std == STD_pm:
                if len(value) < 2:
                    raise _Bad
                p, value = value[:2], value[2:]
                if p == ("PM" if std == STD_PM else "pm"):
                    pm_set = True
                elif p == ("AM" if std == STD_PM else "am"):
                    am_set = True
                else:
                    raise _Bad
            elif std in (STD_ISO_TZ, STD_ISO_COLON_TZ, STD_ISO_SECONDS_TZ, STD_ISO_SHORT_TZ,
                         STD_ISO_COLON_SECONDS_TZ, STD_NUM_TZ, STD_NUM_COLON_TZ,
                         STD_NUM_SECONDS_TZ, STD_NUM_SHORT_TZ, STD_NUM_COLON_SECONDS_TZ):
                if std in (STD_ISO_TZ, STD_ISO_SHORT_TZ, STD_ISO_COLON_TZ, STD_ISO_SECONDS_TZ,
                           STD_ISO_COLON_SECONDS_TZ) and value[:1] == "Z":
                    value = value[1:]
                    z = timezone.utc
                else:
                    if std in (STD_ISO_COLON_TZ, STD_NUM_COLON_TZ):
                        if len(value) < 6 or value[3] != ":":
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], "00", value[6:]
                    elif std in (STD_NUM_SHORT_TZ, STD_ISO_SHORT_TZ):
                        if len(value) < 3:
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], "00", "00", value[3:]
                    elif std in (STD_ISO_COLON_SECONDS_TZ, STD_NUM_COLON_SECONDS_TZ):
                        if len(value) < 9 or value[3] != ":" or value[6] != ":":
                            raise _Bad
                        sign, hh, mm, ss, value = (value[0], value[1:3], value[4:6], value[7:9],
                                                   value[9:])
                    elif std in (STD_ISO_SECONDS_TZ, STD_NUM_SECONDS_TZ):
                        if len(value) < 7:
                            raise _Bad
                        sign, hh, mm, ss, value = (value[0], value[1:3], value[3:5], value[5:7],
                                                   value[7:])
                    else:
                        if len(value) < 5:
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], "00", value[5:]
                    hr, _ = _getnum(hh, True)
                    mi, _ = _getnum(mm, True)
                    se, _ = _getnum(ss, True)
                    if hr > 24:
                        range_err = "time zone offset hour"
                    elif mi > 60:
                        range_err = "time zone offset minute"
                    elif se > 60:
                        range_err = "time zone offset second"
                    zone_offset = (hr * 60 + mi) * 60 + se
                    if sign == "-":
                        zone_offset = -zone_offset
                    elif sign != "+":
                        raise _Bad
            elif std == STD_TZ:
                if value[:3] == "UTC":
                    z = timezone.utc
                    value = value[3:]
                else:
                    n = _parse_time_zone(value)
                    if n == 0:
                        raise _Bad
                    zone_name, value = value[:n], value[n:]
            elif std == STD_FRAC0:
                ndigit = 1 + arg[1]
                if len(value) < ndigit:
                    raise _Bad
                nsec, range_err = _parse_nanoseconds(value, ndigit)
                value = value[ndigit:]
            elif std == STD_FRAC9:
                if len(value) >= 2 and value[0] in ".," and "0" <= value[1] <= "9":
                    i = 0
                    while i + 1 < len(value) and "0" <= value[i + 1] <= "9":
                        i += 1
                    nsec, range_err = _parse_nanoseconds(value, 1 + i)
                    value = value[1 + i:]
        except _Bad:
            raise perr(stdstr, hold) from None
        if range_err:
            raise perr(stdstr, value, ": " + range_err + " out of range")

    if pm_set and hour < 12:
        hour += 12
    elif am_set and hour == 12:
        hour = 0

    if yday >= 0:
        m = d = 0
        if _is_leap(year):
            if yday == 31 + 29:
                m, d = 2, 29
            elif yday > 31 + 29:
                yday -= 1
        if yday < 1 or yday > 365:
            raise perr("", value, ": day-of-year out of range")
        if m == 0:
            m = (yday - 1) // 31 + 1
            if _DAYS_BEFORE[m] < yday:
                m += 1
            d = yday - _DAYS_BEFORE[m - 1]
        if month >= 0 and month != m:
            raise perr("", value, ": day-of-year does not match month")
        month = m
        if day >= 0 and day != d:
            raise perr("", value, ": day-of-year does not match day")
        day = d
    else:
        if month < 0:
            month = 1
        if day < 0:
            day = 1

    if day < 1 or day > _days_in(month, year):
        raise perr("", value, ": day out of range")

    if z is not None:
        return go_date(year, month, day, hour, minute, sec, nsec, z)

    if zone_offset != -1:
        t = go_date(year, month, day, hour, minute, sec, nsec, timezone.utc)
        unix = unix_sec(t) - zone_offset
        local = local_zone()
        probe = from_unix_nano(unix * _NS_PER_SEC, local)
        if _offset_at(local, unix) == zone_offset and (
                zone_name == "" or zone_abbrev(probe) == zone_name):
            return from_unix_nano(unix * _NS_PER_SEC + nsec, local)
        return from_unix_nano(unix * _NS_PER_SEC + nsec, _fixed_zone(zone_name, zone_offset))

    if zone_name != "":
        t = go_date(year, month, day, hour, minute, sec, nsec, timezone.utc)
        unix = unix_sec(t)
        local = local_zone()
        for guess in (unix, unix - 3600, unix + 3600):
            off = _offset_at(local, guess)
            cand = unix - off
            if zone_abbrev(from_unix_nano(cand * _NS_PER_SEC, local)) == zone_name:
                return from_unix_nano(cand * _NS_PER_SEC + nsec, local)
        offset = 0
        if len(zone_name) > 3 and zone_name[:3] == "GMT":
            offset = int(zone_name[3:]) * 3600
        return from_unix_nano((unix - offset) * _NS_PER_SEC + nsec,
                              _fixed_zone(zone_name, offset))

    return go_date(year, month, day, hour, minute, sec, nsec, timezone.utc)


def _fixed_zone(name: str, offset: int):
    try:
        if name:
            return timezone(timedelta(seconds=offset), name)
        return timezone(timedelta(seconds=offset))
    except ValueError:
        raise GoTimeError("time out of range") from None


# ---------------------------------------------------------------------------------------------
# Durations and months

def _frac(v: int, prec: int):
    """Go ``fmtFrac``: (fraction text, integer part)."""
    if prec == 0:
        return "", v
    p = 10 ** prec
    digits = ("%0*d" % (prec, v % p)).rstrip("0")
    return ("." + digits if digits else ""), v // p


def duration_string(d: int) -> str:
    """Go ``Duration.String()``: ``72h3m0.5s``, ``1.5µs``, ``0s``."""
    neg = d < 0
    u = -d if neg else d
    if u < _NS_PER_SEC:
        if u == 0:
            return "0s"
        if u < 1000:
            unit, prec = "ns", 0
        elif u < 1_000_000:
            unit, prec = "µs", 3
        else:
            unit, prec = "ms", 6
        f, ip = _frac(u, prec)
        s = str(ip) + f + unit
    else:
        f, secs = _frac(u, 9)
        s = str(secs % 60) + f + "s"
        mins = secs // 60
        if mins > 0:
            s = str(mins % 60) + "m" + s
            hours = mins // 60
            if hours > 0:
                s = str(hours) + "h" + s
    return "-" + s if neg else s


_UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1_000_000, "s": _NS_PER_SEC,
          "m": 60 * _NS_PER_SEC, "h": 3600 * _NS_PER_SEC}


def parse_duration(s: str) -> int:
    """Go ``time.ParseDuration``; raises ``GoTimeError`` with Go's message."""
    orig = s
    invalid = GoTimeError("time: invalid duration " + go_quote(orig))
    d = 0
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise invalid
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise invalid
        n = _leading_int_len(s)
        v = int(s[:n]) if n else 0
        if v > 1 << 63:
            raise invalid  # Go: leadingInt overflow
        pre = n > 0
        s = s[n:]
        f, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            s = s[1:]
            n = _leading_int_len(s)
            post = n > 0
            overflow = False
            for ch in s[:n]:
                if overflow:
                    continue
                if f > INT64_MAX // 10:
                    overflow = True
                    continue
                y = f * 10 + (ord(ch) - 48)
                if y > 1 << 63:
                    overflow = True
                    continue
                f = y
                scale *= 10
            s = s[n:]
        if not pre and not post:
            raise invalid
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise GoTimeError("time: missing unit in duration " + go_quote(orig))
        u, s = s[:i], s[i:]
        unit = _UNITS.get(u)
        if unit is None:
            raise GoTimeError("time: unknown unit " + go_quote(u) + " in duration "
                              + go_quote(orig))
        if v > (1 << 63) // unit:
            raise invalid
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > 1 << 63:
                raise invalid
        d += v
        if d > 1 << 63:
            raise invalid
    if neg:
        return _wrap64(-d)
    if d > INT64_MAX:
        raise invalid
    return d


def month_string(m: int) -> str:
    """Go ``Month.String()``."""
    if 1 <= m <= 12:
        return LONG_MONTHS[m - 1]
    return "%!Month(" + str(m) + ")"


def duration_hours(d: int) -> float:
    return _duration_units(d, 3600 * _NS_PER_SEC)


def duration_minutes(d: int) -> float:
    return _duration_units(d, 60 * _NS_PER_SEC)


def duration_seconds(d: int) -> float:
    return _duration_units(d, _NS_PER_SEC)


def _duration_units(d: int, unit: int) -> float:
    q = abs(d) // unit
    if d < 0:
        q = -q
    r = d - q * unit  # Go: truncated division and remainder
    return float(q) + float(r) / float(unit)
