"""Two-line elements (TLE) and Orbit Mean-elements Messages (OMM), propagated with SGP4.

Gyrfalcon reads element sets with strict checks *before* handing them to the ``sgp4``
package (Vallado's SGP4, the reference implementation), then propagates with ``sgp4``'s
vectorised array API. Results are in **TEME** (the frame SGP4 works in); convert a state
with ``state.to("GCRF")``.

TLE checks, each error naming the line, the 1-based column(s), what was found and what was
expected: line length (69 columns), line numbers (``1``/``2`` in column 1), the blanks
between fields, catalog number (columns 3-7, equal on both lines; Alpha-5 accepted),
classification, the decimal points in their fixed columns (epoch day col 24, n-dot col 35,
inclination 12, RAAN 21, argument of perigee 38, mean anomaly 47, mean motion 55), every
numeric field, value ranges, and the modulo-10 checksum in column 69 (digits summed, each
``-`` counts 1).

OMM input: a dict with CelesTrak/Space-Track keys (``EPOCH``, ``MEAN_MOTION`` [rev/day],
``ECCENTRICITY``, ``INCLINATION``, ``RA_OF_ASC_NODE``, ``ARG_OF_PERICENTER``,
``MEAN_ANOMALY`` [deg], ``BSTAR`` [1/earth radii], ``MEAN_MOTION_DOT``,
``MEAN_MOTION_DDOT``, ``NORAD_CAT_ID``...), JSON, CSV, CCSDS OMM XML (``sgp4.omm``) and
CCSDS OMM KVN (``KEY = value [unit]`` lines).

Assumptions: WGS-72 constants (the ones the element sets are fitted with; what skyfield and
Space-Track use); the element epoch is UTC (AIAA 2006-6753); SGP4 "improved" mode.

>>> tle = TLE.from_lines(
...     "1 25544U 98067A   25328.54472231  .00014120  00000-0  26353-3 0  9998",
...     "2 25544  51.6316 232.5414 0003895 163.7073 196.4042 15.49046550540034", name="ISS (ZARYA)")
>>> tle.catalog_number, round(tle.inclination_deg, 4), round(tle.period_s / 60, 2)
('25544', 51.6316, 92.96)
>>> from gyrfalcon.time import iso_utc
>>> iso_utc(tle.epoch)
'2025-11-24T13:04:24.008Z'
>>> s = tle.state_at(tle.epoch)       # this epoch is an ascending node: z ~ 0, z-velocity > 0
>>> s.frame, round(s.radius_m / 1000, 1), bool(abs(s.r_m[2]) < 100.0), bool(s.v_mps[2] > 0)
('TEME', 6800.9, True, True)
>>> TLE.from_lines(
...     "1 25544U 98067A   25328.54472231  .00014120  00000-0  26353-3 0  9998",
...     "2 25544  51.6316 232.5414 0003895 163.7073 196.4042 15.49046550540035")
Traceback (most recent call last):
...
gyrfalcon.errors.TLEChecksumError: line 2, column 69: checksum digit is 5 but the line's digits sum to 194 (each '-' counts 1) -> 4; the line was changed or mis-copied
"""
from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import gzip
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, OMMFormatError, OrbitSourceError, PropagationError, TLEChecksumError, TLEFormatError

_ALPHA5 = re.compile(r"^(?:[0-9 ]{4}[0-9]|[A-HJ-NP-Z][0-9]{4})$")
_ASSUMED_DECIMAL = re.compile(r"^[ +-][0-9 ]{5}[+-][0-9]$")

