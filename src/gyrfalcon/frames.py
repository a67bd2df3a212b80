"""Reference frames: GCRF, EME2000, TEME, ITRF, WGS-84 geodetic, and local orbital frames.

Every rotation here comes from skyfield (:mod:`skyfield.framelib`, :mod:`skyfield.sgp4lib`,
:mod:`skyfield.toposlib`) evaluated with :func:`gyrfalcon.time.timescale`, whose UT1-UTC and
polar motion come from heyoka's bundled IERS ``finals2000A.all`` table, extended by a year
(:func:`gyrfalcon.time.eop_table`). Positions in metres,
velocities in m/s, angles in radians. Functions take one time (vectors ``(3,)`` or ``(N, 3)``)
or an array of ``N`` times (vectors ``(N, 3)``, one per time); matrices are ``(3, 3)`` or
``(N, 3, 3)``.

Frames and their assumptions
----------------------------
``GCRF``
    Geocentric Celestial Reference Frame (ICRS axes at the Earth's centre). The inertial
    frame of every integration.
``EME2000``
    Mean equator and equinox of J2000.0 (NASA's OEM files). A constant rotation from GCRF,
    the IERS 2003 frame bias (dalpha0 = -14.6 mas, xi0 = -16.617 mas, eta0 = -6.819 mas),
    taken from :data:`skyfield.framelib.ICRS_to_J2000` (first order with second-order
    diagonal; it agrees with Orekit's matrix to 7e-13, i.e. 5 micrometres at ISS distance).
``TEME``
    True equator, mean equinox: the frame of SGP4 (Vallado et al., AIAA 2006-6753, App. C),
    from :class:`skyfield.sgp4lib.TEME`, with the same CIP offsets dX, dY as ITRF below so
    that TEME -> ITRF is exactly Vallado's polar motion x R3(GMST 1982). Treated as
    inertial for velocities (its rotation rate w.r.t. GCRF, precession-nutation, is below
    1e-11 rad/s: < 1e-4 m/s at ISS). Agrees with Vallado's Example 3-15 GCRF to 1 cm.
``ITRF``
    Earth-fixed, from :data:`skyfield.framelib.itrs` (IAU 2006 precession, IAU 2000A
    nutation, GAST from UT1, polar motion xp, yp, s' linearly interpolated in the table)
    **plus the celestial pole offsets dX, dY** of the same IERS table, which skyfield leaves
    out (they are up to 0.6 mas: 1-2 cm at ISS distance), applied as the small rotation
    ``R_x(dY) R_y(-dX)`` on the GCRF side. ITRF velocities are relative to the rotating
    Earth: ``v_itrf = R v_gcrf - w x r_itrf`` with ``w`` the IERS nominal rotation rate
    :data:`~gyrfalcon.constants.EARTH_ROTATION_RATE_RAD_S` about the CIP (the TIRS z axis,
    expressed in ITRF), i.e. the rates of precession, nutation, polar motion and LOD
    are neglected (< 1e-4 m/s at ISS). No sub-daily tidal EOP terms.
    Agreement with Orekit 13 (IERS 2010, Bulletin B, cubic interpolation): 0.2 mm at the
    daily EOP nodes, up to 1 cm in between (UT1 interpolation), see ``tests/test_frames.py``.
Geodetic
    WGS-84 ellipsoid (a = 6378137 m, 1/f = 298.257223563): forward with
    :data:`skyfield.toposlib.wgs84`; inverse by fixed-point iteration on the geodetic
    latitude to machine precision (skyfield's own inverse needs a skyfield position object
    and stops after three iterations).

Local orbital frames (of a *target* spacecraft at ``r``, ``v``)
---------------------------------------------------------------
RTN (also called RSW / RIC)::

        N = r x v / |r x v|     (orbit normal)
        ^
        |   T = N x R (along-track, ~ velocity on a near-circular orbit)
        |  /
        | /
        +-----> R = r / |r|  (radial, away from the Earth)

LVLH in the CCSDS / Orekit ``LVLH_CCSDS`` convention used for rendezvous::

        x = V-bar = T        (along-track, direction of motion)
        y = -H    = -N       (opposite to the orbit normal)
        z = R-bar = -R       (toward the Earth's centre)

    so a chaser 1 km *ahead* has x = +1000 m, and one 1 km *above* has z = -1000 m.

Matrices ``M`` returned by :func:`rtn_matrix` / :func:`lvlh_matrix` have the frame's axes
as rows: ``rho_local = M @ rho_inertial``.

>>> import numpy as np
>>> from gyrfalcon.time import parse_utc
>>> r, v = gcrf_to_itrf(parse_utc("2025-11-24T12:00Z"), [4594537.643, -518498.052, 4971920.397],
...                     [3048.8547, 6705.8943, -2115.9935])
>>> np.round(r / 1000, 3)
array([-1590.302,  4328.326,  4983.487])
>>> lat, lon, alt = geodetic_from_itrf(r)
>>> round(float(np.degrees(lat)), 4), round(float(np.degrees(lon)), 4), round(float(alt) / 1000, 2)
(47.4017, 110.1742, 423.0)
"""
from __future__ import annotations

