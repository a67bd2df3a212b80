"""Station traffic: the persistent manifest, its rules and what-ifs.

* :mod:`~gyrfalcon.traffic.manifest`: dated :class:`Event` s, the derived :class:`Occupancy`,
  the immutable validated :class:`Manifest`, and the rule errors (:class:`ManifestRuleError`
  and one subclass per rule).
* :mod:`~gyrfalcon.traffic.rules`: the rules, checked by replaying the whole timeline (one
  vehicle per port, port compatibility, corridor clearance, lifeboat seats, arrival after
  launch, operational launch pad).
* :mod:`~gyrfalcon.traffic.store`: :class:`ManifestStore`, the manifest in SQLite (default, a
  file in the user's data directory) or PostgreSQL, schema by Alembic (``migrations/``); every
  change is validated and written in one serialised transaction, or refused and not written.
* :mod:`~gyrfalcon.traffic.builtin`: the late-2025 ISS manifest of the seed articles, and the
  planned Russian-segment traffic after it (Progress MS-33/34, Soyuz MS-29, the MS-28 landing).
* :mod:`~gyrfalcon.traffic.whatif`: a pad outage re-planned (launch slips, stays beyond limits,
  lifeboat seats, Progress at Zvezda aft) and the port-occupancy Gantt chart.
* :mod:`~gyrfalcon.traffic.station_link`: the single adapter onto :mod:`gyrfalcon.station`.

Names are importable from here lazily (no database driver is loaded by ``import
gyrfalcon.traffic``).

>>> from gyrfalcon.traffic import late2025_manifest
>>> late2025_manifest().occupancy_on("2025-12-01").occupied_count
8
"""
from __future__ import annotations

import importlib

_LAZY = {
    "Event": "manifest", "Manifest": "manifest", "Occupancy": "manifest", "Milestone": "manifest",
    "EVENT_KINDS": "manifest", "make_event": "manifest",
    "ManifestInputError": "manifest", "ManifestRuleError": "manifest", "PortOccupiedError": "manifest",
    "PortCompatibilityError": "manifest", "CorridorBlockedError": "manifest", "LifeboatError": "manifest",
    "LaunchOrderError": "manifest", "LaunchPadError": "manifest", "VehicleStateError": "manifest",
    "ManifestStore": "store", "ManifestStoreError": "store", "default_data_dir": "store",
    "resolve_url": "store", "late2025": "builtin", "late2025_manifest": "builtin",
    "plan2026": "builtin", "planned_manifest": "builtin", "planned_events": "builtin", "plan_board": "builtin",
    "station_model": "station_link",
    "PadOutage": "whatif", "WhatIfResult": "whatif", "parse_pad_outage": "whatif",
    "pad_outage_whatif": "whatif", "port_intervals": "whatif", "gantt": "whatif",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'gyrfalcon.traffic' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
