"""Relative motion of a chaser near the station, in the station's LVLH frame (CCSDS).

Axes as in :func:`gyrfalcon.frames.lvlh_matrix`: x along-track (V-bar), y = minus the orbit
normal (-H), z toward the Earth (R-bar). A relative state is ``(rho_m, rho_dot_mps)`` with
``rho_dot`` the velocity *as seen in the rotating frame*, exactly as
:func:`gyrfalcon.frames.relative_state` defines it.

Three models, from exact to fast:

* :class:`RelativeDynamics` -- the **full model** used by the approach simulation. The
  station's trajectory is the interpolated ephemeris (NASA's OEM by default: all its real
  perturbations are in it). The chaser's inertial offset ``d = r_c - r_t`` obeys the exact
  nonlinear equation ``d'' = g(r_t + d) - g(r_t) + a_thrust``, with ``g`` point mass + J2
  (EGM2008 GM, R and J2, J2 about the GCRF z axis: the 0.1 deg precession of the pole since
  J2000 changes the differential acceleration by < 1e-9 m/s^2 at 2 km and is ignored).
  Assumption: the forces not in ``g`` (drag, higher harmonics, Sun/Moon) act equally on both
  vehicles, so they cancel in the difference; differential drag of Soyuz vs ISS (about
  1e-7 m/s^2) is ignored. Integration: fixed-step classical Runge-Kutta 4 in GCRF (1 s steps
  by default; the step error is ~ (n h)^5, checked against scipy's DOP853 in the tests);
  thrust is applied as velocity impulses at the step boundaries. Cross-check (tests): with the
  target sampled from :class:`gyrfalcon.orbits.propagator.Propagator` (heyoka, J2 about the
  GCRF z axis), the relative model reproduces heyoka's absolute propagation of the chaser to
  1e-9 m after 20 min at 2-4 km. This relative formulation (rather than propagating the
  chaser absolutely) is chosen for speed: one closed-loop approach takes ~0.4 s.
* :func:`ya_stm` -- Yamanaka-Ankersen (2002) state-transition matrix: linear, any
  eccentricity, Keplerian target.
* :func:`cw_stm` -- Clohessy-Wiltshire (1960): linear, circular Keplerian target.

References: Clohessy & Wiltshire, J. Aerosp. Sci. 27 (1960) 653; Yamanaka & Ankersen,
J. Guid. Control Dyn. 25 (2002) 60 (their LVLH is this one: x V-bar, y -H, z R-bar);
Fehse, *Automated Rendezvous and Docking of Spacecraft* (CUP 2003), ch. 3 and appendix A.

>>> import numpy as np
>>> n = 2 * np.pi / 5580.0
>>> X = cw_stm(n, 5580.0) @ np.array([0, 0, 1000.0, 1.5 * n * 1000.0, 0, 0])  # circular, 1 km below
>>> round(float(X[0]), 3), round(float(X[2]), 6)        # gains 3 pi dz per orbit at the same height
(9424.778, 1000.0)
"""
from __future__ import annotations

import math

import numpy as np

from ..constants import EGM2008_A_M, EGM2008_GM_M3_S2, J2_EGM2008, MU_EARTH_M3_S2
from ..errors import InputError

__all__ = [
    "cw_stm", "ya_stm", "kepler_true_anomaly", "RelativeDynamics", "gravity_j2",
    "inertial_to_lvlh", "lvlh_to_inertial",
]


