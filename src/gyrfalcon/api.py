"""The flight-level API: the verbs a user scripts a flight with, one call per step.

Every function here is also reachable from the top level (``gyrfalcon.plan_rendezvous``...),
takes plain inputs (pad ids, ISO UTC strings or skyfield ``Time``, file paths, TLE objects,
ephemerides) and returns the frozen result the command line and the web app render, with a
short ``repr``, a ``.table()`` (plain text; :meth:`MonteCarloResult.summary_table`) and a ``.plot()`` (a
matplotlib ``Figure``):

* the station's trajectory: :func:`station_ephemeris` (``None``, a path, an OEM, a TLE...) -> a GCRF
  ``Ephemeris``; the one station loader of the package is :func:`gyrfalcon.load_station`;
* launch windows: :func:`find_windows` -> :class:`LaunchWindows`, :func:`next_window` -> :class:`LaunchWindow`;
* rendezvous burns: :func:`plan_rendezvous` -> :class:`RendezvousPlan`;
* the approach to contact: :func:`fly_approach` -> :class:`ApproachResult`;
* the return: :func:`plan_return` -> :class:`LandingPlan`, :func:`landing_opportunities` ->
  :class:`LandingOpportunities`;
* a whole mission: :func:`load_scenario` -> a Scenario, :func:`run_mission` -> :class:`MissionResult`;
* the station's traffic: :func:`pad_outage` -> :class:`PadOutageResult`;
* many dispersed flights: :func:`monte_carlo` -> :class:`MonteCarloResult`.

The result classes are thin subclasses of the phase modules' own frozen dataclasses
(``isinstance(plan, gyrfalcon.rendezvous.plan.RendezvousPlan)`` is true): nothing is
re-computed, only presented. Wrong inputs raise :class:`~gyrfalcon.errors.InputError` (a
:class:`~gyrfalcon.errors.GyrfalconError`) saying what to pass.

Example (the Soyuz MS-28 two-orbit flight from a TLE of 24 Nov 2025; also in the README)::

    >>> import gyrfalcon as gf
    >>> iss = gf.tle_from_lines("1 25544U 98067A   25328.54472231  .00014120  00000-0  26353-3 0  9998",
    ...                         "2 25544  51.6316 232.5414 0003895 163.7073 196.4042 15.49046550540034")
    >>> window = gf.next_window(iss, "baikonur-31", after="2025-11-26", scheme="two-orbit")
    >>> window                                             # doctest: +SKIP
    LaunchWindow(two-orbit from baikonur-31: liftoff 2025-11-27T09:28:00.6Z, phase 15.0 deg, feasible)

Layer: this module sits above :mod:`gyrfalcon.mission` (it runs missions) and below the faces
(the command line and :mod:`gyrfalcon.web`), which call it. Its refusals of a launch are completed
(the nearest launch that fits, the station data's age, the pads in service) by
:mod:`gyrfalcon.refusals`, beside it. Heavy imports happen inside the functions, so importing it is
cheap.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import GyrfalconError, InputError
from .refusals import (NEAREST_LAUNCH_DAYS, complete_scheme_refusal, completed_scheme_refusals, nearest_launch_text,
                       scheme_refusal_tail, station_data_note, windows_refusal_text, with_pads_in_service)
from .refusals import nearest_feasible_launches as _nearest_feasible_launches

__all__ = [
    "station_ephemeris", "sgp4_ephemeris", "station_orbit", "find_windows", "next_window", "plan_rendezvous", "fly_rendezvous", "fly_approach",
    "plan_return", "landing_opportunities", "load_scenario", "run_mission", "pad_outage", "monte_carlo",
    "parse_fault", "insertion_into_station_plane", "nearest_feasible_launches", "complete_scheme_refusal",
    "completed_scheme_refusals",
    "LaunchWindow", "LaunchWindows", "RendezvousPlan", "ApproachResult", "LandingPlan", "LandingOpportunities",
    "MissionResult", "PadOutageResult", "MonteCarloResult",
]

SCHEMES = ("auto", "two-orbit", "four-orbit", "two-day")
"""Rendezvous scheme names; ``auto`` = the fastest whose phase window holds the phase at insertion."""

SGP4_SPAN_DAYS = (-1.0, 15.0)
"""Span sampled around a TLE/OMM epoch when it becomes an ephemeris [days]."""
SGP4_AROUND_DAYS = (-0.5, 3.5)
"""Span sampled around the time a TLE/OMM must serve (a flight: liftoff to contact of a two-day
rendezvous plus margin) when that time is known [days]."""
SGP4_STEP_S = 60.0
"""Sample step of an SGP4-sampled ephemeris [s] (Hermite interpolation, positions and velocities, between samples)."""
SGP4_MAX_SAMPLES = 10_000_000
"""Most samples :func:`sgp4_ephemeris` makes (about 0.5 GB of states; 19 years at 60 s)."""


# ---------------------------------------------------------------------------------------------
# presentation helpers (plain text, matplotlib Figures without pyplot state)
# ---------------------------------------------------------------------------------------------
def _iso(t, places: int = 1) -> str:
    """ISO UTC text of a skyfield Time, or the string itself."""
    if t is None:
        return "-"
    if isinstance(t, str):
        return t
    from .time import iso_utc

    return iso_utc(t, places)


def _met(x) -> str:
    """``H:MM:SS`` (``Dd HH:MM:SS`` beyond a day) of seconds, ``-`` for None."""
    if x is None:
        return "-"
    from .time import format_met

    return format_met(float(x))


def _text_table(header, rows, right=()) -> str:
    """A plain monospaced table: columns padded to their widest cell; ``right``: right-aligned columns."""
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]])


def _figure(w: float = 8.0, h: float = 4.2):
    from .mission.plots import _figure as fig

    return fig(w, h)


def _rewrap(cls, obj):
    """``obj`` (a phase result dataclass) as an instance of its presenting subclass ``cls`` (same fields)."""
    if obj is None or isinstance(obj, cls):
        return obj
    return cls(**{f.name: getattr(obj, f.name) for f in fields(obj) if f.init})


def _need(value, what: str, hint: str):
    if value is None:
        raise InputError(f"{what} is required; {hint}")
    return value


# ---------------------------------------------------------------------------------------------
# the station
# ---------------------------------------------------------------------------------------------
def _station_source_loader():
    """``gyrfalcon.orbits.station_source.load_station`` when that module exists, else None."""
    try:
        from .orbits.station_source import load_station
    except ImportError:
        return None
    return load_station


def sgp4_ephemeris(elements, start=None, stop=None, step_s: float = SGP4_STEP_S):
    """A GCRF :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` sampled from a TLE/OMM with SGP4.

    ``start``/``stop`` (Time or ISO UTC) default to :data:`SGP4_SPAN_DAYS` around the epoch;
    samples every ``step_s`` seconds, rotated TEME -> GCRF (IAU 2006/2000A with the EOP the
    package uses). Assumption: SGP4's own accuracy (about 1 km at epoch, growing by some km
    per day); the samples do not add error beyond the interpolation (under 1 m at 60 s).
    """
    from dataclasses import replace

    import numpy as np

    from .time import add_seconds, parse_utc, seconds_between

    if not hasattr(elements, "satrec"):
        raise InputError(f"sgp4_ephemeris needs a TLE or OMM (gyrfalcon.tle_from_lines, orbits.tle.load_tles/"
                         f"load_omm), got {type(elements).__name__}")
    t0 = add_seconds(elements.epoch, SGP4_SPAN_DAYS[0] * 86400.0) if start is None else parse_utc(start)
    t1 = add_seconds(elements.epoch, SGP4_SPAN_DAYS[1] * 86400.0) if stop is None else parse_utc(stop)
    span = float(seconds_between(t0, t1))
    if not span > 0:
        raise InputError(f"sgp4_ephemeris: stop must be after start (got {span:.0f} s)")
    step_s = _positive_s(step_s, "step_s", "e.g. 60")
    if span / step_s > SGP4_MAX_SAMPLES:
        raise InputError(f"sgp4_ephemeris: {span:.0f} s every {step_s:g} s is {span / step_s:.3g} samples, more than "
                         f"{SGP4_MAX_SAMPLES:,}; give a larger step_s (60 s interpolates to under 1 m) or a shorter span")
    s = np.append(np.arange(0.0, span, step_s), span)
    teme = elements.propagate(add_seconds(t0, s))
    return replace(teme.in_frame("GCRF"), meta={"source": f"SGP4 from the element set of {_iso(elements.epoch, 0)}"})


def _sgp4_around(elements, around):
    """SGP4 samples around ``around`` (:data:`SGP4_AROUND_DAYS`), or the default span about the epoch."""
    if around is None:
        return sgp4_ephemeris(elements)
    from .time import add_seconds, parse_utc

    t = parse_utc(around)
    return sgp4_ephemeris(elements, add_seconds(t, SGP4_AROUND_DAYS[0] * 86400.0),
                          add_seconds(t, SGP4_AROUND_DAYS[1] * 86400.0))


def _nearest_elements(sets, around):
    """The element set whose epoch is the latest at or before ``around`` (else the nearest)."""
    from .time import parse_utc, seconds_between

    if around is None:
        return sets[-1]
    t = parse_utc(around)
    ages = [float(seconds_between(s.epoch, t)) for s in sets]
    before = [(a, s) for a, s in zip(ages, sets) if a >= 0]
    if before:
        return min(before, key=lambda x: x[0])[1]
    return min(zip(ages, sets), key=lambda x: abs(x[0]))[1]


def _load_elements(path):
    """Element sets of a TLE or an OMM file (one clear error if it is neither)."""
    from .errors import OrbitSourceError
    from .orbits.tle import load_omm, load_tles

    try:
        sets = load_tles(path)
    except OrbitSourceError as tle_exc:
        try:
            sets = load_omm(path)
        except OrbitSourceError as omm_exc:
            raise OrbitSourceError(
                f"{path} is neither a TLE file ({tle_exc}) nor an OMM file ({omm_exc}); give a "
                "two/three-line TLE file or a CCSDS OMM (JSON, XML or KVN)") from None
    if not sets:
        raise OrbitSourceError(f"{path} holds no element set; give a file with at least one TLE or OMM")
    return sets


def _is_oem_file(path: Path) -> bool:
    import gzip

    raw = path.read_bytes()[:65536]
    if raw[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as fh:
            raw = fh.read(65536)
    head = raw.decode("utf-8", "replace")
    return "CCSDS_OEM_VERS" in head or "<oem" in head.lower()


STATION_HELP = ("pass None (the packaged NASA ISS ephemeris), a path to a CCSDS OEM, a TLE or an OMM file, an "
                "Ephemeris, a parsed OEM (gyrfalcon.load_oem), a TLE/OMM object (gyrfalcon.tle_from_lines) or a "
                "list of them, or a station source (gyrfalcon.load_station)")


def _warned(station):
    """The GCRF ephemeris of a loaded :class:`~gyrfalcon.orbits.station_source.Station`, each of
    its warnings raised as a :class:`~gyrfalcon.errors.StationDataWarning` (what the command line
    prints as ``warning:`` lines)."""
    import warnings

    from .errors import StationDataWarning

    for w in station.warnings:
        # one location for every call (this module's own warning registry, as warnings.warn keeps):
        # Python's default filter then shows a warning once, however many steps of a flight load
        # the same station (the window search, the plan, the approach)
        warnings.warn_explicit(w, StationDataWarning, "gyrfalcon station data", 0, module=__name__,
                               registry=globals().setdefault("__warningregistry__", {}))
    return station.ephemeris(frame="GCRF")


def station_ephemeris(source=None, *, around=None):
    """The station's trajectory as a GCRF :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`.

    ``source``: ``None`` (the packaged NASA ISS ephemeris of 2025-11-24), a path (CCSDS OEM,
    KVN/XML, optionally gzipped; a TLE or OMM file), an ``Ephemeris`` (GCRF or EME2000), a
    parsed OEM, a TLE/OMM object or a list of them, or an object with ``.ephemeris(frame=...)``
    (a station source of :func:`gyrfalcon.load_station`). Files and element sets, one or a series,
    go through the one station loader, :func:`gyrfalcon.load_station` (orbit determination; one set:
    the state and drag fitted to its own SGP4 trajectory), with its checks and its warnings raised
    as :class:`~gyrfalcon.errors.StationDataWarning`. ``around``: a time the trajectory must
    serve: only element sets dated before it are used, and staleness is judged against it.
    :func:`sgp4_ephemeris` gives a set's plain SGP4 trajectory.
    """
    from .orbits.ephemeris import Ephemeris

    if isinstance(source, Ephemeris):
        if source.frame == "GCRF":
            return source
        if source.frame in ("EME2000", "ICRF", "TEME"):
            return source.in_frame("GCRF")
        raise InputError(f"the station ephemeris is in {source.frame}; give an inertial one (GCRF or EME2000), "
                         "e.g. load_oem(path).ephemeris('GCRF')")
    if source is None:
        load = _station_source_loader()
        if load is not None:
            return _warned(load(None) if around is None else load(None, at_utc=around))
        from .orbits.iss import iss_ephemeris

        return iss_ephemeris("GCRF")
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"no station file {str(source)!r}; {STATION_HELP}")
        load = _station_source_loader()
        if load is not None:
            return _warned(load(path, at_utc=around))
        if _is_oem_file(path):
            from .io.oem import load_oem

            return load_oem(path).ephemeris("GCRF")
        return _sgp4_around(_nearest_elements(_load_elements(path), around), around)
    if hasattr(source, "satrec"):
        load = _station_source_loader()
        if load is not None:       # one set: orbit determination on its own SGP4 trajectory, as from a file
            return _warned(load(source, at_utc=around))
        return _sgp4_around(source, around)
    if isinstance(source, (list, tuple)) and source and all(hasattr(s, "satrec") for s in source):
        load = _station_source_loader()
        if load is not None:       # orbit determination on the sets before ``around`` only, as from a file
            return _warned(load(list(source), at_utc=around))
        return _sgp4_around(_nearest_elements(list(source), around), around)
    if hasattr(source, "ephemeris") and hasattr(source, "segments"):     # a parsed OEM
        return source.ephemeris("GCRF")
    if callable(getattr(source, "ephemeris", None)):                      # a station source
        return station_ephemeris(source.ephemeris(frame="GCRF"))
    raise InputError(f"cannot use a {type(source).__name__} as the station; {STATION_HELP}")


def _window_target(station, around=None):
    """What the window search flies against: the ephemeris of :func:`station_ephemeris` (files,
    element sets, one or a series, through the one station loader, :func:`gyrfalcon.load_station`)."""
    return station_ephemeris(station, around=around)


def _source_text(station) -> str:
    if station is None:
        return "packaged NASA ISS ephemeris"
    if isinstance(station, (str, Path)):
        return str(station)
    meta = getattr(station, "meta", None) or {}
    return str(meta.get("source") or getattr(station, "name", None) or type(station).__name__)


def station_orbit(station=None, at="2025-11-27T09:27:57.4Z"):
    """The station's orbit at ``at`` (default: Soyuz MS-28's liftoff): osculating elements, apsis
    altitudes, sub-satellite point and, for a NASA OEM, its planned events
    (:class:`gyrfalcon.mission.station_orbit.StationOrbitSummary`, as ``gyrfalcon station``).
    ``station``: None (the packaged NASA ISS OEM) or the path of an OEM, a TLE file or an OMM
    series (read by the station loader: element sets dated before ``at`` only)."""
    from .mission.station_orbit import station_orbit_at

    if station is not None and not isinstance(station, (str, Path)):
        raise InputError(f"station_orbit reads a station file path (OEM, TLE or OMM) or None (the packaged ISS OEM), not a "
                         f"{type(station).__name__}; for other sources use station_ephemeris(...).at(t)")
    return station_orbit_at(at, station)


# ---------------------------------------------------------------------------------------------
# launch windows
# ---------------------------------------------------------------------------------------------
from .launch.windows import LaunchWindow as _LaunchWindow  # noqa: E402  (light: numpy + launch data)


@dataclass(frozen=True, repr=False)
class LaunchWindow(_LaunchWindow):
    """A :class:`gyrfalcon.launch.windows.LaunchWindow` with a short repr and a one-row table.

    ``what_if``: found with the pad taken as in service whatever the site catalogue records
    (:func:`find_windows` / :func:`next_window` with ``what_if=True``, ``gyrfalcon windows --what-if``)."""

    what_if: bool = False

    def __repr__(self) -> str:
        ok = "feasible" if self.feasible else "not feasible: " + self.reason
        return (f"LaunchWindow({'WHAT-IF ' if self.what_if else ''}{self.scheme} from {self.pad_id}: liftoff {_iso(self.launch_utc)}, "
                f"phase {math.degrees(self.phase_at_insertion_rad):.1f} deg, {ok})")

    def table(self) -> str:
        """The window as a one-row text table (as ``gyrfalcon windows`` prints it)."""
        return LaunchWindows((self,)).table()

    def plot(self):
        """The window's phase at insertion against its scheme's phase window (:meth:`LaunchWindows.plot`)."""
        return LaunchWindows((self,)).plot()


class LaunchWindows(tuple):
    """The windows of a search (a tuple of :class:`LaunchWindow`, liftoff order), with
    ``.feasible`` (the feasible ones), ``.table()`` and ``.plot()``."""

    def __new__(cls, windows=()):
        return super().__new__(cls, tuple(_rewrap(LaunchWindow, w) for w in windows))

    @property
    def feasible(self) -> "LaunchWindows":
        return LaunchWindows(w for w in self if w.feasible)

    def __repr__(self) -> str:
        return f"LaunchWindows({len(self)} windows, {len(self.feasible)} feasible)"

    def table(self) -> str:
        """Liftoff, in-plane time, azimuth, phase at insertion, feasibility and why (text)."""
        rows = [(_iso(w.launch_utc)[:-1].replace("T", " "), _iso(w.inplane_utc)[11:-1], f"{math.degrees(w.azimuth_rad):.2f}",
                 f"{math.degrees(w.phase_at_insertion_rad):.1f}", w.scheme, "yes" if w.feasible else "no", w.reason)
                for w in self]
        return _text_table(("launch UTC", "pad in plane", "az deg", "phase deg", "scheme", "ok", "why"), rows,
                           right=(2, 3))

    def plot(self):
        """The station's lead at insertion as the scheme counts it [deg] (the catch-up angle: for
        the two-day scheme 200-420 deg, i.e. a phase of 20 deg plotted at 380) of each window
        against its liftoff date, feasible ones filled; shaded: the window of each scheme searched."""
        fig = _figure(8.0, 3.6)
        ax = fig.add_subplot()
        if self:
            import matplotlib.dates as mdates

            from .launch.windows import get_scheme

            for i, name in enumerate(sorted({w.scheme for w in self})):
                sch = get_scheme(name)
                ax.axhspan(math.degrees(sch.phase_min_rad), math.degrees(sch.phase_max_rad), color=f"C{i}", alpha=0.12,
                           label=f"{name} phase window")

            x = [w.launch_utc.utc_datetime() for w in self]
            y = [math.degrees(w.catch_up_rad) for w in self]
            ok = [w.feasible for w in self]
            ax.scatter([a for a, k in zip(x, ok) if k], [b for b, k in zip(y, ok) if k], color="tab:green",
                       label="feasible")
            ax.scatter([a for a, k in zip(x, ok) if not k], [b for b, k in zip(y, ok) if not k], facecolor="none",
                       edgecolor="tab:red", label="not feasible")
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))
            ax.legend(loc="best")
        ax.set_xlabel("liftoff [UTC]")
        ax.set_ylabel("phase at insertion, as the scheme counts it [deg]")
        ax.grid(alpha=0.3)
        return fig


def find_windows(station=None, pad: str = "baikonur-31", *, start="2025-11-26", days: float = 3.0,
                 scheme: str = "two-orbit", spacecraft: str = "soyuz-ms", vehicle: str | None = None,
                 what_if: bool = False) -> LaunchWindows:
    """Every launch window (about one a day) from ``pad`` to the station in ``[start, start + days)``.

    ``station``: see :func:`station_ephemeris` (element sets through the station loader);
    ``scheme``: two-orbit, four-orbit or two-day; ``spacecraft``: soyuz-ms or progress-ms (the
    ascent's plane lead); ``vehicle``: the launch vehicle, one the pad launches (default the pad's
    own, :func:`gyrfalcon.launch.vehicles.launcher_for_pad`: the Soyuz-2.1a, or the Soyuz-FG of
    Site 1/5, as ``gyrfalcon windows``); ``what_if``: the pad taken as in service whatever the site
    catalogue records (``gyrfalcon windows --what-if``; each window says ``what_if``). Infeasible
    windows are included with the reason.
    """
    from .launch.windows import find_windows as _find, get_scheme

    if scheme not in SCHEMES[1:]:
        raise InputError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES[1:])}")
    get_scheme(scheme)
    pad_obj, vehicle = window_pad_launcher(pad, vehicle, what_if)
    days = _positive_days(days)
    wins = _find(_window_target(station, start), pad_obj, scheme, start, days, vehicle=vehicle, spacecraft=spacecraft)
    return LaunchWindows(_as_what_if(w, what_if) for w in wins)


def next_window(station=None, pad: str = "baikonur-31", *, after="2025-11-26", scheme: str = "auto",
                days: float | None = None, spacecraft: str = "soyuz-ms", vehicle: str | None = None,
                what_if: bool = False) -> LaunchWindow:
    """The first feasible launch window from ``pad`` at or after ``after`` (Time or ISO UTC).

    ``scheme`` ``auto`` tries two-orbit, four-orbit and two-day and returns the earliest liftoff.
    ``days``: how far to search (default: to the end of the station trajectory; from element
    sets, :data:`gyrfalcon.orbits.station_source.DEFAULT_SPAN_DAYS` days after ``after``).
    ``spacecraft``, ``vehicle``, ``what_if``: as for :func:`find_windows`.
    Raises :class:`~gyrfalcon.launch.windows.NoFeasibleWindowError` naming the next one after the
    span (and, where the phase is a reason and the station data are old, how old).
    """
    from .launch.windows import NoFeasibleWindowError, next_feasible_window
    from .time import seconds_between

    _check_scheme(scheme)
    pad_obj, vehicle = window_pad_launcher(pad, vehicle, what_if)
    days = None if days is None else _positive_days(days)
    target = _window_target(station, after)
    names = SCHEMES[1:] if scheme == "auto" else (scheme,)
    found, errors = [], []
    for name in names:
        try:
            found.append(next_feasible_window(target, pad_obj, name, after, days, vehicle=vehicle,
                                              spacecraft=spacecraft))
        except NoFeasibleWindowError as exc:
            errors.append(exc)
    if not found:
        msg, _ = windows_refusal_text(errors, target, after, what_if)
        raise NoFeasibleWindowError(msg, errors[0].next_window if len(errors) == 1 else None,
                                    [w for e in errors for w in e.windows])
    first = found[0].launch_utc
    return _as_what_if(min(found, key=lambda w: float(seconds_between(first, w.launch_utc))), what_if)


# ---------------------------------------------------------------------------------------------
# rendezvous
# ---------------------------------------------------------------------------------------------
from .rendezvous.plan import RendezvousPlan as _RendezvousPlan  # noqa: E402


@dataclass(frozen=True, repr=False)
class RendezvousPlan(_RendezvousPlan):
    """A :class:`gyrfalcon.rendezvous.plan.RendezvousPlan` with a short repr, the burn table and a plot.

    ``what_if``: flown as a what-if (:func:`fly_rendezvous` / :func:`plan_rendezvous` with
    ``what_if=True``); ``notes``: the station rules it breaks (``"what-if: breaks rule ..."``) and
    what the record cannot say about its date."""

    what_if: bool = False
    notes: tuple = ()

    def __repr__(self) -> str:
        wi = "WHAT-IF " if self.what_if else ""
        return (f"RendezvousPlan({wi}{self.scheme}: liftoff {self.liftoff_utc or '-'}, {len(self.burns)} burns, "
                f"{self.total_dv_mps:.1f} m/s, aim point {self.aim_utc}, nominal contact {self.nominal_contact_utc})")

    def table(self) -> str:
        """The burn table (centre UTC, MET, dv in RTN and magnitude [m/s], duration [s], propellant [kg],
        perigee/apogee after [km]) and the totals, as text."""
        rows = []
        for b in self.burns:
            r, t, n = b.dv_rtn_mps
            rows.append((b.name, b.utc[:-5].replace("T", " ") if b.utc.endswith("Z") else b.utc, _met(b.met_s),
                         f"{r:.2f}", f"{t:.2f}", f"{n:.2f}", f"{b.dv_mps:.2f}", f"{b.duration_s:.1f}",
                         f"{b.propellant_kg:.1f}", f"{b.perigee_altitude_m / 1e3:.1f}",
                         f"{b.apogee_altitude_m / 1e3:.1f}"))
        t = _text_table(("burn", "UTC (centre)", "MET", "dvR", "dvT", "dvN", "|dv| m/s", "dur s", "prop kg",
                         "hp km", "ha km"), rows, right=tuple(range(2, 11)))
        head = "WHAT-IF: flown as asked, whatever the station rules say\n" if self.what_if else ""
        notes = "".join(f"\nnote: {n}" for n in self.notes)
        return (f"{head}{self.scheme}: {self.scheme_reason}\n{t}\n"
                f"total {self.total_dv_mps:.2f} m/s, propellant {self.propellant_kg:.1f} kg; aim point "
                f"{self.aim_utc} (MET {_met(self.aim_met_s)}), nominal contact {self.nominal_contact_utc}{notes}")

    def plot(self):
        """The chaser relative to the station (LVLH): along-track V-bar x [km] against radial
        height above the station -z [km], burns marked. Needs the plan's relative trajectory
        (``plan_rendezvous(..., trajectory_step_s=60)``, the default)."""
        from .mission.plots import lvlh_figure

        fig = lvlh_figure(None, self)
        if fig is None:
            raise InputError("this plan has no relative trajectory; plan it with trajectory_step_s > 0 to plot it")
        return fig


def insertion_into_station_plane(station_eph, pad, liftoff, scheme: str = "auto"):
    """Parametric insertion (:func:`gyrfalcon.launch.insertion.parametric_insertion`) for a liftoff
    from ``pad`` (a launch-site Pad or its id) into the station's orbit plane at liftoff.

    For a scheme whose aim is timed (two-day) the plane is the one J2 brings onto the station's at
    the aim point (:func:`gyrfalcon.rendezvous.plan.recommended_plane_normal`). The pad must be
    near that plane at liftoff, as for the guided ascent of ``gyrfalcon run``
    (:func:`gyrfalcon.launch.insertion.check_pad_near_plane`, the same check and limit: a launch
    vehicle limit, refused even for a what-if): raises
    :class:`~gyrfalcon.launch.insertion.OutOfPlaneError` (a LaunchGeometryError) beyond it. Raises
    :class:`~gyrfalcon.rendezvous.schemes.NoSchemeError` when no scheme accepts the phase (a
    liftoff far from the plane is refused for that first).
    """
    from .launch.sites import load_sites
    from .rendezvous.plan import insertion_in_plane
    from .time import parse_utc

    liftoff = parse_utc(liftoff)
    station_eph, pad, scheme = _station_pad_scheme(station_eph, pad, scheme, liftoff)
    if isinstance(pad, str):
        pad = load_sites().get(pad)
    return insertion_in_plane(station_eph, pad, liftoff, scheme)


def nearest_feasible_launches(station_eph, pad, liftoff, scheme: str = "auto", *, vehicle: str = "soyuz-ms",
                              days: float = NEAREST_LAUNCH_DAYS) -> list:
    """Per scheme (all three for ``auto``, fastest first), the feasible launch window nearest
    ``liftoff`` within ``days`` [days] either side (liftoffs inside the ephemeris span): the nearest
    whose whole flight the ephemeris covers (:func:`gyrfalcon.refusals.flight_covered`) when there
    is one, else the nearest. For ``auto`` only windows where ``auto`` flies that scheme (the
    fastest whose range holds their phase).

    The windows are those ``gyrfalcon windows`` lists for the pad: the pad's launcher (Soyuz-2.1a,
    or the Soyuz-FG of Site 1/5) and ``vehicle``'s plane lead, and the pad's status (a what-if pad,
    :func:`gyrfalcon.traffic.flight_rules.pad_as_operational`, reads as in service).
    ``station_eph``: any station source :func:`station_ephemeris` reads (None: the packaged ISS
    file); ``pad``: a pad id or a Pad; ``liftoff``: Time or ISO UTC; ``scheme``: one of
    :data:`SCHEMES`. The search: :func:`gyrfalcon.refusals.nearest_feasible_launches`."""
    from .time import parse_utc

    liftoff = parse_utc(liftoff)
    station_eph, pad, scheme = _station_pad_scheme(station_eph, pad, scheme, liftoff)
    return _nearest_feasible_launches(station_eph, pad, liftoff, scheme, vehicle=vehicle, days=days)


def _station_pad_scheme(station, pad, scheme, liftoff) -> tuple:
    """(station Ephemeris, pad, scheme) of the helpers that take a station: any station source
    :func:`station_ephemeris` reads (None: the packaged ISS file), a checked pad, a known scheme."""
    from .orbits.ephemeris import Ephemeris

    eph = station if isinstance(station, Ephemeris) and station.frame == "GCRF" else \
        station_ephemeris(station, around=liftoff)
    _check_scheme(scheme)
    return eph, _check_pad(pad), scheme


def _check_scheme(scheme) -> None:
    """``scheme``: one of :data:`SCHEMES` (``auto`` chooses)."""
    if scheme not in SCHEMES:
        raise InputError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")


def _check_pad(pad):
    """``pad``: a pad id (:func:`gyrfalcon.launch.sites.load_sites` lists them) or a
    :class:`~gyrfalcon.launch.sites.Pad`."""
    from .launch.sites import Pad

    if isinstance(pad, (str, Pad)):
        return pad
    raise InputError(f"pad must be a pad id such as 'baikonur-31' (gyrfalcon.launch.sites.load_sites() lists them) "
                     f"or a Pad, got {type(pad).__name__} {pad!r}")


def window_pad_launcher(pad, vehicle, what_if) -> tuple:
    """(Pad, launch vehicle id) of a window search: the pad (``what_if``: every recorded outage read
    as in service, :func:`gyrfalcon.traffic.flight_rules.pad_as_operational`, as ``gyrfalcon windows
    --what-if``) and ``vehicle``, refused when the pad does not launch it (as ``gyrfalcon run``
    refuses the pair); ``None``: the pad's own (:func:`gyrfalcon.launch.vehicles.launcher_for_pad`)."""
    from .launch.sites import load_sites
    from .ids import norm_id
    from .launch.vehicles import launcher_for_pad
    from .rendezvous.schemes import load_schemes
    from .traffic.flight_rules import pad_as_operational

    _flag(what_if, "what_if")
    pad_obj = _check_pad(pad)
    pad_obj = load_sites().get(pad_obj) if isinstance(pad_obj, str) else pad_obj
    if what_if:
        pad_obj = pad_as_operational(pad_obj)
    own = launcher_for_pad(pad_obj)
    if vehicle is None:
        return pad_obj, own
    if not isinstance(vehicle, str) or not pad_obj.supports(vehicle):
        fix = (f"use vehicle={own!r} (the pad's own launcher: the default)" if pad_obj.supports(own) else
               "leave vehicle out (the windows then use the Soyuz-2.1a's ascent from this pad, as `gyrfalcon "
               "windows` does)")
        if isinstance(vehicle, str) and norm_id(vehicle) in load_schemes().vehicles:   # a spacecraft, as `--vehicle`
            fix = (f"vehicle is the launch vehicle here; for the spacecraft give spacecraft={norm_id(vehicle)!r} "
                   f"(`gyrfalcon windows --vehicle {norm_id(vehicle)}`)")
        raise InputError(f"vehicle: pad {pad_obj.id} does not launch {vehicle!r} (it launches "
                         f"{', '.join(pad_obj.vehicles)}); {fix}")
    return pad_obj, norm_id(vehicle)