import functools

import numpy as np

from .constants import EARTH_ROTATION_RATE_RAD_S, WGS84_A_M, WGS84_E2
from .errors import InputError, UnknownFrameError

_MAS_TO_RAD = np.pi / (180.0 * 3600.0 * 1000.0)

LOCAL_FRAMES = ("LVLH", "RTN")
"""Local orbital frames known to :func:`relative_state` (aliases: LVLH_CCSDS, RSW, RIC)."""
_LOCAL_ALIASES = {"LVLH": "LVLH", "LVLH_CCSDS": "LVLH", "RTN": "RTN", "RSW": "RTN", "RIC": "RTN"}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def _time(t):
    """``t`` as a Time of Gyrfalcon's timescale (so UT1 and polar motion are installed)."""
    from .time import parse_utc, timescale

    t = parse_utc(t)
    ts = timescale()
    if getattr(t, "ts", None) is not ts:
        t = ts.tt_jd(t.whole, t.tt_fraction)
    return t


def _stack(m):
    """skyfield's (3, 3) or (3, 3, N) matrix as (3, 3) or (N, 3, 3)."""
    m = np.asarray(m, dtype=float)
    return m if m.ndim == 2 else np.moveaxis(m, -1, 0)


def _vec(x, name="vector"):
    a = np.asarray(x, dtype=float)
    if a.shape[-1:] != (3,):
        raise InputError(f"{name} must have shape (3,) or (N, 3), got {a.shape}")
    return a


def _apply(m, x):
    """``m @ x`` for m (3,3)/(N,3,3) and x (3,)/(N,3), broadcasting."""
    return np.matmul(m, x[..., None])[..., 0]


def _transpose(m):
    return np.swapaxes(m, -1, -2)


@functools.lru_cache(maxsize=1)
def _cip_offset_table():
    """(TT Julian dates, dX [rad], dY [rad]) of the package's EOP table (:func:`gyrfalcon.time.eop_table`)."""
    from .time import eop_table, timescale

    tab = eop_table()
    mjd = np.asarray(tab["mjd"], dtype=float)
    tt = timescale().utc(1858, 11, 17.0 + mjd).tt
    dx = np.asarray(tab["dX"], dtype=float) * _MAS_TO_RAD
    dy = np.asarray(tab["dY"], dtype=float) * _MAS_TO_RAD
    for a in (tt, dx, dy):
        a.flags.writeable = False
    return tt, dx, dy


def _cip_offset_matrix(t):
    """Small rotation ``R_x(dY) R_y(-dX)`` moving skyfield's IAU 2000A pole to the observed CIP."""
    from skyfield.functions import mxm, rot_x, rot_y

    tt, dx, dy = _cip_offset_table()
    x = np.interp(t.tt, tt, dx)
    y = np.interp(t.tt, tt, dy)
    return mxm(rot_x(y), rot_y(-x))


