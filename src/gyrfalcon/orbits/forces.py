"""Force models for the numerical propagator, as small swappable pieces (Orekit style).

Each piece is a frozen dataclass that knows how to write its acceleration as a
`heyoka <https://bluescarni.github.io/heyoka.py/>`_ expression of the GCRF state
``(x, y, z, vx, vy, vz, m)`` [m, m/s, kg] and of time. A :class:`ForceModel` is a tuple of
pieces plus a name; :meth:`ForceModel.preset` gives the named ones:

=============  ===========================================================================
``two-body``   point-mass Earth (EGM2008 GM)
``j2``         point mass + J2 (EGM2008) about the true pole (the ITRF z axis)
``zonal``      point mass + J2..J6 (EGM2008) about the true pole
``full``       point mass + EGM2008 8x8 in ITRF + drag in NRLMSISE-00 (heyoka's thermoNET)
=============  ===========================================================================

Conventions and assumptions
---------------------------
* Integration frame: GCRF. Time inside the integrator: TT seconds since the propagation
  epoch; the epoch enters as the runtime parameter ``epoch_tt_jc`` (Julian centuries of TT
  since J2000), so **one compiled integrator serves every epoch**.
* Earth orientation (used by every piece that needs the Earth-fixed frame or the true
  pole): ``r_gcrf = Q(t) R3(-ERA(t)) W(t) r_itrf`` with the IERS 2010 CIO-based chain.
  ``ERA``, the polar motion ``xp, yp`` (and ``s' = -47 uas T``) are heyoka's expressions
  of time (:func:`heyoka.model.era`, :func:`heyoka.model.pm_x`, ...) on the package's EOP
  table (heyoka's bundled IERS ``finals2000A.all``, extended by a year:
  :func:`gyrfalcon.time.eop_table`). The slow precession-nutation matrix ``Q`` (IAU 2006/2000A
  ``X, Y, s`` from :func:`heyoka.model.iau2006` plus the EOP offsets ``dX, dY``) is
  evaluated outside the integrator and enters as 27 runtime parameters: each element of
  ``Q`` is a quadratic in time through its exact values at the start, middle and end of
  a segment of at most :data:`ROTATION_SEGMENT_S` (the propagator refreshes them at every
  segment). This matches heyoka's own :func:`heyoka.model.rot_itrs_icrs` (full series)
  to about 2e-10 rad (1 mm at the ISS) and integrates about 20 times faster than putting
  the nutation series inside the Taylor integrator.
* ``PointMass``, ``ZonalHarmonics`` and ``SphericalHarmonics`` are independent: a full
  field is ``PointMass + SphericalHarmonics`` (the harmonics piece holds degree >= 2 only).
* Drag: cannonball, ``a = -1/2 k rho Cd A / m |v_rel| v_rel`` with the atmosphere
  co-rotating rigidly with the Earth, ``v_rel = v - w x r``, ``w`` = the IERS nominal rate
  :data:`~gyrfalcon.constants.EARTH_ROTATION_RATE_RAD_S` about the true pole (or, with
  ``omega="eop"``, heyoka's EOP rate of the Earth rotation angle about the same axis; the two
  differ by the length-of-day excess, ~1e-8 relative: 6 micrometres over the 3-day Orekit
  drag case, where both are 2.4 mm from Orekit's full ITRF angular velocity). ``Cd``,
  ``A`` and the density scale factor ``k`` are runtime parameters (``drag_cd``,
  ``drag_area_m2``, ``drag_scale``); the mass is the 7th state variable.
* Heights for the atmosphere are geodetic above WGS-84 (:func:`heyoka.model.cart2geo`).
* :class:`ThirdBody` (Sun, Moon from JPL DE421 in ``skyfield-data``) enters, like ``Q``, as
  per-segment time polynomials (runtime parameters).

Accuracy (``tests/orbits/test_propagator.py``, against Orekit 13 with the same constants):
two-body 3e-5 m, J2 / J2..J6 about the true pole and EIGEN-6S 8x8 ~1 mm after 1 day,
8x8 + exponential drag 2.4 mm after 3 days.

>>> ForceModel.preset("j2").describe()
'j2: PointMass(mu=3.986004415e+14) + ZonalHarmonics(J2, re=6378136.3 m, axis=true_pole)'
>>> ForceModel.preset("Full").name
'full'
>>> ForceModel.preset("j4")
Traceback (most recent call last):
...
gyrfalcon.errors.InputError: unknown force model preset 'j4'; use one of two-body, j2, zonal, full (or build a ForceModel from pieces)
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..constants import (
    DAYS_PER_JULIAN_CENTURY,
    EARTH_ROTATION_RATE_RAD_S,
    EGM2008_A_M,
    EGM2008_GM_M3_S2,
    G0_MPS2,
    J2000_JD_TT,
    SECONDS_PER_DAY,
    WGS84_A_M,
    WGS84_E2,
)
from ..errors import InputError
from ..ids import norm_id

SECONDS_PER_JULIAN_CENTURY = SECONDS_PER_DAY * DAYS_PER_JULIAN_CENTURY
ROTATION_SEGMENT_S = 43200.0
"""Longest span [s] over which the precession-nutation matrix is one quadratic in time."""
IAU2006_THRESH_ARCSEC = 1e-6
"""Truncation of the IAU 2006/2000A series when evaluating ``Q`` (heyoka's default)."""
_ARCSEC = math.pi / (180.0 * 3600.0)

STATE_NAMES = ("x", "y", "z", "vx", "vy", "vz", "m")


# ------------------------------------------------------------------------------------------
# small symbolic 3-vector / 3x3 helpers (entries are floats or heyoka expressions)
# ------------------------------------------------------------------------------------------
def _is_zero(a) -> bool:
    return isinstance(a, (int, float)) and a == 0


def _mul(a, b):
    if _is_zero(a) or _is_zero(b):
        return 0.0
    if isinstance(a, (int, float)) and a == 1:
        return b
    if isinstance(b, (int, float)) and b == 1:
        return a
    return a * b


def _sum(terms):
    terms = [t for t in terms if not _is_zero(t)]
    if not terms:
        return 0.0
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def _matvec(m, v):
    return [_sum([_mul(m[i][k], v[k]) for k in range(3)]) for i in range(3)]


def _tmatvec(m, v):
    return [_sum([_mul(m[k][i], v[k]) for k in range(3)]) for i in range(3)]


def _dot(a, b):
    return _sum([_mul(a[i], b[i]) for i in range(3)])


def _neg(a):
    return 0.0 if _is_zero(a) else -a


def _cross(a, b):
    return [
        _sum([_mul(a[1], b[2]), _neg(_mul(a[2], b[1]))]),
        _sum([_mul(a[2], b[0]), _neg(_mul(a[0], b[2]))]),
        _sum([_mul(a[0], b[1]), _neg(_mul(a[1], b[0]))]),
    ]


# ------------------------------------------------------------------------------------------
# build context: variables, runtime parameters, shared sub-expressions
# ------------------------------------------------------------------------------------------
class Builder:
    """Holds the state variables, the runtime parameters and shared sub-expressions while a
    :class:`ForceModel` (and event functions) are turned into heyoka expressions.

    Parameters are registered by name (:meth:`par`); index 0 is always ``epoch_tt_jc``.
    """

    def __init__(self):
        from gyrfalcon._heyoka import heyoka as _heyoka
        hy = _heyoka()

        self.hy = hy
        self.vars = hy.make_vars(*STATE_NAMES)
        self.r = list(self.vars[0:3])
        self.v = list(self.vars[3:6])
        self.m = self.vars[6]
        self.param_index: dict[str, int] = {}
        self.param_default: dict[str, float] = {}
        self.par("epoch_tt_jc", 0.0)
        self.tc = hy.par[0] + hy.time / SECONDS_PER_JULIAN_CENTURY
        self._memo: dict[str, Any] = {}
        self.uses_rotation = False
        self.segment_providers: list = []

    # -- parameters ------------------------------------------------------------------------
    def par(self, name: str, default: float = 0.0):
        """The runtime parameter ``name`` (registered on first use with ``default``)."""
        if name not in self.param_index:
            self.param_index[name] = len(self.param_index)
            self.param_default[name] = float(default)
        return self.hy.par[self.param_index[name]]

    def memo(self, key, fn):
        if key not in self._memo:
            self._memo[key] = fn()
        return self._memo[key]

    def segment_tau(self):
        """Seconds since the start of the current segment (``time - seg_t0_s``)."""
        return self.memo("tau", lambda: self.hy.time - self.par("seg_t0_s", 0.0))

    def add_segment_provider(self, provider):
        """Register an object whose ``segment_params(epoch_tt_jc, t0_s, length_s) -> dict`` the
        propagator calls at the start of every segment."""
        if provider not in self.segment_providers:
            self.segment_providers.append(provider)

    # -- geometry ----------------------------------------------------------------------------
    @property
    def r2(self):
        return self.memo("r2", lambda: _dot(self.r, self.r))

    @property
    def rnorm(self):
        return self.memo("rnorm", lambda: self.hy.sqrt(self.r2))

    def itrf_to_gcrf_matrix(self):
        """Symbolic ``M(t)`` with ``r_gcrf = M r_itrf`` (see the module docstring)."""

        def build():
            hy = self.hy
            self.uses_rotation = True
            self.add_segment_provider(_ROTATION)
            tau = self.segment_tau()
            tau2 = tau * tau
            Q = [[self.par(f"rot_q{i}{j}_0", 1.0 if i == j else 0.0)
                  + self.par(f"rot_q{i}{j}_1", 0.0) * tau
                  + self.par(f"rot_q{i}{j}_2", 0.0) * tau2 for j in range(3)] for i in range(3)]
            from ..time import heyoka_eop_data

            eop = heyoka_eop_data()
            era = hy.model.era(self.tc, eop_data=eop)
            ce, se = hy.cos(era), hy.sin(era)
            xp, yp = hy.model.pm_x(self.tc, eop_data=eop), hy.model.pm_y(self.tc, eop_data=eop)
            # W = R3(-s') R2(xp) R1(yp); xp, yp ~ 1e-6 rad: second-order small-angle forms
            cx, sx = 1.0 - 0.5 * xp * xp, xp
            cy, sy = 1.0 - 0.5 * yp * yp, yp
            sp = -47e-6 * _ARCSEC * self.tc
            r2r1 = [[cx, sx * sy, -sx * cy], [0.0, cy, sy], [sx, -cx * sy, cx * cy]]
            r3 = [[1.0, -sp, 0.0], [sp, 1.0, 0.0], [0.0, 0.0, 1.0]]
            W = [[_sum([_mul(r3[i][k], r2r1[k][j]) for k in range(3)]) for j in range(3)] for i in range(3)]
            # R3(-ERA) W
            RW = [[ce * W[0][j] - se * W[1][j] for j in range(3)],
                  [se * W[0][j] + ce * W[1][j] for j in range(3)],
                  [W[2][j] for j in range(3)]]
            return [[_sum([_mul(Q[i][k], RW[k][j]) for k in range(3)]) for j in range(3)] for i in range(3)]

        return self.memo("M", build)

    def to_itrf(self, vec):
        return _tmatvec(self.itrf_to_gcrf_matrix(), vec)

    def to_gcrf(self, vec):
        return _matvec(self.itrf_to_gcrf_matrix(), vec)

    @property
    def r_itrf(self):
        return self.memo("r_itrf", lambda: self.to_itrf(self.r))

    def pole(self, axis: str = "true_pole"):
        """Unit vector of the Earth's figure axis in GCRF: the ITRF z axis (``true_pole``,
        time-dependent: precession, nutation, polar motion) or ``gcrf_z`` = (0, 0, 1)."""
        if axis == "gcrf_z":
            return [0.0, 0.0, 1.0]
        if axis != "true_pole":
            raise InputError(f"unknown pole axis '{axis}'; use 'true_pole' or 'gcrf_z'")
        return self.memo("pole", lambda: [row[2] for row in self.itrf_to_gcrf_matrix()])

    def geodetic(self):
        """``[h_m, lat_rad, lon_rad]`` geodetic (WGS-84) of the spacecraft, from the ITRF position."""
        return self.memo("geo", lambda: self.hy.model.cart2geo(self.r_itrf, ecc2=WGS84_E2, R_eq=WGS84_A_M))

    def geodetic_height(self):
        """Geodetic height above WGS-84 [m], needing only the true pole (the ellipsoid is
        symmetric about it): ``cart2geo`` of ``(distance from the axis, 0, along the axis)``."""

        def build():
            hy = self.hy
            k = self.pole("true_pole")
            zk = _dot(self.r, k)
            rho = hy.sqrt(self.r2 - zk * zk)
            return hy.model.cart2geo([rho, 0.0, zk], ecc2=WGS84_E2, R_eq=WGS84_A_M)[0]

        if "geo" in self._memo:
            return self._memo["geo"][0]
        return self.memo("h", build)


# ------------------------------------------------------------------------------------------
# gravity
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointMass:
    """Central (Keplerian) attraction ``-mu r / |r|^3``.

    ``mu_m3_s2`` defaults to EGM2008's GM (3.986004415e14 m^3/s^2), which is also EIGEN-6S's.
    """

    mu_m3_s2: float = EGM2008_GM_M3_S2

    def key(self):
        return ("PointMass", float(self.mu_m3_s2))

    def describe(self) -> str:
        return f"PointMass(mu={self.mu_m3_s2:.10g})"

    def acceleration(self, b: Builder):
        k = -self.mu_m3_s2 / (b.r2 * b.rnorm)
        return [k * c for c in b.r]


def _egm2008_cs():
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    return np.asarray(hy.model.get_egm2008_CS(), dtype=float)


def _cs_index(n: int, m: int) -> int:
    """Row of (n, m) in heyoka's coefficient layout that starts at n = 0."""
    return n * (n + 1) // 2 + m


@dataclass(frozen=True)
class ZonalHarmonics:
    """Zonal harmonics J2..Jn of an axially symmetric Earth, about a chosen axis.

    ``j_coeffs``: unnormalised ``(J2, J3, ..., Jn)``; or give ``degree`` to take them from
    EGM2008 (``Jn = -sqrt(2n+1) Cbar_n0``, heyoka's bundled coefficients). ``axis``:
    ``"true_pole"`` (the ITRF z axis at each instant: precession, nutation and polar
    motion, as Orekit's Holmes-Featherstone model in ITRF) or ``"gcrf_z"`` (the GCRF z
    axis, frozen: ~0.15 deg off the pole in 2025, about 10 km after a day for the ISS).

    Acceleration (``s = r.k / |r|``, ``P_n`` Legendre polynomials)::

        a = sum_n mu J_n R^n / r^(n+2) [ (n+1) P_n(s) r_hat - P_n'(s) (k - s r_hat) ]

    >>> ZonalHarmonics(degree=3).j_values()[:2]
    (0.0010826261738522227, -2.5324105185677225e-06)
    """

    j_coeffs: tuple | None = None
    degree: int | None = None
    re_m: float = EGM2008_A_M
    mu_m3_s2: float = EGM2008_GM_M3_S2
    axis: str = "true_pole"

    def __post_init__(self):
        if self.j_coeffs is None and self.degree is None:
            object.__setattr__(self, "degree", 2)
        if self.j_coeffs is not None:
            object.__setattr__(self, "j_coeffs", tuple(float(j) for j in self.j_coeffs))
            if len(self.j_coeffs) == 0:
                raise InputError("ZonalHarmonics needs at least J2; give j_coeffs=(J2, ...) or degree>=2")
        elif int(self.degree) < 2:
            raise InputError(f"ZonalHarmonics degree must be >= 2 (J2 first), got {self.degree}")
        if self.axis not in ("true_pole", "gcrf_z"):
            raise InputError(f"unknown zonal axis '{self.axis}'; use 'true_pole' or 'gcrf_z'")

    def j_values(self) -> tuple:
        if self.j_coeffs is not None:
            return self.j_coeffs
        cs = _egm2008_cs()
        return tuple(float(-math.sqrt(2 * n + 1) * cs[_cs_index(n, 0) - 3, 0]) for n in range(2, int(self.degree) + 1))

    def key(self):
        return ("Zonal", self.j_values(), float(self.re_m), float(self.mu_m3_s2), self.axis)

    def describe(self) -> str:
        js = self.j_values()
        deg = "J2" if len(js) == 1 else f"J2..J{len(js) + 1}"
        return f"ZonalHarmonics({deg}, re={self.re_m:.10g} m, axis={self.axis})"

    def acceleration(self, b: Builder):
        k = b.pole(self.axis)
        r = b.rnorm
        rhat = [c / r for c in b.r]
        s = _dot(rhat, k)
        # Legendre P_n(s) and P_n'(s) by recurrence
        P = [1.0, s]
        dP = [0.0, 1.0]
        js = self.j_values()
        nmax = len(js) + 1
        for n in range(2, nmax + 1):
            P.append(((2 * n - 1) * s * P[n - 1] - (n - 1) * P[n - 2]) / n)
            dP.append(n * P[n - 1] + (s * dP[n - 1] if n > 2 else s))
        radial = 0.0
        axial = 0.0
        inv_r = 1.0 / r
        for n, jn in zip(range(2, nmax + 1), js):
            if jn == 0.0:
                continue
            c = self.mu_m3_s2 * jn * self.re_m ** n * inv_r ** (n + 2)
            radial = radial + c * ((n + 1) * P[n] + s * dP[n])
            axial = axial - c * dP[n]
        return [radial * rhat[i] + (_mul(axial, k[i]) if not _is_zero(k[i]) else 0.0) for i in range(3)]


@dataclass(frozen=True)
class SphericalHarmonics:
    """Non-central part (degree >= 2) of a spherical-harmonics field, in ITRF.

    ``coefficients``: fully normalised ``Cbar, Sbar`` (geodesy 4-pi normalisation, no
    Condon-Shortley phase, as ICGEM files and heyoka), either ``None`` (EGM2008 bundled
    in heyoka, :func:`heyoka.model.get_egm2008_CS`), an ``(N, 2)`` array in heyoka's layout
    starting at degree 2, or a mapping ``{(n, m): (C, S)}``. ``mu_m3_s2``/``re_m`` must be
    those of the coefficients. Evaluated with :func:`heyoka.model.sh_gravity_acc` on the
    ITRF position and rotated back to GCRF (see the module docstring for the rotation).
    Add a :class:`PointMass` for the central term.
    """

    degree: int = 8
    order: int = 8
    coefficients: Any = None
    mu_m3_s2: float = EGM2008_GM_M3_S2
    re_m: float = EGM2008_A_M

    def __post_init__(self):
        if not (2 <= int(self.degree)) or not (0 <= int(self.order) <= int(self.degree)):
            raise InputError(
                f"SphericalHarmonics needs degree >= 2 and 0 <= order <= degree, got {self.degree}x{self.order}"
            )
        object.__setattr__(self, "coefficients", self._normalise(self.coefficients))

    def _normalise(self, coeffs):
        n = int(self.degree)
        rows = _cs_index(n, n) + 1
        out = np.zeros((rows, 2))
        if coeffs is None:
            cs = _egm2008_cs()
            if len(cs) + 3 < rows:
                raise InputError(f"EGM2008 in heyoka has only {len(cs)} coefficients; use a lower degree")
            out[3:] = cs[: rows - 3]
        elif isinstance(coeffs, dict):
            for (nn, mm), (c, s) in coeffs.items():
                if 2 <= nn <= n and 0 <= mm <= nn:
                    out[_cs_index(nn, mm)] = (c, s)
        else:
            arr = np.asarray(coeffs, dtype=float)
            if isinstance(coeffs, tuple) and arr.ndim == 2 and len(arr) == rows:
                out[:] = arr  # already normalised (full layout from n = 0)
            else:
                if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) + 3 < rows:
                    raise InputError(
                        f"coefficients must be an (N, 2) array of [C, S] from degree 2 with at least "
                        f"{rows - 3} rows for degree {n}, or a dict {{(n, m): (C, S)}}"
                    )
                out[3:] = arr[: rows - 3]
        out[0:3] = 0.0  # central term and degree 1 excluded (PointMass is separate)
        for nn in range(2, n + 1):
            for mm in range(nn + 1):
                if mm > int(self.order):
                    out[_cs_index(nn, mm)] = 0.0
            out[_cs_index(nn, 0), 1] = 0.0
        return tuple(map(tuple, out))

    def key(self):
        return ("SH", int(self.degree), int(self.order), self.coefficients, float(self.mu_m3_s2), float(self.re_m))

    def describe(self) -> str:
        return f"SphericalHarmonics({self.degree}x{self.order}, re={self.re_m:.10g} m)"

    def acceleration(self, b: Builder):
        hy = b.hy
        acc_itrf = hy.model.sh_gravity_acc(
            b.r_itrf, [list(c) for c in self.coefficients], self.mu_m3_s2, self.re_m,
            max_degree=int(self.degree), max_order=int(self.order),
        )
        return b.to_gcrf(list(acc_itrf))


