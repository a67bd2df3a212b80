"""One way in for a station's orbit: NASA's OEM, a TLE/OMM series, or the packaged default.

:func:`load_station` is the single place every command, the runner and the web API get the
station from. It returns a frozen :class:`Station` whose :meth:`Station.ephemeris` is an
:class:`~gyrfalcon.orbits.ephemeris.Ephemeris` (GCRF by default) with ``.at(t)``, plus where it
came from (``source``), the drag estimate (``drag``), the warnings and the span.

How each source becomes an ephemeris
------------------------------------
* **OEM** (NASA's ``ISS.OEM_J2K_EPH`` or any CCSDS OEM): NASA's samples are used as they are
  inside the file. Where the caller needs the orbit past the file's end, or asks for a
  prediction from ``predict_from_utc`` (data after it are then ignored, as in a hindcast),
  the orbit is propagated with EGM2008 20x20 (:data:`EPHEMERIS_GRAVITY_DEGREE`), Sun and Moon
  (DE421) and NRLMSISE-00 drag from the file's state at that instant, with the drag
  **estimated from the file's samples before that instant** (:func:`fit_arc`: a density scale
  and, optionally, the state, by batch least squares over up to :data:`OEM_HISTORY_DAYS` day
  (:data:`OEM_LONG_HISTORY_DAYS` for a prediction longer than :data:`LONG_SPAN_DAYS`), never
  across a planned burn; with too little data since a planned burn the scale is fitted on the
  arc before it and the state is the file's sample at or before the start
  (:func:`_drag_before_burn`); an unreadable event-summary row naming a burn that the fit or the
  prediction reaches is refused (:func:`_refuse_unread_burns`); a prediction longer than :data:`LONG_SPAN_DAYS` is propagated with
  the 8x8 model, the state and scale still fitted with 20x20 + Sun + Moon). NASA's
  ``DRAG_COEFF`` belongs to NASA's own atmosphere and flux forecast and is never used as is:
  Cd is fixed at :data:`DEFAULT_CD` with NASA's area and mass, and the fitted scale absorbs
  the rest. The burns of the file's ``TRAJECTORY EVENT SUMMARY`` with a non-zero dv that fall
  inside the propagated span are applied as **finite burns along the velocity (+T of TNW)
  igniting at their TIG**, lasting dv / :data:`REBOOST_ACCEL_MPS2` (:func:`event_burns`; NASA's
  summary gives no direction or duration; its own trajectory burns along-track from the TIG for
  6-23 min). A prediction asked to start inside a burn's modelled span is fitted and started
  :data:`BURN_LEAD_S` before its TIG and flies the whole burn (the output still starts at the
  time asked; a warning says so): NASA's samples there are mid-burn.
* **Element sets** (a TLE file, an OMM JSON/CSV/XML/KVN file, or a list of
  :class:`~gyrfalcon.orbits.tle.TLE`/``OMM``): orbit determination (:func:`determine_orbit`):
  the sets dated at or before ``at_utc`` (never after) of the last :data:`HISTORY_DAYS` days
  (after the last manoeuvre seen in the series) are turned into pseudo-observations (SGP4
  positions over one orbit around each set's epoch, TEME -> GCRF with :mod:`gyrfalcon.frames`),
  and the GCRF state at the last observation plus the density scale are fitted by batch least
  squares (:func:`scipy.optimize.least_squares`, Jacobian by finite differences in heyoka's
  batch mode). A set that is not a member of the series (its mean inclination, semi-major axis
  or eccentricity far from its neighbours', beyond any burn of the station: :func:`check_series`)
  and a set whose residuals stand far above the others' after a first fit
  (:func:`_robust_series_fit`) are left out, each with a warning naming it; a fit still above
  :data:`FIT_RMS_WARN_M` rms is warned with its figure. The fitted state is then propagated with the same model, the ``full`` one
  (EGM2008 8x8 + NRLMSISE-00: the SGP4 positions carry ~0.5 km, which a bigger field does not
  change, and the fit stays fast). With fewer than 3 sets over :data:`MIN_FIT_HOURS` h (a single
  set, as users often have), the state and the scale are fitted the same way to the **last
  set's own SGP4 trajectory over the** :data:`HISTORY_DAYS` **days before its epoch**
  (:func:`_fit_last_set`: the set's BSTAR, fitted by its producer on those days' tracking,
  turned into this model's density scale; ``drag.method`` ``last-set``); on 65 pairs of real
  sets of 2018-2025 this is 3.0 / 2.5 / 14.5 km off the later set (median, under 1.3 / 1.3-3 /
  3-7 days) where taking the set's state with the default scale was 7.2 / 11.1 / 40.9 km and
  SGP4 of the set itself 3.1 / 3.1 / 10.3 km (docs/validation.md). A set whose trajectory
  implies a scale outside :data:`SET_SCALE_RANGE` falls back to its state and the default.
* **Default** (``source=None``): the packaged NASA OEM of 2025-11-24.

Space weather during a prediction is held at values known at the prediction's start
(:data:`SPACE_WEATHER`: F10.7 = the mean of the 81 daily values before it, Ap of the day before),
as a forecast would be; during the fit arc (the past) the same constant values are used so that
the fitted scale carries over. No observed value after the start is used.

Warnings (``Station.warnings``) say when the data are older than :data:`STALE_DAYS` before the
time they serve, quoting the error expected at that age (median and p95 interpolated from the
measured growth :data:`ERROR_GROWTH_KM`: 3 / 16 / 72 km median after 1 / 3 / 7 days,
docs/validation.md), when a planned manoeuvre lies between the data and the flight, when
element sets after ``at_utc`` were left out, when too few sets were given for a series fit,
and when the drag could not be estimated (then :data:`DEFAULT_DRAG_SCALE` is used). The
trajectory (``Station.gcrf``) carries ``meta["data_end_utc"]`` and ``meta["data_kind"]``
(``Station.data_end_utc``, ``Station.kind``), so that what is computed from it alone can say how old
its data are (a refused launch, :mod:`gyrfalcon.api`).

Limits: the ISS area, mass and Cd for element sets are ISS figures (:data:`ELEMENTS_DRAG`);
the fitted scale absorbs the error for the ISS, not for another object's different ballistic
coefficient over long spans. Unplanned manoeuvres, attitude changes and space-weather storms
after the data are not predicted.
"""
from __future__ import annotations

import functools
import math
import re
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..constants import MU_EARTH_M3_S2
from ..errors import GyrfalconError, InputError, OEMFormatError, OrbitSourceError, StationDataWarning

HISTORY_DAYS = 3.0
"""Longest span of element sets before the prediction start used to fit the drag [days]."""
OEM_HISTORY_DAYS = 0.5
"""Longest span of an OEM's samples before the prediction start used to fit the drag [days], for
a prediction up to :data:`LONG_SPAN_DAYS`. With the 20x20 + Sun + Moon model the fit leaves
~10 m over half a day, and NASA's density over NRLMSISE-00's drifts by several per cent a day,
so the most recent half-day is the best persistence forecast. Chosen on the 13 NASA files of
2023-2024 (72 h hindcasts, least median + worst: 0.5 d 3.2 + 6.6 km; 0.375 d 3.7 + 8.8;
0.625 d 3.5 + 7.3; 0.75 d 2.6 + 10.1; 1 d 2.8 + 14.6; 3 d 3.3 + 20.6) and reported on the 9 of
2025-2026 (0.5 d: 1.4 / 4.4 km median / worst; 1 d: 2.7 / 8.1); docs/validation.md "Station orbit"."""
OEM_LONG_HISTORY_DAYS = 1.0
"""The same for a prediction longer than :data:`LONG_SPAN_DAYS` (an OEM extended to the end of a
stay): no hindcast of months exists to choose on, so the former one-day arc is kept."""
EPHEMERIS_GRAVITY_DEGREE = 20
"""Degree and order of EGM2008 in the model fitted to an OEM's samples (:func:`_model`)."""
LONG_SPAN_DAYS = 10.0
"""A prediction from an OEM longer than this [days] (e.g. extending it to the end of a stay)
uses the 8x8 model (``elements``) with the state and scale fitted with 20x20 + Sun + Moon: by
then the drag error (several km/day) dwarfs the difference, and the 8x8 field is ~3.5x faster."""
MIN_FIT_HOURS = 6.0
"""Shortest usable fit arc [h]; shorter -> the default drag scale with a warning."""
DEFAULT_CD = 2.2
"""Drag coefficient used with NASA's area (the fitted density scale absorbs the difference)."""
DEFAULT_DRAG_SCALE = 0.88
"""Density scale used when no history can be fitted (median of the 22 one-day fits of the
NASA-file hindcasts, 0.64-1.43; the half-day fits give 0.86, 0.60-1.44; docs/validation.md
"Station orbit"); with a warning."""
ELEMENTS_DRAG = {"drag_area_m2": 1500.0, "drag_cd": DEFAULT_CD}
"""ISS cross-section [m^2] and Cd used for element sets (no area in a TLE/OMM)."""
ELEMENTS_MASS_KG = 450000.0
"""ISS mass [kg] used for element sets (NASA OEM headers 2023-2026: 420-500 t)."""
ERROR_GROWTH_KM = ((1.0, 3.0, 13.1), (3.0, 16.2, 57.2), (7.0, 72.1, 279.7))
"""Measured growth of the position error of an orbit fitted to element sets: (age [days], median
[km], p95 [km]) against later element sets, 1, 3 and 7 days ahead (docs/validation.md "Station
orbit", OMM series 2024-09 to 2025-03). The error grows faster than linearly (drag mis-estimated:
along-track ~ t^1.5-1.9); :func:`expected_error_km` interpolates it in log-log."""
STALE_DAYS = 3.0
"""Data older than this before the time they serve get a staleness warning [days]: by then the
measured median error is ~16 km (p95 ~58 km), while fresher element sets appear several times a
day and NASA's OEM every few days."""
MAX_ELEMENTS_AGE_DAYS = 30.0
"""Element sets whose last one is older than this before the time they serve are refused [days]
(and an OEM that ends longer than this before it):
the measured median error is already 72 km after 7 days (p95 280 km), and the ISS is reboosted
every few weeks (NASA event summaries 2023-2026), which no fit of older sets can know."""
DEFAULT_SPAN_DAYS = 15.0
"""How far an element-set prediction reaches after ``at_utc`` when no ``until_utc`` is given."""
SAMPLE_STEP_S = 60.0
"""Step of the propagated ephemeris samples [s]."""
OBS_STEP_S = 300.0
"""Spacing of the SGP4 pseudo-observations [s]."""
MANOEUVRE_DA_M = 150.0
"""A rise of the mean semi-major axis between consecutive element sets larger than this [m]
is taken as a manoeuvre (drag only lowers it; SGP4 mean-element noise is ~30 m)."""
SERIES_MAX_DI_DEG = 0.1
"""An element set whose mean inclination differs by more than this [deg] from most of its
neighbours in the series (:data:`SERIES_NEIGHBOURS`) is not a member of the series and is left out
(:func:`check_series`): turning the plane by 0.1 deg takes 13 m/s out of plane (v * di), while the
station's burns are along-track reboosts of 0.5-2 m/s and debris avoidances under 1 m/s.
Consecutive real ISS sets differ by 0.01 deg at most (the ~500 CelesTrak sets of 2024-09 to
2025-03 and the TLEs of 2015-2026 in tests/data)."""
SERIES_MAX_DA_M = 50e3
"""The same for the mean semi-major axis [m]: 50 km takes ~28 m/s along-track (da = 2 a dv / v),
more than ten times a large ISS reboost (2 m/s: ~3.5 km) and twice the station's whole operating
range (~20 km); consecutive real sets differ by 4.8 km at most (a reboost; same data)."""
SERIES_MAX_DE = 0.005
"""The same for the mean eccentricity: 0.005 takes 19 m/s or more (de <= 2 dv / v); consecutive
real ISS sets differ by 0.0006 at most (same data)."""
SERIES_NEIGHBOURS = 4
"""How many sets nearest in the series (by epoch order: two on each side where they exist) a set
is compared with: it is left out when it differs beyond one of the thresholds above from more than
half of them, so that one bad set never takes a good neighbour with it. A series of fewer than 3
sets is not judged (no majority)."""
OUTLIER_FACTOR = 3.0
"""After a first series fit, the set whose largest position residual exceeds this many times the
median set's (and :data:`OUTLIER_FLOOR_M`) is dropped and the fit redone, one set at a time
(:func:`_robust_series_fit`). On the 163 daily fits of the ~500 CelesTrak sets of 2024-09 to
2025-03 the worst set's largest residual is 1.0-4.0 times the median set's (median 1.8)."""
OUTLIER_FLOOR_M = 10e3
"""No set whose largest residual is under this [m] is dropped: SGP4's own ISS error is ~1 km, and
the worst set of the 163 daily fits above reaches 5.7 km (median set 0.4-2.2 km); a set one or two
km further off moves the fit by far less than the drag error of one day (~3 km)."""
OUTLIER_MAX_FRACTION = 1.0 / 3.0
"""At most this fraction of a series' sets is dropped as outliers (and 3 sets over
:data:`MIN_FIT_HOURS` always remain): beyond it the sets are not a few bad ones among good ones."""
FIT_RMS_WARN_M = 5e3
"""A series fit whose final residual rms exceeds this [m] is warned with the figure: the fits of
the real series leave 0.2-1.9 km (docs/validation.md), SGP4's own error."""
TOL = 1e-9
"""heyoka tolerance of the fits and predictions here (against 1e-13 the ISS with drag differs by
< 1 m after 3 days with the 8x8 model, ~2 m with 20x20 + Sun + Moon,
tests/orbits/test_station_source.py; the fits leave ~20 m (OEM) to ~500 m (element sets))."""
SET_SCALE_RANGE = (0.3, 3.0)
"""Density scales a single set's own SGP4 trajectory may imply and be used (:func:`_fit_last_set`):
about half the lowest and twice the highest fitted on the 22 NASA files (0.60-1.44); outside it
the set's drag terms are taken as spoiled and the default scale is used."""
SET_EPOCH_RESOLUTION_S = 1e-3
"""A TLE epoch is written to 1e-8 day (0.864 ms): a set whose epoch lies within this of the time it
serves counts as dated before it (a start written to the second at a set's epoch is not refused)."""
BSTAR_MAX = 0.01
"""Element sets with a larger |BSTAR| [1/earth radii] are left out: the ISS's is 1e-4..1e-3; values
like -0.11 come from a set fitted across a manoeuvre and put SGP4 kilometres off within an orbit."""
REBOOST_ACCEL_MPS2 = 1.49e-3
"""Acceleration of a planned ISS reboost [m/s^2] (its duration = dv / this): the median over the
13 burns in NASA's 2023-2024 files of dv / duration (the span NASA samples every 2 s from the
TIG: 0.94e-3 for the Cygnus burns, up to 1.87e-3; `bench/validate_station_orbit.py --only
burns`, docs/validation.md "Station orbit")."""
REBOOST_ISP_S = 300.0
"""Specific impulse of the reboost thrusters [s] (Progress/Zvezda bipropellant; the ~270 kg of
propellant of a 1.7 m/s reboost of 460 t changes the drag by < 0.1 %)."""
SPACE_WEATHER = "frozen"
"""How space weather enters a prediction: ``frozen`` (values at the prediction start) or
``table`` (heyoka's observed table, i.e. hindsight)."""


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DragEstimate:
    """The drag used for a prediction: density scale ``drag_scale`` (multiplies NRLMSISE-00)
    with its formal least-squares 1-sigma ``sigma`` (residuals taken as independent; the scale
    itself changes by up to 25 % from one day to the next in NASA's trajectories, docs/validation.md,
    which dominates a prediction's error), the fit residual ``rms_m`` [m] over ``n_points`` positions
    spanning ``span_s`` [s] before ``fit_end_utc``, the Cd/area/mass used, the ballistic
    coefficient ``ballistic_coefficient_m2_kg`` = scale * Cd * A / m, and ``method``
    (``fit``: on a series or an OEM's samples; ``last-set``: on the last element set's own SGP4
    trajectory, too few sets for a series; ``default``). ``before_burn`` (name, TIG UTC) when the
    scale was fitted on the arc before that planned burn (a start just after it, too little data
    since), the state then being the file's sample at ``state_utc``."""

    drag_scale: float
    sigma: float | None
    rms_m: float | None
    n_points: int
    span_s: float
    method: str
    cd: float
    area_m2: float
    mass_kg: float
    fit_end_utc: str | None = None
    state_fitted: bool = False
    space_weather: tuple = ()
    before_burn: tuple = ()
    state_utc: str | None = None
    reason: str | None = None     # method "default" after a rejected fit: why (element sets)

    @property
    def ballistic_coefficient_m2_kg(self) -> float:
        return self.drag_scale * self.cd * self.area_m2 / self.mass_kg

    def describe(self) -> str:
        """One line: the scale +- sigma, the fit arc and its rms, or the default used."""
        if self.method == "default":
            why = self.reason or f"no usable history before {self.fit_end_utc}"
            return f"drag scale {self.drag_scale:.3f} (default: {why})"
        # the formal least-squares figure (residuals taken as independent): the scale's change from
        # one day to the next is far larger (docs/validation.md "72 h hindcasts")
        sig = "" if self.sigma is None else f" +- {self.sigma:.3f} (formal 1 sigma)"
        rms = "?" if self.rms_m is None else f"{self.rms_m:.0f}"
        what = " to the last set's SGP4" if self.method == "last-set" else ""
        if self.before_burn:
            name, tig = self.before_burn
            return (f"drag scale {self.drag_scale:.3f}{sig} fitted over {self.span_s / 3600:.1f} h before the "
                    f"planned burn '{name}' of {tig} (to {self.fit_end_utc}; rms {rms} m, {self.n_points} points), "
                    f"state from the file's sample at {self.state_utc} after it (too little data since the burn)")
        return (f"drag scale {self.drag_scale:.3f}{sig} fitted{what} over {self.span_s / 3600:.1f} h before "
                f"{self.fit_end_utc} (rms {rms} m, {self.n_points} points)")

    def to_dict(self) -> dict:
        from dataclasses import asdict

        d = asdict(self)
        d["ballistic_coefficient_m2_kg"] = self.ballistic_coefficient_m2_kg
        d["space_weather"] = list(self.space_weather)
        d["before_burn"] = list(self.before_burn)
        return d


