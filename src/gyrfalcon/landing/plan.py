"""The return, end to end: undocking, daily opportunities, deorbit burn, descent, landing.

Model and assumptions
---------------------
* **Opportunities.** The Soyuz's orbit after separation (or the station's, for a day without a
  fixed undocking) is propagated with the return's propagator (:func:`.deorbit.propagator`)
  and its ground track sampled every 20 s. Each pass whose track comes within 1,500 km of the
  zone, in the zone's pass direction (ascending for the Soyuz zone), is an opportunity; its
  ``crosstrack_km`` is the closest distance of the unperturbed track to the zone centre
  (positive: the zone lies right of the track). A pass is *reachable* when that miss is within
  the zone's ``max_crosstrack_km`` (the guided descent's lateral reach). The deorbit itself
  shifts the track by a few km only, so this screen is checked again on the flown landing.
* **Choice.** With an undocking time, the first reachable pass whose burn comes at least
  ``min_deorbit_after_undock_s`` after undocking is taken; the burn time is solved on it
  (:func:`.deorbit.solve_burn_time`) and the descent flown in the requested mode (``nominal``:
  guided; ``ballistic``: the same burn, backup descent).
* **Safety.** :func:`.undocking.depart` checks the keep-out sphere; the range to the station at
  the burn (station ephemeris vs the propagated Soyuz) is reported.

Measured: 2-4 s per :func:`daily_opportunities` (4 days of ground track), about 2.5 s per
:func:`plan_landing` after the first (which compiles or loads the integrator: ~3-8 s).
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from .vehicle import ReturnVehicle, load_return_vehicle
from .zones import LandingZone, load_zone

GROUND_TRACK_STEP_S = 20.0
PASS_SCREEN_M = 1.5e6
BURN_LEAD_S = 3180.0
"""Initial guess of the time from the burn to the unperturbed track's closest approach to the
zone [s] (the secant search corrects it; for the MS-27 geometry the solved value is ~53 min)."""


@dataclass(frozen=True)
class Opportunity:
    """One pass of the ground track near the zone.

    ``pass_utc``: closest approach of the (unperturbed) track to the zone centre;
    ``crosstrack_km``: signed distance (> 0: the zone lies right of the track);
    ``direction``: ascending or descending; ``reachable``: within the zone's lateral reach;
    ``orbit``: count of ascending-node crossings since the search start.
    """

    pass_utc: str
    crosstrack_km: float
    direction: str
    reachable: bool
    orbit: int
    t_s: float = field(default=0.0, repr=False)


@dataclass(frozen=True)
class DailyOpportunities:
    """The passes of one UTC day; ``next_reachable`` is the first reachable pass after the day
    when the day has none (None otherwise, or when the ephemeris ends first)."""

    date: str
    zone: str
    opportunities: tuple
    reachable: tuple
    next_reachable: Opportunity | None
    searched_until_utc: str


@dataclass(frozen=True)
class LandingPlan:
    """The planned and flown return. ``flight`` is the :class:`~.deorbit.ReturnFlight` in
    ``mode``; ``reference_miss_cross_km`` the cross-track miss of the planning descent
    (what the guidance removes); ``range_at_burn_m`` the distance to the station at the burn."""

    mode: str
    vehicle: str
    zone: LandingZone
    departure: Any
    opportunities: tuple
    chosen: Opportunity
    flight: Any
    burn_search_iterations: int
    reference_miss_cross_km: float
    range_at_burn_m: float | None

    def to_dict(self) -> dict:
        """JSON-ready summary (UTC strings, SI units; keys as the CLI prints them)."""
        e = self.flight.entry
        b = self.flight.burn
        z = self.zone
        from .zones import bearing_deg, compass_point, distance_m

        out = {
            "vehicle": self.vehicle,
            "mode": self.mode,
            "undock_utc": self.departure.undock_utc,
            "port": self.departure.port,
            "separation_burn_utc": self.departure.separation_burn_utc,
            "keep_out_exit_utc": self.departure.kos_exit_utc,
            "deorbit_burn": {
                "utc": b.utc, "dv_mps": round(b.dv_mps, 3), "duration_s": round(b.duration_s, 1),
                "thrust_n": b.thrust_n, "isp_s": b.isp_s, "mass_before_kg": round(b.mass_before_kg, 1),
                "mass_after_kg": round(b.mass_after_kg, 1), "direction": b.direction,
                "altitude_m": round(b.altitude_m, 0), "lat_deg": round(b.lat_deg, 3), "lon_deg": round(b.lon_deg, 3),
                "after_undock_s": round(_seconds(self.departure.undock_utc, b.utc), 1),
                "range_to_station_m": None if self.range_at_burn_m is None else round(self.range_at_burn_m, 0),
            },
            "module_separation_utc": self.flight.separation_utc,
            "module_separation_after_burn_s": round(self.flight.separation_after_burn_s, 1),
            "entry_interface_utc": e.entry_interface_utc,
            "entry_speed_mps": round(e.entry_speed_mps, 1),
            "entry_flight_path_angle_deg": round(e.entry_flight_path_angle_deg, 3),
            "max_g": round(e.max_g, 2),
            "max_g_utc": e.max_g_utc,
            "max_g_altitude_m": round(e.max_g_altitude_m, 0),
            "max_g_parachute": round(e.max_g_parachute, 2),
            "peak_heat_flux_w_m2": round(e.peak_heat_flux_w_m2, 0),
            "heat_load_j_m2": round(e.heat_load_j_m2, 0),
            "bank_reversals": e.bank_reversals,
            "parachute_utc": e.parachute_utc,
            "soft_landing_utc": e.soft_landing_utc,
            "landing_utc": e.landing_utc,
            "landing_lat_deg": round(e.landing_lat_deg, 4),
            "landing_lon_deg": round(e.landing_lon_deg, 4),
            "touchdown_speed_mps": e.touchdown_speed_mps,
            "target": {"zone": z.id, "lat_deg": round(z.lat_deg, 4), "lon_deg": round(z.lon_deg, 4)},
            "miss_km": round(e.miss_m / 1e3, 2),
            "miss_along_km": round(e.miss_along_m / 1e3, 2),
            "miss_cross_km": round(e.miss_cross_m / 1e3, 2),
            "reference_miss_cross_km": round(self.reference_miss_cross_km, 2),
            "undock_to_landing_s": round(_seconds(self.departure.undock_utc, e.landing_utc), 1),
            "opportunities": [
                {"pass_utc": o.pass_utc, "crosstrack_km": round(o.crosstrack_km, 1), "direction": o.direction,
                 "reachable": o.reachable} for o in self.opportunities
            ],
            "g_history": _g_history(e),
            "events": [{"name": ev.name, "utc": ev.utc, "altitude_m": round(ev.altitude_m, 0),
                        "speed_mps": round(ev.speed_mps, 1), "g_load": round(ev.g_load, 2)} for ev in e.events],
        }
        if z.reference:
            d = distance_m(z.reference_lat_deg, z.reference_lon_deg, e.landing_lat_deg, e.landing_lon_deg)
            brg = bearing_deg(z.reference_lat_deg, z.reference_lon_deg, e.landing_lat_deg, e.landing_lon_deg)
            out["landing_from_reference"] = {"place": z.reference, "distance_km": round(d / 1e3, 1),
                                             "bearing_deg": round(brg, 1), "compass": compass_point(brg)}
        return out


def _g_history(entry, step_s: float = 10.0) -> list:
    """Sensed load every ``step_s`` from module separation to touchdown: ``t_s`` (after module
    separation), geodetic ``altitude_m``, Earth-relative ``speed_mps``, ``g``."""
    tr = entry.trajectory
    out, nxt = [], 0.0
    for i in range(len(tr.t_s)):
        if tr.t_s[i] + 1e-9 >= nxt or i == len(tr.t_s) - 1:
            out.append({"t_s": round(float(tr.t_s[i]), 1), "altitude_m": round(float(tr.altitude_m[i]), 0),
                        "speed_mps": round(float(tr.speed_mps[i]), 1), "g": round(float(tr.g_load[i]), 2)})
            nxt = float(tr.t_s[i]) + step_s
    return out


def _seconds(a: str, b: str) -> float:
    from ..time import parse_utc, seconds_between

    return float(seconds_between(parse_utc(a), parse_utc(b)))


# ------------------------------------------------------------------------------------------
# ground track and passes
# ------------------------------------------------------------------------------------------
def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def find_passes(state, start, stop, zone: LandingZone, veh: ReturnVehicle) -> list[Opportunity]:
    """Passes of ``state``'s ground track near ``zone`` between ``start`` and ``stop`` (UTC)."""
    from ..frames import gcrf_to_itrf, itrf_from_geodetic
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between
    from .deorbit import propagator

    t_a, t_b = parse_utc(start), parse_utc(stop)
    span = float(seconds_between(t_a, t_b))
    if span <= 0:
        raise InputError("the opportunity search must end after it starts")
    prop = propagator(veh)
    s0 = prop.propagate_to(state, t_a) if abs(float(seconds_between(state.t, t_a))) > 1e-6 else state.to("GCRF")
    eph = prop.propagate(s0, span, step_s=GROUND_TRACK_STEP_S)
    r_g, _ = eph.interpolate(np.arange(0.0, span, GROUND_TRACK_STEP_S))
    t_s = np.arange(0.0, span, GROUND_TRACK_STEP_S)
    times = add_seconds(t_a, t_s)
    r_i = gcrf_to_itrf(times, r_g)
    u = _unit(r_i)
    q = _unit(itrf_from_geodetic(zone.lat_rad, zone.lon_rad, 0.0))
    ang = np.arccos(np.clip(u @ q, -1.0, 1.0))
    out = []
    orbit = 0
    z = u[:, 2]
    for i in range(1, len(t_s) - 1):
        if z[i - 1] < 0 <= z[i]:
            orbit += 1
        if not (ang[i] <= ang[i - 1] and ang[i] < ang[i + 1]):
            continue
        d_m = ang[i] * 6371008.8
        if d_m > PASS_SCREEN_M:
            continue
        # parabola through the three samples
        a0, a1, a2 = ang[i - 1], ang[i], ang[i + 1]
        den = a0 - 2 * a1 + a2
        frac = 0.5 * (a0 - a2) / den if den > 0 else 0.0
        tc = t_s[i] + frac * GROUND_TRACK_STEP_S
        # the closest distance between the track (a great circle locally) and the zone
        n = _unit(np.cross(u[i - 1], u[i + 1]))            # left normal of the ground motion
        cross = -math.asin(float(np.clip(n @ q, -1.0, 1.0))) * 6371008.8   # > 0: zone right of track
        direction = "ascending" if u[i + 1, 2] > u[i - 1, 2] else "descending"
        if zone.pass_direction != "any" and direction != zone.pass_direction:
            continue
        out.append(Opportunity(iso_utc(add_seconds(t_a, tc)), cross / 1e3, direction,
                               abs(cross) / 1e3 <= zone.max_crosstrack_km, orbit, float(tc)))
    return out


