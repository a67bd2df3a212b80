"""Manoeuvres for the numerical propagator: impulsive and finite burns.

Local orbital frames (of the spacecraft itself, at the burn instant, from its GCRF
position ``r`` and velocity ``v``):

* ``TNW``: T = v/|v| (along the inertial velocity, "prograde"), W = r x v/|r x v| (orbit
  normal), N = W x T. Orekit's ``LOFType.TNW``.
* ``RTN`` (a.k.a. RSW): R = r/|r| (radial), N = W (orbit normal), T = N x R (along-track,
  perpendicular to R).
* ``GCRF``: components given directly in the inertial frame.

An :class:`ImpulsiveBurn` changes the velocity instantly at its exact time (the propagator
stops there, adds ``dv`` and restarts); with ``isp_s`` the mass drops by the rocket equation
``m+ = m- exp(-|dv| / (Isp g0))``. A :class:`FiniteBurn` applies the thrust ``T/m`` along a
direction fixed in the local frame from ``t_start`` for ``duration_s``, with mass flow
``dm/dt = -T / (Isp g0)`` integrated as the 7th state variable (no recompilation per burn:
thrust, Isp, direction and the on/off switch are runtime parameters).

Times are a skyfield ``Time`` (or anything :func:`gyrfalcon.time.parse_utc` reads), or
seconds after the propagation start.

>>> import numpy as np
>>> b = ImpulsiveBurn(0.0, 22.0, isp_s=302.0)
>>> b.dv_local
(22.0, 0.0, 0.0)
>>> np.round(b.dv_gcrf([7e6, 0, 0], [0, 7.5e3, 0]), 6) + 0.0
array([ 0., 22.,  0.])
>>> round(b.mass_after(7152.0), 6)          # Orekit burns_ms28 header: 7099.068950 kg
7099.06895
>>> ImpulsiveBurn(0.0, [1, 0, 0], frame="VNB")
Traceback (most recent call last):
...
gyrfalcon.errors.InputError: unknown burn frame 'VNB'; use TNW (T along velocity), RTN (radial, along-track, normal) or GCRF
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..constants import G0_MPS2
from ..errors import InputError

BURN_FRAMES = ("TNW", "RTN", "GCRF")


def _frame(name: str) -> str:
    key = str(name).strip().upper()
    key = {"RSW": "RTN", "RIC": "RTN", "VNB": None, "ECI": None, "ICRF": "GCRF", "J2000": None}.get(key, key)
    if key not in BURN_FRAMES:
        raise InputError(
            f"unknown burn frame '{name}'; use TNW (T along velocity), RTN (radial, along-track, normal) or GCRF"
        )
    return key


def local_axes(r_m, v_mps, frame: str) -> np.ndarray:
    """Rows = the unit axes of ``frame`` (TNW, RTN or GCRF) in GCRF at ``r_m``, ``v_mps``.

    >>> local_axes([7e6, 0, 0], [0, 7.5e3, 0], "RTN")
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    frame = _frame(frame)
    if frame == "GCRF":
        return np.eye(3)
    r = np.asarray(r_m, dtype=float)
    v = np.asarray(v_mps, dtype=float)
    h = np.cross(r, v)
    hn = np.linalg.norm(h)
    if hn == 0.0 or np.linalg.norm(v) == 0.0:
        raise InputError("local orbital frame undefined (zero velocity or radial motion); give the burn in GCRF")
    w = h / hn
    if frame == "TNW":
        t = v / np.linalg.norm(v)
        return np.array([t, np.cross(w, t), w])
    rr = r / np.linalg.norm(r)
    return np.array([rr, np.cross(w, rr), w])


def _vector(dv, frame, what="dv_mps"):
    arr = np.asarray(dv, dtype=float)
    if arr.ndim == 0:
        if frame != "TNW":
            raise InputError(
                f"a scalar {what} means 'along +T of TNW'; for frame {frame} give 3 components"
            )
        arr = np.array([float(arr), 0.0, 0.0])
    arr = arr.reshape(-1)
    if arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise InputError(f"{what} must be a finite number or 3 components, got {dv!r}")
    return tuple(float(x) for x in arr)