@dataclass(frozen=True)
class Station:
    """A station trajectory and how it was obtained (see the module docstring).

    ``source``: text naming the data; ``kind``: ``oem`` | ``elements`` | ``embedded``;
    ``drag``: :class:`DragEstimate` or None (NASA's samples used as they are);
    ``warnings``: tuple of one-line texts; ``span``: (first, last) UTC ISO strings covered;
    ``data_end_utc``: the instant of the latest data used (last element-set epoch, or the OEM's
    creation date); ``predicted_from_utc``: where our own propagation starts (None: NASA's
    samples only); ``burns``: the planned burns applied (name, UTC, dv m/s).
    """

    source: str
    kind: str
    gcrf: Any = field(repr=False)
    drag: DragEstimate | None = None
    warnings: tuple = ()
    span: tuple = ()
    data_end_utc: str | None = None
    predicted_from_utc: str | None = None
    burns: tuple = ()
    events: tuple = field(default=(), repr=False)

    def ephemeris(self, frame: str = "GCRF"):
        """The trajectory as an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` in ``frame``."""
        from .state import canonical_frame

        f = canonical_frame(frame)
        if f == "GCRF":
            return self.gcrf
        return self.gcrf.in_frame(f)

    def at(self, t):
        """The GCRF state at ``t``."""
        return self.gcrf.at(t)

    def stale_at_end(self, start, end, what: tuple = ("the contact", "liftoff")) -> str | None:
        """The staleness warning for data that serve from ``start`` (a liftoff, judged when the
        station was loaded) to ``end`` (the contact, two days later for a two-day flight): the
        warning for ``end`` when the data are older than :data:`STALE_DAYS` there but were not at
        ``start`` (else None: fresh throughout, or already warned). ``what``: how the message
        names ``end`` and ``start`` (a window search: the last window and the search start)."""
        from ..time import parse_utc, seconds_between

        if self.data_end_utc is None:
            return None
        t0 = parse_utc(self.data_end_utc)
        age_start, age_end = (float(seconds_between(t0, parse_utc(t))) / 86400.0 for t in (start, end))
        if age_start > STALE_DAYS or age_end <= STALE_DAYS:
            return None
        instead = ("an OEM created closer to the flight" if self.kind in ("oem", "embedded")
                   else "element sets dated closer to the flight")
        return (_stale_text(self.source, t0, parse_utc(end), age_end, instead)
                + f" (at {what[0]}; at {what[1]} they were {age_start:.1f} days old)")

    def describe(self) -> str:
        """One line (what every command reports): the source and, when we propagated, from when,
        the drag scale +- sigma, the fit rms and its arc (or the default scale), and the planned
        burns applied."""
        s = self.source
        if self.predicted_from_utc:
            s += f"; propagated from {self.predicted_from_utc}"
        if self.drag is None:
            return s + ("; the file's samples used as they are" if self.kind in ("oem", "embedded") else "")
        s += f"; {self.drag.describe()}"
        if self.burns:
            s += "; planned burns applied: " + ", ".join(f"{n} {u[:16]} {dv:.1f} m/s" for n, u, dv in self.burns)
        return s

    def to_dict(self) -> dict:
        """The JSON-ready report (``--json``'s ``"station"`` object): :meth:`describe`'s figures
        and the loader's warnings."""
        return {"source": self.source, "kind": self.kind, "span_utc": list(self.span),
                "data_end_utc": self.data_end_utc, "predicted_from_utc": self.predicted_from_utc,
                "drag": None if self.drag is None else self.drag.to_dict(),
                "burns": [{"name": n, "utc": u, "dv_mps": dv} for n, u, dv in self.burns],
                "warnings": list(self.warnings)}


# ------------------------------------------------------------------------------------------
# reading a source
# ------------------------------------------------------------------------------------------
def _read(source):
    """-> (kind, payload, label): ('oem', OEM), ('eph', Ephemeris) or ('elements', [sets])."""
    from ..io.oem import OEM
    from .ephemeris import Ephemeris
    from .tle import OMM, TLE

    if source is None:
        from .iss import iss_default_path, load_iss_default

        return "embedded", load_iss_default(), f"packaged NASA ISS OEM {iss_default_path().name}"
    if isinstance(source, OEM):
        return "oem", source, str(source.source)
    if isinstance(source, Ephemeris):
        return "eph", source, str(source.meta.get("source", source.name))
    if isinstance(source, (TLE, OMM)):
        from ..time import iso_utc

        return "elements", [source], f"element set of object {source.catalog_number} ({iso_utc(source.epoch, 0)})"
    if isinstance(source, (list, tuple)):
        if source and all(isinstance(x, (TLE, OMM)) for x in source):
            objs = ", ".join(sorted({str(x.catalog_number) for x in source}))
            return "elements", list(source), (f"{len(source)} element sets of object {objs}" if len(source) != 1
                                              else _read(source[0])[2])
        raise InputError("a station source list must hold TLE/OMM objects; give a file path otherwise")
    p = Path(str(source))
    if not p.is_file():
        raise OrbitSourceError(f"station source '{source}' is not a file; give a NASA OEM, a TLE file or an "
                               "OMM JSON/CSV/XML file (or nothing for the packaged ISS ephemeris)")
    kind = sniff(p)
    if kind == "oem":
        from ..io.oem import load_oem

        return "oem", load_oem(p), str(p)
    from .tle import load_omm, load_tles

    sets = load_omm(p) if kind == "omm" else load_tles(p)
    return "elements", list(sets), str(p)


def sniff(path) -> str:
    """What a station file holds: ``oem``, ``omm`` or ``tle`` (a TLE/3LE text, or a CSV table of TLE
    lines as :func:`gyrfalcon.orbits.tle.parse_tle_csv` reads), from its first 64 kB."""
    import gzip
    import zlib

    raw = Path(path).read_bytes()
    try:
        head = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)[:65536].decode("utf-8", "replace")
    except (OSError, EOFError, zlib.error) as exc:
        raise OrbitSourceError(f"{path} is not a readable gzip file ({exc}); give an intact .gz or the uncompressed "
                               "file") from None
    if not head.strip():
        raise OrbitSourceError(f"{path} is empty (no text, or only blank lines); give a CCSDS OEM, an OMM "
                               "(JSON/CSV/XML/KVN), a TLE file or a CSV of TLE lines")
    up = head.upper()
    from .tle import tle_csv_columns

    if "CCSDS_OEM_VERS" in up or "<OEM" in up:
        return "oem"
    if "CCSDS_OMM_VERS" in up or "MEAN_MOTION" in up or "<OMM" in up:
        return "omm"       # Space-Track's OMM CSV also has TLE_LINE columns: its mean elements are read
    if tle_csv_columns(head) is not None:
        return "tle"
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if any(ln.startswith("1 ") for ln in lines) and any(ln.startswith("2 ") for ln in lines):
        return "tle"
    raise OrbitSourceError(f"{path} is neither a CCSDS OEM, an OMM (JSON/CSV/XML/KVN), a TLE file nor a CSV of "
                           "TLE lines (columns TLE_LINE1, TLE_LINE2); give one of those")


# ------------------------------------------------------------------------------------------
# element-set series: checks
# ------------------------------------------------------------------------------------------
def _mean_sma_m(el) -> float:
    mu = 398600.8e9  # WGS-72, the constants of the element sets
    n = el.mean_motion_rad_s
    return (mu / n ** 2) ** (1.0 / 3.0)


def check_series(sets, at_utc=None, label: str = "element sets"):
    """Checked element sets usable at ``at_utc`` -> (sets sorted by epoch, warnings, manoeuvres).

    Refused (:class:`~gyrfalcon.errors.OrbitSourceError`, one line): another object mixed in,
    none dated at or before ``at_utc``, sets that disagree with each other with no majority to
    tell the bad ones (:func:`_foreign_sets`). Warned and repaired: out of order (sorted), sets
    after ``at_utc`` (left out), and among the sets dated at or before it: exact duplicates
    (dropped), two different sets with one epoch (the one listed last is kept, a re-issue), a BSTAR
    that is not finite or above :data:`BSTAR_MAX`, and a set that is not a member of the series
    (its mean inclination, semi-major axis or eccentricity far from its neighbours', beyond what
    any burn of the station does: :data:`SERIES_MAX_DI_DEG`, :data:`SERIES_MAX_DA_M`,
    :data:`SERIES_MAX_DE`), each left out. ``manoeuvres``: (epoch before, epoch after, rise of the
    mean semi-major axis [m]) of every rise larger than :data:`MANOEUVRE_DA_M` between the sets
    kept. The warnings concern the sets dated at or before ``at_utc`` only (:func:`determine_orbit`
    narrows them further to its fit arc).
    """
    sets, notes, mans = _checked_series(sets, at_utc, label)
    return sets, _note_texts(notes), mans


