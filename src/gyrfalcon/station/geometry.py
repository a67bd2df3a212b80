"""Station flight attitude: body frame to LVLH, and port axes/positions in LVLH.

Frames:

* Station body frame (``data/iss.toml``): x forward, y starboard, z nadir, origin on the
  module axis under S0.
* LVLH (CCSDS, as :func:`gyrfalcon.frames.lvlh_matrix` and :mod:`gyrfalcon.rendezvous.cw`):
  x = V-bar (along-track), y = minus the orbit normal, z = R-bar (towards the Earth's centre).

Attitude laws (LVLH-held):

* ``"xvv"``: +XVV, z nadir. Body axes coincide with LVLH: body x = +V-bar, body z = R-bar,
  body y = -orbit normal. ``rho_lvlh = I @ rho_body``.
* ``"-xvv"``: the same yawed 180 deg about z (nadir): body x = -V-bar, body y = +orbit
  normal, body z = R-bar. ``rho_lvlh = diag(-1, -1, 1) @ rho_body``.

Optional small offsets (``yaw_rad, pitch_rad, roll_rad``, body 3-2-1 sequence applied after
the base law) stand in for the torque-equilibrium attitude the station actually flies; the
defaults are zero. Assumption: the station's attitude is held exactly (no attitude
oscillation), and the body origin is used as the LVLH origin (the station's centre of mass,
a few metres away, is not modelled).

>>> iss = load_station()
>>> port_axis_in_lvlh(iss.port("rassvet-nadir"), "xvv") + 0.0
array([0., 0., 1.])
>>> port_axis_in_lvlh(iss.port("harmony-forward"), "-xvv") + 0.0
array([-1.,  0.,  0.])
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import InputError
from .catalog import Port, load_station

ATTITUDES = ("xvv", "-xvv")
"""Attitude laws known to :func:`body_to_lvlh_matrix`."""

_ALIASES = {"xvv": "xvv", "+xvv": "xvv", "-xvv": "-xvv", "xvv-yawed": "-xvv"}


class UnknownAttitudeError(InputError):
    """An attitude name that Gyrfalcon does not know."""


def canonical_attitude(attitude: str) -> str:
    """``"xvv"`` or ``"-xvv"`` for any accepted spelling (``"+XVV"``, ``"-XVV"``, ...)."""
    key = str(attitude).strip().lower().replace(" ", "")
    if key not in _ALIASES:
        raise UnknownAttitudeError(f"unknown station attitude {attitude!r}; use one of {', '.join(ATTITUDES)} "
                                   "(+XVV z-nadir, or yawed 180 deg)")
    return _ALIASES[key]


def _rot_321(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy, cp, sp, cr, sr = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch), math.cos(roll), math.sin(roll)
    rz = np.array([[cy, -sy, 0.0], [sy, cy, 0.0], [0.0, 0.0, 1.0]])
    ry = np.array([[cp, 0.0, sp], [0.0, 1.0, 0.0], [-sp, 0.0, cp]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cr, -sr], [0.0, sr, cr]])
    return rz @ ry @ rx


def body_to_lvlh_matrix(attitude: str = "xvv", yaw_rad: float = 0.0, pitch_rad: float = 0.0,
                        roll_rad: float = 0.0) -> np.ndarray:
    """Rotation matrix ``M`` with ``v_lvlh = M @ v_body`` for an attitude law.

    Offsets [rad] rotate the body from the base law by yaw (about z), then pitch (about the
    new y), then roll (about the new x).

    >>> body_to_lvlh_matrix("-xvv") + 0.0
    array([[-1.,  0.,  0.],
           [ 0., -1.,  0.],
           [ 0.,  0.,  1.]])
    >>> v = body_to_lvlh_matrix("xvv", pitch_rad=math.radians(90)) @ [1.0, 0, 0]
    >>> np.round(v, 12) + 0.0                          # pitched nose-up: body x -> -R-bar (zenith)
    array([ 0.,  0., -1.])
    """
    base = np.eye(3) if canonical_attitude(attitude) == "xvv" else np.diag([-1.0, -1.0, 1.0])
    if yaw_rad == 0.0 and pitch_rad == 0.0 and roll_rad == 0.0:
        return base
    return base @ _rot_321(float(yaw_rad), float(pitch_rad), float(roll_rad))


def _port(port: Port | str) -> Port:
    return port if isinstance(port, Port) else load_station().port(port)


def port_axis_in_lvlh(port: Port | str, attitude: str = "xvv", **offsets_rad: float) -> np.ndarray:
    """Unit vector out of ``port`` expressed in LVLH for an attitude law.

    ``port`` is a :class:`Port` or an ISS port id; ``offsets_rad``: ``yaw_rad``, ``pitch_rad``,
    ``roll_rad`` as in :func:`body_to_lvlh_matrix`. A vehicle on final approach moves along
    minus this vector.
    """
    return body_to_lvlh_matrix(attitude, **offsets_rad) @ np.asarray(_port(port).axis, dtype=float)


def port_position_in_lvlh(port: Port | str, attitude: str = "xvv", **offsets_rad: float) -> np.ndarray:
    """Port interface centre in LVLH [m], relative to the station body origin.

    >>> port_position_in_lvlh("zvezda-aft", "-xvv") + 0.0
    array([37.6,  0. ,  0. ])
    """
    return body_to_lvlh_matrix(attitude, **offsets_rad) @ np.asarray(_port(port).position_m, dtype=float)


def approach_point_in_lvlh(port: Port | str, range_m: float, attitude: str = "xvv", **offsets_rad: float) -> np.ndarray:
    """Point on the port's approach axis ``range_m`` out from the interface, in LVLH [m].

    For the station-keeping point on the axis (domain.md 3.2: about 150-200 m).

    >>> approach_point_in_lvlh("rassvet-nadir", 150.0) + 0.0
    array([-13.2,   0. , 158.1])
    """
    if not range_m >= 0:
        raise InputError(f"range_m must be >= 0 m (e.g. 150 for the station-keeping point), got {range_m!r}")
    p = _port(port)
    body = np.asarray(p.position_m, dtype=float) + float(range_m) * np.asarray(p.axis, dtype=float)
    return body_to_lvlh_matrix(attitude, **offsets_rad) @ body
