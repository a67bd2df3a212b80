"""Physical constants and Earth models, in SI units, in one place.

Everything else in Gyrfalcon imports its constants from here. Sources:

* WGS-84: NIMA TR8350.2, 3rd ed. (a, 1/f, GM, omega).
* EGM2008: Pavlis et al. (2012); GM and reference radius as bundled in ``heyoka``
  (:func:`heyoka.model.get_egm2008_mu`, :func:`heyoka.model.get_egm2008_a`).
  ``J2_EGM2008 = -sqrt(5) * C20bar`` with C20bar = -4.84165143790815e-4.
* Earth rotation rate: IERS Conventions (2010), nominal mean angular velocity.

>>> round(WGS84_A_M / 1000, 3)
6378.137
>>> round(J2_EGM2008, 12)
0.001082626174
"""
from __future__ import annotations

import math

# WGS-84 ellipsoid
WGS84_A_M: float = 6378137.0
"""WGS-84 semi-major (equatorial) axis [m]."""
WGS84_INV_F: float = 298.257223563
"""WGS-84 inverse flattening [-]."""
WGS84_F: float = 1.0 / WGS84_INV_F
WGS84_B_M: float = WGS84_A_M * (1.0 - WGS84_F)
WGS84_E2: float = WGS84_F * (2.0 - WGS84_F)
"""First eccentricity squared of the WGS-84 ellipsoid [-]."""
WGS84_GM_M3_S2: float = 3.986004418e14
"""WGS-84 (and EGM2008 'GM with atmosphere') Earth gravitational parameter [m^3/s^2]."""
EARTH_ROTATION_RATE_RAD_S: float = 7.292115146706979e-5
"""IERS 2010 nominal mean angular velocity of the Earth [rad/s]."""

# EGM2008 (as bundled in heyoka)
EGM2008_GM_M3_S2: float = 3.986004415e14
"""EGM2008 gravitational parameter [m^3/s^2]."""
EGM2008_A_M: float = 6378136.3
"""EGM2008 reference radius [m]."""
EGM2008_C20_BAR: float = -4.84165143790815e-4
J2_EGM2008: float = -math.sqrt(5.0) * EGM2008_C20_BAR
"""Unnormalised J2 of EGM2008 [-]."""

# default choice used where a single mu is needed (two-body, elements)
MU_EARTH_M3_S2: float = WGS84_GM_M3_S2
"""Default Earth GM for two-body formulas and element conversions [m^3/s^2]."""

# time
SECONDS_PER_DAY: float = 86400.0
DAYS_PER_JULIAN_CENTURY: float = 36525.0
J2000_JD_TT: float = 2451545.0
"""Julian date (TT) of the J2000.0 epoch."""

# standard gravity for rocket equation and g-loads
G0_MPS2: float = 9.80665
"""Standard gravity [m/s^2] (rocket equation Isp, g-load)."""
