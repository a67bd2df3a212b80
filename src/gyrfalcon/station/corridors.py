"""Approach-corridor clearance: is a port's corridor free of the vehicles docked elsewhere?

Model (all lengths in metres, station body frame):

* **Corridor of the target port** (:class:`~gyrfalcon.station.catalog.Corridor`): the
  arriving vehicle's interface centre stays inside a cone with its apex at the port, axis
  along the port's outward axis, half angle ``alpha``, out to ``L`` (the Keep-Out Sphere,
  200 m, for docking; the pre-install point, 1.5 m, for arm berthing).
* **Swept envelope of the arriving vehicle**: its body (a cylinder of radius ``r_v`` and
  length ``l_v`` behind the interface, along the axis) moved through every interface
  position of the corridor. In the meridian half-plane (``u`` along the axis, ``rho`` from
  it) the interface region is the polygon ``0 <= u <= U, rho <= tan(alpha) min(u, L)`` with
  ``U = L + l_v``, and the envelope is that solid of revolution dilated by ``r_v``. The
  distance from any point to the solid is computed exactly in that half-plane.
* **Docked vehicles** are simple shapes placed on their ports: a finite cylinder
  (interface to ``length_m``, ``diameter_m``) and, if they have deployable arrays, a flat
  disc of radius ``array_span_m / 2`` at ``array_station_m`` perpendicular to the port axis:
  the arrays swept through every roll angle, because the roll of a docked vehicle is not in
  our sources (conservative). Shapes are sampled on a grid: first 0.25 m, then, for shapes
  whose coarse distance is within 0.5 m of the margin, ``spacing_m`` (default 5 cm). Sampled
  distances are never below the true ones and exceed them by at most about half the grid
  step (so the verdict is good to a few cm; far shapes' distances to about 0.2 m).
* **Verdict**: for each docked shape, ``min_distance_m`` = distance from the shape to the
  swept envelope (negative: they overlap by that much). A shape blocks the corridor when
  ``min_distance_m`` is below the plume-impingement margin (``iss.toml [clearance]``: 2 m
  for docking, 0 for arm berthing, whose thrusters are inhibited; modelling values, grade
  D). The target port being occupied also blocks it.

Not modelled: the station's own structure (modules, trusses, radiators, arrays), the
arriving vehicle's solar arrays (they trail 5-6 m behind its interface; assumed rolled
clear of the neighbours), the arm's path before the pre-install point, curved or
out-of-corridor trajectories, attitude offsets (the check is in the body frame, so it holds
for any station attitude), and plume physics beyond the fixed margin.

Reproduces the NG-23 case (domain.md 4.2): Cygnus XL at Unity nadir blocks the Rassvet nadir
corridor (its arrays' swept disc reaches 0.45 m from the Rassvet axis, 1.7 m below the port),
and with Unity nadir empty Rassvet nadir is clear with the other 1 Dec 2025 occupants in
place (nearest: Soyuz MS-27's arrays at Prichal, 3.2 m from the envelope).

>>> iss = load_station()
>>> occ = iss.occupancy("2025-12-01").vehicle_types()
>>> del occ["rassvet-nadir"]                               # Soyuz MS-28 still to arrive
>>> r = corridor_clearance(iss, "rassvet-nadir", occ, arriving="soyuz-ms")
>>> r.clear, [(b.port_id, b.vehicle_type, b.part) for b in r.blocking]
(False, [('unity-nadir', 'cygnus-xl', 'solar arrays')])
>>> del occ["unity-nadir"]                                 # NG-23 held on the arm
>>> corridor_clearance(iss, "rassvet-nadir", occ, arriving="soyuz-ms").clear
True
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..errors import InputError
from .catalog import Port, Station, VehicleType, load_station

DEFAULT_SPACING_M = 0.05
"""Fine sampling step of the docked shapes [m]; distances near the margin are good to about half of it."""

COARSE_SPACING_M = 0.25
"""First-pass sampling step [m]; shapes within :data:`REFINE_BAND_M` of the margin are resampled finely."""

REFINE_BAND_M = 0.5
"""A shape whose coarse distance is below margin + this [m] is resampled at the fine step."""


@dataclass(frozen=True)
class Blocking:
    """One reason a corridor is not clear.

    ``min_distance_m``: distance between the blocking shape and the arriving vehicle's swept
    envelope [m] (negative = overlap; 0.0 when the target port itself is occupied).
    ``part``: ``"body"``, ``"solar arrays"`` or ``"port"``.
    """

    port_id: str
    vehicle_type: str
    part: str
    reason: str
    min_distance_m: float


@dataclass(frozen=True)
class ShapeClearance:
    """Distance from one docked shape to the swept envelope [m] (negative = overlap)."""

    port_id: str
    vehicle_type: str
    part: str
    min_distance_m: float


@dataclass(frozen=True)
class ClearanceResult:
    """Verdict of :func:`corridor_clearance`.

    ``clear`` is true when ``blocking`` is empty. ``arriving_vehicle``: the vehicle type whose
    body radius dilated the corridor; ``margin_m``: the plume margin applied [m];
    ``clearances``: every docked shape's distance, nearest first (for sensitivity studies).
    """

    station_id: str
    port_id: str
    arriving_vehicle: str
    clear: bool
    blocking: tuple[Blocking, ...]
    margin_m: float
    arriving_radius_m: float
    corridor_half_angle_rad: float
    corridor_length_m: float
    clearances: tuple[ShapeClearance, ...]


# --- geometry ------------------------------------------------------------------------------
def _basis(axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to ``axis`` and to each other."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(axis[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(axis, helper)
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(axis, e1)


def _disc_points(centre: np.ndarray, axis: np.ndarray, radius_m: float, spacing_m: float) -> np.ndarray:
    """Points covering a flat disc (polar grid, about ``spacing_m`` apart)."""
    e1, e2 = _basis(axis)
    pts = [centre[None, :]]
    n_rings = max(1, math.ceil(radius_m / spacing_m))
    for r in np.linspace(radius_m / n_rings, radius_m, n_rings):
        n_th = max(12, math.ceil(2 * math.pi * r / spacing_m))
        th = np.linspace(0.0, 2 * math.pi, n_th, endpoint=False)
        pts.append(centre + r * (np.cos(th)[:, None] * e1 + np.sin(th)[:, None] * e2))
    return np.vstack(pts)


def _cylinder_points(base: np.ndarray, axis: np.ndarray, length_m: float, radius_m: float,
                     spacing_m: float) -> np.ndarray:
    """Points covering a closed finite cylinder's surface (side and both end caps)."""
    e1, e2 = _basis(axis)
    n_th = max(12, math.ceil(2 * math.pi * radius_m / spacing_m))
    th = np.linspace(0.0, 2 * math.pi, n_th, endpoint=False)
    ring = radius_m * (np.cos(th)[:, None] * e1 + np.sin(th)[:, None] * e2)
    us = np.linspace(0.0, length_m, max(2, math.ceil(length_m / spacing_m) + 1))
    side = (base + us[:, None, None] * axis + ring[None, :, :]).reshape(-1, 3)
    caps = [_disc_points(base, axis, radius_m, spacing_m),
            _disc_points(base + length_m * axis, axis, radius_m, spacing_m)]
    return np.vstack([side, *caps])