# --------------------------------------------------------------------------------------
# Clohessy-Wiltshire
# --------------------------------------------------------------------------------------
def cw_stm(n_rad_s: float, t_s: float) -> np.ndarray:
    """6x6 Clohessy-Wiltshire state-transition matrix in LVLH (CCSDS) coordinates.

    ``X(t) = cw_stm(n, t) @ X(0)`` with ``X = (x, y, z, vx, vy, vz)`` [m, m/s]; ``n_rad_s`` is
    the target's mean motion [rad/s]. Equations: ``x'' = 2 n z'``, ``y'' = -n^2 y``,
    ``z'' = 3 n^2 z - 2 n x'``. Assumes a circular Keplerian target and a chaser close
    enough for the gravity difference to be linear (error ~ range / radius).

    >>> import numpy as np
    >>> np.allclose(cw_stm(1.1e-3, 0.0), np.eye(6))
    True
    """
    n = float(n_rad_s)
    if not n > 0:
        raise InputError(f"mean motion must be positive rad/s (the ISS's is about 1.13e-3), got {n_rad_s!r}")
    t = float(t_s)
    s, c = math.sin(n * t), math.cos(n * t)
    nt = n * t
    return np.array([
        [1, 0, 6 * (nt - s), (4 * s - 3 * nt) / n, 0, 2 * (1 - c) / n],
        [0, c, 0, 0, s / n, 0],
        [0, 0, 4 - 3 * c, -2 * (1 - c) / n, 0, s / n],
        [0, 0, 6 * n * (1 - c), 4 * c - 3, 0, 2 * s],
        [0, -n * s, 0, 0, c, 0],
        [0, 0, 3 * n * s, -2 * s, 0, c],
    ], dtype=float)


# --------------------------------------------------------------------------------------
# Yamanaka-Ankersen
# --------------------------------------------------------------------------------------
def kepler_true_anomaly(mean_anomaly_rad: float, e: float) -> float:
    """True anomaly [rad] for a mean anomaly and eccentricity 0 <= e < 1 (Newton on Kepler's equation).

    >>> round(kepler_true_anomaly(1.0, 0.0), 12)
    1.0
    """
    if not (0.0 <= e < 1.0):
        raise InputError(f"eccentricity {e!r} must be in [0, 1) for Kepler's equation")
    m = float(mean_anomaly_rad)
    ea = m if e < 0.8 else math.pi
    for _ in range(50):
        f = ea - e * math.sin(ea) - m
        d = f / (1.0 - e * math.cos(ea))
        ea -= d
        if abs(d) < 1e-15:
            break
    return 2.0 * math.atan2(math.sqrt(1 + e) * math.sin(ea / 2), math.sqrt(1 - e) * math.cos(ea / 2))


def _ya_inplane_fundamental(th: float, e: float, j: float) -> np.ndarray:
    """YA fundamental matrix for (x~, z~, x~', z~') at true anomaly th, J = k^2 (t - t0)."""
    rho = 1 + e * math.cos(th)
    s, c = rho * math.sin(th), rho * math.cos(th)
    sp = math.cos(th) + e * math.cos(2 * th)
    cp = -(math.sin(th) + e * math.sin(2 * th))
    return np.array([
        [1.0, -c * (1 + 1 / rho), s * (1 + 1 / rho), 3 * rho * rho * j],
        [0.0, s, c, 2 - 3 * e * s * j],
        [0.0, 2 * s, 2 * c - e, 3 * (1 - 2 * e * s * j)],
        [0.0, sp, cp, -3 * e * (sp * j + s / (rho * rho))],
    ])


