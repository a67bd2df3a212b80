"""Plain-float helpers for the right-hand sides of one-off 3-DOF flights (ascent, entry).

These run millions of times inside ``scipy.integrate.solve_ivp`` right-hand sides, where
numpy's per-call overhead dominates; they work on Python floats only. For arrays, or where
full precision matters, use :func:`gyrfalcon.frames.geodetic_from_itrf` and :func:`numpy.interp`.

>>> round(geodetic_height_m(6378137.0 + 400e3, 0.0), 6)   # on the equator
400000.0
>>> interp_clamped((0.0, 1.0, 2.0), (10.0, 20.0, 0.0), 1.5), interp_clamped((0.0, 1.0), (1.0, 2.0), 9.0)
(10.0, 2.0)
"""
from __future__ import annotations

import math

from ..constants import WGS84_A_M, WGS84_B_M, WGS84_E2

_EP2 = WGS84_E2 / (1.0 - WGS84_E2)


def geodetic_height_m(rho_m: float, z_m: float) -> float:
    """Height above the WGS-84 ellipsoid [m] from the distance to the polar axis ``rho_m`` and the
    height above the equatorial plane ``z_m`` (Bowring's method, two iterations: better than a
    millimetre below 1,000 km)."""
    a, b = WGS84_A_M, WGS84_B_M
    beta = math.atan2(a * z_m, b * rho_m)
    for _ in range(2):
        sb, cb = math.sin(beta), math.cos(beta)
        phi = math.atan2(z_m + _EP2 * b * sb * sb * sb, rho_m - WGS84_E2 * a * cb * cb * cb)
        beta = math.atan2(b * math.sin(phi), a * math.cos(phi))
    s, c = math.sin(phi), math.cos(phi)
    return rho_m * c + z_m * s - a * math.sqrt(1.0 - WGS84_E2 * s * s)


def interp_clamped(xs, ys, x: float) -> float:
    """Linear interpolation in the table (``xs`` increasing), held constant beyond its ends."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = 1
    while xs[i] < x:
        i += 1
    f = (x - xs[i - 1]) / (xs[i] - xs[i - 1])
    return ys[i - 1] + f * (ys[i] - ys[i - 1])


def point_mass_j2_accel(x: float, y: float, z: float, kx: float, ky: float, kz: float,
                        mu_m3_s2: float, j2_re2_m2: float) -> tuple:
    """Point-mass + J2 acceleration [m/s^2] at (x, y, z) [m], J2 about the unit pole (kx, ky, kz).

    ``j2_re2_m2`` is ``1.5 * J2 * Re**2``. On the pole axis at r = Re the closed form is
    ``a_z = -mu/Re^2 (1 - 3 J2)``; on the equator ``a_x = -mu/Re^2 (1 + 1.5 J2)``:

    >>> round(point_mass_j2_accel(0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.5 * 0.001)[2], 9)
    -0.997
    >>> round(point_mass_j2_accel(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.5 * 0.001)[0], 9)
    -1.0015
    """
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    zk = x * kx + y * ky + z * kz
    f = mu_m3_s2 / (r2 * r)
    q = j2_re2_m2 / r2
    g1 = -f * (1.0 + q * (1.0 - 5.0 * zk * zk / r2))
    g2 = -f * 2.0 * q * zk
    return g1 * x + g2 * kx, g1 * y + g2 * ky, g1 * z + g2 * kz
