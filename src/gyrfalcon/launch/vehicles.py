"""Launch vehicles and spacecraft propulsion, read from ``launch/data/vehicles.toml``.

Facts live in the TOML file, each with its source and grade; this module only reads and
checks them and offers the derived quantities the ascent needs (mass flow, nozzle exit
area, stage masses). Units are SI.

Engine model (assumption): one mass flow per throttle level, ``mdot = level * F_vac /
(Isp_vac g0)``; thrust ``F = level * F_vac - p_ambient * A_exit`` with the exit area from the
published pair ``A_exit = (F_vac - F_sl) / p0`` (p0 = 101325 Pa). Turbopump hydrogen
peroxide is consumed at a constant rate over the nominal burn, down to its residual.

>>> v = load_vehicle("soyuz-2.1a")
>>> [s.id for s in v.stages]
['strapons', 'core', 'blok-i']
>>> round(v.stage("strapons").mass_flow_kgps, 1)   # per booster
325.2
>>> round(v.liftoff_mass_kg())
316970
>>> load_spacecraft("soyuz-ms").main_thrust_n
2950.0
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from ..constants import G0_MPS2
from ..errors import InputError

P0_PA = 101325.0
"""Sea-level pressure for the engines' sea-level ratings [Pa]."""


class UnknownVehicleError(InputError):
    """A vehicle or spacecraft name that is not in ``vehicles.toml``."""


class VehicleDataError(InputError):
    """``vehicles.toml`` has a missing or inconsistent figure."""


@dataclass(frozen=True)
class Figure:
    """One published figure: value, source key and grade (A, B, C, D or ?), optional note."""

    value: object
    source: str
    grade: str
    note: str = ""


@dataclass(frozen=True)
class Stage:
    """One propulsive stage (``count`` identical units burning together, e.g. 4 boosters).

    Masses are per unit [kg]; times are MET [s]; ``throttle`` is a tuple of
    ``(met_s, level)`` steps (level = fraction of the vacuum mass flow).
    """

    id: str
    name: str
    engine: str
    count: int
    dry_mass_kg: float
    propellant_kg: float
    h2o2_kg: float
    h2o2_residual_kg: float
    other_kg: float
    thrust_vac_n: float
    thrust_sl_n: float
    isp_vac_s: float
    ignition_met_s: float
    cutoff_met_s: float
    separation_met_s: float
    throttle: tuple
    figures: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def mass_flow_kgps(self) -> float:
        """Propellant mass flow of one unit at full throttle [kg/s]."""
        return self.thrust_vac_n / (self.isp_vac_s * G0_MPS2)

    @property
    def exit_area_m2(self) -> float:
        """Nozzle exit area of one unit [m^2] from the vacuum and sea-level thrust (0 for vacuum engines)."""
        if self.thrust_sl_n <= 0.0:
            return 0.0
        return (self.thrust_vac_n - self.thrust_sl_n) / P0_PA

    @property
    def gross_mass_kg(self) -> float:
        """Loaded mass of all units [kg]."""
        return self.count * (self.dry_mass_kg + self.propellant_kg + self.h2o2_kg + self.other_kg)

    @property
    def h2o2_rate_kgps(self) -> float:
        """H2O2 consumption of one unit while it fires [kg/s] (spread over the nominal burn)."""
        burn = self.cutoff_met_s - self.ignition_met_s
        return max(self.h2o2_kg - self.h2o2_residual_kg, 0.0) / burn if burn > 0 else 0.0

    def level_at(self, met_s: float) -> float:
        """Throttle level (fraction of vacuum mass flow) at ``met_s`` while the engine runs."""
        level = 0.0
        for t, lv in self.throttle:
            if met_s >= t:
                level = lv
        return level


@dataclass(frozen=True)
class Jettison:
    """A non-propulsive part dropped at ``met_s`` (escape tower, fairing, aft skirt)."""

    id: str
    name: str
    mass_kg: float
    met_s: float
    part_of_stage: str | None = None


