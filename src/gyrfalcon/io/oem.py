"""CCSDS Orbit Ephemeris Messages (OEM): read, validate, write; NASA's ISS comment blocks.

Reads OEM 1.0/2.0 (and the compatible 3.0) in KVN, plain or gzip, CRLF or LF, and in XML
(CCSDS 502.0-B-2, NDM/XML layout). What is read:

* the header (``CCSDS_OEM_VERS``, ``CREATION_DATE``, ``ORIGINATOR``), header comments;
* every segment: its metadata (``OBJECT_NAME``, ``OBJECT_ID``, ``CENTER_NAME``,
  ``REF_FRAME``, ``TIME_SYSTEM``, ``START_TIME``/``STOP_TIME``, the optional
  ``REF_FRAME_EPOCH``, ``USEABLE_START_TIME``/``USEABLE_STOP_TIME``, ``INTERPOLATION``,
  ``INTERPOLATION_DEGREE``), its ``COMMENT`` lines (accepted anywhere) and its data lines
  ``EPOCH X Y Z X_DOT Y_DOT Z_DOT [X_DDOT Y_DDOT Z_DDOT]`` in km, km/s (km/s**2), stored in SI
  (a line repeating an earlier line's epoch and state, as files joined end to end do, is dropped
  with one note per segment saying how many, the first one's line and epoch; the same epoch with
  another state is refused naming both lines; accelerations may be given on some lines only, the
  others hold NaN);
* covariance blocks: every ``EPOCH``, optional ``COV_REF_FRAME`` and lower-triangular 6x6
  matrix (:class:`OEMCovariance`, km**2... converted to m**2, m**2/s, m**2/s**2), checked
  row by row (a row of the wrong length, a NaN or infinite entry, a negative variance on the
  diagonal, a seventh row or a matrix cut short is refused); a ``COV_REF_FRAME`` must be a frame
  Orekit's CCSDS parser knows (:data:`COV_CELESTIAL_FRAMES`, :data:`COV_ORBIT_FRAMES`), else it
  is refused naming them.

Keywords are checked: a header, metadata or covariance keyword the standard (CCSDS 502.0-B-3)
does not define, or a ``KEY = value`` line among the data lines, is refused with its line
number and the keywords allowed there (never skipped in silence), as Orekit does.

NASA/JSC's ISS trajectory files (``ISS.OEM_J2K_EPH.txt``) carry extra data in comments; they
are parsed into :class:`SpacecraftProperties` (``MASS``, ``DRAG_AREA``, ...; a ``MASS``,
``DRAG_AREA`` or ``DRAG_COEFF`` that is not a positive number is refused; a unit after the value
is read when it is the one expected, kg for ``MASS``, m^2 (m2, m**2) for the areas, none or a
dimensionless word for the coefficients, and refused otherwise), the first and last
:class:`AscendingNode` lines and the ``TRAJECTORY EVENT SUMMARY`` table
(:class:`TrajectoryEvent`; its ``TIG`` is ``DDD:HH:MM:SS.sss`` GMT day-of-year, in the year of
the segment's ``START_TIME``, or the next/previous year when the day of year is more than half
a year away from the start's, so a file that crosses New Year reads right).

Validation (all :class:`~gyrfalcon.errors.OEMFormatError`, each message naming the line):
missing header/metadata keys, unknown keywords, unsupported ``CENTER_NAME`` (only the Earth),
``REF_FRAME`` (EME2000, GCRF, ICRF, TEME, ITRF*) and ``TIME_SYSTEM`` (UTC, TAI, TT, GPS, TDB,
UT1), a malformed data or covariance line, times that do not increase.

Interpolation: :meth:`OEM.ephemeris` interpolates with the velocities (Hermite, on
``INTERPOLATION_DEGREE + 1`` samples as Orekit does, see
:mod:`gyrfalcon.orbits.ephemeris`) and refuses, as :class:`~gyrfalcon.errors.OEMGapError`,
an ephemeris whose steps are longer than a quarter of the orbital period or whose estimated
interpolation error exceeds ``max_error_m`` (default 1 km): the message says where, by how
much and what sampling would do.

Writing (:func:`write_oem`) produces KVN (gzip when the name ends ``.gz``) or XML (name ending
``.xml``/``.xml.gz``) in UTC, km and km/s, numbers with 17 significant digits (doubles round-trip
exactly) and epochs with 9 decimals of a second (a 0.5 ns rounding moves the ISS by 4 um).

Assumptions: one central body (the Earth); ``ICRF`` with ``CENTER_NAME = EARTH`` is read as GCRF;
every ``ITRF*`` realisation is read as Gyrfalcon's ITRF (they differ by cm); data outside
``START_TIME``/``STOP_TIME`` is accepted with a note, and so are data that start after
``START_TIME`` or end before ``STOP_TIME`` (a file cut short; the note says by how much and
whether the ``USEABLE_*`` span is whole).

>>> text = '''CCSDS_OEM_VERS = 2.0
... CREATION_DATE = 2025-11-24T20:10:38.633
... ORIGINATOR = EXAMPLE
... META_START
... OBJECT_NAME = ISS
... OBJECT_ID = 1998-067-A
... CENTER_NAME = Earth
... REF_FRAME = EME2000
... TIME_SYSTEM = UTC
... START_TIME = 2025-11-24T12:00:00.000
... STOP_TIME = 2025-11-24T12:04:00.000
... META_STOP
... COMMENT MASS=494318.80
... 2025-11-24T12:00:00.000 4594.538080583650 -518.497562387511 4971.920043568070 3.04885405621686 6.70589447957430 -2.11599401224387
... 2025-11-24T12:04:00.000 5150.248991680720 1090.219612187710 4288.909011330730 1.55361009982137 6.61819173620871 -3.54107187878101
... '''
>>> oem = parse_oem(text)
>>> seg = oem.segments[0]
>>> seg.object_name, seg.frame, len(seg), float(seg.r_m[0, 0]), float(seg.t_s[-1])
('ISS', 'EME2000', 2, 4594538.080583651, 240.0)
>>> oem.spacecraft.mass_kg
494318.8
>>> parse_oem(text.replace("TIME_SYSTEM = UTC", "TIME_SYSTEM = MET"))
Traceback (most recent call last):
...
gyrfalcon.errors.OEMFormatError: <string>, line 9: TIME_SYSTEM 'MET' is not supported; use one of UTC, TAI, TT, GPS, TDB, UT1
"""
from __future__ import annotations

import datetime as _dt
import gzip
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import EphemerisSamplingError, InputError, OEMFormatError, OEMGapError
from ..orbits.ephemeris import DEFAULT_MAX_INTERPOLATION_ERROR_M, Ephemeris

REQUIRED_HEADER = ("CCSDS_OEM_VERS", "CREATION_DATE", "ORIGINATOR")
"""Header keys an OEM must have."""
REQUIRED_METADATA = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM",
                     "START_TIME", "STOP_TIME")
"""Metadata keys every OEM segment must have."""
OPTIONAL_METADATA = ("REF_FRAME_EPOCH", "USEABLE_START_TIME", "USEABLE_STOP_TIME",
                     "INTERPOLATION", "INTERPOLATION_DEGREE")
OPTIONAL_HEADER = ("MESSAGE_ID", "CLASSIFICATION")
"""Header keys an OEM may have besides :data:`REQUIRED_HEADER` (OEM 3.0)."""
COVARIANCE_KEYS = ("EPOCH", "COV_REF_FRAME")
"""Keywords of a covariance block (before each lower-triangular 6x6 matrix)."""
SUPPORTED_VERSIONS = ("1.0", "2.0", "3.0")
SUPPORTED_TIME_SYSTEMS = ("UTC", "TAI", "TT", "GPS", "TDB", "UT1")
"""``TIME_SYSTEM`` values Gyrfalcon reads."""
_OEM_FRAMES = {
    "EME2000": "EME2000", "J2000": "EME2000", "GCRF": "GCRF", "ICRF": "GCRF", "TEME": "TEME",
    "ITRF": "ITRF", "ITRF93": "ITRF", "ITRF-93": "ITRF", "ITRF97": "ITRF", "ITRF-97": "ITRF",
    "ITRF2000": "ITRF", "ITRF2005": "ITRF", "ITRF2008": "ITRF", "ITRF2014": "ITRF",
    "ITRF2020": "ITRF",
}
"""``REF_FRAME`` values Gyrfalcon reads -> Gyrfalcon frame names."""
_FRAME_TO_OEM = {"GCRF": "GCRF", "EME2000": "EME2000", "TEME": "TEME", "ITRF": "ITRF2014"}
COV_CELESTIAL_FRAMES = ("EME2000", "J2000", "GCRF", "ICRF", "TEME", "TOD", "GTOD", "TDR", "GRC", "ITRF") + tuple(
    f"ITRF{y}" for y in (1988, 1989, 1990, 1991, 1992, 1993, 1994, 1996, 1997, 2000, 2005, 2008, 2014, 2020))
"""Earth frames a covariance's ``COV_REF_FRAME`` may name: those of ``REF_FRAME`` plus the other
Earth frames of Orekit's CCSDS ``CelestialBodyFrame`` (TOD, GTOD, TDR, GRC, every ITRF
realisation; written with or without dashes, ``ITRF97`` = ``ITRF1997``, as Orekit reads them)."""
COV_ORBIT_FRAMES = ("RTN", "RSW", "RIC", "QSW", "TNW", "NTW", "VNC", "LVLH", "EQW", "NSW", "PQW", "SEZ")
"""Local orbital frames a ``COV_REF_FRAME`` may name (CCSDS 502.0-B-3 annex; Orekit's
``OrbitRelativeFrame``), each also with an ``_INERTIAL``/``_ROTATING`` suffix."""
_COV_NAMES = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")