# (first col, last col, what) of the blanks between fields, 1-based
_BLANKS = {
    1: (2, 9, 18, 33, 44, 53, 62, 64),
    2: (2, 8, 17, 26, 34, 43, 52),
}
# (column of '.', field columns, description)
_DECIMALS = {
    1: ((24, (21, 32), "epoch day (DDD.DDDDDDDD)"), (35, (34, 43), "first derivative of mean motion (.NNNNNNNN)")),
    2: ((12, (9, 16), "inclination (NNN.NNNN)"), (21, (18, 25), "right ascension of the node (NNN.NNNN)"),
        (38, (35, 42), "argument of perigee (NNN.NNNN)"), (47, (44, 51), "mean anomaly (NNN.NNNN)"),
        (55, (53, 63), "mean motion (NN.NNNNNNNN)")),
}
_LAYOUT = {
    1: "1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNN",
    2: "2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNN",
}


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns: digits summed, each ``-`` counts 1.

    >>> tle_checksum("1 25544U 98067A   25328.54472231  .00014120  00000-0  26353-3 0  9998")
    8
    """
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def _cols(line: str, a: int, b: int) -> str:
    return line[a - 1:b]


def _err(n: int, col, found: str, expected: str) -> TLEFormatError:
    where = f"column {col}" if isinstance(col, int) else f"columns {col[0]}-{col[1]}"
    return TLEFormatError(f"line {n}, {where}: found {found!r}, expected {expected}")


def _check_line(line: str, n: int) -> str:
    if not isinstance(line, str):
        raise TLEFormatError(f"line {n}: expected a string, got {type(line).__name__}")
    line = line.rstrip("\r\n").rstrip()
    if "\t" in line:
        c = line.index("\t") + 1
        raise TLEFormatError(f"line {n}, column {c}: found a tab, expected spaces; TLE fields are fixed-width "
                             f"columns: {_LAYOUT[n]}")
    if len(line) != 69:
        raise TLEFormatError(
            f"line {n}: has {len(line)} characters, expected 69 (the last, column 69, is the checksum); "
            f"was it truncated or re-spaced? layout: {_LAYOUT[n]}")
    if line[0] != str(n):
        raise _err(n, 1, line[0], f"'{n}' (the line number of TLE line {n})")
    for c in _BLANKS[n]:
        if line[c - 1] != " ":
            raise _err(n, c, line[c - 1], f"a blank between fields; layout: {_LAYOUT[n]}")
    cat = _cols(line, 3, 7)
    if not _ALPHA5.match(cat):
        raise _err(n, (3, 7), cat, "a catalog number of 5 digits (or Alpha-5: a letter then 4 digits)")
    for dot, (a, b), what in _DECIMALS[n]:
        if line[dot - 1] != ".":
            raise _err(n, dot, line[dot - 1], f"'.' of the {what} in columns {a}-{b}")
    if not line[68].isdigit():
        raise _err(n, 69, line[68], "the checksum digit 0-9")
    return line


def _num(line: str, n: int, a: int, b: int, what: str, lo=None, hi=None, hi_open=False) -> float:
    text = _cols(line, a, b)
    try:
        x = float(text)
    except ValueError:
        raise _err(n, (a, b), text, f"a number ({what})") from None
    if (lo is not None and x < lo) or (hi is not None and (x >= hi if hi_open else x > hi)):
        rng = f"{lo} to {hi}" + (" (excluded)" if hi_open else "")
        raise _err(n, (a, b), text, f"{what} in {rng}")
    return x


def _assumed_decimal(line: str, n: int, a: int, b: int, what: str) -> float:
    text = _cols(line, a, b)
    if not _ASSUMED_DECIMAL.match(text):
        raise _err(n, (a, b), text, f"{what} in assumed-decimal form ' NNNNN-N' (sign, 5 digits, exponent sign "
                                    "and digit, e.g. ' 26353-3' = 0.26353e-3)")
    return float(f"{text[0].strip()}0.{text[1:6].replace(' ', '0')}e{text[6:8]}")


def validate_tle(line1: str, line2: str) -> tuple[str, str]:
    """Check a TLE's two lines (see the module docstring); returns them right-stripped.

    Raises :class:`~gyrfalcon.errors.TLEFormatError` or
    :class:`~gyrfalcon.errors.TLEChecksumError` naming the line and column.
    """
    l1 = _check_line(line1, 1)
    l2 = _check_line(line2, 2)
    if l1[2:7] != l2[2:7]:
        raise TLEFormatError(f"line 2, columns 3-7: catalog number is {l2[2:7]!r} but line 1 has {l1[2:7]!r}; "
                             "both lines must describe the same object (were lines of two TLEs mixed?)")
    if l1[7] not in "UCS ":
        raise _err(1, 8, l1[7], "classification U, C or S")
    yy = _cols(l1, 19, 20)
    if not yy.isdigit():
        raise _err(1, (19, 20), yy, "a two-digit epoch year (57-99 -> 19xx, 00-56 -> 20xx)")
    _num(l1, 1, 21, 32, "day of year with fraction", 1.0, 367.0, hi_open=True)
    _num(l1, 1, 34, 43, "first derivative of mean motion / 2 [rev/day^2]")
    _assumed_decimal(l1, 1, 45, 52, "second derivative of mean motion / 6")
    _assumed_decimal(l1, 1, 54, 61, "BSTAR drag term")
    if l1[62] not in "0123456789 ":
        raise _err(1, 63, l1[62], "the ephemeris type digit (0)")
    if not l1[64:68].strip().isdigit():
        raise _err(1, (65, 68), l1[64:68], "the element set number (digits, right-aligned)")
    _num(l2, 2, 9, 16, "inclination [deg]", 0.0, 180.0)
    _num(l2, 2, 18, 25, "right ascension of the node [deg]", 0.0, 360.0)
    ecc = _cols(l2, 27, 33)
    if not ecc.isdigit():
        raise _err(2, (27, 33), ecc, "7 digits of eccentricity with an assumed leading decimal point (e.g. 0003895)")
    _num(l2, 2, 35, 42, "argument of perigee [deg]", 0.0, 360.0)
    _num(l2, 2, 44, 51, "mean anomaly [deg]", 0.0, 360.0)
    n = _num(l2, 2, 53, 63, "mean motion [rev/day]", 0.0)
    if n <= 0:
        raise _err(2, (53, 63), _cols(l2, 53, 63), "a mean motion above 0 rev/day")
    rev = _cols(l2, 64, 68)
    if rev.strip() and not rev.strip().isdigit():
        raise _err(2, (64, 68), rev, "the revolution number at epoch (digits)")
    for k, line in ((1, l1), (2, l2)):
        expected = tle_checksum(line)
        if int(line[68]) != expected:
            total = sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68])
            raise TLEChecksumError(
                f"line {k}, column 69: checksum digit is {line[68]} but the line's digits sum to {total} "
                f"(each '-' counts 1) -> {expected}; the line was changed or mis-copied")
    return l1, l2


# --------------------------------------------------------------------------------------
# propagation shared by TLE and OMM
# --------------------------------------------------------------------------------------
def _utc_jd(t):
    """sgp4's time argument: UTC Julian date split in (whole, fraction) arrays."""
    from sgp4.api import jday

    y, mo, d, h, mi, s = t.utc
    jd, fr = jday(np.asarray(y, dtype=float), np.asarray(mo, dtype=float), np.asarray(d, dtype=float),
                  np.asarray(h, dtype=float), np.asarray(mi, dtype=float), np.asarray(s, dtype=float))
    return np.atleast_1d(np.asarray(jd, dtype=float)), np.atleast_1d(np.asarray(fr, dtype=float))


