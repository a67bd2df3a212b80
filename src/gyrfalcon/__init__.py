"""Gyrfalcon: plan and simulate crewed flights to a space station, end to end.

The top-level namespace is lazy (PEP 562): ``import gyrfalcon`` loads nothing heavy;
``gyrfalcon.parse_utc`` and friends import their module on first use.

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
    "load_station": "gyrfalcon.orbits.station_source",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'gyrfalcon' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
