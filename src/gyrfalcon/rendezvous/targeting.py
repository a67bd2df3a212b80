"""Differential correction of rendezvous burns under the full force model.

The problem: from the chaser's state at insertion, burns at given epochs (the scheme's slots;
the last one is the braking burn at the aim point) must bring the chaser to the *aim state*:
a relative position and velocity in the station's LVLH frame at the aim epoch, after braking.
Six equations; the unknowns are the burns' velocity changes (three components each, in the
chaser's RTN frame at the burn), so there are more unknowns than equations.

Method (a minimum-norm Newton / Gauss-Newton corrector):

* residual ``F(x)`` = (relative position - aim, relative velocity - aim) at the aim epoch,
  obtained by propagating the chaser through the burns with the caller's ``propagate_to``
  (normally :class:`gyrfalcon.orbits.propagator.Propagator` with the ``full`` force model)
  and the station's ephemeris;
* Jacobian ``J`` by forward finite differences (one propagation per component, restarted
  from the cached state just before the perturbed burn; the braking burn's columns are exact);
* update ``x <- argmin ||W x||  s.t.  F(x_k) + J (x - x_k) = 0`` ("total" mode: converges to
  the feasible plan of least weighted sum of squared burn sizes, a smooth stand-in for least
  propellant; :mod:`.plan` re-weights it to least total delta-v) or the least change from
  the current plan ("step" mode, used to re-target finite burns from the impulsive plan).
  A step = the least-norm correction of the miss + (total mode) a slide along the constraint
  surface; the slide is halved first, then the correction, until the miss does not grow
  (beyond 1 km / 1 m/s in total mode, which later steps remove). Singular directions (burns
  that cannot influence the aim) are cut at :data:`RCOND`.

First guess: Clohessy-Wiltshire in curvilinear coordinates (valid for the 1,000-2,000 km
along-track separations of phasing, with the drift rate of the J2-averaged orbits) solved
for the same minimum-norm burns, with the slot epochs from two-body arcs plus the J2
secular drift of the argument of latitude (:func:`slot_offsets_s`).

Assumptions: impulsive burns change velocity instantly and mass by the rocket equation;
burn epochs stay fixed during the correction (they are the scheme's nominal epochs computed
from the first guess, so the achieved argument of latitude differs by a fraction of a degree).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..constants import G0_MPS2, MU_EARTH_M3_S2
from ..errors import GyrfalconError, InputError


RCOND = 1e-9
"""Relative singular-value cut of the minimum-norm solves: directions the burns cannot
influence (e.g. equal out-of-plane burns half an orbit apart) get no correction from
finite-difference noise."""


class TargetingError(GyrfalconError):
    """The differential corrector did not meet the aim point within its iteration budget."""


@dataclass(frozen=True)
class CorrectorReport:
    """How a correction went: iterations, final miss, and the miss after each iteration."""

    converged: bool
    iterations: int
    miss_position_m: float
    miss_velocity_mps: float
    history: tuple  # ((miss_m, miss_mps), ...) starting with the first guess


# ---------------------------------------------------------------------------------------
# impulses
# ---------------------------------------------------------------------------------------
def _rtn_rows3(r_m, v_mps) -> np.ndarray:
    """Rows R, T, N of one state's RTN frame, as :func:`gyrfalcon.frames.rtn_matrix` (same
    definition), with scalar arithmetic: ten times cheaper than numpy's batched cross products
    for one 3-vector, which matters in the correctors' finite differences."""
    rx, ry, rz = (float(c) for c in r_m)
    vx, vy, vz = (float(c) for c in v_mps)
    hx, hy, hz = ry * vz - rz * vy, rz * vx - rx * vz, rx * vy - ry * vx
    rn = math.sqrt(rx * rx + ry * ry + rz * rz)
    hn = math.sqrt(hx * hx + hy * hy + hz * hz)
    if rn == 0.0 or hn <= 1e-12 * rn * math.sqrt(vx * vx + vy * vy + vz * vz):
        from ..frames import rtn_matrix

        return rtn_matrix(r_m, v_mps)          # raises the frames module's InputError
    ax, ay, az = rx / rn, ry / rn, rz / rn
    nx, ny, nz = hx / hn, hy / hn, hz / hn
    return np.array([[ax, ay, az], [ny * az - nz * ay, nz * ax - nx * az, nx * ay - ny * ax], [nx, ny, nz]])