# --------------------------------------------------------------------------------------
# rotation matrices
# --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def eme2000_to_gcrf_matrix() -> np.ndarray:
    """The constant matrix ``M`` with ``v_gcrf = M @ v_eme2000`` (IERS 2003 frame bias).

    It is the transpose of skyfield's :data:`~skyfield.framelib.ICRS_to_J2000`.

    >>> m = eme2000_to_gcrf_matrix()
    >>> float(m[0, 1])      # -dalpha0 = 14.6 mas in radians
    7.078279...e-08
    """
    from skyfield.framelib import ICRS_to_J2000

    m = np.array(ICRS_to_J2000, dtype=float).T.copy()
    m.flags.writeable = False
    return m


def gcrf_to_eme2000_matrix() -> np.ndarray:
    """The constant matrix with ``v_eme2000 = M @ v_gcrf`` (inverse of :func:`eme2000_to_gcrf_matrix`)."""
    return eme2000_to_gcrf_matrix().T


def gcrf_to_itrf_matrix(t) -> np.ndarray:
    """Rotation ``R`` with ``r_itrf = R @ r_gcrf`` at time(s) ``t``: (3, 3) or (N, 3, 3).

    skyfield's ITRS rotation (with polar motion) times the CIP offset correction dX, dY.
    """
    from skyfield.framelib import itrs
    from skyfield.functions import mxm

    t = _time(t)
    return _stack(mxm(itrs.rotation_at(t), _cip_offset_matrix(t)))


def itrf_to_gcrf_matrix(t) -> np.ndarray:
    """Rotation with ``r_gcrf = R @ r_itrf`` at time(s) ``t``: (3, 3) or (N, 3, 3).

    >>> from gyrfalcon.time import utc
    >>> itrf_to_gcrf_matrix(utc(2025, 11, [1, 2, 3])).shape
    (3, 3, 3)
    """
    return _transpose(gcrf_to_itrf_matrix(t))


def gcrf_to_teme_matrix(t) -> np.ndarray:
    """Rotation with ``r_teme = R @ r_gcrf`` at time(s) ``t`` (skyfield's ``TEME`` + dX, dY)."""
    from skyfield.functions import mxm
    from skyfield.sgp4lib import TEME

    t = _time(t)
    return _stack(mxm(TEME.rotation_at(t), _cip_offset_matrix(t)))


def teme_to_gcrf_matrix(t) -> np.ndarray:
    """Rotation with ``r_gcrf = R @ r_teme`` at time(s) ``t``."""
    return _transpose(gcrf_to_teme_matrix(t))


def earth_rotation_vector_itrf(t) -> np.ndarray:
    """Earth's angular velocity w.r.t. GCRF expressed in ITRF [rad/s]: (3,) or (N, 3).

    Nominal rate :data:`~gyrfalcon.constants.EARTH_ROTATION_RATE_RAD_S` about the CIP,
    whose ITRF direction differs from the z axis by the polar motion (xp, -yp).
    """
    t = _time(t)
    w = _stack(t.polar_motion_matrix())  # TIRS -> ITRS
    return EARTH_ROTATION_RATE_RAD_S * w[..., :, 2]


# --------------------------------------------------------------------------------------
# vector conversions
# --------------------------------------------------------------------------------------
def gcrf_to_itrf(t, r_m, v_mps=None):
    """GCRF position (and velocity) to ITRF at time(s) ``t``.

    Returns ``r_itrf`` or ``(r_itrf, v_itrf)``; the ITRF velocity is relative to the
    rotating Earth (``R v - w x r_itrf``). Shapes follow ``r_m``.
    """
    r = _vec(r_m, "r_m")
    rot = gcrf_to_itrf_matrix(t)
    r_i = _apply(rot, r)
    if v_mps is None:
        return r_i
    v = _vec(v_mps, "v_mps")
    w = earth_rotation_vector_itrf(t)
    return r_i, _apply(rot, v) - np.cross(w, r_i)


def itrf_to_gcrf(t, r_m, v_mps=None):
    """ITRF position (and Earth-relative velocity) to GCRF at time(s) ``t`` (inverse of :func:`gcrf_to_itrf`)."""
    r = _vec(r_m, "r_m")
    rot = itrf_to_gcrf_matrix(t)
    r_g = _apply(rot, r)
    if v_mps is None:
        return r_g
    v = _vec(v_mps, "v_mps")
    w = earth_rotation_vector_itrf(t)
    return r_g, _apply(rot, v + np.cross(w, r))