def _segment_distance(px, py, ax, ay, bx, by):
    """Distance from points (px, py) to the segment (a, b) in a plane (vectorised)."""
    dx, dy = bx - ax, by - ay
    den = dx * dx + dy * dy
    t = np.zeros_like(px) if den == 0 else np.clip(((px - ax) * dx + (py - ay) * dy) / den, 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))


def corridor_signed_distance(points_m, apex_m, axis, half_angle_rad: float, length_m: float,
                             extension_m: float = 0.0) -> np.ndarray:
    """Signed distance [m] from points to a corridor's interface solid (negative inside).

    The solid is the cone of ``half_angle_rad`` with apex ``apex_m`` along unit ``axis`` out
    to ``length_m``, continued as a cylinder of the end radius for ``extension_m`` more
    (the arriving vehicle's length behind its interface). Exact: computed in the meridian
    half-plane of each point.

    >>> d = corridor_signed_distance([[3.0, 0, 5.0], [0.0, 0, -2.0], [0.0, 0, 300.0]],
    ...                              [0, 0, 0], [0, 0, 1], math.radians(45), 200.0)
    >>> np.round(d, 6) + 0.0          # (rho 3, u 5) is inside, 2 / sqrt(2) from the 45 deg surface
    array([ -1.414214,   2.      , 100.      ])
    """
    pts = np.atleast_2d(np.asarray(points_m, dtype=float))
    a = np.asarray(axis, dtype=float)
    a = a / np.linalg.norm(a)
    rel = pts - np.asarray(apex_m, dtype=float)
    u = rel @ a
    rho = np.linalg.norm(rel - u[:, None] * a, axis=1)
    tan_a = math.tan(half_angle_rad)
    L, U = float(length_m), float(length_m) + float(extension_m)
    R = L * tan_a
    d = np.minimum.reduce([
        _segment_distance(u, rho, 0.0, 0.0, L, R),      # cone surface
        _segment_distance(u, rho, L, R, U, R),          # cylinder continuation
        _segment_distance(u, rho, U, R, U, 0.0),        # far end
    ])
    inside = (u >= 0.0) & (u <= U) & (rho <= tan_a * np.minimum(u, L))
    return np.where(inside, -d, d)


