"""The target port as the approach sees it: geometry in LVLH, capture envelope, corridor.

A thin adapter over :mod:`gyrfalcon.station` (catalogue, attitude law, mechanism envelopes,
corridors) so that the rest of :mod:`gyrfalcon.proximity` depends on a handful of numbers.

Assumptions: the station flies its attitude law exactly (``"xvv"`` by default: body axes =
LVLH), so the port is fixed in LVLH; the station body origin is taken as the LVLH origin (the
station's centre of mass, a few metres away, is not modelled, as in :mod:`gyrfalcon.station.geometry`).

The *port sensor frame* has rows ``u, w, a``: ``a`` the port axis (out of the port), ``u``
the LVLH x axis (V-bar) made perpendicular to ``a`` (LVLH z if ``a`` is along V-bar), and
``w = a x u``; Kurs line-of-sight angles and contact offsets are expressed in it.

>>> t = approach_target("rassvet-nadir")
>>> t.position_lvlh_m + 0.0, t.axis_lvlh + 0.0
(array([-13.2,   0. ,   8.1]), array([0., 0., 1.]))
>>> t.sensor_rows + 0.0
array([[1., 0., 0.],
       [0., 1., 0.],
       [0., 0., 1.]])
>>> round(t.envelope.closing_speed_max_mps, 2), round(float(np.degrees(t.corridor_half_angle_rad)), 1)
(0.35, 10.0)
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["ApproachTarget", "approach_target", "sensor_rows_for_axis"]


def sensor_rows_for_axis(axis) -> np.ndarray:
    """Rows ``u, w, a`` of the port sensor frame for a port axis given in LVLH (see the module docstring)."""
    a = np.asarray(axis, float)
    a = a / np.linalg.norm(a)
    ref = np.array([1.0, 0.0, 0.0]) if abs(a[0]) < 0.9 else np.array([0.0, 0.0, 1.0])
    u = ref - (ref @ a) * a
    u /= np.linalg.norm(u)
    w = np.cross(a, u)
    return np.stack([u, w, a])


@dataclass(frozen=True, eq=False)
class ApproachTarget:
    """A port prepared for an approach.

    Attributes: ``port_id``; ``position_lvlh_m`` (3,) interface centre [m] relative to the
    LVLH origin; ``axis_lvlh`` (3,) unit vector out of the port; ``sensor_rows`` (3, 3) the port
    sensor frame; ``envelope`` a :class:`gyrfalcon.station.mechanisms.CaptureEnvelope`;
    ``corridor_half_angle_rad``, ``corridor_length_m``, ``keep_out_radius_m`` from the port's
    corridor; ``vehicle_radius_m`` of the arriving vehicle type.
    """

    port_id: str
    position_lvlh_m: np.ndarray
    axis_lvlh: np.ndarray
    sensor_rows: np.ndarray
    envelope: Any
    corridor_half_angle_rad: float
    corridor_length_m: float
    keep_out_radius_m: float
    vehicle_radius_m: float

    def to_port(self, rho_m, rho_dot_mps=None):
        """LVLH position (and velocity) -> port sensor frame ``(q, q_dot)``; ``q[2]`` is the distance along the axis."""
        q = self.sensor_rows @ (np.asarray(rho_m, float) - self.position_lvlh_m)
        if rho_dot_mps is None:
            return q
        return q, self.sensor_rows @ np.asarray(rho_dot_mps, float)

    def from_port(self, q_m, q_dot_mps=None):
        """Inverse of :meth:`to_port`."""
        rho = self.position_lvlh_m + self.sensor_rows.T @ np.asarray(q_m, float)
        if q_dot_mps is None:
            return rho
        return rho, self.sensor_rows.T @ np.asarray(q_dot_mps, float)


@functools.lru_cache(maxsize=16)
def approach_target(port_id: str = "rassvet-nadir", station_id: str = "iss", attitude: str = "xvv",
                    vehicle_type: str = "soyuz-ms") -> ApproachTarget:
    """The :class:`ApproachTarget` for a docking port of a catalogued station (cached).

    Raises :class:`~gyrfalcon.errors.InputError` for a berthing port (no free-flight contact),
    and the station catalogue's own errors for unknown ids or an incompatible vehicle.
    """
    from ..station.catalog import load_station
    from ..station.geometry import port_axis_in_lvlh, port_position_in_lvlh

    station = load_station(station_id)
    port, vehicle = station.require_compatible(port_id, vehicle_type)
    mech = station.mechanism(port.mechanism)
    if mech.envelope is None:
        raise InputError(f"port {port_id!r} is a berthing port ({mech.name}); an approach to contact needs a "
                         "docking port such as 'rassvet-nadir'")
    axis = port_axis_in_lvlh(port, attitude)
    pos = port_position_in_lvlh(port, attitude)
    rows = sensor_rows_for_axis(axis)
    for arr in (axis, pos, rows):
        arr.flags.writeable = False
    return ApproachTarget(port_id, pos, axis, rows, mech.envelope, float(port.corridor.half_angle_rad),
                          float(port.corridor.length_m), float(port.corridor.keep_out_radius_m),
                          float(vehicle.radius_m))
