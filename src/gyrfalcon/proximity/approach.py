"""Closed-loop simulation of the automated approach, from the rendezvous aim point to contact.

Each control step (1 s): the truth (full-model relative dynamics,
:class:`~gyrfalcon.proximity.relative.RelativeDynamics`, about NASA's ISS ephemeris) gives Kurs
its geometry; Kurs (:mod:`~gyrfalcon.proximity.kurs`) measures at its update rate; the EKF
(:mod:`~gyrfalcon.proximity.filter`, predicting with the full model linearised about the
station) fuses; the guidance (:mod:`~gyrfalcon.proximity.guidance`)
picks the phase and the velocity it wants; the thrusters deliver a quantised, noisy impulse;
the truth is propagated one step. Contact is the first crossing of the port's interface plane
by the chaser's docking interface (within 20 m of the port axis), interpolated inside the step;
its conditions are judged by :func:`~gyrfalcon.proximity.contact.assess_contact`.
Translational 3-DOF plus the attitude limit-cycle model for the contact angles.

Everything random comes from ``numpy.random.default_rng(seed)``: the same seed gives the same run.

**Default scenario -- the MS-28 aim point (assumption, D).** At MET 2:39:58
(2025-11-27 12:07:55.4 UTC) Soyuz MS-28 was 2.27 km from the ISS and braked (domain.md 2.3, C).
The start state is the state *after* that braking (the braking impulses belong to the
rendezvous plan): 2.27 km from the Rassvet nadir port, behind and below the station in the
orbit plane, 50 deg from the port axis (so that the flyaround from 400 m sweeps the published
"about 50 deg"), closing along the line of sight at the closing-phase schedule (5.4 m/s).
Contact flown: 12:34:35 UTC (MET 3:06:38); planned 12:38:29.

Other assumptions: the chaser is a point at its docking interface (its centre of mass, a
few metres behind, feels a gravity difference below 1e-8 m/s^2); the station holds its
attitude law exactly; :class:`Disturbance` impulses (thruster misfires) act on the truth only.

Vehicle and port: the guidance is the vehicle type's profile
(:func:`gyrfalcon.proximity.profiles.approach_guidance`, Soyuz MS or Progress MS) unless
``ApproachConfig.guidance`` is given; the port must exist on ``start_utc``
(:meth:`Station.port_on <gyrfalcon.station.catalog.Station.port_on>`); the flyaround's extent
and so its duration follow from the line of sight at its start and the port axis in LVLH
(station attitude applied).

Measured with the defaults (seed 0; 20 seeds all captured, contact time within 1.3 s):
closing 9.7 min, flyaround 6.0 min, station-keeping 3.0 min, final approach 10.4 min;
contact 12:37:00 UTC, i.e. MET 3:09:03 (2 min 25 s after the flown contact, 1 min 30 s
before the planned one) at 0.121 m/s closing, 0.002 m/s lateral, 4 cm offset; about 20 kg of
propellant; about 0.4 s of computing per run.

>>> MS28_AIM_POINT_UTC
'2025-11-27T12:07:55.4Z'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from .contact import ContactConditions, assess_contact
from .filter import RelativeNavFilter
from .guidance import (AttitudeModel, GuidanceParams, ManualScript, ThrusterModel, hermite_range,
                       smoothstep)
from .kurs import KursModel

__all__ = ["ApproachConfig", "ApproachResult", "Disturbance", "Phase", "simulate_approach", "ms28_aim_point",
           "MS28_LIFTOFF_UTC", "MS28_AIM_POINT_UTC", "MS28_CONTACT_UTC", "RESULT_VERDICTS"]

MS28_LIFTOFF_UTC = "2025-11-27T09:27:57.4Z"
"""Soyuz MS-28 liftoff (domain.md 1.1)."""
MS28_AIM_POINT_UTC = "2025-11-27T12:07:55.4Z"
"""MS-28 braking at the 2.27 km aim point, MET 2:39:58 (domain.md 2.3, C)."""
MS28_CONTACT_UTC = "2025-11-27T12:34:35Z"
"""MS-28 actual contact at Rassvet nadir, MET 3:06:38 (domain.md 1.1)."""
MS28_AIM_RANGE_M = 2270.0
MS28_AIM_ANGLE_RAD = math.radians(50.0)

RESULT_VERDICTS = ("captured", "bounce", "collision", "aborted", "timeout")
"""``ApproachResult.verdict``: a contact verdict, ``aborted`` (backed away, no contact) or ``timeout``."""

CONTACT_ZONE_M = 20.0


@dataclass(frozen=True)
class Phase:
    """One guidance phase: ``name``, UTC start/end (ISO strings) and seconds from the simulation start."""

    name: str
    start_utc: str
    end_utc: str
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Disturbance:
    """An unmodelled impulse on the chaser (thruster misfire, stuck valve): ``dv_port_mps`` (3,) in
    the port sensor frame (u, w, a; +a = away from the port) at ``t_s`` seconds from the start.
    It acts on the truth only; the navigation must notice it through Kurs."""

    t_s: float
    dv_port_mps: tuple

    def __post_init__(self):
        dv = tuple(float(x) for x in self.dv_port_mps)
        if len(dv) != 3 or not all(math.isfinite(x) for x in dv) or not math.isfinite(self.t_s):
            raise InputError(f"a Disturbance needs a finite time and 3 finite impulse components (m/s), got {self.dv_port_mps!r}")
        object.__setattr__(self, "dv_port_mps", dv)


@dataclass(frozen=True)
class ApproachConfig:
    """Scenario and models. ``initial_rho_m``/``initial_rho_dot_mps`` (LVLH, relative to the LVLH
    origin) default to :func:`ms28_aim_point`; ``nav_sigma0_*`` set the filter's initial
    1-sigma (and the seeded initial estimation error). ``guidance``: None = the vehicle type's
    profile (:func:`gyrfalcon.proximity.profiles.approach_guidance`), resolved at run time so
    that ``replace(cfg, vehicle_type=...)`` changes it (:meth:`resolved_guidance`)."""

    port_id: str = "rassvet-nadir"
    station_id: str = "iss"
    attitude: str = "xvv"
    vehicle_type: str = "soyuz-ms"
    start_utc: str = MS28_AIM_POINT_UTC
    initial_rho_m: tuple | None = None
    initial_rho_dot_mps: tuple | None = None
    guidance: GuidanceParams | None = None
    thrusters: ThrusterModel = field(default_factory=ThrusterModel)
    kurs: KursModel = field(default_factory=KursModel)
    attitude_model: AttitudeModel = field(default_factory=AttitudeModel)
    manual: ManualScript | None = None
    disturbances: tuple = ()
    step_s: float = 1.0
    max_duration_s: float = 3600.0
    nav_sigma0_pos_m: float = 10.0
    nav_sigma0_vel_mps: float = 0.05
    j2: bool = True

    def __post_init__(self):
        if not (self.step_s > 0 and self.max_duration_s > self.step_s):
            raise InputError(f"step_s ({self.step_s!r}) must be > 0 and max_duration_s ({self.max_duration_s!r}) longer")
        if not (self.nav_sigma0_pos_m > 0 and self.nav_sigma0_vel_mps > 0):
            raise InputError("nav_sigma0_pos_m and nav_sigma0_vel_mps must be positive (e.g. 10 m and 0.05 m/s)")
        object.__setattr__(self, "disturbances", tuple(self.disturbances))
        for d in self.disturbances:
            if not isinstance(d, Disturbance):
                raise InputError(f"ApproachConfig.disturbances must hold Disturbance objects, got {type(d).__name__}")
        if self.guidance is not None and not isinstance(self.guidance, GuidanceParams):
            raise InputError(f"ApproachConfig.guidance must be a GuidanceParams or None, got {type(self.guidance).__name__}")
        if abs(self.kurs.update_interval_s / self.step_s - round(self.kurs.update_interval_s / self.step_s)) > 1e-9:
            raise InputError(f"the Kurs update interval ({self.kurs.update_interval_s} s) must be a whole number "
                             f"of control steps ({self.step_s} s)")


    def resolved_guidance(self) -> GuidanceParams:
        """The guidance flown: ``guidance`` if set, else the vehicle type's profile."""
        if self.guidance is not None:
            return self.guidance
        from .profiles import approach_guidance

        return approach_guidance(self.vehicle_type)