def rtn_to_inertial(r_m, v_mps, vec_rtn) -> np.ndarray:
    """Rotate a vector from the RTN frame of (r, v) to the inertial frame.

    >>> rtn_to_inertial([7e6, 0, 0], [0, 7.5e3, 1e3], [0.0, 1.0, 0.0]).round(4) + 0.0
    array([0.    , 0.9912, 0.1322])
    """
    return _rtn_rows3(r_m, v_mps).T @ np.asarray(vec_rtn, dtype=float)


def inertial_to_rtn(r_m, v_mps, vec) -> np.ndarray:
    """Rotate an inertial vector into the RTN frame of (r, v)."""
    return _rtn_rows3(r_m, v_mps) @ np.asarray(vec, dtype=float)


class RelativeTo:
    """:func:`gyrfalcon.frames.relative_state` against one fixed target state, with the target's
    LVLH matrix and frame rate computed once (the correctors evaluate it hundreds of times).
    Same definitions; a chaser in another frame or at another instant goes through
    :func:`~gyrfalcon.frames.relative_state` itself (which checks and converts)."""

    def __init__(self, target):
        from ..frames import lvlh_matrix

        self.target = target
        self._frame = target.frame
        self._tt = float(target.t.tt)
        r, v = np.asarray(target.r_m, float), np.asarray(target.v_mps, float)
        self._r, self._v = r, v
        self._m = lvlh_matrix(r, v)
        self._w = np.cross(r, v) / float(r @ r)

    def __call__(self, chaser):
        if chaser.frame != self._frame or self._frame == "ITRF" or abs(float(chaser.t.tt) - self._tt) * 86400.0 > 1e-7:
            from ..frames import relative_state

            return relative_state(self.target, chaser)
        d_r = np.asarray(chaser.r_m, float) - self._r
        w = self._w
        d_v = np.asarray(chaser.v_mps, float) - self._v - np.array(
            [w[1] * d_r[2] - w[2] * d_r[1], w[2] * d_r[0] - w[0] * d_r[2], w[0] * d_r[1] - w[1] * d_r[0]])
        return self._m @ d_r, self._m @ d_v


def apply_impulse(state, dv_rtn_mps, isp_s: float | None = None):
    """The state just after an impulsive burn ``dv_rtn_mps`` (RTN of the pre-burn state).

    Mass (when known and ``isp_s`` given) follows the rocket equation m1 = m0 exp(-dv / (Isp g0)).

    >>> from gyrfalcon.orbits.state import State
    >>> from gyrfalcon.time import parse_utc
    >>> s = State(parse_utc("2025-11-27T10:00Z"), [7e6, 0, 0], [0, 7.5e3, 0], mass_kg=7000.0)
    >>> s1 = apply_impulse(s, [0, 10.0, 0], isp_s=302.0)
    >>> float(s1.v_mps[1]), round(s1.mass_kg, 3)
    (7510.0, 6976.404)
    """
    from ..orbits.state import State

    dv = np.asarray(dv_rtn_mps, dtype=float)
    v1 = state.v_mps + rtn_to_inertial(state.r_m, state.v_mps, dv)
    m = state.mass_kg
    if m is not None and isp_s:
        m = float(m) * math.exp(-float(np.linalg.norm(dv)) / (float(isp_s) * G0_MPS2))
    return State(state.t, state.r_m, v1, state.frame, m)


def propellant_kg(mass_before_kg, dv_mps, isp_s: float):
    """Propellant burnt for ``dv_mps`` by the rocket equation [kg] (numbers, or arrays of runs).

    >>> round(propellant_kg(7152.0, 22.0, 302.0), 3)   # Orekit burns_ms28 DV1: 7152 -> 7099.069 kg
    52.931
    """
    out = np.asarray(mass_before_kg, float) * (1.0 - np.exp(-np.asarray(dv_mps, float) / (float(isp_s) * G0_MPS2)))
    return float(out) if out.ndim == 0 else out


def burn_duration_s(mass_before_kg, dv_mps, thrust_n: float, isp_s: float):
    """Duration of a constant-thrust burn giving ``dv_mps`` (rocket equation, constant mass flow) [s]
    (numbers, or arrays of runs).

    >>> round(burn_duration_s(7152.0, 22.0, 2950.0, 302.0), 2)
    53.14
    """
    return propellant_kg(mass_before_kg, dv_mps, isp_s) * float(isp_s) * G0_MPS2 / float(thrust_n)


# ---------------------------------------------------------------------------------------
# first guess: slot epochs and curvilinear CW
# ---------------------------------------------------------------------------------------
def _j2_arglat_rate_factor(r_m, v_mps, mu=MU_EARTH_M3_S2) -> float:
    """1 + the relative J2 secular increase of d(arglat)/dt over the Keplerian mean motion."""
    from .twobody import j2_secular_rates

    return j2_secular_rates(r_m, v_mps, mu)[1]


