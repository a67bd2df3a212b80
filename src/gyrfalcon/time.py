"""Time: one time type (skyfield's :class:`~skyfield.timelib.Time`), UTC at the edges.

Gyrfalcon carries every instant as a skyfield ``Time``, which knows UTC, TAI, TT, TDB and
UT1 at once. Users speak UTC (ISO 8601 strings or timezone-aware ``datetime``); the
integrators work in seconds of TT since an epoch (:func:`seconds_between`), which is
uniform and has no leap seconds.

Data, all offline:

* leap seconds: skyfield's builtin table;
* UT1-UTC and polar motion: the IERS rapid ``finals2000A.all`` table bundled in
  ``heyoka`` (:class:`heyoka.eop_data`), the same table the propagator's ITRF rotation
  uses, so the dynamics and the frames agree. It holds measured values up to its
  timestamp (17 Sep 2026) and IERS predictions to 23 Nov 2026; past that it is extended by a
  year (UT1-UTC on its trend, polar motion held: :func:`eop_table`).

Assumption: a string with no zone designator is UTC (the CCSDS convention).
A ``datetime`` without ``tzinfo`` is refused (:class:`~gyrfalcon.errors.NaiveDatetimeError`).

>>> t = parse_utc("2025-11-27T09:27:57.4Z")
>>> iso_utc(t)
'2025-11-27T09:27:57.400Z'
>>> float(seconds_between(parse_utc("2025-11-27"), t))
34077.4
>>> float((t.tt_fraction - t.tai_fraction) * 86400)
32.184
"""
from __future__ import annotations

import datetime as _dt
import functools
import numbers
import re

import numpy as np

from .constants import DAYS_PER_JULIAN_CENTURY, J2000_JD_TT, SECONDS_PER_DAY
from .errors import NaiveDatetimeError, TimeError, UnknownTimeScaleError

TIME_SCALES = ("UTC", "TAI", "TT", "TDB", "UT1", "GPS")

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?\s*$"
)
_DOY = re.compile(r"^\s*(\d{4})-(\d{3})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?)?\s*([Zz])?\s*$")


@functools.lru_cache(maxsize=1)
def timescale():
    """The skyfield timescale used everywhere, built offline once per process.

    Leap seconds come from skyfield's builtin table; UT1-UTC and polar motion from
    :func:`eop_table` (heyoka's bundled IERS ``finals2000A.all``, extended by a year).
    """
    from skyfield.api import load
    from skyfield.data import iers
    from skyfield.timelib import Timescale

    table = eop_table()
    mjd = np.asarray(table["mjd"], dtype=float)
    dut1 = np.asarray(table["delta_ut1_utc"], dtype=float)
    builtin = load.timescale(builtin=True)
    daily_tt, daily_delta_t, _, _ = iers.build_timescale_arrays(mjd, dut1)
    ts = Timescale((daily_tt, daily_delta_t), builtin.leap_dates, builtin.leap_offsets)
    iers.install_polar_motion_table(
        ts, {"utc_mjd": mjd, "x_arcseconds": table["pm_x"], "y_arcseconds": table["pm_y"]}
    )
    return ts


EXTENSION_DAYS = 366
"""How far past the end of heyoka's bundled tables the Earth orientation and the space weather
are extended [days] (see :func:`eop_table`, :func:`sw_table`)."""
UT1_TREND_DAYS = 365
"""Span of the table's last rows whose UT1-UTC trend is carried past its end [days]."""


