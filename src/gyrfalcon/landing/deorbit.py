"""Deorbit burn, coast to module separation, and the burn time that lands on the target.

Model and assumptions
---------------------
* **One propagator.** The coast after separation, the finite deorbit burn and the coast down to
  module separation are integrated by :class:`gyrfalcon.orbits.propagator.Propagator` with the
  ``full`` force model (EGM2008 8x8, NRLMSISE-00 drag through heyoka's thermoNET; stack Cd and
  area from ``return.toml``). Its reentry floor is set to the module-separation altitude
  (139.9 km), so the propagation stops there (height within ~0.1 km of geodetic, see the
  propagator's notes) and the descent module's 3-DOF entry (:mod:`.entry`) takes over.
* **Burn.** :class:`gyrfalcon.orbits.maneuvers.FiniteBurn` of the SKD main engine (thrust and
  Isp from ``launch/data/vehicles.toml``), fixed retrograde (-T of TNW), with the mass flow
  integrated. The duration is that of the commanded sensed dv at constant thrust (the Soyuz's
  apparent-velocity cutoff): ``t = m0 (1 - exp(-dv / (Isp g0))) / mdot``.
* **Targeting.** The burn time is solved (secant iterations) so that the descent flown with the
  planning bank (``reference`` mode: constant vertical L/D x cos 60 deg, no side force) lands
  abreast of the target along its final ground track; the cross-track miss is what the
  guided descent must remove with its bank (see :mod:`.entry`). The dv is held at its
  published value (128 m/s), as the Soyuz does.

>>> from gyrfalcon.landing.vehicle import load_return_vehicle
>>> b = make_burn("2025-12-09T04:10Z", load_return_vehicle(), 6615.8)
>>> round(b.duration_s, 1), b.direction_frame, b.direction
(280.9, 'TNW', (-1.0, 0.0, 0.0))
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, ReentryError
from .vehicle import ReturnVehicle


class NoLandingError(InputError):
    """The deorbit cannot bring the module down to the target (no solution for the burn time)."""


@dataclass(frozen=True)
class DeorbitBurn:
    """The planned deorbit burn: start UTC, sensed ``dv_mps``, ``duration_s``, engine, masses,
    and where it happens (geodetic ``altitude_m``, ``lat_deg``, ``lon_deg`` at ignition)."""

    utc: str
    dv_mps: float
    duration_s: float
    thrust_n: float
    isp_s: float
    mass_before_kg: float
    mass_after_kg: float
    direction: str
    altitude_m: float
    lat_deg: float
    lon_deg: float


@dataclass(frozen=True)
class ReturnFlight:
    """Burn + coast + descent. ``separation`` is the GCRF state at module separation;
    ``entry`` the :class:`~gyrfalcon.landing.entry.EntryResult`."""

    burn: DeorbitBurn
    separation: Any
    separation_utc: str
    separation_after_burn_s: float
    entry: Any


def check_deorbit_dv(dv_mps) -> None:
    """Refuse a deorbit delta-v outside 10-400 m/s (:class:`~gyrfalcon.errors.InputError`).

    >>> check_deorbit_dv(128.0)
    >>> check_deorbit_dv(1000)
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.InputError: deorbit dv 1000.0 m/s is outside 10-400 m/s; the Soyuz burns about 128 m/s
    """
    dv = float(dv_mps)
    if not (10.0 <= dv <= 400.0):
        raise InputError(f"deorbit dv {dv} m/s is outside 10-400 m/s; the Soyuz burns about 128 m/s")


class DeorbitTooSmallError(NoLandingError):
    """The burn's delta-v does not bring the orbit down (a property of the dv, not of the pass)."""


def make_burn(start, veh: ReturnVehicle, mass_kg: float, dv_mps: float | None = None):
    """The retrograde :class:`~gyrfalcon.orbits.maneuvers.FiniteBurn` giving ``dv_mps`` (default the
    vehicle's 128 m/s) from ``mass_kg``."""
    from ..orbits.maneuvers import FiniteBurn
    from ..time import parse_utc

    dv = veh.deorbit_dv_mps if dv_mps is None else float(dv_mps)
    check_deorbit_dv(dv)
    return FiniteBurn(parse_utc(start), veh.deorbit_duration_s(mass_kg, dv), veh.main_thrust_n, veh.main_isp_s,
                      "TNW", (-1.0, 0.0, 0.0), name="deorbit")


@functools.lru_cache(maxsize=4)
def propagator(veh: ReturnVehicle, floor: bool = True):
    """The return's :class:`~gyrfalcon.orbits.propagator.Propagator` (``full`` model, stack drag;
    reentry floor at module separation when ``floor``)."""
    from ..orbits.propagator import Propagator

    return Propagator("full", floor_m=veh.module_separation_altitude_m if floor else 100e3,
                      params={"drag_cd": veh.stack_drag_cd, "drag_area_m2": veh.stack_drag_area_m2})