def _note_texts(notes, serves=None) -> list:
    """The warning texts of :func:`_checked_series`'s notes: a note on the whole series always; a
    note on some sets when one of them ``serves`` (a predicate on the epoch; None: all), built
    from those sets only."""
    out = []
    for items, build in notes:
        if items is None:
            out.append(build(None))
            continue
        chosen = [it for it in items if serves is None or serves(it[0])]
        if chosen:
            out.append(build(chosen))
    return out


def _checked_series(sets, at_utc, label):
    """:func:`check_series` with its warnings as notes (items, build): ``items`` None for a note on
    the whole series, else a list of (epoch, detail) of the sets concerned, and ``build(items)``
    the one-line text for the items chosen (:func:`_note_texts`)."""
    from ..time import iso_utc, parse_utc, seconds_between

    sets = list(sets)
    if not sets:
        raise OrbitSourceError(f"{label}: no element set; give a TLE or OMM file with at least one set")
    notes = []
    ids = [s.catalog_number.lstrip("0") for s in sets]
    if len(set(ids)) > 1:
        from collections import Counter

        main, _ = Counter(ids).most_common(1)[0]
        other = next(i for i, x in enumerate(ids) if x != main)
        raise OrbitSourceError(
            f"{label}: set #{other + 1} is object {sets[other].catalog_number}, the others {main}: a series must "
            "hold one object; remove the other object's sets")
    t_ref = sets[0].epoch
    secs = np.array([float(seconds_between(t_ref, s.epoch)) for s in sets])
    if np.any(np.diff(secs) < 0):
        k = int(np.argmax(np.diff(secs) < 0)) + 1
        text = (f"{label}: sets are out of order (set #{k + 1} at {iso_utc(sets[k].epoch, 0)} is before the one "
                "above it); sorted by epoch")
        notes.append((None, lambda _items, text=text: text))
        order = np.argsort(secs, kind="stable")
        sets = [sets[i] for i in order]
        secs = secs[order]
    if at_utc is not None:
        # first: every later check and warning concerns only the sets that may serve
        t = parse_utc(at_utc)
        ok = np.array([float(seconds_between(s.epoch, t)) >= -SET_EPOCH_RESOLUTION_S for s in sets])
        if not ok.any():
            raise OrbitSourceError(
                f"{label}: every element set is dated after {iso_utc(t, 3)} (first {iso_utc(sets[0].epoch, 3)}); "
                "only sets dated before the time they serve are used: give older sets or a later time")
        if not ok.all():
            text = (f"{label}: {int((~ok).sum())} element set(s) dated after {iso_utc(t, 0)} not used (data must "
                    "precede the time they serve)")
            notes.append((None, lambda _items, text=text: text))
        sets = [s for s, k in zip(sets, ok) if k]
        secs = secs[ok]
    keep = [0]
    dups, conflicts = [], []
    for i in range(1, len(sets)):
        if abs(secs[i] - secs[keep[-1]]) < 1e-3:
            a, b = sets[keep[-1]].satrec, sets[i].satrec
            same = all(abs(getattr(a, k) - getattr(b, k)) < 1e-9 for k in ("no_kozai", "ecco", "inclo", "nodeo",
                                                                           "argpo", "mo", "bstar"))
            if not same:
                conflicts.append((sets[i].epoch, None))
                keep[-1] = i      # the later one in the file (a re-issue) replaces the earlier
                continue
            dups.append((sets[i].epoch, None))
            continue
        keep.append(i)
    if dups:
        notes.append((dups, lambda items: f"{label}: {len(items)} duplicated set(s) dropped"))
    if conflicts:
        notes.append((conflicts, lambda items: f"{label}: {len(items)} epoch(s) carry two different sets (first "
                                               f"{iso_utc(items[0][0])}); the one listed last is used"))
    sets = [sets[i] for i in keep]
    nan = [s for s in sets if not math.isfinite(float(s.satrec.bstar))]
    if nan and len(nan) < len(sets):
        notes.append(([(s.epoch, s.satrec.bstar) for s in nan],
                      lambda items: f"{label}: {len(items)} set(s) whose BSTAR is not a finite number (first "
                                    f"{iso_utc(items[0][0], 0)}, BSTAR {items[0][1]}) not used"))
        sets = [s for s in sets if math.isfinite(float(s.satrec.bstar))]
    elif nan:
        raise OrbitSourceError(f"{label}: every set's BSTAR is not a finite number ({nan[0].satrec.bstar}); give element sets "
                               "with a finite BSTAR")
    bad = [s for s in sets if abs(float(s.satrec.bstar)) > BSTAR_MAX]
    if bad and len(bad) < len(sets):
        notes.append(([(s.epoch, float(s.satrec.bstar)) for s in bad],
                      lambda items: f"{label}: {len(items)} set(s) with |BSTAR| > {BSTAR_MAX:g} /earth radii (first "
                                    f"{iso_utc(items[0][0], 0)}, BSTAR {items[0][1]:.3g}: fitted across a manoeuvre) "
                                    "not used"))
        sets = [s for s in sets if abs(float(s.satrec.bstar)) <= BSTAR_MAX]
    foreign = _foreign_sets(sets)
    if foreign:
        if 2 * len(foreign) >= len(sets):
            i, why = foreign[0]
            raise OrbitSourceError(
                f"{label}: the element sets disagree with each other beyond what any burn of a station does (the set "
                f"of {iso_utc(sets[i].epoch, 0)}: {why}) and no majority tells the bad ones: give the sets of one "
                "object, leaving out the wrong ones")
        for i, why in foreign:
            notes.append(([(sets[i].epoch, why)],
                          lambda items: f"{label}: the element set of {iso_utc(items[0][0], 0)} is not a member of this "
                                        f"series and is left out: {items[0][1]}"))
        drop = {i for i, _ in foreign}
        sets = [s for i, s in enumerate(sets) if i not in drop]
    mans = []
    a = np.array([_mean_sma_m(s) for s in sets])
    for i in range(1, len(sets)):
        if a[i] - a[i - 1] > MANOEUVRE_DA_M:
            mans.append((sets[i - 1].epoch, sets[i].epoch, float(a[i] - a[i - 1])))
    return sets, notes, mans


def _foreign_sets(sets) -> list:
    """The sets (sorted by epoch) that are not members of the series -> [(index, why)]: a set whose
    mean inclination, mean semi-major axis or mean eccentricity differs from more than half of its
    :data:`SERIES_NEIGHBOURS` nearest sets (by epoch order) by more than :data:`SERIES_MAX_DI_DEG`,
    :data:`SERIES_MAX_DA_M` or :data:`SERIES_MAX_DE` (changes no burn of the station makes: a
    corrupted, mis-typed or mislabelled set). Judged against the neighbours, not against ISS
    figures, so any object's series is judged the same way (its own burns must stay under ~10 m/s).
    ``why`` names the element, its value and the neighbours' median. Fewer than 3 sets: none."""
    n = len(sets)
    if n < 3:
        return []
    inc = np.degrees([float(s.satrec.inclo) for s in sets])
    a = np.array([_mean_sma_m(s) for s in sets])
    ecc = np.array([float(s.satrec.ecco) for s in sets])
    out = []
    for i in range(n):
        near = sorted((j for j in range(max(0, i - SERIES_NEIGHBOURS), min(n, i + SERIES_NEIGHBOURS + 1)) if j != i),
                      key=lambda j: (abs(j - i), j))[:SERIES_NEIGHBOURS]
        di, da, de = (np.abs(x[near] - x[i]) for x in (inc, a, ecc))
        far = (di > SERIES_MAX_DI_DEG) | (da > SERIES_MAX_DA_M) | (de > SERIES_MAX_DE)
        if 2 * int(far.sum()) <= len(near):
            continue
        # the element furthest beyond its threshold names the reason
        what = max((float(np.median(di)) / SERIES_MAX_DI_DEG, "i"), (float(np.median(da)) / SERIES_MAX_DA_M, "a"),
                   (float(np.median(de)) / SERIES_MAX_DE, "e"))[1]
        a_near = float(np.median(a[near]))
        v = math.sqrt(MU_EARTH_M3_S2 / a_near)      # circular speed [m/s]: the threshold's dv below
        if what == "i":
            why = (f"its mean inclination {inc[i]:.4f} deg is {abs(inc[i] - np.median(inc[near])):.2f} deg from its "
                   f"neighbours' {np.median(inc[near]):.4f} deg (more than {SERIES_MAX_DI_DEG:g} deg: turning the plane "
                   f"that far takes {v * math.radians(SERIES_MAX_DI_DEG):.0f} m/s, no burn of the station does)")
        elif what == "a":
            why = (f"its mean semi-major axis {a[i] / 1e3:.1f} km is {abs(a[i] - np.median(a[near])) / 1e3:.1f} km from its "
                   f"neighbours' {np.median(a[near]) / 1e3:.1f} km (more than {SERIES_MAX_DA_M / 1e3:g} km: that takes "
                   f"{SERIES_MAX_DA_M * v / (2.0 * a_near):.0f} m/s, no burn of the station does)")
        else:
            why = (f"its mean eccentricity {ecc[i]:.5f} is {abs(ecc[i] - np.median(ecc[near])):.5f} from its "
                   f"neighbours' {np.median(ecc[near]):.5f} (more than {SERIES_MAX_DE:g}: that takes {v * SERIES_MAX_DE / 2.0:.0f} m/s, no burn "
                   "of the station does)")
        out.append((i, why))
    return out


# ------------------------------------------------------------------------------------------
# force model and space weather
# ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _model(space_weather: str, kind: str = "ephemeris"):
    """The force model of the fits and predictions.

    ``kind="ephemeris"`` (fits on NASA's samples and their predictions): EGM2008
    :data:`EPHEMERIS_GRAVITY_DEGREE` x same + Sun + Moon (DE421) + NRLMSISE-00 drag. NASA's
    samples are good to metres, and an 8x8 field leaves 40-250 m of fit residual over 3 days
    that the density scale then partly absorbs (docs/validation.md "Station orbit").
    ``kind="elements"`` (orbit determination from TLE/OMM): EGM2008 8x8 + drag; the SGP4
    pseudo-observations carry ~0.5 km, far above what the bigger field changes, and the fit
    stays < 2 s (bench/bench_od.py; 20x20 + Sun + Moon takes ~4x the CPU there).
    """
    from .forces import NRLMSISE00, Drag, ForceModel, PointMass, SphericalHarmonics, ThirdBody

    if kind not in ("ephemeris", "elements"):
        raise InputError(f"unknown station model kind '{kind}'; use 'ephemeris' or 'elements'")
    sw = NRLMSISE00() if space_weather == "table" else NRLMSISE00(space_weather="params")
    if kind == "elements":
        if space_weather == "table":
            return ForceModel.preset("full")
        return ForceModel((PointMass(), SphericalHarmonics(8, 8), Drag(sw)), "full-frozen-sw")
    n = EPHEMERIS_GRAVITY_DEGREE
    return ForceModel((PointMass(), SphericalHarmonics(n, n), ThirdBody("sun"), ThirdBody("moon"), Drag(sw)),
                      f"station-{n}x{n}-sun-moon" + ("" if space_weather == "table" else "-frozen-sw"))


@functools.lru_cache(maxsize=1)
def _sw_cfunc():
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    x = hy.make_vars("x")
    from ..time import heyoka_sw_data

    sw = heyoka_sw_data()
    return hy.cfunc([hy.model.f107(x, sw_data=sw), hy.model.Ap_avg(x, sw_data=sw)], [x])


def space_weather_at(t) -> tuple:
    """(F10.7, F10.7, Ap) held for a prediction from ``t``, from values known at ``t`` only
    (the package's table, :func:`gyrfalcon.time.sw_table`): the mean daily F10.7 of the 81 days
    before ``t`` and the Ap of the day before. NaN outside the table -> a neutral (150, 150, 15)."""
    from ..constants import DAYS_PER_JULIAN_CENTURY
    from .forces import tt_jc

    tc = tt_jc(t) - np.arange(1, 82, dtype=float) / DAYS_PER_JULIAN_CENTURY
    out = np.asarray(_sw_cfunc()(tc.reshape(1, -1)))
    f107, ap = float(np.mean(out[0])), float(out[1][0])
    if not (math.isfinite(f107) and math.isfinite(ap)):
        return (150.0, 150.0, 15.0)
    return (round(f107, 1), round(f107, 1), round(ap, 1))


def _propagator(space_weather: str, tol: float = TOL, kind: str = "ephemeris"):
    from .propagator import Propagator

    return Propagator(_model(space_weather, kind), tol=tol)


def _params(base: dict, sw: tuple, space_weather: str) -> dict:
    p = dict(base)
    if space_weather != "table":
        p.update({"sw_f107": sw[0], "sw_f107a": sw[1], "sw_ap": sw[2]})
    return p