# ------------------------------------------------------------------------------------------
# atmosphere and drag
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExponentialAtmosphere:
    """``rho = rho0 exp(-(h - h0) / H)`` with ``h`` the geodetic height above WGS-84.

    Defaults are Orekit's reference case (3.0e-12 kg/m^3 at 420 km, H = 60 km), close to
    NRLMSISE-00 at the ISS in late November 2025.
    """

    rho0_kg_m3: float = 3.0e-12
    h0_m: float = 420e3
    scale_height_m: float = 60e3

    def key(self):
        return ("Exp", float(self.rho0_kg_m3), float(self.h0_m), float(self.scale_height_m))

    def describe(self) -> str:
        return f"ExponentialAtmosphere({self.rho0_kg_m3:g} kg/m3 at {self.h0_m / 1e3:g} km, H={self.scale_height_m / 1e3:g} km)"

    def density(self, b: Builder):
        h = b.geodetic_height()
        return self.rho0_kg_m3 * b.hy.exp(-(h - self.h0_m) / self.scale_height_m)


@dataclass(frozen=True)
class NRLMSISE00:
    """NRLMSISE-00 total mass density through heyoka's neural surrogate
    (:func:`heyoka.model.nrlmsise00_tn`, the "thermoNET" of Izzo et al. 2024).

    Measured against the full NRLMSISE-00 (``pymsis``, same inputs): 0.92-1.06 (median 0.99)
    at 200-600 km along the ISS orbit (``tests/orbits/test_propagator.py``), ~0.9-1.0 at
    180 km, but far too low below its training range: x0.5-0.9 at 140-160 km, x0.13-0.45 at
    120 km, x0.02 at 100 km. Use it for orbits, not for the last minutes before entry.

    Inputs at each instant: WGS-84 geodetic height, latitude and longitude of the ITRF
    position; fractional day of year; F10.7 of the previous day, its 81-day centred mean and
    the daily Ap, all from heyoka's bundled CelesTrak space-weather table
    (:class:`heyoka.sw_data`, observed then predicted values) unless fixed numbers are given
    here (``f107``, ``f107a``, ``ap``). Outside the table's span the density is NaN and the
    propagator refuses the date. ``space_weather="params"`` makes the three inputs runtime
    parameters (``sw_f107``, ``sw_f107a``, ``sw_ap``; defaults 150, 150, 15): space weather held
    constant over a prediction, as a forecast would, without a new compiled integrator per value.
    """

    f107: float | None = None
    f107a: float | None = None
    ap: float | None = None
    space_weather: str = "table"

    def key(self):
        return ("NRLMSISE00", self.f107, self.f107a, self.ap) + (() if self.space_weather == "table"
                                                                  else (self.space_weather,))

    def describe(self) -> str:
        src = "heyoka space weather" if self.f107 is None else f"F10.7={self.f107}"
        if self.space_weather == "params":
            src = "space weather as runtime parameters"
        return f"NRLMSISE00({src})"

    def density(self, b: Builder):
        hy = b.hy
        h, lat, lon = b.geodetic()
        tc = b.tc
        const = hy.expression
        if self.space_weather == "params":
            f107, f107a, ap = b.par("sw_f107", 150.0), b.par("sw_f107a", 150.0), b.par("sw_ap", 15.0)
            doy = hy.model.dayfrac(tc * DAYS_PER_JULIAN_CENTURY)
            return hy.model.nrlmsise00_tn([h / 1000.0, lat, lon], f107, f107a, ap, doy)
        if self.space_weather != "table":
            raise InputError(f"unknown space_weather '{self.space_weather}'; use 'table' or 'params'")
        from ..time import heyoka_sw_data

        sw = heyoka_sw_data()
        f107 = hy.model.f107(tc - 1.0 / DAYS_PER_JULIAN_CENTURY, sw_data=sw) if self.f107 is None else const(float(self.f107))
        f107a = hy.model.f107a_center81(tc, sw_data=sw) if self.f107a is None else const(float(self.f107a))
        ap = hy.model.Ap_avg(tc, sw_data=sw) if self.ap is None else const(float(self.ap))
        doy = hy.model.dayfrac(tc * DAYS_PER_JULIAN_CENTURY)
        return hy.model.nrlmsise00_tn([h / 1000.0, lat, lon], f107, f107a, ap, doy)


