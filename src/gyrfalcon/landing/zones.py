"""Landing zones (``data/zones.toml``) and the spherical-Earth geometry used to aim at them.

Model and assumptions
---------------------
* A zone's centre is defined as published: a distance and bearing from a reference place
  ("146 km southeast of Zhezkazgan"), or directly by latitude and longitude. The Soyuz zone's
  bearing is the one calibration: "southeast" is not a number, so it is the mean bearing of the
  published coordinates of the 2018-2020 landings, checked on those of 2021-2025
  (``data/zones.toml``; docs/validation.md "Returns"). Distances and
  bearings are great-circle on a sphere of the IUGG mean radius 6,371.0088 km; the error
  against the WGS-84 geodesic is below 0.5 %, far inside the published rounding.
* Latitudes are geodetic (WGS-84) and used as such: the few-km difference to geocentric
  latitude is applied where positions are built (:func:`gyrfalcon.frames.itrf_from_geodetic`),
  not in these surface distances.
* ``pass`` says which ISS passes serve the zone (``ascending``: Soyuz entries come from the
  south-west over the Caspian); ``max_crosstrack_km`` is how far the ground track may miss the
  zone for the guided descent to still reach it.

>>> z = load_zone("soyuz")
>>> round(z.lat_deg, 3), round(z.lon_deg, 3)
(47.399, 69.562)
>>> round(distance_m(z.reference_lat_deg, z.reference_lon_deg, z.lat_deg, z.lon_deg) / 1e3, 1)
146.0
>>> round(bearing_deg(z.reference_lat_deg, z.reference_lon_deg, z.lat_deg, z.lon_deg), 1)
106.3
"""
from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass, field

from ..errors import InputError

MEAN_EARTH_RADIUS_M = 6371008.8
"""IUGG mean Earth radius [m], for surface distances."""


class UnknownZoneError(InputError):
    """A landing-zone name that is not in ``landing/data/zones.toml``."""


@dataclass(frozen=True)
class LandingZone:
    """A landing target: centre (``lat_deg``, ``lon_deg``, WGS-84), ground altitude, radius.

    ``reference`` (name, lat, lon) is the place the zone is published relative to, with
    ``distance_km`` and ``bearing_deg`` of the centre from it (0 for zones given directly).
    """

    id: str
    name: str
    lat_deg: float
    lon_deg: float
    ground_altitude_m: float
    radius_km: float
    pass_direction: str
    max_crosstrack_km: float
    reference: str = ""
    reference_lat_deg: float = math.nan
    reference_lon_deg: float = math.nan
    distance_km: float = 0.0
    bearing_deg: float = 0.0
    figures: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def lat_rad(self) -> float:
        return math.radians(self.lat_deg)

    @property
    def lon_rad(self) -> float:
        return math.radians(self.lon_deg)


# ------------------------------------------------------------------------------------------
# spherical geometry
# ------------------------------------------------------------------------------------------
def distance_m(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> float:
    """Great-circle distance [m] between two points (haversine, mean Earth radius).

    >>> round(distance_m(0, 0, 0, 1) / 1e3, 3)
    111.195
    """
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dp, dl = p2 - p1, math.radians(lon2_deg - lon1_deg)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> float:
    """Initial great-circle bearing [deg, 0 = north, 90 = east, in [0, 360)] from point 1 to 2.

    >>> round(bearing_deg(0, 0, 0, 1), 6), round(bearing_deg(0, 0, 1, 0), 6)
    (90.0, 0.0)
    """
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dl = math.radians(lon2_deg - lon1_deg)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def destination(lat_deg, lon_deg, distance_m_, bearing_deg_) -> tuple[float, float]:
    """``(lat_deg, lon_deg)`` reached from a point along a great circle (inverse of the two above).

    >>> [round(x, 6) for x in destination(0.0, 0.0, 111194.93, 90.0)]
    [0.0, 1.0]
    """
    p1, l1 = math.radians(lat_deg), math.radians(lon_deg)
    d = distance_m_ / MEAN_EARTH_RADIUS_M
    b = math.radians(bearing_deg_)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 180.0) % 360.0 - 180.0


def latlon_text(lat_deg: float, lon_deg: float, digits: int = 3) -> str:
    """A latitude and longitude with their hemisphere letters.

    >>> latlon_text(47.3578, 69.5612)
    '47.358 N, 69.561 E'
    >>> latlon_text(-50.9917, -10.2891, digits=2)
    '50.99 S, 10.29 W'
    """
    return (f"{abs(lat_deg):.{digits}f} {'N' if lat_deg >= 0 else 'S'}, "
            f"{abs(lon_deg):.{digits}f} {'E' if lon_deg >= 0 else 'W'}")