def _as_times(times):
    """A skyfield Time array from a Time (array) or a sequence of anything parse_utc accepts."""
    from ..time import parse_utc, timescale

    if hasattr(times, "tt") and hasattr(times, "whole"):
        return times
    if isinstance(times, (str, _dt.datetime)):
        return parse_utc(times)
    items = [parse_utc(x) for x in times]
    if not items:
        raise InputError("no times given; pass a skyfield Time array or a list of ISO 8601 UTC strings")
    return timescale().tt_jd(np.array([x.whole for x in items], dtype=float),
                             np.array([x.tt_fraction for x in items], dtype=float))


class _SGP4Mixin:
    """Epoch, state and propagation for anything holding a ``satrec`` (sgp4 ``Satrec``)."""

    satrec: Any

    @property
    def epoch(self):
        """Epoch of the elements (a skyfield ``Time``, UTC as in the element set)."""
        from skyfield.timelib import compute_calendar_date

        from ..time import timescale

        whole, fraction = divmod(self.satrec.jdsatepoch, 1.0)
        year, month, day = compute_calendar_date(int(whole))
        return timescale().utc(year, month, day + 0.5 + fraction + self.satrec.jdsatepochF)

    @property
    def catalog_number(self) -> str:
        return str(self.satrec.satnum_str).strip()

    @property
    def international_designator(self) -> str | None:
        """COSPAR designator in the CCSDS form (``1998-067A``): an OMM's ``OBJECT_ID``, or a TLE's
        columns 10-17 (``98067A``; years 57-99 are 19xx); ``None`` when the set leaves it blank."""
        fields = getattr(self, "fields", None)
        if fields is not None:
            return fields.get("OBJECT_ID") or None
        d = str(getattr(self.satrec, "intldesg", "") or "").strip()
        if len(d) < 5 or not d[:5].isdigit():
            return None
        year = int(d[:2])
        return f"{1900 + year if year >= 57 else 2000 + year}-{d[2:5]}{d[5:]}"

    @property
    def inclination_deg(self) -> float:
        return math.degrees(self.satrec.inclo)

    @property
    def inclination_rad(self) -> float:
        return float(self.satrec.inclo)

    @property
    def raan_rad(self) -> float:
        """Right ascension of the ascending node in TEME [rad]."""
        return float(self.satrec.nodeo)

    @property
    def eccentricity(self) -> float:
        return float(self.satrec.ecco)

    @property
    def arg_perigee_rad(self) -> float:
        return float(self.satrec.argpo)

    @property
    def mean_anomaly_rad(self) -> float:
        return float(self.satrec.mo)

    @property
    def mean_motion_rad_s(self) -> float:
        """Kozai mean motion of the element set [rad/s]."""
        return float(self.satrec.no_kozai) / 60.0

    @property
    def period_s(self) -> float:
        """Period from the (Kozai) mean motion [s]."""
        return 2.0 * math.pi / self.mean_motion_rad_s

    @property
    def bstar_per_earth_radii(self) -> float:
        return float(self.satrec.bstar)

    def _propagate_km(self, t):
        from sgp4.api import SGP4_ERRORS

        jd, fr = _utc_jd(t)
        e, r, v = self.satrec.sgp4_array(jd, fr)
        bad = np.nonzero(e)[0]
        if len(bad):
            from ..time import iso_utc

            k = int(bad[0])
            code = int(e[k])
            when = iso_utc(t[k] if getattr(t, "shape", ()) else t)
            raise PropagationError(
                f"SGP4 failed for {self._label()} at {when} (error {code}: {SGP4_ERRORS.get(code, 'unknown')}); "
                f"the element set (epoch {iso_utc(self.epoch)}) cannot be used that far from its epoch: "
                "use a fresher TLE/OMM or a numerical propagator")
        return r, v

    def _label(self) -> str:
        name = getattr(self, "name", None)
        return f"{name} ({self.catalog_number})" if name else f"object {self.catalog_number}"

    def state_at(self, t):
        """The SGP4 :class:`~gyrfalcon.orbits.state.State` at ``t`` (a ``Time`` or ISO string), in TEME."""
        from ..time import parse_utc
        from .state import State

        tt = parse_utc(t)
        if getattr(tt, "shape", ()):
            raise InputError("state_at takes one time; use propagate(times) for several")
        r, v = self._propagate_km(tt)
        return State(tt, r[0] * 1000.0, v[0] * 1000.0, "TEME")

    def propagate(self, times):
        """SGP4 states at ``times`` (a ``Time`` array or a list of times, at least 2, increasing)
        as an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` in TEME (epoch = first time)."""
        from ..time import seconds_between
        from .ephemeris import Ephemeris

        t = _as_times(times)
        if not getattr(t, "shape", ()) or len(t.tt) < 2:
            raise InputError("propagate needs at least 2 times (a Time array); use state_at(t) for one")
        t_s = np.asarray(seconds_between(t[0], t), dtype=float)
        if np.any(np.diff(t_s) <= 0):
            k = int(np.argmax(np.diff(t_s) <= 0)) + 1
            raise InputError(f"times must increase; time #{k + 1} is not after time #{k}. Sort them first")
        r, v = self._propagate_km(t)
        return Ephemeris(t[0], t_s, r * 1000.0, v * 1000.0, "TEME", self._label(), (0,),
                         meta={"source": type(self).__name__, "elements_epoch": self.epoch})


