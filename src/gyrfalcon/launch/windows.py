"""Launch windows to a target station: in-plane time, launch time, azimuth, phase, feasibility.

For each day, :func:`find_windows` finds the launch opportunity from a pad to the plane of a
target (an OEM :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`, or a TLE/OMM through SGP4) on
the pass that allows a north-east (ascending) launch, and says whether a rendezvous scheme
(two-orbit, four-orbit, two-day; ``launch/data/schemes.toml``) can use it. SI units inside,
UTC at the edges; every plane and vector is in GCRF.

The model, step by step
-----------------------
1. **In-plane time** (``inplane_utc``). The instant the pad, carried by the real Earth
   rotation (:func:`gyrfalcon.frames.itrf_to_gcrf_matrix`: precession, nutation, UT1, polar
   motion), crosses the target's *osculating* plane ``n(t) = r x v / |r x v|`` (evaluated at
   that instant from the target's state) going from its +n side to its -n side, which is the
   ascending pass over a mid-latitude pad. Root of ``n(t) . r_pad(t) = 0``: closed form for a
   fixed plane and the pad turning at the sidereal rate about the pole, then fixed-point
   refinement with the exact rotation (each pass divides the error by about 70; the plane
   moves 5 deg/day, the pad 361 deg/day). Vectorised over all days at once.

2. **Required insertion plane.** The spacecraft must end up coplanar with the station *when
   it arrives*, in the sense of the mean (J2-averaged) orbits:

   * the station's mean plane at insertion: ``r x v`` averaged over one orbit (24 samples),
     which removes the J2 short-period wobble of the osculating plane (node +-0.025 deg,
     inclination +-0.020 deg at the ISS: worth up to +-15 s of in-plane time);
   * differential nodal regression: a chaser that catches up an angle ``dtheta`` flies
     lower, and J2 regresses its node faster. To first order in the height difference
     (``Omega_dot ~ a^-3.5``, ``n ~ a^-1.5``) the extra regression depends only on the
     catch-up: ``dOmega = (7/3)(Omega_dot/n) dtheta = -3.5 J2 (R/a)^2 cos(i) dtheta``
     (0.032 deg for a two-orbit 15 deg catch-up, about 0.7 deg for a two-day 300 deg one),
     so the insertion plane's node is put that much *east* of the station's;
   * the spacecraft's own short-period terms at its insertion argument of latitude ``u``
     (Kozai, near-circular): ``di = 3/8 J2 (R/p)^2 sin(2i) cos(2u)``,
     ``dOmega = 3/4 J2 (R/p)^2 cos(i) sin(2u)`` with ``p`` of the 200 x 242 km orbit, so
     that its *mean* plane is the one wanted.

3. **Launch time** (``launch_utc``). The vehicle lifts off with the pad's inertial velocity,
   whose component out of the plane (``omega r sin(i) cos(u_pad)`` = 145 m/s at Baikonur)
   the yaw steering removes during the ascent. With the liftoff at the in-plane instant the
   vehicle would drift about 40 km to the south-east before the steering cancels the drift
   rate; so the liftoff comes *earlier*, by the time the pad needs to cross that distance:
   ``launch = t(pad crosses the required plane) - plane_lead``. For a yaw angle held
   constant (the minimum-loss law when the liftoff time is free) the lead equals the
   thrust-acceleration-weighted mean time of the ascent, 250-280 s for the Soyuz-2.1a thrust
   history; the real yaw programme is not published and real launches show about 200 s.
   ``plane_lead_s`` is therefore a measured property of the vehicle's ascent (215 s for the
   crewed Soyuz MS configuration, 204 s for Progress MS), kept in ``schemes.toml`` with its
   source: other flights than the development cases (Soyuz MS-24/MS-25, nine two-day
   Progress launches).
   The insertion (separation) comes ``met_s`` after liftoff, ``downrange_rad`` along the
   plane (:func:`gyrfalcon.launch.insertion.parametric_insertion`).

4. **Phase at insertion** (``phase_at_insertion_rad``): the station's position minus the
   spacecraft's, as an angle about the plane normal, in [0, 2 pi) (positive = station ahead),
   with the one definition :func:`phase_at_insertion_rad` that ``rendezvous`` also classifies a
   liftoff with (insertion into the station's osculating plane at liftoff).
   Feasible when the phase, plus whole turns, lies in the scheme's catch-up range and the pad
   is operational at liftoff. The catch-up used in step 2 is that angle. When the phase at the
   in-plane liftoff is just outside the range, the window's liftoff moves to the nearest one
   whose phase is inside it, by at most :data:`MAX_SLIP_S` (``slip_s``; the phase grows about
   3.7 deg per minute of liftoff), since ``rendezvous`` flies such a liftoff into the plane.
   The slip is counted from the in-plane liftoff of the plane flown (``inplane_launch_utc``:
   ``plane_lead_s`` before the pad crosses the plane of the new catch-up), so
   ``launch_utc - inplane_launch_utc == slip_s`` and ``plane_lead_s`` stays the model's constant.

Azimuth (``azimuth_rad``): the inertial azimuth, from north, of the required plane's track
where it crosses the pad's geocentric latitude on the ascending pass, ``sin Az = cos i /
cos(lat)`` (62.9 deg to the ISS from Baikonur; the textbook 63.3 deg uses the geodetic
latitude; the heading relative to the rotating ground is about 1.1 deg less).

Validation (tests/launch/test_windows.py, bench/README.md): with NASA's OEM of each launch the
model predicts the liftoffs of Soyuz MS-28 (+3.9 s), MS-27 (+0.1 s), Progress MS-31 (+1.2 s),
Progress MS-23 (+2.0 s) and Soyuz MS-23 (-5.0 s); the calibration flights are within 7 s.

Assumptions and limits: a direct ascent into the plane (no dog-leg); one insertion geometry
per vehicle; the J2 terms only (no drag) for the differential drift; an OEM is a *prediction*
whose plane is good for days but whose along-track position (phase) degrades with its age.

>>> from gyrfalcon.orbits.iss import iss_ephemeris
>>> w = find_windows(iss_ephemeris(), "baikonur-31", "two-orbit", "2025-11-27", 1)[0]
>>> iso_utc(w.launch_utc, 0)[:16], w.feasible, round(math.degrees(w.phase_at_insertion_rad))
('2025-11-27T09:28', True, 15)
"""
from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from ..constants import EARTH_ROTATION_RATE_RAD_S, EGM2008_A_M, J2_EGM2008, MU_EARTH_M3_S2, WGS84_A_M
from ..errors import EphemerisRangeError, GyrfalconError, InputError
from ..ids import norm_id
from ..time import add_seconds, iso_utc, parse_utc, seconds_between

SECONDS_PER_SOLAR_DAY = 86400.0
_AVG_SAMPLES = 24
"""Samples per orbit for the mean plane (exact for the 2u short-period terms)."""


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------
class UnknownSchemeError(InputError):
    """A rendezvous scheme name that ``launch/data/schemes.toml`` does not hold."""


class NoFeasibleWindowError(GyrfalconError):
    """No window of the requested scheme is feasible in the date range.

    ``next_window`` is the next feasible :class:`LaunchWindow` after the range (``None`` if
    the target's ephemeris ends first); ``windows`` the (refused) windows of the range;
    ``in_service``: for a pad out of service for good, the :class:`PadsInService` instead, said
    after ``message`` (``head``), so that the refusals of several schemes say it once
    (:func:`joined_refusals`).
    """

    def __init__(self, message: str, next_window=None, windows=(), in_service=None):
        super().__init__(message if in_service is None else f"{message}; {in_service.text()}")
        self.head = message
        self.next_window = next_window
        self.windows = tuple(windows)
        self.in_service = in_service

    @property
    def follows_from_the_orbit(self) -> bool:
        """Whether the station's orbit is a reason: no window in the range, or one refused for its
        phase (not a refusal for the pad alone)."""
        return not self.windows or any(refused_for_phase(w) for w in self.windows)