@dataclass(frozen=True)
class ApproachResult:
    """Outcome of :func:`simulate_approach`.

    ``verdict`` in :data:`RESULT_VERDICTS`; ``contact`` and ``contact_utc`` are ``None`` without
    contact. Arrays (one row per control step, ``t_s`` seconds from ``start_utc``): true and
    estimated LVLH relative state, filter 1-sigma. Kurs updates: ``meas_t_s``, ``meas_values``
    and ``meas_sigma`` (columns as :data:`gyrfalcon.proximity.kurs.CHANNELS`), ``meas_accepted``.
    ``min_distance_m``: closest approach of the docking interface to the port centre.
    """

    start_utc: str
    verdict: str
    contact_utc: str | None
    contact_s: float | None
    contact: ContactConditions | None
    violations: tuple
    propellant_kg: float
    dv_l1_mps: float
    phases: tuple
    events: tuple
    min_distance_m: float
    seed: int
    t_s: np.ndarray = field(repr=False)
    rho_lvlh_m: np.ndarray = field(repr=False)
    rho_dot_lvlh_mps: np.ndarray = field(repr=False)
    est_rho_lvlh_m: np.ndarray = field(repr=False)
    est_rho_dot_lvlh_mps: np.ndarray = field(repr=False)
    sigma_rho_m: np.ndarray = field(repr=False)
    sigma_rho_dot_mps: np.ndarray = field(repr=False)
    meas_t_s: np.ndarray = field(repr=False)
    meas_values: np.ndarray = field(repr=False)
    meas_sigma: np.ndarray = field(repr=False)
    meas_accepted: np.ndarray = field(repr=False)

    def phase(self, name: str) -> Phase:
        """The first phase called ``name`` (KeyError-free: InputError listing the phases flown)."""
        for p in self.phases:
            if p.name == name:
                return p
        raise InputError(f"no phase {name!r} in this run; phases flown: {', '.join(p.name for p in self.phases)}")

    def phase_names(self) -> tuple:
        return tuple(p.name for p in self.phases)

    def summary(self) -> dict:
        """The scalar results as a JSON-ready dict (SI units; angles in rad)."""
        from dataclasses import asdict

        return {
            "start_utc": self.start_utc, "verdict": self.verdict, "contact_utc": self.contact_utc,
            "contact_s": self.contact_s, "contact": None if self.contact is None else asdict(self.contact),
            "violations": list(self.violations), "propellant_kg": self.propellant_kg, "dv_l1_mps": self.dv_l1_mps,
            "min_distance_m": self.min_distance_m, "seed": self.seed, "events": list(self.events),
            "phases": [{"name": p.name, "start_utc": p.start_utc, "end_utc": p.end_utc,
                        "duration_s": p.duration_s} for p in self.phases],
        }