def slot_offsets_s(chaser0, slots: Sequence, dv_rtn_mps=None, mu=MU_EARTH_M3_S2, return_arglat: bool = False):
    """Seconds from ``chaser0`` to each slot, flying the given burns (see :class:`~.schemes.BurnSlot`).

    Two-body arcs between burns with the J2 secular rate of the argument of latitude (mean
    motion plus perigee drift); each burn is applied at its slot before timing the next.
    With ``return_arglat`` also the argument-of-latitude advance since insertion at each slot
    (for orbit numbers) [rad].
    """
    from .twobody import arglat_rad, kepler_propagate, time_to_arglat_s

    x = np.zeros((len(slots), 3)) if dv_rtn_mps is None else np.asarray(dv_rtn_mps, float).reshape(-1, 3)
    r, v = np.array(chaser0.r_m), np.array(chaser0.v_mps)
    u_ins = arglat_rad(r, v)
    t_aim = slots[-1].after_insertion_s
    t = 0.0
    u_prev = 0.0
    out, adv = [], []
    for k, slot in enumerate(slots):
        f = _j2_arglat_rate_factor(r, v, mu)
        if slot.kind == "arglat":
            u_k = slot.arglat_since_insertion_rad(u_ins)
            if u_k <= u_prev:
                raise InputError(f"burn slots must follow each other along the orbit; {slot.name} does not")
            dt = time_to_arglat_s(r, v, u_k - u_prev, mu) / f
        else:
            # arglat advance from here to the (time-defined) aim on the current orbit
            dt_aim = t_aim - t
            if dt_aim <= 0:
                raise InputError(f"burn {slot.name} falls after the aim time; move it earlier")
            a = 1.0 / (2.0 / np.linalg.norm(r) - float(v @ v) / mu)
            period = 2 * math.pi * math.sqrt(a ** 3 / mu)
            revs, rem = divmod(dt_aim * f, period)
            r_a, v_a = kepler_propagate(r, v, rem, mu)
            du_aim = revs * 2 * math.pi + (arglat_rad(r_a, v_a) - arglat_rad(r, v)) % (2 * math.pi)
            if slot.kind == "time":
                dt, u_k = dt_aim, u_prev + du_aim
            else:
                du = du_aim - slot.before_aim_rad
                if du <= 0:
                    raise InputError(f"burn {slot.name} would come before the previous burn; check the scheme")
                dt, u_k = time_to_arglat_s(r, v, du, mu) / f, u_prev + du
        r, v = kepler_propagate(r, v, dt, mu)
        t += dt
        out.append(t)
        adv.append(u_k)
        v = v + rtn_to_inertial(r, v, x[k])
        u_prev = u_k
    if return_arglat:
        return np.array(out), np.array(adv)
    return np.array(out)


def curvilinear_state(station_r_m, station_v_mps, chaser_r_m, chaser_v_mps, catch_up_rad=None,
                      match_drift: bool = False, mu: float = MU_EARTH_M3_S2) -> np.ndarray:
    """Chaser relative to the station in curvilinear LVLH coordinates (arc along-track) [m, m/s].

    x = station radius x (in-plane angle the chaser is ahead), y = -(out-of-plane distance),
    z = station radius - chaser radius (positive below); velocities are the rates of these
    (x-rate from the difference of angular rates). Reduces to LVLH near the station.
    ``catch_up_rad`` (>= the in-plane phase, by whole turns) replaces the angle so that a
    scheme that catches up more than a turn, or 300 deg rather than -60 deg, is represented.
    ``match_drift`` replaces the along-track rate by the one whose CW secular drift equals the
    drift of the J2-averaged orbits (difference of their argument-of-latitude rates), which
    CW's linearisation misses by ~20 % at a 200 km height difference; use it for phasing
    first guesses.
    """
    rt, vt = np.asarray(station_r_m, float), np.asarray(station_v_mps, float)
    rc, vc = np.asarray(chaser_r_m, float), np.asarray(chaser_v_mps, float)
    h = np.cross(rt, vt)
    hn = h / np.linalg.norm(h)
    rtn, rcn = float(np.linalg.norm(rt)), float(np.linalg.norm(rc))
    rcp = rc - (rc @ hn) * hn
    theta = math.atan2(float(np.cross(rt, rcp) @ hn), float(rt @ rcp))
    if catch_up_rad is not None:
        theta = -float(catch_up_rad)
    # angular rates about the station's orbit normal
    wt = float(np.linalg.norm(h)) / rtn ** 2
    wc = float(np.cross(rc, vc) @ hn) / rcn ** 2
    rdot_t = float(rt @ vt) / rtn
    rdot_c = float(rc @ vc) / rcn
    x = rtn * theta
    xd = rtn * (wc - wt) + rdot_t * theta
    if match_drift:
        # CW's secular along-track drift (6 n z - 3 xd) is first order in the height difference
        # and 20 % off for a 200 km lower chaser; pick the rate that gives the drift of the
        # mean (J2-averaged) orbits: mean motions of the mean semi-major axes, J2 arglat rates
        from .twobody import j2_secular_rates, mean_semi_major_axis_m

        a_t = mean_semi_major_axis_m(rt, vt, mu)
        a_c = mean_semi_major_axis_m(rc, vc, mu)
        n_t = math.sqrt(mu / a_t ** 3) * j2_secular_rates(rt, vt, mu)[1]
        n_c = math.sqrt(mu / a_c ** 3) * j2_secular_rates(rc, vc, mu)[1]
        xd = (6.0 * n_t * (rtn - rcn) - rtn * (n_c - n_t)) / 3.0
    y = -float(rc @ hn)
    yd = -float(vc @ hn)
    z = rtn - rcn
    zd = rdot_t - rdot_c
    return np.array([x, y, z, xd, yd, zd])