# ------------------------------------------------------------------------------------------
# batch least squares on an arc
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArcFit:
    """Result of :func:`fit_arc`: the fitted GCRF state at the arc's reference time, the drag
    scale, their 1-sigma, the position residual RMS [m] and the number of observations;
    ``residual_m`` the position residual of each observation [m] (N,), in the order given."""

    state: Any
    drag_scale: float
    sigma_scale: float | None
    rms_m: float
    n_points: int
    span_s: float
    iterations: int
    residual_m: Any = field(default=None, repr=False, compare=False)


def fit_arc(state0, obs_t_s, obs_r_m, params: dict, *, fit_state: bool = True, space_weather: str = SPACE_WEATHER,
            initial_scale: float = 1.0, tol: float = TOL, step_s: float | None = None,
            kind: str = "ephemeris") -> ArcFit:
    """Batch least squares of the density scale (and, with ``fit_state``, the state) so that the
    model started from ``state0`` (GCRF, with mass) reproduces positions ``obs_r_m``
    (GCRF, (N, 3) [m]) at ``obs_t_s`` [s from ``state0.t``; all <= 0: the arc lies before the state].
    ``kind``: the force model (:func:`_model`: ``ephemeris`` = EGM2008 20x20 + Sun + Moon + drag,
    ``elements`` = 8x8 + drag).

    Uses :func:`scipy.optimize.least_squares` (trust region, ``x_scale='jac'``) with a Jacobian by
    forward differences computed in one heyoka batch propagation (the nominal and 7 perturbed
    lanes). Assumptions: no manoeuvre inside the arc (the caller cuts arcs at burns).
    """
    from scipy.optimize import least_squares

    from .ephemeris import Ephemeris
    from .state import State

    t_obs = np.asarray(obs_t_s, float)
    if np.any(t_obs > 1e-6):
        raise InputError("fit_arc observations must lie before the state (times <= 0)")
    r_obs = np.asarray(obs_r_m, float).reshape(-1, 3)
    span = float(-t_obs.min())
    prop = _propagator(space_weather, tol, kind)
    s0 = state0
    n_par = 7 if fit_state else 1
    # unknowns: dr [m], dv [mm/s], d(scale) [1e-2]
    unit = np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3, 1e-2])[-n_par:] if not fit_state else \
        np.array([1.0, 1.0, 1.0, 1e-3, 1e-3, 1e-3, 1e-2])
    step = step_s or 240.0
    cache = {}

    def states_of(x):
        if fit_state:
            r = s0.r_m + x[0:3] * unit[0:3]
            v = s0.v_mps + x[3:6] * unit[3:6]
            k = initial_scale + x[6] * unit[6]
        else:
            r, v, k = s0.r_m, s0.v_mps, initial_scale + x[0] * unit[0]
        return r, v, k

    jac_cache = []

    def jacobian(x):
        """Forward differences, all lanes in one heyoka batch propagation (computed once: the
        problem is nearly linear over the corrections involved, so the chord method converges)."""
        if jac_cache:
            return jac_cache[0]
        lanes = [x] + [x + np.eye(n_par)[i] * 10.0 for i in range(n_par)]
        sts, ks = [], []
        for xx in lanes:
            r, v, k = states_of(xx)
            sts.append(State(s0.t, r, v, "GCRF", s0.mass_kg))
            ks.append(k)
        be = prop.propagate_batch(sts, -span, step_s=step, params={**params, "drag_scale": np.array(ks)})
        R = []
        for i in range(len(lanes)):
            e = Ephemeris(s0.t, be.t_s[::-1], be.r_m[i, ::-1], be.v_mps[i, ::-1], "GCRF")
            R.append(e.interpolate(t_obs)[0])
        J = np.stack([(R[i + 1] - R[0]).ravel() / 10.0 for i in range(n_par)], axis=1)
        jac_cache.append(J)
        return J

    def residual(x):
        key = x.tobytes()
        if key in cache:
            return cache[key]
        r, v, k = states_of(x)
        # to the first observation exactly: a node a millisecond beyond it, beside a breakpoint of
        # the force model there (the space weather's midnight), made the Hermite interpolation
        # hundreds of km off for data sampled more densely than ``step`` (the tool's own 60-s OEM)
        e = prop.propagate(State(s0.t, r, v, "GCRF", s0.mass_kg), -span, step, params={**params, "drag_scale": k})
        f = (e.interpolate(t_obs)[0] - r_obs).ravel()
        cache.clear()
        cache[key] = f
        return f

    x0 = np.zeros(n_par)
    jacobian(x0)
    # stop at a 0.1 % cost change: the residuals are SGP4's (or NASA's model's) hundreds of metres
    sol = least_squares(residual, x0, jac=jacobian, method="trf", x_scale=np.full(n_par, 300.0), xtol=1e-4,
                        ftol=1e-3, max_nfev=15)
    f0, J = residual(sol.x), jacobian(sol.x)
    r, v, k = states_of(sol.x)
    m, n = J.shape
    rms = float(np.sqrt(np.mean(f0.reshape(-1, 3) ** 2) * 3))
    sigma = None
    try:
        s2 = float(f0 @ f0) / max(m - n, 1)
        cov = np.linalg.inv(J.T @ J) * s2
        sigma = float(math.sqrt(cov[-1, -1]) * unit[-1])
    except np.linalg.LinAlgError:
        pass
    return ArcFit(State(s0.t, r, v, "GCRF", s0.mass_kg), float(k), sigma, rms, len(t_obs), span, int(sol.nfev),
                  np.linalg.norm(f0.reshape(-1, 3), axis=1))


# ------------------------------------------------------------------------------------------
# burns of an OEM event summary
# ------------------------------------------------------------------------------------------
def burn_duration_s(dv_mps: float) -> float:
    """Duration [s] of a planned reboost of ``dv_mps`` [m/s] at :data:`REBOOST_ACCEL_MPS2`."""
    return float(dv_mps) / REBOOST_ACCEL_MPS2


def event_burns(events, t_from, t_to, mass_kg: float | None = None) -> list:
    """The planned burns (events with dv > 0) with TIG in ``[t_from, t_to)``.

    With ``mass_kg`` [kg] (the default of the predictions here): a
    :class:`~gyrfalcon.orbits.maneuvers.FiniteBurn` along +T (velocity) that **ignites at the
    TIG** and lasts ``dv / REBOOST_ACCEL_MPS2`` (:func:`burn_duration_s`), thrust = mass x
    :data:`REBOOST_ACCEL_MPS2`, Isp :data:`REBOOST_ISP_S`: NASA's own trajectory burns from the
    TIG for 6-23 min (its samples thicken to 2 s from the TIG to the burn's end), so an
    impulsive burn at the TIG comes ~dv x duration / 2 x 3 early in along-track position after it
    (1-3 km). Without ``mass_kg``: :class:`~gyrfalcon.orbits.maneuvers.ImpulsiveBurn` along +T at
    the TIG."""
    from ..time import seconds_between
    from .maneuvers import FiniteBurn, ImpulsiveBurn

    out = []
    for e in events or ():
        if e.dv_mps > 0 and float(seconds_between(t_from, e.tig)) >= 0 and float(seconds_between(e.tig, t_to)) > 0:
            if mass_kg is None:
                out.append(ImpulsiveBurn(e.tig, float(e.dv_mps), "TNW", name=e.name))
            else:
                out.append(FiniteBurn(e.tig, burn_duration_s(e.dv_mps), float(mass_kg) * REBOOST_ACCEL_MPS2,
                                      REBOOST_ISP_S, "TNW", name=e.name))
    return out


# ------------------------------------------------------------------------------------------
# predictions
# ------------------------------------------------------------------------------------------
def predict_from_ephemeris(eph, start, until, *, events=(), area_m2=None, mass_kg=None,
                           history_days: float | None = None, fit_state: bool = True,
                           space_weather: str = SPACE_WEATHER, step_s: float = SAMPLE_STEP_S,
                           label: str | None = None):
    """Propagate from ``eph`` at ``start`` to ``until`` with the drag fitted on ``eph``'s samples
    before ``start`` (never after) and ``events``' burns applied.

    ``history_days`` None: :data:`OEM_HISTORY_DAYS`, or :data:`OEM_LONG_HISTORY_DAYS` for a
    prediction longer than :data:`LONG_SPAN_DAYS`. ``label`` names the data in the warnings (the
    file's name; default ``eph.name``, the object's). The result carries ``area_m2`` [m^2] and the
    mass [kg] used in ``meta["spacecraft"]`` (what :func:`gyrfalcon.io.oem.write_oem` writes).

    Returns (GCRF Ephemeris from ``start``, DragEstimate, burns applied, warnings).
    """
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    t_req = parse_utc(start)
    t1 = parse_utc(until)
    name = label or eph.name
    t0, ongoing, warns = _start_before_burn(eph, events, t_req, name)
    history_days = _oem_history_days(history_days, t0, t1)
    sc_area = area_m2
    if sc_area is None:
        warns.append(f"{name}: the ephemeris gives no DRAG_AREA; {ELEMENTS_DRAG['drag_area_m2']:.0f} m^2 "
                     "(ISS) assumed; the fitted density scale absorbs the difference")
        sc_area = ELEMENTS_DRAG["drag_area_m2"]
    mass = mass_kg if mass_kg is not None else eph.at(t0).mass_kg
    if mass is None:
        warns.append(f"{name}: the ephemeris gives no MASS; {ELEMENTS_MASS_KG:.0f} kg (ISS) assumed")
        mass = ELEMENTS_MASS_KG
    base = {"drag_area_m2": float(sc_area), "drag_cd": DEFAULT_CD}
    sw = space_weather_at(t0)
    # the first guess from data at or before t0 only (an interpolation between samples would take
    # the one after t0): the last sample, propagated the minutes to t0
    s_start = _sample_state(eph, t0, float(mass), {**base, "drag_scale": DEFAULT_DRAG_SCALE}, sw, space_weather)
    drag, s_start, w = _drag_before(eph, s_start, t0, events, history_days, base, sw, fit_state, space_weather,
                                    name)
    warns += w
    if drag is None:
        drag = DragEstimate(DEFAULT_DRAG_SCALE, None, None, 0, 0.0, "default", DEFAULT_CD, float(sc_area),
                            float(mass), iso_utc(t0, 0), False, sw)
    burns = event_burns(events, t0, add_seconds(t1, 1e-3), mass_kg=float(mass))
    # beyond LONG_SPAN_DAYS the drag uncertainty (km/day) dwarfs what the 20x20 field adds, and
    # the 8x8 model is ~3.5x faster (an 8-month extension: 6 s instead of 22 s)
    long = abs(float(seconds_between(t0, t1))) > LONG_SPAN_DAYS * 86400.0
    prop = _propagator(space_weather, kind="elements" if long else "ephemeris")
    p = _params({**base, "drag_scale": drag.drag_scale}, sw, space_weather)
    rows = tuple(_burn_row(b, float(mass)) for b in burns)
    if ongoing is not None:
        s_start, burns = _fly_to_start(prop, s_start, t_req, burns, ongoing, step_s, p)
    out = prop.propagate(s_start, t1, step_s, burns, params=p)
    return out, drag, rows, warns


def _oem_history_days(history_days, t0, t1) -> float:
    """The drag-fit history [days] of a prediction from ``t0`` to ``t1``: ``history_days`` if given,
    else :data:`OEM_HISTORY_DAYS`, or :data:`OEM_LONG_HISTORY_DAYS` beyond :data:`LONG_SPAN_DAYS`."""
    from ..time import seconds_between

    if history_days is not None:
        return history_days
    long_pred = abs(float(seconds_between(t0, t1))) > LONG_SPAN_DAYS * 86400.0
    return OEM_LONG_HISTORY_DAYS if long_pred else OEM_HISTORY_DAYS


def _start_before_burn(eph, events, t_req, name=None):
    """(where the fit and the prediction start, the planned burn in progress at ``t_req`` or None,
    warnings). A start inside a planned burn's modelled span (TIG to TIG + dv /
    REBOOST_ACCEL_MPS2) is mid-burn (NASA's samples there are thrusting): the fit and the
    prediction start :data:`BURN_LEAD_S` before the TIG instead, and the whole burn is flown."""
    from ..time import add_seconds, iso_utc, seconds_between

    name = name or eph.name
    ongoing = _burn_in_progress(events, t_req)
    if ongoing is None:
        return t_req, None, []
    t0 = add_seconds(ongoing.tig, -BURN_LEAD_S)
    end = iso_utc(add_seconds(ongoing.tig, burn_duration_s(ongoing.dv_mps)), 0)
    if float(seconds_between(eph.start, t0)) < 0:
        raise InputError(
            f"{name}: the prediction start {iso_utc(t_req, 0)} lies inside the planned burn '{ongoing.name}' "
            f"(TIG {iso_utc(ongoing.tig, 0)}, {ongoing.dv_mps:.1f} m/s) and the ephemeris has no sample before "
            f"its ignition; start before the TIG or after the burn's end ({end})")
    return t0, ongoing, [
        f"{name}: the prediction start {iso_utc(t_req, 0)} lies inside the planned burn '{ongoing.name}' "
        f"(TIG {iso_utc(ongoing.tig, 0)}, {ongoing.dv_mps:.1f} m/s, modelled until {end}): the orbit is fitted "
        f"and propagated from {iso_utc(t0, 0)}, before its ignition, and the whole burn is flown"]


