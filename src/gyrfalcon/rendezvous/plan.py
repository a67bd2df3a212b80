"""Rendezvous planning: from the insertion state to a targeted burn plan and an aim-point arrival.

:func:`plan_rendezvous` is the module's entry point. Steps (each documented where it lives):

1. phase of the station at insertion and the scheme for it (:func:`~.schemes.choose_scheme`:
   ``auto`` chooses, a named scheme is flown or refused);
2. the arrival (:func:`~.arrival.planned_arrival`): the planned contact from the scheme's rule
   (N revolutions after insertion for the fast schemes; the orbital sunset on revolution 34 for
   the two-day scheme, lighting rule), and the aim point 30 min (the published nominal phase
   durations) before it; the burn slots placed by argument of latitude before the aim point
   (half-revolution chain) or on the published orbits (two-day);
3. slot epochs and a first guess: Clohessy-Wiltshire in curvilinear coordinates with the exact
   Keplerian drift, then a minimum-propellant correction in an analytic world of Kepler orbits
   with the secular J2 drifts (:class:`~.twobody.J2SecularDynamics`, which has the
   differential node regression of a long phasing);
4. correction with the J2 model (station and chaser alike), then with the ``full`` force model
   against the station's ephemeris (least change from the J2 plan);
5. impulses converted to finite burns of the main engine (centred on the impulse epochs,
   thrust fixed in the chaser's RTN frame) and re-targeted with the ``full`` model;
6. burn table, arrival at the aim point, planned contact and the relative trajectory.

Objective: among the plans that meet the aim state with the computed burn epochs, the one of
least total delta-v (sum of burn magnitudes, found by iteratively re-weighted minimum-norm
Newton steps: weights 1/sqrt(|dv| + 0.5 m/s)). Assumptions and limits: burn epochs follow the
arrival rule and the slot geometry (not optimised); the split between burns is the
least-propellant one, which for the two-orbit scheme puts about 45 m/s in the braking (flown:
5-12 m/s) -- see docs/validation.md. ``nominal_contact_utc`` is the PLANNED contact (aim + 30 min);
the contact the tool reports is the simulated approach's,
:func:`gyrfalcon.rendezvous.handover.predict_contact` (MS-28: 12:39:37 UTC). For a two-day
flight launch into :func:`recommended_plane_normal` (else the differential J2 node
regression costs some 60-100 m/s of out-of-plane delta-v).

Validation (``tests/rendezvous/test_plan.py``, ``bench/validate_flights.py``,
docs/validation.md): Soyuz MS-28 contact 5.0 min after the actual 12:34:35 (1.1 min after the
planned 12:38:32), total 113.9 m/s (flown about 117), DV3 and braking within 1 min of the
flown epochs; 13 of 17 real 2023-2026 flights within tolerance.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from ..constants import G0_MPS2
from ..errors import InputError
from . import schemes as _schemes
from . import targeting as _tg

IRLS_FLOOR_MPS = 0.5
"""Floor added to a burn's size in the re-weighting 1/sqrt(|dv| + floor) [m/s]."""


@dataclass(frozen=True)
class BurnRecord:
    """One row of the burn table (SI units).

    ``utc``/``met_s``: the burn's centre; ``orbit``/``arglat_deg``: orbit number (1 from
    insertion, +1 at each ascending node) and argument of latitude there; ``dv_rtn_mps``:
    velocity change in the chaser's RTN frame (radial, along-track, normal) at the burn;
    ``duration_s``: 0 for an impulse; ``perigee/apogee_altitude_m``: osculating, after the
    burn (above the WGS-84 equatorial radius); ``range_to_station_m``: at the burn's start.
    """

    name: str
    utc: str
    met_s: float | None
    orbit: int
    arglat_deg: float
    dv_rtn_mps: tuple
    dv_mps: float
    duration_s: float
    propellant_kg: float
    mass_after_kg: float
    perigee_altitude_m: float
    apogee_altitude_m: float
    range_to_station_m: float


@dataclass(frozen=True, eq=False)
class RelativeTrajectory:
    """Chaser relative to the station in the station's LVLH frame, sampled in time: one segment per
    coast arc and per burn, ``segment_starts`` their first samples. The instant where one ends
    and the next starts is a sample of both (the same state at an ignition or cutoff of a finite
    burn; before and after an impulse), so ``t_s`` is increasing within a segment only; an
    :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` of it takes ``segment_starts=`` as given."""

    t_s: np.ndarray          # TT seconds since insertion
    rho_lvlh_m: np.ndarray   # (N, 3)
    rho_dot_lvlh_mps: np.ndarray
    segment_starts: tuple = (0,)   # first sample of each coast arc and burn (an instant ending one starts the next)

    def to_dict(self) -> dict:
        return {"t_s": self.t_s.tolist(), "rho_lvlh_m": self.rho_lvlh_m.tolist(),
                "rho_dot_lvlh_mps": self.rho_dot_lvlh_mps.tolist(), "segment_starts": list(self.segment_starts)}


