"""A spacecraft state: where, how fast, when, in which frame.

A :class:`State` carries its own time (a skyfield ``Time``) and frame name, like skyfield's
positions do, so it cannot be mixed up with a state of another epoch or frame.
Units are SI: metres, metres per second, kilograms.

Frames (see :mod:`gyrfalcon.frames` for their definitions and conventions):
``GCRF`` (the inertial frame of every integration), ``EME2000`` (J2000 mean equator and
equinox, as in NASA's OEM files; differs from GCRF by the 23 mas frame bias), ``TEME``
(the frame of SGP4), ``ITRF`` (Earth-fixed, with polar motion).

>>> from gyrfalcon.time import parse_utc
>>> s = State(parse_utc("2025-11-24T12:00Z"), [4594538.08, -518497.56, 4971920.04],
...           [3048.854, 6705.894, -2115.994], frame="EME2000")
>>> round(s.radius_m / 1000, 1), round(s.speed_mps, 1)
(6789.6, 7664.3)
>>> s.to("GCRF").frame
'GCRF'
"""
from __future__ import annotations

import datetime as _dt
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ImpossibleOrbitError, InputError, UnknownFrameError

FRAMES = ("GCRF", "EME2000", "TEME", "ITRF")
"""Frames a :class:`State` can be expressed in."""

_FRAME_ALIASES = {
    "GCRF": "GCRF", "ICRF": "GCRF", "GCRS": "GCRF",
    "EME2000": "EME2000", "J2000": "EME2000",
    "TEME": "TEME",
    "ITRF": "ITRF", "ITRS": "ITRF", "ECEF": "ITRF", "ITRF2014": "ITRF", "ITRF2020": "ITRF",
}


def canonical_frame(name: str) -> str:
    """The canonical name of a frame, or :class:`~gyrfalcon.errors.UnknownFrameError`.

    >>> canonical_frame("j2000")
    'EME2000'
    >>> canonical_frame("ECI")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.UnknownFrameError: unknown frame 'ECI'; use one of GCRF, EME2000, TEME, ITRF (aliases: ICRF, GCRS, J2000, ITRS, ECEF)
    """
    key = str(name).strip().upper()
    try:
        return _FRAME_ALIASES[key]
    except KeyError:
        raise UnknownFrameError(
            f"unknown frame '{name}'; use one of {', '.join(FRAMES)} "
            "(aliases: ICRF, GCRS, J2000, ITRS, ECEF)"
        ) from None


def _one_instant(t):
    """A state's time: a scalar skyfield ``Time``; an ISO UTC string or an aware datetime is
    read as UTC (:func:`gyrfalcon.time.one_instant`); anything else is refused."""
    if hasattr(t, "tt") or isinstance(t, (str, _dt.datetime)):
        from ..time import one_instant

        return one_instant(t, "a state")
    raise InputError(f"a state's time must be a skyfield Time, an ISO UTC string or an aware datetime, "
                     f"got {type(t).__name__}; e.g. gyrfalcon.utc(2025, 11, 27, 9, 27, 57.4)")


@dataclass(frozen=True, eq=False)
class State:
    """Position and velocity of one object at one instant, in a named frame.

    Attributes
    ----------
    t : skyfield ``Time``
        The instant (scalar).
    r_m : ndarray (3,)
        Position [m].
    v_mps : ndarray (3,)
        Velocity [m/s] (in ITRF: relative to the rotating Earth).
    frame : str
        One of :data:`FRAMES`.
    mass_kg : float or None
        Spacecraft mass [kg], when known.
    """

    t: Any
    r_m: np.ndarray
    v_mps: np.ndarray
    frame: str = "GCRF"
    mass_kg: float | None = None
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "t", _one_instant(self.t))
        try:
            r = np.array(self.r_m, dtype=float).reshape(-1)
            v = np.array(self.v_mps, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise ImpossibleOrbitError(f"a state needs numbers for its position [m] and velocity [m/s], got "
                                       f"{type(self.r_m).__name__} and {type(self.v_mps).__name__}") from None
        if self.mass_kg is not None:
            m = self.mass_kg
            if isinstance(m, bool) or not isinstance(m, numbers.Real) or not (math.isfinite(m) and m > 0):
                raise ImpossibleOrbitError(f"mass_kg must be a positive number of kg or None, got {m!r}")
        if r.shape != (3,) or v.shape != (3,):
            raise ImpossibleOrbitError(
                f"a state needs 3 position and 3 velocity components, got {r.size} and {v.size}"
            )
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
            raise ImpossibleOrbitError("state has non-finite components (NaN or inf); give finite numbers for the "
                                       "position [m] and velocity [m/s]")
        r.flags.writeable = False
        v.flags.writeable = False
        object.__setattr__(self, "r_m", r)
        object.__setattr__(self, "v_mps", v)
        object.__setattr__(self, "frame", canonical_frame(self.frame))

    @property
    def radius_m(self) -> float:
        """Distance from the Earth's centre [m]."""
        return float(np.linalg.norm(self.r_m))

    @property
    def speed_mps(self) -> float:
        """Speed in this state's frame [m/s]."""
        return float(np.linalg.norm(self.v_mps))

    @property
    def rv(self) -> np.ndarray:
        """Position and velocity as one (6,) array [m, m/s]."""
        return np.concatenate([self.r_m, self.v_mps])

    def to(self, frame: str) -> "State":
        """This state in another frame (see :mod:`gyrfalcon.frames`)."""
        from ..frames import transform_state

        return transform_state(self, frame)

    def elements(self, mu_m3_s2: float | None = None):
        """Osculating Keplerian elements of this state, in its own inertial frame (GCRF, EME2000
        or TEME as it is, like an Orekit orbit in its frame; an ITRF state is turned to GCRF first).
        For elements in GCRF of a TEME state (an SGP4 output): ``state.to("GCRF").elements()``;
        the node differs by the precession since J2000 (about 0.4 deg in 2025)."""
        from .elements import KeplerianElements

        s = self if self.frame in ("GCRF", "EME2000", "TEME") else self.to("GCRF")
        return KeplerianElements.from_state(s, mu_m3_s2)

    def with_mass(self, mass_kg: float) -> "State":
        return State(self.t, self.r_m, self.v_mps, self.frame, mass_kg, dict(self.meta))

    def to_dict(self) -> dict:
        """JSON-ready dictionary: ``{"utc", "frame", "r_m", "v_mps"[, "mass_kg"]}``."""
        from ..time import iso_utc

        d = {"utc": iso_utc(self.t, 6), "frame": self.frame,
             "r_m": [float(x) for x in self.r_m], "v_mps": [float(x) for x in self.v_mps]}
        if self.mass_kg is not None:
            d["mass_kg"] = float(self.mass_kg)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "State":
        """Inverse of :meth:`to_dict` (``utc`` as ISO 8601, ``frame`` defaults to GCRF)."""
        from ..errors import InputError
        from ..time import parse_utc

        try:
            return cls(parse_utc(d["utc"]), d["r_m"], d["v_mps"], d.get("frame", "GCRF"), d.get("mass_kg"))
        except KeyError as exc:
            raise InputError(
                f"state is missing key {exc}; expected {{\"utc\": ISO time, \"frame\": \"GCRF\", "
                "\"r_m\": [x, y, z], \"v_mps\": [vx, vy, vz]}"
            ) from None
