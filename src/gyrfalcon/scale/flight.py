"""One dispersed flight: dispersed insertion -> guided rendezvous burns -> closed-loop approach.

Guidance choice (a flight-software-like linear guidance, not a full re-plan per run): the
nominal plan is made once per campaign (:func:`build_nominal`: liftoff and plane as
:mod:`gyrfalcon.mission.runner` picks them, the launch module's parametric insertion,
:func:`gyrfalcon.rendezvous.plan.plan_rendezvous` with the ``full`` model and finite burns).
Around it we compute, by finite differences with the same full-model propagator, the
sensitivity of the hand-over state (the plan's arrival check, 60 s after the braking) to

* the chaser's state 60 s before each burn (``S_k``, 6x6), and
* each burn's commanded delta-v vector (``J``, 6 x 3K).

Each run then flies the truth (full model, the run's density scale) from its dispersed
insertion; 60 s before burn ``k`` the guidance, knowing its own state (navigation assumed
perfect: GLONASS/GPS, domain.md 3.1), predicts the hand-over miss linearly and corrects burns
``k..K`` by the least weighted-norm change that cancels it (position [m] and velocity
[m/s] x 600 s weighed alike; with the braking burn alone, 3 unknowns, it is a least-squares
fit). Burn ``k`` is executed with the run's magnitude and pointing errors (finite, centred on
the nominal epoch, thrust fixed in RTN). This is how the fast schemes work (first burns
pre-computed, refined from onboard navigation, domain.md 2.2) and costs one truth propagation
per run instead of a re-targeting. A mid-course correction (``MCC``, nominal size zero) is
inserted half-way between the transfer burn and the braking (:func:`insert_mcc`); from it on
the predicted miss is taken against the TRUE station (Kurs relative navigation, acquisition
from 100 km), so the MCC and the braking cancel the transfer burn's execution error and the
ISS ephemeris error. A two-day flight also gets a zero-size ``trim`` one revolution before its
transfer burn (:func:`insert_trim`): the first burn that sees the day-2 drag drift, as the
real final rendezvous has large burns on that day's navigation. The state deviation the linear map takes is
measured in equinoctial elements (:func:`state_deviation_rows`), so that a lead of tens of km along the orbit stays a
change of longitude over the 30 revolutions of a two-day flight. Limits: linear about the
nominal, so large insertion errors (several sigma) leave a hand-over miss the closing guidance
must absorb; burn epochs are the nominal ones; the Kurs navigation of the MCC is perfect (its
bias is modelled in the approach only).

All runs of a list are flown together (:func:`fly_rendezvous_batch`): the insertions are
vectorised and the truth is one :class:`gyrfalcon.orbits.batch.BatchFlight` (heyoka's SIMD
batch mode, each run a lane with its own clock, density scale and burns; the guidance between
burns is numpy over the runs with fixed-order sums), so a run's result is the same bits
whatever the other runs in its batch; :func:`fly_rendezvous` is the batch of one.

The truth hand-over is the chaser relative to the *true* station: the ephemeris minus the
run's ephemeris error. The approach (:func:`gyrfalcon.proximity.approach.simulate_approach`)
starts there, with the run's Kurs noise scale, bias and approach seed, and the scenario's Kurs
faults. Success = verdict ``captured`` at the scenario's port.

Measured (Soyuz MS-28, default dispersions, campaign seed 1, bench/README.md "Monte Carlo"):
undispersed, the truth reaches the planner's own arrival state within 3 m; 60 runs per model
alone give hand-over misses (p50/p95) of 2/2 m for the insertion errors (the linear guidance
absorbs them; rendezvous dv p5-p95 112.8-115.1 m/s), 1.0/2.7 km for the burn errors (DV3's
error was only corrected by the braking, 45 min later), 78/170 m for the ISS ephemeris error
and 2/3 m for the density (before the MCC). With the MCC, all dispersions, 500 runs, seeds
0/1/2: hand-over miss p50 64-68 m, p95 115-121 m; captured 500/500/499 (the one failure: an
abort after three rejected Kurs updates, a safe back-away; docs/validation.md "Dispersed
campaign"). Before the approach filter's gate allowed for the Kurs bias it states, 488/483/482
were captured (the failures were good Kurs updates rejected by that gate). Cost per run
(bench/README.md "Monte Carlo"): about 2.1 ms for the rendezvous in batch mode (16 ms with the
scalar integrator before), about 3.5 ms for the approach in :mod:`gyrfalcon.proximity.batch`
(0.39 s for the scalar :func:`~gyrfalcon.proximity.approach.simulate_approach`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

from ..errors import GyrfalconError

__all__ = ["Nominal", "RendezvousTruth", "build_nominal", "fly_rendezvous", "fly_rendezvous_batch", "fly_run", "fly_runs",
           "RUN_COLUMNS", "VELOCITY_WEIGHT_S"]

VELOCITY_WEIGHT_S = 600.0
"""Velocity rows of the guidance's least-squares weighed by this time [s] against position rows."""
REF_LEAD_S = 60.0
"""The guidance updates this long before each burn's start [s]."""
FD_POS_M, FD_VEL_MPS = 1.0, 1e-3
"""Finite-difference steps of the state sensitivities."""


