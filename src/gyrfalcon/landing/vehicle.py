"""Return-vehicle data (``data/return.toml``): separation, deorbit, descent module, parachutes.

Each figure keeps its source and grade (:class:`~gyrfalcon.launch.vehicles.Figure`); the main
engine's thrust and Isp come from the launch catalogue
(:func:`gyrfalcon.launch.vehicles.load_spacecraft`), not from here.

>>> v = load_return_vehicle("soyuz-ms")
>>> v.deorbit_dv_mps, v.main_thrust_n, v.main_isp_s
(128.0, 2950.0, 302.0)
>>> round(v.dm_reference_area_m2, 2), round(v.dm_ballistic_coefficient_kg_m2)
(3.7, 614)
>>> round(v.deorbit_duration_s(v.undocking_mass_kg, v.deorbit_dv_mps), 1)   # domain.md 5.1: 4 min 41 s
281.0
"""
from __future__ import annotations

import copy
import functools
import math
import tomllib
from dataclasses import dataclass, field

from ..constants import G0_MPS2
from ..errors import InputError


class UnknownReturnVehicleError(InputError):
    """A vehicle name that is not in ``landing/data/return.toml``."""


@dataclass(frozen=True)
class ReturnVehicle:
    """Everything the return needs about one vehicle (SI units; see ``return.toml`` for sources)."""

    id: str
    name: str
    main_thrust_n: float
    main_isp_s: float
    spring_speed_mps: float
    separation_burn_delay_s: float
    separation_burn_dv_mps: float
    separation_burn_duration_s: float
    separation_burn_retro_deg: float
    keep_out_radius_m: float
    undocking_mass_kg: float
    stack_drag_cd: float
    stack_drag_area_m2: float
    deorbit_dv_mps: float
    deorbit_after_undock_s: float
    min_deorbit_after_undock_s: float
    module_separation_altitude_m: float
    entry_interface_altitude_m: float
    dm_mass_kg: float
    dm_diameter_m: float
    dm_lift_to_drag: float
    dm_cd_mach: tuple
    dm_nose_radius_m: float
    reference_bank_deg: float
    guidance_cycle_s: float
    guidance_start_g: float
    ballistic_roll_rate_deg_s: float
    parachute_altitude_m: float
    drogue_area_m2: float
    drogue_cd: float
    main_deploy_altitude_m: float
    main_reefed_s: float
    main_reefed_speed_mps: float
    main_area_m2: float
    main_descent_rate_mps: float
    main_inflation_s: float
    soft_landing_height_m: float
    touchdown_speed_mps: float
    figures: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def dm_reference_area_m2(self) -> float:
        """Descent-module reference area pi d^2 / 4 [m^2]."""
        return math.pi * self.dm_diameter_m ** 2 / 4.0

    @property
    def dm_ballistic_coefficient_kg_m2(self) -> float:
        """Hypersonic ballistic coefficient m / (Cd A) [kg/m^2]."""
        return self.dm_mass_kg / (self.dm_cd_mach[-1][1] * self.dm_reference_area_m2)

    @property
    def main_mass_flow_kg_s(self) -> float:
        return self.main_thrust_n / (self.main_isp_s * G0_MPS2)

    def deorbit_duration_s(self, mass_kg: float, dv_mps: float) -> float:
        """Burn time [s] for a sensed ``dv_mps`` at constant thrust from ``mass_kg`` (rocket equation).

        The Soyuz cuts its engine when the apparent-velocity integrator reaches the commanded
        dv, so the duration follows from the mass: ``t = m0 (1 - exp(-dv / (Isp g0))) / mdot``.
        """
        if not (dv_mps > 0 and mass_kg > 0):
            raise InputError(f"deorbit dv and mass must be positive, got {dv_mps} m/s, {mass_kg} kg")
        return mass_kg * (1.0 - math.exp(-dv_mps / (self.main_isp_s * G0_MPS2))) / self.main_mass_flow_kg_s


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict:
    from importlib.resources import files

    return tomllib.loads((files("gyrfalcon.landing") / "data" / "return.toml").read_text(encoding="utf-8"))


def load_return_vehicle(name: str = "soyuz-ms") -> ReturnVehicle:
    """The return data of vehicle ``name`` (``soyuz-ms``, or ``soyuz-ms-uncrewed``: the same
    Soyuz with the fast departure an uncrewed return can fly, see ``return.toml``). Read once;
    each call returns its own copy, so editing its ``figures`` reaches no other caller.

    >>> load_return_vehicle("dragon")
    Traceback (most recent call last):
    ...
    gyrfalcon.landing.vehicle.UnknownReturnVehicleError: unknown return vehicle 'dragon'; known: soyuz-ms, soyuz-ms-uncrewed
    """
    return copy.deepcopy(_return_vehicle(name))


@functools.lru_cache(maxsize=8)
def _return_vehicle(name) -> ReturnVehicle:
    from ..launch.vehicles import load_spacecraft

    cat = _catalogue()["vehicle"]
    key = str(name).strip().lower()
    if key not in cat:
        raise UnknownReturnVehicleError(f"unknown return vehicle {name!r}; known: {', '.join(cat)}")
    t = cat[key]
    if "base" in t:                       # a profile of another vehicle: its figures, these replace them
        t = {**cat[t["base"]], **{k: v for k, v in t.items() if k != "base"}}
    prop = load_spacecraft(t["propulsion"])
    vals, figs = {}, {}
    for f in ReturnVehicle.__dataclass_fields__:
        if f in t and isinstance(t[f], dict):
            figs[f] = t[f]
            v = t[f]["value"]
            vals[f] = tuple(tuple(float(x) for x in row) for row in v) if isinstance(v, list) else float(v)
    return ReturnVehicle(id=key, name=t["name"], main_thrust_n=prop.main_thrust_n, main_isp_s=prop.main_isp_s,
                         figures=figs, **vals)