def _new_satrec_check(satrec, label):
    from sgp4.api import SGP4_ERRORS

    if satrec.error:
        raise PropagationError(f"SGP4 could not initialise {label} (error {satrec.error}: "
                               f"{SGP4_ERRORS.get(satrec.error, 'unknown')}); check the element values")


# --------------------------------------------------------------------------------------
# TLE
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TLE(_SGP4Mixin):
    """A validated two-line element set, ready for SGP4.

    Attributes: ``line1``, ``line2`` (as given, right-stripped), ``name`` (from a 3-line
    set, or given), ``satrec`` (the ``sgp4`` model). Element properties are in SI/radians
    (``inclination_rad``, ``mean_motion_rad_s``, ``period_s``...).
    """

    line1: str
    line2: str
    name: str | None = None
    satrec: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def from_lines(cls, *lines: str, name: str | None = None) -> "TLE":
        """From two lines (``line1, line2[, name]``) or three (``name_line, line1, line2``).

        A Space-Track 3LE name line's leading ``0 `` is dropped.
        """
        items = [str(x).rstrip("\r\n") for x in lines if x is not None]
        if len(items) == 3:
            if items[0].startswith("1 ") and items[1].startswith("2 ") and not items[2].startswith("2 "):
                items, name = items[:2], name or items[2].strip()
            else:
                name = name or _clean_name(items[0])
                items = items[1:]
        if len(items) != 2:
            missing = len(lines) - len([x for x in lines if x is not None])
            none = f" ({missing} of them None)" if missing else ""
            raise TLEFormatError(f"a TLE has 2 lines (optionally after a name line); got {len(lines)} lines{none}")
        l1, l2 = validate_tle(items[0], items[1])
        from sgp4.api import WGS72, Satrec

        sat = Satrec.twoline2rv(l1, l2, WGS72)
        obj = cls(l1, l2, name, sat)
        _new_satrec_check(sat, obj._label())
        return obj

    @classmethod
    def from_text(cls, text: str) -> "TLE":
        """From a text block holding one TLE (2 lines, or 3 with a name line first)."""
        lines = [ln for ln in str(text).splitlines() if ln.strip()]
        if len(lines) not in (2, 3):
            raise TLEFormatError(f"expected one TLE (2 or 3 non-blank lines), got {len(lines)} lines; "
                                 "for a file of many use load_tles()")
        return cls.from_lines(*lines)

    @property
    def classification(self) -> str:
        return self.line1[7]

    @property
    def intl_designator(self) -> str:
        return self.line1[9:17].strip()

    @property
    def element_set_number(self) -> int:
        return int(self.line1[64:68])

    @property
    def rev_number(self) -> int:
        t = self.line2[63:68].strip()
        return int(t) if t else 0

    def to_omm_dict(self) -> dict:
        """This TLE as an OMM-style dict (CelesTrak JSON keys), via ``sgp4.exporter``."""
        from sgp4.exporter import export_omm

        return export_omm(self.satrec, self.name or self.catalog_number)