def daily_opportunities(station_ephemeris, date, zone: str | LandingZone = "soyuz",
                        vehicle: str | ReturnVehicle = "soyuz-ms", look_ahead_days: int = 3) -> DailyOpportunities:
    """Passes over ``zone`` on the UTC day ``date`` (``YYYY-MM-DD``), from the station's orbit
    (a docked Soyuz flies it); if none is reachable, the next reachable one within
    ``look_ahead_days`` (and the ephemeris)."""
    from ..errors import EphemerisRangeError
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    z = zone if isinstance(zone, LandingZone) else load_zone(zone)
    veh = vehicle if isinstance(vehicle, ReturnVehicle) else load_return_vehicle(vehicle)
    from ..time import utc_day

    text = utc_day(date)
    day0 = parse_utc(text + "T00:00:00Z")
    start = day0 if station_ephemeris.covers(day0) else station_ephemeris.start
    if not station_ephemeris.covers(add_seconds(day0, 3600.0)):
        raise EphemerisRangeError(
            f"the station ephemeris covers {iso_utc(station_ephemeris.start)} to {iso_utc(station_ephemeris.stop)}; "
            f"it does not cover {text[:10]}: give an OEM that does"
        )
    state = station_ephemeris.at(start).with_mass(veh.undocking_mass_kg)
    end_day = add_seconds(day0, 86400.0)
    horizon = add_seconds(day0, 86400.0 * (1 + look_ahead_days))
    if float(seconds_between(station_ephemeris.stop, horizon)) > 0:
        horizon = station_ephemeris.stop
    passes = find_passes(state, start, horizon, z, veh)
    today = tuple(p for p in passes if float(seconds_between(parse_utc(p.pass_utc), end_day)) > 0)
    reach = tuple(p for p in today if p.reachable)
    nxt = None
    if not reach:
        later = [p for p in passes if p.reachable and float(seconds_between(parse_utc(p.pass_utc), end_day)) <= 0]
        nxt = later[0] if later else None
    return DailyOpportunities(text[:10], z.id, today, reach, nxt, iso_utc(horizon))