@dataclass(frozen=True)
class Drag:
    """Cannonball drag in an atmosphere co-rotating with the Earth.

    ``cd``, ``area_m2`` are the defaults of the runtime parameters ``drag_cd`` and
    ``drag_area_m2`` (override them per propagation with ``params=``; ``area_m2=None``
    means the caller must give it). ``drag_scale`` (default 1) multiplies the density.
    ``omega``: ``"nominal"`` (IERS rate about the true pole) or ``"eop"`` (heyoka's
    d(ERA)/dt from the EOP table about the same axis).
    """

    atmosphere: Any = field(default_factory=NRLMSISE00)
    cd: float = 2.2
    area_m2: float | None = None
    omega: str = "nominal"

    def key(self):
        return ("Drag", self.atmosphere.key(), self.omega)

    def describe(self) -> str:
        return f"Drag({self.atmosphere.describe()}, Cd={self.cd}, A={self.area_m2} m2)"

    def acceleration(self, b: Builder):
        hy = b.hy
        rho = self.atmosphere.density(b) * b.par("drag_scale", 1.0)
        k = b.pole("true_pole")
        if self.omega == "eop":
            from ..time import heyoka_eop_data

            w = hy.model.erap(b.tc, eop_data=heyoka_eop_data()) / SECONDS_PER_JULIAN_CENTURY
        elif self.omega == "nominal":
            w = EARTH_ROTATION_RATE_RAD_S
        else:
            raise InputError(f"unknown drag omega '{self.omega}'; use 'nominal' or 'eop'")
        wvec = [w * c for c in k]
        wxr = _cross(wvec, b.r)
        vrel = [b.v[i] - wxr[i] for i in range(3)]
        speed = hy.sqrt(_dot(vrel, vrel))
        coef = -0.5 * rho * b.par("drag_cd", self.cd) * b.par("drag_area_m2", self.area_m2 or 0.0) / b.m * speed
        return [coef * c for c in vrel]