def tle_from_lines(*lines: str, name: str | None = None) -> TLE:
    """Shortcut for :meth:`TLE.from_lines`."""
    return TLE.from_lines(*lines, name=name)


def _clean_name(line: str) -> str:
    s = line.strip()
    return s[2:].strip() if s.startswith("0 ") else s


def parse_tles(text: str, source: str = "<string>") -> list:
    """All TLEs in a text (2-line or 3-line sets, mixed; blank lines ignored)."""
    lines = [(i, ln.rstrip("\r\n")) for i, ln in enumerate(str(text).splitlines(), start=1)]
    lines = [(i, ln) for i, ln in lines if ln.strip()]
    out = []
    k = 0
    while k < len(lines):
        i, ln = lines[k]
        name = None
        if not ln.startswith("1 "):
            name = _clean_name(ln)
            k += 1
            if k >= len(lines):
                raise TLEFormatError(f"{source}, line {i}: name line {ln.strip()!r} is not followed by a TLE")
            i, ln = lines[k]
        if k + 1 >= len(lines):
            raise TLEFormatError(f"{source}, line {i}: TLE line 1 has no line 2 after it")
        j, ln2 = lines[k + 1]
        if ln.startswith("1 ") and not ln2.lstrip().startswith("2 "):     # (an indented line 2: its own message)
            raise TLEFormatError(f"{source}, line {i}: TLE line 1 is not followed by its line 2 (line {j} starts "
                                 f"{ln2.strip()[:24]!r}); give both lines of every set")
        try:
            out.append(TLE.from_lines(ln, ln2, name=name))
        except TLEFormatError as exc:
            raise type(exc)(f"{source}, lines {i}-{j}: {exc}") from None
        k += 2
    if not out:
        raise TLEFormatError(f"{source}: no TLE found; expected lines starting with '1 ' and '2 '")
    return out


def load_tles(path) -> list:
    """All TLEs in a file (plain or .gz): a TLE/3LE text (:func:`parse_tles`) or a CSV table with
    the two lines in columns (:func:`parse_tle_csv`)."""
    text = _read_text(path, "TLE")
    if tle_csv_columns(text) is not None:
        return parse_tle_csv(text, str(path))
    return parse_tles(text, str(path))


TLE_CSV_COLUMNS = (("TLE_LINE1", "TLE_LINE2"), ("LINE1", "LINE2"))
"""Column pairs (case-insensitive) that hold a TLE's two lines in a CSV table: Space-Track's
``TLE_LINE1``/``TLE_LINE2`` (its legacy ``tle`` class) or plain ``line1``/``line2``."""


def tle_csv_columns(text: str):
    """The (line-1, line-2) column names of a CSV table of TLE lines, or None when the text's
    first line is not such a header."""
    import csv

    lines = str(text).lstrip("\ufeff").splitlines()     # any line end: \n, \r\n or a lone \r
    first = lines[0].strip() if lines else ""
    if "," not in first:
        return None
    try:
        header = next(csv.reader([first]))
    except csv.Error:          # not a CSV header (e.g. a binary file): no TLE columns
        return None
    by_upper = {h.strip().upper(): h for h in header}
    for a, b in TLE_CSV_COLUMNS:
        if a in by_upper and b in by_upper:
            return by_upper[a], by_upper[b]
    return None


