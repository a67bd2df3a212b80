"""U.S. Standard Atmosphere 1976 (US76): temperature, pressure, density, speed of sound.

Used by the ascent (drag, back-pressure on the engines, Mach number) and later by entry.
Independent implementation from the published standard (NOAA/NASA/USAF, *U.S. Standard
Atmosphere, 1976*, NOAA-S/T 76-1562), no third-party atmosphere package.

Model and assumptions
---------------------
* **0-86 km** (geometric): the seven US76 layers of linear molecular temperature in
  *geopotential* altitude ``H = r0 h / (r0 + h)`` (r0 = 6356.766 km), hydrostatic pressure
  with g0 = 9.80665 m/s^2, R* = 8.31432 J/(mol K), M0 = 28.9644 kg/kmol. Density uses the
  molecular-scale temperature, which is exact in US76; the 80-86 km molecular-weight
  correction to the *kinetic* temperature (< 0.05 %) is neglected, so ``temperature_k`` there
  is the molecular-scale temperature.
* **86-1000 km**: the standard's tabulated values (geometric altitude, kinetic temperature,
  pressure, density; ``_UPPER`` below), interpolated linearly in temperature and in the
  logarithm of pressure and density (between table nodes this reproduces the published
  intermediate values to a few per cent; e.g. 220 km: 1.43e-10 vs 1.367e-10 kg/m^3).
* **Above 1000 km**: exponential extrapolation with the 900-1000 km scale heights.
* Valid from -5 km. One standard, mid-latitude, moderate solar activity atmosphere: no
  latitude, season, solar or geomagnetic dependence (use NRLMSIS for those).
* Speed of sound ``sqrt(gamma R T)`` with gamma = 1.4 (meaningful below ~86 km).

>>> s = us76(11_000.0)
>>> round(float(s.temperature_k), 2), round(float(s.pressure_pa)), round(float(s.density_kg_m3), 4)
(216.77, 22700, 0.3648)
>>> round(float(us76(0.0).speed_of_sound_mps), 2)
340.29
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError


class AtmosphereRangeError(InputError):
    """An altitude outside the range of the standard atmosphere (below -5 km, or not finite)."""


# --- US76 constants ---------------------------------------------------------------------
G0_MPS2 = 9.80665
R_STAR_J_MOL_K = 8.31432
M0_KG_KMOL = 28.9644
R_AIR_J_KG_K = R_STAR_J_MOL_K * 1000.0 / M0_KG_KMOL  # 287.0531...
GAMMA_AIR = 1.4
R0_GEOPOTENTIAL_M = 6356766.0
P0_PA = 101325.0
MIN_ALTITUDE_M = -5000.0

# layer bases: geopotential altitude [m], molecular temperature [K], lapse rate [K/m]
_H_BASE = (0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0, 84852.0)
_LAPSE = (-0.0065, 0.0, 0.001, 0.0028, 0.0, -0.0028, -0.002)


def _layer_bases():
    t = [288.15]
    p = [P0_PA]
    for i, lapse in enumerate(_LAPSE):
        dh = _H_BASE[i + 1] - _H_BASE[i]
        t_next = t[i] + lapse * dh
        if lapse == 0.0:
            p_next = p[i] * math.exp(-G0_MPS2 * dh / (R_AIR_J_KG_K * t[i]))
        else:
            p_next = p[i] * (t[i] / t_next) ** (G0_MPS2 / (R_AIR_J_KG_K * lapse))
        t.append(t_next)
        p.append(p_next)
    return tuple(t), tuple(p)


_T_BASE, _P_BASE = _layer_bases()

# Upper atmosphere, US76 tables: geometric altitude [km], kinetic temperature [K],
# pressure [Pa], density [kg/m^3].
_UPPER = (
    (86.0, 186.87, 3.7338e-1, 6.958e-6),
    (90.0, 186.87, 1.8359e-1, 3.416e-6),
    (95.0, 188.42, 7.5966e-2, 1.393e-6),
    (100.0, 195.08, 3.2011e-2, 5.604e-7),
    (105.0, 208.84, 1.4480e-2, 2.325e-7),
    (110.0, 240.00, 7.1042e-3, 9.708e-8),
    (115.0, 300.00, 4.0096e-3, 4.289e-8),
    (120.0, 360.00, 2.5382e-3, 2.222e-8),
    (130.0, 469.27, 1.2505e-3, 8.152e-9),
    (140.0, 559.63, 7.2028e-4, 3.831e-9),
    (150.0, 634.39, 4.5422e-4, 2.076e-9),
    (160.0, 696.29, 3.0395e-4, 1.233e-9),
    (180.0, 790.07, 1.5271e-4, 5.194e-10),
    (200.0, 854.56, 8.4736e-5, 2.541e-10),
    (250.0, 941.33, 2.4767e-5, 6.073e-11),
    (300.0, 976.01, 8.7704e-6, 1.916e-11),
    (350.0, 990.06, 3.4518e-6, 7.014e-12),
    (400.0, 995.83, 1.4518e-6, 2.803e-12),
    (450.0, 998.22, 6.4468e-7, 1.184e-12),
    (500.0, 999.24, 3.0236e-7, 5.215e-13),
    (600.0, 999.85, 8.2130e-8, 1.137e-13),
    (700.0, 999.97, 3.1908e-8, 3.070e-14),
    (800.0, 999.99, 1.7036e-8, 1.136e-14),
    (900.0, 1000.0, 1.0873e-8, 5.759e-15),
    (1000.0, 1000.0, 7.5138e-9, 3.561e-15),
)
_UP_H_M = np.array([row[0] * 1000.0 for row in _UPPER])
_UP_T = np.array([row[1] for row in _UPPER])
_UP_LNP = np.log([row[2] for row in _UPPER])
_UP_LNRHO = np.log([row[3] for row in _UPPER])
_UP_H_LIST = tuple(float(h) for h in _UP_H_M)
_TOP_H_M = 1000e3
# scale heights [m] of the last table interval, for the extrapolation above 1000 km
_TOP_HP_M = (_UP_H_M[-1] - _UP_H_M[-2]) / (_UP_LNP[-2] - _UP_LNP[-1])
_TOP_HRHO_M = (_UP_H_M[-1] - _UP_H_M[-2]) / (_UP_LNRHO[-2] - _UP_LNRHO[-1])
_LOWER_TOP_M = 86000.0


@dataclass(frozen=True, eq=False)
class AtmosphereState:
    """US76 state at one or more altitudes (floats or arrays of the altitude's shape).

    Attributes: ``altitude_m`` (geometric, above the reference sea level), ``temperature_k``,
    ``pressure_pa``, ``density_kg_m3``, ``speed_of_sound_mps``.
    """

    altitude_m: np.ndarray
    temperature_k: np.ndarray
    pressure_pa: np.ndarray
    density_kg_m3: np.ndarray
    speed_of_sound_mps: np.ndarray


def us76_point(altitude_m: float) -> tuple[float, float, float, float]:
    """``(temperature_k, pressure_pa, density_kg_m3, speed_of_sound_mps)`` at one altitude.

    The scalar, allocation-free path used inside the ascent integrator (about 1 us per call).
    Altitudes below -5 km raise :class:`AtmosphereRangeError`.

    >>> [round(x, 4) for x in us76_point(0.0)]
    [288.15, 101325.0, 1.225, 340.2941]
    """
    h = float(altitude_m)
    if not h >= MIN_ALTITUDE_M:  # also catches NaN
        raise AtmosphereRangeError(
            f"altitude {h:.1f} m is outside US76 (valid from {MIN_ALTITUDE_M:.0f} m up); "
            "pass a geometric altitude above -5 km"
        )
    if h < _LOWER_TOP_M:
        hg = R0_GEOPOTENTIAL_M * h / (R0_GEOPOTENTIAL_M + h)
        i = 6
        while i > 0 and hg < _H_BASE[i]:
            i -= 1
        tb = _T_BASE[i]
        lapse = _LAPSE[i]
        dh = hg - _H_BASE[i]
        if lapse == 0.0:
            t = tb
            p = _P_BASE[i] * math.exp(-G0_MPS2 * dh / (R_AIR_J_KG_K * tb))
        else:
            t = tb + lapse * dh
            p = _P_BASE[i] * (tb / t) ** (G0_MPS2 / (R_AIR_J_KG_K * lapse))
        rho = p / (R_AIR_J_KG_K * t)
        return t, p, rho, math.sqrt(GAMMA_AIR * R_AIR_J_KG_K * t)
    if h >= _TOP_H_M:
        dh = h - _TOP_H_M
        t = float(_UP_T[-1])
        p = math.exp(_UP_LNP[-1] - dh / _TOP_HP_M)
        rho = math.exp(_UP_LNRHO[-1] - dh / _TOP_HRHO_M)
        return t, p, rho, math.sqrt(GAMMA_AIR * R_AIR_J_KG_K * t)
    hs = _UP_H_LIST
    j = 0
    while hs[j + 1] <= h:
        j += 1
    f = (h - hs[j]) / (hs[j + 1] - hs[j])
    t = _UP_T[j] + f * (_UP_T[j + 1] - _UP_T[j])
    p = math.exp(_UP_LNP[j] + f * (_UP_LNP[j + 1] - _UP_LNP[j]))
    rho = math.exp(_UP_LNRHO[j] + f * (_UP_LNRHO[j + 1] - _UP_LNRHO[j]))
    return float(t), p, rho, math.sqrt(GAMMA_AIR * R_AIR_J_KG_K * t)


def us76(altitude_m) -> AtmosphereState:
    """US76 at geometric altitude(s) ``altitude_m`` [m] (scalar or array).

    >>> s = us76([0.0, 50e3, 400e3])
    >>> [f"{x:.4g}" for x in s.density_kg_m3]
    ['1.225', '0.001027', '2.803e-12']
    >>> us76(-6000.0)
    Traceback (most recent call last):
    ...
    gyrfalcon.launch.atmosphere.AtmosphereRangeError: altitude -6000.0 m is outside US76 (valid from -5000 m up); pass a geometric altitude above -5 km
    """
    h = np.asarray(altitude_m, dtype=float)
    flat = h.reshape(-1)
    out = np.array([us76_point(x) for x in flat]).reshape(flat.size, 4)
    shape = h.shape
    return AtmosphereState(
        altitude_m=h,
        temperature_k=out[:, 0].reshape(shape),
        pressure_pa=out[:, 1].reshape(shape),
        density_kg_m3=out[:, 2].reshape(shape),
        speed_of_sound_mps=out[:, 3].reshape(shape),
    )