@dataclass(frozen=True)
class RendezvousPlan:
    """A targeted rendezvous: scheme, burns, arrival at the aim point and predicted contact.

    Times are ISO UTC strings and MET seconds after liftoff (None without a liftoff time).
    ``burns`` are the finite main-engine burns (``dv_mps`` = rocket-equation delta-v of the
    propellant burnt, ``duration_s`` > 0) or, with ``finite=False``, the impulses;
    ``impulsive_burns`` always holds the impulsive plan. ``aim_*``: the aim state (station
    LVLH) and its epoch = the braking burn's centre. ``miss_*``: the corrector's final miss,
    of the impulsive plan against the aim state, or of the finite plan against the impulsive
    plan's post-braking trajectory at ``arrival_utc`` (the impulsive braking's duration plus
    60 s after the aim epoch, so at least 60 s after the finite braking ends);
    ``arrival_rho_*``: the relative state reached there. ``contact_*``: aim epoch + the
    nominal approach duration (the simulated approach's contact:
    :func:`gyrfalcon.rendezvous.handover.predict_contact`). ``chaser_at_aim``: the chaser's
    GCRF state just after the (impulsive) braking at the aim epoch, ``chaser_at_arrival``: the
    flown (finite) plan's at ``arrival_utc`` -- as :meth:`State.to_dict
    <gyrfalcon.orbits.state.State.to_dict>`, the hand-over to a proximity simulation.
    ``corrector``: per stage
    (first-guess, j2, impulsive, finite) the iterations and miss history.
    """

    scheme: str
    scheme_reason: str
    phase_at_insertion_deg: float
    catch_up_deg: float
    force_model: str
    insertion_utc: str
    liftoff_utc: str | None
    burns: tuple                 # finite burns (BurnRecord) when finite=True, else impulsive
    impulsive_burns: tuple
    total_dv_mps: float
    impulsive_total_dv_mps: float
    propellant_kg: float
    aim_utc: str
    aim_met_s: float | None
    aim_rho_lvlh_m: tuple
    aim_rho_dot_lvlh_mps: tuple
    miss_position_m: float
    miss_velocity_mps: float
    arrival_utc: str
    arrival_rho_lvlh_m: tuple
    arrival_rho_dot_lvlh_mps: tuple
    nominal_contact_utc: str
    nominal_contact_met_s: float | None
    approach_duration_s: float
    arrival_rule: str = ""
    vehicle: str = "soyuz-ms"
    chaser_at_aim: dict = field(default_factory=dict)
    chaser_at_arrival: dict = field(default_factory=dict)
    corrector: dict = field(default_factory=dict)
    relative_trajectory: RelativeTrajectory | None = field(default=None, repr=False)

    def table_lines(self) -> list:
        """The burn table and arrival as plain text lines (for logs and a CLI).

        Columns: name, UTC, MET, orbit, arglat [deg], dv R/T/N and |dv| [m/s], duration [s],
        propellant [kg], perigee/apogee after [km], range to the station [km].
        """
        def met(x):
            if x is None:
                return "-"
            x = int(round(x))
            return f"{x // 3600}:{(x % 3600) // 60:02d}:{x % 60:02d}"

        out = [f"scheme {self.scheme}: {self.scheme_reason}",
               f"{'burn':8s} {'UTC':24s} {'MET':>8s} {'orb':>3s} {'u deg':>6s} {'dvR':>7s} {'dvT':>7s} "
               f"{'dvN':>7s} {'|dv|':>7s} {'dur s':>6s} {'prop kg':>7s} {'hp km':>6s} {'ha km':>6s} {'range km':>9s}"]
        for b in self.burns:
            r, t, n = b.dv_rtn_mps
            out.append(f"{b.name:8s} {b.utc:24s} {met(b.met_s):>8s} {b.orbit:3d} {b.arglat_deg:6.1f} {r:7.2f} {t:7.2f} "
                       f"{n:7.2f} {b.dv_mps:7.2f} {b.duration_s:6.1f} {b.propellant_kg:7.1f} "
                       f"{b.perigee_altitude_m / 1e3:6.1f} {b.apogee_altitude_m / 1e3:6.1f} {b.range_to_station_m / 1e3:9.1f}")
        out.append(f"total dv {self.total_dv_mps:.2f} m/s (impulsive plan {self.impulsive_total_dv_mps:.2f}), "
                   f"propellant {self.propellant_kg:.1f} kg")
        out.append(f"aim point {self.aim_utc} (MET {met(self.aim_met_s)}), miss {self.miss_position_m:.3f} m / "
                   f"{self.miss_velocity_mps:.5f} m/s; nominal contact {self.nominal_contact_utc} (MET {met(self.nominal_contact_met_s)}, "
                   f"nominal approach {self.approach_duration_s / 60:.0f} min)")
        return out

    def to_dict(self, with_trajectory: bool = False) -> dict:
        """JSON-ready dictionary (the relative trajectory only when asked)."""
        d = asdict(self)
        d.pop("relative_trajectory")
        if with_trajectory and self.relative_trajectory is not None:
            d["relative_trajectory"] = self.relative_trajectory.to_dict()
        return d


# ---------------------------------------------------------------------------------------
# dynamics adapters
# ---------------------------------------------------------------------------------------
def _default_dynamics(force_model: str, vehicle=None):
    """The project's propagator for a preset; drag figures from the vehicle when the model has drag."""
    from ..orbits.forces import ForceModel
    from ..orbits.propagator import Propagator

    model = ForceModel.coerce(force_model)
    params = None
    if model.has_drag and vehicle is not None:
        params = {"drag_area_m2": vehicle.drag_area_m2, "drag_cd": vehicle.drag_cd}
    return Propagator(model, params=params)


