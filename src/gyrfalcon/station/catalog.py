"""Station and visiting-vehicle catalogues (data: ``data/iss.toml``, ``data/vehicles.toml``).

:func:`load_station` gives a frozen :class:`Station`: its modules, its visiting-vehicle
:class:`Port` s (position and outward axis in the station body frame, mechanism, compatible
vehicle types, approach :class:`Corridor`), the Keep-Out Sphere, the clearance parameters
and dated occupancy snapshots. :func:`load_vehicle_types` gives the :class:`VehicleType` s
(crew seats, mechanism, stay limits, launch pads as in ``launch/data/sites.toml``, and the
simple shape used by :mod:`gyrfalcon.station.corridors`). Every figure carries its source
and confidence grade in the TOML.

Station body frame: x forward (the velocity direction in XVV), z nadir, y = z x x
(starboard); origin on the module axis under the S0 truss. Port positions on the Russian
segment are the domain.md 4.2 estimates (grade C); the US-segment ones are laid out by us
from module dimensions (grade D, formula in the TOML). Axes point out of the port.

Assumptions: a port takes a vehicle type if the type is in its ``compatible_vehicle_types``
and the vehicle's mechanism is one the port's mechanism accepts (both are checked when the
catalogue is read, so the lists cannot disagree).

>>> iss = load_station("iss")
>>> [p.id for p in iss.ports][:3]
['rassvet-nadir', 'prichal-nadir', 'poisk-zenith']
>>> p = iss.port("rassvet-nadir")
>>> p.name, p.mechanism, p.position_m, p.axis
('Rassvet (MRM-1) nadir', 'ssvp', (-13.2, 0.0, 8.1), (0.0, 0.0, 1.0))
>>> round(math.degrees(p.corridor.half_angle_rad), 6), p.corridor.length_m, p.corridor.keep_out_radius_m
(10.0, 200.0, 200.0)
>>> v = load_vehicle_types()["soyuz-ms"]
>>> v.crew_seats, v.attachment, v.launch_pads
(3, 'docking', ('baikonur-31',))
>>> iss.ports_for("cygnus-xl")
('harmony-nadir', 'unity-nadir')
"""
from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass
from typing import Iterator, Mapping

from ..errors import GyrfalconError, InputError
from .mechanisms import Mechanism, load_mechanisms

FAST_ARRIVAL_S = 3 * 3600.0
"""Liftoff to a fast (two-orbit) arrival, rounded [s]: the date a port is checked for."""

DIRECTIONS = ("forward", "aft", "zenith", "nadir", "port", "starboard")
"""Port directions and their body-frame unit vectors (see :data:`DIRECTION_VECTORS`)."""

DIRECTION_VECTORS = {
    "forward": (1.0, 0.0, 0.0), "aft": (-1.0, 0.0, 0.0),
    "starboard": (0.0, 1.0, 0.0), "port": (0.0, -1.0, 0.0),
    "nadir": (0.0, 0.0, 1.0), "zenith": (0.0, 0.0, -1.0),
}


# --- errors --------------------------------------------------------------------------------
class StationCatalogError(GyrfalconError):
    """A packaged station/vehicle catalogue is malformed (a packaging bug, not a user error)."""


class UnknownStationError(InputError):
    """A station id with no catalogue."""


class UnknownPortError(InputError):
    """A port id the station does not have; the message lists the valid ids."""


class UnknownVehicleTypeError(InputError):
    """A vehicle type id the catalogue does not have; the message lists the valid ids."""


class IncompatibleVehicleError(InputError):
    """A vehicle type that cannot use a port; the message says which ports would take it.

    Its parts, for a caller that completes the list (:class:`PortNotAvailableError`'s): ``reason``
    (the message before it) and ``ports`` (the ports that take the vehicle type)."""

    def __init__(self, message: str, *, reason: str | None = None, ports: tuple = ()):
        super().__init__(message)
        self.reason = message if reason is None else reason
        self.ports = tuple(ports)


class UnknownOccupancyError(InputError):
    """An occupancy snapshot name the catalogue does not have."""