@functools.lru_cache(maxsize=1024)
def _shapes(position_m: tuple, axis: tuple, length_m: float, radius_m: float, span_m: float, station_m: float,
            spacing_m: float) -> tuple[tuple[str, np.ndarray], ...]:
    base = np.asarray(position_m, dtype=float)
    ax = np.asarray(axis, dtype=float)
    out = [("body", _cylinder_points(base, ax, length_m, radius_m, spacing_m))]
    if span_m > 0:
        out.append(("solar arrays", _disc_points(base + station_m * ax, ax, 0.5 * span_m, spacing_m)))
    for _, pts in out:
        pts.flags.writeable = False
    return tuple(out)


def docked_shapes(port: Port, vehicle: VehicleType, spacing_m: float = DEFAULT_SPACING_M) -> dict[str, np.ndarray]:
    """Sampled shapes of ``vehicle`` docked at ``port``: ``{"body": pts, "solar arrays": pts}`` [m, body frame].

    The arrays are read-only (cached per port, vehicle shape and spacing).
    """
    return dict(_shapes(tuple(port.position_m), tuple(port.axis), vehicle.length_m, vehicle.radius_m,
                        vehicle.array_span_m, vehicle.array_station_m, float(spacing_m)))


# --- the check -----------------------------------------------------------------------------
def _distance(points: np.ndarray, target: Port, vehicle: VehicleType) -> float:
    """Distance from sampled points to the swept envelope of ``vehicle`` arriving at ``target`` [m]."""
    cor = target.corridor
    d = corridor_signed_distance(points, target.position_m, target.axis, cor.half_angle_rad, cor.length_m,
                                 extension_m=vehicle.length_m)
    return float(d.min()) - vehicle.radius_m


def _default_arriving(station: Station, port: Port) -> VehicleType:
    """The compatible vehicle type with the largest body radius (the most demanding)."""
    return max((station.vehicle_type(v) for v in port.compatible_vehicle_types), key=lambda v: v.radius_m)