def _burn_free_arc(eph, t_end, events, history_days):
    """The samples usable for a drag fit ending at ``t_end``: (their times [s, relative to
    ``t_end``, all < 0], the mask of ``eph``'s samples, the arc's span [s], the latest planned burn
    (event with dv > 0) that cut it short, or None). The arc reaches back ``history_days`` [days],
    never before the ephemeris' first sample nor into a planned burn: it starts
    max(30 min, modelled duration + 10 min) after the TIG of the last burn before ``t_end``."""
    from ..time import seconds_between

    lo = max(-history_days * 86400.0, float(seconds_between(t_end, eph.start)))
    cut = None
    for e in events or ():
        d = float(seconds_between(t_end, e.tig))
        if e.dv_mps > 0 and d < 0:
            after = d + max(1800.0, burn_duration_s(e.dv_mps) + 600.0)
            if after > lo:
                lo, cut = after, e
    rel = eph.t_s - float(seconds_between(eph.epoch, t_end))
    sel = (rel < -1.0) & (rel >= lo)
    return rel, sel, -lo, cut


def _arc_usable(span_s, sel) -> bool:
    """An arc of ``span_s`` [s] with the samples ``sel`` is long enough to fit the drag on
    (:data:`MIN_FIT_HOURS` and at least 10 samples)."""
    return span_s >= MIN_FIT_HOURS * 3600.0 and np.count_nonzero(sel) >= 10


def _drag_before(eph, s_start, t0, events, history_days, base, sw, fit_state, space_weather, name=None):
    """(DragEstimate or None, start state, warnings): state and density scale fitted on the samples
    of the ``history_days`` before ``t0``, after the last planned burn; None (the default) with
    too little data, a failed fit or an implausible scale (the start state is then ``s_start``,
    the file's last sample at or before ``t0`` propagated to ``t0`` with the default scale:
    :func:`_sample_state`). ``name`` labels the warnings (default ``eph.name``).

    When the burn-free arc after the last planned burn before ``t0`` is shorter than
    :data:`MIN_FIT_HOURS` (a start just after a reboost), the density scale is fitted on the arc
    before that burn instead (:func:`_drag_before_burn`): a reboost changes the state, not the
    atmosphere nor the ballistic coefficient (the ~0.1 % of mass it burns aside). On the 15
    planned burns of the 22 NASA files followed by 72 h of samples (77 hindcasts started 0.5-12 h after one) this took the
    error at +72 h from 18.5 km (median; worst 64 km) with the default scale to 1.5 km (worst
    12.5 km, a second reboost inside the 72 h). The start state is then the file's last sample at
    or before ``t0``, propagated to ``t0`` (:func:`_sample_state`)."""
    from ..time import add_seconds, iso_utc

    label = name or eph.name

    def default(text):      # s_start: the sample state with the default scale (predict_from_ephemeris)
        return None, s_start, [text]

    rel, sel, span, cut = _burn_free_arc(eph, t0, events, history_days)
    if not _arc_usable(span, sel):
        if cut is not None:
            got = _drag_before_burn(eph, s_start, t0, cut, events, history_days, base, sw, space_weather)
            if got is not None:
                return got, _sample_state(eph, t0, s_start.mass_kg, {**base, "drag_scale": got.drag_scale}, sw,
                                          space_weather), []
        ready = add_seconds(t0, MIN_FIT_HOURS * 3600.0 - span)
        return default(f"{label}: less than {MIN_FIT_HOURS:g} h of burn-free data before {iso_utc(t0, 0)}"
                       + ("" if cut is None else f" (since the planned burn '{cut.name}' of {iso_utc(cut.tig, 0)}, "
                          "and no usable fit before it)")
                       + f": drag scale {DEFAULT_DRAG_SCALE} (documented default) used, not estimated; a start at "
                       f"{iso_utc(ready, 0)} or later has it estimated")
    try:
        fit = fit_arc(s_start, rel[sel], eph.r_m[sel], _params(base, sw, space_weather), fit_state=fit_state,
                      space_weather=space_weather)
    except GyrfalconError as exc:
        return default(f"{label}: the drag fit before {iso_utc(t0, 0)} failed ({exc}); default {DEFAULT_DRAG_SCALE} "
                       "used")
    if not 0.05 < fit.drag_scale < 20.0:
        return default(f"{label}: the drag fit before {iso_utc(t0, 0)} gave an implausible scale "
                       f"{fit.drag_scale:.2f}; default {DEFAULT_DRAG_SCALE} used")
    drag = DragEstimate(fit.drag_scale, fit.sigma_scale, fit.rms_m, fit.n_points, fit.span_s, "fit", DEFAULT_CD,
                        base["drag_area_m2"], s_start.mass_kg, iso_utc(t0, 0), fit_state, sw)
    return drag, fit.state, []


def _sample_index(eph, t0) -> int:
    """Index of ``eph``'s last sample at or before ``t0`` (to a microsecond)."""
    from ..time import seconds_between

    return int(np.nonzero(eph.t_s <= float(seconds_between(eph.epoch, t0)) + 1e-6)[0][-1])


def _sample_state(eph, t0, mass_kg, base, sw, space_weather):
    """The GCRF state at ``t0``: ``eph``'s last sample at or before ``t0`` (with ``mass_kg`` [kg]),
    propagated to ``t0`` with the ephemeris model and ``base``'s drag (a few minutes at most).
    Not the Hermite interpolation at ``t0``: NASA's samples after a burn can be stamped to the
    millisecond on a grid of a fraction of one (...27.751 / ...27.752 on the 2026 files), and
    those 0.5 ms (4 m along-track) bend the interpolant enough to put its velocity up to ~50 mm/s
    off between samples (~40 km at +72 h); a sample's own state is off by its 0.5 ms only."""
    from ..time import seconds_between

    s = eph.state_at_index(_sample_index(eph, t0)).with_mass(float(mass_kg))
    if float(seconds_between(s.t, t0)) <= 1e-6:
        return s
    leg = _propagator(space_weather).propagate(s, t0, 60.0, [], params=_params(base, sw, space_weather))
    return leg.state_at_index(len(leg) - 1).with_mass(float(mass_kg))


def _sample_utc(eph, t0) -> str:
    """ISO UTC (ms) of ``eph``'s last sample at or before ``t0``."""
    from ..time import add_seconds, iso_utc

    return iso_utc(add_seconds(eph.epoch, float(eph.t_s[_sample_index(eph, t0)])), 3)


def _drag_before_burn(eph, s_start, t0, burn, events, history_days, base, sw, space_weather):
    """DragEstimate (or None: too little data, a failed fit or an implausible scale) of the density
    scale fitted, with the state, on the burn-free samples of the ``history_days`` before the
    planned ``burn``'s TIG, referred to the file's last sample before the TIG (NASA's samples
    thicken at the TIG: those after it are thrusting). Only the scale is kept: the state of the
    prediction is the file's sample at or before ``t0``, after the burn. Space weather is held
    at ``sw`` (the values at ``t0``), as in the prediction, so that the scale carries over."""
    from ..time import iso_utc, seconds_between

    before = np.nonzero(eph.t_s < float(seconds_between(eph.epoch, burn.tig)) - 1.0)[0]
    if len(before) == 0:
        return None
    ref = eph.state_at_index(int(before[-1])).with_mass(float(s_start.mass_kg))
    rel, sel, span, _cut = _burn_free_arc(eph, ref.t, events, history_days)
    if not _arc_usable(span, sel):
        return None
    try:
        fit = fit_arc(ref, rel[sel], eph.r_m[sel], _params(base, sw, space_weather), fit_state=True,
                      space_weather=space_weather)
    except GyrfalconError:
        return None
    if not 0.05 < fit.drag_scale < 20.0:
        return None
    return DragEstimate(fit.drag_scale, fit.sigma_scale, fit.rms_m, fit.n_points, fit.span_s, "fit", DEFAULT_CD,
                        base["drag_area_m2"], s_start.mass_kg, iso_utc(ref.t, 0), False, sw,
                        before_burn=(burn.name, iso_utc(burn.tig, 0)), state_utc=_sample_utc(eph, t0))


def _fly_to_start(prop, s_start, t_req, burns, ongoing, step_s, p):
    """A start inside a burn: fly from before the TIG to the requested start (the burn's first
    part); (the state there, the rest of that burn and the later ones)."""
    from dataclasses import replace as _replace

    from ..time import seconds_between

    first = [b for b in burns if b.name == ongoing.name and float(seconds_between(b.t_start, t_req)) > 0]
    lead = prop.propagate(s_start, t_req, step_s, first, params=p)
    rest = []
    for b in burns:
        if b in first:
            left = float(b.duration_s) - float(seconds_between(b.t_start, t_req))
            if left > 1e-3:
                rest.append(_replace(b, t_start=t_req, duration_s=left))
        else:
            rest.append(b)
    return lead.state_at_index(len(lead) - 1), rest


BURN_LEAD_S = 60.0
"""A prediction asked to start inside a planned burn starts this long before its TIG [s]."""


def _burn_in_progress(events, t):
    """The planned burn (event with dv > 0) whose modelled span, TIG to TIG + dv /
    :data:`REBOOST_ACCEL_MPS2`, contains ``t`` strictly after its TIG (None if none)."""
    from ..time import seconds_between

    for e in events or ():
        if e.dv_mps > 0:
            d = float(seconds_between(e.tig, t))
            if 1e-3 < d < burn_duration_s(e.dv_mps):
                return e
    return None


def _burn_row(b, mass_kg: float) -> tuple:
    """(name, ISO UTC of the ignition, dv [m/s]) of an applied burn."""
    from ..time import iso_utc

    if hasattr(b, "t_start"):
        return (b.name, iso_utc(b.t_start), round(float(b.thrust_n) * float(b.duration_s) / mass_kg, 9))
    return (b.name, iso_utc(b.t), float(b.dv_mps[0]))


def _sgp4_gcrf_m(elements, t_ref, grid_s):
    """GCRF positions [m] of ``elements``' SGP4 trajectory at ``t_ref`` + ``grid_s`` [s]."""
    from ..io.oem import convert_samples
    from ..time import add_seconds

    teme = elements.propagate(add_seconds(t_ref, grid_s))
    return convert_samples(teme.epoch, teme.t_s, teme.r_m, teme.v_mps, "TEME", "GCRF")[0]


def _observations(sets, t_end, history_days):
    """SGP4 pseudo-observations (GCRF) of the arc: one orbit around each set's epoch, every
    :data:`OBS_STEP_S`, never after ``t_end``. Returns (Time of reference, t_s rel. to it [s],
    r [m] (N, 3), index in ``sets`` of the set each observation comes from (N,))."""
    from ..time import seconds_between

    t_ref = t_end
    ts, rs, owner = [], [], []
    for i, s in enumerate(sets):
        half = 0.5 * s.period_s
        a = float(seconds_between(t_ref, s.epoch)) - half
        b = min(float(seconds_between(t_ref, s.epoch)) + half, 0.0)
        if b <= a or b < -history_days * 86400.0 - half:
            continue
        k0, k1 = math.ceil(a / OBS_STEP_S), math.floor(b / OBS_STEP_S)
        grid = OBS_STEP_S * np.arange(k0, k1 + 1, dtype=float)
        if len(grid) < 2:
            continue
        ts.append(grid)
        rs.append(_sgp4_gcrf_m(s, t_ref, grid))
        owner.append(np.full(len(grid), i))
    if not ts:
        return t_ref, np.zeros(0), np.zeros((0, 3)), np.zeros(0, int)
    return t_ref, np.concatenate(ts), np.concatenate(rs), np.concatenate(owner)