def cw_min_norm_burns(n_rad_s: float, X0, burn_times_s, t_aim_s: float, X_aim, weights=None) -> np.ndarray:
    """Minimum weighted-norm impulses (LVLH) at ``burn_times_s`` taking ``X0`` (t = 0) to ``X_aim``.

    Clohessy-Wiltshire dynamics; a burn at ``t_aim_s`` acts on the final velocity. Returns
    (K, 3) impulses in LVLH [m/s].

    >>> import numpy as np
    >>> n = 2 * np.pi / 5580.0
    >>> dv = cw_min_norm_burns(n, np.zeros(6), [0.0, 2790.0], 2790.0, [0, 0, 0, 0, 0, 0])
    >>> float(np.abs(dv).max())
    0.0
    """
    from .cw import stm

    K = len(burn_times_s)
    A = np.zeros((6, 3 * K))
    for k, tk in enumerate(burn_times_s):
        A[:, 3 * k:3 * k + 3] = stm(n_rad_s, t_aim_s - tk)[:, 3:]
    b = np.asarray(X_aim, float) - stm(n_rad_s, t_aim_s) @ np.asarray(X0, float)
    w = np.ones(3 * K) if weights is None else np.asarray(weights, float).reshape(-1)
    y = np.linalg.lstsq(A / w, b, rcond=None)[0]
    return (y / w).reshape(K, 3)


def lvlh_to_rtn(vec_lvlh) -> np.ndarray:
    """LVLH (x = T, y = -N, z = -R) components to RTN components."""
    x, y, z = np.asarray(vec_lvlh, float).reshape(-1, 3).T
    return np.stack([-z, x, -y], axis=-1)


