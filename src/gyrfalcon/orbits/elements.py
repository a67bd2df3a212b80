"""Osculating Keplerian elements of closed (elliptic) Earth orbits.

Model and conventions
---------------------
* Two-body conic with gravitational parameter ``mu_m3_s2`` (default
  :data:`~gyrfalcon.constants.MU_EARTH_M3_S2`, the WGS-84 GM). Elements are *osculating*:
  the conic tangent to one state; with J2 and drag they change along the orbit.
* Angles in radians: ``i_rad`` in [0, pi]; ``raan_rad``, ``argp_rad``, ``nu_rad`` (true
  anomaly) and the derived anomalies in [0, 2 pi).
* Elements are expressed in whichever inertial frame the state was (GCRF, EME2000 or
  TEME); :meth:`KeplerianElements.from_state` converts ITRF states to GCRF first.
* Singular cases: for a circular orbit (``e < 1e-11``) the argument of perigee is set to 0
  and ``nu`` is the argument of latitude; for an equatorial orbit (``sin i < 1e-11``) the
  RAAN is set to 0 and angles are measured from the x axis. The argument of latitude
  (:attr:`~KeplerianElements.arglat_rad`) is computed directly from the position and the
  node line, so it stays accurate however small ``e`` is.
* Only closed orbits that clear the Earth are accepted: ``e >= 1`` (parabolic or
  hyperbolic) and perigee radius below the WGS-84 equatorial radius raise
  :class:`~gyrfalcon.errors.ImpossibleOrbitError` (pass ``allow_suborbital=True`` to keep
  a ballistic, sub-surface ellipse such as an ascent state).
* Apsis *altitudes* are measured above the WGS-84 equatorial radius 6378137 m (the
  convention of launch and Orekit "perigee height"), not above the local ellipsoid.

>>> import math
>>> el = KeplerianElements.from_altitudes(200e3, 242e3, math.radians(51.66), 0.0, 0.0, 0.0)
>>> el.a_m, el.e      # Orekit burns_ms28 header: a = 6599137.0 m, e = 0.003182234283058527
(6599137.0, 0.003182234283058527)
>>> round(el.period_s / 60, 3)
88.918
>>> KeplerianElements.from_altitudes(-150e3, 200e3, 0.9, 0.0, 0.0, 0.0)
Traceback (most recent call last):
...
gyrfalcon.errors.ImpossibleOrbitError: perigee altitude -150 km is below the Earth's surface (WGS-84 equatorial radius 6378.137 km); give a perigee altitude above about 100 km for an orbit, or allow_suborbital=True for a ballistic arc
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import MU_EARTH_M3_S2, WGS84_A_M
from ..errors import ImpossibleOrbitError, InputError

MIN_APOGEE_ALT_M = 100e3
"""Lowest apogee altitude of an orbit [m] (the Karman line): below it the arc re-enters within a
revolution, so :meth:`KeplerianElements.from_altitudes` refuses it unless a suborbital arc is asked for."""

TWO_PI = 2.0 * math.pi
_CIRCULAR_E = 1e-11
_EQUATORIAL_SIN_I = 1e-11


def _wrap(angle: float) -> float:
    """Angle in [0, 2 pi)."""
    a = math.fmod(float(angle), TWO_PI)
    if a < 0.0:
        a += TWO_PI
    return 0.0 if a >= TWO_PI else a


def _mu(mu_m3_s2) -> float:
    mu = MU_EARTH_M3_S2 if mu_m3_s2 is None else float(mu_m3_s2)
    if not (math.isfinite(mu) and mu > 0.0):
        raise InputError(f"gravitational parameter mu = {mu_m3_s2!r} m^3/s^2 must be positive; "
                         f"the Earth's is {MU_EARTH_M3_S2:.9e}")
    return mu


@dataclass(frozen=True)
class KeplerianElements:
    """Classical osculating elements of a closed orbit (SI units, radians).

    Attributes
    ----------
    a_m : float
        Semi-major axis [m], > 0.
    e : float
        Eccentricity [-], 0 <= e < 1.
    i_rad : float
        Inclination [rad], 0..pi.
    raan_rad : float
        Right ascension of the ascending node [rad].
    argp_rad : float
        Argument of perigee [rad].
    nu_rad : float
        True anomaly [rad].
    mu_m3_s2 : float
        Gravitational parameter the elements were computed with [m^3/s^2].
    allow_suborbital : bool
        If True, a perigee below the Earth's surface is accepted (not compared, not shown).
    """

    a_m: float
    e: float
    i_rad: float
    raan_rad: float
    argp_rad: float
    nu_rad: float
    mu_m3_s2: float = MU_EARTH_M3_S2
    allow_suborbital: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self):
        vals = (self.a_m, self.e, self.i_rad, self.raan_rad, self.argp_rad, self.nu_rad)
        if not all(math.isfinite(float(x)) for x in vals):
            raise ImpossibleOrbitError(f"elements must be finite numbers, got {vals}")
        object.__setattr__(self, "mu_m3_s2", _mu(self.mu_m3_s2))
        if not (0.0 <= self.e < 1.0):
            raise ImpossibleOrbitError(
                f"eccentricity {self.e:.6g} is not that of a closed orbit; Keplerian elements here "
                "need 0 <= e < 1 (a hyperbolic or parabolic state has escape energy: check the "
                "velocity units, m/s, and the frame)"
            )
        if not self.a_m > 0.0:
            raise ImpossibleOrbitError(
                f"semi-major axis {self.a_m:.6g} m is not positive; give a > 0 in metres (e.g. 6.78e6)"
            )
        if not (0.0 <= self.i_rad <= math.pi):
            raise InputError(
                f"inclination {self.i_rad:.6g} rad is outside [0, pi]; give it in radians "
                "(e.g. math.radians(51.64)) and use the RAAN for the node direction"
            )
        for name in ("raan_rad", "argp_rad", "nu_rad"):
            object.__setattr__(self, name, _wrap(getattr(self, name)))
        object.__setattr__(self, "a_m", float(self.a_m))
        object.__setattr__(self, "e", float(self.e))
        object.__setattr__(self, "i_rad", float(self.i_rad))
        if not self.allow_suborbital and self.perigee_radius_m < WGS84_A_M:
            raise ImpossibleOrbitError(
                f"perigee altitude {self.perigee_altitude_m / 1000:.4g} km is below the Earth's surface "
                f"(WGS-84 equatorial radius {WGS84_A_M / 1000:.3f} km); give a perigee altitude above "
                "about 100 km for an orbit, or allow_suborbital=True for a ballistic arc"
            )

    # ---- derived quantities ---------------------------------------------------------
    @property
    def p_m(self) -> float:
        """Semi-latus rectum a (1 - e^2) [m]."""
        return self.a_m * (1.0 - self.e * self.e)

    @property
    def eccentric_anomaly_rad(self) -> float:
        """Eccentric anomaly E [rad] in [0, 2 pi)."""
        s, c = math.sin(self.nu_rad), math.cos(self.nu_rad)
        return _wrap(math.atan2(math.sqrt(1.0 - self.e * self.e) * s, self.e + c))

    @property
    def mean_anomaly_rad(self) -> float:
        """Mean anomaly M = E - e sin E [rad] in [0, 2 pi)."""
        ea = self.eccentric_anomaly_rad
        return _wrap(ea - self.e * math.sin(ea))

    @property
    def arglat_rad(self) -> float:
        """Argument of latitude u = argp + nu [rad] in [0, 2 pi) (true longitude if equatorial)."""
        return _wrap(self.argp_rad + self.nu_rad)

    @property
    def mean_motion_rad_s(self) -> float:
        """Mean motion sqrt(mu / a^3) [rad/s]."""
        return math.sqrt(self.mu_m3_s2 / self.a_m**3)

    @property
    def period_s(self) -> float:
        """Orbital period 2 pi sqrt(a^3 / mu) [s]."""
        return TWO_PI / self.mean_motion_rad_s

    @property
    def perigee_radius_m(self) -> float:
        """Perigee distance from the Earth's centre a (1 - e) [m]."""
        return self.a_m * (1.0 - self.e)

    @property
    def apogee_radius_m(self) -> float:
        """Apogee distance from the Earth's centre a (1 + e) [m]."""
        return self.a_m * (1.0 + self.e)

    @property
    def perigee_altitude_m(self) -> float:
        """Perigee radius minus the WGS-84 equatorial radius [m]."""
        return self.perigee_radius_m - WGS84_A_M

    @property
    def apogee_altitude_m(self) -> float:
        """Apogee radius minus the WGS-84 equatorial radius [m]."""
        return self.apogee_radius_m - WGS84_A_M

    @property
    def radius_m(self) -> float:
        """Current distance from the centre p / (1 + e cos nu) [m]."""
        return self.p_m / (1.0 + self.e * math.cos(self.nu_rad))

    # ---- constructors ---------------------------------------------------------------
    @classmethod
    def from_rv(cls, r_m, v_mps, mu_m3_s2: float | None = None, *, allow_suborbital: bool = False):
        """Elements of an inertial position [m] and velocity [m/s].

        Robust formulas (all atan2): i from |h_xy| and h_z, RAAN from the node vector,
        argument of latitude from r and the node line, true anomaly from
        ``e cos nu = p/r - 1`` and ``e sin nu = sqrt(p/mu) (r.v)/r``.

        >>> el = KeplerianElements.from_rv([7e6, 0, 0], [0, 0, 7546.053290107541])
        >>> round(el.e, 12), round(math.degrees(el.i_rad), 9), round(math.degrees(el.arglat_rad), 9)
        (0.0, 90.0, 0.0)
        """
        mu = _mu(mu_m3_s2)
        r = np.asarray(r_m, dtype=float).reshape(-1)
        v = np.asarray(v_mps, dtype=float).reshape(-1)
        if r.shape != (3,) or v.shape != (3,) or not (np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
            raise ImpossibleOrbitError("need a finite position (3,) in m and velocity (3,) in m/s")
        rn = float(np.linalg.norm(r))
        v2 = float(v @ v)
        if rn == 0.0:
            raise ImpossibleOrbitError("position is at the Earth's centre; give r in metres from the centre")
        energy = 0.5 * v2 - mu / rn
        if energy >= 0.0:
            raise ImpossibleOrbitError(
                f"speed {math.sqrt(v2):.1f} m/s at radius {rn / 1000:.1f} km is at or above escape speed "
                f"{math.sqrt(2 * mu / rn):.1f} m/s (hyperbolic or parabolic); Keplerian elements here "
                "need a closed orbit: check the velocity units (m/s) and the frame"
            )
        a = -mu / (2.0 * energy)
        h = np.cross(r, v)
        hn = float(np.linalg.norm(h))
        if hn <= 1e-12 * rn * math.sqrt(v2):
            raise ImpossibleOrbitError(
                "position and velocity are parallel (rectilinear fall or climb): the orbit plane is "
                "undefined; give a state with some horizontal velocity"
            )
        rdotv = float(r @ v)
        p = hn * hn / mu
        e_vec = ((v2 - mu / rn) * r - rdotv * v) / mu
        e = float(np.linalg.norm(e_vec))
        hxy = math.hypot(h[0], h[1])
        i = math.atan2(hxy, h[2])
        # node line and the in-plane direction 90 deg ahead of it
        if hxy > _EQUATORIAL_SIN_I * hn:
            raan = math.atan2(h[0], -h[1])
            n_hat = np.array([math.cos(raan), math.sin(raan), 0.0])
        else:
            raan = 0.0
            n_hat = np.array([1.0, 0.0, 0.0])
        h_hat = h / hn
        m_hat = np.cross(h_hat, n_hat)
        u = math.atan2(float(r @ m_hat), float(r @ n_hat))
        if e > _CIRCULAR_E:
            nu = math.atan2(math.sqrt(p / mu) * rdotv / rn, p / rn - 1.0)
            argp = u - nu
        else:
            e, nu, argp = 0.0, u, 0.0
        return cls(a, e, i, raan, argp, nu, mu, allow_suborbital=allow_suborbital)

    @classmethod
    def from_state(cls, state, mu_m3_s2: float | None = None, *, allow_suborbital: bool = False):
        """Elements of a :class:`~gyrfalcon.orbits.state.State` (ITRF is converted to GCRF first).

        The elements are in the state's inertial frame (GCRF, EME2000 or TEME).
        """
        s = state if state.frame != "ITRF" else state.to("GCRF")
        return cls.from_rv(s.r_m, s.v_mps, mu_m3_s2, allow_suborbital=allow_suborbital)

    @classmethod
    def from_altitudes(cls, perigee_alt_m: float, apogee_alt_m: float, i_rad: float,
                       raan_rad: float = 0.0, argp_rad: float = 0.0, nu_rad: float = 0.0,
                       mu_m3_s2: float | None = None, *, allow_suborbital: bool = False):
        """Elements from apsis altitudes above the WGS-84 equatorial radius [m].

        ``a = R + (hp + ha)/2``, ``e = (ha - hp) / (2 a)`` with R = 6378137 m.

        >>> KeplerianElements.from_altitudes(400e3, 300e3, 0.9)
        Traceback (most recent call last):
        ...
        gyrfalcon.errors.InputError: apogee altitude 300 km is below perigee altitude 400 km; swap them (perigee is the lower apsis)
        """
        hp, ha = float(perigee_alt_m), float(apogee_alt_m)
        if ha < hp:
            raise InputError(
                f"apogee altitude {ha / 1000:.6g} km is below perigee altitude {hp / 1000:.6g} km; "
                "swap them (perigee is the lower apsis)"
            )
        if hp < 0.0 and not allow_suborbital:
            raise ImpossibleOrbitError(
                f"perigee altitude {hp / 1000:.4g} km is below the Earth's surface (WGS-84 equatorial "
                f"radius {WGS84_A_M / 1000:.3f} km); give a perigee altitude above about 100 km for an "
                "orbit, or allow_suborbital=True for a ballistic arc"
            )
        if ha < MIN_APOGEE_ALT_M and not allow_suborbital:
            raise ImpossibleOrbitError(
                f"apogee altitude {ha:.6g} m is below {MIN_APOGEE_ALT_M / 1000:.0f} km, not an orbit: altitudes "
                f"are in metres (e.g. {ha:.6g}e3 for {ha:.6g} km), or allow_suborbital=True for a ballistic arc"
            )
        rp, ra = WGS84_A_M + hp, WGS84_A_M + ha
        a = 0.5 * (rp + ra)
        e = (ra - rp) / (ra + rp)
        return cls(a, e, i_rad, raan_rad, argp_rad, nu_rad,
                   MU_EARTH_M3_S2 if mu_m3_s2 is None else mu_m3_s2, allow_suborbital=allow_suborbital)

    # ---- back to Cartesian ----------------------------------------------------------
    def to_rv(self):
        """Inertial position [m] and velocity [m/s] as two (3,) arrays."""
        u = self.arglat_rad
        p = self.p_m
        r = p / (1.0 + self.e * math.cos(self.nu_rad))
        cO, sO = math.cos(self.raan_rad), math.sin(self.raan_rad)
        ci, si = math.cos(self.i_rad), math.sin(self.i_rad)
        n_hat = np.array([cO, sO, 0.0])
        m_hat = np.array([-sO * ci, cO * ci, si])
        cu, su = math.cos(u), math.sin(u)
        k = math.sqrt(self.mu_m3_s2 / p)
        ew, sw = self.e * math.cos(self.argp_rad), self.e * math.sin(self.argp_rad)
        r_vec = r * (cu * n_hat + su * m_hat)
        v_vec = k * (-(su + sw) * n_hat + (cu + ew) * m_hat)
        return r_vec, v_vec

    def to_state(self, t, frame: str = "GCRF", mass_kg: float | None = None):
        """A :class:`~gyrfalcon.orbits.state.State` at time ``t`` in the inertial ``frame``.

        ``frame`` is the frame the elements are expressed in (GCRF, EME2000 or TEME); for
        ITRF build the GCRF state and call ``.to("ITRF")``.
        """
        from ..time import parse_utc
        from .state import State, canonical_frame

        name = canonical_frame(frame)
        if name == "ITRF":
            raise InputError(
                "Keplerian elements are inertial; build the state in GCRF (or EME2000, TEME) and "
                "convert it with .to('ITRF')"
            )
        r, v = self.to_rv()
        return State(parse_utc(t), r, v, name, mass_kg)


def equinoctial_rows(r_m, v_mps, mu_m3_s2: float | None = None) -> np.ndarray:
    """Equinoctial elements of many states: ``(n, 6)`` rows ``[a_m, h, k, p, q, L_rad]``.

    ``r_m``, ``v_mps``: (n, 3) (or (3,)) inertial states. ``h = e sin(w + W)``, ``k = e cos(w +
    W)``, ``p = tan(i/2) sin W``, ``q = tan(i/2) cos W`` (Broucke & Cefola 1972) and the TRUE
    longitude ``L = W + w + nu`` in (-pi, pi]: non-singular for circular and inclined orbits
    (retrograde equatorial ones excepted). Row by row (no sum across rows), so a row's
    elements do not depend on the other rows.

    Why here: a deviation of tens of km from a reference orbit is a straight line in Cartesian
    coordinates but a drift along the orbit in these elements, whose propagation over many
    revolutions stays close to linear (the rendezvous guidance of ``gyrfalcon.scale``).

    >>> el = KeplerianElements.from_altitudes(200e3, 242e3, math.radians(51.66), 0.3, 0.2, 0.1)
    >>> r, v = el.to_rv()
    >>> a, h, k, p, q, L = equinoctial_rows(r, v)[0]
    >>> bool(abs(a - el.a_m) < 1e-6), abs(math.hypot(h, k) - el.e) < 1e-12, abs(2 * math.atan(math.hypot(p, q)) - el.i_rad) < 1e-12
    (True, True, True)
    >>> bool(abs(L - (0.3 + 0.2 + 0.1)) < 1e-12)     # RAAN + argument of perigee + true anomaly
    True
    """
    mu = _mu(mu_m3_s2)
    r = np.atleast_2d(np.asarray(r_m, dtype=float))
    v = np.atleast_2d(np.asarray(v_mps, dtype=float))
    rn = np.sqrt(r[:, 0] ** 2 + r[:, 1] ** 2 + r[:, 2] ** 2)
    v2 = v[:, 0] ** 2 + v[:, 1] ** 2 + v[:, 2] ** 2
    a = 1.0 / (2.0 / rn - v2 / mu)
    hv = np.cross(r, v)
    hn = np.sqrt(hv[:, 0] ** 2 + hv[:, 1] ** 2 + hv[:, 2] ** 2)
    w = hv / hn[:, None]
    p = w[:, 0] / (1.0 + w[:, 2])
    q = -w[:, 1] / (1.0 + w[:, 2])
    s = 1.0 + p * p + q * q
    f = np.stack([1.0 - p * p + q * q, 2.0 * p * q, -2.0 * p], axis=1) / s[:, None]
    g = np.stack([2.0 * p * q, 1.0 + p * p - q * q, 2.0 * q], axis=1) / s[:, None]
    e = np.cross(v, hv) / mu - r / rn[:, None]
    k = e[:, 0] * f[:, 0] + e[:, 1] * f[:, 1] + e[:, 2] * f[:, 2]
    h = e[:, 0] * g[:, 0] + e[:, 1] * g[:, 1] + e[:, 2] * g[:, 2]
    L = np.arctan2(r[:, 0] * g[:, 0] + r[:, 1] * g[:, 1] + r[:, 2] * g[:, 2],
                   r[:, 0] * f[:, 0] + r[:, 1] * f[:, 1] + r[:, 2] * f[:, 2])
    return np.stack([a, h, k, p, q, L], axis=1)