def _as_what_if(window, what_if: bool):
    """``window`` as an :class:`LaunchWindow` saying whether it was found as a what-if."""
    import dataclasses

    w = _rewrap(LaunchWindow, window)
    return dataclasses.replace(w, what_if=True) if what_if else w


def check_rendezvous_vehicle(vehicle, option: str = "vehicle") -> str:
    """``vehicle`` (case-insensitive) if the rendezvous model flies it (its main engine and mass:
    :func:`gyrfalcon.rendezvous.schemes.get_vehicle`), else one InputError line naming those it flies,
    before anything else is checked (a Crew Dragon is not refused for its pad first)."""
    from .ids import norm_id
    from .rendezvous.schemes import load_schemes

    known = sorted(load_schemes().vehicles)
    key = norm_id(vehicle)
    if key in known:
        return key
    cli = option.startswith("--")
    use = " or ".join(f"{option} {v}" if cli else f"{option}={v!r}" for v in known)
    raise InputError(f"{option} {vehicle if cli else repr(vehicle)}: not a vehicle the rendezvous model flies (it "
                     f"flies {', '.join(known)}, the Soyuz-launched spacecraft whose ascent and main engine it "
                     f"holds); use {use}")


def _liftoff_pad_scheme(launch, pad, scheme):
    """(liftoff Time, pad id or Pad, scheme name) from a LaunchWindow or a liftoff time."""
    from .launch.windows import LaunchWindow as _LW
    from .time import parse_utc

    launch = _need(launch, "launch", "pass a LaunchWindow (gyrfalcon.next_window) or a liftoff time, "
                                     "e.g. '2025-11-27T09:27:57.4Z'")
    if isinstance(launch, _LW):
        liftoff, pad, scheme = launch.launch_utc, pad or launch.pad_id, scheme or launch.scheme
    else:
        try:
            liftoff = parse_utc(launch)
        except GyrfalconError as exc:
            raise InputError(f"launch: {str(exc).rstrip('.')}; pass a LaunchWindow (gyrfalcon.next_window) or a "
                             "liftoff time") from None
    pad, scheme = _check_pad(pad or "baikonur-31"), scheme or "auto"
    _check_scheme(scheme)
    return liftoff, pad, scheme