def ya_stm(a_m: float, e: float, nu0_rad: float, t_s: float, mu_m3_s2: float = MU_EARTH_M3_S2) -> np.ndarray:
    """6x6 Yamanaka-Ankersen state-transition matrix in LVLH (CCSDS) coordinates.

    Target on a Keplerian orbit of semi-major axis ``a_m`` [m] and eccentricity ``e``, at true
    anomaly ``nu0_rad`` at the start; maps ``X(0)`` to ``X(t_s)`` (same state convention as
    :func:`cw_stm`). Linearised about the target (Tschauner-Hempel equations); reduces to CW for
    ``e = 0``. Implementation: transformed variables ``x~ = (1 + e cos nu) x`` with true
    anomaly as the independent variable, the YA fundamental matrix at the final anomaly times
    the (numerically) inverted one at the initial anomaly.

    >>> import numpy as np
    >>> a = 6.8e6; n = (3.986004418e14 / a**3) ** 0.5
    >>> bool(np.allclose(ya_stm(a, 0.0, 0.3, 600.0), cw_stm(n, 600.0), atol=1e-9))
    True
    """
    a, e, mu = float(a_m), float(e), float(mu_m3_s2)
    if not (a > 0 and 0.0 <= e < 1.0):
        raise InputError(f"ya_stm needs a > 0 m and 0 <= e < 1, got a = {a_m!r}, e = {e!r}")
    n = math.sqrt(mu / a**3)
    p = a * (1 - e * e)
    k2 = math.sqrt(mu / p**3)                      # nu_dot = k2 * rho^2
    th0 = float(nu0_rad)
    # propagate true anomaly through mean anomaly
    ea0 = 2 * math.atan2(math.sqrt(1 - e) * math.sin(th0 / 2), math.sqrt(1 + e) * math.cos(th0 / 2))
    m0 = ea0 - e * math.sin(ea0)
    m1 = m0 + n * float(t_s)
    th1 = kepler_true_anomaly(m1, e)             # only its sine and cosine are used
    j = k2 * float(t_s)

    def to_tilde(th):
        rho = 1 + e * math.cos(th)
        es = e * math.sin(th)
        # (x, z, vx, vz) -> (x~, z~, x~', z~')
        t = np.array([[rho, 0, 0, 0], [0, rho, 0, 0],
                      [-es, 0, 1 / (k2 * rho), 0], [0, -es, 0, 1 / (k2 * rho)]])
        ty = np.array([[rho, 0], [-es, 1 / (k2 * rho)]])
        return t, ty

    t0, ty0 = to_tilde(th0)
    t1, ty1 = to_tilde(th1)
    phi_in = _ya_inplane_fundamental(th1, e, j) @ np.linalg.inv(_ya_inplane_fundamental(th0, e, 0.0))
    dth = th1 - th0
    # out of plane: y~'' + y~ = 0 in true anomaly
    rot = np.array([[math.cos(dth), math.sin(dth)], [-math.sin(dth), math.cos(dth)]])
    m_in = np.linalg.inv(t1) @ phi_in @ t0
    m_out = np.linalg.inv(ty1) @ rot @ ty0
    out = np.zeros((6, 6))
    idx_in = [0, 2, 3, 5]      # x, z, vx, vz
    idx_out = [1, 4]           # y, vy
    out[np.ix_(idx_in, idx_in)] = m_in
    out[np.ix_(idx_out, idx_out)] = m_out
    return out