_KEY_VALUE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$")
_EPOCH_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)Z?$")
_EPOCH_DOY = re.compile(r"^(\d{4})-(\d{3})T(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)Z?$")
_DATA_FORMAT = ("'EPOCH X Y Z X_DOT Y_DOT Z_DOT' (optionally followed by X_DDOT Y_DDOT Z_DDOT), "
                "e.g. '2025-11-24T12:00:00.000 4594.538 -518.497 4971.920 3.0488 6.7058 -2.1159' "
                "in km and km/s")


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpacecraftProperties:
    """Spacecraft figures NASA prints in an ISS OEM's comments (``Units are in kg and m^2``).

    Attributes: ``mass_kg`` [kg], ``drag_area_m2`` [m^2], ``drag_coeff`` [-],
    ``solar_rad_area_m2`` [m^2], ``solar_rad_coeff`` [-]; ``None`` when absent.
    """

    mass_kg: float | None = None
    drag_area_m2: float | None = None
    drag_coeff: float | None = None
    solar_rad_area_m2: float | None = None
    solar_rad_coeff: float | None = None


@dataclass(frozen=True)
class AscendingNode:
    """An ascending node line of an ISS OEM (``ISS first asc. node: EPOCH = ... $ ORBIT = ...``).

    ``lan_deg`` is NASA's ``LAN(DEG)``: the *geographic* longitude [deg, -180..180] where the
    orbit crosses the Earth-fixed (ITRF) equator northbound at ``epoch``, not a right
    ascension. Checked on the 44 node lines of 22 NASA files (2023-2026): the file's own
    ephemeris converted to ITRF has z within 20 m of 0 and longitude within 0.0004 deg of
    ``lan_deg`` at ``epoch``.
    """

    label: str
    epoch: Any
    orbit: int
    lan_deg: float

    @property
    def lan_rad(self) -> float:
        """Longitude of the ascending node [rad]."""
        return math.radians(self.lan_deg)


@dataclass(frozen=True)
class TrajectoryEvent:
    """One row of an ISS OEM ``TRAJECTORY EVENT SUMMARY`` (a plan at the file's creation).

    Attributes: ``name`` (as printed, NASA truncates it to 20 characters), ``tig`` (time of
    ignition or of the event, a skyfield ``Time``, UTC), ``orbit`` (NASA's orbit count, ``None``
    when the column is blank), ``dv_mps`` [m/s], ``ha_km`` / ``hp_km`` (apogee and perigee
    heights after the event [km], as NASA prints them).
    """

    name: str
    tig: Any
    orbit: int | None
    dv_mps: float
    ha_km: float
    hp_km: float

    @property
    def ha_m(self) -> float:
        return self.ha_km * 1000.0

    @property
    def hp_m(self) -> float:
        return self.hp_km * 1000.0


@dataclass(frozen=True)
class UnreadEvent:
    """A ``TRAJECTORY EVENT SUMMARY`` row that could not be read: its ``text`` as written, its
    KVN ``line`` (0 when unknown: XML), what was wrong (``reason``), its ``tig`` (UTC ``Time``)
    when that field was readable (else None) and whether it names a burn (``burn``: a name of
    :data:`BURN_NAME_PATTERN` or a readable non-zero dv)."""

    text: str
    line: int
    reason: str
    tig: Any = None
    burn: bool = False

    def where(self) -> str:
        """``line N: 'text'`` (or the text alone when the line is unknown)."""
        return (f"line {self.line}: " if self.line else "") + repr(self.text)


@dataclass(frozen=True, eq=False)
class OEMCovariance:
    """One covariance matrix of an OEM segment.

    Attributes: ``epoch`` (skyfield ``Time``), ``frame`` (the ``COV_REF_FRAME`` as written, or
    ``None`` when absent: the segment's ``REF_FRAME``), ``matrix`` (6x6, symmetric, position
    and velocity in m and m/s: m**2, m**2/s, m**2/s**2; read-only), ``line`` (KVN line of its
    ``EPOCH``, 0 for XML).
    """

    epoch: Any
    frame: str | None
    matrix: np.ndarray
    line: int = 0

    def __post_init__(self):
        m = np.array(self.matrix, dtype=float, copy=True).reshape(6, 6)
        m.flags.writeable = False
        object.__setattr__(self, "matrix", m)


@dataclass(frozen=True, eq=False)
class OEMSegment:
    """One OEM segment: metadata, comments and samples in the file's frame and SI units.

    Attributes
    ----------
    metadata : dict
        Metadata keys -> values exactly as written (strings).
    comments : tuple of str
        The segment's ``COMMENT`` texts, in order.
    epoch : skyfield ``Time``
        Time of the first sample; ``t_s`` counts TT seconds from it.
    t_s : ndarray (N,)
        Sample times [s of TT since ``epoch``], strictly increasing.
    r_m, v_mps : ndarray (N, 3)
        Positions [m] and velocities [m/s] in :attr:`frame`.
    a_mps2 : ndarray (N, 3) or None
        Accelerations [m/s^2] when the file has the optional columns (NaN on the lines
        without them).
    first_line : int
        Line (KVN, 1-based) of the segment's ``META_START``.
    covariances : tuple of :class:`OEMCovariance`
        The segment's covariance matrices, in file order.
    """

    metadata: dict
    comments: tuple
    epoch: Any
    t_s: np.ndarray
    r_m: np.ndarray
    v_mps: np.ndarray
    a_mps2: np.ndarray | None = None
    first_line: int = 0
    covariances: tuple = ()

    def __post_init__(self):
        # read-only copies: parsed files are cached and shared (see orbits.iss)
        for name in ("t_s", "r_m", "v_mps", "a_mps2"):
            a = getattr(self, name)
            if a is not None:
                a = np.array(a, dtype=float, copy=True)
                a.flags.writeable = False
                object.__setattr__(self, name, a)

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def covariance_count(self) -> int:
        """Number of covariance matrices."""
        return len(self.covariances)

    @property
    def object_name(self) -> str:
        return self.metadata["OBJECT_NAME"]

    @property
    def object_id(self) -> str:
        return self.metadata["OBJECT_ID"]

    @property
    def center_name(self) -> str:
        return self.metadata["CENTER_NAME"]

    @property
    def frame(self) -> str:
        """Gyrfalcon name of the segment's ``REF_FRAME`` (GCRF, EME2000, TEME or ITRF)."""
        return _OEM_FRAMES[self.metadata["REF_FRAME"].strip().upper()]

    @property
    def time_system(self) -> str:
        return self.metadata["TIME_SYSTEM"].strip().upper()

    @property
    def start(self):
        """``START_TIME`` as a ``Time``."""
        return _parse_epochs([self.metadata["START_TIME"]], self.time_system)

    @property
    def stop(self):
        """``STOP_TIME`` as a ``Time``."""
        return _parse_epochs([self.metadata["STOP_TIME"]], self.time_system)

    @property
    def useable_start(self):
        """``USEABLE_START_TIME`` as a ``Time`` (``START_TIME`` when absent)."""
        v = self.metadata.get("USEABLE_START_TIME", self.metadata["START_TIME"])
        return _parse_epochs([v], self.time_system)

    @property
    def useable_stop(self):
        """``USEABLE_STOP_TIME`` as a ``Time`` (``STOP_TIME`` when absent)."""
        v = self.metadata.get("USEABLE_STOP_TIME", self.metadata["STOP_TIME"])
        return _parse_epochs([v], self.time_system)

    @property
    def interpolation(self) -> str | None:
        v = self.metadata.get("INTERPOLATION")
        return v.strip().upper() if v else None

    @property
    def interpolation_degree(self) -> int | None:
        v = self.metadata.get("INTERPOLATION_DEGREE")
        return int(v) if v not in (None, "") else None

    @property
    def times(self):
        """All sample instants as one ``Time`` array."""
        from ..time import add_seconds

        return add_seconds(self.epoch, self.t_s)