def _flight(station, launch, pad, scheme, source, fly, *, vehicle: str = "soyuz-ms", what_if: bool = False):
    """Checks, the insertion into the station's plane, then ``fly(insertion, eph, scheme)``; the
    scheme, plane and span errors reworded with the pad's part and the nearest feasible launches
    (for ``vehicle``; ``what_if``: the pad taken as in service)."""
    from .errors import EphemerisRangeError
    from .launch.insertion import OutOfPlaneError
    from .launch.sites import load_sites
    from .rendezvous.schemes import NoSchemeError
    from .time import iso_utc
    from .traffic.flight_rules import WhatIfRequiredError, pad_as_operational

    liftoff, pad, scheme = _liftoff_pad_scheme(launch, pad, scheme)
    source = source or _source_text(station)
    eph = station_ephemeris(station, around=liftoff)
    pad_obj = load_sites().get(pad) if isinstance(pad, str) else pad
    if what_if:
        pad_obj = pad_as_operational(pad_obj)
    if not eph.covers(liftoff):
        raise EphemerisRangeError(
            f"the station ephemeris ({source}) covers {iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)}; the launch "
            f"{iso_utc(liftoff, 1)} is outside it: give a station trajectory that covers the flight (liftoff to "
            "contact plus an hour: --station-oem with a NASA OEM, or --station-tle with element sets dated before "
            "the launch, on the command line), or a launch inside that span")
    try:
        ins = insertion_into_station_plane(eph, pad_obj, liftoff, scheme)
        return eph, fly(ins, eph, scheme)
    except NoSchemeError as exc:        # the station data's age too: the phase comes from them
        raise type(exc)(f"launch {iso_utc(liftoff, 1)} from {pad_obj.id}: {exc}; "
                        f"{scheme_refusal_tail(eph, pad_obj, liftoff, scheme, vehicle)}"
                        f"{station_data_note(eph, liftoff)}") from None
    except OutOfPlaneError as exc:      # out of the plane: the launch times that fit, as for a phase
        raise OutOfPlaneError(f"launch {iso_utc(liftoff, 1)} from {pad_obj.id}: {str(exc).rstrip('.')}; "
                              f"{nearest_launch_text(eph, pad_obj, liftoff, scheme, vehicle)}"
                              f"{station_data_note(eph, liftoff, what='the launch times named')}") from None
    except WhatIfRequiredError as exc:  # a pad out of service for good: the pads that fly this liftoff
        raise with_pads_in_service(exc, eph, pad_obj, liftoff, scheme, vehicle) from None
    except EphemerisRangeError as exc:
        raise EphemerisRangeError(
            f"the station ephemeris ({source}) does not cover the flight from {iso_utc(liftoff, 1)}: {exc} "
            "(on the command line: --station-oem with an OEM that covers it, or --station-tle)") from None