def determine_orbit(sets, at_utc=None, *, history_days: float = HISTORY_DAYS, label: str = "element sets",
                    space_weather: str = SPACE_WEATHER):
    """Orbit determination from an element-set series (see the module docstring).

    Returns (fitted GCRF State at the reference time, DragEstimate, warnings, arc sets,
    manoeuvres found). The arc: the sets of the ``history_days`` before the last set dated at or
    before ``at_utc``, after the last manoeuvre; the reference time is the epoch of the last set
    fitted; no observation lies after ``at_utc``. Left out, with a warning naming each: a set that
    is not a member of the series (:func:`check_series`) and, in a series fit, a set whose
    residuals stand far above the others' (:func:`_robust_series_fit`). The series check's
    warnings name only the sets of the arc's span (left-out ones included: they would have
    served), and the manoeuvre warning comes only when sets before the manoeuvre lie in that span.
    A series fit whose rms stays above :data:`FIT_RMS_WARN_M` is warned with the figure; one whose
    drag scale is implausible (outside 0.05-20) falls back to the last set's state and
    :data:`DEFAULT_DRAG_SCALE` (``drag.method`` ``default``, ``drag.reason`` saying why).
    """
    from ..time import iso_utc, seconds_between

    one_given = len(sets) == 1
    sets, notes, mans = _checked_series(sets, at_utc, label)
    last = sets[-1]
    hist_s = history_days * 86400.0
    # the arc: after the last manoeuvre, within history_days of the last set
    first_ok, m_before, man_warns = 0, None, []
    if mans:
        m_before, m_after, da = mans[-1]
        first_ok = next(i for i, s in enumerate(sets) if float(seconds_between(m_after, s.epoch)) >= 0)
        if float(seconds_between(m_before, last.epoch)) <= hist_s:     # it cuts the arc: sets before it are left out
            gap_h = float(seconds_between(m_before, m_after)) / 3600.0
            gap = "" if gap_h <= 12 else (f", across a {gap_h:.0f} h gap" if gap_h <= 72
                                          else f", across a {gap_h / 24:.0f}-day gap between the sets")
            man_warns.append(f"{label}: a manoeuvre between {iso_utc(m_before, 0)} and {iso_utc(m_after, 0)} (mean "
                             f"semi-major axis +{da:.0f} m{gap}): only the sets after it are fitted")
        else:
            m_before = None       # before the arc's span anyway

    def serves(epoch) -> bool:
        """Whether a set of that epoch lies in the arc's span (it would have been fitted)."""
        return (float(seconds_between(epoch, last.epoch)) <= hist_s
                and (m_before is None or float(seconds_between(m_before, epoch)) > 0))

    warns = _note_texts(notes, serves) + man_warns
    arc = [s for s in sets[first_ok:] if float(seconds_between(s.epoch, last.epoch)) <= hist_s]
    base = dict(ELEMENTS_DRAG)
    span = float(seconds_between(arc[0].epoch, last.epoch))
    if len(arc) >= 3 and span >= MIN_FIT_HOURS * 3600.0:
        robust = _fit_sets(arc, "series", history_days, space_weather)
        fit = robust.fit
        for i, worst_m, median_m, rms_with, rms_without in robust.dropped:
            why = (f"the median set's {median_m / 1e3:.1f} km (more than {OUTLIER_FACTOR:g} times that and "
                   f"{OUTLIER_FLOOR_M / 1e3:g} km)" if rms_without is None else
                   f"the fit leaving {rms_with / 1e3:.1f} km rms with it and {rms_without:.0f} m without it")
            warns.append(f"{label}: the element set of {iso_utc(arc[i].epoch, 0)} is left out of the fit: its positions "
                         f"lie up to {worst_m / 1e3:.1f} km from the orbit fitted, {why}: not the same orbit as the "
                         "others (a corrupted or mis-dated set?)")
        arc = [arc[i] for i in robust.kept]
        last = arc[-1]
        sw = space_weather_at(last.epoch)
        if 0.05 < fit.drag_scale < 20.0:
            if fit.rms_m > FIT_RMS_WARN_M:
                warns.append(f"{label}: the fit over {len(arc)} element sets ({iso_utc(arc[0].epoch, 0)} to "
                             f"{iso_utc(last.epoch, 0)}) leaves {fit.rms_m / 1e3:.1f} km rms, where fits of real series "
                             f"leave 0.2-2 km (SGP4's own error): the sets disagree with each other; expect a larger "
                             "error than usual, or check the sets")
            drag = DragEstimate(fit.drag_scale, fit.sigma_scale, fit.rms_m, fit.n_points, fit.span_s, "fit",
                                DEFAULT_CD, base["drag_area_m2"], ELEMENTS_MASS_KG, iso_utc(last.epoch, 0), True, sw)
            return fit.state, drag, warns, arc, mans
        reason = (f"the fit over {len(arc)} element sets ({iso_utc(arc[0].epoch, 0)} to {iso_utc(last.epoch, 0)}) "
                  f"gave an implausible drag scale {fit.drag_scale:.2f} (rms {fit.rms_m / 1e3:.1f} km)")
        warns.append(f"{label}: {reason}; the last set's state ({iso_utc(last.epoch, 0)}) and the default drag scale "
                     f"{DEFAULT_DRAG_SCALE} are used")
    else:
        sw = space_weather_at(last.epoch)
        few = (f"{label}: one set (a series of 3 sets over {MIN_FIT_HOURS:g} h or more is fitted as a series)"
               if one_given else
               f"{label}: {len(arc)} set(s) over {span / 3600:.1f} h before {iso_utc(last.epoch, 0)} is not enough "
               f"to fit the series (need 3 sets over {MIN_FIT_HOURS:g} h)")
        fit = _fit_sets([last], "last-set", history_days, space_weather)
        if fit is not None:
            warns.append(f"{few}; the state and the drag scale are fitted to the last set's own SGP4 trajectory "
                         f"over the {history_days:g} days before its epoch")
            drag = DragEstimate(fit.drag_scale, fit.sigma_scale, fit.rms_m, fit.n_points, fit.span_s, "last-set",
                                DEFAULT_CD, base["drag_area_m2"], ELEMENTS_MASS_KG, iso_utc(last.epoch, 0), True, sw)
            return fit.state, drag, warns, arc, mans
        reason = (f"the last set's own SGP4 trajectory implies a density scale outside "
                  f"{SET_SCALE_RANGE[0]:g}-{SET_SCALE_RANGE[1]:g}")
        warns.append(f"{few}; the last set's state and the default drag scale {DEFAULT_DRAG_SCALE} are used ({reason})")
    st = last.state_at(last.epoch).to("GCRF").with_mass(ELEMENTS_MASS_KG)
    drag = DragEstimate(DEFAULT_DRAG_SCALE, None, None, 0, 0.0, "default", DEFAULT_CD, base["drag_area_m2"],
                        ELEMENTS_MASS_KG, iso_utc(last.epoch, 0), False, sw, reason=reason)
    return st, drag, warns, arc, mans


def _set_key(elements) -> tuple:
    """What identifies an element set's content (hashable): a TLE's two lines, an OMM's fields."""
    if hasattr(elements, "line1"):
        return ("tle", elements.line1, elements.line2)
    return ("omm",) + tuple(sorted(elements.fields.items()))


def _set_from_key(key):
    from .tle import OMM, tle_from_lines

    return tle_from_lines(key[1], key[2]) if key[0] == "tle" else OMM.from_dict(dict(key[1:]))


def _fit_sets(sets, how: str, history_days: float, space_weather: str):
    """The fit of :func:`determine_orbit` (``how``: ``series`` over the sets, a
    :class:`_SeriesFit` by :func:`_robust_series_fit`, or ``last-set`` to the one set's own SGP4
    trajectory, an :class:`ArcFit` or None), computed once per process for the same sets: the window
    search and the plan of one flight ask for it with different times that select the same sets."""
    return _fit_sets_cached(tuple(_set_key(s) for s in sets), how, float(history_days), space_weather)


@functools.lru_cache(maxsize=8)
def _fit_sets_cached(keys: tuple, how: str, history_days: float, space_weather: str):
    sets = [_set_from_key(k) for k in keys]
    if how == "last-set":
        last = sets[-1]
        st = last.state_at(last.epoch).to("GCRF").with_mass(ELEMENTS_MASS_KG)
        return _fit_last_set(last, st, dict(ELEMENTS_DRAG), space_weather_at(last.epoch), history_days, space_weather)
    return _robust_series_fit(sets, history_days, space_weather)


@dataclass(frozen=True)
class _SeriesFit:
    """A series fit (:func:`_robust_series_fit`): the final :class:`ArcFit`, the indices of the sets
    kept (into the sets given, in order) and, for each set dropped in the order dropped, (index,
    its largest residual [m], the median set's largest residual [m], the fit's rms with it [m], the
    rms without it [m] or None when it was dropped on the residual ratio alone)."""

    fit: ArcFit
    kept: tuple
    dropped: tuple


def _series_fit(sets, history_days: float, space_weather: str):
    """Batch least squares of the state at the last set's epoch and the density scale over the sets'
    SGP4 pseudo-observations (:func:`_observations`, :func:`fit_arc`) -> (ArcFit, largest position
    residual [m] of each set's observations (0 for a set without any))."""
    last = sets[-1]
    st = last.state_at(last.epoch).to("GCRF").with_mass(ELEMENTS_MASS_KG)
    p = _params(dict(ELEMENTS_DRAG), space_weather_at(last.epoch), space_weather)
    _, t_obs, r_obs, owner = _observations(sets, last.epoch, history_days)
    fit = fit_arc(st, t_obs, r_obs, p, fit_state=True, step_s=OBS_STEP_S, space_weather=space_weather,
                  kind="elements")
    worst = np.zeros(len(sets))
    np.maximum.at(worst, owner, fit.residual_m)
    return fit, worst


def _fit_is_sound(fit) -> bool:
    """A series fit whose rms is at most :data:`FIT_RMS_WARN_M` and whose drag scale is plausible
    (0.05-20, the range :func:`determine_orbit` accepts)."""
    return fit.rms_m <= FIT_RMS_WARN_M and 0.05 < fit.drag_scale < 20.0


def _robust_series_fit(sets, history_days: float, space_weather: str) -> _SeriesFit:
    """A series fit that one bad set cannot throw. Fitted (:func:`_series_fit`); then, one set at a
    time (a bad set pulls the good ones' residuals up too: the worst first), at most
    :data:`OUTLIER_MAX_FRACTION` of the sets and never below 3 sets over :data:`MIN_FIT_HOURS`:

    * the set whose largest position residual exceeds :data:`OUTLIER_FACTOR` times the median set's
      and :data:`OUTLIER_FLOOR_M` is dropped and the fit redone;
    * when no set stands out so but the fit is not sound (rms above :data:`FIT_RMS_WARN_M` or an
      implausible scale: with few sets, 7 unknowns bend the orbit towards the bad set and spread its
      error over all), the three sets of largest residual above the floor are each left out in turn,
      and the one whose leaving out gives the lowest rms is dropped if that fit is sound.

    The largest residual of a set rather than its rms: a set of another orbit (a mean anomaly off by
    2 deg, a mis-dated epoch) is off along its whole orbit, while SGP4's own ~1 km varies along it.
    On the real series (163 daily fits of 2024-09 to 2025-03) no set is dropped: their worst set is
    at most 5.7 km off and 4.0 times the median set, their rms at most 1.9 km."""
    from ..time import seconds_between

    def usable(idx) -> bool:
        return len(idx) >= 3 and float(seconds_between(sets[idx[0]].epoch, sets[idx[-1]].epoch)) >= MIN_FIT_HOURS * 3600.0

    kept = list(range(len(sets)))
    dropped = []
    max_drop = int(len(sets) * OUTLIER_MAX_FRACTION)
    fit, worst = _series_fit(sets, history_days, space_weather)
    while len(dropped) < max_drop:
        median = float(np.median(worst))
        k = int(np.argmax(worst))
        rest = kept[:k] + kept[k + 1:]
        if worst[k] > max(OUTLIER_FACTOR * median, OUTLIER_FLOOR_M) and usable(rest):
            dropped.append((kept[k], float(worst[k]), median, fit.rms_m, None))
            kept = rest
            fit, worst = _series_fit([sets[i] for i in kept], history_days, space_weather)
            continue
        if _fit_is_sound(fit):
            break
        best = None
        for k in np.argsort(worst)[::-1][:3]:
            rest = kept[:k] + kept[k + 1:]
            if worst[k] <= OUTLIER_FLOOR_M or not usable(rest):
                continue
            f2, w2 = _series_fit([sets[i] for i in rest], history_days, space_weather)
            if _fit_is_sound(f2) and (best is None or f2.rms_m < best[1].rms_m):
                best = (int(k), f2, w2, rest)
        if best is None:
            break
        k, f2, w2, rest = best
        dropped.append((kept[k], float(worst[k]), median, fit.rms_m, f2.rms_m))
        kept, fit, worst = rest, f2, w2
    return _SeriesFit(fit, tuple(kept), tuple(dropped))


def _fit_last_set(last, st, base, sw, history_days, space_weather):
    """Too few sets for a series fit: the numerical state and density scale that reproduce the
    last set's own SGP4 trajectory over the ``history_days`` before its epoch (every
    :data:`OBS_STEP_S`), i.e. the set's mean-element drag (BSTAR, fitted by its producer on the
    tracking of those days) turned into this model's density scale, and its osculating state
    smoothed over days instead of taken at one instant. None when the scale implied lies outside
    :data:`SET_SCALE_RANGE` (a set fitted across a manoeuvre, with inflated drag terms)."""
    grid = OBS_STEP_S * np.arange(math.ceil(-history_days * 86400.0 / OBS_STEP_S), 1, dtype=float)
    fit = fit_arc(st, grid, _sgp4_gcrf_m(last, last.epoch, grid), _params(base, sw, space_weather), fit_state=True,
                  step_s=OBS_STEP_S, space_weather=space_weather, kind="elements")
    return fit if SET_SCALE_RANGE[0] < fit.drag_scale < SET_SCALE_RANGE[1] else None


def propagate_state(state, drag: DragEstimate, until, burns=(), back_to=None, space_weather: str = SPACE_WEATHER,
                    step_s: float = SAMPLE_STEP_S, kind: str = "elements"):
    """GCRF Ephemeris of the ``full`` model from ``state`` to ``until`` (and, with ``back_to``,
    backwards to it first; the two legs joined), with ``drag``'s scale, area and Cd.
    ``kind``: the force model (:func:`_model`; ``elements`` = 8x8 + drag, the model of
    :func:`determine_orbit`)."""
    from ..time import parse_utc, seconds_between
    from .ephemeris import Ephemeris

    prop = _propagator(space_weather, kind=kind)
    p = _params({"drag_area_m2": drag.area_m2, "drag_cd": drag.cd, "drag_scale": drag.drag_scale},
                drag.space_weather or space_weather_at(state.t), space_weather)
    fwd = prop.propagate(state, parse_utc(until), step_s, list(burns), params=p)
    if back_to is None or float(seconds_between(parse_utc(back_to), state.t)) < step_s:
        return fwd
    bwd = prop.propagate(state, parse_utc(back_to), step_s, params=p)
    # the backward leg is stored increasing and ends at the state's epoch (= fwd's first sample)
    off = float(seconds_between(fwd.epoch, bwd.epoch))
    tb = bwd.t_s[:-1] + off
    starts = (0,) + tuple(int(i) + len(tb) for i in fwd.segment_starts if i > 0)
    mass = None if fwd.mass_kg is None or bwd.mass_kg is None else np.concatenate([bwd.mass_kg[:-1], fwd.mass_kg])
    return Ephemeris(fwd.epoch, np.concatenate([tb, fwd.t_s]), np.concatenate([bwd.r_m[:-1], fwd.r_m]),
                     np.concatenate([bwd.v_mps[:-1], fwd.v_mps]), "GCRF", fwd.name, starts, mass,
                     dict(fwd.meta))