@functools.lru_cache(maxsize=1)
def eop_table():
    """The EOP table of the package (structured array: mjd, delta_ut1_utc [s], pm_x, pm_y
    [arcsec], dX, dY [mas]): heyoka's bundled IERS ``finals2000A`` rows, then
    :data:`EXTENSION_DAYS` daily rows past its end (it ends 2026-11-23 in heyoka 7.13).

    The extension, an assumption: UT1-UTC follows the straight-line trend of the table's last
    :data:`UT1_TREND_DAYS` days (measured, then IERS predictions), and polar motion and the CIP
    offsets keep their last values. Against IERS's later predictions (``finals2000A.all`` of
    16 Nov 2026, tests/test_time.py) it differs by at most 0.11 s of UT1 and 0.15 arcsec of polar
    motion over the year (0.1 s of Earth rotation is 46 m at the equator and 0.1 s of a launch
    window; 0.15 arcsec is 5 m at the surface): small beside the drag error of any prediction
    that long. A leap second announced after the table is not known.

    >>> t = eop_table(); bool(np.all(np.diff(t["mjd"]) == 1.0)), len(t) - len(_bundled_eop())
    (True, 366)
    """
    tab = _bundled_eop()
    last = tab[-1]
    recent = tab[tab["mjd"] > last["mjd"] - UT1_TREND_DAYS]
    rate = float(np.polyfit(recent["mjd"], recent["delta_ut1_utc"], 1)[0])      # s/day
    ext = np.zeros(EXTENSION_DAYS, dtype=tab.dtype)
    ext["mjd"] = last["mjd"] + np.arange(1, EXTENSION_DAYS + 1)
    ext["delta_ut1_utc"] = last["delta_ut1_utc"] + rate * (ext["mjd"] - last["mjd"])
    for k in ("pm_x", "pm_y", "dX", "dY"):
        ext[k] = last[k]
    out = np.concatenate([tab, ext])
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=1)
def sw_table():
    """The space-weather table of the package (structured array: mjd, Ap_avg, f107,
    f107a_center81): heyoka's bundled CelesTrak ``SW-All`` rows, then daily rows to the end of
    :func:`eop_table`. The extension, an assumption: persistence, the mean daily F10.7 and Ap
    of the table's last 81 days for every later day (F10.7 and its 81-day mean alike), the
    forecast the station predictions already hold (:func:`gyrfalcon.orbits.station_source.space_weather_at`).
    A day whose centred 81-day mean is missing (NaN) gets that mean too (none in heyoka 7.13's table).
    """
    tab = np.array(_builtin_sw_data().table)
    ok = np.isfinite(tab["f107"]) & np.isfinite(tab["Ap_avg"])
    tail = tab[ok][-81:]
    f107, ap = float(np.mean(tail["f107"])), float(np.mean(tail["Ap_avg"]))
    tab["f107a_center81"] = np.where(np.isfinite(tab["f107a_center81"]), tab["f107a_center81"], f107)
    end = float(eop_table()["mjd"][-1])
    ext = np.zeros(max(0, int(end - tab["mjd"][-1])), dtype=tab.dtype)
    ext["mjd"] = tab["mjd"][-1] + np.arange(1, len(ext) + 1)
    ext["f107"], ext["f107a_center81"], ext["Ap_avg"] = f107, f107, ap
    out = np.concatenate([tab, ext])
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=1)
def heyoka_eop_data():
    """heyoka's EOP dataset for every Earth-orientation expression of the package, built from
    :func:`eop_table` (its bundled table extended past its end), so that the dynamics and the
    frames (the timescale above) read one table."""
    from gyrfalcon._heyoka import heyoka as _heyoka

    base = _builtin_eop_data()
    return _heyoka().eop_data(data=eop_table(), timestamp=base.timestamp, identifier="gyrfalcon_" + base.identifier)


@functools.lru_cache(maxsize=1)
def heyoka_sw_data():
    """heyoka's space-weather dataset for every NRLMSISE-00 expression, built from :func:`sw_table`."""
    from gyrfalcon._heyoka import heyoka as _heyoka

    base = _builtin_sw_data()
    return _heyoka().sw_data(data=sw_table(), timestamp=base.timestamp, identifier="gyrfalcon_" + base.identifier)


@functools.lru_cache(maxsize=1)
def _builtin_eop_data():
    """heyoka's bundled EOP dataset (read once: its table and its identity serve both the
    extension and the dataset built from it)."""
    from gyrfalcon._heyoka import heyoka as _heyoka

    return _heyoka().eop_data()


@functools.lru_cache(maxsize=1)
def _builtin_sw_data():
    """heyoka's bundled space-weather dataset (read once, as :func:`_builtin_eop_data`)."""
    from gyrfalcon._heyoka import heyoka as _heyoka

    return _heyoka().sw_data()


@functools.lru_cache(maxsize=1)
def _bundled_eop():
    return np.array(_builtin_eop_data().table)