def parse_tle_csv(text: str, source: str = "<string>") -> list:
    """All TLEs of a CSV table whose header names the two lines' columns (:data:`TLE_CSV_COLUMNS`);
    a ``TLE_LINE0``/``OBJECT_NAME`` column, if any, gives the name. Each row is checked as a TLE
    (checksums, columns); a bad row is refused with its row number.

    >>> l1 = "1 25544U 98067A   26177.67101756  .00008101  00000+0  15268-3 0  9990"
    >>> l2 = "2 25544  51.6322 253.1475 0004299 235.1263 124.9322 15.49442433573225"
    >>> sets = parse_tle_csv(f"epoch_utc,tle_line1,tle_line2\\n2026-06-26,{l1},{l2}\\n")
    >>> [(t.catalog_number, t.epoch.utc_strftime("%Y-%m-%d %H:%M")) for t in sets]
    [('25544', '2026-06-26 16:06')]
    """
    import csv
    import io

    cols = tle_csv_columns(text)
    if cols is None:
        raise TLEFormatError(f"{source}: a CSV of TLEs needs columns {' and '.join(TLE_CSV_COLUMNS[0])} "
                             f"(or {' and '.join(TLE_CSV_COLUMNS[1])})")
    reader = csv.DictReader(io.StringIO(str(text).lstrip("\ufeff"), newline=""))   # rows may end in \r alone
    fields = {h.strip().upper(): h for h in (reader.fieldnames or [])}
    c1, c2 = fields[cols[0].strip().upper()], fields[cols[1].strip().upper()]   # the names as written
    name_col = next((fields[k] for k in ("TLE_LINE0", "OBJECT_NAME") if k in fields), None)
    out = []
    for row in reader:
        row_no = reader.line_num        # the file's line (blank lines are skipped by the reader)
        l1, l2 = (row.get(c1) or "").strip(), (row.get(c2) or "").strip()
        if not l1 and not l2:
            continue
        name = _clean_name(row[name_col]) if name_col and row.get(name_col) else None
        try:
            out.append(TLE.from_lines(l1, l2, name=name))
        except TLEFormatError as exc:
            raise type(exc)(f"{source}, row {row_no}: {exc}") from None
    if not out:
        raise TLEFormatError(f"{source}: no TLE rows under columns {cols[0]} and {cols[1]}")
    return out


def _read_text(path, what: str) -> str:
    from ..io.files import read_input_bytes

    p, raw = read_input_bytes(path, what, OrbitSourceError, "check the path")
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff")


# --------------------------------------------------------------------------------------
# OMM
# --------------------------------------------------------------------------------------
MAX_MEAN_MOTION_REV_DAY = 20.0
"""Largest OMM mean motion read [rev/day]: a period of 72 min, below any orbit clearing the
Earth (about 17 rev/day at the surface), so every real Earth satellite passes."""
MAX_OMM_INTEGER = 999_999_999
"""Largest catalogue number, element-set number, revolution count and ephemeris type read from an
OMM (nine digits, the catalogue numbers' planned extension; the sgp4 library stores them as C longs)."""
OMM_REQUIRED = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER",
                "MEAN_ANOMALY", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT", "NORAD_CAT_ID")
"""OMM keys SGP4 needs."""
_OMM_DEFAULTS = {"CLASSIFICATION_TYPE": "U", "OBJECT_ID": "", "EPHEMERIS_TYPE": "0", "ELEMENT_SET_NO": "999",
                 "REV_AT_EPOCH": "0"}
_OMM_EPOCH = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$")
_OMM_EPOCH_DOY = re.compile(r"^(\d{4})-(\d{3})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$")