class PortNotAvailableError(InputError):
    """A port that did not exist (or was blocked) on the date asked; the message names the ports
    that did exist then.

    Its parts, for a caller that knows more about that date (who was docked where: the station
    traffic, :mod:`gyrfalcon.traffic.flight_rules`) and completes the list: ``reason`` (the
    message before the list), ``ports`` (the ports listed), ``at`` (the instant they are listed
    for, a UTC ``datetime``), ``vehicle_type`` (the type they take, or ``None``)."""

    def __init__(self, message: str, *, reason: str | None = None, ports: tuple = (), at=None,
                 vehicle_type: str | None = None):
        super().__init__(message)
        self.reason = message if reason is None else reason
        self.ports = tuple(ports)
        self.at = at
        self.vehicle_type = vehicle_type


# --- dataclasses ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Corridor:
    """Approach corridor of a port: a cone with its apex at the port, along the port axis.

    ``half_angle_rad``: cone half angle [rad]; ``length_m``: how far out along the axis the
    corridor runs [m] (to the Keep-Out Sphere for docking ports, the pre-install point for
    berthing ports); ``keep_out_radius_m``: the station's Keep-Out Sphere radius [m], inside
    which only the corridor may be used.
    """

    half_angle_rad: float
    length_m: float
    keep_out_radius_m: float
    source: str = ""
    conf: str = ""


@dataclass(frozen=True)
class Module:
    """A pressurized module: body-frame centre [m], long axis (unit), length and diameter [m]."""

    id: str
    name: str
    segment: str
    length_m: float
    diameter_m: float
    centre_m: tuple[float, float, float]
    axis: tuple[float, float, float]
    source: str
    conf: str


@dataclass(frozen=True)
class Port:
    """A visiting-vehicle port.

    ``position_m``: centre of the interface plane in the station body frame [m]; ``axis``:
    unit vector out of the port, body frame (a vehicle approaches travelling along ``-axis``);
    ``direction``: the body direction name of ``axis``; ``mechanism``: a mechanism id;
    ``neighbours``: ports with a documented corridor interaction; ``name``: readable label
    (module name and direction).
    """

    id: str
    module: str
    direction: str
    position_m: tuple[float, float, float]
    axis: tuple[float, float, float]
    mechanism: str
    compatible_vehicle_types: tuple[str, ...]
    corridor: Corridor
    neighbours: tuple[str, ...] = ()
    kurs: bool = False
    position_source: str = ""
    position_conf: str = ""
    mechanism_source: str = ""
    name: str = ""
    available_from: str = ""
    available_until: str = ""
    blocked: tuple[tuple[str, str, str], ...] = ()
    dates_source: str = ""

    def exists_at(self, when) -> bool:
        """Whether the port was part of the station at ``when`` (blocked or not)."""
        t = _utc_datetime(when)
        return not ((self.available_from and t < _utc_datetime(self.available_from))
                    or (self.available_until and t >= _utc_datetime(self.available_until)))

    def unavailable_reason(self, when) -> str | None:
        """Why this port cannot take a vehicle at ``when`` (UTC: ISO text or ``datetime``), or
        ``None`` if it can: not yet there, gone, or blocked (``blocked`` entries are
        ``(from, until, reason)``, ISO UTC)."""
        t = _utc_datetime(when)
        if self.available_from and t < _utc_datetime(self.available_from):
            return f"{self.id} is a port only from {self.available_from}"
        if self.available_until and t >= _utc_datetime(self.available_until):
            return f"{self.id} was a port only until {self.available_until}"
        for a, b, why in self.blocked:
            if _utc_datetime(a) <= t < _utc_datetime(b):
                return f"{self.id} is blocked from {a} until {b} ({why})"
        return None


def _leap_second_datetime(text: str):
    """A real leap second (``...23:59:60...``, :func:`gyrfalcon.time.parse_utc` checks it), which a
    ``datetime`` cannot hold, as the last microsecond before the next day; else None."""
    import datetime as _dt

    if ":60" not in text:
        return None
    from ..errors import GyrfalconError
    from ..time import parse_utc

    try:
        t = parse_utc(text)
    except GyrfalconError:
        return None
    day = t.utc_strftime("%Y-%m-%d")
    return _dt.datetime.fromisoformat(day + "T23:59:59.999999+00:00")


