"""The traffic package's one window onto :mod:`gyrfalcon.station`: ports, vehicle types, corridors.

The manifest rules need three facts about a station: its visiting-vehicle ports (and which
vehicle types each takes), the visiting vehicle types (crew seats, launch pads) and the
approach-corridor clearance check. They come from :mod:`gyrfalcon.station`
(:func:`gyrfalcon.station.catalog.load_station` and
:func:`gyrfalcon.station.corridors.corridor_clearance`). Everything else in
:mod:`gyrfalcon.traffic` sees only the frozen :class:`StationModel` built here, so a change
of the station API touches this file only.

Assumptions: ids are compared after normalisation (lower case, ``_`` and spaces -> ``-``).
A corridor is blocked when the checker says so for the occupancy just before the arrival;
vehicles held on the arm are not in that occupancy (they are away from every port).

>>> m = station_model("iss")
>>> len(m.ports), m.port("Rassvet_Nadir").id
(8, 'rassvet-nadir')
>>> m.vehicle_type("soyuz-ms").crew_seats
3
>>> m.clearance("rassvet-nadir", {"unity-nadir": "cygnus-xl"}, "soyuz-ms").blocking
('unity-nadir',)
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import GyrfalconError, InputError
from ..ids import norm_id


class StationDataError(GyrfalconError):
    """The station description the traffic rules need is missing or malformed."""


class UnknownPortError(InputError):
    """A port id the station does not have; the message lists the known ports."""


class UnknownVehicleTypeError(InputError):
    """A visiting-vehicle type the station does not know; the message lists the known types."""




@dataclass(frozen=True)
class PortInfo:
    """One visiting-vehicle port: id, display name, ``docking`` or ``berthing``, accepted types;
    ``dated``: the station catalogue's port, whose dates (a port from / until, blocked spans)
    say when it could take a vehicle (``None``: always)."""

    id: str
    name: str
    kind: str
    accepts: tuple[str, ...]
    dated: Any = field(default=None, compare=False, repr=False)

    def takes(self, vehicle_type: str) -> bool:
        return norm_id(vehicle_type) in self.accepts

    def exists_at(self, t_utc: str) -> bool:
        """Whether the port was part of the station at ``t_utc`` (blocked or not)."""
        return self.dated is None or self.dated.exists_at(t_utc)

    def unavailable_reason(self, t_utc: str) -> str | None:
        """Why the port could not take a vehicle at ``t_utc`` (not yet there, gone, blocked), or
        ``None`` if it could."""
        return None if self.dated is None else self.dated.unavailable_reason(t_utc)


@dataclass(frozen=True)
class VehicleTypeInfo:
    """A visiting vehicle type: crew seats (0 for cargo), launch vehicle and launch pads, and
    the docked stay limit [days] (``None``: none published) with its grade."""

    id: str
    name: str
    crew_seats: int
    launch_vehicle: str | None
    pads: tuple[str, ...]
    stay_limit_days: float | None = None
    stay_limit_conf: str = ""
    other_launch_vehicles: tuple[str, ...] = ()
    """Launch vehicles of the past from other pads (Soyuz MS: soyuz-fg from baikonur-1 until 2019)."""


@dataclass(frozen=True)
class Clearance:
    """Result of a corridor check: ``clear`` and the ports whose occupants block the approach."""

    clear: bool
    blocking: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class StationModel:
    """What the manifest rules know of a station (frozen; built by :func:`station_model`).

    ``checker(port_id, occupancy, arriving)`` returns a :class:`Clearance` for an arrival
    of vehicle type ``arriving`` at ``port_id`` given ``occupancy`` = {port id: vehicle type
    id} of the occupied ports (results are memoised per model).
    """

    id: str
    name: str
    ports: tuple[PortInfo, ...]
    vehicle_types: tuple[VehicleTypeInfo, ...]
    checker: Callable[[str, Mapping[str, str], str | None], Clearance]
    source: str
    past_ports: tuple[PortInfo, ...] = ()
    """Ports of past configurations (Pirs nadir until 26 Jul 2021, Nauka nadir 29 Jul to 25 Nov
    2021): events may use them on their dates; they are not in :attr:`port_ids`."""

    @property
    def port_ids(self) -> tuple[str, ...]:
        """The ports of the current configuration."""
        return tuple(p.id for p in self.ports)

    def chart_ports(self, used=()) -> tuple[str, ...]:
        """The rows of an occupancy chart: the current ports, then the past ones among ``used``
        (port ids the charted intervals name)."""
        used = {norm_id(u) for u in used}
        return self.port_ids + tuple(p.id for p in self.past_ports if p.id in used)

    def ports_at(self, t_utc: str, held: Mapping[str, str | None]) -> dict:
        """The station's ports at ``t_utc`` (current then past configurations; a port not yet
        there or gone is left out unless ``held`` puts a vehicle on it), each with its occupant
        from ``held`` (port id -> vehicle, None: free)."""
        return {p: held.get(p) for p in self.port_ids + tuple(q.id for q in self.past_ports)
                if held.get(p) is not None or self.port(p).exists_at(t_utc)}

    def port(self, port_id: str) -> PortInfo:
        key = norm_id(port_id)
        for p in self.ports + self.past_ports:
            if p.id == key:
                return p
        past = f" (past ports: {', '.join(p.id for p in self.past_ports)})" if self.past_ports else ""
        raise UnknownPortError(
            f"station {self.id} has no port '{port_id}'; its ports are: {', '.join(self.port_ids)}{past}"
        )

    def vehicle_type(self, type_id: str) -> VehicleTypeInfo:
        key = norm_id(type_id)
        for v in self.vehicle_types:
            if v.id == key:
                return v
        raise UnknownVehicleTypeError(
            f"station {self.id} knows no visiting vehicle type '{type_id}'; known types: "
            f"{', '.join(v.id for v in self.vehicle_types)}"
        )

    def ports_for(self, type_id: str, t_utc: str | None = None) -> tuple[str, ...]:
        """Ids of the ports that take ``type_id`` (with ``t_utc``: those, current or past, that
        could take a vehicle then)."""
        if t_utc is None:
            return tuple(p.id for p in self.ports if p.takes(type_id))
        return tuple(p.id for p in self.ports + self.past_ports
                     if p.takes(type_id) and p.unavailable_reason(t_utc) is None)

    def clearance(self, port_id: str, occupancy: Mapping[str, str], arriving: str | None = None) -> Clearance:
        """Corridor clearance of an arrival (of type ``arriving``) at ``port_id`` (see class docstring)."""
        key = frozenset((norm_id(k), norm_id(v)) for k, v in occupancy.items())
        return self.checker(norm_id(port_id), key, None if arriving is None else norm_id(arriving))


# --- from gyrfalcon.station ------------------------------------------------------------------
def _from_station_package(station_id: str) -> StationModel | None:
    """The model built from :mod:`gyrfalcon.station`, or ``None`` if that API is missing."""
    try:
        from ..station.catalog import load_station
    except ImportError:
        return None
    st = load_station(station_id)

    def info(p):
        return PortInfo(p.id, f"{p.module} {p.direction}", st.mechanism(p.mechanism).kind,
                        tuple(norm_id(v) for v in p.compatible_vehicle_types), p)

    ports = tuple(info(p) for p in st.ports)
    past = tuple(info(p) for p in st.past_ports)
    types = tuple(
        VehicleTypeInfo(v.id, v.name, int(v.crew_seats), v.launch_vehicle, tuple(v.launch_pads),
                        v.stay_limit_days, v.stay_limit_conf, tuple(v.other_launch_vehicles))
        for v in st.vehicle_types
    )

    return StationModel(st.id, st.name, ports, types, _CorridorCheck(station_id), "gyrfalcon.station", past)


@dataclass(frozen=True)
class _CorridorCheck:
    """The station package's corridor check for one station, as a module-level callable so that a
    manifest (and a result holding one) pickles, e.g. to another process."""

    station_id: str

    def __call__(self, port_id: str, occupancy: frozenset, arriving: str | None) -> Clearance:
        return _clearance(self.station_id, port_id, occupancy, arriving)


@functools.lru_cache(maxsize=4096)
def _clearance(station_id: str, port_id: str, occupancy: frozenset, arriving: str | None) -> Clearance:
    from ..station.catalog import load_station
    from ..station.corridors import corridor_clearance

    res = corridor_clearance(load_station(station_id), port_id, dict(occupancy), arriving=arriving)
    return Clearance(bool(res.clear), tuple(b.port_id for b in res.blocking), tuple(b.reason for b in res.blocking))


@functools.lru_cache(maxsize=8)
def station_model(station_id: str = "iss") -> StationModel:
    """The :class:`StationModel` of ``station_id``, built from :mod:`gyrfalcon.station`."""
    model = _from_station_package(station_id)
    if model is None:
        raise StationDataError(
            "gyrfalcon.station does not provide load_station() and corridor_clearance(); the "
            "traffic rules need both (install a complete Gyrfalcon)")
    return model