def coast_to_separation(state, burn, veh: ReturnVehicle):
    """Propagate ``state`` (with mass) through ``burn`` down to module separation.

    Returns the GCRF :class:`~gyrfalcon.orbits.state.State` at module separation. Raises
    :class:`NoLandingError` if the orbit does not come down within 3 h of the burn.
    """
    from ..time import add_seconds, seconds_between

    prop = propagator(veh)
    horizon = add_seconds(burn.t_start, burn.duration_s + 3 * 3600.0)
    if seconds_between(state.t, burn.t_start) < 0:
        raise InputError("the deorbit burn must come after the state it is planned from; give a later burn time")
    try:
        prop.propagate_to(state, horizon, maneuvers=[burn])
    except ReentryError as exc:
        t_sep = exc.t
    else:
        raise DeorbitTooSmallError(
            f"after a {burn.duration_s:.0f} s retrograde burn the orbit does not come down to "
            f"{veh.module_separation_altitude_m / 1e3:.1f} km within 3 h; give a larger dv (the Soyuz burns 128 m/s)"
        )
    return prop.propagate_to(state, add_seconds(t_sep, -1e-3), maneuvers=[burn])


def fly_return(state, burn_start, veh: ReturnVehicle, zone, *, mode: str = "reference", dv_mps: float | None = None,
               sample_step_s: float = 1.0) -> ReturnFlight:
    """Deorbit at ``burn_start`` from ``state`` (the coasting Soyuz, with mass) and fly the descent to ``zone``."""
    from ..frames import gcrf_to_itrf, geodetic_from_itrf
    from ..orbits.state import State
    from ..time import iso_utc, parse_utc, seconds_between
    from .entry import fly_entry

    tb = parse_utc(burn_start)
    burn = make_burn(tb, veh, float(state.mass_kg), dv_mps)
    prop = propagator(veh)
    at_burn = prop.propagate_to(state, tb) if abs(seconds_between(state.t, tb)) > 1e-6 else state.to("GCRF")
    lat, lon, alt = geodetic_from_itrf(gcrf_to_itrf(tb, at_burn.r_m))
    sep = coast_to_separation(state, burn, veh)
    m_after = float(state.mass_kg) - burn.mass_flow_kg_s * burn.duration_s
    info = DeorbitBurn(utc=iso_utc(tb), dv_mps=veh.deorbit_dv_mps if dv_mps is None else float(dv_mps),
                       duration_s=float(burn.duration_s), thrust_n=burn.thrust_n, isp_s=burn.isp_s,
                       mass_before_kg=float(state.mass_kg), mass_after_kg=m_after,
                       direction="retrograde (-T of TNW)", altitude_m=float(alt), lat_deg=math.degrees(float(lat)),
                       lon_deg=math.degrees(float(lon)))
    dm = State(sep.t, sep.r_m, sep.v_mps, "GCRF", veh.dm_mass_kg)
    entry = fly_entry(dm, vehicle=veh, mode=mode, target_lat_deg=zone.lat_deg, target_lon_deg=zone.lon_deg,
                      ground_altitude_m=zone.ground_altitude_m, sample_step_s=sample_step_s)
    return ReturnFlight(burn=info, separation=sep, separation_utc=iso_utc(sep.t),
                        separation_after_burn_s=float(seconds_between(tb, sep.t)), entry=entry)


def solve_burn_time(state, burn_guess, veh: ReturnVehicle, zone, *, dv_mps: float | None = None,
                    tol_m: float = 300.0, max_iter: int = 12):
    """Burn time that puts the ``reference`` descent abreast of ``zone`` along the track.

    Secant iterations on the along-track miss of the landing point, from ``burn_guess`` and
    ``burn_guess + 20 s``. Returns ``(Time, ReturnFlight, iterations)``.
    """
    from ..time import add_seconds, parse_utc

    t0 = parse_utc(burn_guess)

    def miss(dt):
        fl = fly_return(state, add_seconds(t0, dt), veh, zone, mode="reference", dv_mps=dv_mps, sample_step_s=10.0)
        return fl.entry.miss_along_m, fl

    x0, x1 = 0.0, 20.0
    f0, fl0 = miss(x0)
    f1, fl1 = miss(x1)
    best = (abs(f1), x1, fl1) if abs(f1) < abs(f0) else (abs(f0), x0, fl0)
    for it in range(1, max_iter + 1):
        if best[0] < tol_m:
            return add_seconds(t0, best[1]), best[2], it
        if f1 == f0:
            break
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        x2 = max(x1 - 900.0, min(x1 + 900.0, x2))     # at most 15 min per step
        x0, f0 = x1, f1
        x1 = x2
        f1, fl1 = miss(x1)
        if abs(f1) < best[0]:
            best = (abs(f1), x1, fl1)
    if best[0] < 5 * tol_m:
        return add_seconds(t0, best[1]), best[2], max_iter
    raise NoLandingError(
        f"the burn-time search did not converge (best along-track miss {best[0] / 1e3:.1f} km); "
        "the target may be out of reach of this pass: try the next opportunity"
    )