def compass_point(bearing: float) -> str:
    """Bearing [deg] as one of 16 compass points.

    >>> compass_point(135.0), compass_point(350.0), compass_point(100.0)
    ('SE', 'N', 'E')
    """
    names = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
    return names[int(((bearing % 360.0) + 11.25) // 22.5) % 16]


def along_cross_m(target_lat_deg, target_lon_deg, point_lat_deg, point_lon_deg, heading_deg) -> tuple[float, float]:
    """Offset of ``point`` from ``target`` split along and across a ground track of ``heading_deg``.

    Returns ``(along_m, cross_m)``: ``along`` > 0 = beyond the target in the direction of
    travel (overshoot), ``cross`` > 0 = to the right of the track. Exact on the sphere for
    the along-track part (great circle through the target with that heading).

    >>> a, c = along_cross_m(0.0, 0.0, 0.0, 1.0, 90.0)
    >>> round(a / 1e3, 3), round(c, 6) + 0.0
    (111.195, 0.0)
    """
    d = distance_m(target_lat_deg, target_lon_deg, point_lat_deg, point_lon_deg) / MEAN_EARTH_RADIUS_M
    if d == 0.0:
        return 0.0, 0.0
    b = math.radians(bearing_deg(target_lat_deg, target_lon_deg, point_lat_deg, point_lon_deg) - heading_deg)
    cross = math.asin(max(-1.0, min(1.0, math.sin(d) * math.sin(b))))
    along = math.atan2(math.sin(d) * math.cos(b), math.cos(d))  # right spherical triangle: tan a = tan d cos b
    return along * MEAN_EARTH_RADIUS_M, cross * MEAN_EARTH_RADIUS_M


# ------------------------------------------------------------------------------------------
# catalogue
# ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _catalogue() -> dict:
    from importlib.resources import files

    return tomllib.loads((files("gyrfalcon.landing") / "data" / "zones.toml").read_text(encoding="utf-8"))


def zone_names() -> list[str]:
    """Names of the zones in ``zones.toml``.

    >>> zone_names()
    ['soyuz', 'arkalyk']
    """
    return list(_catalogue()["zone"])


def _value(table: dict, key: str):
    v = table[key]
    return float(v["value"]) if isinstance(v, dict) else v


def load_zone(name: str = "soyuz") -> LandingZone:
    """The landing zone ``name`` (``soyuz``: the standard zone SE of Zhezkazgan).

    >>> load_zone("baikonur")
    Traceback (most recent call last):
    ...
    gyrfalcon.landing.zones.UnknownZoneError: unknown landing zone 'baikonur'; known: soyuz, arkalyk (or give --target-lat/--target-lon)
    """
    cat = _catalogue()
    key = str(name).strip().lower()
    if key not in cat["zone"]:
        raise UnknownZoneError(
            f"unknown landing zone {name!r}; known: {', '.join(zone_names())} (or give --target-lat/--target-lon)"
        )
    z = cat["zone"][key]
    ref = cat["place"][z["reference"]]
    rlat, rlon = _value(ref, "lat_deg"), _value(ref, "lon_deg")
    dist, brg = _value(z, "distance_km"), _value(z, "bearing_deg")
    lat, lon = destination(rlat, rlon, dist * 1e3, brg) if dist > 0 else (rlat, rlon)
    return LandingZone(
        id=key, name=z["name"], lat_deg=lat, lon_deg=lon, ground_altitude_m=_value(z, "ground_altitude_m"),
        radius_km=_value(z, "radius_km"), pass_direction=z["pass"], max_crosstrack_km=_value(z, "max_crosstrack_km"),
        reference=ref["name"], reference_lat_deg=rlat, reference_lon_deg=rlon, distance_km=dist, bearing_deg=brg,
        figures={"zone": z, "reference": ref},
    )


def custom_zone(lat_deg: float, lon_deg: float, ground_altitude_m: float = 0.0, *, pass_direction: str = "any",
                max_crosstrack_km: float = 140.0, name: str = "custom target") -> LandingZone:
    """A target given by its coordinates (WGS-84 degrees, ground altitude [m]).

    >>> custom_zone(95.0, 10.0)
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.InputError: target latitude 95.0 deg is not within -90..90 (e.g. 47.40 for the Soyuz zone)
    """
    import numbers

    for name_, value in (("target latitude", lat_deg), ("target longitude", lon_deg), ("ground altitude", ground_altitude_m)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InputError(f"{name_} {value!r}: give a number (degrees, or metres for the altitude), "
                             "e.g. 47.40, 69.56 and 350 for the Soyuz zone")
    if not (-90.0 <= float(lat_deg) <= 90.0):
        raise InputError(f"target latitude {lat_deg} deg is not within -90..90 (e.g. 47.40 for the Soyuz zone)")
    if not (-180.0 <= float(lon_deg) <= 360.0):
        raise InputError(f"target longitude {lon_deg} deg is not within -180..360 (e.g. 69.56 for the Soyuz zone)")
    if not (-500.0 <= float(ground_altitude_m) <= 6000.0):
        raise InputError(f"ground altitude {ground_altitude_m} m is not a land altitude (-500..6000 m)")
    if pass_direction not in ("ascending", "descending", "any"):
        raise InputError(f"pass_direction {pass_direction!r}: use 'ascending', 'descending' or 'any'")
    lon = (float(lon_deg) + 180.0) % 360.0 - 180.0
    return LandingZone(id="custom", name=name, lat_deg=float(lat_deg), lon_deg=lon,
                       ground_altitude_m=float(ground_altitude_m), radius_km=28.0, pass_direction=pass_direction,
                       max_crosstrack_km=float(max_crosstrack_km))