# --------------------------------------------------------------------------------------
# schemes (data)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scheme:
    """A rendezvous scheme as the window search sees it.

    ``phase_min_rad``/``phase_max_rad`` bound the catch-up (the station's phase ahead of the
    spacecraft at insertion plus whole turns) the scheme accepts.
    """

    name: str
    title: str
    phase_min_rad: float
    phase_max_rad: float
    duration_h: float
    source: str = ""

    def catch_up_rad(self, phase_rad):
        """Catch-up for ``phase_rad`` (in [0, 2 pi)): phase + k turns inside the range, or the
        closest such value when none is. Returns ``(catch_up_rad, inside)`` (arrays broadcast).

        >>> s = load_schemes()["two-day"]
        >>> [round(math.degrees(float(x))) for x in s.catch_up_rad(np.radians([300.0, 20.0, 150.0]))[0]]
        [300, 380, 150]
        """
        ph = np.mod(np.asarray(phase_rad, dtype=float), 2 * np.pi)
        lo, hi = self.phase_min_rad, self.phase_max_rad
        k = np.ceil((lo - ph) / (2 * np.pi))          # smallest k with ph + 2 pi k >= lo
        cand = ph + 2 * np.pi * k
        inside = cand <= hi + 1e-12
        below = cand - 2 * np.pi                        # largest value below lo
        closest = np.where(lo - below < cand - hi, below, cand)
        closest = np.where(below < 0, cand, closest)
        out = np.where(inside, cand, closest)
        return out, inside

    def describe(self) -> str:
        return (f"{self.name} window {math.degrees(self.phase_min_rad):.0f}-"
                f"{math.degrees(self.phase_max_rad):.0f} deg")


