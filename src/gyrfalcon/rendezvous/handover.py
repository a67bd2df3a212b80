"""Hand-over from the rendezvous plan to the closed-loop proximity simulation, and the chained contact.

:func:`approach_from_plan` starts :func:`gyrfalcon.proximity.approach.simulate_approach` from
the plan's own arrival state instead of the proximity package's default (MS-28) aim point:
the flown finite plan's chaser state at ``plan.arrival_utc`` (a braking burn's duration
plus 60 s after the aim epoch, so at least 60 s after the finite braking, centred on the aim
epoch, ends; :attr:`RendezvousPlan.chaser_at_arrival <gyrfalcon.rendezvous.plan.RendezvousPlan>`),
converted to the station's LVLH frame (origin = station centre, CCSDS axes) with
:func:`gyrfalcon.frames.relative_state` against the station ephemeris. The chaser's mass
there (after the plan's propellant) is given to the thruster model. :func:`predict_contact`
returns the contact time of that chained run: the proximity model's approach is the contact
(the planner's 30 min only places the aim point).

Hand-over point (choice and why): the arrival state is a coasting state after the last
main-engine burn, about 1.9 km from the station centre (the aim point is 2.24 km at the
braking epoch; the chaser keeps closing at about 3.5 m/s for the 90 s to the hand-over), inside the closing phase's domain (any range above the 400 m flyaround
start). The closing guidance steers along the line of sight to the port at its own range-rate
schedule from wherever it starts, so no re-shaping of the hand-over is needed; starting at
the aim epoch instead (the impulsive braking's state) would double-count the braking burn's
finite duration. Checked: the approach's first true state equals the plan's arrival state
(to < 1 m / 1 mm/s) or :class:`HandoverError` is raised (a station ephemeris other than the
plan's).

Assumptions: the station ephemeris is the one the plan was targeted against (GCRF or
EME2000); the approach simulation runs at most ``max_duration_s`` (3600 s) or to the
ephemeris' end, whichever comes first; Kurs faults are timed from the hand-over epoch.

Measured (``tests/rendezvous/test_handover.py``, seed 0, parametric insertion into the ISS
plane, NASA ephemerides; the aim point from the arrival rule, :mod:`~.arrival`): Soyuz MS-28
contact 12:39:37 UTC (5.0 min after the flown 12:34:35, 1.1 min after the planned 12:38:32);
the other flights in docs/validation.md. About 0.4-0.6 s per approach.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import GyrfalconError, InputError

__all__ = ["Handover", "HandoverError", "NoContactError", "handover_state", "approach_from_plan",
           "predict_contact", "plan_and_fly", "REPLAN_TOLERANCE_S", "HANDOVER_TOL_POSITION_M", "HANDOVER_TOL_VELOCITY_MPS"]

HANDOVER_TOL_POSITION_M = 1.0
"""Largest accepted gap between the approach's first state and the plan's arrival state [m]."""
HANDOVER_TOL_VELOCITY_MPS = 1e-3
"""Largest accepted velocity gap at the hand-over [m/s]."""
MIN_APPROACH_SPAN_S = 600.0
"""The station ephemeris must cover at least this long after the hand-over [s]."""


class HandoverError(InputError):
    """The plan and the station ephemeris disagree at the hand-over (a different ephemeris)."""


class NoContactError(GyrfalconError):
    """The chained approach ended without contact (backed away, aborted or timed out)."""


@dataclass(frozen=True)
class Handover:
    """The hand-over state: ``utc`` (ISO), LVLH relative state of the chaser to the station centre
    (``rho_lvlh_m``, ``rho_dot_lvlh_mps``), its range [m] and the chaser's mass [kg] (None if unknown)."""

    utc: str
    rho_lvlh_m: tuple
    rho_dot_lvlh_mps: tuple
    range_m: float
    mass_kg: float | None


def _station(station_eph):
    if station_eph is None:
        from ..orbits.iss import iss_ephemeris

        return iss_ephemeris("GCRF")
    if getattr(station_eph, "frame", None) == "ITRF":
        raise InputError("the station ephemeris must be inertial (GCRF or EME2000); "
                         "use .ephemeris('GCRF') of the OEM or iss_ephemeris('GCRF')")
    return station_eph