def utc(year, month=1, day=1, hour=0, minute=0, second=0.0):
    """A :class:`~skyfield.timelib.Time` from UTC calendar fields (arrays allowed). Fields out of
    their range roll over as in Skyfield's ``ts.utc`` (day 32 of January is 1 February, month 13
    is January of the next year); :func:`parse_utc` is the strict reader.

    >>> iso_utc(utc(2025, 11, 27, 9, 27, 57.4)), iso_utc(utc(2025, 1, 32), 0)
    ('2025-11-27T09:27:57.400Z', '2025-02-01T00:00:00Z')
    """
    if isinstance(year, _dt.datetime):         # utc(datetime): its instant (a naive one is refused)
        return from_datetime(year)
    for name, x in zip(("year", "month", "day", "hour", "minute", "second"), (year, month, day, hour, minute, second)):
        a = np.asarray(x) if not isinstance(x, (str, bytes)) or x is None else None
        if a is None or a.dtype.kind not in "iuf" or not np.all(np.isfinite(a)):
            raise TimeError(f"utc(): {name} must be a number (or an array of numbers), got {x!r}; e.g. "
                            "utc(2025, 11, 27, 9, 27, 57.4)")
    return timescale().utc(year, month, day, hour, minute, second)


def from_datetime(value: _dt.datetime):
    """A ``Time`` from a timezone-aware ``datetime``; naive ones are refused.

    >>> from_datetime(_dt.datetime(2025, 11, 27, 9, 27))
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.NaiveDatetimeError: datetime 2025-11-27 09:27:00 has no time zone; Gyrfalcon will not guess one. Pass tzinfo=datetime.timezone.utc (or another zone), or an ISO string ending in 'Z'.
    """
    if not isinstance(value, _dt.datetime):
        raise TimeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"datetime {value} has no time zone; Gyrfalcon will not guess one. "
            "Pass tzinfo=datetime.timezone.utc (or another zone), or an ISO string ending in 'Z'."
        )
    v = value.astimezone(_dt.timezone.utc)
    return utc(v.year, v.month, v.day, v.hour, v.minute, v.second + v.microsecond * 1e-6)


def parse_utc(text):
    """A ``Time`` from an ISO 8601 UTC string, a ``datetime`` or a ``Time``.

    Accepts ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS[.fff]]`` with an optional ``Z`` or
    ``+HH:MM`` (``+HHMM``, ``+HH``) offset, and day-of-year ``YYYY-DDDTHH:MM:SS`` (``T`` or a
    space, as for dates). No zone means UTC.

    >>> iso_utc(parse_utc("2025-11-27T14:27:57+05:00")), iso_utc(parse_utc("2025-11-27T14:27:57+05"))
    ('2025-11-27T09:27:57.000Z', '2025-11-27T09:27:57.000Z')
    >>> iso_utc(parse_utc("2025-11-27t09:27:57z"))          # RFC 3339's lower-case t and z
    '2025-11-27T09:27:57.000Z'
    >>> parse_utc("27/11/2025")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.TimeError: cannot read '27/11/2025' as a UTC time; use ISO 8601 such as 2025-11-27T09:27:57.4Z or 2025-11-27
    """
    if hasattr(text, "tt") and hasattr(text, "utc"):
        return text
    if isinstance(text, _dt.datetime):
        return from_datetime(text)
    if isinstance(text, _dt.date):
        return utc(text.year, text.month, text.day)
    s = str(text)
    m = _ISO.match(s)
    if m and m.group(4) is None and m.group(7) not in (None, "Z", "z"):
        m = None                      # ISO 8601 has no UTC offset on a bare date ('2025-11-27-05')
    if m:
        y, mo, d, hh, mi, ss, zone = m.groups()
        hh, mi = int(hh or 0), int(mi or 0)
        sec = float(ss) if ss else 0.0
        import calendar

        year, month = int(y), int(mo)
        last_day = calendar.monthrange(year, month)[1] if 1 <= month <= 12 and year >= 1 else 31
        out_of_range = TimeError(
            f"'{s}' has a field out of range (year 0001-9999, month 1-12, day 1-{last_day}, hour 0-23, "
            "minute 0-59, second 0-59, 60 only at a leap second); give a real UTC time")
        if not (year >= 1 and 1 <= month <= 12 and 1 <= int(d) <= last_day and hh <= 23 and mi <= 59 and sec < 61.0):
            raise out_of_range
        offset_min = 0
        if zone and zone not in ("Z", "z"):          # RFC 3339 allows the lower-case t and z
            sign = -1 if zone[0] == "-" else 1
            z = zone[1:].replace(":", "")
            oh, om = int(z[:2]), int(z[2:] or 0)          # ISO 8601 allows +hh alone
            if oh > 23 or om > 59:
                raise TimeError(f"'{s}': UTC offset {zone} is out of range (hours 00-23, minutes 00-59); "
                                "give e.g. Z, +03:00 or -05:00")
            offset_min = sign * (oh * 60 + om)
        # the UTC calendar minute first (a leap second written with an offset stays in 23:59 UTC)
        try:
            u = _dt.datetime(year, month, int(d), hh, mi) - _dt.timedelta(minutes=offset_min)
        except OverflowError:
            raise TimeError(f"'{s}' is before year 1 in UTC; give a real UTC time") from None
        if not _second_ok(sec, u):
            raise out_of_range
        return utc(u.year, u.month, u.day, u.hour, u.minute, sec)
    m = _DOY.match(s)
    if m:
        y, doy, hh, mi, ss, _ = m.groups()
        import calendar

        year = int(y)
        days = 366 if (year >= 1 and calendar.isleap(year)) else 365
        hh_i, mi_i = int(hh or 0), int(mi or 0)
        sec = float(ss) if ss else 0.0
        ok = year >= 1 and 1 <= int(doy) <= days and hh_i <= 23 and mi_i <= 59
        if not (ok and _second_ok(sec, _dt.datetime(year, 1, 1, hh_i, mi_i) + _dt.timedelta(days=int(doy) - 1))):
            raise TimeError(f"'{s}' has a field out of range (day of year 001-{days:03d}, hour 0-23, minute 0-59, "
                            "second 0-59); give a real UTC time")
        return utc(year, 1, int(doy), hh_i, mi_i, sec)
    raise TimeError(
        f"cannot read '{s}' as a UTC time; use ISO 8601 such as 2025-11-27T09:27:57.4Z or 2025-11-27"
    )