@functools.lru_cache(maxsize=1)
def _schemes_toml() -> dict:
    text = (resources.files("gyrfalcon.launch") / "data" / "schemes.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_schemes() -> dict:
    """Schemes of ``launch/data/schemes.toml`` by name (read once; a new dict each call, of
    frozen :class:`Scheme` entries, so a caller's edit does not reach the next caller).

    >>> sorted(load_schemes())
    ['four-orbit', 'two-day', 'two-orbit']
    >>> [round(math.degrees(x)) for x in (load_schemes()["two-orbit"].phase_min_rad, load_schemes()["two-orbit"].phase_max_rad)]
    [10, 18]
    """
    return dict(_scheme_table())


@functools.lru_cache(maxsize=1)
def _scheme_table() -> dict:
    data = _schemes_toml()
    out = {}
    for name, s in data["scheme"].items():
        lo, hi = s["phase_at_insertion_deg"]["value"]
        out[name] = Scheme(name, s.get("title", name), math.radians(lo), math.radians(hi),
                           float(s["duration_h"]["value"]), s["phase_at_insertion_deg"].get("source", ""))
    return out


SEARCH_DAYS_RANGE = (0.001, 366.0)
"""Shortest and longest window search [days] that ``windows --days`` and
:func:`gyrfalcon.find_windows` take (a year of daily windows at most)."""


def get_scheme(name) -> Scheme:
    """The :class:`Scheme` called ``name`` (a :class:`Scheme` passes through).

    >>> get_scheme("three-orbit")
    Traceback (most recent call last):
    ...
    gyrfalcon.launch.windows.UnknownSchemeError: unknown rendezvous scheme 'three-orbit'; use one of four-orbit, two-day, two-orbit
    """
    if isinstance(name, Scheme):
        return name
    schemes = load_schemes()
    key = norm_id(name)
    if key not in schemes:
        raise UnknownSchemeError(f"unknown rendezvous scheme '{name}'; use one of {', '.join(sorted(schemes))}")
    return schemes[key]


def plane_lead_s(vehicle: str = "soyuz-2.1a", spacecraft: str = "soyuz-ms") -> float:
    """The ascent's plane lead [s] of ``vehicle`` carrying ``spacecraft`` (``[ascent.*]`` in ``schemes.toml``).

    >>> round(plane_lead_s("soyuz-2.1a", "soyuz-ms") - plane_lead_s("soyuz-2.1a", "progress-ms"))
    11
    >>> plane_lead_s("soyuz-2.1b", "soyuz-ms")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.InputError: no ascent plane lead for launch vehicle 'soyuz-2.1b' (the ascent model knows soyuz-2.1a, soyuz-fg); use one of those
    >>> plane_lead_s("Soyuz-2.1a", "Progress-MS") == plane_lead_s("soyuz-2.1a", "progress-ms")
    True

    Ids are case-insensitive (``_`` and spaces read as ``-``).
    """
    vehicle, spacecraft = norm_id(vehicle), norm_id(spacecraft)
    entries = list(_schemes_toml().get("ascent", {}).values())
    for entry in entries:
        if entry.get("vehicle") == vehicle and entry.get("spacecraft") == spacecraft:
            return float(entry["plane_lead_s"]["value"])
    launchers = list(dict.fromkeys(str(e.get("vehicle")) for e in entries))
    crafts = list(dict.fromkeys(str(e.get("spacecraft")) for e in entries))
    if spacecraft not in crafts:
        raise InputError(f"unknown spacecraft '{spacecraft}' for the ascent's plane lead; use "
                         f"{' or '.join(crafts)}")
    if vehicle not in launchers:
        raise InputError(f"no ascent plane lead for launch vehicle '{vehicle}' (the ascent model knows "
                         f"{', '.join(launchers)}); use one of those")
    known = [f"{e.get('vehicle')} with {e.get('spacecraft')}" for e in entries]
    raise InputError(f"no ascent plane lead for {vehicle} with {spacecraft}; known: {', '.join(known)}")


# --------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LaunchWindow:
    """One launch opportunity (see the module docstring for each quantity).

    Attributes
    ----------
    launch_utc, inplane_utc, insertion_utc : skyfield ``Time``
        Liftoff the scheme needs; pad crossing the target's osculating plane; insertion.
    azimuth_rad : float
        Inertial launch azimuth from north [rad].
    phase_at_insertion_rad : float
        Target ahead of the spacecraft at insertion, in [0, 2 pi) [rad].
    catch_up_rad : float
        Phase plus the whole turns the scheme flies [rad].
    scheme : str
    feasible : bool
    reason : str
        Why it is (not) feasible.
    plane_lead_s : float
        The ascent model's plane lead [s] (:func:`plane_lead_s`): the in-plane liftoff
        (``inplane_launch_utc``) is this long before the pad crosses the required insertion plane;
        a slipped liftoff is ``slip_s`` after the in-plane one.
    raan_offset_rad : float
        Node of the required insertion plane minus the target's mean node [rad].
    pad_id : str
    slip_s : float
        Liftoff minus the window's in-plane liftoff (``inplane_launch_utc``) [s]: 0 unless the phase there is outside the
        scheme's range and a liftoff at most :data:`MAX_SLIP_S` away brings it inside.
    pad_available : bool
        The pad is available for the terminal count (from :data:`PAD_NEEDED_BEFORE_LIFTOFF_S` before
        liftoff); when not, the window is refused and ``reason`` says why.
    """

    launch_utc: Any
    inplane_utc: Any
    insertion_utc: Any
    azimuth_rad: float
    phase_at_insertion_rad: float
    catch_up_rad: float
    scheme: str
    feasible: bool
    reason: str
    plane_lead_s: float
    raan_offset_rad: float
    pad_id: str
    target: str = ""
    slip_s: float = 0.0
    pad_available: bool = True

    @property
    def inplane_launch_utc(self):
        """The liftoff into the scheme's plane with the ascent's plane lead: ``launch_utc`` less ``slip_s``."""
        return add_seconds(self.launch_utc, -self.slip_s) if self.slip_s else self.launch_utc

    @property
    def launch_minus_inplane_s(self) -> float:
        """Liftoff minus the in-plane time [s] (negative: liftoff first)."""
        return float(seconds_between(self.inplane_utc, self.launch_utc))

    def to_dict(self) -> dict:
        """JSON-ready dictionary (UTC ISO strings, degrees)."""
        return {
            "launch_utc": iso_utc(self.launch_utc, 1),
            "inplane_utc": iso_utc(self.inplane_utc, 1),
            "insertion_utc": iso_utc(self.insertion_utc, 1),
            "azimuth_deg": round(math.degrees(self.azimuth_rad), 3),
            "phase_at_insertion_deg": round(math.degrees(self.phase_at_insertion_rad), 2),
            "catch_up_deg": round(math.degrees(self.catch_up_rad), 2),
            "scheme": self.scheme,
            "feasible": bool(self.feasible),
            "reason": self.reason,
            "launch_minus_inplane_s": round(self.launch_minus_inplane_s, 1),
            "plane_lead_s": round(self.plane_lead_s, 1),
            "raan_offset_deg": round(math.degrees(self.raan_offset_rad), 5),
            "pad": self.pad_id,
            "target": self.target,
            "slip_s": round(self.slip_s, 1),
            "inplane_launch_utc": iso_utc(self.inplane_launch_utc, 1),
        }


# --------------------------------------------------------------------------------------
# target models: states in a native inertial frame + rotation to GCRF
# --------------------------------------------------------------------------------------
class _Target:
    """A target's states as arrays, in TT seconds from ``ref`` (a ``Time``)."""

    name = "target"

    def span_s(self, ref):
        """(first, last) TT seconds from ``ref`` covered, or (-inf, inf)."""
        return -np.inf, np.inf

    def span_text(self) -> str:
        return "any time"

    def rv_native(self, ref, s):
        raise NotImplementedError

    def to_gcrf(self, ref, s):
        """(N, 3, 3) matrices (or one (3, 3)) from the native frame to GCRF at ``ref + s``."""
        raise NotImplementedError

    def rv_gcrf(self, ref, s):
        s = np.atleast_1d(np.asarray(s, dtype=float))
        r, v = self.rv_native(ref, s)
        m = self.to_gcrf(ref, s)
        return _apply(m, r), _apply(m, v)


def _apply(m, x):
    return np.einsum("...ij,...j->...i", m, x)


class _EphemerisTarget(_Target):
    def __init__(self, eph):
        from ..frames import eme2000_to_gcrf_matrix, itrf_to_gcrf

        if eph.frame == "ITRF":
            t = eph.times
            r, v = itrf_to_gcrf(t, eph.r_m, eph.v_mps)
            eph = eph.with_states(r, v, "GCRF")
        self.eph = eph
        self.name = eph.name
        self._const = None
        if eph.frame == "GCRF":
            self._const = np.eye(3)
        elif eph.frame == "EME2000":
            self._const = eme2000_to_gcrf_matrix()

    def _off(self, ref):
        return float(seconds_between(self.eph.epoch, ref))

    def span_s(self, ref):
        off = self._off(ref)
        return float(self.eph.t_s[0] - off), float(self.eph.t_s[-1] - off)

    def span_text(self) -> str:
        return f"{iso_utc(self.eph.start, 0)} to {iso_utc(self.eph.stop, 0)}"

    def rv_native(self, ref, s):
        s = np.asarray(s, dtype=float)
        r, v = self.eph.interpolate(s.reshape(-1) + self._off(ref))
        return r.reshape(s.shape + (3,)), v.reshape(s.shape + (3,))

    def to_gcrf(self, ref, s):
        if self._const is not None:
            return self._const
        from ..frames import teme_to_gcrf_matrix

        return teme_to_gcrf_matrix(add_seconds(ref, np.atleast_1d(s)))


class _SGP4Target(_Target):
    def __init__(self, elements):
        self.el = elements
        self.satrec = elements.satrec
        name = getattr(elements, "name", None)
        self.name = name or f"object {elements.catalog_number}"

    def span_text(self) -> str:
        return f"any time (SGP4 from the element set of {iso_utc(self.el.epoch, 0)})"

    def rv_native(self, ref, s):
        from sgp4.api import SGP4_ERRORS, jday

        from ..errors import PropagationError

        s = np.asarray(s, dtype=float)
        t = add_seconds(ref, s.reshape(-1))
        y, mo, d, h, mi, sec = t.utc
        jd, fr = jday(np.asarray(y, float), np.asarray(mo, float), np.asarray(d, float),
                      np.asarray(h, float), np.asarray(mi, float), np.asarray(sec, float))
        e, r, v = self.satrec.sgp4_array(np.atleast_1d(jd), np.atleast_1d(fr))
        if np.any(e):
            k = int(np.nonzero(e)[0][0])
            raise PropagationError(
                f"SGP4 failed for {self.name} at {iso_utc(t[k])} (error {int(e[k])}: "
                f"{SGP4_ERRORS.get(int(e[k]), 'unknown')}); use a fresher TLE/OMM for that date")
        return (np.asarray(r) * 1000.0).reshape(s.shape + (3,)), (np.asarray(v) * 1000.0).reshape(s.shape + (3,))

    def to_gcrf(self, ref, s):
        from ..frames import teme_to_gcrf_matrix

        return teme_to_gcrf_matrix(add_seconds(ref, np.atleast_1d(s)))


def as_target(obj) -> _Target:
    """Wrap an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`, a TLE/OMM object (anything with
    an sgp4 ``satrec``) or a list of them (the first is used) as a window-search target."""
    if isinstance(obj, _Target):
        return obj
    if isinstance(obj, (list, tuple)):
        if not obj:
            raise InputError("empty list of element sets; give at least one TLE/OMM")
        obj = obj[0]
    if hasattr(obj, "satrec"):
        return _SGP4Target(obj)
    if hasattr(obj, "interpolate") and hasattr(obj, "t_s"):
        return _EphemerisTarget(obj)
    if hasattr(obj, "ephemeris") and hasattr(obj, "segments"):   # a parsed OEM
        return _EphemerisTarget(obj.ephemeris("EME2000") if all(
            s.frame == "EME2000" for s in obj.segments) else obj.ephemeris("GCRF"))
    raise InputError(
        f"cannot use a {type(obj).__name__} as a target; give an Ephemeris (e.g. "
        "load_oem(path).ephemeris()), a TLE/OMM from gyrfalcon.orbits.tle, or a list of them")


def _pad(pad):
    if isinstance(pad, str):
        from .sites import load_sites

        return load_sites().get(pad)
    return pad


# --------------------------------------------------------------------------------------
# geometry helpers (vectorised, GCRF)
# --------------------------------------------------------------------------------------
def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _rotate(v, axis, angle):
    """Rodrigues rotation of vectors ``v`` about unit ``axis`` by ``angle`` (broadcast)."""
    angle = np.asarray(angle, dtype=float)[..., None]
    return (v * np.cos(angle) + np.cross(axis, v) * np.sin(angle)
            + axis * np.sum(axis * v, axis=-1, keepdims=True) * (1.0 - np.cos(angle)))


def _pad_state(pad_itrf, ref, s):
    """Pad GCRF positions and Earth-rotation-pole directions (GCRF) at ``ref + s``."""
    from ..frames import itrf_to_gcrf_matrix

    m = itrf_to_gcrf_matrix(add_seconds(ref, np.atleast_1d(s)))
    return _apply(m, pad_itrf), m[..., :, 2], m


def _crossing(n, pad_itrf, ref, s0, mode="nearest", iterations=3, bounds=None):
    """Times (TT s from ``ref``) where the pad crosses the fixed planes ``n`` (N, 3) from +n to -n.

    Closed form for the pad turning about the ITRF z axis at the sidereal rate from the
    exact rotation at the current estimate; refined ``iterations`` times. ``mode='next'``
    takes the first crossing after ``s0``, ``'nearest'`` the closest one. ``n`` may be a
    callable ``n(s)`` (a moving plane, re-evaluated each pass).
    """
    from ..frames import itrf_to_gcrf_matrix

    s = np.array(s0, dtype=float, copy=True)
    s_m = m_k = None
    for k in range(iterations):
        if bounds is not None:
            s = np.clip(s, bounds[0], bounds[1])
        nn = n(s) if callable(n) else n
        if k in (0, iterations - 1) or m_k is None:
            m = m_k = itrf_to_gcrf_matrix(add_seconds(ref, s))
            s_m = s.copy()
        else:   # the exact rotation of the last evaluation, turned by the sidereal rate
            ang = EARTH_ROTATION_RATE_RAD_S * (s - s_m)
            c, sn = np.cos(ang), np.sin(ang)
            rz = np.zeros((len(s), 3, 3))
            rz[:, 0, 0] = rz[:, 1, 1] = c
            rz[:, 0, 1], rz[:, 1, 0] = -sn, sn
            rz[:, 2, 2] = 1.0
            m = m_k @ rz
        mi = np.einsum("nij,ni->nj", m, nn)          # normal in the ITRF of time s
        px, py, pz = pad_itrf
        a = mi[:, 0] * px + mi[:, 1] * py
        b = mi[:, 1] * px - mi[:, 0] * py
        c = mi[:, 2] * pz
        rr = np.hypot(a, b)
        if np.any(np.abs(c) >= rr):
            raise _NoCrossing()
        theta = np.arctan2(b, a) + np.arccos(np.clip(-c / rr, -1.0, 1.0))
        if mode == "next" and k == 0:
            theta = np.mod(theta, 2 * np.pi)
        else:
            theta = np.mod(theta + np.pi, 2 * np.pi) - np.pi
        s = s + theta / EARTH_ROTATION_RATE_RAD_S
    return s


class _NoCrossing(Exception):
    pass


def _osculating_normal(target, ref):
    def n(s):
        r, v = target.rv_gcrf(ref, s)
        return _unit(np.cross(r, v))
    return n


def _mean_plane(target, ref, s, pole):
    """Mean orbit normal (GCRF), mean radius and inclination at ``ref + s`` (arrays (N,)).

    ``r x v`` averaged over one osculating period (24 samples centred on ``s``, moved inside
    the target's span if needed and rotated back by the secular node rate).
    """
    s = np.atleast_1d(np.asarray(s, dtype=float))
    r0, v0 = target.rv_native(ref, s)
    rn = np.linalg.norm(r0, axis=-1)
    energy = 0.5 * np.sum(v0 * v0, axis=-1) - MU_EARTH_M3_S2 / rn
    a = -MU_EARTH_M3_S2 / (2.0 * energy)
    period = 2 * np.pi * np.sqrt(a ** 3 / MU_EARTH_M3_S2)
    lo, hi = target.span_s(ref)
    c = np.clip(s, lo + 0.5 * period + 1.0, hi - 0.5 * period - 1.0)
    c = np.where(hi - lo < period + 2.0, s, c)
    frac = (np.arange(_AVG_SAMPLES) + 0.5) / _AVG_SAMPLES - 0.5
    grid = c[:, None] + period[:, None] * frac[None, :]
    r, v = target.rv_native(ref, grid)
    h = _unit(np.cross(r, v)).mean(axis=1)
    m = target.to_gcrf(ref, c)
    nbar = _unit(_apply(m, h))
    rbar = np.linalg.norm(r, axis=-1).mean(axis=1)
    inc = np.arccos(np.clip(np.sum(nbar * pole, axis=-1), -1.0, 1.0))
    nmot = np.sqrt(MU_EARTH_M3_S2 / rbar ** 3)
    node_rate = -1.5 * nmot * J2_EGM2008 * (EGM2008_A_M / rbar) ** 2 * np.cos(inc)
    nbar = _unit(_rotate(nbar, pole, node_rate * (s - c)))
    return nbar, rbar, inc


def _arglat(r, n, pole):
    """Argument of latitude of positions ``r`` in planes ``n`` from the node on the equator of ``pole``."""
    node = _unit(np.cross(pole, n))
    rh = _unit(r)
    return np.arctan2(np.sum(np.cross(node, rh) * n, axis=-1), np.sum(node * rh, axis=-1))


# --------------------------------------------------------------------------------------
# the window computation
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Solution:
    s_inplane: np.ndarray
    s_launch: np.ndarray
    s_cross: np.ndarray
    s_ins: np.ndarray
    azimuth: np.ndarray
    phase: np.ndarray
    catch_up: np.ndarray
    inside: np.ndarray
    raan_offset: np.ndarray
    meta: dict = field(default_factory=dict)


def _vehicle_sp(inc, u, p_m):
    k = J2_EGM2008 * (EGM2008_A_M / p_m) ** 2
    return 0.375 * k * np.sin(2 * inc) * np.cos(2 * u), 0.75 * k * np.cos(inc) * np.sin(2 * u)


def _insertion_phase(target, ref, s_launch, pad_obj, *, vehicle="soyuz-2.1a", perigee_alt_m=200e3,
                     apogee_alt_m=242e3):
    """Phase at insertion [rad, in [0, 2 pi)] for liftoffs at ``ref + s_launch`` (TT s, array).

    The one definition every part of Gyrfalcon uses (window search, ``rendezvous``'s scheme
    choice, the refusal hints): the parametric insertion into the station's osculating plane at
    liftoff, and the angle the station is ahead of that point at the insertion instant, about the
    station's osculating orbit normal then, the point projected into that plane (positive = station
    ahead). The scheme's J2-biased launch plane is *not* used here, so the phase of a liftoff does
    not depend on the scheme asked for.
    """
    from .insertion import parametric_insertion

    s_launch = np.atleast_1d(np.asarray(s_launch, dtype=float))
    r0, v0 = target.rv_gcrf(ref, s_launch)
    ins = parametric_insertion(pad_obj.lat_rad, pad_obj.lon_rad, pad_obj.alt_m, add_seconds(ref, s_launch),
                               _unit(np.cross(r0, v0)), perigee_alt_m=perigee_alt_m, apogee_alt_m=apogee_alt_m,
                               vehicle=vehicle)
    r_t, v_t = target.rv_gcrf(ref, s_launch + float(ins.met_s))
    h = _unit(np.cross(r_t, v_t))
    r_c = np.atleast_2d(ins.r_gcrf_m)
    r_cp = r_c - np.sum(r_c * h, axis=-1, keepdims=True) * h
    ang = np.arctan2(np.sum(np.cross(r_cp, r_t) * h, axis=-1), np.sum(r_cp * r_t, axis=-1))
    return np.mod(ang, 2 * np.pi)


def phase_at_insertion_rad(station, pad, liftoff, *, vehicle: str = "soyuz-2.1a", perigee_alt_m: float = 200e3,
                           apogee_alt_m: float = 242e3) -> float:
    """Phase at insertion [rad, in [0, 2 pi)] of a liftoff at ``liftoff`` from ``pad`` (a Pad or its id).

    ``station``: an Ephemeris, a parsed OEM or a TLE/OMM (see :func:`as_target`). The definition
    (:func:`_insertion_phase`) is the one the window search classifies its windows with, so a
    window's liftoff flown by ``rendezvous`` gets the window's phase and scheme.
    """
    tgt = as_target(station)
    return float(_insertion_phase(tgt, parse_utc(liftoff), np.array([0.0]), _pad(pad), vehicle=vehicle,
                                  perigee_alt_m=perigee_alt_m, apogee_alt_m=apogee_alt_m)[0])


def _required_plane(target, ref, s_launch, s_ins, pad_obj, pad_itrf, scheme, catch_up_fixed,
                    vehicle, perigee_alt_m, apogee_alt_m):
    """Required insertion normal, phase, catch-up, azimuth for liftoffs at ``ref + s_launch``."""
    from .insertion import parametric_insertion

    _, pole, _ = _pad_state(pad_itrf, ref, s_ins)
    nbar, rbar, inc = _mean_plane(target, ref, s_ins, pole)
    ins = parametric_insertion(pad_obj.lat_rad, pad_obj.lon_rad, pad_obj.alt_m, add_seconds(ref, s_launch),
                               nbar, perigee_alt_m=perigee_alt_m, apogee_alt_m=apogee_alt_m, vehicle=vehicle)
    r_v = np.atleast_2d(ins.r_gcrf_m)
    phase = _insertion_phase(target, ref, s_launch, pad_obj, vehicle=vehicle, perigee_alt_m=perigee_alt_m,
                             apogee_alt_m=apogee_alt_m)
    if catch_up_fixed is None:
        catch_up, inside = scheme.catch_up_rad(phase)
    else:
        catch_up = np.broadcast_to(np.asarray(catch_up_fixed, dtype=float), phase.shape)
        inside = np.ones(phase.shape, dtype=bool)
    # differential nodal regression over the catch-up (node moved east for a prograde orbit)
    raan_off = 3.5 * J2_EGM2008 * (EGM2008_A_M / rbar) ** 2 * np.cos(inc) * catch_up
    n_req = _unit(_rotate(nbar, pole, raan_off))
    # the spacecraft's own J2 short-period terms at its insertion point
    rp = WGS84_A_M + perigee_alt_m
    ra = WGS84_A_M + apogee_alt_m
    p_v = 2 * rp * ra / (rp + ra)
    u_ins = _arglat(r_v, n_req, pole)
    d_i, d_node = _vehicle_sp(inc, u_ins, p_v)
    node_dir = _unit(np.cross(pole, n_req))
    n_req = _unit(_rotate(_rotate(n_req, node_dir, d_i), pole, d_node))
    # inertial azimuth of the required plane's track at the pad's (geocentric) latitude
    r_pad, pole0, _ = _pad_state(pad_itrf, ref, s_launch)
    sin_lat = np.sum(_unit(r_pad) * pole0, axis=-1)
    cos_i = np.sum(n_req * pole0, axis=-1)
    azimuth = np.arcsin(np.clip(cos_i / np.sqrt(1.0 - sin_lat ** 2), -1.0, 1.0))
    return n_req, phase, catch_up, inside, raan_off, azimuth, float(ins.met_s)


def _solve(target, ref, s_inplane, pad_obj, scheme, *, lead_s, vehicle, perigee_alt_m, apogee_alt_m,
           liftoff_s=None, catch_up_fixed=None, iterations=3):
    """Launch solution for the windows whose osculating in-plane times are ``s_inplane``.

    With ``liftoff_s`` (actual liftoffs) the required plane is evaluated for those liftoffs
    and ``s_cross`` is where the pad crosses it: the implied plane lead is ``s_cross - liftoff_s``.
    """
    from .vehicles import load_vehicle

    pad_itrf = np.asarray(pad_obj.itrf_position_m(), dtype=float)
    met = float(load_vehicle(vehicle).insertion_model["met_s"])
    s_x = np.array(s_inplane, dtype=float)
    s_launch = s_x - lead_s if liftoff_s is None else np.asarray(liftoff_s, dtype=float)
    for _ in range(iterations if liftoff_s is None else 1):
        s_ins = s_launch + met
        n_req, phase, catch_up, inside, raan_off, az, met = _required_plane(
            target, ref, s_launch, s_ins, pad_obj, pad_itrf, scheme, catch_up_fixed, vehicle,
            perigee_alt_m, apogee_alt_m)
        s_x = _crossing(n_req, pad_itrf, ref, s_x, mode="nearest", iterations=2)
        if liftoff_s is None:
            s_launch = s_x - lead_s
    return _Solution(np.asarray(s_inplane, dtype=float), s_launch, s_x, s_launch + met, az, phase,
                     catch_up, inside, raan_off)


def _inplane_times(target, ref, pad_itrf, s_lo, s_hi):
    """Osculating in-plane times (TT s from ``ref``) of the ascending pass in [s_lo, s_hi)."""
    lo, hi = target.span_s(ref)
    a0 = max(lo, s_lo - 0.6 * SECONDS_PER_SOLAR_DAY)
    a1 = min(hi, s_hi + 0.6 * SECONDS_PER_SOLAR_DAY)
    if a1 < a0:
        return np.array([])
    anchors = np.arange(a0, a1, 0.5 * SECONDS_PER_SOLAR_DAY)
    if len(anchors) == 0:
        anchors = np.array([a0])
    bounds = (lo, hi)
    nfun = _osculating_normal(target, ref)
    s = _crossing(nfun, pad_itrf, ref, anchors, mode="next", iterations=1, bounds=bounds)
    s = _crossing(nfun, pad_itrf, ref, s, mode="nearest", iterations=4, bounds=bounds)
    s = np.clip(s, lo, hi)
    # keep true crossings only (a clipped estimate at the span's edge is not one)
    r_pad, _, _ = _pad_state(pad_itrf, ref, s)
    resid = np.abs(np.sum(nfun(s) * r_pad, axis=-1))
    s = s[(resid < 10.0) & (s >= max(s_lo, lo)) & (s < min(s_hi, hi))]
    s = np.sort(s)
    if len(s) > 1:
        keep = np.concatenate([[True], np.diff(s) > 3600.0])
        s = s[keep]
    return s


def _check_reachable(target, ref, s, pad_obj):
    """Raise UnreachableOrbitError when the target's inclination cannot be reached on the ascending pass."""
    r, v = target.rv_gcrf(ref, np.atleast_1d(s))
    _, pole, _ = _pad_state(np.asarray(pad_obj.itrf_position_m(), dtype=float), ref, np.atleast_1d(s))
    n = _unit(np.cross(r, v))
    inc = float(np.arccos(np.clip(np.sum(n * pole, axis=-1), -1, 1))[0])
    pad_obj.check_reachable(inc, ascending=True)
    return inc


def _range(target, start, days):
    ref = parse_utc(start)
    days = float(days)
    if not days > 0:
        raise InputError(f"days must be positive, got {days:g}; e.g. days=3 for three daily windows")
    lo, hi = target.span_s(ref)
    s_hi = days * SECONDS_PER_SOLAR_DAY
    if lo > 1e-6 or hi < s_hi - 1e-6:
        hint = ""
        if np.isfinite(lo) and np.isfinite(hi):
            first = add_seconds(ref, lo + 0.5 * SECONDS_PER_SOLAR_DAY)
            first = parse_utc(iso_utc(first, 0)[:10])
            n_days = math.floor(float(seconds_between(first, add_seconds(ref, hi))) / SECONDS_PER_SOLAR_DAY)
            if n_days >= 1:
                hint = f" (e.g. from {iso_utc(first, 0)[:10]} for up to {n_days} days)"
        raise EphemerisRangeError(
            f"{target.name} ephemeris covers {target.span_text()}; the range {iso_utc(ref, 0)} + "
            f"{days:g} d is not inside it. Choose dates within that span{hint} "
            "or give an ephemeris/TLE that covers the dates")
    return ref, s_hi


def find_windows(target, pad, scheme, start, days=1, *, vehicle: str = "soyuz-2.1a",
                 spacecraft: str = "soyuz-ms", perigee_alt_m: float = 200e3, apogee_alt_m: float = 242e3,
                 lead_s: float | None = None) -> list:
    """Launch windows (one per ascending pass, about daily) from ``start`` for ``days`` days.

    ``target``: an Ephemeris, a parsed OEM, a TLE/OMM (or list); ``pad``: a
    :class:`~gyrfalcon.launch.sites.Pad` or its id; ``scheme``: a name in ``schemes.toml``;
    ``start``: anything :func:`~gyrfalcon.time.parse_utc` reads. Windows whose liftoff falls in
    ``[start, start + days)`` are returned, sorted, infeasible ones included (see ``reason``).

    Raises :class:`~gyrfalcon.errors.EphemerisRangeError` when the range is not inside the
    target's span, :class:`~gyrfalcon.launch.sites.UnreachableOrbitError` when the pad cannot
    reach the target's plane on an ascending pass.
    """
    tgt = as_target(target)
    pad_obj = _pad(pad)
    sch = get_scheme(scheme)
    lead = plane_lead_s(vehicle, spacecraft) if lead_s is None else float(lead_s)
    ref, s_hi = _range(tgt, start, days)
    lo, hi = tgt.span_s(ref)
    _check_reachable(tgt, ref, max(lo, 0.0) if np.isfinite(lo) else 0.0, pad_obj)
    pad_itrf = np.asarray(pad_obj.itrf_position_m(), dtype=float)
    # search a little wider: the liftoff precedes the in-plane time by minutes
    margin = 1800.0
    try:
        s_in = _inplane_times(tgt, ref, pad_itrf, -margin, s_hi + margin)
    except _NoCrossing:
        from .sites import UnreachableOrbitError

        raise UnreachableOrbitError(
            f"the pad {pad_obj.label} never passes through the plane of {tgt.name}: its inclination "
            "is below the pad's latitude; choose a pad at a lower latitude") from None
    s_in = s_in[(s_in - 900.0 >= lo) & (s_in + 900.0 <= hi)]
    if len(s_in) == 0:
        return []
    # keep windows whose insertion (and mean-plane averaging) stays inside the span
    sol = _solve(tgt, ref, s_in, pad_obj, sch, lead_s=lead, vehicle=vehicle,
                 perigee_alt_m=perigee_alt_m, apogee_alt_m=apogee_alt_m)
    kw = dict(lead_s=lead, vehicle=vehicle, perigee_alt_m=perigee_alt_m, apogee_alt_m=apogee_alt_m)
    near = (sol.s_launch > -MAX_SLIP_S) & (sol.s_launch < s_hi + MAX_SLIP_S)
    # the phase's rate with the liftoff, for the windows whose phase is outside the range (one call)
    rate = np.zeros(len(sol.s_launch))
    todo = np.nonzero(near & ~sol.inside)[0]
    if len(todo):
        ph1 = _insertion_phase(tgt, ref, sol.s_launch[todo] + 10.0, pad_obj, vehicle=vehicle,
                               perigee_alt_m=perigee_alt_m, apogee_alt_m=apogee_alt_m)
        rate[todo] = np.remainder(ph1 - sol.phase[todo] + np.pi, 2 * np.pi) - np.pi
        rate /= 10.0
    out = []
    for i in np.nonzero(near)[0]:
        slipped = None if sol.inside[i] else _slip_into_range(tgt, ref, sol, i, sch, pad_obj, rate[i], **kw)
        s_go = float(sol.s_launch[i] if slipped is None else slipped.s_launch[0])
        s_end = float(sol.s_ins[i] if slipped is None else slipped.s_ins[0])
        if 0.0 <= s_go < s_hi and s_end <= hi:
            out.append(_window(tgt, ref, sol, i, sch, pad_obj, lead) if slipped is None else
                       _window(tgt, ref, slipped, 0, sch, pad_obj, lead, inplane_phase=float(sol.phase[i])))
    return out


MAX_SLIP_S = 300.0
"""Largest liftoff slip from a scheme's in-plane liftoff that a window may use [s] (either way).

The phase at insertion moves about 3.7 deg per minute of liftoff (the station flies 3.9 deg/min,
the pad's projection 0.2). When the phase at the in-plane liftoff is just outside a scheme's range
the window moves its liftoff the least that brings it inside, as ``rendezvous`` does for a liftoff
given by hand (it flies whatever liftoff into the station's plane and classifies it by the phase).
The bound is the span over which the parametric insertion is checked against the 3-DOF ascent
(tests/launch/test_insertion.py: 5 min early to 10 min late); the pad is then up to 0.4 deg
out of the plane at liftoff, which the yaw steering removes at a propellant cost the parametric
insertion does not charge. ``LaunchWindow.slip_s`` reports the slip."""

_SLIP_MARGIN_RAD = math.radians(0.2)
"""How far inside the range a slipped liftoff puts the phase (about 3 s of liftoff), so that the
liftoff rounded to the second still fits."""


def _slip_into_range(tgt, ref, sol, i, sch, pad_obj, rate, *, lead_s, vehicle, perigee_alt_m, apogee_alt_m):
    """The solution of window ``i`` moved to the nearest liftoff whose phase is inside ``sch``'s range.

    ``None`` when that needs more than :data:`MAX_SLIP_S`. The phase is :func:`_insertion_phase`'s
    (near-linear in the liftoff: two Newton steps on the measured rate); the launch plane is then the
    scheme's required plane for the new catch-up, whose in-plane liftoff the slip is counted from.
    """
    kw = dict(vehicle=vehicle, perigee_alt_m=perigee_alt_m, apogee_alt_m=apogee_alt_m)
    s0 = float(sol.s_launch[i])
    ph = [float(sol.phase[i])]               # the phase at the in-plane liftoff; rate [rad/s] with the liftoff
    rate = float(rate)
    if not rate > 0.0:
        return None
    lo, hi = sch.phase_min_rad + _SLIP_MARGIN_RAD, sch.phase_max_rad - _SLIP_MARGIN_RAD
    if hi < lo:
        return None
    best = None
    for k in range(-2, 4):                      # the phase unwrapped by whole turns
        a = (lo - 2 * math.pi * k - float(ph[0])) / rate
        b = (hi - 2 * math.pi * k - float(ph[0])) / rate
        dt = a if a > 0 else (b if b < 0 else 0.0)
        goal = lo if a > 0 else hi
        if best is None or abs(dt) < abs(best[0]):
            best = (dt, goal - 2 * math.pi * k)
    dt, goal = best
    # a first cut on the slip from this plane's in-plane liftoff (the plane flown, biased for the
    # new catch-up, can cross the pad minutes away): the bound is checked on the true slip below
    if abs(dt) > 2.0 * MAX_SLIP_S:
        return None
    for _ in range(3):                          # Newton steps on the near-linear phase
        phase = _insertion_phase(tgt, ref, np.array([s0 + dt]), pad_obj, **kw)
        catch_up, inside = sch.catch_up_rad(phase)
        err = math.remainder(goal - float(phase[0]), 2 * math.pi)
        if bool(inside[0]) and abs(err) < 0.5 * _SLIP_MARGIN_RAD:
            break
        dt += err / rate
    if not bool(inside[0]):
        return None
    # the scheme's launch plane for that catch-up, flown from the slipped liftoff; the slip is
    # counted from the window's in-plane liftoff
    fixed = _solve(tgt, ref, sol.s_inplane[i:i + 1], pad_obj, sch, lead_s=lead_s, catch_up_fixed=catch_up,
                   liftoff_s=np.array([s0 + dt]), **kw)
    # the in-plane liftoff of the plane flown: the model's plane lead before the pad crosses it;
    # the slip is the liftoff minus it (so liftoff - in-plane liftoff == slip_s exactly)
    s_inplane_launch = float(fixed.s_cross[0]) - float(lead_s)
    if abs(float(fixed.s_launch[0]) - s_inplane_launch) > MAX_SLIP_S:
        return None
    ph_inplane = float(_insertion_phase(tgt, ref, np.array([s_inplane_launch]), pad_obj, **kw)[0])
    _, in_range = sch.catch_up_rad(np.array([ph_inplane]))
    return _Solution(fixed.s_inplane, fixed.s_launch, fixed.s_cross, fixed.s_ins, fixed.azimuth, phase,
                     catch_up, inside, fixed.raan_offset,
                     {"slip_s": float(fixed.s_launch[0]) - s_inplane_launch, "inplane_phase": ph_inplane,
                      "inplane_inside": bool(np.atleast_1d(in_range)[0])})


PAD_NEEDED_BEFORE_LIFTOFF_S = 3600.0
"""How long before liftoff the pad must be available (service cabin locked at L-1 h, domain.md 7.1)."""


def slip_note(slip_s: float, inplane_launch_utc, inplane_phase_rad: float, outside: bool = True) -> str:
    """How a slipped window's liftoff was moved, in words: ``liftoff moved +52 s from the in-plane
    liftoff 05:47:15.5 (phase there 17.6 deg, outside the range); yaw steering not charged``."""
    return (f"liftoff moved {slip_s:+.0f} s from the in-plane liftoff {iso_utc(inplane_launch_utc, 1)[11:-1]} "
            f"(phase there {math.degrees(inplane_phase_rad):.1f} deg{', outside the range' if outside else ''}); "
            "yaw steering not charged")


def _window(tgt, ref, sol, i, sch, pad_obj, lead, inplane_phase=None) -> LaunchWindow:
    t_launch = add_seconds(ref, float(sol.s_launch[i]))
    phase = float(sol.phase[i])
    ph_deg = math.degrees(phase)
    ok = bool(sol.inside[i])
    slip = float(sol.meta.get("slip_s", 0.0))
    if ok:
        reason = f"phase {ph_deg:.1f} deg (catch-up {math.degrees(float(sol.catch_up[i])):.1f} deg) inside the {sch.describe()}"
        if inplane_phase is not None:
            ph0 = float(sol.meta.get("inplane_phase", inplane_phase))
            reason += "; " + slip_note(slip, add_seconds(t_launch, -slip), ph0,
                                       not sol.meta.get("inplane_inside", False))
    else:
        fits = schemes_fitting(phase)
        reason = (f"phase {ph_deg:.1f} deg outside the {sch.describe()} "
                  f"({'fits ' + fits[0] if fits else 'no scheme fits it'})")
    # the pad must be available for the terminal count (from L-1 h, when the service cabin is
    # locked away), so a damage caused by this very launch (at T+10 s) does not veto it
    t_pad = add_seconds(t_launch, -PAD_NEEDED_BEFORE_LIFTOFF_S)
    status = pad_obj.status_at(t_pad)
    if not status.available:
        ok = False
        reason += f"; pad {pad_obj.id} is {status.status} ({status.reason}), {pad_obj.repair_text(t_pad)}"
    return LaunchWindow(
        launch_utc=t_launch,
        inplane_utc=add_seconds(ref, float(sol.s_inplane[i])),
        insertion_utc=add_seconds(ref, float(sol.s_ins[i])),
        azimuth_rad=float(np.atleast_1d(sol.azimuth)[i]),
        phase_at_insertion_rad=phase,
        catch_up_rad=float(sol.catch_up[i]),
        scheme=sch.name,
        feasible=ok,
        reason=reason,
        plane_lead_s=float(lead),      # the model's constant; a slipped liftoff is slip_s off it
        raan_offset_rad=float(sol.raan_offset[i]),
        pad_id=pad_obj.id,
        target=tgt.name,
        slip_s=slip,
        pad_available=bool(status.available),
    )


def next_feasible_window(target, pad, scheme, start, days=None, **kwargs) -> LaunchWindow:
    """The first feasible window at or after ``start``.

    Searches ``days`` days (default: to the end of the target's ephemeris, or 60 days for a
    TLE/OMM). Raises :class:`NoFeasibleWindowError` saying when the next feasible window is
    (searched on to the end of the ephemeris) or that the ephemeris ends first.
    """
    if days is not None and not float(days) > 0:
        raise InputError(f"days must be positive, got {float(days):g}; e.g. days=3 to search three days")
    tgt = as_target(target)
    ref = parse_utc(start)
    lo, hi = tgt.span_s(ref)
    limit = (hi / SECONDS_PER_SOLAR_DAY if np.isfinite(hi) else 60.0)
    span = limit if days is None else min(float(days), limit)
    if span <= 0:
        raise EphemerisRangeError(
            f"{tgt.name} ephemeris covers {tgt.span_text()}; {iso_utc(ref, 0)} is not before its end. "
            "Give an earlier date or an ephemeris/TLE that covers it")
    wins = find_windows(tgt, pad, scheme, ref, span, **kwargs)
    for w in wins:
        if w.feasible:
            return w
    sch = get_scheme(scheme)
    end = add_seconds(ref, span * SECONDS_PER_SOLAR_DAY)
    n_phase = sum(1 for w in wins if refused_for_phase(w))
    n_pad = sum(1 for w in wins if not w.pad_available)
    pad_why = next((w.reason.split("; pad ", 1)[1] for w in wins if not w.pad_available), "")
    msg = (f"no feasible {sch.name} window from {_pad(pad).id} between {iso_utc(ref, 0)} and "
           f"{iso_utc(end, 0)}: of {len(wins)} windows, {n_phase} refused for the phase (outside the "
           f"{sch.describe()}), {n_pad} for the pad" + (f" (pad {pad_why})" if pad_why else ""))
    nxt = instead = None
    rest = limit - span
    pad_obj = _pad(pad)
    gone = out_for_good(pad_obj, end)
    if rest > 0.05 and not gone:
        later = find_windows(tgt, pad, scheme, end, rest, **kwargs)
        nxt = next((w for w in later if w.feasible), None)
    if gone:         # retired (or out of service with no return recorded): more days cannot help
        instead = pads_in_service_instead(tgt, pad_obj, sch, ref, span, **kwargs)
    elif nxt is not None:
        msg += f"; the next one is {iso_utc(nxt.launch_utc, 0)} (phase {math.degrees(nxt.phase_at_insertion_rad):.1f} deg)"
    elif np.isfinite(hi):
        msg += f"; none before the {tgt.name} ephemeris ends ({iso_utc(add_seconds(ref, hi), 0)}): " + _after_data_hint(
            pad_obj, add_seconds(ref, hi))
    else:
        msg += "; none in the 60 days searched"
    raise NoFeasibleWindowError(msg, nxt, wins, instead)


def _after_data_hint(pad, data_end) -> str:
    """What to search next when no window is feasible before the station data end: from the pad's
    return to service where it is out of service until after ``data_end`` (more days of the same
    data cannot help), else more days with a station that covers them."""
    back = None if pad.status_at(data_end).available else pad.next_available(data_end)
    if back is None:
        return "search more days, with a station that covers them"
    return (f"the pad returns to service after that ({iso_utc(back, 0)[:10]}): search from its return, "
            "with a station that covers it")


def out_for_good(pad, t) -> bool:
    """Whether ``pad`` (a Pad or its id) is out of service at ``t`` with no return to service
    recorded (Site 1/5, retired in 2019): no later day helps. A what-if copy
    (:func:`gyrfalcon.traffic.flight_rules.pad_as_operational`) is in service.

    >>> out_for_good("baikonur-1", "2025-11-26"), out_for_good("baikonur-31", "2025-12-01")
    (True, False)
    """
    pad_obj = _pad(pad)
    return not pad_obj.status_at(t).available and pad_obj.next_available(t) is None


def pads_in_service_instead(target, pad, scheme, start, days, **kwargs) -> "PadsInService":
    """What to say of a search refused because ``pad`` is out of service with no return recorded
    (Site 1/5, retired in 2019): the pads in service at ``start`` that launch the spacecraft
    (:func:`pads_in_service`), each with its first feasible window of the same span (None: none)."""
    pad_obj, sch = _pad(pad), get_scheme(scheme)
    spacecraft = kwargs.get("spacecraft", "soyuz-ms")
    kw = {k: v for k, v in kwargs.items() if k != "vehicle"}
    firsts = []
    for other, launcher in pads_in_service(pad_obj, start, spacecraft, target)[:3]:
        try:
            wins = find_windows(target, other, sch, start, days, vehicle=launcher, **kw)
        except GyrfalconError:
            continue
        firsts.append((other.id, launcher, ((sch.name, next((w for w in wins if w.feasible), None)),)))
    return PadsInService(iso_utc(parse_utc(start), 0)[:10], spacecraft, tuple(firsts))


@dataclass(frozen=True)
class PadsInService:
    """The clause of a search from a pad out of service for good (:func:`pads_in_service_instead`):
    ``day`` (ISO date), ``spacecraft``, and ``firsts``: per pad in service ``(pad id, launcher id,
    ((scheme, first feasible LaunchWindow or None), ...))``."""

    day: str
    spacecraft: str
    firsts: tuple

    def text(self) -> str:
        """``more days will not help; pads in service on <day> that launch <spacecraft>: pad
        baikonur-31 (Soyuz-2.1a; its first two-orbit window <liftoff>)``: each pad's earliest
        window of any scheme searched."""
        named = []
        for pad_id, launcher, by_scheme in self.firsts:
            found = [(name, w) for name, w in by_scheme if w is not None]
            if found:
                name, w = min(found, key=lambda x: x[1].launch_utc.tt)
                what = f"its first {name} window {iso_utc(w.launch_utc, 0)}"
            else:
                what = f"no feasible {' or '.join(name for name, _ in by_scheme)} window in this span either"
            named.append(f"pad {pad_id} ({launcher_label(launcher)}; {what})")
        text = "more days will not help"
        if named:
            text += f"; pads in service on {self.day} that launch {self.spacecraft}: " + ", ".join(named)
        return text

    @classmethod
    def merged(cls, many) -> "PadsInService":
        """One clause for the searches of several schemes (``many``, of the same day and spacecraft)."""
        by_pad: dict = {}
        for one in many:
            for pad_id, launcher, by_scheme in one.firsts:
                by_pad[(pad_id, launcher)] = by_pad.get((pad_id, launcher), ()) + tuple(by_scheme)
        return cls(many[0].day, many[0].spacecraft, tuple((p, lv, bs) for (p, lv), bs in by_pad.items()))


def joined_refusals(errors) -> str:
    """The messages of the :class:`NoFeasibleWindowError` s ``errors`` (one per scheme tried) as one
    line, joined by ``"; "``, the pads in service instead of one out of service for good said once,
    at the end (:meth:`PadsInService.merged`)."""
    instead = [e.in_service for e in errors if getattr(e, "in_service", None) is not None]
    msg = "; ".join(getattr(e, "head", str(e)) for e in errors)
    return f"{msg}; {PadsInService.merged(instead).text()}" if instead else msg


def launcher_label(launcher: str) -> str:
    """A launch vehicle's short name as its catalogue writes it (``soyuz-fg`` -> ``Soyuz-FG``)."""
    from .vehicles import _catalogue

    name = str(_catalogue().get("vehicle", {}).get(launcher, {}).get("name", launcher))
    return name.split(" (")[0].split(",")[0]


def pads_in_service(pad, t, spacecraft: str = "soyuz-ms", target=None) -> list:
    """The other pads in service at ``t`` from which ``spacecraft`` can be launched, as
    ``[(Pad, launcher id)]``, the pads of ``pad``'s own site first: the pad launches one of the
    spacecraft's launchers (the station catalogue's ``launch_vehicle`` and ``other_launch_vehicles``)
    whose ascent the window model knows (``[ascent.*]`` of ``schemes.toml``), is crew-rated for a
    crewed spacecraft and, with ``target`` (covering ``t``), reaches its plane on an ascending pass
    (Vostochny, 51.9 deg N, cannot reach the ISS's 51.6 deg).

    >>> [(p.id, lv) for p, lv in pads_in_service("baikonur-1", "2019-12-06", "progress-ms")][:1]
    [('baikonur-31', 'soyuz-2.1a')]
    """
    from ..station.catalog import load_station
    from .sites import load_sites

    pad_obj = _pad(pad)
    craft = norm_id(spacecraft)
    modelled = [str(e.get("vehicle")) for e in _schemes_toml().get("ascent", {}).values()
                if e.get("spacecraft") == craft]
    try:
        vt = load_station("iss").vehicle_type(craft)
        launchers, crewed = [v for v in (vt.launch_vehicle, *vt.other_launch_vehicles) if v in modelled], bool(vt.crewed)
    except GyrfalconError:
        launchers, crewed = modelled, True
    t = parse_utc(t)
    tgt = None if target is None else as_target(target)
    out = []
    for p in load_sites().pads:
        launcher = next((v for v in launchers if p.supports(v)), None)
        if p.id == pad_obj.id or launcher is None or (crewed and not p.crew_rated) or not p.status_at(t).available:
            continue
        if tgt is not None:
            try:
                _check_reachable(tgt, t, 0.0, p)
            except GyrfalconError:
                continue
        out.append((p, launcher))
    return sorted(out, key=lambda x: x[0].site != pad_obj.site)


def find_feasible_windows(target, pad, scheme, start, days=1, **kwargs) -> list:
    """Like :func:`find_windows` but only the feasible windows; raises
    :class:`NoFeasibleWindowError` (naming the next feasible one) when there are none."""
    wins = find_windows(target, pad, scheme, start, days, **kwargs)
    good = [w for w in wins if w.feasible]
    if good:
        return good
    tgt = as_target(target)
    ref = parse_utc(start)
    end = add_seconds(ref, float(days) * SECONDS_PER_SOLAR_DAY)
    pad_obj, why, instead = _pad(pad), "", None
    try:
        if out_for_good(pad_obj, end):
            nxt, instead = None, pads_in_service_instead(tgt, pad_obj, scheme, ref, days, **kwargs)  # no later search
        else:
            nxt = next_feasible_window(tgt, pad, scheme, end, **kwargs)
    except NoFeasibleWindowError as exc:
        nxt, why, instead = None, exc.head.split("; ", 1)[1] if "; " in exc.head else "", exc.in_service
    except EphemerisRangeError:
        nxt, why = None, f"none before the {tgt.name} ephemeris ends"
    sch = get_scheme(scheme)
    msg = (f"no feasible {sch.name} window from {_pad(pad).id} between {iso_utc(ref, 0)} and "
           f"{iso_utc(end, 0)}: " + (_refusals(wins, sch) or "no pass in that span"))
    if nxt is not None:
        msg += (f"; the next one is {iso_utc(nxt.launch_utc, 0)} "
                f"(phase {math.degrees(nxt.phase_at_insertion_rad):.1f} deg)")
    elif why:
        msg += f"; {why}"
    raise NoFeasibleWindowError(msg, nxt, wins, instead)


def schemes_fitting(phase_rad: float) -> list:
    """Names of the schemes whose phase range holds ``phase_rad`` (fastest first)."""
    out = []
    for name, s in load_schemes().items():
        if bool(s.catch_up_rad(phase_rad)[1]):
            out.append(name)
    order = {"two-orbit": 0, "four-orbit": 1, "two-day": 2}
    return sorted(out, key=lambda n: order.get(n, 9))


_LISTED_REFUSALS = 3
"""At most this many refused windows are named in a no-feasible-window message (the rest counted)."""


def refused_for_phase(w) -> bool:
    """The window's phase is outside the scheme's range (not merely a slip note saying that the
    in-plane liftoff's was, as a slipped window inside the range says)."""
    return " deg outside the " in w.reason.split("; ")[0]


def refused_for_pad_only(w) -> bool:
    """The window's phase is inside the scheme's range (:func:`refused_for_phase`) and the pad alone
    refuses it: out of service at the terminal count (``pad_available``)."""
    return not w.pad_available and not refused_for_phase(w)


def phase_note(w) -> str:
    """The short note of a window refused for its phase: "phase (two-day)", naming the fastest
    scheme whose range holds it, or "phase (none)" where no scheme's does."""
    fits = schemes_fitting(w.phase_at_insertion_rad)
    return f"phase ({fits[0] if fits else 'none'})"


def _refusals(wins, sch) -> str:
    """Why the windows are refused, grouped: the phase (each window's phase and the scheme it would
    fit, the first few named) and the pad (said once: its status is the same for every window of a
    span, or the first window's is given). One line; empty when there are no windows."""
    if not wins:
        return ""
    by_phase = [w for w in wins if refused_for_phase(w)]
    by_pad = [w for w in wins if not w.pad_available]
    both = len(by_phase) == len(by_pad) == len(wins)
    n = len(wins)
    head = f"{n} window{'s' if n > 1 else ''} refused"
    if both or not by_pad or not by_phase:
        head += " for the " + ("phase and the pad" if both else "phase" if by_phase else "pad")
    else:
        head += ": " + ", ".join(f"{'all' if len(ws) == n else len(ws)} for the {why}"
                                 for ws, why in ((by_phase, "phase"), (by_pad, "pad")))
    parts = [head]
    if by_phase:
        named = ", ".join(_phase_refusal(w, sch) for w in by_phase[:_LISTED_REFUSALS])
        more = len(by_phase) - _LISTED_REFUSALS
        parts.append(f"phase outside {math.degrees(sch.phase_min_rad):.0f}-{math.degrees(sch.phase_max_rad):.0f} "
                     f"deg at {named}" + (f" and {more} more" if more > 0 else ""))
    if by_pad:
        parts.append("pad " + by_pad[0].reason.split("; pad ", 1)[1].split(" ", 1)[1])
    return "; ".join(parts)


def _phase_refusal(w, sch) -> str:
    """One window refused for its phase: launch time, phase and the schemes that phase would fit."""
    fit = [n for n in schemes_fitting(w.phase_at_insertion_rad) if n != sch.name]
    return (f"{iso_utc(w.launch_utc, 0)} ({math.degrees(w.phase_at_insertion_rad):.1f} deg, "
            f"fits {' or '.join(fit) if fit else 'no scheme'})")


def implied_plane_lead_s(target, pad, scheme, liftoff, *, catch_up_rad=None, vehicle: str = "soyuz-2.1a",
                         spacecraft: str = "soyuz-ms", perigee_alt_m: float = 200e3, apogee_alt_m: float = 242e3) -> dict:
    """What a real liftoff says about the model: its phase, catch-up and implied plane lead.

    For an actual liftoff time, the required insertion plane is built as in
    :func:`find_windows` (catch-up from the phase, or ``catch_up_rad``), and the implied lead
    is the time from liftoff to the pad's crossing of that plane. Used to measure the
    ``plane_lead_s`` of ``schemes.toml`` and to validate the model on real flights.
    Returns a dict: ``plane_lead_s``, ``phase_at_insertion_rad``, ``catch_up_rad``,
    ``inplane_utc`` (osculating), ``launch_minus_inplane_s``.
    """
    tgt = as_target(target)
    pad_obj = _pad(pad)
    sch = get_scheme(scheme)
    t0 = parse_utc(liftoff)
    pad_itrf = np.asarray(pad_obj.itrf_position_m(), dtype=float)
    s_in = _crossing(_osculating_normal(tgt, t0), pad_itrf, t0, np.array([0.0]), mode="nearest", iterations=4)
    sol = _solve(tgt, t0, s_in, pad_obj, sch, lead_s=0.0, vehicle=vehicle, perigee_alt_m=perigee_alt_m,
                 apogee_alt_m=apogee_alt_m, liftoff_s=np.array([0.0]), catch_up_fixed=catch_up_rad)
    return {
        "plane_lead_s": float(sol.s_cross[0]),
        "phase_at_insertion_rad": float(sol.phase[0]),
        "catch_up_rad": float(sol.catch_up[0]),
        "inside_window": bool(sol.inside[0]),
        "inplane_utc": add_seconds(t0, float(s_in[0])),
        "launch_minus_inplane_s": -float(s_in[0]),
    }
