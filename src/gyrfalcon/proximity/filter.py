"""Extended Kalman filter on Kurs measurements: the chaser's relative state in LVLH.

State ``x = (rho, rho_dot)`` [m, m/s]: the chaser's docking interface relative to the LVLH
origin, velocity as seen in the rotating frame. Models (assumptions):

* **Prediction**: a state-transition matrix per step, with the commanded velocity impulse
  added at the start of the step. The approach simulation passes the full model linearised
  about the station (:meth:`RelativeDynamics.linear_stm
  <gyrfalcon.proximity.relative.RelativeDynamics.linear_stm>`: gravity gradient with J2 at the
  station's ephemeris position, LVLH frame rotation); without one, Clohessy-Wiltshire
  (:func:`~gyrfalcon.proximity.relative.cw_stm`). CW alone leaves a coherent out-of-plane
  error (the J2 gradient, ~7e-9 s^-2 times the radial offset) that made the filter
  inconsistent in the approach runs. What the linear model still misses (second-order
  gravity ~3 n^2 rho^2 / R, the out-of-plane rotation of the LVLH frame, differential drag)
  is covered by white process acceleration noise of spectral density ``q = sigma_a^2`` per
  axis with ``sigma_a = accel_sigma_floor_mps2 + accel_sigma_per_m_mps2 * range``.
* **Thruster execution**: each commanded impulse component is delivered with a relative
  1-sigma error ``dv_error_fraction`` (same value as the thruster model's), which is added to
  the velocity covariance.
* **Update**: range, range rate and the two line-of-sight angles (:mod:`~gyrfalcon.proximity.kurs`),
  linearised at the prediction (Joseph-form covariance update). Innovations whose normalised
  square exceeds ``gate_chi2`` (default 18.47: chi-square, 4 degrees of freedom, 99.9 %) are
  rejected; the guidance treats a run of rejections like a sensor dropout.

>>> import numpy as np
>>> f = RelativeNavFilter(1.13e-3, np.array([0, 0, 100.0, 0, 0, 0]), np.diag([1.0] * 3 + [0.01] * 3))
>>> f.predict(1.0)
>>> round(float(f.sigma_position_m[2]), 3) > 1.0
True
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import InputError
from .kurs import KursMeasurement, KursModel, measurement_jacobian
from .relative import cw_stm

__all__ = ["RelativeNavFilter", "CHI2_4DOF_999"]

CHI2_4DOF_999 = 18.4668
"""99.9 % point of the chi-square distribution with 4 degrees of freedom."""


class RelativeNavFilter:
    """EKF for the relative state (see the module docstring). Mutable by design: one per run."""

    def __init__(self, n_rad_s: float, x0, p0, *, accel_sigma_floor_mps2: float = 5e-6,
                 accel_sigma_per_m_mps2: float = 1.5e-8, dv_error_fraction: float = 0.02,
                 gate_chi2: float = CHI2_4DOF_999, bias_fraction: float = 0.0):
        x0 = np.asarray(x0, float).reshape(-1)
        p0 = np.asarray(p0, float)
        if x0.shape != (6,) or p0.shape != (6, 6):
            raise InputError(f"filter needs a (6,) state and a (6, 6) covariance, got {x0.shape} and {p0.shape}")
        if not np.all(np.linalg.eigvalsh(0.5 * (p0 + p0.T)) > 0):
            raise InputError("initial covariance must be symmetric positive definite (give variances in m^2, m^2/s^2)")
        self.n = float(n_rad_s)
        self.x = x0.copy()
        self.p = 0.5 * (p0 + p0.T)
        self.acc_floor = float(accel_sigma_floor_mps2)
        self.acc_per_m = float(accel_sigma_per_m_mps2)
        self.dv_frac = float(dv_error_fraction)
        self.gate = float(gate_chi2)
        if not (math.isfinite(bias_fraction) and bias_fraction >= 0):
            raise InputError(f"bias_fraction must be a finite number >= 0 (Kurs bias in sigmas), got {bias_fraction!r}")
        self.r_scale = 1.0 + float(bias_fraction) ** 2
        self._phi_cache: dict[float, np.ndarray] = {}
        self.last_nis = float("nan")

    @property
    def sigma_position_m(self) -> np.ndarray:
        return np.sqrt(np.diag(self.p)[:3])

    @property
    def sigma_velocity_mps(self) -> np.ndarray:
        return np.sqrt(np.diag(self.p)[3:])

    def _phi(self, dt: float) -> np.ndarray:
        key = round(dt, 9)
        m = self._phi_cache.get(key)
        if m is None:
            m = cw_stm(self.n, dt)
            self._phi_cache[key] = m
        return m

    def predict(self, dt_s: float, dv_lvlh_mps=None, phi=None) -> None:
        """Apply a commanded impulse (LVLH, m/s) then propagate ``dt_s`` seconds, with the
        state-transition matrix ``phi`` if given (e.g. :meth:`RelativeDynamics.linear_stm
        <gyrfalcon.proximity.relative.RelativeDynamics.linear_stm>`), else CW."""
        if dv_lvlh_mps is not None:
            dv = np.asarray(dv_lvlh_mps, float)
            self.x[3:] += dv
            self.p[3:, 3:] += np.diag((self.dv_frac * dv) ** 2)
        if phi is None:
            phi = self._phi(float(dt_s))
        rng = math.sqrt(float(self.x[:3] @ self.x[:3]))
        qa = (self.acc_floor + self.acc_per_m * rng) ** 2
        dt = float(dt_s)
        q = np.zeros((6, 6))
        i3 = np.eye(3)
        q[:3, :3] = qa * dt**3 / 3 * i3
        q[:3, 3:] = q[3:, :3] = qa * dt**2 / 2 * i3
        q[3:, 3:] = qa * dt * i3
        self.x = phi @ self.x
        self.p = phi @ self.p @ phi.T + q

    def update(self, meas: KursMeasurement, port_position_lvlh_m, sensor_rows) -> bool:
        """Fuse range, range rate and both angles; returns False (state unchanged) if gated out."""
        d = self.x[:3] - np.asarray(port_position_lvlh_m, float)
        v = self.x[3:]
        h_x = KursModel.ideal(d, v, sensor_rows)
        y = np.asarray(meas.values[:4], float) - h_x
        y[2:] = (y[2:] + math.pi) % (2 * math.pi) - math.pi
        h = measurement_jacobian(d, v, sensor_rows)
        r = np.diag(self.r_scale * np.asarray(meas.sigma[:4], float) ** 2)
        s = h @ self.p @ h.T + r
        s_inv = np.linalg.inv(s)
        nis = float(y @ s_inv @ y)
        self.last_nis = nis
        if nis > self.gate:
            return False
        k = self.p @ h.T @ s_inv
        self.x = self.x + k @ y
        ikh = np.eye(6) - k @ h
        self.p = ikh @ self.p @ ikh.T + k @ r @ k.T
        self.p = 0.5 * (self.p + self.p.T)
        return True

    def reinflate(self, sigma_position_m: float, sigma_velocity_mps: float) -> None:
        """Re-acquisition after a run of rejected innovations: the covariance becomes diagonal
        with at least these 1-sigma values, so that the next measurements are accepted again."""
        d = np.diag(self.p).copy()
        d[:3] = np.maximum(d[:3], float(sigma_position_m) ** 2)
        d[3:] = np.maximum(d[3:], float(sigma_velocity_mps) ** 2)
        self.p = np.diag(d)
