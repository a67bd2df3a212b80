"""Gyrfalcon: plan and simulate crewed flights to a space station, end to end.

The top-level namespace is lazy (PEP 562): ``import gyrfalcon`` loads nothing heavy;
``gyrfalcon.plan_rendezvous`` and friends import their module on first use.

The flight, one call a step (:mod:`gyrfalcon.api`)::

    import gyrfalcon as gf
    iss = gf.station_ephemeris()                  # or a TLE, an OEM path, gf.load_station(...)
    window = gf.next_window(iss, "baikonur-31", after="2025-11-26", scheme="two-orbit")
    plan = gf.plan_rendezvous(iss, window)        # burns: print(plan.table()); plan.plot()
    approach = gf.fly_approach(plan, iss)         # Kurs approach to contact
    mission = gf.run_mission()                    # or a scenario file / gf.load_scenario(...)

>>> import gyrfalcon
>>> gyrfalcon.iso_utc(gyrfalcon.parse_utc("2025-11-27T09:27:57.4Z"))
'2025-11-27T09:27:57.400Z'
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "GyrfalconError": "gyrfalcon.errors",
    "timescale": "gyrfalcon.time",
    "utc": "gyrfalcon.time",
    "parse_utc": "gyrfalcon.time",
    "iso_utc": "gyrfalcon.time",
    "State": "gyrfalcon.orbits.state",
    "KeplerianElements": "gyrfalcon.orbits.elements",
    "Ephemeris": "gyrfalcon.orbits.ephemeris",
    "load_oem": "gyrfalcon.io.oem",
    "write_oem": "gyrfalcon.io.oem",
    "load_iss_default": "gyrfalcon.orbits.iss",
    "Propagator": "gyrfalcon.orbits.propagator",
    "ForceModel": "gyrfalcon.orbits.forces",
    "tle_from_lines": "gyrfalcon.orbits.tle",
    "load_tles": "gyrfalcon.orbits.tle",
    "load_omm": "gyrfalcon.orbits.tle",
    "InputError": "gyrfalcon.errors",
    "StationDataWarning": "gyrfalcon.errors",
    # the one station loader (packaged NASA OEM, an OEM, a TLE file or an OMM series)
    "load_station": "gyrfalcon.orbits.station_source",
    # the flight-level verbs (gyrfalcon.api)
    "station_ephemeris": "gyrfalcon.api",
    "sgp4_ephemeris": "gyrfalcon.api",
    "station_orbit": "gyrfalcon.api",
    "find_windows": "gyrfalcon.api",
    "next_window": "gyrfalcon.api",
    "plan_rendezvous": "gyrfalcon.api",
    "fly_rendezvous": "gyrfalcon.api",
    "fly_approach": "gyrfalcon.api",
    "plan_return": "gyrfalcon.api",
    "landing_opportunities": "gyrfalcon.api",
    "load_scenario": "gyrfalcon.api",
    "run_mission": "gyrfalcon.api",
    "pad_outage": "gyrfalcon.api",
    "monte_carlo": "gyrfalcon.api",
    # the station's traffic (what `gyrfalcon traffic ...` edits and checks)
    "ManifestStore": "gyrfalcon.traffic.store",
    "late2025_manifest": "gyrfalcon.traffic.builtin",
    "check_flight": "gyrfalcon.traffic.flight_rules",
}

__all__ = sorted(_LAZY) + ["__version__"]


_SUBMODULES = ("api",)
"""Submodules reachable as attributes right after ``import gyrfalcon`` (``gf.api.scenario_text``)."""


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'gyrfalcon' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