# ------------------------------------------------------------------------------------------
# the plan
# ------------------------------------------------------------------------------------------
LANDING_MODES = ("nominal", "ballistic")


def check_mode(mode: str) -> None:
    """Refuse a landing mode other than ``nominal`` (guided) or ``ballistic`` (backup)."""
    if mode not in LANDING_MODES:
        raise InputError(f"unknown landing mode {mode!r}; use nominal (guided descent) or ballistic (backup)")


REACH_MARGIN_DEG = 1.0
"""Margin on the latitude band :func:`_check_reach` allows beyond the ground track's geodetic
extreme and the zone's lateral reach (the entry's own drift, the orbit's inclination changes):
the check refuses only the clearly impossible (a target a 51.6 deg orbit cannot come near)."""


def _check_reach(station_ephemeris, t_u, z: LandingZone) -> None:
    """Refuse a target whose latitude no ground track of the station's orbit comes within the
    zone's lateral reach of (a 51.6 deg orbit never passes over 60 N): no day would do better.
    The band: the track's highest geodetic latitude (WGS-84 flattening), plus the lateral reach,
    plus :data:`REACH_MARGIN_DEG`."""
    from ..constants import WGS84_F

    if not station_ephemeris.covers(t_u):
        return                      # refused by the departure, naming the span it needs
    i_rad = station_ephemeris.at(t_u).elements().i_rad
    incl_deg = math.degrees(min(i_rad, math.pi - i_rad))        # a retrograde orbit reaches as far
    track_deg = math.degrees(math.atan(math.tan(math.radians(incl_deg)) / (1.0 - WGS84_F) ** 2))
    reach_deg = track_deg + math.degrees(z.max_crosstrack_km * 1e3 / 6371e3) + REACH_MARGIN_DEG
    if abs(z.lat_deg) > reach_deg:
        raise InputError(f"the target at latitude {z.lat_deg:.2f} deg is out of reach: the station's orbit "
                         f"(inclination {incl_deg:.1f} deg, lateral reach {z.max_crosstrack_km:.0f} km) lands between "
                         f"{-reach_deg:.1f} and {reach_deg:.1f} deg; give a target in that band")