# ------------------------------------------------------------------------------------------
# third bodies
# ------------------------------------------------------------------------------------------
MU_MOON_M3_S2 = 4.902800066e12
"""Lunar GM of JPL DE421 [m^3/s^2]."""
MU_SUN_M3_S2 = 1.32712440041e20
"""Solar GM of JPL DE421 [m^3/s^2]."""


@functools.lru_cache(maxsize=1)
def _de421():
    """JPL DE421 from skyfield-data. On import skyfield-data warns that its ``finals2000A.all``
    copy has expired; Gyrfalcon never reads that file (EOP come from heyoka's table,
    :func:`gyrfalcon.time.eop_table`), so that one warning is silenced here."""
    import os
    import warnings

    from skyfield.api import load_file

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"The file finals2000A\.all has expired", category=RuntimeWarning)
        import skyfield_data

        path = os.path.join(skyfield_data.get_skyfield_data_path(), "de421.bsp")
    return load_file(path)


def body_positions_gcrf(body: str, t) -> np.ndarray:
    """Geometric position [m] of the Sun or the Moon relative to the Earth's centre, GCRF axes
    (JPL DE421 shipped in ``skyfield-data``), at skyfield times ``t`` -> ``(3, N)``."""
    eph = _de421()
    target = eph["sun"] if body == "sun" else eph["moon"]
    return np.asarray((target - eph["earth"]).at(t).position.m)