def ms28_aim_point(target, guidance: GuidanceParams | None = None):
    """The default start state ``(rho_m, rho_dot_mps)`` in LVLH (see the module docstring).

    >>> from gyrfalcon.proximity.port import approach_target
    >>> rho, rho_dot = ms28_aim_point(approach_target("rassvet-nadir"))
    >>> np.round(rho, 1) + 0.0, round(float(np.linalg.norm(rho_dot)), 2)
    (array([-1752.1,     0. ,  1467.2]), 5.44)
    """
    g = guidance or GuidanceParams()
    rows = target.sensor_rows
    direction = math.cos(MS28_AIM_ANGLE_RAD) * rows[2] - math.sin(MS28_AIM_ANGLE_RAD) * rows[0]
    rho = target.position_lvlh_m + MS28_AIM_RANGE_M * direction
    return rho, -g.closing_speed(MS28_AIM_RANGE_M) * direction


def _freeze(a):
    a = np.asarray(a)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class _Setup:
    """What every approach simulation (scalar or batch) derives from its config before stepping."""

    tgt: object
    rows: np.ndarray
    p_port: np.ndarray
    axis: np.ndarray
    env: object
    tan_cor: float
    t_start: object
    dt: float
    n_steps: int
    dyn: object


def _setup(cfg: ApproachConfig, ephemeris=None) -> _Setup:
    """Target port, corridor, time grid and truth dynamics of ``cfg`` (default station: the shipped ISS OEM)."""
    from ..orbits.iss import iss_ephemeris
    from ..time import parse_utc
    from .port import approach_target
    from .relative import RelativeDynamics

    from ..station.catalog import load_station

    # the port must exist, and be free of blocking, on the day (one line naming the ports there were)
    load_station(cfg.station_id).port_on(cfg.port_id, cfg.start_utc, cfg.vehicle_type)
    tgt = approach_target(cfg.port_id, cfg.station_id, cfg.attitude, cfg.vehicle_type)
    t_start = parse_utc(cfg.start_utc)
    eph = ephemeris if ephemeris is not None else iss_ephemeris("GCRF")
    dt = float(cfg.step_s)
    n_steps = int(math.ceil(cfg.max_duration_s / dt))
    dyn = RelativeDynamics.from_ephemeris(eph, t_start, (n_steps + 1) * dt, dt, cfg.j2)
    return _Setup(tgt, tgt.sensor_rows, tgt.position_lvlh_m, tgt.axis_lvlh, tgt.envelope,
                  math.tan(cfg.resolved_guidance().corridor_half_angle_rad or tgt.corridor_half_angle_rad),
                  t_start, dt, n_steps, dyn)