def plan_rendezvous(station=None, launch=None, *, pad: str | None = None, scheme: str | None = None,
                    vehicle: str = "soyuz-ms", trajectory_step_s: float = 60.0, force_model: str = "full",
                    source: str | None = None, what_if: bool = False) -> RendezvousPlan:
    """Liftoff -> insertion into the station's plane -> the targeted burn plan to the aim point.

    ``station``: see :func:`station_ephemeris` (element sets through the station loader);
    ``launch``: a :class:`LaunchWindow` (gives the liftoff, the pad and the scheme) or a liftoff
    time (Time or ISO UTC); ``pad`` (default baikonur-31), ``scheme`` (default the window's, or
    ``auto``); ``vehicle``: soyuz-ms or progress-ms (another is refused before anything else). The
    insertion is the launch module's parametric model; the planner is
    :func:`gyrfalcon.rendezvous.plan.plan_rendezvous` with the ``full`` force model against the
    station. Raises :class:`~gyrfalcon.rendezvous.schemes.NoSchemeError` naming the nearest
    feasible launches when no scheme accepts the phase (a named scheme that does not fit is
    refused, never replaced), :class:`~gyrfalcon.errors.EphemerisRangeError` when the station's
    trajectory does not cover the flight; a refusal for the phase or the plane also says how old
    the station data are when the loader would warn of them (older than
    :data:`~gyrfalcon.orbits.station_source.STALE_DAYS` days). The pad's station rule (in service
    at liftoff) is applied as by ``gyrfalcon rendezvous``: refused
    (:class:`~gyrfalcon.traffic.flight_rules.WhatIfRequiredError`, naming the pads in service that
    fly the liftoff when the pad never returns to service) unless ``what_if``, when the plan
    carries the notes (``plan.notes``, ``plan.what_if``).
    """
    import dataclasses

    from .rendezvous.plan import plan_rendezvous as _plan

    vehicle = check_rendezvous_vehicle(vehicle)        # before the pad: a Crew Dragon is not refused for it
    _trajectory_step(trajectory_step_s)
    _flag(what_if, "what_if")
    liftoff, pad_id, _ = _liftoff_pad_scheme(launch, pad, scheme)

    def fly(ins, eph, sch):
        if not what_if:      # the pad, once the launch itself fits (plane, phase), before the planning
            _station_rules(pad_id, liftoff, None, vehicle, None, False)
        return _plan(ins, station=eph, scheme=sch, vehicle=vehicle, force_model=force_model,
                     trajectory_step_s=trajectory_step_s)

    _, plan = _flight(station, launch, pad, scheme, source, fly, vehicle=vehicle, what_if=what_if)
    notes = _station_rules(pad_id, liftoff, None, vehicle, None, True) if what_if else ()
    return dataclasses.replace(_rewrap(RendezvousPlan, plan), what_if=bool(what_if), notes=notes)


def _station_rules(pad, liftoff, port, vehicle, arrival_utc, what_if) -> tuple:
    """:func:`gyrfalcon.traffic.flight_rules.rendezvous_rules` (the same rules as ``gyrfalcon
    rendezvous``): refused unless ``what_if``; the notes a what-if carries."""
    from .traffic.flight_rules import rendezvous_rules

    return rendezvous_rules(pad=getattr(pad, "id", pad), launch_utc=liftoff, port=port, vehicle_type=vehicle,
                            arrival_utc=arrival_utc, what_if=bool(what_if))