@dataclass(frozen=True)
class ThirdBody:
    """Point-mass attraction of the Sun or the Moon on the spacecraft, minus that on the Earth::

        a = mu_b [ (s - r)/|s - r|^3 - s/|s|^3 ]

    ``s`` = geocentric position of the body from JPL DE421 (``skyfield-data``), entered as a
    cubic in time through its exact values at four points of each propagation segment
    (<= 12 h: the Moon's position is then right to ~1e-6 of its distance, far below
    what the force needs).
    """

    body: str = "moon"
    mu_m3_s2: float | None = None

    def __post_init__(self):
        b = str(self.body).strip().lower()
        if b not in ("sun", "moon"):
            raise InputError(f"unknown third body '{self.body}'; use 'sun' or 'moon'")
        object.__setattr__(self, "body", b)
        if self.mu_m3_s2 is None:
            object.__setattr__(self, "mu_m3_s2", MU_SUN_M3_S2 if b == "sun" else MU_MOON_M3_S2)

    def key(self):
        return ("ThirdBody", self.body, float(self.mu_m3_s2))

    def describe(self) -> str:
        return f"ThirdBody({self.body})"

    def acceleration(self, b: Builder):
        hy = b.hy
        b.add_segment_provider(self)
        tau = b.segment_tau()
        # Horner form (a power of tau would differentiate badly at tau = 0)
        s = [b.par(f"{self.body}_{ax}0", 0.0) + tau * (b.par(f"{self.body}_{ax}1", 0.0) + tau * (
            b.par(f"{self.body}_{ax}2", 0.0) + tau * b.par(f"{self.body}_{ax}3", 0.0))) for ax in "xyz"]
        d = [s[i] - b.r[i] for i in range(3)]
        d2 = _dot(d, d)
        s2 = _dot(s, s)
        kd = self.mu_m3_s2 / (d2 * hy.sqrt(d2))
        ks = self.mu_m3_s2 / (s2 * hy.sqrt(s2))
        return [kd * d[i] - ks * s[i] for i in range(3)]

    def segment_params(self, epoch_tt_jc, t0_s, length_s) -> dict:
        from ..time import timescale

        e = np.atleast_1d(np.asarray(epoch_tt_jc, dtype=float))
        t0 = np.broadcast_to(np.asarray(t0_s, dtype=float), e.shape)
        L = np.broadcast_to(np.asarray(length_s, dtype=float), e.shape)
        L = np.where(np.abs(L) < 1.0, np.where(L < 0, -1.0, 1.0), L)
        taus = np.stack([k / 3.0 * L for k in range(4)])            # (4, n)
        jd = J2000_JD_TT + (e[None, :] * DAYS_PER_JULIAN_CENTURY) + (t0[None, :] + taus) / SECONDS_PER_DAY
        pos = body_positions_gcrf(self.body, timescale().tt_jd(jd.reshape(-1))).reshape(3, 4, len(e))
        V = np.stack([np.vander(taus[:, j], 4, increasing=True) for j in range(len(e))])   # (n, 4, 4)
        c = np.linalg.solve(V, np.transpose(pos, (2, 1, 0)))                               # (n, 4, 3)
        out = {f"{self.body}_{ax}{k}": c[:, k, a].copy() for k in range(4) for a, ax in enumerate("xyz")}
        # the cubic is in the time since the segment start: set it here too, since a model
        # without Earth rotation has no other provider that would
        out["seg_t0_s"] = t0.copy()
        return out