def _finite_arc(dyn, state, t_start, duration_s, thrust_n, isp_s, direction_rtn):
    """State at the end of a constant-thrust burn (thrust fixed in the chaser's RTN frame)."""
    if hasattr(dyn, "finite_arc"):
        return dyn.finite_arc(state, t_start, duration_s, thrust_n, isp_s, direction_rtn)
    from ..orbits.maneuvers import FiniteBurn
    from ..time import add_seconds

    burn = FiniteBurn(t_start, float(duration_s), float(thrust_n), float(isp_s), "RTN",
                      tuple(float(c) for c in direction_rtn))
    t_end = add_seconds(t_start, float(duration_s))
    return dyn.propagate_to(state, t_end, maneuvers=(burn,))


class _StationAt:
    """Station states: from an ephemeris, or propagated from one state with given dynamics."""

    def __init__(self, ephemeris=None, state0=None, dynamics=None):
        self.eph, self.state0, self.dyn = ephemeris, state0, dynamics

    def __call__(self, t):
        if self.eph is not None:
            s = self.eph.at(t)
            return s if s.frame == "GCRF" else s.to("GCRF")
        return self.dyn.propagate_to(self.state0, t)


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _irls_weights(x) -> np.ndarray:
    mags = np.linalg.norm(np.asarray(x, float).reshape(-1, 3), axis=1)
    return np.repeat(1.0 / np.sqrt(mags + IRLS_FLOOR_MPS), 3)


def _solve_irls(chain, x0, cycles: int, mode: str = "total", **kw):
    """Reach the aim with the least change from ``x0`` first, then re-weighted least-norm cycles."""
    x = np.asarray(x0, float).reshape(-1)
    x, F, cache, report = _tg.min_norm_newton(chain.evaluate, chain.jacobian, x,
                                              weights=_irls_weights(x), mode="step", **kw)
    for _ in range(cycles):
        x, F, cache, report = _tg.min_norm_newton(chain.evaluate, chain.jacobian, x,
                                                  weights=_irls_weights(x), mode=mode, **kw)
    return x.reshape(-1, 3), report


def station_mean_motion_rad_s(station_state) -> float:
    """Osculating Keplerian mean motion of the station's state [rad/s] (for the CW model)."""
    from ..orbits.elements import KeplerianElements

    return KeplerianElements.from_state(station_state).mean_motion_rad_s


def recommended_plane_normal(station_r_m, station_v_mps, flight_time_s: float, catch_up_rad: float):
    """Unit GCRF orbit normal to launch into so that J2 regression makes the planes meet at the aim.

    The chaser flies lower than the station on average, by the height that makes up
    ``catch_up_rad`` over ``flight_time_s`` (Keplerian drift 1.5 n dh / a), so its node
    regresses faster (J2: dOmega/dt proportional to a^-3.5). The launch plane is the station's
    rotated about the Earth's axis by minus the difference accumulated over the flight, so the
    planes coincide at the aim point instead of costing out-of-plane delta-v.

    >>> import numpy as np
    >>> r, v = np.array([6.8e6, 0, 0]), np.array([0, 4770.0, 6020.0])
    >>> n = recommended_plane_normal(r, v, 50 * 3600.0, np.radians(300))
    >>> h = np.cross(r, v) / np.linalg.norm(np.cross(r, v))
    >>> round(float(np.degrees(np.arccos(n @ h))), 2)   # ~ 3.5 (dh/a) |dOmega/dt| T sin i = 0.49 deg
    0.5
    """
    from ..constants import EGM2008_A_M, J2_EGM2008, MU_EARTH_M3_S2

    r = np.asarray(station_r_m, float)
    v = np.asarray(station_v_mps, float)
    h = np.cross(r, v)
    hn = h / np.linalg.norm(h)
    rn = float(np.linalg.norm(r))
    a = 1.0 / (2.0 / rn - float(v @ v) / MU_EARTH_M3_S2)
    n = math.sqrt(MU_EARTH_M3_S2 / a ** 3)
    cos_i = float(hn[2])
    T = float(flight_time_s)
    if T <= 0:
        raise InputError(f"flight time must be positive seconds, got {flight_time_s!r}")
    dh = float(catch_up_rad) * a / (1.5 * n * T)          # mean height below the station
    raan_rate = lambda aa: -1.5 * math.sqrt(MU_EARTH_M3_S2 / aa ** 3) * J2_EGM2008 * (EGM2008_A_M / aa) ** 2 * cos_i
    d_raan = (raan_rate(a - dh) - raan_rate(a)) * T        # extra regression of the chaser (< 0)
    ang = -d_raan                                         # start ahead (east) by as much
    c, s = math.cos(ang), math.sin(ang)
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    return rot @ hn