def _join(first, second, name):
    """``first`` (before ``second``'s start) then ``second`` as two segments of one Ephemeris."""
    from ..time import seconds_between
    from .ephemeris import Ephemeris

    off = float(seconds_between(first.epoch, second.epoch))
    t2 = second.t_s + off
    # first's samples up to second's start (the shared instant kept in both: a segment break,
    # no gap), and its covered spans cut there
    keep = first.t_s <= t2[0] + 1e-6
    if not np.any(first.t_s < t2[0] - 1e-6):
        return second
    n1 = int(np.count_nonzero(keep))
    starts = sorted({0} | {i for i in first.segment_starts if i < n1} | {n1} | {n1 + i for i in second.segment_starts})
    mass = None
    if first.mass_kg is not None and second.mass_kg is not None:
        mass = np.concatenate([first.mass_kg[keep], second.mass_kg])
    valid = tuple((lo, min(hi, float(t2[0]))) for lo, hi in first.spans_s if lo <= t2[0]) + \
        tuple((lo + off, hi + off) for lo, hi in second.spans_s)
    return Ephemeris(first.epoch, np.concatenate([first.t_s[keep], t2]), np.concatenate([first.r_m[keep], second.r_m]),
                     np.concatenate([first.v_mps[keep], second.v_mps]), "GCRF", name, tuple(starts), mass,
                     dict(first.meta), first.degree, valid)


# ------------------------------------------------------------------------------------------
# the loader
# ------------------------------------------------------------------------------------------
ISS_COSPAR_ID = "1998-067A"
"""The ISS's international designator (Zarya's), as NASA's OEMs give it in ``OBJECT_ID``."""
ISS_CATALOG_NUMBER = "25544"
"""The ISS's catalogue number, as its element sets give it."""
_COSPAR = re.compile(r"^(\d{4})-?(\d{3})-?([A-Z]{1,3})$")


def _check_is_iss(kind: str, payload, label: str) -> None:
    """Refuse (:class:`~gyrfalcon.errors.OrbitSourceError`, one line) station data that say they are
    another object: an OEM whose ``OBJECT_ID`` is another designator or catalogue number than the
    ISS's, whatever its ``OBJECT_NAME`` says, or an ID that is neither (a name such as
    ``Soyuz MS-28``, the chaser file a run writes) unless its ``OBJECT_NAME`` says ISS or Zarya;
    element sets of another catalogue number, or of the ISS's with another object's designator (an
    OMM's ``OBJECT_ID``, a TLE's columns 10-17). Data that do not say (an OEM with
    ``OBJECT_ID = UNKNOWN``, as a propagation of one's own may write; a set with no designator) pass."""
    if kind == "elements":
        objects = {str(x.catalog_number).lstrip("0") for x in payload}
        others = sorted(objects - {ISS_CATALOG_NUMBER})
        if others and len(objects) == 1:      # a mixed series is refused by the series check, naming both
            raise OrbitSourceError(f"{label}: element sets of object {', '.join(others)}, not the ISS "
                                   f"({ISS_CATALOG_NUMBER}); give the ISS's element sets")
        for x in payload:
            given = str(x.international_designator or "").strip().upper().replace(" ", "")
            des = _designator(given)
            if str(x.catalog_number).lstrip("0") == ISS_CATALOG_NUMBER and des not in (None, ISS_COSPAR_ID):
                from ..time import iso_utc

                raise OrbitSourceError(
                    f"{label}: the element set of {iso_utc(x.epoch, 0)} gives the ISS's catalogue number "
                    f"({ISS_CATALOG_NUMBER}) but another object's designator ({given}; the ISS's is {ISS_COSPAR_ID}); "
                    "give the ISS's element sets, or correct the designator if the set is the ISS's")
        return
    if kind != "oem":
        return
    for seg in payload.segments:
        oid = str(seg.metadata.get("OBJECT_ID", "")).strip().upper().replace(" ", "")
        name = str(seg.metadata.get("OBJECT_NAME", "")).strip()
        if _names_the_iss(oid, name):
            continue
        if _says_iss(name):
            what = "designator" if _designator(oid) is not None else "catalogue number"
            raise OrbitSourceError(
                f"{label}: OBJECT_NAME = {name} but OBJECT_ID = {oid}, another object's {what} (the ISS's is "
                f"{ISS_COSPAR_ID}, written 1998-067-A in NASA's files, catalogue number {ISS_CATALOG_NUMBER}); give an "
                "ISS ephemeris (NASA's ISS.OEM_J2K_EPH files), or correct OBJECT_ID if the file is the ISS's")
        raise OrbitSourceError(f"{label}: the ephemeris of {name + ' ' if name else ''}({oid}), not the ISS "
                               f"({ISS_COSPAR_ID}); give an ISS ephemeris (NASA's ISS.OEM_J2K_EPH files)")


_UNSAID = ("", "UNKNOWN", "NONE", "N/A", "NA", "TBD")


def _says_iss(name: str) -> bool:
    """Whether an object name says ISS or Zarya (as a word: ``ISS``, ``ISS (ZARYA)``)."""
    return re.search(r"\b(ISS|ZARYA)\b", name.upper()) is not None


def _designator(oid: str) -> str | None:
    """An ``OBJECT_ID`` (upper case, no spaces) as a designator in the CCSDS form (``1998-067A``) when
    it is one in any usual form (1998-067A, 1998-067-A, 98067A: years 57-99 are 19xx), else None."""
    m = _COSPAR.fullmatch(oid)
    if m is not None:
        return f"{m.group(1)}-{m.group(2)}{m.group(3)}"
    short = re.fullmatch(r"(\d{2})(\d{3})([A-Z]{1,3})", oid)
    if short is not None:
        year = int(short.group(1))
        return f"{1900 + year if year >= 57 else 2000 + year}-{short.group(2)}{short.group(3)}"
    return None


def _names_the_iss(oid: str, name: str) -> bool:
    """Whether an OEM segment's ``OBJECT_ID`` (upper case, no spaces) and ``OBJECT_NAME`` let it be
    the ISS: an ID that says nothing (UNKNOWN...), the ISS's designator in any usual form (1998-067A,
    1998-067-A, 98067A) or catalogue number (25544, NORAD25544); an ID that is neither a designator
    nor a catalogue number when the name says ISS / Zarya. A designator or catalogue number of
    another object is never the ISS, whatever the name."""
    if oid in _UNSAID:
        return True
    des = _designator(oid)
    if des is not None:
        return des == ISS_COSPAR_ID
    number = re.sub(r"^(NORAD|SATCAT|CAT)[-_#:]?", "", oid)
    if number.isdigit():
        return number.lstrip("0") == ISS_CATALOG_NUMBER
    return _says_iss(name)


def load_station(source=None, *, at_utc=None, until_utc=None, predict_from_utc=None,
                 history_days: float | None = None, label: str | None = None, warn: bool = False,
                 step_s: float = SAMPLE_STEP_S, expect_iss: bool = False) -> Station:
    """The station trajectory from ``source`` (see the module docstring).

    Parameters
    ----------
    source : None, path, OEM, Ephemeris, TLE/OMM or list of them
        None = the packaged NASA ISS OEM (2025-11-24).
    at_utc : time, optional
        The instant the trajectory serves (a launch, a window search start, an undocking):
        element sets dated after it are never used; staleness is judged against it.
    until_utc : time, optional
        Last instant needed. An OEM ending earlier is extended by propagation (drag fitted
        on its last days, planned burns applied); element sets are propagated to it (default
        ``at_utc`` + :data:`DEFAULT_SPAN_DAYS` days).
    predict_from_utc : time, optional
        OEM only: ignore the samples after this instant and propagate from it (a hindcast;
        what ``gyrfalcon propagate --from-oem --start`` does). Refused (InputError) for element
        sets, which ``at_utc`` already cuts. A start inside a planned burn's modelled span starts
        the fit and the propagation just before its TIG and flies the whole burn (warning).
    history_days : float, optional
        Longest span of data before the prediction fitted [days] (> 0, finite); default
        :data:`OEM_HISTORY_DAYS` for an OEM (:data:`OEM_LONG_HISTORY_DAYS` for a prediction longer
        than :data:`LONG_SPAN_DAYS`), :data:`HISTORY_DAYS` for element sets.
    warn : bool
        Also emit the warnings through :mod:`warnings` (``Station.warnings`` always holds them).
    step_s : float
        Sample step of our own propagation [s].
    expect_iss : bool
        The data serve as the ISS (a flight's target, a return): refused when they say they are
        another object (an OEM's ``OBJECT_ID``, the element sets' catalogue number). ``gyrfalcon
        propagate`` reads any object and leaves it False.
    """
    from ..time import iso_utc, parse_utc

    history_days = _checked_history_days(history_days)
    _check_step(step_s)
    kind, payload, name = _read(source)
    name = label or name
    if expect_iss:
        _check_is_iss(kind, payload, name)
    if predict_from_utc is not None and kind == "elements":
        raise InputError(f"{name}: predict_from_utc is for an OEM (ignore its samples after that instant); for element "
                         "sets use at_utc (only the sets dated at or before it are used)")
    t_at = None if at_utc is None else parse_utc(at_utc)
    t_until = None if until_utc is None else parse_utc(until_utc)
    if kind in ("oem", "embedded", "eph"):
        got = _station_from_ephemeris(kind, payload, name, t_at, t_until, predict_from_utc, history_days, step_s)
    else:
        got = _station_from_elements(payload, name, t_at, t_until, history_days, step_s)
    if warn:
        for w in got.warns:
            _warnings.warn(w, StationDataWarning, stacklevel=2)
    # the end of the data, on the trajectory itself: a refusal computed from it (a phase, a plane,
    # no window) can then say how old the data were (gyrfalcon.api); an ephemeris loaded before keeps its own
    from dataclasses import replace as _replace

    eph = _replace(got.eph, meta={"data_end_utc": got.data_end_text, "data_kind": got.kind, **got.eph.meta})
    return Station(got.source, got.kind, eph, got.drag, tuple(got.warns), (iso_utc(eph.start, 0), iso_utc(eph.stop, 0)),
                   got.data_end_text, got.predicted, tuple(got.burns), tuple(got.events))


def _checked_history_days(history_days):
    """``history_days`` as a positive finite float (None stays None), else one InputError line."""
    if history_days is None:
        return None
    try:
        hd = float(history_days)
    except (TypeError, ValueError):
        hd = math.nan
    if not (math.isfinite(hd) and hd > 0):
        raise InputError(f"history_days must be a positive number of days (the span of data fitted before the "
                         f"prediction), got {history_days!r}; e.g. {OEM_HISTORY_DAYS} for an OEM, {HISTORY_DAYS} "
                         "for element sets, or None for the default")
    return hd


def _check_step(step_s) -> None:
    import numbers

    if not (isinstance(step_s, numbers.Real) and math.isfinite(step_s) and step_s > 0):
        raise InputError(f"step_s must be a positive number of seconds, got {step_s!r}; e.g. {SAMPLE_STEP_S:g}")


@dataclass(frozen=True)
class _Loaded:
    """What one source gives a :class:`Station`: its description and kind, the GCRF ephemeris,
    the drag estimate, the warnings, the end of the data and the start of our own propagation
    (UTC texts or None), the planned burns applied and the file's events."""

    source: str
    kind: str
    eph: Any
    drag: Any
    warns: list
    data_end_text: str | None
    predicted: str | None
    burns: tuple = ()
    events: tuple = ()