@dataclass(frozen=True, eq=False)
class OEM:
    """A parsed Orbit Ephemeris Message.

    Attributes
    ----------
    version : str
        ``CCSDS_OEM_VERS``.
    creation_date : skyfield ``Time``
        ``CREATION_DATE`` (UTC).
    originator : str
        ``ORIGINATOR``.
    segments : tuple of :class:`OEMSegment`
    header : dict
        All header keys as written.
    header_comments : tuple of str
    spacecraft : :class:`SpacecraftProperties` or None
        From NASA-style ``MASS=`` ... comments.
    ascending_nodes : tuple of :class:`AscendingNode`
    events : tuple of :class:`TrajectoryEvent`
    notes : tuple of str
        What was dropped or tolerated while reading (duplicate data lines, data outside
        START/STOP, data ending before STOP_TIME or starting after START_TIME, event lines not
        understood); the station loader shows each as a warning.
    source : str
        Path (or ``<string>``) it was read from.
    unread_burns : tuple of :class:`UnreadEvent`
        Event-summary rows that name a burn but could not be read (also in ``notes``): the
        station loader refuses a prediction past the samples with them (the burn cannot be
        applied) and warns otherwise.
    """

    version: str
    creation_date: Any
    originator: str
    segments: tuple
    header: dict = field(default_factory=dict)
    header_comments: tuple = ()
    spacecraft: SpacecraftProperties | None = None
    ascending_nodes: tuple = ()
    events: tuple = ()
    notes: tuple = ()
    source: str = "<string>"
    unread_burns: tuple = ()

    @property
    def start(self):
        """First sample instant of the earliest segment."""
        return min((s.epoch for s in self.segments), key=lambda t: (t.whole, t.tt_fraction))

    @property
    def object_names(self) -> tuple:
        return tuple(dict.fromkeys(s.object_name for s in self.segments))

    def ephemeris(self, frame: str = "GCRF", *, object_name: str | None = None,
                  degree: int | None = None,
                  max_error_m: float | None = DEFAULT_MAX_INTERPOLATION_ERROR_M) -> Ephemeris:
        """All segments (of one object) as one :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`.

        Segments stay separate (``segment_starts``), sorted by their first sample; samples are
        converted to ``frame`` with :func:`convert_samples` (:mod:`gyrfalcon.frames`).
        Interpolation is Hermite (positions and velocities) on ``degree + 1`` samples;
        ``degree`` is the argument, else the file's ``INTERPOLATION_DEGREE`` when every segment
        gives the same one (whatever its ``INTERPOLATION``, as Orekit reads it), else 8.
        ``mass_kg`` is filled from the ``MASS`` comment when present. ``meta`` holds
        ``source``, ``originator``, ``creation_date``, ``object_id``, ``spacecraft``,
        ``events``, ``unread_burns`` and ``sampling`` (the
        :class:`~gyrfalcon.orbits.ephemeris.SamplingReport`).
        The reads are bounded by each segment's ``USEABLE_START_TIME``/``USEABLE_STOP_TIME``
        when given (``valid_s``; as Orekit's ``OemSegment``), and an instant between two segments
        that do not meet is refused (no extrapolation).

        Raises :class:`~gyrfalcon.errors.OEMFormatError` for fewer than two data lines, and
        :class:`~gyrfalcon.errors.OEMGapError` when a step is longer than a quarter of
        the orbital period or the estimated interpolation error exceeds ``max_error_m`` [m]
        (``None``: no check, the samples used as they are).
        """
        from ..orbits.state import canonical_frame
        from ..time import seconds_between

        target = canonical_frame(frame)
        segs = list(self.segments)
        names = self.object_names
        if object_name is not None:
            segs = [s for s in segs if s.object_name == object_name]
            if not segs:
                raise InputError(f"{self.source} has no segment for OBJECT_NAME '{object_name}'; "
                                 f"it has {', '.join(names)}")
        elif len(names) > 1:
            raise InputError(f"{self.source}: the file holds {len(names)} objects ({', '.join(names)}): give a "
                             "file with one object, or from Python choose one with "
                             "ephemeris(object_name=...)")
        segs.sort(key=lambda s: (s.epoch.whole, s.epoch.tt_fraction))
        epoch = segs[0].epoch
        t_parts, r_parts, v_parts, starts = [], [], [], []
        n = 0
        for s in segs:
            offset = float(seconds_between(epoch, s.epoch))
            r, v = convert_samples(s.epoch, s.t_s, s.r_m, s.v_mps, s.frame, target)
            starts.append(n)
            n += len(s)
            t_parts.append(s.t_s + offset)
            r_parts.append(r)
            v_parts.append(v)
        if degree is None:
            degs = {s.interpolation_degree for s in segs}
            degree = 8
            if len(degs) == 1:
                deg = degs.pop()
                if deg:
                    degree = deg
        t_all = np.concatenate(t_parts)
        if len(t_all) < 2:
            raise OEMFormatError(f"{self.source}: the file holds {len(t_all)} data line; an ephemeris needs at least 2 "
                                 f"(interpolation uses {int(degree) + 1 if degree else 9} around each instant): give "
                                 "an OEM with the samples around the times you need")
        valid = _useable_spans(segs, t_parts, epoch, self.source)
        mass = None
        if self.spacecraft is not None and self.spacecraft.mass_kg is not None:
            mass = np.full(len(t_all), float(self.spacecraft.mass_kg))
        meta = {"source": self.source, "originator": self.originator,
                "creation_date": self.creation_date, "object_id": segs[0].object_id,
                "spacecraft": self.spacecraft, "events": self.events,
                "ascending_nodes": self.ascending_nodes, "unread_burns": self.unread_burns}
        eph = Ephemeris(epoch, t_all, np.concatenate(r_parts), np.concatenate(v_parts),
                        target, segs[0].object_name, tuple(starts), mass, meta, int(degree), valid)
        if max_error_m is not None:
            try:
                meta["sampling"] = eph.check_sampling(max_error_m)
            except EphemerisSamplingError as exc:
                raise OEMGapError(f"{self.source}: {exc}") from None
        return eph


def _useable_spans(segs, t_parts, epoch, source) -> tuple:
    """The segments' useable spans [s of TT since ``epoch``] when any segment gives
    ``USEABLE_START_TIME``/``USEABLE_STOP_TIME`` (as Orekit's ``OemSegment`` covers its useable
    span only; the samples outside it still serve the interpolation near its ends), each clipped
    to the segment's samples; () when none does (every segment's samples are its span)."""
    from ..time import seconds_between

    if not any("USEABLE_START_TIME" in s.metadata or "USEABLE_STOP_TIME" in s.metadata for s in segs):
        return ()
    out = []
    for s, t in zip(segs, t_parts):
        lo, hi = float(t[0]), float(t[-1])
        if "USEABLE_START_TIME" in s.metadata:
            lo = max(lo, float(seconds_between(epoch, s.useable_start)))
        if "USEABLE_STOP_TIME" in s.metadata:
            hi = min(hi, float(seconds_between(epoch, s.useable_stop)))
        if hi >= lo:
            out.append((lo, hi))
    if not out:
        raise OEMFormatError(f"{source}: no segment's USEABLE_START_TIME..USEABLE_STOP_TIME overlaps its data lines; "
                             "correct the useable times or remove them")
    return tuple(out)


# --------------------------------------------------------------------------------------
# frames
# --------------------------------------------------------------------------------------
def convert_samples(epoch, t_s, r_m, v_mps, source: str, target: str):
    """Positions [m] and velocities [m/s] at ``epoch + t_s`` [TT s] from frame ``source`` to ``target``.

    Vectorised over the samples with :mod:`gyrfalcon.frames` (through GCRF: EME2000 by the
    constant frame bias, TEME and ITRF by their time-dependent rotations).
    """
    from .. import frames
    from ..orbits.state import canonical_frame

    source, target = canonical_frame(source), canonical_frame(target)
    r = np.asarray(r_m, dtype=float).reshape(-1, 3)
    v = np.asarray(v_mps, dtype=float).reshape(-1, 3)
    if source == target:
        return r.copy(), v.copy()
    t = None
    if {source, target} - {"GCRF", "EME2000"}:
        from ..time import add_seconds

        t = add_seconds(epoch, np.asarray(t_s, dtype=float).reshape(-1))
        if len(r) == 1:
            t = t[0]
    if source == "EME2000":
        r, v = frames.eme2000_to_gcrf(r, v)
    elif source == "TEME":
        r, v = frames.teme_to_gcrf(t, r, v)
    elif source == "ITRF":
        r, v = frames.itrf_to_gcrf(t, r, v)
    if target == "EME2000":
        r, v = frames.gcrf_to_eme2000(r, v)
    elif target == "TEME":
        r, v = frames.gcrf_to_teme(t, r, v)
    elif target == "ITRF":
        r, v = frames.gcrf_to_itrf(t, r, v)
    return np.asarray(r, dtype=float).reshape(-1, 3), np.asarray(v, dtype=float).reshape(-1, 3)