@dataclass(frozen=True, eq=False)
class Nominal:
    """The nominal flight and its sensitivities (plain arrays: cheap to send to Dask workers).

    Times are TT seconds after ``insertion_utc``. ``x_nom``: commanded finite-burn vectors (K, 3)
    RTN [m/s]; ``t_centre_s``: burn centres; ``t_ref_s``/``X_ref``: the guidance update epochs
    and the nominal states there (K, 6); ``F_nom``: the nominal hand-over residual;
    ``S``: (K, 6, 6); ``J``: (6, 3K); ``t_check_s``: the hand-over epoch; ``aim_rho_*``: the
    nominal hand-over (LVLH); ``plan_arrival_*``: the planner's own record of it; ``OE_ref``
    (K, 6): the equinoctial elements of ``X_ref`` and ``E_ref`` (K, 6, 6) the inverse of their
    derivative there (:func:`state_deviation_rows`).
    """

    scenario: object          # the parsed Scenario (its dispersions table dropped), parsed once at the edge
    source: str
    liftoff_utc: str
    insertion_utc: str
    plane_normal: tuple
    scheme: str
    burn_names: tuple
    x_nom: np.ndarray
    t_centre_s: np.ndarray
    t_ref_s: np.ndarray
    X_ref: np.ndarray
    F_nom: np.ndarray
    S: np.ndarray
    J: np.ndarray
    t_check_s: float
    aim_rho_m: np.ndarray
    aim_rho_dot_mps: np.ndarray
    mass0_kg: float
    thrust_n: float
    isp_s: float
    nominal_dv_mps: float
    nominal_contact_utc: str
    plan_arrival_rho_m: tuple
    plan_arrival_rho_dot_mps: tuple
    E_ref: np.ndarray
    OE_ref: np.ndarray
    kurs_from_burn: int = -1
    rule_notes: tuple = ()    # a what-if's station rules broken (as `gyrfalcon run` notes them); () otherwise


MCC_FRACTION = 0.5
"""The mid-course correction (MCC) comes this fraction of the way from the transfer burn (the
last phasing burn) to the braking (dimensionless)."""


def insert_mcc(times, x_imp, x_fin, names):
    """The nominal burn list with a zero-size mid-course correction ``MCC`` inserted between the
    last two burns (transfer and braking): ``(times, x_imp, x_fin, names, index of the MCC)``.

    Why: without it the transfer burn's execution error is corrected only by the braking 45 min
    later, which leaves 1-3 km at the hand-over. The Soyuz/Progress final rendezvous makes small
    corrections on Kurs data between the transfer and the braking (Progress MS-03: "3 large and
    3 small burns", ESA Pesquet blog 2016; domain.md 2.3 MS-28: braking then 2 small DPO burns),
    with Kurs acquired from 100 km (proximity.kurs). The MCC is solved with the braking by the
    same linear guidance (6 unknowns for 6 conditions: an exact cancel of the predicted miss).
    """
    from ..time import add_seconds, seconds_between

    K = len(times)
    if K < 2:
        return tuple(times), np.asarray(x_imp), np.asarray(x_fin), tuple(names), -1
    gap = float(seconds_between(times[-2], times[-1]))
    t_mcc = add_seconds(times[-2], MCC_FRACTION * gap)
    times = tuple(times[:-1]) + (t_mcc, times[-1])
    z = np.zeros((1, 3))
    x_imp = np.concatenate([np.asarray(x_imp, float)[:-1], z, np.asarray(x_imp, float)[-1:]])
    x_fin = np.concatenate([np.asarray(x_fin, float)[:-1], z, np.asarray(x_fin, float)[-1:]])
    names = tuple(names[:-1]) + ("MCC", names[-1])
    return times, x_imp, x_fin, names, K - 1


TRIM_AFTER_GAP_S = 6 * 3600.0
"""A phasing coast longer than this before the transfer burn gets a trim (:func:`insert_trim`) [s]."""


def insert_trim(times, x_imp, x_fin, names, period_s: float, k_mcc: int):
    """The burn list with a zero-size ``trim`` one revolution (``period_s``) before the transfer
    burn when the coast before that burn is longer than :data:`TRIM_AFTER_GAP_S` (the two-day
    scheme's day 2): ``(times, x_imp, x_fin, names, index of the MCC)``; else unchanged.

    Why: the two-day flight's last phasing burn (orbit 17) comes a day before the transfer, and
    a density 15 % off drifts the chaser some kilometres along-track over that day; with the
    transfer as the first burn that can see it, the correction cost 145 m/s at p95 and left 276
    m at the hand-over. The real final rendezvous starts from about 475 km with burns computed
    from that day's navigation (Progress MS-03: "3 large and 3 small burns" from 478 km, ESA
    Pesquet blog 2016; Soyuz MS-28's DV2 at 474 km, domain.md 2.3): the trim is that first
    burn. Where it falls is not published: one revolution (of the orbit the last phasing burn
    leaves) before the transfer is our choice (D), not fitted (two revolutions gave a hand-over
    p95 of 24 m instead of 32 on 200 runs). Nominal size zero: the nominal plan, its burns and
    its contact are unchanged; only the runs' guidance uses it.
    """
    from ..time import add_seconds, seconds_between

    j = k_mcc - 1                     # the transfer burn
    if j < 1 or float(seconds_between(times[j - 1], times[j])) <= TRIM_AFTER_GAP_S:
        return tuple(times), np.asarray(x_imp), np.asarray(x_fin), tuple(names), k_mcc
    z = np.zeros((1, 3))
    times = tuple(times[:j]) + (add_seconds(times[j], -float(period_s)),) + tuple(times[j:])
    x_imp = np.concatenate([np.asarray(x_imp, float)[:j], z, np.asarray(x_imp, float)[j:]])
    x_fin = np.concatenate([np.asarray(x_fin, float)[:j], z, np.asarray(x_fin, float)[j:]])
    names = tuple(names[:j]) + ("trim",) + tuple(names[j:])
    return times, x_imp, x_fin, names, k_mcc + 1


