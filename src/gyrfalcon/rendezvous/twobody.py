"""Closed-form two-body tools for the rendezvous planner: Kepler propagation, Hohmann, arglat timing.

These are the planner's *first-guess* and sanity-check models, not its dynamics (the targeted
plan is always propagated with :mod:`gyrfalcon.orbits.propagator`). Assumptions: point-mass
Earth (``mu`` = :data:`~gyrfalcon.constants.MU_EARTH_M3_S2` unless given), inertial frame,
impulsive velocity changes, closed (elliptic) orbits. SI units: m, m/s, s, rad.

Kepler propagation uses the universal-variable formulation with Stumpff functions
(Curtis, *Orbital Mechanics for Engineering Students*, 3rd ed., Algorithms 3.3-3.4;
Vallado, *Fundamentals of Astrodynamics*, 4th ed., Algorithm 8).

>>> import numpy as np
>>> r, v = kepler_propagate([7e6, 0, 0], [0, 7546.05, 0], 0.0)
>>> float(r[0]), float(v[1])
(7000000.0, 7546.05)
>>> round(hohmann_dv_mps(6378137 + 221e3, 6378137 + 418e3)[2], 1)   # domain.md 2.3: about 113 m/s
113.5
"""
from __future__ import annotations

import math

import numpy as np

from ..constants import EGM2008_A_M, J2_EGM2008, MU_EARTH_M3_S2
from ..errors import ImpossibleOrbitError, InputError


def _stumpff_c(z: float) -> float:
    if z > 1e-8:
        s = math.sqrt(z)
        return (1.0 - math.cos(s)) / z
    if z < -1e-8:
        s = math.sqrt(-z)
        return (math.cosh(s) - 1.0) / (-z)
    return 0.5 - z / 24.0 + z * z / 720.0


def _stumpff_s(z: float) -> float:
    if z > 1e-8:
        s = math.sqrt(z)
        return (s - math.sin(s)) / (s ** 3)
    if z < -1e-8:
        s = math.sqrt(-z)
        return (math.sinh(s) - s) / (s ** 3)
    return 1.0 / 6.0 - z / 120.0 + z * z / 5040.0


def kepler_propagate(r_m, v_mps, dt_s: float, mu_m3_s2: float = MU_EARTH_M3_S2):
    """Position and velocity after ``dt_s`` seconds of two-body motion (any direction in time).

    Returns ``(r_m, v_mps)`` as (3,) arrays. Works for elliptic and hyperbolic arcs; Newton
    iteration on the universal anomaly to 1e-12 relative.

    >>> import numpy as np
    >>> r0, v0 = np.array([7e6, 0, 0]), np.array([0, 7546.05, 1000.0])
    >>> a = 1 / (2 / 7e6 - (v0 @ v0) / MU_EARTH_M3_S2)
    >>> T = 2 * np.pi * np.sqrt(a ** 3 / MU_EARTH_M3_S2)
    >>> r1, v1 = kepler_propagate(r0, v0, T)          # one full period returns to the start
    >>> bool(np.allclose(r1, r0, atol=1e-4) and np.allclose(v1, v0, atol=1e-7))
    True
    """
    r0 = np.asarray(r_m, dtype=float).reshape(3)
    v0 = np.asarray(v_mps, dtype=float).reshape(3)
    dt = float(dt_s)
    if dt == 0.0:
        return r0.copy(), v0.copy()
    mu = float(mu_m3_s2)
    rn = float(np.linalg.norm(r0))
    if rn <= 0.0:
        raise ImpossibleOrbitError("kepler_propagate: the position is zero; give a position in metres from the Earth's centre")
    vr = float(r0 @ v0) / rn
    alpha = 2.0 / rn - float(v0 @ v0) / mu          # 1/a
    sq_mu = math.sqrt(mu)
    # initial guess (Vallado)
    chi = sq_mu * abs(alpha) * dt if abs(alpha) > 1e-14 else sq_mu * dt / rn
    for _ in range(100):
        z = alpha * chi * chi
        if z < -400.0:   # cosh overflow ahead: a wildly hyperbolic arc, not a rendezvous orbit
            raise ImpossibleOrbitError(
                "kepler_propagate: the state is far on a hyperbolic escape arc; check the velocity (m/s)")
        c, s = _stumpff_c(z), _stumpff_s(z)
        f = (rn * vr / sq_mu) * chi * chi * c + (1.0 - alpha * rn) * chi ** 3 * s + rn * chi - sq_mu * dt
        fp = (rn * vr / sq_mu) * chi * (1.0 - alpha * chi * chi * s) + (1.0 - alpha * rn) * chi * chi * c + rn
        step = f / fp
        chi -= step
        if abs(step) <= 1e-12 * max(1.0, abs(chi)):
            break
    else:  # pragma: no cover - Newton on a convex function does not stall for closed orbits
        raise ImpossibleOrbitError("kepler_propagate did not converge; check that the state is an orbit (m, m/s)")
    z = alpha * chi * chi
    c, s = _stumpff_c(z), _stumpff_s(z)
    f = 1.0 - chi * chi / rn * c
    g = dt - chi ** 3 / sq_mu * s
    r1 = f * r0 + g * v0
    r1n = float(np.linalg.norm(r1))
    fdot = sq_mu / (r1n * rn) * (alpha * chi ** 3 * s - chi)
    gdot = 1.0 - chi * chi / r1n * c
    v1 = fdot * r0 + gdot * v0
    return r1, v1