def insertion_plane_normal(station_eph, pad, liftoff, scheme: str = "auto"):
    """Unit GCRF normal of the plane to launch into from ``pad`` (a launch-site Pad) at ``liftoff``.

    The station's orbit plane at liftoff; for a scheme whose aim is timed (two-day) the J2-biased
    plane of :func:`recommended_plane_normal` over the scheme's published nominal flight time (it
    only sets the plane's bias: the aim epoch itself is computed per flight by
    :mod:`~gyrfalcon.rendezvous.arrival`). The scheme is the one that accepts the phase at the
    parametric insertion (``scheme``, or the fastest for ``auto``); raises
    :class:`~gyrfalcon.rendezvous.schemes.NoSchemeError` when it does not.
    """
    from ..launch.windows import phase_at_insertion_rad

    s = station_eph.at(liftoff)
    h = np.cross(s.r_m, s.v_mps)
    n = h / np.linalg.norm(h)
    # the phase the launch-window search classifies its windows with (one definition)
    choice = _schemes.choose_scheme(phase_at_insertion_rad(station_eph, pad, liftoff),
                                    preferred=None if scheme == "auto" else scheme)
    if choice.scheme.aim_slot.kind == "time":
        return recommended_plane_normal(s.r_m, s.v_mps, choice.scheme.aim_slot.after_insertion_s, choice.catch_up_rad)
    return n



def checked_plane_normal(station_eph, pad, liftoff, scheme: str = "auto"):
    """:func:`insertion_plane_normal`, with the pad checked to be near that plane at liftoff
    (:func:`gyrfalcon.launch.insertion.check_pad_near_plane`: a launch vehicle limit) before it is
    flown: a pad too far from the station's plane raises
    :class:`~gyrfalcon.launch.insertion.OutOfPlaneError` first, then a phase the scheme does not fit
    :class:`~gyrfalcon.rendezvous.schemes.NoSchemeError`. The one order of these checks for
    ``gyrfalcon rendezvous`` and ``gyrfalcon run``. ``pad``: a launch-site Pad."""
    from ..launch.insertion import check_pad_near_plane

    def plane_at(t):         # the station's osculating plane, for the nearest in-plane time of a refusal
        st = station_eph.at(t)
        h = np.cross(st.r_m, st.v_mps)
        return h / np.linalg.norm(h)

    try:
        n = insertion_plane_normal(station_eph, pad, liftoff, scheme)
    except _schemes.NoSchemeError:
        check_pad_near_plane(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, plane_at(liftoff), plane_at)
        raise
    check_pad_near_plane(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, n, plane_at)
    return n


def insertion_in_plane(station_eph, pad, liftoff, scheme: str = "auto"):
    """The parametric insertion (:func:`gyrfalcon.launch.insertion.parametric_insertion`, the pad's
    own launcher) of a liftoff (Time) from ``pad`` (a launch-site Pad) into the plane of
    :func:`checked_plane_normal`, with its checks in its order (pad near the plane, then phase)."""
    from ..launch.insertion import parametric_insertion
    from ..launch.vehicles import launcher_for_pad

    n = checked_plane_normal(station_eph, pad, liftoff, scheme)
    return parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, n, vehicle=launcher_for_pad(pad))


def _record(name, orbit, state_before, state_after, t_centre, dv_rtn, duration_s, liftoff, station_at,
            prop_kg, arglat_deg=None):
    """A :class:`BurnRecord`; apsis altitudes from the osculating orbit after the burn."""
    from ..frames import relative_state
    from ..orbits.elements import KeplerianElements
    from ..time import iso_utc, seconds_between
    from .twobody import arglat_rad

    el = KeplerianElements.from_state(state_after, allow_suborbital=True)
    if arglat_deg is None:
        arglat_deg = math.degrees(arglat_rad(state_before.r_m, state_before.v_mps))
    rho, _ = relative_state(station_at(state_before.t), state_before)
    return BurnRecord(
        name=name, utc=iso_utc(t_centre), met_s=None if liftoff is None else float(seconds_between(liftoff, t_centre)),
        orbit=int(orbit), arglat_deg=float(arglat_deg),
        dv_rtn_mps=tuple(float(c) for c in dv_rtn), dv_mps=float(np.linalg.norm(dv_rtn)),
        duration_s=float(duration_s), propellant_kg=float(prop_kg),
        mass_after_kg=float(state_after.mass_kg) if state_after.mass_kg is not None else float("nan"),
        perigee_altitude_m=float(el.perigee_altitude_m), apogee_altitude_m=float(el.apogee_altitude_m),
        range_to_station_m=float(np.linalg.norm(rho)),
    )