def _period_before(plan, k: int) -> float:
    """The chaser's Keplerian period [s] on the orbit left by the plan's burn ``k`` (its apsides)."""
    from ..constants import MU_EARTH_M3_S2, WGS84_A_M

    b = plan.burns[k]
    a = WGS84_A_M + 0.5 * (b.perigee_altitude_m + b.apogee_altitude_m)
    return 2.0 * np.pi * np.sqrt(a ** 3 / MU_EARTH_M3_S2)


def as_scenario(scenario, source: str = "<embedded>"):
    """The :class:`~gyrfalcon.mission.scenario.Scenario` a campaign flies: a Scenario is used as it
    is, TOML text is parsed (once, here at the edge); the dispersions table is dropped (the
    nominal does not depend on it, and the result is hashable)."""
    from ..mission.scenario import Scenario, parse_scenario

    sc = scenario if isinstance(scenario, Scenario) else parse_scenario(str(scenario), source)
    return sc if sc.dispersions is None else sc.model_copy(update={"dispersions": None})


@functools.lru_cache(maxsize=4)
def _station(scenario, source: str):
    from ..mission.runner import station_ephemeris

    return station_ephemeris(scenario, source)


@functools.lru_cache(maxsize=4)
def _dynamics(vehicle: str):
    from ..rendezvous import schemes
    from ..rendezvous.plan import _default_dynamics

    return _default_dynamics("full", schemes.get_vehicle(vehicle))


def _pad(scenario):
    from ..launch.sites import load_sites

    return load_sites().get(scenario.launch.pad)


def build_nominal(scenario, source: str = "<embedded>") -> Nominal:
    """The nominal plan of a scenario (a parsed Scenario, or TOML text parsed here) and its
    guidance sensitivities (about 6 s, cached per process). A ``[dispersions]`` table is ignored."""
    return _build_nominal(as_scenario(scenario, source), source)


@functools.lru_cache(maxsize=2)
def _build_nominal(sc, source: str) -> Nominal:
    from ..launch.insertion import parametric_insertion
    from ..mission.runner import _window
    from ..orbits.state import State
    from ..rendezvous import schemes
    from ..orbits.elements import equinoctial_rows
    from ..rendezvous.handover import plan_and_fly
    from ..rendezvous.plan import FiniteChain
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    eph = _station(sc, source)
    liftoff, _ = _window(sc, eph)
    from ..mission.runner import launch_plane, rule_notes_before_flight

    # the launch geometry for the scenario's scheme, then the station rules, as `gyrfalcon run`
    # checks them: the station rules refused unless a what-if, whose notes are kept
    normal = launch_plane(sc, eph, liftoff)
    rule_notes = rule_notes_before_flight(sc, liftoff, eph=eph)
    veh = schemes.get_vehicle(sc.vehicle.spacecraft)
    pad = _pad(sc)
    s0 = parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, normal, vehicle=sc.vehicle.launcher).state
    s0 = s0.with_mass(veh.mass_at_insertion_kg)

    # the aim point placed for the vehicle and port, as `gyrfalcon rendezvous` and `run` place it
    try:
        plan, appr = plan_and_fly(s0, eph, scheme=sc.rendezvous.scheme, vehicle=sc.vehicle.spacecraft,
                                  port_id=sc.docking.port, seed=sc.seed,
                                  plan_kwargs={"liftoff": liftoff, "force_model": "full", "trajectory_step_s": 0})
    except schemes.NoSchemeError as exc:   # in the scenario's words, with the liftoff, pad and station, as `run`
        from ..mission.runner import _scheme_refused

        raise _scheme_refused(exc, sc, liftoff, eph) from None
    dyn = _dynamics(sc.vehicle.spacecraft)
    st_at = lambda t: eph.at(t)
    times = tuple(parse_utc(b.utc) for b in plan.impulsive_burns)
    x_imp = np.array([b.dv_rtn_mps for b in plan.impulsive_burns])
    x_fin = np.array([b.dv_rtn_mps for b in plan.burns])
    times, x_imp, x_fin, names, k_mcc = insert_mcc(times, x_imp, x_fin, tuple(b.name for b in plan.burns))
    if len(plan.burns) >= 3:
        times, x_imp, x_fin, names, k_mcc = insert_trim(times, x_imp, x_fin, names,
                                                        _period_before(plan, len(plan.burns) - 3), k_mcc)
    chain = FiniteChain(s0, times, x_imp, veh.main_engine_thrust_n, veh.main_engine_isp_s, dyn, st_at,
                        State.from_dict(plan.chaser_at_aim))
    F, cache = chain.evaluate(x_fin.reshape(-1))
    J = chain.jacobian(x_fin.reshape(-1), cache)
    pre, post, specs, final = cache
    K = len(times)
    t_ref, X_ref, S, OE, E = [], [], [], [], []
    for k in range(K):
        t_start = specs[k][0]
        prev = s0 if k == 0 else post[k - 1]
        t_r = add_seconds(t_start, -REF_LEAD_S)
        ref = dyn.propagate_to(prev, t_r)
        X = np.concatenate([ref.r_m, ref.v_mps])
        Sk = np.zeros((6, 6))
        for c in range(6):
            h = FD_POS_M if c < 3 else FD_VEL_MPS
            Xp = X.copy()
            Xp[c] += h
            sp = State(ref.t, Xp[:3], Xp[3:], "GCRF", ref.mass_kg)
            *_, fin = chain._fly_from(k, sp, x_fin)
            Sk[:, c] = (chain.residual(fin) - F) / h
        t_ref.append(float(seconds_between(s0.t, t_r)))
        X_ref.append(X)
        S.append(Sk)
        OE.append(equinoctial_rows(X[:3], X[3:])[0])
        E.append(_elements_inverse(X))
    return Nominal(
        scenario=sc, source=source, liftoff_utc=iso_utc(liftoff), insertion_utc=iso_utc(s0.t),
        plane_normal=tuple(float(c) for c in normal), scheme=plan.scheme,
        burn_names=names, x_nom=x_fin,
        t_centre_s=np.array([float(seconds_between(s0.t, t)) for t in times]), t_ref_s=np.array(t_ref),
        X_ref=np.array(X_ref), F_nom=np.asarray(F, float), S=np.array(S), J=J,
        t_check_s=float(seconds_between(s0.t, chain.t_check)), aim_rho_m=np.asarray(chain.aim_rho),
        aim_rho_dot_mps=np.asarray(chain.aim_rho_dot), mass0_kg=float(s0.mass_kg),
        thrust_n=float(veh.main_engine_thrust_n), isp_s=float(veh.main_engine_isp_s),
        nominal_dv_mps=float(plan.total_dv_mps), nominal_contact_utc=appr.contact_utc or "",
        plan_arrival_rho_m=tuple(plan.arrival_rho_lvlh_m), plan_arrival_rho_dot_mps=tuple(plan.arrival_rho_dot_lvlh_mps),
        kurs_from_burn=k_mcc, E_ref=np.array(E), OE_ref=np.array(OE), rule_notes=rule_notes)