# ------------------------------------------------------------------------------------------
# thrust (finite burns)
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FiniteThrust:
    """Thrust ``T/m`` along a direction fixed in a local orbital frame, with mass flow
    ``dm/dt = -T / (Isp g0)``, all switched by runtime parameters (no recompile per burn).

    Parameters: ``thrust_on`` (0/1), ``thrust_n``, ``thrust_isp_s``, ``thrust_d1..3`` (unit
    direction components) and one of the frame flags ``thrust_tnw``, ``thrust_rtn``,
    ``thrust_gcrf`` set to 1. TNW: T = v/|v|, W = r x v/|r x v|, N = W x T.
    RTN: R = r/|r|, N = W, T = N x R.
    """

    def key(self):
        return ("Thrust",)

    def describe(self) -> str:
        return "FiniteThrust"

    def _unit_axes(self, b: Builder):
        hy = b.hy
        r, v = b.r, b.v
        vn = hy.sqrt(_dot(v, v))
        t_hat = [c / vn for c in v]
        h = _cross(r, v)
        hn = hy.sqrt(_dot(h, h))
        w_hat = [c / hn for c in h]
        r_hat = [c / b.rnorm for c in r]
        n_tnw = _cross(w_hat, t_hat)
        t_rtn = _cross(w_hat, r_hat)
        return t_hat, n_tnw, w_hat, r_hat, t_rtn

    def acceleration(self, b: Builder):
        t_hat, n_tnw, w_hat, r_hat, t_rtn = self._unit_axes(b)
        d1, d2, d3 = (b.par(f"thrust_d{i}", 0.0) for i in (1, 2, 3))
        f_tnw, f_rtn, f_gcrf = b.par("thrust_tnw", 1.0), b.par("thrust_rtn", 0.0), b.par("thrust_gcrf", 0.0)
        e = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]
        direction = [
            f_tnw * (d1 * t_hat[i] + d2 * n_tnw[i] + d3 * w_hat[i])
            + f_rtn * (d1 * r_hat[i] + d2 * t_rtn[i] + d3 * w_hat[i])
            + f_gcrf * (d1 * e[0][i] + d2 * e[1][i] + d3 * e[2][i])
            for i in range(3)
        ]
        acc = b.par("thrust_on", 0.0) * b.par("thrust_n", 0.0) / b.m
        return [acc * c for c in direction]

    def mass_rate(self, b: Builder):
        return -b.par("thrust_on", 0.0) * b.par("thrust_n", 0.0) / (b.par("thrust_isp_s", 300.0) * G0_MPS2)


