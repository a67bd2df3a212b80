"""The built-in late-2025 ISS manifest (``traffic/data/late2025.toml``) and the planned traffic
after it (``traffic/data/plan2026.toml``).

It reproduces the seed articles: Cygnus NG-23 held on Canadarm2 from 24 Nov 2025 to clear
the approach to Rassvet nadir, Soyuz MS-28 docking there on 27 Nov 2025 at 12:34:35 UTC,
NG-23 re-berthed at Unity nadir on 1 Dec 2025 (all eight ports occupied, a first) and
Soyuz MS-27 leaving Prichal on 9 Dec 2025 at 01:41 UTC. Every event carries its source and
confidence grade in the TOML; where the time of day was not found the event is dated 00:00 UTC.

The manifest is complete (every vehicle and crew member aboard) only from
:data:`COMPLETE_FROM_UTC` on: vehicles that left before the HTV-X1 capture are not recorded.

The plan (:func:`plan2026`) adds the Russian-segment flights an outage of Site 31/6 affects
(Progress MS-33 as planned for 21 Dec 2025, Progress MS-34, Soyuz MS-29 on 14 Jul 2026, the MS-28
landing on 26 Jul 2026) and the departures tied to them, each with its source and grade. It is
the plan as known BEFORE the pad was damaged, so :func:`planned_manifest` validates it against
the pad status board as known then (:func:`plan_board`).

>>> m = late2025_manifest()
>>> m.occupancy_on("2025-11-26").occupied_count, len(m.occupancy_on("2025-11-27").crew_aboard)
(6, 10)
>>> m.where("Cygnus NG-23", "2025-11-27T12:34:35Z")
'arm'
>>> p = planned_manifest()
>>> p.occupancy_on("2025-12-23").ports["poisk-zenith"], p.where("Soyuz MS-28", "2026-07-27")
('Progress MS-33', 'gone')
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from .manifest import Event, Manifest, make_event

COMPLETE_FROM_UTC = "2025-10-29T15:58:00.000Z"


@dataclass(frozen=True)
class BuiltinManifest:
    """The parsed TOML: station id, title, {vehicle: type}, events (no ids), sources per event."""

    station: str
    title: str
    vehicles: dict
    events: tuple[Event, ...]
    sources: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def late2025() -> BuiltinManifest:
    """The built-in late-2025 manifest as data (events in file order, without store ids)."""
    return _parse("late2025.toml")[1]


def _parse(name: str) -> tuple[dict, BuiltinManifest]:
    from importlib.resources import files

    data = tomllib.loads((files("gyrfalcon.traffic") / "data" / name).read_text("utf-8"))
    events = []
    sources = []
    for row in data["event"]:
        t = row["t"]
        t = t.isoformat() if hasattr(t, "isoformat") else t
        events.append(make_event(row["kind"], t, row["vehicle"], row.get("port"), row.get("pad"),
                                 row.get("crew", ()), row.get("notes", "")))
        sources.append(f"{row.get('source', '')} [{row.get('conf', '')}]")
    return data, BuiltinManifest(data["station"], data["title"], dict(data["vehicles"]), tuple(events),
                                 tuple(sources))


def late2025_manifest(station=None, pads=None) -> Manifest:
    """The built-in manifest validated in memory (no database), with ids 1..n in file order."""
    b = late2025()
    events = [Event(**{**e.__dict__, "id": i + 1}) for i, e in enumerate(b.events)]
    return Manifest.from_events(events, b.vehicles, station, pads)


@functools.lru_cache(maxsize=1)
def plan2026() -> BuiltinManifest:
    """The planned traffic after the late-2025 manifest (``plan2026.toml``), as data."""
    return _parse("plan2026.toml")[1]


@functools.lru_cache(maxsize=1)
def plan_known_as_of() -> str:
    """When the plan was current (the Site 31/6 damage instant): ISO 8601 UTC."""
    return str(_parse("plan2026.toml")[0]["planned_as_of"])


def plan_board():
    """The pad status board as known when the plan was made (the damage not yet recorded)."""
    from ..launch.sites import PadStatusBoard

    return PadStatusBoard.from_catalog(known_before=plan_known_as_of())


def planned_events() -> tuple[tuple[Event, ...], dict]:
    """Late-2025 events followed by the plan's, ids 1..n in that order, and every vehicle's type."""
    a, b = late2025(), plan2026()
    events = tuple(Event(**{**e.__dict__, "id": i + 1}) for i, e in enumerate(a.events + b.events))
    return events, {**a.vehicles, **b.vehicles}


def planned_manifest(station=None, pads=None) -> Manifest:
    """Late-2025 manifest plus the plan, validated against :func:`plan_board` (or ``pads``)."""
    events, vehicles = planned_events()
    return Manifest.from_events(events, vehicles, station, pads if pads is not None else plan_board())


def occupancy_view(manifest: Manifest, occ, planned: bool = False) -> dict:
    """An occupancy as ``traffic show --json`` and the web API give it: ``occ.as_dict()`` with
    ``vehicle_types`` (each docked vehicle's type) and ``note`` (:func:`before_record_note`, else
    :func:`after_record_note`; ``None`` for a recorded day). ``planned``: ``manifest`` is the
    built-in record with its 2026 plan."""
    types = {v: manifest.vehicles.get(v) for v in occ.ports.values() if v}
    note = before_record_note(occ.date) or after_record_note(occ.date, manifest, planned=planned)
    return occ.as_dict() | {"vehicle_types": types, "note": note}


def after_record_note(day: str, manifest: Manifest, planned: bool = False) -> str | None:
    """For a UTC day (``YYYY-MM-DD``) past what ``manifest`` records: with ``planned`` (the
    built-in record plus its 2026 plan) from the plan's first event on, that the day is the plan
    made before the Site 31/6 damage, not a record, and how to see it re-planned; otherwise after
    the manifest's last event, that later departures are not in it (a vehicle without one is shown
    docked). ``None`` for a recorded day.

    >>> after_record_note("2025-12-01", planned_manifest(), planned=True) is None
    True
    >>> after_record_note("2026-01-15", planned_manifest(), planned=True)[:60]
    'from 2025-12-15 this is the 2026 plan as made before the Sit'
    >>> print(after_record_note("2099-01-01", planned_manifest(), planned=True).split("; ")[-1])
    2099-01-01 is after the plan's last event (2026-07-26): the station as the plan leaves it, later flights unknown
    """
    d = str(day)[:10]
    if planned:
        start = min(e.t_utc for e in plan2026().events)[:10]
        end = max(e.t_utc for e in plan2026().events)[:10]
        beyond = (f"; {d} is after the plan's last event ({end}): the station as the plan leaves it, later "
                  "flights unknown" if d > end else "")
        if d >= start:
            return (f"from {start} this is the 2026 plan as made before the Site 31/6 damage of 27 Nov 2025, a plan, "
                    "not a record (Progress MS-33, planned for 21 Dec 2025, flew on 22 Mar 2026); the plan "
                    "re-planned for the outage: gyrfalcon traffic whatif --pad-outage baikonur-31:2025-11-27..2026-03-03"
                    + beyond)
        return None
    last = max((e.t_utc for e in manifest.events), default=None)
    if last is not None and d > last[:10]:
        return (f"the manifest's last event is on {last[:10]}: later arrivals and departures are in it only if "
                "recorded (gyrfalcon traffic add), so a vehicle whose departure is not recorded is shown docked")
    return None


def before_record_note(day: str) -> str | None:
    """For a UTC day (``YYYY-MM-DD``) before the built-in record is complete
    (:data:`COMPLETE_FROM_UTC`): what an occupancy of that day cannot say, and the ports the station
    had then (Pirs until 26 Jul 2021, Nauka nadir in 2021, ...); ``None`` from that date on.

    >>> before_record_note("2025-12-01") is None
    True
    """
    from ..station.catalog import load_station

    if str(day)[:10] >= COMPLETE_FROM_UTC[:10]:
        return None
    ports = load_station("iss").ports_on(str(day)[:10] + "T23:59:59Z")
    return (f"the built-in record is complete only from {COMPLETE_FROM_UTC[:10]}: on {str(day)[:10]} only the vehicles "
            f"recorded in this manifest are shown, not the station of that day; its ports then: {', '.join(ports)}")
