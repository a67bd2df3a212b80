"""Many spacecraft flown together in heyoka's batch (SIMD) mode, each with its own clock,
runtime parameters and finite burns.

:class:`BatchFlight` is the batch counterpart of chaining
:meth:`Propagator.propagate_to <gyrfalcon.orbits.propagator.Propagator.propagate_to>` calls
with :class:`~gyrfalcon.orbits.maneuvers.FiniteBurn` s: ``n`` lanes share one epoch and one
force model; :meth:`BatchFlight.advance` moves every lane to its own time (an array), with
the thrust of a per-lane burn switched on over the step if asked. Lanes are stepped in
blocks of :func:`~gyrfalcon.orbits.propagator.batch_lanes` (8 on this project's machines) by one
:func:`heyoka.taylor_adaptive_batch` integrator compiled once per process (and cached on
disk by heyoka): a Monte Carlo of thousands of dispersed flights costs a few milliseconds
per flight.

Assumptions and limits
----------------------
* Same dynamics as :class:`~gyrfalcon.orbits.propagator.Propagator` (the same compiled
  force model with :class:`~gyrfalcon.orbits.forces.FiniteThrust`, tolerance and reentry
  floor); time = TT seconds since the common ``epoch``; forward only.
* heyoka's batch mode gives every lane its own adaptive step and does lane-wise arithmetic
  only, so a lane's trajectory does not depend on which other lanes share its block: the
  same inputs give the same bits whatever ``n`` and the lane order (tested). Batch and
  scalar integrators agree to the tolerance, not bit for bit.
* The Earth-orientation quadratics (and any other segment provider's parameters) are
  refreshed on a common grid of segments of at most ``rotation_segment_s`` from the epoch,
  spread evenly over ``span_s`` (the expected length of the flight; beyond it, full-length
  segments).
* A lane that fails (reentry below the floor, a non-finite state) is frozen where it
  stopped and its reason is kept in :attr:`BatchFlight.error`; the other lanes go on.

>>> import numpy as np
>>> from gyrfalcon.time import parse_utc
>>> from gyrfalcon.orbits.propagator import Propagator
>>> t0 = parse_utc("2025-11-24T12:00Z")
>>> r = np.array([[4594537.643, -518498.052, 4971920.397]] * 2)
>>> v = np.array([[3048.8547, 6705.8943, -2115.9935]] * 2)
>>> fl = BatchFlight(Propagator("two-body"), t0, r, v, mass_kg=[7000.0, 7000.0])
>>> fl.advance([100.0, 100.0], thrust_n=[0.0, 2950.0], isp_s=302.0, direction=[[0, 1, 0]] * 2, frame="RTN")
>>> fl.advance(200.0)
>>> fl.t_s.tolist(), round(float(fl.mass_kg[1]), 1)
([200.0, 200.0], 6900.4)
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import InputError
from .forces import ROTATION_SEGMENT_S, tt_jc

__all__ = ["BatchFlight", "THRUST_FRAMES"]

THRUST_FRAMES = ("RTN", "TNW", "GCRF")
"""Frames a batch burn's direction may be given in (see :class:`~gyrfalcon.orbits.forces.FiniteThrust`)."""