def _utc_datetime(value):
    """ISO UTC text (``Z`` or an offset; a bare date is 00:00 UTC) or a ``datetime`` -> aware UTC ``datetime``."""
    import datetime as _dt

    if isinstance(value, _dt.datetime):
        t = value
    else:
        text = str(value).strip()
        try:
            t = _dt.datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            t = _leap_second_datetime(text)
            if t is None:
                raise InputError(f"not a UTC date/time: {value!r}; use ISO 8601, e.g. 2021-10-22T06:21:00Z") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.astimezone(_dt.timezone.utc)


@dataclass(frozen=True)
class VehicleType:
    """A visiting-vehicle type and the simple shape used for clearance checks.

    ``mechanism``: vehicle-side mechanism id; ``attachment``: ``"docking"`` or ``"berthing"``
    (the mechanism's kind); ``stay_limit_days``: certified/design docked limit, ``None`` where
    none was found; ``launch_pads``: pad ids as in ``launch/data/sites.toml``. Shape [m]:
    cylinder of ``diameter_m`` from the interface out to ``length_m``; solar arrays as a disc
    of radius ``array_span_m / 2`` at ``array_station_m`` from the interface (0 span = none).
    """

    id: str
    name: str
    operator: str
    crewed: bool
    crew_seats: int
    mechanism: str
    attachment: str
    launch_vehicle: str
    launch_pads: tuple[str, ...]
    length_m: float
    diameter_m: float
    array_span_m: float
    array_station_m: float
    stay_limit_days: float | None
    typical_stay_days: float | None
    dimensions_source: str = ""
    dimensions_conf: str = ""
    stay_limit_source: str = ""
    stay_limit_conf: str = ""
    launch_source: str = ""
    other_launch_vehicles: tuple[str, ...] = ()
    """Launch vehicles that also flew this type from pads where ``launch_vehicle`` does not fly
    (Soyuz MS: the Soyuz-FG from Baikonur Site 1/5 until 2019), for flights of the past."""

    @property
    def radius_m(self) -> float:
        """Body radius [m] (half the diameter)."""
        return 0.5 * self.diameter_m

    @property
    def is_berthed(self) -> bool:
        return self.attachment == "berthing"


@dataclass(frozen=True)
class OccupiedPort:
    """One entry of an occupancy snapshot: vehicle type id, flight name and arrival (UTC text)."""

    vehicle: str
    flight: str
    arrived: str


@dataclass(frozen=True)
class OccupancySnapshot:
    """A dated, sourced occupancy of the ports (``ports``: port id -> :class:`OccupiedPort`)."""

    name: str
    description: str
    ports: tuple[tuple[str, OccupiedPort], ...]
    source: str
    conf: str

    def vehicle_types(self) -> dict[str, str]:
        """Port id -> vehicle type id, the mapping :func:`corridor_clearance` takes."""
        return {pid: occ.vehicle for pid, occ in self.ports}


@dataclass(frozen=True)
class ClearanceParameters:
    """Margins of the corridor check [m]: plume margin for docking and for berthing corridors."""

    plume_margin_m: float
    berthing_plume_margin_m: float
    source: str
    conf: str