def hohmann_dv_mps(r1_m: float, r2_m: float, mu_m3_s2: float = MU_EARTH_M3_S2):
    """Two-impulse Hohmann transfer between coplanar circular orbits of radii ``r1_m`` -> ``r2_m``.

    Returns ``(dv1_mps, dv2_mps, total_mps, transfer_time_s)``; signs are positive for a raise.

    >>> dv1, dv2, tot, tof = hohmann_dv_mps(6678137.0, 42164137.0)   # LEO -> GEO, Curtis Ex. 6.1-like
    >>> round(tot), round(tof / 3600, 2)
    (3893, 5.28)
    """
    r1, r2, mu = float(r1_m), float(r2_m), float(mu_m3_s2)
    if not (r1 > 0 and r2 > 0):
        raise InputError(f"Hohmann radii must be positive metres from the Earth's centre, got {r1_m!r}, {r2_m!r}")
    at = 0.5 * (r1 + r2)
    dv1 = math.sqrt(mu / r1) * (math.sqrt(2 * r2 / (r1 + r2)) - 1.0)
    dv2 = math.sqrt(mu / r2) * (1.0 - math.sqrt(2 * r1 / (r1 + r2)))
    tof = math.pi * math.sqrt(at ** 3 / mu)
    return dv1, dv2, abs(dv1) + abs(dv2), tof


def arglat_rad(r_m, v_mps) -> float:
    """Argument of latitude of a position in the orbit plane of (r, v), in [0, 2 pi) [rad].

    Measured from the ascending node on the GCRF equator (the z = 0 plane).

    >>> round(math.degrees(arglat_rad([0, 0, 7e6], [-7.5e3, 0, 0])), 6)   # polar orbit, over the pole
    90.0
    """
    r = np.asarray(r_m, dtype=float)
    v = np.asarray(v_mps, dtype=float)
    h = np.cross(r, v)
    node = np.cross([0.0, 0.0, 1.0], h)
    nn = float(np.linalg.norm(node))
    if nn < 1e-9 * float(np.linalg.norm(h)):
        raise InputError("argument of latitude undefined for an equatorial orbit; use a true longitude instead")
    node /= nn
    rn = r / np.linalg.norm(r)
    u = math.atan2(float(np.cross(node, rn) @ (h / np.linalg.norm(h))), float(node @ rn))
    return u % (2 * math.pi)


def time_to_arglat_s(r_m, v_mps, delta_u_rad: float, mu_m3_s2: float = MU_EARTH_M3_S2) -> float:
    """Two-body time for the argument of latitude to advance by ``delta_u_rad`` (>= 0) [s].

    The orbit plane and perigee are fixed in two-body motion, so the advance of the argument of
    latitude equals the advance of the true anomaly; full revolutions add whole periods.

    >>> T = 2 * math.pi * math.sqrt(7e6 ** 3 / MU_EARTH_M3_S2)
    >>> round(time_to_arglat_s([7e6, 0, 0], [0, math.sqrt(MU_EARTH_M3_S2 / 7e6), 0], 3 * math.pi) / T, 9)
    1.5
    """
    if delta_u_rad < 0:
        raise InputError(f"delta_u_rad must be >= 0 (a later point of the orbit), got {delta_u_rad!r}")
    r = np.asarray(r_m, dtype=float)
    v = np.asarray(v_mps, dtype=float)
    mu = float(mu_m3_s2)
    rn = float(np.linalg.norm(r))
    energy = 0.5 * float(v @ v) - mu / rn
    if energy >= 0:
        raise ImpossibleOrbitError("time_to_arglat_s needs a closed orbit (negative energy); check units (m, m/s)")
    a = -mu / (2 * energy)
    h = np.cross(r, v)
    e_vec = np.cross(v, h) / mu - r / rn
    e = float(np.linalg.norm(e_vec))
    n = math.sqrt(mu / a ** 3)
    period = 2 * math.pi / n
    hn = h / np.linalg.norm(h)
    if e < 1e-10:
        return delta_u_rad / n
    p_hat = e_vec / e
    q_hat = np.cross(hn, p_hat)
    nu0 = math.atan2(float(r @ q_hat), float(r @ p_hat))

    def mean_anomaly(nu):
        E = 2 * math.atan2(math.sqrt(1 - e) * math.sin(nu / 2), math.sqrt(1 + e) * math.cos(nu / 2))
        return E - e * math.sin(E)

    revs, rem = divmod(delta_u_rad, 2 * math.pi)
    m0 = mean_anomaly(nu0)
    m1 = mean_anomaly(nu0 + rem)
    dm = (m1 - m0) % (2 * math.pi)
    if rem > 0 and dm == 0.0:
        dm = 2 * math.pi
    return revs * period + dm / n