# ------------------------------------------------------------------------------------------
# the model
# ------------------------------------------------------------------------------------------
PRESETS = ("two-body", "j2", "zonal", "full")


@dataclass(frozen=True)
class ForceModel:
    """A named list of force pieces (:class:`PointMass`, :class:`ZonalHarmonics`,
    :class:`SphericalHarmonics`, :class:`Drag`, :class:`FiniteThrust`).

    Its :meth:`key` (structure and compile-time constants, not the runtime parameters) is
    what the propagator's integrator cache is keyed on.
    """

    forces: tuple
    name: str = "custom"

    def __post_init__(self):
        object.__setattr__(self, "forces", tuple(self.forces))
        if not self.forces:
            raise InputError("a ForceModel needs at least one force, e.g. PointMass()")

    @classmethod
    def preset(cls, name: str) -> "ForceModel":
        """One of ``two-body``, ``j2``, ``zonal``, ``full`` (see the module docstring)."""
        key = norm_id(name)
        key = {"twobody": "two-body", "2body": "two-body", "kepler": "two-body"}.get(key, key)
        if key == "two-body":
            return cls((PointMass(),), "two-body")
        if key == "j2":
            return cls((PointMass(), ZonalHarmonics(degree=2)), "j2")
        if key == "zonal":
            return cls((PointMass(), ZonalHarmonics(degree=6)), "zonal")
        if key == "full":
            return cls((PointMass(), SphericalHarmonics(8, 8), Drag(NRLMSISE00())), "full")
        raise InputError(
            f"unknown force model preset '{name}'; use one of {', '.join(PRESETS)} "
            "(or build a ForceModel from pieces)"
        )

    @classmethod
    def coerce(cls, model) -> "ForceModel":
        if isinstance(model, ForceModel):
            return model
        if isinstance(model, str):
            return cls.preset(model)
        if isinstance(model, (list, tuple)):
            return cls(tuple(model))
        raise InputError(f"expected a ForceModel, a preset name or a list of forces, got {type(model).__name__}")

    def key(self):
        return (self.name, tuple(f.key() for f in self.forces))

    def describe(self) -> str:
        return f"{self.name}: " + " + ".join(f.describe() for f in self.forces)

    @property
    def has_drag(self) -> bool:
        return any(isinstance(f, Drag) for f in self.forces)

    @property
    def has_thrust(self) -> bool:
        return any(isinstance(f, FiniteThrust) for f in self.forces)

    def with_thrust(self) -> "ForceModel":
        """This model plus :class:`FiniteThrust` (what the propagator uses for finite burns)."""
        if self.has_thrust:
            return self
        return replace(self, forces=self.forces + (FiniteThrust(),))

    def param_defaults(self) -> dict:
        """Defaults of the runtime parameters that the pieces themselves fix (drag Cd, area)."""
        out = {}
        for f in self.forces:
            if isinstance(f, Drag):
                out["drag_cd"] = float(f.cd)
                if f.area_m2 is not None:
                    out["drag_area_m2"] = float(f.area_m2)
        return out

    def equations(self, b: Builder):
        """The 7 right-hand sides ``[(var, rhs), ...]`` for heyoka."""
        acc = [0.0, 0.0, 0.0]
        mdot = 0.0
        for f in self.forces:
            a = f.acceleration(b)
            acc = [_sum([acc[i], a[i]]) for i in range(3)]
            if hasattr(f, "mass_rate"):
                mdot = _sum([mdot, f.mass_rate(b)])
        rhs = list(b.v) + acc + [mdot]
        hy = b.hy
        return [(var, e if not isinstance(e, (int, float)) else hy.expression(float(e))) for var, e in zip(b.vars, rhs)]