@dataclass(frozen=True)
class Station:
    """A station configuration. Look-ups raise typed errors listing the valid ids."""

    id: str
    name: str
    configuration: str
    frame: str
    default_attitude: str
    modules: tuple[Module, ...]
    ports: tuple[Port, ...]
    keep_out_radius_m: float
    approach_ellipsoid_semi_axes_m: tuple[float, float, float]
    clearance: ClearanceParameters
    occupancies: tuple[OccupancySnapshot, ...]
    vehicle_types: tuple[VehicleType, ...]
    mechanisms: tuple[Mechanism, ...]
    past_ports: tuple[Port, ...] = ()

    # -- look-ups ------------------------------------------------------------------------
    @property
    def port_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.ports)

    def __iter__(self) -> Iterator[Port]:
        return iter(self.ports)

    def port(self, port_id: str) -> Port:
        """The port with this id (case-insensitive), of the current configuration or a past one
        (:attr:`past_ports`); :class:`UnknownPortError` otherwise."""
        key = str(port_id).strip().lower()
        for p in self.ports + self.past_ports:
            if p.id == key:
                return p
        raise UnknownPortError(f"{self.name} has no port {port_id!r}; valid ports: {self.port_ids_text()}")

    def port_ids_text(self) -> str:
        """The port ids as a refusal lists them: today's, then the past ones apart
        (``"rassvet-nadir, ..., unity-nadir (past ports: pirs-nadir, nauka-nadir)"``)."""
        past = f" (past ports: {', '.join(p.id for p in self.past_ports)})" if self.past_ports else ""
        return ", ".join(self.port_ids) + past

    def ports_on(self, when, vehicle_type_id: str | None = None) -> tuple[str, ...]:
        """Ids of the ports that existed and were not blocked at ``when`` (ISO UTC or ``datetime``),
        current and past configurations alike; only those taking ``vehicle_type_id`` if given."""
        out = []
        for p in self.ports + self.past_ports:
            if vehicle_type_id is not None and vehicle_type_id not in p.compatible_vehicle_types:
                continue
            if p.unavailable_reason(when) is None:
                out.append(p.id)
        return tuple(out)

    def port_on(self, port_id: str, when, vehicle_type_id: str | None = None) -> Port:
        """The port, if it existed and was free of blocking at ``when``; else
        :class:`PortNotAvailableError` in one line naming the ports there were then.

        >>> load_station().port_on("pirs-nadir", "2021-10-22T06:21:00Z", "progress-ms")
        Traceback (most recent call last):
        ...
        gyrfalcon.station.catalog.PortNotAvailableError: pirs-nadir was a port only until 2021-07-26T10:55:00Z; ports for progress-ms on 2021-10-22T06:21:00Z: rassvet-nadir, poisk-zenith, zvezda-aft, nauka-nadir
        """
        p = self.port(port_id)
        why = p.unavailable_reason(when)
        if why is None:
            return p
        t = _utc_datetime(when).strftime("%Y-%m-%dT%H:%M:%SZ")
        there = self.ports_on(when, vehicle_type_id)
        kind = f" for {vehicle_type_id}" if vehicle_type_id else ""
        raise PortNotAvailableError(f"{why}; ports{kind} on {t}: {', '.join(there) or 'none'}", reason=why,
                                    ports=there, at=_utc_datetime(when), vehicle_type=vehicle_type_id)

    def port_for_launch(self, port_id: str, launch, vehicle_type_id: str | None = None,
                        arrival_after_s: float = FAST_ARRIVAL_S, arrival_until_s: float | None = None,
                        blocked_ok: bool = False) -> Port:
        """The check made before a rendezvous is planned: :meth:`port_on` at ``launch`` (ISO UTC or
        skyfield ``Time``) + ``arrival_after_s`` (default 3 h, a fast arrival); with
        ``arrival_until_s``, the port is refused only if it cannot take the vehicle at any instant
        from ``launch + arrival_after_s`` to ``launch + arrival_until_s`` (the arrivals a flight of
        the allowed schemes could make: the exact check is made at the plan's own arrival).
        ``blocked_ok``: a port that existed but was blocked counts as available (a what-if), a port
        not there is still refused. A ``launch`` that cannot be read only checks that the port is
        known (the planner refuses the time itself)."""
        from ..time import add_seconds, iso_utc, parse_utc

        try:
            t0 = add_seconds(parse_utc(launch), arrival_after_s)
        except InputError:
            return self.port(port_id)
        if arrival_until_s is None and not blocked_ok:
            return self.port_on(port_id, t0.utc_datetime(), vehicle_type_id)
        p = self.port(port_id)
        a = t0.utc_datetime()
        b = add_seconds(parse_utc(launch), max(arrival_after_s, arrival_until_s or arrival_after_s)).utc_datetime()
        edges = [p.available_from, p.available_until] + [x for blk in p.blocked for x in blk[:2]]
        candidates = [a] + [t for t in (_utc_datetime(e) for e in edges if e) if a < t <= b]
        for t in candidates:
            why = p.unavailable_reason(t)
            if why is None or (blocked_ok and p.exists_at(t)):
                return p
        if arrival_until_s is None or b == a:
            return self.port_on(port_id, a, vehicle_type_id)
        why = p.unavailable_reason(a)
        there = self.ports_on(a, vehicle_type_id)
        kind = f" for {vehicle_type_id}" if vehicle_type_id else ""
        reason = (f"{why}: it cannot take the vehicle at any arrival this flight could make ({iso_utc(t0, 0)} to "
                  f"{b.strftime('%Y-%m-%dT%H:%M:%SZ')})")
        raise PortNotAvailableError(f"{reason}; ports{kind} then: {', '.join(there) or 'none'}", reason=reason,
                                    ports=there, at=a, vehicle_type=vehicle_type_id)

    def module(self, module_id: str) -> Module:
        key = str(module_id).strip().lower()
        for m in self.modules:
            if m.id == key:
                return m
        raise InputError(f"{self.name} has no module {module_id!r}; modules: {', '.join(m.id for m in self.modules)}")

    def vehicle_type(self, vehicle_type_id: str) -> VehicleType:
        """A vehicle type by id (case-insensitive); :class:`UnknownVehicleTypeError` otherwise."""
        key = str(vehicle_type_id).strip().lower()
        for v in self.vehicle_types:
            if v.id == key:
                return v
        raise UnknownVehicleTypeError(
            f"unknown vehicle type {vehicle_type_id!r}; valid types: {', '.join(v.id for v in self.vehicle_types)}")

    def mechanism(self, mechanism_id: str) -> Mechanism:
        for m in self.mechanisms:
            if m.id == mechanism_id:
                return m
        raise InputError(f"unknown mechanism {mechanism_id!r}; known: {', '.join(m.id for m in self.mechanisms)}")

    def occupancy(self, name: str) -> OccupancySnapshot:
        """An occupancy snapshot by name (e.g. ``"2025-12-01"``)."""
        for o in self.occupancies:
            if o.name == str(name):
                return o
        raise UnknownOccupancyError(
            f"no occupancy snapshot {name!r} for {self.name}; available: {', '.join(o.name for o in self.occupancies)}")

    # -- compatibility -------------------------------------------------------------------
    def ports_for(self, vehicle_type_id: str) -> tuple[str, ...]:
        """Ids of the ports that take this vehicle type."""
        v = self.vehicle_type(vehicle_type_id)
        return tuple(p.id for p in self.ports if v.id in p.compatible_vehicle_types)

    def require_compatible(self, port_id: str, vehicle_type_id: str) -> tuple[Port, VehicleType]:
        """The port and vehicle type, or :class:`IncompatibleVehicleError` naming the ports that fit.

        >>> load_station().require_compatible("rassvet-nadir", "crew-dragon")
        Traceback (most recent call last):
        ...
        gyrfalcon.station.catalog.IncompatibleVehicleError: Crew Dragon (Dragon 2, crew) (mechanism idss) cannot use rassvet-nadir (mechanism ssvp, takes soyuz-ms, progress-ms); ports that take it: harmony-forward, harmony-zenith
        """
        p = self.port(port_id)
        v = self.vehicle_type(vehicle_type_id)
        if v.id not in p.compatible_vehicle_types:
            fits = self.ports_for(v.id)
            reason = (f"{v.name} (mechanism {v.mechanism}) cannot use {p.id} (mechanism {p.mechanism}, takes "
                      f"{', '.join(p.compatible_vehicle_types)})")
            raise IncompatibleVehicleError(f"{reason}; ports that take it: {', '.join(fits) or 'none'}",
                                           reason=reason, ports=fits)
        return p, v

    def validate_occupancy(self, occupancy: Mapping[str, str]) -> dict[str, VehicleType]:
        """Check a port -> vehicle-type mapping; return port id -> :class:`VehicleType`.

        Unknown ports/types and incompatible pairs raise the typed errors above.
        """
        if not isinstance(occupancy, Mapping):
            raise InputError(f"occupancy must be a mapping port id -> vehicle type id, got {type(occupancy).__name__}")
        out: dict[str, VehicleType] = {}
        for pid, vid in occupancy.items():
            p, v = self.require_compatible(pid, vid)
            out[p.id] = v
        return out


