"""The built-in late-2025 ISS manifest (``traffic/data/late2025.toml``).

It reproduces the seed articles: Cygnus NG-23 held on Canadarm2 from 24 Nov 2025 to clear
the approach to Rassvet nadir, Soyuz MS-28 docking there on 27 Nov 2025 at 12:34:35 UTC,
NG-23 re-berthed at Unity nadir on 1 Dec 2025 (all eight ports occupied, a first) and
Soyuz MS-27 leaving Prichal on 9 Dec 2025 at 01:41 UTC. Every event carries its source and
confidence grade in the TOML; where the time of day was not found the event is dated 00:00 UTC.

The manifest is complete (every vehicle and crew member aboard) only from
:data:`COMPLETE_FROM_UTC` on: vehicles that left before the HTV-X1 capture are not recorded.

>>> m = late2025_manifest()
>>> m.occupancy_on("2025-11-26").occupied_count, len(m.occupancy_on("2025-11-27").crew_aboard)
(6, 10)
>>> m.where("Cygnus NG-23", "2025-11-27T12:34:35Z")
'arm'
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
    from importlib.resources import files

    data = tomllib.loads((files("gyrfalcon.traffic") / "data" / "late2025.toml").read_text("utf-8"))
    events = []
    sources = []
    for row in data["event"]:
        t = row["t"]
        t = t.isoformat() if hasattr(t, "isoformat") else t
        events.append(make_event(row["kind"], t, row["vehicle"], row.get("port"), row.get("pad"),
                                 row.get("crew", ()), row.get("notes", "")))
        sources.append(f"{row.get('source', '')} [{row.get('conf', '')}]")
    return BuiltinManifest(data["station"], data["title"], dict(data["vehicles"]), tuple(events), tuple(sources))


def late2025_manifest(station=None, pads=None) -> Manifest:
    """The built-in manifest validated in memory (no database), with ids 1..n in file order."""
    b = late2025()
    events = [Event(**{**e.__dict__, "id": i + 1}) for i, e in enumerate(b.events)]
    return Manifest.from_events(events, b.vehicles, station, pads)