# --------------------------------------------------------------------------------------
# full model
# --------------------------------------------------------------------------------------
def gravity_j2(r_m, mu_m3_s2: float = EGM2008_GM_M3_S2, j2: float = J2_EGM2008,
               r_eq_m: float = EGM2008_A_M) -> np.ndarray:
    """Point-mass + J2 gravitational acceleration [m/s^2] at GCRF position(s) ``r_m`` (..., 3).

    J2 is taken about the GCRF z axis (see the module docstring).

    >>> g = gravity_j2([6778137.0, 0.0, 0.0], j2=0.0)
    >>> round(float(-g[0]), 4)
    8.676
    """
    r = np.asarray(r_m, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    k = -mu_m3_s2 / (r2 * rn)
    f = 1.5 * j2 * (r_eq_m * r_eq_m) / r2
    zz = 5.0 * z * z / r2
    ax = k * x * (1 + f * (1 - zz))
    ay = k * y * (1 + f * (1 - zz))
    az = k * z * (1 + f * (3 - zz))
    return np.stack([ax, ay, az], axis=-1)


def _lvlh_axes_and_rate(r_t, v_t):
    from ..frames import lvlh_matrix

    m = lvlh_matrix(r_t, v_t)
    w = np.cross(r_t, v_t) / np.sum(np.asarray(r_t) ** 2, axis=-1, keepdims=True)
    return m, w


def inertial_to_lvlh(r_t, v_t, d_r, d_v):
    """Inertial offsets (chaser minus target) -> LVLH ``(rho, rho_dot)``; vectorised over (N, 3).

    Same convention as :func:`gyrfalcon.frames.relative_state` (frame rate ``w = r x v / r^2``).
    """
    m, w = _lvlh_axes_and_rate(np.asarray(r_t, float), np.asarray(v_t, float))
    d_r = np.asarray(d_r, float)
    rel_v = np.asarray(d_v, float) - np.cross(w, d_r)
    return np.einsum("...ij,...j->...i", m, d_r), np.einsum("...ij,...j->...i", m, rel_v)


def lvlh_to_inertial(r_t, v_t, rho, rho_dot):
    """Inverse of :func:`inertial_to_lvlh`: LVLH ``(rho, rho_dot)`` -> inertial offsets ``(d_r, d_v)``."""
    m, w = _lvlh_axes_and_rate(np.asarray(r_t, float), np.asarray(v_t, float))
    d_r = np.einsum("...ji,...j->...i", m, np.asarray(rho, float))
    d_v = np.einsum("...ji,...j->...i", m, np.asarray(rho_dot, float)) + np.cross(w, d_r)
    return d_r, d_v


class RelativeDynamics:
    """Full-model relative motion about a tabulated target trajectory (see the module docstring).

    Parameters
    ----------
    target_rv : callable
        ``target_rv(seconds_array) -> (r (M, 3), v (M, 3))`` in an inertial frame (GCRF), with
        seconds counted from the start of the simulation. :meth:`from_ephemeris` builds it
        from an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`.
    duration_s : float
        Span to prepare [s]; the target is interpolated once on a half-step grid.
    step_s : float
        Integration (and control) step [s], default 1.
    j2 : bool
        Include J2 in the differential gravity (default True); False gives the exact
        two-body relative motion.

    After construction, ``t_s[k] = k * step_s``, ``r_t[k]``, ``v_t[k]`` are the target samples.
    """

    def __init__(self, target_rv, duration_s: float, step_s: float = 1.0, j2: bool = True):
        if not (step_s > 0 and duration_s > 0):
            raise InputError(f"step_s and duration_s must be positive seconds, got {step_s!r}, {duration_s!r}")
        self.step_s = float(step_s)
        self.n_steps = int(math.ceil(duration_s / step_s))
        half = np.arange(2 * self.n_steps + 1) * (0.5 * self.step_s)
        r, v = target_rv(half)
        self._r_half = np.asarray(r, float)
        self._v_half = np.asarray(v, float)
        self.j2 = 1.0 if j2 else 0.0
        self.t_s = half[::2]
        self.r_t = self._r_half[::2]
        self.v_t = self._v_half[::2]
        g = gravity_j2(self._r_half, j2=J2_EGM2008 * self.j2)
        self._g_half = g
        self._m, self._w = _lvlh_axes_and_rate(self.r_t, self.v_t)
        self._lin = None
        self.mean_motion_rad_s = float(np.linalg.norm(np.cross(self.r_t[0], self.v_t[0])) / np.dot(self.r_t[0], self.r_t[0]))

    @classmethod
    def from_ephemeris(cls, ephemeris, start, duration_s: float, step_s: float = 1.0, j2: bool = True):
        """Prepare the target from an ``Ephemeris`` (inertial frame) starting at ``start`` (a ``Time`` or ISO string)."""
        if ephemeris.frame == "ITRF":
            raise InputError("the target ephemeris must be inertial (GCRF or EME2000); use iss_ephemeris('GCRF')")
        s0 = float(ephemeris.seconds_from_epoch(start))
        return cls(lambda s: ephemeris.interpolate(s0 + np.asarray(s)), duration_s, step_s, j2)

    def _acc(self, i_half: int, d_r):
        r_t = self._r_half[i_half]
        return gravity_j2(r_t + d_r, j2=J2_EGM2008 * self.j2) - self._g_half[i_half]

    def step(self, k: int, d_r, d_v):
        """Propagate inertial offsets ``(d_r, d_v)`` from step ``k`` to ``k + 1`` (RK4, free drift)."""
        if not 0 <= k < self.n_steps:
            raise InputError(f"step index {k} outside 0..{self.n_steps - 1}; prepare a longer duration_s")
        h = self.step_s
        i = 2 * k
        k1r, k1v = d_v, self._acc(i, d_r)
        k2r, k2v = d_v + 0.5 * h * k1v, self._acc(i + 1, d_r + 0.5 * h * k1r)
        k3r, k3v = d_v + 0.5 * h * k2v, self._acc(i + 1, d_r + 0.5 * h * k2r)
        k4r, k4v = d_v + h * k3v, self._acc(i + 2, d_r + h * k3r)
        return (d_r + h / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r),
                d_v + h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v))

    def to_lvlh(self, k: int, d_r, d_v):
        """Inertial offsets at step ``k`` -> LVLH ``(rho, rho_dot)`` (as :func:`inertial_to_lvlh`)."""
        m, w = self._m[k], self._w[k]
        return m @ d_r, m @ (d_v - np.cross(w, d_r))

    def from_lvlh(self, k: int, rho, rho_dot):
        """LVLH ``(rho, rho_dot)`` at step ``k`` -> inertial offsets."""
        m, w = self._m[k], self._w[k]
        d_r = m.T @ np.asarray(rho, float)
        return d_r, m.T @ np.asarray(rho_dot, float) + np.cross(w, d_r)

    def lvlh_to_inertial_vector(self, k: int, vec):
        """A free vector (e.g. an impulse) from LVLH to inertial axes at step ``k``."""
        return self._m[k].T @ np.asarray(vec, float)

    def gravity_gradient_lvlh(self, k=None) -> np.ndarray:
        """Gradient of the (point mass + J2) gravity at the target in LVLH axes [1/s^2]: (3, 3) at
        step ``k``, or (N, 3, 3) for every step if ``k`` is None.

        Central differences with 10 m steps (truncation ~1e-19 s^-2).
        """
        idx = np.arange(len(self.t_s)) if k is None else np.array([int(k)])
        h = 10.0
        offs = np.concatenate([np.eye(3) * h, -np.eye(3) * h])          # (6, 3)
        pts = self.r_t[idx][:, None, :] + offs[None]                    # (M, 6, 3)
        g = gravity_j2(pts, j2=J2_EGM2008 * self.j2)
        grad = np.swapaxes((g[:, :3] - g[:, 3:]) / (2 * h), 1, 2)       # [i, j] = dg_i / dr_j
        m = self._m[idx]
        out = m @ grad @ np.swapaxes(m, 1, 2)
        return out if k is None else out[0]

    def linear_stm(self, k: int) -> np.ndarray:
        """6x6 state-transition matrix of the full model *linearised* about the target over step ``k``.

        LVLH equations ``rho'' = Gamma rho - 2 w x rho' - w' x rho - w x (w x rho)`` with
        ``Gamma`` the gravity gradient (point mass + J2, :meth:`gravity_gradient_lvlh`) and
        ``w`` the frame rate ``r x v / r^2`` in LVLH axes (``w'`` by differencing steps);
        4th-order Taylor series of ``exp(A h)`` (error ~ (|A| h)^5 / 120 ~ 1e-16 at 1 s).
        For a circular two-body target this is exactly the CW matrix (tested). All steps are
        computed at the first call (vectorised) and kept.
        """
        if self._lin is None:
            n = len(self.t_s)
            w = np.einsum("kij,kj->ki", self._m, self._w)                  # frame rate in LVLH axes
            wdot = np.gradient(w, self.step_s, axis=0) if n > 1 else np.zeros_like(w)

            def skew(a):
                z = np.zeros(a.shape[0])
                return np.stack([np.stack([z, -a[:, 2], a[:, 1]], -1),
                                 np.stack([a[:, 2], z, -a[:, 0]], -1),
                                 np.stack([-a[:, 1], a[:, 0], z], -1)], 1)

            wx = skew(w)
            a = np.zeros((n, 6, 6))
            a[:, :3, 3:] = np.eye(3)
            a[:, 3:, :3] = self.gravity_gradient_lvlh() - wx @ wx - skew(wdot)
            a[:, 3:, 3:] = -2.0 * wx
            ah = a * self.step_s
            phi = np.broadcast_to(np.eye(6), ah.shape) + ah
            term = ah
            for i in range(2, 5):
                term = term @ ah / i
                phi = phi + term
            self._lin = phi
        return self._lin[k]

    def propagate(self, rho0_m, rho_dot0_mps, n_steps: int | None = None):
        """Free drift from LVLH state at step 0: returns ``(t_s, rho (N+1, 3), rho_dot (N+1, 3))``."""
        n = self.n_steps if n_steps is None else int(n_steps)
        d_r, d_v = self.from_lvlh(0, rho0_m, rho_dot0_mps)
        dr = np.empty((n + 1, 3))
        dv = np.empty((n + 1, 3))
        dr[0], dv[0] = d_r, d_v
        for k in range(n):
            d_r, d_v = self.step(k, d_r, d_v)
            dr[k + 1], dv[k + 1] = d_r, d_v
        rho, rho_dot = inertial_to_lvlh(self.r_t[: n + 1], self.v_t[: n + 1], dr, dv)
        return self.t_s[: n + 1], rho, rho_dot