@dataclass(frozen=True)
class ImpulsiveBurn:
    """An instantaneous velocity change ``dv_mps`` [m/s] at ``t``.

    ``dv_mps``: 3 components in ``frame`` (TNW, RTN or GCRF), or one number = along +T of
    TNW. ``isp_s`` [s]: if given, the mass falls by the rocket equation.
    """

    t: Any
    dv_mps: Any
    frame: str = "TNW"
    isp_s: float | None = None
    name: str = "burn"

    def __post_init__(self):
        object.__setattr__(self, "frame", _frame(self.frame))
        object.__setattr__(self, "dv_mps", _vector(self.dv_mps, self.frame))
        if self.isp_s is not None and not (float(self.isp_s) > 0):
            raise InputError(f"isp_s must be positive (seconds), got {self.isp_s}")

    @property
    def dv_local(self) -> tuple:
        return self.dv_mps

    @property
    def dv_magnitude_mps(self) -> float:
        return float(np.linalg.norm(self.dv_mps))

    def dv_gcrf(self, r_m, v_mps) -> np.ndarray:
        """The velocity change in GCRF for a spacecraft at ``r_m``, ``v_mps`` (GCRF)."""
        return local_axes(r_m, v_mps, self.frame).T @ np.asarray(self.dv_mps)

    def mass_after(self, mass_kg: float) -> float:
        """Mass after the burn [kg] (unchanged without ``isp_s``)."""
        if self.isp_s is None:
            return float(mass_kg)
        return float(mass_kg) * math.exp(-self.dv_magnitude_mps / (float(self.isp_s) * G0_MPS2))


@dataclass(frozen=True)
class FiniteBurn:
    """Constant thrust ``thrust_n`` [N] for ``duration_s`` [s] from ``t_start``, along the unit
    ``direction`` fixed in ``direction_frame`` (TNW, RTN or GCRF), burning propellant at
    ``thrust_n / (isp_s g0)`` [kg/s]."""

    t_start: Any
    duration_s: float
    thrust_n: float
    isp_s: float
    direction_frame: str = "TNW"
    direction: Any = (1.0, 0.0, 0.0)
    name: str = "finite burn"

    def __post_init__(self):
        object.__setattr__(self, "direction_frame", _frame(self.direction_frame))
        d = np.asarray(_vector(self.direction, self.direction_frame, "direction"))
        n = np.linalg.norm(d)
        if n == 0:
            raise InputError("burn direction is the zero vector; give e.g. (1, 0, 0) for +T of TNW")
        object.__setattr__(self, "direction", tuple(float(x) for x in d / n))
        if not (float(self.duration_s) > 0):
            raise InputError(f"duration_s must be positive, got {self.duration_s}")
        if not (float(self.thrust_n) > 0) or not (float(self.isp_s) > 0):
            raise InputError(f"thrust_n and isp_s must be positive, got {self.thrust_n} N, {self.isp_s} s")

    @property
    def mass_flow_kg_s(self) -> float:
        return float(self.thrust_n) / (float(self.isp_s) * G0_MPS2)

    def params(self) -> dict:
        """Runtime parameters of :class:`~gyrfalcon.orbits.forces.FiniteThrust` while on."""
        return {
            "thrust_on": 1.0, "thrust_n": float(self.thrust_n), "thrust_isp_s": float(self.isp_s),
            "thrust_d1": self.direction[0], "thrust_d2": self.direction[1], "thrust_d3": self.direction[2],
            "thrust_tnw": float(self.direction_frame == "TNW"), "thrust_rtn": float(self.direction_frame == "RTN"),
            "thrust_gcrf": float(self.direction_frame == "GCRF"),
        }