class TwoBodyDynamics:
    """A ``propagate_to(state, t)`` callable with Keplerian motion (planner's first-guess world).

    >>> from gyrfalcon.orbits.state import State
    >>> from gyrfalcon.time import parse_utc, add_seconds
    >>> s = State(parse_utc("2025-11-27T10:00Z"), [7e6, 0, 0], [0, 7.5e3, 0], mass_kg=7000.0)
    >>> s1 = TwoBodyDynamics().propagate_to(s, add_seconds(s.t, 600.0))
    >>> energy = lambda st: st.speed_mps ** 2 / 2 - MU_EARTH_M3_S2 / st.radius_m
    >>> abs(energy(s1) - energy(s)) < 1e-6, s1.mass_kg      # vis-viva energy is conserved
    (True, 7000.0)
    """

    def __init__(self, mu_m3_s2: float = MU_EARTH_M3_S2):
        self.mu_m3_s2 = float(mu_m3_s2)

    def propagate_to(self, state, t):
        from ..orbits.state import State
        from ..time import seconds_between

        dt = float(seconds_between(state.t, t))
        r, v = kepler_propagate(state.r_m, state.v_mps, dt, self.mu_m3_s2)
        return State(t, r, v, state.frame, state.mass_kg)


def mean_semi_major_axis_m(r_m, v_mps, mu_m3_s2: float = MU_EARTH_M3_S2) -> float:
    """Mean (J2-averaged) semi-major axis of the osculating state (r, v) [m].

    Removes the first-order J2 short-period term (Kozai 1959; Vallado 4th ed. 9.7):
    a_osc - a_mean = (J2 R^2 / a) [(1 - 3/2 sin^2 i) ((a/r)^3 - (1-e^2)^-3/2)
    + 3/2 sin^2 i (a/r)^3 cos 2u]. For the ISS that is +-6 km over an orbit, which would
    otherwise shift a two-day first guess by some 15 deg along track.

    >>> r = 6378137.0 + 418e3
    >>> v = math.sqrt(MU_EARTH_M3_S2 / r); i = math.radians(51.64)
    >>> round(r - mean_semi_major_axis_m([r, 0, 0], [0, v * math.cos(i), v * math.sin(i)]))  # at the node
    5977
    """
    x, y, z = (float(c) for c in r_m)
    vx, vy, vz = (float(c) for c in v_mps)
    mu = float(mu_m3_s2)
    rn = math.sqrt(x * x + y * y + z * z)
    v2 = vx * vx + vy * vy + vz * vz
    a = 1.0 / (2.0 / rn - v2 / mu)
    hx, hy, hz = y * vz - z * vy, z * vx - x * vz, x * vy - y * vx
    h2 = hx * hx + hy * hy + hz * hz
    e2 = min(max(1.0 - h2 / (mu * a), 0.0), 0.99)          # h^2 = mu a (1 - e^2)
    s2 = 1.0 - hz * hz / h2
    # cos 2u from the node direction (-hy, hx, 0) and the position
    nn = math.hypot(hx, hy)
    if nn < 1e-12 * math.sqrt(h2):
        raise InputError("mean semi-major axis: equatorial orbit, the argument of latitude is undefined")
    cu = (-hy * x + hx * y) / (nn * rn)
    cos2u = 2.0 * cu * cu - 1.0
    ar3 = (a / rn) ** 3
    d = J2_EGM2008 * EGM2008_A_M ** 2 / a * ((1 - 1.5 * s2) * (ar3 - (1 - e2) ** -1.5) + 1.5 * s2 * ar3 * cos2u)
    return a - d


