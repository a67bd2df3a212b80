"""3-DOF entry of the descent module, with bank-angle guidance, parachutes and soft landing.

Model and assumptions
---------------------
* **Frame and integrator.** Point mass in GCRF, :func:`scipy.integrate.solve_ivp` (RK45,
  rtol 1e-8 for the flight, 1e-6 inside the guidance's predictor), like
  :mod:`gyrfalcon.launch.ascent`. The entry starts at module separation (about 140 km),
  where the orbital propagator (:mod:`gyrfalcon.orbits.propagator`) hands over; it lasts
  ~30 min, so the Earth turns rigidly about its pole at the IERS rate (precession-nutation
  over that span < 1e-8 rad).
* **Gravity.** Point mass (WGS-84 GM) + J2 (EGM2008) about the pole.
* **Atmosphere.** US Standard Atmosphere 1976 (:func:`gyrfalcon.launch.atmosphere.us76_point`),
  co-rotating with the Earth, no wind. Heights are WGS-84 geodetic.
* **Aerodynamics.** Drag ``D = 1/2 rho V^2 Cd(M) A`` along the air-relative velocity; lift
  ``L = (L/D) D`` perpendicular to it, rotated by the bank angle ``sigma`` about the velocity
  (``sigma`` = 0: lift up; > 0: lift to the right of the track). The trim L/D is constant
  above Mach 1.5 and fades linearly to 0 at Mach 0.8. Mass constant (no ablation).
* **Modes.**
  ``nominal``: the automatic controlled descent. A predictor-corrector updates the bank every
  ``guidance_cycle_s`` once the sensed deceleration exceeds ``guidance_start_g``: it predicts
  the point where the module reaches the parachute altitude by integrating the same equations
  with the vertical lift ``(L/D) cos sigma`` and no side force, and sets ``cos sigma`` by a
  Newton step so that this point lies abreast of the target along the track. The side of the
  lift (sign of ``sigma``) is reversed when the target lies more than a deadband off the
  current plane of motion (``_deadband_m``), on the side the lift is not pointing (Apollo-style
  lateral logic); reversals are instantaneous.
  ``reference``: constant vertical lift ``(L/D) cos sigma_ref`` and no side force (what the
  deorbit planner aims with; equivalent to a constant bank with ideal reversals).
  ``ballistic``: the backup descent: the module rolls at a constant rate so its lift averages
  out (``ballistic_roll_rate_deg_s``).
* **Heating proxy.** Sutton-Graves stagnation-point convective flux
  ``q = 1.7415e-4 sqrt(rho / Rn) V^3`` [W/m^2] and its time integral [J/m^2].
* **g-load.** Sensed (aerodynamic + parachute) acceleration / g0.
* **Parachutes.** At the parachute altitude (10.8 km) the lift is lost and the drogue (Cd A =
  drogue_cd x area, inflating in 1 s) acts down to the main-deploy altitude (about 7 km);
  the main canopy opens reefed for ``main_reefed_s`` (Cd A giving the published 35 m/s steady
  rate at that altitude), then its Cd A grows linearly over ``main_inflation_s`` to the value
  that gives the published 7.2 m/s steady rate at the landing site. The module's own drag
  continues; the harness tilt and the heat-shield jettison are not modelled.
* **Soft landing.** The motors fire at ``soft_landing_height_m``; the last stretch is flown at
  the constant deceleration that ends at the published touchdown speed.

>>> from gyrfalcon.time import parse_utc
>>> from gyrfalcon.orbits.state import State
>>> s = State(parse_utc("2025-12-09T04:38Z"), [6518137.0, 0.0, 0.0], [-198.2, 4700.5, 5930.5], "GCRF")
>>> bal = fly_entry(s, mode="ballistic", ground_altitude_m=0.0)
>>> ref = fly_entry(s, mode="reference", ground_altitude_m=0.0)
>>> round(bal.entry_flight_path_angle_deg, 2), round(bal.max_g, 1), round(ref.max_g, 1)   # lift halves the load
(-2.31, 11.0, 4.6)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import (
    EARTH_ROTATION_RATE_RAD_S,
    EGM2008_A_M,
    G0_MPS2,
    J2_EGM2008,
    MU_EARTH_M3_S2,
    WGS84_A_M,
)
from ..errors import InputError, PropagationError
from ..orbits.fastmath import geodetic_height_m, interp_clamped, point_mass_j2_accel
from ..launch.atmosphere import us76_point
from .vehicle import ReturnVehicle, load_return_vehicle

MODES = ("nominal", "reference", "ballistic")
SUTTON_GRAVES_K = 1.7415e-4
"""Sutton-Graves constant for air [kg^0.5 / m] (SI: q [W/m^2] = k sqrt(rho/Rn) V^3)."""
_MAX_FLIGHT_S = 7200.0


class EntryError(PropagationError):
    """The entry could not be flown (skip-out, starts too low, guidance failure)."""


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EntryEvent:
    """One event of the descent: ``t_s`` after the entry start (module separation), UTC,
    geodetic ``altitude_m``, Earth-relative ``speed_mps``, ``lat_deg``/``lon_deg``, ``g_load``."""

    name: str
    utc: str
    t_s: float
    altitude_m: float
    speed_mps: float
    lat_deg: float
    lon_deg: float
    g_load: float


@dataclass(frozen=True, eq=False)
class EntryTrajectory:
    """Samples (about every second; arrays of length N): ``t_s``, geodetic ``altitude_m``,
    ``lat_deg``, ``lon_deg``, Earth-relative ``speed_mps``, ``flight_path_angle_deg``,
    ``g_load`` (sensed, g0 units), ``heat_flux_w_m2`` (Sutton-Graves), ``bank_deg``."""

    t_s: np.ndarray
    altitude_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    speed_mps: np.ndarray
    flight_path_angle_deg: np.ndarray
    g_load: np.ndarray
    heat_flux_w_m2: np.ndarray
    bank_deg: np.ndarray


@dataclass(frozen=True)
class EntryResult:
    """A flown descent from module separation to touchdown.

    ``max_g`` is the peak sensed load of the aerodynamic entry (before the parachutes);
    ``max_g_parachute`` that of the parachute phase. ``miss_along_m`` > 0 = beyond the
    target along the final ground track, ``miss_cross_m`` > 0 = right of it;
    ``heading_deg`` the ground track's direction at the parachute command.
    """

    mode: str
    start_utc: str
    events: tuple
    trajectory: EntryTrajectory
    entry_interface_utc: str
    entry_speed_mps: float
    entry_flight_path_angle_deg: float
    max_g: float
    max_g_utc: str
    max_g_altitude_m: float
    max_g_parachute: float
    peak_heat_flux_w_m2: float
    heat_load_j_m2: float
    parachute_utc: str
    soft_landing_utc: str
    landing_utc: str
    landing_lat_deg: float
    landing_lon_deg: float
    landing_altitude_m: float
    touchdown_speed_mps: float
    heading_deg: float
    bank_reversals: int
    target_lat_deg: float | None
    target_lon_deg: float | None
    miss_m: float | None
    miss_along_m: float | None
    miss_cross_m: float | None
    landing_t_s: float

    def event(self, name: str) -> EntryEvent:
        """The event called ``name``."""
        for ev in self.events:
            if ev.name == name:
                return ev
        raise InputError(f"no entry event {name!r}; events are {', '.join(e.name for e in self.events)}")


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def _rotate(v, k, angle):
    """Rodrigues: rotate vector(s) ``v`` about the unit axis ``k`` by ``angle`` [rad]."""
    v = np.asarray(v, float)
    c, s = math.cos(angle), math.sin(angle)
    return v * c + np.cross(k, v) * s + np.outer(v @ k, k).reshape(v.shape) * (1.0 - c)


def _lod_factor(mach: float) -> float:
    if mach >= 1.5:
        return 1.0
    if mach <= 0.8:
        return 0.0
    return (mach - 0.8) / 0.7


@dataclass(frozen=True)
class _Ctx:
    k: tuple               # pole (ITRF z) in GCRF at the start
    w: tuple               # Earth rotation vector in GCRF [rad/s]
    mass: float
    sref: float
    lod: float
    machs: tuple
    cds: tuple
    rn: float


def _make_rhs(ctx: _Ctx, bank, chute=None):
    """RHS of the 6-state GCRF equations.

    ``bank``: ("planar", cos_sigma) | ("fixed", sigma) | ("rolling", sigma0, rate, t_ref).
    ``chute``: None, ("drogue", t_cmd, drogue_cda) or
    ("main", t_main, reefed_cda, reefed_s, main_cda, main_inflation_s).
    """
    kx, ky, kz = ctx.k
    wx, wy, wz = ctx.w
    mass, sref, lod, machs, cds = ctx.mass, ctx.sref, ctx.lod, ctx.machs, ctx.cds
    j2c = 1.5 * J2_EGM2008 * EGM2008_A_M * EGM2008_A_M
    mu = MU_EARTH_M3_S2
    sqrt, sin, cos = math.sqrt, math.sin, math.cos
    kind = bank[0]
    if kind == "planar":
        cs, ss = float(bank[1]), 0.0
    elif kind == "fixed":
        cs, ss = cos(bank[1]), sin(bank[1])
    else:
        s0, rate, tref = bank[1], bank[2], bank[3]

    def rhs(t, y):
        x, yy, z, vx, vy, vz = y
        r2 = x * x + yy * yy + z * z
        r = sqrt(r2)
        zk = x * kx + yy * ky + z * kz
        ax, ay, az = point_mass_j2_accel(x, yy, z, kx, ky, kz, mu, j2c)
        rvx = vx - (wy * z - wz * yy)
        rvy = vy - (wz * x - wx * z)
        rvz = vz - (wx * yy - wy * x)
        vr = sqrt(rvx * rvx + rvy * rvy + rvz * rvz)
        h = geodetic_height_m(sqrt(max(r2 - zk * zk, 0.0)), zk)
        if h > 400e3 or vr <= 0.0:
            return (vx, vy, vz, ax, ay, az)
        _, _, dens, snd = us76_point(h if h > -4000.0 else -4000.0)
        mach = vr / snd
        cd = interp_clamped(machs, cds, mach)
        cda = cd * sref
        lift = chute is None
        if chute is not None:
            if chute[0] == "drogue":
                cda += chute[2] * min(1.0, (t - chute[1]) / 1.0)
            else:
                _, tm, rcda, rs, mcda, minf = chute
                if t < tm + rs:
                    cda += rcda * min(1.0, (t - tm) / 1.0)
                else:
                    cda += rcda + (mcda - rcda) * min(1.0, (t - tm - rs) / minf)
        dk = 0.5 * dens * vr * cda / mass          # drag accel = dk * |v|
        ax -= dk * rvx
        ay -= dk * rvy
        az -= dk * rvz
        if lift:
            lf = lod * _lod_factor(mach) * dk * vr   # lift magnitude [m/s^2]
            if lf > 0.0:
                ex, ey, ez = rvx / vr, rvy / vr, rvz / vr
                ux, uy, uz = x / r, yy / r, z / r
                d = ux * ex + uy * ey + uz * ez
                ux, uy, uz = ux - d * ex, uy - d * ey, uz - d * ez
                un = sqrt(ux * ux + uy * uy + uz * uz)
                ux, uy, uz = ux / un, uy / un, uz / un
                # side: right of the track = v x up
                sx, sy, sz = ey * uz - ez * uy, ez * ux - ex * uz, ex * uy - ey * ux
                if kind == "rolling":
                    sg = s0 + rate * (t - tref)
                    c_, s_ = cos(sg), sin(sg)
                else:
                    c_, s_ = cs, ss
                ax += lf * (c_ * ux + s_ * sx)
                ay += lf * (c_ * uy + s_ * sy)
                az += lf * (c_ * uz + s_ * sz)
        return (vx, vy, vz, ax, ay, az)

    return rhs


def _altitude_event(ctx: _Ctx, h_stop: float):
    kx, ky, kz = ctx.k

    def ev(t, y):
        x, yy, z = y[0], y[1], y[2]
        zk = x * kx + yy * ky + z * kz
        r2 = x * x + yy * yy + z * z
        return geodetic_height_m(math.sqrt(max(r2 - zk * zk, 0.0)), zk) - h_stop

    ev.terminal = True
    ev.direction = -1
    return ev


def _integrate(ctx, bank, t0, y0, t1, h_stop, *, chute=None, rtol=1e-8, atol=1e-3, samples=None):
    """Integrate to ``t1`` or down to ``h_stop``; returns (t_end, y_end, hit, sol)."""
    from scipy.integrate import solve_ivp

    t_eval = None
    if samples:
        t_eval = np.arange(t0, t1, samples)
        t_eval = np.concatenate([t_eval, [t1]]) if t1 - t_eval[-1] > 1e-9 else t_eval
    rhs = _make_rhs(ctx, bank, chute)
    sol = solve_ivp(rhs, (t0, t1), y0, method="RK45", rtol=rtol, atol=atol,
                    events=_altitude_event(ctx, h_stop), t_eval=t_eval)
    if sol.status == -1:
        raise EntryError(f"entry integration failed: {sol.message}")
    if sol.t_events[0].size:
        return float(sol.t_events[0][0]), np.array(sol.y_events[0][0]), True, sol
    return float(sol.t[-1]), np.array(sol.y[:, -1]), False, sol


# ------------------------------------------------------------------------------------------
# the flight
# ------------------------------------------------------------------------------------------
class _Flight:
    def __init__(self, state, veh: ReturnVehicle, target_lat_deg, target_lon_deg, ground_altitude_m):
        from ..frames import itrf_from_geodetic, itrf_to_gcrf_matrix

        self.t0 = state.t
        self.veh = veh
        m = np.asarray(itrf_to_gcrf_matrix(self.t0), float)   # r_gcrf = M r_itrf
        self.m_itrf_to_gcrf = m
        k = m[:, 2] / np.linalg.norm(m[:, 2])
        self.k = k
        self.ctx = _Ctx(tuple(float(x) for x in k), tuple(float(x) for x in EARTH_ROTATION_RATE_RAD_S * k),
                        veh.dm_mass_kg, veh.dm_reference_area_m2, veh.dm_lift_to_drag,
                        tuple(r[0] for r in veh.dm_cd_mach), tuple(r[1] for r in veh.dm_cd_mach),
                        veh.dm_nose_radius_m)
        self.ground = float(ground_altitude_m)
        self.target = None
        if target_lat_deg is not None:
            q = itrf_from_geodetic(math.radians(target_lat_deg), math.radians(target_lon_deg), self.ground)
            q = m @ q                     # GCRF at t0 (= the "E" frame: Earth-fixed axes frozen at t0)
            self.target = q / np.linalg.norm(q)

    # E frame: GCRF rotated back to t0 about the pole (Earth-fixed, frozen at the start)
    def to_e(self, t_s, r):
        return _rotate(r, self.k, -EARTH_ROTATION_RATE_RAD_S * t_s)

    def from_e(self, t_s, r):
        return _rotate(r, self.k, EARTH_ROTATION_RATE_RAD_S * t_s)

    def geodetic(self, t_s, r):
        from ..frames import geodetic_from_itrf

        r_e = np.atleast_2d(self.to_e_many(t_s, r))
        r_itrf = r_e @ self.m_itrf_to_gcrf      # M^T r  (row vectors)
        lat, lon, alt = geodetic_from_itrf(r_itrf)
        return np.degrees(lat), np.degrees(lon), alt

    def to_e_many(self, t_s, r):
        t_s = np.atleast_1d(np.asarray(t_s, float))
        r = np.atleast_2d(np.asarray(r, float))
        out = np.empty_like(r)
        for i in range(len(r)):
            out[i] = self.to_e(float(t_s[min(i, len(t_s) - 1)]), r[i])
        return out

    def vrel(self, y):
        return y[3:] - np.cross(np.asarray(self.ctx.w), y[:3])

    def sensed_g(self, t, y, bank=("planar", 1.0), chute=None):
        rhs = _make_rhs(self.ctx, bank, chute)
        a = np.asarray(rhs(t, y)[3:])
        # subtract gravity (rhs above 400 km is gravity only)
        grav = _make_rhs(_Ctx(self.ctx.k, self.ctx.w, self.ctx.mass, 0.0, 0.0, self.ctx.machs, self.ctx.cds,
                              self.ctx.rn), ("planar", 1.0))(t, y)
        return float(np.linalg.norm(a - np.asarray(grav[3:])) / G0_MPS2)

    # -- guidance ----------------------------------------------------------------------------
    def along_error(self, t, y, t_f, y_f):
        """Predicted point minus target, along the current plane of motion [m] (> 0 overshoot)."""
        c = y[:3] / np.linalg.norm(y[:3])
        n = np.cross(y[:3], self.vrel(y))
        n /= np.linalg.norm(n)
        p = _rotate(y_f[:3], self.k, -EARTH_ROTATION_RATE_RAD_S * (t_f - t))
        p /= np.linalg.norm(p)
        q = self.from_e(t, self.target)

        def along(x):
            return math.atan2(float(np.cross(c, x) @ n), float(c @ x))

        return (along(p) - along(q)) * WGS84_A_M

    def cross_angle(self, t, y):
        """Angle of the target off the current plane of motion [rad] (> 0: target to the left)."""
        n = np.cross(y[:3], self.vrel(y))
        n /= np.linalg.norm(n)
        return math.asin(max(-1.0, min(1.0, float(self.from_e(t, self.target) @ n))))

    def predict(self, t, y, cos_sigma):
        tf, yf, hit, _ = _integrate(self.ctx, ("planar", cos_sigma), t, y, t + _MAX_FLIGHT_S,
                                    self.veh.parachute_altitude_m, rtol=1e-6, atol=1.0)
        if not hit:
            return math.inf
        return self.along_error(t, y, tf, yf)


def _deadband_m(speed_mps: float) -> float:
    """Lateral deadband [m] of the bank-reversal logic: wide at orbital speed, narrowing as
    the energy (and the remaining lateral reach) bleeds off."""
    return 1500.0 + 30000.0 * (speed_mps / 7800.0) ** 2


def fly_entry(state, *, vehicle: str | ReturnVehicle = "soyuz-ms", mode: str = "nominal",
              target_lat_deg: float | None = None, target_lon_deg: float | None = None,
              ground_altitude_m: float = 0.0, sample_step_s: float = 1.0) -> EntryResult:
    """Fly the descent module from ``state`` (module separation, any frame) to touchdown.

    Parameters
    ----------
    state : :class:`~gyrfalcon.orbits.state.State`
        Position and velocity at the start of the entry (above the atmosphere's sensible
        part, below 400 km); its mass is ignored (the descent module's mass is used).
    mode : ``nominal`` (guided to the target), ``reference`` (constant vertical lift at the
        planning bank) or ``ballistic`` (rolling, lift averaged out).
    target_lat_deg, target_lon_deg : float
        WGS-84 target (needed for ``nominal``; used for the miss in every mode).
    ground_altitude_m : float
        Altitude of the landing site above the ellipsoid [m].

    The phases: the aerodynamic flight to the parachute command (:func:`_aerodynamic_phase`,
    guided by :func:`_guided_descent` in ``nominal``), the parachutes and the soft-landing
    engines (:func:`_parachute_phase`), then the samples, events and miss (:func:`_entry_result`).
    """
    veh, s = _entry_inputs(state, vehicle, mode, target_lat_deg, target_lon_deg)
    fl = _Flight(s, veh, target_lat_deg, target_lon_deg, ground_altitude_m)
    y = np.concatenate([s.r_m, s.v_mps]).astype(float)
    h0 = fl.geodetic(0.0, y[:3])[2][0]
    if not (veh.parachute_altitude_m + 20e3 < h0 < 400e3):
        raise EntryError(
            f"the entry must start between {(veh.parachute_altitude_m + 20e3) / 1e3:.0f} and 400 km; "
            f"the state is at {h0 / 1e3:.1f} km (start at module separation, about 140 km)"
        )
    aero = _aerodynamic_phase(fl, veh, mode, y, sample_step_s)
    chutes = _parachute_phase(fl, veh, aero.t_chute, aero.y_chute, sample_step_s)
    return _entry_result(fl, veh, mode, aero, chutes, target_lat_deg, target_lon_deg)


def _entry_inputs(state, vehicle, mode, target_lat_deg, target_lon_deg):
    """(ReturnVehicle, GCRF State), with the mode and the target checked."""
    from ..orbits.state import State

    if mode not in MODES:
        raise InputError(f"unknown entry mode {mode!r}; use one of {', '.join(MODES)}")
    if not isinstance(state, State):
        raise InputError(f"expected a gyrfalcon State, got {type(state).__name__}")
    veh = vehicle if isinstance(vehicle, ReturnVehicle) else load_return_vehicle(vehicle)
    if mode == "nominal" and target_lat_deg is None:
        raise InputError("the nominal (guided) descent needs a target: give target_lat_deg and target_lon_deg")
    if (target_lat_deg is None) != (target_lon_deg is None):
        raise InputError("give both target_lat_deg and target_lon_deg, or neither")
    return veh, state.to("GCRF")


@dataclass(frozen=True)
class _AeroPhase:
    """The flight from the start to the parachute command: sample segments (times, states, bank
    [deg]), the parachute command's time and state, the guidance start (time, state) or None,
    and the number of bank reversals."""

    seg_t: list
    seg_y: list
    seg_bank: list
    t_chute: float
    y_chute: np.ndarray
    guidance_start: tuple | None
    reversals: int


def _aerodynamic_phase(fl, veh, mode, y, sample_step_s) -> _AeroPhase:
    """To the parachute altitude: rolling (``ballistic``), constant planning bank (``reference``) or
    guided (``nominal``)."""
    ctx = fl.ctx
    if mode == "nominal":
        return _guided_descent(fl, veh, y, sample_step_s)
    if mode == "ballistic":
        bank = ("rolling", 0.0, math.radians(veh.ballistic_roll_rate_deg_s), 0.0)
    else:
        bank = ("planar", math.cos(math.radians(veh.reference_bank_deg)))
    t_end, y_end, hit, sol = _integrate(ctx, bank, 0.0, y, _MAX_FLIGHT_S, veh.parachute_altitude_m,
                                        samples=sample_step_s)
    if not hit:
        raise EntryError("the module did not descend to the parachute altitude within 2 h (skip-out?)")
    banks = (np.degrees((bank[2] * sol.t) % (2 * math.pi)) if mode == "ballistic"
             else np.full(len(sol.t), veh.reference_bank_deg))
    return _AeroPhase([sol.t], [sol.y.T], [banks], t_end, y_end, None, 0)


def _guided_descent(fl, veh, y, sample_step_s) -> _AeroPhase:
    """The predictor-corrector: every guidance cycle, once the sensed load passes the start
    threshold, a Newton step on cos(bank) against the predicted range miss (above 1.5 km/s) and a
    bank reversal when the target leaves the lateral deadband on the wrong side."""
    ctx = fl.ctx
    seg_t, seg_y, seg_bank = [], [], []
    t, reversals, guidance_start, active, hit = 0.0, 0, None, False, False
    sign = 1.0 if fl.cross_angle(0.0, y) < 0 else -1.0     # lift toward the target
    u = math.cos(math.radians(veh.reference_bank_deg))
    while not hit:
        sigma = sign * math.acos(max(-1.0, min(1.0, u)))
        t_end, y_end, hit, sol = _integrate(ctx, ("fixed", sigma), t, y, t + veh.guidance_cycle_s,
                                            veh.parachute_altitude_m, samples=sample_step_s)
        seg_t.append(sol.t)
        seg_y.append(sol.y.T)
        seg_bank.append(np.full(len(sol.t), math.degrees(sigma)))
        t, y = t_end, y_end
        if hit:
            break
        if t > _MAX_FLIGHT_S or float(np.linalg.norm(y[:3])) > WGS84_A_M + 200e3:
            raise EntryError("the module skipped out of the atmosphere (or did not come down within 2 h); "
                             "the entry is too shallow: give a larger deorbit dv")
        g = fl.sensed_g(t, y, ("fixed", sigma))
        if not active and g >= veh.guidance_start_g:
            active = True
            guidance_start = (t, y.copy())
        if not active:
            continue
        speed = float(np.linalg.norm(fl.vrel(y)))
        if speed > 1500.0:
            u = _range_control(fl, t, y, u)
        # lateral: bank reversal when the target drifts out of the deadband on the wrong side
        chi = fl.cross_angle(t, y) * WGS84_A_M
        db = _deadband_m(speed)
        if (chi > db and sign > 0) or (chi < -db and sign < 0):
            sign = -sign
            reversals += 1
    return _AeroPhase(seg_t, seg_y, seg_bank, t_end, y_end, guidance_start, reversals)


def _range_control(fl, t, y, u) -> float:
    """Newton step on cos(bank) with a finite-difference slope of the predicted range miss; when
    the prediction skips out, less lift up."""
    f0 = fl.predict(t, y, u)
    du = -0.05 if u > 0.9 else 0.05
    f1 = fl.predict(t, y, u + du)
    if math.isfinite(f0) and math.isfinite(f1) and abs(f1 - f0) > 1.0:
        slope = (f1 - f0) / du
        return max(-1.0, min(1.0, u - f0 / slope))
    if not math.isfinite(f0):
        return max(-1.0, u - 0.2)       # skipping: less lift up
    return u


@dataclass(frozen=True)
class _ChutePhase:
    """Drogue and main parachute specs, the main-chute and soft-landing-firing times and states,
    the samples under the canopies, the touchdown speed and time."""

    drogue: tuple
    chute: tuple
    t_main: float
    y_main: np.ndarray
    t_fire: float
    y_fire: np.ndarray
    sol_t: np.ndarray
    sol_y: np.ndarray
    v_td: float
    t_land: float


def _parachute_phase(fl, veh, t_chute, y_chute, sample_step_s) -> _ChutePhase:
    """Drogue to the main-deploy altitude, the reefed then full main canopy (sized for the
    published descent rates at the altitudes they apply), the soft-landing engines' last metres."""
    ctx = fl.ctx
    g_loc = G0_MPS2
    _, _, rho_g, snd_g = us76_point(fl.ground)
    cd0 = interp_clamped(ctx.machs, ctx.cds, veh.main_descent_rate_mps / snd_g)
    main_cda = 2.0 * veh.dm_mass_kg * g_loc / (rho_g * veh.main_descent_rate_mps ** 2) - cd0 * ctx.sref
    h_main = max(veh.main_deploy_altitude_m, fl.ground + 500.0)
    _, _, rho_m, snd_m = us76_point(h_main)
    cd1 = interp_clamped(ctx.machs, ctx.cds, veh.main_reefed_speed_mps / snd_m)
    reefed_cda = 2.0 * veh.dm_mass_kg * g_loc / (rho_m * veh.main_reefed_speed_mps ** 2) - cd1 * ctx.sref
    drogue = ("drogue", t_chute, veh.drogue_cd * veh.drogue_area_m2)
    t_main, y_main, hit_m, sol_d = _integrate(ctx, ("planar", 0.0), t_chute, y_chute, t_chute + 3600.0, h_main,
                                              chute=drogue, samples=sample_step_s)
    if not hit_m:
        raise EntryError("the module did not descend to the main-parachute altitude within 1 h")
    chute = ("main", t_main, reefed_cda, veh.main_reefed_s, main_cda, veh.main_inflation_s)
    h_fire = fl.ground + veh.soft_landing_height_m
    t_fire, y_fire, hit2, sol_m = _integrate(ctx, ("planar", 0.0), t_main, y_main, t_main + 7200.0, h_fire,
                                             chute=chute, samples=sample_step_s)
    if not hit2:
        raise EntryError("the module did not reach the ground within 2 h of the parachute command")
    v_fire = float(np.linalg.norm(fl.vrel(y_fire)))
    v_td = min(veh.touchdown_speed_mps, v_fire)
    t_land = t_fire + 2.0 * veh.soft_landing_height_m / (v_fire + v_td)
    return _ChutePhase(drogue, chute, t_main, y_main, t_fire, y_fire, np.concatenate([sol_d.t, sol_m.t]),
                       np.vstack([sol_d.y.T, sol_m.y.T]), v_td, t_land)


def _entry_samples(fl, veh, aero: _AeroPhase, ch: _ChutePhase):
    """The whole descent on one time grid: (times, states, trajectory, load [g], heat flux)."""
    ctx = fl.ctx
    T = np.concatenate(aero.seg_t + [ch.sol_t])
    Y = np.vstack(aero.seg_y + [ch.sol_y])
    B = np.concatenate(aero.seg_bank + [np.full(len(ch.sol_t), np.nan)])
    order = np.argsort(T, kind="stable")
    T, Y, B = T[order], Y[order], B[order]
    keep = np.concatenate([[True], np.diff(T) > 1e-9])
    T, Y, B = T[keep], Y[keep], B[keep]
    lat, lon, alt = fl.geodetic(T, Y[:, :3])
    vrel = Y[:, 3:] - np.cross(np.asarray(ctx.w), Y[:, :3])
    speed = np.linalg.norm(vrel, axis=1)
    rhat = Y[:, :3] / np.linalg.norm(Y[:, :3], axis=1)[:, None]
    fpa = np.degrees(np.arcsin(np.clip(np.sum(rhat * vrel, axis=1) / speed, -1, 1)))
    gl = np.empty(len(T))
    qdot = np.empty(len(T))
    for i in range(len(T)):
        bk = ("fixed", math.radians(B[i])) if np.isfinite(B[i]) else ("planar", 0.0)
        chute = None if T[i] < aero.t_chute else (ch.drogue if T[i] < ch.t_main else ch.chute)
        gl[i] = fl.sensed_g(T[i], Y[i], bk, chute)
        rho = us76_point(max(float(alt[i]), -4000.0))[2] if alt[i] < 400e3 else 0.0
        qdot[i] = SUTTON_GRAVES_K * math.sqrt(rho / veh.dm_nose_radius_m) * speed[i] ** 3
    return T, Y, EntryTrajectory(T, alt, lat, lon, speed, fpa, gl, qdot, B)


def _entry_result(fl, veh, mode, aero: _AeroPhase, ch: _ChutePhase, target_lat_deg, target_lon_deg) -> EntryResult:
    """Events (entry interface interpolated on the altitude samples), peak load and heating, the
    landing point and its miss along and across the last ground track."""
    from ..time import add_seconds, iso_utc
    from .zones import along_cross_m, bearing_deg, distance_m

    T, Y, traj = _entry_samples(fl, veh, aero, ch)
    alt, gl, qdot, fpa = traj.altitude_m, traj.g_load, traj.heat_flux_w_m2, traj.flight_path_angle_deg
    t_chute, y_chute = aero.t_chute, aero.y_chute
    in_air = T <= t_chute + 1e-9
    i_max = int(np.argmax(np.where(in_air, gl, -1.0)))

    def utc_of(ts):
        return iso_utc(add_seconds(fl.t0, float(ts)))

    def event_at(name, ts, yy, g=None):
        la, lo, al = fl.geodetic(ts, yy[:3])
        return EntryEvent(name, utc_of(ts), float(ts), float(al[0]), float(np.linalg.norm(fl.vrel(yy))),
                          float(la[0]), float(lo[0]), float(g if g is not None else np.interp(ts, T, gl)))

    ei_h = veh.entry_interface_altitude_m
    idx = np.nonzero((alt[:-1] >= ei_h) & (alt[1:] < ei_h))[0]
    t_ei = 0.0
    if len(idx):
        j = int(idx[0])
        t_ei = float(T[j] + (alt[j] - ei_h) / (alt[j] - alt[j + 1]) * (T[j + 1] - T[j]))
    y_ei = np.array([np.interp(t_ei, T, Y[:, c]) for c in range(6)])
    ev = [event_at("module_separation", 0.0, Y[0]), event_at("entry_interface", t_ei, y_ei)]
    if aero.guidance_start is not None:
        ev.append(event_at("guidance_start", *aero.guidance_start))
    ev.append(event_at("peak_g", T[i_max], Y[i_max], gl[i_max]))
    ev.append(event_at("parachute_command", t_chute, y_chute))
    ev.append(event_at("main_chute", ch.t_main, ch.y_main))
    ev.append(event_at("soft_landing_firing", ch.t_fire, ch.y_fire))
    la, lo, _al = fl.geodetic(ch.t_fire, ch.y_fire[:3])
    la, lo = float(la[0]), float(lo[0])
    ev.append(EntryEvent("landing", utc_of(ch.t_land), float(ch.t_land), float(fl.ground), ch.v_td, la, lo, 0.0))

    # ground-track heading at the parachute command
    la_c, lo_c, _ = fl.geodetic(t_chute - 20.0, np.array([np.interp(t_chute - 20.0, T, Y[:, c]) for c in range(3)]))
    heading = bearing_deg(float(la_c[0]), float(lo_c[0]), la, lo)
    miss = along = cross = None
    if target_lat_deg is not None:
        miss = distance_m(target_lat_deg, target_lon_deg, la, lo)
        along, cross = along_cross_m(target_lat_deg, target_lon_deg, la, lo, heading)
    chute_phase = T > t_chute + 1e-9
    return EntryResult(
        mode=mode, start_utc=utc_of(0.0), events=tuple(ev), trajectory=traj, entry_interface_utc=utc_of(t_ei),
        entry_speed_mps=float(np.linalg.norm(fl.vrel(y_ei))),
        entry_flight_path_angle_deg=float(np.interp(t_ei, T, fpa)), max_g=float(gl[i_max]),
        max_g_utc=utc_of(T[i_max]), max_g_altitude_m=float(alt[i_max]),
        max_g_parachute=float(gl[chute_phase].max()) if chute_phase.any() else 0.0,
        peak_heat_flux_w_m2=float(qdot.max()), heat_load_j_m2=float(np.trapezoid(qdot[in_air], T[in_air])),
        parachute_utc=utc_of(t_chute), soft_landing_utc=utc_of(ch.t_fire), landing_utc=utc_of(ch.t_land),
        landing_lat_deg=la, landing_lon_deg=lo, landing_altitude_m=fl.ground, touchdown_speed_mps=float(ch.v_td),
        heading_deg=float(heading), bank_reversals=aero.reversals, target_lat_deg=target_lat_deg,
        target_lon_deg=target_lon_deg, miss_m=miss, miss_along_m=along, miss_cross_m=cross,
        landing_t_s=float(ch.t_land),
    )