# ---------------------------------------------------------------------------------------
# the planner
# ---------------------------------------------------------------------------------------
def plan_rendezvous(insertion, *, liftoff=None, station=None, scheme: str = "auto",
                    vehicle: str = "soyuz-ms", force_model: str = "full", finite: bool = True,
                    dynamics: dict | None = None, trajectory_step_s: float = 60.0,
                    tol_position_m: float = 1.0, tol_velocity_mps: float = 1e-3,
                    enforce_range: bool = True, planning_approach_s: float | None = None) -> RendezvousPlan:
    """Plan the rendezvous burns from ``insertion`` (a GCRF :class:`~gyrfalcon.orbits.state.State`).

    Parameters
    ----------
    insertion : State or launch Insertion
        Chaser at insertion (mass defaults to the vehicle's insertion mass). An
        :class:`~gyrfalcon.launch.insertion.Insertion` also gives the liftoff time.
    liftoff : Time or ISO string, optional
        For mission elapsed times (MET) in the table.
    station : Ephemeris, optional
        The station's trajectory (default: NASA's 2025-11-24 ISS ephemeris).
    scheme : str
        ``auto`` (fastest scheme that accepts the phase) or a scheme name (tried first, with a
        fall-back that says why when the phase is outside its range; with
        ``enforce_range=False`` the named scheme is flown whatever the phase, for studies).
    vehicle : str
        ``soyuz-ms`` or ``progress-ms`` (main-engine thrust and Isp for finite burns).
    force_model : str
        Propagator preset for the final correction (default ``full``).
    finite : bool
        Convert to finite main-engine burns and re-target (default True).
    planning_approach_s : float, optional
        Aim point -> planned contact [s] used to place the aim point (default: the catalogue's
        30 min nominal). :func:`~gyrfalcon.rendezvous.handover.plan_and_fly` passes the simulated
        approach's own duration for the lighting-ruled (two-day) arrival.
    dynamics : dict, optional
        Override the dynamics per stage: keys ``first-guess`` (default
        :class:`~.twobody.J2SecularDynamics`), ``j2`` and ``final``, values
        objects with ``propagate_to(state, t)`` (and ``finite_arc`` or the propagator's
        ``maneuvers=`` for finite burns). For tests and studies.

    The stages: the scheme and its arrival (:func:`~.arrival.planned_arrival`), the impulsive
    burns (:func:`_impulsive_burns`: CW first guess, J2-secular and J2 corrections, the final
    model against the station ephemeris), the finite burns (:func:`_finite_burns`), the plan.
    """
    from .arrival import planned_arrival
    from .twobody import J2SecularDynamics

    from ..time import parse_utc

    insertion, liftoff = _insertion_state(insertion, liftoff)
    cat = _schemes.load_schemes()
    veh = _schemes.get_vehicle(vehicle)
    chaser0 = insertion.to("GCRF") if insertion.frame != "GCRF" else insertion
    if chaser0.mass_kg is None:
        chaser0 = chaser0.with_mass(veh.mass_at_insertion_kg)
    liftoff_t = parse_utc(liftoff) if liftoff is not None else None
    station = _station_ephemeris(station)
    dyn = dict(dynamics or {})
    models = (dyn.get("first-guess") or J2SecularDynamics(), dyn.get("j2") or _default_dynamics("j2"),
              dyn.get("final") or _default_dynamics(force_model, veh))

    st_eph = _StationAt(ephemeris=station)
    st0 = st_eph(chaser0.t)
    phase = _schemes.phase_angle_rad(st0.r_m, st0.v_mps, chaser0.r_m)
    choice = (_schemes.choose_scheme(phase) if scheme == "auto"
              else _schemes.choose_scheme(phase, preferred=scheme, enforce_range=enforce_range))
    approach_s = cat.approach.planning_approach_s if planning_approach_s is None else float(planning_approach_s)
    if not 60.0 <= approach_s <= 7200.0:
        raise InputError(f"planning_approach_s must be 60-7200 s (aim point to contact), got {planning_approach_s!r}")
    arrival = planned_arrival(choice.scheme, chaser0, station, choice.catch_up_rad, approach_s)
    slots = choice.scheme.slots_for(arrival.aim_after_insertion_s)
    n_st = station_mean_motion_rad_s(st0)
    aim = (np.array(cat.approach.aim_rho_lvlh_m), np.asarray(cat.approach.aim_rho_dot_lvlh_mps(n_st)))
    tol = dict(tol_position_m=tol_position_m, tol_velocity_mps=tol_velocity_mps)
    imp = _impulsive_burns(chaser0, slots, choice, st0, st_eph, n_st, aim, models, veh.main_engine_isp_s,
                           force_model, tol, liftoff_t)
    fin = _finite_burns(chaser0, slots, imp, veh, models[2], st_eph, tol, liftoff_t) if finite else None
    return _plan_result(chaser0, liftoff_t, phase, choice, arrival, approach_s, aim, imp, fin, st_eph, models[2],
                        force_model, veh, trajectory_step_s)


def _insertion_state(insertion, liftoff):
    """(the insertion State, the liftoff) from a State or a launch Insertion (which implies the liftoff)."""
    from ..orbits.state import State
    from ..time import add_seconds

    if not isinstance(insertion, State) and hasattr(insertion, "state") and hasattr(insertion, "met_s"):
        # a gyrfalcon.launch Insertion: its state, and the liftoff it implies
        if liftoff is None:
            liftoff = add_seconds(insertion.t, -float(insertion.met_s))
        insertion = insertion.state
    if not isinstance(insertion, State):
        raise InputError(f"insertion must be a gyrfalcon State (GCRF position, velocity, time), "
                          f"got {type(insertion).__name__}")
    return insertion, liftoff


def _station_ephemeris(station):
    """The station's inertial ephemeris (default: the packaged NASA ISS OEM), checked."""
    if station is None:
        from ..orbits.iss import iss_ephemeris

        station = iss_ephemeris("GCRF")
    if not (hasattr(station, "interpolate") and hasattr(station, "at")):
        raise InputError(f"station must be an Ephemeris (inertial), got a {type(station).__name__}; convert a TLE, "
                         "an OEM or a file with gyrfalcon.station_ephemeris(...), or plan with gyrfalcon.plan_rendezvous, "
                         "which takes them directly")
    return station