RUN_COLUMNS = (
    "run", "campaign_seed", "approach_seed", "perigee_offset_m", "apogee_offset_m", "plane_tilt_r_rad",
    "plane_tilt_t_rad", "separation_dt_s", "drag_scale", "kurs_noise_scale", "kurs_bias_fraction",
    "station_dr_along_m", "rendezvous_dv_mps", "burn_dv_max_change_mps", "handover_range_m", "handover_miss_m",
    "handover_miss_mps", "verdict", "captured", "failure", "contact_utc", "contact_delay_s", "approach_dv_mps",
    "approach_propellant_kg", "closing_speed_mps", "lateral_offset_m", "total_dv_mps",
)
"""Columns of a campaign's table, one row per run (SI units; ``contact_delay_s``: contact minus the
nominal run's contact; ``failure``: '' when captured, else the cause)."""


def _elements_inverse(X) -> np.ndarray:
    """The inverse of d(equinoctial elements)/d(state) at the state ``X`` (6,): (6, 6)."""
    from ..orbits.elements import equinoctial_rows

    X = np.asarray(X, float)
    P = np.repeat(X[None, :], 6, axis=0)
    h = np.array([FD_POS_M] * 3 + [FD_VEL_MPS] * 3)
    P[np.arange(6), np.arange(6)] += h
    M = np.repeat(X[None, :], 6, axis=0)
    M[np.arange(6), np.arange(6)] -= h
    d = equinoctial_rows(P[:, :3], P[:, 3:]) - equinoctial_rows(M[:, :3], M[:, 3:])
    d[:, 5] = (d[:, 5] + np.pi) % (2 * np.pi) - np.pi
    D = (d / (2.0 * h[:, None])).T             # D[i, j] = d element_i / d state_j
    return np.linalg.inv(D)


def state_deviation_rows(nom: Nominal, k: int, X) -> np.ndarray:
    """The runs' state deviations (n, 6) from the nominal at the guidance update ``k``, for the
    linear miss prediction ``S_k @ dX``.

    Not ``X - X_ref``: a run tens of km ahead of the nominal along its orbit is there a straight
    line, whose curvature the linear map would read as a change of the orbit's energy and so
    of its drift (a 35 km lead reads as ~180 m of semi-major axis: ~50 km of spurious miss
    after the 30 revolutions of a two-day flight). The deviation is taken in equinoctial
    elements (:func:`gyrfalcon.orbits.elements.equinoctial_rows`), where such a lead is a
    change of longitude only, and mapped back to the state by the inverse of the elements'
    derivative at ``X_ref``: the same as ``X - X_ref`` for small deviations.
    """
    from ..orbits.elements import equinoctial_rows

    X = np.asarray(X, float)
    d = equinoctial_rows(X[:, :3], X[:, 3:]) - nom.OE_ref[k][None, :]
    d[:, 5] = (d[:, 5] + np.pi) % (2 * np.pi) - np.pi
    return _matvec_rows(nom.E_ref[k], d)


