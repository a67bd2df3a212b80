"""The station's orbit at a mission epoch: the first thing ``gyrfalcon run`` reports.

Until the end-to-end runner exists this is the default mission's whole output: the ISS from
NASA's ephemeris (shipped in the package) at Soyuz MS-28's liftoff, with its osculating
elements, apsis altitudes and sub-satellite point, and NASA's planned trajectory events.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MS28_LIFTOFF_UTC = "2025-11-27T09:27:57.4Z"
"""Soyuz MS-28 liftoff (RussianSpaceWeb via domain.md section 1.1: 12:27:57.402 MSK)."""


@dataclass(frozen=True)
class StationOrbitSummary:
    """Where the station is at ``utc`` and what orbit it flies (SI units; angles in degrees for display)."""

    utc: str
    source: str
    r_gcrf_m: tuple
    v_gcrf_mps: tuple
    semi_major_axis_m: float
    eccentricity: float
    inclination_deg: float
    inclination_of_date_deg: float
    raan_deg: float
    arg_perigee_deg: float
    arg_latitude_deg: float
    period_s: float
    perigee_altitude_m: float
    apogee_altitude_m: float
    latitude_deg: float
    longitude_deg: float
    altitude_m: float
    planned_events: tuple = ()

    def to_dict(self) -> dict:
        from dataclasses import asdict

        d = asdict(self)
        d["r_gcrf_m"] = list(self.r_gcrf_m)
        d["v_gcrf_mps"] = list(self.v_gcrf_mps)
        d["planned_events"] = [dict(name=n, utc=u) for n, u in self.planned_events]
        return d


def _packaged_source() -> str:
    from ..orbits.iss import iss_default_path

    return str(iss_default_path())


def station_orbit_at(utc: str = MS28_LIFTOFF_UTC, oem_path=None) -> StationOrbitSummary:
    """The ISS orbit at ``utc`` from a station source (an OEM, a TLE/OMM series; default: the
    packaged NASA 2025-11-24 ephemeris), through :func:`gyrfalcon.orbits.station_source.load_station`."""
    from ..frames import geodetic_from_itrf
    from ..orbits.station_source import load_station
    from ..time import iso_utc, parse_utc

    t = parse_utc(utc)
    station = load_station(oem_path, at_utc=t)
    eph = station.ephemeris("GCRF")
    state = eph.at(t)
    el = state.elements()
    el_date = state.to("TEME").elements()  # TEME: true equator of date (the usual "51.64 deg")
    lat, lon, alt = geodetic_from_itrf(state.to("ITRF").r_m)
    events = tuple((ev.name, iso_utc(ev.tig)) for ev in station.events)
    deg = math.degrees
    return StationOrbitSummary(
        utc=iso_utc(t), source=str(oem_path) if oem_path is not None else _packaged_source(),
        r_gcrf_m=tuple(float(x) for x in state.r_m), v_gcrf_mps=tuple(float(x) for x in state.v_mps),
        semi_major_axis_m=float(el.a_m), eccentricity=float(el.e), inclination_deg=deg(el.i_rad),
        inclination_of_date_deg=deg(el_date.i_rad),
        raan_deg=deg(el.raan_rad) % 360, arg_perigee_deg=deg(el.argp_rad) % 360,
        arg_latitude_deg=deg(el.arglat_rad) % 360, period_s=float(el.period_s),
        perigee_altitude_m=float(el.perigee_altitude_m), apogee_altitude_m=float(el.apogee_altitude_m),
        latitude_deg=deg(float(lat)), longitude_deg=deg(float(lon)), altitude_m=float(alt),
        planned_events=events,
    )