@dataclass(frozen=True)
class OMM(_SGP4Mixin):
    """A validated OMM mean-element record (SGP4 theory), ready for SGP4.

    Attributes: ``fields`` (the record, keys upper-case, values as strings), ``satrec``.
    """

    fields: dict = field(hash=False)
    satrec: Any = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str | None:
        return self.fields.get("OBJECT_NAME")

    @classmethod
    def from_dict(cls, record: dict) -> "OMM":
        """From one record with CelesTrak/Space-Track keys (values strings or numbers)."""
        if not isinstance(record, dict):
            raise OMMFormatError(f"an OMM record is a mapping of keys to values, got {type(record).__name__}")
        rec = {str(k).strip().upper(): ("" if v is None else str(v).strip()) for k, v in record.items()}
        label = rec.get("OBJECT_NAME") or rec.get("NORAD_CAT_ID") or "OMM record"
        missing = [k for k in OMM_REQUIRED if not rec.get(k)]
        if missing:
            raise OMMFormatError(f"{label}: lacks {', '.join(missing)}; an OMM for SGP4 needs "
                                 f"{', '.join(OMM_REQUIRED)} (CelesTrak/Space-Track keys)")
        theory = rec.get("MEAN_ELEMENT_THEORY", "SGP4").upper()
        if theory not in ("SGP4", "SGP/SGP4"):
            raise OMMFormatError(f"{label}: MEAN_ELEMENT_THEORY is {theory!r}; only SGP4 mean elements can be "
                                 "propagated here (SGP4-XP elements need the XP propagator)")
        for key, ok in (("REF_FRAME", ("TEME",)), ("CENTER_NAME", ("EARTH",)), ("TIME_SYSTEM", ("UTC",))):
            if key in rec and rec[key].upper() not in ok:
                raise OMMFormatError(f"{label}: {key} is {rec[key]!r}; SGP4 elements must have {key} = {ok[0]}")
        numbers = {}
        for key in OMM_REQUIRED[1:]:
            try:
                numbers[key] = float(rec[key])
            except ValueError:
                raise OMMFormatError(f"{label}: {key} = {rec[key]!r} is not a number") from None
        e, inc, n = numbers["ECCENTRICITY"], numbers["INCLINATION"], numbers["MEAN_MOTION"]
        if not 0.0 <= e < 1.0:
            raise OMMFormatError(f"{label}: ECCENTRICITY = {rec['ECCENTRICITY']} is out of range; expected 0 <= e < 1")
        if not 0.0 <= inc <= 180.0:
            raise OMMFormatError(f"{label}: INCLINATION = {rec['INCLINATION']} is out of range; expected 0 to 180 deg")
        if not 0.0 < n <= MAX_MEAN_MOTION_REV_DAY:
            raise OMMFormatError(f"{label}: MEAN_MOTION = {rec['MEAN_MOTION']} is out of range; expected > 0 and "
                                 f"<= {MAX_MEAN_MOTION_REV_DAY:g} rev/day (an Earth orbit; the ISS makes about 15.5)")
        if not numbers["NORAD_CAT_ID"].is_integer():
            raise OMMFormatError(f"{label}: NORAD_CAT_ID = {rec['NORAD_CAT_ID']!r} is not a whole number")
        for k in ("NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "EPHEMERIS_TYPE"):
            try:
                ok = k not in rec or not rec[k] or 0 <= float(rec[k]) <= MAX_OMM_INTEGER
            except ValueError:
                ok = True             # said below, with the key, as "not a whole number"
            if not ok:
                raise OMMFormatError(f"{label}: {k} = {rec[k]} is out of range; expected a whole number from 0 "
                                     f"to {MAX_OMM_INTEGER:,}")
        rec["EPOCH"] = _normalise_epoch(rec["EPOCH"], label)
        for k, v in _OMM_DEFAULTS.items():
            if not rec.get(k):
                rec[k] = v
        for k in ("EPHEMERIS_TYPE", "ELEMENT_SET_NO", "REV_AT_EPOCH", "NORAD_CAT_ID"):
            try:
                rec[k] = str(int(float(rec[k])))
            except ValueError:
                raise OMMFormatError(f"{label}: {k} = {rec[k]!r} is not a whole number") from None
        from sgp4 import omm as sgp4_omm
        from sgp4.api import WGS72, Satrec

        sat = Satrec()
        try:
            sgp4_omm.initialize(sat, rec, WGS72)
        except (KeyError, ValueError) as exc:
            raise OMMFormatError(f"{label}: sgp4 could not read the record ({exc})") from None
        obj = cls(rec, sat)
        _new_satrec_check(sat, obj._label())
        return obj

    @classmethod
    def from_json(cls, text: str) -> "OMM":
        """From a JSON object (or a one-element JSON list) with OMM keys."""
        data = _json(text, "<string>")
        if isinstance(data, list):
            if len(data) != 1:
                raise OMMFormatError(f"the JSON holds {len(data)} records; use parse_omm()/load_omm() for several")
            data = data[0]
        return cls.from_dict(data)

    @classmethod
    def from_kvn(cls, text: str) -> "OMM":
        """From a CCSDS OMM in KVN (``KEY = value [unit]`` lines; comments ignored)."""
        recs = parse_omm(text)
        if len(recs) != 1:
            raise OMMFormatError(f"expected one OMM, found {len(recs)}; use parse_omm() for several")
        return recs[0]

    @classmethod
    def from_xml(cls, text: str) -> "OMM":
        """From a CCSDS OMM in XML (one segment), read with ``sgp4.omm.parse_xml``."""
        recs = parse_omm(text)
        if len(recs) != 1:
            raise OMMFormatError(f"expected one OMM, found {len(recs)}; use parse_omm() for several")
        return recs[0]


def _normalise_epoch(text: str, label: str) -> str:
    t = text.strip()
    m = _OMM_EPOCH.match(t)
    try:
        if m:
            y, mo, d, h, mi, s, frac = m.groups()
            base = _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
        else:
            m = _OMM_EPOCH_DOY.match(t)
            if not m:
                raise OMMFormatError(f"{label}: EPOCH {text!r} is not an ISO 8601 UTC time; use e.g. "
                                     "2025-11-24T13:04:24.008064")
            y, doy, h, mi, s, frac = m.groups()
            if not 1 <= int(doy) <= (366 if _calendar.isleap(int(y)) else 365):
                raise ValueError(f"day of year {int(doy)} out of range")
            base = _dt.datetime(int(y), 1, 1, int(h), int(mi), int(s)) + _dt.timedelta(days=int(doy) - 1)
    except ValueError as exc:
        # a well-formed but impossible date or time (month 13, hour 25, second 61...)
        raise OMMFormatError(f"{label}: EPOCH {text!r} is not a valid date and time ({exc}); use e.g. "
                             "2025-11-24T13:04:24.008064") from None
    frac = (frac or "0")
    micro = round(float("0." + frac) * 1e6)
    return (base + _dt.timedelta(microseconds=micro)).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _json(text: str, source: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise OMMFormatError(f"{source}: not valid JSON ({exc})") from None


def _kvn_records(text: str) -> list:
    recs, cur = [], {}
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        if "=" not in line:
            continue  # META_START / META_STOP / DATA_START ... markers
        key, _, value = line.partition("=")
        key = key.strip().upper()
        value = re.sub(r"\s*\[[^\]]*\]\s*$", "", value.strip())
        if key == "CCSDS_OMM_VERS" and cur:
            recs.append(cur)
            cur = {}
        cur[key] = value
    if cur:
        recs.append(cur)
    return recs


def parse_omm(text: str, source: str = "<string>") -> list:
    """All OMM records in a text: JSON (object or list), CSV, XML or KVN (detected by content)."""
    s = str(text).lstrip("\ufeff").strip()
    if not s:
        raise OMMFormatError(f"{source}: empty; expected OMM records in JSON, CSV, XML or KVN")
    if s[0] in "[{":
        data = _json(s, source)
        records = data if isinstance(data, list) else [data]
    elif s[0] == "<":
        from sgp4 import omm as sgp4_omm
        import io

        try:
            records = list(sgp4_omm.parse_xml(io.StringIO(s)))
        except Exception as exc:  # xml.etree ParseError or a missing element
            raise OMMFormatError(f"{source}: could not read the OMM XML ({exc})") from None
    elif s.upper().startswith("CCSDS_OMM_VERS") or re.match(r"^[A-Z_]+\s*=", s):
        records = _kvn_records(s)
    elif "," in s.splitlines()[0] and "EPOCH" in s.splitlines()[0].upper():
        import csv
        import io

        records = list(csv.DictReader(io.StringIO(s, newline="")))   # rows may end in \r alone
    else:
        raise OMMFormatError(f"{source}: not recognised as OMM JSON, CSV, XML or KVN (starts {s[:40]!r})")
    out = []
    for k, rec in enumerate(records, start=1):
        try:
            out.append(OMM.from_dict(rec))
        except OMMFormatError as exc:
            raise OMMFormatError(f"{source}, record {k}: {exc}") from None
    if not out:
        raise OMMFormatError(f"{source}: no OMM records found")
    return out


def load_omm(path) -> list:
    """All OMM records in a file (JSON, CSV, XML or KVN; plain or .gz)."""
    return parse_omm(_read_text(path, "OMM"), str(path))


__all__ = ["TLE", "OMM", "tle_from_lines", "validate_tle", "tle_checksum", "parse_tles", "load_tles",
           "parse_tle_csv", "tle_csv_columns",
           "parse_omm", "load_omm", "OMM_REQUIRED"]