# --- parsing ---------------------------------------------------------------------------------
def _req(t: Mapping, key: str, where: str):
    if key not in t:
        raise StationCatalogError(f"{where}: missing '{key}'")
    return t[key]


def _vec(value, where: str, unit: bool = False) -> tuple[float, float, float]:
    if not isinstance(value, list) or len(value) != 3:
        raise StationCatalogError(f"{where}: expected a list of 3 numbers, got {value!r}")
    v = tuple(float(x) for x in value)
    if unit and abs(math.sqrt(sum(x * x for x in v)) - 1.0) > 1e-9:
        raise StationCatalogError(f"{where}: {v} is not a unit vector")
    return v  # type: ignore[return-value]


def parse_vehicle_types(text: str, mechanisms: Mapping[str, Mechanism]) -> dict[str, VehicleType]:
    """Vehicle types by id from TOML text in the format of the packaged ``vehicles.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StationCatalogError(f"vehicle catalogue is not valid TOML: {exc}") from None
    tables = data.get("vehicle")
    if not isinstance(tables, dict) or not tables:
        raise StationCatalogError("vehicle catalogue has no [vehicle.<id>] tables")
    out = {}
    for vid, t in tables.items():
        where = f"vehicle '{vid}'"
        mech = str(_req(t, "mechanism", where))
        if mech not in mechanisms:
            raise StationCatalogError(f"{where}: mechanism {mech!r} not in mechanisms.toml ({', '.join(mechanisms)})")
        length, diam = float(_req(t, "length_m", where)), float(_req(t, "diameter_m", where))
        span, station = float(t.get("array_span_m", 0.0)), float(t.get("array_station_m", 0.0))
        if not (length > 0 and diam > 0 and span >= 0 and 0 <= station <= length):
            raise StationCatalogError(f"{where}: need length_m, diameter_m > 0, array_span_m >= 0, "
                                      f"0 <= array_station_m <= length_m")
        seats = int(_req(t, "crew_seats", where))
        crewed = bool(_req(t, "crewed", where))
        if crewed != (seats > 0):
            raise StationCatalogError(f"{where}: crewed={crewed} but crew_seats={seats}")
        limit = t.get("stay_limit_days")
        typical = t.get("typical_stay_days")
        out[vid] = VehicleType(
            id=vid, name=str(_req(t, "name", where)), operator=str(t.get("operator", "")), crewed=crewed,
            crew_seats=seats, mechanism=mech, attachment=mechanisms[mech].kind,
            launch_vehicle=str(t.get("launch_vehicle", "")),
            launch_pads=tuple(str(p) for p in _req(t, "launch_pads", where)),
            length_m=length, diameter_m=diam, array_span_m=span, array_station_m=station,
            stay_limit_days=None if limit is None else float(limit),
            typical_stay_days=None if typical is None else float(typical),
            dimensions_source=str(t.get("dimensions_source", "")), dimensions_conf=str(t.get("dimensions_conf", "")),
            stay_limit_source=str(t.get("stay_limit_source", "")), stay_limit_conf=str(t.get("stay_limit_conf", "")),
            launch_source=str(t.get("launch_source", "")),
            other_launch_vehicles=tuple(str(x) for x in t.get("other_launch_vehicles", ())),
        )
    return out


def parse_station(text: str, vehicle_types: Mapping[str, VehicleType],
                  mechanisms: Mapping[str, Mechanism]) -> Station:
    """A :class:`Station` from TOML text in the format of the packaged ``iss.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StationCatalogError(f"station catalogue is not valid TOML: {exc}") from None
    sid = str(_req(data, "id", "station"))
    kos = _req(data, "keep_out_sphere", sid)
    kos_r = float(_req(kos, "radius_m", f"{sid} keep_out_sphere"))
    ell = tuple(float(x) for x in data.get("approach_ellipsoid", {}).get("semi_axes_m", [0.0, 0.0, 0.0]))
    corridor_defaults = _req(data, "corridor", sid)
    for kind in ("docking", "berthing"):
        if kind not in corridor_defaults:
            raise StationCatalogError(f"{sid}: missing [corridor.{kind}]")
    cl = _req(data, "clearance", sid)
    clearance = ClearanceParameters(float(_req(cl, "plume_margin_m", f"{sid} clearance")),
                                    float(_req(cl, "berthing_plume_margin_m", f"{sid} clearance")),
                                    str(cl.get("source", "")), str(cl.get("conf", "")))
    modules = _parse_modules(data, sid)
    ports, past_flags = _parse_ports(data, sid, modules, vehicle_types, mechanisms, corridor_defaults, kos_r)
    return Station(
        id=sid, name=str(data.get("name", sid)), configuration=str(data.get("configuration", "")),
        frame=str(data.get("frame", "")), default_attitude=str(data.get("default_attitude", "xvv")),
        modules=tuple(modules), ports=tuple(p for p, past in zip(ports, past_flags) if not past), keep_out_radius_m=kos_r,
        approach_ellipsoid_semi_axes_m=ell,  # type: ignore[arg-type]
        clearance=clearance, occupancies=_parse_occupancies(data, sid, ports),
        vehicle_types=tuple(vehicle_types.values()), mechanisms=tuple(mechanisms.values()),
        past_ports=tuple(p for p, past in zip(ports, past_flags) if past),
    )