@dataclass(frozen=True)
class _Impulsive:
    """The impulsive plan: burn epochs, the dv vectors (RTN, (K, 3)), the final miss vector, the
    chaser at the aim, the burn records, the orbit number of each burn and the correctors' reports."""

    times: tuple
    x: np.ndarray
    F: np.ndarray
    final: object
    records: tuple
    orbits: list
    reports: dict


def _impulsive_burns(chaser0, slots, choice, st0, st_eph, n_st, aim, models, isp, force_model, tol,
                     liftoff_t) -> _Impulsive:
    """Stages A-D: CW first guess and its correction in the J2-secular world with re-timing (A/B),
    the J2 world with the station propagated from insertion (C), then the full model against the
    station ephemeris, least change from the J2 plan (D)."""
    from ..time import add_seconds
    from .twobody import arglat_rad

    tb, dj2, dfin = models
    aim_rho, aim_rho_dot = aim
    t0 = chaser0.t
    reports = {}
    X0 = _tg.curvilinear_state(st0.r_m, st0.v_mps, chaser0.r_m, chaser0.v_mps,
                               catch_up_rad=choice.catch_up_rad, match_drift=True)
    x = np.zeros((len(slots), 3))
    offs = _tg.slot_offsets_s(chaser0, slots, x)
    x = _tg.lvlh_to_rtn(_tg.cw_min_norm_burns(n_st, X0, offs, offs[-1], np.concatenate([aim_rho, aim_rho_dot])))
    st_tb = _StationAt(state0=st0, dynamics=tb)
    for _ in range(3):
        offs, adv = _tg.slot_offsets_s(chaser0, slots, x, return_arglat=True)
        times = tuple(add_seconds(t0, float(o)) for o in offs)
        chain = _tg.ImpulsiveChain(chaser0, times, st_tb(times[-1]), aim_rho, aim_rho_dot, tb.propagate_to, isp)
        x, reports["first-guess"] = _solve_irls(chain, x, cycles=6, max_iter=40)
    st_j2 = _StationAt(state0=st0, dynamics=dj2)
    chain = _tg.ImpulsiveChain(chaser0, times, st_j2(times[-1]), aim_rho, aim_rho_dot, dj2.propagate_to, isp)
    x, reports["j2"] = _solve_irls(chain, x, cycles=2, max_iter=40)
    chain = _tg.ImpulsiveChain(chaser0, times, st_eph(times[-1]), aim_rho, aim_rho_dot, dfin.propagate_to, isp)
    xs, F, cache, rep = _tg.min_norm_newton(chain.evaluate, chain.jacobian, x.reshape(-1), weights=_irls_weights(x),
                                            mode="step", max_iter=30, **tol)
    reports["impulsive"] = rep
    if not rep.converged:
        raise _tg.TargetingError(
            f"{choice.scheme.name} targeting with the {force_model} model did not converge: miss "
            f"{rep.miss_position_m:.1f} m, {rep.miss_velocity_mps:.4f} m/s after {rep.iterations} iterations; "
            "check the insertion state and the station ephemeris span")
    x_imp = xs.reshape(-1, 3)
    pre_imp, final_imp = cache
    u_ins = arglat_rad(chaser0.r_m, chaser0.v_mps)
    orbits = [int(math.floor((u_ins + a) / (2 * math.pi) + 1e-9)) + 1 for a in adv]
    records = []
    for k, slot in enumerate(slots):
        s_after = _tg.apply_impulse(pre_imp[k], x_imp[k], isp)
        prop = pre_imp[k].mass_kg - s_after.mass_kg
        records.append(_record(slot.name, orbits[k], pre_imp[k], s_after, times[k], x_imp[k], 0.0, liftoff_t, st_eph,
                               prop))
    return _Impulsive(times, x_imp, F, final_imp, tuple(records), orbits, reports)


@dataclass(frozen=True)
class _Finite:
    """The finite-burn plan: the chain (for the trajectory), its dv vectors, the final miss
    vector, the chaser at the aim check, the burn records and the corrector's report."""

    chain: object
    x: np.ndarray
    F: np.ndarray
    final: object
    records: tuple
    report: object


def _finite_burns(chaser0, slots, imp: _Impulsive, veh, dfin, st_eph, tol, liftoff_t) -> _Finite:
    """Finite main-engine burns centred on the impulsive epochs, re-targeted (least change)."""
    isp = veh.main_engine_isp_s
    fchain = FiniteChain(chaser0, imp.times, imp.x, veh.main_engine_thrust_n, isp, dfin, st_eph, imp.final)
    xf, Ff, cachef, repf = _tg.min_norm_newton(fchain.evaluate, fchain.jacobian, imp.x.reshape(-1),
                                               weights=_irls_weights(imp.x), mode="step", max_iter=30, **tol)
    if not repf.converged:
        raise _tg.TargetingError(
            f"finite-burn re-targeting did not converge: miss {repf.miss_position_m:.1f} m, "
            f"{repf.miss_velocity_mps:.4f} m/s; the burns may be too long for the main engine")
    pre_f, post_f, specs, final_state = cachef
    recs = []
    for k, slot in enumerate(slots):
        _t_start, dur, p = specs[k]
        prop = pre_f[k].mass_kg - post_f[k].mass_kg if pre_f[k].mass_kg is not None else float("nan")
        recs.append(_record(slot.name, imp.orbits[k], pre_f[k], post_f[k], imp.times[k], p, dur, liftoff_t, st_eph,
                            prop, arglat_deg=imp.records[k].arglat_deg))
    return _Finite(fchain, xf, Ff, final_state, tuple(recs), repf)