_PHASE_NAMES = ("closing", "flyaround", "station_keeping", "final_approach", "hold", "back_away", "retreat_hold",
                "manual")
"""The approach's phase names, as its events start a phase change ("back_away: why")."""
_OFF_NOMINAL = ("hold", "back_away", "retreat_hold", "manual")
"""Phases that depart from the nominal sequence: the first one's reason is a failure's cause."""


def failure_cause(res) -> str:
    """``verdict: reason`` of an approach without capture: the contact limits violated, or the
    reason of the first departure from the nominal sequence (the first hold, back-away, retreat
    or manual take-over; for a hold on Kurs inconsistent with the navigation, the rejected
    updates that caused it); without one, the earliest of the last three events. A phase change
    is told by its reason, not the phase's name (``back_away: Kurs lost at 1.3 m, inside the 20 m
    blind limit`` is the loss of Kurs, not "back_away").

    >>> from types import SimpleNamespace as N
    >>> failure_cause(N(verdict="aborted", violations=(), events=("t=1 s: closing", "t=367 s: 3 Kurs updates "
    ...     "rejected in a row: filter re-initialised", "t=367 s: hold: Kurs inconsistent with the navigation; "
    ...     "re-acquiring before backing away", "t=382 s: back_away: re-acquired; abandoning the approach",
    ...     "t=385 s: 3 Kurs updates rejected in a row: filter re-initialised")))
    'aborted: 3 Kurs updates rejected in a row'
    >>> failure_cause(N(verdict="aborted", violations=(), events=("t=1700 s: back_away: Kurs inconsistent at 5.4 m, "
    ...     "inside the 20 m blind limit", "t=1703 s: 3 Kurs updates rejected in a row: filter re-initialised",
    ...     "t=1706 s: 3 Kurs updates rejected in a row: filter re-initialised")))
    'aborted: Kurs inconsistent at 5.4 m, inside the 20 m blind limit'
    """
    import re

    def text(ev) -> str:
        return re.sub(r"^t=[-\d.]+ s: ", "", str(ev))

    if res.violations:
        why = "; ".join(str(v) for v in res.violations)
    elif res.events:
        events = [text(e) for e in res.events]
        first = next((k for k, e in enumerate(events) if e.partition(": ")[0] in _OFF_NOMINAL), None)
        if first is None:
            ev = events[-3] if len(events) >= 3 else events[0]
        elif events[first].partition(": ")[2].startswith("Kurs inconsistent with the navigation") and first > 0:
            ev = events[first - 1]              # the rejected updates that made it hold
        else:
            ev = events[first]
        phase, _, reason = ev.partition(": ")
        if phase in _PHASE_NAMES and reason:
            ev = reason
        why = ev.split(":")[0].split(";")[0]
    else:
        why = ""
    return f"{res.verdict}: {why}" if why else res.verdict


def _rot_small_rows(u, a1, a2):
    """Rows of unit vectors ``u`` (n, 3) tilted by small angles ``a1``, ``a2`` (n,) [rad] about two
    axes normal to each (the burn pointing errors)."""
    u = np.asarray(u, float)
    ax = np.where((np.abs(u[:, 2]) < 0.9)[:, None], np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    p = np.cross(u, ax)
    p /= np.linalg.norm(p, axis=1)[:, None]
    q = np.cross(u, p)
    w = u + a1[:, None] * p + a2[:, None] * q
    return w / np.linalg.norm(w, axis=1)[:, None]


def _matvec_rows(M, X):
    """``M @ x`` for every row ``x`` of ``X`` (n, k), summed in a fixed order so that a row's
    result does not depend on the other rows (BLAS rounds by block shape)."""
    out = np.zeros((len(X), M.shape[0]))
    for j in range(M.shape[1]):
        out += X[:, j:j + 1] * M[:, j][None, :]
    return out


def _insertion_states(nom: Nominal, draws):
    """Dispersed insertion states of the runs, vectorised: ``(t_s, R, V)`` with ``t_s`` the
    separation times [s after the nominal insertion] and GCRF ``R``, ``V`` (n, 3).

    The launch module's parametric insertion with each run's perigee and apogee altitudes and
    its plane normal tilted by two small angles (about the nominal insertion radius and about the
    along-track axis); a separation ``dt`` later moves the state ``dt`` along its two-body orbit
    (the difference from the full-force motion over ~1 s is ~1 mm)."""
    from ..launch.insertion import parametric_insertion
    from ..rendezvous.twobody import kepler_propagate
    from ..time import parse_utc

    sc = nom.scenario
    pad = _pad(sc)
    liftoff = parse_utc(nom.liftoff_utc)
    n0 = np.asarray(nom.plane_normal, float)
    launcher = sc.vehicle.launcher          # the nominal's (build_nominal): a Soyuz-FG inserts later than a 2.1a
    ins0 = parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, n0, vehicle=launcher)
    e_r = ins0.r_gcrf_m / np.linalg.norm(ins0.r_gcrf_m)
    e_t = np.cross(n0, e_r)
    tilt = np.array([d.plane_tilt_rad for d in draws], float)
    normals = n0[None, :] + tilt[:, 0:1] * np.cross(e_r, n0)[None, :] + tilt[:, 1:2] * np.cross(e_t, n0)[None, :]
    normals /= np.linalg.norm(normals, axis=1)[:, None]
    lo = 200e3 + np.array([d.perigee_offset_m for d in draws], float)
    hi = 242e3 + np.array([d.apogee_offset_m for d in draws], float)
    # two apsis altitudes drawn across each other are the same orbit with the names swapped
    perigee, apogee = np.minimum(lo, hi), np.maximum(lo, hi)
    ins = parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, normals, perigee_alt_m=perigee,
                               apogee_alt_m=apogee, vehicle=launcher)
    R, V = np.asarray(ins.r_gcrf_m, float), np.asarray(ins.v_gcrf_mps, float)
    dt = np.array([d.separation_dt_s for d in draws], float)
    # separation dt later: the same orbit, dt further along (two-body, exact Kepler motion)
    for i in np.flatnonzero(dt):
        R[i], V[i] = kepler_propagate(R[i], V[i], float(dt[i]))
    return dt, R, V