# --------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------
def load_oem(path) -> OEM:
    """Read an OEM file (KVN or XML; gzip recognised by content; CRLF or LF).

    Reading checks the format only; whether the sampling carries an interpolation is
    checked when the samples become an ephemeris (:meth:`OEM.ephemeris`).
    """
    from .files import read_input_bytes

    p, raw = read_input_bytes(path, "OEM", OEMFormatError,
                              "give the path of a CCSDS OEM (.txt, .oem, .xml, optionally .gz)")
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise OEMFormatError(f"{p}: gzip data is damaged ({exc}); re-download the file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return parse_oem(text, str(p))


def parse_oem(text: str, source: str = "<string>") -> OEM:
    """Parse the text of an OEM (KVN or XML), see :func:`load_oem`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.lstrip().startswith("<"):
        return _parse_xml(text, source)
    return _parse_kvn(text, source)


class _RawSegment:
    def __init__(self, line_no):
        self.first_line = line_no
        self.meta: dict = {}
        self.meta_lines: dict = {}
        self.comments: list = []
        self.comment_lines: list = []   # KVN line of each comment (0 in XML)
        self.epochs: list = []      # epoch strings
        self.rows: list = []        # float lists
        self.lines: list = []       # line numbers of data rows
        self.covs: list = []        # [epoch string, frame or None, rows (list of lists), line]


def _parse_kvn(text, source):
    return _KvnReader(source).read(text)


class _KvnReader:
    """The KVN form of an OEM read line by line: header, then segments of metadata, data lines and
    optional covariance blocks. ``state`` names the part being read (``HEADER``, ``META``,
    ``DATA``, ``COV``); each has a method that reads its lines and refuses, with the line number,
    what does not belong there. Private to :func:`_parse_kvn` (mutable while it reads)."""

    def __init__(self, source):
        self.source = source
        self.header: dict = {}
        self.header_lines: dict = {}
        self.header_comments: list = []
        self.header_comment_lines: list = []
        self.segs: list = []
        self.state = "HEADER"
        self.cov_start = 0

    def read(self, text):
        readers = {"HEADER": self._header, "META": self._meta, "DATA": self._data, "COV": self._cov}
        for i, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            if line == "COMMENT" or line.startswith("COMMENT ") or line.startswith("COMMENT\t"):
                self._comment(i, line[7:].strip())
                continue
            readers[self.state](i, line)
        self._check_end()
        return _build(self.header, self.header_comments, self.segs, self.source, self.header_comment_lines)

    def _comment(self, i, text_c):
        if self.state == "HEADER":
            self.header_comments.append(text_c)
            self.header_comment_lines.append(i)
        elif self.state != "COV":
            self.segs[-1].comments.append(text_c)
            self.segs[-1].comment_lines.append(i)
        elif self.segs[-1].covs:
            raise OEMFormatError(f"{self.source}, line {i}: COMMENT inside a covariance matrix; comments go at the "
                                 "start of the covariance block, before its first EPOCH")

    def _header(self, i, line):
        source, header = self.source, self.header
        if line == "META_START":
            _check_header(header, self.header_lines, source)
            self.segs.append(_RawSegment(i))
            self.state = "META"
            return
        m = _KEY_VALUE.match(line)
        if not m:
            raise OEMFormatError(f"{source}, line {i}: expected 'KEY = value' in the header, found "
                                 f"{line[:80]!r}; the header holds CCSDS_OEM_VERS, CREATION_DATE, "
                                 "ORIGINATOR (and COMMENT lines), then META_START")
        if not header and m.group(1) != "CCSDS_OEM_VERS":
            raise OEMFormatError(f"{source}, line {i}: an OEM must start with 'CCSDS_OEM_VERS = 2.0', "
                                 f"found {line[:80]!r}")
        if m.group(1) not in REQUIRED_HEADER + OPTIONAL_HEADER:
            raise OEMFormatError(f"{source}, line {i}: unknown header keyword {m.group(1)} ({line[:80]!r}); "
                                 f"an OEM header holds {', '.join(REQUIRED_HEADER + OPTIONAL_HEADER)} and COMMENT")
        if m.group(1) in header:
            raise OEMFormatError(f"{source}, line {i}: header key {m.group(1)} appears twice "
                                 f"(first at line {self.header_lines[m.group(1)]}); keep one")
        header[m.group(1)] = m.group(2)
        self.header_lines[m.group(1)] = i

    def _meta(self, i, line):
        source, seg = self.source, self.segs[-1]
        if line == "META_STOP":
            _check_metadata(seg, source, len(self.segs))
            self.state = "DATA"
            return
        m = _KEY_VALUE.match(line)
        if not m:
            raise OEMFormatError(f"{source}, line {i}: expected 'KEY = value' between META_START "
                                 f"(line {seg.first_line}) and META_STOP, found {line[:80]!r}")
        key = m.group(1)
        if key not in REQUIRED_METADATA + OPTIONAL_METADATA:
            raise OEMFormatError(f"{source}, line {i}: unknown metadata keyword {key} ({line[:80]!r}); "
                                 f"OEM metadata holds {', '.join(REQUIRED_METADATA + OPTIONAL_METADATA)} "
                                 "and COMMENT")
        if key in seg.meta:
            raise OEMFormatError(f"{source}, line {i}: metadata key {key} appears twice in the segment "
                                 f"starting at line {seg.first_line} (first at line {seg.meta_lines[key]})")
        seg.meta[key] = m.group(2)
        seg.meta_lines[key] = i

    def _data(self, i, line):
        source = self.source
        if line == "META_START":
            self.segs.append(_RawSegment(i))
            self.state = "META"
            return
        if line == "COVARIANCE_START":
            self.state, self.cov_start = "COV", i
            return
        if line in ("META_STOP", "COVARIANCE_STOP"):
            raise OEMFormatError(f"{source}, line {i}: {line} without a matching start; "
                                 "check the META_START/COVARIANCE_START lines")
        m = _KEY_VALUE.match(line)
        if m:
            raise OEMFormatError(f"{source}, line {i}: keyword {m.group(1)} among the data lines ({line[:80]!r}); "
                                 "after META_STOP come COMMENT and data lines only (metadata goes between "
                                 "META_START and META_STOP)")
        parts = line.split()
        if len(parts) not in (7, 10):
            raise OEMFormatError(f"{source}, line {i}: data line has {len(parts)} fields: {line[:120]!r}; "
                                 f"expected 7 or 10 fields, {_DATA_FORMAT}")
        try:
            row = [float(x) for x in parts[1:]]
        except ValueError:
            raise OEMFormatError(f"{source}, line {i}: data line has a value that is not a number: "
                                 f"{line[:120]!r}; expected {_DATA_FORMAT}") from None
        if not all(math.isfinite(x) for x in row):
            raise OEMFormatError(f"{source}, line {i}: data line has a non-finite value: {line[:120]!r}")
        if not (_EPOCH_YMD.match(parts[0]) or _EPOCH_DOY.match(parts[0])):
            raise OEMFormatError(f"{source}, line {i}: epoch {parts[0]!r} is not a CCSDS time; expected "
                                 "YYYY-MM-DDThh:mm:ss[.fff] or YYYY-DDDThh:mm:ss[.fff]")
        seg = self.segs[-1]
        seg.epochs.append(parts[0])
        seg.rows.append(row)
        seg.lines.append(i)

    def _cov(self, i, line):
        source, seg, cov_start = self.source, self.segs[-1], self.cov_start
        if line == "COVARIANCE_STOP":
            _check_cov_complete(seg, source, f"COVARIANCE_STOP at line {i}")
            self.state = "DATA"
            return
        if line == "META_START":
            raise OEMFormatError(f"{source}, line {i}: META_START inside the covariance block opened at "
                                 f"line {cov_start}; close it with COVARIANCE_STOP")
        m = _KEY_VALUE.match(line)
        if m:
            self._cov_keyword(i, line, m.group(1), m.group(2))
            return
        if not seg.covs:
            raise OEMFormatError(f"{source}, line {i}: covariance values before any 'EPOCH = ...' line in the "
                                 f"block opened at line {cov_start}")
        rows = seg.covs[-1][2]
        try:
            vals = [float(x) for x in line.split()]
        except ValueError:
            raise OEMFormatError(f"{source}, line {i}: covariance row has a value that is not a number: "
                                 f"{line[:120]!r}") from None
        if len(rows) >= 6:
            raise OEMFormatError(f"{source}, line {i}: a seventh covariance row ({line[:80]!r}); an OEM covariance "
                                 "is the 6x6 lower triangle (6 rows of 1 to 6 values) after each EPOCH")
        if len(vals) != len(rows) + 1:
            raise OEMFormatError(f"{source}, line {i}: covariance row {len(rows) + 1} has {len(vals)} values "
                                 f"({line[:80]!r}); row k of the lower triangle has k values")
        bad = next((k for k, x in enumerate(vals) if not math.isfinite(x)), None)
        if bad is not None:
            name = f"C{_COV_NAMES[len(rows)]}_{_COV_NAMES[bad]}"
            raise OEMFormatError(f"{source}, line {i}: covariance entry {name} (row {len(rows) + 1}, column {bad + 1}) "
                                 f"is {line.split()[bad]!r}, not a finite number: {line[:120]!r}; give the lower "
                                 "triangle in finite numbers (km**2, km**2/s, km**2/s**2)")
        _check_cov_row(vals, rows, f"{source}, line {i}", seg.covs[-1][0])
        rows.append(vals)

    def _cov_keyword(self, i, line, key, value):
        """A covariance matrix starts with ``EPOCH = ...``, optionally ``COV_REF_FRAME = ...``."""
        source, seg = self.source, self.segs[-1]
        if key == "EPOCH":
            _check_cov_complete(seg, source, f"EPOCH at line {i}")
            if not (_EPOCH_YMD.match(value) or _EPOCH_DOY.match(value)):
                raise OEMFormatError(f"{source}, line {i}: covariance EPOCH {value!r} is not a CCSDS time")
            seg.covs.append([value, None, [], i])
        elif key == "COV_REF_FRAME" and seg.covs and not seg.covs[-1][2] and seg.covs[-1][1] is None:
            _check_cov_frame(value, f"{source}, line {i}")
            seg.covs[-1][1] = value
        else:
            raise OEMFormatError(f"{source}, line {i}: unexpected keyword {key} in the covariance block "
                                 f"opened at line {self.cov_start} ({line[:80]!r}); each matrix is 'EPOCH = ...', "
                                 "optionally 'COV_REF_FRAME = ...', then 6 rows of the lower triangle")

    def _check_end(self):
        source = self.source
        if self.state == "HEADER":
            if not self.header:
                raise OEMFormatError(f"{source}: empty or not an OEM (no 'CCSDS_OEM_VERS = 2.0' line)")
            raise OEMFormatError(f"{source}: no META_START found; an OEM needs at least one segment "
                                 "(META_START ... META_STOP followed by data lines)")
        if self.state == "META":
            raise OEMFormatError(f"{source}: META_START at line {self.segs[-1].first_line} is never closed by META_STOP")
        if self.state == "COV":
            raise OEMFormatError(f"{source}: COVARIANCE_START at line {self.cov_start} is never closed by "
                                 "COVARIANCE_STOP")


def _cov_frame_key(name: str) -> str:
    """A frame name as Orekit's CCSDS parser compares it: upper case, no dashes, spaces as
    underscores, a two-digit ITRF year (88-99) written in full."""
    key = name.strip().upper().replace("-", "").replace(" ", "_")
    m = re.fullmatch(r"ITRF(\d{2})", key)
    if m and 88 <= int(m.group(1)) <= 99:
        key = f"ITRF19{m.group(1)}"
    return key


def _check_cov_frame(value: str, where: str) -> None:
    """Refuse a ``COV_REF_FRAME`` that is none of :data:`COV_CELESTIAL_FRAMES` /
    :data:`COV_ORBIT_FRAMES` (one line naming them)."""
    key = _cov_frame_key(value)
    known = set(COV_CELESTIAL_FRAMES) | set(COV_ORBIT_FRAMES) | set(_OEM_FRAMES) | {
        f"{f}_{k}" for f in COV_ORBIT_FRAMES for k in ("INERTIAL", "ROTATING")}
    if key not in {_cov_frame_key(k) for k in known}:
        raise OEMFormatError(
            f"{where}: COV_REF_FRAME {value!r} is not a frame Gyrfalcon knows; use an Earth frame (EME2000, GCRF, "
            "ICRF, TEME, TOD, GTOD, ITRF2000/2005/2008/2014/2020, ...), a local orbital frame (RTN, RSW, RIC, TNW, "
            "VNC, LVLH, ...), or drop the line (the segment's REF_FRAME is then meant)")


def _check_cov_row(vals, rows, where, epoch) -> None:
    """Refuse a covariance row whose diagonal entry (its last value) is negative: a variance is
    >= 0 (one line naming the epoch and the entry, e.g. ``CY_Y``)."""
    k = len(rows)
    if k < 6 and len(vals) == k + 1 and vals[k] < 0:
        name = f"C{_COV_NAMES[k]}_{_COV_NAMES[k]}"
        raise OEMFormatError(f"{where}: covariance entry {name} of EPOCH {epoch} is {vals[k]!r}, a negative variance; "
                             "a covariance's diagonal holds variances (>= 0, km**2 or km**2/s**2): correct the value "
                             "or the sign")


def _check_cov_complete(seg, source, where):
    if seg.covs and len(seg.covs[-1][2]) != 6:
        ep, _, rows, line = seg.covs[-1]
        raise OEMFormatError(f"{source}: {where} comes before the covariance matrix of EPOCH {ep} (line {line}) is "
                             f"complete ({len(rows)} of its 6 rows); give the 6 rows of the lower triangle")


def _check_header(header, header_lines, source):
    unknown = [k for k in header if k not in REQUIRED_HEADER + OPTIONAL_HEADER]
    if unknown:
        raise OEMFormatError(f"{source}: unknown header keyword {unknown[0]}; an OEM header holds "
                             f"{', '.join(REQUIRED_HEADER + OPTIONAL_HEADER)} and COMMENT")
    missing = [k for k in REQUIRED_HEADER if k not in header]
    if missing:
        raise OEMFormatError(f"{source}: header lacks {', '.join(missing)}; an OEM header requires "
                             f"{', '.join(REQUIRED_HEADER)}")
    v = header["CCSDS_OEM_VERS"].strip()
    if v not in SUPPORTED_VERSIONS:
        raise OEMFormatError(f"{source}, line {header_lines.get('CCSDS_OEM_VERS', 1)}: CCSDS_OEM_VERS {v!r} "
                             f"is not supported; use one of {', '.join(SUPPORTED_VERSIONS)}")


def _check_metadata(seg, source, number):
    where = f"segment {number} (META_START at line {seg.first_line})" if seg.first_line else f"segment {number}"
    missing = [k for k in REQUIRED_METADATA if not seg.meta.get(k)]
    if missing:
        raise OEMFormatError(f"{source}: {where} lacks {', '.join(missing)}; every OEM metadata block requires "
                             f"{', '.join(REQUIRED_METADATA)}")

    def at(key):
        ln = seg.meta_lines.get(key)
        return f"{source}, line {ln}" if ln else f"{source}, {where}"

    if seg.meta["CENTER_NAME"].strip().upper() != "EARTH":
        raise OEMFormatError(f"{at('CENTER_NAME')}: CENTER_NAME {seg.meta['CENTER_NAME']!r} is not supported; "
                             "Gyrfalcon reads Earth-centred ephemerides only (CENTER_NAME = EARTH)")
    if seg.meta["REF_FRAME"].strip().upper() not in _OEM_FRAMES:
        raise OEMFormatError(f"{at('REF_FRAME')}: REF_FRAME {seg.meta['REF_FRAME']!r} is not supported; use one of "
                             "EME2000, GCRF, ICRF, TEME, ITRF2000/2005/2008/2014/2020 (ITRF-93, ITRF-97)")
    if seg.meta["TIME_SYSTEM"].strip().upper() not in SUPPORTED_TIME_SYSTEMS:
        raise OEMFormatError(f"{at('TIME_SYSTEM')}: TIME_SYSTEM {seg.meta['TIME_SYSTEM']!r} is not supported; "
                             f"use one of {', '.join(SUPPORTED_TIME_SYSTEMS)}")
    for key in ("START_TIME", "STOP_TIME", "USEABLE_START_TIME", "USEABLE_STOP_TIME"):
        if key in seg.meta and not (_EPOCH_YMD.match(seg.meta[key]) or _EPOCH_DOY.match(seg.meta[key])):
            raise OEMFormatError(f"{at(key)}: {key} {seg.meta[key]!r} is not a CCSDS time; expected "
                                 "YYYY-MM-DDThh:mm:ss[.fff] or YYYY-DDDThh:mm:ss[.fff]")
    deg = seg.meta.get("INTERPOLATION_DEGREE")
    if deg is not None and not re.fullmatch(r"[-+]?\d+", deg.strip()):
        raise OEMFormatError(f"{at('INTERPOLATION_DEGREE')}: INTERPOLATION_DEGREE {deg!r} is not a whole number; "
                             "use e.g. 8")
    if deg is not None and int(deg) < 1:
        raise OEMFormatError(f"{at('INTERPOLATION_DEGREE')}: INTERPOLATION_DEGREE {deg.strip()} must be at least 1 "
                             "(interpolation uses degree + 1 samples around each instant); use e.g. 8, or drop the "
                             "keyword (8 is the default)")


def _epoch_fields(strings):
    """Calendar fields (year, month, day, hour, minute, second) arrays from CCSDS epoch strings."""
    n = len(strings)
    y = np.empty(n, dtype=int)
    mo = np.empty(n, dtype=int)
    d = np.empty(n, dtype=int)
    h = np.empty(n, dtype=int)
    mi = np.empty(n, dtype=int)
    s = np.empty(n, dtype=float)
    for k, text in enumerate(strings):
        m = _EPOCH_YMD.match(text.strip())
        if m:
            y[k], mo[k], d[k], h[k], mi[k] = (int(g) for g in m.groups()[:5])
            s[k] = float(m.group(6))
            continue
        m = _EPOCH_DOY.match(text.strip())
        if not m:
            raise OEMFormatError(f"{text!r} is not a CCSDS time; expected YYYY-MM-DDThh:mm:ss[.fff] "
                                 "or YYYY-DDDThh:mm:ss[.fff]")
        y[k], d[k], h[k], mi[k] = (int(g) for g in m.groups()[:4])
        mo[k] = 1
        s[k] = float(m.group(5))
    bad = (mo < 1) | (mo > 12) | (d < 1) | (h > 23) | (mi > 59) | (s >= 61)
    bad |= np.where(mo == 1, d > 366, d > 31)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise OEMFormatError(f"time {strings[k]!r} has a field out of range (month 1-12, day 1-31 or "
                             "day-of-year 1-366, hour 0-23, minute 0-59, second < 61)")
    return y, mo, d, h, mi, s


def _parse_epochs(strings, time_system: str):
    """Epoch strings in ``time_system`` as a skyfield ``Time`` (scalar for one string, else an array)."""
    from ..time import timescale

    ts = timescale()
    y, mo, d, h, mi, s = _epoch_fields(strings)
    system = time_system.strip().upper()
    if system == "UTC":
        t = ts.utc(y, mo, d, h, mi, s)
    elif system == "TAI":
        t = ts.tai(y, mo, d, h, mi, s)
    elif system == "GPS":
        t = ts.tai(y, mo, d, h, mi, s + 19.0)
    elif system == "TT":
        t = ts.tt(y, mo, d, h, mi, s)
    elif system == "TDB":
        t = ts.tdb(y, mo, d, h, mi, s)
    elif system == "UT1":
        t = ts.ut1(y, mo, d, h, mi, s)
    else:  # pragma: no cover - checked before
        raise OEMFormatError(f"TIME_SYSTEM {time_system!r} is not supported; use one of "
                             f"{', '.join(SUPPORTED_TIME_SYSTEMS)}")
    if len(strings) == 1:
        return t[0]
    return t


def _sample_times(epochs, system):
    """(first epoch as a ``Time``, seconds of TT of every epoch string since it)."""
    from ..time import seconds_between

    if len(epochs) == 1:
        return _parse_epochs(epochs, system), np.zeros(1)
    times = _parse_epochs(epochs, system)
    return times[0], np.asarray(seconds_between(times[0], times), dtype=float)


def _drop_repeats(raw, t_s, source, where, line_of, notes):
    """``t_s`` without the data lines that repeat an earlier line's epoch and state (as files
    joined end to end do): dropped from ``raw``, with one note saying how many, the first one's
    line and epoch. The same epoch with another state is refused, naming both lines."""
    first_at: dict = {}
    keep, repeats = [], []
    for k, t in enumerate(t_s.tolist()):
        j = first_at.setdefault(t, k)
        if j == k:
            keep.append(k)
        elif raw.rows[k] == raw.rows[j]:
            repeats.append((k, j))
        else:
            raise OEMFormatError(
                f"{source}, {line_of(k)}: epoch {raw.epochs[k]} is already at {line_of(j)} with a different state; "
                "a segment holds one state per epoch: keep the right line and remove the other, or start a new "
                "segment (META_START ... META_STOP) where the data restart")
    if not repeats:
        return t_s
    k, j = repeats[0]
    n = len(repeats)
    notes.append(f"{where}: {n} duplicate data line{'s' if n > 1 else ''} (the epoch and state of an earlier line) "
                 f"dropped, the first at {line_of(k)} (epoch {raw.epochs[k]}, a copy of {line_of(j)}); each epoch "
                 "is read once")
    raw.epochs = [raw.epochs[i] for i in keep]
    raw.rows = [raw.rows[i] for i in keep]
    raw.lines = [raw.lines[i] for i in keep]
    return t_s[keep]


SPAN_TOLERANCE_S = 1e-3
"""A segment's first/last data line may differ from its START_TIME/STOP_TIME by this much [s]
(the epochs' written precision) before the reader says the data do not cover the span."""


def _span_text(seconds: float) -> str:
    """A duration [s] in the unit that reads best (days, h, min or s)."""
    if seconds >= 86400.0:
        return f"{seconds / 86400.0:.1f} days"
    if seconds >= 3600.0:
        return f"{seconds / 3600.0:.1f} h"
    return f"{seconds / 60.0:.1f} min" if seconds >= 60.0 else f"{seconds:.3f} s"


def _short_of_span(raw, where, lo, hi, epoch, t_s, system) -> list:
    """Notes for a segment whose data start after START_TIME or end before STOP_TIME (``lo``,
    ``hi`` [s]: the first line after START_TIME, STOP_TIME after the last line): CCSDS 502.0-B-3
    has START_TIME/STOP_TIME bound the data that follow, so a gap there is a file cut short (a
    truncated download) or a wrong time. Whether the USEABLE_START/STOP_TIME span (the part meant
    for use; the rest may be padding for the interpolation) is still whole is said too."""
    from ..time import add_seconds, iso_utc, seconds_between

    out = []
    for gap, first, key, ukey in ((lo, True, "START_TIME", "USEABLE_START_TIME"),
                                  (hi, False, "STOP_TIME", "USEABLE_STOP_TIME")):
        if gap <= SPAN_TOLERANCE_S:
            continue
        edge = epoch if first else add_seconds(epoch, float(t_s[-1]))
        what = (f"the data start {iso_utc(edge, 3)}, {_span_text(gap)} after START_TIME {raw.meta[key]}" if first else
                f"the data end {iso_utc(edge, 3)}, {_span_text(gap)} before STOP_TIME {raw.meta[key]}")
        useable = ""
        if ukey in raw.meta:
            u = _parse_epochs([raw.meta[ukey]], system)
            cut = float(seconds_between(edge, u)) if first else float(seconds_between(u, edge))
            useable = (f"; the useable span ({ukey} {raw.meta[ukey]}) is cut too" if cut < -SPAN_TOLERANCE_S else
                       f"; the useable span ({ukey} {raw.meta[ukey]}) is whole, only padding is missing")
        out.append(f"{where}: {what} (CCSDS: a segment's data cover START_TIME to STOP_TIME): the file may be cut "
                   f"short{useable}; times {'before' if first else 'after'} {iso_utc(edge, 0)} are not covered; "
                   "re-download the file if it should reach further")
    return out


def _build(header, header_comments, raws, source, header_comment_lines=None) -> OEM:
    from ..time import seconds_between

    notes: list = []
    segments = []
    for number, raw in enumerate(raws, start=1):
        where = f"segment {number}" + (f" (META_START at line {raw.first_line})" if raw.first_line else "")
        if not raw.rows:
            raise OEMFormatError(f"{source}: {where} has no data lines; give at least one line "
                                 f"{_DATA_FORMAT}")
        system = raw.meta["TIME_SYSTEM"].strip().upper()
        line_of = (lambda k: f"line {raw.lines[k]}") if raw.lines and raw.lines[0] else (lambda k: f"sample {k + 1}")
        epoch, t_s = _sample_times(raw.epochs, system)
        t_s = _drop_repeats(raw, t_s, source, where, line_of, notes)
        steps = np.diff(t_s)
        if np.any(steps <= 0):
            k = int(np.argmax(steps <= 0))
            raise OEMFormatError(
                f"{source}, {line_of(k + 1)}: time {raw.epochs[k + 1]} does not come after {raw.epochs[k]} "
                f"({line_of(k)}); times must increase within a segment. Sort the lines, or start a new segment "
                "(META_START ... META_STOP) where the data restart")
        width = max(len(r) for r in raw.rows)
        rows = [r + [math.nan] * (width - len(r)) for r in raw.rows]
        raw.rows = rows
        data = np.asarray(raw.rows, dtype=float) * 1000.0
        acc = data[:, 6:9].copy() if data.shape[1] == 9 else None
        # data outside START/STOP is tolerated with a note
        start = _parse_epochs([raw.meta["START_TIME"]], system)
        stop = _parse_epochs([raw.meta["STOP_TIME"]], system)
        lo = float(seconds_between(start, epoch))
        hi = float(seconds_between(epoch, stop)) - t_s[-1]
        if lo < -1e-3 or hi < -1e-3:
            notes.append(f"{where}: data extend beyond START_TIME/STOP_TIME "
                         f"({raw.meta['START_TIME']} .. {raw.meta['STOP_TIME']}); kept")
        notes.extend(_short_of_span(raw, where, lo, hi, epoch, t_s, system))
        covs = []
        for ep, frame, cov_rows, line in raw.covs:
            m = np.zeros((6, 6))
            for i_row, vals in enumerate(cov_rows):
                m[i_row, :len(vals)] = vals
            m = np.tril(m) + np.tril(m, -1).T
            covs.append(OEMCovariance(_parse_epochs([ep], system), frame, m * 1e6, line))
        segments.append(OEMSegment(dict(raw.meta), tuple(raw.comments), epoch, t_s, data[:, 0:3].copy(),
                                   data[:, 3:6].copy(), acc, raw.first_line, tuple(covs)))
    try:
        creation = _parse_epochs([header["CREATION_DATE"]], "UTC")
    except OEMFormatError as exc:
        raise OEMFormatError(f"{source}: CREATION_DATE: {exc}") from None
    all_comments = list(header_comments)
    all_lines = list(header_comment_lines or [0] * len(header_comments))
    for s, raw in zip(segments, raws):
        all_comments.extend(s.comments)
        all_lines.extend(raw.comment_lines if len(raw.comment_lines) == len(s.comments) else [0] * len(s.comments))
    spacecraft = _spacecraft(all_comments, source)
    start_ref = segments[0]
    nodes = _ascending_nodes(all_comments, start_ref.time_system)
    events, ev_notes, unread = _events(all_comments, start_ref.metadata["START_TIME"], all_lines)
    notes.extend(ev_notes)
    return OEM(header["CCSDS_OEM_VERS"].strip(), creation, header["ORIGINATOR"].strip(), tuple(segments),
               dict(header), tuple(header_comments), spacecraft, nodes, tuple(events), tuple(notes), source,
               tuple(unread))


# --------------------------------------------------------------------------------------
# NASA ISS comment blocks
# --------------------------------------------------------------------------------------
_PROP = re.compile(r"^(MASS|DRAG_AREA|DRAG_COEFF|SOLAR_RAD_AREA|SOLAR_RAD_COEFF)\s*=\s*(.*?)\s*$")
_NUMBER = re.compile(r"[-+]?[0-9.]+(?:[Ee][-+]?\d+)?")
_DRAG_KEYS = {"MASS": ("kg", "the drag is then estimated with an assumed ISS mass"),
              "DRAG_AREA": ("m^2", "the drag is then estimated with an assumed ISS area"),
              "DRAG_COEFF": ("dimensionless", "the drag is estimated with the default Cd either way: the file's "
                                              "Cd is never used as is")}
"""The comment keywords a drag estimate reads: (unit, what happens without the line)."""
_COMMENT_UNIT = {"MASS": "kg", "DRAG_AREA": "m^2", "SOLAR_RAD_AREA": "m^2", "DRAG_COEFF": "dimensionless",
                 "SOLAR_RAD_COEFF": "dimensionless"}
"""The unit each spacecraft comment keyword is read in (NASA writes none: ``Units are in kg and m^2``)."""
_UNIT_SPELLINGS = {"kg": ("kg",), "m^2": ("m^2", "m2", "m**2", "m\u00b2"),
                   "dimensionless": ("-", "1", "dimensionless", "unitless", "nondimensional")}
"""The spellings of a unit accepted after a comment's value (any case, optionally in brackets)."""
_UNIT_EXAMPLE = {"MASS": "420000 kg", "DRAG_AREA": "1500 m^2", "SOLAR_RAD_AREA": "1500 m^2", "DRAG_COEFF": "2.2",
                 "SOLAR_RAD_COEFF": "1.3"}
_VALUE_UNIT = re.compile(r"(?P<value>[-+]?[0-9.]+(?:[Ee][-+]?\d+)?)\s*(?P<unit>.*)")
_NODE = re.compile(r"(first|last)\s+asc\.?\s*node\s*:\s*EPOCH\s*=\s*(\S+)\s*\$\s*ORBIT\s*=\s*(\d+)\s*\$\s*"
                   r"LAN\(DEG\)\s*=\s*([-+]?[0-9.]+)", re.IGNORECASE)
_TIG = re.compile(r"^(?P<name>.+?)\s+(?P<doy>\d{3}):(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d*)?)\s+(?P<rest>.*)$")


def _spacecraft(comments, source="<string>") -> SpacecraftProperties | None:
    values = {}
    for c in comments:
        m = _PROP.match(c.strip())
        if m:
            key, text = m.group(1), m.group(2)
            # an unreadable value (MASS=abc) is refused as a non-positive one is, never taken as missing
            x = _comment_value(key, text, c.strip(), source)
            if key in _DRAG_KEYS and not (math.isfinite(x) and x > 0):
                unit, without = _DRAG_KEYS[key]
                raise OEMFormatError(f"{source}: COMMENT {c.strip()}: {key} must be a positive number ({unit}); "
                                     f"give the spacecraft's value or remove the line ({without})")
            if math.isfinite(x):
                values[key] = x
    if not values:
        return None
    return SpacecraftProperties(values.get("MASS"), values.get("DRAG_AREA"), values.get("DRAG_COEFF"),
                                values.get("SOLAR_RAD_AREA"), values.get("SOLAR_RAD_COEFF"))


def _comment_value(key: str, text: str, comment: str, source: str) -> float:
    """A spacecraft comment's value (``MASS=460724.00``, ``MASS = 420000 kg``) as a float in the
    unit of :data:`_COMMENT_UNIT`, NaN when unreadable; a readable value in another unit
    (``MASS = 420 t``) is refused in one line naming the unit expected."""
    m = _VALUE_UNIT.fullmatch(text)
    if not m:
        return math.nan
    x = _comment_number(m.group("value"))
    unit = m.group("unit").strip().strip("[]()").strip()
    expected = _COMMENT_UNIT[key]
    if not unit or unit.lower() in _UNIT_SPELLINGS[expected] or math.isnan(x):
        return x
    names = _UNIT_SPELLINGS[expected][:3]
    written = f" (written {', '.join(names[:-1])} or {names[-1]})" if len(names) > 1 else ""
    want = (f"{key} is dimensionless: give a plain number" if expected == "dimensionless" else
            f"{key} is read in {expected}{written}: convert the value")
    raise OEMFormatError(f"{source}: COMMENT {comment}: unit {unit!r} is not accepted; {want}, "
                         f"e.g. '{key} = {_UNIT_EXAMPLE[key]}'")


def _comment_number(text: str) -> float:
    """A comment's value as a float, NaN when it is not a plain decimal number ('abc', '.', '1.2.3')."""
    try:
        return float(text) if _NUMBER.fullmatch(text) else math.nan
    except ValueError:
        return math.nan


def _ascending_nodes(comments, time_system) -> tuple:
    out = []
    for c in comments:
        m = _NODE.search(c)
        if m:
            epoch = _parse_epochs([m.group(2)], time_system)
            out.append(AscendingNode(m.group(1).lower(), epoch, int(m.group(3)), float(m.group(4))))
    return tuple(out)


BURN_NAME_PATTERN = re.compile(r"(?<![a-z])(reb[a-z]*|[a-z]*boost[a-z]*|debris|avoid[a-z]*|p?dam|burn[a-z]*|"
                               r"man(eu|oeu)?v[a-z]*|mnvr|phasing|trim)(?![a-z])", re.IGNORECASE)
"""Event names that say a burn: NASA's 22 ISS files (2023-2026) name theirs ``GMT092 ISS Reboost
P``, ``GMT323 93P Reb``, ``GMT 159 Cygnus Reboo`` (cut at 20 characters), the others being
Launch, Dock(ing), Undock, Capture, Release, Departure; debris avoidance manoeuvres are
``Debris Avoidance``/``DAM``/``PDAM``; ``Burn``, ``Maneuver``/``Manvr``/``Mnvr``, ``Phasing`` and
``Trim`` for the rest."""
_TIG_TEXT = re.compile(r"^(?P<name>.+?)\s+(?P<tig>\S*\d\S*:\S+)\s+(?P<rest>.*)$")


def _events(comments, start_time: str, lines=None):
    """Parse the TRAJECTORY EVENT SUMMARY table; returns (events, notes, unread rows naming a burn
    as :class:`UnreadEvent`). ``lines``: the KVN line of each comment (0 unknown)."""
    from ..time import utc

    events, notes, unread = [], [], []
    lines = list(lines) if lines is not None and len(lines) == len(comments) else [0] * len(comments)
    try:
        start_idx = next(i for i, c in enumerate(comments) if "TRAJECTORY EVENT SUMMARY" in c.upper())
    except StopIteration:
        return events, notes, unread
    y, mo, d, _, _, _ = _epoch_fields([start_time])
    year0 = int(y[0])
    doy0 = (_dt.date(year0, int(mo[0]), int(d[0])) - _dt.date(year0, 1, 1)).days + 1

    def year_of(doy):
        return year0 + 1 if doy < doy0 - 183 else (year0 - 1 if doy > doy0 + 183 else year0)

    rulers = 0
    for k in range(start_idx + 1, len(comments)):
        text = comments[k].strip()
        if not text or text.startswith("|") or text.startswith("("):
            continue
        if text.startswith("="):
            rulers += 1
            if rulers >= 2:
                break
            continue
        if text.upper().startswith("END SEQUENCE"):
            break
        row, why = _event_row(text, year_of, utc)
        if row is not None:
            events.append(row)
            continue
        bad = _unread_event(text, lines[k], why, year_of, utc)
        if bad.burn:
            unread.append(bad)
            notes.append(f"{bad.where()}: trajectory event row not understood ({bad.reason}), skipped; it names a "
                         "burn, which cannot be applied: a prediction whose drag fit or span reaches it is refused "
                         "until the line is fixed (TIG as DDD:HH:MM:SS.sss, dv, HA and HP as numbers)")
        else:
            notes.append(f"{bad.where()}: trajectory event row not understood ({bad.reason}), skipped (it names no "
                         "burn: nothing is applied for it)")
    return events, notes, unread


def _event_row(text, year_of, utc):
    """(:class:`TrajectoryEvent`, None) of a readable summary row, else (None, what is wrong)."""
    m = _TIG.match(text)
    if not m:
        t = _TIG_TEXT.match(text)
        return None, (f"its TIG {t.group('tig')!r} is not DDD:HH:MM:SS.sss" if t else
                      "no TIG DDD:HH:MM:SS.sss found")
    rest = m.group("rest").split()
    bad = next((x for x in rest if math.isnan(_comment_number(x))), None)
    if bad is not None:
        return None, f"{bad!r} is not a number"
    nums = [float(x) for x in rest]
    if len(nums) not in (3, 4):
        return None, f"{len(nums)} numbers after the TIG, expected [ORB] DV HA HP"
    orbit = int(nums[0]) if len(nums) == 4 else None
    dv, ha, hp = nums[-3:]
    tig = _tig_of(m, year_of, utc)
    if tig is None:
        return None, f"its TIG {text[m.start('doy'):m.end('s')]!r} has a field out of range"
    return TrajectoryEvent(m.group("name").strip(), tig, orbit, dv, ha, hp), None


def _tig_of(m, year_of, utc):
    """The UTC Time of a :data:`_TIG` match's DDD:HH:MM:SS.sss, or None when a field is out of range."""
    doy, h, mi, sec = int(m.group("doy")), int(m.group("h")), int(m.group("m")), float(m.group("s"))
    if not 1 <= doy <= 366 or h > 23 or mi > 59 or sec >= 61:
        return None
    return utc(year_of(doy), 1, doy, h, mi, sec)


def _unread_event(text, line, why, year_of, utc) -> UnreadEvent:
    """What is known of an unreadable summary row: its TIG when readable, and whether it names a
    burn (its name, or a readable non-zero dv in the DV column: the third number from the end)."""
    m = _TIG.match(text)
    t = None if m else _TIG_TEXT.match(text)
    name = m.group("name") if m else (t.group("name") if t else text)
    tig = _tig_of(m, year_of, utc) if m else None
    tail = text.split()[-3:]
    dv = _comment_number(tail[0]) if len(tail) == 3 else math.nan
    burn = bool(BURN_NAME_PATTERN.search(name)) or (math.isfinite(dv) and dv != 0.0
                                                     and all(math.isfinite(_comment_number(x)) for x in tail))
    return UnreadEvent(text, int(line or 0), why, tig, burn)


# --------------------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------------------
_XML_STATE = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_XML_ACC = ("X_DDOT", "Y_DDOT", "Z_DDOT")


def _local(tag: str) -> str:
    return tag.rpartition("}")[-1]


def _parse_xml(text, source):
    import xml.etree.ElementTree as ET

    if "<!ENTITY" in text:
        raise OEMFormatError(f"{source}: XML with entity declarations is refused (unsafe); "
                             "export the OEM without a DOCTYPE")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise OEMFormatError(f"{source}: not well-formed XML ({exc}); fix the file or use KVN") from None
    if _local(root.tag) != "oem":
        raise OEMFormatError(f"{source}: XML root is <{_local(root.tag)}>, expected <oem> (CCSDS OEM in NDM/XML)")
    header = {"CCSDS_OEM_VERS": root.attrib.get("version", "")}
    header_comments = []
    children = {_local(c.tag): c for c in root}
    if "header" not in children or "body" not in children:
        raise OEMFormatError(f"{source}: <oem> needs <header> and <body> elements")
    for e in children["header"]:
        if _local(e.tag) == "COMMENT":
            header_comments.append((e.text or "").strip())
        else:
            header[_local(e.tag)] = (e.text or "").strip()
    _check_header(header, {}, source)
    raws = []
    for number, seg_el in enumerate((e for e in children["body"] if _local(e.tag) == "segment"), start=1):
        raw = _RawSegment(0)
        parts = {_local(c.tag): c for c in seg_el}
        if "metadata" not in parts or "data" not in parts:
            raise OEMFormatError(f"{source}: segment {number} needs <metadata> and <data>")
        for e in parts["metadata"]:
            if _local(e.tag) == "COMMENT":
                raw.comments.append((e.text or "").strip())
            elif _local(e.tag) in REQUIRED_METADATA + OPTIONAL_METADATA:
                raw.meta[_local(e.tag)] = (e.text or "").strip()
            else:
                raise OEMFormatError(f"{source}: segment {number}: unknown metadata element <{_local(e.tag)}>; OEM "
                                     f"metadata holds {', '.join(REQUIRED_METADATA + OPTIONAL_METADATA)} and COMMENT")
        _check_metadata(raw, source, number)
        for k, sv in enumerate(parts["data"]):
            tag = _local(sv.tag)
            if tag == "COMMENT":
                raw.comments.append((sv.text or "").strip())
                continue
            if tag == "covarianceMatrix":
                raw.covs.append(_xml_covariance(sv, source, number, len(raw.covs) + 1))
                continue
            if tag != "stateVector":
                raise OEMFormatError(f"{source}: segment {number}: unexpected element <{tag}> in <data>; it holds "
                                     "COMMENT, stateVector and covarianceMatrix elements")
            fields = {_local(c.tag): (c.text or "").strip() for c in sv}
            keys = _XML_STATE + (_XML_ACC if "X_DDOT" in fields else ())
            try:
                row = [float(fields[key]) for key in keys]
                ep = fields["EPOCH"]
            except (KeyError, ValueError):
                raise OEMFormatError(
                    f"{source}: segment {number}, stateVector {len(raw.rows) + 1} is incomplete or not numeric "
                    f"({fields}); each needs EPOCH, X, Y, Z, X_DOT, Y_DOT, Z_DOT in km and km/s") from None
            if not (_EPOCH_YMD.match(ep) or _EPOCH_DOY.match(ep)):
                raise OEMFormatError(f"{source}: segment {number}, stateVector {len(raw.rows) + 1}: epoch {ep!r} "
                                     "is not a CCSDS time (YYYY-MM-DDThh:mm:ss[.fff])")
            unknown = set(fields) - {"EPOCH", *_XML_STATE, *_XML_ACC}
            if unknown:
                raise OEMFormatError(f"{source}: segment {number}, stateVector {len(raw.rows) + 1}: unexpected element "
                                     f"<{sorted(unknown)[0]}>; a stateVector holds EPOCH, X, Y, Z, X_DOT, Y_DOT, Z_DOT "
                                     "and optionally X_DDOT, Y_DDOT, Z_DDOT")
            raw.epochs.append(ep)
            raw.rows.append(row)
            raw.lines.append(0)
        raws.append(raw)
    if not raws:
        raise OEMFormatError(f"{source}: <body> has no <segment>")
    return _build(header, header_comments, raws, source)


def _xml_covariance(el, source, number, k):
    """``[epoch, frame, rows, 0]`` of a ``<covarianceMatrix>`` (elements ``CX_X`` ... ``CZ_DOT_Z_DOT``)."""
    fields = {_local(c.tag): (c.text or "").strip() for c in el if _local(c.tag) != "COMMENT"}
    where = f"{source}: segment {number}, covarianceMatrix {k}"
    ep = fields.pop("EPOCH", None)
    if ep is None or not (_EPOCH_YMD.match(ep) or _EPOCH_DOY.match(ep)):
        raise OEMFormatError(f"{where}: needs an EPOCH that is a CCSDS time, got {ep!r}")
    frame = fields.pop("COV_REF_FRAME", None)
    if frame is not None:
        _check_cov_frame(frame, where)
    rows = []
    for i, a in enumerate(_COV_NAMES):
        row = []
        for b in _COV_NAMES[:i + 1]:
            name = f"C{a}_{b}"
            if name not in fields:
                raise OEMFormatError(f"{where}: lacks <{name}>; the lower triangle CX_X ... CZ_DOT_Z_DOT has 21 elements")
            text = fields.pop(name)
            try:
                row.append(float(text))
            except ValueError:
                raise OEMFormatError(f"{where}: <{name}> is not a number") from None
            if not math.isfinite(row[-1]):
                raise OEMFormatError(f"{where}: <{name}> is {text!r}, not a finite number; give the lower triangle "
                                     "in finite numbers (km**2, km**2/s, km**2/s**2)")
        _check_cov_row(row, rows, where, ep)
        rows.append(row)
    if fields:
        raise OEMFormatError(f"{where}: unexpected element <{sorted(fields)[0]}>; a covarianceMatrix holds EPOCH, "
                             "COV_REF_FRAME and CX_X ... CZ_DOT_Z_DOT")
    return [ep, frame, rows, 0]


# --------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.16e}"


def _utc_strings(t, places: int) -> list:
    s = t.utc_iso(places=places)
    if isinstance(s, str):
        s = [s]
    return [x[:-1] if x.endswith("Z") else x for x in s]


@dataclass
class _OutSegment:
    metadata: dict
    comments: list
    epochs: list
    rows: np.ndarray  # km, km/s[, km/s^2]


def _segments_for_write(source, object_name, object_id, interpolation_degree, time_places):
    from ..time import add_seconds

    out = []
    if isinstance(source, OEM):
        for s in source.segments:
            meta = dict(s.metadata)
            times = s.times if len(s) > 1 else s.epoch
            epochs = _utc_strings(times, time_places)
            if meta["TIME_SYSTEM"].strip().upper() != "UTC":
                meta["TIME_SYSTEM"] = "UTC"
                for key in ("START_TIME", "STOP_TIME", "USEABLE_START_TIME", "USEABLE_STOP_TIME"):
                    if key in meta:
                        meta[key] = _utc_strings(_parse_epochs([s.metadata[key]], s.time_system), time_places)[0]
            with_acc = s.a_mps2 is not None and bool(np.all(np.isfinite(s.a_mps2)))
            cols = [s.r_m, s.v_mps] + ([s.a_mps2] if with_acc else [])
            out.append(_OutSegment(meta, list(s.comments), epochs, np.hstack(cols) / 1000.0))
        return out
    items = [source] if isinstance(source, Ephemeris) else list(source)
    if not items or not all(isinstance(e, Ephemeris) for e in items):
        raise InputError("write_oem needs an Ephemeris, a list of Ephemeris or an OEM; got "
                         f"{type(source).__name__}")
    for eph in items:
        bounds = list(eph.segment_starts) + [len(eph.t_s)]
        first = True
        for a, b in zip(bounds[:-1], bounds[1:]):
            times = add_seconds(eph.epoch, eph.t_s[a:b])
            epochs = _utc_strings(times, time_places)
            meta = {
                "OBJECT_NAME": object_name or eph.name,
                "OBJECT_ID": object_id or str(eph.meta.get("object_id") or "UNKNOWN"),
                "CENTER_NAME": "EARTH",
                "REF_FRAME": _FRAME_TO_OEM[eph.frame],
                "TIME_SYSTEM": "UTC",
                "START_TIME": epochs[0],
                "STOP_TIME": epochs[-1],
                "INTERPOLATION": "HERMITE",          # what Ephemeris.interpolate does (positions and velocities)
                "INTERPOLATION_DEGREE": str(interpolation_degree or eph.degree),
            }
            rows = np.hstack([eph.r_m[a:b], eph.v_mps[a:b]]) / 1000.0
            out.append(_OutSegment(meta, _spacecraft_comments(eph.meta.get("spacecraft")) if first else [],
                                   epochs, rows))
            first = False
    return out


def _spacecraft_comments(sc) -> list:
    """NASA's spacecraft comment lines (``MASS=454190.00``, ``DRAG_AREA=1526.60``, ...; kg and m^2)
    for the figures ``sc`` (:class:`SpacecraftProperties`, e.g. an ephemeris' ``meta["spacecraft"]``)
    holds, so that the file reads back with them: none for None, and never a figure ``sc`` lacks
    (no Cd, area or mass is made up)."""
    if sc is None:
        return []
    figures = [("MASS", sc.mass_kg), ("DRAG_AREA", sc.drag_area_m2), ("DRAG_COEFF", sc.drag_coeff),
               ("SOLAR_RAD_AREA", sc.solar_rad_area_m2), ("SOLAR_RAD_COEFF", sc.solar_rad_coeff)]
    lines = [f"{k}={x:.2f}" if abs(x - round(x, 2)) < 1e-9 * max(1.0, abs(x)) else f"{k}={x!r}"
             for k, x in figures if x is not None]
    return ["Units are in kg and m^2"] + lines if lines else []


_META_ORDER = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "REF_FRAME_EPOCH", "TIME_SYSTEM",
               "START_TIME", "USEABLE_START_TIME", "USEABLE_STOP_TIME", "STOP_TIME", "INTERPOLATION",
               "INTERPOLATION_DEGREE")