def _parse_modules(data, sid) -> list:
    modules = []
    for mid, t in _req(data, "module", sid).items():
        where = f"{sid} module '{mid}'"
        modules.append(Module(mid, str(_req(t, "name", where)), str(t.get("segment", "")),
                              float(_req(t, "length_m", where)), float(_req(t, "diameter_m", where)),
                              _vec(_req(t, "centre_m", where), where), _vec(_req(t, "axis", where), where, unit=True),
                              str(t.get("source", "")), str(t.get("conf", ""))))
    return modules


def _parse_ports(data, sid, modules, vehicle_types, mechanisms, corridor_defaults, kos_r) -> tuple:
    """([[port]] then [[past_port]] tables as :class:`Port`s, which of them are past), checked: ids
    unique, neighbours known, dates readable, a past port with its end date."""
    module_ids = {m.id for m in modules}
    ports, past_flags = [], []
    all_port_tables = [(False, t) for t in _req(data, "port", sid)] + [(True, t) for t in data.get("past_port", [])]
    for i, (is_past, t) in enumerate(all_port_tables):
        where = f"{sid} port #{i + 1} ({t.get('id', '?')})"
        ports.append(_parse_port(t, where, modules, module_ids, vehicle_types, mechanisms, corridor_defaults, kos_r))
        past_flags.append(is_past)
        for stamp in (ports[-1].available_from, ports[-1].available_until, *(x for b in ports[-1].blocked for x in b[:2])):
            if stamp:
                try:
                    _utc_datetime(stamp)
                except InputError:
                    raise StationCatalogError(f"{where}: bad date {stamp!r}") from None
        if is_past and not ports[-1].available_until:
            raise StationCatalogError(f"{where}: a [[past_port]] needs available_until")
    port_ids = [p.id for p in ports]
    if len(set(port_ids)) != len(port_ids):
        raise StationCatalogError(f"{sid}: duplicate port ids in {port_ids}")
    for p in ports:
        bad = [n for n in p.neighbours if n not in port_ids]
        if bad:
            raise StationCatalogError(f"{sid} port {p.id}: unknown neighbours {bad}")
    return ports, past_flags