@dataclass(frozen=True, eq=False)
class RendezvousTruth:
    """The guided rendezvous of many runs, at the hand-over (arrays over the runs).

    ``t_s`` (n,): hand-over times [s after the nominal insertion]: the nominal's ``t_check_s``
    (60 s after its longest braking), or the end of a run's braking when the corrections made it
    longer than that;
    ``r_m``, ``v_mps`` (n, 3) GCRF; ``mass_kg`` (n,); ``executed_rtn_mps`` (n, K, 3): the burns
    as flown; ``error``: '' or why the run's rendezvous failed; ``steps``: integrator steps.
    """

    t_s: float
    r_m: np.ndarray
    v_mps: np.ndarray
    mass_kg: np.ndarray
    executed_rtn_mps: np.ndarray
    error: tuple
    steps: int


def fly_rendezvous_batch(nom: Nominal, draws) -> RendezvousTruth:
    """Truth of the guided rendezvous of many draws, flown together in heyoka's batch mode
    (:class:`gyrfalcon.orbits.batch.BatchFlight`): a run's result does not depend on the
    other draws in the list."""
    from ..orbits.batch import BatchFlight
    from ..rendezvous.targeting import burn_duration_s
    from ..time import parse_utc

    sc = nom.scenario
    dyn = _dynamics(sc.vehicle.spacecraft)
    n = len(draws)
    K = len(nom.x_nom)
    t0, R, V = _insertion_states(nom, draws)
    drag = np.array([d.drag_scale for d in draws], float)
    fl = BatchFlight(dyn, parse_utc(nom.insertion_utc), R, V, np.full(n, nom.mass0_kg), t_s=t0,
                     params={"drag_scale": drag}, span_s=nom.t_check_s)
    W = np.array([1, 1, 1, VELOCITY_WEIGHT_S, VELOCITY_WEIGHT_S, VELOCITY_WEIGHT_S], float)
    # true station minus ephemeris in the hand-over LVLH frame (T, -N, -R), as _rendezvous_rows
    dr = np.array([d.station_dr_rtn_m for d in draws], float).reshape(n, 3)
    dvv = np.array([d.station_dv_rtn_mps for d in draws], float).reshape(n, 3)
    st_err = np.stack([dr[:, 1], -dr[:, 2], -dr[:, 0], dvv[:, 1], -dvv[:, 2], -dvv[:, 0]], axis=1)
    x_cmd = np.repeat(nom.x_nom[None, :, :], n, axis=0)                 # (n, K, 3)
    executed = np.zeros((n, K, 3))
    scale = np.array([d.burn_scale[:K] for d in draws], float)           # (n, K)
    tilt = np.array([d.burn_tilt_rad[:K] for d in draws], float)         # (n, K, 2)
    for k in range(K):
        late = fl.ok & (fl.t_s > nom.t_ref_s[k] + 1e-9)
        if np.any(late):       # the previous burn, grown by the corrections, runs into this one's slot
            fl.stop(late, f"burn {nom.burn_names[k - 1]} grew so long that it runs into {nom.burn_names[k]}")
        fl.advance(np.maximum(nom.t_ref_s[k], fl.t_s))
        X = np.concatenate([fl.r_m, fl.v_mps], axis=1)
        Jk = nom.J[:, 3 * k:]
        dcmd = (x_cmd[:, k:] - nom.x_nom[None, k:]).reshape(n, -1)
        miss = nom.F_nom[None, :] + _matvec_rows(nom.S[k], state_deviation_rows(nom, k, X)) + _matvec_rows(Jk, dcmd)
        if 0 <= nom.kurs_from_burn <= k:
            # Kurs relative navigation: the miss is relative to the TRUE station (ephemeris + error)
            miss = miss - st_err
        # least weighted-norm change of burns k..K that cancels the predicted miss (one matrix for all runs)
        G = -np.linalg.pinv(W[:, None] * Jk, rcond=1e-9)
        dx = _matvec_rows(G, W[None, :] * miss)
        x_cmd[:, k:] += dx.reshape(n, -1, 3)
        mag = np.linalg.norm(x_cmd[:, k], axis=1)
        fire = mag > 0
        mag_x = mag * scale[:, k]
        d = _rot_small_rows(x_cmd[:, k] / np.where(fire, mag, 1.0)[:, None], tilt[:, k, 0], tilt[:, k, 1])
        executed[:, k] = np.where(fire[:, None], mag_x[:, None] * d, 0.0)
        m = fl.mass_kg
        dur = np.where(fire, burn_duration_s(m, mag_x, nom.thrust_n, nom.isp_s), 0.0)
        t_start = np.maximum(nom.t_centre_s[k] - 0.5 * dur, fl.t_s)
        fl.advance(t_start)
        fl.advance(t_start + dur, thrust_n=np.where(fire, nom.thrust_n, 0.0), isp_s=nom.isp_s, direction=d,
                   frame="RTN")
    # the hand-over: the nominal's t_check, or the end of a braking the corrections made longer
    t_handover = np.maximum(nom.t_check_s, fl.t_s)
    fl.advance(t_handover)
    return RendezvousTruth(t_handover, fl.r_m, fl.v_mps, fl.mass_kg, executed, tuple(fl.error), fl.steps)


