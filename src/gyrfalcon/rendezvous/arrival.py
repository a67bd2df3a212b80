"""Where a rendezvous arrives: the planned contact and the aim point, from the geometry of the flight.

The ballistics rule of each scheme (``rendezvous/data/schemes.toml``, with its sources):

* ``revolutions`` (two-orbit, four-orbit): the contact is planned after the spacecraft has
  flown N revolutions from insertion. Near the end the spacecraft is where the station is, so
  its advance in argument of latitude equals the station's advance plus the catch-up angle
  made up: the planned contact is the instant the station has advanced ``2 pi N - catch_up``
  since insertion (read from the station's ephemeris, not from a Keplerian period).
* ``sunset-on-revolution`` (two-day): the contact is planned at the station's orbital sunset
  on the spacecraft's revolution N (34): the flyaround and final approach are flown in sunlight
  and the contact comes at the end of the lit arc. Revolution numbers follow the Russian count
  (orbit 1 from insertion, +1 at each ascending node) with the spacecraft's advance as above.

The aim point (the braking burn, where the Kurs approach starts) is the planned contact minus
the planning approach duration (30 min, the published nominal phase durations). The contact
the tool reports is not this planned one but the simulated approach's.

Assumptions and limits: cylindrical Earth shadow of radius 6378.137 km (the station enters the
umbra a few seconds later than with a conical shadow and the atmosphere); the Sun from JPL DE421;
station samples every 30 s, interpolated linearly between them (the argument of latitude advances
smoothly; < 0.1 s of error); at beta angles above about 70 deg the station sees no sunset for
some days: the rule then falls back to the middle of revolution N (said in ``rule``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import EphemerisRangeError, InputError

__all__ = ["Arrival", "planned_arrival", "station_sunsets"]

SAMPLE_STEP_S = 30.0
"""Station sampling step for the advance and the shadow search [s]."""
SHADOW_RADIUS_M = 6378137.0
"""Radius of the cylindrical Earth shadow (WGS-84 equatorial radius) [m]."""


@dataclass(frozen=True)
class Arrival:
    """The planned contact and the aim point of one flight, computed by :func:`planned_arrival`
    from that flight's insertion state, catch-up angle and station ephemeris with the scheme's
    arrival rule (a revolution count, or the station's sunset on a revolution): no duration here
    is a constant. The contact the tool reports is the simulated approach's, not this plan's
    (:func:`gyrfalcon.rendezvous.handover.predict_contact`).

    ``aim_after_insertion_s`` / ``contact_after_insertion_s``: seconds after insertion (TT);
    ``aim_utc`` / ``contact_utc``: ISO UTC; ``revolution``: the spacecraft's revolution of the
    planned contact (Russian count); ``rule``: one line saying how it was placed.
    """

    aim_after_insertion_s: float
    contact_after_insertion_s: float
    aim_utc: str
    contact_utc: str
    revolution: int
    rule: str


def _arglat(r, v):
    h = np.cross(r, v)
    z = np.array([0.0, 0.0, 1.0])
    n = np.cross(z, h)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    hn = h / np.linalg.norm(h, axis=-1, keepdims=True)
    m = np.cross(hn, n)
    return np.arctan2(np.sum(r * m, axis=-1), np.sum(r * n, axis=-1))


def _sun_unit(eph, seconds):
    """Unit vectors to the Sun (GCRF) at TT seconds from the ephemeris epoch."""
    from ..orbits.forces import body_positions_gcrf
    from ..time import timescale

    ts = timescale()
    jd = eph.epoch.tt + np.asarray(seconds, float) / 86400.0
    p = np.asarray(body_positions_gcrf("sun", ts.tt_jd(jd))).T.reshape(-1, 3)
    return p / np.linalg.norm(p, axis=1, keepdims=True)


def _lit(r, sun_u):
    p = np.sum(r * sun_u, axis=-1)
    perp = np.linalg.norm(r - p[..., None] * sun_u, axis=-1)
    return (p > 0.0) | (perp > SHADOW_RADIUS_M)


def station_sunsets(eph, s_start: float, s_stop: float) -> np.ndarray:
    """TT seconds (from ``eph.epoch``) at which the station enters the Earth's shadow in [start, stop].

    Found on a 30 s grid and refined by bisection to 0.1 s (the Sun direction is interpolated
    linearly between grid points: it turns 0.04 deg per hour).
    """
    grid = np.arange(s_start, s_stop, SAMPLE_STEP_S)
    if len(grid) < 2:
        return np.zeros(0)
    r, _ = eph.interpolate(grid)
    su = _sun_unit(eph, grid)
    lit = _lit(r, su)
    out = []
    for i in np.nonzero(lit[:-1] & ~lit[1:])[0]:
        a, b = float(grid[i]), float(grid[i + 1])
        ua, ub = su[i], su[i + 1]
        while b - a > 0.1:
            m = 0.5 * (a + b)
            w = (m - grid[i]) / SAMPLE_STEP_S
            u = (1 - w) * ua + w * ub
            u /= np.linalg.norm(u)
            rm, _ = eph.interpolate(m)
            if _lit(rm[None, :], u[None, :])[0]:
                a = m
            else:
                b = m
        out.append(0.5 * (a + b))
    return np.array(out)


def _sunset_past_the_data(sunsets, grid, adv, n_mean: float, reached) -> float | None:
    """The first orbital sunset past the ephemeris' end at which ``reached(station advance)``
    holds, in seconds from the ephemeris epoch, extrapolated: the last sunset the data hold,
    repeated every revolution (their mean spacing; one station period when only one is found:
    the shadow entry drifts by seconds a day), the station advancing at its mean motion
    ``n_mean`` [rad/s] past the last sample. None when the data hold no sunset (a span in
    continuous sunlight, or too short). Only for a refusal naming the span a flight needs."""
    if len(sunsets) == 0:
        return None
    step_s = float(np.mean(np.diff(sunsets))) if len(sunsets) > 1 else 2 * math.pi / n_mean
    s = float(sunsets[-1])
    for _ in range(64):         # at most a few days of revolutions past the data
        s += step_s
        if reached(float(adv[-1]) + n_mean * (s - float(grid[-1]))):
            return s
    return None


def planned_arrival(scheme, chaser0, station_eph, catch_up_rad: float, planning_approach_s: float) -> Arrival:
    """The planned contact and aim point of ``scheme`` for a chaser inserted at ``chaser0``.

    ``station_eph``: the station's inertial (GCRF) ephemeris, which must cover insertion to the
    planned contact plus the approach (else :class:`~gyrfalcon.errors.EphemerisRangeError` naming
    the span needed); ``catch_up_rad``: the catch-up angle the scheme makes up (phase + turns).
    """
    from ..time import add_seconds, iso_utc

    n_rev = int(scheme.contact_revolutions)
    s0 = float(station_eph.seconds_from_epoch(chaser0.t))
    # horizon: the station needs at most (N + 1.5) of its turns (the chaser flies lower, faster)
    r0, v0 = station_eph.interpolate(s0)
    a = 1.0 / (2.0 / np.linalg.norm(r0) - float(v0 @ v0) / 3.986004418e14)
    period = 2 * math.pi * math.sqrt(a ** 3 / 3.986004418e14)
    horizon = (n_rev + 1.5) * period + planning_approach_s
    # search with what the ephemeris has (the arrival may still fit); fail below if it does not
    s_stop = min(s0 + horizon, float(station_eph.t_s[-1]))
    if s_stop <= s0 + 2 * SAMPLE_STEP_S:
        raise EphemerisRangeError(
            f"the station ephemeris ends {iso_utc(station_eph.stop, 0)}, at or before the insertion "
            f"{iso_utc(chaser0.t, 0)}; the {scheme.name} flight needs it from insertion to about "
            f"{iso_utc(add_seconds(chaser0.t, horizon), 0)}")
    grid = np.arange(s0, s_stop, SAMPLE_STEP_S)
    r, v = station_eph.interpolate(grid)
    adv = np.unwrap(_arglat(r, v))
    adv = adv - adv[0]
    u_ins = float(_arglat(np.asarray(chaser0.r_m, float)[None, :], np.asarray(chaser0.v_mps, float)[None, :])[0]) % (2 * math.pi)
    cu = float(catch_up_rad)

    def _missing(what, after_s=horizon):
        # after_s: the predicted contact (from the station's mean motion) plus the approach
        t_contact = add_seconds(chaser0.t, after_s - float(planning_approach_s))
        t_end = add_seconds(chaser0.t, after_s)
        return EphemerisRangeError(
            f"the station ephemeris ends {iso_utc(station_eph.stop, 0)}, before the {scheme.name} "
            f"flight's {what}; it must cover insertion {iso_utc(chaser0.t, 0)} to the predicted contact "
            f"about {iso_utc(t_contact, 0)} plus the approach's nominal {float(planning_approach_s) / 60.0:.0f} min, "
            f"i.e. {iso_utc(chaser0.t, 0)} to about {iso_utc(t_end, 0)}: give an ephemeris that spans it")

    n_mean = 2 * math.pi / period
    if scheme.arrival == "revolutions":
        target = 2 * math.pi * n_rev - cu
        if adv[-1] < target:
            raise _missing(f"planned contact ({n_rev} revolutions after insertion)",
                           target / n_mean + float(planning_approach_s))
        s_contact = float(np.interp(target, adv, grid))
        rule = (f"contact planned {n_rev} revolutions after insertion (station advance "
                f"{math.degrees(target):.1f} deg + catch-up {math.degrees(cu):.1f} deg)")
        rev = n_rev + 1
    elif scheme.arrival == "sunset-on-revolution":
        sunsets = station_sunsets(station_eph, s0, s_stop)
        rev_from_adv = lambda x: 1 + int(math.floor((u_ins + x + cu) / (2 * math.pi)))
        rev_of = lambda s: rev_from_adv(float(np.interp(s, grid, adv)))
        on_rev = [s for s in sunsets if rev_of(s) == n_rev]
        end_rev = (2 * math.pi * n_rev - u_ins - cu)        # station advance at the end of revolution n_rev
        if not on_rev and adv[-1] < end_rev:
            s_sunset = _sunset_past_the_data(sunsets, grid, adv, n_mean, lambda x: rev_from_adv(x) >= n_rev)
            after_s = end_rev / n_mean if s_sunset is None else s_sunset - s0
            raise _missing(f"revolution {n_rev} (its orbital sunset)", after_s + float(planning_approach_s))
        if on_rev:
            s_contact = float(on_rev[0])
            rule = f"contact planned at the station's orbital sunset on revolution {n_rev} (lighting rule)"
        else:
            # the chaser's revolution n_rev: total advance from 2 pi (n_rev - 1) - u_ins to 2 pi n_rev - u_ins
            lo = 2 * math.pi * (n_rev - 1) - u_ins - cu
            hi = lo + 2 * math.pi
            if adv[-1] < hi:
                raise _missing(f"revolution {n_rev}", hi / n_mean + float(planning_approach_s))
            s_contact = float(np.interp(0.5 * (lo + hi), adv, grid))
            rule = (f"no orbital sunset on revolution {n_rev} (station in continuous sunlight): contact "
                    "planned in the middle of that revolution")
        rev = n_rev
    else:  # pragma: no cover - checked when the catalogue is loaded
        raise InputError(f"unknown arrival rule '{scheme.arrival}'")
    s_aim = s_contact - float(planning_approach_s)
    if s_contact + float(planning_approach_s) > station_eph.t_s[-1]:
        raise _missing("approach after the planned contact", s_contact - s0 + float(planning_approach_s))
    t_contact = add_seconds(chaser0.t, s_contact - s0)
    t_aim = add_seconds(chaser0.t, s_aim - s0)
    return Arrival(aim_after_insertion_s=s_aim - s0, contact_after_insertion_s=s_contact - s0,
                   aim_utc=iso_utc(t_aim), contact_utc=iso_utc(t_contact), revolution=rev, rule=rule)