def _parse_port(t, where, modules, module_ids, vehicle_types, mechanisms, corridor_defaults, kos_r) -> Port:
    """One port table: its axis matches its direction, its module, mechanism and vehicle types
    exist and fit together; its corridor is the mechanism kind's default with the port's changes."""
    pid = str(_req(t, "id", where))
    direction = str(_req(t, "direction", where))
    if direction not in DIRECTION_VECTORS:
        raise StationCatalogError(f"{where}: direction {direction!r} unknown; use one of {', '.join(DIRECTIONS)}")
    axis = _vec(_req(t, "axis", where), where, unit=True)
    if axis != DIRECTION_VECTORS[direction]:
        raise StationCatalogError(f"{where}: axis {axis} does not match direction {direction!r} "
                                  f"({DIRECTION_VECTORS[direction]})")
    module = str(_req(t, "module", where))
    if module not in module_ids:
        raise StationCatalogError(f"{where}: module {module!r} not in [module.*] ({', '.join(sorted(module_ids))})")
    mech_id = str(_req(t, "mechanism", where))
    if mech_id not in mechanisms:
        raise StationCatalogError(f"{where}: mechanism {mech_id!r} not in mechanisms.toml")
    mech = mechanisms[mech_id]
    compat = tuple(str(v) for v in _req(t, "compatible_vehicle_types", where))
    for vid in compat:
        if vid not in vehicle_types:
            raise StationCatalogError(f"{where}: vehicle type {vid!r} not in vehicles.toml")
        if vehicle_types[vid].mechanism not in mech.accepts:
            raise StationCatalogError(f"{where}: {vid} has mechanism {vehicle_types[vid].mechanism}, "
                                      f"which {mech_id} does not accept ({', '.join(mech.accepts)})")
    cd = dict(corridor_defaults[mech.kind])
    cd.update(t.get("corridor", {}))
    corridor = Corridor(math.radians(float(_req(cd, "half_angle_deg", where))), float(_req(cd, "length_m", where)),
                        kos_r, str(cd.get("source", "")), str(cd.get("conf", "")))
    return Port(
        id=pid, module=module, direction=direction, position_m=_vec(_req(t, "position_m", where), where),
        axis=axis, mechanism=mech_id, compatible_vehicle_types=compat, corridor=corridor,
        neighbours=tuple(str(n) for n in t.get("neighbours", [])), kurs=bool(t.get("kurs", False)),
        position_source=str(t.get("position_source", "")), position_conf=str(t.get("position_conf", "")),
        mechanism_source=str(t.get("mechanism_source", "")),
        name=f"{next(m.name for m in modules if m.id == module)} {direction}",
        available_from=str(t.get("available_from", "")), available_until=str(t.get("available_until", "")),
        blocked=tuple((str(_req(b, "from", where)), str(_req(b, "until", where)), str(_req(b, "reason", where)))
                      for b in t.get("blocked", [])),
        dates_source=str(t.get("dates_source", "")),
    )