@functools.lru_cache(maxsize=1)
def _leap_second_days() -> frozenset:
    """The UTC days (y, m, d) that ended with a leap second, from skyfield's leap-second table
    (1972-06-30 ... 2016-12-31): its dates are the midnights after them."""
    noon_j2000 = _dt.datetime(2000, 1, 1, 12)
    return frozenset((d.year, d.month, d.day) for d in
                     (noon_j2000 + _dt.timedelta(days=float(jd) - 2451545.0 - 1.0) for jd in timescale().leap_dates))


def _second_ok(sec: float, utc_minute: _dt.datetime) -> bool:
    """Seconds 0-59.999...; 60.x only in a real leap second: the UTC minute ``utc_minute`` (the
    time as written, its zone offset removed) is 23:59 of a day that ended with one
    (:func:`_leap_second_days`)."""
    if sec < 60.0:
        return True
    u = utc_minute
    return sec < 61.0 and (u.hour, u.minute) == (23, 59) and (u.year, u.month, u.day) in _leap_second_days()


def iso_utc(t, places: int = 3) -> str:
    """ISO 8601 UTC string with a trailing ``Z`` (``places`` decimals of seconds).

    >>> iso_utc(parse_utc("2025-12-31T23:59:59.9996"), places=3)
    '2026-01-01T00:00:00.000Z'
    """
    if isinstance(places, bool) or not isinstance(places, numbers.Integral) or not 0 <= places <= 9:
        raise TimeError(f"places must be a whole number of decimals from 0 to 9, got {places!r}")
    t = one_instant(t, "iso_utc")
    # skyfield rounds consistently (carrying into minutes and days)
    text = t.utc_iso(places=places)
    return text if text.endswith("Z") else text + "Z"


def one_instant(t, who: str):
    """``t`` as one skyfield ``Time`` (a ``Time``, or an ISO string or aware datetime read as
    :func:`parse_utc` reads it); a ``Time`` array is refused, naming ``who`` that takes one.

    >>> one_instant(utc(2025, 11, 27, 9, [0, 1]), "iso_utc")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.TimeError: iso_utc takes one instant; got a Time of shape (2,) (take one element)
    """
    if not hasattr(t, "tt"):
        t = parse_utc(t)
    if np.ndim(t.tt) != 0:
        raise TimeError(f"{who} takes one instant; got a Time of shape {np.shape(t.tt)} (take one element)")
    return t