def _initial_state(cfg: ApproachConfig, tgt):
    """The start state ``(rho_m, rho_dot_mps)`` in LVLH: the config's, or the MS-28 aim point."""
    if cfg.initial_rho_m is None:
        return ms28_aim_point(tgt, cfg.resolved_guidance())
    rho0 = np.asarray(cfg.initial_rho_m, float)
    rhod0 = np.zeros(3) if cfg.initial_rho_dot_mps is None else np.asarray(cfg.initial_rho_dot_mps, float)
    if rho0.shape != (3,) or rhod0.shape != (3,):
        raise InputError("initial_rho_m and initial_rho_dot_mps must have 3 components (LVLH, m and m/s)")
    return rho0, rhod0


def simulate_approach(config: ApproachConfig | None = None, seed: int = 0, ephemeris=None) -> ApproachResult:
    """Run one closed-loop approach (see the module docstring); deterministic given ``seed``.

    ``ephemeris``: the station's inertial trajectory (default: the shipped NASA ISS OEM,
    :func:`gyrfalcon.orbits.iss.iss_ephemeris`).
    """
    from ..time import add_seconds, iso_utc

    cfg = config or ApproachConfig()
    g, thr, kurs = cfg.resolved_guidance(), cfg.thrusters, cfg.kurs
    su = _setup(cfg, ephemeris)
    tgt, rows, p_port, axis, env, tan_cor = su.tgt, su.rows, su.p_port, su.axis, su.env, su.tan_cor
    t_start, dt, n_steps, dyn = su.t_start, su.dt, su.n_steps, su.dyn
    rho0, rhod0 = _initial_state(cfg, tgt)

    rng = np.random.default_rng(seed)
    att_params = cfg.attitude_model.draw(rng)
    bias = kurs.draw_bias(rng)
    sig0 = np.array([cfg.nav_sigma0_pos_m] * 3 + [cfg.nav_sigma0_vel_mps] * 3)
    x_hat0 = np.concatenate([rho0, rhod0]) + sig0 * rng.standard_normal(6)
    nav = RelativeNavFilter(dyn.mean_motion_rad_s, x_hat0, np.diag(sig0**2), dv_error_fraction=thr.dv_error_fraction,
                            bias_fraction=kurs.bias_fraction)

    d_r, d_v = dyn.from_lvlh(0, rho0, rhod0)
    mass = thr.mass_kg
    propellant = 0.0
    dv_l1 = 0.0
    meas_every = int(round(kurs.update_interval_s / dt))

    # logs
    T = np.empty(n_steps + 1)
    R = np.empty((n_steps + 1, 3)); RD = np.empty((n_steps + 1, 3))
    RH = np.empty((n_steps + 1, 3)); RDH = np.empty((n_steps + 1, 3))
    SR = np.empty((n_steps + 1, 3)); SRD = np.empty((n_steps + 1, 3))
    m_t, m_v, m_s, m_ok = [], [], [], []
    events: list[str] = []
    phases: list[list] = []

    st = {"phase": "closing", "since": 0.0, "resume": None, "hold_pos": None, "fly": None,
          "retries": 0, "takeover": None, "rejects": 0, "reacquire": False}

    def set_phase(name, t, why=None):
        if phases:
            phases[-1][2] = t
        phases.append([name, t, t])
        st["phase"], st["since"] = name, t
        if why:
            events.append(f"t={t:.0f} s: {name}: {why}")

    set_phase("closing", 0.0)
    last_good = 0.0
    verdict, contact, contact_s, violations = "timeout", None, None, ()
    min_dist = math.inf
    rho, rhod = dyn.to_lvlh(0, d_r, d_v)
    k_last = n_steps
    end_reason = None

    def plan_flyaround(t, p_hat, v_hat):
        d = p_hat - p_port
        r0 = float(np.linalg.norm(d))
        dh = d / r0
        theta0 = math.acos(max(-1.0, min(1.0, float(dh @ axis))))
        e = dh - (dh @ axis) * axis
        en = float(np.linalg.norm(e))
        e = rows[0] if en < 1e-9 else e / en
        t_fly = g.flyaround_time(theta0, r0 - g.station_keeping_range_m)
        # the range profile is a cubic from (r0, rd0) to rest at the station-keeping range; it stays
        # monotonic (no dip towards the station on a long arc) only if |rd0| T <= 3 (r0 - r1): the
        # guidance brakes to that rate at the flyaround start
        rd0 = max(float(v_hat @ dh), -3.0 * max(r0 - g.station_keeping_range_m, 0.0) / t_fly)
        st["fly"] = (t, r0, rd0, theta0, e, t_fly)

    for k in range(n_steps):
        t = k * dt
        q, qd = tgt.to_port(rho, rhod)
        dist = float(np.linalg.norm(q))
        min_dist = min(min_dist, dist)

        # --- Kurs and the filter ---------------------------------------------------------
        if k % meas_every == 0:
            ang, _ = cfg.attitude_model.angles(t, att_params)
            m = kurs.measure(t, rho - p_port, rhod, float(ang[2]), rows, rng, bias)
            if m is not None:
                ok = nav.update(m, p_port, rows)
                m_t.append(t); m_v.append(m.values); m_s.append(m.sigma); m_ok.append(ok)
                if ok:
                    last_good = t
                    st["rejects"] = 0
                else:
                    st["rejects"] += 1
                    if st["rejects"] >= g.reject_run:
                        st["rejects"] = 0
                        rng_now = float(m.values[0])
                        nav.reinflate(g.reacquire_sigma_fraction * rng_now, g.reacquire_sigma_vel_mps)
                        events.append(f"t={t:.0f} s: {g.reject_run} Kurs updates rejected in a row: filter re-initialised")
                        if st["phase"] in ("closing", "flyaround", "station_keeping", "final_approach", "hold") \
                                and not st["reacquire"]:
                            st["reacquire"] = True
                            st["hold_pos"] = None
                            set_phase("hold", t, "Kurs inconsistent with the navigation; re-acquiring before backing away")
        T[k], R[k], RD[k] = t, rho, rhod
        RH[k], RDH[k] = nav.x[:3], nav.x[3:]
        SR[k], SRD[k] = nav.sigma_position_m, nav.sigma_velocity_mps
        nav_lost = (t - last_good) > g.hold_after_s
        p_hat, v_hat = nav.x[:3].copy(), nav.x[3:].copy()
        qh, qdh = tgt.to_port(p_hat, v_hat)
        dist_h = float(np.linalg.norm(qh))
        ph = st["phase"]

        # --- manual takeover ---------------------------------------------------------------
        man = cfg.manual
        if man is not None and ph != "manual" and st["takeover"] is None:
            by_time = man.takeover_at_s is not None and t >= man.takeover_at_s
            by_fault = man.takeover_on_nav_fault and nav_lost and ph not in ("back_away", "retreat_hold")
            if by_time or by_fault:
                st["takeover"] = t
                set_phase("manual", t, "TORU takeover (" + ("scheduled" if by_time else "Kurs lost") + ")")
                ph = "manual"

        # --- automatic guidance ------------------------------------------------------------
        v_des = None
        deadband = g.deadband(dist_h)
        if ph == "manual":
            noise = rng.standard_normal(6)
            sp = man.position_sigma_m + dist * np.array([man.lateral_sigma_fraction] * 2 + [man.range_sigma_fraction])
            q_p = q + sp * noise[:3]
            qd_p = qd + man.velocity_sigma_mps * noise[3:]
            lat = q_p[:2]
            closing = man.closing_speed(t - st["takeover"], float(q_p[2]))
            if float(np.linalg.norm(lat)) > tan_cor * max(q_p[2], 0.0) + g.corridor_margin_m and closing > 0:
                closing = 0.0                      # fly to the axis first
            v_lat = np.clip(-man.lateral_gain_per_s * lat, -g.lateral_speed_max_mps, g.lateral_speed_max_mps)
            dv_port = np.array([v_lat[0], v_lat[1], -closing]) - qd_p
            dv_port = np.where(np.abs(dv_port) > np.array([man.lateral_deadband_mps] * 2 + [man.deadband_mps]), dv_port, 0.0)
        else:
            if ph in ("closing", "flyaround", "station_keeping", "final_approach") and nav_lost:
                if ph == "final_approach" and qh[2] < g.blind_min_range_m:
                    set_phase("back_away", t, f"Kurs lost at {qh[2]:.1f} m, inside the {g.blind_min_range_m:g} m blind limit")
                else:
                    st["resume"], st["hold_pos"] = ph, p_hat
                    set_phase("hold", t, f"no valid Kurs data for {t - last_good:.0f} s")
                ph = st["phase"]
            if ph == "hold" and st["reacquire"]:
                if t - st["since"] >= g.reacquire_s:
                    st["reacquire"] = False
                    set_phase("back_away", t, "re-acquired; abandoning the approach")
                    ph = "back_away"
            elif ph == "hold":
                if not nav_lost:
                    resume = st["resume"]
                    set_phase(resume, t, "Kurs back, resuming")
                    if resume == "flyaround":
                        plan_flyaround(t, p_hat, v_hat)
                    ph = resume
                elif t - st["since"] > g.back_away_after_s:
                    set_phase("back_away", t, f"Kurs lost for more than {g.back_away_after_s:g} s")
                    ph = "back_away"
            if ph == "closing":
                d = p_hat - p_port
                rr = float(np.linalg.norm(d))
                if rr <= g.flyaround_start_range_m:
                    plan_flyaround(t, p_hat, v_hat)
                    set_phase("flyaround", t)
                    ph = "flyaround"
                else:
                    v_des = -g.closing_speed(rr) * d / rr
            if ph == "flyaround":
                t0, r0, rd0, th0, e, t_fly = st["fly"]
                tau = t - t0
                if tau >= t_fly:
                    set_phase("station_keeping", t)
                    ph = "station_keeping"
                else:
                    sm, dsm = smoothstep(tau / t_fly)
                    th = th0 * (1 - sm)
                    thd = -th0 * dsm / t_fly
                    r, rd = hermite_range(tau, t_fly, r0, rd0, g.station_keeping_range_m)
                    dirv = math.cos(th) * axis + math.sin(th) * e
                    ddir = thd * (-math.sin(th) * axis + math.cos(th) * e)
                    p_ref = p_port + r * dirv
                    v_des = rd * dirv + r * ddir + g.position_gain_per_s * (p_ref - p_hat)
            if ph == "station_keeping":
                tau = t - st["since"]
                p_ref = p_port + g.station_keeping_range_m * axis
                sig_lat = float(np.sqrt(max(np.max(np.diag(rows[:2] @ nav.p[:3, :3] @ rows[:2].T)), 0.0)))
                go = (tau >= g.station_keeping_min_s and sig_lat < g.go_sigma_lateral_m
                      and float(np.linalg.norm(p_ref - p_hat)) < g.go_offset_m
                      and float(np.linalg.norm(v_hat)) < g.go_speed_mps)
                if go:
                    set_phase("final_approach", t)
                    ph = "final_approach"
                elif tau > g.station_keeping_max_s:
                    set_phase("back_away", t, "no go for final approach within the station-keeping time")
                    ph = "back_away"
                else:
                    v_des = g.position_gain_per_s * (p_ref - p_hat)
            if ph == "final_approach":
                lat = qh[:2]
                closing = -float(qdh[2])
                sched = g.final_speed(float(qh[2]))
                if float(np.linalg.norm(lat)) > tan_cor * max(float(qh[2]), 0.0) + g.corridor_margin_m:
                    set_phase("back_away", t, f"outside the corridor: lateral {np.linalg.norm(lat):.2f} m at {qh[2]:.1f} m")
                    ph = "back_away"
                elif closing > g.rate_tolerance_factor * sched + g.rate_tolerance_mps:
                    set_phase("back_away", t, f"closing at {closing:.3f} m/s, schedule {sched:.3f} m/s")
                    ph = "back_away"
                elif (g.envelope_guard and qh[2] < g.contact_guard_range_m
                      and not (env.closing_speed_min_mps <= closing <= env.closing_speed_max_mps)):
                    set_phase("back_away", t, f"closing at {closing:.3f} m/s near contact, outside the capture envelope")
                    ph = "back_away"
                else:
                    v_lat = np.clip(-g.lateral_gain_per_s * lat, -g.lateral_speed_max_mps, g.lateral_speed_max_mps)
                    v_des = rows.T @ np.array([v_lat[0], v_lat[1], -sched])
            if ph == "back_away":
                if qh[2] >= g.station_keeping_range_m:
                    st["hold_pos"] = p_hat
                    set_phase("retreat_hold", t)
                    ph = "retreat_hold"
                else:
                    v_des = rows.T @ np.array([0.0, 0.0, g.back_away_speed_mps])
            if ph == "retreat_hold":
                if t - st["since"] >= g.retreat_hold_s:
                    if st["retries"] < g.max_retries and not nav_lost:
                        st["retries"] += 1
                        set_phase("station_keeping", t, f"retry {st['retries']}")
                        v_des = g.position_gain_per_s * (p_port + g.station_keeping_range_m * axis - p_hat)
                    else:
                        end_reason = "aborted"
                        k_last = k
                        break
                else:
                    v_des = g.position_gain_per_s * (st["hold_pos"] - p_hat)
            if ph == "hold":
                v_des = np.zeros(3) if st["hold_pos"] is None else g.position_gain_per_s * (st["hold_pos"] - p_hat)
            dv_port = np.zeros(3) if v_des is None else rows @ (v_des - v_hat)
            dv_port = np.where(np.abs(dv_port) > deadband, dv_port, 0.0)

        # --- thrusters and propagation -------------------------------------------------------
        dv_q = thr.quantize(dv_port, mass, dt)
        err = rng.standard_normal(3)
        if np.any(dv_q):
            dv_true = dv_q * (1.0 + thr.dv_error_fraction * err)
            used = thr.propellant_kg(dv_q, mass)
            propellant += used
            mass -= used
            dv_l1 += float(np.sum(np.abs(dv_q)))
            d_v = d_v + dyn.lvlh_to_inertial_vector(k, rows.T @ dv_true)
            nav.predict(dt, rows.T @ dv_q, dyn.linear_stm(k))
        else:
            nav.predict(dt, None, dyn.linear_stm(k))
        for dist_ev in cfg.disturbances:
            if t <= dist_ev.t_s < t + dt:
                d_v = d_v + dyn.lvlh_to_inertial_vector(k, rows.T @ np.asarray(dist_ev.dv_port_mps))
                events.append(f"t={t:.0f} s: disturbance {dist_ev.dv_port_mps} m/s (port frame)")
        d_r, d_v = dyn.step(k, d_r, d_v)
        rho1, rhod1 = dyn.to_lvlh(k + 1, d_r, d_v)
        q1, qd1 = tgt.to_port(rho1, rhod1)

        # --- contact ----------------------------------------------------------------------
        if q[2] > 0.0 >= q1[2] and float(np.linalg.norm(q1[:2])) < CONTACT_ZONE_M:
            f = float(q[2] / (q[2] - q1[2]))
            qc = q + f * (q1 - q)
            qdc = qd + f * (qd1 - qd)
            contact_s = t + f * dt
            ang, rate = cfg.attitude_model.angles(contact_s, att_params)
            contact = ContactConditions(
                closing_speed_mps=-float(qdc[2]), lateral_speed_mps=float(np.linalg.norm(qdc[:2])),
                lateral_offset_m=float(np.linalg.norm(qc[:2])), pitch_yaw_rad=float(math.hypot(ang[0], ang[1])),
                roll_rad=abs(float(ang[2])), angular_rate_rad_s=float(np.linalg.norm(rate)))
            cv = assess_contact(contact, env)
            verdict, violations = cv.verdict, cv.violations
            events.append(f"t={contact_s:.1f} s: contact: {verdict}" + (f" ({'; '.join(violations)})" if violations else ""))
            min_dist = min(min_dist, float(np.linalg.norm(qc)))
            k_last = k + 1
            end_reason = "contact"
            rho, rhod = rho1, rhod1
            T[k + 1], R[k + 1], RD[k + 1] = (k + 1) * dt, rho1, rhod1
            RH[k + 1], RDH[k + 1] = nav.x[:3], nav.x[3:]
            SR[k + 1], SRD[k + 1] = nav.sigma_position_m, nav.sigma_velocity_mps
            break
        rho, rhod = rho1, rhod1
    else:
        k_last = n_steps - 1

    if end_reason == "aborted":
        verdict = "aborted"
    end_s = contact_s if contact_s is not None else k_last * dt
    if phases:
        phases[-1][2] = end_s
    n = k_last + 1
    phase_objs = tuple(Phase(nm, iso_utc(add_seconds(t_start, a)), iso_utc(add_seconds(t_start, b)), float(a), float(b))
                       for nm, a, b in phases)
    contact_utc = None if contact_s is None else iso_utc(add_seconds(t_start, contact_s))
    mv = np.array(m_v).reshape(-1, 5)
    ms = np.array(m_s).reshape(-1, 5)
    return ApproachResult(
        start_utc=iso_utc(t_start), verdict=verdict, contact_utc=contact_utc, contact_s=contact_s,
        contact=contact, violations=tuple(violations), propellant_kg=float(propellant), dv_l1_mps=float(dv_l1),
        phases=phase_objs, events=tuple(events), min_distance_m=float(min_dist), seed=int(seed),
        t_s=_freeze(T[:n].copy()), rho_lvlh_m=_freeze(R[:n].copy()), rho_dot_lvlh_mps=_freeze(RD[:n].copy()),
        est_rho_lvlh_m=_freeze(RH[:n].copy()), est_rho_dot_lvlh_mps=_freeze(RDH[:n].copy()),
        sigma_rho_m=_freeze(SR[:n].copy()), sigma_rho_dot_mps=_freeze(SRD[:n].copy()),
        meas_t_s=_freeze(np.array(m_t, float)), meas_values=_freeze(mv), meas_sigma=_freeze(ms),
        meas_accepted=_freeze(np.array(m_ok, bool)),
    )