def gcrf_to_teme(t, r_m, v_mps=None):
    """GCRF to TEME at time(s) ``t`` (velocity rotated only; TEME treated as inertial)."""
    rot = gcrf_to_teme_matrix(t)
    r = _apply(rot, _vec(r_m, "r_m"))
    return r if v_mps is None else (r, _apply(rot, _vec(v_mps, "v_mps")))


def teme_to_gcrf(t, r_m, v_mps=None):
    """TEME to GCRF at time(s) ``t`` (inverse of :func:`gcrf_to_teme`)."""
    rot = teme_to_gcrf_matrix(t)
    r = _apply(rot, _vec(r_m, "r_m"))
    return r if v_mps is None else (r, _apply(rot, _vec(v_mps, "v_mps")))


def eme2000_to_gcrf(r_m, v_mps=None):
    """EME2000 to GCRF (constant frame bias; no time needed).

    >>> import numpy as np
    >>> r = eme2000_to_gcrf([4594538.080583650, -518497.562387511, 4971920.043568070])
    >>> np.round(r, 3)     # Orekit: 4594537.643334, -518498.051975, 4971920.396572
    array([4594537.643, -518498.052, 4971920.397])
    """
    m = eme2000_to_gcrf_matrix()
    r = _apply(m, _vec(r_m, "r_m"))
    return r if v_mps is None else (r, _apply(m, _vec(v_mps, "v_mps")))


def gcrf_to_eme2000(r_m, v_mps=None):
    """GCRF to EME2000 (inverse of :func:`eme2000_to_gcrf`)."""
    m = gcrf_to_eme2000_matrix()
    r = _apply(m, _vec(r_m, "r_m"))
    return r if v_mps is None else (r, _apply(m, _vec(v_mps, "v_mps")))


# --------------------------------------------------------------------------------------
# geodetic
# --------------------------------------------------------------------------------------
def geodetic_from_itrf(r_m):
    """WGS-84 geodetic ``(lat_rad, lon_rad, alt_m)`` of ITRF position(s) ``r_m`` [m].

    Longitude in (-pi, pi], east positive; altitude above the ellipsoid. Iterates the
    geodetic latitude to machine precision (at most ~6 iterations for any point
    outside 100 km of the centre); the height formula ``R cos(lat) + z sin(lat) - a W``
    is well conditioned at every latitude, poles included.

    >>> lat, lon, alt = geodetic_from_itrf([0.0, 0.0, 6356752.314245 + 1000.0])
    >>> round(float(np.degrees(lat)), 9), round(float(alt), 6)
    (90.0, 1000.0)
    """
    r = _vec(r_m, "r_m")
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    lat = np.arctan2(z, p * (1.0 - WGS84_E2))
    for _ in range(10):
        s = np.sin(lat)
        n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * s * s)
        new = np.arctan2(z + n * WGS84_E2 * s, p)
        done = np.all(np.abs(new - lat) < 1e-15)
        lat = new
        if done:
            break
    s, c = np.sin(lat), np.cos(lat)
    alt = p * c + z * s - WGS84_A_M * np.sqrt(1.0 - WGS84_E2 * s * s)
    return lat, lon, alt


def itrf_from_geodetic(lat_rad, lon_rad, alt_m=0.0) -> np.ndarray:
    """ITRF position [m] of WGS-84 geodetic coordinates (skyfield's ``wgs84.latlon``).

    Arrays broadcast; the result has shape ``(..., 3)``.

    >>> np.round(itrf_from_geodetic(0.0, np.pi / 2, 100.0), 6) + 0.0
    array([      0., 6378237.,       0.])
    """
    from skyfield.toposlib import wgs84

    lat, lon, alt = np.broadcast_arrays(
        np.asarray(lat_rad, float), np.asarray(lon_rad, float), np.asarray(alt_m, float)
    )
    pos = wgs84.latlon(np.degrees(lat), np.degrees(lon), alt)
    xyz = np.asarray(pos.itrs_xyz.m, dtype=float)
    return np.moveaxis(xyz, 0, -1)