def _ordered(meta: dict):
    keys = [k for k in _META_ORDER if k in meta] + [k for k in meta if k not in _META_ORDER]
    return [(k, meta[k]) for k in keys]


def write_oem(path, data, *, object_name: str | None = None, object_id: str | None = None,
              originator: str = "GYRFALCON", comments: Sequence[str] | str = (),
              creation_date=None, interpolation_degree: int | None = None,
              time_places: int = 9, format: str | None = None) -> Path:
    """Write ephemerides as a CCSDS OEM 2.0 file; returns the path.

    ``data`` is an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` (each of its segments becomes an
    OEM segment, in its own frame: GCRF, EME2000, TEME or ITRF -> ``ITRF2014``), a list of them,
    or an :class:`OEM` (rewritten with its metadata and comments, in UTC). Positions in km,
    velocities in km/s, 17 significant digits; epochs in UTC with ``time_places`` decimals.
    ``comments`` (one string or several) go at the head of the first segment's data block; an
    Ephemeris whose ``meta["spacecraft"]`` holds NASA's figures (the station loader's, from an ISS
    OEM) also gets their ``MASS=``, ``DRAG_AREA=``, ... comment lines (kg, m^2; only the figures it
    holds, ``DRAG_COEFF`` only when the source had one), in KVN and XML (as ``COMMENT`` elements of
    its first ``<data>``), so that the file reads back with them.
    ``format`` is ``"kvn"`` or ``"xml"``; by default XML when the name ends ``.xml`` or
    ``.xml.gz``, else KVN. A name ending ``.gz`` is gzip-compressed.
    """
    from ..time import iso_utc, parse_utc

    p = Path(path)
    name = p.name.lower()
    fmt = (format or ("xml" if name.endswith(".xml") or name.endswith(".xml.gz") else "kvn")).lower()
    if fmt not in ("kvn", "xml"):
        raise InputError(f"OEM format {format!r} is not supported; use 'kvn' or 'xml'")
    if not (0 <= int(time_places) <= 12):
        raise InputError(f"time_places={time_places} is out of range; use 0..12 (9 keeps nanoseconds)")
    segs = _segments_for_write(data, object_name, object_id, interpolation_degree, int(time_places))
    if isinstance(comments, str):
        comments = [comments]
    comments = [str(c) for c in comments]
    for c in comments:
        if "\n" in c or "\r" in c:
            raise InputError("an OEM COMMENT is one line; split multi-line text into several comments")
    if segs:
        segs[0].comments = comments + segs[0].comments
    created = iso_utc(parse_utc(creation_date) if creation_date is not None else
                      parse_utc(_dt.datetime.now(_dt.timezone.utc)), 3)[:-1]
    header = {"CCSDS_OEM_VERS": "2.0", "CREATION_DATE": created, "ORIGINATOR": originator}
    if isinstance(data, OEM):
        header["ORIGINATOR"] = data.originator if originator == "GYRFALCON" else originator
    text = _to_kvn(header, segs) if fmt == "kvn" else _to_xml(header, segs)
    payload = text.encode("utf-8")
    if name.endswith(".gz"):
        with open(p, "wb") as fh:
            with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
                gz.write(payload)
    else:
        p.write_bytes(payload)
    return p