def corridor_clearance(station: Station | str, port_id: str, occupancy: Mapping[str, str],
                       arriving: str | None = None, plume_margin_m: float | None = None,
                       spacing_m: float = DEFAULT_SPACING_M) -> ClearanceResult:
    """Whether the approach corridor of ``port_id`` is clear, given who is docked where.

    ``station``: a :class:`~gyrfalcon.station.catalog.Station` or its id; ``occupancy``: port
    id -> vehicle type id for the vehicles docked/berthed now; ``arriving``: the vehicle type
    that will use the corridor (default: the port's compatible type with the largest body
    radius); ``plume_margin_m``: override the catalogue margin [m] (for sensitivity studies;
    applies to docking and berthing corridors alike). See the module docstring for the model.

    Raises :class:`~gyrfalcon.station.catalog.UnknownPortError` /
    :class:`~gyrfalcon.station.catalog.UnknownVehicleTypeError` (messages list the valid ids) and
    :class:`~gyrfalcon.station.catalog.IncompatibleVehicleError` (naming the ports that would
    take the vehicle) for impossible inputs, in ``occupancy`` as well as for the target.
    """
    st = load_station(station) if isinstance(station, str) else station
    target = st.port(port_id)
    occ = st.validate_occupancy(occupancy)
    if arriving is None:
        vehicle = _default_arriving(st, target)
    else:
        _, vehicle = st.require_compatible(target.id, arriving)
    berthing = st.mechanism(target.mechanism).is_berthing
    if plume_margin_m is None:
        margin = st.clearance.berthing_plume_margin_m if berthing else st.clearance.plume_margin_m
    else:
        margin = float(plume_margin_m)
        if not margin >= 0 or math.isinf(margin):
            raise InputError(f"plume_margin_m must be a finite distance >= 0 m (catalogue: "
                             f"{st.clearance.plume_margin_m} m), got {plume_margin_m!r}")
    if not spacing_m > 0:
        raise InputError(f"spacing_m must be > 0 m (default {DEFAULT_SPACING_M}), got {spacing_m!r}")

    cor = target.corridor
    blocking: list[Blocking] = []
    clearances: list[ShapeClearance] = []
    if target.id in occ:
        v = occ[target.id]
        blocking.append(Blocking(target.id, v.id, "port",
                                 f"{target.id} is itself occupied by {v.name}; it must leave first", 0.0))
    for pid, v in occ.items():
        if pid == target.id:
            continue
        coarse = max(float(spacing_m), COARSE_SPACING_M)
        fine = docked_shapes(st.port(pid), v, spacing_m) if coarse > spacing_m else None
        for part, pts in docked_shapes(st.port(pid), v, coarse).items():
            dist = _distance(pts, target, vehicle)
            if fine is not None and dist < margin + REFINE_BAND_M:
                dist = _distance(fine[part], target, vehicle)
            clearances.append(ShapeClearance(pid, v.id, part, dist))
            if dist < margin:
                how = (f"overlaps the swept approach envelope of {vehicle.name} by {-dist:.2f} m" if dist < 0 else
                       f"comes within {dist:.2f} m of the swept approach envelope of {vehicle.name}, "
                       f"inside the {margin:.2f} m plume margin")
                blocking.append(Blocking(pid, v.id, part, f"{v.name} at {pid}: its {part} {how} into {target.id}",
                                         dist))
    clearances.sort(key=lambda c: c.min_distance_m)
    return ClearanceResult(
        station_id=st.id, port_id=target.id, arriving_vehicle=vehicle.id, clear=not blocking,
        blocking=tuple(blocking), margin_m=margin, arriving_radius_m=vehicle.radius_m,
        corridor_half_angle_rad=cor.half_angle_rad, corridor_length_m=cor.length_m, clearances=tuple(clearances),
    )


def corridor_report(station: Station | str, occupancy: Mapping[str, str],
                    spacing_m: float = DEFAULT_SPACING_M) -> dict[str, ClearanceResult]:
    """:func:`corridor_clearance` for every port, each with its own occupant removed.

    Answers "could each port's vehicle arrive again with all the others in place?" (port id
    -> result, for the vehicle type now at that port or, for an empty port, its compatible
    type with the largest body radius).
    """
    st = load_station(station) if isinstance(station, str) else station
    st.validate_occupancy(occupancy)
    out = {}
    for p in st.ports:
        others = {k: v for k, v in occupancy.items() if st.port(k).id != p.id}
        arriving = occupancy.get(p.id)
        out[p.id] = corridor_clearance(st, p.id, others, arriving=arriving, spacing_m=spacing_m)
    return out
