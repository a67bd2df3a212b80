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


@dataclass(frozen=True, eq=False)
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
    return _ApproachRun(config or ApproachConfig(), seed, ephemeris).run()


_NAV_PHASES = ("closing", "flyaround", "station_keeping", "final_approach")
"""The automatic phases that need Kurs: losing it there holds (or, close in, backs away)."""


class _ApproachRun:
    """One approach being flown: the truth, the navigation filter, the guidance state and the logs.

    Private to :func:`simulate_approach` and local to one call (mutable while it steps). Each
    control step (:meth:`run`): Kurs and the filter (:meth:`_kurs_update`), the phase logic and
    the velocity wanted (:meth:`_manual_dv` or :meth:`_automatic_dv`, one method per phase),
    the thrusters and the truth (:meth:`_thrust_and_step`), the contact test (:meth:`_contact`).
    The random draws come in a fixed order from one generator, so a seed gives one run.
    """

    def __init__(self, cfg: ApproachConfig, seed: int, ephemeris):
        self.cfg, self.seed = cfg, int(seed)
        self.g, self.thr, self.kurs = cfg.resolved_guidance(), cfg.thrusters, cfg.kurs
        su = _setup(cfg, ephemeris)
        self.tgt, self.rows, self.p_port, self.axis, self.env, self.tan_cor = (
            su.tgt, su.rows, su.p_port, su.axis, su.env, su.tan_cor)
        self.t_start, self.dt, self.n_steps, self.dyn = su.t_start, su.dt, su.n_steps, su.dyn
        rho0, rhod0 = _initial_state(cfg, self.tgt)

        self.rng = np.random.default_rng(seed)
        self.att_params = cfg.attitude_model.draw(self.rng)
        self.bias = self.kurs.draw_bias(self.rng)
        sig0 = np.array([cfg.nav_sigma0_pos_m] * 3 + [cfg.nav_sigma0_vel_mps] * 3)
        x_hat0 = np.concatenate([rho0, rhod0]) + sig0 * self.rng.standard_normal(6)
        self.nav = RelativeNavFilter(self.dyn.mean_motion_rad_s, x_hat0, np.diag(sig0**2),
                                     dv_error_fraction=self.thr.dv_error_fraction, bias_fraction=self.kurs.bias_fraction)
        self.d_r, self.d_v = self.dyn.from_lvlh(0, rho0, rhod0)
        self.mass, self.propellant, self.dv_l1 = self.thr.mass_kg, 0.0, 0.0
        self.meas_every = int(round(self.kurs.update_interval_s / self.dt))

        n = self.n_steps + 1                       # the logs: truth, estimate and its sigmas per step
        self.T = np.empty(n)
        self.R, self.RD, self.RH, self.RDH, self.SR, self.SRD = (np.empty((n, 3)) for _ in range(6))
        self.m_t, self.m_v, self.m_s, self.m_ok = [], [], [], []
        self.events: list[str] = []
        self.phases: list[list] = []

        # guidance state
        self.phase, self.since = "closing", 0.0
        self.resume = self.hold_pos = self.fly = self.takeover = None
        self.retries = self.rejects = 0
        self.reacquire = False
        self.last_good = 0.0
        self.set_phase("closing", 0.0)

        # outcome
        self.verdict, self.contact, self.contact_s, self.violations = "timeout", None, None, ()
        self.min_dist = math.inf

    # --- bookkeeping ---------------------------------------------------------------------------
    def set_phase(self, name: str, t: float, why: str | None = None) -> None:
        if self.phases:
            self.phases[-1][2] = t
        self.phases.append([name, t, t])
        self.phase, self.since = name, t
        if why:
            self.events.append(f"t={t:.0f} s: {name}: {why}")

    def _log(self, k: int, t: float, rho, rhod) -> None:
        self.T[k], self.R[k], self.RD[k] = t, rho, rhod
        self.RH[k], self.RDH[k] = self.nav.x[:3], self.nav.x[3:]
        self.SR[k], self.SRD[k] = self.nav.sigma_position_m, self.nav.sigma_velocity_mps

    # --- the step ------------------------------------------------------------------------------
    def run(self) -> ApproachResult:
        dt, dyn, tgt = self.dt, self.dyn, self.tgt
        rho, rhod = dyn.to_lvlh(0, self.d_r, self.d_v)
        k_last, end_reason = self.n_steps - 1, None
        for k in range(self.n_steps):
            t = k * dt
            q, qd = tgt.to_port(rho, rhod)
            dist = float(np.linalg.norm(q))
            self.min_dist = min(self.min_dist, dist)
            if k % self.meas_every == 0:
                self._kurs_update(t, rho, rhod)
            self._log(k, t, rho, rhod)
            nav_lost = (t - self.last_good) > self.g.hold_after_s
            ph = self._maybe_take_over(t, self.phase, nav_lost)
            if ph == "manual":
                dv_port = self._manual_dv(t, q, qd, dist)
            else:
                dv_port = self._automatic_dv(t, ph, nav_lost)
                if dv_port is None:                       # retries used up: the approach is abandoned
                    k_last, end_reason = k, "aborted"
                    break
            self._thrust_and_step(k, t, dv_port)
            rho1, rhod1 = dyn.to_lvlh(k + 1, self.d_r, self.d_v)
            if self._contact(k, t, q, qd, rho1, rhod1):
                k_last, end_reason = k + 1, "contact"
                break
            rho, rhod = rho1, rhod1
        if end_reason == "aborted":
            self.verdict = "aborted"
        return self._result(k_last)

    def _kurs_update(self, t: float, rho, rhod) -> None:
        """One Kurs measurement fused by the filter; a run of rejected updates re-initialises the
        filter and holds to re-acquire (once) before backing away."""
        g, nav = self.g, self.nav
        ang, _ = self.cfg.attitude_model.angles(t, self.att_params)
        m = self.kurs.measure(t, rho - self.p_port, rhod, float(ang[2]), self.rows, self.rng, self.bias)
        if m is None:
            return
        ok = nav.update(m, self.p_port, self.rows)
        self.m_t.append(t); self.m_v.append(m.values); self.m_s.append(m.sigma); self.m_ok.append(ok)
        if ok:
            self.last_good, self.rejects = t, 0
            return
        self.rejects += 1
        if self.rejects < g.reject_run:
            return
        self.rejects = 0
        nav.reinflate(g.reacquire_sigma_fraction * float(m.values[0]), g.reacquire_sigma_vel_mps)
        self.events.append(f"t={t:.0f} s: {g.reject_run} Kurs updates rejected in a row: filter re-initialised")
        if self.phase == "final_approach":
            qh, _ = self.tgt.to_port(nav.x[:3], nav.x[3:])
            if qh[2] < g.blind_min_range_m:      # as for Kurs lost: no hold this close, back away
                self.set_phase("back_away", t, f"Kurs inconsistent at {qh[2]:.1f} m, inside the "
                                               f"{g.blind_min_range_m:g} m blind limit")
                return
        if self.phase in _NAV_PHASES + ("hold",) and not self.reacquire:
            self.reacquire, self.hold_pos = True, None
            self.set_phase("hold", t, "Kurs inconsistent with the navigation; re-acquiring before backing away")

    def _maybe_take_over(self, t: float, ph: str, nav_lost: bool) -> str:
        """TORU: the operator takes over at the scripted time, or when Kurs is lost (if so scripted)."""
        man = self.cfg.manual
        if man is None or ph == "manual" or self.takeover is not None:
            return ph
        by_time = man.takeover_at_s is not None and t >= man.takeover_at_s
        by_fault = man.takeover_on_nav_fault and nav_lost and ph not in ("back_away", "retreat_hold")
        if not (by_time or by_fault):
            return ph
        self.takeover = t
        self.set_phase("manual", t, "TORU takeover (" + ("scheduled" if by_time else "Kurs lost") + ")")
        return "manual"

    def _manual_dv(self, t: float, q, qd, dist: float):
        """The operator's impulse [m/s, port frame], from the TV picture (noisy truth) and the script."""
        g, man = self.g, self.cfg.manual
        noise = self.rng.standard_normal(6)
        sp = man.position_sigma_m + dist * np.array([man.lateral_sigma_fraction] * 2 + [man.range_sigma_fraction])
        q_p = q + sp * noise[:3]
        qd_p = qd + man.velocity_sigma_mps * noise[3:]
        lat = q_p[:2]
        closing = man.closing_speed(t - self.takeover, float(q_p[2]))
        if float(np.linalg.norm(lat)) > self.tan_cor * max(q_p[2], 0.0) + g.corridor_margin_m and closing > 0:
            closing = 0.0                      # fly to the axis first
        v_lat = np.clip(-man.lateral_gain_per_s * lat, -g.lateral_speed_max_mps, g.lateral_speed_max_mps)
        dv_port = np.array([v_lat[0], v_lat[1], -closing]) - qd_p
        return np.where(np.abs(dv_port) > np.array([man.lateral_deadband_mps] * 2 + [man.deadband_mps]), dv_port, 0.0)

    def _automatic_dv(self, t: float, ph: str, nav_lost: bool):
        """The automatic guidance's impulse [m/s, port frame] from the estimated state; None when the
        approach is abandoned. A phase that ends hands over to the next within the same step."""
        nav = self.nav
        p_hat, v_hat = nav.x[:3].copy(), nav.x[3:].copy()
        qh, qdh = self.tgt.to_port(p_hat, v_hat)
        deadband = self.g.deadband(float(np.linalg.norm(qh)))
        ph = self._hold_logic(t, ph, nav_lost, p_hat, v_hat, qh)
        v_des = None
        if ph == "closing":
            ph, v_des = self._closing(t, p_hat, v_hat)
        if ph == "flyaround":
            ph, v_des = self._flyaround(t, p_hat)
        if ph == "station_keeping":
            ph, v_des = self._station_keeping(t, p_hat, v_hat)
        if ph == "final_approach":
            ph, v_des = self._final_approach(t, qh, qdh)
        if ph == "back_away":
            ph, v_des = self._back_away(t, p_hat, qh)
        if ph == "retreat_hold":
            v_des = self._retreat_hold(t, p_hat, nav_lost)
            if v_des is None:
                return None
        if ph == "hold":
            v_des = np.zeros(3) if self.hold_pos is None else self.g.position_gain_per_s * (self.hold_pos - p_hat)
        dv_port = np.zeros(3) if v_des is None else self.rows @ (v_des - v_hat)
        return np.where(np.abs(dv_port) > deadband, dv_port, 0.0)

    # --- the automatic phases (each returns the phase after it and the velocity wanted, if any) ---
    def _hold_logic(self, t, ph, nav_lost, p_hat, v_hat, qh) -> str:
        """Kurs lost: hold (or back away inside the blind limit); held: resume, re-acquire or back away."""
        g = self.g
        if ph in _NAV_PHASES and nav_lost:
            if ph == "final_approach" and qh[2] < g.blind_min_range_m:
                self.set_phase("back_away", t, f"Kurs lost at {qh[2]:.1f} m, inside the {g.blind_min_range_m:g} m blind limit")
            else:
                self.resume, self.hold_pos = ph, p_hat
                self.set_phase("hold", t, f"no valid Kurs data for {t - self.last_good:.0f} s")
            ph = self.phase
        if ph == "hold" and self.reacquire:
            if t - self.since >= g.reacquire_s:
                self.reacquire = False
                self.set_phase("back_away", t, "re-acquired; abandoning the approach")
                ph = "back_away"
        elif ph == "hold":
            if not nav_lost:
                resume = self.resume
                self.set_phase(resume, t, "Kurs back, resuming")
                if resume == "flyaround":
                    self._plan_flyaround(t, p_hat, v_hat)
                ph = resume
            elif t - self.since > g.back_away_after_s:
                self.set_phase("back_away", t, f"Kurs lost for more than {g.back_away_after_s:g} s")
                ph = "back_away"
        return ph

    def _plan_flyaround(self, t, p_hat, v_hat) -> None:
        g, axis = self.g, self.axis
        d = p_hat - self.p_port
        r0 = float(np.linalg.norm(d))
        dh = d / r0
        theta0 = math.acos(max(-1.0, min(1.0, float(dh @ axis))))
        e = dh - (dh @ axis) * axis
        en = float(np.linalg.norm(e))
        e = self.rows[0] if en < 1e-9 else e / en
        t_fly = g.flyaround_time(theta0, r0 - g.station_keeping_range_m)
        # the range profile is a cubic from (r0, rd0) to rest at the station-keeping range; it stays
        # monotonic (no dip towards the station on a long arc) only if |rd0| T <= 3 (r0 - r1): the
        # guidance brakes to that rate at the flyaround start
        rd0 = max(float(v_hat @ dh), -3.0 * max(r0 - g.station_keeping_range_m, 0.0) / t_fly)
        self.fly = (t, r0, rd0, theta0, e, t_fly)

    def _closing(self, t, p_hat, v_hat):
        d = p_hat - self.p_port
        rr = float(np.linalg.norm(d))
        if rr <= self.g.flyaround_start_range_m:
            self._plan_flyaround(t, p_hat, v_hat)
            self.set_phase("flyaround", t)
            return "flyaround", None
        return "closing", -self.g.closing_speed(rr) * d / rr

    def _flyaround(self, t, p_hat):
        t0, r0, rd0, th0, e, t_fly = self.fly
        tau = t - t0
        if tau >= t_fly:
            self.set_phase("station_keeping", t)
            return "station_keeping", None
        g, axis = self.g, self.axis
        sm, dsm = smoothstep(tau / t_fly)
        th = th0 * (1 - sm)
        thd = -th0 * dsm / t_fly
        r, rd = hermite_range(tau, t_fly, r0, rd0, g.station_keeping_range_m)
        dirv = math.cos(th) * axis + math.sin(th) * e
        ddir = thd * (-math.sin(th) * axis + math.cos(th) * e)
        p_ref = self.p_port + r * dirv
        return "flyaround", rd * dirv + r * ddir + g.position_gain_per_s * (p_ref - p_hat)

    def _station_keeping(self, t, p_hat, v_hat):
        g, rows = self.g, self.rows
        tau = t - self.since
        p_ref = self.p_port + g.station_keeping_range_m * self.axis
        sig_lat = float(np.sqrt(max(np.max(np.diag(rows[:2] @ self.nav.p[:3, :3] @ rows[:2].T)), 0.0)))
        go = (tau >= g.station_keeping_min_s and sig_lat < g.go_sigma_lateral_m
              and float(np.linalg.norm(p_ref - p_hat)) < g.go_offset_m
              and float(np.linalg.norm(v_hat)) < g.go_speed_mps)
        if go:
            self.set_phase("final_approach", t)
            return "final_approach", None
        if tau > g.station_keeping_max_s:
            self.set_phase("back_away", t, "no go for final approach within the station-keeping time")
            return "back_away", None
        return "station_keeping", g.position_gain_per_s * (p_ref - p_hat)

    def _final_approach(self, t, qh, qdh):
        g, env = self.g, self.env
        lat = qh[:2]
        closing = -float(qdh[2])
        sched = g.final_speed(float(qh[2]))
        why = None
        if float(np.linalg.norm(lat)) > self.tan_cor * max(float(qh[2]), 0.0) + g.corridor_margin_m:
            why = f"outside the corridor: lateral {np.linalg.norm(lat):.2f} m at {qh[2]:.1f} m"
        elif closing > g.rate_tolerance_factor * sched + g.rate_tolerance_mps:
            why = f"closing at {closing:.3f} m/s, schedule {sched:.3f} m/s"
        elif (g.envelope_guard and qh[2] < g.contact_guard_range_m
              and not (env.closing_speed_min_mps <= closing <= env.closing_speed_max_mps)):
            why = f"closing at {closing:.3f} m/s near contact, outside the capture envelope"
        if why is not None:
            self.set_phase("back_away", t, why)
            return "back_away", None
        v_lat = np.clip(-g.lateral_gain_per_s * lat, -g.lateral_speed_max_mps, g.lateral_speed_max_mps)
        return "final_approach", self.rows.T @ np.array([v_lat[0], v_lat[1], -sched])

    def _back_away(self, t, p_hat, qh):
        if qh[2] >= self.g.station_keeping_range_m:
            self.hold_pos = p_hat
            self.set_phase("retreat_hold", t)
            return "retreat_hold", None
        return "back_away", self.rows.T @ np.array([0.0, 0.0, self.g.back_away_speed_mps])

    def _retreat_hold(self, t, p_hat, nav_lost):
        """Hold at the station-keeping range, then retry (while retries are left and Kurs is good):
        the velocity wanted, or None when the approach is abandoned."""
        g = self.g
        if t - self.since < g.retreat_hold_s:
            return g.position_gain_per_s * (self.hold_pos - p_hat)
        if self.retries < g.max_retries and not nav_lost:
            self.retries += 1
            self.set_phase("station_keeping", t, f"retry {self.retries}")
            return g.position_gain_per_s * (self.p_port + g.station_keeping_range_m * self.axis - p_hat)
        return None

    # --- thrusters, truth and contact ------------------------------------------------------------
    def _thrust_and_step(self, k: int, t: float, dv_port) -> None:
        """Quantised, noisy impulse on the truth (the filter gets the commanded one), disturbances,
        then one step of the truth."""
        thr, dyn, nav, rows, dt = self.thr, self.dyn, self.nav, self.rows, self.dt
        dv_q = thr.quantize(dv_port, self.mass, dt)
        err = self.rng.standard_normal(3)
        if np.any(dv_q):
            dv_true = dv_q * (1.0 + thr.dv_error_fraction * err)
            used = thr.propellant_kg(dv_q, self.mass)
            self.propellant += used
            self.mass -= used
            self.dv_l1 += float(np.sum(np.abs(dv_q)))
            self.d_v = self.d_v + dyn.lvlh_to_inertial_vector(k, rows.T @ dv_true)
            nav.predict(dt, rows.T @ dv_q, dyn.linear_stm(k))
        else:
            nav.predict(dt, None, dyn.linear_stm(k))
        for dist_ev in self.cfg.disturbances:
            if t <= dist_ev.t_s < t + dt:
                self.d_v = self.d_v + dyn.lvlh_to_inertial_vector(k, rows.T @ np.asarray(dist_ev.dv_port_mps))
                self.events.append(f"t={t:.0f} s: disturbance {dist_ev.dv_port_mps} m/s (port frame)")
        self.d_r, self.d_v = dyn.step(k, self.d_r, self.d_v)

    def _contact(self, k: int, t: float, q, qd, rho1, rhod1) -> bool:
        """Whether the step crossed the port's interface plane near its axis; if so, the contact's
        conditions (interpolated inside the step) and verdict are recorded."""
        q1, qd1 = self.tgt.to_port(rho1, rhod1)
        if not (q[2] > 0.0 >= q1[2] and float(np.linalg.norm(q1[:2])) < CONTACT_ZONE_M):
            return False
        f = float(q[2] / (q[2] - q1[2]))
        qc = q + f * (q1 - q)
        qdc = qd + f * (qd1 - qd)
        self.contact_s = t + f * self.dt
        ang, rate = self.cfg.attitude_model.angles(self.contact_s, self.att_params)
        self.contact = ContactConditions(
            closing_speed_mps=-float(qdc[2]), lateral_speed_mps=float(np.linalg.norm(qdc[:2])),
            lateral_offset_m=float(np.linalg.norm(qc[:2])), pitch_yaw_rad=float(math.hypot(ang[0], ang[1])),
            roll_rad=abs(float(ang[2])), angular_rate_rad_s=float(np.linalg.norm(rate)))
        cv = assess_contact(self.contact, self.env)
        self.verdict, self.violations = cv.verdict, cv.violations
        self.events.append(f"t={self.contact_s:.1f} s: contact: {self.verdict}"
                           + (f" ({'; '.join(self.violations)})" if self.violations else ""))
        self.min_dist = min(self.min_dist, float(np.linalg.norm(qc)))
        self._log(k + 1, (k + 1) * self.dt, rho1, rhod1)
        return True

    def _result(self, k_last: int) -> ApproachResult:
        from ..time import add_seconds, iso_utc

        end_s = self.contact_s if self.contact_s is not None else k_last * self.dt
        if self.phases:
            self.phases[-1][2] = end_s
        n = k_last + 1
        ts = self.t_start
        phase_objs = tuple(Phase(nm, iso_utc(add_seconds(ts, a)), iso_utc(add_seconds(ts, b)), float(a), float(b))
                           for nm, a, b in self.phases)
        contact_utc = None if self.contact_s is None else iso_utc(add_seconds(ts, self.contact_s))
        mv = np.array(self.m_v).reshape(-1, 5)
        ms = np.array(self.m_s).reshape(-1, 5)
        return ApproachResult(
            start_utc=iso_utc(ts), verdict=self.verdict, contact_utc=contact_utc, contact_s=self.contact_s,
            contact=self.contact, violations=tuple(self.violations), propellant_kg=float(self.propellant),
            dv_l1_mps=float(self.dv_l1), phases=phase_objs, events=tuple(self.events),
            min_distance_m=float(self.min_dist), seed=self.seed,
            t_s=_freeze(self.T[:n].copy()), rho_lvlh_m=_freeze(self.R[:n].copy()),
            rho_dot_lvlh_mps=_freeze(self.RD[:n].copy()), est_rho_lvlh_m=_freeze(self.RH[:n].copy()),
            est_rho_dot_lvlh_mps=_freeze(self.RDH[:n].copy()), sigma_rho_m=_freeze(self.SR[:n].copy()),
            sigma_rho_dot_mps=_freeze(self.SRD[:n].copy()), meas_t_s=_freeze(np.array(self.m_t, float)),
            meas_values=_freeze(mv), meas_sigma=_freeze(ms), meas_accepted=_freeze(np.array(self.m_ok, bool)),
        )