@dataclass(frozen=True)
class LaunchVehicle:
    """A launch vehicle: stages, jettisoned parts, aerodynamics, guidance constants, events."""

    id: str
    name: str
    stages: tuple
    jettisons: tuple
    mach: tuple
    cd: tuple
    reference_area_m2: float
    reference_area_upper_m2: float
    vertical_rise_s: float
    kick_duration_s: float
    events: dict
    insertion_model: dict
    payload_default: str
    figures: dict = field(default_factory=dict, compare=False, repr=False)

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise UnknownVehicleError(
            f"vehicle {self.id!r} has no stage {stage_id!r}; stages are {', '.join(s.id for s in self.stages)}"
        )

    def jettison(self, part_id: str) -> Jettison:
        for j in self.jettisons:
            if j.id == part_id:
                return j
        raise UnknownVehicleError(
            f"vehicle {self.id!r} has no jettisoned part {part_id!r}; parts are "
            f"{', '.join(j.id for j in self.jettisons)}"
        )

    def liftoff_mass_kg(self, payload_kg: float | None = None) -> float:
        """Total mass at liftoff [kg]: all stages loaded, free jettisoned parts, payload.

        Parts that are ``part_of_stage`` (the aft skirt) are already in that stage's dry mass.
        ``payload_kg`` defaults to the default payload's launch mass.
        """
        if payload_kg is None:
            payload_kg = load_spacecraft(self.payload_default).launch_mass_kg
        free = sum(j.mass_kg for j in self.jettisons if j.part_of_stage is None)
        return sum(s.gross_mass_kg for s in self.stages) + free + float(payload_kg)