def _plan_result(chaser0, liftoff_t, phase, choice, arrival, approach_s, aim, imp: _Impulsive, fin, st_eph, dfin,
                 force_model, veh, trajectory_step_s) -> RendezvousPlan:
    """The :class:`RendezvousPlan` of the impulsive (and, if flown, finite) burns."""
    from ..frames import relative_state
    from ..time import add_seconds, iso_utc, seconds_between

    reports = dict(imp.reports)
    if fin is not None:
        reports["finite"] = fin.report
    records = imp.records if fin is None else fin.records
    final_state = imp.final if fin is None else fin.final
    aim_eval_t = imp.times[-1] if fin is None else fin.chain.t_check
    F = imp.F if fin is None else fin.F
    arr_rho, arr_rho_dot = relative_state(st_eph(aim_eval_t), final_state)
    t_aim = imp.times[-1]
    t_contact = add_seconds(t_aim, approach_s)
    met = (lambda t: None) if liftoff_t is None else (lambda t: float(seconds_between(liftoff_t, t)))
    traj = None
    if trajectory_step_s:
        traj = _relative_trajectory(chaser0, imp.times, imp.x, veh.main_engine_isp_s, dfin, st_eph, trajectory_step_s,
                                    None if fin is None else fin.chain, None if fin is None else fin.x)
    aim_rho, aim_rho_dot = aim
    return RendezvousPlan(
        scheme=choice.scheme.name, scheme_reason=choice.reason, phase_at_insertion_deg=math.degrees(phase),
        catch_up_deg=math.degrees(choice.catch_up_rad), force_model=force_model,
        insertion_utc=iso_utc(chaser0.t), liftoff_utc=None if liftoff_t is None else iso_utc(liftoff_t),
        burns=records, impulsive_burns=imp.records, total_dv_mps=float(sum(r.dv_mps for r in records)),
        impulsive_total_dv_mps=float(sum(r.dv_mps for r in imp.records)),
        propellant_kg=float(sum(r.propellant_kg for r in records)),
        aim_utc=iso_utc(t_aim), aim_met_s=met(t_aim), aim_rho_lvlh_m=tuple(float(c) for c in aim_rho),
        aim_rho_dot_lvlh_mps=tuple(float(c) for c in aim_rho_dot), miss_position_m=float(np.linalg.norm(F[:3])),
        miss_velocity_mps=float(np.linalg.norm(F[3:])), arrival_utc=iso_utc(aim_eval_t),
        arrival_rho_lvlh_m=tuple(float(c) for c in arr_rho),
        arrival_rho_dot_lvlh_mps=tuple(float(c) for c in arr_rho_dot),
        nominal_contact_utc=iso_utc(t_contact), nominal_contact_met_s=met(t_contact),
        approach_duration_s=approach_s, arrival_rule=arrival.rule, vehicle=veh.name,
        chaser_at_aim=imp.final.to_dict(), chaser_at_arrival=final_state.to_dict(),
        corrector={k: asdict(v) for k, v in reports.items()}, relative_trajectory=traj,
    )


class FiniteChain:
    """Finite main-engine burns centred on the impulsive epochs, re-targeted on equivalent dv vectors.

    Unknowns: per burn a vector ``p`` (RTN, m/s): the thrust direction is ``p/|p|`` (fixed in the
    chaser's RTN frame), the duration gives ``|p|`` by the rocket equation at constant thrust.
    The aim is checked at ``t_check``, 60 s after the end of the last burn, against the
    impulsive plan's post-braking trajectory propagated to that instant (same dynamics).
    """

    def __init__(self, chaser0, times, x_imp, thrust_n, isp_s, dyn, station_at, final_imp, fd_step_mps=0.01):
        from ..frames import relative_state
        from ..time import add_seconds

        self.chaser0, self.times, self.thrust, self.isp, self.dyn = chaser0, times, thrust_n, isp_s, dyn
        self.station_at = station_at
        self.h = fd_step_mps
        # longest possible braking: from the impulsive plan's masses
        d_last = _tg.burn_duration_s(final_imp.mass_kg * math.exp(
            np.linalg.norm(x_imp[-1]) / (isp_s * G0_MPS2)), float(np.linalg.norm(x_imp[-1])), thrust_n, isp_s)
        self.t_check = add_seconds(times[-1], d_last + 60.0)
        ref = dyn.propagate_to(final_imp, self.t_check)
        st = station_at(self.t_check)
        self.station_check = st
        self._rel = _tg.RelativeTo(st)
        self.aim_rho, self.aim_rho_dot = relative_state(st, ref)

    def _fly_from(self, k, state, x):
        """From ``state`` (before burn k, at any earlier time) through burns k.. to t_check."""
        from ..time import add_seconds

        pre, post, specs = [], [], []
        s = state
        for j in range(k, len(self.times)):
            p = x[j]
            mag = float(np.linalg.norm(p))
            m = s.mass_kg
            dur = _tg.burn_duration_s(m, mag, self.thrust, self.isp) if mag > 0 else 0.0
            t_start = add_seconds(self.times[j], -0.5 * dur)
            s = self.dyn.propagate_to(s, t_start)
            pre.append(s)
            if dur > 0:
                s = _finite_arc(self.dyn, s, t_start, dur, self.thrust, self.isp, p / mag)
            post.append(s)
            specs.append((t_start, dur, np.asarray(p, float)))
        final = self.dyn.propagate_to(s, self.t_check)
        return pre, post, specs, final

    def residual(self, final):
        rho, rho_dot = self._rel(final)
        return np.concatenate([rho - self.aim_rho, rho_dot - self.aim_rho_dot])

    def evaluate(self, xflat):
        x = np.asarray(xflat, float).reshape(-1, 3)
        pre, post, specs, final = self._fly_from(0, self.chaser0, x)
        return self.residual(final), (pre, post, specs, final)

    def jacobian(self, xflat, cache):
        x = np.asarray(xflat, float).reshape(-1, 3)
        pre, post, specs, final = cache
        F0 = self.residual(final)
        K = len(self.times)
        J = np.zeros((6, 3 * K))
        for k in range(K):
            start = self.chaser0 if k == 0 else post[k - 1]
            for c in range(3):
                xp = x.copy()
                xp[k, c] += self.h
                *_, fin = self._fly_from(k, start, xp)
                J[:, 3 * k + c] = (self.residual(fin) - F0) / self.h
        return J


