"""Undocking and separation from the station, in the station's LVLH frame (proximity model).

Model and assumptions
---------------------
* **Relative motion.** :class:`gyrfalcon.proximity.relative.RelativeDynamics`: the exact
  nonlinear differential point-mass + J2 motion about the station's tabulated trajectory (the
  NASA OEM), RK4 with 1 s steps; forces other than gravity act equally on both and cancel.
* **Start.** At the undocking time (physical separation: the hooks are open and the spring
  pushers act) the Soyuz sits at the port's interface point (``station/data/iss.toml``, XVV
  attitude) moving with the station; the springs add ``spring_speed_mps`` (0.12 m/s) along
  the port axis. The Soyuz's centre of mass a few metres out along the axis is not modelled.
* **Separation burn.** ``separation_burn_delay_s`` (3 min) later, ``separation_burn_dv_mps``
  (0.53 m/s) spread evenly over ``separation_burn_duration_s`` (8 s) of 1 s impulses, along
  the port axis tilted ``separation_burn_retro_deg`` (45 deg) toward -V-bar (retrograde), so
  the Soyuz ends below and ahead of the station and drifts away (a forward-facing port tilts
  toward R-bar instead). The direction is our assumption (see ``return.toml``).
* **Safety.** The departure must leave the keep-out sphere (200 m) and not come back into it
  during the simulated span; :func:`depart` reports the exit time and the smallest range from
  ``REAPPROACH_WINDOW_S`` (10 min) after it to the end (a returning trajectory shows there). Mass: the RCS propellant of the burn is taken off by the rocket equation.

>>> from gyrfalcon.orbits.iss import iss_ephemeris
>>> d = depart(iss_ephemeris(), "2025-12-09T01:41Z", duration_s=1800.0)
>>> d.kos_exit_utc[:19], round(d.min_range_after_exit_m), round(d.state.mass_kg, 1)
('2025-12-09T01:48:08', 753, 6615.8)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..constants import G0_MPS2
from ..errors import InputError
from .vehicle import ReturnVehicle, load_return_vehicle


REAPPROACH_WINDOW_S = 600.0
"""The re-approach check looks at the range from this long after the keep-out-sphere exit [s]."""


class UnsafeDepartureError(InputError):
    """The departure does not leave the keep-out sphere, or comes back into it."""


@dataclass(frozen=True, eq=False)
class DepartureResult:
    """The proximity phase after undocking.

    ``rho_lvlh_m`` (N, 3) and ``rho_dot_lvlh_mps`` samples every ``step_s`` at ``t_s`` after
    undocking (LVLH: x V-bar, y -H, z R-bar); ``separation_dv_lvlh_mps`` the burn's total
    dv vector; ``state`` the Soyuz's absolute GCRF :class:`~gyrfalcon.orbits.state.State` (with
    mass) at the end, where the orbital propagator takes over.
    """

    undock_utc: str
    port: str
    spring_dv_lvlh_mps: tuple
    separation_burn_utc: str
    separation_dv_lvlh_mps: tuple
    kos_radius_m: float
    kos_exit_utc: str
    kos_exit_t_s: float
    min_range_after_exit_m: float
    range_at_end_m: float
    t_s: np.ndarray
    rho_lvlh_m: np.ndarray
    rho_dot_lvlh_mps: np.ndarray
    state: Any


def separation_direction_lvlh(port_axis_lvlh, retro_deg: float) -> np.ndarray:
    """Unit direction of the separation burn: the port axis tilted ``retro_deg`` toward -V-bar.

    >>> np.round(separation_direction_lvlh([0, 0, 1], 45.0), 4) + 0.0
    array([-0.7071,  0.    ,  0.7071])
    >>> np.round(separation_direction_lvlh([1, 0, 0], 45.0), 4) + 0.0   # forward port: toward R-bar
    array([0.7071, 0.    , 0.7071])
    """
    a = np.asarray(port_axis_lvlh, float)
    a = a / np.linalg.norm(a)
    side = np.array([-1.0, 0.0, 0.0])
    if abs(float(a @ side)) > 0.7:        # axis along V-bar: tilt toward R-bar (below the station)
        side = np.array([0.0, 0.0, 1.0])
    side = side - (side @ a) * a
    side /= np.linalg.norm(side)
    t = math.radians(retro_deg)
    return math.cos(t) * a + math.sin(t) * side


def depart(station_ephemeris, undock, *, port: str = "prichal-nadir", vehicle: str | ReturnVehicle = "soyuz-ms",
           attitude: str = "xvv", duration_s: float = 1800.0, step_s: float = 1.0,
           mass_kg: float | None = None) -> DepartureResult:
    """Simulate undocking from ``port`` at ``undock`` and the separation burn, for ``duration_s``.

    ``station_ephemeris``: inertial :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` of the
    station covering the span; ``undock``: UTC (``Time`` or ISO string) of physical separation.
    Raises :class:`UnsafeDepartureError` if the Soyuz does not leave the keep-out sphere or
    re-enters it.
    """
    from ..errors import EphemerisRangeError
    from ..proximity.relative import RelativeDynamics
    from ..station.geometry import port_axis_in_lvlh, port_position_in_lvlh
    from ..time import add_seconds, iso_utc, parse_utc

    veh = vehicle if isinstance(vehicle, ReturnVehicle) else load_return_vehicle(vehicle)
    t_u = parse_utc(undock)
    if not (veh.separation_burn_delay_s + veh.separation_burn_duration_s + 60.0 <= duration_s <= 6 * 3600.0):
        raise InputError(f"duration_s {duration_s} s: give 5 min to 6 h (e.g. 1800) so the separation burn is inside")
    t_end = add_seconds(t_u, duration_s)
    for tt in (t_u, t_end):
        if not station_ephemeris.covers(tt):
            raise EphemerisRangeError(
                f"the station ephemeris covers {iso_utc(station_ephemeris.start)} to {iso_utc(station_ephemeris.stop)}; "
                f"undocking at {iso_utc(t_u)} needs it from then to {iso_utc(t_end)}: give an OEM that covers the return"
            )
    rel = RelativeDynamics.from_ephemeris(station_ephemeris, t_u, duration_s, step_s)
    axis = port_axis_in_lvlh(port, attitude)
    rho0 = port_position_in_lvlh(port, attitude)
    spring = veh.spring_speed_mps * axis
    sep_dir = separation_direction_lvlh(axis, veh.separation_burn_retro_deg)
    k_burn = int(round(veh.separation_burn_delay_s / step_s))
    n_burn = max(1, int(round(veh.separation_burn_duration_s / step_s)))
    dv_step = veh.separation_burn_dv_mps / n_burn * sep_dir

    n = rel.n_steps
    d_r, d_v = rel.from_lvlh(0, rho0, spring)
    dr = np.empty((n + 1, 3))
    dv = np.empty((n + 1, 3))
    for k in range(n + 1):
        if k_burn <= k < k_burn + n_burn:
            d_v = d_v + rel.lvlh_to_inertial_vector(k, dv_step)
        dr[k], dv[k] = d_r, d_v
        if k < n:
            d_r, d_v = rel.step(k, d_r, d_v)
    from ..proximity.relative import inertial_to_lvlh

    rho, rho_dot = inertial_to_lvlh(rel.r_t, rel.v_t, dr, dv)
    rng = np.linalg.norm(rho, axis=1)
    if float(rng[k_burn:].min()) < float(np.linalg.norm(rho0)) - 1.0:
        raise UnsafeDepartureError(
            f"after the separation burn the Soyuz heads back to {float(rng[k_burn:].min()):.0f} m of the station's "
            f"centre, closer than the port ({float(np.linalg.norm(rho0)):.0f} m), and does not leave the keep-out "
            "sphere safely; point the burn away from the port (separation_burn_retro_deg 0-90)"
        )
    out = np.nonzero(rng > veh.keep_out_radius_m)[0]
    if not len(out):
        raise UnsafeDepartureError(
            f"the Soyuz is still inside the {veh.keep_out_radius_m:.0f} m keep-out sphere {duration_s:.0f} s after "
            "undocking; check the spring speed and the separation burn (0.12 m/s, 0.53 m/s)"
        )
    i_exit = int(out[0])
    t_exit = float(rel.t_s[i_exit - 1] + (veh.keep_out_radius_m - rng[i_exit - 1]) / (rng[i_exit] - rng[i_exit - 1])
                   * (rel.t_s[i_exit] - rel.t_s[i_exit - 1])) if i_exit > 0 else 0.0
    later = rel.t_s >= t_exit + REAPPROACH_WINDOW_S
    min_after = float(rng[later].min()) if later.any() else float(rng[-1])
    if min_after < veh.keep_out_radius_m:
        raise UnsafeDepartureError(
            f"the Soyuz comes back to {min_after:.0f} m of the station, inside the {veh.keep_out_radius_m:.0f} m "
            "keep-out sphere; choose a separation burn with a retrograde component (separation_burn_retro_deg)"
        )
    m0 = veh.undocking_mass_kg if mass_kg is None else float(mass_kg)
    from ..launch.vehicles import load_spacecraft

    isp = load_spacecraft("soyuz-ms").rcs_isp_s
    m1 = m0 * math.exp(-veh.separation_burn_dv_mps / (isp * G0_MPS2))
    from ..orbits.state import State

    state = State(add_seconds(t_u, rel.t_s[-1]), rel.r_t[-1] + dr[-1], rel.v_t[-1] + dv[-1], "GCRF", m1,
                  {"source": "gyrfalcon.landing.undocking", "port": port})
    return DepartureResult(
        undock_utc=iso_utc(t_u), port=port, spring_dv_lvlh_mps=tuple(float(x) for x in spring),
        separation_burn_utc=iso_utc(add_seconds(t_u, k_burn * step_s)),
        separation_dv_lvlh_mps=tuple(float(x) for x in veh.separation_burn_dv_mps * sep_dir),
        kos_radius_m=veh.keep_out_radius_m, kos_exit_utc=iso_utc(add_seconds(t_u, t_exit)), kos_exit_t_s=t_exit,
        min_range_after_exit_m=min_after, range_at_end_m=float(rng[-1]), t_s=rel.t_s.copy(), rho_lvlh_m=rho,
        rho_dot_lvlh_mps=rho_dot, state=state,
    )