@dataclass(frozen=True)
class SpacecraftPropulsion:
    """A spacecraft's launch mass and propulsion (main engine and attitude/berthing thrusters)."""

    id: str
    name: str
    launch_mass_kg: float
    main_engine: str
    main_thrust_n: float
    main_isp_s: float
    rcs: str
    rcs_thruster_count: int
    rcs_thrust_n: float
    rcs_isp_s: float
    propellant_kg: float
    figures: dict = field(default_factory=dict, compare=False, repr=False)


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict:
    text = resources.files("gyrfalcon.launch").joinpath("data/vehicles.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _fig(table: dict, key: str, where: str, sources: dict) -> Figure:
    try:
        raw = table[key]
    except KeyError:
        raise VehicleDataError(f"vehicles.toml: {where} lacks '{key}'; add it as {{ value = ..., source = ..., grade = ... }}") from None
    if not isinstance(raw, dict) or "value" not in raw or "source" not in raw or "grade" not in raw:
        raise VehicleDataError(
            f"vehicles.toml: {where}.{key} must be an inline table with value, source and grade"
        )
    src_key = str(raw["source"]).split()[0]
    if src_key not in sources:
        raise VehicleDataError(
            f"vehicles.toml: {where}.{key} cites unknown source '{src_key}'; declare it in [sources]"
        )
    if raw["grade"] not in ("A", "B", "C", "D", "?"):
        raise VehicleDataError(f"vehicles.toml: {where}.{key} has grade {raw['grade']!r}; use A, B, C, D or ?")
    return Figure(raw["value"], str(raw["source"]), str(raw["grade"]), str(raw.get("note", "")))


def _names(section: str) -> list[str]:
    return sorted(_catalogue().get(section, {}))


def launcher_for_pad(pad) -> str:
    """The launch vehicle of this catalogue that ``pad`` (a launch-site Pad) flies: the Soyuz-2.1a
    (Site 31/6), else the Soyuz-FG (Site 1/5: Soyuz MS until 2019, Progress MS-10); the
    Soyuz-2.1a for a pad that flies neither."""
    return next((v for v in ("soyuz-2.1a", "soyuz-fg") if pad.supports(v)), "soyuz-2.1a")


@functools.lru_cache(maxsize=8)
def load_vehicle(name: str = "soyuz-2.1a") -> LaunchVehicle:
    """The launch vehicle ``name`` from the catalogue (see module docstring)."""
    cat = _catalogue()
    sources = cat.get("sources", {})
    try:
        v = cat["vehicle"][name]
    except KeyError:
        raise UnknownVehicleError(
            f"unknown launch vehicle {name!r}; known: {', '.join(_names('vehicle'))}"
        ) from None
    figures: dict = {}
    stages = []
    for st in v["stage"]:
        where = f"vehicle.{name}.stage.{st['id']}"
        f = {k: _fig(st, k, where, sources) for k in (
            "dry_mass_kg", "propellant_kg", "h2o2_kg", "h2o2_residual_kg", "other_kg", "thrust_vac_n",
            "thrust_sl_n", "isp_vac_s", "ignition_met_s", "cutoff_met_s", "separation_met_s", "throttle")}
        figures[st["id"]] = f
        stages.append(Stage(
            id=st["id"], name=st["name"], engine=st["engine"], count=int(st["count"]),
            dry_mass_kg=float(f["dry_mass_kg"].value), propellant_kg=float(f["propellant_kg"].value),
            h2o2_kg=float(f["h2o2_kg"].value), h2o2_residual_kg=float(f["h2o2_residual_kg"].value),
            other_kg=float(f["other_kg"].value), thrust_vac_n=float(f["thrust_vac_n"].value),
            thrust_sl_n=float(f["thrust_sl_n"].value), isp_vac_s=float(f["isp_vac_s"].value),
            ignition_met_s=float(f["ignition_met_s"].value), cutoff_met_s=float(f["cutoff_met_s"].value),
            separation_met_s=float(f["separation_met_s"].value),
            throttle=tuple((float(a), float(b)) for a, b in f["throttle"].value),
            figures=f,
        ))
    jettisons = []
    for j in v.get("jettison", []):
        where = f"vehicle.{name}.jettison.{j['id']}"
        f = {k: _fig(j, k, where, sources) for k in ("mass_kg", "met_s")}
        figures[j["id"]] = f
        jettisons.append(Jettison(j["id"], j["name"], float(f["mass_kg"].value), float(f["met_s"].value),
                                  j.get("part_of_stage")))
    aero = {k: _fig(v["aero"], k, f"vehicle.{name}.aero", sources)
            for k in ("mach", "cd", "reference_area_m2", "reference_area_upper_m2")}
    guid = {k: _fig(v["guidance"], k, f"vehicle.{name}.guidance", sources)
            for k in ("vertical_rise_s", "kick_duration_s")}
    events = {k: _fig(v["events"], k, f"vehicle.{name}.events", sources) for k in v["events"]}
    ins = {k: _fig(v["insertion_model"], k, f"vehicle.{name}.insertion_model", sources)
           for k in v["insertion_model"]}
    figures.update(aero=aero, guidance=guid, events=events, insertion_model=ins)
    mach = tuple(float(x) for x in aero["mach"].value)
    cd = tuple(float(x) for x in aero["cd"].value)
    if len(mach) != len(cd) or any(b <= a for a, b in zip(mach, mach[1:])):
        raise VehicleDataError(f"vehicles.toml: vehicle.{name}.aero needs increasing mach and one cd per mach")
    return LaunchVehicle(
        id=name, name=v["name"], stages=tuple(stages), jettisons=tuple(jettisons),
        mach=mach, cd=cd,
        reference_area_m2=float(aero["reference_area_m2"].value),
        reference_area_upper_m2=float(aero["reference_area_upper_m2"].value),
        vertical_rise_s=float(guid["vertical_rise_s"].value),
        kick_duration_s=float(guid["kick_duration_s"].value),
        events={k: float(fv.value) for k, fv in events.items()},
        insertion_model={k: float(fv.value) for k, fv in ins.items()},
        payload_default=v.get("payload_default", ""),
        figures=figures,
    )


@functools.lru_cache(maxsize=8)
def load_spacecraft(name: str = "soyuz-ms") -> SpacecraftPropulsion:
    """Launch mass and propulsion of spacecraft ``name`` (``soyuz-ms``, ``progress-ms``).

    >>> load_spacecraft("soyuz-tm")
    Traceback (most recent call last):
    ...
    gyrfalcon.launch.vehicles.UnknownVehicleError: unknown spacecraft 'soyuz-tm'; known: progress-ms, soyuz-ms
    """
    cat = _catalogue()
    sources = cat.get("sources", {})
    try:
        s = cat["spacecraft"][name]
    except KeyError:
        raise UnknownVehicleError(f"unknown spacecraft {name!r}; known: {', '.join(_names('spacecraft'))}") from None
    where = f"spacecraft.{name}"
    f = {k: _fig(s, k, where, sources) for k in (
        "launch_mass_kg", "main_thrust_n", "main_isp_s", "rcs_thruster_count", "rcs_thrust_n", "rcs_isp_s",
        "propellant_kg")}
    return SpacecraftPropulsion(
        id=name, name=s["name"], launch_mass_kg=float(f["launch_mass_kg"].value), main_engine=s["main_engine"],
        main_thrust_n=float(f["main_thrust_n"].value), main_isp_s=float(f["main_isp_s"].value), rcs=s["rcs"],
        rcs_thruster_count=int(f["rcs_thruster_count"].value), rcs_thrust_n=float(f["rcs_thrust_n"].value),
        rcs_isp_s=float(f["rcs_isp_s"].value), propellant_kg=float(f["propellant_kg"].value), figures=f,
    )