# --------------------------------------------------------------------------------------
# states
# --------------------------------------------------------------------------------------
def _to_gcrf(frame, t, r, v):
    if frame == "GCRF":
        return r, v
    if frame == "EME2000":
        return eme2000_to_gcrf(r, v)
    if frame == "TEME":
        return teme_to_gcrf(t, r, v)
    return itrf_to_gcrf(t, r, v)


def _from_gcrf(frame, t, r, v):
    if frame == "GCRF":
        return r, v
    if frame == "EME2000":
        return gcrf_to_eme2000(r, v)
    if frame == "TEME":
        return gcrf_to_teme(t, r, v)
    return gcrf_to_itrf(t, r, v)


def transform_state(state, frame: str):
    """``state`` expressed in ``frame`` (any of GCRF, EME2000, TEME, ITRF or an alias).

    Goes through GCRF; keeps the time, mass and metadata. Unknown names raise
    :class:`~gyrfalcon.errors.UnknownFrameError`.

    >>> from gyrfalcon.orbits.state import State
    >>> from gyrfalcon.time import parse_utc
    >>> s = State(parse_utc("2025-11-24T12:00Z"), [4594538.080583650, -518497.562387511,
    ...           4971920.043568070], [3048.85405621686, 6705.89447957430, -2115.99401224387], "J2000")
    >>> orekit_itrf = [-1590301.529312, 4328325.627311, 4983487.446117]
    >>> bool(np.linalg.norm(s.to("ITRF").r_m - orekit_itrf) < 0.02)     # metres
    True
    """
    from .orbits.state import State, canonical_frame

    target = canonical_frame(frame)
    if target == state.frame:
        return state
    t = state.t
    r, v = _to_gcrf(state.frame, t, state.r_m, state.v_mps)
    r, v = _from_gcrf(target, t, r, v)
    return State(t, r, v, target, state.mass_kg, dict(state.meta))


# --------------------------------------------------------------------------------------
# local orbital frames
# --------------------------------------------------------------------------------------
def canonical_local_frame(name: str) -> str:
    """``'LVLH'`` or ``'RTN'`` for a local-frame name or alias, else UnknownFrameError.

    >>> canonical_local_frame("rsw")
    'RTN'
    >>> canonical_local_frame("VNC")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.UnknownFrameError: unknown local orbital frame 'VNC'; use LVLH (CCSDS: x along-track, y = -orbit normal, z toward the Earth) or RTN (radial, along-track, normal); aliases LVLH_CCSDS, RSW, RIC
    """
    key = str(name).strip().upper()
    try:
        return _LOCAL_ALIASES[key]
    except KeyError:
        raise UnknownFrameError(
            f"unknown local orbital frame '{name}'; use LVLH (CCSDS: x along-track, y = -orbit "
            "normal, z toward the Earth) or RTN (radial, along-track, normal); aliases LVLH_CCSDS, RSW, RIC"
        ) from None


def _rtn_axes(r_m, v_mps):
    r = _vec(r_m, "r_m")
    v = _vec(v_mps, "v_mps")
    h = np.cross(r, v)
    rn = np.linalg.norm(r, axis=-1, keepdims=True)
    hn = np.linalg.norm(h, axis=-1, keepdims=True)
    if np.any(rn == 0) or np.any(hn <= 1e-12 * rn * np.linalg.norm(v, axis=-1, keepdims=True)):
        raise InputError(
            "local orbital frame undefined: position is zero or parallel to velocity "
            "(radial motion); give a target state with some along-track velocity"
        )
    rh = r / rn
    nh = h / hn
    th = np.cross(nh, rh)
    return rh, th, nh


