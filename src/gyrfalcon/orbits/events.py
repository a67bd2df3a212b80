"""Exact event detection during propagation: nodes, apsides, altitude, argument of latitude,
range to another trajectory.

Most detectors are **heyoka events**: their event function is an expression of the state
compiled into the Taylor integrator, and heyoka finds its roots on the Taylor polynomial of
every step, so a crossing cannot be missed however long the step, and its time is found to
the integrator's precision. Their runtime values (altitude, argument of latitude) are
parameters, so changing them needs no recompilation.

* :class:`NodeCrossing`: ``r . k = 0`` with ``k`` the **true pole** (the ITRF z axis, i.e.
  the equator of date as in NASA's ISS "ascending node" convention; ``equator="gcrf"`` uses
  the GCRF z axis instead; the two differ by ~0.15 deg in 2025, ~1.5 s for the ISS).
* :class:`Apsis`: ``r . v = 0`` (periapsis when it goes from negative to positive).
* :class:`AltitudeCrossing`: WGS-84 geodetic height ``= altitude_m``.
* :class:`ArgumentOfLatitude`: ``sin(u - u0) = 0`` going up, ``u`` measured in the orbit plane
  from the ascending node on the same equator as :class:`NodeCrossing`.

:class:`RangeToTarget` cannot be a heyoka expression (the target is a table of samples,
an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`). It is found after the integration on
heyoka's dense output (the Taylor polynomials of every step, exact to the tolerance) and
the target's Hermite interpolation: the range function is sampled every ``step_s`` (10 s
by default) and each sign change is refined with :func:`scipy.optimize.brentq` (to 1 us).
Two crossings closer than ``step_s`` apart can be missed, unlike the heyoka events.

>>> from gyrfalcon.time import parse_utc, iso_utc
>>> from gyrfalcon.orbits.state import State
>>> from gyrfalcon.orbits.propagator import Propagator
>>> s0 = State(parse_utc("2025-11-24T12:00Z"), [4594537.643, -518498.052, 4971920.397],
...            [3048.8547, 6705.8943, -2115.9935])
>>> ev = find_events(Propagator("j2"), s0, 6000.0, [NodeCrossing("ascending")])
>>> [(e.name, iso_utc(e.t, 2)) for e in ev]      # NASA's OEM lists 13:04:24.020
[('ascending_node', '2025-11-24T13:04:24.02Z')]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import InputError
from .forces import Builder, _cross, _dot


@dataclass(frozen=True)
class Event:
    """An event found during a propagation.

    ``name`` (e.g. ``ascending_node``, ``periapsis``, ``altitude_100km_down``), ``t``
    (skyfield ``Time``), ``state`` (GCRF :class:`~gyrfalcon.orbits.state.State` at ``t``),
    ``t_s`` (TT seconds after the propagation start), ``value`` (detector-specific: the
    range [m] for :class:`RangeToTarget`).
    """

    name: str
    t: Any
    state: Any
    t_s: float = 0.0
    value: float | None = None


def _which(which, allowed):
    w = str(which).strip().lower()
    if w not in allowed:
        raise InputError(f"unknown choice '{which}'; use one of {', '.join(allowed)}")
    return w


def _equator(eq):
    e = str(eq).strip().lower().replace("-", "_")
    e = {"of_date": "true_of_date", "true": "true_of_date", "tod": "true_of_date", "gcrf_z": "gcrf"}.get(e, e)
    if e not in ("true_of_date", "gcrf"):
        raise InputError(f"unknown equator '{eq}'; use 'true_of_date' (the true pole) or 'gcrf'")
    return e


def _axis(b: Builder, equator):
    return b.pole("true_pole" if equator == "true_of_date" else "gcrf_z")


class _HeyokaDetector:
    dense = False

    def template(self):
        return self

    def param_values(self, i: int) -> dict:
        return {}

    def accepts(self, d_sign: int) -> bool:
        return True


@dataclass(frozen=True)
class NodeCrossing(_HeyokaDetector):
    """Equator crossings: ``which`` = ``both``, ``ascending`` or ``descending``."""

    which: str = "both"
    equator: str = "true_of_date"

    def __post_init__(self):
        object.__setattr__(self, "which", _which(self.which, ("both", "ascending", "descending")))
        object.__setattr__(self, "equator", _equator(self.equator))

    def equation(self, b: Builder, i: int):
        g = _dot(b.r, _axis(b, self.equator))
        return g, {"both": 0, "ascending": 1, "descending": -1}[self.which]

    def label(self, d_sign: int) -> str:
        return "ascending_node" if d_sign > 0 else "descending_node"


@dataclass(frozen=True)
class Apsis(_HeyokaDetector):
    """Apsides (``r . v = 0``): ``which`` = ``both``, ``periapsis`` or ``apoapsis``."""

    which: str = "both"

    def __post_init__(self):
        w = str(self.which).strip().lower()
        w = {"perigee": "periapsis", "apogee": "apoapsis"}.get(w, w)
        object.__setattr__(self, "which", _which(w, ("both", "periapsis", "apoapsis")))

    def equation(self, b: Builder, i: int):
        return _dot(b.r, b.v), {"both": 0, "periapsis": 1, "apoapsis": -1}[self.which]

    def label(self, d_sign: int) -> str:
        return "periapsis" if d_sign > 0 else "apoapsis"


@dataclass(frozen=True)
class AltitudeCrossing(_HeyokaDetector):
    """WGS-84 geodetic height crossing ``altitude_m``: ``direction`` = ``both``, ``up``, ``down``."""

    altitude_m: float
    direction: str = "both"

    def __post_init__(self):
        if not math.isfinite(float(self.altitude_m)):
            raise InputError(f"altitude_m must be a finite height in metres, got {self.altitude_m}")
        object.__setattr__(self, "direction", _which(self.direction, ("both", "up", "down")))

    def template(self):
        return replace(self, altitude_m=0.0)

    def equation(self, b: Builder, i: int):
        g = b.geodetic_height() - b.par(f"ev{i}_altitude_m", 0.0)
        return g, {"both": 0, "up": 1, "down": -1}[self.direction]

    def param_values(self, i: int) -> dict:
        return {f"ev{i}_altitude_m": float(self.altitude_m)}

    def label(self, d_sign: int) -> str:
        return f"altitude_{self.altitude_m / 1e3:g}km_{'up' if d_sign > 0 else 'down'}"


@dataclass(frozen=True)
class ArgumentOfLatitude(_HeyokaDetector):
    """The argument of latitude passing ``u_rad`` (increasing), measured from the ascending node
    on ``equator`` (see :class:`NodeCrossing`)."""

    u_rad: float
    equator: str = "true_of_date"

    def __post_init__(self):
        if not math.isfinite(float(self.u_rad)):
            raise InputError(f"u_rad must be a finite angle in radians, got {self.u_rad}")
        object.__setattr__(self, "equator", _equator(self.equator))

    def template(self):
        return replace(self, u_rad=0.0)

    def equation(self, b: Builder, i: int):
        hy = b.hy
        k = _axis(b, self.equator)
        h = _cross(b.r, b.v)
        n = _cross(k, h)                       # towards the ascending node, |n| > 0
        hn = hy.sqrt(_dot(h, h))
        p2 = _cross(h, n)                      # |h| |n| (h_hat x n_hat): 90 deg ahead of the node
        # sin(u - u0) * r |n| = (r.p2/|h|) cos u0 - (r.n) sin u0
        g = _dot(b.r, p2) / hn * b.par(f"ev{i}_cos_u", 1.0) - _dot(b.r, n) * b.par(f"ev{i}_sin_u", 0.0)
        return g, 1

    def param_values(self, i: int) -> dict:
        return {f"ev{i}_cos_u": math.cos(self.u_rad), f"ev{i}_sin_u": math.sin(self.u_rad)}

    def label(self, d_sign: int) -> str:
        return f"arglat_{math.degrees(self.u_rad) % 360.0:g}deg"


@dataclass(frozen=True, eq=False)
class RangeToTarget:
    """Range to a ``target`` trajectory (:class:`~gyrfalcon.orbits.ephemeris.Ephemeris` in GCRF
    or EME2000): crossings of ``range_m`` (names ``range_<km>km_in`` / ``_out``), or, with
    ``range_m=None``, the closest approaches (``closest_approach``, ``value`` = range [m]).
    Found on the dense output every ``step_s`` + brentq (see the module docstring)."""

    target: Any
    range_m: float | None = None
    step_s: float = 10.0
    dense = True

    def __post_init__(self):
        if not (float(self.step_s) > 0):
            raise InputError(f"step_s must be positive, got {self.step_s}")
        if self.target.frame not in ("GCRF", "EME2000"):
            raise InputError(f"target ephemeris is in {self.target.frame}; give it in GCRF or EME2000")


def _target_rv(det: RangeToTarget, ts):
    r, v = det.target.interpolate(ts)
    if det.target.frame == "EME2000":
        from ..frames import eme2000_to_gcrf

        r, v = eme2000_to_gcrf(r, v)
    return np.asarray(r), np.asarray(v)


def range_events(det: RangeToTarget, s0, dense_segments) -> list:
    """Events of ``det`` along the dense output ``[(t_a, t_b, c_output), ...]`` of a run from ``s0``."""
    from scipy.optimize import brentq

    from ..time import add_seconds, seconds_between
    from .state import State

    tgt = det.target
    offset = float(seconds_between(tgt.epoch, s0.t))  # target seconds = ours + offset
    lo_t, hi_t = tgt.t_s[0] - offset, tgt.t_s[-1] - offset
    out = []

    def rel(cout, t):
        y = np.asarray(cout(float(t)))
        rt, vt = _target_rv(det, t + offset)
        return y, y[0:3] - rt, y[3:6] - vt

    def f_range(cout, t):
        _, dr, _ = rel(cout, t)
        return float(np.linalg.norm(dr) - det.range_m)

    def f_rdot(cout, t):
        _, dr, dv = rel(cout, t)
        return float(np.dot(dr, dv))

    for a, b, cout in dense_segments:
        lo, hi = max(min(a, b), lo_t), min(max(a, b), hi_t)
        if hi - lo <= 1e-6:
            continue
        n = max(int(math.ceil((hi - lo) / det.step_s)), 1)
        ts = np.linspace(lo, hi, n + 1)
        ys = np.atleast_2d(np.asarray(cout(ts)))
        rt, vt = _target_rv(det, ts + offset)
        dr, dv = ys[:, 0:3] - rt, ys[:, 3:6] - vt
        if det.range_m is None:
            f = np.einsum("ij,ij->i", dr, dv)
            fn = f_rdot
        else:
            f = np.linalg.norm(dr, axis=1) - det.range_m
            fn = f_range
        for j in range(n):
            if f[j] == 0.0 or (f[j] < 0.0 < f[j + 1]) or (f[j] > 0.0 > f[j + 1]):
                if det.range_m is None and not (f[j] < 0.0 <= f[j + 1]):
                    continue  # a maximum of the range
                t = ts[j] if f[j] == 0.0 else brentq(lambda x: fn(cout, x), ts[j], ts[j + 1], xtol=1e-6, rtol=1e-15)
                y, d, _ = rel(cout, t)
                st = State(add_seconds(s0.t, t), y[0:3], y[3:6], "GCRF", None if s0.mass_kg is None else float(y[6]))
                if det.range_m is None:
                    name = "closest_approach"
                else:
                    name = f"range_{det.range_m / 1e3:g}km_{'in' if f[j] > f[j + 1] else 'out'}"
                out.append(Event(name, st.t, st, float(t), float(np.linalg.norm(d))))
    return out


def find_events(propagator, state, until, detectors, maneuvers=(), *, params=None) -> list:
    """Propagate ``state`` to ``until`` with ``propagator`` and return the :class:`Event` list of
    ``detectors`` (sorted by time). Shortcut for ``propagator.find_events(...)``."""
    return propagator.find_events(state, until, detectors, maneuvers, params=params)