def handover_state(plan, station_eph=None) -> Handover:
    """The plan's arrival state relative to the station (LVLH, station centre) at ``plan.arrival_utc``.

    ``plan``: a :class:`~gyrfalcon.rendezvous.plan.RendezvousPlan`; ``station_eph``: the station's
    inertial :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` (default: the packaged ISS one).
    """
    from ..frames import relative_state
    from ..orbits.state import State
    from ..time import iso_utc

    d = getattr(plan, "chaser_at_arrival", None)
    if not d:
        raise InputError("the plan has no chaser_at_arrival state; make it with "
                         "gyrfalcon.rendezvous.plan.plan_rendezvous (which records the hand-over)")
    ch = State.from_dict(d)
    eph = _station(station_eph)
    rho, rho_dot = relative_state(eph.at(ch.t), ch)
    return Handover(utc=iso_utc(ch.t), rho_lvlh_m=tuple(float(c) for c in rho),
                    rho_dot_lvlh_mps=tuple(float(c) for c in rho_dot), range_m=float(np.linalg.norm(rho)),
                    mass_kg=None if ch.mass_kg is None else float(ch.mass_kg))


def approach_from_plan(plan, station_eph=None, port_id: str = "rassvet-nadir", seed: int = 0, faults=(),
                       attitude: str = "xvv", *, max_duration_s: float = 3600.0, config=None):
    """Fly the closed-loop approach from the plan's arrival state; returns an
    :class:`~gyrfalcon.proximity.approach.ApproachResult` (``start_utc`` = ``plan.arrival_utc``).

    ``faults``: :class:`~gyrfalcon.proximity.kurs.KursFault` objects (seconds from the hand-over);
    ``config``: an :class:`~gyrfalcon.proximity.approach.ApproachConfig` whose models and guidance
    are kept (its port, attitude, start and initial state are replaced). Raises
    :class:`HandoverError` when the approach's first state is more than 1 m / 1 mm/s from the
    plan's recorded arrival state, :class:`~gyrfalcon.errors.EphemerisRangeError` when the
    station ephemeris ends less than 10 min after the hand-over.
    """
    from ..errors import EphemerisRangeError
    from ..proximity.approach import ApproachConfig, simulate_approach
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    eph = _station(station_eph)
    ho = handover_state(plan, eph)
    t0 = parse_utc(ho.utc)
    left_s = float(seconds_between(t0, eph.stop)) - 2.0
    if left_s < MIN_APPROACH_SPAN_S:
        raise EphemerisRangeError(
            f"the station ephemeris ends {iso_utc(eph.stop)}, {max(left_s, 0.0):.0f} s after the hand-over at "
            f"{ho.utc}; the approach needs it to run on for at least {MIN_APPROACH_SPAN_S:.0f} s "
            f"(better {max_duration_s:.0f} s, the approach's nominal duration: from the hand-over {ho.utc} to about "
            f"{iso_utc(add_seconds(t0, float(max_duration_s)), 0)}): give an ephemeris that covers the approach")
    duration = min(float(max_duration_s), left_s)
    cfg = config or ApproachConfig()
    thr = cfg.thrusters if ho.mass_kg is None else replace(cfg.thrusters, mass_kg=ho.mass_kg)
    kurs = replace(cfg.kurs, faults=tuple(cfg.kurs.faults) + tuple(faults))
    cfg = replace(cfg, port_id=port_id, attitude=attitude, start_utc=ho.utc, initial_rho_m=ho.rho_lvlh_m,
                  initial_rho_dot_mps=ho.rho_dot_lvlh_mps, thrusters=thr, kurs=kurs, max_duration_s=duration)
    if hasattr(cfg, "vehicle_type"):
        # the plan's vehicle flies the approach (its approach profile: Soyuz MS or Progress MS)
        cfg = replace(cfg, vehicle_type=getattr(plan, "vehicle", "soyuz-ms") or "soyuz-ms")
    res = simulate_approach(cfg, seed=seed, ephemeris=eph)
    # the approach's first true state against the plan's own record of its arrival
    d_r = float(np.linalg.norm(res.rho_lvlh_m[0] - np.asarray(plan.arrival_rho_lvlh_m)))
    d_v = float(np.linalg.norm(res.rho_dot_lvlh_mps[0] - np.asarray(plan.arrival_rho_dot_lvlh_mps)))
    if not (d_r < HANDOVER_TOL_POSITION_M and d_v < HANDOVER_TOL_VELOCITY_MPS) or res.start_utc != plan.arrival_utc:
        raise HandoverError(
            f"hand-over mismatch at {ho.utc}: the approach starts {d_r:.3f} m / {d_v * 1e3:.3f} mm/s from the "
            f"plan's arrival state (tolerance {HANDOVER_TOL_POSITION_M:g} m / {HANDOVER_TOL_VELOCITY_MPS * 1e3:g} mm/s); "
            "pass the station ephemeris the plan was made with")
    return res