def rtn_matrix(r_m, v_mps) -> np.ndarray:
    """Rows R, T, N of the target's RTN frame: ``rho_rtn = M @ rho_inertial``.

    R = r/|r| (radial, outward), N = r x v/|r x v| (orbit normal), T = N x R (along-track).
    Shapes: (3, 3) for one state, (N, 3, 3) for (N, 3) inputs.

    >>> rtn_matrix([7e6, 0, 0], [0, 7.5e3, 0])
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    rh, th, nh = _rtn_axes(r_m, v_mps)
    return np.stack([rh, th, nh], axis=-2)


def lvlh_matrix(r_m, v_mps) -> np.ndarray:
    """Rows x, y, z of the target's LVLH (CCSDS) frame: ``rho_lvlh = M @ rho_inertial``.

    x = T (V-bar, along-track), y = -N (minus the orbit normal), z = -R (R-bar, toward the
    Earth's centre); see the module docstring for the sketch.

    >>> lvlh_matrix([7e6, 0, 0], [0, 7.5e3, 0]) + 0.0
    array([[ 0.,  1.,  0.],
           [ 0.,  0., -1.],
           [-1.,  0.,  0.]])
    """
    rh, th, nh = _rtn_axes(r_m, v_mps)
    return np.stack([th, -nh, -rh], axis=-2)


def local_frame_matrix(r_m, v_mps, frame: str = "LVLH") -> np.ndarray:
    """:func:`lvlh_matrix` or :func:`rtn_matrix` by name."""
    name = canonical_local_frame(frame)
    return lvlh_matrix(r_m, v_mps) if name == "LVLH" else rtn_matrix(r_m, v_mps)


def _inertial_pair(target, chaser=None):
    """Target (and chaser) as GCRF-or-inertial states in one common inertial frame."""
    frame = target.frame if target.frame != "ITRF" else "GCRF"
    tgt = target.to(frame)
    if chaser is None:
        return tgt, None
    from .time import seconds_between

    dt = abs(float(seconds_between(target.t, chaser.t)))
    if dt > 1e-6:
        raise InputError(
            f"target and chaser states are {dt:.6g} s apart; relative states need both at the "
            "same instant (propagate one of them to the other's time first)"
        )
    return tgt, chaser.to(frame)


def _frame_rate(r, v):
    """Angular velocity of the target's local frame in the inertial frame: h / r^2 [rad/s]."""
    return np.cross(r, v) / np.dot(r, r)


def relative_state(target, chaser, frame: str = "LVLH"):
    """Chaser position and velocity relative to the target, in the target's rotating local frame.

    Returns ``(rho_m, rho_dot_mps)``, both (3,), with ``rho = M (r_c - r_t)`` and
    ``rho_dot = M (v_c - v_t - w x (r_c - r_t))``: the velocity *as seen in the rotating
    frame*. ``M`` is :func:`lvlh_matrix` or :func:`rtn_matrix` of the target.

    Assumption: the frame's angular velocity is ``w = (r x v) / |r|^2`` (along the orbit
    normal), exact when the target's acceleration is central (two-body); an out-of-plane
    acceleration (J2, thrust) would add a small radial component that is neglected, as in
    Orekit's LOF transforms built from position and velocity only. ITRF states are
    converted to GCRF first.
    """
    name = canonical_local_frame(frame)
    tgt, ch = _inertial_pair(target, chaser)
    m = local_frame_matrix(tgt.r_m, tgt.v_mps, name)
    w = _frame_rate(tgt.r_m, tgt.v_mps)
    d_r = ch.r_m - tgt.r_m
    d_v = ch.v_mps - tgt.v_mps - np.cross(w, d_r)
    return m @ d_r, m @ d_v


def chaser_from_relative(target, rho_m, rho_dot_mps, frame: str = "LVLH"):
    """Inverse of :func:`relative_state`: the chaser's :class:`~gyrfalcon.orbits.state.State`.

    The result is in the target's frame (through GCRF if the target is in ITRF) at the
    target's time, without mass.
    """
    from .orbits.state import State

    name = canonical_local_frame(frame)
    rho = _vec(rho_m, "rho_m").reshape(3)
    rho_dot = _vec(rho_dot_mps, "rho_dot_mps").reshape(3)
    tgt, _ = _inertial_pair(target)
    m = local_frame_matrix(tgt.r_m, tgt.v_mps, name)
    w = _frame_rate(tgt.r_m, tgt.v_mps)
    d_r = m.T @ rho
    d_v = m.T @ rho_dot + np.cross(w, d_r)
    out = State(tgt.t, tgt.r_m + d_r, tgt.v_mps + d_v, tgt.frame)
    return out if target.frame == tgt.frame else out.to(target.frame)
