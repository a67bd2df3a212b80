"""A tabulated trajectory with Hermite interpolation: NASA's OEM, or a propagator's output.

An :class:`Ephemeris` holds samples (TT seconds from an epoch, position, velocity) in one
inertial or Earth-fixed frame, split into *segments* that interpolation never crosses
(a manoeuvre makes a new OEM segment). :meth:`Ephemeris.interpolate` uses the velocities
as well as the positions: a Hermite polynomial through ``degree + 1`` samples centred on the
requested time (position and velocity at each, so a polynomial of degree ``2 degree + 1``);
the velocity is its derivative. This is what Orekit does with an OEM whatever its
``INTERPOLATION`` keyword (the number of samples is ``INTERPOLATION_DEGREE + 1``).

How far the samples can be trusted between them is estimated by
:meth:`Ephemeris.sampling_report` and enforced by :meth:`Ephemeris.check_sampling`
(called when an OEM becomes an ephemeris):

* *physics*: a step longer than a quarter of the orbital period (two-body period from
  the sample's energy) is refused outright. The motion has once- and twice-per-revolution
  terms (the orbit itself and the Earth's oblateness); position + velocity samples resolve a
  harmonic only with more than one sample per its period (sampling-theorem bound for
  derivative sampling), i.e. steps < T/2 for the twice-per-revolution terms; T/4 keeps a 2x
  margin, since aliased content is invisible to the estimate below;
* *accuracy*: in every step, at 1/4, 1/2 and 3/4 of it, the interpolant is compared with the
  one through two samples fewer (one off each end, at least two samples: a lower-order estimate,
  which shows the error at the ends of a segment) and with the ones whose window is shifted by one sample
  either way (which show it inside); the largest difference, times
  :data:`ESTIMATE_SAFETY`, is the estimate. Checked against NASA's dense file thinned 2x to
  5x in ``tests/orbits/test_ephemeris_sampling.py``.

A degree well above :data:`DEFAULT_DEGREE` makes things worse, not better: a polynomial through
many equally spaced samples swings between them near the window's ends (Runge's phenomenon; on
NASA's 4-min ISS samples of 2025-11-24 the estimate grows from 0.3 m at degree 5 to 1 km at
degree 13 and ~1e15 km at degree 40; against the dense file thinned to 8 min the true error does
the same). When the estimate fails at the ephemeris' degree but passes at the default one,
:meth:`Ephemeris.check_sampling` says the degree is the cause and names the degrees that pass.

Measured on NASA's ISS file of 2025-04-01 (first day) thinned, 9-sample Hermite against the
dense file, largest error between samples (first or last step of the segment / inside):
8-min steps 51 m / 1 m, 12-min 0.14 km / 5 m, 16-min 0.8 km / 9 m, 20-min 12 km / 37 m,
32-min (refused: over T/4 = 23 min) 16 km / 2 km. Interpolation with the positions only
(Lagrange, as before) was 690 km off at mid-step with 30-min steps.

Assumptions and limits: samples within a segment are strictly increasing; asking for a
time outside the sampled span raises :class:`~gyrfalcon.errors.EphemerisRangeError`
(no extrapolation), and so does a time between two segments that do not meet ("no data
between segment end X and next segment start Y"; two segments closer than a sampling step,
e.g. a propagation joined to a file, are read from the nearer one). An OEM's
``USEABLE_START_TIME``/``USEABLE_STOP_TIME`` (``valid_s``) bound the reads as Orekit's
``OemSegment`` does; the samples outside still serve the interpolation near the ends.
A sample whose position disagrees with the velocities (:meth:`Ephemeris.corrupt_sample`) is
named when the sampling check fails. The orbital period uses the Earth's GM (Earth-centred data only); for an
Earth-fixed (ITRF) ephemeris the inertial speed is approximated by adding ``omega x r``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EphemerisRangeError, EphemerisSamplingError, InputError
from .state import State, canonical_frame

DEFAULT_MAX_INTERPOLATION_ERROR_M = 1000.0
"""Largest interpolation error [m] (estimated, between samples) accepted by default from an OEM."""
MAX_STEP_PERIOD_FRACTION = 0.25
"""Longest step between samples, as a fraction of the orbital period (see the module docstring)."""
ESTIMATE_SAFETY = 1.25
"""Factor on the lower-order/shifted-window estimate: on NASA's ISS data thinned to 8 to 20-min
steps the bare estimate was 0.85 to 1.3 times the true error in the first and last steps of a
segment (the worst ones) and 1.1 to 3 times inside."""
DEFAULT_DEGREE = 8
"""Interpolation degree (``degree + 1`` samples) when an OEM gives no ``INTERPOLATION_DEGREE``."""
MAX_SUGGESTED_DEGREE = 13
"""The highest degree a refusal suggests (on NASA's 4-min ISS samples the estimate is 1 km there)."""
_CHUNK = 8192
_HASH = np.random.default_rng(20261206).uniform(1.0, 2.0, 64)


@dataclass(frozen=True)
class SamplingReport:
    """How well an ephemeris' samples carry its trajectory between them.

    Attributes
    ----------
    max_error_m : float
        Largest estimated position error between samples [m] (lower-order comparison).
    max_velocity_error_mps : float
        Largest estimated velocity error [m/s].
    worst_t_s : float
        Start of the step with the largest position error estimate [s since ``epoch``].
    worst_step_s : float
        Length of that step [s].
    max_step_s : float
        Longest step inside a segment [s].
    max_step_fraction : float
        Largest ratio step / orbital period over all steps (0 when no step has a period).
    fraction_t_s : float
        Start of the step with that ratio [s since ``epoch``].
    period_s : float
        Orbital period at that step [s] (``nan`` for an unbound orbit).
    n_samples : int
        Number of samples (per point the Hermite polynomial uses).
    """

    max_error_m: float
    max_velocity_error_mps: float
    worst_t_s: float
    worst_step_s: float
    max_step_s: float
    max_step_fraction: float
    fraction_t_s: float
    period_s: float
    n_samples: int


@dataclass(frozen=True, eq=False)
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
    degree: int = DEFAULT_DEGREE
    valid_s: tuple = ()
    _pieces: tuple = field(default=(), init=False, compare=False, repr=False)
    _spans: tuple = field(default=(), init=False, compare=False, repr=False)

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
        object.__setattr__(self, "_pieces", _pieces(t, starts))
        object.__setattr__(self, "frame", canonical_frame(self.frame))
        object.__setattr__(self, "_spans", _spans(t, starts, self.valid_s))
        object.__setattr__(self, "valid_s", self._spans if self.valid_s else ())

    def with_states(self, r_m, v_mps, frame: str) -> "Ephemeris":
        """The same samples (times, segments, useable spans, mass, metadata) with the states
        ``r_m`` [m] / ``v_mps`` [m/s] in ``frame``: what a frame conversion returns."""
        from dataclasses import replace

        return replace(self, r_m=r_m, v_mps=v_mps, frame=frame, meta=dict(self.meta))

    def in_frame(self, frame: str) -> "Ephemeris":
        """The same trajectory in ``frame`` (GCRF, EME2000, ICRF, TEME, ITRF...; the conversions of
        :func:`gyrfalcon.io.oem.convert_samples`), every sample converted; itself if already there."""
        from ..io.oem import convert_samples

        frame = canonical_frame(frame)
        if frame == self.frame:
            return self
        r, v = convert_samples(self.epoch, self.t_s, self.r_m, self.v_mps, self.frame, frame)
        return self.with_states(r, v, frame)

    # ---- span -------------------------------------------------------------------------
    @property
    def start(self):
        """First instant covered (the first sample, or the start of the first useable span)."""
        from ..time import add_seconds

        return add_seconds(self.epoch, self._spans[0][0])

    @property
    def stop(self):
        """Last instant covered (the last sample, or the end of the last useable span)."""
        from ..time import add_seconds

        return add_seconds(self.epoch, self._spans[-1][1])

    @property
    def spans_s(self) -> tuple:
        """The covered intervals ``(first, last)`` [s of TT since ``epoch``], increasing: one per
        segment (neighbouring segments closer than a sampling step merged), or ``valid_s``
        (an OEM's ``USEABLE_START_TIME``/``USEABLE_STOP_TIME``) when given."""
        return self._spans

    @property
    def times(self):
        """All sample instants as one skyfield ``Time`` array."""
        from ..time import add_seconds

        return add_seconds(self.epoch, self.t_s)

    def __len__(self) -> int:
        return len(self.t_s)

    def __repr__(self) -> str:
        from ..time import iso_utc

        return (f"Ephemeris({self.name!r}, {self.frame}, {len(self.t_s)} samples, {iso_utc(self.start, 0)} .. "
                f"{iso_utc(self.stop, 0)}, {len(self._pieces)} segment{'s' if len(self._pieces) != 1 else ''})")

    def seconds_from_epoch(self, t) -> np.ndarray:
        """TT seconds from :attr:`epoch` to ``t``: a ``Time`` (one or an array), an ISO string, a
        list of them, or already seconds (a number, numpy scalar or array, or a list of numbers)."""
        from ..time import parse_utc, seconds_between

        if hasattr(t, "tt"):
            return np.asarray(seconds_between(self.epoch, t), dtype=float)
        if isinstance(t, bool):
            raise InputError(f"a time or seconds from the epoch, not {t!r}")
        if isinstance(t, (int, float, np.integer, np.floating)):
            return np.asarray(float(t))
        if isinstance(t, (np.ndarray, list, tuple)):
            arr = np.asarray(t, dtype=object if isinstance(t, (list, tuple)) else None)
            if arr.dtype.kind in "iuf" or all(isinstance(x, (int, float, np.integer, np.floating))
                                              and not isinstance(x, bool) for x in arr.ravel()):
                return np.asarray(t, dtype=float)
            return np.array([float(seconds_between(self.epoch, parse_utc(x))) for x in arr.ravel()]).reshape(arr.shape)
        return np.asarray(seconds_between(self.epoch, parse_utc(t)), dtype=float)

    def covers(self, t) -> bool:
        s = np.atleast_1d(self.seconds_from_epoch(t))
        return bool(np.all(_inside(self._spans, s)))

    # ---- interpolation ----------------------------------------------------------------
    def interpolate(self, seconds) -> tuple[np.ndarray, np.ndarray]:
        """Position [m] and velocity [m/s] at TT seconds from :attr:`epoch` (scalar -> (3,),
        array -> (M, 3)), Hermite through ``degree + 1`` samples of the segment."""
        s = np.asarray(seconds, dtype=float)
        scalar = s.ndim == 0
        s = np.atleast_1d(s)
        lo, hi = self.t_s[0], self.t_s[-1]
        bad = ~_inside(self._spans, s)
        if np.any(bad):
            from ..time import add_seconds, iso_utc

            first_bad = float(s[bad][0])
            when = iso_utc(add_seconds(self.epoch, first_bad))
            spans = self._spans
            k = next((i for i in range(len(spans) - 1) if spans[i][1] < first_bad < spans[i + 1][0]), None)
            what = "segment"
            if k is not None:
                raise EphemerisRangeError(
                    f"{self.name} ephemeris: no data between {what} end {iso_utc(add_seconds(self.epoch, spans[k][1]))} "
                    f"and next {what} start {iso_utc(add_seconds(self.epoch, spans[k + 1][0]))} ({when} asked); "
                    "use a time inside a segment, or an ephemeris that covers the gap")
            raise EphemerisRangeError(
                f"{self.name} ephemeris covers {iso_utc(self.start)} to {iso_utc(self.stop)}"
                f"{' (its useable span)' if self.valid_s else ''}; {when} is outside it. "
                "Use a time inside that span or an ephemeris that covers the date."
            )
        s = np.clip(s, lo, hi)
        out_r = np.empty((len(s), 3))
        out_v = np.empty((len(s), 3))
        pieces = self._pieces
        first = self.t_s[np.asarray([p[0] for p in pieces])]
        # which piece: the last one whose first time <= s (a later segment wins at a shared instant)
        idx = np.clip(np.searchsorted(first, s, side="right") - 1, 0, len(pieces) - 1)
        # in a gap between segments shorter than a sampling step (merged spans): the nearer one
        last = self.t_s[np.asarray([p[1] - 1 for p in pieces])]
        nxt = np.minimum(idx + 1, len(pieces) - 1)
        idx = np.where((s > last[idx]) & (nxt > idx) & (first[nxt] - s < s - last[idx]), nxt, idx)
        n = self.degree + 1
        for k in np.unique(idx):
            a, b = pieces[k]
            sel = idx == k
            out_r[sel], out_v[sel] = _hermite(self.t_s[a:b], self.r_m[a:b], self.v_mps[a:b], s[sel], n)
        if scalar:
            return out_r[0], out_v[0]
        return out_r, out_v

    # ---- sampling ---------------------------------------------------------------------
    def sampling_report(self) -> SamplingReport:
        """Estimated interpolation error and the longest step against the orbital period.

        See the module docstring for the two criteria. Costs about 0.13 s for 5,400 samples at degree
        8 (0.26 s at degree 20).
        """
        from ..constants import EARTH_ROTATION_RATE_RAD_S, MU_EARTH_M3_S2

        n = self.degree + 1
        worst = (0.0, 0.0, float(self.t_s[0]), 0.0)           # (dr, dv, t, step)
        frac = (0.0, float(self.t_s[0]), math.nan)           # (fraction, t, period)
        max_step = 0.0
        for a, b in self._pieces:
            t, r, v = self.t_s[a:b], self.r_m[a:b], self.v_mps[a:b]
            if len(t) < 2:
                continue
            steps = np.diff(t)
            max_step = max(max_step, float(steps.max()))
            # physics: step against the two-body period at both ends
            vi = v
            if self.frame == "ITRF":
                vi = v + np.cross([0.0, 0.0, EARTH_ROTATION_RATE_RAD_S], r)
            rn = np.linalg.norm(r, axis=1)
            if np.any(rn < INSIDE_EARTH_M):     # every frame of an Ephemeris is Earth-centred
                j = int(np.argmin(rn))
                from ..time import add_seconds, iso_utc

                raise EphemerisSamplingError(
                    f"the sample of {iso_utc(add_seconds(self.epoch, float(t[j])), 0)} is {rn[j] / 1000:.1f} km from the "
                    f"Earth's centre, inside the Earth (a corrupt or zeroed sample?); give a trajectory above the surface")
            energy = 0.5 * np.sum(vi * vi, axis=1) - MU_EARTH_M3_S2 / rn
            with np.errstate(invalid="ignore", divide="ignore"):
                sma = np.where(energy < 0, -MU_EARTH_M3_S2 / (2.0 * energy), np.nan)
                period = 2.0 * np.pi * np.sqrt(sma ** 3 / MU_EARTH_M3_S2)
            p_step = np.fmin(period[:-1], period[1:])
            with np.errstate(invalid="ignore"):
                ratio = np.where(np.isfinite(p_step), steps / p_step, 0.0)
            k = int(np.argmax(ratio))
            if ratio[k] > frac[0]:
                frac = (float(ratio[k]), float(t[k]), float(p_step[k]))
            # accuracy: the n-sample Hermite against the one through two samples fewer (one
            # off each end) and against the windows shifted by one sample either way
            m = min(n, len(t))
            q = (t[:-1, None] + steps[:, None] * np.array([0.25, 0.5, 0.75])[None, :]).reshape(-1)
            if m > 2:
                r_hi, v_hi = _hermite(t, r, v, q, m)
                dr = np.zeros(len(q))
                dv = np.zeros(len(q))
                # (for 3 samples the two-sample cubic: one sample is a Taylor step, not an interpolant)
                others = [_hermite(t, r, v, q, max(m - 2, 2))] + [_hermite(t, r, v, q, m, shift) for shift in (-1, 1)]
                for r_o, v_o in others:
                    dr = np.maximum(dr, np.linalg.norm(r_hi - r_o, axis=1))
                    dv = np.maximum(dv, np.linalg.norm(v_hi - v_o, axis=1))
                dr = ESTIMATE_SAFETY * dr.reshape(-1, 3).max(axis=1)
                dv = ESTIMATE_SAFETY * dv.reshape(-1, 3).max(axis=1)
            else:
                # too few samples to compare orders: the two-body bound of cubic Hermite
                # (|r| w^4 h^4 / 384, w = 2 pi / T) or of the one-sample Taylor step
                # (|r| w^2 (h/2)^2 / 2); velocity: w times that, times the polynomial degree
                w = 2.0 * np.pi / np.where(np.isfinite(p_step), p_step, np.inf)
                rr = np.linalg.norm(r[:-1], axis=1)
                dr = rr * (w * steps) ** 4 / 384.0 if m == 2 else rr * (w * steps / 2.0) ** 2 / 2.0
                dv = dr * w * (3.0 if m == 2 else 1.0)
            k = int(np.argmax(dr))
            if dr[k] > worst[0] or a == 0:
                worst = (float(dr[k]), max(worst[1], float(dv.max())), float(t[k]), float(steps[k]))
            else:
                worst = (worst[0], max(worst[1], float(dv.max())), worst[2], worst[3])
        return SamplingReport(worst[0], worst[1], worst[2], worst[3], max_step, frac[0], frac[1], frac[2], n)

    def check_sampling(self, max_error_m: float = DEFAULT_MAX_INTERPOLATION_ERROR_M) -> SamplingReport:
        """:meth:`sampling_report`, raising :class:`~gyrfalcon.errors.EphemerisSamplingError`
        (one line: where, why, what would work) when a step is longer than
        :data:`MAX_STEP_PERIOD_FRACTION` of the orbital period or the estimated position
        error exceeds ``max_error_m`` [m]."""
        from ..time import add_seconds, iso_utc

        if not (math.isfinite(float(max_error_m)) and float(max_error_m) > 0):
            raise InputError(f"the interpolation error limit must be a positive number of metres, got {max_error_m}")
        rep = self.sampling_report()
        if rep.max_step_fraction > MAX_STEP_PERIOD_FRACTION:
            step = rep.max_step_fraction * rep.period_s
            limit_min = MAX_STEP_PERIOD_FRACTION * rep.period_s / 60
            shortest = self._shortest_step_s()
            if shortest > MAX_STEP_PERIOD_FRACTION * rep.period_s:     # sparse throughout: no gap to split at
                raise EphemerisSamplingError(
                    f"{self.name}: every step is {shortest / 60:.1f} min or longer, "
                    f"{shortest / rep.period_s:.2f} of the orbital period ({rep.period_s / 60:.1f} min) or more; "
                    f"interpolation needs steps of at most a quarter of it ({limit_min:.1f} min) to resolve the "
                    "orbit. Use an ephemeris sampled at least that densely (NASA's ISS files: every 4 min)")
            raise EphemerisSamplingError(
                f"{self.name}: the step of {step / 60:.1f} min after {iso_utc(add_seconds(self.epoch, rep.fraction_t_s))} "
                f"is {rep.max_step_fraction:.2f} of the orbital period ({rep.period_s / 60:.1f} min); interpolation "
                f"needs steps of at most a quarter of it ({MAX_STEP_PERIOD_FRACTION * rep.period_s / 60:.1f} min) "
                "to resolve the orbit. Use an ephemeris sampled more densely there, or split the segment "
                "at the gap (META_STOP, then a new META_START block)")
        if rep.max_error_m > float(max_error_m):
            bad = self.corrupt_sample()
            if bad is not None:
                i, jump = bad
                raise EphemerisSamplingError(
                    f"{self.name}: the sample at {iso_utc(add_seconds(self.epoch, self.t_s[i]))} looks corrupt: its "
                    f"position is ~{_fmt_m(jump)} from where the velocities of it and its neighbours put it (the "
                    "samples around it agree with each other); correct or remove that data line")
            passing = self._passing_degrees(float(max_error_m))
            if passing and self.degree > DEFAULT_DEGREE:
                # the degree is the cause (Runge's phenomenon): its estimate means nothing, not printed
                raise EphemerisSamplingError(
                    f"{self.name}: INTERPOLATION_DEGREE {self.degree} is too high for these samples: a Hermite "
                    f"polynomial through {rep.n_samples} of them swings between them, beyond the limit of "
                    f"{_fmt_m(float(max_error_m))} (worst in the {rep.worst_step_s / 60:.1f}-min step after "
                    f"{iso_utc(add_seconds(self.epoch, rep.worst_t_s))}; the error grows with the degree). Use "
                    f"INTERPOLATION_DEGREE {passing[0]} to {passing[1]}, which reads them within the limit "
                    f"(or drop the keyword: {DEFAULT_DEGREE} is the default)")
            where = (f"~{_fmt_m(rep.max_error_m)} (estimated in the {rep.worst_step_s / 60:.1f}-min step after "
                     f"{iso_utc(add_seconds(self.epoch, rep.worst_t_s))}; the limit is {_fmt_m(float(max_error_m))}) "
                     f"with {rep.n_samples}-sample Hermite interpolation")
            if passing:         # too low a degree: the default reads them
                raise EphemerisSamplingError(
                    f"{self.name}: interpolating between samples would be off by up to {where} (INTERPOLATION_DEGREE "
                    f"{self.degree}). Use INTERPOLATION_DEGREE {passing[0]} to {passing[1]}, which reads them within "
                    f"the limit (or drop the keyword: {DEFAULT_DEGREE} is the default)")
            raise EphemerisSamplingError(
                f"{self.name}: interpolating between samples would be off by up to {where}. Use an ephemeris "
                "sampled more densely (the error falls roughly as the step to the power 2 x samples)")
        return rep

    def _shortest_step_s(self) -> float:
        """The shortest step between consecutive samples of one segment [s] (inf: no step)."""
        bounds = list(self.segment_starts) + [len(self.t_s)]
        steps = [np.diff(self.t_s[a:b]) for a, b in zip(bounds[:-1], bounds[1:]) if b - a > 1]
        return float(min(np.min(d) for d in steps)) if steps else math.inf

    def _passing_degrees(self, max_error_m: float) -> tuple:
        """(lowest, highest) degree whose estimated error is within ``max_error_m`` [m], found by
        stepping down and up from :data:`DEFAULT_DEGREE` (the error falls with the degree, then
        grows again; at most :data:`MAX_SUGGESTED_DEGREE`, and below this ephemeris' own when that
        is higher), when this ephemeris' degree is not the default and the default passes; else ().
        Each degree tried costs one :meth:`sampling_report` (0.1-0.3 s for 5,400 samples)."""
        from dataclasses import replace

        if self.degree == DEFAULT_DEGREE:
            return ()

        def ok(d):
            return replace(self, degree=d).sampling_report().max_error_m <= max_error_m

        if not ok(DEFAULT_DEGREE):
            return ()
        lo = DEFAULT_DEGREE
        while lo > 1 and ok(lo - 1):
            lo -= 1
        hi = DEFAULT_DEGREE
        top = min(MAX_SUGGESTED_DEGREE, self.degree - 1 if self.degree > DEFAULT_DEGREE else MAX_SUGGESTED_DEGREE)
        while hi + 1 <= top and ok(hi + 1):
            hi += 1
        return (lo, hi)

    def corrupt_sample(self):
        """``(index, jump [m])`` of a sample whose position is inconsistent with the velocities
        (a typo, a +50 km jump, 1e30), or None.

        Between two samples of a free-flying orbit, ``r1 - r0 = h (v0 + v1) / 2 + h^2 (a0 - a1) / 12``
        up to ``h^5`` terms (the Hermite-cubic identity), with ``a`` the two-body acceleration:
        ~0.1 km left over with 4-min ISS steps (the J2 term, the ``h^5`` term). A step misses it
        by more than :func:`_jump_tolerance_m` when a sample is wrong; a sample both of whose steps
        miss it (or an end sample whose one step does) is the corrupt one. Inertial frames only
        (None for ITRF)."""
        from ..constants import MU_EARTH_M3_S2

        if self.frame == "ITRF":
            return None
        best = None
        for a, b in self._pieces:
            t, r, v = self.t_s[a:b], self.r_m[a:b], self.v_mps[a:b]
            if len(t) < 3:
                continue
            with np.errstate(all="ignore"):
                rn = np.linalg.norm(r, axis=1)
                acc = -MU_EARTH_M3_S2 * r / rn[:, None] ** 3
                h = np.diff(t)[:, None]
                miss = np.linalg.norm(r[1:] - r[:-1] - h * (v[:-1] + v[1:]) / 2.0 - h * h * (acc[:-1] - acc[1:]) / 12.0,
                                      axis=1)
                w = np.sqrt(MU_EARTH_M3_S2 / np.maximum(rn[:-1], 1.0) ** 3)
                tol = _jump_tolerance_m(rn[:-1], w, h[:, 0])
                off = ~(miss <= tol)                           # NaN counts as off
            n = len(off)
            for k in range(n + 1):
                before = off[k - 1] if k > 0 else None
                after = off[k] if k < n else None
                flagged = (before is None and after and not off[1]) or (after is None and before and not off[n - 2]) \
                    or (before and after)
                if flagged:
                    jump = float(np.nanmax([miss[j] for j in (k - 1, k) if 0 <= j < n] + [0.0]))
                    if not math.isfinite(jump):
                        jump = float(np.linalg.norm(r[k])) if np.all(np.isfinite(r[k])) else math.inf
                    if best is None or jump > best[1]:
                        best = (a + k, jump)
        return best

    def at(self, t) -> State:
        """The interpolated :class:`~gyrfalcon.orbits.state.State` at ``t`` (a scalar ``Time`` or ISO string)."""
        from ..time import parse_utc

        tt = parse_utc(t)
        if getattr(tt, "shape", ()) != ():
            from ..errors import InputError

            raise InputError(f"Ephemeris.at takes one instant, got {tt.shape[0] if tt.shape else ''} times; for many, "
                             "eph.interpolate(eph.seconds_from_epoch(t)) gives the (n, 3) positions and velocities")
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
        from ..time import add_seconds, iso_utc

        s0, s1 = float(self.seconds_from_epoch(t0)), float(self.seconds_from_epoch(t1))
        if not (s0 <= s1 and s1 >= self.t_s[0] and s0 <= self.t_s[-1]):
            raise InputError(f"slice [{iso_utc(add_seconds(self.epoch, s0), 0)}, {iso_utc(add_seconds(self.epoch, s1), 0)}] "
                             f"{'ends before it starts' if s1 < s0 else 'is outside the ephemeris'}; give times from "
                             f"{iso_utc(add_seconds(self.epoch, float(self.t_s[0])), 0)} to "
                             f"{iso_utc(add_seconds(self.epoch, float(self.t_s[-1])), 0)}, start first")
        i0 = max(int(np.searchsorted(self.t_s, s0, side="right")) - 1 - margin_samples, 0)
        i1 = min(int(np.searchsorted(self.t_s, s1, side="left")) + 1 + margin_samples, len(self.t_s))
        starts = tuple(sorted({0} | {j - i0 for j in self.segment_starts if i0 < j < i1}))
        valid = ()
        if self.valid_s:
            a, b = float(self.t_s[i0]), float(self.t_s[i1 - 1])
            valid = tuple((max(lo, a), min(hi, b)) for lo, hi in self.valid_s if min(hi, b) >= max(lo, a))
        return Ephemeris(
            self.epoch, self.t_s[i0:i1], self.r_m[i0:i1], self.v_mps[i0:i1], self.frame, self.name,
            starts, None if self.mass_kg is None else self.mass_kg[i0:i1], dict(self.meta), self.degree,
            valid,
        )


INSIDE_EARTH_M = 6.0e6
"""A sample nearer the Earth's centre than this [m] is inside the Earth
(polar radius 6356.8 km): refused as corrupt by :meth:`Ephemeris.sampling_report`."""


def _jump_tolerance_m(r_m, w_rad_s, h_s):
    """Largest miss [m] of the Hermite-cubic identity (:meth:`Ephemeris.corrupt_sample`) over a
    step ``h_s`` of a real orbit of radius ``r_m`` and mean motion ``w_rad_s``: 1 km, plus 10x
    the two-body ``h^5`` term (``r (w h)^5 / 720``), plus the J2 acceleration's change over the
    step (<= 0.025 m/s^2 at ISS heights) times ``h^2 / 2``; thrust (1e-3 m/s^2) adds less."""
    return 1000.0 + 10.0 * r_m * (w_rad_s * h_s) ** 5 / 720.0 + 0.025 * np.minimum(1.0, 2.0 * w_rad_s * h_s) * h_s ** 2 / 2.0


def _spans(t: np.ndarray, starts: tuple, valid) -> tuple:
    """The covered intervals (see :attr:`Ephemeris.spans_s`): ``valid`` checked and sorted, or
    one per segment, two segments merged when the gap between them is no longer than the
    longer of the steps at its two sides (the chaser's hand-overs, an extension joined to a
    file: a reading there stays within a step of a sample of the nearer segment)."""
    if valid:
        out = []
        for pair in valid:
            lo, hi = (float(x) for x in pair)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise InputError(f"an ephemeris' valid span must be (first, last) seconds with first <= last, got {pair}")
            out.append((lo, hi))
        out.sort()
        if out[0][0] < t[0] - 1e-6 or out[-1][1] > t[-1] + 1e-6:
            raise InputError("an ephemeris' valid span must lie inside its samples (no extrapolation)")
        return tuple(out)
    bounds = list(starts) + [len(t)]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        lo, hi = float(t[a]), float(t[b - 1])
        if out:
            plo, phi, pstep = out[-1]
            step_here = float(t[a + 1] - t[a]) if b - a > 1 else 0.0
            if lo <= phi + max(pstep, step_here) + 1e-6:
                out[-1] = (plo, max(phi, hi), float(t[b - 1] - t[b - 2]) if b - a > 1 else pstep)
                continue
        out.append((lo, hi, float(t[b - 1] - t[b - 2]) if b - a > 1 else 0.0))
    return tuple((lo, hi) for lo, hi, _ in out)


def _inside(spans: tuple, s: np.ndarray) -> np.ndarray:
    """Which times ``s`` [s] lie in one of ``spans`` (1 us tolerance)."""
    ok = np.zeros(len(s), dtype=bool)
    for lo, hi in spans:
        ok |= (s >= lo - 1e-6) & (s <= hi + 1e-6)
    return ok


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy of ``a`` (the caller's array is left as it was).

    Ephemerides are shared (the shipped ISS trajectory is cached per process), so their
    arrays are read-only: writing into one raises ``ValueError`` instead of silently
    changing every later user's orbit.
    """
    out = np.array(a, dtype=float, copy=True)
    out.flags.writeable = False
    return out


def _fmt_m(x: float) -> str:
    return f"{x / 1000:.3g} km" if x >= 1000 else f"{x:.3g} m"


def _pieces(t: np.ndarray, starts: tuple) -> tuple:
    """Index ranges ``(a, b)`` (``b`` exclusive) that interpolation windows never cross.

    Each segment, cut where a run of at least two steps more than 3x shorter than the step
    before it begins, or more than 3x shorter than the step after it ends: NASA samples a
    planned burn every ~1 to 30 s inside its 4-min grid, and a polynomial through both the
    burn's samples and the coast's, across the ignition or the cutoff (where the acceleration
    jumps), would ring by kilometres or worse. Of two cuts one sample apart the larger step
    jump is kept (a lone transition step stays with the coast); an isolated off-grid sample
    (an event time) does not cut. Neighbouring pieces of one segment share their boundary
    sample.
    """
    bounds = list(starts) + [len(t)]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        steps = np.diff(t[a:b])
        n = len(steps)
        cand = []                                   # (sample index, jump ratio)
        if n >= 3:
            i = np.arange(1, n)
            prev, cur = steps[:-1], steps[1:]
            nxt = np.append(steps[2:], np.inf)                       # steps[i + 1]
            before = np.insert(steps[:-2], 0, np.inf)                # steps[i - 2]
            begins = (cur * 3.0 < prev) & (nxt * 3.0 < prev)         # a short run begins at sample i
            ends = ~begins & (prev * 3.0 < cur) & (before * 3.0 < cur)   # a short run ends there
            for k in np.nonzero(begins | ends)[0]:
                cand.append((a + int(i[k]), float(prev[k] / cur[k] if begins[k] else cur[k] / prev[k])))
        cuts = []
        for idx, jump in cand:
            if cuts and idx - cuts[-1][0] <= 1:
                if jump > cuts[-1][1]:
                    cuts[-1] = (idx, jump)
                continue
            cuts.append((idx, jump))
        edges = [a] + [c for c, _ in cuts] + [b - 1]
        for lo, hi in zip(edges[:-1], edges[1:]):
            if hi > lo:
                out.append((lo, hi + 1))
        if b - a == 1:
            out.append((a, b))
    return tuple(out)


def _hermite_weights(x: np.ndarray, xs: np.ndarray):
    """Hermite basis on nodes ``x`` (m, n) at ``xs`` (m, 1): weights of the node positions and
    (scaled-time) velocities for the value and for its derivative, each (m, n)."""
    n = x.shape[1]
    eye = np.eye(n, dtype=bool)[None]
    diff = x[:, :, None] - x[:, None, :]                           # x_j - x_k
    diff = np.where(eye, 1.0, diff)
    A = (xs[:, :, None] - x[:, None, :]) / diff                    # (s - x_k)/(x_j - x_k)
    A = np.where(eye, 1.0, A)
    L = np.prod(A, axis=2)                                         # Lagrange basis L_j(s)
    # L_j'(s) = sum_{k != j} 1/(x_j - x_k) prod_{l != j, k} A_jl  (prefix and suffix products)
    ones = np.ones(A.shape[:2] + (1,))
    pre = np.concatenate([ones, np.cumprod(A, axis=2)[:, :, :-1]], axis=2)
    suf = np.concatenate([np.cumprod(A[:, :, ::-1], axis=2)[:, :, ::-1][:, :, 1:], ones], axis=2)
    inv = np.where(eye, 0.0, 1.0 / diff)
    dL = np.sum(inv * pre * suf, axis=2)
    c = np.sum(inv, axis=2)                                        # L_j'(x_j)
    u = xs - x
    L2 = L * L
    return ((1.0 - 2.0 * c * u) * L2, u * L2,
            -2.0 * c * L2 + (1.0 - 2.0 * c * u) * 2.0 * L * dL, L2 + u * 2.0 * L * dL)


def _hermite(t, r, v, s, n, shift: int = 0):
    """Hermite interpolation of positions ``r`` and velocities ``v`` sampled at ``t``, on the
    ``n`` samples centred on each ``s`` (the window moved by ``shift`` samples): returns
    position and velocity (its derivative).

    Lagrange form: with ``L_j`` the Lagrange basis of the window and ``c_j = L_j'(t_j)``,
    ``p(s) = sum_j [(1 - 2 c_j (s - t_j)) L_j(s)^2 r_j + (s - t_j) L_j(s)^2 v_j]``.
    Time is centred on the window and scaled by its span (conditioning). The weights are
    computed once per distinct window geometry (regular grids repeat it), in chunks.
    """
    N = len(t)
    n = max(1, min(int(n), N))
    M = len(s)
    out_r = np.empty((M, 3))
    out_v = np.empty((M, 3))
    if n == 1:                       # one sample: the nearest state, moved along its velocity
        i = np.clip(np.searchsorted(t, s), 0, N - 1)
        i = np.where((i > 0) & (np.abs(t[np.maximum(i - 1, 0)] - s) < np.abs(t[i] - s)), i - 1, i)
        ds = (s - t[i])[:, None]
        return r[i] + v[i] * ds, v[i].copy()
    eye = np.eye(n, dtype=bool)[None]
    for c0 in range(0, M, _CHUNK):
        sc = s[c0:c0 + _CHUNK]
        idx = np.clip(np.searchsorted(t, sc) - n // 2 + shift, 0, N - n)
        win = idx[:, None] + np.arange(n)[None, :]                 # (m, n)
        tw = t[win]
        t0 = tw[:, n // 2][:, None]
        h = (tw[:, -1] - tw[:, 0])[:, None]
        x = (tw - t0) / h                                          # (m, n)
        xs = (sc[:, None] - t0) / h                                # (m, 1)
        u = xs - x
        near = np.min(np.abs(u), axis=1) < 1e-6                    # at (or next to) a sample
        hj = np.empty_like(x)
        kj = np.empty_like(x)
        dhj = np.empty_like(x)
        dkj = np.empty_like(x)
        if np.any(~near):
            # barycentric form, O(n) per point: L_j = w_j l(s) / (s - x_j),
            # L_j' = L_j sum_{k != j} 1 / (s - x_k); the node weights w_j and c_j = L_j'(x_j)
            # once per distinct window geometry (rows hashed by a random projection)
            f = ~near
            xf, uf = x[f], u[f]
            key = np.round(xf * 1e12) @ _HASH[:n]
            _, first, inv = np.unique(key, return_index=True, return_inverse=True)
            xu = xf[first]
            d = np.where(eye, 1.0, xu[:, :, None] - xu[:, None, :])
            w = (1.0 / np.prod(d, axis=2))[inv.reshape(-1)]
            c = np.sum(np.where(eye, 0.0, 1.0 / d), axis=2)[inv.reshape(-1)]
            inv_u = 1.0 / uf
            L = w * np.prod(uf, axis=1)[:, None] * inv_u
            dL = L * (np.sum(inv_u, axis=1)[:, None] - inv_u)
            L2 = L * L
            hj[f] = (1.0 - 2.0 * c * uf) * L2
            kj[f] = uf * L2
            dhj[f] = -2.0 * c * L2 + (1.0 - 2.0 * c * uf) * 2.0 * L * dL
            dkj[f] = L2 + uf * 2.0 * L * dL
        if np.any(near):
            hj[near], kj[near], dhj[near], dkj[near] = _hermite_weights(x[near], xs[near])
        rw, vw = r[win], v[win] * h[:, :, None]                    # velocities in scaled time
        out_r[c0:c0 + _CHUNK] = np.einsum("mj,mjk->mk", hj, rw) + np.einsum("mj,mjk->mk", kj, vw)
        out_v[c0:c0 + _CHUNK] = (np.einsum("mj,mjk->mk", dhj, rw) + np.einsum("mj,mjk->mk", dkj, vw)) / h
    return out_r, out_v
