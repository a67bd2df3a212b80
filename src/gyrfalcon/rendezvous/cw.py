"""Clohessy-Wiltshire (Hill) relative motion in the target's LVLH frame (CCSDS convention).

Axes, as in :func:`gyrfalcon.frames.lvlh_matrix`: x along-track (V-bar), y = minus the orbit
normal, z toward the Earth (R-bar). State ``X = (x, y, z, vx, vy, vz)`` [m, m/s], velocities
as seen in the rotating frame.

Assumptions: the target flies a circular Keplerian orbit of mean motion ``n``; the chaser is
close enough for the gravity difference to be linear (the error grows as (range / radius)^2).
Used as the planner's first guess for in-orbit targeting and for the approach-corridor
velocities, never as the final dynamics. In *curvilinear* coordinates (x = arc length along the
target orbit, z = radius difference) the same equations stay valid for separations of
thousands of kilometres along track, which is how :mod:`gyrfalcon.rendezvous.targeting`
uses them for the phasing first guess.

Reference: Clohessy and Wiltshire, J. Aerospace Sci. 27 (1960) 653; Vallado, 4th ed., 6.8.

>>> import numpy as np
>>> n = 2 * np.pi / 5580.0
>>> X = stm(n, 5580.0) @ np.array([0, 0, 1000.0, 1.5 * n * 1000.0, 0, 0])  # circular, 1 km below
>>> round(float(X[0]), 3), round(float(X[2]), 6)        # gains 3 pi dz per orbit at the same height
(9424.778, 1000.0)
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import InputError

# Hill (radial, along-track, normal) -> LVLH CCSDS (x = T, y = -N, z = -R)
_P3 = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, -1.0], [-1.0, 0.0, 0.0]])
_P6 = np.block([[_P3, np.zeros((3, 3))], [np.zeros((3, 3)), _P3]])


def _stm_hill(n: float, t: float) -> np.ndarray:
    s, c = math.sin(n * t), math.cos(n * t)
    nt = n * t
    return np.array([
        [4 - 3 * c, 0, 0, s / n, 2 * (1 - c) / n, 0],
        [6 * (s - nt), 1, 0, -2 * (1 - c) / n, (4 * s - 3 * nt) / n, 0],
        [0, 0, c, 0, 0, s / n],
        [3 * n * s, 0, 0, c, 2 * s, 0],
        [-6 * n * (1 - c), 0, 0, -2 * s, 4 * c - 3, 0],
        [0, 0, -n * s, 0, 0, c],
    ])


def stm(n_rad_s: float, t_s: float) -> np.ndarray:
    """6x6 CW state-transition matrix over ``t_s`` seconds in LVLH (CCSDS) coordinates.

    ``n_rad_s`` is the target's mean motion [rad/s].
    """
    if not n_rad_s > 0:
        raise InputError(f"mean motion must be positive rad/s (the ISS's is about 1.13e-3), got {n_rad_s!r}")
    return _P6 @ _stm_hill(float(n_rad_s), float(t_s)) @ _P6.T


def two_point_velocity(n_rad_s: float, rho0_m, rho1_m, t_s: float) -> np.ndarray:
    """Velocity at ``rho0_m`` that coasts to ``rho1_m`` in ``t_s`` seconds (CW Lambert) [m/s].

    Raises :class:`~gyrfalcon.errors.InputError` at the CW singular times where no solution
    exists (n t a multiple of 2 pi in-plane; out of plane a multiple of pi with a cross-track
    change asked for; without one the cross-track velocity is set to zero).

    >>> import numpy as np
    >>> n = 1.13e-3
    >>> v0 = two_point_velocity(n, [-2000, 0, 1000], [-400, 0, 0], 600.0)
    >>> X1 = stm(n, 600.0) @ np.concatenate([[-2000, 0, 1000], v0])
    >>> np.round(X1[:3], 6) + 0.0
    array([-400.,    0.,    0.])
    """
    n, t = float(n_rad_s), float(t_s)
    phi = stm(n, t)
    r0 = np.asarray(rho0_m, dtype=float)
    r1 = np.asarray(rho1_m, dtype=float)
    rhs = r1 - phi[:3, :3] @ r0
    ip = [0, 2]                               # in-plane: x, z
    a_ip = phi[:3, 3:][np.ix_(ip, ip)]
    scale = 1.0 / n ** 2
    if abs(np.linalg.det(a_ip)) < 1e-9 * scale:
        raise InputError(
            f"CW two-point problem is singular in-plane for a transfer of {t:.1f} s (a whole number of "
            "orbits); choose a transfer time that is not"
        )
    v = np.zeros(3)
    v[ip] = np.linalg.solve(a_ip, rhs[ip])
    s_over_n = phi[1, 4]                      # out of plane: y(t) = cos y0 + sin/n vy0
    if abs(s_over_n) > 1e-9 / n:
        v[1] = rhs[1] / s_over_n
    elif abs(rhs[1]) > 1e-6 * max(1.0, float(np.linalg.norm(r0))):
        raise InputError(
            f"CW two-point problem: out of plane, a transfer of {t:.1f} s (a multiple of half an orbit) "
            "cannot change the cross-track offset; choose another transfer time"
        )
    return v