def _positive_s(value, name: str, example: str) -> float:
    """``value`` as a finite number of seconds > 0, else one InputError line naming ``name``."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < float(value) < math.inf:
        raise InputError(f"{name} must be a finite number of seconds > 0, got {value!r}; {example}")
    return float(value)


def _flag(value, name: str) -> bool:
    """``value`` if it is a bool (numpy's too), else one InputError line: "no" is not False."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _callback(fn, signature: str) -> None:
    """``fn`` None or callable, else one InputError line giving the ``signature`` it is called with."""
    if fn is not None and not callable(fn):
        raise InputError(f"progress must be a function {signature} or None, got {type(fn).__name__}")


def _positive_days(days) -> float:
    """``days`` of a window search: a finite number in
    :data:`~gyrfalcon.launch.windows.SEARCH_DAYS_RANGE` (as ``windows --days``)."""
    import numbers

    from .launch.windows import SEARCH_DAYS_RANGE

    lo, hi = SEARCH_DAYS_RANGE
    if isinstance(days, bool) or not isinstance(days, numbers.Real) or not lo <= float(days) <= hi:
        raise InputError(f"days must be a number of days from {lo:g} to {hi:g}, got {days!r}; e.g. days=3")
    return float(days)


def _count(value, name: str, example: str) -> int:
    """``value`` as an integer >= 1, else one InputError line naming ``name``."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InputError(f"{name} must be an integer >= 1, got {value!r}; {example}")
    return int(value)


def _trajectory_step(step_s) -> float:
    """``trajectory_step_s``: 0 (no relative trajectory) or a number of seconds from 1 to 600
    (as a scenario's ``output.oem_step_s``: below a second the samples of a three-hour flight
    would not fit in memory)."""
    if step_s == 0 and not isinstance(step_s, bool):
        return 0.0
    step = _positive_s(step_s, "trajectory_step_s", "0 for no relative trajectory, or e.g. 60")
    if not 1.0 <= step <= 600.0:
        raise InputError(f"trajectory_step_s must be 0 (no relative trajectory) or 1 to 600 s, got {step_s!r}; "
                         "e.g. 60")
    return step


def _check_seed(seed, what: str = "the approach's random seed") -> int:
    import numbers

    from .resources import SEED_MAX

    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed <= SEED_MAX:
        raise InputError(f"seed must be an integer from 0 to {SEED_MAX} ({what}), got {seed!r}")
    return int(seed)


def fly_rendezvous(station=None, launch=None, *, pad: str | None = None, scheme: str | None = None,
                   vehicle: str = "soyuz-ms", port: str = "rassvet-nadir", seed: int = 0,
                   trajectory_step_s: float = 60.0, source: str | None = None, what_if: bool = False):
    """The whole flight after liftoff: ``(plan, approach)`` from :func:`plan_rendezvous`'s inputs
    plus the docking ``port`` and the approach's random ``seed``.

    The plan and the approach are flown together (:func:`gyrfalcon.rendezvous.handover.plan_and_fly`):
    for the two-day scheme, whose arrival is a lighting rule about the approach itself, the aim
    point is placed again with this vehicle's simulated approach to this port. The contact time is
    the simulated approach's (``approach.contact_utc``), never a constant. A ``port`` that was not
    a port on the flight's date (Pirs after 26 Jul 2021, Prichal before 26 Nov 2021, ...) is
    refused before anything is flown (:class:`~gyrfalcon.station.catalog.PortNotAvailableError`,
    naming the ports of that date) if it was no port at any arrival the scheme could make, and at
    the plan's own arrival. The station rules are those of ``gyrfalcon rendezvous``
    (:func:`gyrfalcon.traffic.flight_rules.rendezvous_rules`: pad in service at liftoff, port free
    at the plan's nominal contact): a flight that breaks one is refused
    (:class:`~gyrfalcon.traffic.flight_rules.WhatIfRequiredError`) unless ``what_if``, when the
    plan carries the notes (``plan.notes``, ``plan.what_if``). ``seed``: an integer >= 0.
    """
    import dataclasses

    from .rendezvous.handover import plan_and_fly
    from .traffic.flight_rules import check_port_before_planning

    vehicle = check_rendezvous_vehicle(vehicle)        # before the pad and the port: one line naming those flown
    _check_seed(seed)
    _trajectory_step(trajectory_step_s)
    _flag(what_if, "what_if")
    liftoff, pad_id, sch_name = _liftoff_pad_scheme(launch, pad, scheme)
    check_port_before_planning(port, liftoff, vehicle, sch_name, what_if)

    def fly(ins, e, sch):
        if not what_if:      # the pad, once the launch itself fits (plane, phase), before the flight
            _station_rules(pad_id, liftoff, None, vehicle, None, False)
        return plan_and_fly(ins, e, scheme=sch, vehicle=vehicle, port_id=port, seed=seed,
                            plan_kwargs={"trajectory_step_s": trajectory_step_s})

    _, (plan, res) = _flight(station, launch, pad, scheme, source, fly, vehicle=vehicle, what_if=what_if)
    notes = _station_rules(pad_id, liftoff, port, vehicle, plan.nominal_contact_utc, what_if)
    return (dataclasses.replace(_rewrap(RendezvousPlan, plan), what_if=bool(what_if), notes=notes),
            _rewrap(ApproachResult, res))


# ---------------------------------------------------------------------------------------------
# approach
# ---------------------------------------------------------------------------------------------
from .proximity.approach import ApproachResult as _ApproachResult  # noqa: E402


@dataclass(frozen=True, repr=False, eq=False)
class ApproachResult(_ApproachResult):
    """A :class:`gyrfalcon.proximity.approach.ApproachResult` with a short repr, a phase table and a plot."""

    def __repr__(self) -> str:
        end = f"contact {self.contact_utc}" if self.contact_utc else (self.events[-1] if self.events else "")
        return (f"ApproachResult({self.verdict}: from {self.start_utc}, {end}; propellant {self.propellant_kg:.1f} kg, "
                f"seed {self.seed})")

    def table(self) -> str:
        """The approach phases (start, end, duration) and the contact conditions, as text."""
        rows = [(p.name, p.start_utc[11:19], (p.end_utc or "")[11:19], f"{p.duration_s / 60:.1f}") for p in self.phases]
        out = [f"approach from {self.start_utc}: {self.verdict}" + (f" at {self.contact_utc}" if self.contact_utc else ""),
               _text_table(("phase", "start UTC", "end UTC", "min"), rows, right=(3,))]
        k = self.contact
        if k is not None:
            out.append(f"contact: closing {k.closing_speed_mps:.3f} m/s, lateral {k.lateral_speed_mps:.3f} m/s, "
                       f"offset {k.lateral_offset_m:.3f} m")
        out += [f"violation: {v}" for v in self.violations]
        out.append(f"propellant {self.propellant_kg:.1f} kg; closest approach {self.min_distance_m:.2f} m")
        return "\n".join(out)

    def plot(self):
        """Range [m, log scale] and range-rate [m/s] against seconds since the approach start."""
        from .mission.plots import range_figure

        return range_figure(self)


_FAULT = re.compile(r"^kurs-(dropout|bias)@([0-9.]+)(?:\+([0-9.]+))?(?::(\w+)=(-?[0-9.eE+-]+))?$")


def parse_fault(text: str):
    """A :class:`~gyrfalcon.proximity.kurs.KursFault` from ``kurs-dropout@T[+DURATION]`` or
    ``kurs-bias@T[+DURATION]:CHANNEL=VALUE`` (T, DURATION in seconds from the approach start; VALUE in SI).

    >>> parse_fault("kurs-dropout@600+20")
    KursFault(kind='dropout', start_s=600.0, duration_s=20.0, channel='range', bias=0.0)
    """
    from .proximity.kurs import KursFault

    if isinstance(text, KursFault):
        return text
    if not isinstance(text, str):
        raise InputError(f"a fault is a KursFault or a text like 'kurs-dropout@600+20', got {type(text).__name__}")
    m = _FAULT.match(text.strip())
    if not m:
        raise InputError(
            f"cannot read fault '{text}'; use kurs-dropout@T, kurs-dropout@T+DURATION or "
            "kurs-bias@T:CHANNEL=VALUE (seconds from the approach start, SI units), e.g. kurs-dropout@600+20"
        )
    kind, start, dur, channel, value = m.groups()
    if kind == "bias" and channel is None:
        raise InputError(f"fault '{text}' needs a channel and value, e.g. kurs-bias@600:range=50")
    try:
        start_s, duration_s, bias = float(start), float(dur) if dur else math.inf, float(value) if value else 0.0
    except ValueError:
        raise InputError(f"fault '{text}': its times and value must be numbers (seconds from the approach start, "
                         "SI units), e.g. kurs-dropout@600+20 or kurs-bias@600:range=50") from None
    return KursFault("dropout" if kind == "dropout" else "bias_jump", start_s, duration_s, channel or "range", bias)


def fly_approach(plan=None, station=None, *, port: str = "rassvet-nadir", seed: int = 0, faults=(),
                 vehicle: str = "soyuz-ms", what_if: bool = False) -> ApproachResult:
    """Fly the closed-loop automated (Kurs) approach to contact.

    ``plan``: a :class:`RendezvousPlan` (the approach starts from its arrival state, against the
    same station trajectory, :func:`gyrfalcon.rendezvous.handover.approach_from_plan`), or None
    for the default start: Soyuz MS-28's 2.27 km aim point. ``faults``: KursFault objects or
    texts such as ``"kurs-dropout@600+20"`` (:func:`parse_fault`); ``seed``: noise, biases and
    execution errors.

    The port's station rules are those of ``gyrfalcon rendezvous``
    (:func:`gyrfalcon.traffic.flight_rules.rendezvous_rules`, the launch pad aside): the port
    must be free in the built-in record at the arrival (the plan's nominal contact; without a
    plan, the approach's contact, or its start if it makes none). Without a plan the flight is
    Soyuz MS-28's (its liftoff): a ``soyuz-ms`` is MS-28 itself, whose own port, Rassvet nadir,
    is free for it. A port another vehicle holds then (Prichal nadir: Soyuz MS-27 on 27 Nov 2025)
    is refused (:class:`~gyrfalcon.traffic.flight_rules.WhatIfRequiredError`, naming the occupant
    and the free ports) unless ``what_if``; the result then carries the notes
    (``result.what_if``, ``result.notes``). A port that was not a port then is refused
    (:class:`~gyrfalcon.station.catalog.PortNotAvailableError`, naming the free and the occupied
    ports of that date), what-if or not.
    """
    from dataclasses import replace

    from .proximity.approach import MS28_LIFTOFF_UTC, ApproachConfig, simulate_approach
    from .proximity.kurs import KursModel
    from .rendezvous.plan import RendezvousPlan as _RP
    from .station.catalog import PortNotAvailableError
    from .traffic.flight_rules import completed_port_refusal, recorded_flight_launched
    from .traffic.station_link import norm_id

    _check_seed(seed)
    _flag(what_if, "what_if")
    if isinstance(faults, (str, bytes)) or not isinstance(faults, (list, tuple)):
        faults = (faults,)
    faults = tuple(parse_fault(f) for f in faults)
    if plan is not None and not isinstance(plan, _RP):
        raise InputError(f"fly_approach needs a RendezvousPlan (gyrfalcon.plan_rendezvous) or None, "
                         f"got {type(plan).__name__}")
    port, vehicle = norm_id(port), norm_id(vehicle)
    launch = MS28_LIFTOFF_UTC if plan is None else plan.liftoff_utc or plan.insertion_utc
    try:
        if plan is None:
            cfg = ApproachConfig(port_id=port, vehicle_type=vehicle, kurs=replace(KursModel(), faults=faults))
            eph = None if station is None else station_ephemeris(station)
            res = simulate_approach(cfg, seed=seed, ephemeris=eph)
        else:
            from .rendezvous.handover import approach_from_plan

            eph = station_ephemeris(station, around=launch)   # as plan_rendezvous samples it
            res = approach_from_plan(plan, eph, port, seed, faults=faults, config=ApproachConfig(vehicle_type=vehicle))
    except PortNotAvailableError as exc:       # not a port then: the free and the occupied ones of that date
        raise completed_port_refusal(exc, recorded_flight_launched(vehicle, launch)) from None
    arrival = (plan.nominal_contact_utc if plan is not None else None) or res.contact_utc or res.start_utc
    notes = _approach_rules(port, vehicle, launch, arrival, what_if)
    return ApproachUnderRules(**{f.name: getattr(res, f.name) for f in fields(res) if f.init},
                              what_if=bool(what_if), notes=notes)


def _approach_rules(port, vehicle, launch, arrival, what_if) -> tuple:
    """:func:`gyrfalcon.traffic.flight_rules.rendezvous_rules` for an approach flown on its own (no
    pad: its launch is checked when it is planned): refused unless ``what_if``; the notes a what-if carries."""
    from .time import iso_utc, parse_utc
    from .traffic.flight_rules import rendezvous_rules

    return rendezvous_rules(pad=None, launch_utc=launch, port=port, vehicle_type=vehicle, arrival_utc=arrival,
                            what_if=bool(what_if), what=f"the approach to {port} at {iso_utc(parse_utc(arrival), 0)}")


class _UnderRules:
    """What a result flown under the station rules shows of their verdict (its ``what_if`` and
    ``notes`` fields): ``WHAT-IF`` in its repr, and its table headed by the what-if and followed by
    the notes. Mixed in before the result class it extends (:class:`ApproachUnderRules`,
    :class:`ReturnUnderRules`)."""

    def __repr__(self) -> str:
        text = super().__repr__()
        return text.replace("(", "(WHAT-IF ", 1) if self.what_if else text

    def table(self) -> str:
        head = "WHAT-IF: flown as asked, whatever the station rules say\n" if self.what_if else ""
        return head + super().table() + "".join(f"\nnote: {n}" for n in self.notes)


@dataclass(frozen=True, repr=False, eq=False)
class ApproachUnderRules(_UnderRules, ApproachResult):
    """The :class:`ApproachResult` of :func:`fly_approach`, with the station rules' verdict:
    ``what_if`` (flown as a what-if) and ``notes`` (the rules it breaks, ``"what-if: breaks rule
    ..."``, and what the record cannot say about its date), as :class:`RendezvousPlan` has them."""

    what_if: bool = False
    notes: tuple = ()

    def summary(self) -> dict:
        """:meth:`ApproachResult.summary` with ``what_if`` and ``notes`` (``gyrfalcon approach --json``)."""
        return super().summary() | {"what_if": self.what_if, "notes": list(self.notes)}


# ---------------------------------------------------------------------------------------------
# return
# ---------------------------------------------------------------------------------------------
from .landing.plan import DailyOpportunities as _DailyOpportunities  # noqa: E402
from .landing.plan import LandingPlan as _LandingPlan  # noqa: E402


@dataclass(frozen=True, repr=False)
class LandingPlan(_LandingPlan):
    """A :class:`gyrfalcon.landing.plan.LandingPlan` with a short repr, the event table and a plot."""

    def __repr__(self) -> str:
        from .landing.zones import latlon_text

        e = self.flight.entry
        return (f"LandingPlan({self.vehicle} {self.mode}: undock {self.departure.undock_utc}, deorbit "
                f"{self.flight.burn.utc}, landing {e.landing_utc} at {latlon_text(e.landing_lat_deg, e.landing_lon_deg)}; "
                f"{e.miss_m / 1e3:.1f} km from the target)")

    def table(self) -> str:
        """The return's events (undocking to landing) with their figures, as text."""
        from .landing.zones import latlon_text

        d = self.to_dict()
        b = d["deorbit_burn"]
        rows = [("undocking", d["undock_utc"], f"from {d['port']}"),
                ("deorbit burn", b["utc"], f"{b['dv_mps']:.1f} m/s retrograde, {b['duration_s']:.0f} s, "
                                           f"at {b['altitude_m'] / 1e3:.1f} km"),
                ("module separation", d["module_separation_utc"], ""),
                ("entry interface", d["entry_interface_utc"], f"{d['entry_speed_mps']:.0f} m/s, "
                                                             f"{d['entry_flight_path_angle_deg']:.2f} deg"),
                ("peak load", d["max_g_utc"], f"{d['max_g']:.1f} g at {d['max_g_altitude_m'] / 1e3:.1f} km"),
                ("parachute", d["parachute_utc"], ""),
                ("landing", d["landing_utc"], f"{latlon_text(d['landing_lat_deg'], d['landing_lon_deg'])}; "
                                              f"{d['miss_km']:.1f} km from the target")]
        return _text_table(("event", "UTC", "notes"), rows)

    def plot(self):
        """Sensed load [g] and geodetic altitude [km] of the descent module after module separation."""
        from .mission.plots import entry_figure

        return entry_figure(self)


@dataclass(frozen=True, repr=False)
class LandingOpportunities(_DailyOpportunities):
    """A :class:`gyrfalcon.landing.plan.DailyOpportunities` with a short repr and a table."""

    def __repr__(self) -> str:
        return (f"LandingOpportunities({self.date} into {self.zone}: {len(self.opportunities)} passes, "
                f"{len(self.reachable)} reachable)")

    def table(self) -> str:
        rows = [(o.pass_utc, o.direction, f"{o.crosstrack_km:+.0f}", "yes" if o.reachable else "no")
                for o in self.opportunities]
        return _text_table(("pass UTC", "direction", "cross-track km", "reachable"), rows, right=(2,))

    def plot(self):
        """Cross-track distance [km] from each pass's track to the zone centre against the pass
        time, reachable passes filled (a matplotlib Figure)."""
        import matplotlib.dates as mdates

        from .time import parse_utc

        fig = _figure(8.0, 3.6)
        ax = fig.add_subplot()
        for reach, style in ((True, {"color": "tab:green", "label": "reachable"}),
                             (False, {"facecolor": "none", "edgecolor": "tab:red", "label": "not reachable"})):
            ops = [o for o in self.opportunities if o.reachable is reach]
            if ops:
                ax.scatter([parse_utc(o.pass_utc).utc_datetime() for o in ops], [o.crosstrack_km for o in ops],
                           **style)
        ax.axhline(0.0, color="0.5", lw=0.8)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))
        ax.set_xlabel("pass [UTC]")
        ax.set_ylabel("cross-track to the zone [km]")
        ax.set_title(f"{self.date}: passes over {self.zone}")
        if self.opportunities:
            ax.legend(loc="best")
        ax.grid(alpha=0.3)
        return fig


def _zone(zone, target_lat_deg, target_lon_deg, target_alt_m):
    from .landing.zones import custom_zone

    if (target_lat_deg is None) != (target_lon_deg is None):
        raise InputError("give both target_lat_deg and target_lon_deg, or neither to use the zone")
    if target_lat_deg is not None:
        return custom_zone(target_lat_deg, target_lon_deg, target_alt_m or 0.0)
    return zone


def plan_return(station=None, undock=None, *, vehicle: str = "soyuz-ms", mode: str = "nominal",
                zone: str = "soyuz", port: str | None = None, dv_mps: float | None = None,
                target_lat_deg: float | None = None, target_lon_deg: float | None = None,
                target_alt_m: float | None = None, what_if: bool = False) -> LandingPlan:
    """Plan and fly a return: undocking at ``undock`` (UTC) from ``port``, the deorbit burn onto
    the zone's next reachable pass, entry (guided ``nominal`` or ``ballistic``) and the landing point.

    ``station``: see :func:`station_ephemeris` (it must cover the undocking); ``zone``: soyuz or
    arkalyk, or a custom target by latitude/longitude [deg]; ``port``: a port on the undocking
    date (:meth:`~gyrfalcon.station.catalog.Station.port_on`: Pirs nadir until 26 Jul 2021, ...;
    refused otherwise, naming the ports of that date); ``None``: the port of the Soyuz MS the
    built-in manifest has docked then (Rassvet nadir for Soyuz MS-28 on 26 Jul 2026), else
    prichal-nadir, or before it was a port (26 Nov 2021) the first Soyuz port of that date.

    The station rule (:func:`gyrfalcon.traffic.flight_rules.undocking_rules`): a Soyuz undocks
    from a port where the built-in manifest (the late-2025 record, then its 2026 plan) has a
    Soyuz MS docked at ``undock``; a port another vehicle holds then (Zvezda aft: Progress MS-32
    in Dec 2025), or none, is refused
    (:class:`~gyrfalcon.traffic.flight_rules.WhatIfRequiredError`, naming the ports where a Soyuz
    MS is docked then) unless ``what_if``; the result then carries the notes (``plan.what_if``,
    ``plan.notes``), as it carries the record's gap for a date before it is complete. From the 2026
    plan's first event (15 Dec 2025) who is docked where is the plan's word, a plan, not a record:
    such a port is flown, with a note saying what the plan has there.
    """
    from .landing.plan import plan_landing

    _flag(what_if, "what_if")
    undock = _need(undock, "undock", "pass the undocking time, e.g. '2025-12-09T01:41Z' "
                                     "(landing_opportunities lists a day's passes)")
    port = _undock_port(port, undock)
    notes = check_undocking_rules(port, undock, what_if)
    z = _zone(zone, target_lat_deg, target_lon_deg, target_alt_m)
    plan = plan_landing(station_ephemeris(station, around=undock), undock, vehicle=vehicle, zone=z, mode=mode,
                        port=port, dv_mps=dv_mps)
    return ReturnUnderRules(**{f.name: getattr(plan, f.name) for f in fields(plan) if f.init},
                            what_if=bool(what_if), notes=notes)


def _undock_port(port, undock) -> str:
    """The port a Soyuz undocks from at ``undock``: ``port`` checked on that date
    (:func:`gyrfalcon.traffic.flight_rules.undocking_port`), or the default (see :func:`plan_return`)."""
    from .station.catalog import load_station
    from .time import parse_utc
    from .traffic.flight_rules import recorded_soyuz_port, undocking_port

    st = load_station("iss")
    try:
        t = parse_utc(undock)
    except GyrfalconError:          # a bad time is refused by the planner with its own message
        return st.port(port).id if port is not None else "prichal-nadir"
    if port is not None:
        return undocking_port(port, t, "soyuz-ms").id
    there = st.ports_on(t.utc_datetime(), "soyuz-ms")
    recorded = recorded_soyuz_port(undock)      # the Soyuz MS the built-in manifest has leaving then
    if recorded in there:
        return recorded
    return "prichal-nadir" if "prichal-nadir" in there or not there else there[0]


def check_undocking_rules(port: str, undock, what_if: bool) -> tuple:
    """:func:`gyrfalcon.traffic.flight_rules.undocking_rules` (the same rule as ``gyrfalcon
    landing``, which calls this before loading the station): refused unless ``what_if``; the notes
    the result carries. A time that cannot be read is left to the planner, which refuses it with
    its own message."""
    from .time import parse_utc
    from .traffic.flight_rules import undocking_rules

    try:
        t = parse_utc(undock)
    except GyrfalconError:
        return ()
    return undocking_rules(port=port, undock_utc=t, what_if=bool(what_if))


@dataclass(frozen=True, repr=False)
class ReturnUnderRules(_UnderRules, LandingPlan):
    """The :class:`LandingPlan` of :func:`plan_return`, with the station rule's verdict: ``what_if``
    (flown as a what-if) and ``notes`` (the rule it breaks, ``"what-if: breaks rule ..."``, the
    2026 plan's word on its port, and what the record cannot say about its date), as
    :class:`RendezvousPlan` has them."""

    what_if: bool = False
    notes: tuple = ()

    def to_dict(self) -> dict:
        """:meth:`LandingPlan.to_dict` with ``what_if`` and ``notes`` (``gyrfalcon landing --json``)."""
        return super().to_dict() | {"what_if": self.what_if, "notes": list(self.notes)}


def landing_opportunities(station=None, date=None, *, zone: str = "soyuz", vehicle: str = "soyuz-ms",
                          target_lat_deg: float | None = None, target_lon_deg: float | None = None) -> LandingOpportunities:
    """The passes of one UTC day (``YYYY-MM-DD``) over the landing zone, reachable or not."""
    from .landing.plan import daily_opportunities

    date = _need(date, "date", "pass a UTC day, e.g. '2025-12-08'")
    z = _zone(zone, target_lat_deg, target_lon_deg, None)
    return _rewrap(LandingOpportunities, daily_opportunities(station_ephemeris(station, around=date), date, z, vehicle))


# ---------------------------------------------------------------------------------------------
# whole missions
# ---------------------------------------------------------------------------------------------
def _deep_merge(base: dict, changes: dict) -> dict:
    out = dict(base)
    for k, v in changes.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def load_scenario(source=None, **changes):
    """A validated :class:`~gyrfalcon.mission.scenario.Scenario`.

    ``source``: None (the packaged Soyuz MS-28), a path to a scenario TOML, TOML text, or a
    Scenario. ``changes``: keys to replace, tables as dicts merged into the source's, e.g.
    ``load_scenario(name="ms-28-late", launch={"first_feasible_after": "2025-11-28"})``
    (``return`` may be spelled ``return_``). Validated like a file: a bad key or value raises
    :class:`~gyrfalcon.mission.scenario.ScenarioError` naming it and what is allowed.
    """
    import tomllib

    from .mission.scenario import Scenario, parse_scenario

    if "return_" in changes:
        changes["return"] = changes.pop("return_")
    merged = "<load_scenario changes>"     # relative ephemeris paths resolve against a scenario file's folder
    if isinstance(source, Scenario):
        if not changes:
            return source
        base = _without_stale_real(source.model_dump(by_alias=True, exclude_none=True), changes)
        return parse_scenario(_toml(_deep_merge(base, changes)), merged)
    text, where, is_file = _scenario_text(source)
    if changes:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            raw = None                    # parse_scenario below gives the one-line message
        if raw is not None:
            # changes merged BEFORE validation, so that e.g. target={"ephemeris": TLE} serves a flight
            # outside the embedded ephemeris (the source alone would be refused for its date)
            return parse_scenario(_toml(_deep_merge(_without_stale_real(raw, changes), changes)),
                                  where if is_file else merged)
    return parse_scenario(text, where)


def _without_stale_real(base: dict, changes: dict) -> dict:
    """``base`` without its ``[real]`` table when ``changes`` make it another vehicle (a new
    ``vehicle.name`` or ``vehicle.spacecraft``) and give no ``real`` of their own: the real
    figures describe the source's flight (Soyuz MS-28's), not the new one's, and the report
    would compare the two (found by an audit)."""
    veh = changes.get("vehicle")
    old = base.get("vehicle") or {}
    other = isinstance(veh, dict) and any(k in veh and veh[k] != old.get(k) for k in ("name", "spacecraft"))
    if "real" in changes or "real" not in base or not other:
        return base
    return {k: v for k, v in base.items() if k != "real"}


def _scenario_text(source) -> tuple[str, str, bool]:
    """(TOML text, label for messages, whether it came from a file) of a :func:`load_scenario`
    source: None (the packaged Soyuz MS-28), a path or TOML text; anything else is refused."""
    from .mission.scenario import DEFAULT_SCENARIO_FILE, default_scenario_text, read_scenario_file

    if source is None:
        return default_scenario_text(), f"<embedded {DEFAULT_SCENARIO_FILE}>", False
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and "=" not in source):
        return read_scenario_file(source), str(Path(source)), True
    if isinstance(source, str):
        return source, "<string>", False
    raise InputError(f"cannot read a scenario from a {type(source).__name__}; pass None (Soyuz MS-28), a path "
                     "to a .toml file, TOML text or a Scenario")


def _toml_value(v) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if not (isinstance(v, float) and math.isinf(v)) else ("inf" if v > 0 else "-inf")
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    import datetime as _dt

    if isinstance(v, _dt.datetime) or hasattr(v, "tt"):     # a time: written as ISO 8601 UTC (naive refused)
        from .time import iso_utc, parse_utc

        return json.dumps(iso_utc(parse_utc(v), 3))
    raise InputError(f"cannot write a {type(v).__name__} into a scenario; give numbers, strings (times as "
                     "ISO 8601, e.g. '2025-11-27T09:27:57.4Z', or aware datetimes), lists or tables")


def _toml(data: dict, prefix: str = "") -> str:
    """Minimal TOML writer for scenario data (scalars, arrays, inline tables, nested tables)."""
    lines, tables = [], []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif v is not None:
            lines.append(f"{k} = {_toml_value(v)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for k, v in tables:
        name = f"{prefix}{k}"
        out += f"\n[{name}]\n" + _toml(v, name + ".")
    return out


def scenario_text(scenario) -> str:
    """TOML text of a Scenario (what ``write_outputs`` stores as ``scenario.toml``)."""
    return _toml(scenario.model_dump(by_alias=True, exclude_none=True))


from .mission.result import MissionResult as _MissionResult  # noqa: E402


@dataclass(frozen=True, repr=False)
class MissionResult(_MissionResult):
    """A :class:`gyrfalcon.mission.result.MissionResult` with a short repr, the timeline table,
    the report's figures (``.plot(key)``), and ``.save(dir)`` for the output files."""

    def __repr__(self) -> str:
        sc = self.scenario
        wi = "WHAT-IF " if self.what_if else ""
        return (f"MissionResult({wi}{sc.name}: launch {_iso(self.launch_utc)}, contact {_iso(self.contact_utc)}, "
                f"landing {_iso(self.landing_utc)}, rendezvous dv {self.total_dv_mps} m/s, {len(self.events)} events)")

    def table(self) -> str:
        """The timeline (event, UTC, MET, notes), as ``gyrfalcon run`` prints it, in plain text; a
        what-if's first line says so and its rule notes follow the table."""
        rows = [(e.name, _iso(e.utc).replace("T", " ").rstrip("Z"), _met(e.met_s), e.notes) for e in self.events]
        text = _text_table(("event", "UTC", "MET", "notes"), rows, right=(2,))
        if not self.what_if:
            return text
        rules = [n for n in self.notes if "what-if" in n or "rule" in n]
        return ("WHAT-IF: flown as asked, whatever the station rules say\n" + text
                + "".join(f"\nnote: {n}" for n in rules))

    def plot(self, key: str = "ground-track"):
        """One of the report's figures: ascent, ground-track, altitude-phase, lvlh, range, occupancy
        or entry (a matplotlib Figure)."""
        from .mission.plots import mission_figures

        figs = {p.key: p for p in mission_figures(self)}
        if key not in figs:
            raise InputError(f"no figure {key!r}; choose one of {', '.join(figs)}")
        p = figs[key]
        if p.figure is None:
            raise InputError(f"figure {key!r} cannot be drawn for this flight: {p.note}")
        return p.figure

    def save(self, out_dir, scenario_toml: str | None = None) -> dict:
        """Write the output directory (timeline.json, report.html, OEMs, CZML, scenario.toml) atomically;
        returns ``{kind: file name or note}`` (see :func:`gyrfalcon.mission.runner.write_outputs`)."""
        from .mission.runner import write_outputs

        return write_outputs(self, out_dir, scenario_toml or scenario_text(self.scenario))


def _present_mission(result) -> MissionResult:
    """``result`` with its phase results as the presenting classes (``mission.rendezvous.table()``...)."""
    from dataclasses import replace

    res = _rewrap(MissionResult, result)
    return replace(res, rendezvous=_rewrap(RendezvousPlan, res.rendezvous), approach=_rewrap(ApproachResult, res.approach),
                   landing=_rewrap(LandingPlan, res.landing),
                   windows=tuple(_rewrap(LaunchWindow, w) for w in (res.windows or ())))


def run_mission(scenario=None, *, seed: int | None = None, with_return: bool = True, out=None,
                progress=None) -> MissionResult:
    """Fly a whole mission: window, countdown, ascent, rendezvous, approach, return, manifest.

    ``scenario``: anything :func:`load_scenario` reads (default: Soyuz MS-28). ``seed``: overrides
    the scenario's; ``with_return=False`` skips the return; ``out``: also write the output
    directory there; ``progress(phase, status)``: called as phases start and end.
    """
    from .mission.runner import fly

    text = None
    if isinstance(scenario, (str, Path)) and not (isinstance(scenario, str) and ("\n" in scenario or "=" in scenario)):
        source = str(scenario)
        sc = load_scenario(scenario)
        text = Path(scenario).read_text(encoding="utf-8")
    else:
        sc = load_scenario(scenario)
        source = "<embedded soyuz-ms-28.toml>" if scenario is None else "<string>"
        if scenario is None:
            from .mission.scenario import default_scenario_text

            text = default_scenario_text()
    _flag(with_return, "with_return")
    _callback(progress, "progress(phase, status)")
    changes = {}
    if seed is not None:
        changes["seed"] = _check_seed(seed)
    if not with_return:
        changes["return_"] = sc.return_.model_copy(update={"enabled": False})
    if changes:
        sc = sc.model_copy(update=changes)
        text = None
    res = _present_mission(fly(sc, source=source, progress=progress))
    if out is not None:
        res.save(out, text)
    return res


# ---------------------------------------------------------------------------------------------
# traffic
# ---------------------------------------------------------------------------------------------
from .traffic.whatif import WhatIfResult as _WhatIfResult  # noqa: E402


@dataclass(frozen=True, repr=False)
class PadOutageResult(_WhatIfResult):
    """A :class:`gyrfalcon.traffic.whatif.WhatIfResult` with a short repr, the slip table and a plot."""

    def __repr__(self) -> str:
        o = self.outage
        return (f"PadOutageResult({o.pad_id} out {o.since_utc[:10]}..{(o.until_utc or 'no end')[:10]}: "
                f"{len(self.affected)} launches slip, {len(self.stays_at_risk)} stays at risk)")

    def table(self) -> str:
        """Launches from the pad after the outage starts: planned, re-planned, slip [days] and why."""
        o = self.outage
        rows = [(s.vehicle, s.pad or "", s.planned_utc[:16], (s.replanned_utc or "cancelled")[:16],
                 "-" if s.slip_days is None else f"{s.slip_days:.1f}", "; ".join(s.reasons) or "unaffected")
                for s in self.slips if s.pad == o.pad_id and s.planned_utc >= o.since_utc[:10]]
        return _text_table(("launch", "pad", "planned UTC", "re-planned UTC", "slip d", "why"), rows, right=(4,))

    def plot(self):
        """Port occupancy [UTC date] as re-planned (bars) over the planned one (grey)."""
        import tempfile

        from .traffic.whatif import gantt

        o = self.outage
        start, end = self.chart_span()
        with tempfile.TemporaryDirectory() as tmp:   # the traffic Gantt draws to a file; keep only the figure
            path = gantt(Path(tmp) / "gantt.png", self.intervals(True), baseline=self.intervals(False),
                         ports=self.baseline.station.port_ids, title=f"Port occupancy, {o.pad_id} out",
                         start_utc=start, end_utc=end, outage=o)
            import matplotlib.image as mpimg

            img = mpimg.imread(str(path))
        fig = _figure(10.0, 10.0 * img.shape[0] / img.shape[1])
        fig.set_layout_engine("none")
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(img)
        ax.set_axis_off()
        return fig


def pad_outage(pad: str = "baikonur-31", start: str = "2025-11-27", end: str | None = "2026-03-03", *,
               turnaround_days: float | None = None) -> PadOutageResult:
    """Re-plan the station's traffic (the built-in late-2025 manifest and plan) for a pad outage.

    ``start``/``end``: ISO UTC dates (a bare ``start`` date with a launch from the pad that day
    means "lost right after that launch", as Site 31/6 after Soyuz MS-28); ``end`` None: no end
    known. Returns the launch slips, the stays beyond their limits, lifeboat seats and Progress gaps.
    """
    from .traffic.builtin import planned_events
    from .traffic.whatif import parse_pad_outage, pad_outage_whatif

    from datetime import date as _date, datetime as _datetime

    from .time import iso_utc, parse_utc

    # a Time or an aware datetime as its UTC instant (a naive datetime is refused, as everywhere)
    # a datetime or Time as whole seconds, which the outage text takes (it refuses fractions)
    # a datetime.date is the bare date it writes (the same reading as the string "2025-11-27")
    start, end = (x.isoformat() if isinstance(x, _date) and not isinstance(x, _datetime) else x for x in (start, end))
    start, end = (x if x is None or isinstance(x, str) else iso_utc(parse_utc(x), 0) for x in (start, end))
    outage = parse_pad_outage(f"{pad}:{start}..{end or ''}", planned_events()[0])
    kw = {}
    if turnaround_days is not None:
        if isinstance(turnaround_days, bool) or not isinstance(turnaround_days, (int, float)):
            raise InputError(f"turnaround_days must be a number of days, got {turnaround_days!r}; e.g. 16 (the "
                             "built-in plan's pad turnaround)")
        kw["turnaround_days"] = float(turnaround_days)      # its range is checked by the what-if
    return _rewrap(PadOutageResult, pad_outage_whatif(outage, **kw))


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------
from .scale.campaign import CampaignResult as _CampaignResult  # noqa: E402


@dataclass(frozen=True, repr=False)
class MonteCarloResult(_CampaignResult):
    """A :class:`gyrfalcon.scale.campaign.CampaignResult` with a short repr, a text summary and histograms.

    Here ``.table`` is the campaign's per-run table (a ``pyarrow.Table``, one row per flight, as
    written to ``runs.parquet``); the text table is :meth:`summary_table`.
    """

    def __repr__(self) -> str:
        from .scale.report import percent_text

        s = self.summary
        return (f"MonteCarloResult({s.runs} runs, captured {s.captured} ({percent_text(s.success_rate)} %), "
                f"rendezvous dv p50 {s.rendezvous_dv_p_mps[1]:.2f} m/s, seed {self.campaign_seed})")

    def summary_table(self) -> str:
        """Capture rate and the percentiles of the per-run figures, as text."""
        s = self.summary
        d = s.to_dict()
        from .scale.report import rate_text

        rows = [("runs", str(s.runs)), ("captured", f"{s.captured} ({rate_text(s)})")]
        for k, v in d.items():
            if k.endswith(("_p_mps", "_p_s", "_p_m", "_p_kg")) and isinstance(v, (list, tuple)):
                rows.append((f"{k} (p5/p50/p95/p99)", " / ".join("-" if x is None or math.isnan(x) else f"{x:.2f}" for x in v)))
        rows.append(("failures", str(dict(s.failures) or "none")))
        return _text_table(("quantity", "value"), rows)

    def plot(self):
        """Histograms of the rendezvous delta-v [m/s] and the contact delay [s] against the nominal."""
        import numpy as np

        t = self.table
        fig = _figure(9.0, 3.6)
        for i, (col, label) in enumerate((("rendezvous_dv_mps", "rendezvous delta-v [m/s]"),
                                          ("contact_delay_s", "contact delay after the nominal [s]"))):
            ax = fig.add_subplot(1, 2, i + 1)
            if col in t.column_names:
                x = np.asarray(t.column(col).to_numpy(zero_copy_only=False), dtype=float)
                x = x[np.isfinite(x)]
                if x.size:
                    ax.hist(x, bins=min(30, max(5, x.size // 3)), color="tab:blue", alpha=0.8)
            ax.set_xlabel(label)
            ax.set_ylabel("runs")
            ax.grid(alpha=0.3)
        return fig


def monte_carlo(scenario=None, runs: int = 100, *, seed: int | None = None, workers: int = 1,
                dispersions=None, progress=None) -> MonteCarloResult:
    """Fly ``runs`` dispersed flights of a scenario (default Soyuz MS-28 and its ``[dispersions]``):
    insertion, burn execution, Kurs, density and station ephemeris errors; summarise them.

    ``scenario``: a path to a scenario TOML, TOML text, or None; ``dispersions``: a path to a TOML
    file with a ``[dispersions]`` table (instead of the scenario's); ``workers`` > 1: local Dask
    processes. ``progress(done, total)`` after each chunk.
    """
    from .mission.scenario import Scenario, default_scenario_text, read_scenario_file
    from .scale.campaign import auto_chunk_size, check_campaign_memory, run_campaign

    if scenario is None:
        text, source = default_scenario_text(), "<embedded soyuz-ms-28.toml>"
    elif isinstance(scenario, Path) or (isinstance(scenario, str) and "\n" not in scenario and "=" not in scenario):
        text, source = read_scenario_file(scenario), str(scenario)
    elif isinstance(scenario, str):
        text, source = scenario, "<string>"
    elif isinstance(scenario, Scenario):          # as run_mission takes it (gf.load_scenario)
        text, source = scenario_text(scenario), f"<Scenario {scenario.name}>"
    else:
        raise InputError(f"monte_carlo reads a scenario path, TOML text, a Scenario (gf.load_scenario) or None, "
                         f"not a {type(scenario).__name__}")
    runs, workers = _count(runs, "runs", "e.g. runs=100"), _count(workers, "workers", "e.g. workers=2")
    seed = None if seed is None else _check_seed(seed, "the campaign's random seed")
    _callback(progress, "progress(done, total)")
    if dispersions is not None and not hasattr(dispersions, "seed"):
        from .scale.dispersions import load_dispersions

        if not isinstance(dispersions, (str, Path)):
            raise InputError(f"dispersions must be a path to a TOML file with a [dispersions] table, or None, "
                             f"got {type(dispersions).__name__}")
        dispersions = load_dispersions(dispersions)
    check_campaign_memory(runs, workers, auto_chunk_size(runs, workers), hint="give fewer runs or workers")
    res = run_campaign(text, runs, source=source, dispersions=dispersions,
                       campaign_seed=seed, workers=workers, progress=progress)
    return _rewrap(MonteCarloResult, res)