def fly_rendezvous(nom: Nominal, draw):
    """Truth of the guided rendezvous for one draw: ``(final State at the hand-over, executed burns (K,3))``
    (:func:`fly_rendezvous_batch` with one run: the same bits as that run in any batch)."""
    from ..errors import PropagationError
    from ..orbits.state import State
    from ..time import add_seconds, parse_utc

    tr = fly_rendezvous_batch(nom, [draw])
    if tr.error[0]:
        raise PropagationError(f"run {draw.index}: the rendezvous {tr.error[0]}")
    t = add_seconds(parse_utc(nom.insertion_utc), float(tr.t_s[0]))
    return State(t, tr.r_m[0], tr.v_mps[0], "GCRF", float(tr.mass_kg[0])), tr.executed_rtn_mps[0]


def _rendezvous_rows(nom: Nominal, draws):
    """The rendezvous part of :func:`fly_runs`: ``(rows, handovers)``; ``handovers[i]`` is ``(t, rho,
    rho_dot, mass_kg)`` relative to the true station, or None after an error (the row then says why)."""
    from ..proximity.relative import inertial_to_lvlh
    from ..time import add_seconds, parse_utc

    rows = []
    for draw in draws:
        row = dict.fromkeys(RUN_COLUMNS)
        row.update(run=draw.index, campaign_seed=draw.campaign_seed, approach_seed=draw.approach_seed,
                   perigee_offset_m=draw.perigee_offset_m, apogee_offset_m=draw.apogee_offset_m,
                   plane_tilt_r_rad=draw.plane_tilt_rad[0], plane_tilt_t_rad=draw.plane_tilt_rad[1],
                   separation_dt_s=draw.separation_dt_s, drag_scale=draw.drag_scale,
                   kurs_noise_scale=draw.kurs_noise_scale, kurs_bias_fraction=draw.kurs_bias_fraction,
                   station_dr_along_m=draw.station_dr_rtn_m[1], verdict="", captured=False, failure="",
                   contact_utc="")
        rows.append(row)
    if not draws:
        return rows, []
    eph = _station(nom.scenario, nom.source)
    tr = fly_rendezvous_batch(nom, draws)
    t_ins = parse_utc(nom.insertion_utc)
    times = [None] * len(draws)
    rho_all, rho_dot_all = np.empty_like(tr.r_m), np.empty_like(tr.v_mps)
    for t_s in np.unique(tr.t_s):          # one hand-over time for (nearly) every run
        sel = np.nonzero(tr.t_s == t_s)[0]
        t = add_seconds(t_ins, float(t_s))
        st = eph.at(t)
        r_t, v_t = np.asarray(st.r_m, float), np.asarray(st.v_mps, float)
        rho_all[sel], rho_dot_all[sel] = inertial_to_lvlh(r_t, v_t, tr.r_m[sel] - r_t, tr.v_mps[sel] - v_t)
        for i in sel:
            times[i] = t
    out = []
    for i, (row, draw) in enumerate(zip(rows, draws)):
        if tr.error[i]:
            row.update(verdict="error", failure=f"rendezvous: {tr.error[i]}")
            out.append(None)
            continue
        executed = tr.executed_rtn_mps[i]
        dv = float(np.linalg.norm(executed, axis=1).sum())
        row["rendezvous_dv_mps"] = dv
        row["burn_dv_max_change_mps"] = float(np.max(np.linalg.norm(executed - nom.x_nom, axis=1)))
        # the true station = ephemeris + error (RTN); in LVLH (T, -N, -R)
        dr, dvv = draw.station_dr_rtn_m, draw.station_dv_rtn_mps
        rho = rho_all[i] - np.array([dr[1], -dr[2], -dr[0]])
        rho_dot = rho_dot_all[i] - np.array([dvv[1], -dvv[2], -dvv[0]])
        row["handover_range_m"] = float(np.linalg.norm(rho))
        row["handover_miss_m"] = float(np.linalg.norm(rho - nom.aim_rho_m))
        row["handover_miss_mps"] = float(np.linalg.norm(rho_dot - nom.aim_rho_dot_mps))
        row["total_dv_mps"] = dv
        out.append((times[i], rho, rho_dot, float(tr.mass_kg[i])))
    return rows, out


def _rendezvous_row(nom: Nominal, draw):
    """:func:`_rendezvous_rows` of one run."""
    rows, out = _rendezvous_rows(nom, [draw])
    return rows[0], out[0]