def _lanes(x, n: int, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    try:
        return np.array(np.broadcast_to(a, (n,)), dtype=float)
    except ValueError:
        raise InputError(f"{name} must be a number or {n} numbers (one per lane), got shape {a.shape}") from None


class _LaneStates:
    """Lane ``i`` as a State, built only when an error message needs it."""

    def __init__(self, epoch, t0, R, V):
        self._a = (epoch, t0, R, V)

    def __getitem__(self, i):
        from ..time import add_seconds
        from .state import State

        epoch, t0, R, V = self._a
        return State(add_seconds(epoch, float(t0[i])), R[i], V[i], "GCRF")


class BatchFlight:
    """``n`` spacecraft flown together (see the module docstring).

    Parameters
    ----------
    propagator : Propagator
        The force model, tolerance and reentry floor (its integrator is compiled with thrust
        in batch mode on first use).
    epoch : skyfield ``Time``
        Common epoch; lane times are TT seconds after it.
    r_m, v_mps : array (n, 3)
        GCRF positions [m] and velocities [m/s] at the lanes' start times.
    mass_kg : array (n,)
        Masses [kg] (needed: drag and thrust).
    t_s : float or array (n,)
        Start time of each lane [s after ``epoch``].
    params : dict
        Runtime parameters (``drag_scale``, ``drag_cd``, ``drag_area_m2``): a number or one
        value per lane.
    span_s : float
        Expected length of the flight [s] (sets the Earth-orientation segment grid).
    """

    def __init__(self, propagator, epoch, r_m, v_mps, mass_kg, t_s=0.0, params: dict | None = None,
                 span_s: float = ROTATION_SEGMENT_S):
        from .propagator import _check_dates, _needs_earth_orientation, batch_lanes

        R = np.atleast_2d(np.asarray(r_m, dtype=float))
        V = np.atleast_2d(np.asarray(v_mps, dtype=float))
        if R.ndim != 2 or R.shape[1] != 3 or V.shape != R.shape:
            raise InputError(f"r_m and v_mps must both be (n, 3) arrays, got {R.shape} and {V.shape}")
        n = len(R)
        if n == 0:
            raise InputError("a BatchFlight needs at least one lane")
        self.n = n
        self._prop = propagator
        self.epoch = epoch
        m = _lanes(mass_kg, n, "mass_kg")
        if not np.all((m > 0) & np.isfinite(m)):
            raise InputError("mass_kg must be positive and finite for every lane (e.g. 7152.0)")
        t0 = _lanes(t_s, n, "t_s")
        propagator._check_orbits(R, V, _LaneStates(epoch, t0, R, V))
        B = batch_lanes()
        self.block = B
        comp = propagator.compiled((), thrust=True, batch_size=B)
        self._comp = comp
        self._epoch_jc = tt_jc(epoch)
        span = max(float(span_s), 1.0)
        _check_dates(propagator.model, _needs_earth_orientation(propagator.model, ()), epoch, span)
        L = float(propagator.rotation_segment_s)
        k = max(1, int(math.ceil(span / L - 1e-9)))
        self._seg_len = span / k
        self._seg_n = k
        self._seg_cache: dict = {}
        P = propagator._param_values(comp, params, self._epoch_jc, n=n)
        P[comp.param_index["thrust_on"]] = 0.0     # burns are switched on per lane by advance()
        self._P = P
        self._nb = (n + B - 1) // B
        pad = np.arange(self._nb * B).clip(max=n - 1)
        self._pad = pad
        self._y = np.concatenate([R, V, m[:, None]], axis=1)
        self._t = t0.copy()
        self.error = [""] * n
        self._ok = np.ones(n, dtype=bool)
        self.steps = 0

    # -- state -------------------------------------------------------------------------------
    @property
    def t_s(self) -> np.ndarray:
        """Lane times [s after the epoch] (n,)."""
        return self._t.copy()

    @property
    def r_m(self) -> np.ndarray:
        return self._y[:, 0:3].copy()

    @property
    def v_mps(self) -> np.ndarray:
        return self._y[:, 3:6].copy()

    @property
    def mass_kg(self) -> np.ndarray:
        return self._y[:, 6].copy()

    @property
    def ok(self) -> np.ndarray:
        """Lanes that have not failed (n,) bool."""
        return self._ok.copy()

    def stop(self, lanes, reason: str) -> None:
        """Stop the lanes where ``lanes`` ((n,) bool) is True, with ``reason`` as their error: they
        stay where they are (lanes already stopped keep their first reason)."""
        mask = np.asarray(lanes, dtype=bool)
        for i in np.nonzero(mask & self._ok)[0]:
            self.error[int(i)] = str(reason)
        self._ok &= ~mask

    # -- segments ----------------------------------------------------------------------------
    def _segment_bounds(self, k: int):
        if k < self._seg_n:
            return k * self._seg_len, (k + 1) * self._seg_len
        L = float(self._prop.rotation_segment_s)
        a = self._seg_n * self._seg_len + (k - self._seg_n) * L
        return a, a + L

    def _segment_params(self, k: int) -> dict:
        if k not in self._seg_cache:
            a, b = self._segment_bounds(k)
            out = {}
            for prov in self._comp.segment_providers:
                for name, val in prov.segment_params(np.array([self._epoch_jc]), np.array([a]),
                                                     np.array([b - a])).items():
                    out[self._comp.param_index[name]] = float(np.asarray(val)[0])
            self._seg_cache[k] = out
        return self._seg_cache[k]

    def _segment_of(self, t: np.ndarray) -> np.ndarray:
        k = np.floor(t / self._seg_len + 1e-12).astype(int)
        over = k >= self._seg_n
        if np.any(over):
            L = float(self._prop.rotation_segment_s)
            end = self._seg_n * self._seg_len
            k = np.where(over, self._seg_n + np.floor((t - end) / L + 1e-12).astype(int), k)
        return k

    # -- stepping ----------------------------------------------------------------------------
    def advance(self, t_s, *, thrust_n=None, isp_s=None, direction=None, frame: str = "RTN") -> None:
        """Move every lane to its time ``t_s`` (a number or (n,) [s after the epoch]).

        With ``thrust_n`` (a number or (n,) [N]; 0 = no burn for that lane), ``isp_s`` and a
        unit ``direction`` ((3,) or (n, 3), fixed in ``frame``: RTN, TNW or GCRF), each lane
        thrusts over the whole of its step, from its current time to ``t_s``: a finite burn.
        Lanes already at or past their ``t_s`` do not move; failed lanes stay where they stopped.
        """
        n = self.n
        target = _lanes(t_s, n, "t_s")
        if np.any(self._ok & (target < self._t - 1e-9)):
            raise InputError("BatchFlight only flies forward: a target time is before a lane's current time")
        idx = self._comp.param_index
        burn = thrust_n is not None
        if burn:
            fr = str(frame).upper()
            if fr not in THRUST_FRAMES:
                raise InputError(f"thrust frame must be one of {', '.join(THRUST_FRAMES)}, got {frame!r}")
            thr = _lanes(thrust_n, n, "thrust_n")
            isp = _lanes(isp_s if isp_s is not None else 300.0, n, "isp_s")
            d = np.array(np.broadcast_to(np.asarray(direction, dtype=float), (n, 3)))
            if np.any(thr < 0) or np.any(isp <= 0):
                raise InputError("thrust_n must be >= 0 and isp_s > 0 for every lane")
            norm = np.linalg.norm(d, axis=1)
            if np.any((thr > 0) & (np.abs(norm - 1.0) > 1e-6)):
                raise InputError("burn directions must be unit vectors (one (3,) vector or one per lane)")
            P = self._P
            P[idx["thrust_on"]] = (thr > 0).astype(float)
            P[idx["thrust_n"]] = thr
            P[idx["thrust_isp_s"]] = isp
            for i in range(3):
                P[idx[f"thrust_d{i + 1}"]] = d[:, i]
            for f in THRUST_FRAMES:
                P[idx[f"thrust_{f.lower()}"]] = float(f == fr)
        try:
            self._advance(target)
        finally:
            if burn:
                self._P[idx["thrust_on"]] = 0.0

    def _advance(self, target: np.ndarray) -> None:
        from .propagator import _good_outcomes, _outcome_event

        comp, B = self._comp, self.block
        ta = comp.ta
        good = _good_outcomes()
        with comp.lock:
            for blk in range(self._nb):
                lanes = self._pad[blk * B:(blk + 1) * B]
                live = self._ok[lanes] & (target[lanes] > self._t[lanes] + 1e-12)
                if not np.any(live):
                    continue
                ta.set_time(self._t[lanes].copy())
                ta.state[:] = self._y[lanes].T
                ta.pars[:] = self._P[:comp.npar, lanes]
                if comp.has_events:  # heyoka refuses without events
                    ta.reset_cooldowns()
                goal = np.where(live, target[lanes], self._t[lanes])
                # each lane's state is taken the moment it is done: heyoka keeps time in double-length
                # (hi + lo) and a lane asked to stay at its (hi) time while others go on would be nudged
                # by lo, which would make its bits depend on its block mates
                done_t = np.array(self._t[lanes], dtype=float)
                done_y = np.array(self._y[lanes].T, dtype=float)
                pending = live.copy()
                while True:
                    now = np.asarray(ta.time, dtype=float)
                    k = self._segment_of(now)
                    todo = pending & (now < goal - 1e-12)
                    fin = pending & ~todo
                    if np.any(fin):
                        st = np.array(ta.state)
                        done_t[fin] = now[fin]
                        done_y[:, fin] = st[:, fin]
                        pending &= ~fin
                    if not np.any(todo):
                        break
                    stop = now.copy()
                    for j in np.nonzero(todo)[0]:
                        for p_i, val in self._segment_params(int(k[j])).items():
                            ta.pars[p_i, j] = val
                        stop[j] = min(goal[j], self._segment_bounds(int(k[j]))[1])
                    ta.propagate_until(stop)
                    for j, res in enumerate(ta.propagate_res):
                        if not todo[j]:
                            continue
                        self.steps += int(res[3])
                        if int(res[0]) not in good:
                            lane = int(lanes[j])
                            if self._ok[lane]:
                                ev = _outcome_event(res[0])
                                self.error[lane] = (
                                    f"fell below the {self._prop.floor_m / 1e3:g} km floor" if ev is not None
                                    else f"heyoka stopped with outcome {res[0]}")
                            self._ok[lane] = False
                            pending[j] = False
                            done_t[j] = float(np.asarray(ta.time, dtype=float)[j])
                            done_y[:, j] = np.array(ta.state)[:, j]
                # write back (each lane once: padding repeats the last lane)
                first = {}
                for j, lane in enumerate(lanes):
                    first.setdefault(int(lane), j)
                for lane, j in first.items():
                    self._t[lane] = done_t[j]
                    self._y[lane] = done_y[:, j]