# ---------------------------------------------------------------------------------------
# the corrector
# ---------------------------------------------------------------------------------------
def min_norm_newton(evaluate: Callable, jacobian: Callable, x0, *, weights=None, mode: str = "total",
                    tol_position_m: float = 1.0, tol_velocity_mps: float = 1e-3,
                    tol_step_mps: float = 1e-3, max_iter: int = 25):
    """Generic minimum-norm Newton corrector (see the module docstring).

    ``evaluate(x) -> (F, cache)`` with ``F`` = (position miss (3) [m], velocity miss (3) [m/s]);
    ``jacobian(x, cache) -> J`` (6, len(x)). Returns ``(x, F, cache, CorrectorReport)``.

    >>> import numpy as np
    >>> A = np.array([[1.0, 1.0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0],
    ...               [0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1]])
    >>> b = np.array([2.0, 1, 1, 1, 1, 1])
    >>> x, F, _, rep = min_norm_newton(lambda x: (A @ x - b, None), lambda x, c: A, np.zeros(7))
    >>> np.round(x[:3], 9) + 0.0, rep.converged
    (array([1., 1., 1.]), True)
    """
    if mode not in ("total", "step"):
        raise InputError(f"mode must be 'total' or 'step', got {mode!r}")
    x = np.asarray(x0, float).reshape(-1).copy()
    w = np.ones_like(x) if weights is None else np.asarray(weights, float).reshape(-1)

    def miss(F):
        return float(np.linalg.norm(F[:3])), float(np.linalg.norm(F[3:]))

    def merit(F):
        m_r, m_v = miss(F)
        return m_r / 1000.0 + m_v   # 1 km ~ 1 m/s, the scale of orbit-rate coupling

    F, cache = evaluate(x)
    history = [miss(F)]
    it = 0
    for it in range(1, max_iter + 1):
        J = jacobian(x, cache)
        Jw = J / w
        # least-norm correction of the miss, plus (total mode) the move along the constraint
        # surface towards the least-norm plan; the latter is damped first when it misbehaves
        fix = np.linalg.lstsq(Jw, -F, rcond=RCOND)[0] / w
        slide = np.zeros_like(x)
        if mode == "total":
            slide = np.linalg.lstsq(Jw, J @ x - F, rcond=RCOND)[0] / w - x - fix
        m0 = merit(F)
        accept = max(m0, 1.0 if mode == "total" else 1e-3)
        halvings = [0.5 ** j for j in range(9)]                       # 1 ... 1/256
        trials = [fix + lam * slide for lam in halvings] if mode == "total" else []
        trials += [mu * fix for mu in halvings]
        for step in trials:
            x_try = x + step
            try:
                F_try, cache_try = evaluate(x_try)
            except GyrfalconError:        # e.g. a trial plan that re-enters or escapes
                continue
            if merit(F_try) <= accept:
                break
        else:
            raise TargetingError(
                f"the corrector could not reduce the miss ({history[-1][0]:.0f} m, {history[-1][1]:.3f} m/s) "
                f"at iteration {it}; the first guess is too far from a solution: check the burn epochs "
                "and that the phase suits the scheme")
        x, F, cache = x_try, F_try, cache_try
        history.append(miss(F))
        m_r, m_v = miss(F)
        step_size = float(np.max(np.abs(step))) if step.size else 0.0
        if m_r <= tol_position_m and m_v <= tol_velocity_mps and (mode == "step" or step_size <= tol_step_mps):
            break
    m_r, m_v = miss(F)
    ok = m_r <= tol_position_m and m_v <= tol_velocity_mps
    return x, F, cache, CorrectorReport(ok, it, m_r, m_v, tuple(history))


@dataclass
class ImpulsiveChain:
    """Chaser flight from insertion through impulsive burns to the aim epoch (the last burn's).

    ``burn_times``: skyfield Times of the burns (the last = braking at the aim epoch);
    ``station_aim``: the station's State at the aim epoch; ``aim_rho_m``/``aim_rho_dot_mps``:
    aim state in the station's LVLH frame; ``propagate_to(state, t) -> State``.
    """

    chaser0: object
    burn_times: tuple
    station_aim: object
    aim_rho_m: np.ndarray
    aim_rho_dot_mps: np.ndarray
    propagate_to: Callable
    isp_s: float | None = None
    fd_step_mps: float = 0.01

    def _fly_from(self, k: int, state_before_k, x) -> tuple:
        """Pre-burn states from burn k on, and the state after the last burn."""
        pre = []
        s = state_before_k
        K = len(self.burn_times)
        for j in range(k, K):
            if j > k:
                s = self.propagate_to(s, self.burn_times[j])
            pre.append(s)
            s = apply_impulse(s, x[j], self.isp_s)
        return pre, s

    def residual(self, final_state) -> np.ndarray:
        rel = self.__dict__.get("_rel")
        if rel is None or rel.target is not self.station_aim:
            rel = self.__dict__["_rel"] = RelativeTo(self.station_aim)
        rho, rho_dot = rel(final_state)
        return np.concatenate([rho - self.aim_rho_m, rho_dot - self.aim_rho_dot_mps])

    def evaluate(self, xflat):
        x = np.asarray(xflat, float).reshape(-1, 3)
        s0 = self.propagate_to(self.chaser0, self.burn_times[0])
        pre, final = self._fly_from(0, s0, x)
        return self.residual(final), (pre, final)

    def jacobian(self, xflat, cache) -> np.ndarray:
        x = np.asarray(xflat, float).reshape(-1, 3)
        pre, final = cache
        F0 = self.residual(final)
        K = len(self.burn_times)
        J = np.zeros((6, 3 * K))
        h = self.fd_step_mps
        for k in range(K):
            for c in range(3):
                xp = x.copy()
                xp[k, c] += h
                _, fin = self._fly_from(k, pre[k], xp)
                J[:, 3 * k + c] = (self.residual(fin) - F0) / h
        return J
