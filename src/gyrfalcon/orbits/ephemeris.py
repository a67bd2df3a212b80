"""A tabulated trajectory with high-order interpolation: NASA's OEM, or a propagator's output.

An :class:`Ephemeris` holds samples (TT seconds from an epoch, position, velocity) in one
inertial or Earth-fixed frame, split into *segments* that interpolation never crosses
(a manoeuvre makes a new OEM segment). :meth:`Ephemeris.at` interpolates positions and
velocities separately with Lagrange polynomials of ``degree`` (default 8, i.e. 9 points
centred on the requested time), the scheme CCSDS OEM files recommend with
``INTERPOLATION = LAGRANGE``.

Assumptions and limits: samples within a segment are strictly increasing; asking for a
time outside the sampled span raises :class:`~gyrfalcon.errors.EphemerisRangeError`
(no extrapolation). With the ISS sampled every 4 min, degree 8 interpolates to well under
a millimetre (tested against the samples themselves in ``tests/orbits``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EphemerisRangeError, InputError
from .state import State, canonical_frame


@dataclass(frozen=True)
class Ephemeris:
    """Samples of one object's trajectory.

    Attributes
    ----------
    epoch : skyfield ``Time``
        Reference instant; ``t_s`` counts TT seconds from it.
    t_s : ndarray (N,)
        Sample times [s of TT since ``epoch``], non-decreasing (equal values only at segment breaks).
    r_m, v_mps : ndarray (N, 3)
        Positions [m] and velocities [m/s].
    frame : str
        Frame of the samples.
    name : str
        Object name (e.g. ``"ISS"``).
    segment_starts : tuple of int
        Index of the first sample of each segment (always starts with 0).
    mass_kg : ndarray (N,) or None
        Mass at each sample when known.
    meta : dict
        Free-form metadata (OEM header, comments, events...).
    """

    epoch: Any
    t_s: np.ndarray
    r_m: np.ndarray
    v_mps: np.ndarray
    frame: str = "GCRF"
    name: str = "object"
    segment_starts: tuple = (0,)
    mass_kg: np.ndarray | None = None
    meta: dict = field(default_factory=dict, compare=False, repr=False)
    degree: int = 8

    def __post_init__(self):
        t = np.asarray(self.t_s, dtype=float).reshape(-1)
        r = np.asarray(self.r_m, dtype=float).reshape(-1, 3)
        v = np.asarray(self.v_mps, dtype=float).reshape(-1, 3)
        if not (len(t) == len(r) == len(v)) or len(t) < 2:
            raise InputError(f"an ephemeris needs >= 2 samples with matching lengths (t {len(t)}, r {len(r)}, v {len(v)})")
        starts = tuple(sorted(set(int(i) for i in self.segment_starts) | {0}))
        bounds = list(starts) + [len(t)]
        for a, b in zip(bounds[:-1], bounds[1:]):
            if np.any(np.diff(t[a:b]) <= 0):
                raise InputError(f"ephemeris sample times must increase within a segment (segment starting at row {a})")
        object.__setattr__(self, "t_s", _frozen(t))
        object.__setattr__(self, "r_m", _frozen(r))
        object.__setattr__(self, "v_mps", _frozen(v))
        if self.mass_kg is not None:
            object.__setattr__(self, "mass_kg", _frozen(np.asarray(self.mass_kg, dtype=float).reshape(-1)))
        object.__setattr__(self, "segment_starts", starts)
        object.__setattr__(self, "frame", canonical_frame(self.frame))

    # ---- span -------------------------------------------------------------------------
    @property
    def start(self):
        """First sampled instant."""
        from ..time import add_seconds

        return add_seconds(self.epoch, self.t_s[0])

    @property
    def stop(self):
        """Last sampled instant."""
        from ..time import add_seconds

        return add_seconds(self.epoch, self.t_s[-1])

    @property
    def times(self):
        """All sample instants as one skyfield ``Time`` array."""
        from ..time import add_seconds

        return add_seconds(self.epoch, self.t_s)

    def __len__(self) -> int:
        return len(self.t_s)

    def seconds_from_epoch(self, t) -> np.ndarray:
        """TT seconds from :attr:`epoch` to ``t`` (a ``Time``, an ISO string, or already seconds)."""
        from ..time import parse_utc, seconds_between

        if isinstance(t, (int, float, np.ndarray, list, tuple)) and not hasattr(t, "tt"):
            return np.asarray(t, dtype=float)
        return np.asarray(seconds_between(self.epoch, parse_utc(t)), dtype=float)

    def covers(self, t) -> bool:
        s = np.atleast_1d(self.seconds_from_epoch(t))
        return bool(np.all((s >= self.t_s[0] - 1e-6) & (s <= self.t_s[-1] + 1e-6)))

    # ---- interpolation ----------------------------------------------------------------
    def interpolate(self, seconds) -> tuple[np.ndarray, np.ndarray]:
        """Position and velocity at TT seconds from :attr:`epoch` (scalar -> (3,), array -> (M, 3))."""
        s = np.asarray(seconds, dtype=float)
        scalar = s.ndim == 0
        s = np.atleast_1d(s)
        lo, hi = self.t_s[0], self.t_s[-1]
        bad = (s < lo - 1e-6) | (s > hi + 1e-6)
        if np.any(bad):
            from ..time import add_seconds, iso_utc

            first_bad = float(s[bad][0])
            raise EphemerisRangeError(
                f"{self.name} ephemeris covers {iso_utc(self.start)} to {iso_utc(self.stop)}; "
                f"{iso_utc(add_seconds(self.epoch, first_bad))} is outside it. "
                "Use a time inside that span or an ephemeris that covers the date."
            )
        s = np.clip(s, lo, hi)
        out_r = np.empty((len(s), 3))
        out_v = np.empty((len(s), 3))
        bounds = list(self.segment_starts) + [len(self.t_s)]
        seg_first = np.asarray(bounds[:-1])
        # which segment: the last one whose first time <= s (later segment wins at a shared instant)
        seg_idx = np.searchsorted(self.t_s[seg_first], s, side="right") - 1
        seg_idx = np.clip(seg_idx, 0, len(seg_first) - 1)
        n = self.degree + 1
        for k in np.unique(seg_idx):
            a, b = bounds[k], bounds[k + 1]
            sel = seg_idx == k
            out_r[sel], out_v[sel] = _lagrange(self.t_s[a:b], self.r_m[a:b], self.v_mps[a:b], s[sel], n)
        if scalar:
            return out_r[0], out_v[0]
        return out_r, out_v

    def at(self, t) -> State:
        """The interpolated :class:`~gyrfalcon.orbits.state.State` at ``t`` (a scalar ``Time`` or ISO string)."""
        from ..time import parse_utc

        tt = parse_utc(t)
        r, v = self.interpolate(self.seconds_from_epoch(tt))
        mass = None
        if self.mass_kg is not None:
            mass = float(np.interp(self.seconds_from_epoch(tt), self.t_s, self.mass_kg))
        return State(tt, r, v, self.frame, mass)

    def state_at_index(self, i: int) -> State:
        from ..time import add_seconds

        mass = None if self.mass_kg is None else float(self.mass_kg[i])
        return State(add_seconds(self.epoch, self.t_s[i]), self.r_m[i], self.v_mps[i], self.frame, mass)

    def slice(self, t0, t1, margin_samples: int = 5) -> "Ephemeris":
        """A smaller ephemeris covering ``[t0, t1]`` plus ``margin_samples`` on each side (for interpolation)."""
        s0, s1 = float(self.seconds_from_epoch(t0)), float(self.seconds_from_epoch(t1))
        i0 = max(int(np.searchsorted(self.t_s, s0, side="right")) - 1 - margin_samples, 0)
        i1 = min(int(np.searchsorted(self.t_s, s1, side="left")) + 1 + margin_samples, len(self.t_s))
        starts = tuple(sorted({0} | {j - i0 for j in self.segment_starts if i0 < j < i1}))
        return Ephemeris(
            self.epoch, self.t_s[i0:i1], self.r_m[i0:i1], self.v_mps[i0:i1], self.frame, self.name,
            starts, None if self.mass_kg is None else self.mass_kg[i0:i1], dict(self.meta), self.degree,
        )


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy of ``a`` (the caller's array is left as it was).

    Ephemerides are shared (the shipped ISS trajectory is cached per process), so their
    arrays are read-only: writing into one raises ``ValueError`` instead of silently
    changing every later user's orbit.
    """
    out = np.array(a, dtype=float, copy=True)
    out.flags.writeable = False
    return out


def _lagrange(t, r, v, s, n):
    """Lagrange interpolation of r and v sampled at t, on n points centred on each s."""
    N = len(t)
    n = min(n, N)
    # left index of the n-point window centred on each s
    idx = np.searchsorted(t, s) - n // 2
    idx = np.clip(idx, 0, N - n)
    win = idx[:, None] + np.arange(n)[None, :]          # (M, n)
    tw = t[win]                                          # (M, n)
    # centre and scale time for conditioning
    t0 = tw[:, n // 2][:, None]
    x = tw - t0
    xs = (s[:, None] - t0)
    diff = x[:, :, None] - x[:, None, :]                 # (M, n, n): x_j - x_m
    eye = np.eye(n, dtype=bool)[None]
    diff = np.where(eye, 1.0, diff)
    num = xs[:, None, :] - x[:, None, :]                 # (M, 1, n) -> s - x_m
    num = np.broadcast_to(num, diff.shape)
    num = np.where(eye, 1.0, num)
    w = np.prod(num / diff, axis=2)                      # (M, n): basis L_j(s)
    rr = np.einsum("mj,mjk->mk", w, r[win])
    vv = np.einsum("mj,mjk->mk", w, v[win])
    return rr, vv