@contextlib.contextmanager
def _dv_named(veh, dv_mps):
    """Within it, an entry that skips out (does not come down) with a user-given dv is refused
    naming that dv; any other entry failure is left as it is."""
    from .entry import EntryError

    try:
        yield
    except EntryError as exc:
        if dv_mps is None or "skip-out" not in str(exc):
            raise
        raise InputError(f"with a deorbit dv of {dv_mps:g} m/s the entry is too shallow ({exc}); give a dv "
                         f"near the vehicle's {veh.deorbit_dv_mps:g} m/s") from None


def plan_landing(station_ephemeris, undock, *, vehicle: str = "soyuz-ms", zone: str | LandingZone = "soyuz",
                 mode: str = "nominal", port: str = "prichal-nadir", dv_mps: float | None = None,
                 max_passes: int = 20) -> LandingPlan:
    """Plan and fly the return of a vehicle undocking from ``port`` at ``undock`` (UTC).

    ``station_ephemeris``: inertial :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` of the
    station covering the undocking (e.g. :func:`gyrfalcon.orbits.iss.iss_ephemeris`).
    ``mode``: ``nominal`` (guided descent) or ``ballistic`` (backup; same planned burn).
    Raises :class:`~.deorbit.NoLandingError` if no pass within a day can reach the zone, naming
    the reason when it is the delta-v (too small to come down, or an entry too shallow) or a
    target beyond the orbit's latitudes.
    """
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between
    from .deorbit import DeorbitTooSmallError, NoLandingError, fly_return, propagator, solve_burn_time
    from .undocking import depart

    check_mode(mode)
    veh = load_return_vehicle(vehicle)
    z = zone if isinstance(zone, LandingZone) else load_zone(zone)
    t_u = parse_utc(undock)
    _check_reach(station_ephemeris, t_u, z)
    dep = depart(station_ephemeris, t_u, port=port, vehicle=veh)
    earliest = add_seconds(t_u, veh.min_deorbit_after_undock_s)
    passes = find_passes(dep.state, dep.state.t, add_seconds(t_u, 86400.0 + 2 * BURN_LEAD_S), z, veh)
    chosen = flight = None
    iters = 0
    tried = []
    for p in passes[:max_passes]:
        guess = add_seconds(parse_utc(p.pass_utc), -BURN_LEAD_S)
        if float(seconds_between(earliest, guess)) < -600.0 or not p.reachable:
            continue
        try:
            with _dv_named(veh, dv_mps):
                tb, ref, iters = solve_burn_time(dep.state, guess, veh, z, dv_mps=dv_mps)
        except DeorbitTooSmallError as exc:      # the dv, not the pass: no other pass can do better
            raise NoLandingError(f"a deorbit dv of {veh.deorbit_dv_mps if dv_mps is None else dv_mps:g} m/s "
                                 f"is too small: {exc}") from None
        except NoLandingError:
            tried.append(p)
            continue
        if float(seconds_between(earliest, tb)) < 0:
            continue
        if abs(ref.entry.miss_cross_m) / 1e3 > z.max_crosstrack_km:
            tried.append(p)
            continue
        chosen, burn_time, reference = p, tb, ref
        break
    if chosen is None:
        raise NoLandingError(
            f"no pass within a day of undocking at {iso_utc(t_u)} brings the {z.name} within reach "
            f"(lateral reach {z.max_crosstrack_km:.0f} km); try another undocking day "
            "(see daily_opportunities / gyrfalcon landing --date)"
        )
    with _dv_named(veh, dv_mps):
        flight = fly_return(dep.state, burn_time, veh, z, mode=mode, dv_mps=dv_mps)
    rng = None
    if station_ephemeris.covers(burn_time):
        s_b = propagator(veh).propagate_to(dep.state, burn_time)
        rng = float(np.linalg.norm(s_b.r_m - station_ephemeris.at(burn_time).r_m))
    return LandingPlan(mode=mode, vehicle=veh.id, zone=z, departure=dep, opportunities=tuple(passes[:8]),
                       chosen=chosen, flight=flight, burn_search_iterations=iters,
                       reference_miss_cross_km=reference.entry.miss_cross_m / 1e3, range_at_burn_m=rng)