# ------------------------------------------------------------------------------------------
# numeric side of the Earth rotation: the quadratic Q(t) parameters of a segment
# ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _xys_cfunc():
    """Compiled ``X, Y, s, dX, dY`` (IAU 2006/2000A + EOP offsets) as functions of TT centuries."""
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    dummy = hy.make_vars("dummy")
    X, Y, s = hy.model.iau2006(hy.time, thresh=IAU2006_THRESH_ARCSEC)
    from ..time import heyoka_eop_data

    eop = heyoka_eop_data()
    return hy.cfunc([X, Y, s, hy.model.dX(hy.time, eop_data=eop), hy.model.dY(hy.time, eop_data=eop)], [dummy],
                    compact_mode=True)


def precession_nutation_matrix(tt_jc) -> np.ndarray:
    """``Q`` (GCRF <- CIRS) at TT Julian centuries ``tt_jc`` (array ``(N,)`` -> ``(N, 3, 3)``).

    ``Q = R3(-E) R2(-d) R3(E) R3(s)`` with ``X = sin d cos E``, ``Y = sin d sin E``
    (IERS Conventions 2010, eq. 5.10), ``X, Y`` including the EOP offsets ``dX, dY``.
    """
    t = np.atleast_1d(np.asarray(tt_jc, dtype=float))
    cf = _xys_cfunc()
    out = cf(np.zeros((1, len(t))), time=t)
    X = out[0] + out[3]
    Y = out[1] + out[4]
    s = out[2]
    a = 1.0 / (1.0 + np.sqrt(1.0 - X * X - Y * Y))
    # R3(-E) R2(-d) R3(E) in closed form
    A = np.empty((len(t), 3, 3))
    A[:, 0, 0] = 1 - a * X * X
    A[:, 0, 1] = -a * X * Y
    A[:, 0, 2] = X
    A[:, 1, 0] = -a * X * Y
    A[:, 1, 1] = 1 - a * Y * Y
    A[:, 1, 2] = Y
    A[:, 2, 0] = -X
    A[:, 2, 1] = -Y
    A[:, 2, 2] = 1 - a * (X * X + Y * Y)
    cs, ss = np.cos(s), np.sin(s)
    R3s = np.zeros((len(t), 3, 3))
    R3s[:, 0, 0] = cs
    R3s[:, 0, 1] = ss
    R3s[:, 1, 0] = -ss
    R3s[:, 1, 1] = cs
    R3s[:, 2, 2] = 1.0
    return A @ R3s


def rotation_segment_params(epoch_tt_jc, t0_s, length_s) -> dict:
    """Values of the ``rot_*`` runtime parameters for the segment ``[t0_s, t0_s + length_s]``
    (seconds since the epoch; arrays allowed for batch mode): the quadratic through ``Q``
    at the start, middle and end."""
    e = np.atleast_1d(np.asarray(epoch_tt_jc, dtype=float))
    t0 = np.broadcast_to(np.asarray(t0_s, dtype=float), e.shape)
    L = np.maximum(np.abs(np.broadcast_to(np.asarray(length_s, dtype=float), e.shape)), 1.0)
    L = L * np.where(np.asarray(length_s) < 0, -1.0, 1.0)
    taus = np.stack([np.zeros_like(L), 0.5 * L, L])              # (3, n)
    tc = e[None, :] + (t0[None, :] + taus) / SECONDS_PER_JULIAN_CENTURY
    Q = precession_nutation_matrix(tc.reshape(-1)).reshape(3, len(e), 3, 3)
    q0, qm, q1 = Q[0], Q[1], Q[2]
    h = (0.5 * L)[:, None, None]
    c0 = q0
    c2 = (q1 - 2 * qm + q0) / (2 * h * h)
    c1 = (qm - q0) / h - c2 * h
    out = {"seg_t0_s": t0.copy()}
    for i in range(3):
        for j in range(3):
            out[f"rot_q{i}{j}_0"] = c0[:, i, j]
            out[f"rot_q{i}{j}_1"] = c1[:, i, j]
            out[f"rot_q{i}{j}_2"] = c2[:, i, j]
    return out


class _RotationSegments:
    """Segment provider of the Earth-orientation quadratic."""

    def segment_params(self, epoch_tt_jc, t0_s, length_s) -> dict:
        return rotation_segment_params(epoch_tt_jc, t0_s, length_s)

    def __repr__(self):
        return "EarthRotation"


_ROTATION = _RotationSegments()


def tt_jc(t) -> float:
    """TT Julian centuries since J2000 of a skyfield ``Time``."""
    return float(((np.asarray(t.whole) - J2000_JD_TT) + np.asarray(t.tt_fraction)) / DAYS_PER_JULIAN_CENTURY)