def predict_contact(plan, station_eph=None, port_id: str = "rassvet-nadir", seed: int = 0, faults=(),
                    attitude: str = "xvv", **kwargs) -> str:
    """Contact time (ISO UTC) of the approach flown from the plan's arrival (:func:`approach_from_plan`).

    Raises :class:`NoContactError` when the approach ends without contact (verdict ``aborted`` or
    ``timeout``), naming the verdict and the last event.
    """
    res = approach_from_plan(plan, station_eph, port_id, seed, faults, attitude, **kwargs)
    if res.contact_utc is None:
        last = res.events[-1] if res.events else "no event"
        raise NoContactError(
            f"the approach from {res.start_utc} ended without contact ({res.verdict}; {last}); "
            "the nominal contact would be at "
            f"{plan.nominal_contact_utc} -- check the Kurs faults or the guidance settings, or try another seed")
    return res.contact_utc


REPLAN_TOLERANCE_S = 60.0
"""A lighting-ruled plan is made again when its simulated approach differs from the duration it
was planned with by more than this [s]."""


def plan_and_fly(insertion, station_eph=None, *, scheme: str = "auto", vehicle: str = "soyuz-ms",
                 port_id: str = "rassvet-nadir", seed: int = 0, faults=(), attitude: str = "xvv",
                 plan_kwargs: dict | None = None, approach_kwargs: dict | None = None):
    """Plan the rendezvous and fly the approach: ``(plan, approach_result)``. Every entry point
    (``rendezvous``, ``run``, the ``montecarlo`` nominal, the web API, :func:`gyrfalcon.fly_rendezvous`)
    flies through here, so they agree.

    Fast schemes (arrival by revolution count): one plan with the nominal 30 min placement of the
    aim point, then the approach -- the aim point is fixed by the ballistics of the first
    revolutions, whatever the port. Two-day scheme (lighting rule: the planned contact at the
    orbital sunset): the aim point is placed with THIS vehicle's approach to THIS port, so the
    plan is made once with the nominal 30 min, the nominal approach flown (without ``faults``:
    the ballistics centre plans with the nominal approach, not with a what-if's failure), and, if
    its duration differs by more than :data:`REPLAN_TOLERANCE_S`, the plan is made again with the
    simulated duration (what the ballistics centre does with two days to plan the final
    rendezvous for the port and the lighting). The approach is then flown with ``faults``. Either
    way the contact is the simulation's.
    """
    from ..time import parse_utc, seconds_between
    from .plan import plan_rendezvous
    from .schemes import load_schemes

    pk = dict(plan_kwargs or {})
    ak = dict(approach_kwargs or {})

    def fly(p, with_faults=True):
        return approach_from_plan(p, station_eph, port_id, seed, faults if with_faults else (), attitude, **ak)

    plan = plan_rendezvous(insertion, station=station_eph, scheme=scheme, vehicle=vehicle, **pk)
    res = fly(plan, with_faults=False)
    sch = next(s for s in load_schemes().schemes if s.name == plan.scheme)
    if sch.arrival == "sunset-on-revolution" and res.contact_utc is not None:
        flown_s = float(seconds_between(parse_utc(plan.aim_utc), parse_utc(res.contact_utc)))
        if abs(flown_s - plan.approach_duration_s) > REPLAN_TOLERANCE_S:
            pk["planning_approach_s"] = flown_s
            plan = plan_rendezvous(insertion, station=station_eph, scheme=plan.scheme, vehicle=vehicle, **pk)
            res = None
    if res is None or faults:
        res = fly(plan)
    return plan, res


def _minutes(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def describe(plan, result) -> str:
    """One line: hand-over epoch and range, verdict, contact and the approach's length (for logs)."""
    from ..time import parse_utc, seconds_between

    rng = float(np.linalg.norm(result.rho_lvlh_m[0]))
    line = f"hand-over {result.start_utc} at {rng / 1e3:.2f} km: {result.verdict}"
    if result.contact_utc is not None:
        aim_s = float(seconds_between(parse_utc(plan.aim_utc), parse_utc(result.contact_utc)))
        line += f" at {result.contact_utc} ({_minutes(aim_s)} min after the aim point)"
    return line
