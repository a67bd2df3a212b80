"""Vehicle-specific approach profiles (``data/approach.toml``) as :class:`~gyrfalcon.proximity.guidance.GuidanceParams`.

Soyuz MS and Progress MS share Kurs-NA, the SSVP probe and the closing and final-approach
speed laws (nothing published tells them apart); they differ where the published timelines
differ: the flyaround starts at 400 m (Soyuz) or about 380 m (Progress MS-03), the crewed
Soyuz holds 3-6 min at about 150 m for the go/no-go, the Progress holds briefly at about
220 m for its roll alignment. Sources and grades are in the TOML beside each figure. The
port-specific part of the approach is geometric (see :mod:`gyrfalcon.proximity.approach`).

>>> g = approach_guidance("progress-ms")
>>> g.flyaround_start_range_m, g.station_keeping_range_m, g.station_keeping_min_s
(380.0, 220.0, 60.0)
>>> round(math.degrees(approach_guidance("soyuz-ms").flyaround_rate_rad_s) * 360, 1)
50.0
"""
from __future__ import annotations

import functools
import math
import tomllib

from ..errors import InputError

__all__ = ["approach_guidance", "profile_sources", "VEHICLES"]

VEHICLES = ("soyuz-ms", "progress-ms")
"""Vehicle types with a Kurs approach profile."""

_KEYS = ("closing_rate_const_mps", "closing_rate_per_s", "flyaround_start_range_m", "flyaround_range_rate_mps",
         "flyaround_min_s", "station_keeping_range_m", "station_keeping_min_s", "station_keeping_max_s",
         "final_rate_const_mps", "final_rate_per_s")


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    from importlib.resources import files

    return tomllib.loads((files("gyrfalcon.proximity") / "data" / "approach.toml").read_text(encoding="utf-8"))


def profile_sources(vehicle_type: str) -> dict:
    """The ``*_source`` texts of a vehicle's profile (key -> text)."""
    t = _table(vehicle_type)
    return {k: v for k, v in t.items() if k.endswith("_source")}


def _table(vehicle_type: str) -> dict:
    key = str(vehicle_type).strip().lower()
    vt = _data()["vehicle"]
    if key not in vt:
        raise InputError(f"no Kurs approach profile for vehicle type {vehicle_type!r}; profiles: {', '.join(vt)}")
    return vt[key]


@functools.lru_cache(maxsize=8)
def approach_guidance(vehicle_type: str = "soyuz-ms"):
    """The :class:`~gyrfalcon.proximity.guidance.GuidanceParams` of a vehicle type's Kurs approach (cached)."""
    from .guidance import GuidanceParams

    t = _table(vehicle_type)
    kw = {k: float(t[k]) for k in _KEYS}
    kw["flyaround_rate_rad_s"] = math.radians(float(t["flyaround_rate_deg_s"]))
    return GuidanceParams(**kw)