def _station_from_ephemeris(kind, payload, name, t_at, t_until, predict_from_utc, history_days, step_s) -> _Loaded:
    """An OEM (or an Ephemeris): its samples as they are, or propagated from its last data (or from
    ``predict_from_utc``, a hindcast) with the drag fitted before it and the planned burns applied."""
    from ..time import iso_utc, seconds_between

    eph, events, sc, created = _ephemeris_meta(kind, payload)
    area = None if sc is None else sc.drag_area_m2
    mass = None if sc is None else sc.mass_kg
    data_end = created if created is not None else eph.start
    gap_d = None if t_at is None else float(seconds_between(eph.stop, t_at)) / 86400.0
    # extended by propagation (until_utc) from data that old: refused (without until_utc the caller
    # reads the samples and refuses a time outside them in its own words)
    if predict_from_utc is None and t_until is not None and gap_d is not None and gap_d > MAX_ELEMENTS_AGE_DAYS:
        raise InputError(
            f"{name} covers {iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)}: {iso_utc(t_at, 0)} is outside it, "
            f"{gap_d:.0f} days after its end (more than {MAX_ELEMENTS_AGE_DAYS:g}: the station is reboosted every "
            "few weeks); give an OEM that covers that time, or element sets from the days before it")
    start_pred = _prediction_start(eph, name, t_until, predict_from_utc)
    warns, drag, burns, predicted = _read_notes(kind, payload, name), None, (), None
    if start_pred is not None:
        if predict_from_utc is not None:
            data_end = start_pred
        eph, drag, burns, w = _extend(eph, name, start_pred, t_until, predict_from_utc, events, sc, area, mass,
                                      step_s, history_days)
        warns += w
        predicted = iso_utc(start_pred, 0)
    if created is not None and t_at is not None:
        warns += _oem_age_warnings(name, created, t_at, data_end, events, predict_from_utc)
    return _Loaded(name, "embedded" if kind == "embedded" else "oem", eph, drag, warns,
                   None if data_end is None else iso_utc(data_end, 0), predicted, burns, events)


def _read_notes(kind, payload, name) -> list:
    """What the OEM reader dropped or tolerated (duplicate data lines, data beyond
    START_TIME/STOP_TIME, event lines not understood): one warning each, naming the file."""
    notes = getattr(payload, "notes", ()) if kind in ("oem", "embedded") else ()
    return [f"{name}: {n}" for n in notes]


def _ephemeris_meta(kind, payload):
    """(GCRF ephemeris, event-summary events, spacecraft block or None, creation date or None)."""
    if kind == "eph":
        eph = payload.in_frame("GCRF")
        return eph, tuple(eph.meta.get("events", ()) or ()), eph.meta.get("spacecraft"), eph.meta.get("creation_date")
    return payload.ephemeris("GCRF"), tuple(payload.events or ()), payload.spacecraft, payload.creation_date


def _prediction_start(eph, name, t_until, predict_from_utc):
    """Where our propagation starts: ``predict_from_utc`` (inside the file), the file's end when
    ``t_until`` lies beyond it, else None (the samples serve as they are)."""
    from ..time import iso_utc, parse_utc, seconds_between

    if predict_from_utc is not None:
        start_pred = parse_utc(predict_from_utc)
        if not eph.covers(start_pred):
            raise InputError(f"{name} covers {iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)}; the prediction "
                             f"start {iso_utc(start_pred, 0)} must lie inside it")
        return start_pred
    if t_until is not None and float(seconds_between(eph.stop, t_until)) > 0:
        return eph.stop
    return None


def _extend(eph, name, start_pred, t_until, predict_from_utc, events, sc, area, mass, step_s, history_days):
    """The prediction from ``start_pred`` (to ``t_until``, else 3 days), joined to the file's samples
    unless it is a hindcast: (ephemeris, drag, burns applied, warnings)."""
    from ..time import add_seconds, iso_utc, seconds_between

    warns = []
    end = t_until if t_until is not None else add_seconds(start_pred, 3 * 86400.0)
    if float(seconds_between(start_pred, end)) <= 0:
        raise InputError(f"the end {iso_utc(end, 0)} is not after the prediction start {iso_utc(start_pred, 0)}")
    _refuse_unread_burns(eph, name, start_pred, end, history_days, predict_from_utc)
    if area is not None and sc.drag_coeff is None:   # no DRAG_AREA: predict_from_ephemeris says so
        warns.append(f"{name}: no DRAG_COEFF in the file; the drag is estimated from the samples with the "
                     f"file's DRAG_AREA ({area:g} m^2) and Cd {DEFAULT_CD} (NASA's Cd is never used as is)")
    pred, drag, burns, w = predict_from_ephemeris(eph, start_pred, end, events=events, area_m2=area, mass_kg=mass,
                                                  step_s=step_s, history_days=history_days, label=name)
    warns += w
    if sc is not None:   # the file's MASS/DRAG_AREA/... travel with the prediction (an --oem output keeps them)
        from dataclasses import replace as _r

        pred = _r(pred, meta={**pred.meta, "spacecraft": sc})
    if predict_from_utc is not None:
        return pred, drag, burns, warns
    warns.append(f"{name} ends {iso_utc(start_pred, 0)}; extended by propagation to {iso_utc(end, 0)} "
                 f"({drag.describe()})")
    return _join(eph, pred, eph.name), drag, burns, warns


def _refuse_unread_burns(eph, name, start_pred, end, history_days, predict_from_utc) -> None:
    """Refuse (:class:`~gyrfalcon.errors.OEMFormatError`, one line) a prediction from ``start_pred``
    to ``end`` when the file's event summary has a row naming a burn that could not be read
    (:attr:`gyrfalcon.io.oem.OEM.unread_burns`) whose TIG is unknown or lies inside the span the
    prediction uses: from the earliest sample its drag fit may use (twice the history before the
    start: the arc before a burn just before it, :func:`_drag_before_burn`) to ``end``. Such a burn
    can be neither applied nor kept out of the fit (a 2.1 m/s reboost dropped: ~1,100 km at +72 h).
    Where the samples serve as they are, the reader's note (a warning) is enough."""
    from ..time import add_seconds, iso_utc, seconds_between

    unread = [u for u in (eph.meta.get("unread_burns") or ()) if getattr(u, "burn", False)]
    if not unread:
        return
    hist = _oem_history_days(history_days, start_pred, end)
    for u in unread:
        if u.tig is not None and not (-2.0 * hist * 86400.0 - 3600.0 <= float(seconds_between(start_pred, u.tig))
                                      <= float(seconds_between(start_pred, end))):
            continue
        when = "" if u.tig is None else f" (TIG {iso_utc(u.tig, 0)})"
        clear = None if u.tig is None else add_seconds(u.tig, 2.0 * hist * 86400.0 + 3600.0)
        instead = (f"predict from {iso_utc(clear, 0)} or later (the drag fit then stays clear of it), or end before "
                   f"{iso_utc(u.tig, 0)}" if u.tig is not None else
                   f"use only times inside the file's samples ({iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)}), "
                   "with no prediction")
        how = "hindcast" if predict_from_utc is not None else "extension past the file's end"
        raise OEMFormatError(
            f"{name}: the trajectory event summary's {u.where()} names a burn{when} that cannot be read "
            f"({u.reason}), so the {how} from {iso_utc(start_pred, 0)} to {iso_utc(end, 0)} cannot apply it; fix "
            f"the line (TIG as DDD:HH:MM:SS.sss, dv in m/s), or {instead}")


def _oem_age_warnings(name, created, t_at, data_end, events, predict_from_utc) -> list:
    """A file created after the time it serves, a stale one, a planned burn between its data and
    that time: one warning each."""
    from ..time import iso_utc, seconds_between

    warns = []
    age_d = float(seconds_between(created, t_at)) / 86400.0
    if age_d < 0 and predict_from_utc is None:
        warns.append(f"{name} was created {iso_utc(created, 0)}, after {iso_utc(t_at, 0)} it serves: it holds "
                     "information from after that time")
    elif age_d > STALE_DAYS:
        warns.append(_stale_text(name, created, t_at, age_d, "an OEM created closer to the flight (NASA "
                                 "publishes one every few days) or a fresh TLE/OMM series (--station-tle)"))
    planned = [e for e in events if e.dv_mps > 0 and float(seconds_between(data_end, e.tig)) > 0
               and float(seconds_between(e.tig, t_at)) > 0]
    for e in planned:
        warns.append(f"{name}: the planned burn '{e.name}' ({iso_utc(e.tig, 0)}, {e.dv_mps:.1f} m/s) lies between "
                     f"the data ({iso_utc(data_end, 0)}) and {iso_utc(t_at, 0)}: the real burn may differ from "
                     "the plan; use an ephemeris or element sets dated after it")
    return warns


def _station_from_elements(payload, name, t_at, t_until, history_days, step_s) -> _Loaded:
    """Element sets: orbit determination on those dated before ``t_at``, propagated to ``t_until``
    (default :data:`DEFAULT_SPAN_DAYS` after it) and back over the fitted arc."""
    from dataclasses import replace as _r

    from ..time import add_seconds, iso_utc, seconds_between

    state, drag, warns, arc, _mans = determine_orbit(payload, t_at, label=name,
                                                     history_days=HISTORY_DAYS if history_days is None else history_days)
    warns = list(warns)
    last = arc[-1]
    if t_at is not None and float(seconds_between(last.epoch, t_at)) > MAX_ELEMENTS_AGE_DAYS * 86400.0:
        raise InputError(
            f"{name}: the last element set before {iso_utc(t_at, 0)} is from {iso_utc(last.epoch, 0)}, "
            f"{float(seconds_between(last.epoch, t_at)) / 86400.0:.0f} days earlier (more than "
            f"{MAX_ELEMENTS_AGE_DAYS:g}: the station is reboosted every few weeks); give element sets from the "
            "days before that time")
    end = t_until if t_until is not None else add_seconds(t_at if t_at is not None else last.epoch,
                                                           DEFAULT_SPAN_DAYS * 86400.0)
    if float(seconds_between(state.t, end)) <= 0:
        end = add_seconds(state.t, 86400.0)
    back = arc[0].epoch
    if t_at is not None and float(seconds_between(add_seconds(t_at, -6 * 3600.0), back)) > 0:
        back = add_seconds(t_at, -6 * 3600.0)
    eph = propagate_state(state, drag, end, back_to=back, step_s=step_s)
    if t_at is not None:
        age_d = float(seconds_between(last.epoch, t_at)) / 86400.0
        if age_d > STALE_DAYS:
            warns.append(_stale_text(name, last.epoch, t_at, age_d, "element sets dated closer to the flight"))
    src_text = _elements_source_text(name, arc, drag)
    eph = _r(eph, name="ISS" if last.catalog_number.lstrip("0") == "25544" else eph.name,
             meta={**eph.meta, "source": src_text})
    return _Loaded(src_text, "elements", eph, drag, warns, iso_utc(last.epoch, 0), iso_utc(state.t, 0))


def _elements_source_text(name, arc, drag) -> str:
    """What an orbit from element sets was made of, in one phrase: the sets fitted (``drag.method``
    ``fit``), the last set's own SGP4 trajectory (``last-set``: too few sets for a series fit), or
    the last set's state as it is (``default``: a fit rejected, ``drag.reason`` says why). ``name``:
    a file, the caller's label, or :func:`_read`'s label of a list or of one set object."""
    from ..time import iso_utc

    first, last = iso_utc(arc[0].epoch, 0), iso_utc(arc[-1].epoch, 0)
    listed = re.fullmatch(r"\d+ element sets of object .*", name) is not None
    if re.fullmatch(r"element set of object .*", name):           # one set object, its epoch in the name
        the_last = f"the {name}"
    elif listed:
        the_last = f"the last ({last}) of the {name}"
    else:
        the_last = f"the last element set of {name} ({last})"
    if drag.method == "fit":
        of = (f"{len(arc)} element sets of {name}" if not listed else
              f"the {name}" if name.startswith(f"{len(arc)} ") else f"{len(arc)} of the {name}")
        return f"orbit determined from {of} ({first} to {last})"
    if drag.method == "last-set":
        return f"orbit determined from {the_last} (fitted to its own SGP4 trajectory)"
    return f"the state of {the_last} as it is (no fit)"


def expected_error_km(age_days: float) -> tuple:
    """(median, p95) position error [km] expected of an orbit ``age_days`` [days] after its data:
    the measured :data:`ERROR_GROWTH_KM` interpolated as a power law between the measured ages
    (log-log), extrapolated with the slope of the nearest two beyond them (before 1 day, after 7)."""
    if not (math.isfinite(float(age_days)) and age_days > 0):
        return (0.0, 0.0)
    x = np.log([a for a, _, _ in ERROR_GROWTH_KM])
    out = []
    for col in (1, 2):
        y = np.log([row[col] for row in ERROR_GROWTH_KM])
        la = math.log(float(age_days))
        k = 0 if la <= x[1] else (len(x) - 2 if la >= x[-2] else int(np.searchsorted(x, la)) - 1)
        slope = (y[k + 1] - y[k]) / (x[k + 1] - x[k])
        out.append(float(math.exp(y[k] + slope * (la - x[k]))))
    return tuple(out)


def _stale_text(name, data_t, t_at, age_d, instead):
    from ..time import iso_utc

    med, p95 = expected_error_km(age_d)
    far = " (beyond the 7 days measured: extrapolated)" if age_d > ERROR_GROWTH_KM[-1][0] else ""
    # as many decimals as it takes for the age written to exceed the threshold ("3.0 ... (more than 3)")
    digits = next((d for d in range(1, 6) if round(age_d, d) > STALE_DAYS), 5)
    return (f"{name}: the data ({iso_utc(data_t, 0)}) are {age_d:.{digits}f} days older than {iso_utc(t_at, 0)} (more "
            f"than {STALE_DAYS:g}); expect ~{med:.0f} km of along-track error (median; p95 ~{p95:.0f} km; measured "
            f"3 / 16 / 72 km median after 1 / 3 / 7 days{far}); use {instead}")


__all__ = ["Station", "DragEstimate", "ArcFit", "StationDataWarning", "load_station", "determine_orbit",
           "check_series", "fit_arc", "event_burns", "expected_error_km", "burn_duration_s", "predict_from_ephemeris",
           "propagate_state",
           "sniff", "space_weather_at"]