def utc_day(date) -> str:
    """The UTC day (``YYYY-MM-DD``) of ``date``: a day as written, or the UTC day of a time (a
    skyfield Time, an aware datetime, an ISO string with its offset).

    >>> utc_day("2025-12-09"), utc_day("2025-12-08T23:00:00-05:00"), utc_day("2025-12-08T23:59:59.9996Z")
    ('2025-12-09', '2025-12-09', '2025-12-08')
    """
    text = str(date).strip()
    if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            parse_utc(text + "T00:00:00Z")
        except TimeError:
            pass
        else:
            return text
    try:
        c = parse_utc(date).utc            # the calendar day itself: no rounding into the next day
        return f"{int(c.year):04d}-{int(c.month):02d}-{int(c.day):02d}"
    except TimeError as exc:
        raise TimeError(f"date {date!r} is not a UTC day ({exc}); give YYYY-MM-DD (e.g. 2025-12-09) or a time with "
                        "its offset") from None


def format_met(met_s: float, decimals: int = 0) -> str:
    """Mission elapsed time ``met_s`` [s] as ``[-]H:MM:SS`` (``Dd HH:MM:SS`` beyond a day), the
    seconds rounded to ``decimals`` places.

    >>> format_met(11197.0), format_met(-3600.0), format_met(20736000.0), format_met(-0.4)
    ('3:06:37', '-1:00:00', '240d 00:00:00', '0:00:00')
    >>> format_met(529.04, 1), format_met(20825808.0, 1)
    ('0:08:49.0', '241d 00:56:48.0')
    """
    x = round(abs(float(met_s)), decimals)
    sign = "-" if met_s < 0 and x > 0 else ""       # -0.4 s shown to the second is 0:00:00
    d, rem = divmod(x, 86400.0)
    h, rem = divmod(rem, 3600.0)
    m, sec = divmod(rem, 60.0)
    sec_text = f"{sec:0{3 + decimals}.{decimals}f}" if decimals else f"{int(sec):02d}"
    if d:
        return f"{sign}{int(d)}d {int(h):02d}:{int(m):02d}:{sec_text}"
    return f"{sign}{int(h):d}:{int(m):02d}:{sec_text}"


def seconds_between(t0, t1):
    """TT seconds from ``t0`` to ``t1`` (float or array), keeping sub-microsecond precision.

    >>> float(seconds_between(utc(2016, 12, 31, 23, 59, 0), utc(2017, 1, 1, 0, 1, 0)))
    121.0
    """
    return (np.asarray(t1.whole) - np.asarray(t0.whole)) * SECONDS_PER_DAY + (
        np.asarray(t1.tt_fraction) - np.asarray(t0.tt_fraction)
    ) * SECONDS_PER_DAY


def add_seconds(t, seconds):
    """``t`` plus ``seconds`` of TT (scalar or array), as a new ``Time``."""
    s = np.asarray(seconds, dtype=float)
    return timescale().tt_jd(t.whole, t.tt_fraction + s / SECONDS_PER_DAY)


def tt_centuries_since_j2000(t):
    """Julian centuries of TT since J2000.0 (the time argument of IAU 2006 and heyoka)."""
    return ((np.asarray(t.whole) - J2000_JD_TT) + np.asarray(t.tt_fraction)) / DAYS_PER_JULIAN_CENTURY


def julian_date(t, scale: str = "TT"):
    """Julian date of ``t`` in the named time scale (UTC, TAI, TT, TDB, UT1 or GPS).

    >>> float(julian_date(utc(2025, 1, 1), "tai") - julian_date(utc(2025, 1, 1), "utc")) * 86400
    37.0
    >>> julian_date(utc(2025, 1, 1), "TCB")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.UnknownTimeScaleError: unknown time scale 'TCB'; use one of UTC, TAI, TT, TDB, UT1, GPS
    """
    key = str(scale).upper()
    if key == "UTC":
        from skyfield.timelib import julian_date as _jd

        y, mo, d, h, mi, sec = t.utc
        return _jd(y, mo, d, h, mi, sec)
    if key == "TAI":
        return t.tai
    if key == "TT":
        return t.tt
    if key == "TDB":
        return t.tdb
    if key == "UT1":
        return t.ut1
    if key == "GPS":
        return t.tai - 19.0 / SECONDS_PER_DAY
    raise UnknownTimeScaleError(f"unknown time scale '{scale}'; use one of {', '.join(TIME_SCALES)}")