def _to_kvn(header, segs) -> str:
    out = [f"CCSDS_OEM_VERS = {header['CCSDS_OEM_VERS']}",
           f"CREATION_DATE = {header['CREATION_DATE']}",
           f"ORIGINATOR = {header['ORIGINATOR']}", ""]
    for s in segs:
        out.append("META_START")
        for k, v in _ordered(s.metadata):
            out.append(f"{k} = {v}")
        out.append("META_STOP")
        out.append("")
        for c in s.comments:
            out.append(f"COMMENT {c}".rstrip())
        for ep, row in zip(s.epochs, s.rows):
            out.append(ep + " " + " ".join(_fmt(x) for x in row))
        out.append("")
    return "\n".join(out) + "\n"


def _to_xml(header, segs) -> str:
    import xml.etree.ElementTree as ET

    root = ET.Element("oem", {
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:noNamespaceSchemaLocation": "https://sanaregistry.org/r/ndmxml_unqualified/ndmxml-2.0.0-master-2.0.xsd",
        "id": "CCSDS_OEM_VERS", "version": header["CCSDS_OEM_VERS"]})
    h = ET.SubElement(root, "header")
    ET.SubElement(h, "CREATION_DATE").text = header["CREATION_DATE"]
    ET.SubElement(h, "ORIGINATOR").text = header["ORIGINATOR"]
    body = ET.SubElement(root, "body")
    for s in segs:
        seg = ET.SubElement(body, "segment")
        meta = ET.SubElement(seg, "metadata")
        for k, v in _ordered(s.metadata):
            ET.SubElement(meta, k).text = v
        data = ET.SubElement(seg, "data")
        for c in s.comments:
            ET.SubElement(data, "COMMENT").text = c
        keys = _XML_STATE + (_XML_ACC if s.rows.shape[1] == 9 else ())
        for ep, row in zip(s.epochs, s.rows):
            sv = ET.SubElement(data, "stateVector")
            ET.SubElement(sv, "EPOCH").text = ep
            for key, x in zip(keys, row):
                ET.SubElement(sv, key).text = _fmt(x)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def oem_frame_name(frame: str) -> str:
    """The ``REF_FRAME`` written for a Gyrfalcon frame.

    >>> oem_frame_name("J2000")
    'EME2000'
    """
    from ..orbits.state import canonical_frame

    return _FRAME_TO_OEM[canonical_frame(frame)]


__all__ = ["OEM", "OEMSegment", "OEMCovariance", "SpacecraftProperties", "AscendingNode", "TrajectoryEvent", "load_oem",
           "parse_oem", "write_oem", "convert_samples", "oem_frame_name", "REQUIRED_METADATA",
           "REQUIRED_HEADER", "SUPPORTED_TIME_SYSTEMS"]