def j2_secular_rates(r_m, v_mps, mu_m3_s2: float = MU_EARTH_M3_S2):
    """Secular J2 rates of the orbit of (r, v): (node rate [rad/s], arglat-rate factor).

    Node: dOmega/dt = -3/2 n J2 (R/p)^2 cos i. The argument of latitude advances at
    n (1 + k) with k = 3/4 J2 (R/p)^2 [sqrt(1 - e^2)(3 cos^2 i - 1) + (5 cos^2 i - 1)]
    (mean-anomaly and perigee drifts; Vallado 4th ed. eqs. 9-41), n and p from the mean
    semi-major axis (:func:`mean_semi_major_axis_m`); e and i osculating (first guesses
    only). The z axis of the frame is taken as the Earth's pole.

    >>> r = [4805594.6, 2982354.4, 3768196.0]      # circular 418 km, i = 51.64 deg, arglat 45 deg
    >>> v = [-5415.3038, 3360.7403, 4246.2854]     # (where the osculating a equals the mean one)
    >>> rate, f = j2_secular_rates(r, v)
    >>> round(math.degrees(rate) * 86400, 2)    # domain.md 1.5: the ISS node regresses -4.95 deg/day
    -4.95
    """
    r = np.asarray(r_m, float)
    v = np.asarray(v_mps, float)
    mu = float(mu_m3_s2)
    h = np.cross(r, v)
    rn = float(np.linalg.norm(r))
    e_vec = np.cross(v, h) / mu - r / rn
    e2 = min(float(e_vec @ e_vec), 0.99)
    a = mean_semi_major_axis_m(r, v, mu)
    p = a * (1 - e2)
    n = math.sqrt(mu / a ** 3)
    ci = float(h[2] / np.linalg.norm(h))
    k = 0.75 * J2_EGM2008 * (EGM2008_A_M / p) ** 2
    return -2.0 * k * n * ci, 1.0 + k * (math.sqrt(1 - e2) * (3 * ci * ci - 1) + (5 * ci * ci - 1))


class J2SecularDynamics(TwoBodyDynamics):
    """Keplerian motion plus the secular J2 drifts: node regression and faster argument of latitude.

    The planner's first-guess world: cheap and analytic, and it has the *differential* node
    regression between a low chaser and the station (about 0.3 deg/day for 100 km), which a
    pure two-body world lacks. The Kepler arc is flown for ``dt`` times the arglat-rate factor
    of :func:`j2_secular_rates` and the ratio of the osculating to the mean mean motion, and
    the result is turned about the pole by the node rate times ``dt``; the speed is then set so
    that the mean (not the osculating) semi-major axis is the one conserved. Rates from the
    state at the start of each call (fine between burns).

    >>> from gyrfalcon.orbits.state import State
    >>> from gyrfalcon.time import parse_utc, add_seconds
    >>> s = State(parse_utc("2025-11-27T10:00Z"), [4805594.6, 2982354.4, 3768196.0],
    ...           [-5415.3038, 3360.7403, 4246.2854])     # 418 km circular, arglat 45 deg
    >>> s1 = J2SecularDynamics().propagate_to(s, add_seconds(s.t, 86400.0))
    >>> h0, h1 = np.cross(s.r_m, s.v_mps), np.cross(s1.r_m, s1.v_mps)
    >>> round(math.degrees(math.atan2(h1[0], -h1[1]) - math.atan2(h0[0], -h0[1])), 2)   # node moved in a day
    -4.95
    """

    def propagate_to(self, state, t):
        from ..orbits.state import State
        from ..time import seconds_between

        dt = float(seconds_between(state.t, t))
        rate, f = j2_secular_rates(state.r_m, state.v_mps, self.mu_m3_s2)
        # Kepler arcs turn at the osculating mean motion: rescale time to the mean one
        rn = float(np.linalg.norm(state.r_m))
        a_osc = 1.0 / (2.0 / rn - float(state.v_mps @ state.v_mps) / self.mu_m3_s2)
        a_mean = mean_semi_major_axis_m(state.r_m, state.v_mps, self.mu_m3_s2)
        f *= (a_osc / a_mean) ** 1.5
        r, v = kepler_propagate(state.r_m, state.v_mps, dt * f, self.mu_m3_s2)
        # Kepler keeps the osculating a, J2 keeps the mean one: restore the short-period
        # offset of the new place in the orbit (else a later burn sees the wrong orbit)
        rn1 = float(np.linalg.norm(r))
        for _ in range(2):
            a1 = 1.0 / (2.0 / rn1 - float(v @ v) / self.mu_m3_s2)
            a_target = a_mean + (a1 - mean_semi_major_axis_m(r, v, self.mu_m3_s2))
            v = v * math.sqrt(self.mu_m3_s2 * (2.0 / rn1 - 1.0 / a_target) / float(v @ v))
        ang = rate * dt
        c, s_ = math.cos(ang), math.sin(ang)
        rot = np.array([[c, -s_, 0.0], [s_, c, 0.0], [0.0, 0.0, 1.0]])
        return State(t, rot @ r, rot @ v, state.frame, state.mass_kg)