def _approach_config(nom: Nominal, t_handover, rho=None, rho_dot=None, mass_kg=None, noise_scale=1.0,
                     bias_fraction=0.0):
    """The approach configuration of a run handed over at ``t_handover`` (scenario port, Kurs faults)."""
    from ..proximity.approach import ApproachConfig
    from ..proximity.kurs import KursFault, KursModel
    from ..time import iso_utc, seconds_between

    sc = nom.scenario
    eph = _station(nom.scenario, nom.source)
    k0 = KursModel()
    f = noise_scale
    kurs = replace(k0, range_sigma_far_m=k0.range_sigma_far_m * f, range_sigma_min_m=k0.range_sigma_min_m * f,
                   range_rate_sigma_mps=k0.range_rate_sigma_mps * f, angle_sigma_rad=k0.angle_sigma_rad * f,
                   roll_sigma_rad=k0.roll_sigma_rad * f, bias_fraction=bias_fraction,
                   faults=tuple(KursFault("dropout", x.start_s, x.duration_s) for x in sc.faults.kurs_dropout))
    cfg0 = ApproachConfig(vehicle_type=sc.vehicle.spacecraft)
    left = float(seconds_between(t_handover, eph.stop)) - 2.0
    cfg = replace(cfg0, port_id=sc.docking.port, start_utc=iso_utc(t_handover), kurs=kurs,
                  max_duration_s=min(3600.0, left))
    if rho is not None:
        cfg = replace(cfg, initial_rho_m=tuple(map(float, rho)), initial_rho_dot_mps=tuple(map(float, rho_dot)),
                      thrusters=replace(cfg0.thrusters, mass_kg=float(mass_kg)))
    return cfg, eph


def _fill_approach(row: dict, nom: Nominal, res) -> None:
    """Copy an approach outcome (scalar result, or one run of a batch) into a row."""
    from ..time import parse_utc, seconds_between

    dv = row["rendezvous_dv_mps"]
    row.update(verdict=res.verdict, captured=res.verdict == "captured", approach_dv_mps=float(res.dv_l1_mps),
               approach_propellant_kg=float(res.propellant_kg), total_dv_mps=dv + float(res.dv_l1_mps))
    if res.contact is not None:
        c = res.contact
        row["closing_speed_mps"] = float(getattr(c, "closing_speed_mps", float("nan")))
        row["lateral_offset_m"] = float(getattr(c, "lateral_offset_m", float("nan")))
    if res.contact_utc is not None:
        row["contact_utc"] = res.contact_utc
        if nom.nominal_contact_utc:
            row["contact_delay_s"] = float(seconds_between(parse_utc(nom.nominal_contact_utc),
                                                           parse_utc(res.contact_utc)))
    if res.verdict != "captured":
        row["failure"] = failure_cause(res)


def fly_run(nom: Nominal, draw, approach: bool = True) -> dict:
    """One dispersed flight -> a row (dict over :data:`RUN_COLUMNS`). Errors become a failure cause.

    The approach is the scalar :func:`~gyrfalcon.proximity.approach.simulate_approach`;
    :func:`fly_runs` flies many runs with the vectorised approach instead."""
    row, ho = _rendezvous_row(nom, draw)
    if not approach or ho is None:
        return row
    from ..proximity.approach import simulate_approach

    t, rho, rho_dot, mass = ho
    cfg, eph = _approach_config(nom, t, rho, rho_dot, mass, draw.kurs_noise_scale, draw.kurs_bias_fraction)
    try:
        res = simulate_approach(cfg, seed=draw.approach_seed, ephemeris=eph)
    except GyrfalconError as exc:
        row.update(verdict="error", failure=f"approach: {type(exc).__name__}")
        return row
    _fill_approach(row, nom, res)
    return row


def fly_runs(nom: Nominal, draws, approach: bool = True) -> list:
    """Many dispersed flights -> rows, with the approaches flown together by
    :func:`gyrfalcon.proximity.batch.simulate_approach_batch` (runs grouped by hand-over epoch).

    Same models and random streams per run as :func:`fly_run`; each run's row does not depend on
    the other draws in the list (the batch keeps one random stream per run)."""
    rows, hos = _rendezvous_rows(nom, draws)
    out = list(zip(rows, hos))
    if not approach:
        return rows
    from ..proximity.batch import simulate_approach_batch
    from ..time import iso_utc

    groups: dict = {}
    for i, (row, ho) in enumerate(out):
        if ho is not None:
            groups.setdefault(iso_utc(ho[0]), []).append(i)
    for members in groups.values():
        t = out[members[0]][1][0]
        cfg, eph = _approach_config(nom, t)
        try:
            res = simulate_approach_batch(
                cfg, [draws[i].approach_seed for i in members], ephemeris=eph,
                initial_rho_m=np.array([out[i][1][1] for i in members]),
                initial_rho_dot_mps=np.array([out[i][1][2] for i in members]),
                mass_kg=np.array([out[i][1][3] for i in members]),
                kurs_noise_scale=np.array([draws[i].kurs_noise_scale for i in members]),
                kurs_bias_fraction=np.array([draws[i].kurs_bias_fraction for i in members]))
        except GyrfalconError as exc:
            for i in members:
                rows[i].update(verdict="error", failure=f"approach: {type(exc).__name__}")
            continue
        for j, i in enumerate(members):
            _fill_approach(rows[i], nom, res.run(j))
    return rows