def _parse_occupancies(data, sid, ports) -> tuple:
    """The dated occupancy snapshots: every port known, every vehicle fit for its port."""
    port_ids = [p.id for p in ports]
    occupancies = []
    for name, t in data.get("occupancy", {}).items():
        where = f"{sid} occupancy '{name}'"
        entries = []
        for pid, e in _req(t, "ports", where).items():
            if pid not in port_ids:
                raise StationCatalogError(f"{where}: unknown port {pid!r}")
            vid = str(_req(e, "vehicle", f"{where} {pid}"))
            port = ports[port_ids.index(pid)]
            if vid not in port.compatible_vehicle_types:
                raise StationCatalogError(f"{where}: {vid} cannot use {pid}")
            entries.append((pid, OccupiedPort(vid, str(e.get("flight", "")), str(e.get("arrived", "")))))
        occupancies.append(OccupancySnapshot(str(name), str(t.get("description", "")), tuple(entries),
                                             str(t.get("source", "")), str(t.get("conf", ""))))
    return tuple(occupancies)


# --- loaders -------------------------------------------------------------------------------
STATIONS = ("iss",)
"""Station ids with a packaged catalogue."""


def _data_text(name: str) -> str:
    from importlib.resources import files

    return (files("gyrfalcon.station") / "data" / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _vehicle_types() -> tuple[tuple[str, VehicleType], ...]:
    return tuple(parse_vehicle_types(_data_text("vehicles.toml"), load_mechanisms()).items())


def load_vehicle_types() -> dict[str, VehicleType]:
    """The packaged visiting-vehicle types by id (parsed once per process; a fresh dict each call)."""
    return dict(_vehicle_types())


@functools.lru_cache(maxsize=None)
def _station(key: str) -> Station:
    return parse_station(_data_text(f"{key}.toml"), load_vehicle_types(), load_mechanisms())


def load_station(station_id: str = "iss") -> Station:
    """The packaged catalogue of a station (only ``"iss"``, late-2025 configuration), cached.

    Unknown ids raise :class:`UnknownStationError` listing the known ones.
    """
    key = str(station_id).strip().lower()
    if key not in STATIONS:
        raise UnknownStationError(f"no catalogue for station {station_id!r}; known: {', '.join(STATIONS)}")
    return _station(key)