BURN_SAMPLE_STEP_S = 10.0
"""Largest spacing of the relative trajectory's samples inside a finite burn [s]."""


def _relative_trajectory(chaser0, times, x_imp, isp, dyn, station_at, step_s, fchain=None, x_fin=None):
    """Relative LVLH trajectory from insertion to the aim check, one segment per coast arc and per
    finite burn (``segment_starts``): coasts sampled every ``step_s`` seconds (at least nine
    samples each), burns every
    :data:`BURN_SAMPLE_STEP_S` at most (each sample flown from the ignition with the burn's own
    thrust), and both at their ends, so that a segment boundary (ignition, cutoff, or an impulse:
    the same instant before and after it) is a sample of both segments and interpolation never
    crosses a change of thrust."""
    from ..frames import relative_state
    from ..time import seconds_between

    arcs = []   # (start seconds, state at start, end seconds, burn (ignition, dur, thrust, isp, direction) or None)
    if fchain is not None:
        pre, post, specs, _ = fchain._fly_from(0, chaser0, np.asarray(x_fin, float).reshape(-1, 3))
        t_prev, s_prev = 0.0, chaser0
        for k, (ts, dur, p) in enumerate(specs):
            t_s = float(seconds_between(chaser0.t, ts))
            arcs.append((t_prev, s_prev, t_s, None))
            mag = float(np.linalg.norm(p))
            if dur > 0 and mag > 0:
                arcs.append((t_s, pre[k], t_s + dur, (ts, dur, fchain.thrust, fchain.isp, p / mag)))
            t_prev, s_prev = t_s + dur, post[k]
        arcs.append((t_prev, s_prev, float(seconds_between(chaser0.t, fchain.t_check)), None))
    else:
        t_prev, s = 0.0, chaser0
        for k, t in enumerate(times):
            t_k = float(seconds_between(chaser0.t, t))
            arcs.append((t_prev, s, t_k, None))
            s = _tg.apply_impulse(dyn.propagate_to(s, t), x_imp[k], isp)
            t_prev = t_k
        arcs.append((t_prev, s, t_prev, None))
    out_t, out_r, out_v, starts = [], [], [], []
    for a0, s0, a1, burn in arcs:
        if a1 - a0 < 1e-9:           # an impulsive plan's state after its last impulse: no arc to sample
            continue
        starts.append(len(out_t))
        for g, st in _arc_samples(a0, s0, a1, burn, dyn, chaser0, step_s):
            rho, rho_dot = relative_state(station_at(st.t), st)
            out_t.append(g)
            out_r.append(rho)
            out_v.append(rho_dot)
    return RelativeTrajectory(np.array(out_t), np.array(out_r), np.array(out_v), tuple(starts))


def _arc_samples(a0, s0, a1, burn, dyn, chaser0, step_s):
    """(seconds since insertion, state) along one arc, its two ends included: a coast propagated
    sample to sample, a burn flown from its ignition state ``s0`` to each sample."""
    from ..time import add_seconds

    if burn is None:        # a short coast still gets nine samples (an 8th-degree interpolation's worth)
        step = min(float(step_s), (a1 - a0) / 8.0)
        grid = np.unique(np.concatenate([[a0], np.arange(a0, a1, step), [a1]]))
    else:
        n = max(2, int(math.ceil((a1 - a0) / BURN_SAMPLE_STEP_S)) + 1)
        grid = np.linspace(a0, a1, n)
    s = s0
    for g in grid:
        if abs(g - a0) > 1e-9:
            if burn is None:
                s = dyn.propagate_to(s, add_seconds(chaser0.t, float(g)))
            else:
                t_ign, _dur, thrust, isp, direction = burn
                s = _finite_arc(dyn, s0, t_ign, float(g - a0), thrust, isp, direction)
        yield float(g), s
